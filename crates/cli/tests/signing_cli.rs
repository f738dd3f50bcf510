//! `kansli signing init|show`, `kansli verify` and the demo's keys, as a
//! user runs them: files and their modes, refusal to overwrite, import of
//! existing PEMs, and offline verification with its exit status.

use std::path::Path;
use std::process::Command;

const KANSLI: &str = env!("CARGO_BIN_EXE_kansli");

struct Run {
    code: Option<i32>,
    out: String,
    err: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::new(KANSLI)
        .args(args)
        .env("KANSLI_LOG", "warn")
        .env_remove("KANSLI_KEYS")
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A demo database in `dir` (its keys in `dir/nycklar`).
fn demo(dir: &Path) -> String {
    let data = dir.to_str().unwrap();
    let r = run(&["demo", "--data-dir", data, "--no-serve"]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    dir.join("kansli.db").to_str().unwrap().to_string()
}

#[test]
fn init_creates_private_keys_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let db = demo(&tmp.path().join("data"));
    let keys = tmp.path().join("andra-nycklar");
    let keys_s = keys.to_str().unwrap();

    let r = run(&[
        "signing",
        "init",
        "--db",
        &db,
        "--keys",
        keys_s,
        "--organisation",
        "Region Halland",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    let dir = keys.join("1");
    assert!(r.out.contains(dir.to_str().unwrap()), "{}", r.out);
    let root = kansli_sign::keys::load_root(&keys, 1).unwrap().unwrap();
    let fingerprint = kansli_sign::keys::fingerprint(&root);
    assert!(r.out.contains(&fingerprint), "{}", r.out);
    assert!(!r.out.contains("PRIVATE KEY"), "{}", r.out);
    #[cfg(unix)]
    {
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("signing-ca-key.pem")), 0o600);
        assert_eq!(mode(&dir.join("root-key.pem")), 0o600);
        assert_eq!(mode(&dir.join("root.pem")) & 0o077, 0o044);
    }
    let key_before = std::fs::read(dir.join("signing-ca-key.pem")).unwrap();

    // The same organisation again, by id: refused, nothing changed.
    let r = run(&[
        "signing",
        "init",
        "--db",
        &db,
        "--keys",
        keys_s,
        "--organisation",
        "1",
    ]);
    assert_ne!(r.code, Some(0));
    assert!(r.err.contains("finns redan"), "{}", r.err);
    assert_eq!(
        std::fs::read(dir.join("signing-ca-key.pem")).unwrap(),
        key_before
    );

    // An organisation that does not exist.
    let r = run(&[
        "signing",
        "init",
        "--db",
        &db,
        "--keys",
        keys_s,
        "--organisation",
        "Ingenstans kommun",
    ]);
    assert_ne!(r.code, Some(0));
    assert!(
        r.err.contains("Ingenstans kommun") && r.err.contains("finns inte"),
        "{}",
        r.err
    );

    // show: fingerprint and the public addresses.
    let r = run(&[
        "signing",
        "show",
        "--db",
        &db,
        "--keys",
        keys_s,
        "--organisation",
        "Region Halland",
        "--public-url",
        "https://kansli.example.se",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert!(r.out.contains(&fingerprint), "{}", r.out);
    assert!(
        r.out
            .contains("https://kansli.example.se/organisationer/1/signering/rot.pem"),
        "{}",
        r.out
    );
    assert!(
        r.out
            .contains("https://kansli.example.se/organisationer/1/signering/ca.crl"),
        "{}",
        r.out
    );
    // show for one without keys names the command.
    let r = run(&[
        "signing",
        "show",
        "--db",
        &db,
        "--keys",
        keys_s,
        "--organisation",
        "2",
    ]);
    assert_ne!(r.code, Some(0));
    assert!(r.err.contains("kansli signing init"), "{}", r.err);
}

#[test]
fn demo_makes_keys_once_and_keeps_them() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    demo(&data);
    let keys = data.join("nycklar");
    let ids = kansli_sign::keys::organisations(&keys);
    assert!(ids.len() >= 2, "{ids:?}");
    let before: Vec<Vec<u8>> = ids
        .iter()
        .map(|id| std::fs::read(keys.join(id.to_string()).join("signing-ca-key.pem")).unwrap())
        .collect();
    #[cfg(unix)]
    assert_eq!(
        mode(&keys.join(ids[0].to_string()).join("signing-ca-key.pem")),
        0o600
    );
    let r = run(&["demo", "--data-dir", data.to_str().unwrap(), "--no-serve"]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert!(r.out.contains("nycklarna fanns redan"), "{}", r.out);
    let after: Vec<Vec<u8>> = ids
        .iter()
        .map(|id| std::fs::read(keys.join(id.to_string()).join("signing-ca-key.pem")).unwrap())
        .collect();
    assert_eq!(before, after);
}

#[test]
fn import_takes_matching_pems_and_refuses_a_foreign_key() {
    let tmp = tempfile::tempdir().unwrap();
    let db = demo(&tmp.path().join("data"));
    let keys = tmp.path().join("importerade");
    let now = jiff::Timestamp::now();
    let own = kansli_sign::OrganisationPki::create("Region Halland", now).unwrap();
    let other = kansli_sign::OrganisationPki::create("Annan", now).unwrap();
    let write = |name: &str, text: &str| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let root = write("root.pem", &own.root.certificate_pem().unwrap());
    let ca = write("ca.pem", &own.signing_ca.certificate_pem().unwrap());
    let key = write("ca-key.pem", &own.signing_ca.key_pem().unwrap());
    let foreign_key = write("annan-key.pem", &other.signing_ca.key_pem().unwrap());
    let args = |key: &str| {
        vec![
            "signing".to_string(),
            "init".into(),
            "--db".into(),
            db.clone(),
            "--keys".into(),
            keys.to_str().unwrap().into(),
            "--organisation".into(),
            "Region Halland".into(),
            "--root-cert".into(),
            root.clone(),
            "--ca-cert".into(),
            ca.clone(),
            "--ca-key".into(),
            key.to_string(),
        ]
    };
    let a = args(&foreign_key);
    let r = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_ne!(r.code, Some(0));
    assert!(
        r.err.contains("nyckeln hör inte till certifikatet"),
        "{}",
        r.err
    );
    assert!(!keys.join("1").join("signing-ca-key.pem").exists());

    let a = args(&key);
    let r = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert!(
        r.out
            .contains(&kansli_sign::keys::fingerprint(own.root.certificate())),
        "{}",
        r.out
    );
    assert!(!keys.join("1").join("root-key.pem").exists());
    #[cfg(unix)]
    assert_eq!(mode(&keys.join("1").join("signing-ca-key.pem")), 0o600);
    let issuer = kansli_sign::keys::load_issuer(&keys, 1).unwrap().unwrap();
    assert_eq!(issuer.certificate(), own.signing_ca.certificate());
}

/// A protocol PDF of the demo, rendered by `kansli render` as the
/// secretariat's complete draft (no demo protocol is justerat yet here).
fn demo_protocol(db: &str, dir: &Path) -> Vec<u8> {
    let list = run(&["meetings", "list", "--db", db]);
    assert_eq!(list.code, Some(0), "{}", list.err);
    let out = dir.join("protokoll.pdf");
    for line in list.out.lines() {
        let id = line.split('\t').next().unwrap();
        let r = run(&[
            "render",
            "protocol",
            "--complete",
            "--db",
            db,
            "--meeting",
            id,
            "-o",
            out.to_str().unwrap(),
        ]);
        if r.code == Some(0) {
            return std::fs::read(&out).unwrap();
        }
    }
    panic!("no demo meeting has a protocol: {}", list.out);
}

#[test]
fn verify_prints_each_signature_in_swedish_and_exits_by_the_verdict() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let db = demo(&data);
    let keys = data.join("nycklar");
    let pdf = demo_protocol(&db, tmp.path());
    let issuer = kansli_sign::keys::load_issuer(&keys, 1).unwrap().unwrap();
    let chair = kansli_sign::Signatory {
        name: "Anna Ordförande".into(),
        person_id: 11,
        role: "ordförande".into(),
    };
    let approver = kansli_sign::Signatory {
        name: "Bertil Justerare".into(),
        person_id: 12,
        role: "justerare".into(),
    };
    let prepared = kansli_sign::prepare(&pdf, &[chair.clone(), approver.clone()]).unwrap();
    let now = jiff::Timestamp::now();
    let once = kansli_sign::sign(&prepared, &issuer, &chair, now).unwrap();
    let twice = kansli_sign::sign(&once, &issuer, &approver, now).unwrap();
    let signed = tmp.path().join("signerat.pdf");
    std::fs::write(&signed, &twice).unwrap();
    let signed_s = signed.to_str().unwrap();
    let root = keys.join("1").join("root.pem");
    let root_s = root.to_str().unwrap();

    let r = run(&["verify", signed_s, "--root", root_s]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.out, r.err);
    for line in [
        "Underskrift 1 av 2",
        "Underskrift 2 av 2",
        "Undertecknare: Anna Ordförande",
        "Undertecknare: Bertil Justerare",
        "Person-id: 12",
        "Organisation: Region Halland",
        "Roll: ordförande",
        "Roll: justerare",
        "Obruten (innehållet är det som signerades): ja",
        "Betrodd (utfärdad under rotcertifikatet): ja",
        "Ändrad efter underskriften: nej",
        "Slutsats: GILTIG",
    ] {
        assert!(r.out.contains(line), "missing «{line}» in\n{}", r.out);
    }
    assert!(
        r.out.contains(&kansli_sign::sha256_hex(&twice)),
        "{}",
        r.out
    );

    // The keys directory (all its roots) instead of --root.
    let r = run(&["verify", signed_s, "--keys", keys.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.out, r.err);

    // One byte changed in what the first signature covers (the binary
    // comment on the file's second line, so the PDF still parses).
    let mut flipped = twice.clone();
    let at = flipped[5..40].iter().position(|&b| b >= 0x80).unwrap() + 5;
    flipped[at] ^= 0x01;
    let changed = tmp.path().join("andrat.pdf");
    std::fs::write(&changed, &flipped).unwrap();
    let r = run(&["verify", changed.to_str().unwrap(), "--root", root_s]);
    assert_eq!(r.code, Some(1), "{}\n{}", r.out, r.err);
    assert!(r.out.contains("Slutsats: INTE GILTIG"), "{}", r.out);
    assert!(
        r.out
            .contains("Obruten (innehållet är det som signerades): nej"),
        "{}",
        r.out
    );

    // Only the first signature: valid, but the second field was not
    // signed, and the whole file is covered: still all signatures valid.
    let first = tmp.path().join("forsta.pdf");
    std::fs::write(&first, &once).unwrap();
    let r = run(&["verify", first.to_str().unwrap(), "--root", root_s]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.out, r.err);
    assert!(r.out.contains("Underskrift 1 av 1"), "{}", r.out);

    // Another organisation's root: not trusted.
    let other = keys.join("2").join("root.pem");
    let r = run(&["verify", signed_s, "--root", other.to_str().unwrap()]);
    assert_eq!(r.code, Some(1), "{}\n{}", r.out, r.err);
    assert!(
        r.out
            .contains("Betrodd (utfärdad under rotcertifikatet): nej"),
        "{}",
        r.out
    );

    // Unsigned: verified, not valid.
    let plain = tmp.path().join("osignerat.pdf");
    std::fs::write(&plain, &pdf).unwrap();
    let r = run(&["verify", plain.to_str().unwrap(), "--root", root_s]);
    assert_eq!(r.code, Some(1), "{}\n{}", r.out, r.err);
    assert!(r.out.contains("inga underskrifter"), "{}", r.out);

    // Not a PDF, a missing file, no root: cannot be verified at all.
    let r = run(&["verify", root_s, "--root", root_s]);
    assert_eq!(r.code, Some(2), "{}\n{}", r.out, r.err);
    assert!(r.err.contains("PDF"), "{}", r.err);
    let r = run(&["verify", "/finns/inte.pdf", "--root", root_s]);
    assert_eq!(r.code, Some(2), "{}", r.err);
    let r = run(&["verify", signed_s]);
    assert_eq!(r.code, Some(2), "{}", r.err);
    assert!(r.err.contains("--root"), "{}", r.err);
}
