//! #20 L1: the member's own device during the meeting, at
//! `/sekretariat/sammantraden/{meeting}/ledamot`: the item under
//! discussion with its documents, the talarlista with one's place in it,
//! begära ordet (anförande, replik, genmäle, ordningsfråga), the votering
//! when the chair opens it (Ja / Nej / Avstår, a receipt with the time, a
//! change until the count), a reservation after the decision, the
//! check-in on arrival (the secretary records the attendance with the
//! engine's `Arrive`), and a yrkande handed in in writing, which the chair
//! or the secretary accepts into the record (the engine's `Move`) or
//! declines.
//!
//! Every action is an engine command through `Tx::record_command`; the
//! page offers only what `Proceedings::check` accepts now, and a refusal
//! comes back with the engine's reason. Forms POST and redirect back
//! (post–redirect–get), each with the CSRF token and a one-time key, so a
//! double submit or a retry is answered with the first answer (the same
//! receipt) and changes nothing. No JavaScript is needed: a reload shows
//! the latest state.

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{PageError, WebError};
use crate::pages::parse_id;
use crate::secretariat::{Flash, KeptFields, actor, after, after_keeping, refused, take_flash};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::{CookieJar, Form};
use kansli_core::floor::{FloorKind, FloorSnapshot};
use kansli_core::limits::Kind;
use kansli_core::meeting::{Actor, Capacity, MeetingStatus, ProposalKind, VoteChoice};
use kansli_core::proceedings::{Command, MeetingPhase, Proceedings, Snapshot};
use kansli_core::{MeetingId, PersonId};
use kansli_store::StoreError;
use kansli_store::access::Session;
use kansli_store::live::ProposalStatus;
use serde::Deserialize;

pub(crate) fn href(meeting: MeetingId) -> String {
    format!("/sekretariat/sammantraden/{}/ledamot", meeting.0)
}

/// A person's name as the meeting's roster gives it ("Per Persson (S)").
pub(crate) fn name(p: &Proceedings, person: PersonId) -> String {
    p.names()
        .persons
        .get(&person)
        .map(|x| x.display())
        .unwrap_or_else(|| format!("person {person}"))
}

pub(crate) fn phase_label(phase: MeetingPhase) -> &'static str {
    match phase {
        MeetingPhase::NotOpened => "Sammanträdet är inte öppnat",
        MeetingPhase::Open => "Sammanträdet pågår",
        MeetingPhase::Adjourned => "Sammanträdet är ajournerat",
        MeetingPhase::Closed => "Sammanträdet är avslutat",
    }
}

/// The kind of a request as the talarlista reads it ("replik på Per
/// Persson (S)").
pub(crate) fn kind_label(p: &Proceedings, floor: &FloorSnapshot, kind: FloorKind) -> String {
    match (kind, floor.reply_to) {
        (FloorKind::Reply, Some(to)) => format!("replik på {}", name(p, to)),
        (FloorKind::Rejoinder, _) => "genmäle".into(),
        (k, _) => k.label_sv().into(),
    }
}

/// Who has the floor, since when, and the arbetsordning's advisory time.
pub(crate) struct SpeakerView {
    pub text: String,
    /// ISO timestamp of the start, for `<time>` and the timer.
    pub since: String,
    /// "14:02:10".
    pub since_clock: String,
    /// Advisory minutes, 0 when none.
    pub minutes: u32,
}

pub(crate) async fn speaker(
    app: &AppState,
    meeting: MeetingId,
    p: &Proceedings,
    floor: &FloorSnapshot,
) -> Result<Option<SpeakerView>, StoreError> {
    let Some(s) = &floor.speaking else {
        return Ok(None);
    };
    let since = app
        .store
        .meeting_event_at(meeting, s.since)
        .await?
        .unwrap_or_default();
    Ok(Some(SpeakerView {
        text: format!(
            "{} har ordet ({})",
            name(p, s.person),
            kind_label(p, floor, s.kind)
        ),
        since_clock: clock(&since),
        since,
        minutes: floor.rules.minutes(s.kind).unwrap_or(0),
    }))
}

/// An ISO timestamp as Swedish clock time ("14:02:10").
pub(crate) fn clock(iso: &str) -> String {
    match (
        iso.parse::<jiff::Timestamp>(),
        jiff::tz::TimeZone::get("Europe/Stockholm"),
    ) {
        (Ok(t), Ok(tz)) => t.to_zoned(tz).strftime("%H:%M:%S").to_string(),
        _ => String::new(),
    }
}

/// An ISO timestamp as Swedish clock time to the minute ("14:02").
pub(crate) fn clock_hm(iso: &str) -> String {
    clock(iso).get(..5).unwrap_or_default().to_string()
}

/// A written yrkande's status as its mover reads it.
pub(crate) fn written_status(status: ProposalStatus) -> &'static str {
    match status {
        ProposalStatus::Pending => "inlämnat, väntar på ordföranden",
        ProposalStatus::Accepted { .. } => "antaget",
        ProposalStatus::Declined => "inte antaget",
    }
}

/// Whether the member may move now, as the engine answers a yrkande of
/// theirs (the kind and text do not change the answer).
fn written_move_probe(me: PersonId) -> Command {
    Command::Move {
        movers: vec![Actor::Person { person: me }],
        kind: ProposalKind::Bifall,
        text: "bifall".into(),
        decision: None,
    }
}

/// The talarlista, in the order the chair gives the floor.
pub(crate) fn queue_lines(p: &Proceedings, floor: &FloorSnapshot) -> Vec<String> {
    floor
        .queue
        .iter()
        .map(|r| format!("{} – {}", name(p, r.person), kind_label(p, floor, r.kind)))
        .collect()
}

/// A link to a document of the open item.
pub struct DocLink {
    pub title: String,
    pub href: String,
    pub secret: Option<String>,
}

/// The open item as the member reads it.
pub struct ItemView {
    pub heading: String,
    pub case_number: Option<String>,
    pub secret: Option<String>,
    pub documents: Vec<DocLink>,
    /// The yrkanden so far, as the protocol words them.
    pub proposals: Vec<String>,
    pub decision: Option<String>,
}

/// The open item's documents: its beslutsförslag when public, and the
/// case's documents (secret ones only under
/// [`crate::registry::reads_secret_files`]), linked through the members'
/// file route.
async fn item_view(
    app: &AppState,
    s: &Session,
    meeting: MeetingId,
    date: jiff::civil::Date,
    p: &Proceedings,
    snap: &Snapshot,
) -> Result<Option<ItemView>, StoreError> {
    let (Some(position), Some(paragraph)) = (snap.open_item, snap.paragraph.as_ref()) else {
        return Ok(None);
    };
    let store = &app.store;
    let item = &p.setting().items[position];
    let mut documents = Vec::new();
    let mut case_number = None;
    if let Some(c) = item.case {
        let case = store.case(c).await?;
        let bodies = store.case_bodies(c).await?;
        let may_read_secret =
            crate::registry::reads_secret_files(s, case.organisation, &bodies, date);
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
                        meeting.0, a.id.0
                    ),
                    secret: secret.clone(),
                });
            }
        }
        case_number = Some(case.number);
    }
    let names = p.names();
    Ok(Some(ItemView {
        heading: format!(
            "§ {} {}",
            paragraph.number,
            kansli_core::limits::shorten(Kind::Title, &paragraph.title)
        ),
        case_number,
        secret: match &item.access {
            kansli_core::Access::Secret { ground } => Some(ground.clone()),
            kansli_core::Access::Public => None,
        },
        documents,
        proposals: paragraph
            .proposals
            .iter()
            .enumerate()
            .filter(|(_, x)| !x.withdrawn)
            .map(|(i, x)| {
                format!(
                    "Yrkande {}: {} – {}",
                    i + 1,
                    names.actors(&x.movers),
                    x.text
                )
            })
            .collect(),
        decision: paragraph
            .decision
            .as_ref()
            .map(|d| kansli_core::text::join_sv(&decision_clauses(d))),
    }))
}

fn decision_clauses(d: &kansli_core::decision::Decision) -> Vec<String> {
    d.parts
        .iter()
        .flat_map(|part| part.clauses.iter().map(|c| format!("att {}", c.text)))
        .collect()
}

/// A button that asks for the floor.
pub struct FloorButton {
    pub code: &'static str,
    pub label: String,
}

/// The votering as the member sees it.
pub struct VoteView {
    /// "Ja: Yrkande 1 (…)".
    pub ja: String,
    pub nej: String,
    /// The member's ballot so far.
    pub mine: Option<&'static str>,
}

/// A decided paragraph the member may reserve against.
pub struct ReserveChoice {
    pub paragraph: u32,
    pub label: String,
}

#[derive(Template)]
#[template(path = "live_member.html")]
struct MemberPage {
    flash: Option<Flash>,
    csrf: String,
    meeting: i64,
    title: String,
    phase: &'static str,
    me: String,
    standing: String,
    item: Option<ItemView>,
    speaker: Option<SpeakerView>,
    queue: Vec<String>,
    place: Option<String>,
    buttons: Vec<FloorButton>,
    /// Why the member cannot ask for an anförande now, when they cannot.
    no_floor: Option<String>,
    may_withdraw: bool,
    vote: Option<VoteView>,
    /// Why the member may not vote in the votering under way.
    no_vote: Option<String>,
    reserve: Vec<ReserveChoice>,
    /// When the member checked in on this device ("14:02"), if they did.
    checked_in: Option<String>,
    /// The check-in button: not checked in, not recorded present, the
    /// meeting not closed.
    may_check_in: bool,
    /// The kinds of yrkande the form offers: code, label.
    kinds: Vec<(&'static str, &'static str)>,
    /// The written yrkande form: the engine would let the member move now.
    may_move: bool,
    /// Why not, when an item is open and the member may not move.
    no_move: Option<String>,
    /// The member's own written yrkanden in this meeting.
    written: Vec<WrittenLine>,
    /// The "Just nu" part as the members' stream pushes it
    /// (`hub::MemberFragment`), rendered for this member.
    live: String,
}

/// One of the member's written yrkanden, as they follow it.
pub struct WrittenLine {
    pub text: String,
    pub kind: &'static str,
    /// "inlämnat, väntar på ordföranden", "antaget", "inte antaget".
    pub status: &'static str,
    pub item: String,
}

impl KeptFields for MemberPage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

/// The meeting, its engine and the member's person, or why the page is
/// not theirs: it is for the body's members and substitutes on the
/// meeting's roster (the guard has checked the seat on the meeting's day).
async fn member_and_meeting(
    app: &AppState,
    s: &Session,
    raw: &str,
) -> Result<
    (
        MeetingId,
        kansli_core::meeting::Meeting,
        Proceedings,
        PersonId,
    ),
    PageError,
> {
    let id: MeetingId = parse_id(raw, "Sammanträdet")?;
    let m = app.store.meeting(id).await?;
    if !matches!(
        m.status,
        MeetingStatus::Planned
            | MeetingStatus::NoticeIssued
            | MeetingStatus::InSession
            | MeetingStatus::Held
    ) {
        return Err(PageError(WebError::NotFound(
            "Sammanträdet är inte längre i gång: protokollet är justerat eller sammanträdet inställt."
                .into(),
        )));
    }
    let p = app.store.proceedings(id).await?;
    let Some(person) = s
        .person
        .filter(|me| p.setting().roster.iter().any(|seat| seat.person.id == *me))
    else {
        return Err(PageError(WebError::Forbidden(
            "Sidan är för organets ledamöter och ersättare vid sammanträdet.".into(),
        )));
    };
    Ok((id, m, p, person))
}

/// The member's page.
pub async fn page(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let (id, m, p, me) = member_and_meeting(&app, &s, &raw).await?;
    let body = app.store.body(m.body).await?;
    let snap = p.snapshot();
    let floor = &snap.floor;
    let capacity = snap
        .present
        .iter()
        .find(|(x, _)| *x == me)
        .map(|(_, c)| c.clone());
    let deciding = snap.deciding.contains(&me);
    let standing = match (&capacity, deciding) {
        (None, _) => {
            "Du är inte antecknad som närvarande. Sekreteraren antecknar dig när du är på plats."
                .to_string()
        }
        (Some(Capacity::ServingSubstitute { replacing }), true) => {
            format!("Du tjänstgör för {}.", name(&p, *replacing))
        }
        (Some(_), true) => "Du är närvarande och tjänstgör.".into(),
        (Some(_), false) if snap.disqualified.contains(&me) => {
            "Du har anmält jäv i ärendet och deltar inte i det.".into()
        }
        (Some(Capacity::Substitute), false) => {
            "Du är närvarande som ersättare och tjänstgör inte.".into()
        }
        (Some(_), false) => "Du är närvarande men tjänstgör inte i ärendet.".into(),
    };
    let buttons: Vec<FloorButton> = FloorKind::ALL
        .into_iter()
        .filter(|k| {
            p.check(&Command::RequestFloor {
                person: me,
                kind: *k,
            })
            .is_ok()
        })
        .map(|k| FloorButton {
            code: k.code(),
            label: match k {
                FloorKind::Speech => "Begär ordet".to_string(),
                FloorKind::Reply => match floor.reply_to {
                    Some(to) => format!("Replik på {}", name(&p, to)),
                    None => "Replik".into(),
                },
                FloorKind::Rejoinder => "Genmäle".into(),
                FloorKind::PointOfOrder => "Ordningsfråga".into(),
            },
        })
        .collect();
    let no_floor = p
        .check(&Command::RequestFloor {
            person: me,
            kind: FloorKind::Speech,
        })
        .err()
        .filter(|_| buttons.is_empty())
        .map(|r| r.reason);
    let place = floor.place_of(me).map(|n| {
        let kinds: Vec<String> = floor
            .requests_of(me)
            .into_iter()
            .map(|k| kind_label(&p, floor, k))
            .collect();
        format!(
            "Du är nummer {n} på talarlistan ({}).",
            kansli_core::text::join_sv(&kinds)
        )
    });
    let (vote, no_vote) = match snap.ja_nej {
        Some((ja, nej)) => {
            let proposals = snap
                .paragraph
                .as_ref()
                .map(|x| x.proposals.as_slice())
                .unwrap_or_default();
            let side = |i: Option<usize>| match i.and_then(|i| proposals.get(i).map(|x| (i, x))) {
                Some((i, x)) => format!("yrkande {} ({})", i + 1, x.text),
                None => "att ärendet avgörs i dag".into(),
            };
            let mine = snap
                .ballots
                .iter()
                .find(|b| b.person == me)
                .map(|b| b.choice.label_sv());
            let may = p
                .check(&Command::CastVote {
                    person: me,
                    choice: VoteChoice::Ja,
                })
                .map_err(|r| r.reason);
            match may {
                // Already voted: the engine refuses a second CastVote, a
                // change is a CorrectVote.
                Err(_) if mine.is_some() => (
                    Some(VoteView {
                        ja: side(ja),
                        nej: side(nej),
                        mine,
                    }),
                    None,
                ),
                Err(why) => (None, Some(why)),
                Ok(()) => (
                    Some(VoteView {
                        ja: side(ja),
                        nej: side(nej),
                        mine,
                    }),
                    None,
                ),
            }
        }
        None => (None, None),
    };
    let reserve = snap
        .done
        .iter()
        .filter(|(_, number)| {
            p.check(&Command::Reserve {
                paragraph: *number,
                by: vec![Actor::Person { person: me }],
                in_favour_of: None,
                reasons: None,
            })
            .is_ok()
        })
        .map(|(item, number)| ReserveChoice {
            paragraph: *number,
            label: format!(
                "§ {number} {}",
                kansli_core::limits::shorten(Kind::Title, &p.setting().items[*item].title)
            ),
        })
        .collect();
    let checked_in = app
        .store
        .check_ins(id)
        .await?
        .into_iter()
        .find(|c| c.person == me)
        .map(|c| clock_hm(&c.at.to_string()));
    let may_check_in = checked_in.is_none()
        && capacity.is_none()
        && snap.phase != MeetingPhase::Closed
        && m.status != MeetingStatus::Held;
    let (may_move, no_move) = match snap.open_item {
        None => (false, None),
        Some(_) => match p.check(&written_move_probe(me)) {
            Ok(()) => (true, None),
            Err(r) => (false, Some(r.reason)),
        },
    };
    let written = app
        .store
        .written_proposals(id)
        .await?
        .into_iter()
        .filter(|w| w.person == me)
        .map(|w| WrittenLine {
            kind: w.kind.label_sv(),
            status: written_status(w.status),
            item: p
                .setting()
                .items
                .get(w.item)
                .map(|i| kansli_core::limits::shorten(Kind::Title, &i.title).into_owned())
                .unwrap_or_default(),
            text: w.text,
        })
        .collect();
    let item = item_view(&app, &s, id, m.date, &p, &snap).await?;
    let speaker = speaker(&app, id, &p, floor).await?;
    let live = {
        let data = super::LiveData::load(&app.store, id).await?;
        let shown = super::Shown::of(&data, true);
        super::hub::MemberFragment {
            s: &shown,
            meeting: id.0,
            csrf: &s.csrf,
            once: &crate::once::key(),
            // The page's own ballot form (below) is the one shown first.
            form: false,
        }
        .render()
        .map_err(WebError::from)?
    };
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = MemberPage {
        flash,
        csrf: s.csrf.clone(),
        meeting: id.0,
        title: format!("{} {}", body.name, m.date),
        phase: phase_label(snap.phase),
        me: name(&p, me),
        standing,
        item,
        speaker,
        queue: queue_lines(&p, floor),
        place,
        may_withdraw: floor.place_of(me).is_some(),
        buttons,
        no_floor,
        vote,
        no_vote,
        reserve,
        checked_in,
        may_check_in,
        kinds: ProposalKind::ALL
            .into_iter()
            .map(|k| (k.code(), k.label_sv()))
            .collect(),
        may_move,
        no_move,
        written,
        live,
    };
    Ok((jar, Html(page.render().map_err(WebError::from)?)).into_response())
}

/// Records one command of the member's own and says how it went.
async fn record(
    app: &AppState,
    s: &Session,
    meeting: MeetingId,
    command: Command,
) -> Result<(), StoreError> {
    let mut tx = app.store.begin(&actor(s)).await?;
    tx.record_command(meeting, &command).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Deserialize)]
pub struct FloorForm {
    /// speech | reply | rejoinder | point_of_order.
    #[serde(default)]
    slag: String,
}

/// Begär ordet: an anförande, a replik, a genmäle or an ordningsfråga.
pub async fn request_floor(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<FloorForm>,
) -> Result<Response, PageError> {
    let (id, _, _, me) = member_and_meeting(&app, &s, &raw).await?;
    let outcome = async {
        let kind = FloorKind::from_code(f.slag.trim()).ok_or_else(|| {
            refused(
                "talarlistan",
                "välj anförande, replik, genmäle eller ordningsfråga",
            )
        })?;
        record(&app, &s, id, Command::RequestFloor { person: me, kind }).await?;
        let p = app.store.proceedings(id).await?;
        let place = p.snapshot().floor.place_of(me).unwrap_or(0);
        Ok(format!(
            "Du har begärt ordet ({}). Du är nummer {place} på talarlistan.",
            kind.label_sv()
        ))
    }
    .await;
    after(&app, jar, &href(id), outcome)
}

/// All the member's requests for the floor withdrawn.
pub async fn withdraw_floor(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let (id, _, _, me) = member_and_meeting(&app, &s, &raw).await?;
    let outcome = record(&app, &s, id, Command::WithdrawFloorRequest { person: me })
        .await
        .map(|()| "Du står inte längre på talarlistan.".to_string());
    after(&app, jar, &href(id), outcome)
}

#[derive(Deserialize)]
pub struct VoteForm {
    /// ja | nej | avstar.
    #[serde(default)]
    val: String,
    /// The form's one-time key ([`crate::once::FIELD`]), also the ballot's.
    #[serde(default)]
    once: String,
}

/// The member's ballot in the votering under way, as the page showed it.
fn before_vote(p: &Proceedings, me: PersonId) -> Option<VoteChoice> {
    let snap = p.snapshot();
    (snap.step == kansli_core::proceedings::Step::Voting)
        .then(|| {
            snap.ballots
                .iter()
                .find(|b| b.person == me)
                .map(|b| b.choice)
        })
        .flatten()
}

/// The member's ballot: cast, or changed before the count. The answer (the
/// receipt) is sent after the commit, and the one-time key makes a retry
/// get the same receipt.
pub async fn vote(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<VoteForm>,
) -> Result<Response, PageError> {
    let (id, _, p, me) = member_and_meeting(&app, &s, &raw).await?;
    let outcome = async {
        let choice = match f.val.trim() {
            "ja" => VoteChoice::Ja,
            "nej" => VoteChoice::Nej,
            "avstar" => VoteChoice::Avstar,
            _ => return Err(refused("omröstning", "välj ja, nej eller avstår")),
        };
        // The ballot and its receipt in one transaction: the form's
        // one-time key again (a retry whose answer was lost, even across a
        // restart) gets the first receipt, never a second ballot.
        let mut tx = app.store.begin(&actor(&s)).await?;
        let receipt = tx.cast_ballot(id, me, choice, &f.once).await?;
        tx.commit().await?;
        Ok(format!(
            "{}: {}, kl. {}.",
            // A replay repeats the first receipt, with its time.
            match (receipt.replayed, before_vote(&p, me)) {
                (false, Some(_)) => "Din röst är ändrad",
                _ => "Din röst är registrerad",
            },
            receipt.choice.label_sv(),
            clock(&receipt.at.to_string())
        ))
    }
    .await;
    after(&app, jar, &href(id), outcome)
}

#[derive(Deserialize)]
pub struct ReserveForm {
    #[serde(default)]
    paragraf: String,
    /// The written reasons, optional (they may follow before justering).
    #[serde(default)]
    skal: String,
}

/// A reservation against a decision, announced before the meeting ends
/// (KL 4 kap. 27 §).
pub async fn reserve(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<ReserveForm>,
) -> Result<Response, PageError> {
    let (id, _, _, me) = member_and_meeting(&app, &s, &raw).await?;
    let outcome = async {
        let number: u32 = crate::secretariat::form_number("paragraf", &f.paragraf)?;
        let reasons = f.skal.trim();
        kansli_core::limits::check("skäl", Kind::FreeText, reasons)?;
        record(
            &app,
            &s,
            id,
            Command::Reserve {
                paragraph: number,
                by: vec![Actor::Person { person: me }],
                in_favour_of: None,
                reasons: (!reasons.is_empty()).then(|| reasons.to_string()),
            },
        )
        .await?;
        Ok(format!(
            "Din reservation mot beslutet i § {number} är antecknad."
        ))
    }
    .await;
    after_keeping(
        &app,
        &s,
        jar,
        &href(id),
        outcome,
        "reservation",
        &[("skal", Kind::FreeText, &f.skal)],
    )
}

/// The member checks in on their own device: the secretary sees it and
/// records the attendance (the engine's `Arrive`); a second check-in keeps
/// the first time.
pub async fn check_in(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let (id, _, _, me) = member_and_meeting(&app, &s, &raw).await?;
    let outcome = async {
        let before = app.store.check_ins(id).await?;
        let mut tx = app.store.begin(&actor(&s)).await?;
        let c = tx.check_in(id, me).await?;
        tx.commit().await?;
        let at = clock_hm(&c.at.to_string());
        Ok(if before.iter().any(|b| b.person == me) {
            format!("Du har redan checkat in (kl. {at}).")
        } else {
            format!("Du har checkat in kl. {at}. Sekreteraren antecknar din närvaro.")
        })
    }
    .await;
    after(&app, jar, &href(id), outcome)
}

#[derive(Deserialize)]
pub struct WrittenForm {
    /// A proposal kind's code (bifall, avslag, andring, …).
    #[serde(default)]
    slag: String,
    #[serde(default)]
    text: String,
}

/// A yrkande handed in in writing on the item under discussion: the chair
/// (or the secretary) accepts it into the record or declines it.
pub async fn submit_written(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<WrittenForm>,
) -> Result<Response, PageError> {
    let (id, _, _, me) = member_and_meeting(&app, &s, &raw).await?;
    let outcome = async {
        let kind = ProposalKind::ALL
            .into_iter()
            .find(|k| k.code() == f.slag.trim())
            .ok_or_else(|| refused("yrkandet", "välj vilket slags yrkande det är"))?;
        let mut tx = app.store.begin(&actor(&s)).await?;
        tx.submit_proposal(id, me, kind, &f.text).await?;
        tx.commit().await?;
        Ok("Ditt yrkande är inlämnat och väntar på ordföranden.".to_string())
    }
    .await;
    after_keeping(
        &app,
        &s,
        jar,
        &href(id),
        outcome,
        "yrkande",
        &[
            ("text", Kind::FreeText, &f.text),
            ("slag", Kind::Code, &f.slag),
        ],
    )
}
