//! A multiset of symbols with counts: the bundle of its items, each added once per occurrence.
//! An occurrence scores D against the bundle, so a count is the score over D, rounded.
#![forbid(unsafe_code)]

use super::{capacity, Superposition};
use crate::binary::BinaryVector;
use crate::codebook::Codebook;

/// A multiset of `u32` symbols (items of a seeded codebook) with their counts.
///
/// ```
/// use hyperbits::structures::Multiset;
/// let mut bag = Multiset::<64>::new(7);
/// bag.insert(3);
/// bag.insert_many(5, 2);
/// assert_eq!((bag.count(3), bag.count(5), bag.count(9)), (1, 2, 0));
/// assert!(bag.contains(5) && !bag.contains(9));
/// bag.remove(5);
/// assert_eq!(bag.count(5), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Multiset<const W: usize> {
    items: Codebook,
    bundle: Superposition<W>,
}

impl<const W: usize> Multiset<W> {
    /// An empty multiset whose symbols are the items of `Codebook::new(seed)`.
    pub fn new(seed: u64) -> Self {
        Multiset {
            items: Codebook::new(seed),
            bundle: Superposition::new(),
        }
    }

    /// Adds one occurrence of `symbol`.
    pub fn insert(&mut self, symbol: u32) {
        self.bundle.add(&self.items.vector(symbol));
    }

    /// Adds `count` occurrences of `symbol` (the sums saturate beyond 32,767 in all).
    pub fn insert_many(&mut self, symbol: u32, count: u16) {
        let weight = i16::try_from(count).unwrap_or(i16::MAX);
        self.bundle.add_weighted(&self.items.vector(symbol), weight);
        self.bundle.terms = self.bundle.terms.saturating_add(u32::from(count));
    }

    /// Removes one occurrence of `symbol` (the caller knows it is there: removing an absent
    /// symbol leaves a negative count behind, which [`count`](Self::count) reads as 0).
    pub fn remove(&mut self, symbol: u32) {
        self.bundle.remove(&self.items.vector(symbol));
    }

    /// The estimated count of `symbol`: its score over D, rounded, at least 0.
    pub fn count(&self, symbol: u32) -> u32 {
        let dim = BinaryVector::<W>::DIM as i64;
        let score = self.bundle.score(&self.items.vector(symbol));
        u32::try_from((score + dim / 2).div_euclid(dim)).unwrap_or(0)
    }

    /// Whether `symbol` occurs at least once (count ≥ 1, the membership test).
    pub fn contains(&self, symbol: u32) -> bool {
        self.bundle.contains(&self.items.vector(symbol))
    }

    /// The occurrences added less those removed.
    pub fn len(&self) -> u32 {
        self.bundle.terms
    }

    /// Whether nothing was added (or everything removed).
    pub fn is_empty(&self) -> bool {
        self.bundle.terms == 0
    }

    /// Empties the multiset.
    pub fn clear(&mut self) {
        self.bundle.clear();
    }

    /// The most symbols (counted once each) that [`contains`](Self::contains) answers with
    /// error at most `error` per answer. With counts c_i the noise grows with Σ c_i².
    pub fn capacity(&self, error: f64) -> u32 {
        capacity::<W>(error, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_holds_at_capacity() {
        let target = 0.02;
        let mut wrong = 0;
        let mut answers = 0;
        for seed in 0..10 {
            let mut bag = Multiset::<64>::new(seed);
            let n = bag.capacity(target);
            (0..n).for_each(|s| bag.insert(s));
            assert_eq!(bag.len(), n);
            wrong += (0..n).filter(|&s| !bag.contains(s)).count();
            wrong += (1000..1000 + n).filter(|&s| bag.contains(s)).count();
            answers += 2 * n as usize;
        }
        let rate = wrong as f64 / answers as f64;
        assert!(rate <= target * 1.3, "error {rate} at capacity");
        assert!(Multiset::<64>::new(0).capacity(target) >= 80);
    }

    #[test]
    fn counts_are_read_back() {
        let mut bag = Multiset::<64>::new(1);
        for (s, c) in [(1u32, 1u16), (2, 3), (3, 5), (4, 2)] {
            bag.insert_many(s, c);
        }
        assert_eq!(bag.len(), 11);
        let counts: [u32; 5] = core::array::from_fn(|s| bag.count(s as u32));
        assert_eq!(counts, [0, 1, 3, 5, 2]);
        bag.remove(9);
        assert_eq!(bag.count(9), 0);
        bag.clear();
        assert!(bag.is_empty() && !bag.contains(3));
    }
}
