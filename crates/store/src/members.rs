//! Members between meetings: förhinder (per meeting or per item), the
//! substitutes called in for them, each user's e-mail address and what they
//! want to be told, and the outbox of e-mail.
//!
//! Who is called in follows the engine's serving order
//! ([`kansli_core::absence`]). A message is queued in the outbox in a
//! transaction of its own after the change it tells of has committed, and
//! sent from there; its result is kept, a failure retried, so that a mail
//! server that is down never makes a write fail.

use crate::{Store, StoreError, Tx};
use kansli_core::limits::{self, Kind};
use kansli_core::meeting::MeetingStatus;
use kansli_core::*;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// What a user may be told by e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Notice {
    /// The kallelse of a meeting of their body, a change to it, and a
    /// call to serve as substitute.
    Kallelse,
    /// A protocol sent for them to sign.
    Justering,
    /// A member's förhinder (to the body's secretaries).
    Forhinder,
}

impl Notice {
    pub const ALL: [Notice; 3] = [Notice::Kallelse, Notice::Justering, Notice::Forhinder];

    pub fn code(self) -> &'static str {
        match self {
            Notice::Kallelse => "kallelse",
            Notice::Justering => "justering",
            Notice::Forhinder => "forhinder",
        }
    }

    pub fn from_code(code: &str) -> Option<Notice> {
        Notice::ALL.into_iter().find(|n| n.code() == code)
    }

    /// As the preferences page says it.
    pub fn label(self) -> &'static str {
        match self {
            Notice::Kallelse => {
                "Kallelser till sammanträden, ändringar i dem och inkallelser som ersättare"
            }
            Notice::Justering => "Protokoll som du ska justera",
            Notice::Forhinder => "Förhinder som ledamöter anmäler (för sekreterare)",
        }
    }
}

/// A user's address and choices.
#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub user: UserId,
    pub display_name: String,
    pub email: Option<String>,
    /// Each kind with whether it is wanted (wanted unless chosen off).
    pub wants: Vec<(Notice, bool)>,
}

impl Contact {
    pub fn wants(&self, notice: Notice) -> bool {
        self.wants
            .iter()
            .find(|(n, _)| *n == notice)
            .is_none_or(|(_, w)| *w)
    }
}

/// A reported förhinder, with the call made for it.
#[derive(Debug, Clone, Serialize)]
pub struct Absence {
    pub id: i64,
    pub meeting: MeetingId,
    pub person: PersonId,
    /// The agenda item (its stored id), or `None` for the whole meeting.
    pub item: Option<i64>,
    /// The item's title when it was reported.
    pub item_title: Option<String>,
    pub reason: String,
    pub reported_at: String,
    pub withdrawn_at: Option<String>,
    /// The substitute called in for it and not cancelled.
    pub call: Option<Call>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Call {
    pub id: i64,
    pub substitute: PersonId,
    pub replacing: PersonId,
    pub called_at: String,
}

/// One message of the outbox.
#[derive(Debug, Clone, Serialize)]
pub struct Mail {
    pub id: i64,
    pub kind: String,
    pub meeting: Option<MeetingId>,
    pub recipient: String,
    pub recipient_name: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    /// pending, sending, sent or failed.
    pub state: String,
    pub attempts: i64,
    pub last_attempt_at: Option<String>,
    pub sent_at: Option<String>,
    pub error: Option<String>,
}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// What it tells and to whom; the same key is queued once.
    pub key: String,
    pub kind: &'static str,
    pub meeting: Option<MeetingId>,
    pub user: Option<UserId>,
    pub recipient: String,
    pub recipient_name: String,
    pub subject: String,
    pub body: String,
}

/// A failed message is tried again at most this many times in all.
pub const MAX_ATTEMPTS: i64 = 8;

/// Checks an e-mail address as a form gives it: one `@` with a local part
/// and a domain with a dot, no spaces or control characters, within the
/// limit of a line.
pub fn check_email(raw: &str) -> Result<String, Refusal> {
    let at = "e-postadress";
    let address = raw.trim();
    limits::check(at, Kind::Line, address)?;
    let valid = match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !address.chars().any(|c| {
                    c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
                })
        }
        None => false,
    };
    if !valid {
        return Err(Refusal::new(
            at,
            format!("«{address}» är ingen e-postadress (som namn@kommun.se)"),
        ));
    }
    Ok(address.to_string())
}

fn absence_row(r: &sqlx::any::AnyRow) -> Result<Absence, StoreError> {
    Ok(Absence {
        id: r.try_get("id")?,
        meeting: MeetingId(r.try_get("meeting_id")?),
        person: PersonId(r.try_get("person_id")?),
        item: r.try_get("agenda_item_id")?,
        item_title: r.try_get("item_title")?,
        reason: r.try_get("reason")?,
        reported_at: r.try_get("reported_at")?,
        withdrawn_at: r.try_get("withdrawn_at")?,
        call: None,
    })
}

fn mail_row(r: &sqlx::any::AnyRow) -> Result<Mail, StoreError> {
    Ok(Mail {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        meeting: r.try_get::<Option<i64>, _>("meeting_id")?.map(MeetingId),
        recipient: r.try_get("recipient")?,
        recipient_name: r.try_get("recipient_name")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        created_at: r.try_get("created_at")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        last_attempt_at: r.try_get("last_attempt_at")?,
        sent_at: r.try_get("sent_at")?,
        error: r.try_get("error")?,
    })
}

async fn absences_in(
    conn: &mut sqlx::AnyConnection,
    meeting: MeetingId,
) -> Result<Vec<Absence>, StoreError> {
    let rows = sqlx::query("SELECT * FROM absences WHERE meeting_id = $1 ORDER BY id")
        .bind(meeting.0)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = rows
        .iter()
        .map(absence_row)
        .collect::<Result<Vec<_>, _>>()?;
    let calls = sqlx::query(
        "SELECT * FROM substitute_calls WHERE meeting_id = $1 AND cancelled_at IS NULL ORDER BY id",
    )
    .bind(meeting.0)
    .fetch_all(&mut *conn)
    .await?;
    for c in &calls {
        let absence: i64 = c.try_get("absence_id")?;
        if let Some(a) = out.iter_mut().find(|a| a.id == absence) {
            a.call = Some(Call {
                id: c.try_get("id")?,
                substitute: PersonId(c.try_get("substitute_id")?),
                replacing: PersonId(c.try_get("replacing_id")?),
                called_at: c.try_get("called_at")?,
            });
        }
    }
    Ok(out)
}

/// Who is away from what, as the serving order needs it: the members away
/// for the whole meeting (or, with `item`, also for that item), the
/// substitutes who cannot come, and the calls in force for it.
type Away = (Vec<PersonId>, Vec<PersonId>, Vec<(PersonId, PersonId)>);

fn away(
    absences: &[Absence],
    setting: &kansli_core::proceedings::Setting,
    item: Option<i64>,
) -> Away {
    let member = |p: PersonId| {
        setting
            .roster
            .iter()
            .any(|s| s.person.id == p && s.role.is_member())
    };
    let applies = |a: &&Absence| {
        a.withdrawn_at.is_none() && (a.item.is_none() || (item.is_some() && a.item == item))
    };
    let mut absent = Vec::new();
    let mut unavailable = Vec::new();
    let mut called = Vec::new();
    // Members in roster order: the first away gets the first substitute.
    for seat in &setting.roster {
        let p = seat.person.id;
        if absences.iter().filter(applies).any(|a| a.person == p) {
            if member(p) {
                absent.push(p);
            } else {
                unavailable.push(p);
            }
        }
    }
    for a in absences.iter().filter(applies) {
        if let Some(c) = &a.call {
            called.push((c.substitute, c.replacing));
        }
    }
    (absent, unavailable, called)
}

/// The substitute the serving order proposes for an absence that has no
/// call yet (`None`: nobody is free, or the absent is a substitute).
pub fn proposal_for(
    absences: &[Absence],
    setting: &kansli_core::proceedings::Setting,
    absence: &Absence,
) -> Result<Option<PersonId>, Refusal> {
    let (absent, unavailable, called) = away(absences, setting, absence.item);
    if !absent.contains(&absence.person) {
        return Ok(None);
    }
    Ok(
        kansli_core::absence::proposals(setting, &absent, &unavailable, &called)?
            .into_iter()
            .find(|p| p.member == absence.person)
            .and_then(|p| p.substitute),
    )
}

impl Tx {
    /// Sets (or with `None` removes) a user's e-mail address.
    pub async fn set_email(&mut self, user: UserId, email: Option<&str>) -> Result<(), StoreError> {
        let email = match email.map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => Some(check_email(e)?),
            None => None,
        };
        let done = sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(&email)
            .bind(user.0)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(Refusal::new("användare", "användaren finns inte").into());
        }
        self.audit("set_email", "user", Some(user.0), json!({"email": email}))
            .await
    }

    /// Chooses whether a user wants a kind of e-mail.
    pub async fn set_notice_choice(
        &mut self,
        user: UserId,
        notice: Notice,
        wanted: bool,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM notification_choices WHERE user_id = $1 AND kind = $2")
            .bind(user.0)
            .bind(notice.code())
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("INSERT INTO notification_choices (user_id, kind, wanted) VALUES ($1, $2, $3)")
            .bind(user.0)
            .bind(notice.code())
            .bind(wanted as i64)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "notice_choice",
            "user",
            Some(user.0),
            json!({"kind": notice.code(), "wanted": wanted}),
        )
        .await
    }

    /// Records a förhinder of `person` for a meeting, or for the agenda
    /// item at `item` (0-based), reported by `by`. The person must hold a
    /// seat (ledamot or ersättare) in the body on the meeting's date, and
    /// the meeting must not have begun. Reporting the same again returns
    /// the förhinder already recorded.
    pub async fn report_absence(
        &mut self,
        meeting: MeetingId,
        person: PersonId,
        item: Option<usize>,
        reason: &str,
        by: UserId,
    ) -> Result<i64, StoreError> {
        let at = "förhinder";
        let reason = reason.trim();
        limits::check("skäl", Kind::Line, reason)?;
        let m = crate::read::meeting_in(&mut self.tx, meeting).await?;
        let begun = !crate::read::meeting_events_in(&mut self.tx, meeting)
            .await?
            .is_empty();
        if begun
            || !matches!(
                m.status,
                MeetingStatus::Planned | MeetingStatus::NoticeIssued
            )
        {
            return Err(Refusal::new(
                at,
                "sammanträdet har redan börjat; anmäl förhinder till sekreteraren",
            )
            .into());
        }
        let setting = self.proceedings(meeting).await?.setting().clone();
        let Some(seat) = setting.roster.iter().find(|s| s.person.id == person) else {
            return Err(Refusal::new(
                at,
                format!(
                    "personen är inte ledamot eller ersättare i organet den {}",
                    m.date
                ),
            )
            .into());
        };
        let (item_id, item_title) = match item {
            None => (None, None),
            Some(position) => {
                let row: Option<(i64, String)> = sqlx::query_as(
                    "SELECT id, title FROM agenda_items WHERE meeting_id = $1 AND position = $2",
                )
                .bind(meeting.0)
                .bind(position as i64)
                .fetch_optional(&mut *self.tx)
                .await?;
                let Some((id, title)) = row else {
                    return Err(Refusal::new(
                        at,
                        format!("ärende {} finns inte på föredragningslistan", position + 1),
                    )
                    .into());
                };
                (Some(id), Some(title))
            }
        };
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM absences WHERE meeting_id = $1 AND person_id = $2 \
             AND COALESCE(agenda_item_id, 0) = $3 AND withdrawn_at IS NULL",
        )
        .bind(meeting.0)
        .bind(person.0)
        .bind(item_id.unwrap_or(0))
        .fetch_optional(&mut *self.tx)
        .await?;
        if let Some(id) = existing {
            return Ok(id);
        }
        let id = self.next_id("absences").await?;
        sqlx::query(
            "INSERT INTO absences (id, meeting_id, person_id, agenda_item_id, item_title, reason, \
             reported_at, reported_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(meeting.0)
        .bind(person.0)
        .bind(item_id)
        .bind(&item_title)
        .bind(reason)
        .bind(&self.now)
        .bind(by.0)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "absence",
            "meeting",
            Some(meeting.0),
            json!({"absence": id, "person": person.0, "name": seat.person.display(),
                   "item": item.map(|i| i + 1)}),
        )
        .await?;
        Ok(id)
    }

    /// Withdraws a förhinder; a substitute called in for it is no longer
    /// called. Returns the call cancelled, if any. Withdrawing again does
    /// nothing.
    pub async fn withdraw_absence(&mut self, absence: i64) -> Result<Option<Call>, StoreError> {
        let row = sqlx::query("SELECT * FROM absences WHERE id = $1")
            .bind(absence)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StoreError::NotFound {
                what: "förhindret",
                id: absence.to_string(),
            })?;
        let a = absence_row(&row)?;
        if a.withdrawn_at.is_some() {
            return Ok(None);
        }
        let begun = !crate::read::meeting_events_in(&mut self.tx, a.meeting)
            .await?
            .is_empty();
        if begun {
            return Err(Refusal::new(
                "förhinder",
                "sammanträdet har redan börjat; närvaron antecknas nu på sammanträdet",
            )
            .into());
        }
        let all = absences_in(&mut self.tx, a.meeting).await?;
        let call = all
            .into_iter()
            .find(|x| x.id == absence)
            .and_then(|x| x.call);
        sqlx::query("UPDATE absences SET withdrawn_at = $1 WHERE id = $2")
            .bind(&self.now)
            .bind(absence)
            .execute(&mut *self.tx)
            .await?;
        if let Some(c) = &call {
            sqlx::query("UPDATE substitute_calls SET cancelled_at = $1 WHERE id = $2")
                .bind(&self.now)
                .bind(c.id)
                .execute(&mut *self.tx)
                .await?;
        }
        self.audit(
            "absence_withdrawn",
            "meeting",
            Some(a.meeting.0),
            json!({"absence": absence, "person": a.person.0,
                   "call_cancelled": call.as_ref().map(|c| c.substitute.0)}),
        )
        .await?;
        Ok(call)
    }

    /// Calls `substitute` in for a förhinder: only the one the serving
    /// order gives ([`kansli_core::absence::check_call`]). Calling the same
    /// one again returns the call already made.
    pub async fn call_substitute(
        &mut self,
        absence: i64,
        substitute: PersonId,
        by: UserId,
    ) -> Result<Call, StoreError> {
        let row = sqlx::query("SELECT * FROM absences WHERE id = $1")
            .bind(absence)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StoreError::NotFound {
                what: "förhindret",
                id: absence.to_string(),
            })?;
        let a = absence_row(&row)?;
        let all = absences_in(&mut self.tx, a.meeting).await?;
        let me = all.iter().find(|x| x.id == absence).expect("read above");
        if let Some(c) = &me.call
            && c.substitute == substitute
        {
            return Ok(c.clone());
        }
        if a.withdrawn_at.is_some() {
            return Err(Refusal::new("inkallelse", "förhindret är återkallat").into());
        }
        let m = crate::read::meeting_in(&mut self.tx, a.meeting).await?;
        if m.status.is_sealed() || matches!(m.status, MeetingStatus::Held) {
            return Err(Refusal::new("inkallelse", "sammanträdet är redan hållet").into());
        }
        let proceedings = self.proceedings(a.meeting).await?;
        if proceedings.is_closed() {
            return Err(Refusal::new("inkallelse", "sammanträdet är avslutat").into());
        }
        let setting = proceedings.setting();
        let (absent, unavailable, called) = away(&all, setting, a.item);
        kansli_core::absence::check_call(
            setting,
            a.person,
            substitute,
            &absent,
            &unavailable,
            &called,
        )?;
        let id = self.next_id("substitute_calls").await?;
        sqlx::query(
            "INSERT INTO substitute_calls (id, absence_id, meeting_id, substitute_id, replacing_id, \
             called_at, called_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(absence)
        .bind(a.meeting.0)
        .bind(substitute.0)
        .bind(a.person.0)
        .bind(&self.now)
        .bind(by.0)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "substitute_called",
            "meeting",
            Some(a.meeting.0),
            json!({"absence": absence, "substitute": substitute.0, "replacing": a.person.0}),
        )
        .await?;
        Ok(Call {
            id,
            substitute,
            replacing: a.person,
            called_at: self.now.clone(),
        })
    }

    /// Queues a message, unless one with the same key is queued already.
    /// Returns whether it was queued now.
    pub async fn queue_mail(&mut self, mail: &NewMail) -> Result<bool, StoreError> {
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM mail_outbox WHERE message_key = $1")
                .bind(&mail.key)
                .fetch_optional(&mut *self.tx)
                .await?;
        if exists.is_some() {
            return Ok(false);
        }
        let recipient = check_email(&mail.recipient)?;
        limits::check("ämne", Kind::Line, &mail.subject)?;
        limits::check("meddelande", Kind::FreeText, &mail.body)?;
        let id = self.next_id("mail_outbox").await?;
        sqlx::query(
            "INSERT INTO mail_outbox (id, message_key, kind, meeting_id, user_id, recipient, \
             recipient_name, subject, body, created_at, state, attempts) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', 0)",
        )
        .bind(id)
        .bind(&mail.key)
        .bind(mail.kind)
        .bind(mail.meeting.map(|m| m.0))
        .bind(mail.user.map(|u| u.0))
        .bind(&recipient)
        .bind(&mail.recipient_name)
        .bind(&mail.subject)
        .bind(&mail.body)
        .bind(&self.now)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "mail_queued",
            "mail",
            Some(id),
            json!({"kind": mail.kind, "to": recipient, "meeting": mail.meeting.map(|m| m.0)}),
        )
        .await?;
        Ok(true)
    }

    /// Claims a message for sending: true when this sender got it (it was
    /// pending or failed, or stuck in sending since before `stale`).
    pub async fn claim_mail(&mut self, id: i64, stale: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE mail_outbox SET state = 'sending', last_attempt_at = $2, attempts = attempts + 1 \
             WHERE id = $1 AND (state IN ('pending', 'failed') \
             OR (state = 'sending' AND last_attempt_at < $3))",
        )
        .bind(id)
        .bind(&self.now)
        .bind(stale)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records how sending a claimed message went.
    pub async fn mail_result(
        &mut self,
        id: i64,
        result: Result<(), String>,
    ) -> Result<(), StoreError> {
        let (state, error) = match &result {
            Ok(()) => ("sent", None),
            Err(e) => ("failed", Some(limits::shorten(Kind::Line, e).into_owned())),
        };
        sqlx::query(
            "UPDATE mail_outbox SET state = $2, error = $3, \
             sent_at = CASE WHEN $2 = 'sent' THEN $4 ELSE sent_at END WHERE id = $1",
        )
        .bind(id)
        .bind(state)
        .bind(&error)
        .bind(&self.now)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            if result.is_ok() {
                "mail_sent"
            } else {
                "mail_failed"
            },
            "mail",
            Some(id),
            json!({"error": error}),
        )
        .await
    }

    /// Lets a failed message be tried again now, with its attempts counted
    /// afresh (the secretary's "Försök igen").
    pub async fn retry_mail(&mut self, id: i64) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE mail_outbox SET state = 'pending', attempts = 0 WHERE id = $1 AND state = 'failed'",
        )
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() == 1 {
            self.audit("mail_retry", "mail", Some(id), json!({}))
                .await?;
        }
        Ok(())
    }
}

impl Store {
    /// A user's address and choices.
    pub async fn contact(&self, user: UserId) -> Result<Contact, StoreError> {
        let row = sqlx::query("SELECT display_name, email FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound {
                what: "användaren",
                id: user.0.to_string(),
            })?;
        let choices: Vec<(String, i64)> =
            sqlx::query_as("SELECT kind, wanted FROM notification_choices WHERE user_id = $1")
                .bind(user.0)
                .fetch_all(self.pool())
                .await?;
        Ok(Contact {
            user,
            display_name: row.try_get("display_name")?,
            email: row.try_get("email")?,
            wants: Notice::ALL
                .into_iter()
                .map(|n| {
                    let chosen = choices.iter().find(|(k, _)| k == n.code());
                    (n, chosen.is_none_or(|(_, w)| *w != 0))
                })
                .collect(),
        })
    }

    /// The users who are these persons (a member's own account), each with
    /// the person they are.
    pub async fn users_of(
        &self,
        persons: &[PersonId],
    ) -> Result<Vec<(PersonId, Contact)>, StoreError> {
        let mut out = Vec::new();
        for p in persons {
            let users: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM users WHERE person_id = $1 ORDER BY id")
                    .bind(p.0)
                    .fetch_all(self.pool())
                    .await?;
            for u in users {
                out.push((*p, self.contact(UserId(u)).await?));
            }
        }
        Ok(out)
    }

    /// The secretaries of a body: those with the role for it or for every
    /// body of its organisation.
    pub async fn secretaries_of(&self, body: BodyId) -> Result<Vec<Contact>, StoreError> {
        let b = self.body(body).await?;
        let users: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT user_id FROM user_roles WHERE role = 'secretary' \
             AND organisation_id = $1 AND (body_id IS NULL OR body_id = $2) ORDER BY user_id",
        )
        .bind(b.organisation.0)
        .bind(body.0)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for u in users {
            out.push(self.contact(UserId(u)).await?);
        }
        Ok(out)
    }

    /// The förhinder of a meeting, withdrawn ones included, with their
    /// calls.
    pub async fn absences(&self, meeting: MeetingId) -> Result<Vec<Absence>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        absences_in(&mut conn, meeting).await
    }

    /// One förhinder.
    pub async fn absence(&self, id: i64) -> Result<Absence, StoreError> {
        let meeting: Option<i64> =
            sqlx::query_scalar("SELECT meeting_id FROM absences WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        let meeting = meeting.ok_or(StoreError::NotFound {
            what: "förhindret",
            id: id.to_string(),
        })?;
        Ok(self
            .absences(MeetingId(meeting))
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .expect("read above"))
    }

    /// The messages of a meeting's outbox, newest first.
    pub async fn outbox(&self, meeting: MeetingId) -> Result<Vec<Mail>, StoreError> {
        let rows = sqlx::query("SELECT * FROM mail_outbox WHERE meeting_id = $1 ORDER BY id DESC")
            .bind(meeting.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(mail_row).collect()
    }

    /// Messages to try now: pending ones, failed ones with attempts left,
    /// and ones left in sending since before `stale` (a sender that
    /// stopped).
    pub async fn mail_due(&self, stale: &str) -> Result<Vec<Mail>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM mail_outbox WHERE state = 'pending' \
             OR (state = 'failed' AND attempts < $1) \
             OR (state = 'sending' AND last_attempt_at < $2) ORDER BY id LIMIT 200",
        )
        .bind(MAX_ATTEMPTS)
        .bind(stale)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(mail_row).collect()
    }

    /// One message.
    pub async fn mail(&self, id: i64) -> Result<Mail, StoreError> {
        let row = sqlx::query("SELECT * FROM mail_outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound {
                what: "meddelandet",
                id: id.to_string(),
            })?;
        mail_row(&row)
    }
}

#[cfg(test)]
mod tests {
    use super::check_email;

    #[test]
    fn e_mail_addresses() {
        assert_eq!(check_email(" per@halland.se ").unwrap(), "per@halland.se");
        for bad in [
            "",
            "per",
            "per@",
            "@halland.se",
            "per@halland",
            "per @halland.se",
            "a@b@c.se",
            "per@halland.se.",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}
