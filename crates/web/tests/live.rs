//! The live meeting over HTTP (#20): the server-sent events (ids, a
//! snapshot or nothing after `Last-Event-ID`, a change pushed), the public
//! live page and the big screen (a meeting behind closed doors shows
//! nothing of its proceedings until the protocol is justerat, a public one
//! everything as it happens), the secretary's stream with the ballots as
//! they arrive, and who may follow which stream; on SQLite and PostgreSQL.

mod support;

use kansli_core::meeting::{AgendaItem, ItemKind, MeetingStatus};
use kansli_core::{Access, MeetingId};
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use std::time::{Duration, Instant};
use support::app::*;

const DAY: (i16, i8, i8) = (2025, 5, 6);
const ITEM: &str = "Svar på motion om nattbussar";

fn day() -> jiff::civil::Date {
    jiff::civil::date(DAY.0, DAY.1, DAY.2)
}

async fn app_for(db: kansli_testsupport::TestDb) -> App {
    spawn_with(
        db,
        kansli_web::Config {
            today: Some(day()),
            ..kansli_web::Config::default()
        },
    )
    .await
}

/// A meeting of the arbetsutskott today with one item, its kallelse
/// issued; `in_public`: the utskott has decided to meet in public.
async fn planned(app: &App, in_public: bool) -> MeetingId {
    let rsau = app.body("Regionstyrelsens arbetsutskott").await;
    let mut tx = app.store.begin("user:test").await.unwrap();
    tx.set_meets_in_public(rsau, in_public).await.unwrap();
    let meeting = tx
        .plan_meeting(rsau, day(), None, "Regionens hus")
        .await
        .unwrap();
    let (case, _) = tx
        .register_case(app.org, "Motion om nattbussar", day())
        .await
        .unwrap();
    tx.set_agenda(
        meeting,
        &[AgendaItem {
            title: ITEM.into(),
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
    meeting
}

/// The person id of a roster member by name, as the forms send it.
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

/// The secretary's meeting screen, one step at a time.
struct Screen<'a> {
    app: &'a App,
    s: Session,
    path: String,
}

impl Screen<'_> {
    async fn step(&self, form: &[(&str, &str)]) -> String {
        let page = self.app.submit(&self.s, &self.path, form).await;
        assert!(!page.contains("Inte genomfört"), "{form:?}: {page}");
        page
    }
}

async fn screen(app: &App, meeting: MeetingId) -> Screen<'_> {
    Screen {
        app,
        s: app.sign_in("sekreterare").await,
        path: format!("/sekretariat/sammantraden/{}/mote", meeting.0),
    }
}

/// Everyone arrives, the meeting opens, the item is taken up and a
/// yrkande moved: 8 events (5 arrivals, open, take up, move).
async fn opened(sc: &Screen<'_>, meeting: MeetingId) {
    let w = id_of(sc.app, meeting, "Mikaela Waltersson").await;
    sc.step(&[("command", "arrive_all")]).await;
    sc.step(&[("command", "open"), ("at", "13:00")]).await;
    sc.step(&[("command", "take_up"), ("item", "0")]).await;
    sc.step(&[
        ("command", "move"),
        ("movers", &w),
        ("kind", "bifall"),
        ("text", "LEVANDE-YRKANDET om nattbussar"),
    ])
    .await;
}

/// One server-sent event.
#[derive(Debug, Default)]
struct Sse {
    id: Option<String>,
    event: Option<String>,
    data: String,
}

/// A stream being read.
struct Stream {
    r: reqwest::Response,
    buf: String,
}

impl Stream {
    async fn open(app: &App, path: &str, last: Option<i64>, cookie: Option<&str>) -> Stream {
        let mut req = client().get(app.url(path));
        if let Some(id) = last {
            req = req.header("Last-Event-ID", id.to_string());
        }
        if let Some(c) = cookie {
            req = req.header(COOKIE, format!("kansli_session={c}"));
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let h = r.headers();
        assert_eq!(h["content-type"], "text/event-stream", "{path}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert_eq!(h["x-accel-buffering"], "no", "{path}");
        assert!(!h.contains_key("content-encoding"), "{path}");
        Stream {
            r,
            buf: String::new(),
        }
    }

    /// The next event (keep-alive comments skipped), or `None` when none
    /// comes within `within`.
    async fn next(&mut self, within: Duration) -> Option<Sse> {
        let until = Instant::now() + within;
        loop {
            if let Some(at) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..at + 2).collect();
                let mut e = Sse::default();
                let mut data = vec![];
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        e.id = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("event:") {
                        e.event = Some(v.trim().to_string());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
                    }
                }
                if e.event.is_none() && data.is_empty() {
                    continue;
                }
                e.data = data.join("\n");
                return Some(e);
            }
            let left = until.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.r.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(Ok(None)) => panic!("the stream ended"),
                Ok(Err(e)) => panic!("the stream failed: {e}"),
                Err(_) => return None,
            }
        }
    }

    /// The next event whose data contains `text`, within `within`.
    async fn until(&mut self, text: &str, within: Duration) -> Sse {
        let until = Instant::now() + within;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.next(left).await {
                Some(e) if e.data.contains(text) => return e,
                Some(_) => continue,
                None => panic!("no event with «{text}» within {within:?}"),
            }
        }
    }
}

#[tokio::test]
async fn the_public_stream_has_ids_a_snapshot_and_nothing_for_a_current_last_event_id() {
    for db in kansli_testsupport::all().await {
        let app = app_for(db).await;
        let meeting = planned(&app, true).await;
        let sc = screen(&app, meeting).await;
        opened(&sc, meeting).await;
        // The event ids are the meeting's change numbers (one per commit
        // that changed it, roll calls and ballots included).
        let seq = app.store.live_seq(meeting).await.unwrap();
        assert!(seq > 0, "no change number after the opening");
        let path = format!("/sammantraden/{}/direkt/handelser", meeting.0);

        // A first connection: one snapshot at once, its id the sequence
        // (the hub may still be building the last step: then it follows).
        let mut first = Stream::open(&app, &path, None, None).await;
        let mut e = first
            .next(Duration::from_secs(2))
            .await
            .expect("a snapshot");
        assert_eq!(e.event.as_deref(), Some("state"));
        while e.id != Some(seq.to_string()) {
            let id: i64 = e.id.as_deref().unwrap().parse().unwrap();
            assert!(id < seq, "{id} after {seq}");
            e = first
                .next(Duration::from_secs(2))
                .await
                .expect("the last step");
        }
        assert!(e.data.contains(ITEM), "{}", e.data);
        assert!(e.data.contains("LEVANDE-YRKANDET"), "{}", e.data);
        assert!(e.data.contains("Mikaela Waltersson"), "{}", e.data);

        // Reconnecting with the current id: nothing until the next change.
        let mut current = Stream::open(&app, &path, Some(seq), None).await;
        assert!(
            current.next(Duration::from_millis(1500)).await.is_none(),
            "a snapshot for a browser that has it"
        );
        // An older id: one snapshot.
        let mut older = Stream::open(&app, &path, Some(seq - 3), None).await;
        let e = older
            .next(Duration::from_secs(2))
            .await
            .expect("a snapshot");
        assert_eq!(e.id, Some(seq.to_string()));

        // A change reaches every connection, with the next id, soon.
        let bo = id_of(&app, meeting, "Lise-Lotte Bensköld Olsson").await;
        let t = Instant::now();
        sc.step(&[
            ("command", "move"),
            ("movers", &bo),
            ("kind", "avslag"),
            ("text", "ANDRA-YRKANDET"),
        ])
        .await;
        for s in [&mut first, &mut current, &mut older] {
            let e = s.until("ANDRA-YRKANDET", Duration::from_secs(2)).await;
            assert_eq!(e.id, Some((seq + 1).to_string()));
        }
        eprintln!("a change pushed to three streams in {:?}", t.elapsed());

        // The pages: the fragment inside, the stream to follow, our script.
        for (page, src) in [
            ("direkt", "direkt/handelser"),
            ("storbild", "storbild/handelser"),
        ] {
            let html = app.ok(&format!("/sammantraden/{}/{page}", meeting.0)).await;
            assert!(html.contains("ANDRA-YRKANDET"), "{page}: {html}");
            assert!(
                html.contains(&format!(
                    "data-live-src=\"/sammantraden/{}/{src}\"",
                    meeting.0
                )),
                "{page}"
            );
            assert!(html.contains("<script src=\"/static/live.js\" defer></script>"));
        }
        let r = client()
            .get(app.url("/static/live.js"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
        let js = r.text().await.unwrap();
        assert!(
            js.contains("EventSource") && js.len() < 8 * 1024,
            "a few KB"
        );
        // Not a meeting: 404, page and stream.
        let (status, _) = app.get("/sammantraden/999999/direkt").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app.get("/sammantraden/999999/direkt/handelser").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_closed_meeting_shows_nothing_live_until_the_protocol_is_justerat() {
    for db in kansli_testsupport::all().await {
        let app = app_for(db).await;
        let meeting = planned(&app, false).await;
        let sc = screen(&app, meeting).await;
        let direkt = format!("/sammantraden/{}/direkt", meeting.0);
        let storbild = format!("/sammantraden/{}/storbild", meeting.0);
        let mut public = Stream::open(&app, &format!("{direkt}/handelser"), None, None).await;
        let mut big = Stream::open(&app, &format!("{storbild}/handelser"), None, None).await;
        opened(&sc, meeting).await;

        // A votering, counted; the meeting closes.
        let ids: Vec<String> = {
            let mut v = vec![];
            for n in [
                "Mikaela Waltersson",
                "Helene Andersson",
                "Lise-Lotte Bensköld Olsson",
                "My Clingston",
                "Per Persson",
            ] {
                v.push(id_of(&app, meeting, n).await);
            }
            v
        };
        sc.step(&[
            ("command", "move"),
            ("movers", &ids[2]),
            ("kind", "avslag"),
            ("text", "avslag på förslaget"),
        ])
        .await;
        sc.step(&[
            ("command", "put"),
            ("put", "0"),
            ("put", "1"),
            ("found_for", "0"),
        ])
        .await;
        sc.step(&[("command", "request_vote"), ("person", &ids[4])])
            .await;
        sc.step(&[("command", "voting_order"), ("order", "0:1")])
            .await;
        let votes: Vec<(&str, String)> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                (
                    "votes",
                    format!("{id}:{}", if i < 3 { "ja" } else { "nej" }),
                )
            })
            .collect();
        let mut form: Vec<(&str, &str)> = vec![("command", "roll_call")];
        form.extend(votes.iter().map(|(k, v)| (*k, v.as_str())));
        sc.step(&form).await;
        sc.step(&[("command", "count"), ("confirm", "ja")]).await;
        sc.step(&[
            ("command", "decide"),
            ("clauses", "avslå motionen om nattbussar"),
        ])
        .await;

        let secret_words = [
            "LEVANDE-YRKANDET",
            "Mikaela Waltersson",
            "Per Persson",
            "ja-röster",
            "Votering",
        ];
        let assert_nothing = |what: &str, body: &str| {
            for w in secret_words {
                assert!(
                    !body.contains(w),
                    "{what} shows «{w}» of a closed meeting: {body}"
                );
            }
        };
        for path in [&direkt, &storbild] {
            let body = app.ok(path).await;
            assert_nothing(path, &body);
            assert!(body.contains("bara det som är offentligt"), "{body}");
        }
        // The streams: the notice only, however much happened.
        while let Some(e) = public.next(Duration::from_millis(1200)).await {
            assert_nothing("the public stream", &e.data);
        }
        while let Some(e) = big.next(Duration::from_millis(300)).await {
            assert_nothing("the storbild stream", &e.data);
        }
        sc.step(&[("command", "finish"), ("confirm", "ja")]).await;
        sc.step(&[("command", "close"), ("confirm", "ja"), ("at", "15:00")])
            .await;
        for path in [&direkt, &storbild] {
            assert_nothing(path, &app.ok(path).await);
        }

        // Justerat: the protocol's paragraphs are public, live page too.
        let mut tx = app.store.begin("user:test").await.unwrap();
        tx.set_meeting_status(
            meeting,
            &MeetingStatus::Approved {
                approved: jiff::civil::date(2025, 5, 8),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // The hub finds the change within its poll (another writer).
        let e = public
            .until("protokollet är justerat", Duration::from_secs(4))
            .await;
        assert!(e.data.contains(ITEM), "{}", e.data);
        let body = app.ok(&direkt).await;
        assert!(body.contains("protokollet är justerat"), "{body}");
        assert!(body.contains(&format!("/sammantraden/{}/paragrafer/", meeting.0)));
    }
}

#[tokio::test]
async fn the_secretary_sees_ballots_as_they_arrive_and_the_streams_are_guarded() {
    for db in kansli_testsupport::all().await {
        let app = app_for(db).await;
        let meeting = planned(&app, false).await;
        let sc = screen(&app, meeting).await;
        opened(&sc, meeting).await;
        let m = meeting.0;
        // The screen carries the live part, fed by the secretary's stream.
        let page = app.staff_text(&sc.s, &sc.path).await;
        assert!(
            page.contains(&format!(
                "data-live-src=\"/sekretariat/sammantraden/{m}/mote/handelser\""
            )),
            "{page}"
        );
        // Nobody signed in follows a staff stream.
        for who in ["mote", "ledamot", "ordforande"] {
            let r = client()
                .get(app.url(&format!("/sekretariat/sammantraden/{m}/{who}/handelser")))
                .send()
                .await
                .unwrap();
            assert_ne!(r.status(), StatusCode::OK, "{who} without signing in");
        }
        let path = format!("/sekretariat/sammantraden/{m}/mote/handelser");
        let mut stream = Stream::open(&app, &path, None, Some(&sc.s.cookie)).await;
        stream.until(ITEM, Duration::from_secs(2)).await;
        // The chair's stream: the secretary may follow it too.
        let mut chair = Stream::open(
            &app,
            &format!("/sekretariat/sammantraden/{m}/ordforande/handelser"),
            None,
            Some(&sc.s.cookie),
        )
        .await;
        chair
            .next(Duration::from_secs(2))
            .await
            .expect("a snapshot");

        let w = id_of(&app, meeting, "Mikaela Waltersson").await;
        let pe = id_of(&app, meeting, "Per Persson").await;
        sc.step(&[
            ("command", "move"),
            ("movers", &pe),
            ("kind", "avslag"),
            ("text", "avslag"),
        ])
        .await;
        sc.step(&[
            ("command", "put"),
            ("put", "0"),
            ("put", "1"),
            ("found_for", "0"),
        ])
        .await;
        sc.step(&[("command", "request_vote"), ("person", &pe)])
            .await;
        sc.step(&[("command", "voting_order"), ("order", "0:1")])
            .await;
        stream
            .until("0</strong> av 5 har röstat", Duration::from_secs(2))
            .await;
        let t = Instant::now();
        sc.step(&[("command", "cast"), ("person", &w), ("choice", "ja")])
            .await;
        let e = stream
            .until("1</strong> av 5 har röstat", Duration::from_secs(2))
            .await;
        eprintln!("a ballot on the secretary's stream in {:?}", t.elapsed());
        // Who has voted, not how, until the count.
        let row = e.data.find("Mikaela Waltersson").expect("the roll");
        assert!(
            e.data[row..].starts_with("Mikaela Waltersson (M)</td><td>har röstat"),
            "{}",
            e.data
        );
    }
}

/// #20 L2: a ballot while the votering is open leaves every public output
/// as it was, so it must not empty the public page cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ballot_does_not_empty_the_public_page_cache() {
    for db in kansli_testsupport::all().await {
        let app = app_for(db).await;
        let meeting = planned(&app, true).await;
        let sc = screen(&app, meeting).await;
        opened(&sc, meeting).await;
        let pe = id_of(&app, meeting, "Per Persson").await;
        let w = id_of(&app, meeting, "Mikaela Waltersson").await;
        sc.step(&[
            ("command", "move"),
            ("movers", &pe),
            ("kind", "avslag"),
            ("text", "avslag"),
        ])
        .await;
        sc.step(&[
            ("command", "put"),
            ("put", "0"),
            ("put", "1"),
            ("found_for", "0"),
        ])
        .await;
        sc.step(&[("command", "request_vote"), ("person", &pe)])
            .await;
        sc.step(&[("command", "voting_order"), ("order", "0:1")])
            .await;
        let before = app.store.data_version(Duration::ZERO).await.unwrap();
        sc.step(&[("command", "cast"), ("person", &w), ("choice", "ja")])
            .await;
        let after = app.store.data_version(Duration::ZERO).await.unwrap();
        assert_eq!(before, after, "a ballot emptied the page cache");
        // The live page has it all the same.
        let mut s = Stream::open(
            &app,
            &format!("/sammantraden/{}/direkt/handelser", meeting.0),
            None,
            None,
        )
        .await;
        s.until("1</strong> av 5 har röstat", Duration::from_secs(2))
            .await;
        // A member's own ballot (Tx::cast_ballot, with its receipt) is as
        // quiet.
        let per = app.sign_in("ledamot").await;
        // (Signing in is audited: the version is read after it.)
        let before = app.store.data_version(Duration::ZERO).await.unwrap();
        let r = app
            .post(
                &per,
                &format!("/sekretariat/sammantraden/{}/ledamot/rost", meeting.0),
                &[("once", "k1"), ("val", "nej")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let after_member = app.store.data_version(Duration::ZERO).await.unwrap();
        assert_eq!(
            before, after_member,
            "a member's ballot emptied the page cache"
        );
        s.until("2</strong> av 5 har röstat", Duration::from_secs(2))
            .await;
        // The count is public: the cache is emptied.
        for name in [
            "Helene Andersson",
            "Lise-Lotte Bensköld Olsson",
            "My Clingston",
        ] {
            let who = id_of(&app, meeting, name).await;
            sc.step(&[("command", "cast"), ("person", &who), ("choice", "ja")])
                .await;
        }
        assert_eq!(
            before,
            app.store.data_version(Duration::ZERO).await.unwrap(),
            "the roll call emptied the page cache"
        );
        sc.step(&[("command", "count"), ("confirm", "ja")]).await;
        let counted = app.store.data_version(Duration::ZERO).await.unwrap();
        assert_ne!(before, counted, "the count left the page cache as it was");
    }
}
