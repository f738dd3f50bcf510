fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let mut docs = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        docs.push((std::fs::read(&p).unwrap(), p));
    }
    let bytes: usize = docs.iter().map(|d| d.0.len()).sum();
    let t = std::time::Instant::now();
    let mut times = Vec::new();
    for (d, p) in &docs {
        let s = std::time::Instant::now();
        let text = String::from_utf8_lossy(d);
        if let Ok(p) = kansli_import::parse_protocol(&text) { let _ = p.to_json(); }
        times.push((s.elapsed(), d.len(), p.clone()));
    }
    let s = t.elapsed().as_secs_f64();
    println!("{} units {:.2} MB: {:.0} units/s, {:.2} MB/s", docs.len(), bytes as f64/1e6, docs.len() as f64/s, bytes as f64/1e6/s);
    times.sort();
    for (e, n, p) in times.iter().rev().take(8) { println!("{e:?} {n} B {}", p.display()); }
}
