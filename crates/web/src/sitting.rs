//! A meeting in the secretariat: planning it and building its agenda,
//! issuing the kallelse, the screen used while the meeting runs (every step
//! goes through the engine, which accepts or refuses it with its reason),
//! the prose the secretary edits, the draft protocol, the justering by the
//! chair and the approvers, the notice on the anslagstavla, the dispatch
//! list and the meeting's log.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{PageError, WebError};
use crate::pages::parse_id;
use crate::registry::{Choice, LogLine, log_lines};
use crate::secretariat::{
    Flash, KeptFields, actor, after, after_keeping, form_date, form_number, lines, refused,
    take_flash,
};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::{CookieJar, Form};
use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::limits::Kind;
use kansli_core::meeting::{
    Actor, AgendaItem, BasisItem, Capacity, ItemKind, MeetingStatus, ProposalKind, VoteChoice,
};
use kansli_core::proceedings::{Command, MeetingPhase, Proceedings, Step};
use kansli_core::{Access, BodyId, CaseId, MeetingId, PersonId};
use kansli_store::StoreError;
use kansli_store::lifecycle::Prose;
use serde::Deserialize;

fn meeting_href(id: MeetingId) -> String {
    format!("/sekretariat/sammantraden/{}", id.0)
}

/// Logs an attempt to change an approved protocol, then reports it as
/// refused.
async fn logged(
    app: &AppState,
    who: &str,
    meeting: MeetingId,
    what: &str,
    outcome: Result<String, StoreError>,
) -> Result<String, StoreError> {
    let reason = match &outcome {
        Err(StoreError::Sealed(reason)) => Some(reason.clone()),
        Err(e) if kansli_store::protocols::is_frozen_refusal(e) => Some(e.to_string()),
        _ => None,
    };
    if let Some(reason) = reason {
        app.store
            .log_refusal(
                who,
                "meeting",
                Some(meeting.0),
                serde_json::json!({"attempt": what, "reason": reason}),
            )
            .await?;
    }
    outcome
}

// ---- a body's meetings ------------------------------------------------------

struct MeetingLine {
    href: String,
    date: String,
    place: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "staff_meetings.html")]
struct MeetingsPage {
    flash: Option<Flash>,
    csrf: String,
    body: String,
    action: String,
    today: String,
    meetings: Vec<MeetingLine>,
    /// Fullmäktige: its meetings are public by law (KL 5 kap. 38 §).
    fullmaktige: bool,
    /// The body has decided to meet in public (KL 6 kap. 25 §).
    decided_in_public: bool,
    public_action: String,
}

impl KeptFields for MeetingsPage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

impl KeptFields for MeetingPage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

/// The name of the form that edits one prose section of a paragraph.
fn prose_form(number: &str, section: &str) -> String {
    format!("text:{}:{}", number.trim(), section)
}

pub async fn meetings(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let body: BodyId = parse_id(&raw, "Organet")?;
    let b = app.store.body(body).await?;
    let mut list = app.store.meetings(body).await?;
    list.sort_by_key(|m| std::cmp::Reverse(m.date));
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = MeetingsPage {
        flash,
        csrf: s.csrf.clone(),
        body: b.name,
        action: format!("/sekretariat/organ/{}/sammantraden", body.0),
        fullmaktige: b.kind == kansli_core::org::BodyKind::Fullmaktige,
        decided_in_public: app.store.decided_to_meet_in_public(body).await?,
        public_action: format!("/sekretariat/organ/{}/offentlighet", body.0),
        today: app.config.today().to_string(),
        meetings: list
            .into_iter()
            .map(|m| MeetingLine {
                href: meeting_href(m.id),
                date: m.date.to_string(),
                place: m.place,
                status: m.status.label_sv(),
            })
            .collect(),
    };
    Ok((jar, Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    place: String,
}

pub async fn plan(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<PlanForm>,
) -> Result<Response, PageError> {
    let body: BodyId = parse_id(&raw, "Organet")?;
    let outcome = async {
        let date = form_date("datum", &f.date)?;
        let starts = match f.starts.trim() {
            "" => None,
            t => Some(
                t.parse::<jiff::civil::Time>()
                    .map_err(|_| refused("tid", format!("«{t}» är ingen tid (TT:MM)")))?,
            ),
        };
        let mut tx = app.store.begin(&actor(&s)).await?;
        let id = tx.plan_meeting(body, date, starts, &f.place).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(id)
    }
    .await;
    match outcome {
        Ok(id) => after(
            &app,
            jar,
            &meeting_href(id),
            Ok("Sammanträdet är planerat. Bygg nu föredragningslistan.".into()),
        ),
        Err(e) => after_keeping(
            &app,
            &s,
            jar,
            &format!("/sekretariat/organ/{}/sammantraden", body.0),
            Err(e),
            "plan",
            &[
                ("date", Kind::Code, &f.date),
                ("starts", Kind::Code, &f.starts),
                ("place", Kind::Code, &f.place),
            ],
        ),
    }
}

// ---- one meeting ------------------------------------------------------------

struct ItemLine {
    index: usize,
    title: String,
    kind: &'static str,
    case: Option<String>,
    secret: Option<String>,
    basis: Vec<String>,
    paragraph: Option<u32>,
}

struct ProseLine {
    section: String,
    label: String,
    text: String,
    rows: usize,
}

struct ParagraphLine {
    number: u32,
    title: String,
    public_href: String,
    prose: Vec<ProseLine>,
    dispatch: String,
    /// The dispatch list in its form: as stored, or as a refused edit had it.
    dispatch_text: String,
    extract_href: String,
}

struct Pick {
    value: String,
    label: String,
    checked: bool,
}

struct SignLine {
    name: String,
    confirmed: Option<String>,
}

#[derive(Template)]
#[template(path = "staff_meeting.html")]
struct MeetingPage {
    flash: Option<Flash>,
    csrf: String,
    id: i64,
    title: String,
    body_href: String,
    status: &'static str,
    editable_agenda: bool,
    can_issue: bool,
    items: Vec<ItemLine>,
    cases: Vec<Choice>,
    held: bool,
    sealed: bool,
    present: Vec<Pick>,
    approval_place: String,
    signatories: Vec<SignLine>,
    approval_deadline: String,
    paragraphs: Vec<ParagraphLine>,
    can_post: bool,
    kept_at: String,
    notice: Option<String>,
    log: Vec<LogLine>,
    /// Held, approvers appointed, nothing sent: "Skicka för justering".
    can_send: bool,
    /// The version sent and not withdrawn, while it can be withdrawn.
    can_withdraw: Option<u32>,
    versions: Vec<VersionLine>,
    warning: Option<String>,
    withdraw_reason: String,
}

pub async fn meeting(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let store = &app.store;
    let record = store.meeting_record(id).await?;
    let m = &record.meeting;
    let body = store.body(m.body).await?;
    let organisation = store.organisation(body.organisation).await?;
    let started = !store.meeting_events(id).await?.is_empty();
    let mut cases = Vec::new();
    let mut all = store.cases(body.organisation).await?;
    all.sort_by_key(|c| std::cmp::Reverse(c.registered));
    for c in all.iter().filter(|c| c.closed.is_none()) {
        cases.push(Choice {
            value: c.id.0.to_string(),
            label: format!(
                "{} {}",
                c.number,
                kansli_core::limits::shorten(Kind::Title, &c.title)
            ),
        });
    }
    let mut persons: Vec<PersonId> = record.attendance.iter().map(|a| a.person).collect();
    persons.extend(m.approvers.iter().copied());
    persons.extend(m.chair);
    let names = store.persons(&persons).await?;
    let name = |p: &PersonId| {
        names
            .get(p)
            .map(|x| x.display())
            .unwrap_or_else(|| format!("person {p}"))
    };
    let mut items = Vec::new();
    for (index, item) in record.items.iter().enumerate() {
        let case = match item.case {
            Some(c) => Some(store.case(c).await?.number),
            None => None,
        };
        items.push(ItemLine {
            index,
            title: item.title.clone(),
            kind: match item.kind {
                ItemKind::Decision => "beslutsärende",
                ItemKind::Information => "informationsärende",
                ItemKind::Election => "val",
            },
            case,
            secret: match &item.access {
                Access::Secret { ground } => Some(ground.clone()),
                Access::Public => None,
            },
            basis: item.basis.iter().map(|b| b.title.clone()).collect(),
            paragraph: item.paragraph.as_ref().map(|p| p.number),
        });
    }
    let approvals = store.approvals(id).await?;
    let signatories = approvals
        .signatories
        .iter()
        .map(|p| SignLine {
            name: name(p),
            confirmed: approvals
                .confirmed
                .iter()
                .find(|(x, _)| x == p)
                .map(|(_, at)| at.get(..16).unwrap_or(at).replace('T', " ")),
        })
        .collect();
    let mut paragraphs: Vec<ParagraphLine> = record
        .paragraphs()
        .map(|p| {
            let mut prose = vec![ProseLine {
                section: Prose::Matter.code(),
                label: "Ärendet".into(),
                text: p.matter.clone(),
                rows: 6,
            }];
            for (i, x) in p.propositions.iter().enumerate() {
                prose.push(ProseLine {
                    section: Prose::Proposition(i).code(),
                    label: format!("Beslutsgång, proposition {}", i + 1),
                    text: x.wording.clone(),
                    rows: 3,
                });
            }
            for (i, x) in p.votes.iter().enumerate() {
                prose.push(ProseLine {
                    section: Prose::Vote(i).code(),
                    label: format!("Omröstning {}, resultat", i + 1),
                    text: x.wording.clone(),
                    rows: 2,
                });
            }
            for (i, x) in p.reservations.iter().enumerate() {
                prose.push(ProseLine {
                    section: Prose::Reservation(i).code(),
                    label: format!("Reservation {}", i + 1),
                    text: x.text.clone(),
                    rows: 2,
                });
            }
            ParagraphLine {
                number: p.number,
                title: p.title.clone(),
                public_href: format!("/sammantraden/{}/paragrafer/{}", id.0, p.number),
                prose,
                dispatch: p
                    .dispatch
                    .as_ref()
                    .map(|d| d.join("\n"))
                    .unwrap_or_default(),
                dispatch_text: p
                    .dispatch
                    .as_ref()
                    .map(|d| d.join("\n"))
                    .unwrap_or_default(),
                extract_href: format!("/sammantraden/{}/paragrafer/{}/utdrag.pdf", id.0, p.number),
            }
        })
        .collect();
    let notice = match &m.status {
        MeetingStatus::NoticePosted {
            posted, taken_down, ..
        } => Some(format!(
            "Anslaget sattes upp {posted}. Sista dag att överklaga är {}; anslaget tas ned {taken_down}.",
            kansli_core::deadlines::appeal_deadline(*posted)
                .map(|d| d.to_string())
                .unwrap_or_default()
        )),
        _ => None,
    };
    let active = store.protocol_signing(id).await.ok().flatten();
    let warning = content_changed(&app, id).await?;
    let (jar, flash) = take_flash(&app, &s, jar);
    let withdraw_reason = flash
        .as_ref()
        .filter(|f| !f.ok && f.form == "withdraw")
        .map(|f| f.kept("withdraw", "reason").to_string())
        .unwrap_or_default();
    // A refused edit of a section comes back as it was typed.
    let mut kept_at = format!("{}, {}", organisation.name, body.name);
    if let Some(f) = flash.as_ref().filter(|f| !f.ok) {
        for p in &mut paragraphs {
            let number = p.number.to_string();
            for x in &mut p.prose {
                if f.form == prose_form(&number, &x.section) {
                    x.text = f.kept(&f.form, "text").to_string();
                }
            }
            if f.form == prose_form(&number, "dispatch") {
                p.dispatch_text = f.kept(&f.form, "text").to_string();
            }
        }
        if f.form == "notice" {
            kept_at = f.kept("notice", "kept_at").to_string();
        }
    }
    let page = MeetingPage {
        flash,
        csrf: s.csrf.clone(),
        id: id.0,
        title: format!("{} {}", body.name, m.date),
        body_href: format!("/sekretariat/organ/{}/sammantraden", body.id.0),
        status: m.status.label_sv(),
        editable_agenda: !started
            && matches!(
                m.status,
                MeetingStatus::Planned | MeetingStatus::NoticeIssued
            ),
        can_issue: m.status == MeetingStatus::Planned && !record.items.is_empty(),
        items,
        cases,
        held: m.status.is_held(),
        sealed: m.status.is_sealed(),
        present: record
            .attendance
            .iter()
            .filter(|a| a.capacity.decides())
            .map(|a| Pick {
                value: a.person.0.to_string(),
                label: name(&a.person),
                checked: m.approvers.contains(&a.person),
            })
            .collect(),
        approval_place: m.approval_place.clone().unwrap_or_default(),
        signatories,
        approval_deadline: kansli_core::deadlines::approval_deadline(m.date)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        paragraphs,
        can_post: matches!(m.status, MeetingStatus::Approved { .. }),
        kept_at,
        notice,
        log: log_lines(store.audit_log("meeting", id.0).await?),
        can_send: m.status == MeetingStatus::Held
            && m.chair.is_some()
            && !m.approvers.is_empty()
            && active.is_none(),
        can_withdraw: active
            .as_ref()
            .filter(|_| !m.status.is_sealed())
            .map(|a| a.version.version),
        versions: version_lines(&app, id).await?,
        warning,
        withdraw_reason,
    };
    Ok((jar, Html(page.render()?)).into_response())
}

#[derive(Deserialize)]
pub struct AgendaForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    index: String,
    #[serde(default)]
    case: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    ground: String,
}

/// Adds an item (from a case, with the case's documents as its basis),
/// moves one up or down, or removes it.
pub async fn agenda(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<AgendaForm>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        let record = app.store.meeting_record(id).await?;
        let mut items = record.items;
        let message = match f.action.as_str() {
            "add" => {
                let case: Option<CaseId> = match f.case.trim() {
                    "" => None,
                    c => Some(CaseId(form_number("ärende", c)?)),
                };
                let mut title = f.title.trim().to_string();
                let mut basis = Vec::new();
                if let Some(c) = case {
                    let found = app.store.case(c).await?;
                    if title.is_empty() {
                        title = found.title;
                    }
                    // Public documents only: the basis is printed in the
                    // kallelse and on public pages.
                    for d in app.store.documents(c).await? {
                        if d.access.is_public() {
                            basis.push(BasisItem {
                                title: d.title,
                                document: Some(d.id),
                            });
                        }
                    }
                }
                let kind = match f.kind.as_str() {
                    "information" => ItemKind::Information,
                    "election" => ItemKind::Election,
                    _ => ItemKind::Decision,
                };
                // A case whose matter is secret comes onto the agenda secret,
                // with its ground, unless another ground is given.
                let case_ground = match case {
                    Some(c) => app.store.case_secrecy(c).await?,
                    None => None,
                };
                let access = match (f.ground.trim(), case_ground) {
                    ("", None) => Access::Public,
                    ("", Some(g)) => Access::Secret { ground: g },
                    (g, _) => Access::Secret { ground: g.into() },
                };
                items.push(AgendaItem {
                    title: title.clone(),
                    case,
                    kind,
                    access,
                    basis,
                    paragraph: None,
                });
                format!("«{title}» är tillagd i föredragningslistan.")
            }
            "up" | "down" | "remove" => {
                let i: usize = form_number("punkt", &f.index)?;
                if i >= items.len() {
                    return Err(refused("föredragningslistan", "punkten finns inte"));
                }
                match f.action.as_str() {
                    "up" if i > 0 => items.swap(i, i - 1),
                    "down" if i + 1 < items.len() => items.swap(i, i + 1),
                    "remove" => {
                        items.remove(i);
                    }
                    _ => {}
                }
                "Föredragningslistan är ändrad.".into()
            }
            _ => return Err(refused("föredragningslistan", "okänd åtgärd")),
        };
        let mut tx = app.store.begin(&who).await?;
        tx.set_agenda(id, &items).await?;
        tx.commit().await?;
        Ok(message)
    }
    .await;
    let outcome = logged(&app, &who, id, "föredragningslistan", outcome).await;
    let kept: &[(&str, Kind, &str)] = if f.action == "add" {
        &[
            ("case", Kind::Code, &f.case),
            ("title", Kind::Title, &f.title),
            ("kind", Kind::Code, &f.kind),
            ("ground", Kind::Code, &f.ground),
        ]
    } else {
        &[]
    };
    after_keeping(&app, &s, jar, &meeting_href(id), outcome, "agenda", kept)
}

#[derive(Deserialize)]
pub struct Csrf {}

/// Sends the kallelse: the members see the agenda and its public documents.
pub async fn issue_notice(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let outcome = async {
        let mut tx = app.store.begin(&actor(&s)).await?;
        tx.issue_notice(id).await?;
        tx.commit().await?;
        Ok(
            "Kallelsen är utfärdad. Ledamöterna ser nu föredragningslistan och handlingarna."
                .to_string(),
        )
    }
    .await;
    after(&app, jar, &meeting_href(id), outcome)
}

#[derive(Deserialize)]
pub struct ApproversForm {
    #[serde(default)]
    approvers: Vec<String>,
    #[serde(default)]
    place: String,
}

pub async fn set_approvers(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<ApproversForm>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        let approvers: Vec<PersonId> = f
            .approvers
            .iter()
            .map(|a| form_number("justerare", a))
            .collect::<Result<_, _>>()?;
        let mut tx = app.store.begin(&who).await?;
        tx.set_approvers(id, &approvers, Some(&f.place)).await?;
        tx.commit().await?;
        Ok("Justerare är utsedda.".to_string())
    }
    .await;
    let outcome = logged(&app, &who, id, "justerare", outcome).await;
    let mut kept = vec![("place", Kind::Line, f.place.as_str())];
    kept.extend(
        f.approvers
            .iter()
            .map(|a| ("approvers", Kind::Code, a.as_str())),
    );
    after_keeping(
        &app,
        &s,
        jar,
        &meeting_href(id),
        outcome,
        "approvers",
        &kept,
    )
}

#[derive(Deserialize)]
pub struct ProseForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    section: String,
    #[serde(default)]
    text: String,
}

/// The secretary's edit of one prose section of a paragraph, or of its
/// dispatch list ("dispatch": one recipient per line).
pub async fn edit_prose(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<ProseForm>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        let number: u32 = form_number("paragraf", &f.number)?;
        let section =
            Prose::from_code(&f.section).ok_or_else(|| refused("avsnitt", "okänt avsnitt"))?;
        let text = if section == Prose::Dispatch {
            lines(&f.text).join("\n")
        } else {
            f.text.clone()
        };
        let mut tx = app.store.begin(&who).await?;
        tx.edit_prose(id, number, section, &text).await?;
        tx.commit().await?;
        Ok(format!("§{number} är ändrad."))
    }
    .await;
    let outcome = logged(&app, &who, id, "protokollets text", outcome).await;
    after_keeping(
        &app,
        &s,
        jar,
        &format!("{}#p{}", meeting_href(id), f.number),
        outcome,
        &prose_form(&f.number, &f.section),
        &[("text", Kind::FreeText, &f.text)],
    )
}

#[derive(Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    kept_at: String,
}

/// Posts the notice of the approval on the anslagstavla today; the appeal
/// period and take-down date follow by the rules.
pub async fn post_notice(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<NoticeForm>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let today = app.config.today();
    let outcome = async {
        let mut tx = app.store.begin(&actor(&s)).await?;
        let dates = tx.post_notice(id, today, &f.kept_at).await?;
        tx.commit().await?;
        Ok(format!(
            "Anslaget är uppsatt {}. Överklagandetiden går ut {}.",
            dates.posted, dates.appeal_ends
        ))
    }
    .await;
    after_keeping(
        &app,
        &s,
        jar,
        &meeting_href(id),
        outcome,
        "notice",
        &[("kept_at", Kind::Line, &f.kept_at)],
    )
}

/// The draft (or final) protocol with secret paragraphs, for the
/// secretariat: `/sekretariat/sammantraden/{meeting}/protokoll/{file}`.
pub async fn draft_protocol(
    State(app): State<AppState>,
    Path((raw, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let format = match file.as_str() {
        "protokoll.pdf" => kansli_documents::Format::Pdf,
        "protokoll.html" => kansli_documents::Format::Html,
        "protokoll.txt" => kansli_documents::Format::Text,
        _ => return Err(WebError::NotFound(format!("dokumentet «{file}» finns inte")).into()),
    };
    crate::documents::respond(
        &app,
        kansli_documents::Request::Protocol { meeting: id },
        format,
        kansli_documents::view::Audience::Official,
    )
    .await
}

// ---- the meeting screen -----------------------------------------------------

struct SeatLine {
    id: i64,
    name: String,
    role: &'static str,
    present: Option<String>,
    deciding: bool,
    ballot: Option<&'static str>,
    /// The next to vote in the roll call: their Ja button has the focus.
    next: bool,
}

struct ProposalLine {
    index: usize,
    text: String,
    withdrawn: bool,
    /// Återremiss or bordläggning: what a minority in fullmäktige may
    /// demand (KL 5 kap. 50 §).
    procedural: bool,
}

struct ItemChoice {
    index: usize,
    title: String,
    done: Option<u32>,
    open: bool,
}

#[derive(Template)]
#[template(path = "staff_screen.html")]
struct ScreenPage {
    flash: Option<Flash>,
    csrf: String,
    id: i64,
    title: String,
    action: String,
    phase: &'static str,
    not_opened: bool,
    open: bool,
    adjourned: bool,
    closed: bool,
    seats: Vec<SeatLine>,
    present: Vec<Choice>,
    absent_members: Vec<Choice>,
    substitutes: Vec<Choice>,
    items: Vec<ItemChoice>,
    current: Option<String>,
    number: u32,
    proposals: Vec<ProposalLine>,
    texts: Vec<String>,
    step: &'static str,
    idle: bool,
    found: bool,
    vote_requested: bool,
    voting: bool,
    decided: bool,
    kinds: Vec<Choice>,
    finished: Vec<Choice>,
    presiding: String,
    /// Fullmäktige: the minority rule on återremiss and bordläggning
    /// applies.
    fullmaktige: bool,
    /// Members taking part in decisions now, for the minority's demand.
    deciding: Vec<Choice>,
    /// Officials and guests present: name and title.
    others: Vec<(String, String)>,
    /// The open item is an election: a tie is settled by lot.
    election: bool,
}

impl KeptFields for ScreenPage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

fn phase_label(p: MeetingPhase) -> &'static str {
    match p {
        MeetingPhase::NotOpened => "inte öppnat",
        MeetingPhase::Open => "pågår",
        MeetingPhase::Adjourned => "ajournerat",
        MeetingPhase::Closed => "avslutat",
    }
}

pub async fn screen(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let m = app.store.meeting(id).await?;
    let body = app.store.body(m.body).await?;
    let p = match m.status {
        MeetingStatus::Planned
        | MeetingStatus::NoticeIssued
        | MeetingStatus::InSession
        | MeetingStatus::Held => app.store.proceedings(id).await?,
        _ => {
            return after(
                &app,
                jar,
                &meeting_href(id),
                Err(StoreError::Sealed(
                    "sammanträdet är avslutat och protokollet justerat".into(),
                )),
            );
        }
    };
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = screen_page(
        &p,
        flash,
        s.csrf.clone(),
        id,
        format!("{} {}", body.name, m.date),
    );
    Ok((jar, Html(page.render()?)).into_response())
}

fn screen_page(
    p: &Proceedings,
    flash: Option<Flash>,
    csrf: String,
    id: MeetingId,
    title: String,
) -> ScreenPage {
    let snap = p.snapshot();
    let setting = p.setting();
    let name = |person: PersonId| {
        p.names()
            .persons
            .get(&person)
            .map(|x| x.display())
            .unwrap_or_else(|| format!("person {person}"))
    };
    let seats: Vec<SeatLine> = setting
        .roster
        .iter()
        .map(|seat| {
            let pid = seat.person.id;
            let present = snap
                .present
                .iter()
                .find(|(x, _)| *x == pid)
                .map(|(_, c)| match c {
                    Capacity::Member => "närvarande".to_string(),
                    Capacity::ServingSubstitute { replacing } => {
                        format!("tjänstgör för {}", name(*replacing))
                    }
                    Capacity::Substitute => "närvarande ersättare".to_string(),
                    Capacity::Other { title } => title.clone(),
                });
            SeatLine {
                id: pid.0,
                name: seat.person.display(),
                role: seat.role.label_sv(),
                present,
                deciding: snap.deciding.contains(&pid),
                ballot: snap
                    .ballots
                    .iter()
                    .find(|b| b.person == pid)
                    .map(|b| b.choice.label_sv()),
                next: false,
            }
        })
        .collect();
    let mut seats: Vec<SeatLine> = seats;
    if snap.step == Step::Voting
        && let Some(s) = seats.iter_mut().find(|s| s.deciding && s.ballot.is_none())
    {
        s.next = true;
    }
    let choice = |pid: PersonId| Choice {
        value: pid.0.to_string(),
        label: name(pid),
    };
    // Members and substitutes present: officials and guests neither move,
    // vote nor reserve.
    let present: Vec<Choice> = snap
        .present
        .iter()
        .filter(|(_, c)| !matches!(c, Capacity::Other { .. }))
        .map(|(x, _)| choice(*x))
        .collect();
    let absent_members = setting
        .roster
        .iter()
        .filter(|s| s.role.is_member() && !snap.deciding.contains(&s.person.id))
        .map(|s| choice(s.person.id))
        .collect();
    let substitutes = snap
        .present
        .iter()
        .filter(|(_, c)| matches!(c, Capacity::Substitute))
        .map(|(x, _)| choice(*x))
        .collect();
    let items = setting
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| ItemChoice {
            index: i,
            title: item.title.clone(),
            done: snap.done.iter().find(|(x, _)| *x == i).map(|(_, n)| *n),
            open: snap.open_item == Some(i),
        })
        .collect();
    let (current, number, proposals, texts) = match &snap.paragraph {
        Some(par) => {
            let mut texts = Vec::new();
            for pr in &par.propositions {
                texts.push(pr.wording.clone());
            }
            for v in &par.votes {
                texts.push(v.wording.clone());
            }
            if let Some(d) = &par.decision {
                for part in &d.parts {
                    let clauses: Vec<String> =
                        part.clauses.iter().map(|c| c.text.clone()).collect();
                    texts.push(format!(
                        "Beslut: {} {}",
                        part.intro(&setting.body.name),
                        clauses.join("; ")
                    ));
                }
            }
            for r in &par.reservations {
                texts.push(r.text.clone());
            }
            (
                Some(format!("§{} {}", par.number, par.title)),
                par.number,
                par.proposals
                    .iter()
                    .enumerate()
                    .map(|(i, x)| ProposalLine {
                        index: i,
                        text: format!(
                            "{}: {} ({})",
                            x.movers
                                .iter()
                                .map(|a| match a {
                                    Actor::Person { person } => name(*person),
                                    Actor::Party { party } => party.clone(),
                                })
                                .collect::<Vec<_>>()
                                .join(", "),
                            x.text,
                            x.kind.label_sv()
                        ),
                        withdrawn: x.withdrawn,
                        procedural: x.kind.is_procedural(),
                    })
                    .collect(),
                texts,
            )
        }
        None => (None, 0, vec![], vec![]),
    };
    let finished = snap
        .done
        .iter()
        .map(|(i, n)| Choice {
            value: n.to_string(),
            label: format!("§{n} {}", setting.items[*i].title),
        })
        .collect();
    ScreenPage {
        flash,
        csrf,
        id: id.0,
        title,
        action: format!("/sekretariat/sammantraden/{}/mote", id.0),
        phase: phase_label(snap.phase),
        not_opened: snap.phase == MeetingPhase::NotOpened,
        open: snap.phase == MeetingPhase::Open,
        adjourned: snap.phase == MeetingPhase::Adjourned,
        closed: snap.phase == MeetingPhase::Closed,
        seats,
        present,
        absent_members,
        substitutes,
        items,
        current,
        number,
        proposals,
        texts,
        step: match snap.step {
            Step::Idle => "yrkanden",
            Step::Found => "ordförande har funnit",
            Step::VoteRequested => "votering begärd",
            Step::Voting => "omröstning pågår",
        },
        idle: snap.step == Step::Idle,
        found: snap.step == Step::Found,
        vote_requested: snap.step == Step::VoteRequested,
        voting: snap.step == Step::Voting,
        decided: snap.decided,
        kinds: ProposalKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().into(),
                label: k.label_sv().into(),
            })
            .collect(),
        finished,
        presiding: snap.presiding.map(name).unwrap_or_else(|| "ingen".into()),
        fullmaktige: setting.body.kind == kansli_core::org::BodyKind::Fullmaktige,
        deciding: snap.deciding.iter().map(|x| choice(*x)).collect(),
        election: snap
            .open_item
            .is_some_and(|i| setting.items[i].kind == ItemKind::Election),
        others: snap
            .present
            .iter()
            .filter_map(|(x, c)| match c {
                Capacity::Other { title } => Some((name(*x), title.clone())),
                _ => None,
            })
            .collect(),
    }
}

/// One step of the meeting, as the screen's forms send it.
#[derive(Deserialize, Default)]
pub struct CommandForm {
    #[serde(default)]
    command: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    replacing: String,
    #[serde(default)]
    ground: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    movers: Vec<String>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    clauses: String,
    #[serde(default)]
    proposal: String,
    #[serde(default)]
    put: Vec<String>,
    #[serde(default)]
    found_for: String,
    #[serde(default)]
    ja: String,
    #[serde(default)]
    nej: String,
    #[serde(default)]
    choice: String,
    #[serde(default)]
    paragraph: String,
    #[serde(default)]
    in_favour_of: String,
    #[serde(default)]
    at: String,
    /// An official's or guest's name and title ("övriga närvarande").
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
    /// How the lot fell on a tie in an election: ja or nej.
    #[serde(default)]
    lot: String,
}

fn opt_index(at: &str, s: &str) -> Result<Option<usize>, StoreError> {
    match s.trim() {
        "" => Ok(None),
        x => form_number(at, x).map(Some),
    }
}

fn person(at: &str, s: &str) -> Result<PersonId, StoreError> {
    if s.trim().is_empty() {
        return Err(refused(at, "välj en person"));
    }
    form_number::<i64>(at, s).map(PersonId)
}

fn actors(at: &str, ids: &[String]) -> Result<Vec<Actor>, StoreError> {
    if ids.is_empty() {
        return Err(refused(at, "välj minst en person"));
    }
    ids.iter()
        .map(|x| person(at, x).map(|p| Actor::Person { person: p }))
        .collect()
}

fn time(s: &str) -> Result<Option<jiff::civil::Time>, StoreError> {
    match s.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| refused("klockslag", format!("«{t}» är ingen tid (TT:MM)"))),
    }
}

/// The decision a proposal or the body's decision carries: the written
/// att-clauses in the draft decision's form, or the draft itself.
fn decision_from(clauses: &str, draft: Option<&Decision>) -> Option<Decision> {
    let clauses: Vec<Clause> = lines(clauses).into_iter().map(Clause::new).collect();
    if clauses.is_empty() {
        return None;
    }
    let formula = draft
        .and_then(|d| d.parts.first())
        .map(|p| p.formula.clone())
        .unwrap_or(Formula::Decides);
    Some(Decision::single(formula, clauses))
}

/// The form's command, read against the meeting as it stands.
async fn command_from(
    app: &AppState,
    p: &Proceedings,
    f: &CommandForm,
) -> Result<Command, StoreError> {
    let snap = p.snapshot();
    let draft = snap
        .paragraph
        .as_ref()
        .and_then(|x| x.draft_decision.clone());
    Ok(match f.command.as_str() {
        "open" => Command::Open { at: time(&f.at)? },
        "arrive" => Command::Arrive {
            person: person("ankommer", &f.person)?,
        },
        "leave" => Command::Leave {
            person: person("lämnar", &f.person)?,
        },
        // The person is registered in the same transaction as the arrival
        // (see `record`); until then the id is a placeholder.
        "arrive_other" => Command::ArriveOther {
            person: PersonId(0),
            name: f.name.trim().into(),
            title: f.title.trim().into(),
        },
        "serve" => Command::Serve {
            substitute: person("ersättare", &f.person)?,
            replacing: person("ersätter", &f.replacing)?,
        },
        "disqualify" => Command::Disqualify {
            person: person("jäv", &f.person)?,
            ground: f.ground.trim().into(),
        },
        "take_up" => {
            let item: usize = form_number("punkt", &f.item)?;
            let agenda = p
                .setting()
                .items
                .get(item)
                .ok_or_else(|| refused("punkt", "punkten finns inte"))?;
            let draft_decision = match (agenda.kind, agenda.case) {
                (ItemKind::Information, _) => Some(Decision::notes_information(
                    "anteckna att information har lämnats i ärendet.",
                )),
                (_, Some(case)) => app
                    .store
                    .officer_reports(case)
                    .await?
                    .last()
                    .map(|r| r.draft_decision.clone()),
                _ => None,
            };
            Command::TakeUp {
                item,
                draft_decision,
            }
        }
        "move" => {
            let kind = ProposalKind::ALL
                .into_iter()
                .find(|k| k.code() == f.kind)
                .ok_or_else(|| refused("yrkande", "välj typ av yrkande"))?;
            let decision = if kind.is_procedural() {
                None
            } else {
                decision_from(&f.clauses, draft.as_ref()).or_else(|| match kind {
                    // Bifall to the draft, or avslag to a motion whose draft
                    // is to reject it: the draft says what is decided.
                    ProposalKind::Bifall | ProposalKind::Avslag => draft.clone(),
                    _ => None,
                })
            };
            let text = f.text.trim();
            if text.is_empty() {
                return Err(refused(
                    "yrkande",
                    "skriv vad som yrkas, t.ex. ”bifall till motionen”",
                ));
            }
            Command::Move {
                movers: actors("yrkande", &f.movers)?,
                kind,
                text: text.into(),
                decision,
            }
        }
        "withdraw" => Command::Withdraw {
            proposal: form_number("yrkande", &f.proposal)?,
        },
        "minority" => Command::MinorityReferral {
            proposal: form_number("minoritetsåterremiss", &f.proposal)?,
            supporters: f
                .movers
                .iter()
                .map(|x| person("minoritetsåterremiss", x))
                .collect::<Result<_, _>>()?,
        },
        "put" => Command::Put {
            put: f
                .put
                .iter()
                .map(|x| form_number("proposition", x))
                .collect::<Result<_, _>>()?,
            found_for: opt_index("ordförande finner", &f.found_for)?,
        },
        "request_vote" => Command::RequestVote {
            by: person("votering begärd av", &f.person)?,
        },
        "voting_order" => Command::ApproveVotingOrder {
            ja: opt_index("ja", &f.ja)?,
            nej: opt_index("nej", &f.nej)?,
        },
        "cast" => Command::CastVote {
            person: person("röst", &f.person)?,
            choice: match f.choice.as_str() {
                "ja" => VoteChoice::Ja,
                "nej" => VoteChoice::Nej,
                "avstar" => VoteChoice::Avstar,
                _ => return Err(refused("röst", "välj ja, nej eller avstår")),
            },
        },
        "count" => Command::CountVotes {
            lot: match f.lot.as_str() {
                "" => None,
                "ja" => Some(VoteChoice::Ja),
                "nej" => Some(VoteChoice::Nej),
                _ => return Err(refused("lottning", "lotten faller på ja eller nej")),
            },
        },
        "decide" => Command::Decide {
            decision: decision_from(&f.clauses, draft.as_ref()),
        },
        "reserve" => Command::Reserve {
            paragraph: form_number("paragraf", &f.paragraph)?,
            by: actors("reservation", &f.movers)?,
            in_favour_of: opt_index("till förmån för", &f.in_favour_of)?,
            reasons: Some(f.text.trim().to_string()).filter(|t| !t.is_empty()),
        },
        "note" => Command::MinuteNote {
            paragraph: form_number("paragraf", &f.paragraph)?,
            by: if f.movers.is_empty() {
                vec![]
            } else {
                actors("protokollsanteckning", &f.movers)?
            },
            text: f.text.trim().into(),
        },
        "finish" => Command::FinishItem,
        "adjourn" => Command::Adjourn,
        "resume" => Command::Resume,
        "close" => Command::Close { at: time(&f.at)? },
        other => return Err(refused("sammanträdet", format!("okänd åtgärd «{other}»"))),
    })
}

/// Records one step; the engine accepts it or the screen shows why not.
pub async fn record(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<CommandForm>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        let p = app.store.proceedings(id).await?;
        let command = command_from(&app, &p, &f).await?;
        let mut tx = app.store.begin(&who).await?;
        let command = match command {
            Command::ArriveOther { name, title, .. } => {
                // The engine checks name and title; its refusal rolls the
                // new person back with the arrival.
                let person = tx.add_person(&name, None).await?;
                Command::ArriveOther {
                    person,
                    name,
                    title,
                }
            }
            c => c,
        };
        tx.record_command(id, &command).await?;
        tx.commit().await?;
        Ok("Antecknat.".to_string())
    }
    .await;
    let outcome = logged(&app, &who, id, "sammanträdet", outcome).await;
    // During the roll call the next vote has the focus (autofocus), which
    // a fragment in the address would cancel; otherwise the page scrolls to
    // the open item.
    let to = if matches!(f.command.as_str(), "voting_order" | "cast") {
        format!("/sekretariat/sammantraden/{}/mote", id.0)
    } else {
        format!("/sekretariat/sammantraden/{}/mote#aktuellt", id.0)
    };
    // What was typed comes back with a refusal, for the form of this command.
    let kept = [
        ("text", Kind::FreeText, f.text.as_str()),
        ("clauses", Kind::FreeText, f.clauses.as_str()),
        ("kind", Kind::Code, f.kind.as_str()),
        ("in_favour_of", Kind::Code, f.in_favour_of.as_str()),
        ("name", Kind::Name, f.name.as_str()),
        ("title", Kind::Line, f.title.as_str()),
        ("ground", Kind::Line, f.ground.as_str()),
    ];
    after_keeping(&app, &s, jar, &to, outcome, &f.command, &kept)
}

// ---- justering --------------------------------------------------------------

/// The organisation's signing CA ([`crate::verification::signing_authority`])
/// for the justering's forms: its reason as the rules' refusal.
pub(crate) fn signing_ca(
    app: &AppState,
    organisation: &kansli_core::org::Organisation,
) -> Result<kansli_sign::Issuer, StoreError> {
    crate::verification::signing_authority(app, organisation.id)
        .map_err(|reason| refused("signeringen", reason))
}

fn short_time(at: &str) -> String {
    at.get(..16).unwrap_or(at).replace('T', " ")
}

/// Whether the rows of a meeting still give the content the signatories
/// signed; a difference is written to the meeting's log once.
pub(crate) async fn content_changed(
    app: &AppState,
    meeting: MeetingId,
) -> Result<Option<String>, StoreError> {
    // The versions without their bytes: this runs on every view.
    let Some(active) = app
        .store
        .protocol_versions(meeting)
        .await?
        .into_iter()
        .find(|v| v.is_active())
    else {
        return Ok(None);
    };
    let record = app.store.meeting_record(meeting).await?;
    let now = kansli_documents::content_digest(&record);
    if now == active.content_sha256 {
        return Ok(None);
    }
    let logged = app
        .store
        .audit_log("meeting", meeting.0)
        .await?
        .iter()
        .any(|r| r.action == "integrity" && r.detail.to_string().contains(&now));
    if !logged {
        let mut tx = app.store.begin("kansli").await?;
        tx.log_integrity(
            meeting,
            serde_json::json!({
                "what": "content",
                "version": active.version,
                "signed_content_sha256": active.content_sha256,
                "content_sha256": now,
            }),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(Some(format!(
        "Varning: protokollets uppgifter i databasen stämmer inte längre med det som skickades för justering (version {}). Innehållets SHA-256 var {} och är nu {}. Någon har ändrat uppgifterna utanför Kansli; protokollet visas inte som justerat.",
        active.version, active.content_sha256, now
    )))
}

/// What the public sees of a protocol whose rows no longer give the content
/// that was signed.
pub(crate) const CANNOT_SHOW_AS_JUSTERAT: &str = kansli_documents::view::CANNOT_SHOW_AS_JUSTERAT;

/// One sent version as the meeting and justering pages list it.
struct VersionLine {
    version: u32,
    sha256: String,
    latest_sha256: String,
    state: String,
    sent: String,
    signatures: Vec<String>,
    void: bool,
}

async fn version_lines(app: &AppState, meeting: MeetingId) -> Result<Vec<VersionLine>, StoreError> {
    let versions = app.store.protocol_versions(meeting).await?;
    let mut out = Vec::new();
    for v in versions {
        let name = |p: PersonId| {
            v.signatories
                .iter()
                .find(|s| s.person == p.0)
                .map(|s| s.name.clone())
                .unwrap_or_else(|| format!("person {p}"))
        };
        let state = match (&v.withdrawn_at, v.complete()) {
            (Some(at), _) => format!(
                "återkallad {}{}; underskrifterna är ogiltiga",
                short_time(at),
                v.withdrawn_reason
                    .as_ref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
            (None, true) => "justerad: alla har signerat".into(),
            (None, false) => format!(
                "skickad för justering; {} av {} har signerat",
                v.signatures.len(),
                v.signatories.len()
            ),
        };
        out.push(VersionLine {
            version: v.version,
            sha256: v.sent_sha256.clone(),
            latest_sha256: v.latest_sha256().to_string(),
            state,
            sent: short_time(&v.sent_at),
            signatures: v
                .signatures
                .iter()
                .map(|s| {
                    format!(
                        "{}, {}, signerade {} UTC",
                        name(s.person),
                        s.role,
                        short_time(&s.signed_at)
                    )
                })
                .collect(),
            void: !v.is_active(),
        });
    }
    Ok(out)
}

/// The protocol as it is sent for justering: rendered once (with its Intyg
/// page naming the signatories), with an empty signature field per
/// signatory, together with the digest of the content it shows and the
/// signatories. Refused when the organisation has no signing keys (a
/// protocol nobody can sign is not sent). What the "Skicka för justering"
/// handler and the demo loader (`crate::demo_signing`) store with
/// `Tx::send_for_justering`.
pub async fn render_for_signing(app: &AppState, id: MeetingId) -> Result<ForSigning, StoreError> {
    let m = app.store.meeting(id).await?;
    let body = app.store.body(m.body).await?;
    let organisation = app.store.organisation(body.organisation).await?;
    // Keys first: a protocol nobody can sign is not sent.
    signing_ca(app, &organisation)?;
    let signatories = app.store.protocol_signatories(id).await?;
    let record = app.store.meeting_record(id).await?;
    let content_sha256 = kansli_documents::content_digest(&record);
    let view = kansli_documents::view::meeting_for(
        &app.store,
        id,
        kansli_documents::view::Audience::Official,
    )
    .await
    .map_err(|e| refused("protokollet", e.to_string()))?;
    let signers: Vec<kansli_documents::compose::Signer> = signatories
        .iter()
        .map(|x| kansli_documents::compose::Signer {
            role: x.role.clone(),
            name: x.name.clone(),
        })
        .collect();
    let doc = kansli_documents::compose::protocol_for_signing(
        &view,
        &signers,
        &app.config.absolute("/verifiera"),
    )
    .map_err(|e| refused("protokollet", e.to_string()))?;
    let fields: Vec<kansli_sign::Signatory> = signatories
        .iter()
        .map(|x| kansli_sign::Signatory {
            name: x.name.clone(),
            person_id: x.person,
            role: x.role.clone(),
        })
        .collect();
    let _permit = app
        .typesetting
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let pdf = tokio::task::spawn_blocking(move || {
        let pdf = kansli_documents::render(&doc, kansli_documents::Format::Pdf)
            .map_err(|e| e.to_string())?;
        kansli_sign::prepare(&pdf, &fields).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| StoreError::Corrupt(e.to_string()))?
    .map_err(|e| refused("protokollet", format!("PDF-filen kunde inte göras: {e}")))?;
    Ok(ForSigning {
        pdf,
        content_sha256,
        signatories,
    })
}

/// What [`render_for_signing`] gives: the arguments of
/// `Tx::send_for_justering`.
pub struct ForSigning {
    /// The prepared PDF (Intyg page, empty signature fields).
    pub pdf: Vec<u8>,
    /// `kansli_documents::content_digest` of the rows it was rendered from.
    pub content_sha256: String,
    /// The chair, then the approvers.
    pub signatories: Vec<kansli_store::protocols::ProtocolSignatory>,
}

/// "Skicka för justering": the protocol is rendered once (with its Intyg
/// page), gets an empty signature field per signatory, and those bytes are
/// stored; from then on the protocol is frozen.
pub async fn send_for_justering(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        let sending = render_for_signing(&app, id).await?;
        let mut tx = app.store.begin(&who).await?;
        let v = tx
            .send_for_justering(
                id,
                &sending.pdf,
                &sending.content_sha256,
                &sending.signatories,
                &s.user,
            )
            .await?;
        tx.commit().await?;
        Ok(format!(
            "Protokollet är skickat för justering (version {}, SHA-256 {}). Det kan inte längre ändras utan att utskicket återkallas.",
            v.version, v.sent_sha256
        ))
    }
    .await;
    let outcome = logged(&app, &who, id, "skicka för justering", outcome).await;
    after(
        &app,
        jar,
        &format!("{}#justering", meeting_href(id)),
        outcome,
    )
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
}

/// "Återkalla utskicket": the sent version is withdrawn, its signatures
/// become void, and the protocol can be corrected and sent again.
pub async fn withdraw_sending(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<WithdrawForm>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        if f.confirm != "ja" {
            return Err(refused(
                "återkallelsen",
                "bekräfta att de underskrifter som redan finns blir ogiltiga",
            ));
        }
        let mut tx = app.store.begin(&who).await?;
        let v = tx.withdraw_sending(id, &f.reason, &s.user).await?;
        tx.commit().await?;
        Ok(format!(
            "Utskicket av version {} är återkallat; {} underskrift(er) är ogiltiga. Rätta protokollet och skicka det igen.",
            v.version,
            v.signatures.len()
        ))
    }
    .await;
    let outcome = logged(&app, &who, id, "återkalla utskicket", outcome).await;
    after_keeping(
        &app,
        &s,
        jar,
        &format!("{}#justering", meeting_href(id)),
        outcome,
        "withdraw",
        &[("reason", Kind::Line, &f.reason)],
    )
}

#[derive(Template)]
#[template(path = "staff_approval.html")]
struct ApprovalPage {
    flash: Option<Flash>,
    csrf: String,
    id: i64,
    title: String,
    status: &'static str,
    signatories: Vec<SignLine>,
    can_confirm: bool,
    why_not: Option<String>,
    deadline: String,
    /// The active version: number, SHA-256 of the bytes as they are now.
    version: Option<(u32, String)>,
    versions: Vec<VersionLine>,
    warning: Option<String>,
}

pub async fn approval(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let m = app.store.meeting(id).await?;
    let body = app.store.body(m.body).await?;
    let signing = app.store.protocol_signing(id).await?;
    let expected = app.store.protocol_signatories(id).await?;
    let listed = signing
        .as_ref()
        .map(|x| x.version.signatories.clone())
        .unwrap_or(expected);
    let signatories = listed
        .iter()
        .map(|p| SignLine {
            name: format!("{} ({})", p.name, p.role),
            confirmed: signing.as_ref().and_then(|x| {
                x.version
                    .signature_of(PersonId(p.person))
                    .map(|sg| format!("{} UTC", short_time(&sg.signed_at)))
            }),
        })
        .collect();
    let why_not = match (s.person, &signing) {
        (None, _) => Some("Ditt konto är inte kopplat till en ledamot.".to_string()),
        _ if m.status.is_sealed() => Some(format!("Protokollet är {}.", m.status.label_sv())),
        (_, None) => Some(
            "Protokollet är inte skickat för justering än; sekreteraren skickar det när det är klart."
                .into(),
        ),
        (Some(p), Some(x)) if !x.version.signatories.iter().any(|y| y.person == p.0) => {
            Some("Du är varken ordförande eller justerare vid sammanträdet.".into())
        }
        (Some(p), Some(x)) if x.version.signature_of(p).is_some() => {
            Some("Du har signerat protokollet.".into())
        }
        _ => None,
    };
    let warning = content_changed(&app, id).await?;
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = ApprovalPage {
        flash,
        csrf: s.csrf.clone(),
        id: id.0,
        title: format!("{} {}", body.name, m.date),
        status: m.status.label_sv(),
        signatories,
        can_confirm: why_not.is_none() && warning.is_none(),
        why_not,
        deadline: kansli_core::deadlines::approval_deadline(m.date)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        version: signing
            .as_ref()
            .map(|x| (x.version.version, x.sha256.clone())),
        versions: version_lines(&app, id).await?,
        warning,
    };
    Ok((jar, Html(page.render()?)).into_response())
}

/// The frozen PDF of the active version as it is now (after the latest
/// signature): `/sekretariat/sammantraden/{meeting}/justering/protokoll.pdf`.
pub async fn approval_pdf(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let signing =
        app.store.protocol_signing(id).await?.ok_or_else(|| {
            WebError::NotFound("protokollet är inte skickat för justering".into())
        })?;
    let m = app.store.meeting(id).await?;
    let name = format!(
        "protokoll-{}-version-{}.pdf",
        m.date, signing.version.version
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        signing.bytes,
    )
        .into_response())
}

/// One signature on the active version, by `person` signed in as `user`
/// and authenticated again at `authenticated_at`: a fresh key and a
/// certificate naming the person under the organisation's signing CA
/// ([`signing_ca`]), appended to the bytes as they are now and stored by
/// `Tx::sign_protocol` in a transaction of `who` (which re-checks
/// everything). What the "Signera" handler does after the password, and
/// what the demo loader (`crate::demo_signing`) does for the demo's chair
/// and justerare.
pub async fn sign_as(
    app: &AppState,
    who: &str,
    id: MeetingId,
    version: u32,
    person: PersonId,
    user: &kansli_store::User,
    authenticated_at: jiff::Timestamp,
) -> Result<kansli_store::protocols::SignOutcome, StoreError> {
    let signing = app
        .store
        .protocol_signing(id)
        .await?
        .ok_or_else(|| refused("justeringen", "protokollet är inte skickat för justering"))?;
    if signing.version.version != version {
        return Err(refused(
            "justeringen",
            format!(
                "version {version} av protokollet är återkallad; läs version {} och signera den",
                signing.version.version
            ),
        ));
    }
    let me = signing
        .version
        .signatories
        .iter()
        .find(|x| x.person == person.0)
        .cloned()
        .ok_or_else(|| {
            refused(
                "justeringen",
                "du är varken ordförande eller justerare vid sammanträdet",
            )
        })?;
    if signing.version.signature_of(person).is_some() {
        return Err(refused("justeringen", "du har redan signerat protokollet"));
    }
    let m = app.store.meeting(id).await?;
    let body = app.store.body(m.body).await?;
    let organisation = app.store.organisation(body.organisation).await?;
    let ca = signing_ca(app, &organisation)?;
    let signatory = kansli_sign::Signatory {
        name: me.name.clone(),
        person_id: me.person,
        role: me.role.clone(),
    };
    let now = jiff::Timestamp::now();
    let previous = signing.sha256.clone();
    let bytes = signing.bytes;
    let signed =
        tokio::task::spawn_blocking(move || kansli_sign::sign(&bytes, &ca, &signatory, now))
            .await
            .map_err(|e| StoreError::Corrupt(e.to_string()))?
            .map_err(|e| refused("signeringen", e.to_string()))?;
    let mut tx = app.store.begin(who).await?;
    let done = tx
        .sign_protocol(
            id,
            version,
            person,
            &me.role,
            user,
            authenticated_at,
            now,
            &signed,
            &previous,
            app.config.today(),
        )
        .await?;
    tx.commit().await?;
    Ok(done)
}

#[derive(Deserialize)]
pub struct SignForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    version: String,
}

/// "Signera": the password again (a fresh authentication, in this very
/// request), then a PAdES signature with a fresh key under a certificate
/// naming the signed-in person, appended to the bytes as they are now; the
/// last signature makes the protocol justerat (KL 5 kap. 69 §, 6 kap.
/// 35 §). Every refusal writes nothing.
pub async fn confirm(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
    jar: CookieJar,
    Form(f): Form<SignForm>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        let person = s.person.ok_or_else(|| {
            refused("justeringen", "ditt konto är inte kopplat till en ledamot")
        })?;
        if f.password.is_empty() {
            return Err(refused("lösenord", "skriv ditt lösenord för att signera"));
        }
        // Guessing the password here is slowed down like at sign-in.
        let addr = crate::auth::client_address(peer.ip(), &headers, &app.config.trusted_proxies);
        let attempt = app
            .sign_in
            .attempt(&s.user.username, addr, None, std::time::Instant::now());
        if !attempt.delay.is_zero() {
            tokio::time::sleep(attempt.delay).await;
        }
        let verified = crate::auth::verify_password(&app, &s.user.username, &f.password)
            .await
            .map_err(|e| refused("lösenord", e.to_string()))?;
        if verified.map(|u| u.id) != Some(s.user.id) {
            app.sign_in.failed(attempt);
            return Err(refused(
                "lösenord",
                "fel lösenord; protokollet är inte signerat",
            ));
        }
        app.sign_in.succeeded(attempt);
        let authenticated_at = jiff::Timestamp::now();
        let version: u32 = form_number("version", &f.version)?;
        let done = sign_as(&app, &who, id, version, person, &s.user, authenticated_at).await?;
        Ok(if done.complete {
            "Du har signerat protokollet. Alla har signerat; protokollet är nu justerat och kan anslås.".to_string()
        } else {
            "Du har signerat protokollet. Övriga justerare kan nu signera.".to_string()
        })
    }
    .await;
    let outcome = logged(&app, &who, id, "justering", outcome).await;
    after(
        &app,
        jar,
        &format!("/sekretariat/sammantraden/{}/justering", id.0),
        outcome,
    )
}

// ---- the anslagstavla -----------------------------------------------------

struct NoticeLine {
    body: String,
    organisation: String,
    date: String,
    approved: String,
    posted: String,
    appeal_ends: String,
    taken_down: String,
    kept_at: String,
    protocol_href: String,
    notice_href: String,
    /// SHA-256 of the signed protocol, when justerat by signatures.
    sha256: Option<String>,
}

#[derive(Template)]
#[template(path = "notice_board.html")]
struct NoticeBoard {
    today: String,
    current: Vec<NoticeLine>,
    earlier: Vec<NoticeLine>,
}

/// The digital anslagstavla (KL 8 kap. 9–12 §§): notices of approved
/// protocols while the appeal period runs; afterwards they leave the board
/// by themselves and are listed as earlier notices.
pub async fn notice_board(State(app): State<AppState>) -> Result<Html<String>, PageError> {
    let today = app.config.today();
    let mut current = Vec::new();
    let mut earlier = Vec::new();
    let mut all = app.store.all_meetings().await?;
    all.sort_by_key(|s| std::cmp::Reverse(s.meeting.date));
    for s in all {
        let MeetingStatus::NoticePosted {
            approved,
            posted,
            taken_down,
            kept_at,
        } = &s.meeting.status
        else {
            continue;
        };
        let line = NoticeLine {
            body: s.body.name.clone(),
            organisation: s.organisation.name.clone(),
            date: s.meeting.date.to_string(),
            approved: approved.to_string(),
            posted: posted.to_string(),
            appeal_ends: kansli_core::deadlines::appeal_deadline(*posted)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            taken_down: taken_down.to_string(),
            kept_at: kept_at.clone(),
            protocol_href: format!("/sammantraden/{}", s.meeting.id.0),
            notice_href: format!("/sammantraden/{}/dokument/anslag.pdf", s.meeting.id.0),
            sha256: app
                .store
                .signed_protocol(s.meeting.id)
                .await
                .ok()
                .flatten()
                .map(|x| x.sha256),
        };
        if *posted <= today && today < *taken_down {
            current.push(line);
        } else {
            earlier.push(line);
        }
    }
    Ok(Html(
        NoticeBoard {
            today: today.to_string(),
            current,
            earlier,
        }
        .render()?,
    ))
}

#[derive(Deserialize)]
pub struct InPublicForm {
    /// "ja" or "nej".
    #[serde(default)]
    public: String,
}

/// Records the body's decision to meet in public, or behind closed doors
/// (KL 6 kap. 25 §): the public follows its meetings live only when it
/// meets in public (`kansli_core::publication`). The same form sent twice
/// records the same.
pub async fn set_meets_in_public(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<InPublicForm>,
) -> Result<Response, PageError> {
    let body: BodyId = parse_id(&raw, "Organet")?;
    let to = format!("/sekretariat/organ/{}/sammantraden", body.0);
    let outcome = async {
        let in_public = match f.public.as_str() {
            "ja" => true,
            "nej" => false,
            other => {
                return Err(kansli_core::Refusal::new(
                    "offentligheten",
                    format!("välj ja eller nej, inte «{other}»"),
                )
                .into());
            }
        };
        let mut tx = app.store.begin(&actor(&s)).await?;
        tx.set_meets_in_public(body, in_public).await?;
        tx.commit().await?;
        Ok(if in_public {
            "Organet sammanträder offentligt: allmänheten kan följa sammanträdena medan de pågår.".to_string()
        } else {
            "Organet sammanträder inom stängda dörrar: allmänheten ser vad som beslutats först när protokollet har justerats.".to_string()
        })
    }
    .await;
    after(&app, jar, &to, outcome)
}
