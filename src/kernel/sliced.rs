//! Bit-sliced counters for bundling (majority) of many inputs: for a block of 16 words the
//! counts of all 512 bit positions are kept as binary numbers spread over "planes" (plane p
//! holds bit p of every count), and inputs are folded in with carry-save adders, two at a time,
//! so one input costs about 5 word operations per word instead of 32 integer additions.
// Index loops over fixed-size blocks read as the bit-sliced algebra they implement.
#![allow(clippy::needless_range_loop)]

use super::*;

/// Carry-save adder on whole blocks: `(carry, sum)` of `a + b + c`, lane by lane.
#[inline(always)]
pub(super) fn csa_block(a: &Block, b: &Block, c: &Block) -> (Block, Block) {
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
pub(super) fn majority_generic<T: AsRef<[u32]>>(
    inputs: &[T],
    tie: Option<&[u32]>,
    out: &mut [u32],
) {
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
pub(super) fn ripple_word(planes: &mut [u32], x: u32) {
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
pub(super) fn at_least_word(planes: &[u32], t: u32) -> u32 {
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
#[cfg_attr(hyperbits_x86_dispatch, allow(dead_code))]
pub(crate) fn majority_portable<T: AsRef<[u32]>>(
    inputs: &[T],
    tie: Option<&[u32]>,
    out: &mut [u32],
) {
    majority_generic(inputs, tie, out)
}
