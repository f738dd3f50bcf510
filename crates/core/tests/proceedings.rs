//! The meeting engine, command by command: what the law allows is accepted,
//! what it forbids is refused with a reason, and a refusal changes nothing.

use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::meeting::{
    Actor, AgendaItem, Capacity, ItemKind, Meeting, MeetingStatus, ProposalKind, VoteChoice,
};
use kansli_core::org::{Body, BodyKind, Person, Role};
use kansli_core::proceedings::{Command, Proceedings, Seat, Setting};
use kansli_core::validate::check_meeting_record;
use kansli_core::{Access, BodyId, CaseId, MeetingId, OrganisationId, PersonId, Refusal};

/// Members 1–5 (1 chair, 2 first vice): 1, 2 and 4 of group A, 3 and 5 of B.
/// Substitutes 11 and 12 of A (in that order), 13 of B.
fn setting(kind: BodyKind, items: &[ItemKind]) -> Setting {
    let seat = |id: i64, party: &str, role: Role| Seat {
        person: Person {
            id: PersonId(id),
            name: format!("Person {id}"),
            party: Some(party.into()),
        },
        role,
        party_group: Some(party.into()),
    };
    Setting {
        meeting: Meeting {
            id: MeetingId(1),
            body: BodyId(1),
            date: jiff::civil::date(2026, 3, 10),
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
        items: items
            .iter()
            .enumerate()
            .map(|(i, kind)| AgendaItem {
                title: format!("Ärende {}", i + 1),
                case: Some(CaseId(100 + i as i64)),
                kind: *kind,
                access: Access::Public,
                basis: vec![],
                paragraph: None,
                presenter: None,
            })
            .collect(),
        body: Body {
            id: BodyId(1),
            organisation: OrganisationId(1),
            name: "Kommunstyrelsen".into(),
            short_name: None,
            kind,
            parent: None,
            seats: 5,
        },
        roster: vec![
            seat(1, "A", Role::Chair),
            seat(2, "A", Role::FirstViceChair),
            seat(3, "B", Role::SecondViceChair),
            seat(4, "A", Role::Member),
            seat(5, "B", Role::Member),
            seat(11, "A", Role::Substitute { order: 1 }),
            seat(12, "A", Role::Substitute { order: 2 }),
            seat(13, "B", Role::Substitute { order: 3 }),
        ],
        parties: vec![],
        first_number: 1,
        minority_used: vec![],
        floor: Default::default(),
    }
}

fn p(id: i64) -> PersonId {
    PersonId(id)
}

fn actor(id: i64) -> Actor {
    Actor::Person { person: p(id) }
}

fn decides(text: &str) -> Decision {
    Decision::single(Formula::Decides, vec![Clause::new(text)])
}

struct Run(Proceedings);

impl Run {
    fn new(kind: BodyKind, items: &[ItemKind], arriving: &[i64]) -> Run {
        let mut run = Run(Proceedings::new(setting(kind, items)).unwrap());
        for id in arriving {
            run.ok(Command::Arrive { person: p(*id) });
        }
        run.ok(Command::Open { at: None, on: None });
        run
    }

    fn ok(&mut self, c: Command) {
        if let Err(r) = self.0.apply(c.clone()) {
            panic!("{c:?} refused: {r}");
        }
    }

    /// Refused, with a reason containing `why`, and nothing changed.
    fn refused(&mut self, c: Command, why: &str) -> Refusal {
        let before = self.0.record();
        let log = self.0.log().len();
        let r = self
            .0
            .apply(c.clone())
            .expect_err(&format!("{c:?} accepted"));
        assert!(
            r.reason.contains(why),
            "{c:?}: «{}» lacks «{why}»",
            r.reason
        );
        assert_eq!(self.0.record(), before, "a refusal changed the meeting");
        assert_eq!(self.0.log().len(), log);
        r
    }

    fn take_up(&mut self, item: usize) {
        self.ok(Command::TakeUp {
            item,
            draft_decision: Some(decides("bifalla förslaget")),
        });
    }

    fn moves(&mut self, by: i64, kind: ProposalKind, text: &str) {
        let decision = (!kind.is_procedural()).then(|| decides(text));
        self.ok(Command::Move {
            movers: vec![actor(by)],
            kind,
            text: text.into(),
            decision,
        });
    }

    fn vote(&mut self, choices: &[(i64, VoteChoice)]) {
        for (id, choice) in choices {
            self.ok(Command::CastVote {
                person: p(*id),
                choice: *choice,
            });
        }
    }
}

use VoteChoice::{Avstar, Ja, Nej};

#[test]
fn no_decision_without_quorum() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision; 2], &[1, 2, 3]);
    run.take_up(0);
    run.ok(Command::Leave { person: p(3) });
    let r = run.refused(Command::Decide { decision: None }, "inte beslutfört");
    assert!(r.reason.contains("2 av 5"), "{r}");
    // A substitute serving for an absent member restores quorum.
    run.ok(Command::Arrive { person: p(13) });
    run.ok(Command::Serve {
        substitute: p(13),
        replacing: p(5),
    });
    run.ok(Command::Decide { decision: None });
    run.ok(Command::FinishItem);
    // Without quorum the next item cannot even be taken up.
    run.ok(Command::Leave { person: p(13) });
    run.refused(
        Command::TakeUp {
            item: 1,
            draft_decision: None,
        },
        "inte beslutfört",
    );
}

#[test]
fn only_those_serving_may_vote() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3, 4, 11]);
    run.take_up(0);
    run.moves(1, ProposalKind::Bifall, "bifalla förslaget");
    run.moves(3, ProposalKind::Avslag, "avslå förslaget");
    run.ok(Command::Put {
        put: vec![0, 1],
        found_for: Some(0),
    });
    run.ok(Command::RequestVote { by: p(3) });
    run.ok(Command::ApproveVotingOrder {
        ja: Some(0),
        nej: Some(1),
    });
    // A substitute who does not serve, an absent member, a stranger.
    run.refused(
        Command::CastVote {
            person: p(11),
            choice: Ja,
        },
        "tjänstgör inte",
    );
    run.refused(
        Command::CastVote {
            person: p(5),
            choice: Nej,
        },
        "tjänstgör inte",
    );
    run.refused(
        Command::CastVote {
            person: p(99),
            choice: Nej,
        },
        "tjänstgör inte",
    );
    run.vote(&[(1, Ja), (2, Ja)]);
    run.refused(
        Command::CastVote {
            person: p(1),
            choice: Nej,
        },
        "redan röstat",
    );
    // Counting waits for everyone serving.
    let r = run.refused(Command::CountVotes { lot: None }, "saknas");
    assert!(r.reason.contains("Person 3") && r.reason.contains("Person 4"));
    run.vote(&[(3, Nej), (4, Avstar)]);
    run.ok(Command::CountVotes { lot: None });
    run.ok(Command::Decide { decision: None });
    let record = run.0.record();
    let paragraph = record.paragraph(1).unwrap();
    assert_eq!(
        paragraph.votes[0].wording,
        "Med 2 ja-röster, 1 nej-röst och 1 som avstår bifaller nämnden Person 1s förslag till beslut, att bifalla förslaget."
    );
    assert_eq!(paragraph.decision, Some(decides("bifalla förslaget")));
}

#[test]
fn a_tie_goes_to_the_chair_except_in_elections() {
    for (kind, lot) in [(ItemKind::Decision, None), (ItemKind::Election, Some(Nej))] {
        let mut run = Run::new(BodyKind::Namnd, &[kind], &[1, 2, 3, 5]);
        run.take_up(0);
        run.moves(2, ProposalKind::Bifall, "välja Person 11");
        run.moves(3, ProposalKind::Andring, "välja Person 13");
        run.ok(Command::Put {
            put: vec![0, 1],
            found_for: Some(0),
        });
        run.ok(Command::RequestVote { by: p(5) });
        run.ok(Command::ApproveVotingOrder {
            ja: Some(0),
            nej: Some(1),
        });
        run.vote(&[(1, Ja), (2, Ja), (3, Nej), (5, Nej)]);
        if kind == ItemKind::Election {
            run.refused(Command::CountVotes { lot: None }, "lottning");
        } else {
            run.refused(Command::CountVotes { lot: Some(Ja) }, "utslagsröst");
        }
        run.ok(Command::CountVotes { lot });
        run.ok(Command::Decide { decision: None });
        let record = run.0.record();
        let paragraph = record.paragraph(1).unwrap();
        let vote = &paragraph.votes[0];
        if kind == ItemKind::Election {
            // The lot fell on nej even though the chair voted ja.
            assert_eq!(paragraph.decision, Some(decides("välja Person 13")));
            assert!(
                vote.wording
                    .starts_with("Efter lottning vid 2 ja-röster och 2 nej-röster"),
                "{}",
                vote.wording
            );
        } else {
            assert_eq!(paragraph.decision, Some(decides("välja Person 11")));
            assert!(
                vote.wording.contains("ordförandens utslagsröst"),
                "{}",
                vote.wording
            );
        }
    }
}

#[test]
fn a_chair_who_abstains_on_a_tie_must_still_decide_it() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3]);
    run.take_up(0);
    run.moves(2, ProposalKind::Bifall, "bifalla");
    run.moves(3, ProposalKind::Avslag, "avslå");
    run.ok(Command::Put {
        put: vec![0, 1],
        found_for: Some(0),
    });
    run.ok(Command::RequestVote { by: p(3) });
    run.ok(Command::ApproveVotingOrder {
        ja: Some(0),
        nej: Some(1),
    });
    run.vote(&[(1, Avstar), (2, Ja), (3, Nej)]);
    run.refused(Command::CountVotes { lot: None }, "utslagsröst");
}

#[test]
fn substitutes_serve_in_order_of_the_members_group() {
    let mut run = Run::new(
        BodyKind::Namnd,
        &[ItemKind::Decision],
        &[1, 2, 3, 11, 12, 13],
    );
    // Member 4 (group A) is absent: 11 is first in A's order.
    run.refused(
        Command::Serve {
            substitute: p(12),
            replacing: p(4),
        },
        "står före",
    );
    run.refused(
        Command::Serve {
            substitute: p(13),
            replacing: p(4),
        },
        "står före",
    );
    run.refused(
        Command::Serve {
            substitute: p(11),
            replacing: p(1),
        },
        "närvarande och tjänstgör själv",
    );
    run.ok(Command::Serve {
        substitute: p(11),
        replacing: p(4),
    });
    run.refused(
        Command::Serve {
            substitute: p(12),
            replacing: p(4),
        },
        "tjänstgör redan",
    );
    // Member 5 (group B) is absent: 13 is B's; A's 12 must wait.
    run.refused(
        Command::Serve {
            substitute: p(12),
            replacing: p(5),
        },
        "står före",
    );
    run.ok(Command::Serve {
        substitute: p(13),
        replacing: p(5),
    });
    run.take_up(0);
    run.ok(Command::Decide { decision: None });
    run.ok(Command::FinishItem);
    run.ok(Command::Close { at: None });
    let record = run.0.record();
    let serving: Vec<(PersonId, Capacity)> = record
        .attendance
        .iter()
        .filter(|a| matches!(a.capacity, Capacity::ServingSubstitute { .. }))
        .map(|a| (a.person, a.capacity.clone()))
        .collect();
    assert_eq!(
        serving,
        vec![
            (p(11), Capacity::ServingSubstitute { replacing: p(4) }),
            (p(13), Capacity::ServingSubstitute { replacing: p(5) }),
        ]
    );
}

#[test]
fn another_groups_substitute_serves_when_the_own_group_has_none_free() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3, 12, 13]);
    // 5 (group B) absent; B's only substitute 13 is here, so A's 12 waits.
    run.refused(
        Command::Serve {
            substitute: p(12),
            replacing: p(5),
        },
        "står före",
    );
    // 4 (group A) absent; A's 11 is not here, 12 is next of A.
    run.ok(Command::Serve {
        substitute: p(12),
        replacing: p(4),
    });
    run.ok(Command::Leave { person: p(13) });
    // Now nobody of B is free: another group's substitute may serve, but
    // none is left either.
    run.refused(
        Command::Serve {
            substitute: p(12),
            replacing: p(5),
        },
        "utan uppdrag",
    );
}

#[test]
fn a_returning_member_takes_over_at_the_next_item() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision; 2], &[1, 2, 3, 11]);
    run.ok(Command::Serve {
        substitute: p(11),
        replacing: p(4),
    });
    run.take_up(0);
    run.ok(Command::Arrive { person: p(4) });
    // Still the substitute's item: the member does not vote in it.
    assert!(!run.0.deciding_now().contains(&p(4)));
    assert!(run.0.deciding_now().contains(&p(11)));
    run.ok(Command::Decide { decision: None });
    run.ok(Command::FinishItem);
    run.take_up(1);
    assert!(run.0.deciding_now().contains(&p(4)));
    assert!(!run.0.deciding_now().contains(&p(11)));
    run.ok(Command::Decide { decision: None });
    run.ok(Command::FinishItem);
    run.ok(Command::Close { at: None });
    let record = run.0.record();
    type Row<'a> = (PersonId, &'a Capacity, &'a Vec<(u32, u32)>);
    let rows: Vec<Row> = record
        .attendance
        .iter()
        .filter(|a| a.person == p(4) || a.person == p(11))
        .map(|a| (a.person, &a.capacity, &a.paragraphs))
        .collect();
    assert_eq!(
        rows,
        vec![
            (p(4), &Capacity::Member, &vec![(2, 2)]),
            (
                p(11),
                &Capacity::ServingSubstitute { replacing: p(4) },
                &vec![(1, 1)]
            ),
            (p(11), &Capacity::Substitute, &vec![(2, 2)]),
        ]
    );
    check_meeting_record(&record, &setting(BodyKind::Namnd, &[]).body).unwrap();
}

#[test]
fn a_disqualified_member_leaves_the_item_and_a_substitute_may_serve() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision; 2], &[1, 2, 3, 11]);
    run.take_up(0);
    run.refused(
        Command::Disqualify {
            person: p(2),
            ground: " ".into(),
        },
        "grunden",
    );
    run.ok(Command::Disqualify {
        person: p(2),
        ground: "Närstående berörs av beslutet (KL 6 kap. 28 §)".into(),
    });
    assert!(!run.0.deciding_now().contains(&p(2)));
    run.refused(
        Command::Move {
            movers: vec![actor(2)],
            kind: ProposalKind::Bifall,
            text: "bifall".into(),
            decision: None,
        },
        "deltar inte",
    );
    run.ok(Command::Serve {
        substitute: p(11),
        replacing: p(2),
    });
    run.ok(Command::Decide { decision: None });
    run.ok(Command::FinishItem);
    run.take_up(1);
    assert!(run.0.deciding_now().contains(&p(2)));
    assert!(!run.0.deciding_now().contains(&p(11)));
    run.ok(Command::Decide { decision: None });
    run.ok(Command::FinishItem);
    let record = run.0.record();
    let first = record.paragraph(1).unwrap();
    assert_eq!(first.disqualifications[0].person, p(2));
    assert!(!record.deciding_at(1).contains(&p(2)));
    assert!(record.deciding_at(1).contains(&p(11)));
    assert!(record.deciding_at(2).contains(&p(2)));
}

#[test]
fn procedural_proposals_are_decided_first() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3, 4, 5]);
    run.take_up(0);
    run.moves(1, ProposalKind::Bifall, "bifalla förslaget");
    run.moves(
        3,
        ProposalKind::Aterremiss,
        "återremiss för att utreda kostnaderna",
    );
    run.moves(5, ProposalKind::Avslag, "avslå förslaget");
    run.refused(
        Command::Put {
            put: vec![0, 2],
            found_for: Some(0),
        },
        "före huvudfrågan",
    );
    run.refused(Command::Decide { decision: None }, "före huvudfrågan");
    run.ok(Command::Put {
        put: vec![1],
        found_for: None,
    });
    run.ok(Command::RequestVote { by: p(3) });
    run.refused(
        Command::ApproveVotingOrder {
            ja: Some(0),
            nej: Some(1),
        },
        "voteringsordningen",
    );
    run.ok(Command::ApproveVotingOrder {
        ja: None,
        nej: Some(1),
    });
    run.vote(&[(1, Ja), (2, Ja), (3, Nej), (4, Ja), (5, Nej)]);
    run.ok(Command::CountVotes { lot: None });
    // The återremiss fell; now the main question.
    run.refused(
        Command::Put {
            put: vec![0],
            found_for: Some(0),
        },
        "alla yrkanden",
    );
    run.ok(Command::Put {
        put: vec![0, 2],
        found_for: Some(0),
    });
    run.ok(Command::Decide { decision: None });
    let record = run.0.record();
    let paragraph = record.paragraph(1).unwrap();
    assert_eq!(
        paragraph.propositions[0].wording,
        "Ordförande frågar om ärendet ska avgöras i dag eller återremitteras och finner att nämnden beslutar att avgöra ärendet i dag."
    );
    assert_eq!(
        paragraph.votes[0].wording,
        "Med 3 ja-röster och 2 nej-röster beslutar nämnden att avgöra ärendet i dag."
    );
    assert_eq!(paragraph.decision, Some(decides("bifalla förslaget")));
}

#[test]
fn an_adopted_referral_decides_the_item() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3]);
    run.take_up(0);
    run.moves(3, ProposalKind::Aterremiss, "återremiss");
    run.ok(Command::Put {
        put: vec![0],
        found_for: Some(0),
    });
    run.refused(
        Command::Move {
            movers: vec![actor(1)],
            kind: ProposalKind::Bifall,
            text: "bifall".into(),
            decision: None,
        },
        "återremitterat",
    );
    run.ok(Command::Decide { decision: None });
    let record = run.0.record();
    let paragraph = record.paragraph(1).unwrap();
    assert_eq!(paragraph.decision, Some(decides("återremittera ärendet")));
}

#[test]
fn with_three_proposals_the_counter_proposal_is_found_first() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3, 4, 5]);
    run.take_up(0);
    run.moves(1, ProposalKind::Bifall, "bifalla förslaget");
    run.moves(3, ProposalKind::Avslag, "avslå förslaget");
    run.moves(
        5,
        ProposalKind::Andring,
        "bifalla förslaget med ändringen att beloppet halveras",
    );
    run.ok(Command::Put {
        put: vec![0, 1, 2],
        found_for: Some(0),
    });
    run.ok(Command::RequestVote { by: p(3) });
    // The main vote cannot come before the counter-proposal is found.
    run.refused(
        Command::ApproveVotingOrder {
            ja: Some(0),
            nej: Some(1),
        },
        "ingen omröstning är begärd",
    );
    run.refused(
        Command::Put {
            put: vec![0, 1, 2],
            found_for: Some(0),
        },
        "motförslaget",
    );
    run.ok(Command::Put {
        put: vec![1, 2],
        found_for: Some(1),
    });
    // Nobody asks for a vote on the counter-proposal: the main vote follows,
    // huvudförslag against motförslag.
    run.refused(Command::Decide { decision: None }, "omröstningen");
    run.refused(
        Command::ApproveVotingOrder {
            ja: Some(0),
            nej: Some(2),
        },
        "voteringsordningen",
    );
    run.ok(Command::ApproveVotingOrder {
        ja: Some(0),
        nej: Some(1),
    });
    run.vote(&[(1, Ja), (2, Nej), (3, Nej), (4, Ja), (5, Nej)]);
    run.ok(Command::CountVotes { lot: None });
    run.ok(Command::Decide { decision: None });
    let record = run.0.record();
    let paragraph = record.paragraph(1).unwrap();
    assert_eq!(
        paragraph.propositions[1].wording,
        "Ordförande ställer två förslag mot varandra för att utse motförslag i huvudvoteringen och finner att Person 3s förslag till beslut blir motförslag."
    );
    assert_eq!(paragraph.decision, Some(decides("avslå förslaget")));
}

#[test]
fn the_counter_proposal_vote_then_the_main_vote() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3, 4, 5]);
    run.take_up(0);
    run.moves(1, ProposalKind::Bifall, "bifalla förslaget");
    run.moves(3, ProposalKind::Avslag, "avslå förslaget");
    run.moves(5, ProposalKind::Andring, "halvera beloppet");
    run.ok(Command::Put {
        put: vec![0, 1, 2],
        found_for: Some(0),
    });
    run.ok(Command::RequestVote { by: p(3) });
    run.ok(Command::Put {
        put: vec![2, 1],
        found_for: Some(1),
    });
    run.ok(Command::RequestVote { by: p(5) });
    run.ok(Command::ApproveVotingOrder {
        ja: Some(1),
        nej: Some(2),
    });
    run.vote(&[(1, Ja), (2, Nej), (3, Ja), (4, Nej), (5, Nej)]);
    run.ok(Command::CountVotes { lot: None });
    // The ändringsyrkande won the counter vote and faces the huvudförslag.
    run.refused(
        Command::ApproveVotingOrder {
            ja: Some(0),
            nej: Some(1),
        },
        "voteringsordningen",
    );
    run.refused(Command::Decide { decision: None }, "omröstningen");
    run.ok(Command::ApproveVotingOrder {
        ja: Some(0),
        nej: Some(2),
    });
    run.vote(&[(1, Ja), (2, Ja), (3, Nej), (4, Ja), (5, Nej)]);
    run.ok(Command::CountVotes { lot: None });
    run.ok(Command::Decide { decision: None });
    let record = run.0.record();
    let paragraph = record.paragraph(1).unwrap();
    assert_eq!(paragraph.propositions.len(), 2);
    assert_eq!(paragraph.votes.len(), 2);
    assert!(
        paragraph.propositions[1]
            .wording
            .contains("för att utse motförslag")
    );
    assert_eq!(paragraph.decision, Some(decides("bifalla förslaget")));
}

#[test]
fn reservations_only_from_those_who_took_part_and_lost() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3, 4, 5, 11]);
    run.take_up(0);
    run.moves(1, ProposalKind::Bifall, "bifalla förslaget");
    run.moves(3, ProposalKind::Avslag, "avslå förslaget");
    run.ok(Command::Put {
        put: vec![0, 1],
        found_for: Some(0),
    });
    run.ok(Command::RequestVote { by: p(3) });
    run.ok(Command::ApproveVotingOrder {
        ja: Some(0),
        nej: Some(1),
    });
    run.vote(&[(1, Ja), (2, Ja), (3, Nej), (4, Ja), (5, Nej)]);
    run.refused(
        Command::Reserve {
            paragraph: 1,
            by: vec![actor(3)],
            in_favour_of: Some(1),
            reasons: None,
        },
        "inget beslut",
    );
    run.ok(Command::CountVotes { lot: None });
    run.ok(Command::Decide { decision: None });
    run.refused(
        Command::Reserve {
            paragraph: 1,
            by: vec![actor(11)],
            in_favour_of: None,
            reasons: None,
        },
        "deltar inte i beslutet",
    );
    run.refused(
        Command::Reserve {
            paragraph: 1,
            by: vec![actor(2)],
            in_favour_of: None,
            reasons: None,
        },
        "röstade för beslutet",
    );
    run.refused(
        Command::Reserve {
            paragraph: 1,
            by: vec![actor(3)],
            in_favour_of: Some(0),
            reasons: None,
        },
        "inte vann",
    );
    run.ok(Command::FinishItem);
    // Still allowed after the item, until the meeting closes.
    run.ok(Command::Reserve {
        paragraph: 1,
        by: vec![actor(3), actor(5)],
        in_favour_of: Some(1),
        reasons: None,
    });
    run.refused(
        Command::Reserve {
            paragraph: 1,
            by: vec![actor(3)],
            in_favour_of: Some(1),
            reasons: None,
        },
        "redan reserverat",
    );
    run.ok(Command::Close { at: None });
    run.refused(
        Command::Reserve {
            paragraph: 1,
            by: vec![actor(5)],
            in_favour_of: None,
            reasons: None,
        },
        "innan sammanträdet avslutas",
    );
    let record = run.0.record();
    assert_eq!(
        record.paragraph(1).unwrap().reservations[0].text,
        "Person 3 (B) och Person 5 (B) reserverar sig mot beslutet till förmån för Person 3s förslag."
    );
}

#[test]
fn a_proposal_put_to_the_body_cannot_be_withdrawn() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3]);
    run.take_up(0);
    run.moves(1, ProposalKind::Bifall, "bifalla");
    run.moves(3, ProposalKind::Avslag, "avslå");
    run.moves(2, ProposalKind::Tillagg, "också utreda");
    run.ok(Command::Withdraw { proposal: 2 });
    run.refused(Command::Withdraw { proposal: 2 }, "redan återkallat");
    run.ok(Command::Put {
        put: vec![0, 1],
        found_for: Some(1),
    });
    run.refused(Command::Withdraw { proposal: 0 }, "kan inte återkallas");
    run.ok(Command::Decide { decision: None });
    let record = run.0.record();
    let paragraph = record.paragraph(1).unwrap();
    assert!(paragraph.proposals[2].withdrawn);
    assert_eq!(paragraph.decision, Some(decides("avslå")));
}

#[test]
fn minority_referral_in_fullmaktige_once_per_case() {
    let items = [ItemKind::Decision, ItemKind::Election];
    let mut run = Run::new(BodyKind::Fullmaktige, &items, &[1, 2, 3, 4, 5]);
    run.take_up(0);
    run.moves(
        3,
        ProposalKind::Aterremiss,
        "återremiss för att utreda kostnaderna",
    );
    // One of five is less than a third.
    run.refused(
        Command::MinorityReferral {
            proposal: 0,
            supporters: vec![p(3)],
        },
        "minst en tredjedel",
    );
    run.ok(Command::MinorityReferral {
        proposal: 0,
        supporters: vec![p(3), p(5)],
    });
    run.ok(Command::Decide { decision: None });
    run.ok(Command::FinishItem);
    let record = run.0.record();
    let paragraph = record.paragraph(1).unwrap();
    assert!(paragraph.propositions[0].by_minority);
    assert_eq!(paragraph.decision, Some(decides("återremittera ärendet")));
    // Not in elections.
    run.take_up(1);
    run.moves(3, ProposalKind::Bordlaggning, "bordläggning");
    run.refused(
        Command::MinorityReferral {
            proposal: 0,
            supporters: vec![p(3), p(5)],
        },
        "gäller inte val",
    );

    // The case comes back at a later meeting: now a majority is needed.
    let mut later = setting(BodyKind::Fullmaktige, &[ItemKind::Decision]);
    later.items[0].case = Some(CaseId(100));
    later.minority_used = vec![CaseId(100)];
    let mut run = Run(Proceedings::new(later).unwrap());
    for id in [1, 2, 3, 4, 5] {
        run.ok(Command::Arrive { person: p(id) });
    }
    run.ok(Command::Open { at: None, on: None });
    run.take_up(0);
    run.moves(3, ProposalKind::Aterremiss, "återremiss");
    run.refused(
        Command::MinorityReferral {
            proposal: 0,
            supporters: vec![p(3), p(5)],
        },
        "enkel majoritet",
    );

    // A nämnd has no minority rule.
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3, 4, 5]);
    run.take_up(0);
    run.moves(3, ProposalKind::Aterremiss, "återremiss");
    run.refused(
        Command::MinorityReferral {
            proposal: 0,
            supporters: vec![p(3), p(5)],
        },
        "bara i fullmäktige",
    );
}

#[test]
fn the_meeting_has_an_order() {
    let mut run =
        Run(Proceedings::new(setting(BodyKind::Namnd, &[ItemKind::Information; 2])).unwrap());
    run.refused(Command::Open { at: None, on: None }, "ingen ledamot");
    run.refused(
        Command::TakeUp {
            item: 0,
            draft_decision: None,
        },
        "inte öppnat",
    );
    for id in [2, 3, 4] {
        run.ok(Command::Arrive { person: p(id) });
    }
    run.refused(Command::Arrive { person: p(2) }, "redan närvarande");
    run.refused(Command::Arrive { person: p(77) }, "inte ledamot");
    run.ok(Command::Open { at: None, on: None });
    // The first vice chair presides while the chair is away.
    assert_eq!(run.0.presiding(), Some(p(2)));
    run.ok(Command::TakeUp {
        item: 0,
        draft_decision: None,
    });
    run.refused(
        Command::TakeUp {
            item: 1,
            draft_decision: None,
        },
        "fortfarande uppe",
    );
    run.refused(Command::FinishItem, "inte avgjort");
    run.refused(Command::Close { at: None }, "inte avgjort");
    run.ok(Command::Adjourn);
    run.refused(Command::Decide { decision: None }, "ajournerat");
    run.ok(Command::Resume);
    run.ok(Command::Decide { decision: None });
    run.refused(Command::Decide { decision: None }, "redan avgjort");
    run.ok(Command::FinishItem);
    run.refused(
        Command::TakeUp {
            item: 0,
            draft_decision: None,
        },
        "redan behandlat",
    );
    run.ok(Command::Close { at: None });
    run.refused(Command::Arrive { person: p(1) }, "avslutat");
    let record = run.0.record();
    assert_eq!(
        record.paragraph(1).unwrap().decision,
        Some(Decision::notes_information(
            "anteckna att information har lämnats."
        ))
    );
    // Item 2 was never taken up: it stays on the agenda without a paragraph.
    assert!(record.items[1].paragraph.is_none());
}

#[test]
fn replaying_the_log_gives_the_same_meeting() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision; 2], &[1, 2, 3, 4, 11]);
    run.ok(Command::Serve {
        substitute: p(11),
        replacing: p(5),
    });
    run.take_up(0);
    run.moves(1, ProposalKind::Bifall, "bifalla");
    run.moves(3, ProposalKind::Avslag, "avslå");
    run.ok(Command::Put {
        put: vec![0, 1],
        found_for: Some(0),
    });
    run.ok(Command::Decide { decision: None });
    run.ok(Command::MinuteNote {
        paragraph: 1,
        by: vec![actor(3)],
        text: "B vill att kostnaderna följs upp.".into(),
    });
    run.ok(Command::FinishItem);
    let json = serde_json::to_string(run.0.log()).unwrap();
    let log: Vec<Command> = serde_json::from_str(&json).unwrap();
    let again =
        Proceedings::replay(setting(BodyKind::Namnd, &[ItemKind::Decision; 2]), &log).unwrap();
    assert_eq!(again.record(), run.0.record());
    // A log that no longer fits says which event.
    let mut broken = log.clone();
    broken.insert(0, Command::Leave { person: p(1) });
    let r = Proceedings::replay(setting(BodyKind::Namnd, &[ItemKind::Decision; 2]), &broken)
        .unwrap_err();
    assert!(r.at.starts_with("händelse 1"), "{r}");
}

#[test]
fn after_a_casting_vote_the_losers_reserve_not_the_winners() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3, 5]);
    run.take_up(0);
    run.moves(2, ProposalKind::Bifall, "bifalla förslaget");
    run.moves(3, ProposalKind::Avslag, "avslå förslaget");
    run.ok(Command::Put {
        put: vec![0, 1],
        found_for: Some(1),
    });
    run.ok(Command::RequestVote { by: p(2) });
    run.ok(Command::ApproveVotingOrder {
        ja: Some(0),
        nej: Some(1),
    });
    // 2–2, and the chair (1) voted nej: nej wins.
    run.vote(&[(1, Nej), (2, Ja), (3, Nej), (5, Ja)]);
    run.ok(Command::CountVotes { lot: None });
    run.ok(Command::Decide { decision: None });
    run.refused(
        Command::Reserve {
            paragraph: 1,
            by: vec![actor(3)],
            in_favour_of: None,
            reasons: None,
        },
        "röstade för beslutet",
    );
    run.ok(Command::Reserve {
        paragraph: 1,
        by: vec![actor(2)],
        in_favour_of: Some(0),
        reasons: None,
    });
    let record = run.0.record();
    assert_eq!(
        record.paragraph(1).unwrap().decision,
        Some(decides("avslå förslaget"))
    );
}

#[test]
fn the_snapshot_follows_the_item_through_vote_and_reservation() {
    use kansli_core::proceedings::{MeetingPhase, Step};
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3, 4, 5]);
    let s = run.0.snapshot();
    assert_eq!(s.phase, MeetingPhase::Open);
    assert_eq!((s.open_item, s.step), (None, Step::Idle));
    assert_eq!(s.deciding.len(), 5);
    run.take_up(0);
    run.moves(1, ProposalKind::Bifall, "bifalla förslaget");
    run.moves(3, ProposalKind::Avslag, "avslå förslaget");
    run.ok(Command::Put {
        put: vec![0, 1],
        found_for: Some(0),
    });
    let s = run.0.snapshot();
    assert_eq!(
        (s.open_item, s.step, s.put.clone()),
        (Some(0), Step::Found, vec![0, 1])
    );
    run.ok(Command::RequestVote { by: p(3) });
    assert_eq!(run.0.snapshot().step, Step::VoteRequested);
    run.ok(Command::ApproveVotingOrder {
        ja: Some(0),
        nej: Some(1),
    });
    run.vote(&[(1, Ja), (3, Nej)]);
    let s = run.0.snapshot();
    assert_eq!(s.step, Step::Voting);
    assert_eq!(s.ballots.len(), 2);
    run.vote(&[(2, Ja), (4, Ja), (5, Nej)]);
    run.ok(Command::CountVotes { lot: None });
    run.ok(Command::Decide { decision: None });
    let n = run.0.open_paragraph().unwrap();
    run.ok(Command::Reserve {
        paragraph: n,
        by: vec![actor(3)],
        in_favour_of: Some(1),
        reasons: None,
    });
    // The open item shows what was added after its decision.
    let s = run.0.snapshot();
    assert!(s.decided);
    let par = s.paragraph.unwrap();
    assert_eq!(par.votes.len(), 1);
    assert_eq!(par.reservations.len(), 1);
    run.ok(Command::FinishItem);
    let s = run.0.snapshot();
    assert_eq!((s.open_item, s.done.clone()), (None, vec![(0, n)]));
}

// #18: corrections at the meeting and the state rules.

/// Two proposals put against each other and a vote requested, ja for the
/// first.
fn voting_on_two(run: &mut Run) {
    run.take_up(0);
    run.moves(1, ProposalKind::Bifall, "bifalla förslaget");
    run.moves(3, ProposalKind::Avslag, "avslå förslaget");
    run.ok(Command::Put {
        put: vec![0, 1],
        found_for: Some(0),
    });
    run.ok(Command::RequestVote { by: p(3) });
    run.ok(Command::ApproveVotingOrder {
        ja: Some(0),
        nej: Some(1),
    });
}

#[test]
fn a_ballot_is_corrected_until_the_votes_are_counted() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3, 4, 5]);
    voting_on_two(&mut run);
    run.refused(
        Command::CorrectVote {
            person: p(2),
            choice: Nej,
        },
        "har inte röstat",
    );
    run.vote(&[(1, Ja), (2, Ja), (3, Nej), (4, Ja), (5, Nej)]);
    // A second cast is still refused: a correction is explicit.
    run.refused(
        Command::CastVote {
            person: p(2),
            choice: Nej,
        },
        "redan röstat",
    );
    run.refused(
        Command::CorrectVote {
            person: p(2),
            choice: Ja,
        },
        "har redan röstat ja",
    );
    run.ok(Command::CorrectVote {
        person: p(2),
        choice: Nej,
    });
    run.ok(Command::CorrectVote {
        person: p(4),
        choice: Avstar,
    });
    assert_eq!(
        run.0
            .snapshot()
            .ballots
            .iter()
            .map(|b| (b.person.0, b.choice))
            .collect::<Vec<_>>(),
        vec![(1, Ja), (2, Nej), (3, Nej), (4, Avstar), (5, Nej)],
        "corrected in place, in roll-call order"
    );
    run.ok(Command::CountVotes { lot: None });
    run.refused(
        Command::CorrectVote {
            person: p(2),
            choice: Ja,
        },
        "rösterna är redan räknade",
    );
    run.ok(Command::Decide { decision: None });
    let record = run.0.record();
    let paragraph = record.paragraph(1).unwrap();
    // Nej (avslag) won 3–1 with one abstaining, as corrected.
    assert_eq!(paragraph.votes[0].ballots[1].choice, Nej);
    assert!(
        paragraph.votes[0].wording.contains("3 nej-röster"),
        "{}",
        paragraph.votes[0].wording
    );
    assert_eq!(paragraph.decision, Some(decides("avslå förslaget")));
    // The corrected meeting replays to the same state.
    let again = Proceedings::replay(run.0.setting().clone(), run.0.log()).unwrap();
    assert_eq!(again.record(), record);
}

#[test]
fn no_ballot_correction_without_a_roll_call() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3]);
    run.refused(
        Command::CorrectVote {
            person: p(1),
            choice: Ja,
        },
        "inget ärende",
    );
    run.take_up(0);
    run.refused(
        Command::CorrectVote {
            person: p(1),
            choice: Ja,
        },
        "ingen omröstning pågår",
    );
}

#[test]
fn a_yrkande_is_corrected_until_the_chair_puts_it() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3, 4, 5]);
    run.take_up(0);
    run.moves(1, ProposalKind::Bifall, "bifall till förslaget");
    run.moves(3, ProposalKind::Andring, "att utreda frågan");
    run.ok(Command::AmendProposal {
        proposal: 1,
        movers: vec![actor(3), actor(5)],
        text: "att utreda frågan vidare".into(),
        decision: Some(decides("utreda frågan vidare")),
    });
    run.refused(
        Command::AmendProposal {
            proposal: 1,
            movers: vec![actor(3)],
            text: "  ".into(),
            decision: None,
        },
        "saknar innehåll",
    );
    run.refused(
        Command::AmendProposal {
            proposal: 1,
            movers: vec![actor(12)],
            text: "något".into(),
            decision: None,
        },
        "deltar inte i beslutet",
    );
    run.refused(
        Command::AmendProposal {
            proposal: 7,
            movers: vec![actor(3)],
            text: "något".into(),
            decision: None,
        },
        "finns inte",
    );
    let paragraph = run.0.snapshot().paragraph.unwrap();
    assert_eq!(paragraph.proposals[1].text, "att utreda frågan vidare");
    assert_eq!(paragraph.proposals[1].movers, vec![actor(3), actor(5)]);
    run.moves(4, ProposalKind::Tillagg, "också informera");
    run.ok(Command::Withdraw { proposal: 2 });
    run.refused(
        Command::AmendProposal {
            proposal: 2,
            movers: vec![actor(4)],
            text: "något".into(),
            decision: None,
        },
        "återkallat",
    );
    run.ok(Command::Put {
        put: vec![0, 1],
        found_for: Some(1),
    });
    run.refused(
        Command::AmendProposal {
            proposal: 1,
            movers: vec![actor(3)],
            text: "något annat".into(),
            decision: None,
        },
        "har ställt proposition",
    );
    run.ok(Command::Decide { decision: None });
    assert_eq!(
        run.0.record().paragraph(1).unwrap().decision,
        Some(decides("utreda frågan vidare"))
    );
}

#[test]
fn a_mover_corrected_away_who_left_no_longer_took_part() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3, 4, 5]);
    run.take_up(0);
    run.moves(5, ProposalKind::Bifall, "bifall");
    run.ok(Command::Leave { person: p(5) });
    // Person 5 moved, so took part though gone.
    let before = run.0.record();
    assert!(before.deciding_at(1).contains(&p(5)));
    // It was Person 4's yrkande after all.
    run.ok(Command::AmendProposal {
        proposal: 0,
        movers: vec![actor(4)],
        text: "bifall".into(),
        decision: Some(decides("bifall")),
    });
    assert!(!run.0.record().deciding_at(1).contains(&p(5)));
}

#[test]
fn a_decided_item_is_reopened_until_the_meeting_closes() {
    let mut run = Run::new(
        BodyKind::Namnd,
        &[ItemKind::Decision, ItemKind::Decision],
        &[1, 2, 3, 4, 5],
    );
    voting_on_two(&mut run);
    run.vote(&[(1, Ja), (2, Ja), (3, Nej), (4, Ja), (5, Nej)]);
    run.ok(Command::CountVotes { lot: None });
    run.ok(Command::Decide { decision: None });
    run.ok(Command::Reserve {
        paragraph: 1,
        by: vec![actor(3)],
        in_favour_of: Some(1),
        reasons: None,
    });
    run.ok(Command::FinishItem);
    run.take_up(1);
    run.refused(
        Command::Reopen { paragraph: 1 },
        "§2 är uppe för behandling",
    );
    run.refused(Command::Reopen { paragraph: 2 }, "inte avgjort");
    run.ok(Command::Decide { decision: None });
    run.ok(Command::FinishItem);
    run.refused(Command::Reopen { paragraph: 9 }, "§9 är inte avgjord");
    run.ok(Command::Adjourn);
    run.refused(Command::Reopen { paragraph: 1 }, "ajournerat");
    run.ok(Command::Resume);
    run.ok(Command::Reopen { paragraph: 1 });
    let snap = run.0.snapshot();
    assert_eq!(snap.open_item, Some(0));
    assert!(!snap.decided);
    let paragraph = snap.paragraph.unwrap();
    assert_eq!(paragraph.number, 1, "the paragraph keeps its number");
    assert_eq!(paragraph.proposals.len(), 2, "the yrkanden stay");
    assert!(paragraph.propositions.is_empty());
    assert!(paragraph.votes.is_empty());
    assert!(paragraph.reservations.is_empty());
    assert_eq!(paragraph.decision, None);
    assert_eq!(snap.may_put, vec![vec![0, 1]]);
    // The meeting cannot close with the reopened item undecided.
    run.refused(Command::Close { at: None }, "inte avgjort");
    // Decided the other way this time, without a vote.
    run.ok(Command::Put {
        put: vec![0, 1],
        found_for: Some(1),
    });
    run.ok(Command::Decide { decision: None });
    run.ok(Command::FinishItem);
    let record = run.0.record();
    let paragraph = record.paragraph(1).unwrap();
    assert_eq!(paragraph.decision, Some(decides("avslå förslaget")));
    assert_eq!(paragraph.propositions.len(), 1);
    assert!(paragraph.votes.is_empty());
    assert_eq!(record.paragraph(2).unwrap().number, 2);
    // The next item still gets the next number.
    assert_eq!(
        record.paragraphs().map(|p| p.number).collect::<Vec<_>>(),
        vec![1, 2]
    );
    run.ok(Command::Close { at: None });
    run.refused(
        Command::Reopen { paragraph: 1 },
        "innan sammanträdet avslutas",
    );
    let again = Proceedings::replay(run.0.setting().clone(), run.0.log()).unwrap();
    assert_eq!(again.record(), run.0.record());
    assert_eq!(again.record().paragraph(1), record.paragraph(1));
}

#[test]
fn the_item_still_open_is_reopened_before_it_is_finished() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3]);
    run.take_up(0);
    run.ok(Command::Decide { decision: None });
    run.ok(Command::Reopen { paragraph: 1 });
    assert!(!run.0.snapshot().decided);
    run.refused(Command::FinishItem, "inte avgjort");
    run.ok(Command::Decide {
        decision: Some(decides("återremittera ärendet")),
    });
    assert_eq!(
        run.0.record().paragraph(1).unwrap().decision,
        Some(decides("återremittera ärendet"))
    );
}

#[test]
fn a_minority_referral_reopened_may_be_asked_again() {
    let mut run = Run::new(
        BodyKind::Fullmaktige,
        &[ItemKind::Decision],
        &[1, 2, 3, 4, 5],
    );
    run.take_up(0);
    run.moves(3, ProposalKind::Aterremiss, "återremiss");
    run.ok(Command::MinorityReferral {
        proposal: 0,
        supporters: vec![p(3), p(5)],
    });
    run.ok(Command::Decide { decision: None });
    run.ok(Command::Reopen { paragraph: 1 });
    // The referral is undone with the decision; the minority may ask again.
    run.ok(Command::MinorityReferral {
        proposal: 0,
        supporters: vec![p(3), p(5)],
    });
}

#[test]
fn a_meeting_is_not_opened_before_its_date() {
    let mut run = Run(Proceedings::new(setting(BodyKind::Namnd, &[ItemKind::Decision])).unwrap());
    for id in [1, 2, 3] {
        run.ok(Command::Arrive { person: p(id) });
    }
    // The meeting is set for 10 March 2026.
    let r = run.refused(
        Command::Open {
            at: None,
            on: Some(jiff::civil::date(2026, 3, 9)),
        },
        "flytta först sammanträdet",
    );
    assert!(r.reason.contains("2026-03-10"), "{r}");
    run.ok(Command::Open {
        at: None,
        on: Some(jiff::civil::date(2026, 3, 10)),
    });
    // Opened later than planned (recorded afterwards) is fine.
    let mut late = Run(Proceedings::new(setting(BodyKind::Namnd, &[ItemKind::Decision])).unwrap());
    late.ok(Command::Arrive { person: p(1) });
    late.ok(Command::Open {
        at: None,
        on: Some(jiff::civil::date(2026, 3, 11)),
    });
}

#[test]
fn the_opening_rule_at_its_edges() {
    use kansli_core::meeting::check_opening;
    let day = jiff::civil::date(2026, 12, 15);
    assert!(check_opening(day, jiff::civil::date(2026, 12, 14)).is_err());
    assert!(check_opening(day, jiff::civil::date(2026, 12, 1)).is_err());
    assert!(check_opening(day, day).is_ok());
    assert!(check_opening(day, jiff::civil::date(2026, 12, 16)).is_ok());
}

#[test]
fn nothing_about_attendance_after_the_meeting_closes() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3, 11]);
    run.take_up(0);
    run.ok(Command::Decide { decision: None });
    run.ok(Command::FinishItem);
    run.ok(Command::Close { at: None });
    let chair = run.0.record().meeting.chair;
    for c in [
        Command::Leave { person: p(1) },
        Command::Arrive { person: p(4) },
        Command::ArriveOther {
            person: p(50),
            name: "Sara Sekreterare".into(),
            title: "sekreterare".into(),
        },
        Command::Serve {
            substitute: p(11),
            replacing: p(4),
        },
        Command::Disqualify {
            person: p(2),
            ground: "släkt".into(),
        },
    ] {
        run.refused(c, "närvaro, tjänstgöring och jäv kan inte längre ändras");
    }
    assert_eq!(run.0.record().meeting.chair, chair);
}

#[test]
fn the_screen_is_told_only_what_may_be_done() {
    let mut run = Run::new(BodyKind::Namnd, &[ItemKind::Decision], &[1, 2, 3, 4, 5]);
    run.take_up(0);
    let snap = run.0.snapshot();
    assert!(snap.may_move && snap.may_decide && snap.may_put.is_empty());
    run.moves(1, ProposalKind::Bifall, "bifall");
    run.moves(2, ProposalKind::Aterremiss, "återremiss");
    run.moves(3, ProposalKind::Avslag, "avslag");
    run.moves(4, ProposalKind::Bordlaggning, "bordläggning");
    let snap = run.0.snapshot();
    // Procedural questions first, one at a time.
    assert_eq!(snap.may_put, vec![vec![1], vec![3]]);
    assert!(!snap.may_decide);
    run.ok(Command::Put {
        put: vec![1],
        found_for: None,
    });
    // Found against the återremiss: the next is the bordläggning, and
    // yrkanden may still be moved.
    let snap = run.0.snapshot();
    assert_eq!(snap.may_put, vec![vec![3]]);
    assert!(snap.may_move);
    run.ok(Command::Put {
        put: vec![3],
        found_for: None,
    });
    assert_eq!(run.0.snapshot().may_put, vec![vec![0, 2]]);
    run.ok(Command::Put {
        put: vec![0, 2],
        found_for: Some(0),
    });
    let snap = run.0.snapshot();
    assert!(snap.may_decide && !snap.may_move && snap.may_put.is_empty());
    run.ok(Command::RequestVote { by: p(3) });
    let snap = run.0.snapshot();
    assert_eq!(snap.sides, Some([Some(0), Some(2)]));
    assert!(!snap.may_decide);
    run.ok(Command::ApproveVotingOrder {
        ja: Some(2),
        nej: Some(0),
    });
    let snap = run.0.snapshot();
    assert_eq!(snap.ja_nej, Some((Some(2), Some(0))));
    assert!(!snap.may_decide && !snap.may_move && snap.may_put.is_empty());
}

#[test]
fn one_justering_day_rule_for_every_signature() {
    use kansli_core::meeting::{MeetingStatus, check_justering_day};
    let day = jiff::civil::date(2026, 12, 15);
    let r = check_justering_day(day, jiff::civil::date(2026, 12, 14)).unwrap_err();
    assert!(r.reason.contains("före sammanträdet den 2026-12-15"), "{r}");
    assert!(check_justering_day(day, day).is_ok());
    // The status's own dates follow the same rule.
    assert!(
        MeetingStatus::Approved {
            approved: jiff::civil::date(2026, 12, 14)
        }
        .check_dates(day)
        .is_err()
    );
    assert!(
        MeetingStatus::Approved { approved: day }
            .check_dates(day)
            .is_ok()
    );
}
