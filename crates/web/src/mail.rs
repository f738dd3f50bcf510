//! E-mail: what members and secretaries are told, through the operator's
//! SMTP server ([`Config::smtp`], lettre).
//!
//! A notification is composed after the change it tells of has committed,
//! from the public read model (`kansli_documents::view`), so a mail never
//! carries what the public may not see: a secret item is "Ärende med
//! sekretess", and a förhinder's reason stays in Kansli. It is queued in
//! the outbox (`kansli_store::members`) and sent from there, each result
//! kept; a failure is retried, later and later, and shown to the
//! secretary. Nothing here can make the write that caused it fail.

use crate::{AppState, Config};
use kansli_core::{MeetingId, PersonId};
use kansli_store::members::{Contact, NewMail, Notice};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The SMTP server mail goes through: a relay on the operator's network
/// (plain SMTP; the relay carries it on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    /// The sender, "Kansli <kansli@kommun.se>" or an address.
    pub from: String,
}

impl Smtp {
    /// Checks the sender's address; a Swedish refusal naming it.
    pub fn new(host: &str, port: u16, from: &str) -> Result<Smtp, String> {
        if host.trim().is_empty() {
            return Err("E-postserverns värdnamn saknas.".into());
        }
        from.parse::<lettre::message::Mailbox>()
            .map_err(|e| format!("Avsändaradressen «{from}» går inte att använda: {e}."))?;
        Ok(Smtp {
            host: host.trim().to_string(),
            port,
            from: from.to_string(),
        })
    }
}

/// How often the outbox is looked at for messages to retry.
const RETRY_EVERY: Duration = Duration::from_secs(60);

/// How long a message may be "sending" before another sender takes it.
const STALE_AFTER: jiff::SignedDuration = jiff::SignedDuration::from_secs(300);

static SAID_UNCONFIGURED: AtomicBool = AtomicBool::new(false);

/// Starts the outbox's sender that retries failed messages, when a server
/// is configured and there is a runtime to run it on.
pub fn start(app: &AppState) {
    if app.config.smtp.is_none() {
        return;
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let app = app.clone();
    runtime.spawn(async move {
        loop {
            deliver(&app).await;
            tokio::time::sleep(RETRY_EVERY).await;
        }
    });
}

/// Sends what is due in the background.
pub fn kick(app: &AppState) {
    let app = app.clone();
    tokio::spawn(async move { deliver(&app).await });
}

/// When a failed message is tried again: a minute after the first
/// attempt, doubling, at most a day.
fn due(m: &kansli_store::members::Mail, now: jiff::Timestamp) -> bool {
    if m.state != "failed" {
        return true;
    }
    let Some(last) = m
        .last_attempt_at
        .as_deref()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
    else {
        return true;
    };
    let wait = 60i64 << m.attempts.clamp(0, 11);
    let wait = jiff::SignedDuration::from_secs(wait.min(86_400));
    last + wait <= now
}

/// Sends every message that is due, each claimed first so that two
/// senders never send the same one.
pub async fn deliver(app: &AppState) {
    let Some(smtp) = app.config.smtp.clone() else {
        if !SAID_UNCONFIGURED.swap(true, Ordering::Relaxed) {
            tracing::info!(
                "ingen e-postserver är inställd (--smtp-host): e-post stannar i utkorgen och skickas inte"
            );
        }
        return;
    };
    let now = jiff::Timestamp::now();
    let stale = (now - STALE_AFTER).to_string();
    let due_now = match app.store.mail_due(&stale).await {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!("utkorgen kunde inte läsas: {e}");
            return;
        }
    };
    let transport =
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(&smtp.host)
            .port(smtp.port)
            .timeout(Some(Duration::from_secs(20)))
            .build();
    for m in due_now.into_iter().filter(|m| due(m, now)) {
        let claimed = async {
            let mut tx = app.store.begin("system:e-post").await?;
            let got = tx.claim_mail(m.id, &stale).await?;
            tx.commit_unpublished().await?;
            Ok::<bool, kansli_store::StoreError>(got)
        }
        .await;
        match claimed {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!("e-post {}: kunde inte reserveras: {e}", m.id);
                continue;
            }
        }
        let result = send(&transport, &smtp, &m).await;
        if let Err(e) = &result {
            tracing::warn!("e-post {} till {}: {e}", m.id, m.recipient);
        }
        let recorded = async {
            let mut tx = app.store.begin("system:e-post").await?;
            tx.mail_result(m.id, result).await?;
            tx.commit_unpublished().await
        }
        .await;
        if let Err(e) = recorded {
            tracing::warn!("e-post {}: resultatet kunde inte sparas: {e}", m.id);
        }
    }
}

async fn send(
    transport: &lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    smtp: &Smtp,
    m: &kansli_store::members::Mail,
) -> Result<(), String> {
    use lettre::AsyncTransport;
    use lettre::message::{Mailbox, header::ContentType};
    let from: Mailbox = smtp
        .from
        .parse()
        .map_err(|e| format!("avsändaren «{}»: {e}", smtp.from))?;
    let to = Mailbox::new(
        Some(m.recipient_name.clone()),
        m.recipient
            .parse()
            .map_err(|e| format!("mottagaren «{}»: {e}", m.recipient))?,
    );
    let message = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(m.body.clone())
        .map_err(|e| format!("meddelandet kunde inte byggas: {e}"))?;
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("e-postservern {}:{}: {e}", smtp.host, smtp.port))
}

/// Queues messages (each once, by its key) in one transaction and starts
/// sending. A failure is logged: the change it tells of has committed.
async fn queue(app: &AppState, actor: &str, mails: Vec<NewMail>) {
    if mails.is_empty() {
        return;
    }
    let queued = async {
        let mut tx = app.store.begin(actor).await?;
        for m in &mails {
            tx.queue_mail(m).await?;
        }
        tx.commit().await
    }
    .await;
    match queued {
        Ok(()) => kick(app),
        Err(e) => tracing::warn!("e-post kunde inte läggas i utkorgen: {e}"),
    }
}

/// A recipient who wants `notice` and has an address.
fn reachable(c: &Contact, notice: Notice) -> Option<String> {
    c.email.clone().filter(|_| c.wants(notice))
}

fn link(config: &Config, path: &str) -> String {
    config.absolute(path)
}

/// The meeting as a mail names it: "Regionstyrelsen den 2025-02-26".
async fn heading(
    app: &AppState,
    meeting: MeetingId,
) -> Result<(String, kansli_documents::view::MeetingView), kansli_store::StoreError> {
    let view = crate::view::meeting(&app.store, meeting).await?;
    Ok((
        format!("{} den {}", view.summary.body.name, view.summary.date),
        view,
    ))
}

/// The kallelse to the members and the called-in substitutes of the body
/// (after `issue_notice` has committed).
pub async fn notice_issued(app: &AppState, meeting: MeetingId) {
    if let Err(e) = notice_mails(app, meeting, "kallelse", None).await {
        tracing::warn!("kallelsen till sammanträde {meeting} kunde inte skickas med e-post: {e}");
    }
}

/// A change to a meeting after its kallelse (moved, cancelled, a
/// tilläggskallelse), told to the same people as the kallelse; `what` is
/// the sentence that says what changed (the same sentence twice is told
/// once). This is what `sitting::members_told` calls.
pub async fn meeting_changed(app: &AppState, meeting: MeetingId, what: &str) {
    let key = format!(
        "andring:{}",
        &kansli_store::access::sha256_hex(what.as_bytes())[..16]
    );
    if let Err(e) = notice_mails(app, meeting, &key, Some(what)).await {
        tracing::warn!("ändringen av sammanträde {meeting} kunde inte skickas med e-post: {e}");
    }
}

async fn notice_mails(
    app: &AppState,
    meeting: MeetingId,
    key: &str,
    change: Option<&str>,
) -> Result<(), kansli_store::StoreError> {
    let (name, view) = heading(app, meeting).await?;
    let setting = app.store.proceedings(meeting).await?.setting().clone();
    let absences = app.store.absences(meeting).await?;
    let mut persons: Vec<PersonId> = setting
        .roster
        .iter()
        .filter(|s| s.role.is_member())
        .map(|s| s.person.id)
        .collect();
    for a in absences.iter().filter(|a| a.withdrawn_at.is_none()) {
        if let Some(c) = &a.call
            && !persons.contains(&c.substitute)
        {
            persons.push(c.substitute);
        }
    }
    let mut text = String::new();
    if let Some(what) = change {
        text.push_str(what);
        text.push_str("\n\n");
    }
    text.push_str(&format!(
        "Kallelse till sammanträde med {}.\n\nDatum: {}\n",
        view.summary.body.name, view.summary.date
    ));
    if let Some(t) = &view.summary.starts {
        text.push_str(&format!("Tid: {t}\n"));
    }
    text.push_str(&format!("Plats: {}\n", view.summary.place));
    if view.publication.agenda && !view.agenda.is_empty() {
        text.push_str("\nFöredragningslista\n");
        for item in &view.agenda {
            text.push_str(&format!("{}. {}\n", item.position, item.title));
        }
    }
    text.push_str(&format!(
        "\nHandlingarna och anmälan av förhinder: {}\n",
        link(&app.config, "/sekretariat/ledamot")
    ));
    let subject = match change {
        Some(_) => format!("Ändrat sammanträde: {name}"),
        None => format!("Kallelse: {name}"),
    };
    let mut mails = Vec::new();
    for (person, c) in app.store.users_of(&persons).await? {
        let Some(to) = reachable(&c, Notice::Kallelse) else {
            continue;
        };
        let called = absences.iter().find_map(|a| {
            a.call
                .as_ref()
                .filter(|x| x.substitute == person && a.withdrawn_at.is_none())
        });
        let mut body = text.clone();
        if let Some(call) = called {
            let replacing = app.store.person(call.replacing).await?.display();
            body =
                format!("Du är inkallad att tjänstgöra som ersättare för {replacing}.\n\n{body}");
        }
        mails.push(NewMail {
            key: format!("{key}:{meeting}:user:{}", c.user.0),
            kind: "kallelse",
            meeting: Some(meeting),
            user: Some(c.user),
            recipient: to,
            recipient_name: c.display_name.clone(),
            subject: subject.clone(),
            body,
        });
    }
    queue(app, "system:e-post", mails).await;
    Ok(())
}

/// The protocol sent for justering, to each signatory (after
/// `send_for_justering` has committed).
pub async fn sent_for_justering(app: &AppState, meeting: MeetingId) {
    let outcome = async {
        let Some(signing) = app.store.protocol_signing(meeting).await? else {
            return Ok(());
        };
        let (name, view) = heading(app, meeting).await?;
        let persons: Vec<PersonId> = signing
            .version
            .signatories
            .iter()
            .map(|s| PersonId(s.person))
            .collect();
        let mut mails = Vec::new();
        for (person, c) in app.store.users_of(&persons).await? {
            let Some(to) = reachable(&c, Notice::Justering) else {
                continue;
            };
            let role = signing
                .version
                .signatories
                .iter()
                .find(|s| s.person == person.0)
                .map(|s| s.role.clone())
                .unwrap_or_default();
            let mut body = format!(
                "Protokollet från {} är skickat för justering. Du skriver under som {role}.\n\n",
                name
            );
            if let Some(due) = &view.approval.approval_due {
                body.push_str(&format!("Justera senast {due}.\n"));
            }
            body.push_str(&format!(
                "Läs och justera protokollet: {}\n",
                link(
                    &app.config,
                    &format!("/sekretariat/sammantraden/{meeting}/justering")
                )
            ));
            mails.push(NewMail {
                key: format!(
                    "justering:{meeting}:v{}:user:{}",
                    signing.version.version, c.user.0
                ),
                kind: "justering",
                meeting: Some(meeting),
                user: Some(c.user),
                recipient: to,
                recipient_name: c.display_name.clone(),
                subject: format!("Protokoll att justera: {name}"),
                body,
            });
        }
        queue(app, "system:e-post", mails).await;
        Ok::<(), kansli_store::StoreError>(())
    }
    .await;
    if let Err(e) = outcome {
        tracing::warn!("justeringen av sammanträde {meeting} kunde inte skickas med e-post: {e}");
    }
}

/// A förhinder reported or withdrawn, to the body's secretaries. The
/// reason is not in the mail, and an item is named as the public sees it.
pub async fn absence_changed(app: &AppState, absence: i64) {
    let outcome = async {
        let a = app.store.absence(absence).await?;
        let (name, view) = heading(app, a.meeting).await?;
        let who = app.store.person(a.person).await?.display();
        let record = app.store.meeting_record(a.meeting).await?;
        let item = match (a.item, &a.item_title) {
            (None, _) => None,
            (Some(_), title) => {
                // The item as the public view names it, by its title's place.
                let position = record
                    .items
                    .iter()
                    .position(|i| Some(&i.title) == title.as_ref());
                Some(
                    position
                        .and_then(|p| view.agenda.get(p))
                        .filter(|v| v.public)
                        .map(|v| format!("ärende {} ({})", v.position, v.title))
                        .unwrap_or_else(|| "ett ärende".into()),
                )
            }
        };
        let withdrawn = a.withdrawn_at.is_some();
        let what = match (&item, withdrawn) {
            (None, false) => format!("{who} har anmält förhinder till {name}."),
            (Some(i), false) => format!("{who} har anmält förhinder för {i} vid {name}."),
            (None, true) => format!("{who} har återkallat sitt förhinder till {name}."),
            (Some(i), true) => {
                format!("{who} har återkallat sitt förhinder för {i} vid {name}.")
            }
        };
        let body = format!(
            "{what}\n\nFörhinder och förslag på ersättare: {}\n",
            link(
                &app.config,
                &format!("/sekretariat/sammantraden/{}/forhinder", a.meeting)
            )
        );
        let mut mails = Vec::new();
        for c in app.store.secretaries_of(record.meeting.body).await? {
            let Some(to) = reachable(&c, Notice::Forhinder) else {
                continue;
            };
            mails.push(NewMail {
                key: format!(
                    "forhinder:{absence}:{}:user:{}",
                    if withdrawn { "aterkallat" } else { "anmalt" },
                    c.user.0
                ),
                kind: "forhinder",
                meeting: Some(a.meeting),
                user: Some(c.user),
                recipient: to,
                recipient_name: c.display_name.clone(),
                subject: if withdrawn {
                    format!("Förhinder återkallat: {name}")
                } else {
                    format!("Förhinder: {name}")
                },
                body: body.clone(),
            });
        }
        queue(app, "system:e-post", mails).await;
        Ok::<(), kansli_store::StoreError>(())
    }
    .await;
    if let Err(e) = outcome {
        tracing::warn!("förhinder {absence} kunde inte skickas med e-post: {e}");
    }
}

/// A call withdrawn with the förhinder it was for: the substitute is told
/// they need not come.
pub async fn call_cancelled(
    app: &AppState,
    meeting: MeetingId,
    call: &kansli_store::members::Call,
) {
    let outcome = async {
        let (name, _) = heading(app, meeting).await?;
        let replacing = app.store.person(call.replacing).await?.display();
        let body = format!(
            "{replacing} har återkallat sitt förhinder till {name}. Din inkallelse som ersättare för {replacing} gäller inte längre.\n\nDina sammanträden: {}\n",
            link(&app.config, "/sekretariat/ledamot")
        );
        let mut mails = Vec::new();
        for (_, c) in app.store.users_of(&[call.substitute]).await? {
            let Some(to) = reachable(&c, Notice::Kallelse) else {
                continue;
            };
            mails.push(NewMail {
                key: format!("inkallelse-aterkallad:{}:user:{}", call.id, c.user.0),
                kind: "inkallelse",
                meeting: Some(meeting),
                user: Some(c.user),
                recipient: to,
                recipient_name: c.display_name.clone(),
                subject: format!("Inkallelsen gäller inte längre: {name}"),
                body: body.clone(),
            });
        }
        queue(app, "system:e-post", mails).await;
        Ok::<(), kansli_store::StoreError>(())
    }
    .await;
    if let Err(e) = outcome {
        tracing::warn!(
            "återkallad inkallelse {} kunde inte skickas med e-post: {e}",
            call.id
        );
    }
}

/// A substitute called in: told with the meeting's kallelse if it is
/// issued, else that they are called and the kallelse follows.
pub async fn substitute_called(
    app: &AppState,
    meeting: MeetingId,
    call: i64,
    substitute: PersonId,
    replacing: PersonId,
) {
    let outcome = async {
        let (name, view) = heading(app, meeting).await?;
        let replacing = app.store.person(replacing).await?.display();
        let mut body = format!(
            "Du är inkallad att tjänstgöra som ersättare för {replacing} vid {name}.\n\nDatum: {}\n",
            view.summary.date
        );
        if let Some(t) = &view.summary.starts {
            body.push_str(&format!("Tid: {t}\n"));
        }
        body.push_str(&format!("Plats: {}\n", view.summary.place));
        if view.publication.agenda && !view.agenda.is_empty() {
            body.push_str("\nFöredragningslista\n");
            for item in &view.agenda {
                body.push_str(&format!("{}. {}\n", item.position, item.title));
            }
        } else {
            body.push_str("\nKallelsen med föredragningslistan kommer när den är utfärdad.\n");
        }
        body.push_str(&format!(
            "\nHandlingarna: {}\n",
            link(&app.config, "/sekretariat/ledamot")
        ));
        let mut mails = Vec::new();
        for (_, c) in app.store.users_of(&[substitute]).await? {
            let Some(to) = reachable(&c, Notice::Kallelse) else {
                continue;
            };
            mails.push(NewMail {
                key: format!("inkallelse:{call}:user:{}", c.user.0),
                kind: "inkallelse",
                meeting: Some(meeting),
                user: Some(c.user),
                recipient: to,
                recipient_name: c.display_name.clone(),
                subject: format!("Inkallelse som ersättare: {name}"),
                body: body.clone(),
            });
        }
        queue(app, "system:e-post", mails).await;
        Ok::<(), kansli_store::StoreError>(())
    }
    .await;
    if let Err(e) = outcome {
        tracing::warn!("inkallelse {call} kunde inte skickas med e-post: {e}");
    }
}
