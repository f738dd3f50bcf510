//! Before the meeting (issue #18): the agenda edited item by item, the
//! föredragande, the meeting moved (logged, refused once begun) or
//! cancelled (inställt on every public output, nothing of an unissued
//! agenda made public), changes after the kallelse as a tilläggskallelse,
//! and the ersättare in their calling order in the kallelse. Against the
//! real server on SQLite and PostgreSQL.

mod support;

use kansli_core::MeetingId;
use kansli_core::org::{Membership, Role};
use kansli_core::proceedings::Command;
use reqwest::StatusCode;
use support::app::*;

const BODY: &str = "Regionstyrelsen";

/// A Regionstyrelsen meeting planned through the form on 2026-12-15.
async fn plan(app: &App, s: &Session) -> MeetingId {
    plan_for(app, s, BODY).await
}

/// A meeting of `name` planned through the form on 2026-12-15.
async fn plan_for(app: &App, s: &Session, name: &str) -> MeetingId {
    let body = app.body(name).await;
    let page = app
        .submit(
            s,
            &format!("/sekretariat/organ/{}/sammantraden", body.0),
            &[
                ("date", "2026-12-15"),
                ("starts", "13:00"),
                ("place", "Regionens hus, Halmstad"),
            ],
        )
        .await;
    assert!(page.contains("Sammanträdet är planerat"), "{page}");
    app.meeting(name, "2026-12-15").await
}

async fn add_item(
    app: &App,
    s: &Session,
    m: MeetingId,
    title: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut form = vec![("action", "add"), ("title", title)];
    form.extend_from_slice(extra);
    app.submit(
        s,
        &format!("/sekretariat/sammantraden/{}/dagordning", m.0),
        &form,
    )
    .await
}

fn agenda_path(m: MeetingId) -> String {
    format!("/sekretariat/sammantraden/{}/dagordning", m.0)
}

async fn titles(app: &App, m: MeetingId) -> Vec<String> {
    app.store
        .meeting_record(m)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|i| i.title)
        .collect()
}

#[tokio::test]
async fn items_are_edited_reordered_and_removed_only_when_confirmed() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db).await;
        let s = app.sign_in("sekreterare").await;
        let m = plan(&app, &s).await;
        add_item(&app, &s, m, "Val av justerare", &[]).await;
        add_item(&app, &s, m, "Budget 2027", &[]).await;
        let page = add_item(
            &app,
            &s,
            m,
            "Informationsärenden",
            &[("kind", "information")],
        )
        .await;
        assert!(page.contains("som punkt 3"), "{page}");
        assert_eq!(
            titles(&app, m).await,
            ["Val av justerare", "Budget 2027", "Informationsärenden"]
        );

        // Edited: title, kind and föredragande.
        let presenter = app
            .store
            .person_by_name("Per Persson")
            .await
            .unwrap()
            .unwrap();
        let pid = presenter.id.0.to_string();
        let page = app
            .submit(
                &s,
                &agenda_path(m),
                &[
                    ("action", "edit"),
                    ("index", "1"),
                    ("expected", "Budget 2027"),
                    ("title", "Budget och verksamhetsplan 2027"),
                    ("kind", "decision"),
                    ("ground", ""),
                    ("presenter", &pid),
                ],
            )
            .await;
        assert!(page.contains("Punkt 2 är ändrad."), "{page}");
        assert!(page.contains("Föredragande: Per Persson"), "{page}");
        let record = app.store.meeting_record(m).await.unwrap();
        assert_eq!(record.items[1].title, "Budget och verksamhetsplan 2027");
        assert_eq!(record.items[1].presenter, Some(presenter.id));
        // The same edit again changes nothing and says so.
        let page = app
            .submit(
                &s,
                &agenda_path(m),
                &[
                    ("action", "edit"),
                    ("index", "1"),
                    ("expected", "Budget och verksamhetsplan 2027"),
                    ("title", "Budget och verksamhetsplan 2027"),
                    ("kind", "decision"),
                    ("presenter", &pid),
                ],
            )
            .await;
        assert!(page.contains("inget ändrades"), "{page}");
        // An empty title is refused, the typed form kept, nothing written.
        let page = app
            .submit(
                &s,
                &agenda_path(m),
                &[
                    ("action", "edit"),
                    ("index", "0"),
                    ("expected", "Val av justerare"),
                    ("title", "  "),
                    ("kind", "information"),
                    ("ground", "OSL 21 kap. 1 §"),
                ],
            )
            .await;
        assert!(page.contains("punkt 1: rubrik saknas"), "{page}");
        assert!(
            page.contains("value=\"OSL 21 kap. 1 §\""),
            "typed ground kept: {page}"
        );
        assert_eq!(titles(&app, m).await[0], "Val av justerare");

        // Reordered: the third item up.
        app.submit(
            &s,
            &agenda_path(m),
            &[
                ("action", "up"),
                ("index", "2"),
                ("expected", "Informationsärenden"),
            ],
        )
        .await;
        assert_eq!(
            titles(&app, m).await,
            [
                "Val av justerare",
                "Informationsärenden",
                "Budget och verksamhetsplan 2027"
            ]
        );
        // A form from a page shown before the change names the wrong item:
        // refused, nothing moved.
        let page = app
            .submit(
                &s,
                &agenda_path(m),
                &[
                    ("action", "down"),
                    ("index", "1"),
                    ("expected", "Budget och verksamhetsplan 2027"),
                ],
            )
            .await;
        assert!(
            page.contains("listan har ändrats sedan sidan visades"),
            "{page}"
        );

        // Removed: not without the confirmation.
        let page = app
            .submit(
                &s,
                &agenda_path(m),
                &[
                    ("action", "remove"),
                    ("index", "1"),
                    ("expected", "Informationsärenden"),
                ],
            )
            .await;
        assert!(page.contains("bekräfta att punkten ska tas bort"), "{page}");
        assert_eq!(titles(&app, m).await.len(), 3);
        let page = app
            .submit(
                &s,
                &agenda_path(m),
                &[
                    ("action", "remove"),
                    ("index", "1"),
                    ("expected", "Informationsärenden"),
                    ("confirm", "ja"),
                ],
            )
            .await;
        assert!(
            page.contains("«Informationsärenden» är borttagen"),
            "{page}"
        );
        assert_eq!(
            titles(&app, m).await,
            ["Val av justerare", "Budget och verksamhetsplan 2027"]
        );
        // Before the kallelse: no tilläggskallelse, the changes listed for staff.
        assert!(!page.contains("tilläggskallelse</strong>"), "{page}");
        assert!(
            page.contains("Utgår: «Informationsärenden» (var punkt 2)."),
            "{page}"
        );
        let actions: i64 = app
            .count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'meeting' AND entity_id = {} \
                 AND action IN ('agenda_add', 'agenda_edit', 'agenda_move', 'agenda_remove')",
                m.0
            ))
            .await;
        assert_eq!(
            actions, 6,
            "three added, one edited, one moved, one removed"
        );
    }
}

#[tokio::test]
async fn a_meeting_is_moved_with_its_reason_and_not_once_it_has_begun() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db).await;
        let s = app.sign_in("sekreterare").await;
        let m = plan(&app, &s).await;
        let path = format!("/sekretariat/sammantraden/{}/flytta", m.0);
        // A reason is needed; the typed form comes back.
        let page = app
            .submit(
                &s,
                &path,
                &[
                    ("date", "2026-12-01"),
                    ("starts", "09:00"),
                    ("place", "Sessionssalen"),
                ],
            )
            .await;
        assert!(page.contains("skäl saknas"), "{page}");
        assert!(page.contains("value=\"Sessionssalen\""), "{page}");
        // Outside every term: refused.
        let page = app
            .submit(
                &s,
                &path,
                &[
                    ("date", "2027-01-12"),
                    ("starts", "09:00"),
                    ("place", "Sessionssalen"),
                    ("reason", "Budgeten"),
                ],
            )
            .await;
        assert!(
            page.contains("ingen mandatperiod omfattar 2027-01-12"),
            "{page}"
        );
        // Held earlier than planned: moved first, logged with the reason.
        let page = app
            .submit(
                &s,
                &path,
                &[
                    ("date", "2026-12-01"),
                    ("starts", "09:00"),
                    ("place", "Sessionssalen"),
                    ("reason", "Brådskande beslut om vinterberedskapen"),
                ],
            )
            .await;
        assert!(
            page.contains("Sammanträdet är flyttat till 2026-12-01 klockan 09:00, Sessionssalen."),
            "{page}"
        );
        assert!(
            page.contains(
                "Sammanträdet flyttades från 2026-12-15 klockan 13:00, Regionens hus, Halmstad till 2026-12-01 klockan 09:00, Sessionssalen."
            ),
            "{page}"
        );
        assert!(
            page.contains("Skäl: Brådskande beslut om vinterberedskapen"),
            "{page}"
        );
        let meeting = app.store.meeting(m).await.unwrap();
        assert_eq!(meeting.date.to_string(), "2026-12-01");
        assert_eq!(meeting.place, "Sessionssalen");
        let logged = app
            .count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'meeting' AND entity_id = {} AND action = 'move'",
                m.0
            ))
            .await;
        assert_eq!(logged, 1);
        // The same again: nothing written.
        let page = app
            .submit(
                &s,
                &path,
                &[
                    ("date", "2026-12-01"),
                    ("starts", "09:00"),
                    ("place", "Sessionssalen"),
                    ("reason", "igen"),
                ],
            )
            .await;
        assert!(page.contains("inget ändrades"), "{page}");

        // Once the meeting has begun it is not moved (nor cancelled).
        add_item(&app, &s, m, "Vinterberedskap", &[]).await;
        let mut tx = app.store.begin("user:test").await.unwrap();
        tx.issue_notice(m).await.unwrap();
        tx.commit().await.unwrap();
        let roster = app
            .store
            .proceedings(m)
            .await
            .unwrap()
            .setting()
            .roster
            .clone();
        let mut tx = app.store.begin("user:test").await.unwrap();
        for seat in roster.iter().filter(|x| x.role.is_member()) {
            tx.record_command(
                m,
                &Command::Arrive {
                    person: seat.person.id,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let page = app
            .submit(
                &s,
                &path,
                &[
                    ("date", "2026-12-02"),
                    ("starts", "09:00"),
                    ("place", "Sessionssalen"),
                    ("reason", "Försenat"),
                ],
            )
            .await;
        assert!(page.contains("sammanträdet har börjat"), "{page}");
        assert_eq!(
            app.store.meeting(m).await.unwrap().date.to_string(),
            "2026-12-01"
        );
        let page = app
            .submit(
                &s,
                &format!("/sekretariat/sammantraden/{}/installa", m.0),
                &[("reason", "Försenat"), ("confirm", "ja")],
            )
            .await;
        assert!(page.contains("sammanträdet har börjat"), "{page}");
        let page = app
            .submit(
                &s,
                &agenda_path(m),
                &[
                    ("action", "remove"),
                    ("index", "0"),
                    ("expected", "Vinterberedskap"),
                    ("confirm", "ja"),
                ],
            )
            .await;
        assert!(page.contains("sammanträdet har börjat"), "{page}");
        assert_eq!(titles(&app, m).await, ["Vinterberedskap"]);
    }
}

#[tokio::test]
async fn a_cancelled_meeting_is_inställt_everywhere_and_its_unissued_agenda_stays_unpublished() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db).await;
        let s = app.sign_in("sekreterare").await;
        let m = plan(&app, &s).await;
        add_item(&app, &s, m, "Förvärv av fastigheten Gamla Tullen 4", &[]).await;
        let path = format!("/sekretariat/sammantraden/{}/installa", m.0);
        let page = app.submit(&s, &path, &[("reason", "För få ärenden")]).await;
        assert!(
            page.contains("bekräfta att sammanträdet ska ställas in"),
            "{page}"
        );
        assert!(page.contains("value=\"För få ärenden\""), "{page}");
        let page = app
            .submit(
                &s,
                &path,
                &[("reason", "För få ärenden"), ("confirm", "ja")],
            )
            .await;
        assert!(
            page.contains("Sammanträdet 2026-12-15 är inställt."),
            "{page}"
        );
        assert!(page.contains("Skäl: För få ärenden"), "{page}");
        assert!(!page.contains("Flytta sammanträdet</button>"), "{page}");
        // Twice: nothing more written.
        let page = app
            .submit(
                &s,
                &path,
                &[("reason", "För få ärenden"), ("confirm", "ja")],
            )
            .await;
        assert!(page.contains("redan inställt"), "{page}");
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) FROM meeting_changes WHERE meeting_id = {} AND kind = 'cancelled'",
                m.0
            ))
            .await,
            1
        );
        // No agenda work on a cancelled meeting.
        let page = add_item(&app, &s, m, "Sent ärende", &[]).await;
        assert!(page.contains("sammanträdet är inställt"), "{page}");

        let secret = "Gamla Tullen";
        let page = app.ok(&format!("/sammantraden/{}", m.0)).await;
        assert!(page.contains("Inställt"), "{page}");
        assert!(page.contains("Sammanträdet är inställt."), "{page}");
        assert!(!page.contains(secret), "{page}");
        let body = app.body(BODY).await;
        let list = app.ok(&format!("/organ/{}", body.0)).await;
        assert!(list.contains("Inställt"), "{list}");
        let all = app.ok("/sammantraden").await;
        assert!(all.contains("Inställt"));
        let api = app.ok(&format!("/api/v1/meetings/{}", m.0)).await;
        let json: serde_json::Value = serde_json::from_str(&api).unwrap();
        assert_eq!(json["status"], "cancelled");
        assert_eq!(json["status_label"], "Inställt");
        assert!(!api.contains(secret), "{api}");
        let oparl = app.ok(&format!("/api/oparl/v1/meetings/{}", m.0)).await;
        let json: serde_json::Value = serde_json::from_str(&oparl).unwrap();
        assert_eq!(json["cancelled"], true);
        assert!(!oparl.contains(secret), "{oparl}");
        let ics = app.ok(&format!("/organ/{}/sammantraden.ics", body.0)).await;
        let event = ics
            .split("BEGIN:VEVENT")
            .find(|e| e.contains(&format!("sammantrade-{}@", m.0)))
            .expect("the cancelled meeting stays in the calendar");
        assert!(event.contains("STATUS:CANCELLED"), "{event}");
        assert!(event.contains("Inställt"), "{event}");
        let (status, kallelse) = app
            .get(&format!("/sammantraden/{}/dokument/kallelse.txt", m.0))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{kallelse}");
        assert!(!kallelse.contains(secret));
    }
}

#[tokio::test]
async fn changes_after_the_kallelse_make_a_tilläggskallelse_that_lists_them() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db).await;
        let s = app.sign_in("sekreterare").await;
        let m = plan(&app, &s).await;
        add_item(&app, &s, m, "Val av justerare", &[]).await;
        add_item(&app, &s, m, "Budget 2027", &[]).await;
        let page = app
            .submit(
                &s,
                &format!("/sekretariat/sammantraden/{}/kallelse", m.0),
                &[],
            )
            .await;
        assert!(page.contains("Kallelsen är utfärdad"), "{page}");
        let kallelse = format!("/sammantraden/{}/dokument/kallelse.txt", m.0);
        let first = app.ok(&kallelse).await;
        assert!(
            first.contains("Kallelse till sammanträde med Regionstyrelsen"),
            "{first}"
        );
        assert!(!first.contains("Tilläggskallelse"), "{first}");

        // After the kallelse: an item added, one secret, one removed, and
        // the meeting moved.
        add_item(&app, &s, m, "Delårsrapport", &[]).await;
        add_item(
            &app,
            &s,
            m,
            "Förhandling om Gamla Tullen 4",
            &[("ground", "OSL 19 kap. 1 §")],
        )
        .await;
        app.submit(
            &s,
            &agenda_path(m),
            &[
                ("action", "remove"),
                ("index", "1"),
                ("expected", "Budget 2027"),
                ("confirm", "ja"),
            ],
        )
        .await;
        let page = app
            .submit(
                &s,
                &format!("/sekretariat/sammantraden/{}/flytta", m.0),
                &[
                    ("date", "2026-12-15"),
                    ("starts", "15:00"),
                    ("place", "Regionens hus, Halmstad"),
                    ("reason", "Krock med fullmäktige"),
                ],
            )
            .await;
        assert!(page.contains("tilläggskallelse</strong>"), "{page}");
        assert!(
            page.contains("Tilläggskallelse med föredragningslista (PDF)"),
            "{page}"
        );

        let text = app.ok(&kallelse).await;
        assert!(text.contains("TILLÄGGSKALLELSE"), "{text}");
        assert!(
            text.contains("Tilläggskallelse till sammanträde med Regionstyrelsen"),
            "{text}"
        );
        assert!(text.contains("Tid: 2026-12-15 klockan 15:00"), "{text}");
        assert!(text.contains("Ändringar sedan kallelsen"), "{text}");
        assert!(text.contains("Ny punkt 3: «Delårsrapport»."), "{text}");
        assert!(
            text.contains("Utgår: «Budget 2027» (var punkt 2)."),
            "{text}"
        );
        assert!(
            text.contains("Sammanträdet flyttades från 2026-12-15 klockan 13:00, Regionens hus, Halmstad till 2026-12-15 klockan 15:00, Regionens hus, Halmstad."),
            "{text}"
        );
        // The secret item by its number and ground only, in the list and
        // the changes; no reason for the public.
        assert!(
            text.contains("Ny punkt 4: ärende med sekretess (OSL 19 kap. 1 §)."),
            "{text}"
        );
        assert!(!text.contains("Gamla Tullen"), "{text}");
        assert!(!text.contains("Krock med fullmäktige"), "{text}");
        assert!(!text.contains("Kallelsen skickades ut"), "{text}");
        // The public meeting page says so too, with the same list.
        let public = app.ok(&format!("/sammantraden/{}", m.0)).await;
        assert!(
            public.contains("Tilläggskallelse och föredragningslista som PDF"),
            "{public}"
        );
        assert!(public.contains("Ny punkt 3: «Delårsrapport»."), "{public}");
        assert!(
            public.contains("Ny punkt 4: ärende med sekretess (OSL 19 kap. 1 §)."),
            "{public}"
        );
        assert!(!public.contains("Gamla Tullen"), "{public}");
        assert!(!public.contains("Krock med fullmäktige"), "{public}");
        // The staff page has it all.
        let staff = app
            .staff_text(&s, &format!("/sekretariat/sammantraden/{}", m.0))
            .await;
        assert!(staff.contains("Kallelsen skickades ut."), "{staff}");
        assert!(
            staff.contains("«Förhandling om Gamla Tullen 4» (sekretess: OSL 19 kap. 1 §)"),
            "{staff}"
        );
        assert!(staff.contains("Skäl: Krock med fullmäktige"), "{staff}");
    }
}

#[tokio::test]
async fn the_kallelse_lists_the_ersättare_in_calling_order_and_the_föredragande() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db).await;
        let s = app.sign_in("sekreterare").await;
        let m = plan(&app, &s).await;
        let body = app.body(BODY).await;
        let term = app
            .store
            .members(body)
            .await
            .unwrap()
            .into_iter()
            .next()
            .unwrap()
            .membership
            .term;
        let mut tx = app.store.begin("user:test").await.unwrap();
        let mut subs = Vec::new();
        for (name, party, order) in [
            ("Sven Svensson", "S", 2),
            ("Anna Andersson", "S", 1),
            ("Mats Månsson", "M", 1),
        ] {
            let p = tx.add_person(name, Some(party)).await.unwrap();
            subs.push(Membership {
                person: p,
                body,
                term,
                role: Role::Substitute { order },
                party_group: Some(party.into()),
            });
        }
        tx.add_memberships(&subs).await.unwrap();
        tx.commit().await.unwrap();
        let presenter = app
            .store
            .person_by_name("Per Persson")
            .await
            .unwrap()
            .unwrap();
        add_item(
            &app,
            &s,
            m,
            "Budget 2027",
            &[("presenter", &presenter.id.0.to_string())],
        )
        .await;
        app.submit(
            &s,
            &format!("/sekretariat/sammantraden/{}/kallelse", m.0),
            &[],
        )
        .await;
        let text = app
            .ok(&format!("/sammantraden/{}/dokument/kallelse.txt", m.0))
            .await;
        let at = |needle: &str| {
            text.find(needle)
                .unwrap_or_else(|| panic!("{needle} missing: {text}"))
        };
        // Per party group, each in its serving order.
        assert!(at("Ersättare (M)") < at("1. Mats Månsson (M)"));
        assert!(at("1. Mats Månsson (M)") < at("Ersättare (S)"));
        assert!(at("Ersättare (S)") < at("1. Anna Andersson (S)"));
        assert!(at("1. Anna Andersson (S)") < at("2. Sven Svensson (S)"));
        // Substitutes are not listed among the members.
        assert!(at("Ledamöter") < at("Ersättare (M)"));
        assert!(
            at("- 1. Budget 2027") < at("Föredragande: Per Persson"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn the_föredragande_follows_the_item_into_the_protocols_ärendelista() {
    for db in kansli_testsupport::all().await {
        let app = spawn(db).await;
        let s = app.sign_in("sekreterare").await;
        // The arbetsutskott: all its seats are filled in the demo, so it
        // has a quorum.
        let m = plan_for(&app, &s, "Regionstyrelsens arbetsutskott").await;
        // Held on an earlier day than planned: moved first.
        app.submit(
            &s,
            &format!("/sekretariat/sammantraden/{}/flytta", m.0),
            &[
                ("date", "2026-11-30"),
                ("starts", "09:00"),
                ("place", "Sessionssalen"),
                ("reason", "Tidigarelagt"),
            ],
        )
        .await;
        let presenter = app
            .store
            .person_by_name("Per Persson")
            .await
            .unwrap()
            .unwrap();
        add_item(
            &app,
            &s,
            m,
            "Budget 2027",
            &[("presenter", &presenter.id.0.to_string())],
        )
        .await;
        app.submit(
            &s,
            &format!("/sekretariat/sammantraden/{}/kallelse", m.0),
            &[],
        )
        .await;
        let roster = app
            .store
            .proceedings(m)
            .await
            .unwrap()
            .setting()
            .roster
            .clone();
        let mut tx = app.store.begin("user:test").await.unwrap();
        for seat in roster.iter().filter(|x| x.role.is_member()) {
            tx.record_command(
                m,
                &Command::Arrive {
                    person: seat.person.id,
                },
            )
            .await
            .unwrap();
        }
        tx.record_command(
            m,
            &Command::Open {
                at: None,
                on: Some("2026-11-30".parse().unwrap()),
            },
        )
        .await
        .unwrap();
        tx.record_command(
            m,
            &Command::TakeUp {
                item: 0,
                draft_decision: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let record = app.store.meeting_record(m).await.unwrap();
        assert_eq!(record.items[0].presenter, Some(presenter.id));
        let number = record.items[0].paragraph.as_ref().unwrap().number;
        assert_eq!(
            app.store.meeting(m).await.unwrap().date.to_string(),
            "2026-11-30"
        );
        let protocol = app
            .staff_text(
                &s,
                &format!("/sekretariat/sammantraden/{}/protokoll/protokoll.txt", m.0),
            )
            .await;
        assert!(
            protocol.contains(&format!(
                "§{number} Budget 2027 (föredragande: Per Persson)"
            )),
            "{protocol}"
        );
    }
}
