//! Reads. Functions named `*_in` take a connection so that a write transaction
//! can use them too; the `Store` methods take one from the pool.

use crate::{Store, StoreError};
use kansli_core::case::{
    Case, CaseStatus, Closing, Direction, Document, DocumentKind, Motion, OfficerReport,
};
use kansli_core::meeting::{
    AgendaItem, Attendee, Capacity, ItemKind, Meeting, MeetingRecord, MeetingStatus, Paragraph,
};
use kansli_core::org::{Body, BodyKind, Membership, Organisation, Party, Person, Role, Term};
use kansli_core::*;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

pub(crate) fn secrecy_column(access: &Access) -> Option<&str> {
    match access {
        Access::Public => None,
        Access::Secret { ground } => Some(ground.as_str()),
    }
}

pub(crate) fn access_from_column(ground: Option<String>) -> Access {
    match ground {
        None => Access::Public,
        Some(ground) => Access::Secret { ground },
    }
}

pub(crate) fn date(s: &str) -> Result<Date, StoreError> {
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("datum «{s}»: {e}")))
}

pub(crate) fn opt_date(s: Option<String>) -> Result<Option<Date>, StoreError> {
    s.map(|s| date(&s)).transpose()
}

fn time(s: Option<String>) -> Result<Option<Time>, StoreError> {
    s.map(|s| {
        s.parse()
            .map_err(|e| StoreError::Corrupt(format!("tid «{s}»: {e}")))
    })
    .transpose()
}

fn json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    Ok(serde_json::from_str(s)?)
}

fn from_code<T: serde::de::DeserializeOwned>(code: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(code.to_string()))
        .map_err(|_| StoreError::Corrupt(format!("okänd kod «{code}»")))
}

fn not_found(what: &'static str, id: impl ToString) -> StoreError {
    StoreError::NotFound {
        what,
        id: id.to_string(),
    }
}

pub(crate) fn organisation_row(r: &AnyRow) -> Result<Organisation, StoreError> {
    Ok(Organisation {
        id: OrganisationId(r.try_get("id")?),
        name: r.try_get("name")?,
        kind: from_code(&r.try_get::<String, _>("kind")?)?,
        case_number_format: json(&r.try_get::<String, _>("case_number_format")?)?,
    })
}

pub(crate) fn body_row(r: &AnyRow) -> Result<Body, StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok(Body {
        id: BodyId(r.try_get("id")?),
        organisation: OrganisationId(r.try_get("organisation_id")?),
        name: r.try_get("name")?,
        short_name: r.try_get("short_name")?,
        kind: BodyKind::from_code(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("organtyp «{kind}»")))?,
        parent: r.try_get::<Option<i64>, _>("parent_id")?.map(BodyId),
        seats: r.try_get::<i64, _>("seats")? as u16,
    })
}

fn person_row(r: &AnyRow) -> Result<Person, StoreError> {
    Ok(Person {
        id: PersonId(r.try_get("id")?),
        name: r.try_get("name")?,
        party: r.try_get("party")?,
    })
}

pub(crate) fn case_row(r: &AnyRow) -> Result<Case, StoreError> {
    Ok(Case {
        id: CaseId(r.try_get("id")?),
        organisation: OrganisationId(r.try_get("organisation_id")?),
        number: r.try_get("number")?,
        title: r.try_get("title")?,
        registered: date(&r.try_get::<String, _>("registered")?)?,
        closed: opt_date(r.try_get("closed")?)?,
        officer: r.try_get::<Option<i64>, _>("officer_id")?.map(PersonId),
        case_type: r.try_get("case_type")?,
        classification: r.try_get("classification")?,
        status: {
            let s: String = r.try_get("status")?;
            CaseStatus::from_code(&s)
                .ok_or_else(|| StoreError::Corrupt(format!("ärendestatus «{s}»")))?
        },
        closed_how: match r.try_get::<Option<String>, _>("closed_how")? {
            None => None,
            Some(s) => Some(
                Closing::from_code(&s)
                    .ok_or_else(|| StoreError::Corrupt(format!("avslutssätt «{s}»")))?,
            ),
        },
    })
}

/// A handling from its row in `documents`.
pub(crate) fn document_row(r: &AnyRow) -> Result<Document, StoreError> {
    let kind: String = r.try_get("kind")?;
    let counterpart: Option<String> = r.try_get("counterpart")?;
    let direction: String = r.try_get("direction")?;
    let direction = match direction.as_str() {
        "incoming" => Direction::Incoming {
            sender: counterpart.unwrap_or_default(),
        },
        "outgoing" => Direction::Outgoing {
            receiver: counterpart.unwrap_or_default(),
        },
        _ => Direction::Internal,
    };
    Ok(Document {
        id: DocumentId(r.try_get("id")?),
        case: CaseId(r.try_get("case_id")?),
        number: r.try_get::<Option<i64>, _>("sequence")?.unwrap_or(0) as u32,
        kind: DocumentKind::from_code(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("handlingstyp «{kind}»")))?,
        title: r.try_get("title")?,
        date: date(&r.try_get::<String, _>("date")?)?,
        direction,
        access: access_from_column(r.try_get("secrecy_ground")?),
    })
}

fn meeting_row(r: &AnyRow, approvers: Vec<PersonId>) -> Result<Meeting, StoreError> {
    let status: String = r.try_get("status")?;
    let approved = opt_date(r.try_get("approved")?)?;
    let status = match status.as_str() {
        "planned" => MeetingStatus::Planned,
        "notice_issued" => MeetingStatus::NoticeIssued,
        "in_session" => MeetingStatus::InSession,
        "held" => MeetingStatus::Held,
        "cancelled" => MeetingStatus::Cancelled,
        "approved" => MeetingStatus::Approved {
            approved: approved
                .ok_or_else(|| StoreError::Corrupt("justeringsdatum saknas".into()))?,
        },
        "notice_posted" => MeetingStatus::NoticePosted {
            approved: approved
                .ok_or_else(|| StoreError::Corrupt("justeringsdatum saknas".into()))?,
            posted: opt_date(r.try_get("notice_posted")?)?
                .ok_or_else(|| StoreError::Corrupt("anslagsdatum saknas".into()))?,
            taken_down: opt_date(r.try_get("notice_taken_down")?)?
                .ok_or_else(|| StoreError::Corrupt("nedtagningsdatum saknas".into()))?,
            kept_at: r
                .try_get::<Option<String>, _>("kept_at")?
                .ok_or_else(|| StoreError::Corrupt("förvaringsplats saknas".into()))?,
        },
        other => return Err(StoreError::Corrupt(format!("status «{other}»"))),
    };
    Ok(Meeting {
        id: MeetingId(r.try_get("id")?),
        body: BodyId(r.try_get("body_id")?),
        date: date(&r.try_get::<String, _>("date")?)?,
        starts: time(r.try_get("starts")?)?,
        ends: time(r.try_get("ends")?)?,
        place: r.try_get("place")?,
        status,
        secretary: r.try_get::<Option<i64>, _>("secretary_id")?.map(PersonId),
        chair: r.try_get::<Option<i64>, _>("chair_id")?.map(PersonId),
        approvers,
        approval_place: r.try_get("approval_place")?,
        attendance_complete: r.try_get::<i64, _>("attendance_complete")? != 0,
        source_note: r.try_get("source_note")?,
    })
}

pub(crate) fn membership_row(r: &AnyRow) -> Result<Membership, StoreError> {
    let order = r
        .try_get::<Option<i64>, _>("substitute_order")?
        .map(|o| o as u16);
    Ok(Membership {
        person: PersonId(r.try_get("person_id")?),
        body: BodyId(r.try_get("body_id")?),
        term: TermId(r.try_get("term_id")?),
        role: Role::from_code(&r.try_get::<String, _>("role")?, order)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        party_group: r.try_get("party_group")?,
    })
}

pub(crate) async fn body_in(conn: &mut AnyConnection, id: BodyId) -> Result<Body, StoreError> {
    let row = sqlx::query("SELECT * FROM bodies WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| not_found("organet", id))?;
    body_row(&row)
}

pub(crate) async fn meeting_in(
    conn: &mut AnyConnection,
    id: MeetingId,
) -> Result<Meeting, StoreError> {
    let row = sqlx::query("SELECT * FROM meetings WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| not_found("sammanträdet", id))?;
    let approvers = sqlx::query_scalar::<_, i64>(
        "SELECT person_id FROM meeting_approvers WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(PersonId)
    .collect();
    meeting_row(&row, approvers)
}

pub(crate) async fn memberships_in(
    conn: &mut AnyConnection,
    body: BodyId,
    term: Option<TermId>,
) -> Result<Vec<Membership>, StoreError> {
    let rows = sqlx::query(
        "SELECT * FROM memberships WHERE body_id = $1 AND ($2 IS NULL OR term_id = $2) ORDER BY id",
    )
    .bind(body.0)
    .bind(term.map(|t| t.0))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(membership_row).collect()
}

/// The whole meeting: agenda, attendance and paragraphs.
pub(crate) async fn meeting_record_in(
    conn: &mut AnyConnection,
    id: MeetingId,
) -> Result<MeetingRecord, StoreError> {
    let meeting = meeting_in(&mut *conn, id).await?;
    let rows = sqlx::query("SELECT * FROM attendance WHERE meeting_id = $1 ORDER BY position")
        .bind(id.0)
        .fetch_all(&mut *conn)
        .await?;
    let mut attendance = Vec::new();
    for r in &rows {
        let capacity: String = r.try_get("capacity")?;
        let capacity = match capacity.as_str() {
            "member" => Capacity::Member,
            "serving_substitute" => Capacity::ServingSubstitute {
                replacing: PersonId(
                    r.try_get::<Option<i64>, _>("replacing_id")?
                        .ok_or_else(|| StoreError::Corrupt("ersatt ledamot saknas".into()))?,
                ),
            },
            "substitute" => Capacity::Substitute,
            "other" => Capacity::Other {
                title: r.try_get::<Option<String>, _>("title")?.unwrap_or_default(),
            },
            other => return Err(StoreError::Corrupt(format!("närvarotyp «{other}»"))),
        };
        attendance.push(Attendee {
            person: PersonId(r.try_get("person_id")?),
            capacity,
            paragraphs: json(&r.try_get::<String, _>("paragraphs")?)?,
        });
    }
    let rows = sqlx::query(
        "SELECT a.*, p.content AS paragraph FROM agenda_items a \
         LEFT JOIN paragraphs p ON p.agenda_item_id = a.id \
         WHERE a.meeting_id = $1 ORDER BY a.position",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut items = Vec::new();
    for r in &rows {
        let paragraph: Option<String> = r.try_get("paragraph")?;
        items.push(AgendaItem {
            title: r.try_get("title")?,
            case: r.try_get::<Option<i64>, _>("case_id")?.map(CaseId),
            kind: from_code::<ItemKind>(&r.try_get::<String, _>("kind")?)?,
            access: access_from_column(r.try_get("secrecy_ground")?),
            basis: json(&r.try_get::<String, _>("basis")?)?,
            paragraph: paragraph.map(|p| json::<Paragraph>(&p)).transpose()?,
            presenter: r.try_get::<Option<i64>, _>("presenter_id")?.map(PersonId),
        });
    }
    Ok(MeetingRecord {
        meeting,
        items,
        attendance,
    })
}

pub(crate) async fn meeting_events_in(
    conn: &mut AnyConnection,
    id: MeetingId,
) -> Result<Vec<kansli_core::proceedings::Command>, StoreError> {
    let rows = sqlx::query_scalar::<_, String>(
        "SELECT command FROM meeting_events WHERE meeting_id = $1 ORDER BY seq",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|c| json(c)).collect()
}

/// Argon2id with the crate's default parameters, in PHC string form.
pub(crate) fn hash_password(password: &str) -> Result<String, StoreError> {
    use argon2::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Corrupt(format!("lösenordet kunde inte hashas: {e}")))
}

/// A signed-in user.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
}

/// One line of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub detail: serde_json::Value,
    /// The display name of the user who acted, when the query joined it.
    pub actor_name: Option<String>,
}

/// Joins the acting user's display name as `actor_name` to `audit_log a`
/// (a user's own actor, or the demo acting as a user).
pub(crate) const AUDIT_WITH_NAMES: &str = "SELECT a.*, u.display_name AS actor_name FROM audit_log a \
     LEFT JOIN users u ON a.actor = 'user:' || u.username \
     OR a.actor = 'system:demo som user:' || u.username";

/// A member of a body, with the person and the term.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub person: Person,
    pub membership: Membership,
    pub term: Term,
}

/// Where a case has been or will be dealt with: one agenda item in one
/// meeting, with its paragraph once recorded.
#[derive(Debug, Clone, Serialize)]
pub struct CaseStep {
    pub meeting: Meeting,
    pub body: Body,
    pub item_title: String,
    pub item_public: bool,
    pub paragraph: Option<u32>,
}

/// A meeting with its body, for lists.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingSummary {
    pub meeting: Meeting,
    pub body: Body,
    pub organisation: Organisation,
}

impl Store {
    async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    pub async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let rows = sqlx::query("SELECT * FROM organisations ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(organisation_row).collect()
    }

    pub async fn organisation(&self, id: OrganisationId) -> Result<Organisation, StoreError> {
        let row = sqlx::query("SELECT * FROM organisations WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| not_found("organisationen", id))?;
        organisation_row(&row)
    }

    pub async fn organisation_by_name(
        &self,
        name: &str,
    ) -> Result<Option<Organisation>, StoreError> {
        let row = sqlx::query("SELECT * FROM organisations WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(organisation_row).transpose()
    }

    pub async fn parties(&self) -> Result<Vec<Party>, StoreError> {
        let rows = sqlx::query("SELECT * FROM parties ORDER BY abbreviation")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Party {
                    abbreviation: r.try_get("abbreviation")?,
                    name: r.try_get("name")?,
                })
            })
            .collect()
    }

    /// The bodies of an organisation: fullmäktige first, then styrelse,
    /// nämnder, utskott.
    pub async fn bodies(&self, organisation: OrganisationId) -> Result<Vec<Body>, StoreError> {
        let rows = sqlx::query("SELECT * FROM bodies WHERE organisation_id = $1 ORDER BY name")
            .bind(organisation.0)
            .fetch_all(&self.pool)
            .await?;
        let mut bodies: Vec<Body> = rows.iter().map(body_row).collect::<Result<_, _>>()?;
        bodies.sort_by_key(|b| {
            (
                BodyKind::ALL.iter().position(|k| *k == b.kind),
                b.name.clone(),
            )
        });
        Ok(bodies)
    }

    pub async fn body(&self, id: BodyId) -> Result<Body, StoreError> {
        body_in(&mut *self.conn().await?, id).await
    }

    pub async fn terms(&self, organisation: OrganisationId) -> Result<Vec<Term>, StoreError> {
        let rows = sqlx::query("SELECT * FROM terms WHERE organisation_id = $1 ORDER BY starts")
            .bind(organisation.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Term {
                    id: TermId(r.try_get("id")?),
                    organisation: OrganisationId(r.try_get("organisation_id")?),
                    starts: date(&r.try_get::<String, _>("starts")?)?,
                    ends: date(&r.try_get::<String, _>("ends")?)?,
                })
            })
            .collect()
    }

    /// The members and substitutes of a body, all terms, chair first.
    pub async fn members(&self, body: BodyId) -> Result<Vec<Member>, StoreError> {
        let b = self.body(body).await?;
        let memberships = memberships_in(&mut *self.conn().await?, body, None).await?;
        let terms: HashMap<TermId, Term> = self
            .terms(b.organisation)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let persons = self
            .persons(&memberships.iter().map(|m| m.person).collect::<Vec<_>>())
            .await?;
        let mut out = Vec::new();
        for m in memberships {
            let person = persons
                .get(&m.person)
                .cloned()
                .ok_or_else(|| not_found("personen", m.person))?;
            let term = terms
                .get(&m.term)
                .cloned()
                .ok_or_else(|| not_found("mandatperioden", m.term))?;
            out.push(Member {
                person,
                membership: m,
                term,
            });
        }
        out.sort_by(|a, b| {
            (b.term.starts, a.membership.role.rank(), &a.person.name).cmp(&(
                a.term.starts,
                b.membership.role.rank(),
                &b.person.name,
            ))
        });
        Ok(out)
    }

    pub async fn person(&self, id: PersonId) -> Result<Person, StoreError> {
        let row = sqlx::query("SELECT * FROM persons WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| not_found("personen", id))?;
        person_row(&row)
    }

    /// The persons with these ids (unknown ids are left out).
    pub async fn persons(&self, ids: &[PersonId]) -> Result<HashMap<PersonId, Person>, StoreError> {
        let mut out = HashMap::new();
        // One query per batch; Any has no array binds, so the ids are inlined
        // as integers (never text from outside).
        for chunk in ids.chunks(500) {
            if chunk.is_empty() {
                continue;
            }
            let list = chunk
                .iter()
                .map(|i| i.0.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let sql = format!("SELECT * FROM persons WHERE id IN ({list})");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await?;
            for r in &rows {
                let p = person_row(r)?;
                out.insert(p.id, p);
            }
        }
        Ok(out)
    }

    pub async fn person_by_name(&self, name: &str) -> Result<Option<Person>, StoreError> {
        let row = sqlx::query("SELECT * FROM persons WHERE name = $1 ORDER BY id")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(person_row).transpose()
    }

    /// Meetings of a body, newest first.
    pub async fn meetings(&self, body: BodyId) -> Result<Vec<Meeting>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM meetings WHERE body_id = $1 ORDER BY date DESC, id DESC",
        )
        .bind(body.0)
        .fetch_all(&self.pool)
        .await?;
        let mut conn = self.conn().await?;
        let mut out = Vec::new();
        for id in ids {
            out.push(meeting_in(&mut conn, MeetingId(id)).await?);
        }
        Ok(out)
    }

    /// Every meeting, oldest first, with body and organisation.
    pub async fn all_meetings(&self) -> Result<Vec<MeetingSummary>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM meetings ORDER BY date, id")
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        let mut bodies: HashMap<BodyId, Body> = HashMap::new();
        let mut orgs: HashMap<OrganisationId, Organisation> = HashMap::new();
        for id in ids {
            let meeting = self.meeting(MeetingId(id)).await?;
            if let std::collections::hash_map::Entry::Vacant(e) = bodies.entry(meeting.body) {
                e.insert(self.body(meeting.body).await?);
            }
            let body = bodies[&meeting.body].clone();
            if let std::collections::hash_map::Entry::Vacant(e) = orgs.entry(body.organisation) {
                e.insert(self.organisation(body.organisation).await?);
            }
            let organisation = orgs[&body.organisation].clone();
            out.push(MeetingSummary {
                meeting,
                body,
                organisation,
            });
        }
        Ok(out)
    }

    pub async fn meeting(&self, id: MeetingId) -> Result<Meeting, StoreError> {
        meeting_in(&mut *self.conn().await?, id).await
    }

    /// The whole meeting: agenda, attendance and paragraphs.
    pub async fn meeting_record(&self, id: MeetingId) -> Result<MeetingRecord, StoreError> {
        meeting_record_in(&mut *self.conn().await?, id).await
    }

    /// The commands recorded at a meeting run with the engine, in order.
    pub async fn meeting_events(
        &self,
        id: MeetingId,
    ) -> Result<Vec<kansli_core::proceedings::Command>, StoreError> {
        meeting_events_in(&mut *self.conn().await?, id).await
    }

    pub async fn cases(&self, organisation: OrganisationId) -> Result<Vec<Case>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM cases WHERE organisation_id = $1 ORDER BY year DESC, sequence DESC",
        )
        .bind(organisation.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(case_row).collect()
    }

    pub async fn case(&self, id: CaseId) -> Result<Case, StoreError> {
        let row = sqlx::query("SELECT * FROM cases WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| not_found("ärendet", id))?;
        case_row(&row)
    }

    pub async fn case_by_number(
        &self,
        organisation: OrganisationId,
        number: &str,
    ) -> Result<Option<Case>, StoreError> {
        let row = sqlx::query("SELECT * FROM cases WHERE organisation_id = $1 AND number = $2")
            .bind(organisation.0)
            .bind(number)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(case_row).transpose()
    }

    /// The documents of a case, oldest first; secret ones included (the
    /// caller decides what a reader may see).
    pub async fn documents(&self, case: CaseId) -> Result<Vec<Document>, StoreError> {
        let rows = sqlx::query("SELECT * FROM documents WHERE case_id = $1 ORDER BY date, id")
            .bind(case.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(document_row).collect()
    }

    pub async fn motion(&self, case: CaseId) -> Result<Option<Motion>, StoreError> {
        let Some(r) = sqlx::query("SELECT * FROM motions WHERE case_id = $1")
            .bind(case.0)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let id: i64 = r.try_get("id")?;
        let movers = sqlx::query_scalar::<_, i64>(
            "SELECT person_id FROM motion_movers WHERE motion_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(Motion {
            case,
            title: r.try_get("title")?,
            filed: date(&r.try_get::<String, _>("filed")?)?,
            movers: movers.into_iter().map(PersonId).collect(),
            filed_in: BodyId(r.try_get("filed_in_id")?),
            referred_to: r.try_get::<Option<i64>, _>("referred_to_id")?.map(BodyId),
        }))
    }

    pub async fn officer_reports(&self, case: CaseId) -> Result<Vec<OfficerReport>, StoreError> {
        let contents: Vec<String> = sqlx::query_scalar(
            "SELECT content FROM officer_reports WHERE case_id = $1 ORDER BY date, id",
        )
        .bind(case.0)
        .fetch_all(&self.pool)
        .await?;
        contents.iter().map(|c| json(c)).collect()
    }

    /// Every agenda item that deals with the case, in date order: its journey
    /// through the bodies.
    pub async fn case_steps(&self, case: CaseId) -> Result<Vec<CaseStep>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.meeting_id, a.title, a.secrecy_ground, p.number FROM agenda_items a \
             JOIN meetings m ON m.id = a.meeting_id \
             LEFT JOIN paragraphs p ON p.agenda_item_id = a.id \
             WHERE a.case_id = $1 ORDER BY m.date, m.id",
        )
        .bind(case.0)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let meeting = self.meeting(MeetingId(r.try_get("meeting_id")?)).await?;
            let body = self.body(meeting.body).await?;
            out.push(CaseStep {
                meeting,
                body,
                item_title: r.try_get("title")?,
                item_public: r.try_get::<Option<String>, _>("secrecy_ground")?.is_none(),
                paragraph: r.try_get::<Option<i64>, _>("number")?.map(|n| n as u32),
            });
        }
        Ok(out)
    }

    /// The audit log of one entity ("case", "meeting"), oldest first.
    pub async fn audit_log(&self, entity: &str, id: i64) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{AUDIT_WITH_NAMES} WHERE a.entity = $1 AND a.entity_id = $2 ORDER BY a.id"
        )))
        .bind(entity)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit_row).collect()
    }

    /// The newest `limit` audit records, newest first.
    pub async fn audit_tail(&self, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM audit_log ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(audit_row).collect()
    }

    /// Checks a user's password. Unknown users and wrong passwords look the
    /// same to the caller, and cost the same: an unknown username is
    /// checked against a dummy hash with the same parameters, so timing
    /// does not tell which usernames exist. Argon2 takes tens of
    /// milliseconds of CPU, so it runs on a blocking thread, never on the
    /// async workers; callers that face the network also bound how many run
    /// at once (the web layer's `auth::verify_password`).
    pub async fn verify_user(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<User>, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        let (user, hash) = match row {
            Some(r) => (
                Some(User {
                    id: UserId(r.try_get("id")?),
                    username: r.try_get("username")?,
                    display_name: r.try_get("display_name")?,
                    is_admin: r.try_get::<i64, _>("is_admin")? != 0,
                }),
                Some(r.try_get::<String, _>("password_hash")?),
            ),
            None => (None, None),
        };
        let password = password.to_string();
        let matches =
            tokio::task::spawn_blocking(move || password_matches(hash.as_deref(), &password))
                .await
                .map_err(|e| StoreError::Corrupt(format!("lösenordskontrollen avbröts: {e}")))??;
        Ok(user.filter(|_| matches))
    }
}

/// Whether `password` matches the stored `hash`; with no hash (an unknown
/// user), the same work is done against a dummy hash and the answer is no.
/// CPU-bound: call it on a blocking thread.
pub fn password_matches(hash: Option<&str>, password: &str) -> Result<bool, StoreError> {
    use argon2::{PasswordHash, PasswordVerifier};
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let (hash, known) = match hash {
        Some(h) => (h, true),
        None => {
            let dummy = match DUMMY.get() {
                Some(d) => d,
                None => {
                    let made = hash_password("inte ett lösenord, bara jämförelse")?;
                    DUMMY.get_or_init(|| made)
                }
            };
            (dummy.as_str(), false)
        }
    };
    let parsed = PasswordHash::new(hash).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let ok = argon2::Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    Ok(ok && known)
}

pub(crate) fn audit_row(r: &AnyRow) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        detail: json(&r.try_get::<String, _>("detail")?)?,
        actor_name: r.try_get::<Option<String>, _>("actor_name").ok().flatten(),
    })
}
