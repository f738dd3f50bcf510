//! The member's pages: their start page (coming meetings with the kallelse
//! and every document of their body's items, secret ones where their body
//! handles the case), förhinder per meeting or per item, and what they
//! want by e-mail. And the secretary's side of förhinder: who is away, the
//! substitute the serving order proposes, one click to call them in, and
//! the meeting's outbox of e-mail.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{PageError, WebError};
use crate::pages::parse_id;
use crate::registry::Choice;
use crate::secretariat::{
    Flash, KeptFields, actor, after, after_keeping, form_number, refused, take_flash,
};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::{CookieJar, Form};
use kansli_core::limits::Kind;
use kansli_core::meeting::MeetingStatus;
use kansli_core::{AttachmentId, BodyId, MeetingId, OrganisationId, PersonId};
use kansli_store::StoreError;
use kansli_store::access::{Role, Session};
use kansli_store::members::Notice;
use serde::Deserialize;

const START: &str = "/sekretariat/ledamot";

fn absences_href(meeting: MeetingId) -> String {
    format!("/sekretariat/sammantraden/{}/forhinder", meeting.0)
}

/// Whether the session is a secretary (or administrator) of the body.
fn secretary_of(s: &Session, organisation: OrganisationId, body: BodyId) -> bool {
    s.user.is_admin
        || s.grants.iter().any(|g| {
            g.organisation == organisation
                && match g.role {
                    Role::Administrator => true,
                    Role::Secretary => g.body.is_none_or(|b| b == body),
                    Role::CaseOfficer => false,
                }
        })
}

fn name_of(
    names: &std::collections::HashMap<PersonId, kansli_core::org::Person>,
    p: PersonId,
) -> String {
    names
        .get(&p)
        .map(|x| x.display())
        .unwrap_or_else(|| format!("person {p}"))
}

// ---- the block of förhinder, for the meeting page and the screen -----------

/// One förhinder as the secretary sees it.
pub struct AbsenceLine {
    pub id: i64,
    pub who: String,
    /// "hela sammanträdet" or "ärende 3, Budget 2026".
    pub what: String,
    pub reason: String,
    pub withdrawn: bool,
    /// "Anna Ersättare (S), inkallad 2025-02-20 10:04".
    pub called: Option<String>,
    /// The substitute the serving order proposes: id and name.
    pub proposal: Option<(i64, String)>,
    /// No substitute is free (or the absent is a substitute).
    pub none_free: bool,
    /// On the screen: the called-in substitute's one-click arrival and
    /// service, with the button's text.
    pub serve: Option<(i64, String)>,
}

/// Förhinder and called-in substitutes of a meeting.
pub struct AbsenceBlock {
    pub meeting: i64,
    pub csrf: String,
    pub lines: Vec<AbsenceLine>,
    /// Calling in is still possible (the meeting is not over).
    pub can_call: bool,
    /// Shown on the meeting screen: offer the called-in substitutes' service.
    pub on_screen: bool,
}

/// The block for the meeting page (`on_screen` false) or the meeting
/// screen (true).
pub async fn absence_block(
    app: &AppState,
    meeting: MeetingId,
    csrf: &str,
    on_screen: bool,
) -> Result<AbsenceBlock, WebError> {
    let store = &app.store;
    let record = store.meeting_record(meeting).await?;
    let absences = store.absences(meeting).await?;
    // A meeting recorded without the engine (imported, held) has none.
    let proceedings = store.proceedings(meeting).await.ok();
    let closed = proceedings.as_ref().is_none_or(|p| p.is_closed())
        || record.meeting.status.is_sealed()
        || matches!(record.meeting.status, MeetingStatus::Held);
    let Some(proceedings) = proceedings.filter(|_| !closed) else {
        let mut persons: Vec<PersonId> = absences.iter().map(|a| a.person).collect();
        persons.extend(
            absences
                .iter()
                .filter_map(|a| a.call.as_ref().map(|c| c.substitute)),
        );
        let names = store.persons(&persons).await?;
        return Ok(AbsenceBlock {
            meeting: meeting.0,
            csrf: csrf.to_string(),
            lines: absences
                .iter()
                .map(|a| AbsenceLine {
                    id: a.id,
                    who: name_of(&names, a.person),
                    what: match &a.item_title {
                        None => "hela sammanträdet".into(),
                        Some(t) => {
                            format!("ärendet {}", kansli_core::limits::shorten(Kind::Title, t))
                        }
                    },
                    reason: a.reason.clone(),
                    withdrawn: a.withdrawn_at.is_some(),
                    called: a.call.as_ref().map(|c| name_of(&names, c.substitute)),
                    proposal: None,
                    none_free: false,
                    serve: None,
                })
                .collect(),
            can_call: false,
            on_screen,
        });
    };
    let setting = proceedings.setting();
    let snapshot = proceedings.snapshot();
    let mut persons: Vec<PersonId> = absences.iter().map(|a| a.person).collect();
    persons.extend(
        absences
            .iter()
            .filter_map(|a| a.call.as_ref().map(|c| c.substitute)),
    );
    persons.extend(setting.roster.iter().map(|s| s.person.id));
    let names = store.persons(&persons).await?;
    let mut lines = Vec::new();
    for a in &absences {
        let proposal = if a.withdrawn_at.is_none() && a.call.is_none() && !closed {
            kansli_store::members::proposal_for(&absences, setting, a).map_err(StoreError::from)?
        } else {
            None
        };
        let member = setting
            .roster
            .iter()
            .any(|s| s.person.id == a.person && s.role.is_member());
        // For one item (jäv) the screen's own Jäv and Tjänstgör forms are
        // used when the item is up; here only a whole meeting's förhinder.
        let offer = on_screen && a.withdrawn_at.is_none() && !closed && a.item.is_none();
        let serve = match (&a.call, offer) {
            (Some(c), true) => {
                let present = snapshot.present.iter().find(|(p, _)| *p == c.substitute);
                match present.map(|(_, cap)| cap) {
                    None => Some((
                        c.id,
                        format!(
                            "{} ankommer och tjänstgör för {}",
                            name_of(&names, c.substitute),
                            name_of(&names, c.replacing)
                        ),
                    )),
                    Some(kansli_core::meeting::Capacity::Substitute) => Some((
                        c.id,
                        format!(
                            "{} tjänstgör för {}",
                            name_of(&names, c.substitute),
                            name_of(&names, c.replacing)
                        ),
                    )),
                    Some(_) => None,
                }
            }
            _ => None,
        };
        lines.push(AbsenceLine {
            id: a.id,
            who: name_of(&names, a.person),
            what: match &a.item_title {
                None => "hela sammanträdet".into(),
                Some(t) => {
                    // Agenda items carry no stored id here: found by title.
                    let position = record.items.iter().position(|i| &i.title == t);
                    match position {
                        Some(p) => format!(
                            "ärende {}, {}",
                            p + 1,
                            kansli_core::limits::shorten(Kind::Title, t)
                        ),
                        None => format!("ärendet {}", kansli_core::limits::shorten(Kind::Title, t)),
                    }
                }
            },
            reason: a.reason.clone(),
            withdrawn: a.withdrawn_at.is_some(),
            called: a.call.as_ref().map(|c| {
                format!(
                    "{}, inkallad {}",
                    name_of(&names, c.substitute),
                    local_time(&c.called_at)
                )
            }),
            proposal: proposal.map(|p| (p.0, name_of(&names, p))),
            none_free: a.withdrawn_at.is_none()
                && a.call.is_none()
                && !closed
                && member
                && proposal.is_none(),
            serve,
        });
    }
    Ok(AbsenceBlock {
        meeting: meeting.0,
        csrf: csrf.to_string(),
        lines,
        can_call: !closed,
        on_screen,
    })
}

/// An ISO timestamp as Swedish local time, "2026-12-01 15:04".
fn local_time(iso: &str) -> String {
    match (
        iso.parse::<jiff::Timestamp>(),
        jiff::tz::TimeZone::get("Europe/Stockholm"),
    ) {
        (Ok(t), Ok(tz)) => t.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string(),
        _ => iso.to_string(),
    }
}

// ---- the member's start page -------------------------------------------------

pub struct DocLink {
    pub title: String,
    pub href: String,
    pub secret: Option<String>,
}

pub struct ItemCard {
    pub position: usize,
    pub title: String,
    pub case_number: Option<String>,
    pub secret: Option<String>,
    pub documents: Vec<DocLink>,
}

pub struct OwnAbsence {
    pub id: i64,
    pub what: String,
    pub called: Option<String>,
}

pub struct MeetingCard {
    pub id: i64,
    pub heading: String,
    pub date: String,
    pub time: String,
    pub place: String,
    pub status: String,
    pub seat: &'static str,
    pub issued: bool,
    pub kallelse: String,
    pub items: Vec<ItemCard>,
    pub absences: Vec<OwnAbsence>,
    pub item_choices: Vec<Choice>,
    pub can_report: bool,
    /// "Du är inkallad att tjänstgöra för …".
    pub called_in: Vec<String>,
}

#[derive(Template)]
#[template(path = "member_start.html")]
struct StartPage {
    flash: Option<Flash>,
    csrf: String,
    name: String,
    linked: bool,
    meetings: Vec<MeetingCard>,
}

impl KeptFields for StartPage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

/// The member's start page: the coming meetings of every body they sit
/// in (a seat on the meeting's date), with the kallelse and the documents
/// once it is issued, and their förhinder.
pub async fn start(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let store = &app.store;
    let today = app.config.today();
    let mut meetings = Vec::new();
    if let Some(person) = s.person {
        for b in s.bodies() {
            let body = store.body(b).await?;
            let organisation = store.organisation(body.organisation).await?;
            let mut list = store.meetings(b).await?;
            list.sort_by_key(|m| m.date);
            for m in list {
                if m.date < today || !s.member_on(b, m.date) || m.status.is_held() {
                    continue;
                }
                meetings.push(card(&app, &s, person, &body, &organisation.name, m).await?);
            }
        }
        meetings.sort_by(|a, b| a.date.cmp(&b.date));
    }
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = StartPage {
        flash,
        csrf: s.csrf.clone(),
        name: s.user.display_name.clone(),
        linked: s.person.is_some(),
        meetings,
    };
    Ok((jar, Html(page.render().map_err(WebError::from)?)).into_response())
}

async fn card(
    app: &AppState,
    s: &Session,
    person: PersonId,
    body: &kansli_core::org::Body,
    organisation: &str,
    m: kansli_core::meeting::Meeting,
) -> Result<MeetingCard, WebError> {
    let store = &app.store;
    let record = store.meeting_record(m.id).await?;
    let issued = !matches!(m.status, MeetingStatus::Planned);
    let begun = !store.meeting_events(m.id).await?.is_empty();
    let absences = store.absences(m.id).await?;
    // A meeting with no term for its date has no roster: a ledamot.
    let setting = store.proceedings(m.id).await.map(|p| p.setting().clone());
    let seat = setting
        .as_ref()
        .map(|s| s.roster.as_slice())
        .unwrap_or_default()
        .iter()
        .find(|x| x.person.id == person)
        .map_or("ledamot", |x| {
            if x.role.is_member() {
                "ledamot"
            } else {
                "ersättare"
            }
        });
    let mut items = Vec::new();
    if issued {
        for (i, item) in record.items.iter().enumerate() {
            let mut documents = Vec::new();
            let case_number = match item.case {
                Some(c) => {
                    let case = store.case(c).await?;
                    let bodies = store.case_bodies(c).await?;
                    let may_read_secret =
                        crate::registry::reads_secret_files(s, case.organisation, &bodies, m.date);
                    // The beslutsförslag, public from the kallelse (TF 2 kap.
                    // 10 §), as the public reads it; a secret one is not
                    // rendered for members here.
                    let reports = store.officer_reports_with_access(c).await?;
                    if reports.last().is_some_and(|(_, a)| a.is_public()) {
                        documents.push(DocLink {
                            title: "Beslutsförslag (PDF)".into(),
                            href: format!("/arenden/{}/beslutsforslag.pdf", c.0),
                            secret: None,
                        });
                    }
                    for d in store.documents(c).await? {
                        let secret = match &d.access {
                            kansli_core::Access::Secret { ground } => Some(ground.clone()),
                            kansli_core::Access::Public => None,
                        };
                        if secret.is_some() && !may_read_secret {
                            continue;
                        }
                        for a in store.attachments(d.id).await? {
                            documents.push(DocLink {
                                title: format!(
                                    "{} ({})",
                                    kansli_core::limits::shorten(Kind::Title, &d.title),
                                    a.file_name
                                ),
                                href: format!(
                                    "/sekretariat/sammantraden/{}/handlingar/{}",
                                    m.id.0, a.id.0
                                ),
                                secret: secret.clone(),
                            });
                        }
                    }
                    Some(case.number)
                }
                None => None,
            };
            items.push(ItemCard {
                position: i + 1,
                title: kansli_core::limits::shorten(Kind::Title, &item.title).to_string(),
                case_number,
                secret: match &item.access {
                    kansli_core::Access::Secret { ground } => Some(ground.clone()),
                    kansli_core::Access::Public => None,
                },
                documents,
            });
        }
    }
    let mut names = vec![person];
    names.extend(
        absences
            .iter()
            .filter_map(|a| a.call.as_ref().map(|c| c.replacing)),
    );
    names.extend(
        absences
            .iter()
            .filter_map(|a| a.call.as_ref().map(|c| c.substitute)),
    );
    let names = store.persons(&names).await?;
    let own: Vec<OwnAbsence> = absences
        .iter()
        .filter(|a| a.person == person && a.withdrawn_at.is_none())
        .map(|a| OwnAbsence {
            id: a.id,
            what: match &a.item_title {
                None => "Förhinder för hela sammanträdet".into(),
                Some(t) => format!(
                    "Förhinder för ärendet {}",
                    kansli_core::limits::shorten(Kind::Title, t)
                ),
            },
            called: a.call.as_ref().map(|c| {
                format!(
                    "{} är inkallad i ditt ställe.",
                    name_of(&names, c.substitute)
                )
            }),
        })
        .collect();
    let called_in = absences
        .iter()
        .filter(|a| a.withdrawn_at.is_none())
        .filter_map(|a| a.call.as_ref())
        .filter(|c| c.substitute == person)
        .map(|c| {
            format!(
                "Du är inkallad att tjänstgöra för {}.",
                name_of(&names, c.replacing)
            )
        })
        .collect();
    let time = m
        .starts
        .map(|t| format!("klockan {}", t.strftime("%H:%M")))
        .unwrap_or_default();
    Ok(MeetingCard {
        id: m.id.0,
        heading: format!("{} ({organisation})", body.name),
        date: m.date.to_string(),
        time,
        place: m.place.clone(),
        status: m.status.label_sv().to_string(),
        seat,
        issued,
        kallelse: format!("/sammantraden/{}/dokument/kallelse.pdf", m.id.0),
        item_choices: record
            .items
            .iter()
            .enumerate()
            .filter(|_| issued)
            .map(|(i, item)| Choice {
                value: i.to_string(),
                label: format!(
                    "{}. {}",
                    i + 1,
                    kansli_core::limits::shorten(Kind::Title, &item.title)
                ),
            })
            .collect(),
        items,
        absences: own,
        can_report: !begun
            && matches!(
                m.status,
                MeetingStatus::Planned | MeetingStatus::NoticeIssued
            ),
        called_in,
    })
}

/// A file of a document of a case on the meeting's agenda, for its
/// members once the kallelse is issued; a secret one only under
/// [`crate::registry::reads_secret_files`].
pub async fn file(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path((raw, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let meeting: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let file: AttachmentId = parse_id(&file, "Filen")?;
    let store = &app.store;
    let record = store.meeting_record(meeting).await?;
    if matches!(record.meeting.status, MeetingStatus::Planned) {
        return Err(WebError::NotFound(
            "kallelsen är inte utfärdad; handlingarna kommer med den".into(),
        )
        .into());
    }
    let (a, bytes) = store.attachment(file).await?;
    let mut found = None;
    for c in record.items.iter().filter_map(|i| i.case) {
        if let Some(d) = store
            .documents(c)
            .await?
            .into_iter()
            .find(|d| d.id == a.document)
        {
            found = Some((c, d));
            break;
        }
    }
    let Some((case, doc)) = found else {
        return Err(WebError::NotFound(format!(
            "filen {file} hör inte till något ärende på sammanträdets föredragningslista"
        ))
        .into());
    };
    if !doc.access.is_public() {
        let organisation = store.case(case).await?.organisation;
        let bodies = store.case_bodies(case).await?;
        if !crate::registry::reads_secret_files(&s, organisation, &bodies, record.meeting.date) {
            return Err(WebError::Forbidden(
                "Handlingen omfattas av sekretess, och ärendet hör inte till ett organ där du är ledamot eller ersättare. Du har inte behörighet till filen.".into(),
            )
            .into());
        }
    }
    let safe: String = a
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, a.media_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

// ---- reporting and withdrawing förhinder -------------------------------------

#[derive(Deserialize)]
pub struct ReportForm {
    /// "hela" or an agenda position (0-based).
    #[serde(default)]
    item: String,
    #[serde(default)]
    reason: String,
    /// The secretary reporting for a member; empty: the signed-in member.
    #[serde(default)]
    person: String,
    /// Where to go back to: "sekretariat" for the secretary's page.
    #[serde(default)]
    back: String,
}

pub async fn report(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<ReportForm>,
) -> Result<Response, PageError> {
    let meeting: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let back = if f.back == "sekretariat" {
        absences_href(meeting)
    } else {
        START.to_string()
    };
    let outcome = async {
        let m = app.store.meeting(meeting).await?;
        let body = app.store.body(m.body).await?;
        let person = if f.person.trim().is_empty() {
            s.person.ok_or_else(|| {
                refused(
                    "förhinder",
                    "ditt konto är inte kopplat till en ledamot eller ersättare",
                )
            })?
        } else {
            if !secretary_of(&s, body.organisation, body.id) {
                return Err(refused(
                    "förhinder",
                    "bara organets sekreterare kan anmäla förhinder för någon annan",
                ));
            }
            PersonId(form_number("ledamot", &f.person)?)
        };
        let item = match f.item.trim() {
            "" | "hela" => None,
            i => Some(form_number::<usize>("ärende", i)?),
        };
        let mut tx = app.store.begin(&actor(&s)).await?;
        let id = tx
            .report_absence(meeting, person, item, &f.reason, s.user.id)
            .await?;
        tx.commit().await?;
        Ok::<_, StoreError>((id, m, body))
    }
    .await;
    match outcome {
        Ok((id, m, body)) => {
            crate::mail::absence_changed(&app, id).await;
            after(
                &app,
                jar,
                &back,
                Ok(format!(
                    "Förhindret är anmält till {} den {}. Sekreteraren kallar in ersättare.",
                    body.name, m.date
                )),
            )
        }
        Err(e) => after_keeping(
            &app,
            &s,
            jar,
            &back,
            Err(e),
            &format!("forhinder-{}", meeting.0),
            &[("reason", Kind::Line, &f.reason)],
        ),
    }
}

#[derive(Deserialize)]
pub struct AbsenceForm {
    #[serde(default)]
    absence: String,
    #[serde(default)]
    substitute: String,
    #[serde(default)]
    back: String,
}

pub async fn withdraw(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<AbsenceForm>,
) -> Result<Response, PageError> {
    let meeting: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let back = if f.back == "sekretariat" {
        absences_href(meeting)
    } else {
        START.to_string()
    };
    let outcome = async {
        let id: i64 = form_number("förhinder", &f.absence)?;
        let a = app.store.absence(id).await?;
        let m = app.store.meeting(meeting).await?;
        let body = app.store.body(m.body).await?;
        if a.meeting != meeting {
            return Err(refused(
                "förhinder",
                "förhindret gäller ett annat sammanträde",
            ));
        }
        if Some(a.person) != s.person && !secretary_of(&s, body.organisation, body.id) {
            return Err(refused(
                "förhinder",
                "du kan bara återkalla ditt eget förhinder",
            ));
        }
        let was = a.withdrawn_at.is_some();
        let mut tx = app.store.begin(&actor(&s)).await?;
        let cancelled = tx.withdraw_absence(id).await?;
        tx.commit().await?;
        if !was {
            crate::mail::absence_changed(&app, id).await;
        }
        if let Some(c) = &cancelled {
            crate::mail::call_cancelled(&app, meeting, c).await;
        }
        Ok(match cancelled {
            Some(_) => {
                "Förhindret är återkallat, och inkallelsen av ersättaren gäller inte längre."
                    .to_string()
            }
            None => "Förhindret är återkallat.".to_string(),
        })
    }
    .await;
    after(&app, jar, &back, outcome)
}

// ---- the secretary's page of förhinder ------------------------------------------

pub struct MailLine {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub state: &'static str,
    pub failed: bool,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "member_absences.html")]
struct AbsencesPage {
    flash: Option<Flash>,
    csrf: String,
    id: i64,
    title: String,
    absences: AbsenceBlock,
    people: Vec<Choice>,
    items: Vec<Choice>,
    can_report: bool,
    mails: Vec<MailLine>,
    smtp: bool,
}

impl KeptFields for AbsencesPage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

pub async fn absences(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let meeting: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let store = &app.store;
    let record = store.meeting_record(meeting).await?;
    let body = store.body(record.meeting.body).await?;
    let block = absence_block(&app, meeting, &s.csrf, false).await?;
    let proceedings = store.proceedings(meeting).await.ok();
    let begun = proceedings.as_ref().is_none_or(|p| !p.log().is_empty());
    let people = proceedings
        .iter()
        .flat_map(|p| p.setting().roster.iter())
        .map(|x| Choice {
            value: x.person.id.0.to_string(),
            label: format!("{} ({})", x.person.display(), x.role.label_sv()),
        })
        .collect();
    let items = record
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| Choice {
            value: i.to_string(),
            label: format!(
                "{}. {}",
                i + 1,
                kansli_core::limits::shorten(Kind::Title, &item.title)
            ),
        })
        .collect();
    let mails = store
        .outbox(meeting)
        .await?
        .into_iter()
        .map(|m| MailLine {
            id: m.id,
            to: format!("{} <{}>", m.recipient_name, m.recipient),
            subject: m.subject,
            state: match m.state.as_str() {
                "sent" => "skickat",
                "failed" => "misslyckades",
                "sending" => "skickas",
                _ => "väntar",
            },
            failed: m.state == "failed",
            detail: match (&m.sent_at, &m.error) {
                (Some(t), _) if m.state == "sent" => local_time(t),
                (_, Some(e)) => format!("{} försök: {e}", m.attempts),
                _ => String::new(),
            },
        })
        .collect();
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = AbsencesPage {
        flash,
        csrf: s.csrf.clone(),
        id: meeting.0,
        title: format!("{} {}", body.name, record.meeting.date),
        absences: block,
        people,
        items,
        can_report: !begun
            && matches!(
                record.meeting.status,
                MeetingStatus::Planned | MeetingStatus::NoticeIssued
            ),
        mails,
        smtp: app.config.smtp.is_some(),
    };
    Ok((jar, Html(page.render().map_err(WebError::from)?)).into_response())
}

/// "Kalla in": the proposed substitute is called in (logged, e-mailed).
pub async fn call(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<AbsenceForm>,
) -> Result<Response, PageError> {
    let meeting: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let back = match f.back.as_str() {
        "sammantrade" => format!("/sekretariat/sammantraden/{}#forhinder", meeting.0),
        _ => absences_href(meeting),
    };
    let outcome = async {
        let id: i64 = form_number("förhinder", &f.absence)?;
        let substitute = PersonId(form_number("ersättare", &f.substitute)?);
        let a = app.store.absence(id).await?;
        if a.meeting != meeting {
            return Err(refused(
                "inkallelse",
                "förhindret gäller ett annat sammanträde",
            ));
        }
        let mut tx = app.store.begin(&actor(&s)).await?;
        let call = tx.call_substitute(id, substitute, s.user.id).await?;
        tx.commit().await?;
        crate::mail::substitute_called(&app, meeting, call.id, call.substitute, call.replacing)
            .await;
        let names = app
            .store
            .persons(&[call.substitute, call.replacing])
            .await?;
        Ok(format!(
            "{} är inkallad att tjänstgöra för {}.",
            name_of(&names, call.substitute),
            name_of(&names, call.replacing)
        ))
    }
    .await;
    after(&app, jar, &back, outcome)
}

/// On the screen: the called-in substitute arrives (if not yet present)
/// and serves for the member, through the engine, in one transaction.
pub async fn serve(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<AbsenceForm>,
) -> Result<Response, PageError> {
    use kansli_core::proceedings::Command;
    let meeting: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let outcome = async {
        let id: i64 = form_number("förhinder", &f.absence)?;
        let a = app.store.absence(id).await?;
        let Some(call) = a
            .call
            .filter(|_| a.meeting == meeting && a.withdrawn_at.is_none())
        else {
            return Err(refused(
                "tjänstgöring",
                "ingen ersättare är inkallad för förhindret",
            ));
        };
        let proceedings = app.store.proceedings(meeting).await?;
        let present = proceedings
            .snapshot()
            .present
            .iter()
            .any(|(p, _)| *p == call.substitute);
        let mut tx = app.store.begin(&actor(&s)).await?;
        if !present {
            tx.record_command(
                meeting,
                &Command::Arrive {
                    person: call.substitute,
                },
            )
            .await?;
        }
        tx.record_command(
            meeting,
            &Command::Serve {
                substitute: call.substitute,
                replacing: call.replacing,
            },
        )
        .await?;
        tx.commit().await?;
        // #20 L3: the live views follow at once.
        app.live.changed(meeting);
        let names = app
            .store
            .persons(&[call.substitute, call.replacing])
            .await?;
        Ok(format!(
            "{} tjänstgör för {}.",
            name_of(&names, call.substitute),
            name_of(&names, call.replacing)
        ))
    }
    .await;
    after(
        &app,
        jar,
        &format!("/sekretariat/sammantraden/{}/mote#narvaro", meeting.0),
        outcome,
    )
}

#[derive(Deserialize)]
pub struct MailForm {
    #[serde(default)]
    mail: String,
}

/// "Försök igen": a failed message is sent again now.
pub async fn retry_mail(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<MailForm>,
) -> Result<Response, PageError> {
    let meeting: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let outcome = async {
        let id: i64 = form_number("meddelande", &f.mail)?;
        let m = app.store.mail(id).await?;
        if m.meeting != Some(meeting) {
            return Err(refused(
                "meddelande",
                "meddelandet hör till ett annat sammanträde",
            ));
        }
        let mut tx = app.store.begin(&actor(&s)).await?;
        tx.retry_mail(id).await?;
        tx.commit().await?;
        crate::mail::deliver(&app).await;
        let m = app.store.mail(id).await?;
        Ok(match m.state.as_str() {
            "sent" => format!("Meddelandet till {} är skickat.", m.recipient),
            _ => format!(
                "Meddelandet till {} kunde inte skickas nu: {}. Det försöks igen senare.",
                m.recipient,
                m.error
                    .unwrap_or_else(|| "ingen e-postserver är inställd".into())
            ),
        })
    }
    .await;
    after(
        &app,
        jar,
        &format!("{}#e-post", absences_href(meeting)),
        outcome,
    )
}

// ---- what a user wants by e-mail ------------------------------------------------

pub struct NoticeChoice {
    pub code: &'static str,
    pub label: &'static str,
    pub wanted: bool,
}

#[derive(Template)]
#[template(path = "member_notices.html")]
struct NoticesPage {
    flash: Option<Flash>,
    csrf: String,
    email: String,
    choices: Vec<NoticeChoice>,
}

impl KeptFields for NoticesPage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

pub async fn notices(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let c = app.store.contact(s.user.id).await?;
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = NoticesPage {
        flash,
        csrf: s.csrf.clone(),
        email: c.email.clone().unwrap_or_default(),
        choices: c
            .wants
            .iter()
            .map(|(n, w)| NoticeChoice {
                code: n.code(),
                label: n.label(),
                wanted: *w,
            })
            .collect(),
    };
    Ok((jar, Html(page.render().map_err(WebError::from)?)).into_response())
}

#[derive(Deserialize)]
pub struct NoticesForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    wanted: Vec<String>,
}

pub async fn save_notices(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    jar: CookieJar,
    Form(f): Form<NoticesForm>,
) -> Result<Response, PageError> {
    let outcome = async {
        for w in &f.wanted {
            if Notice::from_code(w).is_none() {
                return Err(refused(
                    "aviseringar",
                    format!("okänt val «{}»", kansli_core::limits::excerpt(w, 40)),
                ));
            }
        }
        let mut tx = app.store.begin(&actor(&s)).await?;
        tx.set_email(s.user.id, Some(&f.email)).await?;
        for n in Notice::ALL {
            tx.set_notice_choice(s.user.id, n, f.wanted.iter().any(|w| w == n.code()))
                .await?;
        }
        tx.commit().await?;
        Ok(if f.email.trim().is_empty() {
            "Sparat. Utan e-postadress får du ingen e-post.".to_string()
        } else {
            "Sparat.".to_string()
        })
    }
    .await;
    after_keeping(
        &app,
        &s,
        jar,
        "/sekretariat/aviseringar",
        outcome,
        "aviseringar",
        &[("email", Kind::Line, &f.email)],
    )
}
