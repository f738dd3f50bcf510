//! Sign-in without lockouts, the log of failed sign-ins, the redirect after
//! sign-in, the device cookie, and members' access by their term of office:
//! the real server on a random port over a fresh database with the demo.

use kansli_core::org::{Membership, Role};
use kansli_core::{BodyId, MeetingId, OrganisationId};
use kansli_store::Store;
use kansli_web::Config;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

struct App {
    base: String,
    store: Store,
    organisation: OrganisationId,
    rsau: BodyId,
    _db: kansli_testsupport::TestDb,
}

async fn spawn(db: kansli_testsupport::TestDb, config: Config) -> App {
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
        organisation: org.id,
        rsau: rsau.id,
        _db: db,
    }
}

/// Behind a proxy at 127.0.0.1 (the test's own address), so that a test
/// can come from several addresses.
fn behind_proxy() -> Config {
    Config {
        trusted_proxies: vec![std::net::IpAddr::from([127, 0, 0, 1])],
        ..Config::default()
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
        .unwrap_or_else(|| panic!("no field {name} in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// One sign-in attempt as a browser makes it.
struct Try<'a> {
    username: &'a str,
    password: &'a str,
    till: &'a str,
    /// The address the (trusted) proxy says the browser has.
    from: Option<&'a str>,
    /// Cookies the browser already has (a device cookie).
    cookies: Option<String>,
}

impl<'a> Try<'a> {
    fn new(username: &'a str, password: &'a str) -> Self {
        Try {
            username,
            password,
            till: "/sekretariat",
            from: None,
            cookies: None,
        }
    }
}

impl App {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn try_sign_in(&self, t: Try<'_>) -> reqwest::Response {
        let c = client();
        let form = c.get(self.url("/logga-in")).send().await.unwrap();
        assert_eq!(form.status(), StatusCode::OK);
        let (token, _) = set_cookie(&form, "kansli_signin").expect("sign-in cookie");
        let mut cookie = format!("kansli_signin={token}");
        if let Some(more) = &t.cookies {
            cookie.push_str("; ");
            cookie.push_str(more);
        }
        let mut req = c.post(self.url("/logga-in")).header(COOKIE, cookie).form(&[
            ("username", t.username),
            ("password", t.password),
            ("token", &token),
            ("till", t.till),
        ]);
        if let Some(from) = t.from {
            req = req.header("X-Forwarded-For", from);
        }
        req.send().await.unwrap()
    }

    /// Signs in with the demo password; the session cookie.
    async fn sign_in(&self, username: &str) -> String {
        let r = self
            .try_sign_in(Try::new(username, kansli_demo::DEMO_PASSWORD))
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{username}");
        set_cookie(&r, "kansli_session").expect("session cookie").0
    }

    async fn get(&self, path: &str, session: &str) -> reqwest::Response {
        client()
            .get(self.url(path))
            .header(COOKIE, format!("kansli_session={session}"))
            .send()
            .await
            .unwrap()
    }

    async fn page(&self, path: &str, session: &str) -> String {
        let r = self.get(path, session).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.text().await.unwrap()
    }
}

#[tokio::test]
async fn twenty_wrong_passwords_then_the_right_one_from_elsewhere_signs_in() {
    let app = spawn(kansli_testsupport::sqlite(), behind_proxy()).await;
    // Twenty wrong passwords for the secretary from the attacker's address,
    // at once (the delays of each run side by side).
    let wrong = (0..20).map(|_| {
        app.try_sign_in(Try {
            from: Some("203.0.113.5"),
            ..Try::new("sekreterare", "fel lösenord!")
        })
    });
    // Each is refused as a wrong password, or, beyond the few password
    // checks that may wait at once (`auth::PasswordChecks`), at once as
    // busy: neither locks anyone out.
    let mut wrong_password = 0;
    for r in futures_join(wrong).await {
        let status = r.status();
        let text = r.text().await.unwrap();
        match status {
            StatusCode::UNAUTHORIZED => {
                assert!(text.contains("Fel användarnamn eller lösenord"), "{text}");
                wrong_password += 1;
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(text.contains("för många inloggningar att pröva"), "{text}")
            }
            other => panic!("{other}: {text}"),
        }
    }
    assert!(wrong_password >= 1);
    // The secretary from her own address: signed in (after a delay at most).
    let r = app
        .try_sign_in(Try {
            from: Some("198.51.100.7"),
            ..Try::new("sekreterare", kansli_demo::DEMO_PASSWORD)
        })
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/sekretariat");
    let (session, _) = set_cookie(&r, "kansli_session").expect("session cookie");
    let page = app.page("/sekretariat", &session).await;
    assert!(page.contains("Nämndsekreteraren"), "{page}");
    // Someone else at the attacker's address (everyone, behind one proxy)
    // is not refused either.
    let r = app
        .try_sign_in(Try {
            from: Some("203.0.113.5"),
            ..Try::new("handlaggare", kansli_demo::DEMO_PASSWORD)
        })
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // And the attacker's next wrong guess is still only a wrong guess.
    let r = app
        .try_sign_in(Try {
            from: Some("203.0.113.5"),
            ..Try::new("sekreterare", "fel igen!")
        })
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn five_wrong_passwords_do_not_lock_the_account() {
    // No proxy: everything comes from 127.0.0.1, as behind an untrusted one.
    let app = spawn(kansli_testsupport::sqlite(), Config::default()).await;
    for _ in 0..5 {
        let r = app
            .try_sign_in(Try::new("sekreterare", "fel lösenord!"))
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Before: the sixth try was refused with 429 even with the right password.
    app.sign_in("sekreterare").await;
    app.sign_in("handlaggare").await;
}

/// Runs the futures side by side and returns their answers in order.
async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    // The futures borrow the app; a JoinSet would need 'static, so they
    // are polled together on this task.
    let mut futures: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in futures.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

#[tokio::test]
async fn failed_sign_ins_are_logged_for_the_administrators() {
    let app = spawn(kansli_testsupport::sqlite(), behind_proxy()).await;
    for _ in 0..3 {
        let r = app
            .try_sign_in(Try {
                from: Some("203.0.113.5"),
                ..Try::new("sekreterare", "fel lösenord!")
            })
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let long = "x".repeat(1000);
    for name in ["finns-inte", long.as_str()] {
        let r = app
            .try_sign_in(Try {
                from: Some("192.0.2.44"),
                ..Try::new(name, "fel lösenord!")
            })
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // In the store: one row per username, address and hour, counted.
    let rows = app.store.failed_sign_ins(None, 100).await.unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    let secretary = rows.iter().find(|r| r.username == "sekreterare").unwrap();
    assert_eq!(secretary.attempts, 3);
    assert_eq!(secretary.address, "203.0.113.5");
    assert_eq!(
        secretary.reason,
        kansli_store::sign_in::Failure::WrongPassword
    );
    assert!(secretary.slowed >= 1, "{secretary:?}");
    let unknown = rows.iter().find(|r| r.username == "finns-inte").unwrap();
    assert_eq!(unknown.reason, kansli_store::sign_in::Failure::UnknownUser);
    assert!(rows.iter().any(|r| r.username == "x".repeat(64)));

    // The organisation's administrator: the start page links the log,
    // which shows the attempts against the organisation's users only.
    let admin = app.sign_in("admin").await;
    let start = app.page("/sekretariat", &admin).await;
    assert!(start.contains("href=\"/sekretariat/inloggningsforsok\""));
    let page = app.page("/sekretariat/inloggningsforsok", &admin).await;
    assert!(page.contains("<h1>Misslyckade inloggningar</h1>"), "{page}");
    assert!(
        page.contains("<td>sekreterare</td><td>203.0.113.5</td>"),
        "{page}"
    );
    assert!(page.contains("<td>fel lösenord</td><td>3</td>"), "{page}");
    assert!(page.contains("Region Halland"), "{page}");
    assert!(!page.contains("finns-inte"), "{page}");
    // Not for others; the link is not shown to them.
    let secretary = app.sign_in("sekreterare").await;
    let start = app.page("/sekretariat", &secretary).await;
    assert!(!start.contains("inloggningsforsok"));
    let r = app.get("/sekretariat/inloggningsforsok", &secretary).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A system administrator sees everything, unknown names too.
    let mut tx = app.store.begin("user:test").await.unwrap();
    tx.add_user(
        "system",
        "Systemadministratören",
        "ett-långt-lösenord",
        true,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = app
        .try_sign_in(Try::new("system", "ett-långt-lösenord"))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let system = set_cookie(&r, "kansli_session").unwrap().0;
    let page = app.page("/sekretariat/inloggningsforsok", &system).await;
    assert!(
        page.contains("<td>finns-inte</td><td>192.0.2.44</td>"),
        "{page}"
    );
    assert!(page.contains("okänt användarnamn"), "{page}");
    assert!(page.contains(&"x".repeat(64)) && !page.contains(&"x".repeat(65)));
}

#[tokio::test]
async fn a_sign_in_remembers_the_browser_with_a_hashed_device_cookie() {
    let config = Config {
        secure_cookies: true,
        ..Config::default()
    };
    let app = spawn(kansli_testsupport::sqlite(), config).await;
    let r = app
        .try_sign_in(Try::new("sekreterare", kansli_demo::DEMO_PASSWORD))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (token, header) = set_cookie(&r, "kansli_device").expect("device cookie");
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Secure",
        "Max-Age=",
        "Path=/logga-in",
    ] {
        assert!(header.contains(attribute), "{attribute}: {header}");
    }
    let now = jiff::Timestamp::now();
    assert!(
        app.store
            .device_known(&token, "sekreterare", now)
            .await
            .unwrap()
    );
    assert!(
        !app.store
            .device_known(&token, "handlaggare", now)
            .await
            .unwrap()
    );
    assert!(
        !app.store
            .device_known("annat", "sekreterare", now)
            .await
            .unwrap()
    );
    // Only its hash is stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM known_devices")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(
        stored,
        vec![kansli_store::access::sha256_hex(token.as_bytes())]
    );
    // Signing in again from the known device keeps the same token.
    let r = app
        .try_sign_in(Try {
            cookies: Some(format!("kansli_device={token}")),
            ..Try::new("sekreterare", kansli_demo::DEMO_PASSWORD)
        })
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(set_cookie(&r, "kansli_device").unwrap().0, token);
    // A made-up device cookie is not taken over.
    let r = app
        .try_sign_in(Try {
            cookies: Some("kansli_device=pahittad".into()),
            ..Try::new("handlaggare", kansli_demo::DEMO_PASSWORD)
        })
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_ne!(set_cookie(&r, "kansli_device").unwrap().0, "pahittad");
}

#[tokio::test]
async fn after_sign_in_only_a_local_path_is_followed() {
    let app = spawn(kansli_testsupport::sqlite(), Config::default()).await;
    for till in [
        "/\t/other.example",
        "/\n/other.example",
        "//other.example",
        "/\\other.example",
        "https://other.example/",
        // A control character once made the redirect fail with a 500
        // after the session had been made.
        "/sekretariat\u{1}",
        "/sekretariat\r\nX-Injected: 1",
    ] {
        let r = app
            .try_sign_in(Try {
                till,
                ..Try::new("sekreterare", kansli_demo::DEMO_PASSWORD)
            })
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{till:?}");
        assert_eq!(r.headers()[LOCATION], "/sekretariat", "{till:?}");
        assert!(r.headers().get("x-injected").is_none());
        let (session, _) = set_cookie(&r, "kansli_session").expect("session cookie");
        app.page("/sekretariat", &session).await;
    }
    // A plain local path is kept, from the form's link to the redirect.
    let r = client()
        .get(app.url("/logga-in?till=%2Fsekretariat%2Finloggningsforsok"))
        .send()
        .await
        .unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("name=\"till\" value=\"/sekretariat/inloggningsforsok\"")
    );
    let r = client()
        .get(app.url("/logga-in?till=%2F%09%2Fother.example"))
        .send()
        .await
        .unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("name=\"till\" value=\"/sekretariat\"")
    );
    let r = app
        .try_sign_in(Try {
            till: "/organ/1?visa=alla",
            ..Try::new("sekreterare", kansli_demo::DEMO_PASSWORD)
        })
        .await;
    assert_eq!(r.headers()[LOCATION], "/organ/1?visa=alla");
}

/// A user linked to a new person with a seat in `body` for `term`.
async fn member_for(
    store: &Store,
    username: &str,
    name: &str,
    body: BodyId,
    term: kansli_core::TermId,
) {
    let mut tx = store.begin("user:test").await.unwrap();
    let person = tx.add_person(name, Some("S")).await.unwrap();
    tx.add_memberships(&[Membership {
        person,
        body,
        term,
        role: Role::Member,
        party_group: None,
    }])
    .await
    .unwrap();
    let user = tx
        .add_user(username, name, kansli_demo::DEMO_PASSWORD, false)
        .await
        .unwrap();
    tx.link_person(user, person).await.unwrap();
    tx.commit().await.unwrap();
}

async fn plan(store: &Store, body: BodyId, date: jiff::civil::Date) -> MeetingId {
    let mut tx = store.begin("user:test").await.unwrap();
    let id = tx
        .plan_meeting(body, date, None, "Borgkammaren")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn a_member_reaches_a_meeting_only_within_their_term_of_office() {
    for db in kansli_testsupport::all().await {
        term_of_office(spawn(db, Config::default()).await).await;
    }
}

async fn term_of_office(app: App) {
    use jiff::civil::date;
    let store = &app.store;
    // The demo's term is 2023–2026; add the one before and the one after.
    let mut tx = store.begin("user:test").await.unwrap();
    let earlier = tx
        .add_term(app.organisation, date(2019, 1, 1), date(2022, 12, 31))
        .await
        .unwrap();
    let later = tx
        .add_term(app.organisation, date(2027, 1, 1), date(2030, 12, 31))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    member_for(store, "foredetta", "Före Detta", app.rsau, earlier).await;
    member_for(store, "nykomling", "Ny Komling", app.rsau, later).await;
    // The demo's held meeting (2025-01-28), with its secret paragraphs in
    // the draft protocol.
    let held = store
        .meetings(app.rsau)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.date == date(2025, 1, 28))
        .unwrap()
        .id;
    let in_earlier = plan(store, app.rsau, date(2021, 3, 2)).await;
    let in_later = plan(store, app.rsau, date(2027, 3, 2)).await;
    let former = app.sign_in("foredetta").await;
    let newcomer = app.sign_in("nykomling").await;
    let current = app.sign_in("ledamot").await;
    let pages = |m: MeetingId| {
        [
            format!("/sekretariat/sammantraden/{}/protokoll/protokoll.html", m.0),
            format!("/sekretariat/sammantraden/{}/protokoll/protokoll.txt", m.0),
            format!("/sekretariat/sammantraden/{}/justering", m.0),
        ]
    };
    for path in pages(held) {
        // A seat that ended before the meeting, or began after it: refused.
        for (who, session) in [("former", &former), ("newcomer", &newcomer)] {
            let r = app.get(&path, session).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who} {path}");
            let body = r.text().await.unwrap();
            assert!(body.contains("behörighet"), "{who} {path}: {body}");
            assert!(!body.contains("Waltersson"), "{who} {path}");
        }
        // A member that day: allowed.
        let r = app.get(&path, &current).await;
        assert_eq!(r.status(), StatusCode::OK, "current {path}");
    }
    // Each reaches the meetings of their own term, and only those.
    for (session, own, other) in [
        (&former, in_earlier, in_later),
        (&newcomer, in_later, in_earlier),
    ] {
        let justering = format!("/sekretariat/sammantraden/{}/justering", own.0);
        let page = app.page(&justering, session).await;
        assert!(page.contains("Regionstyrelsens arbetsutskott"), "{page}");
        let r = app
            .get(
                &format!(
                    "/sekretariat/sammantraden/{}/protokoll/protokoll.html",
                    own.0
                ),
                session,
            )
            .await;
        assert!(
            !matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED),
            "{}",
            r.status()
        );
        let r = app
            .get(
                &format!("/sekretariat/sammantraden/{}/justering", other.0),
                session,
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    // A justering sent by a former member, with their own valid token, is
    // refused by the guard and writes nothing.
    let csrf = hidden(&app.page("/sekretariat", &former).await, "csrf");
    let before = store.approvals(held).await.unwrap().confirmed;
    let r = client()
        .post(app.url(&format!("/sekretariat/sammantraden/{}/justering", held.0)))
        .header(COOKIE, format!("kansli_session={former}"))
        .form(&[
            ("password", kansli_demo::DEMO_PASSWORD),
            ("version", "1"),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(store.approvals(held).await.unwrap().confirmed, before);
}
