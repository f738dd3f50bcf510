//! Feeds to follow without visiting: each anslagstavla's notices as Atom
//! (RFC 4287), and a body's meetings as iCalendar (RFC 5545), for a
//! calendar program to subscribe to. Their absolute links come from
//! [`crate::Config::public_url`], never from the request's `Host` (the
//! cache would keep a forged one for everybody), and their text is cleaned
//! of control characters ([`crate::clean`]).

use crate::AppState;
use crate::clean::{line, text};
use crate::error::{PageError, WebError};
use crate::pages::parse_id;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kansli_core::meeting::MeetingStatus;
use kansli_core::{BodyId, Date, OrganisationId, Time};

/// Midnight, or the time given, in Sweden, as UTC.
fn utc(date: Date, time: Option<Time>) -> Option<chrono::DateTime<chrono::Utc>> {
    let civil = date.to_datetime(time.unwrap_or(Time::midnight()));
    let tz = jiff::tz::TimeZone::get("Europe/Stockholm").ok()?;
    let ts = civil.to_zoned(tz).ok()?.timestamp();
    chrono::DateTime::from_timestamp(ts.as_second(), 0)
}

/// `/anslagstavla.atom`: every organisation's posted notices, newest first.
pub async fn notices_atom(State(app): State<AppState>) -> Result<Response, PageError> {
    notices_feed(&app, None).await
}

/// `/organisationer/{id}/anslagstavla.atom`: one organisation's
/// anslagstavla, as its page shows it.
pub async fn organisation_notices_atom(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id: OrganisationId = parse_id(&raw, "Organisationen")?;
    let organisation = app.store.organisation(id).await?;
    notices_feed(&app, Some(organisation)).await
}

async fn notices_feed(
    app: &AppState,
    organisation: Option<kansli_core::org::Organisation>,
) -> Result<Response, PageError> {
    use atom_syndication::{Entry, Feed, Link, Person, Text};
    let base = app.config.public_url();
    let lines =
        crate::sitting::notices(app, organisation.as_ref().map(|o| o.id), app.config.today())
            .await?;
    let mut entries = Vec::new();
    let mut newest = None;
    for n in lines {
        let Some(updated) = n.posted.parse::<Date>().ok().and_then(|d| utc(d, None)) else {
            continue;
        };
        newest = newest.max(Some(updated));
        let href = format!("{base}{}", n.protocol_href);
        // #19 imports: a protocol read from a file says so, with the file.
        let imported = n
            .imported
            .as_ref()
            .map(|i| format!(" {}", line(&kansli_documents::compose::imported_text(i))))
            .unwrap_or_default();
        let mut links = vec![Link {
            href: href.clone(),
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Link::default()
        }];
        if let Some(original) = n.imported.as_ref().and_then(|i| i.original.as_ref()) {
            links.push(Link {
                href: format!("{base}{original}"),
                rel: "related".into(),
                mime_type: n.imported.as_ref().map(|i| i.media_type.clone()),
                title: Some("Originalet".into()),
                ..Link::default()
            });
        }
        entries.push(Entry {
            id: format!("{href}#anslag"),
            title: Text::plain(format!(
                "Anslag: protokoll från {} {}",
                line(&n.body),
                n.date
            )),
            updated: updated.into(),
            published: Some(updated.into()),
            summary: Some(Text::plain(format!(
                "Protokollet från {} sammanträde {} justerades {}. Anslaget sattes upp {} och tas ned {}. Sista dag att överklaga är {}. Protokollet förvaras hos {}. {}{imported}",
                line(&n.body),
                n.date,
                n.approved,
                n.posted,
                n.taken_down,
                n.appeal_ends,
                line(&n.kept_at),
                line(&n.appeal),
            ))),
            links,
            authors: vec![Person {
                name: line(&n.organisation).into_owned(),
                ..Person::default()
            }],
            ..Entry::default()
        });
    }
    let (page, title) = match &organisation {
        Some(o) => (
            crate::sitting::board_href(o.id),
            format!(
                "{} – Kansli",
                crate::sitting::board_name(&kansli_core::limits::shorten(
                    kansli_core::limits::Kind::Name,
                    &o.name
                ))
            ),
        ),
        None => (
            "/anslagstavla".to_string(),
            "Anslagstavlor – Kansli".to_string(),
        ),
    };
    let feed = Feed {
        id: format!("{base}{page}"),
        title: Text::plain(line(&title).into_owned()),
        updated: newest
            .or_else(|| chrono::DateTime::from_timestamp(0, 0))
            .map(Into::into)
            .unwrap_or_default(),
        links: vec![
            Link {
                href: format!("{base}{page}.atom"),
                rel: "self".into(),
                ..Link::default()
            },
            Link {
                href: format!("{base}{page}"),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Link::default()
            },
        ],
        lang: Some("sv".into()),
        entries,
        ..Feed::default()
    };
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed.to_string(),
    )
        .into_response())
}

/// `/organ/{id}/sammantraden.ics`: the body's meetings, with place, time
/// and a link to the meeting page; a cancelled one stays in the calendar
/// as `STATUS:CANCELLED`, so that calendars that took it remove it.
pub async fn meetings_ical(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    use icalendar::{Calendar, Component, Event, EventLike};
    let id: BodyId = parse_id(&raw, "Organet")?;
    let body = app.store.body(id).await?;
    let base = app.config.public_url();
    let name = line(&body.name);
    let mut cal = Calendar::new();
    cal.name(&format!("{name} – sammanträden"));
    for m in app.store.meetings(id).await? {
        let cancelled = m.status == MeetingStatus::Cancelled;
        let mut e = Event::new();
        if cancelled {
            e.status(icalendar::EventStatus::Cancelled);
        }
        e.uid(&format!(
            "sammantrade-{}@{}",
            m.id,
            base.split("://").nth(1).unwrap_or("kansli")
        ))
        .summary(&if cancelled {
            format!("Inställt: {name} sammanträder")
        } else {
            format!("{name} sammanträder")
        })
        // The crate escapes LF, not a bare CR; a CR in a stored place
        // would end the line and start a property of its own.
        .location(&line(&kansli_core::limits::shorten(
            kansli_core::limits::Kind::Code,
            &m.place,
        )))
        .url(&format!("{base}/sammantraden/{}", m.id))
        .description(&text(&format!("Status: {}", m.status.label_sv())));
        match m.starts {
            Some(t) => {
                let start = utc(m.date, Some(t))
                    .ok_or_else(|| WebError::BadRequest(format!("tiden {t} {}", m.date)))?;
                e.starts(start);
                if let Some(end) = m.ends.and_then(|t| utc(m.date, Some(t))) {
                    e.ends(end);
                }
            }
            None => {
                let d = chrono::NaiveDate::from_ymd_opt(
                    m.date.year() as i32,
                    m.date.month() as u32,
                    m.date.day() as u32,
                )
                .ok_or_else(|| WebError::BadRequest(format!("datumet {}", m.date)))?;
                e.all_day(d);
            }
        }
        cal.push(e.done());
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"sammantraden.ics\"",
            ),
        ],
        cal.done().to_string(),
    )
        .into_response())
}

/// `/organisationer/{id}/postlista.atom`: the postlista of the last two
/// weeks, one entry per handling, newest day first, each shown as the
/// postlista shows it (`kansli_documents::view::postlista`: a secret one
/// by number, direction and ground only).
pub async fn postlista_atom(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    use atom_syndication::{Entry, Feed, Link, Person, Text};
    let id: kansli_core::OrganisationId = parse_id(&raw, "Organisationen")?;
    let organisation = app.store.organisation(id).await?;
    let base = app.config.public_url();
    let mut entries = Vec::new();
    let mut newest = None;
    let mut day = app.config.today();
    for _ in 0..14 {
        let list = crate::view::postlista(&app.store, id, day).await?;
        if let Some(updated) = utc(day, None) {
            for e in &list.entries {
                newest = newest.max(Some(updated));
                let what = match (&e.secrecy, &e.title) {
                    (Some(s), _) => s.clone(),
                    (None, Some(t)) => line(t).into_owned(),
                    (None, None) => String::new(),
                };
                let mut summary = format!(
                    "{} {}, {}.",
                    e.direction_label,
                    e.date,
                    e.kind_label.as_deref().unwrap_or("handling").to_lowercase()
                );
                if let Some(c) = &e.counterpart {
                    let word = if e.direction == "incoming" {
                        "Från"
                    } else {
                        "Till"
                    };
                    summary.push_str(&format!(" {word} {}.", line(c)));
                }
                if let Some(t) = &e.case_title {
                    summary.push_str(&format!(" Ärende {} {}.", e.case_number, line(t)));
                }
                entries.push(Entry {
                    id: format!("{base}{}#{}", list.html, e.number.replace(' ', "_")),
                    title: Text::plain(format!("{} {}: {what}", e.number, e.direction_label)),
                    updated: updated.into(),
                    published: Some(updated.into()),
                    summary: Some(Text::plain(text(&summary).into_owned())),
                    links: vec![Link {
                        href: format!("{base}{}", list.html),
                        rel: "alternate".into(),
                        mime_type: Some("text/html".into()),
                        ..Link::default()
                    }],
                    authors: vec![Person {
                        name: line(&organisation.name).into_owned(),
                        ..Person::default()
                    }],
                    ..Entry::default()
                });
            }
        }
        match day.yesterday() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    let feed = Feed {
        id: format!("{base}/organisationer/{}/postlista", id.0),
        title: Text::plain(format!("Postlista – {}", line(&organisation.name))),
        updated: newest
            .or_else(|| chrono::DateTime::from_timestamp(0, 0))
            .map(Into::into)
            .unwrap_or_default(),
        links: vec![
            Link {
                href: format!("{base}/organisationer/{}/postlista.atom", id.0),
                rel: "self".into(),
                ..Link::default()
            },
            Link {
                href: format!("{base}/organisationer/{}/postlista", id.0),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Link::default()
            },
        ],
        lang: Some("sv".into()),
        entries,
        ..Feed::default()
    };
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed.to_string(),
    )
        .into_response())
}
