//! Random projection: the signs of random ±1 projections of a feature vector.
//!
//! Output bit j is 1 when `Σ_f x_f · r_{f,j} < 0`, where `r_{f,j} = ±1` is bit j of codebook
//! vector f (bit 0 = +1). This is sign random projection (Charikar's SimHash) with ±1
//! entries: when many features contribute, the expected normalised Hamming distance of two
//! outputs approaches `angle(x, y)/π` (the Gaussian limit), so cosine neighbourhoods of the
//! inputs survive. With only a handful of features the ±1 matrix is coarser than a Gaussian one. Sums are `f32` in a fixed order, so the bits are identical on every
//! target. Cost: `n·D` additions; working memory: 512 sums (2 KiB), whatever D is.
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::codebook::Codebook;
use crate::error::Error;
use crate::kernel::{self, BLOCK};

/// Random-projection encoder for feature vectors.
///
/// ```
/// use hyperbits::{encode::Projection, BinaryVector};
/// let p = Projection::new(1);
/// let a: BinaryVector<256> = p.encode(&[1.0, 2.0, 3.0]).unwrap();
/// let b: BinaryVector<256> = p.encode(&[1.1, 2.0, 2.9]).unwrap();
/// let c: BinaryVector<256> = p.encode(&[-3.0, 0.5, 1.0]).unwrap();
/// assert!(a.hamming(&b) < a.hamming(&c));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Projection {
    book: Codebook,
}

impl Projection {
    /// The projection of `seed`.
    pub fn new(seed: u64) -> Self {
        Projection {
            book: Codebook::new(seed),
        }
    }

    /// Projects integer `features` with exact `i32` sums: the fast path on microcontrollers
    /// without an FPU. Output bit j is 1 when the sum is negative. Errors: more than
    /// `u32::MAX` features, or features whose sums could overflow (`Σ|x| > i32::MAX`).
    pub fn encode_integer<const W: usize>(
        &self,
        features: &[i32],
    ) -> Result<BinaryVector<W>, Error> {
        self.encode_integer_with(features.len(), |f| features[f])
    }

    /// [`encode_integer`](Self::encode_integer) with feature `f` given by `feature(f)` for
    /// `f < count`, so no array of features needs to exist (it is asked once per 512 bits).
    pub fn encode_integer_with<const W: usize>(
        &self,
        count: usize,
        feature: impl Fn(usize) -> i32,
    ) -> Result<BinaryVector<W>, Error> {
        let bound = (0..count)
            .try_fold(0u32, |acc, f| acc.checked_add(feature(f).unsigned_abs()))
            .filter(|&b| b <= i32::MAX as u32);
        if bound.is_none() || u32::try_from(count).is_err() {
            return Err(Error::InvalidParameter(
                "integer projection features must sum to at most i32::MAX in magnitude",
            ));
        }
        let mut out = BinaryVector::<W>::zero();
        for b in 0..W.div_ceil(BLOCK) {
            let mut sums = [0i32; 32 * BLOCK];
            for f in 0..count {
                let x = feature(f);
                let row = self.book.block(f as u32, b as u32);
                for (chunk, word) in sums.chunks_exact_mut(32).zip(row) {
                    for (i, s) in chunk.iter_mut().enumerate() {
                        // Branch-free ±x: m is 0 or -1, (x ^ m) - m is x or -x.
                        let m = -(((word >> i) & 1) as i32);
                        *s += (x ^ m) - m;
                    }
                }
            }
            let block: [u32; BLOCK] = core::array::from_fn(|w| {
                (0..32).fold(0u32, |acc, i| acc | (u32::from(sums[32 * w + i] < 0) << i))
            });
            kernel::store_block(out.as_words_mut(), b * BLOCK, &block);
        }
        Ok(out)
    }

    /// Projects `features`. Errors: a NaN or infinite feature, or more than `u32::MAX` features.
    pub fn encode<const W: usize>(&self, features: &[f32]) -> Result<BinaryVector<W>, Error> {
        if features.iter().any(|x| !x.is_finite()) {
            return Err(Error::InvalidParameter("a feature is NaN or infinite"));
        }
        if u32::try_from(features.len()).is_err() {
            return Err(Error::TooManyInputs {
                given: features.len() as u64,
                max: u64::from(u32::MAX),
            });
        }
        let mut out = BinaryVector::<W>::zero();
        for b in 0..W.div_ceil(BLOCK) {
            let mut sums = [0f32; 32 * BLOCK];
            for (f, &x) in features.iter().enumerate() {
                let row = self.book.block(f as u32, b as u32);
                for (chunk, word) in sums.chunks_exact_mut(32).zip(row) {
                    for (i, s) in chunk.iter_mut().enumerate() {
                        *s += if (word >> i) & 1 == 1 { -x } else { x };
                    }
                }
            }
            let block: [u32; BLOCK] = core::array::from_fn(|w| {
                (0..32).fold(0u32, |acc, i| {
                    acc | (u32::from(sums[32 * w + i] < 0.0) << i)
                })
            });
            kernel::store_block(out.as_words_mut(), b * BLOCK, &block);
        }
        Ok(out)
    }
}

/// The rows of a [`Projection`] for a fixed number of features, generated once (host side):
/// encoding then skips the generator and runs the vectorised kernel, with the same bits as
/// [`Projection::encode_integer`].
#[cfg(feature = "alloc")]
#[derive(Debug, Clone)]
pub struct ProjectionTable<const W: usize> {
    rows: alloc::vec::Vec<BinaryVector<W>>,
}

#[cfg(feature = "alloc")]
impl<const W: usize> ProjectionTable<W> {
    /// The rows of `projection` for `features` features.
    pub fn new(projection: &Projection, features: usize) -> Self {
        ProjectionTable {
            rows: (0..features as u32)
                .map(|f| projection.book.vector(f))
                .collect(),
        }
    }

    /// As [`Projection::encode_integer`] (same checks, same bits), for as many features as the
    /// table has rows.
    pub fn encode_integer(&self, features: &[i32]) -> Result<BinaryVector<W>, Error> {
        if features.len() != self.rows.len() {
            return Err(Error::LengthMismatch {
                expected: self.rows.len(),
                found: features.len(),
            });
        }
        let bound = features
            .iter()
            .try_fold(0u32, |acc, x| acc.checked_add(x.unsigned_abs()))
            .filter(|&b| b <= i32::MAX as u32);
        if bound.is_none() {
            return Err(Error::InvalidParameter(
                "integer projection features must sum to at most i32::MAX in magnitude",
            ));
        }
        let mut out = BinaryVector::<W>::zero();
        kernel::project(&self.rows, features, None, out.as_words_mut());
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orthogonal_and_scaled_inputs() {
        let p = Projection::new(9);
        let x = [1.0f32, 0.0, 0.0, 0.0];
        let y = [0.0f32, 1.0, 0.0, 0.0]; // independent rows: distance D/2
        let z = [1.0f32, 1.0, 0.0, 0.0]; // differs from x only where the rows cancel: D/4
        let (vx, vy, vz): (BinaryVector<256>, BinaryVector<256>, BinaryVector<256>) = (
            p.encode(&x).unwrap(),
            p.encode(&y).unwrap(),
            p.encode(&z).unwrap(),
        );
        let d = |a: &BinaryVector<256>, b: &BinaryVector<256>| a.hamming(b) as f32 / 8192.0;
        assert!((d(&vx, &vy) - 0.5).abs() < 0.03);
        assert!((d(&vx, &vz) - 0.25).abs() < 0.03);
        // Scale-invariant.
        assert_eq!(p.encode::<256>(&[3.0, 3.0, 0.0, 0.0]).unwrap(), vz);
        // One feature: the output is the feature's row (or its complement).
        assert_eq!(
            p.encode::<8>(&[-2.0]).unwrap(),
            Codebook::new(9).vector::<8>(0).complement()
        );
        assert!(p.encode::<8>(&[f32::NAN]).is_err());
    }

    #[test]
    fn integer_path_agrees_with_float_path_on_integers() {
        let p = Projection::new(4);
        let xi = [3i32, -7, 12, 0, 5, -1];
        let xf: [f32; 6] = core::array::from_fn(|i| xi[i] as f32);
        assert_eq!(
            p.encode_integer::<20>(&xi).unwrap(),
            p.encode::<20>(&xf).unwrap()
        );
        assert!(p.encode_integer::<4>(&[i32::MAX, 1]).is_err());
        assert!(p.encode_integer::<4>(&[i32::MIN]).is_err());
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn table_path_gives_the_same_bits() {
        let p = Projection::new(8);
        let table = ProjectionTable::<20>::new(&p, 7);
        for k in 0..50i32 {
            let x: [i32; 7] = core::array::from_fn(|i| ((k * 37 + i as i32 * 101) % 2049) - 1024);
            assert_eq!(
                table.encode_integer(&x).unwrap(),
                p.encode_integer::<20>(&x).unwrap()
            );
        }
        assert!(table.encode_integer(&[1, 2]).is_err());
    }
}
