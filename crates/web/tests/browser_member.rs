//! In headless Chromium: a member reports förhinder on their start page,
//! the secretary calls in the substitute the serving order proposes with
//! one click, and on the meeting screen the substitute arrives and serves
//! for the member. Every page on the way passes axe-core.

mod members_setup;
mod support;

use members_setup::*;
use support::browser::*;

#[tokio::test]
async fn a_forhinder_is_reported_the_substitute_called_in_and_serving_on_the_screen() {
    let axe = axe_source();
    let Some(b) = start_at("2025-02-01").await else {
        return;
    };
    let org = b
        .store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap()
        .id;
    let f = prepare(&b.store, org).await;
    let m = f.meeting.0;

    // The member, from the start page.
    b.sign_in("ledamot").await;
    b.follow("Mina sammanträden").await;
    assert_eq!(b.path().await, "/sekretariat/ledamot");
    b.check_page().await;
    if let Some(axe) = &axe {
        b.axe(axe).await;
    }
    let form = format!("form[action='/sekretariat/sammantraden/{m}/forhinder']");
    b.fill(&format!("#f{m}-reason"), "Sjuk").await;
    b.submit(&form).await;
    b.expect_done("report förhinder").await;
    let text = b.main_text().await;
    assert!(text.contains("Förhinder för hela sammanträdet"), "{text}");
    b.follow("Välj vilken e-post du får").await;
    b.check_page().await;
    if let Some(axe) = &axe {
        b.axe(axe).await;
    }

    // The secretary sees it on the meeting page and calls Anna in.
    b.sign_in("sekreterare").await;
    b.goto(&format!("/sekretariat/sammantraden/{m}")).await;
    let text = b.main_text().await;
    assert!(
        text.contains("Per Persson (S): hela sammanträdet (Sjuk)"),
        "{text}"
    );
    b.click_xpath("//button[contains(., 'Kalla in Anna Andersson (S)')]")
        .await;
    b.expect_done("call in").await;
    assert!(
        b.flash()
            .await
            .contains("Anna Andersson (S) är inkallad att tjänstgöra för Per Persson (S)."),
    );
    assert_eq!(
        b.path().await,
        format!("/sekretariat/sammantraden/{m}/forhinder")
    );
    b.check_page().await;
    if let Some(axe) = &axe {
        b.axe(axe).await;
    }

    // On the screen: one click, and she serves for him.
    b.goto(&format!("/sekretariat/sammantraden/{m}/mote")).await;
    b.check_page().await;
    let text = b.main_text().await;
    assert!(text.contains("Inkallad: Anna Andersson (S)"), "{text}");
    b.click_xpath(
        "//button[contains(., 'Anna Andersson (S) ankommer och tjänstgör för Per Persson (S)')]",
    )
    .await;
    b.expect_done("arrive and serve").await;
    let row = b
        .client
        .execute(
            "const r = [...document.querySelectorAll('#narvaro tr')].find(r => r.textContent.includes('Anna Andersson')); return r ? r.textContent : '';",
            vec![],
        )
        .await
        .unwrap();
    let row = row.as_str().unwrap_or_default().to_string();
    assert!(row.contains("tjänstgör för Per Persson (S)"), "{row}");
    // Nothing more to click for her.
    let text = b.main_text().await;
    assert!(!text.contains("ankommer och tjänstgör"), "{text}");
    if let Some(axe) = &axe {
        b.axe(axe).await;
    }
}
