//! The diarium in the store, against both backends: handling numbers per
//! case, the classification plan, status and closing, the staff search and
//! the day's handlingar of the postlista.

use kansli_core::case::{
    CaseNumberFormat, CaseStatus, Classification, Closing, Direction, DocumentKind, StatusChange,
};
use kansli_core::org::OrganisationKind;
use kansli_core::{Access, CaseId, Date, OrganisationId};
use kansli_store::diarium::{CaseDetails, Search, SortBy};
use kansli_store::{Store, StoreError};
use kansli_testsupport::all;

fn d(y: i16, m: i8, day: i8) -> Date {
    jiff::civil::date(y, m, day)
}

async fn org(store: &Store, name: &str, format: CaseNumberFormat) -> OrganisationId {
    let mut tx = store.begin("user:test").await.unwrap();
    let id = tx
        .add_organisation(name, OrganisationKind::Kommun, &format)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn case(
    store: &Store,
    org: OrganisationId,
    title: &str,
    registered: Date,
) -> (CaseId, String) {
    let mut tx = store.begin("user:test").await.unwrap();
    let c = tx.register_case(org, title, registered).await.unwrap();
    tx.commit().await.unwrap();
    c
}

async fn handling(
    store: &Store,
    case: CaseId,
    title: &str,
    date: Date,
    access: Access,
) -> Result<String, StoreError> {
    let mut tx = store.begin("user:test").await?;
    let (_, number) = tx
        .register_document(
            case,
            DocumentKind::Letter,
            title,
            date,
            &Direction::Incoming {
                sender: "Länsstyrelsen".into(),
            },
            &access,
        )
        .await?;
    tx.commit().await?;
    Ok(number)
}

fn search() -> Search {
    Search {
        page: 1,
        per_page: 25,
        ..Search::default()
    }
}

#[tokio::test]
async fn handlingar_are_numbered_within_their_case_and_numbers_are_never_reused() {
    for db in all().await {
        let store = db.store().await;
        let ks = org(
            &store,
            "Testkommun",
            CaseNumberFormat::Slashed {
                series: "KS".into(),
            },
        )
        .await;
        let (a, number) = case(&store, ks, "Detaljplan för Norra hamnen", d(2023, 3, 1)).await;
        assert_eq!(number, "KS 2023/1");
        let (b, _) = case(&store, ks, "Avtal om skolskjuts", d(2023, 3, 2)).await;
        for n in 1..=3 {
            let got = handling(
                &store,
                a,
                &format!("Skrivelse {n}"),
                d(2023, 3, 3),
                Access::Public,
            )
            .await
            .unwrap();
            assert_eq!(got, format!("KS 2023/1-{n}"), "{}", db.label);
        }
        // Each case counts on its own.
        assert_eq!(
            handling(&store, b, "Avtalet", d(2023, 3, 3), Access::Public)
                .await
                .unwrap(),
            "KS 2023/2-1"
        );
        // A refused handling takes no number; a rolled-back one leaves none
        // behind, so the next committed one follows the last committed.
        assert!(
            handling(&store, a, " ", d(2023, 3, 3), Access::Public)
                .await
                .is_err()
        );
        {
            let mut tx = store.begin("user:test").await.unwrap();
            tx.register_document(
                a,
                DocumentKind::Other,
                "Aldrig sparad",
                d(2023, 3, 3),
                &Direction::Internal,
                &Access::Public,
            )
            .await
            .unwrap();
            // Dropped without commit.
        }
        assert_eq!(
            handling(&store, a, "Skrivelse 4", d(2023, 3, 4), Access::Public)
                .await
                .unwrap(),
            "KS 2023/1-4"
        );
        let numbers: Vec<u32> = store
            .documents(a)
            .await
            .unwrap()
            .iter()
            .map(|d| d.number)
            .collect();
        assert_eq!(numbers, [1, 2, 3, 4]);
        // The compact style: the demo's KAST case has its motion as 1 and
        // the officer's report as 2.
        assert!(kansli_demo::load(&store).await.unwrap().written);
        let halland = store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap()
            .id;
        let kast = store
            .case_by_number(halland, "RS231470")
            .await
            .unwrap()
            .unwrap();
        let docs = store.documents(kast.id).await.unwrap();
        assert_eq!(docs[0].kind, DocumentKind::Motion);
        assert_eq!(
            kansli_core::case::handling_number(&kast.number, docs[0].number),
            "RS231470-1"
        );
        assert_eq!(docs[1].number, 2);
    }
}

#[tokio::test]
async fn the_classification_plan_is_the_organisations_own() {
    for db in all().await {
        let store = db.store().await;
        let rs = org(
            &store,
            "Testregionen",
            CaseNumberFormat::Compact {
                series: "RS".into(),
                digits: 4,
            },
        )
        .await;
        let other = org(
            &store,
            "Grannkommunen",
            CaseNumberFormat::Slashed {
                series: "KS".into(),
            },
        )
        .await;
        let mut tx = store.begin("user:admin").await.unwrap();
        for (code, title) in [("2.10", "Tio"), ("2.9", "Nio"), ("2", "Två"), ("1", "Ett")] {
            tx.set_classification(
                rs,
                &Classification {
                    code: code.into(),
                    title: title.into(),
                },
            )
            .await
            .unwrap();
        }
        // A code again gets the new title.
        tx.set_classification(
            rs,
            &Classification {
                code: "2".into(),
                title: "Styrning".into(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let plan = store.classification_plan(rs).await.unwrap();
        let codes: Vec<&str> = plan.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["1", "2", "2.9", "2.10"], "{}", db.label);
        assert_eq!(plan[1].title, "Styrning");
        assert!(store.classification_plan(other).await.unwrap().is_empty());

        let (c, number) = case(&store, rs, "Budget", d(2024, 1, 10)).await;
        let (oc, _) = case(&store, other, "Budget", d(2024, 1, 10)).await;
        let mut tx = store.begin("user:test").await.unwrap();
        let details = CaseDetails {
            officer: None,
            case_type: Some("Budget".into()),
            classification: Some("2.9".into()),
        };
        assert!(tx.set_case_details(c, &details).await.unwrap());
        // The same again changes nothing.
        assert!(!tx.set_case_details(c, &details).await.unwrap());
        tx.commit().await.unwrap();
        // Another organisation's code is not in this plan.
        let mut tx = store.begin("user:test").await.unwrap();
        let err = tx.set_case_details(oc, &details).await.unwrap_err();
        assert!(
            err.to_string()
                .contains("koden 2.9 finns inte i organisationens klassificeringsstruktur"),
            "{err}"
        );
        drop(tx);
        // A code in use is not removed; one not in use is.
        let mut tx = store.begin("user:admin").await.unwrap();
        let err = tx.remove_classification(rs, "2.9").await.unwrap_err();
        assert!(err.to_string().contains(&number), "{err}");
        drop(tx);
        let mut tx = store.begin("user:admin").await.unwrap();
        assert!(tx.remove_classification(rs, "2.10").await.unwrap());
        assert!(!tx.remove_classification(rs, "2.10").await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(store.classification_plan(rs).await.unwrap().len(), 3);
        let case = store.case(c).await.unwrap();
        assert_eq!(case.classification.as_deref(), Some("2.9"));
        assert_eq!(case.case_type.as_deref(), Some("Budget"));
    }
}

#[tokio::test]
async fn a_case_is_closed_made_vilande_and_reopened_with_its_log() {
    for db in all().await {
        let store = db.store().await;
        let rs = org(
            &store,
            "Testregionen",
            CaseNumberFormat::Compact {
                series: "RS".into(),
                digits: 4,
            },
        )
        .await;
        let (c, _) = case(&store, rs, "Remiss om vattenplan", d(2024, 2, 1)).await;
        let today = d(2024, 6, 1);
        let mut tx = store.begin("user:test").await.unwrap();
        let err = tx
            .change_case_status(
                c,
                StatusChange::Close {
                    date: d(2024, 1, 31),
                    how: Closing::Transferred,
                },
                today,
            )
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("före registreringsdatumet"),
            "{err}"
        );
        drop(tx);
        let mut tx = store.begin("user:test").await.unwrap();
        tx.change_case_status(c, StatusChange::Dormant, today)
            .await
            .unwrap();
        tx.change_case_status(
            c,
            StatusChange::Close {
                date: d(2024, 5, 31),
                how: Closing::Transferred,
            },
            today,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let closed = store.case(c).await.unwrap();
        assert_eq!(closed.status, CaseStatus::Closed);
        assert_eq!(closed.closed, Some(d(2024, 5, 31)));
        assert_eq!(closed.closed_how, Some(Closing::Transferred));
        let mut tx = store.begin("user:test").await.unwrap();
        tx.change_case_status(c, StatusChange::Open, today)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let open = store.case(c).await.unwrap();
        assert_eq!(
            (open.status, open.closed, open.closed_how),
            (CaseStatus::Open, None, None)
        );
        let log = store.case_history(c).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(
            actions,
            ["register", "case_status", "case_status", "case_status"],
            "{}",
            db.label
        );
    }
}

#[tokio::test]
async fn the_search_filters_sorts_and_pages() {
    for db in all().await {
        let store = db.store().await;
        assert!(kansli_demo::load(&store).await.unwrap().written);
        let halland = store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap()
            .id;
        // The demo: two cases closed by beslut, one vilande, the KAST case
        // with the report's author as handläggare.
        let closed = store
            .search_cases(
                halland,
                &Search {
                    status: Some(CaseStatus::Closed),
                    ..search()
                },
            )
            .await
            .unwrap();
        let mut numbers: Vec<&str> = closed.items.iter().map(|c| c.number.as_str()).collect();
        numbers.sort();
        assert_eq!(numbers, ["RS241266", "RS250028"], "{}", db.label);
        let kast = store
            .case_by_number(halland, "RS231470")
            .await
            .unwrap()
            .unwrap();
        let by_officer = store
            .search_cases(
                halland,
                &Search {
                    officer: kast.officer,
                    ..search()
                },
            )
            .await
            .unwrap();
        assert_eq!(by_officer.total, 1);
        assert_eq!(by_officer.items[0].number, "RS231470");
        // A handling's number finds its case; text is case-folded, å ä ö too.
        for text in ["RS231470-2", "köpare av SEXUELLA", "rs2314"] {
            let hits = store
                .search_cases(
                    halland,
                    &Search {
                        text: text.into(),
                        ..search()
                    },
                )
                .await
                .unwrap();
            assert!(
                hits.items.iter().any(|c| c.number == "RS231470"),
                "{text}: {:?}",
                hits.items
            );
        }
        // Registration dates, both ends included.
        let dated = store
            .search_cases(
                halland,
                &Search {
                    from: Some(d(2023, 12, 4)),
                    to: Some(d(2023, 12, 4)),
                    ..search()
                },
            )
            .await
            .unwrap();
        assert_eq!(dated.total, 2);
        // Paging: 12 cases, 5 a page.
        let mut seen = vec![];
        for page in 1..=3 {
            let hits = store
                .search_cases(
                    halland,
                    &Search {
                        page,
                        per_page: 5,
                        sort: SortBy::Number,
                        ..search()
                    },
                )
                .await
                .unwrap();
            assert_eq!((hits.total, hits.pages, hits.page), (12, 3, page));
            seen.extend(hits.items.into_iter().map(|c| c.number));
        }
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "by number");
        assert_eq!(seen.len(), 12);
        // By title in Swedish order: Å, Ä, Ö after Z.
        let mut tx = store.begin("user:test").await.unwrap();
        tx.register_case(halland, "Öppettider på vårdcentraler", d(2025, 3, 1))
            .await
            .unwrap();
        tx.register_case(halland, "Åtgärdsplan för kusten", d(2025, 3, 1))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let titles: Vec<String> = store
            .search_cases(
                halland,
                &Search {
                    sort: SortBy::Title,
                    per_page: 100,
                    ..search()
                },
            )
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|c| c.title)
            .collect();
        // The demo's "Ägarråd Öresundståg AB" falls between them.
        let n = titles.len();
        assert!(titles[n - 4].starts_with("Verksamhetsplan"), "{titles:?}");
        assert!(titles[n - 3].starts_with("Åtgärdsplan"), "{titles:?}");
        assert!(titles[n - 2].starts_with("Ägarråd"), "{titles:?}");
        assert!(titles[n - 1].starts_with("Öppettider"), "{titles:?}");

        // Handlingar: the sender is searched, secret ones are there for staff.
        let docs = store
            .search_documents(
                halland,
                &Search {
                    text: "länsstyrelsen".into(),
                    ..search()
                },
            )
            .await
            .unwrap();
        assert_eq!(docs.total, 1);
        assert!(!docs.items[0].document.access.is_public());
        assert_eq!(docs.items[0].number(), "RS240886-1");
        // The day's handlingar, in number order, secret ones included.
        let day = store.registered_on(halland, d(2025, 1, 28)).await.unwrap();
        let numbers: Vec<String> = day.iter().map(|r| r.number()).collect();
        assert_eq!(numbers, ["RS240886-1", "RS240886-2"]);
    }
}
