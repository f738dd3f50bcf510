//! Files attached to a case's documents (the motion as sent in, a scanned
//! letter). Each file is kept once per content hash (SHA-256), which is also
//! what the register shows, so a copy can be checked against it.

use crate::{Store, StoreError, Tx};
use base64::Engine;
use kansli_core::{AttachmentId, DocumentId, Refusal};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// The largest file accepted.
pub const MAX_FILE_BYTES: usize = 25 * 1024 * 1024;

/// A file attached to a document.
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub id: AttachmentId,
    pub document: DocumentId,
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub size: i64,
    pub added_at: String,
}

/// The media type a file name says, for the kinds a registry receives.
pub fn media_type_of(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("pdf") => "application/pdf",
        Some("txt") => "text/plain; charset=utf-8",
        Some("odt") => "application/vnd.oasis.opendocument.text",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        _ => "application/octet-stream",
    }
}

fn attachment_row(r: &sqlx::any::AnyRow) -> Result<Attachment, StoreError> {
    Ok(Attachment {
        id: AttachmentId(r.try_get("id")?),
        document: DocumentId(r.try_get("document_id")?),
        file_name: r.try_get("file_name")?,
        media_type: r.try_get("media_type")?,
        sha256: r.try_get("sha256")?,
        size: r.try_get("size")?,
        added_at: r.try_get("added_at")?,
    })
}

impl Tx {
    /// Attaches a file to a document. An empty file, one over
    /// [`MAX_FILE_BYTES`], or a "PDF" that is not one is refused.
    pub async fn attach_file(
        &mut self,
        document: DocumentId,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<AttachmentId, StoreError> {
        let name = file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let at = format!("filen «{name}»");
        if name.is_empty() {
            return Err(Refusal::new("filen", "filnamn saknas").into());
        }
        kansli_core::limits::check("filnamn", kansli_core::limits::Kind::Name, &name)?;
        if bytes.is_empty() {
            return Err(Refusal::new(at, "filen är tom").into());
        }
        if bytes.len() > MAX_FILE_BYTES {
            return Err(Refusal::new(
                at,
                format!("filen är större än {} MB", MAX_FILE_BYTES / 1024 / 1024),
            )
            .into());
        }
        let media_type = media_type_of(&name);
        if media_type == "application/pdf" && !bytes.starts_with(b"%PDF-") {
            return Err(Refusal::new(at, "filen heter .pdf men är ingen PDF").into());
        }
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM documents WHERE id = $1")
            .bind(document.0)
            .fetch_optional(&mut *self.tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound {
                what: "handlingen",
                id: document.to_string(),
            });
        }
        let sha256 = crate::access::sha256_hex(bytes);
        let stored: Option<String> =
            sqlx::query_scalar("SELECT sha256 FROM file_contents WHERE sha256 = $1")
                .bind(&sha256)
                .fetch_optional(&mut *self.tx)
                .await?;
        if stored.is_none() {
            sqlx::query("INSERT INTO file_contents (sha256, size, content) VALUES ($1, $2, $3)")
                .bind(&sha256)
                .bind(bytes.len() as i64)
                .bind(base64::engine::general_purpose::STANDARD.encode(bytes))
                .execute(&mut *self.tx)
                .await?;
        }
        let id = self.next_id("attachments").await?;
        sqlx::query(
            "INSERT INTO attachments (id, document_id, file_name, media_type, sha256, size, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(document.0)
        .bind(&name)
        .bind(media_type)
        .bind(&sha256)
        .bind(bytes.len() as i64)
        .bind(self.now.clone())
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "attach",
            "document",
            Some(document.0),
            json!({"file": name, "sha256": sha256, "size": bytes.len()}),
        )
        .await?;
        Ok(AttachmentId(id))
    }
}

impl Store {
    /// The files of a document, oldest first.
    pub async fn attachments(&self, document: DocumentId) -> Result<Vec<Attachment>, StoreError> {
        let rows = sqlx::query("SELECT * FROM attachments WHERE document_id = $1 ORDER BY id")
            .bind(document.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(attachment_row).collect()
    }

    /// Whether a document is public or secret (with its ground).
    pub async fn document_access(
        &self,
        document: DocumentId,
    ) -> Result<kansli_core::Access, StoreError> {
        let ground: Option<Option<String>> =
            sqlx::query_scalar("SELECT secrecy_ground FROM documents WHERE id = $1")
                .bind(document.0)
                .fetch_optional(self.pool())
                .await?;
        match ground {
            Some(g) => Ok(crate::read::access_from_column(g)),
            None => Err(StoreError::NotFound {
                what: "handlingen",
                id: document.to_string(),
            }),
        }
    }

    /// One file with its content, checked against its hash.
    pub async fn attachment(&self, id: AttachmentId) -> Result<(Attachment, Vec<u8>), StoreError> {
        let row = sqlx::query("SELECT * FROM attachments WHERE id = $1")
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound {
                what: "filen",
                id: id.to_string(),
            })?;
        let a = attachment_row(&row)?;
        let content: String =
            sqlx::query_scalar("SELECT content FROM file_contents WHERE sha256 = $1")
                .bind(&a.sha256)
                .fetch_one(self.pool())
                .await?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(content)
            .map_err(|e| StoreError::Corrupt(format!("fil {id}: {e}")))?;
        if crate::access::sha256_hex(&bytes) != a.sha256 {
            return Err(StoreError::Corrupt(format!(
                "fil {id}: innehållet stämmer inte med kontrollsumman"
            )));
        }
        Ok((a, bytes))
    }
}
