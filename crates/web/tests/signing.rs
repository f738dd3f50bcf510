//! Freeze, then sign (issue #16): the secretary sends the protocol for
//! justering, the chair and the approver each sign with their password
//! again, and the PDF the public gets is the signed original, valid for
//! kansli_sign::verify, pdfsig (NSS), pyHanko and qpdf. Refusals (wrong
//! password, not a signatory, a withdrawn version, an edit while sent)
//! write nothing. Against the real server over SQLite and PostgreSQL.

use kansli_core::MeetingId;
use kansli_core::meeting::MeetingStatus;
use kansli_store::Store;
use kansli_web::Config;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use std::path::{Path, PathBuf};
use std::process::Command;

struct App {
    base: String,
    store: Store,
    _db: kansli_testsupport::TestDb,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers().get_all(SET_COOKIE).iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let pair = v.split(';').next()?;
        let (n, value) = pair.split_once('=')?;
        (n == name).then(|| value.to_string())
    })
}

fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no field {name} in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

struct Browser {
    cookie: String,
    csrf: String,
}

/// The flash of a form's answer: ("ok" | "fel", the sentence).
fn flash(r: &reqwest::Response) -> (String, String) {
    let raw = set_cookie(r, "kansli_flash").expect("a flash");
    // The cookie's value is itself URL-encoded.
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(&raw).unwrap();
    if pairs[0].1.is_empty() && pairs[0].0.contains('=') {
        pairs = serde_urlencoded::from_str(&pairs[0].0).unwrap();
    }
    pairs.into_iter().next().unwrap()
}

impl App {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn sign_in(&self, username: &str) -> Browser {
        let c = client();
        let form = c.get(self.url("/logga-in")).send().await.unwrap();
        let token = set_cookie(&form, "kansli_signin").unwrap();
        let r = c
            .post(self.url("/logga-in"))
            .header(COOKIE, format!("kansli_signin={token}"))
            .form(&[
                ("username", username),
                ("password", kansli_demo::DEMO_PASSWORD),
                ("token", &token),
                ("till", "/sekretariat"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{username}");
        let cookie = set_cookie(&r, "kansli_session").unwrap();
        let page = self.page(&cookie, "/sekretariat").await;
        Browser {
            csrf: hidden(&page, "csrf"),
            cookie,
        }
    }

    async fn get(&self, cookie: Option<&str>, path: &str) -> reqwest::Response {
        let mut r = client().get(self.url(path));
        if let Some(c) = cookie {
            r = r.header(COOKIE, format!("kansli_session={c}"));
        }
        r.send().await.unwrap()
    }

    async fn page(&self, cookie: &str, path: &str) -> String {
        let r = self.get(Some(cookie), path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.text().await.unwrap()
    }

    async fn post(&self, b: &Browser, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut fields = vec![("csrf", b.csrf.as_str())];
        fields.extend_from_slice(form);
        let r = client()
            .post(self.url(path))
            .header(COOKIE, format!("kansli_session={}", b.cookie))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "POST {path}");
        r
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }

    /// What a refusal must leave as it was.
    async fn written(&self) -> (i64, i64, i64, i64) {
        (
            self.count("SELECT COUNT(*) FROM protocol_signatures").await,
            self.count("SELECT COUNT(*) FROM protocol_versions").await,
            self.count("SELECT COUNT(*) FROM file_contents").await,
            self.count("SELECT COUNT(*) FROM protocol_documents").await,
        )
    }
}

/// Serves whatever bytes are in the cell over HTTP on 127.0.0.1, for any
/// path: the public base of the server under test, so that the CRL address
/// in the leaf certificates answers (pyHanko fetches it).
fn serve_bytes() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let body = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let served = body.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let mut request = Vec::new();
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let bytes = served.lock().unwrap().clone();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bytes.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&bytes);
        }
    });
    (port, body)
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
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

/// pdfsig (NSS trusting the root), pyHanko and qpdf on the signed file.
fn external_checks(pyhanko: &Path, dir: &Path, root_pem: &Path, pdf: &[u8], signatures: usize) {
    let file = dir.join("signerat.pdf");
    std::fs::write(&file, pdf).unwrap();
    let nss = dir.join("nss");
    std::fs::create_dir_all(&nss).unwrap();
    let db = format!("sql:{}", nss.display());
    let (ok, text) = run(Command::new("certutil").args(["-N", "--empty-password", "-d", &db]));
    assert!(ok, "certutil -N: {text}");
    let (ok, text) = run(Command::new("certutil")
        .args(["-A", "-n", "kansli-root", "-t", "CT,C,C", "-d", &db, "-i"])
        .arg(root_pem));
    assert!(ok, "certutil -A: {text}");
    let (_, out) = run(Command::new("pdfsig")
        .args(["-nssdir", &db, "-no-ocsp"])
        .arg(&file));
    assert_eq!(
        out.matches("Signature is Valid.").count(),
        signatures,
        "pdfsig: {out}"
    );
    assert_eq!(
        out.matches("Certificate is Trusted.").count(),
        signatures,
        "pdfsig: {out}"
    );
    let last = out.rfind("Signature #").unwrap();
    assert!(
        out[last..].contains("Total document signed"),
        "pdfsig: {out}"
    );
    let (ok, out) = run(Command::new(pyhanko)
        .args(["sign", "validate", "--executive-summary", "--trust"])
        .arg(root_pem)
        .arg("--trust-replace")
        .arg(&file));
    assert!(ok, "pyHanko: {out}");
    let (ok, out) = run(Command::new("qpdf").arg("--check").arg(&file));
    assert!(ok, "qpdf --check: {out}");

    // One flipped byte inside the first signed range: not valid.
    let mut flipped = pdf.to_vec();
    flipped[2000] ^= 0x01;
    let bad = dir.join("ändrad.pdf");
    std::fs::write(&bad, &flipped).unwrap();
    let (_, out) = run(Command::new("pdfsig")
        .args(["-nssdir", &db, "-no-ocsp"])
        .arg(&bad));
    assert!(
        out.contains("Digest Mismatch."),
        "pdfsig on a flipped byte: {out}"
    );
    let (ok, out) = run(Command::new(pyhanko)
        .args(["sign", "validate", "--executive-summary", "--trust"])
        .arg(root_pem)
        .arg("--trust-replace")
        .arg(&bad));
    assert!(!ok, "pyHanko accepted a flipped byte: {out}");
}

#[tokio::test]
async fn the_protocol_is_frozen_then_signed_by_the_chair_and_the_approver() {
    let pyhanko = tools();
    for db in kansli_testsupport::all().await {
        let label = db.label;
        let store = db.store().await;
        kansli_demo::load(&store).await.unwrap();
        let org = store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap();
        let rsau = store
            .bodies(org.id)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.name == "Regionstyrelsens arbetsutskott")
            .unwrap();
        let meeting: MeetingId = store
            .all_meetings()
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.meeting.body == rsau.id && m.meeting.date.to_string() == "2025-01-28")
            .unwrap()
            .meeting
            .id;
        assert_eq!(
            store.meeting(meeting).await.unwrap().status,
            MeetingStatus::Held
        );

        // The organisation's keys, and a CRL server at the public base.
        let tmp = tempfile::tempdir().unwrap();
        let keys = tmp.path().join("nycklar");
        let org_keys = keys.join(org.id.0.to_string());
        let now = jiff::Timestamp::now();
        let pki = kansli_sign::OrganisationPki::create(&org.name, now).unwrap();
        pki.write_to_dir(&org_keys).unwrap();
        let root_pem = org_keys.join(kansli_sign::pki::ROOT_CERT_FILE);
        let root = kansli_sign::pki::load_root_certificate(&org_keys).unwrap();
        let (crl_port, crl) = serve_bytes();
        *crl.lock().unwrap() = kansli_sign::pki::load_signing_ca(&org_keys)
            .unwrap()
            .crl(1, now, now + jiff::SignedDuration::from_hours(24 * 7), &[])
            .unwrap();

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let config = Config {
            keys_dir: Some(keys.clone()),
            public_url: Some(format!("http://127.0.0.1:{crl_port}")),
            ..Config::default()
        };
        let served = store.clone();
        tokio::spawn(async move {
            kansli_web::serve(listener, served, config, std::future::pending())
                .await
                .unwrap()
        });
        let app = App {
            base: format!("http://{addr}"),
            store: store.clone(),
            _db: db,
        };
        let secretary = app.sign_in("sekreterare").await;
        let chair = app.sign_in("ordforande").await;
        let approver = app.sign_in("justerare").await;
        let member = app.sign_in("ledamot").await;
        let m = meeting.0;
        let justering = format!("/sekretariat/sammantraden/{m}/justering");
        let staff_page = format!("/sekretariat/sammantraden/{m}");
        let pw = kansli_demo::DEMO_PASSWORD;

        // Nothing sent: nothing to sign.
        let page = app.page(&chair.cookie, &justering).await;
        assert!(page.contains("inte skickat för justering"), "{page}");
        let before = app.written().await;
        let r = app
            .post(&chair, &justering, &[("password", pw), ("version", "1")])
            .await;
        assert_eq!(flash(&r).0, "fel");
        assert_eq!(app.written().await, before);

        // Without the organisation's keys, the sending says how to make them.
        let away = tmp.path().join("borta");
        std::fs::rename(&org_keys, &away).unwrap();
        let r = app
            .post(&secretary, &format!("{staff_page}/skicka"), &[])
            .await;
        let (kind, text) = flash(&r);
        assert_eq!(kind, "fel");
        assert!(
            text.contains(&format!("kansli signing init --organisation {}", org.id.0)),
            "{text}"
        );
        assert_eq!(app.written().await, before);
        std::fs::rename(&away, &org_keys).unwrap();

        // Sent: version 1, frozen.
        let page = app.page(&secretary.cookie, &staff_page).await;
        assert!(page.contains("Skicka för justering"), "{label}");
        let r = app
            .post(&secretary, &format!("{staff_page}/skicka"), &[])
            .await;
        let (kind, text) = flash(&r);
        assert_eq!(kind, "ok", "{text}");
        let sent = store.protocol_signing(meeting).await.unwrap().unwrap();
        assert_eq!(sent.version.version, 1);
        assert!(text.contains(&sent.sha256), "{text}");
        let page = app.page(&secretary.cookie, &staff_page).await;
        assert!(
            page.contains(&sent.sha256),
            "the meeting page shows the SHA-256"
        );
        assert!(page.contains("Återkalla utskicket"));
        assert!(!page.contains(&format!("action=\"/sekretariat/sammantraden/{m}/skicka\"")));
        let log = store.audit_log("meeting", m).await.unwrap();
        assert!(
            log.iter()
                .any(|r| r.action == "send" && r.detail.to_string().contains(&sent.sha256)),
            "the log keeps the sent version's SHA-256"
        );
        // The frozen bytes, as stored, with two empty fields and the Intyg.
        let r = app
            .get(Some(&chair.cookie), &format!("{justering}/protokoll.pdf"))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let frozen = r.bytes().await.unwrap().to_vec();
        assert_eq!(frozen, sent.bytes);
        let text = String::from_utf8_lossy(&frozen);
        assert!(text.contains("ordforande-") && text.contains("justerare-"));
        assert!(
            kansli_sign::verify(&frozen, &root)
                .unwrap()
                .signatures
                .is_empty()
        );
        if let Some(text) = kansli_testsupport::poppler("pdftotext", &["-layout"], &frozen) {
            let intyg = &text[text.rfind("Intyg").expect("an Intyg page")..];
            assert!(intyg.contains("Mikaela Waltersson"), "{intyg}");
            assert!(intyg.contains("Lise-Lotte Bensköld Olsson"), "{intyg}");
            assert!(intyg.contains("/verifiera"), "{intyg}");
        }

        // Refusals that write nothing: wrong password, not a signatory.
        let page = app.page(&chair.cookie, &justering).await;
        assert!(page.contains("name=\"password\""), "{page}");
        let before = app.written().await;
        let r = app
            .post(
                &chair,
                &justering,
                &[("password", "fel-lösenord-123"), ("version", "1")],
            )
            .await;
        let (kind, text) = flash(&r);
        assert_eq!(kind, "fel");
        assert!(text.contains("fel lösenord"), "{text}");
        let r = app
            .post(&chair, &justering, &[("password", ""), ("version", "1")])
            .await;
        assert_eq!(flash(&r).0, "fel");
        let page = app.page(&member.cookie, &justering).await;
        assert!(!page.contains("name=\"password\""));
        let r = app
            .post(&member, &justering, &[("password", pw), ("version", "1")])
            .await;
        let (kind, text) = flash(&r);
        assert_eq!(kind, "fel");
        assert!(text.contains("varken ordförande eller justerare"), "{text}");
        assert_eq!(app.written().await, before);

        // The chair signs version 1.
        let r = app
            .post(&chair, &justering, &[("password", pw), ("version", "1")])
            .await;
        assert_eq!(flash(&r).0, "ok", "{:?}", flash(&r));
        let page = app.page(&chair.cookie, &justering).await;
        assert!(page.contains("Du har signerat protokollet."), "{page}");
        let r = app
            .post(&chair, &justering, &[("password", pw), ("version", "1")])
            .await;
        assert!(flash(&r).1.contains("redan signerat"));

        // An edit after the first signature is refused with its reason.
        let record = store.meeting_record(meeting).await.unwrap();
        let first = record.paragraphs().next().unwrap().clone();
        let r = app
            .post(
                &secretary,
                &format!("{staff_page}/text"),
                &[
                    ("number", &first.number.to_string()),
                    ("section", "matter"),
                    ("text", "Ändrat efter underskrift."),
                ],
            )
            .await;
        let (kind, text) = flash(&r);
        assert_eq!(kind, "fel");
        assert!(text.contains("återkalla utskicket för att ändra"), "{text}");
        // The attempt is in the meeting's log, like one on a justerat protocol.
        let log = store.audit_log("meeting", meeting.0).await.unwrap();
        assert!(
            log.iter().any(|a| a.action == "refused"
                && a.detail["attempt"] == "protokollets text"
                && a.detail["reason"]
                    .as_str()
                    .is_some_and(|r| r.contains("skickat för justering"))),
            "{log:?}"
        );
        assert_eq!(
            store
                .meeting_record(meeting)
                .await
                .unwrap()
                .paragraph(first.number)
                .unwrap()
                .matter,
            first.matter
        );

        // Withdrawn: the chair's signature is void; the text can be fixed
        // and the protocol sent again as version 2.
        let r = app
            .post(
                &secretary,
                &format!("{staff_page}/aterkalla"),
                &[("reason", "Fel i §1")],
            )
            .await;
        assert_eq!(flash(&r).0, "fel", "the confirmation is required");
        let r = app
            .post(
                &secretary,
                &format!("{staff_page}/aterkalla"),
                &[("reason", "Fel i §1"), ("confirm", "ja")],
            )
            .await;
        assert_eq!(flash(&r).0, "ok");
        let page = app.page(&secretary.cookie, &staff_page).await;
        assert!(page.contains("(ogiltig)"), "void signatures are shown");
        assert!(page.contains("återkallad"));
        let r = app
            .post(
                &secretary,
                &format!("{staff_page}/text"),
                &[
                    ("number", &first.number.to_string()),
                    ("section", "matter"),
                    ("text", &format!("{} Rättat.", first.matter)),
                ],
            )
            .await;
        assert_eq!(flash(&r).0, "ok");
        let r = app
            .post(&secretary, &format!("{staff_page}/skicka"), &[])
            .await;
        assert_eq!(flash(&r).0, "ok");
        let v2 = store.protocol_signing(meeting).await.unwrap().unwrap();
        assert_eq!(v2.version.version, 2);
        assert_ne!(v2.sha256, sent.sha256);
        let before = app.written().await;
        let r = app
            .post(&approver, &justering, &[("password", pw), ("version", "1")])
            .await;
        assert!(flash(&r).1.contains("återkallad"), "{:?}", flash(&r));
        assert_eq!(app.written().await, before);

        // Chair, then approver: justerat.
        for (who, b) in [("chair", &chair), ("approver", &approver)] {
            let r = app
                .post(b, &justering, &[("password", pw), ("version", "2")])
                .await;
            assert_eq!(flash(&r).0, "ok", "{who}: {:?}", flash(&r));
        }
        let status = store.meeting(meeting).await.unwrap().status;
        assert!(
            matches!(status, MeetingStatus::Approved { .. }),
            "{status:?}"
        );
        let signed = store.signed_protocol(meeting).await.unwrap().unwrap();
        let report = kansli_sign::verify(&signed.bytes, &root).unwrap();
        assert!(report.all_valid(), "{report:?}");
        assert_eq!(report.signatures.len(), 2);
        assert_eq!(
            report
                .signatures
                .iter()
                .map(|s| s.signer_name.clone().unwrap())
                .collect::<Vec<_>>(),
            ["Mikaela Waltersson", "Lise-Lotte Bensköld Olsson"]
        );
        assert!(report.signatures[1].covers_whole_document);
        let page = app.page(&chair.cookie, &justering).await;
        let list = &page[page.find("id=\"signatories\"").unwrap()..];
        let list = &list[..list.find("</ul>").unwrap()];
        assert_eq!(list.matches("signerade 20").count(), 2, "{list}");
        assert!(page.contains("<del>"), "the void signature of version 1");

        // The public PDF is the signed original, byte for byte.
        let r = app
            .get(None, &format!("/sammantraden/{m}/dokument/protokoll.pdf"))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let public = r.bytes().await.unwrap().to_vec();
        assert_eq!(public, signed.bytes, "{label}");
        let mut flipped = public.clone();
        flipped[1500] ^= 0x01;
        assert!(
            !kansli_sign::verify(&flipped, &root)
                .map(|r| r.all_valid())
                .unwrap_or(false)
        );
        if let Some(pyhanko) = &pyhanko {
            external_checks(pyhanko, tmp.path(), &root_pem, &public, 2);
        }

        // The anslag and the anslagstavla name the signed protocol's hash.
        let r = app
            .post(
                &secretary,
                &format!("{staff_page}/anslag"),
                &[("kept_at", "Regionkontoret, Halmstad")],
            )
            .await;
        assert_eq!(flash(&r).0, "ok", "{:?}", flash(&r));
        let notice = app
            .get(None, &format!("/sammantraden/{m}/dokument/anslag.txt"))
            .await
            .text()
            .await
            .unwrap();
        assert!(notice.contains(&signed.sha256), "{notice}");
        let board = app
            .get(None, &format!("/organisationer/{}/anslagstavla", org.id.0))
            .await
            .text()
            .await
            .unwrap();
        assert!(board.contains(&signed.sha256));

        // A hand-made change of the rows: staff are warned, the log says
        // so, and the public PDF is not served as justerat.
        let id: i64 = sqlx::query_scalar(
            "SELECT id FROM paragraphs WHERE meeting_id = $1 ORDER BY number LIMIT 1",
        )
        .bind(m)
        .fetch_one(store.pool())
        .await
        .unwrap();
        let content: String = sqlx::query_scalar("SELECT content FROM paragraphs WHERE id = $1")
            .bind(id)
            .fetch_one(store.pool())
            .await
            .unwrap();
        let mut p: serde_json::Value = serde_json::from_str(&content).unwrap();
        p["matter"] = serde_json::Value::String("Ändrat direkt i databasen.".into());
        sqlx::query("UPDATE paragraphs SET content = $2 WHERE id = $1")
            .bind(id)
            .bind(p.to_string())
            .execute(store.pool())
            .await
            .unwrap();
        let page = app.page(&secretary.cookie, &staff_page).await;
        assert!(page.contains("id=\"integrity-warning\""), "{label}");
        let r = app
            .get(None, &format!("/sammantraden/{m}/dokument/protokoll.pdf"))
            .await;
        assert_ne!(r.status(), StatusCode::OK);
        let body = r.text().await.unwrap();
        assert!(body.contains("kan inte visas som justerat"), "{body}");
        let log = store.audit_log("meeting", m).await.unwrap();
        assert!(log.iter().any(|r| r.action == "integrity"));
        let public = app.get(None, &format!("/sammantraden/{m}")).await;
        let public = public.text().await.unwrap();
        assert!(public.contains("kan inte visas som justerat"), "{label}");
        assert!(!public.contains("Ändrat direkt i databasen."), "{label}");
        // Every other output withholds the changed content too (the rule
        // is the view layer's): the text and HTML protocol, the API, OParl.
        for path in [
            format!("/sammantraden/{m}/dokument/protokoll.txt"),
            format!("/sammantraden/{m}/dokument/protokoll.html"),
        ] {
            let r = app.get(None, &path).await;
            assert_ne!(r.status(), StatusCode::OK, "{path} {label}");
            assert!(!r.text().await.unwrap().contains("Ändrat direkt"), "{path}");
        }
        for path in [
            format!("/api/v1/meetings/{m}"),
            format!("/api/oparl/v1/meetings/{m}"),
        ] {
            let r = app.get(None, &path).await;
            let text = r.text().await.unwrap();
            assert!(!text.contains("Ändrat direkt"), "{path}: {text}");
            assert!(!text.contains("resultsProtocol"), "{path}: {text}");
        }
        let api = app.get(None, &format!("/api/v1/meetings/{m}")).await;
        let api: serde_json::Value = api.json().await.unwrap();
        assert!(
            api.to_string().contains("kan inte visas som justerat"),
            "{api}"
        );
    }
}
