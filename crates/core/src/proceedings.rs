//! The meeting as it runs: a state machine driven by [`Command`]s.
//!
//! The secretary's actions during a meeting (who arrives, who serves, what is
//! moved, how the chair puts the questions, how each member votes) arrive one
//! at a time. [`Proceedings::apply`] accepts a command and records its effect,
//! or refuses it with a reason in Swedish and changes nothing. The accepted
//! commands form the log from which the same state is rebuilt
//! ([`Proceedings::replay`]), so a meeting survives a crash as long as the log
//! does. [`Proceedings::record`] gives the meeting as the protocol records it
//! (KL 5 kap. 67 §): every proposal, the chair's propositions in order, every
//! vote with each member's ballot, the decisions and the reservations, and
//! attendance per paragraph.
//!
//! Law: kommunallagen (2017:725), "KL". Paragraph references for nämnder are
//! given; fullmäktige has the corresponding rules in 5 kap.

use crate::decision::{Clause, Decision, Formula};
use crate::floor::{Floor, FloorKind, FloorRules, FloorSnapshot};
use crate::meeting::{
    Actor, AgendaItem, Attendee, Ballot, Capacity, Disqualification, ItemKind, Meeting,
    MeetingRecord, MeetingStatus, MinuteNote, Paragraph, Proposal, ProposalKind, Proposition,
    Reservation, Vote, VoteChoice,
};
use crate::org::{Body, BodyKind, Party, Person, Role};
use crate::rules::{Outcome, has_quorum, outcome, tally};
use crate::wording::{self, Names, Stage};
use crate::{CaseId, Date, PersonId, Refusal, Time};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A member or substitute of the body for the term, as the roster lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seat {
    pub person: Person,
    pub role: Role,
    /// The party group the seat belongs to; substitutes serve for members of
    /// their own group first.
    pub party_group: Option<String>,
}

/// What is fixed before the meeting opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    /// The planned meeting.
    pub meeting: Meeting,
    /// The agenda, in order, without paragraphs.
    pub items: Vec<AgendaItem>,
    pub body: Body,
    /// Members and substitutes, substitutes in their serving order.
    pub roster: Vec<Seat>,
    pub parties: Vec<Party>,
    /// The number the first paragraph gets (numbering runs per body and year).
    pub first_number: u32,
    /// Cases already tabled or sent back once at a minority's request
    /// (KL 5 kap. 50 §): a further request needs a majority.
    #[serde(default)]
    pub minority_used: Vec<CaseId>,
    /// The arbetsordning's rules of debate (repliker, advisory times,
    /// substitutes' yttranderätt); absent in settings frozen before the
    /// talarlista, which then replay with the defaults.
    #[serde(default)]
    pub floor: FloorRules,
}

/// Whether the meeting has opened, is adjourned or is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingPhase {
    NotOpened,
    Open,
    Adjourned,
    Closed,
}

/// Where the beslutsgång of the open item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Proposals may be moved, or the chair may put them.
    Idle,
    /// The chair has found; a vote may be requested, or the item decided.
    Found,
    /// A vote is requested; the voting order is to be approved.
    VoteRequested,
    /// The roll call is under way.
    Voting,
}

/// The state of a running meeting as a screen shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    pub phase: MeetingPhase,
    /// Who is in the room, in order of arrival, with capacity.
    pub present: Vec<(PersonId, Capacity)>,
    /// The agenda position of the item now open.
    pub open_item: Option<usize>,
    /// The open item's paragraph as recorded so far.
    pub paragraph: Option<Paragraph>,
    pub decided: bool,
    pub disqualified: Vec<PersonId>,
    pub step: Step,
    /// The proposals last put against each other (when [`Step::Found`]).
    pub put: Vec<usize>,
    /// Ballots cast so far in the vote under way.
    pub ballots: Vec<Ballot>,
    /// Finished items: agenda position and paragraph number.
    pub done: Vec<(usize, u32)>,
    /// Who takes part in decisions now.
    pub deciding: Vec<PersonId>,
    pub presiding: Option<PersonId>,
    /// What the chair's next proposition may put now, each set one
    /// proposition: a procedural proposal alone (any of them), else the
    /// candidates for the motförslag, else every standing main proposal.
    /// Empty when no proposition may be put.
    pub may_put: Vec<Vec<usize>>,
    /// Whether a yrkande may be moved now.
    pub may_move: bool,
    /// Whether the item may be decided now (no proposition or vote is
    /// pending, procedural questions first, the main question settled).
    pub may_decide: bool,
    /// The two sides of the vote requested (when [`Step::VoteRequested`]):
    /// the voting order puts them as ja and nej, either way round.
    pub sides: Option<[Option<usize>; 2]>,
    /// What a ja and a nej are for in the vote under way.
    pub ja_nej: Option<(Option<usize>, Option<usize>)>,
    /// The talarlista ([`crate::floor`]).
    pub floor: FloorSnapshot,
}

/// One thing that happens at the meeting, as the secretary records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// The chair opens the meeting, on the day `on`: never before the
    /// meeting's date ([`crate::meeting::check_opening`]). `None` only in
    /// logs written before the day was recorded; the store refuses a new
    /// opening without it.
    Open {
        at: Option<Time>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<Date>,
    },
    /// A member or substitute of the body arrives.
    Arrive {
        person: PersonId,
    },
    /// An official or guest arrives ("övriga närvarande").
    ArriveOther {
        person: PersonId,
        name: String,
        title: String,
    },
    Leave {
        person: PersonId,
    },
    /// A substitute present serves in place of a member who is absent or
    /// disqualified (tjänstgör).
    Serve {
        substitute: PersonId,
        replacing: PersonId,
    },
    /// Jäv: the person takes no part in the item now open.
    Disqualify {
        person: PersonId,
        ground: String,
    },
    /// The body takes up an agenda item (by position); it gets the next
    /// paragraph number.
    TakeUp {
        item: usize,
        draft_decision: Option<Decision>,
    },
    /// A yrkande.
    Move {
        movers: Vec<Actor>,
        kind: ProposalKind,
        text: String,
        decision: Option<Decision>,
    },
    Withdraw {
        proposal: usize,
    },
    /// The chair puts proposals against each other and finds which one the
    /// body supports; `found_for: None` when a procedural proposal was put and
    /// the body decides the matter today.
    Put {
        put: Vec<usize>,
        found_for: Option<usize>,
    },
    RequestVote {
        by: PersonId,
    },
    /// The body approves the voting order: what a ja and a nej are for.
    ApproveVotingOrder {
        ja: Option<usize>,
        nej: Option<usize>,
    },
    CastVote {
        person: PersonId,
        choice: VoteChoice,
    },
    /// A recorded ballot is corrected (the secretary heard or clicked
    /// wrong): only while the roll call is under way, before the votes are
    /// counted. A second `CastVote` for the same person stays refused, so a
    /// correction is always explicit in the log.
    CorrectVote {
        person: PersonId,
        choice: VoteChoice,
    },
    /// A yrkande corrected: its movers and text (and the decision it
    /// carries) replaced, its kind kept; only while no proposition has been
    /// put on it.
    AmendProposal {
        proposal: usize,
        movers: Vec<Actor>,
        text: String,
        decision: Option<Decision>,
    },
    /// A decided item is taken up again before the meeting closes: its
    /// decision, propositions, votes and reservations are withdrawn and the
    /// beslutsgång starts over under the same paragraph number, with its
    /// yrkanden, jäv and protokollsanteckningar kept.
    Reopen {
        paragraph: u32,
    },
    /// The votes are counted. In an election a tie is settled by lot, whose
    /// result is given here; otherwise `lot` must be empty.
    CountVotes {
        lot: Option<VoteChoice>,
    },
    /// #20 L4: a proportional election on the open election item (lag
    /// (2022:629) om proportionella val i kommuner och regioner): who asked
    /// for it (2 §), the seats, the ballots per list as counted on paper
    /// (5 §), and the lots drawn in the room on a tie. Refused when too few
    /// ask, when a list or the count does not fit the seats, or when a tie
    /// needs a lot that is not given; see [`crate::election::hold`].
    ElectProportionally(crate::election::ElectionEntry),
    /// At least a third of the members present demand that a matter in
    /// fullmäktige is sent back or tabled (KL 5 kap. 50 §).
    MinorityReferral {
        proposal: usize,
        supporters: Vec<PersonId>,
    },
    /// The body decides the item. The decision is the winning proposal's
    /// when it has one, else the one given, else the draft decision.
    Decide {
        decision: Option<Decision>,
    },
    Reserve {
        paragraph: u32,
        by: Vec<Actor>,
        in_favour_of: Option<usize>,
        reasons: Option<String>,
    },
    MinuteNote {
        paragraph: u32,
        by: Vec<Actor>,
        text: String,
    },
    /// The item is done; the body may take up the next.
    FinishItem,
    Adjourn,
    Resume,
    Close {
        at: Option<Time>,
    },
    // The talarlista ([`crate::floor`]); appended after `Close` so that
    // logs keep their meaning.
    /// A member asks for the floor: an anförande, a replik on the anförande
    /// just made, a genmäle on the replik made on one's own anförande, or
    /// an ordningsfråga. Only those present with the right to speak.
    RequestFloor {
        person: PersonId,
        kind: FloorKind,
    },
    /// All the person's requests for the floor withdrawn.
    WithdrawFloorRequest {
        person: PersonId,
    },
    /// The chair gives the floor to the first on the talarlista
    /// (ordningsfråga, then genmäle, then replik, then anförande, each in
    /// the order asked for); never while someone speaks.
    GiveFloor {
        person: PersonId,
    },
    /// The speaker has finished. The engine never ends a speech by itself:
    /// speaking time cannot be cut off, the arbetsordning's minutes are
    /// advisory.
    EndSpeech,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    NotOpened,
    Open,
    Adjourned,
    Closed,
}

/// Where the beslutsgång of the open item stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pending {
    Idle,
    /// The chair has found; a vote may still be requested.
    Found {
        stage: Stage,
        put: Vec<usize>,
        found: Option<usize>,
    },
    /// A vote is requested; the voting order is to be approved.
    VoteRequested {
        stage: Stage,
        sides: [Option<usize>; 2],
    },
    Voting {
        stage: Stage,
        ja: Option<usize>,
        nej: Option<usize>,
        ballots: Vec<Ballot>,
    },
}

#[derive(Debug, Clone)]
struct Current {
    item: usize,
    paragraph: Paragraph,
    disqualified: BTreeSet<PersonId>,
    pending: Pending,
    procedural_settled: BTreeSet<usize>,
    procedural_won: Option<usize>,
    /// The huvudförslag the chair found among more than two proposals, when
    /// a vote was then requested.
    main_found: Option<usize>,
    /// Candidates for the motförslag still in the running.
    counter_pool: Option<BTreeSet<usize>>,
    /// The proposal that won the main question.
    main_winner: Option<usize>,
    /// Everyone who moved a proposal or cast a ballot, with the capacity
    /// they did it in: they took part in the item even if they leave before
    /// the decision is announced.
    voters: BTreeMap<PersonId, Capacity>,
    /// Who voted for the side that won, vote by vote.
    vote_winners: Vec<BTreeSet<PersonId>>,
    decided: bool,
}

/// A finished or open paragraph with who took part in its decision.
#[derive(Debug, Clone)]
struct Done {
    item: usize,
    paragraph: Paragraph,
    /// Everyone present at the decision, with capacity.
    present: BTreeMap<PersonId, Capacity>,
    /// Those who took part in the decision.
    deciding: BTreeSet<PersonId>,
    /// Who voted for which side in each vote (for reservations).
    winners: Vec<BTreeSet<PersonId>>,
    /// Who presided when the item was decided.
    chair: Option<PersonId>,
}

/// The meeting in progress.
#[derive(Debug, Clone)]
pub struct Proceedings {
    setting: Setting,
    names: Names,
    body_text: String,
    phase: Phase,
    /// Who is in the room now, in order of arrival.
    present: Vec<(PersonId, Capacity)>,
    current: Option<Current>,
    done: Vec<Done>,
    next_number: u32,
    starts: Option<Time>,
    ends: Option<Time>,
    first_chair: Option<PersonId>,
    /// Everyone who has been in the room, in order of arrival.
    seen: Vec<(PersonId, Capacity)>,
    minority_used: BTreeSet<CaseId>,
    /// The talarlista of the open item.
    floor: Floor,
    log: Vec<Command>,
}

fn refuse<T>(at: impl Into<String>, reason: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal::new(at, reason))
}

impl Proceedings {
    /// A meeting about to open. The setting must be a planned meeting with an
    /// agenda and no paragraphs.
    pub fn new(setting: Setting) -> Result<Proceedings, Refusal> {
        let at = "sammanträdet";
        if !matches!(
            setting.meeting.status,
            MeetingStatus::Planned | MeetingStatus::NoticeIssued
        ) {
            return refuse(at, "bara ett planerat sammanträde kan genomföras");
        }
        if setting.items.iter().any(|i| i.paragraph.is_some()) {
            return refuse(at, "föredragningslistan har redan paragrafer");
        }
        if setting.first_number == 0 {
            return refuse(at, "paragrafnumreringen börjar på 1");
        }
        let mut people = BTreeSet::new();
        for seat in &setting.roster {
            if !people.insert(seat.person.id) {
                return refuse(
                    at,
                    format!("{} står två gånger i ledamotslistan", seat.person.name),
                );
            }
        }
        let members = setting.roster.iter().filter(|s| s.role.is_member()).count();
        if members > setting.body.seats as usize {
            return refuse(
                at,
                format!(
                    "organet har {} platser men {members} ledamöter",
                    setting.body.seats
                ),
            );
        }
        let persons: Vec<Person> = setting.roster.iter().map(|s| s.person.clone()).collect();
        let names = Names::new(&persons, &setting.parties);
        Ok(Proceedings {
            body_text: wording::body_in_text(&setting.body.name, setting.body.kind),
            names,
            phase: Phase::NotOpened,
            present: Vec::new(),
            current: None,
            done: Vec::new(),
            next_number: setting.first_number,
            starts: None,
            ends: None,
            first_chair: None,
            seen: Vec::new(),
            minority_used: setting.minority_used.iter().copied().collect(),
            floor: Floor::default(),
            log: Vec::new(),
            setting,
        })
    }

    /// Rebuilds the state from a setting and the accepted commands. A
    /// refusal names the command (counted from 1) that no longer applies.
    pub fn replay(setting: Setting, log: &[Command]) -> Result<Proceedings, Refusal> {
        let mut p = Proceedings::new(setting)?;
        for (i, command) in log.iter().enumerate() {
            p.apply(command.clone()).map_err(|r| Refusal {
                at: format!("händelse {}: {}", i + 1, r.at),
                reason: r.reason,
            })?;
        }
        Ok(p)
    }

    /// The accepted commands, in order.
    pub fn log(&self) -> &[Command] {
        &self.log
    }

    pub fn names(&self) -> &Names {
        &self.names
    }

    /// The body as sentences name it ("arbetsutskottet").
    pub fn body_in_text(&self) -> &str {
        &self.body_text
    }

    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    /// The setting the meeting runs in (roster, agenda, body).
    pub fn setting(&self) -> &Setting {
        &self.setting
    }

    /// Where the meeting stands, for a screen that shows what may be done
    /// next.
    pub fn snapshot(&self) -> Snapshot {
        let (stage, ballots, put) = match self.current.as_ref().map(|c| &c.pending) {
            None | Some(Pending::Idle) => (Step::Idle, vec![], vec![]),
            Some(Pending::Found { put, .. }) => (Step::Found, vec![], put.clone()),
            Some(Pending::VoteRequested { .. }) => (Step::VoteRequested, vec![], vec![]),
            Some(Pending::Voting { ballots, .. }) => (Step::Voting, ballots.clone(), vec![]),
        };
        Snapshot {
            phase: match self.phase {
                Phase::NotOpened => MeetingPhase::NotOpened,
                Phase::Open => MeetingPhase::Open,
                Phase::Adjourned => MeetingPhase::Adjourned,
                Phase::Closed => MeetingPhase::Closed,
            },
            present: self.present.clone(),
            open_item: self.current.as_ref().map(|c| c.item),
            // Once decided, the item's paragraph lives on in `done`, where
            // reservations and notes are added.
            paragraph: self.current.as_ref().map(|c| {
                self.done
                    .iter()
                    .find(|d| d.paragraph.number == c.paragraph.number)
                    .map_or_else(|| c.paragraph.clone(), |d| d.paragraph.clone())
            }),
            decided: self.current.as_ref().is_some_and(|c| c.decided),
            disqualified: self
                .current
                .as_ref()
                .map(|c| c.disqualified.iter().copied().collect())
                .unwrap_or_default(),
            step: stage,
            put,
            ballots,
            done: self
                .done
                .iter()
                .map(|d| (d.item, d.paragraph.number))
                .collect(),
            deciding: self.deciding_now(),
            presiding: self.presiding(),
            may_put: self.may_put(),
            may_move: self.may_move(),
            may_decide: self.may_decide(),
            sides: match self.current.as_ref().map(|c| &c.pending) {
                Some(Pending::VoteRequested { sides, .. }) => Some(*sides),
                _ => None,
            },
            ja_nej: match self.current.as_ref().map(|c| &c.pending) {
                Some(Pending::Voting { ja, nej, .. }) => Some((*ja, *nej)),
                _ => None,
            },
            floor: self.floor.snapshot(&self.setting.floor),
        }
    }

    /// The open, undecided item with a finding no vote was requested on
    /// carried out: what the next command would see.
    fn settled_current(&self) -> Option<Current> {
        let mut c = self.current.clone().filter(|c| !c.decided)?;
        if !matches!(
            c.pending,
            Pending::Found {
                stage: Stage::Counter,
                ..
            }
        ) {
            Self::commit_found(&mut c);
        }
        Some(c)
    }

    fn may_put(&self) -> Vec<Vec<usize>> {
        if self.phase != Phase::Open {
            return vec![];
        }
        let Some(c) = self.settled_current() else {
            return vec![];
        };
        if c.pending != Pending::Idle || c.procedural_won.is_some() {
            return vec![];
        }
        let proposals = &c.paragraph.proposals;
        let procedural: Vec<Vec<usize>> = proposals
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                p.kind.is_procedural() && !p.withdrawn && !c.procedural_settled.contains(i)
            })
            .map(|(i, _)| vec![i])
            .collect();
        if !procedural.is_empty() {
            return procedural;
        }
        if let Some(pool) = &c.counter_pool {
            return vec![pool.iter().copied().collect()];
        }
        if c.main_winner.is_some() || c.main_found.is_some() {
            return vec![];
        }
        let main: Vec<usize> = proposals
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.kind.is_procedural() && !p.withdrawn)
            .map(|(i, _)| i)
            .collect();
        if main.is_empty() { vec![] } else { vec![main] }
    }

    fn may_move(&self) -> bool {
        if self.phase != Phase::Open {
            return false;
        }
        self.settled_current().is_some_and(|c| {
            c.pending == Pending::Idle
                && c.main_found.is_none()
                && c.main_winner.is_none()
                && c.counter_pool.is_none()
                && c.procedural_won.is_none()
        })
    }

    fn may_decide(&self) -> bool {
        if self.phase != Phase::Open {
            return false;
        }
        let Some(c) = self.settled_current() else {
            return false;
        };
        if c.pending != Pending::Idle {
            return false;
        }
        if c.procedural_won.is_some() {
            return true;
        }
        let standing = |procedural: bool| {
            c.paragraph.proposals.iter().enumerate().any(|(i, p)| {
                p.kind.is_procedural() == procedural
                    && !p.withdrawn
                    && !(procedural && c.procedural_settled.contains(&i))
            })
        };
        // #20 L4: a proportional election decides the item.
        !standing(true)
            && (!standing(false) || c.main_winner.is_some() || !c.paragraph.elections.is_empty())
    }

    /// The paragraph number of the item now open, if any.
    pub fn open_paragraph(&self) -> Option<u32> {
        self.current.as_ref().map(|c| c.paragraph.number)
    }

    /// Applies one command, or refuses it and leaves everything as it was.
    pub fn apply(&mut self, command: Command) -> Result<(), Refusal> {
        // The log is not needed to judge the command (only its length), so
        // it is not copied with the state: a long meeting's log would make
        // every command cost more than the last.
        let mut next = self.clone_without_log();
        next.step(&command, self.log.len())?;
        next.log = std::mem::take(&mut self.log);
        next.log.push(command);
        *self = next;
        Ok(())
    }

    /// Whether the command would be accepted now, and if not why; nothing
    /// changes. A screen asks this to offer only what may be done.
    pub fn check(&self, command: &Command) -> Result<(), Refusal> {
        self.clone_without_log().step(command, self.log.len())
    }

    fn clone_without_log(&self) -> Proceedings {
        Proceedings {
            setting: self.setting.clone(),
            names: self.names.clone(),
            body_text: self.body_text.clone(),
            phase: self.phase,
            present: self.present.clone(),
            current: self.current.clone(),
            done: self.done.clone(),
            next_number: self.next_number,
            starts: self.starts,
            ends: self.ends,
            first_chair: self.first_chair,
            seen: self.seen.clone(),
            minority_used: self.minority_used.clone(),
            floor: self.floor.clone(),
            log: Vec::new(),
        }
    }

    fn seat(&self, person: PersonId) -> Option<&Seat> {
        self.setting.roster.iter().find(|s| s.person.id == person)
    }

    fn seat_position(&self, person: PersonId) -> usize {
        self.setting
            .roster
            .iter()
            .position(|s| s.person.id == person)
            .unwrap_or(usize::MAX)
    }

    fn name(&self, person: PersonId) -> String {
        self.names
            .persons
            .get(&person)
            .map(Person::display)
            .unwrap_or_else(|| format!("person {person}"))
    }

    fn capacity(&self, person: PersonId) -> Option<&Capacity> {
        self.present
            .iter()
            .find(|(p, _)| *p == person)
            .map(|(_, c)| c)
    }

    /// The substitute serving in a member's place now, if any.
    fn serving_for(&self, member: PersonId) -> Option<PersonId> {
        let disqualified = self.current.as_ref().map(|c| &c.disqualified);
        self.present.iter().find_map(|(p, c)| match c {
            Capacity::ServingSubstitute { replacing }
                if *replacing == member && !disqualified.is_some_and(|d| d.contains(p)) =>
            {
                Some(*p)
            }
            _ => None,
        })
    }

    /// Those who take part in decisions now: members present whose place is
    /// not taken by a substitute, and serving substitutes, less anyone
    /// disqualified from the open item (KL 6 kap. 30 §).
    pub fn deciding_now(&self) -> Vec<PersonId> {
        let disqualified = self.current.as_ref().map(|c| &c.disqualified);
        self.present
            .iter()
            .filter(|(p, c)| match c {
                Capacity::Member => {
                    self.present.iter().all(|(_, other)| {
                        !matches!(other, Capacity::ServingSubstitute { replacing } if replacing == p)
                    })
                }
                Capacity::ServingSubstitute { .. } => true,
                _ => false,
            })
            .map(|(p, _)| *p)
            .filter(|p| !disqualified.is_some_and(|d| d.contains(p)))
            .collect()
    }

    fn deciding(&self, person: PersonId) -> bool {
        self.deciding_now().contains(&person)
    }

    /// Who presides: the chair, else the first and then the second vice
    /// chair, else the member first on the roster (KL 6 kap. 20 § lets the
    /// longest-serving member preside; the roster is taken to be in that
    /// order).
    pub fn presiding(&self) -> Option<PersonId> {
        self.deciding_now()
            .into_iter()
            .filter(|p| self.seat(*p).is_some_and(|s| s.role.is_member()))
            .min_by_key(|p| {
                let seat = self.seat(*p).expect("filtered");
                (seat.role.rank(), self.seat_position(*p))
            })
    }

    /// Beslutförhet (KL 6 kap. 27 §; fullmäktige 5 kap. 42 §): more than half
    /// of the members take part.
    fn check_quorum(&self, at: &str) -> Result<(), Refusal> {
        let n = self.deciding_now().len();
        let seats = self.setting.body.seats;
        if has_quorum(seats, n) {
            Ok(())
        } else {
            refuse(
                at,
                format!(
                    "organet är inte beslutfört: {n} av {seats} ledamöter deltar, mer än hälften krävs (KL 6 kap. 27 §)"
                ),
            )
        }
    }

    fn require_sitting(&self, at: &str) -> Result<(), Refusal> {
        match self.phase {
            Phase::Open => Ok(()),
            Phase::NotOpened => refuse(at, "sammanträdet är inte öppnat"),
            Phase::Adjourned => refuse(at, "sammanträdet är ajournerat"),
            Phase::Closed => refuse(at, "sammanträdet är avslutat"),
        }
    }

    fn current_at(&self) -> String {
        self.current
            .as_ref()
            .map(|c| format!("§{}", c.paragraph.number))
            .unwrap_or_else(|| "sammanträdet".into())
    }

    fn open_item(&mut self, at: &str) -> Result<&mut Current, Refusal> {
        match &self.current {
            None => return refuse(at, "inget ärende är uppe för behandling"),
            Some(c) if c.decided => {
                return refuse(
                    format!("§{}", c.paragraph.number),
                    "ärendet är redan avgjort",
                );
            }
            Some(_) => {}
        }
        Ok(self.current.as_mut().expect("checked above"))
    }

    fn check_actors(
        &self,
        at: &str,
        actors: &[Actor],
        allowed: &BTreeSet<PersonId>,
    ) -> Result<(), Refusal> {
        if actors.is_empty() {
            return refuse(at, "ange vem det gäller");
        }
        for a in actors {
            match a {
                Actor::Person { person } if !allowed.contains(person) => {
                    return refuse(
                        at,
                        format!(
                            "{} deltar inte i beslutet vid paragrafen",
                            self.name(*person)
                        ),
                    );
                }
                Actor::Party { party } => {
                    let any = allowed.iter().any(|p| {
                        self.seat(*p).is_some_and(|s| {
                            s.party_group.as_deref() == Some(party.as_str())
                                || s.person.party.as_deref() == Some(party.as_str())
                        })
                    });
                    if !any {
                        return refuse(
                            at,
                            format!("ingen från {party} deltar i beslutet vid paragrafen"),
                        );
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Attendance is what the protocol records as it was at each decision
    /// (KL 5 kap. 67 §, 6 kap. 35 §): once the meeting is closed nobody
    /// arrives, leaves, serves or declares jäv any more.
    fn attendance_open(&self, at: &str) -> Result<(), Refusal> {
        if self.phase == Phase::Closed {
            return refuse(
                at,
                "sammanträdet är avslutat; närvaro, tjänstgöring och jäv kan inte längre ändras",
            );
        }
        Ok(())
    }

    /// Whether a proposition has been put on the proposal, or is being.
    fn is_put(c: &Current, proposal: usize) -> bool {
        c.paragraph
            .propositions
            .iter()
            .any(|s| s.put.contains(&proposal))
            || matches!(&c.pending, Pending::Found { put, .. } if put.contains(&proposal))
    }

    /// Who took part in the item by moving or voting, with the capacity they
    /// did it in, after a yrkande was corrected or the item reopened.
    fn recount_voters(c: &mut Current, present: &[(PersonId, Capacity)]) {
        let mut people: BTreeSet<PersonId> = c
            .paragraph
            .proposals
            .iter()
            .flat_map(|p| p.movers.iter())
            .filter_map(|a| match a {
                Actor::Person { person } => Some(*person),
                Actor::Party { .. } => None,
            })
            .collect();
        for v in &c.paragraph.votes {
            people.extend(v.ballots.iter().map(|b| b.person));
        }
        if let Pending::Voting { ballots, .. } = &c.pending {
            people.extend(ballots.iter().map(|b| b.person));
        }
        let old = std::mem::take(&mut c.voters);
        c.voters = people
            .into_iter()
            .filter_map(|p| {
                old.get(&p)
                    .cloned()
                    .or_else(|| {
                        present
                            .iter()
                            .find(|(x, _)| *x == p)
                            .map(|(_, cap)| cap.clone())
                    })
                    .map(|cap| (p, cap))
            })
            .collect();
    }

    /// Why there is no roll call to vote in.
    fn no_vote(pending: &Pending, counted: bool) -> &'static str {
        match pending {
            Pending::VoteRequested { .. } => {
                "ingen omröstning pågår: voteringsordningen är inte godkänd än"
            }
            _ if counted => "ingen omröstning pågår: rösterna är redan räknade",
            _ => "ingen omröstning pågår",
        }
    }

    /// Why the person takes no part in the decision now: absent, jäv, or
    /// not serving.
    fn why_not_deciding(&self, person: PersonId) -> String {
        let name = self.name(person);
        if self.capacity(person).is_none() {
            return format!(
                "{name} är inte närvarande, tjänstgör inte vid paragrafen och får inte rösta"
            );
        }
        if self
            .current
            .as_ref()
            .is_some_and(|c| c.disqualified.contains(&person))
        {
            let law = if self.setting.body.kind == BodyKind::Fullmaktige {
                "KL 5 kap. 47 §"
            } else {
                "KL 6 kap. 30 §"
            };
            return format!("{name} har anmält jäv i ärendet och får inte rösta ({law})");
        }
        format!("{name} tjänstgör inte vid paragrafen och får inte rösta")
    }

    /// Corrects a ballot of the roll call under way. After "Räkna rösterna"
    /// the result is announced and stands (KL 5 kap. 67 §: the protocol
    /// records the vote as held); a mistake then needs the item reopened.
    fn correct_vote(&mut self, person: PersonId, choice: VoteChoice) -> Result<(), Refusal> {
        let at = format!("{}, omröstning", self.current_at());
        self.require_sitting(&at)?;
        let name = self.name(person);
        let c = self.open_item(&at)?;
        let counted = !c.paragraph.votes.is_empty();
        let Pending::Voting { ballots, .. } = &mut c.pending else {
            return refuse(
                at,
                if counted {
                    "rösterna är redan räknade; en röst kan bara rättas innan rösterna räknas"
                } else {
                    "ingen omröstning pågår"
                },
            );
        };
        let Some(ballot) = ballots.iter_mut().find(|b| b.person == person) else {
            return refuse(
                at,
                format!("{name} har inte röstat; det finns ingen röst att rätta"),
            );
        };
        if ballot.choice == choice {
            return refuse(
                at,
                format!(
                    "{name} har redan röstat {}",
                    choice.label_sv().to_lowercase()
                ),
            );
        }
        ballot.choice = choice;
        Ok(())
    }

    /// Corrects a yrkande as moved: who moved it and what it says. Once the
    /// chair has put it, the body has taken a position on it as worded
    /// (KL 5 kap. 67 § records the propositions), so it stays.
    fn amend_proposal(
        &mut self,
        proposal: usize,
        movers: &[Actor],
        text: &str,
        decision: Option<Decision>,
    ) -> Result<(), Refusal> {
        let at = format!("{}, yrkande {}", self.current_at(), proposal + 1);
        self.require_sitting(&at)?;
        let mut allowed: BTreeSet<PersonId> = self.deciding_now().into_iter().collect();
        if let Some(c) = &self.current
            && let Some(p) = c.paragraph.proposals.get(proposal)
        {
            // Who moved it may have left since; they stay movers.
            allowed.extend(p.movers.iter().filter_map(|a| match a {
                Actor::Person { person } => Some(*person),
                Actor::Party { .. } => None,
            }));
        }
        if text.trim().is_empty() {
            return refuse(at, "yrkandet saknar innehåll");
        }
        if let Some(d) = &decision {
            d.check(&at)?;
        }
        let present = self.present.clone();
        {
            let c = self.open_item(&at)?;
            let Some(p) = c.paragraph.proposals.get(proposal) else {
                return refuse(at, "yrkandet finns inte");
            };
            if p.withdrawn {
                return refuse(at, "yrkandet är återkallat och kan inte ändras");
            }
            if Self::is_put(c, proposal) {
                return refuse(
                    at,
                    "ordföranden har ställt proposition på yrkandet; det kan inte längre ändras",
                );
            }
            if p.kind.is_procedural() && decision.is_some() {
                return refuse(
                    at,
                    "återremiss och bordläggning har inget eget beslutsinnehåll",
                );
            }
        }
        self.check_actors(&at, movers, &allowed)?;
        let c = self.open_item(&at)?;
        let p = &mut c.paragraph.proposals[proposal];
        p.movers = movers.to_vec();
        p.text = text.trim().to_string();
        p.decision = decision;
        Self::recount_voters(c, &present);
        Ok(())
    }

    /// Takes a decided item up again (ärendet återupptas), while the
    /// meeting sits and no other item is open. The decision is withdrawn
    /// with what led to it and what rests on it (propositions, votes,
    /// reservations); the yrkanden, jäv and protokollsanteckningar stay, and
    /// the paragraph keeps its number. A minority's referral made in it is
    /// undone with it (KL 5 kap. 50 §: the case may ask again).
    fn reopen(&mut self, number: u32) -> Result<(), Refusal> {
        let at = format!("§{number}, återupptas");
        match self.phase {
            Phase::Closed => {
                return refuse(
                    at,
                    "sammanträdet är avslutat; ett ärende kan bara återupptas innan sammanträdet avslutas",
                );
            }
            _ => self.require_sitting(&at)?,
        }
        match &self.current {
            Some(c) if c.paragraph.number != number => {
                return refuse(
                    at,
                    format!(
                        "§{} är uppe för behandling; gör klart den först",
                        c.paragraph.number
                    ),
                );
            }
            Some(c) if !c.decided => {
                return refuse(at, "ärendet är inte avgjort; det behandlas fortfarande");
            }
            _ => {}
        }
        let Some(i) = self.done.iter().position(|d| d.paragraph.number == number) else {
            return refuse(at, format!("§{number} är inte avgjord vid sammanträdet"));
        };
        let done = self.done.remove(i);
        let mut paragraph = done.paragraph;
        if paragraph.propositions.iter().any(|p| p.by_minority)
            && let Some(case) = self.setting.items[done.item].case
            && !self.setting.minority_used.contains(&case)
        {
            self.minority_used.remove(&case);
        }
        paragraph.propositions.clear();
        paragraph.votes.clear();
        paragraph.decision = None;
        paragraph.reservations.clear();
        // #20 L4: the elections led to the decision and go with it.
        paragraph.elections.clear();
        let disqualified = paragraph
            .disqualifications
            .iter()
            .map(|d| d.person)
            .collect();
        let mut current = Current {
            item: done.item,
            paragraph,
            disqualified,
            pending: Pending::Idle,
            procedural_settled: BTreeSet::new(),
            procedural_won: None,
            main_found: None,
            counter_pool: None,
            main_winner: None,
            voters: done.present.into_iter().collect(),
            vote_winners: Vec::new(),
            decided: false,
        };
        Self::recount_voters(&mut current, &self.present);
        self.current = Some(current);
        Ok(())
    }

    /// Judges and carries out one command, `index` its place in the log;
    /// then the talarlista keeps only what still stands.
    fn step(&mut self, command: &Command, index: usize) -> Result<(), Refusal> {
        let item = self.current.as_ref().map(|c| c.paragraph.number);
        match command {
            Command::Open { at, on } => {
                if self.phase != Phase::NotOpened {
                    return refuse("sammanträdet", "sammanträdet är redan öppnat");
                }
                if let Some(day) = on {
                    crate::meeting::check_opening(self.setting.meeting.date, *day)?;
                }
                let Some(chair) = self.presiding() else {
                    return refuse(
                        "sammanträdet",
                        "ingen ledamot är närvarande som kan leda sammanträdet",
                    );
                };
                self.first_chair = Some(chair);
                self.starts = *at;
                self.phase = Phase::Open;
            }
            Command::Arrive { person } => {
                let at = "närvaro";
                self.attendance_open(at)?;
                let Some(seat) = self.seat(*person) else {
                    return refuse(
                        at,
                        format!(
                            "{} är inte ledamot eller ersättare i organet",
                            self.name(*person)
                        ),
                    );
                };
                if self.capacity(*person).is_some() {
                    return refuse(at, format!("{} är redan närvarande", self.name(*person)));
                }
                let capacity = if seat.role.is_member() {
                    Capacity::Member
                } else {
                    Capacity::Substitute
                };
                self.present.push((*person, capacity.clone()));
                if !self.seen.iter().any(|(p, _)| p == person) {
                    self.seen.push((*person, capacity));
                }
            }
            Command::ArriveOther {
                person,
                name,
                title,
            } => {
                let at = "närvaro";
                self.attendance_open(at)?;
                if self.seat(*person).is_some() {
                    return refuse(
                        at,
                        "en ledamot eller ersättare anmäls som närvarande i sitt uppdrag",
                    );
                }
                if self.capacity(*person).is_some() {
                    return refuse(at, format!("{name} är redan närvarande"));
                }
                if name.trim().is_empty() || title.trim().is_empty() {
                    return refuse(at, "ange namn och titel");
                }
                self.names.persons.insert(
                    *person,
                    Person {
                        id: *person,
                        name: name.clone(),
                        party: None,
                    },
                );
                let capacity = Capacity::Other {
                    title: title.clone(),
                };
                self.present.push((*person, capacity.clone()));
                if !self.seen.iter().any(|(p, _)| p == person) {
                    self.seen.push((*person, capacity));
                }
            }
            Command::Leave { person } => {
                let at = "närvaro";
                self.attendance_open(at)?;
                if self.capacity(*person).is_none() {
                    return refuse(at, format!("{} är inte närvarande", self.name(*person)));
                }
                if let Some(Pending::Voting { ballots, .. }) =
                    self.current.as_ref().map(|c| &c.pending)
                    && self.deciding(*person)
                    && !ballots.iter().any(|b| b.person == *person)
                {
                    return refuse(
                        at,
                        format!(
                            "{} har inte röstat än; omröstningen pågår",
                            self.name(*person)
                        ),
                    );
                }
                self.present.retain(|(p, _)| p != person);
            }
            Command::Serve {
                substitute,
                replacing,
            } => self.serve(*substitute, *replacing)?,
            Command::Disqualify { person, ground } => {
                let at = self.current_at();
                self.attendance_open(&at)?;
                let name = self.name(*person);
                if ground.trim().is_empty() {
                    return refuse(at, "ange grunden för jävet");
                }
                if self.capacity(*person).is_none() {
                    return refuse(at, format!("{name} är inte närvarande"));
                }
                let c = self.open_item(&at)?;
                if !c.paragraph.propositions.is_empty() || c.pending != Pending::Idle {
                    return refuse(at, "jäv ska anmälas innan ordföranden ställer proposition");
                }
                if c.disqualified.contains(person) {
                    return refuse(at, format!("{name} har redan anmält jäv"));
                }
                // Jäv is declared before taking part, not after moving.
                if c.voters.contains_key(person) {
                    return refuse(
                        at,
                        format!(
                            "{name} har redan deltagit i ärendet med ett yrkande; jäv ska anmälas innan"
                        ),
                    );
                }
                c.disqualified.insert(*person);
                c.paragraph.disqualifications.push(Disqualification {
                    person: *person,
                    ground: ground.trim().to_string(),
                });
            }
            Command::TakeUp {
                item,
                draft_decision,
            } => self.take_up(*item, draft_decision.clone())?,
            Command::Move {
                movers,
                kind,
                text,
                decision,
            } => self.move_proposal(movers, *kind, text, decision.clone())?,
            Command::Withdraw { proposal } => {
                let at = self.current_at();
                let c = self.open_item(&at)?;
                let Some(p) = c.paragraph.proposals.get(*proposal) else {
                    return refuse(at, "yrkandet finns inte");
                };
                if p.withdrawn {
                    return refuse(at, "yrkandet är redan återkallat");
                }
                if Self::is_put(c, *proposal) {
                    return refuse(
                        at,
                        "ett yrkande som ordföranden har ställt proposition på kan inte återkallas",
                    );
                }
                c.paragraph.proposals[*proposal].withdrawn = true;
            }
            Command::Put { put, found_for } => self.put(put, *found_for)?,
            Command::RequestVote { by } => self.request_vote(*by)?,
            Command::ApproveVotingOrder { ja, nej } => {
                let at = format!("{}, voteringsordning", self.current_at());
                self.require_sitting(&at)?;
                let c = self.open_item(&at)?;
                // A counter-proposal found without a vote goes straight to
                // the main vote already requested.
                if matches!(
                    c.pending,
                    Pending::Found {
                        stage: Stage::Counter,
                        ..
                    }
                ) {
                    Self::commit_found(c);
                }
                let Pending::VoteRequested { stage, sides } = c.pending.clone() else {
                    return refuse(at, "ingen omröstning är begärd");
                };
                let given = [*ja, *nej];
                let same = (given[0] == sides[0] && given[1] == sides[1])
                    || (given[0] == sides[1] && given[1] == sides[0]);
                if !same {
                    return refuse(
                        at,
                        "voteringsordningen måste ställa de förslag som omröstningen gäller mot varandra",
                    );
                }
                c.pending = Pending::Voting {
                    stage,
                    ja: *ja,
                    nej: *nej,
                    ballots: Vec::new(),
                };
            }
            Command::CastVote { person, choice } => {
                let at = format!("{}, omröstning", self.current_at());
                self.require_sitting(&at)?;
                let not_deciding =
                    (!self.deciding(*person)).then(|| self.why_not_deciding(*person));
                let name = self.name(*person);
                let capacity = self.capacity(*person).cloned();
                let c = self.open_item(&at)?;
                let counted = !c.paragraph.votes.is_empty();
                let Pending::Voting { ballots, .. } = &mut c.pending else {
                    return refuse(at, Self::no_vote(&c.pending, counted));
                };
                if let Some(why) = not_deciding {
                    return refuse(at, why);
                }
                if ballots.iter().any(|b| b.person == *person) {
                    return refuse(at, format!("{name} har redan röstat"));
                }
                ballots.push(Ballot {
                    person: *person,
                    choice: *choice,
                });
                if let Some(capacity) = capacity {
                    c.voters.insert(*person, capacity);
                }
            }
            Command::CorrectVote { person, choice } => self.correct_vote(*person, *choice)?,
            Command::AmendProposal {
                proposal,
                movers,
                text,
                decision,
            } => self.amend_proposal(*proposal, movers, text, decision.clone())?,
            Command::Reopen { paragraph } => self.reopen(*paragraph)?,
            Command::CountVotes { lot } => self.count_votes(*lot)?,
            Command::ElectProportionally(entry) => self.elect_proportionally(entry)?,
            Command::MinorityReferral {
                proposal,
                supporters,
            } => self.minority_referral(*proposal, supporters)?,
            Command::Decide { decision } => self.decide(decision.clone())?,
            Command::Reserve {
                paragraph,
                by,
                in_favour_of,
                reasons,
            } => self.reserve(*paragraph, by, *in_favour_of, reasons.clone())?,
            Command::MinuteNote {
                paragraph,
                by,
                text,
            } => {
                let at = format!("§{paragraph}, protokollsanteckning");
                if matches!(self.phase, Phase::NotOpened | Phase::Closed) {
                    return refuse(at, "protokollsanteckningar görs under sammanträdet");
                }
                if text.trim().is_empty() {
                    return refuse(at, "anteckningen saknar text");
                }
                let present: BTreeSet<PersonId> = self.present.iter().map(|(p, _)| *p).collect();
                self.check_actors(&at, by, &present)?;
                let note = MinuteNote {
                    by: by.clone(),
                    text: text.trim().to_string(),
                };
                self.paragraph_mut(*paragraph, &at)?.minute_notes.push(note);
            }
            Command::FinishItem => {
                let at = self.current_at();
                match &self.current {
                    None => return refuse(at, "inget ärende är uppe för behandling"),
                    Some(c) if !c.decided => {
                        return refuse(at, "ärendet är inte avgjort");
                    }
                    Some(_) => {}
                }
                self.current = None;
            }
            Command::Adjourn => {
                self.require_sitting("sammanträdet")?;
                if let Some(Pending::Voting { .. }) = self.current.as_ref().map(|c| &c.pending) {
                    return refuse("sammanträdet", "en omröstning pågår");
                }
                self.phase = Phase::Adjourned;
            }
            Command::Resume => {
                if self.phase != Phase::Adjourned {
                    return refuse("sammanträdet", "sammanträdet är inte ajournerat");
                }
                self.phase = Phase::Open;
            }
            Command::Close { at } => {
                if matches!(self.phase, Phase::NotOpened | Phase::Closed) {
                    return refuse("sammanträdet", "sammanträdet är inte öppnat");
                }
                if let Some(c) = &self.current
                    && !c.decided
                {
                    return refuse(
                        format!("§{}", c.paragraph.number),
                        "ärendet är inte avgjort; sammanträdet kan inte avslutas",
                    );
                }
                self.current = None;
                self.ends = *at;
                self.phase = Phase::Closed;
            }
            Command::RequestFloor { person, kind } => self.request_floor(*person, *kind)?,
            Command::WithdrawFloorRequest { person } => {
                let at = self.floor_at();
                let who = self.name(*person);
                self.floor
                    .withdraw(*person, &who)
                    .or_else(|r| refuse(at, r))?;
            }
            Command::GiveFloor { person } => {
                let at = self.floor_at();
                self.require_sitting(&at)?;
                let names = self.names.clone();
                let name = |p: PersonId| {
                    names
                        .persons
                        .get(&p)
                        .map(Person::display)
                        .unwrap_or_else(|| format!("person {p}"))
                };
                self.floor
                    .give(*person, index, &name)
                    .or_else(|r| refuse(at, r))?;
            }
            Command::EndSpeech => {
                let at = self.floor_at();
                self.floor.end().or_else(|r| refuse(at, r))?;
            }
        }
        self.settle_floor(item);
        Ok(())
    }

    fn floor_at(&self) -> String {
        match &self.current {
            Some(c) => format!("§{}, talarlistan", c.paragraph.number),
            None => "talarlistan".into(),
        }
    }

    /// Whether the debate on the open item goes on: it is not decided, no
    /// vote is under way, and the chair has put no proposition in the main
    /// question (a procedural question put and lost lets the debate go on).
    fn debate_open(&self) -> Result<(), String> {
        let Some(c) = &self.current else {
            return Err("inget ärende är uppe för behandling".into());
        };
        if c.decided {
            return Err("ärendet är avgjort; överläggningen är avslutad".into());
        }
        if c.procedural_won.is_some() {
            return Err(
                "ärendet återremitteras eller bordläggs; överläggningen är avslutad".into(),
            );
        }
        match &c.pending {
            Pending::Voting { .. } => {
                return Err("en omröstning pågår; överläggningen är avslutad".into());
            }
            Pending::VoteRequested { .. } => {
                return Err("omröstning är begärd; överläggningen är avslutad".into());
            }
            Pending::Idle => {}
            Pending::Found {
                stage: Stage::Procedural,
                found: None,
                ..
            } => {}
            Pending::Found { .. } => {
                return Err(
                    "ordföranden har ställt proposition; överläggningen är avslutad".into(),
                );
            }
        }
        if c.main_found.is_some() || c.main_winner.is_some() || c.counter_pool.is_some() {
            return Err(
                "ordföranden har ställt proposition i huvudfrågan; överläggningen är avslutad"
                    .into(),
            );
        }
        Ok(())
    }

    /// Whether the person may speak now, else why not: present as a member
    /// or serving substitute, without jäv in the open item (KL 5 kap. 47 §
    /// for fullmäktige, 6 kap. 30 § for a nämnd: the one disqualified takes
    /// no part in the handling of the matter); a substitute who does not
    /// serve, or a member whose place a substitute holds for the item, only
    /// where the body gives substitutes yttranderätt
    /// ([`FloorRules::substitutes_may_speak`]). Officials and guests do not
    /// ask for the floor; the chair calls on them.
    fn floor_right(&self, person: PersonId, deciding: &BTreeSet<PersonId>) -> Result<(), String> {
        let name = self.name(person);
        let Some(capacity) = self.capacity(person) else {
            return Err(if self.seat(person).is_some() {
                format!("{name} är inte närvarande")
            } else {
                format!("{name} är inte ledamot eller ersättare i organet")
            });
        };
        let fullmaktige = self.setting.body.kind == BodyKind::Fullmaktige;
        if self
            .current
            .as_ref()
            .is_some_and(|c| c.disqualified.contains(&person))
        {
            return Err(format!(
                "{name} har anmält jäv och får inte delta i behandlingen av ärendet ({})",
                if fullmaktige {
                    "KL 5 kap. 47 §"
                } else {
                    "KL 6 kap. 30 §"
                }
            ));
        }
        if deciding.contains(&person) {
            return Ok(());
        }
        match capacity {
            Capacity::Other { .. } => Err(format!(
                "{name} är inte ledamot eller ersättare och begär inte ordet; ordföranden ger övriga närvarande ordet"
            )),
            _ if self.setting.floor.substitutes_may_speak => Ok(()),
            _ if fullmaktige => Err(format!(
                "{name} tjänstgör inte och har inte yttranderätt: arbetsordningen ger inte ersättare som inte tjänstgör rätt att yttra sig"
            )),
            _ => Err(format!(
                "{name} tjänstgör inte och har inte yttranderätt: fullmäktige har inte gett ersättare som inte tjänstgör rätt att yttra sig (KL 6 kap. 17 §)"
            )),
        }
    }

    fn request_floor(&mut self, person: PersonId, kind: FloorKind) -> Result<(), Refusal> {
        let at = self.floor_at();
        self.require_sitting(&at)?;
        let deciding: BTreeSet<PersonId> = self.deciding_now().into_iter().collect();
        self.floor_right(person, &deciding)
            .or_else(|r| refuse(&at, r))?;
        if kind != FloorKind::PointOfOrder {
            self.debate_open().or_else(|r| refuse(&at, r))?;
        }
        let names = self.names.clone();
        let name = |p: PersonId| {
            names
                .persons
                .get(&p)
                .map(Person::display)
                .unwrap_or_else(|| format!("person {p}"))
        };
        let rules = self.setting.floor.clone();
        self.floor
            .request(person, kind, &rules, &name)
            .or_else(|r| refuse(at, r))
    }

    /// After every command: a finished item or a closed meeting empties the
    /// talarlista; otherwise requests of those who may no longer speak (who
    /// left, declared jäv, stopped serving) lapse, as do anföranden,
    /// repliker and genmälen once the debate is over, and a speaker who left
    /// no longer has the floor.
    fn settle_floor(&mut self, item_before: Option<u32>) {
        let item_now = self.current.as_ref().map(|c| c.paragraph.number);
        if self.phase == Phase::Closed || (item_before.is_some() && item_before != item_now) {
            self.floor.clear();
            return;
        }
        if self.floor.is_empty() {
            return;
        }
        let deciding: BTreeSet<PersonId> = self.deciding_now().into_iter().collect();
        let debate_open = self.debate_open().is_ok();
        let mut floor = std::mem::take(&mut self.floor);
        let entitled = |p: PersonId| self.floor_right(p, &deciding).is_ok();
        floor.settle(&entitled, debate_open);
        self.floor = floor;
    }

    /// A substitute takes a member's place. The order (KL 6 kap. 11–12 §§,
    /// 5 kap. 17 § for fullmäktige, in the order the body decided): a
    /// substitute of the member's own party group first, the one first in
    /// order; another group's only when none of the own group is free.
    fn serve(&mut self, substitute: PersonId, replacing: PersonId) -> Result<(), Refusal> {
        let at = "tjänstgöring";
        self.attendance_open(at)?;
        let sub_name = self.name(substitute);
        let member_name = self.name(replacing);
        if self.capacity(substitute) != Some(&Capacity::Substitute) {
            return refuse(
                at,
                format!("{sub_name} är inte en närvarande ersättare utan uppdrag"),
            );
        }
        let Some(member) = self.seat(replacing).filter(|s| s.role.is_member()) else {
            return refuse(at, format!("{member_name} är inte ledamot i organet"));
        };
        let disqualified = self
            .current
            .as_ref()
            .is_some_and(|c| c.disqualified.contains(&replacing));
        if self.capacity(replacing).is_some() && !disqualified {
            return refuse(
                at,
                format!("{member_name} är närvarande och tjänstgör själv"),
            );
        }
        if let Some(other) = self.serving_for(replacing) {
            return refuse(
                at,
                format!("{} tjänstgör redan för {member_name}", self.name(other)),
            );
        }
        if let Some(Pending::Voting { .. }) = self.current.as_ref().map(|c| &c.pending) {
            return refuse(at, "en omröstning pågår");
        }
        let group = member.party_group.clone();
        let free: Vec<&Seat> = self
            .present
            .iter()
            .filter(|(_, c)| *c == Capacity::Substitute)
            .filter_map(|(p, _)| self.seat(*p))
            .filter(|s| {
                !self
                    .current
                    .as_ref()
                    .is_some_and(|c| c.disqualified.contains(&s.person.id))
            })
            .collect();
        let order = |s: &Seat| (s.role.rank(), self.seat_position(s.person.id));
        let own: Vec<&Seat> = free
            .iter()
            .copied()
            .filter(|s| s.party_group == group && group.is_some())
            .collect();
        let pool = if own.is_empty() { free.clone() } else { own };
        let first = pool.iter().min_by_key(|s| order(s)).map(|s| s.person.id);
        if first != Some(substitute) {
            let who = first.map(|p| self.name(p)).unwrap_or_default();
            return refuse(
                at,
                format!("{who} står före {sub_name} i tjänstgöringsordningen för {member_name}"),
            );
        }
        for (p, c) in &mut self.present {
            if *p == substitute {
                *c = Capacity::ServingSubstitute { replacing };
            }
        }
        Ok(())
    }

    fn take_up(&mut self, item: usize, draft: Option<Decision>) -> Result<(), Refusal> {
        let at = format!("ärende {}", item + 1);
        self.require_sitting(&at)?;
        if let Some(c) = &self.current {
            return refuse(
                at,
                format!("§{} är fortfarande uppe för behandling", c.paragraph.number),
            );
        }
        let Some(agenda) = self.setting.items.get(item) else {
            return refuse(at, "ärendet finns inte på föredragningslistan");
        };
        if self.done.iter().any(|d| d.item == item) {
            return refuse(at, "ärendet är redan behandlat");
        }
        if let Some(d) = &draft {
            d.check(&format!("{at}, förslag till beslut"))?;
        }
        // A member back in the room takes over from the substitute serving
        // for them when the next item begins.
        let back: Vec<PersonId> = self
            .present
            .iter()
            .filter(|(_, c)| *c == Capacity::Member)
            .map(|(p, _)| *p)
            .collect();
        for (_, c) in &mut self.present {
            if let Capacity::ServingSubstitute { replacing } = c
                && back.contains(replacing)
            {
                *c = Capacity::Substitute;
            }
        }
        self.check_quorum(&at)?;
        let mut paragraph = Paragraph::new(self.next_number, agenda.title.clone());
        paragraph.access = agenda.access.clone();
        paragraph.basis = agenda.basis.clone();
        paragraph.draft_decision = draft;
        self.next_number += 1;
        self.current = Some(Current {
            item,
            paragraph,
            disqualified: BTreeSet::new(),
            pending: Pending::Idle,
            procedural_settled: BTreeSet::new(),
            procedural_won: None,
            main_found: None,
            counter_pool: None,
            main_winner: None,
            voters: BTreeMap::new(),
            vote_winners: Vec::new(),
            decided: false,
        });
        Ok(())
    }

    fn move_proposal(
        &mut self,
        movers: &[Actor],
        kind: ProposalKind,
        text: &str,
        decision: Option<Decision>,
    ) -> Result<(), Refusal> {
        let at = format!("{}, yrkande", self.current_at());
        self.require_sitting(&at)?;
        let deciding: BTreeSet<PersonId> = self.deciding_now().into_iter().collect();
        self.check_actors(&at, movers, &deciding)?;
        if text.trim().is_empty() {
            return refuse(at, "yrkandet saknar innehåll");
        }
        if kind.is_procedural() && decision.is_some() {
            return refuse(
                at,
                "återremiss och bordläggning har inget eget beslutsinnehåll",
            );
        }
        if let Some(d) = &decision {
            d.check(&at)?;
        }
        let capacities: Vec<(PersonId, Capacity)> = movers
            .iter()
            .filter_map(|a| match a {
                Actor::Person { person } => self.capacity(*person).map(|c| (*person, c.clone())),
                Actor::Party { .. } => None,
            })
            .collect();
        let c = self.open_item(&at)?;
        // The debate goes on after a procedural question is settled.
        if matches!(
            c.pending,
            Pending::Found {
                stage: Stage::Procedural,
                ..
            }
        ) {
            Self::commit_found(c);
        }
        if c.pending != Pending::Idle
            || c.main_found.is_some()
            || c.main_winner.is_some()
            || c.counter_pool.is_some()
        {
            return refuse(at, "ordföranden har redan ställt proposition i huvudfrågan");
        }
        if c.procedural_won.is_some() {
            return refuse(at, "ärendet är redan återremitterat eller bordlagt");
        }
        c.voters.extend(capacities);
        c.paragraph.proposals.push(Proposal {
            movers: movers.to_vec(),
            kind,
            text: text.trim().to_string(),
            withdrawn: false,
            decision,
        });
        Ok(())
    }

    /// Carries out a finding no vote was requested on; any other pending
    /// state is left as it is.
    fn commit_found(c: &mut Current) {
        if !matches!(c.pending, Pending::Found { .. }) {
            return;
        }
        if let Pending::Found { stage, put, found } =
            std::mem::replace(&mut c.pending, Pending::Idle)
        {
            match stage {
                Stage::Procedural => match found {
                    None => {
                        c.procedural_settled.insert(put[0]);
                    }
                    Some(p) => c.procedural_won = Some(p),
                },
                Stage::Main => c.main_winner = found,
                // The chair found a counter-proposal and nobody asked for a
                // vote on it: it faces the main proposal.
                Stage::Counter => {
                    c.counter_pool = None;
                    c.pending = Pending::VoteRequested {
                        stage: Stage::Main,
                        sides: [c.main_found, found],
                    };
                }
            }
        }
    }

    /// Propositionsordning: procedural proposals (återremiss, bordläggning)
    /// are put before the main question, one at a time against deciding the
    /// matter today; then all main proposals together, and when a vote is
    /// requested with more than two, the counter-proposal is found among the
    /// rest before the main vote (KL 5 kap. 67 § p. 2 requires the order to
    /// be recorded; the method is SKR's practice).
    fn put(&mut self, put: &[usize], found_for: Option<usize>) -> Result<(), Refusal> {
        let at = format!("{}, proposition", self.current_at());
        self.require_sitting(&at)?;
        self.check_quorum(&at)?;
        let names = self.names.clone();
        let body = self.body_text.clone();
        let c = self.open_item(&at)?;
        if matches!(
            c.pending,
            Pending::VoteRequested { .. } | Pending::Voting { .. }
        ) {
            return refuse(at, "den begärda omröstningen måste genomföras först");
        }
        Self::commit_found(c);
        if !matches!(c.pending, Pending::Idle) {
            return refuse(at, "huvudvoteringen måste genomföras först");
        }
        let usable = |i: &usize| c.paragraph.proposals.get(*i).is_some_and(|p| !p.withdrawn);
        if put.is_empty() || !put.iter().all(usable) {
            return refuse(
                at,
                "propositionen gäller ett yrkande som inte finns eller har återkallats",
            );
        }
        let distinct: BTreeSet<usize> = put.iter().copied().collect();
        if distinct.len() != put.len() {
            return refuse(
                at,
                "ett yrkande kan bara ställas en gång i samma proposition",
            );
        }
        if c.procedural_won.is_some() {
            return refuse(at, "ärendet är redan återremitterat eller bordlagt");
        }
        let open_procedural: BTreeSet<usize> = c
            .paragraph
            .proposals
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                p.kind.is_procedural() && !p.withdrawn && !c.procedural_settled.contains(i)
            })
            .map(|(i, _)| i)
            .collect();
        let main: BTreeSet<usize> = c
            .paragraph
            .proposals
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.kind.is_procedural() && !p.withdrawn)
            .map(|(i, _)| i)
            .collect();
        let stage = if !open_procedural.is_empty() {
            if put.len() != 1 || !open_procedural.contains(&put[0]) {
                return refuse(
                    at,
                    "återremiss och bordläggning avgörs före huvudfrågan, ett yrkande i taget",
                );
            }
            if found_for.is_some_and(|f| f != put[0]) {
                return refuse(
                    at,
                    "ordföranden kan bara finna för yrkandet eller för att avgöra ärendet i dag",
                );
            }
            Stage::Procedural
        } else if let Some(pool) = &c.counter_pool {
            if distinct != *pool {
                return refuse(
                    at,
                    "motförslaget utses bland de förslag som inte är huvudförslag",
                );
            }
            Stage::Counter
        } else if c.main_winner.is_some() || c.main_found.is_some() {
            return refuse(at, "huvudfrågan är redan avgjord");
        } else {
            if distinct != main {
                return refuse(
                    at,
                    "i huvudfrågan ställs alla yrkanden som inte återkallats mot varandra",
                );
            }
            Stage::Main
        };
        if stage != Stage::Procedural && !found_for.is_some_and(|f| distinct.contains(&f)) {
            return refuse(
                at,
                "ordföranden kan bara finna för ett av de förslag som ställts",
            );
        }
        let wording =
            wording::proposition(&names, &body, &c.paragraph.proposals, put, found_for, stage);
        c.paragraph.propositions.push(Proposition {
            put: put.to_vec(),
            found_for,
            wording,
            by_minority: false,
        });
        c.pending = Pending::Found {
            stage,
            put: put.to_vec(),
            found: found_for,
        };
        Ok(())
    }

    fn request_vote(&mut self, by: PersonId) -> Result<(), Refusal> {
        let at = format!("{}, omröstning", self.current_at());
        self.require_sitting(&at)?;
        if !self.deciding(by) {
            return refuse(
                at,
                format!(
                    "{} deltar inte i beslutet och kan inte begära omröstning",
                    self.name(by)
                ),
            );
        }
        let c = self.open_item(&at)?;
        let Pending::Found { stage, put, found } = c.pending.clone() else {
            return refuse(at, "omröstning begärs efter ordförandens proposition");
        };
        match stage {
            Stage::Procedural => {
                c.pending = Pending::VoteRequested {
                    stage,
                    sides: [None, Some(put[0])],
                };
            }
            Stage::Main if put.len() == 1 => {
                return refuse(
                    at,
                    "det finns bara ett förslag; omröstning kräver ett motförslag",
                );
            }
            Stage::Main if put.len() == 2 => {
                let other = put.iter().copied().find(|p| Some(*p) != found);
                c.pending = Pending::VoteRequested {
                    stage,
                    sides: [found, other],
                };
            }
            Stage::Main => {
                let pool: BTreeSet<usize> =
                    put.iter().copied().filter(|p| Some(*p) != found).collect();
                c.main_found = found;
                if pool.len() == 1 {
                    c.pending = Pending::VoteRequested {
                        stage: Stage::Main,
                        sides: [found, pool.first().copied()],
                    };
                } else {
                    c.counter_pool = Some(pool);
                    c.pending = Pending::Idle;
                }
            }
            Stage::Counter => {
                let other = put.iter().copied().find(|p| Some(*p) != found);
                c.pending = Pending::VoteRequested {
                    stage,
                    sides: [found, other],
                };
            }
        }
        Ok(())
    }

    fn count_votes(&mut self, lot: Option<VoteChoice>) -> Result<(), Refusal> {
        let at = format!("{}, omröstning", self.current_at());
        self.require_sitting(&at)?;
        self.check_quorum(&at)?;
        let deciding = self.deciding_now();
        let chair = self.presiding();
        let names = self.names.clone();
        let body = self.body_text.clone();
        let missing: Vec<String> = {
            let Some(Pending::Voting { ballots, .. }) = self.current.as_ref().map(|c| &c.pending)
            else {
                return refuse(at, "ingen omröstning pågår");
            };
            deciding
                .iter()
                .filter(|p| !ballots.iter().any(|b| b.person == **p))
                .map(|p| self.name(*p))
                .collect()
        };
        if !missing.is_empty() {
            return refuse(
                at,
                format!(
                    "alla som tjänstgör ska avge ja, nej eller avstår; saknas: {}",
                    missing.join(", ")
                ),
            );
        }
        let election = self
            .current
            .as_ref()
            .is_some_and(|c| self.setting.items[c.item].kind == ItemKind::Election);
        let c = self.open_item(&at)?;
        let Pending::Voting {
            stage,
            ja,
            nej,
            ballots,
        } = c.pending.clone()
        else {
            unreachable!("checked above")
        };
        let counted = tally(&ballots);
        let result: Outcome = if election {
            // Ties in elections are settled by lot, never by the chair
            // (KL 5 kap. 55 §, 6 kap. 33 §).
            if counted.ja == counted.nej {
                match lot {
                    Some(w @ (VoteChoice::Ja | VoteChoice::Nej)) => Outcome {
                        winner: w,
                        by_casting_vote: false,
                        by_lot: true,
                    },
                    _ => {
                        return refuse(
                            at,
                            "lika röstetal i ett val avgörs genom lottning; ange lottens utfall",
                        );
                    }
                }
            } else if lot.is_some() {
                return refuse(at, "lottning används bara vid lika röstetal");
            } else {
                outcome(counted, None)?
            }
        } else {
            if lot.is_some() {
                return refuse(
                    at,
                    "lottning används bara i val; vid lika röstetal har ordföranden utslagsröst",
                );
            }
            let chair_choice = chair
                .and_then(|p| ballots.iter().find(|b| b.person == p))
                .map(|b| b.choice);
            outcome(counted, chair_choice).map_err(|r| Refusal::new(&at, r.reason))?
        };
        let mut vote = Vote {
            ja,
            nej,
            ballots: ballots.clone(),
            wording: String::new(),
        };
        vote.wording = wording::vote_result(
            &names,
            &body,
            &c.paragraph.proposals,
            &vote,
            counted,
            result,
        );
        c.paragraph.votes.push(vote);
        c.vote_winners.push(
            ballots
                .iter()
                .filter(|b| b.choice == result.winner)
                .map(|b| b.person)
                .collect(),
        );
        let (winner, loser) = match result.winner {
            VoteChoice::Nej => (nej, ja),
            _ => (ja, nej),
        };
        c.pending = Pending::Idle;
        match stage {
            Stage::Procedural => match winner {
                None => {
                    if let Some(p) = loser {
                        c.procedural_settled.insert(p);
                    }
                }
                Some(p) => c.procedural_won = Some(p),
            },
            Stage::Main => c.main_winner = winner,
            Stage::Counter => {
                let pool = c.counter_pool.get_or_insert_with(BTreeSet::new);
                if let Some(l) = loser {
                    pool.remove(&l);
                }
                if pool.len() == 1 {
                    let counter = pool.first().copied();
                    c.counter_pool = None;
                    c.pending = Pending::VoteRequested {
                        stage: Stage::Main,
                        sides: [c.main_found, counter],
                    };
                }
            }
        }
        Ok(())
    }

    /// Minoritetsåterremiss (KL 5 kap. 50 §): in fullmäktige a matter is
    /// tabled or sent back when at least a third of the members present ask
    /// for it. Once per case; a further request needs a majority. Not in
    /// elections.
    fn minority_referral(
        &mut self,
        proposal: usize,
        supporters: &[PersonId],
    ) -> Result<(), Refusal> {
        let at = format!("{}, minoritetsåterremiss", self.current_at());
        self.require_sitting(&at)?;
        if self.setting.body.kind != BodyKind::Fullmaktige {
            return refuse(
                at,
                "en minoritet kan begära återremiss eller bordläggning bara i fullmäktige (KL 5 kap. 50 §)",
            );
        }
        let deciding: BTreeSet<PersonId> = self.deciding_now().into_iter().collect();
        let present = deciding.len();
        let unique: BTreeSet<PersonId> = supporters.iter().copied().collect();
        if let Some(p) = unique.iter().find(|p| !deciding.contains(p)) {
            return refuse(at, format!("{} deltar inte i beslutet", self.name(*p)));
        }
        let item = self.current.as_ref().map(|c| c.item);
        let (kind, case) = match item {
            Some(i) => (self.setting.items[i].kind, self.setting.items[i].case),
            None => return refuse(at, "inget ärende är uppe för behandling"),
        };
        if kind == ItemKind::Election {
            return refuse(at, "minoritetsregeln gäller inte val");
        }
        if case.is_some_and(|c| self.minority_used.contains(&c)) {
            return refuse(
                at,
                "ärendet har redan bordlagts eller återremitterats på begäran av en minoritet; nu krävs beslut med enkel majoritet",
            );
        }
        if unique.len() * 3 < present {
            return refuse(
                at,
                format!(
                    "{} av {present} närvarande ledamöter begär det; minst en tredjedel krävs",
                    unique.len()
                ),
            );
        }
        let c = self.open_item(&at)?;
        let Some(p) = c.paragraph.proposals.get(proposal).filter(|p| !p.withdrawn) else {
            return refuse(at, "yrkandet finns inte eller har återkallats");
        };
        if !p.kind.is_procedural() || c.procedural_settled.contains(&proposal) {
            return refuse(
                at,
                "minoritetsregeln gäller ett yrkande om återremiss eller bordläggning som inte avgjorts",
            );
        }
        if c.pending != Pending::Idle
            && !matches!(
                c.pending,
                Pending::Found {
                    stage: Stage::Procedural,
                    ..
                }
            )
        {
            return refuse(at, "en proposition eller omröstning pågår");
        }
        let effect = match p.kind {
            ProposalKind::Bordlaggning => ("bordläggning", "bordläggas"),
            _ => ("återremiss", "återremitteras"),
        };
        c.pending = Pending::Idle;
        c.paragraph.propositions.push(Proposition {
            put: vec![proposal],
            found_for: Some(proposal),
            wording: format!(
                "Eftersom {} av {present} närvarande ledamöter, minst en tredjedel, begär {} ska ärendet {} (5 kap. 50 § kommunallagen).",
                unique.len(),
                effect.0,
                effect.1
            ),
            by_minority: true,
        });
        c.procedural_won = Some(proposal);
        if let Some(case) = case {
            self.minority_used.insert(case);
        }
        Ok(())
    }

    fn decide(&mut self, given: Option<Decision>) -> Result<(), Refusal> {
        let at = format!("{}, beslut", self.current_at());
        self.require_sitting(&at)?;
        self.check_quorum(&at)?;
        let (present, deciding) = self.participants();
        let chair = self.presiding();
        let kind = self
            .current
            .as_ref()
            .map(|c| self.setting.items[c.item].kind);
        let c = self.open_item(&at)?;
        Self::commit_found(c);
        if !matches!(c.pending, Pending::Idle) {
            return refuse(at, "den begärda omröstningen måste genomföras först");
        }
        let open_procedural = c.paragraph.proposals.iter().enumerate().any(|(i, p)| {
            p.kind.is_procedural() && !p.withdrawn && !c.procedural_settled.contains(&i)
        });
        let decision = if let Some(p) = c.procedural_won {
            let kind = c.paragraph.proposals[p].kind;
            given.unwrap_or_else(|| {
                Decision::single(
                    Formula::Decides,
                    vec![Clause::new(wording::procedural_effect(kind))],
                )
            })
        } else if open_procedural {
            return refuse(
                at,
                "återremiss och bordläggning måste avgöras före huvudfrågan",
            );
        } else if !c.paragraph.elections.is_empty() {
            // #20 L4: a proportional election decides the item; its result
            // is the decision unless one is given.
            given.unwrap_or_else(|| {
                let formula = c
                    .paragraph
                    .draft_decision
                    .as_ref()
                    .and_then(|d| d.parts.first())
                    .map(|p| p.formula.clone())
                    .unwrap_or(Formula::Decides);
                Decision::single(
                    formula,
                    c.paragraph
                        .elections
                        .iter()
                        .map(|e| Clause::new(wording::election_clause(e)))
                        .collect(),
                )
            })
        } else if c
            .paragraph
            .proposals
            .iter()
            .any(|p| !p.withdrawn && !p.kind.is_procedural())
        {
            let Some(w) = c.main_winner else {
                return refuse(at, "ordföranden har inte ställt proposition på yrkandena");
            };
            match (&c.paragraph.proposals[w].decision, given) {
                (Some(own), Some(given)) if *own != given => {
                    return refuse(at, "beslutet måste ha det vinnande yrkandets lydelse");
                }
                (Some(own), _) => own.clone(),
                (None, Some(given)) => given,
                (None, None) => {
                    return refuse(at, "ange beslutets lydelse enligt det vinnande yrkandet");
                }
            }
        } else {
            match (given, &c.paragraph.draft_decision, kind) {
                (Some(d), _, _) => d,
                (None, Some(d), _) => d.clone(),
                (None, None, Some(ItemKind::Information)) => {
                    Decision::notes_information("anteckna att information har lämnats.")
                }
                (None, None, _) => {
                    return refuse(at, "det finns inget förslag till beslut; ange beslutet");
                }
            }
        };
        decision.check(&at)?;
        c.paragraph.decision = Some(decision);
        c.decided = true;
        let winners = c.vote_winners.clone();
        let done = Done {
            item: c.item,
            paragraph: c.paragraph.clone(),
            present,
            deciding,
            winners,
            chair,
        };
        self.done.push(done);
        Ok(())
    }

    /// A decided paragraph lives in `done`; an undecided one in `current`.
    /// Everyone in the room who is part of the decision or merely present,
    /// less the disqualified (who leave, KL 6 kap. 30 §) and members whose
    /// place a substitute still holds.
    fn present_at_decision(&self) -> BTreeMap<PersonId, Capacity> {
        let deciding: BTreeSet<PersonId> = self.deciding_now().into_iter().collect();
        let disqualified = self
            .current
            .as_ref()
            .map(|c| c.disqualified.clone())
            .unwrap_or_default();
        self.present
            .iter()
            .filter(|(p, c)| !disqualified.contains(p) && (!c.decides() || deciding.contains(p)))
            .map(|(p, c)| (*p, c.clone()))
            .collect()
    }

    /// Who is present at the open item and who takes part in it: those in
    /// the room now, and those who moved a proposal or voted in it before
    /// leaving.
    fn participants(&self) -> (BTreeMap<PersonId, Capacity>, BTreeSet<PersonId>) {
        let mut present = self.present_at_decision();
        let mut deciding: BTreeSet<PersonId> = self.deciding_now().into_iter().collect();
        if let Some(c) = &self.current {
            for (p, capacity) in &c.voters {
                present.entry(*p).or_insert_with(|| capacity.clone());
                deciding.insert(*p);
            }
        }
        (present, deciding)
    }

    fn paragraph_mut(&mut self, number: u32, at: &str) -> Result<&mut Paragraph, Refusal> {
        if let Some(i) = self.done.iter().position(|d| d.paragraph.number == number) {
            return Ok(&mut self.done[i].paragraph);
        }
        match &mut self.current {
            Some(c) if c.paragraph.number == number && !c.decided => Ok(&mut c.paragraph),
            _ => refuse(at, format!("§{number} finns inte vid sammanträdet")),
        }
    }

    /// Reservation (KL 4 kap. 27 §): only one who took part in the decision
    /// may reserve, and must do so before the meeting ends.
    fn reserve(
        &mut self,
        number: u32,
        by: &[Actor],
        in_favour_of: Option<usize>,
        reasons: Option<String>,
    ) -> Result<(), Refusal> {
        let at = format!("§{number}, reservation");
        match self.phase {
            Phase::Closed => {
                return refuse(
                    at,
                    "reservation ska anmälas innan sammanträdet avslutas (KL 4 kap. 27 §)",
                );
            }
            Phase::NotOpened => return refuse(at, "sammanträdet är inte öppnat"),
            _ => {}
        }
        let Some(done) = self.done.iter().find(|d| d.paragraph.number == number) else {
            return refuse(at, "det finns inget beslut att reservera sig mot");
        };
        self.check_actors(&at, by, &done.deciding)?;
        for a in by {
            if let Actor::Person { person } = a
                && done.winners.last().is_some_and(|w| w.contains(person))
            {
                return refuse(
                    at,
                    format!(
                        "{} röstade för beslutet och kan inte reservera sig mot det",
                        self.name(*person)
                    ),
                );
            }
        }
        let p = &done.paragraph;
        let favoured = match in_favour_of {
            None => None,
            Some(i) => match p.proposals.get(i) {
                Some(prop) if !prop.withdrawn => Some(prop.clone()),
                _ => return refuse(at, "reservationen hänvisar till ett yrkande som inte finns"),
            },
        };
        if let Some(f) = &favoured
            && f.decision.is_some()
            && f.decision == p.decision
        {
            return refuse(
                at,
                "man reserverar sig till förmån för ett förslag som inte vann",
            );
        }
        let already: Vec<&Actor> = p.reservations.iter().flat_map(|r| r.by.iter()).collect();
        if let Some(a) = by.iter().find(|a| already.contains(a)) {
            return refuse(
                at,
                format!("{} har redan reserverat sig", self.names.actor(a)),
            );
        }
        let text = wording::reservation_line(&self.names, by, favoured.as_ref());
        let reservation = Reservation {
            by: by.to_vec(),
            in_favour_of,
            text,
            reasons: reasons.filter(|r| !r.trim().is_empty()),
        };
        self.paragraph_mut(number, &at)?
            .reservations
            .push(reservation);
        Ok(())
    }

    /// #20 L4: what a proportional election would see now, or `None` when
    /// none may be held (no election item open, decided, or a proposition
    /// already put): the members present (LPV 2 § counts them, a serving
    /// substitute in the member's place and the disqualified included),
    /// those who take part, and the elections already held in the paragraph.
    pub fn election_room(&self) -> Option<crate::election::Room> {
        if self.phase != Phase::Open {
            return None;
        }
        let c = self.current.as_ref().filter(|c| !c.decided)?;
        if self.setting.items[c.item].kind != ItemKind::Election
            || c.pending != Pending::Idle
            || !c.paragraph.propositions.is_empty()
        {
            return None;
        }
        let present = self
            .present
            .iter()
            .filter(|(p, cap)| {
                match cap {
                Capacity::Member => !self.present.iter().any(|(_, other)| {
                    matches!(other, Capacity::ServingSubstitute { replacing } if replacing == p)
                }),
                Capacity::ServingSubstitute { .. } => true,
                _ => false,
            }
            })
            .count() as u32;
        Some(crate::election::Room {
            present,
            voters: self.deciding_now(),
            held: c.paragraph.elections.iter().map(|e| e.of).collect(),
        })
    }

    /// #20 L4: a proportional election (lag 2022:629) on the open item.
    /// Only in an election item (KL 5 kap. 58 §, 6 kap. 23 § give the right
    /// to proportional elections), before the chair puts any proposition,
    /// with the body quorate; the law's checks and the allocation are
    /// [`crate::election::hold`]'s. A tie needs the lot drawn in the room,
    /// which the command then carries, so a replay gives the same seats.
    fn elect_proportionally(
        &mut self,
        entry: &crate::election::ElectionEntry,
    ) -> Result<(), Refusal> {
        let at = format!("{}, proportionellt val", self.current_at());
        self.require_sitting(&at)?;
        self.open_item(&at)?;
        let item = self.current.as_ref().map(|c| c.item).expect("open item");
        if self.setting.items[item].kind != ItemKind::Election {
            return refuse(
                at,
                "punkten är inte ett val; proportionellt val förrättas bara vid val",
            );
        }
        let Some(room) = self.election_room() else {
            return refuse(
                at,
                "ordföranden har redan ställt proposition; proportionellt val begärs innan",
            );
        };
        self.check_quorum(&at)?;
        let record = crate::election::hold(entry, &room, |p| self.name(p)).map_err(|stop| {
            let r = stop.refusal();
            let reason = match stop {
                crate::election::Stop::LotNeeded { .. } => {
                    format!("{}; ange vilken grupp lotten föll på", r.reason)
                }
                crate::election::Stop::Refused(_) => r.reason,
            };
            Refusal::new(&at, reason)
        })?;
        let capacities: Vec<(PersonId, Capacity)> = record
            .requested_by
            .iter()
            .filter_map(|p| self.capacity(*p).map(|cap| (*p, cap.clone())))
            .collect();
        let c = self.open_item(&at)?;
        c.voters.extend(capacities);
        c.paragraph.elections.push(record);
        Ok(())
    }

    /// The meeting as the protocol records it: held once closed, with every
    /// paragraph and attendance per paragraph.
    pub fn record(&self) -> MeetingRecord {
        let mut meeting = self.setting.meeting.clone();
        match self.phase {
            Phase::NotOpened => {}
            Phase::Open | Phase::Adjourned => meeting.status = MeetingStatus::InSession,
            Phase::Closed => meeting.status = MeetingStatus::Held,
        }
        meeting.starts = self.starts.or(meeting.starts);
        meeting.ends = self.ends.or(meeting.ends);

        meeting.attendance_complete = true;
        let mut items = self.setting.items.clone();
        let mut done: Vec<Done> = self.done.clone();
        // An item still under debate shows as it stands, with those in the
        // room now.
        if let Some(c) = &self.current
            && !c.decided
        {
            let (present, deciding) = self.participants();
            done.push(Done {
                item: c.item,
                paragraph: c.paragraph.clone(),
                present,
                deciding,
                winners: Vec::new(),
                chair: self.presiding(),
            });
        }
        done.sort_by_key(|d| d.paragraph.number);
        // The chair the protocol names presided over the first paragraph;
        // with no paragraph yet, the one who opened the meeting.
        meeting.chair = if done.is_empty() {
            self.first_chair.or(meeting.chair)
        } else {
            done.iter().find_map(|d| d.chair)
        };
        for d in &done {
            items[d.item].paragraph = Some(d.paragraph.clone());
        }
        // Agenda order follows the paragraphs taken up, then the rest.
        let mut order: Vec<usize> = done.iter().map(|d| d.item).collect();
        let rest: Vec<usize> = (0..items.len()).filter(|i| !order.contains(i)).collect();
        order.extend(rest);
        let items = order.into_iter().map(|i| items[i].clone()).collect();

        let numbers: Vec<u32> = done.iter().map(|d| d.paragraph.number).collect();
        let mut rows: Vec<((PersonId, Capacity), Vec<u32>)> = Vec::new();
        for d in &done {
            for (person, capacity) in &d.present {
                let key = (*person, capacity.clone());
                match rows.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, ns)) => ns.push(d.paragraph.number),
                    None => rows.push((key, vec![d.paragraph.number])),
                }
            }
        }
        if done.is_empty() {
            rows = self
                .seen
                .iter()
                .map(|(p, c)| ((*p, c.clone()), Vec::new()))
                .collect();
        }
        let rank = |p: PersonId, c: &Capacity| match c {
            Capacity::Member => (
                0,
                self.seat(p).map(|s| s.role.rank()).unwrap_or(99),
                self.seat_position(p),
            ),
            Capacity::ServingSubstitute { .. } => (1, 0, self.seat_position(p)),
            Capacity::Substitute => (2, 0, self.seat_position(p)),
            Capacity::Other { .. } => (3, 0, usize::MAX),
        };
        rows.sort_by_key(|((p, c), _)| rank(*p, c));
        let attendance = rows
            .into_iter()
            .map(|((person, capacity), ns)| Attendee {
                person,
                capacity,
                paragraphs: if ns.len() == numbers.len() {
                    Vec::new()
                } else {
                    ranges(&numbers, &ns)
                },
            })
            .collect();
        MeetingRecord {
            meeting,
            items,
            attendance,
        }
    }
}

/// Compresses the paragraphs a person attended into ranges of consecutive
/// paragraphs of the meeting: with paragraphs 1–15 and attendance at 1–4
/// and 7–15, gives [(1, 4), (7, 15)].
fn ranges(all: &[u32], attended: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    let mut previous_attended = false;
    for n in all {
        let here = attended.contains(n);
        if here {
            match out.last_mut() {
                Some((_, end)) if previous_attended => *end = *n,
                _ => out.push((*n, *n)),
            }
        }
        previous_attended = here;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_the_meeting_numbers() {
        let all: Vec<u32> = (1..=15).collect();
        assert_eq!(
            ranges(&all, &[1, 2, 3, 4, 7, 8, 15]),
            vec![(1, 4), (7, 8), (15, 15)]
        );
        assert_eq!(ranges(&[5, 6, 7], &[6]), vec![(6, 6)]);
    }
}
