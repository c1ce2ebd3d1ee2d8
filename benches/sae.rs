//! SAE inference benchmarks (criterion), for the spec's hypervector configuration: a random
//! bit-input SAE with D = 512, h = 64, k = 8, int8 encoder and decoder, read in place.
//! IDs: `sae/encode/512x64k8` (one `encode_bits` of a random 512-bit input, about half the
//! bits set), `sae/decode_bits/512x64k8` (the reconstruction of that code), and
//! `sae/encode_ternary/512x64k8`, `sae/encode_binary/512x64k8` (the same encoder as packed
//! sign masks, popcount path).
//!
//! At a published SAE's size (d_in = 512, h = 4,096, k = 32, float rows that vary 8× in size),
//! each iteration 16 rows: `sae/encode_dense/512x4096k32x16` (per-row `i16` input, the
//! device's path, row by row), `sae/encode_dense_batch/...` (the same codes, 16 rows sharing
//! each pass over the weights), `sae/encode_dense_calibrated/...` (one int8 scale),
//! `sae/encode_f32/...` (float arithmetic), and their reference in the same run,
//! `sae/reference_f32/512x4096x16`: a plain loop of `f32` multiply-adds over `f32` weights
//! giving every pre-activation (no selection), which the bench prints the ratios to.
//!
//! Run: `cargo bench --bench sae`

mod common;
use common::print_ratio;
use criterion::{criterion_group, criterion_main, Criterion};
use hyperbits::model::AlignedBlob;
use hyperbits::sae::{Activation, Input, LatentVec, Sae, TopK, Weights};
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

/// The published-size SAE: encode one float row, three ways, against a plain f32 loop.
fn published(c: &mut Criterion) {
    let mut x = hyperbits::rng::SplitMix64::new(9);
    let mut uniform =
        move |scale: f32| scale * ((x.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0);
    let (d, h) = (512, 4096);
    let mut float = FloatSae {
        d_in: d,
        h,
        k: 32,
        input: Input::DensePerRow,
        activation: Activation::TopK,
        thresholds: Vec::new(),
        w_enc: (0..h * d).map(|_| uniform(0.05)).collect(),
        b_enc: (0..h).map(|_| uniform(0.1)).collect(),
        b_pre: (0..d).map(|_| uniform(0.1)).collect(),
        w_dec: (0..h * d).map(|_| uniform(0.05)).collect(),
        b_dec: (0..d).map(|_| uniform(0.1)).collect(),
    };
    let rows: Vec<Vec<f32>> = (0..64)
        .map(|r| {
            let size = 0.5 + (r % 8) as f32 / 2.0;
            (0..d).map(|_| uniform(size)).collect()
        })
        .collect();
    let options = ExportOptions {
        decoder: false,
        ..ExportOptions::default()
    };
    let per_row = AlignedBlob::new(&float.to_blob(&[], &options).unwrap());
    float.input = Input::Dense;
    let calibrated = AlignedBlob::new(&float.to_blob(&rows.concat(), &options).unwrap());
    // Each iteration encodes the same 16 rows (of the 64, in turn).
    let mut next = 0;
    let mut batch = || {
        next = (next + 16) % rows.len();
        &rows[next..next + 16]
    };
    let mut codes = vec![LatentVec::new(); 16];
    for (id, blob, exact) in [
        ("sae/encode_dense/512x4096k32x16", &per_row, false),
        (
            "sae/encode_dense_calibrated/512x4096k32x16",
            &calibrated,
            false,
        ),
        ("sae/encode_f32/512x4096k32x16", &per_row, true),
    ] {
        let model = Sae::from_bytes(blob.as_bytes()).unwrap();
        c.bench_function(id, |b| {
            b.iter(|| {
                for (x, code) in black_box(batch()).iter().zip(codes.iter_mut()) {
                    if exact {
                        model.encode_f32(x, code).unwrap()
                    } else {
                        model.encode_dense(x, code).unwrap()
                    }
                }
            })
        });
    }
    let model = Sae::from_bytes(per_row.as_bytes()).unwrap();
    let flat: Vec<Vec<f32>> = rows.chunks(16).map(|c| c.concat()).collect();
    let mut at = 0;
    c.bench_function("sae/encode_dense_batch/512x4096k32x16", |b| {
        b.iter(|| {
            at = (at + 1) % flat.len();
            model
                .encode_dense_batch(black_box(&flat[at]), &mut codes)
                .unwrap()
        })
    });
    let mut pre = vec![0f32; h];
    c.bench_function("sae/reference_f32/512x4096x16", |b| {
        b.iter(|| {
            for x in black_box(batch()) {
                for (p, w) in pre.iter_mut().zip(float.w_enc.chunks_exact(d)) {
                    *p = w.iter().zip(x).map(|(w, x)| w * x).sum();
                }
                black_box(&pre);
            }
        })
    });
    for ours in [
        "sae_encode_dense_512x4096k32x16",
        "sae_encode_dense_calibrated_512x4096k32x16",
        "sae_encode_f32_512x4096k32x16",
        "sae_encode_dense_batch_512x4096k32x16",
    ] {
        print_ratio(ours, "sae_reference_f32_512x4096x16");
    }
}

criterion_group!(benches, sae, published);
criterion_main!(benches);
