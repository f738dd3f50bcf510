//! The meeting (sammanträde) and what is recorded at it.
//!
//! A meeting is stored and validated as one aggregate, [`MeetingRecord`]: the
//! meeting, its agenda items in order (each with the paragraph recorded for it,
//! once recorded) and its attendance. Inside a paragraph, votes and
//! reservations point at proposals by their position in
//! [`Paragraph::proposals`].

use crate::decision::Decision;
use crate::{Access, BodyId, CaseId, Date, DocumentId, MeetingId, PersonId, Refusal, Time};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: MeetingId,
    pub body: BodyId,
    pub date: Date,
    pub starts: Option<Time>,
    pub ends: Option<Time>,
    pub place: String,
    pub status: MeetingStatus,
    pub secretary: Option<PersonId>,
    pub chair: Option<PersonId>,
    /// Utses att justera: the members appointed to approve the minutes with the
    /// chair.
    pub approvers: Vec<PersonId>,
    /// Justeringens plats och tid, as announced at the meeting.
    pub approval_place: Option<String>,
    /// False when the record comes from a source that does not list everyone
    /// present (a press release, a damaged protocol): quorum then cannot be
    /// judged and is not checked, and pages say so.
    pub attendance_complete: bool,
    /// Where the record comes from when it is not the approved protocol
    /// itself, shown to readers ("Återgivet ur kommunens nyhet …").
    pub source_note: Option<String>,
}

/// Where a meeting is in its life. Each step needs the one before it, and
/// what a step records (the approval date, the notice's dates) lives in the
/// variant, so "approved" without a date cannot be written down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MeetingStatus {
    /// Planned: date and body set.
    Planned,
    /// The kallelse with the agenda has gone out to the members.
    NoticeIssued,
    /// The meeting is under way: opened and not yet closed.
    InSession,
    /// Held: the meeting is over and the protocol is being written.
    Held,
    /// Justerat: the chair and the approvers have signed; the protocol is final.
    Approved { approved: Date },
    /// The approval is announced on the anslagstavla (KL 8 kap. 12 §).
    NoticePosted {
        approved: Date,
        posted: Date,
        taken_down: Date,
        /// Protokollets förvaringsplats.
        kept_at: String,
    },
    /// The meeting was cancelled before it was held.
    Cancelled,
}

impl MeetingStatus {
    pub fn code(&self) -> &'static str {
        match self {
            MeetingStatus::Planned => "planned",
            MeetingStatus::NoticeIssued => "notice_issued",
            MeetingStatus::InSession => "in_session",
            MeetingStatus::Held => "held",
            MeetingStatus::Approved { .. } => "approved",
            MeetingStatus::NoticePosted { .. } => "notice_posted",
            MeetingStatus::Cancelled => "cancelled",
        }
    }

    /// The status as Swedish municipal practice writes it (one line per
    /// status: pages, feeds, API labels and the CLI all use this).
    pub fn label_sv(&self) -> &'static str {
        match self {
            MeetingStatus::Planned => "Planerat",
            MeetingStatus::NoticeIssued => "Kallelse utsänd",
            MeetingStatus::InSession => "Pågår",
            MeetingStatus::Held => "Genomfört, protokollet ej justerat",
            MeetingStatus::Approved { .. } => "Protokollet justerat",
            MeetingStatus::NoticePosted { .. } => "Protokollet justerat och anslaget",
            MeetingStatus::Cancelled => "Inställt",
        }
    }

    fn rank(&self) -> u8 {
        match self {
            MeetingStatus::Planned => 0,
            MeetingStatus::NoticeIssued => 1,
            MeetingStatus::InSession => 2,
            MeetingStatus::Held => 3,
            MeetingStatus::Approved { .. } => 4,
            MeetingStatus::NoticePosted { .. } => 5,
            MeetingStatus::Cancelled => 6,
        }
    }

    /// True once the protocol is justerat: from then on nothing recorded at the
    /// meeting may change (a correction needs a new decision).
    pub fn is_sealed(&self) -> bool {
        matches!(
            self,
            MeetingStatus::Approved { .. } | MeetingStatus::NoticePosted { .. }
        )
    }

    /// Whether the meeting has begun, so that paragraphs may exist.
    pub fn is_held(&self) -> bool {
        (2..=5).contains(&self.rank())
    }

    /// Whether the meeting may still be planned again: moved to another
    /// day, time or place, or its agenda changed. Only until it begins;
    /// from then on what happens is recorded in the protocol. Who decides
    /// is set by the arbetsordning (KL 5 kap. 72 §) or the nämnd's
    /// reglemente (KL 6 kap. 44 §), commonly the chair, who has the
    /// members and substitutes told at once.
    pub fn check_replanning(&self, what: &str) -> Result<(), Refusal> {
        match self {
            MeetingStatus::Planned | MeetingStatus::NoticeIssued => Ok(()),
            MeetingStatus::Cancelled => Err(Refusal::new(what, "sammanträdet är inställt")),
            _ => Err(Refusal::new(
                what,
                "sammanträdet har börjat; det som händer nu antecknas i protokollet",
            )),
        }
    }

    /// Whether a change made now goes out as a tilläggskallelse: the
    /// kallelse has been sent, so the members are told what changed since.
    pub fn changes_are_supplement(&self) -> bool {
        *self == MeetingStatus::NoticeIssued
    }

    /// Checks a status change against the order of the steps and the dates.
    pub fn check_transition(
        &self,
        next: &MeetingStatus,
        meeting_date: Date,
    ) -> Result<(), Refusal> {
        let at = "sammanträdets status";
        match (self, next) {
            (MeetingStatus::Planned | MeetingStatus::NoticeIssued, MeetingStatus::Cancelled) => {
                return Ok(());
            }
            (_, MeetingStatus::Cancelled) => {
                return Err(Refusal::new(
                    at,
                    "ett genomfört sammanträde kan inte ställas in",
                ));
            }
            _ => {}
        }
        // One step forward; the notice and the session may be skipped when a
        // meeting is recorded afterwards (an import).
        let (from, to) = (self.rank(), next.rank());
        let skips_ahead = from <= 1 && (to == 2 || to == 3);
        if to != from + 1 && !skips_ahead {
            return Err(Refusal::new(
                at,
                format!(
                    "kan inte gå från «{}» till «{}»",
                    self.label_sv(),
                    next.label_sv()
                ),
            ));
        }
        next.check_dates(meeting_date)?;
        if let (
            MeetingStatus::Approved { approved: a },
            MeetingStatus::NoticePosted { approved: b, .. },
        ) = (self, next)
            && a != b
        {
            return Err(Refusal::new(
                at,
                "justeringsdatum kan inte ändras när anslaget sätts upp",
            ));
        }
        Ok(())
    }

    /// The dates a status carries must follow each other.
    pub fn check_dates(&self, meeting_date: Date) -> Result<(), Refusal> {
        let at = "sammanträdets status";
        match self {
            MeetingStatus::Approved { approved } => {
                check_justering_day(meeting_date, *approved)
                    .map_err(|r| Refusal::new(at, r.reason))?;
            }
            MeetingStatus::NoticePosted {
                approved,
                posted,
                taken_down,
                kept_at,
            } => {
                check_justering_day(meeting_date, *approved)
                    .map_err(|r| Refusal::new(at, r.reason))?;
                if posted < approved {
                    return Err(Refusal::new(
                        at,
                        "anslaget kan inte sättas upp före justeringen",
                    ));
                }
                // The notice stays up for the whole appeal period (KL 8 kap.
                // 12 §, 13 kap. 5 §).
                let earliest = crate::deadlines::notice_take_down(*posted)?;
                if taken_down < &earliest {
                    return Err(Refusal::new(
                        at,
                        format!(
                            "anslaget får tas ned tidigast {earliest}, dagen efter att överklagandetiden gått ut (KL 8 kap. 12 §)"
                        ),
                    ));
                }
                if kept_at.trim().is_empty() {
                    return Err(Refusal::new(at, "protokollets förvaringsplats saknas"));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

// #18 S: the days a meeting may be opened and its protocol signed.

/// A meeting is held on the day it was called to: fullmäktige sets the days
/// of its meetings (KL 5 kap. 10 §), a nämnd meets on the day it decides
/// (KL 6 kap. 23 §). Held earlier, it is first moved to that day (the chair
/// may change the day, KL 5 kap. 12 §), which is logged; opening it before
/// its date is refused. Opening later than planned (a meeting recorded
/// afterwards) is allowed.
pub fn check_opening(meeting_date: Date, today: Date) -> Result<(), Refusal> {
    if today < meeting_date {
        return Err(Refusal::new(
            "sammanträdet",
            format!(
                "sammanträdet är utlyst till {meeting_date} och kan inte öppnas i dag ({today}); ska det hållas tidigare, flytta först sammanträdet till dagens datum"
            ),
        ));
    }
    Ok(())
}

/// The protocol is justerat after the meeting (KL 5 kap. 69 §, 6 kap.
/// 35 §): nobody signs it before the meeting's day. One rule for every
/// signature, the chair's and each justerare's, so the first signature is
/// refused on the same day the last one would be.
pub fn check_justering_day(meeting_date: Date, today: Date) -> Result<(), Refusal> {
    if today < meeting_date {
        return Err(Refusal::new(
            "justeringen",
            format!(
                "protokollet kan inte justeras före sammanträdet den {meeting_date} (i dag är det {today})"
            ),
        ));
    }
    Ok(())
}

/// An item on the agenda (föredragningslista), and, once the meeting has dealt
/// with it, its paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub title: String,
    pub case: Option<CaseId>,
    pub kind: ItemKind,
    pub access: Access,
    /// Beslutsunderlag sent out with the agenda.
    pub basis: Vec<BasisItem>,
    pub paragraph: Option<Paragraph>,
    /// Föredragande: the official (or member) who presents the item,
    /// named in the kallelse and the protocol's ärendelista.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presenter: Option<PersonId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Decision,
    Information,
    /// Val: an election of people to an office. Ties are settled by lot, never
    /// by the chair's casting vote, and a minority cannot send it back.
    Election,
}

/// A person present at the meeting, in what capacity, and for which
/// paragraphs (none listed: the whole meeting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub person: PersonId,
    pub capacity: Capacity,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paragraphs: Vec<(u32, u32)>,
}

impl Attendee {
    /// Present at paragraph `number`.
    pub fn present_at(&self, number: u32) -> bool {
        self.paragraphs.is_empty()
            || self
                .paragraphs
                .iter()
                .any(|&(a, b)| a <= number && number <= b)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "capacity", rename_all = "snake_case")]
pub enum Capacity {
    /// A member (ledamot, or the chair or a vice chair) taking part.
    Member,
    /// A substitute serving in place of an absent member (tjänstgörande ersättare).
    ServingSubstitute { replacing: PersonId },
    /// A substitute present without serving: does not decide, and speaks
    /// only where the body gives substitutes yttranderätt
    /// ([`crate::floor::FloorRules::substitutes_may_speak`]).
    Substitute,
    /// An official or guest ("övriga närvarande"), with title.
    Other { title: String },
}

impl Capacity {
    /// Takes part in decisions (counts for quorum, may vote and reserve).
    pub fn decides(&self) -> bool {
        matches!(self, Capacity::Member | Capacity::ServingSubstitute { .. })
    }
}

/// Who moves a proposal, reserves or writes a minute note: a named person, or
/// a party group as a whole ("Liberalerna, Centerpartiet och Moderaterna
/// reserverar sig").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "actor", rename_all = "snake_case")]
pub enum Actor {
    Person { person: PersonId },
    Party { party: String },
}

/// A paragraph (§) of the protocol, numbered per body and calendar year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    pub number: u32,
    pub title: String,
    pub access: Access,
    /// Omedelbart justerad: approved at the meeting itself.
    #[serde(default)]
    pub approved_at_once: bool,
    pub decision: Option<Decision>,
    pub draft_decision: Option<Decision>,
    /// Ärendet: the matter in prose. Paragraphs are separated by blank lines;
    /// a line starting with "- " is a list item.
    pub matter: String,
    pub proposals: Vec<Proposal>,
    /// The beslutsgång: the chair's propositions in order.
    pub propositions: Vec<Proposition>,
    pub votes: Vec<Vote>,
    pub reservations: Vec<Reservation>,
    pub minute_notes: Vec<MinuteNote>,
    pub disqualifications: Vec<Disqualification>,
    pub basis: Vec<BasisItem>,
    /// Expedieras till. `None`: the protocol says nothing about dispatch
    /// (the meeting's own business, or a protocol that leaves it out);
    /// `Some` and empty: «Expedieras inte».
    #[serde(default)]
    pub dispatch: Option<Vec<String>>,
    /// #20 L4: proportional elections held under the item (lag 2022:629),
    /// members' first, then substitutes'. Left out of the JSON when empty,
    /// so paragraphs stored before keep their bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elections: Vec<crate::election::ElectionRecord>,
}

impl Paragraph {
    /// A paragraph with a number and a title and nothing recorded yet.
    pub fn new(number: u32, title: impl Into<String>) -> Paragraph {
        Paragraph {
            number,
            title: title.into(),
            access: Access::Public,
            approved_at_once: false,
            decision: None,
            draft_decision: None,
            matter: String::new(),
            proposals: Vec::new(),
            propositions: Vec::new(),
            votes: Vec::new(),
            reservations: Vec::new(),
            minute_notes: Vec::new(),
            disqualifications: Vec::new(),
            basis: Vec::new(),
            dispatch: None,
            elections: Vec::new(),
        }
    }
}

/// A yrkande moved at the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub movers: Vec<Actor>,
    pub kind: ProposalKind,
    /// What is moved, after "yrkar": "bifall till motionen".
    pub text: String,
    /// A withdrawn proposal is kept, marked, but not put to the body.
    #[serde(default)]
    pub withdrawn: bool,
    /// What the body decides if this proposal wins (for a main proposal);
    /// none for a procedural one, whose effect is fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    Bifall,
    Avslag,
    Aterremiss,
    Bordlaggning,
    Andring,
    Tillagg,
}

impl ItemKind {
    /// The stored and serialised name.
    pub fn code(self) -> &'static str {
        match self {
            ItemKind::Decision => "decision",
            ItemKind::Information => "information",
            ItemKind::Election => "election",
        }
    }
}

impl ProposalKind {
    /// The stored and serialised name.
    pub fn code(self) -> &'static str {
        match self {
            ProposalKind::Bifall => "bifall",
            ProposalKind::Avslag => "avslag",
            ProposalKind::Aterremiss => "aterremiss",
            ProposalKind::Bordlaggning => "bordlaggning",
            ProposalKind::Andring => "andring",
            ProposalKind::Tillagg => "tillagg",
        }
    }

    pub const ALL: [ProposalKind; 6] = [
        ProposalKind::Bifall,
        ProposalKind::Avslag,
        ProposalKind::Aterremiss,
        ProposalKind::Bordlaggning,
        ProposalKind::Andring,
        ProposalKind::Tillagg,
    ];

    pub fn label_sv(self) -> &'static str {
        match self {
            ProposalKind::Bifall => "bifall",
            ProposalKind::Avslag => "avslag",
            ProposalKind::Aterremiss => "återremiss",
            ProposalKind::Bordlaggning => "bordläggning",
            ProposalKind::Andring => "ändringsyrkande",
            ProposalKind::Tillagg => "tilläggsyrkande",
        }
    }

    /// Återremiss and bordläggning are decided before the main question.
    pub fn is_procedural(self) -> bool {
        matches!(self, ProposalKind::Aterremiss | ProposalKind::Bordlaggning)
    }
}

/// One step of the beslutsgång: the chair puts proposals against each other
/// and finds which one the body supports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposition {
    /// Positions in [`Paragraph::proposals`], in the order put. A procedural
    /// proposal is put alone, against deciding the matter today.
    pub put: Vec<usize>,
    /// The proposal the chair finds the body supports; `None` when a
    /// procedural proposal was put and the body decides the matter today.
    pub found_for: Option<usize>,
    /// Decided by a minority of a third under KL 5 kap. 50 §, not by the
    /// chair's finding: the case cannot use the minority rule again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_minority: bool,
    /// The sentence as recorded ("Ordförande ställer de två förslagen mot
    /// varandra och finner att …").
    pub wording: String,
}

/// An open roll-call vote (votering).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    /// The proposal a ja-röst is for, and the one a nej-röst is for; `None`
    /// stands for deciding the matter today, against a procedural proposal.
    pub ja: Option<usize>,
    pub nej: Option<usize>,
    pub ballots: Vec<Ballot>,
    /// The result sentence as recorded ("Med 3 ja-röster och 2 nej-röster …").
    pub wording: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ballot {
    pub person: PersonId,
    pub choice: VoteChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteChoice {
    Ja,
    Nej,
    Avstar,
}

impl VoteChoice {
    pub fn label_sv(self) -> &'static str {
        match self {
            VoteChoice::Ja => "Ja",
            VoteChoice::Nej => "Nej",
            VoteChoice::Avstar => "Avstår",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            VoteChoice::Ja => "ja",
            VoteChoice::Nej => "nej",
            VoteChoice::Avstar => "avstar",
        }
    }

    pub fn from_code(code: &str) -> Option<VoteChoice> {
        match code {
            "ja" => Some(VoteChoice::Ja),
            "nej" => Some(VoteChoice::Nej),
            "avstar" => Some(VoteChoice::Avstar),
            _ => None,
        }
    }
}

/// A reservation against the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    pub by: Vec<Actor>,
    /// The proposal reserved in favour of ("till förmån för"), when stated.
    pub in_favour_of: Option<usize>,
    /// The line as recorded in the protocol.
    pub text: String,
    /// Written reasons handed in before justering, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasons: Option<String>,
}

/// A protokollsanteckning: a note in the minutes that the chair has allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteNote {
    pub by: Vec<Actor>,
    pub text: String,
}

/// Jäv: the member takes no part in the paragraph (KL 6 kap. 28–32 §§).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disqualification {
    pub person: PersonId,
    pub ground: String,
}

/// One document of the beslutsunderlag, by title, linked to the registered
/// document where there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasisItem {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentId>,
}

impl BasisItem {
    pub fn titled(title: impl Into<String>) -> BasisItem {
        BasisItem {
            title: title.into(),
            document: None,
        }
    }
}

/// A meeting with all that belongs to it, as one unit of validation and storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingRecord {
    pub meeting: Meeting,
    pub items: Vec<AgendaItem>,
    pub attendance: Vec<Attendee>,
}

impl MeetingRecord {
    pub fn paragraphs(&self) -> impl Iterator<Item = &Paragraph> {
        self.items.iter().filter_map(|i| i.paragraph.as_ref())
    }

    pub fn paragraph(&self, number: u32) -> Option<&Paragraph> {
        self.paragraphs().find(|p| p.number == number)
    }

    /// Those taking part in decisions at paragraph `number`: members and
    /// serving substitutes present, less the disqualified.
    pub fn deciding_at(&self, number: u32) -> Vec<PersonId> {
        let disqualified: Vec<PersonId> = self
            .paragraph(number)
            .map(|p| p.disqualifications.iter().map(|d| d.person).collect())
            .unwrap_or_default();
        self.attendance
            .iter()
            .filter(|a| a.capacity.decides() && a.present_at(number))
            .map(|a| a.person)
            .filter(|p| !disqualified.contains(p))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn status_moves_forward_one_step_with_dates_in_order() {
        let d = date(2025, 1, 28);
        let approved = MeetingStatus::Approved {
            approved: date(2025, 2, 3),
        };
        let posted = MeetingStatus::NoticePosted {
            approved: date(2025, 2, 3),
            posted: date(2025, 2, 4),
            taken_down: date(2025, 2, 26),
            kept_at: "Regionkontoret".into(),
        };
        assert!(
            MeetingStatus::Planned
                .check_transition(&MeetingStatus::NoticeIssued, d)
                .is_ok()
        );
        assert!(
            MeetingStatus::Planned
                .check_transition(&MeetingStatus::Held, d)
                .is_ok()
        );
        assert!(MeetingStatus::Held.check_transition(&approved, d).is_ok());
        assert!(approved.check_transition(&posted, d).is_ok());
        // Skipping the approval, going back, or cancelling a held meeting: refused.
        assert!(MeetingStatus::Held.check_transition(&posted, d).is_err());
        assert!(approved.check_transition(&MeetingStatus::Held, d).is_err());
        assert!(
            MeetingStatus::Held
                .check_transition(&MeetingStatus::Cancelled, d)
                .is_err()
        );
        // Approval before the meeting; notice before approval.
        let early = MeetingStatus::Approved {
            approved: date(2025, 1, 27),
        };
        assert!(MeetingStatus::Held.check_transition(&early, d).is_err());
        let backwards = MeetingStatus::NoticePosted {
            approved: date(2025, 2, 3),
            posted: date(2025, 2, 2),
            taken_down: date(2025, 2, 26),
            kept_at: "Regionkontoret".into(),
        };
        assert!(approved.check_transition(&backwards, d).is_err());
        // Posted Tuesday 4 February: the appeal period ends Tuesday 25
        // February, so the notice stays up through that day.
        let early = MeetingStatus::NoticePosted {
            approved: date(2025, 2, 3),
            posted: date(2025, 2, 4),
            taken_down: date(2025, 2, 25),
            kept_at: "Regionkontoret".into(),
        };
        let r = approved.check_transition(&early, d).unwrap_err();
        assert!(r.reason.contains("2025-02-26"), "{r}");
        assert!(approved.is_sealed() && posted.is_sealed() && !MeetingStatus::Held.is_sealed());
    }

    #[test]
    fn a_meeting_is_planned_again_only_before_it_begins() {
        assert!(MeetingStatus::Planned.check_replanning("x").is_ok());
        assert!(MeetingStatus::NoticeIssued.check_replanning("x").is_ok());
        let r = MeetingStatus::InSession
            .check_replanning("flytt")
            .unwrap_err();
        assert_eq!(r.at, "flytt");
        assert!(r.reason.contains("har börjat"), "{r}");
        assert!(MeetingStatus::Held.check_replanning("x").is_err());
        assert!(
            MeetingStatus::Approved {
                approved: date(2025, 2, 3)
            }
            .check_replanning("x")
            .is_err()
        );
        let r = MeetingStatus::Cancelled.check_replanning("x").unwrap_err();
        assert!(r.reason.contains("inställt"), "{r}");
        // Only changes after the kallelse make a tilläggskallelse.
        assert!(!MeetingStatus::Planned.changes_are_supplement());
        assert!(MeetingStatus::NoticeIssued.changes_are_supplement());
        assert!(!MeetingStatus::Cancelled.changes_are_supplement());
    }

    #[test]
    fn codes_are_the_serialised_names() {
        let name = |v: serde_json::Value| v.as_str().unwrap().to_string();
        for k in ProposalKind::ALL {
            assert_eq!(name(serde_json::to_value(k).unwrap()), k.code());
        }
        for k in [
            ItemKind::Decision,
            ItemKind::Information,
            ItemKind::Election,
        ] {
            assert_eq!(name(serde_json::to_value(k).unwrap()), k.code());
        }
        use crate::org::OrganisationKind as O;
        for k in [O::Kommun, O::Region, O::Samverkan] {
            assert_eq!(name(serde_json::to_value(k).unwrap()), k.code());
        }
    }

    #[test]
    fn attendance_by_paragraph_range() {
        let a = Attendee {
            person: PersonId(1),
            capacity: Capacity::Member,
            paragraphs: vec![(5, 15)],
        };
        assert!(!a.present_at(4));
        assert!(a.present_at(5) && a.present_at(15));
        assert!(!a.present_at(16));
        let whole = Attendee {
            paragraphs: vec![],
            ..a
        };
        assert!(whole.present_at(1));
    }
}
