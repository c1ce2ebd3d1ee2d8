//! Fitting the thresholds of an [`encode::ThresholdCode`](crate::encode::ThresholdCode) on
//! host data: threshold j is output j's projection of a training row drawn at random, so the
//! bits split the data at random quantiles (`docs/sae.md` §5, Table C). Cost: one projection
//! per output bit, `O(bits · features)`.
#![forbid(unsafe_code)]

use std::prelude::rust_2021::*;

use crate::codebook::Codebook;
use crate::encode::threshold::weight;
use crate::encode::ThresholdCode;
use crate::error::Error;
use crate::kernel::BLOCK;

impl ThresholdCode<'_> {
    /// Fits `bits` thresholds on `rows` (`features` values each): threshold j is output j's
    /// projection of a row drawn at random (seeded by `seed`), so the bits split the rows at
    /// random quantiles. Returns the thresholds as little-endian bytes for [`Self::new`]. Errors: no
    /// rows, rows not a multiple of `features`, no bits, a NaN or infinite value.
    pub fn fit(seed: u64, features: usize, bits: usize, rows: &[f32]) -> Result<Vec<u8>, Error> {
        if features == 0 || rows.is_empty() || !rows.len().is_multiple_of(features) || bits == 0 {
            return Err(Error::InvalidParameter(
                "fitting a threshold code needs rows of `features` values and at least one bit",
            ));
        }
        if rows.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter("an input value is NaN or infinite"));
        }
        let book = Codebook::new(seed);
        let n = rows.len() / features;
        let mut pick = crate::train::sae::Rng::new(seed ^ 0xB175);
        let chosen: Vec<usize> = (0..bits)
            .map(|_| (pick.next_u64() % n as u64) as usize)
            .collect();
        let mut out = vec![0u8; 4 * bits];
        // One pass per distinct block of bits: the projection of each chosen row.
        for (j, &r) in chosen.iter().enumerate() {
            let row = &rows[r * features..(r + 1) * features];
            let b = j / BLOCK;
            let mut s = 0f32;
            for (feature, &v) in row.iter().enumerate() {
                s += weight(book.block(feature as u32, b as u32)[j % BLOCK]) * v;
            }
            out[4 * j..4 * j + 4].copy_from_slice(&s.to_le_bytes());
        }
        Ok(out)
    }
}
