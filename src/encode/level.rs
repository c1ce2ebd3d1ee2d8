//! Level hypervectors for scalars: neighbouring levels share most bits, the two ends are
//! unrelated.
//!
//! The construction of torchhd's `Level` embedding (after Rahimi et al. 2016), made
//! streamable: every dimension j gets a random 8-bit threshold t_j, and level i takes bit j
//! from the end vector when `t_j < q(i)` with `q(i) = round(256·i/(L−1))`, else from the start
//! vector. So level 0 is the start vector, level L−1 the end vector (expected distance D/2),
//! and the expected distance between levels i and k is `(D/2)·|q(i) − q(k)|/256`. Everything
//! comes from the seed: 10 codebook vectors (start, end, 8 threshold planes).
#![forbid(unsafe_code)]

use super::{scaled, Basis};
use crate::binary::BinaryVector;
use crate::codebook::Codebook;
use crate::error::Error;
use crate::kernel::{self, BLOCK};

/// Level encoder: `levels` correlated vectors from a seed.
///
/// ```
/// use hyperbits::{encode::Level, BinaryVector};
/// let level = Level::new(7, 16).unwrap();
/// let v: [BinaryVector<256>; 3] =
///     [level.vector(0).unwrap(), level.vector(1).unwrap(), level.vector(15).unwrap()];
/// assert!(v[0].hamming(&v[1]) < 400); // neighbours: about D/2/15 = 273 bits apart
/// assert!((v[0].similarity(&v[2]) - 0.5).abs() < 0.03); // the ends are unrelated
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Level {
    book: Codebook,
    levels: u16,
}

impl Level {
    /// The largest number of levels (the thresholds have 256 steps).
    pub const MAX_LEVELS: u16 = 256;

    /// `levels` levels (2 to 256) from `seed`.
    pub fn new(seed: u64, levels: u16) -> Result<Self, Error> {
        if !(2..=Self::MAX_LEVELS).contains(&levels) {
            return Err(Error::InvalidParameter("levels must be in 2..=256"));
        }
        Ok(Level {
            book: Codebook::new(seed),
            levels,
        })
    }

    /// The number of levels.
    pub fn levels(&self) -> u16 {
        self.levels
    }

    /// The level index of `x` on the scale `[lo, hi]`, clipped to the ends; NaN maps to 0.
    pub fn quantize(&self, x: f32, lo: f32, hi: f32) -> u16 {
        let top = f32::from(self.levels - 1);
        let t = if hi > lo { (x - lo) / (hi - lo) } else { 0.0 };
        let i = t * top + 0.5;
        if i.is_nan() || i <= 0.0 {
            0
        } else if i >= top {
            self.levels - 1
        } else {
            i as u16
        }
    }

    /// The vector of level `level`, or an error if `level >= levels`.
    pub fn vector<const W: usize>(&self, level: u16) -> Result<BinaryVector<W>, Error> {
        Ok(self.at_threshold(self.threshold(level)?))
    }

    /// The vector of the level of `x` on `[lo, hi]` (see [`quantize`](Self::quantize)).
    pub fn encode<const W: usize>(&self, x: f32, lo: f32, hi: f32) -> BinaryVector<W> {
        let q = scaled(
            u32::from(self.quantize(x, lo, hi)) << 8,
            u32::from(self.levels - 1),
        );
        self.at_threshold(q)
    }

    /// The vector whose bits come from the end vector where the threshold is below `q`.
    fn at_threshold<const W: usize>(&self, q: u32) -> BinaryVector<W> {
        let mut out = BinaryVector::<W>::zero();
        for b in 0..W.div_ceil(BLOCK) {
            let basis = Basis::new(&self.book, b as u32);
            kernel::store_block(out.as_words_mut(), b * BLOCK, &basis.mix(&basis.below(q)));
        }
        out
    }

    /// The threshold scale value of `level`.
    pub(crate) fn threshold(&self, level: u16) -> Result<u32, Error> {
        if level >= self.levels {
            return Err(Error::IndexOutOfRange {
                index: usize::from(level),
                len: usize::from(self.levels),
            });
        }
        Ok(scaled(u32::from(level) << 8, u32::from(self.levels - 1)))
    }

    /// The per-block basis (used by [`Record`](super::Record) to share it between features).
    pub(crate) fn basis(&self, block: u32) -> Basis {
        Basis::new(&self.book, block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type V = BinaryVector<256>;

    #[test]
    fn distances_grow_linearly_and_ends_are_unrelated() {
        let level = Level::new(3, 9).unwrap();
        let v: [V; 9] = core::array::from_fn(|i| level.vector(i as u16).unwrap());
        let d = |a: usize, b: usize| v[a].hamming(&v[b]) as f32;
        let start: V = Codebook::new(3).vector(0);
        let end: V = Codebook::new(3).vector(1);
        assert_eq!(v[0], start);
        assert_eq!(v[8], end);
        // Distance from level 0 grows monotonically, about D/2 · i/8.
        for i in 1..9 {
            assert!(d(0, i) > d(0, i - 1));
            let expected = 4096.0 * i as f32 / 8.0;
            assert!((d(0, i) - expected).abs() < 0.1 * 4096.0, "i={i}");
        }
        // Levels are nested: bits that changed by level i stay changed after.
        assert_eq!(d(0, 8), d(0, 4) + d(4, 8));
        assert!(level.vector::<4>(9).is_err());
    }

    #[test]
    fn quantize_clips_and_rounds() {
        let level = Level::new(0, 11).unwrap();
        assert_eq!(level.quantize(-5.0, 0.0, 1.0), 0);
        assert_eq!(level.quantize(0.5, 0.0, 1.0), 5);
        assert_eq!(level.quantize(0.96, 0.0, 1.0), 10);
        assert_eq!(level.quantize(9.0, 0.0, 1.0), 10);
        assert_eq!(level.quantize(f32::NAN, 0.0, 1.0), 0);
        assert_eq!(level.quantize(3.0, 1.0, 1.0), 0);
        assert_eq!(level.encode::<8>(0.5, 0.0, 1.0), level.vector(5).unwrap());
        assert!(Level::new(0, 1).is_err());
        assert!(Level::new(0, 257).is_err());
    }
}
