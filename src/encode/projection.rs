//! Random projection: the signs of random ±1 projections of a feature vector.
//!
//! Output bit j is 1 when `Σ_f x_f · r_{f,j} < 0`, where `r_{f,j} = ±1` is bit j of codebook
//! vector f (bit 0 = +1). This is sign random projection (Charikar's SimHash) with ±1
//! entries: when many features contribute, the expected normalised Hamming distance of two
//! outputs approaches `angle(x, y)/π` (the Gaussian limit), so cosine neighbourhoods of the
//! inputs survive. With only a handful of features the ±1 matrix is coarser than a Gaussian one. Sums are `f32` in a fixed order, so the bits are identical on every
//! target. Cost: `n·D` additions; working memory: 512 sums (2 KiB), whatever D is.

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
}
