//! Window classifiers for sensor streams: training from numpy windows into the blob
//! `hyperbits train --channels` writes, whole-window inference and sample-by-sample streaming
//! through the device's code (`hyperbits::series`).

use crate::error::{to_py, value};
use hyperbits::classify::PROBABILITY_ONE;
use hyperbits::model::{AlignedBlob, Model};
use hyperbits::series::{self, Dft, Stage, Stream, WindowClassifier, MAX_DERIVED, MAX_LENGTH};
use hyperbits::train::csv::Table;
use hyperbits::train::ensemble::MAX_MEMBERS;
use hyperbits::train::{train_series, EncoderChoice, Method, SeriesOptions, Windows};
use hyperbits::with_words;
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Rows of a 2-D `int16` array.
fn sample_rows<'a>(x: &'a PyReadonlyArray2<'_, i16>) -> PyResult<(&'a [i16], usize, usize)> {
    let (n, f) = (x.shape()[0], x.shape()[1]);
    let values = x
        .as_slice()
        .map_err(|_| value("X: the array is not C-contiguous; pass np.ascontiguousarray(X)"))?;
    Ok((values, n, f))
}

/// Trains a window classifier on windows `x` (`n × T·C`, time-major, `int16`) with string
/// labels and returns its blob, byte for byte what `hyperbits train --channels` writes for
/// the same windows, labels and options.
#[pyfunction]
#[pyo3(signature = (x, labels, channels, vectors, bands, hop, dim, encoder, levels, epochs, margin, seed, ensemble, stage = "auto", ngram = 5))]
#[allow(clippy::too_many_arguments)]
fn train_window_classifier<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, i16>,
    labels: Vec<String>,
    channels: usize,
    vectors: Vec<usize>,
    bands: usize,
    hop: Option<usize>,
    dim: usize,
    encoder: &str,
    levels: u16,
    epochs: usize,
    margin: Option<u32>,
    seed: u64,
    ensemble: usize,
    stage: &str,
    ngram: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let (values, n, f) = sample_rows(&x)?;
    let stage = match stage {
        "auto" => None,
        "statistics" => Some(Stage::Statistics),
        "temporal" => Some(Stage::Samples),
        other => {
            return Err(value(format!(
                "stage {other:?}: use \"auto\", \"statistics\" or \"temporal\""
            )))
        }
    };
    if labels.len() != n {
        return Err(value(format!("{n} windows but {} labels", labels.len())));
    }
    if channels == 0 || !f.is_multiple_of(channels) || f / channels < 2 {
        return Err(value(format!(
            "{f} values per window do not make windows of {channels} channels (T × C, T ≥ 2)"
        )));
    }
    let encoder = match encoder {
        "auto" => EncoderChoice::Auto,
        "projection" => EncoderChoice::Projection,
        "record" => EncoderChoice::Record { levels },
        other => {
            return Err(value(format!(
                "encoder {other:?}: use \"auto\", \"projection\" or \"record\""
            )))
        }
    };
    let defaults = SeriesOptions::default();
    let options = SeriesOptions {
        hop,
        vectors,
        bands,
        members: ensemble,
        stage,
        ngram,
        classifier: hyperbits::train::Options {
            encoder,
            method: Method::Perceptron { epochs, margin },
            seed,
            ..defaults.classifier
        },
    };
    let blob = py.detach(|| -> Result<Vec<u8>, String> {
        // Classes ordered as the CLI orders them (numeric when every label is an integer).
        let table = Table {
            columns: Vec::new(),
            rows: Vec::new(),
            labels,
        };
        let (names, indices) = table.classes();
        if names.len() < 2 {
            return Err("training needs at least two classes".into());
        }
        let windows = Windows {
            channels,
            length: f / channels,
            samples: values.to_vec(),
            labels: indices,
            class_names: names,
        };
        let words = if dim.is_multiple_of(32) { dim / 32 } else { 0 };
        with_words!(words, W => {
            train_series::<W>(&windows, &options, &mut |_, _| {})
                .and_then(|m| m.to_blob())
                .map_err(|e| e.to_string())
        }, else Err(format!(
            "dimension {dim} is not supported: use 256, 512, 1024, 2048, 4096, 8192, 10016 or 10240"
        )))
    });
    Ok(PyBytes::new(py, &blob.map_err(value)?))
}

/// A window-classifier blob, validated once and then used by the code the device runs.
#[pyclass(frozen, module = "hyperbits._hyperbits")]
struct WindowModel {
    blob: AlignedBlob,
    dim: usize,
    channels: usize,
    length: usize,
    hop: usize,
    features: usize,
    labels: Vec<String>,
}

/// Runs `$body` with `$c`, the blob's window classifier at its dimension.
macro_rules! with_window {
    ($model:expr, $c:ident => $body:expr) => {{
        let m: &WindowModel = $model;
        with_words!(m.dim / 32, W => {
            let $c = WindowClassifier::<W, MAX_MEMBERS>::from_bytes(m.blob.as_bytes()).map_err(to_py)?;
            $body
        }, else Err(value("unsupported dimension")))
    }};
}

/// Class indices, margins and probabilities (NaN without a confidence table), one per
/// window or decision.
type Decisions<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<f64>>,
);

/// Where each streamed decision came (sample index), then the decisions.
type Streamed<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<f64>>,
);

fn decisions<'py>(py: Python<'py>, d: &[series::Decision]) -> Decisions<'py> {
    (
        PyArray1::from_vec(py, d.iter().map(|d| d.prediction.class as i64).collect()),
        PyArray1::from_vec(py, d.iter().map(|d| d.margin).collect()),
        PyArray1::from_vec(
            py,
            d.iter()
                .map(|d| {
                    d.probability
                        .map_or(f64::NAN, |p| f64::from(p) / f64::from(PROBABILITY_ONE))
                })
                .collect(),
        ),
    )
}

#[pymethods]
impl WindowModel {
    /// Validates `blob` as a window classifier.
    #[new]
    fn new(blob: &[u8]) -> PyResult<Self> {
        let blob = AlignedBlob::new(blob);
        let dim = Model::new_checked(blob.as_bytes())
            .and_then(|m| {
                m.expect_kind(hyperbits::model::Kind::Series)?;
                Model::new_checked(m.section(series::tags::CLASSIFIER)?)
            })
            .and_then(|m| hyperbits::ensemble::dimension(&m))
            .map_err(to_py)?;
        let mut model = WindowModel {
            blob,
            dim,
            channels: 0,
            length: 0,
            hop: 0,
            features: 0,
            labels: Vec::new(),
        };
        let (channels, length, hop, features, labels) = with_window!(&model, c => {
            let labels = (0..c.classes())
                .map(|k| c.label(k).map(str::to_string))
                .collect::<Result<Vec<_>, _>>()
                .map_err(to_py)?;
            let w = c.window();
            Ok::<_, PyErr>((w.channels(), w.length(), w.hop(), w.features(), labels))
        })?;
        (model.channels, model.length, model.hop) = (channels, length, hop);
        (model.features, model.labels) = (features, labels);
        Ok(model)
    }

    /// Dimension D in bits.
    #[getter]
    fn dim(&self) -> usize {
        self.dim
    }

    /// Channels per sample.
    #[getter]
    fn channels(&self) -> usize {
        self.channels
    }

    /// Samples per window.
    #[getter]
    fn length(&self) -> usize {
        self.length
    }

    /// Samples between decisions when streaming.
    #[getter]
    fn hop(&self) -> usize {
        self.hop
    }

    /// Features the window stage computes.
    #[getter]
    fn features(&self) -> usize {
        self.features
    }

    /// Class labels as stored in the blob, in class order.
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.labels.clone()
    }

    /// Pickling: the model is its blob.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> (Bound<'py, pyo3::types::PyType>, (Bound<'py, PyBytes>,)) {
        let blob = PyBytes::new(slf.py(), slf.get().blob.as_bytes());
        (slf.get_type(), (blob,))
    }

    /// The blob.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.blob.as_bytes())
    }

    /// The window stage's features of each window: `(n, features)` `float32`.
    fn window_features<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, i16>,
    ) -> PyResult<Bound<'py, numpy::PyArray2<f32>>> {
        let (values, n, f) = sample_rows(&x)?;
        self.check_width(f)?;
        let features = self.features;
        let out = with_window!(self, c => {
            py.detach(|| {
                let dft = Dft::<MAX_LENGTH>::new(c.window().length())?;
                let mut out = vec![0f32; n * features];
                for (w, o) in values.chunks_exact(f).zip(out.chunks_exact_mut(features)) {
                    c.window().features_of(w, &dft, o)?;
                }
                Ok::<_, hyperbits::Error>(out)
            })
            .map_err(to_py)
        })?;
        PyArray1::from_vec(py, out).reshape([n, features])
    }

    /// Each whole window's decision (`WindowClassifier::predict_window`): class indices,
    /// margins and probabilities.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, i16>,
    ) -> PyResult<Decisions<'py>> {
        let (values, _, f) = sample_rows(&x)?;
        self.check_width(f)?;
        let out = with_window!(self, c => {
            py.detach(|| {
                let dft = Dft::<MAX_LENGTH>::new(c.window().length())?;
                values
                    .chunks_exact(f)
                    .map(|w| c.predict_window(w, &dft))
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(to_py)
        })?;
        Ok(decisions(py, &out))
    }

    /// Streams `samples` (`n × channels`, `int16`) one at a time through the device's
    /// `Stream`, from empty: the index of the sample at which each decision came (0-based)
    /// and the decisions.
    fn stream<'py>(
        &self,
        py: Python<'py>,
        samples: PyReadonlyArray2<'py, i16>,
    ) -> PyResult<Streamed<'py>> {
        let (values, _, c) = sample_rows(&samples)?;
        if c != self.channels {
            return Err(value(format!(
                "samples have {c} channels, the model takes {}",
                self.channels
            )));
        }
        let (at, out) = with_window!(self, clf => {
            py.detach(|| {
                let mut stream = Box::new(Stream::<{ MAX_LENGTH * MAX_DERIVED }, MAX_LENGTH>::new());
                let (mut at, mut out) = (Vec::new(), Vec::new());
                for (i, s) in values.chunks_exact(c.max(1)).enumerate() {
                    if let Some(d) = stream.push(&clf, s)? {
                        at.push(i as i64);
                        out.push(d);
                    }
                }
                Ok::<_, hyperbits::Error>((at, out))
            })
            .map_err(to_py)
        })?;
        let (classes, margins, probabilities) = decisions(py, &out);
        Ok((PyArray1::from_vec(py, at), classes, margins, probabilities))
    }
}

impl WindowModel {
    fn check_width(&self, f: usize) -> PyResult<()> {
        if f == self.channels * self.length {
            Ok(())
        } else {
            Err(value(format!(
                "X has {f} values per window, the model takes {} samples × {} channels = {}",
                self.length,
                self.channels,
                self.channels * self.length
            )))
        }
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(train_window_classifier, m)?)?;
    m.add_class::<WindowModel>()?;
    Ok(())
}
