//! The ensemble loader: any bytes are rejected with an `Error`, or load as an ensemble (or a
//! classifier, an ensemble of one) that votes, states its confidence and names its classes
//! without panicking. Run: `cargo +nightly fuzz run ensemble --fuzz-dir fuzz`
#![no_main]

use hyperbits::ensemble::Ensemble;
use hyperbits_fuzz::with_and_without_checksum;
use libfuzzer_sys::fuzz_target;

fn exercise<const W: usize>(e: &Ensemble<'_, W, 4>) {
    let features = vec![0.5f32; e.features().min(1024)];
    let _ = e.predict(&features);
    let _ = e.predict_with_confidence(&features);
    let mut distances = vec![0u32; e.classes().min(1024)];
    let _ = e.distances(&features, &mut distances);
    for k in 0..=e.classes().min(1024) {
        let _ = e.label(k);
    }
}

fuzz_target!(|data: &[u8]| {
    with_and_without_checksum(data, |bytes| {
        if let Ok(e) = Ensemble::<4, 4>::from_bytes(bytes) {
            exercise(&e);
        }
        if let Ok(e) = Ensemble::<64, 4>::from_bytes(bytes) {
            exercise(&e);
        }
    });
});
