//! Control characters in what is emitted. Stored text may hold them (data
//! written before input limits refused them, or by an import): a NUL or a
//! bare CR must not reach an iCalendar line, an XML feed, a CSV cell or an
//! HTML page raw, where they break the format or let a value start a new
//! line of its own. JSON needs nothing here: serde_json escapes them.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use std::borrow::Cow;

fn is_bad(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\t')
}

/// Text on one line (a SUMMARY, a LOCATION, a title): every line break
/// and tab becomes a space, other control characters are dropped.
pub fn line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .filter_map(|c| match c {
                '\r' | '\n' | '\t' => Some(' '),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// Text of several lines: CRLF and a bare CR become LF, tabs stay, other
/// control characters are dropped.
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_bad) {
        return Cow::Borrowed(s);
    }
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    Cow::Owned(s.chars().filter(|c| !is_bad(*c)).collect())
}

/// The largest answer that is cleaned in memory; larger ones (none of the
/// HTML pages are) pass as they are.
const MAX_CLEANED: usize = 16 * 1024 * 1024;

/// Drops C0 control characters other than tab, LF and CR (and DEL) from
/// HTML and plain-text answers: in HTML they are parse errors, and a
/// template cannot know which stored value holds one.
pub async fn layer(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if response
        .extensions()
        .get::<crate::imports::Verbatim>()
        .is_some()
    {
        return response;
    }
    let textual = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("text/plain"));
    if !textual {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_CLEANED).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "answer could not be read to be cleaned");
            parts.status = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
            parts.headers.remove(header::CONTENT_LENGTH);
            return Response::from_parts(parts, Body::from("Ett fel uppstod hos oss."));
        }
    };
    let bad = |b: &u8| (*b < 0x20 && !matches!(*b, b'\t' | b'\n' | b'\r')) || *b == 0x7f;
    if !bytes.iter().any(bad) {
        return Response::from_parts(parts, Body::from(bytes));
    }
    // UTF-8 never uses bytes below 0x80 inside a multi-byte character, so
    // dropping these bytes keeps the text valid.
    let cleaned: Vec<u8> = bytes.iter().copied().filter(|b| !bad(b)).collect();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(cleaned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_dropped_or_made_spaces() {
        assert_eq!(line("Sal\r1\0 A\nB\tC"), "Sal 1 A B C");
        assert_eq!(text("a\r\nb\rc\0d\te"), "a\nb\nc".to_string() + "d\te");
        assert!(matches!(line("Borgkammaren"), Cow::Borrowed(_)));
        assert!(matches!(text("rad\nrad"), Cow::Borrowed(_)));
    }
}
