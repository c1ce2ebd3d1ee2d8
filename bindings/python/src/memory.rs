//! Hopfield memories over numpy patterns: the core's `HopfieldView` over the patterns' words
//! (held here, or read from a blob), recall of a batch of cues without the GIL.

use crate::error::{to_py, value};
use crate::vectors::{array2, Words};
use hyperbits::hopfield::{HopfieldView, Interaction, Outcome, Update, MAX_PATTERNS};
use hyperbits::model::{AlignedBlob, Kind, Model};
use hyperbits::{with_words, BinaryVector};
use numpy::{PyArray1, PyArray2, PyUntypedArrayMethods, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

/// A Hopfield memory: patterns of `dim` bits (neurons), at most 1,024 of them, recalled by
/// the classic sign update or a dense (polynomial / exponential) one.
#[pyclass(frozen, module = "hyperbits._hyperbits")]
pub(crate) struct Hopfield {
    words: Vec<u32>,
    w: usize,
}

/// Runs `$body` with `$m`, the memory's `HopfieldView<$w>`, at its dimension.
macro_rules! with_memory {
    ($self:expr, $m:ident, $w:ident => $body:expr) => {{
        let this: &Hopfield = $self;
        with_words!(this.w, $w => {
            let (patterns, _) = this.words.as_chunks::<$w>();
            let $m = HopfieldView::<$w>::from_patterns(patterns).map_err(to_py)?;
            $body
        }, else Err(value("unsupported dimension")))
    }};
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Converged => "converged",
        Outcome::TwoCycle => "two-cycle",
        Outcome::StepLimit => "step-limit",
    }
}

impl Hopfield {
    fn check_rows(&self, n_words: usize, name: &str) -> PyResult<()> {
        if n_words == self.w {
            Ok(())
        } else {
            Err(value(format!(
                "{name}: {} bits per vector, the memory has {}",
                32 * n_words,
                32 * self.w
            )))
        }
    }
}

#[pymethods]
impl Hopfield {
    /// A memory of the rows of `patterns` (`(P, dim/32)` packed words; dim 256, 512, 1024,
    /// 2048, 4096, 8192, 10016 or 10240; P at most 1,024).
    #[new]
    fn new(patterns: Words<'_>) -> PyResult<Self> {
        let (p, w) = (patterns.shape()[0], patterns.shape()[1]);
        let words = patterns
            .as_slice()
            .map_err(|_| value("patterns: the array is not C-contiguous"))?
            .to_vec();
        if p > MAX_PATTERNS {
            return Err(value(format!(
                "{p} patterns: a memory holds at most {MAX_PATTERNS}"
            )));
        }
        let memory = Hopfield { words, w };
        with_memory!(&memory, _m, W => Ok::<_, PyErr>(())).map_err(|_| {
            value(format!(
                "dimension {}: use 256, 512, 1024, 2048, 4096, 8192, 10016 or 10240",
                32 * w
            ))
        })?;
        Ok(memory)
    }

    /// The memory in a blob (written by `to_bytes`, the core or firmware).
    #[staticmethod]
    fn from_bytes(blob: &[u8]) -> PyResult<Self> {
        let blob = AlignedBlob::new(blob);
        let model = Model::new_checked(blob.as_bytes()).map_err(to_py)?;
        model.expect_kind(Kind::Hopfield).map_err(to_py)?;
        let n = model.section_u32(*b"HPAR").map_err(to_py)?.first().copied();
        let w = n.map_or(0, |n| n as usize / 32);
        let words = with_words!(w, W => {
            HopfieldView::<W>::from_model(model).map_err(to_py)?;
            model.section_u32(*b"HPAT").map_err(to_py)?.to_vec()
        }, else return Err(value(format!("a memory of {} neurons is not supported", 32 * w))));
        Ok(Hopfield { words, w })
    }

    /// The blob firmware reads in place.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let blob = with_memory!(self, m, W => m.to_blob().map_err(to_py))?;
        Ok(PyBytes::new(py, &blob))
    }

    /// Neurons N (the dimension in bits).
    #[getter]
    fn dim(&self) -> usize {
        32 * self.w
    }

    fn __len__(&self) -> usize {
        self.words.len() / self.w.max(1)
    }

    /// The stored patterns, `(P, dim/32)` (a copy).
    fn patterns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<u32>>> {
        array2(py, self.words.clone(), self.__len__(), self.w)
    }

    /// Recalls each row of `cues`: the final states `(n, dim/32)`, the steps taken, and how
    /// each recall ended (`"converged"`, `"two-cycle"` or `"step-limit"`). `update`:
    /// `"sync"`, `"async"` (neurons visited in an order fixed by `seed`), `"poly"` (dense,
    /// `F(o) = o^degree`) or `"exp"` (dense, weights halving every `halving` overlap units).
    #[pyo3(signature = (cues, update = "sync", max_steps = 100, seed = 0, degree = 3, halving = 16))]
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn recall<'py>(
        &self,
        py: Python<'py>,
        cues: Words<'py>,
        update: &str,
        max_steps: u32,
        seed: u64,
        degree: u32,
        halving: u32,
    ) -> PyResult<(
        Bound<'py, PyArray2<u32>>,
        Bound<'py, PyArray1<u32>>,
        Vec<&'static str>,
    )> {
        let (n, w) = (cues.shape()[0], cues.shape()[1]);
        self.check_rows(w, "cues")?;
        let cues = cues
            .as_slice()
            .map_err(|_| value("cues: the array is not C-contiguous"))?;
        enum How {
            Classic(Update),
            Dense(Interaction),
        }
        let how = match update {
            "sync" => How::Classic(Update::Synchronous),
            "async" => How::Classic(Update::Asynchronous { seed }),
            "poly" => How::Dense(Interaction::Polynomial { degree }),
            "exp" => How::Dense(Interaction::Exponential { halving }),
            other => {
                return Err(value(format!(
                    "update {other:?}: use \"sync\", \"async\", \"poly\" or \"exp\""
                )))
            }
        };
        let (states, steps, outcomes) = with_memory!(self, m, W => {
            py.detach(|| {
                let mut states = Vec::with_capacity(n * W);
                let (mut steps, mut outcomes) = (Vec::with_capacity(n), Vec::with_capacity(n));
                for cue in cues.chunks_exact(W) {
                    let mut words = [0u32; W];
                    words.copy_from_slice(cue);
                    let cue = BinaryVector::from_words(words);
                    let r = match how {
                        How::Classic(u) => m.recall(&cue, u, max_steps),
                        How::Dense(i) => m.dense_recall(&cue, i, max_steps)?,
                    };
                    states.extend_from_slice(r.state.as_words());
                    steps.push(r.steps);
                    outcomes.push(outcome_name(r.outcome));
                }
                Ok((states, steps, outcomes))
            })
            .map_err(to_py)
        })?;
        Ok((array2(py, states, n, w)?, steps.to_pyarray(py), outcomes))
    }

    /// The index and distance of the stored pattern nearest to each row of `x`.
    #[allow(clippy::type_complexity)]
    fn nearest<'py>(
        &self,
        py: Python<'py>,
        x: Words<'py>,
    ) -> PyResult<(Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<u32>>)> {
        self.check_rows(x.shape()[1], "x")?;
        let rows = x
            .as_slice()
            .map_err(|_| value("x: the array is not C-contiguous"))?;
        let found = with_memory!(self, m, W => {
            Ok::<_, PyErr>(py.detach(|| {
                rows.chunks_exact(W)
                    .map(|r| {
                        let mut words = [0u32; W];
                        words.copy_from_slice(r);
                        m.nearest(&BinaryVector::from_words(words))
                            .map_or((-1, 0), |(i, d)| (i as i64, d))
                    })
                    .unzip::<i64, u32, Vec<i64>, Vec<u32>>()
            }))
        })?;
        Ok((found.0.to_pyarray(py), found.1.to_pyarray(py)))
    }

    /// The energy of each row of `x` (lower: nearer a stored pattern).
    fn energy<'py>(&self, py: Python<'py>, x: Words<'py>) -> PyResult<Bound<'py, PyArray1<i64>>> {
        self.check_rows(x.shape()[1], "x")?;
        let rows = x
            .as_slice()
            .map_err(|_| value("x: the array is not C-contiguous"))?;
        let e: Vec<i64> = with_memory!(self, m, W => {
            Ok::<_, PyErr>(rows.chunks_exact(W).map(|r| {
                let mut words = [0u32; W];
                words.copy_from_slice(r);
                m.energy(&BinaryVector::from_words(words))
            }).collect())
        })?;
        Ok(e.to_pyarray(py))
    }

    /// Classical capacity figures for this N and P: `neurons`, `patterns`, `load`,
    /// `critical_patterns` (0.138·N), `error_free_patterns` (N / 4 ln N), `bit_error`.
    fn capacity<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = with_memory!(self, m, W => Ok::<_, PyErr>(m.capacity()))?;
        let d = PyDict::new(py);
        d.set_item("neurons", c.neurons)?;
        d.set_item("patterns", c.patterns)?;
        d.set_item("load", c.load)?;
        d.set_item("critical_patterns", c.critical_patterns)?;
        d.set_item("error_free_patterns", c.error_free_patterns)?;
        d.set_item("bit_error", c.bit_error)?;
        Ok(d)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Hopfield>()
}
