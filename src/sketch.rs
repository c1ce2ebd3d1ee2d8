//! Set sketches: sparse binary VSAs (Bloom-style) and dense MAP-I / MAP-B sets, for membership
//! and intersection size, all keyed by `(seed, key)` so two devices with the same seed build
//! comparable sketches.
//!
//! The sparse VSAs of the capacity spec (§2.4, §5):
//! - [`Bloom`] (SB-OR): an atom is k bits at double-hashed positions; bundling is OR. No false
//!   negatives; false positives `(1 − (1 − 1/D)^{kn})^k`. Size and intersection estimates from
//!   the zero count: `n̂ = ln(Z/D)/ln q`, `q = (1 − 1/D)^k`, `Î = n̂_X + n̂_Y − n̂_{X∪Y}`.
//! - [`BlockedBloom`]: the same with all k bits of an atom inside one 512-bit block (Putze,
//!   Sanders & Singler 2007): one cache line per query, slightly more false positives per bit.
//! - [`Counting`]: sparse atoms bundled by **sum** (a counting Bloom filter): removal works;
//!   8-bit counters saturate (and then never decrement) instead of wrapping.
//! - [`Segmented`] (SB-SEG): B blocks of length L, one active bit per block.
//! - [`thin`]: context-dependent thinning (Rachkovskij & Kussul 2001) of a bundle of sparse
//!   vectors, `z ∧ (∨_r ρ^{s_r}(z))`, to bring its density back down.
//!
//! Dense sets with the spec's thresholds, to compare on the same task: [`MapISet`] (integer
//! bundle, `2⟨s_j, b⟩ ≥ D`, intersection `⟨b_X, b_Y⟩/D`) and [`MapBSet`] (sign of the bundle,
//! Hamming test `≤ ⌊D(2 − p_n)/4⌋`, intersection by Sheppard's formula).
//!
//! Storage is any `AsRef<[u32]>` (`[u32; N]` on a device, `Vec<u32>` on a host, `&[u32]` read
//! in place from a model blob); inserting needs `AsMut<[u32]>` too. Use [`crate::plan`] to
//! size them.
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::codebook::Codebook;
use crate::error::Error;
use crate::integer::{Element, IntegerVector};
use crate::kernel;
use crate::model::{Kind, Model};
use crate::plan::mapb_threshold;
use crate::rng::SplitMix64;
use crate::FormatError;

/// The 64-bit hash of `key` under `seed` (SplitMix64 of their mix): the source of every
/// sparse atom's positions.
#[inline]
fn hash(seed: u64, key: u64) -> u64 {
    let k1 = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ key;
    SplitMix64::new(k1).next_u64()
}

/// Reduces a 32-bit hash to `0..n` without division (Lemire's multiply-shift).
#[inline(always)]
fn reduce(h: u32, n: u32) -> u32 {
    ((u64::from(h) * u64::from(n)) >> 32) as u32
}

#[inline(always)]
fn get_bit(words: &[u32], i: u32) -> bool {
    words
        .get((i / 32) as usize)
        .is_some_and(|w| (w >> (i % 32)) & 1 == 1)
}

#[inline(always)]
fn set_bit(words: &mut [u32], i: u32) {
    if let Some(w) = words.get_mut((i / 32) as usize) {
        *w |= 1 << (i % 32);
    }
}

/// `ln(Z/D)/ln q`: the number of items that leaves Z of D cells empty when each item fills a
/// cell with probability 1 − q (infinite when no cell is empty).
fn size_from_zeros(zeros: u32, dim: u32, q: f64) -> f64 {
    if zeros == 0 {
        return f64::INFINITY;
    }
    libm::log(f64::from(zeros) / f64::from(dim)) / libm::log(q)
}

/// Checks two sketches can be combined.
fn same(a: (u32, u32, u64), b: (u32, u32, u64)) -> Result<(), Error> {
    if a != b {
        return Err(Error::Format(FormatError::Inconsistent(
            "sketches differ in dimension, hash count or seed",
        )));
    }
    Ok(())
}

/// A Bloom filter as a sparse binary VSA (SB-OR): `D = 32·words` bits, `k` bits per atom.
///
/// ```
/// use hyperbits::sketch::Bloom;
/// let mut set = Bloom::new([0u32; 32], 7, 42).unwrap(); // 1024 bits
/// for key in 0..50u64 {
///     set.insert(key);
/// }
/// assert!((0..50).all(|k| set.contains(k)));
/// assert!((set.estimate_len() - 50.0).abs() < 5.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bloom<S> {
    bits: S,
    k: u32,
    seed: u64,
}

impl<S: AsRef<[u32]>> Bloom<S> {
    /// A sketch over `storage` (its current bits are kept), `k` bits per atom, keyed by `seed`.
    /// Errors: empty storage, `k = 0`, more than 2^32 bits.
    pub fn new(storage: S, k: u32, seed: u64) -> Result<Self, Error> {
        let words = storage.as_ref().len();
        if words == 0 || words > (u32::MAX / 32) as usize {
            return Err(Error::InvalidParameter("storage: between 1 and 2^27 words"));
        }
        if k == 0 {
            return Err(Error::InvalidParameter("k: at least one bit per atom"));
        }
        Ok(Bloom {
            bits: storage,
            k,
            seed,
        })
    }

    /// The dimension D in bits.
    pub fn dim(&self) -> u32 {
        32 * self.bits.as_ref().len() as u32
    }

    /// Bits per atom.
    pub fn k(&self) -> u32 {
        self.k
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The packed bits.
    pub fn words(&self) -> &[u32] {
        self.bits.as_ref()
    }

    /// The atom positions of `key`: `h1 + r·h2 (mod D)` for r < k (double hashing).
    #[inline]
    fn positions(&self, key: u64) -> impl Iterator<Item = u32> {
        let h = hash(self.seed, key);
        let (h1, h2) = (h as u32, (h >> 32) as u32 | 1);
        let d = self.dim();
        (0..self.k).map(move |r| reduce(h1.wrapping_add(r.wrapping_mul(h2)), d))
    }

    /// Whether `key` may be in the set (no false negatives).
    #[inline]
    pub fn contains(&self, key: u64) -> bool {
        let words = self.bits.as_ref();
        self.positions(key).all(|p| get_bit(words, p))
    }

    /// The estimated number of items, from the zero count.
    pub fn estimate_len(&self) -> f64 {
        let d = self.dim();
        let zeros = d - kernel::popcount(self.bits.as_ref());
        size_from_zeros(
            zeros,
            d,
            libm::pow(1.0 - 1.0 / f64::from(d), f64::from(self.k)),
        )
    }

    /// The estimated size of the intersection with `other` (same D, k and seed):
    /// `n̂_X + n̂_Y − n̂_{X∪Y}`.
    pub fn estimate_intersection<T: AsRef<[u32]>>(&self, other: &Bloom<T>) -> Result<f64, Error> {
        same(
            (self.dim(), self.k, self.seed),
            (other.dim(), other.k, other.seed),
        )?;
        let d = self.dim();
        let union_ones: u32 = self
            .bits
            .as_ref()
            .iter()
            .zip(other.bits.as_ref())
            .map(|(a, b)| (a | b).count_ones())
            .sum();
        let q = libm::pow(1.0 - 1.0 / f64::from(d), f64::from(self.k));
        let union = size_from_zeros(d - union_ones, d, q);
        Ok(self.estimate_len() + other.estimate_len() - union)
    }
}

impl<S: AsRef<[u32]> + AsMut<[u32]>> Bloom<S> {
    /// Adds `key` (sets its k bits).
    #[inline]
    pub fn insert(&mut self, key: u64) {
        let h = hash(self.seed, key);
        let (h1, h2) = (h as u32, (h >> 32) as u32 | 1);
        let d = self.dim();
        let words = self.bits.as_mut();
        for r in 0..self.k {
            set_bit(words, reduce(h1.wrapping_add(r.wrapping_mul(h2)), d));
        }
    }

    /// Adds every item of `other` (OR: the sketch of the union). Error: different D, k or seed.
    pub fn union<T: AsRef<[u32]>>(&mut self, other: &Bloom<T>) -> Result<(), Error> {
        same(
            (self.dim(), self.k, self.seed),
            (other.dim(), other.k, other.seed),
        )?;
        for (a, b) in self.bits.as_mut().iter_mut().zip(other.bits.as_ref()) {
            *a |= b;
        }
        Ok(())
    }

    /// Empties the sketch.
    pub fn clear(&mut self) {
        self.bits.as_mut().iter_mut().for_each(|w| *w = 0);
    }
}

/// Section tags of a sketch blob.
mod tags {
    pub const PARAMS: [u8; 4] = *b"SPAR";
    pub const BITS: [u8; 4] = *b"SBIT";
}

/// Sketch variants in a blob's `SPAR` section.
const BLOOM: u32 = 1;
const BLOCKED: u32 = 2;

fn sketch_params(model: &Model<'_>, variant: u32) -> Result<(u32, u64), Error> {
    model.expect_kind(Kind::Sketch)?;
    let p = model.section_u32(tags::PARAMS)?;
    let &[v, k, lo, hi] = p else {
        return Err(Error::Format(FormatError::Inconsistent(
            "SPAR must hold 4 words",
        )));
    };
    if v != variant {
        return Err(Error::Format(FormatError::Inconsistent(
            "the blob holds another sketch variant",
        )));
    }
    Ok((k, u64::from(lo) | (u64::from(hi) << 32)))
}

#[cfg(feature = "alloc")]
fn sketch_blob(
    variant: u32,
    k: u32,
    seed: u64,
    words: &[u32],
) -> Result<alloc::vec::Vec<u8>, Error> {
    let mut w = crate::model::ModelWriter::new(Kind::Sketch);
    w.section_u32(
        tags::PARAMS,
        &[variant, k, seed as u32, (seed >> 32) as u32],
    )?
    .section_u32(tags::BITS, words)?;
    w.finish()
}

impl<'a> Bloom<&'a [u32]> {
    /// A Bloom sketch read in place from a model blob ([`Kind::Sketch`], sections `SPAR`:
    /// variant 1, k, seed low, seed high; `SBIT`: the bits).
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, Error> {
        let model = Model::new_checked(bytes)?;
        let (k, seed) = sketch_params(&model, BLOOM)?;
        Bloom::new(model.section_u32(tags::BITS)?, k, seed)
    }
}

impl<S: AsRef<[u32]>> Bloom<S> {
    /// The model blob of this sketch.
    #[cfg(feature = "alloc")]
    pub fn to_blob(&self) -> Result<alloc::vec::Vec<u8>, Error> {
        sketch_blob(BLOOM, self.k, self.seed, self.bits.as_ref())
    }
}

/// Words per block of a [`BlockedBloom`]: 512 bits, one cache line.
const BLOCK_WORDS: usize = 16;

/// A cache-blocked Bloom filter: every atom's k bits lie in one 512-bit block chosen by the
/// key's hash, so a query touches one cache line (Putze, Sanders & Singler 2007). It needs
/// about 10-15 % more bits than [`Bloom`] for the same false-positive rate at 1 %.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedBloom<S> {
    bits: S,
    k: u32,
    seed: u64,
    blocks: u32,
}

impl<S: AsRef<[u32]>> BlockedBloom<S> {
    /// A sketch over `storage` (a whole number of 16-word blocks), k bits per atom (1 to 16).
    pub fn new(storage: S, k: u32, seed: u64) -> Result<Self, Error> {
        let words = storage.as_ref().len();
        if words == 0 || words % BLOCK_WORDS != 0 || words > (u32::MAX / 32) as usize {
            return Err(Error::InvalidParameter(
                "storage: a whole, non-zero number of 16-word blocks below 2^32 bits",
            ));
        }
        if !(1..=16).contains(&k) {
            return Err(Error::InvalidParameter("k: between 1 and 16 bits per atom"));
        }
        Ok(BlockedBloom {
            bits: storage,
            k,
            seed,
            blocks: (words / BLOCK_WORDS) as u32,
        })
    }

    /// The dimension D in bits.
    pub fn dim(&self) -> u32 {
        self.blocks * 512
    }

    /// Bits set per key.
    pub fn k(&self) -> u32 {
        self.k
    }

    /// The seed of the key hashes.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The bits, as packed words.
    pub fn words(&self) -> &[u32] {
        self.bits.as_ref()
    }

    /// The block and the in-block positions of `key`: the block from the high half of the
    /// hash, the k 9-bit positions from the low half and successive multiplicative rehashes.
    #[inline(always)]
    fn locate(&self, key: u64) -> (usize, u64) {
        let h = hash(self.seed, key);
        (
            reduce((h >> 32) as u32, self.blocks) as usize * BLOCK_WORDS,
            h,
        )
    }

    /// Whether `key` may be in the set (no false negatives).
    #[inline]
    pub fn contains(&self, key: u64) -> bool {
        let (start, mut h) = self.locate(key);
        let Some(block) = self.bits.as_ref().get(start..start + BLOCK_WORDS) else {
            return false;
        };
        // All k bits, without an early exit: absent keys would otherwise stop at a random
        // bit, and the mispredicted branch costs more than the remaining loads (one line).
        let mut all = 1u32;
        for _ in 0..self.k {
            let p = (h & 511) as usize;
            all &= block[p / 32] >> (p % 32);
            h = h.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
        }
        all & 1 == 1
    }

    /// The model blob of this sketch.
    #[cfg(feature = "alloc")]
    pub fn to_blob(&self) -> Result<alloc::vec::Vec<u8>, Error> {
        sketch_blob(BLOCKED, self.k, self.seed, self.bits.as_ref())
    }
}

impl<S: AsRef<[u32]> + AsMut<[u32]>> BlockedBloom<S> {
    /// Adds `key`.
    #[inline]
    pub fn insert(&mut self, key: u64) {
        let (start, mut h) = self.locate(key);
        let k = self.k;
        if let Some(block) = self.bits.as_mut().get_mut(start..start + BLOCK_WORDS) {
            for _ in 0..k {
                let p = (h & 511) as usize;
                block[p / 32] |= 1 << (p % 32);
                h = h.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
            }
        }
    }
}

impl<'a> BlockedBloom<&'a [u32]> {
    /// A blocked Bloom sketch read in place from a model blob (variant 2).
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, Error> {
        let model = Model::new_checked(bytes)?;
        let (k, seed) = sketch_params(&model, BLOCKED)?;
        BlockedBloom::new(model.section_u32(tags::BITS)?, k, seed)
    }
}

/// A counting Bloom filter: sparse atoms bundled by sum, in 8-bit saturating counters, so
/// items can be removed. A counter that reached 255 stays there (it can no longer be
/// decremented safely); [`Counting::is_saturated`] tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counting<S> {
    counters: S,
    k: u32,
    seed: u64,
    saturated: bool,
}

impl<S: AsRef<[u8]> + AsMut<[u8]>> Counting<S> {
    /// A sketch over `counters` (one per position), k positions per atom.
    pub fn new(counters: S, k: u32, seed: u64) -> Result<Self, Error> {
        let n = counters.as_ref().len();
        if n == 0 || n > u32::MAX as usize || k == 0 {
            return Err(Error::InvalidParameter(
                "counters: 1 to 2^32 of them; k: at least 1",
            ));
        }
        Ok(Counting {
            counters,
            k,
            seed,
            saturated: false,
        })
    }

    fn positions(&self, key: u64) -> impl Iterator<Item = usize> {
        let h = hash(self.seed, key);
        let (h1, h2) = (h as u32, (h >> 32) as u32 | 1);
        let d = self.counters.as_ref().len() as u32;
        (0..self.k).map(move |r| reduce(h1.wrapping_add(r.wrapping_mul(h2)), d) as usize)
    }

    /// Adds `key`.
    pub fn insert(&mut self, key: u64) {
        let positions: heapless::Vec<usize, 64> = self.positions(key).take(64).collect();
        let counters = self.counters.as_mut();
        for p in positions {
            if counters[p] == u8::MAX {
                self.saturated = true;
            } else {
                counters[p] += 1;
            }
        }
    }

    /// Removes `key` if it may be present (all its counters non-zero); returns whether it did.
    /// Saturated counters are left alone.
    pub fn remove(&mut self, key: u64) -> bool {
        if !self.contains(key) {
            return false;
        }
        let positions: heapless::Vec<usize, 64> = self.positions(key).take(64).collect();
        let counters = self.counters.as_mut();
        for p in positions {
            if counters[p] != u8::MAX {
                counters[p] -= 1;
            }
        }
        true
    }

    /// Whether `key` may be in the multiset.
    pub fn contains(&self, key: u64) -> bool {
        let counters = self.counters.as_ref();
        self.positions(key).all(|p| counters[p] > 0)
    }

    /// Whether any counter saturated (removals may then leave false positives behind).
    pub fn is_saturated(&self) -> bool {
        self.saturated
    }

    fn q(&self) -> f64 {
        libm::pow(
            1.0 - 1.0 / self.counters.as_ref().len() as f64,
            f64::from(self.k),
        )
    }

    /// The estimated number of distinct items, from the count of zero counters (as [`Bloom`]).
    pub fn estimate_len(&self) -> f64 {
        let c = self.counters.as_ref();
        let zeros = c.iter().filter(|&&x| x == 0).count() as u32;
        size_from_zeros(zeros, c.len() as u32, self.q())
    }

    /// The estimated number of distinct items shared with `other` (same size, k and seed).
    pub fn estimate_intersection<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        other: &Counting<T>,
    ) -> Result<f64, Error> {
        let (a, b) = (self.counters.as_ref(), other.counters.as_ref());
        same(
            (a.len() as u32, self.k, self.seed),
            (b.len() as u32, other.k, other.seed),
        )?;
        let union_zeros = a
            .iter()
            .zip(b)
            .filter(|(x, y)| **x == 0 && **y == 0)
            .count() as u32;
        let union = size_from_zeros(union_zeros, a.len() as u32, self.q());
        Ok(self.estimate_len() + other.estimate_len() - union)
    }

    /// Adds every item of `other` (counters summed, saturating). Error: different size, k or
    /// seed.
    pub fn union<T: AsRef<[u8]> + AsMut<[u8]>>(
        &mut self,
        other: &Counting<T>,
    ) -> Result<(), Error> {
        let n = self.counters.as_ref().len() as u32;
        same(
            (n, self.k, self.seed),
            (other.counters.as_ref().len() as u32, other.k, other.seed),
        )?;
        for (a, b) in self
            .counters
            .as_mut()
            .iter_mut()
            .zip(other.counters.as_ref())
        {
            let sum = a.saturating_add(*b);
            self.saturated |= u16::from(*a) + u16::from(*b) > 255;
            *a = sum;
        }
        Ok(())
    }
}

/// A segmented (block) sparse code, SB-SEG: B blocks of L bits inside `D = 32·words` bits,
/// one active bit per block for each atom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segmented<S> {
    bits: S,
    blocks: u32,
    block_len: u32,
    seed: u64,
}

impl<S: AsRef<[u32]>> Segmented<S> {
    /// B blocks of length L over `storage` (`B·L ≤ 32·words`).
    pub fn new(storage: S, blocks: u32, block_len: u32, seed: u64) -> Result<Self, Error> {
        let dim = 32u64 * storage.as_ref().len() as u64;
        if blocks == 0 || block_len < 2 || u64::from(blocks) * u64::from(block_len) > dim {
            return Err(Error::InvalidParameter(
                "blocks × block length must be positive and fit the storage (block length ≥ 2)",
            ));
        }
        Ok(Segmented {
            bits: storage,
            blocks,
            block_len,
            seed,
        })
    }

    fn position(&self, key: u64, block: u32) -> u32 {
        let h = hash(
            self.seed ^ u64::from(block).wrapping_mul(0xD6E8_FEB8_6659_FD93),
            key,
        );
        block * self.block_len + reduce(h as u32, self.block_len)
    }

    /// Whether `key` may be in the set.
    pub fn contains(&self, key: u64) -> bool {
        (0..self.blocks).all(|b| get_bit(self.bits.as_ref(), self.position(key, b)))
    }

    /// The estimated number of items (`q = 1 − 1/L`).
    pub fn estimate_len(&self) -> f64 {
        let d = self.blocks * self.block_len;
        let ones = (0..d).filter(|&i| get_bit(self.bits.as_ref(), i)).count() as u32;
        size_from_zeros(d - ones, d, 1.0 - 1.0 / f64::from(self.block_len))
    }

    fn shape(&self) -> (u32, u32, u64) {
        (self.blocks * self.block_len, self.block_len, self.seed)
    }

    /// The estimated number of items shared with `other` (same blocks, length and seed).
    pub fn estimate_intersection<T: AsRef<[u32]>>(
        &self,
        other: &Segmented<T>,
    ) -> Result<f64, Error> {
        same(self.shape(), other.shape())?;
        let d = self.blocks * self.block_len;
        let (a, b) = (self.bits.as_ref(), other.bits.as_ref());
        let union_ones = (0..d).filter(|&i| get_bit(a, i) || get_bit(b, i)).count() as u32;
        let union = size_from_zeros(d - union_ones, d, 1.0 - 1.0 / f64::from(self.block_len));
        Ok(self.estimate_len() + other.estimate_len() - union)
    }
}

impl<S: AsRef<[u32]> + AsMut<[u32]>> Segmented<S> {
    /// Adds `key` (one bit per block).
    pub fn insert(&mut self, key: u64) {
        for b in 0..self.blocks {
            let p = self.position(key, b);
            set_bit(self.bits.as_mut(), p);
        }
    }

    /// Adds every item of `other` (OR). Error: different blocks, length or seed.
    pub fn union<T: AsRef<[u32]>>(&mut self, other: &Segmented<T>) -> Result<(), Error> {
        same(self.shape(), other.shape())?;
        for (a, b) in self.bits.as_mut().iter_mut().zip(other.bits.as_ref()) {
            *a |= b;
        }
        Ok(())
    }
}

/// Context-dependent thinning of a sparse bundle `z`: `z ∧ (∨_{r<R} ρ^{s_r}(z))`, with R
/// rotations by amounts drawn from `seed`. Each round keeps a bit of z only if some rotated
/// copy also has one there, so the density falls from p to about `p·(1 − (1 − p)^R)`; choose R
/// to bring a bundle back near its atoms' density. It preserves similarity (similar inputs
/// keep similar bits) and cannot be inverted.
pub fn thin<const W: usize>(z: &BinaryVector<W>, seed: u64, rounds: u32) -> BinaryVector<W> {
    let book = Codebook::new(seed);
    let mut any = BinaryVector::<W>::zero();
    for r in 0..rounds {
        let shift =
            1 + book.vector::<1>(r).as_words()[0] as usize % (BinaryVector::<W>::DIM - 1).max(1);
        let rotated = z.permute(shift);
        for (a, b) in any.as_words_mut().iter_mut().zip(rotated.as_words()) {
            *a |= b;
        }
    }
    let mut out = *z;
    for (o, a) in out.as_words_mut().iter_mut().zip(any.as_words()) {
        *o &= a;
    }
    out
}

/// A MAP-I set: the integer bundle of the ±1 atoms `s_i = Codebook(seed).vector(i)`.
/// Membership: `2·⟨s_j, b⟩ ≥ D` (midpoint threshold); intersection `⟨b_X, b_Y⟩/D`; size
/// `‖b‖²/D`. Removal subtracts the atom. Counters saturate (see [`IntegerVector`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapISet<const W: usize, T: Element = i8> {
    book: Codebook,
    bundle: IntegerVector<T, W>,
    len: u32,
}

impl<const W: usize, T: Element> MapISet<W, T> {
    /// An empty set over the atoms of `seed`.
    pub fn new(seed: u64) -> Self {
        MapISet {
            book: Codebook::new(seed),
            bundle: IntegerVector::zero(),
            len: 0,
        }
    }

    fn atom(&self, key: u32) -> IntegerVector<T, W> {
        IntegerVector::from_binary(&self.book.vector(key))
    }

    /// Adds `key`.
    pub fn insert(&mut self, key: u32) {
        self.bundle = self.bundle.bundle(&self.atom(key));
        self.len += 1;
    }

    /// Removes `key` (subtracts its atom; the caller knows it was added).
    pub fn remove(&mut self, key: u32) {
        let neg = IntegerVector::from_binary(&self.book.vector::<W>(key).complement());
        self.bundle = self.bundle.bundle(&neg);
        self.len = self.len.saturating_sub(1);
    }

    /// The score `⟨s_j, b⟩`.
    pub fn score(&self, key: u32) -> i64 {
        self.bundle.dot(&self.atom(key))
    }

    /// Membership at the midpoint threshold `2·score ≥ D`.
    pub fn contains(&self, key: u32) -> bool {
        2 * self.score(key) >= BinaryVector::<W>::DIM as i64
    }

    /// The estimated intersection size `⟨b_X, b_Y⟩/D` (same seed).
    pub fn estimate_intersection(&self, other: &Self) -> f64 {
        self.bundle.dot(&other.bundle) as f64 / BinaryVector::<W>::DIM as f64
    }

    /// The estimated set size `‖b‖²/D`.
    pub fn estimate_len(&self) -> f64 {
        self.bundle.norm_squared() as f64 / BinaryVector::<W>::DIM as f64
    }

    /// Items added minus items removed.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A MAP-B set: the sign of the MAP-I bundle (ties broken by the tie vector), 1 bit per
/// coordinate once frozen. Membership: `hamming(β, s_j) ≤ ⌊D(2 − p_n)/4⌋`; intersection by
/// Sheppard's formula `√(|X||Y|)·sin(π r/2)`, `r = ⟨β_X, β_Y⟩/D`, with the sizes kept beside β.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapBSet<const W: usize> {
    book: Codebook,
    sign: BinaryVector<W>,
    len: u32,
}

impl<const W: usize> MapBSet<W> {
    /// The MAP-B set of `keys` over the atoms of `seed` (majority with seeded ties). Errors:
    /// no keys, or more than 65,535.
    pub fn from_keys(seed: u64, keys: &[u32]) -> Result<Self, Error> {
        let book = Codebook::new(seed);
        let (total, with_tie) = crate::binary::majority_total(keys.len() as u64)?;
        let tie = book.vector::<W>(crate::TIE_INDEX);
        let mut sign = BinaryVector::<W>::zero();
        let mut start = 0;
        while start < W {
            let mut counter = kernel::SlicedCounter::new(total);
            for &k in keys {
                let atom = book.vector::<W>(k);
                counter.push(&kernel::load_block(atom.as_words(), start));
            }
            if with_tie {
                counter.push(&kernel::load_block(tie.as_words(), start));
            }
            kernel::store_block(sign.as_words_mut(), start, &counter.at_least(total / 2 + 1));
            start += kernel::BLOCK;
        }
        Ok(MapBSet {
            book,
            sign,
            len: keys.len() as u32,
        })
    }

    /// The bit-packed sign vector.
    pub fn sign(&self) -> &BinaryVector<W> {
        &self.sign
    }

    /// Membership at the midpoint threshold.
    pub fn contains(&self, key: u32) -> bool {
        let h = self.sign.hamming(&self.book.vector(key));
        h <= mapb_threshold(BinaryVector::<W>::DIM as u32, self.len.max(1))
    }

    /// The estimated intersection size (same seed).
    pub fn estimate_intersection(&self, other: &Self) -> f64 {
        let d = BinaryVector::<W>::DIM as f64;
        let r = 1.0 - 2.0 * f64::from(self.sign.hamming(&other.sign)) / d;
        libm::sqrt(f64::from(self.len) * f64::from(other.len))
            * libm::sin(core::f64::consts::FRAC_PI_2 * r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bloom_has_no_false_negatives_and_estimates_sizes() {
        let mut a = Bloom::new([0u32; 64], 6, 1).unwrap();
        let mut b = Bloom::new([0u32; 64], 6, 1).unwrap();
        for k in 0..100u64 {
            a.insert(k);
        }
        for k in 60..160u64 {
            b.insert(k);
        }
        assert!((0..100).all(|k| a.contains(k)));
        assert!(
            (a.estimate_len() - 100.0).abs() < 10.0,
            "{}",
            a.estimate_len()
        );
        let i = a.estimate_intersection(&b).unwrap();
        assert!((i - 40.0).abs() < 12.0, "{i}");
        let mut u = a;
        u.union(&b).unwrap();
        assert!((0..160).all(|k| u.contains(k)));
        let other_seed = Bloom::new([0u32; 64], 6, 2).unwrap();
        assert!(u.union(&other_seed).is_err());
        assert!(Bloom::new([0u32; 0], 6, 1).is_err());
        assert!(Bloom::new([0u32; 4], 0, 1).is_err());
    }

    #[test]
    fn blocked_bloom_and_counting_and_segmented() {
        let mut f = BlockedBloom::new([0u32; 64], 7, 3).unwrap();
        for k in 0..100u64 {
            f.insert(k);
        }
        assert!((0..100).all(|k| f.contains(k)));
        let fp = (1000..11000u64).filter(|&k| f.contains(k)).count();
        assert!(fp < 1000, "{fp}"); // 2048 bits, 100 keys: a few percent
        assert!(BlockedBloom::new([0u32; 20], 7, 3).is_err());

        let mut c = Counting::new([0u8; 512], 4, 4).unwrap();
        c.insert(7);
        c.insert(7);
        c.insert(8);
        assert!(c.remove(7) && c.contains(7));
        assert!(c.remove(7) && !c.contains(7) && c.contains(8));
        assert!(!c.remove(99));
        let mut tiny = Counting::new([0u8; 1], 1, 0).unwrap();
        for _ in 0..300 {
            tiny.insert(1);
        }
        assert!(tiny.is_saturated());
        assert!(tiny.remove(1) && tiny.contains(1)); // saturated counters stay

        let mut s = Segmented::new([0u32; 32], 10, 100, 5).unwrap();
        for k in 0..60u64 {
            s.insert(k);
        }
        assert!((0..60).all(|k| s.contains(k)));
        assert!(
            (s.estimate_len() - 60.0).abs() < 8.0,
            "{}",
            s.estimate_len()
        );
        assert!(Segmented::new([0u32; 1], 10, 100, 5).is_err());
    }

    #[test]
    fn thinning_lowers_density_and_keeps_similarity() {
        let book = Codebook::new(6);
        // Sparse atoms: AND of three random vectors (density 1/8); bundle 6 by OR.
        let sparse = |i: u32| {
            let (a, b, c): (BinaryVector<64>, BinaryVector<64>, BinaryVector<64>) = (
                book.vector(3 * i),
                book.vector(3 * i + 1),
                book.vector(3 * i + 2),
            );
            BinaryVector::from_words(core::array::from_fn(|w| {
                a.as_words()[w] & b.as_words()[w] & c.as_words()[w]
            }))
        };
        let or = |v: &[BinaryVector<64>]| {
            BinaryVector::<64>::from_words(core::array::from_fn(|w| {
                v.iter().fold(0, |acc, x| acc | x.as_words()[w])
            }))
        };
        let atoms: [BinaryVector<64>; 7] = core::array::from_fn(|i| sparse(i as u32));
        let z = or(&atoms[..6]);
        let z2 = or(&atoms[1..7]);
        let t = thin(&z, 9, 2);
        // Density falls to about p·(1 − (1 − p)^R).
        let p = z.density();
        let expected = p * (1.0 - (1.0 - p) * (1.0 - p));
        assert!(
            (t.density() - expected).abs() < 0.03,
            "{} vs {expected}",
            t.density()
        );
        assert!(thin(&z, 9, 1).density() < t.density());
        assert_eq!(thin(&z, 9, 2), t);
        let overlap = |a: &BinaryVector<64>, b: &BinaryVector<64>| {
            a.as_words()
                .iter()
                .zip(b.as_words())
                .map(|(x, y)| (x & y).count_ones())
                .sum::<u32>() as f32
                / a.count_ones().max(1) as f32
        };
        let t2 = thin(&z2, 9, 2);
        assert!(overlap(&t, &t2) > 0.5, "{}", overlap(&t, &t2));
    }

    #[test]
    fn dense_sets_test_membership_and_intersection() {
        let mut x = MapISet::<64, i8>::new(8);
        let mut y = MapISet::<64, i8>::new(8);
        for k in 0..16 {
            x.insert(k);
        }
        for k in 8..24 {
            y.insert(k);
        }
        assert!((0..16).all(|k| x.contains(k)));
        assert!((100..200).filter(|&k| x.contains(k)).count() < 5);
        assert!((x.estimate_intersection(&y) - 8.0).abs() < 4.0);
        assert!((x.estimate_len() - 16.0).abs() < 4.0);
        x.remove(0);
        assert_eq!(x.len(), 15);
        let keys_x: [u32; 16] = core::array::from_fn(|i| i as u32);
        let keys_y: [u32; 16] = core::array::from_fn(|i| 8 + i as u32);
        let bx = MapBSet::<64>::from_keys(8, &keys_x).unwrap();
        let by = MapBSet::<64>::from_keys(8, &keys_y).unwrap();
        assert!((0..16).filter(|&k| bx.contains(k)).count() >= 15);
        assert!((100..200).filter(|&k| bx.contains(k)).count() < 10);
        assert!((bx.estimate_intersection(&by) - 8.0).abs() < 5.0);
        assert!(MapBSet::<8>::from_keys(1, &[]).is_err());
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn sketches_roundtrip_through_blobs_in_place() {
        let mut b = Bloom::new(alloc::vec![0u32; 32], 5, 11).unwrap();
        for k in 0..40u64 {
            b.insert(k);
        }
        let blob = crate::model::AlignedBlob::new(&b.to_blob().unwrap());
        let view = Bloom::from_bytes(blob.as_bytes()).unwrap();
        assert!((0..40).all(|k| view.contains(k)));
        assert_eq!(view.words(), b.words());
        assert!(BlockedBloom::from_bytes(blob.as_bytes()).is_err()); // another variant
        let mut f = BlockedBloom::new(alloc::vec![0u32; 32], 5, 11).unwrap();
        f.insert(3);
        let blob = crate::model::AlignedBlob::new(&f.to_blob().unwrap());
        assert!(BlockedBloom::from_bytes(blob.as_bytes())
            .unwrap()
            .contains(3));
    }
}
