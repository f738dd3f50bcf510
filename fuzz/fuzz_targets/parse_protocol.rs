//! The protocol reader on arbitrary text: it must return (a protocol or a
//! refusal), never panic, and never loop or allocate beyond the input's
//! size. Run: `cargo +nightly fuzz run parse_protocol fuzz/corpus`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(p) = kansli_import::parse_protocol(&text) {
        // Whatever was read serialises.
        let _ = p.to_json();
    }
});
