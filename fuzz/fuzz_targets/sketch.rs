//! The sketch loaders (Bloom and blocked Bloom): any bytes are rejected with an `Error`, or
//! give a sketch that answers queries without panicking. Run:
//! `cargo +nightly fuzz run sketch --fuzz-dir fuzz`
#![no_main]

use hyperbits::sketch::{BlockedBloom, Bloom};
use hyperbits_fuzz::with_and_without_checksum;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    with_and_without_checksum(data, |bytes| {
        if let Ok(b) = Bloom::from_bytes(bytes) {
            let _ = (b.contains(0), b.contains(u64::MAX), b.estimate_len());
            let _ = b.estimate_intersection(&b);
        }
        if let Ok(b) = BlockedBloom::from_bytes(bytes) {
            let _ = (b.contains(0), b.contains(u64::MAX));
        }
    });
});
