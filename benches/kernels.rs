//! Kernel benchmarks at D = 8192 (criterion). Stable IDs:
//! `bind/8192`, `hamming/8192`, `bundle3/8192`, `bundle255/8192`, `permute/8192`,
//! `scan/8192/10000` (nearest of 10,000 stored vectors), plus `codebook/8192`,
//! `similarity/8192` and `accumulate/8192`.
//!
//! Each speed claim is a ratio to a reference measured in the same run: on a CPU with AVX-512
//! VPOPCNTDQ, `hamming/8192/reference` and `scan/8192/10000/reference` time a plain 40-line
//! AVX-512 loop (`_mm512_popcnt_epi64` over `u64` lanes, one accumulator, a
//! `#[target_feature]` function), and the bench prints `ratio <id>: <ours> / <reference> = r`
//! from criterion's medians when it ends. `scan/8192/10000/read` only loads the 10 MB once
//! (XOR-folded, no popcount): the floor of any scan on this machine, whatever its kernel;
//! `bundle255/8192/read` does the same for the 255 rows of `bundle255/8192`.
//!
//! The in-place forms (`bind_into/8192`, `bundle3_into/8192`, `permute_into/8192` by 1001
//! bits and `permute_into/8192/1` by one, as the sequence encoders permute) are
//! compared with `copy/8192`, a 1 KiB `copy_from_slice` into the same output.
//!
//! Run: `cargo bench --bench kernels` (plain build: the kernels pick AVX-512 / AVX2 at run time).

mod common;
use common::print_ratio;
use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use hyperbits::{words, Accumulator, BinaryVector, Codebook, ItemMemory};
use std::hint::black_box;

const W: usize = words(8192);
type V = BinaryVector<W>;

/// A value on a 64-byte boundary.
#[repr(C, align(64))]
struct Line<T>(T);

/// The plain reference loop of the speed targets: XOR, `_mm512_popcnt_epi64` over `u64` lanes,
/// one accumulator (`a` and `b` of equal length, a multiple of 16 words).
#[cfg(target_arch = "x86_64")]
mod reference {
    use std::arch::x86_64::*;

    /// Whether this CPU runs the reference.
    pub fn available() -> bool {
        is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512vpopcntdq")
    }

    /// # Safety
    /// AVX-512F and VPOPCNTDQ available; equal lengths, multiples of 16.
    #[target_feature(enable = "avx512f,avx512vpopcntdq")]
    pub unsafe fn hamming(a: &[u32], b: &[u32]) -> u32 {
        let mut acc = _mm512_setzero_si512();
        for (x, y) in a.chunks_exact(16).zip(b.chunks_exact(16)) {
            // SAFETY: 16 words each, unaligned loads allowed.
            let (x, y) = unsafe {
                (
                    _mm512_loadu_si512(x.as_ptr().cast()),
                    _mm512_loadu_si512(y.as_ptr().cast()),
                )
            };
            acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_xor_si512(x, y)));
        }
        _mm512_reduce_add_epi64(acc) as u32
    }

    /// The floor of any scan (or majority): every word of `items` loaded once (512 bits at a
    /// time) and folded by XOR, with no popcount; a scan cannot read its 10 MB faster.
    ///
    /// # Safety
    /// AVX-512F available; lengths multiples of 16.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn read(items: &[&[u32]]) -> u64 {
        let mut acc = _mm512_setzero_si512();
        for item in items {
            for x in item.chunks_exact(16) {
                // SAFETY: 16 words, unaligned loads allowed.
                acc = _mm512_xor_si512(acc, unsafe { _mm512_loadu_si512(x.as_ptr().cast()) });
            }
        }
        _mm512_reduce_add_epi64(acc) as u64
    }

    /// The nearest of `items` to `q` with [`hamming`].
    ///
    /// # Safety
    /// As [`hamming`].
    #[target_feature(enable = "avx512f,avx512vpopcntdq")]
    pub unsafe fn nearest(q: &[u32], items: &[&[u32]]) -> (usize, u32) {
        let mut best = (0, u32::MAX);
        for (i, item) in items.iter().enumerate() {
            // SAFETY: this function's contract.
            let d = unsafe { hamming(q, item) };
            if d < best.1 {
                best = (i, d);
            }
        }
        best
    }
}

fn kernels(c: &mut Criterion) {
    let book = Codebook::new(1);
    let vs: Vec<V> = (0..255).map(|i| book.vector(i)).collect();
    // Inputs and output on cache-line boundaries: with the stack's 4- or 16-byte alignment the
    // in-place ratios moved by 0.2-0.3 between builds that only moved these variables.
    let (la, lb, ld) = (Line(vs[0]), Line(vs[1]), Line(vs[2]));
    let (a, b, d) = (&la.0, &lb.0, &ld.0);

    c.bench_function("bind/8192", |bench| {
        bench.iter(|| black_box(a).bind(black_box(b)))
    });
    // The in-place forms against the cost of touching the same 1 KiB of output.
    let mut line = Line(V::zero());
    let out = &mut line.0;
    c.bench_function("copy/8192", |bench| {
        bench.iter(|| {
            out.as_words_mut().copy_from_slice(black_box(a.as_words()));
            black_box(&*out);
        })
    });
    c.bench_function("bind_into/8192", |bench| {
        bench.iter(|| {
            black_box(a).bind_into(black_box(b), out);
            black_box(&*out);
        })
    });
    c.bench_function("bundle3_into/8192", |bench| {
        bench.iter(|| {
            V::bundle3_into(black_box(a), black_box(b), black_box(d), out);
            black_box(&*out);
        })
    });
    c.bench_function("permute_into/8192", |bench| {
        bench.iter(|| {
            black_box(a).permute_into(black_box(1001), out);
            black_box(&*out);
        })
    });
    // A shift by one bit, as the sequence and n-gram encoders permute.
    c.bench_function("permute_into/8192/1", |bench| {
        bench.iter(|| {
            black_box(a).permute_into(black_box(1), out);
            black_box(&*out);
        })
    });
    c.bench_function("hamming/8192", |bench| {
        bench.iter(|| black_box(a).hamming(black_box(b)))
    });
    #[cfg(target_arch = "x86_64")]
    if reference::available() {
        c.bench_function("hamming/8192/reference", |bench| {
            // SAFETY: the features were detected; 256 words each.
            bench.iter(|| unsafe {
                reference::hamming(black_box(a.as_words()), black_box(b.as_words()))
            })
        });
    }
    c.bench_function("similarity/8192", |bench| {
        bench.iter(|| black_box(a).similarity(black_box(b)))
    });
    c.bench_function("bundle3/8192", |bench| {
        bench.iter(|| V::bundle3(black_box(a), black_box(b), black_box(d)))
    });
    let refs: Vec<&V> = vs.iter().collect();
    c.bench_function("bundle255/8192", |bench| {
        bench.iter(|| V::bundle(black_box(&refs), 0))
    });
    #[cfg(target_arch = "x86_64")]
    if reference::available() {
        // The floor of any majority of these rows: reading them once.
        let rows: Vec<&[u32]> = vs.iter().map(|v| v.as_words().as_slice()).collect();
        c.bench_function("bundle255/8192/read", |bench| {
            // SAFETY: the features were detected; 256 words each.
            bench.iter(|| unsafe { reference::read(black_box(&rows)) })
        });
    }
    c.bench_function("permute/8192", |bench| {
        bench.iter(|| black_box(a).permute(black_box(1001)))
    });
    c.bench_function("codebook/8192", |bench| {
        bench.iter(|| book.vector::<W>(black_box(7)))
    });
    let mut acc = Accumulator::<W>::new();
    c.bench_function("accumulate/8192", |bench| {
        bench.iter(|| acc.add(black_box(a)))
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
    #[cfg(target_arch = "x86_64")]
    if reference::available() {
        // The same 10,000 vectors, contiguous as in the memory.
        let stored: Vec<V> = (0..10_000u32).map(|i| book.vector(1000 + i)).collect();
        let items: Vec<&[u32]> = stored.iter().map(|v| v.as_words().as_slice()).collect();
        group.bench_with_input(
            BenchmarkId::new("8192/10000", "reference"),
            &query,
            |bench, q| {
                // SAFETY: the features were detected; 256 words each.
                bench.iter(|| unsafe { reference::nearest(black_box(q.as_words()), &items) })
            },
        );
        group.bench_function(BenchmarkId::new("8192/10000", "read"), |bench| {
            // SAFETY: the features were detected; 256 words each.
            bench.iter(|| unsafe { reference::read(black_box(&items)) })
        });
    }
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
            // Criterion's directories for these IDs.
            for (ours, reference) in [
                ("hamming_8192", "hamming_8192_reference"),
                ("scan/8192/10000", "scan/8192_10000/reference"),
                ("scan/8192/10000", "scan/8192_10000/read"),
                ("bundle255_8192", "bundle255_8192_read"),
                ("bind_into_8192", "copy_8192"),
                ("bundle3_into_8192", "copy_8192"),
                ("permute_into_8192", "copy_8192"),
                ("permute_into_8192_1", "copy_8192"),
            ] {
                print_ratio(ours, reference);
            }
        })
        .expect("spawn benchmark thread")
        .join()
        .expect("benchmarks ran");
}
