//! The live meeting (#20): what the room, the members, the chair, the
//! secretary and the public see change as the meeting runs, pushed to them
//! as server-sent events.
//!
//! - [`hub`]: per meeting a `tokio::sync::watch` of [`LiveState`], built
//!   once per change (one read of the meeting, [`LiveData`]) with each
//!   audience's HTML fragment rendered once, never per client; bursts are
//!   coalesced to at most [`hub::RENDERS_PER_SECOND`] builds a second, and a
//!   slow client skips to the latest state (a watch keeps only the last).
//! - [`stream`]: the SSE routes (`…/handelser`): event id = the meeting's
//!   live sequence, event `state` with the audience's fragment as data;
//!   `Last-Event-ID` at or past the current sequence gets nothing until the
//!   next change, anything older one snapshot.
//! - [`public`]: the public live page (`/sammantraden/{id}/direkt`) and the
//!   big screen (`/sammantraden/{id}/storbild`): no sign-in, only what
//!   `view::live_shown` allows.
//!
//! Writes stay ordinary POST forms; `live.js` (our own few KB, served as
//! `/static/live.js`) only swaps fragments in. Without it every page works
//! by reload.

pub mod chair;
pub mod hub;
pub mod member;
pub mod public;
pub mod stream;

pub use hub::{Hub, LiveState};

use crate::view::{self, LiveShown};
use axum::http::header;
use axum::response::IntoResponse;
use kansli_core::meeting::{AgendaItem, Meeting, MeetingRecord, Paragraph, Vote};
use kansli_core::org::Body;
use kansli_core::proceedings::{MeetingPhase, Proceedings, Snapshot, Step};
use kansli_core::publication::Disclosure;
use kansli_core::{MeetingId, PersonId};
use kansli_store::{Store, StoreError};

/// Everything one build of a meeting's live state reads, once per change.
/// Plain data: the fragment renderers (here and in `member`/`chair`) only
/// read it.
pub struct LiveData {
    pub meeting: Meeting,
    pub body: Body,
    /// "Regionstyrelsen 2025-05-06".
    pub title: String,
    /// The meeting's live sequence: the SSE event id.
    pub seq: i64,
    /// What the public may see of the meeting (`view::public_disclosure`).
    pub disclosure: Disclosure,
    /// The engine over the meeting, when it is run with it (planned to
    /// held); `None` for a justerat, cancelled or imported one.
    pub proceedings: Option<Proceedings>,
    pub snapshot: Option<Snapshot>,
    /// The public view of a justerat meeting (`view::meeting`).
    pub protocol: Option<view::MeetingView>,
    /// When the hub first saw the current speech (the timer is advisory).
    pub speaking_since: Option<jiff::Timestamp>,
    /// #20 L1: who checked in on their own device (for the secretary).
    pub check_ins: Vec<kansli_store::live::CheckIn>,
    /// #20 L1: the yrkanden handed in in writing (for the secretary).
    pub written: Vec<kansli_store::live::WrittenProposal>,
}

impl LiveData {
    /// Reads what a build needs. `seq` of a meeting not run with the
    /// engine is 0.
    pub async fn load(store: &Store, id: MeetingId) -> Result<LiveData, StoreError> {
        use kansli_core::meeting::MeetingStatus as S;
        let meeting = store.meeting(id).await?;
        let body = store.body(meeting.body).await?;
        let disclosure = view::public_disclosure(store, &meeting).await?;
        let proceedings = match meeting.status {
            S::Planned | S::NoticeIssued | S::InSession | S::Held => {
                Some(store.proceedings(id).await?)
            }
            _ => None,
        };
        let protocol = match view::live_shown(&disclosure) {
            LiveShown::Protocol => Some(view::meeting(store, id).await?),
            _ => None,
        };
        let snapshot = proceedings.as_ref().map(Proceedings::snapshot);
        let seq = store.live_seq(id).await?;
        let (check_ins, written) = if proceedings.is_some() {
            (
                store.check_ins(id).await?,
                store.written_proposals(id).await?,
            )
        } else {
            (vec![], vec![])
        };
        Ok(LiveData {
            check_ins,
            written,
            title: format!("{} {}", body.name, meeting.date),
            meeting,
            body,
            seq,
            disclosure,
            proceedings,
            snapshot,
            protocol,
            speaking_since: None,
        })
    }

    /// What the public may see now.
    pub fn shown(&self) -> LiveShown {
        view::live_shown(&self.disclosure)
    }

    /// "Anna Andersson (S)", as the protocol names people.
    pub fn name(&self, person: PersonId) -> String {
        self.proceedings
            .as_ref()
            .and_then(|p| p.names().persons.get(&person))
            .map(|x| x.display())
            .unwrap_or_else(|| format!("person {person}"))
    }

    /// The item under discussion and its paragraph as recorded so far.
    pub fn open_item(&self) -> Option<(usize, &AgendaItem, &Paragraph)> {
        let p = self.proceedings.as_ref()?;
        let snap = self.snapshot.as_ref()?;
        let i = snap.open_item?;
        Some((i, p.setting().items.get(i)?, snap.paragraph.as_ref()?))
    }

    /// The record as it stands (the engine's projection).
    pub fn record(&self) -> Option<MeetingRecord> {
        self.proceedings.as_ref().map(Proceedings::record)
    }
}

/// `live.js`: the EventSource and the fragment swap (Content-Security-Policy
/// `script-src 'self'`: no inline script anywhere).
pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/live.js"),
    )
}

/// The meeting's phase as people say it.
fn phase_label(p: MeetingPhase) -> &'static str {
    match p {
        MeetingPhase::NotOpened => "Sammanträdet har inte öppnats.",
        MeetingPhase::Open => "Sammanträdet pågår.",
        MeetingPhase::Adjourned => "Sammanträdet är ajournerat.",
        MeetingPhase::Closed => "Sammanträdet är avslutat.",
    }
}

/// One member's vote, for the result by name.
pub struct BallotLine {
    pub name: String,
    pub choice: &'static str,
}

/// A votering under way: how many have voted, not how.
pub struct VotingLine {
    pub ja_nej: String,
    pub voted: usize,
    pub of: usize,
    /// Everyone taking part, with their ballot so far: only for the
    /// secretary and the chair (`official`), never for the public.
    pub roll: Vec<(String, Option<&'static str>)>,
}

/// A counted vote.
pub struct ResultLine {
    /// "§3 Svar på motion om nattbussar".
    pub paragraph: String,
    pub wording: String,
    pub ja: usize,
    pub nej: usize,
    pub avstar: usize,
    pub ballots: Vec<BallotLine>,
}

/// What a live fragment shows of the meeting, for the public (secrecy
/// applied) or for those in the meeting (`official`: everything).
pub struct Shown {
    pub phase: &'static str,
    /// "§3 Svar på motion om nattbussar", or [`view::SECRET_ITEM_TITLE`].
    pub item: Option<String>,
    /// The item's content may be shown.
    pub item_public: bool,
    pub step: &'static str,
    pub proposals: Vec<String>,
    pub voting: Option<VotingLine>,
    /// The last counted vote of the item under discussion, else of the
    /// last item dealt with.
    pub result: Option<ResultLine>,
    /// The decision of the item under discussion once made.
    pub decision: Vec<String>,
    /// The current speaker (#20 L1's talarlista), with the advisory time.
    pub speaking: Option<SpeakerLine>,
    pub queue: Vec<String>,
}

pub struct SpeakerLine {
    pub name: String,
    /// "replik på Per Persson (S)".
    pub kind: String,
    /// Milliseconds since the epoch when the floor was given, for live.js's
    /// timer; 0: unknown.
    pub since_ms: i64,
    /// The advisory time in seconds; 0: none.
    pub limit_s: u32,
}

fn decision_lines(d: &kansli_core::decision::Decision, body: &str) -> Vec<String> {
    d.parts
        .iter()
        .flat_map(|part| {
            std::iter::once(part.intro(body))
                .chain(part.clauses.iter().map(|c| format!("– att {}", c.text)))
        })
        .collect()
}

fn result_line(data: &LiveData, paragraph: &Paragraph, vote: &Vote) -> ResultLine {
    use kansli_core::meeting::VoteChoice;
    let count = |c: VoteChoice| vote.ballots.iter().filter(|b| b.choice == c).count();
    ResultLine {
        paragraph: format!("§{} {}", paragraph.number, paragraph.title),
        wording: vote.wording.clone(),
        ja: count(VoteChoice::Ja),
        nej: count(VoteChoice::Nej),
        avstar: count(VoteChoice::Avstar),
        ballots: vote
            .ballots
            .iter()
            .map(|b| BallotLine {
                name: data.name(b.person),
                choice: b.choice.label_sv(),
            })
            .collect(),
    }
}

impl Shown {
    /// What `data` shows; `official`: the audience is in the meeting (the
    /// members, the chair, the secretary), else the public, who must only
    /// be given this when [`LiveData::shown`] is [`LiveShown::Live`].
    pub fn of(data: &LiveData, official: bool) -> Shown {
        let mut shown = Shown {
            phase: "",
            item: None,
            item_public: false,
            step: "",
            proposals: vec![],
            voting: None,
            result: None,
            decision: vec![],
            speaking: None,
            queue: vec![],
        };
        let (Some(p), Some(snap)) = (&data.proceedings, &data.snapshot) else {
            return shown;
        };
        shown.phase = phase_label(snap.phase);
        let names = p.names();
        let setting = p.setting();
        if let Some((_, item, par)) = data.open_item() {
            let public = official || view::item_public(item, Some(par));
            shown.item_public = public;
            shown.item = Some(if public {
                format!("§{} {}", par.number, par.title)
            } else {
                format!("§{} {}", par.number, view::SECRET_ITEM_TITLE)
            });
            if public {
                shown.step = match snap.step {
                    _ if snap.decided => "Beslut är fattat.",
                    Step::Idle => "Överläggning och yrkanden.",
                    Step::Found => "Ordföranden har ställt proposition.",
                    Step::VoteRequested => "Votering är begärd.",
                    Step::Voting => "Votering pågår.",
                };
                shown.proposals = par
                    .proposals
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| !x.withdrawn)
                    .map(|(i, x)| {
                        format!(
                            "Yrkande {} ({}): {}",
                            i + 1,
                            names.actors(&x.movers),
                            x.text
                        )
                    })
                    .collect();
                if snap.step == Step::Voting {
                    let side = |s: Option<usize>| match s
                        .and_then(|i| par.proposals.get(i).map(|x| (i, x)))
                    {
                        Some((i, x)) => format!("yrkande {} ({})", i + 1, x.text),
                        None => "att ärendet avgörs i dag".into(),
                    };
                    let roll: Vec<(String, Option<&'static str>)> = if official {
                        let mut order: Vec<PersonId> = setting
                            .roster
                            .iter()
                            .map(|s| s.person.id)
                            .filter(|x| snap.deciding.contains(x))
                            .collect();
                        for b in &snap.ballots {
                            if !order.contains(&b.person) {
                                order.push(b.person);
                            }
                        }
                        order
                            .into_iter()
                            // Who has voted, not how, until the votes are
                            // counted (issue #20: the chair's live count):
                            // the choices appear in the result.
                            .map(|x| {
                                let voted = snap.ballots.iter().any(|b| b.person == x);
                                (data.name(x), voted.then_some("har röstat"))
                            })
                            .collect()
                    } else {
                        vec![]
                    };
                    shown.voting = Some(VotingLine {
                        ja_nej: snap
                            .ja_nej
                            .map(|(ja, nej)| {
                                format!("Ja-röst för {}; nej-röst för {}.", side(ja), side(nej))
                            })
                            .unwrap_or_default(),
                        voted: snap.ballots.len(),
                        of: snap.deciding.len().max(snap.ballots.len()),
                        roll,
                    });
                }
                if let Some(vote) = par.votes.last() {
                    shown.result = Some(result_line(data, par, vote));
                }
                if let Some(d) = &par.decision {
                    shown.decision = decision_lines(d, &setting.body.name);
                }
                let floor = &snap.floor;
                shown.speaking = floor.speaking.as_ref().map(|s| SpeakerLine {
                    name: data.name(s.person),
                    kind: member::kind_label(p, floor, s.kind),
                    since_ms: data.speaking_since.map_or(0, |t| t.as_millisecond()),
                    limit_s: floor.rules.minutes(s.kind).unwrap_or(0) * 60,
                });
                shown.queue = member::queue_lines(p, floor);
            }
        } else if let Some((i, n)) = snap.done.last() {
            // Between items: the last one dealt with and its last vote.
            let record = p.record();
            if let (Some(item), Some(par)) = (setting.items.get(*i), record.paragraph(*n))
                && (official || view::item_public(item, Some(par)))
                && let Some(vote) = par.votes.last()
            {
                shown.result = Some(result_line(data, par, vote));
            }
        }
        shown
    }
}
