//! The API tokens of an organisation, for its administrators: create one
//! (a label and a role; the token is shown once, on the answer to the form,
//! and never again), see which exist and who made them, revoke one.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::pages::parse_id;
use crate::registry::Choice;
use crate::secretariat::{Flash, actor, after_keeping, form_number, refused, take_flash};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::Form;
use kansli_core::OrganisationId;
use kansli_store::StoreError;
use kansli_store::access::Role;
use kansli_store::tokens::{ApiToken, LABEL_MAX};
use serde::Deserialize;

struct TokenLine {
    id: i64,
    label: String,
    role: &'static str,
    created_by: String,
    created_at: String,
    revoked_at: Option<String>,
}

/// A token just made, shown on this one answer.
struct Created {
    token: String,
    label: String,
    curl: String,
}

#[derive(Template)]
#[template(path = "staff_tokens.html")]
struct TokensPage {
    flash: Option<Flash>,
    csrf: String,
    organisation: String,
    action: String,
    roles: Vec<Choice>,
    label_max: usize,
    label: String,
    created: Option<Created>,
    tokens: Vec<TokenLine>,
}

fn when(at: &str) -> String {
    at.get(..16).unwrap_or(at).replace('T', " ")
}

fn line(t: ApiToken) -> TokenLine {
    TokenLine {
        id: t.id,
        label: t.label,
        role: t.role.label(),
        created_by: t.created_by_name,
        created_at: when(&t.created_at),
        revoked_at: t.revoked_at.as_deref().map(when),
    }
}

fn path(org: OrganisationId) -> String {
    format!("/sekretariat/organisationer/{}/api-nycklar", org.0)
}

/// The roles a token can have, as the form offers them.
fn role_choices() -> Vec<Choice> {
    [Role::CaseOfficer, Role::Secretary, Role::Administrator]
        .into_iter()
        .map(|r| Choice {
            value: r.code().into(),
            label: r.label().into(),
        })
        .collect()
}

async fn render(
    app: &AppState,
    csrf: &str,
    org: OrganisationId,
    flash: Option<Flash>,
    created: Option<Created>,
) -> Result<Response, PageError> {
    let organisation = app.store.organisation(org).await?;
    let tokens = app.store.api_tokens(Some(org)).await?;
    let label = flash
        .as_ref()
        .map(|f| f.kept("create", "label").to_string())
        .unwrap_or_default();
    let page = TokensPage {
        flash,
        csrf: csrf.into(),
        organisation: organisation.name,
        action: path(org),
        roles: role_choices(),
        label_max: LABEL_MAX,
        label,
        created,
        tokens: tokens.into_iter().map(line).collect(),
    };
    let mut response = Html(page.render()?).into_response();
    // The page may hold a token that is shown once: never kept by a cache
    // or the browser's history.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

pub async fn page(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let org: OrganisationId = parse_id(&raw, "Organisationen")?;
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = render(&app, &s.csrf, org, flash, None).await?;
    Ok((jar, page).into_response())
}

#[derive(Deserialize)]
pub struct NewToken {
    #[serde(default)]
    label: String,
    #[serde(default)]
    role: String,
}

/// Creates a token and answers with the page that shows it, once. (No
/// redirect: the token must not travel in a cookie or a URL.)
pub async fn create(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(form): Form<NewToken>,
) -> Result<Response, PageError> {
    let org: OrganisationId = parse_id(&raw, "Organisationen")?;
    let outcome = async {
        let role = Role::from_code(&form.role)
            .ok_or_else(|| refused("roll", format!("«{}» är ingen roll", form.role)))?;
        let mut tx = app.store.begin(&actor(&s)).await?;
        let new = tx
            .create_api_token(org, role, &form.label, s.user.id)
            .await?;
        tx.commit().await?;
        Ok::<_, StoreError>(new)
    }
    .await;
    match outcome {
        Ok(new) => {
            tracing::info!(token = new.id, user = %s.user.username, "API-nyckel skapad");
            let created = Created {
                curl: format!(
                    "curl -X POST -H 'Authorization: Bearer {}' -H 'Content-Type: application/json' \
                     -d '{{\"title\":\"Ärende via API:t\"}}' <adress>/api/v1/organisations/{}/cases",
                    new.token, org.0
                ),
                token: new.token,
                label: form.label.trim().to_string(),
            };
            render(&app, &s.csrf, org, None, Some(created)).await
        }
        Err(e) => after_keeping(
            &app,
            &s,
            jar,
            &path(org),
            Err(e),
            "create",
            &[("label", kansli_core::limits::Kind::Line, &form.label)],
        ),
    }
}

#[derive(Deserialize)]
pub struct Revoke {
    #[serde(default)]
    id: String,
}

pub async fn revoke(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(form): Form<Revoke>,
) -> Result<Response, PageError> {
    let org: OrganisationId = parse_id(&raw, "Organisationen")?;
    let outcome = async {
        let id: i64 = form_number("API-nyckel", &form.id)?;
        let mut tx = app.store.begin(&actor(&s)).await?;
        // Only this organisation's tokens: another's is "not found".
        let token = tx.revoke_api_token(id, Some(org)).await?;
        tx.commit().await?;
        Ok(format!(
            "API-nyckeln «{}» är återkallad och fungerar inte längre.",
            token.label
        ))
    }
    .await;
    after_keeping(&app, &s, jar, &path(org), outcome, "revoke", &[])
}
