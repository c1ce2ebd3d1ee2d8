//! Circular hypervectors for periodic values (angles, time of day, phase).
//!
//! Level-like vectors on a circle (as torchhd's `Circular`): step i of L has phase `i/L`.
//! With the same random thresholds as [`Level`](super::Level), the first half-turn moves bits
//! from the start vector to the end vector in threshold order, and the second half-turn moves
//! them back in the same order. So step 0 is the start vector, step L/2 the end vector (the
//! farthest point, about D/2 away), and the distance between two steps grows with their
//! distance around the circle, wrapping from step L−1 back to step 0.
#![forbid(unsafe_code)]

use super::Basis;
use crate::binary::BinaryVector;
use crate::codebook::Codebook;
use crate::error::Error;
use crate::kernel::{self, BLOCK};

/// Circular encoder with `steps` steps per turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Circular {
    book: Codebook,
    steps: u16,
}

impl Circular {
    /// `steps` steps per turn (2 to 512) from `seed`.
    pub fn new(seed: u64, steps: u16) -> Result<Self, Error> {
        if !(2..=512).contains(&steps) {
            return Err(Error::InvalidParameter("circular steps must be in 2..=512"));
        }
        Ok(Circular {
            book: Codebook::new(seed),
            steps,
        })
    }

    /// The vector of step `step` (an error if `step >= steps`).
    pub fn vector<const W: usize>(&self, step: u16) -> Result<BinaryVector<W>, Error> {
        if step >= self.steps {
            return Err(Error::IndexOutOfRange {
                index: usize::from(step),
                len: usize::from(self.steps),
            });
        }
        // Position on the two half-turns, in threshold units of 1/256 of a half-turn.
        let pos = super::scaled(u32::from(step) << 9, u32::from(self.steps));
        let mut out = BinaryVector::<W>::zero();
        for b in 0..W.div_ceil(BLOCK) {
            let basis = Basis::new(&self.book, b as u32);
            let mask = if pos <= 256 {
                basis.below(pos)
            } else {
                let m = basis.below(pos - 256);
                core::array::from_fn(|j| !m[j])
            };
            kernel::store_block(out.as_words_mut(), b * BLOCK, &basis.mix(&mask));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_follows_the_circle() {
        let c = Circular::new(5, 12).unwrap();
        let v: [BinaryVector<256>; 12] = core::array::from_fn(|i| c.vector(i as u16).unwrap());
        let d = |a: usize, b: usize| v[a].hamming(&v[b]);
        // Symmetric around the circle: step 1 and step 11 are equally far from step 0.
        assert!((d(0, 1) as i32 - d(0, 11) as i32).abs() < 200);
        // Opposite is farthest, about D/2.
        assert!((d(0, 6) as f32 / 8192.0 - 0.5).abs() < 0.03);
        for i in 1..=6 {
            assert!(d(0, i) > d(0, i - 1), "i={i}");
            assert!(d(0, 12 - i) > d(0, (12 - i + 1) % 12), "i={i}");
        }
        // Neighbours are close everywhere, including across the wrap.
        for i in 0..12 {
            assert!(d(i, (i + 1) % 12) < 1000, "i={i}");
        }
        assert!(c.vector::<4>(12).is_err());
        assert!(Circular::new(0, 1).is_err());
    }
}
