//! The body: the ärendelista, then each paragraph with its sections, and the
//! voteringslistor read as tables.

use super::fold;
use super::lines::{Line, cells, spaces, trim};
use super::people::{is_party, person_name};
use super::{
    AgendaEntry, ImportedClause, ImportedDecision, ImportedDecisionPart, ImportedParagraph,
    ImportedProposal, ImportedProtocol, ImportedReservation, ImportedVote, RollEntry, warn,
};
use std::borrow::Cow;

/// The sections of a paragraph, whatever a municipality calls them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Decision,
    Reservations,
    Matter,
    DraftDecision,
    Proposals,
    Propositions,
    Vote,
    MinuteNotes,
    Disqualification,
    Basis,
    Dispatch,
}

const HEADINGS: &[(&str, Section)] = &[
    ("beslut", Section::Decision),
    ("kommunstyrelsens beslut", Section::Decision),
    ("nämndens beslut", Section::Decision),
    ("utskottets beslut", Section::Decision),
    ("reservationer", Section::Reservations),
    ("reservation", Section::Reservations),
    ("ärendet", Section::Matter),
    ("ärendebeskrivning", Section::Matter),
    ("sammanfattning av ärendet", Section::Matter),
    ("sammanfattning", Section::Matter),
    ("bakgrund", Section::Matter),
    ("förslag till beslut", Section::DraftDecision),
    ("förslag till beslut på sammanträdet", Section::Proposals),
    ("yrkanden", Section::Proposals),
    ("yrkande", Section::Proposals),
    ("beslutsgång", Section::Propositions),
    ("propositionsordning", Section::Propositions),
    ("proposition", Section::Propositions),
    ("omröstning", Section::Vote),
    ("omröstning begärs", Section::Vote),
    ("votering", Section::Vote),
    ("omröstningsresultat", Section::Vote),
    ("protokollsanteckningar", Section::MinuteNotes),
    ("protokollsanteckning", Section::MinuteNotes),
    ("jäv", Section::Disqualification),
    ("beslutsunderlag", Section::Basis),
    ("underlag för beslut", Section::Basis),
    ("handlingar", Section::Basis),
    ("expedieras till", Section::Dispatch),
    ("beslutet skickas till", Section::Dispatch),
    ("beslutet expedieras till", Section::Dispatch),
    ("skickas till", Section::Dispatch),
    ("expediering", Section::Dispatch),
];

/// The longest spelling in [`HEADINGS`], in bytes.
const LONGEST_HEADING: usize = fold::longest(HEADINGS);

/// Bit n set: some heading is n bytes long (lower-casing keeps the length),
/// so a line of another length is no heading.
const HEADING_LENGTHS: u64 = {
    let mut mask = 0u64;
    let mut i = 0;
    while i < HEADINGS.len() {
        mask |= 1 << HEADINGS[i].0.len();
        i += 1;
    }
    mask
};

/// A section heading alone on its line ("Beslut", "Yrkanden:",
/// "Kommunfullmäktiges beslut", "Kommunstyrelsens förslag till beslut").
pub fn heading_of(text: &str) -> Option<Section> {
    let t = trim(text).trim_end_matches(':');
    // No heading is long or has a sentence's punctuation: most lines of a
    // protocol stop here.
    if t.is_empty() || t.len() > 80 || t.bytes().any(|b| b == b'.' || b == b',') {
        return None;
    }
    if t.len() <= LONGEST_HEADING && HEADING_LENGTHS & (1 << t.len()) != 0 {
        let mut buf = [0u8; LONGEST_HEADING];
        let lower = fold::lower_into(t, &mut buf);
        if let Some((_, s)) = HEADINGS.iter().find(|(h, _)| *h == lower) {
            return Some(*s);
        }
    }
    // Whose decision or proposal: a genitive, at most a few words
    // ("Tekniska nämndens beslut").
    let mut words = t.split_whitespace();
    let first = words.next()?;
    let second = words.next();
    if !(first.ends_with(['s', 'S'])
        || (first.starts_with(char::is_uppercase) && second.is_some_and(|w| w.ends_with('s'))))
    {
        return None;
    }
    let count = 1 + usize::from(second.is_some()) + words.count();
    if count > 6 {
        return None;
    }
    if count <= 3 && fold::ends_with(t, "s beslut") {
        return Some(Section::Decision);
    }
    if fold::contains(t, "s förslag till") && !fold::contains(t, "sammanträdet") {
        return Some(Section::DraftDecision);
    }
    None
}

pub fn is_agenda_heading(text: &str) -> bool {
    let t = trim(text).trim_end_matches(':');
    let mut buf = [0u8; 24];
    t.len() <= buf.len()
        && matches!(
            fold::lower_into(t, &mut buf),
            "ärendelista"
                | "ärendeförteckning"
                | "innehållsförteckning"
                | "ärenden"
                | "föredragningslista"
        )
}

/// "§13", "§ 13", "§13 Titel", "KS § 45 Titel", "BUN-AU § 5", "§ 13. Titel"
/// -> (13, "Titel"); and, from extractors that drop the sign, an organ's
/// abbreviation and the number: "KF 39", "Sn 49 Titel", "Au 84".
pub fn paragraph_start(text: &str) -> Option<(u32, &str)> {
    heading(text).map(|h| (h.number, h.title))
}

/// A paragraph heading as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heading<'a> {
    pub number: u32,
    pub title: &'a str,
    /// The organ's abbreviation before the number ("KS"), if any.
    pub prefix: &'a str,
    /// Written with the sign (not only an abbreviation and a number).
    pub sign: bool,
}

/// Words that stand before a number without being an organ's abbreviation.
const NOT_ORGANS: &[&str] = &[
    "nr", "kl", "se", "ca", "box", "tel", "fax", "sid", "sida", "bil", "bilaga", "kap", "art",
    "not", "dnr", "mom", "ext", "rum", "hus", "vån", "ex", "jfr", "pkt", "avd", "ref", "lag",
    "sfs", "tid", "nej", "ja", "st", "p", "org", "anslag", "bevis", "ärende", "punkt", "datum",
    "år", "kv", "v", "vecka", "del", "steg", "fas", "sal", "plan", "hus", "zon", "etapp",
];

/// An organ's abbreviation: "KS", "BUN-AU", "Sn", "Au", "Ks".
fn is_organ_prefix(p: &str) -> bool {
    let n = p.chars().count();
    if !(2..=8).contains(&n) || !p.starts_with(|c: char| c.is_uppercase()) {
        return false;
    }
    if !p.chars().all(|c| c.is_alphabetic() || c == '-') || p.ends_with('-') {
        return false;
    }
    let upper = p.chars().all(|c| c.is_uppercase() || c == '-');
    // Capitalised only when short ("Ks", "Sn", "Au"): longer ones are words.
    (upper || n <= 3) && !fold::eq_any(p, NOT_ORGANS)
}

pub fn heading(text: &str) -> Option<Heading<'_>> {
    let t = trim(text);
    let b = t.as_bytes();
    // Most lines start with a letter of a word: look at the first bytes only.
    let first = *b.first()?;
    if first.is_ascii_digit() {
        return number_first_heading(t);
    }
    if !(first == 0xc2 || first.is_ascii_uppercase() || first >= 0xc3) {
        return None;
    }
    let (prefix, rest, sign) = if let Some(r) = t.strip_prefix('§') {
        ("", r, true)
    } else {
        // An abbreviation, then the sign or the number. Most lines of prose
        // stop here: their first word is longer, or no number follows it.
        let end = t.as_bytes()[..t.len().min(10)]
            .iter()
            .position(|&c| c == b' ' || c == 0xc2)?;
        let r = t[end..].trim_start();
        if !r.starts_with(|c: char| c == '§' || c.is_ascii_digit()) {
            return None;
        }
        let prefix = &t[..end];
        if !is_organ_prefix(prefix) {
            return None;
        }
        match r.strip_prefix('§') {
            Some(r) => (prefix, r, true),
            None => (prefix, r, false),
        }
    };
    if rest.starts_with('§') {
        // "§§ 1-15": a range, not a heading.
        return None;
    }
    let rest = rest.trim_start();
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    // Without the sign, a year ("KF 2024") or a padded number is no heading.
    if digits == 0 || digits > 4 || (!sign && (rest.starts_with('0') || digits == 4)) {
        return None;
    }
    let number: u32 = rest[..digits].parse().ok()?;
    let mut after = &rest[digits..];
    if let Some(a) = after.strip_prefix('.') {
        if !(a.is_empty() || a.starts_with(' ')) {
            return None;
        }
        after = a;
    }
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    let title = trim(after);
    // A reference, not a heading: a date after the number
    // ("KS § 187 2016-12-06"), a statute's name ("§ 5 kommunallagen").
    if title.starts_with(|c: char| c.is_lowercase())
        || title
            .get(..10)
            .is_some_and(|d| super::people::find_date(d).is_some())
        || title.starts_with("den ")
    {
        return None;
    }
    Some(Heading {
        number,
        title,
        prefix,
        sign,
    })
}

/// "58 § Titel": the number before the sign, as web pages and some
/// systems write it. A statute reference in prose ("11 § förbundsordningen")
/// goes on in lower case, and is no heading.
fn number_first_heading(t: &str) -> Option<Heading<'_>> {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 || t.starts_with('0') {
        return None;
    }
    let rest = t[digits..].strip_prefix(' ').unwrap_or(&t[digits..]);
    let rest = rest.strip_prefix('§')?;
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let title = rest.trim();
    if !title.starts_with(char::is_uppercase) {
        return None;
    }
    Some(Heading {
        number: t[..digits].parse().ok()?,
        title,
        prefix: "",
        sign: true,
    })
}

/// "RS231470", "KS 2023/145", "Dnr KS 2023/145", "Diarienummer: KS2023.145",
/// "KS/2011:286", "KU.2017.3", "LD13/03336", "2011/KS 0206 001", "Dnr 31/16".
pub fn case_number(text: &str) -> Option<String> {
    // Every case number has digits; most lines asked about are prose
    // without a case number, and many have no digit at all.
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let (t, marked) = strip_case_label(trim(text));
    let t = t.trim_end_matches(['.', ',', ';']).trim_end();
    let ok = if marked {
        is_marked_case_number(t)
    } else {
        is_case_number(t)
    };
    ok.then(|| t.to_string())
}

/// The label before a case number ("Dnr", "Diarienummer:"), removed; and
/// whether there was one.
fn strip_case_label(t: &str) -> (&str, bool) {
    if !t.starts_with(['D', 'd', 'Ä', 'ä', 'Ä']) {
        return (t, false);
    }
    for prefix in [
        "diarienummer",
        "diarienr",
        "dnr",
        "ärendenummer",
        "ärendenr",
        "ärende nr",
    ] {
        if let Some(r) = fold::strip_prefix(t, prefix) {
            if r.starts_with(|c: char| c.is_alphanumeric()) && !r.starts_with(char::is_uppercase) {
                continue;
            }
            return (r.trim_start_matches([':', '.']).trim(), true);
        }
    }
    (t, false)
}

/// A case number's label alone: "Dnr", "Diarienummer:".
fn is_case_label(t: &str) -> bool {
    let (rest, marked) = strip_case_label(t);
    marked && rest.is_empty()
}

/// After a "Dnr" label, more is a case number: "31/16", "109-7-2017",
/// "12.S0068 754", "2014/304", or any of [`is_case_number`]'s.
fn is_marked_case_number(t: &str) -> bool {
    if is_case_number(t) {
        return true;
    }
    let n = t.chars().count();
    if n == 0 || n > 28 || !t.starts_with(|c: char| c.is_alphanumeric()) {
        return false;
    }
    if super::people::find_date(t).is_some_and(|d| d.len() == t.len()) {
        return false;
    }
    let digits = t.bytes().filter(u8::is_ascii_digit).count();
    // Numbers with separators, and at most short letter groups.
    digits >= 2
        && t.bytes().any(|b| matches!(b, b'/' | b'-' | b'.' | b':'))
        && t.split([' ', '/', '-', '.', ':'])
            .all(|w| w.chars().all(|c| c.is_ascii_digit()) || is_case_letters(w))
}

/// The letters of a case number: "KS", "BUN", "Ks", "S0068", "LD13".
fn is_case_letters(w: &str) -> bool {
    let letters = w.chars().take_while(|c| c.is_alphabetic()).count();
    let n = w.chars().count();
    (1..=6).contains(&letters)
        && w.starts_with(char::is_uppercase)
        && w.chars().skip(letters).all(|c| c.is_ascii_digit())
        && (w.chars().take(letters).all(char::is_uppercase) || letters <= 3)
        && n <= 10
}

fn all_digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_case_number(t: &str) -> bool {
    if t.len() < 4 || t.len() > 30 {
        return false;
    }
    let b = t.as_bytes();
    // 2011/KS 0206 001, 2023/BUN 0203 40.
    if b[0].is_ascii_digit() {
        let Some((year, rest)) = t.split_once('/') else {
            return false;
        };
        let mut words = rest.split(' ');
        let letters = words.next().unwrap_or("");
        let nums: Vec<&str> = words.collect();
        return all_digits(year, 4, 4)
            && !letters.is_empty()
            && letters.chars().all(char::is_uppercase)
            && letters.chars().count() <= 6
            && !nums.is_empty()
            && nums.len() <= 2
            && nums.iter().all(|n| all_digits(n, 2, 5));
    }
    let letters = t
        .find(|c: char| !c.is_alphabetic() && c != '-')
        .unwrap_or(t.len());
    let abbreviation = t[..letters].trim_end_matches('-');
    let n = abbreviation.chars().count();
    if !(1..=7).contains(&n)
        || !abbreviation.starts_with(char::is_uppercase)
        || fold::eq_any(
            abbreviation,
            &["sfs", "sou", "prop", "ds", "eu", "kl", "nr", "tel"],
        )
    {
        return false;
    }
    let upper = abbreviation.chars().all(|c| c.is_uppercase() || c == '-');
    if !upper && n > 3 {
        return false;
    }
    let rest = t[letters..].trim_start_matches([' ', '.', '/', '-', ':']);
    if rest.len() + 2 < t[letters..].len() {
        return false;
    }
    // RS231470: four or more digits.
    if all_digits(rest, 4, 8) && upper && rest.len() == t[letters..].len() {
        return true;
    }
    // KS 2023/145, KU.2017.3, KS/2011:286, LD13/03336, Ks 478/2008.
    let Some((year, seq)) = rest.split_once(['/', '.', '-', ':']) else {
        return false;
    };
    // A trailing group of digits: "KS 2016/0123 001".
    let mut groups = seq.split(' ');
    let seq = groups.next().unwrap_or("");
    all_digits(year, 2, 4)
        && all_digits(seq, 1, 6)
        && (upper || year.len() >= 3)
        && groups.all(|g| all_digits(g, 2, 4))
}

/// A list item: "- x", "– x", "• x".
fn bullet(text: &str) -> Option<&str> {
    ["- ", "– ", "• ", "* ", "· "]
        .iter()
        .find_map(|b| text.strip_prefix(b))
        .map(str::trim)
}

/// The page an e-signing service appends ("Intyg", "E-underskrifter").
fn is_signature_certificate(text: &str) -> bool {
    let mut buf = [0u8; 20];
    text.len() <= buf.len()
        && text.starts_with(['I', 'i', 'E', 'e', 'S', 's', 'U', 'u', 'V', 'v'])
        && matches!(
            fold::lower_into(text, &mut buf),
            "intyg" | "e-underskrifter" | "signeringsintyg" | "underskriftssida" | "verifikat"
        )
}

/// Pages run onto one line (an extractor that lost the line breaks): the
/// line is cut before each paragraph heading in it ("… handlingarna. § 13
/// Titel …", "… Ks 251 Titel …" when the protocol's headings are written
/// so). Only long lines are looked at; the others are borrowed as they are.
pub fn split_run_on<'a>(lines: &[Line<'a>]) -> Option<Vec<Line<'a>>> {
    const LONG: usize = 160;
    if !lines.iter().any(|l| l.text.len() > LONG) {
        return None;
    }
    // The abbreviation of the headings without the sign: that of the first
    // heading on a line of its own, or one that runs on before a number
    // and a title at least twice ("… Ks 250 Anmälan … Ks 251 Remisser").
    let prefix = lines
        .iter()
        .find_map(|l| heading(&l.text).filter(|h| !h.prefix.is_empty()))
        .map(|h| h.prefix.to_string())
        .or_else(|| run_on_prefix(lines))
        .unwrap_or_default();
    let mut out: Vec<Line<'a>> = Vec::with_capacity(lines.len() + 16);
    let mut cut_any = false;
    for l in lines {
        if l.text.len() <= LONG {
            out.push(l.clone());
            continue;
        }
        let cuts = heading_cuts(&l.text, &prefix);
        if cuts.is_empty() {
            out.push(l.clone());
            continue;
        }
        cut_any = true;
        let mut start = 0;
        for at in cuts.into_iter().chain(std::iter::once(l.text.len())) {
            let piece = l.text[start..at].trim();
            if !piece.is_empty() {
                out.push(Line {
                    number: l.number,
                    raw: Cow::Owned(piece.to_string()),
                    text: Cow::Owned(piece.to_string()),
                    page_start: false,
                    wide: false,
                });
            }
            start = at;
        }
    }
    cut_any.then_some(out)
}

fn run_on_prefix(lines: &[Line]) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for l in lines.iter().filter(|l| l.text.len() > 160) {
        for at in spaces(&l.text) {
            let rest = &l.text[at + 1..];
            if !rest.starts_with(|c: char| c.is_ascii_uppercase()) {
                continue;
            }
            if let Some(h) = heading(rest)
                && !h.sign
                && h.title.starts_with(|c: char| c.is_uppercase())
            {
                match counts.iter_mut().find(|(p, _)| p == h.prefix) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((h.prefix.to_string(), 1)),
                }
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n >= 2)
        .max_by_key(|(_, n)| *n)
        .map(|(p, _)| p)
}

/// Where headings begin inside a line: before "§ 12", "KS § 12" or, with
/// the protocol's own abbreviation, "Ks 12", after a word (not at the
/// line's start).
fn heading_cuts(text: &str, prefix: &str) -> Vec<usize> {
    let mut cuts = Vec::new();
    let mut last = 0u32;
    let prefix_lower = prefix.to_lowercase();
    for at in spaces(text) {
        let rest = &text[at + 1..];
        if !rest.starts_with(|c: char| c == '§' || c.is_ascii_uppercase()) {
            continue;
        }
        let starts = rest.starts_with('§')
            || (!prefix.is_empty() && fold::starts_with(rest, &prefix_lower))
            || rest
                .split_once(' ')
                .is_some_and(|(w, r)| is_organ_prefix(w) && r.starts_with('§'));
        if !starts {
            continue;
        }
        // The word before must not be a number ("39 § kommunallagen") or
        // part of a reference ("enligt", "i", "se").
        let before = text[..at].rsplit(' ').next().unwrap_or("");
        if before.chars().all(|c| c.is_ascii_digit())
            || fold::eq_any(
                before,
                &[
                    "enligt", "i", "se", "jfr", "och", "samt", "via", "från", "kap.", "kap",
                ],
            )
        {
            continue;
        }
        let Some(h) = heading(rest) else { continue };
        if !h.sign && !fold::eq(h.prefix, &prefix_lower) {
            continue;
        }
        // A run-on heading has a title with a capital, and numbers go up.
        if h.number <= last || !h.title.starts_with(|c: char| c.is_uppercase()) {
            continue;
        }
        // A label follows ("… skolskjutssamordnare § 5 Justerare: …"): the
        // number belongs to the head's text before it, not to a heading.
        if h.title
            .split(' ')
            .next()
            .is_some_and(|w| w.len() > 1 && w.ends_with(':'))
        {
            continue;
        }
        // Something stands before the heading, not just a bullet.
        let from = cuts.last().copied().unwrap_or(0);
        if !text[from..at].contains(char::is_alphanumeric) {
            continue;
        }
        last = h.number;
        cuts.push(at + 1);
    }
    cuts
}

/// Reads the ärendelista and the paragraphs.
pub fn read_body(lines: &[Line], out: &mut ImportedProtocol) {
    // The width of a full line of text: a line that long in a list was
    // wrapped, and the next one continues it.
    let mut lengths: Vec<usize> = lines.iter().map(|l| l.text.chars().count()).collect();
    let at = lengths.len() * 19 / 20;
    let width = if at < lengths.len() {
        *lengths.select_nth_unstable(at).1
    } else {
        0
    };
    let mut i = 0;
    if let Some(first) = lines.first()
        && is_agenda_heading(&first.text)
    {
        i = read_agenda(lines, 1, out);
    }
    let mut current: Option<Reader> = None;
    let mut in_vote_list: Option<VoteList> = None;
    // How this protocol writes its headings: the organ's abbreviation and
    // whether with the sign. A heading written otherwise is a reference.
    let mut style: Option<(&str, bool)> = None;
    // A case number on the line above the heading it belongs to.
    let mut pending_case: Option<String> = None;
    let mut unread_votes: Vec<(u32, usize, usize)> = Vec::new();
    while i < lines.len() {
        let l = &lines[i];
        i += 1;
        if l.is_blank() && in_vote_list.is_none() {
            if let Some(r) = current.as_mut() {
                r.read(l, out);
            }
            continue;
        }
        // The certificate of electronic signatures closes the protocol.
        if is_signature_certificate(&l.text) {
            break;
        }
        // "Bilaga 2" over the voteringslista it holds.
        if in_vote_list.is_none()
            && l.text.len() <= 12
            && fold::starts_with(&l.text, "bilaga")
            && lines[i..]
                .iter()
                .find(|n| !n.is_blank())
                .is_some_and(|n| is_vote_list_heading(&n.text))
        {
            continue;
        }
        if is_vote_list_heading(&l.text) {
            if let Some(list) = in_vote_list.take() {
                list.finish(out, &mut current);
            }
            in_vote_list = Some(VoteList::new(l, current.as_ref().map(|r| r.p.number)));
            continue;
        }
        if let Some(h) = heading(&l.text)
            && accepts(h, style, current.as_ref(), out)
        {
            if let Some(list) = in_vote_list.take() {
                list.finish(out, &mut current);
            }
            if let Some(r) = current.take() {
                finish_paragraph(r, out, &mut unread_votes);
            }
            if style.is_none() {
                style = Some((h.prefix, h.sign));
            }
            let mut r = Reader::new(h.number, h.title, width, l.number);
            if r.p.case_number.is_none() {
                r.p.case_number = pending_case.take();
            }
            pending_case = None;
            current = Some(r);
            continue;
        }
        // A case number alone, just above the next heading.
        if in_vote_list.is_none()
            && l.text.len() <= 40
            && l.text.bytes().any(|b| b.is_ascii_digit())
            && let Some(c) = case_number(&l.text)
            && lines[i..]
                .iter()
                .find(|n| !n.is_blank())
                .and_then(|n| heading(&n.text))
                .is_some_and(|h| accepts(h, style, current.as_ref(), out))
        {
            pending_case = Some(c);
            continue;
        }
        // A table with Ja and Nej columns inside a paragraph: a voteringslista
        // without its own heading.
        if in_vote_list.is_none() && current.is_some() && is_vote_table_header(l) {
            let mut list = VoteList::new(l, current.as_ref().map(|r| r.p.number));
            list.read(l, out);
            in_vote_list = Some(list);
            continue;
        }
        if let Some(list) = in_vote_list.as_mut() {
            if list.read(l, out) {
                continue;
            }
            let list = in_vote_list.take().unwrap();
            list.finish(out, &mut current);
        }
        match current.as_mut() {
            Some(r) => r.read(l, out),
            None if l.is_blank() => {}
            None => warn(out, l, format!("text utanför paragraferna: «{}»", l.text)),
        }
    }
    if let Some(list) = in_vote_list.take() {
        list.finish(out, &mut current);
    }
    if let Some(r) = current.take() {
        finish_paragraph(r, out, &mut unread_votes);
    }
    // A vote whose result neither the text nor a list gave.
    for (number, index, line) in unread_votes {
        let unread = out
            .paragraphs
            .binary_search_by_key(&number, |p| p.number)
            .ok()
            .and_then(|at| out.paragraphs[at].votes.get(index))
            .is_some_and(|v| (v.ja, v.nej, v.avstar) == (0, 0, 0) && v.roll.is_empty());
        if unread {
            out.warnings.push(super::Warning {
                line,
                message: format!("§{number}: omröstningens resultat kunde inte läsas"),
            });
        }
    }
    // A paragraph without its case number has the one of the ärendelista.
    if !out.agenda.is_empty() {
        for p in out
            .paragraphs
            .iter_mut()
            .filter(|p| p.case_number.is_none())
        {
            if let Ok(at) = out.agenda.binary_search_by_key(&p.number, |a| a.number) {
                p.case_number = out.agenda[at].case_number.clone();
            }
        }
    }
}

/// Where the body begins when the first heading has its case number on
/// the line above it ("BUN/2016:360" over "§ 54"): at that line.
pub fn with_case_above(lines: &[Line], at: usize) -> usize {
    if at >= lines.len() {
        return at;
    }
    let mut j = at;
    while j > 0 && lines[j - 1].is_blank() {
        j -= 1;
    }
    match j.checked_sub(1).map(|k| &lines[k]) {
        Some(l) if l.text.len() <= 40 && case_number(&l.text).is_some() => j - 1,
        _ => at,
    }
}

fn finish_paragraph(r: Reader, out: &mut ImportedProtocol, unread: &mut Vec<(u32, usize, usize)>) {
    let lines = r.vote_lines.clone();
    let p = r.finish(out);
    unread.extend(lines.into_iter().map(|(i, l)| (p.number, i, l)));
    out.paragraphs.push(p);
}

/// Whether a heading starts the next paragraph: its number goes up (not
/// too far, unless the ärendelista has it), and it is written the way the
/// protocol writes its headings (another organ's "KS § 187" is a reference
/// to an earlier decision).
fn accepts(
    h: Heading,
    style: Option<(&str, bool)>,
    current: Option<&Reader>,
    out: &ImportedProtocol,
) -> bool {
    let last = current
        .map(|r| r.p.number)
        .or_else(|| out.paragraphs.last().map(|p| p.number));
    if last.is_some_and(|n| h.number <= n) {
        return false;
    }
    if let Some((prefix, sign)) = style
        && (!fold::eq(h.prefix, &prefix.to_lowercase()) || (sign && !h.sign))
    {
        return false;
    }
    // A far jump only to a number the ärendelista has (both are in order).
    !last.is_some_and(|n| h.number > n + 40)
        || out
            .agenda
            .binary_search_by_key(&h.number, |a| a.number)
            .is_ok()
}

/// "Voteringslista § 34", "Omröstningslista", "Bilaga 2 Voteringslista",
/// "Voteringsprotokoll": a voteringslista's own heading.
fn is_vote_list_heading(text: &str) -> bool {
    if !text.starts_with(['V', 'O', 'B', 'N', 'v', 'o', 'b', 'n']) {
        return false;
    }
    let t = match fold::strip_prefix(text, "bilaga") {
        Some(rest) => rest
            .trim_start_matches(|c: char| {
                c.is_ascii_digit() || matches!(c, ' ' | ':' | '.' | '–' | '-')
            })
            .trim_start(),
        None => text,
    };
    // "Närvaro- och voteringslista": the attendance kept in the same table.
    let t = ["närvaro- och ", "närvaro och ", "närvaro-och "]
        .iter()
        .find_map(|p| fold::strip_prefix(t, p))
        .unwrap_or(t);
    [
        "voteringslista",
        "omröstningslista",
        "voteringsprotokoll",
        "omröstningsprotokoll",
        "voteringsbilaga",
        "omröstningsbilaga",
    ]
    .iter()
    .any(|w| fold::starts_with(t, w))
}

/// The ärendelista from line `i`; returns where the paragraphs begin.
fn read_agenda(lines: &[Line], mut i: usize, out: &mut ImportedProtocol) -> usize {
    while i < lines.len() {
        let l = &lines[i];
        let text = bullet(&l.text).unwrap_or(&l.text);
        if l.is_blank() {
            i += 1;
            continue;
        }
        let entry = heading(text)
            .map(|h| (h.number, h.title))
            .or_else(|| bare_numbered(text));
        let Some((n, title)) = entry else {
            // A long title wraps onto the next line, or follows a line with
            // only the number and the case number.
            match out.agenda.last_mut() {
                Some(last)
                    if bullet(&l.text).is_none()
                        && heading_of(&l.text).is_none()
                        && (!lines[i - 1].is_blank() || last.title.is_empty()) =>
                {
                    let joined = if last.title.is_empty() {
                        l.text.to_string()
                    } else {
                        format!("{} {}", last.title, l.text)
                    };
                    let (title, case) = split_title_case(&strip_page_reference(&joined));
                    last.title = title;
                    if case.is_some() {
                        last.case_number = case;
                    }
                    i += 1;
                    continue;
                }
                _ => break,
            }
        };
        // The paragraphs begin when the numbering starts over.
        if out.agenda.last().is_some_and(|a| n <= a.number) && bullet(&l.text).is_none() {
            break;
        }
        let (title, case) = split_title_case(&strip_page_reference(title));
        out.agenda.push(AgendaEntry {
            number: n,
            title,
            case_number: case,
        });
        i += 1;
    }
    i
}

/// "26 Dnr KS 2018/14 Information ... 3", "7. Budget": a numbered entry of an
/// ärendelista whose sign the extractor dropped.
fn bare_numbered(text: &str) -> Option<(u32, &str)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let n = text[..digits].parse().ok()?;
    let rest = text[digits..].strip_prefix('.').unwrap_or(&text[digits..]);
    let rest = rest.strip_prefix(' ')?.trim_start();
    rest.starts_with(char::is_uppercase).then_some((n, rest))
}

/// A contents line's page number at its end ("Budget ....... 14",
/// "Budget… 14"), removed.
fn strip_page_reference(title: &str) -> String {
    let t = title.trim_end();
    let digits = t.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 || digits == t.len() {
        return t.to_string();
    }
    let before = t[..t.len() - digits].trim_end();
    let leader = before.trim_end_matches(['.', '…', ' ', '_']);
    if leader.len() + 2 <= before.len() || before.ends_with('…') {
        return leader.trim_end().to_string();
    }
    t.to_string()
}

/// A case number cut at the line's end ("BN/2019:", "2022/KS") and the
/// line under it holding only its digits ("104", "0255 008"): the whole.
fn case_continued(case: &str, line: &str) -> Option<String> {
    let line = line.trim();
    if line.is_empty()
        || line.len() > 12
        || !line.bytes().all(|b| b.is_ascii_digit() || b == b' ')
        || !line.starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    // The part above must not be whole already ("KS/2016:4" + "12").
    if is_case_number(case) && !case.ends_with(['/', ':', '-', '.']) {
        return None;
    }
    let joined = if case.ends_with(['/', ':', '-', '.']) {
        format!("{case}{line}")
    } else {
        format!("{case} {line}")
    };
    is_case_number(&joined).then_some(joined)
}

/// "Svar på motion (KS 2023/145)", "Titel, RS231470", "Dnr KS 2018/14 Titel"
/// -> title and number.
fn split_title_case(title: &str) -> (String, Option<String>) {
    let t = trim(title);
    if let Some(open) = t.rfind('(')
        && t.ends_with(')')
        && let Some(c) = case_number(&t[open + 1..t.len() - 1])
    {
        return (t[..open].trim().to_string(), Some(c));
    }
    if let Some((a, b)) = t.rsplit_once(", ")
        && let Some(c) = case_number(b)
    {
        return (a.trim().to_string(), Some(c));
    }
    if let Some((a, b)) = t.rsplit_once("  ")
        && let Some(c) = case_number(b)
    {
        return (a.trim().to_string(), Some(c));
    }
    // The case number first: the longest run of words that is one.
    if t.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()) {
        let ends: Vec<usize> = t
            .match_indices(' ')
            .map(|(at, _)| at)
            .chain(std::iter::once(t.len()))
            .take(5)
            .collect();
        for &end in ends.iter().rev() {
            // A title's first word is no part of it ("Dnr 2009/8 Val av …").
            let last = t[..end].rsplit(' ').next().unwrap_or("");
            if end < t.len()
                && last.starts_with(char::is_uppercase)
                && last.chars().skip(1).any(char::is_lowercase)
                && last.chars().all(char::is_alphabetic)
                && t[..end].contains(' ')
            {
                continue;
            }
            if let Some(c) = case_number(&t[..end]) {
                return (t[end..].trim().to_string(), Some(c));
            }
        }
    }
    // At the end after a single space: "Budget 2025 Dnr KS 2024/301".
    if let Some(at) = t.rfind(" Dnr")
        && let Some(c) = case_number(&t[at + 1..])
    {
        return (t[..at].trim().to_string(), Some(c));
    }
    (t.to_string(), None)
}

/// One paragraph being read.
struct Reader<'a> {
    p: ImportedParagraph,
    /// Still reading the title (it may wrap over lines).
    in_title: bool,
    section: Option<Section>,
    /// Lines of the current section, blank lines kept as "".
    buffer: Vec<(usize, Cow<'a, str>)>,
    /// How far the current section's first bullet is indented.
    bullet_indent: Option<usize>,
    /// The last line read was a bullet point or its continuation.
    in_list: bool,
    /// The length of a full line of text in this document.
    width: usize,
    /// Votes whose result the text did not give (yet): index and line.
    vote_lines: Vec<(usize, usize)>,
}

impl<'a> Reader<'a> {
    fn new(number: u32, title: &str, width: usize, line: usize) -> Reader<'a> {
        // "KF § 71      Dnr KS 2024/301": the number line carries only the
        // case number; the title follows.
        // "KF § 39      KS § 187, 2016-12-06": an earlier paragraph in
        // another organ, not a title.
        let history = title
            .split_once(' ')
            .is_some_and(|(p, rest)| is_organ_prefix(p) && rest.starts_with('§'));
        // Its case number may still stand at the line's end
        // ("§ 112   KSAU § 98, 2016-08-01   KS/2016:286").
        let title = if history {
            // The longest run of (at most three) last words that is one.
            let starts: Vec<usize> = title
                .rmatch_indices(' ')
                .map(|(at, _)| at + 1)
                .take(3)
                .collect();
            starts
                .iter()
                .rev()
                .map(|&at| title[at..].trim())
                .find(|c| !c.contains('§') && case_number(c).is_some())
                .unwrap_or("")
        } else {
            title
        };
        // A page run onto the heading's line: the title is its start, the
        // rest is read as the paragraph's text.
        let mut run_on = None;
        let title = if title.len() > 150 && title.contains(". ") {
            let cut = title
                .match_indices(". ")
                .map(|(at, _)| at)
                .next()
                .unwrap_or(title.len());
            let cut = title[..cut]
                .char_indices()
                .filter(|(_, c)| *c == ' ')
                .map(|(at, _)| at)
                .nth(11)
                .unwrap_or(cut);
            run_on = Some(title[cut..].trim_start_matches('.').trim().to_string());
            &title[..cut]
        } else {
            title
        };
        let (title, case) = match case_number(title) {
            Some(c) => (String::new(), Some(c)),
            None => split_title_case(title),
        };
        let mut r = Reader {
            p: ImportedParagraph {
                number,
                title,
                case_number: case,
                ..Default::default()
            },
            in_title: true,
            section: None,
            buffer: vec![],
            bullet_indent: None,
            in_list: false,
            width,
            vote_lines: vec![],
        };
        if let Some(rest) = run_on {
            r.in_title = false;
            r.buffer.push((line, Cow::Owned(rest)));
        }
        r
    }

    fn read(&mut self, l: &Line<'a>, out: &mut ImportedProtocol) {
        if l.is_blank() && !self.in_title {
            self.in_list = false;
            self.buffer.push((l.number, Cow::Borrowed("")));
            return;
        }
        if let Some(s) = heading_of(&l.text) {
            self.flush(out);
            self.in_title = false;
            self.section = Some(s);
            return;
        }
        // "Reservation: A (M), B (SD)", "Beslut: Nämnden …": the heading
        // and its text on one line.
        if let Some(colon) = l.text.as_bytes()[..l.text.len().min(LONGEST_HEADING + 1)]
            .iter()
            .position(|&b| b == b':')
            && let Some(s) = heading_of(&l.text[..colon])
            && !l.text[colon + 1..].trim().is_empty()
        {
            self.flush(out);
            self.in_title = false;
            self.section = Some(s);
            self.buffer
                .push((l.number, Cow::Owned(l.text[colon + 1..].trim().to_string())));
            return;
        }
        if self.in_title {
            if l.is_blank() {
                // A blank line ends a title that has begun.
                if !self.p.title.is_empty() {
                    self.in_title = false;
                }
                return;
            }
            // "Dnr BN/2019:" with the rest of the number ("104") wrapped
            // under it, in the number's column.
            if self.p.title.is_empty()
                && let Some(c) = self.p.case_number.as_deref()
                && let Some(whole) = case_continued(c, &l.text)
            {
                self.p.case_number = Some(whole);
                return;
            }
            if let Some(c) = case_number(&l.text) {
                self.p.case_number = Some(c);
                self.in_title = false;
                // "Budget 2019, Dnr" with the number on this line.
                for label in [
                    ", Dnr",
                    " Dnr",
                    " Diarienummer:",
                    " Diarienummer",
                    ", dnr",
                    " dnr",
                ] {
                    if let Some(t) = self.p.title.strip_suffix(label) {
                        self.p.title = t.trim_end().to_string();
                        break;
                    }
                }
                return;
            }
            if self.p.case_number.is_none() && is_case_label(&l.text) {
                // "Diarienummer:" with the number on the next line.
                return;
            }
            if self.p.title.is_empty() {
                let (title, case) = split_title_case(&l.text);
                self.p.title = title;
                if case.is_some() {
                    self.p.case_number = case;
                }
                return;
            }
            if l.text.starts_with("Sekretess") {
                // "Sekretess enligt 26 kap. 1 § OSL" under the title.
                self.p.secret = true;
                self.in_title = false;
                return;
            }
            if self.p.case_number.is_none() {
                // The title wraps.
                self.p.title.push(' ');
                self.p.title.push_str(&l.text);
                return;
            }
            self.in_title = false;
        }
        if self.section.is_none()
            && self.p.case_number.is_none()
            && !l.is_blank()
            && let Some(c) = case_number(&l.text)
        {
            self.p.case_number = Some(c);
            return;
        }
        // A bullet indented deeper than the section's first bullets is a
        // point under the previous one: mark it with the second-level sign.
        let indent = l.raw.len() - l.raw.trim_start().len();
        let mut text = l.text.clone();
        if let Some(item) = bullet(&l.text) {
            match self.bullet_indent {
                Some(first) if indent > first && !l.text.starts_with("· ") => {
                    text = Cow::Owned(format!("· {item}"));
                }
                None => self.bullet_indent = Some(indent),
                _ => {}
            }
            self.in_list = true;
        } else if self.in_list && !l.is_blank() {
            // Back at the list's margin with a capital: the list has ended
            // (a wrapped point hangs under its text).
            if self.bullet_indent.is_some_and(|b| indent <= b)
                && l.text.chars().next().is_some_and(char::is_uppercase)
            {
                self.buffer.push((l.number, Cow::Borrowed("")));
                self.in_list = false;
            }
        } else if l.is_blank() {
            self.in_list = false;
        }
        self.buffer.push((l.number, text));
    }

    /// Ends the current section and files its text.
    fn flush(&mut self, out: &mut ImportedProtocol) {
        let buffer = std::mem::take(&mut self.buffer);
        self.bullet_indent = None;
        self.in_list = false;
        let paragraphs = join_paragraphs(&buffer);
        if paragraphs.is_empty() && self.section != Some(Section::Dispatch) {
            return;
        }
        match self.section {
            None => {
                let text = paragraphs
                    .iter()
                    .map(|(_, t)| t.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                if fold::contains(&text, "sekretess") {
                    self.p.secret = true;
                } else {
                    self.votes_in(&paragraphs);
                    self.reservations_in(&paragraphs);
                    let line = paragraphs[0].0;
                    out.warnings.push(super::Warning {
                        line,
                        message: format!(
                            "§{}: text före första rubriken läses som «Ärendet»",
                            self.p.number
                        ),
                    });
                    self.p.matter.extend(paragraphs.into_iter().map(|(_, t)| t));
                }
            }
            Some(Section::Decision) => {
                self.votes_in(&paragraphs);
                self.reservations_in(&paragraphs);
                self.p.decision = Some(decision(&paragraphs));
            }
            Some(Section::DraftDecision) => self.p.draft_decision = Some(decision(&paragraphs)),
            Some(Section::Matter) => self.p.matter.extend(paragraphs.into_iter().map(|(_, t)| t)),
            Some(Section::Proposals) => {
                // "Omröstning begärs och verkställs, varvid avges 5
                // ja-röster …" told under the yrkanden.
                self.votes_in(&paragraphs);
                for (_, t) in sentences_starting(&paragraphs, " yrkar ") {
                    self.p.proposals.push(proposal(&t));
                }
            }
            Some(Section::Propositions) => {
                self.votes_in(&paragraphs);
                self.reservations_in(&paragraphs);
                self.p
                    .propositions
                    .extend(paragraphs.into_iter().map(|(_, t)| t));
            }
            Some(Section::Vote) => {
                let wording: Vec<String> = paragraphs
                    .iter()
                    .map(|(_, t)| bullet(t).unwrap_or(t).to_string())
                    .collect();
                let mut vote = ImportedVote {
                    wording,
                    ..Default::default()
                };
                totals_from_wording(&mut vote);
                let counted = (vote.ja, vote.nej, vote.avstar) != (0, 0, 0);
                // A table read inside this section made the vote already;
                // a second heading ("Omröstningsresultat") after the request
                // goes on with the same vote.
                let asks = vote.wording.iter().any(|w| fold::contains(w, "begär"));
                if let Some(v) = self.p.votes.iter_mut().find(|v| v.wording.is_empty()) {
                    v.wording = vote.wording;
                    if (v.ja, v.nej, v.avstar) == (0, 0, 0) {
                        (v.ja, v.nej, v.avstar) = (vote.ja, vote.nej, vote.avstar);
                    }
                } else if let Some(v) = self.p.votes.last_mut().filter(|v| {
                    !asks || (counted && (v.ja, v.nej, v.avstar) == (0, 0, 0) && v.roll.is_empty())
                }) {
                    v.wording.extend(vote.wording);
                    if v.roll.is_empty() && (v.ja, v.nej) == (0, 0) {
                        (v.ja, v.nej, v.avstar) = (vote.ja, vote.nej, vote.avstar);
                    }
                } else {
                    if !counted {
                        self.vote_lines.push((self.p.votes.len(), paragraphs[0].0));
                    }
                    self.p.votes.push(vote);
                }
                self.reservations_in(&paragraphs);
            }
            Some(Section::Reservations) => {
                for (n, t) in sentences_starting(&paragraphs, "reserverar") {
                    for s in split_reservations(&t) {
                        let r = reservation(s);
                        if r.names.is_empty() {
                            out.warnings.push(super::Warning {
                                line: n,
                                message: format!(
                                    "§{}: vem som reserverar sig framgår inte: «{s}»",
                                    self.p.number
                                ),
                            });
                        }
                        self.p.reservations.push(r);
                    }
                }
            }
            Some(Section::MinuteNotes) => {
                self.reservations_in(&paragraphs);
                self.p
                    .minute_notes
                    .extend(paragraphs.into_iter().map(|(_, t)| t));
            }
            Some(Section::Disqualification) => self
                .p
                .disqualifications
                .extend(paragraphs.into_iter().map(|(_, t)| t)),
            Some(Section::Basis) => self.p.basis.extend(
                list_items(&buffer, self.width)
                    .into_iter()
                    .map(|t| bullet(&t).unwrap_or(&t).to_string()),
            ),
            Some(Section::Dispatch) => {
                let items: Vec<String> = list_items(&buffer, self.width)
                    .into_iter()
                    .map(|t| bullet(&t).unwrap_or(&t).trim_end_matches('.').to_string())
                    .filter(|t| !fold::starts_with(t, "expedieras inte"))
                    .collect();
                self.p.dispatch = Some(items);
            }
        }
    }

    /// Votes stated outside an Omröstning section ("Med 31 ja-röster mot
    /// 30 nej-röster beslutar fullmäktige …", "Följande röstar ja: …").
    fn votes_in(&mut self, paragraphs: &[(usize, String)]) {
        // The sides' lists of names, one paragraph each ("Ja röstar A, B.",
        // "Nej röstar C."), are one vote: read together.
        let mut merged: Vec<String> = Vec::with_capacity(paragraphs.len());
        let mut last_sides = false;
        for (_, t) in paragraphs {
            let sides = starts_with_side_list(t);
            match merged.last_mut() {
                Some(prev) if sides && last_sides => {
                    prev.push(' ');
                    prev.push_str(t);
                }
                _ => merged.push(t.clone()),
            }
            last_sides = sides;
        }
        for t in &merged {
            if !speaks_of_votes(t) {
                continue;
            }
            let Some((ja, nej, mut avstar)) = totals_in(t) else {
                // "Tomas Wern avstår." after the totals' paragraph.
                let n = abstainers_named(t);
                if n > 0
                    && let Some(v) = self.p.votes.last_mut()
                    && v.avstar == 0
                    && (v.ja, v.nej) != (0, 0)
                {
                    v.avstar = n;
                    v.wording.push(t.clone());
                }
                continue;
            };
            if avstar == 0 {
                avstar = abstainers_named(t);
            }
            if self
                .p
                .votes
                .iter()
                .any(|v| (v.ja, v.nej) == (ja, nej) || (v.ja, v.nej, v.avstar) == (0, 0, 0))
            {
                if let Some(v) = self
                    .p
                    .votes
                    .iter_mut()
                    .find(|v| (v.ja, v.nej, v.avstar) == (0, 0, 0))
                {
                    (v.ja, v.nej, v.avstar) = (ja, nej, avstar);
                }
                continue;
            }
            // The sides named in paragraphs of their own ("Följande röstade
            // ja: …", then "Följande röstade nej: …"): one vote.
            let sides = |v: (u32, u32, u32)| [v.0, v.1, v.2].map(|n| n > 0);
            let new = sides((ja, nej, avstar));
            if new.iter().filter(|b| **b).count() == 1
                && let Some(last) = self.p.votes.last_mut()
                && {
                    let old = sides((last.ja, last.nej, last.avstar));
                    old.iter().filter(|b| **b).count() == 1 && !(0..3).any(|k| old[k] && new[k])
                }
            {
                last.ja += ja;
                last.nej += nej;
                last.avstar += avstar;
                last.wording.push(t.clone());
                continue;
            }
            self.p.votes.push(ImportedVote {
                ja,
                nej,
                avstar,
                wording: vec![t.clone()],
                roll: vec![],
            });
        }
    }

    /// Reservations stated in a section of another kind ("Mot beslutet
    /// reserverar sig …" after the decision).
    fn reservations_in(&mut self, paragraphs: &[(usize, String)]) {
        for (_, t) in paragraphs {
            if !t.contains("reserv") {
                continue;
            }
            for s in sentences(t) {
                if is_reservation_sentence(s) {
                    let r = reservation(s);
                    if !r.names.is_empty()
                        && !self.p.reservations.iter().any(|x| x.names == r.names)
                    {
                        self.p.reservations.push(r);
                    }
                }
            }
        }
    }

    fn finish(mut self, out: &mut ImportedProtocol) -> ImportedParagraph {
        self.flush(out);
        if fold::contains(&self.p.title, "sekretess") && self.p.decision.is_none() {
            self.p.secret = true;
        }
        self.p
    }
}

/// A list of documents or recipients: one per line or one per bullet (a
/// line that begins in lower case, follows a full-width line, or has no
/// bullet in a bulleted list continues the one before).
fn list_items(buffer: &[(usize, Cow<'_, str>)], width: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut wrapped = false;
    // With bullets, a line without one continues the point above it.
    let bullets = buffer.iter().any(|(_, t)| bullet(t).is_some());
    for (_, t) in buffer {
        if t.is_empty() {
            wrapped = false;
            continue;
        }
        let continues =
            t.starts_with(char::is_lowercase) || wrapped || (bullets && bullet(t).is_none());
        wrapped = width >= 40 && t.chars().count() * 10 >= width * 9;
        match out.last_mut() {
            Some(prev) if continues => {
                prev.push(' ');
                prev.push_str(t);
            }
            _ => out.push(t.to_string()),
        }
    }
    out
}

/// Joins wrapped lines into paragraphs: a blank line, a bullet, or a line
/// after one ending a sentence starts a new one.
fn join_paragraphs(buffer: &[(usize, Cow<'_, str>)]) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open = false;
    for (n, t) in buffer {
        if t.is_empty() {
            open = false;
            continue;
        }
        let starts_new = !open
            || bullet(t).is_some()
            || (is_formula(t) && t.chars().next().is_some_and(char::is_uppercase))
            || out.last().is_some_and(|(_, prev)| {
                prev.ends_with(['.', ':', ';', '!', '?'])
                    && t.chars().next().is_some_and(char::is_uppercase)
            });
        if starts_new {
            out.push((*n, t.to_string()));
        } else {
            let last = &mut out.last_mut().unwrap().1;
            last.push(' ');
            last.push_str(t);
        }
        open = true;
    }
    out
}

/// Groups paragraphs into sentences that each contain `marker` (a yrkande,
/// a reservation); text without it continues the previous one.
fn sentences_starting(paragraphs: &[(usize, String)], marker: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for (n, t) in paragraphs {
        if t.contains(marker) || out.is_empty() {
            out.push((*n, t.clone()));
        } else {
            let last = &mut out.last_mut().unwrap().1;
            last.push(' ');
            last.push_str(t);
        }
    }
    out
}

/// An opening formula: ends in "att" (with ":" or ";"), and says who
/// decides or proposes.
fn is_formula(text: &str) -> bool {
    let t = text.trim_end_matches([':', ';', ',']).trim_end();
    t.ends_with(" att") || t.ends_with(" besluta") || t.ends_with(" beslutar")
}

fn decision(paragraphs: &[(usize, String)]) -> ImportedDecision {
    let mut d = ImportedDecision::default();
    for (_, t) in paragraphs {
        let item = bullet(t);
        let opens_part = item.is_none()
            && (d.parts.is_empty()
                || (is_formula(t) && d.parts.last().is_some_and(|p| !p.clauses.is_empty())));
        if opens_part {
            d.parts.push(ImportedDecisionPart {
                intro: t.clone(),
                clauses: vec![],
            });
            continue;
        }
        if d.parts.is_empty() {
            d.parts.push(ImportedDecisionPart::default());
        }
        let p = d.parts.last_mut().expect("a part was just ensured");
        let clause = |text: &str| ImportedClause {
            text: text.to_string(),
            items: vec![],
        };
        match item {
            Some(item) => {
                // A point under a clause (indented, or after "…:" with
                // points already), or a clause of its own.
                let sub = t.starts_with("· ");
                match p.clauses.last_mut() {
                    Some(c) if sub || (c.text.ends_with(':') && !c.items.is_empty()) => {
                        c.items.push(item.to_string())
                    }
                    _ => p.clauses.push(clause(item)),
                }
            }
            None => match p.clauses.last_mut() {
                // Points written without bullets under "… tillägg:".
                Some(c) if c.text.ends_with(':') => c.items.push(t.clone()),
                Some(_) => p.clauses.push(clause(t)),
                None => {
                    p.intro.push(' ');
                    p.intro.push_str(t);
                }
            },
        }
    }
    d
}

/// "A (S) och B (V) yrkar bifall till motionen."
fn proposal(sentence: &str) -> ImportedProposal {
    let (who, what) = sentence.split_once(" yrkar ").unwrap_or((sentence, ""));
    let (movers, parties) = names_and_parties(who);
    ImportedProposal {
        movers,
        parties,
        text: what.trim().trim_end_matches('.').to_string(),
        sentence: sentence.to_string(),
    }
}

/// A reservation's sentence (or a list of names under "Reservation") ->
/// who reserves themselves: "A (S) och B (S) reserverar sig mot beslutet",
/// "Mot beslutet reserverar sig A (M) och B (KD) till förmån för …",
/// "A (M) anmäler reservation", "Reservation: A, M, B, SD".
fn reservation(sentence: &str) -> ImportedReservation {
    ImportedReservation {
        names: reserving_names(sentence),
        text: sentence.to_string(),
    }
}

fn reserving_names(sentence: &str) -> Vec<String> {
    let s = sentence.trim();
    let s = fold::strip_prefix(s, "reservationer:")
        .or_else(|| fold::strip_prefix(s, "reservation:"))
        .unwrap_or(s)
        .trim();
    for marker in [
        " reserverar ",
        " anmäler reservation",
        " anmäler skriftlig reservation",
    ] {
        if let Some(at) = s.find(marker) {
            let who = &s[..at];
            let who = who.rsplit_once(" genom ").map_or(who, |(_, w)| w);
            let names = names_list(who);
            if !names.is_empty() {
                return names;
            }
            // "Mot beslutet reserverar sig A (M) och B (KD) till förmån för …"
            let after = &s[at + marker.len()..];
            let after = after
                .strip_prefix("sig ")
                .or_else(|| after.strip_prefix("oss "))
                .unwrap_or(after);
            return names_list(cut_at_stop(after));
        }
    }
    if let Some(at) = s.find(" anmäls av ") {
        return names_list(cut_at_stop(&s[at + " anmäls av ".len()..]));
    }
    names_list(cut_at_stop(s))
}

/// Names end where what they reserve themselves for begins.
fn cut_at_stop(s: &str) -> &str {
    let mut end = s.len();
    for stop in [
        " till förmån",
        " mot ",
        " med hänvisning",
        " för ",
        " skriftligt",
        " i ärendet",
        " till ",
        " och lämnar",
        ". ",
    ] {
        if let Some(at) = s.find(stop) {
            end = end.min(at);
        }
    }
    &s[..end]
}

/// Words before a name that are not part of it.
const BEFORE_NAMES: &[&str] = &[
    "ledamöterna",
    "ledamoten",
    "ledamot",
    "ersättaren",
    "ersättarna",
    "mot",
    "beslutet",
    "därmed",
    "även",
    "dessutom",
    "samtliga",
    "följande",
    "vidare",
    "också",
    "reservation",
    "reservationer",
    "ordföranden",
];

/// "A (S), B (V) och C (M)", "A, M och B, SD", "Anna Berg och Per Ek" ->
/// the names, without parties; parts that are no names are left out.
fn names_list(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let s = s.trim().trim_end_matches(['.', ':', ';']);
    for part in s
        .split(", ")
        .flat_map(|x| x.split(" och "))
        .flat_map(|x| x.split(" samt "))
    {
        let part = part.trim().trim_matches([',', '.', ':', ';']).trim();
        if part.is_empty() || is_party(part) {
            continue;
        }
        let has_party = part.contains('(');
        let name = person_name(part);
        let words: Vec<&str> = name
            .split_whitespace()
            .skip_while(|w| !w.starts_with(char::is_uppercase) || fold::eq_any(w, BEFORE_NAMES))
            .take_while(|w| {
                w.starts_with(char::is_uppercase)
                    || matches!(*w, "von" | "af" | "de" | "van" | "der")
            })
            .collect();
        let ok = (if has_party { 1..=5 } else { 2..=5 }).contains(&words.len())
            && words
                .iter()
                .all(|w| !w.contains(|c: char| c.is_ascii_digit()))
            && !(words.len() == 1 && fold::eq_any(words[0], BEFORE_NAMES));
        if ok {
            out.push(words.join(" "));
        }
    }
    out
}

/// "A (S), B (V) och C (M)" -> names and parties.
fn names_and_parties(s: &str) -> (Vec<String>, Vec<Option<String>>) {
    let mut names = Vec::new();
    let mut parties = Vec::new();
    for part in s.split(", ").flat_map(|x| x.split(" och ")) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let party = part
            .rfind('(')
            .and_then(|o| part[o + 1..].strip_suffix(')'))
            .filter(|p| is_party(p))
            .map(str::to_string);
        names.push(person_name(part));
        parties.push(party);
    }
    (names, parties)
}

/// Whether a sentence says that someone reserves themselves against the
/// decision (not that they do not).
fn is_reservation_sentence(t: &str) -> bool {
    (t.contains(" reserverar sig")
        || t.contains(" reserverar oss")
        || t.contains(" anmäler reservation")
        || t.contains("eservation anmäls av"))
        && !t.contains(" inte reserverar")
        && !t.contains(" ej reserverar")
}

/// The sentences of a text: split after ". " before a capital.
/// Those who abstain, named in a sentence of their own after the totals:
/// "Tomas Wern avstår.", "A (S) och B (M) avstår från att rösta."
fn abstainers_named(text: &str) -> u32 {
    let mut n = 0;
    for s in sentences(text) {
        let s = s.trim_end_matches('.');
        let s = s.strip_suffix(" från att rösta").unwrap_or(s);
        let Some(who) = s.strip_suffix(" avstår") else {
            continue;
        };
        if who.starts_with(|c: char| c.is_uppercase()) && who.len() <= 120 {
            n += names_list(who).len() as u32;
        }
    }
    n
}

fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (at, _) in text.match_indices(". ") {
        if text[at + 2..].starts_with(char::is_uppercase) {
            out.push(text[start..at + 1].trim());
            start = at + 2;
        }
    }
    out.push(text[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// A reservation section's text, one part per sentence that reserves
/// (several people may reserve themselves for different reasons).
fn split_reservations(text: &str) -> Vec<&str> {
    let parts = sentences(text);
    if parts.iter().filter(|s| is_reservation_sentence(s)).count() <= 1 {
        return vec![text];
    }
    parts
        .into_iter()
        .filter(|s| is_reservation_sentence(s))
        .collect()
}

/// Swedish number words up to 99: "fem", "trettioen", "en", "ett".
fn number_word(w: &str) -> Option<u32> {
    const ONES: [&str; 20] = [
        "noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva",
        "tolv", "tretton", "fjorton", "femton", "sexton", "sjutton", "arton", "nitton",
    ];
    const TENS: [&str; 8] = [
        "tjugo", "trettio", "fyrtio", "femtio", "sextio", "sjuttio", "åttio", "nittio",
    ];
    if w == "ett" {
        return Some(1);
    }
    if let Some(n) = ONES.iter().position(|o| *o == w) {
        return Some(n as u32);
    }
    for (i, t) in TENS.iter().enumerate() {
        if let Some(rest) = w.strip_prefix(t) {
            let tens = 20 + 10 * i as u32;
            if rest.is_empty() {
                return Some(tens);
            }
            if let Some(n) = ONES[1..10].iter().position(|o| *o == rest) {
                return Some(tens + n as u32 + 1);
            }
            if rest == "ett" {
                return Some(tens + 1);
            }
        }
    }
    None
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Ja,
    Nej,
    Avstar,
}

/// "ja", "ja-röster", "nej-röst", "avstår": the side a word names.
fn side_of(w: &str) -> Option<Side> {
    let w = w.trim_end_matches([':', '.', ',']);
    match w {
        "ja" | "ja-röst" | "ja-röster" | "jaröster" | "ja-rösterna" => Some(Side::Ja),
        "nej" | "nej-röst" | "nej-röster" | "nejröster" | "nej-rösterna" => Some(Side::Nej),
        "avstår" | "avstod" | "avstående" | "avstar" | "avstått" => Some(Side::Avstar),
        _ => None,
    }
}

fn number_of(w: &str) -> Option<u32> {
    let w = w.trim_end_matches([':', '.', ',']);
    if !w.is_empty() && w.len() <= 4 && w.bytes().all(|b| b.is_ascii_digit()) {
        return w.parse().ok();
    }
    number_word(w)
}

/// The totals a text states: "Med 31 ja-röster mot 30 nej-röster", "5
/// röster ja, 4 nej, 2 avstår", "fem ja-röster och fyra nej-röster",
/// "Ja-röster: 6. Nej-röster: 2", "Resultat 4 2 1", or lists of names per
/// side ("Ja: A (S), B (M) Nej: C (V)").
fn totals_in(text: &str) -> Option<(u32, u32, u32)> {
    let lower = text.to_lowercase();
    // Words keep the punctuation after them: "Ja-röster 3, nej-röster 2"
    // pairs each number with the word before it, "3 ja, 2 nej" with the
    // word after.
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '(' | ')'))
        .filter(|w| !w.is_empty() && *w != ",")
        .collect();
    let ends = |w: &str| w.ends_with(['.', ':', ',']);
    let mut got: [Option<u32>; 3] = [None; 3];
    let mut used = vec![false; words.len()];
    let set = |got: &mut [Option<u32>; 3], side: Side, n: u32| {
        let slot = &mut got[side as usize];
        if slot.is_none() {
            *slot = Some(n);
        }
    };
    for i in 0..words.len() {
        let Some(n) = number_of(words[i]) else {
            continue;
        };
        // A number that ends a sentence or a label's value ("Ja-röster: 6.
        // Nej-röster: 2") belongs to what stands before it.
        if ends(words[i]) || (i > 0 && side_of(words[i - 1]).is_some() && !ends(words[i - 1])) {
            continue;
        }
        // "31 ja-röster", "2 avstår"
        if let Some(side) = words
            .get(i + 1)
            .filter(|w| !w.ends_with(':'))
            .and_then(|w| side_of(w))
        {
            set(&mut got, side, n);
            used[i] = true;
            continue;
        }
        // "5 röster ja", "2 ledamöter avstår"
        if let (Some(mid), Some(side)) =
            (words.get(i + 1), words.get(i + 2).and_then(|w| side_of(w)))
            && (mid.starts_with("röst") || mid.starts_with("ledam"))
            && (side != Side::Avstar || mid.starts_with("ledam") || mid.starts_with("röst"))
        {
            set(&mut got, side, n);
            used[i] = true;
        }
    }
    // "Ja-röster: 6", "ja 5" where the number follows its side.
    for i in 0..words.len().saturating_sub(1) {
        if let Some(side) = side_of(words[i]).filter(|_| !words[i].ends_with(['.', ',']))
            && !used[i + 1]
            && let Some(n) = number_of(words[i + 1])
            && words[i + 1]
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b':' | b','))
        {
            set(&mut got, side, n);
            used[i + 1] = true;
        }
    }
    // "Resultat 4 2 1", "Summa: 5 4 2".
    if got.iter().all(Option::is_none)
        && let Some(at) = words.iter().position(|w| {
            matches!(
                w.trim_end_matches(':'),
                "resultat" | "summa" | "totalt" | "summering"
            )
        })
    {
        let nums: Vec<u32> = words[at + 1..]
            .iter()
            .map_while(|w| w.parse::<u32>().ok())
            .collect();
        if nums.len() >= 2 {
            return Some((nums[0], nums[1], nums.get(2).copied().unwrap_or(0)));
        }
    }
    if got.iter().all(Option::is_none) {
        return named_sides(text);
    }
    // "… mot 2 nej-röster. Inga-Lill Rapp (fp) avstår."
    let avstar = got[2].or_else(|| abstainers(text)).unwrap_or(0);
    Some((got[0].unwrap_or(0), got[1].unwrap_or(0), avstar))
}

/// Votes written as names per side: "Ja: A (S), B (S) och C (M) Nej: D (V)",
/// "Följande röstar ja: A, B och C. Följande röstar nej: D och E."
fn named_sides(text: &str) -> Option<(u32, u32, u32)> {
    const LABELS: &[(&str, Side)] = &[
        ("ja röstar:", Side::Ja),
        ("ja röstar", Side::Ja),
        ("nej röstar:", Side::Nej),
        ("nej röstar", Side::Nej),
        ("röstar ja:", Side::Ja),
        ("röstade ja:", Side::Ja),
        ("ja-röster:", Side::Ja),
        ("ja:", Side::Ja),
        ("röstar nej:", Side::Nej),
        ("röstade nej:", Side::Nej),
        ("nej-röster:", Side::Nej),
        ("nej:", Side::Nej),
        ("avstår från att rösta:", Side::Avstar),
        ("avstår:", Side::Avstar),
        ("avstod:", Side::Avstar),
    ];
    let lower = text.to_lowercase();
    // The labels are found in the lower-cased text and the names read in
    // the text itself: only where both have the same offsets.
    if lower.len() != text.len() {
        return None;
    }
    // Where each label stands (at a word's start), in order.
    let mut found: Vec<(usize, usize, Side)> = Vec::new();
    for (label, side) in LABELS {
        for (at, _) in lower.match_indices(label) {
            let starts_word = at == 0 || lower[..at].ends_with([' ', '\n', '.', '(']);
            let inside = found
                .iter()
                .any(|(a, l, _)| at >= *a && at < a + l || (*a >= at && *a < at + label.len()));
            if starts_word && !inside {
                found.push((at, label.len(), *side));
            }
        }
    }
    if found.is_empty() {
        return None;
    }
    found.sort_by_key(|f| f.0);
    let mut counts = [0u32; 3];
    for (k, (at, len, side)) in found.iter().enumerate() {
        let end = found.get(k + 1).map_or(text.len(), |f| f.0);
        let Some(mut segment) = text.get(at + len..end) else {
            continue;
        };
        // The list ends with its sentence.
        if let Some(stop) = segment.find(". ") {
            segment = &segment[..stop];
        }
        let segment = segment.trim();
        // "Ja (5): …" or "Ja: 5"
        if let Ok(n) = segment.trim_end_matches('.').parse::<u32>() {
            counts[*side as usize] = n;
            continue;
        }
        let names = segment
            .split(", ")
            .flat_map(|x| x.split(" och "))
            .map(|x| x.trim().trim_end_matches(['.', ',']))
            .filter(|x| x.starts_with(char::is_uppercase) && !is_party(x))
            .count();
        counts[*side as usize] += names as u32;
    }
    (counts != [0, 0, 0]).then_some((counts[0], counts[1], counts[2]))
}

/// A result row: "Resultat 4 4 0", "Summa: 5 röster ja …", or one
/// inside a list run onto one line.
fn results_in(text: &str) -> Option<(u32, u32, u32)> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let at = words.iter().position(|w| {
        matches!(
            w.trim_end_matches(':'),
            "resultat" | "summa" | "totalt" | "summering"
        )
    })?;
    let nums: Vec<u32> = words[at + 1..]
        .iter()
        .map_while(|w| w.trim_end_matches([',', '.']).parse::<u32>().ok())
        .collect();
    if nums.len() >= 2 {
        return Some((nums[0], nums[1], nums.get(2).copied().unwrap_or(0)));
    }
    let from = lower.find(words[at]).unwrap_or(0);
    totals_in(&lower[from..])
}

/// The totals from the vote's wording.
fn totals_from_wording(vote: &mut ImportedVote) {
    let text = vote.wording.join(" ");
    if let Some((ja, nej, avstar)) = totals_in(&text) {
        (vote.ja, vote.nej, vote.avstar) = (ja, nej, avstar);
    }
}

/// Whether a text speaks of a vote's result (worth reading for totals).
fn speaks_of_votes(t: &str) -> bool {
    t.contains("röst")
        || t.contains("Ja:")
        || t.contains("Nej:")
        || t.contains("avstår")
        || (t.contains(" ja mot ") && t.contains(" nej"))
        || t.contains("oteringsresultat")
}

/// A paragraph that opens one side's list of names: "Ja röstar …",
/// "Nej röstar: …", "Ja: …", "Avstår: …".
fn starts_with_side_list(t: &str) -> bool {
    let mut buf = [0u8; 48];
    let head = match t.char_indices().nth(24) {
        Some((at, _)) => &t[..at],
        None => t,
    };
    let lower = fold::lower_into(head, &mut buf);
    [
        "ja röstar",
        "nej röstar",
        "ja:",
        "nej:",
        "avstår:",
        "avstår från att rösta:",
        "ja (",
        "nej (",
        "avstår (",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

/// Those who abstain named before the word: "Inga-Lill Rapp (fp) avstår.",
/// "A (MP) och B (V) avstår från att rösta." -> how many.
fn abstainers(text: &str) -> Option<u32> {
    for sentence in text.split(". ") {
        let Some(at) = sentence.find(" avstår") else {
            continue;
        };
        let who = sentence[..at].trim();
        if who.is_empty() || who.len() > 300 {
            continue;
        }
        let items: Vec<&str> = who
            .split(", ")
            .flat_map(|x| x.split(" och "))
            .map(str::trim)
            .collect();
        let names = items.iter().all(|x| {
            let words = x.split_whitespace().count();
            x.starts_with(char::is_uppercase)
                && (2..=5).contains(&words)
                && x.split_whitespace()
                    .all(|w| w.starts_with(|c: char| c.is_uppercase() || c == '('))
        });
        if names {
            return Some(items.len() as u32);
        }
    }
    None
}

/// "Ledamot   Parti   Ja   Nej   Avstår": the heading row of a vote table.
fn is_vote_table_header(l: &Line) -> bool {
    // Every body line comes here: look before splitting. A table has
    // columns, so wide gaps or tabs.
    if !l.wide {
        return false;
    }
    if !l
        .text
        .as_bytes()
        .windows(2)
        .any(|w| w.eq_ignore_ascii_case(b"ja"))
    {
        return false;
    }
    let c = cells(&l.raw);
    c.len() >= 3
        && c.iter().any(|x| x.eq_ignore_ascii_case("ja"))
        && c.iter().any(|x| x.eq_ignore_ascii_case("nej"))
}

/// A voteringslista being read: its paragraph, the columns of its header,
/// the rows.
struct VoteList {
    paragraph: Option<u32>,
    /// The paragraph was named by the list, not taken from the text around it.
    named: bool,
    line: usize,
    /// Char offsets of the Ja, Nej and Avstår headings, or None for tabs.
    columns: Option<Vec<(usize, &'static str)>>,
    /// With tabs: the cell index of each vote heading, and of the party.
    tab_columns: Vec<(usize, &'static str)>,
    party_column: Option<usize>,
    header_seen: bool,
    /// The header's columns were collapsed to single spaces: which column a
    /// row's mark stands in cannot be told.
    collapsed: bool,
    tabs: bool,
    /// Lines read before the header.
    before_header: usize,
    roll: Vec<RollEntry>,
    rows: usize,
    totals: Option<(u32, u32, u32)>,
    done: bool,
    /// Paragraphs named side by side above the header ("§ 62   § 65"):
    /// one table for several votes, a group of columns each.
    groups: Vec<u32>,
    /// With groups: each vote column's offset, its code and group.
    group_columns: Vec<(usize, &'static str, usize)>,
    group_rolls: Vec<Vec<RollEntry>>,
}

const VOTE_WORDS: [(&str, &str); 4] = [
    ("Ja", "ja"),
    ("Nej", "nej"),
    ("Avstår", "avstar"),
    ("Avstod", "avstar"),
];

fn vote_word(w: &str) -> Option<&'static str> {
    let w = w.trim();
    VOTE_WORDS
        .iter()
        .find(|(word, _)| w.eq_ignore_ascii_case(word) || fold::eq(w, &word.to_lowercase()))
        .map(|(_, code)| *code)
}

impl VoteList {
    fn new(l: &Line, current: Option<u32>) -> VoteList {
        let named = l
            .text
            .find('§')
            .and_then(|at| paragraph_start(&l.text[at..]))
            .map(|(n, _)| n);
        let mut list = VoteList {
            paragraph: named.or(current),
            named: named.is_some(),
            line: l.number,
            columns: None,
            tab_columns: vec![],
            party_column: None,
            header_seen: false,
            collapsed: false,
            tabs: false,
            before_header: 0,
            roll: vec![],
            rows: 0,
            totals: None,
            done: false,
            groups: vec![],
            group_columns: vec![],
            group_rolls: vec![],
        };
        // A whole list run onto its heading's line: its result row is there.
        if l.text.len() > 60
            && let Some(t) = results_in(&l.text)
        {
            list.totals = Some(t);
            list.header_seen = true;
            list.done = true;
        }
        list
    }

    /// Takes a line if it belongs to the list.
    fn read(&mut self, l: &Line, out: &mut ImportedProtocol) -> bool {
        if self.done {
            return false;
        }
        if l.is_blank() {
            return true;
        }
        if !self.header_seen {
            let c = cells(&l.raw);
            let words: Vec<&str> = l.text.split_whitespace().collect();
            let has = |w: &str| {
                c.iter().any(|x| x.eq_ignore_ascii_case(w))
                    || words.iter().any(|x| x.eq_ignore_ascii_case(w))
            };
            if has("ja") && has("nej") {
                self.header_seen = true;
                self.tabs = l.raw.contains('\t');
                if self.tabs {
                    for (i, cell) in l.raw.split('\t').enumerate() {
                        if let Some(code) = vote_word(cell) {
                            self.tab_columns.push((i, code));
                        } else if fold::eq(cell.trim(), "parti") {
                            self.party_column = Some(i);
                        }
                    }
                } else {
                    self.collapsed = !l.raw.trim().contains("  ");
                    let chars: Vec<char> = l.raw.chars().collect();
                    let mut cols = Vec::new();
                    for (word, code) in VOTE_WORDS {
                        if let Some(at) = find_word(&chars, word) {
                            cols.push((at, code));
                        }
                    }
                    self.columns = Some(cols);
                    self.group_columns = grouped_columns(&chars, self.groups.len());
                    if !self.group_columns.is_empty() {
                        self.group_rolls = vec![vec![]; self.groups.len()];
                    }
                }
                // A table run onto one line: its result row is in it.
                if l.text.len() > 60
                    && let Some(t) = results_in(&l.text)
                {
                    self.totals = Some(t);
                    self.done = true;
                }
                return true;
            }
            // "§ 62      § 65" over groups of columns.
            let named_here: Vec<u32> = l
                .text
                .match_indices('§')
                .filter_map(|(at, _)| paragraph_start(&l.text[at..]).map(|(n, _)| n))
                .collect();
            if named_here.len() >= 2 {
                self.groups = named_here;
            }
            // "Ärende: … § 34", the title: part of the list, unless it goes
            // on without a header.
            if !self.named
                && let Some(at) = l.text.find('§')
                && let Some((n, _)) = paragraph_start(&l.text[at..])
            {
                self.paragraph = Some(n);
                self.named = true;
            }
            self.before_header += 1;
            if self.before_header > 4 {
                out.warnings.push(super::Warning {
                    line: self.line,
                    message: "voteringslistan har ingen rubrikrad med Ja och Nej".into(),
                });
                self.done = true;
                return false;
            }
            return true;
        }
        if ["resultat", "summa", "totalt", "summering"]
            .iter()
            .any(|w| fold::starts_with(&l.text, w))
        {
            match results_in(&l.text) {
                Some(t) => self.totals = Some(t),
                None => warn(out, l, "voteringslistans resultatrad saknar siffror"),
            }
            self.done = true;
            return true;
        }
        if !self.group_columns.is_empty() {
            return self.group_row(l);
        }
        match self.row(l) {
            Some(entry) => {
                self.rows += 1;
                if let Some(e) = entry {
                    self.roll.push(e);
                }
                true
            }
            None => false,
        }
    }

    /// A row of the list: Some(Some(entry)) when its vote can be read,
    /// Some(None) for a row whose column was lost, None for no row.
    fn row(&self, l: &Line) -> Option<Option<RollEntry>> {
        let (label, vote, party) = if self.tabs {
            let cols: Vec<&str> = l.raw.split('\t').collect();
            if cols.len() < 2 {
                return None;
            }
            let marked: Vec<usize> = (1..cols.len())
                .filter(|&i| {
                    cols[i].trim().eq_ignore_ascii_case("x") || vote_word(cols[i]).is_some()
                })
                .collect();
            let &at = marked.first()?;
            let code = vote_word(cols[at]).or_else(|| {
                self.tab_columns
                    .iter()
                    .find(|(i, _)| *i == at)
                    .map(|(_, c)| *c)
                    .or_else(|| ["ja", "nej", "avstar"].get(at - 1).copied())
            })?;
            let party = self
                .party_column
                .and_then(|p| cols.get(p))
                .map(|p| p.trim())
                .filter(|p| is_party(p));
            (cols[0].trim().to_string(), code.to_string(), party)
        } else {
            let chars: Vec<char> = l.raw.trim_end().chars().collect();
            // A vote written as a word at the end: "Anna Berg (S)   Ja".
            let last = l.text.rsplit(' ').next().unwrap_or("");
            if let Some(code) = vote_word(last)
                && l.text.len() > last.len()
            {
                let label = l.text[..l.text.len() - last.len()].trim().to_string();
                (label, code.to_string(), None)
            } else {
                let x = chars
                    .iter()
                    .enumerate()
                    .rev()
                    .find(|(i, c)| {
                        c.eq_ignore_ascii_case(&'x')
                            && chars.get(i + 1).is_none_or(|n| n.is_whitespace())
                            && *i > 0
                            && chars[i - 1].is_whitespace()
                    })
                    .map(|(i, _)| i)?;
                let label: String = chars[..x].iter().collect();
                if self.collapsed {
                    // The mark is there, its column is not.
                    return (!label.trim().is_empty()).then_some(None);
                }
                let cols = self.columns.as_ref()?;
                let (_, code) = cols.iter().min_by_key(|(at, _)| at.abs_diff(x))?;
                (label.trim().to_string(), code.to_string(), None)
            }
        };
        if label.is_empty() {
            return None;
        }
        // "Lena Åberg      C": a party column.
        let label = super::people::table_row_as_person(&cells(&label)).unwrap_or(label);
        let p = super::people::parse_person(&label)?;
        Some(Some(RollEntry {
            name: p.name,
            party: p.party.or(party.map(str::to_string)),
            role: p.role,
            vote,
        }))
    }

    /// A row of a table of several votes: a mark in each group's columns.
    fn group_row(&mut self, l: &Line) -> bool {
        let chars: Vec<char> = l.raw.trim_end().chars().collect();
        let marks: Vec<usize> = (1..chars.len())
            .filter(|&i| {
                chars[i].eq_ignore_ascii_case(&'x')
                    && chars[i - 1].is_whitespace()
                    && chars.get(i + 1).is_none_or(|n| n.is_whitespace())
            })
            .collect();
        let Some(&first) = marks.first() else {
            return false;
        };
        let label: String = chars[..first].iter().collect();
        let label = label.trim();
        if label.is_empty() {
            return false;
        }
        let label =
            super::people::table_row_as_person(&cells(label)).unwrap_or_else(|| label.to_string());
        let Some(p) = super::people::parse_person(&label) else {
            return false;
        };
        self.rows += 1;
        for x in marks {
            let Some(&(_, code, group)) = self.group_columns.iter().min_by_key(|c| c.0.abs_diff(x))
            else {
                continue;
            };
            if let Some(roll) = self.group_rolls.get_mut(group) {
                roll.push(RollEntry {
                    name: p.name.clone(),
                    party: p.party.clone(),
                    role: p.role.clone(),
                    vote: code.to_string(),
                });
            }
        }
        true
    }

    fn finish(mut self, out: &mut ImportedProtocol, current: &mut Option<Reader>) {
        if !self.group_rolls.is_empty() {
            let rolls = std::mem::take(&mut self.group_rolls);
            for (n, roll) in self.groups.iter().zip(rolls) {
                VoteList {
                    paragraph: Some(*n),
                    roll,
                    groups: vec![],
                    group_columns: vec![],
                    group_rolls: vec![],
                    totals: None,
                    columns: None,
                    tab_columns: vec![],
                    ..self
                }
                .finish(out, current);
            }
            return;
        }
        let Some(n) = self.paragraph else {
            out.warnings.push(super::Warning {
                line: self.line,
                message: "voteringslista utan paragraf".into(),
            });
            return;
        };
        if self.totals.is_none() && self.rows > self.roll.len() {
            out.warnings.push(super::Warning {
                line: self.line,
                message: format!(
                    "§{n}: voteringslistans kolumner har gått förlorade och den har ingen resultatrad"
                ),
            });
        }
        let count = |v: &str| self.roll.iter().filter(|r| r.vote == v).count() as u32;
        let (ja, nej, avstar) = self
            .totals
            .unwrap_or((count("ja"), count("nej"), count("avstar")));
        if !self.roll.is_empty()
            && (ja, nej, avstar) != (count("ja"), count("nej"), count("avstar"))
        {
            out.warnings.push(super::Warning {
                line: self.line,
                message: format!(
                    "§{n}: voteringslistans resultat ({ja}–{nej}–{avstar}) stämmer inte med raderna"
                ),
            });
        }
        let target = match current.as_mut() {
            Some(r) if r.p.number == n => Some(&mut r.p),
            _ => match out.paragraphs.binary_search_by_key(&n, |p| p.number) {
                Ok(at) => Some(&mut out.paragraphs[at]),
                Err(_) => None,
            },
        };
        let Some(p) = target else {
            out.warnings.push(super::Warning {
                line: self.line,
                message: format!("voteringslista för §{n}, som inte finns"),
            });
            return;
        };
        match p.votes.iter_mut().find(|v| v.roll.is_empty()) {
            Some(v) => {
                v.roll = self.roll;
                v.ja = ja;
                v.nej = nej;
                v.avstar = avstar;
            }
            None => p.votes.push(ImportedVote {
                ja,
                nej,
                avstar,
                wording: vec![],
                roll: self.roll,
            }),
        }
    }
}

/// A header with a group of Ja, Nej (and Avstår) columns for each of
/// `groups` votes: each column's offset, code and group; empty when the
/// header is not so.
fn grouped_columns(chars: &[char], groups: usize) -> Vec<(usize, &'static str, usize)> {
    if groups < 2 {
        return vec![];
    }
    let mut cols: Vec<(usize, &'static str)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if (i == 0 || chars[i - 1].is_whitespace()) && !chars[i].is_whitespace() {
            let end = (i..chars.len())
                .find(|&j| chars[j].is_whitespace())
                .unwrap_or(chars.len());
            let word: String = chars[i..end].iter().collect();
            let code = vote_word(&word).or_else(|| {
                fold::eq_any(word.trim_end_matches('.'), &["avst", "avs"]).then_some("avstar")
            });
            if let Some(code) = code {
                cols.push((i, code));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    if cols.iter().filter(|c| c.1 == "ja").count() != groups {
        return vec![];
    }
    let mut group = 0usize;
    let mut seen_ja = false;
    let mut out = Vec::with_capacity(cols.len());
    for (at, code) in cols {
        if code == "ja" {
            if seen_ja {
                group += 1;
            }
            seen_ja = true;
        }
        out.push((at, code, group));
    }
    out
}

/// The char offset of a whole word in a line.
fn find_word(chars: &[char], word: &str) -> Option<usize> {
    let w: Vec<char> = word.chars().collect();
    (0..chars.len().saturating_sub(w.len() - 1)).find(|&i| {
        chars[i..i + w.len()] == w[..]
            && (i == 0 || chars[i - 1].is_whitespace())
            && chars.get(i + w.len()).is_none_or(|c| c.is_whitespace())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraph_starts_and_case_numbers() {
        assert_eq!(paragraph_start("§13"), Some((13, "")));
        assert_eq!(
            paragraph_start("§ 12 Val av justerare"),
            Some((12, "Val av justerare"))
        );
        assert_eq!(paragraph_start("KS § 45 Budget"), Some((45, "Budget")));
        assert_eq!(paragraph_start("§12. Titel"), Some((12, "Titel")));
        assert_eq!(paragraph_start("§§1-15"), None);
        assert_eq!(paragraph_start("Enligt § 5 kommunallagen"), None);
        assert_eq!(case_number("RS231470").as_deref(), Some("RS231470"));
        assert_eq!(
            case_number("Dnr KS 2023/145").as_deref(),
            Some("KS 2023/145")
        );
        assert_eq!(
            case_number("Diarienummer: KS2023.145").as_deref(),
            Some("KS2023.145")
        );
        assert_eq!(case_number("Beslut"), None);
        assert_eq!(case_number("RS"), None);
        assert_eq!(
            split_title_case("Svar på motion (KS 2023/145)"),
            ("Svar på motion".into(), Some("KS 2023/145".into()))
        );
        assert_eq!(
            split_title_case("Dnr 2009/8 Val av ersättare"),
            ("Val av ersättare".into(), Some("2009/8".into()))
        );
        assert_eq!(
            split_title_case("Dnr KS 2018/14 Budget"),
            ("Budget".into(), Some("KS 2018/14".into()))
        );
    }

    #[test]
    fn run_on_heads_followed_by_a_label_are_no_headings() {
        let text = "Övriga: Britt Kvist förvaltningschef, Lars Tuvesson samordnare § 5 \
                    Justerare: Johan Sköld Justering: kansliet fredag 8 februari kl 10.00 \
                    Paragrafer: 4-10 Underskrifter: Sekreterare Ali Demir";
        assert!(heading_cuts(text, "").is_empty());
        let text = format!("{text} och mer text om annat. § 6 Val av justerare Beslut: …");
        assert_eq!(heading_cuts(&text, "").len(), 1);
    }
    #[test]
    fn headings_with_prefixes_without_the_sign_and_references() {
        let h = |t| heading(t).map(|h| (h.number, h.title, h.prefix, h.sign));
        assert_eq!(
            h("BUN-AU § 5 Skolskjuts"),
            Some((5, "Skolskjuts", "BUN-AU", true))
        );
        assert_eq!(h("KF 39"), Some((39, "", "KF", false)));
        assert_eq!(
            h("Sn 49 Dnr SN 2016/31"),
            Some((49, "Dnr SN 2016/31", "Sn", false))
        );
        assert_eq!(h("Au § 84"), Some((84, "", "Au", true)));
        // The number before the sign, as web pages write it.
        assert_eq!(
            h("58 § Beslut om budget"),
            Some((58, "Beslut om budget", "", true))
        );
        assert_eq!(heading("11 § förbundsordningen"), None);
        assert_eq!(heading("5 §"), None);
        assert_eq!(heading("12 kap. 3 § Lagen"), None);
        // References, statutes and other numbers are no headings.
        for t in [
            "KS § 187, 2016-12-06",
            "KS § 187 2016-12-06",
            "Au § 84/2016",
            "§ 39 kommunallagen",
            "6 kap. 39 § kommunallagen",
            "KF 2024",
            "Bilaga 3",
            "Sida 2",
            "Tel 0565 16000",
            "Kl 13.00",
            "KS 2018/14",
            "Förvaltningen 12",
            "§§ 12-15",
        ] {
            assert_eq!(heading(t), None, "{t}");
        }
    }

    #[test]
    fn case_numbers_wrapped_and_votes_told_in_prose() {
        assert_eq!(
            case_continued("BN/2019:", "104").as_deref(),
            Some("BN/2019:104")
        );
        assert_eq!(
            case_continued("2022/KS", "0255 008").as_deref(),
            Some("2022/KS 0255 008")
        );
        assert_eq!(case_continued("KS/2016:4", "12"), None);
        assert_eq!(case_continued("BN/2019:", "Ansökan"), None);
        assert_eq!(
            totals_in("Med 6 ja-röster mot 2 nej-röster. Inga-Lill Rapp (fp) avstår."),
            Some((6, 2, 1))
        );
        assert_eq!(
            totals_in("Med 5 ja mot 4 nej har nämnden beslutat."),
            Some((5, 4, 0))
        );
        assert_eq!(
            totals_in("Ja röstar A B (S), C D (S) och E F (V). Nej röstar G H (M)."),
            Some((3, 1, 0))
        );
        assert_eq!(abstainers("Ordföranden avstår från att rösta."), None);
        let h = "Ledamot        Ja   Nej  Avst   Ja   Nej  Avst";
        let chars: Vec<char> = h.chars().collect();
        let g = grouped_columns(&chars, 2);
        assert_eq!(g.len(), 6);
        assert_eq!(g[3].2, 1);
        assert!(grouped_columns(&chars, 3).is_empty());
    }

    #[test]
    fn case_numbers_in_the_styles_of_real_protocols() {
        for (text, want) in [
            ("KU.2017.3", "KU.2017.3"),
            ("KS/2011:286", "KS/2011:286"),
            ("Dnr KS 2018/14", "KS 2018/14"),
            ("2011/KS 0206 001", "2011/KS 0206 001"),
            ("Dnr. 2011/KS 0193 10", "2011/KS 0193 10"),
            ("BUN/2016:360", "BUN/2016:360"),
            ("LD13/03336", "LD13/03336"),
            ("Dnr 31/16", "31/16"),
            ("RS231470", "RS231470"),
            ("SN-2017/104", "SN-2017/104"),
            ("Ks 478/2008", "Ks 478/2008"),
            ("Dnr 109-7-2017", "109-7-2017"),
            ("Ärendenummer 2016/BUN 0192 40", "2016/BUN 0192 40"),
        ] {
            assert_eq!(case_number(text).as_deref(), Some(want), "{text}");
        }
        for text in [
            "KS 2018/14 Information",
            "SFS 2009:400",
            "Dnr",
            "Dnr 2016-12-06",
            "Budget 2025/2026",
            "2016-12-06",
        ] {
            assert_eq!(case_number(text), None, "{text}");
        }
        assert_eq!(
            split_title_case("Dnr KS 2018/14 Information"),
            ("Information".into(), Some("KS 2018/14".into()))
        );
        assert_eq!(
            strip_page_reference("Information ......... 3"),
            "Information"
        );
        assert_eq!(strip_page_reference("Information… 3"), "Information");
        assert_eq!(strip_page_reference("Budget 2025"), "Budget 2025");
    }

    #[test]
    fn vote_totals_in_words_digits_labels_and_names() {
        for (text, want) in [
            (
                "Med 31 ja-röster mot 30 nej-röster beslutar fullmäktige",
                (31, 30, 0),
            ),
            (
                "Omröstningen utfaller med 5 röster ja, 4 nej, 2 avstår.",
                (5, 4, 2),
            ),
            (
                "Med två ja-röster mot en nej-röst beslutar utskottet",
                (2, 1, 0),
            ),
            ("med fem ja-röster och fyra nej-röster", (5, 4, 0)),
            ("Ja-röster: 6. Nej-röster: 2. Avstår: 1.", (6, 2, 1)),
            ("Ja-röster 3, nej-röster 2.", (3, 2, 0)),
            ("Ja 5 Nej 4 Avstår 2", (5, 4, 2)),
            (
                "Med 33 ja-röster mot 16 nej-röster. 2 ledamöter avstår.",
                (33, 16, 2),
            ),
            ("Resultat 4 4 0", (4, 4, 0)),
            (
                "Ja: A Ek (S), B Ro (S) och C Al (M) Nej: D Ny (V) Avstår: E Ås (L)",
                (3, 1, 1),
            ),
            (
                "Följande röstar ja: A Ek, B Ro och C Al. Följande röstar nej: D Ny.",
                (3, 1, 0),
            ),
            (
                "fyrtiotre ja-röster mot trettioåtta nej-röster",
                (43, 38, 0),
            ),
        ] {
            assert_eq!(totals_in(text), Some(want), "{text}");
        }
        assert_eq!(totals_in("Ja för bifall, nej för avslag."), None);
    }

    #[test]
    fn abstainers_named_after_the_totals() {
        assert_eq!(
            abstainers_named("2 ja, 2 nej. Tomas Wern avstår. Ordföranden …"),
            1
        );
        assert_eq!(
            abstainers_named("Anna Ek (S) och Bo Ek (M) avstår från att rösta."),
            2
        );
        assert_eq!(abstainers_named("Med 22 ja mot 19 nej. Ingen avstår."), 0);
        assert_eq!(abstainers_named("2 ledamöter avstår."), 0);
    }

    #[test]
    fn who_reserves_themselves() {
        for (text, want) in [
            (
                "Anna Berg (M) och Per Ek (KD) reserverar sig mot beslutet.",
                &["Anna Berg", "Per Ek"][..],
            ),
            (
                "Mot beslutet reserverar sig Jan Vik (L), Tore Lind (M) och Eva Holm (KD) till förmån för motionen.",
                &["Jan Vik", "Tore Lind", "Eva Holm"],
            ),
            (
                "Reservation: Per-Erik Tuna, M, Dan Ring, SD",
                &["Per-Erik Tuna", "Dan Ring"],
            ),
            (
                "Hussein Amiri (S) anmäler reservation mot beslutet.",
                &["Hussein Amiri"],
            ),
            (
                "Socialdemokraternas ledamöter genom Tove Ring (S) och Sten Gran (S) reserverar sig.",
                &["Tove Ring", "Sten Gran"],
            ),
            (
                "Ledamöterna Anna Berg (M) och Per Ek (M) reserverar sig.",
                &["Anna Berg", "Per Ek"],
            ),
        ] {
            assert_eq!(reserving_names(text), want, "{text}");
        }
        assert!(!is_reservation_sentence(
            "Lisa Hjort (S) får anteckna att hon inte reserverar sig."
        ));
    }
}
