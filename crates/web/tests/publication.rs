//! Publication follows the law (`kansli_core::publication`), over the real
//! server, output by output: before justering the public sees that a meeting
//! was held and its agenda, nothing of what was recorded (HTML, JSON API,
//! OParl, exports, feeds, person and body pages, document files), while the
//! secretariat sees the draft marked UTKAST; a closed meeting is not
//! followed live, a public one is; the agenda is public from the kallelse; a
//! beslutsförslag from its kallelse or when marked final. Once justerat,
//! everything is public again.

use kansli_core::meeting::{AgendaItem, ItemKind, MeetingStatus};
use kansli_core::proceedings::Command;
use kansli_core::{Access, BodyId, MeetingId, OrganisationId, deadlines};
use kansli_documents::view::{self, Audience};
use kansli_store::Store;
use kansli_testsupport::{TestDb, all, poppler};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};

struct App {
    base: String,
    store: Store,
    org: OrganisationId,
    rsau: BodyId,
    _db: TestDb,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn spawn(db: TestDb) -> App {
    let store = db.store().await;
    kansli_demo::load(&store).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = store.clone();
    tokio::spawn(async move {
        kansli_web::serve(
            listener,
            served,
            kansli_web::Config::default(),
            std::future::pending(),
        )
        .await
        .unwrap()
    });
    let org = store
        .organisation_by_name("Region Halland")
        .await
        .unwrap()
        .unwrap()
        .id;
    let rsau = store
        .bodies(org)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.name == "Regionstyrelsens arbetsutskott")
        .unwrap()
        .id;
    App {
        base: format!("http://{addr}"),
        store,
        org,
        rsau,
        _db: db,
    }
}

fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers().get_all(SET_COOKIE).iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let (pair, _) = v.split_once(';').unwrap_or((v, ""));
        let (n, value) = pair.split_once('=')?;
        (n == name).then(|| value.to_string())
    })
}

fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no field {name}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

impl App {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Anonymous GET: status and body bytes.
    async fn get_bytes(&self, path: &str) -> (StatusCode, Vec<u8>) {
        let r = client().get(self.url(path)).send().await.unwrap();
        (r.status(), r.bytes().await.unwrap().to_vec())
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let (s, b) = self.get_bytes(path).await;
        (s, String::from_utf8_lossy(&b).into_owned())
    }

    /// Anonymous GET of a page that must be there.
    async fn ok(&self, path: &str) -> String {
        let (s, b) = self.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}: {b}");
        b
    }

    /// A signed-in session: (cookie, csrf).
    async fn sign_in(&self, username: &str) -> (String, String) {
        let c = client();
        let form = c.get(self.url("/logga-in")).send().await.unwrap();
        let token = set_cookie(&form, "kansli_signin").expect("sign-in cookie");
        let r = c
            .post(self.url("/logga-in"))
            .header(COOKIE, format!("kansli_signin={token}"))
            .form(&[
                ("username", username),
                ("password", kansli_demo::DEMO_PASSWORD),
                ("token", &token),
                ("till", "/sekretariat"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{username} signs in");
        let cookie = set_cookie(&r, "kansli_session").expect("session cookie");
        let page = self.staff(&cookie, "/sekretariat").await.1;
        let csrf = hidden(&String::from_utf8_lossy(&page), "csrf");
        (cookie, csrf)
    }

    async fn staff(&self, cookie: &str, path: &str) -> (StatusCode, Vec<u8>) {
        let r = client()
            .get(self.url(path))
            .header(COOKIE, format!("kansli_session={cookie}"))
            .send()
            .await
            .unwrap();
        (r.status(), r.bytes().await.unwrap().to_vec())
    }

    async fn staff_text(&self, cookie: &str, path: &str) -> String {
        let (s, b) = self.staff(cookie, path).await;
        let b = String::from_utf8_lossy(&b).into_owned();
        assert_eq!(s, StatusCode::OK, "{path}: {b}");
        b
    }

    async fn meeting(&self, body: &str, date: &str) -> MeetingId {
        self.store
            .all_meetings()
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.body.name == body && m.meeting.date.to_string() == date)
            .unwrap_or_else(|| panic!("no meeting of {body} on {date}"))
            .meeting
            .id
    }
}

/// What the complete record of a meeting says that the public must not see
/// before justering: taken from the secretariat's view, not typed here.
struct Recorded {
    /// An att-clause of a decision.
    clause: String,
    /// A proposal's sentence ("… yrkar bifall …").
    proposal: String,
    /// Someone present (a member).
    attendee: String,
    /// A person who moved or voted, with the paragraph's number.
    actor: i64,
    /// A paragraph number.
    number: u32,
    /// Public agenda items' titles.
    titles: Vec<String>,
    /// The case of a paragraph.
    case: i64,
}

async fn recorded(store: &Store, meeting: MeetingId) -> Recorded {
    let v = view::meeting_for(store, meeting, Audience::Official)
        .await
        .unwrap();
    let p = v
        .paragraphs
        .iter()
        .find(|p| p.public && p.decision.is_some() && !p.proposals.is_empty())
        .expect("a paragraph with a decision and a proposal");
    let clause = p.decision.as_ref().unwrap().parts[0].clauses[0]
        .text
        .clone();
    let actor = p
        .votes
        .first()
        .map(|v| v.ballots[0].person.id)
        .or_else(|| p.proposals[0].mover_ids.first().copied())
        .expect("someone moved or voted");
    Recorded {
        clause,
        proposal: p.proposals[0].sentence.clone(),
        attendee: v.members[0].person.display.clone(),
        actor,
        number: p.number,
        titles: v
            .agenda
            .iter()
            .filter(|i| i.public)
            .map(|i| i.title.clone())
            .collect(),
        case: v
            .paragraphs
            .iter()
            .find_map(|p| p.case_id)
            .expect("a paragraph on a case"),
    }
}

/// Every public output that can show a meeting's recorded content: (path,
/// whether it must answer 404 while the protocol is not public).
fn outputs(meeting: MeetingId, body: BodyId, r: &Recorded) -> Vec<(String, bool)> {
    let (m, b, number, person, case) = (meeting.0, body.0, r.number, r.actor, r.case);
    let mut v: Vec<(String, bool)> = vec![
        (format!("/arenden/{case}"), false),
        (format!("/api/v1/cases/{case}"), false),
        (format!("/api/oparl/v1/papers/{case}"), false),
        (format!("/sammantraden/{m}"), false),
        (format!("/sammantraden/{m}/paragrafer/{number}"), true),
        (format!("/api/v1/meetings/{m}"), false),
        (format!("/api/v1/meetings/{m}/paragraphs/{number}"), true),
        (format!("/api/oparl/v1/meetings/{m}"), false),
        (format!("/api/oparl/v1/meetings/{m}/agenda-items/1"), false),
        (format!("/api/oparl/v1/meetings/{m}/files/protokoll"), true),
        (format!("/organ/{b}"), false),
        (format!("/organ/{b}/omrostningar"), false),
        (format!("/api/v1/bodies/{b}/votes-by-party"), false),
        (format!("/api/v1/bodies/{b}/decisions.json"), false),
        (format!("/api/v1/bodies/{b}/decisions.csv"), false),
        (format!("/api/v1/bodies/{b}/votes.json"), false),
        (format!("/api/v1/bodies/{b}/votes.csv"), false),
        (format!("/organ/{b}/sammantraden.ics"), false),
        (format!("/personer/{person}"), false),
        (format!("/api/v1/persons/{person}"), false),
        ("/".to_string(), false),
        ("/sammantraden".to_string(), false),
        ("/api/v1/meetings".to_string(), false),
        ("/anslagstavla".to_string(), false),
        ("/anslagstavla.atom".to_string(), false),
    ];
    for ext in ["pdf", "html", "txt"] {
        v.push((format!("/sammantraden/{m}/dokument/protokoll.{ext}"), true));
        v.push((
            format!("/sammantraden/{m}/paragrafer/{number}/utdrag.{ext}"),
            true,
        ));
    }
    v
}

/// The link to the meeting's paragraphs, as pages and data write it.
fn paragraph_link(meeting: MeetingId) -> String {
    format!("/sammantraden/{}/paragrafer/", meeting.0)
}

fn assert_hidden(path: &str, body: &str, r: &Recorded, meeting: MeetingId) {
    // A member's name is on the body's and their own pages anyway; that
    // they attended is told only by the meeting's outputs.
    let of_meeting = [
        format!("/sammantraden/{}", meeting.0),
        format!("/meetings/{}", meeting.0),
    ]
    .iter()
    .any(|m| path.ends_with(m.as_str()) || path.contains(&format!("{m}/")));
    let attendee = if of_meeting {
        r.attendee.as_str()
    } else {
        "\u{0}never"
    };
    for (what, s) in [
        ("a decision", r.clause.as_str()),
        ("a proposal", r.proposal.as_str()),
        ("attendance", attendee),
        ("a paragraph link", paragraph_link(meeting).as_str()),
    ] {
        assert!(
            !body.contains(s),
            "{path} shows {what} of a protocol not justerat: «{s}»"
        );
    }
}

#[tokio::test]
async fn a_held_meeting_shows_nothing_recorded_until_justerat_in_any_output() {
    for db in all().await {
        let app = spawn(db).await;
        let meeting = app
            .meeting("Regionstyrelsens arbetsutskott", "2025-01-28")
            .await;
        let r = recorded(&app.store, meeting).await;
        let paths = outputs(meeting, app.rsau, &r);

        // The secretariat first: its draft must not reach the cache of
        // what the public is served.
        let (cookie, _) = app.sign_in("sekreterare").await;
        let draft_base = format!("/sekretariat/sammantraden/{}/protokoll", meeting.0);
        let txt = app
            .staff_text(&cookie, &format!("{draft_base}/protokoll.txt"))
            .await;
        assert!(
            txt.starts_with("UTKAST – protokollet är inte justerat\n"),
            "{txt}"
        );
        assert!(txt.contains(&r.clause));
        let html = app
            .staff_text(&cookie, &format!("{draft_base}/protokoll.html"))
            .await;
        assert!(html.contains("<strong>UTKAST – protokollet är inte justerat</strong>"));
        let (s, pdf) = app
            .staff(&cookie, &format!("{draft_base}/protokoll.pdf"))
            .await;
        assert_eq!(s, StatusCode::OK);
        if let Some(t) = poppler("pdftotext", &["-layout"], &pdf) {
            let pages: Vec<&str> = t.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
            assert!(pages.len() > 1, "a protocol of several pages");
            for (i, page) in pages.iter().enumerate() {
                assert!(
                    page.contains("UTKAST"),
                    "page {} of the draft lacks the UTKAST mark",
                    i + 1
                );
            }
        }
        // Signed in, the public pages stay the public's.
        let (_, signed_in_page) = app
            .staff(&cookie, &format!("/sammantraden/{}", meeting.0))
            .await;
        assert_hidden(
            "/sammantraden (signed in)",
            &String::from_utf8_lossy(&signed_in_page),
            &r,
            meeting,
        );

        for (path, gone) in &paths {
            let (status, body) = app.get(path).await;
            if *gone {
                assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
            } else {
                assert_eq!(status, StatusCode::OK, "{path}: {body}");
            }
            assert_hidden(path, &body, &r, meeting);
            assert!(!body.contains("UTKAST"), "{path} shows a draft mark");
        }
        // What the public does see: that it was held, and the agenda.
        let page = app.ok(&format!("/sammantraden/{}", meeting.0)).await;
        assert!(page.contains("Protokollet är inte justerat än."), "{page}");
        for t in &r.titles {
            assert!(
                page.contains(&t.replace('&', "&amp;").replace('"', "&quot;"))
                    || page.contains(t.as_str()),
                "the agenda item «{t}» is public"
            );
        }
        let json: serde_json::Value =
            serde_json::from_str(&app.ok(&format!("/api/v1/meetings/{}", meeting.0)).await)
                .unwrap();
        assert_eq!(json["status"], "held");
        assert_eq!(json["publication"]["protocol"], false);
        assert_eq!(json["paragraphs"].as_array().unwrap().len(), 0);
        assert_eq!(json["members"].as_array().unwrap().len(), 0);
        assert!(json["chair"].is_null());
        assert_eq!(json["agenda"].as_array().unwrap().len(), r.titles.len());
        assert!(json["agenda"][0]["paragraph"].is_null());
        let oparl: serde_json::Value = serde_json::from_str(
            &app.ok(&format!("/api/oparl/v1/meetings/{}", meeting.0))
                .await,
        )
        .unwrap();
        assert!(
            oparl.get("resultsProtocol").is_none_or(|v| v.is_null()),
            "{oparl}"
        );
        let (status, text) = app
            .get(&format!(
                "/sammantraden/{}/dokument/protokoll.txt",
                meeting.0
            ))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(text.contains("inte justerat"), "{text}");

        // Justerat and posted: everything is public, no draft mark.
        let approved = jiff::civil::date(2025, 2, 4);
        let posted = jiff::civil::date(2025, 2, 5);
        let mut tx = app.store.begin("user:test").await.unwrap();
        tx.set_meeting_status(meeting, &MeetingStatus::Approved { approved })
            .await
            .unwrap();
        tx.set_meeting_status(
            meeting,
            &MeetingStatus::NoticePosted {
                approved,
                posted,
                taken_down: deadlines::notice_take_down(posted).unwrap(),
                kept_at: "Regionkontoret, Halmstad".into(),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let page = app.ok(&format!("/sammantraden/{}", meeting.0)).await;
        for s in [&r.clause, &r.attendee, &paragraph_link(meeting)] {
            assert!(page.contains(s.as_str()), "justerat, the page shows «{s}»");
        }
        assert!(page.contains("/dokument/protokoll.pdf"));
        for (path, _) in &paths {
            let (status, body) = app.get(path).await;
            assert_eq!(status, StatusCode::OK, "justerat: {path}: {body}");
            assert!(!body.contains("UTKAST"), "{path} shows a draft mark");
        }
        let txt = app
            .ok(&format!(
                "/sammantraden/{}/dokument/protokoll.txt",
                meeting.0
            ))
            .await;
        assert!(txt.contains(&r.clause));
        let person = app.ok(&format!("/personer/{}", r.actor)).await;
        assert!(person.contains(&paragraph_link(meeting)), "{person}");
        let csv = app
            .ok(&format!("/api/v1/bodies/{}/decisions.csv", app.rsau.0))
            .await;
        assert!(csv.contains(&paragraph_link(meeting)));
        let staff = app
            .staff_text(&cookie, &format!("{draft_base}/protokoll.txt"))
            .await;
        assert!(!staff.contains("UTKAST"), "justerat, no longer a draft");
        let oparl: serde_json::Value = serde_json::from_str(
            &app.ok(&format!("/api/oparl/v1/meetings/{}", meeting.0))
                .await,
        )
        .unwrap();
        assert!(oparl["resultsProtocol"].is_object(), "{oparl}");
    }
}

/// A meeting of the arbetsutskott (closed by default) in session with a
/// proposal made; returns the meeting and the proposal's text.
async fn in_session(app: &App) -> (MeetingId, String) {
    let mut tx = app.store.begin("user:test").await.unwrap();
    let meeting = tx
        .plan_meeting(
            app.rsau,
            jiff::civil::date(2025, 5, 6),
            None,
            "Regionens hus",
        )
        .await
        .unwrap();
    let (case, _) = tx
        .register_case(
            app.org,
            "Motion om nattbussar",
            jiff::civil::date(2025, 2, 3),
        )
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
    let roster = app
        .store
        .proceedings(meeting)
        .await
        .unwrap()
        .setting()
        .roster
        .clone();
    let mut tx = app.store.begin("user:test").await.unwrap();
    for seat in &roster {
        tx.record_command(
            meeting,
            &Command::Arrive {
                person: seat.person.id,
            },
        )
        .await
        .unwrap();
    }
    tx.record_command(
        meeting,
        &Command::Open {
            at: None,
            on: Some(jiff::civil::date(2025, 5, 6)),
        },
    )
    .await
    .unwrap();
    tx.record_command(
        meeting,
        &Command::TakeUp {
            item: 0,
            draft_decision: None,
        },
    )
    .await
    .unwrap();
    let text = "LEVANDE-YRKANDET om nattbussar";
    tx.record_command(
        meeting,
        &Command::Move {
            movers: vec![kansli_core::meeting::Actor::Person {
                person: roster[0].person.id,
            }],
            kind: kansli_core::meeting::ProposalKind::Bifall,
            text: text.into(),
            decision: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (meeting, "LEVANDE-YRKANDET".into())
}

#[tokio::test]
async fn a_closed_meeting_is_not_followed_live_and_a_public_one_is() {
    for db in all().await {
        let app = spawn(db).await;
        let (meeting, said) = in_session(&app).await;
        let number = view::meeting_for(&app.store, meeting, Audience::Official)
            .await
            .unwrap()
            .paragraphs[0]
            .number;
        let live = [
            format!("/sammantraden/{}", meeting.0),
            format!("/sammantraden/{}/paragrafer/{number}", meeting.0),
            format!("/api/v1/meetings/{}", meeting.0),
            format!("/api/oparl/v1/meetings/{}/agenda-items/1", meeting.0),
        ];
        // KL 6 kap. 25 §: the utskott meets behind closed doors.
        for path in &live {
            let (status, body) = app.get(path).await;
            assert!(
                !body.contains(&said),
                "{path} follows a closed meeting live"
            );
            assert!(status == StatusCode::OK || status == StatusCode::NOT_FOUND);
        }
        let page = app.ok(&format!("/sammantraden/{}", meeting.0)).await;
        assert!(
            page.contains("Sammanträdet pågår. Det är inte offentligt"),
            "{page}"
        );
        assert!(
            page.contains("Svar på motion om nattbussar"),
            "the agenda is public"
        );

        // The body decides to meet in public, and its secretary records it:
        // now it may be followed live.
        let (cookie, csrf) = app.sign_in("sekreterare").await;
        let list = format!("/sekretariat/organ/{}/sammantraden", app.rsau.0);
        let page = app.staff_text(&cookie, &list).await;
        assert!(page.contains("inom stängda dörrar (kommunallagen 6 kap. 25 §)"));
        let key = {
            let at = page.find("/offentlighet\"").expect("the form");
            hidden(&page[at..], "once")
        };
        let send = |value: &'static str, key: String| {
            let (app, cookie, csrf) = (&app, &cookie, &csrf);
            async move {
                client()
                    .post(app.url(&format!("/sekretariat/organ/{}/offentlighet", app.rsau.0)))
                    .header(COOKIE, format!("kansli_session={cookie}"))
                    .form(&[("csrf", csrf.as_str()), ("once", &key), ("public", value)])
                    .send()
                    .await
                    .unwrap()
            }
        };
        // Neither yes nor no: refused, nothing written.
        let r = send("kanske", "f".repeat(64)).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(!app.store.decided_to_meet_in_public(app.rsau).await.unwrap());
        for _ in 0..2 {
            let r = send("ja", key.clone()).await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
        }
        assert!(app.store.decided_to_meet_in_public(app.rsau).await.unwrap());
        let page = app.staff_text(&cookie, &list).await;
        assert!(page.contains("Organet har beslutat att sammanträda offentligt"));
        for path in &live[..3] {
            let body = app.ok(path).await;
            assert!(body.contains(&said), "{path} follows a public meeting live");
        }
        // Still no protocol document before justering.
        for ext in ["pdf", "html", "txt"] {
            let (status, _) = app
                .get(&format!(
                    "/sammantraden/{}/dokument/protokoll.{ext}",
                    meeting.0
                ))
                .await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "protokoll.{ext} while in session"
            );
        }
        // Closed again: hidden again.
        let mut tx = app.store.begin("user:test").await.unwrap();
        tx.set_meets_in_public(app.rsau, false).await.unwrap();
        tx.commit().await.unwrap();
        let (_, body) = app.get(&live[2]).await;
        assert!(!body.contains(&said));
    }
}

#[tokio::test]
async fn the_agenda_is_public_from_the_kallelse() {
    for db in all().await {
        let app = spawn(db).await;
        let mut tx = app.store.begin("user:test").await.unwrap();
        let meeting = tx
            .plan_meeting(
                app.rsau,
                jiff::civil::date(2025, 6, 3),
                None,
                "Regionens hus",
            )
            .await
            .unwrap();
        tx.set_agenda(
            meeting,
            &[AgendaItem {
                title: "PLANERAD-PUNKT om färdtjänst".into(),
                case: None,
                kind: ItemKind::Information,
                access: Access::Public,
                basis: vec![],
                paragraph: None,
                presenter: None,
            }],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let agenda_outputs = [
            format!("/sammantraden/{}", meeting.0),
            format!("/api/v1/meetings/{}", meeting.0),
            format!("/api/oparl/v1/meetings/{}", meeting.0),
            format!("/api/oparl/v1/meetings/{}/agenda-items/1", meeting.0),
        ];
        for path in &agenda_outputs {
            let (_, body) = app.get(path).await;
            assert!(
                !body.contains("PLANERAD-PUNKT"),
                "{path} shows an agenda not sent"
            );
        }
        let page = app.ok(&format!("/sammantraden/{}", meeting.0)).await;
        assert!(page.contains("Föredragningslistan visas här när kallelsen har skickats ut."));
        for ext in ["pdf", "html", "txt"] {
            let (status, _) = app
                .get(&format!(
                    "/sammantraden/{}/dokument/kallelse.{ext}",
                    meeting.0
                ))
                .await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "kallelse.{ext} before it is sent"
            );
        }
        let mut tx = app.store.begin("user:test").await.unwrap();
        tx.issue_notice(meeting).await.unwrap();
        tx.commit().await.unwrap();
        for path in &agenda_outputs[..3] {
            let body = app.ok(path).await;
            assert!(
                body.contains("PLANERAD-PUNKT"),
                "{path} shows the agenda sent"
            );
        }
        let txt = app
            .ok(&format!(
                "/sammantraden/{}/dokument/kallelse.txt",
                meeting.0
            ))
            .await;
        assert!(txt.contains("PLANERAD-PUNKT"));
        assert!(!txt.contains("UTKAST"));
    }
}

fn report(case: kansli_core::CaseId, words: &str) -> kansli_core::case::OfficerReport {
    use kansli_core::decision::{Clause, Decision, Formula};
    kansli_core::case::OfficerReport {
        case,
        date: jiff::civil::date(2025, 5, 2),
        unit: vec!["Regionkontoret".into()],
        author: kansli_core::case::Signatory {
            name: "Anna Handläggare".into(),
            title: "utredare".into(),
        },
        addressed_to: "Regionstyrelsens arbetsutskott".into(),
        title: format!("Utredning {words}"),
        draft_decision: Decision::single(
            Formula::Decides,
            vec![Clause::new(format!("anta {words}-BESLUTET"))],
        ),
        summary: format!("{words}-SAMMANFATTNING om färdtjänsten."),
        background: String::new(),
        considerations: String::new(),
        consequences: String::new(),
        economic_consequences: String::new(),
        signatories: vec![],
        attachments: vec![],
        notify: vec![],
    }
}

/// The public outputs of a case that show its beslutsförslag.
fn report_outputs(case: kansli_core::CaseId) -> Vec<String> {
    let c = case.0;
    vec![
        format!("/arenden/{c}"),
        format!("/api/v1/cases/{c}"),
        format!("/api/oparl/v1/papers/{c}"),
        format!("/arenden/{c}/beslutsforslag.txt"),
        format!("/arenden/{c}/beslutsforslag.html"),
        format!("/arenden/{c}/beslutsforslag.pdf"),
    ]
}

async fn assert_report_hidden(app: &App, case: kansli_core::CaseId, words: &str) {
    for path in report_outputs(case) {
        let (status, body) = app.get(&path).await;
        assert!(
            !body.contains(&format!("{words}-SAMMANFATTNING")),
            "{path} shows a draft beslutsförslag"
        );
        if path.contains("beslutsforslag.") {
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        } else {
            assert_eq!(status, StatusCode::OK, "{path}: the case itself is public");
        }
    }
}

async fn assert_report_public(app: &App, case: kansli_core::CaseId, words: &str) {
    for path in report_outputs(case) {
        let (status, body) = app.get_bytes(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        if path.ends_with(".pdf") {
            if let Some(t) = poppler("pdftotext", &[], &body) {
                assert!(t.contains(&format!("{words}-SAMMANFATTNING")), "{path}");
                assert!(!t.contains("UTKAST"), "{path}");
            }
        } else if !path.contains("oparl") {
            let body = String::from_utf8(body).unwrap();
            assert!(body.contains(&format!("{words}-SAMMANFATTNING")), "{path}");
            assert!(!body.contains("UTKAST"), "{path}");
        }
    }
}

#[tokio::test]
async fn a_beslutsforslag_is_public_when_marked_final_or_sent_with_the_kallelse() {
    for db in all().await {
        let app = spawn(db).await;
        let mut tx = app.store.begin("user:test").await.unwrap();
        let (marked, _) = tx
            .register_case(
                app.org,
                "Färdtjänst i glesbygd",
                jiff::civil::date(2025, 4, 1),
            )
            .await
            .unwrap();
        let (sent, _) = tx
            .register_case(
                app.org,
                "Färdtjänst för skolbarn",
                jiff::civil::date(2025, 4, 1),
            )
            .await
            .unwrap();
        tx.add_officer_report_with(&report(marked, "MARKERAT"), &Access::Public)
            .await
            .unwrap();
        tx.add_officer_report_with(&report(sent, "SKICKAT"), &Access::Public)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_report_hidden(&app, marked, "MARKERAT").await;
        assert_report_hidden(&app, sent, "SKICKAT").await;

        // The case officer sees the draft, marked UTKAST, and marks it final.
        let (cookie, csrf) = app.sign_in("handlaggare").await;
        let staff_txt = format!(
            "/sekretariat/arenden/{}/beslutsforslag/beslutsforslag.txt",
            marked.0
        );
        let t = app.staff_text(&cookie, &staff_txt).await;
        assert!(
            t.starts_with("UTKAST – beslutsförslaget är inte färdigställt\n"),
            "{t}"
        );
        let (s, pdf) = app
            .staff(
                &cookie,
                &format!(
                    "/sekretariat/arenden/{}/beslutsforslag/beslutsforslag.pdf",
                    marked.0
                ),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        if let Some(t) = poppler("pdftotext", &[], &pdf) {
            for (i, page) in t
                .split('\u{c}')
                .filter(|p| !p.trim().is_empty())
                .enumerate()
            {
                assert!(
                    page.contains("UTKAST"),
                    "page {} of the draft report",
                    i + 1
                );
            }
        }
        let form = app
            .staff_text(
                &cookie,
                &format!("/sekretariat/arenden/{}/beslutsforslag", marked.0),
            )
            .await;
        assert!(form.contains("Markera som färdigt"));
        let key = {
            let at = form.find("/fardigt\">").expect("the form to mark it final");
            hidden(&form[at..], "once")
        };
        let mark = || {
            client()
                .post(app.url(&format!(
                    "/sekretariat/arenden/{}/beslutsforslag/fardigt",
                    marked.0
                )))
                .header(COOKIE, format!("kansli_session={cookie}"))
                .form(&[("csrf", csrf.as_str()), ("once", key.as_str())])
                .send()
        };
        let first = mark().await.unwrap();
        assert_eq!(first.status(), StatusCode::SEE_OTHER);
        // The same form sent twice: the first answer again, one mark.
        let second = mark().await.unwrap();
        assert_eq!(second.status(), StatusCode::SEE_OTHER);
        let marks: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'mark_final' AND entity = 'officer_report'",
        )
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        assert_eq!(marks, 1);
        assert_report_public(&app, marked, "MARKERAT").await;
        let t = app.staff_text(&cookie, &staff_txt).await;
        assert!(!t.contains("UTKAST"), "final: no longer a draft");
        let form = app
            .staff_text(
                &cookie,
                &format!("/sekretariat/arenden/{}/beslutsforslag", marked.0),
            )
            .await;
        assert!(!form.contains("Markera som färdigt"));
        assert!(form.contains("Senaste versionen är färdig"));
        // Marked in the store once more: nothing changes.
        let mut tx = app.store.begin("user:test").await.unwrap();
        assert!(!tx.mark_report_final(marked).await.unwrap());
        tx.commit().await.unwrap();

        // The other goes out with a kallelse that has its case on the agenda.
        let mut tx = app.store.begin("user:test").await.unwrap();
        let meeting = tx
            .plan_meeting(
                app.rsau,
                jiff::civil::date(2025, 5, 20),
                None,
                "Regionens hus",
            )
            .await
            .unwrap();
        tx.set_agenda(
            meeting,
            &[AgendaItem {
                title: "Färdtjänst för skolbarn".into(),
                case: Some(sent),
                kind: ItemKind::Decision,
                access: Access::Public,
                basis: vec![],
                paragraph: None,
                presenter: None,
            }],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_report_hidden(&app, sent, "SKICKAT").await;
        let mut tx = app.store.begin("user:test").await.unwrap();
        tx.issue_notice(meeting).await.unwrap();
        tx.commit().await.unwrap();
        assert_report_public(&app, sent, "SKICKAT").await;

        // A case without a report cannot be marked.
        let mut tx = app.store.begin("user:test").await.unwrap();
        let (bare, _) = tx
            .register_case(app.org, "Tom", jiff::civil::date(2025, 4, 1))
            .await
            .unwrap();
        let refused = tx.mark_report_final(bare).await.unwrap_err();
        assert!(
            refused.to_string().contains("inget beslutsförslag"),
            "{refused}"
        );
    }
}
