//! Fuzzes the model loaders: any byte string must be rejected with an `Error`, or load as a
//! classifier that predicts and names its classes, or as an SAE that encodes and decodes,
//! without panicking.
//!
//! Run (from the repository root): `cargo fuzz run model --fuzz-dir tests/fuzz`
#![no_main]

use hyperbits::classify::Classifier;
use hyperbits::model::{AlignedBlob, Model};
use hyperbits::sae::{Input, Sae, TopK};
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
    exercise_sae(data);
    // A bare HSAE blob with its own checksum made valid, to reach the checks behind it.
    if data.len() >= 52 && data.starts_with(b"HSAE") {
        let mut sealed = data.to_vec();
        let n = sealed.len();
        let crc = hyperbits::model::crc32(&sealed[..n - 4]);
        sealed[n - 4..].copy_from_slice(&crc.to_le_bytes());
        exercise_sae(&sealed);
    }
}

fn exercise_sae(data: &[u8]) {
    let Ok(sae) = Sae::from_bytes(data) else {
        return;
    };
    let mut top = TopK::<16>::new();
    let encoded = match sae.input() {
        Input::Bits => {
            let tail = u32::MAX >> (31 - (sae.d_in() - 1) % 32);
            sae.encode_bits(&vec![tail; sae.d_in().div_ceil(32)], &mut top)
        }
        Input::Dense => sae.encode_dense(&vec![1.0; sae.d_in()], &mut top),
    };
    if encoded.is_ok() {
        let _ = sae.decode(&top, &mut vec![0.0; sae.d_in()]);
        let _ = sae.decode_bits(&top, &mut vec![0; sae.d_in().div_ceil(32)]);
    }
}
