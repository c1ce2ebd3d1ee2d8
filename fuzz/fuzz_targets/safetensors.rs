//! The safetensors SAE importer: any bytes are rejected with an `ImportError`, or give a float
//! SAE that exports to a blob the device loader accepts, without panicking. Run:
//! `cargo +nightly fuzz run safetensors --fuzz-dir fuzz`
#![no_main]

use hyperbits::sae::{Input, Sae};
use hyperbits::train::sae::export::ExportOptions;
use hyperbits::train::sae::import::{from_safetensors, PreBias};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(float) = from_safetensors(data, 4, Input::Bits, PreBias::None) else {
        return;
    };
    // Keep the export small: a fuzzer-made header may declare large shapes.
    if float.d_in * float.h <= 1 << 16 {
        if let Ok(blob) = float.to_blob(&[], &ExportOptions::default()) {
            let aligned = hyperbits::model::AlignedBlob::new(&blob);
            assert!(
                Sae::from_bytes(aligned.as_bytes()).is_ok(),
                "an export must load"
            );
        }
    }
});
