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
use kansli_core::meeting::{Actor, Capacity, ItemKind, MeetingStatus, ProposalKind, VoteChoice};
use kansli_core::proceedings::{Command, MeetingPhase, Proceedings, Step};
use kansli_core::{Access, BodyId, MeetingId, PersonId};
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
    /// The föredragande's name.
    presenter: Option<String>,
    /// The edit form's fields: as stored, or as a refused edit had them.
    form: String,
    edit_title: String,
    edit_kind: String,
    edit_ground: String,
    edit_presenter: String,
    /// The refused form was this item's edit or removal: open it again.
    open_edit: bool,
    open_remove: bool,
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
    /// Read from an existing protocol (#19 imports): the review page.
    imported: bool,
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
    /// Who may be föredragande.
    presenters: Vec<Choice>,
    /// Before the meeting begins: it may be moved or cancelled.
    replannable: bool,
    move_date: String,
    move_starts: String,
    move_place: String,
    /// Inställt, with the reason given.
    cancelled: Option<String>,
    /// The planning's changes, for the secretariat.
    changes: Vec<kansli_documents::view::ChangeView>,
    /// Changes after the kallelse: the kallelse is a tilläggskallelse.
    supplement: bool,
    /// The kallelse has gone out: a change now goes into a tilläggskallelse.
    notice_issued: bool,
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
    /// #18 N: förhinder and called-in substitutes.
    absences: crate::member::AbsenceBlock,
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
    let presenter_ids: Vec<PersonId> = record.items.iter().filter_map(|i| i.presenter).collect();
    let presenter_names = store.persons(&presenter_ids).await?;
    let mut items: Vec<ItemLine> = Vec::new();
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
            presenter: item.presenter.map(|p| {
                presenter_names
                    .get(&p)
                    .map(|x| x.name.clone())
                    .unwrap_or_else(|| format!("person {p}"))
            }),
            form: planning::item_form(index),
            edit_title: item.title.clone(),
            edit_kind: item.kind.code().to_string(),
            edit_ground: match &item.access {
                Access::Secret { ground } => ground.clone(),
                Access::Public => String::new(),
            },
            edit_presenter: item.presenter.map(|p| p.0.to_string()).unwrap_or_default(),
            open_edit: false,
            open_remove: false,
        });
    }
    let presenters: Vec<Choice> = store
        .presenter_choices(body.organisation)
        .await?
        .iter()
        .map(|p| Choice {
            value: p.id.0.to_string(),
            label: p.display(),
        })
        .collect();
    let changes = kansli_documents::view::planning_changes(
        store,
        id,
        kansli_documents::view::Audience::Official,
    )
    .await?;
    let cancelled = (m.status == MeetingStatus::Cancelled).then(|| {
        changes
            .iter()
            .rev()
            .find(|c| c.kind == "cancelled")
            .and_then(|c| c.reason.clone())
            .unwrap_or_default()
    });
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
        for i in &mut items {
            if f.form == i.form {
                if f.kept(&i.form, "action") == "remove" {
                    i.open_remove = true;
                } else {
                    i.open_edit = true;
                    i.edit_title = f.kept(&i.form, "title").to_string();
                    i.edit_kind = f.kept(&i.form, "kind").to_string();
                    i.edit_ground = f.kept(&i.form, "ground").to_string();
                    i.edit_presenter = f.kept(&i.form, "presenter").to_string();
                }
            }
        }
    }
    let supplement = changes.iter().any(|c| c.after_notice);
    let replannable = planning::replannable(&m.status, started);
    let page = MeetingPage {
        imported: app.store.import_mark(id).await?.is_some(),
        absences: crate::member::absence_block(&app, id, &s.csrf, false).await?,
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
        presenters,
        replannable,
        move_date: m.date.to_string(),
        move_starts: m
            .starts
            .map(|t| t.strftime("%H:%M").to_string())
            .unwrap_or_default(),
        move_place: m.place.clone(),
        cancelled,
        changes,
        supplement,
        notice_issued: m.status.changes_are_supplement(),
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
        crate::mail::notice_issued(&app, id).await;
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

// #20 L4: proportional elections on the meeting screen.
mod election;
mod justering;
mod notice_board;
mod planning;
mod screen;

pub use election::record_election;
pub use justering::*;
pub use notice_board::*;
pub use planning::*;
pub use screen::*;
