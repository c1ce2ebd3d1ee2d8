//! Sparse block codes (`hyperbits::block`) over numpy: a code is a row of B `np.uint16`
//! positions, each below L; a batch is a `(n, B)` array, a single code may be 1-D. Every
//! operation runs the core's run-time-shaped functions, so the positions are the device's
//! `BlockVector<B, L>` ones for the same seed. `uint16` arrays are read in place; positions of
//! another integer type (a list, `np.array([3, 1, 4])`) are converted, once their values are
//! checked to fit.

use crate::error::{to_py, value};
use hyperbits::{block, Codebook};
use numpy::{PyArray1, PyArrayDyn, PyArrayMethods, PyReadonlyArrayDyn};
use numpy::{PyUntypedArrayMethods, ToPyArray};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// Codes of `blocks` blocks of `length` positions (D = blocks · length).
#[pyclass(module = "hyperbits._hyperbits", frozen)]
pub(crate) struct BlockCodes {
    blocks: usize,
    length: usize,
}

/// The positions of a 1-D or 2-D array, its rows, and whether it was 1-D.
struct Codes<'a> {
    positions: &'a [u16],
    n: usize,
    single: bool,
}

/// `obj` as `uint16` positions: a `uint16` array as it is, any other integer array (or
/// sequence) converted when every value is in `0..65536`; anything else is a `TypeError`
/// naming the argument.
fn positions<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<PyReadonlyArrayDyn<'py, u16>> {
    if let Ok(a) = obj.cast::<PyArrayDyn<u16>>() {
        return Ok(a.readonly());
    }
    let np = PyModule::import(obj.py(), "numpy")?;
    let a = np.call_method1("asarray", (obj,))?;
    let dtype = a.getattr("dtype")?;
    let kind: String = dtype.getattr("kind")?.extract()?;
    if kind != "i" && kind != "u" {
        return Err(PyTypeError::new_err(format!(
            "{name}: block positions are integers (uint16), got dtype {dtype}"
        )));
    }
    if a.getattr("size")?.extract::<usize>()? > 0 {
        let (lo, hi): (i128, i128) = (
            a.call_method0("min")?.extract()?,
            a.call_method0("max")?.extract()?,
        );
        if lo < 0 || hi > i128::from(u16::MAX) {
            return Err(value(format!(
                "{name}: positions {lo}..={hi} do not fit uint16 (each must be below L)"
            )));
        }
    }
    Ok(a.call_method1("astype", (np.getattr("uint16")?,))?
        .cast_into::<PyArrayDyn<u16>>()?
        .readonly())
}

impl BlockCodes {
    fn codes<'a>(&self, a: &'a PyReadonlyArrayDyn<'_, u16>, name: &str) -> PyResult<Codes<'a>> {
        let shape = a.shape();
        let (n, b, single) = match *shape {
            [b] => (1, b, true),
            [n, b] => (n, b, false),
            _ => return Err(value(format!("{name}: codes are 1-D or 2-D arrays"))),
        };
        if b != self.blocks {
            return Err(value(format!(
                "{name}: codes of {b} blocks, these codes have {}",
                self.blocks
            )));
        }
        let positions = a.as_slice().map_err(|_| {
            value(format!(
                "{name}: the array is not C-contiguous; pass np.ascontiguousarray({name})"
            ))
        })?;
        Ok(Codes {
            positions,
            n,
            single,
        })
    }

    /// `rows` codes as an array: 1-D when `single`.
    fn array<'py>(
        &self,
        py: Python<'py>,
        positions: Vec<u16>,
        rows: usize,
        single: bool,
    ) -> PyResult<Bound<'py, PyArrayDyn<u16>>> {
        let shape = if single {
            vec![self.blocks]
        } else {
            vec![rows, self.blocks]
        };
        PyArray1::from_vec(py, positions).reshape(shape)
    }

    /// Row `i` of `a` and `b`, one row broadcasting against many; the rows of the result.
    fn pairs<'a>(&self, a: &Codes<'a>, b: &Codes<'a>) -> PyResult<usize> {
        match (a.n, b.n) {
            (na, nb) if na == nb => Ok(na),
            (1, n) | (n, 1) => Ok(n),
            (na, nb) => Err(value(format!(
                "cannot broadcast {na} codes against {nb}: give the same number, or one"
            ))),
        }
    }

    fn row<'a>(&self, c: &Codes<'a>, i: usize) -> &'a [u16] {
        let r = if c.n == 1 { 0 } else { i };
        &c.positions[r * self.blocks..][..self.blocks]
    }

    /// `out[i] = op(a[i], b[i])` with broadcasting.
    fn binary<'py>(
        &self,
        py: Python<'py>,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
        op: impl Fn(&[u16], &[u16], &mut [u16]) -> Result<(), hyperbits::Error> + Send + Sync,
    ) -> PyResult<Bound<'py, PyArrayDyn<u16>>> {
        let (a, b) = (positions(a, "a")?, positions(b, "b")?);
        let (a, b) = (self.codes(&a, "a")?, self.codes(&b, "b")?);
        let n = self.pairs(&a, &b)?;
        let out = py.detach(|| {
            let mut out = vec![0u16; n * self.blocks];
            for (i, row) in out.chunks_exact_mut(self.blocks).enumerate() {
                op(self.row(&a, i), self.row(&b, i), row)?;
            }
            Ok(out)
        });
        self.array(py, out.map_err(to_py)?, n, a.single && b.single)
    }
}

#[pymethods]
impl BlockCodes {
    #[new]
    fn new(blocks: usize, length: usize) -> PyResult<Self> {
        if blocks == 0 || !(2..=1 << 16).contains(&length) {
            return Err(value(format!(
                "block codes need at least one block of 2 to 65,536 positions, not {blocks} of \
                 {length}"
            )));
        }
        Ok(BlockCodes { blocks, length })
    }

    /// Blocks per code (B).
    #[getter]
    fn blocks(&self) -> usize {
        self.blocks
    }

    /// Positions per block (L).
    #[getter]
    fn length(&self) -> usize {
        self.length
    }

    /// The dimension B·L.
    #[getter]
    fn dim(&self) -> usize {
        self.blocks * self.length
    }

    /// Items `0..n` (an int) or `indices` (a sequence of ints in `0..2**32`) of the codebook
    /// `seed`: `(n, B)`.
    fn random<'py>(
        &self,
        py: Python<'py>,
        seed: u64,
        n_or_indices: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArrayDyn<u16>>> {
        let indices: Vec<u32> = match n_or_indices.extract::<u32>() {
            Ok(n) => (0..n).collect(),
            Err(_) => n_or_indices
                .extract()
                .map_err(|_| value("n_or_indices: a count, or a sequence of ints in 0..2**32"))?,
        };
        let book = Codebook::new(seed);
        let out = py.detach(|| {
            let mut out = vec![0u16; indices.len() * self.blocks];
            for (row, &i) in out.chunks_exact_mut(self.blocks).zip(&indices) {
                block::random_into(&book, i, self.length, row)?;
            }
            Ok(out)
        });
        self.array(py, out.map_err(to_py)?, indices.len(), false)
    }

    /// Binding: positions added block by block, mod L.
    fn bind<'py>(
        &self,
        py: Python<'py>,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArrayDyn<u16>>> {
        let l = self.length;
        self.binary(py, a, b, move |x, y, out| block::bind_into(x, y, l, out))
    }

    /// Unbinding: `unbind(bind(a, b), b) == a`.
    fn unbind<'py>(
        &self,
        py: Python<'py>,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArrayDyn<u16>>> {
        let inverse = self.inverse(py, b)?;
        self.bind(py, a, inverse.as_any())
    }

    /// The inverse under binding: positions negated mod L.
    fn inverse<'py>(
        &self,
        py: Python<'py>,
        a: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArrayDyn<u16>>> {
        let a = positions(a, "a")?;
        let a = self.codes(&a, "a")?;
        let out = py.detach(|| {
            let mut out = vec![0u16; a.n * self.blocks];
            for (i, row) in out.chunks_exact_mut(self.blocks).enumerate() {
                block::inverse_into(self.row(&a, i), self.length, row)?;
            }
            Ok(out)
        });
        self.array(py, out.map_err(to_py)?, a.n, a.single)
    }

    /// The argmax bundle of the codes (rows of `v`): each block's most held position, ties
    /// broken by `tie_seed` as the device breaks them. 1-D.
    #[pyo3(signature = (v, tie_seed = 0))]
    fn bundle<'py>(
        &self,
        py: Python<'py>,
        v: &Bound<'py, PyAny>,
        tie_seed: u64,
    ) -> PyResult<Bound<'py, PyArrayDyn<u16>>> {
        let v = positions(v, "v")?;
        let v = self.codes(&v, "v")?;
        let out = py.detach(|| {
            let rows: Vec<&[u16]> = v.positions.chunks_exact(self.blocks).collect();
            let mut out = vec![0u16; self.blocks];
            // Pairwise comparisons cost n² a block, counting n + L: the same code either way.
            if rows.len() * rows.len() > self.length {
                let mut counts = vec![0u32; self.length];
                block::bundle_counted_into(&rows, self.length, tie_seed, &mut counts, &mut out)?;
            } else {
                block::bundle_into(&rows, self.length, tie_seed, &mut out)?;
            }
            Ok(out)
        });
        self.array(py, out.map_err(to_py)?, 1, true)
    }

    /// Blocks in which the codes hold the same position, row by row with broadcasting.
    fn matches<'py>(
        &self,
        py: Python<'py>,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (a, b) = (positions(a, "a")?, positions(b, "b")?);
        let (a, b) = (self.codes(&a, "a")?, self.codes(&b, "b")?);
        let n = self.pairs(&a, &b)?;
        let found: Result<Vec<u32>, _> = py.detach(|| {
            (0..n)
                .map(|i| block::matches(self.row(&a, i), self.row(&b, i)))
                .collect()
        });
        let found = found.map_err(to_py)?;
        if a.single && b.single {
            Ok(found[0].into_pyobject(py)?.into_any())
        } else {
            Ok(found.to_pyarray(py).into_any())
        }
    }

    /// `matches / B`: about 1/L for unrelated codes, 1 for equal ones.
    fn similarity<'py>(
        &self,
        py: Python<'py>,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let found = self.matches(py, a, b)?;
        found.div(self.blocks as f64)
    }

    /// Block b moves to block `(b + shift) mod B` (negative: the other way), every row.
    fn permute<'py>(
        &self,
        py: Python<'py>,
        a: &Bound<'py, PyAny>,
        shift: i64,
    ) -> PyResult<Bound<'py, PyArrayDyn<u16>>> {
        let a = positions(a, "a")?;
        let a = self.codes(&a, "a")?;
        let by = shift.rem_euclid(self.blocks as i64) as usize;
        let mut out = a.positions.to_vec();
        for row in out.chunks_exact_mut(self.blocks) {
            row.rotate_right(by);
        }
        self.array(py, out, a.n, a.single)
    }

    fn __repr__(&self) -> String {
        format!("BlockCodes(blocks={}, length={})", self.blocks, self.length)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<BlockCodes>()?;
    Ok(())
}
