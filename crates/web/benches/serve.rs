//! Serving the 2025-01-28 protocol page under load, against nginx serving
//! the same page as a static file and against Kansli itself with its cache
//! of anonymous answers off, in the same run on the same machine.
//!
//! Run: `cargo bench -p kansli-web --bench serve` (needs `wrk` and `nginx`
//! from Debian's packages; without them it says what is missing and stops).
//! The load comes from wrk in a second process on loopback: one thread, 32
//! connections, 10 s per target after a 2 s warm-up, three rounds each,
//! alternating, so that drift of the machine hits all three. Kansli runs with
//! two worker threads, nginx with two worker processes: the machine's two
//! cores each.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;
use support::{CONNECTIONS, have, median, wrk};

const ROUNDS: usize = 3;
const SECONDS: u32 = 10;

fn main() {
    for tool in ["wrk", "nginx"] {
        if !have(tool) {
            eprintln!("{tool} is not installed: apt-get install wrk nginx");
            return;
        }
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("kansli.db");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (bases, meeting) = runtime.block_on(async {
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
        // The same database served twice: as configured by default, and
        // with the cache of anonymous answers off (the baseline it beats).
        let mut bases = Vec::new();
        for no_page_cache in [false, true] {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("port");
            bases.push(format!(
                "http://{}",
                listener.local_addr().expect("address")
            ));
            tokio::spawn(kansli_web::serve(
                listener,
                store.clone(),
                kansli_web::Config {
                    no_page_cache,
                    ..kansli_web::Config::default()
                },
                std::future::pending(),
            ));
        }
        (bases, meeting)
    });
    let page_url = format!("{}/sammantraden/{meeting}", bases[0]);
    let uncached_url = format!("{}/sammantraden/{meeting}", bases[1]);
    let html = runtime
        .block_on(async { reqwest::get(&page_url).await?.text().await })
        .expect("the page");
    assert!(html.contains("§14"), "the protocol page");
    let fresh = runtime
        .block_on(async { reqwest::get(&uncached_url).await?.text().await })
        .expect("the uncached page");
    assert_eq!(fresh, html, "cached and uncached pages are the same");

    // nginx with the same bytes as a static file.
    let root = dir.path().join("www");
    std::fs::create_dir_all(root.join("sammantraden")).expect("www");
    std::fs::write(root.join("sammantraden").join(meeting.to_string()), &html).expect("page");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "worker_processes 2;\ndaemon off;\npid {pid};\nerror_log {err} warn;\n\
             events {{ worker_connections 1024; }}\n\
             http {{ access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;\n\
               types {{ text/html html; }} default_type text/html;\n\
               client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp}; uwsgi_temp_path {tmp}; scgi_temp_path {tmp};\n\
               server {{ listen 127.0.0.1:{port}; root {root}; }} }}\n",
            pid = dir.path().join("nginx.pid").display(),
            err = dir.path().join("nginx.err").display(),
            tmp = dir.path().display(),
            root = root.display(),
        ),
    )
    .expect("nginx.conf");
    let mut nginx = Command::new("nginx")
        .args([
            "-c",
            &conf.display().to_string(),
            "-p",
            &dir.path().display().to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    std::thread::sleep(Duration::from_millis(500));
    let static_url = format!("http://127.0.0.1:{port}/sammantraden/{meeting}");
    let same = runtime
        .block_on(async { reqwest::get(&static_url).await?.text().await })
        .expect("nginx answers");
    assert_eq!(same, html, "nginx serves the same page");

    println!(
        "page: {} bytes; wrk -t1 -c{CONNECTIONS} -d{SECONDS}s, {ROUNDS} rounds each, alternating",
        html.len()
    );
    let (mut k_rps, mut k_p99, mut n_rps, mut n_p99) = (vec![], vec![], vec![], vec![]);
    let (mut u_rps, mut u_p99) = (vec![], vec![]);
    wrk(&page_url, 2);
    wrk(&uncached_url, 2);
    wrk(&static_url, 2);
    for round in 1..=ROUNDS {
        let (r, p) = wrk(&page_url, SECONDS);
        println!("round {round}: kansli          {r:>9.0} req/s  p99 {p:>7.2} ms");
        k_rps.push(r);
        k_p99.push(p);
        let (r, p) = wrk(&uncached_url, SECONDS);
        println!("round {round}: kansli uncached {r:>9.0} req/s  p99 {p:>7.2} ms");
        u_rps.push(r);
        u_p99.push(p);
        let (r, p) = wrk(&static_url, SECONDS);
        println!("round {round}: nginx           {r:>9.0} req/s  p99 {p:>7.2} ms");
        n_rps.push(r);
        n_p99.push(p);
    }
    // SIGKILL to the master would leave its workers running: ask it to stop.
    let stopped = Command::new("nginx")
        .args([
            "-c",
            &conf.display().to_string(),
            "-p",
            &dir.path().display().to_string(),
            "-s",
            "stop",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !stopped {
        nginx.kill().ok();
    }
    nginx.wait().ok();
    let (kr, kp, nr, np) = (median(k_rps), median(k_p99), median(n_rps), median(n_p99));
    let (ur, up) = (median(u_rps), median(u_p99));
    println!("\nmedian of {ROUNDS} rounds");
    println!("{:<28}{:>12}{:>12}", "", "req/s", "p99 (ms)");
    println!("{:<28}{:>12.0}{:>12.2}", "kansli (protocol page)", kr, kp);
    println!("{:<28}{:>12.0}{:>12.2}", "kansli, cache off", ur, up);
    println!(
        "{:<28}{:>12.0}{:>12.2}",
        "nginx (same page, static)", nr, np
    );
    println!("kansli / nginx throughput: {:.2}", kr / nr);
    println!("kansli / kansli with the cache off: {:.1}", kr / ur);
}
