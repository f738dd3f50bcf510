//! HTTP Basic authentication for the API's write operations. (Browser
//! sign-in with sessions belongs to the secretariat UI.)

use crate::error::WebError;
use axum::http::{HeaderMap, header};
use base64::Engine;
use kansli_store::{Store, User};

/// The signed-in administrator, or why not.
pub async fn basic_admin(store: &Store, headers: &HeaderMap) -> Result<User, WebError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(WebError::Unauthorized);
    };
    let value = value.to_str().map_err(|_| WebError::Unauthorized)?;
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Err(WebError::Unauthorized);
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| WebError::Unauthorized)?;
    let decoded = String::from_utf8(decoded).map_err(|_| WebError::Unauthorized)?;
    let (username, password) = decoded.split_once(':').ok_or(WebError::Unauthorized)?;
    let user = store
        .verify_user(username, password)
        .await?
        .ok_or(WebError::Unauthorized)?;
    if !user.is_admin {
        return Err(WebError::Forbidden(
            "åtgärden kräver en administratör".into(),
        ));
    }
    Ok(user)
}
