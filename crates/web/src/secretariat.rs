//! The pages behind sign-in: signing in and out, and the start page of the
//! secretariat, which shows each user what their roles let them do.

use crate::AppState;
use crate::auth::{self, DEVICE_COOKIE, SIGN_IN_COOKIE, SignedIn};
use crate::error::{PageError, WebError};
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use kansli_store::access::Role;
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Instant;

type Page = Result<Html<String>, PageError>;

fn render(t: impl Template) -> Page {
    Ok(Html(t.render()?))
}

/// Where to go after signing in: a plain path on this site, else the start
/// page. Browsers read `//host` and `/\\host` as another site, and drop tabs
/// and newlines from a URL first (`/%09/host`), so only visible ASCII is
/// taken, starting with one `/` not followed by `/` or `\\`; that also keeps
/// the `Location` header always writable.
fn local_path(till: Option<&str>) -> String {
    const START: &str = "/sekretariat";
    match till {
        Some(p)
            if p.len() <= 2000
                && p.starts_with('/')
                && !matches!(p.as_bytes().get(1), Some(b'/' | b'\\'))
                && !p.contains('\\')
                && p.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            p.into()
        }
        _ => START.into(),
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    token: String,
    till: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct Till {
    till: Option<String>,
}

pub async fn sign_in_form(
    State(app): State<AppState>,
    Query(q): Query<Till>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let token = kansli_store::access::random_token();
    let page = render(SignInPage {
        token: token.clone(),
        till: local_path(q.till.as_deref()),
        username: String::new(),
        error: None,
    })?;
    let jar = jar.add(auth::sign_in_cookie(token, app.config.secure_cookies));
    Ok((jar, page).into_response())
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    token: String,
    till: Option<String>,
}

pub async fn sign_in(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    // Checked before anything is written: the redirect cannot fail later.
    let till = local_path(form.till.as_deref());
    let location = HeaderValue::from_str(&till)
        .unwrap_or_else(|_| HeaderValue::from_static("/sekretariat"));
    let again = |jar: CookieJar, error: &str, status: axum::http::StatusCode| {
        let token = kansli_store::access::random_token();
        let page = render(SignInPage {
            token: token.clone(),
            till: till.clone(),
            username: form.username.clone(),
            error: Some(error.into()),
        });
        let jar = jar.add(auth::sign_in_cookie(token, app.config.secure_cookies));
        page.map(|p| (status, jar, p).into_response())
    };
    let expected = jar.get(SIGN_IN_COOKIE).map(|c| c.value().to_string());
    if expected.is_none_or(|e| !auth::constant_time_eq(&e, &form.token)) {
        return again(
            jar,
            "Inloggningsformuläret hade gått ut. Försök igen.",
            axum::http::StatusCode::FORBIDDEN,
        );
    }
    let addr = auth::client_address(peer.ip(), &headers, &app.config.trusted_proxies);
    let device = jar.get(DEVICE_COOKIE).map(|c| c.value().to_string());
    let known = match &device {
        Some(token) => {
            app.store
                .device_known(token, form.username.trim(), jiff::Timestamp::now())
                .await?
        }
        None => false,
    };
    // Slowed down after failures, never refused: nobody can lock a user out.
    let attempt = app.sign_in.attempt(
        &form.username,
        addr,
        device.as_deref().filter(|_| known),
        Instant::now(),
    );
    let slowed = !attempt.delay.is_zero();
    if slowed {
        tokio::time::sleep(attempt.delay).await;
    }
    let user = auth::verify_password(&app, form.username.trim(), &form.password).await?;
    let Some(user) = user else {
        app.sign_in.failed(attempt);
        tracing::info!(username = %form.username, %addr, "sign-in failed");
        log_failure(&app, &form.username, addr, slowed).await;
        return again(
            jar,
            "Fel användarnamn eller lösenord.",
            axum::http::StatusCode::UNAUTHORIZED,
        );
    };
    app.sign_in.succeeded(attempt);
    let now = jiff::Timestamp::now();
    let expires = now
        .checked_add(jiff::SignedDuration::from_hours(auth::SESSION_HOURS))
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let device_expires = now
        .checked_add(jiff::SignedDuration::from_hours(24 * auth::DEVICE_DAYS))
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    // A token this server issued is kept (one browser, several users);
    // anything else is replaced.
    let device = match device {
        Some(token) if known || app.store.device_issued(&token, now).await? => token,
        _ => kansli_store::access::random_token(),
    };
    let mut tx = app.store.begin(&format!("user:{}", user.username)).await?;
    let session = tx.start_session(user.id, expires).await?;
    if !known {
        tx.remember_device(user.id, &device, device_expires).await?;
    }
    tx.commit().await?;
    let jar = jar
        .remove(Cookie::build(SIGN_IN_COOKIE).path("/logga-in"))
        .add(auth::session_cookie(
            session.token,
            app.config.secure_cookies,
        ))
        .add(auth::device_cookie(device, app.config.secure_cookies));
    Ok((
        StatusCode::SEE_OTHER,
        jar,
        [(axum::http::header::LOCATION, location)],
    )
        .into_response())
}

/// Keeps a failed sign-in in the administrators' log. A failure to write it
/// is logged, not shown: the answer to the attempt stays the same.
async fn log_failure(app: &AppState, username: &str, addr: std::net::IpAddr, slowed: bool) {
    use kansli_store::sign_in::Failure;
    let result = async {
        let reason = match app.store.user_named(username.trim()).await? {
            Some(_) => Failure::WrongPassword,
            None => Failure::UnknownUser,
        };
        let mut tx = app.store.begin("system:sign-in").await?;
        tx.record_failed_sign_in(username, &addr.to_string(), reason, slowed)
            .await?;
        tx.commit_unpublished().await
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "failed sign-in could not be logged");
    }
}

pub async fn sign_out(
    State(app): State<AppState>,
    SignedIn(session): SignedIn,
    jar: CookieJar,
) -> Result<Response, PageError> {
    if let Some(token) = jar.get(auth::SESSION_COOKIE).map(|c| c.value().to_string()) {
        let mut tx = app
            .store
            .begin(&format!("user:{}", session.user.username))
            .await?;
        tx.end_session(&token).await?;
        tx.commit().await?;
    }
    let jar = jar.remove(Cookie::build(auth::SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/")).into_response())
}

/// A role as the start page lists it.
struct RoleLine {
    role: &'static str,
    organisation: String,
    body: Option<String>,
}

/// A body the user works with, and their relation to it.
struct BodyLine {
    name: String,
    organisation: String,
    href: String,
    /// The terms of the seats, "2023-01-01–2026-12-31".
    terms: String,
}

/// A link to work waiting on the start page.
struct WorkLink {
    href: String,
    text: String,
}

#[derive(Template)]
#[template(path = "staff_start.html")]
struct StaffStart {
    name: String,
    csrf: String,
    flash: Option<Flash>,
    roles: Vec<RoleLine>,
    member_of: Vec<BodyLine>,
    registry: Vec<WorkLink>,
    meetings: Vec<WorkLink>,
    approvals: Vec<WorkLink>,
    notices: Vec<WorkLink>,
    /// The administrator's pages (API tokens) per organisation.
    administration: Vec<WorkLink>,
    /// An administrator (of an organisation, or of the system).
    administrator: bool,
}

pub async fn start(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    jar: CookieJar,
) -> Result<Response, PageError> {
    use kansli_core::meeting::MeetingStatus;
    let store = &app.store;
    let mut roles = Vec::new();
    let mut registry = Vec::new();
    let mut meetings = Vec::new();
    let mut administration = Vec::new();
    let organisations = if s.user.is_admin {
        store.organisations().await?
    } else {
        Vec::new()
    };
    let mut grants = s.grants.clone();
    for o in &organisations {
        if !grants
            .iter()
            .any(|g| g.organisation == o.id && g.role == Role::Administrator)
        {
            grants.push(kansli_store::access::Grant {
                role: Role::Administrator,
                organisation: o.id,
                body: None,
            });
        }
    }
    for g in &grants {
        let organisation = store.organisation(g.organisation).await?;
        let body = match g.body {
            Some(b) => Some(store.body(b).await?.name),
            None => None,
        };
        // A system administrator's implied grants are shown once, below.
        if s.grants.contains(g) {
            roles.push(RoleLine {
                role: g.role.label(),
                organisation: organisation.name.clone(),
                body,
            });
        }
        let href = format!("/sekretariat/organisationer/{}/arenden", g.organisation.0);
        if !registry.iter().any(|l: &WorkLink| l.href == href) {
            registry.push(WorkLink {
                href,
                text: format!("Ärenden i {}", organisation.name),
            });
        }
        if g.role == Role::Administrator {
            administration.push(WorkLink {
                href: format!(
                    "/sekretariat/organisationer/{}/api-nycklar",
                    g.organisation.0
                ),
                text: format!("API-nycklar i {}", organisation.name),
            });
        }
        if matches!(g.role, Role::Secretary | Role::Administrator) {
            for b in store.bodies(g.organisation).await? {
                if g.body.is_some_and(|x| x != b.id) {
                    continue;
                }
                let href = format!("/sekretariat/organ/{}/sammantraden", b.id.0);
                if !meetings.iter().any(|l: &WorkLink| l.href == href) {
                    meetings.push(WorkLink {
                        href,
                        text: format!("Sammanträden i {}", b.name),
                    });
                }
            }
        }
    }
    if s.user.is_admin {
        roles.push(RoleLine {
            role: "systemadministratör",
            organisation: "alla organisationer".into(),
            body: None,
        });
    }
    let mut member_of = Vec::new();
    let mut approvals = Vec::new();
    let mut notices = Vec::new();
    for b in s.bodies() {
        let body = store.body(b).await?;
        let organisation = store.organisation(body.organisation).await?.name;
        for m in store.meetings(b).await? {
            // Only meetings within a term the person sat in the body.
            if !s.member_on(b, m.date) {
                continue;
            }
            let title = format!("{} {}", body.name, m.date);
            match &m.status {
                MeetingStatus::NoticeIssued => notices.push(WorkLink {
                    href: format!("/sammantraden/{}", m.id.0),
                    text: format!("Kallelse: {title}"),
                }),
                MeetingStatus::Held => {
                    let a = store.approvals(m.id).await?;
                    if let Some(p) = s.person
                        && a.signatories.contains(&p)
                        && !a.has_confirmed(p)
                    {
                        approvals.push(WorkLink {
                            href: format!("/sekretariat/sammantraden/{}/justering", m.id.0),
                            text: format!("Justera protokollet: {title}"),
                        });
                    }
                }
                _ => {}
            }
        }
        let terms: Vec<String> = s
            .member_of
            .iter()
            .filter(|seat| seat.body == b)
            .map(|seat| format!("{}–{}", seat.from, seat.to))
            .collect();
        member_of.push(BodyLine {
            name: body.name,
            organisation,
            href: format!("/organ/{}", b.0),
            terms: terms.join(", "),
        });
    }
    let (jar, flash) = take_flash(jar);
    let page = render(StaffStart {
        name: s.user.display_name.clone(),
        csrf: s.csrf.clone(),
        flash,
        roles,
        member_of,
        registry,
        meetings,
        approvals,
        notices,
        administration,
        administrator: s.user.is_admin
            || s.grants.iter().any(|g| g.role == Role::Administrator),
    })?;
    Ok((jar, page).into_response())
}

/// One line of the log of failed sign-ins, as the page shows it.
struct AttemptLine {
    username: String,
    address: String,
    hour: String,
    reason: &'static str,
    attempts: i64,
    slowed: i64,
    last_at: String,
}

#[derive(Template)]
#[template(path = "staff_sign_ins.html")]
struct SignInsPage {
    scope: String,
    lines: Vec<AttemptLine>,
    limit: i64,
}

/// How many rows of the log the page shows.
const ATTEMPTS_SHOWN: i64 = 500;

/// The log of failed sign-ins: `/sekretariat/inloggningsforsok`. A system
/// administrator sees all of it; an organisation's administrator the
/// attempts against the usernames of that organisation's users.
pub async fn sign_in_attempts(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
) -> Result<Response, PageError> {
    let store = &app.store;
    let (scope, mut rows) = if s.user.is_admin {
        (
            "alla användarnamn".to_string(),
            store.failed_sign_ins(None, ATTEMPTS_SHOWN).await?,
        )
    } else {
        let mut names = Vec::new();
        let mut rows = Vec::new();
        let mut organisations: Vec<_> = s
            .grants
            .iter()
            .filter(|g| g.role == Role::Administrator)
            .map(|g| g.organisation)
            .collect();
        organisations.sort();
        organisations.dedup();
        for o in organisations {
            names.push(store.organisation(o).await?.name);
            rows.extend(store.failed_sign_ins(Some(o), ATTEMPTS_SHOWN).await?);
        }
        (
            format!("användarna i {}", kansli_core::text::join_sv(&names)),
            rows,
        )
    };
    rows.sort_by(|a, b| b.last_at.cmp(&a.last_at));
    rows.dedup();
    rows.truncate(ATTEMPTS_SHOWN as usize);
    let lines = rows
        .into_iter()
        .map(|r| AttemptLine {
            username: r.username,
            address: r.address,
            hour: r.hour.replace('T', " ").trim_end_matches('Z').to_string() + " UTC",
            reason: r.reason.label(),
            attempts: r.attempts,
            slowed: r.slowed,
            last_at: r.last_at.get(..19).unwrap_or(&r.last_at).replace('T', " ") + " UTC",
        })
        .collect();
    let page = render(SignInsPage {
        scope,
        lines,
        limit: ATTEMPTS_SHOWN,
    })?;
    Ok(page.into_response())
}

/// The message a page shows once after a form was sent (post, redirect,
/// get): kept in a short cookie so that no link can put words on our page.
pub const FLASH_COOKIE: &str = "kansli_flash";

/// A message after a form: done, or refused with the reason.
#[derive(Debug, Clone)]
pub struct Flash {
    pub ok: bool,
    pub text: String,
    /// What a refused form held (its `command` and text fields), so that
    /// the page can offer it again instead of losing what was typed.
    pub kept: Vec<(String, String)>,
}

impl Flash {
    /// The refused form's field `field`, if the refused form was `command`.
    pub fn kept(&self, command: &str, field: &str) -> &str {
        let value = |name: &str| {
            self.kept
                .iter()
                .find(|(k, _)| k == name)
                .map_or("", |(_, v)| v.as_str())
        };
        if value("command") == command {
            value(field)
        } else {
            ""
        }
    }
}

/// Browsers keep cookies of about 4 KB; a longer refused form is not kept.
const FLASH_MAX: usize = 3800;

/// Takes the message the last form left, if any.
pub fn take_flash(jar: CookieJar) -> (CookieJar, Option<Flash>) {
    let Some(c) = jar.get(FLASH_COOKIE) else {
        return (jar, None);
    };
    let raw = c.value().to_string();
    let flash = serde_urlencoded::from_str::<Vec<(String, String)>>(&raw)
        .ok()
        .and_then(|v| {
            let mut v = v.into_iter();
            let (k, text) = v.next()?;
            Some(Flash {
                ok: k == "ok",
                text,
                kept: v.collect(),
            })
        });
    (jar.remove(Cookie::build(FLASH_COOKIE).path("/")), flash)
}

/// Where a form goes after it was handled: back to `to`, with the outcome.
/// What the rules refused is shown on the page; failures of ours are errors.
pub fn after(
    jar: CookieJar,
    to: &str,
    outcome: Result<String, kansli_store::StoreError>,
) -> Result<Response, PageError> {
    after_keeping(jar, to, outcome, &[])
}

/// As [`after`]; when the form is refused, what it held (`kept`, non-empty
/// fields only) comes back with the reason.
pub fn after_keeping(
    jar: CookieJar,
    to: &str,
    outcome: Result<String, kansli_store::StoreError>,
    kept: &[(&str, &str)],
) -> Result<Response, PageError> {
    use kansli_store::StoreError as E;
    let (key, text, keep) = match outcome {
        Ok(text) => ("ok", text, false),
        Err(e @ (E::Refused(_) | E::Conflict(_) | E::Sealed(_) | E::NotFound { .. })) => {
            ("fel", e.to_string(), true)
        }
        Err(e) => return Err(PageError(WebError::Store(e))),
    };
    let mut pairs = vec![(key, text.as_str())];
    if keep {
        pairs.extend(kept.iter().filter(|(_, v)| !v.trim().is_empty()).copied());
    }
    let mut value = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if value.len() > FLASH_MAX {
        value = serde_urlencoded::to_string([(key, text.as_str())]).unwrap_or_default();
    }
    let cookie = Cookie::build((FLASH_COOKIE, value))
        .http_only(true)
        .same_site(axum_extra::extract::cookie::SameSite::Strict)
        .path("/")
        .build();
    Ok((jar.add(cookie), Redirect::to(to)).into_response())
}

/// The actor a signed-in user's writes are logged as.
pub fn actor(s: &kansli_store::access::Session) -> String {
    format!("user:{}", s.user.username)
}

/// Swedish form input that is not what it should be.
pub fn refused(at: &str, reason: impl Into<String>) -> kansli_store::StoreError {
    kansli_core::Refusal::new(at, reason).into()
}

/// A date from a form field.
pub fn form_date(at: &str, s: &str) -> Result<jiff::civil::Date, kansli_store::StoreError> {
    s.trim()
        .parse()
        .map_err(|_| refused(at, format!("«{s}» är inget datum (ÅÅÅÅ-MM-DD)")))
}

/// A number from a form field.
pub fn form_number<T: std::str::FromStr>(at: &str, s: &str) -> Result<T, kansli_store::StoreError> {
    s.trim()
        .parse()
        .map_err(|_| refused(at, format!("«{s}» är inget giltigt val")))
}

/// Lines of a text area, trimmed, empty ones dropped.
pub fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(|l| l.trim().trim_start_matches("- ").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_a_plain_local_path_is_followed_after_sign_in() {
        for ok in [
            "/sekretariat",
            "/sekretariat/sammantraden/12/justering",
            "/organ/3?visa=alla",
            "/",
        ] {
            assert_eq!(local_path(Some(ok)), ok);
        }
        for bad in [
            "//other.example",
            "/\\other.example",
            "/\t/other.example",
            "/\n/other.example",
            "\t//other.example",
            "/a\\b",
            "https://other.example/",
            "other.example",
            "javascript:alert(1)",
            "/a b",
            "/sekretariat\u{0}",
            "/sekretariat\r\nSet-Cookie: x=y",
            "/å",
            "",
        ] {
            assert_eq!(local_path(Some(bad)), "/sekretariat", "{bad:?}");
        }
        assert_eq!(local_path(None), "/sekretariat");
        assert_eq!(local_path(Some(&format!("/{}", "a".repeat(3000)))), "/sekretariat");
    }
}
