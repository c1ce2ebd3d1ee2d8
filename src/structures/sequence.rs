//! Sequences and stacks: element i of a sequence is `ρ^i(x_i)` (the item rotated by its
//! position), bundled. An element is read by probing position i with every symbol; a
//! subsequence is found by scanning the positions; a stack is a sequence read and removed at
//! its end.
#![forbid(unsafe_code)]

use super::{capacity, Superposition};
use crate::binary::BinaryVector;
use crate::codebook::Codebook;
use crate::error::Error;

/// A sequence of symbols `0..alphabet`, positions encoded by rotation.
///
/// ```
/// use hyperbits::structures::Sequence;
/// let mut s = Sequence::<64>::new(3, 26).unwrap();
/// for c in "hyperbits".bytes() {
///     s.push(u32::from(c - b'a')).unwrap();
/// }
/// assert_eq!(s.get(2), Some(u32::from(b'p' - b'a')));
/// let bi = [u32::from(b'b' - b'a'), u32::from(b'i' - b'a')];
/// assert_eq!(s.find(&bi), Some(5));
/// assert_eq!(s.follows(&bi), Some(u32::from(b't' - b'a')));
/// ```
#[derive(Debug, Clone)]
pub struct Sequence<const W: usize> {
    symbols: Codebook,
    alphabet: u32,
    bundle: Superposition<W>,
}

impl<const W: usize> Sequence<W> {
    /// An empty sequence over symbols `0..alphabet` of `Codebook::new(seed)`. Error: an
    /// empty alphabet.
    pub fn new(seed: u64, alphabet: u32) -> Result<Self, Error> {
        if alphabet == 0 {
            return Err(Error::InvalidParameter(
                "a sequence needs at least one symbol",
            ));
        }
        Ok(Sequence {
            symbols: Codebook::new(seed),
            alphabet,
            bundle: Superposition::new(),
        })
    }

    fn element(&self, symbol: u32, position: u32) -> Result<BinaryVector<W>, Error> {
        if symbol >= self.alphabet {
            return Err(Error::IndexOutOfRange {
                index: symbol as usize,
                len: self.alphabet as usize,
            });
        }
        Ok(self.symbols.vector::<W>(symbol).permute(position as usize))
    }

    /// Appends `symbol`. Errors: a symbol outside the alphabet, or a sequence of D elements
    /// already (rotations repeat after D).
    pub fn push(&mut self, symbol: u32) -> Result<(), Error> {
        let len = self.bundle.terms;
        if len as usize >= BinaryVector::<W>::DIM {
            return Err(Error::CapacityExceeded {
                capacity: BinaryVector::<W>::DIM,
            });
        }
        let e = self.element(symbol, len)?;
        self.bundle.add(&e);
        Ok(())
    }

    /// The symbol at `position`, or `None` past the end or when no symbol passes the test.
    pub fn get(&self, position: u32) -> Option<u32> {
        if position >= self.bundle.terms {
            return None;
        }
        self.bundle.best(&self.symbols, self.alphabet, |v| {
            v.permute(position as usize)
        })
    }

    /// The first position where `pattern` occurs: the position whose summed score over the
    /// pattern is highest, if it reaches half of the pattern's length times D. `None` for an
    /// empty or too long pattern, or one with a symbol outside the alphabet.
    pub fn find(&self, pattern: &[u32]) -> Option<u32> {
        let k = u32::try_from(pattern.len()).ok()?;
        if k == 0 || k > self.bundle.terms || pattern.iter().any(|&s| s >= self.alphabet) {
            return None;
        }
        let items = pattern.iter().map(|&s| self.symbols.vector::<W>(s));
        let mut best: Option<(i64, u32)> = None;
        for start in 0..=self.bundle.terms - k {
            let score: i64 = items
                .clone()
                .enumerate()
                .map(|(j, x)| self.bundle.score(&x.permute((start as usize) + j)))
                .sum();
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, start));
            }
        }
        let threshold = i64::from(k) * BinaryVector::<W>::DIM as i64;
        best.filter(|&(s, _)| 2 * s >= threshold).map(|(_, p)| p)
    }

    /// What follows `pattern`: the symbol after its first occurrence ([`find`](Self::find)).
    pub fn follows(&self, pattern: &[u32]) -> Option<u32> {
        let at = self.find(pattern)?;
        self.get(at + pattern.len() as u32)
    }

    /// The number of elements.
    pub fn len(&self) -> u32 {
        self.bundle.terms
    }

    /// Whether the sequence is empty.
    pub fn is_empty(&self) -> bool {
        self.bundle.terms == 0
    }

    /// Empties the sequence.
    pub fn clear(&mut self) {
        self.bundle.clear();
    }

    /// The longest sequence whose elements [`get`](Self::get) reads wrong with probability at
    /// most `error` (each of the alphabet's symbols tested, the union bound).
    pub fn capacity(&self, error: f64) -> u32 {
        capacity::<W>(error, self.alphabet)
    }
}

/// A stack of symbols: a [`Sequence`] pushed and popped at its end.
///
/// ```
/// use hyperbits::structures::Stack;
/// let mut s = Stack::<64>::new(4, 10).unwrap();
/// s.push(1).unwrap();
/// s.push(7).unwrap();
/// assert_eq!(s.peek(), Some(7));
/// assert_eq!((s.pop(), s.pop(), s.pop()), (Some(7), Some(1), None));
/// ```
#[derive(Debug, Clone)]
pub struct Stack<const W: usize> {
    sequence: Sequence<W>,
}

impl<const W: usize> Stack<W> {
    /// An empty stack over symbols `0..alphabet` of `Codebook::new(seed)`.
    pub fn new(seed: u64, alphabet: u32) -> Result<Self, Error> {
        Ok(Stack {
            sequence: Sequence::new(seed, alphabet)?,
        })
    }

    /// Pushes `symbol`. Errors as [`Sequence::push`].
    pub fn push(&mut self, symbol: u32) -> Result<(), Error> {
        self.sequence.push(symbol)
    }

    /// The symbol on top, or `None` when empty or when no symbol passes the test.
    pub fn peek(&self) -> Option<u32> {
        self.sequence.get(self.sequence.len().checked_sub(1)?)
    }

    /// Removes and returns the symbol on top; `None` (and nothing removed) when empty or
    /// when no symbol passes the test. Removal is exact: what is left is the stack as it was
    /// before the push.
    pub fn pop(&mut self) -> Option<u32> {
        let top = self.peek()?;
        let position = self.sequence.len() - 1;
        let e = self.sequence.element(top, position).ok()?;
        self.sequence.bundle.remove(&e);
        Some(top)
    }

    /// The number of symbols on the stack.
    pub fn len(&self) -> u32 {
        self.sequence.len()
    }

    /// Whether the stack is empty.
    pub fn is_empty(&self) -> bool {
        self.sequence.is_empty()
    }

    /// The deepest stack whose top [`peek`](Self::peek) reads wrong with probability at most
    /// `error`.
    pub fn capacity(&self, error: f64) -> u32 {
        self.sequence.capacity(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;
    use std::vec::Vec;

    fn random(n: u32, alphabet: u32, seed: u64) -> Vec<u32> {
        let mut rng = SplitMix64::new(seed);
        (0..n)
            .map(|_| rng.below(u64::from(alphabet)) as u32)
            .collect()
    }

    #[test]
    fn elements_are_read_back_at_capacity() {
        let target = 0.05;
        let (mut wrong, mut answers) = (0, 0);
        for seed in 0..10 {
            let mut s = Sequence::<64>::new(seed, 32).unwrap();
            let n = s.capacity(target);
            let symbols = random(n, 32, seed);
            symbols.iter().for_each(|&x| s.push(x).unwrap());
            wrong += (0..n)
                .filter(|&i| s.get(i) != Some(symbols[i as usize]))
                .count();
            answers += n as usize;
        }
        let rate = wrong as f64 / answers as f64;
        assert!(rate <= target, "error {rate}");
    }

    #[test]
    fn what_follows_a_pattern() {
        let mut s = Sequence::<64>::new(1, 32).unwrap();
        let n = s.capacity(0.01);
        let symbols = random(n, 32, 9);
        symbols.iter().for_each(|&x| s.push(x).unwrap());
        let mut found = 0;
        for at in (0..n - 4).step_by(7) {
            let pattern = &symbols[at as usize..at as usize + 3];
            // The first occurrence may come earlier by chance; compare with it.
            let first = symbols.windows(3).position(|w| w == pattern).unwrap() as u32;
            found += u32::from(s.find(pattern) == Some(first));
            if s.find(pattern) == Some(first) {
                assert_eq!(s.follows(pattern), s.get(first + 3));
            }
        }
        let tried = (0..n - 4).step_by(7).count() as u32;
        assert!(found + 1 >= tried, "{found} of {tried}");
        assert_eq!(s.find(&[]), None);
        assert_eq!(s.find(&[40]), None);
        assert_eq!(s.get(n), None);
    }

    #[test]
    fn a_stack_pops_what_was_pushed() {
        let mut st = Stack::<64>::new(2, 16).unwrap();
        let n = st.capacity(0.01);
        let symbols = random(n, 16, 4);
        symbols.iter().for_each(|&x| st.push(x).unwrap());
        let mut popped: Vec<u32> = Vec::new();
        while let Some(x) = st.pop() {
            popped.push(x);
        }
        popped.reverse();
        assert_eq!(popped, symbols);
        assert!(st.is_empty());
        assert!(st.push(16).is_err());
        assert!(Sequence::<8>::new(0, 0).is_err());
    }
}
