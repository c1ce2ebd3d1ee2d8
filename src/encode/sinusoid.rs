//! Binarised random Fourier features: the sign of `cos(γ·w_j·x + b_j)`, in integers.
//!
//! Rahimi & Recht's random features ("Random Features for Large-Scale Kernel Machines", 2007)
//! as OnlineHD's sinusoid encoder uses them (Hernández-Cano et al. 2021), binarised: output
//! bit j is 1 when `cos(γ·Σ_f w_{f,j}·x_f + b_j) < 0`, with a random phase `b_j`. Two inputs
//! disagree on bit j with probability `E|δ_j|/π`, where `δ_j = γ·w_j·(x − y)` folded into
//! `[−π, π]`: in proportion to `‖x − y‖` for near inputs, saturating at 1/2 (unrelated) once
//! `γ·σ_w·‖x − y‖` passes about π (`σ_w = √204` below). So nearby inputs share their bits, distant ones do not, and
//! the class boundary a nearest-prototype rule draws over these bits can curve — what the
//! linear [`Projection`](super::Projection) cannot do on a few features. `γ` sets the reach.
//!
//! # In integers, the same bits on every target
//! - Weights: `w_{f,j} = Σ_{k<8} (k + 1)·r_{8f+k, j}` with `r = ±1` the bits of codebook
//!   vectors `8f + k` (bit 0 = +1): a bell-shaped weight in −36..=36, variance 204. Integer
//!   weights make each feature's code periodic (the weights are even: period `π/γ` in that
//!   feature), so the spread of the weights is what keeps the period far beyond the reach:
//!   about 45 reaches (a sum of eight ±1 would give 9).
//! - Phases: `b_j`, a `u32` (2^32 = one turn) from the codebook's stream for index
//!   [`PHASE_INDEX`].
//! - Features are integers `q_f` (the classifier's `round(1024·s_f)`); the angle of bit j is
//!   `phase_j = (Σ_f q_f·w_{f,j})·frequency + b_j` in wrapping `u32` arithmetic (exact modulo one
//!   turn whatever the magnitudes), and the bit is 1 when `phase_j` lies in `[2^30, 3·2^30)`
//!   (where the cosine is negative). `frequency = γ·2^21/π` ≈ 667,544·γ for features in
//!   units of 1/1024; see [`Sinusoid::frequency_for`].
//!
//! Cost: `8·n·D` additions and `D` multiplications for `n` features (eight ±1 projections),
//! working memory 512 sums (2 KiB), as the projection's. Meant for a few features: at 64
//! features it is eight times the projection's work.
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::codebook::Codebook;
use crate::error::Error;
use crate::kernel::{self, BLOCK};

/// ±1 terms summed into each weight, term k weighted by k + 1.
pub const TERMS: u32 = 8;

/// The standard deviation of a weight, `√(1² + 2² + … + 8²)`.
pub const WEIGHT_SPREAD: f64 = 14.282_856_857_085_7;

/// The codebook index whose stream gives the phases (32 bits per output bit).
pub const PHASE_INDEX: u32 = u32::MAX - 1;

/// Binarised random-Fourier-feature encoder of integer feature vectors.
///
/// ```
/// use hyperbits::{encode::Sinusoid, BinaryVector};
/// let s = Sinusoid::new(1, Sinusoid::frequency_for(1.0));
/// let a: BinaryVector<64> = s.encode_integer(&[100, 200]).unwrap();
/// let b: BinaryVector<64> = s.encode_integer(&[110, 200]).unwrap();
/// let c: BinaryVector<64> = s.encode_integer(&[900, -700]).unwrap();
/// assert!(a.hamming(&b) < a.hamming(&c));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Sinusoid {
    book: Codebook,
    frequency: u32,
}

impl Sinusoid {
    /// The encoder of `seed` turning `frequency` phase units (2^32 per turn) per unit of
    /// `Σ_f q_f·w_f`.
    pub fn new(seed: u64, frequency: u32) -> Self {
        Sinusoid {
            book: Codebook::new(seed),
            frequency,
        }
    }

    /// The frequency for a kernel scale `gamma` (radians per unit of a feature scaled to
    /// `[0, 1]`, quantised as 1024 units): `round(gamma · 2^31 / (1024·π))`, saturating.
    pub fn frequency_for(gamma: f64) -> u32 {
        let f = gamma * (1u64 << 31) as f64 / (1024.0 * core::f64::consts::PI);
        if f >= u32::MAX as f64 {
            u32::MAX
        } else if f > 0.0 {
            (f + 0.5) as u32
        } else {
            0
        }
    }

    /// The frequency.
    pub fn frequency(&self) -> u32 {
        self.frequency
    }

    /// Encodes integer features.
    pub fn encode_integer<const W: usize>(
        &self,
        features: &[i32],
    ) -> Result<BinaryVector<W>, Error> {
        self.encode_integer_with(features.len(), |f| features[f])
    }

    /// [`encode_integer`](Self::encode_integer) with feature `f` given by `feature(f)` for
    /// `f < count` (asked eight times per 512 bits). Errors: more than `2^29` features.
    // Out of line, as the projection's: its frame is not added to its callers'.
    #[inline(never)]
    pub fn encode_integer_with<const W: usize>(
        &self,
        count: usize,
        feature: impl Fn(usize) -> i32,
    ) -> Result<BinaryVector<W>, Error> {
        if count > (PHASE_INDEX / TERMS) as usize {
            return Err(Error::TooManyInputs {
                given: count as u64,
                max: u64::from(PHASE_INDEX / TERMS),
            });
        }
        let mut out = BinaryVector::<W>::zero();
        for b in 0..W.div_ceil(BLOCK) {
            // Wrapping sums: only their value modulo 2^32 matters.
            let mut sums = [0u32; 32 * BLOCK];
            for f in 0..count {
                let q = feature(f) as u32;
                for k in 0..TERMS {
                    let x = q.wrapping_mul(k + 1);
                    let row = self.book.block(f as u32 * TERMS + k, b as u32);
                    for (chunk, word) in sums.chunks_exact_mut(32).zip(row) {
                        for (i, s) in chunk.iter_mut().enumerate() {
                            // m is 0 or all ones: (x ^ m) - m is x or -x.
                            let m = 0u32.wrapping_sub((word >> i) & 1);
                            *s = s.wrapping_add((x ^ m).wrapping_sub(m));
                        }
                    }
                }
            }
            let mut phases = self.book.block_rng(PHASE_INDEX, b as u32);
            let block: [u32; BLOCK] = core::array::from_fn(|w| {
                (0..32).fold(0u32, |acc, i| {
                    let phase = sums[32 * w + i]
                        .wrapping_mul(self.frequency)
                        .wrapping_add(phases.next_u32());
                    acc | (u32::from(negative_cosine(phase)) << i)
                })
            });
            kernel::store_block(out.as_words_mut(), b * BLOCK, &block);
        }
        Ok(out)
    }
}

/// Whether the cosine of `phase` (2^32 per turn) is negative: `phase ∈ [2^30, 3·2^30)`.
#[inline]
fn negative_cosine(phase: u32) -> bool {
    phase.wrapping_sub(1 << 30) < 1 << 31
}

/// The weights and phases of a [`Sinusoid`] for a fixed number of features, generated once
/// (host side): the same bits as [`Sinusoid::encode_integer`], without the generator.
#[cfg(feature = "alloc")]
#[derive(Debug, Clone)]
pub struct SinusoidTable<const W: usize> {
    /// `w_{f,j}` for feature f at `f·D + j`.
    weights: alloc::vec::Vec<i8>,
    phases: alloc::vec::Vec<u32>,
    frequency: u32,
}

#[cfg(feature = "alloc")]
impl<const W: usize> SinusoidTable<W> {
    /// The table of `sinusoid` for `features` features.
    pub fn new(sinusoid: &Sinusoid, features: usize) -> Self {
        let dim = BinaryVector::<W>::DIM;
        let mut weights = alloc::vec![0i8; features * dim];
        for (f, w) in weights.chunks_exact_mut(dim).enumerate() {
            for k in 0..TERMS {
                let row: BinaryVector<W> = sinusoid.book.vector(f as u32 * TERMS + k);
                let m = k as i8 + 1;
                for (j, x) in w.iter_mut().enumerate() {
                    *x += m * (1 - 2 * ((row.as_words()[j / 32] >> (j % 32)) & 1) as i8);
                }
            }
        }
        let mut phases = alloc::vec::Vec::with_capacity(dim);
        for b in 0..W.div_ceil(BLOCK) {
            let mut stream = sinusoid.book.block_rng(PHASE_INDEX, b as u32);
            let n = (dim - b * 32 * BLOCK).min(32 * BLOCK);
            phases.extend((0..n).map(|_| stream.next_u32()));
        }
        SinusoidTable {
            weights,
            phases,
            frequency: sinusoid.frequency,
        }
    }

    /// As [`Sinusoid::encode_integer`], for as many features as the table has.
    pub fn encode_integer(&self, features: &[i32]) -> Result<BinaryVector<W>, Error> {
        let dim = BinaryVector::<W>::DIM;
        if features.len() * dim != self.weights.len() {
            return Err(Error::LengthMismatch {
                expected: self.weights.len() / dim,
                found: features.len(),
            });
        }
        let mut sums = alloc::vec![0u32; dim];
        for (&q, w) in features.iter().zip(self.weights.chunks_exact(dim)) {
            let q = q as u32;
            for (s, &x) in sums.iter_mut().zip(w) {
                *s = s.wrapping_add(q.wrapping_mul(x as i32 as u32));
            }
        }
        let mut out = BinaryVector::<W>::zero();
        for (j, (s, p)) in sums.iter().zip(&self.phases).enumerate() {
            let phase = s.wrapping_mul(self.frequency).wrapping_add(*p);
            if negative_cosine(phase) {
                out.as_words_mut()[j / 32] |= 1 << (j % 32);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_inputs_share_bits_and_far_ones_do_not() {
        // γ = 0.2, Δ in units of the scaled range (1024); E|w| = 11.59.
        let s = Sinusoid::new(3, Sinusoid::frequency_for(0.2));
        let enc = |q: [i32; 3]| s.encode_integer::<64>(&q).unwrap();
        let x = enc([0, 300, -200]);
        let d = |y: &BinaryVector<64>| x.hamming(y) as f64 / 2048.0;
        let near = d(&enc([20, 300, -200])); // Δ = 0.02: 0.004·11.59/π ≈ 0.0148
        let mid = d(&enc([200, 300, -200])); // Δ = 0.2: 0.04·11.59/π ≈ 0.148
        let far = d(&enc([900, -500, 400])); // unrelated: 0.5
        assert!((near - 0.0148).abs() < 0.01, "{near}");
        assert!((mid - 0.148).abs() < 0.035, "{mid}");
        assert!((far - 0.5).abs() < 0.05, "{far}");
        // About half the bits are set.
        assert!((x.count_ones() as f64 / 2048.0 - 0.5).abs() < 0.05);
    }

    #[test]
    fn frequency_zero_gives_the_phases_alone() {
        let s = Sinusoid::new(5, 0);
        assert_eq!(
            s.encode_integer::<20>(&[7, -9]).unwrap(),
            s.encode_integer::<20>(&[1000, 3]).unwrap()
        );
        assert_eq!(Sinusoid::frequency_for(-1.0), 0);
        assert_eq!(Sinusoid::frequency_for(1e12), u32::MAX);
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn table_path_gives_the_same_bits() {
        let s = Sinusoid::new(8, Sinusoid::frequency_for(1.3));
        // 20 words: a partial last block.
        let table = SinusoidTable::<20>::new(&s, 5);
        for k in 0..30i32 {
            let x: [i32; 5] = core::array::from_fn(|i| ((k * 37 + i as i32 * 101) % 2049) - 1024);
            assert_eq!(
                table.encode_integer(&x).unwrap(),
                s.encode_integer::<20>(&x).unwrap()
            );
        }
        assert!(table.encode_integer(&[1, 2]).is_err());
    }
}
