//! Before the meeting, in headless Chromium (issue #18): the secretary
//! plans a meeting, edits and reorders its items, removes one after
//! confirming, and cancels the meeting, which the public pages then show
//! as inställt. Every page is checked for WCAG basics and with axe-core.

mod support;

use support::browser::*;

const TITLES: [&str; 3] = ["Val av justerare", "Budget 2027", "Informationsärenden"];

async fn agenda_titles(b: &Browser, meeting: kansli_core::MeetingId) -> Vec<String> {
    b.store
        .meeting_record(meeting)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|i| i.title)
        .collect()
}

#[tokio::test]
async fn the_secretary_edits_reorders_removes_and_cancels_and_the_public_sees_inställt() {
    let Some(b) = start_at("2026-12-01").await else {
        return;
    };
    let axe = axe_source();
    let org = b
        .store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap();
    let body = b
        .store
        .bodies(org.id)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.name == "Regionstyrelsen")
        .unwrap()
        .id;
    b.sign_in("sekreterare").await;

    // Planned, with three items.
    b.goto(&format!("/sekretariat/organ/{}/sammantraden", body.0))
        .await;
    b.set("p-date", "2026-12-15").await;
    b.set("p-starts", "13:00").await;
    b.fill("#p-place", "Regionens hus, Halmstad").await;
    b.submit(&format!(
        "form[action='/sekretariat/organ/{}/sammantraden']",
        body.0
    ))
    .await;
    b.expect_done("planned").await;
    let path = b.path().await;
    let meeting = kansli_core::MeetingId(
        path.rsplit('/')
            .next()
            .unwrap()
            .parse()
            .expect("the meeting's page"),
    );
    for t in TITLES {
        b.fill("#a-title", t).await;
        b.submit("#lagg-till").await;
        b.expect_done(t).await;
    }
    assert_eq!(agenda_titles(&b, meeting).await, TITLES);
    b.check_page().await;
    if let Some(axe) = &axe {
        b.axe(axe).await;
    }

    // Item 2 edited: a new title and a föredragande.
    b.click("#punkt-1 details.edit-item summary").await;
    b.fill("#e1-title", "Budget och verksamhetsplan 2027").await;
    b.choose("e1-presenter", "Per Persson").await;
    b.submit("#punkt-1 details.edit-item form").await;
    b.expect_done("edited").await;
    assert!(b.flash().await.contains("Punkt 2 är ändrad."));
    let text = b.main_text().await;
    assert!(text.contains("Budget och verksamhetsplan 2027"), "{text}");
    assert!(text.contains("Föredragande: Per Persson"), "{text}");

    // Reordered: the last item up.
    b.click("button[aria-label='Flytta upp Informationsärenden']")
        .await;
    b.expect_done("moved up").await;
    assert_eq!(
        agenda_titles(&b, meeting).await,
        [
            "Val av justerare",
            "Informationsärenden",
            "Budget och verksamhetsplan 2027"
        ]
    );

    // Removed: without the confirmation the server refuses (a request as
    // a page without the required box would send it), then confirmed.
    let csrf = b.csrf().await;
    let (status, page) = b
        .post(
            &format!("/sekretariat/sammantraden/{}/dagordning", meeting.0),
            serde_json::json!({"csrf": csrf, "action": "remove", "index": "1",
                               "expected": "Informationsärenden"}),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("bekräfta att punkten ska tas bort"), "{page}");
    assert_eq!(agenda_titles(&b, meeting).await.len(), 3);
    b.goto(&format!("/sekretariat/sammantraden/{}", meeting.0))
        .await;
    b.click("#punkt-1 details.remove-item summary").await;
    b.tick("#punkt-1 details.remove-item form", "Ja, ta bort")
        .await;
    b.submit("#punkt-1 details.remove-item form").await;
    b.expect_done("removed").await;
    assert_eq!(
        agenda_titles(&b, meeting).await,
        ["Val av justerare", "Budget och verksamhetsplan 2027"]
    );
    assert!(
        b.main_text()
            .await
            .contains("Utgår: «Informationsärenden» (var punkt 2).")
    );
    b.check_page().await;
    if let Some(axe) = &axe {
        b.axe(axe).await;
    }

    // Cancelled, with the reason, after confirming.
    b.click("#d-installa summary").await;
    b.fill("#c-reason", "För få ärenden").await;
    b.tick("#installa", "Ja, ställ in").await;
    b.submit("#installa").await;
    b.expect_done("cancelled").await;
    let text = b.main_text().await;
    assert!(
        text.contains("Sammanträdet är inställt. Skäl: För få ärenden"),
        "{text}"
    );
    assert!(!text.contains("Lägg till punkt"), "{text}");

    // The public pages: the meeting, the body's list, all meetings.
    b.client.delete_all_cookies().await.unwrap();
    b.goto(&format!("/sammantraden/{}", meeting.0)).await;
    let text = b.main_text().await;
    assert!(text.contains("Inställt"), "{text}");
    assert!(text.contains("Sammanträdet är inställt."), "{text}");
    assert!(!text.contains("Budget och verksamhetsplan"), "{text}");
    b.check_page().await;
    if let Some(axe) = &axe {
        b.axe(axe).await;
    }
    b.goto(&format!("/organ/{}", body.0)).await;
    let row = b
        .client
        .find(fantoccini::Locator::XPath(&format!(
            "//tr[.//a[@href='/sammantraden/{}']]",
            meeting.0
        )))
        .await
        .expect("the meeting in the body's list")
        .text()
        .await
        .unwrap();
    assert!(
        row.contains("2026-12-15") && row.contains("Inställt"),
        "{row}"
    );
    b.check_page().await;
    b.goto("/sammantraden").await;
    assert!(b.main_text().await.contains("Inställt"));
}
