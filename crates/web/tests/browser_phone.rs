//! Phone: at 390 px every page kind asked for — the public start page, the
//! meetings list, a paragraph, the anslagstavlor, the secretary's start
//! page and the meeting page — is as wide as the screen (the page's
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
