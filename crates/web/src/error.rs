//! Errors of the HTTP layer: a Swedish HTML page for browsers, a JSON problem
//! for the API. Internal details are logged, not shown.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use kansli_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("inloggning krävs")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    /// An API write without a valid API token: one answer for every reason
    /// (none, another scheme, malformed, unknown, revoked).
    #[error(
        "API-anrop som ändrar något kräver en giltig API-nyckel i huvudet Authorization: Bearer <nyckel>"
    )]
    NoApiToken,
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Too many password checks are already waiting.
    #[error("Servern har för många inloggningar att pröva just nu. Försök igen om en stund.")]
    Busy,
    /// A form or body over its limit (`kansli_core::limits`), with the limit.
    #[error("{0}")]
    TooLarge(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("sidan kunde inte visas: {0}")]
    Render(#[from] askama::Error),
    #[error(transparent)]
    Document(kansli_documents::DocumentError),
}

impl From<kansli_documents::DocumentError> for WebError {
    fn from(e: kansli_documents::DocumentError) -> Self {
        match e {
            kansli_documents::DocumentError::Store(s) => WebError::Store(s),
            other => WebError::Document(other),
        }
    }
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound(_) | WebError::Store(StoreError::NotFound { .. }) => {
                StatusCode::NOT_FOUND
            }
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Store(StoreError::Refused(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Store(StoreError::Conflict(_) | StoreError::Sealed(_)) => {
                StatusCode::CONFLICT
            }
            WebError::Document(d) => {
                use kansli_documents::DocumentError as D;
                match d {
                    D::NoParagraph { .. }
                    | D::NoProtocol { .. }
                    | D::NoReport { .. }
                    | D::NoCase(_)
                    | D::NotPosted
                    | D::NotPublic(_)
                    | D::Format(_) => StatusCode::NOT_FOUND,
                    D::Secret(_) => StatusCode::FORBIDDEN,
                    D::Store(_) | D::Pdf(_) | D::Html(_) => StatusCode::INTERNAL_SERVER_ERROR,
                }
            }
            WebError::Unauthorized | WebError::NoApiToken => StatusCode::UNAUTHORIZED,
            WebError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the reader is told: the error itself for their mistakes, a
    /// general sentence for ours.
    fn public_message(&self) -> String {
        if self.status().is_server_error() && !matches!(self, WebError::Busy) {
            tracing::error!(error = %self, "request failed");
            "Ett fel uppstod hos oss. Försök igen om en stund.".into()
        } else {
            self.to_string()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    heading: String,
    message: String,
}

/// An error on an HTML page.
pub struct PageError(pub WebError);

impl<E: Into<WebError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let heading = match status {
            StatusCode::NOT_FOUND => "Sidan finns inte",
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "Felaktig uppgift",
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "Ingen behörighet",
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => "Vänta en stund",
            _ => "Något gick fel",
        };
        let page = ErrorPage {
            heading: heading.into(),
            message: self.0.public_message(),
        };
        let body = page
            .render()
            .unwrap_or_else(|_| format!("<h1>{heading}</h1>"));
        let mut response = (status, Html(body)).into_response();
        retry_after(&self.0, &mut response);
        response
    }
}

/// The body of an API error, in the manner of RFC 9457 (problem details),
/// always in Swedish.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// HTTP status code.
    pub status: u16,
    /// The kind of error, in Swedish ("Finns inte", "Felaktig begäran" …).
    pub title: String,
    /// What went wrong in this request, in Swedish.
    pub detail: String,
    /// The same as `detail` (kept for clients of the API's first version).
    pub message: String,
    /// For refused input: each refusal with where it applies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refusals: Vec<RefusalView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefusalView {
    pub at: String,
    pub reason: String,
}

/// An error in the JSON API.
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let refusals = match &self.0 {
            WebError::Store(StoreError::Refused(r)) => r
                .iter()
                .map(|r| RefusalView {
                    at: r.at.clone(),
                    reason: r.reason.clone(),
                })
                .collect(),
            _ => vec![],
        };
        let detail = self.0.public_message();
        let problem = Problem {
            status: status.as_u16(),
            title: title_sv(status).into(),
            message: detail.clone(),
            detail,
            refusals,
        };
        let mut response = (status, axum::Json(problem)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"Kansli\""),
            );
        }
        retry_after(&self.0, &mut response);
        response
    }
}

/// A busy server says when to come back.
fn retry_after(e: &WebError, response: &mut Response) {
    if matches!(e, WebError::Busy) {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    }
}

/// The Swedish title of an error status.
pub(crate) fn title_sv(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Felaktig begäran",
        401 => "Inloggning krävs",
        403 => "Ingen behörighet",
        404 => "Finns inte",
        405 => "Metoden stöds inte",
        406 => "Formatet kan inte levereras",
        409 => "Konflikt",
        413 => "Begäran är för stor",
        414 => "Adressen är för lång",
        415 => "Fel innehållstyp",
        422 => "Uppgifterna godtogs inte",
        429 => "För många förfrågningar",
        s if s >= 500 => "Fel hos oss",
        _ => "Begäran kunde inte utföras",
    }
}

/// What an error status means, for answers that carry no message of their
/// own (the framework's rejections).
fn detail_sv(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Begäran kunde inte tolkas: kontrollera adressen och parametrarna.",
        401 => "Åtgärden kräver inloggning.",
        403 => "Du har inte behörighet till åtgärden.",
        404 => "Resursen finns inte i API:t.",
        405 => "Adressen finns, men inte med den här HTTP-metoden; se huvudet Allow.",
        406 => "Svaret finns inte i något av de format som begäran godtar.",
        413 => "Begärans innehåll är större än vad som tas emot.",
        414 => "Adressen är längre än vad som tas emot.",
        415 => "Innehållet måste skickas som application/json.",
        422 => "Uppgifterna i begäran godtogs inte.",
        429 => "För många förfrågningar. Vänta en stund och försök igen.",
        s if s >= 500 => "Ett fel uppstod hos oss. Försök igen om en stund.",
        _ => "Begäran kunde inte utföras.",
    }
}

/// Every error under `/api/` is a Swedish JSON problem: the framework's
/// own rejections (a bad path or query, a wrong method, a body too large)
/// and the HTML error pages of the shared guard are rewritten to one,
/// keeping the status and headers such as `Allow` and `WWW-Authenticate`.
pub async fn api_problems(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if status.as_u16() < 400 || is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let problem = Problem {
        status: status.as_u16(),
        title: title_sv(status).into(),
        detail: detail_sv(status).into(),
        message: detail_sv(status).into(),
        refusals: vec![],
    };
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, axum::body::Body::from(body))
}
