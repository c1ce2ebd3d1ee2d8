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

/// Harley–Seal accumulator state over 8-word groups: `ones`, `twos`, `fours` are the low
/// bits of 32 lane counters and `eights` counts the carries out of them.
#[derive(Default)]
struct HarleySeal {
    ones: u32,
    twos: u32,
    fours: u32,
    eights: u32,
}

impl HarleySeal {
    /// Adds 8 words given by `w(i)`. Written so that at most two carries wait at any point
    /// (twos_a, fours_a): on a 32-bit MCU with 13 usable registers that keeps everything in
    /// registers.
    #[inline(always)]
    fn add8(&mut self, w: impl Fn(usize) -> u32) {
        let (twos_a, ones) = csa(self.ones, w(0), w(1));
        let (twos_b, ones) = csa(ones, w(2), w(3));
        let (fours_a, twos) = csa(self.twos, twos_a, twos_b);
        let (twos_a, ones) = csa(ones, w(4), w(5));
        let (twos_b, ones) = csa(ones, w(6), w(7));
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
        hs.add8(|i| c[i]);
    }
    hs.total() + rest
}

/// Portable Hamming distance of two word slices of equal length (Harley–Seal).
#[cfg_attr(hyperbits_thumb2, allow(dead_code))]
pub(crate) fn hamming_portable(a: &[u32], b: &[u32]) -> u32 {
    count_pairs(a, b, |x, y| x ^ y)
}

/// `popcount(a & b)` over two word slices of equal length: the dot product of a 0/1 vector
/// with a 0/1 mask, as the SAE's packed ternary / binary encoders use it.
#[inline]
pub(crate) fn and_count(a: &[u32], b: &[u32]) -> u32 {
    #[cfg(all(feature = "std", target_arch = "x86_64", not(miri)))]
    {
        x86::and_count(a, b)
    }
    #[cfg(not(all(feature = "std", target_arch = "x86_64", not(miri))))]
    {
        and_count_portable(a, b)
    }
}

/// The portable [`and_count`] (Harley–Seal).
pub(crate) fn and_count_portable(a: &[u32], b: &[u32]) -> u32 {
    count_pairs(a, b, |x, y| x & y)
}

/// `Σ popcount(op(a_i, b_i))` (Harley–Seal over 8-word groups).
#[inline(always)]
fn count_pairs(a: &[u32], b: &[u32], op: impl Fn(u32, u32) -> u32) -> u32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut hs = HarleySeal::default();
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let rest: u32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(&x, &y)| op(x, y).count_ones())
        .sum();
    for (x, y) in ca.zip(cb) {
        hs.add8(|i| op(x[i], y[i]));
    }
    hs.total() + rest
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
    #[cfg(not(hyperbits_dsp))]
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
        [dot_i8_portable(w0, x), dot_i8_portable(w1, x)]
    }
}

/// Whether [`dot_i8_portable`] keeps four running sums: fewer loop branches on cores with
/// registers to spare, but not on the Cortex-M0 (at d = 64, h = 512: 585 k instructions
/// plain, 758 k unrolled).
const DOT_UNROLL: bool = !cfg!(all(target_arch = "arm", not(hyperbits_thumb2)));

/// The portable [`dot_i8`].
#[cfg_attr(hyperbits_dsp, allow(dead_code))]
pub(crate) fn dot_i8_portable(w: &[i8], x: &[i8]) -> i32 {
    let n = w.len().min(x.len());
    let (w, x) = (&w[..n], &x[..n]);
    let mac = |(&w, &x): (&i8, &i8)| i32::from(w) * i32::from(x);
    if !DOT_UNROLL {
        return w.iter().zip(x).map(mac).sum();
    }
    let (ws, xs) = (w.chunks_exact(4), x.chunks_exact(4));
    let tail: i32 = ws.remainder().iter().zip(xs.remainder()).map(mac).sum();
    let mut sums = [0i32; 4];
    for (w4, x4) in ws.zip(xs) {
        for (s, pair) in sums.iter_mut().zip(w4.iter().zip(x4)) {
            *s += mac(pair);
        }
    }
    sums.iter().sum::<i32>() + tail
}

#[cfg(hyperbits_dsp)]
#[allow(unsafe_code)] // architecture code: intrinsics and inline assembly
mod dsp {
    //! The int8 dot product with the ARMv7E-M DSP extension: per 4 bytes, one word load of
    //! each operand, SXTB16 to sign-extend bytes 0/2 and (rotated) 1/3 into halfword pairs,
    //! and two SMLADs: 10 instructions per 4 multiply-adds.

    use core::arch::asm;

    pub(super) fn dot_i8(w: &[i8], x: &[i8]) -> i32 {
        let n = w.len().min(x.len());
        let quads = n / 4;
        let tail = if n.is_multiple_of(4) {
            0
        } else {
            super::dot_i8_portable(&w[4 * quads..n], &x[4 * quads..n])
        };
        if quads == 0 {
            return tail;
        }
        let mut acc = 0i32;
        let mut pw = w.as_ptr();
        let mut px = x.as_ptr();
        let end = w[4 * quads..].as_ptr();
        // SAFETY: `pw` and `px` point into `w` and `x`, which hold at least `4 * quads`
        // bytes each (`quads <= n / 4`); the loop reads exactly `4 * quads` bytes from each
        // (it runs while `pw` has not reached `end`, `quads >= 1`). The word loads may be
        // unaligned, which ARMv7E-M allows for LDR (CCR.UNALIGN_TRP is clear by default and
        // this crate never sets it). The asm only reads memory; every register it writes is
        // an operand; flags are clobbered (no `preserves_flags`).
        unsafe {
            asm!(
                "2:",
                "ldr {a}, [{pw}], #4",
                "ldr {b}, [{px}], #4",
                "sxtb16 {c}, {a}",
                "sxtb16 {d}, {b}",
                "smlad {acc}, {c}, {d}, {acc}",
                "sxtb16 {c}, {a}, ror #8",
                "sxtb16 {d}, {b}, ror #8",
                "smlad {acc}, {c}, {d}, {acc}",
                "cmp {pw}, {end}",
                "bne 2b",
                pw = inout(reg) pw,
                px = inout(reg) px,
                end = in(reg) end,
                acc = inout(reg) acc,
                a = out(reg) _,
                b = out(reg) _,
                c = out(reg) _,
                d = out(reg) _,
                options(nostack, readonly),
            );
        }
        let _ = (pw, px);
        acc.wrapping_add(tail)
    }

    pub(super) fn dot2_i8(w0: &[i8], w1: &[i8], x: &[i8]) -> [i32; 2] {
        let n = x.len();
        let (w0, w1) = (&w0[..n], &w1[..n]);
        let quads = n / 4;
        let mut acc = [0i32; 2];
        if !n.is_multiple_of(4) {
            let (t0, t1, tx) = (&w0[4 * quads..], &w1[4 * quads..], &x[4 * quads..]);
            acc = [
                super::dot_i8_portable(t0, tx),
                super::dot_i8_portable(t1, tx),
            ];
        }
        if quads == 0 {
            return acc;
        }
        let [mut acc0, mut acc1] = [0i32; 2];
        let mut p0 = w0.as_ptr();
        let mut p1 = w1.as_ptr();
        let mut px = x.as_ptr();
        let end = x[4 * quads..].as_ptr();
        // SAFETY: `p0`, `p1` and `px` point into `w0`, `w1` and `x`, each `n` bytes long
        // (`w0`, `w1` were cut to `n`); the loop reads exactly `4 * quads <= n` bytes from
        // each (it runs while `px` has not reached `end`, `quads >= 1`). Word loads may be
        // unaligned, which ARMv7E-M allows for LDR (CCR.UNALIGN_TRP is clear by default and
        // this crate never sets it). The asm only reads memory; every register it writes is
        // an operand (`xa` is reused as scratch once `xe`, `xo` hold x's halves); flags are
        // clobbered (no `preserves_flags`).
        unsafe {
            asm!(
                "2:",
                "ldr {xa}, [{px}], #4",
                "ldr {a}, [{p0}], #4",
                "ldr {b}, [{p1}], #4",
                "sxtb16 {xe}, {xa}",
                "sxtb16 {xo}, {xa}, ror #8",
                "sxtb16 {xa}, {a}",
                "smlad {acc0}, {xa}, {xe}, {acc0}",
                "sxtb16 {xa}, {a}, ror #8",
                "smlad {acc0}, {xa}, {xo}, {acc0}",
                "sxtb16 {xa}, {b}",
                "smlad {acc1}, {xa}, {xe}, {acc1}",
                "sxtb16 {xa}, {b}, ror #8",
                "smlad {acc1}, {xa}, {xo}, {acc1}",
                "cmp {px}, {end}",
                "bne 2b",
                p0 = inout(reg) p0,
                p1 = inout(reg) p1,
                px = inout(reg) px,
                end = in(reg) end,
                acc0 = inout(reg) acc0,
                acc1 = inout(reg) acc1,
                xa = out(reg) _,
                a = out(reg) _,
                b = out(reg) _,
                xe = out(reg) _,
                xo = out(reg) _,
                options(nostack, readonly),
            );
        }
        let _ = (p0, p1, px);
        [acc0.wrapping_add(acc[0]), acc1.wrapping_add(acc[1])]
    }
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
fn and_count_simple(a: &[u32], b: &[u32]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x & y).count_ones()).sum()
}

#[inline(always)]
#[cfg_attr(
    not(all(feature = "std", target_arch = "x86_64", not(miri))),
    allow(dead_code)
)]
fn popcount_simple(a: &[u32]) -> u32 {
    a.iter().map(|x| x.count_ones()).sum()
}

#[inline(always)]
fn xor_generic(out: &mut [u32], a: &[u32], b: &[u32]) {
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x ^ y;
    }
}

#[inline(always)]
fn majority3_generic(out: &mut [u32], a: &[u32], b: &[u32], c: &[u32]) {
    for (((o, x), y), z) in out.iter_mut().zip(a).zip(b).zip(c) {
        *o = majority3_word(*x, *y, *z);
    }
}

/// `out = a XOR b`, word by word (equal lengths).
#[inline]
pub(crate) fn xor(out: &mut [u32], a: &[u32], b: &[u32]) {
    #[cfg(all(feature = "std", target_arch = "x86_64", not(miri)))]
    {
        x86::xor(out, a, b)
    }
    #[cfg(not(all(feature = "std", target_arch = "x86_64", not(miri))))]
    {
        xor_generic(out, a, b)
    }
}

/// `out` = bitwise majority of `a`, `b`, `c` (equal lengths).
#[inline]
pub(crate) fn majority3(out: &mut [u32], a: &[u32], b: &[u32], c: &[u32]) {
    #[cfg(all(feature = "std", target_arch = "x86_64", not(miri)))]
    {
        x86::majority3(out, a, b, c)
    }
    #[cfg(not(all(feature = "std", target_arch = "x86_64", not(miri))))]
    {
        majority3_generic(out, a, b, c)
    }
}

/// Signed weighted sum of ±1 rows: bit `j` of `out` is set when
/// `Σ_k q_k·(−1)^{bit_j(row_k)} < 0` (rows `rows[k]` with weights `q[k]`, then `extra` with its
/// weight). With `T_j = Σ_k q_k·bit_j(row_k)` and `Q = Σ_k q_k` that sum is `Q − 2·T_j`, so the
/// bit is `T_j > ⌊Q/2⌋`, exact in integers. Used by the projection encoder (rows = projection
/// rows, weights = features) and by Hopfield recall (rows = stored patterns, weights =
/// overlaps, extra = the state with weight −P). Callers guarantee `Σ|q| ≤ i32::MAX` and rows
/// of at least `out.len()` words.
#[inline(always)]
fn project_generic<T: AsRef<[u32]>>(
    rows: &[T],
    q: &[i32],
    extra: Option<(&[u32], i32)>,
    out: &mut [u32],
) {
    let half = (q.iter().sum::<i32>() + extra.map_or(0, |e| e.1)) >> 1;
    for (w, o) in out.iter_mut().enumerate() {
        let mut t = [0i32; 32];
        let mut add = |word: u32, qk: i32| {
            for (i, ti) in t.iter_mut().enumerate() {
                *ti += qk & -(((word >> i) & 1) as i32);
            }
        };
        for (row, &qk) in rows.iter().zip(q) {
            add(row.as_ref().get(w).copied().unwrap_or(0), qk);
        }
        if let Some((row, qk)) = extra {
            add(row.get(w).copied().unwrap_or(0), qk);
        }
        *o = (0..32).fold(0u32, |acc, i| acc | (u32::from(t[i] > half) << i));
    }
}

/// See [`project_generic`].
pub(crate) fn project<T: AsRef<[u32]>>(
    rows: &[T],
    q: &[i32],
    extra: Option<(&[u32], i32)>,
    out: &mut [u32],
) {
    #[cfg(all(feature = "std", target_arch = "x86_64", not(miri)))]
    {
        x86::project(rows, q, extra, out)
    }
    #[cfg(not(all(feature = "std", target_arch = "x86_64", not(miri))))]
    {
        project_generic(rows, q, extra, out)
    }
}

/// Nearest of `items` to `query` by Hamming distance, scanning with the given distance kernel
/// (inlined into the loop). Ties go to the lowest index. `None` for no items.
#[inline(always)]
fn nearest_generic<T: AsRef<[u32]>>(
    query: &[u32],
    items: impl IntoIterator<Item = T>,
    dist: impl Fn(&[u32], &[u32]) -> u32,
) -> Option<(usize, u32)> {
    let mut best: Option<(usize, u32)> = None;
    for (i, item) in items.into_iter().enumerate() {
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
    items: impl IntoIterator<Item = T>,
    dist: impl Fn(&[u32], &[u32]) -> u32,
    mut f: impl FnMut(usize, u32),
) {
    for (i, item) in items.into_iter().enumerate() {
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
        hamming_mcu(a, b)
    }
}

/// The Hamming kernel without run-time dispatch: hand-scheduled Thumb-2 on ARMv7-M and
/// ARMv8-M Mainline, portable Harley–Seal elsewhere.
#[cfg_attr(
    all(feature = "std", target_arch = "x86_64", not(miri)),
    allow(dead_code)
)]
#[inline(always)]
fn hamming_mcu(a: &[u32], b: &[u32]) -> u32 {
    #[cfg(hyperbits_thumb2)]
    {
        thumb2::hamming(a, b)
    }
    #[cfg(not(hyperbits_thumb2))]
    {
        hamming_portable(a, b)
    }
}

#[cfg(hyperbits_thumb2)]
#[allow(unsafe_code)] // architecture code: intrinsics and inline assembly
mod thumb2 {
    //! Harley–Seal Hamming distance in Thumb-2 assembly (Cortex-M3/M4/M7/M33).
    //!
    //! The compiler's version of the same loop spills (the scheduler hoists all loads), so
    //! the 8-word step is scheduled by hand: `ldm` loads, 7 carry-save adders, one SWAR
    //! popcount to byte lanes. 59 instructions per 8 words, against 15 per word for a
    //! plain `count_ones` loop. Byte lanes hold at most 8 per step, so at most 31 steps run
    //! per call before the lanes are folded (248 < 256).

    use core::arch::asm;

    const MAX_STEPS: usize = 31;

    pub(super) fn hamming(a: &[u32], b: &[u32]) -> u32 {
        let n = a.len().min(b.len());
        let steps = n / 8;
        let (mut ones, mut twos, mut fours) = (0u32, 0u32, 0u32);
        let mut eights = 0u32;
        let mut done = 0;
        while done < steps {
            let chunk = (steps - done).min(MAX_STEPS);
            let mut pa = a[8 * done..].as_ptr();
            let mut pb = b[8 * done..].as_ptr();
            let end = a[8 * (done + chunk)..].as_ptr();
            let mut bytes = 0u32;
            // SAFETY: `pa` and `pb` point into `a` and `b`, which hold at least
            // `8 * (done + chunk)` words each (`done + chunk <= n / 8`), and the loop reads
            // exactly `8 * chunk` words from each (`chunk >= 1`, so the `bne` loop runs and
            // stops when `pa` reaches `end`). Every operand is an explicit register; r6 and r7
            // (which LLVM reserves and which cannot be operands) are saved and restored around
            // the loop on the stack; every other register written is an operand or a declared clobber.
            // Flags are clobbered (no `preserves_flags`).
            unsafe {
                asm!(
                    "push {{r6, r7}}",
                    "2:",
                    // words 0..4: a in r6, r7, r9, r10; b through r11, r12
                    "ldm r0!, {{r6, r7, r9, r10}}",
                    "ldm r1!, {{r11, r12}}",
                    "eor r6, r6, r11",
                    "eor r7, r7, r12",
                    "ldm r1!, {{r11, r12}}",
                    "eor r9, r9, r11",
                    "eor r10, r10, r12",
                    // twos_a = carry(ones + x0 + x1) -> r6
                    "eor r11, r6, r7",
                    "and r6, r6, r7",
                    "and r7, r3, r11",
                    "eor r3, r3, r11",
                    "orr r6, r6, r7",
                    // twos_b = carry(ones + x2 + x3) -> r9
                    "eor r11, r9, r10",
                    "and r9, r9, r10",
                    "and r10, r3, r11",
                    "eor r3, r3, r11",
                    "orr r9, r9, r10",
                    // fours_a = carry(twos + twos_a + twos_b) -> r6
                    "eor r11, r6, r9",
                    "and r6, r6, r9",
                    "and r9, r4, r11",
                    "eor r4, r4, r11",
                    "orr r6, r6, r9",
                    // words 4..8: a in r7, r9, r10, r11; b through r12, lr
                    "ldm r0!, {{r7, r9, r10, r11}}",
                    "ldm r1!, {{r12, lr}}",
                    "eor r7, r7, r12",
                    "eor r9, r9, lr",
                    "ldm r1!, {{r12, lr}}",
                    "eor r10, r10, r12",
                    "eor r11, r11, lr",
                    // twos_a -> r7
                    "eor r12, r7, r9",
                    "and r7, r7, r9",
                    "and r9, r3, r12",
                    "eor r3, r3, r12",
                    "orr r7, r7, r9",
                    // twos_b -> r10
                    "eor r12, r10, r11",
                    "and r10, r10, r11",
                    "and r11, r3, r12",
                    "eor r3, r3, r12",
                    "orr r10, r10, r11",
                    // fours_b -> r7
                    "eor r12, r7, r10",
                    "and r7, r7, r10",
                    "and r10, r4, r12",
                    "eor r4, r4, r12",
                    "orr r7, r7, r10",
                    // eights = carry(fours + fours_a + fours_b) -> r6
                    "eor r12, r6, r7",
                    "and r6, r6, r7",
                    "and r7, r5, r12",
                    "eor r5, r5, r12",
                    "orr r6, r6, r7",
                    // popcount(eights) into byte lanes
                    // x - ((x & 0xaaaaaaaa) >> 1): 2-bit counts
                    "bic r7, r6, #0x55555555",
                    "sub r6, r6, r7, lsr #1",
                    // (x & 0x33333333) + ((x & 0xcccccccc) >> 2): 4-bit counts
                    "and r7, r6, #0x33333333",
                    "bic r6, r6, #0x33333333",
                    "add r6, r7, r6, lsr #2",
                    // (x + (x >> 4)) & 0x0f0f0f0f: byte counts
                    "add r6, r6, r6, lsr #4",
                    "and r6, r6, #0x0f0f0f0f",
                    "add r8, r8, r6",
                    "cmp r0, r2",
                    "bne 2b",
                    "pop {{r6, r7}}",
                    inout("r0") pa,
                    inout("r1") pb,
                    in("r2") end,
                    inout("r3") ones,
                    inout("r4") twos,
                    inout("r5") fours,
                    inout("r8") bytes,
                    out("r9") _,
                    out("r10") _,
                    out("r11") _,
                    out("r12") _,
                    out("lr") _,
                );
            }
            let _ = (pa, pb);
            eights +=
                (bytes & 0xff) + ((bytes >> 8) & 0xff) + ((bytes >> 16) & 0xff) + (bytes >> 24);
            done += chunk;
        }
        let rest: u32 = a[8 * steps..n]
            .iter()
            .zip(&b[8 * steps..n])
            .map(|(x, y)| (x ^ y).count_ones())
            .sum();
        8 * eights + 4 * fours.count_ones() + 2 * twos.count_ones() + ones.count_ones() + rest
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
pub(crate) fn nearest<T: AsRef<[u32]>>(
    query: &[u32],
    items: impl IntoIterator<Item = T>,
) -> Option<(usize, u32)> {
    #[cfg(all(feature = "std", target_arch = "x86_64", not(miri)))]
    {
        x86::nearest(query, items)
    }
    #[cfg(not(all(feature = "std", target_arch = "x86_64", not(miri))))]
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
    #[cfg(all(feature = "std", target_arch = "x86_64", not(miri)))]
    {
        x86::distances(query, items, f)
    }
    #[cfg(not(all(feature = "std", target_arch = "x86_64", not(miri))))]
    {
        distances_generic(query, items, hamming_mcu, f)
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

/// Carry-save adder on whole blocks: `(carry, sum)` of `a + b + c`, lane by lane.
#[inline(always)]
fn csa_block(a: &Block, b: &Block, c: &Block) -> (Block, Block) {
    let mut carry = [0u32; BLOCK];
    let mut sum = [0u32; BLOCK];
    for j in 0..BLOCK {
        let (cj, sj) = csa(a[j], b[j], c[j]);
        carry[j] = cj;
        sum[j] = sj;
    }
    (carry, sum)
}

/// Inputs folded at once by the Harley–Seal tree of [`Planes::push16`].
pub(crate) const GROUP: usize = 16;

/// Bit-sliced counters for one block of `BLOCK` words: the count of every bit position is a
/// binary number whose bit `p` lives in `planes[p]`.
///
/// Inputs are folded 16 at a time by a Harley–Seal tree of 15 carry-save adders whose
/// accumulators are the four lowest planes themselves (ones, twos, fours, eights); only the
/// tree's "sixteens" carry ripples into the higher planes. That is about 5 logic operations
/// per input and word (2 with AVX-512's three-input `vpternlog`), with no data-dependent
/// branches. Single inputs are added by ripple-carry.
#[derive(Clone)]
pub(crate) struct Planes {
    planes: [Block; MAX_PLANES],
    nplanes: usize,
}

impl Planes {
    /// Counters for up to `total` (≤ [`MAX_COUNT`]) units of weight.
    #[inline(always)]
    pub(crate) fn new(total: u32) -> Self {
        let nplanes = (32 - total.min(MAX_COUNT).leading_zeros()) as usize;
        Planes {
            planes: [[0; BLOCK]; MAX_PLANES],
            nplanes: nplanes.max(1),
        }
    }

    /// Adds 16 inputs of weight 1 (`input(i)` gives input `i`). Needs `total >= 16`.
    #[inline(always)]
    pub(crate) fn push16(&mut self, input: impl Fn(usize) -> Block) {
        let [ones, twos, fours, eights, ..] = &mut self.planes;
        let mut eights_in = [[0u32; BLOCK]; 2];
        for (half, e) in eights_in.iter_mut().enumerate() {
            let base = 8 * half;
            let mut fours_in = [[0u32; BLOCK]; 2];
            for (quarter, f) in fours_in.iter_mut().enumerate() {
                let i = base + 4 * quarter;
                let (twos_a, o) = csa_block(ones, &input(i), &input(i + 1));
                let (twos_b, o) = csa_block(&o, &input(i + 2), &input(i + 3));
                *ones = o;
                let (fours_out, t) = csa_block(twos, &twos_a, &twos_b);
                *twos = t;
                *f = fours_out;
            }
            let (eights_out, f) = csa_block(fours, &fours_in[0], &fours_in[1]);
            *fours = f;
            *e = eights_out;
        }
        let (sixteens, e) = csa_block(eights, &eights_in[0], &eights_in[1]);
        *eights = e;
        self.ripple(4, &sixteens);
    }

    /// Adds `x` at weight `2^level` by ripple-carry addition.
    #[inline(always)]
    pub(crate) fn ripple(&mut self, level: usize, x: &Block) {
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

    /// For every bit position, whether its count is at least `t` (`t < 2^nplanes`).
    #[inline(always)]
    pub(crate) fn at_least(&self, t: u32) -> Block {
        at_least_block(&self.planes[..self.nplanes.min(MAX_PLANES)], t)
    }
}

/// For every lane, whether the number bit-sliced in `planes` (least significant plane first)
/// is at least `t`; compared from the most significant plane down.
#[inline(always)]
pub(crate) fn at_least_block(planes: &[Block], t: u32) -> Block {
    // gt = "already greater", eq = "equal so far".
    let mut gt = [0u32; BLOCK];
    let mut eq = [u32::MAX; BLOCK];
    for (p, plane) in planes.iter().enumerate().rev() {
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
    core::array::from_fn(|j| gt[j] | eq[j])
}

/// [`Planes`] fed one input at a time (streams): inputs are buffered until 16 can go through
/// the Harley–Seal tree; the rest is added by ripple-carry at the end.
#[derive(Clone)]
pub(crate) struct SlicedCounter {
    planes: Planes,
    buffer: [Block; GROUP],
    buffered: usize,
}

impl SlicedCounter {
    /// Counters for up to `total` (≤ [`MAX_COUNT`]) units of weight.
    #[inline(always)]
    pub(crate) fn new(total: u32) -> Self {
        SlicedCounter {
            planes: Planes::new(total),
            buffer: [[0; BLOCK]; GROUP],
            buffered: 0,
        }
    }

    /// Adds one input of weight 1.
    #[inline(always)]
    pub(crate) fn push(&mut self, x: &Block) {
        if let Some(slot) = self.buffer.get_mut(self.buffered) {
            *slot = *x;
            self.buffered += 1;
        }
        if self.buffered == GROUP {
            self.buffered = 0;
            let SlicedCounter { planes, buffer, .. } = self;
            planes.push16(|i| buffer[i]);
        }
    }

    /// Adds one input of weight `w`.
    #[inline(always)]
    pub(crate) fn push_weighted(&mut self, x: &Block, w: u32) {
        self.planes.push_weighted(x, w);
    }

    /// Adds the buffered inputs and returns, for every bit position, whether its count is at
    /// least `t`.
    #[inline(always)]
    pub(crate) fn at_least(&mut self, t: u32) -> Block {
        for x in &self.buffer[..self.buffered.min(GROUP)] {
            self.planes.ripple(0, x);
        }
        self.buffered = 0;
        self.planes.at_least(t)
    }
}

/// Words `start..start + BLOCK` of `src`, zero-padded past its end.
#[inline(always)]
pub(crate) fn load_block(src: &[u32], start: usize) -> Block {
    // Full blocks (all but a dimension's last) are one fixed-size copy: a single vector load.
    if let Some(Ok(b)) = src.get(start..start + BLOCK).map(<Block>::try_from) {
        return b;
    }
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
    if let Some(d) = dst.get_mut(start..start + BLOCK) {
        d.copy_from_slice(b);
        return;
    }
    let end = (start + BLOCK).min(dst.len());
    if start < end {
        dst[start..end].copy_from_slice(&b[..end - start]);
    }
}

/// Majority of `inputs` (plus the `tie` vector as one more input), written to `out`, one word
/// at a time: the counters of the word's 32 bit positions are scalar planes (the four low ones
/// in registers), inputs go through a Harley–Seal tree 16 at a time, the rest by ripple-carry.
/// This order suits microcontrollers (no caches, few registers); the x86 paths work on 512 or
/// 1024 bits at a time instead. Callers guarantee: the number of inputs (with the tie) is odd
/// and at most [`MAX_COUNT`]; inputs shorter than `out` read as zero past their end.
#[inline(always)]
fn majority_generic<T: AsRef<[u32]>>(inputs: &[T], tie: Option<&[u32]>, out: &mut [u32]) {
    let total = (inputs.len() + usize::from(tie.is_some())) as u32;
    let threshold = total / 2 + 1;
    let nplanes = ((32 - total.min(MAX_COUNT).leading_zeros()) as usize).max(4);
    let word = |v: &[u32], w: usize| v.get(w).copied().unwrap_or(0);
    let rest = inputs.chunks_exact(GROUP).remainder();
    for (w, o) in out.iter_mut().enumerate() {
        let mut planes = [0u32; MAX_PLANES];
        let planes = &mut planes[..nplanes];
        for g in inputs.chunks_exact(GROUP) {
            let x = |i: usize| word(g[i].as_ref(), w);
            let [ones, twos, fours, eights, high @ ..] = planes else {
                break; // nplanes >= 4
            };
            let (ta, o1) = csa(*ones, x(0), x(1));
            let (tb, o1) = csa(o1, x(2), x(3));
            let (fa, t1) = csa(*twos, ta, tb);
            let (ta, o1) = csa(o1, x(4), x(5));
            let (tb, o1) = csa(o1, x(6), x(7));
            let (fb, t1) = csa(t1, ta, tb);
            let (ea, f1) = csa(*fours, fa, fb);
            let (ta, o1) = csa(o1, x(8), x(9));
            let (tb, o1) = csa(o1, x(10), x(11));
            let (fa, t1) = csa(t1, ta, tb);
            let (ta, o1) = csa(o1, x(12), x(13));
            let (tb, o1) = csa(o1, x(14), x(15));
            let (fb, t1) = csa(t1, ta, tb);
            let (eb, f1) = csa(f1, fa, fb);
            let (sixteens, e1) = csa(*eights, ea, eb);
            (*ones, *twos, *fours, *eights) = (o1, t1, f1, e1);
            ripple_word(high, sixteens);
        }
        for v in rest {
            ripple_word(planes, word(v.as_ref(), w));
        }
        if let Some(t) = tie {
            ripple_word(planes, word(t, w));
        }
        *o = at_least_word(planes, threshold);
    }
}

/// Ripple-carry add of one word of inputs into scalar planes.
#[inline(always)]
fn ripple_word(planes: &mut [u32], x: u32) {
    let mut carry = x;
    for p in planes.iter_mut() {
        let s = *p ^ carry;
        carry &= *p;
        *p = s;
        if carry == 0 {
            break;
        }
    }
}

/// Lanes whose count (bit-sliced in `planes`, least significant first) is at least `t`.
#[inline(always)]
fn at_least_word(planes: &[u32], t: u32) -> u32 {
    let (mut gt, mut eq) = (0u32, u32::MAX);
    for (p, plane) in planes.iter().enumerate().rev() {
        if (t >> p) & 1 == 1 {
            eq &= plane;
        } else {
            gt |= eq & plane;
            eq &= !plane;
        }
    }
    gt | eq
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
#[allow(unsafe_code)] // architecture code: intrinsics and inline assembly
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

    pub(super) fn xor(out: &mut [u32], a: &[u32], b: &[u32]) {
        // SAFETY: the instruction set is `isa()`.
        unsafe { dispatch(isa(), || xor_generic(out, a, b)) }
    }

    pub(super) fn majority3(out: &mut [u32], a: &[u32], b: &[u32], c: &[u32]) {
        // SAFETY: the instruction set is `isa()`.
        unsafe { dispatch(isa(), || majority3_generic(out, a, b, c)) }
    }

    pub(super) fn nearest<T: AsRef<[u32]>>(
        query: &[u32],
        items: impl IntoIterator<Item = T>,
    ) -> Option<(usize, u32)> {
        match isa() {
            Isa::Portable => nearest_generic(query, items, hamming_portable),
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
            Isa::Avx512 | Isa::Avx512Vpopcnt => unsafe {
                simd::project_avx512(rows, q, extra, out)
            },
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

    mod simd {
        //! Bit-sliced majority with explicit vector registers: 1024 bits (AVX-512, two
        //! registers) or 512 bits (AVX2) of every input per step, the four low counter planes
        //! in registers, carry-save adders as two `vpternlogd` (AVX-512) or five logic
        //! instructions (AVX2).
        use super::super::{GROUP, MAX_COUNT, MAX_PLANES};
        use core::arch::x86_64::*;

        /// The vector operations the kernel needs, over `WORDS` words at a time.
        trait Lanes: Copy {
            /// Words per step.
            const WORDS: usize;
            fn zero() -> Self;
            /// Loads `WORDS` words (`w.len() >= WORDS`, checked by the caller).
            fn load(w: &[u32]) -> Self;
            /// Stores `WORDS` words (`w.len() >= WORDS`, checked by the caller).
            fn store(self, w: &mut [u32]);
            fn and(self, o: Self) -> Self;
            fn xor(self, o: Self) -> Self;
            fn andnot(self, o: Self) -> Self; // !self & o
            fn or(self, o: Self) -> Self;
            /// `(carry, sum)` of `a + b + c`.
            fn csa(a: Self, b: Self, c: Self) -> (Self, Self) {
                let u = a.xor(b);
                (a.and(b).or(u.and(c)), u.xor(c))
            }
        }

        /// Two 512-bit registers: 32 words, two adjacent cache lines of every input per step.
        #[derive(Clone, Copy)]
        struct Z(__m512i, __m512i);
        /// Two 256-bit registers: 16 words.
        #[derive(Clone, Copy)]
        struct Y(__m256i, __m256i);

        // SAFETY (all `unsafe` blocks in these impls): the intrinsics need AVX-512F or AVX2;
        // these impls are only instantiated inside `#[target_feature]` functions that enable
        // them, which are only called after run-time detection. `load` and `store` are only
        // called with slices of at least `WORDS` words (`majority` checks the length or copies
        // into a buffer of `WORDS` words), so every access is in bounds; unaligned access is
        // allowed by these intrinsics.
        impl Lanes for Z {
            const WORDS: usize = 32;
            #[inline(always)]
            fn zero() -> Self {
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe { Z(_mm512_setzero_si512(), _mm512_setzero_si512()) }
            }
            #[inline(always)]
            fn load(w: &[u32]) -> Self {
                debug_assert!(w.len() >= Self::WORDS);
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe {
                    Z(
                        _mm512_loadu_si512(w.as_ptr().cast()),
                        _mm512_loadu_si512(w.as_ptr().add(16).cast()),
                    )
                }
            }
            #[inline(always)]
            fn store(self, w: &mut [u32]) {
                debug_assert!(w.len() >= Self::WORDS);
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe {
                    _mm512_storeu_si512(w.as_mut_ptr().cast(), self.0);
                    _mm512_storeu_si512(w.as_mut_ptr().add(16).cast(), self.1);
                }
            }
            #[inline(always)]
            fn and(self, o: Self) -> Self {
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe { Z(_mm512_and_si512(self.0, o.0), _mm512_and_si512(self.1, o.1)) }
            }
            #[inline(always)]
            fn xor(self, o: Self) -> Self {
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe { Z(_mm512_xor_si512(self.0, o.0), _mm512_xor_si512(self.1, o.1)) }
            }
            #[inline(always)]
            fn andnot(self, o: Self) -> Self {
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe {
                    Z(
                        _mm512_andnot_si512(self.0, o.0),
                        _mm512_andnot_si512(self.1, o.1),
                    )
                }
            }
            #[inline(always)]
            fn or(self, o: Self) -> Self {
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe { Z(_mm512_or_si512(self.0, o.0), _mm512_or_si512(self.1, o.1)) }
            }
            #[inline(always)]
            fn csa(a: Self, b: Self, c: Self) -> (Self, Self) {
                // Truth tables over (a, b, c): 0xE8 = majority, 0x96 = three-way XOR.
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe {
                    (
                        Z(
                            _mm512_ternarylogic_epi32::<0xE8>(a.0, b.0, c.0),
                            _mm512_ternarylogic_epi32::<0xE8>(a.1, b.1, c.1),
                        ),
                        Z(
                            _mm512_ternarylogic_epi32::<0x96>(a.0, b.0, c.0),
                            _mm512_ternarylogic_epi32::<0x96>(a.1, b.1, c.1),
                        ),
                    )
                }
            }
        }

        impl Lanes for Y {
            const WORDS: usize = 16;
            #[inline(always)]
            fn zero() -> Self {
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe { Y(_mm256_setzero_si256(), _mm256_setzero_si256()) }
            }
            #[inline(always)]
            fn load(w: &[u32]) -> Self {
                debug_assert!(w.len() >= Self::WORDS);
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe {
                    Y(
                        _mm256_loadu_si256(w.as_ptr().cast()),
                        _mm256_loadu_si256(w.as_ptr().add(8).cast()),
                    )
                }
            }
            #[inline(always)]
            fn store(self, w: &mut [u32]) {
                debug_assert!(w.len() >= Self::WORDS);
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe {
                    _mm256_storeu_si256(w.as_mut_ptr().cast(), self.0);
                    _mm256_storeu_si256(w.as_mut_ptr().add(8).cast(), self.1);
                }
            }
            #[inline(always)]
            fn and(self, o: Self) -> Self {
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe { Y(_mm256_and_si256(self.0, o.0), _mm256_and_si256(self.1, o.1)) }
            }
            #[inline(always)]
            fn xor(self, o: Self) -> Self {
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe { Y(_mm256_xor_si256(self.0, o.0), _mm256_xor_si256(self.1, o.1)) }
            }
            #[inline(always)]
            fn andnot(self, o: Self) -> Self {
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe {
                    Y(
                        _mm256_andnot_si256(self.0, o.0),
                        _mm256_andnot_si256(self.1, o.1),
                    )
                }
            }
            #[inline(always)]
            fn or(self, o: Self) -> Self {
                // SAFETY: as stated above these impls (features enabled, lengths checked).
                unsafe { Y(_mm256_or_si256(self.0, o.0), _mm256_or_si256(self.1, o.1)) }
            }
        }

        /// `L::WORDS` words of `v` from `start`, zero-padded past its end.
        #[inline(always)]
        fn block_at<L: Lanes>(v: &[u32], start: usize) -> L {
            match v.get(start..start + L::WORDS) {
                Some(w) => L::load(w),
                None => {
                    let mut pad = [0u32; 32];
                    let end = v.len().min(start + L::WORDS);
                    if start < end {
                        pad[..end - start].copy_from_slice(&v[start..end]);
                    }
                    L::load(&pad)
                }
            }
        }

        /// Ripple-carry add of `x` at plane `level` of the in-memory high planes.
        #[inline(always)]
        fn ripple<L: Lanes>(planes: &mut [L], x: L) {
            let mut carry = x;
            for p in planes.iter_mut() {
                let s = p.xor(carry);
                carry = p.and(carry);
                *p = s;
            }
        }

        /// Input `i` of a group, at `start`. (A function, not a closure: closures do not
        /// inherit `#[target_feature]`, and the intrinsics would not be inlined.)
        #[inline(always)]
        fn at<L: Lanes, T: AsRef<[u32]>>(group: &[T], i: usize, start: usize) -> L {
            block_at::<L>(group[i].as_ref(), start)
        }

        /// Ripple-carry add of one input through the low planes, then the high ones.
        #[inline(always)]
        fn add<L: Lanes>(low: &mut [L; 4], high: &mut [L], x: L) {
            let mut carry = x;
            for p in low.iter_mut() {
                let s = p.xor(carry);
                carry = p.and(carry);
                *p = s;
            }
            ripple(high, carry);
        }

        #[inline(always)]
        fn majority<L: Lanes, T: AsRef<[u32]>>(inputs: &[T], tie: Option<&[u32]>, out: &mut [u32]) {
            let total = (inputs.len() + usize::from(tie.is_some())) as u32;
            let t = total / 2 + 1;
            let nplanes = ((32 - total.min(MAX_COUNT).leading_zeros()) as usize).max(4);
            let mut start = 0;
            while start < out.len() {
                // planes[0..4] live in registers as (ones, twos, fours, eights).
                let (mut ones, mut twos, mut fours, mut eights) =
                    (L::zero(), L::zero(), L::zero(), L::zero());
                let mut high = [L::zero(); MAX_PLANES];
                let high = &mut high[..nplanes - 4];
                let groups = inputs.chunks_exact(GROUP);
                let rest = groups.remainder();
                for g in groups {
                    let (ta, o) = L::csa(ones, at(g, 0, start), at(g, 1, start));
                    let (tb, o) = L::csa(o, at(g, 2, start), at(g, 3, start));
                    let (fa, tw) = L::csa(twos, ta, tb);
                    let (ta, o) = L::csa(o, at(g, 4, start), at(g, 5, start));
                    let (tb, o) = L::csa(o, at(g, 6, start), at(g, 7, start));
                    let (fb, tw) = L::csa(tw, ta, tb);
                    let (ea, f) = L::csa(fours, fa, fb);
                    let (ta, o) = L::csa(o, at(g, 8, start), at(g, 9, start));
                    let (tb, o) = L::csa(o, at(g, 10, start), at(g, 11, start));
                    let (fa, tw) = L::csa(tw, ta, tb);
                    let (ta, o) = L::csa(o, at(g, 12, start), at(g, 13, start));
                    let (tb, o) = L::csa(o, at(g, 14, start), at(g, 15, start));
                    let (fb, tw) = L::csa(tw, ta, tb);
                    let (eb, f) = L::csa(f, fa, fb);
                    let (sixteens, e) = L::csa(eights, ea, eb);
                    (ones, twos, fours, eights) = (o, tw, f, e);
                    ripple(high, sixteens);
                }
                // The remaining inputs (and the tie) by ripple-carry through all planes.
                let mut low = [ones, twos, fours, eights];
                for v in rest {
                    add(&mut low, high, block_at::<L>(v.as_ref(), start));
                }
                if let Some(tv) = tie {
                    add(&mut low, high, block_at::<L>(tv, start));
                }
                // count >= t, most significant plane first.
                let mut gt = L::zero();
                let mut eq = L::zero().andnot(L::load(&[u32::MAX; 32]));
                for p in (0..nplanes).rev() {
                    let plane = if p < 4 { low[p] } else { high[p - 4] };
                    if (t >> p) & 1 == 1 {
                        eq = eq.and(plane);
                    } else {
                        gt = gt.or(eq.and(plane));
                        eq = plane.andnot(eq);
                    }
                }
                match out.get_mut(start..start + L::WORDS) {
                    Some(w) => gt.or(eq).store(w),
                    None => {
                        let mut pad = [0u32; 32];
                        gt.or(eq).store(&mut pad);
                        let n = out.len() - start;
                        out[start..].copy_from_slice(&pad[..n]);
                    }
                }
                start += L::WORDS;
            }
        }

        /// Sign projection (see `project_generic`) with AVX-512 masked adds: 256 output bits
        /// per pass held in 16 registers; each row word supplies two 16-lane masks.
        ///
        /// # Safety
        /// The CPU must support AVX-512F and AVX-512BW.
        #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
        pub(in super::super) unsafe fn project_avx512<T: AsRef<[u32]>>(
            rows: &[T],
            q: &[i32],
            extra: Option<(&[u32], i32)>,
            out: &mut [u32],
        ) {
            const WORDS: usize = 8;
            let half = (q.iter().sum::<i32>() + extra.map_or(0, |e| e.1)) >> 1;
            let n = out.len();
            let mut start = 0;
            while start < n {
                // A last block of fewer than 8 words is read zero-padded from the stack (no
                // allocation: review D12) and only its words are written.
                let width = (n - start).min(WORDS);
                let mut t = [_mm512_setzero_si512(); 2 * WORDS];
                let weighted = rows.iter().map(|r| r.as_ref()).zip(q.iter().copied());
                for (row, qk) in weighted.chain(extra) {
                    let qv = _mm512_set1_epi32(qk);
                    let Some(words) = row.get(start..start + width) else {
                        continue; // rows have at least out.len() words (caller's contract)
                    };
                    let mut padded = [0u32; WORDS];
                    padded[..width].copy_from_slice(words);
                    for (w, &word) in padded.iter().enumerate() {
                        t[2 * w] = _mm512_mask_add_epi32(t[2 * w], word as u16, t[2 * w], qv);
                        t[2 * w + 1] = _mm512_mask_add_epi32(
                            t[2 * w + 1],
                            (word >> 16) as u16,
                            t[2 * w + 1],
                            qv,
                        );
                    }
                }
                let hv = _mm512_set1_epi32(half);
                for w in 0..width {
                    let lo = _mm512_cmpgt_epi32_mask(t[2 * w], hv);
                    let hi = _mm512_cmpgt_epi32_mask(t[2 * w + 1], hv);
                    out[start + w] = u32::from(lo) | (u32::from(hi) << 16);
                }
                start += WORDS;
            }
        }

        /// # Safety
        /// The CPU must support AVX-512F, AVX-512BW and AVX-512VL.
        #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
        pub(in super::super) unsafe fn majority_avx512<T: AsRef<[u32]>>(
            inputs: &[T],
            tie: Option<&[u32]>,
            out: &mut [u32],
        ) {
            majority::<Z, T>(inputs, tie, out)
        }

        /// # Safety
        /// The CPU must support AVX2.
        #[target_feature(enable = "avx2")]
        pub(in super::super) unsafe fn majority_avx2<T: AsRef<[u32]>>(
            inputs: &[T],
            tie: Option<&[u32]>,
            out: &mut [u32],
        ) {
            majority::<Y, T>(inputs, tie, out)
        }
    }

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
                for n in [0usize, 1, 7, 8, 15, 16, 17, 63, 64, 65, 256, 313] {
                    let a = words(n as u64, n);
                    let b = words(n as u64 + 1000, n);
                    let c = words(n as u64 + 2000, n);
                    let d = words(n as u64 + 3000, n);
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
                    // The explicit-SIMD majority, for every count around the 16-input groups.
                    let many: Vec<Vec<u32>> =
                        (0..40).map(|i| words(n as u64 * 97 + i, n)).collect();
                    for k in [1usize, 2, 3, 15, 16, 17, 31, 32, 33, 39] {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2021::*;

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
