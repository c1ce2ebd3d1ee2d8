//! Sequences by permute-and-bind: n-grams and their bundle over a symbol stream.
//!
//! The n-gram of `(x_0, …, x_{n−1})` is `ρ^{n−1}(x_0) ⊕ ρ^{n−2}(x_1) ⊕ … ⊕ x_{n−1}`, with ρ the
//! rotation by one bit and ⊕ binding (Joshi, Halseth & Kanerva 2016, language identification;
//! Rahimi et al. 2016, EMG). Position is carried by the number of rotations, so `ab` and `ba`
//! give unrelated vectors. [`NgramStream`] slides the window in O(D) per symbol: it rotates the
//! current n-gram once, removes the oldest symbol (`ρ^n(x_old)`) and binds the newest.
#![forbid(unsafe_code)]

use crate::accumulator::Accumulator;
use crate::binary::BinaryVector;
use crate::codebook::Codebook;
use crate::error::Error;
use crate::integer::Element;

/// The n-gram of `items`, oldest first. Error: no items.
pub fn ngram<const W: usize>(items: &[&BinaryVector<W>]) -> Result<BinaryVector<W>, Error> {
    let n = items.len();
    if n == 0 {
        return Err(Error::InvalidParameter("an n-gram needs at least one item"));
    }
    let mut out = BinaryVector::zero();
    for (i, x) in items.iter().enumerate() {
        out.bind_assign(&x.permute(n - 1 - i));
    }
    Ok(out)
}

/// Streams symbols (codebook indices) and bundles all their n-grams into an [`Accumulator`].
///
/// ```
/// use hyperbits::{encode::{ngram, NgramStream}, Accumulator, BinaryVector, Codebook};
/// let book = Codebook::new(4);
/// let mut profile = Accumulator::<64>::new();
/// let mut stream = NgramStream::<64, 3>::new(book);
/// for s in [1u32, 2, 3, 4] {
///     stream.push(s, &mut profile);
/// }
/// // Two trigrams were seen: (1,2,3) and (2,3,4).
/// assert_eq!(profile.count(), 2);
/// let v = |i| book.vector::<64>(i);
/// assert_eq!(stream.current(), Some(ngram(&[&v(2), &v(3), &v(4)]).unwrap()));
/// ```
#[derive(Debug, Clone)]
pub struct NgramStream<const W: usize, const N: usize> {
    book: Codebook,
    window: heapless::Deque<u32, N>,
    gram: BinaryVector<W>,
}

impl<const W: usize, const N: usize> NgramStream<W, N> {
    const VALID: () = assert!(N > 0, "hyperbits: an n-gram needs n >= 1");

    /// A stream of n-grams (`n = N`) over the symbols of `book`.
    pub fn new(book: Codebook) -> Self {
        let () = Self::VALID;
        NgramStream {
            book,
            window: heapless::Deque::new(),
            gram: BinaryVector::zero(),
        }
    }

    /// Takes the next symbol; once `N` symbols have been seen, adds each new n-gram to `acc`.
    pub fn push<T: Element>(&mut self, symbol: u32, acc: &mut Accumulator<W, T>) {
        let mut gram = self.gram.permute(1);
        if self.window.is_full() {
            if let Some(old) = self.window.pop_front() {
                gram.bind_assign(&self.book.vector::<W>(old).permute(N));
            }
        }
        gram.bind_assign(&self.book.vector(symbol));
        let _ = self.window.push_back(symbol); // room was made above
        self.gram = gram;
        if self.window.is_full() {
            acc.add(&self.gram);
        }
    }

    /// The n-gram of the last `N` symbols, once that many were pushed.
    pub fn current(&self) -> Option<BinaryVector<W>> {
        self.window.is_full().then_some(self.gram)
    }

    /// Forgets the symbols seen so far (the accumulator is the caller's).
    pub fn reset(&mut self) {
        self.window.clear();
        self.gram = BinaryVector::zero();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_window_equals_recomputed_ngrams() {
        let book = Codebook::new(6);
        let symbols = [5u32, 1, 4, 1, 5, 9, 2, 6];
        let mut stream = NgramStream::<8, 3>::new(book);
        let mut acc = Accumulator::<8>::new();
        let mut direct = Accumulator::<8>::new();
        for (t, &s) in symbols.iter().enumerate() {
            stream.push(s, &mut acc);
            if t >= 2 {
                let v: [BinaryVector<8>; 3] =
                    core::array::from_fn(|i| book.vector(symbols[t - 2 + i]));
                let g = ngram(&[&v[0], &v[1], &v[2]]).unwrap();
                assert_eq!(stream.current(), Some(g), "t={t}");
                direct.add(&g);
            } else {
                assert_eq!(stream.current(), None);
            }
        }
        assert_eq!(acc, direct);
        stream.reset();
        assert_eq!(stream.current(), None);
    }

    #[test]
    fn order_matters() {
        let book = Codebook::new(6);
        let (a, b): (BinaryVector<64>, BinaryVector<64>) = (book.vector(0), book.vector(1));
        let ab = ngram(&[&a, &b]).unwrap();
        let ba = ngram(&[&b, &a]).unwrap();
        assert!((ab.similarity(&ba) - 0.5).abs() < 0.1);
        assert_eq!(
            ngram::<64>(&[]),
            Err(Error::InvalidParameter("an n-gram needs at least one item"))
        );
    }
}
