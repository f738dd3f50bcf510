//! #20 L1: the body's rules of debate (migration 0017) go into a meeting's
//! setting when it begins and stay with it; the talarlista's commands are
//! logged and replay like every other.

use kansli_core::floor::{FloorKind, FloorRules};
use kansli_core::meeting::*;
use kansli_core::proceedings::Command;
use kansli_core::*;
use kansli_store::{Store, StoreError};
use kansli_testsupport::all;

async fn person(store: &Store, name: &str) -> PersonId {
    store.person_by_name(name).await.unwrap().unwrap().id
}

async fn run(store: &Store, meeting: MeetingId, command: Command) -> Result<(), StoreError> {
    let mut tx = store.begin("user:sekreterare").await.unwrap();
    tx.record_command(meeting, &command).await?;
    tx.commit().await.unwrap();
    Ok(())
}

#[tokio::test]
async fn the_arbetsordning_is_frozen_with_the_meeting() {
    for db in all().await {
        let store = db.store().await;
        kansli_demo::load(&store).await.unwrap();
        let org = store
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap();
        let rsau = store
            .bodies(org.id)
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.name == "Regionstyrelsens arbetsutskott")
            .unwrap();
        // Bodies start with the common rules.
        assert_eq!(
            store.floor_rules(rsau.id).await.unwrap(),
            FloorRules::default()
        );
        let mut tx = store.begin("user:sekreterare").await.unwrap();
        let bad = FloorRules {
            reply_minutes: 0,
            ..FloorRules::default()
        };
        assert!(matches!(
            tx.set_floor_rules(rsau.id, &bad).await,
            Err(StoreError::Refused(_))
        ));
        let rules = FloorRules {
            replies_per_speech: 1,
            reply_minutes: 1,
            rejoinder_minutes: 1,
            speech_minutes: Some(5),
            substitutes_may_speak: true,
        };
        tx.set_floor_rules(rsau.id, &rules).await.unwrap();
        let meeting = tx
            .plan_meeting(
                rsau.id,
                jiff::civil::date(2025, 2, 25),
                None,
                "Borgkammaren",
            )
            .await
            .unwrap();
        let (case, _) = tx
            .register_case(
                org.id,
                "Motion om cykelbanor",
                jiff::civil::date(2025, 2, 3),
            )
            .await
            .unwrap();
        let item = AgendaItem {
            title: "Svar på motion om cykelbanor".into(),
            case: Some(case),
            kind: ItemKind::Decision,
            access: Access::Public,
            basis: vec![],
            paragraph: None,
            presenter: None,
        };
        tx.set_agenda(meeting, &[item]).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.floor_rules(rsau.id).await.unwrap(), rules);
        assert_eq!(
            store.proceedings(meeting).await.unwrap().setting().floor,
            rules
        );

        let names = [
            "Mikaela Waltersson",
            "Helene Andersson",
            "Lise-Lotte Bensköld Olsson",
            "My Clingston",
            "Per Persson",
        ];
        let mut people = Vec::new();
        for n in names {
            people.push(person(&store, n).await);
        }
        for p in &people {
            run(&store, meeting, Command::Arrive { person: *p })
                .await
                .unwrap();
        }
        run(
            &store,
            meeting,
            Command::Open {
                at: None,
                on: Some(jiff::civil::date(2025, 2, 25)),
            },
        )
        .await
        .unwrap();
        // Changed after the meeting began: the meeting keeps its rules.
        let mut tx = store.begin("user:sekreterare").await.unwrap();
        tx.set_floor_rules(rsau.id, &FloorRules::default())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            store.proceedings(meeting).await.unwrap().setting().floor,
            rules
        );

        run(
            &store,
            meeting,
            Command::TakeUp {
                item: 0,
                draft_decision: None,
            },
        )
        .await
        .unwrap();
        let [a, b, c, ..] = people[..] else {
            unreachable!()
        };
        for command in [
            Command::RequestFloor {
                person: a,
                kind: FloorKind::Speech,
            },
            Command::GiveFloor { person: a },
            Command::RequestFloor {
                person: b,
                kind: FloorKind::Reply,
            },
        ] {
            run(&store, meeting, command).await.unwrap();
        }
        // One replik only, by the frozen rules; the refusal writes nothing.
        let refused = run(
            &store,
            meeting,
            Command::RequestFloor {
                person: c,
                kind: FloorKind::Reply,
            },
        )
        .await;
        match refused {
            Err(StoreError::Refused(r)) => {
                assert!(r[0].reason.contains("1 replik"), "{r:?}")
            }
            other => panic!("{other:?}"),
        }
        let p = store.proceedings(meeting).await.unwrap();
        let floor = p.snapshot().floor;
        assert_eq!(floor.speaking.as_ref().map(|s| s.person), Some(a));
        assert_eq!(floor.place_of(b), Some(1));
        // `since` is the log index of the GiveFloor.
        let since = floor.speaking.unwrap().since;
        assert_eq!(p.log()[since], Command::GiveFloor { person: a });
    }
}
