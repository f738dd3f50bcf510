//! The security headers of every answer, set in one layer outside the cache
//! (so that a cached answer carries them too): a strict
//! Content-Security-Policy (no inline script, no framing), `nosniff`, a
//! referrer policy, HSTS over HTTPS, and `Cache-Control: no-store` on
//! whatever depends on the session, so that nothing of it is kept by the
//! browser after signing out (the Back button shows nothing).

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// HSTS when served over HTTPS: a year.
pub const HSTS: &str = "max-age=31536000";

/// The policy: our own origin only, no plugins, no `<base>`, forms only to
/// us, no framing by anyone. The one inline style allowed is the document
/// template's own (a document's HTML file stands alone, for the archive),
/// by its hash.
pub static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "default-src 'self'; style-src 'self' '{}'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'",
        document_style_hash()
    )
});

/// `sha256-…` of the `<style>` element of kansli-documents' HTML template
/// (no template code inside it, so what is rendered is what is written).
fn document_style_hash() -> String {
    const TEMPLATE: &str = include_str!("../../documents/templates/document.html");
    let style = TEMPLATE
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map_or("", |(style, _)| style);
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style.as_bytes()))
    )
}

/// Whether the answer to `req` may depend on who is signed in: a session
/// cookie (a signed-in user's view of a public page too), the secretariat,
/// sign-in and sign-out, an authenticated API request.
fn personal(req: &Request) -> bool {
    let path = req.uri().path();
    path.starts_with("/sekretariat")
        || path.starts_with("/logga-")
        || req.headers().contains_key(header::AUTHORIZATION)
        || req.headers().get_all(header::COOKIE).iter().any(|c| {
            c.to_str()
                .is_ok_and(|c| c.contains(crate::auth::SESSION_COOKIE))
        })
}

pub async fn layer(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let personal = personal(&req);
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    if personal || headers.contains_key(header::SET_COOKIE) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Ok(csp) = HeaderValue::from_str(&CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if app.config.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_policy_allows_the_document_style_by_its_hash() {
        let csp = &*super::CONTENT_SECURITY_POLICY;
        assert!(csp.contains("'sha256-"), "{csp}");
        assert!(
            !csp.contains("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"),
            "the style was not found: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
    }
}
