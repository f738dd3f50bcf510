//! The member's start page and förhinder over the real server, on SQLite
//! and PostgreSQL: coming meetings with the kallelse and the documents of
//! their body's items once it is issued, secret ones for the body's members
//! and refused to a member of another body; förhinder reported, reported
//! twice, withdrawn and refused where the law or the meeting says no; the
//! substitute proposed in the serving order, called in only in that order;
//! the notification preferences.

mod members_setup;
mod support;

use members_setup::*;
use reqwest::StatusCode;
use support::app::*;

fn config() -> kansli_web::Config {
    kansli_web::Config {
        today: Some(jiff::civil::date(2025, 2, 1)),
        ..kansli_web::Config::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_page_shows_the_documents_secret_ones_to_the_bodys_members_only() {
    for db in kansli_testsupport::all().await {
        let label = db.label;
        let app = spawn_with(db, config()).await;
        let f = prepare(&app.store, app.org).await;
        let m = f.meeting.0;
        let member = app.sign_in("ledamot").await;
        let other = app.sign_in("lindahl").await;
        let secretary = app.sign_in("sekreterare").await;
        let secret = format!(
            "/sekretariat/sammantraden/{m}/handlingar/{}",
            f.secret_file.0
        );
        let public = format!(
            "/sekretariat/sammantraden/{m}/handlingar/{}",
            f.public_file.0
        );

        // The start page links the member's page.
        let start = app.staff_text(&member, "/sekretariat").await;
        assert!(start.contains("href=\"/sekretariat/ledamot\""), "{label}");

        // Before the kallelse: the meeting, no documents.
        let page = app.staff_text(&member, "/sekretariat/ledamot").await;
        assert!(
            page.contains("Regionstyrelsen (Region Halland) 2025-02-26"),
            "{label}: {page}"
        );
        assert!(page.contains("Kallelsen är inte utfärdad än"), "{label}");
        assert!(!page.contains(SECRET_DOC), "{label}");
        let (status, _) = app.staff(&member, &public).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}");
        // A past meeting is not "coming".
        assert!(!page.contains("2025-01-28"), "{label}");

        app.submit(
            &secretary,
            &format!("/sekretariat/sammantraden/{m}/kallelse"),
            &[],
        )
        .await;
        let page = app.staff_text(&member, "/sekretariat/ledamot").await;
        assert!(
            page.contains(&format!("/sammantraden/{m}/dokument/kallelse.pdf")),
            "{label}"
        );
        assert!(page.contains(SECRET_DOC), "{label}: {page}");
        assert!(page.contains("Verksamhetsplan 2025"), "{label}");
        // The beslutsförslag of a case on the agenda, and it opens.
        let report = page
            .split("href=\"")
            .filter_map(|x| x.split('"').next())
            .find(|h| h.ends_with("/beslutsforslag.pdf"))
            .unwrap_or_else(|| panic!("{label}: no beslutsförslag in {page}"))
            .to_string();
        let (status, _) = app.get(&report).await;
        assert_eq!(status, StatusCode::OK, "{label}: {report}");
        assert!(
            page.contains(&format!("sekretess enligt {SECRET_GROUND}")),
            "{label}"
        );
        // The member reads the secret item's title as a member of the body.
        assert!(page.contains(SECRET_TITLE), "{label}");
        let (status, body) = app.staff(&member, &secret).await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert!(body.contains("%HEMLIG"));

        // A member of regionfullmäktige only: not this meeting, not its files.
        let page = app.staff_text(&other, "/sekretariat/ledamot").await;
        assert!(
            !page.contains("2025-02-26") && !page.contains(SECRET_DOC),
            "{label}: {page}"
        );
        assert!(
            page.contains("Regionfullmäktige (Region Halland) 2025-04-29"),
            "{label}"
        );
        let (status, body) = app.staff(&other, &secret).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{label}: {body}");
        // Nor through a meeting of his own body: the file is not on its agenda.
        let rf = app.meeting("Regionfullmäktige", "2025-04-29").await;
        app.submit(
            &secretary,
            &format!("/sekretariat/sammantraden/{}/kallelse", rf.0),
            &[],
        )
        .await;
        let (status, body) = app
            .staff(
                &other,
                &format!(
                    "/sekretariat/sammantraden/{}/handlingar/{}",
                    rf.0, f.secret_file.0
                ),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{label}: {body}");
        // The public: never.
        let (status, _) = app.get(&secret).await;
        assert!(
            status == StatusCode::SEE_OTHER
                || status == StatusCode::FORBIDDEN
                || status == StatusCode::UNAUTHORIZED,
            "{label}: {status}"
        );
        let (status, _) = app.get(&format!("/filer/{}", f.secret_file.0)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{label}");

        // A user who is no member: said so.
        let officer = app.sign_in("handlaggare").await;
        let page = app.staff_text(&officer, "/sekretariat/ledamot").await;
        assert!(page.contains("inte kopplat till en ledamot"), "{label}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forhinder_is_reported_once_withdrawn_and_the_substitute_called_in_order() {
    for db in kansli_testsupport::all().await {
        let label = db.label;
        let app = spawn_with(db, config()).await;
        let f = prepare(&app.store, app.org).await;
        let m = f.meeting.0;
        let report = format!("/sekretariat/sammantraden/{m}/forhinder");
        let member = app.sign_in("ledamot").await;
        let secretary = app.sign_in("sekreterare").await;

        // Reported, then reported again: one förhinder.
        for _ in 0..2 {
            let page = app
                .submit(&member, &report, &[("item", "hela"), ("reason", "Sjuk")])
                .await;
            assert!(
                page.contains("Förhindret är anmält till Regionstyrelsen den 2025-02-26"),
                "{label}: {page}"
            );
            assert!(page.contains("Förhinder för hela sammanträdet"), "{label}");
        }
        assert_eq!(
            app.count("SELECT COUNT(*) FROM absences").await,
            1,
            "{label}"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'absence'")
                .await,
            1,
            "{label}"
        );
        // An item that is not on the agenda: refused, the reason kept.
        let page = app
            .submit(
                &member,
                &report,
                &[("item", "99"), ("reason", "Jäv i ärendet")],
            )
            .await;
        assert!(
            page.contains("ärende 100 finns inte på föredragningslistan"),
            "{label}: {page}"
        );
        assert!(
            page.contains("value=\"Jäv i ärendet\""),
            "{label}: the typed text kept"
        );

        // The secretary sees it with the first S substitute proposed.
        let page = app.staff_text(&secretary, &report).await;
        assert!(
            page.contains("<strong>Per Persson (S)</strong>: hela sammanträdet (Sjuk)"),
            "{label}: {page}"
        );
        assert!(page.contains("Kalla in Anna Andersson (S)"), "{label}");
        assert!(!page.contains("Kalla in Bo Berg"), "{label}");
        let absence: i64 = sqlx::query_scalar("SELECT id FROM absences")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        let call = format!("/sekretariat/sammantraden/{m}/forhinder/kalla");
        // Out of order: refused, naming who comes first.
        let page = app
            .submit(
                &secretary,
                &call,
                &[
                    ("absence", &absence.to_string()),
                    ("substitute", &f.bo.0.to_string()),
                ],
            )
            .await;
        assert!(
            page.contains("Anna Andersson (S) står före Bo Berg (S) i tjänstgöringsordningen för Per Persson (S)"),
            "{label}: {page}"
        );
        assert_eq!(app.count("SELECT COUNT(*) FROM substitute_calls").await, 0);
        // A member may not call anyone in.
        let r = app
            .post(
                &member,
                &call,
                &[
                    ("absence", &absence.to_string()),
                    ("substitute", &f.anna.0.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{label}");
        // In order, twice: one call.
        for _ in 0..2 {
            let page = app
                .submit(
                    &secretary,
                    &call,
                    &[
                        ("absence", &absence.to_string()),
                        ("substitute", &f.anna.0.to_string()),
                    ],
                )
                .await;
            assert!(
                page.contains("Anna Andersson (S) är inkallad att tjänstgöra för Per Persson (S)."),
                "{label}: {page}"
            );
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM substitute_calls").await, 1);
        let page = app.staff_text(&secretary, &report).await;
        assert!(
            page.contains("Inkallad: Anna Andersson (S), inkallad 20"),
            "{label}: {page}"
        );

        // The substitute sees that she is called in; the member who it is.
        let anna = app.sign_in("anna").await;
        let page = app.staff_text(&anna, "/sekretariat/ledamot").await;
        assert!(
            page.contains("Du är inkallad att tjänstgöra för Per Persson (S)."),
            "{label}: {page}"
        );
        assert!(page.contains("Du är ersättare"), "{label}");
        let page = app.staff_text(&member, "/sekretariat/ledamot").await;
        assert!(
            page.contains("Anna Andersson (S) är inkallad i ditt ställe."),
            "{label}"
        );

        // Someone else's förhinder cannot be withdrawn by a member.
        let chair = app.sign_in("ordforande").await;
        let withdraw = format!("/sekretariat/sammantraden/{m}/forhinder/aterkalla");
        let page = app
            .submit(&chair, &withdraw, &[("absence", &absence.to_string())])
            .await;
        assert!(
            page.contains("du kan bara återkalla ditt eget förhinder"),
            "{label}: {page}"
        );
        // Withdrawn by the member: the call ends with it.
        let page = app
            .submit(&member, &withdraw, &[("absence", &absence.to_string())])
            .await;
        assert!(
            page.contains("inkallelsen av ersättaren gäller inte längre"),
            "{label}: {page}"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM substitute_calls WHERE cancelled_at IS NULL")
                .await,
            0
        );
        assert!(page.contains("Du har inte anmält förhinder."), "{label}");

        // The secretary reports for a member by telephone; not for a
        // stranger.
        let page = app
            .submit(
                &secretary,
                &report,
                &[
                    ("person", &f.mikaela.0.to_string()),
                    ("item", "hela"),
                    ("back", "sekretariat"),
                ],
            )
            .await;
        assert!(
            page.contains("Kalla in Cecilia Carlsson (M)"),
            "{label}: {page}"
        );
        let stranger = app
            .count("SELECT id FROM persons WHERE name = 'Johan Lindahl'")
            .await;
        let page = app
            .submit(
                &secretary,
                &report,
                &[
                    ("person", &stranger.to_string()),
                    ("item", "hela"),
                    ("back", "sekretariat"),
                ],
            )
            .await;
        assert!(
            page.contains("är inte ledamot eller ersättare i organet den 2025-02-26"),
            "{label}: {page}"
        );
        // A member may not report for another.
        let page = app
            .submit(
                &member,
                &report,
                &[("person", &f.mikaela.0.to_string()), ("item", "hela")],
            )
            .await;
        assert!(
            page.contains("bara organets sekreterare"),
            "{label}: {page}"
        );

        // Once the meeting has begun: no more förhinder on the page.
        app.submit(
            &secretary,
            &format!("/sekretariat/sammantraden/{m}/mote"),
            &[("command", "arrive"), ("person", &f.per.0.to_string())],
        )
        .await;
        let page = app.submit(&member, &report, &[("item", "hela")]).await;
        assert!(
            page.contains("sammanträdet har redan börjat"),
            "{label}: {page}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_user_chooses_their_address_and_what_they_get() {
    let app = spawn_with(kansli_testsupport::sqlite(), config()).await;
    let member = app.sign_in("ledamot").await;
    let page = app.staff_text(&member, "/sekretariat/aviseringar").await;
    assert!(page.contains("value=\"ledamot@example.se\""), "{page}");
    assert_eq!(
        page.matches(" checked>").count(),
        3,
        "everything wanted at first"
    );
    // A bad address: refused, typed text kept, nothing changed.
    let page = app
        .submit(
            &member,
            "/sekretariat/aviseringar",
            &[("email", "per at halland"), ("wanted", "kallelse")],
        )
        .await;
    assert!(
        page.contains("«per at halland» är ingen e-postadress"),
        "{page}"
    );
    assert!(page.contains("value=\"per at halland\""), "{page}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notification_choices").await,
        0
    );
    let page = app
        .submit(
            &member,
            "/sekretariat/aviseringar",
            &[("email", "per@halland.se"), ("wanted", "justering")],
        )
        .await;
    assert!(page.contains("Sparat."), "{page}");
    assert!(page.contains("value=\"per@halland.se\""), "{page}");
    assert_eq!(page.matches(" checked>").count(), 1, "{page}");
    let page = app
        .submit(
            &member,
            "/sekretariat/aviseringar",
            &[("email", ""), ("wanted", "nonsens")],
        )
        .await;
    assert!(page.contains("okänt val «nonsens»"), "{page}");
    // Signed out: no page.
    let (status, _) = app.get("/sekretariat/aviseringar").await;
    assert_ne!(status, StatusCode::OK);
}
