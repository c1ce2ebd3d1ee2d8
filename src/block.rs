//! Sparse block codes: D = B·L bits cut into B blocks of L positions, exactly one position
//! active in each block, stored as the B positions.
//!
//! **What.** Sparse block codes (Laiho, Poikonen, Kanerva & Lehtonen, *High-dimensional
//! computing with sparse vectors*, IEEE BioCAS 2015; the B-SBC of torchhd) keep the binding of
//! dense codes exact while storing B positions instead of B·L bits:
//! - **bind**: blockwise addition of positions mod L (a cyclic shift of each block); its
//!   inverse, **unbind**, subtracts; both exact and invertible.
//! - **bundle**: in each block the position held by most inputs wins (a blockwise argmax of
//!   counts), ties broken by a seeded hash, so a bundle is again a block code;
//!   [`BlockAccumulator`] does the same streaming, with weights and removal.
//! - **similarity**: the number of blocks whose positions are equal ([`BlockVector::matches`]);
//!   two random codes match in B/L blocks on average.
//! - **permute**: a cyclic rotation of the blocks.
//!
//! The planner ([`crate::plan`], [`Vsa::SparseBlock`](crate::plan::Vsa::SparseBlock)) knows
//! them: a member of an argmax bundle of n codes keeps its position in a block with the
//! probability [`member_match`](crate::plan::block_member_match), a non-member with 1/L, and
//! the membership test is a threshold on matching blocks.
//!
//! The shape is const generic ([`BlockVector<B, L>`]); [`random_into`], [`bind_into`],
//! [`inverse_into`], [`bundle_into`], [`bundle_counted_into`] and [`matches()`] take codes as slices of positions and
//! L at run time (for the Python package and the C library), with the same loops and so the
//! same positions.
//!
//! **Cost.** Storage: 2·B bytes a vector (`u16` positions; one byte each would do for
//! L ≤ 256, as the planner counts). Bind, unbind and matches: B additions or comparisons,
//! independent of L. A bundle of n codes: `O(B·n²)` comparisons and no counters (for large
//! n, [`BlockAccumulator`] holds B·L `u16` counters instead, and [`bundle_counted_into`]
//! counts one block at a time in L counters the caller lends). A codebook item: B words of the
//! [`Codebook`] generator, each mapped to a position by a 32×32-bit multiply, the same on every
//! target.
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::codebook::Codebook;
use crate::error::Error;
use crate::rng::mix64;

/// A sparse block code of B blocks of L positions (D = B·L).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BlockVector<const B: usize, const L: usize> {
    positions: [u16; B],
}

impl<const B: usize, const L: usize> BlockVector<B, L> {
    /// The dimension D = B·L.
    pub const DIM: usize = B * L;

    const SHAPE: () = assert!(
        B > 0 && L > 1 && L <= 1 << 16,
        "hyperbits: a block code needs B ≥ 1 blocks of 2 to 65,536 positions"
    );

    /// The code whose active positions are all 0 (the identity of binding).
    pub const fn identity() -> Self {
        let () = Self::SHAPE;
        BlockVector { positions: [0; B] }
    }

    /// A code from its positions; an error if one is not below L.
    pub fn from_positions(positions: [u16; B]) -> Result<Self, Error> {
        let () = Self::SHAPE;
        match positions.iter().position(|&p| usize::from(p) >= L) {
            Some(b) => Err(Error::IndexOutOfRange {
                index: usize::from(positions[b]),
                len: L,
            }),
            None => Ok(BlockVector { positions }),
        }
    }

    /// Item `index` of `book`: position b is `⌊word_b · L / 2³²⌋` for the B words of the
    /// codebook's item (the same words as [`Codebook::vector`] of B words).
    pub fn random(book: &Codebook, index: u32) -> Self {
        let () = Self::SHAPE;
        let words: BinaryVector<B> = book.vector(index);
        let mut positions = [0u16; B];
        positions_of(words.as_words(), L, &mut positions);
        BlockVector { positions }
    }

    /// The active position of each block.
    pub fn positions(&self) -> &[u16; B] {
        &self.positions
    }

    /// Binding: positions added block by block, mod L.
    pub fn bind(&self, other: &Self) -> Self {
        let mut out = Self::identity();
        add_positions(&self.positions, &other.positions, L, &mut out.positions);
        out
    }

    /// Unbinding, the inverse of [`bind`](Self::bind): `a.bind(&b).unbind(&b) == a`.
    pub fn unbind(&self, other: &Self) -> Self {
        self.bind(&other.inverse())
    }

    /// The inverse under binding: positions negated mod L.
    pub fn inverse(&self) -> Self {
        let mut out = Self::identity();
        negate_positions(&self.positions, L, &mut out.positions);
        out
    }

    /// Permutation: block b moves to block `(b + shift) mod B`.
    pub fn permute(&self, shift: usize) -> Self {
        let mut out = *self;
        out.positions.rotate_right(shift % B);
        out
    }

    /// The inverse of [`permute`](Self::permute) by the same `shift`.
    pub fn inverse_permute(&self, shift: usize) -> Self {
        let mut out = *self;
        out.positions.rotate_left(shift % B);
        out
    }

    /// The number of blocks whose active positions are equal, in `0..=B`.
    pub fn matches(&self, other: &Self) -> u32 {
        equal_positions(&self.positions, &other.positions)
    }

    /// [`matches`](Self::matches) over B, in `[0, 1]`: about 1/L for unrelated codes.
    pub fn similarity(&self, other: &Self) -> f32 {
        self.matches(other) as f32 / B as f32
    }

    /// The bundle: in each block, the position most inputs hold; among equally common
    /// positions, the one with the smallest seeded hash of `(tie_seed, block, position)`.
    ///
    /// Errors: [`Error::EmptyBundle`] for no input.
    pub fn bundle(vectors: &[&Self], tie_seed: u64) -> Result<Self, Error> {
        if vectors.is_empty() {
            return Err(Error::EmptyBundle);
        }
        let mut out = Self::identity();
        let rows = |i: usize| -> &[u16] { &vectors[i].positions };
        bundle_positions(vectors.len(), rows, tie_seed, &mut out.positions);
        Ok(out)
    }

    /// The code as B·L bits: bit `b·L + position_b` set for each block. W·32 must equal D.
    pub fn to_binary<const W: usize>(&self) -> Result<BinaryVector<W>, Error> {
        if W * 32 != Self::DIM {
            return Err(Error::LengthMismatch {
                expected: Self::DIM,
                found: W * 32,
            });
        }
        let mut out = BinaryVector::<W>::zero();
        for (b, &p) in self.positions.iter().enumerate() {
            out.set_bit(b * L + usize::from(p), true)?;
        }
        Ok(out)
    }

    /// The code from its bits (as [`to_binary`](Self::to_binary) writes them); an error when
    /// the lengths differ or a block does not hold exactly one set bit.
    pub fn from_binary<const W: usize>(bits: &BinaryVector<W>) -> Result<Self, Error> {
        if W * 32 != Self::DIM {
            return Err(Error::LengthMismatch {
                expected: Self::DIM,
                found: W * 32,
            });
        }
        let mut out = Self::identity();
        let all = bits.as_bits();
        for (b, slot) in out.positions.iter_mut().enumerate() {
            let block = &all[b * L..(b + 1) * L];
            if block.count_ones() != 1 {
                return Err(Error::InvalidParameter(
                    "a block of a block code holds exactly one set bit",
                ));
            }
            *slot = block.first_one().unwrap_or(0) as u16;
        }
        Ok(out)
    }
}

impl<const B: usize, const L: usize> core::fmt::Debug for BlockVector<B, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "BlockVector<{B}×{L}>({:?}…)",
            &self.positions[..B.min(4)]
        )
    }
}

// Run-time shape: codes as slices of positions, B their length and L given at run time, for
// the adapters that learn the shape when they run (Python, C); the typed methods
// above share their loops, so both give the same positions.

/// Checks a block length L given at run time: 2 to 65,536 positions.
fn check_length(length: usize) -> Result<(), Error> {
    if (2..=1 << 16).contains(&length) {
        Ok(())
    } else {
        Err(Error::InvalidParameter(
            "a block code needs blocks of 2 to 65,536 positions",
        ))
    }
}

/// Checks that a code has `blocks` positions, each below `length`.
fn check_code(code: &[u16], blocks: usize, length: usize) -> Result<(), Error> {
    if code.len() != blocks {
        return Err(Error::LengthMismatch {
            expected: blocks,
            found: code.len(),
        });
    }
    match code.iter().find(|&&p| usize::from(p) >= length) {
        Some(&p) => Err(Error::IndexOutOfRange {
            index: usize::from(p),
            len: length,
        }),
        None => Ok(()),
    }
}

/// Item `index` of `book` as a code of `out.len()` blocks of `length` positions: the same
/// positions as [`BlockVector::random`]. Errors: `length` outside 2..=65,536.
pub fn random_into(
    book: &Codebook,
    index: u32,
    length: usize,
    out: &mut [u16],
) -> Result<(), Error> {
    check_length(length)?;
    for (b, chunk) in out.chunks_mut(crate::kernel::BLOCK).enumerate() {
        positions_of(&book.block(index, b as u32), length, chunk);
    }
    Ok(())
}

/// `out = a ⊛ b` ([`BlockVector::bind`]) for codes of `out.len()` blocks of `length`
/// positions. Errors: a bad length, codes of another number of blocks, or a position not
/// below `length`.
pub fn bind_into(a: &[u16], b: &[u16], length: usize, out: &mut [u16]) -> Result<(), Error> {
    check_length(length)?;
    check_code(a, out.len(), length)?;
    check_code(b, out.len(), length)?;
    add_positions(a, b, length, out);
    Ok(())
}

/// `out = a⁻¹` ([`BlockVector::inverse`]); unbinding is `bind_into(a, b⁻¹)`. Errors as
/// [`bind_into`].
pub fn inverse_into(a: &[u16], length: usize, out: &mut [u16]) -> Result<(), Error> {
    check_length(length)?;
    check_code(a, out.len(), length)?;
    negate_positions(a, length, out);
    Ok(())
}

/// Checks the inputs of a bundle: at least one code, each of `blocks` positions below `length`.
fn check_bundle<T: AsRef<[u16]>>(codes: &[T], blocks: usize, length: usize) -> Result<(), Error> {
    check_length(length)?;
    if codes.is_empty() {
        return Err(Error::EmptyBundle);
    }
    codes
        .iter()
        .try_for_each(|c| check_code(c.as_ref(), blocks, length))
}

/// The argmax bundle of `codes` ([`BlockVector::bundle`]) of `out.len()` blocks of `length`
/// positions, comparing the codes pairwise (`O(B·n²)`, no memory). Errors: no code
/// ([`Error::EmptyBundle`]), a bad `length`, a code of another number of blocks, or a position
/// not below `length`.
pub fn bundle_into<T: AsRef<[u16]>>(
    codes: &[T],
    length: usize,
    tie_seed: u64,
    out: &mut [u16],
) -> Result<(), Error> {
    check_bundle(codes, out.len(), length)?;
    bundle_positions(codes.len(), |i| codes[i].as_ref(), tie_seed, out);
    Ok(())
}

/// [`bundle_into`] by counting: `counts` (one per position, L of them) is scratch, and the
/// cost is `O(B·(n + L))` instead of `O(B·n²)`, for many codes. The same code as
/// [`bundle_into`] and [`BlockVector::bundle`]. Errors: as [`bundle_into`], or `counts` not
/// `length` long.
pub fn bundle_counted_into<T: AsRef<[u16]>>(
    codes: &[T],
    length: usize,
    tie_seed: u64,
    counts: &mut [u32],
    out: &mut [u16],
) -> Result<(), Error> {
    check_bundle(codes, out.len(), length)?;
    if counts.len() != length {
        return Err(Error::LengthMismatch {
            expected: length,
            found: counts.len(),
        });
    }
    for (b, slot) in out.iter_mut().enumerate() {
        counts.fill(0);
        for code in codes {
            let c = &mut counts[usize::from(code.as_ref()[b])];
            *c = c.saturating_add(1);
        }
        *slot = most_counted(counts, b, tie_seed);
    }
    Ok(())
}

/// The position with the largest count in block `block` (ties: the smallest
/// [`tie_rank`]; 0 when every count is 0).
fn most_counted<C: Copy + Into<u32>>(counts: &[C], block: usize, tie_seed: u64) -> u16 {
    // The ranks are hashes: computed only when two positions tie.
    let (mut count, mut rank, mut position) = (0u32, None, 0u16);
    for (p, &c) in counts.iter().enumerate() {
        let (c, p) = (c.into(), p as u16);
        if c == 0 || c < count {
            continue;
        }
        if c > count {
            (count, rank, position) = (c, None, p);
            continue;
        }
        let held = rank.unwrap_or_else(|| tie_rank(tie_seed, block, position));
        let mine = tie_rank(tie_seed, block, p);
        if mine < held {
            (rank, position) = (Some(mine), p);
        } else {
            rank = Some(held);
        }
    }
    position
}

/// The number of blocks in which `a` and `b` hold the same position
/// ([`BlockVector::matches`]). Errors: codes of different lengths.
pub fn matches(a: &[u16], b: &[u16]) -> Result<u32, Error> {
    if a.len() != b.len() {
        return Err(Error::LengthMismatch {
            expected: a.len(),
            found: b.len(),
        });
    }
    Ok(equal_positions(a, b))
}

/// Position b is `⌊words[b] · length / 2³²⌋`.
fn positions_of(words: &[u32], length: usize, out: &mut [u16]) {
    for (p, &w) in out.iter_mut().zip(words) {
        *p = ((u64::from(w) * length as u64) >> 32) as u16;
    }
}

/// `out = a + b` block by block, mod `length` (positions below `length`, so the sum is
/// below 2·length and one subtraction reduces it: no division).
fn add_positions(a: &[u16], b: &[u16], length: usize, out: &mut [u16]) {
    for ((o, &p), &q) in out.iter_mut().zip(a).zip(b) {
        let sum = usize::from(p) + usize::from(q);
        *o = if sum >= length { sum - length } else { sum } as u16;
    }
}

/// `out = -a` block by block, mod `length` (positions below `length`).
fn negate_positions(a: &[u16], length: usize, out: &mut [u16]) {
    for (o, &p) in out.iter_mut().zip(a) {
        *o = if p == 0 { 0 } else { length - usize::from(p) } as u16;
    }
}

fn equal_positions(a: &[u16], b: &[u16]) -> u32 {
    a.iter().zip(b).filter(|(p, q)| p == q).count() as u32
}

/// The argmax bundle of `n` codes (`row(i)` the positions of code i, each as long as `out`):
/// in each block the position most codes hold, ties by [`tie_rank`].
fn bundle_positions<'a>(
    n: usize,
    row: impl Fn(usize) -> &'a [u16],
    tie_seed: u64,
    out: &mut [u16],
) {
    for (b, slot) in out.iter_mut().enumerate() {
        let mut best = (0usize, 0u64, 0u16);
        for i in 0..n {
            let p = row(i)[b];
            // Count each distinct position once, at its first holder.
            if (0..i).any(|u| row(u)[b] == p) {
                continue;
            }
            let count = (i..n).filter(|&u| row(u)[b] == p).count();
            let rank = tie_rank(tie_seed, b, p);
            if count > best.0 || (count == best.0 && rank < best.1) {
                best = (count, rank, p);
            }
        }
        *slot = best.2;
    }
}

/// The seeded tie order of position `p` in block `b`.
fn tie_rank(seed: u64, block: usize, position: u16) -> u64 {
    mix64(seed ^ mix64(((block as u64) << 16) | u64::from(position)))
}

/// Streaming, weighted bundling of block codes: one `u16` counter per position of every block
/// (B·L counters, 2·B·L bytes), saturating.
#[derive(Clone)]
pub struct BlockAccumulator<const B: usize, const L: usize> {
    counts: [[u16; L]; B],
    added: u32,
}

impl<const B: usize, const L: usize> BlockAccumulator<B, L> {
    /// An empty accumulator.
    pub const fn new() -> Self {
        BlockAccumulator {
            counts: [[0; L]; B],
            added: 0,
        }
    }

    /// Adds `v` with weight 1.
    pub fn add(&mut self, v: &BlockVector<B, L>) {
        self.add_weighted(v, 1);
    }

    /// Adds `v` `weight` times (counters saturate at 65,535).
    pub fn add_weighted(&mut self, v: &BlockVector<B, L>, weight: u16) {
        for (counts, &p) in self.counts.iter_mut().zip(&v.positions) {
            let c = &mut counts[usize::from(p)];
            *c = c.saturating_add(weight);
        }
        self.added = self.added.saturating_add(u32::from(weight));
    }

    /// Removes one earlier [`add`](Self::add) of `v` (counters stop at 0).
    pub fn remove(&mut self, v: &BlockVector<B, L>) {
        for (counts, &p) in self.counts.iter_mut().zip(&v.positions) {
            let c = &mut counts[usize::from(p)];
            *c = c.saturating_sub(1);
        }
        self.added = self.added.saturating_sub(1);
    }

    /// The total weight added (less what was removed).
    pub fn count(&self) -> u32 {
        self.added
    }

    /// The bundle: each block's most counted position, ties as [`BlockVector::bundle`].
    ///
    /// Errors: [`Error::EmptyBundle`] when nothing was added.
    pub fn to_vector(&self, tie_seed: u64) -> Result<BlockVector<B, L>, Error> {
        if self.added == 0 {
            return Err(Error::EmptyBundle);
        }
        let mut out = BlockVector::identity();
        for (b, (slot, counts)) in out.positions.iter_mut().zip(&self.counts).enumerate() {
            *slot = most_counted(counts, b, tie_seed);
        }
        Ok(out)
    }

    /// Forgets everything added.
    pub fn clear(&mut self) {
        *self = Self::new();
    }
}

impl<const B: usize, const L: usize> Default for BlockAccumulator<B, L> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::boxed::Box;
    use std::vec::Vec;

    type Code = BlockVector<64, 32>;

    fn item(i: u32) -> Code {
        BlockVector::random(&Codebook::new(3), i)
    }

    #[test]
    fn binding_is_exact_and_invertible() {
        let (a, b, c) = (item(0), item(1), item(2));
        assert_eq!(a.bind(&b).unbind(&b), a);
        assert_eq!(a.bind(&b), b.bind(&a));
        assert_eq!(a.bind(&b).bind(&c), a.bind(&b.bind(&c)));
        assert_eq!(a.bind(&a.inverse()), Code::identity());
        assert_eq!(a.permute(5).inverse_permute(5), a);
        assert_eq!(a.permute(64), a);
        // Binding keeps similarity: matches(a⊛c, b⊛c) = matches(a, b).
        assert_eq!(a.bind(&c).matches(&b.bind(&c)), a.matches(&b));
        // Unrelated codes match in about B/L = 2 blocks.
        let mean: f64 = (0..200)
            .map(|i| f64::from(item(i).matches(&item(i + 1))))
            .sum::<f64>()
            / 200.0;
        assert!((mean - 2.0).abs() < 0.4, "{mean}");
    }

    #[test]
    fn positions_are_uniform_and_checked() {
        let mut counts = [0u32; 32];
        for i in 0..200 {
            for &p in item(i).positions() {
                counts[usize::from(p)] += 1;
            }
        }
        // 12,800 draws over 32 positions: 400 each, sd 20.
        assert!(
            counts.iter().all(|&c| (300..500).contains(&c)),
            "{counts:?}"
        );
        assert!(BlockVector::<2, 8>::from_positions([7, 8]).is_err());
        assert_eq!(
            BlockVector::<2, 8>::from_positions([7, 0])
                .unwrap()
                .positions(),
            &[7, 0]
        );
    }

    #[test]
    fn the_run_time_shape_gives_the_typed_positions() {
        let book = Codebook::new(3);
        // 40 blocks: two full codebook blocks of 16 words and a partial one.
        type Odd = BlockVector<40, 100>;
        let (a, b, c) = (
            Odd::random(&book, 1),
            Odd::random(&book, 2),
            Odd::random(&book, 3),
        );
        let mut out = [0u16; 40];
        random_into(&book, 1, 100, &mut out).unwrap();
        assert_eq!(&out, a.positions());
        bind_into(a.positions(), b.positions(), 100, &mut out).unwrap();
        assert_eq!(&out, a.bind(&b).positions());
        inverse_into(a.positions(), 100, &mut out).unwrap();
        assert_eq!(&out, a.inverse().positions());
        let codes = [a.positions(), b.positions(), c.positions(), a.positions()];
        bundle_into(&codes, 100, 9, &mut out).unwrap();
        assert_eq!(&out, Odd::bundle(&[&a, &b, &c, &a], 9).unwrap().positions());
        // By counting: the same code, ties included (three codes, no majority in most blocks).
        let mut counts = [0u32; 100];
        let mut counted = [0u16; 40];
        for n in 1..=4 {
            bundle_counted_into(&codes[..n], 100, 9, &mut counts, &mut counted).unwrap();
            bundle_into(&codes[..n], 100, 9, &mut out).unwrap();
            assert_eq!(counted, out, "{n} codes");
        }
        assert!(bundle_counted_into(&codes, 100, 9, &mut counts[..99], &mut counted).is_err());
        assert!(bundle_counted_into(&codes, 50, 9, &mut counts[..50], &mut counted).is_err());
        assert!(bundle_counted_into::<&[u16]>(&[], 100, 9, &mut counts, &mut counted).is_err());
        assert_eq!(
            matches(a.positions(), &out),
            Ok(a.matches(&Odd::from_positions(out).unwrap()))
        );
        // Bad shapes and positions are errors, not panics.
        assert!(random_into(&book, 1, 1, &mut out).is_err());
        assert!(random_into(&book, 1, (1 << 16) + 1, &mut out).is_err());
        assert!(bind_into(&a.positions()[..39], b.positions(), 100, &mut out).is_err());
        assert!(bind_into(a.positions(), b.positions(), 50, &mut out).is_err());
        assert!(inverse_into(a.positions(), 100, &mut out[..39]).is_err());
        assert_eq!(
            bundle_into::<&[u16]>(&[], 100, 0, &mut out),
            Err(Error::EmptyBundle)
        );
        assert!(bundle_into(&[&a.positions()[..39]], 100, 0, &mut out).is_err());
        assert!(bundle_into(&codes, 50, 0, &mut out).is_err());
        assert!(matches(&out[..3], &out).is_err());
    }

    #[test]
    fn bits_round_trip() {
        let a = item(7);
        let bits: BinaryVector<64> = a.to_binary().unwrap();
        assert_eq!(bits.count_ones(), 64);
        assert_eq!(Code::from_binary(&bits).unwrap(), a);
        assert!(a.to_binary::<32>().is_err());
        let mut two = bits;
        two.set_bit(1, !bits.bit(1).unwrap()).unwrap();
        two.set_bit(0, !bits.bit(0).unwrap()).unwrap();
        let broken = Code::from_binary(&two);
        assert!(broken.is_err() || two == bits);
        assert!(Code::from_binary(&BinaryVector::<64>::zero()).is_err());
    }

    #[test]
    fn bundles_keep_their_members_and_agree_with_the_accumulator() {
        let members: Vec<Code> = (0..9).map(item).collect();
        let refs: Vec<&Code> = members.iter().collect();
        let bundle = Code::bundle(&refs, 11).unwrap();
        let mut acc = Box::new(BlockAccumulator::<64, 32>::new());
        members.iter().for_each(|m| acc.add(m));
        assert_eq!(acc.to_vector(11).unwrap(), bundle);
        assert_eq!(acc.count(), 9);
        for m in &members {
            // A member keeps its position in about 1/9 of the blocks or more; others in 1/32.
            assert!(m.matches(&bundle) >= 4, "{}", m.matches(&bundle));
        }
        let outsiders: u32 = (100..140).map(|i| item(i).matches(&bundle)).sum();
        assert!(outsiders < 40 * 5);
        // A majority wins outright.
        let a = item(50);
        let heavy = Code::bundle(&[&a, &a, &item(51)], 0).unwrap();
        assert_eq!(heavy, a);
        acc.clear();
        assert_eq!(acc.to_vector(0).err(), Some(Error::EmptyBundle));
        acc.add_weighted(&item(1), 3);
        acc.add(&item(2));
        acc.add(&item(2));
        assert_eq!(acc.to_vector(0).unwrap(), item(1));
        acc.remove(&item(1));
        acc.remove(&item(1));
        acc.add(&item(2));
        assert_eq!(acc.to_vector(0).unwrap(), item(2));
        assert_eq!(Code::bundle(&[], 0).err(), Some(Error::EmptyBundle));
    }

    #[test]
    fn a_planned_bundle_meets_its_error_target() {
        use crate::plan::{
            block_member_match, plan_membership, Model, Scope, Threshold, Vsa, SPARSE_BLOCK_LEN,
        };
        const N: u32 = 16;
        let plan =
            plan_membership(Vsa::SparseBlock, N, 0.01, Scope::PerQuery, Model::Typical).unwrap();
        assert_eq!((plan.k, plan.block_len), (94, SPARSE_BLOCK_LEN));
        let Threshold::MatchesAtLeast(t) = plan.threshold else {
            panic!("{:?}", plan.threshold)
        };
        type Planned = BlockVector<94, 256>;
        let (mut fp, mut fneg, mut kept) = (0u32, 0u32, 0u32);
        let trials = 1500u32;
        for trial in 0..trials {
            let book = Codebook::new(u64::from(trial));
            let members: Vec<Planned> = (0..N).map(|i| Planned::random(&book, i)).collect();
            let refs: Vec<&Planned> = members.iter().collect();
            let bundle = Planned::bundle(&refs, u64::from(trial)).unwrap();
            for m in &members {
                let hits = m.matches(&bundle);
                kept += hits;
                fneg += u32::from(hits < t);
            }
            for i in 0..N {
                fp += u32::from(Planned::random(&book, 1000 + i).matches(&bundle) >= t);
            }
        }
        let queries = f64::from(trials * N);
        let (fp, fneg) = (f64::from(fp) / queries, f64::from(fneg) / queries);
        // 24,000 queries each: a rate of 0.01 has a standard deviation of 0.00064.
        assert!(fp <= 0.0115 && fneg <= 0.0115, "fp {fp}, fn {fneg}");
        assert!((fp - plan.fp).abs() < 0.002, "fp {fp} vs {}", plan.fp);
        assert!((fneg - plan.fn_).abs() < 0.002, "fn {fneg} vs {}", plan.fn_);
        let q = f64::from(kept) / (queries * 94.0);
        let predicted = block_member_match(N, 256);
        assert!(
            (q - predicted).abs() < 0.002,
            "member match {q} vs {predicted}"
        );
    }

    #[test]
    fn ties_depend_on_the_seed_only() {
        let (a, b) = (item(1), item(2));
        let ab = Code::bundle(&[&a, &b], 5).unwrap();
        assert_eq!(ab, Code::bundle(&[&b, &a], 5).unwrap());
        let from_a = ab.matches(&a);
        let from_b = ab.matches(&b);
        // Every block is one of the two (unless they agree there).
        assert!(from_a + from_b >= 64);
        assert!(from_a > 16 && from_b > 16, "{from_a} {from_b}");
        assert_ne!(ab, Code::bundle(&[&a, &b], 6).unwrap());
    }
}
