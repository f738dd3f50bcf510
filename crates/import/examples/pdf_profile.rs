//! Profiling aid (not a test): `pdf_profile write FILE` renders the demo
//! protocol to FILE; `pdf_profile read FILE N` extracts its text N times
//! (for valgrind --tool=callgrind).
use kansli_documents::view::Audience;
use kansli_documents::{Format, Request, load, render};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args[1].as_str() {
        "write" => {
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("kansli.db");
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let pdf = rt.block_on(async {
                let store = kansli_store::Store::connect(&db.display().to_string())
                    .await
                    .unwrap();
                kansli_demo::load(&store).await.unwrap();
                let doc = load(
                    &store,
                    &Request::Protocol {
                        meeting: kansli_core::MeetingId(1),
                    },
                    Audience::Official,
                )
                .await
                .unwrap();
                render(&doc, Format::Pdf).unwrap()
            });
            std::fs::write(&args[2], pdf).unwrap();
        }
        _ => {
            let pdf = std::fs::read(&args[2]).unwrap();
            let n: usize = args[3].parse().unwrap();
            let t = std::time::Instant::now();
            let mut len = 0;
            for _ in 0..n {
                len += kansli_import::pdf_to_text(&pdf).unwrap().len();
            }
            eprintln!(
                "{len} bytes, {:.2} ms each",
                t.elapsed().as_secs_f64() * 1e3 / n as f64
            );
        }
    }
}
