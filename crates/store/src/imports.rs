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
        self.keep_file_content(&sha256, &source.bytes).await?;
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

/// What lists need of an imported meeting (no warnings, no bytes).
#[derive(Debug, Clone, Serialize)]
pub struct ImportMark {
    pub meeting: MeetingId,
    pub sha256: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub imported_at: String,
    pub reviewed_at: Option<String>,
    /// The meeting has a secret agenda item or paragraph: the original
    /// (which would show it) is not for the public.
    pub has_secret: bool,
}

/// The body a correction puts an imported meeting in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrganChoice {
    /// The body it is in.
    Keep,
    /// Another body of the same organisation (the reader took the wrong one).
    Existing(kansli_core::BodyId),
    /// The body it is in, renamed (the reader misread the name of a body it
    /// created); every meeting of the body carries the new name.
    Rename(String),
}

/// A secretary's correction of what the reader read: organ, date, chair,
/// approvers and paragraph headings. Whatever is left as it is stays.
#[derive(Debug, Clone)]
pub struct ImportCorrection {
    pub organ: OrganChoice,
    pub date: kansli_core::Date,
    pub chair: Option<kansli_core::PersonId>,
    pub approvers: Vec<kansli_core::PersonId>,
    /// Paragraph number and its heading.
    pub titles: Vec<(u32, String)>,
}

const MARK_SQL: &str = "SELECT mi.meeting_id, mi.sha256, mi.file_name, mi.media_type, mi.size, \
     mi.imported_at, mi.reviewed_at, \
     CAST(CASE WHEN EXISTS (SELECT 1 FROM agenda_items a WHERE a.meeting_id = mi.meeting_id \
     AND a.secrecy_ground IS NOT NULL) OR EXISTS (SELECT 1 FROM paragraphs p \
     WHERE p.meeting_id = mi.meeting_id AND p.secrecy_ground IS NOT NULL) THEN 1 ELSE 0 END AS BIGINT) \
     AS has_secret FROM meeting_imports mi";

fn mark(r: &sqlx::any::AnyRow) -> Result<ImportMark, StoreError> {
    let secret: i64 = r.try_get("has_secret")?;
    Ok(ImportMark {
        meeting: MeetingId(r.try_get("meeting_id")?),
        sha256: r.try_get("sha256")?,
        file_name: r.try_get("file_name")?,
        media_type: r.try_get("media_type")?,
        size: r.try_get("size")?,
        imported_at: r.try_get("imported_at")?,
        reviewed_at: r.try_get("reviewed_at")?,
        has_secret: secret != 0,
    })
}

impl Store {
    /// The mark of every imported meeting, for lists (one query).
    pub async fn import_marks(
        &self,
    ) -> Result<std::collections::HashMap<MeetingId, ImportMark>, StoreError> {
        let rows = sqlx::query(MARK_SQL).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| mark(r).map(|m| (m.meeting, m)))
            .collect()
    }

    /// The mark of one imported meeting.
    pub async fn import_mark(&self, meeting: MeetingId) -> Result<Option<ImportMark>, StoreError> {
        let sql = format!("{MARK_SQL} WHERE mi.meeting_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(meeting.0)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(mark).transpose()
    }
}

impl Tx {
    /// Corrects what the reader read of an imported meeting, in this
    /// transaction: checked as a whole (the field named in Swedish when
    /// refused), written, and logged with what changed from what. Returns
    /// the Swedish names of the fields that changed; nothing changed,
    /// nothing is written.
    pub async fn correct_import(
        &mut self,
        meeting: MeetingId,
        c: &ImportCorrection,
    ) -> Result<Vec<&'static str>, StoreError> {
        use kansli_core::Refusal;
        use kansli_core::limits::{self, Kind};
        if self.import_by_sha256_of(meeting).await?.is_none() {
            return Err(StoreError::NotFound {
                what: "det inlästa sammanträdet",
                id: meeting.to_string(),
            });
        }
        crate::protocols::frozen(&mut self.tx, meeting).await?;
        let before = crate::read::meeting_record_in(&mut self.tx, meeting).await?;
        let old_body = crate::read::body_in(&mut self.tx, before.meeting.body).await?;
        let mut changed: Vec<&'static str> = Vec::new();
        let mut detail = serde_json::Map::new();

        // The organ.
        let mut rename: Option<String> = None;
        let body = match &c.organ {
            OrganChoice::Keep => old_body.clone(),
            OrganChoice::Existing(id) if *id == old_body.id => old_body.clone(),
            OrganChoice::Existing(id) => {
                let b = crate::read::body_in(&mut self.tx, *id).await?;
                if b.organisation != old_body.organisation {
                    return Err(
                        Refusal::new("organ", "organet hör inte till samma organisation").into(),
                    );
                }
                b
            }
            OrganChoice::Rename(name) => {
                let name = name.trim();
                if name.is_empty() {
                    return Err(Refusal::new("organ", "ange organets namn").into());
                }
                limits::check("organ", Kind::Name, name)?;
                if name == old_body.name {
                    old_body.clone()
                } else {
                    if let Some(other) = self.body_named(old_body.organisation, name).await? {
                        return Err(Refusal::new(
                            "organ",
                            format!(
                                "organisationen har redan ett organ som heter «{}»; välj det i listan i stället",
                                other.name
                            ),
                        )
                        .into());
                    }
                    rename = Some(name.to_string());
                    kansli_core::org::Body {
                        name: name.to_string(),
                        ..old_body.clone()
                    }
                }
            }
        };
        if body.id != old_body.id || body.name != old_body.name {
            changed.push("organ");
            detail.insert(
                "organ".into(),
                json!({"from": old_body.name, "to": body.name}),
            );
        }

        // The date: the status's dates must still follow it.
        if c.date != before.meeting.date {
            before
                .meeting
                .status
                .check_dates(c.date)
                .map_err(|r| Refusal::new("sammanträdesdatum", r.reason))?;
            changed.push("sammanträdesdatum");
            detail.insert(
                "date".into(),
                json!({"from": before.meeting.date.to_string(), "to": c.date.to_string()}),
            );
        }
        if (c.date != before.meeting.date || body.id != old_body.id)
            && let Some(other) = self.meeting_on(body.id, c.date).await?
            && other != meeting
        {
            return Err(Refusal::new(
                "sammanträdesdatum",
                format!(
                    "{} har redan ett sammanträde {} (sammanträde {other})",
                    body.name, c.date
                ),
            )
            .into());
        }
        // Paragraph numbers are unique per body and year.
        if body.id != old_body.id || c.date.year() != before.meeting.date.year() {
            let taken: Vec<i64> = sqlx::query_scalar(
                "SELECT number FROM paragraphs WHERE body_id = $1 AND year = $2 AND meeting_id <> $3",
            )
            .bind(body.id.0)
            .bind(c.date.year() as i64)
            .bind(meeting.0)
            .fetch_all(&mut *self.tx)
            .await?;
            if let Some(p) = before
                .paragraphs()
                .find(|p| taken.contains(&(p.number as i64)))
            {
                return Err(Refusal::new(
                    "organ",
                    format!(
                        "§{} år {} finns redan i ett annat protokoll från {}",
                        p.number,
                        c.date.year(),
                        body.name
                    ),
                )
                .into());
            }
        }

        // The chair and the approvers: among those present.
        let names = {
            let mut ids: Vec<kansli_core::PersonId> =
                before.attendance.iter().map(|a| a.person).collect();
            ids.extend(before.meeting.chair);
            ids.extend(before.meeting.approvers.iter().copied());
            ids.sort();
            ids.dedup();
            self.person_names(&ids).await?
        };
        let name_of = |p: &kansli_core::PersonId| {
            names
                .get(p)
                .cloned()
                .unwrap_or_else(|| format!("person {p}"))
        };
        let present = |p: &kansli_core::PersonId| before.attendance.iter().any(|a| a.person == *p);
        if let Some(chair) = &c.chair
            && !present(chair)
        {
            return Err(Refusal::new(
                "ordförande",
                "välj ordföranden bland de närvarande i protokollet",
            )
            .into());
        }
        if c.chair != before.meeting.chair {
            changed.push("ordförande");
            detail.insert(
                "chair".into(),
                json!({"from": before.meeting.chair.as_ref().map(name_of),
                       "to": c.chair.as_ref().map(name_of)}),
            );
        }
        let mut approvers: Vec<kansli_core::PersonId> = Vec::new();
        for a in &c.approvers {
            if !approvers.contains(a) {
                approvers.push(*a);
            }
        }
        limits::check_count("justerare", approvers.len())?;
        if let Some(a) = approvers.iter().find(|a| !present(a)) {
            return Err(Refusal::new(
                "justerare",
                format!(
                    "{} finns inte bland de närvarande i protokollet",
                    name_of(a)
                ),
            )
            .into());
        }
        if c.chair.is_some_and(|ch| approvers.contains(&ch)) {
            return Err(Refusal::new(
                "justerare",
                "ordföranden justerar redan; välj andra justerare",
            )
            .into());
        }
        if approvers != before.meeting.approvers {
            changed.push("justerare");
            detail.insert(
                "approvers".into(),
                json!({"from": before.meeting.approvers.iter().map(name_of).collect::<Vec<_>>(),
                       "to": approvers.iter().map(name_of).collect::<Vec<_>>()}),
            );
        }

        // The headings.
        let mut record = before.clone();
        let mut titles = Vec::new();
        for (number, title) in &c.titles {
            let at = format!("rubrik §{number}");
            let title = title.trim();
            if title.is_empty() {
                return Err(Refusal::new(at, "rubriken får inte vara tom").into());
            }
            limits::check(&at, Kind::Title, title)?;
            let item = record
                .items
                .iter_mut()
                .find(|i| i.paragraph.as_ref().is_some_and(|p| p.number == *number))
                .ok_or_else(|| Refusal::new(at.clone(), "paragrafen finns inte i protokollet"))?;
            let p = item.paragraph.as_mut().expect("found by its paragraph");
            if p.title != title {
                titles.push(json!({"paragraph": number, "from": p.title, "to": title}));
                p.title = title.to_string();
                item.title = title.to_string();
            }
        }
        if !titles.is_empty() {
            changed.push("rubriker");
            detail.insert("titles".into(), serde_json::Value::Array(titles));
        }
        if changed.is_empty() {
            return Ok(changed);
        }

        record.meeting.body = body.id;
        record.meeting.date = c.date;
        record.meeting.chair = c.chair;
        record.meeting.approvers = approvers;
        kansli_core::validate::check_meeting_record(&record, &body).map_err(StoreError::Refused)?;
        if let Some(name) = &rename {
            sqlx::query("UPDATE bodies SET name = $2 WHERE id = $1")
                .bind(body.id.0)
                .bind(name)
                .execute(&mut *self.tx)
                .await?;
        }
        sqlx::query("UPDATE meetings SET body_id = $2, date = $3, chair_id = $4 WHERE id = $1")
            .bind(meeting.0)
            .bind(body.id.0)
            .bind(c.date.to_string())
            .bind(c.chair.map(|p| p.0))
            .execute(&mut *self.tx)
            .await?;
        self.clear_content(meeting.0).await?;
        self.write_content(meeting.0, &body, &record).await?;
        self.audit(
            "import_correction",
            "meeting",
            Some(meeting.0),
            serde_json::Value::Object(detail),
        )
        .await?;
        Ok(changed)
    }

    /// Marks an imported meeting's warnings as reviewed (once; a second
    /// time changes nothing). Returns whether it was marked now.
    pub async fn mark_import_reviewed(&mut self, meeting: MeetingId) -> Result<bool, StoreError> {
        let Some(sha256) = self.import_by_sha256_of(meeting).await? else {
            return Err(StoreError::NotFound {
                what: "det inlästa sammanträdet",
                id: meeting.to_string(),
            });
        };
        let done = sqlx::query(
            "UPDATE meeting_imports SET reviewed_at = $2 WHERE meeting_id = $1 AND reviewed_at IS NULL",
        )
        .bind(meeting.0)
        .bind(self.now.clone())
        .execute(&mut *self.tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Ok(false);
        }
        self.audit(
            "import_reviewed",
            "meeting",
            Some(meeting.0),
            json!({"sha256": sha256}),
        )
        .await?;
        Ok(true)
    }

    /// The names of these persons, in this transaction.
    async fn person_names(
        &mut self,
        ids: &[kansli_core::PersonId],
    ) -> Result<std::collections::HashMap<kansli_core::PersonId, String>, StoreError> {
        let mut out = std::collections::HashMap::new();
        for id in ids {
            let name: Option<String> = sqlx::query_scalar("SELECT name FROM persons WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *self.tx)
                .await?;
            out.extend(name.map(|n| (*id, n)));
        }
        Ok(out)
    }

    /// The SHA-256 of the file a meeting was imported from, in this
    /// transaction.
    async fn import_by_sha256_of(
        &mut self,
        meeting: MeetingId,
    ) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT sha256 FROM meeting_imports WHERE meeting_id = $1")
                .bind(meeting.0)
                .fetch_optional(&mut *self.tx)
                .await?,
        )
    }
}
