//! Meetings read from an existing protocol: the source file (kept by its
//! SHA-256, served as the original), the reader's warnings and the
//! import's notes. A file is imported once; its hash is the key.

use crate::{Store, StoreError, Tx};
use base64::Engine;
use kansli_core::MeetingId;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// What the reader could not read, at a line of the source.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ImportWarning {
    pub line: usize,
    pub message: String,
}

/// The source file to keep with an imported meeting.
#[derive(Debug, Clone)]
pub struct ImportSource {
    /// The file's name as given (no directories).
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub warnings: Vec<ImportWarning>,
    pub notes: Vec<String>,
}

/// An imported meeting's record.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRecord {
    pub sha256: String,
    pub meeting: MeetingId,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub warnings: Vec<ImportWarning>,
    pub notes: Vec<String>,
    pub imported_at: String,
    pub reviewed_at: Option<String>,
}

fn media_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"%PDF") {
        "application/pdf"
    } else {
        "text/plain; charset=utf-8"
    }
}

fn record(r: &sqlx::any::AnyRow) -> Result<ImportRecord, StoreError> {
    let warnings: String = r.try_get("warnings")?;
    let notes: String = r.try_get("notes")?;
    Ok(ImportRecord {
        sha256: r.try_get("sha256")?,
        meeting: MeetingId(r.try_get("meeting_id")?),
        file_name: r.try_get("file_name")?,
        media_type: r.try_get("media_type")?,
        size: r.try_get("size")?,
        warnings: serde_json::from_str(&warnings).unwrap_or_default(),
        notes: serde_json::from_str(&notes).unwrap_or_default(),
        imported_at: r.try_get("imported_at")?,
        reviewed_at: r.try_get("reviewed_at")?,
    })
}

impl Tx {
    /// Records that `meeting` was read from `source`, in the import's
    /// transaction. A file already imported is refused
    /// ([`StoreError::Conflict`]), so two runs cannot import it twice.
    pub async fn record_import(
        &mut self,
        meeting: MeetingId,
        source: &ImportSource,
    ) -> Result<String, StoreError> {
        let sha256 = crate::access::sha256_hex(&source.bytes);
        if let Some(existing) = self.import_by_sha256(&sha256).await? {
            return Err(StoreError::Conflict(format!(
                "filen är redan inläst som sammanträde {}",
                existing
            )));
        }
        let stored: Option<String> =
            sqlx::query_scalar("SELECT sha256 FROM file_contents WHERE sha256 = $1")
                .bind(&sha256)
                .fetch_optional(&mut *self.tx)
                .await?;
        if stored.is_none() {
            sqlx::query("INSERT INTO file_contents (sha256, size, content) VALUES ($1, $2, $3)")
                .bind(&sha256)
                .bind(source.bytes.len() as i64)
                .bind(base64::engine::general_purpose::STANDARD.encode(&source.bytes))
                .execute(&mut *self.tx)
                .await?;
        }
        let name = source
            .file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .to_string();
        sqlx::query(
            "INSERT INTO meeting_imports (sha256, meeting_id, file_name, media_type, size, \
             warnings, notes, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&sha256)
        .bind(meeting.0)
        .bind(&name)
        .bind(media_type(&source.bytes))
        .bind(source.bytes.len() as i64)
        .bind(serde_json::to_string(&source.warnings).expect("plain data"))
        .bind(serde_json::to_string(&source.notes).expect("plain data"))
        .bind(self.now.clone())
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "import",
            "meeting",
            Some(meeting.0),
            json!({"file": name, "sha256": sha256, "warnings": source.warnings.len()}),
        )
        .await?;
        Ok(sha256)
    }

    /// The meeting a file (by SHA-256) was imported as, in this transaction.
    pub async fn import_by_sha256(
        &mut self,
        sha256: &str,
    ) -> Result<Option<MeetingId>, StoreError> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT meeting_id FROM meeting_imports WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(id.map(MeetingId))
    }
}

impl Store {
    /// The import of a file, by its SHA-256 (lower-case hex).
    pub async fn import_by_sha256(&self, sha256: &str) -> Result<Option<ImportRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM meeting_imports WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(record).transpose()
    }

    /// Whether and from what a meeting was imported.
    pub async fn import_of(&self, meeting: MeetingId) -> Result<Option<ImportRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM meeting_imports WHERE meeting_id = $1")
            .bind(meeting.0)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(record).transpose()
    }

    /// Every import, newest first.
    pub async fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM meeting_imports ORDER BY imported_at DESC, meeting_id DESC")
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(record).collect()
    }

    /// The SHA-256 of every imported file (a bulk run skips these).
    pub async fn imported_hashes(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let rows: Vec<String> = sqlx::query_scalar("SELECT sha256 FROM meeting_imports")
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// The source file of an imported meeting, checked against its hash.
    pub async fn import_source(
        &self,
        meeting: MeetingId,
    ) -> Result<Option<(ImportRecord, Vec<u8>)>, StoreError> {
        let Some(rec) = self.import_of(meeting).await? else {
            return Ok(None);
        };
        let content: String =
            sqlx::query_scalar("SELECT content FROM file_contents WHERE sha256 = $1")
                .bind(&rec.sha256)
                .fetch_one(self.pool())
                .await?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(content.as_bytes())
            .map_err(|e| StoreError::Corrupt(format!("källfilen {}: {e}", rec.sha256)))?;
        if crate::access::sha256_hex(&bytes) != rec.sha256 {
            return Err(StoreError::Corrupt(format!(
                "källfilen till sammanträde {} stämmer inte med sin SHA-256",
                meeting
            )));
        }
        Ok(Some((rec, bytes)))
    }
}
