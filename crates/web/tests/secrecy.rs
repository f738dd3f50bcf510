//! Secrecy of a case, over the real server: a case on a secret agenda item,
//! or with a secret officer's report, does not reach the public in any
//! output (no title, no report, no case number, no case id), while the
//! secretariat still sees it; secret files only for the staff whose work
//! includes the case; uploads checked by their content.

use kansli_core::case::{DocumentKind, OfficerReport, Signatory};
use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::meeting::MeetingRecord;
use kansli_core::{Access, BodyId, CaseId, MeetingId, OrganisationId};
use kansli_store::Store;
use kansli_store::access::Role;
use kansli_testsupport::{TestDb, all, sqlite};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

struct App {
    base: String,
    store: Store,
    _db: TestDb,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
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
        _db: db,
    }
}

/// The value of cookie `name` among a response's Set-Cookie headers.
fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers().get_all(SET_COOKIE).iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let (pair, _) = v.split_once(';').unwrap_or((v, ""));
        let (n, value) = pair.split_once('=')?;
        (n == name).then(|| value.to_string())
    })
}

/// The message a form left in the flash cookie, decoded.
fn flash(r: &reqwest::Response) -> String {
    // The cookie holds the form-encoded pairs, percent-encoded once more.
    let raw = set_cookie(r, "kansli_flash").expect("a flash message");
    let decode = |s: &str| -> Vec<(String, String)> {
        reqwest::Url::parse(&format!("http://x/?{s}"))
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    };
    let (pairs, _) = decode(&raw.replace('+', "%2B")).remove(0);
    let (k, v) = decode(&pairs).remove(0);
    format!("{k}: {v}")
}

fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no field {name}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// A signed-in browser.
struct Browser {
    cookie: String,
    csrf: String,
}

impl App {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Anonymous GET: status and body (as text, lossy for PDFs).
    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = client().get(self.url(path)).send().await.unwrap();
        let status = r.status();
        let bytes = r.bytes().await.unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn sign_in(&self, username: &str, password: &str) -> Browser {
        let c = client();
        let form = c.get(self.url("/logga-in")).send().await.unwrap();
        let token = set_cookie(&form, "kansli_signin").expect("sign-in cookie");
        let r = c
            .post(self.url("/logga-in"))
            .header(COOKIE, format!("kansli_signin={token}"))
            .form(&[
                ("username", username),
                ("password", password),
                ("token", &token),
                ("till", "/sekretariat"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{username} signs in");
        let cookie = set_cookie(&r, "kansli_session").expect("session cookie");
        let page = c
            .get(self.url("/sekretariat"))
            .header(COOKIE, format!("kansli_session={cookie}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        Browser {
            csrf: hidden(&page, "csrf"),
            cookie,
        }
    }

    async fn staff_get(&self, b: &Browser, path: &str) -> (StatusCode, String) {
        let r = client()
            .get(self.url(path))
            .header(COOKIE, format!("kansli_session={}", b.cookie))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let bytes = r.bytes().await.unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }
}

fn report(case: CaseId, words: &str) -> OfficerReport {
    OfficerReport {
        case,
        date: jiff::civil::date(2025, 2, 3),
        unit: vec!["Regionkontoret".into()],
        author: Signatory {
            name: "Anna Handläggare".into(),
            title: "utredare".into(),
        },
        addressed_to: "Regionstyrelsens arbetsutskott".into(),
        title: format!("Utredning {words}"),
        draft_decision: Decision::single(
            Formula::Decides,
            vec![Clause::new(format!("anta {words}-BESLUTET"))],
        ),
        summary: format!("{words}-SAMMANFATTNING om ett hotat skyddsobjekt."),
        background: String::new(),
        considerations: String::new(),
        consequences: String::new(),
        economic_consequences: String::new(),
        signatories: vec![],
        attachments: vec![],
        notify: vec![],
    }
}

/// What the tests plant: a case on a secret agenda item (its report left
/// public, as the form stored every report before), a case with a secret
/// report on a public item, and the meeting with both.
struct Planted {
    org: OrganisationId,
    body: BodyId,
    meeting: MeetingId,
    /// On a secret agenda item.
    item_case: (CaseId, String),
    /// With a secret report, on a public agenda item.
    report_case: (CaseId, String),
    /// A public document's file in the item case.
    public_file: i64,
    /// People who moved or voted in the secret paragraph.
    persons: Vec<i64>,
}

async fn plant(app: &App) -> Planted {
    let store = &app.store;
    let org = store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut record: MeetingRecord = store.meeting_record(MeetingId(1)).await.unwrap();
    let body = record.meeting.body;
    let registered = jiff::civil::date(2026, 1, 5);
    let mut tx = store.begin("user:test").await.unwrap();
    let item_case = tx
        .register_case(org, "HEMLIGT-ÄRENDE om larm i en vårdbyggnad", registered)
        .await
        .unwrap();
    tx.add_officer_report(&report(item_case.0, "HEMLIG"))
        .await
        .unwrap();
    let doc = tx
        .add_document(
            item_case.0,
            DocumentKind::Letter,
            "HEMLIG-SKRIVELSE från polisen",
            registered,
            &kansli_core::case::Direction::Incoming {
                sender: "Polisen".into(),
            },
            &Access::Public,
        )
        .await
        .unwrap();
    let public_file = tx
        .attach_file(doc, "skrivelse.pdf", b"%PDF-1.4\n%HEMLIG\n")
        .await
        .unwrap();
    let report_case = tx
        .register_case(org, "DOLT-ÄRENDE om säkerhetsskydd", registered)
        .await
        .unwrap();
    tx.add_officer_report_with(
        &report(report_case.0, "DOLD"),
        &Access::secret("18 kap. 8 § OSL").unwrap(),
    )
    .await
    .unwrap();
    // The meeting: the first item, on the report case, public; §14's item
    // with its proposals and vote, on the item case, secret.
    record.meeting.date = jiff::civil::date(2026, 2, 11);
    // Justerat, so that the public sees what is not secret
    // (kansli_core::publication: nothing recorded before justering).
    record.meeting.status = kansli_core::meeting::MeetingStatus::Approved {
        approved: jiff::civil::date(2026, 2, 18),
    };
    let voted = record.items.remove(13);
    record.items.truncate(1);
    record.items.push(voted);
    record.items[0].case = Some(report_case.0);
    record.items[0].paragraph.as_mut().unwrap().number = 19;
    let item = &mut record.items[1];
    item.case = Some(item_case.0);
    item.access = Access::secret("18 kap. 8 § OSL").unwrap();
    let p = item.paragraph.as_mut().unwrap();
    p.number = 20;
    p.access = item.access.clone();
    p.title = "HEMLIG-RUBRIK om larmet".into();
    p.matter = "HEMLIGT-INNEHÅLL om larmet".into();
    item.title = p.title.clone();
    let mut persons: Vec<i64> = p
        .proposals
        .iter()
        .flat_map(|x| &x.movers)
        .filter_map(|a| match a {
            kansli_core::meeting::Actor::Person { person } => Some(person.0),
            _ => None,
        })
        .chain(
            p.votes
                .iter()
                .flat_map(|v| v.ballots.iter().map(|b| b.person.0)),
        )
        .collect();
    persons.sort();
    persons.dedup();
    persons.truncate(4);
    for a in &mut record.attendance {
        a.paragraphs.clear();
    }
    let meeting = tx.add_meeting(&record).await.unwrap();
    tx.commit().await.unwrap();
    Planted {
        org,
        body,
        meeting,
        item_case: (item_case.0, item_case.1),
        report_case: (report_case.0, report_case.1),
        public_file: public_file.0,
        persons,
    }
}

/// What must never appear in a public answer about the planted cases.
fn leaks(body: &str, p: &Planted) -> Vec<String> {
    let mut found = Vec::new();
    for word in ["HEMLIG", "DOLD", "DOLT", "skyddsobjekt"] {
        if body.contains(word) {
            found.push(word.to_string());
        }
    }
    for (id, number) in [&p.item_case, &p.report_case] {
        let id = id.0;
        for needle in [
            number.clone(),
            format!("/arenden/{id}\""),
            format!("/arenden/{id}/"),
            format!("papers/{id}\""),
            format!("\"case_id\":{id}"),
        ] {
            if body.contains(&needle) {
                found.push(needle);
            }
        }
    }
    found
}

#[tokio::test]
async fn a_secret_cases_matter_reaches_no_public_output() {
    for db in all().await {
        let app = spawn(db).await;
        let p = plant(&app).await;
        let (m, org, body) = (p.meeting.0, p.org.0, p.body.0);
        let mut paths = vec![
            "/".to_string(),
            "/sammantraden".to_string(),
            format!("/sammantraden/{m}"),
            format!("/sammantraden/{m}/paragrafer/19"),
            format!("/sammantraden/{m}/paragrafer/20"),
            format!("/sammantraden/{m}/paragrafer/19/utdrag.txt"),
            format!("/sammantraden/{m}/paragrafer/20/utdrag.txt"),
            format!("/sammantraden/{m}/dokument/protokoll.txt"),
            format!("/sammantraden/{m}/dokument/protokoll.html"),
            format!("/sammantraden/{m}/dokument/kallelse.txt"),
            format!("/sammantraden/{m}/dokument/kallelse.html"),
            format!("/organisationer/{org}"),
            format!("/organ/{body}"),
            format!("/organ/{body}/omrostningar"),
            "/api/v1/meetings".to_string(),
            format!("/api/v1/meetings/{m}"),
            format!("/api/v1/meetings/{m}/paragraphs/19"),
            format!("/api/v1/meetings/{m}/paragraphs/20"),
            format!("/api/v1/organisations/{org}/cases"),
            format!("/api/v1/bodies/{body}/votes-by-party"),
            format!("/api/v1/bodies/{body}/decisions.json"),
            format!("/api/v1/bodies/{body}/decisions.csv"),
            format!("/api/v1/bodies/{body}/votes.json"),
            format!("/api/v1/bodies/{body}/votes.csv"),
            format!("/api/oparl/v1/meetings/{m}"),
            format!("/api/oparl/v1/meetings/{m}/agenda-items/1"),
            format!("/api/oparl/v1/meetings/{m}/agenda-items/2"),
            format!("/api/oparl/v1/organizations/{body}/meetings"),
            format!("/api/oparl/v1/bodies/{org}/meetings"),
            format!("/api/oparl/v1/files/{}", p.public_file),
            format!("/filer/{}", p.public_file),
            "/anslagstavla".to_string(),
            "/anslagstavla.atom".to_string(),
            format!("/organisationer/{org}/anslagstavla"),
            format!("/organisationer/{org}/anslagstavla.atom"),
            format!("/organ/{body}/sammantraden.ics"),
        ];
        for person in &p.persons {
            paths.push(format!("/personer/{person}"));
            paths.push(format!("/api/v1/persons/{person}"));
        }
        // The case's own addresses answer as for a case that does not exist.
        let (_, never) = app.get("/arenden/999999").await;
        let mut gone = Vec::new();
        for (id, _) in [&p.item_case, &p.report_case] {
            let id = id.0;
            gone.extend([
                format!("/arenden/{id}"),
                format!("/api/v1/cases/{id}"),
                format!("/api/oparl/v1/papers/{id}"),
                format!("/arenden/{id}/beslutsforslag.txt"),
                format!("/arenden/{id}/beslutsforslag.html"),
                format!("/arenden/{id}/beslutsforslag.pdf"),
            ]);
        }
        for path in &gone {
            let (status, text) = app.get(path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {text}");
            let l = leaks(&text, &p);
            assert!(l.is_empty(), "{path} leaks {l:?}");
        }
        let page = |id: CaseId| never.replace("999999", &id.0.to_string());
        assert_eq!(
            app.get(&format!("/arenden/{}", p.item_case.0.0)).await.1,
            page(p.item_case.0),
            "a secret case's page is that of a case that does not exist"
        );
        // Every page of the OParl list of papers.
        let mut next = Some(format!("/api/oparl/v1/bodies/{org}/papers"));
        while let Some(path) = next.take() {
            paths.push(path.clone());
            let (status, text) = app.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            next = v["links"]["next"]
                .as_str()
                .map(|u| u[u.find("/api/").unwrap()..].to_string());
        }
        for path in &paths {
            let (status, text) = app.get(path).await;
            assert!(
                status.is_success() || status == StatusCode::FORBIDDEN,
                "{path}: {status} {text}"
            );
            let l = leaks(&text, &p);
            assert!(l.is_empty(), "{path} leaks {l:?}");
        }
        // The secret item keeps its number and its ground.
        let (_, agenda) = app.get(&format!("/sammantraden/{m}")).await;
        assert!(agenda.contains("18 kap. 8 § OSL"), "the ground is shown");
        let api: serde_json::Value =
            serde_json::from_str(&app.get(&format!("/api/v1/meetings/{m}")).await.1).unwrap();
        let item = &api["agenda"][1];
        assert_eq!(item["public"], false);
        assert_eq!(item["paragraph"], 20);
        assert_eq!(item["secrecy_ground"], "18 kap. 8 § OSL");
        assert!(item["case_number"].is_null() && item["case_id"].is_null());
        // The public item keeps its title; only its case is not named.
        assert_eq!(api["agenda"][0]["public"], true);
        assert!(api["agenda"][0]["case_id"].is_null());
        // The public file of the secret case is refused with the ground.
        let (status, text) = app.get(&format!("/filer/{}", p.public_file)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(text.contains("sekretess"));

        // Staff see everything through the secretariat.
        let b = app.sign_in("sekreterare", kansli_demo::DEMO_PASSWORD).await;
        let (status, case) = app
            .staff_get(&b, &format!("/sekretariat/arenden/{}", p.item_case.0.0))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(case.contains("HEMLIGT-ÄRENDE") && case.contains(&p.item_case.1));
        assert!(case.contains("omfattas av sekretess"), "{case}");
        for (id, words) in [(p.item_case.0, "HEMLIG"), (p.report_case.0, "DOLD")] {
            let (status, text) = app
                .staff_get(
                    &b,
                    &format!(
                        "/sekretariat/arenden/{}/beslutsforslag/beslutsforslag.txt",
                        id.0
                    ),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{text}");
            assert!(text.contains(&format!("{words}-SAMMANFATTNING")), "{text}");
        }
        let (status, form) = app
            .staff_get(
                &b,
                &format!("/sekretariat/arenden/{}/beslutsforslag", p.report_case.0.0),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(form.contains("DOLD-SAMMANFATTNING"));
        assert!(
            form.contains("value=\"18 kap. 8 § OSL\""),
            "the ground is kept"
        );
        let (_, staff_meeting) = app
            .staff_get(&b, &format!("/sekretariat/sammantraden/{m}"))
            .await;
        assert!(staff_meeting.contains("HEMLIG-RUBRIK"));
        // Nothing was cached for the public while staff looked.
        let (_, again) = app.get(&format!("/sammantraden/{m}")).await;
        assert!(leaks(&again, &p).is_empty());
    }
}

/// The report form's fields, as the browser sends them.
fn report_fields<'a>(
    csrf: &'a str,
    words: &'a str,
    secret: &'a str,
    ground: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("date", "2026-01-20"),
        ("unit", "Regionkontoret"),
        ("author_name", "Anna Handläggare"),
        ("author_title", "utredare"),
        ("addressed_to", "Regionstyrelsen"),
        ("title", "Skalskydd"),
        ("chain", ""),
        ("clauses", "godkänna förslaget"),
        ("summary", words),
        ("secret", secret),
        ("ground", ground),
    ]
}

#[tokio::test]
async fn an_officers_report_is_made_secret_in_its_form() {
    let app = spawn(sqlite()).await;
    let org = app
        .store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut tx = app.store.begin("user:test").await.unwrap();
    let (case, number) = tx
        .register_case(
            org,
            "Skalskydd för regionhuset",
            jiff::civil::date(2026, 1, 5),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let b = app.sign_in("handlaggare", kansli_demo::DEMO_PASSWORD).await;
    let (status, form) = app
        .staff_get(
            &b,
            &format!("/sekretariat/arenden/{}/beslutsforslag", case.0),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("name=\"secret\" value=\"ja\"") && form.contains("name=\"ground\""));
    let action = app.url(&format!("/sekretariat/arenden/{}/beslutsforslag", case.0));
    let post = |fields: Vec<(&str, &str)>| {
        client()
            .post(&action)
            .header(COOKIE, format!("kansli_session={}", b.cookie))
            .form(&fields)
            .send()
    };
    let secret_words = "HEMLIGRAPPORT om skalskyddets svagheter";
    // Secret without a ground: refused, nothing stored, what was typed kept.
    let r = post(report_fields(&b.csrf, secret_words, "ja", " "))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text().await.unwrap();
    assert!(text.contains("sekretessgrund"), "{text}");
    assert!(text.contains(secret_words));
    assert!(app.store.officer_reports(case).await.unwrap().is_empty());
    // Before the report, the case is public.
    assert_eq!(
        app.get(&format!("/arenden/{}", case.0)).await.0,
        StatusCode::OK
    );
    let r = post(report_fields(
        &b.csrf,
        secret_words,
        "ja",
        "18 kap. 8 § OSL",
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let stored = app.store.officer_reports_with_access(case).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].1, Access::secret("18 kap. 8 § OSL").unwrap());
    // Its entry among the case's documents is secret too.
    let docs = app.store.documents(case).await.unwrap();
    assert!(
        docs.iter()
            .all(|d| d.kind != DocumentKind::OfficerReport || !d.access.is_public())
    );
    for path in [
        format!("/arenden/{}", case.0),
        format!("/api/v1/cases/{}", case.0),
        format!("/api/oparl/v1/papers/{}", case.0),
        format!("/arenden/{}/beslutsforslag.txt", case.0),
    ] {
        let (status, text) = app.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(!text.contains("HEMLIGRAPPORT") && !text.contains(&number));
    }
    for path in [
        format!("/organisationer/{}", org.0),
        format!("/api/v1/organisations/{}/cases", org.0),
        format!("/api/oparl/v1/bodies/{}/papers", org.0),
    ] {
        let (status, text) = app.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!text.contains(&number), "{path} lists the secret case");
    }
    // A later public version lifts the secrecy of the matter; the secret
    // version itself stays out of every public answer.
    let r = post(report_fields(
        &b.csrf,
        "Offentlig sammanfattning",
        "nej",
        "",
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // A draft until its case officer marks it final (TF 2 kap. 10 §,
    // kansli_core::publication).
    let (status, _) = app
        .get(&format!("/arenden/{}/beslutsforslag.txt", case.0))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a draft report is not public"
    );
    let r = client()
        .post(app.url(&format!(
            "/sekretariat/arenden/{}/beslutsforslag/fardigt",
            case.0
        )))
        .header(COOKIE, format!("kansli_session={}", b.cookie))
        .form(&[("csrf", b.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    for path in [
        format!("/arenden/{}", case.0),
        format!("/api/v1/cases/{}", case.0),
        format!("/arenden/{}/beslutsforslag.txt", case.0),
    ] {
        let (status, text) = app.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            text.contains("Offentlig sammanfattning") || path.ends_with(&format!("/{}", case.0)),
            "{path}"
        );
        assert!(
            !text.contains("HEMLIGRAPPORT"),
            "{path} shows the secret version"
        );
    }
}

/// A case with a secret document and its file; returns (case, file).
async fn case_with_secret_file(store: &Store, org: OrganisationId, title: &str) -> (CaseId, i64) {
    let mut tx = store.begin("user:test").await.unwrap();
    let (case, _) = tx
        .register_case(org, title, jiff::civil::date(2026, 1, 5))
        .await
        .unwrap();
    let doc = tx
        .add_document(
            case,
            DocumentKind::Statement,
            "Yttrande",
            jiff::civil::date(2026, 1, 6),
            &kansli_core::case::Direction::Internal,
            &Access::secret("26 kap. 1 § OSL").unwrap(),
        )
        .await
        .unwrap();
    let file = tx
        .attach_file(doc, "yttrande.pdf", b"%PDF-1.4\n%secret\n")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (case, file.0)
}

#[tokio::test]
async fn a_secretary_of_one_body_reads_the_secret_files_of_that_bodys_cases_only() {
    for db in all().await {
        let app = spawn(db).await;
        let store = &app.store;
        let org = store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap()
            .id;
        let bodies = store.bodies(org).await.unwrap();
        let rsau = bodies
            .iter()
            .find(|b| b.name == "Regionstyrelsens arbetsutskott")
            .unwrap()
            .id;
        let other = bodies.iter().find(|b| b.id != rsau).unwrap().id;
        // One case on an agenda of the arbetsutskott, one on no agenda.
        let (on_agenda, file_a) = case_with_secret_file(store, org, "På dagordningen").await;
        let (elsewhere, file_b) = case_with_secret_file(store, org, "Ingenstans").await;
        let mut record = store.meeting_record(MeetingId(1)).await.unwrap();
        assert_eq!(record.meeting.body, rsau);
        record.meeting.date = jiff::civil::date(2026, 2, 11);
        record.items.truncate(1);
        record.items[0].case = Some(on_agenda);
        record.items[0].paragraph.as_mut().unwrap().number = 30;
        for a in &mut record.attendance {
            a.paragraphs.clear();
        }
        let mut tx = store.begin("user:test").await.unwrap();
        tx.add_meeting(&record).await.unwrap();
        for (name, body) in [("au-sekreterare", rsau), ("annan-sekreterare", other)] {
            let user = tx
                .add_user(name, name, kansli_demo::DEMO_PASSWORD, false)
                .await
                .unwrap();
            tx.grant_role(user, Role::Secretary, org, Some(body))
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        assert_eq!(store.case_bodies(on_agenda).await.unwrap(), vec![rsau]);
        assert!(store.case_bodies(elsewhere).await.unwrap().is_empty());

        let file =
            |case: CaseId, file: i64| format!("/sekretariat/arenden/{}/filer/{file}", case.0);
        for (user, a, b) in [
            ("au-sekreterare", StatusCode::OK, StatusCode::FORBIDDEN),
            (
                "annan-sekreterare",
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
            ),
            // Organisation-wide: the demo's secretary and case officer.
            ("sekreterare", StatusCode::OK, StatusCode::OK),
            ("handlaggare", StatusCode::OK, StatusCode::OK),
            ("admin", StatusCode::OK, StatusCode::OK),
        ] {
            let browser = app.sign_in(user, kansli_demo::DEMO_PASSWORD).await;
            for (path, expected) in [(file(on_agenda, file_a), a), (file(elsewhere, file_b), b)] {
                let (status, text) = app.staff_get(&browser, &path).await;
                assert_eq!(status, expected, "{user} {path}: {text}");
                if expected == StatusCode::OK {
                    assert!(text.starts_with("%PDF-1.4"));
                } else {
                    assert!(text.contains("behörighet"), "{text}");
                }
            }
        }
    }
}

/// A multipart body by hand: text fields, then the file.
fn multipart(fields: &[(&str, &str)], file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "kansli-test-boundary-7d1e";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"fil\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn uploads_are_checked_by_their_content() {
    for db in all().await {
        let app = spawn(db).await;
        let org = app
            .store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap()
            .id;
        let case = app.store.cases(org).await.unwrap()[0].id;
        let b = app.sign_in("handlaggare", kansli_demo::DEMO_PASSWORD).await;
        // The form says what it takes.
        let (_, page) = app
            .staff_get(&b, &format!("/sekretariat/arenden/{}", case.0))
            .await;
        assert!(
            page.contains("accept=\".pdf,application/pdf,.odt,"),
            "{page}"
        );
        assert!(page.contains("PDF (högst 25 MB)"));
        let upload = |file_name: &'static str, bytes: Vec<u8>| {
            let (content_type, body) = multipart(
                &[
                    ("csrf", b.csrf.as_str()),
                    ("title", "Inkommen skrivelse"),
                    ("kind", "letter"),
                    ("date", "2026-01-07"),
                    ("direction", "incoming"),
                    ("counterpart", "Föreningen"),
                    ("secret", "nej"),
                ],
                file_name,
                &bytes,
            );
            client()
                .post(app.url(&format!(
                    "/sekretariat/arenden/{}/handlingar?csrf={}",
                    case.0, b.csrf
                )))
                .header(COOKIE, format!("kansli_session={}", b.cookie))
                .header(CONTENT_TYPE, content_type)
                .body(body)
                .send()
        };
        let count = || async { app.store.documents(case).await.unwrap().len() };
        let before = count().await;
        let html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".to_vec();
        let r = upload("x.pdf", html.clone()).await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()[LOCATION],
            format!("/sekretariat/arenden/{}", case.0)
        );
        let message = flash(&r);
        assert!(
            message.starts_with("fel")
                && message.contains("«x.pdf» är inte en PDF-fil: innehållet är HTML"),
            "{message}"
        );
        assert_eq!(count().await, before, "nothing written for a refused file");
        // A PDF named as a picture, and a kind not taken at all.
        let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
        let message = flash(&upload("bild.png", pdf.clone()).await.unwrap());
        assert!(
            message.contains("«bild.png» är inte en PNG-bild: innehållet är en PDF-fil"),
            "{message}"
        );
        let message = flash(&upload("sida.html", html).await.unwrap());
        assert!(message.contains("filändelsen .html"), "{message}");
        assert_eq!(count().await, before);
        // A real small PDF is taken, with its media type from the content.
        let r = upload("skrivelse.pdf", pdf.clone()).await.unwrap();
        let message = flash(&r);
        assert!(message.starts_with("ok"), "{message}");
        assert_eq!(count().await, before + 1);
        let doc = app.store.documents(case).await.unwrap().pop().unwrap();
        let files = app.store.attachments(doc.id).await.unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].media_type, "application/pdf");
        assert_eq!(app.store.attachment(files[0].id).await.unwrap().1, pdf);
    }
}
