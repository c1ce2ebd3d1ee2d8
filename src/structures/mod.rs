//! Data structures held in one hypervector: multiset, dictionary, sequence, stack, graph,
//! tree and finite-state automaton (the structures of torchhd's `structures`, after Kanerva,
//! *Hyperdimensional computing*, Cognitive Computation 2009, and Kleyko et al., *A survey on
//! hyperdimensional computing*, ACM Computing Surveys 2022).
//!
//! **What.** Each structure is the MAP-I bundle (an [`Accumulator`] of `i16` sums) of bound
//! symbols: a dictionary entry is `key ⊗ value`, a sequence element `ρ^i(x)`, a graph edge
//! `a ⊗ b` (or `a ⊗ ρ(b)` when directed), an automaton transition `token ⊗ from ⊗ ρ(to)`.
//! Symbols are `u32` indices into seeded [`Codebook`]s, so a structure stores only its sums.
//! Removing is exact (the sums are integers), and a query never materialises an unbound
//! vector: the score of a probe `p` against `S ⊗ k` is the score of `p ⊗ k` against `S`.
//!
//! **The test every query makes.** A probe is present when its score `⟨S, p⟩` (the sums
//! against the bipolar probe) reaches half the dimension, `2·⟨S, p⟩ ≥ D`: a stored probe
//! scores D plus noise, an absent one noise alone. That is the planner's MAP-I membership
//! test ([`crate::plan`], `Threshold::TwiceScoreAtLeast(D)`), so each structure's
//! `capacity(error)` comes from [`plan::max_items`](crate::plan::max_items): per answer for a
//! yes/no query (has this edge?), and with the error shared among the candidates (δ/M, the
//! union bound) for a retrieval that checks M candidates (the value of a key, the next state).
//! Each module's test fills its structure to that capacity and measures the error.
//!
//! **Cost.** RAM: 2·D bytes of sums (4 KiB at D = 2048) and a few words. Inserting: O(D).
//! A yes/no query: O(D); a retrieval: O(M·D) for M candidates, each regenerated from its
//! seed. No heap, no floating point outside `capacity`.
#![forbid(unsafe_code)]

mod automaton;
mod dictionary;
mod graph;
mod multiset;
mod sequence;
mod tree;

pub use automaton::Automaton;
pub use dictionary::Dictionary;
pub use graph::Graph;
pub use multiset::Multiset;
pub use sequence::{Sequence, Stack};
pub use tree::{Branch, Tree};

use crate::accumulator::Accumulator;
use crate::binary::BinaryVector;
use crate::codebook::Codebook;
use crate::plan::{max_items, Vsa};

/// The bundle a structure keeps: MAP-I sums and the number of bound terms in them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Superposition<const W: usize> {
    sums: Accumulator<W, i16>,
    terms: u32,
}

impl<const W: usize> Superposition<W> {
    fn new() -> Self {
        Superposition {
            sums: Accumulator::new(),
            terms: 0,
        }
    }

    fn add(&mut self, term: &BinaryVector<W>) {
        self.sums.add(term);
        self.terms = self.terms.saturating_add(1);
    }

    fn add_weighted(&mut self, term: &BinaryVector<W>, weight: i16) {
        self.sums.add_weighted(term, weight);
    }

    fn remove(&mut self, term: &BinaryVector<W>) {
        self.sums.remove(term);
        self.terms = self.terms.saturating_sub(1);
    }

    /// `⟨S, p⟩`: the sums against the bipolar probe (bit 0 = +1).
    fn score(&self, probe: &BinaryVector<W>) -> i64 {
        let sums = self.sums.sums().as_slice();
        let mut score = 0i64;
        for (chunk, &word) in sums.chunks_exact(32).zip(probe.as_words()) {
            let mut s = 0i32;
            for (i, &c) in chunk.iter().enumerate() {
                let negative = -(((word >> i) & 1) as i32);
                // c when the bit is 0, −c when it is 1.
                s += (i32::from(c) ^ negative) - negative;
            }
            score += i64::from(s);
        }
        score
    }

    /// The membership test: `2·⟨S, p⟩ ≥ D`.
    fn contains(&self, probe: &BinaryVector<W>) -> bool {
        2 * self.score(probe) >= BinaryVector::<W>::DIM as i64
    }

    /// The candidate `0..count` of `book` whose probe `probe(candidate)` scores best, if it
    /// passes the membership test.
    fn best(
        &self,
        book: &Codebook,
        count: u32,
        probe: impl Fn(&BinaryVector<W>) -> BinaryVector<W>,
    ) -> Option<u32> {
        let mut best: Option<(i64, u32)> = None;
        for c in 0..count {
            let score = self.score(&probe(&book.vector(c)));
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, c));
            }
        }
        best.filter(|&(s, _)| 2 * s >= BinaryVector::<W>::DIM as i64)
            .map(|(_, c)| c)
    }

    fn clear(&mut self) {
        *self = Self::new();
    }
}

/// The most terms a structure of dimension D can hold with error at most `error` over a
/// query that checks `candidates` probes (1 for a yes/no query), from the planner's MAP-I
/// model.
fn capacity<const W: usize>(error: f64, candidates: u32) -> u32 {
    if !(error > 0.0 && error < 1.0) {
        return 0;
    }
    max_items(
        Vsa::MapI,
        BinaryVector::<W>::DIM as u32,
        error / f64::from(candidates.max(1)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_is_the_bipolar_dot_product() {
        let book = Codebook::new(1);
        let mut s = Superposition::<4>::new();
        let (a, b): (BinaryVector<4>, BinaryVector<4>) = (book.vector(0), book.vector(1));
        s.add(&a);
        s.add(&a);
        s.add(&b);
        let dot = |x: &BinaryVector<4>, y: &BinaryVector<4>| 128 - 2 * i64::from(x.hamming(y));
        assert_eq!(s.score(&a), 2 * 128 + dot(&a, &b));
        s.remove(&a);
        assert_eq!(s.score(&b), dot(&a, &b) + 128);
        assert_eq!(s.terms, 2);
        assert!(capacity::<64>(0.01, 1) > capacity::<64>(0.01, 100));
        assert_eq!(capacity::<64>(0.0, 1), 0);
    }
}
