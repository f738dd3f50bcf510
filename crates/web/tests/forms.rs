//! Forms safe to send twice, the security headers, and no token in an
//! address: against the real server on a random port over a fresh database
//! with the demo data.

use kansli_core::proceedings::Command;
use kansli_core::{CaseId, MeetingId, OrganisationId};
use kansli_store::Store;
use kansli_web::Config;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

struct App {
    base: String,
    store: Store,
    org: OrganisationId,
    rsau: kansli_core::BodyId,
    _db: kansli_testsupport::TestDb,
}

async fn spawn(db: kansli_testsupport::TestDb, config: Config) -> App {
    let store = db.store().await;
    kansli_demo::load(&store).await.unwrap();
    let org = store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap()
        .id;
    let rsau = store
        .bodies(org)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.name == "Regionstyrelsens arbetsutskott")
        .unwrap()
        .id;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = store.clone();
    tokio::spawn(async move {
        kansli_web::serve(listener, served, config, std::future::pending())
            .await
            .unwrap()
    });
    App {
        base: format!("http://{addr}"),
        store,
        org,
        rsau,
        _db: db,
    }
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

/// A signed-in browser: its session cookie and CSRF token.
struct Browser {
    cookie: String,
    csrf: String,
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
        client()
            .post(self.url(path))
            .header(COOKIE, format!("kansli_session={}", b.cookie))
            .form(&fields)
            .send()
            .await
            .unwrap()
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }
}

/// The post forms of a page, each as its HTML.
fn post_forms(html: &str) -> Vec<&str> {
    html.match_indices("<form method=\"post\"")
        .map(|(at, _)| {
            let rest = &html[at..];
            &rest[..rest.find("</form>").expect("form closed")]
        })
        .collect()
}

/// A form's one-time key: 64 hex digits.
fn key_of(form: &str) -> Option<String> {
    let at = form.find("name=\"once\" value=\"")?;
    let key = &form[at + 19..];
    let key = &key[..key.find('"')?];
    (key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit())).then(|| key.to_string())
}

/// A meeting of the arbetsutskott in session, its first item taken up,
/// everyone present; returns the meeting and a member's person id.
async fn meeting_in_session(app: &App) -> (MeetingId, String) {
    let mut tx = app.store.begin("user:test").await.unwrap();
    let meeting = tx
        .plan_meeting(
            app.rsau,
            jiff::civil::date(2025, 5, 6),
            None,
            "Regionens hus",
        )
        .await
        .unwrap();
    let (case, _) = tx
        .register_case(
            app.org,
            "Motion om nattbussar",
            jiff::civil::date(2025, 2, 3),
        )
        .await
        .unwrap();
    tx.set_agenda(
        meeting,
        &[kansli_core::meeting::AgendaItem {
            title: "Svar på motion om nattbussar".into(),
            case: Some(case),
            kind: kansli_core::meeting::ItemKind::Decision,
            access: kansli_core::Access::Public,
            basis: vec![],
            paragraph: None,
            presenter: None,
        }],
    )
    .await
    .unwrap();
    tx.issue_notice(meeting).await.unwrap();
    tx.commit().await.unwrap();
    let roster = app
        .store
        .proceedings(meeting)
        .await
        .unwrap()
        .setting()
        .roster
        .clone();
    let mut tx = app.store.begin("user:test").await.unwrap();
    for seat in &roster {
        tx.record_command(
            meeting,
            &Command::Arrive {
                person: seat.person.id,
            },
        )
        .await
        .unwrap();
    }
    tx.record_command(
        meeting,
        &Command::Open {
            at: None,
            on: Some(jiff::civil::date(2025, 5, 6)),
        },
    )
    .await
    .unwrap();
    tx.record_command(
        meeting,
        &Command::TakeUp {
            item: 0,
            draft_decision: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (meeting, roster[0].person.id.0.to_string())
}

#[tokio::test]
async fn every_form_kansli_renders_carries_its_own_one_time_key() {
    let app = spawn(kansli_testsupport::sqlite(), Config::default()).await;
    let (in_session, _) = meeting_in_session(&app).await;
    let b = app.sign_in("sekreterare").await;
    let case: CaseId = app.store.cases(app.org).await.unwrap()[0].id;
    let meetings = app.store.meetings(app.rsau).await.unwrap();
    let held = meetings
        .iter()
        .find(|m| m.status != kansli_core::meeting::MeetingStatus::Planned && m.id != in_session)
        .unwrap()
        .id;
    let planned = app
        .store
        .all_meetings()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.meeting.status == kansli_core::meeting::MeetingStatus::Planned)
        .map(|m| m.meeting.id)
        .unwrap_or(in_session);
    let pages = [
        "/sekretariat".to_string(),
        format!("/sekretariat/organisationer/{}/arenden", app.org.0),
        format!("/sekretariat/arenden/{}", case.0),
        format!("/sekretariat/arenden/{}/beslutsforslag", case.0),
        format!("/sekretariat/organ/{}/sammantraden", app.rsau.0),
        format!("/sekretariat/sammantraden/{}", held.0),
        format!("/sekretariat/sammantraden/{}", in_session.0),
        format!("/sekretariat/sammantraden/{}/mote", planned.0),
        format!("/sekretariat/sammantraden/{}/mote", in_session.0),
        format!("/sekretariat/sammantraden/{}/justering", held.0),
    ];
    let mut keys = std::collections::HashSet::new();
    let mut forms = 0;
    for path in &pages {
        let html = app.page(&b.cookie, path).await;
        for form in post_forms(&html) {
            let key =
                key_of(form).unwrap_or_else(|| panic!("{path}: a form without a key: {form}"));
            assert!(keys.insert(key), "{path}: a key used twice: {form}");
            forms += 1;
        }
    }
    // The meeting screen alone has a form per person and per step.
    assert!(forms >= 20, "only {forms} forms found");
    // A new render, new keys.
    let again = app.page(&b.cookie, &pages[2]).await;
    for form in post_forms(&again) {
        assert!(!keys.contains(&key_of(form).unwrap()));
    }
}

#[tokio::test]
async fn the_case_form_sent_twice_registers_one_case_and_shows_the_first_answer() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db, Config::default()).await;
        let b = app.sign_in("handlaggare").await;
        let path = format!("/sekretariat/organisationer/{}/arenden", app.org.0);
        let form = app.page(&b.cookie, &path).await;
        let key = key_of(post_forms(&form)[0]).unwrap();
        let cases = app.count("SELECT COUNT(*) FROM cases").await;
        let send = |key: String| {
            let (app, b, path) = (&app, &b, &path);
            async move {
                app.post(
                    b,
                    path,
                    &[
                        ("title", "Motion om cykelbanor"),
                        ("registered", "2025-03-03"),
                        ("once", &key),
                    ],
                )
                .await
            }
        };
        let first = send(key.clone()).await;
        assert_eq!(first.status(), StatusCode::SEE_OTHER);
        let flash = set_cookie(&first, "kansli_flash").unwrap();
        assert!(flash.contains("diarienummer"), "{flash}");
        let second = send(key.clone()).await;
        assert_eq!(second.status(), StatusCode::SEE_OTHER);
        assert_eq!(second.headers()[LOCATION], first.headers()[LOCATION]);
        assert_eq!(set_cookie(&second, "kansli_flash").unwrap(), flash);
        assert!(set_cookie(&second, "kansli_session").is_none());
        assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, cases + 1);
        // The page after the replay shows the first case number.
        let r = client()
            .get(app.url(second.headers()[LOCATION].to_str().unwrap()))
            .header(
                COOKIE,
                format!("kansli_session={}; kansli_flash={flash}", b.cookie),
            )
            .send()
            .await
            .unwrap();
        let cases_now = app.store.cases(app.org).await.unwrap();
        let newest = cases_now.iter().max_by_key(|c| c.id.0).unwrap();
        let page = r.text().await.unwrap();
        assert!(
            page.contains(&format!("diarienummer {}", newest.number)),
            "{page}"
        );

        // Another user's submit with the same key is theirs, and done.
        let other = app.sign_in("sekreterare").await;
        let r = app
            .post(
                &other,
                &path,
                &[
                    ("title", "Motion om gångbanor"),
                    ("registered", "2025-03-03"),
                    ("once", &key),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, cases + 2);

        // A form without a key (an old page) still works, each time.
        for _ in 0..2 {
            let r = app
                .post(
                    &b,
                    &path,
                    &[
                        ("title", "Motion utan nyckel"),
                        ("registered", "2025-03-03"),
                    ],
                )
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, cases + 4);

        // While the first submit is being handled, a second one changes
        // nothing and says so, with a way back.
        let user = app.store.user_named("handlaggare").await.unwrap().unwrap();
        let busy = "b".repeat(64);
        let mut tx = app.store.begin("user:test").await.unwrap();
        tx.reserve_key(&format!("user:{}", user.id.0), &busy, "x")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let r = client()
            .post(app.url(&path))
            .header(COOKIE, format!("kansli_session={}", b.cookie))
            .header("referer", app.url(&path))
            .form(&[
                ("csrf", b.csrf.as_str()),
                ("title", "Motion om parker"),
                ("registered", "2025-03-03"),
                ("once", &busy),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let page = r.text().await.unwrap();
        assert!(page.contains("behandlas fortfarande"), "{page}");
        assert!(page.contains(&format!("href=\"{path}\"")), "{page}");
        assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, cases + 4);

        // A submit that failed on our side may be sent again.
        let retry = "c".repeat(64);
        sqlx::query("ALTER TABLE cases RENAME TO cases_away")
            .execute(app.store.pool())
            .await
            .unwrap();
        let failed = send(retry.clone()).await;
        sqlx::query("ALTER TABLE cases_away RENAME TO cases")
            .execute(app.store.pool())
            .await
            .unwrap();
        assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let r = send(retry).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(
            set_cookie(&r, "kansli_flash")
                .unwrap()
                .contains("diarienummer")
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, cases + 5);
    }
}

#[tokio::test]
async fn a_retried_yrkande_on_the_meeting_screen_is_recorded_once() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db, Config::default()).await;
        let (meeting, member) = meeting_in_session(&app).await;
        let b = app.sign_in("sekreterare").await;
        let path = format!("/sekretariat/sammantraden/{}/mote", meeting.0);
        let screen = app.page(&b.cookie, &path).await;
        let form = post_forms(&screen)
            .into_iter()
            .find(|f| f.contains("name=\"command\" value=\"move\""))
            .expect("the form for a yrkande");
        let key = key_of(form).unwrap();
        let events = format!(
            "SELECT COUNT(*) FROM meeting_events WHERE meeting_id = {}",
            meeting.0
        );
        let before = app.count(&events).await;
        let mut answers = vec![];
        for _ in 0..2 {
            let r = app
                .post(
                    &b,
                    &path,
                    &[
                        ("command", "move"),
                        ("movers", &member),
                        ("kind", "aterremiss"),
                        ("text", "att ärendet återremitteras"),
                        ("once", &key),
                    ],
                )
                .await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            answers.push((
                r.headers()[LOCATION].clone(),
                set_cookie(&r, "kansli_flash").unwrap(),
            ));
        }
        assert_eq!(answers[0], answers[1]);
        assert!(answers[0].1.contains("Antecknat"), "{:?}", answers[0]);
        assert_eq!(app.count(&events).await, before + 1);
        let recorded = app
            .store
            .proceedings(meeting)
            .await
            .unwrap()
            .snapshot()
            .paragraph
            .expect("the open item")
            .proposals
            .len();
        assert_eq!(recorded, 1);
    }
}

/// A multipart body by hand: (name, file name, content).
fn multipart(boundary: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: application/pdf\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

#[tokio::test]
async fn the_upload_form_carries_its_token_in_the_body_never_in_the_address() {
    let app = spawn(kansli_testsupport::sqlite(), Config::default()).await;
    let b = app.sign_in("handlaggare").await;
    let case: CaseId = app.store.cases(app.org).await.unwrap()[0].id;
    let page = app
        .page(&b.cookie, &format!("/sekretariat/arenden/{}", case.0))
        .await;
    let form = post_forms(&page)
        .into_iter()
        .find(|f| f.contains("multipart/form-data"))
        .unwrap();
    assert!(!form.contains("csrf="), "{form}");
    assert!(form.contains(&format!("name=\"csrf\" value=\"{}\"", b.csrf)));
    let key = key_of(form).unwrap();
    let path = format!("/sekretariat/arenden/{}/handlingar", case.0);
    let boundary = "kansli-test-boundary-7d3f";
    let send = |query: String, token: Option<String>, key: Option<String>| {
        let (app, b, path) = (&app, &b, &path);
        async move {
            let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![];
            let token = token.unwrap_or_default();
            let key = key.unwrap_or_default();
            if !token.is_empty() {
                parts.push(("csrf", None, token.as_bytes()));
            }
            if !key.is_empty() {
                parts.push(("once", None, key.as_bytes()));
            }
            parts.extend([
                ("title", None, "Yttrande från kommunen".as_bytes()),
                ("kind", None, b"statement".as_slice()),
                ("date", None, b"2025-03-03".as_slice()),
                ("direction", None, b"internal".as_slice()),
                ("secret", None, b"nej".as_slice()),
                ("fil", Some("yttrande.pdf"), b"%PDF-1.4\n".as_slice()),
            ]);
            client()
                .post(app.url(&format!("{path}{query}")))
                .header(COOKIE, format!("kansli_session={}", b.cookie))
                .header(
                    CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(multipart(boundary, &parts))
                .send()
                .await
                .unwrap()
        }
    };
    let documents = app.count("SELECT COUNT(*) FROM documents").await;
    // The token in the address alone is refused: the guard no longer
    // looks there.
    let r = send(format!("?csrf={}", b.csrf), None, None).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM documents").await, documents);
    // A wrong token in the body is refused, too.
    let r = send(String::new(), Some("0".repeat(64)), None).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The field works, and the same key twice adds one document.
    let mut flashes = vec![];
    for _ in 0..2 {
        let r = send(String::new(), Some(b.csrf.clone()), Some(key.clone())).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        flashes.push(set_cookie(&r, "kansli_flash").unwrap());
    }
    assert!(flashes[0].starts_with("ok%3D"), "{flashes:?}");
    assert_eq!(flashes[0], flashes[1]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM documents").await,
        documents + 1
    );
}

/// How the API's writes authenticate (one place, for when it changes).
async fn api_admin(app: &App) -> (&'static str, String) {
    // A personal API token of the organisation's administrator.
    let admin = app.store.user_named("admin").await.unwrap().unwrap();
    let mut tx = app.store.begin("system:test").await.unwrap();
    let token = tx
        .create_api_token(
            app.org,
            kansli_store::access::Role::Administrator,
            "idempotens",
            admin.id,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    ("authorization", format!("Bearer {}", token.token))
}

#[tokio::test]
async fn an_api_write_with_an_idempotency_key_is_done_once() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db, Config::default()).await;
        let (name, value) = api_admin(&app).await;
        let url = app.url(&format!("/api/v1/organisations/{}/cases", app.org.0));
        let post = |key: Option<&str>, body: &str| {
            let mut r = client()
                .post(&url)
                .header(name, &value)
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
            if let Some(k) = key {
                r = r.header("idempotency-key", k);
            }
            r.send()
        };
        let cases = app.count("SELECT COUNT(*) FROM cases").await;
        let good = r#"{"title":"Motion om cykelbanor","registered":"2025-03-03"}"#;
        let key = "5f0c6c1e-5a3b-4c1e-9d7e-2b1f0a9c8d7e";
        let first = post(Some(key), good).await.unwrap();
        assert_eq!(first.status(), StatusCode::CREATED);
        assert_security_headers(&first, "API write");
        assert!(no_store(&first), "API write");
        let first: serde_json::Value = first.json().await.unwrap();
        let second = post(Some(key), good).await.unwrap();
        assert_eq!(second.status(), StatusCode::CREATED);
        assert_eq!(second.headers()["idempotent-replayed"], "true");
        assert!(
            second.headers()[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let second: serde_json::Value = second.json().await.unwrap();
        assert_eq!(first, second);
        assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, cases + 1);
        // The same key with another body: refused, nothing done.
        let other = r#"{"title":"Motion om gångbanor","registered":"2025-03-03"}"#;
        let r = post(Some(key), other).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: serde_json::Value = r.json().await.unwrap();
        assert!(
            problem["message"]
                .as_str()
                .unwrap()
                .contains("användes redan för en annan begäran"),
            "{problem}"
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, cases + 1);
        // An unusable key is a bad request; no key, a write each time.
        let r = post(Some(&"x".repeat(300)), good).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        for _ in 0..2 {
            assert_eq!(
                post(None, good).await.unwrap().status(),
                StatusCode::CREATED
            );
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, cases + 3);
    }
}

#[tokio::test]
async fn the_api_document_declares_the_idempotency_key() {
    let app = spawn(kansli_testsupport::sqlite(), Config::default()).await;
    let doc: serde_json::Value = client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let post = &doc["paths"]["/api/v1/organisations/{id}/cases"]["post"];
    let header = post["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Idempotency-Key")
        .unwrap_or_else(|| panic!("{post}"));
    assert_eq!(header["in"], "header");
    assert_eq!(header["required"], false);
    assert!(post["responses"]["409"].is_object(), "{post}");
}

fn assert_security_headers(r: &reqwest::Response, what: &str) {
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    for part in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{what}: {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("script-src"),
        "{what}: {csp}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
    assert_eq!(h["referrer-policy"], "same-origin", "{what}");
}

fn no_store(r: &reqwest::Response) -> bool {
    r.headers()
        .get("cache-control")
        .is_some_and(|c| c.to_str().unwrap().contains("no-store"))
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_personal_ones_are_not_kept() {
    let app = spawn(kansli_testsupport::sqlite(), Config::default()).await;
    let b = app.sign_in("sekreterare").await;
    let meeting = app
        .store
        .meetings(app.rsau)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.status == kansli_core::meeting::MeetingStatus::Held || m.status.is_sealed())
        .expect("a protocol in the demo");
    // The public has a protocol once it is justerat (kansli_core::publication).
    if !meeting.status.is_sealed() {
        let approved = meeting.date.checked_add(jiff::Span::new().days(7)).unwrap();
        let mut tx = app.store.begin("user:test").await.unwrap();
        tx.set_meeting_status(
            meeting.id,
            &kansli_core::meeting::MeetingStatus::Approved { approved },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let meeting = meeting.id;

    let r = app.get(Some(&b.cookie), "/sekretariat").await;
    assert_security_headers(&r, "signed-in page");
    assert!(no_store(&r), "signed-in page");
    assert!(r.headers().get("strict-transport-security").is_none());
    let r = app.get(None, "/logga-in").await;
    assert_security_headers(&r, "sign-in form");
    assert!(no_store(&r), "sign-in form");
    // A public page as the public sees it, fresh and from the cache; and as
    // a signed-in user sees it.
    for _ in 0..2 {
        let r = app.get(None, "/sammantraden").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_security_headers(&r, "public page");
        assert!(!no_store(&r), "public page");
    }
    let r = app.get(Some(&b.cookie), "/sammantraden").await;
    assert_security_headers(&r, "public page signed in");
    assert!(no_store(&r), "public page signed in");
    // A form's answer.
    let r = app.post(&b, "/logga-ut", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_security_headers(&r, "sign-out");
    assert!(no_store(&r), "sign-out");
    // A document and an API answer.
    for path in [
        format!("/sammantraden/{}/dokument/protokoll.pdf", meeting.0),
        "/api/v1/organisations".to_string(),
    ] {
        for _ in 0..2 {
            let r = app.get(None, &path).await;
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            assert_security_headers(&r, &path);
        }
    }
    // The document's HTML keeps its own style, allowed by its hash.
    let r = app
        .get(
            None,
            &format!("/sammantraden/{}/dokument/protokoll.html", meeting.0),
        )
        .await;
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let html = r.text().await.unwrap();
    let style = html
        .split_once("<style>")
        .and_then(|(_, r)| r.split_once("</style>"))
        .unwrap()
        .0;
    use base64::Engine;
    use sha2::Digest;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    // No inline script or style attribute anywhere the policy would break.
    assert!(!html.contains("<script") && !html.contains(" style="));
}

#[tokio::test]
async fn hsts_only_when_served_over_https() {
    let app = spawn(
        kansli_testsupport::sqlite(),
        Config {
            secure_cookies: true,
            ..Config::default()
        },
    )
    .await;
    for path in ["/", "/logga-in", "/api/v1/organisations"] {
        let r = app.get(None, path).await;
        assert_eq!(
            r.headers()["strict-transport-security"],
            kansli_web::headers::HSTS,
            "{path}"
        );
    }
}

/// The store's side: a key is reserved once, kept, released after a
/// failure, and pruned after a day (on both databases: the reservation's
/// `ON CONFLICT` is portable SQL).
#[tokio::test]
async fn a_key_is_reserved_once_kept_released_and_pruned() {
    for db in kansli_testsupport::all().await {
        let store = db.store().await;
        let reserve = |key: &'static str, fingerprint: &'static str| {
            let store = store.clone();
            async move {
                let mut tx = store.begin("user:anna").await.unwrap();
                let r = tx.reserve_key("user:1", key, fingerprint).await.unwrap();
                tx.commit().await.unwrap();
                r
            }
        };
        assert_eq!(
            reserve("k1", "f").await,
            kansli_store::idempotency::Reservation::Reserved,
            "{}",
            db.label
        );
        // Still being handled.
        assert_eq!(
            reserve("k1", "f").await,
            kansli_store::idempotency::Reservation::Seen {
                same_request: true,
                answer: None
            }
        );
        let answer = kansli_store::idempotency::KeptAnswer {
            status: 303,
            location: Some("/sekretariat".into()),
            set_cookie: vec!["kansli_flash=ok%3DKlart; Path=/".into()],
            content_type: None,
            body: None,
        };
        let mut tx = store.begin("user:anna").await.unwrap();
        tx.finish_key("user:1", "k1", &answer).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            reserve("k1", "other").await,
            kansli_store::idempotency::Reservation::Seen {
                same_request: false,
                answer: Some(answer.clone())
            }
        );
        // Another user's key of the same text is theirs.
        let mut tx = store.begin("user:bo").await.unwrap();
        assert_eq!(
            tx.reserve_key("user:2", "k1", "f").await.unwrap(),
            kansli_store::idempotency::Reservation::Reserved
        );
        // A failed request's key may be tried again; a done one stays.
        tx.release_key("user:2", "k1").await.unwrap();
        tx.release_key("user:1", "k1").await.unwrap();
        assert_eq!(
            tx.reserve_key("user:2", "k1", "f").await.unwrap(),
            kansli_store::idempotency::Reservation::Reserved
        );
        tx.commit().await.unwrap();
        assert!(matches!(
            reserve("k1", "f").await,
            kansli_store::idempotency::Reservation::Seen {
                answer: Some(_),
                ..
            }
        ));
        // Keys older than a day are pruned when another is reserved.
        sqlx::query("UPDATE idempotency_keys SET created_at = '2000-01-01T00:00:00Z'")
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(
            reserve("k2", "f").await,
            kansli_store::idempotency::Reservation::Reserved
        );
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_keys")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(left, 1);
    }
}

#[tokio::test]
async fn a_double_click_registers_one_case_and_both_clicks_get_its_answer() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db, Config::default()).await;
        let b = app.sign_in("handlaggare").await;
        let path = format!("/sekretariat/organisationer/{}/arenden", app.org.0);
        let key = "d".repeat(64);
        let cases = app.count("SELECT COUNT(*) FROM cases").await;
        let fields = [
            ("title", "Motion om cykelbanor"),
            ("registered", "2025-03-03"),
            ("once", key.as_str()),
        ];
        let click = || app.post(&b, &path, &fields);
        let (first, second) = tokio::join!(click(), click());
        for r in [&first, &second] {
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
        }
        assert_eq!(first.headers()[LOCATION], second.headers()[LOCATION]);
        assert_eq!(
            set_cookie(&first, "kansli_flash"),
            set_cookie(&second, "kansli_flash")
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, cases + 1);
    }
}
