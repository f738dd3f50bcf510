//! The meeting screen over HTTP (#18): what it offers at each step, the
//! corrections (a ballot before the count, a yrkande before it is put, an
//! item reopened), the confirmations, and the state rules (no opening before
//! the meeting's date, no attendance after it closes), on SQLite and
//! PostgreSQL.

mod support;

use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::meeting::{AgendaItem, ItemKind, MeetingStatus};
use kansli_core::{Access, MeetingId};
use support::app::*;

const TODAY: (i16, i8, i8) = (2025, 5, 6);

fn day(d: i8) -> jiff::civil::Date {
    jiff::civil::date(TODAY.0, TODAY.1, d)
}

/// A meeting of the arbetsutskott on `date` with a motion's answer (its
/// officer's report proposing to reject it) and an information item.
async fn planned(app: &App, date: jiff::civil::Date) -> MeetingId {
    let rsau = app.body("Regionstyrelsens arbetsutskott").await;
    let mut tx = app.store.begin("user:test").await.unwrap();
    let meeting = tx
        .plan_meeting(rsau, date, None, "Regionens hus")
        .await
        .unwrap();
    let (case, _) = tx
        .register_case(app.org, "Motion om nattbussar", day(2))
        .await
        .unwrap();
    tx.add_officer_report(&kansli_core::case::OfficerReport {
        case,
        date: day(2),
        unit: vec!["Regionkontoret".into()],
        author: kansli_core::case::Signatory {
            name: "Anna Handläggare".into(),
            title: "utredare".into(),
        },
        addressed_to: "Regionstyrelsens arbetsutskott".into(),
        title: "Svar på motion om nattbussar".into(),
        draft_decision: Decision::single(
            Formula::Decides,
            vec![Clause::new("avslå motionen om nattbussar")],
        ),
        summary: "Motionären vill ha nattbussar.".into(),
        background: String::new(),
        considerations: String::new(),
        consequences: String::new(),
        economic_consequences: String::new(),
        signatories: vec![],
        attachments: vec![],
        notify: vec![],
    })
    .await
    .unwrap();
    tx.set_agenda(
        meeting,
        &[
            AgendaItem {
                title: "Svar på motion om nattbussar".into(),
                case: Some(case),
                kind: ItemKind::Decision,
                access: Access::Public,
                basis: vec![],
                paragraph: None,
                presenter: None,
            },
            AgendaItem {
                title: "Information om trafikläget".into(),
                case: None,
                kind: ItemKind::Information,
                access: Access::Public,
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
    meeting
}

/// The person id of a roster member by name, as the forms send it.
async fn id_of(app: &App, meeting: MeetingId, name: &str) -> String {
    app.store
        .proceedings(meeting)
        .await
        .unwrap()
        .setting()
        .roster
        .iter()
        .find(|s| s.person.name == name)
        .unwrap_or_else(|| panic!("{name} is not on the roster"))
        .person
        .id
        .0
        .to_string()
}

fn refused(page: &str) -> bool {
    page.contains("Inte genomfört")
}

/// The part of the page for the open item.
fn current(page: &str) -> &str {
    let at = page
        .find("id=\"aktuellt\"")
        .expect("the open item's section");
    let end = page[at..].find("</section>").unwrap();
    &page[at..at + end]
}

#[tokio::test]
async fn the_screen_runs_a_meeting_with_corrections_and_confirmations() {
    for db in kansli_testsupport::all().await {
        let config = kansli_web::Config {
            today: Some(day(TODAY.2)),
            ..kansli_web::Config::default()
        };
        let app = spawn_with(db, config).await;
        let meeting = planned(&app, day(TODAY.2)).await;
        let s = app.sign_in("sekreterare").await;
        let path = format!("/sekretariat/sammantraden/{}/mote", meeting.0);
        let events = format!(
            "SELECT COUNT(*) FROM meeting_events WHERE meeting_id = {}",
            meeting.0
        );
        let step = |form: Vec<(&'static str, String)>| {
            let (app, s, path) = (&app, &s, &path);
            async move {
                let fields: Vec<(&str, &str)> =
                    form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.submit(s, path, &fields).await
            }
        };
        let cmd = |c: &str| ("command", c.to_string());
        let w = id_of(&app, meeting, "Mikaela Waltersson").await;
        let a = id_of(&app, meeting, "Helene Andersson").await;
        let bo = id_of(&app, meeting, "Lise-Lotte Bensköld Olsson").await;
        let c = id_of(&app, meeting, "My Clingston").await;
        let pe = id_of(&app, meeting, "Per Persson").await;

        // Everyone in one click, then the meeting opens on its day.
        let page = app.staff_text(&s, &path).await;
        assert!(
            page.contains("<section id=\"narvaro\""),
            "one attendance section"
        );
        assert!(page.contains("Alla ledamöter närvarande"));
        let page = step(vec![cmd("arrive_all")]).await;
        assert!(!refused(&page), "{page}");
        assert!(page.contains("Antecknat (5 st)."), "{page}");
        assert_eq!(app.count(&events).await, 5);
        assert!(!page.contains("Alla ledamöter närvarande"));
        let page = step(vec![cmd("open"), ("at", "13:00".into())]).await;
        assert!(page.contains("<strong id=\"fas\">pågår</strong>"), "{page}");

        // The förslag till beslut is shown while the item is handled.
        let page = step(vec![cmd("take_up"), ("item", "0".into())]).await;
        // Numbering runs per body and year: the next free number.
        let paragraph = app
            .store
            .proceedings(meeting)
            .await
            .unwrap()
            .open_paragraph()
            .unwrap();
        let open = current(&page);
        assert!(open.contains("Förslag till beslut"), "{open}");
        assert!(
            open.contains("– att avslå motionen om nattbussar"),
            "{open}"
        );
        // Before any yrkande: no proposition to put, the item may be
        // decided on the draft, jäv may be declared.
        assert!(!open.contains("value=\"put\""), "{open}");
        assert!(open.contains("value=\"decide\""), "{open}");
        assert!(open.contains("Anmäl jäv"), "{open}");
        assert!(
            open.contains("<option value=\"\">Välj typ</option>"),
            "{open}"
        );

        step(vec![
            cmd("move"),
            ("movers", w.clone()),
            ("kind", "bifall".into()),
            ("text", "bifall till förslaget".into()),
        ])
        .await;
        let page = step(vec![
            cmd("move"),
            ("movers", bo.clone()),
            ("kind", "andring".into()),
            ("text", "bifall till motionen".into()),
            ("clauses", "bifalla motionen om nattbussar".into()),
        ])
        .await;
        let open = current(&page);
        // Numbered from 1, told apart by mover and text.
        assert!(
            open.contains("Yrkande 1 (Mikaela Waltersson (M)): bifall till förslaget"),
            "{open}"
        );
        assert!(
            open.contains("Yrkande 2 (Lise-Lotte Bensköld Olsson (S)): bifall till motionen"),
            "{open}"
        );
        // The chair's proposition points at nothing until chosen.
        let put = &open[open.find("value=\"put\"").unwrap()..];
        let put = &put[..put.find("</form>").unwrap()];
        assert!(put.contains("type=\"radio\" name=\"found_for\""), "{put}");
        assert!(!put.contains("checked"), "a default finding: {put}");
        assert!(
            !open.contains("value=\"decide\""),
            "decided before the proposition"
        );

        // A yrkande corrected before it is put: another mover joins.
        let page = step(vec![
            cmd("amend"),
            ("proposal", "1".into()),
            ("movers", bo.clone()),
            ("movers", pe.clone()),
            ("text", "bifall till motionen i sin helhet".into()),
            ("clauses", "bifalla motionen om nattbussar".into()),
        ])
        .await;
        assert!(!refused(&page), "{page}");
        assert!(
            current(&page).contains(
                "Yrkande 2 (Lise-Lotte Bensköld Olsson (S) och Per Persson (S)): bifall till motionen i sin helhet"
            ),
            "{page}"
        );
        // Nothing chosen: refused with the reason, nothing recorded.
        let before = app.count(&events).await;
        let page = step(vec![cmd("put"), ("put", "0".into()), ("put", "1".into())]).await;
        assert!(page.contains("välj vad ordföranden finner"), "{page}");
        assert_eq!(app.count(&events).await, before);
        let page = step(vec![
            cmd("put"),
            ("put", "0".into()),
            ("put", "1".into()),
            ("found_for", "0".into()),
        ])
        .await;
        let open = current(&page);
        assert!(open.contains("ordföranden har funnit"), "{open}");
        // Put: no longer corrected or withdrawn, no new yrkande, no second
        // proposition; a vote may be requested, or the item decided.
        assert!(!open.contains("Rätta yrkande"), "{open}");
        assert!(!open.contains("Återta yrkande"), "{open}");
        assert!(!open.contains("Nytt yrkande"), "{open}");
        assert!(!open.contains("value=\"put\""), "{open}");
        assert!(open.contains("Votering begärs av"), "{open}");
        assert!(
            open.contains("<option value=\"\">Välj ledamot</option>"),
            "{open}"
        );
        let page = step(vec![
            cmd("amend"),
            ("proposal", "1".into()),
            ("movers", bo.clone()),
            ("text", "något annat".into()),
        ])
        .await;
        assert!(
            page.contains("har ställt proposition på yrkandet"),
            "{page}"
        );

        let page = step(vec![cmd("request_vote"), ("person", pe.clone())]).await;
        let open = current(&page);
        assert!(!open.contains("value=\"decide\""), "{open}");
        assert!(open.contains("Voteringsproposition"), "{open}");
        let order = &open[open.find("value=\"voting_order\"").unwrap()..];
        let order = &order[..order.find("</form>").unwrap()];
        assert!(
            !order.contains("checked"),
            "a default voting order: {order}"
        );
        assert!(
            order.contains("Ja-röst för Yrkande 1 (Mikaela Waltersson (M)): bifall till förslaget; nej-röst för Yrkande 2"),
            "{order}"
        );
        let page = step(vec![cmd("voting_order"), ("order", "0:1".into())]).await;
        let open = current(&page);
        assert!(open.contains("Upprop"), "{open}");
        assert!(
            !open.contains("Räkna rösterna"),
            "counted before everyone voted"
        );

        // The roll call in one form; then one ballot corrected by its own
        // button before the count.
        let page = step(vec![
            cmd("roll_call"),
            ("votes", format!("{w}:ja")),
            ("votes", format!("{a}:ja")),
            ("votes", format!("{bo}:nej")),
            ("votes", format!("{c}:ja")),
            ("votes", format!("{pe}:nej")),
        ])
        .await;
        assert!(page.contains("Antecknat (5 st)."), "{page}");
        assert!(
            page.contains(&format!("<option value=\"{c}:ja\" selected>")),
            "the recorded ballot is shown in the form"
        );
        let page = step(vec![cmd("roll_call"), ("quick", format!("{c}:nej"))]).await;
        assert!(!refused(&page), "{page}");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM meeting_events WHERE meeting_id = {} AND command LIKE '%correct_vote%'",
                meeting.0
            ))
            .await,
            1,
            "the correction is its own event"
        );
        // The whole form sent again with the same votes changes nothing.
        let page = step(vec![
            cmd("roll_call"),
            ("votes", format!("{w}:ja")),
            ("votes", format!("{c}:nej")),
        ])
        .await;
        assert!(page.contains("inga nya eller ändrade röster"), "{page}");
        // Irreversible: the count needs its confirm box.
        let page = step(vec![cmd("count")]).await;
        assert!(page.contains("kryssa i rutan för att bekräfta"), "{page}");
        let page = step(vec![cmd("count"), ("confirm", "ja".into())]).await;
        let open = current(&page);
        assert!(open.contains("2 ja-röster och 3 nej-röster"), "{open}");
        assert!(!open.contains("Upprop"), "{open}");
        assert!(!open.contains("value=\"put\""), "{open}");
        assert!(!open.contains("Votering begärs av"), "{open}");
        let page = step(vec![cmd("roll_call"), ("quick", format!("{c}:ja"))]).await;
        assert!(page.contains("ingen omröstning pågår"), "{page}");

        let page = step(vec![cmd("decide")]).await;
        assert!(page.contains("beslut fattat"), "{page}");
        assert!(page.contains("bifalla motionen om nattbussar"), "{page}");
        // The reservation chooses the yrkande from a list.
        assert!(
            page.contains("<select id=\"r-for\" name=\"in_favour_of\">"),
            "{page}"
        );
        let page = step(vec![
            cmd("reserve"),
            ("paragraph", paragraph.to_string()),
            ("movers", w.clone()),
            ("in_favour_of", "0".into()),
        ])
        .await;
        assert!(!refused(&page), "{page}");
        assert!(page.contains("reserverar sig"), "{page}");
        let page = step(vec![cmd("finish")]).await;
        assert!(page.contains("kryssa i rutan"), "{page}");
        let page = step(vec![cmd("finish"), ("confirm", "ja".into())]).await;
        assert!(page.contains("Ingen punkt behandlas"), "{page}");

        // Reopened: the decision and what rests on it withdrawn, the
        // yrkanden kept, the proposition to be put again.
        let page = step(vec![cmd("reopen"), ("paragraph", paragraph.to_string())]).await;
        assert!(page.contains("kryssa i rutan"), "{page}");
        let page = step(vec![
            cmd("reopen"),
            ("paragraph", paragraph.to_string()),
            ("confirm", "ja".into()),
        ])
        .await;
        let open = current(&page);
        assert!(!open.contains("beslut fattat"), "{open}");
        assert!(!open.contains("reserverar sig"), "{open}");
        assert!(open.contains("Yrkande 2 (Lise-Lotte"), "{open}");
        assert!(open.contains("value=\"put\""), "{open}");
        step(vec![
            cmd("put"),
            ("put", "0".into()),
            ("put", "1".into()),
            ("found_for", "0".into()),
        ])
        .await;
        step(vec![cmd("decide")]).await;
        step(vec![cmd("finish"), ("confirm", "ja".into())]).await;
        step(vec![cmd("take_up"), ("item", "1".into())]).await;
        // "Alla närvarande": everyone taking part moves it.
        let page = step(vec![
            cmd("move"),
            ("movers", "alla".into()),
            ("kind", "bifall".into()),
            ("text", "att informationen läggs till handlingarna".into()),
        ])
        .await;
        assert!(!refused(&page), "{page}");
        let movers = app
            .store
            .proceedings(meeting)
            .await
            .unwrap()
            .snapshot()
            .paragraph
            .unwrap()
            .proposals[0]
            .movers
            .len();
        assert_eq!(movers, 5);
        step(vec![
            cmd("put"),
            ("put", "0".into()),
            ("found_for", "0".into()),
        ])
        .await;
        step(vec![cmd("decide")]).await;
        step(vec![cmd("finish"), ("confirm", "ja".into())]).await;

        let page = step(vec![cmd("close")]).await;
        assert!(page.contains("kryssa i rutan"), "{page}");
        let page = step(vec![
            cmd("close"),
            ("confirm", "ja".into()),
            ("at", "15:00".into()),
        ])
        .await;
        assert!(
            page.contains("<strong id=\"fas\">avslutat</strong>"),
            "{page}"
        );
        assert!(
            !page.contains("Lämnar</button>"),
            "attendance offered after closing"
        );
        assert!(!page.contains("Återuppta punkten"), "{page}");

        // After closing: nothing about attendance, no reopening.
        let before = app.count(&events).await;
        for form in [
            vec![cmd("leave"), ("person", w.clone())],
            vec![cmd("arrive"), ("person", w.clone())],
        ] {
            let page = step(form).await;
            assert!(
                page.contains("närvaro, tjänstgöring och jäv kan inte längre ändras"),
                "{page}"
            );
        }
        let page = step(vec![
            cmd("reopen"),
            ("paragraph", paragraph.to_string()),
            ("confirm", "ja".into()),
        ])
        .await;
        assert!(page.contains("innan sammanträdet avslutas"), "{page}");
        assert_eq!(app.count(&events).await, before);

        // The protocol follows: the reopened handling, not the first.
        let record = app.store.meeting_record(meeting).await.unwrap();
        assert_eq!(record.meeting.status, MeetingStatus::Held);
        let p = record.paragraph(paragraph).unwrap();
        assert!(p.votes.is_empty(), "{:?}", p.votes);
        assert!(p.reservations.is_empty());
        assert_eq!(p.proposals[1].movers.len(), 2);
        assert_eq!(
            p.decision.as_ref().unwrap().parts[0].clauses[0].text,
            "avslå motionen om nattbussar"
        );
        assert_eq!(
            record.meeting.chair.map(|x| x.0.to_string()),
            Some(w.clone())
        );
    }
}

#[tokio::test]
async fn a_meeting_is_not_opened_before_its_date() {
    for db in kansli_testsupport::all().await {
        let config = kansli_web::Config {
            today: Some(day(TODAY.2)),
            ..kansli_web::Config::default()
        };
        let app = spawn_with(db, config).await;
        let tomorrow = planned(&app, day(TODAY.2 + 1)).await;
        let s = app.sign_in("sekreterare").await;
        let path = format!("/sekretariat/sammantraden/{}/mote", tomorrow.0);
        app.submit(&s, &path, &[("command", "arrive_all")]).await;
        let events = format!(
            "SELECT COUNT(*) FROM meeting_events WHERE meeting_id = {}",
            tomorrow.0
        );
        let before = app.count(&events).await;
        let page = app.submit(&s, &path, &[("command", "open")]).await;
        assert!(refused(&page), "{page}");
        assert!(
            page.contains(
                "sammanträdet är utlyst till 2025-05-07 och kan inte öppnas i dag (2025-05-06)"
            ),
            "{page}"
        );
        assert!(page.contains("flytta först sammanträdet"), "{page}");
        assert_eq!(app.count(&events).await, before, "nothing written");
        assert!(page.contains("<strong id=\"fas\">inte öppnat</strong>"));
        let m = app.store.meeting(tomorrow).await.unwrap();
        assert_eq!(m.status, MeetingStatus::NoticeIssued);
        // The store: an opening names its day, which the engine checks.
        use kansli_core::proceedings::Command;
        for (on, why) in [
            (None, "ange vilken dag sammanträdet öppnas"),
            (Some(day(TODAY.2)), "flytta först sammanträdet"),
        ] {
            let mut tx = app.store.begin("user:test").await.unwrap();
            let r = tx
                .record_command(tomorrow, &Command::Open { at: None, on })
                .await;
            let e = r.expect_err("opened").to_string();
            assert!(e.contains(why), "{e}");
        }
        let mut tx = app.store.begin("user:test").await.unwrap();
        tx.record_command(
            tomorrow,
            &Command::Open {
                at: None,
                on: Some(day(TODAY.2 + 1)),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            app.store.meeting(tomorrow).await.unwrap().status,
            MeetingStatus::InSession
        );
    }
}

/// The chair and the justerare under one rule: neither signs before the
/// meeting's day (the chair's first signature was once accepted while the
/// justerare's last one was refused).
#[tokio::test]
async fn neither_the_chair_nor_the_justerare_signs_before_the_meeting_day() {
    for db in kansli_testsupport::all().await {
        let keys = tempfile::tempdir().unwrap();
        let store = db.store().await;
        kansli_demo::load(&store).await.unwrap();
        let halland = store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap();
        kansli_sign::OrganisationPki::create(&halland.name, jiff::Timestamp::now())
            .unwrap()
            .write_to_dir(&keys.path().join(halland.id.0.to_string()))
            .unwrap();
        // The demo's held meeting of 28 January 2025, a day early.
        let config = kansli_web::Config {
            today: Some(jiff::civil::date(2025, 1, 27)),
            keys_dir: Some(keys.path().to_path_buf()),
            ..kansli_web::Config::default()
        };
        let app = spawn_with(db, config).await;
        let meeting = app
            .meeting("Regionstyrelsens arbetsutskott", "2025-01-28")
            .await;
        let secretary = app.sign_in("sekreterare").await;
        let page = app
            .submit(
                &secretary,
                &format!("/sekretariat/sammantraden/{}/skicka", meeting.0),
                &[],
            )
            .await;
        assert!(!refused(&page), "{page}");
        let justering = format!("/sekretariat/sammantraden/{}/justering", meeting.0);
        let signatures = "SELECT COUNT(*) FROM protocol_signatures";
        let before = app.count(signatures).await;
        for who in ["ordforande", "justerare"] {
            let s = app.sign_in(who).await;
            let page = app.staff_text(&s, &justering).await;
            assert!(
                page.contains(
                    "Protokollet kan inte justeras före sammanträdet den 2025-01-28 (i dag är det 2025-01-27)."
                ),
                "{who}: {page}"
            );
            let page = app
                .submit(
                    &s,
                    &justering,
                    &[("password", kansli_demo::DEMO_PASSWORD), ("version", "1")],
                )
                .await;
            assert!(refused(&page), "{who}: {page}");
            assert!(
                page.contains("protokollet kan inte justeras före sammanträdet den 2025-01-28"),
                "{who}: {page}"
            );
            assert_eq!(app.count(signatures).await, before, "{who} signed early");
        }
    }
}
