//! The live meeting in headless Chromium (#20), several sessions at once on
//! one server: the secretary's meeting screen drives the meeting while the
//! big screen and the public live page (nobody signed in) follow it over
//! server-sent events, without a reload: the votering's count as ballots
//! come in, then the result with each member's vote by name within one
//! second of the count; the protocol text generated from it as before;
//! axe-core on the new pages.
//!
//! #20 L1: once the member's and the chair's pages are merged, the chair
//! and three members join as sessions of their own (a talarlista with a
//! replik, the ballots cast from the members' own pages); until then the
//! secretary's screen stands in for them, as it does as the fallback.

mod support;

use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::meeting::{AgendaItem, ItemKind};
use kansli_core::{Access, MeetingId, PersonId};
use serde_json::json;
use std::time::{Duration, Instant};
use support::browser::*;

const DAY: &str = "2025-05-06";
const ITEM: &str = "Svar på motion om nattbussar";

/// A meeting of the arbetsutskott today, held in public, with a motion's
/// answer whose officer's report proposes to reject it.
async fn planned(b: &Browser) -> MeetingId {
    let org = b
        .store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap()
        .id;
    let rsau = b
        .store
        .bodies(org)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.name == "Regionstyrelsens arbetsutskott")
        .unwrap()
        .id;
    let date: jiff::civil::Date = DAY.parse().unwrap();
    let mut tx = b.store.begin("user:test").await.unwrap();
    tx.set_meets_in_public(rsau, true).await.unwrap();
    let meeting = tx
        .plan_meeting(rsau, date, None, "Regionens hus")
        .await
        .unwrap();
    let (case, _) = tx
        .register_case(org, "Motion om nattbussar", date)
        .await
        .unwrap();
    tx.add_officer_report(&kansli_core::case::OfficerReport {
        case,
        date,
        unit: vec!["Regionkontoret".into()],
        author: kansli_core::case::Signatory {
            name: "Anna Handläggare".into(),
            title: "utredare".into(),
        },
        addressed_to: "Regionstyrelsens arbetsutskott".into(),
        title: ITEM.into(),
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
        &[AgendaItem {
            title: ITEM.into(),
            case: Some(case),
            kind: ItemKind::Decision,
            access: Access::Public,
            basis: vec![],
            paragraph: None,
            presenter: None,
        }],
    )
    .await
    .unwrap();
    tx.issue_notice(meeting).await.unwrap();
    tx.commit().await.unwrap();
    meeting
}

async fn person(b: &Browser, meeting: MeetingId, name: &str) -> PersonId {
    b.store
        .proceedings(meeting)
        .await
        .unwrap()
        .setting()
        .roster
        .iter()
        .find(|s| s.person.name == name)
        .unwrap()
        .person
        .id
}

async fn checked(b: &Browser, axe: &Option<String>) {
    b.check_page().await;
    if let Some(axe) = axe {
        b.axe(axe).await;
    }
}

/// The text of the live part of the page.
async fn live_text(b: &Browser) -> String {
    b.client
        .execute(
            "const e = document.querySelector('[data-live]'); return e ? e.innerText : '';",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Waits until the live part shows every one of `texts`; returns how long
/// it took. Fails after `within`.
async fn shows(b: &Browser, what: &str, texts: &[&str], within: Duration) -> Duration {
    let t = Instant::now();
    loop {
        let text = live_text(b).await;
        if texts.iter().all(|x| text.contains(x)) {
            return t.elapsed();
        }
        if t.elapsed() > within {
            panic!("{what}: not {texts:?} within {within:?}: «{text}»");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Marks the page, to tell later that it was not reloaded.
async fn mark(b: &Browser) {
    b.client
        .execute("window.__kansliLive = 1;", vec![])
        .await
        .unwrap();
}

async fn not_reloaded(b: &Browser, what: &str) {
    let v = b
        .client
        .execute("return window.__kansliLive === 1;", vec![])
        .await
        .unwrap();
    assert_eq!(v, json!(true), "{what} was reloaded, not updated live");
}

async fn connected(b: &Browser, what: &str) {
    for _ in 0..100 {
        let s = b
            .client
            .execute(
                "const e = document.querySelector('[data-live-status]'); return e ? e.getAttribute('data-state') : null;",
                vec![],
            )
            .await
            .unwrap();
        if s == json!("open") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: live.js did not connect");
}

#[tokio::test]
async fn the_big_screen_and_the_public_follow_a_votering_live() {
    let Some(secretary) = start_at(DAY).await else {
        return;
    };
    let axe = axe_source();
    let meeting = planned(&secretary).await;
    let m = meeting.0;
    let screen = format!("/sekretariat/sammantraden/{m}/mote");
    let big = secretary.another().await;
    let public = secretary.another().await;

    secretary.sign_in("sekreterare").await;
    secretary.goto(&screen).await;
    secretary.click("button[value=arrive_all]").await;
    secretary.expect_done("everyone arrives").await;
    secretary.click("button[value=open]").await;
    secretary.expect_done("open").await;

    // The room's screen and a member of the public open their pages.
    big.goto(&format!("/sammantraden/{m}/storbild")).await;
    public.goto(&format!("/sammantraden/{m}/direkt")).await;
    for (b, what) in [(&big, "storbild"), (&public, "direkt")] {
        connected(b, what).await;
        checked(b, &axe).await;
        mark(b).await;
        shows(b, what, &["Sammanträdet pågår."], Duration::from_secs(2)).await;
    }

    secretary
        .click("button[aria-label='Ta upp Svar på motion om nattbussar']")
        .await;
    secretary.expect_done("take up").await;
    for (b, what) in [(&big, "storbild"), (&public, "direkt")] {
        shows(b, what, &[ITEM], Duration::from_secs(2)).await;
    }
    // Two yrkanden, the proposition, the vote requested, the voting order.
    secretary
        .tick("form:has(input[value=move])", "Mikaela Waltersson")
        .await;
    secretary.choose("m-kind", "bifall").await;
    secretary.fill("#m-text", "bifall till förslaget").await;
    secretary.submit("form:has(input[value=move])").await;
    secretary.expect_done("first yrkande").await;
    secretary
        .client
        .execute(
            "document.querySelector('details:has(input[value=move])').open = true;",
            vec![],
        )
        .await
        .unwrap();
    secretary
        .tick("form:has(input[value=move])", "Bensköld Olsson")
        .await;
    secretary.choose("m-kind", "ändringsyrkande").await;
    secretary.fill("#m-text", "bifall till motionen").await;
    secretary
        .fill("#m-clauses", "bifalla motionen om nattbussar")
        .await;
    secretary.submit("form:has(input[value=move])").await;
    secretary.expect_done("second yrkande").await;
    shows(
        &public,
        "direkt",
        &["Yrkande 2 (Lise-Lotte Bensköld Olsson (S)): bifall till motionen"],
        Duration::from_secs(2),
    )
    .await;
    secretary
        .tick(
            "form:has(input[value=put])",
            "Yrkande 1 (Mikaela Waltersson",
        )
        .await;
    secretary.submit("form:has(input[value=put])").await;
    secretary.expect_done("proposition").await;
    secretary.choose("v-by", "Per Persson").await;
    secretary
        .submit("form:has(input[value=request_vote])")
        .await;
    secretary.expect_done("vote requested").await;
    secretary
        .tick(
            "form:has(input[value=voting_order])",
            "Ja-röst för Yrkande 1",
        )
        .await;
    secretary
        .submit("form:has(input[value=voting_order])")
        .await;
    secretary.expect_done("voting order").await;
    for (b, what) in [(&big, "storbild"), (&public, "direkt")] {
        shows(
            b,
            what,
            &["Votering pågår", "0 av 5 har röstat"],
            Duration::from_secs(2),
        )
        .await;
        checked(b, &axe).await;
    }
    // The screen's live part shows the roll as it fills.
    checked(&secretary, &axe).await;

    // Ballots one by one (#20 L1: from the members' own pages): the count
    // follows on the big screen, how they voted does not show until the
    // count.
    let names = [
        ("Mikaela Waltersson", "ja"),
        ("Helene Andersson", "ja"),
        ("Lise-Lotte Bensköld Olsson", "nej"),
        ("My Clingston", "nej"),
        ("Per Persson", "nej"),
    ];
    for (n, (name, vote)) in names.iter().enumerate() {
        let id = person(&secretary, meeting, name).await;
        let (status, _) = secretary
            .post(
                &screen,
                json!({
                    "csrf": secretary_csrf(&secretary).await,
                    "command": "cast",
                    "person": id.0.to_string(),
                    "choice": vote,
                }),
            )
            .await;
        assert_eq!(status, 200, "{name} votes");
        let count = format!("{} av 5 har röstat", n + 1);
        shows(&big, "storbild", &[count.as_str()], Duration::from_secs(2)).await;
        let text = live_text(&big).await;
        assert!(!text.contains("Resultat"), "{text}");
    }
    secretary.goto(&screen).await;
    let text = live_text(&secretary).await;
    assert!(text.contains("5 av 5 har röstat"), "{text}");
    assert!(
        text.contains("Per Persson (S)\tNej") || text.contains("Per Persson (S) Nej"),
        "{text}"
    );

    // The count: the result with each member's vote by name, on the big
    // screen and the public page, within a second.
    secretary.tick("#rakna", "kontrollerade").await;
    let t = Instant::now();
    secretary.submit("#rakna").await;
    let posted = t.elapsed();
    secretary.expect_done("count").await;
    let result = [
        "Resultat",
        "Ja 2",
        "Nej 3",
        "Mikaela Waltersson (M)",
        "My Clingston (KD)",
    ];
    let on_big = shows(&big, "storbild", &result, Duration::from_secs(3)).await + posted;
    let on_public = shows(&public, "direkt", &result, Duration::from_secs(3)).await + posted;
    eprintln!(
        "the count: answered in {posted:?}; the result on the storbild after {on_big:?}, on the public page after {on_public:?}"
    );
    assert!(on_big < Duration::from_secs(1), "storbild: {on_big:?}");
    assert!(on_public < Duration::from_secs(1), "direkt: {on_public:?}");
    for (b, what) in [(&big, "storbild"), (&public, "direkt")] {
        not_reloaded(b, what).await;
        checked(b, &axe).await;
    }

    secretary.submit("#beslut").await;
    secretary.expect_done("decide").await;
    shows(
        &public,
        "direkt",
        &["bifalla motionen om nattbussar"],
        Duration::from_secs(2),
    )
    .await;
    secretary.tick("#klar", "Inga fler").await;
    secretary.click("button[value=finish]").await;
    secretary.expect_done("finish").await;
    // Between items the big screen keeps the last result.
    shows(
        &big,
        "storbild",
        &["Ingen punkt behandlas just nu.", "Resultat", "Ja 2"],
        Duration::from_secs(2),
    )
    .await;

    // The protocol text is generated from the events, as before.
    secretary
        .goto(&format!(
            "/sekretariat/sammantraden/{m}/protokoll/protokoll.txt"
        ))
        .await;
    let text = secretary
        .client
        .find(fantoccini::Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("2 ja-röster och 3 nej-röster"), "{text}");
    assert!(text.contains("bifalla motionen om nattbussar"), "{text}");

    // The meeting closes: the public sees nothing more until justering.
    secretary.goto(&screen).await;
    secretary.tick("#avsluta", "avslutas").await;
    secretary.click("button[value=close]").await;
    secretary.expect_done("close").await;
    shows(
        &public,
        "direkt",
        &["bara det som är offentligt"],
        Duration::from_secs(3),
    )
    .await;
    let text = live_text(&public).await;
    assert!(!text.contains("Mikaela Waltersson"), "{text}");

    for b in [big, public, secretary] {
        b.client.close().await.ok();
    }
}

/// The session's CSRF token from the page in the browser.
async fn secretary_csrf(b: &Browser) -> String {
    b.client
        .execute(
            "return document.querySelector('input[name=csrf]').value;",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}
