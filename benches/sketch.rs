//! Sketch benchmarks (criterion): 1M random u64 keys in a filter sized for 1 % false
//! positives. IDs: `sketch/insert` (all 1M keys), `sketch/contains` (one member query),
//! `sketch/contains_absent` (one non-member query); the same for `fastbloom` 0.17 at equal
//! memory (`fastbloom/...`). Before timing, it prints each filter's measured false-positive
//! rate and bits per key.
//!
//! Run: `cargo bench --bench sketch`

use criterion::{criterion_group, criterion_main, Criterion};
use hyperbits::sketch::{BlockedBloom, Bloom};
use std::hint::black_box;

const KEYS: usize = 1_000_000;

fn keys(seed: u64, n: usize) -> Vec<u64> {
    let mut x = hyperbits::rng::SplitMix64::new(seed);
    (0..n).map(|_| x.next_u64()).collect()
}

fn sketch(c: &mut Criterion) {
    let members = keys(1, KEYS);
    let absent = keys(2, KEYS);
    // Bits for 1 % at 1M keys: Bloom needs 9.59 bits/key (k = 7); the blocked variant a bit
    // more: 10.5 bits/key, k = 7 (measured below).
    let bloom_words = (9.6 * KEYS as f64 / 32.0).ceil() as usize;
    let blocked_words = ((10.5 * KEYS as f64 / 512.0).ceil() as usize) * 16;
    let mut bloom = Bloom::new(vec![0u32; bloom_words], 7, 7).unwrap();
    let mut blocked = BlockedBloom::new(vec![0u32; blocked_words], 7, 7).unwrap();
    let mut fast = fastbloom::BloomFilter::with_num_bits(blocked_words * 32).expected_items(KEYS);
    for &k in &members {
        bloom.insert(k);
        blocked.insert(k);
        fast.insert(&k);
    }
    let fp =
        |f: &dyn Fn(u64) -> bool| absent.iter().filter(|&&k| f(k)).count() as f64 / KEYS as f64;
    println!(
        "false positives at 1M keys: Bloom {:.4} ({:.2} bits/key, k = 7); BlockedBloom {:.4} ({:.2} bits/key, k = 7); fastbloom {:.4} ({:.2} bits/key, same memory as BlockedBloom)",
        fp(&|k| bloom.contains(k)),
        (bloom_words * 32) as f64 / KEYS as f64,
        fp(&|k| blocked.contains(k)),
        (blocked_words * 32) as f64 / KEYS as f64,
        fp(&|k| fast.contains(&k)),
        (fast.num_bits()) as f64 / KEYS as f64,
    );
    assert!(members
        .iter()
        .all(|&k| blocked.contains(k) && bloom.contains(k)));

    let mut i = 0usize;
    c.bench_function("sketch/contains", |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            blocked.contains(black_box(members[i]))
        })
    });
    c.bench_function("sketch/contains_absent", |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            blocked.contains(black_box(absent[i]))
        })
    });
    c.bench_function("sketch/contains_classic", |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            bloom.contains(black_box(members[i]))
        })
    });
    c.bench_function("fastbloom/contains", |b| {
        b.iter(|| {
            i = (i + 1) % KEYS;
            fast.contains(black_box(&members[i]))
        })
    });
    let mut group = c.benchmark_group("sketch");
    group.sample_size(10);
    group.bench_function("insert", |b| {
        b.iter(|| {
            let mut f = BlockedBloom::new(vec![0u32; blocked_words], 7, 7).unwrap();
            for &k in &members {
                f.insert(k);
            }
            f
        })
    });
    group.finish();
    let mut group = c.benchmark_group("fastbloom");
    group.sample_size(10);
    group.bench_function("insert", |b| {
        b.iter(|| {
            let mut f =
                fastbloom::BloomFilter::with_num_bits(blocked_words * 32).expected_items(KEYS);
            for &k in &members {
                f.insert(&k);
            }
            f
        })
    });
    group.finish();
}

criterion_group!(benches, sketch);
criterion_main!(benches);
