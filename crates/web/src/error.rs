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
    #[error("För många misslyckade inloggningar. Försök igen om {minutes} minuter.")]
    TooManyAttempts { minutes: u64 },
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
            WebError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
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

/// The body of an API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// HTTP status code.
    pub status: u16,
    /// What went wrong, in Swedish.
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
        let problem = Problem {
            status: status.as_u16(),
            message: self.0.public_message(),
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
