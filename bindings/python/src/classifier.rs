//! Classifiers: training from numpy rows into the model blob `hyperbits train` writes, and
//! inference through the device's path (`hyperbits::classify::Classifier` over the blob), so a
//! prediction in Python is the prediction on the board.

use crate::error::{to_py, value};
use hyperbits::classify::{self, Classifier, MAX_FEATURES};
use hyperbits::ensemble::Ensemble;
use hyperbits::model::{AlignedBlob, Model};
use hyperbits::train::csv::Table;
use hyperbits::train::ensemble::MAX_MEMBERS;
use hyperbits::train::{train, train_ensemble, EncoderChoice, Method, Options};
use hyperbits::with_words;
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::path::Path;

/// Class indices and their probabilities, one of each per row.
type ClassesAndProbabilities<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<f64>>);

/// Rows of a 2-D `float32` array.
fn float_rows<'a>(x: &'a PyReadonlyArray2<'_, f32>) -> PyResult<(&'a [f32], usize, usize)> {
    let (n, f) = (x.shape()[0], x.shape()[1]);
    let values = x
        .as_slice()
        .map_err(|_| value("X: the array is not C-contiguous; pass np.ascontiguousarray(X)"))?;
    Ok((values, n, f))
}

/// Trains a classifier on the rows of `x` with string labels `labels` and returns its blob,
/// byte for byte what `hyperbits train` writes for the same rows, labels and options. Class
/// order is the CLI's: numeric when every label is an integer, else sorted as text.
#[pyfunction]
#[pyo3(signature = (x, labels, dim, encoder, levels, epochs, margin, seed, reach = 1.0, ensemble = 1, decorrelate = None))]
#[allow(clippy::too_many_arguments)]
fn train_classifier<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f32>,
    labels: Vec<String>,
    dim: usize,
    encoder: &str,
    levels: u16,
    epochs: usize,
    margin: Option<u32>,
    seed: u64,
    reach: f32,
    ensemble: usize,
    decorrelate: Option<bool>,
) -> PyResult<Bound<'py, PyBytes>> {
    let (values, n, f) = float_rows(&x)?;
    if labels.len() != n {
        return Err(value(format!("{n} rows but {} labels", labels.len())));
    }
    if f == 0 || f > MAX_FEATURES {
        return Err(value(format!(
            "{f} features: from 1 to {MAX_FEATURES} are supported"
        )));
    }
    let encoder = match encoder {
        "auto" => EncoderChoice::Auto,
        "projection" => EncoderChoice::Projection,
        "record" => EncoderChoice::Record { levels },
        "sinusoid" => EncoderChoice::Sinusoid { reach },
        "thermometer" => EncoderChoice::Thermometer,
        other => {
            return Err(value(format!(
                "encoder {other:?}: use \"auto\", \"projection\", \"record\", \"sinusoid\" or \"thermometer\""
            )))
        }
    };
    let options = Options {
        encoder,
        method: Method::Perceptron { epochs, margin },
        seed,
        decorrelate,
        ..Options::default()
    };
    let blob = py.detach(|| -> Result<Vec<u8>, String> {
        let table = Table {
            columns: (0..f).map(|i| format!("x{i}")).collect(),
            rows: values.chunks_exact(f).map(<[f32]>::to_vec).collect(),
            labels,
        };
        let (names, _) = table.classes();
        if names.len() < 2 {
            return Err("training needs at least two classes".into());
        }
        let data = table
            .dataset(Path::new("X"), &names)
            .map_err(|e| e.message)?;
        let words = if dim.is_multiple_of(32) { dim / 32 } else { 0 };
        with_words!(words, W => {
            if ensemble == 1 {
                train::<W>(&data, &options).and_then(|model| model.to_blob())
            } else {
                train_ensemble::<W>(&data, &options, ensemble).and_then(|model| model.to_blob())
            }
            .map_err(|e| e.to_string())
        }, else Err(format!(
            "dimension {dim} is not supported: use 256, 512, 1024, 2048, 4096, 8192, 10016 or 10240"
        )))
    });
    Ok(PyBytes::new(py, &blob.map_err(value)?))
}

/// The most classes `learn_classifier` holds (the device learner's capacity here).
const LEARN_CLASSES: usize = 256;

/// Folds labelled rows into a trained classifier with the device's learner
/// (`hyperbits::learn::Learner`): for each label in `labels`, the class prototype becomes the
/// majority of itself, counted as the `seen[class]` rows it already stands for (capped at
/// 65,535), and the new rows' encodings; a label the model lacks becomes a new class. Returns
/// the new blob and the updated row counts. No retraining epochs run: the margin training of
/// `fit` shaped the first prototypes, later rows move them by majority only.
#[pyfunction]
fn learn_classifier<'py>(
    py: Python<'py>,
    blob: &[u8],
    x: PyReadonlyArray2<'py, f32>,
    labels: Vec<String>,
    mut seen: Vec<u64>,
) -> PyResult<(Bound<'py, PyBytes>, Vec<u64>)> {
    let (values, n, f) = float_rows(&x)?;
    if labels.len() != n {
        return Err(value(format!("{n} rows but {} labels", labels.len())));
    }
    let model = ClassifierModel::new(blob)?;
    model.check_features(f)?;
    if seen.len() != model.classes {
        return Err(value(format!(
            "{} row counts for {} classes",
            seen.len(),
            model.classes
        )));
    }
    let out = with_words!(model.dim / 32, W => {
        let base = Classifier::<W>::from_bytes(model.blob.as_bytes()).map_err(to_py)?;
        py.detach(|| -> Result<Vec<u8>, hyperbits::Error> {
            let mut learner = hyperbits::learn::Learner::<W, LEARN_CLASSES>::new(base)?;
            let mut names: Vec<&str> = labels.iter().map(String::as_str).collect();
            names.sort_unstable();
            names.dedup();
            for name in names {
                let samples = labels
                    .iter()
                    .zip(values.chunks_exact(f))
                    .filter(|(l, _)| l.as_str() == name)
                    .map(|(_, row)| learner.encode(row))
                    .collect::<Result<Vec<_>, _>>()?;
                match learner.find(name) {
                    Some(class) => {
                        let prior = u16::try_from(seen[class]).unwrap_or(u16::MAX);
                        learner.learn(class, &samples, prior)?;
                        seen[class] += samples.len() as u64;
                    }
                    None => {
                        learner.add_class(name, &samples)?;
                        seen.push(samples.len() as u64);
                    }
                }
            }
            let mut out = vec![0u8; 1 << 16];
            let len = match learner.write_blob(&mut out) {
                Err(hyperbits::Error::BufferTooSmall { needed, .. }) => {
                    out.resize(needed, 0);
                    learner.write_blob(&mut out)?
                }
                other => other?,
            };
            out.truncate(len);
            Ok(out)
        })
        .map_err(to_py)
    }, else Err(value("unsupported dimension")))?;
    Ok((PyBytes::new(py, &out), seen))
}

/// A classifier model blob (or an ensemble blob), validated once (magic, checksum, sizes,
/// labels) and then used by the same code that runs on the device.
#[pyclass(frozen, module = "hyperbits._hyperbits")]
struct ClassifierModel {
    blob: AlignedBlob,
    dim: usize,
    classes: usize,
    features: usize,
    labels: Vec<String>,
    decorrelated: bool,
}

/// Runs `$body` with `$c`, the blob's classifier (an ensemble of one) or ensemble at its
/// dimension.
macro_rules! with_classifier {
    ($model:expr, $c:ident => $body:expr) => {{
        let m: &ClassifierModel = $model;
        with_words!(m.dim / 32, W => {
            let $c = Ensemble::<W, MAX_MEMBERS>::from_bytes(m.blob.as_bytes()).map_err(to_py)?;
            $body
        }, else Err(value("unsupported dimension")))
    }};
}

#[pymethods]
impl ClassifierModel {
    /// Validates `blob` as a classifier model.
    #[new]
    fn new(blob: &[u8]) -> PyResult<Self> {
        let blob = AlignedBlob::new(blob);
        let dim = Model::new_checked(blob.as_bytes())
            .and_then(|m| hyperbits::ensemble::dimension(&m))
            .map_err(to_py)?;
        let mut model = ClassifierModel {
            blob,
            dim,
            classes: 0,
            features: 0,
            labels: Vec::new(),
            decorrelated: false,
        };
        let (classes, features, labels, decorrelated) = with_classifier!(&model, c => {
            let labels = (0..c.classes())
                .map(|k| c.label(k).map(str::to_string))
                .collect::<Result<Vec<_>, _>>()
                .map_err(to_py)?;
            let decorrelated = c.members().iter().any(|m| m.decorrelation().is_some());
            Ok::<_, PyErr>((c.classes(), c.features(), labels, decorrelated))
        })?;
        (
            model.classes,
            model.features,
            model.labels,
            model.decorrelated,
        ) = (classes, features, labels, decorrelated);
        Ok(model)
    }

    /// Dimension D in bits.
    #[getter]
    fn dim(&self) -> usize {
        self.dim
    }

    /// Number of input features.
    #[getter]
    fn features(&self) -> usize {
        self.features
    }

    /// Whether the model (or a member) decorrelates the features before encoding them.
    #[getter]
    fn decorrelated(&self) -> bool {
        self.decorrelated
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

    /// Hamming distance of each encoded row to each class prototype: `(n, classes)`.
    fn distances<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f32>,
    ) -> PyResult<Bound<'py, PyArray2<u32>>> {
        let (values, n, f) = float_rows(&x)?;
        self.check_features(f)?;
        let classes = self.classes;
        let out = with_classifier!(self, c => {
            py.detach(|| {
                let mut out = vec![0u32; n * classes];
                for (row, d) in values.chunks_exact(f.max(1)).zip(out.chunks_exact_mut(classes)) {
                    c.distances(row, d)?;
                }
                Ok::<_, hyperbits::Error>(out)
            })
            .map_err(to_py)
        })?;
        PyArray1::from_vec(py, out).reshape([n, classes])
    }

    /// The predicted class index of each row (the device's `Classifier::predict`).
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f32>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let (values, _, f) = float_rows(&x)?;
        self.check_features(f)?;
        let out = with_classifier!(self, c => {
            py.detach(|| {
                values
                    .chunks_exact(f.max(1))
                    .map(|row| c.predict(row).map(|p| p.class as i64))
                    .collect::<Result<Vec<i64>, _>>()
            })
            .map_err(to_py)
        })?;
        Ok(PyArray1::from_vec(py, out))
    }

    /// The predicted class index of each row and the calibrated probability that it is
    /// right (the device's `Classifier::predict_with_confidence`). Errors: a model without a
    /// confidence table.
    fn predict_with_confidence<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f32>,
    ) -> PyResult<ClassesAndProbabilities<'py>> {
        let (values, _, f) = float_rows(&x)?;
        self.check_features(f)?;
        let (classes, probabilities) = with_classifier!(self, c => {
            py.detach(|| {
                let mut classes = Vec::new();
                let mut probabilities = Vec::new();
                for row in values.chunks_exact(f.max(1)) {
                    let a = c.predict_with_confidence(row)?;
                    classes.push(a.prediction.class as i64);
                    probabilities.push(
                        f64::from(a.probability) / f64::from(classify::PROBABILITY_ONE),
                    );
                }
                Ok((classes, probabilities))
            })
            .map_err(to_py)
        })?;
        Ok((
            PyArray1::from_vec(py, classes),
            PyArray1::from_vec(py, probabilities),
        ))
    }
}

impl ClassifierModel {
    fn check_features(&self, f: usize) -> PyResult<()> {
        if f == self.features {
            Ok(())
        } else {
            Err(value(format!(
                "X has {f} features, the model takes {}",
                self.features
            )))
        }
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(train_classifier, m)?)?;
    m.add_function(wrap_pyfunction!(learn_classifier, m)?)?;
    m.add_class::<ClassifierModel>()?;
    Ok(())
}
