//! The public live page (`/sammantraden/{id}/direkt`) and the big screen
//! (`/sammantraden/{id}/storbild`): no sign-in, only what the public may
//! see now (`view::live_shown`): the proceedings of a meeting held in
//! public while it runs, the justerat protocol's paragraphs after, and of
//! a meeting behind closed doors nothing until then.
//!
//! Both pages are the hub's current fragment inside a page; `live.js`
//! keeps it current over the stream. Without JavaScript the public page is
//! read by reloading it, and the big screen (nobody at its keyboard)
//! reloads itself (`<noscript>` refresh). Neither goes through the page
//! cache: the hub is their cache.

use crate::AppState;
use crate::error::PageError;
use crate::pages::parse_id;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use kansli_core::MeetingId;

#[derive(Template)]
#[template(path = "live_public.html")]
struct PublicPage<'a> {
    id: i64,
    title: &'a str,
    fragment: &'a str,
}

#[derive(Template)]
#[template(path = "live_storbild.html")]
struct StorbildPage<'a> {
    id: i64,
    title: &'a str,
    fragment: &'a str,
}

/// How often the big screen reloads itself without JavaScript.
pub const STORBILD_REFRESH_SECONDS: u32 = 5;

pub async fn page(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Html<String>, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let s = app.live.current(id).await?;
    Ok(Html(
        PublicPage {
            id: id.0,
            title: &s.title,
            fragment: s.public_or_notice(),
        }
        .render()?,
    ))
}

pub async fn storbild(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Html<String>, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let s = app.live.current(id).await?;
    Ok(Html(
        StorbildPage {
            id: id.0,
            title: &s.title,
            fragment: s.storbild_or_notice(),
        }
        .render()?,
    ))
}
