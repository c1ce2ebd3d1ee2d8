//! Temporal records: a window of multichannel samples as the bundle of its n-grams of
//! per-step records, the classic HDC encoder for EMG (Rahimi, Benatti, Kanerva, Benini and
//! Rabaey, "Hyperdimensional biosignal processing: a case study for EMG-based hand gesture
//! recognition", ICRC 2016).
//!
//! Step t's values, each quantised to a level, make a record `S_t = [Σ_c key_c ⊗ level(l_tc)]`
//! ([`Record`]); the n-gram ending at step t binds the last n records, each rotated by its age
//! (`S_t ⊗ ρ(S_{t−1}) ⊗ … ⊗ ρ^{n−1}(S_{t−n+1})`, as [`crate::encode::ngram`]); the window is
//! the majority of its `T − n + 1` n-grams, ties broken by a seeded vector. So the order of
//! the samples matters within n steps and the rest is a bag: a gesture's shape, wherever it
//! starts in the window.
//!
//! Cost: one record per step (C level × key bindings, bit-sliced), n − 1 rotations and bindings
//! per step, and an `i16` counter per bit: `2·D` bytes of counters and `n·D/8` bytes of
//! history on the stack (4.5 KiB at D = 2048, n = 4).
#![forbid(unsafe_code)]

use crate::accumulator::Accumulator;
use crate::binary::BinaryVector;
use crate::encode::Record;
use crate::error::Error;

/// The longest n-gram.
pub const MAX_NGRAM: usize = 8;

/// The temporal-record encoder: a [`Record`] over `channels` per step, n-grams of `ngram`
/// steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Temporal {
    record: Record,
    channels: usize,
    ngram: usize,
}

impl Temporal {
    /// An encoder of `channels` values per step (1 to 255) and n-grams of `ngram` steps
    /// (1 to [`MAX_NGRAM`]). Errors: either out of range.
    pub fn new(record: Record, channels: usize, ngram: usize) -> Result<Self, Error> {
        if !(1..=255).contains(&channels) || !(1..=MAX_NGRAM).contains(&ngram) {
            return Err(Error::InvalidParameter(
                "a temporal record has 1 to 255 channels and n-grams of 1 to 8 steps",
            ));
        }
        Ok(Temporal {
            record,
            channels,
            ngram,
        })
    }

    /// Values per step.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Steps per n-gram.
    pub fn ngram(&self) -> usize {
        self.ngram
    }

    /// Encodes `steps` steps whose level at step t, channel c is `level(t, c)`. Errors: fewer
    /// steps than the n-gram, more than 32,767 n-grams, a level out of range, more than 255
    /// channels (as [`Record::encode_levels`]).
    pub fn encode_with<const W: usize>(
        &self,
        steps: usize,
        level: impl Fn(usize, usize) -> u16,
        tie_seed: u64,
    ) -> Result<BinaryVector<W>, Error> {
        let n = self.ngram;
        if steps < n || steps - n >= i16::MAX as usize {
            return Err(Error::InvalidParameter(
                "a temporal record needs at least n and at most 32,766 + n steps",
            ));
        }
        let mut levels = [0u16; 255];
        let levels = &mut levels[..self.channels];
        // history[k] holds ρ^k of the record k steps back, for the n-gram ending now.
        let mut history = [BinaryVector::<W>::zero(); MAX_NGRAM];
        let mut counts = Accumulator::<W, i16>::new();
        for t in 0..steps {
            for (c, l) in levels.iter_mut().enumerate() {
                *l = level(t, c);
            }
            let now = self.record.encode_levels::<W>(levels, tie_seed)?;
            // Age the history one step: what was k back is now k + 1 back, rotated once more.
            for k in (1..n).rev() {
                history[k] = history[k - 1].permute(1);
            }
            history[0] = now;
            if t + 1 >= n {
                let mut gram = history[0];
                for h in &history[1..n] {
                    gram = gram.bind(h);
                }
                counts.add(&gram);
            }
        }
        Ok(counts.to_binary(tie_seed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{ngram, Level};

    #[test]
    fn the_window_is_the_majority_of_its_ngrams() {
        let record = Record::new(3, Level::new(5, 8).unwrap());
        let t = Temporal::new(record, 3, 3).unwrap();
        let level = |s: usize, c: usize| ((s * 3 + c * 5) % 8) as u16;
        let got: BinaryVector<16> = t.encode_with(7, level, 9).unwrap();
        // By hand: records, n-grams by `ngram`, majority with the same tie rule.
        let records: std::vec::Vec<BinaryVector<16>> = (0..7)
            .map(|s| {
                let l: std::vec::Vec<u16> = (0..3).map(|c| level(s, c)).collect();
                record.encode_levels(&l, 9).unwrap()
            })
            .collect();
        let mut acc = Accumulator::<16, i16>::new();
        for end in 2..7 {
            acc.add(&ngram(&[&records[end - 2], &records[end - 1], &records[end]]).unwrap());
        }
        assert_eq!(got, acc.to_binary(9));
        // Order within n steps matters: reversed steps give a far vector.
        let reversed: BinaryVector<16> = t.encode_with(7, |s, c| level(6 - s, c), 9).unwrap();
        assert!(got.hamming(&reversed) > 100);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let record = Record::new(3, Level::new(5, 8).unwrap());
        assert!(Temporal::new(record, 0, 3).is_err());
        assert!(Temporal::new(record, 3, 9).is_err());
        let t = Temporal::new(record, 3, 3).unwrap();
        assert!(t.encode_with::<16>(2, |_, _| 0, 1).is_err());
        assert!(t.encode_with::<16>(5, |_, _| 9, 1).is_err());
    }
}
