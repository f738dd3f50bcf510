//! Bulk export of a body's decisions and votes, as CSV (for a spreadsheet)
//! and JSON, built from the public read models: a secret paragraph is a row
//! with its number and nothing else, and its votes are not there.
//!
//! The CSV is what Swedish Excel opens as columns: `;`-separated (the
//! comma is the decimal sign in a Swedish locale), UTF-8 with a byte order
//! mark (without it Excel reads å, ä, ö as Windows-1252), CRLF line ends.
//! A cell that a spreadsheet would take for a formula (starting with `=`,
//! `+`, `-`, `@`, a tab or a CR) is prefixed with `'`, so a stored title
//! cannot run a formula on the reader's machine (OWASP, "CSV injection").
//! The `url` of each row is absolute, from [`crate::Config::public_url`].

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
    app.store.body(body).await?;
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
                url: app.config.absolute(&p.html),
            });
        }
    }
    Ok(rows)
}

async fn ballot_rows(app: &AppState, body: BodyId) -> Result<Vec<BallotRow>, WebError> {
    app.store.body(body).await?;
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
                        url: app.config.absolute(&p.html),
                    });
                }
            }
        }
    }
    Ok(rows)
}

/// A cell as a spreadsheet may read it: one that would start a formula
/// gets a leading `'`; control characters other than line breaks are
/// dropped.
fn neutralise(cell: &str) -> String {
    let cell = crate::clean::text(cell);
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.into_owned(),
    }
}

/// The rows as CSV for Swedish Excel (see the module's documentation),
/// with a header line also when there are no rows (a spreadsheet or
/// script then still sees the columns).
fn csv_bytes<T: Serialize + Default>(rows: &[T]) -> Result<Vec<u8>, csv::Error> {
    // serde writes the header before the first row: with no rows, one
    // empty row is written and left out below.
    let probe = [T::default()];
    let (rows, skip) = match rows.is_empty() {
        true => (&probe[..], 1),
        false => (rows, 0),
    };
    let mut plain = csv::Writer::from_writer(Vec::new());
    for r in rows {
        plain.serialize(r)?;
    }
    let plain = plain.into_inner().map_err(|e| e.into_error())?;
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let mut read = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(plain.as_slice());
    for (i, record) in read.records().enumerate() {
        if i > 0 && i <= skip {
            continue;
        }
        let record = record?;
        out.write_record(record.iter().map(neutralise))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// A file name of ASCII letters, digits and dashes for `what` and the
/// body's name ("beslut-regionstyrelsens-arbetsutskott.csv").
fn file_name(what: &str, body: &str) -> String {
    let mut slug = String::new();
    for c in body.to_lowercase().chars() {
        let c = match c {
            'å' | 'ä' | 'à' | 'á' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' => 'o',
            'é' | 'è' | 'ë' => 'e',
            'ü' => 'u',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if c != '-' || !(slug.is_empty() || slug.ends_with('-')) {
            slug.push(c);
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    let slug = slug.trim_end_matches('-');
    match slug.is_empty() {
        true => format!("{what}.csv"),
        false => format!("{what}-{slug}.csv"),
    }
}

async fn csv_response<T: Serialize + Default>(
    app: &AppState,
    rows: &[T],
    what: &str,
    body: BodyId,
) -> Result<Response, WebError> {
    let name = file_name(what, &app.store.body(body).await?.name);
    let bytes = csv_bytes(rows).map_err(|e| {
        tracing::error!(error = %e, "CSV export failed");
        // Writing into memory does not fail; should it, it is ours (500).
        WebError::Document(kansli_documents::DocumentError::Pdf(format!("CSV: {e}")))
    })?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/csv; charset=utf-8; header=present".to_string(),
            ),
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
    Ok(csv_response(&app, &decision_rows(&app, id).await?, "beslut", id).await?)
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
    Ok(csv_response(&app, &ballot_rows(&app, id).await?, "roster", id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<T: Serialize + Default>(rows: &[T]) -> String {
        let bytes = csv_bytes(rows).unwrap();
        let rest = bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .expect("a byte order mark");
        String::from_utf8(rest.to_vec()).unwrap()
    }

    #[test]
    fn an_empty_export_still_has_its_header() {
        let empty = text::<BallotRow>(&[]);
        let one = text(&[BallotRow::default()]);
        assert_eq!(
            empty,
            "meeting_id;meeting_date;paragraph;title;vote;person_id;name;party;choice;url\r\n"
        );
        assert!(one.starts_with(&empty));
        assert!(one.len() > empty.len());
        let decisions = text::<DecisionRow>(&[]);
        assert!(decisions.starts_with("meeting_id;meeting_date;paragraph;public;title;"));
    }

    #[test]
    fn formulas_are_neutralised_and_separators_quoted() {
        let rows = [BallotRow {
            title: "=SUM(1)".into(),
            name: "-2+3".into(),
            party: "@x".into(),
            choice: "ja; nej".into(),
            url: "+46".into(),
            ..BallotRow::default()
        }];
        let csv = text(&rows);
        let line = csv.lines().nth(1).unwrap();
        assert_eq!(line, "0;;0;'=SUM(1);0;0;'-2+3;'@x;\"ja; nej\";'+46");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("Budget 2025"), "Budget 2025");
    }

    #[test]
    fn file_names_are_ascii() {
        assert_eq!(
            file_name("beslut", "Regionstyrelsens arbetsutskott"),
            "beslut-regionstyrelsens-arbetsutskott.csv"
        );
        assert_eq!(
            file_name("roster", "Kommunfullmäktige i Umeå"),
            "roster-kommunfullmaktige-i-umea.csv"
        );
        assert_eq!(file_name("beslut", "«»"), "beslut.csv");
    }
}
