//! The `kansli` binary as a user runs it, and as it dies: `kill -9` right
//! after a write, then a restart that must find the write.

use kansli_testsupport::{TestDb, all};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const KANSLI: &str = env!("CARGO_BIN_EXE_kansli");

/// Starts `kansli` with `args` and waits for the URL it prints.
fn start(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(KANSLI)
        .args(args)
        .env("KANSLI_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("kansli starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("kansli printed its URL before exiting")
            .unwrap();
        if let Some(url) = line.strip_prefix("Kansli körs på ") {
            break url.trim_end_matches('/').to_string();
        }
    };
    (child, url)
}

fn add_admin(db: &str) {
    let out = Command::new(KANSLI)
        .args([
            "user",
            "add",
            "--db",
            db,
            "--username",
            "systemadmin",
            "--admin",
        ])
        .env("KANSLI_PASSWORD", "ett långt lösenord")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("administratör"));
}

/// An API token for Region Halland made with `kansli token create`, as
/// printed on standard output.
fn create_token(db: &str) -> String {
    let out = Command::new(KANSLI)
        .args([
            "token",
            "create",
            "--db",
            db,
            "--organisation",
            "Region Halland",
            "--role",
            "case-officer",
            "--label",
            "krasch",
            "--created-by",
            "systemadmin",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn demo_creates_the_database_once_and_serves_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let out = Command::new(KANSLI)
        .args(["demo", "--data-dir", data, "--no-serve"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("demodata inläst"));
    assert!(dir.path().join("data/kansli.db").exists());
    let out = Command::new(KANSLI)
        .args(["demo", "--data-dir", data, "--no-serve"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("demodata fanns redan"));

    let (mut child, url) = start(&["demo", "--data-dir", data, "--addr", "127.0.0.1:0"]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let body = rt.block_on(async {
        reqwest::get(format!("{url}/"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(body.contains("Region Halland"));
}

#[test]
fn errors_are_said_in_words_with_a_failing_exit_code() {
    let out = Command::new(KANSLI)
        .args(["serve", "--db", "postgres://nobody@127.0.0.1:1/none"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fel: kunde inte ansluta till databasen"),
        "{err}"
    );
    assert!(!err.contains("panicked"));

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let out = Command::new(KANSLI)
        .args([
            "user",
            "add",
            "--db",
            db.to_str().unwrap(),
            "--username",
            "a",
        ])
        .env("KANSLI_PASSWORD", "kort")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("minst 12 tecken"));

    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["user", "add", "--help"],
    ] {
        let out = Command::new(KANSLI).args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
    }
}

async fn count_cases(url: &str) -> usize {
    let cases: Value = reqwest::get(format!("{url}/api/v1/organisations/1/cases"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    cases.as_array().unwrap().len()
}

/// Writes through the API, kills the server with SIGKILL the moment the last
/// write has answered, restarts it and checks that every answered write is
/// there, whole.
async fn survives_kill_9(db: &TestDb) {
    let store = db.store().await;
    kansli_demo::load(&store).await.unwrap();
    store.close().await;
    add_admin(&db.url);
    let token = create_token(&db.url);

    let (mut child, url) = start(&["serve", "--db", &db.url, "--addr", "127.0.0.1:0"]);
    let before = count_cases(&url).await;
    let client = reqwest::Client::new();
    let mut created = Vec::new();
    for i in 0..20 {
        let r = client
            .post(format!("{url}/api/v1/organisations/1/cases"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"title": format!("Ärende {i} före krasch"), "registered": "2025-03-03"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", db.label);
        let v: Value = r.json().await.unwrap();
        created.push(v["api"].as_str().unwrap().to_string());
    }
    child.kill().unwrap(); // SIGKILL on Unix: no shutdown, no flush.
    child.wait().unwrap();

    let (mut child, url) = start(&["serve", "--db", &db.url, "--addr", "127.0.0.1:0"]);
    for (i, api) in created.iter().enumerate() {
        let case: Value = reqwest::get(format!("{url}{api}"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            case["title"],
            format!("Ärende {i} före krasch"),
            "{}",
            db.label
        );
    }
    assert_eq!(count_cases(&url).await, before + 20);
    child.kill().unwrap();
    child.wait().unwrap();

    // Each case has its audit record; nothing is half-written.
    let store = db.store().await;
    let audited = store
        .audit_tail(1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entity == "case" && r.actor.starts_with("token:"))
        .count();
    assert_eq!(audited, 20, "{}", db.label);
    if db.label == "sqlite" {
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(check, "ok");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_that_was_answered_survives_kill_9() {
    for db in all().await {
        survives_kill_9(&db).await;
    }
}

#[test]
fn the_calendar_commands_answer_in_the_documented_shape() {
    let run = |args: &[&str]| {
        let out = Command::new(KANSLI).args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, _) = run(&["calendar", "holidays", "2024"]);
    assert!(ok);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 13);
    assert_eq!(lines[3], "2024-03-31 påskdagen");
    assert_eq!(lines[9], "2024-06-22 midsommardagen");
    let (ok, out, _) = run(&["calendar", "appeal-deadline", "2025-02-04"]);
    assert!(ok);
    assert_eq!(out.lines().next(), Some("2025-02-25"));
    let (_, out, _) = run(&["calendar", "appeal-deadline", "2025-12-03"]);
    assert_eq!(out.lines().next(), Some("2025-12-29"));
    let (_, out, _) = run(&["calendar", "next-working-day", "2025-06-19"]);
    assert_eq!(
        out.trim(),
        "2025-06-23",
        "midsommarafton and the weekend are skipped"
    );
    let (ok, _, err) = run(&["calendar", "holidays", "1999"]);
    assert!(!ok && err.contains("stöds inte"), "{err}");
}

/// Runs `kansli` to completion; returns (success, stdout, stderr).
fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(KANSLI)
        .args(args)
        .env("KANSLI_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn documents_render_from_the_demo_database_by_the_ids_meetings_list_prints() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    assert!(run(&["demo", "--data-dir", data, "--no-serve"]).0);
    let db = format!("{data}/kansli.db");

    let (ok, listing, _) = run(&["meetings", "list", "--db", &db]);
    assert!(ok);
    let line = listing
        .lines()
        .find(|l| l.contains("2025-01-28") && l.contains("Regionstyrelsens arbetsutskott"))
        .unwrap_or_else(|| panic!("no RSAU meeting in:\n{listing}"));
    let id = line.split('\t').next().unwrap();
    assert!(
        id.parse::<i64>().is_ok(),
        "the line starts with the ID: {line}"
    );

    // The demo leaves this meeting justerat by signatures, so its public
    // protocol renders; a held, unapproved meeting's does not
    // (kansli_core::publication).
    let (ok, text, err) = run(&[
        "render",
        "protocol",
        "--db",
        &db,
        "--meeting",
        id,
        "--format",
        "txt",
        "-o",
        "-",
    ]);
    assert!(ok, "{err}");
    assert!(!text.contains("UTKAST"), "{text}");
    let unapproved = listing
        .lines()
        .find(|l| l.contains("2017-08-16") && l.contains("Individ- och familjenämnden"))
        .unwrap_or_else(|| panic!("no held, unapproved meeting in:\n{listing}"));
    let unapproved = unapproved.split('\t').next().unwrap();
    let (ok, _, err) = run(&[
        "render",
        "protocol",
        "--db",
        &db,
        "--meeting",
        unapproved,
        "-o",
        "-",
    ]);
    assert!(!ok);
    assert!(err.contains("är inte justerat än"), "{err}");
    let pdf = dir.path().join("protokoll.pdf");
    let (ok, _, err) = run(&[
        "render",
        "protocol",
        "--db",
        &db,
        "--meeting",
        id,
        "--complete",
        "--format",
        "pdf",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));

    let (ok, text, err) = run(&[
        "render",
        "extract",
        "--db",
        &db,
        "--meeting",
        id,
        "--paragraph",
        "14",
        "--complete",
        "--format",
        "txt",
        "-o",
        "-",
    ]);
    assert!(ok, "{err}");
    assert!(text.contains("§14 Svar på motion om mottagning för köpare av sexuella tjänster"));
    assert!(text.contains("Resultat\t3\t2\t0"));

    let (ok, html, err) = run(&[
        "render", "report", "--db", &db, "--case", "RS231470", "--format", "html", "-o", "-",
    ]);
    assert!(ok, "{err}");
    assert!(html.contains("<h2 id=\"forslag-rubrik\">Svar på motion om KAST-mottagning</h2>"));

    let (ok, text, err) = run(&[
        "render",
        "agenda",
        "--db",
        &db,
        "--meeting",
        id,
        "--format",
        "txt",
        "-o",
        "-",
    ]);
    assert!(ok, "{err}");
    assert!(text.contains("Föredragningslista"));

    // The demo leaves this protocol signed and posted: its notice names
    // the signed protocol's SHA-256.
    let (ok, text, err) = run(&[
        "render",
        "notice",
        "--db",
        &db,
        "--meeting",
        id,
        "--format",
        "txt",
        "-o",
        "-",
    ]);
    assert!(ok, "{err}");
    assert!(
        text.contains("Protokollets förvaringsplats: Regionkontoret, Halmstad (demo)")
            && text.contains("Det signerade protokollets SHA-256: "),
        "{text}"
    );

    // Refusals say what is wrong, in Swedish, and write nothing.
    let held = listing
        .lines()
        .find(|l| l.contains("2017-08-16") && l.contains("Individ- och familjenämnden"))
        .unwrap_or_else(|| panic!("no held, unapproved meeting in:\n{listing}"));
    let held = held.split('\t').next().unwrap();
    let (ok, _, err) = run(&[
        "render",
        "notice",
        "--db",
        &db,
        "--meeting",
        held,
        "-o",
        "-",
    ]);
    assert!(!ok);
    assert!(
        err.contains("anslag kan upprättas först när protokollet är justerat"),
        "{err}"
    );
    let (ok, _, err) = run(&[
        "render",
        "extract",
        "--db",
        &db,
        "--meeting",
        id,
        "--paragraph",
        "99",
        "--complete",
    ]);
    assert!(!ok);
    assert!(err.contains("§99 finns inte i protokollet"), "{err}");
    let (ok, _, err) = run(&["render", "report", "--db", &db, "--case", "RS000000"]);
    assert!(!ok);
    assert!(err.contains("ärendet RS000000 finns inte"), "{err}");
    let (ok, _, err) = run(&[
        "render",
        "protocol",
        "--db",
        &db,
        "--meeting",
        id,
        "--format",
        "docx",
    ]);
    assert!(!ok);
    assert!(err.contains("okänt format «docx»"), "{err}");
    let (ok, _, err) = run(&["render", "protocol", "--db", &db, "--meeting", "999"]);
    assert!(!ok);
    assert!(err.contains("finns inte"), "{err}");
}

#[test]
fn a_rendered_protocol_imports_back_as_json_and_a_non_protocol_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    assert!(run(&["demo", "--data-dir", data, "--no-serve"]).0);
    let db = format!("{data}/kansli.db");
    let txt = dir.path().join("protokoll.txt");
    let (ok, _, err) = run(&[
        "render",
        "protocol",
        "--db",
        &db,
        "--meeting",
        "1",
        "--complete",
        "--format",
        "txt",
        "-o",
        txt.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let (ok, out, err) = run(&["import", "protocol", txt.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["organ"], "Regionstyrelsens arbetsutskott");
    assert_eq!(json["meeting_date"], "2025-01-28");
    assert_eq!(json["chair"], "Mikaela Waltersson");
    assert_eq!(json["approvers"][0], "Lise-Lotte Bensköld Olsson");
    assert_eq!(json["paragraphs"].as_array().unwrap().len(), 15);
    assert_eq!(json["paragraphs"][13]["case_number"], "RS231470");
    assert_eq!(json["paragraphs"][13]["votes"][0]["ja"], 3);
    assert_eq!(
        json["paragraphs"][13]["votes"][0]["roll"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(json["warnings"].as_array().unwrap().len(), 0);

    // The PDF itself, read with the built-in extraction: the same meeting.
    let pdf = dir.path().join("protokoll.pdf");
    let (ok, _, err) = run(&[
        "render",
        "protocol",
        "--db",
        &db,
        "--meeting",
        "1",
        "--complete",
        "--format",
        "pdf",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let (ok, out, err) = run(&["import", "protocol", pdf.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let from_pdf: Value = serde_json::from_str(&out).unwrap();
    for field in [
        "organ",
        "meeting_date",
        "chair",
        "secretary",
        "approvers",
        "agenda",
    ] {
        assert_eq!(from_pdf[field], json[field], "{field}");
    }
    let votes = |j: &Value| j["paragraphs"][13]["votes"].clone();
    assert_eq!(votes(&from_pdf), votes(&json));
    assert_eq!(from_pdf["warnings"].as_array().unwrap().len(), 0, "{out}");

    // A damaged PDF: a reason, no output, no panic.
    let mut bytes = std::fs::read(&pdf).unwrap();
    bytes.truncate(bytes.len() / 3);
    for b in bytes.iter_mut().skip(2000).step_by(7) {
        *b = b'#';
    }
    let broken = dir.path().join("trasig.pdf");
    std::fs::write(&broken, &bytes).unwrap();
    let (ok, out, err) = run(&["import", "protocol", broken.to_str().unwrap()]);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(err.contains("trasig.pdf"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let news = dir.path().join("nyhet.txt");
    std::fs::write(&news, "Nämnden sa nej.\nMer i morgon.\n").unwrap();
    let (ok, out, err) = run(&["import", "protocol", news.to_str().unwrap()]);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(err.contains("ser inte ut som ett protokoll"), "{err}");
}

/// `kansli meetings list | head -3`: the reader goes away before the list
/// is written. No panic, no stack trace, nothing on standard error, and
/// the status of a program stopped by SIGPIPE (141).
#[test]
fn a_closed_pipe_ends_the_listing_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    assert!(run(&["demo", "--data-dir", data, "--no-serve"]).0);
    let db = format!("{data}/kansli.db");
    for args in [
        vec!["meetings", "list", "--db", db.as_str()],
        vec!["calendar", "holidays", "2025"],
    ] {
        let mut child = Command::new(KANSLI)
            .args(&args)
            .env("KANSLI_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the only reading end at once: every write the child makes
        // then meets a closed pipe.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: quiet, not {err}");
        assert_eq!(out.status.code(), Some(141), "{args:?}");
    }
}

/// A write error that is not a closed pipe: one line in Swedish on
/// standard error and a failure status.
#[test]
fn a_full_device_gives_a_swedish_one_line_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("SKIP: /dev/full is not available here");
        return;
    };
    let out = Command::new(KANSLI)
        .args(["calendar", "holidays", "2025"])
        .env("KANSLI_LOG", "warn")
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(out.status.code(), Some(1));
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with("fel: kunde inte skriva till standard ut: enheten är full"),
        "{err}"
    );
}
