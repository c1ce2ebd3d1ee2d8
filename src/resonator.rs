//! Resonator networks: factorising a bound product `s = x₁ ⊙ x₂ ⊙ … ⊙ x_F` of items drawn from
//! F known codebooks, without trying all `M^F` combinations.
//!
//! **What.** The resonator (Frady, Kent, Olshausen & Sommer, *Resonator networks*, Neural
//! Computation 2020) keeps one estimate per factor, a bipolar vector (bit 0 = +1, bit 1 = −1,
//! so XOR is the product). Each factor in turn is unbound from the product with the other
//! estimates, compared with its codebook (similarities `a_m = ⟨x_m, s ⊙ ∏ x̂_g⟩`), and replaced
//! by the sign of the codebook weighted by the similarities: `x̂_f ← sign(X_f X_fᵀ (s ⊙ ∏_{g≠f}
//! x̂_g))`. The estimates start at the sign of each codebook's sum, where every item is equally
//! present, and the network settles on the factors, or in a limit cycle or a spurious fixed
//! point when the search space is large.
//!
//! [`Method::Plain`] is that network as published: stop when a sweep changes nothing or after
//! the budget of sweeps, then read each factor as its codebook's best match.
//! [`Method::Restarting`] (the default) adds what later work reports against limit cycles
//! and spurious fixed points, with every sweep of every restart counted against the same
//! budget:
//! - **the check.** A candidate factorisation is checked exactly after every sweep: bind the
//!   decoded items and compare with the product (Hamming distance at most
//!   [`Options::accept`]); the search stops at the first one that passes.
//! - **sparse activations** (Langenegger et al., *In-memory factorization of holographic
//!   perceptual representations*, Nature Nanotechnology 2023): only the `keep` largest
//!   similarities weigh in the new estimate, so the wrong items' crosstalk does not swamp the
//!   few candidates that matter.
//! - **noise** (the same paper's stochastic similarities): a seeded uniform integer in
//!   `−noise..=noise` is added to each similarity before the activation, which breaks the
//!   cycles that a deterministic network revisits.
//! - **restarts**: after `restart_after` sweeps without a verified answer, or at a fixed point
//!   that fails the check, the estimates restart from random bipolar vectors.
//!
//! **Cost.** One factor update is M Hamming distances and one weighted sum of the `keep` (or
//! M) active items, 32 additions a word each: `O(F·(M + keep)·D)` bit operations a sweep, and
//! `F + M` words of stack besides the estimates. No heap; every random choice comes from
//! [`SplitMix64`] seeded by [`Options::seed`], so a factorisation is
//! the same on every target.
//!
//! `examples/resonator.rs` measures both methods against the search-space size (README table).
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::error::Error;
use crate::rng::SplitMix64;

/// How the network searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Method {
    /// The outer-product resonator of Frady et al.: estimates start at the sign of each
    /// codebook's sum; stop when a sweep changes nothing or at the budget.
    Plain,
    /// The plain update with sparse activations and noise, checked after every sweep, and
    /// restarted from random estimates when it stalls.
    Restarting {
        /// How many of the largest similarities weigh in each update (at least 1).
        keep: u16,
        /// The amplitude of the uniform integer noise added to each similarity (0: none).
        noise: u16,
        /// Sweeps after which an unverified search starts again (0: only at fixed points).
        restart_after: u16,
    },
}

impl Default for Method {
    fn default() -> Self {
        Method::Restarting {
            keep: 16,
            noise: 0,
            restart_after: 5,
        }
    }
}

/// What a factorisation may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Options {
    /// The method (default [`Method::Restarting`]).
    pub method: Method,
    /// Sweeps (one update of every factor) allowed in all, restarts included (default 200).
    pub max_sweeps: u32,
    /// The largest Hamming distance between the product and the bound decoded items that
    /// counts as verified (default `None`: a quarter of the dimension, where a wrong
    /// factorisation is at D/2 and a right one of a clean product at 0).
    pub accept: Option<u32>,
    /// The seed of every random choice: ties of the first estimate, noise, restarts.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            method: Method::default(),
            max_sweeps: 200,
            accept: None,
            seed: 0,
        }
    }
}

/// The outcome of [`Resonator::factorize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Factorization<const F: usize> {
    /// The codebook index chosen for each factor.
    pub indices: [usize; F],
    /// The Hamming distance between the product and the bound chosen items.
    pub distance: u32,
    /// Whether `distance` is within [`Options::accept`].
    pub verified: bool,
    /// The sweeps spent, restarts included.
    pub sweeps: u32,
    /// How many times the search restarted.
    pub restarts: u32,
}

/// A resonator network over F codebooks of at most M items each, D = 32·W bits.
#[derive(Debug, Clone, Copy)]
pub struct Resonator<'a, const W: usize, const F: usize, const M: usize> {
    codebooks: [&'a [BinaryVector<W>]; F],
    options: Options,
}

impl<'a, const W: usize, const F: usize, const M: usize> Resonator<'a, W, F, M> {
    /// A network over `codebooks` (one slice of items per factor).
    ///
    /// Errors: no factor, an empty codebook or one of more than M items, `keep` of 0, or a
    /// weighted sum that could overflow 32 bits (M·D ≥ 2³¹).
    pub fn new(codebooks: [&'a [BinaryVector<W>]; F], options: Options) -> Result<Self, Error> {
        if F == 0 {
            return Err(Error::InvalidParameter(
                "a resonator needs at least one factor",
            ));
        }
        for book in &codebooks {
            if book.is_empty() {
                return Err(Error::EmptyMemory);
            }
            if book.len() > M {
                return Err(Error::CapacityExceeded { capacity: M });
            }
        }
        if (M as u64) * (BinaryVector::<W>::DIM as u64) >= 1 << 31 {
            return Err(Error::InvalidParameter(
                "M items of D bits overflow the 32-bit weighted sums",
            ));
        }
        if let Method::Restarting { keep: 0, .. } = options.method {
            return Err(Error::InvalidParameter("keep must be at least 1"));
        }
        Ok(Resonator { codebooks, options })
    }

    /// The options the network runs with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Factorises `product`: the best factorisation found within the budget of sweeps.
    pub fn factorize(&self, product: &BinaryVector<W>) -> Factorization<F> {
        let dim = BinaryVector::<W>::DIM as u32;
        let accept = self.options.accept.unwrap_or(dim / 4);
        let mut rng = SplitMix64::new(self.options.seed);
        let mut estimates = [BinaryVector::<W>::zero(); F];
        let mut weights = [0i32; M];
        let mut indices = [0usize; F];
        let mut best = Factorization {
            indices,
            distance: u32::MAX,
            verified: false,
            sweeps: 0,
            restarts: 0,
        };
        for (f, estimate) in estimates.iter_mut().enumerate() {
            let book = self.codebooks[f];
            weights[..book.len()].fill(1);
            let ties = random_vector(&mut rng);
            superpose(book, &weights[..book.len()], &ties, estimate);
        }
        let (keep, noise, restart_after) = match self.options.method {
            Method::Plain => (M, 0, 0),
            Method::Restarting {
                keep,
                noise,
                restart_after,
            } => (keep as usize, noise as i32, restart_after as u32),
        };
        let checked = !matches!(self.options.method, Method::Plain);
        let mut since_restart = 0u32;
        let mut sweeps = 0u32;
        while sweeps < self.options.max_sweeps {
            sweeps += 1;
            since_restart += 1;
            let mut changed = false;
            for f in 0..F {
                let book = self.codebooks[f];
                let mut query = *product;
                for (g, other) in estimates.iter().enumerate() {
                    if g != f {
                        query.bind_assign(other);
                    }
                }
                let weights = &mut weights[..book.len()];
                for (w, item) in weights.iter_mut().zip(book) {
                    *w = dim as i32 - 2 * item.hamming(&query) as i32;
                }
                indices[f] = argmax(weights);
                if noise > 0 {
                    for w in weights.iter_mut() {
                        *w += (rng.below(2 * noise as u64 + 1) as i32) - noise;
                    }
                }
                if keep < book.len() {
                    sparsify(weights, keep);
                }
                let previous = estimates[f];
                superpose(book, weights, &previous, &mut estimates[f]);
                changed |= estimates[f] != previous;
            }
            if checked || !changed || sweeps == self.options.max_sweeps {
                let distance = self.distance(product, &indices);
                if distance < best.distance {
                    best.indices = indices;
                    best.distance = distance;
                }
                if distance <= accept {
                    break;
                }
            }
            if !changed && !checked {
                break;
            }
            if checked && (!changed || (restart_after > 0 && since_restart >= restart_after)) {
                for estimate in estimates.iter_mut() {
                    *estimate = random_vector(&mut rng);
                }
                since_restart = 0;
                best.restarts += 1;
            }
        }
        best.sweeps = sweeps;
        best.verified = best.distance <= accept;
        best
    }

    /// The Hamming distance between `product` and the bound items `indices`.
    fn distance(&self, product: &BinaryVector<W>, indices: &[usize; F]) -> u32 {
        let mut bound = *product;
        for (book, &i) in self.codebooks.iter().zip(indices) {
            if let Some(item) = book.get(i) {
                bound.bind_assign(item);
            }
        }
        bound.count_ones()
    }
}

/// A random bipolar vector from `rng`.
fn random_vector<const W: usize>(rng: &mut SplitMix64) -> BinaryVector<W> {
    let mut v = BinaryVector::<W>::zero();
    for pair in v.as_words_mut().chunks_mut(2) {
        let r = rng.next_u64();
        for (k, w) in pair.iter_mut().enumerate() {
            *w = (r >> (32 * k)) as u32;
        }
    }
    v
}

/// The index of the largest weight (the first of equals).
fn argmax(weights: &[i32]) -> usize {
    let mut best = 0;
    for (i, &w) in weights.iter().enumerate() {
        if w > weights[best] {
            best = i;
        }
    }
    best
}

/// Zeroes all but the `keep` largest weights (the first of equals kept first).
fn sparsify(weights: &mut [i32], keep: usize) {
    // The keep-th largest value, by repeated selection: keep is small.
    let mut threshold = i32::MAX;
    let mut kept = 0;
    let mut at_threshold = 0;
    while kept < keep {
        let next = weights
            .iter()
            .copied()
            .filter(|&w| w < threshold)
            .max()
            .unwrap_or(i32::MIN);
        if next == i32::MIN {
            break;
        }
        threshold = next;
        at_threshold = weights.iter().filter(|&&w| w == threshold).count();
        kept += at_threshold;
    }
    let mut room = keep + at_threshold - kept;
    for w in weights.iter_mut() {
        if *w > threshold {
            continue;
        }
        if *w == threshold && room > 0 {
            room -= 1;
            continue;
        }
        *w = 0;
    }
}

/// `out = sign(Σ weights[m]·items[m])` in bipolar terms (bit 1 = −1), ties taken from `ties`.
fn superpose<const W: usize>(
    items: &[BinaryVector<W>],
    weights: &[i32],
    ties: &BinaryVector<W>,
    out: &mut BinaryVector<W>,
) {
    let total: i32 = weights.iter().sum();
    for (j, word) in out.as_words_mut().iter_mut().enumerate() {
        // Σ w·(1 − 2·bit) = total − 2·Σ w·bit, per bit of word j.
        let mut negative = [0i32; 32];
        for (item, &w) in items.iter().zip(weights) {
            if w == 0 {
                continue;
            }
            let bits = item.as_words()[j];
            for (b, sum) in negative.iter_mut().enumerate() {
                *sum += (-((bits >> b) as i32 & 1)) & w;
            }
        }
        let tie = ties.as_words()[j];
        let mut signs = 0u32;
        for (b, &sum) in negative.iter().enumerate() {
            let value = total - 2 * sum;
            let bit = if value == 0 {
                (tie >> b) & 1
            } else {
                (value < 0) as u32
            };
            signs |= bit << b;
        }
        *word = signs;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Codebook;

    const W: usize = 32;

    fn books<const M: usize>() -> [[BinaryVector<W>; M]; 3] {
        core::array::from_fn(|f| {
            let book = Codebook::new(100 + f as u64);
            core::array::from_fn(|m| book.vector(m as u32))
        })
    }

    #[test]
    fn sparsify_keeps_the_largest() {
        let mut w = [5, -3, 9, 9, 1, 7];
        sparsify(&mut w, 3);
        assert_eq!(w, [0, 0, 9, 9, 0, 7]);
        let mut w = [4, 4, 4, 1];
        sparsify(&mut w, 2);
        assert_eq!(w, [4, 4, 0, 0]);
    }

    #[test]
    fn superpose_is_the_sign_of_the_weighted_sum() {
        let book = books::<5>()[0];
        let weights = [3, -1, 2, 0, 7];
        let ties = Codebook::new(9).vector::<W>(0);
        let mut out = BinaryVector::zero();
        superpose(&book, &weights, &ties, &mut out);
        for i in 0..BinaryVector::<W>::DIM {
            let sum: i32 = book
                .iter()
                .zip(&weights)
                .map(|(v, &w)| if v.bit(i).unwrap() { -w } else { w })
                .sum();
            let expected = if sum == 0 {
                ties.bit(i).unwrap()
            } else {
                sum < 0
            };
            assert_eq!(out.bit(i).unwrap(), expected, "bit {i}");
        }
    }

    #[test]
    fn both_methods_factorise_small_problems() {
        let books = books::<8>();
        let refs = [&books[0][..], &books[1][..], &books[2][..]];
        for method in [Method::Plain, Method::default()] {
            let options = Options {
                method,
                ..Options::default()
            };
            let net = Resonator::<W, 3, 8>::new(refs, options).unwrap();
            for t in 0..20usize {
                let truth = [t % 8, (t * 3 + 1) % 8, (t * 5 + 2) % 8];
                let product = books[0][truth[0]]
                    .bind(&books[1][truth[1]])
                    .bind(&books[2][truth[2]]);
                let found = net.factorize(&product);
                assert_eq!(found.indices, truth, "{method:?}");
                assert!(found.verified && found.distance == 0);
            }
        }
    }

    /// Accuracy over `trials` fresh problems of three codebooks of M items, D = 1024.
    fn accuracy<const M: usize>(method: Method, trials: u64) -> u32 {
        let mut correct = 0;
        for t in 0..trials {
            let books: [[BinaryVector<W>; M]; 3] = core::array::from_fn(|f| {
                let book = Codebook::new(1000 * t + f as u64);
                core::array::from_fn(|m| book.vector(m as u32))
            });
            let mut rng = SplitMix64::new(t);
            let truth: [usize; 3] = core::array::from_fn(|_| rng.below(M as u64) as usize);
            let product = books[0][truth[0]]
                .bind(&books[1][truth[1]])
                .bind(&books[2][truth[2]]);
            let refs = [&books[0][..], &books[1][..], &books[2][..]];
            let options = Options {
                method,
                seed: t,
                ..Options::default()
            };
            let found = Resonator::<W, 3, M>::new(refs, options)
                .unwrap()
                .factorize(&product);
            assert!(found.sweeps <= 200);
            assert_eq!(found.verified, found.indices == truth);
            correct += u32::from(found.indices == truth);
        }
        correct
    }

    #[test]
    fn the_default_solves_what_the_plain_network_does_not() {
        // D = 1024, M = 32: a search space of 32,768.
        let plain = accuracy::<32>(Method::Plain, 40);
        let default = accuracy::<32>(Method::default(), 40);
        assert!(default >= 39, "default {default}/40");
        assert!(plain < 36, "plain {plain}/40");
    }

    #[test]
    fn bad_parameters_are_errors() {
        let books = books::<4>();
        let empty: &[BinaryVector<W>] = &[];
        let o = Options::default();
        assert_eq!(
            Resonator::<W, 2, 4>::new([&books[0][..], empty], o).err(),
            Some(Error::EmptyMemory)
        );
        assert_eq!(
            Resonator::<W, 2, 3>::new([&books[0][..], &books[1][..]], o).err(),
            Some(Error::CapacityExceeded { capacity: 3 })
        );
        let keep0 = Options {
            method: Method::Restarting {
                keep: 0,
                noise: 0,
                restart_after: 0,
            },
            ..o
        };
        assert!(Resonator::<W, 1, 4>::new([&books[0][..]], keep0).is_err());
        assert!(Resonator::<W, 0, 4>::new([], o).is_err());
    }
}
