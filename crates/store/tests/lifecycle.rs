//! A meeting's life outside the session: planning, agenda, approvers, prose
//! edits that survive the engine, justering by each signatory, the notice,
//! and a sealed protocol that refuses every change. Files with their hash.

use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::meeting::*;
use kansli_core::proceedings::Command;
use kansli_core::*;
use kansli_store::lifecycle::Prose;
use kansli_store::{Store, StoreError};
use kansli_testsupport::all;

fn d(y: i16, m: i8, day: i8) -> Date {
    jiff::civil::date(y, m, day)
}

async fn person(store: &Store, name: &str) -> PersonId {
    store.person_by_name(name).await.unwrap().unwrap().id
}

async fn run(
    store: &Store,
    meeting: MeetingId,
    command: Command,
) -> Result<MeetingRecord, StoreError> {
    let mut tx = store.begin("user:sekreterare").await.unwrap();
    let r = tx.record_command(meeting, &command).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r
}

#[tokio::test]
async fn from_planned_meeting_to_posted_notice() {
    for db in all().await {
        let store = db.store().await;
        kansli_demo::load(&store).await.unwrap();
        let org = store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap();
        let rsau = store
            .bodies(org.id)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.name == "Regionstyrelsens arbetsutskott")
            .unwrap();
        let [waltersson, andersson, bensköld, clingston, persson] = [
            "Mikaela Waltersson",
            "Helene Andersson",
            "Lise-Lotte Bensköld Olsson",
            "My Clingston",
            "Per Persson",
        ]
        .map(|n| n.to_string());
        let (w, a, b, c, p) = (
            person(&store, &waltersson).await,
            person(&store, &andersson).await,
            person(&store, &bensköld).await,
            person(&store, &clingston).await,
            person(&store, &persson).await,
        );

        let mut tx = store.begin("user:sekreterare").await.unwrap();
        let outside = tx.plan_meeting(rsau.id, d(2031, 1, 1), None, "Rum").await;
        assert!(
            matches!(outside, Err(StoreError::Refused(_))),
            "{outside:?}"
        );
        let meeting = tx
            .plan_meeting(rsau.id, d(2025, 2, 25), None, "Borgkammaren")
            .await
            .unwrap();
        let (case, number) = tx
            .register_case(org.id, "Motion om cykelbanor", d(2025, 2, 3))
            .await
            .unwrap();
        assert!(number.starts_with("RS25"), "{number}");
        let item = AgendaItem {
            title: "Svar på motion om cykelbanor".into(),
            case: Some(case),
            kind: ItemKind::Decision,
            access: Access::Public,
            basis: vec![],
            paragraph: None,
            presenter: None,
        };
        tx.set_agenda(meeting, std::slice::from_ref(&item))
            .await
            .unwrap();
        tx.issue_notice(meeting).await.unwrap();
        assert!(
            tx.set_approvers(meeting, &[b], None).await.is_err(),
            "before the meeting"
        );
        tx.commit().await.unwrap();

        let draft = Decision::single(Formula::Decides, vec![Clause::new("avslå motionen")]);
        for cmd in [
            Command::Arrive { person: w },
            Command::Arrive { person: a },
            Command::Arrive { person: b },
            Command::Arrive { person: c },
            Command::Arrive { person: p },
            Command::Open {
                at: None,
                on: Some(d(2025, 2, 25)),
            },
            Command::TakeUp {
                item: 0,
                draft_decision: Some(draft.clone()),
            },
        ] {
            run(&store, meeting, cmd).await.unwrap();
        }
        // The agenda is fixed once the meeting has begun; approvers are
        // appointed among those present.
        let mut tx = store.begin("user:sekreterare").await.unwrap();
        assert!(
            tx.set_agenda(meeting, std::slice::from_ref(&item))
                .await
                .is_err()
        );
        tx.set_approvers(meeting, &[b], Some("Regionens hus"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mover = |p| vec![Actor::Person { person: p }];
        for cmd in [
            Command::Move {
                movers: mover(b),
                kind: ProposalKind::Bifall,
                text: "bifall till motionen".into(),
                decision: None,
            },
            Command::Move {
                movers: mover(w),
                kind: ProposalKind::Avslag,
                text: "avslag till motionen".into(),
                decision: Some(draft.clone()),
            },
            Command::Put {
                put: vec![1, 0],
                found_for: Some(1),
            },
            Command::RequestVote { by: b },
            Command::ApproveVotingOrder {
                ja: Some(1),
                nej: Some(0),
            },
            Command::CastVote {
                person: w,
                choice: VoteChoice::Ja,
            },
            Command::CastVote {
                person: a,
                choice: VoteChoice::Ja,
            },
            Command::CastVote {
                person: b,
                choice: VoteChoice::Nej,
            },
            Command::CastVote {
                person: c,
                choice: VoteChoice::Ja,
            },
            Command::CastVote {
                person: p,
                choice: VoteChoice::Nej,
            },
            Command::CountVotes { lot: None },
            Command::Decide { decision: None },
        ] {
            run(&store, meeting, cmd).await.unwrap();
        }
        let n = store
            .meeting_record(meeting)
            .await
            .unwrap()
            .paragraphs()
            .next()
            .unwrap()
            .number;
        // The secretary rewrites the matter; the engine's next write keeps it.
        let mut tx = store.begin("user:sekreterare").await.unwrap();
        tx.edit_prose(
            meeting,
            n,
            Prose::Matter,
            "Motionärerna vill ha fler cykelbanor.",
        )
        .await
        .unwrap();
        assert!(
            tx.edit_prose(meeting, n, Prose::Reservation(3), "x")
                .await
                .is_err()
        );
        tx.commit().await.unwrap();
        for cmd in [
            Command::Reserve {
                paragraph: n,
                by: vec![Actor::Person { person: b }, Actor::Person { person: p }],
                in_favour_of: Some(0),
                reasons: None,
            },
            Command::FinishItem,
            Command::Close { at: None },
        ] {
            run(&store, meeting, cmd).await.unwrap();
        }
        let record = store.meeting_record(meeting).await.unwrap();
        let para = record.paragraph(n).unwrap();
        assert_eq!(para.matter, "Motionärerna vill ha fler cykelbanor.");
        assert_eq!(para.votes[0].ballots.len(), 5);
        assert_eq!(para.reservations.len(), 1);
        assert_eq!(
            record.meeting.approvers,
            vec![b],
            "approvers kept through the engine"
        );
        assert_eq!(record.meeting.status, MeetingStatus::Held);

        // Sent for justering: the bytes are frozen and so is the protocol.
        let users = |name: &'static str| {
            let store = store.clone();
            async move { store.user_named(name).await.unwrap().unwrap() }
        };
        let (secretary, chair, approver, member) = (
            users("sekreterare").await,
            users("ordforande").await,
            users("justerare").await,
            users("ledamot").await,
        );
        let signatories = store.protocol_signatories(meeting).await.unwrap();
        assert_eq!(
            signatories
                .iter()
                .map(|s| (s.person, s.role.as_str()))
                .collect::<Vec<_>>(),
            vec![(w.0, "ordförande"), (b.0, "justerare")]
        );
        let digest =
            kansli_store::protocols::content_digest(&store.meeting_record(meeting).await.unwrap());
        let mut tx = store.begin("user:sekreterare").await.unwrap();
        assert!(
            tx.send_for_justering(
                meeting,
                b"%PDF-1.7\n",
                &"a".repeat(64),
                &signatories,
                &secretary
            )
            .await
            .unwrap_err()
            .to_string()
            .contains("ändrades"),
            "a digest of other content"
        );
        drop(tx);
        let sent = b"%PDF-1.7\n% version 1\n".to_vec();
        let mut tx = store.begin("user:sekreterare").await.unwrap();
        assert!(
            tx.send_for_justering(meeting, &sent, &digest, &signatories[..1], &secretary)
                .await
                .is_err(),
            "the signatories are the chair and the approvers"
        );
        let v1 = tx
            .send_for_justering(meeting, &sent, &digest, &signatories, &secretary)
            .await
            .unwrap();
        assert_eq!(v1.version, 1);
        let again = tx
            .send_for_justering(meeting, &sent, &digest, &signatories, &secretary)
            .await
            .unwrap_err()
            .to_string();
        assert!(again.contains("redan skickat"), "{again}");
        tx.commit().await.unwrap();
        let frozen = |e: Result<(), StoreError>| match e {
            Err(StoreError::Refused(r)) => {
                assert!(
                    r[0].reason.contains("återkalla utskicket för att ändra"),
                    "{r:?}"
                )
            }
            other => panic!("not refused: {other:?}"),
        };
        let mut tx = store.begin("user:sekreterare").await.unwrap();
        frozen(tx.edit_prose(meeting, n, Prose::Matter, "ändrat").await);
        frozen(tx.set_approvers(meeting, &[p], None).await);
        frozen(
            tx.record_command(
                meeting,
                &Command::MinuteNote {
                    paragraph: n,
                    by: vec![],
                    text: "x".into(),
                },
            )
            .await
            .map(|_| ()),
        );
        drop(tx);

        let now = jiff::Timestamp::now();
        let sign = |user: kansli_store::User,
                    person: PersonId,
                    role: &'static str,
                    version: u32,
                    bytes: Vec<u8>,
                    previous: String,
                    authenticated: jiff::Timestamp| {
            let store = store.clone();
            async move {
                let mut tx = store.begin("user:x").await.unwrap();
                let r = tx
                    .sign_protocol(
                        meeting,
                        version,
                        person,
                        role,
                        &user,
                        authenticated,
                        now,
                        &bytes,
                        &previous,
                        d(2025, 2, 27),
                    )
                    .await;
                if r.is_ok() {
                    tx.commit().await.unwrap();
                }
                r
            }
        };
        let sha = |b: &[u8]| kansli_store::access::sha256_hex(b);
        let signed_by_chair = [sent.clone(), b"% chair\n".to_vec()].concat();
        // Not a signatory; for another person; in a role not held; stale
        // authentication; bytes not built on the sent ones: all refused.
        for (user, person, role, bytes, auth) in [
            (member.clone(), p, "justerare", signed_by_chair.clone(), now),
            (
                member.clone(),
                w,
                "ordförande",
                signed_by_chair.clone(),
                now,
            ),
            (
                approver.clone(),
                b,
                "ordförande",
                signed_by_chair.clone(),
                now,
            ),
            (
                chair.clone(),
                w,
                "ordförande",
                signed_by_chair.clone(),
                now - jiff::SignedDuration::from_mins(10),
            ),
            (
                chair.clone(),
                w,
                "ordförande",
                b"%PDF-1.7 other".to_vec(),
                now,
            ),
        ] {
            assert!(
                sign(user, person, role, 1, bytes, sha(&sent), auth)
                    .await
                    .is_err()
            );
        }
        assert!(store.approvals(meeting).await.unwrap().confirmed.is_empty());
        let first = sign(
            chair.clone(),
            w,
            "ordförande",
            1,
            signed_by_chair.clone(),
            sha(&sent),
            now,
        )
        .await
        .unwrap();
        assert!(!first.complete);
        assert!(
            sign(
                chair.clone(),
                w,
                "ordförande",
                1,
                [signed_by_chair.clone(), b"x".to_vec()].concat(),
                sha(&signed_by_chair),
                now
            )
            .await
            .unwrap_err()
            .to_string()
            .contains("redan signerat"),
            "twice"
        );
        assert_eq!(store.approvals(meeting).await.unwrap().confirmed.len(), 1);

        // Withdrawn: the chair's signature is void, the protocol can change.
        let mut tx = store.begin("user:sekreterare").await.unwrap();
        assert!(tx.withdraw_sending(meeting, " ", &secretary).await.is_err());
        let withdrawn = tx
            .withdraw_sending(meeting, "Fel i §1", &secretary)
            .await
            .unwrap();
        assert_eq!(withdrawn.signatures.len(), 1, "kept, void");
        tx.commit().await.unwrap();
        assert!(store.protocol_signing(meeting).await.unwrap().is_none());
        assert!(store.approvals(meeting).await.unwrap().confirmed.is_empty());
        let mut tx = store.begin("user:sekreterare").await.unwrap();
        tx.edit_prose(
            meeting,
            n,
            Prose::Matter,
            "Motionärerna vill ha fler cykelbanor.",
        )
        .await
        .unwrap();
        let sent2 = b"%PDF-1.7\n% version 2\n".to_vec();
        // The edit wrote the same text again: the same content.
        let v2 = tx
            .send_for_justering(meeting, &sent2, &digest, &signatories, &secretary)
            .await
            .unwrap();
        assert_eq!(v2.version, 2);
        tx.commit().await.unwrap();
        // A signature on the withdrawn version is refused.
        assert!(
            sign(
                approver.clone(),
                b,
                "justerare",
                1,
                [signed_by_chair.clone(), b"y".to_vec()].concat(),
                sha(&signed_by_chair),
                now
            )
            .await
            .is_err()
        );
        let c2 = [sent2.clone(), b"% chair\n".to_vec()].concat();
        let b2 = [c2.clone(), b"% approver\n".to_vec()].concat();
        // Signing on stale bytes (the approver did not see the chair's
        // signature) would lose it: refused.
        let lost = [sent2.clone(), b"% approver\n".to_vec()].concat();
        sign(
            chair.clone(),
            w,
            "ordförande",
            2,
            c2.clone(),
            sha(&sent2),
            now,
        )
        .await
        .unwrap();
        assert!(
            sign(approver.clone(), b, "justerare", 2, lost, sha(&sent2), now)
                .await
                .is_err()
        );
        assert_eq!(
            store.meeting(meeting).await.unwrap().status,
            MeetingStatus::Held
        );
        assert!(store.signed_protocol(meeting).await.unwrap().is_none());
        let last = sign(
            approver.clone(),
            b,
            "justerare",
            2,
            b2.clone(),
            sha(&c2),
            now,
        )
        .await
        .unwrap();
        assert!(last.complete);
        assert_eq!(
            store.meeting(meeting).await.unwrap().status,
            MeetingStatus::Approved {
                approved: d(2025, 2, 27)
            }
        );
        let signed = store.signed_protocol(meeting).await.unwrap().unwrap();
        assert_eq!(signed.bytes, b2);
        assert_eq!(signed.sha256, sha(&b2));
        // Stored bytes that no longer match their hash are an error, and
        // the log says so; never the signed protocol.
        let good: String =
            sqlx::query_scalar("SELECT content FROM file_contents WHERE sha256 = $1")
                .bind(&signed.sha256)
                .fetch_one(store.pool())
                .await
                .unwrap();
        sqlx::query("UPDATE file_contents SET content = $2 WHERE sha256 = $1")
            .bind(&signed.sha256)
            .bind("JVBERi0xLjcgZm9yZ2Vk")
            .execute(store.pool())
            .await
            .unwrap();
        assert!(matches!(
            store.signed_protocol(meeting).await,
            Err(StoreError::Corrupt(_))
        ));
        assert!(
            store
                .audit_log("meeting", meeting.0)
                .await
                .unwrap()
                .iter()
                .any(|r| r.action == "integrity")
        );
        sqlx::query("UPDATE file_contents SET content = $2 WHERE sha256 = $1")
            .bind(&signed.sha256)
            .bind(&good)
            .execute(store.pool())
            .await
            .unwrap();
        let versions = store.protocol_versions(meeting).await.unwrap();
        assert_eq!(versions.len(), 2);
        assert!(!versions[0].is_active() && versions[1].complete());
        let mut tx = store.begin("user:sekreterare").await.unwrap();
        assert!(matches!(
            tx.withdraw_sending(meeting, "för sent", &secretary).await,
            Err(StoreError::Sealed(_))
        ));
        drop(tx);

        // Sealed: nothing changes, whatever the path.
        let mut tx = store.begin("user:sekreterare").await.unwrap();
        assert!(matches!(
            tx.edit_prose(meeting, n, Prose::Matter, "ändrat").await,
            Err(StoreError::Sealed(_))
        ));
        assert!(matches!(
            tx.set_approvers(meeting, &[p], None).await,
            Err(StoreError::Sealed(_))
        ));
        assert!(matches!(
            tx.set_agenda(meeting, &[]).await,
            Err(StoreError::Sealed(_))
        ));
        drop(tx);
        assert!(matches!(
            run(
                &store,
                meeting,
                Command::MinuteNote {
                    paragraph: n,
                    by: vec![],
                    text: "x".into()
                }
            )
            .await,
            Err(StoreError::Sealed(_))
        ));
        assert_eq!(
            store
                .meeting_record(meeting)
                .await
                .unwrap()
                .paragraph(n)
                .unwrap()
                .matter,
            "Motionärerna vill ha fler cykelbanor."
        );

        // The notice: the second day after 27 February is a Saturday, so the
        // last day is Monday 3 March; later is refused.
        let mut tx = store.begin("user:sekreterare").await.unwrap();
        assert!(
            tx.post_notice(meeting, d(2025, 3, 4), "Regionkontoret")
                .await
                .is_err()
        );
        let dates = tx
            .post_notice(meeting, d(2025, 2, 28), "Regionkontoret")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(dates.appeal_ends, d(2025, 3, 21));
        assert_eq!(dates.take_down, d(2025, 3, 22));
        let log = store.audit_log("meeting", meeting.0).await.unwrap();
        for action in [
            "agenda",
            "approvers",
            "command",
            "edit",
            "send",
            "withdraw",
            "sign",
            "status",
        ] {
            assert!(
                log.iter().any(|r| r.action == action),
                "{action} logged ({})",
                db.label
            );
        }
    }
}

#[tokio::test]
async fn files_are_kept_by_their_hash() {
    for db in all().await {
        let store = db.store().await;
        kansli_demo::load(&store).await.unwrap();
        let org = store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap();
        let mut tx = store.begin("user:registrator").await.unwrap();
        let (case, _) = tx
            .register_case(org.id, "Skrivelse", d(2025, 2, 3))
            .await
            .unwrap();
        let doc = tx
            .add_document(
                case,
                kansli_core::case::DocumentKind::Letter,
                "Skrivelse från förening",
                d(2025, 2, 3),
                &kansli_core::case::Direction::Incoming {
                    sender: "Föreningen".into(),
                },
                &Access::Public,
            )
            .await
            .unwrap();
        let broken = tx.attach_file(doc, "skrivelse.pdf", b"not a pdf").await;
        assert!(matches!(broken, Err(StoreError::Refused(_))), "{broken:?}");
        assert!(tx.attach_file(doc, "tom.txt", b"").await.is_err());
        let pdf = b"%PDF-1.7\n%test\n";
        let id = tx
            .attach_file(doc, "C:\\Users\\x\\skrivelse.pdf", pdf)
            .await
            .unwrap();
        tx.attach_file(doc, "kopia.pdf", pdf).await.unwrap();
        tx.commit().await.unwrap();
        let (a, bytes) = store.attachment(id).await.unwrap();
        assert_eq!(bytes, pdf);
        assert_eq!(a.file_name, "skrivelse.pdf");
        assert_eq!(a.sha256, kansli_store::access::sha256_hex(pdf));
        assert_eq!(store.attachments(doc).await.unwrap().len(), 2);
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM file_contents")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(stored, 1, "same content kept once");
        let log = store.case_log(case).await.unwrap();
        assert!(log.iter().any(|r| r.action == "attach"));
        assert!(
            log.iter()
                .any(|r| r.action == "register" && r.entity == "case")
        );
    }
}
