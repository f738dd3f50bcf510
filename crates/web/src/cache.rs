//! A cache of what anonymous visitors are served: public pages, API answers
//! and documents, rendered once and served again until the data changes
//! ([`kansli_store::Store::data_version`]: at once for writes through this
//! server, within [`MAX_AGE`] for writes by another process). Signed-in
//! requests, the secretariat, sign-in and anything that sets a cookie pass
//! by it, so nothing personal is ever cached.

use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

/// How long a write by another process may go unseen.
pub const MAX_AGE: Duration = Duration::from_secs(1);
/// The largest answer kept (a protocol PDF fits).
const MAX_BYTES: usize = 4 * 1024 * 1024;
/// How many answers are kept; when full, the cache starts over.
const MAX_ENTRIES: usize = 2048;
/// How many bytes of answers are kept at most: any address with any query
/// string can be asked for, so the bound is on memory, not on entries only.
const MAX_TOTAL_BYTES: usize = 64 * 1024 * 1024;

struct Entry {
    version: u64,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Default)]
pub struct PageCache {
    entries: RwLock<Entries>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    /// The sum of the kept keys' and bodies' lengths.
    bytes: usize,
}

impl Entries {
    /// Keeps `entry` under `key`; when the bounds would be passed, the
    /// cache starts over.
    fn insert(&mut self, key: String, entry: Entry) {
        let size = key.len() + entry.body.len();
        if let Some(old) = self.map.remove(&key) {
            self.bytes -= key.len() + old.body.len();
        }
        if self.map.len() >= MAX_ENTRIES || self.bytes + size > MAX_TOTAL_BYTES {
            self.map.clear();
            self.bytes = 0;
        }
        self.bytes += size;
        self.map.insert(key, entry);
    }
}

/// Whether a request may be answered from the cache: an anonymous GET of
/// a public address.
fn cacheable(req: &Request) -> bool {
    if req.method() != Method::GET {
        return false;
    }
    let path = req.uri().path();
    if path.starts_with("/sekretariat") || path.starts_with("/logga-") || path == "/healthz" {
        return false;
    }
    // #20 L3: the live views are the hub's (rendered once per change, not
    // per data version); the streams never end.
    if path.ends_with("/handelser") || path.ends_with("/direkt") || path.ends_with("/storbild") {
        return false;
    }
    let signed_in = req.headers().get_all(header::COOKIE).iter().any(|c| {
        c.to_str()
            .is_ok_and(|c| c.contains(crate::auth::SESSION_COOKIE))
    });
    !signed_in
}

pub async fn layer(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if app.config.no_page_cache || !cacheable(&req) {
        return next.run(req).await;
    }
    // Some pages depend on the date (the anslagstavla): a new day is a new
    // key.
    let key = format!(
        "{}|{}",
        app.config.today(),
        req.uri()
            .path_and_query()
            .map_or_else(|| req.uri().path(), |p| p.as_str())
    );
    let Ok(version) = app.store.data_version(MAX_AGE).await else {
        return next.run(req).await;
    };
    let cache = &app.cache;
    if let Some(e) = cache
        .entries
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .map
        .get(&key)
        .filter(|e| e.version == version)
    {
        let mut r = (e.status, e.body.clone()).into_response();
        *r.headers_mut() = e.headers.clone();
        return r;
    }
    let response = next.run(req).await;
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    use axum::body::HttpBody;
    if response
        .body()
        .size_hint()
        .upper()
        .is_none_or(|n| n > MAX_BYTES as u64)
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "answer could not be read for the cache");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Svaret kunde inte läsas.",
            )
                .into_response();
        }
    };
    {
        let mut entries = cache.entries.write().unwrap_or_else(|p| p.into_inner());
        entries.insert(
            key,
            Entry {
                version,
                status: parts.status,
                headers: parts.headers.clone(),
                body: bytes.clone(),
            },
        );
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(len: usize) -> Entry {
        Entry {
            version: 1,
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from(vec![b'x'; len]),
        }
    }

    #[test]
    fn the_cache_stays_within_its_memory_bound() {
        let mut e = Entries::default();
        // Ever new query strings on a large answer: the bytes kept never
        // pass the bound.
        for i in 0..100 {
            e.insert(format!("/dokument.pdf?x={i}"), entry(MAX_BYTES));
            assert!(e.bytes <= MAX_TOTAL_BYTES, "{} bytes after {i}", e.bytes);
            let counted: usize = e.map.iter().map(|(k, v)| k.len() + v.body.len()).sum();
            assert_eq!(e.bytes, counted);
        }
        // Replacing an answer does not count it twice.
        let mut e = Entries::default();
        e.insert("/a".into(), entry(10));
        e.insert("/a".into(), entry(20));
        assert_eq!(e.bytes, 22);
        assert_eq!(e.map.len(), 1);
    }
}
