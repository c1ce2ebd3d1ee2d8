//! x86_64 with `std`: the CPU's features detected once at run time (AVX-512 VPOPCNTDQ,
//! AVX-512, AVX2, POPCNT) and the kernels dispatched to builds of the portable loops with those
//! features enabled, plus explicit AVX-512 / AVX2 kernels for majority and projection.

//! Run-time dispatch to AVX-512 / AVX2 / POPCNT builds of the generic loops above.
//!
//! The instruction set is detected once and cached; each public function matches on it
//! and calls a `#[target_feature]` build of the same generic loop, so the loop body is
//! inlined and vectorised for that instruction set.
use super::*;
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Isa {
    Portable = 1,
    Popcnt = 2,
    Avx2 = 3,
    Avx512 = 4,
    Avx512Vpopcnt = 5,
}

static ISA: AtomicU8 = AtomicU8::new(0);

fn detect() -> Isa {
    use std::arch::is_x86_feature_detected as has;
    let avx512 = has!("avx512f") && has!("avx512bw") && has!("avx512vl") && has!("popcnt");
    if avx512 && has!("avx512vpopcntdq") {
        Isa::Avx512Vpopcnt
    } else if avx512 {
        Isa::Avx512
    } else if has!("avx2") && has!("popcnt") {
        Isa::Avx2
    } else if has!("popcnt") {
        Isa::Popcnt
    } else {
        Isa::Portable
    }
}

/// The instruction set the kernels run with on this CPU.
#[inline]
pub(super) fn isa() -> Isa {
    match ISA.load(Ordering::Relaxed) {
        5 => Isa::Avx512Vpopcnt,
        4 => Isa::Avx512,
        3 => Isa::Avx2,
        2 => Isa::Popcnt,
        1 => Isa::Portable,
        _ => {
            let isa = detect();
            ISA.store(isa as u8, Ordering::Relaxed);
            isa
        }
    }
}

// The `#[target_feature]` builds. Each is only called by the matching arm of a dispatcher
// below, which runs only when `isa()` detected every feature named here.
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vpopcntdq,popcnt")]
fn vpopcnt<R>(f: impl FnOnce() -> R) -> R {
    f()
}
#[target_feature(enable = "avx512f,avx512bw,avx512vl,popcnt")]
fn avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}
#[target_feature(enable = "avx2,popcnt")]
fn avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}
#[target_feature(enable = "popcnt")]
fn popcnt<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Runs `f` compiled for instruction set `isa`.
///
/// # Safety
/// `isa` must be [`isa()`] or an instruction set below it (a subset of its features).
#[inline(always)]
unsafe fn dispatch<R>(isa: Isa, f: impl FnOnce() -> R) -> R {
    // SAFETY: each arm calls a `#[target_feature]` function whose features this CPU has,
    // by the caller's contract. The kernels in `f` are `#[inline(always)]`, so they are
    // compiled with those features.
    unsafe {
        match isa {
            Isa::Avx512Vpopcnt => vpopcnt(f),
            Isa::Avx512 => avx512(f),
            Isa::Avx2 => avx2(f),
            Isa::Popcnt => popcnt(f),
            Isa::Portable => f(),
        }
    }
}

pub(super) fn hamming(a: &[u32], b: &[u32]) -> u32 {
    match isa() {
        Isa::Portable => hamming_portable(a, b),
        // SAFETY: `isa()` detected AVX-512 VPOPCNTDQ.
        Isa::Avx512Vpopcnt => unsafe { simd::hamming_vpopcnt(a, b) },
        // SAFETY: `isa` is `isa()`.
        isa => unsafe { dispatch(isa, || hamming_simple(a, b)) },
    }
}

pub(super) fn and_count(a: &[u32], b: &[u32]) -> u32 {
    match isa() {
        Isa::Portable => and_count_portable(a, b),
        // SAFETY: `isa` is `isa()`.
        isa => unsafe { dispatch(isa, || and_count_simple(a, b)) },
    }
}

pub(super) fn popcount(a: &[u32]) -> u32 {
    match isa() {
        Isa::Portable => popcount_portable(a),
        // SAFETY: `isa` is `isa()`.
        isa => unsafe { dispatch(isa, || popcount_simple(a)) },
    }
}

// Named `#[target_feature]` builds of the element-wise kernels: their vectorisation does not
// depend on LLVM inlining a closure into a generic dispatcher.
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn xor_avx512(out: &mut [u32], a: &[u32], b: &[u32]) {
    xor_generic(out, a, b)
}
#[target_feature(enable = "avx2")]
fn xor_avx2(out: &mut [u32], a: &[u32], b: &[u32]) {
    xor_generic(out, a, b)
}
#[target_feature(enable = "avx2")]
fn majority3_avx2(out: &mut [u32], a: &[u32], b: &[u32], c: &[u32]) {
    majority3_generic(out, a, b, c)
}

/// [`rotate_generic`] with the runs of shifted words by [`simd::shifted_avx512`] (its own
/// copy of the run split: sharing it with the portable loop through a closure parameter cost
/// the Cortex-M4 11 % more instructions per rotation).
#[target_feature(enable = "avx512f")]
fn rotate_avx512(src: &[u32], dst: &mut [u32], bits: usize) {
    let n = src.len().min(dst.len());
    if n == 0 {
        return;
    }
    let (src, dst) = (&src[..n], &mut dst[..n]);
    // No division in the usual case (the callers reduce the shift already).
    let r = if bits < 32 * n { bits } else { bits % (32 * n) };
    let (q, s) = (r / 32, (r % 32) as u32);
    if s == 0 {
        dst[q..].copy_from_slice(&src[..n - q]);
        dst[..q].copy_from_slice(&src[n - q..]);
        return;
    }
    // As in `rotate_generic`: dst[i] takes its high bits from src[i - q] and its low bits
    // from src[i - q - 1] (mod n), in three runs; each run's source is one window.
    // SAFETY: AVX-512F is enabled for this function, which runs only where it was detected.
    unsafe { simd::shifted_avx512(&src[..n - q], &mut dst[q + 1..], s) };
    dst[q] = (src[0] << s) | (src[n - 1] >> (32 - s));
    if q > 0 {
        // SAFETY: as above.
        unsafe { simd::shifted_avx512(&src[n - q - 1..], &mut dst[..q], s) };
    }
}
#[target_feature(enable = "avx2")]
fn rotate_avx2(src: &[u32], dst: &mut [u32], bits: usize) {
    rotate_generic(src, dst, bits)
}

pub(super) fn rotate_left(src: &[u32], dst: &mut [u32], bits: usize) {
    match isa() {
        // SAFETY: `isa()` detected AVX-512F/BW/VL.
        Isa::Avx512 | Isa::Avx512Vpopcnt => unsafe { rotate_avx512(src, dst, bits) },
        // SAFETY: `isa()` detected AVX2.
        Isa::Avx2 => unsafe { rotate_avx2(src, dst, bits) },
        _ => rotate_generic(src, dst, bits),
    }
}

pub(super) fn xor(out: &mut [u32], a: &[u32], b: &[u32]) {
    match isa() {
        // SAFETY: `isa()` detected AVX-512F/BW/VL.
        Isa::Avx512 | Isa::Avx512Vpopcnt => unsafe { xor_avx512(out, a, b) },
        // SAFETY: `isa()` detected AVX2.
        Isa::Avx2 => unsafe { xor_avx2(out, a, b) },
        _ => xor_generic(out, a, b),
    }
}

pub(super) fn majority3(out: &mut [u32], a: &[u32], b: &[u32], c: &[u32]) {
    match isa() {
        // SAFETY: `isa()` detected AVX-512F/BW/VL.
        Isa::Avx512 | Isa::Avx512Vpopcnt => unsafe { simd::majority3_avx512(out, a, b, c) },
        // SAFETY: `isa()` detected AVX2.
        Isa::Avx2 => unsafe { majority3_avx2(out, a, b, c) },
        _ => majority3_generic(out, a, b, c),
    }
}

// The SAE's dense dot products: int8 weights against int8 (calibrated) or i16 (per-row)
// inputs; integer sums, so any vectorisation gives the same result.
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn dot_i8_avx512(w: &[i8], x: &[i8]) -> i32 {
    dot_simple(w, x)
}
#[target_feature(enable = "avx2")]
fn dot_i8_avx2(w: &[i8], x: &[i8]) -> i32 {
    dot_simple(w, x)
}
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn dot_i16_avx512(w: &[i8], x: &[i16]) -> i32 {
    dot_simple(w, x)
}
#[target_feature(enable = "avx2")]
fn dot_i16_avx2(w: &[i8], x: &[i16]) -> i32 {
    dot_simple(w, x)
}

#[target_feature(enable = "avx2")]
fn dot_f32_avx2(w: &[i8], x: &[f32]) -> f32 {
    dot_i8_f32_portable(w, x)
}

pub(super) fn dot_i8_f32(w: &[i8], x: &[f32]) -> f32 {
    match isa() {
        // SAFETY: `isa()` detected AVX2 (AVX-512 implies it).
        Isa::Avx2 | Isa::Avx512 | Isa::Avx512Vpopcnt => unsafe { dot_f32_avx2(w, x) },
        _ => dot_i8_f32_portable(w, x),
    }
}

#[target_feature(enable = "avx2")]
fn dot4_i16_avx2(w: &[i8], x: [&[i16]; 4]) -> [i32; 4] {
    dot4_simple(w, x)
}

pub(super) fn dot4_i8_i16(w: &[i8], x: [&[i16]; 4]) -> [i32; 4] {
    match isa() {
        // SAFETY: `isa()` detected AVX-512F/BW/VL.
        Isa::Avx512 | Isa::Avx512Vpopcnt => unsafe { simd::dot4_i8_i16_avx512(w, x) },
        // SAFETY: `isa()` detected AVX2.
        Isa::Avx2 => unsafe { dot4_i16_avx2(w, x) },
        _ => dot4_simple(w, x),
    }
}

pub(super) fn dot_i8(w: &[i8], x: &[i8]) -> i32 {
    match isa() {
        // SAFETY: `isa()` detected AVX-512F/BW/VL.
        Isa::Avx512 | Isa::Avx512Vpopcnt => unsafe { dot_i8_avx512(w, x) },
        // SAFETY: `isa()` detected AVX2.
        Isa::Avx2 => unsafe { dot_i8_avx2(w, x) },
        _ => dot_portable(w, x),
    }
}

pub(super) fn dot_i8_i16(w: &[i8], x: &[i16]) -> i32 {
    match isa() {
        // SAFETY: `isa()` detected AVX-512F/BW/VL.
        Isa::Avx512 | Isa::Avx512Vpopcnt => unsafe { dot_i16_avx512(w, x) },
        // SAFETY: `isa()` detected AVX2.
        Isa::Avx2 => unsafe { dot_i16_avx2(w, x) },
        _ => dot_portable(w, x),
    }
}

pub(super) fn nearest<T: AsRef<[u32]>>(
    query: &[u32],
    items: impl IntoIterator<Item = T>,
) -> Option<(usize, u32)> {
    match isa() {
        Isa::Portable => nearest_generic(query, items, hamming_portable),
        // SAFETY: `isa()` detected AVX-512 VPOPCNTDQ.
        Isa::Avx512Vpopcnt => unsafe { simd::nearest_vpopcnt(query, items) },
        // SAFETY: `isa` is `isa()`.
        isa => unsafe { dispatch(isa, || nearest_generic(query, items, hamming_simple)) },
    }
}

pub(super) fn distances<T: AsRef<[u32]>>(
    query: &[u32],
    items: impl IntoIterator<Item = T>,
    f: impl FnMut(usize, u32),
) {
    match isa() {
        Isa::Portable => distances_generic(query, items, hamming_portable, f),
        // SAFETY: `isa` is `isa()`.
        isa => unsafe { dispatch(isa, || distances_generic(query, items, hamming_simple, f)) },
    }
}

pub(super) fn project<T: AsRef<[u32]>>(
    rows: &[T],
    q: &[i32],
    extra: Option<(&[u32], i32)>,
    out: &mut [u32],
) {
    match isa() {
        // SAFETY: `isa()` detected AVX-512F/BW/VL.
        Isa::Avx512 | Isa::Avx512Vpopcnt => unsafe { simd::project_avx512(rows, q, extra, out) },
        // SAFETY: the instruction set is `isa()`.
        isa => unsafe { dispatch(isa, || project_generic(rows, q, extra, out)) },
    }
}

pub(super) fn majority<T: AsRef<[u32]>>(inputs: &[T], tie: Option<&[u32]>, out: &mut [u32]) {
    match isa() {
        // SAFETY: `isa()` detected AVX-512F/BW/VL (every level from `Avx512` up has them).
        Isa::Avx512 | Isa::Avx512Vpopcnt => unsafe { simd::majority_avx512(inputs, tie, out) },
        // SAFETY: `isa()` detected AVX2.
        Isa::Avx2 => unsafe { simd::majority_avx2(inputs, tie, out) },
        _ => majority_portable(inputs, tie, out),
    }
}

mod simd;

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;

    fn words(seed: u64, n: usize) -> std::vec::Vec<u32> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (x >> 32) as u32
            })
            .collect()
    }

    /// Every instruction set this CPU supports gives the portable kernels' results, on
    /// lengths that exercise the vector body and every tail.
    #[test]
    fn every_supported_isa_matches_portable() {
        let best = isa();
        let all = [
            Isa::Portable,
            Isa::Popcnt,
            Isa::Avx2,
            Isa::Avx512,
            Isa::Avx512Vpopcnt,
        ];
        for isa in all.into_iter().filter(|i| *i as u8 <= best as u8) {
            for n in [
                0usize, 1, 7, 8, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 256, 313,
            ] {
                let a = words(n as u64, n);
                let b = words(n as u64 + 1000, n);
                let c = words(n as u64 + 2000, n);
                let d = words(n as u64 + 3000, n);
                if isa == Isa::Avx512Vpopcnt {
                    let items = [&a, &b, &c, &d];
                    // SAFETY: AVX-512 VPOPCNTDQ was detected (isa <= best).
                    let (h, near) = unsafe {
                        (
                            simd::hamming_vpopcnt(&a, &b),
                            simd::nearest_vpopcnt(&d, items),
                        )
                    };
                    assert_eq!(h, hamming_portable(&a, &b), "vpopcnt n={n}");
                    let mut slow = vec![0; n];
                    majority3_generic(&mut slow, &a, &b, &c);
                    // The output at every word offset in a cache line (its lead-in differs).
                    let mut buf = vec![0; n + 16];
                    for off in 0..16 {
                        let fast = &mut buf[off..off + n];
                        // SAFETY: AVX-512F was detected.
                        unsafe { simd::majority3_avx512(fast, &a, &b, &c) };
                        assert_eq!(fast, &slow[..], "majority3 n={n} offset {off}");
                    }
                    assert_eq!(near, nearest_generic(&d, items, hamming_portable));
                }
                // SAFETY: `isa` is at most the detected instruction set (filtered above), and
                // each level's features include those of the levels below it.
                macro_rules! run {
                    ($e:expr) => {
                        // SAFETY: every pointer is valid for the lengths passed (or NULL, checked).
                        unsafe { dispatch(isa, || $e) }
                    };
                }
                let h = run!(hamming_simple(&a, &b));
                assert_eq!(h, hamming_portable(&a, &b), "{isa:?} n={n}");
                let p = run!(popcount_simple(&a));
                assert_eq!(p, popcount_portable(&a), "{isa:?} n={n}");
                let items = [&a, &b, &c, &d];
                let got = run!(nearest_generic(&c, items, hamming_simple));
                assert_eq!(got, nearest_generic(&c, items, hamming_portable));
                let mut fast = vec![0; n];
                let mut slow = vec![0; n];
                run!(majority_generic(&[&a, &b, &c], None, &mut fast));
                majority_portable(&[&a, &b, &c], None, &mut slow);
                assert_eq!(fast, slow, "{isa:?} n={n}");
                run!(majority_generic(&[&a, &b, &c, &d], Some(&a), &mut fast));
                majority_portable(&[&a, &b, &c, &d], Some(&a), &mut slow);
                assert_eq!(fast, slow, "{isa:?} n={n}");
                // Sign projection: the AVX-512 kernel and the generic one.
                let rows: Vec<&[u32]> = [&a, &b, &c].iter().map(|v| v.as_slice()).collect();
                let q = [700i32, -1024, 3];
                for extra in [None, Some((&d[..], -5))] {
                    project_generic(&rows, &q, extra, &mut slow);
                    if isa as u8 >= Isa::Avx512 as u8 {
                        // SAFETY: AVX-512 was detected (isa <= best).
                        unsafe { simd::project_avx512(&rows, &q, extra, &mut fast) };
                        assert_eq!(fast, slow, "project n={n}");
                    }
                }
                // The AVX-512 rotation with source and destination at every word offset in a
                // cache line (its loads and stores straddle lines differently at each).
                if isa as u8 >= Isa::Avx512 as u8 {
                    let mut from = vec![0; n + 16];
                    let mut to = vec![0; n + 16];
                    for (src_off, dst_off) in (0..16).map(|o| (o, (o * 7) % 16)) {
                        from[src_off..src_off + n].copy_from_slice(&a);
                        for bits in [1usize, 31, 33, 32 * 17 + 5, 32 * n.saturating_sub(1) + 9] {
                            rotate_generic(&a, &mut slow, bits);
                            let out = &mut to[dst_off..dst_off + n];
                            // SAFETY: AVX-512F was detected (isa <= best).
                            unsafe { rotate_avx512(&from[src_off..src_off + n], out, bits) };
                            assert_eq!(
                                out,
                                &slow[..],
                                "rotate n={n} bits={bits} at {src_off}, {dst_off}"
                            );
                        }
                    }
                }
                // Rows of one buffer at every offset within a cache line: the kernel then does
                // the words before the first line boundary separately (same bits).
                for offset in [0usize, 1, 5, 15] {
                    let flat = words(n as u64 * 31 + offset as u64, offset + 35 * n);
                    let rows: Vec<&[u32]> = (0..35)
                        .map(|r| &flat[offset + r * n..offset + (r + 1) * n])
                        .collect();
                    for k in [16usize, 33, 35] {
                        majority_portable(&rows[..k], None, &mut slow);
                        if isa as u8 >= Isa::Avx512 as u8 {
                            // SAFETY: AVX-512 was detected (isa <= best).
                            unsafe { simd::majority_avx512(&rows[..k], None, &mut fast) };
                            assert_eq!(fast, slow, "avx512 rows n={n} k={k} offset={offset}");
                        }
                        if isa as u8 >= Isa::Avx2 as u8 {
                            // SAFETY: AVX2 was detected (isa <= best).
                            unsafe { simd::majority_avx2(&rows[..k], Some(&a), &mut fast) };
                            majority_portable(&rows[..k], Some(&a), &mut slow);
                            assert_eq!(fast, slow, "avx2 rows n={n} k={k} offset={offset}");
                        }
                    }
                }
                // The explicit-SIMD majority for every count up to 40: full 16-input groups,
                // short last groups (carry-save with zeros) and a single last input.
                let many: Vec<Vec<u32>> = (0..40).map(|i| words(n as u64 * 97 + i, n)).collect();
                for k in 1usize..=40 {
                    let tie = (k % 2 == 0).then_some(&a[..]);
                    majority_portable(&many[..k], tie, &mut slow);
                    if isa as u8 >= Isa::Avx512 as u8 {
                        // SAFETY: AVX-512 was detected (isa <= best).
                        unsafe { simd::majority_avx512(&many[..k], tie, &mut fast) };
                        assert_eq!(fast, slow, "avx512 n={n} k={k}");
                    }
                    if isa as u8 >= Isa::Avx2 as u8 {
                        // SAFETY: AVX2 was detected (isa <= best).
                        unsafe { simd::majority_avx2(&many[..k], tie, &mut fast) };
                        assert_eq!(fast, slow, "avx2 n={n} k={k}");
                    }
                }
            }
        }
    }
}
