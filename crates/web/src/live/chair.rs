//! #20 L1: the chair's view at `/sekretariat/sammantraden/{meeting}/ordforande`,
//! for the one presiding at the meeting (by the engine's snapshot) or the
//! body's secretary: the talarlista (give the floor to the next, end the
//! speech, the advisory timer), the yrkanden, the proposition, the voting
//! order, the votering (who has and has not voted, not how, until it is
//! counted), the count and the result through the engine (the casting vote
//! on a tie is the engine's), and the decision.
//!
//! Every step is an engine command; the page offers what
//! `Proceedings::check` accepts. The guard has let through a member of the
//! body or its secretary (`Need::Member`); the page itself lets in only the
//! one presiding and the secretary (deny by default: anyone else gets 403).

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{PageError, WebError};
use crate::live::member::{SpeakerView, name, phase_label, queue_lines, speaker};
use crate::pages::parse_id;
use crate::secretariat::{Flash, KeptFields, actor, after, form_number, refused, take_flash};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::{CookieJar, Form};
use kansli_core::limits::Kind;
use kansli_core::meeting::MeetingStatus;
use kansli_core::proceedings::{Command, Proceedings, Step};
use kansli_core::{BodyId, MeetingId, OrganisationId, PersonId};
use kansli_store::StoreError;
use kansli_store::access::{Role, Session};
use serde::Deserialize;

pub(crate) fn href(meeting: MeetingId) -> String {
    format!("/sekretariat/sammantraden/{}/ordforande", meeting.0)
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

/// The meeting and its engine, if the session presides at it now or is
/// the body's secretary; otherwise 403.
async fn chair_and_meeting(
    app: &AppState,
    s: &Session,
    raw: &str,
) -> Result<(MeetingId, kansli_core::meeting::Meeting, Proceedings), PageError> {
    let id: MeetingId = parse_id(raw, "Sammanträdet")?;
    let m = app.store.meeting(id).await?;
    let body = app.store.body(m.body).await?;
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
    let presides = s.person.is_some() && s.person == p.snapshot().presiding;
    if !presides && !secretary_of(s, body.organisation, body.id) {
        return Err(PageError(WebError::Forbidden(
            "Ordförandens vy är för den som leder sammanträdet och för organets sekreterare."
                .into(),
        )));
    }
    Ok((id, m, p))
}

/// One proposition the chair may put: the proposals put against each
/// other, and for each the finding the chair may make.
pub struct PutChoice {
    pub index: usize,
    pub label: String,
    /// (form value, label): a proposal's index, or `avgors`.
    pub findings: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "live_chair.html")]
struct ChairPage {
    flash: Option<Flash>,
    csrf: String,
    meeting: i64,
    title: String,
    phase: &'static str,
    presiding: String,
    item: Option<String>,
    speaker: Option<SpeakerView>,
    queue: Vec<String>,
    /// The next on the talarlista, when the floor may be given: id, name.
    next: Option<(i64, String)>,
    may_end: bool,
    proposals: Vec<String>,
    puts: Vec<PutChoice>,
    /// "Ja för …, nej för …" when the voting order is to be approved.
    order: Option<String>,
    /// The votering under way: who has voted and who has not.
    voted: Vec<String>,
    not_voted: Vec<String>,
    voting: bool,
    may_count: bool,
    /// Results of the votes counted in the item.
    results: Vec<String>,
    may_decide: bool,
    decision: Option<String>,
    /// Written yrkanden waiting for the chair.
    written: Vec<PendingWritten>,
    /// The meeting's change number the page shows: live.js reloads the
    /// page on a later one (the view is the chair's alone, with its forms).
    seq: i64,
}

/// A written yrkande waiting to be accepted or declined.
pub struct PendingWritten {
    pub id: i64,
    /// "Per Persson (S) yrkar bifall: …" with the item's title.
    pub label: String,
    /// It was handed in on another item than the one open: only a
    /// decline is possible.
    pub other_item: bool,
}

/// The meeting's written yrkanden still pending, for the chair's view and
/// the secretary's screen.
pub(crate) async fn pending_written(
    app: &AppState,
    meeting: MeetingId,
    p: &Proceedings,
) -> Result<Vec<PendingWritten>, StoreError> {
    let open = p.snapshot().open_item;
    Ok(app
        .store
        .written_proposals(meeting)
        .await?
        .into_iter()
        .filter(|w| w.status == kansli_store::live::ProposalStatus::Pending)
        .map(|w| PendingWritten {
            id: w.id,
            label: format!(
                "{} ({}, kl. {}): {} – {}",
                name(p, w.person),
                p.setting()
                    .items
                    .get(w.item)
                    .map(|i| kansli_core::limits::shorten(Kind::Title, &i.title).into_owned())
                    .unwrap_or_default(),
                crate::live::member::clock_hm(&w.at.to_string()),
                w.kind.label_sv(),
                w.text
            ),
            other_item: open != Some(w.item),
        })
        .collect())
}

/// Accepts (`godta`) or declines a written yrkande of this meeting.
pub(crate) async fn decide_written(
    app: &AppState,
    s: &Session,
    meeting: MeetingId,
    raw_id: &str,
    accept: bool,
) -> Result<String, StoreError> {
    let id: i64 = form_number("yrkandet", raw_id)?;
    // The id must be one of this meeting's: the page was for this meeting.
    if !app
        .store
        .written_proposals(meeting)
        .await?
        .iter()
        .any(|w| w.id == id)
    {
        return Err(refused("yrkandet", "yrkandet finns inte vid sammanträdet"));
    }
    let mut tx = app.store.begin(&actor(s)).await?;
    if accept {
        tx.accept_proposal(id).await?;
    } else {
        tx.decline_proposal(id).await?;
    }
    tx.commit().await?;
    Ok(if accept {
        "Det skriftliga yrkandet är infört bland yrkandena.".to_string()
    } else {
        "Det skriftliga yrkandet är avböjt.".to_string()
    })
}

impl KeptFields for ChairPage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

fn side(p: &Proceedings, side: Option<usize>) -> String {
    let snap = p.snapshot();
    let proposals = snap
        .paragraph
        .as_ref()
        .map(|x| x.proposals.clone())
        .unwrap_or_default();
    match side.and_then(|i| proposals.get(i).map(|x| (i, x.clone()))) {
        Some((i, x)) => format!(
            "yrkande {} ({}: {})",
            i + 1,
            p.names().actors(&x.movers),
            x.text
        ),
        None => "att ärendet avgörs i dag".into(),
    }
}

/// The chair's view.
pub async fn page(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let (id, m, p) = chair_and_meeting(&app, &s, &raw).await?;
    let body = app.store.body(m.body).await?;
    let snap = p.snapshot();
    let floor = &snap.floor;
    let next = floor
        .queue
        .first()
        .filter(|r| p.check(&Command::GiveFloor { person: r.person }).is_ok())
        .map(|r| (r.person.0, name(&p, r.person)));
    let paragraph = snap.paragraph.as_ref();
    let proposals = paragraph
        .map(|x| {
            x.proposals
                .iter()
                .enumerate()
                .map(|(i, y)| {
                    format!(
                        "Yrkande {}: {} – {}{}",
                        i + 1,
                        p.names().actors(&y.movers),
                        y.text,
                        if y.withdrawn { " (återkallat)" } else { "" }
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let puts = snap
        .may_put
        .iter()
        .enumerate()
        .map(|(index, set)| PutChoice {
            index,
            label: kansli_core::text::join_sv(
                &set.iter().map(|i| side(&p, Some(*i))).collect::<Vec<_>>(),
            ),
            findings: set
                .iter()
                .map(|i| (i.to_string(), side(&p, Some(*i))))
                .chain(
                    // A procedural question may also be found against:
                    // the matter is decided today.
                    (set.len() == 1
                        && paragraph
                            .and_then(|x| x.proposals.get(set[0]))
                            .is_some_and(|y| y.kind.is_procedural()))
                    .then(|| ("avgors".to_string(), "att ärendet avgörs i dag".to_string())),
                )
                .collect(),
        })
        .collect();
    let order = match (snap.step, snap.sides) {
        (Step::VoteRequested, Some([ja, nej])) => Some(format!(
            "Ja-röst för {}, nej-röst för {}.",
            side(&p, ja),
            side(&p, nej)
        )),
        _ => None,
    };
    let voting = snap.step == Step::Voting;
    let (voted, not_voted) = if voting {
        let has = |x: &PersonId| snap.ballots.iter().any(|b| b.person == *x);
        (
            snap.deciding
                .iter()
                .filter(|x| has(x))
                .map(|x| name(&p, *x))
                .collect(),
            snap.deciding
                .iter()
                .filter(|x| !has(x))
                .map(|x| name(&p, *x))
                .collect(),
        )
    } else {
        (vec![], vec![])
    };
    let speaker = speaker(&app, id, &p, floor).await?;
    let written = pending_written(&app, id, &p).await?;
    let seq = app.store.live_seq(id).await?;
    let (jar, flash) = take_flash(&app, &s, jar);
    let page = ChairPage {
        seq,
        written,
        flash,
        csrf: s.csrf.clone(),
        meeting: id.0,
        title: format!("{} {}", body.name, m.date),
        phase: phase_label(snap.phase),
        presiding: snap
            .presiding
            .map(|x| name(&p, x))
            .unwrap_or_else(|| "ingen".into()),
        item: paragraph.map(|x| {
            format!(
                "§ {} {}",
                x.number,
                kansli_core::limits::shorten(Kind::Title, &x.title)
            )
        }),
        may_end: floor.speaking.is_some(),
        speaker,
        queue: queue_lines(&p, floor),
        next,
        proposals,
        puts,
        order,
        voted,
        not_voted,
        voting,
        may_count: voting && p.check(&Command::CountVotes { lot: None }).is_ok(),
        results: paragraph
            .map(|x| x.votes.iter().map(|v| v.wording.clone()).collect())
            .unwrap_or_default(),
        may_decide: snap.may_decide,
        decision: paragraph.and_then(|x| x.decision.as_ref()).map(|d| {
            kansli_core::text::join_sv(
                &d.parts
                    .iter()
                    .flat_map(|part| part.clauses.iter().map(|c| format!("att {}", c.text)))
                    .collect::<Vec<_>>(),
            )
        }),
    };
    Ok((jar, Html(page.render().map_err(WebError::from)?)).into_response())
}

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    steg: String,
    #[serde(default)]
    person: String,
    /// The proposition: which of the sets the engine offers.
    #[serde(default)]
    set: String,
    /// The proposal the chair finds for (`avgors` for deciding today).
    #[serde(default)]
    finner: String,
    /// A written yrkande's id (`godta`, `avboj`).
    #[serde(default)]
    yrkande: String,
}

/// One step of the chair's, as an engine command.
pub async fn step(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(f): Form<StepForm>,
) -> Result<Response, PageError> {
    let (id, _, p) = chair_and_meeting(&app, &s, &raw).await?;
    if let steg @ ("godta" | "avboj") = f.steg.as_str() {
        let outcome = decide_written(&app, &s, id, &f.yrkande, steg == "godta").await;
        return after(&app, jar, &href(id), outcome);
    }
    let outcome = async {
        let snap = p.snapshot();
        let (command, done) = match f.steg.as_str() {
            "ge_ordet" => {
                let person = PersonId(form_number("talare", &f.person)?);
                (
                    Command::GiveFloor { person },
                    format!("{} har ordet.", name(&p, person)),
                )
            }
            "avsluta" => (Command::EndSpeech, "Anförandet är avslutat.".to_string()),
            "proposition" => {
                let set: usize = form_number("proposition", &f.set)?;
                let put = snap
                    .may_put
                    .get(set)
                    .cloned()
                    .ok_or_else(|| refused("proposition", "propositionen finns inte längre"))?;
                let found_for = match f.finner.trim() {
                    "avgors" => None,
                    n => Some(form_number::<usize>("proposition", n)?),
                };
                (
                    Command::Put { put, found_for },
                    "Propositionen är ställd.".to_string(),
                )
            }
            "voteringsordning" => {
                let [ja, nej] = snap
                    .sides
                    .ok_or_else(|| refused("voteringsordning", "ingen omröstning är begärd"))?;
                (
                    Command::ApproveVotingOrder { ja, nej },
                    "Voteringsordningen är godkänd; omröstningen är öppen.".to_string(),
                )
            }
            "rakna" => (
                Command::CountVotes { lot: None },
                "Omröstningen är avslutad och rösterna räknade.".to_string(),
            ),
            "besluta" => (
                Command::Decide { decision: None },
                "Beslut fattat.".to_string(),
            ),
            other => {
                return Err(refused(
                    "ordföranden",
                    format!("okänd åtgärd «{}»", kansli_core::limits::excerpt(other, 40)),
                ));
            }
        };
        let mut tx = app.store.begin(&actor(&s)).await?;
        tx.record_command(id, &command).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(done)
    }
    .await;
    after(&app, jar, &href(id), outcome)
}
