//! What the store knows about a case's secrecy, for the read models that
//! apply it (`kansli_documents::view`) and for staff file access: which
//! cases have a secret matter, and which bodies a case belongs to.

use crate::read::access_from_column;
use crate::{Store, StoreError};
use kansli_core::case::OfficerReport;
use kansli_core::{Access, BodyId, CaseId, OrganisationId};
use sqlx::Row;
use std::collections::HashMap;

/// The latest officer's report of a case when it is secret, secret agenda
/// items and secret paragraphs, as (case, ground) rows; `$filter` narrows
/// them to one case or organisation. Only the latest version of a report
/// counts (a later public version lifts the secrecy of the matter; the
/// earlier secret version itself stays secret).
macro_rules! secret_matter_sql {
    ($filter:literal) => {
        concat!(
            "SELECT r.case_id AS case_id, r.secrecy_ground AS ground FROM officer_reports r \
             JOIN cases c ON c.id = r.case_id WHERE r.secrecy_ground IS NOT NULL AND ",
            $filter,
            " AND NOT EXISTS (SELECT 1 FROM officer_reports n WHERE n.case_id = r.case_id \
             AND (n.date > r.date OR (n.date = r.date AND n.id > r.id))) \
             UNION ALL \
             SELECT a.case_id AS case_id, a.secrecy_ground AS ground FROM agenda_items a \
             JOIN cases c ON c.id = a.case_id WHERE a.secrecy_ground IS NOT NULL AND ",
            $filter,
            " UNION ALL \
             SELECT a.case_id AS case_id, p.secrecy_ground AS ground FROM paragraphs p \
             JOIN agenda_items a ON a.id = p.agenda_item_id \
             JOIN cases c ON c.id = a.case_id WHERE p.secrecy_ground IS NOT NULL AND ",
            $filter
        )
    };
}

impl Store {
    /// A case's officer's reports with their access, oldest first.
    pub async fn officer_reports_with_access(
        &self,
        case: CaseId,
    ) -> Result<Vec<(OfficerReport, Access)>, StoreError> {
        let rows = sqlx::query(
            "SELECT content, secrecy_ground FROM officer_reports WHERE case_id = $1 ORDER BY date, id",
        )
        .bind(case.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let content: String = r.try_get("content")?;
                let report: OfficerReport = serde_json::from_str(&content)
                    .map_err(|e| StoreError::Corrupt(format!("beslutsförslag: {e}")))?;
                Ok((report, access_from_column(r.try_get("secrecy_ground")?)))
            })
            .collect()
    }

    /// Why a case's matter is secret, or `None` when it is public: the
    /// ground of a secret officer's report, or of a secret agenda item or
    /// paragraph that deals with the case (OSL 2009:400).
    pub async fn case_secrecy(&self, case: CaseId) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(secret_matter_sql!("c.id = $1"))
            .bind(case.0)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| r.try_get::<String, _>("ground"))
            .transpose()
            .map_err(Into::into)
    }

    /// The organisation's cases whose matter is secret, with a ground each
    /// (see [`Store::case_secrecy`]).
    pub async fn secret_cases(
        &self,
        organisation: OrganisationId,
    ) -> Result<HashMap<CaseId, String>, StoreError> {
        let rows = sqlx::query(secret_matter_sql!("c.organisation_id = $1"))
            .bind(organisation.0)
            .fetch_all(self.pool())
            .await?;
        let mut out = HashMap::new();
        for r in &rows {
            out.entry(CaseId(r.try_get("case_id")?))
                .or_insert(r.try_get::<String, _>("ground")?);
        }
        Ok(out)
    }

    /// The case a document is registered in.
    pub async fn document_case(
        &self,
        document: kansli_core::DocumentId,
    ) -> Result<CaseId, StoreError> {
        let case: Option<i64> = sqlx::query_scalar("SELECT case_id FROM documents WHERE id = $1")
            .bind(document.0)
            .fetch_optional(self.pool())
            .await?;
        case.map(CaseId).ok_or_else(|| StoreError::NotFound {
            what: "handlingen",
            id: document.to_string(),
        })
    }

    /// The bodies a case belongs to: those on whose meetings' agendas it
    /// is, and the body its motion was filed in or referred to.
    pub async fn case_bodies(&self, case: CaseId) -> Result<Vec<BodyId>, StoreError> {
        let mut ids: Vec<i64> = sqlx::query_scalar(
            "SELECT m.body_id FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id \
             WHERE a.case_id = $1 \
             UNION SELECT filed_in_id FROM motions WHERE case_id = $1 \
             UNION SELECT referred_to_id FROM motions WHERE case_id = $1 AND referred_to_id IS NOT NULL",
        )
        .bind(case.0)
        .fetch_all(self.pool())
        .await?;
        ids.sort_unstable();
        ids.dedup();
        Ok(ids.into_iter().map(BodyId).collect())
    }
}
