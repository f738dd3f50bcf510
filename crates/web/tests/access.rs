//! Sign-in, sessions, CSRF and the role matrix, against the real server on
//! a random port over a fresh database with the demo data (and its users).

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
        Need::ApiAdministrator => false,
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
                && !matches!(route.need, Need::Public | Need::ApiAdministrator)
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
            } else if route.need == Need::ApiAdministrator {
                // A browser session is no API credential: HTTP Basic only.
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
}

#[tokio::test]
async fn sign_in_is_refused_when_wrong_and_limited_when_repeated() {
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
    // The sixth try is refused even with the right password.
    let r = app
        .try_sign_in("sekreterare", kansli_demo::DEMO_PASSWORD)
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("För många misslyckade inloggningar")
    );
    // Other users are not locked out by it.
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
