//! Personal API tokens: what the API's writes authenticate with, instead of
//! an account's password.
//!
//! A token is [`TOKEN_PREFIX`] and 32 random bytes in hex. It is shown once,
//! when it is created; the table keeps its SHA-256 only. Each token is
//! scoped to one organisation and one [`Role`], has a label saying what it
//! is for, the user who created it (an administrator of the organisation),
//! and is revoked by setting its revocation time. Checking a token costs one
//! SHA-256 and one lookup by a unique index — no password hashing — so a
//! flood of bad tokens costs the server next to nothing.

use crate::access::{Role, random_token, sha256_hex};
use crate::{Store, StoreError, Tx};
use kansli_core::*;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// What every token starts with, so that it is recognised in a
/// configuration file or a leak scanner.
pub const TOKEN_PREFIX: &str = "kansli_";

/// The longest label a token may have, in characters.
pub const LABEL_MAX: usize = 100;

/// A stored token, without the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub organisation: OrganisationId,
    pub role: Role,
    pub label: String,
    pub created_by: UserId,
    /// The creator's username, for lists and the log.
    pub created_by_name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl ApiToken {
    /// What the token's writes are recorded as in the audit log.
    pub fn actor(&self) -> String {
        format!("token:{}", self.id)
    }
}

/// A token just created: the only time its secret is known.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub id: i64,
    pub token: String,
}

/// Whether `text` has the shape of a token (prefix and 64 hex digits), so
/// that anything else is refused without touching the database.
pub fn looks_like_token(text: &str) -> bool {
    text.strip_prefix(TOKEN_PREFIX)
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn token_row(r: &AnyRow) -> Result<ApiToken, StoreError> {
    let code: String = r.try_get("role")?;
    Ok(ApiToken {
        id: r.try_get("id")?,
        organisation: OrganisationId(r.try_get("organisation_id")?),
        role: Role::from_code(&code)
            .ok_or_else(|| StoreError::Corrupt(format!("okänd roll «{code}»")))?,
        label: r.try_get("label")?,
        created_by: UserId(r.try_get("created_by")?),
        created_by_name: r.try_get("username")?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

/// A query of tokens with their creator's username; `$rest` is the
/// condition and order (a literal: sqlx takes static SQL only).
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT t.id, t.organisation_id, t.role, t.label, t.created_by, u.username, \
             t.created_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.created_by ",
            $rest
        )
    };
}

impl Tx {
    /// Creates a token for `organisation` with `role`, made by `created_by`,
    /// who must be an administrator of that organisation (or of the whole
    /// system). The returned secret is not stored anywhere.
    pub async fn create_api_token(
        &mut self,
        organisation: OrganisationId,
        role: Role,
        label: &str,
        created_by: UserId,
    ) -> Result<NewApiToken, StoreError> {
        let label = label.trim();
        if label.is_empty() {
            return Err(Refusal::new(
                "benämning",
                "ange vad nyckeln ska användas till (benämning)",
            )
            .into());
        }
        if label.chars().count() > LABEL_MAX {
            return Err(Refusal::new(
                "benämning",
                format!("benämningen får vara högst {LABEL_MAX} tecken"),
            )
            .into());
        }
        if label.chars().any(char::is_control) {
            return Err(
                Refusal::new("benämning", "benämningen får inte innehålla styrtecken").into(),
            );
        }
        let org: Option<i64> = sqlx::query_scalar("SELECT id FROM organisations WHERE id = $1")
            .bind(organisation.0)
            .fetch_optional(&mut *self.tx)
            .await?;
        if org.is_none() {
            return Err(StoreError::NotFound {
                what: "organisationen",
                id: organisation.0.to_string(),
            });
        }
        let system_admin: Option<i64> =
            sqlx::query_scalar("SELECT is_admin FROM users WHERE id = $1")
                .bind(created_by.0)
                .fetch_optional(&mut *self.tx)
                .await?;
        let Some(system_admin) = system_admin else {
            return Err(Refusal::new("skapad av", "användaren finns inte").into());
        };
        let org_admin: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM user_roles WHERE user_id = $1 AND role = $2 AND organisation_id = $3",
        )
        .bind(created_by.0)
        .bind(Role::Administrator.code())
        .bind(organisation.0)
        .fetch_optional(&mut *self.tx)
        .await?;
        if system_admin == 0 && org_admin.is_none() {
            return Err(Refusal::new(
                "skapad av",
                "bara en administratör i organisationen kan skapa API-nycklar för den",
            )
            .into());
        }
        let token = format!("{TOKEN_PREFIX}{}", random_token());
        let id = self.next_id("api_tokens").await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, token_hash, organisation_id, role, label, created_by, \
             created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        )
        .bind(id)
        .bind(sha256_hex(token.as_bytes()))
        .bind(organisation.0)
        .bind(role.code())
        .bind(label)
        .bind(created_by.0)
        .bind(&self.now)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "create",
            "api_token",
            Some(id),
            json!({"organisation": organisation.0, "role": role.code(), "label": label, "created_by": created_by.0}),
        )
        .await?;
        Ok(NewApiToken { id, token })
    }

    /// Revokes token `id`; from then on it authenticates nothing. With
    /// `organisation`, a token of another organisation is refused as if it
    /// did not exist. Revoking twice is refused.
    pub async fn revoke_api_token(
        &mut self,
        id: i64,
        organisation: Option<OrganisationId>,
    ) -> Result<ApiToken, StoreError> {
        let row = sqlx::query(select!("WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await?;
        let token = row.as_ref().map(token_row).transpose()?;
        let Some(token) = token.filter(|t| organisation.is_none_or(|o| o == t.organisation)) else {
            return Err(StoreError::NotFound {
                what: "API-nyckeln",
                id: id.to_string(),
            });
        };
        if token.revoked_at.is_some() {
            return Err(Refusal::new("API-nyckel", "nyckeln är redan återkallad").into());
        }
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(&self.now)
            .bind(id)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "revoke",
            "api_token",
            Some(id),
            json!({"organisation": token.organisation.0, "label": token.label}),
        )
        .await?;
        Ok(ApiToken {
            revoked_at: Some(self.now.clone()),
            ..token
        })
    }
}

impl Store {
    /// The token whose secret is `token`, unless it is unknown, malformed
    /// or revoked: one SHA-256 and one lookup by the unique hash.
    pub async fn api_token(&self, token: &str) -> Result<Option<ApiToken>, StoreError> {
        if !looks_like_token(token) {
            return Ok(None);
        }
        let row = sqlx::query(select!("WHERE t.token_hash = $1 AND t.revoked_at IS NULL"))
            .bind(sha256_hex(token.as_bytes()))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(token_row).transpose()
    }

    /// The tokens of `organisation` (or of all, with `None`), revoked ones
    /// included, newest first.
    pub async fn api_tokens(
        &self,
        organisation: Option<OrganisationId>,
    ) -> Result<Vec<ApiToken>, StoreError> {
        let rows = match organisation {
            Some(o) => {
                sqlx::query(select!("WHERE t.organisation_id = $1 ORDER BY t.id DESC"))
                    .bind(o.0)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query(select!("ORDER BY t.id DESC"))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(token_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_token_shape_reaches_the_database() {
        let good = format!("{TOKEN_PREFIX}{}", random_token());
        assert!(looks_like_token(&good));
        assert!(!looks_like_token(&random_token()));
        assert!(!looks_like_token("kansli_"));
        assert!(!looks_like_token(&format!("{good}0")));
        assert!(!looks_like_token(&format!(
            "{TOKEN_PREFIX}{}",
            "g".repeat(64)
        )));
        assert!(!looks_like_token(&format!("Bearer {good}")));
    }
}
