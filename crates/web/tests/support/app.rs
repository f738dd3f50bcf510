//! The HTTP harness: the real server with the demo on a random port and a
//! fresh database, anonymous requests, and signed-in sessions (cookie and
//! CSRF token) that send forms as the browser does.

#![allow(dead_code)]

use kansli_core::{BodyId, MeetingId, OrganisationId};
use kansli_store::Store;
use kansli_testsupport::TestDb;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

pub struct App {
    pub base: String,
    pub store: Store,
    /// Region Halland, the demo's organisation with the most data.
    pub org: OrganisationId,
    pub _db: TestDb,
}

/// A signed-in user: the session cookie and the CSRF token of its forms.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The server with the demo loaded, under the default configuration.
pub async fn spawn(db: TestDb) -> App {
    spawn_with(db, kansli_web::Config::default()).await
}

/// The server with the demo loaded, under the given configuration.
pub async fn spawn_with(db: TestDb, config: kansli_web::Config) -> App {
    let store = db.store().await;
    kansli_demo::load(&store).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = store.clone();
    tokio::spawn(async move {
        kansli_web::serve(listener, served, config, std::future::pending())
            .await
            .unwrap()
    });
    let org = store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap()
        .id;
    App {
        base: format!("http://{addr}"),
        store,
        org,
        _db: db,
    }
}

pub fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    let values = r.headers().get_all(SET_COOKIE).iter();
    kansli_testsupport::set_cookie(values.filter_map(|v| v.to_str().ok()), name)
}

/// The value of the first hidden field `name` in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no field {name}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

impl App {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Anonymous GET: status and body bytes.
    pub async fn get_bytes(&self, path: &str) -> (StatusCode, Vec<u8>) {
        let r = client().get(self.url(path)).send().await.unwrap();
        (r.status(), r.bytes().await.unwrap().to_vec())
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let (s, b) = self.get_bytes(path).await;
        (s, String::from_utf8_lossy(&b).into_owned())
    }

    /// Anonymous GET of a page that must be there.
    pub async fn ok(&self, path: &str) -> String {
        let (s, b) = self.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {b}");
        b
    }

    /// Signs in a demo user (the demo password).
    pub async fn sign_in(&self, username: &str) -> Session {
        let c = client();
        let form = c.get(self.url("/logga-in")).send().await.unwrap();
        let token = set_cookie(&form, "kansli_signin").expect("sign-in cookie");
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
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{username} signs in");
        let cookie = set_cookie(&r, "kansli_session").expect("session cookie");
        let s = Session {
            cookie,
            csrf: String::new(),
        };
        let page = self.staff_text(&s, "/sekretariat").await;
        Session {
            csrf: hidden(&page, "csrf"),
            ..s
        }
    }

    /// A signed-in GET: status and body.
    pub async fn staff(&self, s: &Session, path: &str) -> (StatusCode, String) {
        let r = client()
            .get(self.url(path))
            .header(COOKIE, format!("kansli_session={}", s.cookie))
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// A signed-in GET of a page that must be there.
    pub async fn staff_text(&self, s: &Session, path: &str) -> String {
        let (status, b) = self.staff(s, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {b}");
        b
    }

    /// A signed-in form POST (the CSRF token added), as sent.
    pub async fn post(&self, s: &Session, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut fields = vec![("csrf", s.csrf.as_str())];
        fields.extend_from_slice(form);
        client()
            .post(self.url(path))
            .header(COOKIE, format!("kansli_session={}", s.cookie))
            .form(&fields)
            .send()
            .await
            .unwrap()
    }

    /// A form POST that must be answered by a redirect (post–redirect–get);
    /// returns the page redirected to, with the outcome's flash message.
    pub async fn submit(&self, s: &Session, path: &str, form: &[(&str, &str)]) -> String {
        let r = self.post(s, path, form).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "POST {path}");
        let to = r
            .headers()
            .get(LOCATION)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let mut cookie = format!("kansli_session={}", s.cookie);
        if let Some(f) = set_cookie(&r, "kansli_flash") {
            cookie.push_str(&format!("; kansli_flash={f}"));
        }
        let get = client().get(self.url(&to)).header(COOKIE, cookie);
        get.send().await.unwrap().text().await.unwrap()
    }

    pub async fn body(&self, name: &str) -> BodyId {
        self.store
            .bodies(self.org)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.name == name)
            .unwrap_or_else(|| panic!("no body {name}"))
            .id
    }

    pub async fn meeting(&self, body: &str, date: &str) -> MeetingId {
        self.store
            .all_meetings()
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.body.name == body && m.meeting.date.to_string() == date)
            .unwrap_or_else(|| panic!("no meeting of {body} on {date}"))
            .meeting
            .id
    }

    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(self.store.pool())
            .await
            .unwrap()
    }
}
