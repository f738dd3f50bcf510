//! Browser tests: real headless Chromium, driven over WebDriver
//! (chromedriver) with fantoccini, against the real server on a random port
//! with a fresh SQLite database holding the demo. The whole path of the
//! fixture's §14 — motion, officer's report, agenda, meeting with a
//! roll-call vote and a reservation, justering by chair and approver, the
//! notice on the anslagstavla — then refusals, and roles in the browser.
//!
//! Needs `chromium` and `chromedriver` (Debian: chromium, chromium-driver).
//! Without them the tests say SKIPPED, unless KANSLI_REQUIRE_BROWSER=1
//! (set by .ci/run, which installs them), which makes that a failure.

mod support;

use fantoccini::Locator;
use serde_json::json;
use support::browser::*;

#[tokio::test]
async fn the_secretariat_takes_a_motion_to_a_posted_notice() {
    let Some(b) = start().await else { return };
    let title = "Motion om mottagning för köpare av sexuella tjänster (KAST-mottagning)";

    // -- The registry: the secretary registers the case and the motion.
    b.sign_in("sekreterare").await;
    b.follow("Ärenden i Region Halland").await;
    b.check_page().await;
    b.fill("#title", title).await;
    b.set("registered", "2025-02-03").await;
    b.submit("form[action$='/arenden']").await;
    b.expect_done("register the case").await;
    let flash = b.flash().await;
    let number = flash
        .split_whitespace()
        .find(|w| w.starts_with("RS25"))
        .unwrap_or_else(|| panic!("a case number in «{flash}»"))
        .trim_end_matches('.')
        .to_string();
    let case_path = b.path().await;
    b.check_page().await;

    b.fill("#m-title", title).await;
    b.set("m-filed", "2025-02-03").await;
    for mover in ["Johan Lindahl", "Anna Eksted Lingvall", "Malin Karlsson"] {
        b.tick("form[action$='/motion']", mover).await;
    }
    b.choose("m-ref", "Regionstyrelsen").await;
    b.submit("form[action$='/motion']").await;
    b.expect_done("register the motion").await;
    let text = b.main_text().await;
    for mover in [
        "Johan Lindahl (S)",
        "Anna Eksted Lingvall (S)",
        "Malin Karlsson (S)",
    ] {
        assert!(text.contains(mover), "{mover}: {text}");
    }
    assert!(
        text.contains("2026-02-03"),
        "the motion's one-year date: {text}"
    );

    // The motion as sent in, with its file, and a secret statement.
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("motion-kast.pdf");
    std::fs::write(
        &pdf,
        b"%PDF-1.4\n% Kansli test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    )
    .unwrap();
    b.fill(
        "#doc-title",
        "Motion från Socialdemokraterna avseende KAST-mottagning",
    )
    .await;
    b.choose("doc-kind", "otion").await;
    b.fill("#doc-counterpart", "Johan Lindahl (S)").await;
    b.client
        .find(Locator::Css("#doc-file"))
        .await
        .unwrap()
        .send_keys(&pdf.display().to_string())
        .await
        .unwrap();
    b.submit("form[action*='/handlingar']").await;
    b.expect_done("register the document with its file").await;
    let text = b.main_text().await;
    assert!(text.contains("motion-kast.pdf"), "{text}");
    assert!(
        text.contains(&kansli_store::access::sha256_hex(
            &std::fs::read(&pdf).unwrap()
        )),
        "hash shown"
    );

    b.fill("#doc-title", "Yttrande med uppgifter om enskild")
        .await;
    b.click_xpath("//form[contains(@action,'/handlingar')]//input[@name='secret' and @value='ja']")
        .await;
    b.fill("#doc-ground", "26 kap. 1 § OSL").await;
    b.fill("#doc-counterpart", "Socialförvaltningen").await;
    let secret = dir.path().join("yttrande.pdf");
    std::fs::write(&secret, b"%PDF-1.4\n% hemlig\n%%EOF\n").unwrap();
    b.client
        .find(Locator::Css("#doc-file"))
        .await
        .unwrap()
        .send_keys(&secret.display().to_string())
        .await
        .unwrap();
    b.submit("form[action*='/handlingar']").await;
    b.expect_done("register the secret document").await;

    // -- Preparation: the officer's report in its form, then as PDF.
    b.follow("Skriv beslutsförslag").await;
    b.check_page().await;
    b.fill("#r-unit", "Regionkontoret\nRegional utveckling")
        .await;
    b.fill("#r-author-title", "Utredare").await;
    b.fill("#r-to", "Regionstyrelsen").await;
    b.fill("#r-title", "Svar på motion om KAST-mottagning")
        .await;
    b.fill("#r-chain", "regionstyrelsen, regionfullmäktige")
        .await;
    b.fill("#r-clauses", "avslå motionen").await;
    b.fill(
        "#r-summary",
        "Motionärerna föreslår att regionen utreder om KAST-mottagningar kan startas.",
    )
    .await;
    b.fill("#r-considerations", "Regionkontoret anser att arbetet bör börja på lokal nivå och föreslår att motionen avslås.").await;
    b.submit("form[action$='/beslutsforslag']").await;
    b.expect_done("save the report").await;
    let report_pdf = b
        .client
        .find(Locator::XPath("//main//a[contains(., 'PDF')]"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    // The staff's link (the complete report) needs the browser's session.
    let session = b.client.get_named_cookie("kansli_session").await.unwrap();
    let r = reqwest::Client::new()
        .get(format!("{}{report_pdf}", b.base))
        .header("cookie", format!("kansli_session={}", session.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));

    // -- Agenda and kallelse.
    b.goto("/sekretariat").await;
    b.follow("Sammanträden i Regionstyrelsens arbetsutskott")
        .await;
    b.check_page().await;
    b.fill("#p-place", "Borgkammaren/Fataburen").await;
    b.submit("form[action$='/sammantraden']").await;
    b.expect_done("plan the meeting").await;
    let meeting_path = b.path().await;
    let meeting_id: i64 = meeting_path.rsplit('/').next().unwrap().parse().unwrap();
    b.fill("#a-title", "Val av justerare").await;
    b.submit("#lagg-till").await;
    b.expect_done("add the first item").await;
    b.choose("a-case", &number).await;
    b.submit("#lagg-till").await;
    b.expect_done("add the KAST item").await;
    let text = b.main_text().await;
    assert!(
        text.contains("Beslutsunderlag: Motion om mottagning"),
        "basis from the case: {text}"
    );
    assert!(
        !text.contains("Yttrande med uppgifter om enskild"),
        "no secret title in the basis: {text}"
    );
    b.submit("form[action$='/kallelse']").await;
    b.expect_done("issue the kallelse").await;
    b.check_page().await;

    // The members see the agenda and the public documents, with the file.
    b.sign_in("ledamot").await;
    b.follow("Kallelse: Regionstyrelsens arbetsutskott 2025-03-04")
        .await;
    b.check_page().await;
    let text = b.main_text().await;
    assert!(
        text.contains("Val av justerare") && text.contains(&number),
        "{text}"
    );
    b.follow("Motion från Socialdemokraterna avseende KAST-mottagning")
        .await;
    let file = b
        .client
        .find(Locator::XPath("//a[contains(., 'motion-kast.pdf')]"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let r = reqwest::get(format!("{}{file}", b.base)).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        std::fs::read(&pdf).unwrap()
    );
    b.sign_in("sekreterare").await;
    b.goto(&format!("/sekretariat/sammantraden/{meeting_id}"))
        .await;

    // -- The meeting.
    b.follow("Öppna sammanträdesvyn").await;
    b.check_page().await;
    let members = [
        "Mikaela Waltersson (M)",
        "Helene Andersson (C)",
        "Lise-Lotte Bensköld Olsson (S)",
        "My Clingston (KD)",
        "Per Persson (S)",
    ];
    for m in members {
        b.click(&format!("button[aria-label='{m} ankommer']")).await;
        b.expect_done("arrival").await;
    }
    b.set("o-at", "14:00").await;
    b.click("button[value=open]").await;
    b.expect_done("open").await;
    b.click("button[aria-label='Ta upp Val av justerare']")
        .await;
    b.expect_done("take up the first item").await;
    b.fill(
        "#d-clauses",
        "utse Lise-Lotte Bensköld Olsson (S) att jämte ordföranden justera protokollet",
    )
    .await;
    b.submit("form:has(input[value=decide])").await;
    b.expect_done("decide the first item").await;
    b.click("button[value=finish]").await;
    b.click(&format!("button[aria-label='Ta upp {title}']"))
        .await;
    b.expect_done("take up §14's item").await;
    b.check_page().await;

    // Proposals: bifall by Bensköld Olsson, avslag by the chair.
    b.tick("form:has(input[value=move])", "Bensköld Olsson")
        .await;
    b.choose("m-kind", "bifall").await;
    b.fill("#m-text", "bifall till motionen").await;
    b.fill("#m-clauses", "bifalla motionen").await;
    b.submit("form:has(input[value=move])").await;
    b.expect_done("first proposal").await;
    b.tick("form:has(input[value=move])", "Waltersson").await;
    b.choose("m-kind", "avslag").await;
    b.fill("#m-text", "avslag till motionen").await;
    b.submit("form:has(input[value=move])").await;
    b.expect_done("second proposal").await;
    // A step the rules refuse: a vote before the chair has put the question.
    let (status, refusal) = b
        .post(
            &format!("/sekretariat/sammantraden/{meeting_id}/mote"),
            json!({"csrf": b.client.find(Locator::Css("input[name=csrf]")).await.unwrap().attr("value").await.unwrap().unwrap(), "command": "count"}),
        )
        .await;
    assert_eq!(status, 200, "refusals come back to the screen");
    assert!(
        refusal.contains("Inte genomfört"),
        "the engine's reason is shown: {refusal}"
    );
    b.goto(&format!("/sekretariat/sammantraden/{meeting_id}/mote"))
        .await;
    b.choose("p-found", "Mikaela Waltersson").await;
    b.submit("form:has(input[value=put])").await;
    b.expect_done("proposition").await;
    b.choose("v-by", "Bensköld Olsson").await;
    b.submit("form:has(input[value=request_vote])").await;
    b.expect_done("vote requested").await;
    b.choose("vo-ja", "Mikaela Waltersson").await;
    b.choose("vo-nej", "Lise-Lotte Bensköld Olsson").await;
    b.submit("form:has(input[value=voting_order])").await;
    b.expect_done("voting order").await;
    // The roll call by keyboard: the focus is on the next member's Ja.
    let focused = b.client.active_element().await.unwrap();
    assert_eq!(
        focused.attr("aria-label").await.unwrap().as_deref(),
        Some("Mikaela Waltersson (M) röstar ja")
    );
    b.client
        .execute("window.__kansliOld = true;", vec![])
        .await
        .unwrap();
    focused.send_keys("\u{E007}").await.unwrap();
    b.wait_for_load("Enter on the focused vote").await;
    b.expect_done("ballot by keyboard").await;
    for (m, choice) in [
        ("Helene Andersson (C)", "ja"),
        ("Lise-Lotte Bensköld Olsson (S)", "nej"),
        ("My Clingston (KD)", "ja"),
        ("Per Persson (S)", "nej"),
    ] {
        let label = if choice == "ja" {
            "röstar ja"
        } else {
            "röstar nej"
        };
        b.click(&format!("button[aria-label='{m} {label}']")).await;
        b.expect_done("ballot").await;
    }
    b.click("button[value=count]").await;
    b.expect_done("count").await;
    b.submit("form:has(input[value=decide])").await;
    b.expect_done("decide").await;
    b.tick(
        "#reservationer + form, form:has(button[value=reserve])",
        "Bensköld Olsson",
    )
    .await;
    b.tick("form:has(button[value=reserve])", "Per Persson")
        .await;
    b.fill("#r-for", "0").await;
    b.click("button[value=reserve]").await;
    b.expect_done("reservation").await;
    let text = b.main_text().await;
    assert!(text.contains("Med 3 ja-röster och 2 nej-röster"), "{text}");
    assert!(text.contains("reserverar sig"), "{text}");
    b.click("button[value=finish]").await;
    b.set("c-at", "16:00").await;
    b.click("button[value=close]").await;
    b.expect_done("close").await;

    // -- After the meeting: approvers, prose, dispatch.
    b.goto(&meeting_path).await;
    b.tick("form[action$='/justerare']", "Bensköld Olsson")
        .await;
    b.fill("#j-place", "Regionens hus, 2025-03-04").await;
    b.submit("form[action$='/justerare']").await;
    b.expect_done("approvers").await;
    let kast = b
        .client
        .find(Locator::XPath(&format!(
            "//details[summary[contains(., '{title}')]]"
        )))
        .await
        .unwrap();
    let n: u32 = kast.attr("id").await.unwrap().unwrap()[1..]
        .parse()
        .unwrap();
    b.goto(&format!("{meeting_path}#p{n}")).await;
    b.client
        .execute(
            &format!("document.getElementById('p{n}').open = true;"),
            vec![],
        )
        .await
        .unwrap();
    b.fill(&format!("#t{n}-matter"), "Johan Lindahl (S), Anna Eksted Lingvall (S) och Malin Karlsson (S) föreslår i en motion att regionen utreder om KAST-mottagningar kan startas och drivas.").await;
    b.submit(&format!("form:has(#t{n}-matter)")).await;
    b.expect_done("edit the matter").await;
    b.client
        .execute(
            &format!("document.getElementById('p{n}').open = true;"),
            vec![],
        )
        .await
        .unwrap();
    b.fill(&format!("#t{n}-dispatch"), "Regionstyrelsen").await;
    b.submit(&format!("form:has(#t{n}-dispatch)")).await;
    b.expect_done("dispatch").await;
    let text = b.main_text().await;
    assert!(
        text.contains(&format!("Utdrag §{n}")),
        "dispatch list: {text}"
    );
    // Not justerat: the public sees none of it yet (kansli_core::publication).
    let draft = reqwest::Client::new()
        .get(format!(
            "{}/sammantraden/{meeting_id}/paragrafer/{n}",
            b.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(draft.status(), reqwest::StatusCode::NOT_FOUND);
    assert!(
        !draft
            .text()
            .await
            .unwrap()
            .contains("utreder om KAST-mottagningar"),
        "a draft's prose on the public page"
    );

    // -- Sent for justering: rendered once, frozen.
    b.goto(&meeting_path).await;
    b.submit("form[action$='/skicka']").await;
    b.expect_done("send for justering").await;
    assert!(b.main_text().await.contains("SHA-256"));

    // -- Justering: the chair, then the approver, each signed in and
    // entering the password again to sign.
    b.sign_in("ordforande").await;
    b.follow("Justera protokollet").await;
    b.check_page().await;
    b.fill("#sign-password", kansli_demo::DEMO_PASSWORD).await;
    b.submit("form[action$='/justering']").await;
    b.expect_done("the chair signs").await;

    // An edit after the first signature is refused with its reason.
    b.sign_in("sekreterare").await;
    let csrf = b.csrf().await;
    let (_, body) = b
        .post(
            &format!("/sekretariat/sammantraden/{meeting_id}/text"),
            json!({"csrf": csrf, "number": n.to_string(), "section": "matter", "text": "Ändrat efter underskrift"}),
        )
        .await;
    assert!(
        body.contains("återkalla utskicket"),
        "an edit while sent is refused: {body}"
    );

    b.sign_in("justerare").await;
    b.follow("Justera protokollet").await;
    b.fill("#sign-password", kansli_demo::DEMO_PASSWORD).await;
    b.submit("form[action$='/justering']").await;
    b.expect_done("the approver signs").await;
    assert!(b.main_text().await.contains("justerat"));
    // The signed PDF, as downloaded, verifies with both signatures.
    let signed = reqwest::Client::new()
        .get(format!(
            "{}/sammantraden/{meeting_id}/dokument/protokoll.pdf",
            b.base
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let org_keys = std::fs::read_dir(b._keys.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let root = kansli_sign::pki::load_root_certificate(&org_keys).unwrap();
    let report = kansli_sign::verify(&signed, &root).unwrap();
    assert!(report.all_valid(), "{report:?}");
    assert_eq!(report.signatures.len(), 2);
    // Its last page, the Intyg, names both signatories.
    if let Some(text) = kansli_testsupport::poppler("pdftotext", &["-layout"], &signed) {
        let intyg = &text[text.rfind("Intyg").expect("an Intyg page")..];
        assert!(intyg.contains("Mikaela Waltersson"), "{intyg}");
        assert!(intyg.contains("Lise-Lotte Bensköld Olsson"), "{intyg}");
    }

    // -- /verifiera in the browser: the downloaded file is valid, a copy
    // with one byte changed is not.
    let files = tempfile::tempdir().unwrap();
    let good = files.path().join("protokoll.pdf");
    std::fs::write(&good, &signed).unwrap();
    let mut changed = signed.to_vec();
    changed[2000] ^= 0x01;
    let bad = files.path().join("protokoll-ändrat.pdf");
    std::fs::write(&bad, &changed).unwrap();
    let axe = axe_source();
    for (file, valid) in [(&good, true), (&bad, false)] {
        b.goto("/verifiera").await;
        b.client
            .find(Locator::Css("#fil"))
            .await
            .unwrap()
            .send_keys(&file.display().to_string())
            .await
            .unwrap();
        b.submit("form[action='/verifiera']").await;
        b.check_page().await;
        if let Some(axe) = &axe {
            b.axe(axe).await;
        }
        let result = b
            .client
            .find(Locator::Css("section[aria-labelledby='resultat']"))
            .await
            .unwrap_or_else(|e| panic!("no result for {}: {e}", file.display()))
            .text()
            .await
            .unwrap();
        if valid {
            assert!(
                result.contains("Giltig: alla 2 underskrifter")
                    && result.contains("Regionstyrelsens arbetsutskott"),
                "{result}"
            );
        } else {
            assert!(result.contains("Inte giltig"), "{result}");
            assert!(!result.contains("Giltig: alla"), "{result}");
        }
    }

    // -- After approval nothing changes: a member's attempt, and the
    // secretary's, are refused and logged.
    b.sign_in("ledamot").await;
    let csrf = b.csrf().await;
    let (status, body) = b
        .post(
            &format!("/sekretariat/sammantraden/{meeting_id}/text"),
            json!({"csrf": csrf, "number": n.to_string(), "section": "matter", "text": "Ändrat i efterhand"}),
        )
        .await;
    assert_eq!(status, 403, "a member may not edit the protocol: {body}");
    assert!(body.contains("behörighet"));
    b.goto(&meeting_path).await;
    assert!(b.main_text().await.contains("Ingen behörighet"));

    b.sign_in("sekreterare").await;
    let csrf = b.csrf().await;
    let (_, body) = b
        .post(
            &format!("/sekretariat/sammantraden/{meeting_id}/text"),
            json!({"csrf": csrf, "number": n.to_string(), "section": "matter", "text": "Ändrat i efterhand"}),
        )
        .await;
    assert!(
        body.contains("justerat"),
        "the secretary is refused too: {body}"
    );
    b.goto(&meeting_path).await;
    let text = b.main_text().await;
    assert!(!text.contains("Ändrat i efterhand"));
    assert!(
        text.matches("NEKAT försök").count() >= 2,
        "both attempts logged: {text}"
    );

    // -- The notice on the anslagstavla.
    b.submit("form[action$='/anslag']").await;
    b.expect_done("post the notice").await;
    assert!(
        b.main_text()
            .await
            .contains("Sista dag att överklaga är 2025-03-25")
    );
    b.sign_in("ledamot").await;
    b.client.delete_all_cookies().await.unwrap();
    b.goto("/").await;
    b.follow("Anslagstavla").await;
    b.follow("Region Hallands anslagstavla").await;
    b.check_page().await;
    let board = b.main_text().await;
    assert!(
        board.contains("Regionstyrelsens arbetsutskott, sammanträde 2025-03-04"),
        "{board}"
    );
    assert!(board.contains("2025-03-25"), "appeal deadline: {board}");

    // The public sees the vote per member and the reservation, and not the
    // secret document.
    b.goto(&format!("/sammantraden/{meeting_id}/paragrafer/{n}"))
        .await;
    b.check_page().await;
    let text = b.main_text().await;
    for m in members {
        assert!(
            text.contains(m.split(" (").next().unwrap()),
            "{m} in the roll: {text}"
        );
    }
    assert!(text.contains("reserverar sig"), "{text}");
    b.goto(&case_path.replace("/sekretariat", "")).await;
    let text = b.main_text().await;
    assert!(
        !text.contains("Yttrande med uppgifter om enskild"),
        "secret document hidden: {text}"
    );
}

#[tokio::test]
async fn each_role_sees_only_its_own_pages_in_the_browser() {
    let Some(b) = start().await else { return };
    // (page, roles that may open it)
    let pages = [
        (
            "/sekretariat/organisationer/1/arenden",
            &["handlaggare", "sekreterare", "admin"][..],
        ),
        (
            "/sekretariat/organ/3/sammantraden",
            &["sekreterare", "admin"][..],
        ),
        ("/sekretariat/sammantraden/1", &["sekreterare", "admin"][..]),
        (
            "/sekretariat/sammantraden/1/justering",
            &["ledamot", "ordforande", "justerare", "sekreterare", "admin"][..],
        ),
    ];
    // The ids are those of the demo: Region Halland, its arbetsutskott and
    // the meeting of 2025-01-28.
    for role in ["ledamot", "handlaggare", "sekreterare", "admin"] {
        b.sign_in(role).await;
        for (page, allowed) in pages {
            b.goto(page).await;
            let text = b.main_text().await;
            let refused = text.contains("Ingen behörighet");
            assert_eq!(
                !refused,
                allowed.contains(&role),
                "{role} on {page}: {text}"
            );
            if !refused {
                b.check_page().await;
            }
        }
    }
    // Anonymous: sent to sign in, and back after it.
    b.client.delete_all_cookies().await.unwrap();
    b.goto("/sekretariat/sammantraden/1").await;
    assert_eq!(b.path().await, "/logga-in");
    b.check_page().await;
    b.fill("#username", "sekreterare").await;
    b.fill("#password", kansli_demo::DEMO_PASSWORD).await;
    b.click("main form button[type=submit]").await;
    assert_eq!(b.path().await, "/sekretariat/sammantraden/1");
    // Keyboard: the skip link is the first thing Tab reaches.
    b.goto("/").await;
    let first = b
        .client
        .execute(
            "document.body.focus(); return document.querySelector('a.skip').textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(first, json!("Hoppa till innehållet"));
}

#[tokio::test]
async fn every_kind_of_page_passes_axe_core() {
    let Some(axe) = axe_source() else { return };
    let Some(b) = start().await else { return };
    // A posted notice, so that the anslagstavla and the meeting show one.
    let rsau = b
        .store
        .all_meetings()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.meeting.date == jiff::civil::date(2025, 1, 28))
        .unwrap()
        .meeting
        .id;
    let mut tx = b.store.begin("user:test").await.unwrap();
    let approved = jiff::civil::date(2025, 3, 3);
    tx.set_meeting_status(
        rsau,
        &kansli_core::meeting::MeetingStatus::Approved { approved },
    )
    .await
    .unwrap();
    tx.post_notice(rsau, approved, "Regionkontoret, Halmstad")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // The public site, reached by following links where a visitor would.
    let mut visited = Vec::new();
    let mut check = async |b: &Browser, what: &str| {
        b.check_page().await;
        b.axe(&axe).await;
        visited.push(format!("{what}: {}", b.path().await));
    };
    b.goto("/").await;
    check(&b, "start").await;
    b.follow("Region Halland").await;
    check(&b, "organisation").await;
    b.follow("Regionstyrelsens arbetsutskott").await;
    check(&b, "body").await;
    b.follow("Omröstningar per parti").await;
    check(&b, "votes by party").await;
    b.goto(&format!("/sammantraden/{rsau}")).await;
    check(&b, "meeting").await;
    b.click_xpath("//article[@id='p14']//h2/a").await;
    check(&b, "paragraph").await;
    b.follow("RS231470").await;
    check(&b, "case").await;
    b.goto(&format!("/sammantraden/{rsau}/paragrafer/14")).await;
    b.follow("Lise-Lotte Bensköld Olsson (S), 2:e vice ordförande")
        .await;
    check(&b, "person").await;
    b.follow("Sammanträden").await;
    check(&b, "meetings").await;
    b.follow("Anslagstavla").await;
    check(&b, "anslagstavla").await;
    b.follow("Verifiera protokoll").await;
    check(&b, "verify").await;
    b.goto("/finns-inte").await;
    check(&b, "not found").await;
    b.goto("/logga-in").await;
    check(&b, "sign in").await;
    // The secretariat's pages too.
    b.sign_in("sekreterare").await;
    check(&b, "staff start").await;
    b.follow("Ärenden i Region Halland").await;
    check(&b, "registry").await;
    b.follow("RS231470").await;
    check(&b, "staff case").await;
    b.follow("Skriv beslutsförslag").await;
    check(&b, "report form").await;
    b.goto("/sekretariat").await;
    b.follow("Sammanträden i Regionstyrelsens arbetsutskott")
        .await;
    check(&b, "staff meetings").await;
    b.goto(&format!("/sekretariat/sammantraden/{rsau}")).await;
    check(&b, "staff meeting").await;
    let planned = b
        .store
        .all_meetings()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.meeting.status == kansli_core::meeting::MeetingStatus::Planned)
        .map(|m| m.meeting.id);
    if let Some(planned) = planned {
        b.goto(&format!("/sekretariat/sammantraden/{planned}/mote"))
            .await;
        check(&b, "meeting screen").await;
    }
    b.goto(&format!("/sekretariat/sammantraden/{rsau}/justering"))
        .await;
    check(&b, "justering").await;
    assert!(visited.len() >= 19, "{visited:?}");
    // The check can fail: an image without text is caught.
    b.client
        .execute("document.querySelector('main').appendChild(document.createElement('img')).src = '/static/kansli.css';", vec![])
        .await
        .unwrap();
    let found = b.axe_violations(&axe).await;
    assert!(found.to_string().contains("image-alt"), "{found}");
}
