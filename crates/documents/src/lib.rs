//! Kansli's documents: the protocol, the protokollsutdrag, the officer's
//! report, the kallelse with föredragningslista, and the anslag, as HTML,
//! plain text and archival PDF, generated from the stored data.
//!
//! - [`view`]: read models with names resolved and secrecy applied; the web
//!   pages and the API render the same values.
//! - [`model`]: the document model ([`Doc`]): parts and blocks in reading
//!   order, independent of format.
//! - [`compose`]: read models to documents: which sections, in which order.
//! - [`render`]: a [`Doc`] to HTML (askama), text, or PDF (typst, PDF/A-2a).
//! - [`load`]: fetch what a document needs from the store.
//!
//! Composition and rendering are pure; only [`load`] touches the store.

pub mod compose;
pub mod model;
mod pdf;
mod text;
pub mod view;

pub use compose::content_digest;
pub use model::{Doc, DocKind};

use askama::Template;
use kansli_core::{CaseId, MeetingId};
use kansli_store::{Store, StoreError};
use view::Audience;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Text,
    Pdf,
}

impl Format {
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Text => "text/plain; charset=utf-8",
            Format::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Text => "txt",
            Format::Pdf => "pdf",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = DocumentError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "html" => Ok(Format::Html),
            "txt" | "text" => Ok(Format::Text),
            "pdf" => Ok(Format::Pdf),
            other => Err(DocumentError::Format(other.to_string())),
        }
    }
}

/// What can go wrong when making a document; the messages are Swedish, for
/// the user.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("§{number} finns inte i protokollet från sammanträde {meeting}")]
    NoParagraph { meeting: i64, number: u32 },
    #[error("sammanträde {meeting} har inget protokoll ännu: inga paragrafer är upprättade")]
    NoProtocol { meeting: i64 },
    #[error("ärendet {case} har inget beslutsförslag")]
    NoReport { case: String },
    #[error("ärendet {0} finns inte")]
    NoCase(String),
    #[error(
        "anslag kan upprättas först när protokollet är justerat och anslaget har satts upp på anslagstavlan"
    )]
    NotPosted,
    #[error("{0}")]
    Secret(String),
    /// Not public yet by `kansli_core::publication` (the protocol before
    /// justering, the agenda before the kallelse); the message says when.
    #[error("{0}")]
    NotPublic(String),
    #[error("okänt format «{0}»: välj pdf, html eller txt")]
    Format(String),
    #[error("dokumentet kunde inte sättas som PDF: {0}")]
    Pdf(String),
    #[error("dokumentet kunde inte skrivas som HTML: {0}")]
    Html(#[from] askama::Error),
}

#[derive(Template)]
#[template(path = "document.html")]
struct HtmlDocument<'a> {
    doc: &'a Doc,
}

// The template matches on the block enum by its plain name.
use model::Block;

/// Renders a document in one format.
pub fn render(doc: &Doc, format: Format) -> Result<Vec<u8>, DocumentError> {
    match format {
        Format::Html => Ok(HtmlDocument { doc }.render()?.into_bytes()),
        Format::Text => Ok(text::render(doc).into_bytes()),
        Format::Pdf => pdf::render(doc).map_err(DocumentError::Pdf),
    }
}

/// Which document to make.
#[derive(Debug, Clone)]
pub enum Request {
    Protocol {
        meeting: MeetingId,
    },
    Extract {
        meeting: MeetingId,
        paragraph: u32,
    },
    Agenda {
        meeting: MeetingId,
    },
    Notice {
        meeting: MeetingId,
    },
    /// The latest officer's report of the case.
    OfficerReport {
        case: CaseId,
    },
}

/// Fetches what the requested document needs and composes it, for the given
/// audience (the public sees no secret content).
pub async fn load(
    store: &Store,
    request: &Request,
    audience: Audience,
) -> Result<Doc, DocumentError> {
    let mut doc = match request {
        Request::Protocol { meeting } => {
            let m = view::meeting_for(store, *meeting, audience).await?;
            protocol_published(&m)?;
            let mut doc = compose::protocol(&m)?;
            doc.meta.draft = m.draft.then(|| PROTOCOL_DRAFT.to_string());
            doc
        }
        Request::Extract { meeting, paragraph } => {
            let m = view::meeting_for(store, *meeting, audience).await?;
            protocol_published(&m)?;
            let mut doc = compose::extract(&m, *paragraph)?;
            doc.meta.draft = m.draft.then(|| PROTOCOL_DRAFT.to_string());
            doc
        }
        Request::Notice { meeting } => {
            let signed = store.signed_protocol(*meeting).await.ok().flatten();
            compose::notice(
                &view::meeting_for(store, *meeting, audience).await?,
                signed.as_ref().map(|s| s.sha256.as_str()),
            )?
        }
        Request::Agenda { meeting } => {
            let m = view::meeting_for(store, *meeting, audience).await?;
            if !m.publication.agenda {
                return Err(DocumentError::NotPublic(format!(
                    "kallelsen till sammanträde {meeting} är inte utskickad än; föredragningslistan blir allmän när kallelsen går ut"
                )));
            }
            let date = store.meeting(*meeting).await?.date;
            let roster: Vec<view::MemberView> = store
                .members(kansli_core::BodyId(m.summary.body.id))
                .await?
                .iter()
                .filter(|x| x.term.contains(date))
                .map(view::MemberView::from)
                .collect();
            let changes = view::planning_changes(store, *meeting, audience).await?;
            compose::agenda(&m, &roster, &changes)
        }
        Request::OfficerReport { case } => {
            let c = view::case_for(store, *case, audience).await?;
            let last =
                c.officer_reports
                    .len()
                    .checked_sub(1)
                    .ok_or_else(|| DocumentError::NoReport {
                        case: c.number.clone(),
                    })?;
            let mut doc = compose::officer_report(&c, last)?;
            if view::report_is_draft(store, *case).await? {
                doc.meta.draft = Some(REPORT_DRAFT.to_string());
            }
            doc
        }
    };
    if audience == Audience::Public {
        // Nothing the public is given is a draft; the rules above refuse
        // one first, this is the last guard.
        doc.meta.draft = None;
    }
    Ok(doc)
}

/// The mark on every page of a protocol (or extract) that is not justerat.
pub use kansli_core::publication::PROTOCOL_DRAFT;
/// The mark on every page of an officer's report neither final nor sent.
pub const REPORT_DRAFT: &str = "UTKAST – beslutsförslaget är inte färdigställt";

/// Refuses the protocol and its extracts until they are public
/// (`kansli_core::publication::protocol_public`, KL 6 kap. 35 §, 8 kap. 12 §).
fn protocol_published(m: &view::MeetingView) -> Result<(), DocumentError> {
    if m.publication.protocol {
        return Ok(());
    }
    Err(DocumentError::NotPublic(format!(
        "protokollet från sammanträde {} är inte justerat än; det blir allmänt när det har justerats",
        m.summary.id
    )))
}

/// Finds a case by its number ("RS231470") among all organisations.
pub async fn case_by_number(store: &Store, number: &str) -> Result<CaseId, DocumentError> {
    for org in store.organisations().await? {
        if let Some(c) = store.case_by_number(org.id, number).await? {
            return Ok(c.id);
        }
    }
    Err(DocumentError::NoCase(number.to_string()))
}

/// A file name for a document: "protokoll-2025-01-28-regionstyrelsens-arbetsutskott.pdf",
/// "beslutsforslag-2024-12-03-rs231470.pdf".
pub fn file_name(doc: &Doc, format: Format) -> String {
    let mut slug = String::new();
    let what = doc.meta.case_number.as_ref().unwrap_or(&doc.meta.issuer);
    for c in format!("{} {} {what}", doc.meta.kind.code(), doc.meta.date)
        .to_lowercase()
        .chars()
    {
        let c = match c {
            'å' | 'ä' => 'a',
            'ö' => 'o',
            'é' => 'e',
            c if c.is_ascii_alphanumeric() || c == '-' => c,
            _ => '-',
        };
        if !(c == '-' && slug.ends_with('-')) {
            slug.push(c);
        }
    }
    format!("{}.{}", slug.trim_matches('-'), format.extension())
}
