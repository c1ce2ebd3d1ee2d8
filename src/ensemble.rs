//! Ensembles of classifiers: K 1-bit classifiers over the same classes, each with its own
//! seed (and its own choice of encoder and margin), voting by their **summed** Hamming
//! distances, read in place from one blob.
//!
//! Breiman's bagging argument without the resampling ("Bagging predictors", 1996): members
//! that err differently average out part of each other's variance. On small tabular data the
//! selection of encoder and margin and the perceptron's order vary with the seed, and three
//! members lift the mean and narrow the spread over seeds a little (fgl: 0.707 ± 0.074 →
//! 0.726 ± 0.056; wine 0.982 → 0.996; crabs 0.916 → 0.904: not everywhere). Cost: K× the
//! prototypes in flash, K encodings per inference (K× the instructions), the K encoded vectors
//! on the stack (`K·D/8` bytes). A plain classifier blob opens as an ensemble of one.
//!
//! # Sections of an ensemble blob ([`crate::model`] container, kind 5)
//! | tag | type | content |
//! |---|---|---|
//! | `EOFS` | (K + 1) × `u32` | where each member's blob starts in `EBLB` (multiples of 4), then its end |
//! | `EBLB` | bytes | the member classifier blobs ([`crate::classify`]), each a whole checked blob |
//! | `CONF` (optional) | (1 + 33) × `u32` | the confidence table of the summed margins ([`crate::classify`]) |
//!
//! The members must agree on the dimension, the number of features and the class labels.
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::classify::{
    confidence_section, least_two, Classifier, Confident, Prediction, CONFIDENCE_KNOTS,
};
use crate::error::Error;
use crate::kernel;
use crate::model::{Kind, Model};
use crate::FormatError;

/// Section tags of an ensemble blob.
pub mod tags {
    /// Member offsets.
    pub const OFFSETS: [u8; 4] = *b"EOFS";
    /// Member blobs.
    pub const BLOBS: [u8; 4] = *b"EBLB";
    /// The confidence table (optional).
    pub const CONFIDENCE: [u8; 4] = crate::classify::tags::CONFIDENCE;
}

/// The dimension D in bits of the classifier or ensemble in `model` (an ensemble's first
/// member's; [`Ensemble::from_bytes`] checks that they all agree): what a caller that learns
/// the dimension at run time needs to pick the `W` of [`Ensemble`].
pub fn dimension(model: &Model<'_>) -> Result<usize, Error> {
    if model.kind() == Kind::Classifier {
        return crate::classify::dimension(model);
    }
    model.expect_kind(Kind::Ensemble)?;
    let offsets = model.section_u32(tags::OFFSETS)?;
    let blobs = model.section(tags::BLOBS)?;
    let first = match offsets {
        [start, end, ..] => blobs.get(*start as usize..*end as usize),
        _ => None,
    }
    .ok_or(Error::Format(FormatError::Inconsistent(
        "an ensemble needs a member",
    )))?;
    crate::classify::dimension(&Model::new_checked(first)?)
}

/// Up to `K` classifiers of `32·W` bits voting, read in place from a blob.
///
/// ```no_run
/// # fn main() -> Result<(), hyperbits::Error> {
/// static MODEL: &[u8] = hyperbits::include_model!("../boards/qemu/data/digits.hbm");
/// // A classifier blob is an ensemble of one; an ensemble blob holds up to 4 members here.
/// let ensemble = hyperbits::ensemble::Ensemble::<64, 4>::from_bytes(MODEL)?;
/// let prediction = ensemble.predict(&[0.0f32; 64])?;
/// # let _ = prediction; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Ensemble<'a, const W: usize, const K: usize> {
    members: heapless::Vec<Classifier<'a, W>, K>,
    confidence: Option<&'a [u32]>,
}

impl<'a, const W: usize, const K: usize> Ensemble<'a, W, K> {
    /// Validates `bytes` as an ensemble blob, or a classifier blob (an ensemble of one).
    /// Errors: as [`Classifier::from_bytes`] for every member; more than `K` members; members
    /// that disagree on features or labels.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, Error> {
        let model = Model::new_checked(bytes)?;
        if model.kind() == Kind::Classifier {
            let c = Classifier::from_model(model)?;
            let mut members = heapless::Vec::new();
            members
                .push(c)
                .map_err(|_| Error::TooManyInputs { given: 1, max: 0 })?;
            return Ok(Ensemble {
                members,
                confidence: c.confidence_table(),
            });
        }
        model.expect_kind(Kind::Ensemble)?;
        let offsets = model.section_u32(tags::OFFSETS)?;
        let blobs = model.section(tags::BLOBS)?;
        let inconsistent = |what| Error::Format(FormatError::Inconsistent(what));
        let count = offsets.len().saturating_sub(1);
        if count == 0 {
            return Err(inconsistent("an ensemble needs a member"));
        }
        if count > K {
            return Err(Error::TooManyInputs {
                given: count as u64,
                max: K as u64,
            });
        }
        let mut members = heapless::Vec::new();
        for w in offsets.windows(2) {
            let (start, end) = (w[0] as usize, w[1] as usize);
            if start % 4 != 0 || start > end {
                return Err(inconsistent("member offsets out of order or misaligned"));
            }
            let blob = blobs
                .get(start..end)
                .ok_or(inconsistent("a member lies past the blobs"))?;
            let member = Classifier::from_bytes(blob)?;
            let first = members.first().copied().unwrap_or(member);
            if member.features() != first.features() || member.classes() != first.classes() {
                return Err(inconsistent("members disagree on features or classes"));
            }
            for c in 0..first.classes() {
                if member.label(c)? != first.label(c)? {
                    return Err(inconsistent("members disagree on the labels"));
                }
            }
            members
                .push(member)
                .map_err(|_| inconsistent("more members than offsets"))?;
        }
        let confidence = confidence_section(&model)?;
        Ok(Ensemble {
            members,
            confidence,
        })
    }

    /// The members.
    pub fn members(&self) -> &[Classifier<'a, W>] {
        &self.members
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.members.first().map_or(0, |m| m.classes())
    }

    /// The number of features a sample must have.
    pub fn features(&self) -> usize {
        self.members.first().map_or(0, |m| m.features())
    }

    /// The label of class `class`.
    pub fn label(&self, class: usize) -> Result<&'a str, Error> {
        self.members.first().ok_or(Error::EmptyMemory)?.label(class)
    }

    /// The confidence table of the summed margins (`None` for a blob without one).
    pub fn confidence_table(&self) -> Option<&'a [u32]> {
        self.confidence
    }

    /// Writes the summed Hamming distance of the sample to each class's prototypes into
    /// `out` (one value per class). Errors: as [`Classifier::encode`]; `out` of the wrong
    /// length.
    pub fn distances(&self, features: &[f32], out: &mut [u32]) -> Result<(), Error> {
        if out.len() != self.classes() {
            return Err(Error::LengthMismatch {
                expected: self.classes(),
                found: out.len(),
            });
        }
        out.fill(0);
        for m in &self.members {
            let hv = m.encode(features)?;
            for (c, d) in out.iter_mut().enumerate() {
                *d += kernel::hamming(hv.as_words(), m.prototype(c)?);
            }
        }
        Ok(())
    }

    /// The class with the smallest summed distance (ties: the lowest index), and its margin.
    pub(crate) fn vote(&self, features: &[f32]) -> Result<(Prediction, u32), Error> {
        let mut encoded = heapless::Vec::<BinaryVector<W>, K>::new();
        for m in &self.members {
            // At most K members, so there is room.
            encoded
                .push(m.encode(features)?)
                .map_err(|_| Error::EmptyMemory)?;
        }
        let summed = (0..self.classes()).map(|c| {
            self.members
                .iter()
                .zip(&encoded)
                .map(|(m, hv)| {
                    m.prototype(c)
                        .map_or(0, |p| kernel::hamming(hv.as_words(), p))
                })
                .sum::<u32>()
        });
        Ok(least_two(summed))
    }

    /// Encodes the sample with every member and returns the class with the smallest summed
    /// distance (ties: the lowest class index). Errors: as [`Classifier::encode`].
    pub fn predict(&self, features: &[f32]) -> Result<Prediction, Error> {
        Ok(self.vote(features)?.0)
    }

    /// [`Self::predict`] with the margin of the summed distances and the calibrated
    /// probability that the answer is right. Errors: a blob without a confidence table.
    pub fn predict_with_confidence(&self, features: &[f32]) -> Result<Confident, Error> {
        let (prediction, margin) = self.vote(features)?;
        Confident::calibrated(prediction, margin, self.confidence)
    }
}

/// An ensemble blob's contents: the member blobs and the confidence table.
#[derive(Debug, Clone, Copy)]
pub struct EnsembleRepr<'a> {
    /// The member classifier blobs, each whole.
    pub members: &'a [&'a [u8]],
    /// The confidence table of the summed margins, if any.
    pub confidence: Option<&'a [u32]>,
}

impl EnsembleRepr<'_> {
    /// Writes the blob into `out` without allocating; returns its length. Errors:
    /// [`Error::BufferTooSmall`] with the length needed; no members; a confidence table of
    /// the wrong length.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, Error> {
        if self.members.is_empty() {
            return Err(Error::InvalidParameter("an ensemble needs a member"));
        }
        if self.members.len() > 64 {
            return Err(Error::TooManyInputs {
                given: self.members.len() as u64,
                max: 64,
            });
        }
        if self
            .confidence
            .is_some_and(|c| c.len() != 1 + CONFIDENCE_KNOTS)
        {
            return Err(Error::InvalidParameter(
                "a confidence table is a step and 33 knots",
            ));
        }
        // Members padded to 4 bytes, so each starts aligned inside the section.
        const PAD: [u8; 3] = [0; 3];
        let mut offsets = [0u32; 65];
        let mut parts: [&[u8]; 128] = [&[]; 128];
        let mut at = 0usize;
        for (i, m) in self.members.iter().enumerate() {
            offsets[i] = at as u32;
            parts[2 * i] = m;
            parts[2 * i + 1] = &PAD[..(4 - m.len() % 4) % 4];
            at += m.len().next_multiple_of(4);
        }
        let n = self.members.len();
        offsets[n] = at as u32;
        let offsets: [&[u8]; 1] = [bytemuck::cast_slice(&offsets[..=n])];
        let confidence: [&[u8]; 1] = [bytemuck::cast_slice(self.confidence.unwrap_or(&[]))];
        let sections: [([u8; 4], &[&[u8]]); 3] = [
            (tags::OFFSETS, &offsets),
            (tags::BLOBS, &parts[..2 * n]),
            (tags::CONFIDENCE, &confidence),
        ];
        let used = if self.confidence.is_some() { 3 } else { 2 };
        crate::model::write_into(Kind::Ensemble, &sections[..used], out)
    }

    /// The blob, in a buffer of its own.
    #[cfg(feature = "alloc")]
    pub fn to_blob(&self) -> Result<alloc::vec::Vec<u8>, Error> {
        crate::model::emit_to_vec(|out| self.emit(out))
    }
}
