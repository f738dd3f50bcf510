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
