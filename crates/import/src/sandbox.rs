//! A PDF's text, read in a child process with limits.
//!
//! A PDF is a program for a parser: recursion as deep as the file nests,
//! loops through references, streams that inflate a thousandfold. The
//! checks in [`crate::pdf`] refuse what they can see cheaply, but no check
//! in the process can bound what pdf_oxide does inside (its stack, its
//! allocations, a loop not foreseen). So the importer reads a PDF in a
//! worker process — the kansli binary's hidden `kansli import pdf-worker` —
//! with its address space, CPU time and file writes capped by rlimit, killed
//! at a deadline, its output capped; a crash, a stack overflow, a timeout
//! or an exhausted limit comes back as an [`ImportError`] with a Swedish
//! message, never an abort of the caller.
//!
//! The protocol between the two: the PDF on the worker's standard input;
//! on success its text on standard output and exit code 0; a refusal as a
//! message on standard output and an exit code naming its kind
//! ([`exit`]). The worker's standard error is kept only as far as its
//! first [`STDERR_KEPT`] bytes (to tell a stack overflow from a failed
//! allocation), the rest drained and dropped.

use crate::ImportError;
use crate::pdf::{ReadLimits, pdf_to_text_limited};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What one PDF may cost.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Wall-clock time for the whole reading, after which the worker is
    /// killed (its CPU time is capped a second above it as well).
    pub deadline: Duration,
    /// The worker's address space (RLIMIT_AS).
    pub memory_bytes: u64,
    /// Bytes of text accepted.
    pub max_output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            deadline: Duration::from_secs(60),
            memory_bytes: 1 << 30,
            max_output_bytes: 64 << 20,
        }
    }
}

/// The worker's exit codes for refusals (its message on standard output).
pub mod exit {
    /// Text on standard output.
    pub const OK: u8 = 0;
    /// `ImportError::Pdf`.
    pub const PDF: u8 = 10;
    /// `ImportError::NoText`.
    pub const NO_TEXT: u8 = 11;
    /// `ImportError::PdfLimit`.
    pub const LIMIT: u8 = 12;
    /// `ImportError::PdfTimeout`.
    pub const TIMEOUT: u8 = 13;
    /// `ImportError::PdfCrashed`.
    pub const CRASHED: u8 = 14;
    /// Standard input could not be read.
    pub const INPUT: u8 = 15;
}

/// Environment variables the worker reads its limits from.
const ENV_DEADLINE_MS: &str = "KANSLI_PDF_DEADLINE_MS";
const ENV_MAX_OUTPUT: &str = "KANSLI_PDF_MAX_OUTPUT";

/// How much of the worker's standard error is kept.
pub const STDERR_KEPT: usize = 16 << 10;

/// Extracts a PDF's text in a child process (`program` + `args`, e.g. the
/// kansli binary with `import pdf-worker`), killed at the deadline, memory
/// capped by rlimit, its output capped; a crash, a stack overflow or a loop
/// becomes an ImportError, never an abort here.
pub fn pdf_text_isolated(
    program: &Path,
    args: &[&str],
    pdf: &[u8],
    limits: &Limits,
) -> Result<String, ImportError> {
    if !crate::looks_like_pdf(pdf) {
        return Err(ImportError::Pdf(
            "filen börjar inte som en PDF (%PDF-)".into(),
        ));
    }
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Whatever logging the binary sets up, the worker says nothing.
        .env("KANSLI_LOG", "off")
        .env(ENV_DEADLINE_MS, limits.deadline.as_millis().to_string())
        .env(ENV_MAX_OUTPUT, limits.max_output_bytes.to_string())
        // pdf_oxide's cap on one inflated stream (256 MB by default): an
        // eighth of the address space, so that a bomb ends as an error.
        .env(
            "PDF_OXIDE_MAX_DECOMPRESS_MB",
            ((limits.memory_bytes >> 20) / 8).max(1).to_string(),
        );
    // Its own process group, so that whatever it starts dies with it (and
    // the pipes close).
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let memory = limits.memory_bytes;
    // CPU seconds: the deadline and one more, so that a worker the parent
    // failed to kill still stops.
    let cpu = limits.deadline.as_secs() + 1;
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: only async-signal-safe calls (setrlimit) between fork and
        // exec, no allocation.
        unsafe {
            command.pre_exec(move || {
                set_limit(libc::RLIMIT_AS, memory)?;
                set_limit(libc::RLIMIT_CPU, cpu)?;
                set_limit(libc::RLIMIT_FSIZE, 0)?;
                set_limit(libc::RLIMIT_CORE, 0)?;
                Ok(())
            });
        }
    }
    let mut child = command
        .spawn()
        .map_err(|e| ImportError::PdfWorker(e.to_string()))?;
    let group = child.id() as libc::pid_t;
    let mut stdin = child.stdin.take().expect("piped");
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let cap = limits.max_output_bytes;
    let overflow = AtomicBool::new(false);
    let started = Instant::now();

    let (status, timed_out, out, err) = std::thread::scope(|s| {
        s.spawn(move || {
            // A worker that stops reading (it died, or refused early) closes
            // the pipe: the write fails, which is no error of ours.
            let _ = stdin.write_all(pdf);
        });
        let overflow = &overflow;
        let out = s.spawn(move || {
            let mut out = Vec::new();
            let mut buf = [0u8; 64 << 10];
            loop {
                match stdout.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        // A refusal's message follows the text limit too.
                        if out.len() + n > cap + 4096 {
                            overflow.store(true, Ordering::Relaxed);
                            break;
                        }
                        out.extend_from_slice(&buf[..n]);
                    }
                }
            }
            out
        });
        let err = s.spawn(move || {
            let mut kept = Vec::new();
            let mut buf = [0u8; 16 << 10];
            loop {
                match stderr.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let room = STDERR_KEPT.saturating_sub(kept.len());
                        kept.extend_from_slice(&buf[..n.min(room)]);
                    }
                }
            }
            kept
        });
        let mut pause = Duration::from_millis(1);
        let mut timed_out = false;
        let status = loop {
            match child.try_wait() {
                // Reaped: its group id may be reused, so not killed now.
                Ok(Some(status)) => break Some(status),
                Ok(None) => {}
                Err(_) => {
                    kill_group(group);
                    break None;
                }
            }
            if started.elapsed() >= limits.deadline {
                timed_out = true;
            }
            if timed_out || overflow.load(Ordering::Relaxed) {
                kill_group(group);
                let _ = child.kill();
                break child.wait().ok();
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(20));
        };
        (
            status,
            timed_out,
            out.join().unwrap_or_default(),
            err.join().unwrap_or_default(),
        )
    });
    if overflow.load(Ordering::Relaxed) {
        return Err(ImportError::PdfLimit(format!(
            "mer än {} text",
            size_sv(limits.max_output_bytes)
        )));
    }
    if timed_out {
        return Err(ImportError::PdfTimeout(limits.deadline.as_secs().max(1)));
    }
    let Some(status) = status else {
        return Err(ImportError::PdfWorker(
            "PDF-läsarens status kunde inte läsas".into(),
        ));
    };
    outcome(status, out, &err, limits)
}

/// What the worker's exit means.
fn outcome(
    status: std::process::ExitStatus,
    out: Vec<u8>,
    err: &[u8],
    limits: &Limits,
) -> Result<String, ImportError> {
    use std::os::unix::process::ExitStatusExt;
    let message = || String::from_utf8_lossy(&out).trim().to_string();
    let said = |needle: &str| err.windows(needle.len()).any(|w| w == needle.as_bytes());
    if let Some(code) = status.code() {
        return match u8::try_from(code).unwrap_or(u8::MAX) {
            exit::OK => String::from_utf8(out).map_err(|_| {
                ImportError::PdfCrashed("PDF-läsaren gav text som inte är UTF-8".into())
            }),
            exit::PDF => Err(ImportError::Pdf(message())),
            exit::NO_TEXT => Err(ImportError::NoText),
            exit::LIMIT => Err(ImportError::PdfLimit(message())),
            exit::TIMEOUT => Err(ImportError::PdfTimeout(limits.deadline.as_secs().max(1))),
            exit::CRASHED => Err(ImportError::PdfCrashed(message())),
            _ if said("memory allocation of") => Err(memory(limits)),
            other => Err(ImportError::PdfCrashed(format!(
                "PDF-läsaren avslutades oväntat (status {other})"
            ))),
        };
    }
    let signal = status.signal().unwrap_or(0);
    Err(match signal {
        libc::SIGXCPU => ImportError::PdfTimeout(limits.deadline.as_secs().max(1)),
        _ if said("has overflowed its stack") => {
            ImportError::PdfCrashed("stacken tog slut (objekten är för djupt nästlade)".into())
        }
        _ if said("memory allocation of") => memory(limits),
        libc::SIGKILL => ImportError::PdfTimeout(limits.deadline.as_secs().max(1)),
        libc::SIGXFSZ => ImportError::PdfCrashed("PDF-läsaren försökte skriva en fil".into()),
        s => ImportError::PdfCrashed(format!("PDF-läsaren kraschade (signal {s})")),
    })
}

/// "64 MB", "100 byte".
pub fn size_sv(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{} MB", bytes >> 20)
    } else {
        format!("{bytes} byte")
    }
}

/// Ends the worker and anything it started.
fn kill_group(group: libc::pid_t) {
    // SAFETY: a plain system call; the group is the worker's own.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
}

fn memory(limits: &Limits) -> ImportError {
    ImportError::PdfMemory(limits.memory_bytes >> 20)
}

fn set_limit(resource: libc::__rlimit_resource_t, value: u64) -> std::io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: value as libc::rlim_t,
        rlim_max: value as libc::rlim_t,
    };
    // SAFETY: a plain system call on a stack value.
    if unsafe { libc::setrlimit(resource, &limit) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The child's side: PDF on stdin, text on stdout, exit codes for refusal kinds.
pub fn worker_main() -> ExitCode {
    // pdf_oxide logs through `log` (a warning per node of a page tree that
    // loops, for one): in the worker nothing is logged at all. This is what
    // once wrote gigabytes to standard error.
    log::set_max_level(log::LevelFilter::Off);
    let mut pdf = Vec::new();
    if std::io::stdin().lock().read_to_end(&mut pdf).is_err() {
        return ExitCode::from(exit::INPUT);
    }
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let mut limits = ReadLimits::default();
    if let Some(ms) = env(ENV_DEADLINE_MS) {
        limits.deadline = Duration::from_millis(ms);
    }
    if let Some(max) = env(ENV_MAX_OUTPUT) {
        limits.max_output_bytes = usize::try_from(max).unwrap_or(usize::MAX);
    }
    let (code, text) = match pdf_to_text_limited(&pdf, &limits) {
        Ok(text) => (exit::OK, text),
        Err(e) => {
            let code = match &e {
                ImportError::NoText => exit::NO_TEXT,
                ImportError::PdfLimit(_) => exit::LIMIT,
                ImportError::PdfTimeout(_) => exit::TIMEOUT,
                ImportError::PdfCrashed(_) => exit::CRASHED,
                _ => exit::PDF,
            };
            let message = match e {
                ImportError::Pdf(m) | ImportError::PdfLimit(m) | ImportError::PdfCrashed(m) => m,
                other => other.to_string(),
            };
            (code, message)
        }
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::from(exit::INPUT);
    }
    ExitCode::from(code)
}

/// The arguments that make the kansli binary a PDF worker.
pub const WORKER_ARGS: [&str; 2] = ["import", "pdf-worker"];

/// [`crate::read_protocol`] for the kansli binary: a PDF's text is read by
/// this same executable as a worker ([`WORKER_ARGS`]) under `limits`; text
/// files are read in this process, as they need no sandbox.
pub fn read_protocol_isolated(
    bytes: &[u8],
    limits: &Limits,
) -> Result<crate::ImportedProtocol, ImportError> {
    if !crate::looks_like_pdf(bytes) {
        return crate::read_protocol(bytes);
    }
    let program = std::env::current_exe().map_err(|e| ImportError::PdfWorker(e.to_string()))?;
    let text = pdf_text_isolated(&program, &WORKER_ARGS, bytes, limits)?;
    crate::parse_protocol(&text)
}
