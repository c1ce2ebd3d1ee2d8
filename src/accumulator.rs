//! Streaming bundling: integer counters that take binary vectors one at a time.
//!
//! [`BinaryVector::bundle`] needs all inputs at once; a stream (sensor windows, training
//! samples, on-device learning) needs a running sum instead. An [`Accumulator`] keeps one
//! signed counter per dimension (the MAP-I sum of the bipolar inputs), so inputs can be added
//! with a weight, removed again, and the majority read out at any time.
//!
//! Counters **saturate** at the range of their type and never wrap; the accumulator remembers
//! that it saturated ([`Accumulator::is_saturated`]), because after that its majority is no
//! longer exact. With `i16` counters (the default) that takes more than 32,767 unanimous
//! inputs. Memory: `D · size_of::<T>()` bytes (4 KiB for D = 2048 with `i16`).
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::integer::{Element, IntegerVector};

/// A running bipolar sum of binary vectors, read out as their (weighted) majority.
///
/// ```
/// use hyperbits::{Accumulator, BinaryVector, Codebook};
/// let book = Codebook::new(2);
/// let v: [BinaryVector<64>; 3] = core::array::from_fn(|i| book.vector(i as u32));
/// let mut acc = Accumulator::<64>::new();
/// for x in &v {
///     acc.add(x);
/// }
/// assert_eq!(acc.to_binary(0), BinaryVector::bundle3(&v[0], &v[1], &v[2]));
/// acc.remove(&v[2]);
/// acc.add(&v[0]);
/// assert_eq!(acc.to_binary(0), v[0]); // v0 now has weight 2 of 3
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Accumulator<const W: usize, T: Element = i16> {
    sums: IntegerVector<T, W>,
    count: i64,
    saturated: bool,
}

impl<const W: usize, T: Element> Accumulator<W, T> {
    /// An empty accumulator.
    pub fn new() -> Self {
        Accumulator {
            sums: IntegerVector::zero(),
            count: 0,
            saturated: false,
        }
    }

    /// Adds `v` with weight 1.
    pub fn add(&mut self, v: &BinaryVector<W>) {
        self.add_weighted(v, T::ONE);
    }

    /// Removes `v` (adds it with weight −1).
    pub fn remove(&mut self, v: &BinaryVector<W>) {
        self.add_weighted(v, T::ONE.saturating_neg());
    }

    /// Adds `v` with `weight` (negative to remove): each counter moves by `+weight` where `v`
    /// has a 0 bit and by `−weight` where it has a 1 bit, saturating.
    pub fn add_weighted(&mut self, v: &BinaryVector<W>, weight: T) {
        let neg = weight.saturating_neg();
        let mut clamped = false;
        let sums = self.sums.as_mut_slice();
        for (chunk, word) in sums.chunks_exact_mut(32).zip(v.as_words()) {
            for (i, c) in chunk.iter_mut().enumerate() {
                let delta = if (word >> i) & 1 == 1 { neg } else { weight };
                // Branch-free, so the loop vectorises: saturation shows as a difference
                // between the saturating and the wrapping sum.
                let sum = c.saturating_add(delta);
                clamped |= sum != c.wrapping_add(delta);
                *c = sum;
            }
        }
        self.saturated |= clamped;
        self.count = self.count.saturating_add(weight.to_i64());
    }

    /// The majority of what was added: bit 1 where the sum is negative (more weight on 1 bits),
    /// 0 where positive; zero sums take the bit of `Codebook::new(tie_seed).vector(TIE_INDEX)`.
    pub fn to_binary(&self, tie_seed: u64) -> BinaryVector<W> {
        self.sums.to_binary(tie_seed)
    }

    /// The counters (the MAP-I bundle of the bipolar inputs).
    pub fn sums(&self) -> &IntegerVector<T, W> {
        &self.sums
    }

    /// The net weight added so far (additions minus removals).
    pub fn count(&self) -> i64 {
        self.count
    }

    /// Whether any counter ever hit its type's range (the majority may then be inexact).
    pub fn is_saturated(&self) -> bool {
        self.saturated
    }

    /// Empties the accumulator.
    pub fn clear(&mut self) {
        *self = Self::new();
    }
}

impl<const W: usize, T: Element> Default for Accumulator<W, T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Codebook;

    #[test]
    fn matches_bundle_for_odd_and_even_counts() {
        let book = Codebook::new(21);
        let vs: [BinaryVector<20>; 8] = core::array::from_fn(|i| book.vector(i as u32));
        for k in 1..=8 {
            let mut acc = Accumulator::<20, i8>::new();
            let refs: heapless::Vec<&BinaryVector<20>, 8> = vs[..k].iter().collect();
            for v in &refs {
                acc.add(v);
            }
            assert_eq!(
                acc.to_binary(3),
                BinaryVector::bundle(&refs, 3).unwrap(),
                "k={k}"
            );
            assert_eq!(acc.count(), k as i64);
        }
    }

    #[test]
    fn counters_saturate_at_extreme_counts_and_say_so() {
        let ones = BinaryVector::<1>::from_words([u32::MAX]);
        let zeros = BinaryVector::<1>::zero();
        let mut acc = Accumulator::<1, i8>::new();
        for _ in 0..127 {
            acc.add(&zeros);
        }
        assert!(!acc.is_saturated());
        assert!(acc.sums().as_slice().iter().all(|&c| c == 127));
        acc.add(&zeros);
        assert!(acc.is_saturated());
        assert!(acc.sums().as_slice().iter().all(|&c| c == 127)); // clamped, not wrapped to -128
        assert_eq!(acc.to_binary(0), zeros);
        // The other direction, with a weight that overshoots in one step.
        let mut acc = Accumulator::<1, i8>::new();
        acc.add_weighted(&ones, 100);
        acc.add_weighted(&ones, 100);
        assert!(acc.sums().as_slice().iter().all(|&c| c == -128));
        assert!(acc.is_saturated());
        assert_eq!(acc.to_binary(0), ones);
        // i8::MIN as a weight: negating it clamps to MAX.
        let mut acc = Accumulator::<1, i8>::new();
        acc.add_weighted(&ones, i8::MIN);
        assert!(acc.sums().as_slice().iter().all(|&c| c == 127));
        acc.clear();
        assert_eq!(acc.count(), 0);
        assert!(!acc.is_saturated());
    }

    #[test]
    fn i16_counters_hold_long_streams_exactly() {
        let v = BinaryVector::<1>::from_words([0xF0F0_F0F0]);
        let mut acc = Accumulator::<1>::new();
        for _ in 0..32_767 {
            acc.add(&v);
        }
        assert!(!acc.is_saturated());
        acc.add(&v);
        assert!(acc.is_saturated());
        assert_eq!(acc.to_binary(0), v);
    }
}
