//! The SAE loader (HSAE v1, v2 and v3, bare or in the container): any bytes are rejected with an
//! `Error`, or load as an SAE that encodes and decodes without panicking. Run:
//! `cargo +nightly fuzz run sae --fuzz-dir fuzz`
#![no_main]

use hyperbits::sae::{Input, LatentVec, Sae, TopK};
use hyperbits_fuzz::with_and_without_checksum;
use libfuzzer_sys::fuzz_target;

fn exercise(bytes: &[u8]) {
    let Ok(sae) = Sae::from_bytes(bytes) else {
        return;
    };
    let mut top = TopK::<16>::new();
    let encoded = match sae.input() {
        Input::Bits => {
            let tail = u32::MAX >> (31 - (sae.d_in() - 1) % 32);
            sae.encode_bits(&vec![tail; sae.d_in().div_ceil(32)], &mut top)
        }
        Input::Dense | Input::DensePerRow => {
            let x: Vec<f32> = (0..sae.d_in()).map(|j| j as f32 * 0.25 - 1.0).collect();
            let mut code = LatentVec::new();
            let _ = sae.encode_f32(&x, &mut code);
            let _ = sae.encode_dense(&x, &mut code);
            let _ = sae.accumulators_dense(&x, &mut vec![0; sae.latents()]);
            sae.encode_dense(&x, &mut top)
        }
    };
    if encoded.is_ok() {
        let _ = sae.decode(&top, &mut vec![0.0; sae.d_in()]);
        let _ = sae.decode_bits(&top, &mut vec![0; sae.d_in().div_ceil(32)]);
    }
    let _ = sae.input_code();
}

fuzz_target!(|data: &[u8]| {
    // The checksum is the container's (last four bytes) or, for a bare HSAE blob, its own
    // (also the last four bytes), so one sealing serves both forms.
    with_and_without_checksum(data, exercise);
});
