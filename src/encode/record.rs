//! Key-value records: the bundle of `key ⊗ value` over the fields.
//!
//! The record (role-filler) encoding of VSA (Plate 2003; Kanerva 2009): a record is
//! `[k_1 ⊗ v_1 + k_2 ⊗ v_2 + …]`, and unbinding with `k_i` gives a noisy `v_i` that an
//! [`ItemMemory`](crate::ItemMemory) cleans up. For tabular data the keys are feature ids
//! and the values are [`Level`] vectors of the feature values ("level × id" encoding);
//! [`Record`] does that in one pass, block by block, with the level basis shared between the
//! features and nothing but a few blocks of working memory.
#![forbid(unsafe_code)]

use super::level::Level;
use crate::binary::majority_total;
use crate::binary::BinaryVector;
use crate::codebook::{Codebook, TIE_INDEX};
use crate::error::Error;
use crate::kernel::{self, SlicedCounter, BLOCK};

/// The record of `pairs` (`(key, value)`): the majority of the bound pairs, ties (even
/// counts) broken by the tie vector of `tie_seed`. Errors: no pairs, or more than 65,535.
pub fn record<const W: usize>(
    pairs: &[(&BinaryVector<W>, &BinaryVector<W>)],
    tie_seed: u64,
) -> Result<BinaryVector<W>, Error> {
    let (total, with_tie) = majority_total(pairs.len() as u64)?;
    let tie = Codebook::new(tie_seed);
    let mut out = BinaryVector::<W>::zero();
    for b in 0..W.div_ceil(BLOCK) {
        let start = b * BLOCK;
        let mut counter = SlicedCounter::new(total);
        for (k, v) in pairs {
            let (kb, vb) = (
                kernel::load_block(k.as_words(), start),
                kernel::load_block(v.as_words(), start),
            );
            counter.push(&core::array::from_fn(|j| kb[j] ^ vb[j]));
        }
        if with_tie {
            counter.push(&tie.block(TIE_INDEX, b as u32));
        }
        kernel::store_block(out.as_words_mut(), start, &counter.at_least(total / 2 + 1));
    }
    Ok(out)
}

/// Level × feature-id record encoder for feature vectors: field f is
/// `key_f ⊗ level(x_f)`, keys from one codebook and values from one [`Level`] encoder.
///
/// ```
/// use hyperbits::encode::{Level, Record};
/// use hyperbits::BinaryVector;
/// let enc = Record::new(1, Level::new(2, 16).unwrap());
/// let a: BinaryVector<64> = enc.encode_levels(&[0, 5, 15], 0).unwrap();
/// let b: BinaryVector<64> = enc.encode_levels(&[0, 6, 15], 0).unwrap();
/// let c: BinaryVector<64> = enc.encode_levels(&[15, 0, 3], 0).unwrap();
/// assert!(a.hamming(&b) < a.hamming(&c));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Record {
    keys: Codebook,
    values: Level,
}

impl Record {
    /// Keys from codebook `key_seed`, values from `values`.
    pub fn new(key_seed: u64, values: Level) -> Self {
        Record {
            keys: Codebook::new(key_seed),
            values,
        }
    }

    /// The key codebook.
    pub fn keys(&self) -> &Codebook {
        &self.keys
    }

    /// The value encoder.
    pub fn values(&self) -> &Level {
        &self.values
    }

    /// Encodes a feature vector given as level indices (one per feature). Errors: no
    /// features, too many, or a level out of range.
    pub fn encode_levels<const W: usize>(
        &self,
        levels: &[u16],
        tie_seed: u64,
    ) -> Result<BinaryVector<W>, Error> {
        let (total, with_tie) = majority_total(levels.len() as u64)?;
        for &l in levels {
            self.values.threshold(l)?;
        }
        let tie = Codebook::new(tie_seed);
        let mut out = BinaryVector::<W>::zero();
        for b in 0..W.div_ceil(BLOCK) {
            let basis = self.values.basis(b as u32);
            let mut counter = SlicedCounter::new(total);
            for (f, &l) in levels.iter().enumerate() {
                let q = self.values.threshold(l).unwrap_or(0); // validated above
                let value = basis.mix(&basis.below(q));
                let key = self.keys.block(f as u32, b as u32);
                counter.push(&core::array::from_fn(|j| key[j] ^ value[j]));
            }
            if with_tie {
                counter.push(&tie.block(TIE_INDEX, b as u32));
            }
            kernel::store_block(
                out.as_words_mut(),
                b * BLOCK,
                &counter.at_least(total / 2 + 1),
            );
        }
        Ok(out)
    }
}

impl Record {
    /// Writes the key vectors of features `0..keys.len()` and the level vectors `0..L` into
    /// the rows of a [`RecordTable`] (`values` must have exactly L rows): done once on the
    /// host (to put the table in flash) or at boot.
    pub fn fill_table<const W: usize>(
        &self,
        keys: &mut [[u32; W]],
        values: &mut [[u32; W]],
    ) -> Result<(), Error> {
        let levels = usize::from(self.values.levels());
        if values.len() != levels {
            return Err(Error::LengthMismatch {
                expected: levels,
                found: values.len(),
            });
        }
        for (f, row) in keys.iter_mut().enumerate() {
            self.keys.fill(f as u32, row);
        }
        for (l, row) in values.iter_mut().enumerate() {
            *row = *self.values.vector::<W>(l as u16)?.as_words();
        }
        Ok(())
    }
}

/// The record encoder with its key and level vectors read from a table (in flash, or RAM
/// filled at boot) instead of regenerated: [`Record::fill_table`] writes the rows, and
/// [`encode_levels`](Self::encode_levels) gives the same bits as [`Record::encode_levels`] for
/// about a quarter of its instructions (the README's instruction-count table), at the cost
/// of `(features + levels) · D / 8` bytes of table.
#[derive(Debug, Clone, Copy)]
pub struct RecordTable<'a, const W: usize> {
    keys: &'a [[u32; W]],
    values: &'a [[u32; W]],
}

impl<'a, const W: usize> RecordTable<'a, W> {
    /// A table of `keys` (row f: the key of feature f) and `values` (row l: level l).
    /// Error: no value rows.
    pub fn new(keys: &'a [[u32; W]], values: &'a [[u32; W]]) -> Result<Self, Error> {
        if values.is_empty() {
            return Err(Error::InvalidParameter(
                "a record table needs level vectors",
            ));
        }
        Ok(RecordTable { keys, values })
    }

    /// As [`Record::encode_levels`] (same checks, same bits), for at most as many features as
    /// the table has keys.
    pub fn encode_levels(&self, levels: &[u16], tie_seed: u64) -> Result<BinaryVector<W>, Error> {
        let (total, with_tie) = majority_total(levels.len() as u64)?;
        if levels.len() > self.keys.len() {
            return Err(Error::IndexOutOfRange {
                index: levels.len() - 1,
                len: self.keys.len(),
            });
        }
        if let Some(&l) = levels
            .iter()
            .find(|&&l| usize::from(l) >= self.values.len())
        {
            return Err(Error::IndexOutOfRange {
                index: usize::from(l),
                len: self.values.len(),
            });
        }
        let tie = Codebook::new(tie_seed);
        let mut out = BinaryVector::<W>::zero();
        for b in 0..W.div_ceil(BLOCK) {
            let start = b * BLOCK;
            let mut counter = SlicedCounter::new(total);
            for (key, &l) in self.keys.iter().zip(levels) {
                let value = &self.values[usize::from(l)];
                let (kb, vb) = (
                    kernel::load_block(key, start),
                    kernel::load_block(value, start),
                );
                counter.push(&core::array::from_fn(|j| kb[j] ^ vb[j]));
            }
            if with_tie {
                counter.push(&tie.block(TIE_INDEX, b as u32));
            }
            kernel::store_block(out.as_words_mut(), start, &counter.at_least(total / 2 + 1));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_equals_bundle_of_bound_pairs_and_unbinds() {
        let book = Codebook::new(10);
        let v: [BinaryVector<64>; 6] = core::array::from_fn(|i| book.vector(i as u32));
        let pairs = [(&v[0], &v[1]), (&v[2], &v[3]), (&v[4], &v[5])];
        let r = record(&pairs, 0).unwrap();
        let bound: [BinaryVector<64>; 3] = core::array::from_fn(|i| pairs[i].0.bind(pairs[i].1));
        assert_eq!(
            r,
            BinaryVector::bundle(&[&bound[0], &bound[1], &bound[2]], 0).unwrap()
        );
        // Unbinding a key gives a vector close to its value (0.75 similarity expected).
        assert!(r.unbind(&v[2]).similarity(&v[3]) > 0.7);
        assert!(record::<64>(&[], 0).is_err());
    }

    #[test]
    fn the_table_gives_the_same_bits() {
        let enc = Record::new(6, Level::new(7, 12).unwrap());
        let (mut keys, mut values) = ([[0u32; 40]; 9], [[0u32; 40]; 12]);
        enc.fill_table(&mut keys, &mut values).unwrap();
        let table = RecordTable::new(&keys, &values).unwrap();
        for k in 1..=9usize {
            let levels: std::vec::Vec<u16> = (0..k).map(|i| ((i * 5 + k) % 12) as u16).collect();
            assert_eq!(
                table.encode_levels(&levels, 3),
                enc.encode_levels::<40>(&levels, 3)
            );
        }
        assert!(table.encode_levels(&[0; 10], 0).is_err());
        assert!(table.encode_levels(&[12], 0).is_err());
        assert!(table.encode_levels(&[], 0).is_err());
        assert!(enc.fill_table(&mut keys, &mut values[..11]).is_err());
        assert!(RecordTable::<40>::new(&keys, &[]).is_err());
    }

    #[test]
    fn level_record_equals_explicit_construction() {
        let level = Level::new(3, 8).unwrap();
        let enc = Record::new(4, level);
        let levels = [0u16, 7, 3, 3];
        let got: BinaryVector<40> = enc.encode_levels(&levels, 5).unwrap();
        let keys: [BinaryVector<40>; 4] =
            core::array::from_fn(|f| Codebook::new(4).vector(f as u32));
        let vals: [BinaryVector<40>; 4] =
            core::array::from_fn(|f| level.vector(levels[f]).unwrap());
        let pairs: [(&BinaryVector<40>, &BinaryVector<40>); 4] =
            core::array::from_fn(|f| (&keys[f], &vals[f]));
        assert_eq!(got, record(&pairs, 5).unwrap());
        assert_eq!(
            enc.encode_levels::<40>(&[0, 8], 0),
            Err(Error::IndexOutOfRange { index: 8, len: 8 })
        );
    }
}
