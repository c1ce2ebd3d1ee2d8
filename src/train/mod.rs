//! Host training (feature `std`): everything that turns data into a model blob, kept in one
//! module tree that nothing in the `no_std` core imports.
//!
//! - the classifier trainer (centroid, OnlineHD, margin perceptron; automatic choice of
//!   encoder and margin), re-exported here from [`classifier`];
//! - [`calibrate`]: the classifier's confidence, Platt's curve fitted to held-out margins;
//! - [`ensemble`]: K classifiers of different seeds voting, in one blob;
//! - [`csv`]: the labelled tables the trainer and the command-line tool read;
//! - [`series`]: window classifiers for sensor streams, from labelled windows;
//! - [`sae`]: sparse-autoencoder training, post-training quantisation into HSAE blobs, and
//!   (feature `safetensors`) import of published SAE weights;
//! - `ThresholdCode::fit`: the thresholds of the bit-input SAE's input code.
//!
//! Firmware never links this: the models it writes are read by [`crate::classify`],
//! [`crate::sae`] and the other `no_std` modules, bit for bit the same on every target.
#![forbid(unsafe_code)]

pub mod calibrate;
pub mod classifier;
pub mod csv;
pub mod ensemble;
pub mod sae;
pub mod series;
mod threshold;
pub mod whitening;

pub use classifier::*;
pub use ensemble::{train_ensemble, TrainedEnsemble};
pub use series::{train_series, SeriesOptions, TrainedSeries, Windows};
