//! Meetings read from existing protocols (issue #19): the original file,
//! served byte for byte once the protocol is public, and the secretariat's
//! review of each import — the reader's warnings beside the source text,
//! the import's notes, and corrections of organ, date, chair, approvers
//! and paragraph headings, each one store transaction with its audit
//! record.

use crate::AppState;
use crate::auth::{Need, Scope, SignedIn, permits};
use crate::error::{PageError, WebError};
use crate::pages::parse_id;
use crate::registry::{LogLine, log_lines};
use crate::secretariat::{
    Flash, KeptFields, actor, after, after_keeping, form_date, form_number, refused, take_flash,
};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::{CookieJar, Form};
use kansli_core::limits::Kind;
use kansli_core::{BodyId, MeetingId, PersonId};
use kansli_store::StoreError;
use kansli_store::imports::{ImportCorrection, ImportRecord, OrganChoice};

/// Marks an answer whose bytes must leave as they are: the layer that
/// drops control characters from text answers lets it pass.
#[derive(Debug, Clone, Copy)]
pub struct Verbatim;

fn review_href(id: MeetingId) -> String {
    format!("/sekretariat/importer/{}", id.0)
}

/// The media type the original is served with: a text file as the
/// encoding it is in (the reader takes UTF-8 or Windows-1252).
fn media_type(rec: &ImportRecord, bytes: &[u8]) -> String {
    if rec.media_type.starts_with("text/plain") {
        if std::str::from_utf8(bytes).is_ok() {
            "text/plain; charset=utf-8".into()
        } else {
            "text/plain; charset=windows-1252".into()
        }
    } else {
        rec.media_type.clone()
    }
}

/// `Content-Disposition` with the file's own name: an ASCII fallback and
/// the exact name encoded (RFC 6266, RFC 8187).
fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%' | ';') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The original bytes of an imported meeting, or why not.
async fn original_answer(
    app: &AppState,
    id: MeetingId,
    public: bool,
) -> Result<Response, PageError> {
    let not_found = || WebError::NotFound("Sammanträdet är inte inläst från en fil.".into());
    if public {
        let Some(mark) = app.store.import_mark(id).await? else {
            return Err(not_found().into());
        };
        let m = app.store.meeting(id).await?;
        // The same rule as the protocol's own documents.
        if !kansli_documents::view::original_public(&m.status, mark.has_secret) {
            return Err(WebError::NotFound(
                "Originalet till ett inläst protokoll visas när protokollet är justerat och saknar sekretessbelagda delar."
                    .into(),
            )
            .into());
        }
    }
    let (rec, bytes) = match app.store.import_source(id).await {
        Ok(Some(x)) => x,
        Ok(None) => return Err(not_found().into()),
        Err(StoreError::Corrupt(reason)) => {
            let mut tx = app.store.begin("kansli").await?;
            tx.log_integrity(
                id,
                serde_json::json!({"reason": reason, "what": "originalfilen"}),
            )
            .await?;
            tx.commit().await?;
            return Err(WebError::Forbidden(
                "Originalfilen stämmer inte med sin SHA-256 och lämnas inte ut. Felet är rapporterat till kansliet."
                    .into(),
            )
            .into());
        }
        Err(e) => return Err(WebError::Store(e).into()),
    };
    let mut answer = (
        [
            (header::CONTENT_TYPE, media_type(&rec, &bytes)),
            (header::CONTENT_DISPOSITION, disposition(&rec.file_name)),
            (header::CACHE_CONTROL, "no-cache".to_string()),
            (
                header::HeaderName::from_static("x-content-sha256"),
                rec.sha256.clone(),
            ),
        ],
        bytes,
    )
        .into_response();
    answer.extensions_mut().insert(Verbatim);
    Ok(answer)
}

/// `/sammantraden/{id}/original`: the file an imported meeting was read
/// from, byte for byte, checked against its SHA-256; public by the
/// protocol's rule ([`kansli_documents::view::original_public`]).
pub async fn original(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw, "Sammanträdet")?;
    original_answer(&app, id, true).await
}

/// `/sekretariat/importer/{meeting}/original`: the same for its
/// secretaries, before it is public.
pub async fn staff_original(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&raw, "Sammanträdet")?;
    original_answer(&app, id, false).await
}

// ---- the list ----------------------------------------------------------------

struct ImportLine {
    href: String,
    file_name: String,
    body: String,
    organisation: String,
    date: String,
    warnings: usize,
    imported: String,
    reviewed: Option<String>,
}

#[derive(Template)]
#[template(path = "staff_imports.html")]
struct ImportsPage {
    lines: Vec<ImportLine>,
    waiting: usize,
}

/// `/sekretariat/importer`: the imports of the bodies the user is a
/// secretary of, those not reviewed first.
pub async fn list(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
) -> Result<Response, PageError> {
    let meetings: std::collections::HashMap<MeetingId, kansli_store::MeetingSummary> = app
        .store
        .all_meetings()
        .await?
        .into_iter()
        .map(|m| (m.meeting.id, m))
        .collect();
    let mut lines = Vec::new();
    for rec in app.store.imports().await? {
        let Some(m) = meetings.get(&rec.meeting) else {
            continue;
        };
        let scope = Scope {
            organisation: Some(m.organisation.id),
            body: Some(m.body.id),
            ..Scope::default()
        };
        if !permits(&s, Need::Secretary, &scope) {
            continue;
        }
        lines.push(ImportLine {
            href: review_href(rec.meeting),
            file_name: kansli_core::limits::shorten(Kind::Name, &rec.file_name).into_owned(),
            body: kansli_core::limits::shorten(Kind::Name, &m.body.name).into_owned(),
            organisation: kansli_core::limits::shorten(Kind::Name, &m.organisation.name)
                .into_owned(),
            date: m.meeting.date.to_string(),
            warnings: rec.warnings.len(),
            imported: crate::view::swedish_time(&rec.imported_at),
            reviewed: rec.reviewed_at.as_deref().map(crate::view::swedish_time),
        });
    }
    lines.sort_by_key(|l| l.reviewed.is_some());
    let waiting = lines.iter().filter(|l| l.reviewed.is_none()).count();
    Ok(Html(ImportsPage { lines, waiting }.render()?).into_response())
}

// ---- one import --------------------------------------------------------------

/// One line of the source, numbered as the reader numbers them (from 1).
struct SourceLine {
    number: usize,
    text: String,
    /// The line the warning is about.
    marked: bool,
}

struct WarningView {
    line: usize,
    message: String,
    /// The source around the line (text sources only).
    context: Vec<SourceLine>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct TitleField {
    number: u32,
    field: String,
    title: String,
}

#[derive(Template)]
#[template(path = "staff_import.html")]
struct ImportPage {
    flash: Option<Flash>,
    csrf: String,
    id: i64,
    title: String,
    file_name: String,
    media_type: String,
    size: String,
    sha256: String,
    imported: String,
    reviewed: Option<String>,
    /// The PDF's text is not at hand here: warnings show their line only.
    pdf: bool,
    warnings: Vec<WarningView>,
    notes: Vec<String>,
    bodies: Vec<Choice>,
    date: String,
    chair: Vec<Choice>,
    approvers: Vec<Choice>,
    titles: Vec<TitleField>,
    log: Vec<LogLine>,
}

impl KeptFields for ImportPage {
    fn flash_ref(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }
}

/// The form's name, for the fields it gets back when refused.
const FORM: &str = "correction";

/// The lines of a text source: UTF-8, or Windows-1252 as the reader takes
/// it; form feeds (page breaks) end a line as the reader's lines do not,
/// so they are only dropped.
fn source_lines(bytes: &[u8]) -> Vec<String> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t).to_string(),
        Err(_) => bytes.iter().map(|b| windows_1252(*b)).collect(),
    };
    text.lines()
        .map(|l| {
            let l: String = l
                .chars()
                .filter(|c| !c.is_control() || *c == '\t')
                .collect();
            kansli_core::limits::truncate(&l, 400).to_string()
        })
        .collect()
}

fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// How many lines of source are shown before and after a warning's line.
const CONTEXT: usize = 2;

fn swedish_size(bytes: i64) -> String {
    if bytes < 1024 {
        format!("{bytes} byte")
    } else if bytes < 1024 * 1024 {
        format!(
            "{} kB",
            kansli_core::limits::swedish_number(bytes as usize / 1024)
        )
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    }
}

/// `/sekretariat/importer/{meeting}`: the import's warnings with the
/// source around each line, its notes, the correction form and the log.
pub async fn review(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let (jar, flash) = take_flash(&app, &s, jar);
    let (rec, bytes) = match app.store.import_source(id).await {
        Ok(Some(x)) => x,
        Ok(None) => {
            return Err(WebError::NotFound(format!(
                "Sammanträde {id} är inte inläst från ett befintligt protokoll."
            ))
            .into());
        }
        Err(e) => return Err(WebError::Store(e).into()),
    };
    let record = app.store.meeting_record(id).await?;
    let m = &record.meeting;
    let body = app.store.body(m.body).await?;
    let pdf = rec.media_type == "application/pdf";
    let lines = if pdf { vec![] } else { source_lines(&bytes) };
    let warnings = rec
        .warnings
        .iter()
        .map(|w| {
            let from = w.line.saturating_sub(CONTEXT).max(1);
            let to = (w.line + CONTEXT).min(lines.len());
            WarningView {
                line: w.line,
                message: kansli_core::limits::shorten(Kind::Line, &w.message).into_owned(),
                context: (from..=to)
                    .filter_map(|n| {
                        lines.get(n - 1).map(|t| SourceLine {
                            number: n,
                            text: t.clone(),
                            marked: n == w.line,
                        })
                    })
                    .collect(),
            }
        })
        .collect();
    let bodies = app
        .store
        .bodies(body.organisation)
        .await?
        .into_iter()
        .map(|b| Choice {
            value: b.id.0.to_string(),
            label: kansli_core::limits::shorten(Kind::Name, &b.name).into_owned(),
            selected: b.id == body.id,
        })
        .collect();
    let mut people: Vec<PersonId> = record.attendance.iter().map(|a| a.person).collect();
    people.dedup();
    let persons = app.store.persons(&people).await?;
    let mut seen = std::collections::HashSet::new();
    let present: Vec<(PersonId, String)> = people
        .iter()
        .filter(|p| seen.insert(**p))
        .map(|p| {
            let name = persons
                .get(p)
                .map(|x| x.display())
                .unwrap_or_else(|| format!("person {p}"));
            (
                *p,
                kansli_core::limits::shorten(Kind::Name, &name).into_owned(),
            )
        })
        .collect();
    let mut chair = vec![Choice {
        value: String::new(),
        label: "(ingen angiven)".into(),
        selected: m.chair.is_none(),
    }];
    chair.extend(present.iter().map(|(p, name)| Choice {
        value: p.0.to_string(),
        label: name.clone(),
        selected: m.chair == Some(*p),
    }));
    let approvers = present
        .iter()
        .map(|(p, name)| Choice {
            value: p.0.to_string(),
            label: name.clone(),
            selected: m.approvers.contains(p),
        })
        .collect();
    let titles = record
        .paragraphs()
        .map(|p| TitleField {
            number: p.number,
            field: format!("title_{}", p.number),
            title: kansli_core::limits::shorten(Kind::Title, &p.title).into_owned(),
        })
        .collect();
    let page = ImportPage {
        flash,
        csrf: s.csrf.clone(),
        id: id.0,
        title: format!(
            "{} {}",
            kansli_core::limits::shorten(Kind::Name, &body.name),
            m.date
        ),
        file_name: kansli_core::limits::shorten(Kind::Name, &rec.file_name).into_owned(),
        media_type: rec.media_type.clone(),
        size: swedish_size(rec.size),
        sha256: rec.sha256.clone(),
        imported: crate::view::swedish_time(&rec.imported_at),
        reviewed: rec.reviewed_at.as_deref().map(crate::view::swedish_time),
        pdf,
        warnings,
        notes: rec
            .notes
            .iter()
            .map(|n| kansli_core::limits::shorten(Kind::Line, n).into_owned())
            .collect(),
        bodies,
        date: m.date.to_string(),
        chair,
        approvers,
        titles,
        log: log_lines(app.store.audit_log("meeting", id.0).await?),
    };
    Ok((jar, Html(page.render()?)).into_response())
}

/// The correction form, as sent: `body`, `rename`, `date`, `chair`,
/// `approvers` (once per ticked box), `title_{n}` per paragraph.
fn correction(
    fields: &[(String, String)],
) -> Result<(ImportCorrection, Option<BodyId>), StoreError> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(name, _)| name == k)
            .map_or("", |(_, v)| v.as_str())
    };
    let body: Option<BodyId> = match get("body").trim() {
        "" => None,
        b => Some(BodyId(form_number("organ", b)?)),
    };
    let rename = get("rename").trim();
    let organ = if !rename.is_empty() {
        OrganChoice::Rename(rename.to_string())
    } else {
        body.map_or(OrganChoice::Keep, OrganChoice::Existing)
    };
    let date = form_date("sammanträdesdatum", get("date"))?;
    let chair = match get("chair").trim() {
        "" => None,
        c => Some(PersonId(form_number("ordförande", c)?)),
    };
    let approvers = fields
        .iter()
        .filter(|(k, _)| k == "approvers")
        .map(|(_, v)| form_number("justerare", v).map(PersonId))
        .collect::<Result<Vec<_>, _>>()?;
    let titles = fields
        .iter()
        .filter_map(|(k, v)| {
            let n = k.strip_prefix("title_")?;
            Some(
                form_number::<u32>("rubrik", n)
                    .map(|n| (n, v.clone()))
                    .map_err(|_| refused("rubrik", "okänd paragraf")),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((
        ImportCorrection {
            organ,
            date,
            chair,
            approvers,
            titles,
        },
        body,
    ))
}

/// POST `/sekretariat/importer/{meeting}`: a correction, one transaction,
/// logged; refused with the field named, the form kept as typed.
pub async fn correct(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let who = actor(&s);
    let outcome = async {
        let (c, body) = correction(&fields)?;
        if let (OrganChoice::Rename(_), Some(chosen)) = (&c.organ, body) {
            let current = app.store.meeting(id).await?.body;
            if chosen != current {
                return Err(refused(
                    "organ",
                    "välj antingen ett annat organ i listan eller ett nytt namn, inte båda",
                ));
            }
        }
        let mut tx = app.store.begin(&who).await?;
        let changed = tx.correct_import(id, &c).await?;
        tx.commit().await?;
        Ok(if changed.is_empty() {
            "Inget ändrades: uppgifterna var redan sådana.".to_string()
        } else {
            format!("Rättat: {}.", changed.join(", "))
        })
    }
    .await;
    let kept: Vec<(&str, Kind, &str)> = fields
        .iter()
        .filter(|(k, _)| k != "csrf" && k != "once")
        .map(|(k, v)| {
            let kind = if k.starts_with("title_") {
                Kind::Title
            } else if k == "rename" {
                Kind::Name
            } else {
                Kind::Code
            };
            (k.as_str(), kind, v.as_str())
        })
        .collect();
    after_keeping(&app, &s, jar, &review_href(id), outcome, FORM, &kept)
}

/// POST `/sekretariat/importer/{meeting}/granskad`: the warnings are
/// reviewed.
pub async fn mark_reviewed(
    State(app): State<AppState>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let id: MeetingId = parse_id(&raw, "Sammanträdet")?;
    let outcome = async {
        let mut tx = app.store.begin(&actor(&s)).await?;
        let now = tx.mark_import_reviewed(id).await?;
        tx.commit().await?;
        Ok(if now {
            "Inläsningen är markerad som granskad.".to_string()
        } else {
            "Inläsningen var redan markerad som granskad.".to_string()
        })
    }
    .await;
    after(&app, jar, &review_href(id), outcome)
}
