//! The bulk import's throughput over a generated back catalogue of 1,000
//! files (the corpus of the CLI's `import_bulk` test: two layouts as texts
//! and PDFs, with broken files, copies and non-protocols) into a fresh
//! SQLite database, with its CPU use (user + system time over wall time;
//! 100 % is one core busy).
//!
//! `cargo bench -p kansli-import --bench bulk` (KANSLI_BULK_FILES=N for
//! another size, KANSLI_BULK_JOBS=N for another number of workers).

#[path = "../../cli/tests/support/corpus.rs"]
mod corpus;

use kansli_import::bulk::{BulkOptions, PdfReader, Progress, Report, import_dir};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn line(what: &str, report: &Report, files: usize) {
    let mb = report.bytes() as f64 / 1e6;
    let secs = report.wall_seconds;
    let cpu = report.cpu_seconds.unwrap_or(0.0);
    println!(
        "{what:<38} {files} files, {mb:.1} MB in {secs:.2} s: {:>6.0} files/s, {:>6.2} MB/s, CPU {:>4.0} % ({cpu:.2} s user+sys)",
        files as f64 / secs,
        mb / secs,
        100.0 * cpu / secs
    );
}

fn main() {
    let files = env("KANSLI_BULK_FILES", 1000);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs = env("KANSLI_BULK_JOBS", cores);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("arkiv");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import");
    let expected = corpus::generate(&fixtures, &dir, files);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = format!(
            "sqlite://{}?mode=rwc",
            work.path().join("kansli.db").display()
        );
        let store = kansli_store::Store::connect(&url).await.unwrap();
        let options = BulkOptions {
            dir: dir.clone(),
            organisation: None,
            jobs,
            pdf: PdfReader::InProcess,
            ocr: None,
        };
        let stop = Arc::new(AtomicBool::new(false));
        println!(
            "bulk import, {cores} cores, {jobs} workers, {} PDFs among {files} files",
            expected.pdfs
        );
        let first = import_dir(
            &store,
            &options,
            Arc::new(Progress::default()),
            stop.clone(),
        )
        .await
        .unwrap();
        let imported = first
            .files
            .iter()
            .filter(|r| r.status == kansli_import::bulk::Status::Imported)
            .count();
        assert_eq!(imported, expected.meetings, "{:?}", first.counts());
        line("first run (read, parse, store)", &first, files);
        let again = import_dir(&store, &options, Arc::new(Progress::default()), stop)
            .await
            .unwrap();
        line("second run (hash, skip)", &again, files);
        store.close().await;
    });

    // The reading alone, without the database: what the workers can do.
    let paths: Vec<std::path::PathBuf> = {
        let mut v = Vec::new();
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    v.push(p);
                }
            }
        }
        v
    };
    let cpu0 = kansli_import::bulk::cpu_time().unwrap_or_default();
    let t0 = std::time::Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let bytes = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                let stop = AtomicBool::new(false);
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(p) = paths.get(i) else { break };
                    let b = std::fs::read(p).unwrap();
                    bytes.fetch_add(b.len() as u64, std::sync::atomic::Ordering::Relaxed);
                    let _ = kansli_import::bulk::read_file(&b, &PdfReader::InProcess, None, &stop);
                }
            });
        }
    });
    let secs = t0.elapsed().as_secs_f64();
    let cpu = (kansli_import::bulk::cpu_time().unwrap_or_default() - cpu0).as_secs_f64();
    let mb = bytes.into_inner() as f64 / 1e6;
    println!(
        "{:<38} {} files, {mb:.1} MB in {secs:.2} s: {:>6.0} files/s, {:>6.2} MB/s, CPU {:>4.0} % ({cpu:.2} s user+sys)",
        "reading only (no database)",
        paths.len(),
        paths.len() as f64 / secs,
        mb / secs,
        100.0 * cpu / secs
    );
}
