//! The store against both backends: each test runs on a fresh SQLite file and,
//! when configured, a fresh PostgreSQL database (see kansli-testsupport).

use kansli_core::meeting::{MeetingStatus, VoteChoice};
use kansli_core::*;
use kansli_store::{Store, StoreError};
use kansli_testsupport::all;

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn demo(store: &Store) {
    assert!(kansli_demo::load(store).await.unwrap().written);
}

async fn org(store: &Store, name: &str) -> kansli_core::org::Organisation {
    store.organisation_by_name(name).await.unwrap().unwrap()
}

async fn rsau_meeting(store: &Store) -> MeetingId {
    store
        .all_meetings()
        .await
        .unwrap()
        .into_iter()
        .find(|m| {
            m.body.name == "Regionstyrelsens arbetsutskott"
                && m.meeting.date == jiff::civil::date(2025, 1, 28)
        })
        .expect("the RSAU meeting of 2025-01-28")
        .meeting
        .id
}

#[tokio::test]
async fn demo_holds_the_whole_rsau_meeting() {
    for db in all().await {
        let store = db.store().await;
        demo(&store).await;
        let id = rsau_meeting(&store).await;
        let record = store.meeting_record(id).await.unwrap();
        let numbers: Vec<u32> = record.paragraphs().map(|p| p.number).collect();
        assert_eq!(numbers, (1..=15).collect::<Vec<_>>(), "{}", db.label);
        assert_eq!(record.meeting.place, "Borgkammaren/Fataburen");

        for n in [13, 14] {
            let p = record.paragraph(n).unwrap();
            assert_eq!(p.votes.len(), 1, "§{n} has one roll-call vote");
            let tally = |c| p.votes[0].ballots.iter().filter(|b| b.choice == c).count();
            assert_eq!(
                (tally(VoteChoice::Ja), tally(VoteChoice::Nej)),
                (3, 2),
                "§{n}"
            );
            assert_eq!(p.reservations.len(), 1);
            assert_eq!(p.reservations[0].by.len(), 2);
        }
        // Per Persson attends §§5-15 only: four decide at §1, five at §14.
        let persson = store.person_by_name("Per Persson").await.unwrap().unwrap();
        let att = record
            .attendance
            .iter()
            .find(|a| a.person == persson.id)
            .unwrap();
        assert_eq!(att.paragraphs, vec![(5, 15)]);
        assert_eq!(record.deciding_at(1).len(), 4);
        assert_eq!(record.deciding_at(14).len(), 5);
        // The approver, the chair, the secretary.
        let approver = store.person(record.meeting.approvers[0]).await.unwrap();
        assert_eq!(approver.name, "Lise-Lotte Bensköld Olsson");
        let chair = store.person(record.meeting.chair.unwrap()).await.unwrap();
        assert_eq!(chair.display(), "Mikaela Waltersson (M)");
        // §9 proposes through a chain and then further.
        let p9 = record.paragraph(9).unwrap().decision.as_ref().unwrap();
        assert_eq!(p9.parts.len(), 2);
    }
}

#[tokio::test]
async fn demo_follows_the_kast_case_and_loads_once() {
    for db in all().await {
        let store = db.store().await;
        demo(&store).await;
        let halland = org(&store, "Region Halland").await;
        let kast = store
            .case_by_number(halland.id, "RS231470")
            .await
            .unwrap()
            .unwrap();
        let motion = store.motion(kast.id).await.unwrap().unwrap();
        assert_eq!(motion.filed, jiff::civil::date(2023, 12, 4));
        assert_eq!(motion.movers.len(), 3);
        let reports = store.officer_reports(kast.id).await.unwrap();
        assert_eq!(reports[0].date, jiff::civil::date(2024, 12, 3));
        let steps = store.case_steps(kast.id).await.unwrap();
        let bodies: Vec<&str> = steps.iter().map(|s| s.body.name.as_str()).collect();
        assert_eq!(
            bodies,
            [
                "Regionstyrelsens arbetsutskott",
                "Regionstyrelsen",
                "Regionfullmäktige"
            ],
            "{}",
            db.label
        );
        assert_eq!(steps[0].paragraph, Some(14));
        assert!(steps[1].paragraph.is_none(), "pending in regionstyrelsen");
        assert_eq!(store.organisations().await.unwrap().len(), 3);

        // Loading again writes nothing.
        let before = count(&store, "audit_log").await;
        assert!(!kansli_demo::load(&store).await.unwrap().written);
        assert_eq!(count(&store, "audit_log").await, before);
    }
}

#[tokio::test]
async fn every_write_leaves_an_audit_record() {
    for db in all().await {
        let store = db.store().await;
        demo(&store).await;
        let tail = store.audit_tail(1000).await.unwrap();
        assert!(tail.iter().all(|r| r.actor == "system:demo"));
        for entity in ["organisation", "person", "case", "meeting", "motion"] {
            assert!(
                tail.iter().any(|r| r.entity == entity),
                "{}: no audit record for {entity}",
                db.label
            );
        }
        let meetings = count(&store, "meetings").await;
        let audited = tail
            .iter()
            .filter(|r| r.entity == "meeting" && r.action == "add")
            .count() as i64;
        assert_eq!(meetings, audited);
    }
}

#[tokio::test]
async fn a_refused_meeting_writes_nothing() {
    for db in all().await {
        let store = db.store().await;
        demo(&store).await;
        let id = rsau_meeting(&store).await;
        let mut record = store.meeting_record(id).await.unwrap();
        // Move it to another day, then let Per Persson vote at §1, before he
        // arrived: refused as a whole.
        record.meeting.date = jiff::civil::date(2025, 2, 11);
        let persson = store
            .person_by_name("Per Persson")
            .await
            .unwrap()
            .unwrap()
            .id;
        let p14 = record.items[13].paragraph.clone().unwrap();
        let mut vote = p14.votes[0].clone();
        vote.ballots.retain(|b| b.person == persson);
        let p1 = record.items[0].paragraph.as_mut().unwrap();
        p1.number = 101;
        p1.proposals = p14.proposals.clone();
        p1.votes = vec![vote];
        for (i, item) in record.items.iter_mut().enumerate().skip(1) {
            item.paragraph.as_mut().unwrap().number = 101 + i as u32;
        }
        let (meetings, audit, paragraphs) = (
            count(&store, "meetings").await,
            count(&store, "audit_log").await,
            count(&store, "paragraphs").await,
        );
        let mut tx = store.begin("user:test").await.unwrap();
        let err = tx.add_meeting(&record).await.unwrap_err();
        drop(tx);
        match &err {
            StoreError::Refused(r) => assert!(
                r.iter()
                    .any(|r| r.at.starts_with("§101") && r.reason.contains("tjänstgör inte")),
                "{r:?}"
            ),
            other => panic!("{}: expected a refusal, got {other:?}", db.label),
        }
        assert_eq!(count(&store, "meetings").await, meetings);
        assert_eq!(count(&store, "audit_log").await, audit);
        assert_eq!(count(&store, "paragraphs").await, paragraphs);
    }
}

#[tokio::test]
async fn paragraph_numbers_are_unique_per_body_and_year() {
    for db in all().await {
        let store = db.store().await;
        demo(&store).await;
        let id = rsau_meeting(&store).await;
        let mut record = store.meeting_record(id).await.unwrap();
        record.meeting.date = jiff::civil::date(2025, 3, 4);
        let (meetings, paragraphs) = (
            count(&store, "meetings").await,
            count(&store, "paragraphs").await,
        );
        let mut tx = store.begin("user:test").await.unwrap();
        let err = tx.add_meeting(&record).await.unwrap_err();
        drop(tx);
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{}: {err:?}",
            db.label
        );
        assert_eq!(count(&store, "meetings").await, meetings);
        assert_eq!(count(&store, "paragraphs").await, paragraphs);

        // The same numbers in the next year are a new series.
        record.meeting.date = jiff::civil::date(2026, 1, 27);
        let mut tx = store.begin("user:test").await.unwrap();
        tx.add_meeting(&record).await.unwrap();
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn an_approved_protocol_does_not_go_back() {
    for db in all().await {
        let store = db.store().await;
        demo(&store).await;
        let id = rsau_meeting(&store).await;
        let approved = MeetingStatus::Approved {
            approved: jiff::civil::date(2025, 2, 3),
        };
        let mut tx = store.begin("user:test").await.unwrap();
        tx.set_meeting_status(id, &approved).await.unwrap();
        tx.commit().await.unwrap();
        assert!(store.meeting(id).await.unwrap().status.is_sealed());

        let mut tx = store.begin("user:test").await.unwrap();
        let err = tx
            .set_meeting_status(id, &MeetingStatus::Held)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Refused(_)), "{err:?}");
        drop(tx);

        let posted = MeetingStatus::NoticePosted {
            approved: jiff::civil::date(2025, 2, 3),
            posted: jiff::civil::date(2025, 2, 4),
            taken_down: jiff::civil::date(2025, 2, 26),
            kept_at: "Regionkontoret, Halmstad".into(),
        };
        let mut tx = store.begin("user:test").await.unwrap();
        tx.set_meeting_status(id, &posted).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            store.meeting(id).await.unwrap().status,
            posted,
            "{}",
            db.label
        );
        let log = store.audit_log("meeting", id.0).await.unwrap();
        assert_eq!(
            log.iter().filter(|r| r.action == "status").count(),
            2,
            "both changes are in the meeting's log"
        );
    }
}

#[tokio::test]
async fn case_numbers_follow_the_organisations_series() {
    for db in all().await {
        let store = db.store().await;
        demo(&store).await;
        let halland = org(&store, "Region Halland").await;
        let umea = org(&store, "Umeå kommun").await;
        let mut tx = store.begin("user:test").await.unwrap();
        let (_, a) = tx
            .register_case(halland.id, "Nytt ärende", jiff::civil::date(2023, 12, 20))
            .await
            .unwrap();
        let (_, b) = tx
            .register_case(umea.id, "Nytt ärende", jiff::civil::date(2017, 9, 1))
            .await
            .unwrap();
        let dup = tx
            .register_case_numbered(
                halland.id,
                "RS231470",
                "Dubblett",
                jiff::civil::date(2023, 12, 4),
            )
            .await
            .unwrap_err();
        assert_eq!(a, "RS231471", "{}", db.label);
        assert_eq!(b, "IFN 2017/2");
        assert!(matches!(dup, StoreError::Conflict(_)), "{dup:?}");
        drop(tx);
        // The transaction was dropped: neither number was taken.
        assert!(
            store
                .case_by_number(halland.id, "RS231471")
                .await
                .unwrap()
                .is_none()
        );
        let bad = store
            .begin("user:test")
            .await
            .unwrap()
            .register_case_numbered(
                halland.id,
                "KS 2023/1",
                "Fel format",
                jiff::civil::date(2023, 1, 2),
            )
            .await
            .unwrap_err();
        assert!(bad.to_string().contains("följer inte formatet"), "{bad}");
    }
}

#[tokio::test]
async fn users_sign_in_with_their_password_only() {
    for db in all().await {
        let store = db.store().await;
        let mut tx = store.begin("system:cli").await.unwrap();
        assert!(tx.add_user("anna", "Anna", "kort", true).await.is_err());
        tx.add_user("anna", "Anna Admin", "ett långt lösenord", true)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let user = store
            .verify_user("anna", "ett långt lösenord")
            .await
            .unwrap()
            .unwrap();
        assert!(user.is_admin);
        assert!(
            store
                .verify_user("anna", "fel lösenord!!")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .verify_user("okänd", "ett långt lösenord")
                .await
                .unwrap()
                .is_none()
        );
        let mut tx = store.begin("system:cli").await.unwrap();
        let dup = tx
            .add_user("anna", "Anna igen", "ett annat långt lösenord", false)
            .await
            .unwrap_err();
        assert!(
            matches!(dup, StoreError::Conflict(_)),
            "{}: {dup:?}",
            db.label
        );
    }
}

/// A meeting run command by command: each accepted command is stored with the
/// meeting as the engine records it, a refused one writes nothing, and after
/// the store is closed and opened again the meeting goes on where it was.
#[tokio::test]
async fn a_meeting_run_command_by_command_survives_a_restart() {
    use kansli_core::meeting::*;
    use kansli_core::org::{BodyKind, Membership, OrganisationKind, Party, Role};
    use kansli_core::proceedings::Command;
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
        for (a, name) in [("A", "Apartiet"), ("B", "Bpartiet")] {
            tx.add_party(&Party {
                abbreviation: a.into(),
                name: name.into(),
            })
            .await
            .unwrap();
        }
        let body = tx
            .add_body(org, "Tekniska nämnden", None, BodyKind::Namnd, None, 3)
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
        for (name, party) in [
            ("Anna Ek", "A"),
            ("Bo Berg", "B"),
            ("Cia Dahl", "A"),
            ("Dan Ek", "B"),
        ] {
            people.push(tx.add_person(name, Some(party)).await.unwrap());
        }
        let roles = [
            Role::Chair,
            Role::FirstViceChair,
            Role::Member,
            Role::Substitute { order: 1 },
        ];
        let groups = ["A", "B", "A", "B"];
        let memberships: Vec<Membership> = people
            .iter()
            .zip(roles)
            .zip(groups)
            .map(|((p, role), g)| Membership {
                person: *p,
                body,
                term,
                role,
                party_group: Some(g.into()),
            })
            .collect();
        tx.add_memberships(&memberships).await.unwrap();
        let (case, _) = tx
            .register_case(org, "Gatubelysning", jiff::civil::date(2025, 1, 10))
            .await
            .unwrap();
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
                    title: "Gatubelysning i centrum".into(),
                    case: Some(case),
                    kind: ItemKind::Decision,
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

        let (anna, bo, cia, dan) = (people[0], people[1], people[2], people[3]);
        let run = |store: Store, command: Command| async move {
            let mut tx = store.begin("user:sekreterare").await.unwrap();
            let result = tx.record_command(meeting, &command).await;
            if result.is_ok() {
                tx.commit().await.unwrap();
            }
            (store, result)
        };
        let mut store = store;
        for command in [
            Command::Arrive { person: anna },
            Command::Arrive { person: cia },
            Command::Arrive { person: dan },
            Command::Open {
                at: Some(jiff::civil::time(18, 0, 0, 0)),
                on: Some(jiff::civil::date(2025, 3, 4)),
            },
            Command::Serve {
                substitute: dan,
                replacing: bo,
            },
            Command::TakeUp {
                item: 0,
                draft_decision: None,
            },
            Command::Move {
                movers: vec![kansli_core::meeting::Actor::Person { person: anna }],
                kind: ProposalKind::Bifall,
                text: "bifall till förvaltningens förslag".into(),
                decision: Some(kansli_core::decision::Decision::single(
                    kansli_core::decision::Formula::Decides,
                    vec![kansli_core::decision::Clause::new(
                        "byta till LED-armaturer",
                    )],
                )),
            },
            Command::Move {
                movers: vec![kansli_core::meeting::Actor::Person { person: dan }],
                kind: ProposalKind::Avslag,
                text: "avslag".into(),
                decision: Some(kansli_core::decision::Decision::single(
                    kansli_core::decision::Formula::Decides,
                    vec![kansli_core::decision::Clause::new("avslå förslaget")],
                )),
            },
            Command::Put {
                put: vec![0, 1],
                found_for: Some(0),
            },
            Command::RequestVote { by: dan },
            Command::ApproveVotingOrder {
                ja: Some(0),
                nej: Some(1),
            },
            Command::CastVote {
                person: anna,
                choice: VoteChoice::Ja,
            },
        ] {
            let (s, result) = run(store, command.clone()).await;
            store = s;
            result.unwrap_or_else(|e| panic!("{}: {command:?}: {e}", db.label));
        }
        // Live: the stored meeting is in session with its open paragraph.
        let stored = store.meeting_record(meeting).await.unwrap();
        assert_eq!(
            stored.meeting.status,
            MeetingStatus::InSession,
            "{}",
            db.label
        );
        assert_eq!(stored.paragraph(1).unwrap().proposals.len(), 2);

        // A refused command writes nothing.
        let (events, audit) = (
            count(&store, "meeting_events").await,
            count(&store, "audit_log").await,
        );
        let (s, result) = run(
            store,
            Command::CastVote {
                person: bo,
                choice: VoteChoice::Nej,
            },
        )
        .await;
        store = s;
        match result {
            Err(StoreError::Refused(r)) => assert!(r[0].reason.contains("tjänstgör inte"), "{r:?}"),
            other => panic!("{}: expected a refusal, got {other:?}", db.label),
        }
        assert_eq!(count(&store, "meeting_events").await, events);
        assert_eq!(count(&store, "audit_log").await, audit);

        // The server goes down mid-vote and comes back.
        drop(store);
        let mut store = db.store().await;
        for command in [
            Command::CastVote {
                person: cia,
                choice: VoteChoice::Ja,
            },
            Command::CastVote {
                person: dan,
                choice: VoteChoice::Nej,
            },
            Command::CountVotes { lot: None },
            Command::Decide { decision: None },
            Command::Reserve {
                paragraph: 1,
                by: vec![kansli_core::meeting::Actor::Person { person: dan }],
                in_favour_of: Some(1),
                reasons: None,
            },
            Command::FinishItem,
            Command::Close {
                at: Some(jiff::civil::time(19, 30, 0, 0)),
            },
        ] {
            let (s, result) = run(store, command.clone()).await;
            store = s;
            result.unwrap_or_else(|e| panic!("{}: {command:?}: {e}", db.label));
        }
        let stored = store.meeting_record(meeting).await.unwrap();
        assert_eq!(stored.meeting.status, MeetingStatus::Held);
        assert_eq!(stored.meeting.chair, Some(anna));
        let p = stored.paragraph(1).unwrap();
        assert_eq!(
            p.votes[0].wording,
            "Med 2 ja-röster och 1 nej-röst bifaller nämnden Anna Eks förslag till beslut, att byta till LED-armaturer."
        );
        assert_eq!(
            p.reservations[0].text,
            "Dan Ek (B) reserverar sig mot beslutet till förmån för Dan Eks förslag."
        );
        assert!(stored.attendance.iter().any(
            |a| a.person == dan && a.capacity == Capacity::ServingSubstitute { replacing: bo }
        ));
        assert_eq!(store.meeting_events(meeting).await.unwrap().len(), 19);
        // Closed: nothing more is recorded.
        let (_, result) = run(store, Command::Arrive { person: bo }).await;
        assert!(
            matches!(result, Err(StoreError::Refused(_))),
            "{}",
            db.label
        );
    }
}
