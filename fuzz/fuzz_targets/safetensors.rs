//! The SAE importers: a bare safetensors file, or (input starting with `{`) a SAELens
//! `cfg.json` and its weights, separated by the first blank line. Any bytes are rejected with
//! an `ImportError`, or give a float SAE that exports to a blob the device loader accepts and
//! encodes with, without panicking. Run: `cargo +nightly fuzz run safetensors --fuzz-dir fuzz`
#![no_main]

use hyperbits::sae::{Input, LatentVec, Sae};
use hyperbits::train::sae::export::ExportOptions;
use hyperbits::train::sae::import::{from_parts, from_safetensors, ImportOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = match data.len() % 3 {
        0 => Input::Bits,
        1 => Input::DensePerRow,
        _ => Input::Dense,
    };
    let options = ImportOptions {
        input,
        k: (data.len() % 5 == 0).then_some(4),
        ..ImportOptions::default()
    };
    let imported = match data.windows(2).position(|w| w == b"\n\n") {
        Some(at) if data.first() == Some(&b'{') => match std::str::from_utf8(&data[..at]) {
            Ok(cfg) => from_parts(cfg, &data[at + 2..], &options),
            Err(_) => return,
        },
        _ => from_safetensors(data, &options),
    };
    let Ok(float) = imported else {
        return;
    };
    // Keep the export small: a fuzzer-made header may declare large shapes.
    if float.d_in * float.h > 1 << 16 {
        return;
    }
    let calibration = vec![1.0; float.d_in];
    if let Ok(blob) = float.to_blob(&calibration, &ExportOptions::default()) {
        let aligned = hyperbits::model::AlignedBlob::new(&blob);
        let sae = Sae::from_bytes(aligned.as_bytes()).expect("an export must load");
        assert_eq!(sae.activation(), float.activation);
        if sae.input() != Input::Bits {
            let mut code = LatentVec::new();
            let x: Vec<f32> = (0..sae.d_in()).map(|j| j as f32 - 1.5).collect();
            sae.encode_dense(&x, &mut code)
                .expect("a float row encodes");
            sae.encode_f32(&x, &mut code).expect("a float row encodes");
        }
    }
});
