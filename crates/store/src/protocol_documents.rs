//! The PDFs Kansli stored for a protocol, by SHA-256 (`protocol_documents`):
//! what `/verifiera` looks a handed-in file up by, and where certified
//! extracts and sealed public copies are kept.

use crate::{Store, StoreError, Tx};
use base64::Engine;
use kansli_core::MeetingId;
use serde_json::json;
use sqlx::Row;

/// The kinds of `protocol_documents.kind`.
pub const KINDS: [&str; 4] = ["sent", "signed", "public_copy", "extract"];

/// One stored protocol PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolDocument {
    /// SHA-256 of the file, lower-case hex.
    pub sha256: String,
    pub meeting: MeetingId,
    /// The protocol version it belongs to (`protocol_versions.id`), if any.
    pub version: Option<i64>,
    /// `sent`, `signed`, `public_copy` or `extract`.
    pub kind: String,
    /// The paragraph of an extract.
    pub paragraph: Option<i64>,
    pub created_at: String,
}

impl ProtocolDocument {
    /// The kind as the verification page says it.
    pub fn kind_sv(&self) -> &'static str {
        match self.kind.as_str() {
            "sent" => "protokollet som det skickades för justering",
            "signed" => "det justerade protokollet (underskrivet)",
            "public_copy" => "offentlig kopia av det justerade protokollet",
            "extract" => "bestyrkt protokollsutdrag",
            _ => "protokollshandling",
        }
    }
}

fn row_to_document(r: &sqlx::any::AnyRow) -> Result<ProtocolDocument, StoreError> {
    Ok(ProtocolDocument {
        sha256: r.try_get("sha256")?,
        meeting: MeetingId(r.try_get("meeting_id")?),
        version: r.try_get("version_id")?,
        kind: r.try_get("kind")?,
        paragraph: r.try_get("paragraph")?,
        created_at: r.try_get("created_at")?,
    })
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Store {
    /// The stored protocol document with this SHA-256 (hex, any case), or
    /// `None`.
    pub async fn find_protocol_document(
        &self,
        sha256: &str,
    ) -> Result<Option<ProtocolDocument>, StoreError> {
        if !is_sha256_hex(sha256) {
            return Ok(None);
        }
        let row = sqlx::query("SELECT * FROM protocol_documents WHERE sha256 = $1")
            .bind(sha256.to_ascii_lowercase())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(row_to_document).transpose()
    }

    /// The newest stored document of `kind` for a meeting (for an extract:
    /// of that paragraph), with its bytes checked against the hash.
    pub async fn latest_protocol_document(
        &self,
        meeting: MeetingId,
        kind: &str,
        paragraph: Option<i64>,
    ) -> Result<Option<(ProtocolDocument, Vec<u8>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM protocol_documents WHERE meeting_id = $1 AND kind = $2 \
             ORDER BY created_at DESC, sha256",
        )
        .bind(meeting.0)
        .bind(kind)
        .fetch_all(self.pool())
        .await?;
        for row in &rows {
            let doc = row_to_document(row)?;
            if doc.paragraph != paragraph {
                continue;
            }
            let bytes = self.protocol_file(&doc.sha256).await?;
            return Ok(Some((doc, bytes)));
        }
        Ok(None)
    }

    /// The bytes stored under a SHA-256, checked against it.
    pub async fn protocol_file(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        let content: Option<String> =
            sqlx::query_scalar("SELECT content FROM file_contents WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(self.pool())
                .await?;
        let content = content.ok_or(StoreError::NotFound {
            what: "filen",
            id: sha256.to_string(),
        })?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(content)
            .map_err(|e| StoreError::Corrupt(format!("fil {sha256}: {e}")))?;
        if crate::access::sha256_hex(&bytes) != sha256 {
            return Err(StoreError::Corrupt(format!(
                "fil {sha256}: innehållet stämmer inte med kontrollsumman"
            )));
        }
        Ok(bytes)
    }
}

impl Tx {
    /// Stores a protocol PDF Kansli made (a certified extract, a sealed
    /// public copy): its bytes in `file_contents`, a `protocol_documents`
    /// row and an audit record with the SHA-256. Returns the SHA-256. The
    /// same bytes stored twice are one document (the second call changes
    /// nothing and writes no audit record), so a form sent twice is safe.
    pub async fn store_protocol_document(
        &mut self,
        meeting: MeetingId,
        kind: &str,
        paragraph: Option<i64>,
        version: Option<i64>,
        bytes: &[u8],
    ) -> Result<String, StoreError> {
        if !KINDS.contains(&kind) {
            return Err(StoreError::Corrupt(format!(
                "okänd sorts protokollshandling «{kind}»"
            )));
        }
        if bytes.is_empty() {
            return Err(kansli_core::Refusal::new("handlingen", "filen är tom").into());
        }
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM meetings WHERE id = $1")
            .bind(meeting.0)
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound {
                what: "sammanträdet",
                id: meeting.0.to_string(),
            });
        }
        let sha256 = crate::access::sha256_hex(bytes);
        let known: Option<i64> =
            sqlx::query_scalar("SELECT meeting_id FROM protocol_documents WHERE sha256 = $1")
                .bind(&sha256)
                .fetch_optional(&mut *self.tx)
                .await?;
        if let Some(other) = known {
            if other != meeting.0 {
                return Err(StoreError::Corrupt(format!(
                    "handlingen {sha256} finns redan för sammanträde {other}"
                )));
            }
            return Ok(sha256);
        }
        self.keep_file_content(&sha256, bytes).await?;
        sqlx::query(
            "INSERT INTO protocol_documents (sha256, meeting_id, version_id, kind, paragraph, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&sha256)
        .bind(meeting.0)
        .bind(version)
        .bind(kind)
        .bind(paragraph)
        .bind(self.now.clone())
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            &format!("store_{kind}"),
            "meeting",
            Some(meeting.0),
            json!({"sha256": sha256, "kind": kind, "paragraph": paragraph, "size": bytes.len()}),
        )
        .await?;
        Ok(sha256)
    }
}
