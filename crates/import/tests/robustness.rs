//! Hostile and pathological inputs: each is read or refused within a
//! (generous) deadline, with a Swedish error, and bounded output. The
//! files are made here (kansli_import::testpdf), not stored, except the
//! inputs the fuzzer (fuzz/, target read_pdf) found crashes on, kept in
//! tests/robustness/ as regressions.
//!
//! The sandbox's own machinery (deadline, output cap, a crash, the exit
//! codes) is checked with stand-in workers from /bin/sh; the real worker
//! (the kansli binary) on the same files is checked in
//! crates/cli/tests/pdf_robustness.rs.

use kansli_import::sandbox::{Limits, exit, pdf_text_isolated};
use kansli_import::{ImportError, parse_protocol, pdf_to_text, read_protocol, testpdf};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// Runs `f` on a thread and fails the test if it has not finished within
/// `secs` (deliberately generous: unoptimised builds on a shared machine).
fn within<T: Send + 'static>(secs: u64, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("thread");
    rx.recv_timeout(Duration::from_secs(secs))
        .unwrap_or_else(|_| panic!("{what}: not finished within {secs} s"))
}

fn swedish(e: &ImportError) {
    let m = e.to_string();
    assert!(
        m.starts_with("PDF-filen") || m.starts_with("PDF-läsaren") || m.starts_with("texten"),
        "not a Swedish refusal: {m}"
    );
}

/// Each input the PDF fuzz target crashed on is now read or refused, with
/// its text bounded, as the target checks it.
#[test]
fn what_the_fuzzer_found_is_read_or_refused() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/robustness");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/robustness")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    for file in files {
        let bytes = std::fs::read(&file).expect("read");
        let name = file.display().to_string();
        let limits = kansli_import::ReadLimits {
            max_pages: 50,
            max_output_bytes: 1 << 20,
            deadline: Duration::from_secs(2),
            ..kansli_import::ReadLimits::default()
        };
        let read = within(60, &name, move || {
            kansli_import::pdf_to_text_limited(&bytes, &limits).map(|text| {
                (
                    text.len(),
                    parse_protocol(&text).map(|p| p.to_json()).is_ok(),
                )
            })
        });
        match read {
            Ok((len, _)) => assert!(len <= (1 << 20) + 4096, "{name}: {len} bytes of text"),
            Err(e) => swedish(&e),
        }
    }
}

#[test]
fn deep_nesting_is_refused_before_it_is_parsed() {
    for dicts in [false, true] {
        // About 400 kB of nesting, as in the probe's file.
        let pdf = testpdf::deeply_nested(if dicts { 60_000 } else { 200_000 }, dicts);
        assert!(pdf.len() > 390_000, "{}", pdf.len());
        let e = within(60, "deep nesting", move || pdf_to_text(&pdf)).unwrap_err();
        assert!(matches!(e, ImportError::PdfLimit(_)), "{e:?}");
        assert!(e.to_string().contains("nästlade"), "{e}");
        swedish(&e);
    }
    // Nesting within the limit is read.
    let text = pdf_to_text(&testpdf::deeply_nested(40, false)).expect("shallow enough");
    assert!(text.contains("Djup"), "{text}");
}

#[test]
fn ten_thousand_pages_are_refused() {
    let pdf = testpdf::many_pages(10_000);
    let e = within(300, "10 000 pages", move || pdf_to_text(&pdf)).unwrap_err();
    assert!(matches!(e, ImportError::PdfLimit(_)), "{e:?}");
    assert!(e.to_string().contains("sidor"), "{e}");
    swedish(&e);
    // A long document within the limit is read, every page.
    let text = pdf_to_text(&testpdf::many_pages(300)).expect("300 pages");
    assert_eq!(text.matches('\u{c}').count(), 299);
}

#[test]
fn reference_loops_end() {
    for (name, pdf) in testpdf::loops() {
        assert!(pdf.len() < 700, "{name}: {} bytes", pdf.len());
        let result = within(60, name, move || pdf_to_text(&pdf));
        match result {
            Ok(text) => assert!(text.len() < 1000, "{name}: {text}"),
            Err(e) => swedish(&e),
        }
    }
    // The page tree whose nodes are each other's kids (which pdf_oxide's
    // own count walks 3^50 times) is named for what it is.
    let (_, pdf) = testpdf::loops()
        .into_iter()
        .find(|(n, _)| *n == "no-xref-cycle")
        .expect("in the list");
    assert!(pdf.len() < 253, "smaller than the probe's file");
    let e = pdf_to_text(&pdf).unwrap_err();
    assert!(e.to_string().contains("sidträdet"), "{e}");
}

#[test]
fn a_decompression_bomb_is_bounded() {
    // 1 GiB of zeros in about a megabyte; pdf_oxide stops inflating at its
    // cap (256 MB), far below.
    let pdf = testpdf::flate_page(&testpdf::zeros_deflate(1024));
    assert!(pdf.len() < 4 << 20, "{}", pdf.len());
    match within(300, "bomb", move || pdf_to_text(&pdf)) {
        Ok(text) => assert!(text.len() < 1 << 20),
        Err(e) => swedish(&e),
    }
}

#[test]
fn a_page_without_text_is_no_text_for_ocr() {
    let pdf = testpdf::assemble(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        testpdf::stream("", b"0 0 1 rg 50 50 400 600 re f"),
    ]);
    assert_eq!(pdf_to_text(&pdf), Err(ImportError::NoText));
    assert!(ImportError::NoText.to_string().contains("OCR"));
}

/// The project's test protocol, set as a PDF of 50 lines a page.
fn protocol_pdf() -> Vec<u8> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/alvby-kf-2024-11-25.txt"),
    )
    .expect("test protocol");
    let lines: Vec<&str> = text.lines().collect();
    let pages: Vec<&[&str]> = lines.chunks(50).collect();
    testpdf::text_pdf(&pages)
}

#[test]
fn a_protocol_pdf_is_read() {
    let pdf = protocol_pdf();
    let protocol = read_protocol(&pdf).expect("a protocol");
    assert!(!protocol.paragraphs.is_empty(), "{protocol:?}");
}

#[test]
fn a_hundred_megabytes_of_text_end() {
    // One protocol and then 100 MB of paragraphs; and 100 MB on one line.
    let head = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/alvby-kf-2024-11-25.txt"),
    )
    .expect("test protocol");
    let mut text = head.clone();
    // Headings in the protocol's own style, numbered on from its last
    // (the reader refuses a heading in another style, or a jump).
    let mut n = 76;
    while text.len() < 100 << 20 {
        text.push_str(&format!(
            "\nKF § {n}\t\tDnr KS 2024/{n}\nÄrende nummer {n}\n\nBeslut\nKommunfullmäktige beslutar att bifalla förslaget.\n"
        ));
        n += 1;
    }
    let p = within(900, "100 MB of paragraphs", move || parse_protocol(&text)).expect("a protocol");
    assert!(p.paragraphs.len() > 1000, "{}", p.paragraphs.len());
    let line = "x".repeat(100 << 20);
    let r = within(900, "100 MB on one line", move || parse_protocol(&line));
    assert!(matches!(r, Err(ImportError::NotAProtocol(_))), "{r:?}");
}

// The sandbox's machinery, with stand-in workers.

fn sh(script: &str, limits: &Limits) -> Result<String, ImportError> {
    pdf_text_isolated(Path::new("/bin/sh"), &["-c", script], b"%PDF-1.7\n", limits)
}

#[test]
fn the_sandbox_kills_a_worker_at_its_deadline() {
    let limits = Limits {
        deadline: Duration::from_secs(1),
        ..Limits::default()
    };
    let e = within(60, "sleeping worker", move || sh("sleep 100", &limits)).unwrap_err();
    assert_eq!(e, ImportError::PdfTimeout(1));
    assert_eq!(e.to_string(), "PDF-filen kunde inte läsas inom 1 s");
}

#[test]
fn the_sandbox_caps_output_and_standard_error() {
    let limits = Limits {
        max_output_bytes: 1 << 20,
        ..Limits::default()
    };
    let e = within(60, "flooding worker", move || {
        sh("cat /dev/zero", &limits.clone())
    })
    .unwrap_err();
    assert!(matches!(e, ImportError::PdfLimit(_)), "{e:?}");
    // Standard error without end (the probe's 4 GB) is drained and
    // dropped, until the deadline ends the worker.
    let limits = Limits {
        deadline: Duration::from_secs(2),
        ..Limits::default()
    };
    let e = within(60, "chattering worker", move || {
        sh("cat /dev/zero >&2", &limits)
    })
    .unwrap_err();
    assert_eq!(e, ImportError::PdfTimeout(2));
}

#[test]
fn the_sandbox_maps_exits_and_crashes_to_errors() {
    let l = Limits::default();
    assert_eq!(sh("cat >/dev/null; printf 'Hej'", &l), Ok("Hej".into()));
    assert_eq!(
        sh(&format!("exit {}", exit::NO_TEXT), &l),
        Err(ImportError::NoText)
    );
    assert_eq!(
        sh(
            &format!("printf 'fler än 5000 sidor'; exit {}", exit::LIMIT),
            &l
        ),
        Err(ImportError::PdfLimit("fler än 5000 sidor".into()))
    );
    let e = sh("kill -SEGV $$", &l).unwrap_err();
    assert!(matches!(e, ImportError::PdfCrashed(_)), "{e:?}");
    swedish(&e);
    let e = sh(
        "echo \"thread 'pdf' has overflowed its stack\" >&2; kill -ABRT $$",
        &l,
    )
    .unwrap_err();
    assert!(e.to_string().contains("stacken"), "{e}");
    let e = sh(
        "echo 'memory allocation of 1073741824 bytes failed' >&2; kill -ABRT $$",
        &l,
    )
    .unwrap_err();
    assert_eq!(e, ImportError::PdfMemory(1024));
    // Writing a file is not allowed (RLIMIT_FSIZE 0).
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("x");
    let e = sh(&format!("head -c 10 /dev/zero > {}", file.display()), &l).unwrap_err();
    assert!(matches!(e, ImportError::PdfCrashed(_)), "{e:?}");
    // No such worker.
    let e = pdf_text_isolated(Path::new("/nonexistent/kansli"), &[], b"%PDF-1.7", &l).unwrap_err();
    assert!(matches!(e, ImportError::PdfWorker(_)), "{e:?}");
    swedish(&e);
    // What is not a PDF is refused without a worker.
    let e = pdf_text_isolated(Path::new("/nonexistent/kansli"), &[], b"hej", &l).unwrap_err();
    assert!(e.to_string().contains("%PDF-"), "{e}");
}

/// Writes the PDF fuzz target's seed corpus (small, valid and hostile
/// files): `cargo test -p kansli-import --test robustness -- --ignored write_fuzz_seeds`.
#[test]
#[ignore]
fn write_fuzz_seeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus-pdf");
    std::fs::create_dir_all(&dir).unwrap();
    let mut seeds: Vec<(String, Vec<u8>)> = vec![
        (
            "text".into(),
            testpdf::text_pdf(&[&["Hej", "Kommunfullmäktige"]]),
        ),
        (
            "protocol".into(),
            testpdf::text_pdf(&[
                &[
                    "Kommunstyrelsen  Sammanträdesprotokoll  2024-05-14",
                    "Plats och tid  Kommunhuset kl. 13.00-15.00",
                    "Beslutande  Anna Berg (S), ordförande",
                    "Utses att justera  Per Ek",
                ],
                &[
                    "§ 12  Budget 2025  Dnr KS 2024/17",
                    "Beslut",
                    "Kommunstyrelsen beslutar att godkänna budgeten.",
                    "Ledamot  Ja  Nej",
                    "Anna Berg (S)  X",
                ],
            ]),
        ),
        ("nested".into(), testpdf::deeply_nested(30, false)),
        ("nested-dicts".into(), testpdf::deeply_nested(30, true)),
        ("pages".into(), testpdf::many_pages(5)),
        (
            "flate".into(),
            testpdf::flate_page(&testpdf::zeros_deflate(1)[..64]),
        ),
    ];
    for (name, pdf) in testpdf::loops() {
        seeds.push((name.into(), pdf));
    }
    for (name, pdf) in seeds {
        assert!(pdf.len() < 4096, "{name}: {}", pdf.len());
        std::fs::write(dir.join(format!("{name}.pdf")), pdf).unwrap();
    }
}
