//! What sign-in remembers in the database: the log of failed sign-ins for
//! the administrators, and the browsers ("known devices") users have signed
//! in from.
//!
//! The log is bounded whatever an attacker sends: one row per username as
//! typed (at most [`USERNAME_CHARS`] characters), address, hour and reason,
//! counting the attempts; rows older than [`KEEP_DAYS`] days are pruned, and
//! at most [`MAX_ROWS`] are kept. It has no audit records of its own: each
//! guess audited would let anyone grow the append-only audit log without
//! end, and the log is itself the record.

use crate::access::sha256_hex;
use crate::{Store, StoreError, Tx};
use kansli_core::{OrganisationId, UserId};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// How much of a typed username is kept.
pub const USERNAME_CHARS: usize = 64;
/// How long failed sign-ins are kept.
pub const KEEP_DAYS: i64 = 90;
/// The most rows the log keeps; the oldest go first.
pub const MAX_ROWS: i64 = 50_000;
/// The most known devices kept per user; the oldest go first.
pub const DEVICES_PER_USER: i64 = 20;

/// Why a sign-in failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Failure {
    /// No user has that name.
    UnknownUser,
    /// The user exists; the password was wrong.
    WrongPassword,
}

impl Failure {
    pub fn code(self) -> &'static str {
        match self {
            Failure::UnknownUser => "unknown_user",
            Failure::WrongPassword => "wrong_password",
        }
    }

    /// As the administrator reads it.
    pub fn label(self) -> &'static str {
        match self {
            Failure::UnknownUser => "okänt användarnamn",
            Failure::WrongPassword => "fel lösenord",
        }
    }

    fn from_code(code: &str) -> Option<Failure> {
        [Failure::UnknownUser, Failure::WrongPassword]
            .into_iter()
            .find(|f| f.code() == code)
    }
}

/// Failed sign-ins of one username (as typed) from one address in one hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedSignIns {
    pub username: String,
    pub address: String,
    /// The hour, in UTC: `2026-12-01T08:00Z`.
    pub hour: String,
    pub reason: Failure,
    pub attempts: i64,
    /// How many of them were answered only after a delay (throttled).
    pub slowed: i64,
    /// When the last of them came (UTC).
    pub last_at: String,
}

/// A typed username as the log keeps it: trimmed, control characters
/// replaced, at most [`USERNAME_CHARS`] characters.
pub fn logged_username(typed: &str) -> String {
    typed
        .trim()
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .take(USERNAME_CHARS)
        .collect()
}

impl Tx {
    /// Counts a failed sign-in of `username` (as typed) from `address`.
    /// Commit with [`Tx::commit_unpublished`]: nothing public changes.
    pub async fn record_failed_sign_in(
        &mut self,
        username: &str,
        address: &str,
        reason: Failure,
        slowed: bool,
    ) -> Result<(), StoreError> {
        let username = logged_username(username);
        let address: String = address.chars().take(64).collect();
        let now: jiff::Timestamp = self
            .now
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("tidpunkt: {e}")))?;
        let hour = now.strftime("%Y-%m-%dT%H:00Z").to_string();
        let slowed = i64::from(slowed);
        let done = sqlx::query(
            "UPDATE sign_in_attempts SET attempts = attempts + 1, slowed = slowed + $1, \
             last_at = $2 WHERE username = $3 AND address = $4 AND hour = $5 AND reason = $6",
        )
        .bind(slowed)
        .bind(&self.now)
        .bind(&username)
        .bind(&address)
        .bind(&hour)
        .bind(reason.code())
        .execute(&mut *self.tx)
        .await?;
        if done.rows_affected() > 0 {
            return Ok(());
        }
        // A new row: the time to forget the old ones.
        let cutoff = now
            .checked_sub(jiff::SignedDuration::from_hours(24 * KEEP_DAYS))
            .map_err(|e| StoreError::Corrupt(format!("tidpunkt: {e}")))?
            .strftime("%Y-%m-%dT%H:00Z")
            .to_string();
        sqlx::query("DELETE FROM sign_in_attempts WHERE hour < $1")
            .bind(&cutoff)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "DELETE FROM sign_in_attempts WHERE id <= \
             (SELECT id FROM sign_in_attempts ORDER BY id DESC LIMIT 1 OFFSET $1)",
        )
        .bind(MAX_ROWS - 1)
        .execute(&mut *self.tx)
        .await?;
        let id = self.next_id("sign_in_attempts").await?;
        sqlx::query(
            "INSERT INTO sign_in_attempts \
             (id, username, address, hour, reason, attempts, slowed, last_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
        )
        .bind(id)
        .bind(&username)
        .bind(&address)
        .bind(&hour)
        .bind(reason.code())
        .bind(slowed)
        .bind(&self.now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Remembers the browser whose device cookie carries `token` as one
    /// `user` has signed in from, until `expires`. Only the token's SHA-256
    /// is kept; a user keeps at most [`DEVICES_PER_USER`] devices.
    pub async fn remember_device(
        &mut self,
        user: UserId,
        token: &str,
        expires: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        let hash = sha256_hex(token.as_bytes());
        sqlx::query("DELETE FROM known_devices WHERE token_hash = $1 AND user_id = $2")
            .bind(&hash)
            .bind(user.0)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("DELETE FROM known_devices WHERE user_id = $1 AND expires_at <= $2")
            .bind(user.0)
            .bind(&self.now)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "DELETE FROM known_devices WHERE user_id = $1 AND created_at <= \
             (SELECT created_at FROM known_devices WHERE user_id = $1 \
              ORDER BY created_at DESC LIMIT 1 OFFSET $2)",
        )
        .bind(user.0)
        .bind(DEVICES_PER_USER - 1)
        .execute(&mut *self.tx)
        .await?;
        sqlx::query(
            "INSERT INTO known_devices (token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&hash)
        .bind(user.0)
        .bind(&self.now)
        .bind(expires.to_string())
        .execute(&mut *self.tx)
        .await?;
        self.audit("remember_device", "user", Some(user.0), json!({}))
            .await
    }
}

impl Store {
    /// Whether `token` is a device cookie this server issued (to anyone)
    /// that has not expired at `now`.
    pub async fn device_issued(
        &self,
        token: &str,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT user_id FROM known_devices WHERE token_hash = $1 AND expires_at > $2 LIMIT 1",
        )
        .bind(sha256_hex(token.as_bytes()))
        .bind(now.to_string())
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// Whether the browser with device cookie `token` has signed in as the
    /// user named `username` (exactly as sign-in matches names) and is still
    /// remembered at `now`.
    pub async fn device_known(
        &self,
        token: &str,
        username: &str,
        now: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT d.user_id FROM known_devices d JOIN users u ON u.id = d.user_id \
             WHERE d.token_hash = $1 AND u.username = $2 AND d.expires_at > $3",
        )
        .bind(sha256_hex(token.as_bytes()))
        .bind(username)
        .bind(now.to_string())
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// The newest `limit` rows of the log of failed sign-ins, newest first:
    /// all of them (`None`, for a system administrator), or those against
    /// the usernames of `organisation`'s users (a role in it, or a seat in
    /// one of its bodies).
    pub async fn failed_sign_ins(
        &self,
        organisation: Option<OrganisationId>,
        limit: i64,
    ) -> Result<Vec<FailedSignIns>, StoreError> {
        let rows = match organisation {
            None => {
                sqlx::query(
                    "SELECT * FROM sign_in_attempts ORDER BY last_at DESC, id DESC LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
            Some(o) => {
                sqlx::query(
                    "SELECT * FROM sign_in_attempts WHERE username IN ( \
                       SELECT u.username FROM users u JOIN user_roles r ON r.user_id = u.id \
                       WHERE r.organisation_id = $1 \
                       UNION \
                       SELECT u.username FROM users u \
                       JOIN memberships m ON m.person_id = u.person_id \
                       JOIN bodies b ON b.id = m.body_id WHERE b.organisation_id = $1) \
                     ORDER BY last_at DESC, id DESC LIMIT $2",
                )
                .bind(o.0)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("reason")?;
                Ok(FailedSignIns {
                    username: r.try_get("username")?,
                    address: r.try_get("address")?,
                    hour: r.try_get("hour")?,
                    reason: Failure::from_code(&code)
                        .ok_or_else(|| StoreError::Corrupt(format!("okänd orsak «{code}»")))?,
                    attempts: r.try_get("attempts")?,
                    slowed: r.try_get("slowed")?,
                    last_at: r.try_get("last_at")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_usernames_are_kept_short_and_without_control_characters() {
        assert_eq!(logged_username("  anna "), "anna");
        assert_eq!(logged_username("a\u{0}b\nc"), "a\u{fffd}b\u{fffd}c");
        assert_eq!(
            logged_username(&"å".repeat(1000)).chars().count(),
            USERNAME_CHARS
        );
    }
}
