//! Training window classifiers ([`crate::series`]) from labelled windows of a sensor stream.
//!
//! Each training window becomes the window stage's features (the device's own code, so host
//! and device agree bit for bit); the classifier trainer then learns from those rows with two
//! defaults suited to windows cut from a stream: each feature's range is fitted between its
//! 1st and 99th percentile ([`Options::trim`]), and the perceptron's prototypes are averaged
//! over its epochs ([`Options::averaged`]). Both were chosen because the test windows of a
//! sensor stream come from other people and sessions than the training windows: on the
//! `valid` volunteers of the HAR data (measured on a numpy model of these features) the
//! plain min-max range gave 0.65 and the trimmed range with last-epoch prototypes 0.76 to 0.94
//! over seeds 0-4; with both defaults the library gives 0.939 to 0.953 (the README's table
//! has the command).
//!
//! The stage, statistics or the samples for [`crate::encode::Temporal`], is picked on a
//! held-out fifth of the windows ([`train_series`]); the temporal stage trains class
//! centroids (see [`SeriesOptions::stage`]).
#![forbid(unsafe_code)]

use std::prelude::rust_2021::*;

use super::csv::{CsvError, Table};
use super::{
    train_ensemble, train_with_progress, Dataset, EncoderChoice, Method, Options, Trained,
    TrainedEnsemble,
};
use crate::classify::{Confident, Prediction};
use crate::error::Error;
use crate::series::{Dft, Stage, Window, WindowClassifierRepr, MAX_FEATURES, MAX_LENGTH};
use std::path::Path;
use std::vec::Vec;

/// Labelled windows of C channels × T samples (time-major), as integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Windows {
    /// Channels per sample.
    pub channels: usize,
    /// Samples per window.
    pub length: usize,
    /// Every window's samples, one after the other (`channels · length` values each).
    pub samples: Vec<i16>,
    /// The class of each window.
    pub labels: Vec<usize>,
    /// The class names, by index.
    pub class_names: Vec<String>,
}

impl Windows {
    /// The windows of a CSV table whose rows are `label`, then T samples × `channels`
    /// values, time-major (`x0, y0, z0, x1, …`). Classes are indexed as in `class_names`
    /// when given (a test file against its training file), else sorted as
    /// [`Table::classes`] sorts them. Errors, naming the file and line: a column count that
    /// is not a multiple of `channels`, a value that is not an integer in `i16` range, a
    /// label not seen in training.
    pub fn from_table(
        table: &Table,
        channels: usize,
        path: &Path,
        class_names: Option<&[String]>,
    ) -> Result<Self, CsvError> {
        let samples = Self::samples_of(table, channels, path)?;
        let names = match class_names {
            Some(n) => n.to_vec(),
            None => table.classes().0,
        };
        let data = table.dataset(path, &names)?;
        Ok(Windows {
            channels,
            length: table.columns.len() / channels,
            samples,
            labels: data.labels,
            class_names: names,
        })
    }

    /// The samples of every row of `table` (labelled or not), checked as
    /// [`Self::from_table`] checks them.
    pub fn samples_of(table: &Table, channels: usize, path: &Path) -> Result<Vec<i16>, CsvError> {
        let err = |line: Option<usize>, message: String| CsvError {
            path: path.to_path_buf(),
            line,
            message,
        };
        let columns = table.columns.len();
        if channels == 0 || !columns.is_multiple_of(channels) || columns / channels < 2 {
            return Err(err(
                Some(1),
                format!(
                    "{columns} value columns do not make windows of {channels} channels \
                     (T samples × {channels} channels, time-major, T ≥ 2)"
                ),
            ));
        }
        let mut samples = Vec::with_capacity(table.rows.len() * columns);
        for (i, row) in table.rows.iter().enumerate() {
            for &x in row {
                if x.fract() != 0.0 || !(-32768.0..=32767.0).contains(&x) {
                    return Err(err(
                        Some(i + 2),
                        format!(
                            "{x} is not a sample: window values are integers in -32768..=32767 \
                             (scale them, e.g. to milli-g)"
                        ),
                    ));
                }
                samples.push(x as i16);
            }
        }
        Ok(samples)
    }

    /// The windows at `indices`, in that order.
    pub fn subset(&self, indices: &[usize]) -> Windows {
        Windows {
            samples: indices
                .iter()
                .flat_map(|&i| self.window(i).iter().copied())
                .collect(),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
            class_names: self.class_names.clone(),
            ..*self
        }
    }

    /// The number of windows.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no windows.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Window `i`'s samples (time-major).
    pub fn window(&self, i: usize) -> &[i16] {
        let n = self.channels * self.length;
        &self.samples[i * n..(i + 1) * n]
    }

    /// The window stage's features of every window, as a labelled data set. Errors: a window
    /// description for another channel count or length.
    pub fn features(&self, window: &Window<'_>) -> Result<Dataset, Error> {
        if window.channels() != self.channels || window.length() != self.length {
            return Err(Error::InvalidParameter(
                "the window description does not fit these windows",
            ));
        }
        let dft = Dft::<MAX_LENGTH>::new(self.length)?;
        let mut row = vec![0f32; window.features()];
        let mut values = Vec::with_capacity(self.len() * row.len());
        for i in 0..self.len() {
            window.features_of(self.window(i), &dft, &mut row)?;
            values.extend_from_slice(&row);
        }
        Ok(Dataset {
            values,
            features: row.len(),
            labels: self.labels.clone(),
            class_names: self.class_names.clone(),
        })
    }
}

/// How a window classifier is trained.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesOptions {
    /// Samples between predictions when streaming (default: half the window).
    pub hop: Option<usize>,
    /// The first channel of each 3-axis vector whose magnitude becomes a channel.
    pub vectors: Vec<usize>,
    /// Spectral bands per channel (0 to 16; default 6).
    pub bands: usize,
    /// Classifiers voting (1 to 16; default 1).
    pub members: usize,
    /// The window stage: `None` (the default) picks between the statistics and the temporal
    /// encoder of the samples by accuracy on a held-out fifth of the windows (the
    /// statistics when the window holds more than [`MAX_FEATURES`] samples).
    pub stage: Option<Stage>,
    /// Steps per n-gram of the temporal encoder (1 to 8; default 5).
    pub ngram: usize,
    /// The classifier's options; the default trims each feature's range to its 1st-99th
    /// percentile and averages the perceptron.
    pub classifier: Options,
}

impl Default for SeriesOptions {
    fn default() -> Self {
        SeriesOptions {
            hop: None,
            vectors: Vec::new(),
            bands: 6,
            members: 1,
            stage: None,
            ngram: 5,
            classifier: Options {
                trim: 0.01,
                averaged: true,
                ..Options::default()
            },
        }
    }
}

/// A trained window classifier on the host: predicts whole windows, and exports the blob
/// firmware streams with.
#[derive(Debug, Clone)]
pub struct TrainedSeries<const W: usize> {
    /// The window description ([`Window::from_words`]).
    pub window: Vec<u32>,
    /// The classifier (one member) or the ensemble.
    pub model: TrainedEnsemble<W>,
}

/// Trains a window classifier of dimension `32·W` (`progress` as
/// [`train_with_progress`]'s, for one member). With no stage given, both stages are trained
/// on four fifths of the windows (a seeded draw) and the one more accurate on the last fifth
/// (ties: the statistics) is trained again on all. Errors: bad options; as [`super::train`].
pub fn train_series<const W: usize>(
    windows: &Windows,
    options: &SeriesOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<TrainedSeries<W>, Error> {
    let stage = match options.stage {
        Some(stage) => stage,
        None => pick_stage::<W>(windows, options)?,
    };
    train_stage(windows, options, stage, progress)
}

/// The stage more accurate on a held-out fifth of the windows (see [`train_series`]).
fn pick_stage<const W: usize>(windows: &Windows, options: &SeriesOptions) -> Result<Stage, Error> {
    let derived = windows.channels + options.vectors.len();
    if windows.length * derived > MAX_FEATURES
        || windows.length < options.ngram
        || windows.len() < 10
    {
        return Ok(Stage::Statistics);
    }
    let mut order: Vec<usize> = (0..windows.len()).collect();
    let mut rng = crate::rng::SplitMix64::new(options.classifier.seed ^ 0x7374_6167); // "stag"
    for i in (1..order.len()).rev() {
        order.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    let (held, fit) = order.split_at(windows.len() / 5);
    let (fit, held) = (windows.subset(fit), windows.subset(held));
    let single = SeriesOptions {
        members: 1,
        ..options.clone()
    };
    let mut best = (Stage::Statistics, -1.0);
    for stage in [Stage::Statistics, Stage::Samples] {
        let accuracy = train_stage::<W>(&fit, &single, stage, &mut |_, _| {})?.accuracy(&held)?;
        if accuracy > best.1 {
            best = (stage, accuracy);
        }
    }
    Ok(best.0)
}

/// Trains with the window stage given.
fn train_stage<const W: usize>(
    windows: &Windows,
    options: &SeriesOptions,
    stage: Stage,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<TrainedSeries<W>, Error> {
    let hop = options.hop.unwrap_or((windows.length / 2).max(1));
    let words = Window::describe(
        windows.channels,
        windows.length,
        hop,
        &options.vectors,
        options.bands,
        stage,
    )?;
    let window = Window::from_words(&words)?;
    let data = windows.features(&window)?;
    let mut classifier = options.classifier;
    if stage == Stage::Samples {
        classifier.encoder = EncoderChoice::Temporal {
            levels: 16,
            channels: window.derived_channels() as u8,
            ngram: u8::try_from(options.ngram).unwrap_or(u8::MAX),
        };
        // Class centroids: the margin perceptron re-binarises its prototypes once an epoch,
        // and windows of a still posture encode alike, so a whole class moves at once and
        // the epochs swing (HAR: 0.60 of the training windows right against the
        // centroids' 0.84).
        if matches!(classifier.method, Method::Perceptron { .. }) {
            classifier.method = Method::Centroid;
        }
    }
    let model = if options.members == 1 {
        let m: Trained<W> = train_with_progress(&data, &classifier, progress)?;
        TrainedEnsemble {
            confidence: m.confidence.clone(),
            members: vec![m],
        }
    } else {
        train_ensemble(&data, &classifier, options.members)?
    };
    Ok(TrainedSeries {
        window: words,
        model,
    })
}

impl<const W: usize> TrainedSeries<W> {
    /// The window stage.
    pub fn window(&self) -> Result<Window<'_>, Error> {
        Window::from_words(&self.window)
    }

    /// Predicts the class of one window (T × C samples, time-major), with its margin and
    /// calibrated probability, as the device does.
    pub fn predict(&self, samples: &[i16]) -> Result<Confident, Error> {
        let window = self.window()?;
        let dft = Dft::<MAX_LENGTH>::new(window.length())?;
        let mut features = vec![0f32; window.features()];
        window.features_of(samples, &dft, &mut features)?;
        self.model.predict_with_confidence(&features)
    }

    /// Accuracy on labelled windows of the same shape.
    pub fn accuracy(&self, windows: &Windows) -> Result<f64, Error> {
        let data = windows.features(&self.window()?)?;
        self.model.accuracy(&data)
    }

    /// Every window's prediction.
    pub fn predictions(&self, windows: &Windows) -> Result<Vec<Prediction>, Error> {
        let data = windows.features(&self.window()?)?;
        (0..data.len())
            .map(|i| self.model.predict(data.row(i)))
            .collect()
    }

    /// The window-classifier blob ([`crate::series`]): the window and a classifier blob
    /// (one member) or an ensemble blob.
    pub fn to_blob(&self) -> Result<Vec<u8>, Error> {
        let classifier = match self.model.members.as_slice() {
            [one] => one.to_blob()?,
            _ => self.model.to_blob()?,
        };
        WindowClassifierRepr {
            window: &self.window,
            classifier: &classifier,
        }
        .to_blob()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;
    use crate::series::WindowClassifier;

    /// Synthetic windows of `channels` channels × `length` samples in three classes (a sine
    /// wave, one 40 % faster, a square wave) under heavy noise, each "person" (seed)
    /// with their own gain, offset and rhythm.
    fn synthetic(channels: usize, length: usize, people: core::ops::Range<u64>) -> Windows {
        let mut samples = Vec::new();
        let mut labels = Vec::new();
        for person in people {
            let mut rng = SplitMix64::new(person);
            let mut unit = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            let gain = 0.6 + 0.8 * unit();
            let offset = 400.0 * (unit() - 0.5);
            let rhythm = 0.95 + 0.1 * unit();
            for w in 0..30 {
                let class = w % 3;
                let phase = 6.3 * unit();
                for t in 0..length {
                    for c in 0..channels {
                        let t = t as f64;
                        let signal = match class {
                            0 => 500.0 * libm::sin(0.30 * rhythm * t + phase + c as f64),
                            1 => 500.0 * libm::sin(0.42 * rhythm * t + phase + c as f64),
                            _ => 500.0 * libm::sin(0.30 * rhythm * t + phase + c as f64).signum(),
                        };
                        let noise = 1000.0 * (unit() - 0.5);
                        samples.push((gain * signal + offset + noise) as i16);
                    }
                }
                labels.push(class);
            }
        }
        Windows {
            channels,
            length,
            samples,
            labels,
            class_names: ["slow", "fast", "bursts"].map(String::from).to_vec(),
        }
    }

    #[test]
    fn the_defaults_hold_for_other_channel_counts_and_lengths() {
        for (channels, length, vectors) in
            [(4, 40, vec![1]), (2, 100, vec![]), (9, 24, vec![0, 3, 6])]
        {
            let train = synthetic(channels, length, 0..12);
            let test = synthetic(channels, length, 100..106);
            let options = SeriesOptions {
                vectors,
                ..SeriesOptions::default()
            };
            let model = train_series::<64>(&train, &options, &mut |_, _| {}).unwrap();
            let accuracy = model.accuracy(&test).unwrap();
            // Measured: 0.944, 0.961, 0.917 (the 24-sample windows hold 12 DFT bins).
            assert!(accuracy >= 0.85, "{channels} × {length}: {accuracy}");
            // The blob on the device's path gives the host's answers.
            let blob = crate::model::AlignedBlob::new(&model.to_blob().unwrap());
            let device = WindowClassifier::<64, 1>::from_bytes(blob.as_bytes()).unwrap();
            let dft = Dft::<MAX_LENGTH>::new(length).unwrap();
            for i in 0..test.len() {
                let d = device.predict_window(test.window(i), &dft).unwrap();
                let h = model.predict(test.window(i)).unwrap();
                assert_eq!(d.prediction, h.prediction);
                assert_eq!(d.probability, Some(h.probability));
            }
        }
    }

    /// Two classes with the same statistics, told apart only by order: a ramp up and a ramp
    /// down (the same values, reversed), with noise. The statistics stage cannot see the
    /// difference, the temporal stage can, and the default picks it.
    #[test]
    fn order_only_classes_need_the_temporal_stage() {
        let windows = |people: core::ops::Range<u64>| {
            let (mut samples, mut labels) = (Vec::new(), Vec::new());
            for person in people {
                let mut rng = SplitMix64::new(person);
                for w in 0..40 {
                    let up = w % 2 == 0;
                    let gain = 0.7 + 0.6 * (rng.next_u64() % 1000) as f64 / 1000.0;
                    for t in 0..32 {
                        let ramp = if up { t } else { 31 - t } as f64 * 60.0 * gain;
                        for c in 0..2 {
                            let noise = (rng.next_u64() % 301) as f64 - 150.0;
                            samples.push((ramp + noise + 100.0 * c as f64) as i16);
                        }
                    }
                    labels.push(usize::from(up));
                }
            }
            Windows {
                channels: 2,
                length: 32,
                samples,
                labels,
                class_names: vec!["down".into(), "up".into()],
            }
        };
        let (train, test) = (windows(0..6), windows(50..53));
        let stats = SeriesOptions {
            stage: Some(Stage::Statistics),
            ..SeriesOptions::default()
        };
        let by_stats = train_series::<32>(&train, &stats, &mut |_, _| {}).unwrap();
        let picked = train_series::<32>(&train, &SeriesOptions::default(), &mut |_, _| {}).unwrap();
        assert_eq!(picked.window().unwrap().stage(), Stage::Samples);
        let (a, b) = (
            by_stats.accuracy(&test).unwrap(),
            picked.accuracy(&test).unwrap(),
        );
        assert!(a < 0.8 && b > 0.95, "statistics {a}, temporal {b}");
    }

    #[test]
    fn bad_windows_name_the_line() {
        let table = Table {
            columns: (0..6).map(|i| format!("v{i}")).collect(),
            rows: vec![vec![0.0; 6], vec![1.5, 0.0, 0.0, 0.0, 0.0, 0.0]],
            labels: vec!["a".into(), "b".into()],
        };
        let path = Path::new("w.csv");
        let e = Windows::from_table(&table, 2, path, None).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("1.5"));
        let e = Windows::from_table(&table, 4, path, None).unwrap_err();
        assert!(e.message.contains("4 channels"));
        let big = Table {
            rows: vec![vec![40000.0; 6]],
            labels: vec!["a".into()],
            ..table
        };
        assert!(Windows::from_table(&big, 3, path, None).is_err());
    }
}
