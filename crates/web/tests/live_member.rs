//! #20 L1: the member's own device and the chair's view over the real
//! server, on SQLite and PostgreSQL: begära ordet and the place in the
//! queue, a replik, the chair giving the floor; a ballot with its receipt,
//! the same key answered with the same receipt, a second ballot turned
//! into a change, a ballot after the count, by a substitute who does not
//! serve and by a member with jäv refused with the engine's reason; a
//! reservation after the decision; who may open which page. The check-in
//! (once, harmless twice, before and after the meeting begins) and the
//! secretary's Arrive for it; written yrkanden handed in, kept on a
//! refusal, accepted by the chair, declined on the meeting screen, refused
//! with no item under discussion; a ballot retried after a restart.

mod support;

use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::meeting::{Actor, AgendaItem, ItemKind, ProposalKind, VoteChoice};
use kansli_core::org::{Membership, Role};
use kansli_core::proceedings::Command;
use kansli_core::{Access, MeetingId, PersonId};
use kansli_store::Store;
use reqwest::StatusCode;
use support::app::*;

const DAY: (i16, i8, i8) = (2025, 3, 11);

fn day() -> jiff::civil::Date {
    jiff::civil::date(DAY.0, DAY.1, DAY.2)
}

fn config() -> kansli_web::Config {
    kansli_web::Config {
        today: Some(day()),
        ..kansli_web::Config::default()
    }
}

struct Fixture {
    meeting: MeetingId,
    waltersson: PersonId,
    andersson: PersonId,
    benskold: PersonId,
    clingston: PersonId,
    persson: PersonId,
}

async fn person(store: &Store, name: &str) -> PersonId {
    store.person_by_name(name).await.unwrap().unwrap().id
}

/// The arbetsutskott's meeting on DAY with two items, a substitute with an
/// account ("ersattare", Anna Ek (S), not serving), everyone present, the
/// meeting open and the first item taken up.
async fn prepare(app: &App) -> Fixture {
    prepare_with(app, true).await
}

/// As [`prepare`]; `begun: false` leaves it with its notice issued and no
/// command recorded.
async fn prepare_with(app: &App, begun: bool) -> Fixture {
    let store = &app.store;
    let rsau = app.body("Regionstyrelsens arbetsutskott").await;
    let term = store.members(rsau).await.unwrap()[0].term.id;
    let mut tx = store.begin("test").await.unwrap();
    let meeting = tx
        .plan_meeting(rsau, day(), None, "Borgkammaren")
        .await
        .unwrap();
    let mut items = Vec::new();
    for title in ["Motion om cykelbanor", "Motion om nattbussar"] {
        let (case, _) = tx
            .register_case(app.org, title, jiff::civil::date(2025, 2, 3))
            .await
            .unwrap();
        items.push(AgendaItem {
            title: format!("Svar på {}", title.to_lowercase()),
            case: Some(case),
            kind: ItemKind::Decision,
            access: Access::Public,
            basis: vec![],
            paragraph: None,
            presenter: None,
        });
    }
    tx.set_agenda(meeting, &items).await.unwrap();
    tx.issue_notice(meeting).await.unwrap();
    let anna = tx.add_person("Anna Ek", Some("S")).await.unwrap();
    tx.add_memberships(&[Membership {
        person: anna,
        body: rsau,
        term,
        role: Role::Substitute { order: 1 },
        party_group: Some("S".into()),
    }])
    .await
    .unwrap();
    let u = tx
        .add_user("ersattare", "Anna Ek", kansli_demo::DEMO_PASSWORD, false)
        .await
        .unwrap();
    tx.link_person(u, anna).await.unwrap();
    tx.commit().await.unwrap();
    let f = Fixture {
        meeting,
        waltersson: person(store, "Mikaela Waltersson").await,
        andersson: person(store, "Helene Andersson").await,
        benskold: person(store, "Lise-Lotte Bensköld Olsson").await,
        clingston: person(store, "My Clingston").await,
        persson: person(store, "Per Persson").await,
    };
    if !begun {
        return f;
    }
    for p in [
        f.waltersson,
        f.andersson,
        f.benskold,
        f.clingston,
        f.persson,
        anna,
    ] {
        secretary(store, meeting, Command::Arrive { person: p }).await;
    }
    secretary(
        store,
        meeting,
        Command::Open {
            at: None,
            on: Some(day()),
        },
    )
    .await;
    secretary(
        store,
        meeting,
        Command::TakeUp {
            item: 0,
            draft_decision: Some(decides("avslå motionen")),
        },
    )
    .await;
    f
}

fn decides(text: &str) -> Decision {
    Decision::single(Formula::Decides, vec![Clause::new(text)])
}

/// What the secretary records on the meeting screen.
async fn secretary(store: &Store, meeting: MeetingId, command: Command) {
    let mut tx = store.begin("user:sekreterare").await.unwrap();
    tx.record_command(meeting, &command)
        .await
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    tx.commit().await.unwrap();
}

/// A form POST with its one-time key; the page after the redirect.
async fn send(app: &App, s: &Session, path: &str, key: &str, form: &[(&str, &str)]) -> String {
    let mut fields = vec![("once", key)];
    fields.extend_from_slice(form);
    app.submit(s, path, &fields).await
}

/// The flash message of a page (the outcome of the last form).
fn flash(page: &str) -> String {
    let at = page
        .find("class=\"alert")
        .unwrap_or_else(|| panic!("no message in {page}"));
    let rest = &page[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find("</p>").unwrap();
    rest[start..end].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_ask_for_the_floor_vote_and_reserve_from_their_own_device() {
    for db in kansli_testsupport::all().await {
        let label = db.label;
        let app = spawn_with(db, config()).await;
        let f = prepare(&app).await;
        let m = f.meeting.0;
        let member_page = format!("/sekretariat/sammantraden/{m}/ledamot");
        let ordet = format!("{member_page}/ordet");
        let rost = format!("{member_page}/rost");
        let chair_page = format!("/sekretariat/sammantraden/{m}/ordforande");
        let per = app.sign_in("ledamot").await;
        let lise = app.sign_in("justerare").await;
        let chair = app.sign_in("ordforande").await;
        let anna = app.sign_in("ersattare").await;
        let officer = app.sign_in("handlaggare").await;

        // Who may open which page.
        let page = app.staff_text(&per, &member_page).await;
        assert!(
            page.contains("Du är närvarande och tjänstgör."),
            "{label}: {page}"
        );
        assert!(page.contains("Svar på motion om cykelbanor"), "{label}");
        assert!(page.contains("value=\"speech\""), "{label}");
        assert!(page.contains("name=\"once\""), "{label}");
        let (status, _) = app.staff(&officer, &member_page).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{label}: a case officer");
        let (status, _) = app.staff(&per, &chair_page).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{label}: a member who does not preside"
        );
        let page = app.staff_text(&chair, &chair_page).await;
        assert!(page.contains("Ingen har begärt ordet."), "{label}: {page}");
        let sekr = app.sign_in("sekreterare").await;
        app.staff_text(&sekr, &chair_page).await;

        // Begära ordet: the place in the queue.
        let page = send(&app, &per, &ordet, "p1", &[("slag", "speech")]).await;
        assert!(
            flash(&page)
                .contains("Du har begärt ordet (anförande). Du är nummer 1 på talarlistan."),
            "{label}: {page}"
        );
        let page = send(&app, &lise, &ordet, "l1", &[("slag", "speech")]).await;
        assert!(flash(&page).contains("nummer 2"), "{label}: {page}");
        assert!(
            page.contains("Du är nummer 2 på talarlistan (anförande)."),
            "{label}"
        );
        // A replik on nobody: the engine's reason.
        let page = send(&app, &lise, &ordet, "l2", &[("slag", "reply")]).await;
        assert!(
            flash(&page).contains("det finns inget anförande att begära replik på"),
            "{label}: {page}"
        );
        // A substitute who does not serve has no yttranderätt here.
        let page = app.staff_text(&anna, &member_page).await;
        assert!(
            page.contains("Du är närvarande som ersättare och tjänstgör inte."),
            "{label}"
        );
        assert!(page.contains("har inte yttranderätt"), "{label}: {page}");
        let page = send(&app, &anna, &ordet, "a1", &[("slag", "speech")]).await;
        assert!(
            flash(&page).contains("har inte yttranderätt"),
            "{label}: {page}"
        );

        // The chair gives the floor to the first in order.
        let page = app.staff_text(&chair, &chair_page).await;
        assert!(
            page.contains("Ge ordet till Per Persson (S)"),
            "{label}: {page}"
        );
        let pid = f.persson.0.to_string();
        let lid = f.benskold.0.to_string();
        let page = send(
            &app,
            &chair,
            &chair_page,
            "c0",
            &[("steg", "ge_ordet"), ("person", &lid)],
        )
        .await;
        assert!(
            flash(&page).contains("står först på talarlistan"),
            "{label}: {page}"
        );
        let page = send(
            &app,
            &chair,
            &chair_page,
            "c1",
            &[("steg", "ge_ordet"), ("person", &pid)],
        )
        .await;
        assert!(
            flash(&page).contains("Per Persson (S) har ordet."),
            "{label}: {page}"
        );
        assert!(page.contains("Anförandet är slut"), "{label}");
        // A replik breaks the order.
        let page = app.staff_text(&lise, &member_page).await;
        assert!(
            page.contains("Replik på Per Persson (S)"),
            "{label}: {page}"
        );
        let page = send(&app, &lise, &ordet, "l3", &[("slag", "reply")]).await;
        assert!(
            flash(&page).contains("Du är nummer 1 på talarlistan"),
            "{label}: {page}"
        );
        let page = send(&app, &chair, &chair_page, "c2", &[("steg", "avsluta")]).await;
        assert!(
            page.contains("Ge ordet till Lise-Lotte Bensköld Olsson (S)"),
            "{label}: {page}"
        );
        send(
            &app,
            &chair,
            &chair_page,
            "c3",
            &[("steg", "ge_ordet"), ("person", &lid)],
        )
        .await;
        let page = app.staff_text(&per, &member_page).await;
        assert!(
            page.contains("Lise-Lotte Bensköld Olsson (S) har ordet (replik på Per Persson (S))"),
            "{label}: {page}"
        );
        assert!(page.contains("riktmärke 2 min"), "{label}");
        // Withdrawn: off the list.
        let page = send(&app, &lise, &format!("{ordet}/aterta"), "l4", &[]).await;
        assert!(
            flash(&page).contains("Du står inte längre på talarlistan."),
            "{label}: {page}"
        );
        send(&app, &chair, &chair_page, "c4", &[("steg", "avsluta")]).await;

        // The votering.
        let mover = |p: PersonId| vec![Actor::Person { person: p }];
        for command in [
            Command::Move {
                movers: mover(f.persson),
                kind: ProposalKind::Bifall,
                text: "bifall till motionen".into(),
                decision: Some(decides("bifalla motionen")),
            },
            Command::Move {
                movers: mover(f.waltersson),
                kind: ProposalKind::Avslag,
                text: "avslag på motionen".into(),
                decision: Some(decides("avslå motionen")),
            },
            Command::Put {
                put: vec![0, 1],
                found_for: Some(1),
            },
            Command::RequestVote { by: f.persson },
        ] {
            secretary(&app.store, f.meeting, command).await;
        }
        let page = send(&app, &per, &rost, "v0", &[("val", "ja")]).await;
        assert!(
            flash(&page).contains("ingen omröstning pågår: voteringsordningen är inte godkänd än"),
            "{label}: {page}"
        );
        let page = send(
            &app,
            &chair,
            &chair_page,
            "c5",
            &[("steg", "voteringsordning")],
        )
        .await;
        assert!(
            flash(&page).contains("omröstningen är öppen"),
            "{label}: {page}"
        );
        assert!(page.contains("0 av 5 har röstat."), "{label}: {page}");
        let page = app.staff_text(&per, &member_page).await;
        assert!(
            page.contains("name=\"val\" value=\"ja\""),
            "{label}: {page}"
        );
        assert!(page.contains("data-live-keep"), "{label}");

        // A ballot and its receipt; the same key again: the same receipt.
        let first = per_vote(&app, &per, &rost, "v1", "ja").await;
        assert!(
            receipt(&first).contains("Din röst är registrerad: Ja, kl. "),
            "{label}: {first}"
        );
        let again = per_vote(&app, &per, &rost, "v1", "ja").await;
        assert_eq!(first, again, "{label}: the retry gets the same receipt");
        let ballots = |p: kansli_core::proceedings::Proceedings| {
            p.log()
                .iter()
                .filter(|c| matches!(c, Command::CastVote { .. } | Command::CorrectVote { .. }))
                .count()
        };
        assert_eq!(
            ballots(app.store.proceedings(f.meeting).await.unwrap()),
            1,
            "{label}"
        );
        // A second ballot with another choice is a change before the count.
        let page = send(&app, &per, &rost, "v2", &[("val", "nej")]).await;
        assert!(
            flash(&page).contains("Din röst är ändrad: Nej"),
            "{label}: {page}"
        );
        assert!(
            page.contains("Din röst just nu: <strong>Nej</strong>"),
            "{label}"
        );
        let page = send(&app, &per, &rost, "v3", &[("val", "nej")]).await;
        assert!(
            flash(&page).contains("Din röst är registrerad: Nej"),
            "{label}: {page}"
        );
        assert_eq!(
            ballots(app.store.proceedings(f.meeting).await.unwrap()),
            2,
            "{label}"
        );
        // A substitute who does not serve: the engine's reason.
        let page = send(&app, &anna, &rost, "a2", &[("val", "ja")]).await;
        assert!(
            flash(&page).contains("Anna Ek (S) tjänstgör inte vid paragrafen och får inte rösta"),
            "{label}: {page}"
        );
        let page = app.staff_text(&chair, &chair_page).await;
        assert!(page.contains("1 av 5 har röstat."), "{label}: {page}");
        assert!(
            !page.contains("Nej</"),
            "{label}: the chair does not see how"
        );
        send(&app, &lise, &rost, "l5", &[("val", "nej")]).await;
        for (p, c) in [
            (f.waltersson, VoteChoice::Ja),
            (f.andersson, VoteChoice::Ja),
            (f.clingston, VoteChoice::Ja),
        ] {
            secretary(
                &app.store,
                f.meeting,
                Command::CastVote {
                    person: p,
                    choice: c,
                },
            )
            .await;
        }
        let page = send(&app, &chair, &chair_page, "c6", &[("steg", "rakna")]).await;
        assert!(flash(&page).contains("rösterna räknade"), "{label}: {page}");
        assert!(
            page.contains("3 ja-röster och 2 nej-röster"),
            "{label}: {page}"
        );
        // After the count: refused.
        let page = send(&app, &per, &rost, "v4", &[("val", "ja")]).await;
        assert!(
            flash(&page).contains("rösterna är redan räknade"),
            "{label}: {page}"
        );
        send(&app, &chair, &chair_page, "c7", &[("steg", "besluta")]).await;

        // The reservation after the decision: offered to the one who lost.
        let page = app.staff_text(&per, &member_page).await;
        assert!(page.contains("Reservera mig"), "{label}: {page}");
        let number = app
            .store
            .proceedings(f.meeting)
            .await
            .unwrap()
            .snapshot()
            .done[0]
            .1
            .to_string();
        let reservation = format!("{member_page}/reservation");
        let page = send(
            &app,
            &per,
            &reservation,
            "r1",
            &[("paragraf", &number), ("skal", "Cykelbanorna behövs.")],
        )
        .await;
        assert!(
            flash(&page).contains(&format!(
                "Din reservation mot beslutet i § {number} är antecknad."
            )),
            "{label}: {page}"
        );
        let page = send(&app, &chair, &reservation, "c8", &[("paragraf", &number)]).await;
        assert!(
            flash(&page)
                .contains("Mikaela Waltersson (M) röstade för beslutet och kan inte reservera sig"),
            "{label}: {page}"
        );

        // A member with jäv in the next item.
        secretary(&app.store, f.meeting, Command::FinishItem).await;
        for command in [
            Command::TakeUp {
                item: 1,
                draft_decision: Some(decides("avslå motionen")),
            },
            Command::Disqualify {
                person: f.benskold,
                ground: "styrelseledamot i sökande förening".into(),
            },
            Command::Move {
                movers: mover(f.persson),
                kind: ProposalKind::Bifall,
                text: "bifall till motionen".into(),
                decision: Some(decides("bifalla motionen")),
            },
            Command::Move {
                movers: mover(f.waltersson),
                kind: ProposalKind::Avslag,
                text: "avslag på motionen".into(),
                decision: Some(decides("avslå motionen")),
            },
            Command::Put {
                put: vec![0, 1],
                found_for: Some(1),
            },
            Command::RequestVote { by: f.persson },
            Command::ApproveVotingOrder {
                ja: Some(1),
                nej: Some(0),
            },
        ] {
            secretary(&app.store, f.meeting, command).await;
        }
        let page = app.staff_text(&lise, &member_page).await;
        assert!(
            page.contains("Du har anmält jäv i ärendet"),
            "{label}: {page}"
        );
        let page = send(&app, &lise, &rost, "l6", &[("val", "nej")]).await;
        assert!(
            flash(&page).contains(
                "Lise-Lotte Bensköld Olsson (S) har anmält jäv i ärendet och får inte rösta (KL 6 kap. 30 §)"
            ),
            "{label}: {page}"
        );
        let page = send(&app, &lise, &ordet, "l7", &[("slag", "point_of_order")]).await;
        assert!(flash(&page).contains("har anmält jäv"), "{label}: {page}");
    }
}

/// A ballot POST; the flash cookie of its answer, which holds the receipt.
async fn per_vote(app: &App, s: &Session, path: &str, key: &str, choice: &str) -> String {
    let r = app.post(s, path, &[("once", key), ("val", choice)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
    set_cookie(&r, "kansli_flash").expect("a receipt")
}

/// The message a flash cookie carries.
fn receipt(cookie: &str) -> String {
    // The cookie's value is the form `ok=…`, percent-encoded once more.
    let once = |s: &str| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(s)
            .ok()
            .and_then(|v| v.into_iter().next())
    };
    once(cookie)
        .and_then(|(inner, _)| once(&inner))
        .map(|(_, text)| text)
        .unwrap_or_else(|| cookie.to_string())
}

/// A form POST with its one-time key: the answer's status and body.
async fn send_status(
    app: &App,
    s: &Session,
    path: &str,
    key: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut fields = vec![("once", key)];
    fields.extend_from_slice(form);
    let r = app.post(s, path, &fields).await;
    let status = r.status();
    (status, r.text().await.unwrap())
}

/// A "HH:MM" clock time in `text` after `before`.
fn time_after(text: &str, before: &str) -> String {
    let at = text
        .find(before)
        .unwrap_or_else(|| panic!("no «{before}» in {text}"))
        + before.len();
    let t = &text[at..at + 5];
    assert!(
        t.as_bytes()[2] == b':' && t.chars().filter(|c| c.is_ascii_digit()).count() == 4,
        "«{t}» is no clock time"
    );
    t.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_check_in_and_the_secretary_records_their_attendance() {
    for db in kansli_testsupport::all().await {
        let label = db.label;
        let app = spawn_with(db, config()).await;
        let f = prepare(&app).await;
        let m = f.meeting.0;
        // Per Persson has stepped out: not recorded present.
        secretary(&app.store, f.meeting, Command::Leave { person: f.persson }).await;
        let member_page = format!("/sekretariat/sammantraden/{m}/ledamot");
        let incheckning = format!("{member_page}/incheckning");
        let screen = format!("/sekretariat/sammantraden/{m}/mote");
        let per = app.sign_in("ledamot").await;
        let sekr = app.sign_in("sekreterare").await;
        let officer = app.sign_in("handlaggare").await;

        let page = app.staff_text(&per, &member_page).await;
        assert!(
            page.contains("Du är inte antecknad som närvarande."),
            "{label}: {page}"
        );
        assert!(page.contains("Checka in"), "{label}: {page}");
        assert!(
            page.contains(&format!("action=\"{incheckning}\"")),
            "{label}"
        );
        let screen_page = app.staff_text(&sekr, &screen).await;
        assert!(
            !screen_page.contains("Incheckade, närvaro inte antecknad"),
            "{label}: nobody has checked in"
        );

        // The check-in, and the same form again: one check-in.
        let page = send(&app, &per, &incheckning, "i1", &[]).await;
        let at = time_after(&flash(&page), "Du har checkat in kl. ");
        assert!(
            page.contains(&format!("Du checkade in kl. {at}.")),
            "{label}: {page}"
        );
        assert!(!page.contains("Checka in –"), "{label}: no second button");
        let again = send(&app, &per, &incheckning, "i1", &[]).await;
        assert!(
            flash(&again).contains(&format!("Du har checkat in kl. {at}.")),
            "{label}: the retry gets the first answer: {again}"
        );
        let rows = format!("SELECT COUNT(*) FROM meeting_check_ins WHERE meeting_id = {m}");
        assert_eq!(app.count(&rows).await, 1, "{label}");
        // A second check-in from a fresh form is harmless: the first time.
        let twice = send(&app, &per, &incheckning, "i2", &[]).await;
        assert!(
            flash(&twice).contains(&format!("Du har redan checkat in (kl. {at}).")),
            "{label}: {twice}"
        );
        assert_eq!(app.count(&rows).await, 1, "{label}");
        // Someone not of the body may not check in.
        let (status, _) = send_status(&app, &officer, &incheckning, "o1", &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{label}: a case officer");
        assert_eq!(app.count(&rows).await, 1, "{label}");

        // The secretary sees the check-in and records the attendance with
        // the engine's own Arrive.
        let screen_page = app.staff_text(&sekr, &screen).await;
        assert!(
            screen_page.contains(&format!("Per Persson (S) checkade in kl. {at}")),
            "{label}: {screen_page}"
        );
        assert!(
            screen_page.contains("aria-label=\"Anteckna Per Persson (S) som närvarande\""),
            "{label}"
        );
        // And in the live part, which the hub keeps current.
        assert!(
            screen_page.contains("Incheckade som väntar på närvaroanteckning"),
            "{label}: {screen_page}"
        );
        assert!(
            screen_page.contains(&format!("<li>Per Persson (S), kl. {at}</li>")),
            "{label}"
        );
        let arrivals = |p: &kansli_core::proceedings::Proceedings| {
            p.log()
                .iter()
                .filter(|c| matches!(c, Command::Arrive { person } if *person == f.persson))
                .count()
        };
        let before = arrivals(&app.store.proceedings(f.meeting).await.unwrap());
        let pid = f.persson.0.to_string();
        let screen_page = send(
            &app,
            &sekr,
            &screen,
            "s1",
            &[("command", "arrive"), ("person", &pid)],
        )
        .await;
        assert!(
            flash(&screen_page).contains("Antecknat."),
            "{label}: {screen_page}"
        );
        assert!(
            !screen_page.contains("Incheckade, närvaro inte antecknad"),
            "{label}: recorded, no longer waiting"
        );
        assert!(
            !screen_page.contains("Incheckade som väntar på närvaroanteckning"),
            "{label}: nor in the live part"
        );
        let p = app.store.proceedings(f.meeting).await.unwrap();
        assert_eq!(arrivals(&p), before + 1, "{label}");
        assert!(
            p.snapshot().present.iter().any(|(x, _)| *x == f.persson),
            "{label}"
        );
        let page = app.staff_text(&per, &member_page).await;
        assert!(
            page.contains("Du är närvarande och tjänstgör."),
            "{label}: {page}"
        );
        assert!(
            page.contains(&format!("Du checkade in kl. {at}.")),
            "{label}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn written_yrkanden_are_handed_in_and_accepted_or_declined() {
    for db in kansli_testsupport::all().await {
        let label = db.label;
        let app = spawn_with(db, config()).await;
        let f = prepare(&app).await;
        let m = f.meeting.0;
        let member_page = format!("/sekretariat/sammantraden/{m}/ledamot");
        let yrkande = format!("{member_page}/yrkande");
        let chair_page = format!("/sekretariat/sammantraden/{m}/ordforande");
        let screen = format!("/sekretariat/sammantraden/{m}/mote");
        let per = app.sign_in("ledamot").await;
        let lise = app.sign_in("justerare").await;
        let anna = app.sign_in("ersattare").await;
        let chair = app.sign_in("ordforande").await;
        let sekr = app.sign_in("sekreterare").await;
        let rows = format!("SELECT COUNT(*) FROM written_proposals WHERE meeting_id = {m}");

        let page = app.staff_text(&per, &member_page).await;
        assert!(page.contains("Skriftligt yrkande"), "{label}: {page}");
        assert!(page.contains("value=\"andring\""), "{label}");
        assert!(page.contains("value=\"aterremiss\""), "{label}");

        // Handed in; the same form twice is one yrkande.
        let text = "att motionen bifalls med den ändringen att cykelbanorna byggs 2026";
        let form = [("slag", "andring"), ("text", text)];
        let page = send(&app, &per, &yrkande, "y1", &form).await;
        assert!(
            flash(&page).contains("Ditt yrkande är inlämnat och väntar på ordföranden."),
            "{label}: {page}"
        );
        assert!(
            page.contains(&format!(
                "{text} <strong>(inlämnat, väntar på ordföranden)</strong>"
            )),
            "{label}: {page}"
        );
        send(&app, &per, &yrkande, "y1", &form).await;
        assert_eq!(app.count(&rows).await, 1, "{label}: the retry added none");

        // Refused: no kind chosen (the text comes back), a substitute who
        // does not serve (the engine's reason).
        let kept = "att motionen återremitteras för en kostnadsberäkning";
        let page = send(&app, &lise, &yrkande, "l1", &[("slag", ""), ("text", kept)]).await;
        assert!(
            flash(&page).contains("välj vilket slags yrkande det är"),
            "{label}: {page}"
        );
        assert!(
            page.contains(&format!(">{kept}</textarea>")),
            "{label}: the typed text is kept: {page}"
        );
        let page = send(
            &app,
            &anna,
            &yrkande,
            "a1",
            &[("slag", "bifall"), ("text", "bifall")],
        )
        .await;
        assert!(
            flash(&page).contains("Anna Ek (S) deltar inte i beslutet vid paragrafen"),
            "{label}: {page}"
        );
        assert!(
            page.contains(
                "Du kan inte lämna ett yrkande nu: Anna Ek (S) deltar inte i beslutet vid paragrafen."
            ),
            "{label}: {page}"
        );
        assert!(!page.contains("/ledamot/yrkande\""), "{label}: no form");
        assert_eq!(app.count(&rows).await, 1, "{label}");

        // The chair sees it and accepts it: the engine's Move, with Per
        // Persson as mover.
        let page = app.staff_text(&chair, &chair_page).await;
        assert!(
            page.contains("Skriftliga yrkanden att ta ställning till"),
            "{label}: {page}"
        );
        assert!(page.contains(text), "{label}");
        let id = app.store.written_proposals(f.meeting).await.unwrap()[0]
            .id
            .to_string();
        // Only the chair (and the secretary) decide on it.
        let (status, _) = send_status(
            &app,
            &lise,
            &chair_page,
            "l9",
            &[("steg", "godta"), ("yrkande", &id)],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{label}: a member");
        let page = send(
            &app,
            &chair,
            &chair_page,
            "c0",
            &[("steg", "godta"), ("yrkande", "999999")],
        )
        .await;
        assert!(
            flash(&page).contains("yrkandet finns inte vid sammanträdet"),
            "{label}: {page}"
        );
        let page = send(
            &app,
            &chair,
            &chair_page,
            "c1",
            &[("steg", "godta"), ("yrkande", &id)],
        )
        .await;
        assert!(
            flash(&page).contains("Det skriftliga yrkandet är infört bland yrkandena."),
            "{label}: {page}"
        );
        assert!(
            page.contains(&format!("Yrkande 1: Per Persson (S) – {text}")),
            "{label}: {page}"
        );
        assert!(
            !page.contains("Skriftliga yrkanden att ta ställning till"),
            "{label}: none pending"
        );
        let page = send(
            &app,
            &chair,
            &chair_page,
            "c2",
            &[("steg", "godta"), ("yrkande", &id)],
        )
        .await;
        assert!(
            flash(&page).contains("yrkandet är redan infört"),
            "{label}: {page}"
        );
        let p = app.store.proceedings(f.meeting).await.unwrap();
        let moved = p.snapshot().paragraph.unwrap().proposals;
        assert_eq!(moved.len(), 1, "{label}");
        assert_eq!(
            moved[0].movers,
            vec![Actor::Person { person: f.persson }],
            "{label}"
        );
        let page = app.staff_text(&per, &member_page).await;
        assert!(
            page.contains(&format!("{text} <strong>(antaget)</strong>")),
            "{label}: {page}"
        );

        // Another, declined on the secretary's screen.
        let second = "avslag på motionen";
        send(
            &app,
            &lise,
            &yrkande,
            "l2",
            &[("slag", "avslag"), ("text", second)],
        )
        .await;
        let page = app.staff_text(&sekr, &screen).await;
        assert!(
            page.contains("Skriftliga yrkanden från ledamöterna"),
            "{label}: {page}"
        );
        assert!(page.contains(second), "{label}");
        assert!(
            page.contains(&format!(
                "<li>Lise-Lotte Bensköld Olsson (S): avslag – {second}</li>"
            )),
            "{label}: the live part lists it: {page}"
        );
        let id2 = app.store.written_proposals(f.meeting).await.unwrap()[1]
            .id
            .to_string();
        let page = send(
            &app,
            &sekr,
            &screen,
            "s1",
            &[("command", "decline_written"), ("proposal", &id2)],
        )
        .await;
        assert!(
            flash(&page).contains("Det skriftliga yrkandet är avböjt."),
            "{label}: {page}"
        );
        let page = app.staff_text(&lise, &member_page).await;
        assert!(
            page.contains(&format!("{second} <strong>(inte antaget)</strong>")),
            "{label}: {page}"
        );
        assert_eq!(
            app.store
                .proceedings(f.meeting)
                .await
                .unwrap()
                .snapshot()
                .paragraph
                .unwrap()
                .proposals
                .len(),
            1,
            "{label}: a declined yrkande is not in the record"
        );

        // One handed in on this item cannot be accepted on the next.
        send(
            &app,
            &lise,
            &yrkande,
            "l3",
            &[("slag", "bifall"), ("text", "bifall")],
        )
        .await;
        let id3 = app.store.written_proposals(f.meeting).await.unwrap()[2]
            .id
            .to_string();
        for command in [
            Command::Put {
                put: vec![0],
                found_for: Some(0),
            },
            Command::Decide {
                decision: Some(decides("bifalla motionen med ändringen")),
            },
            Command::FinishItem,
        ] {
            secretary(&app.store, f.meeting, command).await;
        }
        // No item under discussion: the store's reason.
        let page = send(
            &app,
            &per,
            &yrkande,
            "y2",
            &[("slag", "bifall"), ("text", "bifall")],
        )
        .await;
        assert!(
            flash(&page).contains("ingen punkt är uppe"),
            "{label}: {page}"
        );
        secretary(
            &app.store,
            f.meeting,
            Command::TakeUp {
                item: 1,
                draft_decision: Some(decides("avslå motionen")),
            },
        )
        .await;
        let page = app.staff_text(&chair, &chair_page).await;
        assert!(
            page.contains("Lämnat på en annan punkt än den som är uppe."),
            "{label}: {page}"
        );
        let page = send(
            &app,
            &sekr,
            &screen,
            "s2",
            &[("command", "accept_written"), ("proposal", &id3)],
        )
        .await;
        assert!(
            flash(&page).contains("yrkandet lämnades på en annan punkt än den som är uppe"),
            "{label}: {page}"
        );
        assert_eq!(app.count(&rows).await, 3, "{label}");
    }
}

/// The server started again on the same database: a fresh store (nothing
/// kept in memory), another port. Gives its base address.
async fn restarted(app: &App) -> String {
    let store = app._db.store().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        kansli_web::serve(listener, store, config(), std::future::pending())
            .await
            .unwrap()
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ballot_retried_after_a_restart_gets_its_first_receipt() {
    for db in kansli_testsupport::all().await {
        let label = db.label;
        let app = spawn_with(db, config()).await;
        let f = prepare(&app).await;
        let m = f.meeting.0;
        let rost = format!("/sekretariat/sammantraden/{m}/ledamot/rost");
        let mover = |p: PersonId| vec![Actor::Person { person: p }];
        for command in [
            Command::Move {
                movers: mover(f.persson),
                kind: ProposalKind::Bifall,
                text: "bifall till motionen".into(),
                decision: Some(decides("bifalla motionen")),
            },
            Command::Move {
                movers: mover(f.waltersson),
                kind: ProposalKind::Avslag,
                text: "avslag på motionen".into(),
                decision: Some(decides("avslå motionen")),
            },
            Command::Put {
                put: vec![0, 1],
                found_for: Some(1),
            },
            Command::RequestVote { by: f.persson },
            Command::ApproveVotingOrder {
                ja: Some(0),
                nej: Some(1),
            },
        ] {
            secretary(&app.store, f.meeting, command).await;
        }
        let per = app.sign_in("ledamot").await;
        let first = receipt(&per_vote(&app, &per, &rost, "v1", "ja").await);
        assert!(
            first.contains("Din röst är registrerad: Ja, kl. "),
            "{label}: {first}"
        );
        // The kept answer is lost (as when the process stops between the
        // commit and keeping it), the server starts again, time passes.
        sqlx::query("DELETE FROM idempotency_keys WHERE once_key = 'v1'")
            .execute(app.store.pool())
            .await
            .unwrap();
        let base = restarted(&app).await;
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let again = client()
            .post(format!("{base}{rost}"))
            .header(
                reqwest::header::COOKIE,
                format!("kansli_session={}", per.cookie),
            )
            .form(&[("csrf", per.csrf.as_str()), ("once", "v1"), ("val", "ja")])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::SEE_OTHER, "{label}");
        assert!(
            again.headers().get("idempotent-replayed").is_none(),
            "{label}: the handler ran again"
        );
        let again = receipt(&set_cookie(&again, "kansli_flash").expect("a receipt"));
        assert_eq!(first, again, "{label}: the same receipt, with its time");
        // A fresh form with the same choice: the receipt of the ballot.
        let fresh = receipt(&per_vote(&app, &per, &rost, "v2", "ja").await);
        assert_eq!(first, fresh, "{label}");
        let p = app.store.proceedings(f.meeting).await.unwrap();
        let ballots = p
            .log()
            .iter()
            .filter(|c| matches!(c, Command::CastVote { .. } | Command::CorrectVote { .. }))
            .count();
        assert_eq!(ballots, 1, "{label}: one ballot");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM live_ballots WHERE meeting_id = {m}"
            ))
            .await,
            1,
            "{label}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_check_in_before_the_meeting_begins() {
    for db in kansli_testsupport::all().await {
        let label = db.label;
        let app = spawn_with(db, config()).await;
        let f = prepare_with(&app, false).await;
        let m = f.meeting.0;
        let member_page = format!("/sekretariat/sammantraden/{m}/ledamot");
        let screen = format!("/sekretariat/sammantraden/{m}/mote");
        let per = app.sign_in("ledamot").await;
        let sekr = app.sign_in("sekreterare").await;
        let page = app.staff_text(&per, &member_page).await;
        assert!(
            page.contains("Sammanträdet är inte öppnat"),
            "{label}: {page}"
        );
        assert!(page.contains("Checka in"), "{label}");
        let page = send(&app, &per, &format!("{member_page}/incheckning"), "i1", &[]).await;
        let at = time_after(&flash(&page), "Du har checkat in kl. ");
        assert!(
            page.contains(&format!("Du checkade in kl. {at}.")),
            "{label}"
        );
        assert!(
            app.store
                .proceedings(f.meeting)
                .await
                .unwrap()
                .log()
                .is_empty(),
            "{label}: a check-in is no command"
        );
        // The secretary's Arrive is the meeting's first command.
        let page = app.staff_text(&sekr, &screen).await;
        assert!(
            page.contains(&format!("Per Persson (S) checkade in kl. {at}")),
            "{label}: {page}"
        );
        let pid = f.persson.0.to_string();
        send(
            &app,
            &sekr,
            &screen,
            "s1",
            &[("command", "arrive"), ("person", &pid)],
        )
        .await;
        let p = app.store.proceedings(f.meeting).await.unwrap();
        assert_eq!(p.log(), &[Command::Arrive { person: f.persson }], "{label}");
        let page = app.staff_text(&per, &member_page).await;
        assert!(page.contains("Du är närvarande"), "{label}: {page}");
    }
}
