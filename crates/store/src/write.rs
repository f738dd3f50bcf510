//! Writes: every change goes through a [`Tx`], which appends its audit record in
//! the same transaction.

use crate::StoreError;
use crate::read::secrecy_column;
use kansli_core::case::{CaseNumberFormat, Direction, DocumentKind, Motion, OfficerReport};
use kansli_core::limits::{self, Kind};
use kansli_core::meeting::{Actor, Capacity, MeetingRecord, MeetingStatus};
use kansli_core::org::{Body, BodyKind, Membership, Organisation, OrganisationKind, Party};
use kansli_core::*;
use serde_json::json;
use sqlx::Any;

/// An ärendemening within its limit (checked before a number is taken).
fn check_case_title(title: &str) -> Result<(), Refusal> {
    limits::check("ärendemening", Kind::Title, title.trim())
}

/// One write transaction. Dropping it without [`Tx::commit`] rolls back
/// everything, audit records included.
pub struct Tx {
    pub(crate) tx: sqlx::Transaction<'static, Any>,
    actor: String,
    pub(crate) now: String,
    _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    version: std::sync::Arc<crate::Version>,
    /// The meetings this transaction read or ran with the engine, and the
    /// live changes it makes: given to the store only once committed.
    pub(crate) live: crate::live::TxLive,
    pub(crate) backend: crate::Backend,
    /// Whether an audit record of a change that a public output shows was
    /// written, and whether a quiet one was ([`Tx::audit_quiet`]).
    public: bool,
    quiet: bool,
}

impl Tx {
    pub(crate) fn new(
        tx: sqlx::Transaction<'static, Any>,
        actor: String,
        guard: Option<tokio::sync::OwnedMutexGuard<()>>,
        version: std::sync::Arc<crate::Version>,
        live: std::sync::Arc<crate::live::Live>,
        backend: crate::Backend,
    ) -> Tx {
        Tx {
            tx,
            actor,
            now: jiff::Timestamp::now().to_string(),
            _guard: guard,
            version,
            live: crate::live::TxLive::new(live),
            backend,
            public: false,
            quiet: false,
        }
    }

    /// Who the transaction writes for ("user:anna", "system:demo").
    pub(crate) fn actor(&self) -> &str {
        &self.actor
    }

    /// Commits, and then tells the caches that the data changed, unless
    /// every audit record written was quiet (a ballot while the votering is
    /// open, [`crate::live::leaves_public_unchanged`]): then only the
    /// meeting's live change number moves. After the commit, and only then,
    /// the meetings run here are kept for the next command and the live
    /// changes are announced ([`crate::Store::live_changes`]).
    pub async fn commit(self) -> Result<(), StoreError> {
        let publish = self.public || !self.quiet;
        self.finish(publish).await
    }

    /// Commits a write that no cached answer shows (the log of failed
    /// sign-ins), without telling the caches that the data changed: a
    /// stream of wrong passwords must not empty the public site's cache.
    pub async fn commit_unpublished(self) -> Result<(), StoreError> {
        self.finish(false).await
    }

    async fn finish(self, publish: bool) -> Result<(), StoreError> {
        let Tx {
            tx,
            version,
            live,
            _guard,
            ..
        } = self;
        tx.commit().await?;
        if publish {
            version
                .local
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        }
        live.committed();
        Ok(())
    }

    /// The next id for `table`. Ids are never reused.
    /// Looks-ups inside the transaction, so that what it has written is
    /// seen and a decision to create is taken on the same state it writes to
    /// (an import matches or creates organisation, body and persons).
    pub async fn organisation_named(
        &mut self,
        name: &str,
    ) -> Result<Option<Organisation>, StoreError> {
        let row = sqlx::query("SELECT * FROM organisations WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(crate::read::organisation_row).transpose()
    }

    pub async fn body_named(
        &mut self,
        organisation: OrganisationId,
        name: &str,
    ) -> Result<Option<Body>, StoreError> {
        let row = sqlx::query("SELECT * FROM bodies WHERE organisation_id = $1 AND name = $2")
            .bind(organisation.0)
            .bind(name)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.as_ref().map(crate::read::body_row).transpose()
    }

    /// The first person recorded with this name.
    pub async fn person_named(&mut self, name: &str) -> Result<Option<PersonId>, StoreError> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM persons WHERE name = $1 ORDER BY id LIMIT 1")
                .bind(name)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(id.map(PersonId))
    }

    /// Whether a party is known by its abbreviation.
    pub async fn has_party(&mut self, abbreviation: &str) -> Result<bool, StoreError> {
        let found: Option<String> =
            sqlx::query_scalar("SELECT abbreviation FROM parties WHERE abbreviation = $1")
                .bind(abbreviation)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(found.is_some())
    }

    /// A meeting of the body on that day, if one is recorded.
    pub async fn meeting_on(
        &mut self,
        body: BodyId,
        date: Date,
    ) -> Result<Option<MeetingId>, StoreError> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM meetings WHERE body_id = $1 AND date = $2 LIMIT 1")
                .bind(body.0)
                .bind(date.to_string())
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(id.map(MeetingId))
    }

    pub async fn case_numbered(
        &mut self,
        organisation: OrganisationId,
        number: &str,
    ) -> Result<Option<CaseId>, StoreError> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM cases WHERE organisation_id = $1 AND number = $2")
                .bind(organisation.0)
                .bind(number)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(id.map(CaseId))
    }

    pub(crate) async fn next_id(&mut self, table: &str) -> Result<i64, StoreError> {
        let updated: Option<i64> = sqlx::query_scalar(
            "UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value",
        )
        .bind(table)
        .fetch_optional(&mut *self.tx)
        .await?;
        if let Some(id) = updated {
            return Ok(id);
        }
        sqlx::query("INSERT INTO counters (name, value) VALUES ($1, 1)")
            .bind(table)
            .execute(&mut *self.tx)
            .await?;
        Ok(1)
    }

    /// Appends to the audit log: who, when, what.
    pub(crate) async fn audit(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        detail: serde_json::Value,
    ) -> Result<(), StoreError> {
        self.public = true;
        self.audit_record(false, action, entity, entity_id, detail)
            .await
    }

    /// Appends an audit record of a change no public output shows (a
    /// ballot while the votering is open, a check-in): a transaction of
    /// only such records leaves the caches' version as it was.
    pub(crate) async fn audit_quiet(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        detail: serde_json::Value,
    ) -> Result<(), StoreError> {
        self.quiet = true;
        self.audit_record(true, action, entity, entity_id, detail)
            .await
    }

    async fn audit_record(
        &mut self,
        quiet: bool,
        action: &str,
        entity: &str,
        entity_id: Option<i64>,
        detail: serde_json::Value,
    ) -> Result<(), StoreError> {
        let id = self.next_id("audit_log").await?;
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor, action, entity, entity_id, detail, quiet) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(&self.now)
        .bind(&self.actor)
        .bind(action)
        .bind(entity)
        .bind(entity_id)
        .bind(detail.to_string())
        .bind(quiet as i64)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn add_user(
        &mut self,
        username: &str,
        display_name: &str,
        password: &str,
        is_admin: bool,
    ) -> Result<UserId, StoreError> {
        let username = username.trim();
        if username.is_empty() || username.chars().any(char::is_whitespace) {
            return Err(Refusal::new(
                "användarnamn",
                "användarnamnet får inte vara tomt eller innehålla mellanslag",
            )
            .into());
        }
        limits::check("användarnamn", Kind::Name, username)?;
        limits::check("namn", Kind::Name, display_name)?;
        if password.chars().count() < 12 {
            return Err(Refusal::new("lösenord", "lösenordet måste ha minst 12 tecken").into());
        }
        let hash = crate::read::hash_password(password)?;
        let id = self.next_id("users").await?;
        sqlx::query(
            "INSERT INTO users (id, username, display_name, password_hash, is_admin, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(username)
        .bind(display_name)
        .bind(hash)
        .bind(is_admin as i64)
        .bind(&self.now)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "add",
            "user",
            Some(id),
            json!({"username": username, "admin": is_admin}),
        )
        .await?;
        Ok(UserId(id))
    }

    pub async fn add_party(&mut self, party: &Party) -> Result<(), StoreError> {
        if party.abbreviation.trim().is_empty() || party.name.trim().is_empty() {
            return Err(Refusal::new("parti", "partiet saknar namn eller förkortning").into());
        }
        limits::check("partiets förkortning", Kind::Code, &party.abbreviation)?;
        limits::check("partiets namn", Kind::Name, &party.name)?;
        sqlx::query("INSERT INTO parties (abbreviation, name) VALUES ($1, $2)")
            .bind(&party.abbreviation)
            .bind(&party.name)
            .execute(&mut *self.tx)
            .await?;
        self.audit("add", "party", None, json!(party)).await
    }

    pub async fn add_organisation(
        &mut self,
        name: &str,
        kind: OrganisationKind,
        format: &CaseNumberFormat,
    ) -> Result<OrganisationId, StoreError> {
        format.check()?;
        if name.trim().is_empty() {
            return Err(Refusal::new("organisation", "namn saknas").into());
        }
        limits::check("organisationens namn", Kind::Name, name)?;
        limits::check("diarieserie", Kind::Code, format.series())?;
        let id = self.next_id("organisations").await?;
        sqlx::query("INSERT INTO organisations (id, name, kind, case_number_format) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(name)
            .bind(kind.code())
            .bind(serde_json::to_string(format)?)
            .execute(&mut *self.tx)
            .await?;
        self.audit("add", "organisation", Some(id), json!({"name": name}))
            .await?;
        Ok(OrganisationId(id))
    }

    pub async fn add_person(
        &mut self,
        name: &str,
        party: Option<&str>,
    ) -> Result<PersonId, StoreError> {
        if name.trim().is_empty() {
            return Err(Refusal::new("person", "namn saknas").into());
        }
        limits::check("namn", Kind::Name, name.trim())?;
        limits::check_opt("parti", Kind::Code, party)?;
        let id = self.next_id("persons").await?;
        sqlx::query("INSERT INTO persons (id, name, party) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(name.trim())
            .bind(party)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "add",
            "person",
            Some(id),
            json!({"name": name, "party": party}),
        )
        .await?;
        Ok(PersonId(id))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn add_body(
        &mut self,
        organisation: OrganisationId,
        name: &str,
        short_name: Option<&str>,
        kind: BodyKind,
        parent: Option<BodyId>,
        seats: u16,
    ) -> Result<BodyId, StoreError> {
        if name.trim().is_empty() {
            return Err(Refusal::new("organ", "namn saknas").into());
        }
        limits::check("organets namn", Kind::Name, name)?;
        limits::check_opt("organets kortnamn", Kind::Name, short_name)?;
        if seats == 0 {
            return Err(Refusal::new(
                "organ",
                format!("{name}: antalet ledamöter måste vara minst 1"),
            )
            .into());
        }
        let id = self.next_id("bodies").await?;
        sqlx::query(
            "INSERT INTO bodies (id, organisation_id, name, short_name, kind, parent_id, seats) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(organisation.0)
        .bind(name)
        .bind(short_name)
        .bind(kind.code())
        .bind(parent.map(|p| p.0))
        .bind(seats as i64)
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "add",
            "body",
            Some(id),
            json!({"name": name, "seats": seats}),
        )
        .await?;
        Ok(BodyId(id))
    }

    pub async fn add_term(
        &mut self,
        organisation: OrganisationId,
        starts: Date,
        ends: Date,
    ) -> Result<TermId, StoreError> {
        kansli_core::org::Term::check(starts, ends)?;
        let id = self.next_id("terms").await?;
        sqlx::query(
            "INSERT INTO terms (id, organisation_id, starts, ends) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(organisation.0)
        .bind(starts.to_string())
        .bind(ends.to_string())
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "add",
            "term",
            Some(id),
            json!({"starts": starts, "ends": ends}),
        )
        .await?;
        Ok(TermId(id))
    }

    /// Adds a body's memberships for a term, checked as a whole against those
    /// already recorded.
    pub async fn add_memberships(&mut self, memberships: &[Membership]) -> Result<(), StoreError> {
        let mut all = Vec::new();
        let mut keys: Vec<(BodyId, TermId)> =
            memberships.iter().map(|m| (m.body, m.term)).collect();
        keys.sort();
        keys.dedup();
        for (body, term) in &keys {
            all.extend(crate::read::memberships_in(&mut self.tx, *body, Some(*term)).await?);
        }
        all.extend(memberships.iter().cloned());
        for (body, term) in &keys {
            let group: Vec<Membership> = all
                .iter()
                .filter(|m| m.body == *body && m.term == *term)
                .cloned()
                .collect();
            kansli_core::org::check_memberships(&group)?;
        }
        for m in memberships {
            limits::check_opt("partigrupp", Kind::Name, m.party_group.as_deref())?;
        }
        for m in memberships {
            let id = self.next_id("memberships").await?;
            let order = match m.role {
                kansli_core::org::Role::Substitute { order } => Some(order as i64),
                _ => None,
            };
            sqlx::query(
                "INSERT INTO memberships (id, person_id, body_id, term_id, role, substitute_order, party_group) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(m.person.0)
            .bind(m.body.0)
            .bind(m.term.0)
            .bind(m.role.code())
            .bind(order)
            .bind(&m.party_group)
            .execute(&mut *self.tx)
            .await?;
            self.audit("add", "membership", Some(id), json!(m)).await?;
        }
        Ok(())
    }

    async fn case_format(
        &mut self,
        organisation: OrganisationId,
    ) -> Result<CaseNumberFormat, StoreError> {
        let format: Option<String> =
            sqlx::query_scalar("SELECT case_number_format FROM organisations WHERE id = $1")
                .bind(organisation.0)
                .fetch_optional(&mut *self.tx)
                .await?;
        let format = format.ok_or(StoreError::NotFound {
            what: "organisationen",
            id: organisation.to_string(),
        })?;
        Ok(serde_json::from_str(&format)?)
    }

    /// Registers a new case with the next number in the organisation's series
    /// for the year it is registered.
    pub async fn register_case(
        &mut self,
        organisation: OrganisationId,
        title: &str,
        registered: Date,
    ) -> Result<(CaseId, String), StoreError> {
        // Checked before a number of the series is taken.
        check_case_title(title)?;
        let format = self.case_format(organisation).await?;
        let year = registered.year() as i64;
        let next: Option<i64> = sqlx::query_scalar(
            "UPDATE case_series SET last_sequence = last_sequence + 1 \
             WHERE organisation_id = $1 AND year = $2 RETURNING last_sequence",
        )
        .bind(organisation.0)
        .bind(year)
        .fetch_optional(&mut *self.tx)
        .await?;
        let sequence = match next {
            Some(n) => n,
            None => {
                sqlx::query("INSERT INTO case_series (organisation_id, year, last_sequence) VALUES ($1, $2, 1)")
                    .bind(organisation.0)
                    .bind(year)
                    .execute(&mut *self.tx)
                    .await?;
                1
            }
        };
        let number = format.format(year as i16, sequence as u32)?;
        let id = self
            .insert_case(organisation, &number, year, sequence, title, registered)
            .await?;
        Ok((id, number))
    }

    /// Registers a case that already has a number (from an earlier system, an
    /// import, the demo). The number must follow the organisation's format;
    /// the series continues after the highest number seen.
    pub async fn register_case_numbered(
        &mut self,
        organisation: OrganisationId,
        number: &str,
        title: &str,
        registered: Date,
    ) -> Result<CaseId, StoreError> {
        limits::check("diarienummer", Kind::Code, number)?;
        check_case_title(title)?;
        let format = self.case_format(organisation).await?;
        let parsed = format.parse(number)?;
        let (year, sequence) = (parsed.year as i64, parsed.sequence as i64);
        let updated = sqlx::query(
            "UPDATE case_series SET last_sequence = $3 \
             WHERE organisation_id = $1 AND year = $2 AND last_sequence < $3",
        )
        .bind(organisation.0)
        .bind(year)
        .bind(sequence)
        .execute(&mut *self.tx)
        .await?;
        if updated.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO case_series (organisation_id, year, last_sequence) SELECT $1, $2, $3 \
                 WHERE NOT EXISTS (SELECT 1 FROM case_series WHERE organisation_id = $1 AND year = $2)",
            )
            .bind(organisation.0)
            .bind(year)
            .bind(sequence)
            .execute(&mut *self.tx)
            .await?;
        }
        let number = format.format(parsed.year, parsed.sequence)?;
        self.insert_case(organisation, &number, year, sequence, title, registered)
            .await
    }

    async fn insert_case(
        &mut self,
        organisation: OrganisationId,
        number: &str,
        year: i64,
        sequence: i64,
        title: &str,
        registered: Date,
    ) -> Result<CaseId, StoreError> {
        if title.trim().is_empty() {
            return Err(Refusal::new(format!("ärende {number}"), "ärendemening saknas").into());
        }
        let id = self.next_id("cases").await?;
        sqlx::query(
            "INSERT INTO cases (id, organisation_id, number, year, sequence, title, registered) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(organisation.0)
        .bind(number)
        .bind(year)
        .bind(sequence)
        .bind(title.trim())
        .bind(registered.to_string())
        .execute(&mut *self.tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("diarienummer {number} är redan registrerat"))
            }
            other => other,
        })?;
        self.audit(
            "register",
            "case",
            Some(id),
            json!({"number": number, "title": title}),
        )
        .await?;
        Ok(CaseId(id))
    }

    pub async fn add_document(
        &mut self,
        case: CaseId,
        kind: DocumentKind,
        title: &str,
        date: Date,
        direction: &Direction,
        access: &Access,
    ) -> Result<DocumentId, StoreError> {
        Ok(self
            .register_document(case, kind, title, date, direction, access)
            .await?
            .0)
    }

    /// Registers a handling in its case with the case's next löpnummer,
    /// taken in this transaction (so a refused or rolled-back write takes
    /// none, and two writes never get the same one); gives the handling and
    /// its number ("RS231470-3").
    pub async fn register_document(
        &mut self,
        case: CaseId,
        kind: DocumentKind,
        title: &str,
        date: Date,
        direction: &Direction,
        access: &Access,
    ) -> Result<(DocumentId, String), StoreError> {
        if title.trim().is_empty() {
            return Err(Refusal::new("handling", "rubrik saknas").into());
        }
        limits::check("handlingens rubrik", Kind::Title, title)?;
        match direction {
            Direction::Incoming { sender: who } | Direction::Outgoing { receiver: who } => {
                limits::check("avsändare eller mottagare", Kind::Line, who)?
            }
            Direction::Internal => {}
        }
        if let Access::Secret { ground } = access {
            limits::check("sekretessgrund", Kind::Code, ground)?;
        }
        let (dir, counterpart) = match direction {
            Direction::Incoming { sender } => ("incoming", Some(sender.as_str())),
            Direction::Outgoing { receiver } => ("outgoing", Some(receiver.as_str())),
            Direction::Internal => ("internal", None),
        };
        let row: Option<(i64, String)> = sqlx::query_as(
            "UPDATE cases SET last_handling = last_handling + 1 WHERE id = $1 \
             RETURNING last_handling, number",
        )
        .bind(case.0)
        .fetch_optional(&mut *self.tx)
        .await?;
        let (sequence, case_number) = row.ok_or(StoreError::NotFound {
            what: "ärendet",
            id: case.to_string(),
        })?;
        let id = self.next_id("documents").await?;
        sqlx::query(
            "INSERT INTO documents (id, case_id, kind, title, date, direction, counterpart, secrecy_ground, sequence) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(case.0)
        .bind(kind.code())
        .bind(title)
        .bind(date.to_string())
        .bind(dir)
        .bind(counterpart)
        .bind(secrecy_column(access))
        .bind(sequence)
        .execute(&mut *self.tx)
        .await?;
        let number = kansli_core::case::handling_number(&case_number, sequence as u32);
        self.audit(
            "register",
            "document",
            Some(id),
            json!({"case": case, "number": number, "title": title, "kind": kind.code(),
                   "direction": dir, "secret": !access.is_public()}),
        )
        .await?;
        Ok((DocumentId(id), number))
    }

    pub async fn add_motion(&mut self, motion: &Motion) -> Result<MotionId, StoreError> {
        motion.check()?;
        motion.check_limits()?;
        let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM bodies WHERE id = $1")
            .bind(motion.filed_in.0)
            .fetch_optional(&mut *self.tx)
            .await?;
        if kind.as_deref() != Some(BodyKind::Fullmaktige.code()) {
            return Err(Refusal::new("motion", "en motion väcks i fullmäktige").into());
        }
        let id = self.next_id("motions").await?;
        sqlx::query(
            "INSERT INTO motions (id, case_id, title, filed, filed_in_id, referred_to_id) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(motion.case.0)
        .bind(&motion.title)
        .bind(motion.filed.to_string())
        .bind(motion.filed_in.0)
        .bind(motion.referred_to.map(|b| b.0))
        .execute(&mut *self.tx)
        .await?;
        for (i, mover) in motion.movers.iter().enumerate() {
            sqlx::query(
                "INSERT INTO motion_movers (motion_id, position, person_id) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(i as i64)
            .bind(mover.0)
            .execute(&mut *self.tx)
            .await?;
        }
        self.audit("add", "motion", Some(id), json!(motion)).await?;
        Ok(MotionId(id))
    }

    /// Adds a public officer's report.
    pub async fn add_officer_report(
        &mut self,
        report: &OfficerReport,
    ) -> Result<OfficerReportId, StoreError> {
        self.add_officer_report_with(report, &Access::Public).await
    }

    /// Adds an officer's report, public or secret with its ground in OSL
    /// (a secret report makes its case's matter secret to the public).
    pub async fn add_officer_report_with(
        &mut self,
        report: &OfficerReport,
        access: &Access,
    ) -> Result<OfficerReportId, StoreError> {
        report.check()?;
        report.check_limits().map_err(StoreError::Refused)?;
        if let Access::Secret { ground } = access {
            Access::secret(ground.trim())?;
        }
        let id = self.next_id("officer_reports").await?;
        sqlx::query(
            "INSERT INTO officer_reports (id, case_id, date, content, secrecy_ground) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(report.case.0)
        .bind(report.date.to_string())
        .bind(serde_json::to_string(report)?)
        .bind(secrecy_column(access))
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "add",
            "officer_report",
            Some(id),
            json!({"case": report.case, "title": report.title, "secret": !access.is_public()}),
        )
        .await?;
        Ok(OfficerReportId(id))
    }

    /// Stores a whole meeting: the meeting, its agenda, attendance and every
    /// paragraph. The record is checked by [`kansli_core::validate`] first; a
    /// fresh id is assigned (`record.meeting.id` is not read).
    pub async fn add_meeting(&mut self, record: &MeetingRecord) -> Result<MeetingId, StoreError> {
        let body = crate::read::body_in(&mut self.tx, record.meeting.body).await?;
        kansli_core::validate::check_meeting_record(record, &body).map_err(StoreError::Refused)?;
        let m = &record.meeting;
        let id = self.next_id("meetings").await?;
        let (approved, posted, taken_down, kept_at) = match &m.status {
            MeetingStatus::Approved { approved } => (Some(approved.to_string()), None, None, None),
            MeetingStatus::NoticePosted {
                approved,
                posted,
                taken_down,
                kept_at,
            } => (
                Some(approved.to_string()),
                Some(posted.to_string()),
                Some(taken_down.to_string()),
                Some(kept_at.clone()),
            ),
            _ => (None, None, None, None),
        };
        sqlx::query(
            "INSERT INTO meetings (id, body_id, date, starts, ends, place, status, approved, notice_posted, \
             notice_taken_down, kept_at, secretary_id, chair_id, approval_place, attendance_complete, source_note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(id)
        .bind(m.body.0)
        .bind(m.date.to_string())
        .bind(m.starts.map(|t| t.strftime("%H:%M").to_string()))
        .bind(m.ends.map(|t| t.strftime("%H:%M").to_string()))
        .bind(&m.place)
        .bind(m.status.code())
        .bind(approved)
        .bind(posted)
        .bind(taken_down)
        .bind(kept_at)
        .bind(m.secretary.map(|p| p.0))
        .bind(m.chair.map(|p| p.0))
        .bind(&m.approval_place)
        .bind(m.attendance_complete as i64)
        .bind(&m.source_note)
        .execute(&mut *self.tx)
        .await?;
        self.write_content(id, &body, record).await?;
        self.audit(
            "add",
            "meeting",
            Some(id),
            json!({"body": m.body, "date": m.date, "items": record.items.len(),
                   "paragraphs": record.paragraphs().map(|p| p.number).collect::<Vec<_>>()}),
        )
        .await?;
        Ok(MeetingId(id))
    }

    /// Writes what belongs to a meeting row: approvers, attendance, agenda
    /// items, paragraphs and their indexes.
    pub(crate) async fn write_content(
        &mut self,
        id: i64,
        body: &kansli_core::org::Body,
        record: &MeetingRecord,
    ) -> Result<(), StoreError> {
        let m = &record.meeting;
        for (i, person) in m.approvers.iter().enumerate() {
            sqlx::query("INSERT INTO meeting_approvers (meeting_id, position, person_id) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(i as i64)
                .bind(person.0)
                .execute(&mut *self.tx)
                .await?;
        }
        self.write_attendance(id, record).await?;
        for (i, item) in record.items.iter().enumerate() {
            let item_id = self.next_id("agenda_items").await?;
            sqlx::query(
                "INSERT INTO agenda_items (id, meeting_id, position, title, case_id, kind, secrecy_ground, basis, presenter_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(item_id)
            .bind(id)
            .bind(i as i64)
            .bind(&item.title)
            .bind(item.case.map(|c| c.0))
            .bind(item.kind.code())
            .bind(secrecy_column(&item.access))
            .bind(serde_json::to_string(&item.basis)?)
            .bind(item.presenter.map(|p| p.0))
            .execute(&mut *self.tx)
            .await?;
            if let Some(p) = &item.paragraph {
                self.write_paragraph(id, item_id, None, body, m.date, p)
                    .await?;
            }
        }
        Ok(())
    }

    /// Writes the attendance rows of a meeting.
    async fn write_attendance(
        &mut self,
        id: i64,
        record: &MeetingRecord,
    ) -> Result<(), StoreError> {
        for (i, a) in record.attendance.iter().enumerate() {
            let (capacity, replacing, title) = match &a.capacity {
                Capacity::Member => ("member", None, None),
                Capacity::ServingSubstitute { replacing } => {
                    ("serving_substitute", Some(replacing.0), None)
                }
                Capacity::Substitute => ("substitute", None, None),
                Capacity::Other { title } => ("other", None, Some(title.as_str())),
            };
            sqlx::query(
                "INSERT INTO attendance (meeting_id, position, person_id, capacity, replacing_id, title, paragraphs) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(i as i64)
            .bind(a.person.0)
            .bind(capacity)
            .bind(replacing)
            .bind(title)
            .bind(serde_json::to_string(&a.paragraphs)?)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    /// Writes one paragraph of an agenda item and its index rows (who
    /// moved, reserved, noted or was disqualified; each ballot of its
    /// votes): a new row, or over the row `existing` with the same id.
    async fn write_paragraph(
        &mut self,
        meeting: i64,
        item_id: i64,
        existing: Option<i64>,
        body: &kansli_core::org::Body,
        date: Date,
        p: &kansli_core::meeting::Paragraph,
    ) -> Result<(), StoreError> {
        let year = date.year() as i64;
        let conflict = |e: sqlx::Error| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!(
                "{} har redan en §{} år {year}",
                body.name, p.number
            )),
            other => other,
        };
        let pid = match existing {
            Some(pid) => {
                self.clear_paragraph_index(pid).await?;
                sqlx::query(
                    "UPDATE paragraphs SET body_id = $2, year = $3, number = $4, title = $5, secrecy_ground = $6, content = $7 \
                     WHERE id = $1",
                )
                .bind(pid)
                .bind(body.id.0)
                .bind(year)
                .bind(p.number as i64)
                .bind(&p.title)
                .bind(secrecy_column(&p.access))
                .bind(serde_json::to_string(p)?)
                .execute(&mut *self.tx)
                .await
                .map_err(conflict)?;
                pid
            }
            None => {
                let pid = self.next_id("paragraphs").await?;
                sqlx::query(
                    "INSERT INTO paragraphs (id, agenda_item_id, meeting_id, body_id, year, number, title, secrecy_ground, content) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(pid)
                .bind(item_id)
                .bind(meeting)
                .bind(body.id.0)
                .bind(year)
                .bind(p.number as i64)
                .bind(&p.title)
                .bind(secrecy_column(&p.access))
                .bind(serde_json::to_string(p)?)
                .execute(&mut *self.tx)
                .await
                .map_err(conflict)?;
                pid
            }
        };
        let mut actors: Vec<(&str, usize, &Actor)> = Vec::new();
        for (j, prop) in p.proposals.iter().enumerate() {
            actors.extend(prop.movers.iter().map(|a| ("mover", j, a)));
        }
        for (j, r) in p.reservations.iter().enumerate() {
            actors.extend(r.by.iter().map(|a| ("reserver", j, a)));
        }
        for (j, n) in p.minute_notes.iter().enumerate() {
            actors.extend(n.by.iter().map(|a| ("note", j, a)));
        }
        let disqualified: Vec<Actor> = p
            .disqualifications
            .iter()
            .map(|d| Actor::Person { person: d.person })
            .collect();
        actors.extend(
            disqualified
                .iter()
                .enumerate()
                .map(|(j, a)| ("disqualified", j, a)),
        );
        for (role, position, actor) in actors {
            let (person, party) = match actor {
                Actor::Person { person } => (Some(person.0), None),
                Actor::Party { party } => (None, Some(party.as_str())),
            };
            sqlx::query(
                "INSERT INTO paragraph_actors (paragraph_id, role, position, person_id, party) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(pid)
            .bind(role)
            .bind(position as i64)
            .bind(person)
            .bind(party)
            .execute(&mut *self.tx)
            .await?;
        }
        for (j, vote) in p.votes.iter().enumerate() {
            for b in &vote.ballots {
                sqlx::query(
                    "INSERT INTO ballots (paragraph_id, vote_position, person_id, choice) VALUES ($1, $2, $3, $4)",
                )
                .bind(pid)
                .bind(j as i64)
                .bind(b.person.0)
                .bind(b.choice.code())
                .execute(&mut *self.tx)
                .await?;
            }
        }
        Ok(())
    }

    async fn clear_paragraph_index(&mut self, pid: i64) -> Result<(), StoreError> {
        for sql in [
            "DELETE FROM ballots WHERE paragraph_id = $1",
            "DELETE FROM paragraph_actors WHERE paragraph_id = $1",
        ] {
            sqlx::query(sql).bind(pid).execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Removes what [`Tx::write_content`] wrote, to write it again.
    pub(crate) async fn clear_content(&mut self, id: i64) -> Result<(), StoreError> {
        for sql in [
            "DELETE FROM ballots WHERE paragraph_id IN (SELECT id FROM paragraphs WHERE meeting_id = $1)",
            "DELETE FROM paragraph_actors WHERE paragraph_id IN (SELECT id FROM paragraphs WHERE meeting_id = $1)",
            "DELETE FROM paragraphs WHERE meeting_id = $1",
            "DELETE FROM agenda_items WHERE meeting_id = $1",
            "DELETE FROM attendance WHERE meeting_id = $1",
            "DELETE FROM meeting_approvers WHERE meeting_id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Records one thing that happened at a meeting run with the engine
    /// ([`kansli_core::proceedings`]): the command is checked against the
    /// meeting as replayed from its log, then appended to the log, and the
    /// stored meeting (attendance, paragraphs, status) is brought up to the
    /// engine's record, all in this transaction. A refused command writes
    /// nothing. The setting (roster, agenda, first paragraph number) is
    /// frozen when the first command arrives.
    ///
    /// The store keeps each meeting replayed between commands (`live.rs`):
    /// the kept engine is used when the log's last seq, read in this
    /// transaction, is the one it was kept at (another process's commands
    /// are replayed onto it), and only the rows whose content changed are
    /// written — the meeting row, the attendance, the approvers, and the
    /// paragraphs the command changed with their index rows. A ballot
    /// while the votering is open changes none of them. The first command
    /// of a meeting in a process replays the whole log and rewrites every
    /// row, as [`crate::Store::without_live_cache`] does for each.
    ///
    /// Gives the record as stored: the engine's, with the approvers kept,
    /// the prose laid over it and the secretary's edits.
    pub async fn record_command(
        &mut self,
        meeting: MeetingId,
        command: &kansli_core::proceedings::Command,
    ) -> Result<kansli_core::meeting::MeetingRecord, StoreError> {
        let record = self.record(meeting, command, true).await?;
        Ok(record.expect("asked for"))
    }

    /// [`Tx::record_command`], giving the stored record only when `give`
    /// (a copy of the whole meeting, which a ballot does not need).
    pub(crate) async fn record(
        &mut self,
        meeting: MeetingId,
        command: &kansli_core::proceedings::Command,
        give: bool,
    ) -> Result<Option<kansli_core::meeting::MeetingRecord>, StoreError> {
        let current = crate::read::meeting_in(&mut self.tx, meeting).await?;
        if current.status.is_sealed() {
            return Err(StoreError::Sealed(format!(
                "sammanträdet {} är justerat; inget mer kan antecknas",
                current.date
            )));
        }
        crate::protocols::frozen(&mut self.tx, meeting).await?;
        // The engine checks the opening day against the meeting's date
        // (`meeting::check_opening`); a log entry without one would escape
        // the rule, so a new opening must name its day.
        if let kansli_core::proceedings::Command::Open { on: None, .. } = command {
            return Err(kansli_core::Refusal::new(
                "sammanträdet",
                "ange vilken dag sammanträdet öppnas",
            )
            .into());
        }
        // Also the lock that puts the meeting's writers in line (PostgreSQL).
        self.touch_live(meeting).await?;
        if self.live.enabled() {
            self.record_kept(meeting, &current, command, give).await
        } else {
            Ok(Some(
                self.record_replaying(meeting, &current, command).await?,
            ))
        }
    }

    /// The frozen setting, frozen now if this is the first command.
    pub(crate) async fn frozen_setting(
        &mut self,
        meeting: MeetingId,
    ) -> Result<kansli_core::proceedings::Setting, StoreError> {
        use kansli_core::proceedings::{Proceedings, Setting};
        let stored: Option<String> =
            sqlx::query_scalar("SELECT setting FROM meeting_sessions WHERE meeting_id = $1")
                .bind(meeting.0)
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(match stored {
            Some(json) => serde_json::from_str::<Setting>(&json)?,
            None => {
                let setting = self.setting_for(meeting).await?;
                // Refuse before anything is written if it cannot be run.
                Proceedings::new(setting.clone())?;
                sqlx::query("INSERT INTO meeting_sessions (meeting_id, setting) VALUES ($1, $2)")
                    .bind(meeting.0)
                    .bind(serde_json::to_string(&setting)?)
                    .execute(&mut *self.tx)
                    .await?;
                setting
            }
        })
    }

    /// [`Tx::record_command`] as it was before the kept meetings: the whole
    /// log read and replayed, every row rewritten.
    async fn record_replaying(
        &mut self,
        meeting: MeetingId,
        current: &kansli_core::meeting::Meeting,
        command: &kansli_core::proceedings::Command,
    ) -> Result<kansli_core::meeting::MeetingRecord, StoreError> {
        use kansli_core::proceedings::Proceedings;
        let setting = self.frozen_setting(meeting).await?;
        let log = crate::read::meeting_events_in(&mut self.tx, meeting).await?;
        let mut proceedings = Proceedings::replay(setting.clone(), &log).map_err(|r| {
            StoreError::Corrupt(format!("sammanträdets logg går inte att spela upp: {r}"))
        })?;
        proceedings.apply(command.clone())?;
        self.append_event(meeting, log.len() as i64 + 1, command)
            .await?;
        let mut record = proceedings.record();
        self.write_whole(meeting, current, &setting.body, &mut record)
            .await?;
        self.audit("command", "meeting", Some(meeting.0), json!(command))
            .await?;
        Ok(record)
    }

    async fn append_event(
        &mut self,
        meeting: MeetingId,
        seq: i64,
        command: &kansli_core::proceedings::Command,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO meeting_events (meeting_id, seq, at, actor, command) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(meeting.0)
        .bind(seq)
        .bind(&self.now)
        .bind(&self.actor)
        .bind(serde_json::to_string(command)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Rewrites every row of the meeting from the engine's record: the
    /// approvers kept, the prose laid over, checked as a whole first.
    async fn write_whole(
        &mut self,
        meeting: MeetingId,
        current: &kansli_core::meeting::Meeting,
        body: &kansli_core::org::Body,
        record: &mut MeetingRecord,
    ) -> Result<(), StoreError> {
        // Appointed and edited outside the engine: kept as they are.
        record.meeting.approvers = current.approvers.clone();
        record.meeting.approval_place = current.approval_place.clone();
        self.overlay_prose(meeting, record, None).await?;
        kansli_core::validate::check_meeting_record(record, body).map_err(StoreError::Refused)?;
        self.update_meeting_row(meeting, &record.meeting).await?;
        self.clear_content(meeting.0).await?;
        self.write_content(meeting.0, body, record).await
    }

    async fn update_meeting_row(
        &mut self,
        meeting: MeetingId,
        m: &kansli_core::meeting::Meeting,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE meetings SET status = $2, starts = $3, ends = $4, chair_id = $5, attendance_complete = $6 WHERE id = $1",
        )
        .bind(meeting.0)
        .bind(m.status.code())
        .bind(m.starts.map(|t| t.strftime("%H:%M").to_string()))
        .bind(m.ends.map(|t| t.strftime("%H:%M").to_string()))
        .bind(m.chair.map(|p| p.0))
        .bind(m.attendance_complete as i64)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Replays the meeting's whole log and rewrites all of its rows from
    /// scratch, as the first command after a start does: the invariant
    /// that the rows are the log's projection, made true again (after a
    /// change of how rows are projected) or checked (tests). Writes no
    /// event; audited.
    pub async fn reproject(&mut self, meeting: MeetingId) -> Result<MeetingRecord, StoreError> {
        let current = crate::read::meeting_in(&mut self.tx, meeting).await?;
        if current.status.is_sealed() {
            return Err(StoreError::Sealed(format!(
                "sammanträdet {} är justerat",
                current.date
            )));
        }
        crate::protocols::frozen(&mut self.tx, meeting).await?;
        self.touch_live(meeting).await?;
        self.load_kept(meeting, true).await?;
        let kept = self.live.get(meeting).expect("just loaded");
        let body = kept.proceedings.setting().body.clone();
        let mut record = kept.proceedings.record();
        self.write_whole(meeting, &current, &body, &mut record)
            .await?;
        let kept = self.live.get_mut(meeting).expect("just loaded");
        kept.full_write = false;
        kept.stored = Some(record.clone());
        self.live.mark_written(meeting);
        self.audit("reproject", "meeting", Some(meeting.0), json!({}))
            .await?;
        Ok(record)
    }

    /// [`Tx::record_command`] with the kept engine: the command applied to
    /// the meeting as kept, and only what changed written. Gives the
    /// record as stored when `give` (a copy: the kept one stays).
    pub(crate) async fn record_kept(
        &mut self,
        meeting: MeetingId,
        current: &kansli_core::meeting::Meeting,
        command: &kansli_core::proceedings::Command,
        give: bool,
    ) -> Result<Option<MeetingRecord>, StoreError> {
        self.load_kept(meeting, false).await?;
        let kept = self.live.get_mut(meeting).expect("just loaded");
        // What is stored now, as the engine had it (computed when another
        // process wrote it) and as written (read back then).
        if kept.raw.is_none() {
            kept.raw = Some(kept.proceedings.record());
        }
        kept.proceedings.apply(command.clone())?;
        let seq = kept.seq + 1;
        // A command the one rule names leaves the engine's record as it
        // was (checked in debug builds, so by every test): nothing to
        // compute, compare or write but the event.
        if crate::live::leaves_public_unchanged(command)
            && !kept.full_write
            && kept.stored.is_some()
        {
            debug_assert!(
                kept.raw.as_ref() == Some(&kept.proceedings.record()),
                "{command:?} changed the engine's record"
            );
            kept.seq = seq;
            let out = give.then(|| kept.stored.clone()).flatten();
            self.live.mark_written(meeting);
            self.append_event(meeting, seq, command).await?;
            self.audit_quiet("command", "meeting", Some(meeting.0), json!(command))
                .await?;
            return Ok(out);
        }
        let before_raw = kept.raw.take().expect("just made");
        let raw = kept.proceedings.record();
        let body = kept.proceedings.setting().body.clone();
        let full = kept.full_write
            || raw.items.len() != before_raw.items.len()
            || raw
                .items
                .iter()
                .zip(&before_raw.items)
                .any(|(a, b)| !same_item(a, b));
        let before_stored = if full { None } else { kept.stored.take() };
        kept.seq = seq;
        // From here on the kept engine is ahead of the database: it is
        // given back to the store only if this transaction commits.
        self.live.mark_written(meeting);
        self.append_event(meeting, seq, command).await?;
        let before_stored = match before_stored {
            Some(r) => Some(r),
            None if !full => Some(crate::read::meeting_record_in(&mut self.tx, meeting).await?),
            None => None,
        };
        let before_stored = before_stored.filter(|r| r.items.len() == raw.items.len());
        let (record, changed) = match before_stored {
            Some(before) => {
                self.write_changes(meeting, current, &body, &before_raw, before, &raw)
                    .await?
            }
            None => {
                let mut record = raw.clone();
                self.write_whole(meeting, current, &body, &mut record)
                    .await?;
                (record, true)
            }
        };
        let kept = self.live.get_mut(meeting).expect("kept");
        kept.full_write = false;
        kept.raw = Some(raw);
        let out = give.then(|| record.clone());
        kept.stored = Some(record);
        // Quiet only when the one function says the command changes no
        // public output and, as a check on it, no row changed.
        if !changed && crate::live::leaves_public_unchanged(command) {
            self.audit_quiet("command", "meeting", Some(meeting.0), json!(command))
                .await?;
        } else {
            self.audit("command", "meeting", Some(meeting.0), json!(command))
                .await?;
        }
        Ok(out)
    }

    /// Writes the rows of the meeting that differ between the record
    /// stored (`before_raw` as the engine had it, `before` as written) and
    /// the engine's new one (`raw`). Gives the record as now stored, and
    /// whether any row was written.
    async fn write_changes(
        &mut self,
        meeting: MeetingId,
        current: &kansli_core::meeting::Meeting,
        body: &kansli_core::org::Body,
        before_raw: &MeetingRecord,
        before: MeetingRecord,
        raw: &MeetingRecord,
    ) -> Result<(MeetingRecord, bool), StoreError> {
        let changed_items: Vec<usize> = (0..raw.items.len())
            .filter(|&i| raw.items[i].paragraph != before_raw.items[i].paragraph)
            .collect();
        // The paragraphs the command did not change stay as written, with
        // their prose; the rest is the engine's.
        let mut record = before;
        record.meeting = raw.meeting.clone();
        record.attendance = raw.attendance.clone();
        for &i in &changed_items {
            record.items[i].paragraph = raw.items[i].paragraph.clone();
        }
        record.meeting.approvers = current.approvers.clone();
        record.meeting.approval_place = current.approval_place.clone();
        self.overlay_prose(meeting, &mut record, Some(&changed_items))
            .await?;
        let m = &record.meeting;
        // As the row holds them: times to the minute.
        let hm = |t: Option<kansli_core::Time>| t.map(|t| t.strftime("%H:%M").to_string());
        let row_changed = m.status.code() != current.status.code()
            || hm(m.starts) != hm(current.starts)
            || hm(m.ends) != hm(current.ends)
            || m.chair != current.chair
            || m.attendance_complete != current.attendance_complete;
        let approvers_changed = m.approvers != current.approvers;
        let attendance_changed = record.attendance != before_raw.attendance;
        if changed_items.is_empty() && !row_changed && !approvers_changed && !attendance_changed {
            return Ok((record, false));
        }
        kansli_core::validate::check_meeting_record(&record, body).map_err(StoreError::Refused)?;
        if row_changed {
            self.update_meeting_row(meeting, &record.meeting).await?;
        }
        if approvers_changed {
            sqlx::query("DELETE FROM meeting_approvers WHERE meeting_id = $1")
                .bind(meeting.0)
                .execute(&mut *self.tx)
                .await?;
            for (i, person) in record.meeting.approvers.iter().enumerate() {
                sqlx::query("INSERT INTO meeting_approvers (meeting_id, position, person_id) VALUES ($1, $2, $3)")
                    .bind(meeting.0)
                    .bind(i as i64)
                    .bind(person.0)
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        if attendance_changed {
            sqlx::query("DELETE FROM attendance WHERE meeting_id = $1")
                .bind(meeting.0)
                .execute(&mut *self.tx)
                .await?;
            self.write_attendance(meeting.0, &record).await?;
        }
        for i in changed_items {
            let ids: Option<(i64, Option<i64>)> = sqlx::query_as(
                "SELECT a.id, p.id FROM agenda_items a LEFT JOIN paragraphs p ON p.agenda_item_id = a.id \
                 WHERE a.meeting_id = $1 AND a.position = $2",
            )
            .bind(meeting.0)
            .bind(i as i64)
            .fetch_optional(&mut *self.tx)
            .await?;
            let Some((item_id, pid)) = ids else {
                return Err(StoreError::Corrupt(format!(
                    "sammanträdet {meeting}: punkt {} saknas bland de lagrade",
                    i + 1
                )));
            };
            match (record.items[i].paragraph.as_ref(), pid) {
                (Some(p), existing) => {
                    self.write_paragraph(
                        meeting.0,
                        item_id,
                        existing,
                        body,
                        record.meeting.date,
                        p,
                    )
                    .await?;
                }
                (None, Some(pid)) => {
                    self.clear_paragraph_index(pid).await?;
                    sqlx::query("DELETE FROM paragraphs WHERE id = $1")
                        .bind(pid)
                        .execute(&mut *self.tx)
                        .await?;
                }
                (None, None) => {}
            }
        }
        Ok((record, true))
    }

    /// The setting of a planned meeting: its agenda, the body's members and
    /// substitutes for the term that holds the meeting date, the next free
    /// paragraph number of the body's year, and the cases a minority has
    /// already sent back or tabled.
    pub(crate) async fn setting_for(
        &mut self,
        meeting: MeetingId,
    ) -> Result<kansli_core::proceedings::Setting, StoreError> {
        use kansli_core::proceedings::{Seat, Setting};
        let record = crate::read::meeting_record_in(&mut self.tx, meeting).await?;
        let body = crate::read::body_in(&mut self.tx, record.meeting.body).await?;
        let date = record.meeting.date;
        let terms: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, starts, ends FROM terms WHERE organisation_id = $1")
                .bind(body.organisation.0)
                .fetch_all(&mut *self.tx)
                .await?;
        let mut term = None;
        for (id, starts, ends) in terms {
            let corrupt = |e: jiff::Error| StoreError::Corrupt(format!("mandatperiod {id}: {e}"));
            let t = kansli_core::org::Term {
                id: kansli_core::TermId(id),
                organisation: body.organisation,
                starts: starts.parse().map_err(corrupt)?,
                ends: ends.parse().map_err(corrupt)?,
            };
            if t.contains(date) {
                term = Some(t.id);
            }
        }
        let Some(term) = term else {
            return Err(kansli_core::Refusal::new(
                "sammanträdet",
                format!("ingen mandatperiod omfattar {date}"),
            )
            .into());
        };
        let mut memberships =
            crate::read::memberships_in(&mut self.tx, body.id, Some(term)).await?;
        memberships.sort_by_key(|m| m.role.rank());
        let mut roster = Vec::new();
        for m in memberships {
            let row: (String, Option<String>) =
                sqlx::query_as("SELECT name, party FROM persons WHERE id = $1")
                    .bind(m.person.0)
                    .fetch_one(&mut *self.tx)
                    .await?;
            roster.push(Seat {
                person: kansli_core::org::Person {
                    id: m.person,
                    name: row.0,
                    party: row.1,
                },
                role: m.role,
                party_group: m.party_group,
            });
        }
        let parties: Vec<(String, String)> =
            sqlx::query_as("SELECT abbreviation, name FROM parties ORDER BY abbreviation")
                .fetch_all(&mut *self.tx)
                .await?;
        let last: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(number) FROM paragraphs WHERE body_id = $1 AND year = $2 AND meeting_id <> $3",
        )
        .bind(body.id.0)
        .bind(date.year() as i64)
        .bind(meeting.0)
        .fetch_one(&mut *self.tx)
        .await?;
        // Cases on this agenda that a minority has already sent back or
        // tabled (KL 5 kap. 50 §).
        let mut minority_used = Vec::new();
        for case in record.items.iter().filter_map(|i| i.case) {
            let contents: Vec<String> = sqlx::query_scalar(
                "SELECT p.content FROM paragraphs p JOIN agenda_items a ON a.id = p.agenda_item_id \
                 WHERE a.case_id = $1",
            )
            .bind(case.0)
            .fetch_all(&mut *self.tx)
            .await?;
            for content in contents {
                let p: kansli_core::meeting::Paragraph = serde_json::from_str(&content)?;
                if p.propositions.iter().any(|x| x.by_minority) && !minority_used.contains(&case) {
                    minority_used.push(case);
                }
            }
        }
        let mut items = record.items;
        for item in &mut items {
            item.paragraph = None;
        }
        // #20 L1: the body's arbetsordning on the debate (migration 0017).
        let floor = crate::floor_rules::floor_rules_in(&mut self.tx, body.id).await?;
        Ok(Setting {
            meeting: record.meeting,
            items,
            body,
            roster,
            parties: parties
                .into_iter()
                .map(|(abbreviation, name)| kansli_core::org::Party { abbreviation, name })
                .collect(),
            first_number: last.map(|n| n as u32 + 1).unwrap_or(1),
            minority_used,
            floor,
        })
    }

    /// Moves a meeting to its next status (kallelse, held, justerat, anslag).
    /// A protocol that is justerat does not go back.
    pub async fn set_meeting_status(
        &mut self,
        meeting: MeetingId,
        next: &MeetingStatus,
    ) -> Result<(), StoreError> {
        let current = crate::read::meeting_in(&mut self.tx, meeting).await?;
        current.status.check_transition(next, current.date)?;
        let (approved, posted, taken_down, kept_at) = match next {
            MeetingStatus::Approved { approved } => (Some(approved.to_string()), None, None, None),
            MeetingStatus::NoticePosted {
                approved,
                posted,
                taken_down,
                kept_at,
            } => (
                Some(approved.to_string()),
                Some(posted.to_string()),
                Some(taken_down.to_string()),
                Some(kept_at.clone()),
            ),
            _ => (None, None, None, None),
        };
        sqlx::query(
            "UPDATE meetings SET status = $2, approved = $3, notice_posted = $4, notice_taken_down = $5, kept_at = $6 \
             WHERE id = $1",
        )
        .bind(meeting.0)
        .bind(next.code())
        .bind(approved)
        .bind(posted)
        .bind(taken_down)
        .bind(kept_at)
        .execute(&mut *self.tx)
        .await?;
        self.audit("status", "meeting", Some(meeting.0), json!(next))
            .await
    }

    /// Reads back inside the transaction (tests, and writes that depend on
    /// what they just wrote).
    pub fn connection(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

/// Whether two agenda items are the same apart from their paragraphs (the
/// agenda rows stay as written).
fn same_item(a: &kansli_core::meeting::AgendaItem, b: &kansli_core::meeting::AgendaItem) -> bool {
    a.title == b.title
        && a.case == b.case
        && a.kind == b.kind
        && a.access == b.access
        && a.basis == b.basis
        && a.presenter == b.presenter
}
