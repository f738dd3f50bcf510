//! Phone: at 390 px every page kind asked for — the public start page, the
//! meetings list, a paragraph, the anslagstavlor, the secretary's start
//! page and the meeting page; in a live meeting (#20) the member's own
//! page and the chair's view, their buttons large enough to touch — is as wide as the screen (the page's
//! scrollWidth equals its width: tables wrap or scroll inside their own
//! wrapper), passes the basic checks and axe-core, and is kept as a
//! screenshot under `target/screenshots/`.

mod support;
use support::browser::*;

const WIDTH: i64 = 390;

async fn set_phone(b: &Browser) {
    b.client.set_window_size(WIDTH as u32, 844).await.unwrap();
    // The window's frame, if any, is not part of the viewport: widen by it.
    let inner = b
        .client
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    if inner != WIDTH {
        b.client
            .set_window_size((2 * WIDTH - inner) as u32, 844)
            .await
            .unwrap();
    }
}

/// Asserts that nothing on the page is wider than the screen, and keeps a
/// screenshot named `name`.
async fn fits(b: &Browser, name: &str, axe: Option<&str>) {
    let widths = b
        .client
        .execute(
            "const d = document.documentElement;
             const wide = [...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > d.clientWidth + 1)
               .filter(e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                   const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return false; }
                 return true; })
               .slice(0, 5)
               .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40));
             return [window.innerWidth, d.clientWidth, d.scrollWidth, document.body.scrollWidth, wide];",
            vec![],
        )
        .await
        .unwrap();
    let w = widths.as_array().unwrap();
    assert_eq!(w[0].as_i64(), Some(WIDTH), "viewport of {name}");
    assert_eq!(
        w[2], w[1],
        "{name}: the page's scrollWidth equals its width ({widths})"
    );
    assert!(w[3].as_i64() <= w[1].as_i64(), "{name}: {widths}");
    assert_eq!(w[4], serde_json::json!([]), "{name}: cut off: {widths}");
    b.check_page().await;
    if let Some(axe) = axe {
        b.axe(axe).await;
    }
    let png = b.client.screenshot().await.unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("phone-{name}.png")), png).unwrap();
}

#[tokio::test]
async fn every_page_kind_fits_a_phone_at_390_px() {
    let Some(b) = start().await else { return };
    let axe = axe_source();
    // A posted protocol, so that its paragraphs and its notice are public.
    let rsau = b
        .store
        .all_meetings()
        .await
        .unwrap()
        .into_iter()
        .find(|m| {
            m.body.name == "Regionstyrelsens arbetsutskott"
                && m.meeting.date == jiff::civil::date(2025, 1, 28)
        })
        .unwrap();
    let d = |m, day| jiff::civil::date(2025, m, day);
    let mut tx = b.store.begin("user:test").await.unwrap();
    tx.set_meeting_status(
        rsau.meeting.id,
        &kansli_core::meeting::MeetingStatus::Approved { approved: d(2, 24) },
    )
    .await
    .unwrap();
    tx.post_notice(rsau.meeting.id, d(2, 25), "Regionkontoret, Halmstad")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let meeting = rsau.meeting.id.0;

    b.goto("/").await;
    set_phone(&b).await;
    b.goto("/").await;
    fits(&b, "start", axe.as_deref()).await;
    b.goto("/sammantraden").await;
    fits(&b, "sammantraden", axe.as_deref()).await;
    let text = b.main_text().await;
    assert!(text.contains("Protokollet justerat och anslaget"), "{text}");
    b.goto(&format!("/sammantraden/{meeting}")).await;
    fits(&b, "sammantrade", axe.as_deref()).await;
    b.goto(&format!("/sammantraden/{meeting}/paragrafer/14"))
        .await;
    fits(&b, "paragraf", axe.as_deref()).await;
    assert!(
        b.main_text().await.contains("Voteringslista")
            || b.main_text().await.contains("Omröstning")
    );
    b.goto("/anslagstavla").await;
    fits(&b, "anslagstavlor", axe.as_deref()).await;
    b.goto(&format!(
        "/organisationer/{}/anslagstavla",
        rsau.organisation.id.0
    ))
    .await;
    fits(&b, "anslagstavla", axe.as_deref()).await;
    assert!(b.main_text().await.contains("laglighetsprövning"));

    // Signed in: the menu names the user and offers to sign out.
    b.sign_in("sekreterare").await;
    set_phone(&b).await;
    b.goto("/sekretariat").await;
    fits(&b, "sekretariat", axe.as_deref()).await;
    let menu = b
        .client
        .find(fantoccini::Locator::Css("header.site nav"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        menu.contains("Logga ut")
            && menu.contains("Nämndsekreteraren (demo)")
            && !menu.contains("Logga in"),
        "{menu}"
    );
    b.goto(&format!("/sekretariat/sammantraden/{meeting}"))
        .await;
    fits(&b, "sekretariat-sammantrade", axe.as_deref()).await;
    b.goto(&format!(
        "/sekretariat/organisationer/{}/arenden",
        rsau.organisation.id.0
    ))
    .await;
    fits(&b, "sekretariat-arenden", axe.as_deref()).await;
    // Signing out from the menu: "Logga in" again.
    b.click("header.site form[action='/logga-ut'] button").await;
    b.goto("/sammantraden").await;
    let menu = b
        .client
        .find(fantoccini::Locator::Css("header.site nav"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        menu.contains("Logga in") && !menu.contains("Logga ut"),
        "{menu}"
    );
}

/// Asserts that every button and every choice of a radio group in the
/// live part is at least 44 × 44 px (WCAG 2.5.5's size; the live pages are
/// used by touch, #20) and returns how many there are.
async fn touch_targets(b: &Browser, name: &str) -> u64 {
    let found = b
        .client
        .execute(
            "const small = [], all = [...document.querySelectorAll('.live button, .live label:has(input[type=radio])')];
             for (const e of all) { const r = e.getBoundingClientRect();
               if (r.height < 44 || r.width < 44) small.push(e.textContent.trim().slice(0, 40) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height)); }
             return [all.length, small];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        found[1],
        serde_json::json!([]),
        "{name}: small touch targets"
    );
    found[0].as_u64().unwrap()
}

/// #20: a live meeting of the arbetsutskott today, the item taken up, Per
/// Persson on the talarlista with Lise-Lotte Bensköld Olsson speaking, and a
/// votering open: the member's page and the chair's view at 390 px.
#[tokio::test]
async fn the_members_page_and_the_chairs_view_fit_a_phone_at_390_px() {
    use kansli_core::decision::{Clause, Decision, Formula};
    use kansli_core::floor::FloorKind;
    use kansli_core::meeting::{Actor, AgendaItem, ItemKind, ProposalKind};
    use kansli_core::proceedings::Command;
    let Some(b) = start().await else { return };
    let axe = axe_source();
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
    let today: jiff::civil::Date = TODAY.parse().unwrap();
    let mut tx = b.store.begin("user:test").await.unwrap();
    let meeting = tx
        .plan_meeting(rsau, today, None, "Regionens hus")
        .await
        .unwrap();
    let (case, _) = tx
        .register_case(org, "Motion om nattbussar", today)
        .await
        .unwrap();
    tx.set_agenda(
        meeting,
        &[AgendaItem {
            title: "Svar på motion om nattbussar".into(),
            case: Some(case),
            kind: ItemKind::Decision,
            access: kansli_core::Access::Public,
            basis: vec![],
            paragraph: None,
            presenter: None,
        }],
    )
    .await
    .unwrap();
    tx.issue_notice(meeting).await.unwrap();
    tx.commit().await.unwrap();
    let roster: Vec<_> = b
        .store
        .proceedings(meeting)
        .await
        .unwrap()
        .setting()
        .roster
        .iter()
        .map(|s| (s.person.name.clone(), s.person.id))
        .collect();
    let who = |name: &str| roster.iter().find(|(n, _)| n == name).unwrap().1;
    let decides = |t: &str| Decision::single(Formula::Decides, vec![Clause::new(t)]);
    let mut commands: Vec<Command> = roster
        .iter()
        .map(|(_, p)| Command::Arrive { person: *p })
        .collect();
    commands.extend([
        Command::Open {
            at: None,
            on: Some(today),
        },
        Command::TakeUp {
            item: 0,
            draft_decision: Some(decides("avslå motionen")),
        },
        Command::RequestFloor {
            person: who("Lise-Lotte Bensköld Olsson"),
            kind: FloorKind::Speech,
        },
        Command::GiveFloor {
            person: who("Lise-Lotte Bensköld Olsson"),
        },
        Command::RequestFloor {
            person: who("Per Persson"),
            kind: FloorKind::Speech,
        },
        Command::Move {
            movers: vec![Actor::Person {
                person: who("Per Persson"),
            }],
            kind: ProposalKind::Bifall,
            text: "bifall till motionen".into(),
            decision: Some(decides("bifalla motionen")),
        },
        Command::Move {
            movers: vec![Actor::Person {
                person: who("Mikaela Waltersson"),
            }],
            kind: ProposalKind::Avslag,
            text: "avslag på motionen".into(),
            decision: Some(decides("avslå motionen")),
        },
    ]);
    for command in commands {
        let mut tx = b.store.begin("user:sekreterare").await.unwrap();
        tx.record_command(meeting, &command)
            .await
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
        tx.commit().await.unwrap();
    }
    let m = meeting.0;
    let member_page = format!("/sekretariat/sammantraden/{m}/ledamot");
    let chair_page = format!("/sekretariat/sammantraden/{m}/ordforande");

    // A written yrkande waiting for the chair (#20 L1): Godta and Avböj.
    let mut tx = b.store.begin("user:justerare").await.unwrap();
    tx.submit_proposal(
        meeting,
        who("Lise-Lotte Bensköld Olsson"),
        ProposalKind::Andring,
        "att motionen bifalls med den ändringen att nattbussarna går till 02.00",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Before the votering: the talarlista and the proposition.
    b.sign_in("ordforande").await;
    set_phone(&b).await;
    b.goto(&chair_page).await;
    fits(&b, "ordforande", axe.as_deref()).await;
    assert!(touch_targets(&b, "ordforande").await >= 4);
    let text = b.main_text().await;
    assert!(
        text.contains("Skriftliga yrkanden att ta ställning till"),
        "{text}"
    );
    b.sign_in("ledamot").await;
    set_phone(&b).await;
    b.goto(&member_page).await;
    fits(&b, "ledamot", axe.as_deref()).await;
    assert!(touch_targets(&b, "ledamot").await >= 1);
    let text = b.main_text().await;
    assert!(text.contains("Du är nummer 1 på talarlistan"), "{text}");
    assert!(text.contains("Lämna yrkandet till ordföranden"), "{text}");

    // The votering open: the ballot on the member's page, the count on the
    // chair's view.
    for command in [
        Command::Put {
            put: vec![0, 1],
            found_for: Some(1),
        },
        Command::RequestVote {
            by: who("Per Persson"),
        },
        Command::ApproveVotingOrder {
            ja: Some(1),
            nej: Some(0),
        },
    ] {
        let mut tx = b.store.begin("user:sekreterare").await.unwrap();
        tx.record_command(meeting, &command)
            .await
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
        tx.commit().await.unwrap();
    }
    b.goto(&member_page).await;
    fits(&b, "ledamot-votering", axe.as_deref()).await;
    assert!(touch_targets(&b, "ledamot-votering").await >= 4);
    b.sign_in("ordforande").await;
    set_phone(&b).await;
    b.goto(&chair_page).await;
    fits(&b, "ordforande-votering", axe.as_deref()).await;
    touch_targets(&b, "ordforande-votering").await;
    let text = b.main_text().await;
    assert!(text.contains("0 av 5 har röstat."), "{text}");
}
