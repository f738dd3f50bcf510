//! What the public follows across meetings: one person's memberships,
//! proposals, votes and reservations, and a body's votes by party. Only
//! public paragraphs are read: a secret paragraph's actors and ballots never
//! leave here.

use crate::{Store, StoreError};
use kansli_core::meeting::Paragraph;
use kansli_core::org::{Body, Membership};
use kansli_core::*;
use serde::Serialize;
use sqlx::Row;

/// Something a person did in a public paragraph.
#[derive(Debug, Clone, Serialize)]
pub struct Act {
    pub meeting: MeetingId,
    pub date: Date,
    pub body: String,
    pub number: u32,
    pub title: String,
    pub what: ActKind,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActKind {
    /// Moved a proposal (yrkande).
    Moved {
        text: String,
    },
    /// Cast a ballot in the paragraph's vote number `vote` (from 0).
    Voted {
        vote: usize,
        choice: String,
    },
    Reserved {
        text: String,
    },
    Noted {
        text: String,
    },
    Disqualified,
}

/// One ballot of a public vote, with the voter's party.
#[derive(Debug, Clone, Serialize)]
pub struct PartyBallot {
    pub meeting: MeetingId,
    pub date: Date,
    pub number: u32,
    pub title: String,
    pub vote: usize,
    pub person: PersonId,
    pub party: Option<String>,
    pub choice: String,
}

fn date(s: &str) -> Result<Date, StoreError> {
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("datum «{s}»: {e}")))
}

impl Store {
    /// A person's memberships, with the body and the term of each.
    pub async fn memberships_of(
        &self,
        person: PersonId,
    ) -> Result<Vec<(Membership, Body, org::Term)>, StoreError> {
        let rows = sqlx::query("SELECT * FROM memberships WHERE person_id = $1 ORDER BY id")
            .bind(person.0)
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let m = crate::read::membership_row(r)?;
            let body = self.body(m.body).await?;
            let term = self
                .terms(body.organisation)
                .await?
                .into_iter()
                .find(|t| t.id == m.term)
                .ok_or_else(|| StoreError::Corrupt(format!("mandatperiod {} saknas", m.term)))?;
            out.push((m, body, term));
        }
        Ok(out)
    }

    /// The stored id of a membership: the stable public id of the seat a
    /// person holds in a body for a term.
    pub async fn membership_id(&self, m: &Membership) -> Result<i64, StoreError> {
        sqlx::query_scalar(
            "SELECT id FROM memberships WHERE person_id = $1 AND body_id = $2 AND term_id = $3",
        )
        .bind(m.person.0)
        .bind(m.body.0)
        .bind(m.term.0)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "uppdraget",
            id: format!("{} i {}", m.person, m.body),
        })
    }

    /// The membership with stored id `id`.
    pub async fn membership_by_id(&self, id: i64) -> Result<Membership, StoreError> {
        let row = sqlx::query("SELECT * FROM memberships WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "uppdraget",
                id: id.to_string(),
            })?;
        crate::read::membership_row(&row)
    }

    /// What a person did in public paragraphs, newest meeting first.
    pub async fn acts_of(&self, person: PersonId) -> Result<Vec<Act>, StoreError> {
        let actors = sqlx::query(
            "SELECT x.role, x.position, p.meeting_id, p.number, p.title, p.content, m.date, b.name AS body \
             FROM paragraph_actors x JOIN paragraphs p ON p.id = x.paragraph_id \
             JOIN agenda_items ai ON ai.id = p.agenda_item_id \
             JOIN meetings m ON m.id = p.meeting_id JOIN bodies b ON b.id = p.body_id \
             WHERE x.person_id = $1 AND p.secrecy_ground IS NULL AND ai.secrecy_ground IS NULL",
        )
        .bind(person.0)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in &actors {
            let content: Paragraph = serde_json::from_str(&r.try_get::<String, _>("content")?)?;
            let i = r.try_get::<i64, _>("position")? as usize;
            let what = match r.try_get::<String, _>("role")?.as_str() {
                "mover" => ActKind::Moved {
                    text: content
                        .proposals
                        .get(i)
                        .map(|p| p.text.clone())
                        .unwrap_or_default(),
                },
                "reserver" => ActKind::Reserved {
                    text: content
                        .reservations
                        .get(i)
                        .map(|x| x.text.clone())
                        .unwrap_or_default(),
                },
                "note" => ActKind::Noted {
                    text: content
                        .minute_notes
                        .get(i)
                        .map(|x| x.text.clone())
                        .unwrap_or_default(),
                },
                _ => ActKind::Disqualified,
            };
            out.push(Act {
                meeting: MeetingId(r.try_get("meeting_id")?),
                date: date(&r.try_get::<String, _>("date")?)?,
                body: r.try_get("body")?,
                number: r.try_get::<i64, _>("number")? as u32,
                title: r.try_get("title")?,
                what,
            });
        }
        let ballots = sqlx::query(
            "SELECT v.vote_position, v.choice, p.meeting_id, p.number, p.title, m.date, b.name AS body \
             FROM ballots v JOIN paragraphs p ON p.id = v.paragraph_id \
             JOIN agenda_items ai ON ai.id = p.agenda_item_id \
             JOIN meetings m ON m.id = p.meeting_id JOIN bodies b ON b.id = p.body_id \
             WHERE v.person_id = $1 AND p.secrecy_ground IS NULL AND ai.secrecy_ground IS NULL",
        )
        .bind(person.0)
        .fetch_all(self.pool())
        .await?;
        for r in &ballots {
            out.push(Act {
                meeting: MeetingId(r.try_get("meeting_id")?),
                date: date(&r.try_get::<String, _>("date")?)?,
                body: r.try_get("body")?,
                number: r.try_get::<i64, _>("number")? as u32,
                title: r.try_get("title")?,
                what: ActKind::Voted {
                    vote: r.try_get::<i64, _>("vote_position")? as usize,
                    choice: r.try_get("choice")?,
                },
            });
        }
        out.sort_by(|a, b| b.date.cmp(&a.date).then(a.number.cmp(&b.number)));
        Ok(out)
    }

    /// Every ballot of the body's public votes, with the voter's party.
    pub async fn party_ballots(&self, body: BodyId) -> Result<Vec<PartyBallot>, StoreError> {
        let rows = sqlx::query(
            "SELECT v.vote_position, v.person_id, v.choice, s.party, p.meeting_id, p.number, p.title, m.date \
             FROM ballots v JOIN paragraphs p ON p.id = v.paragraph_id \
             JOIN agenda_items ai ON ai.id = p.agenda_item_id \
             JOIN meetings m ON m.id = p.meeting_id JOIN persons s ON s.id = v.person_id \
             WHERE p.body_id = $1 AND p.secrecy_ground IS NULL AND ai.secrecy_ground IS NULL \
             ORDER BY m.date DESC, p.number, v.vote_position",
        )
        .bind(body.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PartyBallot {
                    meeting: MeetingId(r.try_get("meeting_id")?),
                    date: date(&r.try_get::<String, _>("date")?)?,
                    number: r.try_get::<i64, _>("number")? as u32,
                    title: r.try_get("title")?,
                    vote: r.try_get::<i64, _>("vote_position")? as usize,
                    person: PersonId(r.try_get("person_id")?),
                    party: r.try_get("party")?,
                    choice: r.try_get("choice")?,
                })
            })
            .collect()
    }
}
