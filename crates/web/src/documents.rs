//! The documents as files: protocol, kallelse and anslag of a meeting, the
//! extract of a paragraph, the officer's report of a case, each as PDF/A,
//! HTML or text. The public routes give the public version: secret content
//! is left out exactly as on the pages. The secretariat's route for the
//! officer's report gives the complete one.

use crate::AppState;
use crate::error::{PageError, WebError};
use crate::pages::parse_id;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kansli_core::{CaseId, MeetingId};
use kansli_documents::view::Audience;
use kansli_documents::{Format, Request};

/// "protokoll.pdf" -> ("protokoll", Pdf).
fn split_file(file: &str) -> Result<(&str, Format), WebError> {
    let not_found = || WebError::NotFound(format!("dokumentet «{file}» finns inte"));
    let (name, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    let format = match ext {
        "pdf" => Format::Pdf,
        "html" => Format::Html,
        "txt" => Format::Text,
        _ => return Err(not_found()),
    };
    Ok((name, format))
}

/// The document for `audience`, rendered in `format`.
pub(crate) async fn respond(
    app: &AppState,
    request: Request,
    format: Format,
    audience: Audience,
) -> Result<Response, PageError> {
    let doc = kansli_documents::load(&app.store, &request, audience).await?;
    let name = kansli_documents::file_name(&doc, format);
    let bytes = if format == Format::Pdf {
        // Typesetting is CPU-bound: at most one per core at a time, off the
        // async workers.
        let _permit =
            app.typesetting.clone().acquire_owned().await.map_err(|e| {
                WebError::Document(kansli_documents::DocumentError::Pdf(e.to_string()))
            })?;
        tokio::task::spawn_blocking(move || kansli_documents::render(&doc, format))
            .await
            .map_err(|e| {
                WebError::Document(kansli_documents::DocumentError::Pdf(e.to_string()))
            })??
    } else {
        kansli_documents::render(&doc, format)?
    };
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-cache".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// `/sammantraden/{id}/dokument/{protokoll|kallelse|anslag}.{pdf|html|txt}`.
pub async fn meeting_document(
    State(app): State<AppState>,
    Path((raw, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let meeting: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let (name, format) = split_file(&file)?;
    let request = match name {
        "protokoll" => Request::Protocol { meeting },
        "kallelse" => Request::Agenda { meeting },
        "anslag" => Request::Notice { meeting },
        _ => {
            return Err(WebError::NotFound(format!("dokumentet «{file}» finns inte")).into());
        }
    };
    if name == "protokoll"
        && format == Format::Pdf
        && let Some(answer) = signed_original(&app, meeting).await?
    {
        return Ok(answer);
    }
    respond(&app, request, format, Audience::Public).await
}

/// The public PDF of a protocol justerat by signatures: with no secret
/// paragraph the signed original itself, byte for byte; with one the
/// organisation's sealed public copy, made at the first request and kept
/// (issue #16, item 4). Stored bytes that no longer match their SHA-256, or rows that no
/// longer give the content that was signed, are refused, never served as
/// a justerat protocol (the mismatch is written to the meeting's log).
async fn signed_original(
    app: &AppState,
    meeting: MeetingId,
) -> Result<Option<Response>, PageError> {
    let cannot = || WebError::Forbidden(crate::sitting::CANNOT_SHOW_AS_JUSTERAT.into());
    let signed = match app.store.signed_protocol(meeting).await {
        Ok(Some(s)) => s,
        Ok(None) => return Ok(None),
        Err(kansli_store::StoreError::Corrupt(_)) => return Err(cannot().into()),
        Err(e) => return Err(WebError::Store(e).into()),
    };
    if crate::sitting::content_changed(app, meeting)
        .await
        .map_err(WebError::Store)?
        .is_some()
    {
        return Err(cannot().into());
    }
    let record = app
        .store
        .meeting_record(meeting)
        .await
        .map_err(WebError::Store)?;
    let m = &record.meeting;
    // With a secret paragraph the public gets the sealed copy without it,
    // which names the original's SHA-256; the original stays with staff.
    if kansli_documents::view::public_version_differs(&record) {
        let copy = crate::seal::public_copy(app, meeting, &signed.sha256).await?;
        let name = format!("protokoll-{}-offentlig-kopia.pdf", m.date);
        return Ok(Some(pdf_answer(&name, copy)));
    }
    let name = format!("protokoll-{}-justerat.pdf", m.date);
    Ok(Some(pdf_answer(&name, signed.bytes)))
}

fn pdf_answer(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-cache".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// `/sammantraden/{id}/paragrafer/{n}/utdrag.{pdf|html|txt}`.
pub async fn extract(
    State(app): State<AppState>,
    Path((raw, number, file)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let meeting: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let paragraph: u32 = parse_id(&number, "Paragrafen")?;
    let (name, format) = split_file(&file)?;
    if name != "utdrag" {
        return Err(WebError::NotFound(format!("dokumentet «{file}» finns inte")).into());
    }
    if format == Format::Pdf
        && let Some(bytes) = crate::seal::certified_extract(&app, meeting, paragraph).await?
    {
        // The certified extract, byte for byte; composing the public
        // extract first keeps every rule of what the public may see.
        let request = Request::Extract { meeting, paragraph };
        let doc = kansli_documents::load(&app.store, &request, Audience::Public).await?;
        let name = kansli_documents::file_name(&doc, format);
        return Ok((
            [
                (header::CONTENT_TYPE, format.media_type().to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "no-cache".to_string()),
            ],
            bytes,
        )
            .into_response());
    }
    respond(
        &app,
        Request::Extract { meeting, paragraph },
        format,
        Audience::Public,
    )
    .await
}

/// `/sekretariat/arenden/{case}/beslutsforslag/beslutsforslag.{pdf|html|txt}`:
/// the latest report in full for the case's staff, also when it is secret.
pub async fn staff_officer_report(
    State(app): State<AppState>,
    Path((raw, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let case: CaseId = parse_id(&raw, "Ärendet")?;
    let (name, format) = split_file(&file)?;
    if name != "beslutsforslag" {
        return Err(WebError::NotFound(format!("dokumentet «{file}» finns inte")).into());
    }
    respond(
        &app,
        Request::OfficerReport { case },
        format,
        Audience::Official,
    )
    .await
}

/// `/arenden/{id}/beslutsforslag.{pdf|html|txt}`; not found for a case
/// whose matter is secret.
pub async fn officer_report(
    State(app): State<AppState>,
    Path((raw, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let case: CaseId = parse_id(&raw, "Ärendet")?;
    let (name, format) = split_file(&file)?;
    if name != "beslutsforslag" {
        return Err(WebError::NotFound(format!("dokumentet «{file}» finns inte")).into());
    }
    respond(
        &app,
        Request::OfficerReport { case },
        format,
        Audience::Public,
    )
    .await
}
