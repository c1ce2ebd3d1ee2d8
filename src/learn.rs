//! On-device learning: a classifier whose prototypes live in RAM, so firmware can add a class
//! or adapt one to its own sensor from a few labelled samples, then save the result.
//!
//! A [`Learner`] starts from a [`Classifier`] read in place from flash and copies its class
//! prototypes (C·D/8 bytes) and labels into fixed-capacity RAM; the encoder and the scaling
//! stay in flash. A binary prototype no longer knows how many samples made it, so an update
//! counts the current prototype as `prior` samples: the new prototype is the bitwise majority
//! of the prototype (weight `prior`) and the new samples (weight 1 each), ties broken by the
//! model's tie vector. So with `n` samples a bit flips where more than `(prior + n)/2` of them
//! disagree with it (exactly half: the tie vector decides): `prior = 0` replaces the class by
//! the samples' majority, and `prior > n` leaves it unchanged, so teach with more samples
//! than `prior`. [`Learner::write_blob`] writes a classifier blob that
//! [`Classifier::from_bytes`] reads back with the same predictions, and
//! [`crate::persist::ModelStore`] keeps it across resets and power cuts.
//!
//! Memory: the prototypes and labels (`C·(D/8 + 4) + LABEL_BYTES` bytes); an update needs
//! three more vectors and 128 bytes of counters on the stack. No heap.
//!
//! The example trains its starting model on the host, so it runs with feature `std`:
//!
#![cfg_attr(feature = "std", doc = "```")]
#![cfg_attr(not(feature = "std"), doc = "```ignore")]
//! # fn main() -> Result<(), hyperbits::Error> {
//! # let blob = hyperbits::model::AlignedBlob::new(&doc::blob());
//! use hyperbits::{classify::Classifier, learn::Learner};
//! let clf = Classifier::<64>::from_bytes(blob.as_bytes())?;
//! let mut learner = Learner::<64, 8>::new(clf)?;
//! let samples = [learner.encode(&[0.9, 0.9])?, learner.encode(&[1.0, 0.8])?];
//! let class = learner.add_class("new", &samples)?;
//! assert_eq!(learner.predict(&[0.95, 0.85])?.class, class);
//! let mut out = [0u32; 512]; // 4-byte aligned, so the blob can be read in place
//! let len = learner.write_blob(bytemuck::cast_slice_mut(&mut out))?;
//! let saved = Classifier::<64>::from_bytes(&bytemuck::cast_slice(&out)[..len])?;
//! assert_eq!(saved.label(class)?, "new");
//! # Ok(()) }
//! # mod doc { pub fn blob() -> Vec<u8> {
//! #     let rows = [vec![0.0, 0.0], vec![0.1, 0.1], vec![0.0, 1.0], vec![0.1, 0.9]];
//! #     let data = hyperbits::train::Dataset::new(&rows, &[0, 0, 1, 1],
//! #         vec!["a".into(), "b".into()]).unwrap();
//! #     hyperbits::train::train::<64>(&data, &Default::default()).unwrap().to_blob().unwrap()
//! # } }
//! ```
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::classify::{Classifier, ClassifierRepr, Prediction};
use crate::codebook::{Codebook, TIE_INDEX};
use crate::error::Error;
use crate::kernel;
use crate::FormatError;

/// Bytes of label text a [`Learner`] holds (all classes together).
pub const LABEL_BYTES: usize = 256;

/// The largest `prior + samples` of one update (the counters are `u32`).
pub const MAX_WEIGHT: usize = 1 << 30;

/// A classifier that learns on the device: up to `C` classes of `32·W` bits in RAM, the
/// encoder and scaling read from the blob it started from.
#[derive(Debug, Clone)]
pub struct Learner<'a, const W: usize, const C: usize> {
    base: Classifier<'a, W>,
    prototypes: heapless::Vec<BinaryVector<W>, C>,
    label_ends: heapless::Vec<u32, C>,
    label_text: heapless::String<LABEL_BYTES>,
}

impl<'a, const W: usize, const C: usize> Learner<'a, W, C> {
    /// Copies the prototypes and labels of `base` into RAM. Errors:
    /// [`Error::CapacityExceeded`] if it has more than `C` classes or more than
    /// [`LABEL_BYTES`] of labels.
    pub fn new(base: Classifier<'a, W>) -> Result<Self, Error> {
        let mut learner = Learner {
            base,
            prototypes: heapless::Vec::new(),
            label_ends: heapless::Vec::new(),
            label_text: heapless::String::new(),
        };
        for class in 0..base.classes() {
            let words = base.prototype(class)?;
            let mut v = BinaryVector::<W>::zero();
            v.as_words_mut().copy_from_slice(words);
            learner.push(base.label(class)?, v)?;
        }
        Ok(learner)
    }

    /// Appends a class; leaves `self` unchanged on error.
    fn push(&mut self, label: &str, prototype: BinaryVector<W>) -> Result<usize, Error> {
        if self.prototypes.is_full() {
            return Err(Error::CapacityExceeded { capacity: C });
        }
        if self.label_text.len() + label.len() > LABEL_BYTES {
            return Err(Error::CapacityExceeded {
                capacity: LABEL_BYTES,
            });
        }
        let pushed = self.label_text.push_str(label).is_ok()
            && self.label_ends.push(self.label_text.len() as u32).is_ok()
            && self.prototypes.push(prototype).is_ok();
        debug_assert!(pushed, "capacities were checked above");
        Ok(self.prototypes.len() - 1)
    }

    /// The classifier this learner started from (its encoder and scaling are used as is).
    pub fn base(&self) -> &Classifier<'a, W> {
        &self.base
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.prototypes.len()
    }

    /// The label of class `class`.
    pub fn label(&self, class: usize) -> Result<&str, Error> {
        let end = *self.label_ends.get(class).ok_or(Error::IndexOutOfRange {
            index: class,
            len: self.classes(),
        })? as usize;
        let start = match class {
            0 => 0,
            _ => self.label_ends[class - 1] as usize,
        };
        // Labels are pushed whole, so the boundaries are character boundaries.
        self.label_text
            .get(start..end)
            .ok_or(Error::Format(FormatError::Inconsistent("label boundaries")))
    }

    /// The class whose label is `label`, if any.
    pub fn find(&self, label: &str) -> Option<usize> {
        (0..self.classes()).find(|&c| self.label(c) == Ok(label))
    }

    /// The prototype of class `class`.
    pub fn prototype(&self, class: usize) -> Result<&BinaryVector<W>, Error> {
        self.prototypes.get(class).ok_or(Error::IndexOutOfRange {
            index: class,
            len: self.classes(),
        })
    }

    /// Encodes a sample as the base classifier does.
    pub fn encode(&self, features: &[f32]) -> Result<BinaryVector<W>, Error> {
        self.base.encode(features)
    }

    /// The nearest class prototype to an encoded sample (ties: the lowest class index).
    pub fn classify(&self, hv: &BinaryVector<W>) -> Prediction {
        let (class, distance) = kernel::nearest(
            hv.as_words(),
            self.prototypes.iter().map(|p| &p.as_words()[..]),
        )
        .unwrap_or((0, 0));
        Prediction { class, distance }
    }

    /// Encodes and classifies a sample.
    pub fn predict(&self, features: &[f32]) -> Result<Prediction, Error> {
        Ok(self.classify(&self.encode(features)?))
    }

    /// The bitwise majority of `prior` copies of `start` and the samples, one word at a time
    /// (32 counters on the stack instead of a D-counter accumulator, for 16 KiB MCUs); the
    /// same bits as [`Accumulator::to_binary`].
    fn majority(
        &self,
        start: Option<&BinaryVector<W>>,
        prior: u16,
        samples: &[BinaryVector<W>],
    ) -> Result<BinaryVector<W>, Error> {
        let prior = start.map_or(0, |_| usize::from(prior));
        let total = prior + samples.len();
        if total > MAX_WEIGHT {
            return Err(Error::TooManyInputs {
                given: total as u64,
                max: MAX_WEIGHT as u64,
            });
        }
        let tie = Codebook::new(self.base.tie_seed()).vector::<W>(TIE_INDEX);
        let mut out = BinaryVector::<W>::zero();
        for (w, word) in out.as_words_mut().iter_mut().enumerate() {
            let mut ones = [0u32; 32];
            let mut count = |x: u32, weight: u32| {
                for (i, c) in ones.iter_mut().enumerate() {
                    *c += weight * ((x >> i) & 1);
                }
            };
            if let Some(start) = start {
                count(start.as_words()[w], prior as u32);
            }
            samples.iter().for_each(|s| count(s.as_words()[w], 1));
            let total = total as u32;
            for (i, &c) in ones.iter().enumerate() {
                let bit = match (2 * c).cmp(&total) {
                    core::cmp::Ordering::Greater => 1,
                    core::cmp::Ordering::Less => 0,
                    core::cmp::Ordering::Equal => (tie.as_words()[w] >> i) & 1,
                };
                *word |= bit << i;
            }
        }
        Ok(out)
    }

    /// Moves class `class` towards `samples`: its prototype becomes the majority of itself
    /// counted `prior` times and the samples. Errors: [`Error::IndexOutOfRange`],
    /// [`Error::EmptyBundle`] for no samples, [`Error::TooManyInputs`] if
    /// `prior + samples.len()` exceeds [`MAX_WEIGHT`].
    pub fn learn(
        &mut self,
        class: usize,
        samples: &[BinaryVector<W>],
        prior: u16,
    ) -> Result<(), Error> {
        let current = *self.prototype(class)?;
        if samples.is_empty() {
            return Err(Error::EmptyBundle);
        }
        self.prototypes[class] = self.majority(Some(&current), prior, samples)?;
        Ok(())
    }

    /// Adds a class named `label` whose prototype is the majority of `samples`; returns its
    /// index. Errors: [`Error::EmptyBundle`], [`Error::InvalidParameter`] for a label already
    /// in use, [`Error::CapacityExceeded`] for the class count or the label text,
    /// [`Error::TooManyInputs`].
    pub fn add_class(&mut self, label: &str, samples: &[BinaryVector<W>]) -> Result<usize, Error> {
        if samples.is_empty() {
            return Err(Error::EmptyBundle);
        }
        if self.find(label).is_some() {
            return Err(Error::InvalidParameter("a class with this label exists"));
        }
        let prototype = self.majority(None, 0, samples)?;
        self.push(label, prototype)
    }

    /// Writes the learner as a classifier blob (kind 1, the sections of
    /// [`crate::classify`]) into `out`; returns its length. Read it back in place from a
    /// 4-byte-aligned buffer. Errors: [`Error::BufferTooSmall`] with the length needed if
    /// `out` is too short.
    pub fn write_blob(&self, out: &mut [u8]) -> Result<usize, Error> {
        let prototypes: heapless::Vec<&[u8], C> = self
            .prototypes
            .iter()
            .map(|p| bytemuck::cast_slice::<u32, u8>(p.as_words()))
            .collect();
        ClassifierRepr {
            dim: BinaryVector::<W>::DIM,
            encoding: self.base.encoding(),
            tie_seed: self.base.tie_seed(),
            scaling: self.base.scaling(),
            prototypes: &prototypes,
            label_ends: &self.label_ends,
            label_text: self.label_text.as_bytes(),
            confidence: self.base.confidence_table(),
        }
        .emit(out)
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use crate::model::AlignedBlob;
    use crate::train::{train, Dataset, Options};
    use crate::{Accumulator, Codebook};
    use std::vec::Vec;

    const W: usize = 16;

    /// Two blobs of points around (0.2, 0.2) and (0.8, 0.2); the corner (0.5, 0.9) is unseen.
    fn base_blob() -> AlignedBlob {
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for i in 0..40 {
            let d = (i % 7) as f32 * 0.01;
            rows.extend([vec![0.2 + d, 0.2 - d], vec![0.8 - d, 0.2 + d]]);
            labels.extend([0, 1]);
        }
        // Stretch the scaling so the unseen corner lies inside the fitted range.
        rows.extend([vec![0.0, 0.0], vec![1.0, 1.0]]);
        labels.extend([0, 1]);
        let data = Dataset::new(&rows, &labels, vec!["left".into(), "right".into()]).unwrap();
        AlignedBlob::new(
            &train::<W>(&data, &Options::default())
                .unwrap()
                .to_blob()
                .unwrap(),
        )
    }

    fn write(learner: &Learner<'_, W, 4>) -> AlignedBlob {
        let mut out = [0u8; 2048];
        let len = learner.write_blob(&mut out).unwrap();
        AlignedBlob::new(&out[..len])
    }

    #[test]
    fn copies_the_base_classifier_exactly() {
        let blob = base_blob();
        let clf = Classifier::<W>::from_bytes(blob.as_bytes()).unwrap();
        let learner = Learner::<W, 4>::new(clf).unwrap();
        assert_eq!(learner.classes(), 2);
        assert_eq!(learner.label(1), Ok("right"));
        assert_eq!(learner.find("left"), Some(0));
        for c in 0..2 {
            assert_eq!(
                &learner.prototype(c).unwrap().as_words()[..],
                clf.prototype(c).unwrap()
            );
        }
        // With nothing learned, the written blob is the blob it came from, byte for byte.
        assert_eq!(write(&learner).as_bytes(), blob.as_bytes());
    }

    #[test]
    fn adds_a_class_and_round_trips_through_a_blob() {
        let blob = base_blob();
        let clf = Classifier::<W>::from_bytes(blob.as_bytes()).unwrap();
        let mut learner = Learner::<W, 4>::new(clf).unwrap();
        let top = |d: f32| [0.5 + d, 0.9 - d];
        let samples: Vec<_> = (0..5)
            .map(|i| learner.encode(&top(i as f32 * 0.01)).unwrap())
            .collect();
        assert_eq!(learner.add_class("top", &samples), Ok(2));
        assert_eq!(learner.predict(&top(0.005)).unwrap().class, 2);
        assert_eq!(learner.predict(&[0.21, 0.19]).unwrap().class, 0);
        assert_eq!(learner.predict(&[0.79, 0.21]).unwrap().class, 1);

        let saved = write(&learner);
        let reloaded = Classifier::<W>::from_bytes(saved.as_bytes()).unwrap();
        assert_eq!(reloaded.classes(), 3);
        assert_eq!(reloaded.label(2), Ok("top"));
        for x in [[0.5, 0.9], [0.2, 0.2], [0.8, 0.2], [0.4, 0.6], [0.9, 0.9]] {
            assert_eq!(reloaded.predict(&x), learner.predict(&x));
        }
    }

    #[test]
    fn learning_moves_a_prototype_by_the_prior() {
        let blob = base_blob();
        let clf = Classifier::<W>::from_bytes(blob.as_bytes()).unwrap();
        let mut learner = Learner::<W, 4>::new(clf).unwrap();
        let before = *learner.prototype(0).unwrap();
        let target = Codebook::new(9).vector::<W>(0);
        // A heavy prior barely moves the class; prior 0 replaces it by the samples.
        learner.learn(0, &[target], 1000).unwrap();
        assert_eq!(*learner.prototype(0).unwrap(), before);
        learner.learn(0, &[target, target], 1).unwrap();
        assert_eq!(*learner.prototype(0).unwrap(), target);
        learner.learn(0, &[before], 0).unwrap();
        assert_eq!(*learner.prototype(0).unwrap(), before);
        // Equal weight: the bits where they differ go half and half (by the tie vector).
        learner.learn(0, &[target], 1).unwrap();
        let mid = learner.prototype(0).unwrap();
        let d = before.hamming(&target);
        assert_eq!(mid.hamming(&before) + mid.hamming(&target), d);
        assert!(mid.hamming(&before) > d / 4 && mid.hamming(&target) > d / 4);
    }

    #[test]
    fn majority_equals_the_accumulator() {
        let blob = base_blob();
        let clf = Classifier::<W>::from_bytes(blob.as_bytes()).unwrap();
        let mut learner = Learner::<W, 4>::new(clf).unwrap();
        let book = Codebook::new(5);
        for (n, prior) in [(1, 0), (2, 0), (3, 2), (4, 1), (9, 7), (6, 300)] {
            let samples: Vec<BinaryVector<W>> = (0..n).map(|i| book.vector(i + 10 * n)).collect();
            let start = *learner.prototype(1).unwrap();
            let mut acc = Accumulator::<W, i32>::new();
            acc.add_weighted(&start, i32::from(prior));
            samples.iter().for_each(|s| acc.add(s));
            learner.learn(1, &samples, prior).unwrap();
            assert_eq!(
                *learner.prototype(1).unwrap(),
                acc.to_binary(clf.tie_seed())
            );
        }
    }

    #[test]
    fn rejects_bad_updates_without_changing_anything() {
        let blob = base_blob();
        let clf = Classifier::<W>::from_bytes(blob.as_bytes()).unwrap();
        let mut learner = Learner::<W, 3>::new(clf).unwrap();
        let v = Codebook::new(1).vector::<W>(0);
        assert_eq!(
            learner.learn(2, &[v], 1),
            Err(Error::IndexOutOfRange { index: 2, len: 2 })
        );
        assert_eq!(learner.learn(0, &[], 1), Err(Error::EmptyBundle));
        assert_eq!(learner.add_class("x", &[]), Err(Error::EmptyBundle));
        assert!(matches!(
            learner.add_class("left", &[v]),
            Err(Error::InvalidParameter(_))
        ));
        let long = "x".repeat(LABEL_BYTES);
        assert_eq!(
            learner.add_class(&long, &[v]),
            Err(Error::CapacityExceeded {
                capacity: LABEL_BYTES
            })
        );
        assert_eq!(learner.add_class("third", &[v]), Ok(2));
        assert_eq!(
            learner.add_class("fourth", &[v]),
            Err(Error::CapacityExceeded { capacity: 3 })
        );
        assert_eq!(learner.classes(), 3);
        assert_eq!(learner.label(2), Ok("third"));
        assert_eq!(
            Learner::<W, 1>::new(clf).map(|l| l.classes()),
            Err(Error::CapacityExceeded { capacity: 1 })
        );
        let mut short = [0u8; 64];
        assert!(matches!(
            learner.write_blob(&mut short),
            Err(Error::BufferTooSmall { needed, found: 64 }) if needed > 64
        ));
    }
}
