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
//! sending one twice does its work once. Sign-in is rate-limited per
//! username and per address. The API's writes use HTTP Basic for an
//! administrator, and may carry an `Idempotency-Key`.

use crate::AppState;
use crate::error::{PageError, WebError};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use kansli_core::{BodyId, CaseId, MeetingId, OrganisationId};
use kansli_store::access::{Role, Session};
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
    /// An administrator over HTTP Basic (the API's writes).
    ApiAdministrator,
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
        Need::ApiAdministrator => false,
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
        Need::Member => match (scope.organisation, scope.body) {
            (Some(o), Some(b)) => session.member_of.contains(&b) || secretary_of(o, Some(b)),
            _ => !session.member_of.is_empty() || any_secretary,
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

/// The administrator an API request authenticated as (HTTP Basic), put
/// there by the guard of an [`Need::ApiAdministrator`] route.
#[derive(Debug, Clone)]
pub struct ApiUser(pub User);

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
        Need::ApiAdministrator => {
            let user = basic_admin(store, req.headers())
                .await
                .map_err(|e| crate::error::ApiError(e).into_response())?;
            let actor = format!("api:{}", user.id.0);
            req.extensions_mut().insert(ApiUser(user));
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
            let scope = scope_of(store, &mut req)
                .await
                .map_err(|e| e.into_response())?;
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
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        PageError(WebError::BadRequest(format!(
            "Formuläret är för stort (högst {} MB) eller kom inte fram helt.",
            limit / (1024 * 1024)
        )))
        .into_response()
    })?;
    let (token, key) = match boundary {
        None => {
            let fields =
                serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes).unwrap_or_default();
            let field = |name: &str| {
                fields
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            };
            (field("csrf"), field(crate::once::FIELD))
        }
        Some(boundary) => multipart_fields(bytes.clone(), boundary).await,
    };
    match token {
        Some(t) if constant_time_eq(&t, expected) => {
            // A form without a key (an old page) still works, once per
            // submit as before.
            let key = key.and_then(|k| crate::once::Key::new(actor, &k, &parts, &bytes, false));
            Ok((Request::from_parts(parts, Body::from(bytes)), key))
        }
        _ => Err(refused()),
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

/// The largest form (without files) a page sends.
pub const FORM_LIMIT: usize = 2 * 1024 * 1024;

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

/// Failed sign-ins, remembered for a while per username and per address.
/// A username is locked after [`Self::PER_USER`] failures within
/// [`Self::WINDOW`], an address after [`Self::PER_ADDRESS`], whatever the
/// password: guessing is slowed to a few tries an hour.
#[derive(Debug, Default)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl SignInLimiter {
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);
    pub const PER_USER: usize = 5;
    pub const PER_ADDRESS: usize = 20;

    fn keys(username: &str, addr: Option<IpAddr>) -> [(String, usize); 2] {
        [
            (
                format!("user:{}", username.trim().to_lowercase()),
                Self::PER_USER,
            ),
            (
                format!("addr:{}", addr.map_or("okänd".into(), |a| a.to_string())),
                Self::PER_ADDRESS,
            ),
        ]
    }

    /// How long until another try is allowed, if it is not now.
    pub fn blocked(&self, username: &str, addr: Option<IpAddr>, now: Instant) -> Option<Duration> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait = None;
        for (key, limit) in Self::keys(username, addr) {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now.duration_since(*t) < Self::WINDOW);
                if times.len() >= limit {
                    let until = Self::WINDOW - now.duration_since(times[0]);
                    wait = Some(wait.map_or(until, |w: Duration| w.max(until)));
                }
            }
        }
        wait
    }

    pub fn failed(&self, username: &str, addr: Option<IpAddr>, now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded: forget the oldest when an attack spreads over many names.
        if map.len() > 100_000 {
            map.retain(|_, t| {
                t.last()
                    .is_some_and(|t| now.duration_since(*t) < Self::WINDOW)
            });
        }
        for (key, _) in Self::keys(username, addr) {
            map.entry(key).or_default().push(now);
        }
    }

    pub fn succeeded(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("user:{}", username.trim().to_lowercase()));
    }
}

/// The signed-in administrator of an HTTP Basic request, or why not.
pub async fn basic_admin(store: &Store, headers: &HeaderMap) -> Result<User, WebError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(WebError::Unauthorized);
    };
    let value = value.to_str().map_err(|_| WebError::Unauthorized)?;
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Err(WebError::Unauthorized);
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| WebError::Unauthorized)?;
    let decoded = String::from_utf8(decoded).map_err(|_| WebError::Unauthorized)?;
    let (username, password) = decoded.split_once(':').ok_or(WebError::Unauthorized)?;
    let user = store
        .verify_user(username, password)
        .await?
        .ok_or(WebError::Unauthorized)?;
    if !user.is_admin {
        return Err(WebError::Forbidden(
            "åtgärden kräver en administratör".into(),
        ));
    }
    Ok(user)
}

/// Sign-in refused for `wait` after too many failures.
pub fn too_many(wait: Duration) -> WebError {
    WebError::TooManyAttempts {
        minutes: wait.as_secs().div_ceil(60).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kansli_core::{PersonId, UserId};
    use kansli_store::access::Grant;

    fn session(grants: Vec<Grant>, member_of: Vec<BodyId>) -> Session {
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

    #[test]
    fn roles_reach_only_their_own_organisation_and_body() {
        let (o1, o2) = (OrganisationId(1), OrganisationId(2));
        let (b1, b2) = (BodyId(10), BodyId(20));
        let scope = |o, b| Scope {
            organisation: Some(o),
            body: b,
            ..Scope::default()
        };
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

        let member = session(vec![], vec![b1]);
        assert!(permits(&member, Need::Member, &scope(o1, Some(b1))));
        assert!(!permits(&member, Need::Member, &scope(o1, Some(b2))));
        assert!(!permits(&member, Need::CaseOfficer, &scope(o1, None)));
        assert!(!permits(&member, Need::ApiAdministrator, &scope(o1, None)));

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
    fn sign_in_is_limited_per_user_and_forgiven_after_the_window() {
        let limiter = SignInLimiter::default();
        let t0 = Instant::now();
        let addr = Some(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..SignInLimiter::PER_USER {
            assert!(limiter.blocked("anna", addr, t0).is_none());
            limiter.failed("Anna", addr, t0);
        }
        assert!(limiter.blocked("anna", addr, t0).is_some());
        assert!(limiter.blocked("bo", addr, t0).is_none());
        let later = t0 + SignInLimiter::WINDOW + Duration::from_secs(1);
        assert!(limiter.blocked("anna", addr, later).is_none());
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
        assert_eq!(encode_component("/a b?x=1"), "%2Fa+b%3Fx%3D1");
    }
}
