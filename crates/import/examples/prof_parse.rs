//! The protocol reader on the project's test protocols, for profiling:
//! `tests/import`, `tests/layouts` and `tests/holdout` (`*.txt`), or the
//! files named on the command line, each parsed `ROUNDS` times (default 20).
//!
//! `cargo build --release -p kansli-import --example prof_parse`, then
//! `valgrind --tool=callgrind target/release/examples/prof_parse`: the
//! instruction count is repeatable where wall time on a shared machine is
//! not. With `DUMP=file` the results (or refusals) are written as JSON
//! instead, one line per file, to compare the reader before and after a
//! change.

use std::path::Path;

fn main() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files: Vec<std::path::PathBuf> = ["import", "layouts", "holdout"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(base.join(dir)).expect("test directory"))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let named: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    if !named.is_empty() {
        files = named;
    }
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("a test protocol");
            (p.display().to_string(), text)
        })
        .collect();
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();

    if let Ok(dump) = std::env::var("DUMP") {
        let mut out = String::new();
        for (name, text) in &texts {
            let name = name.rsplit('/').next().unwrap_or(name);
            match kansli_import::parse_protocol(text) {
                Ok(p) => out += &format!("{name} {}\n", serde_json::to_string(&p).unwrap()),
                Err(e) => out += &format!("{name} refused: {e}\n"),
            }
        }
        std::fs::write(dump, out).expect("dump file");
        return;
    }

    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    if std::env::var("BASELINE").is_ok() {
        // The bench's baseline: lines split and their whitespace collapsed.
        let mut n = 0usize;
        for _ in 0..rounds {
            for (_, text) in &texts {
                for l in text.lines() {
                    n += l.split_whitespace().collect::<Vec<_>>().join(" ").len();
                }
            }
        }
        println!("baseline: {n} bytes");
        return;
    }
    let t = std::time::Instant::now();
    let mut paragraphs = 0;
    for _ in 0..rounds {
        for (_, text) in &texts {
            paragraphs += kansli_import::parse_protocol(text).map_or(0, |p| p.paragraphs.len());
        }
    }
    let mb = (bytes * rounds) as f64 / 1e6;
    println!(
        "{} files, {:.3} MB x {rounds}: {paragraphs} paragraphs, {:.1} MB/s",
        texts.len(),
        bytes as f64 / 1e6,
        mb / t.elapsed().as_secs_f64()
    );
}
