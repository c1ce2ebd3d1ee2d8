//! The threshold code read in place (`ThresholdCode::new` over stored thresholds): any bytes
//! are rejected with an `Error` or encode without panicking. Run:
//! `cargo +nightly fuzz run threshold_code --fuzz-dir fuzz`
#![no_main]

use hyperbits::encode::ThresholdCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&head, thresholds)) = data.split_first() else {
        return;
    };
    let features = usize::from(head % 9);
    if let Ok(code) = ThresholdCode::new(u64::from(head), features, thresholds) {
        let x: Vec<f32> = (0..features).map(|f| f as f32 - 2.5).collect();
        let mut out = vec![0u32; code.bits().div_ceil(32)];
        let _ = code.encode(&x, &mut out);
        let short = out.len().saturating_sub(1);
        let _ = code.encode(&x, &mut out[..short]);
    }
});
