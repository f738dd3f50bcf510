//! The public anslagstavlor: one per organisation (KL 8 kap. 9 §: every
//! kommun and region has its own), each at its own address with its own
//! Atom feed, and an index of all of them at `/anslagstavla`.

use super::*;
use axum::extract::Query;
use kansli_core::OrganisationId;

pub(crate) struct NoticeLine {
    pub body: String,
    pub organisation: String,
    pub organisation_id: i64,
    pub date: String,
    pub approved: String,
    pub posted: String,
    pub appeal_ends: String,
    pub taken_down: String,
    pub kept_at: String,
    pub protocol_href: String,
    pub notice_href: String,
    /// How to appeal: the same text as the anslag document
    /// ([`kansli_documents::compose::appeal_text`]).
    pub appeal: String,
    /// SHA-256 of the signed protocol, when justerat by signatures.
    pub sha256: Option<String>,
    /// Up on the board today (posted, and the take-down day not reached).
    pub current: bool,
    /// Read from an existing protocol (#19 imports): the mark and the
    /// original's address.
    pub imported: Option<kansli_documents::view::ImportedView>,
}

/// The posted notices, newest meeting first, of one organisation or of
/// all, each marked whether it is up on `today`.
pub(crate) async fn notices(
    app: &AppState,
    organisation: Option<OrganisationId>,
    today: kansli_core::Date,
) -> Result<Vec<NoticeLine>, PageError> {
    let mut all = app.store.all_meetings().await?;
    let marks = app.store.import_marks().await?;
    all.sort_by_key(|s| std::cmp::Reverse(s.meeting.date));
    let mut out = Vec::new();
    for s in all {
        if organisation.is_some_and(|o| o != s.organisation.id) {
            continue;
        }
        let MeetingStatus::NoticePosted {
            approved,
            posted,
            taken_down,
            kept_at,
        } = &s.meeting.status
        else {
            continue;
        };
        let appeal_ends = kansli_core::deadlines::appeal_deadline(*posted)
            .map(|d| d.to_string())
            .unwrap_or_default();
        let organisation = kansli_core::limits::shorten(Kind::Name, &s.organisation.name);
        out.push(NoticeLine {
            body: kansli_core::limits::shorten(Kind::Name, &s.body.name).into_owned(),
            appeal: kansli_documents::compose::appeal_text(&organisation, &appeal_ends),
            organisation: organisation.into_owned(),
            organisation_id: s.organisation.id.0,
            date: s.meeting.date.to_string(),
            approved: approved.to_string(),
            posted: posted.to_string(),
            appeal_ends,
            taken_down: taken_down.to_string(),
            kept_at: kansli_core::limits::shorten(Kind::Line, kept_at).into_owned(),
            protocol_href: format!("/sammantraden/{}", s.meeting.id.0),
            notice_href: format!("/sammantraden/{}/dokument/anslag.pdf", s.meeting.id.0),
            sha256: app
                .store
                .signed_protocol(s.meeting.id)
                .await
                .ok()
                .flatten()
                .map(|x| x.sha256),
            current: *posted <= today && today < *taken_down,
            imported: marks
                .get(&s.meeting.id)
                .map(|k| kansli_documents::view::ImportedView::new(k, &s.meeting.status)),
        });
    }
    Ok(out)
}

/// "Region Hallands anslagstavla".
pub(crate) fn board_name(organisation: &str) -> String {
    format!("{} anslagstavla", kansli_core::text::genitive(organisation))
}

pub(crate) fn board_href(organisation: OrganisationId) -> String {
    format!("/organisationer/{}/anslagstavla", organisation.0)
}

#[derive(Template)]
#[template(path = "notice_board.html")]
struct NoticeBoard {
    title: String,
    organisation: String,
    feed: String,
    today: String,
    current: Vec<NoticeLine>,
    earlier: Vec<NoticeLine>,
}

/// `/organisationer/{id}/anslagstavla`: the organisation's digital
/// anslagstavla (KL 8 kap. 9–12 §§): notices of its approved protocols
/// while the appeal period runs; afterwards they leave the board by
/// themselves and are listed as earlier notices. Only its own notices.
pub async fn organisation_board(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Html<String>, PageError> {
    let id: OrganisationId = parse_id(&raw, "Organisationen")?;
    let organisation = app.store.organisation(id).await?;
    let name = kansli_core::limits::shorten(Kind::Name, &organisation.name).into_owned();
    let today = app.config.today();
    let (current, earlier) = notices(&app, Some(id), today)
        .await?
        .into_iter()
        .partition(|n| n.current);
    Ok(Html(
        NoticeBoard {
            title: board_name(&name),
            organisation: name,
            feed: format!("{}.atom", board_href(id)),
            today: today.to_string(),
            current,
            earlier,
        }
        .render()?,
    ))
}

struct BoardLine {
    id: i64,
    name: String,
    href: String,
    feed: String,
    current: usize,
}

#[derive(Template)]
#[template(path = "notice_boards.html")]
struct NoticeBoards {
    boards: Vec<BoardLine>,
    today: String,
}

#[derive(Deserialize)]
pub struct BoardQuery {
    organisation: Option<String>,
}

/// `/anslagstavla`: every organisation's anslagstavla, with how many
/// notices are up on each; `?organisation={id}` goes to that board.
pub async fn notice_board(
    State(app): State<AppState>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, PageError> {
    if let Some(raw) = q.organisation.as_deref().filter(|s| !s.trim().is_empty()) {
        let id: OrganisationId = parse_id(raw.trim(), "Organisationen")?;
        let organisation = app.store.organisation(id).await?;
        return Ok(axum::response::Redirect::to(&board_href(organisation.id)).into_response());
    }
    let today = app.config.today();
    let lines = notices(&app, None, today).await?;
    let mut boards = Vec::new();
    for o in app.store.organisations().await? {
        let name = kansli_core::limits::shorten(Kind::Name, &o.name).into_owned();
        boards.push(BoardLine {
            id: o.id.0,
            href: board_href(o.id),
            feed: format!("{}.atom", board_href(o.id)),
            current: lines
                .iter()
                .filter(|n| n.current && n.organisation_id == o.id.0)
                .count(),
            name: board_name(&name),
        });
    }
    Ok(Html(
        NoticeBoards {
            boards,
            today: today.to_string(),
        }
        .render()?,
    )
    .into_response())
}
