//! The document model: what a document says, in order, independent of its
//! format. Each document (protocol, extract, report, agenda, notice) is built
//! once as a [`Doc`]; the HTML, text and PDF renderers only lay it out, so
//! the three formats cannot say different things.
//!
//! Two levels only: a document is a list of [`Part`]s (a page of fields, a
//! paragraph, a voteringslista), each a list of flat [`Block`]s.

use serde::Serialize;

/// Which document a [`Doc`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// Protokoll.
    Protocol,
    /// Protokollsutdrag: one paragraph, certified.
    Extract,
    /// Beslutsförslag / tjänsteskrivelse.
    OfficerReport,
    /// Kallelse med föredragningslista.
    Agenda,
    /// Anslag on the anslagstavla that the protocol is approved.
    Notice,
    /// Redovisning till fullmäktige av motioner som inte har beretts
    /// färdigt inom ett år (KL 5 kap. 35 §).
    MotionReport,
}

impl DocKind {
    /// The name used in file names and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            DocKind::Protocol => "protokoll",
            DocKind::Extract => "protokollsutdrag",
            DocKind::OfficerReport => "beslutsforslag",
            DocKind::Agenda => "kallelse",
            DocKind::Notice => "anslag",
            DocKind::MotionReport => "motionsredovisning",
        }
    }
}

/// What every page of the document carries, and the PDF's metadata.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub kind: DocKind,
    /// "Protokoll", "Protokollsutdrag", "Beslutsförslag", "Kallelse", "Anslag".
    pub title: String,
    /// "Region Halland".
    pub organisation: String,
    /// The body, or for a report the issuing office: "Regionstyrelsens arbetsutskott".
    pub issuer: String,
    /// Lines under the issuer in the page head (a report's unit and author).
    pub issuer_lines: Vec<String>,
    /// "Sammanträdesdatum" or "Datum".
    pub date_label: String,
    /// YYYY-MM-DD.
    pub date: String,
    /// The case number, for single-case documents.
    pub case_number: Option<String>,
    /// The boxes at the foot of every page ("Ordförandes sign", …), empty when
    /// the document has none.
    pub furniture: Vec<String>,
    /// The document's full title, used as the PDF's and the HTML page's title.
    pub full_title: String,
    /// PDF keywords.
    pub keywords: Vec<String>,
    /// The mark of a draft, printed on every page (PDF), in the page head
    /// (HTML) and first (text): "UTKAST – protokollet är inte justerat".
    /// `None` for a final document. Set by [`crate::load`] from the rule
    /// in `kansli_core::publication::is_draft`.
    pub draft: Option<String>,
}

/// A part of a document: a page of fields, a paragraph (§), a voteringslista.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Part {
    /// Anchor in HTML ("p13").
    pub id: Option<String>,
    /// "§13 Svar på motion …", "Ärendelista".
    pub heading: Option<String>,
    /// Printed under the heading: the case number.
    pub subheading: Option<String>,
    /// Starts on a new page in print.
    pub new_page: bool,
    /// Drawn in a frame (the Anslag/Bevis block).
    pub framed: bool,
    pub blocks: Vec<Block>,
}

/// One flat piece of content.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A section heading inside a part: "Beslut", "Yrkanden".
    Heading { text: String },
    /// A paragraph of running text.
    Text { text: String },
    /// A bulleted list; an item may have a list of its own (att-satser with
    /// their points).
    List { items: Vec<ListItem> },
    /// Label and value rows ("Plats och tid", "Ledamöter", …); a value may run
    /// over several lines.
    Fields { fields: Vec<Field> },
    /// Signature lines: the role, room to sign, the printed name.
    Signatures { signatures: Vec<Signature> },
    /// A table with a header row and an optional footer row.
    Table { table: Table },
}

#[derive(Debug, Clone, Serialize)]
pub struct ListItem {
    pub text: String,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub label: String,
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Signature {
    /// "Sekreterare", "Ordförande", "Justerare".
    pub role: String,
    pub name: String,
    /// "Justerat 2025-02-04", when signed.
    pub signed: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub footer: Option<Vec<String>>,
}

/// A document: its metadata and its parts, in reading order.
#[derive(Debug, Clone, Serialize)]
pub struct Doc {
    pub meta: Meta,
    pub parts: Vec<Part>,
}

impl Block {
    pub fn heading(text: impl Into<String>) -> Block {
        Block::Heading { text: text.into() }
    }

    pub fn text(text: impl Into<String>) -> Block {
        Block::Text { text: text.into() }
    }

    pub fn list<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Block {
        Block::List {
            items: items
                .into_iter()
                .map(|s| ListItem {
                    text: s.into(),
                    items: vec![],
                })
                .collect(),
        }
    }

    pub fn fields(fields: Vec<Field>) -> Block {
        Block::Fields { fields }
    }
}

impl Field {
    pub fn new(label: impl Into<String>, lines: Vec<String>) -> Field {
        Field {
            label: label.into(),
            lines,
        }
    }

    pub fn one(label: impl Into<String>, value: impl Into<String>) -> Field {
        Field::new(label, vec![value.into()])
    }
}

impl Doc {
    /// The headings of the parts, in order (used by tests and by the text
    /// renderer's table of contents).
    pub fn part_headings(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| p.heading.as_deref())
    }
}
