//! The protocol reader on arbitrary text: it must return (a protocol or a
//! refusal), never panic, and never loop or allocate beyond the input's
//! size. Run: `cargo +nightly fuzz run parse_protocol fuzz/corpus`.
//! For throughput (#19): cargo-fuzz's defaults are AddressSanitizer and
//! debug assertions, and libFuzzer's -max_len follows the largest seed
//! (7 kB here); safe Rust gains little from ASan, so
//! `cargo +nightly fuzz run --sanitizer none -O parse_protocol corpus -- -max_len=4096`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(p) = kansli_import::parse_protocol(&text) {
        // Whatever was read serialises.
        let _ = p.to_json();
    }
});
