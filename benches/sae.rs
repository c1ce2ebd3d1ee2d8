//! SAE inference benchmarks (criterion), for the spec's hypervector configuration: a random
//! bit-input SAE with D = 512, h = 64, k = 8, int8 encoder and decoder, read in place.
//! IDs: `sae/encode/512x64k8` (one `encode_bits` of a random 512-bit input, about half the
//! bits set), `sae/decode_bits/512x64k8` (the reconstruction of that code), and
//! `sae/encode_ternary/512x64k8`, `sae/encode_binary/512x64k8` (the same encoder as packed
//! sign masks, popcount path).
//!
//! Run: `cargo bench --bench sae`

use criterion::{criterion_group, criterion_main, Criterion};
use hyperbits::model::AlignedBlob;
use hyperbits::sae::{Input, Sae, TopK, Weights};
use hyperbits::train::sae::export::{ExportOptions, FloatSae};
use hyperbits::Codebook;
use std::hint::black_box;

fn sae(c: &mut Criterion) {
    let mut x = hyperbits::rng::SplitMix64::new(5);
    let mut uniform =
        move |scale: f32| scale * ((x.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0);
    let (d, h) = (512, 64);
    let float = FloatSae {
        d_in: d,
        h,
        k: 8,
        input: Input::Bits,
        activation: hyperbits::sae::Activation::TopK,
        thresholds: Vec::new(),
        w_enc: (0..h * d).map(|_| uniform(0.2)).collect(),
        b_enc: (0..h).map(|_| uniform(1.0)).collect(),
        b_pre: vec![0.5; d],
        w_dec: (0..h * d).map(|_| uniform(0.2)).collect(),
        b_dec: (0..d).map(|_| uniform(0.5)).collect(),
    };
    let blob = AlignedBlob::new(&float.to_blob(&[], &ExportOptions::default()).unwrap());
    let model = Sae::from_bytes(blob.as_bytes()).unwrap();
    println!("sae blob: {} bytes", blob.as_bytes().len());
    let input = *Codebook::new(1).vector::<16>(0).as_words();
    let mut top = TopK::<8>::new();
    c.bench_function("sae/encode/512x64k8", |b| {
        b.iter(|| model.encode_bits(black_box(&input), &mut top).unwrap())
    });
    for (name, weights) in [("ternary", Weights::Ternary), ("binary", Weights::Binary)] {
        let options = ExportOptions {
            weights,
            decoder: false,
            ..ExportOptions::default()
        };
        let packed = AlignedBlob::new(&float.to_blob(&[], &options).unwrap());
        let packed = Sae::from_bytes(packed.as_bytes()).unwrap();
        c.bench_function(&format!("sae/encode_{name}/512x64k8"), |b| {
            b.iter(|| packed.encode_bits(black_box(&input), &mut top).unwrap())
        });
    }
    model.encode_bits(&input, &mut top).unwrap();
    let mut out = [0u32; 16];
    c.bench_function("sae/decode_bits/512x64k8", |b| {
        b.iter(|| model.decode_bits(black_box(&top), &mut out).unwrap())
    });
}

criterion_group!(benches, sae);
criterion_main!(benches);
