//! Text from a PDF, laid out as the page shows it.
//!
//! pdf_oxide (pure Rust) reads the content streams and gives positioned
//! words; this module puts them back on lines and keeps columns apart: words
//! on the same baseline are one line, a gap wider than a space becomes at
//! least two spaces and the word goes to the text column its x position
//! maps to. That is what the protocol reader's [`super::lines::cells`]
//! expects, so a voteringslista keeps its Ja/Nej/Avstår columns. Pages are
//! separated by form feeds, as `pdftotext -layout` does.

use super::ImportError;

/// One positioned word.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    /// Left edge, points from the page's left.
    x: f32,
    /// Right edge.
    right: f32,
    /// Baseline height, points from the page's bottom (PDF space: up is +).
    y: f32,
    size: f32,
}

/// Where a page's text could not be read.
fn pdf_error(page: Option<usize>, e: impl std::fmt::Display) -> ImportError {
    match page {
        Some(p) => ImportError::Pdf(format!("sidan {}: {e}", p + 1)),
        None => ImportError::Pdf(e.to_string()),
    }
}

/// A PDF starts with `%PDF-` (within its first kilobyte, as readers allow).
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// How much a PDF may ask of the reader in this process. The defaults are
/// far above any protocol (the longest seen are a few hundred pages) and far
/// below what would exhaust a worker.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// Pages in the page tree.
    pub max_pages: usize,
    /// Levels of nested arrays and dictionaries anywhere in the file.
    pub max_nesting: usize,
    /// Nodes in the page tree (pages and their parents).
    pub max_tree_nodes: usize,
    /// Bytes of extracted text.
    pub max_output_bytes: usize,
    /// Checked between pages: a document that takes longer is refused.
    pub deadline: std::time::Duration,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_pages: MAX_PAGES,
            max_nesting: MAX_NESTING,
            max_tree_nodes: MAX_PAGES * 2,
            max_output_bytes: 64 << 20,
            deadline: std::time::Duration::from_secs(60),
        }
    }
}

/// The most pages read from one file.
pub const MAX_PAGES: usize = 5000;
/// The deepest nesting of arrays and dictionaries accepted.
pub const MAX_NESTING: usize = 100;
/// The stack of the thread pdf_oxide runs on.
const PDF_STACK: usize = 64 << 20;

/// Extracts the text of every page, in layout.
///
/// Every input is read or refused in bounded time and output: the nesting
/// of the file's objects and its page tree are checked before pdf_oxide
/// reads them (a cycle or a shared node in the page tree is refused, as is
/// more than [`MAX_PAGES`] pages), a library panic becomes an error, and
/// the text is capped. What no check here can bound (memory of a
/// decompression bomb inside pdf_oxide, a stack overflow hidden in a
/// compressed object stream) is why the CLI and the bulk import read PDFs
/// through [`crate::sandbox::pdf_text_isolated`], in a child process with
/// limits.
pub fn pdf_to_text(bytes: &[u8]) -> Result<String, ImportError> {
    pdf_to_text_limited(bytes, &ReadLimits::default())
}

/// [`pdf_to_text`] with explicit limits.
pub fn pdf_to_text_limited(bytes: &[u8], limits: &ReadLimits) -> Result<String, ImportError> {
    if !looks_like_pdf(bytes) {
        return Err(ImportError::Pdf(
            "filen börjar inte som en PDF (%PDF-)".into(),
        ));
    }
    let depth = nesting_depth(bytes, limits.max_nesting);
    if depth > limits.max_nesting {
        return Err(ImportError::PdfLimit(format!(
            "objekten är nästlade djupare än {} nivåer",
            limits.max_nesting
        )));
    }
    let started = std::time::Instant::now();
    // pdf_oxide is defensive, but a library panic on a hostile file must not
    // take the process down: it becomes an error like any other. It runs on
    // a thread of its own with a large stack, for its recursive parser.
    let owned = bytes.to_vec();
    let limits = *limits;
    let read = move || -> Result<Vec<Vec<Word>>, ImportError> {
        let doc =
            pdf_oxide::document::PdfDocument::from_bytes(owned).map_err(|e| pdf_error(None, e))?;
        let n = count_pages(&doc, &limits)?;
        let mut pages = Vec::with_capacity(n);
        let mut text_bytes = 0usize;
        for p in 0..n {
            if started.elapsed() > limits.deadline {
                return Err(ImportError::PdfTimeout(limits.deadline.as_secs()));
            }
            let page = spans_as_words(doc.extract_spans(p).map_err(|e| pdf_error(Some(p), e))?);
            text_bytes += page.iter().map(|w| w.text.len() + 1).sum::<usize>();
            if text_bytes > limits.max_output_bytes {
                return Err(too_much_text(limits.max_output_bytes));
            }
            pages.push(page);
        }
        Ok(pages)
    };
    let crashed = || ImportError::PdfCrashed("PDF-läsaren avbröts av ett internt fel".into());
    let pages = std::thread::Builder::new()
        .name("pdf".into())
        .stack_size(PDF_STACK)
        .spawn(move || std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)))
        .map_err(|e| ImportError::PdfWorker(e.to_string()))?
        .join()
        .map_err(|_| crashed())?
        .map_err(|_| crashed())??;
    if pages.iter().all(Vec::is_empty) {
        return Err(ImportError::NoText);
    }
    let mut out = String::new();
    for (i, words) in pages.into_iter().enumerate() {
        if i > 0 {
            out.push('\u{c}');
        }
        lay_out_page(words, &mut out);
        if out.len() > limits.max_output_bytes {
            return Err(too_much_text(limits.max_output_bytes));
        }
    }
    Ok(out)
}

/// pdf_oxide's text spans (a run of text as the content stream shows it)
/// as the units the layout places: a span is a word or several with their
/// spaces, at its position. Reading order and word clustering, which
/// `extract_words` adds on top and the layout redoes by position anyway,
/// are most of pdf_oxide's time on a page.
fn spans_as_words(spans: Vec<pdf_oxide::layout::TextSpan>) -> Vec<Word> {
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        let text = span.text.trim_start();
        let lead = span.text.len() - text.len();
        let text = text.trim_end();
        if text.is_empty() {
            continue;
        }
        let (x, right) = if lead > 0 || text.len() < span.text.len() {
            // Spaces at either end: the box shrunk by their share of the
            // width (by characters; spaces are ASCII).
            let chars = span.text.chars().count().max(1) as f32;
            let per = span.bbox.width / chars;
            let tail = span.text.len() - lead - text.len();
            (
                span.bbox.x + per * lead as f32,
                span.bbox.x + span.bbox.width - per * tail as f32,
            )
        } else {
            (span.bbox.x, span.bbox.x + span.bbox.width)
        };
        // A hostile file's positions and sizes can be anything (a font
        // size of 1e38 puts words at infinity): the text is kept, placed
        // where the layout can still handle it.
        let finite = |v: f32| if v.is_finite() { v } else { 0.0 };
        let (x, right) = (finite(x), finite(right));
        out.push(Word {
            text: text.to_string(),
            x,
            right: right.max(x),
            y: finite(span.bbox.y),
            size: if span.font_size > 0.0 && span.font_size <= MAX_FONT_SIZE {
                span.font_size
            } else {
                10.0
            },
        });
    }
    out
}

fn too_much_text(max: usize) -> ImportError {
    ImportError::PdfLimit(format!("mer än {} text", crate::sandbox::size_sv(max)))
}

/// The deepest nesting of `[` and `<<` in the file's objects (strings,
/// comments and stream data skipped), stopping early once past `max`: a
/// linear scan, so that a file nested too deep for pdf_oxide's recursive
/// parser is refused before it is parsed.
fn nesting_depth(bytes: &[u8], max: usize) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut i = 0;
    let n = bytes.len();
    while i < n {
        match bytes[i] {
            b'%' => {
                while i < n && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => {
                // A literal string: balanced parentheses, backslash escapes.
                let mut level = 0usize;
                while i < n {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'(' => level += 1,
                        b')' => {
                            level -= 1;
                            if level == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 1;
            }
            b'<' => {
                // A hex string.
                while i < n && bytes[i] != b'>' {
                    i += 1;
                }
            }
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b's' if bytes[i..].starts_with(b"stream")
                && matches!(bytes.get(i + 6), Some(b'\r' | b'\n'))
                && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) =>
            {
                // Stream data is not objects: on to its end.
                i += 6;
                match find(&bytes[i..], b"endstream") {
                    Some(at) => i += at + 8,
                    None => break,
                }
                // Between objects: a fresh start.
                depth = 0;
            }
            _ => {}
        }
        if depth > deepest {
            deepest = depth;
            if deepest > max {
                break;
            }
        }
        i += 1;
    }
    deepest
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut from = 0;
    while let Some(p) = hay[from..].iter().position(|&b| b == first) {
        let at = from + p;
        if hay[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The number of pages, from a walk of the page tree that visits each node
/// once: a node met twice (a cycle, or a subtree shared, on which
/// pdf_oxide's own walk doubles at every level) or a tree larger than the
/// limits is refused before pdf_oxide walks it.
fn count_pages(
    doc: &pdf_oxide::document::PdfDocument,
    limits: &ReadLimits,
) -> Result<usize, ImportError> {
    use std::collections::HashSet;
    let catalog = doc.catalog().map_err(|e| pdf_error(None, e))?;
    let Some(root) = catalog
        .as_dict()
        .and_then(|d| d.get("Pages"))
        .and_then(|p| p.as_reference())
    else {
        // No page tree to walk: pdf_oxide's own recovery decides.
        return doc.page_count().map_err(|e| pdf_error(None, e));
    };
    let mut seen = HashSet::new();
    let mut stack = vec![root];
    let mut pages = 0usize;
    while let Some(node) = stack.pop() {
        if !seen.insert(node) {
            return Err(ImportError::PdfLimit(
                "sidträdet hänvisar tillbaka till sig självt".into(),
            ));
        }
        if seen.len() > limits.max_tree_nodes {
            return Err(too_many_pages(limits.max_pages));
        }
        let Ok(object) = doc.load_object(node) else {
            continue;
        };
        let kids = object
            .as_dict()
            .and_then(|d| d.get("Kids"))
            .and_then(|k| k.as_array());
        match kids {
            Some(kids) => stack.extend(kids.iter().rev().filter_map(|k| k.as_reference())),
            None => {
                pages += 1;
                if pages > limits.max_pages {
                    return Err(too_many_pages(limits.max_pages));
                }
            }
        }
    }
    // pdf_oxide counts by its own rules (leaves typed /Page); never more
    // than the walk found.
    let counted = doc.page_count().map_err(|e| pdf_error(None, e))?;
    Ok(counted.min(pages))
}

fn too_many_pages(max: usize) -> ImportError {
    ImportError::PdfLimit(format!("fler än {max} sidor"))
}

/// Points per text column: the page's mean glyph width, so that a column
/// of X marks under "Nej" lands under "Nej".
fn column_width(words: &[Word]) -> f32 {
    let (w, n) = words.iter().fold((0.0f32, 0usize), |(w, n), word| {
        (
            w + (word.right - word.x).max(0.0),
            n + word.text.chars().count(),
        )
    });
    if n == 0 || w <= 0.0 {
        5.0
    } else {
        (w / n as f32).clamp(2.0, 20.0)
    }
}

/// Larger than any type a protocol is set in; beyond it a size is damage.
const MAX_FONT_SIZE: f32 = 1000.0;

/// The widest line the layout writes, in characters: a word placed further
/// right (a position far off the page) starts there.
const MAX_COLUMN: usize = 400;

fn lay_out_page(mut words: Vec<Word>, out: &mut String) {
    if words.is_empty() {
        return;
    }
    let col = column_width(&words);
    let left = words.iter().map(|w| w.x).fold(f32::INFINITY, f32::min);
    // Top to bottom, then left to right.
    words.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<(f32, f32, Vec<Word>)> = Vec::new();
    for w in words {
        match lines.last_mut() {
            Some((y, size, line)) if (*y - w.y).abs() <= 0.45 * size.min(w.size) => line.push(w),
            _ => lines.push((w.y, w.size, vec![w])),
        }
    }
    let mut previous: Option<(f32, f32)> = None;
    for (y, size, mut line) in lines {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
        if let Some((py, psize)) = previous {
            // A gap of more than about one and a half lines is a blank line.
            if py - y > 1.9 * psize.max(size) {
                out.push('\n');
            }
        }
        previous = Some((y, size));
        let mut text = String::new();
        let mut end: Option<f32> = None;
        for w in &line {
            let target = (((w.x - left) / col).round().max(0.0) as usize).min(MAX_COLUMN);
            let len = text.chars().count();
            match end {
                None => text.extend(std::iter::repeat_n(' ', target)),
                // A hyphen glyph at a line break, or a word split in two
                // without any gap: part of the word before.
                Some(e) if w.text.starts_with('\u{ad}') || w.x - e < 0.05 * w.size => {}
                // A normal word space (justified lines stretch it a little).
                Some(e) if w.x - e < 0.7 * w.size => text.push(' '),
                Some(_) => {
                    let pad = target.saturating_sub(len).clamp(2, MAX_COLUMN);
                    text.extend(std::iter::repeat_n(' ', pad));
                }
            }
            text.push_str(&w.text);
            end = Some(w.right);
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, x: f32, y: f32) -> Word {
        Word {
            text: text.into(),
            x,
            right: x + 5.0 * text.chars().count() as f32,
            y,
            size: 10.0,
        }
    }

    #[test]
    fn columns_stay_apart_and_lines_follow_the_baseline() {
        let words = vec![
            word("Nej", 300.0, 700.0),
            word("Ledamot", 50.0, 700.3),
            word("Ja", 250.0, 700.0),
            word("Anna", 50.0, 685.0),
            word("Berg", 75.5, 685.0),
            word("X", 300.0, 685.2),
            word("Nästa", 50.0, 640.0),
        ];
        let mut out = String::new();
        lay_out_page(words, &mut out);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert!(lines[0].starts_with("Ledamot"), "{out}");
        let nej = lines[0].find("Nej").unwrap();
        assert_eq!(lines[1].find('X'), Some(nej), "{out}");
        assert!(lines[1].starts_with("Anna Berg  "), "{out}");
        assert_eq!(lines[2], "", "a wide vertical gap is a blank line");
        assert_eq!(lines[3], "Nästa");
    }

    #[test]
    fn what_is_not_a_pdf_is_refused_with_a_reason() {
        let e = pdf_to_text(b"hello").unwrap_err();
        assert!(e.to_string().contains("%PDF-"), "{e}");
        let e = pdf_to_text(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog").unwrap_err();
        assert!(matches!(e, ImportError::Pdf(_)), "{e}");
    }
}
