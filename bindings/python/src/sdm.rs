//! Sparse distributed memory (`hyperbits::sdm`) over numpy: the memory's addresses and
//! counters live in this object, and every write and read runs the core's loops
//! (`sdm::SdmSlices`), so the same seed and writes read the same words as the device's
//! `Sdm<W, V, N>`.

use crate::error::{to_py, value};
use crate::vectors::{self, array2, words_for, Words};
use hyperbits::sdm::{self, SdmSlices};
use hyperbits::Error;
use numpy::{PyArray1, PyArray2, PyReadonlyArray2, ToPyArray};
use pyo3::exceptions::PyMemoryError;
use pyo3::prelude::*;

/// A sparse distributed memory: `locations` hard locations at seeded random addresses of
/// `dim` bits, one `i8` counter per bit of a `data_dim`-bit word at each.
#[pyclass(module = "hyperbits._hyperbits")]
pub(crate) struct Sdm {
    addresses: Vec<u32>,
    counters: Vec<i8>,
    words: usize,
    data_words: usize,
    radius: u32,
    writes: u32,
}

impl Sdm {
    fn memory(&mut self) -> PyResult<SdmSlices<'_>> {
        SdmSlices::new(&self.addresses, &mut self.counters, self.words, self.radius).map_err(to_py)
    }

    /// The words of a `(n, words)` array and its rows.
    fn rows<'a>(
        a: &'a PyReadonlyArray2<'_, u32>,
        words: usize,
        name: &str,
    ) -> PyResult<(&'a [u32], usize)> {
        let (s, n, w) = vectors::rows(a, name)?;
        if w != words {
            return Err(value(format!(
                "{name}: rows of {} bits, this memory takes {} bits",
                32 * w,
                32 * words
            )));
        }
        Ok((s, n))
    }
}

/// `rows · per_row` zeros, or a `MemoryError` when they cannot be had.
fn zeroed<T: Clone + Default>(rows: usize, per_row: usize) -> PyResult<Vec<T>> {
    let n = rows
        .checked_mul(per_row)
        .ok_or_else(|| PyMemoryError::new_err("the memory's size overflows"))?;
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        PyMemoryError::new_err(format!("{n} elements for the memory's {rows} locations"))
    })?;
    v.resize(n, T::default());
    Ok(v)
}

#[pymethods]
impl Sdm {
    #[new]
    #[pyo3(signature = (locations, dim, data_dim = None, radius = None, activation = 0.05, seed = 0))]
    fn new(
        locations: usize,
        dim: usize,
        data_dim: Option<usize>,
        radius: Option<u32>,
        activation: f64,
        seed: u64,
    ) -> PyResult<Self> {
        let words = words_for(dim)?;
        let data_words = words_for(data_dim.unwrap_or(dim))?;
        if locations == 0 || locations > 1 << 24 {
            return Err(value(format!(
                "locations = {locations}: it must be 1 to 16,777,216"
            )));
        }
        if !(activation > 0.0 && activation <= 1.0) {
            return Err(value(format!(
                "activation = {activation}: a share of addresses in (0, 1]"
            )));
        }
        let radius = radius.unwrap_or_else(|| sdm::radius_for(dim as u32, activation));
        let mut addresses = zeroed::<u32>(locations, words)?;
        SdmSlices::fill_addresses(seed, words, &mut addresses);
        let mut memory = Sdm {
            addresses,
            counters: zeroed::<i8>(locations, 32 * data_words)?,
            words,
            data_words,
            radius,
            writes: 0,
        };
        memory.memory()?;
        Ok(memory)
    }

    /// Hard locations (N).
    #[getter]
    fn locations(&self) -> usize {
        self.addresses.len() / self.words
    }

    /// Bits of an address.
    #[getter]
    fn dim(&self) -> usize {
        32 * self.words
    }

    /// Bits of a data word.
    #[getter]
    fn data_dim(&self) -> usize {
        32 * self.data_words
    }

    /// The activation radius (Hamming distance).
    #[getter]
    fn radius(&self) -> u32 {
        self.radius
    }

    /// Words written since the memory was made or cleared.
    #[getter]
    fn writes(&self) -> u32 {
        self.writes
    }

    /// The share of all addresses within the radius of one (`sdm::activation_probability`).
    #[getter]
    fn activation(&self) -> f64 {
        sdm::activation_probability(32 * self.words as u32, self.radius)
    }

    /// The locations' addresses: `(locations, dim / 32)`.
    fn addresses<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<u32>>> {
        array2(py, self.addresses.clone(), self.locations(), self.words)
    }

    /// Writes row i of `data` at row i of `addresses`; the locations each write reached.
    fn write<'py>(
        &mut self,
        py: Python<'py>,
        addresses: Words<'py>,
        data: Words<'py>,
    ) -> PyResult<Bound<'py, PyArray1<u64>>> {
        let (at, n) = Self::rows(&addresses, self.words, "addresses")?;
        let (words, m) = Self::rows(&data, self.data_words, "data")?;
        if n != m {
            return Err(value(format!("{n} addresses for {m} data words")));
        }
        let (w, v) = (self.words, self.data_words);
        let mut memory = self.memory()?;
        let written: Result<Vec<u64>, Error> = py.detach(|| {
            at.chunks_exact(w)
                .zip(words.chunks_exact(v))
                .map(|(a, d)| memory.write(a, d).map(|n| n as u64))
                .collect()
        });
        let written = written.map_err(to_py)?;
        self.writes = self.writes.saturating_add(n as u32);
        Ok(written.to_pyarray(py))
    }

    /// Reads at every row of `addresses`: the words (the sign of the summed counters of the
    /// locations within the radius) and how many locations each read; a row no location is
    /// near reads as zeros from 0 locations.
    #[allow(clippy::type_complexity)]
    fn read<'py>(
        &mut self,
        py: Python<'py>,
        addresses: Words<'py>,
    ) -> PyResult<(Bound<'py, PyArray2<u32>>, Bound<'py, PyArray1<u64>>)> {
        let (at, n) = Self::rows(&addresses, self.words, "addresses")?;
        let (w, v) = (self.words, self.data_words);
        let memory = self.memory()?;
        let found: Result<(Vec<u32>, Vec<u64>), Error> = py.detach(|| {
            let mut sums = vec![0i32; 32 * v];
            let mut out = vec![0u32; n * v];
            let mut locations = Vec::with_capacity(n);
            for (a, row) in at.chunks_exact(w).zip(out.chunks_exact_mut(v)) {
                match memory.read(a, &mut sums, row) {
                    Ok(k) => locations.push(k as u64),
                    Err(Error::EmptyMemory) => locations.push(0),
                    Err(e) => return Err(e),
                }
            }
            Ok((out, locations))
        });
        let (out, locations) = found.map_err(to_py)?;
        Ok((array2(py, out, n, v)?, locations.to_pyarray(py)))
    }

    /// Autoassociative recall (`dim == data_dim`): reads at each cue, then at what was read,
    /// until the word stops changing or after `max_steps` reads; the words and the reads made.
    /// A `ValueError` when a read finds no location within the radius.
    #[pyo3(signature = (cues, max_steps = 10))]
    #[allow(clippy::type_complexity)]
    fn recall<'py>(
        &mut self,
        py: Python<'py>,
        cues: Words<'py>,
        max_steps: u32,
    ) -> PyResult<(Bound<'py, PyArray2<u32>>, Bound<'py, PyArray1<u32>>)> {
        if self.words != self.data_words {
            return Err(value(
                "recall needs data words as long as addresses (dim == data_dim)",
            ));
        }
        let (at, n) = Self::rows(&cues, self.words, "cues")?;
        let w = self.words;
        let memory = self.memory()?;
        let found: Result<(Vec<u32>, Vec<u32>), Error> = py.detach(|| {
            let mut sums = vec![0i32; 32 * w];
            let mut out = at.to_vec();
            let mut next = vec![0u32; w];
            let mut steps = Vec::with_capacity(n);
            for word in out.chunks_exact_mut(w) {
                let mut made = max_steps;
                for step in 1..=max_steps {
                    memory.read(word, &mut sums, &mut next)?;
                    if next == word {
                        made = step;
                        break;
                    }
                    word.copy_from_slice(&next);
                }
                steps.push(made);
            }
            Ok((out, steps))
        });
        let (out, steps) = found.map_err(to_py)?;
        Ok((array2(py, out, n, w)?, PyArray1::from_vec(py, steps)))
    }

    /// Forgets everything written.
    fn clear(&mut self) {
        self.counters.fill(0);
        self.writes = 0;
    }

    /// The expected bit error of a read at a stored address after `items` random words
    /// (`sdm::bit_error` for this memory's locations and activation).
    fn bit_error(&self, items: u32) -> f64 {
        sdm::bit_error(self.locations() as u32, self.activation(), items)
    }

    /// The most random words before `bit_error` exceeds `error` (`sdm::capacity`).
    fn capacity(&self, error: f64) -> u32 {
        sdm::capacity(self.locations() as u32, self.activation(), error)
    }

    fn __repr__(&self) -> String {
        format!(
            "Sdm(locations={}, dim={}, data_dim={}, radius={})",
            self.locations(),
            self.dim(),
            self.data_dim(),
            self.radius
        )
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Sdm>()?;
    Ok(())
}
