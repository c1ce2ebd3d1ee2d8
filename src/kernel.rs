//! The hot loops: popcount, Hamming distance, bit-sliced majority and rotation over `u32` words.
//!
//! Every operation of the crate that touches all D bits ends up here, so a faster version lands
//! once and helps everything. Two families of implementation sit behind one interface:
//!
//! * **Portable** (every target, and the only one on microcontrollers): Harley–Seal carry-save
//!   popcount (Muła, Kurz, Lemire 2018) over blocks of 8 words. Cortex-M0/M3/M4 and RV32IMC have
//!   no popcount instruction; the SWAR `count_ones` costs about 12 instructions a word, and the
//!   carry-save adders cut that to one SWAR popcount per 8 words plus 7 adders of 5 logic
//!   operations.
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

/// Words per block of the bit-sliced counters and of the codebook generator.
pub(crate) const BLOCK: usize = 16;
/// A block of words.
pub(crate) type Block = [u32; BLOCK];
/// Counter planes of the bit-sliced majority: total weights up to `2^16 - 1`.
pub(crate) const MAX_PLANES: usize = 16;
/// The largest number (or total weight) of inputs one majority can count.
pub(crate) const MAX_COUNT: u32 = (1 << MAX_PLANES) - 1;

/// Carry-save adder (full adder on 32 lanes): returns `(carry, sum)` of `a + b + c`.
#[inline(always)]
fn csa(a: u32, b: u32, c: u32) -> (u32, u32) {
    let u = a ^ b;
    ((a & b) | (u & c), u ^ c)
}

/// Harley–Seal accumulator state over 8-word groups.
#[derive(Default)]
struct HarleySeal {
    ones: u32,
    twos: u32,
    fours: u32,
    eights: u32,
}

impl HarleySeal {
    #[inline(always)]
    fn add8(&mut self, w: [u32; 8]) {
        let (twos_a, ones) = csa(self.ones, w[0], w[1]);
        let (twos_b, ones) = csa(ones, w[2], w[3]);
        let (fours_a, twos) = csa(self.twos, twos_a, twos_b);
        let (twos_a, ones) = csa(ones, w[4], w[5]);
        let (twos_b, ones) = csa(ones, w[6], w[7]);
        let (fours_b, twos) = csa(twos, twos_a, twos_b);
        let (eights, fours) = csa(self.fours, fours_a, fours_b);
        self.ones = ones;
        self.twos = twos;
        self.fours = fours;
        self.eights += eights.count_ones();
    }

    #[inline(always)]
    fn total(&self) -> u32 {
        8 * self.eights
            + 4 * self.fours.count_ones()
            + 2 * self.twos.count_ones()
            + self.ones.count_ones()
    }
}

/// Portable popcount of a word slice (Harley–Seal).
pub(crate) fn popcount_portable(a: &[u32]) -> u32 {
    let mut hs = HarleySeal::default();
    let chunks = a.chunks_exact(8);
    let rest: u32 = chunks.remainder().iter().map(|w| w.count_ones()).sum();
    for c in chunks {
        if let &[w0, w1, w2, w3, w4, w5, w6, w7] = c {
            hs.add8([w0, w1, w2, w3, w4, w5, w6, w7]);
        }
    }
    hs.total() + rest
}

/// Portable Hamming distance of two word slices of equal length (Harley–Seal).
pub(crate) fn hamming_portable(a: &[u32], b: &[u32]) -> u32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut hs = HarleySeal::default();
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let rest: u32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| (x ^ y).count_ones())
        .sum();
    for (x, y) in ca.zip(cb) {
        if let (&[x0, x1, x2, x3, x4, x5, x6, x7], &[y0, y1, y2, y3, y4, y5, y6, y7]) = (x, y) {
            hs.add8([
                x0 ^ y0,
                x1 ^ y1,
                x2 ^ y2,
                x3 ^ y3,
                x4 ^ y4,
                x5 ^ y5,
                x6 ^ y6,
                x7 ^ y7,
            ]);
        }
    }
    hs.total() + rest
}

/// Plain per-word popcount loop; with a hardware popcount (or a vector one) the compiler turns
/// this into the fastest code, so the dispatched x86 paths use it.
#[inline(always)]
#[cfg_attr(
    not(all(feature = "std", target_arch = "x86_64", not(miri))),
    allow(dead_code)
)]
fn hamming_simple(a: &[u32], b: &[u32]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

#[inline(always)]
#[cfg_attr(
    not(all(feature = "std", target_arch = "x86_64", not(miri))),
    allow(dead_code)
)]
fn popcount_simple(a: &[u32]) -> u32 {
    a.iter().map(|x| x.count_ones()).sum()
}

/// Nearest of `items` to `query` by Hamming distance, scanning with the given distance kernel
/// (inlined into the loop). Ties go to the lowest index. `None` for no items.
#[inline(always)]
fn nearest_generic<T: AsRef<[u32]>>(
    query: &[u32],
    items: &[T],
    dist: impl Fn(&[u32], &[u32]) -> u32,
) -> Option<(usize, u32)> {
    let mut best: Option<(usize, u32)> = None;
    for (i, item) in items.iter().enumerate() {
        let d = dist(query, item.as_ref());
        if best.is_none_or(|(_, b)| d < b) {
            best = Some((i, d));
        }
    }
    best
}

/// Calls `f` with the Hamming distance of `query` to every item, in order.
#[inline(always)]
fn distances_generic<T: AsRef<[u32]>>(
    query: &[u32],
    items: &[T],
    dist: impl Fn(&[u32], &[u32]) -> u32,
    mut f: impl FnMut(usize, u32),
) {
    for (i, item) in items.iter().enumerate() {
        f(i, dist(query, item.as_ref()));
    }
}

/// Hamming distance of two word slices of equal length.
#[inline]
pub(crate) fn hamming(a: &[u32], b: &[u32]) -> u32 {
    #[cfg(all(feature = "std", target_arch = "x86_64", not(miri)))]
    {
        x86::hamming(a, b)
    }
    #[cfg(not(all(feature = "std", target_arch = "x86_64", not(miri))))]
    {
        hamming_portable(a, b)
    }
}

/// Number of set bits in a word slice.
#[inline]
pub(crate) fn popcount(a: &[u32]) -> u32 {
    #[cfg(all(feature = "std", target_arch = "x86_64", not(miri)))]
    {
        x86::popcount(a)
    }
    #[cfg(not(all(feature = "std", target_arch = "x86_64", not(miri))))]
    {
        popcount_portable(a)
    }
}

/// Index and distance of the item nearest to `query` (ties: lowest index); `None` if empty.
pub(crate) fn nearest<T: AsRef<[u32]>>(query: &[u32], items: &[T]) -> Option<(usize, u32)> {
    #[cfg(all(feature = "std", target_arch = "x86_64", not(miri)))]
    {
        x86::nearest(query, items)
    }
    #[cfg(not(all(feature = "std", target_arch = "x86_64", not(miri))))]
    {
        nearest_generic(query, items, hamming_portable)
    }
}

/// Calls `f(index, distance)` for every item, in order.
pub(crate) fn distances<T: AsRef<[u32]>>(query: &[u32], items: &[T], f: impl FnMut(usize, u32)) {
    #[cfg(all(feature = "std", target_arch = "x86_64", not(miri)))]
    {
        x86::distances(query, items, f)
    }
    #[cfg(not(all(feature = "std", target_arch = "x86_64", not(miri))))]
    {
        distances_generic(query, items, hamming_portable, f)
    }
}

/// `dst = src` rotated towards higher bit indices by `bits` (bit `j` moves to `(j + bits) mod D`,
/// with bit `j` stored in word `j / 32` at position `j % 32`). `src` and `dst` have equal length.
pub(crate) fn rotate_left(src: &[u32], dst: &mut [u32], bits: usize) {
    let n = src.len().min(dst.len());
    if n == 0 {
        return;
    }
    let r = bits % (32 * n);
    let (q, s) = (r / 32, (r % 32) as u32);
    // dst[i] takes its low bits from src[i - q - 1] and its high bits from src[i - q] (mod n).
    let mut hi = (n - q) % n;
    let mut lo = (hi + n - 1) % n;
    for d in dst[..n].iter_mut() {
        *d = if s == 0 {
            src[hi]
        } else {
            (src[hi] << s) | (src[lo] >> (32 - s))
        };
        lo = hi;
        hi += 1;
        if hi == n {
            hi = 0;
        }
    }
}

/// Three-input majority of single words.
#[inline(always)]
pub(crate) fn majority3_word(a: u32, b: u32, c: u32) -> u32 {
    (a & b) | (c & (a ^ b))
}

/// Bit-sliced counters for one block of `BLOCK` words: the count of every bit position is a
/// binary number whose bit `p` lives in `planes[p]`. Inputs are folded in pairs by carry-save
/// adders (`push`); carries wait at their level until a second one arrives (a binary-counter
/// cascade), so each input costs about 5 logic operations per word.
#[derive(Clone)]
pub(crate) struct SlicedCounter {
    planes: [Block; MAX_PLANES],
    wait: [Block; MAX_PLANES],
    waiting: u32,
    pending: Block,
    has_pending: bool,
    nplanes: usize,
}

impl SlicedCounter {
    /// Counters for up to `total` (≤ [`MAX_COUNT`]) units of weight.
    #[inline(always)]
    pub(crate) fn new(total: u32) -> Self {
        let nplanes = (32 - total.min(MAX_COUNT).leading_zeros()) as usize;
        SlicedCounter {
            planes: [[0; BLOCK]; MAX_PLANES],
            wait: [[0; BLOCK]; MAX_PLANES],
            waiting: 0,
            pending: [0; BLOCK],
            has_pending: false,
            nplanes: nplanes.max(1),
        }
    }

    /// Adds one input of weight 1.
    #[inline(always)]
    pub(crate) fn push(&mut self, x: &Block) {
        if !self.has_pending {
            self.pending = *x;
            self.has_pending = true;
            return;
        }
        self.has_pending = false;
        let mut carry = [0u32; BLOCK];
        for j in 0..BLOCK {
            let (c, s) = csa(self.planes[0][j], self.pending[j], x[j]);
            self.planes[0][j] = s;
            carry[j] = c;
        }
        let mut level = 1;
        while level < MAX_PLANES {
            let bit = 1u32 << level;
            if self.waiting & bit == 0 {
                self.wait[level] = carry;
                self.waiting |= bit;
                return;
            }
            self.waiting &= !bit;
            for j in 0..BLOCK {
                let (c, s) = csa(self.planes[level][j], self.wait[level][j], carry[j]);
                self.planes[level][j] = s;
                carry[j] = c;
            }
            level += 1;
        }
    }

    /// Adds `x` at weight `2^level` by ripple-carry addition.
    #[inline(always)]
    fn ripple(&mut self, level: usize, x: &Block) {
        let mut carry = *x;
        for plane in self.planes[level.min(MAX_PLANES)..self.nplanes].iter_mut() {
            for j in 0..BLOCK {
                let s = plane[j] ^ carry[j];
                carry[j] &= plane[j];
                plane[j] = s;
            }
        }
    }

    /// Adds one input of weight `w`.
    #[inline(always)]
    pub(crate) fn push_weighted(&mut self, x: &Block, w: u32) {
        let mut w = w;
        while w != 0 {
            let level = w.trailing_zeros() as usize;
            self.ripple(level, x);
            w &= w - 1;
        }
    }

    /// Flushes the pending inputs and returns, for every bit position, whether its count is at
    /// least `t` (`t < 2^nplanes`).
    #[inline(always)]
    pub(crate) fn at_least(&mut self, t: u32) -> Block {
        if self.has_pending {
            self.has_pending = false;
            let p = self.pending;
            self.ripple(0, &p);
        }
        while self.waiting != 0 {
            let level = self.waiting.trailing_zeros() as usize;
            self.waiting &= self.waiting - 1;
            let w = self.wait[level.min(MAX_PLANES - 1)];
            self.ripple(level, &w);
        }
        // Compare from the most significant plane down: gt = "already greater", eq = "equal so far".
        let mut gt = [0u32; BLOCK];
        let mut eq = [u32::MAX; BLOCK];
        for p in (0..self.nplanes).rev() {
            let plane = &self.planes[p];
            if (t >> p) & 1 == 1 {
                for j in 0..BLOCK {
                    eq[j] &= plane[j];
                }
            } else {
                for j in 0..BLOCK {
                    gt[j] |= eq[j] & plane[j];
                    eq[j] &= !plane[j];
                }
            }
        }
        let mut out = [0u32; BLOCK];
        for j in 0..BLOCK {
            out[j] = gt[j] | eq[j];
        }
        out
    }
}

/// Copies words `start..start + len` of `src` into a zero-padded block.
#[inline(always)]
pub(crate) fn load_block(src: &[u32], start: usize) -> Block {
    let mut b = [0u32; BLOCK];
    let end = (start + BLOCK).min(src.len());
    if start < end {
        b[..end - start].copy_from_slice(&src[start..end]);
    }
    b
}

/// Writes the first words of a block to `dst[start..]`, as many as fit.
#[inline(always)]
pub(crate) fn store_block(dst: &mut [u32], start: usize, b: &Block) {
    let end = (start + BLOCK).min(dst.len());
    if start < end {
        dst[start..end].copy_from_slice(&b[..end - start]);
    }
}

/// Majority of `inputs` (plus the `tie` vector as one more input), written to `out`.
/// Callers guarantee: every slice has `out.len()` words, and the number of inputs (with the tie)
/// is odd and at most [`MAX_COUNT`].
#[inline(always)]
fn majority_generic<T: AsRef<[u32]>>(inputs: &[T], tie: Option<&[u32]>, out: &mut [u32]) {
    let total = (inputs.len() + usize::from(tie.is_some())) as u32;
    let threshold = total / 2 + 1;
    let mut start = 0;
    while start < out.len() {
        let mut counter = SlicedCounter::new(total);
        for v in inputs {
            counter.push(&load_block(v.as_ref(), start));
        }
        if let Some(t) = tie {
            counter.push(&load_block(t, start));
        }
        store_block(out, start, &counter.at_least(threshold));
        start += BLOCK;
    }
}

/// Portable majority (see [`majority`]).
#[cfg_attr(
    all(feature = "std", target_arch = "x86_64", not(miri)),
    allow(dead_code)
)]
pub(crate) fn majority_portable<T: AsRef<[u32]>>(
    inputs: &[T],
    tie: Option<&[u32]>,
    out: &mut [u32],
) {
    majority_generic(inputs, tie, out)
}

/// Majority of `inputs` and the optional `tie` input. Preconditions: equal lengths, an odd
/// number of inputs in all, at most [`MAX_COUNT`].
#[inline]
pub(crate) fn majority<T: AsRef<[u32]>>(inputs: &[T], tie: Option<&[u32]>, out: &mut [u32]) {
    #[cfg(all(feature = "std", target_arch = "x86_64", not(miri)))]
    {
        x86::majority(inputs, tie, out)
    }
    #[cfg(not(all(feature = "std", target_arch = "x86_64", not(miri))))]
    {
        majority_portable(inputs, tie, out)
    }
}

#[cfg(all(feature = "std", target_arch = "x86_64", not(miri)))]
mod x86 {
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
            // SAFETY: `isa` is `isa()`.
            isa => unsafe { dispatch(isa, || hamming_simple(a, b)) },
        }
    }

    pub(super) fn popcount(a: &[u32]) -> u32 {
        match isa() {
            Isa::Portable => popcount_portable(a),
            // SAFETY: `isa` is `isa()`.
            isa => unsafe { dispatch(isa, || popcount_simple(a)) },
        }
    }

    pub(super) fn nearest<T: AsRef<[u32]>>(query: &[u32], items: &[T]) -> Option<(usize, u32)> {
        match isa() {
            Isa::Portable => nearest_generic(query, items, hamming_portable),
            // SAFETY: `isa` is `isa()`.
            isa => unsafe { dispatch(isa, || nearest_generic(query, items, hamming_simple)) },
        }
    }

    pub(super) fn distances<T: AsRef<[u32]>>(
        query: &[u32],
        items: &[T],
        f: impl FnMut(usize, u32),
    ) {
        match isa() {
            Isa::Portable => distances_generic(query, items, hamming_portable, f),
            // SAFETY: `isa` is `isa()`.
            isa => unsafe { dispatch(isa, || distances_generic(query, items, hamming_simple, f)) },
        }
    }

    pub(super) fn majority<T: AsRef<[u32]>>(inputs: &[T], tie: Option<&[u32]>, out: &mut [u32]) {
        // SAFETY: the instruction set is `isa()`.
        unsafe { dispatch(isa(), || majority_generic(inputs, tie, out)) }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

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
                for n in [0usize, 1, 7, 8, 15, 16, 17, 63, 64, 65, 256, 313] {
                    let a = words(n as u64, n);
                    let b = words(n as u64 + 1000, n);
                    let c = words(n as u64 + 2000, n);
                    let d = words(n as u64 + 3000, n);
                    // SAFETY: `isa` is at most the detected instruction set (filtered above), and
                    // each level's features include those of the levels below it.
                    macro_rules! run {
                        ($e:expr) => {
                            unsafe { dispatch(isa, || $e) }
                        };
                    }
                    let h = run!(hamming_simple(&a, &b));
                    assert_eq!(h, hamming_portable(&a, &b), "{isa:?} n={n}");
                    let p = run!(popcount_simple(&a));
                    assert_eq!(p, popcount_portable(&a), "{isa:?} n={n}");
                    let items = [&a, &b, &c, &d];
                    let got = run!(nearest_generic(&c, &items, hamming_simple));
                    assert_eq!(got, nearest_generic(&c, &items, hamming_portable));
                    let mut fast = vec![0; n];
                    let mut slow = vec![0; n];
                    run!(majority_generic(&[&a, &b, &c], None, &mut fast));
                    majority_portable(&[&a, &b, &c], None, &mut slow);
                    assert_eq!(fast, slow, "{isa:?} n={n}");
                    run!(majority_generic(&[&a, &b, &c, &d], Some(&a), &mut fast));
                    majority_portable(&[&a, &b, &c, &d], Some(&a), &mut slow);
                    assert_eq!(fast, slow, "{isa:?} n={n}");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
