//! Portable kernels (every target): Harley–Seal carry-save popcount (Muła, Kurz, Lemire 2018)
//! over blocks of 8 words for Hamming distance, popcount and AND-count; the plain loops the
//! x86 dispatch compiles with wider instruction sets; XOR, three-input majority, the signed
//! projection sum, nearest-neighbour scans, rotation, and the `i8` dot product.

/// Carry-save adder (full adder on 32 lanes): returns `(carry, sum)` of `a + b + c`.
#[inline(always)]
pub(super) fn csa(a: u32, b: u32, c: u32) -> (u32, u32) {
    let u = a ^ b;
    ((a & b) | (u & c), u ^ c)
}

/// Harley–Seal accumulator state over 8-word groups: `ones`, `twos`, `fours` are the low
/// bits of 32 lane counters and `eights` counts the carries out of them.
#[derive(Default)]
pub(super) struct HarleySeal {
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

/// The portable [`and_count`] (Harley–Seal).
pub(crate) fn and_count_portable(a: &[u32], b: &[u32]) -> u32 {
    count_pairs(a, b, |x, y| x & y)
}

/// `Σ popcount(op(a_i, b_i))` (Harley–Seal over 8-word groups).
#[inline(always)]
pub(super) fn count_pairs(a: &[u32], b: &[u32], op: impl Fn(u32, u32) -> u32) -> u32 {
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

/// Whether [`dot_i8_portable`] keeps four running sums: fewer loop branches on cores with
/// registers to spare, but not on the Cortex-M0 (at d = 64, h = 512: 585 k instructions
/// plain, 758 k unrolled).
pub(super) const DOT_UNROLL: bool = !cfg!(all(target_arch = "arm", not(hyperbits_thumb2)));

/// The portable [`dot_i8`].
#[cfg_attr(any(hyperbits_dsp, hyperbits_x86_dispatch), allow(dead_code))]
pub(crate) fn dot_i8_portable(w: &[i8], x: &[i8]) -> i32 {
    dot_portable(w, x)
}

/// `Σ w[j]·x[j]`, int8 weights against inputs of type `T` (`i8` or `i16`), over the shorter
/// length, with [`DOT_UNROLL`]'s four running sums where they pay.
#[inline(always)]
pub(crate) fn dot_portable<T: Copy + Into<i32>>(w: &[i8], x: &[T]) -> i32 {
    let n = w.len().min(x.len());
    let (w, x) = (&w[..n], &x[..n]);
    let mac = |(&w, &x): (&i8, &T)| i32::from(w) * x.into();
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

/// `Σ w[j]·x[j]` as one plain loop: what a vector build of it (x86 dispatch) vectorises best.
#[inline(always)]
#[cfg_attr(not(hyperbits_x86_dispatch), allow(dead_code))]
pub(super) fn dot_simple<T: Copy + Into<i32>>(w: &[i8], x: &[T]) -> i32 {
    w.iter()
        .zip(x)
        .map(|(&w, &x)| i32::from(w) * x.into())
        .sum()
}

/// `Σ w[j]·x[j]` in `f32` over int8 weights, eight running sums in a fixed order (so every
/// build of it, vector or not, gives the same bits).
#[inline(always)]
pub(crate) fn dot_i8_f32_portable(w: &[i8], x: &[f32]) -> f32 {
    let n = w.len().min(x.len());
    let (w, x) = (&w[..n], &x[..n]);
    let mut lanes = [0f32; 8];
    let (wc, xc) = (w.chunks_exact(8), x.chunks_exact(8));
    let (wr, xr) = (wc.remainder(), xc.remainder());
    for (w8, x8) in wc.zip(xc) {
        for ((l, &w), &x) in lanes.iter_mut().zip(w8).zip(x8) {
            *l += f32::from(w) * x;
        }
    }
    let tail: f32 = wr.iter().zip(xr).map(|(&w, &x)| f32::from(w) * x).sum();
    lanes.iter().sum::<f32>() + tail
}

/// One int8 weight row against four input rows: `[Σ w[j]·x_r[j]]` for `r` in 0..4, the
/// weights loaded once for the four (the SAE's batch encoder).
#[inline(always)]
#[cfg_attr(not(feature = "alloc"), allow(dead_code))]
pub(crate) fn dot4_simple<T: Copy + Into<i32>>(w: &[i8], x: [&[T]; 4]) -> [i32; 4] {
    let n = w.len();
    let x = x.map(|r| &r[..n]);
    let mut s = [0i32; 4];
    for j in 0..n {
        let wj = i32::from(w[j]);
        for (s, r) in s.iter_mut().zip(&x) {
            *s += wj * r[j].into();
        }
    }
    s
}

/// Plain per-word popcount loop; with a hardware popcount (or a vector one) the compiler turns
/// this into the fastest code, so the dispatched x86 paths use it.
#[inline(always)]
#[cfg_attr(not(hyperbits_x86_dispatch), allow(dead_code))]
pub(super) fn hamming_simple(a: &[u32], b: &[u32]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

#[inline(always)]
#[cfg_attr(not(hyperbits_x86_dispatch), allow(dead_code))]
pub(super) fn and_count_simple(a: &[u32], b: &[u32]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x & y).count_ones()).sum()
}

#[inline(always)]
#[cfg_attr(not(hyperbits_x86_dispatch), allow(dead_code))]
pub(super) fn popcount_simple(a: &[u32]) -> u32 {
    a.iter().map(|x| x.count_ones()).sum()
}

/// `a ^= b`, word by word (the shorter length).
pub(crate) fn xor_assign(a: &mut [u32], b: &[u32]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x ^= y;
    }
}

#[inline(always)]
pub(super) fn xor_generic(out: &mut [u32], a: &[u32], b: &[u32]) {
    for ((o, x), y) in out.iter_mut().zip(a).zip(b) {
        *o = x ^ y;
    }
}

#[inline(always)]
pub(super) fn majority3_generic(out: &mut [u32], a: &[u32], b: &[u32], c: &[u32]) {
    for (((o, x), y), z) in out.iter_mut().zip(a).zip(b).zip(c) {
        *o = majority3_word(*x, *y, *z);
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
pub(super) fn project_generic<T: AsRef<[u32]>>(
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

/// Nearest of `items` to `query` by Hamming distance, scanning with the given distance kernel
/// (inlined into the loop). Ties go to the lowest index. `None` for no items.
#[inline(always)]
pub(super) fn nearest_generic<T: AsRef<[u32]>>(
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
pub(super) fn distances_generic<T: AsRef<[u32]>>(
    query: &[u32],
    items: impl IntoIterator<Item = T>,
    dist: impl Fn(&[u32], &[u32]) -> u32,
    mut f: impl FnMut(usize, u32),
) {
    for (i, item) in items.into_iter().enumerate() {
        f(i, dist(query, item.as_ref()));
    }
}

/// The Hamming kernel without run-time dispatch: hand-scheduled Thumb-2 on ARMv7-M and
/// ARMv8-M Mainline, portable Harley–Seal elsewhere.
#[cfg_attr(hyperbits_x86_dispatch, allow(dead_code))]
#[inline(always)]
pub(super) fn hamming_mcu(a: &[u32], b: &[u32]) -> u32 {
    #[cfg(hyperbits_thumb2)]
    {
        super::thumb2::hamming(a, b)
    }
    #[cfg(not(hyperbits_thumb2))]
    {
        hamming_portable(a, b)
    }
}

/// `dst = src` rotated towards higher bit indices by `bits` (bit `j` moves to `(j + bits) mod D`,
/// with bit `j` stored in word `j / 32` at position `j % 32`). `src` and `dst` have equal length.
#[inline(always)]
pub(super) fn rotate_generic(src: &[u32], dst: &mut [u32], bits: usize) {
    let n = src.len().min(dst.len());
    if n == 0 {
        return;
    }
    let (src, dst) = (&src[..n], &mut dst[..n]);
    let r = bits % (32 * n);
    let (q, s) = (r / 32, (r % 32) as u32);
    if s == 0 {
        // A whole-word rotation: two copies.
        dst[q..].copy_from_slice(&src[..n - q]);
        dst[..q].copy_from_slice(&src[n - q..]);
        return;
    }
    // dst[i] takes its high bits from src[i - q] and its low bits from src[i - q - 1] (mod n).
    // Written as three runs of contiguous words, so the loops vectorise (no index wraps
    // inside a loop).
    let shifted = |hi: &[u32], lo: &[u32], out: &mut [u32]| {
        for ((o, &h), &l) in out.iter_mut().zip(hi).zip(lo) {
            *o = (h << s) | (l >> (32 - s));
        }
    };
    shifted(&src[1..n - q], &src[..n - q - 1], &mut dst[q + 1..]);
    dst[q] = (src[0] << s) | (src[n - 1] >> (32 - s));
    if q > 0 {
        shifted(&src[n - q..], &src[n - q - 1..n - 1], &mut dst[..q]);
    }
}

/// Three-input majority of single words.
#[inline(always)]
pub(crate) fn majority3_word(a: u32, b: u32, c: u32) -> u32 {
    (a & b) | (c & (a ^ b))
}
