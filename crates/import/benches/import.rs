//! Import throughput, on one core.
//!
//! Text: a corpus made by repeating the project's test protocols
//! (`tests/import/*.txt`) and our own rendition of the demo protocol, each
//! copy varied (names, dates, paragraph numbers shifted), parsed one
//! document at a time. Reported as MB of text per second, against a
//! baseline in the same run: the least any reader does, splitting the same
//! text into lines and collapsing their whitespace. The peak resident
//! memory is read before and after, to show it is bounded by one document,
//! not the corpus.
//!
//! PDF: the demo protocol rendered to PDF (19 pages), its text extracted
//! with the built-in extraction, in pages per second, against poppler's
//! `pdftotext -layout` (one process per document) when it is installed.
//!
//! Run: `cargo bench -p kansli-import --bench import`.

use kansli_documents::view::Audience;
use kansli_documents::{Format, Request, load, render};
use kansli_import::{parse_protocol, pdf_to_text};
use std::time::{Duration, Instant};

const COPIES: usize = 200;
const RUNS: usize = 7;

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// Peak resident set size of this process, in kB (Linux).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A copy of `text` that differs from the others: names, dates and
/// paragraph numbers changed the way another meeting's would be.
fn vary(text: &str, i: usize) -> String {
    let year = 2000 + (i % 25);
    text.replace("2024-", &format!("{year}-"))
        .replace("2025-", &format!("{}-", year + 1))
        .replace(
            "Karin Ek",
            ["Karin Ek", "Kerstin Ekholm", "Karl Eklund"][i % 3],
        )
        .replace(
            "Anders Nyberg",
            ["Anders Nyberg", "Anna Nyström", "Ali Nasser"][i % 3],
        )
        .replace("§ 7", &format!("§ {}", 7 + i % 3))
}

fn main() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("kansli.db");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (protocol_text, pdf) = runtime.block_on(async {
        let store = kansli_store::Store::connect(&db.display().to_string())
            .await
            .expect("database");
        kansli_demo::load(&store).await.expect("demo data");
        let meeting = kansli_core::MeetingId(1);
        // The demo's meeting is not justerat: the public has no protocol
        // yet, the secretariat's draft is what there is to render.
        let doc = load(&store, &Request::Protocol { meeting }, Audience::Official)
            .await
            .expect("protocol");
        (
            String::from_utf8(render(&doc, Format::Text).expect("text")).expect("utf-8"),
            render(&doc, Format::Pdf).expect("pdf"),
        )
    });

    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import");
    let mut seeds = vec![protocol_text];
    for name in ["alvby-kf-2024-11-25.txt", "norrvik-sn-2024-10-15.txt"] {
        seeds.push(std::fs::read_to_string(base.join(name)).expect("test protocol"));
    }
    let corpus: Vec<String> = (0..COPIES)
        .map(|i| vary(&seeds[i % seeds.len()], i))
        .collect();
    let bytes: usize = corpus.iter().map(String::len).sum();
    let largest = corpus.iter().map(String::len).max().unwrap_or(0);
    for d in &corpus {
        parse_protocol(d).expect("every copy is a protocol");
    }

    let rss_before = peak_rss_kb();
    let mut parse = Vec::new();
    let mut lines = Vec::new();
    let mut paragraphs = 0usize;
    for _ in 0..RUNS {
        let t = Instant::now();
        for d in &corpus {
            paragraphs += parse_protocol(d).map(|p| p.paragraphs.len()).unwrap_or(0);
        }
        parse.push(t.elapsed());
        let t = Instant::now();
        let mut n = 0usize;
        for d in &corpus {
            for l in d.lines() {
                n += l.split_whitespace().collect::<Vec<_>>().join(" ").len();
            }
        }
        std::hint::black_box(n);
        lines.push(t.elapsed());
    }
    let rss_after = peak_rss_kb();
    std::hint::black_box(paragraphs);
    let mb = bytes as f64 / 1e6;
    let (parse, lines) = (median(parse), median(lines));
    println!(
        "corpus: {COPIES} protocols, {:.2} MB, largest {:.1} kB",
        mb,
        largest as f64 / 1e3
    );
    println!(
        "parse_protocol:             {:>8.1} MB/s  ({:.2} ms per protocol)",
        mb / parse.as_secs_f64(),
        parse.as_secs_f64() * 1e3 / COPIES as f64
    );
    println!(
        "baseline, lines collapsed:  {:>8.1} MB/s",
        mb / lines.as_secs_f64()
    );
    println!(
        "ratio parse / baseline time: {:.1}",
        parse.as_secs_f64() / lines.as_secs_f64()
    );
    if let (Some(a), Some(b)) = (rss_before, rss_after) {
        println!(
            "peak RSS: {a} kB before the timed runs, {b} kB after (growth {} kB; corpus {} kB)",
            b.saturating_sub(a),
            bytes / 1000
        );
    }

    // PDF text extraction.
    let pages = pdf_to_text(&pdf).expect("text").matches('\u{c}').count() + 1;
    let mut extract = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        std::hint::black_box(pdf_to_text(&pdf).expect("text"));
        extract.push(t.elapsed());
    }
    let extract = median(extract);
    println!(
        "pdf_to_text (pdf_oxide):    {:>8.0} pages/s ({pages} pages in {:.1} ms)",
        pages as f64 / extract.as_secs_f64(),
        extract.as_secs_f64() * 1e3
    );
    let file = dir.path().join("protokoll.pdf");
    std::fs::write(&file, &pdf).expect("write pdf");
    let poppler: Vec<Duration> = (0..RUNS)
        .filter_map(|_| {
            let t = Instant::now();
            let ok = std::process::Command::new("pdftotext")
                .args(["-layout"])
                .arg(&file)
                .arg("-")
                .output()
                .ok()?
                .status
                .success();
            ok.then(|| t.elapsed())
        })
        .collect();
    if poppler.is_empty() {
        println!("pdftotext -layout: not installed, baseline skipped");
    } else {
        let p = median(poppler);
        println!(
            "pdftotext -layout (poppler, one process): {:>6.0} pages/s ({:.1} ms); ratio {:.2}",
            pages as f64 / p.as_secs_f64(),
            p.as_secs_f64() * 1e3,
            p.as_secs_f64() / extract.as_secs_f64()
        );
    }
}
