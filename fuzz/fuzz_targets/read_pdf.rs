//! A PDF's text, read in this process, on arbitrary bytes: it must return
//! (text or a refusal) in bounded time, never abort, never loop. pdf_oxide
//! panics are caught by the reader (they run on its "pdf" thread) and are
//! refusals like any other; a panic anywhere else is a crash. The bytes
//! always start as a PDF, so that every input reaches pdf_oxide.
//! Run (from fuzz/): `cargo +nightly fuzz run --sanitizer none -O read_pdf corpus-pdf -- -max_len=4096 -timeout=10`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Once;

static HOOK: Once = Once::new();

fn limits() -> kansli_import::ReadLimits {
    kansli_import::ReadLimits {
        max_pages: 50,
        max_output_bytes: 1 << 20,
        deadline: std::time::Duration::from_secs(2),
        ..kansli_import::ReadLimits::default()
    }
}

fuzz_target!(|data: &[u8]| {
    HOOK.call_once(|| {
        // pdf_oxide's panics (caught) say nothing; any other is reported
        // by the hook libfuzzer-sys installed, which aborts.
        let fuzzer = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() != Some("pdf") {
                fuzzer(info);
            }
        }));
        log::set_max_level(log::LevelFilter::Off);
    });
    let mut pdf = Vec::with_capacity(data.len() + 9);
    if !kansli_import::looks_like_pdf(data) {
        pdf.extend_from_slice(b"%PDF-1.7\n");
    }
    pdf.extend_from_slice(data);
    if let Ok(text) = kansli_import::pdf_to_text_limited(&pdf, &limits()) {
        assert!(text.len() <= limits().max_output_bytes + 4096);
        if let Ok(p) = kansli_import::parse_protocol(&text) {
            let _ = p.to_json();
        }
    }
});
