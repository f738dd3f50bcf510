//! The JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/openapi.json`. Reads are public; the one write here (registering a
//! case) needs an API token (`Authorization: Bearer`) of the organisation
//! with the role of a case officer, secretary or administrator.

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem, RefusalView, WebError};
use crate::pages::parse_id;
use crate::view::{self, *};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use kansli_core::{BodyId, Date, OrganisationId};
use kansli_store::Store;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kansli öppna data",
        description = "Organisationer, organ, sammanträden, paragrafer, omröstningar och ärenden. Alla läsanrop är öppna; sekretessbelagt innehåll lämnas aldrig ut.",
        version = "1"
    ),
    paths(
        organisations,
        organisation,
        organisation_cases,
        register_case,
        postlista,
        body,
        meetings,
        meeting,
        paragraph,
        case,
        person,
        party_votes,
        crate::export::decisions_json,
        crate::export::decisions_csv,
        crate::export::votes_json,
        crate::export::votes_csv,
        crate::oparl::system,
        crate::oparl::bodies,
        crate::oparl::body,
        crate::oparl::body_organizations,
        crate::oparl::body_people,
        crate::oparl::body_meetings,
        crate::oparl::body_papers,
        crate::oparl::organization,
        crate::oparl::organization_meetings,
        crate::oparl::person,
        crate::oparl::membership_one,
        crate::oparl::meeting,
        crate::oparl::agenda_item_one,
        crate::oparl::paper,
        crate::oparl::file,
        crate::oparl::term,
        crate::oparl::location,
        crate::oparl::meeting_file,
        crate::oparl::consultation
    ),
    components(schemas(Problem, RefusalView, NewCase)),
    modifiers(&BearerAuth, &CommonResponses),
    tags((name = "kansli", description = "Kanslis öppna API"),
        (name = "oparl", description = "Samma data i OParl 1.1-modellen (System, Body, Organization, Person, Membership, Meeting, AgendaItem, Paper, Consultation, File), med omröstningar per ledamot som tillägg"))
)]
pub struct ApiDoc;

pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// All organisations.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "kansli",
    responses((status = 200, description = "Organisationerna", body = [OrganisationView])))]
pub async fn organisations(State(app): State<AppState>) -> ApiResult<Vec<OrganisationView>> {
    let orgs = app.store.organisations().await?;
    Ok(Json(orgs.iter().map(Into::into).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationDetail {
    pub organisation: OrganisationView,
    pub bodies: Vec<BodyView>,
    /// Link to the organisation's cases.
    pub cases: String,
}

/// One organisation with its bodies.
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "kansli",
    params(("id" = i64, Path, description = "Organisationens id")),
    responses(
        (status = 200, description = "Organisationen", body = OrganisationDetail),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn organisation(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<OrganisationDetail> {
    let id: OrganisationId = parse_id(&raw, "Organisationen")?;
    let org = app.store.organisation(id).await?;
    let bodies = app.store.bodies(id).await?;
    Ok(Json(OrganisationDetail {
        organisation: (&org).into(),
        bodies: bodies.iter().map(Into::into).collect(),
        cases: format!("/api/v1/organisations/{id}/cases"),
    }))
}

/// The organisation's cases, newest first.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/cases", tag = "kansli",
    params(("id" = i64, Path, description = "Organisationens id")),
    responses(
        (status = 200, description = "Ärendena", body = [CaseSummaryView]),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn organisation_cases(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<Vec<CaseSummaryView>> {
    let id: OrganisationId = parse_id(&raw, "Organisationen")?;
    app.store.organisation(id).await?;
    let cases = view::public_cases(&app.store, id).await?;
    Ok(Json(cases.iter().map(Into::into).collect()))
}

/// The day of a postlista, YYYY-MM-DD.
#[derive(Debug, Deserialize, Default)]
pub struct PostlistaParams {
    #[serde(default)]
    date: Option<String>,
}

/// The organisation's postlista for a day: every handling registered that
/// day (the day it came in or was drawn up). A secret handling, or one in a
/// case whose matter is secret, shows only its number, date, direction and
/// ground (OSL 5 kap. 2 §): no title, kind, sender or receiver.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/postlista", tag = "kansli",
    params(("id" = i64, Path, description = "Organisationens id"),
        ("date" = Option<String>, Query, format = Date, description = "Dagen, ÅÅÅÅ-MM-DD; i dag om den utelämnas")),
    responses(
        (status = 200, description = "Postlistan", body = PostlistaView),
        (status = 400, description = "Datumet är inget datum", body = Problem),
        (status = 404, description = "Organisationen finns inte", body = Problem)))]
pub async fn postlista(
    State(app): State<AppState>,
    Path(raw): Path<String>,
    axum::extract::Query(q): axum::extract::Query<PostlistaParams>,
) -> ApiResult<PostlistaView> {
    let id: OrganisationId = parse_id(&raw, "Organisationen")?;
    // Left out: today. Given, it must be a date (an empty `date=` too is
    // refused, as the OpenAPI document's format says).
    let day = match q.date.as_deref() {
        None => app.config.today(),
        Some(s) => s.parse::<Date>().map_err(|_| {
            WebError::BadRequest(format!(
                "Parametern date: «{}» är inget datum på formen ÅÅÅÅ-MM-DD.",
                s.chars().take(40).collect::<String>()
            ))
        })?,
    };
    Ok(Json(view::postlista(&app.store, id, day).await?))
}

/// A case to register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    /// Ärendemening: at least one character that is not a space, no
    /// control characters, at most [`kansli_core::limits::Kind::Title`]'s
    /// limit in characters (a test holds the two equal).
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\u0000-\u001F\u007F-\u009F\s][^\u0000-\u001F\u007F-\u009F]*$"
    )]
    pub title: String,
    /// Registration date, YYYY-MM-DD, in 2000–2099 (the years a case
    /// number's two-digit year can name); today when left out.
    #[serde(default)]
    #[schema(format = Date, pattern = r"^20[0-9]{2}-")]
    pub registered: Option<String>,
}

/// Registers a case with the next number in the organisation's series.
#[utoipa::path(post, path = "/api/v1/organisations/{id}/cases", tag = "kansli",
    params(("id" = i64, Path, description = "Organisationens id"),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255,
            pattern = "^[!-~]+$",
            description = "En nyckel som klienten väljer (1–255 synliga ASCII-tecken, t.ex. ett UUID): samma begäran med samma nyckel registrerar bara ett ärende och får det första svaret igen. Samma nyckel med en annan begäran avvisas med 422. Nyckeln sparas ett dygn.")),
    request_body(content = NewCase, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registrerat", body = CaseSummaryView),
        (status = 400, description = "Felaktig begäran", body = Problem),
        (status = 401, description = "Ingen giltig API-nyckel (saknas, felaktig, okänd eller återkallad); samma svar i alla fallen", body = Problem,
            headers(("WWW-Authenticate" = String, description = "Bearer"))),
        (status = 403, description = "Nyckeln gäller en annan organisation eller saknar rollen, eller begäran kom från en annan webbplats", body = Problem),
        (status = 404, description = "Organisationen finns inte", body = Problem),
        (status = 415, description = "Begäran är inte application/json", body = Problem),
        (status = 409, description = "Konflikt med det som redan är registrerat, eller en begäran med samma Idempotency-Key behandlas fortfarande", body = Problem),
        (status = 413, description = "Begäran är för stor", body = Problem),
        (status = 422, description = "Uppgifterna godtogs inte, eller Idempotency-Key användes redan för en annan begäran", body = Problem),
        (status = 429, description = "För många försök", body = Problem)))]
pub async fn register_case(
    State(app): State<AppState>,
    Path(raw): Path<String>,
    Extension(ApiCaller(token)): Extension<ApiCaller>,
    body: Bytes,
) -> Result<(StatusCode, Json<CaseSummaryView>), ApiError> {
    let id: OrganisationId = parse_id(&raw, "Organisationen")?;
    let new = new_case(&body)?;
    let registered = match new.registered.as_deref() {
        None => jiff::Zoned::now().date(),
        Some(s) => s.parse::<Date>().map_err(|_| {
            WebError::BadRequest(format!(
                "Fältet registered: «{}» är inget datum på formen ÅÅÅÅ-MM-DD.",
                s.chars().take(40).collect::<String>()
            ))
        })?,
    };
    let mut tx = app.store.begin(&token.actor()).await?;
    let (case_id, _) = tx.register_case(id, &new.title, registered).await?;
    tx.commit().await?;
    let case = app.store.case(case_id).await?;
    tracing::info!(case = %case.number, token = token.id, "ärende registrerat");
    Ok((StatusCode::CREATED, Json((&case).into())))
}

/// The body of a case to register, read with Swedish refusals that name
/// the field (serde's own messages are English).
fn new_case(body: &[u8]) -> Result<NewCase, WebError> {
    use serde_json::Value;
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        WebError::BadRequest(match e.classify() {
            serde_json::error::Category::Eof => {
                "Begäran är inte giltig JSON: texten tar slut för tidigt.".into()
            }
            _ => format!(
                "Begäran är inte giltig JSON (rad {}, kolumn {}).",
                e.line(),
                e.column()
            ),
        })
    })?;
    let Value::Object(fields) = value else {
        return Err(WebError::BadRequest(
            "Begäran ska vara ett JSON-objekt med fälten title och registered.".into(),
        ));
    };
    if let Some(k) = fields
        .keys()
        .find(|k| !matches!(k.as_str(), "title" | "registered"))
    {
        return Err(WebError::BadRequest(format!(
            "Fältet «{}» finns inte; ett ärende har fälten title och registered.",
            k.chars().take(40).collect::<String>()
        )));
    }
    let title = match fields.get("title") {
        Some(Value::String(t)) => t.clone(),
        Some(_) => {
            return Err(WebError::BadRequest(
                "Fältet title ska vara en text.".into(),
            ));
        }
        None => {
            return Err(WebError::BadRequest(
                "Fältet title (ärendemening) saknas.".into(),
            ));
        }
    };
    let registered = match fields.get("registered") {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) => Some(d.clone()),
        Some(_) => {
            return Err(WebError::BadRequest(
                "Fältet registered ska vara ett datum på formen ÅÅÅÅ-MM-DD.".into(),
            ));
        }
    };
    Ok(NewCase { title, registered })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BodyDetail {
    pub body: BodyView,
    pub members: Vec<MemberView>,
    pub meetings: Vec<MeetingSummaryView>,
}

pub(crate) async fn body_detail(store: &Store, id: BodyId) -> Result<BodyDetail, WebError> {
    let body = store.body(id).await?;
    let org = store.organisation(body.organisation).await?;
    let members = store
        .members(id)
        .await?
        .into_iter()
        .map(|m| MemberView::from(&m))
        .collect();
    let marks = store.import_marks().await?;
    let meetings = store
        .meetings(id)
        .await?
        .iter()
        .map(|m| MeetingSummaryView::new(m, &body, &org).marked(m, &marks))
        .collect();
    Ok(BodyDetail {
        body: (&body).into(),
        members,
        meetings,
    })
}

/// One body with its members and meetings.
#[utoipa::path(get, path = "/api/v1/bodies/{id}", tag = "kansli",
    params(("id" = i64, Path, description = "Organets id")),
    responses(
        (status = 200, description = "Organet", body = BodyDetail),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn body(State(app): State<AppState>, Path(raw): Path<String>) -> ApiResult<BodyDetail> {
    let id = parse_id(&raw, "Organet")?;
    Ok(Json(body_detail(&app.store, id).await?))
}

/// All meetings, newest first.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "kansli",
    responses((status = 200, description = "Sammanträdena", body = [MeetingSummaryView])))]
pub async fn meetings(State(app): State<AppState>) -> ApiResult<Vec<MeetingSummaryView>> {
    Ok(Json(view::meetings_newest_first(&app.store).await?))
}

/// One meeting: attendance, agenda and every paragraph.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "kansli",
    params(("id" = i64, Path, description = "Sammanträdets id")),
    responses(
        (status = 200, description = "Sammanträdet", body = MeetingView),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn meeting(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<MeetingView> {
    let id = parse_id(&raw, "Sammanträdet")?;
    Ok(Json(view::meeting(&app.store, id).await?))
}

/// One paragraph of a meeting's protocol.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/paragraphs/{number}", tag = "kansli",
    params(
        ("id" = i64, Path, description = "Sammanträdets id"),
        ("number" = u32, Path, description = "Paragrafnummer")),
    responses(
        (status = 200, description = "Paragrafen", body = ParagraphView),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn paragraph(
    State(app): State<AppState>,
    Path((raw, number)): Path<(String, String)>,
) -> ApiResult<ParagraphView> {
    let id = parse_id(&raw, "Sammanträdet")?;
    let number: u32 = parse_id(&number, "Paragrafen")?;
    view::meeting(&app.store, id)
        .await?
        .paragraphs
        .into_iter()
        .find(|p| p.number == number)
        .map(Json)
        .ok_or_else(|| WebError::NotFound(format!("§{number} finns inte i protokollet")).into())
}

/// One case with its motion, reports, documents and journey.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "kansli",
    params(("id" = i64, Path, description = "Ärendets id")),
    responses(
        (status = 200, description = "Ärendet", body = CaseView),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn case(State(app): State<AppState>, Path(raw): Path<String>) -> ApiResult<CaseView> {
    let id = parse_id(&raw, "Ärendet")?;
    Ok(Json(view::case(&app.store, id).await?))
}

/// One person: seats, and proposals, votes and reservations in public
/// paragraphs.
#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "kansli",
    params(("id" = i64, Path, description = "Personens id")),
    responses(
        (status = 200, description = "Personen", body = PersonView),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn person(State(app): State<AppState>, Path(raw): Path<String>) -> ApiResult<PersonView> {
    let id = parse_id(&raw, "Personen")?;
    Ok(Json(view::person(&app.store, id).await?))
}

/// Every public vote of a body, counted by party.
#[utoipa::path(get, path = "/api/v1/bodies/{id}/votes-by-party", tag = "kansli",
    params(("id" = i64, Path, description = "Organets id")),
    responses(
        (status = 200, description = "Omröstningarna per parti", body = PartyVotesView),
        (status = 404, description = "Finns inte", body = Problem)))]
pub async fn party_votes(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> ApiResult<PartyVotesView> {
    let id = parse_id(&raw, "Organet")?;
    Ok(Json(view::party_votes(&app.store, id).await?))
}

pub async fn not_found() -> ApiError {
    ApiError(WebError::NotFound("Resursen finns inte i API:t.".into()))
}

/// Declares on every operation the answers any of them can give besides
/// its own: 400 when a path or query parameter cannot be read (the
/// framework's rejection, rewritten to a Swedish problem by
/// `error::api_problems`) and 500 when something fails on our side.
struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |what: &str| {
            ResponseBuilder::new()
                .description(what)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let responses = &mut op.responses.responses;
                if has_params && !responses.contains_key("400") {
                    responses.insert(
                        "400".into(),
                        problem("Felaktig begäran: en parameter kunde inte läsas").into(),
                    );
                }
                responses
                    .entry("500".into())
                    .or_insert_with(|| problem("Fel hos oss").into());
            }
        }
    }
}

/// Declares the bearer scheme (an API token) that the write operations use.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("kansli_<64 hex>")
                    .description(Some(
                        "En API-nyckel som en administratör i organisationen skapar under \
                         Sekretariatet › API-nycklar eller med `kansli token create`.",
                    ))
                    .build(),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_title_limit_is_the_stores() {
        use utoipa::OpenApi;
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let title = &doc["components"]["schemas"]["NewCase"]["properties"]["title"];
        assert_eq!(
            title["maxLength"].as_u64(),
            Some(kansli_core::limits::Kind::Title.max_chars() as u64),
            "{title}"
        );
    }

    #[test]
    fn a_case_body_is_refused_in_swedish_naming_the_field() {
        let refusal = |body: &str| match new_case(body.as_bytes()) {
            Err(WebError::BadRequest(m)) => m,
            other => panic!("{body}: {other:?}"),
        };
        assert!(refusal("{").contains("tar slut för tidigt"));
        assert!(refusal("{\"title\": x}").contains("inte giltig JSON (rad 1, kolumn"));
        assert!(refusal("[]").contains("JSON-objekt"));
        assert!(refusal("{\"titel\": \"x\"}").contains("«titel» finns inte"));
        assert!(refusal("{}").contains("title (ärendemening) saknas"));
        assert!(refusal("{\"title\": 5}").contains("title ska vara en text"));
        assert!(refusal("{\"title\": \"x\", \"registered\": 5}").contains("registered"));
        let ok = new_case(b"{\"title\": \"Budget\", \"registered\": null}").unwrap();
        assert_eq!((ok.title.as_str(), ok.registered), ("Budget", None));
        let ok = new_case(b"{\"title\": \"Budget\", \"registered\": \"2025-01-02\"}").unwrap();
        assert_eq!(ok.registered.as_deref(), Some("2025-01-02"));
    }

    #[test]
    fn the_document_declares_the_page_bounds_the_server_holds() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        let mut pages = 0;
        for item in doc["paths"].as_object().unwrap().values() {
            for p in item["get"]["parameters"].as_array().into_iter().flatten() {
                if p["name"] == "page" {
                    pages += 1;
                    assert_eq!(p["schema"]["minimum"], 1);
                    assert_eq!(p["schema"]["maximum"], crate::oparl::MAX_PAGE);
                }
            }
        }
        assert_eq!(pages, 6, "every OParl list takes page");
    }
}
