//! The window-classifier loader and its stream: any bytes are rejected with an `Error`, or
//! load as a window classifier that streams samples (extreme ones included), classifies
//! whole windows and names its classes without panicking.
//! Run: `cargo +nightly fuzz run series --fuzz-dir fuzz`
#![no_main]

use hyperbits::series::{Dft, Stream, WindowClassifier};
use hyperbits_fuzz::with_and_without_checksum;
use libfuzzer_sys::fuzz_target;

fn exercise<const W: usize>(c: &WindowClassifier<'_, W, 4>, data: &[u8]) {
    let w = c.window();
    let samples: Vec<i16> = data
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .chain([i16::MIN, i16::MAX, 0])
        .cycle()
        .take(w.channels() * w.length())
        .collect();
    if let Ok(dft) = Dft::<1024>::new(w.length()) {
        let _ = c.predict_window(&samples, &dft);
    }
    let mut stream = Box::new(Stream::<4096, 1024>::new());
    for s in samples
        .chunks_exact(w.channels())
        .cycle()
        .take(2 * w.length() + 1)
    {
        let _ = stream.push(c, s);
    }
    for k in 0..=c.classes().min(1024) {
        let _ = c.label(k);
    }
}

fuzz_target!(|data: &[u8]| {
    with_and_without_checksum(data, |bytes| {
        if let Ok(c) = WindowClassifier::<4, 4>::from_bytes(bytes) {
            exercise(&c, data);
        }
        if let Ok(c) = WindowClassifier::<64, 4>::from_bytes(bytes) {
            exercise(&c, data);
        }
    });
});
