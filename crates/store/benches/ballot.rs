//! The cost of one ballot late in a long meeting (#20): a ballot in a
//! votering on a meeting with 1 decided item and with 60 (each decided by
//! a roll-call vote of every member, with a reservation), through
//! `Tx::record_command` as it was (`Store::without_live_cache`: the whole
//! log read and replayed, every row rewritten) and with the kept engine
//! (only what changed written: for a ballot, the event, its audit record
//! and the meeting's change number). Wall time per committed ballot,
//! median of many; SQLite always, PostgreSQL when
//! `KANSLI_TEST_POSTGRES_URL` is set.
//!
//! `cargo bench -p kansli-store --bench ballot` (release). Options by
//! environment: `BALLOT_MEMBERS` (31), `BALLOT_SAMPLES` (201 kept, a tenth
//! of that, at least 11, as before).

#[path = "../tests/support/mod.rs"]
mod support;

use kansli_core::meeting::VoteChoice;
use kansli_core::proceedings::Command;
use kansli_store::Store;
use std::time::{Duration, Instant};
use support::*;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A meeting with `decided` items decided and a votering open on the next.
async fn meeting(store: &Store, decided: usize, members: usize) -> Fixture {
    let fx = fixture(store, decided + 1, members).await;
    let mut commands = opening(&fx);
    for i in 0..decided {
        commands.extend(decided_item(&fx, i, i as u32 + 1));
    }
    commands.extend(up_to_voting(&fx, decided));
    for c in commands {
        must(store, fx.meeting, c).await;
    }
    fx
}

/// Each member's ballot as the engine has it, so that every ballot timed
/// is recorded: a member's first is a CastVote, a later one changes the
/// vote (CorrectVote), so a votering takes any number.
#[derive(Default)]
struct Votes {
    next: usize,
    choices: std::collections::HashMap<kansli_core::PersonId, VoteChoice>,
}

impl Votes {
    fn next(&mut self, fx: &Fixture) -> (kansli_core::PersonId, VoteChoice, bool) {
        let person = fx.members[self.next % fx.members.len()];
        self.next += 1;
        let earlier = self.choices.get(&person).copied();
        let choice = if earlier == Some(VoteChoice::Ja) {
            VoteChoice::Nej
        } else {
            VoteChoice::Ja
        };
        self.choices.insert(person, choice);
        (person, choice, earlier.is_some())
    }
}

/// Times `samples` ballots through `Tx::record_command`.
async fn ballots(store: &Store, fx: &Fixture, votes: &mut Votes, samples: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let (person, choice, again) = votes.next(fx);
        let command = if again {
            Command::CorrectVote { person, choice }
        } else {
            Command::CastVote { person, choice }
        };
        let t = Instant::now();
        must(store, fx.meeting, command).await;
        times.push(t.elapsed());
    }
    times
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn bench(label: &str, make: impl AsyncFn() -> (Store, kansli_testsupport::TestDb)) {
    let members = env("BALLOT_MEMBERS", 31);
    let samples = env("BALLOT_SAMPLES", 201);
    let old_samples = (samples / 10).max(11);
    let mut results = Vec::new();
    for decided in [1usize, 60] {
        let (store, _db) = make().await;
        let t = Instant::now();
        let fx = meeting(&store, decided, members).await;
        let events = store.meeting_events(fx.meeting).await.unwrap().len();
        eprintln!(
            "{label}: {decided} decided item(s), {members} members: {events} events set up in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        // Kept: the first command in a process rewrites everything once.
        let mut votes = Votes::default();
        ballots(&store, &fx, &mut votes, 3).await;
        let kept = median(ballots(&store, &fx, &mut votes, samples).await);
        let old = store.without_live_cache();
        let replaying = median(ballots(&old, &fx, &mut votes, old_samples).await);
        // A member's own ballot (receipt, its rows) on the kept engine.
        let mut times = Vec::new();
        for i in 0..samples {
            let (person, choice, _) = votes.next(&fx);
            let t = Instant::now();
            let mut tx = store.begin("user:ledamot").await.unwrap();
            tx.cast_ballot(fx.meeting, person, choice, &format!("bench-{i}"))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            times.push(t.elapsed());
        }
        let member = median(times);
        results.push((decided, events, replaying, kept, member));
    }
    println!("\n{label}: median wall time of one committed ballot ({members} members)");
    println!(
        "{:>8} {:>7} {:>14} {:>14} {:>16} {:>9}",
        "decided", "events", "before (ms)", "kept (ms)", "cast_ballot (ms)", "before/kept"
    );
    for (decided, events, replaying, kept, member) in &results {
        println!(
            "{decided:>8} {events:>7} {:>14.3} {:>14.3} {:>16.3} {:>9.1}",
            ms(*replaying),
            ms(*kept),
            ms(*member),
            replaying.as_secs_f64() / kept.as_secs_f64()
        );
    }
    let (a, b) = (&results[0], &results[1]);
    println!(
        "60 vs 1 decided: before ×{:.2}, kept ×{:.2}, cast_ballot ×{:.2}",
        b.2.as_secs_f64() / a.2.as_secs_f64(),
        b.3.as_secs_f64() / a.3.as_secs_f64(),
        b.4.as_secs_f64() / a.4.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    bench("SQLite", async || {
        let db = kansli_testsupport::sqlite();
        (db.store().await, db)
    })
    .await;
    if std::env::var(kansli_testsupport::POSTGRES_ENV).is_ok() {
        bench("PostgreSQL", async || {
            let db = kansli_testsupport::postgres().await.unwrap();
            (db.store().await, db)
        })
        .await;
    }
}
