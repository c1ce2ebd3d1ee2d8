//! The Hopfield memory loader: any bytes are rejected with an `Error`, or give a memory that
//! recalls without panicking. Run: `cargo +nightly fuzz run hopfield --fuzz-dir fuzz`
#![no_main]

use hyperbits::hopfield::{HopfieldView, Update};
use hyperbits::{BinaryVector, Codebook};
use hyperbits_fuzz::with_and_without_checksum;
use libfuzzer_sys::fuzz_target;

fn exercise<const W: usize>(bytes: &[u8]) {
    if let Ok(m) = HopfieldView::<W>::from_bytes(bytes) {
        let cue: BinaryVector<W> = Codebook::new(1).vector(0);
        let _ = m.recall(&cue, Update::Synchronous, 3);
        let _ = m.len();
    }
}

fuzz_target!(|data: &[u8]| {
    with_and_without_checksum(data, |bytes| {
        exercise::<4>(bytes);
        exercise::<32>(bytes);
    });
});
