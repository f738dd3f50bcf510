//! #20 L4: proportional elections on the meeting engine (lag (2022:629) om
//! proportionella val i kommuner och regioner), case by case: the request's
//! threshold (2 §), substitutes only after proportional members (3 §), the
//! lists as counted, ties settled by the lot drawn in the room, and the
//! result as the paragraph and its decision record it. A refusal changes
//! nothing, and a replay of the log gives the same paragraph.

use kansli_core::election::{BallotList, Candidate, ElectionEntry, SeatKind};
use kansli_core::meeting::{
    Actor, AgendaItem, ItemKind, Meeting, MeetingStatus, Paragraph, ProposalKind,
};
use kansli_core::org::{Body, BodyKind, Person, Role};
use kansli_core::proceedings::{Command, Proceedings, Seat, Setting};
use kansli_core::{Access, BodyId, CaseId, MeetingId, OrganisationId, PersonId};

/// A fullmäktige of `members` members (ids 1…), groups A and B in turn,
/// and two substitutes (101, 102); the agenda: an election, then a decision.
fn setting(members: i64) -> Setting {
    let seat = |id: i64, role: Role| {
        let party = if id % 2 == 1 { "A" } else { "B" };
        Seat {
            person: Person {
                id: PersonId(id),
                name: format!("Ledamot {id}"),
                party: Some(party.into()),
            },
            role,
            party_group: Some(party.into()),
        }
    };
    let mut roster: Vec<Seat> = (1..=members)
        .map(|id| seat(id, if id == 1 { Role::Chair } else { Role::Member }))
        .collect();
    roster.push(seat(101, Role::Substitute { order: 1 }));
    roster.push(seat(102, Role::Substitute { order: 2 }));
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
        items: [
            (
                "Val av ledamöter och ersättare i socialnämnden",
                ItemKind::Election,
            ),
            ("Budget", ItemKind::Decision),
        ]
        .iter()
        .enumerate()
        .map(|(i, (title, kind))| AgendaItem {
            title: (*title).into(),
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
            name: "Kommunfullmäktige".into(),
            short_name: None,
            kind: BodyKind::Fullmaktige,
            parent: None,
            seats: members as u16,
        },
        roster,
        floor: Default::default(),
        parties: vec![],
        first_number: 1,
        minority_used: vec![],
    }
}

/// A list: `names` candidates numbered from `first` (not on the roster).
fn list(group: &str, votes: u32, first: i64, names: usize) -> BallotList {
    BallotList {
        group: group.into(),
        votes,
        names: (0..names as i64)
            .map(|i| Candidate {
                person: PersonId(first + i),
                name: format!("Kandidat {}", first + i),
            })
            .collect(),
    }
}

fn entry(of: SeatKind, seats: u32, requesting: i64, lists: Vec<BallotList>) -> ElectionEntry {
    ElectionEntry {
        of,
        seats,
        requested_by: (1..=requesting).map(PersonId).collect(),
        lists,
        lots: vec![],
    }
}

/// The meeting open with members 1..=present in the room and `item` taken up.
fn meeting(members: i64, present: i64, item: usize) -> Proceedings {
    let mut p = Proceedings::new(setting(members)).unwrap();
    for id in 1..=present {
        p.apply(Command::Arrive {
            person: PersonId(id),
        })
        .unwrap();
    }
    p.apply(Command::Open { at: None, on: None }).unwrap();
    p.apply(Command::TakeUp {
        item,
        draft_decision: None,
    })
    .unwrap();
    p
}

fn elect(e: ElectionEntry) -> Command {
    Command::ElectProportionally(e)
}

fn paragraph(p: &Proceedings) -> Paragraph {
    p.snapshot().paragraph.expect("an item is open")
}

enum Expect {
    /// Accepted: seats per group, in the lists' order.
    Seats(&'static [(&'static str, u32)]),
    /// Refused with a reason containing this.
    Refused(&'static str),
}

struct Case {
    name: &'static str,
    members: i64,
    present: i64,
    /// Commands before the election (after the item is taken up).
    before: Vec<Command>,
    entry: ElectionEntry,
    expect: Expect,
}

fn cases() -> Vec<Case> {
    use Expect::*;
    use SeatKind::*;
    let plain = |name, present, seats, requesting, lists, expect| Case {
        name,
        members: 15,
        present,
        before: vec![],
        entry: entry(Members, seats, requesting, lists),
        expect,
    };
    let with_lots = |mut e: ElectionEntry, lots: &[&str]| {
        e.lots = lots.iter().map(|s| s.to_string()).collect();
        e
    };
    vec![
        // 15 present, 2 seats: 15 / 3 = 5 exactly.
        plain(
            "threshold exactly met",
            15,
            2,
            5,
            vec![list("A", 8, 500, 2), list("B", 7, 600, 2)],
            Seats(&[("A", 1), ("B", 1)]),
        ),
        plain(
            "threshold missed by one",
            15,
            2,
            4,
            vec![list("A", 8, 500, 2), list("B", 7, 600, 2)],
            Refused(
                "4 av 15 närvarande ledamöter begär proportionellt val av 2 ledamöter; minst 5 krävs (2 §",
            ),
        ),
        // 13 present, 3 seats: 13 / 4 = 3,25, rounded up to 4.
        plain(
            "a broken quotient is rounded up",
            13,
            3,
            3,
            vec![list("A", 7, 500, 3), list("B", 6, 600, 3)],
            Refused("minst 4 krävs"),
        ),
        plain(
            "the rounded threshold met",
            13,
            3,
            4,
            vec![list("A", 7, 500, 3), list("B", 6, 600, 3)],
            Seats(&[("A", 2), ("B", 1)]),
        ),
        plain(
            "a tie needs the lot",
            10,
            1,
            5,
            vec![list("A", 5, 500, 1), list("B", 5, 600, 1)],
            Refused(
                "lika jämförelsetal (5) om plats 1 mellan A och B: platsen avgörs genom lottning; ange vilken grupp lotten föll på",
            ),
        ),
        Case {
            name: "the lot drawn decides the tie",
            members: 15,
            present: 10,
            before: vec![],
            entry: with_lots(
                entry(
                    Members,
                    1,
                    5,
                    vec![list("A", 5, 500, 1), list("B", 5, 600, 1)],
                ),
                &["B"],
            ),
            expect: Seats(&[("A", 0), ("B", 1)]),
        },
        Case {
            name: "the lot must fall on a tied group",
            members: 15,
            present: 10,
            before: vec![],
            entry: with_lots(
                entry(
                    Members,
                    1,
                    5,
                    vec![list("A", 5, 500, 1), list("B", 5, 600, 1)],
                ),
                &["C"],
            ),
            expect: Refused("lotten om plats 1 måste falla på en av A och B, inte C"),
        },
        Case {
            name: "a lot with no tie",
            members: 15,
            present: 10,
            before: vec![],
            entry: with_lots(
                entry(
                    Members,
                    1,
                    5,
                    vec![list("A", 6, 500, 1), list("B", 4, 600, 1)],
                ),
                &["A"],
            ),
            expect: Refused("fler lotter har dragits"),
        },
        // 4 groups for 2 seats: A 6, B 4, C 3, D 2 -> A, then B (4 > 3).
        plain(
            "more lists than seats",
            15,
            2,
            5,
            vec![
                list("A", 6, 500, 2),
                list("B", 4, 600, 2),
                list("C", 3, 700, 2),
                list("D", 2, 800, 1),
            ],
            Seats(&[("A", 1), ("B", 1), ("C", 0), ("D", 0)]),
        ),
        plain(
            "an empty list",
            15,
            2,
            5,
            vec![list("A", 8, 500, 2), list("B", 7, 600, 0)],
            Refused("gruppen B har ingen lista med namn"),
        ),
        plain(
            "a list with more names than seats",
            15,
            2,
            5,
            vec![list("A", 8, 500, 3), list("B", 7, 600, 2)],
            Refused("gruppen As lista har 3 namn, men valet gäller 2 ledamöter"),
        ),
        plain(
            "more ballots than voters",
            15,
            2,
            5,
            vec![list("A", 9, 500, 2), list("B", 7, 600, 2)],
            Refused("16 valsedlar är räknade, men bara 15 deltar i valet"),
        ),
        plain("no ballots", 15, 2, 5, vec![], Refused("ange valsedlarna")),
        plain(
            "no seats",
            15,
            0,
            5,
            vec![list("A", 8, 500, 1)],
            Refused("ange hur många ledamöter valet gäller"),
        ),
        plain(
            "a group without designation",
            15,
            2,
            5,
            vec![list(" ", 8, 500, 2)],
            Refused("saknar gruppbeteckning"),
        ),
        plain(
            "lists too short to fill the seats",
            15,
            3,
            5,
            vec![list("A", 10, 500, 1), list("B", 0, 600, 1)],
            Refused("plats 2 kan inte besättas"),
        ),
        plain(
            "one person on two lists",
            15,
            2,
            5,
            vec![list("A", 8, 500, 2), list("B", 7, 501, 2)],
            Refused("står på mer än en lista"),
        ),
        Case {
            name: "a requester who does not take part",
            members: 15,
            present: 15,
            before: vec![Command::Disqualify {
                person: PersonId(3),
                ground: "närstående".into(),
            }],
            entry: entry(Members, 2, 5, vec![list("A", 8, 500, 2)]),
            expect: Refused("Ledamot 3 (A) deltar inte i valet"),
        },
        // The disqualified still count as present (2 §), not as voters:
        // 15 present -> 5 needed, 14 voters -> at most 14 ballots.
        Case {
            name: "the disqualified count as present but do not vote",
            members: 15,
            present: 15,
            before: vec![Command::Disqualify {
                person: PersonId(15),
                ground: "närstående".into(),
            }],
            entry: entry(
                Members,
                2,
                4,
                vec![list("A", 8, 500, 2), list("B", 6, 600, 2)],
            ),
            expect: Refused("4 av 15 närvarande ledamöter"),
        },
        Case {
            name: "substitutes before members",
            members: 15,
            present: 15,
            before: vec![],
            entry: entry(Substitutes, 2, 5, vec![list("A", 8, 500, 2)]),
            expect: Refused("förrätta valet av ledamöter först (3 §"),
        },
        Case {
            name: "substitutes after proportional members",
            members: 15,
            present: 15,
            before: vec![elect(entry(
                Members,
                2,
                5,
                vec![list("A", 8, 500, 2), list("B", 7, 600, 2)],
            ))],
            entry: entry(
                Substitutes,
                3,
                4,
                vec![list("A", 9, 700, 3), list("B", 6, 800, 3)],
            ),
            expect: Seats(&[("A", 2), ("B", 1)]),
        },
        Case {
            name: "members elected twice",
            members: 15,
            present: 15,
            before: vec![elect(entry(
                Members,
                2,
                5,
                vec![list("A", 8, 500, 2), list("B", 7, 600, 2)],
            ))],
            entry: entry(Members, 2, 5, vec![list("A", 8, 500, 2)]),
            expect: Refused("valet av ledamöter är redan förrättat i paragrafen"),
        },
        Case {
            name: "after a proposition",
            members: 15,
            present: 15,
            before: vec![
                Command::Move {
                    movers: vec![Actor::Person {
                        person: PersonId(2),
                    }],
                    kind: ProposalKind::Bifall,
                    text: "bifall till valberedningens förslag".into(),
                    decision: None,
                },
                Command::Put {
                    put: vec![0],
                    found_for: Some(0),
                },
            ],
            entry: entry(Members, 2, 5, vec![list("A", 8, 500, 2)]),
            expect: Refused("ordföranden har redan ställt proposition"),
        },
    ]
}

#[test]
fn the_cases() {
    let mut failures = Vec::new();
    for case in cases() {
        let mut p = meeting(case.members, case.present, 0);
        for c in &case.before {
            p.apply(c.clone())
                .unwrap_or_else(|r| panic!("{}: {c:?} refused: {r}", case.name));
        }
        let before = paragraph(&p);
        let log = p.log().len();
        let result = p.apply(elect(case.entry.clone()));
        match (&case.expect, result) {
            (Expect::Seats(seats), Ok(())) => {
                let par = paragraph(&p);
                let e = par.elections.last().expect("recorded");
                let got: Vec<(&str, u32)> = e
                    .lists
                    .iter()
                    .map(|l| (l.group.as_str(), e.allocation.seats_of(&l.group)))
                    .collect();
                if got != *seats {
                    failures.push(format!("{}: seats {got:?}, expected {seats:?}", case.name));
                }
                assert_eq!(e.allocation.lots.len(), case.entry.lots.len());
            }
            (Expect::Refused(why), Err(r)) => {
                if !r.reason.contains(why) {
                    failures.push(format!("{}: «{}» lacks «{why}»", case.name, r.reason));
                }
                assert_eq!(
                    paragraph(&p),
                    before,
                    "{}: a refusal changed nothing",
                    case.name
                );
                assert_eq!(p.log().len(), log);
            }
            (Expect::Seats(_), Err(r)) => failures.push(format!("{}: refused: {r}", case.name)),
            (Expect::Refused(why), Ok(())) => {
                failures.push(format!("{}: accepted, expected «{why}»", case.name))
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn not_in_an_item_that_is_no_election() {
    let mut p = meeting(15, 15, 1);
    let r = p
        .apply(elect(entry(
            SeatKind::Members,
            2,
            5,
            vec![list("A", 8, 500, 2)],
        )))
        .unwrap_err();
    assert!(r.reason.contains("punkten är inte ett val"), "{r}");
    assert!(p.election_room().is_none());
}

/// SKR's worked example (A 17, B 5, C 5, G 4; 7 seats; B and C tie for the
/// fourth seat) through the engine: the lot entered, the protocol's text,
/// the decision, and a replay of the log (also through JSON) gives the same
/// paragraph.
#[test]
fn the_whole_election_in_the_protocol_and_replayed() {
    let mut p = meeting(31, 31, 0);
    let room = p.election_room().expect("an election may be held");
    assert_eq!(room.present, 31);
    // 31 / 8 = 3,875 -> 4.
    assert_eq!(kansli_core::election::requests_needed(room.present, 7), 4);
    let mut e = entry(
        SeatKind::Members,
        7,
        4,
        vec![
            list("A", 17, 500, 7),
            list("B", 5, 600, 7),
            list("C", 5, 700, 7),
            list("G", 4, 800, 7),
        ],
    );
    let r = p.apply(elect(e.clone())).unwrap_err();
    assert!(r.reason.contains("plats 4 mellan B och C"), "{r}");
    e.lots = vec!["C".into()];
    p.apply(elect(e)).unwrap();
    p.apply(Command::Decide { decision: None }).unwrap();
    let par = paragraph(&p);
    let text = par.elections[0].wording.join("\n");
    for expected in [
        "Ledamot 1 (A), Ledamot 2 (B), Ledamot 3 (A) och Ledamot 4 (B) begär proportionellt val av 7 ledamöter. Eftersom 4 av 31 närvarande ledamöter begär det, och minst 4 krävs enligt 2 § lagen (2022:629) om proportionella val i kommuner och regioner, förrättas valet proportionellt med slutna valsedlar.",
        "Valsedlarna räknas: A: 17 valsedlar (1. Kandidat 500, 2. Kandidat 501,",
        "Grupperna B och C har lika jämförelsetal (5) om plats 4. Lotten dras och faller på C.",
        "Platserna fördelas efter jämförelsetal: A 4, B 1, C 1 och G 1.",
        "Till ledamöter väljs för A: Kandidat 500, Kandidat 501, Kandidat 502 och Kandidat 503; för B: Kandidat 600; för C: Kandidat 700; för G: Kandidat 800.",
    ] {
        assert!(text.contains(expected), "{text}\nlacks\n{expected}");
    }
    let decision = par.decision.as_ref().expect("decided");
    assert_eq!(
        decision.parts[0].clauses[0].text,
        "välja Kandidat 500, Kandidat 501, Kandidat 502, Kandidat 700, Kandidat 600, Kandidat 503 och Kandidat 800 till ledamöter"
    );
    // The protocol's record carries it, within the limits.
    let record = p.record();
    kansli_core::limits::check_meeting_record(&record).unwrap();
    // Replay, also of the log as stored (JSON).
    let again = Proceedings::replay(setting(31), p.log()).unwrap();
    assert_eq!(again.record(), record);
    let json = serde_json::to_string(p.log()).unwrap();
    assert!(
        json.contains(r#""command":"elect_proportionally""#),
        "{json}"
    );
    let log: Vec<Command> = serde_json::from_str(&json).unwrap();
    assert_eq!(
        Proceedings::replay(setting(31), &log).unwrap().record(),
        record
    );
}

/// Reopening the decided item takes the elections away with the decision.
#[test]
fn reopening_withdraws_the_election() {
    let mut p = meeting(15, 15, 0);
    p.apply(elect(entry(
        SeatKind::Members,
        2,
        5,
        vec![list("A", 8, 500, 2), list("B", 7, 600, 2)],
    )))
    .unwrap();
    assert!(p.snapshot().may_decide);
    p.apply(Command::Decide { decision: None }).unwrap();
    p.apply(Command::Reopen { paragraph: 1 }).unwrap();
    let par = paragraph(&p);
    assert!(par.elections.is_empty() && par.decision.is_none());
    assert!(p.election_room().is_some());
}

/// A paragraph without an election is stored as before (no new key), and
/// one stored before the field existed still reads.
#[test]
fn old_paragraphs_keep_their_bytes() {
    let par = Paragraph::new(3, "Val");
    let json = serde_json::to_string(&par).unwrap();
    assert!(!json.contains("elections"), "{json}");
    let back: Paragraph = serde_json::from_str(&json).unwrap();
    assert_eq!(back, par);
}
