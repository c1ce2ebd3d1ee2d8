//! Thermometer codes: level i sets the first `round(i·D/(L−1))` bits.
//!
//! Deterministic (no seed): level 0 is all zeros, level L−1 all ones, and the distance between
//! two levels is exactly proportional to their difference. Use it when the ends should be
//! opposite rather than unrelated (compare [`Level`](super::Level)).
//!
//! [`Thermometer::encode_features`] codes a feature vector as concatenated thermometers, one
//! segment of `⌊D/n⌋` bits per feature: the Hamming distance of two codes is the L1 distance of
//! their levels (scaled), and a nearest-prototype rule over them is an additive model whose
//! per-feature terms are step functions with a step at every bit (the record encoder's
//! additive model without its bundling noise). Cost: `D/32` word writes; no seed, no tables.
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::error::Error;

/// Thermometer encoder with `levels` levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Thermometer {
    levels: u32,
}

impl Thermometer {
    /// `levels` levels (at least 2).
    pub fn new(levels: u32) -> Result<Self, Error> {
        if levels < 2 {
            return Err(Error::InvalidParameter(
                "a thermometer needs at least 2 levels",
            ));
        }
        Ok(Thermometer { levels })
    }

    /// The vector of level `level` (an error if `level >= levels`).
    pub fn vector<const W: usize>(&self, level: u32) -> Result<BinaryVector<W>, Error> {
        if level >= self.levels {
            return Err(Error::IndexOutOfRange {
                index: level as usize,
                len: self.levels as usize,
            });
        }
        let dim = BinaryVector::<W>::DIM as u64;
        let ones = ((2 * u64::from(level) * dim + u64::from(self.levels - 1))
            / (2 * u64::from(self.levels - 1))) as usize;
        let mut out = BinaryVector::<W>::zero();
        for (i, w) in out.as_words_mut().iter_mut().enumerate() {
            let lo = 32 * i;
            *w = if ones >= lo + 32 {
                u32::MAX
            } else if ones > lo {
                (1u32 << (ones - lo)) - 1
            } else {
                0
            };
        }
        Ok(out)
    }
}

impl Thermometer {
    /// `count` features as concatenated thermometer codes: feature f at level `level(f)`
    /// (clamped to `levels − 1`) sets the first `round(level·B/(levels − 1))` bits of bits
    /// `f·B .. (f + 1)·B`, `B = ⌊D/count⌋`; the last `D mod count` bits stay 0. Errors: no
    /// features, more features than bits, or `2·(levels − 1)·B` beyond `u32` (the arithmetic
    /// stays in 32 bits, which a Cortex-M0 divides without a 64-bit routine).
    pub fn encode_features<const W: usize>(
        &self,
        count: usize,
        level: impl Fn(usize) -> u32,
    ) -> Result<BinaryVector<W>, Error> {
        let dim = BinaryVector::<W>::DIM;
        if count == 0 || count > dim {
            return Err(Error::TooManyInputs {
                given: count as u64,
                max: dim as u64,
            });
        }
        let top = self.levels - 1;
        let segment = u32::try_from(dim / count)
            .ok()
            .filter(|&b| {
                top.checked_mul(2)
                    .and_then(|t| b.checked_mul(t))
                    .and_then(|x| x.checked_add(top))
                    .is_some()
            })
            .ok_or(Error::InvalidParameter(
                "thermometer levels times segment bits overflow 32 bits",
            ))?;
        let mut out = BinaryVector::<W>::zero();
        let words = out.as_words_mut();
        for f in 0..count {
            let l = level(f).min(top);
            // l·B ≤ top·B: no overflow (checked above).
            let ones = ((2 * l * segment + top) / (2 * top)) as usize;
            let start = f * segment as usize;
            // Set bits start .. start + ones, a word at a time.
            let (mut at, end) = (start, start + ones);
            while at < end {
                let (w, b) = (at / 32, at % 32);
                let n = (end - at).min(32 - b);
                let mask = if n == 32 {
                    u32::MAX
                } else {
                    ((1u32 << n) - 1) << b
                };
                if let Some(word) = words.get_mut(w) {
                    *word |= mask;
                }
                at += n;
            }
        }
        Ok(out)
    }

    /// The number of levels.
    pub fn levels(&self) -> u32 {
        self.levels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_fill_in_order() {
        let t = Thermometer::new(5).unwrap();
        let v: [BinaryVector<2>; 5] = core::array::from_fn(|i| t.vector(i as u32).unwrap());
        assert_eq!(v[0].count_ones(), 0);
        assert_eq!(v[2].count_ones(), 32);
        assert_eq!(v[2].as_words(), &[u32::MAX, 0]);
        assert_eq!(v[1].as_words(), &[0xFFFF, 0]);
        assert_eq!(v[4].count_ones(), 64);
        assert_eq!(v[0].hamming(&v[3]), 48);
        assert!(t.vector::<2>(5).is_err());
        assert!(Thermometer::new(1).is_err());
    }

    #[test]
    fn features_fill_their_own_segments() {
        // 3 features in 64 bits: segments of 21 bits, bit 63 unused.
        let t = Thermometer::new(22).unwrap();
        let v: BinaryVector<2> = t.encode_features(3, |f| [0, 21, 10][f]).unwrap();
        let bits: [bool; 64] = core::array::from_fn(|i| v.bit(i).unwrap());
        assert!(bits[..21].iter().all(|&b| !b));
        assert!(bits[21..42].iter().all(|&b| b));
        assert!(bits[42..52].iter().all(|&b| b) && bits[52..].iter().all(|&b| !b));
        // Distance is the L1 distance of the levels (one bit per level here).
        let w: BinaryVector<2> = t.encode_features(3, |f| [3, 15, 10][f]).unwrap();
        assert_eq!(v.hamming(&w), 3 + 6);
        // Levels past the top are clamped; no features or too many are errors.
        let top: BinaryVector<2> = t.encode_features(1, |_| 99).unwrap();
        assert_eq!(top.count_ones(), 64);
        assert!(t.encode_features::<2>(0, |_| 0).is_err());
        assert!(t.encode_features::<2>(65, |_| 0).is_err());
    }
}
