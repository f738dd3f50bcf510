//! A meeting run with the engine, for the live tests and the ballot bench:
//! a nämnd of `members` members and two substitutes, a planned meeting of
//! `items` items (each a case, the first with a public officer's report),
//! and the commands that decide an item by a roll-call vote.
#![allow(dead_code)]

use kansli_core::case::{CaseNumberFormat, OfficerReport, Signatory};
use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::meeting::*;
use kansli_core::org::{BodyKind, Membership, OrganisationKind, Party, Role};
use kansli_core::proceedings::Command;
use kansli_core::*;
use kansli_store::{Store, StoreError};

pub struct Fixture {
    pub meeting: MeetingId,
    pub body: BodyId,
    /// The members, the chair first.
    pub members: Vec<PersonId>,
    pub substitutes: Vec<PersonId>,
    pub date: Date,
}

pub fn decision(text: &str) -> Decision {
    Decision::single(Formula::Decides, vec![Clause::new(text)])
}

pub async fn fixture(store: &Store, items: usize, members: usize) -> Fixture {
    let date = jiff::civil::date(2025, 3, 4);
    let mut tx = store.begin("user:test").await.unwrap();
    let org = tx
        .add_organisation(
            "Exempelby kommun",
            OrganisationKind::Kommun,
            &CaseNumberFormat::Slashed {
                series: "KS".into(),
            },
        )
        .await
        .unwrap();
    for (a, name) in [("A", "Apartiet"), ("B", "Bpartiet")] {
        tx.add_party(&Party {
            abbreviation: a.into(),
            name: name.into(),
        })
        .await
        .unwrap();
    }
    let body = tx
        .add_body(
            org,
            "Tekniska nämnden",
            None,
            BodyKind::Namnd,
            None,
            members as u16,
        )
        .await
        .unwrap();
    let term = tx
        .add_term(
            org,
            jiff::civil::date(2023, 1, 1),
            jiff::civil::date(2026, 12, 31),
        )
        .await
        .unwrap();
    let mut people = Vec::new();
    let mut memberships = Vec::new();
    for i in 0..members + 2 {
        let party = if i % 2 == 0 { "A" } else { "B" };
        let name = if i < members {
            format!("Ledamot{i} Ek")
        } else {
            format!("Ersättare{} Berg", i - members)
        };
        let person = tx.add_person(&name, Some(party)).await.unwrap();
        people.push(person);
        let role = match i {
            0 => Role::Chair,
            1 => Role::FirstViceChair,
            i if i < members => Role::Member,
            i => Role::Substitute {
                order: (i - members + 1) as u16,
            },
        };
        memberships.push(Membership {
            person,
            body,
            term,
            role,
            party_group: Some(party.into()),
        });
    }
    tx.add_memberships(&memberships).await.unwrap();
    let mut agenda = Vec::new();
    for i in 0..items {
        let (case, _) = tx
            .register_case(org, &format!("Ärende nummer {}", i + 1), date)
            .await
            .unwrap();
        if i == 0 {
            tx.add_officer_report(&OfficerReport {
                case,
                date,
                unit: vec!["Förvaltningen".into()],
                author: Signatory {
                    name: "Handläggare".into(),
                    title: "utredare".into(),
                },
                addressed_to: "Tekniska nämnden".into(),
                title: "Ärende nummer 1".into(),
                draft_decision: decision("bifalla"),
                summary: "Sammanfattningen ur tjänsteskrivelsen.".into(),
                background: String::new(),
                considerations: String::new(),
                consequences: String::new(),
                economic_consequences: String::new(),
                signatories: vec![],
                attachments: vec![],
                notify: vec![],
            })
            .await
            .unwrap();
        }
        agenda.push(AgendaItem {
            title: format!("Ärende nummer {}", i + 1),
            case: Some(case),
            kind: ItemKind::Decision,
            access: Access::Public,
            basis: vec![],
            paragraph: None,
            presenter: None,
        });
    }
    let meeting = tx
        .add_meeting(&MeetingRecord {
            meeting: Meeting {
                id: MeetingId(0),
                body,
                date,
                starts: None,
                ends: None,
                place: "Stadshuset".into(),
                status: MeetingStatus::Planned,
                secretary: None,
                chair: None,
                approvers: vec![],
                approval_place: None,
                attendance_complete: true,
                source_note: None,
            },
            items: agenda,
            attendance: vec![],
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Fixture {
        meeting,
        body,
        members: people[..members].to_vec(),
        substitutes: people[members..].to_vec(),
        date,
    }
}

pub async fn run(store: &Store, meeting: MeetingId, command: Command) -> Result<(), StoreError> {
    let mut tx = store.begin("user:sekreterare").await?;
    tx.record_command(meeting, &command).await?;
    tx.commit().await
}

pub async fn must(store: &Store, meeting: MeetingId, command: Command) {
    let shown = format!("{command:?}");
    run(store, meeting, command)
        .await
        .unwrap_or_else(|e| panic!("{shown}: {e}"));
}

/// Every member arrives and the chair opens.
pub fn opening(fx: &Fixture) -> Vec<Command> {
    let mut out: Vec<Command> = fx
        .members
        .iter()
        .map(|p| Command::Arrive { person: *p })
        .collect();
    out.push(Command::Open {
        at: Some(jiff::civil::time(18, 0, 0, 0)),
        on: Some(fx.date),
    });
    out
}

/// Takes up the item and brings it to an open votering between bifall
/// (ja) and avslag (nej).
pub fn up_to_voting(fx: &Fixture, item: usize) -> Vec<Command> {
    let (a, b) = (fx.members[0], fx.members[1]);
    vec![
        Command::TakeUp {
            item,
            draft_decision: None,
        },
        Command::Move {
            movers: vec![Actor::Person { person: a }],
            kind: ProposalKind::Bifall,
            text: "bifall".into(),
            decision: Some(decision("bifalla förslaget")),
        },
        Command::Move {
            movers: vec![Actor::Person { person: b }],
            kind: ProposalKind::Avslag,
            text: "avslag".into(),
            decision: Some(decision("avslå förslaget")),
        },
        Command::Put {
            put: vec![0, 1],
            found_for: Some(0),
        },
        Command::RequestVote { by: b },
        Command::ApproveVotingOrder {
            ja: Some(0),
            nej: Some(1),
        },
    ]
}

/// Each member's ballot: the even ones ja, the odd ones nej.
pub fn ballots(fx: &Fixture) -> Vec<Command> {
    fx.members
        .iter()
        .enumerate()
        .map(|(i, p)| Command::CastVote {
            person: *p,
            choice: if i % 2 == 0 {
                VoteChoice::Ja
            } else {
                VoteChoice::Nej
            },
        })
        .collect()
}

/// Counts, decides, the loser reserves, the item is finished.
pub fn closing_item(fx: &Fixture, paragraph: u32) -> Vec<Command> {
    vec![
        Command::CountVotes { lot: None },
        Command::Decide { decision: None },
        Command::Reserve {
            paragraph,
            by: vec![Actor::Person {
                person: fx.members[1],
            }],
            in_favour_of: Some(1),
            reasons: None,
        },
        Command::FinishItem,
    ]
}

/// A whole item decided by a vote.
pub fn decided_item(fx: &Fixture, item: usize, paragraph: u32) -> Vec<Command> {
    let mut out = up_to_voting(fx, item);
    out.extend(ballots(fx));
    out.extend(closing_item(fx, paragraph));
    out
}

/// The meeting's stored rows without their ids, each as a line: what a
/// replay from scratch must give again.
pub async fn rows(store: &Store, meeting: MeetingId) -> Vec<String> {
    use sqlx::Row;
    let m = meeting.0;
    let queries = [
        "SELECT 'meeting', status, starts, ends, chair_id, attendance_complete, secretary_id, approval_place FROM meetings WHERE id = $1",
        "SELECT 'approver', position, person_id FROM meeting_approvers WHERE meeting_id = $1",
        "SELECT 'attendance', position, person_id, capacity, replacing_id, title, paragraphs FROM attendance WHERE meeting_id = $1",
        "SELECT 'item', a.position, a.title, a.case_id, a.kind, a.secrecy_ground, a.basis, a.presenter_id, p.number \
         FROM agenda_items a LEFT JOIN paragraphs p ON p.agenda_item_id = a.id WHERE a.meeting_id = $1",
        "SELECT 'paragraph', a.position, p.body_id, p.year, p.number, p.title, p.secrecy_ground, p.content \
         FROM paragraphs p JOIN agenda_items a ON a.id = p.agenda_item_id WHERE p.meeting_id = $1",
        "SELECT 'actor', p.number, x.role, x.position, x.person_id, x.party FROM paragraph_actors x \
         JOIN paragraphs p ON p.id = x.paragraph_id WHERE p.meeting_id = $1",
        "SELECT 'ballot', p.number, b.vote_position, b.person_id, b.choice FROM ballots b \
         JOIN paragraphs p ON p.id = b.paragraph_id WHERE p.meeting_id = $1",
    ];
    let mut out = Vec::new();
    for q in queries {
        let found = sqlx::query(sqlx::AssertSqlSafe(q))
            .bind(m)
            .fetch_all(store.pool())
            .await
            .unwrap();
        for r in found {
            let mut line = Vec::new();
            for i in 0..r.len() {
                let v = r
                    .try_get::<Option<i64>, _>(i)
                    .map(|v| format!("{v:?}"))
                    .or_else(|_| r.try_get::<Option<String>, _>(i).map(|v| format!("{v:?}")))
                    .unwrap_or_else(|e| format!("<{e}>"));
                line.push(v);
            }
            out.push(line.join("|"));
        }
    }
    out.sort();
    out
}

/// The rows as a replay of the whole log writes them.
pub async fn reprojected(store: &Store, meeting: MeetingId) -> Vec<String> {
    let mut tx = store.begin("user:test").await.unwrap();
    tx.reproject(meeting).await.unwrap();
    tx.commit().await.unwrap();
    rows(store, meeting).await
}
