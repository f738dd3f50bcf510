//! The first page: labelled fields in the spellings municipalities use, and
//! the people on it ("Per Persson (S) §§5-15", "Anna Berg (S), ersättare för
//! Bo Ek (S)", "Jan Törnell (infrastrukturstrateg) §3").

use super::fold;
use super::lines::{Line, cells, is_page_number};
use super::{ImportedAttendee, ImportedProtocol, warn_at};
use std::borrow::Cow;

/// What a first-page label stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    PlaceAndTime,
    Place,
    Time,
    Date,
    Members,
    Serving,
    Substitutes,
    Others,
    Paragraphs,
    Approvers,
    ApprovalPlaceAndTime,
    Secretary,
    Chair,
    Signatures,
    Notice,
    Organ,
    Approved,
    Posted,
    TakenDown,
    KeptAt,
    Signature,
    /// Frånvarande: read past.
    Absent,
}

/// Labels and their spellings, in byte order (looked up by first letter).
const LABELS: &[(&str, Label)] = &[
    ("ande", Label::Members),
    ("anslag / bevis", Label::Notice),
    ("anslag/ bevis", Label::Notice),
    ("anslag/bevis", Label::Notice),
    ("anslaget anslås", Label::Posted),
    ("anslaget nedtages", Label::TakenDown),
    ("anslaget nedtas", Label::TakenDown),
    ("anslaget sätts upp", Label::Posted),
    ("anslaget tas ned", Label::TakenDown),
    ("anslaget tas ner", Label::TakenDown),
    ("anslaget uppsatt", Label::Posted),
    ("anslaget uppsättes", Label::Posted),
    ("anslaget är uppsatt", Label::Posted),
    ("anslagsbevis", Label::Notice),
    ("beslutande", Label::Members),
    ("beslutande ledamöter", Label::Members),
    ("beslutande organ", Label::Organ),
    ("beslutsinstans", Label::Organ),
    ("bevis", Label::Notice),
    ("bevis om anslag", Label::Notice),
    ("datum", Label::Date),
    ("datum då anslaget sätts upp", Label::Posted),
    ("datum då anslaget tas ned", Label::TakenDown),
    ("datum för anslagets nedtagande", Label::TakenDown),
    ("datum för anslagets uppsättande", Label::Posted),
    ("datum för anslags nedtagande", Label::TakenDown),
    ("datum för anslags uppsättande", Label::Posted),
    ("datum för justering", Label::Approved),
    ("datum när anslaget sätts upp", Label::Posted),
    ("datum när anslaget tas ned", Label::TakenDown),
    ("datum när anslaget tas ner", Label::TakenDown),
    ("ej beslutande ersättare", Label::Substitutes),
    ("ej tjänstgörande", Label::Substitutes),
    ("ej tjänstgörande ersättare", Label::Substitutes),
    ("ersättare", Label::Substitutes),
    ("ersättare ej tjänstgörande", Label::Substitutes),
    ("forum", Label::Organ),
    ("frånvarande", Label::Absent),
    ("förvaringsplats", Label::KeptAt),
    ("förvaringsplats för protokoll", Label::KeptAt),
    ("förvaringsplats för protokollet", Label::KeptAt),
    ("instans", Label::Organ),
    ("justerade paragrafer", Label::Paragraphs),
    ("justerande", Label::Approvers),
    ("justerare", Label::Approvers),
    ("justering", Label::Signatures),
    ("justeringens plats och datum", Label::ApprovalPlaceAndTime),
    ("justeringens plats och tid", Label::ApprovalPlaceAndTime),
    ("justeringens tid och plats", Label::ApprovalPlaceAndTime),
    ("justeringsdag", Label::Approved),
    ("justeringsdatum", Label::Approved),
    ("justeringsman", Label::Approvers),
    ("justeringsmän", Label::Approvers),
    ("ledamöter", Label::Members),
    ("mötesdatum", Label::Date),
    ("mötesordförande", Label::Chair),
    ("nämnd", Label::Organ),
    ("närvarande", Label::Members),
    ("närvarande beslutande", Label::Members),
    ("närvarande ej tjänstgörande ersättare", Label::Substitutes),
    ("närvarande ersättare", Label::Substitutes),
    ("närvarande ledamöter", Label::Members),
    ("närvarande tjänstemän", Label::Others),
    ("närvarande tjänstepersoner", Label::Others),
    ("närvarande, ej tjänstgörande ersättare", Label::Substitutes),
    ("ordförande", Label::Chair),
    ("organ", Label::Organ),
    ("paragraf", Label::Paragraphs),
    ("paragrafer", Label::Paragraphs),
    ("plats", Label::Place),
    ("plats och tid", Label::PlaceAndTime),
    ("plats och tid för justering", Label::ApprovalPlaceAndTime),
    ("plats och tid för justeringen", Label::ApprovalPlaceAndTime),
    ("plats/tid för justering", Label::ApprovalPlaceAndTime),
    ("protokollet anslås", Label::Posted),
    ("protokollet finns hos", Label::KeptAt),
    ("protokollet förvaras", Label::KeptAt),
    ("protokollets förvaring", Label::KeptAt),
    ("protokollets förvaringsplats", Label::KeptAt),
    ("protokollförare", Label::Secretary),
    ("protokolljusterare", Label::Approvers),
    ("protokollsjusterare", Label::Approvers),
    ("sammanträdesdag", Label::Date),
    ("sammanträdesdatum", Label::Date),
    ("sammanträdesplats", Label::Place),
    ("sammanträdestid", Label::Time),
    ("sekreterare", Label::Secretary),
    ("tid", Label::Time),
    ("tid för justering", Label::ApprovalPlaceAndTime),
    ("tid och plats", Label::PlaceAndTime),
    ("tid och plats för justering", Label::ApprovalPlaceAndTime),
    ("tidpunkt", Label::Time),
    ("tjänstemän", Label::Others),
    ("tjänstepersoner", Label::Others),
    ("tjänstgörande ersättare", Label::Serving),
    ("tjänstgörande ledamöter", Label::Members),
    ("underskrift", Label::Signature),
    ("underskrifter", Label::Signatures),
    ("utsedd att justera", Label::Approvers),
    ("utsedda att justera", Label::Approvers),
    ("utses att justera", Label::Approvers),
    ("övriga", Label::Others),
    ("övriga deltagande", Label::Others),
    ("övriga deltagare", Label::Others),
    ("övriga deltagare tjänstemän", Label::Others),
    ("övriga ersättare", Label::Substitutes),
    ("övriga närvarande", Label::Others),
    ("övriga närvarande ersättare", Label::Substitutes),
    ("övriga närvarande tjänstepersoner", Label::Others),
];

/// The longest spelling in [`LABELS`], in bytes.
const LONGEST_LABEL: usize = fold::longest(LABELS);

/// The spellings in [`LABELS`] by their first byte.
const LABELS_BY_FIRST: [fold::Spellings; 256] = fold::by_first_byte(LABELS);

/// A label at the start of `text`, with the rest of the line. The longest
/// spelling wins ("förvaringsplats för protokollet" over "förvaringsplats").
pub fn label_of(text: &str) -> Option<(Label, &str)> {
    let (label, _, rest) = label_match(text)?;
    Some((label, rest.trim_start_matches(':').trim()))
}

/// The label at the start of `text`, its spelling and the rest (colon kept).
fn label_match(text: &str) -> Option<(Label, &'static str, &str)> {
    let by = LABELS_BY_FIRST[usize::from(fold::first_byte_lower(text)?)];
    if by.lo == by.hi {
        return None;
    }
    // The line's start in lower case once (as far as the longest spelling
    // of its first letter), compared with each spelling as bytes.
    let mut buf = [0u8; LONGEST_LABEL];
    let lower = fold::lower_into(text, &mut buf[..usize::from(by.longest)]);
    let alike = fold::folds_alike(lower);
    let mut best: Option<(&'static str, Label, &str)> = None;
    for (spelling, label) in &LABELS[usize::from(by.lo)..usize::from(by.hi)] {
        let rest = if alike {
            lower.starts_with(spelling).then(|| &text[spelling.len()..])
        } else {
            fold::strip_prefix(text, spelling)
        };
        if let Some(rest) = rest {
            let ok = rest.is_empty() || rest.starts_with(':') || rest.starts_with(' ');
            if ok && best.is_none_or(|(s, _, _)| spelling.len() > s.len()) {
                best = Some((spelling, *label, rest));
            }
        }
    }
    let (spelling, label, rest) = best?;
    // "Nämnd för arbetsmarknad", "Instans" in a sentence: a body's name, or
    // prose, not the Organ field, whose value is a name.
    let value = rest.trim_start_matches(':').trim_start();
    if label == Label::Organ && value.starts_with(char::is_lowercase) && !value.starts_with("och ")
    {
        return None;
    }
    Some((label, spelling, rest))
}

/// Lines at the top that name the document rather than say anything.
fn is_title(text: &str) -> bool {
    fold::eq_any(
        text,
        &[
            "protokoll",
            "sammanträdesprotokoll",
            "protokollsutdrag",
            "utdrag ur protokoll",
            "utdrag",
            "sammanträdesprotokoll med bilagor",
        ],
    )
}

/// "Region Halland", "Umeå kommun", "Jämtlands läns landsting".
fn looks_like_organisation(text: &str) -> bool {
    fold::starts_with(text, "region ")
        || [
            " kommun",
            " stad",
            " landsting",
            " region",
            " kommunförbund",
        ]
        .iter()
        .any(|e| fold::ends_with(text, e))
}

/// "Kommunfullmäktige", "Socialnämnden", "Regionstyrelsens arbetsutskott".
fn looks_like_body(text: &str) -> bool {
    [
        "fullmäktige",
        "styrelse",
        "nämnd",
        "utskott",
        "beredning",
        "direktion",
        "råd",
        "presidium",
        "kommitté",
        "styrgrupp",
    ]
    .iter()
    .any(|w| fold::contains(text, w))
        && !fold::contains(text, " kommun")
        && text.split_whitespace().count() <= 6
}

/// "ÄLVBY KOMMUN" -> "Älvby kommun": names set in capitals, in the usual
/// case (the generic words lower-case, the rest capitalised).
fn uncapitalise(text: &str) -> String {
    if text.chars().any(char::is_lowercase) {
        return text.to_string();
    }
    const GENERIC: [&str; 9] = [
        "kommun",
        "stad",
        "region",
        "läns",
        "landsting",
        "och",
        "kommunförbund",
        "för",
        "i",
    ];
    let mut out = Vec::new();
    for (i, w) in text.split_whitespace().enumerate() {
        let lower = w.to_lowercase();
        if i > 0 && GENERIC.contains(&lower.as_str()) {
            out.push(lower);
        } else {
            let mut c = lower.chars();
            let first: String = c
                .next()
                .map(|f| f.to_uppercase().collect())
                .unwrap_or_default();
            out.push(first + c.as_str());
        }
    }
    out.join(" ")
}

/// A cell as printed, less the dotted lines drawn for signatures
/// ("...........", "Ulla Andersson..").
fn clean_cell(cell: &str) -> &str {
    cell.trim_matches(|c: char| matches!(c, '.' | '_' | '…') || c.is_whitespace())
}

/// "Se förteckning bilaga 1", "Se bilaga", "Se sid 2": the list is elsewhere.
fn refers_elsewhere(cell: &str) -> bool {
    (fold::starts_with(cell, "se ") || fold::starts_with(cell, "enligt "))
        && [
            "bilaga",
            "sid",
            "förteckning",
            "nästa",
            "närvarolista",
            "lista",
        ]
        .iter()
        .any(|w| fold::contains(cell, w))
}

/// "Bilaga 1", "Bilaga": the heading of an appended list.
fn is_appendix_heading(cell: &str) -> bool {
    let rest = fold::strip_prefix(cell.trim_end_matches('.'), "bilaga");
    rest.is_some_and(|r| r.trim().chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// One line of the head as cells, for reading.
struct Row<'a> {
    number: usize,
    blank: bool,
    /// The line begins at the left margin (labels do).
    at_margin: bool,
    cells: Vec<Cow<'a, str>>,
}

/// Labels broken over two lines ("Närvarande, ej" / "tjänstgörande
/// ersättare", "Tid och plats för" / "justering") are joined.
fn join_wrapped_labels(rows: &mut [Row]) {
    for i in 0..rows.len().saturating_sub(1) {
        let (a, b) = rows.split_at_mut(i + 1);
        let (this, next) = (&mut a[i], &mut b[0]);
        if !(this.at_margin && next.at_margin)
            || this.cells.is_empty()
            || next.cells.is_empty()
            || this.cells[0].len() + next.cells[0].len() >= LONGEST_LABEL
        {
            continue;
        }
        let joined = format!("{} {}", this.cells[0], next.cells[0]);
        let whole = matches!(label_of(&joined), Some((_, v)) if v.is_empty());
        let alone_no_label = label_of(&this.cells[0]).is_none_or(|(_, v)| !v.is_empty());
        if whole && alone_no_label {
            this.cells[0] = Cow::Owned(joined);
            next.cells.remove(0);
            next.blank = next.cells.is_empty();
        }
    }
}

/// A row of a members' table ("Lena Åberg, ordförande   C   § 71–75") as
/// the one-line form the person reader knows ("Lena Åberg (C), ordförande
/// § 71–75").
pub fn table_row_as_person<S: AsRef<str>>(cells: &[S]) -> Option<String> {
    let party = cells.get(1).map(AsRef::as_ref).filter(|p| is_party(p))?;
    let name = cells[0].as_ref();
    let (name, role) = match name.split_once(", ") {
        Some((n, r)) => (n, Some(r)),
        None => (name, None),
    };
    let mut s = format!("{name} ({party})");
    if let Some(r) = role {
        s.push_str(", ");
        s.push_str(r);
    }
    for c in &cells[2..] {
        s.push(' ');
        s.push_str(c.as_ref());
    }
    Some(s)
}

struct Field {
    label: Label,
    values: Vec<String>,
    blank_seen: bool,
}

/// Spellings of one word that may start a field in the middle of a line (a
/// page an extractor flattened into one line); any spelling of several
/// words may, and any label followed by a colon.
const MID_WORDS: [&str; 22] = [
    "anslagsbevis",
    "beslutande",
    "beslutsinstans",
    "bevis",
    "ersättare",
    "förvaringsplats",
    "instans",
    "justerande",
    "justerare",
    "justering",
    "justeringsdatum",
    "ledamöter",
    "nämnd",
    "ordförande",
    "organ",
    "paragrafer",
    "protokollförare",
    "sammanträdesdag",
    "sammanträdesdatum",
    "sekreterare",
    "underskrift",
    "underskrifter",
];

/// A cell cut where a label begins inside it: "Plats och tid Rummet, kl 9
/// Beslutande Anna Berg (S) Utses att justera Bo Ek" becomes three cells.
/// Only a capitalised label inside running text counts, so "Anna Berg (S),
/// ordförande" stays whole.
pub fn split_at_labels(cell: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = cell.as_bytes();
    let mut start = 0;
    let mut i = 1;
    while i < b.len() {
        // The capitals labels begin with ('Ö' is C3 96 in UTF-8).
        let initial = matches!(
            b[i],
            b'A' | b'B'
                | b'D'
                | b'E'
                | b'F'
                | b'I'
                | b'J'
                | b'L'
                | b'M'
                | b'N'
                | b'O'
                | b'P'
                | b'S'
                | b'T'
                | b'U'
                | 0xc3
        );
        if initial
            && b[i - 1] == b' '
            && !cell[..i].trim_end().ends_with('/')
            && cell[i..].starts_with(char::is_uppercase)
            && let Some((_, spelling, rest)) = label_match(&cell[i..])
            && (spelling.contains([' ', '/'])
                || MID_WORDS.contains(&spelling)
                || rest.starts_with(':'))
        {
            let piece = cell[start..i].trim();
            if !piece.is_empty() {
                out.push(piece);
            }
            start = i;
            i += spelling.len();
            continue;
        }
        i += 1;
    }
    let piece = cell[start..].trim();
    if !piece.is_empty() {
        out.push(piece);
    }
    out
}

/// Title words ("PROTOKOLL"), page marks ("Sida", "1 (9)", "[1-5]") and
/// a leading page number, which a preamble line carries beside its names.
fn is_preamble_noise(word: &str) -> bool {
    is_title(word)
        || is_page_number(word)
        || fold::eq_any(word, &["sida", "sidan", "sid", "nr"])
        || word
            .bytes()
            .all(|c| c.is_ascii_digit() || b"()[]-/".contains(&c))
}

/// "Barn- OCH UTBILDNINGSNÄMNDEN" -> "Barn- och utbildningsnämnden": a body's
/// name set in capitals, as a sentence.
fn body_case(text: &str) -> String {
    if text.chars().any(char::is_lowercase) {
        return text.to_string();
    }
    let lower = text.to_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => lower,
    }
}

/// A word that names a kind of body ("Kommunfullmäktige", "utskott").
fn is_body_word(word: &str) -> bool {
    [
        "fullmäktige",
        "styrelse",
        "nämnd",
        "utskott",
        "beredning",
        "direktion",
        "presidium",
        "kommitté",
    ]
    .iter()
    .any(|w| fold::contains(word, w))
}

/// The name of a body inside a longer run of words ("HAGABY KOMMUN
/// SAMMANTRÄDESPROTOKOLL Kommunfullmäktige Plats …"): the word naming the
/// body, with "Barn- och" before it and a genitive's noun after it
/// ("Kommunstyrelsens arbetsutskott").
fn body_in(words: &[&str]) -> Option<String> {
    let at = words.iter().position(|w| is_body_word(w))?;
    let mut from = at;
    while from >= 2 && fold::eq(words[from - 1], "och") && words[from - 2].ends_with('-') {
        from -= 2;
    }
    let mut to = at + 1;
    if words[at].ends_with(['s', 'S']) {
        // "Kommunstyrelsens (sociala) arbetsutskott".
        for k in at + 1..(at + 3).min(words.len()) {
            if is_body_word(words[k]) {
                to = k + 1;
                break;
            }
        }
    }
    Some(body_case(&words[from..to].join(" ")))
}

/// What the head found, by how much to trust it: a field's label beats a
/// line of the page head, which beats a guess.
#[derive(Default)]
struct Found {
    organ_body: Option<String>,
    organ_label: Option<String>,
    organ_label_other: Option<String>,
    organ_other: Option<String>,
    date_label: Option<String>,
    date_place: Option<String>,
    date_header: Option<String>,
    /// Day and month of the meeting without its year ("måndagen den 15 augusti").
    partial: Option<(i8, i8, usize)>,
    /// Every whole date on the first page, in order.
    dates: Vec<String>,
    /// The protocol's own labels seen (Beslutande, Utses att justera, …).
    labels: u32,
}

/// The labels that only a protocol's first page has.
fn protocol_bit(label: Label) -> u32 {
    match label {
        Label::PlaceAndTime => 1,
        Label::Members | Label::Serving => 1 << 1,
        Label::Approvers => 1 << 2,
        Label::ApprovalPlaceAndTime | Label::Approved => 1 << 3,
        Label::Signatures => 1 << 4,
        Label::Notice | Label::Posted | Label::TakenDown => 1 << 5,
        Label::Paragraphs => 1 << 6,
        Label::KeptAt => 1 << 7,
        Label::Substitutes | Label::Others => 1 << 8,
        Label::Secretary | Label::Chair => 1 << 9,
        _ => 0,
    }
}

/// One line of the head as its cells.
fn head_row<'a>(l: &'a Line) -> Row<'a> {
    let mut row = Row {
        number: l.number,
        blank: l.is_blank(),
        at_margin: !l.raw.starts_with(char::is_whitespace),
        cells: Vec::new(),
    };
    let mut add = |c: &'a str| {
        let c = clean_cell(c);
        if !c.is_empty() && !is_page_number(c) {
            row.cells.push(Cow::Borrowed(c));
        }
    };
    for c in cells(&l.raw) {
        // Only a long run (a flattened page) or a short run of labels
        // ("Sekreterare Ordförande Justerande") can hide fields.
        if c.len() > 80 || (c.len() <= 48 && c.contains(' ') && label_of(c).is_some()) {
            split_at_labels(c).into_iter().for_each(&mut add);
        } else {
            add(c);
        }
    }
    row
}

/// Reads the first page (and the Anslag/Bevis block when it sits there).
/// Returns how many kinds of a protocol's own labels it saw: a text without
/// paragraphs is a protocol when its head says so.
pub fn read_head(head: &[Line], out: &mut ImportedProtocol) -> u32 {
    let mut rows: Vec<Row> = head.iter().map(head_row).collect();
    join_wrapped_labels(&mut rows);
    let mut found = Found::default();
    let mut fields: Vec<Field> = Vec::new();
    let mut preamble = true;
    // Labels laid out side by side ("Sekreterare    Ordförande") wait for
    // the line of names under them.
    let mut columns: Vec<Label> = Vec::new();
    let mut notice = false;
    // Inside a members' table with a Parti column.
    let mut table = false;
    for row in &mut rows {
        // A party in a column before the name: "C   Ulla Persson, ordförande".
        let mut k = 0;
        while k + 1 < row.cells.len() {
            if is_party(&row.cells[k])
                && row.cells[k + 1].starts_with(char::is_uppercase)
                && row.cells[k + 1]
                    .chars()
                    .nth(1)
                    .is_some_and(char::is_lowercase)
                && label_of(&row.cells[k + 1]).is_none()
            {
                let joined = table_row_as_person(&[&row.cells[k + 1], &row.cells[k]]);
                if let Some(j) = joined {
                    row.cells[k] = Cow::Owned(j);
                    row.cells.remove(k + 1);
                }
            }
            k += 1;
        }
    }
    for row in &rows {
        if row.blank || row.cells.is_empty() {
            if let Some(f) = fields.last_mut() {
                f.blank_seen = true;
            }
            continue;
        }
        let cells = &row.cells;
        if cells.len() == 1 && is_appendix_heading(&cells[0]) {
            continue;
        }
        for c in cells {
            if c.bytes().any(|b| b.is_ascii_digit())
                && let Some(d) = find_date(c)
            {
                found.dates.push(d);
            }
        }
        // A table's heading row: "Ledamöter   Parti   Tjänstgör".
        if cells.len() > 1
            && cells
                .iter()
                .skip(1)
                .any(|c| c.eq_ignore_ascii_case("parti"))
        {
            if let Some((label, _)) = label_of(&cells[0]) {
                fields.push(Field {
                    label,
                    values: vec![],
                    blank_seen: false,
                });
                table = true;
                preamble = false;
            }
            continue;
        }
        if table {
            if let Some(person) = table_row_as_person(cells) {
                if let Some(f) = fields.last_mut() {
                    f.values.push(person);
                }
                continue;
            }
            table = false;
        }
        // Several labels in one line: a row of column headings. The
        // "Underskrifter" title before them is not a column.
        let labels: Vec<Label> = cells
            .iter()
            .filter_map(|c| label_of(c))
            .filter(|(_, v)| v.is_empty())
            .map(|(l, _)| l)
            .collect();
        if cells.len() > 1 && labels.len() == cells.len() {
            for l in &labels {
                found.labels |= protocol_bit(*l);
            }
            let named: Vec<Label> = labels
                .into_iter()
                .filter(|l| !matches!(l, Label::Signatures | Label::Notice))
                .collect();
            preamble = false;
            // "Beslutande  Ledamöter", "Övriga närvarande  Ersättare": a
            // group and its first list.
            let named = match named.as_slice() {
                [Label::Members | Label::Others, sub] => vec![*sub],
                _ => named,
            };
            if named.len() == 1 {
                fields.push(Field {
                    label: named[0],
                    values: vec![],
                    blank_seen: false,
                });
            } else {
                columns = named;
            }
            continue;
        }
        if !columns.is_empty() {
            if cells.len() == columns.len() {
                for (label, value) in columns.iter().zip(cells) {
                    fields.push(Field {
                        label: *label,
                        values: vec![value.to_string()],
                        blank_seen: true,
                    });
                }
                columns.clear();
                continue;
            }
            columns.clear();
        }
        for cell in cells {
            if let Some((label, value)) = label_of(cell) {
                preamble = false;
                found.labels |= protocol_bit(label);
                if label == Label::Notice {
                    notice = true;
                }
                fields.push(Field {
                    label,
                    values: if value.is_empty() || refers_elsewhere(value) {
                        vec![]
                    } else {
                        vec![value.to_string()]
                    },
                    blank_seen: false,
                });
                continue;
            }
            if preamble {
                preamble_cell(cell, row.number, out, &mut found);
                continue;
            }
            if refers_elsewhere(cell) {
                continue;
            }
            match fields.last_mut() {
                Some(f) if f.values.is_empty() || !f.blank_seen => f.values.push(cell.to_string()),
                _ if notice => {
                    // The notice block's sentence ("Protokollet är justerat …").
                }
                _ => warn_at(
                    out,
                    row.number,
                    format!("okänd rad i protokollets huvud: «{cell}»"),
                ),
            }
        }
    }
    share_interleaved_names(&mut fields);
    for f in fields {
        apply(f, out, &mut found);
    }
    settle(out, found, head.first().map_or(1, |l| l.number))
}

/// A cell before the first label: the organisation, the body, the date of
/// the page head, a title; or, on a flattened page, all of them in one run.
fn preamble_cell(cell: &str, line: usize, out: &mut ImportedProtocol, found: &mut Found) {
    if is_title(cell) {
        return;
    }
    let mut words: Vec<&str> = Vec::new();
    for w in cell.split_whitespace() {
        if w.len() == 10
            && let Some(d) = find_date(w)
        {
            found.date_header.get_or_insert(d);
        } else if !is_preamble_noise(w) {
            words.push(w);
        }
    }
    if words.is_empty() {
        return;
    }
    // The organisation first: "HAGABY KOMMUN Kommunfullmäktige".
    let mut rest: &[&str] = &words;
    if out.organisation.is_none() {
        let at = words.iter().position(|w| {
            fold::eq_any(
                w,
                &["kommun", "stad", "landsting", "kommunförbund", "region"],
            )
        });
        match at {
            Some(0) if words.len() > 1 && fold::eq(words[0], "region") => {
                out.organisation = Some(uncapitalise(&words[..2].join(" ")));
                rest = &words[2..];
            }
            Some(k) if k > 0 => {
                out.organisation = Some(uncapitalise(&words[..=k].join(" ")));
                rest = &words[k + 1..];
            }
            _ => {}
        }
    }
    if rest.is_empty() {
        return;
    }
    let text = rest.join(" ");
    if looks_like_body(&text) {
        found.organ_body.get_or_insert(body_case(&text));
    } else if let Some(body) = body_in(rest) {
        found.organ_body.get_or_insert(body);
    } else if looks_like_organisation(&text) && out.organisation.is_none() {
        out.organisation = Some(uncapitalise(&text));
    } else if found.organ_other.is_none() && found.organ_body.is_none() {
        found.organ_other = Some(uncapitalise(&text));
    } else {
        warn_at(
            out,
            line,
            format!("okänd rad före protokollets fält: «{cell}»"),
        );
    }
}

/// Signature labels side by side on a flattened page, their names after the
/// last ("Sekreterare Ordförande Justerande Lotta Frid Sven Dahl (M) Per
/// Holm (C)"): one name to each label, the rest to the last.
fn share_interleaved_names(fields: &mut [Field]) {
    // "Utses att justera Justeringens plats och tid Eva Lind och Bo Ek
    // Kommunhuset …": the names lead the next field's value.
    for i in 0..fields.len().saturating_sub(1) {
        if fields[i].label == Label::Approvers
            && fields[i].values.is_empty()
            && fields[i + 1].label == Label::ApprovalPlaceAndTime
            && let Some(v) = fields[i + 1].values.first().cloned()
            && let Some((names, rest)) = leading_names(&v)
        {
            fields[i].values = vec![names];
            fields[i + 1].values[0] = rest;
        }
    }
    let signing = |l: Label| matches!(l, Label::Secretary | Label::Chair | Label::Approvers);
    let mut i = 0;
    while i < fields.len() {
        let start = i;
        while i < fields.len() && signing(fields[i].label) && fields[i].values.is_empty() {
            i += 1;
        }
        if i > start && i < fields.len() && signing(fields[i].label) && fields[i].values.len() == 1
        {
            let names = split_names(&fields[i].values[0]);
            let run = i - start + 1;
            if names.len() >= run {
                let mut names = names.into_iter();
                for f in &mut fields[start..i] {
                    f.values = names.next().into_iter().collect();
                }
                fields[i].values = vec![names.collect::<Vec<_>>().join(", ")];
            }
        }
        i = i.max(start) + 1;
    }
}

/// Names at the start of a value, two words each, joined by "och" or a
/// comma, a party after each or not: the names and the rest.
fn leading_names(text: &str) -> Option<(String, String)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let name_word = |w: &str| {
        w.starts_with(char::is_uppercase)
            && w.chars().nth(1).is_some_and(char::is_lowercase)
            && !w.ends_with(',')
            && label_of(w).is_none()
    };
    let mut k = 0;
    let mut end = 0;
    loop {
        if k + 1 < words.len()
            && name_word(words[k])
            && name_word(words[k + 1].trim_end_matches(','))
        {
            k += 2;
            if words
                .get(k)
                .is_some_and(|w| w.starts_with('(') && w.ends_with(')'))
            {
                k += 1;
            }
            end = k;
            if words.get(k).is_some_and(|w| *w == "och") {
                k += 1;
                continue;
            }
        }
        break;
    }
    if end == 0 || end == words.len() {
        return None;
    }
    Some((words[..end].join(" "), words[end..].join(" ")))
}

/// Names run together ("Lotta Frid Sven Dahl (M) Per Holm (C)"): a party
/// ends a name; words without one are taken two by two.
fn split_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending: Vec<&str> = Vec::new();
    let flush = |pending: &mut Vec<&str>, out: &mut Vec<String>, party: Option<&str>| {
        let n = pending.len();
        if n == 0 {
            return;
        }
        // Two words a name; an odd count gives the first name three.
        let first = if n <= 3 {
            n
        } else if n % 2 == 1 {
            3
        } else {
            2
        };
        let mut k = 0;
        let mut size = first;
        while k < n {
            let mut s = pending[k..k + size].join(" ");
            k += size;
            if k == n
                && let Some(p) = party
            {
                s = format!("{s} {p}");
            }
            out.push(s);
            size = 2;
        }
        pending.clear();
    };
    for w in text.split_whitespace() {
        if w.starts_with('(') && w.ends_with(')') {
            flush(&mut pending, &mut out, Some(w));
        } else if w.starts_with(char::is_uppercase) || w.contains('-') {
            pending.push(w.trim_end_matches(','));
        } else {
            pending.push(w);
        }
    }
    flush(&mut pending, &mut out, None);
    out
}

fn first(values: &[String]) -> Option<String> {
    values.first().cloned().filter(|v| !v.is_empty())
}

/// "måndagen den 15 augusti", "15 aug.": a day and a month with no year
/// after them.
fn day_and_month(s: &str) -> Option<(i8, i8)> {
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.windows(2).enumerate() {
        let day: Option<i8> = w[0].trim_end_matches(['.', ':', 'e']).parse().ok();
        let month = month_of(w[1]);
        let year_follows = words.get(i + 2).is_some_and(|y| {
            y.trim_end_matches('.')
                .parse::<i16>()
                .is_ok_and(|y| y > 1900)
        });
        if let (Some(d), Some(m)) = (day, month)
            && (1..=31).contains(&d)
            && !year_follows
        {
            return Some((d, m));
        }
    }
    None
}

fn apply(f: Field, out: &mut ImportedProtocol, found: &mut Found) {
    let v = &f.values;
    match f.label {
        Label::PlaceAndTime | Label::Time => {
            if let Some(text) = first(v) {
                let (place, starts, ends) = place_and_time(&text);
                if f.label == Label::PlaceAndTime {
                    out.place = out.place.take().or(place);
                }
                let all = v.join(" ");
                let (_, s2, e2) = place_and_time(&all);
                out.starts = out.starts.take().or(starts).or(s2);
                out.ends = out.ends.take().or(ends).or(e2);
                if found.date_place.is_none() {
                    found.date_place = find_date(&all);
                }
                if found.date_place.is_none() && found.partial.is_none() {
                    found.partial = day_and_month(&all).map(|(d, m)| (d, m, found.dates.len()));
                }
            }
        }
        Label::Place => out.place = out.place.take().or(first(v)),
        Label::Date => {
            if found.date_label.is_none() {
                found.date_label = v.iter().find_map(|x| find_date(x));
            }
        }
        Label::Members => out.members.extend(people(v, true)),
        Label::Serving => out
            .substitutes
            .extend(people(v, true).into_iter().map(|mut p| {
                if p.role.is_none() {
                    p.role = Some("tjänstgörande ersättare".into());
                }
                p
            })),
        Label::Substitutes => out.substitutes.extend(people(v, true)),
        Label::Others => out.others.extend(people(v, false)),
        Label::Approvers => {
            if out.approvers.is_empty() {
                out.approvers = approvers(v);
            }
        }
        Label::Secretary => {
            if out.secretary.is_none() {
                out.secretary = people(v, false).into_iter().next().map(|p| p.name);
            }
        }
        Label::Chair => {
            if out.chair.is_none() {
                out.chair = people(v, false)
                    .into_iter()
                    .map(|p| p.name)
                    .find(|n| n.starts_with(char::is_uppercase));
            }
        }
        Label::Organ => {
            if let Some(o) = first(v) {
                let o = o.strip_prefix("och ").unwrap_or(&o).trim().to_string();
                if looks_like_body(&o) {
                    found.organ_label.get_or_insert(body_case(&o));
                } else {
                    found.organ_label_other.get_or_insert(o);
                }
            }
        }
        Label::Approved => out.approved = v.iter().find_map(|x| find_date(x)),
        Label::ApprovalPlaceAndTime => {
            if out.approved.is_none() {
                out.approved = find_date(&v.join(" "));
            }
        }
        Label::Posted => out.notice_posted = v.iter().find_map(|x| find_date(x)),
        Label::TakenDown => out.notice_taken_down = v.iter().find_map(|x| find_date(x)),
        Label::KeptAt => out.kept_at = first(v),
        Label::Signatures => {
            // "Justering  Ordföranden och Gabriella Geertinger".
            if out.approvers.is_empty() && !v.is_empty() {
                out.approvers = approvers(v);
            }
        }
        Label::Paragraphs | Label::Notice | Label::Signature | Label::Absent => {}
    }
}

/// The approvers named in a field: without the chair ("Ordföranden och …")
/// and without their stand-ins ("… med Bo Ek som ersättare").
fn approvers(values: &[String]) -> Vec<String> {
    let cut: Vec<String> = values
        .iter()
        .map(|v| {
            let v = match v.find(" med ") {
                Some(at) if fold::contains(&v[at..], "ersättare") => &v[..at],
                _ => v.as_str(),
            };
            v.to_string()
        })
        .collect();
    people(&cut, true)
        .into_iter()
        .filter(|p| {
            !fold::eq_any(&p.name, &["ordföranden", "ordförande"])
                && !p
                    .role
                    .as_deref()
                    .is_some_and(|r| fold::starts_with(r, "ersättare") && p.replacing.is_none())
                && p.name.starts_with(char::is_uppercase)
                // A sentence is no name ("Att jämte ordförande … valdes …").
                && p.name.split_whitespace().count() <= 5
                && p.name.split_whitespace().all(|w| {
                    w.starts_with(char::is_uppercase)
                        || fold::eq_any(w, &["von", "af", "de", "van", "der", "la", "di"])
                })
        })
        .map(|p| p.name)
        .collect()
}

/// Decides what the head found: the organ and the date by the trust of
/// their sources, the chair from the members when no signature names one.
fn settle(out: &mut ImportedProtocol, found: Found, first_line: usize) -> u32 {
    if out.organ.is_none() {
        out.organ = found
            .organ_body
            .or(found.organ_label)
            .or(found.organ_other)
            .or(found.organ_label_other)
            // A web page's title quotes it: 'Download "… Kommunfullmäktige"'.
            .map(|o| {
                o.trim_matches(['"', '\'', '“', '”', '„', '«', '»'])
                    .trim()
                    .to_string()
            })
            .filter(|o| !o.is_empty());
    }
    if out.meeting_date.is_none() {
        out.meeting_date = found.date_label.or(found.date_place).or(found.date_header);
    }
    if out.meeting_date.is_none()
        && let Some((d, m, _)) = found.partial
    {
        // The year from the page's other dates (the justering, the anslag).
        let year = found
            .dates
            .iter()
            .filter_map(|x| jiff::civil::Date::strptime("%Y-%m-%d", x).ok())
            .map(|x| {
                if x.month() < m {
                    x.year() - 1
                } else {
                    x.year()
                }
            })
            .next();
        match year.and_then(|y| jiff::civil::Date::new(y, m, d).ok()) {
            Some(date) => {
                out.meeting_date = Some(date.to_string());
                warn_at(
                    out,
                    first_line,
                    "sammanträdesdatumet saknar år; året är taget från protokollets andra datum",
                );
            }
            None => warn_at(out, first_line, "sammanträdesdatumet saknar år"),
        }
    }
    if out.chair.is_none() {
        out.chair = out
            .members
            .iter()
            .find(|m| m.role.as_deref().is_some_and(is_chair_role))
            .map(|m| m.name.clone());
    }
    found.labels.count_ones()
}

/// Names in a sentence ("Kent Dahl (S) och Eva Holm (M)"): each of two to
/// four capitalised words, the chair left out.
fn names_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in split_top_level(text) {
        for piece in split_top_level_word(part, " och ") {
            let name = person_name(piece.trim_start_matches("och ").trim());
            let words: Vec<&str> = name.split_whitespace().collect();
            let ok = (2..=4).contains(&words.len())
                && words
                    .iter()
                    .all(|w| w.starts_with(char::is_uppercase) || *w == "von" || *w == "af");
            if ok && !fold::starts_with(&name, "ordförande") {
                out.push(name);
            }
        }
    }
    out
}

/// The approvers from the paragraph that names them, when the head does not
/// ("Kent Dahl (S) utses att jämte ordföranden justera protokollet", "Till
/// att justera protokollet utses …", "Nämnden utser Eva Holm att justera").
pub fn approvers_in_text(lines: &[Line], out: &mut ImportedProtocol) {
    for (i, l) in lines.iter().enumerate().take(800) {
        let t = &*l.text;
        if !(t.contains("juster")
            && (t.contains("utse")
                || t.contains("utsåg")
                || t.contains(" valdes ")
                || t.contains(" väljs ")))
        {
            continue;
        }
        let mut sentence = t.to_string();
        if let Some(next) = lines.get(i + 1).filter(|n| !n.is_blank()) {
            sentence.push(' ');
            sentence.push_str(&next.text);
        }
        let end = |s: &str| {
            s.find([';', '.'])
                .into_iter()
                .chain(s.find(" samt "))
                .chain(s.find(" att "))
                .chain(s.find(" som "))
                .min()
                .unwrap_or(s.len())
        };
        let found = if let Some(at) = sentence.find(" utses att").or(sentence.find(" utsågs att"))
        {
            // The names end the clause before: from the last sentence break.
            let before = &sentence[..at];
            let from = before.rfind(". ").map_or(0, |k| k + 2);
            names_in(&before[from..])
        } else if let Some(at) = sentence.find("utses ").or(sentence.find("utsågs ")) {
            let after = &sentence[at..];
            let after = &after[after.find(' ').map_or(0, |k| k + 1)..];
            names_in(&after[..end(after)])
        } else if let Some(at) = sentence
            .find(" valdes ")
            .or(sentence.find(" väljs "))
            .filter(|&at| fold::contains(&sentence[..at], "justera"))
        {
            // "Att jämte ordföranden justera protokollet valdes Eva Holm."
            let after = &sentence[at + 1..];
            let after = &after[after.find(' ').map_or(0, |k| k + 1)..];
            names_in(&after[..end(after)])
        } else if let Some(at) = sentence.find("utser ") {
            let after = &sentence[at + "utser ".len()..];
            names_in(&after[..end(after)])
        } else {
            vec![]
        };
        if !found.is_empty() {
            out.approvers = found;
            return;
        }
    }
}

/// Of the first `limit` lines, those that contain `marker`, each with
/// where it first stands.
fn sentences_with<'a>(
    lines: &'a [Line],
    limit: usize,
    marker: &'a str,
) -> impl Iterator<Item = (&'a str, usize)> + 'a {
    lines.iter().take(limit).filter_map(move |l| {
        let t = &*l.text;
        t.find(marker).map(|at| (t, at))
    })
}

/// The chair from the sentence that names the approvers, when the head
/// does not name one: "Att jämte ordförande Kerstin Wall justera …".
pub fn chair_in_text(lines: &[Line], out: &mut ImportedProtocol) {
    for (t, at) in sentences_with(lines, 800, "jämte ordförande ") {
        let after = &t[at + "jämte ordförande ".len()..];
        let Some(end) = after.find(" justera") else {
            continue;
        };
        if let [name] = names_in(&after[..end]).as_slice() {
            out.chair = Some(name.clone());
            return;
        }
    }
}

/// The organ from a sentence that names its protocol ("Kommunfullmäktiges
/// protokoll är justerat"), when the head does not name it.
pub fn organ_in_text(lines: &[Line], out: &mut ImportedProtocol) {
    for (t, at) in sentences_with(lines, 300, "s protokoll") {
        let words: Vec<&str> = t[..at + 1].split_whitespace().collect();
        let Some(last) = words.last() else { continue };
        if !is_body_word(last) {
            continue;
        }
        let mut from = words.len() - 1;
        if from >= 1
            && words[from - 1].ends_with('s')
            && words[from - 1].starts_with(char::is_uppercase)
        {
            from -= 1;
        }
        while from >= 2 && fold::eq(words[from - 1], "och") && words[from - 2].ends_with('-') {
            from -= 2;
        }
        let name = words[from..].join(" ");
        if !name.starts_with(char::is_uppercase) {
            continue;
        }
        out.organ = Some(body_case(name.strip_suffix('s').unwrap_or(&name)));
        return;
    }
}

/// "ordförande", "ordf", "ordf.", "Ordförande §§ 1-4": the chair, not a
/// vice chair.
fn is_chair_role(role: &str) -> bool {
    let r = role.trim();
    (fold::starts_with(r, "ordf") || fold::starts_with(r, "tjänstgörande ordf"))
        && !fold::contains(r, "vice")
}

/// The people of a field: one per line, or several on a line separated by
/// commas (and, for elected members, "och") outside parentheses. A piece
/// that begins in lower case ("ersättare för Bo Ek (S)", "ordförande")
/// belongs to the person before it.
fn people(values: &[String], and_separates: bool) -> Vec<ImportedAttendee> {
    let mut out = Vec::new();
    for v in values {
        let mut items: Vec<String> = Vec::new();
        for item in split_top_level(v) {
            let pieces = if and_separates {
                split_top_level_word(item, " och ")
            } else {
                vec![item.to_string()]
            };
            for piece in pieces {
                // A list wrapped before its last name: "och Petra Vik (L)".
                let piece = match piece
                    .strip_prefix("och ")
                    .or_else(|| piece.strip_prefix("samt "))
                {
                    Some(rest) if and_separates => rest.to_string(),
                    _ => piece,
                };
                match items.last_mut() {
                    // "Anna Berg, S": the party after a comma.
                    // "Lisa Ny, V, tjg ersättare istf Per Al, V": the last
                    // name before it has none yet.
                    Some(prev)
                        if is_party(&piece)
                            && !prev.rsplit(", ").next().is_some_and(|t| t.contains('(')) =>
                    {
                        prev.push_str(" (");
                        prev.push_str(&piece);
                        prev.push(')');
                    }
                    Some(prev) if continues_person(&piece) => {
                        prev.push_str(", ");
                        prev.push_str(&piece);
                    }
                    _ => items.push(piece),
                }
            }
        }
        for item in items {
            // Only officials are written title first.
            let title_first = if and_separates {
                None
            } else {
                split_title_first(&item)
            };
            match title_first {
                Some((title, name)) => {
                    if let Some(mut p) = parse_person(&name) {
                        p.role = Some(match p.role.take() {
                            Some(r) => format!("{title}, {r}"),
                            None => title,
                        });
                        out.push(p);
                    }
                }
                None => out.extend(parse_person(&item)),
            }
        }
    }
    out
}

/// A piece after a comma that says more of the person before it: a role
/// ("ordförande", "1:e vice ordförande", "kommunchef"), whom a substitute
/// replaces, paragraphs. A piece with a name in it is a person of its own
/// ("nämndsekreterare Tobias Ring").
fn continues_person(piece: &str) -> bool {
    if piece.starts_with(|c: char| c == '§' || c.is_ascii_digit())
        || [
            "ersättare för",
            "ersätter",
            "tjänstgörande ersättare för",
            "tjg ersättare",
            "tjg. ersättare",
            "tjänstgörande ersättare istf",
            "istf",
            "i st f",
            "i stället för",
            "ers ",
            "ers. ",
            "ordf",
        ]
        .iter()
        .any(|p| fold::starts_with(piece, p))
    {
        return true;
    }
    piece.starts_with(char::is_lowercase)
        && !piece
            .split_whitespace()
            .skip(1)
            .any(|w| w.starts_with(char::is_uppercase))
}

/// Official titles that come before the name ("Socialchef Helena Ek").
const TITLE_ENDINGS: [&str; 16] = [
    "chef",
    "direktör",
    "sekreterare",
    "strateg",
    "handläggare",
    "ekonom",
    "controller",
    "jurist",
    "samordnare",
    "utredare",
    "assistent",
    "ingenjör",
    "arkitekt",
    "ansvarig",
    "läkare",
    "revisor",
];

/// "Socialchef Helena Ek", "nämndsekreterare Tobias Ring", "chef för
/// hållbar utveckling Elin Nilsson": the title first, then the name.
fn split_title_first(item: &str) -> Option<(String, String)> {
    let words: Vec<&str> = item.split_whitespace().collect();
    let first = words.first()?;
    if !TITLE_ENDINGS.iter().any(|e| fold::ends_with(first, e))
        && !words[0].starts_with(char::is_lowercase)
    {
        return None;
    }
    let name_at = words
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, w)| w.starts_with(char::is_uppercase))
        .map(|(i, _)| i)?;
    let title = words[..name_at].join(" ");
    let name = words[name_at..].join(" ");
    Some((title.to_lowercase(), name))
}

/// Splits at `word` outside parentheses.
fn split_top_level_word(s: &str, word: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 && s[i..].starts_with(word) && i >= start => {
                out.push(s[start..i].trim().to_string());
                start = i + word.len();
            }
            _ => {}
        }
    }
    out.push(s[start..].trim().to_string());
    out.retain(|p| !p.is_empty());
    out
}

/// Splits at ", " outside parentheses.
pub fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let b = s.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b',' if depth == 0 && b.get(i + 1) == Some(&b' ') => {
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(s[start..].trim());
    out.retain(|p| !p.is_empty());
    out
}

/// A party abbreviation: "S", "KD", "MP", "SD", "V", "L", "C", "M", "KiM".
pub fn is_party(s: &str) -> bool {
    let n = s.chars().count();
    (1..=5).contains(&n)
        && s.chars().next().is_some_and(|c| c.is_uppercase())
        && s.chars().all(|c| c.is_alphabetic() || c == '-')
        && s.chars().filter(|c| c.is_uppercase()).count() * 2 >= n
}

/// The parliamentary parties' letters in lower case.
fn is_known_party_lower(s: &str) -> bool {
    matches!(s, "s" | "m" | "c" | "l" | "v" | "kd" | "mp" | "sd" | "fp")
}

/// Paragraph references: "§§5-15", "§ 3", "§§ 1-4, 7 och 9".
pub fn paragraph_ranges(s: &str) -> Option<Vec<(u32, u32)>> {
    let rest = s.trim().trim_start_matches('§').trim();
    if rest.len() == s.trim().len() {
        return None;
    }
    let mut out = Vec::new();
    for part in rest
        .split([',', ' '])
        .filter(|p| !p.is_empty() && *p != "och")
    {
        let part = part.trim_end_matches('.');
        let (a, b) = match part.split_once(['-', '–']) {
            Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
            None => {
                let n: u32 = part.parse().ok()?;
                (n, n)
            }
        };
        if a > b {
            return None;
        }
        out.push((a, b));
    }
    (!out.is_empty()).then_some(out)
}

/// Reads one person: name, then party and role in parentheses or after a
/// comma, then paragraph ranges.
pub fn parse_person(item: &str) -> Option<ImportedAttendee> {
    let item = item.trim().trim_end_matches([',', ';']).trim();
    if item.is_empty() {
        return None;
    }
    let mut p = ImportedAttendee::default();
    // Paragraph ranges at the end.
    let mut body = item;
    if let Some(at) = body.find('§')
        && let Some(ranges) = paragraph_ranges(&body[at..])
    {
        p.paragraphs = ranges;
        body = body[..at].trim().trim_end_matches(',').trim();
    }
    // Name up to the first parenthesis or comma.
    let cut = body.find(['(', ',']).unwrap_or(body.len());
    p.name = body[..cut].trim().to_string();
    let mut rest = body[cut..].trim();
    let mut roles: Vec<String> = Vec::new();
    while !rest.is_empty() {
        if rest.starts_with('(') {
            let mut depth = 0;
            let mut end = rest.len();
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let inner = rest[1..end].trim().to_string();
            rest = rest.get(end + 1..).unwrap_or("").trim();
            if p.party.is_none() && roles.is_empty() && is_party(&inner) {
                p.party = Some(inner);
            } else if p.party.is_none() && roles.is_empty() && is_known_party_lower(&inner) {
                // Some municipalities write parties in lower case: "(s)".
                p.party = Some(inner.to_uppercase());
            } else {
                roles.push(inner);
            }
        } else if let Some(r) = rest.strip_prefix(',') {
            roles.push(r.trim().to_string());
            rest = "";
        } else {
            roles.push(rest.to_string());
            rest = "";
        }
    }
    let role = roles.join(", ");
    if !role.is_empty() {
        if let Some(whom) = role.strip_prefix("ersättare för ") {
            p.replacing = Some(person_name(whom));
        } else if let Some(whom) = role.strip_prefix("tjänstgörande ersättare för ") {
            p.replacing = Some(person_name(whom));
        } else if let Some(whom) = role.strip_prefix("ersätter ") {
            p.replacing = Some(person_name(whom));
        } else if let Some(at) = ["istf ", "i st f ", "i stället för "]
            .iter()
            .find_map(|k| role.find(k).map(|at| at + k.len()))
        {
            p.replacing = Some(person_name(&role[at..]));
        }
        p.role = Some(role);
    }
    (!p.name.is_empty()).then_some(p)
}

/// A name without its party: "Bo Ek (S)" -> "Bo Ek".
pub fn person_name(s: &str) -> String {
    s.split('(').next().unwrap_or(s).trim().to_string()
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];

/// The first date in the text: "2025-01-28", "28 januari 2025".
pub fn find_date(s: &str) -> Option<String> {
    let b = s.as_bytes();
    for i in 0..b.len() {
        if i + 10 <= b.len()
            && b[i..i + 4].iter().all(u8::is_ascii_digit)
            && b[i + 4] == b'-'
            && b[i + 5..i + 7].iter().all(u8::is_ascii_digit)
            && b[i + 7] == b'-'
            && b[i + 8..i + 10].iter().all(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && (i + 10 == b.len() || !b[i + 10].is_ascii_digit())
        {
            let d = &s[i..i + 10];
            if jiff::civil::Date::strptime("%Y-%m-%d", d).is_ok() {
                return Some(d.to_string());
            }
        }
    }
    // "15 augusti 2024": three words in a row; the day first, as most
    // words are no number and the month's spellings are many.
    let mut words = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty());
    let (mut a, mut b) = (words.next()?, words.next()?);
    for c in words {
        if let Ok(d) = a.trim_end_matches(['.', ':', 'e']).parse::<i8>()
            && let Ok(y) = c.trim_end_matches('.').parse::<i16>()
            && y > 1900
            && let Some(m) = month_of(b)
            && let Ok(date) = jiff::civil::Date::new(y, m, d)
        {
            return Some(date.to_string());
        }
        (a, b) = (b, c);
    }
    None
}

/// "augusti", "AUGUSTI", "aug", "aug.", "sept" -> 8, 9.
fn month_of(word: &str) -> Option<i8> {
    let w = word.trim_end_matches('.');
    if let Some(m) = MONTHS.iter().position(|m| fold::eq(w, m)) {
        return Some(m as i8 + 1);
    }
    const SHORT: [(&str, i8); 13] = [
        ("jan", 1),
        ("feb", 2),
        ("febr", 2),
        ("mar", 3),
        ("apr", 4),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("sept", 9),
        ("okt", 10),
        ("nov", 11),
        ("dec", 12),
    ];
    SHORT.iter().find(|(s, _)| fold::eq(w, s)).map(|(_, m)| *m)
}

/// "Borgkammaren/Fataburen, klockan 14:00-16:00" -> place and times.
pub fn place_and_time(s: &str) -> (Option<String>, Option<String>, Option<String>) {
    let mut times = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i + 4 < chars.len() + 1 {
        let is_d = |k: usize| chars.get(k).is_some_and(|c| c.is_ascii_digit());
        if is_d(i)
            && is_d(i + 1)
            && matches!(chars.get(i + 2), Some(':') | Some('.'))
            && is_d(i + 3)
            && is_d(i + 4)
            && (i == 0 || !is_d(i - 1))
            && !is_d(i + 5)
        {
            let h: String = chars[i..i + 2].iter().collect();
            let m: String = chars[i + 3..i + 5].iter().collect();
            if h.parse::<u8>().is_ok_and(|h| h < 24) && m.parse::<u8>().is_ok_and(|m| m < 60) {
                times.push(format!("{h}:{m}"));
            }
            i += 5;
            continue;
        }
        i += 1;
    }
    let lower = s.to_lowercase();
    let cut = [", klockan", ", kl.", ", kl ", " klockan ", " kl. "]
        .iter()
        .filter_map(|k| lower.find(k))
        .min();
    let place = match cut {
        Some(at) => s[..at].trim().trim_end_matches(',').to_string(),
        None if times.is_empty() => s.trim().to_string(),
        None => String::new(),
    };
    (
        (!place.is_empty() && find_date(&place).as_deref() != Some(place.trim())).then_some(place),
        times.first().cloned(),
        times.get(1).cloned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_lines_in_the_usual_shapes() {
        let p = parse_person("Mikaela Waltersson (M) (ordförande)").unwrap();
        assert_eq!(
            (p.name.as_str(), p.party.as_deref(), p.role.as_deref()),
            ("Mikaela Waltersson", Some("M"), Some("ordförande"))
        );
        let p = parse_person("Per Persson (S) §§5-15").unwrap();
        assert_eq!(p.paragraphs, [(5, 15)]);
        let p = parse_person("Jan Törnell (infrastrukturstrateg) §3").unwrap();
        assert_eq!(
            (p.party, p.role.as_deref(), p.paragraphs),
            (None, Some("infrastrukturstrateg"), vec![(3, 3)])
        );
        let p = parse_person("Lise-Lotte Bensköld Olsson (S), 2:e vice ordförande").unwrap();
        assert_eq!(p.role.as_deref(), Some("2:e vice ordförande"));
        let p = parse_person("Anna Berg (V) (ersättare för Bo Ek (S)) §§ 1-4, 7").unwrap();
        assert_eq!(p.replacing.as_deref(), Some("Bo Ek"));
        assert_eq!(p.paragraphs, [(1, 4), (7, 7)]);
        assert_eq!(
            split_top_level("A (x), B (y, z), C"),
            ["A (x)", "B (y, z)", "C"]
        );
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(
            find_date("Sammanträdesdatum 2025-01-28").as_deref(),
            Some("2025-01-28")
        );
        assert_eq!(
            find_date("tisdag 28 januari 2025 kl 14").as_deref(),
            Some("2025-01-28")
        );
        assert_eq!(find_date("2025-02-30"), None);
        assert_eq!(
            place_and_time("Borgkammaren/Fataburen, klockan 14:00-16:00"),
            (
                Some("Borgkammaren/Fataburen".into()),
                Some("14:00".into()),
                Some("16:00".into())
            )
        );
        assert_eq!(
            place_and_time("Stadshuset, kl. 13.15–15.30"),
            (
                Some("Stadshuset".into()),
                Some("13:15".into()),
                Some("15:30".into())
            )
        );
    }

    #[test]
    fn flattened_lines_are_cut_at_their_labels() {
        assert_eq!(
            split_at_labels(
                "Plats och tid Rådhuset kl 9 Beslutande Anna Berg (S), ordförande Utses att justera Bo Ek (M)"
            ),
            [
                "Plats och tid Rådhuset kl 9",
                "Beslutande Anna Berg (S), ordförande",
                "Utses att justera Bo Ek (M)"
            ]
        );
        assert_eq!(
            split_at_labels("Sekreterare Ordförande Justerande"),
            ["Sekreterare", "Ordförande", "Justerande"]
        );
        assert_eq!(split_at_labels("ANSLAG/ BEVIS"), ["ANSLAG/ BEVIS"]);
        assert_eq!(
            split_at_labels("Nämnden för arbetsmarknad"),
            ["Nämnden för arbetsmarknad"]
        );
        assert_eq!(
            leading_names("Eva Lind och Bo Ek (M) Kommunhuset, Henån måndag 7 mars 2011"),
            Some((
                "Eva Lind och Bo Ek (M)".to_string(),
                "Kommunhuset, Henån måndag 7 mars 2011".to_string()
            ))
        );
        assert_eq!(leading_names("Kommunhuset 2011-03-07"), None);
        assert_eq!(
            split_names("Lotta Frid Sven Dahl (M) Per Holm (C) Eva Ek"),
            ["Lotta Frid", "Sven Dahl (M)", "Per Holm (C)", "Eva Ek"]
        );
    }

    #[test]
    fn dates_without_a_year_and_chairs_and_approvers() {
        assert_eq!(
            day_and_month("onsdagen den 12 oktober kl. 09.00"),
            Some((12, 10))
        );
        assert_eq!(day_and_month("onsdagen den 12 oktober 2022"), None);
        assert_eq!(
            find_date("Måndagen den 15 aug. 2016 kl. 10:00").as_deref(),
            Some("2016-08-15")
        );
        assert!(is_chair_role("ordf"));
        assert!(is_chair_role("ordf."));
        assert!(!is_chair_role("1:e vice ordförande"));
        assert!(!is_chair_role("vice ordf"));
        let v = |s: &str| vec![s.to_string()];
        assert_eq!(
            approvers(&v("Bo Ek, M och Kim Rask, SD")),
            ["Bo Ek", "Kim Rask"]
        );
        assert_eq!(approvers(&v("Ordföranden och Eva Lind")), ["Eva Lind"]);
        assert_eq!(
            approvers(&v("Gösta Dal och Vera Holm med Bert Ljung som ersättare")),
            ["Gösta Dal", "Vera Holm"]
        );
        let p = people(&v("Lisa Ny, V, tjg ersättare istf Per Al, V"), true);
        assert_eq!(p.len(), 1);
        assert_eq!(
            (
                p[0].name.as_str(),
                p[0].party.as_deref(),
                p[0].replacing.as_deref()
            ),
            ("Lisa Ny", Some("V"), Some("Per Al"))
        );
        assert_eq!(
            body_in(&[
                "HAGABY",
                "KOMMUN",
                "Barn-",
                "och",
                "utbildningsnämnden",
                "Plats"
            ]),
            Some("Barn- och utbildningsnämnden".into())
        );
    }

    #[test]
    fn labels_are_sorted() {
        assert!(LABELS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn labels_in_their_spellings() {
        assert_eq!(
            label_of("Plats och tid: Rummet"),
            Some((Label::PlaceAndTime, "Rummet"))
        );
        assert_eq!(label_of("Beslutande"), Some((Label::Members, "")));
        assert_eq!(
            label_of("Datum för anslagets uppsättande 2025-02-05"),
            Some((Label::Posted, "2025-02-05"))
        );
        assert_eq!(label_of("Tidigare beslut"), None);
        assert_eq!(
            label_of("Övriga deltagare Anna"),
            Some((Label::Others, "Anna"))
        );
    }
}
