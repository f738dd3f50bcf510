//! The meeting screen in headless Chromium (#18): a roll call entered in
//! one form and corrected before the count, then the item reopened and
//! decided again, with confirmations ticked as a secretary would, and the
//! page checked for accessibility at each stage.

mod support;

use fantoccini::Locator;
use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::meeting::{AgendaItem, ItemKind, VoteChoice};
use kansli_core::{Access, MeetingId, PersonId};
use support::browser::*;

/// A meeting of the arbetsutskott today with a motion's answer whose
/// officer's report proposes to reject it.
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
    let date = jiff::civil::date(2025, 5, 6);
    let mut tx = b.store.begin("user:test").await.unwrap();
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
        &[AgendaItem {
            title: "Svar på motion om nattbussar".into(),
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

#[tokio::test]
async fn a_roll_call_corrected_before_the_count_and_the_item_reopened() {
    let Some(b) = start_at("2025-05-06").await else {
        return;
    };
    let axe = axe_source();
    let meeting = planned(&b).await;
    let screen = format!("/sekretariat/sammantraden/{}/mote", meeting.0);
    b.sign_in("sekreterare").await;
    b.goto(&screen).await;
    checked(&b, &axe).await;

    b.click("button[value=arrive_all]").await;
    b.expect_done("everyone arrives").await;
    b.click("button[value=open]").await;
    b.expect_done("open").await;
    b.click("button[aria-label='Ta upp Svar på motion om nattbussar']")
        .await;
    b.expect_done("take up").await;
    let text = b.main_text().await;
    assert!(
        text.contains("Förslag till beslut") && text.contains("att avslå motionen om nattbussar"),
        "{text}"
    );

    // Two yrkanden, by mover and text.
    b.tick("form:has(input[value=move])", "Mikaela Waltersson")
        .await;
    b.choose("m-kind", "bifall").await;
    b.fill("#m-text", "bifall till förslaget").await;
    b.submit("form:has(input[value=move])").await;
    b.expect_done("first yrkande").await;
    b.client
        .execute(
            "document.querySelector('details:has(input[value=move])').open = true;",
            vec![],
        )
        .await
        .unwrap();
    b.tick("form:has(input[value=move])", "Bensköld Olsson")
        .await;
    b.choose("m-kind", "ändringsyrkande").await;
    b.fill("#m-text", "bifall till motionen").await;
    b.fill("#m-clauses", "bifalla motionen om nattbussar").await;
    b.submit("form:has(input[value=move])").await;
    b.expect_done("second yrkande").await;
    checked(&b, &axe).await;

    // The chair's proposition, the vote requested, the voting order: each
    // chosen, none preset.
    b.tick(
        "form:has(input[value=put])",
        "Yrkande 1 (Mikaela Waltersson",
    )
    .await;
    b.submit("form:has(input[value=put])").await;
    b.expect_done("proposition").await;
    b.choose("v-by", "Per Persson").await;
    b.submit("form:has(input[value=request_vote])").await;
    b.expect_done("vote requested").await;
    b.tick(
        "form:has(input[value=voting_order])",
        "Ja-röst för Yrkande 1",
    )
    .await;
    b.submit("form:has(input[value=voting_order])").await;
    b.expect_done("voting order").await;
    checked(&b, &axe).await;

    // The whole roll call in one form, one submit.
    let names = [
        ("Mikaela Waltersson", "Ja"),
        ("Helene Andersson", "Ja"),
        ("Lise-Lotte Bensköld Olsson", "Nej"),
        ("My Clingston", "Ja"),
        ("Per Persson", "Nej"),
    ];
    for (name, vote) in names {
        let id = person(&b, meeting, name).await;
        b.choose(&format!("r-{}", id.0), vote).await;
    }
    b.click("#upprop-form > button[type=submit]").await;
    b.expect_done("the roll call").await;
    let clingston = person(&b, meeting, "My Clingston").await;
    let ballots = b
        .store
        .proceedings(meeting)
        .await
        .unwrap()
        .snapshot()
        .ballots;
    assert_eq!(ballots.len(), 5);
    assert_eq!(
        ballots
            .iter()
            .find(|x| x.person == clingston)
            .unwrap()
            .choice,
        VoteChoice::Ja
    );
    // Clingston said nej: corrected before the count.
    b.click("button[aria-label='Rätta My Clingston (KD)s röst till nej']")
        .await;
    b.expect_done("the correction").await;
    let ballots = b
        .store
        .proceedings(meeting)
        .await
        .unwrap()
        .snapshot()
        .ballots;
    assert_eq!(
        ballots
            .iter()
            .find(|x| x.person == clingston)
            .unwrap()
            .choice,
        VoteChoice::Nej
    );
    checked(&b, &axe).await;
    // The count asks for confirmation: without it, refused.
    b.client
        .execute(
            "document.querySelector('#rakna input[name=confirm]').removeAttribute('required');",
            vec![],
        )
        .await
        .unwrap();
    b.submit("#rakna").await;
    assert!(
        b.flash().await.contains("kryssa i rutan"),
        "{}",
        b.flash().await
    );
    b.tick("#rakna", "kontrollerade").await;
    b.submit("#rakna").await;
    b.expect_done("count").await;
    let text = b.main_text().await;
    assert!(text.contains("2 ja-röster och 3 nej-röster"), "{text}");
    assert!(!text.contains("Upprop"), "{text}");
    b.submit("#beslut").await;
    b.expect_done("decide").await;
    assert!(
        b.main_text()
            .await
            .contains("bifalla motionen om nattbussar")
    );
    b.tick("#klar", "Inga fler").await;
    b.click("button[value=finish]").await;
    b.expect_done("finish").await;

    // The item reopened, confirmed: decided again, the other way.
    b.tick("form:has(button[value=reopen])", "tas bort").await;
    b.click("button[value=reopen]").await;
    b.expect_done("reopen").await;
    checked(&b, &axe).await;
    let text = b.main_text().await;
    assert!(text.contains("(behandlas)"), "{text}");
    assert!(!text.contains("beslut fattat"), "{text}");
    assert!(
        b.client
            .find(Locator::Css("form:has(input[value=put])"))
            .await
            .is_ok(),
        "the proposition is to be put again"
    );
    b.tick(
        "form:has(input[value=put])",
        "Yrkande 1 (Mikaela Waltersson",
    )
    .await;
    b.submit("form:has(input[value=put])").await;
    b.expect_done("proposition again").await;
    b.submit("#beslut").await;
    b.expect_done("decide again").await;
    let record = b.store.meeting_record(meeting).await.unwrap();
    let paragraph = record.items[0].paragraph.as_ref().unwrap();
    assert!(paragraph.votes.is_empty());
    assert_eq!(
        paragraph.decision.as_ref().unwrap().parts[0].clauses[0].text,
        "avslå motionen om nattbussar"
    );
    b.tick("#klar", "Inga fler").await;
    b.click("button[value=finish]").await;
    b.expect_done("finish again").await;
    b.tick("#avsluta", "avslutas").await;
    b.click("button[value=close]").await;
    b.expect_done("close").await;
    checked(&b, &axe).await;
}
