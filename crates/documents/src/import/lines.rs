//! Lines as a reader sees them: numbered, with the page furniture, page
//! numbers and running heads removed, hyphenation undone, and text that an
//! extractor glued together (`Organ**§13**Titel`) split again.

/// One line of the input.
#[derive(Debug, Clone)]
pub struct Line {
    /// 1-based number in the input.
    pub number: usize,
    /// As extracted, for reading columns.
    pub raw: String,
    /// Trimmed, runs of whitespace collapsed to one space.
    pub text: String,
    /// The first line of a page (after a form feed or the sign boxes).
    pub page_start: bool,
}

impl Line {
    pub fn is_blank(&self) -> bool {
        self.text.is_empty()
    }
}

/// The cells of a line laid out in columns: split at runs of two or more
/// spaces, or at tabs.
pub fn cells(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut spaces = 0;
    for c in raw.chars() {
        if c == '\t' {
            out.push(std::mem::take(&mut cell));
            spaces = 0;
        } else if c == ' ' || c == '\u{a0}' {
            spaces += 1;
        } else {
            if spaces >= 2 && !cell.is_empty() {
                out.push(std::mem::take(&mut cell));
            } else if spaces == 1 && !cell.is_empty() {
                cell.push(' ');
            }
            spaces = 0;
            cell.push(c);
        }
    }
    out.push(cell);
    out.iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
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

/// The sign boxes printed at the foot of every page.
const FURNITURE: [&str; 6] = [
    "ordförandes sign",
    "justerares sign",
    "justerandes sign",
    "utdragsbestyrkande",
    "sekreterarens sign",
    "ordförandens sign",
];

/// A line made only of sign-box labels ("Ordförandes sign Justerares sign").
fn is_furniture(text: &str) -> bool {
    let mut rest = text.to_lowercase();
    if rest.is_empty() {
        return false;
    }
    let mut found = false;
    loop {
        rest = rest.trim_start_matches([' ', '|', '.']).to_string();
        if rest.is_empty() {
            return found;
        }
        match FURNITURE.iter().find(|f| rest.starts_with(*f)) {
            Some(f) => {
                rest = rest[f.len()..].to_string();
                found = true;
            }
            None => return false,
        }
    }
}

/// A page number laid out beside other text at the end of a line
/// ("ÄLVBY KOMMUN      Sida 1 (6)"): removed, the rest kept. A bare number
/// is left alone (it may be a total in a voteringslista).
fn strip_page_number_cell(raw: &str) -> String {
    let trimmed = raw.trim_end();
    if let Some(at) = trimmed.rfind("  ") {
        let last = trimmed[at..].trim();
        let marked =
            last.contains('(') || last.contains(" av ") || last.to_lowercase().starts_with("sida");
        if marked && is_page_number(last) && !trimmed[..at].trim().is_empty() {
            return trimmed[..at].to_string();
        }
    }
    raw.to_string()
}

/// "3 (17)", "Sida 3 av 17", "3/17", "- 3 -", "3".
pub fn is_page_number(text: &str) -> bool {
    let t = text.trim();
    let t = t
        .strip_prefix("Sida ")
        .or_else(|| t.strip_prefix("sida "))
        .unwrap_or(t);
    let digits = |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
    if digits(t) {
        return true;
    }
    if let Some((a, b)) = t.split_once(" (")
        && let Some(b) = b.strip_suffix(')')
    {
        return digits(a) && digits(b);
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
pub fn prepare(text: &str) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut page_start = true;
    for (i, raw) in text.lines().enumerate() {
        let mut raw = raw.replace('\r', "");
        if raw.contains('\u{c}') {
            raw = raw.replace('\u{c}', "");
            page_start = true;
        }
        // Extracted bold runs glued to their neighbours: split them.
        let pieces: Vec<&str> = if raw.contains("**") {
            raw.split("**").collect()
        } else {
            vec![raw.as_str()]
        };
        for piece in pieces {
            let piece = strip_page_number_cell(piece);
            let piece = piece.as_str();
            let text = collapse(&piece.replace('\u{a0}', " "));
            // Rules drawn with characters ("-----", "=====") carry nothing.
            if text.len() >= 3
                && text
                    .chars()
                    .all(|c| matches!(c, '-' | '=' | '_' | '–' | '—'))
            {
                continue;
            }
            if is_furniture(&text) {
                page_start = true;
                continue;
            }
            lines.push(Line {
                number: i + 1,
                raw: piece.replace('\u{a0}', " "),
                text,
                page_start: page_start && !collapse(piece).is_empty(),
            });
            if !collapse(piece).is_empty() {
                page_start = false;
            }
        }
    }
    join_hyphenated(&mut lines);
    drop_page_numbers(&mut lines);
    drop_running_heads(&mut lines);
    lines
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
                line.text.pop();
                line.text.push_str(&tail);
                let raw = line.raw.trim_end().trim_end_matches('\u{ad}').to_string();
                line.raw = raw + &raw_tail;
                lines.drain(i + 1..=j);
                continue;
            }
        }
        if lines[i].text.contains('\u{ad}') {
            lines[i].text = lines[i].text.replace('\u{ad}', "");
            lines[i].raw = lines[i].raw.replace('\u{ad}', "");
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
            *counts.entry(l.text.as_str()).or_default() += 1;
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
        i <= first_page_end || !heads.contains(&l.text)
    });
}

/// The head is everything before the ärendelista or the first paragraph.
pub fn split_head(lines: &[Line]) -> (&[Line], &[Line]) {
    let at = lines
        .iter()
        .position(|l| {
            super::paragraph::is_agenda_heading(&l.text)
                || super::paragraph::paragraph_start(&l.text).is_some()
        })
        .unwrap_or(lines.len());
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
        assert!(!is_furniture(""));
        for p in ["3 (17)", "Sida 3 av 17", "3/17", "- 3 -", "12"] {
            assert!(is_page_number(p), "{p}");
        }
        for p in ["§ 3", "2025-01-28", "3 ja", "Sida tre"] {
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
            .map(|l| l.text.as_str())
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
