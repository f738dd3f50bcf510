//! Bulk export of a body's decisions and votes, as CSV (for a spreadsheet)
//! and JSON, built from the public read models: a secret paragraph is a row
//! with its number and nothing else, and its votes are not there.

use crate::AppState;
use crate::error::{ApiError, WebError};
use crate::pages::parse_id;
use crate::view;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kansli_core::{BodyId, MeetingId};
use serde::Serialize;
use utoipa::ToSchema;

/// One paragraph of the body's protocols.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct DecisionRow {
    pub meeting_id: i64,
    pub meeting_date: String,
    pub paragraph: u32,
    pub public: bool,
    /// Empty for a secret paragraph.
    pub title: String,
    pub case_number: String,
    /// The decision as worded in the protocol.
    pub decision: String,
    pub proposals: usize,
    pub votes: usize,
    pub reservations: usize,
    pub url: String,
}

/// One member's ballot in one vote.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct BallotRow {
    pub meeting_id: i64,
    pub meeting_date: String,
    pub paragraph: u32,
    pub title: String,
    /// The vote's number within the paragraph, from 1.
    pub vote: usize,
    pub person_id: i64,
    pub name: String,
    pub party: String,
    /// ja, nej or avstar.
    pub choice: String,
    pub url: String,
}

async fn meetings(app: &AppState, body: BodyId) -> Result<Vec<view::MeetingView>, WebError> {
    let mut list = app.store.meetings(body).await?;
    list.sort_by_key(|m| m.date);
    let mut out = Vec::new();
    for m in list {
        out.push(view::meeting(&app.store, MeetingId(m.id.0)).await?);
    }
    Ok(out)
}

async fn decision_rows(app: &AppState, body: BodyId) -> Result<Vec<DecisionRow>, WebError> {
    let mut rows = Vec::new();
    for m in meetings(app, body).await? {
        for p in &m.paragraphs {
            let decision = p
                .decision
                .as_ref()
                .filter(|_| p.public)
                .map(|d| {
                    d.parts
                        .iter()
                        .map(|part| {
                            let clauses: Vec<String> =
                                part.clauses.iter().map(|c| c.text.clone()).collect();
                            format!("{} {}", part.intro, clauses.join("; "))
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            rows.push(DecisionRow {
                meeting_id: m.summary.id,
                meeting_date: m.summary.date.clone(),
                paragraph: p.number,
                public: p.public,
                title: if p.public {
                    p.title.clone()
                } else {
                    String::new()
                },
                case_number: p
                    .case_number
                    .clone()
                    .filter(|_| p.public)
                    .unwrap_or_default(),
                decision,
                proposals: if p.public { p.proposals.len() } else { 0 },
                votes: if p.public { p.votes.len() } else { 0 },
                reservations: if p.public { p.reservations.len() } else { 0 },
                url: p.html.clone(),
            });
        }
    }
    Ok(rows)
}

async fn ballot_rows(app: &AppState, body: BodyId) -> Result<Vec<BallotRow>, WebError> {
    let mut rows = Vec::new();
    for m in meetings(app, body).await? {
        for p in m.paragraphs.iter().filter(|p| p.public) {
            for (i, v) in p.votes.iter().enumerate() {
                for b in &v.ballots {
                    rows.push(BallotRow {
                        meeting_id: m.summary.id,
                        meeting_date: m.summary.date.clone(),
                        paragraph: p.number,
                        title: p.title.clone(),
                        vote: i + 1,
                        person_id: b.person.id,
                        name: b.person.name.clone(),
                        party: b.person.party.clone().unwrap_or_default(),
                        choice: b.choice.clone(),
                        url: p.html.clone(),
                    });
                }
            }
        }
    }
    Ok(rows)
}

/// The rows as CSV with a header line, also when there are no rows (a
/// spreadsheet or script then still sees the columns).
fn csv_bytes<T: Serialize + Default>(rows: &[T]) -> Result<Vec<u8>, csv::Error> {
    if rows.is_empty() {
        // The header is what serde writes before the first row: write one
        // empty row and keep its header line only.
        let mut probe = csv::Writer::from_writer(Vec::new());
        probe.serialize(T::default())?;
        let probe = probe.into_inner().map_err(|e| e.into_error())?;
        let line = probe.split(|b| *b == b'\n').next().unwrap_or_default();
        let mut out = line.to_vec();
        out.push(b'\n');
        return Ok(out);
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

fn csv_response<T: Serialize + Default>(rows: &[T], name: &str) -> Result<Response, WebError> {
    let bytes = csv_bytes(rows).map_err(|e| {
        tracing::error!(error = %e, "CSV export failed");
        WebError::BadRequest(format!("Exporten kunde inte skrivas som CSV: {e}"))
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Every paragraph of the body's protocols, oldest first.
#[utoipa::path(get, path = "/api/v1/bodies/{id}/decisions.json", tag = "kansli",
    params(("id" = i64, Path, description = "Organets id")),
    responses((status = 200, description = "Besluten", body = [DecisionRow]),
        (status = 404, description = "Finns inte", body = crate::error::Problem)))]
pub async fn decisions_json(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<Vec<DecisionRow>>, ApiError> {
    let id = parse_id(&raw, "Organet")?;
    Ok(Json(decision_rows(&app, id).await?))
}

/// The same as CSV.
#[utoipa::path(get, path = "/api/v1/bodies/{id}/decisions.csv", tag = "kansli",
    params(("id" = i64, Path, description = "Organets id")),
    responses((status = 200, description = "Besluten som CSV", content_type = "text/csv", body = String),
        (status = 404, description = "Finns inte", body = crate::error::Problem)))]
pub async fn decisions_csv(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&raw, "Organet")?;
    Ok(csv_response(
        &decision_rows(&app, id).await?,
        &format!("beslut-organ-{id}.csv"),
    )?)
}

/// Every ballot of the body's public votes, oldest first.
#[utoipa::path(get, path = "/api/v1/bodies/{id}/votes.json", tag = "kansli",
    params(("id" = i64, Path, description = "Organets id")),
    responses((status = 200, description = "Rösterna", body = [BallotRow]),
        (status = 404, description = "Finns inte", body = crate::error::Problem)))]
pub async fn votes_json(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Json<Vec<BallotRow>>, ApiError> {
    let id = parse_id(&raw, "Organet")?;
    Ok(Json(ballot_rows(&app, id).await?))
}

/// The same as CSV.
#[utoipa::path(get, path = "/api/v1/bodies/{id}/votes.csv", tag = "kansli",
    params(("id" = i64, Path, description = "Organets id")),
    responses((status = 200, description = "Rösterna som CSV", content_type = "text/csv", body = String),
        (status = 404, description = "Finns inte", body = crate::error::Problem)))]
pub async fn votes_csv(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&raw, "Organet")?;
    Ok(csv_response(
        &ballot_rows(&app, id).await?,
        &format!("roster-organ-{id}.csv"),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_export_still_has_its_header() {
        let empty = String::from_utf8(csv_bytes::<BallotRow>(&[]).unwrap()).unwrap();
        let one = String::from_utf8(csv_bytes(&[BallotRow::default()]).unwrap()).unwrap();
        assert_eq!(
            empty,
            "meeting_id,meeting_date,paragraph,title,vote,person_id,name,party,choice,url\n"
        );
        assert!(one.starts_with(&empty));
        let decisions = String::from_utf8(csv_bytes::<DecisionRow>(&[]).unwrap()).unwrap();
        assert!(decisions.starts_with("meeting_id,meeting_date,paragraph,public,title,"));
    }
}
