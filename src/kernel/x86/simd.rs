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
    /// Loads the `w.len() < WORDS` words of `w`, zero above them (masked loads: no copy).
    fn load_partial(w: &[u32]) -> Self;
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
    fn load_partial(w: &[u32]) -> Self {
        let n = w.len().min(Self::WORDS);
        let low = if n >= 16 { u16::MAX } else { (1u16 << n) - 1 };
        let high = if n <= 16 { 0 } else { (1u16 << (n - 16)) - 1 };
        // SAFETY: as stated above these impls (features enabled); the masks select only the
        // `n` words of `w` (masked-off lanes are not accessed), and the second address is
        // formed with `wrapping_add`, so it is never dereferenced past `w` either.
        unsafe {
            Z(
                _mm512_maskz_loadu_epi32(low, w.as_ptr().cast()),
                _mm512_maskz_loadu_epi32(high, w.as_ptr().wrapping_add(16).cast()),
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
    fn load_partial(w: &[u32]) -> Self {
        let n = w.len().min(Self::WORDS) as i32;
        // SAFETY: as stated above these impls (features enabled); a lane is loaded only where
        // its mask is set, i.e. for the `n` words of `w` (masked-off lanes are not accessed),
        // and the second address is formed with `wrapping_add`.
        unsafe {
            let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
            let m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes);
            let m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(n - 8), lanes);
            Y(
                _mm256_maskload_epi32(w.as_ptr().cast(), m0),
                _mm256_maskload_epi32(w.as_ptr().wrapping_add(8).cast(), m1),
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

/// `L::WORDS` words of `v` from `start`, zero-padded from `end` (or `v`'s end) on.
#[inline(always)]
fn block_at<L: Lanes>(v: &[u32], start: usize, end: usize) -> L {
    match v
        .get(start..start + L::WORDS)
        .filter(|_| start + L::WORDS <= end)
    {
        Some(w) => L::load(w),
        None => {
            let end = v.len().min(start + L::WORDS).min(end);
            match v.get(start..end) {
                Some(w) => L::load_partial(w),
                None => L::zero(),
            }
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

/// Input `i` of a group at `start`, zero past the group's end (the last group may be short).
/// (A function, not a closure: closures do not inherit `#[target_feature]`, and the
/// intrinsics would not be inlined.)
#[inline(always)]
fn at<L: Lanes, T: AsRef<[u32]>>(group: &[T], i: usize, start: usize, end: usize) -> L {
    match group.get(i) {
        Some(v) => block_at::<L>(v.as_ref(), start, end),
        None => L::zero(),
    }
}

/// Adds the (up to) 16 inputs of `g` to the counter planes `low` (ones, twos, fours, eights in
/// registers) and `high` by a tree of 15 carry-save adders: the inputs missing from a short
/// group count as zeros, which costs less than adding its inputs one by one through every
/// plane.
#[inline(always)]
fn add_group<L: Lanes, T: AsRef<[u32]>>(
    g: &[T],
    (start, hi): (usize, usize),
    low: &mut [L; 4],
    high: &mut [L],
) {
    let [ones, twos, fours, eights] = *low;
    let (ta, o) = L::csa(ones, at(g, 0, start, hi), at(g, 1, start, hi));
    let (tb, o) = L::csa(o, at(g, 2, start, hi), at(g, 3, start, hi));
    let (fa, tw) = L::csa(twos, ta, tb);
    let (ta, o) = L::csa(o, at(g, 4, start, hi), at(g, 5, start, hi));
    let (tb, o) = L::csa(o, at(g, 6, start, hi), at(g, 7, start, hi));
    let (fb, tw) = L::csa(tw, ta, tb);
    let (ea, f) = L::csa(fours, fa, fb);
    let (ta, o) = L::csa(o, at(g, 8, start, hi), at(g, 9, start, hi));
    let (tb, o) = L::csa(o, at(g, 10, start, hi), at(g, 11, start, hi));
    let (fa, tw) = L::csa(tw, ta, tb);
    let (ta, o) = L::csa(o, at(g, 12, start, hi), at(g, 13, start, hi));
    let (tb, o) = L::csa(o, at(g, 14, start, hi), at(g, 15, start, hi));
    let (fb, tw) = L::csa(tw, ta, tb);
    let (eb, f) = L::csa(f, fa, fb);
    let (sixteens, e) = L::csa(eights, ea, eb);
    *low = [o, tw, f, e];
    ripple(high, sixteens);
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

/// The majority, position by position. The words before the first row's first cache-line
/// boundary are done first, so that when every input starts at the same offset within a
/// 64-byte line (rows of one contiguous array) every full step's loads are aligned: a 128-byte load that straddles
/// three cache lines made the majority of 255 inputs 1.45× slower (measured: 5.2-5.4 µs
/// against 3.6 µs at D = 8192).
#[inline(always)]
fn majority<L: Lanes, T: AsRef<[u32]>>(inputs: &[T], tie: Option<&[u32]>, out: &mut [u32]) {
    let n = out.len();
    // From the first row alone: the split only changes speed (every position's majority is
    // the same whichever step computes it).
    let head = inputs.first().map_or(0, |first| {
        let offset = (first.as_ref().as_ptr() as usize / 4) % 16;
        ((16 - offset) % 16).min(n)
    });
    if head > 0 {
        majority_span::<L, T>(inputs, tie, out, (0, head));
    }
    majority_span::<L, T>(inputs, tie, out, (head, n));
}

#[inline(always)]
fn majority_span<L: Lanes, T: AsRef<[u32]>>(
    inputs: &[T],
    tie: Option<&[u32]>,
    out: &mut [u32],
    (lo, hi): (usize, usize),
) {
    let total = (inputs.len() + usize::from(tie.is_some())) as u32;
    let t = total / 2 + 1;
    let nplanes = ((32 - total.min(MAX_COUNT).leading_zeros()) as usize).max(4);
    let mut start = lo;
    while start < hi {
        // planes[0..4] live in registers as low = [ones, twos, fours, eights].
        let mut low = [L::zero(); 4];
        let mut high = [L::zero(); MAX_PLANES];
        let high = &mut high[..nplanes - 4];
        let groups = inputs.chunks_exact(GROUP);
        let rest = groups.remainder();
        for g in groups {
            add_group(g, (start, hi), &mut low, high);
        }
        if rest.len() > 1 {
            add_group(rest, (start, hi), &mut low, high);
        } else {
            for v in rest {
                add(&mut low, high, block_at::<L>(v.as_ref(), start, hi));
            }
        }
        // The tie by ripple-carry through all planes.
        if let Some(tv) = tie {
            add(&mut low, high, block_at::<L>(tv, start, hi));
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
        match out
            .get_mut(start..start + L::WORDS)
            .filter(|_| start + L::WORDS <= hi)
        {
            Some(w) => gt.or(eq).store(w),
            None => {
                let mut pad = [0u32; 32];
                gt.or(eq).store(&mut pad);
                let end = hi.min(out.len());
                out[start..end].copy_from_slice(&pad[..end - start]);
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
                t[2 * w + 1] =
                    _mm512_mask_add_epi32(t[2 * w + 1], (word >> 16) as u16, t[2 * w + 1], qv);
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

/// Hamming distance with AVX-512 VPOPCNTDQ: XOR and a popcount of 64-bit lanes, 32 words per
/// step into two accumulators (two independent dependency chains), a masked load for the
/// last partial register. Lengths: the shorter of the two.
///
/// # Safety
/// The CPU must support AVX-512F and AVX-512 VPOPCNTDQ.
#[target_feature(enable = "avx512f,avx512vpopcntdq")]
#[inline]
pub(in super::super) unsafe fn hamming_vpopcnt(a: &[u32], b: &[u32]) -> u32 {
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc0 = _mm512_setzero_si512();
    let mut acc1 = _mm512_setzero_si512();
    let mut i = 0;
    // SAFETY: every full load reads words i..i + 16 with i + 16 <= n, in both
    // slices; the masked load reads only the n - i < 16 words its mask selects (masked-off
    // elements are not accessed, so they cannot fault).
    unsafe {
        while i + 32 <= n {
            let x0 = _mm512_loadu_si512(pa.add(i).cast());
            let y0 = _mm512_loadu_si512(pb.add(i).cast());
            let x1 = _mm512_loadu_si512(pa.add(i + 16).cast());
            let y1 = _mm512_loadu_si512(pb.add(i + 16).cast());
            acc0 = _mm512_add_epi64(acc0, _mm512_popcnt_epi64(_mm512_xor_si512(x0, y0)));
            acc1 = _mm512_add_epi64(acc1, _mm512_popcnt_epi64(_mm512_xor_si512(x1, y1)));
            i += 32;
        }
        if i + 16 <= n {
            let x = _mm512_loadu_si512(pa.add(i).cast());
            let y = _mm512_loadu_si512(pb.add(i).cast());
            acc0 = _mm512_add_epi64(acc0, _mm512_popcnt_epi64(_mm512_xor_si512(x, y)));
            i += 16;
        }
        if i < n {
            let mask: __mmask16 = (1u16 << (n - i)) - 1;
            let x = _mm512_maskz_loadu_epi32(mask, pa.add(i).cast());
            let y = _mm512_maskz_loadu_epi32(mask, pb.add(i).cast());
            acc1 = _mm512_add_epi64(acc1, _mm512_popcnt_epi64(_mm512_xor_si512(x, y)));
        }
    }
    _mm512_reduce_add_epi64(_mm512_add_epi64(acc0, acc1)) as u32
}

/// The nearest item to `query` (ties: lowest index) with [`hamming_vpopcnt`], dispatched once
/// for the whole scan rather than once per item.
///
/// # Safety
/// As [`hamming_vpopcnt`].
#[target_feature(enable = "avx512f,avx512vpopcntdq")]
pub(in super::super) unsafe fn nearest_vpopcnt<T: AsRef<[u32]>>(
    query: &[u32],
    items: impl IntoIterator<Item = T>,
) -> Option<(usize, u32)> {
    let mut best: Option<(usize, u32)> = None;
    for (i, item) in items.into_iter().enumerate() {
        // SAFETY: this function's own contract.
        let d = unsafe { hamming_vpopcnt(query, item.as_ref()) };
        if best.is_none_or(|(_, b)| d < b) {
            best = Some((i, d));
        }
    }
    best
}

/// Three-input majority with AVX-512: one `vpternlogd` (truth table 0xE8) per 16 words, a
/// masked load and store for the last partial register. Lengths: `out`'s, the inputs at
/// least as long.
///
/// # Safety
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(in super::super) unsafe fn majority3_avx512(out: &mut [u32], a: &[u32], b: &[u32], c: &[u32]) {
    let n = out.len().min(a.len()).min(b.len()).min(c.len());
    let (po, pa, pb, pc) = (out.as_mut_ptr(), a.as_ptr(), b.as_ptr(), c.as_ptr());
    let mut i = 0;
    // SAFETY: full loads and stores touch words i..i + 16 with i + 16 <= n of every slice;
    // the masked ones only the words their mask selects, 0..lead (lead <= n) or i..n
    // (masked-off elements are not accessed, so they cannot fault).
    unsafe {
        // Words up to the output's first cache-line boundary first, so no store splits.
        let lead = ((64 - po as usize % 64) % 64 / 4).min(n);
        if lead > 0 && n >= 16 {
            let mask: __mmask16 = (1u16 << lead) - 1;
            let x = _mm512_maskz_loadu_epi32(mask, pa.cast());
            let y = _mm512_maskz_loadu_epi32(mask, pb.cast());
            let z = _mm512_maskz_loadu_epi32(mask, pc.cast());
            _mm512_mask_storeu_epi32(po.cast(), mask, _mm512_ternarylogic_epi32::<0xE8>(x, y, z));
            i = lead;
        }
        while i + 16 <= n {
            let x = _mm512_loadu_si512(pa.add(i).cast());
            let y = _mm512_loadu_si512(pb.add(i).cast());
            let z = _mm512_loadu_si512(pc.add(i).cast());
            _mm512_storeu_si512(po.add(i).cast(), _mm512_ternarylogic_epi32::<0xE8>(x, y, z));
            i += 16;
        }
        if i < n {
            let mask: __mmask16 = (1u16 << (n - i)) - 1;
            let x = _mm512_maskz_loadu_epi32(mask, pa.add(i).cast());
            let y = _mm512_maskz_loadu_epi32(mask, pb.add(i).cast());
            let z = _mm512_maskz_loadu_epi32(mask, pc.add(i).cast());
            _mm512_mask_storeu_epi32(
                po.add(i).cast(),
                mask,
                _mm512_ternarylogic_epi32::<0xE8>(x, y, z),
            );
        }
    }
}

/// `out[i] = (src[i + 1] << s) | (src[i] >> (32 − s))` over `out.len()` words (`src` at least
/// one longer; `0 < s < 32`): 16 words a step with one load (the low words are the step's
/// own shifted by one lane, `valignd`, the first from the step before), the last `n % 16` by
/// masked loads and a masked store (a rotation's second run is often shorter than a step).
///
/// # Safety
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(in super::super) unsafe fn shifted_avx512(src: &[u32], out: &mut [u32], s: u32) {
    let n = out.len().min(src.len().saturating_sub(1));
    if n == 0 {
        return;
    }
    let (po, ps) = (out.as_mut_ptr(), src.as_ptr());
    let (up, down) = (
        _mm_cvtsi32_si128(s as i32),
        _mm_cvtsi32_si128(32 - s as i32),
    );
    let step = |h: __m512i, l: __m512i| {
        _mm512_or_si512(_mm512_sll_epi32(h, up), _mm512_srl_epi32(l, down))
    };
    // Lane 15 holds the word below the next step's first.
    let mut prev = _mm512_set1_epi32(src[0] as i32);
    let mut i = 0;
    // SAFETY: full loads touch src[i + 1..i + 17] and stores out[i..i + 16] with i + 16 <= n
    // (n < src.len()); the masked ones only the words their mask selects, src[i + 1..=n] and
    // out[i..n] (masked-off elements are not accessed, so they cannot fault).
    unsafe {
        while i + 16 <= n {
            let h = _mm512_loadu_si512(ps.add(i + 1).cast());
            _mm512_storeu_si512(
                po.add(i).cast(),
                step(h, _mm512_alignr_epi32::<15>(h, prev)),
            );
            prev = h;
            i += 16;
        }
        if i < n {
            let mask: __mmask16 = (1u16 << (n - i)) - 1;
            let h = _mm512_maskz_loadu_epi32(mask, ps.add(i + 1).cast());
            let l = _mm512_alignr_epi32::<15>(h, prev);
            _mm512_mask_storeu_epi32(po.add(i).cast(), mask, step(h, l));
        }
    }
}

/// One int8 weight row against four `i16` input rows (the SAE's batch encoder): per step 32
/// weights sign-extended to 16 bits once (`vpmovsxbw`) and multiplied with each row's 32
/// inputs, pairs summed into 32-bit lanes (`vpmaddwd`); the last `n % 32` in scalar code.
/// `n` is `w.len()`; a row shorter than that gives the portable kernel's result over the
/// shorter length. The sums are exact: the same as any order.
///
/// # Safety
/// The CPU must support AVX-512F and AVX-512BW.
#[target_feature(enable = "avx512f,avx512bw")]
pub(in super::super) unsafe fn dot4_i8_i16_avx512(w: &[i8], x: [&[i16]; 4]) -> [i32; 4] {
    let n = w.len();
    if x.iter().any(|r| r.len() < n) {
        return x.map(|r| super::super::dot_portable(w, r));
    }
    let mut acc = [_mm512_setzero_si512(); 4];
    let mut j = 0;
    // SAFETY: each load reads elements j..j + 32 with j + 32 <= n, of `w` (32 bytes) and of
    // each row (at least n long, checked above; 64 bytes); unaligned loads are allowed.
    unsafe {
        while j + 32 <= n {
            let wv = _mm512_cvtepi8_epi16(_mm256_loadu_si256(w.as_ptr().add(j).cast()));
            for (a, r) in acc.iter_mut().zip(&x) {
                let xv = _mm512_loadu_si512(r.as_ptr().add(j).cast());
                *a = _mm512_add_epi32(*a, _mm512_madd_epi16(wv, xv));
            }
            j += 32;
        }
    }
    let mut out = [0i32; 4];
    for ((o, a), r) in out.iter_mut().zip(acc).zip(&x) {
        let tail: i32 = w[j..]
            .iter()
            .zip(&r[j..])
            .map(|(&w, &x)| i32::from(w) * i32::from(x))
            .sum();
        *o = _mm512_reduce_add_epi32(a) + tail;
    }
    out
}
