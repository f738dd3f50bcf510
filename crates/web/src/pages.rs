//! The public HTML pages, server-rendered, in Swedish.

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::view::{self, *};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};

type Page = Result<Html<String>, PageError>;

fn render(t: impl Template) -> Page {
    Ok(Html(t.render()?))
}

/// Parses an id from the path, with a Swedish error that names it.
pub(crate) fn parse_id<T: std::str::FromStr>(raw: &str, what: &str) -> Result<T, WebError> {
    raw.parse()
        .map_err(|_| WebError::NotFound(format!("{what} «{raw}» finns inte")))
}

#[derive(Template)]
#[template(path = "start.html")]
struct Start {
    organisations: Vec<OrganisationView>,
    meetings: Vec<MeetingSummaryView>,
}

pub async fn start(State(app): State<AppState>) -> Page {
    let organisations = app.store.organisations().await?;
    let mut meetings = view::meetings_newest_first(&app.store).await?;
    meetings.truncate(10);
    render(Start {
        organisations: organisations.iter().map(Into::into).collect(),
        meetings,
    })
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct Meetings {
    meetings: Vec<MeetingSummaryView>,
}

pub async fn meetings(State(app): State<AppState>) -> Page {
    let meetings = view::meetings_newest_first(&app.store).await?;
    render(Meetings { meetings })
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    organisation: OrganisationView,
    bodies: Vec<BodyView>,
    cases: Vec<CaseSummaryView>,
}

pub async fn organisation(State(app): State<AppState>, Path(raw): Path<String>) -> Page {
    let id = parse_id(&raw, "Organisationen")?;
    let organisation = app.store.organisation(id).await?;
    let bodies = app.store.bodies(id).await?;
    let cases = view::public_cases(&app.store, id).await?;
    render(OrganisationPage {
        organisation: (&organisation).into(),
        bodies: bodies.iter().map(Into::into).collect(),
        cases: cases.iter().map(Into::into).collect(),
    })
}

#[derive(Template)]
#[template(path = "body.html")]
struct BodyPage {
    organisation: OrganisationView,
    body: BodyView,
    members: Vec<MemberView>,
    meetings: Vec<MeetingSummaryView>,
}

pub async fn body(State(app): State<AppState>, Path(raw): Path<String>) -> Page {
    let id = parse_id(&raw, "Organet")?;
    let detail = crate::api::body_detail(&app.store, id).await?;
    let organisation = app
        .store
        .organisation(kansli_core::OrganisationId(detail.body.organisation))
        .await?;
    render(BodyPage {
        organisation: (&organisation).into(),
        body: detail.body,
        members: detail.members,
        meetings: detail.meetings,
    })
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    meeting: MeetingView,
    level: u8,
    /// What the tilläggskallelse lists, as the public may read it.
    changes: Vec<view::ChangeView>,
}

pub async fn meeting(State(app): State<AppState>, Path(raw): Path<String>) -> Page {
    let id = parse_id(&raw, "Sammanträdet")?;
    let meeting = view::meeting(&app.store, id).await?;
    // Rows that no longer give what was signed are withheld by the view;
    // here the difference is written to the log for staff.
    crate::sitting::content_changed(&app, id).await?;
    let changes = view::planning_changes(&app.store, id, view::Audience::Public).await?;
    render(MeetingPage {
        meeting,
        level: 3,
        changes,
    })
}

#[derive(Template)]
#[template(path = "paragraph.html")]
struct ParagraphPage {
    meeting: MeetingSummaryView,
    p: ParagraphView,
    level: u8,
}

pub async fn paragraph(
    State(app): State<AppState>,
    Path((raw, number)): Path<(String, String)>,
) -> Page {
    let id = parse_id(&raw, "Sammanträdet")?;
    let number: u32 = parse_id(&number, "Paragrafen")?;
    let meeting = view::meeting(&app.store, id).await?;
    let p = meeting
        .paragraphs
        .into_iter()
        .find(|p| p.number == number)
        .ok_or_else(|| WebError::NotFound(format!("§{number} finns inte i protokollet")))?;
    render(ParagraphPage {
        meeting: meeting.summary,
        p,
        level: 2,
    })
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    case: CaseView,
}

pub async fn case(State(app): State<AppState>, Path(raw): Path<String>) -> Page {
    let id = parse_id(&raw, "Ärendet")?;
    render(CasePage {
        case: view::case(&app.store, id).await?,
    })
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/kansli.css"),
    )
}

pub async fn not_found() -> PageError {
    PageError(WebError::NotFound(
        "Adressen finns inte. Börja från startsidan och följ länkarna.".into(),
    ))
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    p: PersonView,
}

/// `/personer/{id}`: seats, proposals, votes and reservations.
pub async fn person(State(app): State<AppState>, Path(raw): Path<String>) -> Page {
    let id = parse_id(&raw, "Personen")?;
    render(PersonPage {
        p: view::person(&app.store, id).await?,
    })
}

#[derive(Template)]
#[template(path = "party_votes.html")]
struct PartyVotesPage {
    v: PartyVotesView,
}

/// `/organ/{id}/omrostningar`: every public vote of a body, by party.
pub async fn party_votes(State(app): State<AppState>, Path(raw): Path<String>) -> Page {
    let id = parse_id(&raw, "Organet")?;
    render(PartyVotesPage {
        v: view::party_votes(&app.store, id).await?,
    })
}
