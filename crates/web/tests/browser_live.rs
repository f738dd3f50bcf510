//! The live meeting in headless Chromium (#20), several sessions at once on
//! one server: the secretary's meeting screen drives the meeting while the
//! big screen and the public live page (nobody signed in) follow it over
//! server-sent events, without a reload: the votering's count as ballots
//! come in, then the result with each member's vote by name within one
//! second of the count; the protocol text generated from it as before;
//! axe-core on the new pages.
//!
//! In a second test a fullmäktige: the chair's view and three members on
//! their own pages join as sessions of their own (a talarlista with a
//! replik breaking the order, the ballots cast from the members' pages, the
//! chair counting), with the storbild and the public page following.

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
    planned_in(b, "Regionstyrelsens arbetsutskott", true).await
}

/// A meeting of `body` today with the motion's answer; `public`: the body
/// has decided to meet in public (fullmäktige always does).
async fn planned_in(b: &Browser, body: &str, public: bool) -> MeetingId {
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
        .find(|x| x.name == body)
        .unwrap()
        .id;
    let date: jiff::civil::Date = DAY.parse().unwrap();
    let mut tx = b.store.begin("user:test").await.unwrap();
    if public {
        tx.set_meets_in_public(rsau, true).await.unwrap();
    }
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
        addressed_to: body.into(),
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
    // Who has voted, not how, until the count (the secretary's own
    // roll-call form, outside the live part, has what was entered).
    assert!(
        text.contains("Per Persson (S)\thar röstat") || text.contains("Per Persson (S) har röstat"),
        "{text}"
    );
    assert!(!text.contains("Per Persson (S)\tNej"), "{text}");

    // The count: the result with each member's vote by name, on the big
    // screen and the public page, within a second.
    secretary.tick("#rakna", "kontrollerade").await;
    let result = [
        "Resultat",
        "Ja 2",
        "Nej 3",
        "Mikaela Waltersson (M)",
        "My Clingston (KD)",
    ];
    // Measured from the click, while the secretary's own page loads.
    let t0 = Instant::now();
    let (posted, on_big, on_public) = tokio::join!(
        async {
            secretary.submit("#rakna").await;
            t0.elapsed()
        },
        shows_since(&big, "storbild", &result, t0, Duration::from_secs(3)),
        shows_since(&public, "direkt", &result, t0, Duration::from_secs(3)),
    );
    secretary.expect_done("count").await;
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

/// Members added to regionfullmäktige for a quorum (the demo seats ten of
/// its 71): 27 more, so that 37 take part.
const MORE: usize = 27;

/// Regionfullmäktige today with the motion's answer, 27 more members and an
/// account for Helene Andersson (C) ("ledamot2"), the third member with a
/// device of her own.
async fn fullmaktige(b: &Browser) -> MeetingId {
    let org = b
        .store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap()
        .id;
    let rf = b
        .store
        .bodies(org)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.name == "Regionfullmäktige")
        .unwrap()
        .id;
    let term = b.store.members(rf).await.unwrap()[0].term.id;
    let mut tx = b.store.begin("user:test").await.unwrap();
    let mut seats = Vec::new();
    for n in 1..=MORE {
        let party = ["S", "M", "SD", "C", "V", "KD", "L", "MP"][n % 8];
        let p = tx
            .add_person(&format!("Ledamot {n:02} Testsson"), Some(party))
            .await
            .unwrap();
        seats.push(kansli_core::org::Membership {
            person: p,
            body: rf,
            term,
            role: kansli_core::org::Role::Member,
            party_group: Some(party.into()),
        });
    }
    tx.add_memberships(&seats).await.unwrap();
    let helene = tx.person_named("Helene Andersson").await.unwrap().unwrap();
    let u = tx
        .add_user(
            "ledamot2",
            "Helene Andersson",
            kansli_demo::DEMO_PASSWORD,
            false,
        )
        .await
        .unwrap();
    tx.link_person(u, helene).await.unwrap();
    tx.commit().await.unwrap();
    planned_in(b, "Regionfullmäktige", false).await
}

/// The texts of the live part's `css` elements, in order.
async fn texts(b: &Browser, css: &str) -> Vec<String> {
    let v = b
        .client
        .execute(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText.trim());",
            vec![json!(css)],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

/// As [`shows`], the time counted from `t0`.
async fn shows_since(
    b: &Browser,
    what: &str,
    texts: &[&str],
    t0: Instant,
    within: Duration,
) -> Duration {
    loop {
        let text = live_text(b).await;
        if texts.iter().all(|x| text.contains(x)) {
            return t0.elapsed();
        }
        if t0.elapsed() > within {
            panic!("{what}: not {texts:?} within {within:?}: «{text}»");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A member's button on their own page: reloads the page first (the page
/// works by reload), presses, and checks the message.
async fn press(b: &Browser, page: &str, css: &str, what: &str) -> String {
    b.goto(page).await;
    b.click(css).await;
    b.expect_done(what).await;
    b.flash().await
}

#[tokio::test]
async fn the_chair_three_members_the_big_screen_and_the_public_at_once() {
    let Some(secretary) = start_at(DAY).await else {
        return;
    };
    let axe = axe_source();
    let meeting = fullmaktige(&secretary).await;
    let m = meeting.0;
    let screen = format!("/sekretariat/sammantraden/{m}/mote");
    let chair_page = format!("/sekretariat/sammantraden/{m}/ordforande");
    let member_page = format!("/sekretariat/sammantraden/{m}/ledamot");
    let chair = secretary.another().await;
    // A: Per Persson (S); B: Lise-Lotte Bensköld Olsson (S); C: Helene
    // Andersson (C).
    let a = secretary.another().await;
    let b = secretary.another().await;
    let c = secretary.another().await;
    let big = secretary.another().await;
    let public = secretary.another().await;

    secretary.sign_in("sekreterare").await;
    secretary.goto(&screen).await;
    secretary.click("button[value=arrive_all]").await;
    secretary.expect_done("everyone arrives").await;
    secretary.click("button[value=open]").await;
    secretary.expect_done("open").await;
    secretary
        .click("button[aria-label='Ta upp Svar på motion om nattbussar']")
        .await;
    secretary.expect_done("take up").await;

    chair.sign_in("ordforande").await;
    for (s, user) in [(&a, "ledamot"), (&b, "justerare"), (&c, "ledamot2")] {
        s.sign_in(user).await;
    }
    big.goto(&format!("/sammantraden/{m}/storbild")).await;
    public.goto(&format!("/sammantraden/{m}/direkt")).await;
    for (s, what) in [(&big, "storbild"), (&public, "direkt")] {
        connected(s, what).await;
        mark(s).await;
        shows(s, what, &[ITEM], Duration::from_secs(2)).await;
    }

    // The chair's view and a member's page, each with axe-core.
    chair.goto(&chair_page).await;
    let text = chair.main_text().await;
    assert!(
        text.contains("Ordförande: Mikaela Waltersson") && text.contains("Ingen har begärt ordet."),
        "{text}"
    );
    checked(&chair, &axe).await;
    a.goto(&member_page).await;
    let text = a.main_text().await;
    assert!(text.contains("Du är närvarande och tjänstgör."), "{text}");
    checked(&a, &axe).await;

    // The talarlista: A asks for the floor and is given it.
    let speech = "form:has(input[name=slag][value=speech]) button";
    let reply = "form:has(input[name=slag][value=reply]) button";
    let give = "form:has(input[name=steg][value=ge_ordet]) button";
    let end = "form:has(input[name=steg][value=avsluta]) button";
    // The chair's view is open: it follows by itself (a reload by live.js).
    chair.goto(&chair_page).await;
    let connected = Instant::now();
    while !chair.main_text().await.contains("Direkt: sidan uppdateras") {
        assert!(
            connected.elapsed() < Duration::from_secs(5),
            "the chair's view never connected"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let f = press(&a, &member_page, speech, "A asks for the floor").await;
    assert!(f.contains("Du är nummer 1 på talarlistan"), "{f}");
    shows(
        &big,
        "storbild",
        &["Talarlistan", "Per Persson (S)"],
        Duration::from_secs(2),
    )
    .await;
    let asked = Instant::now();
    while !chair
        .main_text()
        .await
        .contains("Ge ordet till Per Persson (S)")
    {
        assert!(
            asked.elapsed() < Duration::from_secs(3),
            "the chair's view did not follow"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        chair
            .client
            .find(fantoccini::Locator::Css(give))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Ge ordet till Per Persson (S)"
    );
    chair.click(give).await;
    chair.expect_done("the floor to A").await;
    assert!(chair.flash().await.contains("Per Persson (S) har ordet."));
    shows(
        &big,
        "storbild",
        &["Har ordet: Per Persson (S)"],
        Duration::from_secs(2),
    )
    .await;
    // C asks for the floor, then B for a replik on A: the replik goes first.
    let f = press(&c, &member_page, speech, "C asks for the floor").await;
    assert!(f.contains("Du är nummer 1 på talarlistan"), "{f}");
    b.goto(&member_page).await;
    let text = b.main_text().await;
    assert!(text.contains("Replik på Per Persson (S)"), "{text}");
    checked(&b, &axe).await;
    let f = press(&b, &member_page, reply, "B asks for a replik").await;
    assert!(f.contains("Du är nummer 1 på talarlistan"), "{f}");
    c.goto(&member_page).await;
    let text = c.main_text().await;
    assert!(text.contains("Du är nummer 2 på talarlistan"), "{text}");
    shows(
        &big,
        "storbild",
        &[
            "Har ordet: Per Persson (S)",
            "Lise-Lotte Bensköld Olsson (S)",
            "Helene Andersson (C)",
        ],
        Duration::from_secs(2),
    )
    .await;
    let queue = texts(&big, "[data-live] ol li").await;
    assert_eq!(queue.len(), 2, "{queue:?}");
    assert!(
        queue[0].contains("Lise-Lotte Bensköld Olsson (S)")
            && queue[1].contains("Helene Andersson (C)"),
        "the replik breaks the order: {queue:?}"
    );
    checked(&big, &axe).await;
    chair.goto(&chair_page).await;
    checked(&chair, &axe).await;
    chair.click(end).await;
    chair.expect_done("A's speech ends").await;
    let text = chair.main_text().await;
    assert!(
        text.contains("Ge ordet till Lise-Lotte Bensköld Olsson (S)"),
        "{text}"
    );
    chair.click(give).await;
    chair.expect_done("the replik").await;
    shows(
        &big,
        "storbild",
        &["Har ordet: Lise-Lotte Bensköld Olsson (S)"],
        Duration::from_secs(2),
    )
    .await;
    let queue = texts(&big, "[data-live] ol li").await;
    assert!(
        queue.len() == 1 && queue[0].contains("Helene Andersson (C)"),
        "{queue:?}"
    );
    chair.click(end).await;
    chair.expect_done("the replik ends").await;
    chair.click(give).await;
    chair.expect_done("the floor to C").await;
    shows(
        &big,
        "storbild",
        &["Har ordet: Helene Andersson (C)"],
        Duration::from_secs(2),
    )
    .await;
    chair.click(end).await;
    chair.expect_done("C's speech ends").await;

    // Two yrkanden and the request for a vote on the secretary's screen,
    // the proposition by the chair.
    secretary.goto(&screen).await;
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
    chair.goto(&chair_page).await;
    chair
        .click("form:has(input[name=steg][value=proposition]) input[name=finner][value='0']")
        .await;
    chair
        .click("form:has(input[name=steg][value=proposition]) button")
        .await;
    chair.expect_done("proposition").await;
    secretary.goto(&screen).await;
    secretary.choose("v-by", "Per Persson").await;
    secretary
        .submit("form:has(input[value=request_vote])")
        .await;
    secretary.expect_done("vote requested").await;

    // C's page is open before the votering: the ballot form comes to it.
    c.goto(&member_page).await;
    mark(&c).await;

    // The chair approves the voting order: the votering opens.
    chair.goto(&chair_page).await;
    chair
        .click("form:has(input[name=steg][value=voteringsordning]) button")
        .await;
    chair.expect_done("voting order").await;
    let of = 10 + MORE;
    let none = format!("0 av {of} har röstat");
    assert!(chair.main_text().await.contains(&none));
    checked(&chair, &axe).await;
    for (s, what) in [(&big, "storbild"), (&public, "direkt")] {
        shows(
            s,
            what,
            &["Votering pågår", none.as_str()],
            Duration::from_secs(2),
        )
        .await;
    }
    let pushed = shows(
        &c,
        "ledamot",
        &["Omröstning pågår", none.as_str(), "Rösta"],
        Duration::from_secs(2),
    )
    .await;
    eprintln!("the ballot form on a member's open page after {pushed:?}");
    not_reloaded(&c, "ledamot").await;

    // The members vote from their own pages, each with a receipt; A changes
    // her mind before the count. The big screen counts, and shows not how.
    let vote = |choice: &str| format!("form[action$='/rost'] input[name=val][value={choice}]");
    let cast = "form[action$='/rost'] button";
    for (n, (s, choice, receipt)) in [
        (&a, "ja", "Din röst är registrerad: Ja, kl. "),
        (&a, "nej", "Din röst är ändrad: Nej"),
        (&b, "nej", "Din röst är registrerad: Nej, kl. "),
        (&c, "avstar", "Din röst är registrerad: Avstår, kl. "),
    ]
    .into_iter()
    .enumerate()
    {
        // C votes in the form pushed to the page (live.js gave it the
        // csrf and a key), the others on a page loaded during the votering.
        if n != 3 {
            s.goto(&member_page).await;
        }
        if n == 0 {
            checked(s, &axe).await;
        }
        s.click(&vote(choice)).await;
        s.click(cast).await;
        s.expect_done("a ballot").await;
        let f = s.flash().await;
        assert!(f.contains(receipt), "{f}");
        let count = format!("{} av {of} har röstat", [1, 1, 2, 3][n]);
        shows(&big, "storbild", &[count.as_str()], Duration::from_secs(2)).await;
        let text = live_text(&big).await;
        assert!(
            !text.contains("Resultat") && !text.contains("Avstår"),
            "{text}"
        );
    }
    // The others in the roll call on the secretary's screen.
    let roster = secretary
        .store
        .proceedings(meeting)
        .await
        .unwrap()
        .setting()
        .roster
        .clone();
    let mut votes = Vec::new();
    let mut testers = 0;
    for seat in &roster {
        let name = seat.person.name.as_str();
        let choice = match name {
            "Per Persson" | "Lise-Lotte Bensköld Olsson" | "Helene Andersson" => continue,
            "Mikaela Waltersson" | "My Clingston" => "ja",
            n if n.ends_with("Testsson") => {
                testers += 1;
                if testers <= 13 { "ja" } else { "nej" }
            }
            _ => "nej",
        };
        votes.push(json!(["votes", format!("{}:{choice}", seat.person.id.0)]));
    }
    secretary.goto(&screen).await;
    votes.push(json!(["csrf", secretary_csrf(&secretary).await]));
    votes.push(json!(["command", "roll_call"]));
    let (status, _) = secretary.post(&screen, json!(votes)).await;
    assert_eq!(status, 200, "the roll call");
    let all = format!("{of} av {of} har röstat");
    for (s, what) in [(&big, "storbild"), (&public, "direkt")] {
        shows(s, what, &[all.as_str()], Duration::from_secs(2)).await;
    }
    chair.goto(&chair_page).await;
    assert!(chair.main_text().await.contains(&all));

    // The chair closes the votering: the result on the big screen and the
    // public page within a second of the click.
    let result = ["Resultat", "Ja 15", "Nej 21", "Avstår 1"];
    let t0 = Instant::now();
    let (_, on_big, on_public) = tokio::join!(
        async {
            chair
                .click("form:has(input[name=steg][value=rakna]) button")
                .await;
            t0.elapsed()
        },
        shows_since(&big, "storbild", &result, t0, Duration::from_secs(3)),
        shows_since(&public, "direkt", &result, t0, Duration::from_secs(3)),
    );
    chair.expect_done("the count").await;
    eprintln!(
        "the chair's close: the result on the storbild after {on_big:?}, on the public page after {on_public:?}"
    );
    assert!(on_big < Duration::from_secs(1), "storbild: {on_big:?}");
    assert!(on_public < Duration::from_secs(1), "direkt: {on_public:?}");
    // Each member's vote by name on the big screen.
    let rows = texts(&big, "table.live-ballots tbody tr").await;
    assert_eq!(rows.len(), of, "{rows:?}");
    for row in [
        "Per Persson (S)\tNej",
        "Lise-Lotte Bensköld Olsson (S)\tNej",
        "Helene Andersson (C)\tAvstår",
        "Mikaela Waltersson (M)\tJa",
        "Ledamot 01 Testsson (M)\tJa",
    ] {
        assert!(rows.iter().any(|r| r == row), "{row} in {rows:?}");
    }
    for (s, what) in [(&big, "storbild"), (&public, "direkt")] {
        not_reloaded(s, what).await;
        checked(s, &axe).await;
    }

    // The decision by the chair; the item finished on the secretary's
    // screen.
    chair
        .click("form:has(input[name=steg][value=besluta]) button")
        .await;
    chair.expect_done("decide").await;
    shows(
        &public,
        "direkt",
        &["bifalla motionen om nattbussar"],
        Duration::from_secs(2),
    )
    .await;
    secretary.goto(&screen).await;
    secretary.tick("#klar", "Inga fler").await;
    secretary.click("button[value=finish]").await;
    secretary.expect_done("finish").await;

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
    assert!(
        text.contains("15 ja-röster") && text.contains("21 nej-röster"),
        "{text}"
    );
    assert!(text.contains("bifalla motionen om nattbussar"), "{text}");
    assert!(text.contains("Helene Andersson"), "{text}");

    for s in [big, public, a, b, c, chair, secretary] {
        s.client.close().await.ok();
    }
}
