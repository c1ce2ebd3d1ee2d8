//! Training ensembles of classifiers on the host: K members, each trained by
//! [`train`](super::train) with its own seed (so its own encoder vectors, choice of encoder and
//! margin, and row order), written as one blob that [`crate::ensemble::Ensemble`] reads.
//!
//! The confidence of the ensemble is fitted on held-out summed distances: every member's
//! method and margin retrained on the same five stratified folds, the distances to each
//! class summed over the members for every held-out row ([`crate::train::calibrate`]). Cost:
//! K trainings and 5·K more runs; on the device K× the flash for prototypes and K× the
//! instructions.
#![forbid(unsafe_code)]

use std::prelude::rust_2021::*;

use super::calibrate::Platt;
use super::classifier::{fold_distances, stratified_folds, Dataset, Method, Options, Trained};
use crate::binary::BinaryVector;
use crate::classify::{least_two, Confident, Prediction};
use crate::ensemble::EnsembleRepr;
use crate::error::Error;

/// The most members [`train_ensemble`] trains (the blob format takes up to 64).
pub const MAX_MEMBERS: usize = 16;

/// A trained ensemble on the host.
#[derive(Debug, Clone)]
pub struct TrainedEnsemble<const W: usize> {
    /// The members; member 0 is what [`train`](super::train) gives for the same options.
    pub members: Vec<Trained<W>>,
    /// The confidence table of the summed margins; `None` when a member has no confidence
    /// (OnlineHD).
    pub confidence: Option<Vec<u32>>,
}

/// The seed of member `m` of an ensemble of `seed`: `seed` itself for member 0.
pub fn member_seed(seed: u64, m: usize) -> u64 {
    seed.wrapping_add((m as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Trains `members` classifiers (1 to [`MAX_MEMBERS`]) with seeds [`member_seed`]`(seed, m)`.
pub fn train_ensemble<const W: usize>(
    data: &Dataset,
    options: &Options,
    members: usize,
) -> Result<TrainedEnsemble<W>, Error> {
    if !(1..=MAX_MEMBERS).contains(&members) {
        return Err(Error::InvalidParameter("an ensemble has 1 to 16 members"));
    }
    let trained = (0..members)
        .map(|m| {
            let options = Options {
                seed: member_seed(options.seed, m),
                ..*options
            };
            super::train::<W>(data, &options)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let epochs = match options.method {
        Method::Perceptron { epochs, .. } => epochs,
        Method::Centroid | Method::OnlineHd { .. } => 0,
    };
    let confidence = if trained.iter().all(|m| m.confidence.is_some()) {
        let classes = data.class_names.len();
        let fold = stratified_folds(&data.labels, classes, !options.seed);
        let mut summed = vec![vec![0u32; classes]; data.len()];
        for m in &trained {
            for (sum, d) in summed
                .iter_mut()
                .zip(fold_distances(m, data, &fold, epochs)?)
            {
                sum.iter_mut().zip(d).for_each(|(s, d)| *s += d);
            }
        }
        let outcomes: Vec<(u32, bool)> = summed
            .iter()
            .zip(&data.labels)
            .map(|(d, &label)| {
                let (p, margin) = least_two(d.iter().copied());
                (margin, p.class == label)
            })
            .collect();
        let dim = (members * BinaryVector::<W>::DIM) as u32;
        Some(Platt::fit(&outcomes).table(dim))
    } else {
        None
    };
    Ok(TrainedEnsemble {
        members: trained,
        confidence,
    })
}

impl<const W: usize> TrainedEnsemble<W> {
    /// The summed distances of a row to each class, and the vote with its margin.
    fn vote(&self, features: &[f32]) -> Result<(Prediction, u32), Error> {
        let classes = self.members.first().map_or(0, |m| m.prototypes.len());
        let mut summed = vec![0u32; classes];
        for m in &self.members {
            let hv = m.encode(features)?;
            for (s, p) in summed.iter_mut().zip(&m.prototypes) {
                *s += p.hamming(&hv);
            }
        }
        Ok(least_two(summed))
    }

    /// Predicts the class of a row, as the device's [`crate::ensemble::Ensemble::predict`].
    pub fn predict(&self, features: &[f32]) -> Result<Prediction, Error> {
        Ok(self.vote(features)?.0)
    }

    /// Predicts with the margin and calibrated probability, as the device's
    /// [`crate::ensemble::Ensemble::predict_with_confidence`].
    pub fn predict_with_confidence(&self, features: &[f32]) -> Result<Confident, Error> {
        let (prediction, margin) = self.vote(features)?;
        Confident::calibrated(prediction, margin, self.confidence.as_deref())
    }

    /// Accuracy on a data set with the same features.
    pub fn accuracy(&self, data: &Dataset) -> Result<f64, Error> {
        super::classifier::accuracy(data, |row| self.predict(row))
    }

    /// The ensemble blob ([`crate::ensemble`]).
    pub fn to_blob(&self) -> Result<Vec<u8>, Error> {
        let blobs = self
            .members
            .iter()
            .map(Trained::to_blob)
            .collect::<Result<Vec<_>, _>>()?;
        let parts: Vec<&[u8]> = blobs.iter().map(Vec::as_slice).collect();
        EnsembleRepr {
            members: &parts,
            confidence: self.confidence.as_deref(),
        }
        .to_blob()
    }
}
