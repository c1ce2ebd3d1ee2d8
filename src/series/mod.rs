//! Sensor series: classify a multichannel stream (accelerometer, gyroscope, EMG electrodes)
//! from a sliding window of samples, on the host and streaming on the device.
//!
//! A [`WindowClassifier`] is a window stage in front of a classifier (or an ensemble) read
//! in place from one blob. The window stage ([`Window`]) turns C channels × T samples of
//! integers into a fixed set of per-channel statistics: mean, standard deviation, minimum,
//! maximum, quartiles, mean absolute difference and the log-energies of a few spectral bands,
//! for each input channel and for the magnitude of each 3-axis vector. These are the cheap
//! window statistics of activity-recognition practice (Anguita et al., "A public domain
//! dataset for human activity recognition using smartphones", ESANN 2013, use a superset);
//! the 1-bit classifier of [`crate::classify`] then encodes them (by default a sign random
//! projection) and picks the nearest class prototype.
//!
//! All of the window stage is integer arithmetic (the DFT in Q14, the square roots and the
//! logarithm exact or fixed-point) ending in `f32` values that are exact or correctly
//! rounded, so the host, the Cortex-M0/M4 and RISC-V give the same features and the same
//! predictions bit for bit.
//!
//! Instead of statistics, the stage can hand the classifier the samples themselves
//! ([`Stage::Samples`]) for a temporal encoder ([`crate::encode::Temporal`]: n-grams of
//! per-step records, the classic EMG encoder); the trainer picks between the two on held-out
//! windows.
//!
//! [`Stream`] feeds the classifier one sample at a time: a ring buffer of the last T samples
//! (magnitudes computed once per sample as it arrives), running sums for the mean, the
//! spread and the mean absolute difference updated per sample, and a prediction every `hop`
//! samples once the window is full.
//!
//! # Costs
//! RAM: the stream, `4·N + 8·L + 976` bytes (`N ≥ T·(C + V)` ring values, `L ≥ T`: the DFT
//! tables and the sort buffer; 3.5 KiB for the HAR model), and while a window is classified
//! 2 KiB of features on the stack besides the classifier's own (5.6 KiB for the projection;
//! the temporal encoder's `i16` counters add `2·D` bytes). Per window: the DFT bins the bands
//! cover (`2·T` multiply-adds each, per channel), one heapsort per channel, then the
//! classifier (the projection: `F·D/8` table lookups). Measured for the HAR model under QEMU
//! (`boards/qemu/insncount.sh <target> series`): 882,847 instructions per streamed window on
//! the Cortex-M4F, 2.04 M on the M0; the streaming firmware is 28,988 B of flash on the M0
//! (`footprint.sh <target> footprint_series`). The temporal stage needs the cargo feature
//! `temporal` (on with `std`).
//!
//! # Sections of a window-classifier blob ([`crate::model`] container, kind 6)
//! | tag | type | content |
//! |---|---|---|
//! | `WPAR` | `u32` words | the window: channels, length, hop, vector count V, band count B, stage (0 statistics, 1 samples), V first channels, B + 1 band edges ([`Window`]) |
//! | `WCLF` | bytes | the classifier or ensemble blob that takes the window's features, whole and checked |
#![forbid(unsafe_code)]

mod window;

pub use window::{
    Dft, Stage, Window, MAX_BANDS, MAX_CHANNELS, MAX_DERIVED, MAX_FEATURES, MAX_LENGTH,
    MAX_VECTORS, STATISTICS,
};

use crate::classify::{Confident, Prediction};
use crate::ensemble::Ensemble;
use crate::error::Error;
use crate::model::{Kind, Model};
use crate::FormatError;
use window::Sums;

/// Section tags of a window-classifier blob.
pub mod tags {
    /// The window description.
    pub const WINDOW: [u8; 4] = *b"WPAR";
    /// The classifier or ensemble blob.
    pub const CLASSIFIER: [u8; 4] = *b"WCLF";
}

/// A prediction for one window: the class, its margin over the second-best class and, when
/// the model carries a confidence table, the calibrated probability that it is right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Decision {
    /// The nearest class and its (summed) distance.
    pub prediction: Prediction,
    /// The second-nearest distance minus the nearest (bits).
    pub margin: u32,
    /// The calibrated probability in units of 2^-16, if the model has a confidence table.
    pub probability: Option<u32>,
}

/// A window stage and the classifier (or ensemble of up to `K`) of `32·W` bits behind it,
/// read in place from a blob.
///
/// ```no_run
/// # fn main() -> Result<(), hyperbits::Error> {
/// use hyperbits::series::{Stream, WindowClassifier};
/// static MODEL: &[u8] = hyperbits::include_model!("../../boards/qemu/data/har.hbm");
/// let clf = WindowClassifier::<64, 1>::from_bytes(MODEL)?;
/// // Room for 64 samples of 8 channels (6 inputs, 2 magnitudes); tables for 64 samples.
/// let mut stream = Stream::<512, 64>::new();
/// let sample = [0i16; 6];
/// if let Some(decision) = stream.push(&clf, &sample)? {
///     let _name = clf.label(decision.prediction.class)?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WindowClassifier<'a, const W: usize, const K: usize> {
    window: Window<'a>,
    model: Ensemble<'a, W, K>,
}

impl<'a, const W: usize, const K: usize> WindowClassifier<'a, W, K> {
    /// Validates `bytes` as a window-classifier blob. Errors: as [`Model::new_checked`],
    /// [`Window::from_words`] and [`Ensemble::from_bytes`]; a classifier whose feature count
    /// is not the window's.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, Error> {
        Self::from_model(Model::new_checked(bytes)?)
    }

    /// The window classifier in `model`, validated once.
    pub fn from_model(model: Model<'a>) -> Result<Self, Error> {
        model.expect_kind(Kind::Series)?;
        let window = Window::from_words(model.section_u32(tags::WINDOW)?)?;
        let model = Ensemble::from_bytes(model.section(tags::CLASSIFIER)?)?;
        if model.features() != window.features() {
            return Err(Error::Format(FormatError::Inconsistent(
                "the classifier's features are not the window's",
            )));
        }
        Ok(WindowClassifier { window, model })
    }

    /// The window stage.
    pub fn window(&self) -> Window<'a> {
        self.window
    }

    /// The classifier (an ensemble of one for a plain classifier blob).
    pub fn model(&self) -> &Ensemble<'a, W, K> {
        &self.model
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.model.classes()
    }

    /// The name of class `class`. Errors: an index out of range.
    pub fn label(&self, class: usize) -> Result<&'a str, Error> {
        self.model.label(class)
    }

    /// Classifies the window's features.
    pub fn decide(&self, features: &[f32]) -> Result<Decision, Error> {
        let (prediction, margin) = self.model.vote(features)?;
        Ok(Decision {
            prediction,
            margin,
            probability: Confident::calibrated(prediction, margin, self.model.confidence_table())
                .ok()
                .map(|c| c.probability),
        })
    }

    /// Classifies one whole window (`samples`: T × C values, time-major); `dft` must be built
    /// for the window's length. Errors: wrong lengths; as [`Ensemble::predict`].
    pub fn predict_window<const L: usize>(
        &self,
        samples: &[i16],
        dft: &Dft<L>,
    ) -> Result<Decision, Error> {
        let mut features = [0f32; MAX_FEATURES];
        let features = &mut features[..self.window.features()];
        self.window.features_of(samples, dft, features)?;
        self.decide(features)
    }
}

/// The streaming state of one window classifier: the last T samples in a ring of `N` values
/// (`N ≥ T·(C + V)`), their running sums, and the DFT tables and sort buffer for windows of
/// up to `L` samples.
#[derive(Debug, Clone)]
pub struct Stream<const N: usize, const L: usize> {
    ring: [i32; N],
    sums: [Sums; MAX_DERIVED],
    dft: Dft<L>,
    scratch: [i32; L],
    /// The ring slot the next sample goes to (the oldest once the ring is full).
    head: usize,
    /// Samples held (at most T).
    held: usize,
    /// Samples since the last prediction.
    since: usize,
}

impl<const N: usize, const L: usize> Default for Stream<N, L> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, const L: usize> Stream<N, L> {
    /// An empty stream, bound to a window classifier by its first [`push`](Self::push).
    /// A `const fn` of zeros: a `static` or a local is built in place, never copied (the
    /// stream is `4·N + 8·L + 976` bytes).
    pub const fn new() -> Self {
        Stream {
            ring: [0; N],
            sums: [Sums::ZERO; MAX_DERIVED],
            dft: Dft::EMPTY,
            scratch: [0; L],
            head: 0,
            held: 0,
            since: 0,
        }
    }

    /// Forgets every sample (as after a gap in the stream).
    pub fn reset(&mut self) {
        self.sums = [Sums::ZERO; MAX_DERIVED];
        (self.head, self.held, self.since) = (0, 0, 0);
    }

    /// Adds one sample (C values) and, when a full window has gathered and `hop` samples
    /// have arrived since the last prediction, classifies the window. The first push (or one
    /// with a classifier of another window length) builds the DFT tables and starts empty.
    /// Errors: a sample of the wrong length; `N` below `T·(C + V)` or `L` below `T`
    /// ([`Error::BufferTooSmall`]); as [`WindowClassifier::decide`].
    pub fn push<const W: usize, const K: usize>(
        &mut self,
        clf: &WindowClassifier<'_, W, K>,
        sample: &[i16],
    ) -> Result<Option<Decision>, Error> {
        let w = clf.window();
        let (t, d) = (w.length(), w.derived_channels());
        if sample.len() != w.channels() {
            return Err(Error::LengthMismatch {
                expected: w.channels(),
                found: sample.len(),
            });
        }
        if N < t * d {
            return Err(Error::BufferTooSmall {
                needed: t * d,
                found: N,
            });
        }
        if self.dft.length() != t {
            if L < t {
                return Err(Error::BufferTooSmall {
                    needed: t,
                    found: L,
                });
            }
            self.dft.rebuild(t)?;
            self.reset();
        }
        let newest = (self.head + t - 1) % t;
        let next_oldest = (self.head + 1) % t;
        for c in 0..d {
            let v = w.derived(sample, c);
            let sums = &mut self.sums[c];
            if self.held == t {
                sums.remove(self.ring[self.head * d + c], self.ring[next_oldest * d + c]);
            }
            let previous = (self.held > 0).then(|| self.ring[newest * d + c]);
            sums.add(v, previous);
            self.ring[self.head * d + c] = v;
        }
        self.head = (self.head + 1) % t;
        self.held = (self.held + 1).min(t);
        self.since += 1;
        if self.held < t || self.since < w.hop() {
            return Ok(None);
        }
        self.since = 0;
        self.classify(clf).map(Some)
    }

    /// Classifies the window the ring holds. Out of line: its 2 KiB of features and the
    /// classifier's frames are on the stack only while a window is classified, not on
    /// every sample's push.
    #[inline(never)]
    fn classify<const W: usize, const K: usize>(
        &mut self,
        clf: &WindowClassifier<'_, W, K>,
    ) -> Result<Decision, Error> {
        let w = clf.window();
        let (t, d) = (w.length(), w.derived_channels());
        let mut features = [0f32; MAX_FEATURES];
        if w.stage() == Stage::Samples {
            // The ring in time order, oldest first.
            for (i, step) in features[..t * d].chunks_exact_mut(d).enumerate() {
                let slot = (self.head + i) % t;
                for (f, &v) in step.iter_mut().zip(&self.ring[slot * d..slot * d + d]) {
                    *f = v as f32;
                }
            }
            return clf.decide(&features[..t * d]);
        }
        let per = w.features_per_channel();
        for (c, out) in features[..w.features()].chunks_exact_mut(per).enumerate() {
            let values = &mut self.scratch[..t];
            for (i, v) in values.iter_mut().enumerate() {
                *v = self.ring[((self.head + i) % t) * d + c];
            }
            w.channel_features(values, &self.sums[c], &self.dft, out);
        }
        clf.decide(&features[..w.features()])
    }
}

/// A window classifier's contents, for writing its blob.
#[derive(Debug, Clone, Copy)]
pub struct WindowClassifierRepr<'a> {
    /// The window words ([`Window::describe`]).
    pub window: &'a [u32],
    /// The classifier or ensemble blob.
    pub classifier: &'a [u8],
}

impl WindowClassifierRepr<'_> {
    /// Writes the blob into `out` without allocating; returns its length. Errors:
    /// [`Error::BufferTooSmall`] with the length needed; a window that does not validate.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, Error> {
        Window::from_words(self.window)?;
        let window: [&[u8]; 1] = [bytemuck::cast_slice(self.window)];
        let classifier: [&[u8]; 1] = [self.classifier];
        crate::model::write_into(
            Kind::Series,
            &[(tags::WINDOW, &window), (tags::CLASSIFIER, &classifier)],
            out,
        )
    }

    /// The blob, in a buffer of its own.
    #[cfg(feature = "alloc")]
    pub fn to_blob(&self) -> Result<alloc::vec::Vec<u8>, Error> {
        crate::model::emit_to_vec(|out| self.emit(out))
    }
}

// The tests build blobs and window descriptions, which need `alloc`.
#[cfg(all(test, feature = "alloc"))]
mod tests;
