//! Encoders: turning values, sequences and records into hypervectors.
//!
//! | encoder | maps | similarity of outputs |
//! |---|---|---|
//! | [`Level`] | a scalar in `L` levels | falls linearly with the level difference; the two ends are unrelated (distance D/2) |
//! | [`Thermometer`] | a scalar in `L` levels | falls linearly; the two ends are complements |
//! | [`Circular`] | an angle / phase in `L` steps | falls with the circular distance; opposite phases are unrelated |
//! | [`Projection`] | a feature vector in ℝⁿ | sign random projection: preserves angles (SimHash) |
//! | [`Sinusoid`] | a feature vector in ℤⁿ | sign of random Fourier features: near inputs share bits, far ones are unrelated |
//! | [`ThresholdCode`] | a feature vector in ℝⁿ | random projections against fitted thresholds: preserves distances |
//! | [`ngram`], [`NgramStream`] | a sequence of symbols | permute-and-bind n-grams, bundled over a stream |
//! | [`Record`], [`record`] | key-value pairs | bundle of `key ⊗ value` |
//! | [`Temporal`] | a window of multichannel samples | majority of n-grams of per-step records |
//!
//! Every encoder is a few bytes of parameters (seeds and sizes; [`ThresholdCode`] also reads
//! its fitted thresholds in place, 4 bytes per bit): the random vectors it needs are
//! regenerated from the seed, block by block (512 bits at a time), so encoding needs about one
//! kilobyte of working memory at any dimension.
#![forbid(unsafe_code)]

mod circular;
mod level;
mod projection;
mod record;
mod sequence;
mod sinusoid;
#[cfg(feature = "temporal")]
mod temporal;
mod thermometer;
pub(crate) mod threshold;

pub use circular::Circular;
pub use level::Level;
pub use projection::Projection;
#[cfg(feature = "alloc")]
pub use projection::ProjectionTable;
pub use record::{record, Record, RecordTable};
pub use sequence::{ngram, NgramStream};
#[cfg(feature = "alloc")]
pub use sinusoid::SinusoidTable;
pub use sinusoid::{Sinusoid, WEIGHT_SPREAD};
#[cfg(feature = "temporal")]
pub use temporal::{Temporal, MAX_NGRAM};
pub use thermometer::Thermometer;
pub use threshold::ThresholdCode;

use crate::kernel::{Block, BLOCK};

/// Bits of the per-dimension random thresholds of [`Level`] and [`Circular`]: 256 steps.
const THRESHOLD_BITS: usize = 8;

/// Per-block material shared by the level-like encoders: the start vector, the bits where the
/// end vector differs from it, and the bit planes of an 8-bit random threshold per dimension.
pub(crate) struct Basis {
    start: Block,
    diff: Block,
    planes: [Block; THRESHOLD_BITS],
}

impl Basis {
    /// The basis of block `block` from codebook vectors 0 (start), 1 (end) and 2..10
    /// (threshold planes, least significant first).
    #[inline]
    fn new(book: &crate::Codebook, block: u32) -> Self {
        let start = book.block(0, block);
        let end = book.block(1, block);
        let mut diff = [0u32; BLOCK];
        for j in 0..BLOCK {
            diff[j] = start[j] ^ end[j];
        }
        Basis {
            start,
            diff,
            planes: core::array::from_fn(|p| book.block(2 + p as u32, block)),
        }
    }

    /// Bits whose threshold is below `q` (`q` in `0..=256`).
    fn below(&self, q: u32) -> Block {
        if q >= 1 << THRESHOLD_BITS {
            return [u32::MAX; BLOCK];
        }
        let at_least = crate::kernel::at_least_block(&self.planes, q);
        core::array::from_fn(|j| !at_least[j])
    }

    /// The start vector with the bits in `mask` (restricted to where start and end differ)
    /// taken from the end vector.
    fn mix(&self, mask: &Block) -> Block {
        core::array::from_fn(|j| self.start[j] ^ (self.diff[j] & mask[j]))
    }
}

/// `round(num / den)` for the threshold scale, in integers (no float rounding differences
/// between targets).
fn scaled(num: u32, den: u32) -> u32 {
    (2 * num + den) / (2 * den)
}
