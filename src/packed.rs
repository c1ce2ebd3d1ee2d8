//! Packed vectors of a length known only at run time: slices of `u32` words, packed as
//! [`BinaryVector`](crate::BinaryVector) packs them (bit `i` is bit `i % 32` of word `i / 32`).
//!
//! The const-generic types are the API for code that knows its dimension when it is compiled;
//! these functions serve the adapters that learn it at run time (the C library, the Python
//! package, host tools). They run the same kernels, so they give the same bits; they check
//! lengths and counts and return an [`Error`] where the typed API checks at compile time.
//! Cost: as the typed operations, plus one length comparison per input.
#![forbid(unsafe_code)]

use crate::binary::majority_total;
use crate::error::Error;
use crate::kernel;

/// The most inputs a bundle takes: the bit-sliced counters hold 65,535, and an even count
/// takes one more input, its tie vector.
pub const MAX_BUNDLE: usize = kernel::MAX_COUNT as usize;

fn same_len(expected: usize, found: usize) -> Result<(), Error> {
    if expected == found {
        Ok(())
    } else {
        Err(Error::LengthMismatch { expected, found })
    }
}

/// Hamming distance of two vectors of the same length.
///
/// ```
/// assert_eq!(hyperbits::packed::hamming(&[0b1011, 0], &[0b0001, 1]), Ok(3));
/// ```
pub fn hamming(a: &[u32], b: &[u32]) -> Result<u32, Error> {
    same_len(a.len(), b.len())?;
    Ok(kernel::hamming(a, b))
}

/// The number of set bits.
pub fn count_ones(a: &[u32]) -> u32 {
    kernel::popcount(a)
}

/// Binding (XOR) into `out`: `out = a ^ b`. All three of one length.
pub fn bind_into(a: &[u32], b: &[u32], out: &mut [u32]) -> Result<(), Error> {
    same_len(a.len(), b.len())?;
    same_len(a.len(), out.len())?;
    kernel::xor(out, a, b);
    Ok(())
}

/// Bundling (bitwise majority) of `inputs` into `out`. An even number of inputs needs `tie`,
/// the tie-breaking vector, taken as one more input (with an odd number it is ignored); the
/// typed [`BinaryVector::bundle`](crate::BinaryVector::bundle) uses
/// `Codebook::new(seed).vector(TIE_INDEX)`, and the same vector here gives the same bits.
///
/// Errors: no inputs, more than [`MAX_BUNDLE`] with the tie, lengths that differ from `out`'s,
/// an even count without `tie`.
pub fn bundle_into<T: AsRef<[u32]>>(
    inputs: &[T],
    tie: Option<&[u32]>,
    out: &mut [u32],
) -> Result<(), Error> {
    let (_, with_tie) = majority_total(inputs.len() as u64)?;
    for v in inputs {
        same_len(out.len(), v.as_ref().len())?;
    }
    let tie = if with_tie {
        let t = tie.ok_or(Error::InvalidParameter(
            "an even number of inputs needs a tie vector",
        ))?;
        same_len(out.len(), t.len())?;
        Some(t)
    } else {
        None
    };
    kernel::majority(inputs, tie, out);
    Ok(())
}

/// Permutation into `out`: cyclic rotation of `src` by `shift` bits (bit `j` moves to
/// `(j + shift) mod D`, D = 32 · `src.len()`), as [`BinaryVector::permute`] rotates.
///
/// [`BinaryVector::permute`]: crate::BinaryVector::permute
pub fn permute_into(src: &[u32], shift: usize, out: &mut [u32]) -> Result<(), Error> {
    same_len(src.len(), out.len())?;
    if !src.is_empty() {
        kernel::rotate_left(src, out, shift % (32 * src.len()));
    }
    Ok(())
}

/// Rows of `items` (each `query.len()` words, one after another), checked against the query.
fn rows<'a>(query: &[u32], items: &'a [u32]) -> Result<core::slice::ChunksExact<'a, u32>, Error> {
    if query.is_empty() {
        return Err(Error::InvalidParameter("a vector needs at least one word"));
    }
    if !items.len().is_multiple_of(query.len()) {
        return Err(Error::LengthMismatch {
            expected: items.len() / query.len() * query.len() + query.len(),
            found: items.len(),
        });
    }
    Ok(items.chunks_exact(query.len()))
}

/// Index and Hamming distance of the row of `items` nearest to `query` (ties: the lowest
/// index); `None` when `items` is empty. `items` holds its rows one after another, each
/// `query.len()` words long. The scan runs the same kernel as
/// [`ItemMemory::nearest`](crate::ItemMemory::nearest).
pub fn nearest(query: &[u32], items: &[u32]) -> Result<Option<(usize, u32)>, Error> {
    Ok(kernel::nearest(query, rows(query, items)?))
}

/// The Hamming distance of `query` to every row of `items` (laid out as for [`nearest`]) into
/// `out`, which needs one entry per row.
pub fn distances_into(query: &[u32], items: &[u32], out: &mut [u32]) -> Result<(), Error> {
    let rows = rows(query, items)?;
    same_len(rows.len(), out.len())?;
    kernel::distances(query, rows, |i, d| out[i] = d);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BinaryVector, Codebook, TIE_INDEX};

    #[test]
    fn matches_the_typed_operations() {
        let book = Codebook::new(11);
        let v: [BinaryVector<9>; 4] = core::array::from_fn(|i| book.vector(i as u32));
        let w: [&[u32]; 4] = core::array::from_fn(|i| v[i].as_words().as_slice());
        assert_eq!(hamming(w[0], w[1]), Ok(v[0].hamming(&v[1])));
        assert_eq!(count_ones(w[2]), v[2].count_ones());
        let mut out = [0u32; 9];
        bind_into(w[0], w[1], &mut out).unwrap();
        assert_eq!(&out, v[0].bind(&v[1]).as_words());
        bundle_into(&w[..3], None, &mut out).unwrap();
        let typed = BinaryVector::bundle(&[&v[0], &v[1], &v[2]], 0).unwrap();
        assert_eq!(&out, typed.as_words());
        let tie: BinaryVector<9> = Codebook::new(5).vector(TIE_INDEX);
        bundle_into(&w, Some(tie.as_words()), &mut out).unwrap();
        let typed = BinaryVector::bundle(&[&v[0], &v[1], &v[2], &v[3]], 5).unwrap();
        assert_eq!(&out, typed.as_words());
        for shift in [0, 1, 31, 32, 100, 288, 289, 5000] {
            permute_into(w[3], shift, &mut out).unwrap();
            assert_eq!(&out, v[3].permute(shift).as_words(), "shift {shift}");
        }
        let flat: std::vec::Vec<u32> = [3, 1, 0, 2]
            .iter()
            .flat_map(|&i| *v[i].as_words())
            .collect();
        assert_eq!(nearest(w[0], &flat), Ok(Some((2, 0))));
        assert_eq!(nearest(w[0], &[]), Ok(None));
        let mut d = [0u32; 4];
        distances_into(w[1], &flat, &mut d).unwrap();
        let expected = [3, 1, 0, 2].map(|i| v[1].hamming(&v[i]));
        assert_eq!(d, expected);
    }

    #[test]
    fn refuses_bad_lengths_and_counts() {
        let (a, b, mut out) = ([1u32; 3], [2u32; 4], [0u32; 3]);
        let mismatch = Error::LengthMismatch {
            expected: 3,
            found: 4,
        };
        assert_eq!(hamming(&a, &b), Err(mismatch));
        assert_eq!(bind_into(&a, &b, &mut out), Err(mismatch));
        assert_eq!(
            bundle_into(&[&a[..], &b[..], &a[..]], None, &mut out),
            Err(mismatch)
        );
        let none: [&[u32]; 0] = [];
        assert_eq!(bundle_into(&none, None, &mut out), Err(Error::EmptyBundle));
        assert!(matches!(
            bundle_into(&[&a[..], &a[..]], None, &mut out),
            Err(Error::InvalidParameter(_))
        ));
        assert_eq!(
            bundle_into(&[&a[..], &a[..]], Some(&b[..]), &mut out),
            Err(mismatch)
        );
        assert_eq!(
            permute_into(&a, 3, &mut [0u32; 4]),
            Err(Error::LengthMismatch {
                expected: 3,
                found: 4
            })
        );
        assert!(nearest(&a, &[0u32; 7]).is_err());
        assert!(nearest(&[], &[0u32; 3]).is_err());
        assert!(distances_into(&a, &[0u32; 6], &mut [0u32; 3]).is_err());
    }
}
