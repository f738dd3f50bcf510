//! The diarium over the real server: the postlista per day (page, API,
//! feed) with a secret handling shown by its ground only, the staff lists'
//! search, filters, sorting and paging, the handling numbers, the case's
//! details and status, the classification plan, and the log in Swedish.

mod support;

use kansli_core::case::{DocumentKind, OfficerReport, Signatory};
use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::{Access, CaseId};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use support::app::*;

fn config() -> kansli_web::Config {
    kansli_web::Config {
        today: Some(jiff::civil::date(2025, 2, 3)),
        ..kansli_web::Config::default()
    }
}

async fn case_id(app: &App, number: &str) -> CaseId {
    app.store
        .case_by_number(app.org, number)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no case {number}"))
        .id
}

/// Registers a handling through the case page's form (multipart, as the
/// browser sends it); gives the flash message of the answer's page.
async fn register_handling(
    app: &App,
    s: &Session,
    case: CaseId,
    fields: &[(&str, &str)],
) -> String {
    let boundary = "kansli-diarium-boundary-51c2";
    let mut body = Vec::new();
    let mut all = vec![("csrf", s.csrf.as_str())];
    all.extend_from_slice(fields);
    for (name, value) in all {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let r = client()
        .post(app.url(&format!("/sekretariat/arenden/{}/handlingar", case.0)))
        .header(COOKIE, format!("kansli_session={}", s.cookie))
        .header(
            CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r
        .headers()
        .get(LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let flash = set_cookie(&r, "kansli_flash").expect("a flash message");
    client()
        .get(app.url(&to))
        .header(
            COOKIE,
            format!("kansli_session={}; kansli_flash={flash}", s.cookie),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn secret_report(case: CaseId) -> OfficerReport {
    OfficerReport {
        case,
        date: jiff::civil::date(2025, 1, 28),
        unit: vec!["Regionkontoret".into()],
        author: Signatory {
            name: "Tjänsteperson".into(),
            title: "Säkerhetschef".into(),
        },
        addressed_to: "Regionstyrelsen".into(),
        title: "DOLT-ÄRENDE om skyddsobjekt".into(),
        draft_decision: Decision::single(Formula::Decides, vec![Clause::new("godkänna planen")]),
        summary: String::new(),
        background: String::new(),
        considerations: String::new(),
        consequences: String::new(),
        economic_consequences: String::new(),
        signatories: vec![],
        attachments: vec![],
        notify: vec![],
    }
}

#[tokio::test]
async fn the_postlista_shows_a_secret_handling_by_its_ground_only() {
    for db in kansli_testsupport::all().await {
        let app = spawn_with(db, config()).await;
        let org = app.org.0;
        let s = app.sign_in("handlaggare").await;
        // A secret handling registered through the form gets its number.
        let avtal = case_id(&app, "RS240123").await;
        let page = register_handling(
            &app,
            &s,
            avtal,
            &[
                ("title", "HEMLIG-RUBRIK om hot mot personal"),
                ("kind", "letter"),
                ("date", "2025-01-28"),
                ("direction", "incoming"),
                ("counterpart", "HEMLIG-AVSÄNDARE Polismyndigheten"),
                ("secret", "ja"),
                ("ground", "18 kap. 1 § OSL"),
            ],
        )
        .await;
        let docs = app.store.documents(avtal).await.unwrap();
        let number = format!("RS240123-{}", docs.last().unwrap().number);
        assert!(
            page.contains(&format!("Handlingen är registrerad som {number}.")),
            "{page}"
        );
        // A case whose matter is secret: even its public handling is
        // shown by number and the matter's ground.
        let mut tx = app.store.begin("user:test").await.unwrap();
        let (hidden_case, hidden_number) = tx
            .register_case(
                app.org,
                "DOLT-ÄRENDE om skyddsobjekt",
                jiff::civil::date(2025, 1, 28),
            )
            .await
            .unwrap();
        tx.add_officer_report_with(
            &secret_report(hidden_case),
            &Access::secret("18 kap. 8 § OSL").unwrap(),
        )
        .await
        .unwrap();
        tx.add_document(
            hidden_case,
            DocumentKind::Letter,
            "DOLD-HANDLING från entreprenören",
            jiff::civil::date(2025, 1, 28),
            &kansli_core::case::Direction::Incoming {
                sender: "DOLD-AVSÄNDARE AB".into(),
            },
            &Access::Public,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let front = app.ok(&format!("/organisationer/{org}")).await;
        assert!(front.contains(&format!("href=\"/organisationer/{org}/postlista\"")));
        let path = format!("/organisationer/{org}/postlista?datum=2025-01-28");
        let page = app.ok(&path).await;
        for shown in [
            "Postlista för Region Halland 2025-01-28",
            "RS240886-1",
            "Sekretess enligt 15 kap. 2 § OSL",
            "RS240886-2",
            "Regionens svar på remissen om nationell samordning (NSPL)",
            "Socialdepartementet",
            "Utgående",
            "Inkommande",
            &number,
            "Sekretess enligt 18 kap. 1 § OSL",
            &format!("{hidden_number}-1"),
            "Sekretess enligt 18 kap. 8 § OSL",
        ] {
            assert!(page.contains(shown), "{shown} missing: {page}");
        }
        for hidden in [
            "Länsstyrelsen",
            "Underlag om regionens beredskapsplanering",
            "HEMLIG-RUBRIK",
            "HEMLIG-AVSÄNDARE",
            "DOLD-HANDLING",
            "DOLD-AVSÄNDARE",
            "DOLT-ÄRENDE",
            &format!("/arenden/{}\"", hidden_case.0),
        ] {
            assert!(!page.contains(hidden), "{hidden} shown: {page}");
        }
        // A public case is linked.
        let nspl = case_id(&app, "RS240886").await;
        assert!(page.contains(&format!("/arenden/{}\"", nspl.0)));
        // Another day has its own list.
        let other = app
            .ok(&format!("/organisationer/{org}/postlista?datum=2025-01-27"))
            .await;
        assert!(
            other.contains("Inga handlingar registrerades 2025-01-27."),
            "{other}"
        );
        assert!(!other.contains("RS240886-1"));
        // A day that is no date is said so, with what was typed.
        let (status, bad) = app
            .get(&format!("/organisationer/{org}/postlista?datum=ig%C3%A5r"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(bad.contains("«igår» är inget datum"), "{bad}");
        assert!(bad.contains("value=\"igår\""), "{bad}");

        // The API says the same.
        let (status, json) = app
            .get(&format!(
                "/api/v1/organisations/{org}/postlista?date=2025-01-28"
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{json}");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let entries = v["entries"].as_array().unwrap();
        let secret = entries
            .iter()
            .find(|e| e["number"] == "RS240886-1")
            .unwrap();
        assert_eq!(secret["secrecy"], "Sekretess enligt 15 kap. 2 § OSL");
        assert_eq!(secret["direction"], "incoming");
        for field in ["title", "case_title", "counterpart", "kind_label"] {
            assert!(secret[field].is_null(), "{field}: {secret}");
        }
        let public = entries
            .iter()
            .find(|e| e["number"] == "RS240886-2")
            .unwrap();
        assert_eq!(public["counterpart"], "Socialdepartementet");
        assert!(public["secrecy"].is_null());
        for hidden in ["Länsstyrelsen", "HEMLIG", "DOLD"] {
            assert!(!json.contains(hidden), "{hidden} in {json}");
        }
        let (status, bad) = app
            .get(&format!(
                "/api/v1/organisations/{org}/postlista?date=2025-02-30"
            ))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            bad.contains("Parametern date: «2025-02-30» är inget datum"),
            "{bad}"
        );
        // An empty date is no date either (only leaving it out means today).
        let (status, bad) = app
            .get(&format!("/api/v1/organisations/{org}/postlista?date="))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        let openapi = app.ok("/api/openapi.json").await;
        assert!(openapi.contains("/api/v1/organisations/{id}/postlista"));
        assert!(openapi.contains("PostlistaView"));

        // And the feed, of the last two weeks (today is 2025-02-03).
        let r = client()
            .get(app.url(&format!("/organisationer/{org}/postlista.atom")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()[CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/atom+xml")
        );
        let atom = r.text().await.unwrap();
        assert!(
            atom.contains("RS240886-1 Inkommande: Sekretess enligt 15 kap. 2 § OSL"),
            "{atom}"
        );
        assert!(
            atom.contains("RS240886-2 Utgående: Regionens svar på remissen"),
            "{atom}"
        );
        assert!(atom.contains("Till Socialdepartementet."), "{atom}");
        for hidden in ["Länsstyrelsen", "HEMLIG", "DOLD"] {
            assert!(!atom.contains(hidden), "{hidden} in the feed");
        }
    }
}

#[tokio::test]
async fn the_staff_lists_search_filter_sort_and_page() {
    for db in kansli_testsupport::all().await {
        let app = spawn_with(db, config()).await;
        let org = app.org.0;
        let s = app.sign_in("handlaggare").await;
        let list = |query: &str| format!("/sekretariat/organisationer/{org}/arenden{query}");
        let closed = app.staff_text(&s, &list("?status=closed")).await;
        assert!(
            closed.contains("RS250028") && closed.contains("RS241266"),
            "{closed}"
        );
        assert!(!closed.contains(">RS231470<"));
        assert!(closed.contains("Visar 1–2 av 2."), "{closed}");
        let dormant = app.staff_text(&s, &list("?status=dormant")).await;
        assert!(dormant.contains(">RS240886<") && dormant.contains("Vilande"));
        assert!(dormant.contains("Visar 1–1 av 1."));
        // By handläggare: the KAST report's author.
        let kast = app
            .store
            .case_by_number(app.org, "RS231470")
            .await
            .unwrap()
            .unwrap();
        let officer = kast.officer.unwrap().0;
        let mine = app
            .staff_text(&s, &list(&format!("?handlaggare={officer}")))
            .await;
        assert!(
            mine.contains(">RS231470<") && mine.contains("Amina Boulaabi"),
            "{mine}"
        );
        assert!(mine.contains("Visar 1–1 av 1."));
        // By a handling's number, and by text.
        let by_number = app.staff_text(&s, &list("?q=RS231470-2")).await;
        assert!(by_number.contains(">RS231470<") && by_number.contains("Visar 1–1 av 1."));
        let by_text = app.staff_text(&s, &list("?q=h%C3%A4lso")).await;
        assert!(by_text.contains(">RS240886<"), "{by_text}");
        // By registration date, both ends included.
        let dated = app
            .staff_text(&s, &list("?fran=2023-12-04&till=2023-12-04"))
            .await;
        assert!(dated.contains(">RS231469<") && dated.contains(">RS231470<"));
        assert!(dated.contains("Visar 1–2 av 2."));
        // A date that is no date is said so and kept; the rest still works.
        let bad = app
            .staff_text(&s, &list("?fran=2025-13-01&status=closed"))
            .await;
        assert!(bad.contains("«2025-13-01» är inget datum"), "{bad}");
        assert!(bad.contains("value=\"2025-13-01\""));
        assert!(bad.contains("Visar 1–2 av 2."));

        // Paging and sorting, the query kept in the links.
        let mut tx = app.store.begin("user:test").await.unwrap();
        for n in 1..=30 {
            tx.register_case(
                app.org,
                &format!("Sidärende {n:02}"),
                jiff::civil::date(2025, 2, 1),
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let first = app
            .staff_text(
                &s,
                &list("?q=sid%C3%A4rende&sortera=rubrik&ordning=fallande"),
            )
            .await;
        assert!(first.contains("Visar 1–25 av 30, sida 1 av 2."), "{first}");
        let newest = first.find("Sidärende 30").unwrap();
        assert!(
            newest < first.find("Sidärende 29").unwrap(),
            "sorted by title, falling"
        );
        assert!(!first.contains("Sidärende 05"));
        assert!(first.contains("aria-sort=\"descending\""));
        let next = "?q=sid%C3%A4rende&#38;sortera=rubrik&#38;ordning=fallande&#38;sida=2";
        assert!(first.contains(next), "{first}");
        let second = app.staff_text(&s, &list(&next.replace("&#38;", "&"))).await;
        assert!(
            second.contains("Visar 26–30 av 30, sida 2 av 2."),
            "{second}"
        );
        assert!(second.contains("Sidärende 01") && !second.contains("Sidärende 06"));
        assert!(second.contains("rel=\"prev\""));

        // The handlingar: staff see the secret one in full.
        let docs = app
            .staff_text(
                &s,
                &format!("/sekretariat/organisationer/{org}/handlingar?q=l%C3%A4nsstyrelsen"),
            )
            .await;
        for shown in [
            "RS240886-1",
            "Länsstyrelsen i Hallands län",
            "15 kap. 2 § OSL",
            "Visar 1–1 av 1.",
        ] {
            assert!(docs.contains(shown), "{shown}: {docs}");
        }
        let day = app
            .staff_text(
                &s,
                &format!("/sekretariat/organisationer/{org}/handlingar?fran=2025-01-28&till=2025-01-28&sortera=nummer"),
            )
            .await;
        let one = day.find("RS240886-1").unwrap();
        assert!(one < day.find("RS240886-2").unwrap());
        // Not for a member.
        let member = app.sign_in("ledamot").await;
        let (status, _) = app.staff(&member, &list("")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app
            .staff(
                &member,
                &format!("/sekretariat/organisationer/{org}/handlingar"),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_case_gets_its_details_and_status_and_the_log_reads_in_swedish() {
    for db in kansli_testsupport::all().await {
        let app = spawn_with(db, config()).await;
        let s = app.sign_in("handlaggare").await;
        let case = case_id(&app, "RS240123").await;
        let page_path = format!("/sekretariat/arenden/{}", case.0);
        let details = format!("/sekretariat/arenden/{}/uppgifter", case.0);
        let page = app
            .submit(
                &s,
                &details,
                &[
                    ("handlaggare", ""),
                    ("ny_handlaggare", "Karin Ek"),
                    ("arendetyp", "Avtal"),
                    ("klassificering", "3.1"),
                ],
            )
            .await;
        assert!(page.contains("Ärendets uppgifter är sparade."), "{page}");
        assert!(page.contains("Karin Ek"));
        assert!(page.contains("3.1 Kollektivtrafik och infrastruktur"));
        // Sent again: nothing changes, and no second Karin Ek.
        let again = app
            .submit(
                &s,
                &details,
                &[
                    ("ny_handlaggare", "Karin Ek"),
                    ("arendetyp", "Avtal"),
                    ("klassificering", "3.1"),
                ],
            )
            .await;
        assert!(again.contains("Inget ändrades"), "{again}");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM persons WHERE name = 'Karin Ek'")
                .await,
            1
        );
        // A code outside the plan is refused, what was typed kept.
        let refused = app
            .submit(
                &s,
                &details,
                &[("arendetyp", "Avtalsärende"), ("klassificering", "9.9")],
            )
            .await;
        assert!(
            refused.contains("koden 9.9 finns inte i organisationens klassificeringsstruktur"),
            "{refused}"
        );
        assert!(refused.contains("value=\"Avtalsärende\""));
        assert_eq!(
            app.store.case(case).await.unwrap().case_type.as_deref(),
            Some("Avtal")
        );

        // Status: the edges of closing.
        let status = format!("/sekretariat/arenden/{}/status", case.0);
        let early = app
            .submit(
                &s,
                &status,
                &[
                    ("atgard", "avsluta"),
                    ("datum", "2023-12-31"),
                    ("hur", "written_off"),
                ],
            )
            .await;
        assert!(
            early.contains("avslutsdatumet 2023-12-31 är före registreringsdatumet 2024-01-02"),
            "{early}"
        );
        assert!(early.contains("value=\"2023-12-31\""));
        let ahead = app
            .submit(
                &s,
                &status,
                &[
                    ("atgard", "avsluta"),
                    ("datum", "2025-02-04"),
                    ("hur", "written_off"),
                ],
            )
            .await;
        assert!(
            ahead.contains("har inte kommit ännu (i dag är 2025-02-03)"),
            "{ahead}"
        );
        let closed = app
            .submit(
                &s,
                &status,
                &[
                    ("atgard", "avsluta"),
                    ("datum", "2025-01-30"),
                    ("hur", "written_off"),
                ],
            )
            .await;
        assert!(closed.contains("Ärendet är nu avslutat."), "{closed}");
        assert!(
            closed.contains("avslutat 2025-01-30 (avskrivet)"),
            "{closed}"
        );
        let twice = app
            .submit(
                &s,
                &status,
                &[
                    ("atgard", "avsluta"),
                    ("datum", "2025-01-30"),
                    ("hur", "written_off"),
                ],
            )
            .await;
        assert!(
            twice.contains("ärendet avslutades redan 2025-01-30"),
            "{twice}"
        );
        let reopened = app.submit(&s, &status, &[("atgard", "oppna")]).await;
        assert!(reopened.contains("Ärendet är nu öppet."), "{reopened}");

        // The log: sentences, the user's name, Swedish local time, fields.
        let page = app.staff_text(&s, &page_path).await;
        let log = &page[page.find("id=\"historik\"").unwrap()..];
        for shown in [
            "Tid (svensk tid)",
            "Registrerade ärendet",
            "Ändrade ärendets handläggare, ärendetyp eller klassificering",
            "Ändrade ärendets status",
            "Handläggaren (demo)",
            "<dt>Handläggare</dt><dd>Karin Ek</dd>",
            "<dt>Hur</dt><dd>Avskrivet</dd>",
            "<dt>Status</dt><dd>Avslutat</dd>",
            "Demodata",
        ] {
            assert!(log.contains(shown), "{shown}: {log}");
        }
        for raw in [
            "{&quot;",
            "{\"",
            "user:handlaggare",
            "written_off",
            "T1",
            "Z<",
        ] {
            assert!(!log.contains(raw), "{raw} in the log: {log}");
        }
        let at: String = sqlx::query_scalar(
            "SELECT at FROM audit_log WHERE entity = 'case' AND action = 'case_status' ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        let local = at
            .parse::<jiff::Timestamp>()
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap())
            .strftime("%Y-%m-%d %H:%M")
            .to_string();
        assert!(log.contains(&format!("<td>{local}</td>")), "{local}: {log}");

        // The meeting's log reads the same way.
        let secretary = app.sign_in("sekreterare").await;
        let meeting = app
            .meeting("Regionstyrelsens arbetsutskott", "2025-01-28")
            .await;
        let mpage = app
            .staff_text(
                &secretary,
                &format!("/sekretariat/sammantraden/{}", meeting.0),
            )
            .await;
        assert!(mpage.contains("Tid (svensk tid)"));
        assert!(mpage.contains("Lade till sammanträdet"), "{mpage}");
        assert!(!mpage.contains("system:demo"));
    }
}

#[tokio::test]
async fn the_administrator_keeps_the_classification_plan() {
    let app = spawn_with(kansli_testsupport::sqlite(), config()).await;
    let org = app.org.0;
    let path = format!("/sekretariat/organisationer/{org}/klassificering");
    let admin = app.sign_in("admin").await;
    let page = app.staff_text(&admin, &path).await;
    assert!(page.contains("1.3") && page.contains("Motioner och medborgarförslag"));
    let added = app
        .submit(
            &admin,
            &path,
            &[("code", "5.1"), ("title", "Digitalisering")],
        )
        .await;
    assert!(
        added.contains("Koden 5.1 Digitalisering finns nu i klassificeringsstrukturen."),
        "{added}"
    );
    let bad = app
        .submit(&admin, &path, &[("code", "5..1"), ("title", "Fel")])
        .await;
    assert!(bad.contains("«5..1» är ingen kod"), "{bad}");
    assert!(bad.contains("value=\"Fel\""));
    // A code in use stays; one not in use goes.
    let remove = format!("{path}/ta-bort");
    let used = app.submit(&admin, &remove, &[("code", "1.3")]).await;
    assert!(used.contains("koden 1.3 används av ärende"), "{used}");
    let gone = app.submit(&admin, &remove, &[("code", "5.1")]).await;
    assert!(gone.contains("Koden 5.1 är borttagen."), "{gone}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM classification_codes WHERE organisation_id = {org} AND code = '5.1'"
        ))
        .await,
        0
    );
    // Only for the administrator.
    let officer = app.sign_in("handlaggare").await;
    let (status, _) = app.staff(&officer, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The diarium's pages in headless Chromium: reached by links, checked by
/// the page checks (one h1, labels, no overflow) and axe-core.
#[tokio::test]
async fn the_diarium_pages_pass_axe_core_in_the_browser() {
    use support::browser::*;
    let Some(axe) = axe_source() else { return };
    let Some(b) = start_at("2025-02-03").await else {
        return;
    };
    let check = async |b: &Browser| {
        b.check_page().await;
        b.axe(&axe).await;
    };
    b.goto("/organisationer/1/postlista?datum=2025-01-28").await;
    let text = b.main_text().await;
    assert!(text.contains("Sekretess enligt 15 kap. 2 § OSL"), "{text}");
    assert!(!text.contains("Länsstyrelsen"), "{text}");
    check(&b).await;
    b.sign_in("handlaggare").await;
    b.goto("/sekretariat/organisationer/1/arenden?status=closed")
        .await;
    check(&b).await;
    b.follow("RS250028").await;
    let text = b.main_text().await;
    assert!(text.contains("Avslutat"), "{text}");
    check(&b).await;
    b.goto("/sekretariat/organisationer/1/handlingar?q=RS240886")
        .await;
    check(&b).await;
    b.sign_in("admin").await;
    b.goto("/sekretariat/organisationer/1/klassificering").await;
    check(&b).await;
}
