//! A dictionary from keys to values: the bundle of `key ⊗ value`. Unbinding a key leaves its
//! value plus noise, cleaned up against the value codebook (the record of `encode::record`,
//! made a structure with insert, get and remove).
#![forbid(unsafe_code)]

use super::{capacity, Superposition};
use crate::codebook::Codebook;
use crate::error::Error;

/// A dictionary from `u32` keys (any) to `u32` values (fewer than the value count given).
///
/// ```
/// use hyperbits::structures::Dictionary;
/// let mut d = Dictionary::<64>::new(1, 2, 100).unwrap();
/// d.insert(7, 42).unwrap();
/// d.insert(8, 5).unwrap();
/// assert_eq!((d.get(7), d.get(8), d.get(9)), (Some(42), Some(5), None));
/// d.remove(7, 42).unwrap();
/// assert_eq!(d.get(7), None);
/// ```
#[derive(Debug, Clone)]
pub struct Dictionary<const W: usize> {
    keys: Codebook,
    values: Codebook,
    value_count: u32,
    bundle: Superposition<W>,
}

impl<const W: usize> Dictionary<W> {
    /// An empty dictionary: keys from `Codebook::new(key_seed)`, values `0..value_count` from
    /// `Codebook::new(value_seed)`. Error: no values, or the same seed for both.
    pub fn new(key_seed: u64, value_seed: u64, value_count: u32) -> Result<Self, Error> {
        if value_count == 0 {
            return Err(Error::InvalidParameter(
                "a dictionary needs at least one value",
            ));
        }
        if key_seed == value_seed {
            return Err(Error::InvalidParameter(
                "keys and values need different codebook seeds",
            ));
        }
        Ok(Dictionary {
            keys: Codebook::new(key_seed),
            values: Codebook::new(value_seed),
            value_count,
            bundle: Superposition::new(),
        })
    }

    fn check(&self, value: u32) -> Result<(), Error> {
        if value >= self.value_count {
            return Err(Error::IndexOutOfRange {
                index: value as usize,
                len: self.value_count as usize,
            });
        }
        Ok(())
    }

    /// Stores `value` under `key` (a key stored twice holds both values, superposed).
    pub fn insert(&mut self, key: u32, value: u32) -> Result<(), Error> {
        self.check(value)?;
        self.bundle
            .add(&self.keys.vector::<W>(key).bind(&self.values.vector(value)));
        Ok(())
    }

    /// Removes the entry `key → value` (the caller names the value; [`get`](Self::get) finds
    /// it).
    pub fn remove(&mut self, key: u32, value: u32) -> Result<(), Error> {
        self.check(value)?;
        self.bundle
            .remove(&self.keys.vector::<W>(key).bind(&self.values.vector(value)));
        Ok(())
    }

    /// The value stored under `key`, or `None` when no value passes the membership test.
    pub fn get(&self, key: u32) -> Option<u32> {
        let k = self.keys.vector::<W>(key);
        self.bundle
            .best(&self.values, self.value_count, |v| v.bind(&k))
    }

    /// The number of entries.
    pub fn len(&self) -> u32 {
        self.bundle.terms
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.bundle.terms == 0
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.bundle.clear();
    }

    /// The most entries for which [`get`](Self::get) is wrong with probability at most
    /// `error` (each of the value count's candidates tested, the union bound).
    pub fn capacity(&self, error: f64) -> u32 {
        capacity::<W>(error, self.value_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    #[test]
    fn retrieval_holds_at_capacity() {
        let target = 0.05;
        let (mut wrong, mut answers) = (0, 0);
        for seed in 0..10u64 {
            let mut d = Dictionary::<64>::new(2 * seed, 2 * seed + 1, 64).unwrap();
            let n = d.capacity(target);
            let mut rng = SplitMix64::new(seed);
            let values: std::vec::Vec<u32> = (0..n).map(|_| rng.below(64) as u32).collect();
            for (k, &v) in values.iter().enumerate() {
                d.insert(k as u32, v).unwrap();
            }
            wrong += values
                .iter()
                .enumerate()
                .filter(|&(k, &v)| d.get(k as u32) != Some(v))
                .count();
            answers += values.len();
        }
        let rate = wrong as f64 / answers as f64;
        assert!(rate <= target, "error {rate} at capacity");
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(Dictionary::<8>::new(1, 1, 4).is_err());
        assert!(Dictionary::<8>::new(1, 2, 0).is_err());
        let mut d = Dictionary::<8>::new(1, 2, 4).unwrap();
        assert_eq!(
            d.insert(0, 4),
            Err(Error::IndexOutOfRange { index: 4, len: 4 })
        );
        assert!(d.remove(0, 9).is_err());
        assert!(d.is_empty());
    }
}
