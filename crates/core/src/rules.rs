//! Procedure rules as pure functions. Each cites the provision it implements;
//! KL is kommunallagen (2017:725).

use crate::Refusal;
use crate::meeting::{Ballot, VoteChoice};
use serde::{Deserialize, Serialize};

/// Beslutförhet: a body may deal with a matter only when more than half of its
/// members are present (fullmäktige: KL 5 kap. 42 §; nämnd: KL 6 kap. 27 §).
/// `taking_part` counts members and serving substitutes, disqualified ones not.
pub fn has_quorum(seats: u16, taking_part: usize) -> bool {
    taking_part * 2 > seats as usize
}

/// The counts of a roll-call vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Tally {
    pub ja: u32,
    pub nej: u32,
    pub avstar: u32,
}

pub fn tally(ballots: &[Ballot]) -> Tally {
    let mut t = Tally::default();
    for b in ballots {
        match b.choice {
            VoteChoice::Ja => t.ja += 1,
            VoteChoice::Nej => t.nej += 1,
            VoteChoice::Avstar => t.avstar += 1,
        }
    }
    t
}

/// Which side won, and whether the chair's casting vote decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub winner: VoteChoice,
    pub by_casting_vote: bool,
    /// An election tie settled by lot (see [`crate::proceedings`]).
    #[serde(default)]
    pub by_lot: bool,
}

/// The outcome of a vote between two proposals (not an election): the side with
/// the most ja or nej votes wins; abstentions are not cast votes. On a tie the
/// chair has the casting vote (utslagsröst, KL 5 kap. 55 §; for nämnder through
/// 6 kap. 33 §): the side the chair voted for. A chair who abstained on a tie
/// must still choose, so that case is refused here.
pub fn outcome(tally: Tally, chair_choice: Option<VoteChoice>) -> Result<Outcome, Refusal> {
    use std::cmp::Ordering;
    match tally.ja.cmp(&tally.nej) {
        Ordering::Greater => Ok(Outcome {
            winner: VoteChoice::Ja,
            by_casting_vote: false,
            by_lot: false,
        }),
        Ordering::Less => Ok(Outcome {
            winner: VoteChoice::Nej,
            by_casting_vote: false,
            by_lot: false,
        }),
        Ordering::Equal => match chair_choice {
            Some(choice @ (VoteChoice::Ja | VoteChoice::Nej)) => Ok(Outcome {
                winner: choice,
                by_casting_vote: true,
                by_lot: false,
            }),
            _ => Err(Refusal::new(
                "omröstning",
                "lika röstetal: ordföranden har utslagsröst och måste rösta ja eller nej",
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PersonId;

    fn ballots(choices: &[VoteChoice]) -> Vec<Ballot> {
        choices
            .iter()
            .enumerate()
            .map(|(i, &choice)| Ballot {
                person: PersonId(i as i64),
                choice,
            })
            .collect()
    }

    #[test]
    fn quorum_needs_more_than_half() {
        assert!(!has_quorum(5, 2));
        assert!(has_quorum(5, 3));
        assert!(!has_quorum(4, 2));
        assert!(has_quorum(4, 3));
        assert!(!has_quorum(0, 0));
        assert!(has_quorum(101, 51));
        assert!(!has_quorum(101, 50));
    }

    #[test]
    fn majority_tie_and_casting_vote() {
        use VoteChoice::*;
        let t = tally(&ballots(&[Ja, Ja, Nej, Ja, Nej]));
        assert_eq!(
            t,
            Tally {
                ja: 3,
                nej: 2,
                avstar: 0
            }
        );
        assert_eq!(
            outcome(t, Some(Ja)).unwrap(),
            Outcome {
                winner: Ja,
                by_casting_vote: false,
                by_lot: false,
            }
        );
        // Abstentions do not count: 1 ja, 0 nej, 3 avstår is a ja.
        let t = tally(&ballots(&[Ja, Avstar, Avstar, Avstar]));
        assert_eq!(outcome(t, None).unwrap().winner, Ja);
        // A tie goes to the side the chair voted for.
        let t = tally(&ballots(&[Ja, Nej]));
        assert_eq!(
            outcome(t, Some(Nej)).unwrap(),
            Outcome {
                winner: Nej,
                by_casting_vote: true,
                by_lot: false,
            }
        );
        assert!(outcome(t, Some(Avstar)).is_err());
        assert!(outcome(t, None).is_err());
    }
}
