//! Fuzzes the model loader: any byte string must be rejected with an `Error`, or load as a
//! classifier that predicts and names its classes without panicking.
//!
//! Run (from the repository root): `cargo fuzz run model --fuzz-dir tests/fuzz`
#![no_main]

use hyperbits::classify::Classifier;
use hyperbits::model::{AlignedBlob, Model};
use libfuzzer_sys::fuzz_target;

fn exercise<const W: usize>(c: &Classifier<'_, W>) {
    let features = vec![0.5f32; c.features().min(1024)];
    let _ = c.predict(&features);
    for k in 0..=c.classes() {
        let _ = c.label(k);
        let _ = c.prototype(k);
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    // The same bytes with a valid checksum, so mutations reach the checks behind the CRC.
    if data.len() >= 20 {
        let mut sealed = data.to_vec();
        let n = sealed.len();
        let crc = hyperbits::model::crc32(&sealed[..n - 4]);
        sealed[n - 4..].copy_from_slice(&crc.to_le_bytes());
        check(&sealed);
    }
});

fn check(data: &[u8]) {
    let blob = AlignedBlob::new(data);
    if let Ok(model) = Model::new_checked(blob.as_bytes()) {
        let _ = model.section(*b"CPAR");
        let _ = model.section_u32(*b"CLSV");
        let _ = model.section_f32(*b"SMIN");
    }
    if let Ok(c) = Classifier::<4>::from_bytes(blob.as_bytes()) {
        exercise(&c);
    }
    if let Ok(c) = Classifier::<64>::from_bytes(blob.as_bytes()) {
        exercise(&c);
    }
}
