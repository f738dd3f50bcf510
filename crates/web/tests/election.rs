//! #20 L4: a proportional election entered on the meeting screen (lag
//! (2022:629) om proportionella val i kommuner och regioner), on SQLite and
//! PostgreSQL: too few requesting is refused with the typed form kept, a tie
//! asks for the lot drawn in the room, the lot entered settles it, and the
//! result is in the paragraph and in the protocol's text.

mod support;

use kansli_core::meeting::{AgendaItem, ItemKind};
use kansli_core::{Access, MeetingId};
use support::app::*;

const TODAY: (i16, i8, i8) = (2025, 5, 6);

fn day(d: i8) -> jiff::civil::Date {
    jiff::civil::date(TODAY.0, TODAY.1, d)
}

/// A meeting of the arbetsutskott with an election and an information item.
async fn planned(app: &App) -> MeetingId {
    let rsau = app.body("Regionstyrelsens arbetsutskott").await;
    let mut tx = app.store.begin("user:test").await.unwrap();
    let meeting = tx
        .plan_meeting(rsau, day(TODAY.2), None, "Regionens hus")
        .await
        .unwrap();
    tx.set_agenda(
        meeting,
        &[
            AgendaItem {
                title: "Val av ledamöter i trafikberedningen".into(),
                case: None,
                kind: ItemKind::Election,
                access: Access::Public,
                basis: vec![],
                paragraph: None,
                presenter: None,
            },
            AgendaItem {
                title: "Information om trafikläget".into(),
                case: None,
                kind: ItemKind::Information,
                access: Access::Public,
                basis: vec![],
                paragraph: None,
                presenter: None,
            },
        ],
    )
    .await
    .unwrap();
    tx.issue_notice(meeting).await.unwrap();
    tx.commit().await.unwrap();
    meeting
}

async fn id_of(app: &App, meeting: MeetingId, name: &str) -> String {
    app.store
        .proceedings(meeting)
        .await
        .unwrap()
        .setting()
        .roster
        .iter()
        .find(|s| s.person.name == name)
        .unwrap_or_else(|| panic!("{name} is not on the roster"))
        .person
        .id
        .0
        .to_string()
}

fn refused(page: &str) -> bool {
    page.contains("Inte genomfört")
}

/// The election part of the screen.
fn election(page: &str) -> &str {
    let at = page
        .find("id=\"val\"")
        .unwrap_or_else(|| panic!("no election section: {page}"));
    let end = page[at..].find("</section>").unwrap();
    &page[at..at + end]
}

#[tokio::test]
async fn a_proportional_election_on_the_screen_and_in_the_protocol() {
    for db in kansli_testsupport::all().await {
        let label = db.label;
        let config = kansli_web::Config {
            today: Some(day(TODAY.2)),
            ..kansli_web::Config::default()
        };
        let app = spawn_with(db, config).await;
        let meeting = planned(&app).await;
        let s = app.sign_in("sekreterare").await;
        let screen = format!("/sekretariat/sammantraden/{}/mote", meeting.0);
        let val = format!("{screen}/val");
        let events = format!(
            "SELECT COUNT(*) FROM meeting_events WHERE meeting_id = {}",
            meeting.0
        );
        app.submit(&s, &screen, &[("command", "arrive_all")]).await;
        app.submit(&s, &screen, &[("command", "open"), ("at", "13:00")])
            .await;
        // No election form outside an election item.
        let page = app.staff_text(&s, &screen).await;
        assert!(!page.contains("id=\"val\""), "{label}");
        let page = app
            .submit(&s, &screen, &[("command", "take_up"), ("item", "0")])
            .await;
        let form = election(&page);
        // 5 present: for 2 seats 5 / 3 rounded up = 2 must ask.
        assert!(form.contains("5 ledamöter är närvarande"), "{form}");
        assert!(form.contains("2 platser: 2"), "{form}");
        assert!(form.contains("name=\"once\""), "{form}");

        let w = id_of(&app, meeting, "Mikaela Waltersson").await;
        let bo = id_of(&app, meeting, "Lise-Lotte Bensköld Olsson").await;
        let lists = [
            ("group", "S-gruppen"),
            ("votes", "2"),
            ("names", "Kim Ahl\nLo Bäck"),
            ("group", "M-gruppen"),
            ("votes", "2"),
            ("names", "Mo Cedr"),
            ("group", "V-gruppen"),
            ("votes", "1"),
            ("names", "No Dunn"),
        ];
        let send = |extra: Vec<(&'static str, String)>| {
            let (app, s, val) = (&app, &s, &val);
            async move {
                let mut fields: Vec<(&str, String)> =
                    vec![("of", "members".into()), ("seats", "2".into())];
                fields.extend(lists.iter().map(|(k, v)| (*k, v.to_string())));
                fields.extend(extra);
                let fields: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.submit(s, val, &fields).await
            }
        };

        // Too few ask: refused, nothing written, the typed form kept.
        let before = app.count(&events).await;
        let page = send(vec![("requested_by", w.clone())]).await;
        assert!(refused(&page), "{label}: {page}");
        assert!(
            page.contains(
                "1 av 5 närvarande ledamöter begär proportionellt val av 2 ledamöter; minst 2 krävs"
            ),
            "{label}: {page}"
        );
        assert_eq!(app.count(&events).await, before);
        let form = election(&page);
        assert!(form.contains("value=\"S-gruppen\""), "{form}");
        assert!(form.contains(">Kim Ahl\nLo Bäck</textarea>"), "{form}");
        assert!(
            form.contains(&format!("value=\"{w}\" checked")),
            "the requester stays ticked: {form}"
        );

        // Enough ask; S and M tie for the first seat: the lot is asked for.
        let page = send(vec![
            ("requested_by", w.clone()),
            ("requested_by", bo.clone()),
        ])
        .await;
        assert!(refused(&page), "{label}: {page}");
        assert!(
            page.contains("lika jämförelsetal (2) om plats 1 mellan S-gruppen och M-gruppen"),
            "{label}: {page}"
        );
        assert!(page.contains("ange vilken grupp lotten föll på"), "{page}");
        assert_eq!(app.count(&events).await, before);
        let form = election(&page);
        assert!(
            form.contains("Lika jämförelsetal om plats 1: platsen avgörs genom lottning"),
            "{form}"
        );
        assert!(
            form.contains("name=\"lot\" value=\"M-gruppen\" required"),
            "{form}"
        );

        // The lot drawn in the room is entered: the election is recorded,
        // once (the same one-time key again changes nothing).
        let fields = vec![
            ("requested_by", w.clone()),
            ("requested_by", bo.clone()),
            ("lot", "M-gruppen".to_string()),
            ("once", "val-1".to_string()),
        ];
        let page = send(fields.clone()).await;
        assert!(!refused(&page), "{label}: {page}");
        assert!(page.contains("Valet av ledamöter är antecknat."), "{page}");
        assert_eq!(app.count(&events).await, before + 1);
        send(fields).await;
        assert_eq!(app.count(&events).await, before + 1, "{label}: twice");
        let form = election(&page);
        assert!(
            form.contains("Grupperna S-gruppen och M-gruppen har lika jämförelsetal (2) om plats 1. Lotten dras och faller på M-gruppen."),
            "{form}"
        );
        assert!(
            form.contains("Till ledamöter väljs för S-gruppen: Kim Ahl; för M-gruppen: Mo Cedr."),
            "{form}"
        );
        // The lot is in the log.
        let log = app.store.meeting_events(meeting).await.unwrap();
        assert!(
            log.iter().any(|c| matches!(
                c,
                kansli_core::proceedings::Command::ElectProportionally(e)
                    if e.lots == ["M-gruppen"]
            )),
            "{label}"
        );

        // The item is decided from the election, and the protocol says so.
        let page = app.submit(&s, &screen, &[("command", "decide")]).await;
        assert!(!refused(&page), "{label}: {page}");
        let text = app
            .staff_text(
                &s,
                &format!(
                    "/sekretariat/sammantraden/{}/protokoll/protokoll.txt",
                    meeting.0
                ),
            )
            .await;
        for expected in [
            "Proportionellt val av ledamöter",
            "Mikaela Waltersson (M) och Lise-Lotte Bensköld Olsson (S) begär proportionellt val av 2 ledamöter.",
            "Valsedlarna räknas: S-gruppen: 2 valsedlar (1. Kim Ahl, 2. Lo Bäck); M-gruppen: 2 valsedlar (1. Mo Cedr); V-gruppen: 1 valsedel (1. No Dunn).",
            "Lotten dras och faller på M-gruppen.",
            "Platserna fördelas efter jämförelsetal: S-gruppen 1, M-gruppen 1 och V-gruppen 0.",
            "välja Mo Cedr och Kim Ahl till ledamöter",
        ] {
            // The text format may wrap long lines; compare on one line.
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                flat.contains(expected),
                "{label}: «{expected}» not in\n{text}"
            );
        }
    }
}
