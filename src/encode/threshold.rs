//! Thresholded random projection: a bit code of a feature vector that keeps magnitudes.
//!
//! Output bit j is 1 when `Σ_f g_{j,f}·x_f > t_j`. The weights `g` are regenerated from a
//! seed (each the sum of the four bytes of one codebook word, minus 510: a bell-shaped integer
//! in ±510, so the projection directions are spread out even for two or three features); the
//! thresholds `t` are stored, fitted on data so that the bits split it at its own quantiles
//! (the projection of a random training row, [`ThresholdCode::fit`] on the host: the bit
//! code of `docs/sae.md` §5, Table C).
//! Unlike the sign projection of [`super::Projection`] it encodes how far a point is from the
//! others, not only its direction, which is what a bit-input SAE needs to recover magnitudes.
//! Sums are `f32` in feature order, so the bits are identical on every target.
#![forbid(unsafe_code)]

use crate::codebook::Codebook;
use crate::error::Error;
use crate::kernel::BLOCK;

/// The threshold code of `seed` over a number of features, with its thresholds (`f32`,
/// little-endian bytes, one per output bit) read in place, e.g. from a model blob.
///
/// ```
/// use hyperbits::encode::ThresholdCode;
/// // Fit 64 thresholds on some 2-feature rows, then encode.
/// let rows: Vec<f32> = (0..200).flat_map(|i| [(i % 10) as f32, (i / 10) as f32]).collect();
/// let thresholds = ThresholdCode::fit(7, 2, 64, &rows).unwrap();
/// let code = ThresholdCode::new(7, 2, &thresholds).unwrap();
/// let (mut a, mut b, mut c) = ([0u32; 2], [0u32; 2], [0u32; 2]);
/// code.encode(&[1.0, 1.0], &mut a).unwrap();
/// code.encode(&[1.5, 1.0], &mut b).unwrap();
/// code.encode(&[9.0, 18.0], &mut c).unwrap();
/// let d = |x: &[u32; 2], y: &[u32; 2]| (x[0] ^ y[0]).count_ones() + (x[1] ^ y[1]).count_ones();
/// assert!(d(&a, &b) < d(&a, &c));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ThresholdCode<'a> {
    book: Codebook,
    features: usize,
    thresholds: &'a [u8],
}

/// `g_{j,f}` from word `j` of codebook vector `f`: the sum of its four bytes minus 510.
pub(crate) fn weight(word: u32) -> f32 {
    let bytes = word.to_le_bytes();
    let sum: i32 = bytes.iter().map(|&b| i32::from(b)).sum();
    (sum - 510) as f32
}

impl<'a> ThresholdCode<'a> {
    /// The code of `seed` for `features` inputs, with `thresholds` as little-endian `f32`s
    /// (4 bytes per output bit). Errors: no features, more than `u32::MAX`, no thresholds, a
    /// length that is not a multiple of 4, a NaN or infinite threshold.
    pub fn new(seed: u64, features: usize, thresholds: &'a [u8]) -> Result<Self, Error> {
        if features == 0 || u32::try_from(features).is_err() {
            return Err(Error::InvalidParameter(
                "a threshold code needs 1..=u32::MAX features",
            ));
        }
        if thresholds.is_empty() || !thresholds.len().is_multiple_of(4) {
            return Err(Error::InvalidParameter(
                "thresholds are 4-byte f32s, at least one",
            ));
        }
        if thresholds
            .chunks_exact(4)
            .any(|c| !f32::from_le_bytes([c[0], c[1], c[2], c[3]]).is_finite())
        {
            return Err(Error::InvalidParameter("a threshold is NaN or infinite"));
        }
        Ok(ThresholdCode {
            book: Codebook::new(seed),
            features,
            thresholds,
        })
    }

    /// Output bits.
    pub fn bits(&self) -> usize {
        self.thresholds.len() / 4
    }

    /// Inputs per vector.
    pub fn features(&self) -> usize {
        self.features
    }

    /// The seed of the projection.
    pub fn seed(&self) -> u64 {
        self.book.seed()
    }

    /// The thresholds, little-endian `f32` bytes.
    pub fn thresholds(&self) -> &'a [u8] {
        self.thresholds
    }

    fn threshold(&self, j: usize) -> f32 {
        let c = &self.thresholds[4 * j..4 * j + 4];
        f32::from_le_bytes([c[0], c[1], c[2], c[3]])
    }

    /// Calls `f(j, Σ_f g_{j,f}·x_f)` for every output bit, 16 at a time (one codebook block
    /// per feature and 16 bits).
    fn for_each_projection(book: &Codebook, bits: usize, x: &[f32], mut f: impl FnMut(usize, f32)) {
        for b in 0..bits.div_ceil(BLOCK) {
            let start = b * BLOCK;
            let mut sums = [0f32; BLOCK];
            for (feature, &v) in x.iter().enumerate() {
                let words = book.block(feature as u32, b as u32);
                for (s, &w) in sums.iter_mut().zip(&words) {
                    *s += weight(w) * v;
                }
            }
            for (i, &s) in sums.iter().enumerate().take(bits - start) {
                f(start + i, s);
            }
        }
    }

    /// Encodes `x` (`features` values) into `out` (`ceil(bits/32)` words; bits past `bits`
    /// are 0). Errors: wrong lengths, a NaN or infinite input.
    pub fn encode(&self, x: &[f32], out: &mut [u32]) -> Result<(), Error> {
        if x.len() != self.features {
            return Err(Error::LengthMismatch {
                expected: self.features,
                found: x.len(),
            });
        }
        let words = self.bits().div_ceil(32);
        if out.len() != words {
            return Err(Error::LengthMismatch {
                expected: words,
                found: out.len(),
            });
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter("an input value is NaN or infinite"));
        }
        out.fill(0);
        Self::for_each_projection(&self.book, self.bits(), x, |j, s| {
            if s > self.threshold(j) {
                out[j / 32] |= 1 << (j % 32);
            }
        });
        Ok(())
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    #[test]
    fn fitted_thresholds_split_the_rows_and_the_code_keeps_distances() {
        let rows: std::vec::Vec<f32> = (0..300)
            .flat_map(|i| [(i % 17) as f32 * 0.5, (i % 5) as f32 - 2.0, (i / 30) as f32])
            .collect();
        let t = ThresholdCode::fit(3, 3, 100, &rows).unwrap();
        assert_eq!(t.len(), 400);
        let code = ThresholdCode::new(3, 3, &t).unwrap();
        assert_eq!((code.bits(), code.features(), code.seed()), (100, 3, 3));
        // Bits split the rows at their own quantiles (a bit whose row is the extreme one is
        // constant).
        let mut ones = [0usize; 100];
        let mut codes = std::vec::Vec::new();
        for r in rows.chunks_exact(3) {
            let mut out = [0u32; 4];
            code.encode(r, &mut out).unwrap();
            assert_eq!(out[3] >> 4, 0, "bits past 100 stay 0");
            for (j, one) in ones.iter_mut().enumerate() {
                *one += ((out[j / 32] >> (j % 32)) & 1) as usize;
            }
            codes.push(out);
        }
        let constant = ones.iter().filter(|&&n| n == 0 || n == 300).count();
        assert!(constant <= 3, "{ones:?}");
        // Magnitude survives: scaling a row away from the others changes many bits.
        let d = |a: &[u32; 4], b: &[u32; 4]| -> u32 {
            a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
        };
        let (mut near, mut far) = ([0u32; 4], [0u32; 4]);
        code.encode(&[4.0, 0.0, 5.0], &mut near).unwrap();
        code.encode(&[4.1, 0.0, 5.0], &mut far).unwrap();
        let mut scaled = [0u32; 4];
        code.encode(&[8.0, 0.0, 10.0], &mut scaled).unwrap();
        assert!(d(&near, &far) < d(&near, &scaled));
        assert!(d(&near, &scaled) > 10);
    }

    #[test]
    fn bad_parameters_and_inputs_are_errors() {
        let t = ThresholdCode::fit(1, 2, 40, &[0.0, 1.0, 2.0, 3.0]).unwrap();
        assert!(ThresholdCode::new(1, 0, &t).is_err());
        assert!(ThresholdCode::new(1, 2, &[]).is_err());
        assert!(ThresholdCode::new(1, 2, &t[..7]).is_err());
        let mut bad = t.clone();
        bad[..4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(ThresholdCode::new(1, 2, &bad).is_err());
        let code = ThresholdCode::new(1, 2, &t).unwrap();
        let mut out = [0u32; 2];
        assert!(code.encode(&[1.0], &mut out).is_err());
        assert!(code.encode(&[1.0, f32::INFINITY], &mut out).is_err());
        assert!(code.encode(&[1.0, 2.0], &mut [0u32; 1]).is_err());
        assert!(code.encode(&[1.0, 2.0], &mut out).is_ok());
        assert!(ThresholdCode::fit(1, 2, 0, &[0.0, 1.0]).is_err());
        assert!(ThresholdCode::fit(1, 2, 8, &[0.0, 1.0, 2.0]).is_err());
        assert!(ThresholdCode::fit(1, 2, 8, &[0.0, f32::NAN]).is_err());
    }
}
