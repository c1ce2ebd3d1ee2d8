//! Sketches and the dimension planner: `Bloom` and `BlockedBloom` owning their bits (the
//! core's `Bloom<Vec<u32>>`), read from and written to the blobs firmware reads in place, and
//! `plan`, the planner's table as records.

use crate::error::{to_py, value};
use hyperbits::plan::{self, Model, Scope, Threshold, Vsa};
use hyperbits::sketch;
use numpy::{PyArray1, PyReadonlyArray1, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

/// Keys: one integer, or a sequence (a `uint64` array is read in place).
enum Keys<'py> {
    One(u64),
    Array(PyReadonlyArray1<'py, u64>),
    List(Vec<u64>),
}

impl<'py> Keys<'py> {
    fn of(obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        let refuse = || value("keys: an integer or a sequence of integers in 0..2**64");
        if obj.is_instance_of::<pyo3::types::PyInt>() {
            return obj.extract().map(Keys::One).map_err(|_| refuse());
        }
        if let Ok(a) = obj.extract::<PyReadonlyArray1<'py, u64>>() {
            return Ok(Keys::Array(a));
        }
        obj.extract().map(Keys::List).map_err(|_| refuse())
    }

    fn with<R>(&self, f: impl FnOnce(&[u64]) -> R) -> PyResult<R> {
        Ok(match self {
            Keys::One(k) => f(core::slice::from_ref(k)),
            Keys::Array(a) => f(a.as_slice().map_err(|_| value("keys: not contiguous"))?),
            Keys::List(v) => f(v),
        })
    }
}

/// Answers for `keys`: a `bool` for one key, a `bool` array for a sequence.
fn answers<'py>(py: Python<'py>, keys: &Keys<'_>, found: Vec<bool>) -> PyResult<Bound<'py, PyAny>> {
    match keys {
        Keys::One(_) => Ok(pyo3::types::PyBool::new(py, found[0]).to_owned().into_any()),
        _ => Ok(found.to_pyarray(py).into_any()),
    }
}

macro_rules! bloom_class {
    ($name:ident, $core:ident, $doc:literal, { $($extra:tt)* }) => {
        #[doc = $doc]
        #[pyclass(module = "hyperbits._hyperbits")]
        pub(crate) struct $name {
            inner: sketch::$core<Vec<u32>>,
        }

        #[pymethods]
        impl $name {
            /// An empty sketch of `dim` bits (a multiple of 32), `k` bits per key, keyed by
            /// `seed`.
            #[new]
            #[pyo3(signature = (dim, k, seed = 0))]
            fn new(dim: usize, k: u32, seed: u64) -> PyResult<Self> {
                let words = crate::vectors::words_for(dim)?;
                let inner = sketch::$core::new(vec![0u32; words], k, seed).map_err(to_py)?;
                Ok(Self { inner })
            }

            /// The sketch in a blob (written by `to_bytes`, or by firmware); the bits are
            /// copied.
            #[staticmethod]
            fn from_bytes(blob: &[u8]) -> PyResult<Self> {
                let aligned = hyperbits::model::AlignedBlob::new(blob);
                let view = sketch::$core::from_bytes(aligned.as_bytes()).map_err(to_py)?;
                let inner = sketch::$core::new(view.words().to_vec(), view.k(), view.seed())
                    .map_err(to_py)?;
                Ok(Self { inner })
            }

            /// The blob firmware reads in place.
            fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
                Ok(PyBytes::new(py, &self.inner.to_blob().map_err(to_py)?))
            }

            /// Adds one key or a sequence of keys (integers in `0..2**64`).
            fn insert(&mut self, keys: &Bound<'_, PyAny>) -> PyResult<()> {
                let keys = Keys::of(keys)?;
                let inner = &mut self.inner;
                keys.with(|ks| ks.iter().for_each(|&k| inner.insert(k)))
            }

            /// Whether each key may be in the set (no false negatives).
            fn contains<'py>(
                &self,
                py: Python<'py>,
                keys: &Bound<'py, PyAny>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let keys = Keys::of(keys)?;
                let found = keys.with(|ks| ks.iter().map(|&k| self.inner.contains(k)).collect())?;
                answers(py, &keys, found)
            }

            fn __contains__(&self, key: u64) -> bool {
                self.inner.contains(key)
            }

            /// Dimension in bits.
            #[getter]
            fn dim(&self) -> u32 {
                self.inner.dim()
            }

            /// Bits set per key.
            #[getter]
            fn k(&self) -> u32 {
                self.inner.k()
            }

            /// The seed of the key hashes.
            #[getter]
            fn seed(&self) -> u64 {
                self.inner.seed()
            }

            /// The bits as packed words (a copy).
            fn words<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
                self.inner.words().to_pyarray(py)
            }

            fn __repr__(&self) -> String {
                format!(
                    "{}(dim={}, k={}, seed={})",
                    stringify!($name),
                    self.inner.dim(),
                    self.inner.k(),
                    self.inner.seed()
                )
            }

            $($extra)*
        }
    };
}

bloom_class!(
    Bloom,
    Bloom,
    "A Bloom filter over bit-packed words (SB-OR: each key sets `k` hashed bits): insert,\n\
     contains, union, size and intersection estimates, and the blob firmware reads in place.",
    {
        /// Adds every key of `other` (same dimension, `k` and seed).
        fn union(&mut self, other: &Bloom) -> PyResult<()> {
            self.inner.union(&other.inner).map_err(to_py)
        }

        /// Estimated number of distinct keys inserted.
        fn estimate_len(&self) -> f64 {
            self.inner.estimate_len()
        }

        /// Estimated number of keys in both sketches (same dimension, `k` and seed).
        fn estimate_intersection(&self, other: &Bloom) -> PyResult<f64> {
            self.inner
                .estimate_intersection(&other.inner)
                .map_err(to_py)
        }
    }
);
bloom_class!(
    BlockedBloom,
    BlockedBloom,
    "A cache-blocked Bloom filter: each key's `k` bits lie in one 512-bit block (one cache\n\
     line per query; about 10-15 % more bits than `Bloom` for the same error).",
    {}
);

fn vsa_named(name: &str) -> PyResult<Vsa> {
    Vsa::ALL
        .into_iter()
        .find(|v| v.name() == name)
        .ok_or_else(|| value(format!("unknown VSA {name:?}")))
}

/// The planner's table: one record (a dict) per VSA, cheapest first. `task` is
/// `"membership"` (`items` in the set, error `error` per answer, or over all `alphabet`
/// symbols) or `"intersection"` (two sets of `items`, the size within `±epsilon` with
/// probability `1 - error`).
#[pyfunction]
#[pyo3(signature = (items, error, task = "membership", alphabet = None, epsilon = None, rigorous = false, vsa = None))]
#[allow(clippy::too_many_arguments)]
fn plan_table<'py>(
    py: Python<'py>,
    items: u32,
    error: f64,
    task: &str,
    alphabet: Option<u32>,
    epsilon: Option<f64>,
    rigorous: bool,
    vsa: Option<&str>,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let model = if rigorous {
        Model::Rigorous
    } else {
        Model::Typical
    };
    let chosen: Vec<Vsa> = match vsa {
        Some(name) => vec![vsa_named(name)?],
        None => Vsa::ALL.to_vec(),
    };
    let mut plans = match task {
        "membership" => {
            let scope = alphabet.map_or(Scope::PerQuery, |m| Scope::AllOf { alphabet: m });
            chosen
                .iter()
                .map(|&v| plan::plan_membership(v, items, error, scope, model))
                .collect::<Result<Vec<_>, _>>()
        }
        "intersection" => {
            let eps = epsilon.ok_or_else(|| value("task \"intersection\" needs epsilon"))?;
            chosen
                .iter()
                .filter(|v| vsa.is_some() || v.plans_intersection())
                .map(|&v| plan::plan_intersection(v, items, items, eps, error))
                .collect::<Result<Vec<_>, _>>()
        }
        other => {
            return Err(value(format!(
                "task {other:?}: use \"membership\" or \"intersection\""
            )))
        }
    }
    .map_err(to_py)?;
    plans.sort_by_key(|p| (p.bytes, p.dim));
    plans
        .iter()
        .map(|p| {
            let d = PyDict::new(py);
            d.set_item("vsa", p.vsa.name())?;
            d.set_item("dim", p.dim)?;
            d.set_item("k", p.k)?;
            d.set_item("block_len", p.block_len)?;
            let (test, threshold): (&str, Option<u64>) = match p.threshold {
                Threshold::TwiceScoreAtLeast(v) => ("twice_score_at_least", Some(v.into())),
                Threshold::HammingAtMost(v) => ("hamming_at_most", Some(v.into())),
                Threshold::AllBitsSet => ("all_bits_set", None),
                Threshold::EnergyAtLeast(v) => ("energy_at_least", Some(v)),
                Threshold::MatchesAtLeast(v) => ("matches_at_least", Some(v.into())),
            };
            d.set_item("test", test)?;
            d.set_item("threshold", threshold)?;
            d.set_item("bytes", p.bytes)?;
            d.set_item("fp", p.fp)?;
            d.set_item("fn", p.fn_)?;
            Ok(d)
        })
        .collect()
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Bloom>()?;
    m.add_class::<BlockedBloom>()?;
    m.add_function(wrap_pyfunction!(plan_table, m)?)?;
    Ok(())
}
