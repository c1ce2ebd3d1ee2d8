//! Dense binary hypervectors (BSC / MAP-B): D bits packed into `u32` words.
//!
//! The binary spatter code (Kanerva 1994) and the bipolar MAP-B model share this layout: bit
//! 0 stands for +1 and bit 1 for −1, so binding (element-wise product in MAP-B) is XOR,
//! bundling is the bitwise majority (the sign of the bipolar sum) and the bipolar dot product
//! is `D − 2·hamming`.
//!
//! # Why `u32` words
//! The targets this crate is for (Cortex-M0/M3/M4/M33, RV32IMC) are 32-bit machines: a `u64`
//! costs them two registers and two instructions per operation, and none of them has a
//! popcount instruction for either width. `u32` words also let the dimension be any multiple of
//! 32 (D = 10,016 = 313 words is a common choice in the literature), where `u64` would force
//! multiples of 64. On x86_64 the kernels are vectorised (AVX-512 / AVX2), so the word width
//! of the storage does not limit host speed.
//!
//! # Choosing the dimension
//! The type takes the number of words `W`; write the dimension through [`words`], which rejects
//! a dimension that is not a positive multiple of 32 at compile time:
//!
//! ```
//! use hyperbits::{words, BinaryVector};
//! type Hv = BinaryVector<{ words(8192) }>;
//! assert_eq!(Hv::DIM, 8192);
//! ```
//!
//! ```compile_fail
//! use hyperbits::{words, BinaryVector};
//! type Bad = BinaryVector<{ words(8190) }>; // not a multiple of 32: compile error
//! let _ = Bad::zero();
//! ```
//!
//! ```compile_fail
//! use hyperbits::BinaryVector;
//! let _ = BinaryVector::<0>::zero(); // no words: compile error
//! ```
//!
//! Costs: bind, Hamming distance and density touch every word once (D/32 word operations);
//! a majority of k vectors costs about 5·k·D/32 logic operations through bit-sliced counters.
#![forbid(unsafe_code)]

use crate::codebook::{Codebook, TIE_INDEX};
use crate::error::Error;
use crate::kernel;
use bitvec::prelude::{BitSlice, Lsb0};
use core::fmt;

/// The number of `u32` words for a dimension of `dim` bits.
///
/// Used in a const context (`BinaryVector<{ words(D) }>`), a `dim` that is zero or not a
/// multiple of 32 is a compile-time error with this message.
pub const fn words(dim: usize) -> usize {
    assert!(
        dim > 0 && dim.is_multiple_of(32),
        "hyperbits: the dimension must be a positive multiple of 32 (bits are packed into u32 words)"
    );
    dim / 32
}

/// A dense binary hypervector of `32·W` bits.
///
/// ```
/// use hyperbits::{words, BinaryVector, Codebook};
/// let book = Codebook::new(1);
/// let (key, value): (BinaryVector<{ words(2048) }>, _) = (book.vector(0), book.vector(1));
/// let bound = key.bind(&value);
/// assert_eq!(bound.unbind(&key), value); // XOR is its own inverse
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BinaryVector<const W: usize> {
    words: [u32; W],
}

impl<const W: usize> BinaryVector<W> {
    /// The dimension D in bits.
    pub const DIM: usize = 32 * W;

    const NONEMPTY: () = assert!(W > 0, "hyperbits: a hypervector needs at least one word");

    /// The all-zero vector (all +1 in bipolar terms).
    pub const fn zero() -> Self {
        let () = Self::NONEMPTY;
        BinaryVector { words: [0; W] }
    }

    /// A vector from its packed words (bit `j` is bit `j % 32` of word `j / 32`).
    pub const fn from_words(words: [u32; W]) -> Self {
        let () = Self::NONEMPTY;
        BinaryVector { words }
    }

    /// The packed words.
    pub const fn as_words(&self) -> &[u32; W] {
        &self.words
    }

    /// The packed words, mutably.
    pub fn as_words_mut(&mut self) -> &mut [u32; W] {
        &mut self.words
    }

    /// A `bitvec` view of the bits, for bit-level access and iteration.
    pub fn as_bits(&self) -> &BitSlice<u32, Lsb0> {
        BitSlice::from_slice(&self.words)
    }

    /// A mutable `bitvec` view of the bits.
    pub fn as_bits_mut(&mut self) -> &mut BitSlice<u32, Lsb0> {
        BitSlice::from_slice_mut(&mut self.words)
    }

    /// Bit `index`, or an error if `index >= D`.
    pub fn bit(&self, index: usize) -> Result<bool, Error> {
        match self.words.get(index / 32) {
            Some(w) => Ok((w >> (index % 32)) & 1 == 1),
            None => Err(Error::IndexOutOfRange {
                index,
                len: Self::DIM,
            }),
        }
    }

    /// Sets bit `index` to `value`, or returns an error if `index >= D`.
    pub fn set_bit(&mut self, index: usize, value: bool) -> Result<(), Error> {
        match self.words.get_mut(index / 32) {
            Some(w) => {
                let mask = 1u32 << (index % 32);
                if value {
                    *w |= mask
                } else {
                    *w &= !mask
                }
                Ok(())
            }
            None => Err(Error::IndexOutOfRange {
                index,
                len: Self::DIM,
            }),
        }
    }

    /// Binding: element-wise XOR (the MAP-B product). Its own inverse; preserves distances.
    pub fn bind(&self, other: &Self) -> Self {
        let mut out = Self::zero();
        self.bind_into(other, &mut out);
        out
    }

    /// [`bind`](Self::bind) into `out`, which it overwrites (no vector returned by value: the
    /// form for large D and hot loops).
    #[inline]
    pub fn bind_into(&self, other: &Self, out: &mut Self) {
        kernel::xor(&mut out.words, &self.words, &other.words);
    }

    /// In-place [`bind`](Self::bind): `self ^= other`.
    pub fn bind_assign(&mut self, other: &Self) {
        kernel::xor_assign(&mut self.words, &other.words);
    }

    /// Unbinding, which for XOR is binding again: `a.bind(&b).unbind(&b) == a`.
    pub fn unbind(&self, other: &Self) -> Self {
        self.bind(other)
    }

    /// The bitwise complement (negation in bipolar terms).
    pub fn complement(&self) -> Self {
        let mut out = *self;
        for w in out.words.iter_mut() {
            *w = !*w;
        }
        out
    }

    /// Permutation: cyclic rotation by `shift` bits (bit `j` moves to `(j + shift) mod D`).
    /// Any amount is allowed; it is taken modulo D.
    pub fn permute(&self, shift: usize) -> Self {
        let mut out = Self::zero();
        self.permute_into(shift, &mut out);
        out
    }

    /// [`permute`](Self::permute) into `out`, which it overwrites.
    #[inline]
    pub fn permute_into(&self, shift: usize, out: &mut Self) {
        kernel::rotate_left(&self.words, &mut out.words, shift);
    }

    /// The inverse of [`permute`](Self::permute) by the same `shift`.
    pub fn inverse_permute(&self, shift: usize) -> Self {
        self.permute(Self::DIM - shift % Self::DIM)
    }

    /// Hamming distance: the number of differing bits, in `0..=D`.
    pub fn hamming(&self, other: &Self) -> u32 {
        kernel::hamming(&self.words, &other.words)
    }

    /// Normalised similarity `1 − hamming / D`, in `[0, 1]`: 1 for equal vectors, about 0.5 for
    /// unrelated random ones, 0 for complements.
    pub fn similarity(&self, other: &Self) -> f32 {
        1.0 - self.hamming(other) as f32 / Self::DIM as f32
    }

    /// The number of set bits.
    pub fn count_ones(&self) -> u32 {
        kernel::popcount(&self.words)
    }

    /// Density: the fraction of set bits, in `[0, 1]` (about 0.5 for a random vector).
    pub fn density(&self) -> f32 {
        self.count_ones() as f32 / Self::DIM as f32
    }

    /// Majority of three vectors (no ties possible); the fastest bundle.
    pub fn bundle3(a: &Self, b: &Self, c: &Self) -> Self {
        let mut out = Self::zero();
        Self::bundle3_into(a, b, c, &mut out);
        out
    }

    /// [`bundle3`](Self::bundle3) into `out`, which it overwrites.
    #[inline]
    pub fn bundle3_into(a: &Self, b: &Self, c: &Self, out: &mut Self) {
        kernel::majority3(&mut out.words, &a.words, &b.words, &c.words);
    }

    /// Bundling: the bitwise majority of `vectors`.
    ///
    /// With an even count a bit can tie; ties take the bit of the tie-breaking vector
    /// `Codebook::new(tie_seed).vector(TIE_INDEX)`, which is the same as adding that vector as
    /// one more input. With an odd count `tie_seed` is unused. Errors: no vectors, or more than
    /// 65,535 (use an [`Accumulator`](crate::Accumulator) for longer streams).
    ///
    /// ```
    /// use hyperbits::{BinaryVector, Codebook};
    /// let book = Codebook::new(3);
    /// let v: [BinaryVector<256>; 3] = core::array::from_fn(|i| book.vector(i as u32));
    /// let b = BinaryVector::bundle(&[&v[0], &v[1], &v[2]], 0).unwrap();
    /// assert!(b.similarity(&v[0]) > 0.7); // 0.75 in expectation for k = 3
    /// ```
    pub fn bundle(vectors: &[&Self], tie_seed: u64) -> Result<Self, Error> {
        let k = vectors.len();
        let (_, with_tie) = majority_total(k as u64)?;
        if k == 3 {
            return Ok(Self::bundle3(vectors[0], vectors[1], vectors[2]));
        }
        let tie: Option<Self> = with_tie.then(|| Codebook::new(tie_seed).vector(TIE_INDEX));
        let mut out = Self::zero();
        kernel::majority(vectors, tie.as_ref().map(|t| &t.words[..]), &mut out.words);
        Ok(out)
    }

    /// Weighted bundling: bit `j` is set when the weights of the vectors with bit `j` set add
    /// up to more than half of the total weight. Ties (possible when the total is even) take
    /// the bit of the tie vector of `tie_seed`, as in [`bundle`](Self::bundle). Zero weights
    /// are allowed. Errors: total weight 0, or above 65,535.
    pub fn bundle_weighted(weighted: &[(&Self, u32)], tie_seed: u64) -> Result<Self, Error> {
        let weight: u64 = weighted.iter().map(|(_, w)| u64::from(*w)).sum();
        let (total, with_tie) = majority_total(weight)?;
        let tie: Option<Self> = with_tie.then(|| Codebook::new(tie_seed).vector(TIE_INDEX));
        Ok(Self::bundle_weighted_unchecked(
            weighted.iter().map(|(v, w)| (*v, *w)),
            total,
            tie.as_ref(),
        ))
    }

    /// Weighted majority through the bit-sliced counters, block by block. `total` (odd, at most
    /// `MAX_COUNT`) includes the tie vector's weight of 1.
    fn bundle_weighted_unchecked<'a>(
        inputs: impl Iterator<Item = (&'a Self, u32)> + Clone,
        total: u32,
        tie: Option<&Self>,
    ) -> Self {
        let mut out = Self::zero();
        let mut start = 0;
        while start < W {
            let mut counter = kernel::SlicedCounter::new(total);
            for (v, w) in inputs.clone() {
                counter.push_weighted(&kernel::load_block(&v.words, start), w);
            }
            if let Some(t) = tie {
                counter.push(&kernel::load_block(&t.words, start));
            }
            kernel::store_block(&mut out.words, start, &counter.at_least(total / 2 + 1));
            start += kernel::BLOCK;
        }
        out
    }
}

/// The number of inputs of a majority of `count` inputs (or units of weight) once a tie vector
/// is added to an even count, and whether one is. Errors: `count` is 0, or above 65,535 (the
/// counters hold 65,535; an even count, at most 65,534, leaves room for its tie).
pub(crate) fn majority_total(count: u64) -> Result<(u32, bool), Error> {
    if count == 0 {
        return Err(Error::EmptyBundle);
    }
    let with_tie = count.is_multiple_of(2);
    let total = count + u64::from(with_tie);
    if total > u64::from(kernel::MAX_COUNT) {
        return Err(Error::TooManyInputs {
            given: count,
            max: u64::from(kernel::MAX_COUNT),
        });
    }
    Ok((total as u32, with_tie))
}

impl<const W: usize> AsRef<[u32]> for BinaryVector<W> {
    fn as_ref(&self) -> &[u32] {
        &self.words
    }
}

impl<const W: usize> Default for BinaryVector<W> {
    fn default() -> Self {
        Self::zero()
    }
}

impl<const W: usize> fmt::Debug for BinaryVector<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BinaryVector<D={}> {{ ", Self::DIM)?;
        for w in self.words.iter().take(4) {
            write!(f, "{w:08x} ")?;
        }
        if W > 4 {
            f.write_str("… ")?;
        }
        write!(f, "ones: {} }}", self.count_ones())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type V = BinaryVector<{ words(512) }>;

    fn naive_majority(vs: &[&V], tie: Option<&V>) -> V {
        let mut out = V::zero();
        let total = vs.len() + usize::from(tie.is_some());
        for j in 0..V::DIM {
            let mut c = vs.iter().filter(|v| v.bit(j).unwrap()).count();
            if let Some(t) = tie {
                c += usize::from(t.bit(j).unwrap());
            }
            out.set_bit(j, 2 * c > total).unwrap();
        }
        out
    }

    #[test]
    fn bundle_matches_naive_majority_for_all_small_counts() {
        let book = Codebook::new(11);
        let vs: [V; 9] = core::array::from_fn(|i| book.vector(i as u32));
        let refs: [&V; 9] = core::array::from_fn(|i| &vs[i]);
        let tie: V = Codebook::new(5).vector(TIE_INDEX);
        for k in 1..=9 {
            let got = V::bundle(&refs[..k], 5).unwrap();
            let want = naive_majority(&refs[..k], (k % 2 == 0).then_some(&tie));
            assert_eq!(got, want, "k={k}");
        }
    }

    #[test]
    fn large_bundles_agree_with_naive_majority() {
        let book = Codebook::new(12);
        let vs: [V; 101] = core::array::from_fn(|i| book.vector(i as u32));
        let refs: [&V; 101] = core::array::from_fn(|i| &vs[i]);
        for k in [65usize, 100, 101] {
            let tie: V = Codebook::new(9).vector(TIE_INDEX);
            let want = naive_majority(&refs[..k], (k % 2 == 0).then_some(&tie));
            assert_eq!(V::bundle(&refs[..k], 9).unwrap(), want, "k={k}");
        }
    }

    #[test]
    fn weighted_bundle_equals_repetition() {
        let book = Codebook::new(13);
        let (a, b, c): (V, V, V) = (book.vector(0), book.vector(1), book.vector(2));
        let weighted = V::bundle_weighted(&[(&a, 3), (&b, 1), (&c, 1)], 0).unwrap();
        let repeated = V::bundle(&[&a, &a, &a, &b, &c], 0).unwrap();
        assert_eq!(weighted, repeated);
        // weight 3 of 5 always wins
        assert_eq!(weighted, a);
    }

    #[test]
    fn in_place_forms_equal_the_returning_ones() {
        let book = crate::Codebook::new(4);
        let (a, b, c): (V, V, V) = (book.vector(0), book.vector(1), book.vector(2));
        let mut out = V::zero().complement(); // overwritten, whatever it held
        a.bind_into(&b, &mut out);
        assert_eq!(out, a.bind(&b));
        let mut assigned = a;
        assigned.bind_assign(&b);
        assert_eq!(assigned, a.bind(&b));
        V::bundle3_into(&a, &b, &c, &mut out);
        assert_eq!(out, V::bundle3(&a, &b, &c));
        for shift in [0, 1, 31, 32, 33, 511, 512, 1000] {
            a.permute_into(shift, &mut out);
            assert_eq!(out, a.permute(shift), "shift {shift}");
        }
    }

    #[test]
    fn bad_bundles_are_errors() {
        assert_eq!(V::bundle(&[], 0), Err(Error::EmptyBundle));
        let a = V::zero();
        assert_eq!(V::bundle_weighted(&[(&a, 0)], 0), Err(Error::EmptyBundle));
        assert!(matches!(
            V::bundle_weighted(&[(&a, 70_000)], 0),
            Err(Error::TooManyInputs { .. })
        ));
        // The limit the error reports is the one enforced: 65,535 (odd, no tie) passes, and
        // 65,534 (even, with its tie); 65,536 does not.
        assert!(V::bundle_weighted(&[(&a, 65_535)], 0).is_ok());
        assert!(V::bundle_weighted(&[(&a, 65_534)], 0).is_ok());
        assert_eq!(
            V::bundle_weighted(&[(&a, 65_536)], 0),
            Err(Error::TooManyInputs {
                given: 65_536,
                max: 65_535
            })
        );
    }

    #[test]
    fn bit_access_is_checked() {
        let mut v = V::zero();
        assert!(v.set_bit(511, true).is_ok());
        assert_eq!(v.bit(511), Ok(true));
        assert_eq!(v.as_words()[15], 1 << 31);
        assert!(v.as_bits()[511]);
        assert_eq!(
            v.bit(512),
            Err(Error::IndexOutOfRange {
                index: 512,
                len: 512
            })
        );
        assert!(v.set_bit(usize::MAX, true).is_err());
    }
}
