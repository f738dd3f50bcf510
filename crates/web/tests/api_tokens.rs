//! API tokens over HTTP: an organisation's administrator makes and revokes
//! them on a page, the API's writes take them (and nothing else), every
//! failed authentication looks the same, and a token reaches only its own
//! organisation, in JSON, from no other site.

use kansli_store::access::{Role, sha256_hex};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use serde_json::Value;

struct App {
    base: String,
    store: kansli_store::Store,
    _db: kansli_testsupport::TestDb,
}

async fn spawn(db: kansli_testsupport::TestDb) -> App {
    let store = db.store().await;
    kansli_demo::load(&store).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = store.clone();
    tokio::spawn(async move {
        kansli_web::serve(
            listener,
            served,
            kansli_web::Config::default(),
            std::future::pending(),
        )
        .await
        .unwrap()
    });
    App {
        base: format!("http://{addr}"),
        store,
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

/// Every `kansli_` followed by 64 hex digits in `text`.
fn tokens_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("kansli_") {
        let candidate = rest[at..].get(..71).unwrap_or("");
        if kansli_store::tokens::looks_like_token(candidate) {
            out.push(candidate.to_string());
        }
        rest = &rest[at + 7..];
    }
    out
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
        let page = self
            .page(
                &Browser {
                    cookie: cookie.clone(),
                    csrf: String::new(),
                },
                "/sekretariat",
            )
            .await;
        Browser {
            csrf: hidden(&page, "csrf"),
            cookie,
        }
    }

    async fn page(&self, b: &Browser, path: &str) -> String {
        let r = client()
            .get(self.url(path))
            .header(COOKIE, format!("kansli_session={}", b.cookie))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
        r.text().await.unwrap()
    }

    async fn form(&self, b: &Browser, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut fields = fields.to_vec();
        fields.push(("csrf", &b.csrf));
        client()
            .post(self.url(path))
            .header(COOKIE, format!("kansli_session={}", b.cookie))
            .form(&fields)
            .send()
            .await
            .unwrap()
    }

    /// Registers a case in organisation `org` through the API.
    async fn api_write(&self, org: i64, authorization: Option<&str>) -> reqwest::Response {
        let mut r = client()
            .post(self.url(&format!("/api/v1/organisations/{org}/cases")))
            .header(CONTENT_TYPE, "application/json")
            .body(r#"{"title":"Ärende via API:t","registered":"2025-03-03"}"#);
        if let Some(a) = authorization {
            r = r.header("authorization", a);
        }
        r.send().await.unwrap()
    }

    async fn halland(&self) -> i64 {
        self.store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap()
            .id
            .0
    }
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

#[tokio::test]
async fn the_organisations_administrator_makes_a_token_shown_once_and_revokes_it() {
    for db in kansli_testsupport::all().await {
        make_use_and_revoke(spawn(db).await).await;
    }
}

async fn make_use_and_revoke(app: App) {
    let org = app.halland().await;
    let tokens_page = format!("/sekretariat/organisationer/{org}/api-nycklar");
    let admin = app.sign_in("admin").await;
    // The demo's organisation administrator, not a system administrator.
    let user = app.store.user_named("admin").await.unwrap().unwrap();
    assert!(!user.is_admin);
    let start = app.page(&admin, "/sekretariat").await;
    assert!(start.contains(&tokens_page), "{start}");

    let r = app
        .form(
            &admin,
            &tokens_page,
            &[("label", "Ärendesystemet"), ("role", "case_officer")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
    let shown = r.text().await.unwrap();
    assert!(shown.contains("visas bara den här gången"), "{shown}");
    let found = tokens_in(&shown);
    assert!(!found.is_empty(), "{shown}");
    let token = found[0].clone();
    assert!(found.iter().all(|t| *t == token));

    // Stored as its hash only, and never shown again.
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT token_hash, label FROM api_tokens")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(
        rows,
        vec![(sha256_hex(token.as_bytes()), "Ärendesystemet".into())]
    );
    let list = app.page(&admin, &tokens_page).await;
    assert!(
        list.contains("Ärendesystemet") && list.contains("handläggare"),
        "{list}"
    );
    assert!(
        tokens_in(&list).is_empty(),
        "the token is shown once: {list}"
    );
    let created = app.store.audit_tail(20).await.unwrap();
    let record = created
        .iter()
        .find(|r| r.entity == "api_token" && r.action == "create")
        .expect("the creation is audited");
    assert_eq!(record.actor, "user:admin");
    assert!(!record.detail.to_string().contains(&token));

    // The token writes; the write is the token's in the log.
    let r = app.api_write(org, Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = record.entity_id.unwrap();
    let log = app.store.audit_tail(1).await.unwrap();
    assert_eq!(log[0].actor, format!("token:{id}"));

    // A label that is too long is refused with the limit, the label kept.
    let long = "x".repeat(101);
    let r = app
        .form(
            &admin,
            &tokens_page,
            &[("label", &long), ("role", "secretary")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = set_cookie(&r, "kansli_flash").unwrap();
    let refused = client()
        .get(app.url(&tokens_page))
        .header(
            COOKIE,
            format!("kansli_session={}; kansli_flash={cookie}", admin.cookie),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(refused.contains("högst 100 tecken"), "{refused}");
    assert!(refused.contains(&format!("value=\"{long}\"")), "{refused}");

    // Revoked on the page: refused from then on.
    let r = app
        .form(
            &admin,
            &format!("{tokens_page}/aterkalla"),
            &[("id", &id.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], tokens_page.as_str());
    let r = app.api_write(org, Some(&format!("Bearer {token}"))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let list = app.page(&admin, &tokens_page).await;
    assert!(list.contains("återkallad"), "{list}");
    assert!(
        app.store
            .audit_tail(5)
            .await
            .unwrap()
            .iter()
            .any(|r| r.entity == "api_token" && r.action == "revoke" && r.actor == "user:admin")
    );
}

#[tokio::test]
async fn every_failed_api_authentication_gets_the_same_answer() {
    let app = spawn(kansli_testsupport::sqlite()).await;
    let org = app.halland().await;
    let admin = app.store.user_named("admin").await.unwrap().unwrap();
    let mut tx = app.store.begin("user:test").await.unwrap();
    let revoked = tx
        .create_api_token(
            kansli_core::OrganisationId(org),
            Role::Administrator,
            "gammal",
            admin.id,
        )
        .await
        .unwrap();
    tx.revoke_api_token(revoked.id, None).await.unwrap();
    tx.commit().await.unwrap();
    let unknown = format!("kansli_{}", kansli_store::access::random_token());
    let attempts = [
        None,
        Some("Bearer".to_string()),
        Some("Bearer inte-en-nyckel".to_string()),
        Some(format!("Bearer {unknown}")),
        Some(format!("Bearer {}", revoked.token)),
        Some(format!("Token {unknown}")),
        // The password oracle: a wrong and the right password over HTTP
        // Basic answered alike (Basic is no longer a credential).
        Some(basic("admin", "fel lösenord!!")),
        Some(basic("admin", kansli_demo::DEMO_PASSWORD)),
        Some(basic("finns-inte", kansli_demo::DEMO_PASSWORD)),
    ];
    let mut answers = Vec::new();
    for a in &attempts {
        let r = app.api_write(org, a.as_deref()).await;
        let status = r.status();
        let challenge = r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_string();
        let body = r.text().await.unwrap();
        answers.push((a.clone(), status, challenge, body));
    }
    let (_, status, challenge, body) = &answers[0];
    assert_eq!(*status, StatusCode::UNAUTHORIZED);
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    let problem: Value = serde_json::from_str(body).unwrap();
    assert_eq!(problem["status"], 401);
    assert!(
        problem["message"].as_str().unwrap().contains("API-nyckel"),
        "{problem}"
    );
    for (a, s, c, b) in &answers {
        assert_eq!((s, c, b), (status, challenge, body), "{a:?}");
    }
    // Nothing was written.
    assert!(
        !app.store
            .audit_tail(3)
            .await
            .unwrap()
            .iter()
            .any(|r| r.entity == "case")
    );
}

#[tokio::test]
async fn a_token_writes_only_in_its_organisation_in_json_from_no_other_site() {
    let app = spawn(kansli_testsupport::sqlite()).await;
    let org = app.halland().await;
    let other = app
        .store
        .organisations()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.id.0 != org)
        .unwrap()
        .id
        .0;
    let admin = app.store.user_named("admin").await.unwrap().unwrap();
    // An administrator of one organisation makes no token for another.
    let mut tx = app.store.begin("user:test").await.unwrap();
    let refused = tx
        .create_api_token(
            kansli_core::OrganisationId(other),
            Role::Secretary,
            "x",
            admin.id,
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("administratör"), "{refused}");
    drop(tx);
    let mut tx = app.store.begin("user:test").await.unwrap();
    let token = tx
        .create_api_token(
            kansli_core::OrganisationId(org),
            Role::Secretary,
            "sekr",
            admin.id,
        )
        .await
        .unwrap()
        .token;
    tx.commit().await.unwrap();
    let bearer = format!("Bearer {token}");

    let r = app.api_write(other, Some(&bearer)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let problem: Value = r.json().await.unwrap();
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .contains("organisation"),
        "{problem}"
    );

    // A cross-site form or text/plain post, and a foreign Origin.
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ] {
        let r = client()
            .post(app.url(&format!("/api/v1/organisations/{org}/cases")))
            .header("authorization", &bearer)
            .header(CONTENT_TYPE, content_type)
            .body(r#"{"title":"Ärende via API:t"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type}"
        );
        let problem: Value = r.json().await.unwrap();
        assert!(
            problem["message"]
                .as_str()
                .unwrap()
                .contains("application/json")
        );
    }
    let r = client()
        .post(app.url(&format!("/api/v1/organisations/{org}/cases")))
        .header("authorization", &bearer)
        .header(CONTENT_TYPE, "application/json")
        .header("origin", "https://elak.example")
        .body(r#"{"title":"Ärende via API:t"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        !app.store
            .audit_tail(3)
            .await
            .unwrap()
            .iter()
            .any(|r| r.entity == "case" && r.action == "register"),
        "nothing was registered"
    );
    let r = client()
        .post(app.url(&format!("/api/v1/organisations/{org}/cases")))
        .header("authorization", &bearer)
        .header(CONTENT_TYPE, "application/json; charset=utf-8")
        .body(r#"{"title":"Ärende via API:t"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn an_administrator_revokes_only_the_organisations_own_tokens() {
    let app = spawn(kansli_testsupport::sqlite()).await;
    let org = app.halland().await;
    let other = app
        .store
        .organisations()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.id.0 != org)
        .unwrap()
        .id;
    let mut tx = app.store.begin("system:test").await.unwrap();
    let root = tx
        .add_user("systemadmin", "System", "ett långt lösenord", true)
        .await
        .unwrap();
    let foreign = tx
        .create_api_token(other, Role::CaseOfficer, "annan", root)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let admin = app.sign_in("admin").await;
    let r = app
        .form(
            &admin,
            &format!("/sekretariat/organisationer/{org}/api-nycklar/aterkalla"),
            &[("id", &foreign.id.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Still valid in its own organisation.
    let r = app
        .api_write(other.0, Some(&format!("Bearer {}", foreign.token)))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    // And the page of the other organisation is not Halland's admin's.
    let r = client()
        .get(app.url(&format!(
            "/sekretariat/organisationer/{}/api-nycklar",
            other.0
        )))
        .header(COOKIE, format!("kansli_session={}", admin.cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A secretary does not manage tokens.
    let secretary = app.sign_in("sekreterare").await;
    let r = app
        .form(
            &secretary,
            &format!("/sekretariat/organisationer/{org}/api-nycklar"),
            &[("label", "x"), ("role", "administrator")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        app.store
            .api_tokens(Some(kansli_core::OrganisationId(org)))
            .await
            .unwrap()
            .is_empty()
    );
}
