//! Lines as a reader sees them: numbered, with the page furniture, page
//! numbers and running heads removed, hyphenation undone, and text that an
//! extractor glued together (`Organ**§13**Titel`) split again.

use std::borrow::Cow;

/// One line of the input. Both texts borrow from the input unless a
/// step changed them: most lines of a protocol need no change, and not
/// copying them is what keeps the reader near the speed of splitting lines.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    /// 1-based number in the input.
    pub number: usize,
    /// As extracted, for reading columns.
    pub raw: Cow<'a, str>,
    /// Trimmed, runs of whitespace collapsed to one space.
    pub text: Cow<'a, str>,
    /// The first line of a page (after a form feed or the sign boxes).
    pub page_start: bool,
    /// Laid out in columns: a wide gap or a tab after the indentation.
    pub wide: bool,
}

impl Line<'_> {
    pub fn is_blank(&self) -> bool {
        self.text.is_empty()
    }
}

/// The cells of a line laid out in columns: split at runs of two or more
/// spaces, or at tabs. Slices of `raw` (whose no-break spaces [`prepare`]
/// has made plain).
pub fn cells(raw: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for part in raw.split('\t') {
        let b = part.as_bytes();
        let (mut start, mut i) = (0, 0);
        while i < b.len() {
            if b[i] == b' ' && b.get(i + 1) == Some(&b' ') {
                out.push(part[start..i].trim());
                while i < b.len() && b[i] == b' ' {
                    i += 1;
                }
                start = i;
            } else {
                i += 1;
            }
        }
        out.push(part[start..].trim());
    }
    out.retain(|c| !c.is_empty());
    out
}

/// `s.trim()`, answered from the ends' bytes when they are plain ASCII (as
/// for most lines, which [`prepare`] has trimmed already): the general trim
/// decodes characters from both ends.
#[inline]
pub fn trim(s: &str) -> &str {
    let plain = |b: u8| b > b' ' && b < 0x80;
    match s.as_bytes() {
        [first, .., last] if plain(*first) && plain(*last) => s,
        [only] if plain(*only) => s,
        _ => s.trim(),
    }
}

/// `s.trim_matches(' ')` by bytes.
#[inline]
fn trim_spaces(s: &str) -> &str {
    let b = s.as_bytes();
    let start = b.iter().position(|&c| c != b' ').unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|&c| c != b' ')
        .map_or(start, |at| at + 1);
    &s[start..end]
}

/// Where spaces stand in `s`, as byte offsets: `s.match_indices(' ')`
/// without a searcher's setup for each of them.
pub fn spaces(s: &str) -> impl Iterator<Item = usize> + '_ {
    s.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b' ')
        .map(|(at, _)| at)
}

pub fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

use super::fold;

/// The sign boxes printed at the foot of every page.
const FURNITURE: [&str; 6] = [
    "ordförandes sign",
    "justerares sign",
    "justerandes sign",
    "utdragsbestyrkande",
    "sekreterarens sign",
    "ordförandens sign",
];

/// Kansli's mark of a draft, in the head of every page
/// (`kansli_core::publication::PROTOCOL_DRAFT`): not part of the protocol.
fn is_draft_mark(text: &str) -> bool {
    // The fold's patterns are in lower case.
    const MARK: &str = "utkast – protokollet är inte justerat";
    debug_assert_eq!(
        MARK,
        kansli_core::publication::PROTOCOL_DRAFT.to_lowercase()
    );
    fold::strip_prefix(text.trim(), MARK).is_some_and(|rest| rest.trim().is_empty())
}

/// A line made only of sign-box labels ("Ordförandes sign Justerares sign").
fn is_furniture(text: &str) -> bool {
    let mut rest = text;
    let mut found = false;
    loop {
        rest = rest.trim_start_matches([' ', '|', '.']);
        if rest.is_empty() {
            return found;
        }
        match FURNITURE.iter().find_map(|f| fold::strip_prefix(rest, f)) {
            Some(after) => {
                rest = after;
                found = true;
            }
            None => return false,
        }
    }
}

/// A page number laid out beside other text at the end of a line
/// ("ÄLVBY KOMMUN      Sida 1 (6)"): removed, the rest kept. A bare number
/// is left alone (it may be a total in a voteringslista).
fn strip_page_number_cell(raw: &str) -> &str {
    let trimmed = raw.trim_end();
    if let Some(at) = trimmed.rfind("  ") {
        let last = trimmed[at..].trim();
        let marked = last.contains('(') || last.contains(" av ") || fold::starts_with(last, "sida");
        if marked && is_page_number(last) && !trimmed[..at].trim().is_empty() {
            return &trimmed[..at];
        }
    }
    raw
}

/// "3 (17)", "3(17)", "Sida 3 av 17", "Sidan 3(17)", "3/17", "- 3 -", "[3-17]",
/// "[3]", "(17)", "3".
pub fn is_page_number(text: &str) -> bool {
    let t = trim(text);
    if t.len() > 20
        || !t.starts_with(|c: char| c.is_ascii_digit() || matches!(c, 'S' | 's' | '-' | '[' | '('))
    {
        return false;
    }
    let t = ["Sidan ", "sidan ", "Sida ", "sida ", "Sid ", "sid "]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .unwrap_or(t)
        .trim();
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
    if digits(t) {
        return true;
    }
    // "[3-17]", "[3]", "(17)": the page or the count in brackets.
    if let Some(inner) = t
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .or_else(|| t.strip_prefix('(').and_then(|x| x.strip_suffix(')')))
    {
        return match inner.split_once(['-', '/']) {
            Some((a, b)) => digits(a.trim()) && digits(b.trim()),
            None => digits(inner.trim()),
        };
    }
    if let Some((a, b)) = t.split_once('(')
        && let Some(b) = b.strip_suffix(')')
    {
        return digits(a.trim()) && digits(b.trim());
    }
    if let Some((a, b)) = t.split_once(" av ") {
        return digits(a) && digits(b);
    }
    if let Some((a, b)) = t.split_once('/') {
        return digits(a) && digits(b);
    }
    if let Some(x) = t.strip_prefix("- ").and_then(|x| x.strip_suffix(" -")) {
        return digits(x);
    }
    false
}

/// Splits the input into lines and removes what a page adds.
pub fn prepare(text: &str) -> Vec<Line<'_>> {
    let mut lines: Vec<Line> = Vec::with_capacity(text.len() / 40);
    let mut page_start = true;
    for (i, raw) in text.lines().enumerate() {
        if plain(raw) {
            push_line(
                &mut lines,
                i + 1,
                Cow::Borrowed(raw),
                Cow::Borrowed(trim_spaces(raw)),
                false,
                &mut page_start,
            );
            continue;
        }
        let mut raw = Cow::Borrowed(raw);
        if raw.contains(['\r', '\u{c}']) {
            page_start |= raw.contains('\u{c}');
            raw = Cow::Owned(raw.replace(['\r', '\u{c}'], ""));
        }
        if !raw.contains("**") {
            push_piece(&mut lines, i + 1, raw, &mut page_start);
            continue;
        }
        // Extracted bold runs glued to their neighbours: split them.
        for piece in raw.split("**") {
            push_piece(
                &mut lines,
                i + 1,
                Cow::Owned(piece.to_string()),
                &mut page_start,
            );
        }
    }
    if text.contains('\u{ad}') {
        join_hyphenated(&mut lines);
    }
    drop_page_numbers(&mut lines);
    drop_running_heads(&mut lines);
    strip_run_on_heads(&mut lines);
    if let Some(split) = super::paragraph::split_run_on(&lines) {
        lines = split;
    }
    lines
}

/// Whether a line needs more than trimming to be read: carriage returns,
/// form feeds, glued bold (`**`), wide gaps, tabs, no-break spaces, soft
/// hyphens or other Unicode spaces. One pass over the bytes; most lines of
/// prose need nothing.
fn plain(line: &str) -> bool {
    let t = trim_spaces(line);
    let b = t.as_bytes();
    // Bytes that need a closer look: controls, '*' and the lead bytes
    // above. Most lines have none but 'å', 'ä', 'ö' (lead byte 0xC3).
    // And two spaces in a row, in the same pass.
    let (mut look, mut gap, mut space) = (false, false, false);
    for &c in b {
        look |= (c < b' ') | (c == b'*') | (c == 0xc2) | ((0xe1..=0xe3).contains(&c));
        gap |= space & (c == b' ');
        space = c == b' ';
    }
    if gap {
        return false;
    }
    if !look {
        return true;
    }
    if t.contains("**") {
        return false;
    }
    for (i, &c) in b.iter().enumerate() {
        let next = |k: usize| b.get(i + k).copied().unwrap_or(0);
        let special = match c {
            b'\r' | b'\t' | 0x0b | 0x0c => true,
            // U+0085, U+00A0 (no-break space), U+00AD (soft hyphen).
            0xc2 => matches!(next(1), 0x85 | 0xa0 | 0xad),
            // U+1680.
            0xe1 => next(1) == 0x9a && next(2) == 0x80,
            // U+2000–U+200A, U+2028, U+2029, U+202F, U+205F.
            0xe2 => matches!(
                (next(1), next(2)),
                (0x80, 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf) | (0x81, 0x9f)
            ),
            // U+3000.
            0xe3 => next(1) == 0x80 && next(2) == 0x80,
            _ => false,
        };
        if special {
            return false;
        }
    }
    true
}

/// One piece of an input line, unless it is page furniture or a rule.
fn push_piece<'a>(
    lines: &mut Vec<Line<'a>>,
    number: usize,
    raw: Cow<'a, str>,
    page_start: &mut bool,
) {
    let raw = match raw {
        Cow::Borrowed(r) => Cow::Borrowed(strip_page_number_cell(r)),
        Cow::Owned(r) => Cow::Owned(strip_page_number_cell(&r).to_string()),
    };
    let raw = if raw.contains('\u{a0}') {
        Cow::Owned(raw.replace('\u{a0}', " "))
    } else {
        raw
    };
    // Not plain: collapsing will change it.
    let text = Cow::Owned(collapse(&raw));
    push_line(lines, number, raw, text, true, page_start);
}

fn push_line<'a>(
    lines: &mut Vec<Line<'a>>,
    number: usize,
    raw: Cow<'a, str>,
    text: Cow<'a, str>,
    wide: bool,
    page_start: &mut bool,
) {
    // Rules drawn with characters ("-----", "=====") carry nothing.
    if text.len() >= 3
        && text.starts_with(['-', '=', '_', '–', '—'])
        && text
            .chars()
            .all(|c| matches!(c, '-' | '=' | '_' | '–' | '—'))
    {
        return;
    }
    if text.starts_with(['O', 'o', 'J', 'j', 'U', 'u', 'S', 's', '|', '.']) && is_furniture(&text) {
        *page_start = true;
        return;
    }
    // The mark is in the page head: the page has already started.
    if text.starts_with(['U', 'u']) && is_draft_mark(&text) {
        return;
    }
    let blank = text.is_empty();
    let wide = wide && {
        let inner = raw.trim_start();
        inner.contains("  ") || inner.contains('\t')
    };
    lines.push(Line {
        number,
        raw,
        text,
        page_start: *page_start && !blank,
        wide,
    });
    if !blank {
        *page_start = false;
    }
}

/// A soft hyphen at the end of a line joins it with the next.
fn join_hyphenated(lines: &mut Vec<Line>) {
    let mut i = 0;
    while i < lines.len() {
        if lines[i].text.ends_with('\u{ad}') {
            let next = (i + 1..lines.len()).find(|&j| !lines[j].is_blank());
            if let Some(j) = next {
                let tail = lines[j].text.clone();
                let raw_tail = lines[j].raw.trim_start().to_string();
                let line = &mut lines[i];
                let text = line.text.to_mut();
                text.pop();
                text.push_str(&tail);
                let raw = line.raw.trim_end().trim_end_matches('\u{ad}').to_string();
                line.raw = Cow::Owned(raw + &raw_tail);
                lines.drain(i + 1..=j);
                continue;
            }
        }
        if lines[i].text.contains('\u{ad}') {
            lines[i].text = Cow::Owned(lines[i].text.replace('\u{ad}', ""));
            lines[i].raw = Cow::Owned(lines[i].raw.replace('\u{ad}', ""));
        }
        i += 1;
    }
}

/// Page numbers stand alone just before a page ends or after it starts.
fn drop_page_numbers(lines: &mut Vec<Line>) {
    let n = lines.len();
    let mut keep = vec![true; n];
    for i in 0..n {
        if !is_page_number(&lines[i].text) {
            continue;
        }
        let next = (i + 1..n).find(|&j| !lines[j].is_blank());
        let before_page = next.is_none_or(|j| lines[j].page_start);
        if lines[i].page_start || before_page {
            keep[i] = false;
            if lines[i].page_start
                && let Some(j) = next
            {
                lines[j].page_start = true;
            }
        }
    }
    let mut k = keep.iter();
    lines.retain(|_| *k.next().unwrap());
}

/// Headings a running head can never be.
fn could_be_running_head(text: &str) -> bool {
    !(text.starts_with('§')
        || text.starts_with('-')
        || text.starts_with('–')
        || super::paragraph::heading_of(text).is_some()
        || text.starts_with("Voteringslista"))
}

/// Lines that open two or more pages (organ, "PROTOKOLL", the date) are
/// running heads. They are dropped wherever they stand alone after the first
/// page: extractors do not always mark where a page begins.
fn drop_running_heads(lines: &mut Vec<Line>) {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut first_page_end = lines.len();
    let mut pages = 0;
    let mut taken = 0;
    for (i, l) in lines.iter().enumerate() {
        if l.page_start {
            pages += 1;
            taken = 0;
            if pages == 2 {
                first_page_end = i;
            }
        }
        if taken < 3 && !l.is_blank() {
            taken += 1;
            *counts.entry(&*l.text).or_default() += 1;
        }
    }
    let heads: std::collections::HashSet<String> = counts
        .into_iter()
        .filter(|(t, n)| *n >= 2 && could_be_running_head(t))
        .map(|(t, _)| t.to_string())
        .collect();
    let mut i = 0;
    lines.retain(|l| {
        i += 1;
        i <= first_page_end || !heads.contains(&*l.text)
    });
}

/// The words a run-on page opens with: its page number, if any, and then
/// the running head ("2 HALLSJÖ KOMMUN Kommunfullmäktige
/// SAMMANTRÄDESPROTOKOLL Sida (12) KF 23 Val av justerare …"). When three
/// or more lines open with the same three words or more, those words (and
/// the number) are cut from every such line but the first, whose head the
/// protocol's head is read from; what follows starts a page.
fn strip_run_on_heads(lines: &mut [Line]) {
    const WORDS: usize = 3;
    // The words after a leading page number.
    fn page_number(t: &str) -> Option<u32> {
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        if (1..=3).contains(&digits) && t[digits..].starts_with(' ') {
            t[..digits].parse().ok()
        } else {
            None
        }
    }
    fn after_number(t: &str) -> &str {
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        t[digits..].trim_start()
    }
    // Only lines that open with a page number: prose may well open three
    // lines with the same words.
    fn key(t: &str) -> Option<&str> {
        page_number(t)?;
        let t = after_number(t);
        let end = spaces(t).nth(WORDS - 1)?;
        Some(&t[..end])
    }
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for l in lines.iter().filter(|l| l.text.len() > 60) {
        if let Some(k) = key(&l.text) {
            *counts.entry(k).or_default() += 1;
        }
    }
    let Some(head) = counts
        .into_iter()
        .filter(|(_, n)| *n >= 3)
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(k, _)| k.to_string())
    else {
        return;
    };
    let with = |l: &Line| l.text.len() > 60 && key(&l.text) == Some(head.as_str());
    // The longest run of words all those lines open with.
    let mut common: Option<String> = None;
    for l in lines.iter().filter(|l| with(l)) {
        let t = after_number(&l.text);
        common = Some(match common {
            None => t.to_string(),
            Some(c) => {
                let mut end = 0;
                for ((a, wa), wb) in c
                    .match_indices(' ')
                    .map(|(at, _)| at)
                    .chain(std::iter::once(c.len()))
                    .zip(c.split(' '))
                    .zip(t.split(' '))
                {
                    if wa != wb {
                        break;
                    }
                    end = a;
                }
                c[..end].to_string()
            }
        });
    }
    let Some(mut common) = common else { return };
    // Pages that all open with a heading ("KF 23", "KF 24"): its
    // abbreviation stays on the line.
    for _ in 0..3 {
        let numbered = lines.iter().filter(|l| with(l)).any(|l| {
            after_number(&l.text)[common.len()..]
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit() || c == '§')
        });
        match common.rfind(' ') {
            Some(at) if numbered => common.truncate(at),
            _ => break,
        }
    }
    if common.split(' ').count() < WORDS {
        return;
    }
    // Page numbers go up.
    let mut last = 0;
    for l in lines.iter().filter(|l| with(l)) {
        let n = page_number(&l.text).unwrap_or(0);
        if n <= last {
            return;
        }
        last = n;
    }
    let mut first = true;
    for l in lines.iter_mut() {
        if !with(l) {
            continue;
        }
        if std::mem::take(&mut first) {
            continue;
        }
        let rest = after_number(&l.text)[common.len()..].trim().to_string();
        l.text = Cow::Owned(rest);
        l.page_start = true;
    }
}

/// The head is everything before the ärendelista or the first paragraph.
pub fn split_head<'l, 'a>(lines: &'l [Line<'a>]) -> (&'l [Line<'a>], &'l [Line<'a>]) {
    let at = lines
        .iter()
        .position(|l| {
            super::paragraph::is_agenda_heading(&l.text)
                || super::paragraph::paragraph_start(&l.text).is_some()
        })
        .unwrap_or(lines.len());
    let at = super::paragraph::with_case_above(lines, at);
    lines.split_at(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture_and_page_numbers_are_recognised() {
        assert!(is_furniture("Ordförandes sign"));
        assert!(is_furniture(
            "Ordförandes sign   Justerares sign   Utdragsbestyrkande"
        ));
        assert!(!is_furniture("Ordförandes sign fattas"));
        assert!(is_draft_mark(kansli_core::publication::PROTOCOL_DRAFT));
        assert!(is_draft_mark("   utkast – protokollet är inte justerat "));
        assert!(!is_draft_mark("Utkast till beslut"));
        assert!(!is_furniture(""));
        for p in [
            "3 (17)",
            "3(17)",
            "Sida 3 av 17",
            "Sidan 1(30)",
            "3/17",
            "- 3 -",
            "12",
            "[1-5]",
            "[36]",
            "(28)",
        ] {
            assert!(is_page_number(p), "{p}");
        }
        for p in ["§ 3", "2025-01-28", "3 ja", "Sida tre", "(S)", "[x]"] {
            assert!(!is_page_number(p), "{p}");
        }
    }

    #[test]
    fn glued_bold_is_split_and_heads_and_numbers_dropped() {
        let text = "Organet\n\nPlats och tid X\n\nOrdförandes sign\n\nOrganet**§1****Titel**\nBeslut\n\n1 (2)\n\u{c}Organet\nfort\u{ad}\nsättning\n";
        let lines = prepare(text);
        let texts: Vec<&str> = lines
            .iter()
            .filter(|l| !l.is_blank())
            .map(|l| &*l.text)
            .collect();
        assert_eq!(
            texts,
            [
                "Organet",
                "Plats och tid X",
                "§1",
                "Titel",
                "Beslut",
                "fortsättning"
            ]
        );
    }

    #[test]
    fn run_on_pages_lose_their_page_number_and_running_head() {
        let head = "HALLSTA KOMMUN Kommunfullmäktige SAMMANTRÄDESPROTOKOLL Sida (9)";
        let text = format!(
            "1 {head} Plats och tid Rådhuset, måndagen den 2 mars 2009\n\n\
             2 {head} KF 23 Val av justerare Kommunfullmäktiges beslut Att utse Per Ek.\n\n\
             3 {head} KF 24 Dnr 2009/12 Årsredovisning 2008 för kommunen och bolagen\n"
        );
        let lines = prepare(&text);
        let texts: Vec<&str> = lines
            .iter()
            .filter(|l| !l.is_blank())
            .map(|l| &*l.text)
            .collect();
        assert!(texts[0].starts_with("1 HALLSTA KOMMUN"), "{texts:?}");
        assert!(texts[1].starts_with("KF 23 Val av justerare"), "{texts:?}");
        assert!(texts[2].starts_with("KF 24 Dnr 2009/12"), "{texts:?}");
        // Every page opening with a heading keeps the heading whole.
        let text = format!(
            "1 {head} KF 22 Upprop och närvaro vid dagens sammanträde i salen\n\
             2 {head} KF 23 Val av justerare Kommunfullmäktiges beslut Att utse Per Ek.\n\
             3 {head} KF 24 Dnr 2009/12 Årsredovisning 2008 för kommunen och bolagen\n"
        );
        let lines = prepare(&text);
        assert!(
            lines[1].text.starts_with("KF 23 Val"),
            "{:?}",
            lines[1].text
        );
        // Prose opening lines with the same words keeps them.
        let prose =
            "Kommunstyrelsen föreslår fullmäktige att anta planen för åren som kommer nu.\n";
        let prose = prose.repeat(3);
        let lines = prepare(&prose);
        assert!(lines.iter().all(|l| l.text.starts_with("Kommunstyrelsen")));
    }

    #[test]
    fn plain_lines_are_those_trimming_reads() {
        for line in ["  § 12 Svar på «motion» – om … ", "Beslut", ""] {
            assert!(plain(line), "{line:?}");
            assert_eq!(collapse(line), line.trim_matches(' '));
        }
        for line in [
            "a  b",
            "a\tb",
            "a\u{a0}b",
            "fort\u{ad}",
            "a\u{2003}b",
            "a\u{3000}b",
            "x\r",
            "**§1**",
        ] {
            assert!(!plain(line), "{line:?}");
        }
    }

    #[test]
    fn cells_split_at_wide_gaps_and_tabs() {
        assert_eq!(
            cells("Regionstyrelsens arbetsutskott      PROTOKOLL"),
            ["Regionstyrelsens arbetsutskott", "PROTOKOLL"]
        );
        assert_eq!(
            cells("Per Persson (S), ledamot\t\tX\t"),
            ["Per Persson (S), ledamot", "X"]
        );
    }
}
