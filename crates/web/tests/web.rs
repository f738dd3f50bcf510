//! The real server on a random port over a fresh database (SQLite, and
//! PostgreSQL when configured), driven over HTTP.

use kansli_core::meeting::MeetingRecord;
use kansli_core::{Access, MeetingId};
use kansli_store::Store;
use kansli_testsupport::{TestDb, all, sqlite};
use serde_json::Value;

struct App {
    base: String,
    store: Store,
    client: reqwest::Client,
    _db: TestDb,
}

async fn spawn(db: TestDb) -> App {
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
        client: reqwest::Client::new(),
        _db: db,
    }
}

/// The demo's meetings are held, not yet justerat, so the public sees
/// nothing recorded at them, and its planned meeting shows no agenda
/// before its kallelse (`kansli_core::publication`). Tests that read that
/// content as the public justera the held meetings first, a week after
/// the meeting, as the real protocols were, and send the kallelse of the
/// planned one.
async fn justera_demo(store: &Store) {
    use kansli_core::meeting::MeetingStatus;
    let mut tx = store.begin("user:test").await.unwrap();
    for s in store.all_meetings().await.unwrap() {
        if s.meeting.status == MeetingStatus::Held {
            let approved = s
                .meeting
                .date
                .checked_add(jiff::Span::new().days(7))
                .unwrap();
            tx.set_meeting_status(s.meeting.id, &MeetingStatus::Approved { approved })
                .await
                .unwrap();
        } else if s.meeting.status == MeetingStatus::Planned {
            tx.issue_notice(s.meeting.id).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
}

impl App {
    async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn page(&self, path: &str) -> String {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    async fn json(&self, path: &str) -> Value {
        serde_json::from_str(&self.page(path).await).unwrap()
    }
}

/// The links of a page: (href, text without tags).
fn links(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<a href=\"") {
        rest = &rest[start + 9..];
        let Some(end) = rest.find('"') else { break };
        let href = rest[..end].to_string();
        let Some(close) = rest.find("</a>") else {
            break;
        };
        let inner = &rest[rest.find('>').unwrap() + 1..close];
        let mut text = String::new();
        let mut in_tag = false;
        for c in inner.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        out.push((href, text.trim().to_string()));
        rest = &rest[close..];
    }
    out
}

fn follow(html: &str, text: &str) -> String {
    links(html)
        .into_iter()
        .find(|(h, t)| t.contains(text) && !h.starts_with('#'))
        .unwrap_or_else(|| panic!("no link «{text}» on the page"))
        .0
}

#[tokio::test]
async fn a_visitor_follows_links_from_the_start_page_to_the_whole_meeting() {
    for db in all().await {
        let app = spawn(db).await;
        let start = app.page("/").await;
        assert!(start.contains("<html lang=\"sv\">"));
        let org = app.page(&follow(&start, "Region Halland")).await;
        let body = app
            .page(&follow(&org, "Regionstyrelsens arbetsutskott"))
            .await;
        let meeting_url = follow(&body, "2025-01-28");
        // Held, not yet justerat: the statutory last day, 14 days on, and
        // nothing recorded (kansli_core::publication).
        let held = app.page(&meeting_url).await;
        assert!(
            held.contains("<dt>Justeras senast</dt><dd>2025-02-11</dd>"),
            "approval deadline missing"
        );
        assert!(!held.contains("id=\"p1\""));
        justera_demo(&app.store).await;
        let meeting = app.page(&meeting_url).await;

        for n in 1..=15 {
            assert!(
                meeting.contains(&format!("id=\"p{n}\"")),
                "§{n} is missing from the meeting page"
            );
        }
        assert!(!meeting.contains("id=\"p16\""));
        assert_eq!(meeting.matches("<table class=\"vote\">").count(), 2);
        assert_eq!(meeting.matches("<tfoot><tr><th scope=\"row\">Resultat</th><td>3</td><td>2</td><td>0</td></tr></tfoot>").count(), 2);
        assert_eq!(
            meeting
                .matches(
                    "Lise-Lotte Bensköld Olsson (S) och Per Persson (S) reserverar sig mot beslutet"
                )
                .count(),
            2
        );
        assert!(meeting.contains("Per Persson (S) (ledamot) §§5-15"));
        assert!(meeting.contains("Borgkammaren/Fataburen, klockan 14:00–16:00"));
        assert!(meeting.contains("Karolin Hamnér"));
        assert!(
            meeting.contains("<dt>Justeringsdatum</dt><dd>2025-02-04</dd>"),
            "approval date missing"
        );
        assert!(meeting.contains("Ja-röst för Mikaela Walterssons förslag till beslut"));

        // From the paragraph to the case and its journey.
        let p14 = app
            .page(&follow(
                &meeting,
                "§14 Svar på motion om mottagning för köpare",
            ))
            .await;
        let case = app.page(&follow(&p14, "RS231470")).await;
        assert!(case.contains("Johan Lindahl (S), Anna Eksted Lingvall (S) och Malin Karlsson (S) väckte motionen i regionfullmäktige 2023-12-04"));
        for step in [
            "Regionstyrelsens arbetsutskott 2025-01-28",
            "Regionstyrelsen 2025-02-26",
            "Regionfullmäktige 2025-04-29",
        ] {
            assert!(
                links(&case).iter().any(|(_, t)| t == step),
                "case journey lacks {step}"
            );
        }
        assert!(case.contains("Beslutsförslag 2024-12-03"));

        // From the roll call to a member's record, and to the body's votes
        // by party.
        let person = app
            .page(&follow(
                &p14,
                "Lise-Lotte Bensköld Olsson (S), 2:e vice ordförande",
            ))
            .await;
        assert!(person.contains("<h1>Lise-Lotte Bensköld Olsson (S)</h1>"));
        assert!(
            person.contains("2 yrkanden, 2 röster i omröstningar och 2 reservationer"),
            "{person}"
        );
        assert!(person.contains("yrkade bifall till motionen"));
        assert!(person.contains("röstade nej"));
        let body = app
            .page(&follow(&person, "Regionstyrelsens arbetsutskott"))
            .await;
        let parties = app.page(&follow(&body, "Omröstningar per parti")).await;
        let row = parties
            .split("<tr>")
            .find(|r| r.contains("§14 Svar på motion om mottagning för köpare"))
            .expect("§14 among the votes");
        // C, KD, M, S in that order: three ja from C, KD and M, two nej from S.
        assert!(
            row.contains("<td>1 ja</td><td>1 ja</td><td>1 ja</td><td>2 nej</td>"),
            "{row}"
        );
    }
}

#[tokio::test]
async fn every_link_on_the_public_pages_answers() {
    let app = spawn(sqlite()).await;
    let mut seen = std::collections::HashSet::new();
    let mut queue = vec!["/".to_string()];
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let (status, body) = app.get(&path).await;
        assert_eq!(status, 200, "GET {path}");
        if path.starts_with("/api/") || path.starts_with("/static/") {
            continue;
        }
        for (href, _) in links(&body) {
            let href = href.split('#').next().unwrap().to_string();
            if href.starts_with('/') && !href.is_empty() {
                queue.push(href);
            }
        }
    }
    assert!(seen.len() > 30, "crawled only {} pages", seen.len());
}

#[tokio::test]
async fn the_api_is_valid_openapi_3_and_every_path_answers() {
    for db in all().await {
        let app = spawn(db).await;
        justera_demo(&app.store).await;
        // A public file, so that every path has something to answer.
        let mut tx = app.store.begin("user:test").await.unwrap();
        let doc = tx
            .add_document(
                kansli_core::CaseId(1),
                kansli_core::case::DocumentKind::Letter,
                "Skrivelse",
                jiff::civil::date(2025, 1, 2),
                &kansli_core::case::Direction::Incoming {
                    sender: "En förening".into(),
                },
                &Access::Public,
            )
            .await
            .unwrap();
        tx.attach_file(doc, "skrivelse.pdf", b"%PDF-1.4\n")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let raw = app.page("/api/openapi.json").await;
        let spec = oas3::from_json(&raw).expect("a valid OpenAPI 3 document");
        assert!(spec.openapi.starts_with("3."), "{}", spec.openapi);
        let doc: Value = serde_json::from_str(&raw).unwrap();
        // Every reference resolves.
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(!refs.is_empty());
        for r in refs {
            let pointer = r.strip_prefix('#').expect("local reference");
            assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
        }
        // Every GET path answers with JSON for the demo's ids.
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.len() >= 8);
        for (path, item) in paths {
            if item.get("get").is_none() {
                continue;
            }
            let concrete = match path.as_str() {
                "/api/oparl/v1/bodies/{id}/terms/{term}" => {
                    let body = app.json("/api/oparl/v1/bodies/1").await;
                    let term = body["legislativeTerm"][0]["id"]
                        .as_str()
                        .unwrap()
                        .to_string();
                    term[term.find("/api/").unwrap()..].to_string()
                }
                "/api/oparl/v1/meetings/{id}/files/{name}" => {
                    "/api/oparl/v1/meetings/1/files/protokoll".to_string()
                }
                "/api/oparl/v1/papers/{id}/consultations/{number}" => {
                    let p14 = app.json("/api/v1/meetings/1/paragraphs/14").await;
                    format!("/api/oparl/v1/papers/{}/consultations/1", p14["case_id"])
                }
                _ => path.replace("{id}", "1").replace("{number}", "14"),
            };
            let content = &item["get"]["responses"]["200"]["content"];
            if content.get("application/json").is_none() {
                // CSV: a header line and rows.
                app.page(&concrete).await;
                assert!(content.get("text/csv").is_some(), "{path}");
                continue;
            }
            let v = app.json(&concrete).await;
            assert!(v.is_object() || v.is_array(), "{concrete}");
            // The answer is what the document says it is.
            let schema = &item["get"]["responses"]["200"]["content"]["application/json"]["schema"];
            assert!(schema.is_object(), "{path} declares its answer");
            validate(&doc, schema, &v, &concrete);
        }
        // The bulk export of the arbetsutskott: §13 and §14, five ballots each.
        let votes = app.page("/api/v1/bodies/3/votes.csv").await;
        let votes = votes.strip_prefix('\u{feff}').expect("a byte order mark");
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(b';')
            .from_reader(votes.as_bytes());
        let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 10, "{votes}");
        assert_eq!(&csv.headers().unwrap()[0], "meeting_id");
        assert!(
            rows.iter()
                .any(|r| &r[2] == "14" && &r[6] == "Per Persson" && &r[7] == "S" && &r[8] == "nej")
        );
        let decisions = app.json("/api/v1/bodies/3/decisions.json").await;
        assert_eq!(decisions.as_array().unwrap().len(), 15);
        let m = app.json("/api/v1/meetings/1").await;
        assert_eq!(m["date"], "2025-01-28");
        assert_eq!(m["paragraphs"].as_array().unwrap().len(), 15);
        let p14 = app.json("/api/v1/meetings/1/paragraphs/14").await;
        assert_eq!(p14["votes"][0]["ja"], 3);
        assert_eq!(p14["votes"][0]["nej"], 2);
        assert_eq!(p14["case_number"], "RS231470");
        assert_eq!(
            p14["reservations"][0]["by_ids"].as_array().unwrap().len(),
            2
        );
    }
}

/// Validates `value` against `schema` (which may refer to the document's
/// components) as JSON Schema.
fn validate(doc: &Value, schema: &Value, value: &Value, what: &str) {
    let mut root = schema.clone();
    root["components"] = doc["components"].clone();
    let validator = jsonschema::validator_for(&root)
        .unwrap_or_else(|e| panic!("{what}: the schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(5)
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema: {errors:#?}"
    );
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    out.push(v.as_str().unwrap().to_string());
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn a_secret_paragraph_shows_neither_on_pages_nor_in_the_api() {
    for db in all().await {
        let app = spawn(db).await;
        let mut record: MeetingRecord = app.store.meeting_record(MeetingId(1)).await.unwrap();
        record.meeting.date = jiff::civil::date(2025, 2, 11);
        // Justerat, so that the public sees what is not secret
        // (kansli_core::publication: nothing recorded before justering).
        record.meeting.status = kansli_core::meeting::MeetingStatus::Approved {
            approved: jiff::civil::date(2025, 2, 18),
        };
        // Two items: the first, and §14's with its proposals, vote and
        // reservation, made secret.
        let voted = record.items.remove(13);
        record.items.truncate(1);
        record.items.push(voted);
        let item = &mut record.items[1];
        item.access = Access::secret("39 kap. 3 § OSL").unwrap();
        let p = item.paragraph.as_mut().unwrap();
        p.number = 20;
        p.access = item.access.clone();
        p.title = "Personalärende HEMLIG-RUBRIK".into();
        p.matter = "HEMLIGT-INNEHÅLL om en anställd".into();
        item.title = p.title.clone();
        record.items[0].paragraph.as_mut().unwrap().number = 19;
        for a in &mut record.attendance {
            a.paragraphs.clear();
        }
        let mut tx = app.store.begin("user:test").await.unwrap();
        let id = tx.add_meeting(&record).await.unwrap();
        tx.commit().await.unwrap();

        for path in [
            format!("/sammantraden/{id}"),
            format!("/sammantraden/{id}/paragrafer/20"),
            format!("/sammantraden/{id}/dokument/protokoll.txt"),
            format!("/sammantraden/{id}/dokument/protokoll.html"),
            format!("/sammantraden/{id}/dokument/kallelse.txt"),
            format!("/api/v1/meetings/{id}"),
            format!("/api/v1/meetings/{id}/paragraphs/20"),
            "/api/v1/meetings".to_string(),
            "/".to_string(),
            // The person, party and open data outputs.
            "/personer/1".to_string(),
            "/api/v1/persons/1".to_string(),
            "/organ/3/omrostningar".to_string(),
            "/api/v1/bodies/3/votes-by-party".to_string(),
            format!("/api/oparl/v1/meetings/{id}"),
            format!("/api/oparl/v1/meetings/{id}/agenda-items/2"),
            "/api/oparl/v1/bodies/1/meetings".to_string(),
            "/api/v1/bodies/3/decisions.json".to_string(),
            "/api/v1/bodies/3/decisions.csv".to_string(),
            "/api/v1/bodies/3/votes.json".to_string(),
            "/api/v1/bodies/3/votes.csv".to_string(),
            "/anslagstavla.atom".to_string(),
            "/organ/3/sammantraden.ics".to_string(),
        ] {
            let body = app.page(&path).await;
            assert!(!body.contains("HEMLIG"), "{path} leaks the secret");
        }
        // Nor its proposals, votes or reservations, by who cast them.
        let item = app
            .json(&format!("/api/oparl/v1/meetings/{id}/agenda-items/2"))
            .await;
        assert_eq!(item["public"], false, "{item}");
        assert!(item["name"].is_null() && item["resolutionText"].is_null());
        assert_eq!(item["kansliVotes"], serde_json::json!([]));
        let votes = app.json("/api/v1/bodies/3/votes.json").await;
        assert!(
            votes
                .as_array()
                .unwrap()
                .iter()
                .all(|v| v["meeting_id"] != id.0)
        );
        let person = app.json("/api/v1/persons/1").await;
        assert!(person["acts"].as_array().unwrap().iter().all(|a| {
            !a["html"]
                .as_str()
                .unwrap()
                .contains(&format!("/sammantraden/{id}/"))
        }));
        let parties = app.page("/organ/3/omrostningar").await;
        assert!(!parties.contains(&format!("/sammantraden/{id}/")));
        let page = app.page(&format!("/sammantraden/{id}")).await;
        assert!(page.contains("39 kap. 3 § OSL"), "the ground is shown");
        // No extract of the secret paragraph; the page offers none either.
        for ext in ["txt", "html", "pdf"] {
            let (status, body) = app
                .get(&format!("/sammantraden/{id}/paragrafer/20/utdrag.{ext}"))
                .await;
            assert_eq!(status, 403, "{body}");
            assert!(!body.contains("HEMLIG"));
        }
        let secret_page = app.page(&format!("/sammantraden/{id}/paragrafer/20")).await;
        assert!(!secret_page.contains("utdrag.pdf"));
    }
}

#[tokio::test]
async fn registering_a_case_needs_an_api_token_and_good_input() {
    use kansli_store::access::Role;
    let app = spawn(sqlite()).await;
    let mut tx = app.store.begin("system:test").await.unwrap();
    let admin = tx
        .add_user("systemadmin", "Admin", "ett långt lösenord", true)
        .await
        .unwrap();
    let token = tx
        .create_api_token(
            kansli_core::OrganisationId(1),
            Role::CaseOfficer,
            "test",
            admin,
        )
        .await
        .unwrap();
    let elsewhere = tx
        .create_api_token(
            kansli_core::OrganisationId(2),
            Role::Administrator,
            "test",
            admin,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let url = format!("{}/api/v1/organisations/1/cases", app.base);
    let post = |auth: Option<String>, body: &str| {
        let mut r = app
            .client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        r.send()
    };
    let bearer = |t: &str| Some(format!("Bearer {t}"));
    let good = r#"{"title":"Motion om cykelbanor","registered":"2025-03-03"}"#;
    let r = post(None, good).await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    // The account's password is no API credential, right or wrong.
    let basic = |p: &str| {
        use base64::Engine;
        let b = base64::engine::general_purpose::STANDARD.encode(format!("systemadmin:{p}"));
        Some(format!("Basic {b}"))
    };
    for p in ["fel lösenord!!", "ett långt lösenord"] {
        assert_eq!(post(basic(p), good).await.unwrap().status(), 401);
    }
    // Another organisation's token.
    assert_eq!(
        post(bearer(&elsewhere.token), good).await.unwrap().status(),
        403
    );

    let r = post(bearer(&token.token), "{\"title\": ").await.unwrap();
    assert_eq!(r.status(), 400);
    let problem: Value = r.json().await.unwrap();
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .contains("inte giltig JSON"),
        "{problem}"
    );
    let r = post(
        bearer(&token.token),
        r#"{"title":"x","registered":"3 mars"}"#,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    let r = post(bearer(&token.token), r#"{"title":"  "}"#)
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    let r = post(bearer(&token.token), good).await.unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["number"], "RS250088", "next after RS250087 in 2025");
    let case = app.json(created["api"].as_str().unwrap()).await;
    assert_eq!(case["title"], "Motion om cykelbanor");
    let log = app.store.audit_tail(1).await.unwrap();
    assert_eq!(log[0].actor, format!("token:{}", token.id));
}

#[tokio::test]
async fn unknown_addresses_get_a_swedish_404() {
    let app = spawn(sqlite()).await;
    for path in [
        "/finns-inte",
        "/sammantraden/abc",
        "/sammantraden/999",
        "/sammantraden/1/paragrafer/99",
    ] {
        let (status, body) = app.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(
            body.contains("<html lang=\"sv\">") && body.contains("finns inte"),
            "{path}: {body}"
        );
    }
    let (status, body) = app.get("/api/v1/meetings/999").await;
    assert_eq!(status, 404);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], 404);
}

#[tokio::test]
async fn meeting_paragraph_and_case_pages_link_their_pdfs() {
    let app = spawn(sqlite()).await;
    justera_demo(&app.store).await;
    let start = app.page("/").await;
    let org = app.page(&follow(&start, "Region Halland")).await;
    let body = app
        .page(&follow(&org, "Regionstyrelsens arbetsutskott"))
        .await;
    let meeting_url = follow(&body, "2025-01-28");
    let meeting = app.page(&meeting_url).await;

    let fetch = |path: String| {
        let app = &app;
        async move {
            let r = app
                .client
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let kind = r.headers()[reqwest::header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .to_string();
            let disposition = r
                .headers()
                .get(reqwest::header::CONTENT_DISPOSITION)
                .map(|v| v.to_str().unwrap().to_string());
            (status, kind, disposition, r.bytes().await.unwrap())
        }
    };
    let (status, kind, disposition, pdf) = fetch(follow(&meeting, "Protokollet som PDF")).await;
    assert_eq!(status, 200);
    assert_eq!(kind, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(
        disposition.as_deref(),
        Some("inline; filename=\"protokoll-2025-01-28-regionstyrelsens-arbetsutskott.pdf\"")
    );
    let (_, kind, _, text) = fetch(follow(&meeting, "som text")).await;
    assert_eq!(kind, "text/plain; charset=utf-8");
    let text = String::from_utf8(text.to_vec()).unwrap();
    assert!(text.contains("Resultat\t3\t2\t0"));
    let (status, _, _, kallelse) = fetch(follow(&meeting, "Kallelse och föredragningslista")).await;
    assert_eq!(status, 200);
    assert!(kallelse.starts_with(b"%PDF-"));
    // Justerat, not posted: no anslag yet, and none offered.
    assert!(!meeting.contains("Anslaget som PDF"));
    let (status, _, _, _) = fetch(format!("{meeting_url}/dokument/anslag.pdf")).await;
    assert_eq!(status, 404);

    let paragraph = app.page(&follow(&meeting, "§14 Svar på motion")).await;
    let (status, kind, _, extract) = fetch(follow(&paragraph, "Protokollsutdrag för §14")).await;
    assert_eq!((status, kind.as_str()), (200, "application/pdf"));
    assert!(extract.starts_with(b"%PDF-"));

    let case = app.page(&follow(&paragraph, "RS231470")).await;
    let (status, kind, _, report) = fetch(follow(&case, "Beslutsförslaget som PDF")).await;
    assert_eq!((status, kind.as_str()), (200, "application/pdf"));
    assert!(report.starts_with(b"%PDF-"));

    // Unknown documents and formats are 404 with a Swedish message.
    for path in [
        format!("{meeting_url}/dokument/protokoll.docx"),
        format!("{meeting_url}/dokument/hemligt.pdf"),
        format!("{meeting_url}/paragrafer/99/utdrag.pdf"),
        "/arenden/1/annat.pdf".to_string(),
    ] {
        let (status, body) = app.get(&path).await;
        assert_eq!(status, 404, "{path}");
        assert!(body.contains("finns inte"), "{path}: {body}");
    }
}

#[tokio::test]
async fn notices_and_meetings_can_be_subscribed_to() {
    let app = spawn(sqlite()).await;
    // The arbetsutskott's protocol of 2025-01-28, approved and posted.
    let rsau = app
        .store
        .all_meetings()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.meeting.date == jiff::civil::date(2025, 1, 28))
        .unwrap()
        .meeting
        .id;
    let d = |day| jiff::civil::date(2025, 2, day);
    let mut tx = app.store.begin("user:test").await.unwrap();
    tx.set_meeting_status(
        rsau,
        &kansli_core::meeting::MeetingStatus::Approved { approved: d(4) },
    )
    .await
    .unwrap();
    tx.post_notice(rsau, d(5), "Regionkontoret, Halmstad")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // The index leads to each organisation's own board.
    let index = app.page("/anslagstavla").await;
    let board = app
        .page(&follow(&index, "Region Hallands anslagstavla"))
        .await;
    let posted = board.matches("<article class=\"notice\">").count();
    assert_eq!(posted, 1);
    assert!(
        board.contains("<dt>Sista dag att överklaga</dt><dd>2025-02-26</dd>"),
        "{board}"
    );
    let atom = app.page(&follow(&board, "Atom-flöde")).await;
    let feed: atom_syndication::Feed = atom.parse().expect("valid Atom");
    assert_eq!(feed.entries.len(), posted);
    assert_eq!(feed.lang.as_deref(), Some("sv"));
    for e in &feed.entries {
        assert!(e.title.value.starts_with("Anslag: protokoll från"));
        assert!(
            e.summary
                .as_ref()
                .unwrap()
                .value
                .contains("Sista dag att överklaga")
        );
        assert!(e.links[0].href.starts_with("http://127.0.0.1:"));
    }

    let body = app.page("/organ/3").await;
    assert!(body.contains("<h1>Regionstyrelsens arbetsutskott</h1>"));
    let ics = app.page(&follow(&body, "iCalendar")).await;
    assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
    let events = ics.matches("BEGIN:VEVENT").count();
    let meetings = body.matches("href=\"/sammantraden/").count();
    assert!(
        events >= 1 && events <= meetings,
        "{events} events, {meetings} links"
    );
    // 14:00 in Halmstad in January is 13:00 UTC.
    assert!(ics.contains("DTSTART:20250128T130000Z"), "{ics}");
    assert!(ics.contains("LOCATION:Borgkammaren/Fataburen"));
}

// The OParl walk from System over every object is in tests/open_data.rs.

#[tokio::test]
async fn cached_pages_follow_every_write() {
    let app = spawn(sqlite()).await;
    let page = || app.page("/organisationer/1");
    assert!(!page().await.contains("Cacheprov"));
    // A write through the server's store shows at once.
    let mut tx = app.store.begin("user:test").await.unwrap();
    tx.register_case(
        kansli_core::OrganisationId(1),
        "Cacheprov ett",
        jiff::civil::date(2025, 3, 3),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(page().await.contains("Cacheprov ett"));
    // A write by another process (another connection to the same
    // database) shows within the cache's limit.
    let other = app._db.store().await;
    let mut tx = other.begin("user:annan-process").await.unwrap();
    tx.register_case(
        kansli_core::OrganisationId(1),
        "Cacheprov två",
        jiff::civil::date(2025, 3, 3),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    tokio::time::sleep(kansli_web::cache::MAX_AGE + std::time::Duration::from_millis(100)).await;
    assert!(page().await.contains("Cacheprov två"));
}
