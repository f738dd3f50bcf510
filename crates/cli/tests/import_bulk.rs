//! `kansli import protocols DIR`: a generated back catalogue of 1,000 files
//! (two layouts as texts and PDFs, each file its own meeting, with broken
//! files, copies, a second version of a meeting, non-protocols and other
//! kinds of files), imported by the real binary into a fresh database; run
//! again (nothing new); interrupted by SIGINT and resumed, with the database
//! checked for half-written meetings. And a scanned PDF read by Tesseract.

#[path = "support/corpus.rs"]
mod corpus;

use kansli_testsupport::{TestDb, all};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KANSLI: &str = env!("CARGO_BIN_EXE_kansli");
const FILES: usize = 1000;
/// On PostgreSQL, where each meeting's transaction costs a round trip per
/// row, a quarter of it: the same kinds of files, in CI's time.
const FILES_POSTGRES: usize = 250;

fn files_for(db: &TestDb) -> usize {
    if db.label == "postgres" {
        FILES_POSTGRES
    } else {
        FILES
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../import/tests/import")
}

/// Runs `kansli import protocols`; the exit status and the JSON report.
fn import(db: &str, dir: &Path, report: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = Command::new(KANSLI)
        .args(["import", "protocols"])
        .arg(dir)
        .args(["--db", db, "--report"])
        .arg(report)
        .args(extra)
        .env("KANSLI_LOG", "warn")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = std::fs::read_to_string(report.with_extension("json"))
        .unwrap_or_else(|e| panic!("no report ({e}): {stderr}"));
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&json).unwrap(),
        stderr,
    )
}

fn count(report: &Value, status: &str) -> u64 {
    report["summary"][status].as_u64().unwrap()
}

fn rows<'a>(report: &'a Value, status: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(move |r| r["status"] == status)
}

/// The database holds exactly the meetings the reports say were imported,
/// each whole: its import record with the file's SHA-256, and as many
/// paragraphs as the report says; no meeting without its import record.
async fn check_database(db: &TestDb, reports: &[&Value], meetings: usize) {
    let store = db.store().await;
    let pool = store.pool();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM meetings")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(stored as usize, meetings, "{}", db.label);
    let orphans: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM meetings m WHERE NOT EXISTS \
         (SELECT 1 FROM meeting_imports i WHERE i.meeting_id = m.id)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(orphans, 0, "{}: meetings without their import", db.label);
    let paragraphs: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(
        "SELECT meeting_id, COUNT(*) FROM paragraphs GROUP BY meeting_id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    let imports: HashMap<i64, String> =
        sqlx::query_as::<_, (i64, String)>("SELECT meeting_id, sha256 FROM meeting_imports")
            .fetch_all(pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    assert_eq!(imports.len(), meetings, "{}", db.label);
    let mut reported = 0;
    for report in reports {
        for row in rows(report, "importerad") {
            reported += 1;
            let meeting = row["meeting"].as_i64().unwrap();
            assert_eq!(
                imports.get(&meeting).map(String::as_str),
                row["sha256"].as_str(),
                "{}: {row}",
                db.label
            );
            assert_eq!(
                paragraphs.get(&meeting).copied().unwrap_or(0),
                row["paragraphs"].as_i64().unwrap(),
                "{}: {row}",
                db.label
            );
        }
    }
    assert_eq!(reported, meetings, "{}", db.label);
    if db.label == "sqlite" {
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(check, "ok");
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_back_catalogue_is_imported_once_and_a_second_run_imports_nothing() {
    let work = tempfile::tempdir().unwrap();
    for db in all().await {
        let files = files_for(&db);
        let dir = work.path().join(format!("arkiv-{}", db.label));
        let expected = corpus::generate(&fixtures(), &dir, files);
        let report_path = work.path().join(format!("{}-1.csv", db.label));
        let t0 = Instant::now();
        let (code, report, stderr) = import(&db.url, &dir, &report_path, &[]);
        let first = t0.elapsed();
        assert_eq!(code, 3, "{}: some files need attention\n{stderr}", db.label);
        assert_eq!(report["files"].as_array().unwrap().len(), files, "{stderr}");
        assert_eq!(report["interrupted"], false);
        let want = [
            ("importerad", expected.meetings),
            ("dubblett", expected.copies + expected.versions),
            ("fel", expected.broken),
            ("inte ett protokoll", expected.not_protocols),
            ("hoppades över", expected.other_kinds),
            ("redan inläst", 0),
            ("behöver OCR", 0),
        ];
        for (status, n) in want {
            assert_eq!(
                count(&report, status),
                n as u64,
                "{}: {status}\n{}",
                db.label,
                report["summary"]
            );
        }
        // The summary in Swedish, and the CSV beside the JSON.
        assert!(
            stderr.contains(&format!("Klart: {files} filer")),
            "{stderr}"
        );
        assert!(stderr.contains("importerad:"), "{stderr}");
        let csv = std::fs::read_to_string(&report_path).unwrap();
        assert!(csv.starts_with("fil;storlek;sha256;status;organ;datum;paragrafer;varningar"));
        assert_eq!(csv.lines().count(), files + 1);
        // Each broken file has its reason; the PDFs were read as PDFs.
        for row in rows(&report, "fel") {
            assert!(
                row["file"].as_str().unwrap().starts_with("trasiga/"),
                "{row}"
            );
            assert!(!row["error"].as_str().unwrap().is_empty(), "{row}");
        }
        let pdfs = rows(&report, "importerad")
            .filter(|r| r["file"].as_str().unwrap().ends_with(".pdf"))
            .count();
        assert_eq!(pdfs, expected.pdfs, "{}", db.label);
        for row in rows(&report, "importerad") {
            assert_eq!(row["paragraphs"], 5, "{row}");
            assert!(row["organ"].is_string() && row["date"].is_string(), "{row}");
        }
        eprintln!(
            "{}: {files} files in {:.1} s ({:.0} files/s, debug build)",
            db.label,
            first.as_secs_f64(),
            files as f64 / first.as_secs_f64()
        );

        // Again: nothing new; every protocol is recognised by its hash.
        let report_path2 = work.path().join(format!("{}-2", db.label));
        let (code, again, stderr) = import(&db.url, &dir, &report_path2, &[]);
        assert_eq!(code, 3, "{stderr}");
        assert_eq!(count(&again, "importerad"), 0, "{}", again["summary"]);
        assert_eq!(
            count(&again, "redan inläst"),
            (expected.meetings + expected.copies) as u64,
            "{}",
            again["summary"]
        );
        assert_eq!(count(&again, "dubblett"), expected.versions as u64);
        for row in rows(&again, "redan inläst") {
            assert!(row["meeting"].is_i64(), "{row}");
        }
        check_database(&db, &[&report], expected.meetings).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_run_leaves_no_half_written_meeting_and_a_new_run_goes_on() {
    let work = tempfile::tempdir().unwrap();
    for db in all().await {
        let files = files_for(&db);
        let dir = work.path().join(format!("arkiv-{}", db.label));
        let expected = corpus::generate(&fixtures(), &dir, files);
        // The database exists before the run, so the test can watch it.
        let watch = db.store().await;
        let report_path = work.path().join(format!("{}-avbruten", db.label));
        let mut child = Command::new(KANSLI)
            .args(["import", "protocols"])
            .arg(&dir)
            .args(["--db", &db.url, "--jobs", "2", "--report"])
            .arg(&report_path)
            .env("KANSLI_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        let some = expected.meetings / 8;
        loop {
            let done = watch.imported_hashes().await.unwrap().len();
            if done >= some {
                break;
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "the run ended before it was interrupted"
            );
            assert!(t0.elapsed() < Duration::from_secs(300), "no progress");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let sent = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "{}: {stderr}", db.label);
        assert!(stderr.contains("Avbryter"), "{stderr}");
        assert!(stderr.contains("Avbrutet efter"), "{stderr}");
        let first: Value = serde_json::from_str(
            &std::fs::read_to_string(report_path.with_extension("json")).unwrap(),
        )
        .unwrap();
        assert_eq!(first["interrupted"], true);
        let done_first = count(&first, "importerad") as usize;
        assert!(
            done_first >= some && done_first < expected.meetings,
            "{}: {done_first} imported before the stop",
            db.label
        );
        // What the report says was imported is what the database holds.
        check_database(&db, &[&first], done_first).await;
        watch.close().await;

        // Resumed: the rest, and nothing twice.
        let report_path2 = work.path().join(format!("{}-fortsatt", db.label));
        let (code, rest, stderr) = import(&db.url, &dir, &report_path2, &[]);
        assert_eq!(code, 3, "{stderr}");
        assert_eq!(rest["interrupted"], false);
        assert_eq!(rest["files"].as_array().unwrap().len(), files);
        assert!(count(&rest, "redan inläst") as usize >= done_first);
        assert_eq!(
            done_first + count(&rest, "importerad") as usize,
            expected.meetings,
            "{}: {}",
            db.label,
            rest["summary"]
        );
        check_database(&db, &[&first, &rest], expected.meetings).await;
    }
}

/// Whether OCR must run here (.ci/run installs Tesseract and sets it).
fn ocr_required() -> bool {
    std::env::var("KANSLI_REQUIRE_OCR").as_deref() == Ok("1")
}

fn have(program: &str, arg: &str) -> Option<String> {
    Command::new(program)
        .arg(arg)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scanned_pdf_is_read_with_tesseract_or_listed_as_needing_ocr() {
    let tools = have("pdftoppm", "-v").is_some()
        && have("tesseract", "--list-langs").is_some_and(|l| l.lines().any(|l| l.trim() == "swe"));
    if !tools {
        if ocr_required() {
            panic!(
                "KANSLI_REQUIRE_OCR=1 but pdftoppm or tesseract with Swedish is missing (Debian: poppler-utils, tesseract-ocr, tesseract-ocr-swe)"
            );
        }
        eprintln!(
            "\n*** SKIPPED: OCR check (install poppler-utils, tesseract-ocr and tesseract-ocr-swe to run it; .ci/run does) ***\n"
        );
        return;
    }
    let work = tempfile::tempdir().unwrap();
    // A protocol printed and scanned: its pages as pictures at 200 dpi.
    let text = corpus::protocol(&fixtures(), 0);
    let printed = work.path().join("utskrift.pdf");
    std::fs::write(&printed, corpus::text_pdf(&text)).unwrap();
    let prefix = work.path().join("sida");
    let ok = Command::new("pdftoppm")
        .args(["-r", "200", "-gray"])
        .arg(&printed)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(ok.success());
    let mut images: Vec<PathBuf> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pgm"))
        .collect();
    images.sort();
    assert!(images.len() >= 2, "{images:?}");
    let pages: Vec<_> = images
        .iter()
        .map(|p| corpus::read_pgm(&std::fs::read(p).unwrap()))
        .collect();
    let dir = work.path().join("skannat");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("skannat-protokoll.pdf"), corpus::image_pdf(&pages)).unwrap();

    // Without OCR: listed as needing it, nothing stored.
    let db = kansli_testsupport::sqlite();
    let (code, report, stderr) =
        import(&db.url, &dir, &work.path().join("utan-ocr"), &["--no-ocr"]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(count(&report, "behöver OCR"), 1, "{}", report["files"]);

    // With it: read and stored, the warning that OCR read it first.
    let (code, report, stderr) = import(&db.url, &dir, &work.path().join("med-ocr"), &[]);
    assert_eq!(code, 0, "{stderr}\n{}", report["files"]);
    let row = &report["files"][0];
    assert_eq!(row["status"], "importerad", "{row}");
    assert_eq!(row["ocr"], true);
    assert_eq!(row["organ"], "Socialnämnden", "{row}");
    assert_eq!(row["date"], "1980-10-15", "{row}");
    assert_eq!(row["paragraphs"], 5, "{row}");
    assert!(
        row["warnings"][0].as_str().unwrap().contains("OCR"),
        "{row}"
    );
    let store = db.store().await;
    let stored = store.imports().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].media_type, "application/pdf");

    // The single-file command reads it the same way.
    let out = Command::new(KANSLI)
        .args(["import", "protocol", "--json"])
        .arg(dir.join("skannat-protokoll.pdf"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["paragraphs"].as_array().unwrap().len(), 5);
}
