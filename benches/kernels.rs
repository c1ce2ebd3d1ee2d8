//! Kernel benchmarks at D = 8192 (criterion). Stable IDs:
//! `bind/8192`, `hamming/8192`, `bundle3/8192`, `bundle255/8192`, `permute/8192`,
//! `scan/8192/10000` (nearest of 10,000 stored vectors), plus `codebook/8192`,
//! `similarity/8192` and `accumulate/8192`.
//!
//! Run: `cargo bench --bench kernels` (plain build: the kernels pick AVX-512 / AVX2 at run time).

use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use hyperbits::{words, Accumulator, BinaryVector, Codebook, ItemMemory};
use std::hint::black_box;

const W: usize = words(8192);
type V = BinaryVector<W>;

fn kernels(c: &mut Criterion) {
    let book = Codebook::new(1);
    let vs: Vec<V> = (0..255).map(|i| book.vector(i)).collect();
    let (a, b, d) = (vs[0], vs[1], vs[2]);

    c.bench_function("bind/8192", |bench| {
        bench.iter(|| black_box(&a).bind(black_box(&b)))
    });
    c.bench_function("hamming/8192", |bench| {
        bench.iter(|| black_box(&a).hamming(black_box(&b)))
    });
    c.bench_function("similarity/8192", |bench| {
        bench.iter(|| black_box(&a).similarity(black_box(&b)))
    });
    c.bench_function("bundle3/8192", |bench| {
        bench.iter(|| V::bundle3(black_box(&a), black_box(&b), black_box(&d)))
    });
    let refs: Vec<&V> = vs.iter().collect();
    c.bench_function("bundle255/8192", |bench| {
        bench.iter(|| V::bundle(black_box(&refs), 0))
    });
    c.bench_function("permute/8192", |bench| {
        bench.iter(|| black_box(&a).permute(black_box(1001)))
    });
    c.bench_function("codebook/8192", |bench| {
        bench.iter(|| book.vector::<W>(black_box(7)))
    });
    let mut acc = Accumulator::<W>::new();
    c.bench_function("accumulate/8192", |bench| {
        bench.iter(|| acc.add(black_box(&a)))
    });

    // 10,000 stored vectors: 10 MB, so the memory is boxed (built in place by inserting).
    let mut memory: Box<ItemMemory<W, 10_000, u32>> = Box::default();
    for i in 0..10_000u32 {
        memory
            .insert(i, book.vector(1000 + i))
            .expect("capacity 10,000");
    }
    let query = book.vector::<W>(5000);
    let mut group = c.benchmark_group("scan");
    group.throughput(Throughput::Bytes((10_000 * 8192 / 8) as u64));
    group.bench_with_input(BenchmarkId::new("8192", 10_000), &query, |bench, q| {
        bench.iter(|| memory.nearest(black_box(q)))
    });
    group.finish();
}

criterion_group!(benches, kernels);

fn main() {
    // `Box::default()` of a 10 MB memory may be built on the stack first: give the benchmark
    // thread room for it.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            benches();
            Criterion::default().configure_from_args().final_summary();
        })
        .expect("spawn benchmark thread")
        .join()
        .expect("benchmarks ran");
}
