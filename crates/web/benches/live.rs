//! #20 deliverable 10: the live meeting under load. One tokio process (this
//! one, one clock) plays the chair, a fullmäktige of [`VOTERS`] voters with
//! real sessions (each on their member stream `…/ledamot/handelser`) and
//! thousands of viewers of the public live page; the server is the real
//! `kansli serve` (the release binary, a child process, so that its peak
//! RSS is its own: VmHWM in /proc/PID/status) on a SQLite file.
//!
//! Run: `cargo bench -p kansli-web --bench live` (it builds
//! `target/release/kansli` with `$CARGO build --release -p kansli` when
//! missing; `KANSLI_BIN` names another). `KANSLI_LIVE_VIEWERS=5000,10000`
//! chooses the viewer counts of the push rounds (default 5,000, 10,000,
//! 15,000 and as many as the open-file limit allows).
//!
//! Every round starts from the same database (the demo, and a body of 201
//! members with a meeting, one item, two yrkanden and a votering asked for)
//! and a new server, and measures, from the chair's click:
//! - the ballot form on every voter's device (the votering shown on their
//!   member stream), then each voter loads the form (their member page, for
//!   its one-time key) and sends the ballot: vote POST latency;
//! - the chair closes once all have voted: the result on every viewer's
//!   screen (`class="live-result"` on the stream);
//! - the server's peak RSS (VmHWM, reset after the 201 sign-ins, whose
//!   password hashing has its own peak, printed beside it) and its CPU over
//!   10 s with every viewer connected and nothing happening.
//!
//! `KANSLI_LIVE_THINK_MS` spreads the voters' ballots over that long after
//! their form shows (default 0: all 201 at once, the worst case).
//!
//! The baseline round is today's way: the same viewers without a stream,
//! each reloading the public live page every 5 s (one kept-alive connection
//! pool); the result's latency is until a reload shows it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const VOTERS: usize = 201;
const DAY: &str = "2025-06-10";
const PASSWORD: &str = kansli_demo::DEMO_PASSWORD;
const RELOAD: Duration = Duration::from_secs(5);
/// A round's patience for any one thing to show.
const PATIENCE: Duration = Duration::from_secs(30);
/// The votering shown on a member's device: the members' fragment's text
/// today (`Votering pågår`) or its ballot form once it has its own.
const FORM_MARKERS: [&str; 2] = ["name=\"val\"", "Votering p\u{e5}g\u{e5}r"];
const RESULT_MARKER: &str = "class=\"live-result\"";

const GOAL_FORM_MS: f64 = 500.0;
const GOAL_POST_MS: f64 = 200.0;
const GOAL_RESULT_MS: f64 = 1000.0;
const GOAL_RSS_MB: f64 = 256.0;

fn main() {
    raise_nofile();
    let bin = kansli_bin();
    let nofile = nofile_limit();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(bin, nofile));
}

/// Re-executes this bench under `ulimit -n` at the hard limit, once.
fn raise_nofile() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("KANSLI_BENCH_NOFILE").is_some() {
        return;
    }
    let me = std::env::current_exe().expect("the bench's path");
    let err = Command::new("sh")
        .arg("-c")
        .arg("ulimit -n \"$(ulimit -Hn)\" 2>/dev/null; exec \"$0\" \"$@\"")
        .arg(me)
        .args(std::env::args_os().skip(1))
        .env("KANSLI_BENCH_NOFILE", "1")
        .exec();
    panic!("could not re-execute the bench: {err}");
}

fn nofile_limit() -> usize {
    let out = Command::new("sh")
        .args(["-c", "ulimit -n"])
        .output()
        .expect("sh");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(1024)
}

/// The release `kansli`, built when missing.
fn kansli_bin() -> PathBuf {
    if let Some(b) = std::env::var_os("KANSLI_BIN") {
        return b.into();
    }
    let exe = std::env::current_exe().expect("the bench's path");
    // target/release/deps/live-… → target/release/kansli
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/release")
        .join("kansli");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let ok = Command::new(cargo)
        .args(["build", "--release", "-p", "kansli"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok && bin.exists(),
        "no {} (cargo build --release -p kansli)",
        bin.display()
    );
    bin
}

/// The database every round starts from.
async fn template(dir: &Path) -> (PathBuf, i64) {
    let path = dir.join("kansli.db");
    let store = kansli_store::Store::connect(path.to_str().unwrap())
        .await
        .expect("store");
    kansli_demo::load(&store).await.expect("demo");
    let org = store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap()
        .id;
    let a = kansli_testsupport::assembly::prepare(
        &store,
        org,
        "Bänkfullmäktige",
        "bank",
        VOTERS,
        PASSWORD,
        DAY.parse().unwrap(),
    )
    .await
    .expect("the fullmäktige");
    store.pool().close().await;
    (path, a.meeting.0)
}

struct Server {
    child: Child,
    base: String,
    addr: String,
}

impl Server {
    fn start(bin: &Path, db: &Path) -> Server {
        use std::io::{BufRead, BufReader};
        let mut child = Command::new("sh")
            .arg("-c")
            .arg("ulimit -n \"$(ulimit -Hn)\" 2>/dev/null; exec \"$0\" \"$@\"")
            .arg(bin)
            .args(["serve", "--db"])
            .arg(db)
            .args(["--addr", "127.0.0.1:0", "--today", DAY])
            .env("KANSLI_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kansli starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = loop {
            let line = lines.next().expect("kansli printed its URL").unwrap();
            if let Some(url) = line.strip_prefix("Kansli körs på ") {
                break url.trim_end_matches('/').to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        let addr = base.trim_start_matches("http://").to_string();
        Server { child, base, addr }
    }

    fn status(&self, field: &str) -> f64 {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        s.lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }

    /// The server's CPU time so far, in seconds (utime + stime).
    fn cpu(&self) -> f64 {
        let s =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        let rest = s.rsplit_once(')').map_or("", |(_, r)| r);
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        // After the name: state is field 0, utime 11, stime 12.
        (ticks(11) + ticks(12)) / 100.0
    }

    /// Resets VmHWM to the current RSS.
    fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5");
    }

    fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .map(|d| d.count())
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(usize::MAX)
        .timeout(PATIENCE)
        .build()
        .unwrap()
}

fn cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    let values = r.headers().get_all("set-cookie").iter();
    kansli_testsupport::set_cookie(values.filter_map(|v| v.to_str().ok()), name)
}

/// The value of field `name` in the form whose text contains `marker`.
fn form_field(html: &str, marker: &str, name: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the page"));
    let start = html[..at].rfind("<form").expect("a form");
    let end = at + html[at..].find("</form>").expect("the form's end");
    let form = &html[start..end];
    let pat = format!("name=\"{name}\" value=\"");
    let v = &form[form.find(&pat).expect("the field") + pat.len()..];
    v[..v.find('"').unwrap()].to_string()
}

/// A real sign-in (argon2 on the server); turned away while all password
/// checks are busy (503), it is sent again.
async fn sign_in(c: &reqwest::Client, base: &str, username: &str) -> String {
    loop {
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
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        assert_eq!(r.status(), 303, "{username} signs in");
        return cookie(&r, "kansli_session").expect("session");
    }
}

async fn page(c: &reqwest::Client, base: &str, path: &str, session: &str) -> String {
    let r = c
        .get(format!("{base}{path}"))
        .header("cookie", format!("kansli_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

/// An event stream read over a plain socket (as cheap as a browser's
/// EventSource is for the server; cheaper than a full client here).
struct Sse {
    socket: TcpStream,
    buf: Vec<u8>,
}

impl Sse {
    async fn open(addr: &str, path: &str, session: Option<&str>) -> std::io::Result<Sse> {
        let mut socket = TcpStream::connect(addr).await?;
        let cookie = session.map_or(String::new(), |s| format!("Cookie: kansli_session={s}\r\n"));
        socket
            .write_all(
                format!(
                    "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n{cookie}\r\n"
                )
                .as_bytes(),
            )
            .await?;
        Ok(Sse {
            socket,
            buf: Vec::with_capacity(8192),
        })
    }

    /// Reads until one of `markers` has come; the time it came.
    async fn until(&mut self, markers: &[&str]) -> Option<Instant> {
        let mut chunk = vec![0u8; 16384];
        loop {
            if markers
                .iter()
                .any(|m| self.buf.windows(m.len()).any(|w| w == m.as_bytes()))
            {
                self.buf.clear();
                return Some(Instant::now());
            }
            // Keep a tail for a marker cut between two reads.
            if self.buf.len() > 256 {
                let cut = self.buf.len() - 64;
                self.buf.drain(..cut);
            }
            match self.socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }
}

/// `KANSLI_LIVE_THINK_MS`: the voters' decisions spread over this long
/// after the form shows (default 0: every ballot at once, the worst case).
fn think() -> Duration {
    Duration::from_millis(
        std::env::var("KANSLI_LIVE_THINK_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
    )
}

fn percentile(xs: &mut [f64], p: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(|a, b| a.total_cmp(b));
    let i = ((p * xs.len() as f64).ceil() as usize).clamp(1, xs.len()) - 1;
    xs[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Push,
    Reload,
}

#[derive(Default)]
struct Round {
    viewers: usize,
    label: &'static str,
    form_p99: f64,
    page_p99: f64,
    post_p99: f64,
    result_p50: f64,
    result_p99: f64,
    result_missing: usize,
    rss_mb: f64,
    rss_signin_mb: f64,
    idle_cpu: f64,
    idle_rps: f64,
    fds: usize,
}

struct Voter {
    username: String,
    session: String,
}

async fn round(bin: &Path, template: &Path, meeting: i64, viewers: usize, mode: Mode) -> Round {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kansli.db");
    std::fs::copy(template, &db).unwrap();
    let server = {
        let (bin, db) = (bin.to_path_buf(), db.clone());
        tokio::task::spawn_blocking(move || Server::start(&bin, &db))
            .await
            .unwrap()
    };
    let base = server.base.clone();
    let addr = server.addr.clone();
    let c = client();

    // The voters sign in, a few at a time (the server admits a few
    // password checks at once).
    let mut voters = Vec::with_capacity(VOTERS);
    let names: Vec<String> = (0..VOTERS)
        .map(|i| kansli_testsupport::assembly::username("bank", i))
        .collect();
    for chunk in names.chunks(8) {
        let mut t = Vec::new();
        for n in chunk.iter().cloned() {
            let (c, base) = (c.clone(), base.clone());
            t.push(tokio::spawn(async move {
                let session = sign_in(&c, &base, &n).await;
                Voter {
                    username: n,
                    session,
                }
            }));
        }
        for x in t {
            voters.push(x.await.unwrap());
        }
    }
    // The peak from here on: the meeting, not the sign-ins' password
    // hashing (VmHWM reset through clear_refs).
    let rss_signin_mb = server.status("VmHWM:");
    server.reset_peak();
    let member_path = format!("/sekretariat/sammantraden/{meeting}/ledamot");
    let chair_path = format!("/sekretariat/sammantraden/{meeting}/ordforande");
    let chair = voters[0].session.clone();

    // Every voter on their member stream, its first state read.
    let ready = Arc::new(AtomicUsize::new(0));
    let (go_tx, _) = tokio::sync::broadcast::channel::<Instant>(4);
    let mut voter_tasks = Vec::new();
    for v in &voters {
        let mut sse = Sse::open(&addr, &format!("{member_path}/handelser"), Some(&v.session))
            .await
            .expect("a member stream");
        sse.until(&["event: state"]).await.expect("the first state");
        let (c, base, session, path) = (
            c.clone(),
            base.clone(),
            v.session.clone(),
            member_path.clone(),
        );
        let mut go = go_tx.subscribe();
        let user = v.username.clone();
        // The voters' time to decide, spread evenly (0: all at once).
        let think = think().mul_f64(voter_tasks.len() as f64 / VOTERS as f64);
        voter_tasks.push(tokio::spawn(async move {
            let opened = go.recv().await.unwrap();
            let seen = tokio::time::timeout(PATIENCE, sse.until(&FORM_MARKERS))
                .await
                .ok()
                .flatten()
                .unwrap_or_else(|| panic!("{user}: no votering on the member stream"));
            let form = seen - opened;
            tokio::time::sleep(think).await;
            let t = Instant::now();
            let html = page(&c, &base, &path, &session).await;
            let got_page = t.elapsed();
            let action = format!("action=\"{path}/rost\"");
            let once = form_field(&html, &action, "once");
            let csrf = form_field(&html, &action, "csrf");
            let choice = ["ja", "nej", "avstar"][user.len() % 3];
            let t = Instant::now();
            let r = c
                .post(format!("{base}{path}/rost"))
                .header("cookie", format!("kansli_session={session}"))
                .form(&[("csrf", csrf.as_str()), ("once", &once), ("val", choice)])
                .send()
                .await
                .unwrap();
            let post = t.elapsed();
            assert_eq!(r.status(), 303, "{user}'s ballot");
            assert!(cookie(&r, "kansli_flash").is_some(), "{user}: a receipt");
            (form, got_page, post)
        }));
    }

    // The viewers.
    let shown: Arc<tokio::sync::Mutex<Vec<Instant>>> = Default::default();
    let requests = Arc::new(AtomicUsize::new(0));
    let mut viewer_tasks = Vec::with_capacity(viewers);
    let live = format!("/sammantraden/{meeting}/direkt");
    match mode {
        Mode::Push => {
            let connect = Arc::new(tokio::sync::Semaphore::new(256));
            for _ in 0..viewers {
                let (addr, path, ready, shown, connect) = (
                    addr.clone(),
                    format!("{live}/handelser"),
                    ready.clone(),
                    shown.clone(),
                    connect.clone(),
                );
                viewer_tasks.push(tokio::spawn(async move {
                    let permit = connect.acquire_owned().await.unwrap();
                    let mut sse = Sse::open(&addr, &path, None).await.expect("a viewer");
                    sse.until(&["event: state"]).await.expect("the first state");
                    drop(permit);
                    ready.fetch_add(1, Ordering::SeqCst);
                    if let Some(at) = sse.until(&[RESULT_MARKER]).await {
                        shown.lock().await.push(at);
                    }
                }));
            }
        }
        Mode::Reload => {
            for i in 0..viewers {
                let (c, url, ready, shown, requests) = (
                    c.clone(),
                    format!("{base}{live}"),
                    ready.clone(),
                    shown.clone(),
                    requests.clone(),
                );
                let offset = RELOAD.mul_f64(i as f64 / viewers as f64);
                viewer_tasks.push(tokio::spawn(async move {
                    tokio::time::sleep(offset).await;
                    let mut tick = tokio::time::interval(RELOAD);
                    let mut first = true;
                    loop {
                        tick.tick().await;
                        let Ok(r) = c.get(&url).send().await else {
                            continue;
                        };
                        let Ok(body) = r.text().await else { continue };
                        requests.fetch_add(1, Ordering::Relaxed);
                        if first {
                            ready.fetch_add(1, Ordering::SeqCst);
                            first = false;
                        }
                        if body.contains(RESULT_MARKER) {
                            shown.lock().await.push(Instant::now());
                            return;
                        }
                    }
                }));
            }
        }
    }
    let until = Instant::now() + Duration::from_secs(120);
    while ready.load(Ordering::SeqCst) < viewers {
        assert!(
            Instant::now() < until,
            "only {} of {viewers} viewers connected",
            ready.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // 10 s with everyone watching and nothing happening: the server's load.
    let (cpu0, req0, t0) = (
        server.cpu(),
        requests.load(Ordering::SeqCst),
        Instant::now(),
    );
    tokio::time::sleep(Duration::from_secs(10)).await;
    let idle = t0.elapsed().as_secs_f64();
    let idle_cpu = (server.cpu() - cpu0) / idle;
    let idle_rps = (requests.load(Ordering::SeqCst) - req0) as f64 / idle;
    let fds = server.fds();

    // The chair opens the votering.
    let html = page(&c, &base, &chair_path, &chair).await;
    let once = form_field(&html, "value=\"voteringsordning\"", "once");
    let csrf = form_field(&html, "value=\"voteringsordning\"", "csrf");
    let opened = Instant::now();
    let _ = go_tx.send(opened);
    let r = c
        .post(format!("{base}{chair_path}"))
        .header("cookie", format!("kansli_session={chair}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("once", &once),
            ("steg", "voteringsordning"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "the chair opens the votering");
    let mut form = Vec::new();
    let mut pages = Vec::new();
    let mut posts = Vec::new();
    for t in voter_tasks {
        let (f, p, v) = t.await.unwrap();
        form.push(ms(f));
        pages.push(ms(p));
        posts.push(ms(v));
    }

    // Everyone has voted: the chair closes and counts.
    let html = page(&c, &base, &chair_path, &chair).await;
    let once = form_field(&html, "value=\"rakna\"", "once");
    let csrf = form_field(&html, "value=\"rakna\"", "csrf");
    let closed = Instant::now();
    let r = c
        .post(format!("{base}{chair_path}"))
        .header("cookie", format!("kansli_session={chair}"))
        .form(&[("csrf", csrf.as_str()), ("once", &once), ("steg", "rakna")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "the chair closes the votering");
    let until = closed + PATIENCE;
    while shown.lock().await.len() < viewers && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let rss_mb = server.status("VmHWM:");
    for t in &viewer_tasks {
        t.abort();
    }
    let mut result: Vec<f64> = shown
        .lock()
        .await
        .iter()
        .map(|at| ms(at.saturating_duration_since(closed)))
        .collect();
    let result_missing = viewers - result.len();
    // A viewer who never saw it counts as the patience (a lower bound).
    result.extend(std::iter::repeat_n(ms(PATIENCE), result_missing));
    Round {
        viewers,
        label: match mode {
            Mode::Push => "SSE",
            Mode::Reload => "reload 5 s",
        },
        form_p99: percentile(&mut form, 0.99),
        page_p99: percentile(&mut pages, 0.99),
        post_p99: percentile(&mut posts, 0.99),
        result_p50: percentile(&mut result.clone(), 0.50),
        result_p99: percentile(&mut result, 0.99),
        result_missing,
        rss_mb,
        rss_signin_mb,
        idle_cpu,
        idle_rps,
        fds,
    }
}

fn print(rounds: &[Round]) {
    println!();
    println!(
        "| viewers | way | ballot form p99 | member page p99 | vote POST p99 | result p50 | result p99 | not shown | server peak RSS (meeting) | peak RSS (201 sign-ins) | server CPU idle | reloads/s | server fds |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in rounds {
        println!(
            "| {} | {} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {} | {:.1} MB | {:.1} MB | {:.0} % | {:.0} | {} |",
            r.viewers,
            r.label,
            r.form_p99,
            r.page_p99,
            r.post_p99,
            r.result_p50,
            r.result_p99,
            r.result_missing,
            r.rss_mb,
            r.rss_signin_mb,
            r.idle_cpu * 100.0,
            r.idle_rps,
            r.fds,
        );
    }
    println!(
        "goals: ballot form p99 ≤ {GOAL_FORM_MS} ms, vote POST p99 ≤ {GOAL_POST_MS} ms, result p99 ≤ {GOAL_RESULT_MS} ms, RSS ≤ {GOAL_RSS_MB} MB"
    );
}

async fn run(bin: PathBuf, nofile: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (template, meeting) = template(dir.path()).await;
    // This process holds one socket per viewer and voter, and so does the
    // server: the open-file limit bounds the largest round.
    let most = nofile.saturating_sub(VOTERS * 2 + 512);
    let counts: Vec<usize> = match std::env::var("KANSLI_LIVE_VIEWERS") {
        Ok(v) => v.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) => {
            let mut v: Vec<usize> = [5_000, 10_000, 15_000]
                .into_iter()
                .filter(|n| *n <= most)
                .collect();
            if v.last().is_some_and(|l| *l < most) {
                v.push(most);
            }
            v
        }
    };
    eprintln!(
        "kansli: {}; open files: {nofile}; viewer counts: {counts:?}; voters decide within {:?}",
        bin.display(),
        think()
    );
    let mut rounds: Vec<Round> = Vec::new();
    let first = counts.first().copied().unwrap_or(5_000);
    for (mode, n) in
        std::iter::once((Mode::Reload, first)).chain(counts.iter().map(|n| (Mode::Push, *n)))
    {
        let r = round(&bin, &template, meeting, n, mode).await;
        eprintln!(
            "{} viewers, {}: result p99 {:.0} ms, RSS {:.1} MB",
            r.viewers, r.label, r.result_p99, r.rss_mb
        );
        rounds.push(r);
        print(&rounds);
    }
    let best = rounds
        .iter()
        .filter(|r| r.label == "SSE" && r.result_p99 <= GOAL_RESULT_MS && r.result_missing == 0)
        .map(|r| r.viewers)
        .max();
    match best {
        Some(n) => {
            println!("largest number of viewers with result p99 ≤ 1 s: {n} (of those tried)")
        }
        None => println!("no round met result p99 ≤ 1 s"),
    }
}
