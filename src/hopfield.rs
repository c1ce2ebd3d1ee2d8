//! Hopfield associative memories over bit-packed ±1 patterns, without an N×N weight matrix.
//!
//! A classic Hopfield network (Hopfield 1982) with Hebbian weights
//! `W = Σ_μ ξ^μ ξ^μᵀ − P·I` never needs `W` itself: the local field of neuron i is
//! `h_i = Σ_μ ξ^μ_i·o_μ − P·x_i` with the overlaps `o_μ = ⟨ξ^μ, x⟩ = N − 2·hamming(ξ^μ, x)`.
//! So the memory stores the P patterns (P·N/8 bytes), computes P popcounts, and one weighted
//! sum of ±1 rows per step (the projection kernel: AVX-512 masked adds on hosts). For N = 1024
//! and P = 102 that is 13 KiB instead of a 1 MiB (i8) weight matrix.
//!
//! - [`Hopfield::recall`]: synchronous (all neurons at once; may end in a two-cycle, which is
//!   detected) or asynchronous (one neuron at a time in a seeded order; always converges),
//!   with an iteration cap reported in the result. Ties (`h_i = 0`) give +1 (bit 0).
//! - [`Hopfield::energy`]: `E = −½·(Σ_μ o_μ² − P·N)`.
//! - Dense associative memory over the same patterns ([`Interaction`]): the polynomial energy
//!   `F(o) = o^n` of Krotov & Hopfield (2016) with its exact update
//!   `x_i = sign(Σ_μ [F(o_μ^{i+}) − F(o_μ^{i−})])` in 64-bit integers (capacity ∝ N^{n−1}), and
//!   an exponential interaction (Demircigil et al. 2017; one-step retrieval as in Ramsauer et
//!   al. 2020) with power-of-two weights `2^{−(o_max − o_μ)/h}`, integer arithmetic only.
//! - [`Hopfield::capacity`]: the classical capacity figures for the memory's N and P.
//! - [`SetMemory`]: the set-membership variant of the capacity spec (`docs/
//!   capacity.md` §4): atoms of a set stored as patterns, membership by energy or fixed point,
//!   intersection size by the Frobenius product of the weight matrices, computed from the
//!   atoms.
//!
//! Memories are saved in the model container ([`Kind::Hopfield`]) and read back in place
//! ([`HopfieldView`]).
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::codebook::Codebook;
use crate::error::{Error, Full};
use crate::kernel;
use crate::model::{Kind, Model};
use crate::FormatError;

/// How neurons are updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Update {
    /// Every neuron at once from the same state.
    Synchronous,
    /// One neuron at a time, in an order fixed by the seed.
    Asynchronous {
        /// Seed of the visiting order.
        seed: u64,
    },
}

/// How recall ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Outcome {
    /// A fixed point: one more step changes nothing.
    Converged,
    /// Synchronous dynamics alternating between two states.
    TwoCycle,
    /// The step cap was reached first.
    StepLimit,
}

/// The result of a recall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Recall<const W: usize> {
    /// The final state.
    pub state: BinaryVector<W>,
    /// Steps taken (synchronous steps, or asynchronous sweeps over all neurons).
    pub steps: u32,
    /// Why recall stopped.
    pub outcome: Outcome,
}

/// The interaction function of a dense associative memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Interaction {
    /// `F(o) = o^degree` (degree 2 is the classic network; 3 or more is dense).
    Polynomial {
        /// The degree n (2 to 8; `P·2(N+2)^n` must stay below 2^63 so the sums fit in 64 bits).
        degree: u32,
    },
    /// `F(o) ∝ 2^{o/halving}`: the weight of a pattern halves every `halving` units of overlap
    /// below the best one.
    Exponential {
        /// Overlap units per halving (at least 1).
        halving: u32,
    },
}

/// Classical capacity figures for N neurons and P stored patterns.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Capacity {
    /// Neurons N.
    pub neurons: usize,
    /// Stored patterns P.
    pub patterns: usize,
    /// Load α = P/N.
    pub load: f32,
    /// The critical load of Hebbian storage, 0.138·N patterns (Amit, Gutfreund, Sompolinsky
    /// 1985): beyond it recall collapses.
    pub critical_patterns: f32,
    /// Patterns that can all be recalled with no bit wrong, about N/(4·ln N) (McEliece et al.
    /// 1987).
    pub error_free_patterns: f32,
    /// Probability that one bit of a stored pattern is unstable after one step,
    /// `Q(√(N/P))` (Gaussian signal-to-noise estimate).
    pub bit_error: f32,
}

/// The algorithms, over any slice of stored patterns (owned memory or a view into a blob).
mod algo {
    use super::*;

    /// Overlaps `o_μ = N − 2·hamming(ξ^μ, x)` into `out` (one per pattern).
    pub(super) fn overlaps<T: AsRef<[u32]>, const W: usize>(
        patterns: &[T],
        x: &BinaryVector<W>,
        out: &mut [i32],
    ) {
        let n = BinaryVector::<W>::DIM as i32;
        kernel::distances(x.as_words(), patterns, |i, d| {
            if let Some(o) = out.get_mut(i) {
                *o = n - 2 * d as i32;
            }
        });
    }

    pub(super) fn energy<T: AsRef<[u32]>, const W: usize>(
        patterns: &[T],
        x: &BinaryVector<W>,
    ) -> i64 {
        let n = BinaryVector::<W>::DIM as i64;
        let mut sum = 0i64;
        kernel::distances(x.as_words(), patterns, |_, d| {
            let o = n - 2 * i64::from(d);
            sum += o * o;
        });
        -(sum - patterns.len() as i64 * n) / 2
    }

    /// One synchronous Hebbian step: `sign(Σ_μ o_μ ξ^μ − P·x)`, ties to +1.
    pub(super) fn step<T: AsRef<[u32]>, const W: usize>(
        patterns: &[T],
        x: &BinaryVector<W>,
        scratch: &mut [i32],
    ) -> BinaryVector<W> {
        let p = patterns.len();
        overlaps(patterns, x, &mut scratch[..p]);
        let mut out = BinaryVector::<W>::zero();
        kernel::project(
            patterns,
            &scratch[..p],
            Some((&x.as_words()[..], -(p as i32))),
            out.as_words_mut(),
        );
        out
    }

    pub(super) fn recall<T: AsRef<[u32]>, const W: usize>(
        patterns: &[T],
        cue: &BinaryVector<W>,
        update: Update,
        max_steps: u32,
        scratch: &mut [i32],
    ) -> Recall<W> {
        match update {
            Update::Synchronous => synchronous(cue, max_steps, |x| step(patterns, x, scratch)),
            Update::Asynchronous { seed } => asynchronous(patterns, cue, seed, max_steps, scratch),
        }
    }

    /// Asynchronous sweeps: neuron order `start + k·stride (mod N)` with a stride coprime to N
    /// (a permutation without storing one). The overlaps are kept up to date after each flip.
    fn asynchronous<T: AsRef<[u32]>, const W: usize>(
        patterns: &[T],
        cue: &BinaryVector<W>,
        seed: u64,
        max_steps: u32,
        scratch: &mut [i32],
    ) -> Recall<W> {
        let n = BinaryVector::<W>::DIM;
        let p = patterns.len();
        let o = &mut scratch[..p];
        let mut x = *cue;
        overlaps(patterns, &x, o);
        let mix = Codebook::new(seed).vector::<1>(0).as_words()[0] as usize;
        let start = mix % n;
        let mut stride = ((mix >> 8) % n) | 1;
        while gcd(stride, n) != 1 {
            stride += 2;
        }
        let bit = |v: &[u32], i: usize| (v[i / 32] >> (i % 32)) & 1;
        for sweep in 1..=max_steps {
            let mut flipped = false;
            let mut i = start;
            for _ in 0..n {
                // h_i = Σ_μ ξ^μ_i·o_μ − P·x_i, with ±1 read from the bits (bit 1 = −1).
                let xi = 1 - 2 * bit(x.as_words(), i) as i32;
                let mut h = -(p as i32) * xi;
                for (pat, &om) in patterns.iter().zip(o.iter()) {
                    h += if bit(pat.as_ref(), i) == 1 { -om } else { om };
                }
                let new = if h < 0 { -1 } else { 1 };
                if new != xi {
                    flipped = true;
                    let _ = x.set_bit(i, new < 0);
                    for (pat, om) in patterns.iter().zip(o.iter_mut()) {
                        let ximu = 1 - 2 * bit(pat.as_ref(), i) as i32;
                        *om += 2 * ximu * new;
                    }
                }
                i = (i + stride) % n;
            }
            if !flipped {
                return Recall {
                    state: x,
                    steps: sweep,
                    outcome: Outcome::Converged,
                };
            }
        }
        Recall {
            state: x,
            steps: max_steps,
            outcome: Outcome::StepLimit,
        }
    }

    fn gcd(a: usize, b: usize) -> usize {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }

    /// Σ_k q_k·bit_i(row_k) for every bit i, compared with `threshold`: bit i of the result
    /// is `sum_i > threshold`. `row(k, w)` gives word w of row k. 64-bit sums.
    fn weighted_bits<const W: usize>(
        rows: usize,
        row: impl Fn(usize, usize) -> u32,
        q: &[i64],
        threshold: i64,
    ) -> BinaryVector<W> {
        let mut out = BinaryVector::<W>::zero();
        for (w, o) in out.as_words_mut().iter_mut().enumerate() {
            let mut t = [0i64; 32];
            for (k, &qk) in q.iter().enumerate().take(rows) {
                let word = row(k, w);
                for (i, ti) in t.iter_mut().enumerate() {
                    *ti += qk & -(((word >> i) & 1) as i64);
                }
            }
            *o = (0..32).fold(0u32, |acc, i| acc | (u32::from(t[i] > threshold) << i));
        }
        out
    }

    /// One dense step. Polynomial: the exact Krotov–Hopfield update
    /// `x_i = sign(Σ_μ [F(ξ^μ_i + r_μ) − F(−ξ^μ_i + r_μ)])`, `r_μ = o_μ − ξ^μ_i·x_i`. Where pattern
    /// μ agrees with x at i the term is `x_i·a_μ` with `a_μ = F(o_μ) − F(o_μ − 2)`; where it
    /// disagrees, `−x_i·b_μ` with `b_μ = F(o_μ + 2) − F(o_μ)`. So
    /// `x_i·h_i = Σ_μ a_μ − Σ_{μ disagreeing} (a_μ + b_μ)` and bit i flips exactly when the
    /// disagreeing patterns' `a + b` outweigh `Σ a` (a tie keeps the bit). For degree 2 this
    /// is the classic update.
    /// Exponential: `x_i = sign(Σ_μ w_μ ξ^μ_i)` with `w_μ = 2^{52 − ⌊(o_max − o_μ)/h⌋}` (0 below
    /// 2^0): at most 2^10 patterns keep the sum below 2^62.
    pub(super) fn dense_step<T: AsRef<[u32]>, const W: usize>(
        patterns: &[T],
        x: &BinaryVector<W>,
        interaction: Interaction,
        overlaps_buf: &mut [i32],
        weights: &mut [i64],
    ) -> BinaryVector<W> {
        let p = patterns.len();
        overlaps(patterns, x, &mut overlaps_buf[..p]);
        let o = &overlaps_buf[..p];
        let word = |k: usize, w: usize| patterns[k].as_ref().get(w).copied().unwrap_or(0);
        match interaction {
            Interaction::Polynomial { degree } => {
                let f = |v: i32| (v as i64).pow(degree);
                let mut sum_a = 0i64;
                for (wk, &om) in weights.iter_mut().zip(o) {
                    let a = f(om) - f(om - 2);
                    let b = f(om + 2) - f(om);
                    sum_a += a;
                    *wk = a + b;
                }
                // Rows: where pattern and state disagree (ξ XOR x).
                let flips = weighted_bits::<W>(
                    p,
                    |k, w| word(k, w) ^ x.as_words()[w],
                    &weights[..p],
                    sum_a,
                );
                x.bind(&flips)
            }
            Interaction::Exponential { halving } => {
                let best = o.iter().copied().max().unwrap_or(0);
                let h = halving.max(1) as i32;
                // Weights 2^(52 − steps below the best): 2^10 patterns of 2^52 stay below 2^62.
                for (wk, &om) in weights.iter_mut().zip(o) {
                    let down = ((best - om) / h) as u32;
                    *wk = if down >= 52 { 0 } else { 1i64 << (52 - down) };
                }
                let total: i64 = weights[..p].iter().sum();
                // Bit 1 (−1) where the weight on −1 exceeds half the total.
                weighted_bits::<W>(p, word, &weights[..p], total >> 1)
            }
        }
    }
}

/// Synchronous iteration of `step` from `cue`: stops at a fixed point, a two-cycle, or after
/// `max_steps` steps.
fn synchronous<const W: usize>(
    cue: &BinaryVector<W>,
    max_steps: u32,
    mut step: impl FnMut(&BinaryVector<W>) -> BinaryVector<W>,
) -> Recall<W> {
    let (mut previous, mut x) = (*cue, *cue);
    for steps in 1..=max_steps {
        let next = step(&x);
        if next == x {
            return Recall {
                state: x,
                steps,
                outcome: Outcome::Converged,
            };
        }
        if steps > 1 && next == previous {
            return Recall {
                state: next,
                steps,
                outcome: Outcome::TwoCycle,
            };
        }
        (previous, x) = (x, next);
    }
    Recall {
        state: x,
        steps: max_steps,
        outcome: Outcome::StepLimit,
    }
}

/// Checks an interaction's parameters against the memory size.
fn check_interaction(interaction: Interaction, n: usize, p: usize) -> Result<(), Error> {
    match interaction {
        Interaction::Polynomial { degree } => {
            // |a + b| ≤ 2·(N+2)^degree per pattern, P of them, below 2^63.
            let bound = ((n + 2) as u128)
                .checked_pow(degree)
                .and_then(|f| f.checked_mul(2 * p.max(1) as u128));
            if !(2..=8).contains(&degree) || bound.is_none_or(|b| b >= 1 << 63) {
                return Err(Error::InvalidParameter(
                    "polynomial degree must be 2..=8 and P·2(N+2)^degree below 2^63",
                ));
            }
        }
        Interaction::Exponential { halving } => {
            if halving == 0 || p > 1 << 10 {
                return Err(Error::InvalidParameter(
                    "exponential interaction needs halving >= 1 and at most 1024 patterns",
                ));
            }
        }
    }
    Ok(())
}

/// Where a [`HopfieldMemory`] keeps its patterns: inline and growable ([`Hopfield`]), or in
/// place in a blob ([`HopfieldView`]). Sealed: the two storages are the library's.
pub trait PatternStore<const W: usize>: sealed::Sealed {
    /// One stored pattern.
    type Pattern: AsRef<[u32]>;
    /// The stored patterns.
    fn patterns(&self) -> &[Self::Pattern];
}

mod sealed {
    pub trait Sealed {}
    impl<const W: usize, const P: usize> Sealed for heapless::Vec<super::BinaryVector<W>, P> {}
    impl<const W: usize> Sealed for &[[u32; W]] {}
}

impl<const W: usize, const P: usize> PatternStore<W> for heapless::Vec<BinaryVector<W>, P> {
    type Pattern = BinaryVector<W>;
    fn patterns(&self) -> &[BinaryVector<W>] {
        self
    }
}

impl<const W: usize> PatternStore<W> for &[[u32; W]] {
    type Pattern = [u32; W];
    fn patterns(&self) -> &[[u32; W]] {
        self
    }
}

/// A Hopfield memory of patterns of `N = 32·W` neurons, over its storage `S` (one type for
/// the owned memory and the view into a blob, as `Bloom<S>` is one type for both; use the
/// aliases [`Hopfield`] and [`HopfieldView`]).
#[derive(Debug, Clone, Copy)]
pub struct HopfieldMemory<const W: usize, S> {
    patterns: S,
}

impl<const W: usize, S: PatternStore<W>> HopfieldMemory<W, S> {
    fn stored(&self) -> &[S::Pattern] {
        self.patterns.patterns()
    }

    /// The number of stored patterns.
    pub fn len(&self) -> usize {
        self.stored().len()
    }

    /// Whether no pattern is stored.
    pub fn is_empty(&self) -> bool {
        self.stored().is_empty()
    }

    /// The number of neurons N.
    pub const NEURONS: usize = 32 * W;

    /// Overlaps `⟨ξ^μ, x⟩` with every stored pattern (at most `out.len()` of them).
    pub fn overlaps(&self, x: &BinaryVector<W>, out: &mut [i32]) {
        algo::overlaps(self.stored(), x, out)
    }

    /// The Hebbian energy `E(x) = −½·(Σ_μ o_μ² − P·N)`; stored patterns sit in minima.
    pub fn energy(&self, x: &BinaryVector<W>) -> i64 {
        algo::energy(self.stored(), x)
    }

    /// One synchronous Hebbian step `sign(W·x)` (ties to +1).
    pub fn step(&self, x: &BinaryVector<W>) -> BinaryVector<W> {
        let mut scratch = [0i32; MAX_PATTERNS];
        algo::step(self.stored(), x, &mut scratch)
    }

    /// Classic Hebbian recall from `cue`, for at most `max_steps` steps (synchronous) or
    /// sweeps (asynchronous).
    pub fn recall(&self, cue: &BinaryVector<W>, update: Update, max_steps: u32) -> Recall<W> {
        let mut scratch = [0i32; MAX_PATTERNS];
        algo::recall(self.stored(), cue, update, max_steps, &mut scratch)
    }

    /// Dense associative recall: `max_steps` synchronous steps of the dense update (one is
    /// usually enough), stopping at a fixed point. Errors: parameters out of range.
    pub fn dense_recall(
        &self,
        cue: &BinaryVector<W>,
        interaction: Interaction,
        max_steps: u32,
    ) -> Result<Recall<W>, Error> {
        let patterns = self.stored();
        check_interaction(interaction, Self::NEURONS, patterns.len())?;
        let mut o = [0i32; MAX_PATTERNS];
        let mut weights = [0i64; MAX_PATTERNS];
        let mut x = *cue;
        for steps in 1..=max_steps {
            let next = algo::dense_step(patterns, &x, interaction, &mut o, &mut weights);
            if next == x {
                return Ok(Recall {
                    state: x,
                    steps,
                    outcome: Outcome::Converged,
                });
            }
            x = next;
        }
        Ok(Recall {
            state: x,
            steps: max_steps,
            outcome: Outcome::StepLimit,
        })
    }

    /// The stored pattern nearest to `x` and its distance (`None` if nothing is stored).
    pub fn nearest(&self, x: &BinaryVector<W>) -> Option<(usize, u32)> {
        kernel::nearest(x.as_words(), self.stored())
    }

    /// Classical capacity figures for this memory's N and P (`libm`'s correctly rounded
    /// functions and the planner's Gaussian tail: micromath's fast `sqrt`, off by several
    /// per cent, moved the bit error by a factor of 8 at N/P = 32).
    pub fn capacity(&self) -> Capacity {
        let n = Self::NEURONS as f32;
        let p = self.stored().len();
        Capacity {
            neurons: Self::NEURONS,
            patterns: p,
            load: p as f32 / n,
            critical_patterns: 0.138 * n,
            error_free_patterns: n / (4.0 * libm::logf(n)),
            bit_error: if p == 0 {
                0.0
            } else {
                crate::plan::gaussian_tail(libm::sqrt(f64::from(n) / p as f64)) as f32
            },
        }
    }
    /// The model blob of this memory ([`Kind::Hopfield`]; sections `HPAR`: N and P as `u32`,
    /// `HPAT`: the patterns' words): the one emitter of the format, for the inline memory and
    /// the view alike.
    #[cfg(feature = "alloc")]
    pub fn to_blob(&self) -> Result<alloc::vec::Vec<u8>, Error> {
        let words: alloc::vec::Vec<u32> = self
            .stored()
            .iter()
            .flat_map(|p| p.as_ref().iter().copied())
            .collect();
        let mut w = crate::model::ModelWriter::new(Kind::Hopfield);
        w.section_u32(
            *b"HPAR",
            &[Self::NEURONS as u32, self.stored().len() as u32],
        )?
        .section_u32(*b"HPAT", &words)?;
        w.finish()
    }
}

/// The most patterns one memory may hold (scratch space for one overlap per pattern, and the
/// 64-bit dense sums, live on the stack: 12 KiB at most).
pub const MAX_PATTERNS: usize = 1024;

/// A Hopfield memory of up to `P` (≤ 1024) patterns of `N = 32·W` neurons, stored inline.
///
/// ```
/// use hyperbits::hopfield::{Hopfield, Outcome, Update};
/// use hyperbits::{BinaryVector, Codebook};
/// let book = Codebook::new(1);
/// let mut memory = Hopfield::<32, 64>::new(); // N = 1024
/// for i in 0..50 {
///     memory.store(book.vector(i)).unwrap();
/// }
/// let mut cue: BinaryVector<32> = book.vector(7);
/// for w in cue.as_words_mut().iter_mut().step_by(8) {
///     *w = !*w; // 128 of 1024 bits flipped
/// }
/// let r = memory.recall(&cue, Update::Synchronous, 20);
/// assert_eq!(r.outcome, Outcome::Converged);
/// assert_eq!(r.state, book.vector(7));
/// ```
pub type Hopfield<const W: usize, const P: usize> =
    HopfieldMemory<W, heapless::Vec<BinaryVector<W>, P>>;

impl<const W: usize, const P: usize> Hopfield<W, P> {
    const FITS: () = assert!(
        P <= MAX_PATTERNS,
        "hyperbits: at most 1024 Hopfield patterns"
    );

    /// An empty memory.
    pub fn new() -> Self {
        let () = Self::FITS;
        HopfieldMemory {
            patterns: heapless::Vec::new(),
        }
    }

    /// Stores a pattern; returns its index. When the memory is full, the pattern comes back
    /// in the error.
    pub fn store(&mut self, pattern: BinaryVector<W>) -> Result<usize, Full<BinaryVector<W>>> {
        self.patterns
            .push(pattern)
            .map_err(|item| Full { item, capacity: P })?;
        Ok(self.patterns.len() - 1)
    }

    /// Removes pattern `index` (the last one takes its place). Error: no such pattern.
    pub fn remove(&mut self, index: usize) -> Result<BinaryVector<W>, Error> {
        if index >= self.patterns.len() {
            return Err(Error::IndexOutOfRange {
                index,
                len: self.patterns.len(),
            });
        }
        Ok(self.patterns.swap_remove(index))
    }

    /// The stored patterns.
    pub fn patterns(&self) -> &[BinaryVector<W>] {
        &self.patterns
    }
}

impl<const W: usize, const P: usize> Default for Hopfield<W, P> {
    fn default() -> Self {
        Self::new()
    }
}

/// A Hopfield memory read in place from a model blob (patterns used straight from flash).
pub type HopfieldView<'a, const W: usize> = HopfieldMemory<W, &'a [[u32; W]]>;

impl<'a, const W: usize> HopfieldView<'a, W> {
    /// The memory in `model`, validated: kind, N, pattern count and section size.
    pub fn from_model(model: Model<'a>) -> Result<Self, Error> {
        model.expect_kind(Kind::Hopfield)?;
        let params = model.section_u32(*b"HPAR")?;
        let &[n, p] = params else {
            return Err(Error::Format(FormatError::Inconsistent(
                "HPAR must hold 2 words",
            )));
        };
        if n as usize != Self::NEURONS {
            return Err(Error::Format(FormatError::DimensionMismatch {
                expected: Self::NEURONS,
                found: n as usize,
            }));
        }
        let words = model.section_u32(*b"HPAT")?;
        if Some(words.len()) != (p as usize).checked_mul(W) || p as usize > MAX_PATTERNS {
            return Err(Error::Format(FormatError::Inconsistent(
                "HPAT must hold P·N/32 words, P ≤ 1024",
            )));
        }
        let patterns: &[[u32; W]] = bytemuck::try_cast_slice(words).map_err(|_| {
            Error::Format(FormatError::Inconsistent(
                "HPAT is not a whole number of patterns",
            ))
        })?;
        Ok(HopfieldMemory { patterns })
    }

    /// The memory in a blob (see [`Self::from_model`]).
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, Error> {
        Self::from_model(Model::new_checked(bytes)?)
    }

    /// A memory over `patterns` held elsewhere (an adapter's buffer, a table in flash).
    /// Error: more than [`MAX_PATTERNS`].
    pub fn from_patterns(patterns: &'a [[u32; W]]) -> Result<Self, Error> {
        if patterns.len() > MAX_PATTERNS {
            return Err(Error::CapacityExceeded {
                capacity: MAX_PATTERNS,
            });
        }
        Ok(HopfieldMemory { patterns })
    }
}

/// Learning rule of a [`WeightMatrix`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Rule {
    /// Hebb: `w_ij += ξ_i ξ_j / N`.
    Hebbian,
    /// Storkey (1997): `w_ij += (ξ_i ξ_j − ξ_i h_ji − h_ij ξ_j) / N` with
    /// `h_ij = Σ_{k≠i,j} w_ik ξ_k`: incremental and local like Hebb's rule, with a larger
    /// capacity (about `N/√(2 ln N)` patterns against Hebb's `N/(2 ln N)` for error-free
    /// recall, Storkey 1997) and better tolerance of correlated patterns. Here the `1/N` terms
    /// are rounded to whole weight units.
    Storkey,
}

/// An explicit, saturating integer weight matrix for small N (the option for rules that do not
/// factor through the patterns, such as Storkey's): `N²` `i16` weights in units of `1/N`
/// (2 bytes per weight: 32 KiB at N = 128), zero diagonal. Every addition saturates, and
/// [`WeightMatrix::is_saturated`] reports whether any did.
#[derive(Debug, Clone)]
pub struct WeightMatrix<const W: usize> {
    rows: [[[[i16; 32]; W]; 32]; W],
    stored: usize,
    saturated: bool,
}

impl<const W: usize> WeightMatrix<W> {
    /// The number of neurons N.
    pub const NEURONS: usize = 32 * W;

    /// All weights zero.
    pub fn new() -> Self {
        WeightMatrix {
            rows: [[[[0; 32]; W]; 32]; W],
            stored: 0,
            saturated: false,
        }
    }

    fn row(&self, i: usize) -> &[i16] {
        self.rows[i / 32][i % 32].as_flattened()
    }

    /// Weight `w_ij` in units of 1/N. Error: an index past N.
    pub fn weight(&self, i: usize, j: usize) -> Result<i16, Error> {
        let n = Self::NEURONS;
        if i >= n || j >= n {
            return Err(Error::IndexOutOfRange {
                index: i.max(j),
                len: n,
            });
        }
        Ok(self.row(i)[j])
    }

    /// Stores a pattern with `rule`.
    pub fn store(&mut self, pattern: &BinaryVector<W>, rule: Rule) {
        let n = Self::NEURONS;
        let xi = |i: usize| 1 - 2 * ((pattern.as_words()[i / 32] >> (i % 32)) & 1) as i32;
        // Local fields h_i = Σ_k w_ik ξ_k (units of 1/N), before the update.
        let mut h = [[0i32; 32]; W];
        if rule == Rule::Storkey {
            for (i, hi) in h.as_flattened_mut().iter_mut().enumerate() {
                *hi = self
                    .row(i)
                    .iter()
                    .enumerate()
                    .map(|(k, &w)| i32::from(w) * xi(k))
                    .sum();
            }
        }
        let h = h.as_flattened();
        let mut saturated = false;
        for i in 0..n {
            for j in 0..n {
                if i == j {
                    continue;
                }
                // In units of 1/N (so Hebb's ξ_iξ_j/N is one unit): Storkey also subtracts
                // (ξ_i·h_ji + h_ij·ξ_j)/N,
                // where h_ij = h_i − w_ii ξ_i − w_ij ξ_j = h_i − w_ij ξ_j (zero diagonal), and
                // those terms carry a factor 1/N: divided with rounding to nearest.
                let mut delta = xi(i) * xi(j);
                if rule == Rule::Storkey {
                    let wij = i32::from(self.row(i)[j]);
                    let wji = i32::from(self.row(j)[i]);
                    let h_ij = h[i] - wij * xi(j);
                    let h_ji = h[j] - wji * xi(i);
                    delta -= div_round(xi(i) * h_ji + h_ij * xi(j), n as i32);
                }
                let cell = &mut self.rows[i / 32][i % 32][j / 32][j % 32];
                let sum = i32::from(*cell) + delta;
                let clamped = sum.clamp(i32::from(i16::MIN), i32::from(i16::MAX));
                saturated |= clamped != sum;
                *cell = clamped as i16;
            }
        }
        self.saturated |= saturated;
        self.stored += 1;
    }

    /// Patterns stored so far.
    pub fn len(&self) -> usize {
        self.stored
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.stored == 0
    }

    /// Whether any weight ever hit the `i16` range.
    pub fn is_saturated(&self) -> bool {
        self.saturated
    }

    /// One synchronous step `sign(W·x)` (ties to +1).
    pub fn step(&self, x: &BinaryVector<W>) -> BinaryVector<W> {
        let mut out = BinaryVector::<W>::zero();
        let xs = |k: usize| 1 - 2 * ((x.as_words()[k / 32] >> (k % 32)) & 1) as i32;
        for i in 0..Self::NEURONS {
            let h: i32 = self
                .row(i)
                .iter()
                .enumerate()
                .map(|(k, &w)| i32::from(w) * xs(k))
                .sum();
            let _ = out.set_bit(i, h < 0);
        }
        out
    }

    /// Synchronous recall with the same stopping rules as [`Hopfield::recall`].
    pub fn recall(&self, cue: &BinaryVector<W>, max_steps: u32) -> Recall<W> {
        synchronous(cue, max_steps, |x| self.step(x))
    }
}

impl<const W: usize> Default for WeightMatrix<W> {
    fn default() -> Self {
        Self::new()
    }
}

/// `a / b` rounded to nearest (halves away from zero), `b > 0`.
fn div_round(a: i32, b: i32) -> i32 {
    if a >= 0 {
        (a + b / 2) / b
    } else {
        -((-a + b / 2) / b)
    }
}

/// The set-membership Hopfield variant of the capacity spec (§4, the reference model of
/// `ref.py`): the atoms `s_i` of the set's symbols (from a codebook) are the stored patterns,
/// so `W = Σ_{i∈X} s_i s_iᵀ − n·I` (the low-rank form the paper's reviewers describe).
///
/// How it may differ from the paper: the paper's own "Hopfield±" storage and retrieval rules
/// were not recovered (spec §0, §4); this is the spec's Hebbian reference model, with its
/// energy threshold `(D² − D)/2`, fixed-point test and Frobenius intersection estimate.
#[derive(Debug, Clone)]
pub struct SetMemory<const W: usize, const P: usize> {
    book: Codebook,
    symbols: heapless::Vec<u32, P>,
    atoms: Hopfield<W, P>,
}

impl<const W: usize, const P: usize> SetMemory<W, P> {
    /// An empty set over the atoms of `book`.
    pub fn new(book: Codebook) -> Self {
        SetMemory {
            book,
            symbols: heapless::Vec::new(),
            atoms: Hopfield::new(),
        }
    }

    /// Adds `symbol` (a no-op if present). Error: the set is full.
    pub fn insert(&mut self, symbol: u32) -> Result<(), Error> {
        if self.symbols.contains(&symbol) {
            return Ok(());
        }
        self.atoms.store(self.book.vector(symbol))?;
        let _ = self.symbols.push(symbol); // same capacity as the atoms
        Ok(())
    }

    /// Removes `symbol`; returns whether it was there.
    pub fn remove(&mut self, symbol: u32) -> bool {
        match self.symbols.iter().position(|&s| s == symbol) {
            Some(i) => {
                self.symbols.swap_remove(i);
                let _ = self.atoms.remove(i);
                true
            }
            None => false,
        }
    }

    /// The number of symbols n.
    pub fn len(&self) -> usize {
        self.symbols.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.symbols.is_empty()
    }

    /// The energy score `s_jᵀ W s_j = Σ_{i∈X} ⟨s_i, s_j⟩² − n·D` of `symbol`.
    pub fn energy_score(&self, symbol: u32) -> i64 {
        let d = BinaryVector::<W>::DIM as i64;
        let s = self.book.vector::<W>(symbol);
        let mut sum = 0i64;
        kernel::distances(s.as_words(), self.atoms.patterns(), |_, h| {
            let o = d - 2 * i64::from(h);
            sum += o * o;
        });
        sum - self.len() as i64 * d
    }

    /// Membership by energy: `s_jᵀ W s_j ≥ (D² − D)/2` (spec §4).
    pub fn contains(&self, symbol: u32) -> bool {
        let d = BinaryVector::<W>::DIM as i64;
        2 * self.energy_score(symbol) >= d * d - d
    }

    /// Membership by fixed point: `sign(W s_j) = s_j` (works for n ≲ D/(2 ln D)).
    pub fn contains_fixed_point(&self, symbol: u32) -> bool {
        let s = self.book.vector::<W>(symbol);
        self.atoms.step(&s) == s
    }

    /// Estimated intersection size with `other` (same codebook and D):
    /// `⟨W_X, W_Y⟩_F / (D² − D)`, with `⟨W_X, W_Y⟩_F = Σ_{i∈X, j∈Y} ⟨s_i, s_j⟩² − n·m·D`.
    pub fn intersection(&self, other: &Self) -> f32 {
        let d = BinaryVector::<W>::DIM as i64;
        let mut sum = 0i64;
        for a in self.atoms.patterns() {
            kernel::distances(a.as_words(), other.atoms.patterns(), |_, h| {
                let o = d - 2 * i64::from(h);
                sum += o * o;
            });
        }
        let frobenius = sum - (self.len() * other.len()) as i64 * d;
        frobenius as f32 / (d * d - d) as f32
    }

    /// Clean-up: classic recall of a noisy atom.
    pub fn recall(&self, cue: &BinaryVector<W>, max_steps: u32) -> Recall<W> {
        self.atoms.recall(cue, Update::Synchronous, max_steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy<const W: usize>(v: &BinaryVector<W>, flips: usize, seed: u32) -> BinaryVector<W> {
        let mut out = *v;
        let n = BinaryVector::<W>::DIM;
        let mut x = seed.wrapping_mul(2_654_435_761) | 1;
        let mut done = 0;
        while done < flips {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let i = x as usize % n;
            // Flip each position at most once.
            if out.bit(i) == v.bit(i) {
                let b = out.bit(i).unwrap_or(false);
                let _ = out.set_bit(i, !b);
                done += 1;
            }
        }
        out
    }

    #[test]
    fn field_formula_equals_the_explicit_weight_matrix() {
        // N = 64, P = 5: compare with W = Σ ξξᵀ − P·I computed explicitly.
        let book = Codebook::new(3);
        let mut m = Hopfield::<2, 5>::new();
        for i in 0..5 {
            m.store(book.vector(i)).unwrap();
        }
        let x: BinaryVector<2> = book.vector(77);
        let pm = |v: &BinaryVector<2>, i: usize| if v.bit(i).unwrap() { -1i32 } else { 1 };
        let mut expect = BinaryVector::<2>::zero();
        let mut energy = 0i64;
        for i in 0..64 {
            let mut h = 0;
            for j in 0..64 {
                let w: i32 = if i == j {
                    0
                } else {
                    m.patterns().iter().map(|p| pm(p, i) * pm(p, j)).sum()
                };
                h += w * pm(&x, j);
                energy -= i64::from(w * pm(&x, i) * pm(&x, j));
            }
            expect.set_bit(i, h < 0).unwrap();
        }
        assert_eq!(m.step(&x), expect);
        assert_eq!(m.energy(&x), energy / 2);
    }

    #[test]
    fn recall_cleans_up_and_reports_how_it_ended() {
        let book = Codebook::new(4);
        let mut m = Hopfield::<32, 40>::new();
        for i in 0..40 {
            m.store(book.vector(i)).unwrap();
        }
        let target: BinaryVector<32> = book.vector(5);
        let cue = noisy(&target, 100, 1);
        for update in [Update::Synchronous, Update::Asynchronous { seed: 9 }] {
            let r = m.recall(&cue, update, 30);
            assert_eq!(r.outcome, Outcome::Converged, "{update:?}");
            assert_eq!(r.state, target, "{update:?}");
            assert!(m.energy(&r.state) < m.energy(&cue));
        }
        assert_eq!(m.nearest(&cue), Some((5, 100)));
        // The step cap is honoured and reported.
        let r = m.recall(&cue, Update::Synchronous, 1);
        assert_eq!((r.steps, r.outcome), (1, Outcome::StepLimit));
    }

    #[test]
    fn dense_memory_recalls_far_beyond_classic_capacity() {
        // N = 256, P = 256: far past 0.138·N for the classic rule.
        let book = Codebook::new(5);
        let mut m = Hopfield::<8, 256>::new();
        for i in 0..256 {
            m.store(book.vector(i)).unwrap();
        }
        let target: BinaryVector<8> = book.vector(17);
        let cue = noisy(&target, 25, 2);
        for interaction in [
            Interaction::Polynomial { degree: 3 },
            Interaction::Exponential { halving: 4 },
        ] {
            let r = m.dense_recall(&cue, interaction, 5).unwrap();
            assert_eq!(r.state, target, "{interaction:?}");
        }
        assert_ne!(m.recall(&cue, Update::Synchronous, 20).state, target);
        assert!(m
            .dense_recall(&cue, Interaction::Polynomial { degree: 12 }, 1)
            .is_err());
        assert!(m
            .dense_recall(&cue, Interaction::Exponential { halving: 0 }, 1)
            .is_err());
    }

    #[test]
    fn full_memory_and_bad_indices_are_errors() {
        let mut m = Hopfield::<1, 1>::new();
        assert!(m.store(BinaryVector::zero()).is_ok());
        let rejected = BinaryVector::zero().complement();
        assert_eq!(
            m.store(rejected),
            Err(Full {
                item: rejected,
                capacity: 1
            })
        );
        assert!(m.remove(3).is_err());
        let c = m.capacity();
        assert_eq!((c.neurons, c.patterns), (32, 1));
        // The bit error is Q(√(N/P)) from the planner's one Gaussian tail: P = 1, N = 32.
        assert!(
            (c.bit_error - 7.708_6e-9).abs() < 1.0e-12,
            "{}",
            c.bit_error
        );
    }

    #[test]
    fn set_memory_membership_and_intersection() {
        let book = Codebook::new(6);
        let mut a = SetMemory::<8, 16>::new(book);
        let mut b = SetMemory::<8, 16>::new(book);
        for s in 0..8 {
            a.insert(s).unwrap();
        }
        for s in 4..12 {
            b.insert(s).unwrap();
        }
        for s in 0..8 {
            assert!(a.contains(s), "member {s}");
            assert!(a.contains_fixed_point(s), "member {s}");
        }
        for s in 100..200 {
            assert!(!a.contains(s), "non-member {s}");
        }
        let est = a.intersection(&b);
        assert!((est - 4.0).abs() < 1.0, "intersection {est}");
        assert!(a.remove(0));
        assert!(!a.remove(0));
        assert!(!a.contains(0));
        assert_eq!(a.len(), 7);
    }

    #[test]
    fn hebbian_matrix_matches_the_pattern_form() {
        let book = Codebook::new(8);
        let mut pats = Hopfield::<2, 6>::new();
        let mut matrix = WeightMatrix::<2>::new();
        for i in 0..6 {
            let p: BinaryVector<2> = book.vector(i);
            pats.store(p).unwrap();
            matrix.store(&p, Rule::Hebbian);
        }
        for k in 0..20 {
            let x: BinaryVector<2> = book.vector(100 + k);
            assert_eq!(matrix.step(&x), pats.step(&x), "k={k}");
        }
        assert_eq!(matrix.weight(0, 0), Ok(0));
        assert!(matrix.weight(64, 0).is_err());
        assert_eq!(matrix.len(), 6);
        assert!(!matrix.is_saturated());
    }

    #[test]
    fn storkey_recalls_and_saturation_is_reported() {
        let book = Codebook::new(9);
        let mut m = WeightMatrix::<4>::new(); // N = 128
        for i in 0..12 {
            m.store(&book.vector(i), Rule::Storkey);
        }
        for i in 0..12 {
            let target: BinaryVector<4> = book.vector(i);
            let r = m.recall(&noisy(&target, 8, i + 1), 20);
            assert!(
                r.state.hamming(&target) <= 2,
                "pattern {i}: {}",
                r.state.hamming(&target)
            );
        }
        let mut s = WeightMatrix::<1>::new();
        let p = BinaryVector::<1>::from_words([0xA5A5_5A5A]);
        for _ in 0..40_000 {
            s.store(&p, Rule::Hebbian);
        }
        assert!(s.is_saturated());
        let w = s.weight(0, 1).unwrap();
        assert!(w == i16::MAX || w == i16::MIN, "{w}");
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn blob_roundtrip_reads_in_place() {
        let book = Codebook::new(7);
        let mut m = Hopfield::<4, 10>::new();
        for i in 0..10 {
            m.store(book.vector(i)).unwrap();
        }
        let blob = crate::model::AlignedBlob::new(&m.to_blob().unwrap());
        let view = HopfieldView::<4>::from_bytes(blob.as_bytes()).unwrap();
        assert_eq!(view.len(), 10);
        let cue = noisy(&book.vector::<4>(3), 6, 3);
        assert_eq!(
            view.recall(&cue, Update::Synchronous, 10),
            m.recall(&cue, Update::Synchronous, 10)
        );
        assert_eq!(
            HopfieldView::<8>::from_bytes(blob.as_bytes()).unwrap_err(),
            Error::Format(FormatError::DimensionMismatch {
                expected: 256,
                found: 128
            })
        );
    }
}
