//! The facts publication is decided from (`kansli_core::publication`,
//! applied by `kansli_documents::view`): whether a body has decided to meet
//! in public (KL 6 kap. 25 §), and which versions of a case's officer's
//! report are public because they were marked final or sent with a
//! kallelse (TF 2 kap. 10 §).

use crate::{Store, StoreError, Tx};
use kansli_core::Refusal;
use kansli_core::{BodyId, CaseId};
use serde_json::json;
use sqlx::Row;

/// Whether a version of an officer's report was sent with a kallelse: the
/// case is on the agenda of a meeting whose kallelse has been issued
/// (any status after planned, cancelled aside) on or after the report's date.
macro_rules! sent_sql {
    () => {
        "EXISTS (SELECT 1 FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id \
     WHERE a.case_id = r.case_id AND m.status NOT IN ('planned', 'cancelled') AND m.date >= r.date)"
    };
}

/// One version of an officer's report as publication sees it, in the order
/// of [`Store::officer_reports_with_access`] (oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportPublication {
    /// When its case officer marked it final.
    pub final_at: Option<String>,
    /// Whether it went out with a kallelse.
    pub sent_with_kallelse: bool,
}

impl Store {
    /// Whether the body has decided to meet in public (KL 6 kap. 25 §);
    /// see `kansli_core::publication::meets_in_public` for fullmäktige.
    pub async fn decided_to_meet_in_public(&self, body: BodyId) -> Result<bool, StoreError> {
        let v: Option<i64> = sqlx::query_scalar("SELECT meets_in_public FROM bodies WHERE id = $1")
            .bind(body.0)
            .fetch_optional(self.pool())
            .await?;
        match v {
            Some(v) => Ok(v != 0),
            None => Err(StoreError::NotFound {
                what: "organet",
                id: body.to_string(),
            }),
        }
    }

    /// The publication facts of each version of the case's officer's
    /// report, oldest first.
    pub async fn report_publication(
        &self,
        case: CaseId,
    ) -> Result<Vec<ReportPublication>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT r.final_at AS final_at, CASE WHEN ",
            sent_sql!(),
            " THEN 1 ELSE 0 END AS sent \
             FROM officer_reports r WHERE r.case_id = $1 ORDER BY r.date, r.id"
        ))
        .bind(case.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReportPublication {
                    final_at: r.try_get("final_at")?,
                    sent_with_kallelse: r.try_get::<i64, _>("sent")? != 0,
                })
            })
            .collect()
    }
}

impl Tx {
    /// Records the body's decision to meet in public, or to meet behind
    /// closed doors again (KL 6 kap. 25 §).
    pub async fn set_meets_in_public(
        &mut self,
        body: BodyId,
        in_public: bool,
    ) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE bodies SET meets_in_public = $2 WHERE id = $1")
            .bind(body.0)
            .bind(i64::from(in_public))
            .execute(&mut *self.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "organet",
                id: body.to_string(),
            });
        }
        self.audit(
            "set_meets_in_public",
            "body",
            Some(body.0),
            json!({ "meets_in_public": in_public }),
        )
        .await
    }

    /// Marks the latest version of the case's officer's report final: from
    /// now on it is an allmän handling (TF 2 kap. 10 §), public unless
    /// secret. Returns false, writing nothing, when it already is final,
    /// so that the same form sent twice does no harm.
    pub async fn mark_report_final(&mut self, case: CaseId) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT id, final_at FROM officer_reports WHERE case_id = $1 ORDER BY date DESC, id DESC",
        )
        .bind(case.0)
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some(row) = row else {
            return Err(Refusal::new(
                "beslutsförslaget",
                "ärendet har inget beslutsförslag att markera som färdigt",
            )
            .into());
        };
        let id: i64 = row.try_get("id")?;
        if row.try_get::<Option<String>, _>("final_at")?.is_some() {
            return Ok(false);
        }
        let now = self.now.clone();
        sqlx::query("UPDATE officer_reports SET final_at = $2 WHERE id = $1")
            .bind(id)
            .bind(&now)
            .execute(&mut *self.tx)
            .await?;
        self.audit(
            "mark_final",
            "officer_report",
            Some(id),
            json!({ "case": case }),
        )
        .await?;
        Ok(true)
    }
}
