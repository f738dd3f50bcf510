//! Verification by anyone, over the real server (SQLite and PostgreSQL):
//! the roots (PEM, DER) and the CRL per organisation, and `/verifiera` with
//! a valid, a changed, an unsigned, a non-PDF and a too big file, which
//! writes nothing.

use kansli_store::Store;
use kansli_testsupport::{TestDb, all};
use std::path::PathBuf;

const PUBLIC: &str = "https://verifiera.kansli.test";

struct App {
    base: String,
    public: String,
    store: Store,
    client: reqwest::Client,
    keys: PathBuf,
    _tmp: tempfile::TempDir,
    _db: TestDb,
}

async fn spawn(db: TestDb) -> App {
    spawn_at(db, false).await
}

/// As [`spawn`]; with `real_url` the public base URL is the listening
/// address, so the CRL address in a certificate can be fetched.
async fn spawn_at(db: TestDb, real_url: bool) -> App {
    let store = db.store().await;
    kansli_demo::load(&store).await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("nycklar");
    let org = store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap();
    kansli_sign::keys::init(&keys, org.id.0, &org.name, jiff::Timestamp::now()).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = store.clone();
    let config = kansli_web::Config {
        public_url: Some(if real_url {
            format!("http://{addr}")
        } else {
            PUBLIC.into()
        }),
        keys_dir: Some(keys.clone()),
        ..kansli_web::Config::default()
    };
    tokio::spawn(async move {
        kansli_web::serve(listener, served, config, std::future::pending())
            .await
            .unwrap()
    });
    App {
        base: format!("http://{addr}"),
        public: if real_url {
            format!("http://{addr}")
        } else {
            PUBLIC.into()
        },
        store,
        client: reqwest::Client::new(),
        keys,
        _tmp: tmp,
        _db: db,
    }
}

impl App {
    async fn get(&self, path: &str) -> (u16, String, Vec<u8>) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let media = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, media, r.bytes().await.unwrap().to_vec())
    }

    async fn upload(&self, name: &str, bytes: &[u8]) -> (u16, String) {
        let boundary = "kansli-test-boundary-7f3a";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"fil\"; filename=\"{name}\"\r\n\
                 Content-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = self
            .client
            .post(format!("{}/verifiera", self.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// A protocol PDF of the demo (the secretariat's complete draft, as
    /// the secretary sends it: no demo protocol is justerat here) and its
    /// meeting.
    async fn protocol(&self) -> (kansli_core::MeetingId, Vec<u8>) {
        use kansli_documents::{Format, Request, load, render, view::Audience};
        for m in self.store.all_meetings().await.unwrap() {
            let meeting = m.meeting.id;
            let Ok(doc) = load(
                &self.store,
                &Request::Protocol { meeting },
                Audience::Official,
            )
            .await
            else {
                continue;
            };
            return (
                meeting,
                render(&doc, Format::Pdf).expect("the protocol's PDF"),
            );
        }
        panic!("no demo meeting has a protocol");
    }
}

fn signatories() -> [kansli_sign::Signatory; 2] {
    [
        kansli_sign::Signatory {
            name: "Anna Ordförande".into(),
            person_id: 21,
            role: "ordförande".into(),
        },
        kansli_sign::Signatory {
            name: "Bertil Justerare".into(),
            person_id: 22,
            role: "justerare".into(),
        },
    ]
}

#[tokio::test]
async fn roots_and_crl_are_published_per_organisation() {
    for db in all().await {
        let label = db.label;
        let app = spawn(db).await;
        let halland = app
            .store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap()
            .id
            .0;
        let root = kansli_sign::keys::load_root(&app.keys, halland)
            .unwrap()
            .unwrap();
        let issuer = kansli_sign::keys::load_issuer(&app.keys, halland)
            .unwrap()
            .unwrap();

        let (status, media, pem) = app
            .get(&format!("/organisationer/{halland}/signering/rot.pem"))
            .await;
        assert_eq!(status, 200, "{label}");
        assert_eq!(media, "application/x-pem-file", "{label}");
        let text = String::from_utf8(pem).unwrap();
        assert!(!text.contains("PRIVATE"), "{label}");
        assert_eq!(
            kansli_sign::pki::certificate_from_pem(&text).unwrap(),
            root,
            "{label}"
        );

        let (status, media, der) = app
            .get(&format!("/organisationer/{halland}/signering/rot.cer"))
            .await;
        assert_eq!(status, 200, "{label}");
        assert_eq!(media, "application/pkix-cert", "{label}");
        assert_eq!(der[0], 0x30, "{label}: DER starts with a SEQUENCE");
        assert_eq!(
            kansli_sign::pki::certificate_from_bytes(&der).unwrap(),
            root,
            "{label}"
        );

        let (status, media, crl) = app
            .get(&format!("/organisationer/{halland}/signering/ca.crl"))
            .await;
        assert_eq!(status, 200, "{label}");
        assert_eq!(media, "application/pkix-crl", "{label}");
        let info = kansli_sign::keys::check_crl(&crl, issuer.certificate())
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(info.revoked, 0);
        let week = std::time::Duration::from_secs(7 * 24 * 3600);
        let next = info.next_update.expect("a next update");
        let ahead = next.duration_since(info.this_update).unwrap();
        assert!(
            ahead >= week - std::time::Duration::from_secs(5) && ahead <= week,
            "{label}: {ahead:?}"
        );
        // Signed by the signing CA, not by the root.
        assert!(kansli_sign::keys::check_crl(&crl, &root).is_err());

        // An organisation without keys, and one that does not exist.
        let other = app
            .store
            .organisations()
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.id.0 != halland)
            .unwrap();
        for file in ["rot.pem", "rot.cer", "ca.crl"] {
            let (status, _, body) = app
                .get(&format!("/organisationer/{}/signering/{file}", other.id.0))
                .await;
            assert_eq!(status, 404, "{label} {file}");
            let body = String::from_utf8(body).unwrap();
            assert!(
                body.contains(&other.name) && body.contains("har inga nycklar"),
                "{label}: {body}"
            );
        }
        let (status, _, _) = app.get("/organisationer/99999/signering/rot.pem").await;
        assert_eq!(status, 404, "{label}");
        let (status, _, _) = app.get("/organisationer/abc/signering/ca.crl").await;
        assert_eq!(status, 404, "{label}");

        // The page lists the root with its fingerprint and the way to
        // trust it in Acrobat Reader; the menu links to it.
        let (status, _, page) = app.get("/verifiera").await;
        assert_eq!(status, 200, "{label}");
        let page = String::from_utf8(page).unwrap();
        assert!(
            page.contains(&kansli_sign::keys::fingerprint(&root)),
            "{label}"
        );
        assert!(
            page.contains(&format!("/organisationer/{halland}/signering/rot.cer")),
            "{label}"
        );
        assert!(page.contains("Adobe Acrobat Reader") && page.contains("Betrodda certifikat"));
        assert!(!page.contains(&format!("/organisationer/{}/signering", other.id.0)));
        let (_, _, start) = app.get("/").await;
        assert!(
            String::from_utf8(start)
                .unwrap()
                .contains("href=\"/verifiera\"")
        );
    }
}

#[tokio::test]
async fn uploads_are_verified_and_nothing_is_written() {
    for db in all().await {
        let label = db.label;
        let app = spawn(db).await;
        let halland = app
            .store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap()
            .id;
        let (meeting, pdf) = app.protocol().await;
        let issuer = kansli_sign::keys::load_issuer(&app.keys, halland.0)
            .unwrap()
            .unwrap()
            .with_crl_url(&format!(
                "{PUBLIC}/organisationer/{}/signering/ca.crl",
                halland.0
            ))
            .unwrap();
        let [chair, approver] = signatories();
        let prepared = kansli_sign::prepare(&pdf, &[chair.clone(), approver.clone()]).unwrap();
        let now = jiff::Timestamp::now();
        let once = kansli_sign::sign(&prepared, &issuer, &chair, now).unwrap();
        let twice = kansli_sign::sign(&once, &issuer, &approver, now).unwrap();
        // What Kansli stored: the file after the first signature.
        let mut tx = app.store.begin("system:test").await.unwrap();
        let stored = tx
            .store_protocol_document(meeting, "signed", None, None, &once)
            .await
            .unwrap();
        // Twice is one document.
        assert_eq!(
            tx.store_protocol_document(meeting, "signed", None, None, &once)
                .await
                .unwrap(),
            stored
        );
        tx.commit().await.unwrap();
        assert_eq!(
            app.store
                .find_protocol_document(&stored.to_uppercase())
                .await
                .unwrap()
                .unwrap()
                .meeting,
            meeting
        );
        assert!(
            app.store
                .find_protocol_document("inte-en-kontrollsumma")
                .await
                .unwrap()
                .is_none()
        );
        let audit_before = app.store.audit_tail(1).await.unwrap()[0].id;

        // The stored file itself.
        let (status, page) = app.upload("protokoll.pdf", &once).await;
        assert_eq!(status, 200, "{label}: {page}");
        assert!(
            page.contains("Giltig: alla 1 underskrifter"),
            "{label}: {page}"
        );
        assert!(page.contains("Anna Ordförande") && page.contains("ordförande"));
        assert!(page.contains(&format!("href=\"/sammantraden/{}\"", meeting.0)));
        assert!(
            page.contains("Filen är det justerade protokollet"),
            "{page}"
        );
        assert!(page.contains(&stored));

        // Signed once more: valid, found by its first signed revision.
        let (status, page) = app.upload("protokoll.pdf", &twice).await;
        assert_eq!(status, 200, "{label}: {page}");
        assert!(
            page.contains("Giltig: alla 2 underskrifter"),
            "{label}: {page}"
        );
        assert!(page.contains("Region Halland"));
        assert!(page.contains("Bertil Justerare") && page.contains("justerare"));
        assert!(
            page.contains("Filen innehåller det justerade protokollet"),
            "{page}"
        );
        assert!(page.contains(&format!("href=\"/sammantraden/{}\"", meeting.0)));

        // One byte changed in what the signatures cover.
        let mut flipped = twice.clone();
        let at = flipped[5..40].iter().position(|&b| b >= 0x80).unwrap() + 5;
        flipped[at] ^= 1;
        let (status, page) = app.upload("protokoll.pdf", &flipped).await;
        assert_eq!(status, 200, "{label}: {page}");
        assert!(
            page.contains("Inte giltig: filen är ändrad"),
            "{label}: {page}"
        );
        assert!(!page.contains("Giltig: alla"), "{label}");

        // Unsigned.
        let (status, page) = app.upload("osignerad.pdf", &pdf).await;
        assert_eq!(status, 200, "{label}: {page}");
        assert!(
            page.contains("Filen har inga elektroniska underskrifter"),
            "{page}"
        );

        // Signed under another root (not one of this site's).
        let stranger = kansli_sign::OrganisationPki::create("Region Halland", now).unwrap();
        let foreign = kansli_sign::sign(&prepared, &stranger.signing_ca, &chair, now).unwrap();
        let (status, page) = app.upload("falsk.pdf", &foreign).await;
        assert_eq!(status, 200, "{label}: {page}");
        assert!(
            page.contains("Inte giltig: underskrifterna är inte gjorda under rotcertifikatet"),
            "{page}"
        );

        // Not a PDF; a damaged PDF; an empty field.
        let (status, page) = app.upload("bild.png", b"\x89PNG\r\n\x1a\nrest").await;
        assert_eq!(status, 422, "{label}: {page}");
        assert!(page.contains("«bild.png» är ingen PDF-fil"), "{page}");
        let (status, page) = app.upload("trasig.pdf", b"%PDF-1.7\nbroken").await;
        assert_eq!(status, 422, "{label}: {page}");
        assert!(page.contains("kunde inte prövas"), "{page}");
        let (status, page) = app.upload("", b"").await;
        assert_eq!(status, 400, "{label}: {page}");
        assert!(page.contains("Välj en PDF-fil"), "{page}");

        // Too big: 413 with the limit in Swedish.
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(kansli_web::verification::VERIFY_LIMIT + 1024, b' ');
        let (status, page) = app.upload("stor.pdf", &big).await;
        assert_eq!(status, 413, "{label}: {page}");
        assert!(
            page.contains("för stor") && page.contains("20 MB"),
            "{page}"
        );

        // No upload wrote anything.
        assert_eq!(
            app.store.audit_tail(1).await.unwrap()[0].id,
            audit_before,
            "{label}"
        );
    }
}

/// A client that does not follow redirects (the flash is read after).
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers().get_all("set-cookie").iter().find_map(|v| {
        let pair = v.to_str().ok()?.split(';').next()?;
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

impl App {
    async fn sign_in(&self, username: &str) -> String {
        let c = no_redirects();
        let form = c
            .get(format!("{}/logga-in", self.base))
            .send()
            .await
            .unwrap();
        let token = set_cookie(&form, "kansli_signin").unwrap();
        let r = c
            .post(format!("{}/logga-in", self.base))
            .header("cookie", format!("kansli_signin={token}"))
            .form(&[
                ("username", username),
                ("password", kansli_demo::DEMO_PASSWORD),
                ("token", &token),
                ("till", "/sekretariat"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "{username}");
        set_cookie(&r, "kansli_session").unwrap()
    }

    async fn staff_get(&self, cookie: &str, path: &str) -> (u16, String) {
        let r = no_redirects()
            .get(format!("{}{path}", self.base))
            .header("cookie", format!("kansli_session={cookie}"))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Posts a form; follows the redirect with the flash cookie and gives
    /// the page it leads to.
    async fn staff_post(&self, cookie: &str, path: &str, form: &[(&str, &str)]) -> String {
        let r = no_redirects()
            .post(format!("{}{path}", self.base))
            .header("cookie", format!("kansli_session={cookie}"))
            .form(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "{path}");
        let to = r.headers()["location"].to_str().unwrap().to_string();
        let flash = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
            .collect::<Vec<_>>()
            .join("; ");
        let page = no_redirects()
            .get(format!("{}{to}", self.base))
            .header("cookie", format!("kansli_session={cookie}; {flash}"))
            .send()
            .await
            .unwrap();
        page.text().await.unwrap()
    }

    /// The demo's RSAU meeting of 2025-01-28, made justerat, with the
    /// user `sekreterare` linked to its secretary.
    async fn justerat_meeting(&self) -> (kansli_core::MeetingId, kansli_core::PersonId) {
        let m = self
            .store
            .all_meetings()
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.meeting.date == jiff::civil::date(2025, 1, 28))
            .unwrap()
            .meeting;
        let secretary = m.secretary.unwrap();
        let user = self.store.user_named("sekreterare").await.unwrap().unwrap();
        let mut tx = self.store.begin("system:test").await.unwrap();
        tx.set_meeting_status(
            m.id,
            &kansli_core::meeting::MeetingStatus::Approved {
                approved: jiff::civil::date(2025, 2, 3),
            },
        )
        .await
        .unwrap();
        tx.link_person(user.id, secretary).await.unwrap();
        tx.commit().await.unwrap();
        (m.id, secretary)
    }
}

#[tokio::test]
async fn the_secretary_certifies_an_extract_with_the_password_again() {
    for db in all().await {
        let label = db.label;
        let app = spawn(db).await;
        let (meeting, secretary) = app.justerat_meeting().await;
        let secretary_name = app.store.person(secretary).await.unwrap().name;
        let halland = app
            .store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap()
            .id;
        let root = kansli_sign::keys::load_root(&app.keys, halland.0)
            .unwrap()
            .unwrap();
        let cookie = app.sign_in("sekreterare").await;
        let path = format!("/sekretariat/sammantraden/{}/utdrag", meeting.0);
        let (status, page) = app.staff_get(&cookie, &path).await;
        assert_eq!(status, 200, "{label}: {page}");
        assert!(page.contains("Bestyrk utdraget ur §14"), "{label}: {page}");
        let csrf = hidden(&page, "csrf");
        let public_before = app
            .get(&format!(
                "/sammantraden/{}/paragrafer/14/utdrag.pdf",
                meeting.0
            ))
            .await
            .2;
        assert!(
            kansli_sign::verify(&public_before, &root)
                .unwrap()
                .signatures
                .is_empty(),
            "{label}: not certified yet"
        );

        // A wrong password: refused, nothing stored.
        let once = kansli_web::once::key();
        let page = app
            .staff_post(
                &cookie,
                &path,
                &[
                    ("csrf", &csrf),
                    ("once", &once),
                    ("paragraph", "14"),
                    ("password", "fel lösenord"),
                ],
            )
            .await;
        assert!(page.contains("lösenordet stämmer inte"), "{label}: {page}");
        let stored = app
            .store
            .latest_protocol_document(meeting, "extract", Some(14))
            .await
            .unwrap();
        assert!(stored.is_none(), "{label}");

        // The right password: certified and signed by the secretary.
        let once = kansli_web::once::key();
        let page = app
            .staff_post(
                &cookie,
                &path,
                &[
                    ("csrf", &csrf),
                    ("once", &once),
                    ("paragraph", "14"),
                    ("password", kansli_demo::DEMO_PASSWORD),
                ],
            )
            .await;
        assert!(
            page.contains("Utdraget ur §14 är bestyrkt"),
            "{label}: {page}"
        );
        let (doc, bytes) = app
            .store
            .latest_protocol_document(meeting, "extract", Some(14))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(doc.paragraph, Some(14));
        assert!(page.contains(&doc.sha256), "{label}");
        let report = kansli_sign::verify(&bytes, &root).unwrap();
        assert!(report.all_valid(), "{label}: {report:?}");
        assert_eq!(report.signatures.len(), 1);
        let s = &report.signatures[0];
        assert_eq!(s.signer_name.as_deref(), Some(secretary_name.as_str()));
        assert_eq!(s.person_id, Some(secretary.0.to_string()));
        assert_eq!(kansli_sign::role_of_field(&s.field), Some("sekreterare"));

        // The public extract is now the certified one, byte for byte.
        let (status, _, public) = app
            .get(&format!(
                "/sammantraden/{}/paragrafer/14/utdrag.pdf",
                meeting.0
            ))
            .await;
        assert_eq!(status, 200, "{label}");
        assert_eq!(public, bytes, "{label}");
        // And /verifiera names it.
        let (_, answer) = app.upload("utdrag.pdf", &public).await;
        assert!(
            answer.contains("bestyrkt protokollsutdrag"),
            "{label}: {answer}"
        );
        assert!(answer.contains("(§ 14)"), "{label}: {answer}");

        // Sent again: the same extract, no second one.
        let once = kansli_web::once::key();
        app.staff_post(
            &cookie,
            &path,
            &[
                ("csrf", &csrf),
                ("once", &once),
                ("paragraph", "14"),
                ("password", kansli_demo::DEMO_PASSWORD),
            ],
        )
        .await;
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM protocol_documents WHERE kind = 'extract'")
                .fetch_one(app.store.pool())
                .await
                .unwrap();
        assert_eq!(count, 1, "{label}");

        // Called directly: without the password again, for someone who is
        // not the secretary, or for a meeting not justerat: refused.
        let state = kansli_web::AppState::new(
            app.store.clone(),
            kansli_web::Config {
                public_url: Some(PUBLIC.into()),
                keys_dir: Some(app.keys.clone()),
                ..kansli_web::Config::default()
            },
        );
        let user = app.store.user_named("sekreterare").await.unwrap().unwrap();
        let e = kansli_web::seal::certify_extract(&state, meeting, 15, secretary, &user, false)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("lösenord"), "{e}");
        let other = kansli_core::PersonId(secretary.0 + 1);
        let e = kansli_web::seal::certify_extract(&state, meeting, 15, other, &user, true)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("sekreterare"), "{e}");
        let held = app
            .store
            .all_meetings()
            .await
            .unwrap()
            .into_iter()
            .find(|m| {
                m.meeting.id != meeting
                    && !matches!(
                        m.meeting.status,
                        kansli_core::meeting::MeetingStatus::Approved { .. }
                            | kansli_core::meeting::MeetingStatus::NoticePosted { .. }
                    )
            })
            .unwrap()
            .meeting;
        let e = kansli_web::seal::certify_extract(&state, held.id, 1, secretary, &user, true)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("inte justerat"), "{e}");
    }
}

#[tokio::test]
async fn the_public_copy_is_sealed_and_names_the_original() {
    for db in all().await {
        let label = db.label;
        let app = spawn(db).await;
        let (meeting, _) = app.justerat_meeting().await;
        let halland = app
            .store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap()
            .id;
        let root = kansli_sign::keys::load_root(&app.keys, halland.0)
            .unwrap()
            .unwrap();
        let state = kansli_web::AppState::new(
            app.store.clone(),
            kansli_web::Config {
                public_url: Some(PUBLIC.into()),
                keys_dir: Some(app.keys.clone()),
                ..kansli_web::Config::default()
            },
        );
        // The signed original, as the justering stores it.
        let (_, pdf) = app.protocol().await;
        let issuer = kansli_web::verification::signing_issuer(&state, halland).unwrap();
        assert!(issuer.crl_url().unwrap().starts_with(PUBLIC));
        let [chair, _] = signatories();
        let prepared = kansli_sign::prepare(&pdf, std::slice::from_ref(&chair)).unwrap();
        let original =
            kansli_sign::sign(&prepared, &issuer, &chair, jiff::Timestamp::now()).unwrap();
        let mut tx = app.store.begin("system:test").await.unwrap();
        let original_sha = tx
            .store_protocol_document(meeting, "signed", None, None, &original)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let e = kansli_web::seal::public_copy(&state, meeting, &"0".repeat(64))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("finns inte"), "{label}: {e}");

        let copy = kansli_web::seal::public_copy(&state, meeting, &original_sha)
            .await
            .unwrap();
        assert_ne!(copy, original);
        let report = kansli_sign::verify(&copy, &root).unwrap();
        assert!(report.all_valid(), "{label}: {report:?}");
        assert_eq!(report.signatures.len(), 1);
        let s = &report.signatures[0];
        assert_eq!(s.field, "sigill-0");
        assert_eq!(s.signer_name.as_deref(), Some("Region Halland"));
        assert_eq!(kansli_sign::role_of_field(&s.field), Some("sigill"));
        let stored = app
            .store
            .find_protocol_document(&kansli_sign::sha256_hex(&copy))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.kind, "public_copy");
        assert_eq!(stored.meeting, meeting);
        if let Some(text) = kansli_testsupport::poppler("pdftotext", &[], &copy) {
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                flat.contains("Offentlig kopia av det justerade protokollet; originalets SHA-256:"),
                "{label}: {flat}"
            );
            assert!(flat.contains(&original_sha[..16]), "{label}: {flat}");
        }
        // Asked again: the same copy.
        let again = kansli_web::seal::public_copy(&state, meeting, &original_sha)
            .await
            .unwrap();
        assert_eq!(again, copy, "{label}");
        // No keys: a Swedish error naming the command.
        let keyless = kansli_web::AppState::new(app.store.clone(), kansli_web::Config::default());
        let e = kansli_web::verification::signing_issuer(&keyless, halland).unwrap_err();
        assert!(
            e.to_string().contains("kansli signing init --organisation"),
            "{e}"
        );
    }
}

fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn tool_output(cmd: &mut std::process::Command) -> (bool, String) {
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

/// The certified extract and the sealed copy as outside verifiers see them:
/// pyHanko fetches the CRL that each leaf names from
/// this server's route; pdfsig (NSS) trusts the chain; qpdf finds the file
/// sound. One backend suffices: the CRL does not depend on the database.
// Several threads: the tools run blocking while the server answers them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_verifiers_accept_the_seal_with_the_served_crl() {
    let pyhanko = std::env::var("KANSLI_PYHANKO")
        .ok()
        .map(PathBuf::from)
        .or_else(|| which("pyhanko"))
        .filter(|p| p.is_file());
    let tools = ["pdfsig", "certutil", "qpdf"]
        .iter()
        .all(|t| which(t).is_some());
    let Some(pyhanko) = pyhanko.filter(|_| tools) else {
        if std::env::var("KANSLI_REQUIRE_SIGN_TOOLS").as_deref() == Ok("1") {
            panic!("KANSLI_REQUIRE_SIGN_TOOLS=1 but pdfsig, certutil, qpdf or pyHanko is missing");
        }
        eprintln!("SKIPPED: signature tools (pdfsig, certutil, qpdf, pyHanko via KANSLI_PYHANKO)");
        return;
    };
    let app = spawn_at(kansli_testsupport::sqlite(), true).await;
    let (meeting, _) = app.justerat_meeting().await;
    let halland = app
        .store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap()
        .id;
    let state = kansli_web::AppState::new(
        app.store.clone(),
        kansli_web::Config {
            public_url: Some(app.public.clone()),
            keys_dir: Some(app.keys.clone()),
            ..kansli_web::Config::default()
        },
    );
    let (_, pdf) = app.protocol().await;
    let issuer = kansli_web::verification::signing_issuer(&state, halland).unwrap();
    let [chair, _] = signatories();
    let prepared = kansli_sign::prepare(&pdf, std::slice::from_ref(&chair)).unwrap();
    let original = kansli_sign::sign(&prepared, &issuer, &chair, jiff::Timestamp::now()).unwrap();
    let mut tx = app.store.begin("system:test").await.unwrap();
    let sha = tx
        .store_protocol_document(meeting, "signed", None, None, &original)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let copy = kansli_web::seal::public_copy(&state, meeting, &sha)
        .await
        .unwrap();
    let user = app.store.user_named("sekreterare").await.unwrap().unwrap();
    let secretary = app.store.meeting(meeting).await.unwrap().secretary.unwrap();
    let extract = kansli_web::seal::certify_extract(&state, meeting, 14, secretary, &user, true)
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let root = app.keys.join(halland.0.to_string()).join("root.pem");
    let nss = dir.path().join("nss");
    std::fs::create_dir_all(&nss).unwrap();
    let nss_arg = format!("sql:{}", nss.display());
    let (ok, text) = tool_output(std::process::Command::new("certutil").args([
        "-N",
        "--empty-password",
        "-d",
        &nss_arg,
    ]));
    assert!(ok, "certutil -N: {text}");
    let (ok, text) = tool_output(
        std::process::Command::new("certutil")
            .args([
                "-A",
                "-n",
                "kansli-root",
                "-t",
                "CT,C,C",
                "-d",
                &nss_arg,
                "-i",
            ])
            .arg(&root),
    );
    assert!(ok, "certutil -A: {text}");
    for (name, bytes) in [("utdrag.pdf", &extract), ("kopia.pdf", &copy)] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let (ok, text) = tool_output(
            std::process::Command::new(&pyhanko)
                .args(["sign", "validate", "--executive-summary", "--trust"])
                .arg(&root)
                .arg("--trust-replace")
                .arg(&path),
        );
        assert!(ok, "pyHanko {name}: {text}");
        assert_eq!(text.matches(":VALID").count(), 1, "{name}: {text}");
        let (_, text) = tool_output(
            std::process::Command::new("pdfsig")
                .args(["-nssdir", &nss_arg, "-no-ocsp"])
                .arg(&path),
        );
        assert!(
            text.contains("Signature is Valid."),
            "pdfsig {name}: {text}"
        );
        assert!(
            text.contains("Certificate is Trusted."),
            "pdfsig {name}: {text}"
        );
        assert!(
            text.contains("Total document signed"),
            "pdfsig {name}: {text}"
        );
        let (ok, text) = tool_output(std::process::Command::new("qpdf").arg("--check").arg(&path));
        assert!(ok, "qpdf {name}: {text}");
    }
    // A leaf naming a CRL address where nothing answers: pyHanko refuses
    // it, so the passes above came from the CRL this server served.
    let elsewhere = kansli_sign::keys::load_issuer(&app.keys, halland.0)
        .unwrap()
        .unwrap()
        .with_crl_url("http://127.0.0.1:9/ca.crl")
        .unwrap();
    let unreachable =
        kansli_sign::sign(&prepared, &elsewhere, &chair, jiff::Timestamp::now()).unwrap();
    let path = dir.path().join("utan-crl.pdf");
    std::fs::write(&path, &unreachable).unwrap();
    let (ok, text) = tool_output(
        std::process::Command::new(&pyhanko)
            .args(["sign", "validate", "--executive-summary", "--trust"])
            .arg(&root)
            .arg("--trust-replace")
            .arg(&path),
    );
    assert!(
        !ok || !text.contains(":VALID"),
        "pyHanko without a CRL: {text}"
    );
}
