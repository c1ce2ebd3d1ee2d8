//! SAE inference on the emulated MCU between the instruction-count markers
//! (`./insncount.sh <target> sae`): the bit-input SAEs of `data/sae.hbm` (D = 512, h = 32)
//! and `data/sae-64.hbm` (h = 64, the spec's size), k = 8, int8 weights read in place from
//! flash, encode one input and reconstruct it; the h = 32 results are checked against the
//! host's. Then the h = 64 model's packed ternary and binary encoders (popcount path).
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::sae::{Sae, TopK};
use hyperbits_qemu::{
    bench_start, bench_stop, entry, semihosting, u32_at, SAE64_BINARY_MODEL, SAE64_MODEL,
    SAE64_TERNARY_MODEL, SAE_DENSE_MODEL, SAE_DENSE_ROWS_MODEL, SAE_EXPECTED, SAE_MODEL,
};

/// An output buffer for the h = 64 reconstruction.
fn decoded_wide() -> [u32; 16] {
    [0; 16]
}

#[entry]
fn main() -> ! {
    let Ok(sae) = Sae::from_bytes(SAE_MODEL) else {
        semihosting::eprintln!("cannot load the SAE");
        semihosting::process::exit(1)
    };
    let input: [u32; 16] = core::array::from_fn(|i| u32_at(SAE_EXPECTED, 4 * i));
    let mut top = TopK::<8>::new();
    let mut decoded = [0u32; 16];
    semihosting::println!("region: (empty)");
    bench_start();
    bench_stop();
    semihosting::println!("region: SAE encode_bits (D=512, h=32, k=8, int8)");
    bench_start();
    let encoded = sae.encode_bits(black_box(&input), &mut top);
    bench_stop();
    semihosting::println!("region: SAE decode_bits (D=512, k=8, int8)");
    bench_start();
    let decoded_ok = sae.decode_bits(black_box(&top), &mut decoded);
    bench_stop();
    let Ok(wide) = Sae::from_bytes(SAE64_MODEL) else {
        semihosting::process::exit(1)
    };
    let mut top64 = TopK::<8>::new();
    semihosting::println!("region: SAE encode_bits (D=512, h=64, k=8, int8)");
    bench_start();
    let encoded64 = wide.encode_bits(black_box(&input), &mut top64);
    bench_stop();
    semihosting::println!("region: SAE decode_bits (D=512, h=64, k=8, int8)");
    bench_start();
    let decoded64 = wide.decode_bits(black_box(&top64), &mut decoded_wide());
    bench_stop();
    let mut packed_ok = true;
    for (name, model) in [
        ("ternary", SAE64_TERNARY_MODEL),
        ("binary", SAE64_BINARY_MODEL),
    ] {
        let Ok(packed) = Sae::from_bytes(model) else {
            semihosting::process::exit(1)
        };
        let mut top = TopK::<8>::new();
        semihosting::println!(
            "region: SAE encode_bits (D=512, h=64, k=8, {}, popcount)",
            name
        );
        bench_start();
        let encoded = packed.encode_bits(black_box(&input), &mut top);
        bench_stop();
        packed_ok &= encoded.is_ok() && !top.is_empty();
    }
    // Dense input at the large-simulation size: quantise + encode, and encode of an input
    // quantised once.
    let Ok(dense) = Sae::from_bytes(SAE_DENSE_MODEL) else {
        semihosting::process::exit(1)
    };
    let x: [f32; 64] = core::array::from_fn(|j| ((j * 37) % 29) as f32 / 7.0 - 2.0);
    let mut top32 = TopK::<32>::new();
    semihosting::println!("region: SAE encode_dense (d=64, h=512, k=32, int8)");
    bench_start();
    let dense_ok = dense.encode_dense(black_box(&x), &mut top32).is_ok();
    bench_stop();
    let mut q = [0i8; 64];
    let quantised = dense.quantize_input(&x, &mut q).is_ok();
    let mut again = TopK::<32>::new();
    semihosting::println!("region: SAE encode_i8 (d=64, h=512, k=32, int8, input quantised once)");
    bench_start();
    let i8_ok = dense.encode_i8(black_box(&q), &mut again).is_ok();
    bench_stop();
    let Ok(rows) = Sae::from_bytes(SAE_DENSE_ROWS_MODEL) else {
        semihosting::process::exit(1)
    };
    let mut per_row = TopK::<32>::new();
    semihosting::println!("region: SAE encode_dense (d=64, h=256, k=32, per-row i16 input)");
    bench_start();
    let rows_ok = rows.encode_dense(black_box(&x), &mut per_row).is_ok();
    bench_stop();
    let dense_ok = dense_ok && quantised && i8_ok && again == top32 && !top32.is_empty();
    let dense_ok = dense_ok && rows_ok && !per_row.is_empty();
    let ok = packed_ok
        && dense_ok
        && encoded.is_ok()
        && encoded64.is_ok()
        && decoded64.is_ok()
        && decoded_ok.is_ok()
        && top.len() == u32_at(SAE_EXPECTED, 64) as usize
        && (0..16).all(|i| decoded[i] == u32_at(SAE_EXPECTED, 148 + 4 * i));
    semihosting::println!(
        "sae on {}: {} latents, as on the host: {}",
        hyperbits_qemu::TARGET,
        top.len(),
        ok
    );
    semihosting::println!("done");
    semihosting::process::exit(if ok { 0 } else { 1 })
}
