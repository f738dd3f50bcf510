//! Documents under awkward input: text that looks like typst markup, long
//! voteringslistor that must break across pages, secret paragraphs, and a
//! meeting with nothing recorded.

use kansli_core::meeting::MeetingRecord;
use kansli_core::{Access, MeetingId};
use kansli_documents::model::*;
use kansli_documents::view::Audience;
use kansli_documents::{DocumentError, Format, Request, load, render};
use kansli_testsupport::{poppler, sqlite};

fn meta() -> Meta {
    Meta {
        kind: DocKind::Protocol,
        title: "Protokoll".into(),
        organisation: "Testkommun".into(),
        issuer: "Kommunfullmäktige".into(),
        issuer_lines: vec![],
        date_label: "Sammanträdesdatum".into(),
        date: "2026-03-02".into(),
        case_number: None,
        furniture: vec!["Ordförandes sign".into(), "Justerares sign".into()],
        full_title: "Protokoll Kommunfullmäktige 2026-03-02".into(),
        keywords: vec![],
        draft: None,
    }
}

fn flat(s: &str) -> String {
    s.replace("\u{ad}\n", "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn text_that_looks_like_markup_is_printed_as_written() {
    let nasty = [
        "#set page(width: 1pt) och #panic(\"x\")",
        "$x^2$ *fet* _kursiv_ `kod` <etikett> @ref \\ ~ -- ---",
        "[länk](http://example.invalid) = rubrik",
        "Åsa Öberg-Ärlig (MP) yrkar bifall – 100 % & 5 § \"citat\" 'enkel'",
        "/* kommentar */ // rad",
    ];
    let doc = Doc {
        meta: meta(),
        parts: vec![Part {
            heading: Some("§1 #heading[Injektion]".into()),
            blocks: nasty.iter().map(|s| Block::text(*s)).collect(),
            ..Default::default()
        }],
    };
    let pdf = render(&doc, Format::Pdf).expect("markup-like text renders");
    let html = String::from_utf8(render(&doc, Format::Html).unwrap()).unwrap();
    assert!(
        html.contains("&#60;etikett&#62;") || html.contains("&lt;etikett&gt;"),
        "HTML escapes markup"
    );
    assert!(!html.contains("<etikett>"));
    if let Some(text) = poppler("pdftotext", &["-layout"], &pdf) {
        let text = flat(&text);
        assert!(text.contains("§1 #heading[Injektion]"), "{text}");
        for s in nasty {
            assert!(text.contains(&flat(s)), "PDF lacks «{s}»:\n{text}");
        }
    }
}

#[test]
fn a_long_voteringslista_breaks_across_pages_with_its_header() {
    let rows: Vec<Vec<String>> = (1..=101)
        .map(|i| {
            vec![
                format!("Ledamot nummer {i} (S), ledamot"),
                if i % 2 == 0 {
                    "X".into()
                } else {
                    String::new()
                },
                if i % 2 == 1 {
                    "X".into()
                } else {
                    String::new()
                },
                String::new(),
            ]
        })
        .collect();
    let doc = Doc {
        meta: meta(),
        parts: vec![Part {
            heading: Some("Voteringslista: §7".into()),
            blocks: vec![Block::Table {
                table: Table {
                    caption: "Voteringslista §7: Budget".into(),
                    columns: vec!["Ledamot".into(), "Ja".into(), "Nej".into(), "Avstår".into()],
                    rows,
                    footer: Some(vec![
                        "Resultat".into(),
                        "50".into(),
                        "51".into(),
                        "0".into(),
                    ]),
                },
            }],
            ..Default::default()
        }],
    };
    let pdf = render(&doc, Format::Pdf).unwrap();
    let Some(text) = poppler("pdftotext", &["-layout"], &pdf) else {
        return;
    };
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() >= 3, "101 rows fit on {} pages?", pages.len());
    for (i, page) in pages.iter().enumerate() {
        let page = flat(page);
        assert!(
            page.contains("Ledamot Ja Nej Avstår"),
            "page {} lacks the header row",
            i + 1
        );
        assert!(page.contains("Ordförandes sign"));
    }
    let all = flat(&text);
    for i in 1..=101 {
        assert!(
            all.contains(&format!("Ledamot nummer {i} (S)")),
            "row {i} lost"
        );
    }
    assert!(flat(pages.last().unwrap()).contains("Resultat 50 51 0"));
}

#[tokio::test]
async fn secret_paragraphs_are_left_out_of_public_documents_and_kept_in_the_original() {
    let db = sqlite();
    let store = db.store().await;
    kansli_demo::load(&store).await.unwrap();
    let mut record: MeetingRecord = store.meeting_record(MeetingId(1)).await.unwrap();
    // §1 and §14 (with its vote) of the demo meeting a year later (paragraph
    // numbers run per year); §14 made secret.
    record.meeting.date = jiff::civil::date(2026, 1, 27);
    // Justerat: the public has the protocol (kansli_core::publication).
    record.meeting.status = kansli_core::meeting::MeetingStatus::Approved {
        approved: jiff::civil::date(2026, 2, 3),
    };
    let kast = record.items[13].clone();
    record.items.truncate(1);
    record.items.push(kast);
    let item = &mut record.items[1];
    item.access = Access::secret("39 kap. 3 § OSL").unwrap();
    let p = item.paragraph.as_mut().unwrap();
    p.access = item.access.clone();
    p.title = "Personalärende HEMLIG-RUBRIK".into();
    p.matter = "HEMLIGT-INNEHÅLL om en anställd".into();
    p.reservations[0].reasons = Some("HEMLIG-MOTIVERING".into());
    item.title = p.title.clone();
    let mut tx = store.begin("user:test").await.unwrap();
    let id = tx.add_meeting(&record).await.unwrap();
    tx.commit().await.unwrap();

    for request in [
        Request::Protocol { meeting: id },
        Request::Agenda { meeting: id },
    ] {
        let doc = load(&store, &request, Audience::Public).await.unwrap();
        for format in [Format::Text, Format::Html] {
            let out = String::from_utf8(render(&doc, format).unwrap()).unwrap();
            assert!(
                !out.contains("HEMLIG"),
                "{request:?} {format:?} leaks:\n{out}"
            );
            assert!(
                !out.contains("Voteringslista"),
                "the roll of a secret vote leaks"
            );
        }
        let pdf = render(&doc, Format::Pdf).unwrap();
        if let Some(text) = poppler("pdftotext", &[], &pdf) {
            assert!(!text.contains("HEMLIG"), "{request:?} PDF leaks");
        }
    }
    let public = load(&store, &Request::Protocol { meeting: id }, Audience::Public)
        .await
        .unwrap();
    let text = String::from_utf8(render(&public, Format::Text).unwrap()).unwrap();
    assert!(text.contains("§14 Ärende med sekretess"));
    assert!(text.contains("39 kap. 3 § OSL"), "the ground is shown");
    let refused = load(
        &store,
        &Request::Extract {
            meeting: id,
            paragraph: 14,
        },
        Audience::Public,
    )
    .await
    .unwrap_err();
    assert!(matches!(refused, DocumentError::Secret(_)));

    let official = load(
        &store,
        &Request::Protocol { meeting: id },
        Audience::Official,
    )
    .await
    .unwrap();
    let text = String::from_utf8(render(&official, Format::Text).unwrap()).unwrap();
    assert!(text.contains("§14 Personalärende HEMLIG-RUBRIK"));
    assert!(text.contains("HEMLIGT-INNEHÅLL"));
    assert!(text.contains("HEMLIG-MOTIVERING"));
    assert!(text.contains("Voteringslista: §14"));
    assert!(text.contains(
        "Paragrafen omfattas av sekretess (39 kap. 3 § OSL) och lämnas inte ut i den offentliga versionen av protokollet."
    ));
}

#[tokio::test]
async fn a_meeting_without_paragraphs_has_no_protocol_yet() {
    let db = sqlite();
    let store = db.store().await;
    kansli_demo::load(&store).await.unwrap();
    let planned = store
        .all_meetings()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.body.name == "Regionfullmäktige")
        .unwrap()
        .meeting
        .id;
    // The public has no protocol before justering (kansli_core::publication);
    // the secretariat is told there is none yet.
    let err = load(
        &store,
        &Request::Protocol { meeting: planned },
        Audience::Public,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, DocumentError::NotPublic(_)), "{err}");
    let err = load(
        &store,
        &Request::Protocol { meeting: planned },
        Audience::Official,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, DocumentError::NoProtocol { .. }), "{err}");
    assert!(err.to_string().contains("har inget protokoll ännu"));
    // Its kallelse exists once issued.
    let mut tx = store.begin("user:test").await.unwrap();
    tx.issue_notice(planned).await.unwrap();
    tx.commit().await.unwrap();
    let kallelse = load(
        &store,
        &Request::Agenda { meeting: planned },
        Audience::Public,
    )
    .await
    .unwrap();
    assert!(!render(&kallelse, Format::Pdf).unwrap().is_empty());
    // A meeting that does not exist.
    let err = load(
        &store,
        &Request::Protocol {
            meeting: MeetingId(999),
        },
        Audience::Public,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("finns inte"), "{err}");
}
