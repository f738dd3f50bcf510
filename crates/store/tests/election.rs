//! #20 L4: a proportional election through the store, on SQLite and
//! PostgreSQL: the command is kept in the event log, the stored paragraph is
//! the engine's (the election with its lot, the decision from it), a tie
//! without its lot writes nothing, and after a restart the log replays to
//! the same meeting.

use kansli_core::election::{BallotList, Candidate, ElectionEntry, SeatKind};
use kansli_core::meeting::*;
use kansli_core::org::{BodyKind, Membership, OrganisationKind, Role};
use kansli_core::proceedings::Command;
use kansli_core::*;
use kansli_store::{Store, StoreError};
use kansli_testsupport::all;

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn run(store: &Store, meeting: MeetingId, command: &Command) -> Result<(), StoreError> {
    let mut tx = store.begin("user:sekreterare").await.unwrap();
    tx.record_command(meeting, command).await?;
    tx.commit().await.unwrap();
    Ok(())
}

#[tokio::test]
async fn a_proportional_election_is_stored_and_replayed() {
    for db in all().await {
        let store = db.store().await;
        let mut tx = store.begin("user:test").await.unwrap();
        let org = tx
            .add_organisation(
                "Exempelby kommun",
                OrganisationKind::Kommun,
                &kansli_core::case::CaseNumberFormat::Slashed {
                    series: "KS".into(),
                },
            )
            .await
            .unwrap();
        let body = tx
            .add_body(
                org,
                "Kommunfullmäktige",
                None,
                BodyKind::Fullmaktige,
                None,
                5,
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
        let mut members = Vec::new();
        for name in ["Anna Ek", "Bo Berg", "Cia Dahl", "Dan Ek", "Eva Falk"] {
            members.push(tx.add_person(name, None).await.unwrap());
        }
        let mut candidates = Vec::new();
        for name in ["Kim Ahl", "Lo Bäck", "Mo Cedr", "No Dunn"] {
            candidates.push(tx.add_person(name, None).await.unwrap());
        }
        let memberships: Vec<Membership> = members
            .iter()
            .enumerate()
            .map(|(i, p)| Membership {
                person: *p,
                body,
                term,
                role: if i == 0 { Role::Chair } else { Role::Member },
                party_group: None,
            })
            .collect();
        tx.add_memberships(&memberships).await.unwrap();
        let meeting = tx
            .add_meeting(&MeetingRecord {
                meeting: Meeting {
                    id: MeetingId(0),
                    body,
                    date: jiff::civil::date(2025, 3, 4),
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
                items: vec![AgendaItem {
                    title: "Val av ledamöter i valnämnden".into(),
                    case: None,
                    kind: ItemKind::Election,
                    access: Access::Public,
                    basis: vec![],
                    paragraph: None,
                    presenter: None,
                }],
                attendance: vec![],
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut commands: Vec<Command> = members
            .iter()
            .map(|p| Command::Arrive { person: *p })
            .collect();
        commands.push(Command::Open {
            at: None,
            on: Some(jiff::civil::date(2025, 3, 4)),
        });
        commands.push(Command::TakeUp {
            item: 0,
            draft_decision: None,
        });
        for c in &commands {
            run(&store, meeting, c)
                .await
                .unwrap_or_else(|e| panic!("{}: {c:?}: {e}", db.label));
        }
        // 5 present, 2 seats: 5 / 3 rounded up = 2 must ask. A and B tie.
        let candidate = |i: usize, name: &str| Candidate {
            person: candidates[i],
            name: name.into(),
        };
        let mut entry = ElectionEntry {
            of: SeatKind::Members,
            seats: 2,
            requested_by: vec![members[1], members[3]],
            lists: vec![
                BallotList {
                    group: "Gruppen för A".into(),
                    votes: 2,
                    names: vec![candidate(0, "Kim Ahl"), candidate(1, "Lo Bäck")],
                },
                BallotList {
                    group: "Gruppen för B".into(),
                    votes: 2,
                    names: vec![candidate(2, "Mo Cedr")],
                },
                BallotList {
                    group: "Gruppen för C".into(),
                    votes: 1,
                    names: vec![candidate(3, "No Dunn")],
                },
            ],
            lots: vec![],
        };
        // The tie without its lot: refused, nothing written.
        let (events, audit) = (
            count(&store, "meeting_events").await,
            count(&store, "audit_log").await,
        );
        match run(
            &store,
            meeting,
            &Command::ElectProportionally(entry.clone()),
        )
        .await
        {
            Err(StoreError::Refused(r)) => assert!(
                r[0].reason.contains("ange vilken grupp lotten föll på"),
                "{}: {r:?}",
                db.label
            ),
            other => panic!("{}: expected a refusal, got {other:?}", db.label),
        }
        assert_eq!(count(&store, "meeting_events").await, events);
        assert_eq!(count(&store, "audit_log").await, audit);

        entry.lots = vec!["Gruppen för B".into()];
        for c in [
            Command::ElectProportionally(entry.clone()),
            Command::Decide { decision: None },
            Command::FinishItem,
        ] {
            run(&store, meeting, &c)
                .await
                .unwrap_or_else(|e| panic!("{}: {c:?}: {e}", db.label));
        }
        let stored = store.meeting_record(meeting).await.unwrap();
        let p = stored.paragraph(1).unwrap();
        assert_eq!(p.elections.len(), 1, "{}", db.label);
        let e = &p.elections[0];
        assert_eq!(e.allocation.lots[0].drawn, "Gruppen för B");
        assert_eq!(
            e.allocation.elected(),
            vec![candidates[2], candidates[0]],
            "{}: B wins the first seat by lot (A and B 2), A the second (2 against B's 2/2)",
            db.label
        );
        assert!(
            e.wording.iter().any(|w| w
                == "Grupperna Gruppen för A och Gruppen för B har lika jämförelsetal (2) om plats 1. Lotten dras och faller på Gruppen för B."),
            "{}: {:?}",
            db.label,
            e.wording
        );
        assert_eq!(
            p.decision.as_ref().unwrap().parts[0].clauses[0].text,
            "välja Mo Cedr och Kim Ahl till ledamöter",
            "{}",
            db.label
        );
        let log = store.meeting_events(meeting).await.unwrap();
        assert!(
            log.iter()
                .any(|c| matches!(c, Command::ElectProportionally(x) if x.lots == entry.lots)),
            "{}",
            db.label
        );

        // After a restart the log replays to the same meeting.
        drop(store);
        let store = db.store().await;
        let again = store.proceedings(meeting).await.unwrap();
        assert_eq!(
            again.record().paragraph(1),
            stored.paragraph(1),
            "{}",
            db.label
        );
        run(&store, meeting, &Command::Close { at: None })
            .await
            .unwrap();
        let closed = store.meeting_record(meeting).await.unwrap();
        assert_eq!(closed.paragraph(1).unwrap().elections, p.elections);
    }
}
