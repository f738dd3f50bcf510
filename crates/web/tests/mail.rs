//! E-mail against a real SMTP server started by the test (aiosmtpd from
//! PyPI, with a small handler of the test's own that writes each message
//! it receives, decoded, as a JSON line): förhinder to the secretary, the
//! inkallelse to the substitute, the kallelse to the members and the
//! called-in substitute, the protocol to sign to each signatory — each
//! with the right recipients and nothing secret. A server that is down
//! makes no write fail: the message waits in the outbox, marked failed,
//! and goes when the secretary tries again.
//!
//! The server: `KANSLI_AIOSMTPD` (a Python with aiosmtpd, as `.ci/run`
//! installs it), else `python3` if it has aiosmtpd; skipped loudly
//! without, an error under `KANSLI_REQUIRE_SMTP=1`.

mod members_setup;
mod support;

use kansli_core::MeetingId;
use members_setup::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;
use support::app::*;

const HANDLER: &str = r#"
import email, email.policy, json

class Recorder:
    def __init__(self, path):
        self.path = path

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=email.policy.default)
        body = msg.get_body(preferencelist=('plain',))
        rec = {
            "from": envelope.mail_from,
            "rcpt": envelope.rcpt_tos,
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "body": body.get_content() if body is not None else "",
        }
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        return "250 OK"
"#;

/// The Python that runs aiosmtpd, or `None` (a loud skip).
fn python() -> Option<PathBuf> {
    let candidate = std::env::var("KANSLI_AIOSMTPD")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("python3"));
    let ok = Command::new(&candidate)
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(candidate);
    }
    if std::env::var("KANSLI_REQUIRE_SMTP").as_deref() == Ok("1") {
        panic!("KANSLI_REQUIRE_SMTP=1 but {candidate:?} has no aiosmtpd (set KANSLI_AIOSMTPD)");
    }
    eprintln!(
        "\n*** SKIPPED: smtp: no aiosmtpd (set KANSLI_AIOSMTPD to a Python that has it) ***\n"
    );
    None
}

#[derive(Debug, Clone, serde::Deserialize)]
struct Received {
    #[allow(dead_code)]
    from: String,
    rcpt: Vec<String>,
    #[allow(dead_code)]
    to: String,
    subject: String,
    body: String,
}

/// An SMTP server on a port, writing what it receives to a file.
struct Smtp {
    child: Option<Child>,
    python: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl Smtp {
    fn new(python: PathBuf) -> Smtp {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kansli_recorder.py"), HANDLER).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Smtp {
            child: None,
            python,
            dir,
            port,
        }
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("received.jsonl")
    }

    /// Starts the server and waits until it answers.
    fn start(&mut self) {
        let child = Command::new(&self.python)
            .env("PYTHONPATH", self.dir.path())
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{}", self.port),
                "-c",
                "kansli_recorder.Recorder",
            ])
            .arg(self.log())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("aiosmtpd did not start on port {}", self.port);
    }

    fn received(&self) -> Vec<Received> {
        read_log(&self.log())
    }

    /// Waits until at least `n` messages have come.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            let got = self.received();
            if got.len() >= n {
                // Give a straggler a moment, so a message too many shows.
                tokio::time::sleep(Duration::from_millis(300)).await;
                return self.received();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} messages, got {:#?}", self.received());
    }
}

fn read_log(path: &Path) -> Vec<Received> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let mut r: Received = serde_json::from_str(l).unwrap();
            // SMTP carries lines ended by CRLF.
            r.body = r.body.replace("\r\n", "\n");
            r
        })
        .collect()
}

impl Drop for Smtp {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn config(smtp: &Smtp) -> kansli_web::Config {
    kansli_web::Config {
        today: Some(jiff::civil::date(2025, 2, 1)),
        smtp: Some(
            kansli_web::mail::Smtp::new("127.0.0.1", smtp.port, "Kansli <kansli@example.se>")
                .unwrap(),
        ),
        ..kansli_web::Config::default()
    }
}

fn rcpts(mails: &[Received]) -> Vec<String> {
    let mut all: Vec<String> = mails.iter().flat_map(|m| m.rcpt.clone()).collect();
    all.sort();
    all
}

async fn wait_state(app: &App, id: i64, state: &str) {
    for _ in 0..200 {
        let now: String = sqlx::query_scalar("SELECT state FROM mail_outbox WHERE id = $1")
            .bind(id)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        if now == state {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("message {id} never became {state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forhinder_inkallelse_and_kallelse_reach_the_right_people_and_nothing_secret() {
    let Some(python) = python() else { return };
    for db in kansli_testsupport::all().await {
        let label = db.label;
        // The server is down at first.
        let mut smtp = Smtp::new(python.clone());
        let app = spawn_with(db, config(&smtp)).await;
        let f = prepare(&app.store, app.org).await;
        let m = f.meeting.0;
        let member = app.sign_in("ledamot").await;
        let chair = app.sign_in("ordforande").await;
        let secretary = app.sign_in("sekreterare").await;

        // Per Persson: jäv in the secret item, with a reason of his own.
        let item = f.secret_item.to_string();
        let page = app
            .submit(
                &member,
                &format!("/sekretariat/sammantraden/{m}/forhinder"),
                &[("item", &item), ("reason", "Min bror berörs")],
            )
            .await;
        assert!(page.contains("Förhindret är anmält"), "{label}: {page}");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM absences WHERE withdrawn_at IS NULL")
                .await,
            1
        );
        // Queued for the secretary, failed against the server that is down.
        let id: i64 = sqlx::query_scalar("SELECT id FROM mail_outbox WHERE kind = 'forhinder'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        wait_state(&app, id, "failed").await;
        let page = app
            .staff_text(
                &secretary,
                &format!("/sekretariat/sammantraden/{m}/forhinder"),
            )
            .await;
        assert!(page.contains("misslyckades"), "{label}: {page}");

        // The server comes up; "Försök igen" sends it.
        smtp.start();
        let page = app
            .submit(
                &secretary,
                &format!("/sekretariat/sammantraden/{m}/e-post"),
                &[("mail", &id.to_string())],
            )
            .await;
        assert!(page.contains("är skickat"), "{label}: {page}");
        let got = smtp.wait_for(1).await;
        assert_eq!(rcpts(&got), ["sekreterare@example.se"], "{label}");
        let mail = &got[0];
        assert!(
            mail.subject.starts_with("Förhinder: Regionstyrelsen"),
            "{}",
            mail.subject
        );
        assert!(
            mail.body
                .contains("Per Persson (S) har anmält förhinder för ett ärende vid Regionstyrelsen den 2025-02-26."),
            "{}",
            mail.body
        );
        assert!(!mail.body.contains(SECRET_TITLE) && !mail.body.contains("uppsägning"));
        assert!(!mail.body.contains("bror"), "the reason stays in Kansli");

        // The chair cannot come at all: the secretary is told; the M
        // substitute is proposed and called in with one click.
        app.submit(
            &chair,
            &format!("/sekretariat/sammantraden/{m}/forhinder"),
            &[("item", "hela"), ("reason", "")],
        )
        .await;
        let got = smtp.wait_for(2).await;
        assert_eq!(got.len(), 2, "{label}: {got:#?}");
        assert!(got[1].body.contains(
            "Mikaela Waltersson (M) har anmält förhinder till Regionstyrelsen den 2025-02-26."
        ));
        let page = app
            .staff_text(
                &secretary,
                &format!("/sekretariat/sammantraden/{m}/forhinder"),
            )
            .await;
        assert!(
            page.contains("Kalla in Cecilia Carlsson (M)"),
            "{label}: {page}"
        );
        assert!(
            page.contains("Kalla in Anna Andersson (S)"),
            "{label}: {page}"
        );
        let absence: i64 = sqlx::query_scalar("SELECT id FROM absences WHERE person_id = $1")
            .bind(f.mikaela.0)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        let page = app
            .submit(
                &secretary,
                &format!("/sekretariat/sammantraden/{m}/forhinder/kalla"),
                &[
                    ("absence", &absence.to_string()),
                    ("substitute", &f.cecilia.0.to_string()),
                ],
            )
            .await;
        assert!(
            page.contains(
                "Cecilia Carlsson (M) är inkallad att tjänstgöra för Mikaela Waltersson (M)."
            ),
            "{label}: {page}"
        );
        let got = smtp.wait_for(3).await;
        assert_eq!(got[2].rcpt, ["cecilia@example.se"]);
        assert!(got[2].subject.starts_with("Inkallelse som ersättare"));
        assert!(got[2].body.contains("ersättare för Mikaela Waltersson (M)"));
        assert!(
            got[2]
                .body
                .contains("Kallelsen med föredragningslistan kommer")
        );

        // The kallelse: to every member with an account and to the called-in
        // substitute; the secret item by what the public sees of it.
        app.submit(
            &secretary,
            &format!("/sekretariat/sammantraden/{m}/kallelse"),
            &[],
        )
        .await;
        let got = smtp.wait_for(7).await;
        let kallelse: Vec<Received> = got[3..].to_vec();
        assert_eq!(
            rcpts(&kallelse),
            [
                "cecilia@example.se",
                "justerare@example.se",
                "ledamot@example.se",
                "ordforande@example.se"
            ],
            "{label}"
        );
        for k in &kallelse {
            assert_eq!(k.subject, "Kallelse: Regionstyrelsen den 2025-02-26");
            assert!(k.body.contains("Föredragningslista"), "{}", k.body);
            assert!(k.body.contains("Ärende med sekretess"), "{}", k.body);
            assert!(!k.body.contains(SECRET_TITLE) && !k.body.contains("uppsägning"));
            assert!(k.body.contains("/sekretariat/ledamot"));
        }
        let to_cecilia = kallelse
            .iter()
            .find(|k| k.rcpt == ["cecilia@example.se"])
            .unwrap();
        assert!(to_cecilia.body.starts_with(
            "Du är inkallad att tjänstgöra som ersättare för Mikaela Waltersson (M)."
        ));
        // Nothing else, and nothing to the bodies' other substitutes.
        assert!(
            !rcpts(&got)
                .iter()
                .any(|r| r.starts_with("anna") || r.starts_with("bo@"))
        );
        // The chair can come after all: the secretary is told, and so is
        // the substitute who need not come.
        app.submit(
            &chair,
            &format!("/sekretariat/sammantraden/{m}/forhinder/aterkalla"),
            &[("absence", &absence.to_string())],
        )
        .await;
        let got = smtp.wait_for(9).await;
        let last: Vec<Received> = got[7..].to_vec();
        assert_eq!(
            rcpts(&last),
            ["cecilia@example.se", "sekreterare@example.se"],
            "{label}"
        );
        let to_cecilia = last
            .iter()
            .find(|k| k.rcpt == ["cecilia@example.se"])
            .unwrap();
        assert!(
            to_cecilia
                .subject
                .starts_with("Inkallelsen gäller inte längre")
        );
        assert!(to_cecilia.body.contains(
            "Din inkallelse som ersättare för Mikaela Waltersson (M) gäller inte längre."
        ));
        let to_secretary = last
            .iter()
            .find(|k| k.rcpt == ["sekreterare@example.se"])
            .unwrap();
        assert!(to_secretary
            .body
            .contains("Mikaela Waltersson (M) har återkallat sitt förhinder till Regionstyrelsen den 2025-02-26."));
        // Every message is recorded as sent.
        assert_eq!(
            app.count("SELECT COUNT(*) FROM mail_outbox WHERE state = 'sent'")
                .await,
            9,
            "{label}"
        );
        let page = app
            .staff_text(
                &secretary,
                &format!("/sekretariat/sammantraden/{m}/forhinder"),
            )
            .await;
        assert!(!page.contains("misslyckades"), "{label}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_who_wants_no_kallelse_gets_none_and_nobody_without_an_address() {
    let Some(python) = python() else { return };
    let db = kansli_testsupport::sqlite();
    let mut smtp = Smtp::new(python);
    smtp.start();
    let app = spawn_with(db, config(&smtp)).await;
    let f = prepare(&app.store, app.org).await;
    let m = f.meeting.0;
    // Per Persson chooses only protocols to sign; the chair has no address.
    let member = app.sign_in("ledamot").await;
    let page = app
        .submit(
            &member,
            "/sekretariat/aviseringar",
            &[("email", "per.persson@example.se"), ("wanted", "justering")],
        )
        .await;
    assert!(page.contains("Sparat."), "{page}");
    let chair = app.sign_in("ordforande").await;
    app.submit(
        &chair,
        "/sekretariat/aviseringar",
        &[("email", ""), ("wanted", "kallelse")],
    )
    .await;
    let secretary = app.sign_in("sekreterare").await;
    app.submit(
        &secretary,
        &format!("/sekretariat/sammantraden/{m}/kallelse"),
        &[],
    )
    .await;
    let got = smtp.wait_for(1).await;
    assert_eq!(rcpts(&got), ["justerare@example.se"]);

    // A change after the kallelse (the hook of moving and cancelling),
    // told once to the same people however often it is said.
    let state = kansli_web::AppState::new(app.store.clone(), config(&smtp));
    for _ in 0..2 {
        kansli_web::mail::meeting_changed(
            &state,
            f.meeting,
            "Sammanträdet är flyttat till den 2025-02-27.",
        )
        .await;
    }
    let got = smtp.wait_for(2).await;
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!(got[1].rcpt, ["justerare@example.se"]);
    assert_eq!(
        got[1].subject,
        "Ändrat sammanträde: Regionstyrelsen den 2025-02-26"
    );
    assert!(
        got[1]
            .body
            .starts_with("Sammanträdet är flyttat till den 2025-02-27.\n\nKallelse till"),
        "{}",
        got[1].body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_protocol_to_sign_goes_to_each_signatory() {
    let Some(python) = python() else { return };
    for db in kansli_testsupport::all().await {
        let label = db.label;
        let mut smtp = Smtp::new(python.clone());
        smtp.start();
        let tmp = tempfile::tempdir().unwrap();
        let keys = tmp.path().join("nycklar");
        let store_for_keys = db.store().await;
        kansli_demo::load(&store_for_keys).await.unwrap();
        let org = store_for_keys
            .organisation_by_name("Region Halland")
            .await
            .unwrap()
            .unwrap();
        kansli_sign::OrganisationPki::create(&org.name, jiff::Timestamp::now())
            .unwrap()
            .write_to_dir(&keys.join(org.id.0.to_string()))
            .unwrap();
        let app = spawn_with(
            db,
            kansli_web::Config {
                keys_dir: Some(keys.clone()),
                ..config(&smtp)
            },
        )
        .await;
        let meeting: MeetingId = app
            .meeting("Regionstyrelsens arbetsutskott", "2025-01-28")
            .await;
        let secretary = app.sign_in("sekreterare").await;
        let page = app
            .submit(
                &secretary,
                &format!("/sekretariat/sammantraden/{}/skicka", meeting.0),
                &[],
            )
            .await;
        assert!(page.contains("skickat för justering"), "{label}: {page}");
        let got = smtp.wait_for(2).await;
        assert_eq!(
            rcpts(&got),
            ["justerare@example.se", "ordforande@example.se"],
            "{label}"
        );
        for g in &got {
            assert_eq!(
                g.subject,
                "Protokoll att justera: Regionstyrelsens arbetsutskott den 2025-01-28"
            );
            assert!(g.body.contains("Justera senast "), "{}", g.body);
            assert!(
                g.body.contains(&format!(
                    "/sekretariat/sammantraden/{}/justering",
                    meeting.0
                )),
                "{}",
                g.body
            );
        }
        let chair = got
            .iter()
            .find(|g| g.rcpt == ["ordforande@example.se"])
            .unwrap();
        assert!(
            chair.body.contains("Du skriver under som ordförande"),
            "{}",
            chair.body
        );
    }
}
