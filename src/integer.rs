//! Integer hypervectors (MAP-I): D small integers, bound by element-wise product and bundled by
//! saturating sums.
//!
//! MAP-I (Gayler 1998; the "multiply-add-permute" model with integer bundles) keeps the sums
//! that MAP-B throws away when it takes the sign, so a bundle can be un-bundled (subtract a
//! member) and inner products estimate overlaps (see `docs/capacity.md`, §2.2).
//! Elements are `i8`, `i16` or `i32` ([`Element`]); every arithmetic operation **saturates** at
//! the type's range instead of wrapping, so an overfull bundle degrades gracefully rather than
//! flipping signs. Dot products accumulate in `i64` (exact for `i8`/`i16` at any practical D;
//! saturating for `i32`). Cosine uses `micromath`'s `sqrt` refined by Newton steps (the
//! crate our users asked for; cheap on FPU-less cores), so every target computes the same
//! bits.
//!
//! The vector holds `32·W` elements, `W` being the word count of the matching
//! [`BinaryVector`], so the two convert into each other without size checks.
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::codebook::{Codebook, TIE_INDEX};
use crate::error::Error;
use core::fmt::Debug;
use micromath::F32Ext;

mod sealed {
    pub trait Sealed {}
    impl Sealed for i8 {}
    impl Sealed for i16 {}
    impl Sealed for i32 {}
}

/// An element type of [`IntegerVector`]: `i8`, `i16` or `i32`.
pub trait Element: Copy + Default + Ord + Debug + sealed::Sealed {
    /// Zero.
    const ZERO: Self;
    /// One.
    const ONE: Self;
    /// The largest value.
    const MAX: Self;
    /// The smallest value.
    const MIN: Self;
    /// Addition that clamps to `MIN..=MAX`.
    fn saturating_add(self, other: Self) -> Self;
    /// Multiplication that clamps to `MIN..=MAX`.
    fn saturating_mul(self, other: Self) -> Self;
    /// Negation that clamps (`-MIN` becomes `MAX`).
    fn saturating_neg(self) -> Self;
    /// Widening conversion.
    fn to_i64(self) -> i64;
    /// Addition modulo the type's range (used to detect saturation, never to compute values).
    fn wrapping_add(self, other: Self) -> Self;
}

macro_rules! element {
    ($t:ty) => {
        impl Element for $t {
            const ZERO: Self = 0;
            const ONE: Self = 1;
            const MAX: Self = <$t>::MAX;
            const MIN: Self = <$t>::MIN;
            #[inline(always)]
            fn saturating_add(self, other: Self) -> Self {
                <$t>::saturating_add(self, other)
            }
            #[inline(always)]
            fn saturating_mul(self, other: Self) -> Self {
                <$t>::saturating_mul(self, other)
            }
            #[inline(always)]
            fn saturating_neg(self) -> Self {
                <$t>::saturating_neg(self)
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                i64::from(self)
            }
            #[inline(always)]
            fn wrapping_add(self, other: Self) -> Self {
                <$t>::wrapping_add(self, other)
            }
        }
    };
}
element!(i8);
element!(i16);
element!(i32);

/// A MAP-I hypervector of `32·W` integers of type `T`.
///
/// ```
/// use hyperbits::{BinaryVector, Codebook, IntegerVector};
/// let book = Codebook::new(9);
/// let (a, b): (BinaryVector<64>, BinaryVector<64>) = (book.vector(0), book.vector(1));
/// let (ia, ib) = (IntegerVector::<i16, 64>::from_binary(&a), IntegerVector::from_binary(&b));
/// let set = ia.bundle(&ib);
/// assert!(set.dot(&ia) > set.dot(&IntegerVector::from_binary(&book.vector(2))));
/// assert_eq!(ia.bind(&ib).to_binary(0), a.bind(&b)); // product of ±1 is XOR of bits
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct IntegerVector<T: Element, const W: usize> {
    elems: [[T; 32]; W],
}

impl<T: Element, const W: usize> IntegerVector<T, W> {
    /// The dimension D (number of elements).
    pub const DIM: usize = 32 * W;

    /// The all-zero vector (the empty bundle).
    pub fn zero() -> Self {
        let _ = BinaryVector::<W>::zero(); // the same compile-time size check
        IntegerVector {
            elems: [[T::ZERO; 32]; W],
        }
    }

    /// The bipolar image of a binary vector: bit 0 becomes +1, bit 1 becomes −1.
    pub fn from_binary(v: &BinaryVector<W>) -> Self {
        let mut out = Self::zero();
        for (chunk, word) in out.elems.iter_mut().zip(v.as_words()) {
            for (i, e) in chunk.iter_mut().enumerate() {
                *e = if (word >> i) & 1 == 1 {
                    T::ONE.saturating_neg()
                } else {
                    T::ONE
                };
            }
        }
        out
    }

    /// The elements, in order.
    pub fn as_slice(&self) -> &[T] {
        self.elems.as_flattened()
    }

    /// The elements, mutably.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        self.elems.as_flattened_mut()
    }

    /// Element `index`, or an error if `index >= D`.
    pub fn get(&self, index: usize) -> Result<T, Error> {
        self.as_slice()
            .get(index)
            .copied()
            .ok_or(Error::IndexOutOfRange {
                index,
                len: Self::DIM,
            })
    }

    /// Binding: element-wise product, saturating.
    pub fn bind(&self, other: &Self) -> Self {
        self.zip_with(other, T::saturating_mul)
    }

    /// Bundling: element-wise sum, saturating.
    pub fn bundle(&self, other: &Self) -> Self {
        self.zip_with(other, T::saturating_add)
    }

    /// Cyclic rotation of the elements by `shift` places (element `j` moves to `(j + shift) mod D`).
    pub fn permute(&self, shift: usize) -> Self {
        let mut out = *self;
        out.as_mut_slice().rotate_right(shift % Self::DIM);
        out
    }

    /// The inverse of [`permute`](Self::permute).
    pub fn inverse_permute(&self, shift: usize) -> Self {
        let mut out = *self;
        out.as_mut_slice().rotate_left(shift % Self::DIM);
        out
    }

    /// The sign as a binary vector: bit 1 where the element is negative, 0 where positive;
    /// zeros take the bit of the tie vector `Codebook::new(tie_seed).vector(TIE_INDEX)`.
    pub fn to_binary(&self, tie_seed: u64) -> BinaryVector<W> {
        let mut out = BinaryVector::<W>::zero();
        let has_zero = self.as_slice().contains(&T::ZERO);
        let tie: BinaryVector<W> = if has_zero {
            Codebook::new(tie_seed).vector(TIE_INDEX)
        } else {
            BinaryVector::zero()
        };
        for ((word, chunk), t) in out
            .as_words_mut()
            .iter_mut()
            .zip(self.elems.iter())
            .zip(tie.as_words())
        {
            let mut w = 0u32;
            for (i, e) in chunk.iter().enumerate() {
                let bit = match (*e).cmp(&T::ZERO) {
                    core::cmp::Ordering::Less => 1,
                    core::cmp::Ordering::Greater => 0,
                    core::cmp::Ordering::Equal => (t >> i) & 1,
                };
                w |= bit << i;
            }
            *word = w;
        }
        out
    }

    /// Inner product, accumulated in `i64` (saturating; exact for `i8`/`i16`).
    pub fn dot(&self, other: &Self) -> i64 {
        self.as_slice()
            .iter()
            .zip(other.as_slice())
            .fold(0i64, |acc, (a, b)| {
                acc.saturating_add(a.to_i64().saturating_mul(b.to_i64()))
            })
    }

    /// Squared Euclidean norm (saturating `i64`).
    pub fn norm_squared(&self) -> i64 {
        self.dot(self)
    }

    /// Cosine similarity in `[-1, 1]` (0 if either vector is zero), in `f32` with a portable
    /// square root (relative error below 1e-6, the same bits on every target).
    pub fn cosine(&self, other: &Self) -> f32 {
        let (na, nb) = (self.norm_squared(), other.norm_squared());
        if na == 0 || nb == 0 {
            return 0.0;
        }
        let c = self.dot(other) as f32 / sqrt(na as f32 * nb as f32);
        c.clamp(-1.0, 1.0)
    }

    fn zip_with(&self, other: &Self, f: impl Fn(T, T) -> T) -> Self {
        let mut out = *self;
        for (a, b) in out.as_mut_slice().iter_mut().zip(other.as_slice()) {
            *a = f(*a, *b);
        }
        out
    }
}

/// Square root of a positive float: micromath's estimate (within 5 %) refined by two Newton
/// steps (relative error below 1e-6). Plain IEEE operations, so every target gets the same
/// bits; std's `sqrt` is deliberately not used even when available.
fn sqrt(a: f32) -> f32 {
    let mut x = F32Ext::sqrt(a);
    x = 0.5 * (x + a / x);
    0.5 * (x + a / x)
}

impl<T: Element, const W: usize> Default for IntegerVector<T, W> {
    fn default() -> Self {
        Self::zero()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        let mut a = IntegerVector::<i8, 1>::zero();
        a.as_mut_slice()[0] = 100;
        a.as_mut_slice()[1] = -100;
        a.as_mut_slice()[2] = i8::MIN;
        let s = a.bundle(&a);
        assert_eq!(&s.as_slice()[..3], &[127, -128, -128]);
        let p = a.bind(&a);
        assert_eq!(&p.as_slice()[..3], &[127, 127, 127]);
        // -1 * MIN saturates to MAX
        let mut m = IntegerVector::<i8, 1>::zero();
        m.as_mut_slice()[2] = -1;
        assert_eq!(a.bind(&m).as_slice()[2], 127);
    }

    #[test]
    fn dot_of_i32_extremes_saturates() {
        let mut a = IntegerVector::<i32, 1>::zero();
        for e in a.as_mut_slice() {
            *e = i32::MAX;
        }
        // Two products of i32::MAX² already exceed i64::MAX: the sum clamps.
        assert_eq!(a.dot(&a), i64::MAX);
        assert_eq!(a.cosine(&a), 1.0);
        let mut b = IntegerVector::<i16, 1>::zero();
        for e in b.as_mut_slice() {
            *e = i16::MIN;
        }
        assert_eq!(b.dot(&b), 32 * (1i64 << 30)); // exact for i16
    }

    #[test]
    fn sign_bipolar_roundtrip_and_ties() {
        let v: BinaryVector<3> = Codebook::new(4).vector(0);
        let i = IntegerVector::<i16, 3>::from_binary(&v);
        assert_eq!(i.to_binary(0), v);
        assert_eq!(i.norm_squared(), 96);
        let z = IntegerVector::<i16, 3>::zero();
        assert_eq!(z.to_binary(77), Codebook::new(77).vector(TIE_INDEX));
        assert_eq!(z.cosine(&i), 0.0);
        assert!((i.cosine(&i) - 1.0).abs() < 1e-6);
        assert!((i.cosine(&IntegerVector::zero().bundle(&i).bundle(&i)) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn permute_matches_binary_permute() {
        let v: BinaryVector<2> = Codebook::new(5).vector(1);
        let i = IntegerVector::<i8, 2>::from_binary(&v);
        for s in [0, 1, 31, 32, 63, 64, 100] {
            assert_eq!(i.permute(s).to_binary(0), v.permute(s));
            assert_eq!(i.permute(s).inverse_permute(s), i);
        }
        assert_eq!(
            i.get(64),
            Err(Error::IndexOutOfRange { index: 64, len: 64 })
        );
    }
}
