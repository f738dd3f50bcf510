//! Delegationsbeslut: decisions a nämnd has let an official, a member or an
//! utskott take on its behalf (KL 6 kap. 37–39 §§). Each must be reported
//! (anmälas) to the body (KL 6 kap. 40 §); the register keeps them until
//! they are placed as one item, "Anmälan av delegationsbeslut", on the next
//! agenda of that body, each decision a line of the item's beslutsunderlag.
//! The appeal period of a reported decision runs from the anslag of that
//! meeting's protocol (KL 13 kap. 5 §), so reporting is not optional.

use crate::{Store, StoreError, Tx};
use kansli_core::limits::{self, Kind};
use kansli_core::meeting::{AgendaItem, BasisItem, ItemKind, MeetingStatus};
use kansli_core::{Access, BodyId, CaseId, Date, MeetingId, OrganisationId, Refusal};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

/// The agenda item delegationsbeslut are reported under.
pub const ITEM_TITLE: &str = "Anmälan av delegationsbeslut";

/// One registered delegationsbeslut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DelegationDecision {
    pub id: i64,
    pub organisation: OrganisationId,
    /// The body it is reported to (the one that delegated).
    pub body: BodyId,
    pub decided: Date,
    /// Who decided: name and title ("Anna Berg, regiondirektör").
    pub decided_by: String,
    /// What was decided.
    pub subject: String,
    /// The point of the delegationsordning it was taken under ("3.2").
    pub delegation_point: Option<String>,
    pub case: Option<CaseId>,
    /// The meeting it was placed on for reporting, once placed.
    pub reported_at: Option<MeetingId>,
}

impl DelegationDecision {
    /// The line the agenda's beslutsunderlag and the protocol show:
    /// "2026-11-20 Anna Berg, regiondirektör: Bidrag till … (punkt 3.2)".
    pub fn line(&self, case_number: Option<&str>) -> String {
        let mut s = format!("{} {}: {}", self.decided, self.decided_by, self.subject);
        if let Some(p) = &self.delegation_point {
            s.push_str(&format!(" (delegationsordningen punkt {p})"));
        }
        if let Some(c) = case_number {
            s.push_str(&format!(", {c}"));
        }
        limits::truncate(&s, Kind::Title.max_chars()).to_string()
    }
}

/// What the secretary registers.
#[derive(Debug, Clone)]
pub struct NewDelegationDecision<'a> {
    pub body: BodyId,
    pub decided: Date,
    pub decided_by: &'a str,
    pub subject: &'a str,
    pub delegation_point: Option<&'a str>,
    pub case: Option<CaseId>,
}

fn row(r: &sqlx::any::AnyRow) -> Result<DelegationDecision, StoreError> {
    let decided: String = r.try_get("decided")?;
    Ok(DelegationDecision {
        id: r.try_get("id")?,
        organisation: OrganisationId(r.try_get("organisation_id")?),
        body: BodyId(r.try_get("body_id")?),
        decided: decided.parse().map_err(|e| {
            StoreError::Corrupt(format!("delegationsbeslutets datum «{decided}»: {e}"))
        })?,
        decided_by: r.try_get("decided_by")?,
        subject: r.try_get("subject")?,
        delegation_point: r.try_get("delegation_point")?,
        case: r.try_get::<Option<i64>, _>("case_id")?.map(CaseId),
        reported_at: r
            .try_get::<Option<i64>, _>("reported_meeting_id")?
            .map(MeetingId),
    })
}

/// The next meeting of a body that delegationsbeslut can still be placed on
/// on `today`: the earliest planned one (with or without its kallelse)
/// dated today or later, not begun.
pub fn next_meeting(
    meetings: &[kansli_core::meeting::Meeting],
    begun: &[MeetingId],
    today: Date,
) -> Option<MeetingId> {
    meetings
        .iter()
        .filter(|m| {
            matches!(
                m.status,
                MeetingStatus::Planned | MeetingStatus::NoticeIssued
            )
        })
        .filter(|m| m.date >= today && !begun.contains(&m.id))
        .min_by_key(|m| (m.date, m.starts, m.id))
        .map(|m| m.id)
}

impl Tx {
    /// Registers a delegationsbeslut to be reported to `body`; the same
    /// decision (body, date, decider, subject) again writes nothing and
    /// gives the one registered.
    pub async fn register_delegation_decision(
        &mut self,
        d: &NewDelegationDecision<'_>,
    ) -> Result<i64, StoreError> {
        let body = crate::read::body_in(&mut self.tx, d.body).await?;
        let decided_by = d.decided_by.trim();
        let subject = d.subject.trim();
        let point = d.delegation_point.map(str::trim).filter(|p| !p.is_empty());
        if decided_by.is_empty() {
            return Err(Refusal::new(
                "delegationsbeslut, beslutsfattare",
                "ange vem som fattade beslutet",
            )
            .into());
        }
        if subject.is_empty() {
            return Err(
                Refusal::new("delegationsbeslut, beslut", "ange vad som beslutades").into(),
            );
        }
        limits::check("delegationsbeslut, beslutsfattare", Kind::Line, decided_by)?;
        limits::check("delegationsbeslut, beslut", Kind::Title, subject)?;
        limits::check_opt(
            "delegationsbeslut, punkt i delegationsordningen",
            Kind::Code,
            point,
        )?;
        if let Some(case) = d.case {
            let org: Option<i64> =
                sqlx::query_scalar("SELECT organisation_id FROM cases WHERE id = $1")
                    .bind(case.0)
                    .fetch_optional(&mut *self.tx)
                    .await?;
            if org != Some(body.organisation.0) {
                return Err(Refusal::new(
                    "delegationsbeslut, ärende",
                    format!("ärende {case} hör inte till organisationen"),
                )
                .into());
            }
        }
        // The same decision registered again (a form sent twice) is the
        // one already registered.
        let same: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM delegation_decisions WHERE body_id = $1 AND decided = $2 AND decided_by = $3 AND subject = $4",
        )
        .bind(body.id.0)
        .bind(d.decided.to_string())
        .bind(decided_by)
        .bind(subject)
        .fetch_optional(&mut *self.tx)
        .await?;
        if let Some(id) = same {
            return Ok(id);
        }
        let id = self.next_id("delegation_decisions").await?;
        sqlx::query(
            "INSERT INTO delegation_decisions (id, organisation_id, body_id, decided, decided_by, subject, delegation_point, case_id, reported_meeting_id, registered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)",
        )
        .bind(id)
        .bind(body.organisation.0)
        .bind(body.id.0)
        .bind(d.decided.to_string())
        .bind(decided_by)
        .bind(subject)
        .bind(point)
        .bind(d.case.map(|c| c.0))
        .bind(self.now.clone())
        .execute(&mut *self.tx)
        .await?;
        self.audit(
            "register",
            "delegation_decision",
            Some(id),
            json!({"body": body.id, "decided": d.decided.to_string(), "decided_by": decided_by, "subject": subject, "point": point, "case": d.case}),
        )
        .await?;
        Ok(id)
    }

    /// Places every delegationsbeslut of `body` not yet reported on the
    /// body's next meeting ([`next_meeting`]) as the item
    /// [`ITEM_TITLE`] (added once, at the end of the agenda, kept if already
    /// there), each decision a line of its beslutsunderlag. Refused when
    /// there is nothing to report or no meeting to report it at. Returns
    /// the meeting and how many were placed.
    pub async fn report_delegation_decisions(
        &mut self,
        body: BodyId,
        today: Date,
    ) -> Result<(MeetingId, usize), StoreError> {
        let b = crate::read::body_in(&mut self.tx, body).await?;
        let rows = sqlx::query(
            "SELECT * FROM delegation_decisions WHERE body_id = $1 AND reported_meeting_id IS NULL ORDER BY decided, id",
        )
        .bind(body.0)
        .fetch_all(&mut *self.tx)
        .await?;
        let pending: Vec<DelegationDecision> = rows.iter().map(row).collect::<Result<_, _>>()?;
        if pending.is_empty() {
            return Err(Refusal::new(
                "delegationsbeslut",
                format!("{} har inga delegationsbeslut att anmäla", b.name),
            )
            .into());
        }
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM meetings WHERE body_id = $1 ORDER BY date, id")
                .bind(body.0)
                .fetch_all(&mut *self.tx)
                .await?;
        let mut meetings = Vec::new();
        let mut begun = Vec::new();
        for id in ids {
            let m = crate::read::meeting_in(&mut self.tx, MeetingId(id)).await?;
            let started: Option<i64> =
                sqlx::query_scalar("SELECT meeting_id FROM meeting_sessions WHERE meeting_id = $1")
                    .bind(id)
                    .fetch_optional(&mut *self.tx)
                    .await?;
            if started.is_some() {
                begun.push(m.id);
            }
            meetings.push(m);
        }
        let Some(meeting) = next_meeting(&meetings, &begun, today) else {
            return Err(Refusal::new(
                "delegationsbeslut",
                format!(
                    "{} har inget kommande sammanträde att anmäla besluten vid; planera nästa sammanträde först",
                    b.name
                ),
            )
            .into());
        };
        let record = crate::read::meeting_record_in(&mut self.tx, meeting).await?;
        let mut items: Vec<AgendaItem> = record.items.clone();
        let at = match items.iter().position(|i| i.title == ITEM_TITLE) {
            Some(at) => at,
            None => {
                items.push(AgendaItem {
                    title: ITEM_TITLE.into(),
                    case: None,
                    kind: ItemKind::Information,
                    access: Access::Public,
                    basis: vec![],
                    paragraph: None,
                    presenter: None,
                });
                items.len() - 1
            }
        };
        for d in &pending {
            let number = match d.case {
                Some(c) => {
                    let n: Option<String> =
                        sqlx::query_scalar("SELECT number FROM cases WHERE id = $1")
                            .bind(c.0)
                            .fetch_optional(&mut *self.tx)
                            .await?;
                    n
                }
                None => None,
            };
            items[at]
                .basis
                .push(BasisItem::titled(d.line(number.as_deref())));
        }
        limits::check_count("beslutsunderlag", items[at].basis.len())?;
        self.set_agenda(meeting, &items).await?;
        for d in &pending {
            sqlx::query("UPDATE delegation_decisions SET reported_meeting_id = $2 WHERE id = $1")
                .bind(d.id)
                .bind(meeting.0)
                .execute(&mut *self.tx)
                .await?;
        }
        self.audit(
            "report",
            "meeting",
            Some(meeting.0),
            json!({"delegation_decisions": pending.iter().map(|d| d.id).collect::<Vec<_>>()}),
        )
        .await?;
        Ok((meeting, pending.len()))
    }
}

impl Store {
    /// The organisation's registered delegationsbeslut, newest first.
    pub async fn delegation_decisions(
        &self,
        organisation: OrganisationId,
    ) -> Result<Vec<DelegationDecision>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM delegation_decisions WHERE organisation_id = $1 ORDER BY decided DESC, id DESC",
        )
        .bind(organisation.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use kansli_core::meeting::Meeting;

    fn meeting(id: i64, on: Date, status: MeetingStatus) -> Meeting {
        Meeting {
            id: MeetingId(id),
            body: BodyId(1),
            date: on,
            starts: None,
            ends: None,
            place: "Sal".into(),
            status,
            secretary: None,
            chair: None,
            approvers: vec![],
            approval_place: None,
            attendance_complete: true,
            source_note: None,
        }
    }

    #[test]
    fn the_next_meeting_is_the_earliest_planned_one_not_begun_from_today() {
        let today = date(2026, 12, 1);
        let ms = vec![
            meeting(1, date(2026, 11, 20), MeetingStatus::Planned),
            meeting(2, date(2026, 12, 15), MeetingStatus::NoticeIssued),
            meeting(3, date(2026, 12, 8), MeetingStatus::Cancelled),
            meeting(4, date(2026, 12, 1), MeetingStatus::Held),
            meeting(5, date(2027, 1, 12), MeetingStatus::Planned),
            meeting(6, date(2026, 12, 1), MeetingStatus::Planned),
        ];
        // Today's planned meeting counts, until it begins.
        assert_eq!(next_meeting(&ms, &[], today), Some(MeetingId(6)));
        assert_eq!(
            next_meeting(&ms, &[MeetingId(6)], today),
            Some(MeetingId(2))
        );
        assert_eq!(next_meeting(&ms, &[], date(2027, 2, 1)), None);
    }

    #[test]
    fn a_line_names_date_decider_subject_point_and_case() {
        let d = DelegationDecision {
            id: 1,
            organisation: OrganisationId(1),
            body: BodyId(1),
            decided: date(2026, 11, 20),
            decided_by: "Anna Berg, regiondirektör".into(),
            subject: "Bidrag till Hallands konstförening".into(),
            delegation_point: Some("3.2".into()),
            case: None,
            reported_at: None,
        };
        assert_eq!(
            d.line(Some("RS260001")),
            "2026-11-20 Anna Berg, regiondirektör: Bidrag till Hallands konstförening (delegationsordningen punkt 3.2), RS260001"
        );
    }
}
