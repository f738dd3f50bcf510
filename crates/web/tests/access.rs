//! Sign-in, sessions, CSRF, the role matrix and the secretariat's forms,
//! against the real server on a random port over a fresh database with the
//! demo data (and its users).

use kansli_web::{Config, Need, RouteInfo};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use std::collections::HashMap;

struct App {
    base: String,
    routes: Vec<RouteInfo>,
    params: HashMap<&'static str, String>,
    _db: kansli_testsupport::TestDb,
}

async fn spawn(db: kansli_testsupport::TestDb) -> App {
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
    let meeting = store.meetings(rsau.id).await.unwrap()[0].id;
    let case = store.cases(org.id).await.unwrap()[0].id;
    let params = HashMap::from([
        ("organisation", org.id.0.to_string()),
        ("body", rsau.id.0.to_string()),
        ("meeting", meeting.0.to_string()),
        ("case", case.0.to_string()),
        ("id", "1".to_string()),
        ("number", "14".to_string()),
        ("file", "protokoll.html".to_string()),
        ("rest", "finns-inte".to_string()),
        // The OParl routes of a body's term and a meeting's file.
        ("term", "1".to_string()),
        ("name", "protokoll".to_string()),
    ]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let routes = kansli_web::app(store.clone(), Config::default()).1;
    tokio::spawn(async move {
        kansli_web::serve(listener, store, Config::default(), std::future::pending())
            .await
            .unwrap()
    });
    App {
        base: format!("http://{addr}"),
        routes,
        params,
        _db: db,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of cookie `name` among a response's Set-Cookie headers, with
/// the whole header.
fn set_cookie(r: &reqwest::Response, name: &str) -> Option<(String, String)> {
    r.headers().get_all(SET_COOKIE).iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let (pair, _) = v.split_once(';').unwrap_or((v, ""));
        let (n, value) = pair.split_once('=')?;
        (n == name).then(|| (value.to_string(), v.to_string()))
    })
}

/// The value of a hidden input in a page.
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

    async fn try_sign_in(&self, username: &str, password: &str) -> reqwest::Response {
        let c = client();
        let form = c.get(self.url("/logga-in")).send().await.unwrap();
        assert_eq!(form.status(), StatusCode::OK);
        let (token_cookie, header) = set_cookie(&form, "kansli_signin").expect("sign-in cookie");
        assert!(header.contains("HttpOnly") && header.contains("SameSite=Strict"));
        let page = form.text().await.unwrap();
        let token = hidden(&page, "token");
        assert_eq!(token, token_cookie);
        c.post(self.url("/logga-in"))
            .header(COOKIE, format!("kansli_signin={token_cookie}"))
            .form(&[
                ("username", username),
                ("password", password),
                ("token", &token),
                ("till", "/sekretariat"),
            ])
            .send()
            .await
            .unwrap()
    }

    async fn sign_in(&self, username: &str) -> Browser {
        let r = self.try_sign_in(username, kansli_demo::DEMO_PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{username}");
        assert_eq!(r.headers()[LOCATION], "/sekretariat");
        let (cookie, header) = set_cookie(&r, "kansli_session").expect("session cookie");
        assert!(header.contains("HttpOnly"), "{header}");
        assert!(header.contains("SameSite=Strict"), "{header}");
        let page = client()
            .get(self.url("/sekretariat"))
            .header(COOKIE, format!("kansli_session={cookie}"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let csrf = hidden(&page.text().await.unwrap(), "csrf");
        Browser { cookie, csrf }
    }

    fn path(&self, route: &RouteInfo) -> String {
        let mut out = String::new();
        let mut rest = route.path;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').unwrap() + open;
            let name = rest[open + 1..close].trim_start_matches('*');
            out.push_str(&self.params[name]);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }

    async fn request(
        &self,
        route: &RouteInfo,
        browser: Option<&Browser>,
        csrf: Option<&str>,
    ) -> reqwest::Response {
        let c = client();
        let url = self.url(&self.path(route));
        let mut req = match route.method.as_str() {
            "GET" => c.get(url),
            "POST" => c
                .post(url)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(match csrf {
                    Some(t) => format!("csrf={t}"),
                    None => String::new(),
                }),
            m => panic!("method {m} not covered by the test"),
        };
        if let Some(b) = browser {
            req = req.header(COOKIE, format!("kansli_session={}", b.cookie));
        }
        req.send().await.unwrap()
    }
}

/// Who is allowed what in the demo (Region Halland, its arbetsutskott):
/// written out by hand, not computed with the server's own function.
fn allowed(need: Need, role: &str) -> bool {
    match need {
        Need::Public => true,
        Need::ApiCaseOfficer => false,
        Need::SignedIn => role != "anonym",
        Need::Member => matches!(role, "ledamot" | "sekreterare" | "admin"),
        Need::CaseOfficer => matches!(role, "handlaggare" | "sekreterare" | "admin"),
        Need::Secretary => matches!(role, "sekreterare" | "admin"),
        Need::Administrator => role == "admin",
    }
}

#[tokio::test]
async fn every_route_refuses_the_roles_it_should() {
    for db in kansli_testsupport::all().await {
        role_matrix(spawn(db).await).await;
    }
}

async fn role_matrix(app: App) {
    let roles = ["anonym", "ledamot", "handlaggare", "sekreterare", "admin"];
    let mut browsers = HashMap::new();
    for role in &roles[1..] {
        browsers.insert(*role, app.sign_in(role).await);
    }
    let mut checked = 0;
    for route in &app.routes {
        for role in roles {
            let browser = browsers.get(role);
            let what = format!("{} {} as {role}", route.method, route.path);
            let valid = browser.map(|b| b.csrf.clone());
            if route.method == "POST"
                && !matches!(route.need, Need::Public | Need::ApiCaseOfficer)
                && allowed(route.need, role)
            {
                // Without the session's token, and with another's.
                for bad in [None, Some("0".repeat(64))] {
                    let r = app.request(route, browser, bad.as_deref()).await;
                    assert_eq!(r.status(), StatusCode::FORBIDDEN, "{what}: CSRF {bad:?}");
                }
            }
            let r = app.request(route, browser, valid.as_deref()).await;
            let status = r.status();
            let to_login = status == StatusCode::SEE_OTHER
                && r.headers()[LOCATION]
                    .to_str()
                    .unwrap()
                    .starts_with("/logga-in");
            if route.need == Need::Public && route.method == "POST" {
                // The sign-in form checks its own token (its tests below).
                assert!(!to_login, "{what}");
            } else if allowed(route.need, role) {
                assert!(
                    !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                        && !to_login,
                    "{what}: refused with {status}"
                );
                if route.path == "/logga-ut" {
                    browsers.insert(role, app.sign_in(role).await);
                }
            } else if route.need == Need::ApiCaseOfficer {
                // A browser session is no API credential: a token only.
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
            } else if role == "anonym" && route.method == "GET" {
                assert!(to_login, "{what}: {status}, not sent to sign in");
            } else if role == "anonym" {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
                let body = r.text().await.unwrap();
                assert!(body.contains("behörighet"), "{what}: {body}");
            }
            checked += 1;
        }
    }
    assert!(checked >= app.routes.len() * roles.len());
    api_tokens_by_role(&app).await;
}

/// The API's routes with a token of each role: a case officer's,
/// secretary's or administrator's token of the organisation may write
/// there; the same roles' tokens of another organisation may not.
async fn api_tokens_by_role(app: &App) {
    use kansli_store::access::Role;
    let store = app._db.store().await;
    let org: i64 = app.params["organisation"].parse().unwrap();
    let admin = store.user_named("admin").await.unwrap().unwrap();
    let other = store
        .organisations()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.id.0 != org)
        .unwrap()
        .id;
    let mut tx = store.begin("user:test").await.unwrap();
    tx.grant_role(admin.id, Role::Administrator, other, None)
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for role in [Role::CaseOfficer, Role::Secretary, Role::Administrator] {
        for (o, allowed) in [(kansli_core::OrganisationId(org), true), (other, false)] {
            let t = tx
                .create_api_token(o, role, "matris", admin.id)
                .await
                .unwrap();
            tokens.push((role, allowed, t.token));
        }
    }
    tx.commit().await.unwrap();
    let mut checked = 0;
    for route in app.routes.iter().filter(|r| r.need == Need::ApiCaseOfficer) {
        for (role, allowed, token) in &tokens {
            let what = format!("{} {} with a {role:?} token", route.method, route.path);
            let r = client()
                .post(app.url(&app.path(route)))
                .header("authorization", format!("Bearer {token}"))
                .header(CONTENT_TYPE, "application/json")
                .body(r#"{"title":"Ärende från rollmatrisen"}"#)
                .send()
                .await
                .unwrap();
            if *allowed {
                assert!(r.status().is_success(), "{what}: {}", r.status());
            } else {
                assert_eq!(
                    r.status(),
                    StatusCode::FORBIDDEN,
                    "{what} of another organisation"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 6);
}

#[tokio::test]
async fn sign_in_is_refused_when_wrong_and_slowed_not_locked_when_repeated() {
    let app = spawn(kansli_testsupport::sqlite()).await;
    let r = app.try_sign_in("sekreterare", "fel lösenord!").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Fel användarnamn eller lösenord")
    );
    let r = app.try_sign_in("finns-inte", "fel lösenord!").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    for _ in 1..5 {
        app.try_sign_in("sekreterare", "fel lösenord!").await;
    }
    // The sixth try with the right password signs in (after a delay): no
    // lockout that anyone knowing the username could cause.
    app.sign_in("sekreterare").await;
    app.sign_in("handlaggare").await;
}

#[tokio::test]
async fn a_sign_in_form_from_elsewhere_is_refused() {
    let app = spawn(kansli_testsupport::sqlite()).await;
    // No sign-in cookie: the form was not ours.
    let r = client()
        .post(app.url("/logga-in"))
        .form(&[
            ("username", "sekreterare"),
            ("password", kansli_demo::DEMO_PASSWORD),
            ("token", "abc"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(&r, "kansli_session").is_none());
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    for db in kansli_testsupport::all().await {
        sign_out_ends_the_session(spawn(db).await).await;
    }
}

async fn sign_out_ends_the_session(app: App) {
    let b = app.sign_in("sekreterare").await;
    let r = client()
        .post(app.url("/logga-ut"))
        .header(COOKIE, format!("kansli_session={}", b.cookie))
        .form(&[("csrf", &b.csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The old cookie, replayed, no longer signs in.
    let r = client()
        .get(app.url("/sekretariat"))
        .header(COOKIE, format!("kansli_session={}", b.cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/logga-in?till=%2Fsekretariat")
    );
}

#[tokio::test]
async fn a_post_from_another_site_is_refused_even_with_the_token() {
    let app = spawn(kansli_testsupport::sqlite()).await;
    let b = app.sign_in("sekreterare").await;
    let r = client()
        .post(app.url("/logga-ut"))
        .header(COOKIE, format!("kansli_session={}", b.cookie))
        .header("Origin", "https://elak.example")
        .form(&[("csrf", &b.csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_start_page_shows_each_user_their_roles() {
    let app = spawn(kansli_testsupport::sqlite()).await;
    for (user, expect) in [
        ("sekreterare", "sekreterare i Region Halland"),
        ("handlaggare", "handläggare i Region Halland"),
        ("ledamot", "Regionstyrelsens arbetsutskott"),
    ] {
        let b = app.sign_in(user).await;
        let page = client()
            .get(app.url("/sekretariat"))
            .header(COOKIE, format!("kansli_session={}", b.cookie))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(expect), "{user}: {page}");
    }
}

#[tokio::test]
async fn a_secret_documents_file_reaches_staff_only() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db).await;
        let store = app._db.store().await;
        let case = kansli_core::CaseId(app.params["case"].parse().unwrap());
        let mut tx = store.begin("user:test").await.unwrap();
        let date = jiff::civil::date(2025, 2, 3);
        let mut files = Vec::new();
        for access in [
            kansli_core::Access::Secret {
                ground: "26 kap. 1 § OSL".into(),
            },
            kansli_core::Access::Public,
        ] {
            let doc = tx
                .add_document(
                    case,
                    kansli_core::case::DocumentKind::Statement,
                    "Yttrande",
                    date,
                    &kansli_core::case::Direction::Internal,
                    &access,
                )
                .await
                .unwrap();
            files.push(
                tx.attach_file(doc, "yttrande.pdf", b"%PDF-1.4\n")
                    .await
                    .unwrap(),
            );
        }
        tx.commit().await.unwrap();
        let (secret, public) = (files[0], files[1]);
        let roles = ["anonym", "ledamot", "handlaggare", "sekreterare", "admin"];
        for role in roles {
            let browser = match role {
                "anonym" => None,
                r => Some(app.sign_in(r).await),
            };
            let get = |path: String| {
                let mut req = client().get(app.url(&path));
                if let Some(b) = &browser {
                    req = req.header(COOKIE, format!("kansli_session={}", b.cookie));
                }
                req.send()
            };
            // Through the public route a secret file is refused, whoever asks.
            let r = get(format!("/filer/{}", secret.0)).await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role}");
            assert!(r.text().await.unwrap().contains("sekretess"));
            let r = get(format!("/filer/{}", public.0)).await.unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{role}: public file");
            // Through the case, staff of the organisation only.
            let r = get(format!(
                "/sekretariat/arenden/{}/filer/{}",
                case.0, secret.0
            ))
            .await
            .unwrap();
            let expected = match role {
                "anonym" => StatusCode::SEE_OTHER,
                "ledamot" => StatusCode::FORBIDDEN,
                _ => StatusCode::OK,
            };
            assert_eq!(r.status(), expected, "{role}: secret file through the case");
            if expected == StatusCode::OK {
                assert_eq!(r.bytes().await.unwrap().as_ref(), b"%PDF-1.4\n");
            }
        }
        // The public case page lists the secret document without its title
        // or file, and the public one with its file.
        let page = client()
            .get(app.url(&format!("/arenden/{}", case.0)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Handling med sekretess"));
        assert!(page.contains(&format!("/filer/{}", public.0)));
        assert!(!page.contains(&format!("/filer/{}", secret.0)));
    }
}

/// A signed-in secretary posting the meeting screen's forms: each answer is
/// a redirect back to the screen, with the engine's verdict in the flash.
async fn screen_step(app: &App, b: &Browser, meeting: i64, form: &[(&str, &str)]) -> String {
    let action = format!("/sekretariat/sammantraden/{meeting}/mote");
    let mut fields = vec![("csrf", b.csrf.as_str())];
    fields.extend_from_slice(form);
    let r = client()
        .post(app.url(&action))
        .header(COOKIE, format!("kansli_session={}", b.cookie))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{form:?}");
    let flash = set_cookie(&r, "kansli_flash").map(|(v, _)| v);
    let mut cookies = format!("kansli_session={}", b.cookie);
    if let Some(f) = flash {
        cookies.push_str(&format!("; kansli_flash={f}"));
    }
    let page = client()
        .get(app.url(&action))
        .header(COOKIE, cookies)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    if let Some(at) = page.find("role=\"alert\"") {
        eprintln!(
            "{form:?}: {}",
            page[at..].chars().take(200).collect::<String>()
        );
    }
    page
}

#[tokio::test]
async fn the_screens_forms_in_fullmaktige_jav_substitute_withdrawal_minority_and_lot() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db).await;
        let store = app._db.store().await;
        let org = kansli_core::OrganisationId(app.params["organisation"].parse().unwrap());
        let rf = store
            .bodies(org)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.name == "Regionfullmäktige")
            .unwrap();
        // The demo's regionfullmäktige has 71 seats but only ten members:
        // a fullmäktige of ten seats with the same members can reach quorum.
        let mut tx = store.begin("user:test").await.unwrap();
        let small = tx
            .add_body(
                org,
                "Fullmäktige i test",
                None,
                kansli_core::org::BodyKind::Fullmaktige,
                None,
                10,
            )
            .await
            .unwrap();
        let seats: Vec<_> = store
            .members(rf.id)
            .await
            .unwrap()
            .into_iter()
            .map(|m| kansli_core::org::Membership {
                body: small,
                ..m.membership
            })
            .collect();
        tx.add_memberships(&seats).await.unwrap();
        let term = seats[0].term;
        let mut substitutes = Vec::new();
        for (name, order) in [("Sara Ek", 1), ("Sven Ek", 2)] {
            let person = tx.add_person(name, Some("S")).await.unwrap();
            substitutes.push(kansli_core::org::Membership {
                person,
                body: small,
                term,
                role: kansli_core::org::Role::Substitute { order },
                party_group: Some("S".into()),
            });
        }
        tx.add_memberships(&substitutes).await.unwrap();
        let meeting = tx
            .plan_meeting(small, jiff::civil::date(2025, 4, 22), None, "Regionens hus")
            .await
            .unwrap();
        let (case, _) = tx
            .register_case(org, "Motion om nattbussar", jiff::civil::date(2025, 2, 3))
            .await
            .unwrap();
        tx.set_agenda(
            meeting,
            &[
                kansli_core::meeting::AgendaItem {
                    title: "Svar på motion om nattbussar".into(),
                    case: Some(case),
                    kind: kansli_core::meeting::ItemKind::Decision,
                    access: kansli_core::Access::Public,
                    basis: vec![],
                    paragraph: None,
                    presenter: None,
                },
                kansli_core::meeting::AgendaItem {
                    title: "Val av ordförande i patientnämnden".into(),
                    case: None,
                    kind: kansli_core::meeting::ItemKind::Election,
                    access: kansli_core::Access::Public,
                    basis: vec![],
                    paragraph: None,
                    presenter: None,
                },
            ],
        )
        .await
        .unwrap();
        tx.issue_notice(meeting).await.unwrap();
        tx.commit().await.unwrap();
        let members = store
            .proceedings(meeting)
            .await
            .unwrap()
            .setting()
            .roster
            .clone();
        assert_eq!(members.len(), 12, "ten members and two substitutes");
        let id = |name: &str| {
            members
                .iter()
                .find(|s| s.person.name == name)
                .unwrap()
                .person
                .id
                .0
                .to_string()
        };

        let b = app.sign_in("sekreterare").await;
        let m = meeting.0;
        for seat in &members {
            screen_step(
                &app,
                &b,
                m,
                &[
                    ("command", "arrive"),
                    ("person", &seat.person.id.0.to_string()),
                ],
            )
            .await;
        }
        // An official: a name and title are needed; then listed apart.
        let page = screen_step(
            &app,
            &b,
            m,
            &[
                ("command", "arrive_other"),
                ("name", "Eva Ek"),
                ("title", ""),
            ],
        )
        .await;
        assert!(page.contains("ange namn och titel"), "{page}");
        let page = screen_step(
            &app,
            &b,
            m,
            &[
                ("command", "arrive_other"),
                ("name", "Eva Ek"),
                ("title", "regiondirektör"),
            ],
        )
        .await;
        assert!(page.contains("<li>Eva Ek, regiondirektör</li>"), "{page}");
        screen_step(&app, &b, m, &[("command", "open")]).await;
        screen_step(&app, &b, m, &[("command", "take_up"), ("item", "0")]).await;
        // Jäv needs its ground; the substitute first in the serving order
        // takes the disqualified member's place.
        let andersson = id("Helene Andersson");
        let page = screen_step(
            &app,
            &b,
            m,
            &[("command", "disqualify"), ("person", &andersson)],
        )
        .await;
        assert!(page.contains("ange grunden för jävet"), "{page}");
        screen_step(
            &app,
            &b,
            m,
            &[
                ("command", "disqualify"),
                ("person", &andersson),
                ("ground", "närstående till motionären"),
            ],
        )
        .await;
        let page = screen_step(
            &app,
            &b,
            m,
            &[
                ("command", "serve"),
                ("person", &id("Sven Ek")),
                ("replacing", &andersson),
            ],
        )
        .await;
        assert!(
            page.contains("Sara Ek (S) står före Sven Ek (S) i tjänstgöringsordningen"),
            "{page}"
        );
        let page = screen_step(
            &app,
            &b,
            m,
            &[
                ("command", "serve"),
                ("person", &id("Sara Ek")),
                ("replacing", &andersson),
            ],
        )
        .await;
        assert!(
            page.contains("tjänstgör för Helene Andersson (C)"),
            "{page}"
        );
        // A refused proposal keeps what was typed.
        let page = screen_step(
            &app,
            &b,
            m,
            &[
                ("command", "move"),
                ("kind", "aterremiss"),
                ("text", "att ärendet återremitteras"),
            ],
        )
        .await;
        assert!(page.contains("välj minst en person"), "{page}");
        assert!(
            page.contains("value=\"att ärendet återremitteras\""),
            "{page}"
        );
        assert!(
            page.contains("<option value=\"aterremiss\" selected>"),
            "{page}"
        );
        let page = screen_step(
            &app,
            &b,
            m,
            &[
                ("command", "move"),
                ("movers", &id("Stina Isaksson")),
                ("kind", "aterremiss"),
                (
                    "text",
                    "att ärendet återremitteras för en kostnadsberäkning",
                ),
            ],
        )
        .await;
        assert!(
            page.contains("Bifall på minoritetens begäran"),
            "the minority form is offered: {page}"
        );
        let page = screen_step(
            &app,
            &b,
            m,
            &[
                ("command", "move"),
                ("movers", &id("Johan Lindahl")),
                ("kind", "bifall"),
                ("text", "bifall till motionen"),
                ("clauses", "bifalla motionen"),
            ],
        )
        .await;
        // Numbered from 1 for people: the second yrkande is "yrkande 2".
        assert!(page.contains("Återta yrkande 2"), "{page}");
        let page = screen_step(&app, &b, m, &[("command", "withdraw"), ("proposal", "1")]).await;
        assert!(page.contains("(återtaget)"), "{page}");
        assert!(!page.contains("Återta yrkande 2"));

        // Two of ten are fewer than a third: refused, with the reason.
        let two = [id("Stina Isaksson"), id("Jonas Strand")];
        let page = screen_step(
            &app,
            &b,
            m,
            &[
                ("command", "minority"),
                ("proposal", "0"),
                ("movers", &two[0]),
                ("movers", &two[1]),
            ],
        )
        .await;
        assert!(
            page.contains("2 av 10 närvarande ledamöter begär det; minst en tredjedel krävs"),
            "{page}"
        );
        let four = [
            id("Stina Isaksson"),
            id("Jonas Strand"),
            id("Malin Karlsson"),
            id("Per Persson"),
        ];
        let mut form = vec![("command", "minority"), ("proposal", "0")];
        form.extend(four.iter().map(|p| ("movers", p.as_str())));
        let page = screen_step(&app, &b, m, &form).await;
        assert!(
            page.contains("Eftersom 4 av 10 närvarande ledamöter, minst en tredjedel, begär återremiss ska ärendet återremitteras (5 kap. 50 § kommunallagen)."),
            "{page}"
        );
        let page = screen_step(&app, &b, m, &[("command", "decide")]).await;
        assert!(page.contains("beslut fattat"), "{page}");
        let record = store.meeting_record(meeting).await.unwrap();
        let paragraph = &record.items[0].paragraph.as_ref().unwrap();
        assert!(paragraph.proposals[1].withdrawn);
        assert_eq!(paragraph.disqualifications.len(), 1);
        assert!(paragraph.propositions.iter().any(|p| p.by_minority));
        assert!(
            record
                .attendance
                .iter()
                .any(|a| matches!(&a.capacity, kansli_core::meeting::Capacity::Other { title } if title == "regiondirektör")),
            "{:?}",
            record.attendance
        );

        // An election with a tie: the chair has no casting vote, the lot
        // decides.
        screen_step(&app, &b, m, &[("command", "finish"), ("confirm", "ja")]).await;
        screen_step(&app, &b, m, &[("command", "take_up"), ("item", "1")]).await;
        for (mover, kind, text) in [
            ("Johan Lindahl", "bifall", "att välja Anna Eksted Lingvall"),
            ("My Clingston", "andring", "att välja Helene Andersson"),
        ] {
            screen_step(
                &app,
                &b,
                m,
                &[
                    ("command", "move"),
                    ("movers", &id(mover)),
                    ("kind", kind),
                    ("text", text),
                    ("clauses", &text[4..]),
                ],
            )
            .await;
        }
        screen_step(
            &app,
            &b,
            m,
            &[
                ("command", "put"),
                ("put", "0"),
                ("put", "1"),
                ("found_for", "0"),
            ],
        )
        .await;
        screen_step(
            &app,
            &b,
            m,
            &[("command", "request_vote"), ("person", &id("My Clingston"))],
        )
        .await;
        screen_step(
            &app,
            &b,
            m,
            &[("command", "voting_order"), ("order", "0:1")],
        )
        .await;
        let deciding = store
            .proceedings(meeting)
            .await
            .unwrap()
            .snapshot()
            .deciding;
        assert_eq!(deciding.len(), 10);
        for (i, person) in deciding.iter().enumerate() {
            let choice = if i % 2 == 0 { "ja" } else { "nej" };
            screen_step(
                &app,
                &b,
                m,
                &[
                    ("command", "cast"),
                    ("person", &person.0.to_string()),
                    ("choice", choice),
                ],
            )
            .await;
        }
        let page = screen_step(&app, &b, m, &[("command", "count"), ("confirm", "ja")]).await;
        assert!(
            page.contains("lika röstetal i ett val avgörs genom lottning"),
            "{page}"
        );
        assert!(page.contains("Lotten föll på"), "{page}");
        let page = screen_step(
            &app,
            &b,
            m,
            &[("command", "count"), ("lot", "nej"), ("confirm", "ja")],
        )
        .await;
        assert!(
            page.contains("Efter lottning vid 5 ja-röster och 5 nej-röster"),
            "{page}"
        );
        screen_step(&app, &b, m, &[("command", "decide")]).await;
        let record = store.meeting_record(meeting).await.unwrap();
        let election = record.items[1].paragraph.as_ref().unwrap();
        assert!(election.votes[0].wording.starts_with("Efter lottning"));
        let clauses: Vec<&str> = election.decision.as_ref().unwrap().parts[0]
            .clauses
            .iter()
            .map(|c| c.text.as_str())
            .collect();
        assert_eq!(clauses, ["välja Helene Andersson"]);
    }
}
