//! Proportional elections under lag (2022:629) om proportionella val i
//! kommuner och regioner ("LPV"), which replaced lag (1992:339) om
//! proportionellt valsätt on 1 July 2022.
//!
//! An election of several people to a body (a nämnd, an utskott, a
//! delegation) is proportional when enough of the members present ask for
//! it. Each party group (or groups in valsamverkan) hands in ballots with its
//! designation and list; seats go to groups by jämförelsetal (the group's
//! votes divided by the seats it has won plus one, the d'Hondt method), and
//! within a group to the names in list order. A tie is settled by lot, drawn
//! at the meeting and recorded here so that the protocol can show it; an
//! election is never settled by the chair's casting vote.

use crate::{PersonId, Refusal};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// LPV 2 §: the number of members who must ask for a proportional election:
/// those present divided by the seats to fill plus one, rounded up.
pub fn requests_needed(present: u32, seats: u32) -> u32 {
    present.div_ceil(seats + 1)
}

/// Whether `requesting` members (of `present`) may demand that an election
/// of `seats` people be proportional (LPV 2 §).
pub fn is_proportional(requesting: u32, present: u32, seats: u32) -> bool {
    seats >= 1 && requesting >= 1 && requesting >= requests_needed(present, seats)
}

/// One group's ballots: its designation, how many ballots it got, and its
/// list of names in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupBallots {
    pub group: String,
    pub votes: u32,
    pub list: Vec<PersonId>,
}

/// A jämförelsetal as the fraction votes / divisor, kept exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quotient {
    pub votes: u32,
    pub divisor: u32,
}

impl Quotient {
    fn cmp_value(&self, other: &Quotient) -> Ordering {
        (self.votes as u64 * other.divisor as u64).cmp(&(other.votes as u64 * self.divisor as u64))
    }

    /// For display: "8,5".
    pub fn display_sv(&self) -> String {
        let whole = self.votes / self.divisor;
        let rest = self.votes % self.divisor;
        if rest == 0 {
            return whole.to_string();
        }
        let hundredths = (rest as u64 * 100 + self.divisor as u64 / 2) / self.divisor as u64;
        if hundredths == 100 {
            return (whole + 1).to_string();
        }
        let text = format!("{whole},{hundredths:02}");
        text.trim_end_matches('0').to_string()
    }
}

/// A lot drawn at the meeting between groups with equal jämförelsetal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lot {
    /// The seat it decided, counted from 1.
    pub seat: u32,
    pub between: Vec<String>,
    pub drawn: String,
}

/// How one seat was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    pub seat: u32,
    /// Every group still in the running with its jämförelsetal.
    pub quotients: Vec<(String, Quotient)>,
    pub group: String,
    pub person: PersonId,
    pub by_lot: bool,
}

/// The result: seat by seat, and the lots drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub rounds: Vec<Round>,
    pub lots: Vec<Lot>,
}

impl Allocation {
    /// Seats won by `group`.
    pub fn seats_of(&self, group: &str) -> u32 {
        self.rounds.iter().filter(|r| r.group == group).count() as u32
    }

    /// Those elected, in the order their seats were given.
    pub fn elected(&self) -> Vec<PersonId> {
        self.rounds.iter().map(|r| r.person).collect()
    }

    /// Substitutes' serving order within each group: the group's elected in
    /// list order, numbered from 1 (for ersättare elected proportionally,
    /// LPV 3 §, who serve for their own group first).
    pub fn order_within(&self, group: &str) -> Vec<(PersonId, u16)> {
        self.rounds
            .iter()
            .filter(|r| r.group == group)
            .enumerate()
            .map(|(i, r)| (r.person, i as u16 + 1))
            .collect()
    }
}

/// Why an allocation could not be completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The ballots or lots do not make a lawful election.
    Refused(Refusal),
    /// Groups tie for a seat: the chair draws lots between them, and the
    /// allocation runs again with the draw added.
    LotNeeded {
        seat: u32,
        between: Vec<String>,
        quotient: Quotient,
    },
}

impl Stop {
    /// The reason in Swedish, for either case.
    pub fn refusal(&self) -> Refusal {
        match self {
            Stop::Refused(r) => r.clone(),
            Stop::LotNeeded {
                seat,
                between,
                quotient,
            } => Refusal::new(
                "proportionellt val",
                format!(
                    "lika jämförelsetal ({}) om plats {seat} mellan {}: platsen avgörs genom lottning",
                    quotient.display_sv(),
                    crate::text::join_sv(between)
                ),
            ),
        }
    }
}

impl From<Refusal> for Stop {
    fn from(r: Refusal) -> Stop {
        Stop::Refused(r)
    }
}

/// Gives `seats` seats to the groups by jämförelsetal, filling each group's
/// seats in list order. Ties are settled by the lots in `draws`, used in
/// order; a tie with no draw left is refused with what must be drawn, so
/// that the chair can draw it and the allocation be run again with it.
pub fn allocate(groups: &[GroupBallots], seats: u32, draws: &[String]) -> Result<Allocation, Stop> {
    let at = "proportionellt val";
    if seats == 0 {
        return Err(Stop::Refused(Refusal::new(at, "valet gäller inga platser")));
    }
    let mut names: Vec<&str> = Vec::new();
    for g in groups {
        if g.group.trim().is_empty() {
            return Err(Stop::Refused(Refusal::new(
                at,
                "en valsedel saknar gruppbeteckning",
            )));
        }
        if names.contains(&g.group.as_str()) {
            return Err(Stop::Refused(Refusal::new(
                at,
                format!("gruppen {} finns två gånger", g.group),
            )));
        }
        names.push(&g.group);
    }
    let mut taken: Vec<PersonId> = Vec::new();
    for g in groups {
        for p in &g.list {
            if taken.contains(p) {
                return Err(Stop::Refused(Refusal::new(
                    at,
                    format!("person {p} står på mer än en lista eller två gånger"),
                )));
            }
            taken.push(*p);
        }
    }
    let mut won = vec![0u32; groups.len()];
    let mut rounds = Vec::new();
    let mut lots = Vec::new();
    let mut draws = draws.iter();
    for seat in 1..=seats {
        // A group whose list is used up takes no more seats.
        let running: Vec<usize> = (0..groups.len())
            .filter(|&i| groups[i].votes > 0 && (won[i] as usize) < groups[i].list.len())
            .collect();
        if running.is_empty() {
            return Err(Stop::Refused(Refusal::new(
                at,
                format!("plats {seat} kan inte besättas: inga fler namn på listorna"),
            )));
        }
        let quotient = |i: usize| Quotient {
            votes: groups[i].votes,
            divisor: won[i] + 1,
        };
        let best = running
            .iter()
            .map(|&i| quotient(i))
            .max_by(|a, b| a.cmp_value(b))
            .expect("running is not empty");
        let tied: Vec<usize> = running
            .iter()
            .copied()
            .filter(|&i| quotient(i).cmp_value(&best) == Ordering::Equal)
            .collect();
        let (winner, by_lot) = if tied.len() == 1 {
            (tied[0], false)
        } else {
            let between: Vec<String> = tied.iter().map(|&i| groups[i].group.clone()).collect();
            let Some(drawn) = draws.next() else {
                return Err(Stop::LotNeeded {
                    seat,
                    between,
                    quotient: best,
                });
            };
            let Some(&w) = tied.iter().find(|&&i| groups[i].group == *drawn) else {
                return Err(Stop::Refused(Refusal::new(
                    at,
                    format!(
                        "lotten om plats {seat} måste falla på en av {}, inte {drawn}",
                        crate::text::join_sv(&between)
                    ),
                )));
            };
            lots.push(Lot {
                seat,
                between,
                drawn: drawn.clone(),
            });
            (w, true)
        };
        rounds.push(Round {
            seat,
            quotients: running
                .iter()
                .map(|&i| (groups[i].group.clone(), quotient(i)))
                .collect(),
            group: groups[winner].group.clone(),
            person: groups[winner].list[won[winner] as usize],
            by_lot,
        });
        won[winner] += 1;
    }
    if draws.next().is_some() {
        return Err(Stop::Refused(Refusal::new(
            at,
            "fler lotter har dragits än det fanns lika jämförelsetal",
        )));
    }
    Ok(Allocation { rounds, lots })
}

/// Substitutes may be elected proportionally only when the members were
/// (LPV 3 §); then the same allocation applies to the substitutes' lists.
pub fn allocate_substitutes(
    members_were_proportional: bool,
    groups: &[GroupBallots],
    seats: u32,
    draws: &[String],
) -> Result<Allocation, Stop> {
    if !members_were_proportional {
        return Err(Stop::Refused(Refusal::new(
            "proportionellt val",
            "ersättare väljs proportionellt bara om ledamöterna valts proportionellt (LPV 3 §)",
        )));
    }
    allocate(groups, seats, draws)
}

// ---- #20 L4: a proportional election held at the meeting ------------------

/// Which seats a proportional election fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatKind {
    /// Ledamöter.
    #[default]
    Members,
    /// Ersättare (or suppleanter): proportional only when the members were
    /// (LPV 3 §).
    Substitutes,
}

impl SeatKind {
    /// "ledamöter" / "ersättare", as a sentence names the seats.
    pub fn plural_sv(self) -> &'static str {
        match self {
            SeatKind::Members => "ledamöter",
            SeatKind::Substitutes => "ersättare",
        }
    }

    pub fn singular_sv(self) -> &'static str {
        match self {
            SeatKind::Members => "ledamot",
            SeatKind::Substitutes => "ersättare",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            SeatKind::Members => "members",
            SeatKind::Substitutes => "substitutes",
        }
    }
}

/// A name on a list, with the name as the ballot gives it: the people
/// elected to a nämnd are often not members of the electing body, so the
/// engine's roster does not know them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub person: PersonId,
    pub name: String,
}

/// One group's valsedlar as counted: its gruppbeteckning (LPV 7 §), how
/// many ballots it got, and the names in the ballot's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotList {
    pub group: String,
    pub votes: u32,
    pub names: Vec<Candidate>,
}

/// What the secretary enters for a proportional election: who asked for it,
/// how many seats it fills, the ballots per list as counted (the election
/// itself is held with sealed ballots on paper, LPV 5 §) and the lots drawn
/// in the room on a tie, in the order the ties came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectionEntry {
    #[serde(default)]
    pub of: SeatKind,
    pub seats: u32,
    pub requested_by: Vec<PersonId>,
    pub lists: Vec<BallotList>,
    #[serde(default)]
    pub lots: Vec<String>,
}

/// A proportional election as the paragraph records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectionRecord {
    pub of: SeatKind,
    pub seats: u32,
    /// Members present when it was requested (LPV 2 §).
    pub present: u32,
    /// The requests the law asked for.
    pub needed: u32,
    pub requested_by: Vec<PersonId>,
    pub lists: Vec<BallotList>,
    pub allocation: Allocation,
    /// The protocol's sentences, from [`crate::wording::election_text`].
    pub wording: Vec<String>,
}

impl ElectionRecord {
    /// The name a list gives a person.
    pub fn name_of(&self, person: PersonId) -> String {
        self.lists
            .iter()
            .flat_map(|l| &l.names)
            .find(|c| c.person == person)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| format!("person {person}"))
    }
}

/// The meeting as the election sees it, given by the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    /// Members present, a serving substitute counted in the member's place
    /// and the disqualified included (LPV 2 § counts those present, not
    /// those who take part).
    pub present: u32,
    /// Those who take part in the election (väljande): they may ask for it
    /// and each hands in one ballot.
    pub voters: Vec<PersonId>,
    /// The elections already recorded in the paragraph.
    pub held: Vec<SeatKind>,
}

/// Checks the entry against the law and allocates the seats, or refuses it.
/// A tie with no lot entered stops with [`Stop::LotNeeded`], saying what the
/// chair is to draw; the same entry with the drawn group added to `lots`
/// then goes through. `name` names the requesting members.
pub fn hold(
    entry: &ElectionEntry,
    room: &Room,
    name: impl Fn(PersonId) -> String,
) -> Result<ElectionRecord, Stop> {
    let at = "proportionellt val";
    let no = |reason: String| Err(Stop::Refused(Refusal::new(at, reason)));
    let what = entry.of.plural_sv();
    if room.held.contains(&entry.of) {
        return no(format!(
            "valet av {what} är redan förrättat i paragrafen; ta upp ärendet på nytt för att göra om det"
        ));
    }
    // LPV 3 §.
    if entry.of == SeatKind::Substitutes && !room.held.contains(&SeatKind::Members) {
        return no("ersättare väljs proportionellt bara om ledamöterna valts proportionellt; förrätta valet av ledamöter först (3 § lagen om proportionella val)".into());
    }
    if entry.seats == 0 {
        return no(format!("ange hur många {what} valet gäller"));
    }
    // LPV 2 §: the request.
    let mut asking: Vec<PersonId> = Vec::new();
    for p in &entry.requested_by {
        if !room.voters.contains(p) {
            return no(format!(
                "{} deltar inte i valet och kan inte begära proportionellt val",
                name(*p)
            ));
        }
        if !asking.contains(p) {
            asking.push(*p);
        }
    }
    let needed = requests_needed(room.present, entry.seats);
    if !is_proportional(asking.len() as u32, room.present, entry.seats) {
        return no(format!(
            "{} av {} närvarande ledamöter begär proportionellt val av {} {what}; minst {} krävs (2 § lagen om proportionella val)",
            asking.len(),
            room.present,
            entry.seats,
            needed.max(1)
        ));
    }
    // The ballots as counted.
    if entry.lists.is_empty() {
        return no(
            "ange valsedlarna: gruppbeteckning, antal valsedlar och namnen i ordning".into(),
        );
    }
    for l in &entry.lists {
        let group = l.group.trim();
        if group.is_empty() {
            return no(
                "en valsedel saknar gruppbeteckning (7 § lagen om proportionella val)".into(),
            );
        }
        if l.names.is_empty() {
            return no(format!("gruppen {group} har ingen lista med namn"));
        }
        if l.names.len() > entry.seats as usize {
            return no(format!(
                "gruppen {group}s lista har {} namn, men valet gäller {} {what}; en lista får ha högst lika många namn som platser",
                l.names.len(),
                entry.seats
            ));
        }
        if let Some(c) = l.names.iter().find(|c| c.name.trim().is_empty()) {
            return no(format!(
                "gruppen {group}s lista har ett namn utan text (person {})",
                c.person
            ));
        }
    }
    let total: u64 = entry.lists.iter().map(|l| l.votes as u64).sum();
    if total == 0 {
        return no("ingen valsedel är räknad".into());
    }
    if total > room.voters.len() as u64 {
        return no(format!(
            "{total} valsedlar är räknade, men bara {} deltar i valet och var och en lämnar en valsedel",
            room.voters.len()
        ));
    }
    let groups: Vec<GroupBallots> = entry
        .lists
        .iter()
        .map(|l| GroupBallots {
            group: l.group.trim().to_string(),
            votes: l.votes,
            list: l.names.iter().map(|c| c.person).collect(),
        })
        .collect();
    let allocation = match entry.of {
        SeatKind::Members => allocate(&groups, entry.seats, &entry.lots)?,
        SeatKind::Substitutes => allocate_substitutes(true, &groups, entry.seats, &entry.lots)?,
    };
    let mut record = ElectionRecord {
        of: entry.of,
        seats: entry.seats,
        present: room.present,
        needed,
        requested_by: asking,
        lists: entry
            .lists
            .iter()
            .map(|l| BallotList {
                group: l.group.trim().to_string(),
                votes: l.votes,
                names: l
                    .names
                    .iter()
                    .map(|c| Candidate {
                        person: c.person,
                        name: c.name.trim().to_string(),
                    })
                    .collect(),
            })
            .collect(),
        allocation,
        wording: Vec::new(),
    };
    let requesters: Vec<String> = record.requested_by.iter().map(|p| name(*p)).collect();
    record.wording = crate::wording::election_text(&record, &requesters);
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, votes: u32, first_id: i64, names: usize) -> GroupBallots {
        GroupBallots {
            group: name.into(),
            votes,
            list: (0..names as i64).map(|i| PersonId(first_id + i)).collect(),
        }
    }

    #[test]
    fn the_request_threshold_rounds_up() {
        // 51 present, 7 seats: 51/8 = 6,375 -> 7 must ask.
        assert_eq!(requests_needed(51, 7), 7);
        assert!(!is_proportional(6, 51, 7));
        assert!(is_proportional(7, 51, 7));
        // An exact quotient is not rounded: 40 present, 4 seats -> 8.
        assert_eq!(requests_needed(40, 4), 8);
        assert!(!is_proportional(0, 0, 1));
        assert!(!is_proportional(3, 5, 0));
    }

    /// SKR's worked example: A 17, B 5, C 5, G 4 ballots, 7 seats; B and C
    /// tie for the fourth seat and the lot decides.
    #[test]
    fn dhondt_with_a_tie_settled_by_lot() {
        let groups = [
            group("A", 17, 100, 7),
            group("B", 5, 200, 7),
            group("C", 5, 300, 7),
            group("G", 4, 400, 7),
        ];
        let r = allocate(&groups, 7, &[]).unwrap_err().refusal();
        assert!(r.reason.contains("plats 4 mellan B och C"), "{r}");
        assert!(r.reason.contains("(5)"), "{r}");
        let wrong = allocate(&groups, 7, &["G".into()]).unwrap_err().refusal();
        assert!(wrong.reason.contains("B och C"), "{wrong}");
        let a = allocate(&groups, 7, &["C".into()]).unwrap();
        let order: Vec<&str> = a.rounds.iter().map(|r| r.group.as_str()).collect();
        assert_eq!(order, ["A", "A", "A", "C", "B", "A", "G"]);
        assert_eq!(
            (
                a.seats_of("A"),
                a.seats_of("B"),
                a.seats_of("C"),
                a.seats_of("G")
            ),
            (4, 1, 1, 1)
        );
        assert_eq!(
            a.lots,
            vec![Lot {
                seat: 4,
                between: vec!["B".into(), "C".into()],
                drawn: "C".into()
            }]
        );
        // Seats in list order within the group.
        assert_eq!(
            a.order_within("A"),
            vec![
                (PersonId(100), 1),
                (PersonId(101), 2),
                (PersonId(102), 3),
                (PersonId(103), 4)
            ]
        );
        // The third seat's quotients: A 17/3 = 5,67, B 5, C 5, G 4.
        assert_eq!(a.rounds[2].quotients[0].1.display_sv(), "5,67");
        assert_eq!(a.rounds[3].quotients[0].1.display_sv(), "4,25");
        assert!(allocate(&groups, 7, &["C".into(), "B".into()]).is_err());
    }

    #[test]
    fn a_used_up_list_takes_no_more_seats() {
        let groups = [group("A", 20, 1, 1), group("B", 3, 10, 3)];
        let a = allocate(&groups, 3, &[]).unwrap();
        assert_eq!(a.elected(), vec![PersonId(1), PersonId(10), PersonId(11)]);
        assert!(allocate(&groups, 5, &[]).is_err());
    }

    #[test]
    fn bad_ballots_are_refused() {
        assert!(allocate(&[group("A", 1, 1, 1), group("A", 1, 5, 1)], 1, &[]).is_err());
        assert!(allocate(&[group("A", 1, 1, 2), group("B", 1, 2, 1)], 1, &[]).is_err());
        assert!(allocate(&[group("A", 1, 1, 1)], 0, &[]).is_err());
        assert!(allocate_substitutes(false, &[group("A", 1, 1, 1)], 1, &[]).is_err());
        assert!(allocate_substitutes(true, &[group("A", 1, 1, 1)], 1, &[]).is_ok());
    }

    use proptest::prelude::*;

    proptest! {
        /// Against a second reading of the method: list every quotient
        /// votes/1, votes/2, … of every group and take the largest; the seats
        /// a group wins are its quotients among the `seats` largest. When no
        /// tie straddles the cut, both must agree, and the d'Hondt condition
        /// holds: no group's next quotient beats another's last seat.
        #[test]
        fn agrees_with_the_sorted_quotients(
            votes in prop::collection::vec(0u32..60, 1..6),
            seats in 1u32..12,
        ) {
            let groups: Vec<GroupBallots> = votes
                .iter()
                .enumerate()
                .map(|(i, v)| group(&format!("G{i}"), *v, i as i64 * 100, 20))
                .collect();
            let mut all: Vec<(Quotient, usize)> = Vec::new();
            for (i, v) in votes.iter().enumerate() {
                if *v == 0 { continue; }
                for d in 1..=seats {
                    all.push((Quotient { votes: *v, divisor: d }, i));
                }
            }
            all.sort_by(|a, b| b.0.cmp_value(&a.0));
            let enough = all.len() >= seats as usize;
            let clean_cut = enough
                && (all.len() == seats as usize
                    || all[seats as usize - 1].0.cmp_value(&all[seats as usize].0) == Ordering::Greater);
            // Draw every lot asked for, always for the last group named.
            let mut draws: Vec<String> = Vec::new();
            let result = loop {
                match allocate(&groups, seats, &draws) {
                    Err(Stop::LotNeeded { between, .. }) => draws.push(between.last().unwrap().clone()),
                    other => break other,
                }
            };
            match result {
                Ok(a) => {
                    prop_assert_eq!(a.lots.len(), draws.len());
                    prop_assert_eq!(a.rounds.len() as u32, seats);
                    if clean_cut {
                        for (i, g) in groups.iter().enumerate() {
                            let expected = all[..seats as usize].iter().filter(|(_, j)| *j == i).count() as u32;
                            prop_assert_eq!(a.seats_of(&g.group), expected);
                        }
                    }
                    for (i, gi) in groups.iter().enumerate() {
                        for (j, gj) in groups.iter().enumerate() {
                            let si = a.seats_of(&gi.group);
                            let sj = a.seats_of(&gj.group);
                            if i != j && si > 0 {
                                let last = Quotient { votes: gi.votes, divisor: si };
                                let next = Quotient { votes: gj.votes, divisor: sj + 1 };
                                prop_assert!(last.cmp_value(&next) != Ordering::Less);
                            }
                        }
                    }
                }
                // Refused only when the lists and votes cannot fill the seats.
                Err(r) => prop_assert!(!enough, "{}", r.refusal()),
            }
        }
    }
}
