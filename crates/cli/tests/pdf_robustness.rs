//! `kansli import protocol` on hostile PDFs (#19): the probe's stack
//! overflows (deep nesting, a huge page list) and its endless loop (a tiny
//! page tree that refers to itself, which once wrote gigabytes to standard
//! error) end within a deadline, with a Swedish error and little output;
//! the sandbox with the real worker (this binary's `import pdf-worker`)
//! under tight limits. The files are made by kansli_import::testpdf.

use kansli_import::sandbox::{Limits, WORKER_ARGS, pdf_text_isolated};
use kansli_import::{ImportError, testpdf};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KANSLI: &str = env!("CARGO_BIN_EXE_kansli");

struct Run {
    success: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs `kansli import protocol FILE`, killing it (and failing) after
/// `secs`; standard error is read up to a megabyte, the rest counted.
fn import(file: &Path, secs: u64) -> Run {
    let mut child = Command::new(KANSLI)
        .args(["import", "protocol"])
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kansli runs");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let stderr = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = (&mut err).take(1 << 20).read_to_end(&mut v);
        // Drain (and count) the rest, so a flood cannot block the child.
        let rest = std::io::copy(&mut err, &mut std::io::sink()).unwrap_or(0);
        v.extend(std::iter::repeat_n(b'!', rest.min(1 << 20) as usize));
        v
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{}: still running after {secs} s", file.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        success: status.success(),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn refused(name: &str, pdf: &[u8], expect: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let run = import(&file, 120);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.success, "{name}: read as a protocol");
    assert!(run.stdout.is_empty(), "{name}: printed a result");
    assert!(
        run.stderr.len() < 4096,
        "{name}: {} bytes on standard error",
        run.stderr.len()
    );
    assert!(stderr.contains(expect), "{name}: {stderr}");
    assert!(stderr.starts_with("fel: "), "{name}: {stderr}");
}

#[test]
fn the_probes_files_end_with_a_swedish_error() {
    refused(
        "nested-arrays",
        &testpdf::deeply_nested(200_000, false),
        "nästlade djupare",
    );
    refused(
        "nested-dicts",
        &testpdf::deeply_nested(60_000, true),
        "nästlade djupare",
    );
    refused("pages", &testpdf::many_pages(10_000), "fler än 5000 sidor");
    for (name, pdf) in testpdf::loops() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&file, &pdf).unwrap();
        let run = import(&file, 120);
        assert!(
            run.stderr.len() < 4096,
            "{name}: {} bytes on standard error",
            run.stderr.len()
        );
        if !run.success {
            let stderr = String::from_utf8_lossy(&run.stderr);
            assert!(
                stderr.contains("PDF-filen") || stderr.contains("texten"),
                "{name}: {stderr}"
            );
        }
    }
    refused(
        "no-xref-cycle",
        &testpdf::loops().pop().unwrap().1,
        "sidträdet hänvisar tillbaka",
    );
    refused(
        "bomb",
        &testpdf::flate_page(&testpdf::zeros_deflate(2048)),
        "PDF-filen",
    );
}

#[test]
fn a_protocol_pdf_is_read_through_the_worker() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../import/tests/import/alvby-kf-2024-11-25.txt"),
    )
    .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let pages: Vec<&[&str]> = lines.chunks(50).collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alvby.pdf");
    std::fs::write(&file, testpdf::text_pdf(&pages)).unwrap();
    let run = import(&file, 120);
    assert!(run.success, "{}", String::from_utf8_lossy(&run.stderr));
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert!(!json["paragraphs"].as_array().unwrap().is_empty(), "{json}");
}

#[test]
fn the_real_worker_under_tight_limits() {
    let worker = Path::new(KANSLI);
    // A deadline: 4 000 pages cannot be read in a tenth of a second.
    let limits = Limits {
        deadline: Duration::from_millis(100),
        ..Limits::default()
    };
    let e =
        pdf_text_isolated(worker, &WORKER_ARGS, &testpdf::many_pages(4000), &limits).unwrap_err();
    assert!(matches!(e, ImportError::PdfTimeout(_)), "{e:?}");
    assert!(e.to_string().contains("inom"), "{e}");
    // A bomb under a small address space ends as an error, whichever limit
    // (the inflate cap or the memory) it meets first.
    let limits = Limits {
        memory_bytes: 768 << 20,
        ..Limits::default()
    };
    let bomb = testpdf::flate_page(&testpdf::zeros_deflate(4096));
    let e = pdf_text_isolated(worker, &WORKER_ARGS, &bomb, &limits).unwrap_err();
    assert!(e.to_string().starts_with("PDF-"), "{e}");
    // An output cap: ten pages of text under a 100-byte cap.
    let limits = Limits {
        max_output_bytes: 100,
        ..Limits::default()
    };
    let many: Vec<&[&str]> = vec![&["Kommunfullmäktige sammanträder i stadshuset"]; 10];
    let e =
        pdf_text_isolated(worker, &WORKER_ARGS, &testpdf::text_pdf(&many), &limits).unwrap_err();
    assert!(matches!(e, ImportError::PdfLimit(_)), "{e:?}");
    // And text, through the same worker.
    let text = pdf_text_isolated(
        worker,
        &WORKER_ARGS,
        &testpdf::text_pdf(&[&["Hej på dig"]]),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(text.trim(), "Hej på dig");
}
