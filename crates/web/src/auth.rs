//! Who may see and do what.
//!
//! Every route is registered with the [`Need`] it has (see
//! [`crate::routes`]); a guard in front of each route resolves the session
//! from its cookie and the organisation and body the path is about, and
//! refuses what the roles do not allow before the handler runs. Nothing is
//! reachable without stating its need, so what is not granted is denied.
//!
//! Browser sessions: a random token in an `HttpOnly`, `SameSite=Strict`
//! cookie (`Secure` when the server is configured for HTTPS), its SHA-256 in
//! the database. Every form a signed-in user sends carries the session's
//! CSRF token in its body (a hidden field `csrf`, in a multipart body too;
//! never in the address), and a request whose `Origin` is another site is
//! refused. The same forms carry a one-time key ([`crate::once`]), so that
//! sending one twice does its work once; an API write may carry an
//! `Idempotency-Key`. Sign-in is slowed
//! down, never refused, after failures per username and per address
//! ([`SignInLimiter`]); a browser that has signed in as a user before (a
//! known device) is not slowed by others' failures against that user.
//!
//! API writes: a personal API token (`Authorization: Bearer kansli_…`),
//! scoped to one organisation and one role and checked with the same
//! [`permits`] as a session's grants — one notion of administrator,
//! secretary and case officer for pages and API alike. A token costs one
//! SHA-256 and one indexed lookup; every failed authentication answers the
//! same 401, so the API is no password oracle. Passwords (the sign-in form)
//! are checked only through [`verify_password`]: on a blocking thread, a
//! few at a time, and refused at once when too many are waiting.

use crate::AppState;
use crate::error::{PageError, WebError};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use kansli_core::{BodyId, CaseId, MeetingId, OrganisationId};
use kansli_store::access::{Grant, Role, Session};
use kansli_store::tokens::ApiToken;
use kansli_store::{Store, User};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The session cookie.
pub const SESSION_COOKIE: &str = "kansli_session";
/// The sign-in form's own token (double-submit: cookie and field agree),
/// which keeps other sites from signing a browser in.
pub const SIGN_IN_COOKIE: &str = "kansli_signin";
/// How long a session lasts: a working day.
pub const SESSION_HOURS: i64 = 10;

/// What a route requires of the one asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Need {
    /// Anyone, signed in or not.
    Public,
    /// An API token (`Authorization: Bearer`) whose role in the
    /// organisation in question allows what [`Need::CaseOfficer`] allows a
    /// session: a case officer's, secretary's or administrator's token
    /// (the API's writes). A browser session is no API credential.
    ApiCaseOfficer,
    /// Any signed-in user.
    SignedIn,
    /// A member (ledamot or ersättare) of the body in question, or its
    /// secretary.
    Member,
    /// A case officer (or secretary) of the organisation in question.
    CaseOfficer,
    /// A secretary of the body in question (or of all the organisation's
    /// bodies).
    Secretary,
    /// An administrator of the organisation in question.
    Administrator,
}

/// The organisation and body a request is about, from its path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    pub organisation: Option<OrganisationId>,
    pub body: Option<BodyId>,
    /// The meeting or case the path names, for the log of refused writes.
    pub meeting: Option<MeetingId>,
    pub case: Option<CaseId>,
    /// The day a member's seat must cover: the meeting's date for a
    /// meeting, otherwise today. `None`: no seat counts.
    pub on: Option<jiff::civil::Date>,
}

/// Whether `session` meets `need` for `scope`. Without a scope (a page
/// listing one's own work), a role anywhere suffices.
pub fn permits(session: &Session, need: Need, scope: &Scope) -> bool {
    let grants = &session.grants;
    let admin_of = |org: OrganisationId| {
        session.user.is_admin
            || grants
                .iter()
                .any(|g| g.role == Role::Administrator && g.organisation == org)
    };
    let any_admin = session.user.is_admin || grants.iter().any(|g| g.role == Role::Administrator);
    let secretary_of = |org: OrganisationId, body: Option<BodyId>| {
        admin_of(org)
            || grants.iter().any(|g| {
                g.role == Role::Secretary
                    && g.organisation == org
                    && (g.body.is_none() || body.is_none() || g.body == body)
            })
    };
    let any_secretary = any_admin || grants.iter().any(|g| g.role == Role::Secretary);
    match need {
        Need::Public | Need::SignedIn => true,
        Need::ApiCaseOfficer => false,
        Need::Administrator => scope.organisation.map_or(any_admin, admin_of),
        Need::Secretary => scope
            .organisation
            .map_or(any_secretary, |o| secretary_of(o, scope.body)),
        Need::CaseOfficer => match scope.organisation {
            Some(o) => {
                secretary_of(o, None)
                    || grants
                        .iter()
                        .any(|g| g.role == Role::CaseOfficer && g.organisation == o)
            }
            None => any_secretary || grants.iter().any(|g| g.role == Role::CaseOfficer),
        },
        // A member only for the term of office: a seat that ended (or had
        // not begun) on the meeting's day gives no access to that meeting.
        Need::Member => match (scope.organisation, scope.body) {
            (Some(o), Some(b)) => {
                scope.on.is_some_and(|day| session.member_on(b, day)) || secretary_of(o, Some(b))
            }
            _ => {
                scope
                    .on
                    .is_some_and(|day| session.member_of.iter().any(|s| s.covers(day)))
                    || any_secretary
            }
        },
    }
}

/// The request's signed-in user, if any, as the guard found them.
#[derive(Debug, Clone, Default)]
pub struct Viewer(pub Option<Arc<Session>>);

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .unwrap_or_default())
    }
}

/// The API token a request authenticated with, put there by the guard of
/// an [`Need::ApiCaseOfficer`] route.
#[derive(Debug, Clone)]
pub struct ApiCaller(pub ApiToken);

/// Whether `token` meets `need` (an API need) for `scope`: the token's one
/// role in its one organisation, judged by [`permits`] exactly as a
/// session holding that grant would be.
pub fn token_permits(token: &ApiToken, need: Need, scope: &Scope) -> bool {
    let as_session = match need {
        Need::ApiCaseOfficer => Need::CaseOfficer,
        _ => return false,
    };
    let session = Session {
        user: User {
            id: token.created_by,
            username: token.actor(),
            display_name: token.label.clone(),
            is_admin: false,
        },
        csrf: String::new(),
        grants: vec![Grant {
            role: token.role,
            organisation: token.organisation,
            body: None,
        }],
        person: None,
        member_of: vec![],
        expires: jiff::Timestamp::MAX,
    };
    // A token always acts in one organisation: the path must name it.
    scope.organisation.is_some() && permits(&session, as_session, scope)
}

/// A handler that needs the signed-in user (on a route whose need the guard
/// checked).
pub struct SignedIn(pub Arc<Session>);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Viewer>() {
            Some(Viewer(Some(s))) => Ok(SignedIn(s.clone())),
            _ => Err(PageError(WebError::Unauthorized)),
        }
    }
}

/// The session of a request's cookie, if it is valid.
pub async fn session_of(store: &Store, headers: &HeaderMap) -> Result<Option<Session>, WebError> {
    let jar = CookieJar::from_headers(headers);
    let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
        return Ok(None);
    };
    Ok(store.session(&token, jiff::Timestamp::now()).await?)
}

/// The guard's setting for one route.
#[derive(Clone)]
pub struct Guard {
    pub app: AppState,
    pub need: Need,
    /// The largest body the guard reads for the CSRF token and the
    /// one-time key ([`FORM_LIMIT`], or the upload limit for files).
    pub body_limit: usize,
}

/// Runs before every route: finds the session and the scope, checks the
/// need, the request's origin and its CSRF token; a write with a one-time
/// key runs at most once per key ([`crate::once::run`]).
pub async fn guard(State(g): State<Guard>, req: Request, next: Next) -> Response {
    match check(&g, req).await {
        Ok((req, Some(key))) => crate::once::run(&g.app, key, req, next).await,
        Ok((req, None)) => next.run(req).await,
        Err(response) => response,
    }
}

async fn check(
    g: &Guard,
    mut req: Request,
) -> Result<(Request, Option<crate::once::Key>), Response> {
    let store = &g.app.store;
    let session = session_of(store, req.headers())
        .await
        .map_err(|e| PageError(e).into_response())?;
    let safe = matches!(*req.method(), Method::GET | Method::HEAD);
    let mut once = None;
    match g.need {
        Need::Public => {}
        Need::ApiCaseOfficer => {
            let api = |e: WebError| crate::error::ApiError(e).into_response();
            let token = bearer_token(store, req.headers()).await.map_err(api)?;
            let scope = scope_of(store, &mut req).await.map_err(|e| api(e.0))?;
            if !token_permits(&token, g.need, &scope) {
                tracing::info!(token = token.id, ?scope, path = %req.uri().path(), "refused");
                let detail =
                    serde_json::json!({"method": req.method().as_str(), "path": req.uri().path()});
                if let Err(e) = store
                    .log_refusal(&token.actor(), "route", None, detail)
                    .await
                {
                    tracing::error!(error = %e, "refusal could not be logged");
                }
                return Err(api(WebError::Forbidden(
                    "API-nyckeln ger inte behörighet till den här åtgärden i den här organisationen."
                        .into(),
                )));
            }
            // A page of another site may not send it, nor a form post
            // (text/plain, form encoding) that a browser sends without
            // asking.
            check_origin(req.headers()).map_err(api)?;
            require_json(req.headers()).map_err(api)?;
            let actor = token.actor();
            req.extensions_mut().insert(ApiCaller(token));
            if !safe {
                (req, once) = crate::once::api_key(req, actor, FORM_LIMIT).await?;
            }
        }
        need => {
            let Some(s) = &session else {
                return Err(if safe {
                    let back = req
                        .uri()
                        .path_and_query()
                        .map_or("/sekretariat", |p| p.as_str());
                    Redirect::to(&format!("/logga-in?till={}", encode_component(back)))
                        .into_response()
                } else {
                    PageError(WebError::Unauthorized).into_response()
                });
            };
            let mut scope = scope_of(store, &mut req)
                .await
                .map_err(|e| e.into_response())?;
            scope.on = scope.on.or_else(|| Some(g.app.config.today()));
            if !permits(s, need, &scope) {
                tracing::info!(user = %s.user.username, ?need, ?scope, path = %req.uri().path(), "refused");
                if !safe {
                    // A write attempted without the role is kept in the log
                    // of what it was aimed at.
                    let (entity, id) = match (scope.meeting, scope.case) {
                        (Some(m), _) => ("meeting", Some(m.0)),
                        (None, Some(c)) => ("case", Some(c.0)),
                        _ => ("route", None),
                    };
                    let detail = serde_json::json!({"method": req.method().as_str(), "path": req.uri().path()});
                    if let Err(e) = store
                        .log_refusal(&format!("user:{}", s.user.username), entity, id, detail)
                        .await
                    {
                        tracing::error!(error = %e, "refusal could not be logged");
                    }
                }
                return Err(PageError(WebError::Forbidden(
                    "Du har inte behörighet till den här sidan eller åtgärden.".into(),
                ))
                .into_response());
            }
            if !safe {
                check_origin(req.headers()).map_err(|e| PageError(e).into_response())?;
                let actor = format!("user:{}", s.user.id.0);
                (req, once) = check_csrf(req, &s.csrf, g.body_limit, actor).await?;
            }
        }
    }
    req.extensions_mut().insert(Viewer(session.map(Arc::new)));
    Ok((req, once))
}

/// The organisation and body a secretariat path names: `{organisation}`,
/// `{body}`, `{meeting}` or `{case}`. An id that does not exist is a 404.
async fn scope_of(store: &Store, req: &mut Request) -> Result<Scope, PageError> {
    use axum::RequestPartsExt;
    let (mut parts, body) = std::mem::take(req).into_parts();
    let params = parts
        .extract::<axum::extract::RawPathParams>()
        .await
        .map(|p| {
            p.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<HashMap<_, _>>()
        })
        .unwrap_or_default();
    *req = Request::from_parts(parts, body);
    let id = |name: &str| -> Result<Option<i64>, PageError> {
        params
            .get(name)
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    PageError(WebError::NotFound(format!("«{v}» är inget giltigt id")))
                })
            })
            .transpose()
    };
    let mut scope = Scope::default();
    if let Some(o) = id("organisation")? {
        scope.organisation = Some(store.organisation(OrganisationId(o)).await?.id);
    }
    if let Some(b) = id("body")? {
        let body = store.body(BodyId(b)).await?;
        scope.organisation = Some(body.organisation);
        scope.body = Some(body.id);
    }
    if let Some(m) = id("meeting")? {
        let meeting = store.meeting(MeetingId(m)).await?;
        let body = store.body(meeting.body).await?;
        scope.organisation = Some(body.organisation);
        scope.body = Some(body.id);
        scope.meeting = Some(meeting.id);
        scope.on = Some(meeting.date);
    }
    if let Some(c) = id("case")? {
        let case = store.case(CaseId(c)).await?;
        scope.organisation = Some(case.organisation);
        scope.case = Some(case.id);
    }
    Ok(scope)
}

/// A request from a page of another site is refused, whatever it carries.
fn check_origin(headers: &HeaderMap) -> Result<(), WebError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
    if origin_host == host {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "Begäran kom från en annan webbplats och avvisades.".into(),
        ))
    }
}

/// The CSRF token must be the session's, in the form's `csrf` field of a
/// URL-encoded or a multipart body (at most `limit` bytes, read and handed
/// on unchanged); a token in the address is not looked at, since addresses
/// end up in logs and histories. Also gives the form's one-time key
/// ([`crate::once::FIELD`]), if it has one.
async fn check_csrf(
    req: Request,
    expected: &str,
    limit: usize,
    actor: String,
) -> Result<(Request, Option<crate::once::Key>), Response> {
    let refused = || {
        PageError(WebError::Forbidden(
            "Formuläret har gått ut eller kom inte från Kansli. Ladda om sidan och försök igen."
                .into(),
        ))
        .into_response()
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .unwrap_or("");
    let boundary = if content_type.starts_with("application/x-www-form-urlencoded") {
        None
    } else if content_type.starts_with("multipart/form-data") {
        Some(multer::parse_boundary(content_type).map_err(|_| refused())?)
    } else {
        return Err(refused());
    };
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|e| form_too_large(&e, limit).into_response())?;
    let Some(boundary) = boundary else {
        let Ok(mut fields) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes) else {
            return Err(refused());
        };
        let field = |fields: &[(String, String)], name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        if !field(&fields, "csrf").is_some_and(|t| constant_time_eq(&t, expected)) {
            return Err(refused());
        }
        if fields.len() > kansli_core::limits::FORM_FIELDS {
            return Err(PageError(WebError::TooLarge(format!(
                "Formuläret har för många fält: högst {} kan skickas på en gång (det hade {}).",
                kansli_core::limits::swedish_number(kansli_core::limits::FORM_FIELDS),
                kansli_core::limits::swedish_number(fields.len())
            )))
            .into_response());
        }
        let key = field(&fields, crate::once::FIELD);
        // Browsers send a text area's line breaks as CRLF; every text is
        // stored with LF (`kansli_core::limits`), so the form is handed on
        // with its line breaks normalised.
        let bytes = if fields.iter().any(|(_, v)| v.contains('\r')) {
            for (_, v) in &mut fields {
                if let std::borrow::Cow::Owned(n) = kansli_core::limits::normalize_newlines(v) {
                    *v = n;
                }
            }
            axum::body::Bytes::from(serde_urlencoded::to_string(&fields).map_err(|_| refused())?)
        } else {
            bytes
        };
        // A form without a key (an old page) still works, once per submit
        // as before.
        let key = key.and_then(|k| crate::once::Key::new(actor, &k, &parts, &bytes, false));
        return Ok((Request::from_parts(parts, Body::from(bytes)), key));
    };
    let (token, key) = multipart_fields(bytes.clone(), boundary).await;
    match token {
        Some(t) if constant_time_eq(&t, expected) => {
            let key = key.and_then(|k| crate::once::Key::new(actor, &k, &parts, &bytes, false));
            Ok((Request::from_parts(parts, Body::from(bytes)), key))
        }
        _ => Err(refused()),
    }
}

/// The largest form (without files) a page sends, as declared by
/// [`kansli_core::limits::FORM_BYTES`].
pub const FORM_LIMIT: usize = kansli_core::limits::FORM_BYTES;

/// The refusal of a form whose body is over [`FORM_LIMIT`] (or that did not
/// arrive whole).
pub fn form_too_large(e: &axum::Error, limit: usize) -> PageError {
    // axum wraps http-body-util's LengthLimitError, known by its message.
    let mut source: Option<&dyn std::error::Error> = Some(e);
    let mut too_large = false;
    while let Some(s) = source {
        too_large |= s.to_string().contains("length limit");
        source = s.source();
    }
    if too_large {
        PageError(WebError::TooLarge(format!(
            "Formuläret är för stort: högst {} MB kan skickas på en gång (filer räknas inte).",
            limit / 1024 / 1024
        )))
    } else {
        PageError(WebError::BadRequest(
            "Formuläret kom inte fram helt. Försök igen.".into(),
        ))
    }
}

/// The `csrf` and one-time key fields of a multipart body (the first of
/// each; files are skipped, not read).
async fn multipart_fields(
    bytes: axum::body::Bytes,
    boundary: String,
) -> (Option<String>, Option<String>) {
    let mut form = multer::Multipart::new(Body::from(bytes).into_data_stream(), boundary);
    let (mut token, mut key) = (None, None);
    while let Ok(Some(field)) = form.next_field().await {
        let slot = match field.name() {
            Some("csrf") if token.is_none() => &mut token,
            Some(crate::once::FIELD) if key.is_none() => &mut key,
            _ => continue,
        };
        match field.text().await {
            Ok(t) => *slot = Some(t),
            Err(_) => break,
        }
        if token.is_some() && key.is_some() {
            break;
        }
    }
    (token, key)
}

/// Compares without stopping at the first difference.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Percent-encodes a path for the `till` parameter.
pub fn encode_component(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .map(|e| e[2..].to_string())
        .unwrap_or_default()
}

/// The session cookie for `token`: gone when the browser closes; the
/// server ends the session after [`SESSION_HOURS`] in any case.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .build()
}

/// The sign-in form's cookie.
pub fn sign_in_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SIGN_IN_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/logga-in")
        .build()
}

/// The device cookie: a random token a browser gets when it signs in, kept
/// for [`DEVICE_DAYS`]; the server keeps only its SHA-256
/// (`kansli_store::sign_in`).
pub const DEVICE_COOKIE: &str = "kansli_device";
/// How long a browser stays a known device.
pub const DEVICE_DAYS: i64 = 365;

/// The device cookie for `token`: sent only to the sign-in form.
pub fn device_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((DEVICE_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/logga-in")
        .max_age(time::Duration::days(DEVICE_DAYS))
        .build()
}

/// The address a request came from: the peer's, or, when the peer is one
/// of the `trusted` reverse proxies, the last address in `X-Forwarded-For`
/// that is not itself one of them (what the nearest proxy saw). Entries
/// further left were written by the client and are not believed.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for entry in entries.into_iter().rev() {
        match entry.trim().parse::<IpAddr>() {
            Ok(a) if trusted.contains(&a) => continue,
            Ok(a) => return a,
            Err(_) => break,
        }
    }
    peer
}

/// The growing delay before a sign-in attempt is answered, after `failures`
/// recent failed attempts of which the first `allowance` are free: nothing,
/// then [`SignInLimiter::BASE`] doubling with each further failure, at most
/// [`SignInLimiter::MAX_DELAY`]. A delay, never a refusal: nobody can lock
/// a user out by guessing their password.
pub fn sign_in_delay(failures: u32, allowance: u32) -> Duration {
    let over = failures.saturating_sub(allowance);
    if over == 0 {
        return Duration::ZERO;
    }
    let doubled = SignInLimiter::BASE.saturating_mul(1u32 << (over - 1).min(16));
    doubled.min(SignInLimiter::MAX_DELAY)
}

/// Recent failed sign-ins in memory, per account, per address and per
/// known device, for the delay of the next attempt ([`sign_in_delay`]).
/// An attempt counts as failed from the moment it starts (so that many at
/// once slow each other) and is taken back when it succeeds; counts are
/// forgotten [`Self::WINDOW`] after their last failure. Bounded: at most
/// `capacity` keys, the stalest dropped first.
#[derive(Debug)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, Recent>>,
    capacity: usize,
}

#[derive(Debug, Clone, Copy)]
struct Recent {
    failures: u32,
    last: Instant,
}

/// One attempt under way: what it counted against, and how long its
/// answer waits.
#[derive(Debug)]
#[must_use]
pub struct Attempt {
    keys: Vec<String>,
    /// How long to wait before checking the password.
    pub delay: Duration,
}

impl Default for SignInLimiter {
    fn default() -> Self {
        SignInLimiter::with_capacity(Self::CAPACITY)
    }
}

impl SignInLimiter {
    /// Failures are forgotten this long after the last one.
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);
    /// The first delay.
    pub const BASE: Duration = Duration::from_millis(250);
    /// The longest delay.
    pub const MAX_DELAY: Duration = Duration::from_secs(4);
    /// Failures from one address before its attempts are slowed: an office
    /// behind one address (or everyone, behind a proxy) mistypes now and
    /// then.
    pub const ADDRESS_ALLOWANCE: u32 = 10;
    /// How many keys are remembered by default.
    pub const CAPACITY: usize = 100_000;

    pub fn with_capacity(capacity: usize) -> Self {
        SignInLimiter {
            failures: Mutex::new(HashMap::new()),
            capacity: capacity.max(2),
        }
    }

    /// The keys an attempt counts against, with their allowance. From a
    /// device known for this user (`known_device`: its cookie's token),
    /// only the device's own failures count: others guessing the account's
    /// password do not slow its owner down.
    fn keys(username: &str, addr: IpAddr, known_device: Option<&str>) -> Vec<(String, u32)> {
        if let Some(token) = known_device {
            let hash = kansli_store::access::sha256_hex(token.as_bytes());
            return vec![(format!("device:{}", &hash[..32]), 0)];
        }
        let name: String = username
            .trim()
            .to_lowercase()
            .chars()
            .take(kansli_store::sign_in::USERNAME_CHARS)
            .collect();
        vec![
            (format!("user:{name}"), 0),
            (format!("addr:{}", network(addr)), Self::ADDRESS_ALLOWANCE),
        ]
    }

    /// Starts an attempt: its delay from the recent failures, and counted
    /// as one more until [`Self::succeeded`] takes it back.
    pub fn attempt(
        &self,
        username: &str,
        addr: IpAddr,
        known_device: Option<&str>,
        now: Instant,
    ) -> Attempt {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut delay = Duration::ZERO;
        let mut keys = Vec::new();
        for (key, allowance) in Self::keys(username, addr, known_device) {
            if !map.contains_key(&key) && map.len() >= self.capacity {
                self.make_room(&mut map, now);
            }
            let recent = map.entry(key.clone()).or_insert(Recent {
                failures: 0,
                last: now,
            });
            if now.saturating_duration_since(recent.last) >= Self::WINDOW {
                recent.failures = 0;
            }
            delay = delay.max(sign_in_delay(recent.failures, allowance));
            recent.failures = recent.failures.saturating_add(1);
            recent.last = now;
            keys.push(key);
        }
        Attempt { keys, delay }
    }

    /// The attempt signed in: it was no failure.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for key in attempt.keys {
            if let Some(recent) = map.get_mut(&key) {
                recent.failures = recent.failures.saturating_sub(1);
                if recent.failures == 0 {
                    map.remove(&key);
                }
            }
        }
    }

    /// The attempt failed: it stays counted.
    pub fn failed(&self, attempt: Attempt) {
        drop(attempt);
    }

    /// How many keys are remembered now.
    pub fn len(&self) -> usize {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets what is stale; if that is not enough, the older half.
    fn make_room(&self, map: &mut HashMap<String, Recent>, now: Instant) {
        map.retain(|_, r| now.saturating_duration_since(r.last) < Self::WINDOW);
        if map.len() < self.capacity {
            return;
        }
        let mut times: Vec<Instant> = map.values().map(|r| r.last).collect();
        let middle = times.len() / 2;
        let (_, median, _) = times.select_nth_unstable(middle);
        let median = *median;
        map.retain(|_, r| r.last > median);
        // All equally old: start afresh rather than grow.
        if map.len() >= self.capacity {
            map.clear();
        }
    }
}

/// The network an address belongs to, for the per-address count: an IPv6
/// client may use any address of its /64, so that is the unit.
fn network(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = a.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The API token of a request's `Authorization: Bearer` header. Every
/// failure — no header, another scheme (HTTP Basic is no longer
/// accepted), a malformed, unknown or revoked token — is the same
/// [`WebError::NoApiToken`], and none of them hashes a password.
pub async fn bearer_token(store: &Store, headers: &HeaderMap) -> Result<ApiToken, WebError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(WebError::NoApiToken)?;
    let (scheme, token) = value.trim().split_once(' ').ok_or(WebError::NoApiToken)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(WebError::NoApiToken);
    }
    store
        .api_token(token.trim())
        .await?
        .ok_or(WebError::NoApiToken)
}

/// An API write must say it is JSON; anything else (a cross-site
/// `text/plain` or form post in particular) is refused with 415.
fn require_json(headers: &HeaderMap) -> Result<(), WebError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .map(|c| c.split(';').next().unwrap_or("").trim());
    match media {
        Some(m) if m.eq_ignore_ascii_case("application/json") => Ok(()),
        _ => Err(WebError::UnsupportedMediaType(
            "begäran måste skickas som JSON med Content-Type: application/json".into(),
        )),
    }
}

/// Bounds the password checks (argon2) that the network can cause: at most
/// `running` at once, each on a blocking thread, and at most `waiting` more
/// queued behind them; beyond that a check is refused at once with
/// [`WebError::Busy`], so a flood of bad sign-ins cannot starve the async
/// workers that serve the public site, nor queue without bound.
#[derive(Debug)]
pub struct PasswordChecks {
    admitted: Arc<tokio::sync::Semaphore>,
    running: Arc<tokio::sync::Semaphore>,
}

impl PasswordChecks {
    /// `running` checks at once (at least one), `waiting` more queued.
    pub fn new(running: usize, waiting: usize) -> PasswordChecks {
        let running = running.max(1);
        PasswordChecks {
            admitted: Arc::new(tokio::sync::Semaphore::new(running + waiting)),
            running: Arc::new(tokio::sync::Semaphore::new(running)),
        }
    }

    /// A turn to check one password: waits while the running checks are
    /// taken, refuses at once when the queue is full. Held until dropped.
    pub async fn admit(&self) -> Result<PasswordTurn, WebError> {
        let Ok(admitted) = self.admitted.clone().try_acquire_owned() else {
            tracing::warn!("password checks saturated; refused at once");
            return Err(WebError::Busy);
        };
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| WebError::Busy)?;
        Ok(PasswordTurn {
            _admitted: admitted,
            _running: running,
        })
    }
}

/// One admitted password check (see [`PasswordChecks::admit`]).
#[derive(Debug)]
pub struct PasswordTurn {
    _admitted: tokio::sync::OwnedSemaphorePermit,
    _running: tokio::sync::OwnedSemaphorePermit,
}

impl Default for PasswordChecks {
    /// One fewer than the cores (at least one), so one core is always left
    /// for the async workers; four waiting per running check.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let running = cores.saturating_sub(1).max(1);
        PasswordChecks::new(running, 4 * running)
    }
}

/// Checks `username`'s password, the only way the web layer does: bounded
/// by [`PasswordChecks`], on a blocking thread ([`Store::verify_user`]),
/// an unknown username costing the same as a known one.
pub async fn verify_password(
    app: &AppState,
    username: &str,
    password: &str,
) -> Result<Option<User>, WebError> {
    let _turn = app.passwords.admit().await?;
    Ok(app.store.verify_user(username, password).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use kansli_core::{PersonId, UserId};
    use kansli_store::access::{Grant, Seat};

    fn session(grants: Vec<Grant>, member_of: Vec<Seat>) -> Session {
        Session {
            user: User {
                id: UserId(1),
                username: "u".into(),
                display_name: "U".into(),
                is_admin: false,
            },
            csrf: "x".into(),
            grants,
            person: Some(PersonId(1)),
            member_of,
            expires: jiff::Timestamp::now(),
        }
    }

    /// A seat for the term 2023–2026.
    fn seat(body: BodyId) -> Seat {
        Seat {
            body,
            from: date(2023, 1, 1),
            to: date(2026, 12, 31),
        }
    }

    fn scope(o: OrganisationId, b: Option<BodyId>) -> Scope {
        Scope {
            organisation: Some(o),
            body: b,
            on: Some(date(2024, 5, 1)),
            ..Scope::default()
        }
    }

    #[test]
    fn roles_reach_only_their_own_organisation_and_body() {
        let (o1, o2) = (OrganisationId(1), OrganisationId(2));
        let (b1, b2) = (BodyId(10), BodyId(20));
        let secretary = session(
            vec![Grant {
                role: Role::Secretary,
                organisation: o1,
                body: Some(b1),
            }],
            vec![],
        );
        assert!(permits(&secretary, Need::Secretary, &scope(o1, Some(b1))));
        assert!(!permits(&secretary, Need::Secretary, &scope(o1, Some(b2))));
        assert!(!permits(&secretary, Need::Secretary, &scope(o2, None)));
        assert!(permits(&secretary, Need::CaseOfficer, &scope(o1, None)));
        assert!(!permits(&secretary, Need::Administrator, &scope(o1, None)));
        assert!(permits(&secretary, Need::Member, &scope(o1, Some(b1))));

        let officer = session(
            vec![Grant {
                role: Role::CaseOfficer,
                organisation: o1,
                body: None,
            }],
            vec![],
        );
        assert!(permits(&officer, Need::CaseOfficer, &scope(o1, None)));
        assert!(!permits(&officer, Need::CaseOfficer, &scope(o2, None)));
        assert!(!permits(&officer, Need::Secretary, &scope(o1, Some(b1))));

        let member = session(vec![], vec![seat(b1)]);
        assert!(permits(&member, Need::Member, &scope(o1, Some(b1))));
        assert!(!permits(&member, Need::Member, &scope(o1, Some(b2))));
        assert!(!permits(&member, Need::CaseOfficer, &scope(o1, None)));
        assert!(!permits(&member, Need::ApiCaseOfficer, &scope(o1, None)));

        let admin = session(
            vec![Grant {
                role: Role::Administrator,
                organisation: o1,
                body: None,
            }],
            vec![],
        );
        assert!(permits(&admin, Need::Secretary, &scope(o1, Some(b2))));
        assert!(!permits(&admin, Need::Secretary, &scope(o2, None)));
    }

    #[test]
    fn a_member_is_a_member_only_for_the_term_of_office() {
        let (o, b) = (OrganisationId(1), BodyId(10));
        let member = session(vec![], vec![seat(b)]);
        let on = |day| Scope {
            on: Some(day),
            ..scope(o, Some(b))
        };
        assert!(permits(&member, Need::Member, &on(date(2023, 1, 1))));
        assert!(permits(&member, Need::Member, &on(date(2026, 12, 31))));
        // After the seat ended, and before it began.
        assert!(!permits(&member, Need::Member, &on(date(2027, 1, 1))));
        assert!(!permits(&member, Need::Member, &on(date(2022, 12, 31))));
        // Without a day, no seat counts (deny by default).
        let undated = Scope {
            on: None,
            ..scope(o, Some(b))
        };
        assert!(!permits(&member, Need::Member, &undated));
        // Without a body: a seat held on the day, anywhere.
        let anywhere = |day| Scope {
            organisation: None,
            body: None,
            on: Some(day),
            ..Scope::default()
        };
        assert!(permits(&member, Need::Member, &anywhere(date(2024, 1, 1))));
        assert!(!permits(&member, Need::Member, &anywhere(date(2030, 1, 1))));
        // A later seat in the same body counts for its own term.
        let again = session(
            vec![],
            vec![
                seat(b),
                Seat {
                    body: b,
                    from: date(2031, 1, 1),
                    to: date(2034, 12, 31),
                },
            ],
        );
        assert!(!permits(&again, Need::Member, &on(date(2028, 6, 1))));
        assert!(permits(&again, Need::Member, &on(date(2031, 6, 1))));
        // The secretary's path does not depend on seats.
        let secretary = session(
            vec![Grant {
                role: Role::Secretary,
                organisation: o,
                body: Some(b),
            }],
            vec![],
        );
        assert!(permits(&secretary, Need::Member, &on(date(2040, 1, 1))));
    }

    #[test]
    fn the_delay_grows_by_doubling_and_is_capped() {
        assert_eq!(sign_in_delay(0, 0), Duration::ZERO);
        assert_eq!(sign_in_delay(1, 0), SignInLimiter::BASE);
        assert_eq!(sign_in_delay(2, 0), SignInLimiter::BASE * 2);
        assert_eq!(sign_in_delay(3, 0), SignInLimiter::BASE * 4);
        assert_eq!(sign_in_delay(20, 0), SignInLimiter::MAX_DELAY);
        assert_eq!(sign_in_delay(u32::MAX, 0), SignInLimiter::MAX_DELAY);
        assert_eq!(sign_in_delay(10, 10), Duration::ZERO);
        assert_eq!(sign_in_delay(11, 10), SignInLimiter::BASE);
        assert!(SignInLimiter::MAX_DELAY <= Duration::from_secs(5));
    }

    #[test]
    fn failures_slow_the_account_but_never_lock_it() {
        let limiter = SignInLimiter::default();
        let t0 = Instant::now();
        let attacker = IpAddr::from([203, 0, 113, 5]);
        let office = IpAddr::from([198, 51, 100, 7]);
        let first = limiter.attempt("anna", attacker, None, t0);
        assert_eq!(first.delay, Duration::ZERO);
        limiter.failed(first);
        for _ in 0..19 {
            let a = limiter.attempt("Anna ", attacker, None, t0);
            assert!(a.delay > Duration::ZERO && a.delay <= SignInLimiter::MAX_DELAY);
            limiter.failed(a);
        }
        // From another address: slowed by the account's failures, at most
        // the longest delay; the answer then comes (no refusal exists).
        let real = limiter.attempt("anna", office, None, t0);
        assert_eq!(real.delay, SignInLimiter::MAX_DELAY);
        limiter.succeeded(real);
        // Another user at the attacker's address: slowed by the address's
        // failures, never refused.
        let other = limiter.attempt("bo", attacker, None, t0);
        assert!(other.delay > Duration::ZERO && other.delay <= SignInLimiter::MAX_DELAY);
        limiter.succeeded(other);
        // Someone else at another address is not touched.
        let third = limiter.attempt("cecilia", office, None, t0);
        assert_eq!(third.delay, Duration::ZERO);
        limiter.succeeded(third);
        // Forgotten after the window.
        let later = t0 + SignInLimiter::WINDOW;
        let a = limiter.attempt("anna", office, None, later);
        assert_eq!(a.delay, Duration::ZERO);
        limiter.succeeded(a);
    }

    #[test]
    fn a_known_device_is_not_slowed_by_others_failures() {
        let limiter = SignInLimiter::default();
        let t0 = Instant::now();
        let attacker = IpAddr::from([203, 0, 113, 5]);
        for _ in 0..50 {
            let a = limiter.attempt("anna", attacker, None, t0);
            limiter.failed(a);
        }
        // Even at the attacker's address (one proxy for everyone).
        let mine = limiter.attempt("anna", attacker, Some("token-of-annas-browser"), t0);
        assert_eq!(mine.delay, Duration::ZERO);
        limiter.succeeded(mine);
        // The device's own failures do slow it.
        let a = limiter.attempt("anna", attacker, Some("token-of-annas-browser"), t0);
        limiter.failed(a);
        let b = limiter.attempt("anna", attacker, Some("token-of-annas-browser"), t0);
        assert_eq!(b.delay, SignInLimiter::BASE);
        limiter.succeeded(b);
    }

    #[test]
    fn attempts_at_once_slow_each_other() {
        let limiter = SignInLimiter::default();
        let t0 = Instant::now();
        let addr = IpAddr::from([203, 0, 113, 5]);
        let pending: Vec<Attempt> = (0..5)
            .map(|_| limiter.attempt("anna", addr, None, t0))
            .collect();
        assert_eq!(pending[0].delay, Duration::ZERO);
        assert_eq!(pending[4].delay, SignInLimiter::BASE * 8);
        for a in pending {
            limiter.succeeded(a);
        }
        assert!(limiter.is_empty());
    }

    #[test]
    fn the_memory_of_failures_stays_bounded() {
        let limiter = SignInLimiter::with_capacity(1000);
        let t0 = Instant::now();
        for i in 0..10_000u32 {
            let addr = IpAddr::from(i.to_be_bytes());
            let a = limiter.attempt(
                &format!("namn{i}"),
                addr,
                None,
                t0 + Duration::from_millis(i.into()),
            );
            limiter.failed(a);
            assert!(limiter.len() <= 1000);
        }
        // The newest are still remembered.
        let a = limiter.attempt(
            "namn9999",
            IpAddr::from([1, 1, 1, 1]),
            None,
            t0 + Duration::from_secs(10),
        );
        assert!(a.delay > Duration::ZERO);
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_a_trusted_proxy() {
        let proxy = IpAddr::from([10, 0, 0, 1]);
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 203.0.113.5".parse().unwrap());
        let client = IpAddr::from([203, 0, 113, 5]);
        assert_eq!(client_address(proxy, &headers, &[proxy]), client);
        assert_eq!(client_address(proxy, &headers, &[]), proxy);
        let other = IpAddr::from([192, 0, 2, 9]);
        assert_eq!(client_address(other, &headers, &[proxy]), other);
        headers.insert("x-forwarded-for", "inte-en-adress".parse().unwrap());
        assert_eq!(client_address(proxy, &headers, &[proxy]), proxy);
        // IPv6 clients count per /64.
        let a: IpAddr = "2001:db8:1:2:3:4:5:6".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::1".parse().unwrap();
        assert_eq!(network(a), network(b));
    }

    #[test]
    fn a_tokens_role_reaches_its_own_organisation_only() {
        let token = |role| ApiToken {
            id: 1,
            organisation: OrganisationId(1),
            role,
            label: "t".into(),
            created_by: kansli_core::UserId(1),
            created_by_name: "admin".into(),
            created_at: String::new(),
            revoked_at: None,
        };
        let scope = |o| Scope {
            organisation: Some(OrganisationId(o)),
            ..Scope::default()
        };
        for role in [Role::CaseOfficer, Role::Secretary, Role::Administrator] {
            let t = token(role);
            assert!(
                token_permits(&t, Need::ApiCaseOfficer, &scope(1)),
                "{role:?}"
            );
            assert!(
                !token_permits(&t, Need::ApiCaseOfficer, &scope(2)),
                "{role:?}"
            );
            assert!(!token_permits(&t, Need::ApiCaseOfficer, &Scope::default()));
            // A token is no session: it opens no page.
            assert!(!token_permits(&t, Need::CaseOfficer, &scope(1)));
        }
    }

    #[tokio::test]
    async fn password_checks_are_bounded_and_refused_at_once_beyond() {
        let checks = PasswordChecks::new(1, 1);
        let first = checks.admit().await.unwrap();
        // The second waits for the running one; the third is refused at
        // once instead of queueing.
        let waiting = tokio::spawn({
            let admitted = checks.admitted.clone();
            let running = checks.running.clone();
            async move {
                let c = PasswordChecks { admitted, running };
                c.admit().await.map(|_| ())
            }
        });
        while checks.admitted.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(checks.admit().await, Err(WebError::Busy)));
        drop(first);
        waiting.await.unwrap().unwrap();
        // Room again once they are done.
        checks.admit().await.unwrap();
        assert_eq!(PasswordChecks::new(0, 0).running.available_permits(), 1);
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
        assert_eq!(encode_component("/a b?x=1"), "%2Fa+b%3Fx%3D1");
    }
}
