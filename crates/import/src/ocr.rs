//! Scanned protocols: a PDF whose pages are pictures is rendered with
//! poppler's `pdftoppm` (300 dpi, grey) and read with Tesseract's Swedish
//! model, each as a child process with a deadline, killed when it passes it
//! or when the run is stopped. Without the programs (Debian: poppler-utils,
//! tesseract-ocr, tesseract-ocr-swe) [`Ocr::detect`] finds nothing and such
//! files are reported as needing OCR.
//!
//! Tesseract reads the paragraph sign `§` as `&`, `$` or `8` often enough
//! that the reader would find no paragraphs; [`repair`] puts it back where
//! the shape of the line leaves no doubt (a heading `& 33`, a range `8 34-37`
//! after a name's party or after «Paragrafer»).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The OCR programs found on this machine.
#[derive(Debug, Clone)]
pub struct Ocr {
    pub pdftoppm: PathBuf,
    pub tesseract: PathBuf,
    /// Tesseract's language ("swe").
    pub language: String,
    /// Resolution the pages are rendered at.
    pub dpi: u32,
    /// For one file, rendering and reading all its pages.
    pub deadline: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error("PDF-filen kunde inte heller återges som bild ({0})")]
    Render(String),
    #[error("Tesseract kunde inte läsa sidan {page} ({reason})")]
    Read { page: usize, reason: String },
    #[error("OCR-läsningen tog längre tid än {0} s och avbröts")]
    Deadline(u64),
    #[error("OCR-läsningen avbröts")]
    Stopped,
    #[error("OCR: {0}")]
    Io(String),
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

impl Ocr {
    /// The programs, when `pdftoppm` and `tesseract` are on PATH and
    /// Tesseract has the Swedish model.
    pub fn detect() -> Option<Ocr> {
        let pdftoppm = find_in_path("pdftoppm")?;
        let tesseract = find_in_path("tesseract")?;
        let out = Command::new(&tesseract)
            .arg("--list-langs")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        let langs = String::from_utf8_lossy(&out.stdout);
        if !langs.lines().any(|l| l.trim() == "swe") {
            return None;
        }
        Some(Ocr {
            pdftoppm,
            tesseract,
            language: "swe".into(),
            dpi: 300,
            deadline: Duration::from_secs(600),
        })
    }

    /// The text of a scanned PDF, page after page.
    pub fn read_pdf(&self, pdf: &[u8], stop: &AtomicBool) -> Result<String, OcrError> {
        let io = |e: std::io::Error| OcrError::Io(e.to_string());
        let deadline = Instant::now() + self.deadline;
        let dir = tempfile::Builder::new()
            .prefix("kansli-ocr-")
            .tempdir()
            .map_err(io)?;
        let input = dir.path().join("skannad.pdf");
        std::fs::write(&input, pdf).map_err(io)?;
        let prefix = dir.path().join("sida");
        let mut render = Command::new(&self.pdftoppm);
        render
            .arg("-r")
            .arg(self.dpi.to_string())
            .args(["-gray", "-png"])
            .arg(&input)
            .arg(&prefix);
        run(&mut render, deadline, self.deadline, stop).map_err(|e| match e {
            Run::Failed(reason) => OcrError::Render(reason),
            Run::Other(e) => e,
        })?;
        let pages = pages(dir.path())?;
        if pages.is_empty() {
            return Err(OcrError::Render("inga sidor".into()));
        }
        let mut text = String::new();
        for (n, image) in pages.iter().enumerate() {
            let out = dir.path().join(format!("sida-{n}.txt"));
            let file = std::fs::File::create(&out).map_err(io)?;
            let mut read = Command::new(&self.tesseract);
            read.arg(image)
                .arg("stdout")
                .args(["-l", &self.language])
                // Keep the gaps between columns (label, value), as a PDF's
                // text layout does.
                .args(["-c", "preserve_interword_spaces=1"])
                // One thread each: the bulk import already runs one file per core.
                .env("OMP_THREAD_LIMIT", "1")
                .stdout(file);
            run(&mut read, deadline, self.deadline, stop).map_err(|e| match e {
                Run::Failed(reason) => OcrError::Read {
                    page: n + 1,
                    reason,
                },
                Run::Other(e) => e,
            })?;
            text.push_str(&std::fs::read_to_string(&out).map_err(io)?);
            text.push('\n');
        }
        Ok(repair(&text))
    }
}

/// The rendered pages, in page order (pdftoppm pads the numbers to the
/// width of the last one).
fn pages(dir: &Path) -> Result<Vec<PathBuf>, OcrError> {
    let mut pages: Vec<(u64, PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| OcrError::Io(e.to_string()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n = name
                .strip_prefix("sida-")?
                .strip_suffix(".png")?
                .parse()
                .ok()?;
            Some((n, e.path()))
        })
        .collect();
    pages.sort();
    Ok(pages.into_iter().map(|(_, p)| p).collect())
}

enum Run {
    Failed(String),
    Other(OcrError),
}

/// Runs a child to its end, killing it at the deadline or on stop.
fn run(
    command: &mut Command,
    deadline: Instant,
    limit: Duration,
    stop: &AtomicBool,
) -> Result<(), Run> {
    command.stdin(Stdio::null()).stderr(Stdio::null());
    if command.get_program().is_empty() {
        return Err(Run::Failed("inget program".into()));
    }
    let mut child = command
        .spawn()
        .map_err(|e| Run::Other(OcrError::Io(e.to_string())))?;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(Run::Failed(format!("slutstatus {status}"))),
            Ok(None) => {}
            Err(e) => return Err(Run::Other(OcrError::Io(e.to_string()))),
        }
        let stopped = stop.load(Ordering::Relaxed);
        if stopped || Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Run::Other(if stopped {
                OcrError::Stopped
            } else {
                OcrError::Deadline(limit.as_secs())
            }));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Puts back the paragraph sign where OCR read it as `&`, `$`, `S` or `8`:
/// at the start of a line before a number (`& 33`, `8 34-37`), and inside
/// a line before a number that follows a party in brackets or the label
/// «Paragraf(er)». Anything else is left as read.
pub fn repair(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let words: Vec<&str> = line.split(' ').collect();
        let mut fixed: Vec<String> = Vec::with_capacity(words.len());
        for (i, w) in words.iter().enumerate() {
            let next_is_number = words
                .get(i + 1)
                .is_some_and(|n| n.chars().next().is_some_and(|c| c.is_ascii_digit()));
            let previous = fixed.iter().rev().find(|p| !p.is_empty());
            let misread = matches!(*w, "&" | "$" | "S" | "8" | "$$" | "88" | "&&");
            let at_start = previous.is_none();
            let after_label = previous.is_some_and(|p| {
                p.ends_with(')')
                    || p.ends_with(',')
                    || p.eq_ignore_ascii_case("paragrafer")
                    || p.eq_ignore_ascii_case("paragraf")
                    || p.eq_ignore_ascii_case("paragrafer:")
            });
            let certain = matches!(*w, "&" | "$" | "&&" | "$$");
            // `8 300 kronor` opening a line is a number; `8 34` alone, or a
            // range, is a heading.
            let heading_alone =
                words.len() == i + 2 || words.get(i + 1).is_some_and(|n| n.contains(['-', '–']));
            // `KF 8 71`, `BUN-AU & 5`: an organ's prefix first.
            let after_prefix = i == 1
                && (2..=8).contains(&words[0].len())
                && words[0].chars().all(|c| c.is_uppercase() || c == '-');
            if misread
                && next_is_number
                && (certain || (at_start && heading_alone) || after_label || after_prefix)
            {
                fixed.push(if w.len() == 2 { "§§" } else { "§" }.to_string());
            } else {
                fixed.push((*w).to_string());
            }
        }
        out.push_str(&fixed.join(" "));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::repair;

    #[test]
    fn the_paragraph_sign_is_put_back_where_ocr_misread_it() {
        assert_eq!(repair("& 33\n"), "§ 33\n");
        assert_eq!(repair("8 34\nRiktlinjer\n"), "§ 34\nRiktlinjer\n");
        assert_eq!(
            repair("Hampus Öst (S) 8 33, Fatima Ali (S)\n"),
            "Hampus Öst (S) § 33, Fatima Ali (S)\n"
        );
        assert_eq!(repair("Paragrafer 8 33-37\n"), "Paragrafer § 33-37\n");
        assert_eq!(
            repair("KF $ 71 Dnr KS 2024/301\n"),
            "KF § 71 Dnr KS 2024/301\n"
        );
        // Numbers that are numbers stay.
        assert_eq!(repair("KF 8 72\n"), "KF § 72\n");
        assert_eq!(
            repair("Kostnaden blir 8 300 kronor\n8 300 kronor till\n"),
            "Kostnaden blir 8 300 kronor\n8 300 kronor till\n"
        );
    }
}
