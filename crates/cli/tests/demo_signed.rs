//! `kansli demo` leaves the 2025-01-28 protocol of Regionstyrelsens
//! arbetsutskott signed by its chair and its justerare and posted: a
//! visitor downloads it from the public meeting page, fetches the root
//! certificate from the link on `/verifiera`, and checks it with tools that
//! are not Kansli's (pdfsig with NSS, pyHanko, qpdf) and with `/verifiera`.
//! The tools are skipped loudly when missing, and required under
//! `KANSLI_REQUIRE_SIGN_TOOLS=1` (CI); pyHanko is found through
//! `KANSLI_PYHANKO` or PATH.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const KANSLI: &str = env!("CARGO_BIN_EXE_kansli");

/// The running demo server; killed when dropped.
struct Server {
    child: Child,
    url: String,
    /// What `kansli demo` printed before the address.
    printed: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_demo(data: &Path) -> Server {
    let mut child = Command::new(KANSLI)
        .args(["demo", "--data-dir"])
        .arg(data)
        .args(["--addr", "127.0.0.1:0"])
        .env("KANSLI_LOG", "warn")
        .env_remove("KANSLI_KEYS")
        .env_remove("KANSLI_PUBLIC_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("kansli starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    let url = loop {
        let line = lines
            .next()
            .expect("kansli printed its URL before exiting")
            .unwrap();
        if let Some(url) = line.strip_prefix("Kansli körs på ") {
            break url.trim_end_matches('/').to_string();
        }
        printed.push(line);
    };
    // Keep reading so that the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        url,
        printed,
    }
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// pyHanko, when pdfsig, certutil and qpdf are there too; a loud skip
/// otherwise (a failure under KANSLI_REQUIRE_SIGN_TOOLS=1).
fn tools() -> Option<PathBuf> {
    let pyhanko = std::env::var("KANSLI_PYHANKO")
        .ok()
        .map(PathBuf::from)
        .or_else(|| which("pyhanko"))
        .filter(|p| p.is_file());
    let missing: Vec<&str> = ["pdfsig", "certutil", "qpdf"]
        .into_iter()
        .filter(|t| which(t).is_none())
        .collect();
    if missing.is_empty() && pyhanko.is_some() {
        return pyhanko;
    }
    let what = format!("missing {missing:?}, pyhanko {pyhanko:?}");
    if std::env::var("KANSLI_REQUIRE_SIGN_TOOLS").is_ok_and(|v| v == "1") {
        panic!("KANSLI_REQUIRE_SIGN_TOOLS=1 but signature tools are {what}");
    }
    eprintln!("SKIPPED: signature tools: {what}");
    None
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().expect("tool runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The `href` of the first link whose text or address contains `needle`.
fn href_with(html: &str, needle: &str) -> Option<String> {
    html.split("<a ").skip(1).find_map(|a| {
        let end = a.find("</a>")?;
        let tag = &a[..end];
        let start = tag.find("href=\"")? + 6;
        let href = &tag[start..];
        let href = &href[..href.find('"')?];
        tag.contains(needle).then(|| href.replace("&amp;", "&"))
    })
}

async fn get(url: &str) -> (u16, Vec<u8>) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status().as_u16();
    (status, r.bytes().await.unwrap().to_vec())
}

async fn verify_upload(base: &str, name: &str, pdf: &[u8]) -> String {
    let boundary = "kansli-demo-boundary-51c2";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"fil\"; filename=\"{name}\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(pdf);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = reqwest::Client::new()
        .post(format!("{base}/verifiera"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.text().await.unwrap()
}

/// The meeting id from "Signerat protokoll (sammanträde N): …".
fn signed_meeting(printed: &[String]) -> i64 {
    let line = printed
        .iter()
        .find(|l| l.starts_with("Signerat protokoll (sammanträde "))
        .unwrap_or_else(|| panic!("no line about the signed protocol: {printed:?}"));
    line["Signerat protokoll (sammanträde ".len()..]
        .split(')')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn the_demo_protocol_is_signed_posted_and_checks_out_with_independent_tools() {
    let pyhanko = tools();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let server = start_demo(&data);
    let meeting = signed_meeting(&server.printed);
    let first = server.printed.join("\n");
    assert!(
        first.contains("signerat av Mikaela Waltersson (ordförande)")
            && first.contains("signerat av Lise-Lotte Bensköld Olsson (justerare); justerat")
            && first.contains("anslaget uppsatt"),
        "{first}"
    );
    let base = server.url.clone();
    let rt = tokio::runtime::Runtime::new().unwrap();

    let (pdf, root_pem, page) = rt.block_on(async {
        let (status, page) = get(&format!("{base}/sammantraden/{meeting}")).await;
        assert_eq!(status, 200);
        let page = String::from_utf8(page).unwrap();
        assert!(
            page.contains("Regionstyrelsens arbetsutskott") && page.contains("2025-01-28"),
            "{page}"
        );
        let link = href_with(&page, "protokoll.pdf")
            .unwrap_or_else(|| panic!("no link to the protocol PDF on the meeting page: {page}"));
        let (status, pdf) = get(&format!("{base}{link}")).await;
        assert_eq!(status, 200, "{link}");
        let (status, verify_page) = get(&format!("{base}/verifiera")).await;
        assert_eq!(status, 200);
        let verify_page = String::from_utf8(verify_page).unwrap();
        // The root of Region Halland, from its row in the table of roots.
        let row = verify_page
            .find("<tr><td>Region Halland</td>")
            .map(|at| &verify_page[at..])
            .unwrap_or_else(|| panic!("no root of Region Halland on /verifiera: {verify_page}"));
        let row = &row[..row.find("</tr>").unwrap()];
        let root_link = href_with(row, "rot.pem").expect("a root link on /verifiera");
        let (status, root_pem) = get(&format!("{base}{root_link}")).await;
        assert_eq!(status, 200, "{root_link}");
        (pdf, root_pem, page)
    });
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(root_pem.starts_with(b"-----BEGIN CERTIFICATE-----"));
    // Kansli's own verification, from the root on /verifiera.
    let root_cert = kansli_sign::pki::certificate_from_pem(std::str::from_utf8(&root_pem).unwrap())
        .expect("the root parses");
    let report = kansli_sign::verify(&pdf, &root_cert).unwrap();
    assert!(report.all_valid(), "{report:?}");
    let names: Vec<String> = report
        .signatures
        .iter()
        .map(|s| s.signer_name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["Mikaela Waltersson", "Lise-Lotte Bensköld Olsson"]);
    drop(page);

    // Posted: the anslagstavla names the signed protocol's SHA-256.
    // Region Halland's own board, from the index of all boards.
    let index = rt.block_on(async { get(&format!("{base}/anslagstavla")).await.1 });
    let index = String::from_utf8(index).unwrap();
    let at = index
        .find("\">Region Hallands anslagstavla</a>")
        .expect("the board on the index");
    let href = index[..at]
        .rsplit("href=\"")
        .next()
        .and_then(|h| h.split('"').next())
        .unwrap()
        .to_string();
    assert!(href.ends_with("/anslagstavla"), "{href}");
    let board = rt.block_on(async { get(&format!("{base}{href}")).await.1 });
    let board = String::from_utf8(board).unwrap();
    assert!(board.contains(&report.sha256), "{board}");

    // /verifiera: valid, names the meeting; one flipped byte: not valid.
    let mut flipped = pdf.clone();
    flipped[2000] ^= 0x01;
    rt.block_on(async {
        let html = verify_upload(&base, "protokoll.pdf", &pdf).await;
        assert!(
            html.contains("<strong>Giltig: alla 2 underskrifter"),
            "{html}"
        );
        assert!(
            html.contains(&format!("href=\"/sammantraden/{meeting}\""))
                && html.contains("Regionstyrelsens arbetsutskott"),
            "{html}"
        );
        let html = verify_upload(&base, "ändrad.pdf", &flipped).await;
        assert!(html.contains("<strong>Inte giltig"), "{html}");
        assert!(!html.contains("<strong>Giltig"), "{html}");
    });

    if let Some(pyhanko) = &pyhanko {
        let dir = tmp.path();
        let file = dir.join("protokoll.pdf");
        std::fs::write(&file, &pdf).unwrap();
        let bad = dir.join("ändrad.pdf");
        std::fs::write(&bad, &flipped).unwrap();
        let root = dir.join("rot.pem");
        std::fs::write(&root, &root_pem).unwrap();
        let nss = dir.join("nss");
        std::fs::create_dir_all(&nss).unwrap();
        let db = format!("sql:{}", nss.display());
        let (ok, text) = run(Command::new("certutil").args(["-N", "--empty-password", "-d", &db]));
        assert!(ok, "certutil -N: {text}");
        let (ok, text) = run(Command::new("certutil")
            .args(["-A", "-n", "kansli-root", "-t", "CT,C,C", "-d", &db, "-i"])
            .arg(&root));
        assert!(ok, "certutil -A: {text}");
        let (_, out) = run(Command::new("pdfsig")
            .args(["-nssdir", &db, "-no-ocsp"])
            .arg(&file));
        assert_eq!(
            out.matches("Signature is Valid.").count(),
            2,
            "pdfsig: {out}"
        );
        assert_eq!(
            out.matches("Certificate is Trusted.").count(),
            2,
            "pdfsig: {out}"
        );
        let last = out.rfind("Signature #2").expect("two signatures");
        assert!(
            out[last..].contains("Total document signed"),
            "pdfsig: {out}"
        );
        let (ok, out) = run(Command::new(pyhanko)
            .args(["sign", "validate", "--executive-summary", "--trust"])
            .arg(&root)
            .arg("--trust-replace")
            .arg(&file));
        assert!(ok, "pyHanko: {out}");
        // One judgment per signature (`FIELD:DIGEST:VALID`).
        for sig in &report.signatures {
            let line = out
                .lines()
                .find(|l| l.contains(&sig.field))
                .unwrap_or_else(|| panic!("pyHanko says nothing of {}: {out}", sig.field));
            assert!(
                line.trim_end().ends_with(":VALID"),
                "pyHanko on {}: {out}",
                sig.field
            );
        }
        let (ok, out) = run(Command::new("qpdf").arg("--check").arg(&file));
        assert!(ok, "qpdf --check: {out}");
        let (_, out) = run(Command::new("pdfsig")
            .args(["-nssdir", &db, "-no-ocsp"])
            .arg(&bad));
        assert!(
            out.contains("Digest Mismatch."),
            "pdfsig on a flipped byte: {out}"
        );
    }
    drop(server);

    // The log says the demo loader did it, as which demo user.
    let db = data.join("kansli.db").display().to_string();
    let log = rt.block_on(meeting_log(&db, meeting));
    let actors = |action: &str| -> Vec<String> {
        log.iter()
            .filter(|r| r.action == action)
            .map(|r| r.actor.clone())
            .collect()
    };
    assert_eq!(actors("send"), ["system:demo som user:sekreterare"]);
    assert_eq!(
        actors("sign"),
        [
            "system:demo som user:ordforande",
            "system:demo som user:justerare"
        ]
    );

    // A second `kansli demo` on the same data directory changes nothing.
    let out = Command::new(KANSLI)
        .args(["demo", "--data-dir"])
        .arg(&data)
        .arg("--no-serve")
        .env("KANSLI_LOG", "warn")
        .env_remove("KANSLI_KEYS")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "Signerat protokoll (sammanträde {meeting}): fanns redan"
        )),
        "{text}"
    );
    let server = start_demo(&data);
    let again = rt.block_on(async {
        let (_, page) = get(&format!("{}/sammantraden/{meeting}", server.url)).await;
        let page = String::from_utf8(page).unwrap();
        let link = href_with(&page, "protokoll.pdf").unwrap();
        get(&format!("{}{link}", server.url)).await.1
    });
    assert_eq!(again, pdf, "the signed protocol is the same file");
    drop(server);
    let after = rt.block_on(meeting_log(&db, meeting));
    assert_eq!(after.len(), log.len(), "nothing new in the meeting's log");
}

async fn meeting_log(db: &str, meeting: i64) -> Vec<kansli_store::AuditRecord> {
    let store = kansli_store::Store::connect(db).await.unwrap();
    let log = store.audit_log("meeting", meeting).await.unwrap();
    store.close().await;
    log
}
