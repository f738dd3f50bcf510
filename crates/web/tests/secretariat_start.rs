//! The secretary's start page (coming meetings, protocols awaiting
//! justering with their deadline, anslag to post and take down, motions
//! near or past their year with the report for fullmäktige,
//! delegationsbeslut to report) per role; the register of
//! delegationsbeslut and their item on the next agenda; the protocol
//! written from what is known (Ärendet from the beslutsförslag, the
//! justerare chosen in §1, the meeting's secretary, Swedish local time);
//! the menu following the sign-in state.

mod support;
use kansli_core::decision::{Clause, Decision, Formula};
use kansli_core::meeting::{AgendaItem, ItemKind};
use kansli_core::proceedings::Command;
use kansli_core::{Access, PersonId};
use kansli_testsupport::all;
use support::app::*;

fn on(day: &str) -> kansli_web::Config {
    kansli_web::Config {
        today: Some(day.parse().unwrap()),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_start_page_lists_each_roles_work() {
    for db in all().await {
        let app = spawn_with(db, on("2025-02-05")).await;
        let secretary = app.sign_in("sekreterare").await;
        let page = app.staff_text(&secretary, "/sekretariat").await;
        // Coming meetings, nearest first.
        let coming = section(&page, "kommande");
        let rs = coming.find("Regionstyrelsen 2025-02-26").expect(&coming);
        let rf = coming.find("Regionfullmäktige 2025-04-29").expect(&coming);
        assert!(rs < rf, "{coming}");
        // The held meeting's protocol, with its deadline (KL 6 kap. 35 §).
        let justering = section(&page, "protokoll");
        assert!(
            justering.contains("Regionstyrelsens arbetsutskott 2025-01-28")
                && justering.contains("justeras senast 2025-02-11")
                && justering.contains("inte utskickat för justering"),
            "{justering}"
        );
        // The KAST motion, filed 2023-12-04, is past its year.
        let motions = section(&page, "motioner");
        assert!(
            motions.contains("RS231470") && motions.contains("ett år 2024-12-04"),
            "{motions}"
        );
        assert!(motions.contains("due-late"), "{motions}");
        // Delegationsbeslut per body.
        assert!(section(&page, "delegation").contains("Regionstyrelsen"));
        // The menu follows the sign-in state.
        assert!(page.contains("Logga ut") && page.contains("Nämndsekreteraren (demo)"));
        assert!(!page.contains(">Logga in<"), "signed in: no «Logga in»");
        let public = app.staff_text(&secretary, "/sammantraden").await;
        assert!(public.contains("Logga ut"), "the public pages too");
        assert!(app.ok("/sammantraden").await.contains(">Logga in<"));

        // The motions report for fullmäktige, in the three formats.
        let report = "/sekretariat/organisationer/{}/motioner/motionsredovisning";
        let report = report.replace("{}", &app.org.0.to_string());
        let html = app.staff_text(&secretary, &format!("{report}.html")).await;
        assert!(
            html.contains("Motioner som inte har beretts färdigt inom ett år")
                && html.contains("RS231470")
                && html.contains("5 kap. 35 §")
                && html.contains("Regionfullmäktige beslutar att"),
            "{html}"
        );
        let text = app.staff_text(&secretary, &format!("{report}.txt")).await;
        assert!(text.contains("RS231470"), "{text}");
        let r = client()
            .get(app.url(&format!("{report}.pdf")))
            .header("cookie", format!("kansli_session={}", secretary.cookie))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));

        // A member sees their own work, not the secretary's; the report is
        // not theirs.
        let member = app.sign_in("ledamot").await;
        let page = app.staff_text(&member, "/sekretariat").await;
        assert!(page.contains("Per Persson") && page.contains("Logga ut"));
        for id in ["kommande", "protokoll", "motioner", "delegation"] {
            assert!(!page.contains(&format!("id=\"{id}\"")), "{id}: {page}");
        }
        let (status, _) = app.staff(&member, &format!("{report}.html")).await;
        assert_eq!(status, 403);
        // A case officer: the diarium, not the meetings.
        let officer = app.sign_in("handlaggare").await;
        let page = app.staff_text(&officer, "/sekretariat").await;
        assert!(page.contains("id=\"diarium\""));
        assert!(!page.contains("id=\"protokoll\""));

        // After justering and anslag, the notice to take down appears
        // when its day comes.
        let rsau = app
            .meeting("Regionstyrelsens arbetsutskott", "2025-01-28")
            .await;
        let d = |m, day| jiff::civil::date(2025, m, day);
        let mut tx = app.store.begin("user:test").await.unwrap();
        tx.set_meeting_status(
            rsau,
            &kansli_core::meeting::MeetingStatus::Approved { approved: d(2, 4) },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let page = app.staff_text(&secretary, "/sekretariat").await;
        let anslag = section(&page, "anslag");
        assert!(anslag.contains("sätts upp senast 2025-02-06"), "{anslag}");
        assert!(!section(&page, "protokoll").contains("2025-01-28"));
        let mut tx = app.store.begin("user:test").await.unwrap();
        tx.post_notice(rsau, d(2, 5), "Regionkontoret")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let page = app.staff_text(&secretary, "/sekretariat").await;
        assert!(!section(&page, "anslag").contains("2025-01-28"), "not yet");
        drop(app);
    }
}

#[tokio::test]
async fn a_notice_to_take_down_is_listed_around_its_day() {
    let db = kansli_testsupport::sqlite();
    let app = spawn_with(db, on("2025-02-27")).await;
    let rsau = app
        .meeting("Regionstyrelsens arbetsutskott", "2025-01-28")
        .await;
    let d = |m, day| jiff::civil::date(2025, m, day);
    let mut tx = app.store.begin("user:test").await.unwrap();
    tx.set_meeting_status(
        rsau,
        &kansli_core::meeting::MeetingStatus::Approved { approved: d(2, 4) },
    )
    .await
    .unwrap();
    tx.post_notice(rsau, d(2, 5), "Regionkontoret")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let secretary = app.sign_in("sekreterare").await;
    let page = app.staff_text(&secretary, "/sekretariat").await;
    let anslag = section(&page, "anslag");
    // Posted 2025-02-05: appeal until 2025-02-26, taken down from 02-27.
    assert!(
        anslag.contains("Regionstyrelsens arbetsutskott 2025-01-28: anslaget tas ned")
            && anslag.contains("tas ned från 2025-02-27"),
        "{anslag}"
    );
}

/// The text of the page's section whose heading has `id`.
fn section(page: &str, id: &str) -> String {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}: {page}"));
    let rest = &page[at..];
    rest[..rest.find("</section>").unwrap_or(rest.len())].to_string()
}

#[tokio::test]
async fn delegationsbeslut_are_registered_and_reported_on_the_next_agenda() {
    for db in all().await {
        let app = spawn_with(db, on("2025-02-05")).await;
        let s = app.sign_in("sekreterare").await;
        let rs = app.body("Regionstyrelsen").await;
        let page = format!("/sekretariat/organ/{}/delegationsbeslut", rs.0);
        // Refused with the reason, the typed text kept.
        let answer = app
            .submit(
                &s,
                &page,
                &[
                    ("decided", "2025-02-03"),
                    ("decided_by", "Anna Berg, regiondirektör"),
                    ("subject", ""),
                ],
            )
            .await;
        assert!(answer.contains("ange vad som beslutades"), "{answer}");
        assert!(answer.contains("value=\"Anna Berg, regiondirektör\""));
        let answer = app
            .submit(
                &s,
                &page,
                &[
                    ("decided", "2025-03-01"),
                    ("decided_by", "Anna Berg"),
                    ("subject", "Bidrag"),
                ],
            )
            .await;
        assert!(answer.contains("har inte varit än"), "{answer}");
        let answer = app
            .submit(
                &s,
                &page,
                &[
                    ("decided", "2025-02-03"),
                    ("decided_by", "Anna Berg"),
                    ("subject", "Bidrag"),
                    ("case", "RS999999"),
                ],
            )
            .await;
        assert!(answer.contains("inget ärende med diarienummer «RS999999»"));
        assert_eq!(
            app.count("SELECT COUNT(*) FROM delegation_decisions").await,
            0
        );

        for (decided, subject) in [
            ("2025-02-03", "Bidrag till Hallands konstförening"),
            ("2025-02-04", "Yttrande över remiss om kollektivtrafik"),
        ] {
            let answer = app
                .submit(
                    &s,
                    &page,
                    &[
                        ("decided", decided),
                        ("decided_by", "Anna Berg, regiondirektör"),
                        ("subject", subject),
                        ("point", "3.2"),
                        ("case", "RS231470"),
                    ],
                )
                .await;
            assert!(answer.contains("är registrerat"), "{answer}");
        }
        // Sent again without its one-time key (an old page): the same
        // decision, not a second one.
        app.submit(
            &s,
            &page,
            &[
                ("decided", "2025-02-04"),
                ("decided_by", "Anna Berg, regiondirektör"),
                ("subject", "Yttrande över remiss om kollektivtrafik"),
            ],
        )
        .await;
        assert_eq!(
            app.count("SELECT COUNT(*) FROM delegation_decisions").await,
            2
        );
        let start = app.staff_text(&s, "/sekretariat").await;
        assert!(
            section(&start, "delegation").contains("2 beslut att anmäla"),
            "{start}"
        );

        // Placed on Regionstyrelsen's next meeting, 2025-02-26.
        let answer = app.submit(&s, &format!("{page}/anmal"), &[]).await;
        assert!(
            answer.contains("2 delegationsbeslut förs upp under «Anmälan av delegationsbeslut»")
                && answer.contains("2025-02-26"),
            "{answer}"
        );
        let next = app.meeting("Regionstyrelsen", "2025-02-26").await;
        let record = app.store.meeting_record(next).await.unwrap();
        let items: Vec<&AgendaItem> = record
            .items
            .iter()
            .filter(|i| i.title == "Anmälan av delegationsbeslut")
            .collect();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].kind, ItemKind::Information);
        assert_eq!(
            items[0].basis[0].title,
            "2025-02-03 Anna Berg, regiondirektör: Bidrag till Hallands konstförening (delegationsordningen punkt 3.2), RS231470"
        );
        assert_eq!(items[0].basis.len(), 2);
        let log = app
            .count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'meeting' AND entity_id = {} AND action = 'report'",
                next.0
            ))
            .await;
        assert_eq!(log, 1);
        // Nothing more to report; a third is added to the same item.
        let answer = app.submit(&s, &format!("{page}/anmal"), &[]).await;
        assert!(
            answer.contains("har inga delegationsbeslut att anmäla"),
            "{answer}"
        );
        app.submit(
            &s,
            &page,
            &[
                ("decided", "2025-02-05"),
                ("decided_by", "Bo Ek, ekonomidirektör"),
                ("subject", "Attest av fakturor"),
            ],
        )
        .await;
        app.submit(&s, &format!("{page}/anmal"), &[]).await;
        let record = app.store.meeting_record(next).await.unwrap();
        let item = record
            .items
            .iter()
            .find(|i| i.title == "Anmälan av delegationsbeslut")
            .unwrap();
        assert_eq!(item.basis.len(), 3);
        assert_eq!(
            record
                .items
                .iter()
                .filter(|i| i.title == "Anmälan av delegationsbeslut")
                .count(),
            1
        );
        let register = app.staff_text(&s, &page).await;
        assert!(
            register.contains("Regionstyrelsen 2025-02-26"),
            "{register}"
        );

        // A body with no coming meeting: refused, saying what to do.
        let rsau = app.body("Regionstyrelsens arbetsutskott").await;
        let other = format!("/sekretariat/organ/{}/delegationsbeslut", rsau.0);
        app.submit(
            &s,
            &other,
            &[
                ("decided", "2025-02-05"),
                ("decided_by", "Bo Ek"),
                ("subject", "Attest"),
            ],
        )
        .await;
        let answer = app.submit(&s, &format!("{other}/anmal"), &[]).await;
        assert!(
            answer.contains("har inget kommande sammanträde") && answer.contains("planera"),
            "{answer}"
        );
        // A member may not register one.
        let member = app.sign_in("ledamot").await;
        let r = app
            .post(
                &member,
                &page,
                &[
                    ("decided", "2025-02-05"),
                    ("decided_by", "X"),
                    ("subject", "Y"),
                ],
            )
            .await;
        assert_eq!(r.status(), 403);
    }
}

#[tokio::test]
async fn the_protocol_is_written_from_what_is_known() {
    for db in all().await {
        let app = spawn_with(db, on("2025-03-04")).await;
        let rsau = app.body("Regionstyrelsens arbetsutskott").await;
        let case = app
            .store
            .case_by_number(app.org, "RS231470")
            .await
            .unwrap()
            .unwrap();
        let report = app
            .store
            .officer_reports(case.id)
            .await
            .unwrap()
            .pop()
            .unwrap();
        let date = jiff::civil::date(2025, 3, 4);
        let mut tx = app.store.begin("user:sekreterare").await.unwrap();
        let meeting = tx
            .plan_meeting(rsau, date, None, "Borgkammaren/Fataburen")
            .await
            .unwrap();
        let item = |title: &str, case| AgendaItem {
            title: title.into(),
            case,
            kind: ItemKind::Decision,
            access: Access::Public,
            basis: vec![],
            paragraph: None,
            presenter: None,
        };
        tx.set_agenda(
            meeting,
            &[
                item("Val av justerare", None),
                item(&case.title, Some(case.id)),
            ],
        )
        .await
        .unwrap();
        tx.issue_notice(meeting).await.unwrap();
        // A delegationsbeslut reported at this meeting.
        tx.register_delegation_decision(&kansli_store::delegation::NewDelegationDecision {
            body: rsau,
            decided: jiff::civil::date(2025, 2, 20),
            decided_by: "Anna Berg, regiondirektör",
            subject: "Yttrande över remiss om kollektivtrafik",
            delegation_point: None,
            case: None,
        })
        .await
        .unwrap();
        let (reported, _) = tx.report_delegation_decisions(rsau, date).await.unwrap();
        assert_eq!(reported, meeting);
        tx.commit().await.unwrap();
        let members: Vec<PersonId> = app
            .store
            .members(rsau)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| {
                m.term.contains(date)
                    && !matches!(m.membership.role, kansli_core::org::Role::Substitute { .. })
            })
            .map(|m| m.person.id)
            .collect();
        let persson = app
            .store
            .person_by_name("Per Persson")
            .await
            .unwrap()
            .unwrap()
            .id;
        let record = |c: Command| {
            let store = app.store.clone();
            async move {
                let mut tx = store.begin("user:sekreterare").await.unwrap();
                tx.record_command(meeting, &c)
                    .await
                    .unwrap_or_else(|e| panic!("{c:?}: {e}"));
                tx.commit().await.unwrap();
            }
        };
        let t = |s: &str| Some(s.parse().unwrap());
        for p in &members {
            record(Command::Arrive { person: *p }).await;
        }
        record(Command::Open {
            at: t("14:00"),
            on: Some(date),
        })
        .await;
        // Nobody chose the secretary: the one at the screen is it.
        let hamner = app
            .store
            .person_by_name("Karolin Hamnér")
            .await
            .unwrap()
            .unwrap()
            .id;
        assert_eq!(
            app.store.meeting(meeting).await.unwrap().secretary,
            Some(hamner)
        );
        record(Command::TakeUp {
            item: 0,
            draft_decision: None,
        })
        .await;
        record(Command::Decide {
            decision: Some(Decision::single(
                Formula::Decides,
                vec![Clause::new(
                    "utse Per Persson (S) att jämte ordföranden justera protokollet.",
                )],
            )),
        })
        .await;
        record(Command::FinishItem).await;
        // The justerare chosen in §1 are appointed, without choosing again.
        assert_eq!(
            app.store.meeting(meeting).await.unwrap().approvers,
            vec![persson]
        );
        record(Command::TakeUp {
            item: 1,
            draft_decision: Some(report.draft_decision.clone()),
        })
        .await;
        // Ärendet comes from the beslutsförslag's summary.
        let number = |r: &kansli_core::meeting::MeetingRecord| {
            r.items[1].paragraph.as_ref().unwrap().clone()
        };
        let p = number(&app.store.meeting_record(meeting).await.unwrap());
        assert!(!report.summary.trim().is_empty());
        assert_eq!(p.matter, report.summary.trim());
        // Editable: the secretary's text stays over later writes.
        let mut tx = app.store.begin("user:sekreterare").await.unwrap();
        tx.edit_prose(
            meeting,
            p.number,
            kansli_store::lifecycle::Prose::Matter,
            "Egen sammanfattning.",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        record(Command::Decide { decision: None }).await;
        record(Command::FinishItem).await;
        // The reported delegationsbeslut are listed as Ärendet.
        record(Command::TakeUp {
            item: 2,
            draft_decision: None,
        })
        .await;
        let p = app.store.meeting_record(meeting).await.unwrap().items[2]
            .paragraph
            .clone()
            .unwrap();
        assert!(
            p.matter.starts_with("Följande beslut som fattats med stöd av delegation anmäls")
                && p.matter.contains("- 2025-02-20 Anna Berg, regiondirektör: Yttrande över remiss om kollektivtrafik"),
            "{}",
            p.matter
        );
        record(Command::Decide {
            decision: Some(Decision::single(
                Formula::NotesInformation,
                vec![Clause::new("anteckna att delegationsbesluten har anmälts.")],
            )),
        })
        .await;
        record(Command::FinishItem).await;
        record(Command::Close { at: t("15:30") }).await;
        let record_now = app.store.meeting_record(meeting).await.unwrap();
        assert_eq!(number(&record_now).matter, "Egen sammanfattning.");
        assert_eq!(record_now.meeting.approvers, vec![persson]);

        let s = app.sign_in("sekreterare").await;
        let protocol = app
            .staff_text(
                &s,
                &format!(
                    "/sekretariat/sammantraden/{}/protokoll/protokoll.txt",
                    meeting.0
                ),
            )
            .await;
        for needed in [
            "klockan 14:00–15:30 (svensk tid)",
            "Karolin Hamnér",
            "Utses att justera",
            "Per Persson (S)",
            "Egen sammanfattning.",
        ] {
            assert!(protocol.contains(needed), "{needed}: {protocol}");
        }
        // Another secretary named on the meeting page, created as a person.
        let answer = app
            .submit(
                &s,
                &format!("/sekretariat/sammantraden/{}/sekreterare", meeting.0),
                &[("name", "Sara Sekreterare")],
            )
            .await;
        assert!(
            answer.contains("Sara Sekreterare är sekreterare"),
            "{answer}"
        );
        let sara = app
            .store
            .person_by_name("Sara Sekreterare")
            .await
            .unwrap()
            .unwrap()
            .id;
        assert_eq!(
            app.store.meeting(meeting).await.unwrap().secretary,
            Some(sara)
        );
        // Empty: the signed-in secretary's own person.
        let answer = app
            .submit(
                &s,
                &format!("/sekretariat/sammantraden/{}/sekreterare", meeting.0),
                &[("name", "")],
            )
            .await;
        assert!(answer.contains("Karolin Hamnér är sekreterare"), "{answer}");
        let log = app
            .count(&format!(
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'meeting' AND entity_id = {} AND action IN ('secretary', 'approvers')",
                meeting.0
            ))
            .await;
        assert_eq!(log, 4, "default, §1's justerare, two choices");
    }
}
