//! Times one signature (fresh key and leaf certificate included) on a
//! 19-page protocol-like PDF, and the verification of a file with three
//! signatures. Run with `cargo bench -p kansli-sign --bench sign` (release);
//! issue #16 asks for each under 50 ms.

#[path = "../tests/common/mod.rs"]
mod common;

use kansli_sign::{OrganisationPki, Signatory, prepare, sign, verify};
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut samples = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(std::hint::black_box(f()));
        samples.push(start.elapsed());
    }
    (median(samples), last.expect("at least one run"))
}

fn main() {
    let now = jiff::Timestamp::now();
    let pki = OrganisationPki::create("Region Halland", now).expect("PKI");
    let people: Vec<Signatory> = [
        ("Åsa Öberg", "ordförande"),
        ("Per Persson", "justerare"),
        ("Lena Lind", "sekreterare"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (name, role))| Signatory {
        name: (*name).into(),
        person_id: i as i64 + 1,
        role: (*role).into(),
    })
    .collect();

    let (render, pdf) = time(3, || common::protocol_pdf(19));
    let (prep, prepared) = time(10, || prepare(&pdf, &people).expect("prepare"));
    let (one, _) = time(20, || {
        sign(&prepared, &pki.signing_ca, &people[0], now).expect("sign")
    });

    let mut signed = prepared.clone();
    for person in &people {
        signed = sign(&signed, &pki.signing_ca, person, now).expect("sign");
    }
    let (check, report) = time(20, || {
        verify(&signed, pki.root.certificate()).expect("verify")
    });
    assert!(report.all_valid() && report.signatures.len() == 3);

    println!(
        "PDF: {} bytes, 19 pages; signed three times: {} bytes",
        pdf.len(),
        signed.len()
    );
    println!("render (typst, PDF/A-2a):        {render:>10.2?}");
    println!("prepare (3 fields, rewrite):     {prep:>10.2?}");
    println!("one signature (key + leaf + CMS): {one:>10.2?}");
    println!("verify three signatures:         {check:>10.2?}");
}
