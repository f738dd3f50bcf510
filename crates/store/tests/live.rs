//! The live meeting at store level (#20), on SQLite and PostgreSQL: the
//! kept engine writes the rows a replay from scratch writes, and only
//! those that changed; another process's commands are picked up; ballots
//! change no public output until the count; members' ballots, check-ins
//! and written yrkanden.

mod support;

use kansli_core::meeting::*;
use kansli_core::proceedings::Command;
use kansli_core::*;
use kansli_store::Store;
use kansli_store::lifecycle::Prose;
use kansli_testsupport::all;
use support::*;

/// Every row of the meeting with its id, to see what was rewritten.
async fn ids(store: &Store, meeting: MeetingId) -> Vec<(i64, i64, String)> {
    sqlx::query_as(
        "SELECT a.id, COALESCE(p.id, 0), COALESCE(p.content, '') FROM agenda_items a \
         LEFT JOIN paragraphs p ON p.agenda_item_id = a.id WHERE a.meeting_id = $1 ORDER BY a.position",
    )
    .bind(meeting.0)
    .fetch_all(store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn kept_meeting_writes_the_rows_a_replay_writes() {
    for db in all().await {
        let store = db.store().await;
        let fx = fixture(&store, 4, 5).await;
        let m = fx.meeting;
        // Another database, the same commands through the old path.
        let old_db = kansli_testsupport::sqlite();
        let old = old_db.store().await.without_live_cache();
        let fx_old = fixture(&old, 4, 5).await;
        let both = |command: Command| {
            let (store, old) = (store.clone(), old.clone());
            let (m, m_old) = (m, fx_old.meeting);
            async move {
                must(&store, m, command.clone()).await;
                must(&old, m_old, command).await;
            }
        };
        for c in opening(&fx) {
            both(c).await;
        }
        for c in decided_item(&fx, 0, 1) {
            both(c).await;
        }
        assert_eq!(
            rows(&store, m).await,
            reprojected(&store, m).await,
            "{}",
            db.label
        );
        // A prose edit between commands is kept by the next ones.
        for (s, mm) in [(&store, m), (&old, fx_old.meeting)] {
            let mut tx = s.begin("user:sekreterare").await.unwrap();
            tx.edit_prose(
                mm,
                1,
                Prose::Dispatch,
                "Ärendet som sekreteraren skrev det.",
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        // Item 3 before item 2: the agenda's order changes.
        for c in up_to_voting(&fx, 2) {
            both(c).await;
        }
        for c in ballots(&fx) {
            both(c).await;
        }
        both(Command::CorrectVote {
            person: fx.members[3],
            choice: VoteChoice::Ja,
        })
        .await;
        for c in closing_item(&fx, 2) {
            both(c).await;
        }
        for c in decided_item(&fx, 1, 3) {
            both(c).await;
        }
        both(Command::Leave {
            person: fx.members[4],
        })
        .await;
        both(Command::Close {
            at: Some(jiff::civil::time(20, 0, 0, 0)),
        })
        .await;
        let kept = rows(&store, m).await;
        let record = store.meeting_record(m).await.unwrap();
        assert_eq!(
            record.paragraph(1).unwrap().matter,
            "Sammanfattningen ur tjänsteskrivelsen.",
            "{}",
            db.label
        );
        assert_eq!(
            record.paragraph(1).unwrap().dispatch,
            Some(vec!["Ärendet som sekreteraren skrev det.".to_string()]),
            "{}",
            db.label
        );
        assert_eq!(record.paragraph(2).unwrap().votes.len(), 1);
        assert_eq!(record.meeting.status, MeetingStatus::Held);
        assert_eq!(kept, reprojected(&store, m).await, "{}", db.label);
        // The same as the old path wrote, person ids and all (the two
        // databases number alike).
        assert_eq!(kept, rows(&old, fx_old.meeting).await, "{}", db.label);
    }
}

#[tokio::test]
async fn a_ballot_rewrites_no_row() {
    for db in all().await {
        let store = db.store().await;
        let fx = fixture(&store, 3, 5).await;
        let m = fx.meeting;
        for c in opening(&fx)
            .into_iter()
            .chain(decided_item(&fx, 0, 1))
            .chain(up_to_voting(&fx, 1))
        {
            must(&store, m, c).await;
        }
        let before = ids(&store, m).await;
        let attendance: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM attendance WHERE meeting_id = $1")
                .bind(m.0)
                .fetch_one(store.pool())
                .await
                .unwrap();
        for c in ballots(&fx) {
            must(&store, m, c).await;
        }
        // Not an id changed: nothing deleted and written again.
        assert_eq!(ids(&store, m).await, before, "{}", db.label);
        // The count rewrites the open paragraph only, in place.
        must(&store, m, Command::CountVotes { lot: None }).await;
        let after = ids(&store, m).await;
        assert_eq!(after.len(), before.len());
        for (i, (a, b)) in after.iter().zip(&before).enumerate() {
            assert_eq!((a.0, a.1), (b.0, b.1), "{}: ids of item {i}", db.label);
            if i == 1 {
                assert_ne!(a.2, b.2, "the counted paragraph changed");
            } else {
                assert_eq!(a.2, b.2, "{}: item {i} untouched", db.label);
            }
        }
        let attendance_after: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM attendance WHERE meeting_id = $1")
                .bind(m.0)
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(attendance, attendance_after);
        assert_eq!(
            rows(&store, m).await,
            reprojected(&store, m).await,
            "{}",
            db.label
        );
    }
}

#[tokio::test]
async fn two_stores_on_one_database_see_each_others_commands() {
    for db in all().await {
        // Two processes: each its own kept meetings.
        let a = db.store().await;
        let b = db.store().await;
        let fx = fixture(&a, 3, 5).await;
        let m = fx.meeting;
        let commands: Vec<Command> = opening(&fx)
            .into_iter()
            .chain(decided_item(&fx, 0, 1))
            .chain(decided_item(&fx, 1, 2))
            .collect();
        let n = commands.len();
        for (i, c) in commands.into_iter().enumerate() {
            // Runs of a few commands each, so that both keep a meeting
            // the other then writes past.
            let s = if (i / 3) % 2 == 0 { &a } else { &b };
            must(s, m, c).await;
            if i % 5 == 0 {
                assert_eq!(
                    a.proceedings(m).await.unwrap().log().len(),
                    i + 1,
                    "{}",
                    db.label
                );
                assert_eq!(b.proceedings(m).await.unwrap().log().len(), i + 1);
            }
        }
        assert_eq!(a.meeting_events(m).await.unwrap().len(), n);
        let record = a.meeting_record(m).await.unwrap();
        assert_eq!(record.paragraphs().count(), 2, "{}", db.label);
        assert_eq!(rows(&a, m).await, reprojected(&b, m).await, "{}", db.label);
    }
}

/// The caches' version as a page would see it now (the audit log looked at
/// every time).
async fn version(store: &Store) -> u64 {
    store.data_version(std::time::Duration::ZERO).await.unwrap()
}

#[tokio::test]
async fn ballots_leave_the_public_outputs_and_their_version_until_the_count() {
    for db in all().await {
        let store = db.store().await;
        // Another process, whose caches follow the audit log.
        let other = db.store().await;
        let fx = fixture(&store, 2, 5).await;
        let m = fx.meeting;
        for c in opening(&fx).into_iter().chain(up_to_voting(&fx, 0)) {
            must(&store, m, c).await;
        }
        let (v, v_other) = (version(&store).await, version(&other).await);
        let record = store.meeting_record(m).await.unwrap();
        let party = store.party_ballots(fx.body).await.unwrap();
        let acts = store.acts_of(fx.members[0]).await.unwrap();
        let live = store.live_seq(m).await.unwrap();
        for c in ballots(&fx) {
            must(&store, m, c).await;
        }
        must(
            &store,
            m,
            Command::CorrectVote {
                person: fx.members[1],
                choice: VoteChoice::Avstar,
            },
        )
        .await;
        // Nothing public changed, so no cache is emptied ...
        assert_eq!(version(&store).await, v, "{}", db.label);
        assert_eq!(version(&other).await, v_other, "{}", db.label);
        // ... and every public output is as it was: the meeting's
        // paragraphs (its page, the API, the protocol), a person's acts,
        // a body's ballots by party.
        assert_eq!(store.meeting_record(m).await.unwrap(), record);
        assert_eq!(
            store.party_ballots(fx.body).await.unwrap().len(),
            party.len()
        );
        assert_eq!(
            store.acts_of(fx.members[0]).await.unwrap().len(),
            acts.len()
        );
        // The live screens were told of every ballot.
        assert_eq!(
            store.live_seq(m).await.unwrap(),
            live + fx.members.len() as i64 + 1,
            "{}",
            db.label
        );
        let quiet: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE quiet = 1 AND action = 'command' AND entity_id = $1",
        )
        .bind(m.0)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(quiet, fx.members.len() as i64 + 1);

        // The count is public: the caches are emptied, and every output
        // shows the vote with each ballot.
        must(&store, m, Command::CountVotes { lot: None }).await;
        assert!(version(&store).await > v, "{}", db.label);
        assert!(version(&other).await > v_other, "{}", db.label);
        let record = other.meeting_record(m).await.unwrap();
        let vote = &record.paragraph(1).unwrap().votes[0];
        assert_eq!(vote.ballots.len(), fx.members.len(), "{}", db.label);
        assert!(
            vote.ballots
                .iter()
                .any(|b| b.person == fx.members[1] && b.choice == VoteChoice::Avstar)
        );
        let party = other.party_ballots(fx.body).await.unwrap();
        assert_eq!(party.len(), fx.members.len(), "{}", db.label);
        let acts = other.acts_of(fx.members[0]).await.unwrap();
        assert!(acts.iter().any(|a| matches!(
            &a.what,
            kansli_store::follow::ActKind::Voted { choice, .. } if choice == "ja"
        )));
        // A refused ballot after the count writes nothing at all.
        let v = version(&store).await;
        let err = run(
            &store,
            m,
            Command::CorrectVote {
                person: fx.members[0],
                choice: VoteChoice::Nej,
            },
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("redan räknade"), "{err}");
        assert_eq!(version(&store).await, v);
        // The rest of the item, public as ever.
        must(&store, m, Command::Decide { decision: None }).await;
        assert!(version(&store).await > v);
    }
}

#[tokio::test]
async fn the_one_rule_names_the_ballots() {
    use kansli_store::live::leaves_public_unchanged;
    let p = PersonId(1);
    assert!(leaves_public_unchanged(&Command::CastVote {
        person: p,
        choice: VoteChoice::Ja
    }));
    assert!(leaves_public_unchanged(&Command::CorrectVote {
        person: p,
        choice: VoteChoice::Nej
    }));
    for c in [
        Command::CountVotes { lot: None },
        Command::Arrive { person: p },
        Command::Decide { decision: None },
        Command::ApproveVotingOrder {
            ja: Some(0),
            nej: Some(1),
        },
    ] {
        assert!(!leaves_public_unchanged(&c), "{c:?}");
    }
}

async fn cast(
    store: &Store,
    m: MeetingId,
    person: PersonId,
    choice: VoteChoice,
    key: &str,
) -> Result<kansli_store::live::Receipt, kansli_store::StoreError> {
    let mut tx = store.begin("user:ledamot").await?;
    let r = tx.cast_ballot(m, person, choice, key).await?;
    tx.commit().await?;
    Ok(r)
}

async fn live_rows(store: &Store, m: MeetingId, person: PersonId) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM live_ballots WHERE meeting_id = $1 AND person_id = $2")
        .bind(m.0)
        .bind(person.0)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn events(store: &Store, m: MeetingId) -> usize {
    store.meeting_events(m).await.unwrap().len()
}

/// A meeting with every member present and a votering open on item 0.
async fn voting(store: &Store) -> Fixture {
    let fx = fixture(store, 2, 5).await;
    for c in opening(&fx).into_iter().chain(up_to_voting(&fx, 0)) {
        must(store, fx.meeting, c).await;
    }
    fx
}

#[tokio::test]
async fn a_members_ballot_has_its_receipt_and_is_never_doubled() {
    for db in all().await {
        let store = db.store().await;
        let fx = voting(&store).await;
        let (m, anna, bo) = (fx.meeting, fx.members[0], fx.members[1]);
        let first = cast(&store, m, anna, VoteChoice::Ja, "nyckel-1")
            .await
            .unwrap();
        assert_eq!((first.choice, first.replayed), (VoteChoice::Ja, false));
        let n = events(&store, m).await;
        // The same form again: the first receipt, nothing recorded.
        let again = cast(&store, m, anna, VoteChoice::Ja, "nyckel-1")
            .await
            .unwrap();
        assert_eq!(
            again,
            kansli_store::live::Receipt {
                replayed: true,
                ..first.clone()
            }
        );
        // Another form with the same choice: the receipt again.
        let same = cast(&store, m, anna, VoteChoice::Ja, "nyckel-2")
            .await
            .unwrap();
        assert_eq!((same.at, same.replayed), (first.at, true), "{}", db.label);
        assert_eq!(events(&store, m).await, n);
        // A changed vote is the engine's correction.
        let changed = cast(&store, m, anna, VoteChoice::Nej, "nyckel-3")
            .await
            .unwrap();
        assert_eq!((changed.choice, changed.replayed), (VoteChoice::Nej, false));
        let log = store.meeting_events(m).await.unwrap();
        assert_eq!(log.len(), n + 1);
        assert!(matches!(
            log.last(),
            Some(Command::CorrectVote {
                choice: VoteChoice::Nej,
                ..
            })
        ));
        assert_eq!(live_rows(&store, m, anna).await, 1, "{}", db.label);
        // The first form retried still gets its own answer.
        assert_eq!(
            cast(&store, m, anna, VoteChoice::Ja, "nyckel-1")
                .await
                .unwrap()
                .choice,
            VoteChoice::Ja
        );
        // Someone else's key is not theirs.
        let err = cast(&store, m, bo, VoteChoice::Ja, "nyckel-1")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("annan röst"), "{err}");
        // Who has voted, not how.
        let status = store.ballot_status(m).await.unwrap().unwrap();
        assert_eq!((status.counted, status.voted.clone()), (false, vec![anna]));
        assert!(status.ballots.is_empty());
        assert_eq!(status.deciding.len(), 5);
        // A substitute not serving is refused with the engine's reason.
        let err = cast(&store, m, fx.substitutes[0], VoteChoice::Ja, "nyckel-4")
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("tjänstgör inte"),
            "{}: {err}",
            db.label
        );
        for (i, p) in fx.members.iter().enumerate().skip(1) {
            cast(&store, m, *p, VoteChoice::Ja, &format!("k{i}"))
                .await
                .unwrap();
        }
        must(&store, m, Command::CountVotes { lot: None }).await;
        let status = store.ballot_status(m).await.unwrap().unwrap();
        assert!(status.counted);
        assert_eq!(status.ballots.len(), 5);
        assert!(status.ballots.contains(&Ballot {
            person: anna,
            choice: VoteChoice::Nej
        }));
        // After the count: refused with the engine's reason; a retry of an
        // acknowledged ballot still gets its receipt.
        let err = cast(&store, m, bo, VoteChoice::Nej, "sent")
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("ingen omröstning pågår"),
            "{}: {err}",
            db.label
        );
        let retry = cast(&store, m, bo, VoteChoice::Ja, "k1").await.unwrap();
        assert!(retry.replayed);
        // The engine's ballots are the protocol's.
        let record = store.meeting_record(m).await.unwrap();
        assert_eq!(record.paragraph(1).unwrap().votes[0].ballots.len(), 5);
        // A member with jäv on the next item is refused too.
        for c in [Command::Decide { decision: None }, Command::FinishItem] {
            must(&store, m, c).await;
        }
        let mut next = up_to_voting(&fx, 1);
        next.insert(
            1,
            Command::Disqualify {
                person: fx.members[4],
                ground: "släkt med sökanden".into(),
            },
        );
        for c in next {
            must(&store, m, c).await;
        }
        let err = cast(&store, m, fx.members[4], VoteChoice::Ja, "jav")
            .await
            .unwrap_err();
        assert!(matches!(err, kansli_store::StoreError::Refused(_)), "{err}");
        assert_eq!(
            live_rows(&store, m, fx.members[4]).await,
            1,
            "only the first item's"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_ballots_at_once_give_one_row() {
    for db in all().await {
        let store = db.store().await;
        let fx = voting(&store).await;
        let m = fx.meeting;
        // The same key twice, two keys with one choice, two choices.
        let cases = [
            (
                fx.members[0],
                [(VoteChoice::Ja, "a"), (VoteChoice::Ja, "a")],
            ),
            (
                fx.members[1],
                [(VoteChoice::Nej, "b1"), (VoteChoice::Nej, "b2")],
            ),
            (
                fx.members[2],
                [(VoteChoice::Ja, "c1"), (VoteChoice::Nej, "c2")],
            ),
        ];
        for (person, ballots) in cases {
            let n = events(&store, m).await;
            let tasks: Vec<_> = ballots
                .into_iter()
                .map(|(choice, key)| {
                    let store = store.clone();
                    tokio::spawn(async move { cast(&store, m, person, choice, key).await })
                })
                .collect();
            let mut receipts = Vec::new();
            for t in tasks {
                receipts.push(
                    t.await
                        .unwrap()
                        .unwrap_or_else(|e| panic!("{}: {e}", db.label)),
                );
            }
            assert_eq!(live_rows(&store, m, person).await, 1, "{}", db.label);
            let fresh = receipts.iter().filter(|r| !r.replayed).count();
            let written = events(&store, m).await - n;
            assert_eq!(written, fresh, "{}: an event per ballot recorded", db.label);
            let snapshot = store.proceedings(m).await.unwrap().snapshot();
            let theirs: Vec<_> = snapshot
                .ballots
                .iter()
                .filter(|b| b.person == person)
                .collect();
            assert_eq!(theirs.len(), 1, "{}", db.label);
        }
    }
}

#[tokio::test]
async fn a_ballot_rolled_back_leaves_neither_row_nor_event() {
    for db in all().await {
        let store = db.store().await;
        let fx = voting(&store).await;
        let (m, anna) = (fx.meeting, fx.members[0]);
        let n = events(&store, m).await;
        let seq = store.live_seq(m).await.unwrap();
        {
            let mut tx = store.begin("user:ledamot").await.unwrap();
            let r = tx.cast_ballot(m, anna, VoteChoice::Ja, "k").await.unwrap();
            assert!(!r.replayed);
            // The process dies before the commit.
            drop(tx);
        }
        assert_eq!(events(&store, m).await, n, "{}", db.label);
        assert_eq!(live_rows(&store, m, anna).await, 0);
        let receipts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ballot_receipts")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(receipts, 0);
        assert_eq!(store.live_seq(m).await.unwrap(), seq);
        // The kept engine did not keep it either: the retry is recorded.
        assert!(
            store
                .proceedings(m)
                .await
                .unwrap()
                .snapshot()
                .ballots
                .is_empty()
        );
        let r = cast(&store, m, anna, VoteChoice::Ja, "k").await.unwrap();
        assert!(!r.replayed, "{}", db.label);
        assert_eq!(events(&store, m).await, n + 1);
        // A restart keeps it: the log is the truth.
        drop(store);
        let store = db.store().await;
        let snapshot = store.proceedings(m).await.unwrap().snapshot();
        assert_eq!(snapshot.ballots.len(), 1);
        assert!(
            cast(&store, m, anna, VoteChoice::Ja, "k")
                .await
                .unwrap()
                .replayed
        );
    }
}

#[tokio::test]
async fn members_check_in_on_their_own_devices() {
    for db in all().await {
        let store = db.store().await;
        let fx = fixture(&store, 1, 5).await;
        let m = fx.meeting;
        let v = version(&store).await;
        let check_in = |person: PersonId| {
            let store = store.clone();
            async move {
                let mut tx = store.begin("user:ledamot").await?;
                let c = tx.check_in(m, person).await?;
                tx.commit().await?;
                Ok::<_, kansli_store::StoreError>(c)
            }
        };
        // Before the meeting begins: the roster is not frozen by it.
        let first = check_in(fx.members[2]).await.unwrap();
        let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM meeting_sessions")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(sessions, 0, "{}", db.label);
        assert_eq!(check_in(fx.members[2]).await.unwrap(), first);
        let stranger = {
            let mut tx = store.begin("user:test").await.unwrap();
            let p = tx.add_person("Utomstående Person", None).await.unwrap();
            tx.commit().await.unwrap();
            p
        };
        let v = v.max(version(&store).await);
        let err = check_in(stranger).await.unwrap_err();
        assert!(err.to_string().contains("varken ledamot"), "{err}");
        // After the opening: the frozen roster.
        for c in opening(&fx) {
            must(&store, m, c).await;
        }
        let v2 = version(&store).await;
        check_in(fx.substitutes[0]).await.unwrap();
        assert!(check_in(stranger).await.is_err());
        let list = store.check_ins(m).await.unwrap();
        assert_eq!(
            list.iter().map(|c| c.person).collect::<Vec<_>>(),
            vec![fx.members[2], fx.substitutes[0]],
            "{}",
            db.label
        );
        // A check-in shows on no public page.
        assert_eq!(version(&store).await, v2);
        assert!(v2 > v);
        // Closed: no more.
        must(&store, m, Command::Close { at: None }).await;
        assert!(check_in(fx.substitutes[1]).await.is_err());
    }
}

#[tokio::test]
async fn a_written_yrkande_is_accepted_into_the_record_or_declined() {
    for db in all().await {
        let store = db.store().await;
        let fx = fixture(&store, 2, 5).await;
        let m = fx.meeting;
        let submit = |person: PersonId, kind: ProposalKind, text: &'static str| {
            let store = store.clone();
            async move {
                let mut tx = store.begin("user:ledamot").await?;
                let id = tx.submit_proposal(m, person, kind, text).await?;
                tx.commit().await?;
                Ok::<_, kansli_store::StoreError>(id)
            }
        };
        assert!(
            submit(fx.members[2], ProposalKind::Avslag, "avslag")
                .await
                .is_err()
        );
        for c in opening(&fx) {
            must(&store, m, c).await;
        }
        let err = submit(fx.members[2], ProposalKind::Avslag, "avslag")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("ingen punkt"), "{err}");
        must(
            &store,
            m,
            Command::TakeUp {
                item: 1,
                draft_decision: None,
            },
        )
        .await;
        // Not present: the engine says no.
        assert!(
            submit(fx.substitutes[0], ProposalKind::Avslag, "avslag")
                .await
                .is_err(),
            "{}",
            db.label
        );
        let v = version(&store).await;
        let id = submit(fx.members[2], ProposalKind::Avslag, "Jag yrkar avslag.")
            .await
            .unwrap();
        let other = submit(fx.members[3], ProposalKind::Aterremiss, "Återremiss.")
            .await
            .unwrap();
        assert_eq!(version(&store).await, v, "handed in, not yet public");
        let listed = store.written_proposals(m).await.unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].item, 1);
        assert_eq!(
            listed[0].status,
            kansli_store::live::ProposalStatus::Pending
        );

        let mut tx = store.begin("user:sekreterare").await.unwrap();
        tx.accept_proposal(id).await.unwrap();
        tx.commit().await.unwrap();
        assert!(version(&store).await > v);
        let mut tx = store.begin("user:sekreterare").await.unwrap();
        assert!(tx.accept_proposal(id).await.is_err(), "once");
        tx.decline_proposal(other).await.unwrap();
        tx.commit().await.unwrap();
        let p = store.meeting_record(m).await.unwrap();
        let p = p.paragraphs().next().unwrap();
        assert_eq!(p.proposals.len(), 1, "{}", db.label);
        assert_eq!(
            p.proposals[0].movers,
            vec![Actor::Person {
                person: fx.members[2]
            }]
        );
        assert_eq!(p.proposals[0].kind, ProposalKind::Avslag);
        let listed = store.written_proposals(m).await.unwrap();
        let seq = events(&store, m).await as i64;
        assert_eq!(
            listed[0].status,
            kansli_store::live::ProposalStatus::Accepted { event_seq: seq }
        );
        assert_eq!(
            listed[1].status,
            kansli_store::live::ProposalStatus::Declined
        );
    }
}

#[tokio::test]
async fn live_changes_reach_this_process_and_another() {
    use std::time::Duration;
    for db in all().await {
        let store = db.store().await;
        let other = db.store().await;
        let fx = fixture(&store, 1, 5).await;
        let m = fx.meeting;
        let mut here = store.live_changes();
        let mut there = other.live_changes();
        // Let the other's watch take its first look.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        must(
            &store,
            m,
            Command::Arrive {
                person: fx.members[0],
            },
        )
        .await;
        let seq = store.live_seq(m).await.unwrap();
        let got = tokio::time::timeout(Duration::from_millis(100), here.recv())
            .await
            .expect("at once")
            .unwrap();
        assert_eq!(got, kansli_store::live::LiveChange { meeting: m, seq });
        let got = tokio::time::timeout(Duration::from_secs(3), there.recv())
            .await
            .unwrap_or_else(|_| panic!("{}: another process within the poll", db.label))
            .unwrap();
        assert_eq!(got, kansli_store::live::LiveChange { meeting: m, seq });
    }
}
