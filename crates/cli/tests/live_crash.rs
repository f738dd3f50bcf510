//! #20 deliverable 11: ballots that are never lost or doubled when the
//! server dies. The real `kansli` binary on a SQLite file; a fullmäktige of
//! [`VOTERS`] members with a votering open; the members, signed in with
//! real sessions, send their ballots at once (each form with its own
//! one-time key); `kill -9` at a random moment when about half of them are
//! acknowledged; a restart on the same file; every voter whose answer did
//! not come sends the same form again. Then every acknowledged ballot is in
//! the engine's log exactly once (one CastVote per member, as sent), none
//! lost, none doubled, and a viewer of the big screen sees the true count
//! within 5 s of the restart. `KANSLI_CRASH_RUNS` runs (3 by default).

use kansli_core::meeting::VoteChoice;
use kansli_core::proceedings::Command as Engine;
use kansli_store::Store;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const KANSLI: &str = env!("CARGO_BIN_EXE_kansli");
const DAY: &str = "2025-06-10";
const VOTERS: usize = 24;
const PASSWORD: &str = kansli_demo::DEMO_PASSWORD;
/// The true state on every viewer's screen within this of the restart.
const VIEWER_GOAL: Duration = Duration::from_secs(5);

/// A small random number without a crate: the std hasher's random keys.
fn random(below: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    h.finish() % below.max(1)
}

/// `kansli serve` on `db`; returns when it prints its URL (it listens).
fn serve(db: &Path) -> (Child, String) {
    let mut child = Command::new(KANSLI)
        .args(["serve", "--db"])
        .arg(db)
        .args(["--addr", "127.0.0.1:0", "--today", DAY])
        .env("KANSLI_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("kansli starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("kansli printed its URL before exiting")
            .unwrap();
        if let Some(url) = line.strip_prefix("Kansli körs på ") {
            break url.trim_end_matches('/').to_string();
        }
    };
    // Whatever it says later is read, so that it never blocks on a pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    let values = r.headers().get_all("set-cookie").iter();
    kansli_testsupport::set_cookie(values.filter_map(|v| v.to_str().ok()), name)
}

/// The value of the first field `name` after `from` in a page.
fn field_after(html: &str, from: &str, name: &str) -> String {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("no {from} in {html}"));
    let rest = &html[start..];
    let pat = format!("name=\"{name}\" value=\"");
    let at = rest
        .find(&pat)
        .unwrap_or_else(|| panic!("no field {name} after {from}"));
    let rest = &rest[at + pat.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A signed-in member: the session cookie, the CSRF token and the ballot
/// form's one-time key, as their page showed them.
#[derive(Clone)]
struct Voter {
    person: kansli_core::PersonId,
    session: String,
    csrf: String,
    once: String,
    choice: VoteChoice,
}

/// Signs in; a sign-in turned away while the password checks are all
/// busy (503, "Vänta en stund") is sent again.
async fn sign_in(base: &str, username: &str) -> String {
    loop {
        if let Some(session) = try_sign_in(base, username).await {
            return session;
        }
        tokio::time::sleep(Duration::from_millis(100 + random(200))).await;
    }
}

async fn try_sign_in(base: &str, username: &str) -> Option<String> {
    let c = client();
    let form = c.get(format!("{base}/logga-in")).send().await.unwrap();
    let token = cookie(&form, "kansli_signin").expect("sign-in cookie");
    let r = c
        .post(format!("{base}/logga-in"))
        .header("cookie", format!("kansli_signin={token}"))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("token", &token),
            ("till", "/sekretariat"),
        ])
        .send()
        .await
        .unwrap();
    if r.status() == 503 {
        return None;
    }
    assert_eq!(r.status(), 303, "{username} signs in");
    Some(cookie(&r, "kansli_session").expect("session cookie"))
}

async fn voter(
    base: &str,
    meeting: i64,
    username: &str,
    person: kansli_core::PersonId,
    choice: VoteChoice,
) -> Voter {
    let session = sign_in(base, username).await;
    let page = client()
        .get(format!("{base}/sekretariat/sammantraden/{meeting}/ledamot"))
        .header("cookie", format!("kansli_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "{username}'s page");
    let page = page.text().await.unwrap();
    let form = format!("action=\"/sekretariat/sammantraden/{meeting}/ledamot/rost\"");
    Voter {
        person,
        csrf: field_after(&page, &form, "csrf"),
        once: field_after(&page, &form, "once"),
        session,
        choice,
    }
}

fn code(c: VoteChoice) -> &'static str {
    match c {
        VoteChoice::Ja => "ja",
        VoteChoice::Nej => "nej",
        VoteChoice::Avstar => "avstar",
    }
}

/// What a ballot's POST was answered.
enum Answer {
    /// The receipt ("Din röst är registrerad: …"), first or again.
    Receipt,
    /// The first request with the key is still being handled (409).
    Pending,
    /// No answer: the connection failed or was cut.
    Lost,
}

async fn cast(base: &str, meeting: i64, v: &Voter) -> Answer {
    let r = client()
        .post(format!(
            "{base}/sekretariat/sammantraden/{meeting}/ledamot/rost"
        ))
        .header("cookie", format!("kansli_session={}", v.session))
        .form(&[
            ("csrf", v.csrf.as_str()),
            ("once", v.once.as_str()),
            ("val", code(v.choice)),
        ])
        .send()
        .await;
    let r = match r {
        Ok(r) => r,
        Err(_) => return Answer::Lost,
    };
    if r.status() == 409 {
        return Answer::Pending;
    }
    assert_eq!(r.status(), 303, "a ballot's answer");
    let flash = percent_decode(&percent_decode(
        &cookie(&r, "kansli_flash").expect("a receipt"),
    ));
    let label = v.choice.label_sv();
    assert!(
        flash.contains(&format!("Din röst är registrerad: {label}, kl. ")),
        "{flash}"
    );
    Answer::Receipt
}

/// The big screen's stream, read until its fragment contains `text`.
/// Connects again while the server does not answer (as a browser's
/// EventSource does). Returns the first snapshot's vote count seen.
async fn watch_until(url: &str, text: &str, deadline: Instant) -> Result<Option<usize>, String> {
    let mut first = None;
    loop {
        if Instant::now() >= deadline {
            return Err(format!("no «{text}» on the big screen in time"));
        }
        let r = match client().get(url).send().await {
            Ok(r) if r.status() == 200 => r,
            _ => {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let mut r = r;
        let mut buf = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, r.chunk()).await {
                Ok(Ok(Some(bytes))) => buf.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(Ok(None)) | Ok(Err(_)) => break,
                Err(_) => return Err(format!("no «{text}» on the big screen in time")),
            }
            while let Some(at) = buf.find("\n\n") {
                let block: String = buf.drain(..at + 2).collect();
                if first.is_none() {
                    first = shown_count(&block);
                }
                if block.contains(text) {
                    return Ok(first);
                }
            }
        }
    }
}

/// "<strong>7</strong> av 24 har röstat": 7.
fn shown_count(block: &str) -> Option<usize> {
    let end = block.find("</strong> av ")?;
    let start = block[..end].rfind("<strong>")? + "<strong>".len();
    block[start..end].trim().parse().ok()
}

/// The database every run starts from: the demo, the fullmäktige with
/// its votering open.
async fn template(dir: &Path) -> (PathBuf, i64, Vec<(String, kansli_core::PersonId)>) {
    let path = dir.join("kansli.db");
    let store = Store::connect(path.to_str().unwrap()).await.unwrap();
    kansli_demo::load(&store).await.unwrap();
    let org = store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap()
        .id;
    let day: jiff::civil::Date = DAY.parse().unwrap();
    let a = kansli_testsupport::assembly::prepare(
        &store,
        org,
        "Kraschfullmäktige",
        "krasch",
        VOTERS,
        PASSWORD,
        day,
    )
    .await
    .unwrap();
    kansli_testsupport::assembly::open_votering(&store, a.meeting)
        .await
        .unwrap();
    store.pool().close().await;
    (path, a.meeting.0, a.members)
}

/// One run's figures.
#[derive(Debug, Default)]
struct Run {
    acknowledged_before_kill: usize,
    /// Committed before the kill, the answer lost: the retry got the first
    /// receipt.
    committed_unanswered: usize,
    /// Not committed before the kill: done by the retry.
    done_by_retry: usize,
    shown_after_restart: Option<usize>,
    true_after_restart: usize,
    viewer_ms: u128,
    lost: usize,
    doubled: usize,
}

async fn one_run(
    template: &Path,
    meeting: i64,
    members: &[(String, kansli_core::PersonId)],
) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kansli.db");
    std::fs::copy(template, &db).unwrap();
    let choices = [VoteChoice::Ja, VoteChoice::Nej, VoteChoice::Avstar];
    let (mut child, base) = {
        let db = db.clone();
        tokio::task::spawn_blocking(move || serve(&db))
            .await
            .unwrap()
    };
    let mut voters = Vec::new();
    let mut signing = Vec::new();
    for (username, person) in members.iter().cloned() {
        let base = base.clone();
        let choice = choices[random(3) as usize];
        signing.push(tokio::spawn(async move {
            voter(&base, meeting, &username, person, choice).await
        }));
    }
    for s in signing {
        voters.push(s.await.unwrap());
    }
    let big = format!("{base}/sammantraden/{meeting}/storbild/handelser");
    let zero = watch_until(
        &big,
        &format!("0</strong> av {VOTERS} har röstat"),
        Instant::now() + Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!(zero, Some(0));

    // Every member votes within about a second, all at once; the server is
    // killed when the target number of receipts has come.
    let target = VOTERS * 2 / 5 + random((VOTERS / 5 + 1) as u64) as usize;
    let acks = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for v in voters.iter().cloned() {
        let base = base.clone();
        let acks = acks.clone();
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(random(1000))).await;
            let a = cast(&base, meeting, &v).await;
            if matches!(a, Answer::Receipt) {
                acks.fetch_add(1, Ordering::SeqCst);
            }
            a
        }));
    }
    while acks.load(Ordering::SeqCst) < target {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let mut acked = vec![false; voters.len()];
    for (i, t) in tasks.into_iter().enumerate() {
        acked[i] = matches!(t.await.unwrap(), Answer::Receipt);
    }
    let mut run = Run {
        acknowledged_before_kill: acked.iter().filter(|a| **a).count(),
        ..Run::default()
    };

    // The restart on the same file; what the database holds now is the
    // true state a viewer must be shown.
    let committed = {
        let store = Store::connect(db.to_str().unwrap()).await.unwrap();
        let status = store
            .ballot_status(kansli_core::MeetingId(meeting))
            .await
            .unwrap()
            .expect("the votering");
        store.pool().close().await;
        status.voted.len()
    };
    run.true_after_restart = committed;
    let (mut child, base) = {
        let db = db.clone();
        tokio::task::spawn_blocking(move || serve(&db))
            .await
            .unwrap()
    };
    let restarted = Instant::now();
    let big = format!("{base}/sammantraden/{meeting}/storbild/handelser");
    // The first snapshot, before anyone sends again: what was committed.
    run.shown_after_restart = watch_until(&big, "har röstat", restarted + VIEWER_GOAL)
        .await
        .unwrap_or_else(|e| panic!("{e} ({run:?})"));
    let viewer = {
        let big = big.clone();
        tokio::spawn(async move {
            watch_until(
                &big,
                &format!("{VOTERS}</strong> av {VOTERS} har röstat"),
                restarted + VIEWER_GOAL,
            )
            .await
        })
    };
    // The voters without an answer send the same form again until they
    // get one.
    let mut retries = Vec::new();
    for (i, v) in voters.iter().cloned().enumerate() {
        if acked[i] {
            continue;
        }
        let base = base.clone();
        retries.push(tokio::spawn(async move {
            let until = Instant::now() + Duration::from_secs(20);
            loop {
                match cast(&base, meeting, &v).await {
                    Answer::Receipt => return Ok(()),
                    Answer::Pending | Answer::Lost if Instant::now() < until => {
                        tokio::time::sleep(Duration::from_millis(200)).await
                    }
                    Answer::Pending => {
                        return Err(format!(
                            "{:?}: still «being handled» 20 s after the restart",
                            v.person
                        ));
                    }
                    Answer::Lost => return Err(format!("{:?}: no answer", v.person)),
                }
            }
        }));
    }
    let mut unanswered = vec![];
    for r in retries {
        if let Err(e) = r.await.unwrap() {
            unanswered.push(e);
        }
    }
    run.committed_unanswered = committed - run.acknowledged_before_kill;
    run.done_by_retry = VOTERS - committed;
    let shown = viewer.await.unwrap();
    run.viewer_ms = restarted.elapsed().as_millis();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        unanswered.is_empty(),
        "unanswered after the restart: {unanswered:?}"
    );
    shown.unwrap_or_else(|e| panic!("{e} ({run:?})"));

    // The engine's log: one CastVote per member, as sent; nothing else.
    let store = Store::connect(db.to_str().unwrap()).await.unwrap();
    let p = store
        .proceedings(kansli_core::MeetingId(meeting))
        .await
        .unwrap();
    let mut cast_by: HashMap<kansli_core::PersonId, Vec<VoteChoice>> = HashMap::new();
    for c in p.log() {
        match c {
            Engine::CastVote { person, choice } => {
                cast_by.entry(*person).or_default().push(*choice)
            }
            Engine::CorrectVote { person, .. } => panic!("a correction for {person:?}"),
            _ => {}
        }
    }
    for v in &voters {
        match cast_by.get(&v.person).map(Vec::as_slice) {
            None | Some([]) => run.lost += 1,
            Some([one]) => assert_eq!(*one, v.choice, "{:?}'s ballot", v.person),
            Some(_) => run.doubled += 1,
        }
    }
    let status = store
        .ballot_status(kansli_core::MeetingId(meeting))
        .await
        .unwrap()
        .unwrap();
    let mut voted = status.voted.clone();
    voted.sort();
    voted.dedup();
    assert_eq!(voted.len(), VOTERS, "{run:?}");
    assert_eq!(status.voted.len(), VOTERS, "{run:?}");
    store.pool().close().await;
    run
}

#[test]
fn every_acknowledged_ballot_survives_kill_9_exactly_once() {
    let runs: usize = std::env::var("KANSLI_CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let (template, meeting, members) = template(dir.path()).await;
        let mut all = Vec::new();
        for i in 0..runs {
            let run = one_run(&template, meeting, &members).await;
            eprintln!("run {}: {run:?}", i + 1);
            assert_eq!(run.lost, 0, "{run:?}");
            assert_eq!(run.doubled, 0, "{run:?}");
            assert_eq!(
                run.shown_after_restart,
                Some(run.true_after_restart),
                "the first snapshot after the restart"
            );
            all.push(run);
        }
        let sum = |f: fn(&Run) -> usize| all.iter().map(f).sum::<usize>();
        let worst = all.iter().map(|r| r.viewer_ms).max().unwrap_or(0);
        eprintln!(
            "{runs} runs of {VOTERS} voters: {} acknowledged before kill -9, {} committed but \
             unanswered (the retry got the first receipt), {} done by the retry; lost {}, \
             doubled {}; the true count on the big screen at most {worst} ms after the restart",
            sum(|r| r.acknowledged_before_kill),
            sum(|r| r.committed_unanswered),
            sum(|r| r.done_by_retry),
            sum(|r| r.lost),
            sum(|r| r.doubled),
        );
    });
}
