//! Trees by path: a leaf at path `(b_0, …, b_{k−1})` from the root (left or right at each
//! step) is bound to the path vector `ρ^0(b_0) ⊗ ρ^1(b_1) ⊗ … ⊗ ρ^{k−1}(b_{k−1})`, and the tree
//! is the bundle of its leaves; a leaf is read back by unbinding its path.
#![forbid(unsafe_code)]

use super::{capacity, Superposition};
use crate::binary::BinaryVector;
use crate::codebook::Codebook;
use crate::error::Error;

/// A step from a node to one of its two children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Branch {
    /// The left child.
    Left,
    /// The right child.
    Right,
}

/// A binary tree with `u32` values `0..values` at its leaves, addressed by path.
///
/// ```
/// use hyperbits::structures::{Branch::{Left, Right}, Tree};
/// let mut t = Tree::<64>::new(8, 9, 20).unwrap();
/// t.insert(&[Left, Right], 4).unwrap();
/// t.insert(&[Right], 11).unwrap();
/// assert_eq!(t.get(&[Left, Right]), Some(4));
/// assert_eq!(t.get(&[Right]), Some(11));
/// assert_eq!(t.get(&[Left, Left]), None);
/// ```
#[derive(Debug, Clone)]
pub struct Tree<const W: usize> {
    branches: Codebook,
    values: Codebook,
    value_count: u32,
    bundle: Superposition<W>,
}

impl<const W: usize> Tree<W> {
    /// An empty tree: branch vectors from `Codebook::new(branch_seed)` (items 0 and 1), values
    /// `0..value_count` from `Codebook::new(value_seed)`. Error: no values, or one seed for
    /// both.
    pub fn new(branch_seed: u64, value_seed: u64, value_count: u32) -> Result<Self, Error> {
        if value_count == 0 {
            return Err(Error::InvalidParameter("a tree needs at least one value"));
        }
        if branch_seed == value_seed {
            return Err(Error::InvalidParameter(
                "branches and values need different codebook seeds",
            ));
        }
        Ok(Tree {
            branches: Codebook::new(branch_seed),
            values: Codebook::new(value_seed),
            value_count,
            bundle: Superposition::new(),
        })
    }

    /// The vector of a path (the zero vector, binding's identity, for the root).
    fn path(&self, path: &[Branch]) -> BinaryVector<W> {
        let mut out = BinaryVector::zero();
        for (depth, b) in path.iter().enumerate() {
            let index = match b {
                Branch::Left => 0,
                Branch::Right => 1,
            };
            out.bind_assign(&self.branches.vector::<W>(index).permute(depth));
        }
        out
    }

    fn leaf(&self, path: &[Branch], value: u32) -> Result<BinaryVector<W>, Error> {
        if value >= self.value_count {
            return Err(Error::IndexOutOfRange {
                index: value as usize,
                len: self.value_count as usize,
            });
        }
        Ok(self.path(path).bind(&self.values.vector(value)))
    }

    /// Puts `value` at the leaf `path` (root first). Error: a value out of range.
    pub fn insert(&mut self, path: &[Branch], value: u32) -> Result<(), Error> {
        let leaf = self.leaf(path, value)?;
        self.bundle.add(&leaf);
        Ok(())
    }

    /// Removes `value` from the leaf `path`. Error: a value out of range.
    pub fn remove(&mut self, path: &[Branch], value: u32) -> Result<(), Error> {
        let leaf = self.leaf(path, value)?;
        self.bundle.remove(&leaf);
        Ok(())
    }

    /// The value at `path`, or `None` when no value passes the test.
    pub fn get(&self, path: &[Branch]) -> Option<u32> {
        let p = self.path(path);
        self.bundle
            .best(&self.values, self.value_count, |v| v.bind(&p))
    }

    /// The number of leaves.
    pub fn len(&self) -> u32 {
        self.bundle.terms
    }

    /// Whether the tree has no leaf.
    pub fn is_empty(&self) -> bool {
        self.bundle.terms == 0
    }

    /// The most leaves for which [`get`](Self::get) is wrong with probability at most
    /// `error`.
    pub fn capacity(&self, error: f64) -> u32 {
        capacity::<W>(error, self.value_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// The path of leaf `i` in a complete tree of depth `depth`.
    fn path(i: u32, depth: u32) -> Vec<Branch> {
        (0..depth)
            .map(|d| {
                if (i >> d) & 1 == 1 {
                    Branch::Right
                } else {
                    Branch::Left
                }
            })
            .collect()
    }

    #[test]
    fn leaves_are_read_back_at_capacity() {
        let target = 0.05;
        let (mut wrong, mut answers) = (0, 0);
        for seed in 0..10u64 {
            let mut t = Tree::<64>::new(2 * seed, 2 * seed + 1, 32).unwrap();
            let n = t.capacity(target);
            // A complete tree deep enough for n leaves, filled from the left.
            let depth = 32 - (n - 1).leading_zeros();
            for i in 0..n {
                t.insert(&path(i, depth), i % 32).unwrap();
            }
            wrong += (0..n)
                .filter(|&i| t.get(&path(i, depth)) != Some(i % 32))
                .count();
            answers += n as usize;
        }
        let rate = wrong as f64 / answers as f64;
        assert!(rate <= target, "error {rate}");
    }

    #[test]
    fn paths_of_different_depths_differ() {
        let mut t = Tree::<64>::new(1, 2, 8).unwrap();
        t.insert(&[], 1).unwrap();
        t.insert(&[Branch::Left], 2).unwrap();
        t.insert(&[Branch::Left, Branch::Left], 3).unwrap();
        assert_eq!(t.get(&[]), Some(1));
        assert_eq!(t.get(&[Branch::Left]), Some(2));
        assert_eq!(t.get(&[Branch::Left, Branch::Left]), Some(3));
        t.remove(&[Branch::Left], 2).unwrap();
        assert_eq!(t.get(&[Branch::Left]), None);
        assert!(t.insert(&[], 8).is_err());
        assert!(Tree::<8>::new(1, 1, 2).is_err());
    }
}
