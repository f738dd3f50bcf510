//! The back catalogue: a directory of protocols (thousands of PDFs and
//! texts) read in parallel and stored, each file once.
//!
//! One thread walks the directory and hands the paths on through a bounded
//! channel; `jobs` worker threads read, hash and parse the files (the CPU
//! work), and hand what they read on through another bounded channel to one
//! writer, which stores each meeting in its own transaction. So the memory
//! used is bounded by the files in flight, never by the directory, and a
//! stop (Ctrl-C) leaves at most the meeting being written, which commits or
//! rolls back whole. A file whose SHA-256 is already imported is not read
//! again, so a run can be repeated or resumed; one bad file never stops the
//! run: each file's outcome is a row of the report.

use crate::ocr::Ocr;
use crate::{ImportError, ImportedProtocol, SaveError, SaveOptions, SourceFile, Warning};
use kansli_store::{Store, StoreError};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// What became of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Imported,
    AlreadyImported,
    Duplicate,
    NotAProtocol,
    Failed,
    NeedsOcr,
    Skipped,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Imported,
        Status::AlreadyImported,
        Status::Duplicate,
        Status::NotAProtocol,
        Status::Failed,
        Status::NeedsOcr,
        Status::Skipped,
    ];

    /// As written in the report.
    pub fn label_sv(self) -> &'static str {
        match self {
            Status::Imported => "importerad",
            Status::AlreadyImported => "redan inläst",
            Status::Duplicate => "dubblett",
            Status::NotAProtocol => "inte ett protokoll",
            Status::Failed => "fel",
            Status::NeedsOcr => "behöver OCR",
            Status::Skipped => "hoppades över",
        }
    }

    /// Whether a person should look at the file (the exit status says so).
    pub fn needs_attention(self) -> bool {
        !matches!(
            self,
            Status::Imported | Status::AlreadyImported | Status::Skipped
        )
    }
}

impl Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label_sv())
    }
}

/// One file's line in the report.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The path below the directory.
    pub file: String,
    pub size: u64,
    pub sha256: Option<String>,
    pub status: Status,
    pub organ: Option<String>,
    pub date: Option<String>,
    pub paragraphs: Option<usize>,
    /// The reader's warnings, "rad 12: …".
    pub warnings: Vec<String>,
    /// What the store noted (a new body, an incomplete attendance).
    pub notes: Vec<String>,
    /// The text was read by OCR.
    pub ocr: bool,
    pub meeting: Option<i64>,
    pub error: Option<String>,
}

impl Row {
    fn new(file: String, size: u64, status: Status) -> Row {
        Row {
            file,
            size,
            sha256: None,
            status,
            organ: None,
            date: None,
            paragraphs: None,
            warnings: vec![],
            notes: vec![],
            ocr: false,
            meeting: None,
            error: None,
        }
    }

    fn failed(mut self, status: Status, error: impl Into<String>) -> Row {
        self.status = status;
        self.error = Some(error.into());
        self
    }

    fn read_from(&mut self, p: &ImportedProtocol) {
        self.organ = p.organ.clone();
        self.date = p.meeting_date.clone();
        self.paragraphs = Some(p.paragraphs.len());
        self.warnings = p
            .warnings
            .iter()
            .map(|w| format!("rad {}: {}", w.line, w.message))
            .collect();
    }
}

/// How a PDF's text is extracted.
#[derive(Debug, Clone)]
pub enum PdfReader {
    /// In this process.
    InProcess,
    /// In a child process (the kansli binary's `import pdf-worker`), with
    /// limits on time, memory and output.
    Isolated { program: PathBuf, args: Vec<String> },
}

impl PdfReader {
    /// The PDF's text, empty for a PDF without any (a scan). The one place
    /// that chooses how it is extracted.
    pub fn text(&self, pdf: &[u8]) -> Result<String, ImportError> {
        let text = match self {
            PdfReader::Isolated { program, args } => {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                crate::sandbox::pdf_text_isolated(program, &args, pdf, &Default::default())
            }
            PdfReader::InProcess => in_process(pdf),
        };
        match text {
            Err(e) if no_text(&e) => Ok(String::new()),
            other => other,
        }
    }
}

/// The extractor's refusal of a PDF without text (a scan).
fn no_text(e: &ImportError) -> bool {
    matches!(e, ImportError::NoText)
}

/// A failure of the PDF library is caught like any other refusal.
fn in_process(pdf: &[u8]) -> Result<String, ImportError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| crate::pdf_to_text(pdf)))
        .unwrap_or_else(|_| {
            Err(ImportError::Pdf(
                "PDF-biblioteket gav upp (ett internt fel)".into(),
            ))
        })
}

/// A protocol read from a file's bytes.
#[derive(Debug)]
pub struct Read {
    pub protocol: ImportedProtocol,
    /// The text was read by OCR from a scanned PDF.
    pub ocr: bool,
}

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadFailure {
    #[error(transparent)]
    Import(#[from] ImportError),
    /// A PDF without text (scanned) and no OCR to read it, or OCR failed.
    #[error("PDF-filen har ingen text (skannad){}", match .0 { Some(r) => format!(": {r}"), None => "; installera tesseract-ocr och tesseract-ocr-swe så läses den med OCR".into() })]
    NeedsOcr(Option<String>),
    /// The file is not what its name says or not a document at all.
    #[error("{0}")]
    NotReadable(String),
}

impl ReadFailure {
    fn status(&self) -> Status {
        match self {
            ReadFailure::Import(ImportError::NotAProtocol(_)) => Status::NotAProtocol,
            ReadFailure::Import(_) | ReadFailure::NotReadable(_) => Status::Failed,
            ReadFailure::NeedsOcr(_) => Status::NeedsOcr,
        }
    }
}

/// The least text a page of a real protocol has; less is a scan (perhaps
/// with a stamp or a page number in text).
const MIN_TEXT: usize = 40;

/// Reads a protocol from a file's bytes: a text, or a PDF's text, or a
/// scanned PDF by OCR when `ocr` has the programs. The single-file import
/// and the bulk import both read through here.
pub fn read_file(
    bytes: &[u8],
    pdf: &PdfReader,
    ocr: Option<&Ocr>,
    stop: &AtomicBool,
) -> Result<Read, ReadFailure> {
    if !crate::looks_like_pdf(bytes) {
        if bytes.iter().take(8192).any(|&b| b == 0) {
            return Err(ReadFailure::NotReadable(
                "filen innehåller binära data, inte text".into(),
            ));
        }
        return Ok(Read {
            protocol: crate::read_protocol(bytes)?,
            ocr: false,
        });
    }
    let text = pdf.text(bytes)?;
    if text.chars().filter(|c| c.is_alphanumeric()).count() >= MIN_TEXT {
        return Ok(Read {
            protocol: crate::parse_protocol(&text)?,
            ocr: false,
        });
    }
    if !may_hold_pictures(bytes) {
        return Err(ReadFailure::NotReadable(
            "PDF-filen har ingen text och inga bilder att läsa med OCR".into(),
        ));
    }
    let Some(ocr) = ocr else {
        return Err(ReadFailure::NeedsOcr(None));
    };
    let text = ocr.read_pdf(bytes, stop).map_err(|e| match e {
        crate::ocr::OcrError::Render(_) => ReadFailure::NotReadable(e.to_string()),
        e => ReadFailure::NeedsOcr(Some(e.to_string())),
    })?;
    let mut protocol = crate::parse_protocol(&text)?;
    protocol.warnings.insert(
        0,
        Warning {
            line: 1,
            message: "texten är läst med OCR (Tesseract) ur en skannad PDF; jämför med originalet"
                .into(),
        },
    );
    Ok(Read {
        protocol,
        ocr: true,
    })
}

/// Whether a PDF may have pictures of pages: an image object, or object
/// streams that could hide one.
fn may_hold_pictures(pdf: &[u8]) -> bool {
    let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
    has(b"/Image") || has(b"/ObjStm")
}

/// What a bulk run does.
#[derive(Debug, Clone)]
pub struct BulkOptions {
    pub dir: PathBuf,
    /// The organisation, for protocols that do not name it.
    pub organisation: Option<String>,
    /// Files read at once (threads); at least 1.
    pub jobs: usize,
    pub pdf: PdfReader,
    /// `None`: scanned PDFs are reported as needing OCR.
    pub ocr: Option<Ocr>,
}

/// Where a run is, for a progress display (read from another task).
#[derive(Debug, Default)]
pub struct Progress {
    /// Files and bytes of PDFs and texts in the directory, once counted.
    pub total_files: AtomicU64,
    pub total_bytes: AtomicU64,
    pub counted: AtomicBool,
    /// Files done (every file, whatever its outcome) and their bytes.
    pub done_files: AtomicU64,
    pub done_bytes: AtomicU64,
    pub imported: AtomicU64,
}

/// A run's report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub directory: String,
    pub started: String,
    /// Stopped before every file was done (Ctrl-C); a new run goes on.
    pub interrupted: bool,
    pub wall_seconds: f64,
    /// User and system time of this process and its children (OCR), where
    /// the system tells it.
    pub cpu_seconds: Option<f64>,
    pub files: Vec<Row>,
}

#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    #[error("katalogen {0} kan inte läsas: {1}")]
    Dir(PathBuf, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The extensions read; others are listed as skipped.
fn wanted(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf") || e.eq_ignore_ascii_case("txt"))
}

enum Found {
    File(PathBuf, u64),
    Other(PathBuf, u64),
    Unreadable(PathBuf, String),
}

/// Walks `dir` depth first, in name order, calling `each` per entry; stops
/// when `each` returns false. Symbolic links to directories are not
/// followed (no loops).
fn walk(dir: &Path, each: &mut dyn FnMut(Found) -> bool) -> bool {
    let mut entries: Vec<std::fs::DirEntry> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok()).collect(),
        Err(e) => return each(Found::Unreadable(dir.to_path_buf(), e.to_string())),
    };
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let go_on = if kind.is_dir() {
            walk(&path, each)
        } else {
            match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => {
                    if wanted(&path) {
                        each(Found::File(path, m.len()))
                    } else {
                        each(Found::Other(path, m.len()))
                    }
                }
                Ok(_) => true,
                Err(e) => each(Found::Unreadable(path, e.to_string())),
            }
        };
        if !go_on {
            return false;
        }
    }
    true
}

enum Outcome {
    /// Nothing to store: the row says it all.
    Done(Row),
    /// Read; to be stored.
    Read {
        row: Row,
        bytes: Vec<u8>,
        protocol: Box<ImportedProtocol>,
    },
}

fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

fn process(
    dir: &Path,
    path: &Path,
    size: u64,
    options: &BulkOptions,
    known: &HashSet<String>,
    stop: &AtomicBool,
) -> Outcome {
    let row = Row::new(relative(dir, path), size, Status::Failed);
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return Outcome::Done(row.failed(Status::Failed, format!("kunde inte läsas: {e}")));
        }
    };
    let mut row = row;
    row.size = bytes.len() as u64;
    let sha = kansli_store::access::sha256_hex(&bytes);
    row.sha256 = Some(sha.clone());
    if known.contains(&sha) {
        row.status = Status::AlreadyImported;
        return Outcome::Done(row);
    }
    let is_pdf_name = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if is_pdf_name && !crate::looks_like_pdf(&bytes) {
        let what = if bytes.is_empty() {
            "filen är tom"
        } else {
            "filen heter .pdf men är ingen PDF"
        };
        return Outcome::Done(row.failed(Status::Failed, what));
    }
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_file(&bytes, &options.pdf, options.ocr.as_ref(), stop)
    }))
    .unwrap_or_else(|_| Err(ReadFailure::NotReadable("internt fel i läsaren".into())));
    match read {
        Ok(read) => {
            row.read_from(&read.protocol);
            row.ocr = read.ocr;
            Outcome::Read {
                row,
                bytes,
                protocol: Box::new(read.protocol),
            }
        }
        Err(e) => {
            let status = e.status();
            Outcome::Done(row.failed(status, e.to_string()))
        }
    }
}

/// User and system time of this process and its waited-for children.
pub fn cpu_time() -> Option<Duration> {
    #[cfg(unix)]
    {
        let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
        let mut total = Duration::ZERO;
        for who in [libc::RUSAGE_SELF, libc::RUSAGE_CHILDREN] {
            // SAFETY: getrusage writes the struct it is given.
            let mut u: libc::rusage = unsafe { std::mem::zeroed() };
            if unsafe { libc::getrusage(who, &mut u) } != 0 {
                return None;
            }
            total += tv(u.ru_utime) + tv(u.ru_stime);
        }
        Some(total)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Imports every PDF and text below `options.dir`. Returns the report of
/// what was done, also when `stop` was set (then `interrupted`).
pub async fn import_dir(
    store: &Store,
    options: &BulkOptions,
    progress: Arc<Progress>,
    stop: Arc<AtomicBool>,
) -> Result<Report, BulkError> {
    let dir = options.dir.clone();
    std::fs::read_dir(&dir).map_err(|e| BulkError::Dir(dir.clone(), e.to_string()))?;
    let started = jiff::Timestamp::now().to_string();
    let known = Arc::new(store.imported_hashes().await?);
    let cpu0 = cpu_time();
    let t0 = Instant::now();
    let jobs = options.jobs.max(1);

    // Counting, for the progress bar's length and ETA: names and sizes only.
    {
        let (dir, progress, stop) = (dir.clone(), progress.clone(), stop.clone());
        std::thread::spawn(move || {
            let (mut files, mut bytes) = (0u64, 0u64);
            walk(&dir, &mut |f| {
                if let Found::File(_, size) | Found::Other(_, size) = f {
                    files += 1;
                    bytes += size;
                }
                !stop.load(Ordering::Relaxed)
            });
            progress.total_files.store(files, Ordering::Relaxed);
            progress.total_bytes.store(bytes, Ordering::Relaxed);
            progress.counted.store(true, Ordering::Relaxed);
        });
    }

    let (path_tx, path_rx) = mpsc::sync_channel::<(PathBuf, u64)>(jobs * 2);
    let (out_tx, mut out_rx) = tokio::sync::mpsc::channel::<Outcome>(jobs * 2);
    let mut threads = Vec::new();
    {
        let (dir, out_tx, stop) = (dir.clone(), out_tx.clone(), stop.clone());
        threads.push(std::thread::spawn(move || {
            walk(&dir, &mut |found| {
                if stop.load(Ordering::Relaxed) {
                    return false;
                }
                match found {
                    Found::File(path, size) => path_tx.send((path, size)).is_ok(),
                    Found::Other(path, size) => {
                        let row = Row::new(relative(&dir, &path), size, Status::Skipped).failed(
                            Status::Skipped,
                            "inte en PDF- eller textfil (.pdf, .txt); hoppades över",
                        );
                        out_tx.blocking_send(Outcome::Done(row)).is_ok()
                    }
                    Found::Unreadable(path, e) => {
                        let row = Row::new(relative(&dir, &path), 0, Status::Failed)
                            .failed(Status::Failed, format!("kunde inte läsas: {e}"));
                        out_tx.blocking_send(Outcome::Done(row)).is_ok()
                    }
                }
            });
        }));
    }
    let path_rx = Arc::new(Mutex::new(path_rx));
    for n in 0..jobs {
        let (dir, out_tx, stop, known, path_rx) = (
            dir.clone(),
            out_tx.clone(),
            stop.clone(),
            known.clone(),
            path_rx.clone(),
        );
        let opts = options.clone();
        let thread = std::thread::Builder::new()
            .name(format!("inläsning-{n}"))
            // Deeply nested documents need room.
            .stack_size(64 << 20)
            .spawn(move || {
                loop {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let next = path_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((path, size))) = next else {
                        break;
                    };
                    let outcome = process(&dir, &path, size, &opts, &known, &stop);
                    if out_tx.blocking_send(outcome).is_err() {
                        break;
                    }
                }
            })
            .map_err(|e| BulkError::Dir(options.dir.clone(), e.to_string()))?;
        threads.push(thread);
    }
    // Only the workers hold the paths' receiver: when they stop, the walker's
    // next send fails and it stops too.
    drop(path_rx);
    drop(out_tx);

    // The writer: one meeting at a time, each in its own transaction.
    let mut rows: Vec<Row> = Vec::new();
    let mut stored: HashMap<String, (String, i64)> = HashMap::new();
    while let Some(outcome) = out_rx.recv().await {
        if stop.load(Ordering::Relaxed) {
            // Stopped: what is still in flight is left for the next run.
            continue;
        }
        let row = match outcome {
            Outcome::Done(mut row) => {
                if row.status == Status::AlreadyImported
                    && let Some(sha) = &row.sha256
                {
                    row.meeting = store
                        .import_by_sha256(sha)
                        .await
                        .ok()
                        .flatten()
                        .map(|r| r.meeting.0);
                }
                row
            }
            Outcome::Read {
                mut row,
                bytes,
                protocol,
            } => {
                let sha = row.sha256.clone().unwrap_or_default();
                if let Some((first, meeting)) = stored.get(&sha) {
                    row.meeting = Some(*meeting);
                    row.status = Status::Duplicate;
                    row.error = Some(format!(
                        "samma fil som {first}, inläst som sammanträde {meeting}"
                    ));
                } else {
                    let save = SaveOptions {
                        organisation: options.organisation.clone(),
                        source: Some(SourceFile {
                            file_name: row.file.clone(),
                            bytes,
                        }),
                    };
                    // In its own task, so that a panic in storing one
                    // meeting (its transaction then rolls back) is that
                    // file's error, not the end of the run.
                    let saving = {
                        let store = store.clone();
                        tokio::spawn(async move { crate::save(&store, &protocol, &save).await })
                    };
                    let saved = saving.await.unwrap_or_else(|_| {
                        Err(SaveError::Missing(
                            "internt fel när sammanträdet lagrades; inget av det sparades".into(),
                        ))
                    });
                    match saved {
                        Ok(saved) => {
                            row.status = Status::Imported;
                            row.meeting = Some(saved.meeting.0);
                            row.notes = saved.notes;
                            stored.insert(sha, (row.file.clone(), saved.meeting.0));
                            progress.imported.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(SaveError::AlreadyImported { meeting }) => {
                            row.status = Status::AlreadyImported;
                            row.meeting = Some(meeting);
                        }
                        Err(e @ SaveError::Duplicate { existing, .. }) => {
                            row.meeting = Some(existing);
                            row = row.failed(Status::Duplicate, e.to_string());
                        }
                        Err(e) => row = row.failed(Status::Failed, e.to_string()),
                    }
                }
                row
            }
        };
        progress.done_files.fetch_add(1, Ordering::Relaxed);
        progress.done_bytes.fetch_add(row.size, Ordering::Relaxed);
        rows.push(row);
    }
    for t in threads {
        let _ = t.join();
    }
    rows.sort_by(|a, b| a.file.cmp(&b.file));
    let interrupted = stop.load(Ordering::Relaxed);
    Ok(Report {
        directory: dir.display().to_string(),
        started,
        interrupted,
        wall_seconds: t0.elapsed().as_secs_f64(),
        cpu_seconds: cpu0
            .zip(cpu_time())
            .map(|(a, b)| b.saturating_sub(a).as_secs_f64()),
        files: rows,
    })
}

/// A decimal number with a comma, as Swedish writes it.
fn sv(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}").replace('.', ",")
}

impl Report {
    /// Files per status, in the order of [`Status::ALL`].
    pub fn counts(&self) -> BTreeMap<Status, usize> {
        let mut counts = BTreeMap::new();
        for r in &self.files {
            *counts.entry(r.status).or_insert(0) += 1;
        }
        counts
    }

    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|r| r.size).sum()
    }

    /// Whether some file needs a person's attention.
    pub fn needs_attention(&self) -> bool {
        self.files.iter().any(|r| r.status.needs_attention())
    }

    /// The report as JSON: the run, the counts per status, every file.
    pub fn to_json(&self) -> String {
        let counts: serde_json::Map<String, serde_json::Value> = Status::ALL
            .iter()
            .map(|s| {
                (
                    s.label_sv().to_string(),
                    self.counts().get(s).copied().unwrap_or(0).into(),
                )
            })
            .collect();
        let mut value = serde_json::to_value(self).expect("plain data");
        value["summary"] = serde_json::Value::Object(counts);
        value["bytes"] = self.bytes().into();
        serde_json::to_string_pretty(&value).expect("plain data")
    }

    /// The report as CSV (semicolons, as Swedish spreadsheets read it),
    /// one line per file.
    pub fn to_csv(&self) -> String {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(Vec::new());
        let _ = w.write_record([
            "fil",
            "storlek",
            "sha256",
            "status",
            "organ",
            "datum",
            "paragrafer",
            "varningar",
            "varningstexter",
            "ocr",
            "sammanträde",
            "anmärkningar",
            "fel",
        ]);
        for r in &self.files {
            let _ = w.write_record([
                r.file.clone(),
                r.size.to_string(),
                r.sha256.clone().unwrap_or_default(),
                r.status.label_sv().to_string(),
                r.organ.clone().unwrap_or_default(),
                r.date.clone().unwrap_or_default(),
                r.paragraphs.map(|p| p.to_string()).unwrap_or_default(),
                r.warnings.len().to_string(),
                r.warnings.join(" | "),
                if r.ocr { "ja" } else { "" }.to_string(),
                r.meeting.map(|m| m.to_string()).unwrap_or_default(),
                r.notes.join(" | "),
                r.error.clone().unwrap_or_default(),
            ]);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// The closing summary, in Swedish, a line each.
    pub fn summary_sv(&self) -> Vec<String> {
        let files = self.files.len();
        let mb = self.bytes() as f64 / 1e6;
        let secs = self.wall_seconds.max(1e-6);
        let mut lines = vec![format!(
            "{} {} filer ({} MB) på {} s: {} filer/s, {} MB/s{}.",
            if self.interrupted {
                "Avbrutet efter"
            } else {
                "Klart:"
            },
            files,
            sv(mb, 1),
            sv(secs, 1),
            sv(files as f64 / secs, 0),
            sv(mb / secs, 2),
            match self.cpu_seconds {
                Some(cpu) => format!(", CPU {} % av en kärna", sv(100.0 * cpu / secs, 0)),
                None => String::new(),
            }
        )];
        let counts = self.counts();
        for s in Status::ALL {
            let n = counts.get(&s).copied().unwrap_or(0);
            if n > 0 {
                lines.push(format!("  {:<20} {n}", format!("{}:", s.label_sv())));
            }
        }
        if self.interrupted {
            lines.push(
                "Kör samma kommando igen för att fortsätta; filer som redan är inlästa hoppas över."
                    .into(),
            );
        }
        lines
    }
}
