//! Encoders over numpy rows: level, thermometer and circular vectors, the sign projection and
//! the level × feature-id record, each the core's encoder at a dimension from
//! `hyperbits::with_words!` (256, 512, 1024, 2048, 4096, 8192, 10016 or 10240 bits), so
//! the bits equal the device's for the same seeds.

use crate::error::{to_py, value};
use crate::vectors::{array2, words_for};
use hyperbits::encode::{Circular, Level, Projection, Record, Thermometer};
use hyperbits::{with_words, BinaryVector};
use numpy::{PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// Runs `$body` (a `Result<BinaryVector<$w>, Error>` for row `$i`) for `$n` rows without the
/// GIL, at the const word count `$w` of `$dim` bits; the rows as a `(n, dim/32)` array.
macro_rules! encode_rows {
    ($py:expr, $dim:expr, $n:expr, $w:ident, |$i:ident| $body:expr) => {{
        let dim: usize = $dim;
        let words = words_for(dim)?;
        let n: usize = $n;
        let out: Result<Vec<u32>, hyperbits::Error> = with_words!(words, $w => {
            $py.detach(|| {
                let mut out = Vec::with_capacity(n * words);
                for $i in 0..n {
                    let v: BinaryVector<$w> = $body?;
                    out.extend_from_slice(v.as_words());
                }
                Ok(out)
            })
        }, else return Err(value(format!(
            "dimension {dim}: the encoders take 256, 512, 1024, 2048, 4096, 8192, 10016 or 10240 bits"
        ))));
        array2($py, out.map_err(to_py)?, n, words)
    }};
}

fn slice1<'a, T: numpy::Element>(a: &'a PyReadonlyArray1<'_, T>, name: &str) -> PyResult<&'a [T]> {
    a.as_slice()
        .map_err(|_| value(format!("{name}: the array is not contiguous")))
}

/// Level vectors `indices` of a `levels`-level encoder under `seed`.
#[pyfunction]
fn level_vectors<'py>(
    py: Python<'py>,
    seed: u64,
    levels: u16,
    indices: PyReadonlyArray1<'py, u16>,
    dim: usize,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let enc = Level::new(seed, levels).map_err(to_py)?;
    let idx = slice1(&indices, "levels")?;
    encode_rows!(py, dim, idx.len(), W, |i| enc.vector::<W>(idx[i]))
}

/// The level vector of each value of `x` quantised on `[lo, hi]`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn level_encode<'py>(
    py: Python<'py>,
    seed: u64,
    levels: u16,
    x: PyReadonlyArray1<'py, f32>,
    lo: f32,
    hi: f32,
    dim: usize,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let enc = Level::new(seed, levels).map_err(to_py)?;
    let x = slice1(&x, "x")?;
    encode_rows!(py, dim, x.len(), W, |i| Ok::<_, hyperbits::Error>(
        enc.encode::<W>(x[i], lo, hi)
    ))
}

/// Thermometer vectors `indices` of a `levels`-level code.
#[pyfunction]
fn thermometer_vectors<'py>(
    py: Python<'py>,
    levels: u32,
    indices: PyReadonlyArray1<'py, u32>,
    dim: usize,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let enc = Thermometer::new(levels).map_err(to_py)?;
    let idx = slice1(&indices, "levels")?;
    encode_rows!(py, dim, idx.len(), W, |i| enc.vector::<W>(idx[i]))
}

/// Circular vectors `indices` of a `steps`-step circle under `seed`.
#[pyfunction]
fn circular_vectors<'py>(
    py: Python<'py>,
    seed: u64,
    steps: u16,
    indices: PyReadonlyArray1<'py, u16>,
    dim: usize,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let enc = Circular::new(seed, steps).map_err(to_py)?;
    let idx = slice1(&indices, "steps")?;
    encode_rows!(py, dim, idx.len(), W, |i| enc.vector::<W>(idx[i]))
}

/// The sign random projection of each row of `x` (features) under `seed`.
#[pyfunction]
fn projection_encode<'py>(
    py: Python<'py>,
    seed: u64,
    x: PyReadonlyArray2<'py, f32>,
    dim: usize,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let (n, f) = (x.shape()[0], x.shape()[1]);
    let values = x
        .as_slice()
        .map_err(|_| value("X: the array is not C-contiguous"))?;
    let enc = Projection::new(seed);
    encode_rows!(py, dim, n, W, |i| enc
        .encode::<W>(&values[i * f..(i + 1) * f]))
}

/// The level × feature-id record of each row of level indices.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn record_encode<'py>(
    py: Python<'py>,
    key_seed: u64,
    level_seed: u64,
    levels: u16,
    rows: PyReadonlyArray2<'py, u16>,
    tie_seed: u64,
    dim: usize,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let (n, f) = (rows.shape()[0], rows.shape()[1]);
    let values = rows
        .as_slice()
        .map_err(|_| value("levels: the array is not C-contiguous"))?;
    let enc = Record::new(key_seed, Level::new(level_seed, levels).map_err(to_py)?);
    encode_rows!(py, dim, n, W, |i| enc
        .encode_levels::<W>(&values[i * f..(i + 1) * f], tie_seed))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(level_vectors, m)?)?;
    m.add_function(wrap_pyfunction!(level_encode, m)?)?;
    m.add_function(wrap_pyfunction!(thermometer_vectors, m)?)?;
    m.add_function(wrap_pyfunction!(circular_vectors, m)?)?;
    m.add_function(wrap_pyfunction!(projection_encode, m)?)?;
    m.add_function(wrap_pyfunction!(record_encode, m)?)?;
    Ok(())
}
