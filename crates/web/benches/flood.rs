//! The public protocol page under load, with and without a concurrent flood
//! of bad credentials, in the same run on the same machine: does a flood of
//! wrong API tokens and wrong sign-in passwords starve the public site?
//!
//! Run: `cargo bench -p kansli-web --bench flood` (needs `wrk` from
//! Debian's packages; without it, it says so and stops). Kansli runs in
//! this process with two worker threads, as in `benches/serve.rs`; wrk
//! loads the 2025-01-28 protocol page from a second process on loopback
//! (one thread, 32 connections). The flood comes from a bounded loop in
//! this process, on its own thread and loopback only: [`FLOODERS`]
//! connections for exactly as long as wrk runs, each sending one request
//! after the other — half API writes with a bad credential (random
//! `kansli_…` tokens, HTTP Basic with a wrong password), half sign-in forms
//! with a wrong password. Rounds alternate without and with the flood, so
//! that drift of the machine hits both; the medians and their ratio are
//! printed, with how the flood was answered (401: checked and refused,
//! 429/503: turned away before any hashing).

use std::collections::BTreeMap;
mod support;

use std::time::{Duration, Instant};
use support::{CONNECTIONS, have, median, wrk};

const ROUNDS: usize = 3;
const SECONDS: u32 = 10;
/// Concurrent bad-credential clients (the security probe used 16).
const FLOODERS: usize = 16;

/// Sends bad credentials from [`FLOODERS`] connections until `until`, on a
/// thread of its own; answers counted by status ("error" for a failed
/// connection).
fn flood(base: String, org: i64, until: Instant) -> std::thread::JoinHandle<BTreeMap<String, u64>> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("flood runtime");
        runtime.block_on(async move {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let mut tasks = Vec::new();
            for n in 0..FLOODERS {
                let client = client.clone();
                let base = base.clone();
                tasks.push(tokio::spawn(async move {
                    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
                    let mut i = 0u64;
                    while Instant::now() < until {
                        i += 1;
                        let request = match (n + i as usize) % 4 {
                            // A random well-formed token: one hash lookup.
                            0 => client
                                .post(format!("{base}/api/v1/organisations/{org}/cases"))
                                .header(
                                    "authorization",
                                    format!(
                                        "Bearer kansli_{}",
                                        kansli_store::access::random_token()
                                    ),
                                )
                                .header("content-type", "application/json")
                                .body(r#"{"title":"x"}"#),
                            // The old password oracle: HTTP Basic.
                            1 => client
                                .post(format!("{base}/api/v1/organisations/{org}/cases"))
                                .basic_auth("admin", Some(format!("fel-lösenord-{i}")))
                                .header("content-type", "application/json")
                                .body(r#"{"title":"x"}"#),
                            // The sign-in form with a wrong password, for
                            // a real user and for a made-up one.
                            _ => {
                                let token = kansli_store::access::random_token();
                                let username = if i % 2 == 0 {
                                    "sekreterare".to_string()
                                } else {
                                    format!("gissning{n}-{i}")
                                };
                                client
                                    .post(format!("{base}/logga-in"))
                                    .header("cookie", format!("kansli_signin={token}"))
                                    .form(&[
                                        ("username", username.as_str()),
                                        ("password", &format!("fel-lösenord-{i}")),
                                        ("token", &token),
                                        ("till", "/sekretariat"),
                                    ])
                            }
                        };
                        let key = match request.send().await {
                            Ok(r) => r.status().as_u16().to_string(),
                            Err(_) => "error".to_string(),
                        };
                        *seen.entry(key).or_default() += 1;
                    }
                    seen
                }));
            }
            let mut total: BTreeMap<String, u64> = BTreeMap::new();
            for t in tasks {
                for (k, v) in t.await.unwrap_or_default() {
                    *total.entry(k).or_default() += v;
                }
            }
            total
        })
    })
}

fn main() {
    if !have("wrk") {
        eprintln!("wrk is not installed: apt-get install wrk");
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("kansli.db");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (base, meeting, org) = runtime.block_on(async {
        let store = kansli_store::Store::connect(&db.display().to_string())
            .await
            .expect("database");
        kansli_demo::load(&store).await.expect("demo data");
        let meeting = store
            .all_meetings()
            .await
            .expect("meetings")
            .into_iter()
            .find(|m| m.meeting.date.to_string() == "2025-01-28")
            .expect("the 2025-01-28 meeting")
            .meeting
            .id;
        let org = store
            .organisation_by_name(kansli_demo::MARKER_ORGANISATION)
            .await
            .expect("organisation")
            .expect("Region Halland")
            .id
            .0;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("port");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(kansli_web::serve(
            listener,
            store,
            kansli_web::Config::default(),
            std::future::pending(),
        ));
        (base, meeting, org)
    });
    let page_url = format!("{base}/sammantraden/{meeting}");
    let html = runtime
        .block_on(async { reqwest::get(&page_url).await?.text().await })
        .expect("the page");
    assert!(html.contains("§14"), "the protocol page");

    println!(
        "page: {} bytes; wrk -t1 -c{CONNECTIONS} -d{SECONDS}s, {ROUNDS} rounds each, \
         alternating without and with a flood of {FLOODERS} bad-credential clients",
        html.len()
    );
    wrk(&page_url, 2);
    let (mut q_rps, mut q_p99, mut f_rps, mut f_p99) = (vec![], vec![], vec![], vec![]);
    let mut answers: BTreeMap<String, u64> = BTreeMap::new();
    for round in 1..=ROUNDS {
        let (r, p) = wrk(&page_url, SECONDS);
        println!("round {round}: quiet   {r:>9.0} req/s  p99 {p:>7.2} ms");
        q_rps.push(r);
        q_p99.push(p);
        let until = Instant::now() + Duration::from_secs(u64::from(SECONDS));
        let flooder = flood(base.clone(), org, until);
        let (r, p) = wrk(&page_url, SECONDS);
        let seen = flooder.join().expect("the flood finishes");
        let sent: u64 = seen.values().sum();
        println!(
            "round {round}: flooded {r:>9.0} req/s  p99 {p:>7.2} ms  ({sent} bad-credential requests: {seen:?})"
        );
        f_rps.push(r);
        f_p99.push(p);
        for (k, v) in seen {
            *answers.entry(k).or_default() += v;
        }
    }
    let (qr, qp, fr, fp) = (median(q_rps), median(q_p99), median(f_rps), median(f_p99));
    println!("\nmedian of {ROUNDS} rounds");
    println!("{:<32}{:>12}{:>12}", "", "req/s", "p99 (ms)");
    println!("{:<32}{:>12.0}{:>12.2}", "protocol page, no flood", qr, qp);
    println!(
        "{:<32}{:>12.0}{:>12.2}",
        "protocol page, during flood", fr, fp
    );
    println!(
        "flooded / quiet throughput: {:.2} (goal: at least 0.80)",
        fr / qr
    );
    println!("the flood was answered: {answers:?}");
}
