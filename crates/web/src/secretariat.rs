//! The pages behind sign-in: signing in and out, and the start page of the
//! secretariat, which shows each user what their roles let them do.

use crate::AppState;
use crate::auth::{self, SIGN_IN_COOKIE, SignedIn};
use crate::error::{PageError, WebError};
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
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

/// Where to go after signing in: a path on this site only.
fn local_path(till: Option<&str>) -> String {
    match till {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.into(),
        _ => "/sekretariat".into(),
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
    jar: CookieJar,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    let till = local_path(form.till.as_deref());
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
    let now = Instant::now();
    let addr = Some(peer.ip());
    if let Some(wait) = app.sign_in.blocked(&form.username, addr, now) {
        return Err(PageError(auth::too_many(wait)));
    }
    let user = app
        .store
        .verify_user(form.username.trim(), &form.password)
        .await?;
    let Some(user) = user else {
        app.sign_in.failed(&form.username, addr, now);
        tracing::info!(username = %form.username, %peer, "sign-in failed");
        return again(
            jar,
            "Fel användarnamn eller lösenord.",
            axum::http::StatusCode::UNAUTHORIZED,
        );
    };
    app.sign_in.succeeded(&form.username);
    let expires = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(auth::SESSION_HOURS))
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let mut tx = app.store.begin(&format!("user:{}", user.username)).await?;
    let session = tx.start_session(user.id, expires).await?;
    tx.commit().await?;
    let jar = jar
        .remove(Cookie::build(SIGN_IN_COOKIE).path("/logga-in"))
        .add(auth::session_cookie(
            session.token,
            app.config.secure_cookies,
        ));
    Ok((jar, Redirect::to(&till)).into_response())
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
}

#[derive(Template)]
#[template(path = "staff_start.html")]
struct StaffStart {
    name: String,
    csrf: String,
    roles: Vec<RoleLine>,
    member_of: Vec<BodyLine>,
}

pub async fn start(State(app): State<AppState>, SignedIn(s): SignedIn) -> Page {
    let store = &app.store;
    let mut roles = Vec::new();
    for g in &s.grants {
        let organisation = store.organisation(g.organisation).await?.name;
        let body = match g.body {
            Some(b) => Some(store.body(b).await?.name),
            None => None,
        };
        roles.push(RoleLine {
            role: g.role.label(),
            organisation,
            body,
        });
    }
    if s.user.is_admin && !s.grants.iter().any(|g| g.role == Role::Administrator) {
        roles.push(RoleLine {
            role: "systemadministratör",
            organisation: "alla organisationer".into(),
            body: None,
        });
    }
    let mut member_of = Vec::new();
    for b in &s.member_of {
        let body = store.body(*b).await?;
        let organisation = store.organisation(body.organisation).await?.name;
        member_of.push(BodyLine {
            name: body.name,
            organisation,
            href: format!("/organ/{}", b.0),
        });
    }
    render(StaffStart {
        name: s.user.display_name.clone(),
        csrf: s.csrf.clone(),
        roles,
        member_of,
    })
}
