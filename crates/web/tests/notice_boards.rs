//! One anslagstavla per organisation (KL 8 kap. 9 §): each board at its own
//! address shows only its own organisation's notices, with the appeal text
//! of the anslag; the index lists every board; `?organisation=` goes to
//! the board; each board has its own Atom feed.

mod support;
use kansli_core::meeting::MeetingStatus;
use kansli_core::{MeetingId, OrganisationId};
use kansli_testsupport::all;
use support::app::*;

/// Approves and posts the protocol of every held demo meeting; returns
/// (organisation, meeting, body name) of each.
async fn post_all(app: &App) -> Vec<(OrganisationId, MeetingId, String)> {
    let mut out = Vec::new();
    for s in app.store.all_meetings().await.unwrap() {
        if s.meeting.status != MeetingStatus::Held {
            continue;
        }
        let approved = s
            .meeting
            .date
            .checked_add(jiff::Span::new().days(7))
            .unwrap();
        let mut tx = app.store.begin("user:test").await.unwrap();
        tx.set_meeting_status(s.meeting.id, &MeetingStatus::Approved { approved })
            .await
            .unwrap();
        tx.post_notice(s.meeting.id, approved, "Kansliet")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        out.push((s.organisation.id, s.meeting.id, s.body.name.clone()));
    }
    out
}

#[tokio::test]
async fn each_anslagstavla_shows_only_its_own_organisations_notices() {
    for db in all().await {
        let app = spawn(db).await;
        let posted = post_all(&app).await;
        let organisations = app.store.organisations().await.unwrap();
        let with_notices: std::collections::BTreeSet<_> =
            posted.iter().map(|(o, _, _)| *o).collect();
        assert!(
            with_notices.len() >= 2,
            "the demo has held meetings in several organisations: {posted:?}"
        );

        // The index: every organisation's board, linked, with its feed.
        let index = app.ok("/anslagstavla").await;
        for o in &organisations {
            let href = format!("/organisationer/{}/anslagstavla", o.id.0);
            assert!(index.contains(&format!("href=\"{href}\"")), "{index}");
            assert!(index.contains(&format!("href=\"{href}.atom\"")));
            assert!(index.contains(&format!(
                "{} anslagstavla",
                kansli_core::text::genitive(&o.name)
            )));
        }

        for o in &organisations {
            let board = app
                .ok(&format!("/organisationer/{}/anslagstavla", o.id.0))
                .await;
            assert!(board.contains(&o.name));
            let feed: atom_syndication::Feed = app
                .ok(&format!("/organisationer/{}/anslagstavla.atom", o.id.0))
                .await
                .parse()
                .expect("valid Atom");
            let own: Vec<_> = posted.iter().filter(|(org, _, _)| org == &o.id).collect();
            assert_eq!(
                board.matches("<article class=\"notice\">").count(),
                own.len(),
                "{}: {board}",
                o.name
            );
            assert_eq!(feed.entries.len(), own.len(), "{}", o.name);
            for (org, meeting, _) in &posted {
                let href = format!("href=\"/sammantraden/{}\"", meeting.0);
                let in_feed = feed.entries.iter().any(|e| {
                    e.links[0]
                        .href
                        .ends_with(&format!("/sammantraden/{}", meeting.0))
                });
                if org == &o.id {
                    assert!(board.contains(&href), "own notice on {}", o.name);
                    assert!(in_feed);
                    // The appeal text is the anslag document's own.
                    let anslag = app
                        .ok(&format!("/sammantraden/{}/dokument/anslag.txt", meeting.0))
                        .await;
                    let sentence =
                        "kan överklaga besluten genom laglighetsprövning hos förvaltningsrätten";
                    assert!(anslag.contains(sentence), "{anslag}");
                    assert!(board.contains(sentence), "{board}");
                    let appeal_ends = board
                        .split("Sista dag att överklaga</dt><dd>")
                        .nth(1)
                        .and_then(|r| r.get(..10))
                        .unwrap()
                        .to_string();
                    assert!(anslag.contains(&format!("senast {appeal_ends}")));
                } else {
                    assert!(!board.contains(&href), "another's notice on {}", o.name);
                    assert!(!in_feed, "another's notice in the feed of {}", o.name);
                }
            }
        }

        // The filter goes to the board; an unknown organisation is a 404.
        let (o, _, _) = &posted[0];
        let r = client()
            .get(app.url(&format!("/anslagstavla?organisation={}", o.0)))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()["location"].to_str().unwrap(),
            format!("/organisationer/{}/anslagstavla", o.0)
        );
        for bad in ["999999", "x"] {
            let (status, body) = app.get(&format!("/anslagstavla?organisation={bad}")).await;
            assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "{bad}");
            assert!(body.to_lowercase().contains("organisationen"), "{body}");
            let (status, _) = app
                .get(&format!("/organisationer/{bad}/anslagstavla"))
                .await;
            assert_eq!(status, reqwest::StatusCode::NOT_FOUND);
        }
    }
}
