//! Signed protocols: freeze, then sign.
//!
//! When the secretary sends a held meeting's protocol for justering, the PDF
//! is rendered once and stored as a *version* (`protocol_versions`, bytes in
//! `file_contents`); from then on nothing in the protocol may change
//! ([`frozen`] refuses every edit) until the sending is withdrawn, which
//! voids the signatures given so far (they stay, shown as void). Each
//! signatory's signature appends to the bytes (an incremental update) and is
//! a row of `protocol_signatures`; the last one makes the protocol justerat.
//! The protocol is justerat by the chair and the appointed approvers
//! (KL 5 kap. 69 §, 6 kap. 35 §); the secretary does not justera, and
//! Kansli's routine does not have the secretary sign the protocol (the
//! secretary's signature certifies extracts instead).

use crate::{Store, StoreError, Tx, User};
use base64::Engine;
use kansli_core::limits::{self, Kind};
use kansli_core::meeting::{Meeting, MeetingStatus};
use kansli_core::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;

/// The role in which the chair signs.
pub const CHAIR: &str = "ordförande";
/// The role in which an appointed approver signs.
pub const APPROVER: &str = "justerare";

/// How long a re-authentication counts as fresh for a signature.
pub const FRESH_AUTHENTICATION: jiff::SignedDuration = jiff::SignedDuration::from_secs(5 * 60);

/// One who is to sign a version, in the order of the Intyg page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtocolSignatory {
    pub person: i64,
    pub name: String,
    pub role: String,
}

/// One signature given on a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtocolSignature {
    pub person: PersonId,
    pub role: String,
    pub user: UserId,
    /// The time in the signature's `/M`.
    pub signed_at: String,
    pub authenticated_at: String,
    /// SHA-256 of the whole file after this signature.
    pub signed_sha256: String,
    /// The file's size after this signature (signatures are appended, so
    /// a later one is longer).
    pub size: i64,
}

/// A version of a protocol as sent for justering, with its signatures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtocolVersion {
    pub id: i64,
    pub meeting: MeetingId,
    pub version: u32,
    pub sent_sha256: String,
    pub content_sha256: String,
    pub signatories: Vec<ProtocolSignatory>,
    pub sent_at: String,
    pub sent_by: UserId,
    pub withdrawn_at: Option<String>,
    pub withdrawn_by: Option<UserId>,
    pub withdrawn_reason: Option<String>,
    /// Oldest first. Void when the version is withdrawn.
    pub signatures: Vec<ProtocolSignature>,
}

impl ProtocolVersion {
    pub fn is_active(&self) -> bool {
        self.withdrawn_at.is_none()
    }

    pub fn signature_of(&self, person: PersonId) -> Option<&ProtocolSignature> {
        self.signatures.iter().find(|s| s.person == person)
    }

    /// Every signatory has signed.
    pub fn complete(&self) -> bool {
        !self.signatories.is_empty()
            && self
                .signatories
                .iter()
                .all(|s| self.signature_of(PersonId(s.person)).is_some())
    }

    /// SHA-256 of the bytes as they are now: after the latest signature, or
    /// as sent.
    pub fn latest_sha256(&self) -> &str {
        self.signatures
            .iter()
            .max_by_key(|s| s.size)
            .map(|s| s.signed_sha256.as_str())
            .unwrap_or(&self.sent_sha256)
    }
}

/// The active version of a meeting's protocol with its latest bytes.
#[derive(Debug, Clone)]
pub struct ProtocolSigning {
    pub version: ProtocolVersion,
    /// The bytes after the latest signature (or as sent), checked against
    /// their SHA-256.
    pub bytes: Vec<u8>,
    pub sha256: String,
}

/// The signed original of a justerat protocol.
#[derive(Debug, Clone)]
pub struct SignedProtocol {
    pub version: ProtocolVersion,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

/// What a signature achieved.
#[derive(Debug, Clone)]
pub struct SignOutcome {
    /// SHA-256 of the file after the signature.
    pub sha256: String,
    /// The signature was the last one: the protocol is justerat.
    pub complete: bool,
}

/// SHA-256 (hex) of what the signatories approve in a protocol: the
/// meeting's body, date, times, place, chair, secretary, approvers and
/// approval place, its agenda with every paragraph (decisions, proposals,
/// votes, reservations, prose) and its attendance. Not the status or the
/// dates of justering and anslag, which legitimately change later.
/// Published as `kansli_documents::content_digest`.
pub fn content_digest(record: &kansli_core::meeting::MeetingRecord) -> String {
    let m = &record.meeting;
    let canonical = json!({
        "meeting": m.id,
        "body": m.body,
        "date": m.date,
        "starts": m.starts,
        "ends": m.ends,
        "place": m.place,
        "chair": m.chair,
        "secretary": m.secretary,
        "approvers": m.approvers,
        "approval_place": m.approval_place,
        "attendance_complete": m.attendance_complete,
        "items": record.items,
        "attendance": record.attendance,
    });
    crate::access::sha256_hex(canonical.to_string().as_bytes())
}

fn refusal(reason: impl Into<String>) -> StoreError {
    Refusal::new("justeringen", reason.into()).into()
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Who is to sign a meeting's protocol: the chair (ordförande), then the
/// appointed approvers (justerare), KL 5 kap. 69 §, 6 kap. 35 §.
pub(crate) async fn signatories_in(
    conn: &mut sqlx::AnyConnection,
    m: &Meeting,
) -> Result<Vec<ProtocolSignatory>, StoreError> {
    let mut out: Vec<ProtocolSignatory> = Vec::new();
    let mut wanted: Vec<(PersonId, &str)> = m.chair.into_iter().map(|c| (c, CHAIR)).collect();
    for a in &m.approvers {
        if !wanted.iter().any(|(p, _)| p == a) {
            wanted.push((*a, APPROVER));
        }
    }
    for (person, role) in wanted {
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM persons WHERE id = $1")
            .bind(person.0)
            .fetch_optional(&mut *conn)
            .await?;
        out.push(ProtocolSignatory {
            person: person.0,
            name: name.unwrap_or_else(|| format!("person {person}")),
            role: role.into(),
        });
    }
    Ok(out)
}

fn version_row(row: &sqlx::any::AnyRow) -> Result<ProtocolVersion, StoreError> {
    Ok(ProtocolVersion {
        id: row.try_get("id")?,
        meeting: MeetingId(row.try_get("meeting_id")?),
        version: row.try_get::<i64, _>("version")? as u32,
        sent_sha256: row.try_get("sent_sha256")?,
        content_sha256: row.try_get("content_sha256")?,
        signatories: serde_json::from_str(&row.try_get::<String, _>("signatories")?)?,
        sent_at: row.try_get("sent_at")?,
        sent_by: UserId(row.try_get("sent_by")?),
        withdrawn_at: row.try_get("withdrawn_at")?,
        withdrawn_by: row.try_get::<Option<i64>, _>("withdrawn_by")?.map(UserId),
        withdrawn_reason: row.try_get("withdrawn_reason")?,
        signatures: vec![],
    })
}

async fn with_signatures(
    conn: &mut sqlx::AnyConnection,
    mut v: ProtocolVersion,
) -> Result<ProtocolVersion, StoreError> {
    let rows = sqlx::query(
        "SELECT s.person_id, s.role, s.user_id, s.signed_at, s.authenticated_at, s.signed_sha256, f.size \
         FROM protocol_signatures s JOIN file_contents f ON f.sha256 = s.signed_sha256 \
         WHERE s.version_id = $1 ORDER BY f.size",
    )
    .bind(v.id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        v.signatures.push(ProtocolSignature {
            person: PersonId(r.try_get("person_id")?),
            role: r.try_get("role")?,
            user: UserId(r.try_get("user_id")?),
            signed_at: r.try_get("signed_at")?,
            authenticated_at: r.try_get("authenticated_at")?,
            signed_sha256: r.try_get("signed_sha256")?,
            size: r.try_get("size")?,
        });
    }
    Ok(v)
}

/// All versions of a meeting's protocol, oldest first, with signatures.
pub(crate) async fn versions_in(
    conn: &mut sqlx::AnyConnection,
    meeting: MeetingId,
) -> Result<Vec<ProtocolVersion>, StoreError> {
    let rows =
        sqlx::query("SELECT * FROM protocol_versions WHERE meeting_id = $1 ORDER BY version")
            .bind(meeting.0)
            .fetch_all(&mut *conn)
            .await?;
    let mut out = Vec::new();
    for r in &rows {
        let v = version_row(r)?;
        out.push(with_signatures(conn, v).await?);
    }
    Ok(out)
}

/// The version that is sent and not withdrawn, if any.
pub(crate) async fn active_in(
    conn: &mut sqlx::AnyConnection,
    meeting: MeetingId,
) -> Result<Option<ProtocolVersion>, StoreError> {
    let row = sqlx::query(
        "SELECT * FROM protocol_versions WHERE meeting_id = $1 AND withdrawn_at IS NULL \
         ORDER BY version DESC LIMIT 1",
    )
    .bind(meeting.0)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(r) => {
            let v = version_row(&r)?;
            Ok(Some(with_signatures(conn, v).await?))
        }
        None => Ok(None),
    }
}

/// Refuses any change to a protocol that is sent for justering: the bytes
/// the signatories sign must say what the rows say (issue #16, item 1).
pub(crate) async fn frozen(
    conn: &mut sqlx::AnyConnection,
    meeting: MeetingId,
) -> Result<(), StoreError> {
    let active: Option<i64> = sqlx::query_scalar(
        "SELECT version FROM protocol_versions WHERE meeting_id = $1 AND withdrawn_at IS NULL",
    )
    .bind(meeting.0)
    .fetch_optional(&mut *conn)
    .await?;
    match active {
        Some(v) => Err(Refusal::new(
            "protokollet",
            format!(
                "{FROZEN} (version {v}) och kan inte ändras; återkalla utskicket för att ändra"
            ),
        )
        .into()),
        None => Ok(()),
    }
}

/// The start of [`frozen`]'s reason.
const FROZEN: &str = "protokollet är skickat för justering";

/// Whether a refusal is [`frozen`]'s: an attempt to change a protocol that
/// is out for signatures, which the web layer writes to the meeting's log
/// like an attempt on a justerat one.
pub fn is_frozen_refusal(e: &StoreError) -> bool {
    matches!(e, StoreError::Refused(r) if r.iter().any(|x| x.reason.starts_with(FROZEN)))
}

/// A stored file's bytes, checked against their SHA-256.
pub(crate) async fn file_in(
    conn: &mut sqlx::AnyConnection,
    sha256: &str,
) -> Result<Vec<u8>, StoreError> {
    let content: Option<String> =
        sqlx::query_scalar("SELECT content FROM file_contents WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&mut *conn)
            .await?;
    let content = content.ok_or_else(|| {
        StoreError::Corrupt(format!("filen med SHA-256 {sha256} saknas i databasen"))
    })?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content)
        .map_err(|e| StoreError::Corrupt(format!("filen med SHA-256 {sha256}: {e}")))?;
    if crate::access::sha256_hex(&bytes) != sha256 {
        return Err(StoreError::Corrupt(format!(
            "filen med SHA-256 {sha256}: innehållet stämmer inte med kontrollsumman"
        )));
    }
    Ok(bytes)
}

impl Tx {
    /// Writes a found mismatch (stored bytes or rows that no longer give
    /// what was signed) to the meeting's log.
    pub async fn log_integrity(
        &mut self,
        meeting: MeetingId,
        detail: serde_json::Value,
    ) -> Result<(), StoreError> {
        self.audit("integrity", "meeting", Some(meeting.0), detail)
            .await
    }

    async fn put_file(&mut self, bytes: &[u8]) -> Result<String, StoreError> {
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
        Ok(sha256)
    }

    async fn add_protocol_document(
        &mut self,
        sha256: &str,
        meeting: MeetingId,
        version: i64,
        kind: &str,
    ) -> Result<(), StoreError> {
        let known: Option<String> =
            sqlx::query_scalar("SELECT kind FROM protocol_documents WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(&mut *self.tx)
                .await?;
        if known.is_some() {
            return Err(StoreError::Conflict(format!(
                "en protokollfil med SHA-256 {sha256} finns redan"
            )));
        }
        sqlx::query(
            "INSERT INTO protocol_documents (sha256, meeting_id, version_id, kind, paragraph, created_at) \
             VALUES ($1, $2, $3, $4, NULL, $5)",
        )
        .bind(sha256)
        .bind(meeting.0)
        .bind(version)
        .bind(kind)
        .bind(&self.now)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Sends a held meeting's protocol for justering: `pdf` is the protocol
    /// as rendered once, with its Intyg page and an empty signature field
    /// per signatory (`kansli_sign::prepare`); `content_sha256` is the
    /// digest of the content it shows (`kansli_documents::content_digest`).
    /// Only when the meeting is held, approvers are appointed
    /// (KL 5 kap. 69 §, 6 kap. 35 §), `signatories` are its chair and
    /// approvers, and no version is active. From then on the protocol is
    /// frozen.
    pub async fn send_for_justering(
        &mut self,
        meeting: MeetingId,
        pdf: &[u8],
        content_sha256: &str,
        signatories: &[ProtocolSignatory],
        user: &User,
    ) -> Result<ProtocolVersion, StoreError> {
        let m = crate::read::meeting_in(&mut self.tx, meeting).await?;
        if m.status.is_sealed() {
            return Err(StoreError::Sealed(format!(
                "sammanträdet {} är justerat",
                m.date
            )));
        }
        if m.status != MeetingStatus::Held {
            return Err(refusal("sammanträdet är inte avslutat"));
        }
        if m.chair.is_none() {
            return Err(refusal("sammanträdet har ingen ordförande"));
        }
        if m.approvers.is_empty() {
            return Err(refusal("inga justerare är utsedda"));
        }
        if let Some(v) = active_in(&mut self.tx, meeting).await? {
            return Err(refusal(format!(
                "protokollet är redan skickat för justering (version {}); återkalla utskicket för att skicka det igen",
                v.version
            )));
        }
        let expected = signatories_in(&mut self.tx, &m).await?;
        if signatories != expected.as_slice() {
            return Err(refusal(
                "undertecknarna stämmer inte med sammanträdets ordförande och justerare",
            ));
        }
        if !pdf.starts_with(b"%PDF-") {
            return Err(refusal("protokollet att skicka är ingen PDF-fil"));
        }
        if !is_sha256_hex(content_sha256) {
            return Err(refusal("innehållets kontrollsumma är ingen SHA-256"));
        }
        // What was rendered must be what the rows say now.
        let record = crate::read::meeting_record_in(&mut self.tx, meeting).await?;
        if content_digest(&record) != content_sha256 {
            return Err(refusal(
                "protokollet ändrades medan det gjordes i ordning för justering; skicka det igen",
            ));
        }
        let sha256 = self.put_file(pdf).await?;
        let number: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM protocol_versions WHERE meeting_id = $1",
        )
        .bind(meeting.0)
        .fetch_one(&mut *self.tx)
        .await?;
        let number = number + 1;
        let id = self.next_id("protocol_versions").await?;
        sqlx::query(
            "INSERT INTO protocol_versions (id, meeting_id, version, sent_sha256, content_sha256, signatories, sent_at, sent_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(meeting.0)
        .bind(number)
        .bind(&sha256)
        .bind(content_sha256)
        .bind(serde_json::to_string(signatories)?)
        .bind(&self.now)
        .bind(user.id.0)
        .execute(&mut *self.tx)
        .await?;
        self.add_protocol_document(&sha256, meeting, id, "sent")
            .await?;
        self.audit(
            "send",
            "meeting",
            Some(meeting.0),
            json!({"version": number, "sha256": sha256, "content_sha256": content_sha256, "signatories": signatories}),
        )
        .await?;
        active_in(&mut self.tx, meeting)
            .await?
            .ok_or_else(|| StoreError::Corrupt("den skickade versionen gick inte att läsa".into()))
    }

    /// Withdraws the active sending so that the protocol can be corrected:
    /// its signatures become void (kept, shown as void). Not once the
    /// protocol is justerat.
    pub async fn withdraw_sending(
        &mut self,
        meeting: MeetingId,
        reason: &str,
        user: &User,
    ) -> Result<ProtocolVersion, StoreError> {
        let m = crate::read::meeting_in(&mut self.tx, meeting).await?;
        if m.status.is_sealed() {
            return Err(StoreError::Sealed(format!(
                "sammanträdet {} är justerat; utskicket kan inte återkallas",
                m.date
            )));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Refusal::new("återkallelsen", "ange varför utskicket återkallas").into());
        }
        limits::check("återkallelsens skäl", Kind::Line, reason)?;
        let Some(v) = active_in(&mut self.tx, meeting).await? else {
            return Err(
                Refusal::new("återkallelsen", "protokollet är inte skickat för justering").into(),
            );
        };
        sqlx::query(
            "UPDATE protocol_versions SET withdrawn_at = $2, withdrawn_by = $3, withdrawn_reason = $4 WHERE id = $1",
        )
        .bind(v.id)
        .bind(&self.now)
        .bind(user.id.0)
        .bind(reason)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "withdraw",
            "meeting",
            Some(meeting.0),
            json!({"version": v.version, "sha256": v.latest_sha256(), "reason": reason, "void_signatures": v.signatures.len()}),
        )
        .await?;
        let all = versions_in(&mut self.tx, meeting).await?;
        all.into_iter().find(|x| x.id == v.id).ok_or_else(|| {
            StoreError::Corrupt("den återkallade versionen gick inte att läsa".into())
        })
    }

    /// One signatory's signature on the active version: `signed_bytes` are
    /// the bytes whose SHA-256 was `expected_previous_sha256` with the
    /// signature appended. Checked here, in the transaction: `user` is
    /// `person`, who holds `role` at the meeting (the chair, or an
    /// appointed approver), re-authenticated at `authenticated_at` within
    /// [`FRESH_AUTHENTICATION`]; `version` is the active one; nobody signed
    /// in between (else a signature would be lost). The last signature
    /// makes the protocol justerat `today` (KL 5 kap. 69 §, 6 kap. 35 §).
    #[allow(clippy::too_many_arguments)]
    pub async fn sign_protocol(
        &mut self,
        meeting: MeetingId,
        version: u32,
        person: PersonId,
        role: &str,
        user: &User,
        authenticated_at: jiff::Timestamp,
        signed_at: jiff::Timestamp,
        signed_bytes: &[u8],
        expected_previous_sha256: &str,
        today: Date,
    ) -> Result<SignOutcome, StoreError> {
        let m = crate::read::meeting_in(&mut self.tx, meeting).await?;
        if m.status.is_sealed() {
            return Err(StoreError::Sealed(format!(
                "sammanträdet {} är justerat",
                m.date
            )));
        }
        // The same day rule for the chair and each justerare, before
        // anything is written (not only for the last signature, which
        // makes the status Approved).
        kansli_core::meeting::check_justering_day(m.date, today)?;
        let linked: Option<Option<i64>> =
            sqlx::query_scalar("SELECT person_id FROM users WHERE id = $1")
                .bind(user.id.0)
                .fetch_optional(&mut *self.tx)
                .await?;
        if linked.flatten() != Some(person.0) {
            return Err(refusal(
                "du kan bara signera för dig själv: ditt konto är inte kopplat till den personen",
            ));
        }
        let Some(active) = active_in(&mut self.tx, meeting).await? else {
            return Err(refusal("protokollet är inte skickat för justering"));
        };
        if active.version != version {
            return Err(refusal(format!(
                "version {version} av protokollet gäller inte längre; den som ska signeras är version {}",
                active.version
            )));
        }
        let holds = match role {
            CHAIR => m.chair == Some(person),
            APPROVER => m.approvers.contains(&person),
            _ => false,
        };
        let listed = active
            .signatories
            .iter()
            .any(|s| s.person == person.0 && s.role == role);
        if !holds || !listed {
            return Err(refusal(format!(
                "du är inte {role} vid sammanträdet och kan inte signera protokollet som det"
            )));
        }
        if active.signature_of(person).is_some() {
            return Err(refusal("du har redan signerat protokollet"));
        }
        let now: jiff::Timestamp = self
            .now
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("transaktionens tid: {e}")))?;
        let age = now.duration_since(authenticated_at);
        if age > FRESH_AUTHENTICATION || age < -jiff::SignedDuration::from_secs(60) {
            return Err(refusal(
                "bekräfta med ditt lösenord igen: signeringen kräver en inloggning inom de senaste fem minuterna",
            ));
        }
        let previous = active.latest_sha256().to_string();
        if expected_previous_sha256 != previous {
            return Err(refusal(
                "någon annan har signerat protokollet under tiden; ladda om sidan och signera igen",
            ));
        }
        let before = file_in(&mut self.tx, &previous).await?;
        if signed_bytes.len() <= before.len() || !signed_bytes.starts_with(&before) {
            return Err(refusal(
                "den signerade filen bygger inte på protokollet som det ser ut nu",
            ));
        }
        let sha256 = self.put_file(signed_bytes).await?;
        sqlx::query(
            "INSERT INTO protocol_signatures (version_id, person_id, role, user_id, signed_at, authenticated_at, signed_sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(active.id)
        .bind(person.0)
        .bind(role)
        .bind(user.id.0)
        .bind(signed_at.to_string())
        .bind(authenticated_at.to_string())
        .bind(&sha256)
        .execute(&mut *self.tx)
        .await?;
        self.add_protocol_document(&sha256, meeting, active.id, "signed")
            .await?;
        self.audit(
            "sign",
            "meeting",
            Some(meeting.0),
            json!({"version": version, "person": person, "role": role, "sha256": sha256, "signed_at": signed_at.to_string()}),
        )
        .await?;
        let after = active_in(&mut self.tx, meeting)
            .await?
            .ok_or_else(|| StoreError::Corrupt("versionen gick inte att läsa".into()))?;
        let complete = after.complete();
        if complete {
            self.set_meeting_status(meeting, &MeetingStatus::Approved { approved: today })
                .await?;
        }
        Ok(SignOutcome { sha256, complete })
    }
}

impl Store {
    /// Who is to sign the meeting's protocol as it stands: the chair, then
    /// the appointed approvers.
    pub async fn protocol_signatories(
        &self,
        meeting: MeetingId,
    ) -> Result<Vec<ProtocolSignatory>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let m = crate::read::meeting_in(&mut conn, meeting).await?;
        signatories_in(&mut conn, &m).await
    }

    /// The active version with its signatures and its latest bytes.
    pub async fn protocol_signing(
        &self,
        meeting: MeetingId,
    ) -> Result<Option<ProtocolSigning>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let Some(version) = active_in(&mut conn, meeting).await? else {
            return Ok(None);
        };
        let sha256 = version.latest_sha256().to_string();
        let bytes = file_in(&mut conn, &sha256).await?;
        Ok(Some(ProtocolSigning {
            version,
            bytes,
            sha256,
        }))
    }

    /// Every version of the meeting's protocol, oldest first, for the log.
    pub async fn protocol_versions(
        &self,
        meeting: MeetingId,
    ) -> Result<Vec<ProtocolVersion>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        versions_in(&mut conn, meeting).await
    }

    /// The signed original of a justerat meeting's protocol: the bytes
    /// after the last signature, checked against their SHA-256. `None` when
    /// the meeting is not justerat by signatures. A mismatch is an error,
    /// written to the meeting's log; the bytes are never served as valid.
    pub async fn signed_protocol(
        &self,
        meeting: MeetingId,
    ) -> Result<Option<SignedProtocol>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let m = crate::read::meeting_in(&mut conn, meeting).await?;
        if !m.status.is_sealed() {
            return Ok(None);
        }
        let Some(version) = active_in(&mut conn, meeting).await? else {
            return Ok(None);
        };
        if !version.complete() {
            return Ok(None);
        }
        let sha256 = version.latest_sha256().to_string();
        match file_in(&mut conn, &sha256).await {
            Ok(bytes) => Ok(Some(SignedProtocol {
                version,
                bytes,
                sha256,
            })),
            Err(e) => {
                drop(conn);
                let mut tx = self.begin("kansli").await?;
                tx.audit(
                    "integrity",
                    "meeting",
                    Some(meeting.0),
                    json!({"what": "signed_protocol", "sha256": sha256, "error": e.to_string()}),
                )
                .await?;
                tx.commit().await?;
                Err(e)
            }
        }
    }
}
