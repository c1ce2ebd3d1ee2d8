//! The classifier loader: any bytes are rejected with an `Error`, or load as a classifier that
//! predicts (with its confidence) and names its classes without panicking. Run:
//! `cargo +nightly fuzz run classifier --fuzz-dir fuzz`
#![no_main]

use hyperbits::classify::Classifier;
use hyperbits_fuzz::with_and_without_checksum;
use libfuzzer_sys::fuzz_target;

fn exercise<const W: usize>(c: &Classifier<'_, W>) {
    let features = vec![0.5f32; c.features().min(1024)];
    let _ = c.predict(&features);
    let _ = c.predict_with_confidence(&features);
    for k in 0..=c.classes() {
        let _ = c.label(k);
        let _ = c.prototype(k);
    }
    let _ = c.label(usize::MAX);
    let _ = c.prototype(usize::MAX);
}

fuzz_target!(|data: &[u8]| {
    with_and_without_checksum(data, |bytes| {
        if let Ok(c) = Classifier::<4>::from_bytes(bytes) {
            exercise(&c);
        }
        if let Ok(c) = Classifier::<64>::from_bytes(bytes) {
            exercise(&c);
        }
    });
});
