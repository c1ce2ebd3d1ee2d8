//! Thermometer codes: level i sets the first `round(i·D/(L−1))` bits.
//!
//! Deterministic (no seed): level 0 is all zeros, level L−1 all ones, and the distance between
//! two levels is exactly proportional to their difference. Use it when the ends should be
//! opposite rather than unrelated (compare [`Level`](super::Level)).
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
}
