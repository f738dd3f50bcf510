//! Who may do what: roles granted per organisation (a secretary's optionally
//! per body), users linked to the person they are, and signed-in sessions.
//!
//! A session's token lives only in the browser's cookie; the table keeps its
//! SHA-256, so a copy of the database does not sign anyone in.

use crate::read::User;
use crate::{Store, StoreError, Tx};
use kansli_core::*;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A role in an organisation. Members (ledamöter and ersättare) are not
/// granted: they follow from the linked person's memberships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Role {
    /// Manages users and roles, and may do what a secretary does.
    Administrator,
    /// Nämndsekreterare: agendas, notices, meetings, protocols.
    Secretary,
    /// Handläggare: registers cases and documents, writes reports.
    CaseOfficer,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Secretary => "secretary",
            Role::CaseOfficer => "case_officer",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        [Role::Administrator, Role::Secretary, Role::CaseOfficer]
            .into_iter()
            .find(|r| r.code() == code)
    }

    /// As the user reads it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "administratör",
            Role::Secretary => "sekreterare",
            Role::CaseOfficer => "handläggare",
        }
    }
}

/// One role granted to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub role: Role,
    pub organisation: OrganisationId,
    /// A secretary of one body; `None`: every body of the organisation.
    pub body: Option<BodyId>,
}

/// A signed-in user as a request sees them.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub user: User,
    /// The token every form of this session must carry.
    pub csrf: String,
    pub grants: Vec<Grant>,
    /// The person the user is, for members.
    pub person: Option<PersonId>,
    /// The person's seats (ledamot or ersättare), in every term, with the
    /// period each covers: a member's rights follow the term of office.
    pub member_of: Vec<Seat>,
    pub expires: jiff::Timestamp,
}

/// A seat in a body for one term: from its first to its last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Seat {
    pub body: BodyId,
    pub from: jiff::civil::Date,
    pub to: jiff::civil::Date,
}

impl Seat {
    /// Whether the seat was held on `day` (both ends included).
    pub fn covers(&self, day: jiff::civil::Date) -> bool {
        self.from <= day && day <= self.to
    }
}

impl Session {
    /// Whether the person held a seat in `body` on `day`.
    pub fn member_on(&self, body: BodyId, day: jiff::civil::Date) -> bool {
        self.member_of
            .iter()
            .any(|s| s.body == body && s.covers(day))
    }

    /// The bodies the person has held a seat in, each once, in order.
    pub fn bodies(&self) -> Vec<BodyId> {
        let mut bodies: Vec<BodyId> = self.member_of.iter().map(|s| s.body).collect();
        bodies.sort();
        bodies.dedup();
        bodies
    }
}

/// What the browser keeps: the token for the cookie.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf: String,
    pub expires: jiff::Timestamp,
}

/// 32 random bytes as lower-case hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes[..]);
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The SHA-256 of `data` as lower-case hex (session tokens, file contents).
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

impl Tx {
    /// Grants `role` in `organisation` (for a secretary, optionally only in
    /// `body`, which must belong to it).
    pub async fn grant_role(
        &mut self,
        user: UserId,
        role: Role,
        organisation: OrganisationId,
        body: Option<BodyId>,
    ) -> Result<(), StoreError> {
        if let Some(body) = body {
            let owner: Option<i64> =
                sqlx::query_scalar("SELECT organisation_id FROM bodies WHERE id = $1")
                    .bind(body.0)
                    .fetch_optional(&mut *self.tx)
                    .await?;
            if owner != Some(organisation.0) {
                return Err(Refusal::new("organ", "organet hör inte till organisationen").into());
            }
        }
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM user_roles WHERE user_id = $1 AND role = $2 \
             AND organisation_id = $3 AND COALESCE(body_id, 0) = $4",
        )
        .bind(user.0)
        .bind(role.code())
        .bind(organisation.0)
        .bind(body.map_or(0, |b| b.0))
        .fetch_optional(&mut *self.tx)
        .await?;
        if exists.is_some() {
            return Ok(());
        }
        let id = self.next_id("user_roles").await?;
        sqlx::query(
            "INSERT INTO user_roles (id, user_id, role, organisation_id, body_id) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(user.0)
        .bind(role.code())
        .bind(organisation.0)
        .bind(body.map(|b| b.0))
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "grant",
            "user",
            Some(user.0),
            json!({"role": role.code(), "organisation": organisation.0, "body": body.map(|b| b.0)}),
        )
        .await
    }

    /// Links a user to the person they are (a member's own account).
    pub async fn link_person(&mut self, user: UserId, person: PersonId) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE users SET person_id = $1 WHERE id = $2")
            .bind(person.0)
            .bind(user.0)
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(Refusal::new("användare", "användaren finns inte").into());
        }
        self.audit("link", "user", Some(user.0), json!({"person": person.0}))
            .await
    }

    /// Starts a session for `user`, valid until `expires`.
    pub async fn start_session(
        &mut self,
        user: UserId,
        expires: jiff::Timestamp,
    ) -> Result<NewSession, StoreError> {
        let session = NewSession {
            token: random_token(),
            csrf: random_token(),
            expires,
        };
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(sha256_hex(session.token.as_bytes()))
        .bind(user.0)
        .bind(&session.csrf)
        .bind(&self.now)
        .bind(expires.to_string())
        .execute(&mut *self.tx)
        .await?;
        self.audit("sign_in", "user", Some(user.0), json!({}))
            .await?;
        Ok(session)
    }

    /// Ends the session with `token` (signing out); unknown tokens are
    /// ignored.
    pub async fn end_session(&mut self, token: &str) -> Result<(), StoreError> {
        let hash = sha256_hex(token.as_bytes());
        let user: Option<i64> =
            sqlx::query_scalar("SELECT user_id FROM sessions WHERE token_hash = $1")
                .bind(&hash)
                .fetch_optional(&mut *self.tx)
                .await?;
        let Some(user) = user else { return Ok(()) };
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(&hash)
            .execute(&mut *self.tx)
            .await?;
        self.audit("sign_out", "user", Some(user), json!({})).await
    }
}

impl Store {
    /// The session whose cookie carries `token`, unless it is unknown or
    /// has expired at `now`.
    pub async fn session(
        &self,
        token: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "SELECT s.csrf_token, s.expires_at, u.id, u.username, u.display_name, u.is_admin, \
             u.person_id FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1",
        )
        .bind(sha256_hex(token.as_bytes()))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires: jiff::Timestamp = row
            .try_get::<String, _>("expires_at")?
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("sessionens giltighetstid: {e}")))?;
        if expires <= now {
            return Ok(None);
        }
        let user = User {
            id: UserId(row.try_get("id")?),
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            is_admin: row.try_get::<i64, _>("is_admin")? != 0,
        };
        let person = row.try_get::<Option<i64>, _>("person_id")?.map(PersonId);
        let grants = self.grants(user.id).await?;
        let member_of = match person {
            Some(p) => {
                let rows = sqlx::query(
                    "SELECT m.body_id, t.starts, t.ends FROM memberships m \
                     JOIN terms t ON t.id = m.term_id WHERE m.person_id = $1 \
                     ORDER BY m.body_id, t.starts",
                )
                .bind(p.0)
                .fetch_all(&self.pool)
                .await?;
                let date = |r: &sqlx::any::AnyRow,
                            column: &str|
                 -> Result<jiff::civil::Date, StoreError> {
                    r.try_get::<String, _>(column)?
                        .parse()
                        .map_err(|e| StoreError::Corrupt(format!("mandatperiodens datum: {e}")))
                };
                rows.iter()
                    .map(|r| {
                        Ok(Seat {
                            body: BodyId(r.try_get("body_id")?),
                            from: date(r, "starts")?,
                            to: date(r, "ends")?,
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?
            }
            None => vec![],
        };
        Ok(Some(Session {
            user,
            csrf: row.try_get("csrf_token")?,
            grants,
            person,
            member_of,
            expires,
        }))
    }

    /// The roles granted to `user`.
    pub async fn grants(&self, user: UserId) -> Result<Vec<Grant>, StoreError> {
        let rows = sqlx::query(
            "SELECT role, organisation_id, body_id FROM user_roles WHERE user_id = $1 ORDER BY id",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("role")?;
                Ok(Grant {
                    role: Role::from_code(&code)
                        .ok_or_else(|| StoreError::Corrupt(format!("okänd roll «{code}»")))?,
                    organisation: OrganisationId(r.try_get("organisation_id")?),
                    body: r.try_get::<Option<i64>, _>("body_id")?.map(BodyId),
                })
            })
            .collect()
    }

    /// A user by username.
    pub async fn user_named(&self, username: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT id, username, display_name, is_admin FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(User {
                id: UserId(r.try_get("id")?),
                username: r.try_get("username")?,
                display_name: r.try_get("display_name")?,
                is_admin: r.try_get::<i64, _>("is_admin")? != 0,
            })
        })
        .transpose()
    }

    /// The person (member) a user's account is linked to, if any.
    pub async fn user_person(&self, user: UserId) -> Result<Option<PersonId>, StoreError> {
        let person: Option<Option<i64>> =
            sqlx::query_scalar("SELECT person_id FROM users WHERE id = $1")
                .bind(user.0)
                .fetch_optional(&self.pool)
                .await?;
        Ok(person.flatten().map(PersonId))
    }
}
