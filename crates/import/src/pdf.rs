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

/// Extracts the text of every page, in layout.
pub fn pdf_to_text(bytes: &[u8]) -> Result<String, ImportError> {
    if !looks_like_pdf(bytes) {
        return Err(ImportError::Pdf(
            "filen börjar inte som en PDF (%PDF-)".into(),
        ));
    }
    // pdf_oxide is defensive, but a library panic on a hostile file must not
    // take the process down: it becomes an error like any other.
    let owned = bytes.to_vec();
    let pages = std::panic::catch_unwind(move || -> Result<Vec<Vec<Word>>, ImportError> {
        let doc =
            pdf_oxide::document::PdfDocument::from_bytes(owned).map_err(|e| pdf_error(None, e))?;
        let n = doc.page_count().map_err(|e| pdf_error(None, e))?;
        let mut pages = Vec::with_capacity(n);
        for p in 0..n {
            let words = doc.extract_words(p).map_err(|e| pdf_error(Some(p), e))?;
            pages.push(
                words
                    .into_iter()
                    .filter(|w| !w.text.trim().is_empty())
                    .map(|w| Word {
                        text: w.text.trim().to_string(),
                        x: w.bbox.x,
                        right: w.bbox.x + w.bbox.width,
                        y: w.bbox.y,
                        size: if w.avg_font_size > 0.0 {
                            w.avg_font_size
                        } else {
                            10.0
                        },
                    })
                    .collect(),
            );
        }
        Ok(pages)
    })
    .map_err(|_| ImportError::Pdf("PDF-filen är trasig och kunde inte läsas".into()))??;
    if pages.iter().all(Vec::is_empty) {
        return Err(ImportError::Pdf(
            "PDF-filen innehåller ingen text (en inskannad bild behöver tolkas med OCR först)"
                .into(),
        ));
    }
    let mut out = String::new();
    for (i, words) in pages.into_iter().enumerate() {
        if i > 0 {
            out.push('\u{c}');
        }
        lay_out_page(words, &mut out);
    }
    Ok(out)
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
            let target = ((w.x - left) / col).round().max(0.0) as usize;
            let len = text.chars().count();
            match end {
                None => text.extend(std::iter::repeat_n(' ', target)),
                // A hyphen glyph at a line break, or a word split in two
                // without any gap: part of the word before.
                Some(e) if w.text.starts_with('\u{ad}') || w.x - e < 0.05 * w.size => {}
                // A normal word space (justified lines stretch it a little).
                Some(e) if w.x - e < 0.7 * w.size => text.push(' '),
                Some(_) => {
                    let pad = target.saturating_sub(len).max(2);
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
