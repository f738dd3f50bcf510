//! Rendering the demo's 2025-01-28 protocol (Regionstyrelsens
//! arbetsutskott, 15 paragraphs, two voteringslistor) to PDF, warm, and in
//! the same run the baseline a municipality uses today: LibreOffice
//! (headless, Debian's package) converting the HTML rendition of the same
//! protocol to PDF.
//!
//! Run: `cargo bench -p kansli-documents --bench render`. Prints a table of
//! medians and spreads, and the ratios. Without `soffice` on the PATH the
//! baseline is skipped and says so.
//!
//! LibreOffice is measured two ways: one process per document (how a script
//! or a document system calls it), and a batch of documents in one process
//! (its startup spread over the batch), so the ratio is not flattered by
//! process start alone.

use kansli_documents::view::Audience;
use kansli_documents::{Format, Request, load, render};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 40;
const LIBREOFFICE_RUNS: usize = 5;
const BATCH: usize = 10;

fn stats(mut xs: Vec<Duration>) -> (Duration, Duration, Duration) {
    xs.sort();
    let median = xs[xs.len() / 2];
    let p90 = xs[(xs.len() * 9 / 10).min(xs.len() - 1)];
    (xs[0], median, p90)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn time<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let t = Instant::now();
    let out = f();
    (t.elapsed(), out)
}

fn main() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = dir.path().join("kansli.db");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let doc = runtime.block_on(async {
        let store = kansli_store::Store::connect(&db.display().to_string())
            .await
            .expect("database");
        kansli_demo::load(&store).await.expect("demo data");
        let meeting = store
            .all_meetings()
            .await
            .expect("meetings")
            .into_iter()
            .find(|m| {
                m.body.name == "Regionstyrelsens arbetsutskott"
                    && m.meeting.date.to_string() == "2025-01-28"
            })
            .expect("the 2025-01-28 meeting")
            .meeting
            .id;
        load(&store, &Request::Protocol { meeting }, Audience::Public)
            .await
            .expect("protocol")
    });

    // Warm: fonts and the typst library loaded, caches filled.
    let pdf = render(&doc, Format::Pdf).expect("pdf");
    for _ in 0..3 {
        render(&doc, Format::Pdf).expect("pdf");
    }
    let pages = count_pages(&pdf);
    // The headline figure: a warm process (fonts and library loaded) laying
    // out the protocol afresh, typst's memo cache emptied before each run,
    // as when a server renders a protocol it has not rendered before.
    let mut fresh = Vec::new();
    // The same document again with the memo cache kept (a reload).
    let mut memoised = Vec::new();
    let mut html_times = Vec::new();
    let mut text_times = Vec::new();
    for _ in 0..RUNS {
        typst::comemo::evict(0);
        fresh.push(time(|| render(&doc, Format::Pdf).expect("pdf")).0);
        memoised.push(time(|| render(&doc, Format::Pdf).expect("pdf")).0);
        html_times.push(time(|| render(&doc, Format::Html).expect("html")).0);
        text_times.push(time(|| render(&doc, Format::Text).expect("text")).0);
    }
    let (pdf_min, pdf_median, pdf_p90) = stats(fresh);
    let (memo_min, memo_median, memo_p90) = stats(memoised);
    let (_, html_median, _) = stats(html_times);
    let (_, text_median, _) = stats(text_times);

    println!(
        "Protokoll Regionstyrelsens arbetsutskott 2025-01-28: {} sidor, {} byte PDF",
        pages.map_or("?".into(), |n| n.to_string()),
        pdf.len()
    );
    println!();
    println!("{:<52} {:>10} {:>10} {:>10}", "", "min", "median", "p90");
    println!(
        "{:<52} {:>10} {:>10} {:>10}",
        format!("Kansli PDF/A-2a, varm process, ny sättning ({RUNS})"),
        ms(pdf_min),
        ms(pdf_median),
        ms(pdf_p90)
    );
    println!(
        "{:<52} {:>10} {:>10} {:>10}",
        format!("Kansli PDF/A-2a, samma dokument igen, memo ({RUNS})"),
        ms(memo_min),
        ms(memo_median),
        ms(memo_p90)
    );
    println!("{:<52} {:>10} {:>10}", "Kansli, HTML", "", ms(html_median));
    println!("{:<52} {:>10} {:>10}", "Kansli, text", "", ms(text_median));

    let html = render(&doc, Format::Html).expect("html");
    let work = dir.path().join("libreoffice");
    std::fs::create_dir_all(&work).expect("work directory");
    let profile = format!("file://{}", work.join("profile").display());
    let soffice = |files: &[std::path::PathBuf]| -> Result<Duration, String> {
        let out = work.join("out");
        let started = Instant::now();
        let status = Command::new("soffice")
            .arg(format!("-env:UserInstallation={profile}"))
            .args([
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
            ])
            .arg(&out)
            .args(files)
            .output()
            .map_err(|e| e.to_string())?;
        let elapsed = started.elapsed();
        if !status.status.success() {
            return Err(String::from_utf8_lossy(&status.stderr).into_owned());
        }
        for f in files {
            let pdf = out.join(f.with_extension("pdf").file_name().unwrap());
            if !pdf.exists() {
                return Err(format!("no PDF for {}", f.display()));
            }
        }
        Ok(elapsed)
    };
    let one = work.join("protokoll.html");
    std::fs::write(&one, &html).expect("html file");
    // The first start creates LibreOffice's profile; not measured.
    if let Err(e) = soffice(std::slice::from_ref(&one)) {
        println!();
        println!("*** LibreOffice (soffice) not available, baseline skipped: {e}");
        println!("*** Debian: apt-get install libreoffice-writer-nogui");
        return;
    }
    let mut cold = Vec::new();
    for _ in 0..LIBREOFFICE_RUNS {
        cold.push(soffice(std::slice::from_ref(&one)).expect("soffice"));
    }
    let batch: Vec<std::path::PathBuf> = (0..BATCH)
        .map(|i| {
            let f = work.join(format!("protokoll-{i}.html"));
            std::fs::write(&f, &html).expect("html file");
            f
        })
        .collect();
    let mut per_doc_in_batch = Vec::new();
    for _ in 0..3 {
        per_doc_in_batch.push(soffice(&batch).expect("soffice") / BATCH as u32);
    }
    let (cold_min, cold_median, cold_p90) = stats(cold);
    let (batch_min, batch_median, batch_p90) = stats(per_doc_in_batch);
    println!(
        "{:<52} {:>10} {:>10} {:>10}",
        format!("LibreOffice HTML→PDF, en process per dokument ({LIBREOFFICE_RUNS})"),
        ms(cold_min),
        ms(cold_median),
        ms(cold_p90)
    );
    println!(
        "{:<52} {:>10} {:>10} {:>10}",
        format!("LibreOffice HTML→PDF, {BATCH} per process, per dokument"),
        ms(batch_min),
        ms(batch_median),
        ms(batch_p90)
    );
    println!();
    let ratio = |base: Duration| base.as_secs_f64() / pdf_median.as_secs_f64();
    println!(
        "Kansli är {:.0} gånger snabbare än LibreOffice med en process per dokument, {:.0} gånger snabbare än LibreOffice i batch (medianer).",
        ratio(cold_median),
        ratio(batch_median)
    );
}

/// Pages in the PDF, from poppler's pdfinfo when installed.
fn count_pages(pdf: &[u8]) -> Option<usize> {
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join("p.pdf");
    std::fs::write(&path, pdf).ok()?;
    let out = Command::new("pdfinfo").arg(&path).output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
}
