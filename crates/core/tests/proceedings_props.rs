//! Property tests over random meetings: whatever commands arrive, in whatever
//! order, no accepted sequence yields a decision without quorum or a ballot
//! from someone not serving, the record always passes the after-the-fact
//! checks, and replaying the log rebuilds the same meeting.

use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::meeting::{
    Actor, AgendaItem, ItemKind, Meeting, MeetingStatus, ProposalKind, VoteChoice,
};
use kansli_core::org::{Body, BodyKind, Person, Role};
use kansli_core::proceedings::{Command, Proceedings, Seat, Setting};
use kansli_core::rules::has_quorum;
use kansli_core::validate::check_meeting_record;
use kansli_core::{Access, BodyId, CaseId, MeetingId, OrganisationId, PersonId};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Shape {
    members: usize,
    vacancies: u16,
    substitutes: usize,
    fullmaktige: bool,
    items: Vec<u8>,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        3usize..8,
        0u16..3,
        0usize..4,
        any::<bool>(),
        prop::collection::vec(0u8..3, 1..4),
    )
        .prop_map(
            |(members, vacancies, substitutes, fullmaktige, items)| Shape {
                members,
                vacancies,
                substitutes,
                fullmaktige,
                items,
            },
        )
}

fn setting(s: &Shape) -> Setting {
    let group = |i: usize| if i.is_multiple_of(2) { "A" } else { "B" };
    let mut roster = Vec::new();
    for i in 0..s.members {
        let role = match i {
            0 => Role::Chair,
            1 => Role::FirstViceChair,
            _ => Role::Member,
        };
        roster.push((i as i64 + 1, group(i), role));
    }
    for i in 0..s.substitutes {
        roster.push((
            i as i64 + 11,
            group(i),
            Role::Substitute {
                order: i as u16 + 1,
            },
        ));
    }
    Setting {
        meeting: Meeting {
            id: MeetingId(1),
            body: BodyId(1),
            date: jiff::civil::date(2026, 5, 5),
            starts: None,
            ends: None,
            place: "Sessionssalen".into(),
            status: MeetingStatus::Planned,
            secretary: None,
            chair: None,
            approvers: vec![],
            approval_place: None,
            attendance_complete: true,
            source_note: None,
        },
        items: s
            .items
            .iter()
            .enumerate()
            .map(|(i, k)| AgendaItem {
                title: format!("Ärende {}", i + 1),
                case: Some(CaseId(i as i64 + 1)),
                kind: [
                    ItemKind::Decision,
                    ItemKind::Information,
                    ItemKind::Election,
                ][*k as usize],
                access: Access::Public,
                basis: vec![],
                paragraph: None,
                presenter: None,
            })
            .collect(),
        body: Body {
            id: BodyId(1),
            organisation: OrganisationId(1),
            name: if s.fullmaktige {
                "Kommunfullmäktige".into()
            } else {
                "Tekniska nämnden".into()
            },
            short_name: None,
            kind: if s.fullmaktige {
                BodyKind::Fullmaktige
            } else {
                BodyKind::Namnd
            },
            parent: None,
            seats: s.members as u16 + s.vacancies,
        },
        roster: roster
            .into_iter()
            .map(|(id, g, role)| Seat {
                person: Person {
                    id: PersonId(id),
                    name: format!("Person {id}"),
                    party: Some(g.into()),
                },
                role,
                party_group: Some(g.into()),
            })
            .collect(),
        parties: vec![],
        first_number: 1,
        minority_used: vec![],
        floor: Default::default(),
    }
}

/// A command from four random numbers: people are drawn from the roster and
/// one stranger (99), proposals and items from small ranges.
fn command(raw: (u8, u8, u8, u8)) -> Command {
    let (what, a, b, c) = raw;
    let person = |x: u8| {
        let pool = [1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 99];
        PersonId(pool[x as usize % pool.len()])
    };
    let side = |x: u8| {
        if x % 4 == 3 {
            None
        } else {
            Some((x % 4) as usize)
        }
    };
    let choice = |x: u8| [VoteChoice::Ja, VoteChoice::Nej, VoteChoice::Avstar][x as usize % 3];
    let decision =
        |x: u8| Decision::single(Formula::Decides, vec![Clause::new(format!("förslag {x}"))]);
    match what % 24 {
        0 | 1 => Command::Arrive { person: person(a) },
        2 => Command::Leave { person: person(a) },
        3 => Command::Serve {
            substitute: person(a),
            replacing: person(b),
        },
        4 => Command::Disqualify {
            person: person(a),
            ground: "jäv".into(),
        },
        5 => Command::TakeUp {
            item: (a % 4) as usize,
            draft_decision: (b % 2 == 0).then(|| decision(c)),
        },
        6 | 7 => {
            let kind = ProposalKind::ALL[b as usize % ProposalKind::ALL.len()];
            Command::Move {
                movers: vec![Actor::Person { person: person(a) }],
                kind,
                text: format!("yrkande {c}"),
                decision: (!kind.is_procedural()).then(|| decision(c)),
            }
        }
        8 => Command::Withdraw {
            proposal: (a % 4) as usize,
        },
        9 => {
            let n = 1 + (a % 3) as usize;
            let put: Vec<usize> = (0..n).map(|i| (i + b as usize) % 4).collect();
            Command::Put {
                found_for: side(c).filter(|_| c % 5 != 0).map(|f| put[f % put.len()]),
                put,
            }
        }
        10 => Command::RequestVote { by: person(a) },
        11 => Command::ApproveVotingOrder {
            ja: side(a),
            nej: side(b),
        },
        12 | 13 => Command::CastVote {
            person: person(a),
            choice: choice(b),
        },
        14 => Command::CountVotes {
            lot: (a % 3 == 0).then(|| choice(b)),
        },
        15 => Command::Decide {
            decision: (a % 3 == 0).then(|| decision(b)),
        },
        16 => Command::Reserve {
            paragraph: 1 + (a % 3) as u32,
            by: vec![Actor::Person { person: person(b) }],
            in_favour_of: side(c),
            reasons: None,
        },
        17 => Command::MinorityReferral {
            proposal: (a % 3) as usize,
            supporters: vec![person(b), person(c), person(a)],
        },
        20 => Command::CorrectVote {
            person: person(a),
            choice: choice(b),
        },
        21 => Command::AmendProposal {
            proposal: (a % 4) as usize,
            movers: vec![Actor::Person { person: person(b) }],
            text: if c % 7 == 0 {
                " ".into()
            } else {
                format!("ändrat yrkande {c}")
            },
            decision: (c % 2 == 0).then(|| decision(c)),
        },
        22 => Command::Reopen {
            paragraph: 1 + (a % 4) as u32,
        },
        // A second opening on some day around the meeting's (5 May 2026).
        23 => Command::Open {
            at: None,
            on: Some(jiff::civil::date(2026, 5, (3 + a % 5) as i8)),
        },
        18 => {
            if a % 3 == 0 {
                Command::Adjourn
            } else {
                Command::Resume
            }
        }
        _ => {
            if a % 4 == 0 {
                Command::Close { at: None }
            } else {
                Command::FinishItem
            }
        }
    }
}

/// A step of a random meeting: mostly a raw command, sometimes a step that
/// reads the meeting's state to find arguments that are likely to be accepted
/// (so that random meetings get as far as votes and reservations).
#[derive(Debug, Clone)]
enum Step {
    Raw((u8, u8, u8, u8)),
    /// Put every proposal still standing, or the first procedural one.
    PutStanding(u8),
    /// Try the voting orders in turn until one is accepted.
    ApproveAny(bool),
    /// Everyone serving votes.
    EveryoneVotes(u8),
    /// Count, with a lot if one is asked for.
    Count(u8),
    /// The members on the losing side of the last vote reserve.
    LosersReserve,
    /// Take up the next item not yet dealt with.
    TakeUpNext(bool),
    /// Someone serving moves a proposal.
    MoveByServing(u8, u8),
    /// Someone serving asks for a vote.
    RequestVote(u8),
    /// Decide, then finish the item.
    DecideAndFinish,
    /// Someone who voted in the roll call under way has their ballot
    /// corrected.
    CorrectSomeone(u8),
    /// The last decided paragraph is reopened.
    ReopenLast,
    /// A standing yrkande is corrected by someone serving.
    AmendStanding(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => any::<(u8, u8, u8, u8)>().prop_map(Step::Raw),
        1 => any::<bool>().prop_map(Step::TakeUpNext),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Step::MoveByServing(a, b)),
        1 => any::<u8>().prop_map(Step::RequestVote),
        1 => Just(Step::DecideAndFinish),
        1 => any::<u8>().prop_map(Step::PutStanding),
        1 => any::<bool>().prop_map(Step::ApproveAny),
        1 => any::<u8>().prop_map(Step::EveryoneVotes),
        1 => any::<u8>().prop_map(Step::Count),
        1 => Just(Step::LosersReserve),
        1 => any::<u8>().prop_map(Step::CorrectSomeone),
        1 => Just(Step::ReopenLast),
        1 => any::<u8>().prop_map(Step::AmendStanding),
    ]
}

fn commands_for(step: &Step, meeting: &Proceedings) -> Vec<Command> {
    let record = meeting.record();
    let open = meeting
        .open_paragraph()
        .and_then(|n| record.paragraph(n).cloned());
    match step {
        Step::Raw(raw) => vec![command(*raw)],
        Step::TakeUpNext(with_draft) => (0..4)
            .map(|item| Command::TakeUp {
                item,
                draft_decision: with_draft.then(|| {
                    Decision::single(Formula::Decides, vec![Clause::new("bifalla förslaget")])
                }),
            })
            .collect(),
        Step::MoveByServing(who, what) => {
            let serving = meeting.deciding_now();
            if serving.is_empty() {
                return vec![];
            }
            let kind = ProposalKind::ALL[*what as usize % ProposalKind::ALL.len()];
            vec![Command::Move {
                movers: vec![Actor::Person {
                    person: serving[*who as usize % serving.len()],
                }],
                kind,
                text: format!("yrkande {what}"),
                decision: (!kind.is_procedural()).then(|| {
                    Decision::single(
                        Formula::Decides,
                        vec![Clause::new(format!("förslag {what}"))],
                    )
                }),
            }]
        }
        Step::RequestVote(who) => {
            let serving = meeting.deciding_now();
            if serving.is_empty() {
                return vec![];
            }
            vec![Command::RequestVote {
                by: serving[*who as usize % serving.len()],
            }]
        }
        Step::DecideAndFinish => vec![Command::Decide { decision: None }, Command::FinishItem],
        Step::PutStanding(seed) => {
            let Some(p) = open else { return vec![] };
            let put_before: Vec<usize> =
                p.propositions.iter().flat_map(|x| x.put.clone()).collect();
            let procedural =
                p.proposals.iter().enumerate().find(|(i, x)| {
                    x.kind.is_procedural() && !x.withdrawn && !put_before.contains(i)
                });
            if let Some((i, _)) = procedural {
                let found = (seed % 2 == 0).then_some(i);
                return vec![Command::Put {
                    put: vec![i],
                    found_for: found,
                }];
            }
            let standing: Vec<usize> = p
                .proposals
                .iter()
                .enumerate()
                .filter(|(_, x)| !x.kind.is_procedural() && !x.withdrawn)
                .map(|(i, _)| i)
                .collect();
            if standing.is_empty() {
                return vec![];
            }
            let found = standing[*seed as usize % standing.len()];
            // Also the counter-proposal question, without the main one.
            let mut out = vec![Command::Put {
                put: standing.clone(),
                found_for: Some(found),
            }];
            let rest: Vec<usize> = standing.iter().copied().filter(|x| *x != found).collect();
            if rest.len() >= 2 {
                out.push(Command::Put {
                    found_for: Some(rest[*seed as usize % rest.len()]),
                    put: rest,
                });
            }
            out
        }
        Step::ApproveAny(flip) => {
            let Some(p) = open else { return vec![] };
            let mut sides: Vec<Option<usize>> = (0..p.proposals.len()).map(Some).collect();
            sides.push(None);
            let mut out = vec![];
            for a in &sides {
                for b in &sides {
                    if a != b {
                        let (ja, nej) = if *flip { (*b, *a) } else { (*a, *b) };
                        out.push(Command::ApproveVotingOrder { ja, nej });
                    }
                }
            }
            out
        }
        Step::EveryoneVotes(seed) => meeting
            .deciding_now()
            .into_iter()
            .enumerate()
            .map(|(i, person)| Command::CastVote {
                person,
                choice: [VoteChoice::Ja, VoteChoice::Nej, VoteChoice::Avstar]
                    [(*seed as usize >> (i % 8)) % 3],
            })
            .collect(),
        Step::Count(seed) => vec![
            Command::CountVotes { lot: None },
            Command::CountVotes {
                lot: Some(if seed % 2 == 0 {
                    VoteChoice::Ja
                } else {
                    VoteChoice::Nej
                }),
            },
        ],
        Step::CorrectSomeone(seed) => {
            let ballots = meeting.snapshot().ballots;
            if ballots.is_empty() {
                return vec![];
            }
            let b = &ballots[*seed as usize % ballots.len()];
            vec![Command::CorrectVote {
                person: b.person,
                choice: [VoteChoice::Ja, VoteChoice::Nej, VoteChoice::Avstar]
                    [(*seed as usize / 7) % 3],
            }]
        }
        Step::ReopenLast => {
            let Some(p) = record.paragraphs().filter(|p| p.decision.is_some()).last() else {
                return vec![];
            };
            vec![Command::Reopen {
                paragraph: p.number,
            }]
        }
        Step::AmendStanding(seed) => {
            let Some(p) = open else { return vec![] };
            let serving = meeting.deciding_now();
            if serving.is_empty() || p.proposals.is_empty() {
                return vec![];
            }
            let i = *seed as usize % p.proposals.len();
            vec![Command::AmendProposal {
                proposal: i,
                movers: vec![Actor::Person {
                    person: serving[*seed as usize % serving.len()],
                }],
                text: format!("rättat yrkande {seed}"),
                decision: (!p.proposals[i].kind.is_procedural()).then(|| {
                    Decision::single(
                        Formula::Decides,
                        vec![Clause::new(format!("rättat förslag {seed}"))],
                    )
                }),
            }]
        }
        Step::LosersReserve => {
            let Some(p) = record.paragraphs().filter(|p| p.decision.is_some()).last() else {
                return vec![];
            };
            let Some(v) = p.votes.last() else {
                return vec![];
            };
            v.ballots
                .iter()
                .map(|b| Command::Reserve {
                    paragraph: p.number,
                    by: vec![Actor::Person { person: b.person }],
                    in_favour_of: if b.choice == VoteChoice::Ja {
                        v.nej
                    } else {
                        v.ja
                    },
                    reasons: None,
                })
                .collect()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn no_command_sequence_breaks_the_rules(
        shape in shape(),
        steps in prop::collection::vec(step(), 0..160),
    ) {
        let setting = setting(&shape);
        let body = setting.body.clone();
        let mut meeting = Proceedings::new(setting.clone()).unwrap();
        // Most members arrive first, so that the meeting gets going.
        for id in 1..=shape.members as i64 {
            if id % 3 != 0 {
                meeting.apply(Command::Arrive { person: PersonId(id) }).unwrap();
            }
        }
        // Mostly opened on the meeting's day or later; sometimes tried the
        // day before (refused), so that a later opening is left to chance.
        let day = if steps.len() % 4 == 0 { 4 } else { 5 + shape.vacancies as i8 };
        let _ = meeting.apply(Command::Open {
            at: None,
            on: Some(jiff::civil::date(2026, 5, day)),
        });
        let mut closed = false;
        for step in &steps {
            for command in commands_for(step, &meeting) {
                let before = meeting.log().len();
                let (record, snapshot) = (meeting.record(), meeting.snapshot());
                let attendance = matches!(
                    command,
                    Command::Arrive { .. }
                        | Command::ArriveOther { .. }
                        | Command::Leave { .. }
                        | Command::Serve { .. }
                        | Command::Disqualify { .. }
                );
                let reopen = matches!(command, Command::Reopen { .. });
                let early = matches!(command, Command::Open { on: Some(d), .. } if d < setting.meeting.date);
                match meeting.apply(command.clone()) {
                    Err(_) => {
                        // A refusal changes nothing.
                        prop_assert_eq!(meeting.log().len(), before);
                        prop_assert_eq!(meeting.record(), record);
                        prop_assert_eq!(meeting.snapshot(), snapshot);
                    }
                    Ok(()) => {
                        prop_assert!(!early, "opened before the meeting's date: {:?}", command);
                        prop_assert!(
                            !(closed && (attendance || reopen)),
                            "accepted after the meeting closed: {:?}", command
                        );
                    }
                }
                closed = meeting.is_closed();
            }
        }
        let record = meeting.record();
        for p in record.paragraphs() {
            let deciding = record.deciding_at(p.number);
            if p.decision.is_some() {
                prop_assert!(
                    has_quorum(body.seats, deciding.len()),
                    "§{} decided by {} of {}", p.number, deciding.len(), body.seats
                );
            }
            for v in &p.votes {
                for b in &v.ballots {
                    prop_assert!(deciding.contains(&b.person), "§{}: ballot from {}", p.number, b.person);
                }
            }
            for r in &p.reservations {
                for a in &r.by {
                    if let Actor::Person { person } = a {
                        prop_assert!(deciding.contains(person));
                    }
                }
            }
        }
        if let Err(refusals) = check_meeting_record(&record, &body) {
            prop_assert!(false, "record fails validation: {:?}\nlog: {:?}", refusals, meeting.log());
        }
        let again = Proceedings::replay(setting, meeting.log()).unwrap();
        prop_assert_eq!(again.record(), record);
    }
}
