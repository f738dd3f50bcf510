//! Issue #16's benchmark on the demo's real protocol: Regionstyrelsens
//! arbetsutskott 2025-01-28, the signed original (secret paragraphs
//! included), rendered by typst as when the secretary sends it for
//! justering, then
//!
//! - one signature: a fresh P-256 key and leaf certificate, the CMS and the
//!   incremental update (password hashing excluded: that is the sign-in's
//!   cost, not the signature's);
//! - the verification of the file signed three times (ordförande, justerare,
//!   sekreterare) against the organisation's root.
//!
//! Goal: each under 50 ms. The render time of the same protocol in the same
//! run is the baseline the figures are read against. Run (release):
//! `cargo bench -p kansli-web --bench signing`.

use kansli_documents::view::Audience;
use kansli_documents::{Format, Request, load, render};
use kansli_sign::{OrganisationPki, Signatory, prepare, sign, verify};
use std::time::{Duration, Instant};

const RUNS: usize = 30;

fn stats(mut xs: Vec<Duration>) -> (Duration, Duration, Duration) {
    xs.sort();
    (
        xs[0],
        xs[xs.len() / 2],
        xs[(xs.len() * 9 / 10).min(xs.len() - 1)],
    )
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn timed<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<Duration>, T) {
    let mut samples = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(std::hint::black_box(f()));
        samples.push(start.elapsed());
    }
    (samples, last.expect("at least one run"))
}

fn pages(pdf: &[u8]) -> usize {
    lopdf::Document::load_mem(pdf).map_or(0, |d| d.get_pages().len())
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
        load(&store, &Request::Protocol { meeting }, Audience::Official)
            .await
            .expect("protocol")
    });

    // Warm: fonts and typst's library loaded.
    let pdf = render(&doc, Format::Pdf).expect("pdf");
    let (render_times, _) = timed(RUNS, || {
        typst::comemo::evict(0);
        render(&doc, Format::Pdf).expect("pdf")
    });

    let now = jiff::Timestamp::now();
    let pki = OrganisationPki::create("Region Halland", now).expect("PKI");
    let root = pki.root;
    let issuer = pki
        .signing_ca
        .with_crl_url("http://127.0.0.1:8080/organisationer/1/signering/ca.crl")
        .expect("CRL address");
    let people: Vec<Signatory> = [
        ("Ordförande Demo", "ordförande"),
        ("Justerare Demo", "justerare"),
        ("Sekreterare Demo", "sekreterare"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (name, role))| Signatory {
        name: (*name).into(),
        person_id: i as i64 + 1,
        role: (*role).into(),
    })
    .collect();

    let (prepare_times, prepared) = timed(RUNS, || prepare(&pdf, &people).expect("prepare"));
    let (sign_times, _) = timed(RUNS, || {
        sign(&prepared, &issuer, &people[0], now).expect("sign")
    });
    let mut signed = prepared.clone();
    for person in &people {
        signed = sign(&signed, &issuer, person, now).expect("sign");
    }
    let (verify_times, report) = timed(RUNS, || {
        verify(&signed, root.certificate()).expect("verify")
    });
    assert!(report.all_valid() && report.signatures.len() == 3);

    println!(
        "Protokoll Regionstyrelsens arbetsutskott 2025-01-28 (original): {} sidor, {} byte; signerat tre gånger: {} byte",
        pages(&pdf),
        pdf.len(),
        signed.len()
    );
    println!();
    println!("{:<48} {:>10} {:>10} {:>10}", "", "min", "median", "p90");
    let rows = [
        ("sättning (typst, PDF/A-2a, memo tömd)", render_times),
        ("förberedelse (3 signaturfält, omskrivning)", prepare_times),
        ("en signatur (nyckel + certifikat + CMS)", sign_times),
        ("verifiering av tre signaturer", verify_times),
    ];
    let mut medians = vec![];
    for (name, times) in rows {
        let (min, median, p90) = stats(times);
        medians.push(median);
        println!(
            "{:<48} {:>10} {:>10} {:>10}",
            format!("{name} ({RUNS})"),
            ms(min),
            ms(median),
            ms(p90)
        );
    }
    let ratio = |x: Duration| x.as_secs_f64() / medians[0].as_secs_f64();
    println!();
    println!(
        "en signatur / sättning: {:.3}; verifiering / sättning: {:.3}; mål: var och en under 50 ms",
        ratio(medians[2]),
        ratio(medians[3])
    );
}
