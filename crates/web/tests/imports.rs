//! Meetings read from existing protocols (issue #19): marked as imported on
//! every page and in the API, the original file served byte for byte by
//! the protocol's rule of publication, and the secretariat's review with
//! corrections that are checked, logged and done once.

mod support;
use kansli_core::MeetingId;
use kansli_import::{SaveOptions, SourceFile};
use kansli_testsupport::all;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE};
use support::app::*;

/// A protocol in a layout of our own, justerat and posted, with a line the
/// reader cannot place and a heading misspelt (to be corrected).
fn protocol(date: &str, justerat: bool) -> String {
    let signed = if justerat {
        "Justeringens        Kulturförvaltningen, 2026-03-13\nplats och tid\n"
    } else {
        ""
    };
    let notice = if justerat {
        "ANSLAG/BEVIS\n\
         Protokollet är justerat. Justeringen har tillkännagivits genom anslag.\n\
         Organ                               Kulturnämnden\n\
         Datum när anslaget sätts upp        2026-03-16\n\
         Datum när anslaget tas ner          2026-04-10\n\
         Förvaringsplats för protokollet     Kulturförvaltningen\n"
    } else {
        ""
    };
    format!(
        "REGION HALLAND                                   PROTOKOLL\n\
         Kulturnämnden                                    Sida 1 (3)\n\
         \x20                                                Sammanträdesdatum {date}\n\
         \n\
         Plats och tid       Sammanträdesrum Laxen, kl. 09.00–11.30\n\
         \n\
         Beslutande          Ledamöter\n\
         \x20                   Åsa Lindqvist (S), ordförande, Per Holm (M), vice ordförande,\n\
         \x20                   Nina Berg (C), Omar Said (S) och Karin Ström (SD)\n\
         \n\
         Övriga närvarande   Tjänstepersoner\n\
         \x20                   Kulturchef Elin Dahl, nämndsekreterare Jonas Vik\n\
         \n\
         Justering           Justerande\n\
         \x20                   Per Holm (M)\n\
         \n\
         {signed}\
         \n\
         Paragrafer          § 12–13\n\
         \n\
         Underskrifter       Sekreterare          Ordförande           Justerande\n\
         \x20                   Jonas Vik            Åsa Lindqvist        Per Holm\n\
         \n\
         {notice}\
         \n\
         § 12\n\
         Kulturstipendier 2026\n\
         Dnr: KN 2026/4\n\
         \n\
         Beslut\n\
         Kulturnämnden beslutar att\n\
         • dela ut kulturstipendier enligt förvaltningens förslag.\n\
         \n\
         § 13\n\
         Informaton om bibliotekens öppettider\n\
         Dnr: KN 2026/9\n\
         \n\
         Förvaltningen redovisar ¤¤ oläsligt ¤¤ öppettider.\n\
         \n\
         Beslut\n\
         Kulturnämnden beslutar att\n\
         • lägga informationen till handlingarna.\n"
    )
}

/// Imports `text` as the file `name` into Region Halland, as `kansli
/// import` does; returns the meeting.
async fn import(app: &App, name: &str, text: &str) -> MeetingId {
    let p = kansli_import::read_protocol(text.as_bytes()).expect("a protocol");
    let saved = kansli_import::save(
        &app.store,
        &p,
        &SaveOptions {
            organisation: Some("Region Halland".into()),
            source: Some(SourceFile {
                file_name: name.into(),
                bytes: text.as_bytes().to_vec(),
            }),
        },
    )
    .await
    .expect("saved");
    saved.meeting
}

fn sha256(bytes: &[u8]) -> String {
    kansli_store::access::sha256_hex(bytes)
}

#[tokio::test]
async fn an_imported_meeting_is_marked_everywhere_and_its_original_served_as_it_was() {
    for db in all().await {
        let app = spawn(db).await;
        let text = protocol("2026-03-10", true);
        let id = import(&app, "KN protokoll 2026-03-10.txt", &text).await;
        let sha = sha256(text.as_bytes());

        // The meeting page: the mark, the file, the day, the hash, the link.
        let page = app.ok(&format!("/sammantraden/{id}")).await;
        assert!(
            page.contains("Inläst från ett befintligt protokoll"),
            "{page}"
        );
        assert!(page.contains("KN protokoll 2026-03-10.txt"));
        assert!(page.contains(&sha));
        let today = jiff::Zoned::now()
            .with_time_zone(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap())
            .date()
            .to_string();
        assert!(page.contains(&format!("inläst {today}")), "{page}");
        let original = format!("/sammantraden/{id}/original");
        assert!(page.contains(&format!("href=\"{original}\"")), "{page}");

        // The original, byte for byte, with its type and name.
        let r = client().get(app.url(&original)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()[CONTENT_TYPE].to_str().unwrap(),
            "text/plain; charset=utf-8"
        );
        let disposition = r.headers()[CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            disposition.contains("filename=\"KN_protokoll_2026-03-10.txt\"")
                && disposition.contains("filename*=UTF-8''KN%20protokoll%202026-03-10.txt"),
            "{disposition}"
        );
        let bytes = r.bytes().await.unwrap();
        assert_eq!(bytes.as_ref(), text.as_bytes());
        assert_eq!(sha256(&bytes), sha);

        // The paragraph page, the protocol as text and HTML, the lists.
        let paragraph = app.ok(&format!("/sammantraden/{id}/paragrafer/12")).await;
        assert!(paragraph.contains("Inläst från ett befintligt protokoll"));
        for doc in ["protokoll.txt", "protokoll.html"] {
            let d = app.ok(&format!("/sammantraden/{id}/dokument/{doc}")).await;
            assert!(
                d.contains("Inläst från ett befintligt protokoll") && d.contains(&sha),
                "{doc}: {d}"
            );
        }
        let extract = app
            .ok(&format!("/sammantraden/{id}/paragrafer/12/utdrag.txt"))
            .await;
        assert!(
            extract.contains("Inläst från ett befintligt protokoll"),
            "{extract}"
        );
        let list = app.ok("/sammantraden").await;
        assert!(
            list.contains("inläst från ett befintligt protokoll"),
            "{list}"
        );
        let board = app
            .ok(&format!("/organisationer/{}/anslagstavla", app.org.0))
            .await;
        assert!(
            board.contains("Inläst från ett befintligt protokoll") && board.contains(&original),
            "{board}"
        );

        let feed = app
            .ok(&format!("/organisationer/{}/anslagstavla.atom", app.org.0))
            .await;
        assert!(
            feed.contains("Inläst från ett befintligt protokoll") && feed.contains(&original),
            "{feed}"
        );

        // The API and OParl.
        let m: serde_json::Value =
            serde_json::from_str(&app.ok(&format!("/api/v1/meetings/{id}")).await).unwrap();
        assert_eq!(m["imported"]["sha256"], sha.as_str());
        assert_eq!(m["imported"]["file_name"], "KN protokoll 2026-03-10.txt");
        assert_eq!(m["imported"]["original"], original.as_str());
        let all_meetings: serde_json::Value =
            serde_json::from_str(&app.ok("/api/v1/meetings").await).unwrap();
        let listed = all_meetings
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id.0)
            .unwrap();
        assert_eq!(listed["imported"]["sha256"], sha.as_str());
        let demo = all_meetings
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] != id.0)
            .unwrap();
        assert!(demo["imported"].is_null(), "{demo}");
        let o: serde_json::Value =
            serde_json::from_str(&app.ok(&format!("/api/oparl/v1/meetings/{id}")).await).unwrap();
        assert_eq!(o["kansliImported"]["sha256"], sha.as_str());
        assert!(
            o["kansliImported"]["downloadUrl"]
                .as_str()
                .unwrap()
                .ends_with(&original)
        );

        // Stored bytes that no longer match their hash are never served.
        let other = base64_of(b"inte originalet");
        sqlx::query("UPDATE file_contents SET content = $1 WHERE sha256 = $2")
            .bind(other)
            .bind(&sha)
            .execute(app.store.pool())
            .await
            .unwrap();
        // (A new address: the page cache does not see a change made
        // around the store.)
        let (status, body) = app.get(&format!("{original}?igen=1")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body.contains("stämmer inte med sin SHA-256"), "{body}");
        assert!(!body.contains("inte originalet"));
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE entity_id = {id} AND action = 'integrity'"
            ))
            .await,
            1
        );
    }
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn an_import_not_yet_justerat_keeps_its_original_back() {
    for db in all().await {
        let app = spawn(db).await;
        let text = protocol("2026-04-14", false);
        let id = import(&app, "kn-2026-04-14.txt", &text).await;
        let page = app.ok(&format!("/sammantraden/{id}")).await;
        assert!(
            page.contains("Inläst från ett befintligt protokoll"),
            "{page}"
        );
        assert!(page.contains("Originalet visas när protokollet är justerat"));
        assert!(!page.contains(&format!("/sammantraden/{id}/original")));
        let (status, body) = app.get(&format!("/sammantraden/{id}/original")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!body.contains("Informaton"), "{body}");
        let m: serde_json::Value =
            serde_json::from_str(&app.ok(&format!("/api/v1/meetings/{id}")).await).unwrap();
        assert!(m["imported"]["original"].is_null(), "{m}");
        assert_eq!(m["imported"]["sha256"], sha256(text.as_bytes()).as_str());
        // Its secretary reads it all the same.
        let s = app.sign_in("sekreterare").await;
        let r = client()
            .get(app.url(&format!("/sekretariat/importer/{id}/original")))
            .header(COOKIE, format!("kansli_session={}", s.cookie))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.bytes().await.unwrap().as_ref(), text.as_bytes());
    }
}

/// The fields of the review page's correction form as the page fills them.
fn form_fields(page: &str, action: &str) -> Vec<(String, String)> {
    let start = page.find(&format!("action=\"{action}\"")).unwrap();
    let form = &page[start..];
    let form = &form[..form.find("</form>").unwrap()];
    let mut out = Vec::new();
    let attr = |tag: &str, name: &str| -> Option<String> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[at..at + tag[at..].find('"')?].to_string())
    };
    for tag in form.split('<').skip(1) {
        if tag.starts_with("input") {
            let (Some(name), value) = (attr(tag, "name"), attr(tag, "value")) else {
                continue;
            };
            if tag.contains("type=\"checkbox\"") && !tag.contains(" checked") {
                continue;
            }
            out.push((name, value.unwrap_or_default()));
        }
    }
    for select in form.split("<select").skip(1) {
        let name = attr(select, "name").unwrap();
        let chosen = select
            .split("<option")
            .skip(1)
            .find(|o| o.contains(" selected"))
            .and_then(|o| attr(o, "value"))
            .unwrap_or_default();
        out.push((name, chosen));
    }
    out
}

fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    fields
        .iter_mut()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no field {name}"))
        .1 = value.into();
}

async fn post_fields(
    app: &App,
    s: &Session,
    path: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let form: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post(s, path, &form).await
}

/// The page a post–redirect–get answer leads to, with its message.
async fn follow(app: &App, s: &Session, r: reqwest::Response) -> String {
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let mut cookie = format!("kansli_session={}", s.cookie);
    if let Some(f) = set_cookie(&r, "kansli_flash") {
        cookie.push_str(&format!("; kansli_flash={f}"));
    }
    client()
        .get(app.url(&to))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_secretary_reviews_the_warnings_and_corrects_the_import_once() {
    for db in all().await {
        let app = spawn(db).await;
        let text = protocol("2026-03-10", true);
        let id = import(&app, "kn-2026-03-10.txt", &text).await;
        let rec = app.store.import_of(id).await.unwrap().unwrap();
        assert!(!rec.warnings.is_empty(), "the reader warns about something");
        let s = app.sign_in("sekreterare").await;

        // The list: file, organ, date, warnings, not reviewed.
        let list = app.staff_text(&s, "/sekretariat/importer").await;
        assert!(
            list.contains(&format!("href=\"/sekretariat/importer/{id}\"")),
            "{list}"
        );
        assert!(list.contains("kn-2026-03-10.txt") && list.contains("Kulturnämnden"));
        assert!(
            list.contains(&format!("<td>{}</td>", rec.warnings.len())),
            "{list}"
        );
        assert!(list.contains("<strong>Nej</strong>"));

        // The staff meeting page leads to the review.
        let staff = app
            .staff_text(&s, &format!("/sekretariat/sammantraden/{id}"))
            .await;
        assert!(staff.contains(&format!("href=\"/sekretariat/importer/{id}\"")));

        // The page: each warning with its line and the source around it.
        let path = format!("/sekretariat/importer/{id}");
        let page = app.staff_text(&s, &path).await;
        let lines: Vec<&str> = text.lines().collect();
        for w in &rec.warnings {
            assert!(page.contains(&format!("Rad {}:", w.line)), "{page}");
            let source = lines[w.line - 1].trim();
            if !source.is_empty() {
                let shown = source.replace('&', "&amp;").replace('<', "&lt;");
                assert!(page.contains(&shown), "line {}: {source}\n{page}", w.line);
            }
        }
        for n in &rec.notes {
            assert!(page.contains(n.as_str()), "{n}");
        }

        // A bad date is refused naming the field, and the form comes back as typed.
        let mut fields = form_fields(&page, &path);
        set(&mut fields, "date", "2026-13-45");
        set(
            &mut fields,
            "title_13",
            "Information om bibliotekens öppettider",
        );
        let refused = follow(&app, &s, post_fields(&app, &s, &path, &fields).await).await;
        assert!(
            refused.contains("sammanträdesdatum: «2026-13-45» är inget datum"),
            "{refused}"
        );
        assert!(refused.contains("value=\"2026-13-45\""), "{refused}");
        assert!(refused.contains("value=\"Information om bibliotekens öppettider\""));
        let corrections = format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity_id = {id} AND action = 'import_correction'"
        );
        assert_eq!(app.count(&corrections).await, 0);

        // A correction: heading, date and approvers, one transaction, logged.
        let page = app.staff_text(&s, &path).await;
        let mut fields = form_fields(&page, &path);
        set(&mut fields, "date", "2026-03-11");
        set(
            &mut fields,
            "title_13",
            "Information om bibliotekens öppettider",
        );
        let done = follow(&app, &s, post_fields(&app, &s, &path, &fields).await).await;
        assert!(
            done.contains("Rättat: sammanträdesdatum, rubriker."),
            "{done}"
        );
        assert!(
            done.contains("Rättade det inlästa protokollets uppgifter"),
            "{done}"
        );
        assert_eq!(app.count(&corrections).await, 1);
        let public = app.ok(&format!("/sammantraden/{id}")).await;
        assert!(
            public.contains("§13 Information om bibliotekens öppettider"),
            "{public}"
        );
        assert!(!public.contains("Informaton"));
        assert!(public.contains("2026-03-11"));

        // The same form again (a double click, a reload): answered once.
        let once = fields.iter().find(|(k, _)| k == "once").unwrap().1.clone();
        assert!(!once.is_empty());
        let mut again = fields.clone();
        set(&mut again, "title_13", "Något annat");
        let r = post_fields(&app, &s, &path, &again).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.count(&corrections).await, 1);
        let public = app.ok(&format!("/sammantraden/{id}")).await;
        assert!(!public.contains("Något annat"));

        // Marked as reviewed.
        let page = app.staff_text(&s, &path).await;
        let once = hidden(&page[page.find("/granskad").unwrap()..], "once");
        let done = app
            .submit(&s, &format!("{path}/granskad"), &[("once", &once)])
            .await;
        assert!(done.contains("markerad som granskad"), "{done}");
        let list = app.staff_text(&s, "/sekretariat/importer").await;
        assert!(list.contains("Ja, "), "{list}");
    }
}

#[tokio::test]
async fn only_the_secretariat_reviews_and_corrects() {
    for db in all().await {
        let app = spawn(db).await;
        let text = protocol("2026-03-10", true);
        let id = import(&app, "kn-2026-03-10.txt", &text).await;
        let path = format!("/sekretariat/importer/{id}");
        let before = app
            .count("SELECT COUNT(*) FROM audit_log WHERE action = 'import_correction'")
            .await;
        for user in ["handlaggare", "ordforande"] {
            let s = app.sign_in(user).await;
            let (status, _) = app.staff(&s, &path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
            let (status, _) = app.staff(&s, "/sekretariat/importer").await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
            let r = app
                .post(&s, &path, &[("date", "2026-03-12"), ("title_12", "Fel")])
                .await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{user}");
        }
        let (status, _) = app.get(&path).await;
        assert!(status != StatusCode::OK, "anonymous: {status}");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'import_correction'")
                .await,
            before
        );
        assert_eq!(
            app.store.meeting(id).await.unwrap().date.to_string(),
            "2026-03-10"
        );
    }
}

/// Validates `value` against `schema` of the OpenAPI document `doc`.
fn validate(doc: &serde_json::Value, schema: &serde_json::Value, value: &serde_json::Value) {
    let mut root = schema.clone();
    root["components"] = doc["components"].clone();
    let validator = jsonschema::validator_for(&root).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(5)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[tokio::test]
async fn the_api_document_declares_the_import_and_a_secret_part_keeps_the_original_back() {
    for db in all().await {
        let app = spawn(db).await;
        let text = protocol("2026-03-10", true);
        let id = import(&app, "kn-2026-03-10.txt", &text).await;
        let doc: serde_json::Value =
            serde_json::from_str(&app.ok("/api/openapi.json").await).unwrap();
        for (path, object) in [
            ("/api/v1/meetings/{id}", format!("/api/v1/meetings/{id}")),
            ("/api/v1/meetings", "/api/v1/meetings".to_string()),
        ] {
            let schema = &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
                ["schema"];
            assert!(!schema.is_null(), "{path}");
            let value: serde_json::Value = serde_json::from_str(&app.ok(&object).await).unwrap();
            validate(&doc, schema, &value);
        }
        let summary = serde_json::to_string(&doc["components"]["schemas"]["MeetingSummaryView"])
            .unwrap()
            + &serde_json::to_string(&doc["components"]["schemas"]["MeetingView"]).unwrap();
        assert!(summary.contains("imported"), "{summary}");

        // A paragraph found secret after the import: the original, which
        // would show it, is no longer public.
        sqlx::query(
            "UPDATE paragraphs SET secrecy_ground = $1 WHERE meeting_id = $2 AND number = 13",
        )
        .bind("OSL 26 kap. 1 §")
        .bind(id.0)
        .execute(app.store.pool())
        .await
        .unwrap();
        let (status, body) = app
            .get(&format!("/sammantraden/{id}/original?efter=1"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert!(body.contains("sekretessbelagda"), "{body}");
        let m: serde_json::Value =
            serde_json::from_str(&app.ok(&format!("/api/v1/meetings/{id}?efter=1")).await).unwrap();
        assert!(m["imported"]["original"].is_null(), "{m}");
    }
}

#[tokio::test]
async fn organ_and_chair_are_corrected_and_a_rename_to_a_taken_name_refused() {
    for db in all().await {
        let app = spawn(db).await;
        let text = protocol("2026-03-10", true);
        let id = import(&app, "kn-2026-03-10.txt", &text).await;
        let s = app.sign_in("sekreterare").await;
        let path = format!("/sekretariat/importer/{id}");
        let record = app.store.meeting_record(id).await.unwrap();
        let old_body = record.meeting.body;
        let persons = app
            .store
            .persons(
                &record
                    .attendance
                    .iter()
                    .map(|a| a.person)
                    .collect::<Vec<_>>(),
            )
            .await
            .unwrap();
        let nina = persons.values().find(|p| p.name == "Nina Berg").unwrap().id;

        // A name another body has: refused, naming the organ.
        let page = app.staff_text(&s, &path).await;
        let mut fields = form_fields(&page, &path);
        set(&mut fields, "rename", "Regionstyrelsen");
        let refused = follow(&app, &s, post_fields(&app, &s, &path, &fields).await).await;
        assert!(
            refused.contains("organ: organisationen har redan ett organ"),
            "{refused}"
        );
        assert!(refused.contains("value=\"Regionstyrelsen\""));

        // Renamed, and the chair is someone else present.
        let page = app.staff_text(&s, &path).await;
        let mut fields = form_fields(&page, &path);
        set(&mut fields, "rename", "Kultur- och fritidsnämnden");
        set(&mut fields, "chair", &nina.0.to_string());
        let done = follow(&app, &s, post_fields(&app, &s, &path, &fields).await).await;
        assert!(done.contains("Rättat: organ, ordförande."), "{done}");
        let public = app.ok(&format!("/sammantraden/{id}")).await;
        assert!(public.contains("Kultur- och fritidsnämnden"), "{public}");
        assert!(
            public.contains("<dt>Ordförande</dt><dd>Nina Berg (C)</dd>"),
            "{public}"
        );
        assert_eq!(
            app.store.body(old_body).await.unwrap().name,
            "Kultur- och fritidsnämnden"
        );

        // Moved to another body of the organisation.
        let rs = app.body("Regionstyrelsens arbetsutskott").await;
        let page = app.staff_text(&s, &path).await;
        let mut fields = form_fields(&page, &path);
        set(&mut fields, "body", &rs.0.to_string());
        let done = follow(&app, &s, post_fields(&app, &s, &path, &fields).await).await;
        assert!(done.contains("Rättat: organ."), "{done}");
        assert_eq!(app.store.meeting(id).await.unwrap().body, rs);
        let log = app
            .count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE entity_id = {id} AND action = 'import_correction'"
            ))
            .await;
        assert_eq!(log, 2);
    }
}
