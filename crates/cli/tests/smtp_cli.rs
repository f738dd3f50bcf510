//! The SMTP options of `kansli serve`: a sender that is no address is
//! refused before anything starts, in Swedish, naming the option.

use std::process::Command;

#[test]
fn a_bad_sender_is_refused_before_the_server_starts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kansli.db");
    let out = Command::new(env!("CARGO_BIN_EXE_kansli"))
        .args(["serve", "--db"])
        .arg(&db)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-from",
            "inte en adress",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--smtp-from"), "{err}");
    assert!(
        err.contains("Avsändaradressen «inte en adress» går inte att använda"),
        "{err}"
    );
    // Refused before the database was touched.
    assert!(!db.exists());
}
