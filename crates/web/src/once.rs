//! Requests that are safe to send twice. Every form a signed-in user is
//! shown carries a fresh one-time key (hidden field [`FIELD`]); an API
//! write may carry an `Idempotency-Key` header. The guard ([`crate::auth`])
//! finds the key and hands the request here: the key is reserved before the
//! handler runs and its answer kept after, so that the same key again —
//! a double click, a reload, a retry whose answer was lost — changes
//! nothing and is answered as the first time (the same redirect and
//! message, the same JSON). A request that failed on our side (5xx) frees
//! its key for a retry.

use crate::AppState;
use crate::error::{ApiError, PageError, Problem, WebError};
use askama::Template;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use kansli_store::idempotency::{KeptAnswer, MAX_KEY_LEN, Reservation};
use std::time::{Duration, Instant};

/// The hidden field of a form's one-time key.
pub const FIELD: &str = "once";
/// The API's header (draft-ietf-httpapi-idempotency-key-header).
pub const HEADER: &str = "idempotency-key";
/// The largest answer body kept for a replay; a redirect has none.
const MAX_KEPT: u64 = 256 * 1024;

/// A fresh key for one form, as templates put it in the hidden field:
/// `{{ crate::once::key() }}`.
pub fn key() -> String {
    kansli_store::access::random_token()
}

/// A request's key, who sent it, and what it asked.
#[derive(Debug, Clone)]
pub struct Key {
    /// `user:{id}` for a signed-in user's form, `api:{id}` for the API.
    pub actor: String,
    pub key: String,
    /// SHA-256 of method, path and body.
    pub fingerprint: String,
    /// Answer problems as JSON (the API) rather than as a page.
    pub api: bool,
}

impl Key {
    /// The key of a request (`parts`, `body`) from `actor`, if `key` is a
    /// usable one: 1 to [`MAX_KEY_LEN`] visible ASCII characters.
    pub fn new(
        actor: String,
        key: &str,
        parts: &axum::http::request::Parts,
        body: &[u8],
        api: bool,
    ) -> Option<Key> {
        let usable = !key.is_empty()
            && key.len() <= MAX_KEY_LEN
            && key.bytes().all(|b| b.is_ascii_graphic());
        usable.then(|| {
            let mut seen = Vec::with_capacity(body.len() + 64);
            seen.extend_from_slice(parts.method.as_str().as_bytes());
            seen.push(0);
            seen.extend_from_slice(parts.uri.path().as_bytes());
            seen.push(0);
            seen.extend_from_slice(body);
            Key {
                actor,
                key: key.to_string(),
                fingerprint: kansli_store::access::sha256_hex(&seen),
                api,
            }
        })
    }
}

/// An API write with `Idempotency-Key`: reads the body (at most `limit`
/// bytes) for the request's fingerprint and hands it on unchanged.
pub async fn api_key(
    req: Request,
    actor: String,
    limit: usize,
) -> Result<(Request, Option<Key>), Response> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok((req, None));
    };
    let Some(raw) = value.to_str().ok().map(str::to_string) else {
        return Err(bad_key());
    };
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError(WebError::BadRequest(format!(
            "begäran är för stor (högst {} MB) eller kom inte fram helt",
            limit / (1024 * 1024)
        )))
        .into_response()
    })?;
    let key = Key::new(actor, raw.trim(), &parts, &bytes, true).ok_or_else(bad_key)?;
    Ok((Request::from_parts(parts, Body::from(bytes)), Some(key)))
}

fn bad_key() -> Response {
    ApiError(WebError::BadRequest(format!(
        "Idempotency-Key ska vara 1–{MAX_KEY_LEN} synliga ASCII-tecken"
    )))
    .into_response()
}

/// How long a second request waits for the first with the same key (a
/// double click) before it is told that the form is being handled.
const WAIT: Duration = Duration::from_secs(3);
const POLL: Duration = Duration::from_millis(100);

/// Runs the handler once per key: the first request with it reserves it
/// and its answer is kept; later ones get that answer.
pub async fn run(app: &AppState, key: Key, req: Request, next: Next) -> Response {
    let deadline = Instant::now() + WAIT;
    'reserve: loop {
        let reserved = async {
            let mut tx = app.store.begin(&key.actor).await?;
            let r = tx
                .reserve_key(&key.actor, &key.key, &key.fingerprint)
                .await?;
            // The keys are in no cached answer: a keyed ballot must leave
            // the public pages' cache as it was.
            tx.commit_unpublished().await?;
            Ok::<_, kansli_store::StoreError>(r)
        }
        .await;
        match reserved {
            Err(e) => return failure(&key, WebError::Store(e)),
            Ok(Reservation::Reserved) => break,
            Ok(Reservation::Seen {
                same_request: false,
                ..
            }) if key.api => return mismatch(),
            Ok(Reservation::Seen {
                answer: Some(answer),
                ..
            }) => return replay(answer),
            Ok(Reservation::Seen { answer: None, .. }) => loop {
                // The first is under way: its answer is usually a moment
                // away, and then this one gets it too.
                if Instant::now() >= deadline {
                    return pending(&key, req.headers());
                }
                tokio::time::sleep(POLL).await;
                match app
                    .store
                    .key_state(&key.actor, &key.key, &key.fingerprint)
                    .await
                {
                    Err(e) => return failure(&key, WebError::Store(e)),
                    // It failed and was released: this one may do the work.
                    Ok(None) => continue 'reserve,
                    Ok(Some(Reservation::Seen {
                        answer: Some(answer),
                        ..
                    })) => return replay(answer),
                    Ok(Some(_)) => {}
                }
            },
        }
    }
    // The handler and the keeping of its answer run to the end even when
    // the client goes away, so that a retry after a lost answer is
    // answered from what was kept.
    let task = tokio::spawn(handle(app.clone(), key.clone(), req, next));
    match task.await {
        Ok(response) => response,
        Err(e) => {
            tracing::error!(error = %e, "a keyed request's handler failed");
            release(app, &key).await;
            failure(
                &key,
                WebError::Store(kansli_store::StoreError::Corrupt(e.to_string())),
            )
        }
    }
}

async fn release(app: &AppState, key: &Key) {
    let released = async {
        let mut tx = app.store.begin(&key.actor).await?;
        tx.release_key(&key.actor, &key.key).await?;
        tx.commit_unpublished().await
    }
    .await;
    if let Err(e) = released {
        tracing::error!(error = %e, "a failed request's key could not be released");
    }
}

/// The handler, and the keeping of its answer.
async fn handle(app: AppState, key: Key, req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if response.status().is_server_error() {
        release(&app, &key).await;
        return response;
    }
    let (parts, body) = response.into_parts();
    let small = body.size_hint().upper().is_some_and(|n| n <= MAX_KEPT);
    let (body, kept_body) = if small {
        match axum::body::to_bytes(body, MAX_KEPT as usize).await {
            Ok(b) => {
                let text = if b.is_empty() {
                    None
                } else {
                    String::from_utf8(b.to_vec()).ok()
                };
                (Body::from(b), text)
            }
            Err(e) => {
                tracing::error!(error = %e, "an answer could not be read to be kept");
                (Body::from(Bytes::new()), None)
            }
        }
    } else {
        (body, None)
    };
    let text = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let flash = format!("{}=", crate::secretariat::FLASH_COOKIE);
    let answer = KeptAnswer {
        status: parts.status.as_u16(),
        location: text(header::LOCATION),
        // The outcome's message only; never a session.
        set_cookie: parts
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter(|v| v.starts_with(&flash))
            .map(str::to_string)
            .collect(),
        content_type: text(header::CONTENT_TYPE),
        body: kept_body,
    };
    let kept = async {
        let mut tx = app.store.begin(&key.actor).await?;
        tx.finish_key(&key.actor, &key.key, &answer).await?;
        tx.commit_unpublished().await
    }
    .await;
    if let Err(e) = kept {
        // The work is done and stays done; the key stays reserved, so a
        // second submit is told it is being handled, not done again.
        tracing::error!(error = %e, "the answer to a keyed request could not be kept");
    }
    Response::from_parts(parts, body)
}

/// The same key with another request (the API).
fn mismatch() -> Response {
    ApiError(WebError::Store(
        kansli_core::Refusal::new(
            "Idempotency-Key",
            "nyckeln användes redan för en annan begäran; en ny begäran behöver en ny nyckel",
        )
        .into(),
    ))
    .into_response()
}

/// The first answer again.
fn replay(answer: KeptAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = (status, answer.body.unwrap_or_default()).into_response();
    let headers = response.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    let mut put = |name: header::HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            headers.append(name, v);
        }
    };
    if let Some(l) = &answer.location {
        put(header::LOCATION, l);
    }
    if let Some(c) = &answer.content_type {
        put(header::CONTENT_TYPE, c);
    }
    for c in &answer.set_cookie {
        put(header::SET_COOKIE, c);
    }
    put(
        header::HeaderName::from_static("idempotent-replayed"),
        "true",
    );
    response
}

#[derive(Template)]
#[template(path = "once_pending.html")]
struct PendingPage {
    back: String,
}

/// The first request with this key is still being handled.
fn pending(key: &Key, headers: &HeaderMap) -> Response {
    if key.api {
        let detail =
            "En begäran med samma Idempotency-Key behandlas fortfarande. Försök igen om en stund.";
        let problem = Problem {
            status: StatusCode::CONFLICT.as_u16(),
            title: crate::error::title_sv(StatusCode::CONFLICT).into(),
            detail: detail.into(),
            message: detail.into(),
            refusals: vec![],
        };
        return (StatusCode::CONFLICT, axum::Json(problem)).into_response();
    }
    let page = PendingPage {
        back: back_link(headers),
    };
    match page.render() {
        Ok(html) => (StatusCode::CONFLICT, Html(html)).into_response(),
        Err(e) => PageError(WebError::Render(e)).into_response(),
    }
}

/// The page the form was sent from, when it is one of ours.
fn back_link(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| {
            let rest = r.split_once("://")?.1;
            let (authority, path) = rest.split_at(rest.find('/')?);
            (Some(authority) == host && !path.starts_with("//")).then(|| path.to_string())
        })
        .unwrap_or_else(|| "/sekretariat".into())
}

fn failure(key: &Key, e: WebError) -> Response {
    if key.api {
        ApiError(e).into_response()
    } else {
        PageError(e).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_back_is_a_page_of_this_site_only() {
        let headers = |referer: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::HOST, HeaderValue::from_static("kansli.example"));
            h.insert(header::REFERER, HeaderValue::from_str(referer).unwrap());
            h
        };
        assert_eq!(
            back_link(&headers("https://kansli.example/sekretariat/arenden/3?x=1")),
            "/sekretariat/arenden/3?x=1"
        );
        assert_eq!(
            back_link(&headers("https://other.example/x")),
            "/sekretariat"
        );
        assert_eq!(
            back_link(&headers("https://kansli.example//other.example/")),
            "/sekretariat"
        );
        assert_eq!(back_link(&HeaderMap::new()), "/sekretariat");
    }

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        let (parts, _) = Request::new(Body::empty()).into_parts();
        let k = |s: &str| Key::new("user:1".into(), s, &parts, b"", false).is_some();
        assert!(k("0123abcd"));
        assert!(k(&"a".repeat(MAX_KEY_LEN)));
        assert!(!k(""));
        assert!(!k(&"a".repeat(MAX_KEY_LEN + 1)));
        assert!(!k("a b"));
        assert!(!k("nyckel-å"));
        assert_ne!(
            Key::new("u".into(), "k", &parts, b"a", true)
                .unwrap()
                .fingerprint,
            Key::new("u".into(), "k", &parts, b"b", true)
                .unwrap()
                .fingerprint
        );
    }
}
