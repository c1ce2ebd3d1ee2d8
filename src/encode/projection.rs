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
    // Out of line: its 3.5 KiB frame is then not added to its callers' (a classifier's
    // other encoders) on a 16 KiB Cortex-M0.
    #[inline(never)]
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
        // Filled in place (not returned by value), so the frame holds one copy of each:
        // 2 KiB of sums, a 1 KiB table and 512 bytes of rows.
        let mut sums = [0i32; 32 * BLOCK];
        let mut table = [0i32; 1 << GROUP];
        let mut rows = [[0u32; BLOCK]; GROUP];
        for b in 0..W.div_ceil(BLOCK) {
            // Eight features at a time: the 256 signed sums `Σ_i ±x_i` they can make, then
            // one table lookup per output for all eight, indexed by the output's eight sign
            // bits (bit j of the eight rows, gathered by a bit transpose).
            for first in (0..count).step_by(GROUP) {
                let group = (count - first).min(GROUP);
                let mut x = [0i32; GROUP];
                for (i, (xi, row)) in x.iter_mut().zip(rows.iter_mut()).enumerate() {
                    (*xi, *row) = if i < group {
                        (
                            feature(first + i),
                            self.book.block((first + i) as u32, b as u32),
                        )
                    } else {
                        (0, [0; BLOCK])
                    };
                }
                signed_sums(&x, &mut table);
                // The first group sets the block's sums (no zeroing pass), the others add.
                let fresh = first == 0;
                for (w, chunk) in sums.chunks_exact_mut(32).enumerate() {
                    let columns = columns(&core::array::from_fn(|i| rows[i][w]));
                    for (bytes, sums) in columns.iter().zip(chunk.chunks_exact_mut(4)) {
                        for (k, s) in sums.iter_mut().enumerate() {
                            let v = table[((bytes >> (8 * k)) & 0xFF) as usize];
                            *s = if fresh { v } else { *s + v };
                        }
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

/// Features combined per table in [`Projection::encode_integer_with`].
const GROUP: usize = 8;

/// `table[m] = Σ_i (bit i of m ? −x_i : x_i)` for the 256 sign patterns `m` of eight
/// features. Each entry is a signed sum of the `x_i`, so it is bounded by `Σ|x_i|`, which the
/// caller has checked against `i32::MAX`.
#[inline]
fn signed_sums(x: &[i32; GROUP], table: &mut [i32; 1 << GROUP]) {
    table[0] = x.iter().sum();
    for (i, &xi) in x.iter().enumerate() {
        let step = 1 << i;
        for m in 0..step {
            // −x_i twice: 2·x_i alone might overflow where the sum cannot.
            table[m + step] = table[m] - xi - xi;
        }
    }
}

/// The 32 columns of eight rows: byte `j % 4` of word `j / 4` has bit `i` set when bit `j`
/// of `rows[i]` is. Per group of eight columns, a 4 × 4 byte transpose gathers the rows'
/// bytes into two words, and an 8 × 8 bit transpose in three swap stages (Hacker's Delight
/// §7-3, in 32-bit halves, cheap on cores without 64-bit shifts) turns rows into columns.
#[inline]
fn columns(rows: &[u32; GROUP]) -> [u32; 8] {
    // Lane k of four words: their byte k, in word order.
    let lanes = |a: u32, b: u32, c: u32, d: u32| -> [u32; 4] {
        let ab_even = (a & 0x00FF_00FF) | ((b & 0x00FF_00FF) << 8);
        let ab_odd = ((a >> 8) & 0x00FF_00FF) | (b & 0xFF00_FF00);
        let cd_even = (c & 0x00FF_00FF) | ((d & 0x00FF_00FF) << 8);
        let cd_odd = ((c >> 8) & 0x00FF_00FF) | (d & 0xFF00_FF00);
        [
            (ab_even & 0xFFFF) | (cd_even << 16),
            (ab_odd & 0xFFFF) | (cd_odd << 16),
            (ab_even >> 16) | (cd_even & 0xFFFF_0000),
            (ab_odd >> 16) | (cd_odd & 0xFFFF_0000),
        ]
    };
    let low = lanes(rows[0], rows[1], rows[2], rows[3]);
    let high = lanes(rows[4], rows[5], rows[6], rows[7]);
    let mut out = [0u32; 8];
    for (k, pair) in out.chunks_exact_mut(2).enumerate() {
        // Bit 8r + c of the 64-bit matrix (x low, y high) is bit c of row r's byte.
        let (mut x, mut y) = (low[k], high[k]);
        // Swap the 4 × 4 blocks (rows 0-3, columns 4-7) and (rows 4-7, columns 0-3).
        let t = ((x >> 4) ^ y) & 0x0F0F_0F0F;
        y ^= t;
        x ^= t << 4;
        // Then 2 × 2 blocks and single bits, within each half.
        for h in [&mut x, &mut y] {
            let t = (*h ^ (*h << 14)) & 0x3333_0000;
            *h ^= t ^ (t >> 14);
            let t = (*h ^ (*h << 7)) & 0x5500_5500;
            *h ^= t ^ (t >> 7);
        }
        pair[0] = x;
        pair[1] = y;
    }
    out
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

    /// The plain loop the grouped one replaces: one signed addition per weight.
    fn plain<const W: usize>(p: &Projection, x: &[i32]) -> BinaryVector<W> {
        let mut sums = [0i64; 10_240];
        for (f, &xf) in x.iter().enumerate() {
            let row: BinaryVector<W> = p.book.vector(f as u32);
            for (j, s) in sums.iter_mut().take(32 * W).enumerate() {
                *s += if row.as_words()[j / 32] >> (j % 32) & 1 == 1 {
                    -i64::from(xf)
                } else {
                    i64::from(xf)
                };
            }
        }
        let mut out = BinaryVector::<W>::zero();
        for (j, s) in sums.iter().take(32 * W).enumerate() {
            if *s < 0 {
                out.as_words_mut()[j / 32] |= 1 << (j % 32);
            }
        }
        out
    }

    #[test]
    fn grouped_sums_equal_the_plain_loop() {
        let mut rng = crate::rng::SplitMix64::new(4);
        for count in [1usize, 7, 8, 9, 16, 23, 64, 112] {
            let p = Projection::new(count as u64);
            let x: alloc::vec::Vec<i32> = (0..count)
                .map(|_| (rng.next_u64() % 2049) as i32 - 1024)
                .collect();
            assert_eq!(
                p.encode_integer::<64>(&x).unwrap(),
                plain::<64>(&p, &x),
                "{count}"
            );
            assert_eq!(
                p.encode_integer::<313>(&x).unwrap(),
                plain::<313>(&p, &x),
                "{count}"
            );
        }
        // At the bound: Σ|x| = i32::MAX in a few large values, no overflow.
        let x = [i32::MAX / 3, -(i32::MAX / 3), i32::MAX / 3 - 2, 1, -1];
        let p = Projection::new(1);
        assert_eq!(p.encode_integer::<64>(&x).unwrap(), plain::<64>(&p, &x));
        // Columns: bit j of row i becomes bit i of column j's byte.
        let rows: [u32; 8] = core::array::from_fn(|_| rng.next_u64() as u32);
        let cols = columns(&rows);
        for j in 0..32 {
            let byte = (cols[j / 4] >> (8 * (j % 4))) as u8;
            for (i, r) in rows.iter().enumerate() {
                assert_eq!(byte >> i & 1, (r >> j & 1) as u8, "row {i} column {j}");
            }
        }
    }
}
