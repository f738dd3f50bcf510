//! `kansli import protocols DIR`: the back catalogue, with a progress bar on
//! a terminal (plain lines otherwise), Ctrl-C that stops taking files and
//! writes the report of what was done, and the report as CSV and JSON. The
//! work itself is `kansli_import::bulk`.

use crate::CliError;
use kansli_import::bulk::{BulkOptions, PdfReader, Progress, Report};
use kansli_store::Store;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub struct Args {
    pub dir: PathBuf,
    pub db: String,
    pub organisation: Option<String>,
    pub report: Option<PathBuf>,
    pub jobs: Option<usize>,
    pub no_ocr: bool,
}

/// How this binary reads PDFs: in a child process of itself
/// (`kansli import pdf-worker`), with limits.
pub fn pdf_reader() -> PdfReader {
    match std::env::current_exe() {
        Ok(program) => PdfReader::Isolated {
            program,
            args: vec!["import".into(), "pdf-worker".into()],
        },
        Err(_) => PdfReader::InProcess,
    }
}

fn say_err(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// PATH.csv and PATH.json.
fn report_paths(report: Option<PathBuf>) -> (PathBuf, PathBuf) {
    let base = report.unwrap_or_else(|| {
        let now = jiff::Zoned::now().strftime("%Y%m%d-%H%M%S").to_string();
        PathBuf::from(format!("kansli-inlasning-{now}"))
    });
    let base = match base.extension().and_then(|e| e.to_str()) {
        Some("csv" | "json") => base.with_extension(""),
        _ => base,
    };
    let with = |ext: &str| {
        let mut name = base.clone().into_os_string();
        name.push(ext);
        PathBuf::from(name)
    };
    (with(".csv"), with(".json"))
}

pub async fn protocols(args: Args) -> Result<(), CliError> {
    let stop = Arc::new(AtomicBool::new(false));
    listen_for_interrupt(stop.clone())?;
    let store = Store::connect(&args.db).await?;
    let ocr = if args.no_ocr {
        None
    } else {
        kansli_import::ocr::Ocr::detect()
    };
    if ocr.is_none() && !args.no_ocr {
        say_err(
            "obs: Tesseract (tesseract-ocr, tesseract-ocr-swe) eller pdftoppm (poppler-utils) saknas; skannade PDF-filer listas som «behöver OCR»",
        );
    }
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let options = BulkOptions {
        dir: args.dir.clone(),
        organisation: args.organisation,
        jobs,
        pdf: pdf_reader(),
        ocr,
    };
    let (csv_path, json_path) = report_paths(args.report);
    let progress = Arc::new(Progress::default());
    let done = Arc::new(AtomicBool::new(false));
    let display = tokio::spawn(show_progress(progress.clone(), done.clone()));
    let outcome = kansli_import::bulk::import_dir(&store, &options, progress, stop).await;
    done.store(true, Ordering::Relaxed);
    let _ = display.await;
    store.close().await;
    let report = outcome?;
    write_report(&report, &csv_path, &json_path)?;
    for line in report.summary_sv() {
        say_err(&line);
    }
    say_err(&format!(
        "Rapport: {} och {}",
        csv_path.display(),
        json_path.display()
    ));
    if report.interrupted {
        Err(CliError::Interrupted)
    } else if report.needs_attention() {
        Err(CliError::NeedsAttention)
    } else {
        Ok(())
    }
}

fn write_report(
    report: &Report,
    csv_path: &std::path::Path,
    json_path: &std::path::Path,
) -> Result<(), CliError> {
    for (path, text) in [(csv_path, report.to_csv()), (json_path, report.to_json())] {
        std::fs::write(path, text).map_err(|source| CliError::Write {
            path: path.to_path_buf(),
            source,
        })?;
    }
    Ok(())
}

/// Ctrl-C: the first stops taking new files (the meeting being written
/// commits or rolls back, the report is written); a second ends at once,
/// which still leaves no half-written meeting (the open transaction is
/// never committed).
fn listen_for_interrupt(stop: Arc<AtomicBool>) -> Result<(), CliError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        // Registered now, before any file is read.
        let mut interrupts = signal(SignalKind::interrupt()).map_err(CliError::Serve)?;
        tokio::spawn(async move {
            if interrupts.recv().await.is_some() {
                stop.store(true, Ordering::Relaxed);
                say_err(
                    "\nAvbryter: inga nya filer läses; sammanträdet som skrivs sparas helt eller inte alls. Ctrl-C igen avbryter direkt.",
                );
                if interrupts.recv().await.is_some() {
                    say_err("Avbrutet direkt.");
                    std::process::exit(130);
                }
            }
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.store(true, Ordering::Relaxed);
        }
    });
    Ok(())
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn sv(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}").replace('.', ",")
}

/// A progress bar (files, MB/s, ETA) on a terminal; otherwise a plain line
/// every 2 seconds.
async fn show_progress(progress: Arc<Progress>, done: Arc<AtomicBool>) {
    let t0 = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    // A spinner while the files are counted, then the bar.
    let style = |template: &str| {
        indicatif::ProgressStyle::with_template(template)
            .expect("a valid template")
            .progress_chars("=> ")
    };
    let bar = terminal.then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(style("{spinner} {elapsed_precise} {pos} filer · {msg}"));
        bar
    });
    let mut bar_shown = false;
    let mut last_line = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tick.tick().await;
        let finished = done.load(Ordering::Relaxed);
        let files = progress.done_files.load(Ordering::Relaxed);
        let bytes = progress.done_bytes.load(Ordering::Relaxed);
        let counted = progress.counted.load(Ordering::Relaxed);
        let total = progress.total_files.load(Ordering::Relaxed);
        let total_bytes = progress.total_bytes.load(Ordering::Relaxed);
        let secs = t0.elapsed().as_secs_f64().max(1e-3);
        let rate = mb(bytes) / secs;
        if let Some(bar) = &bar {
            if counted && !bar_shown {
                bar_shown = true;
                bar.set_length(total);
                bar.set_style(style(
                    "{spinner} {elapsed_precise} [{wide_bar}] {pos}/{len} filer · {msg} · kvar {eta}",
                ));
            }
            bar.set_position(files);
            bar.set_message(format!(
                "{} MB/s, {} inlästa",
                sv(rate, 1),
                progress.imported.load(Ordering::Relaxed)
            ));
            if finished {
                bar.finish_and_clear();
                return;
            }
        } else {
            if finished {
                return;
            }
            if last_line.elapsed() >= Duration::from_secs(2) {
                last_line = Instant::now();
                let of = if counted {
                    format!(" av {total}")
                } else {
                    String::new()
                };
                let eta = if counted && bytes > 0 && total_bytes > bytes {
                    format!(
                        ", cirka {} s kvar",
                        ((total_bytes - bytes) as f64 / (bytes as f64 / secs)).round()
                    )
                } else {
                    String::new()
                };
                say_err(&format!(
                    "inläsning: {files}{of} filer, {} MB, {} MB/s, {} inlästa{eta}",
                    sv(mb(bytes), 1),
                    sv(rate, 2),
                    progress.imported.load(Ordering::Relaxed)
                ));
            }
        }
    }
}
