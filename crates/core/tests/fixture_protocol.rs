//! Drives the meeting engine with what happened at §13 and §14 of Region
//! Hallands regionstyrelses arbetsutskott, 2025-01-28, and compares the
//! sections the rules write (Beslut, Yrkanden, Beslutsgång, Omröstning,
//! Reservationer) with the approved protocol, word for word (whitespace
//! aside). The protocol is read from `../shared/fixtures`.

use kansli_core::decision::{Clause, Decision, DecisionPart, Formula};
use kansli_core::meeting::{
    Actor, AgendaItem, ItemKind, Meeting, MeetingStatus, Paragraph, ProposalKind, VoteChoice,
};
use kansli_core::org::{Body, BodyKind, Person, Role};
use kansli_core::proceedings::{Command, Proceedings, Seat, Setting};
use kansli_core::validate::check_meeting_record;
use kansli_core::wording::{self, Names};
use kansli_core::{Access, BodyId, MeetingId, OrganisationId, PersonId};

const RSAU: &str = "Regionstyrelsens arbetsutskott";
const WALTERSSON: PersonId = PersonId(1);
const ANDERSSON: PersonId = PersonId(2);
const BENSKOLD: PersonId = PersonId(3);
const CLINGSTON: PersonId = PersonId(4);
const PERSSON: PersonId = PersonId(5);
const HAMNER: PersonId = PersonId(20);

const FIXTURE: &str = "shared/fixtures/seeds/protocol-region-halland-rsau-2025-01-28.txt";

/// The protocol, found as `shared/fixtures` beside the repository (or any
/// ancestor directory), as the developers' guide lays them out.
fn fixture() -> Option<String> {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join(FIXTURE))
        .find(|path| path.exists())
        .map(|path| {
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        })
}

/// The sections of §13 and §14 (identical in the protocol) as the approved
/// protocol words them: a public authority's decision, quoted so that a clone
/// without the fixtures beside it still checks the texts. When the fixture is
/// present, these are checked against it too.
const RECORDED: [(&str, &str); 5] = [
    (
        "Beslut",
        "Regionstyrelsens arbetsutskott föreslår regionstyrelsen besluta att föreslå regionfullmäktige att - avslå motionen",
    ),
    (
        "Reservationer",
        "Lise-Lotte Bensköld Olsson (S) och Per Persson (S) reserverar sig mot beslutet till förmån för Lise-Lotte Bensköld Olssons förslag.",
    ),
    (
        "Yrkanden",
        "Lise-Lotte Bensköld Olsson (S) yrkar bifall till motionen. Mikaela Waltersson (M) yrkar avslag till motionen.",
    ),
    (
        "Beslutsgång",
        "Ordförande ställer de två förslagen mot varandra och finner att arbetsutskottet bifaller Mikaela Walterssons förslag till beslut, att avslå motionen.",
    ),
    (
        "Omröstning begärs",
        "Omröstning begärs Regionstyrelsens arbetsutskott godkänner följande beslutsgång Ja-röst för Mikaela Walterssons förslag till beslut Nej-röst för Lise-Lotte Bensköld Olssons förslag till beslut Med 3 ja-röster och 2 nej-röster bifaller arbetsutskottet Mikaela Walterssons förslag till beslut, att avslå motionen.",
    ),
];

/// The expected text of a section of paragraph `number`.
fn expected(protocol: Option<&str>, number: u32, heading: &str) -> String {
    match protocol {
        Some(text) => words(&section(&paragraph_lines(text, number), heading)),
        None => words(
            RECORDED
                .iter()
                .find(|(h, _)| *h == heading)
                .expect("recorded")
                .1,
        ),
    }
}

#[test]
fn the_recorded_sections_match_the_fixture() {
    let Some(protocol) = fixture() else {
        eprintln!(
            "\n*** {FIXTURE} not found beside the repository: the quoted sections were used ***\n"
        );
        return;
    };
    for number in [13, 14] {
        for (heading, text) in RECORDED {
            assert_eq!(
                expected(Some(&protocol), number, heading),
                words(text),
                "§{number} {heading}"
            );
        }
    }
}

fn seat(id: PersonId, name: &str, party: &str, role: Role) -> Seat {
    Seat {
        person: Person {
            id,
            name: name.into(),
            party: Some(party.into()),
        },
        role,
        party_group: Some(party.into()),
    }
}

fn item(title: &str) -> AgendaItem {
    AgendaItem {
        title: title.into(),
        case: None,
        kind: ItemKind::Decision,
        access: Access::Public,
        basis: vec![],
        paragraph: None,
        presenter: None,
    }
}

fn setting() -> Setting {
    Setting {
        meeting: Meeting {
            id: MeetingId(1),
            body: BodyId(3),
            date: jiff::civil::date(2025, 1, 28),
            starts: None,
            ends: None,
            place: "Borgkammaren/Fataburen".into(),
            status: MeetingStatus::NoticeIssued,
            secretary: Some(HAMNER),
            chair: None,
            approvers: vec![BENSKOLD],
            approval_place: None,
            attendance_complete: true,
            source_note: None,
        },
        items: vec![
            item(
                "Svar på motion om mottagning för personer i sexuell exploatering (MIKA - mottagning)",
            ),
            item("Svar på motion om mottagning för köpare av sexuella tjänster (KAST-mottagning)"),
        ],
        body: Body {
            id: BodyId(3),
            organisation: OrganisationId(1),
            name: RSAU.into(),
            short_name: Some("RSAU".into()),
            kind: BodyKind::Utskott,
            parent: None,
            seats: 5,
        },
        roster: vec![
            seat(WALTERSSON, "Mikaela Waltersson", "M", Role::Chair),
            seat(ANDERSSON, "Helene Andersson", "C", Role::FirstViceChair),
            seat(
                BENSKOLD,
                "Lise-Lotte Bensköld Olsson",
                "S",
                Role::SecondViceChair,
            ),
            seat(CLINGSTON, "My Clingston", "KD", Role::Member),
            seat(PERSSON, "Per Persson", "S", Role::Member),
        ],
        parties: vec![],
        first_number: 13,
        minority_used: vec![],
        floor: Default::default(),
    }
}

/// The draft decision as the agenda carried it, in the protocol's words.
fn draft() -> Decision {
    Decision {
        parts: vec![DecisionPart {
            formula: Formula::Proposes {
                chain: vec!["Regionstyrelsen".into(), "Regionfullmäktige".into()],
                further: false,
            },
            wording: Some(format!(
                "{RSAU} föreslår regionstyrelsen besluta att föreslå regionfullmäktige att"
            )),
            clauses: vec![Clause::new("avslå motionen")],
        }],
    }
}

fn person(p: PersonId) -> Actor {
    Actor::Person { person: p }
}

/// What happened at each of the two paragraphs.
fn motion_answered_by_vote(item: usize, number: u32) -> Vec<Command> {
    let bifall = Decision::single(
        Formula::Proposes {
            chain: vec!["Regionstyrelsen".into(), "Regionfullmäktige".into()],
            further: false,
        },
        vec![Clause::new("bifalla motionen")],
    );
    let vote = |person, choice| Command::CastVote { person, choice };
    vec![
        Command::TakeUp {
            item,
            draft_decision: Some(draft()),
        },
        Command::Move {
            movers: vec![person(BENSKOLD)],
            kind: ProposalKind::Bifall,
            text: "bifall till motionen".into(),
            decision: Some(bifall),
        },
        Command::Move {
            movers: vec![person(WALTERSSON)],
            kind: ProposalKind::Avslag,
            text: "avslag till motionen".into(),
            decision: Some(draft()),
        },
        Command::Put {
            put: vec![1, 0],
            found_for: Some(1),
        },
        Command::RequestVote { by: BENSKOLD },
        Command::ApproveVotingOrder {
            ja: Some(1),
            nej: Some(0),
        },
        vote(WALTERSSON, VoteChoice::Ja),
        vote(ANDERSSON, VoteChoice::Ja),
        vote(BENSKOLD, VoteChoice::Nej),
        vote(CLINGSTON, VoteChoice::Ja),
        vote(PERSSON, VoteChoice::Nej),
        Command::CountVotes { lot: None },
        Command::Decide { decision: None },
        Command::Reserve {
            paragraph: number,
            by: vec![person(BENSKOLD), person(PERSSON)],
            in_favour_of: Some(0),
            reasons: None,
        },
        Command::FinishItem,
    ]
}

fn meeting() -> Proceedings {
    let mut commands = vec![];
    for p in [WALTERSSON, ANDERSSON, BENSKOLD, CLINGSTON, PERSSON] {
        commands.push(Command::Arrive { person: p });
    }
    commands.push(Command::ArriveOther {
        person: HAMNER,
        name: "Anna Hamnér".into(),
        title: "sekreterare".into(),
    });
    commands.push(Command::Open { at: None, on: None });
    commands.extend(motion_answered_by_vote(0, 13));
    commands.extend(motion_answered_by_vote(1, 14));
    commands.push(Command::Close { at: None });
    Proceedings::replay(setting(), &commands).expect("the events of §13 and §14 are lawful")
}

/// The protocol's text of one paragraph, with page furniture removed and the
/// running header ("Regionstyrelsens arbetsutskott**Yrkanden**") reduced to
/// its heading.
fn paragraph_lines(protocol: &str, number: u32) -> Vec<String> {
    let start = protocol
        .find(&format!("**§{number}**"))
        .unwrap_or_else(|| panic!("§{number} not in the fixture"));
    let rest = &protocol[start..];
    let end = rest
        .find(&format!("**§{}**", number + 1))
        .unwrap_or(rest.len());
    let body = &rest[..end];
    let end = body.find("Voteringslista:").unwrap_or(body.len());
    body[..end]
        .lines()
        .map(|l| l.trim())
        .map(|l| l.strip_prefix(&format!("{RSAU}**")).unwrap_or(l))
        .map(|l| l.trim_matches('*').trim().to_string())
        .filter(|l| {
            !l.is_empty()
                && !matches!(
                    l.as_str(),
                    "Ordförandes sign" | "Justerares sign" | "Utdragsbestyrkande"
                )
        })
        .collect()
}

const HEADINGS: [&str; 9] = [
    "Beslut",
    "Reservationer",
    "Ärendet",
    "Yrkanden",
    "Beslutsgång",
    "Omröstning begärs",
    "Förslag till beslut",
    "Beslutsunderlag",
    "Expedieras till",
];

/// The lines under `heading`, up to the next heading. "Omröstning begärs" is
/// both heading and first line of its section.
fn section(lines: &[String], heading: &str) -> String {
    let start = lines
        .iter()
        .position(|l| l == heading)
        .unwrap_or_else(|| panic!("no section {heading}"));
    let from = if heading == "Omröstning begärs" {
        start
    } else {
        start + 1
    };
    lines[from..]
        .iter()
        .enumerate()
        .take_while(|(i, l)| *i == 0 && from == start || !HEADINGS.contains(&l.as_str()))
        .map(|(_, l)| l.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn sections_13_and_14_are_regenerated_word_for_word() {
    let protocol = fixture();
    let protocol = protocol.as_deref();
    let proceedings = meeting();
    let record = proceedings.record();
    let names: &Names = proceedings.names();
    let body = setting().body;
    check_meeting_record(&record, &body).expect("the engine's record passes validation");
    for number in [13, 14] {
        let p: &Paragraph = record.paragraph(number).expect("paragraph recorded");

        let beslut = p.decision.as_ref().expect("decided").to_text(RSAU);
        assert_eq!(
            words(&beslut),
            expected(protocol, number, "Beslut"),
            "§{number} Beslut"
        );

        let yrkanden: Vec<String> = p
            .proposals
            .iter()
            .map(|x| wording::proposal_line(names, x))
            .collect();
        assert_eq!(
            words(&yrkanden.join(" ")),
            expected(protocol, number, "Yrkanden"),
            "§{number} Yrkanden"
        );

        let gang: Vec<&str> = p.propositions.iter().map(|x| x.wording.as_str()).collect();
        assert_eq!(
            words(&gang.join(" ")),
            expected(protocol, number, "Beslutsgång"),
            "§{number} Beslutsgång"
        );

        let omrostning = wording::vote_section(names, RSAU, &p.proposals, &p.votes[0]);
        assert_eq!(
            words(&omrostning.join(" ")),
            expected(protocol, number, "Omröstning begärs"),
            "§{number} Omröstning"
        );

        let reservationer: Vec<&str> = p.reservations.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            words(&reservationer.join(" ")),
            expected(protocol, number, "Reservationer"),
            "§{number} Reservationer"
        );

        // The voteringslista: each member's ballot as the protocol's table.
        let ballots: Vec<(PersonId, VoteChoice)> = p.votes[0]
            .ballots
            .iter()
            .map(|b| (b.person, b.choice))
            .collect();
        assert_eq!(
            ballots,
            vec![
                (WALTERSSON, VoteChoice::Ja),
                (ANDERSSON, VoteChoice::Ja),
                (BENSKOLD, VoteChoice::Nej),
                (CLINGSTON, VoteChoice::Ja),
                (PERSSON, VoteChoice::Nej),
            ]
        );
    }
    // Everyone took part in both paragraphs: listed for the whole meeting.
    assert!(record.attendance.iter().all(|a| a.paragraphs.is_empty()));
    assert_eq!(record.meeting.chair, Some(WALTERSSON));
    assert_eq!(record.meeting.status, MeetingStatus::Held);
}

#[test]
fn the_section_reader_finds_what_the_fixture_says() {
    // Guards the comparison itself: a wrong word must be noticed.
    let Some(protocol) = fixture() else { return };
    let lines = paragraph_lines(&protocol, 14);
    let gang = section(&lines, "Beslutsgång");
    assert!(gang.starts_with("Ordförande ställer de två förslagen"));
    assert_ne!(
        words(&gang),
        words(
            "Ordförande ställer de två förslagen mot varandra och finner att arbetsutskottet bifaller Lise-Lotte Bensköld Olssons förslag till beslut, att avslå motionen."
        )
    );
    let omrostning = section(&lines, "Omröstning begärs");
    assert!(omrostning.starts_with("Omröstning begärs Regionstyrelsens arbetsutskott godkänner"));
    assert!(omrostning.ends_with("att avslå motionen."));
}
