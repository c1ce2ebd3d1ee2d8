//! The hot loops: popcount, Hamming distance, bit-sliced majority and rotation over `u32` words.
//!
//! Every operation of the crate that touches all D bits ends up here, so a faster version lands
//! once and helps everything. Two families of implementation sit behind one interface:
//!
//! * **Portable** (every target): Harley–Seal carry-save popcount (Muła, Kurz, Lemire 2018)
//!   over blocks of 8 words. Cortex-M0/M3/M4 and RV32IMC have no popcount instruction; the SWAR
//!   `count_ones` costs about 12 instructions a word, and the carry-save adders cut that to one
//!   SWAR popcount per 8 words plus 7 adders of 5 logic operations.
//! * **ARMv7-M / ARMv8-M Mainline** (Cortex-M3/M4/M7/M33): the same Hamming loop in
//!   hand-scheduled Thumb-2 assembly, because the compiler's schedule spills registers:
//!   2,465 instructions for D = 10,016 on a Cortex-M4 (QEMU count), against about 5,000 for a
//!   plain `count_ones` loop.
//! * **x86_64 with the `std` feature**: the same loops compiled with AVX-512 (VPOPCNTDQ) or AVX2
//!   enabled, chosen once at run time from the CPU's features, so a plain `cargo build` without
//!   `target-cpu` flags still runs at full speed. The results are bit-identical to the portable
//!   path (tested).
//!
//! Bundling (majority) uses **bit-sliced counters**: for a block of 16 words the counts of all
//! 512 bit positions are kept as binary numbers spread over "planes" (plane p holds bit p of
//! every count), and inputs are folded in with carry-save adders, two at a time, so one input
//! costs about 5 word operations per word instead of 32 integer additions.

// Index loops over fixed-size blocks read as the bit-sliced algebra they implement.
#![allow(clippy::needless_range_loop)]

#[cfg(hyperbits_dsp)]
#[allow(unsafe_code)] // architecture code: intrinsics and inline assembly
mod dsp;
mod portable;
mod sliced;
#[cfg(hyperbits_thumb2)]
#[allow(unsafe_code)] // architecture code: intrinsics and inline assembly
mod thumb2;
#[cfg(hyperbits_x86_dispatch)]
#[allow(unsafe_code)] // architecture code: intrinsics and inline assembly
mod x86;

pub(crate) use portable::*;
pub(crate) use sliced::*;

/// Words per block of the bit-sliced counters and of the codebook generator.
pub(crate) const BLOCK: usize = 16;

/// A block of words.
pub(crate) type Block = [u32; BLOCK];

/// Counter planes of the bit-sliced majority: total weights up to `2^16 - 1`.
pub(crate) const MAX_PLANES: usize = 16;

/// The largest number (or total weight) of inputs one majority can count.
pub(crate) const MAX_COUNT: u32 = (1 << MAX_PLANES) - 1;

/// `popcount(a & b)` over two word slices of equal length: the dot product of a 0/1 vector
/// with a 0/1 mask, as the SAE's packed ternary / binary encoders use it.
#[inline]
pub(crate) fn and_count(a: &[u32], b: &[u32]) -> u32 {
    #[cfg(hyperbits_x86_dispatch)]
    {
        x86::and_count(a, b)
    }
    #[cfg(not(hyperbits_x86_dispatch))]
    {
        and_count_portable(a, b)
    }
}

/// `Σ w[j]·x[j]` over two `i8` slices (the shorter length): the dense SAE encoder's inner
/// loop. SMLAD (two 16-bit multiply-adds per instruction) on ARMv7E-M, portable elsewhere.
/// The caller keeps the sum within `i32` (the SAE loader bounds it).
#[inline]
pub(crate) fn dot_i8(w: &[i8], x: &[i8]) -> i32 {
    #[cfg(hyperbits_dsp)]
    {
        dsp::dot_i8(w, x)
    }
    #[cfg(hyperbits_x86_dispatch)]
    {
        x86::dot_i8(w, x)
    }
    #[cfg(not(any(hyperbits_dsp, hyperbits_x86_dispatch)))]
    {
        dot_i8_portable(w, x)
    }
}

/// `[Σ w0[j]·x[j], Σ w1[j]·x[j]]` over `x.len()` inputs (`w0` and `w1` at least as long):
/// two rows against one input, which is loaded once. SMLAD on ARMv7E-M.
#[inline]
pub(crate) fn dot2_i8(w0: &[i8], w1: &[i8], x: &[i8]) -> [i32; 2] {
    #[cfg(hyperbits_dsp)]
    {
        dsp::dot2_i8(w0, w1, x)
    }
    #[cfg(not(hyperbits_dsp))]
    {
        [dot_i8(w0, x), dot_i8(w1, x)]
    }
}

/// `Σ w[j]·x[j]`, int8 weights against `i16` inputs (the SAE's per-row input), over the
/// shorter length; AVX-512 / AVX2 builds on x86_64, portable elsewhere. The caller keeps the
/// sum within `i32`.
#[inline]
pub(crate) fn dot_i8_i16(w: &[i8], x: &[i16]) -> i32 {
    #[cfg(hyperbits_x86_dispatch)]
    {
        x86::dot_i8_i16(w, x)
    }
    #[cfg(not(hyperbits_x86_dispatch))]
    {
        portable::dot_portable(w, x)
    }
}

/// `Σ w[j]·x[j]` in `f32` over int8 weights (the SAE's f32 path): eight running sums in a
/// fixed order, an AVX2 build on x86_64 (the same bits), portable elsewhere.
#[inline]
pub(crate) fn dot_i8_f32(w: &[i8], x: &[f32]) -> f32 {
    #[cfg(hyperbits_x86_dispatch)]
    {
        x86::dot_i8_f32(w, x)
    }
    #[cfg(not(hyperbits_x86_dispatch))]
    {
        dot_i8_f32_portable(w, x)
    }
}

/// Puts a block of `i16` inputs in the order [`dot2_i8_i16_paired`] reads: each full quad
/// `x0 x1 x2 x3` as `x0 x2 x1 x3` on ARMv7E-M (SMLAD pairs), unchanged elsewhere.
#[inline]
pub(crate) fn pair_order(x: &mut [i16]) {
    if cfg!(hyperbits_dsp) {
        for quad in x.chunks_exact_mut(4) {
            quad.swap(1, 2);
        }
    }
}

/// [`dot_i8_i16`] of two weight rows against inputs in [`pair_order`]: SMLAD on ARMv7E-M.
#[inline]
pub(crate) fn dot2_i8_i16_paired(w0: &[i8], w1: &[i8], x: &[i16]) -> [i32; 2] {
    #[cfg(hyperbits_dsp)]
    {
        dsp::dot2_i8_i16_paired(w0, w1, x)
    }
    #[cfg(not(hyperbits_dsp))]
    {
        [dot_i8_i16(w0, x), dot_i8_i16(w1, x)]
    }
}

/// One int8 weight row against four `i16` input rows of at least its length (the SAE's batch
/// encoder): AVX-512 / AVX2 builds on x86_64, portable elsewhere.
#[inline]
#[cfg(feature = "alloc")]
pub(crate) fn dot4_i8_i16(w: &[i8], x: [&[i16]; 4]) -> [i32; 4] {
    #[cfg(hyperbits_x86_dispatch)]
    {
        x86::dot4_i8_i16(w, x)
    }
    #[cfg(not(hyperbits_x86_dispatch))]
    {
        portable::dot4_simple(w, x)
    }
}

/// `out = a XOR b`, word by word (equal lengths).
#[inline]
pub(crate) fn xor(out: &mut [u32], a: &[u32], b: &[u32]) {
    #[cfg(hyperbits_x86_dispatch)]
    {
        x86::xor(out, a, b)
    }
    #[cfg(not(hyperbits_x86_dispatch))]
    {
        xor_generic(out, a, b)
    }
}

/// `out` = bitwise majority of `a`, `b`, `c` (equal lengths).
#[inline]
pub(crate) fn majority3(out: &mut [u32], a: &[u32], b: &[u32], c: &[u32]) {
    #[cfg(hyperbits_x86_dispatch)]
    {
        x86::majority3(out, a, b, c)
    }
    #[cfg(not(hyperbits_x86_dispatch))]
    {
        majority3_generic(out, a, b, c)
    }
}

/// See [`project_generic`].
pub(crate) fn project<T: AsRef<[u32]>>(
    rows: &[T],
    q: &[i32],
    extra: Option<(&[u32], i32)>,
    out: &mut [u32],
) {
    #[cfg(hyperbits_x86_dispatch)]
    {
        x86::project(rows, q, extra, out)
    }
    #[cfg(not(hyperbits_x86_dispatch))]
    {
        project_generic(rows, q, extra, out)
    }
}

/// Hamming distance of two word slices of equal length.
#[inline]
pub(crate) fn hamming(a: &[u32], b: &[u32]) -> u32 {
    #[cfg(hyperbits_x86_dispatch)]
    {
        x86::hamming(a, b)
    }
    #[cfg(not(hyperbits_x86_dispatch))]
    {
        hamming_mcu(a, b)
    }
}

/// Number of set bits in a word slice.
#[inline]
pub(crate) fn popcount(a: &[u32]) -> u32 {
    #[cfg(hyperbits_x86_dispatch)]
    {
        x86::popcount(a)
    }
    #[cfg(not(hyperbits_x86_dispatch))]
    {
        popcount_portable(a)
    }
}

/// `dst = src` rotated towards higher bit indices by `bits` (bit `j` moves to `(j + bits) mod D`,
/// with bit `j` stored in word `j / 32` at position `j % 32`). `src` and `dst` have equal length.
#[inline]
pub(crate) fn rotate_left(src: &[u32], dst: &mut [u32], bits: usize) {
    #[cfg(hyperbits_x86_dispatch)]
    {
        x86::rotate_left(src, dst, bits)
    }
    #[cfg(not(hyperbits_x86_dispatch))]
    {
        rotate_generic(src, dst, bits)
    }
}

/// Index and distance of the item nearest to `query` (ties: lowest index); `None` if empty.
pub(crate) fn nearest<T: AsRef<[u32]>>(
    query: &[u32],
    items: impl IntoIterator<Item = T>,
) -> Option<(usize, u32)> {
    #[cfg(hyperbits_x86_dispatch)]
    {
        x86::nearest(query, items)
    }
    #[cfg(not(hyperbits_x86_dispatch))]
    {
        nearest_generic(query, items, hamming_mcu)
    }
}

/// Calls `f(index, distance)` for every item, in order.
pub(crate) fn distances<T: AsRef<[u32]>>(
    query: &[u32],
    items: impl IntoIterator<Item = T>,
    f: impl FnMut(usize, u32),
) {
    #[cfg(hyperbits_x86_dispatch)]
    {
        x86::distances(query, items, f)
    }
    #[cfg(not(hyperbits_x86_dispatch))]
    {
        distances_generic(query, items, hamming_mcu, f)
    }
}

/// Majority of `inputs` and the optional `tie` input. Preconditions: equal lengths, an odd
/// number of inputs in all, at most [`MAX_COUNT`].
#[inline]
pub(crate) fn majority<T: AsRef<[u32]>>(inputs: &[T], tie: Option<&[u32]>, out: &mut [u32]) {
    #[cfg(hyperbits_x86_dispatch)]
    {
        x86::majority(inputs, tie, out)
    }
    #[cfg(not(hyperbits_x86_dispatch))]
    {
        majority_portable(inputs, tie, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;

    /// The SAE's dense dot products (int8 weights against i16, f32; one row or four; inputs in
    /// pair order) against a naive sum, at every length to 300 and odd start offsets, with the
    /// extreme values (so an overflow or a wrong lane would show).
    #[test]
    fn dense_dot_products_match_a_naive_sum() {
        let w: Vec<i8> = (0..311).map(|i: i32| (i * 37 % 255 - 127) as i8).collect();
        let x: Vec<i16> = (0..311)
            .map(|i| match i % 7 {
                0 => i16::MAX,
                1 => -i16::MAX,
                _ => ((i * 7919) % 65_535) as i16,
            })
            .collect();
        let xf: Vec<f32> = x.iter().map(|&v| f32::from(v) / 64.0).collect();
        // Under Miri (slow): the lengths around each kernel's step.
        let lengths: Vec<usize> = if cfg!(miri) {
            vec![0, 1, 3, 4, 5, 7, 8, 9, 31, 32, 33, 67, 255]
        } else {
            (0..300).collect()
        };
        for start in [0usize, 1, 3] {
            for &len in &lengths {
                let (w, x, xf) = (
                    &w[start..start + len],
                    &x[start..start + len],
                    &xf[start..start + len],
                );
                let naive: i32 = w
                    .iter()
                    .zip(x)
                    .map(|(&a, &b)| i32::from(a) * i32::from(b))
                    .sum();
                assert_eq!(dot_i8_i16(w, x), naive, "{start} {len}");
                #[cfg(feature = "alloc")]
                {
                    let rev: Vec<i16> = x.iter().rev().copied().collect();
                    let naive_rev: i32 = w
                        .iter()
                        .zip(&rev)
                        .map(|(&a, &b)| i32::from(a) * i32::from(b))
                        .sum();
                    assert_eq!(
                        dot4_i8_i16(w, [x, &rev, x, &rev]),
                        [naive, naive_rev, naive, naive_rev]
                    );
                }
                let mut paired = x.to_vec();
                pair_order(&mut paired);
                assert_eq!(
                    dot2_i8_i16_paired(w, w, &paired),
                    [naive, naive],
                    "{start} {len}"
                );
                let exact: f64 = w
                    .iter()
                    .zip(xf)
                    .map(|(&a, &b)| f64::from(a) * f64::from(b))
                    .sum();
                let got = f64::from(dot_i8_f32(w, xf));
                assert!(
                    (got - exact).abs() <= 1e-3 * (1.0 + exact.abs()),
                    "{start} {len}"
                );
                assert_eq!(
                    dot_i8_f32(w, xf).to_bits(),
                    dot_i8_f32_portable(w, xf).to_bits()
                );
            }
        }
    }

    /// Rotation against a bit-by-bit reference, at every third bit offset and word counts
    /// below, at and past the 16-word SIMD step (its tail and the run after the wrap).
    #[test]
    fn rotation_matches_a_bitwise_reference() {
        for n in [1usize, 2, 3, 8, 13, 16, 17, 18, 33, 47] {
            let src: Vec<u32> = (0..n as u32)
                .map(|i| i.wrapping_mul(0x9E37_79B9) ^ 0x5A5A_0F0F)
                .collect();
            let bit = |v: &[u32], j: usize| (v[j / 32] >> (j % 32)) & 1;
            let d = 32 * n;
            for bits in (0..d + 40).step_by(3) {
                let mut dst = vec![0u32; n];
                rotate_left(&src, &mut dst, bits);
                for j in 0..d {
                    assert_eq!(
                        bit(&dst, (j + bits) % d),
                        bit(&src, j),
                        "n={n} bits={bits} j={j}"
                    );
                }
            }
        }
    }

    #[test]
    fn and_counts_equal_the_definition_on_all_tails() {
        let mut x = 0x9E37_79B9u32;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let a: std::vec::Vec<u32> = (0..40).map(|_| next()).collect();
        let b: std::vec::Vec<u32> = (0..40).map(|_| next()).collect();
        for n in 0..=40 {
            let naive: u32 = a[..n]
                .iter()
                .zip(&b[..n])
                .map(|(p, q)| (p & q).count_ones())
                .sum();
            assert_eq!(and_count(&a[..n], &b[..n]), naive, "{n}");
            assert_eq!(and_count_portable(&a[..n], &b[..n]), naive, "{n}");
        }
    }

    #[test]
    fn int8_dot_products_equal_the_definition() {
        let mut state = 7u32;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8 as i8
        };
        let w: std::vec::Vec<i8> = (0..300).map(|_| next()).collect();
        let x: std::vec::Vec<i8> = (0..300).map(|_| next()).collect();
        for (start, len) in [(0, 0), (0, 1), (1, 3), (3, 4), (5, 67), (0, 256), (7, 293)] {
            let (w, x) = (&w[start..start + len], &x[start..start + len]);
            let naive: i32 = w
                .iter()
                .zip(x)
                .map(|(&a, &b)| i32::from(a) * i32::from(b))
                .sum();
            assert_eq!(dot_i8(w, x), naive, "{start} {len}");
            assert_eq!(dot_i8_portable(w, x), naive);
            let rev: std::vec::Vec<i8> = w.iter().rev().copied().collect();
            assert_eq!(dot2_i8(w, &rev, x), [naive, dot_i8_portable(&rev, x)]);
        }
        assert_eq!(dot_i8(&[-128, 127], &[-128, -128]), 16384 - 16256);
    }

    fn bit(v: &[u32], j: usize) -> bool {
        (v[j / 32] >> (j % 32)) & 1 == 1
    }

    #[test]
    fn harley_seal_matches_naive_on_all_tails() {
        let mut x = 0x1234_5678u32;
        let v: [u32; 40] = core::array::from_fn(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        });
        for n in 0..=40 {
            let naive: u32 = v[..n].iter().map(|w| w.count_ones()).sum();
            assert_eq!(popcount_portable(&v[..n]), naive);
            let naive_h: u32 = v[..n]
                .iter()
                .zip(v[..n].iter().rev())
                .map(|(a, b)| (a ^ b).count_ones())
                .sum();
            let rev: [u32; 40] = core::array::from_fn(|i| if i < n { v[n - 1 - i] } else { 0 });
            assert_eq!(hamming_portable(&v[..n], &rev[..n]), naive_h);
        }
        assert_eq!(popcount_portable(&[u32::MAX; 33]), 33 * 32);
    }

    #[test]
    fn rotation_moves_each_bit_by_the_amount() {
        let src = [0x8000_0001u32, 0x0000_0100, 0xF000_000F];
        for r in [0usize, 1, 5, 31, 32, 33, 64, 95, 96, 200] {
            let mut dst = [0u32; 3];
            rotate_left(&src, &mut dst, r);
            for j in 0..96 {
                assert_eq!(bit(&dst, (j + r) % 96), bit(&src, j), "r={r} j={j}");
            }
        }
    }

    #[test]
    fn sliced_counter_counts_exactly() {
        // Bit j of input i is set iff j < i: the count at position j is k - j - 1 (or 0).
        for k in [1u32, 2, 3, 5, 8, 31, 64, 255, 300] {
            let mut counter = SlicedCounter::new(k);
            for i in 0..k {
                let mut b = [0u32; BLOCK];
                for j in 0..(i as usize).min(BLOCK * 32) {
                    b[j / 32] |= 1 << (j % 32);
                }
                counter.push(&b);
            }
            for t in [1u32, k / 2, k / 2 + 1, k] {
                let t = t.max(1);
                let ge = counter.clone().at_least(t);
                for j in 0..BLOCK * 32 {
                    let count = k.saturating_sub(j as u32 + 1);
                    assert_eq!(bit(&ge, j), count >= t, "k={k} t={t} j={j}");
                }
            }
        }
    }

    #[test]
    fn weighted_counter_equals_repeated_pushes() {
        let a: Block = core::array::from_fn(|i| (i as u32).wrapping_mul(0x9E37_79B9));
        let b: Block = core::array::from_fn(|i| (i as u32).wrapping_mul(0x85EB_CA6B) ^ 0xFFFF);
        let mut weighted = SlicedCounter::new(12);
        weighted.push_weighted(&a, 5);
        weighted.push_weighted(&b, 7);
        let mut repeated = SlicedCounter::new(12);
        for _ in 0..5 {
            repeated.push(&a);
        }
        for _ in 0..7 {
            repeated.push(&b);
        }
        for t in 1..=12 {
            assert_eq!(
                weighted.clone().at_least(t),
                repeated.clone().at_least(t),
                "t={t}"
            );
        }
    }
}
