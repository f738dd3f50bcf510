//! The review page of an imported protocol (#19) in a browser at 390 px:
//! as wide as the screen, the basic WCAG checks and axe-core's A and AA
//! rules; a correction sent from it without JavaScript.

mod support;
use support::browser::*;

const TEXT: &str = "REGION HALLAND                                   PROTOKOLL
Kulturnämnden                                    Sida 1 (2)
                                                 Sammanträdesdatum 2026-05-19

Plats och tid       Sammanträdesrum Laxen, kl. 09.00–10.30

Beslutande          Ledamöter
                    Åsa Lindqvist (S), ordförande, Per Holm (M), vice ordförande,
                    Nina Berg (C)

Justering           Justerande
                    Per Holm (M)

§ 20
Informaton om sommarens program
Dnr: KN 2026/21

Förvaltningen redovisar programmet.

Beslut
Kulturnämnden beslutar att
• lägga informationen till handlingarna.
";

#[tokio::test]
async fn the_review_page_fits_a_phone_and_passes_axe() {
    let Some(b) = start().await else { return };
    let axe = axe_source();
    let p = kansli_import::read_protocol(TEXT.as_bytes()).unwrap();
    let saved = kansli_import::save(
        &b.store,
        &p,
        &kansli_import::SaveOptions {
            organisation: Some("Region Halland".into()),
            source: Some(kansli_import::SourceFile {
                file_name: "kn-2026-05-19.txt".into(),
                bytes: TEXT.as_bytes().to_vec(),
            }),
        },
    )
    .await
    .unwrap();
    let id = saved.meeting.0;
    b.sign_in("sekreterare").await;
    b.client.set_window_size(390, 844).await.unwrap();
    b.goto(&format!("/sekretariat/importer/{id}")).await;
    let widths = b
        .client
        .execute(
            "const d = document.documentElement; return [d.clientWidth, d.scrollWidth];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(widths[0], widths[1], "the page fits the screen: {widths}");
    b.check_page().await;
    if let Some(axe) = &axe {
        b.axe(axe).await;
    }
    b.goto("/sekretariat/importer").await;
    b.check_page().await;
    if let Some(axe) = &axe {
        b.axe(axe).await;
    }
    b.goto(&format!("/sekretariat/importer/{id}")).await;
    b.fill("#r-title_20", "Information om sommarens program")
        .await;
    b.click(&format!(
        "form[action='/sekretariat/importer/{id}'] button[type=submit]"
    ))
    .await;
    b.expect_done("Rättat: rubriker").await;
    b.check_page().await;
    let record = b.store.meeting_record(saved.meeting).await.unwrap();
    assert_eq!(
        record.paragraphs().next().unwrap().title,
        "Information om sommarens program"
    );
}
