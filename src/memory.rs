//! Item (clean-up) memory: a fixed-capacity table of labelled hypervectors searched by Hamming
//! distance.
//!
//! The clean-up memory of VSA (Plate 2003; Kanerva 2009): a noisy vector, such as the result
//! of unbinding a record, is replaced by the nearest stored item. Capacity is a const generic
//! and storage is inline (heapless style): `N·(D/8 + size_of::<L>())` bytes, no heap, and
//! [`ItemMemory::insert`] returns an error when full instead of allocating. A search scans all
//! items (D/32 word operations each), vectorised on x86_64 hosts.
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::error::{Error, Full};
use crate::kernel;

/// A search result: the item's position, its label and its Hamming distance to the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Match<L> {
    /// Position of the item in insertion order.
    pub index: usize,
    /// The item's label.
    pub label: L,
    /// Hamming distance to the query.
    pub distance: u32,
}

/// Up to `N` labelled vectors of `32·W` bits.
///
/// ```
/// use hyperbits::{BinaryVector, Codebook, ItemMemory};
/// let book = Codebook::new(8);
/// let mut memory = ItemMemory::<64, 16, &str>::new();
/// memory.insert("cat", book.vector(0)).unwrap();
/// memory.insert("dog", book.vector(1)).unwrap();
/// let mut noisy: BinaryVector<64> = book.vector(1);
/// noisy.as_words_mut()[0] ^= 0xFFFF; // 16 bits of noise
/// assert_eq!(memory.nearest(&noisy).unwrap().label, "dog");
/// ```
#[derive(Clone)]
pub struct ItemMemory<const W: usize, const N: usize, L = u32> {
    vectors: heapless::Vec<BinaryVector<W>, N>,
    labels: heapless::Vec<L, N>,
}

impl<const W: usize, const N: usize, L: Copy> ItemMemory<W, N, L> {
    /// An empty memory.
    pub const fn new() -> Self {
        ItemMemory {
            vectors: heapless::Vec::new(),
            labels: heapless::Vec::new(),
        }
    }

    /// Stores `vector` under `label`; returns its index. When the memory is full, the label
    /// and vector come back in the error.
    pub fn insert(
        &mut self,
        label: L,
        vector: BinaryVector<W>,
    ) -> Result<usize, Full<(L, BinaryVector<W>)>> {
        // Both vectors have capacity N and grow together, so one length check covers both.
        if self.vectors.len() >= N {
            return Err(Full {
                item: (label, vector),
                capacity: N,
            });
        }
        let _ = self.vectors.push(vector);
        let _ = self.labels.push(label);
        Ok(self.vectors.len() - 1)
    }

    /// The number of stored items.
    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// The capacity `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Item `index` as `(label, vector)`, or an error past the end.
    pub fn get(&self, index: usize) -> Result<(L, &BinaryVector<W>), Error> {
        match (self.labels.get(index), self.vectors.get(index)) {
            (Some(l), Some(v)) => Ok((*l, v)),
            _ => Err(Error::IndexOutOfRange {
                index,
                len: self.len(),
            }),
        }
    }

    /// The stored vectors, in insertion order.
    pub fn vectors(&self) -> &[BinaryVector<W>] {
        &self.vectors
    }

    /// Removes every item.
    pub fn clear(&mut self) {
        self.vectors.clear();
        self.labels.clear();
    }

    /// The item nearest to `query` (ties go to the earliest inserted); an error if empty.
    pub fn nearest(&self, query: &BinaryVector<W>) -> Result<Match<L>, Error> {
        let (index, distance) =
            kernel::nearest(query.as_words(), &self.vectors).ok_or(Error::EmptyMemory)?;
        Ok(Match {
            index,
            label: self.labels[index],
            distance,
        })
    }

    /// The `K` nearest items, nearest first (ties: earliest inserted first). Fewer if fewer are
    /// stored; an error if the memory is empty.
    pub fn top_k<const K: usize>(
        &self,
        query: &BinaryVector<W>,
    ) -> Result<heapless::Vec<Match<L>, K>, Error> {
        if self.is_empty() {
            return Err(Error::EmptyMemory);
        }
        let mut best: heapless::Vec<(u32, usize), K> = heapless::Vec::new();
        kernel::distances(query.as_words(), &self.vectors, |i, d| {
            // Insertion into a short sorted list; strict `<` keeps earlier items first on ties.
            let pos = best
                .iter()
                .position(|&(bd, _)| d < bd)
                .unwrap_or(best.len());
            if pos < K {
                if best.is_full() {
                    best.pop();
                }
                let _ = best.insert(pos, (d, i));
            }
        });
        Ok(best
            .into_iter()
            .map(|(distance, index)| Match {
                index,
                label: self.labels[index],
                distance,
            })
            .collect())
    }
}

impl<const W: usize, const N: usize, L: Copy> Default for ItemMemory<W, N, L> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Codebook;

    #[test]
    fn top_k_is_sorted_with_stable_ties() {
        let book = Codebook::new(31);
        let mut m = ItemMemory::<8, 6, u8>::new();
        let q: BinaryVector<8> = book.vector(100);
        for i in 0..5u8 {
            m.insert(i, book.vector(u32::from(i))).unwrap();
        }
        m.insert(9, q).unwrap();
        let m2 = m.clone();
        m.insert(10, q).unwrap_err();
        let top = m2.top_k::<3>(&q).unwrap();
        assert_eq!(top[0].label, 9);
        assert_eq!(top[0].distance, 0);
        assert!(top.windows(2).all(|w| w[0].distance <= w[1].distance));
        let naive_second = (0..5)
            .map(|i| (m2.vectors()[i].hamming(&q), i))
            .min()
            .unwrap();
        assert_eq!((top[1].distance, top[1].index), naive_second);
        // Duplicates: the earliest wins.
        let mut d = ItemMemory::<8, 3, char>::new();
        d.insert('a', q).unwrap();
        d.insert('b', q).unwrap();
        assert_eq!(d.nearest(&q).unwrap().label, 'a');
        assert_eq!(d.top_k::<2>(&q).unwrap()[1].label, 'b');
        assert_eq!(d.top_k::<5>(&q).unwrap().len(), 2);
    }

    #[test]
    fn empty_and_full_are_errors() {
        let mut m = ItemMemory::<4, 1>::new();
        let v = BinaryVector::<4>::zero();
        assert_eq!(m.nearest(&v), Err(Error::EmptyMemory));
        assert_eq!(m.top_k::<2>(&v), Err(Error::EmptyMemory));
        assert_eq!(m.insert(1, v), Ok(0));
        assert_eq!(
            m.insert(2, v),
            Err(Full {
                item: (2, v),
                capacity: 1
            })
        );
        assert_eq!(
            Error::from(m.insert(3, v).unwrap_err()),
            Error::CapacityExceeded { capacity: 1 }
        );
        assert_eq!(m.len(), 1);
        assert!(m.get(1).is_err());
        assert_eq!(m.get(0).unwrap().0, 1);
    }
}
