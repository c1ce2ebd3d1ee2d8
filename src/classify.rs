//! HDC classifiers on the device: feature vector → scaled → hypervector → nearest class
//! prototype, read in place from a model blob.
//!
//! A classifier is `C` binary class prototypes of D bits plus what it takes to encode a
//! feature vector the way training did: per-feature min-max scaling (fitted on the training
//! rows, clipped at inference), an optional centring, and an encoder whose random vectors are
//! regenerated from seeds. Prediction is the prototype at the smallest Hamming distance (ties:
//! the lowest class index). Costs at D = 2048, 10 classes, 64 features: 2.5 KiB of prototypes
//! in flash, about 2 KiB of stack, no heap.
//!
//! # Encoders
//! - **Projection** (the default of [`crate::train`]): `s_f = clip((x_f − min_f)·scale_f, 0, 1)
//!   − center_f`, quantised to `q_f = round(1024·s_f)`, then
//!   [`Projection::encode_integer`]: exact integer sums, the same bits on every target.
//! - **Record** (level × feature id): `s_f` without centring, quantised to one of `levels`
//!   levels, then [`Record::encode_levels`].
//! - **Sinusoid** (binarised random Fourier features, for a few features): `q_f` as for the
//!   projection, then [`Sinusoid::encode_integer`]: integer and wrapping arithmetic, the same
//!   bits on every target.
//! - **Thermometer** (for a few features): `s_f` without centring, quantised to one of
//!   `levels` levels, then [`Thermometer::encode_features`] (a segment of `⌊D/F⌋` bits per
//!   feature; no seed).
//! - **Temporal** (for windows of samples, [`crate::series`]): `s_f` without centring,
//!   quantised to one of `levels` levels, the features read as steps of `channels` values,
//!   then [`Temporal::encode_with`] (the majority of n-grams of per-step records).
//!
//! # Decorrelation
//! A model may first map the raw features through a linear decorrelation fitted on the
//! training rows, `y = M·(x − mean)` ([`Decorrelation`], at most [`MAX_DECORRELATED`]
//! features): the scaling and the encoder then see `y`. Where classes differ in a direction
//! along which the features hardly vary (the species of crabs in their body proportions, all
//! measures growing with size), the encoders' distances see that direction as clearly as the
//! main one. It costs F² multiply-adds in `f32` per row (in a fixed order, so every target
//! computes the same bits) and `(1 + F)·F·4` bytes of flash.
//!
//! # Sections of a classifier blob ([`crate::model`] container, kind 1)
//! | tag | type | content |
//! |---|---|---|
//! | `CPAR` | 12 × `u32` | dimension D (bits), classes C, features F, encoder (1 projection, 2 record, 3 sinusoid, 4 thermometer, 5 temporal), encoder seed (low, high), key seed (low, high; record and temporal), levels (record, thermometer; temporal: levels, n-gram << 16, channels << 24) or frequency (sinusoid), quantisation scale (1024), tie seed (low, high) |
//! | `SMIN` | F × `f32` | per-feature minimum |
//! | `SSCL` | F × `f32` | per-feature `1/(max − min)`, 0 for a constant feature |
//! | `SCTR` | F × `f32` | per-feature centre subtracted after scaling (0 for record) |
//! | `SDEC` (with flag 0x100 of the encoder word) | (1 + F)·F × `f32` | the decorrelation: per-feature means, then the F × F matrix row by row ([`Decorrelation`]) |
//! | `CLSV` | C·D/32 × `u32` | the class prototypes, packed as [`BinaryVector`] words |
//! | `LOFS` | (C + 1) × `u32` | offsets of the class labels in `LTXT` |
//! | `LTXT` | bytes | the class labels, UTF-8 |
//! | `CONF` (optional) | (1 + 33) × `u32` | the confidence table: a margin step `s` (bits), then the calibrated probability (units of 2^-16) that a prediction is right at margins 0, s, 2s, … 32s |
//!
//! # Confidence
//! [`Classifier::predict_with_confidence`] also reports the **margin**, the distance of the
//! second-nearest prototype minus the nearest's, and maps it to a calibrated probability that
//! the prediction is right: the trainer fits Platt's logistic curve to the margins and
//! outcomes of rows it held out (cross-validation folds on small data, the held-out fifth on
//! large data) and stores it as 33 knots; the device interpolates between them in integers,
//! so every target gives the same answer. A device that must not guess compares the
//! probability with a threshold ([`Confident::is_at_least`]) and answers "unknown" below it.
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::encode::Projection;
#[cfg(feature = "sinusoid")]
use crate::encode::Sinusoid;
#[cfg(feature = "temporal")]
use crate::encode::Temporal;
#[cfg(feature = "thermometer")]
use crate::encode::Thermometer;
#[cfg(any(feature = "record", feature = "temporal"))]
use crate::encode::{Level, Record};
use crate::error::Error;
use crate::kernel;
use crate::model::{Kind, Model};
use crate::FormatError;

/// Section tags of a classifier blob.
pub mod tags {
    /// Parameters (12 words).
    pub const PARAMS: [u8; 4] = *b"CPAR";
    /// Per-feature minimum.
    pub const MIN: [u8; 4] = *b"SMIN";
    /// Per-feature scale.
    pub const SCALE: [u8; 4] = *b"SSCL";
    /// Per-feature centre.
    pub const CENTER: [u8; 4] = *b"SCTR";
    /// Class prototypes.
    pub const CLASSES: [u8; 4] = *b"CLSV";
    /// Label offsets.
    pub const LABEL_OFFSETS: [u8; 4] = *b"LOFS";
    /// Label text.
    pub const LABEL_TEXT: [u8; 4] = *b"LTXT";
    /// The confidence table (optional).
    pub const CONFIDENCE: [u8; 4] = *b"CONF";
    /// The decorrelation: means, then the matrix (with the encoder word's flag 0x100).
    pub const DECORRELATION: [u8; 4] = *b"SDEC";
}

/// Knots of the confidence table after its step word.
pub const CONFIDENCE_KNOTS: usize = 33;

/// Probability 1 in the units of the confidence table.
pub const PROBABILITY_ONE: u32 = 1 << 16;

/// Words in the `CPAR` section.
pub const PARAM_WORDS: usize = 12;

/// The word index of each field of the `CPAR` section (all `u32`; 64-bit seeds as low word
/// then high word).
pub mod param {
    /// The dimension D in bits.
    pub const DIM: usize = 0;
    /// The number of classes.
    pub const CLASSES: usize = 1;
    /// The number of features.
    pub const FEATURES: usize = 2;
    /// The encoder: 1 projection, 2 record, 3 sinusoid, 4 thermometer, 5 temporal
    /// ([`super::Encoding::code`]).
    pub const ENCODER: usize = 3;
    /// The projection seed, or the record's level seed (two words).
    pub const SEED: usize = 4;
    /// The record's key seed (two words; 0 for the projection).
    pub const KEY_SEED: usize = 6;
    /// The record's or thermometer's number of levels, the sinusoid's frequency (0 for the
    /// projection).
    pub const LEVELS: usize = 8;
    /// The quantisation scale of projection features, [`super::QUANTIZATION`].
    pub const QUANTIZATION: usize = 9;
    /// The seed of the tie-breaking vector (two words).
    pub const TIE_SEED: usize = 10;
}
/// Scale of the integer quantisation of projection features.
pub const QUANTIZATION: u32 = 1024;

/// How feature vectors become hypervectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Encoding {
    /// Sign random projection of the scaled, centred, quantised features.
    Projection {
        /// Seed of the projection rows.
        seed: u64,
    },
    /// Level × feature-id record of the scaled features.
    Record {
        /// Seed of the level vectors.
        level_seed: u64,
        /// Seed of the feature-id keys.
        key_seed: u64,
        /// Number of levels (2 to 256).
        levels: u16,
    },
    /// Binarised random Fourier features of the scaled, centred, quantised features.
    Sinusoid {
        /// Seed of the weights and phases.
        seed: u64,
        /// Phase units (2^32 per turn) per unit of the integer weighted sum
        /// ([`Sinusoid::frequency_for`]).
        frequency: u32,
    },
    /// Concatenated thermometer codes of the scaled features, one segment per feature.
    Thermometer {
        /// Number of levels (2 to 65,535).
        levels: u16,
    },
    /// The features as steps of `channels` values (time-major): the majority of the
    /// n-grams of per-step level × channel records ([`Temporal`]).
    Temporal {
        /// Seed of the level vectors.
        level_seed: u64,
        /// Seed of the channel keys.
        key_seed: u64,
        /// Number of levels (2 to 256).
        levels: u16,
        /// Values per step (1 to 255).
        channels: u8,
        /// Steps per n-gram (1 to 8).
        ngram: u8,
    },
}

impl Encoding {
    /// The encoder code stored in `CPAR`.
    pub fn code(&self) -> u32 {
        match self {
            Encoding::Projection { .. } => 1,
            Encoding::Record { .. } => 2,
            Encoding::Sinusoid { .. } => 3,
            Encoding::Thermometer { .. } => 4,
            Encoding::Temporal { .. } => 5,
        }
    }
}

/// Per-feature scaling fitted on the training rows: `clip((x − min)·scale, 0, 1) − center`,
/// after an optional decorrelation.
#[derive(Debug, Clone, Copy)]
pub struct Scaling<'a> {
    /// Per-feature minimum.
    pub min: &'a [f32],
    /// Per-feature `1/(max − min)` (0 for a constant feature).
    pub scale: &'a [f32],
    /// Per-feature centre subtracted after clipping.
    pub center: &'a [f32],
    /// The decorrelation applied to the raw features before everything else, if any.
    pub decorrelation: Option<Decorrelation<'a>>,
}

/// The most features a decorrelated model takes (its output is kept on the stack:
/// 4 bytes a feature).
pub const MAX_DECORRELATED: usize = 32;

/// The flag of the `CPAR` encoder word saying the blob carries a decorrelation (`SDEC`).
pub const DECORRELATED_FLAG: u32 = 0x100;

/// A linear map of the raw features, `y_g = Σ_f matrix[g·F + f]·(x_f − mean_f)`, summed in
/// `f` order in `f32` (the same bits on every target). The trainer fits it to whiten the
/// training rows ([`crate::classify`]'s "Decorrelation"). Stored as the `SDEC` section is:
/// the F means, then the F × F matrix row by row.
#[derive(Debug, Clone, Copy)]
pub struct Decorrelation<'a> {
    values: &'a [f32],
}

impl<'a> Decorrelation<'a> {
    /// The decorrelation stored in `values`: F means, then F × F matrix entries row by row
    /// (the length is checked against the number of features where it is used).
    pub fn new(values: &'a [f32]) -> Self {
        Decorrelation { values }
    }

    /// The means, then the matrix, as stored.
    pub fn values(&self) -> &'a [f32] {
        self.values
    }

    /// Writes the decorrelated `features` into `out[..F]`; callers check that the values are
    /// `(1 + F)·F` long and that `out` holds F.
    #[cfg(feature = "decorrelate")]
    pub(crate) fn apply(&self, features: &[f32], out: &mut [f32]) {
        let n = features.len();
        let (mean, matrix) = self.values.split_at(n.min(self.values.len()));
        for (row, y) in matrix.chunks_exact(n.max(1)).zip(out.iter_mut()) {
            let mut sum = 0.0f32;
            for ((&m, &x), &mu) in row.iter().zip(features).zip(mean) {
                sum += m * (x - mu);
            }
            *y = sum;
        }
    }
}

#[cfg(feature = "decorrelate")]
impl<'a> Scaling<'a> {
    /// The features the scaling and encoder see: `features` itself, or its decorrelation
    /// written into `buffer` (errors: more than [`MAX_DECORRELATED`] features, or a
    /// decorrelation of the wrong size). `features` is F long (checked by the caller).
    pub(crate) fn decorrelated<'b>(
        &self,
        features: &'b [f32],
        buffer: &'b mut [f32; MAX_DECORRELATED],
    ) -> Result<&'b [f32], Error> {
        let Some(d) = self.decorrelation else {
            return Ok(features);
        };
        let n = features.len();
        if n > MAX_DECORRELATED {
            return Err(Error::TooManyInputs {
                given: n as u64,
                max: MAX_DECORRELATED as u64,
            });
        }
        if d.values.len() != n * (n + 1) {
            return Err(Error::LengthMismatch {
                expected: n * (n + 1),
                found: d.values.len(),
            });
        }
        d.apply(features, buffer);
        Ok(&buffer[..n])
    }
}

impl Scaling<'_> {
    /// Scaled value of feature `f` (clipped to `[0, 1]`, before centring).
    #[inline]
    fn unit(&self, f: usize, x: f32) -> f32 {
        let s = (x - self.min[f]) * self.scale[f];
        // max/min by comparison (not f32::clamp) so the same code runs without std.
        if s > 1.0 {
            1.0
        } else if s > 0.0 {
            s
        } else {
            0.0
        }
    }
}

/// Rounds half away from zero without `std` (`f32::round` is not in `core`).
#[inline]
fn round(x: f32) -> i32 {
    if x >= 0.0 {
        (x + 0.5) as i32
    } else {
        (x - 0.5) as i32
    }
}

/// Encodes `features` as a classifier would (shared by the device and the trainer, so both
/// produce the same bits). Errors: wrong number of features, a NaN or infinite feature.
// Out of line: the encoders' frames (up to 4 KiB) are then not added to the caller's.
#[inline(never)]
pub fn encode_features<const W: usize>(
    encoding: &Encoding,
    scaling: &Scaling<'_>,
    tie_seed: u64,
    features: &[f32],
) -> Result<BinaryVector<W>, Error> {
    let n = scaling.min.len();
    if features.len() != n {
        return Err(Error::LengthMismatch {
            expected: n,
            found: features.len(),
        });
    }
    if features.iter().any(|x| !x.is_finite()) {
        return Err(Error::InvalidParameter("a feature is NaN or infinite"));
    }
    if scaling.decorrelation.is_some() {
        #[cfg(feature = "decorrelate")]
        return decorrelated(encoding, scaling, tie_seed, features);
        #[cfg(not(feature = "decorrelate"))]
        return Err(not_compiled_in(DECORRELATION_LEFT_OUT));
    }
    encode_scaled(encoding, scaling, tie_seed, features)
}

/// [`encode_features`] of a model that decorrelates its features (feature `decorrelate`), out
/// of line: the decorrelated features are on the stack only when such a model runs.
#[cfg(feature = "decorrelate")]
#[inline(never)]
fn decorrelated<const W: usize>(
    encoding: &Encoding,
    scaling: &Scaling<'_>,
    tie_seed: u64,
    features: &[f32],
) -> Result<BinaryVector<W>, Error> {
    let mut buffer = [0f32; MAX_DECORRELATED];
    let features = scaling.decorrelated(features, &mut buffer)?;
    encode_scaled(encoding, scaling, tie_seed, features)
}

/// [`encode_features`] after the checks and the decorrelation: `features` (as many as the
/// scaling has) are what the scaling sees. Out of line when it has two callers (the plain and
/// the decorrelated path), so its code is there once.
#[cfg_attr(feature = "decorrelate", inline(never))]
fn encode_scaled<const W: usize>(
    encoding: &Encoding,
    scaling: &Scaling<'_>,
    tie_seed: u64,
    features: &[f32],
) -> Result<BinaryVector<W>, Error> {
    let n = features.len();
    match *encoding {
        Encoding::Projection { seed } => {
            if n > MAX_FEATURES {
                return Err(Error::TooManyInputs {
                    given: n as u64,
                    max: MAX_FEATURES as u64,
                });
            }
            Projection::new(seed).encode_integer_with(n, |f| quantized(scaling, f, features[f]))
        }
        Encoding::Record {
            level_seed,
            key_seed,
            levels,
        } => {
            #[cfg(feature = "record")]
            let encoded = record(level_seed, key_seed, levels, scaling, tie_seed, features);
            #[cfg(not(feature = "record"))]
            let encoded = {
                let _ = (level_seed, key_seed, levels, tie_seed);
                Err(not_compiled_in(
                    "the record encoder is not compiled in (cargo feature `record`)",
                ))
            };
            encoded
        }
        Encoding::Sinusoid { seed, frequency } => {
            if n > MAX_FEATURES {
                return Err(Error::TooManyInputs {
                    given: n as u64,
                    max: MAX_FEATURES as u64,
                });
            }
            #[cfg(feature = "sinusoid")]
            let encoded = Sinusoid::new(seed, frequency)
                .encode_integer_with(n, |f| quantized(scaling, f, features[f]));
            #[cfg(not(feature = "sinusoid"))]
            let encoded = {
                let _ = (seed, frequency);
                Err(not_compiled_in(
                    "the sinusoid encoder is not compiled in (cargo feature `sinusoid`)",
                ))
            };
            encoded
        }
        Encoding::Temporal {
            level_seed,
            key_seed,
            levels,
            channels,
            ngram,
        } => {
            #[cfg(feature = "temporal")]
            let encoded = temporal(
                (level_seed, key_seed, levels),
                (usize::from(channels), usize::from(ngram)),
                scaling,
                tie_seed,
                features,
            );
            #[cfg(not(feature = "temporal"))]
            let encoded = {
                let _ = (level_seed, key_seed, levels, channels, ngram);
                Err(not_compiled_in(
                    "the temporal encoder is not compiled in (cargo feature `temporal`)",
                ))
            };
            encoded
        }
        Encoding::Thermometer { levels } => {
            #[cfg(feature = "thermometer")]
            let encoded = {
                let t = Thermometer::new(u32::from(levels))?;
                let top = f32::from(levels.saturating_sub(1));
                t.encode_features(n, |f| round(scaling.unit(f, features[f]) * top) as u32)
            };
            #[cfg(not(feature = "thermometer"))]
            let encoded = {
                let _ = levels;
                Err(not_compiled_in(
                    "the thermometer encoder is not compiled in (cargo feature `thermometer`)",
                ))
            };
            encoded
        }
    }
}

/// The `SDEC` section of a classifier with `features` features, checked.
#[cfg(feature = "decorrelate")]
fn decorrelation_section<'a>(
    model: &Model<'a>,
    features: usize,
) -> Result<Decorrelation<'a>, Error> {
    let all = model.section_f32(tags::DECORRELATION)?;
    if features > MAX_DECORRELATED
        || Some(all.len()) != features.checked_mul(features + 1)
        || all.iter().any(|v| !v.is_finite())
    {
        return Err(Error::Format(FormatError::Inconsistent(
            "SDEC must hold (1 + F)·F finite values, F at most 32",
        )));
    }
    Ok(Decorrelation::new(all))
}

/// Without the feature `decorrelate`, a blob that decorrelates is refused when it is read.
#[cfg(not(feature = "decorrelate"))]
fn decorrelation_section<'a>(_: &Model<'a>, _: usize) -> Result<Decorrelation<'a>, Error> {
    Err(not_compiled_in(DECORRELATION_LEFT_OUT))
}

/// Why a decorrelated model is refused by a build without the feature `decorrelate`.
#[cfg(not(feature = "decorrelate"))]
const DECORRELATION_LEFT_OUT: &str =
    "the decorrelation is not compiled in (cargo feature `decorrelate`)";

/// The error of a model whose encoder this build leaves out (each encoder but the projection
/// is a cargo feature, so that firmware carries only the encoders it runs).
#[allow(dead_code)]
fn not_compiled_in(what: &'static str) -> Error {
    Error::InvalidParameter(what)
}

/// The record encoder's arm of [`encode_features`] (feature `record`), out of line: its 2 KiB
/// of levels and the record's counters are on the stack only when a record model runs.
#[cfg(feature = "record")]
#[inline(never)]
fn record<const W: usize>(
    level_seed: u64,
    key_seed: u64,
    levels: u16,
    scaling: &Scaling<'_>,
    tie_seed: u64,
    features: &[f32],
) -> Result<BinaryVector<W>, Error> {
    let level = Level::new(level_seed, levels)?;
    let mut l = heapless::Vec::<u16, MAX_FEATURES>::new();
    if features.len() > l.capacity() {
        return Err(Error::TooManyInputs {
            given: features.len() as u64,
            max: l.capacity() as u64,
        });
    }
    for (f, &x) in features.iter().enumerate() {
        let _ = l.push(level.quantize(scaling.unit(f, x), 0.0, 1.0));
    }
    Record::new(key_seed, level).encode_levels(&l, tie_seed)
}

/// The temporal encoder's arm of [`encode_features`] (feature `temporal`), out of line: its counters (`2·D`
/// bytes) and history are on the stack only when a temporal model runs.
#[cfg(feature = "temporal")]
#[inline(never)]
fn temporal<const W: usize>(
    (level_seed, key_seed, levels): (u64, u64, u16),
    (channels, ngram): (usize, usize),
    scaling: &Scaling<'_>,
    tie_seed: u64,
    features: &[f32],
) -> Result<BinaryVector<W>, Error> {
    let level = Level::new(level_seed, levels)?;
    let encoder = Temporal::new(Record::new(key_seed, level), channels, ngram)?;
    if channels == 0 || !features.len().is_multiple_of(channels) {
        return Err(Error::InvalidParameter(
            "temporal features must be whole steps of the channels",
        ));
    }
    encoder.encode_with(
        features.len() / channels,
        |t, c| {
            let f = t * channels + c;
            level.quantize(scaling.unit(f, features[f]), 0.0, 1.0)
        },
        tie_seed,
    )
}

/// The integer input of the projection encoder for feature `f`:
/// `round(1024·(clip((x − min)·scale, 0, 1) − center))`, so |q| ≤ 1024 and the sums cannot
/// overflow below 2^21 features.
#[inline]
pub(crate) fn quantized(scaling: &Scaling<'_>, f: usize, x: f32) -> i32 {
    round((scaling.unit(f, x) - scaling.center[f]) * QUANTIZATION as f32)
}

/// The most features a classifier takes (the record encoder keeps one level per feature on
/// the stack: 2 KiB at most).
pub const MAX_FEATURES: usize = 1024;

/// A classifier read in place from a model blob.
///
/// ```no_run
/// # fn main() -> Result<(), hyperbits::Error> {
/// static MODEL: &[u8] = hyperbits::include_model!("../boards/qemu/data/digits.hbm");
/// let clf = hyperbits::classify::Classifier::<64>::from_bytes(MODEL)?;
/// let features = [0.0f32; 64];
/// let prediction = clf.predict(&features)?;
/// let name = clf.label(prediction.class)?;
/// # let _ = name; Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Classifier<'a, const W: usize> {
    encoding: Encoding,
    scaling: Scaling<'a>,
    tie_seed: u64,
    prototypes: &'a [u32],
    label_offsets: &'a [u32],
    label_text: &'a [u8],
    confidence: Option<&'a [u32]>,
    classes: usize,
}

/// The prediction for one sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Prediction {
    /// Index of the nearest class prototype.
    pub class: usize,
    /// Its Hamming distance to the encoded sample.
    pub distance: u32,
}

/// A prediction with its margin and calibrated probability of being right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Confident {
    /// The prediction.
    pub prediction: Prediction,
    /// The second-nearest prototype's distance minus the nearest's (bits; 0 on a tie).
    pub margin: u32,
    /// The calibrated probability that the prediction is right, in units of 2^-16
    /// ([`PROBABILITY_ONE`] is certainty).
    pub probability: u32,
}

impl Confident {
    /// The prediction with its margin and the probability `table` gives it. Errors: no table
    /// (a model without a confidence table).
    pub(crate) fn calibrated(
        prediction: Prediction,
        margin: u32,
        table: Option<&[u32]>,
    ) -> Result<Self, Error> {
        let table = table.ok_or(Error::InvalidParameter(
            "the model carries no confidence table",
        ))?;
        Ok(Confident {
            prediction,
            margin,
            probability: probability_at(table, margin),
        })
    }

    /// Whether the probability is at least `threshold` (units of 2^-16): below it, a device
    /// that must not guess answers "unknown".
    pub fn is_at_least(&self, threshold: u32) -> bool {
        self.probability >= threshold
    }
}

/// The optional `CONF` section of `model`, checked: a non-zero step and 33 probabilities of
/// at most [`PROBABILITY_ONE`] (shared by classifier and ensemble blobs).
pub(crate) fn confidence_section<'a>(model: &Model<'a>) -> Result<Option<&'a [u32]>, Error> {
    match model.section_u32(tags::CONFIDENCE) {
        Ok(c)
            if c.len() == 1 + CONFIDENCE_KNOTS
                && c[0] > 0
                && c[1..].iter().all(|&p| p <= PROBABILITY_ONE) =>
        {
            Ok(Some(c))
        }
        Ok(_) => Err(Error::Format(FormatError::Inconsistent(
            "CONF must hold a non-zero step and 33 probabilities of at most 2^16",
        ))),
        Err(Error::Format(FormatError::MissingSection { .. })) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The nearest of `prototypes` to `query` (ties: the lowest index) and its margin: the
/// second-nearest distance minus the nearest (0 with one prototype or on a tie).
pub(crate) fn nearest_with_margin<T: AsRef<[u32]>>(
    query: &[u32],
    prototypes: impl IntoIterator<Item = T>,
) -> (Prediction, u32) {
    least_two(
        prototypes
            .into_iter()
            .map(|p| kernel::hamming(query, p.as_ref())),
    )
}

/// The smallest of `distances` (ties: the lowest index) and its margin over the second
/// smallest (0 with one distance or on a tie).
pub(crate) fn least_two(distances: impl IntoIterator<Item = u32>) -> (Prediction, u32) {
    let (mut best, mut second) = ((0usize, u32::MAX), u32::MAX);
    for (c, d) in distances.into_iter().enumerate() {
        if d < best.1 {
            second = best.1;
            best = (c, d);
        } else if d < second {
            second = d;
        }
    }
    let prediction = Prediction {
        class: best.0,
        distance: best.1,
    };
    // With one distance there is no second: margin 0, as on a tie.
    let margin = if second == u32::MAX {
        0
    } else {
        second - best.1
    };
    (prediction, margin)
}

/// The calibrated probability at `margin` from a confidence table (`[step, knots…]`): linear
/// interpolation between knots in integers, the last knot beyond the table.
pub fn probability_at(table: &[u32], margin: u32) -> u32 {
    let Some((&step, knots)) = table.split_first() else {
        return 0;
    };
    let Some(&last) = knots.last() else {
        return 0;
    };
    let step = step.max(1);
    let i = (margin / step) as usize;
    match (knots.get(i), knots.get(i + 1)) {
        (Some(&a), Some(&b)) => {
            let r = u64::from(margin % step);
            let (a, b) = (u64::from(a), u64::from(b));
            // a + (b − a)·r/step, exact in u64 for either sign of b − a.
            ((a * (u64::from(step) - r) + b * r) / u64::from(step)) as u32
        }
        _ => last,
    }
}

fn seed(lo: u32, hi: u32) -> u64 {
    u64::from(lo) | (u64::from(hi) << 32)
}

/// The `CPAR` words of a classifier.
fn params(
    dim: usize,
    classes: usize,
    features: usize,
    encoding: &Encoding,
    tie_seed: u64,
) -> [u32; PARAM_WORDS] {
    let split = |s: u64| [s as u32, (s >> 32) as u32];
    let (seed, key_seed, levels) = match *encoding {
        Encoding::Projection { seed } => (seed, 0, 0),
        Encoding::Record {
            level_seed,
            key_seed,
            levels,
        } => (level_seed, key_seed, u32::from(levels)),
        Encoding::Sinusoid { seed, frequency } => (seed, 0, frequency),
        Encoding::Thermometer { levels } => (0, 0, u32::from(levels)),
        Encoding::Temporal {
            level_seed,
            key_seed,
            levels,
            channels,
            ngram,
        } => (
            level_seed,
            key_seed,
            u32::from(levels) | u32::from(ngram) << 16 | u32::from(channels) << 24,
        ),
    };
    let mut p = [0u32; PARAM_WORDS];
    p[param::DIM] = dim as u32;
    p[param::CLASSES] = classes as u32;
    p[param::FEATURES] = features as u32;
    p[param::ENCODER] = encoding.code();
    p[param::SEED..param::SEED + 2].copy_from_slice(&split(seed));
    p[param::KEY_SEED..param::KEY_SEED + 2].copy_from_slice(&split(key_seed));
    p[param::LEVELS] = levels;
    p[param::QUANTIZATION] = QUANTIZATION;
    p[param::TIE_SEED..param::TIE_SEED + 2].copy_from_slice(&split(tie_seed));
    p
}

/// A classifier blob's contents, borrowed from wherever they live (a host trainer's vectors,
/// an on-device [`crate::learn::Learner`]'s arrays): the one place that emits the classifier
/// format, as [`Classifier::from_model`] is the one that parses it.
#[derive(Debug, Clone, Copy)]
pub struct ClassifierRepr<'a> {
    /// The dimension D in bits.
    pub dim: usize,
    /// The encoder.
    pub encoding: Encoding,
    /// The seed of the tie-breaking vector.
    pub tie_seed: u64,
    /// The feature scaling (one value per feature in each array).
    pub scaling: Scaling<'a>,
    /// One prototype per class, `D/8` bytes each (little-endian words).
    pub prototypes: &'a [&'a [u8]],
    /// Where each class's label ends in `label_text` (the first starts at 0).
    pub label_ends: &'a [u32],
    /// The labels, concatenated, UTF-8.
    pub label_text: &'a [u8],
    /// The confidence table (`CONF`: step, then [`CONFIDENCE_KNOTS`] probabilities), if any.
    pub confidence: Option<&'a [u32]>,
}

impl ClassifierRepr<'_> {
    /// Writes the blob into `out` without allocating; returns its length. Errors:
    /// [`Error::BufferTooSmall`] with the length needed, a label count that differs from the
    /// prototype count, a big-endian target.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, Error> {
        if cfg!(target_endian = "big") {
            return Err(Error::InvalidParameter(
                "model blobs are written on little-endian targets",
            ));
        }
        if self.label_ends.len() != self.prototypes.len() {
            return Err(Error::LengthMismatch {
                expected: self.prototypes.len(),
                found: self.label_ends.len(),
            });
        }
        let mut cpar = params(
            self.dim,
            self.prototypes.len(),
            self.scaling.min.len(),
            &self.encoding,
            self.tie_seed,
        );
        if self
            .confidence
            .is_some_and(|c| c.len() != 1 + CONFIDENCE_KNOTS)
        {
            return Err(Error::InvalidParameter(
                "a confidence table is a step and 33 knots",
            ));
        }
        let min: [&[u8]; 1] = [bytemuck::cast_slice(self.scaling.min)];
        let scale: [&[u8]; 1] = [bytemuck::cast_slice(self.scaling.scale)];
        let center: [&[u8]; 1] = [bytemuck::cast_slice(self.scaling.center)];
        let confidence: [&[u8]; 1] = [bytemuck::cast_slice(self.confidence.unwrap_or(&[]))];
        let decorrelation: [&[u8]; 1] = match self.scaling.decorrelation {
            Some(d) => {
                let f = self.scaling.min.len();
                if f > MAX_DECORRELATED || d.values.len() != f * (f + 1) {
                    return Err(Error::InvalidParameter(
                        "a decorrelation is F means and an F × F matrix, F at most 32",
                    ));
                }
                cpar[param::ENCODER] |= DECORRELATED_FLAG;
                [bytemuck::cast_slice(d.values)]
            }
            None => [&[]],
        };
        let params: [&[u8]; 1] = [bytemuck::cast_slice(&cpar)];
        let label_offsets: [&[u8]; 2] = [&[0; 4], bytemuck::cast_slice(self.label_ends)];
        let label_text: [&[u8]; 1] = [self.label_text];
        let all: [([u8; 4], &[&[u8]]); 9] = [
            (tags::PARAMS, &params),
            (tags::MIN, &min),
            (tags::SCALE, &scale),
            (tags::CENTER, &center),
            (tags::CLASSES, self.prototypes),
            (tags::LABEL_OFFSETS, &label_offsets),
            (tags::LABEL_TEXT, &label_text),
            (tags::CONFIDENCE, &confidence),
            (tags::DECORRELATION, &decorrelation),
        ];
        // The optional sections only when present.
        let sections: heapless::Vec<([u8; 4], &[&[u8]]), 9> = all
            .into_iter()
            .filter(|(tag, _)| match *tag {
                tags::CONFIDENCE => self.confidence.is_some(),
                tags::DECORRELATION => self.scaling.decorrelation.is_some(),
                _ => true,
            })
            .collect();
        crate::model::write_into(Kind::Classifier, &sections, out)
    }

    /// The blob, in a buffer of its own.
    #[cfg(feature = "alloc")]
    pub fn to_blob(&self) -> Result<alloc::vec::Vec<u8>, Error> {
        crate::model::emit_to_vec(|out| self.emit(out))
    }
}

/// The dimension D in bits that the classifier in `model` was trained at: what a caller that
/// learns the dimension at run time needs to pick the `W` of [`Classifier`] (the CLI, the
/// Python package). The rest of the model is validated by [`Classifier::from_model`].
pub fn dimension(model: &Model<'_>) -> Result<usize, Error> {
    model.expect_kind(Kind::Classifier)?;
    let p = model.section_u32(tags::PARAMS)?;
    p.get(param::DIM)
        .map(|&d| d as usize)
        .ok_or(Error::Format(FormatError::Inconsistent(
            "CPAR must hold 12 words",
        )))
}

impl<'a, const W: usize> Classifier<'a, W> {
    /// Validates `bytes` as a classifier blob of dimension `32·W` (see [`Self::from_model`]).
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, Error> {
        Self::from_model(Model::new_checked(bytes)?)
    }

    /// The classifier in `model`, validated once: kind, dimension, section sizes, finite
    /// scaling parameters, label offsets and UTF-8.
    pub fn from_model(model: Model<'a>) -> Result<Self, Error> {
        model.expect_kind(Kind::Classifier)?;
        let p = model.section_u32(tags::PARAMS)?;
        if p.len() != PARAM_WORDS {
            return Err(Error::Format(FormatError::Inconsistent(
                "CPAR must hold 12 words",
            )));
        }
        let dim = p[param::DIM] as usize;
        if dim != BinaryVector::<W>::DIM {
            return Err(Error::Format(FormatError::DimensionMismatch {
                expected: BinaryVector::<W>::DIM,
                found: dim,
            }));
        }
        let (classes, features) = (p[param::CLASSES] as usize, p[param::FEATURES] as usize);
        if classes == 0 || features == 0 {
            return Err(Error::Format(FormatError::Inconsistent(
                "a classifier needs classes and features",
            )));
        }
        let seed_at = |i: usize| seed(p[i], p[i + 1]);
        let (code, flags) = (p[param::ENCODER] & 0xFF, p[param::ENCODER] & !0xFF);
        if flags & !DECORRELATED_FLAG != 0 {
            return Err(Error::Format(FormatError::Inconsistent(
                "unknown flags in the encoder word",
            )));
        }
        let encoding = match code {
            1 => Encoding::Projection {
                seed: seed_at(param::SEED),
            },
            2 => {
                let levels = u16::try_from(p[param::LEVELS])
                    .ok()
                    .filter(|l| (2..=crate::encode::Level::MAX_LEVELS).contains(l))
                    .ok_or(Error::Format(FormatError::Inconsistent(
                        "record levels must be in 2..=256",
                    )))?;
                Encoding::Record {
                    level_seed: seed_at(param::SEED),
                    key_seed: seed_at(param::KEY_SEED),
                    levels,
                }
            }
            3 => Encoding::Sinusoid {
                seed: seed_at(param::SEED),
                frequency: p[param::LEVELS],
            },
            5 => {
                let word = p[param::LEVELS];
                let (levels, ngram, channels) =
                    (word as u16, (word >> 16) as u8, (word >> 24) as u8);
                if !(2..=crate::encode::Level::MAX_LEVELS).contains(&levels)
                    || !(1..=8).contains(&ngram)
                    || channels == 0
                    || !features.is_multiple_of(usize::from(channels))
                    || features / usize::from(channels) < usize::from(ngram)
                {
                    return Err(Error::Format(FormatError::Inconsistent(
                        "temporal: levels 2..=256, n-grams of 1 to 8 steps, features a whole number of at least n steps",
                    )));
                }
                Encoding::Temporal {
                    level_seed: seed_at(param::SEED),
                    key_seed: seed_at(param::KEY_SEED),
                    levels,
                    channels,
                    ngram,
                }
            }
            4 => Encoding::Thermometer {
                levels: u16::try_from(p[param::LEVELS])
                    .ok()
                    .filter(|&l| l >= 2)
                    .ok_or(Error::Format(FormatError::Inconsistent(
                        "thermometer levels must be in 2..=65535",
                    )))?,
            },
            _ => {
                return Err(Error::Format(FormatError::Inconsistent(
                    "unknown encoder code",
                )))
            }
        };
        if p[param::QUANTIZATION] != QUANTIZATION {
            return Err(Error::Format(FormatError::Inconsistent(
                "unsupported quantisation scale",
            )));
        }
        let scaling = Scaling {
            min: model.section_f32(tags::MIN)?,
            scale: model.section_f32(tags::SCALE)?,
            center: model.section_f32(tags::CENTER)?,
            decorrelation: if flags & DECORRELATED_FLAG != 0 {
                Some(decorrelation_section(&model, features)?)
            } else {
                None
            },
        };
        for s in [scaling.min, scaling.scale, scaling.center] {
            if s.len() != features {
                return Err(Error::Format(FormatError::Inconsistent(
                    "scaling arrays must have one value per feature",
                )));
            }
            if s.iter().any(|v| !v.is_finite()) {
                return Err(Error::Format(FormatError::Inconsistent(
                    "scaling values must be finite",
                )));
            }
        }
        let prototypes = model.section_u32(tags::CLASSES)?;
        if Some(prototypes.len()) != classes.checked_mul(W) {
            return Err(Error::Format(FormatError::Inconsistent(
                "CLSV must hold classes × D/32 words",
            )));
        }
        let label_offsets = model.section_u32(tags::LABEL_OFFSETS)?;
        let label_text = model.section(tags::LABEL_TEXT)?;
        if label_offsets.len() != classes + 1
            || label_offsets.windows(2).any(|w| w[0] > w[1])
            || label_offsets
                .last()
                .is_some_and(|&e| e as usize > label_text.len())
        {
            return Err(Error::Format(FormatError::Inconsistent(
                "label offsets out of order or past the text",
            )));
        }
        let confidence = confidence_section(&model)?;
        let clf = Classifier {
            encoding,
            scaling,
            tie_seed: seed_at(param::TIE_SEED),
            prototypes,
            label_offsets,
            label_text,
            confidence,
            classes,
        };
        for c in 0..classes {
            clf.label(c)?;
        }
        Ok(clf)
    }

    /// The scaling read from the blob.
    pub(crate) fn scaling(&self) -> Scaling<'a> {
        self.scaling
    }

    /// The seed of the tie-breaking vector.
    pub(crate) fn tie_seed(&self) -> u64 {
        self.tie_seed
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The number of features a sample must have.
    pub fn features(&self) -> usize {
        self.scaling.min.len()
    }

    /// The encoder.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The decorrelation applied to the raw features first, if the model has one.
    pub fn decorrelation(&self) -> Option<Decorrelation<'a>> {
        self.scaling.decorrelation
    }

    /// The label of class `class`.
    pub fn label(&self, class: usize) -> Result<&'a str, Error> {
        let out_of_range = Error::IndexOutOfRange {
            index: class,
            len: self.classes,
        };
        if class >= self.classes {
            return Err(out_of_range);
        }
        // `class < classes` and the loader checked `label_offsets` holds `classes + 1` entries.
        let range = self
            .label_offsets
            .get(class..class + 2)
            .ok_or(out_of_range)?;
        let bytes = self
            .label_text
            .get(range[0] as usize..range[1] as usize)
            .ok_or(Error::Format(FormatError::Inconsistent(
                "label offsets past the text",
            )))?;
        core::str::from_utf8(bytes)
            .map_err(|_| Error::Format(FormatError::Inconsistent("a label is not UTF-8")))
    }

    /// The prototype of class `class`, as packed words read from the blob.
    pub fn prototype(&self, class: usize) -> Result<&'a [u32], Error> {
        if class >= self.classes {
            return Err(Error::IndexOutOfRange {
                index: class,
                len: self.classes,
            });
        }
        // `class < classes`, and the loader checked the prototypes hold `classes · W` words.
        self.prototypes
            .get(class * W..(class + 1) * W)
            .ok_or(Error::Format(FormatError::Inconsistent(
                "prototypes shorter than the class count",
            )))
    }

    /// Encodes a sample. Errors: wrong number of features, a NaN or infinite feature.
    pub fn encode(&self, features: &[f32]) -> Result<BinaryVector<W>, Error> {
        encode_features(&self.encoding, &self.scaling, self.tie_seed, features)
    }

    /// The nearest class prototype to an encoded sample.
    pub fn classify(&self, hv: &BinaryVector<W>) -> Prediction {
        let (class, distance) =
            kernel::nearest(hv.as_words(), self.prototypes.chunks_exact(W)).unwrap_or((0, 0));
        Prediction { class, distance }
    }

    /// Encodes and classifies a sample.
    pub fn predict(&self, features: &[f32]) -> Result<Prediction, Error> {
        Ok(self.classify(&self.encode(features)?))
    }

    /// The confidence table read from the blob (`None` for a blob without one).
    pub fn confidence_table(&self) -> Option<&'a [u32]> {
        self.confidence
    }

    /// The nearest prototype to an encoded sample, its margin over the second-nearest, and
    /// the calibrated probability that it is right. Errors: a blob without a confidence table.
    pub fn classify_with_confidence(&self, hv: &BinaryVector<W>) -> Result<Confident, Error> {
        let (prediction, margin) =
            nearest_with_margin(hv.as_words(), self.prototypes.chunks_exact(W));
        Confident::calibrated(prediction, margin, self.confidence)
    }

    /// Encodes a sample and classifies it with its confidence (see
    /// [`Self::classify_with_confidence`]).
    pub fn predict_with_confidence(&self, features: &[f32]) -> Result<Confident, Error> {
        self.classify_with_confidence(&self.encode(features)?)
    }
}

/// A two-class blob (all-zero prototypes, D = 2048) of `encoding` and `scaling`, written into
/// `out`, and the check that a build leaving a part out refuses what needs it.
#[cfg(all(
    test,
    not(all(
        feature = "record",
        feature = "sinusoid",
        feature = "thermometer",
        feature = "decorrelate"
    ))
))]
mod left_out_helpers {
    use super::*;

    pub(super) fn two_class_blob<'b>(
        encoding: Encoding,
        scaling: Scaling<'_>,
        out: &'b mut [u32; 300],
    ) -> &'b [u8] {
        let proto = [0u8; 256];
        let protos: [&[u8]; 2] = [&proto, &proto];
        let repr = ClassifierRepr {
            dim: 2048,
            encoding,
            tie_seed: 3,
            scaling,
            prototypes: &protos,
            label_ends: &[1, 2],
            label_text: b"ab",
            confidence: None,
        };
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(out);
        let n = repr.emit(bytes).unwrap();
        &bytes[..n]
    }

    pub(super) fn refused_as_left_out<T: core::fmt::Debug>(
        what: impl core::fmt::Debug,
        r: Result<T, Error>,
    ) {
        match r {
            Err(Error::InvalidParameter(why)) => assert!(why.contains("not compiled in")),
            other => panic!("{what:?}: {other:?}"),
        }
    }
}

#[cfg(all(test, not(feature = "decorrelate")))]
mod decorrelation_left_out {
    use super::left_out_helpers::{refused_as_left_out, two_class_blob};
    use super::*;

    /// A build without the feature refuses a decorrelated blob when reading it, and a
    /// decorrelated scaling when encoding, rather than ignoring the decorrelation.
    #[test]
    fn a_decorrelated_model_is_refused() {
        let (min, scale, center) = ([0.0f32; 2], [1.0f32; 2], [0.0f32; 2]);
        let values = [0.5f32, 0.5, 1.0, 0.0, 0.0, 1.0];
        let scaling = Scaling {
            min: &min,
            scale: &scale,
            center: &center,
            decorrelation: Some(Decorrelation::new(&values)),
        };
        let encoding = Encoding::Projection { seed: 1 };
        let mut blob = [0u32; 300];
        let blob = two_class_blob(encoding, scaling, &mut blob);
        refused_as_left_out("reading", Classifier::<64>::from_bytes(blob));
        refused_as_left_out(
            "encoding",
            encode_features::<64>(&encoding, &scaling, 3, &[0.5, 0.5]),
        );
    }
}

/// A build without an encoder refuses the models that name it, with an error (not a panic).
#[cfg(all(
    test,
    not(all(feature = "record", feature = "sinusoid", feature = "thermometer"))
))]
mod left_out {
    use super::left_out_helpers::{refused_as_left_out, two_class_blob};
    use super::*;

    #[test]
    fn a_model_naming_a_left_out_encoder_is_refused() {
        let (min, scale, center) = ([0.0f32; 3], [1.0f32; 3], [0.0f32; 3]);
        let encodings = [
            #[cfg(not(feature = "record"))]
            Encoding::Record {
                level_seed: 1,
                key_seed: 2,
                levels: 16,
            },
            #[cfg(not(feature = "sinusoid"))]
            Encoding::Sinusoid {
                seed: 1,
                frequency: 1024,
            },
            #[cfg(not(feature = "thermometer"))]
            Encoding::Thermometer { levels: 8 },
        ];
        for encoding in encodings {
            let scaling = Scaling {
                min: &min,
                scale: &scale,
                center: &center,
                decorrelation: None,
            };
            let mut blob = [0u32; 300];
            let clf =
                Classifier::<64>::from_bytes(two_class_blob(encoding, scaling, &mut blob)).unwrap();
            refused_as_left_out(encoding, clf.predict(&[0.5, 0.5, 0.5]));
        }
    }
}
