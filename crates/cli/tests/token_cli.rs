//! `kansli token` and the demo's API token, as a user runs them.

use std::process::Command;

const KANSLI: &str = env!("CARGO_BIN_EXE_kansli");

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

/// The `kansli_…` token on a line of `text`.
fn token_in(text: &str) -> Option<String> {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_'))
        .find(|w| kansli_store::tokens::looks_like_token(w))
        .map(str::to_string)
}

#[test]
fn tokens_are_made_listed_and_revoked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let db = dir.path().join("data").join("kansli.db");
    let db = db.to_str().unwrap();

    // The demo prints a token for admin with a curl line; a second run
    // makes a new one and revokes the first.
    let (ok, out, err) = run(&["demo", "--data-dir", data, "--no-serve"]);
    assert!(ok, "{err}");
    let first = token_in(&out).unwrap_or_else(|| panic!("no token in {out}"));
    assert!(
        out.contains("curl") && out.contains("Authorization: Bearer"),
        "{out}"
    );
    let (ok, out, err) = run(&["demo", "--data-dir", data, "--no-serve"]);
    assert!(ok, "{err}");
    let second = token_in(&out).unwrap();
    assert_ne!(first, second);

    let (ok, out, err) = run(&[
        "token",
        "create",
        "--db",
        db,
        "--organisation",
        "Region Halland",
        "--role",
        "secretary",
        "--label",
        "Ärendesystemet",
        "--created-by",
        "admin",
    ]);
    assert!(ok, "{err}");
    let made = out.trim();
    assert!(
        kansli_store::tokens::looks_like_token(made),
        "only the token on stdout: {out}"
    );
    assert!(err.contains("visas bara nu"), "{err}");

    let (ok, list, _) = run(&["token", "list", "--db", db]);
    assert!(ok);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 3, "{list}");
    assert!(lines[0].contains("Ärendesystemet") && lines[0].contains("sekreterare"));
    assert!(lines[0].ends_with("aktiv"), "{list}");
    assert!(
        !lines[2].ends_with("aktiv"),
        "the first demo token is revoked: {list}"
    );
    assert!(
        !list.contains(made) && !list.contains(&second),
        "no token is listed"
    );

    let id = lines[0].split('\t').next().unwrap();
    let (ok, out, _) = run(&["token", "revoke", "--db", db, "--id", id]);
    assert!(ok);
    assert!(out.contains("återkallad"), "{out}");
    let (ok, _, err) = run(&["token", "revoke", "--db", db, "--id", id]);
    assert!(!ok);
    assert!(err.contains("redan återkallad"), "{err}");

    // Refusals in words: a user who is no administrator, an unknown role.
    let (ok, _, err) = run(&[
        "token",
        "create",
        "--db",
        db,
        "--organisation",
        "Region Halland",
        "--role",
        "case-officer",
        "--label",
        "x",
        "--created-by",
        "sekreterare",
    ]);
    assert!(!ok);
    assert!(err.contains("bara en administratör"), "{err}");
    let (ok, _, err) = run(&[
        "token",
        "create",
        "--db",
        db,
        "--organisation",
        "Region Halland",
        "--role",
        "kung",
        "--label",
        "x",
        "--created-by",
        "admin",
    ]);
    assert!(!ok);
    assert!(err.contains("okänd roll"), "{err}");
}
