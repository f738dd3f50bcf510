//! The live meeting's server-sent events: one route per audience, each a
//! receiver of the hub's watch (a slow client skips to the latest state).
//!
//! Every event is `state` with the audience's fragment as data and the
//! meeting's live sequence as id. A browser that reconnects with a
//! `Last-Event-ID` at or past the current sequence has seen it and gets
//! nothing until the next change; one with an older id (or none) gets one
//! snapshot, the current fragment. The answers are never cached nor
//! compressed (`Cache-Control: no-store`, `X-Accel-Buffering: no` for a
//! proxy in front; the page cache passes `…/handelser` by).

use super::LiveState;
use crate::AppState;
use crate::auth::{Need, Scope, SignedIn, permits};
use crate::error::PageError;
use crate::pages::parse_id;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use kansli_core::MeetingId;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Who a stream is for: which fragment of [`LiveState`] it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Storbild,
    Member,
    Chair,
    Secretary,
}

impl Audience {
    pub fn fragment(self, s: &LiveState) -> &str {
        match self {
            Audience::Public => s.public_or_notice(),
            Audience::Storbild => s.storbild_or_notice(),
            Audience::Member => &s.member,
            Audience::Chair => &s.chair,
            Audience::Secretary => &s.secretary,
        }
    }
}

/// How long a browser waits before it reconnects after losing the stream.
const RETRY: Duration = Duration::from_secs(2);
/// An empty comment this often keeps proxies from closing the stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The `Last-Event-ID` a reconnecting browser sends.
fn last_event_id(headers: &HeaderMap) -> Option<i64> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

fn event(audience: Audience, s: &LiveState) -> Event {
    Event::default()
        .event("state")
        .id(s.seq.to_string())
        .retry(RETRY)
        .data(audience.fragment(s))
}

/// The SSE answer over a receiver of the hub.
pub fn sse(
    mut rx: watch::Receiver<Arc<LiveState>>,
    audience: Audience,
    last_id: Option<i64>,
) -> Response {
    let current = rx.borrow_and_update().clone();
    let first = match last_id {
        Some(id) if id >= current.seq => None,
        _ => Some(current),
    };
    let events = futures_util::stream::unfold((rx, first), move |(mut rx, first)| async move {
        if let Some(s) = first {
            return Some((Ok::<_, Infallible>(event(audience, &s)), (rx, None)));
        }
        // The hub dropped the meeting (nobody watched): the stream ends and
        // the browser reconnects.
        rx.changed().await.ok()?;
        let s = rx.borrow_and_update().clone();
        Some((Ok(event(audience, &s)), (rx, None)))
    });
    let mut r = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    r
}

async fn stream_of(
    app: &AppState,
    raw: &str,
    audience: Audience,
    headers: &HeaderMap,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(raw, "Sammanträdet")?;
    let rx = app.live.subscribe(id).await?;
    Ok(sse(rx, audience, last_event_id(headers)))
}

/// `GET /sammantraden/{id}/direkt/handelser`: the public live page's stream.
pub async fn public_events(
    State(app): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    stream_of(&app, &raw, Audience::Public, &headers).await
}

/// `GET /sammantraden/{id}/storbild/handelser`: the big screen's stream.
pub async fn storbild_events(
    State(app): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    stream_of(&app, &raw, Audience::Storbild, &headers).await
}

/// `GET /sekretariat/sammantraden/{meeting}/ledamot/handelser` (the guard:
/// a member of the body that day, or its secretary).
pub async fn member_events(
    State(app): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    stream_of(&app, &raw, Audience::Member, &headers).await
}

/// `GET /sekretariat/sammantraden/{meeting}/ordforande/handelser`: the
/// chair's stream, for the meeting's chair, whoever presides now, or the
/// body's secretary; any other member of the body gets the members'.
pub async fn chair_events(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    // The guard let a member of the body in: one who does not chair gets
    // what every member gets.
    let audience = if may_chair(&app, &s, id).await? {
        Audience::Chair
    } else {
        Audience::Member
    };
    stream_of(&app, &raw, audience, &headers).await
}

/// `GET /sekretariat/sammantraden/{meeting}/mote/handelser`: the
/// secretary's meeting screen's stream (the guard: the body's secretary).
pub async fn secretary_events(
    State(app): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    stream_of(&app, &raw, Audience::Secretary, &headers).await
}

/// Whether the session may act as the meeting's chair: its chair, the one
/// presiding now (the engine says), or a secretary of the body.
pub async fn may_chair(
    app: &AppState,
    s: &kansli_store::access::Session,
    meeting: MeetingId,
) -> Result<bool, PageError> {
    let m = app.store.meeting(meeting).await?;
    let body = app.store.body(m.body).await?;
    let scope = Scope {
        organisation: Some(body.organisation),
        body: Some(body.id),
        meeting: Some(meeting),
        case: None,
        on: Some(m.date),
    };
    if permits(s, Need::Secretary, &scope) {
        return Ok(true);
    }
    let Some(person) = s.person else {
        return Ok(false);
    };
    if m.chair == Some(person) {
        return Ok(true);
    }
    use kansli_core::meeting::MeetingStatus as S;
    if matches!(m.status, S::NoticeIssued | S::InSession) {
        return Ok(app.store.proceedings(meeting).await?.presiding() == Some(person));
    }
    Ok(false)
}
