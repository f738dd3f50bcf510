//! kansli-import: reading protocols: text (typed, exported, or extracted from a PDF with its
//! page furniture) in the common Swedish layouts, into a structured
//! [`ImportedProtocol`].
//!
//! The reader works as a person does: it strips what repeats on every page
//! (the sign boxes, page numbers, running heads), reads the labelled fields
//! of the first page (in any of the usual spellings), then walks the
//! paragraphs: a line `§ 12` starts one, the known headings start its
//! sections, a voteringslista is read as a table by its columns. What it does
//! not understand becomes a warning with its line number; nothing is guessed
//! silently. Every step is a linear pass over the lines, and the memory used
//! is bounded by the document.

mod fold;
mod lines;
mod paragraph;
mod pdf;
mod people;
mod recognise;
pub mod sandbox;
mod save;
#[doc(hidden)]
pub mod testpdf;

pub use pdf::{
    MAX_NESTING, MAX_PAGES, ReadLimits, looks_like_pdf, pdf_to_text, pdf_to_text_limited,
};
pub use sandbox::{Limits, pdf_text_isolated};

pub mod bulk;
pub mod ocr;

pub use save::{SaveError, SaveOptions, Saved, SourceFile, save};

use lines::Line;
use serde::Serialize;

/// A protocol as read from text.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportedProtocol {
    /// The body (organ): "Regionstyrelsens arbetsutskott".
    pub organ: Option<String>,
    /// The organisation, where the text states it.
    pub organisation: Option<String>,
    /// YYYY-MM-DD.
    pub meeting_date: Option<String>,
    pub place: Option<String>,
    /// "14:00".
    pub starts: Option<String>,
    pub ends: Option<String>,
    pub chair: Option<String>,
    pub secretary: Option<String>,
    pub approvers: Vec<String>,
    /// Justeringsdatum, where filled in.
    pub approved: Option<String>,
    pub notice_posted: Option<String>,
    pub notice_taken_down: Option<String>,
    pub kept_at: Option<String>,
    pub members: Vec<ImportedAttendee>,
    pub substitutes: Vec<ImportedAttendee>,
    pub others: Vec<ImportedAttendee>,
    /// The ärendelista as printed.
    pub agenda: Vec<AgendaEntry>,
    pub paragraphs: Vec<ImportedParagraph>,
    /// What was not understood, with line numbers.
    pub warnings: Vec<Warning>,
}

/// A person on the first page.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportedAttendee {
    pub name: String,
    pub party: Option<String>,
    /// "ordförande", "ledamot", "ersättare för …", or an official's title.
    pub role: Option<String>,
    /// Whom a serving substitute replaces, when stated.
    pub replacing: Option<String>,
    /// Paragraph ranges, inclusive; empty: the whole meeting.
    pub paragraphs: Vec<(u32, u32)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgendaEntry {
    pub number: u32,
    pub title: String,
    pub case_number: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportedParagraph {
    pub number: u32,
    pub title: String,
    /// As written: "RS231470", "KS 2023/145".
    pub case_number: Option<String>,
    /// "Beslut". For information items often absent.
    pub decision: Option<ImportedDecision>,
    /// "Förslag till beslut".
    pub draft_decision: Option<ImportedDecision>,
    /// "Ärendet", as paragraphs of text.
    pub matter: Vec<String>,
    pub proposals: Vec<ImportedProposal>,
    /// "Beslutsgång" / "Propositionsordning", sentence by sentence.
    pub propositions: Vec<String>,
    pub votes: Vec<ImportedVote>,
    pub reservations: Vec<ImportedReservation>,
    pub minute_notes: Vec<String>,
    pub disqualifications: Vec<String>,
    pub basis: Vec<String>,
    /// `None`: not stated; `Some([])`: «Expedieras inte».
    pub dispatch: Option<Vec<String>>,
    /// The paragraph is marked secret (its content is left out).
    pub secret: bool,
}

/// A decision (or a draft): one or more parts, each an opening formula and
/// its att-satser ("… föreslår vidare regionstyrelsen besluta att" starts a
/// second part).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportedDecision {
    pub parts: Vec<ImportedDecisionPart>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportedDecisionPart {
    /// "Regionstyrelsens arbetsutskott beslutar att".
    pub intro: String,
    pub clauses: Vec<ImportedClause>,
}

/// An att-sats, with the points under it when it ends in a colon.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportedClause {
    pub text: String,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportedProposal {
    /// Names without party.
    pub movers: Vec<String>,
    pub parties: Vec<Option<String>>,
    /// What is moved: "bifall till motionen".
    pub text: String,
    /// The whole sentence.
    pub sentence: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportedVote {
    pub ja: u32,
    pub nej: u32,
    pub avstar: u32,
    /// The voting order and result sentences.
    pub wording: Vec<String>,
    pub roll: Vec<RollEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollEntry {
    pub name: String,
    pub party: Option<String>,
    pub role: Option<String>,
    /// "ja", "nej" or "avstar".
    pub vote: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportedReservation {
    pub names: Vec<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// 1-based line in the input.
    pub line: usize,
    pub message: String,
}

/// Why a text is not read as a protocol.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("texten är tom")]
    Empty,
    #[error("texten ser inte ut som ett protokoll: {0}")]
    NotAProtocol(String),
    #[error("PDF-filen kunde inte läsas: {0}")]
    Pdf(String),
    /// The PDF has pages but no text on them (a scanned image): OCR first.
    #[error("PDF-filen innehåller ingen text (en inskannad bild behöver tolkas med OCR först)")]
    NoText,
    /// Reading the PDF took longer than its deadline (seconds).
    #[error("PDF-filen kunde inte läsas inom {0} s")]
    PdfTimeout(u64),
    /// Reading the PDF needed more memory than allowed (MiB).
    #[error("PDF-filen kunde inte läsas: den krävde mer än {0} MB minne")]
    PdfMemory(u64),
    /// The PDF reader crashed (a stack overflow, an abort, a panic).
    #[error("PDF-filen kunde inte läsas: {0}")]
    PdfCrashed(String),
    /// The PDF is beyond a limit (pages, nesting, text).
    #[error("PDF-filen kunde inte läsas: {0}")]
    PdfLimit(String),
    /// The separate PDF reader process could not be started.
    #[error("PDF-läsaren kunde inte startas: {0}")]
    PdfWorker(String),
}

/// Reads a protocol from a file's bytes: a PDF (its text laid out by
/// [`pdf_to_text`]) or text in UTF-8 (or, failing that, Windows-1252, as
/// older exports are).
pub fn read_protocol(bytes: &[u8]) -> Result<ImportedProtocol, ImportError> {
    if looks_like_pdf(bytes) {
        return parse_protocol(&pdf_to_text(bytes)?);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_protocol(text.strip_prefix('\u{feff}').unwrap_or(text)),
        Err(_) => parse_protocol(&windows_1252(bytes)),
    }
}

/// Windows-1252 to text: Latin-1 with the typographic marks of 0x80–0x9F.
fn windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => HIGH[(b - 0x80) as usize],
            _ => b as char,
        })
        .collect()
}

/// Reads a protocol from its text. A text that is another kind of document
/// (a tjänsteskrivelse, a delegationsbeslut, a motion, a kallelse) is refused
/// with its kind named; a protocol's head alone (a first page, an excerpt
/// without paragraphs) is read as what it is.
pub fn parse_protocol(text: &str) -> Result<ImportedProtocol, ImportError> {
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    let all = lines::prepare(text);
    let title = recognise::title(&all);
    if let Some(recognise::Title::Other(kind)) = title
        && recognise::protocol_evidence(&all) < 3
    {
        return Err(ImportError::NotAProtocol(kind.refusal().into()));
    }
    let mut out = ImportedProtocol::default();
    let (head, body) = lines::split_head(&all);
    let labels = people::read_head(head, &mut out);
    paragraph::read_body(body, &mut out);
    if out.paragraphs.is_empty() && out.agenda.is_empty() {
        let titled = title == Some(recognise::Title::Protocol);
        let protocol = titled || labels >= 2;
        // A kallelse without its title also has Plats och tid and an
        // ordförande: a head is believed over what the lines say only when
        // it says more.
        if !titled
            && labels < 3
            && let Some(kind) = recognise::by_content(&all)
        {
            return Err(ImportError::NotAProtocol(kind.refusal().into()));
        }
        if !protocol {
            return Err(ImportError::NotAProtocol(
                "inga paragrafer (§), ingen ärendelista och inga av protokollets fält \
                 (Plats och tid, Beslutande, Utses att justera) hittades"
                    .into(),
            ));
        }
        out.warnings.push(Warning {
            line: body.first().or(head.last()).map_or(1, |l| l.number),
            message: "inga paragrafer (§) hittades: bara protokollets huvud lästes".into(),
        });
    }
    if out.approvers.is_empty() {
        people::approvers_in_text(&all, &mut out);
    }
    if out.chair.is_none() {
        people::chair_in_text(&all, &mut out);
    }
    if out.organ.is_none() {
        people::organ_in_text(&all, &mut out);
    }
    if out.organ.is_none() {
        out.warnings.push(Warning {
            line: 1,
            message: "organet (nämnd, styrelse, utskott) framgår inte".into(),
        });
    }
    if out.meeting_date.is_none() {
        out.warnings.push(Warning {
            line: 1,
            message: "sammanträdesdatum saknas".into(),
        });
    }
    if out.chair.is_none() {
        out.warnings.push(Warning {
            line: 1,
            message: "ordföranden framgår inte".into(),
        });
    }
    Ok(out)
}

impl ImportedProtocol {
    /// Pretty JSON for `kansli import protocol --json`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("plain data serialises")
    }
}

fn warn(out: &mut ImportedProtocol, line: &Line, message: impl Into<String>) {
    warn_at(out, line.number, message);
}

fn warn_at(out: &mut ImportedProtocol, line: usize, message: impl Into<String>) {
    out.warnings.push(Warning {
        line,
        message: message.into(),
    });
}
