//! One-time keys of state-changing requests: a form's hidden key or an API
//! request's `Idempotency-Key`. The first request with a key reserves it,
//! and what it was answered is kept; the same key again is answered with
//! that answer and changes nothing.
//!
//! These rows are not domain data and not audited: they record answers, not
//! decisions, and the write a key protects is audited itself. They are
//! written through [`Tx`] all the same (one transaction each, the SQLite
//! writer lock) and pruned after [`KEEP_HOURS`].

use crate::{Store, StoreError, Tx};
use sqlx::Row;

const SELECT_KEY: &str = "SELECT fingerprint, state, status, location, set_cookie, \
     content_type, body FROM idempotency_keys WHERE actor = $1 AND once_key = $2";

/// A stored key's row as a [`Reservation::Seen`].
fn seen(row: &sqlx::any::AnyRow, fingerprint: &str) -> Result<Reservation, StoreError> {
    let same_request = row.try_get::<String, _>("fingerprint")? == fingerprint;
    let answer = if row.try_get::<String, _>("state")? == "done" {
        let cookies: Option<String> = row.try_get("set_cookie")?;
        Some(KeptAnswer {
            status: u16::try_from(row.try_get::<Option<i64>, _>("status")?.unwrap_or(0))
                .map_err(|e| StoreError::Corrupt(format!("sparat svar: {e}")))?,
            location: row.try_get("location")?,
            set_cookie: match cookies {
                Some(c) => serde_json::from_str(&c)?,
                None => vec![],
            },
            content_type: row.try_get("content_type")?,
            body: row.try_get("body")?,
        })
    } else {
        None
    };
    Ok(Reservation::Seen {
        same_request,
        answer,
    })
}

impl Store {
    /// How a key stands, without reserving it: `None` when it is not (or
    /// no longer) reserved.
    pub async fn key_state(
        &self,
        actor: &str,
        key: &str,
        fingerprint: &str,
    ) -> Result<Option<Reservation>, StoreError> {
        let row = sqlx::query(SELECT_KEY)
            .bind(actor)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| seen(&r, fingerprint)).transpose()
    }
}

/// How long a key is remembered.
pub const KEEP_HOURS: i64 = 24;

/// The longest key accepted (a form's keys are 64 hex digits; API clients
/// choose their own, usually a UUID).
pub const MAX_KEY_LEN: usize = 255;

/// What a request with a key was answered, to answer again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptAnswer {
    pub status: u16,
    pub location: Option<String>,
    /// The `Set-Cookie` values that carry the outcome (the flash message).
    pub set_cookie: Vec<String>,
    pub content_type: Option<String>,
    pub body: Option<String>,
}

/// The state of a key when a request with it arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// New: this request reserved it and does the work.
    Reserved,
    /// A request with this key came first: `answer` is what it was
    /// answered, or `None` while it is still being handled.
    Seen {
        /// Whether it was the same request (method, path and body).
        same_request: bool,
        answer: Option<KeptAnswer>,
    },
}

impl Tx {
    /// Reserves `key` for `actor` unless it is known; prunes keys older
    /// than [`KEEP_HOURS`]. `fingerprint` tells one request from another
    /// under the same key.
    pub async fn reserve_key(
        &mut self,
        actor: &str,
        key: &str,
        fingerprint: &str,
    ) -> Result<Reservation, StoreError> {
        let now: jiff::Timestamp = self
            .now
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("tidpunkt: {e}")))?;
        let cutoff = now
            .checked_sub(jiff::SignedDuration::from_hours(KEEP_HOURS))
            .map_err(|e| StoreError::Corrupt(format!("tidpunkt: {e}")))?;
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(cutoff.to_string())
            .execute(&mut *self.tx)
            .await?;
        // ON CONFLICT DO NOTHING waits for a concurrent reservation of the
        // same key and then reports it as seen, on both databases.
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (actor, once_key, fingerprint, created_at, state) \
             VALUES ($1, $2, $3, $4, 'pending') ON CONFLICT (actor, once_key) DO NOTHING",
        )
        .bind(actor)
        .bind(key)
        .bind(fingerprint)
        .bind(&self.now)
        .execute(&mut *self.tx)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(Reservation::Reserved);
        }
        let row = sqlx::query(SELECT_KEY)
            .bind(actor)
            .bind(key)
            .fetch_one(&mut *self.tx)
            .await?;
        seen(&row, fingerprint)
    }

    /// Keeps what the request that reserved `key` was answered.
    pub async fn finish_key(
        &mut self,
        actor: &str,
        key: &str,
        answer: &KeptAnswer,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency_keys SET state = 'done', status = $1, location = $2, \
             set_cookie = $3, content_type = $4, body = $5 \
             WHERE actor = $6 AND once_key = $7 AND state = 'pending'",
        )
        .bind(i64::from(answer.status))
        .bind(answer.location.as_deref())
        .bind(serde_json::to_string(&answer.set_cookie)?)
        .bind(answer.content_type.as_deref())
        .bind(answer.body.as_deref())
        .bind(actor)
        .bind(key)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Forgets the reservations still pending from before this
    /// transaction: when a server starts, those belong to one that died
    /// (`kill -9`, a power cut) before it kept their answers, and a retry
    /// with the key would otherwise be told for [`KEEP_HOURS`] that it is
    /// being handled. The retry does the work again; a ballot stays single
    /// through its own key (`Tx::cast_ballot`). Returns how many.
    pub async fn release_orphaned_keys(&mut self) -> Result<u64, StoreError> {
        let done =
            sqlx::query("DELETE FROM idempotency_keys WHERE state = 'pending' AND created_at < $1")
                .bind(&self.now)
                .execute(&mut *self.tx)
                .await?;
        Ok(done.rows_affected())
    }

    /// Forgets a reservation whose request failed on our side, so that it
    /// may be tried again.
    pub async fn release_key(&mut self, actor: &str, key: &str) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE actor = $1 AND once_key = $2 AND state = 'pending'",
        )
        .bind(actor)
        .bind(key)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}
