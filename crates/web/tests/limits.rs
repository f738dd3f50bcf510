//! Limits on what is written (`kansli_core::limits`) over the real server:
//! a refusal names the field and the limit and gives back everything typed,
//! forms are bounded in size and fields, what was stored before the limits
//! is shown shortened, and the message cookie is Secure when cookies are.

use kansli_web::Config;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

struct App {
    base: String,
    organisation: i64,
    body: i64,
    db: kansli_testsupport::TestDb,
}

async fn spawn(db: kansli_testsupport::TestDb, config: Config) -> App {
    let store = db.store().await;
    kansli_demo::load(&store).await.unwrap();
    let org = store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap();
    let body = store
        .bodies(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.name == "Regionstyrelsens arbetsutskott")
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        kansli_web::serve(listener, store, config, std::future::pending())
            .await
            .unwrap()
    });
    App {
        base: format!("http://{addr}"),
        organisation: org.id.0,
        body: body.id.0,
        db,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn set_cookie(r: &reqwest::Response, name: &str) -> Option<(String, String)> {
    r.headers().get_all(SET_COOKIE).iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let (pair, _) = v.split_once(';').unwrap_or((v, ""));
        let (n, value) = pair.split_once('=')?;
        (n == name).then(|| (value.to_string(), v.to_string()))
    })
}

fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no field {name}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The value attribute of the input with `id` in a page.
fn input_value(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no input {id}"));
    let tag = &html[at..at + html[at..].find('>').unwrap()];
    match tag.find("value=\"") {
        Some(v) => {
            let rest = &tag[v + 7..];
            rest[..rest.find('"').unwrap()].to_string()
        }
        None => String::new(),
    }
}

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
        let (token, _) = set_cookie(&form, "kansli_signin").unwrap();
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
        let (cookie, _) = set_cookie(&r, "kansli_session").unwrap();
        let page = c
            .get(self.url("/sekretariat"))
            .header(COOKIE, format!("kansli_session={cookie}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden(&page, "csrf");
        Browser { cookie, csrf }
    }

    /// Posts a form signed in; returns the answer.
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

    /// Follows a form's redirect with its message cookie, as a browser does.
    async fn follow(&self, b: &Browser, r: &reqwest::Response) -> (String, String) {
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let to = r.headers()[LOCATION].to_str().unwrap().to_string();
        let (flash, _) = set_cookie(r, "kansli_flash").expect("a message cookie");
        let page = client()
            .get(self.url(&to))
            .header(
                COOKIE,
                format!("kansli_session={}; kansli_flash={flash}", b.cookie),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        (page.text().await.unwrap(), flash)
    }
}

#[tokio::test]
async fn a_megabyte_title_is_refused_with_its_limit_and_the_form_comes_back() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db, Config::default()).await;
        let b = app.sign_in("sekreterare").await;
        let path = format!("/sekretariat/organisationer/{}/arenden", app.organisation);
        let store = app.db.store().await;
        let before = store
            .cases(kansli_core::OrganisationId(app.organisation))
            .await
            .unwrap()
            .len();
        let title = "a".repeat(1_000_000);
        let r = app
            .post(
                &b,
                &path,
                &[("title", &title), ("registered", "2024-05-06")],
            )
            .await;
        let (flash, header) = set_cookie(&r, "kansli_flash").unwrap();
        assert!(flash.len() < 1000, "the cookie carries an id, not the form");
        assert!(!header.contains("Secure"), "{header}");
        let (page, flash) = app.follow(&b, &r).await;
        assert!(
            page.contains("ärendemening: får vara högst 500 tecken (texten är 1 000 000 tecken)"),
            "{}",
            &page[..page.len().min(3000)]
        );
        assert!(page.contains("förkortat till 500 tecken"));
        // The other field as typed, the title cut to its limit.
        assert_eq!(input_value(&page, "registered"), "2024-05-06");
        assert_eq!(input_value(&page, "title"), "a".repeat(500));
        // Nothing was registered.
        let after = store
            .cases(kansli_core::OrganisationId(app.organisation))
            .await
            .unwrap()
            .len();
        assert_eq!(before, after);
        // Shown once: the same cookie again brings the message, not the form.
        let again = client()
            .get(app.url(&path))
            .header(
                COOKIE,
                format!("kansli_session={}; kansli_flash={flash}", b.cookie),
            )
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(again.contains("högst 500 tecken"));
        assert_ne!(input_value(&again, "registered"), "2024-05-06");
    }
}

#[tokio::test]
async fn a_refused_form_comes_back_whole_to_its_own_session_only() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db, Config::default()).await;
        let b = app.sign_in("sekreterare").await;
        // A bad date dropped the title and place of a planned meeting.
        let path = format!("/sekretariat/organ/{}/sammantraden", app.body);
        let place = "Regionens hus, Slottsgatan 2, sammanträdesrum Tylösand";
        let r = app
            .post(
                &b,
                &path,
                &[
                    ("date", "2025-13-45"),
                    ("starts", "09:30"),
                    ("place", place),
                ],
            )
            .await;
        let (page, _) = app.follow(&b, &r).await;
        assert!(page.contains("«2025-13-45» är inget datum"), "{page}");
        assert_eq!(input_value(&page, "p-place"), place);
        assert_eq!(input_value(&page, "p-starts"), "09:30");
        assert_eq!(input_value(&page, "p-date"), "2025-13-45");

        // A long form within its limits, far over what a cookie holds
        // (490 «ö» are 2,940 bytes URL-encoded), comes back whole.
        let store = app.db.store().await;
        let title = format!("Motion om {}", "ö".repeat(480));
        let agenda = store
            .meetings(kansli_core::BodyId(app.body))
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.status == kansli_core::meeting::MeetingStatus::Planned);
        let meeting = match agenda {
            Some(m) => m.id.0,
            None => {
                let r = app
                    .post(
                        &b,
                        &path,
                        &[
                            ("date", "2025-06-10"),
                            ("starts", "13:00"),
                            ("place", "Halmstad"),
                        ],
                    )
                    .await;
                let to = r.headers()[LOCATION].to_str().unwrap().to_string();
                to.rsplit('/').next().unwrap().parse().unwrap()
            }
        };
        // An item for a case of another organisation is refused; what was
        // typed comes back, the long title whole.
        let r = app
            .post(
                &b,
                &format!("/sekretariat/sammantraden/{meeting}/dagordning"),
                &[
                    ("action", "add"),
                    ("case", "999999"),
                    ("title", &title),
                    ("kind", "information"),
                    ("ground", "26 kap. 1 § OSL"),
                ],
            )
            .await;
        let (flash, _) = set_cookie(&r, "kansli_flash").unwrap();
        let (page, _) = app.follow(&b, &r).await;
        assert!(page.contains("Inte genomfört"), "{page}");
        assert_eq!(input_value(&page, "a-title"), title);
        assert_eq!(input_value(&page, "a-ground"), "26 kap. 1 § OSL");
        assert!(page.contains("<option value=\"information\" selected>"));

        // Another session with the same cookie gets nothing of the form.
        let r = app
            .post(
                &b,
                &format!("/sekretariat/sammantraden/{meeting}/dagordning"),
                &[("action", "add"), ("case", "999999"), ("title", &title)],
            )
            .await;
        let (other_flash, _) = set_cookie(&r, "kansli_flash").unwrap();
        assert_ne!(flash, other_flash);
        let admin = app.sign_in("admin").await;
        let page = client()
            .get(app.url(&format!("/sekretariat/sammantraden/{meeting}")))
            .header(
                COOKIE,
                format!(
                    "kansli_session={}; kansli_flash={other_flash}",
                    admin.cookie
                ),
            )
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains(&title));
    }
}

#[tokio::test]
async fn control_characters_are_refused_on_the_way_in() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db, Config::default()).await;
        let b = app.sign_in("sekreterare").await;
        let path = format!("/sekretariat/organisationer/{}/arenden", app.organisation);
        let r = app
            .post(
                &b,
                &path,
                &[
                    ("title", "Ärende\u{0}med NUL"),
                    ("registered", "2024-05-06"),
                ],
            )
            .await;
        let (page, _) = app.follow(&b, &r).await;
        assert!(page.contains("otillåtet styrtecken (U+0000)"), "{page}");
        assert!(!page.contains('\u{0}'));

        // Every writer, not only forms: the store refuses what no form sent.
        let store = app.db.store().await;
        let mut tx = store.begin("test").await.unwrap();
        let org = kansli_core::OrganisationId(app.organisation);
        let today = jiff::civil::date(2024, 5, 6);
        let e = tx
            .register_case(org, &"x".repeat(501), today)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("högst 500 tecken"), "{e}");
        let e = tx.add_person("Anna\u{1b}[31m", None).await.unwrap_err();
        assert!(e.to_string().contains("U+001B"), "{e}");
        let e = tx
            .plan_meeting(
                kansli_core::BodyId(app.body),
                jiff::civil::date(2025, 6, 10),
                None,
                "Halmstad\r\nsal 1",
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("plats"), "{e}");
    }
}

#[tokio::test]
async fn public_pages_and_api_answers_stay_bounded_whatever_is_stored() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db, Config::default()).await;
        let store = app.db.store().await;
        // Written past the store's checks, as data from before the limits.
        let mut tx = store.begin("test").await.unwrap();
        let (case, _) = tx
            .register_case(
                kansli_core::OrganisationId(app.organisation),
                "kort",
                jiff::civil::date(2024, 5, 6),
            )
            .await
            .unwrap();
        // PostgreSQL stores no NUL at all, so the planted control is a BEL.
        let huge = format!("A\u{7}B{}", "ä".repeat(2_000_000));
        sqlx::query("UPDATE cases SET title = $1 WHERE id = $2")
            .bind(&huge)
            .bind(case.0)
            .execute(tx.connection())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let page = client()
            .get(app.url(&format!("/organisationer/{}", app.organisation)))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let page = page.text().await.unwrap();
        assert!(page.len() < 200_000, "{} bytes", page.len());
        assert!(!page.contains('\u{7}'));
        assert!(page.contains(&format!("AB{}…", "ä".repeat(497))));

        let api = client()
            .get(app.url(&format!("/api/v1/organisations/{}/cases", app.organisation)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(api.len() < 200_000, "{} bytes", api.len());
        assert!(!api.contains("\\u0007"));
        let cases: Vec<serde_json::Value> = serde_json::from_str(&api).unwrap();
        let shown = cases.iter().find(|c| c["id"] == case.0).unwrap()["title"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(shown.chars().count(), 500);
        assert!(shown.ends_with('…'));
    }
}

#[tokio::test]
async fn forms_are_bounded_in_size_and_fields_with_the_limit_named() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db, Config::default()).await;
        let b = app.sign_in("sekreterare").await;
        let path = format!("/sekretariat/organisationer/{}/arenden", app.organisation);
        let big = "a".repeat(kansli_core::limits::FORM_BYTES + 1);
        let r = app
            .post(&b, &path, &[("title", &big), ("registered", "2024-05-06")])
            .await;
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let text = r.text().await.unwrap();
        assert!(text.contains("högst 2 MB"), "{text}");

        let many: Vec<(&str, &str)> = (0..kansli_core::limits::FORM_FIELDS)
            .map(|_| ("x", "1"))
            .collect();
        let r = app.post(&b, &path, &many).await;
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let text = r.text().await.unwrap();
        assert!(text.contains("högst 1 000"), "{text}");

        // A bare CR, as some clients send a line break, is read as one:
        // refused in a one-line field as a line break.
        let r = app
            .post(
                &b,
                &path,
                &[("title", "Ett\rärende"), ("registered", "2024-05-06")],
            )
            .await;
        let (page, _) = app.follow(&b, &r).await;
        assert!(page.contains("får inte innehålla radbrytningar"), "{page}");
    }
}

#[tokio::test]
async fn the_message_cookie_is_secure_when_cookies_are() {
    for db in kansli_testsupport::all().await {
        let app = spawn(
            db,
            Config {
                secure_cookies: true,
                ..Config::default()
            },
        )
        .await;
        let b = app.sign_in("sekreterare").await;
        let path = format!("/sekretariat/organisationer/{}/arenden", app.organisation);
        for form in [
            [("title", "Ett ärende"), ("registered", "2024-05-06")],
            [("title", ""), ("registered", "2024-05-06")],
        ] {
            let r = app.post(&b, &path, &form).await;
            let (_, header) = set_cookie(&r, "kansli_flash").unwrap();
            assert!(header.contains("Secure"), "{header}");
            assert!(header.contains("HttpOnly"), "{header}");
        }
    }
}
