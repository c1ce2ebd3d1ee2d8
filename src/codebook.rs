//! Seeded, portable random hypervectors: the same `(seed, index)` gives the same bits on every
//! target, so firmware regenerates item vectors on demand instead of storing them in flash.
//!
//! # The generator, exactly
//! A vector is cut into blocks of 16 words (512 bits). Block `b` of vector `index` under `seed`
//! is the first 16 outputs of **Xoshiro128++** (Blackman & Vigna; [`crate::rng`]), whose
//! 128-bit state is the little-endian bytes of `(k1, k2)` with
//!
//! ```text
//! k1 = SplitMix64(seed).next_u64()
//! k2 = SplitMix64(k1 ^ (index << 32 | b)).next_u64()
//! ```
//!
//! Word `i` of the block is output `i`, and bit `j` of the vector is bit `j % 32` of word
//! `j / 32`. The map from `(seed, index, b)` to the state is injective (SplitMix64's output
//! function is a bijection), so different vectors never share a stream. Cutting the stream
//! into keyed blocks costs one SplitMix64 step per 512 bits and buys random access: an encoder
//! can produce any 512-bit slice of any item vector without generating the words before it,
//! which keeps its working memory at one block whatever the dimension.
//!
//! Xoshiro128++ works on 32-bit words only, so it is as fast on a Cortex-M0 as anywhere else
//! (about 10 instructions a word). Golden hashes of codebook vectors are checked bit for bit on
//! x86_64, thumbv6m, thumbv7em and riscv32imc by the test suites.
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::kernel::{Block, BLOCK};
use crate::rng::{SplitMix64, Xoshiro128PlusPlus};

/// The codebook index reserved for tie-breaking vectors (see [`BinaryVector::bundle`]).
pub const TIE_INDEX: u32 = u32::MAX;

/// An unbounded, stateless codebook of random dense binary vectors, keyed by a seed.
///
/// Nothing is stored: [`Codebook::vector`] regenerates item `index` from `(seed, index)`.
///
/// ```
/// use hyperbits::{words, BinaryVector, Codebook};
/// let book = Codebook::new(42);
/// let a: BinaryVector<{ words(8192) }> = book.vector(0);
/// let b = book.vector(1);
/// assert_eq!(a, book.vector(0)); // reproducible
/// assert!((a.similarity(&b) - 0.5).abs() < 0.05); // nearly orthogonal
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Codebook {
    seed: u64,
    k1: u64,
}

impl Codebook {
    /// The codebook for `seed`.
    pub fn new(seed: u64) -> Self {
        Codebook {
            seed,
            k1: SplitMix64::new(seed).next_u64(),
        }
    }

    /// The seed this codebook was made from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Item vector `index`.
    pub fn vector<const W: usize>(&self, index: u32) -> BinaryVector<W> {
        let mut v = BinaryVector::zero();
        self.fill(index, v.as_words_mut());
        v
    }

    /// Writes the first `out.len()` words of item vector `index` into `out` (any length).
    pub fn fill(&self, index: u32, out: &mut [u32]) {
        for (b, chunk) in out.chunks_mut(BLOCK).enumerate() {
            let mut rng = self.block_rng(index, b as u32);
            for w in chunk {
                *w = rng.next_u32();
            }
        }
    }

    /// Block `block` (words `16·block ..`) of item vector `index`.
    #[inline]
    pub(crate) fn block(&self, index: u32, block: u32) -> Block {
        let mut rng = self.block_rng(index, block);
        core::array::from_fn(|_| rng.next_u32())
    }

    /// The generator of block `block` of item vector `index` (an encoder reads past the
    /// block's 16 words for per-dimension random phases).
    #[inline]
    pub(crate) fn block_rng(&self, index: u32, block: u32) -> Xoshiro128PlusPlus {
        let key = self.k1 ^ (u64::from(index) << 32 | u64::from(block));
        let k2 = SplitMix64::new(key).next_u64();
        Xoshiro128PlusPlus::from_halves(self.k1, k2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_agree_with_whole_vectors_and_prefixes() {
        let book = Codebook::new(7);
        let v: BinaryVector<40> = book.vector(3);
        for b in 0..3u32 {
            let blk = book.block(3, b);
            let start = b as usize * BLOCK;
            let end = (start + BLOCK).min(40);
            assert_eq!(&v.as_words()[start..end], &blk[..end - start]);
        }
        // A shorter vector is a prefix of a longer one.
        let short: BinaryVector<20> = book.vector(3);
        assert_eq!(short.as_words(), &v.as_words()[..20]);
    }

    #[test]
    fn seeds_and_indices_give_different_vectors() {
        let a: BinaryVector<16> = Codebook::new(1).vector(0);
        let b: BinaryVector<16> = Codebook::new(2).vector(0);
        let c: BinaryVector<16> = Codebook::new(1).vector(1);
        assert_ne!(a, b);
        assert_ne!(a, c);
        // Index 0 block 1 and index 1 block 0 must not collide either.
        let book = Codebook::new(1);
        assert_ne!(book.block(0, 1), book.block(1, 0));
    }

    /// The generator as documented above, reimplemented independently (Python, in the
    /// commit that introduced this test) gave this FNV-1a hash for vector 0 of seed 42.
    #[test]
    fn matches_the_documented_algorithm() {
        let v: BinaryVector<64> = Codebook::new(42).vector(0);
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in v.as_words().iter().flat_map(|w| w.to_le_bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        assert_eq!(h, 0xbdb9_8590_3452_7862);
    }
}
