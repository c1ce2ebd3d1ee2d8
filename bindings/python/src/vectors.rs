//! Codebook and algebra over numpy rows of packed words: `(n, D/32)` arrays of `np.uint32`,
//! bit `i` of a vector is bit `i % 32` of word `i / 32`, as the core packs them. The Python
//! side (`hyperbits/_vectors.py`) turns 1-D vectors into one-row arrays and back; here every
//! input is 2-D and C-contiguous, checked, and every loop runs without the GIL.

use crate::error::{to_py, value};
use hyperbits::{packed, Codebook, TIE_INDEX};
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use numpy::{PyUntypedArray, PyUntypedArrayMethods, ToPyArray};
use pyo3::prelude::*;

/// A 2-D `uint32` array argument (one packed vector per row) of the classes that numpy
/// arrays reach without the Python layer's checks (`Hopfield`, `Sdm`, `factorize`): anything
/// else is a `TypeError` that says what was expected (PyO3 notes the argument's name).
pub(crate) struct Words<'py>(PyReadonlyArray2<'py, u32>);

impl<'py> std::ops::Deref for Words<'py> {
    type Target = PyReadonlyArray2<'py, u32>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for Words<'py> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(a) = obj.cast::<PyArray2<u32>>() {
            return Ok(Words(a.readonly()));
        }
        let message = match obj.cast::<PyUntypedArray>() {
            Err(_) => format!(
                "expected a 2-D numpy array of uint32 words (one packed vector per row), got {}",
                obj.get_type().name()?
            ),
            Ok(a) if a.ndim() != 2 => format!(
                "expected a 2-D array of uint32 words (one packed vector per row), got {}-D",
                a.ndim()
            ),
            Ok(a) => format!(
                "expected dtype uint32 (packed words), got {}; use hyperbits.pack_bits to pack \
                 0/1 bits",
                a.dtype()
            ),
        };
        Err(pyo3::exceptions::PyTypeError::new_err(message))
    }
}

/// The words of a 2-D array, its rows and its words per row.
pub(crate) fn rows<'a>(
    a: &'a PyReadonlyArray2<'_, u32>,
    name: &str,
) -> PyResult<(&'a [u32], usize, usize)> {
    let (n, w) = (a.shape()[0], a.shape()[1]);
    let words = a.as_slice().map_err(|_| {
        value(format!(
            "{name}: the array is not C-contiguous; pass np.ascontiguousarray({name})"
        ))
    })?;
    if w == 0 {
        return Err(value(format!("{name}: vectors need at least one word")));
    }
    Ok((words, n, w))
}

/// Row counts `na` and `nb` broadcast against each other.
fn broadcast(na: usize, nb: usize) -> PyResult<usize> {
    match (na, nb) {
        _ if na == nb => Ok(na),
        (1, n) | (n, 1) => Ok(n),
        _ => Err(value(format!(
            "cannot broadcast {na} vectors against {nb}: give the same number, or one"
        ))),
    }
}

fn same_words(wa: usize, wb: usize) -> PyResult<()> {
    if wa == wb {
        Ok(())
    } else {
        Err(value(format!(
            "dimensions differ: {} bits against {} bits",
            32 * wa,
            32 * wb
        )))
    }
}

/// Words per vector for a dimension in bits.
pub(crate) fn words_for(dim: usize) -> PyResult<usize> {
    if dim == 0 || !dim.is_multiple_of(32) {
        return Err(value(format!(
            "dimension {dim} is not a positive multiple of 32"
        )));
    }
    Ok(dim / 32)
}

pub(crate) fn array2<'py>(
    py: Python<'py>,
    words: Vec<u32>,
    n: usize,
    w: usize,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    PyArray1::from_vec(py, words).reshape([n, w])
}

/// Item vectors `indices` of the codebook `seed`, `dim` bits each: `(len(indices), dim/32)`.
#[pyfunction]
fn codebook_vectors<'py>(
    py: Python<'py>,
    seed: u64,
    indices: PyReadonlyArray1<'py, u32>,
    dim: usize,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let w = words_for(dim)?;
    let indices = indices
        .as_slice()
        .map_err(|_| value("indices: not contiguous"))?;
    let book = Codebook::new(seed);
    let out = py.detach(|| {
        let mut out = vec![0u32; indices.len() * w];
        for (row, &i) in out.chunks_exact_mut(w).zip(indices) {
            book.fill(i, row);
        }
        out
    });
    array2(py, out, indices.len(), w)
}

/// Two batches of one width whose row counts broadcast (equal, or one of them 1): row `i` of
/// the result pairs `a`'s row `i % na` with `b`'s row `i % nb`.
struct Broadcast<'a> {
    a: &'a [u32],
    b: &'a [u32],
    na: usize,
    nb: usize,
    w: usize,
    n: usize,
}

impl<'a> Broadcast<'a> {
    fn new(a: &'a PyReadonlyArray2<'_, u32>, b: &'a PyReadonlyArray2<'_, u32>) -> PyResult<Self> {
        let ((a, na, w), (b, nb, wb)) = (rows(a, "a")?, rows(b, "b")?);
        same_words(w, wb)?;
        let n = broadcast(na, nb)?;
        Ok(Broadcast { a, b, na, nb, w, n })
    }

    /// The rows paired at result row `i`.
    fn pair(&self, i: usize) -> (&'a [u32], &'a [u32]) {
        let w = self.w;
        (
            &self.a[(i % self.na) * w..][..w],
            &self.b[(i % self.nb) * w..][..w],
        )
    }
}

/// Binding (XOR) row by row, broadcasting one row against many.
#[pyfunction]
fn bind<'py>(
    py: Python<'py>,
    a: PyReadonlyArray2<'py, u32>,
    b: PyReadonlyArray2<'py, u32>,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let p = Broadcast::new(&a, &b)?;
    let out = py.detach(|| {
        let mut out = vec![0u32; p.n * p.w];
        for (i, row) in out.chunks_exact_mut(p.w).enumerate() {
            let (x, y) = p.pair(i);
            packed::bind_into(x, y, row)?;
        }
        Ok(out)
    });
    array2(py, out.map_err(to_py)?, p.n, p.w)
}

/// Majority of the rows of `v` (at most 65,535), ties broken by the codebook `seed`'s tie
/// vector exactly as `BinaryVector::bundle(…, seed)` breaks them.
#[pyfunction]
fn bundle<'py>(
    py: Python<'py>,
    v: PyReadonlyArray2<'py, u32>,
    seed: u64,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let (v, n, w) = rows(&v, "vectors")?;
    let out = py.detach(|| {
        let inputs: Vec<&[u32]> = v.chunks_exact(w).collect();
        // The tie vector only for an even count (an odd one never ties).
        let tie = (n % 2 == 0).then(|| {
            let mut tie = vec![0u32; w];
            Codebook::new(seed).fill(TIE_INDEX, &mut tie);
            tie
        });
        let mut out = vec![0u32; w];
        packed::bundle_into(&inputs, tie.as_deref(), &mut out)?;
        Ok(out)
    });
    Ok(PyArray1::from_vec(py, out.map_err(to_py)?))
}

/// Cyclic rotation of every row by `shift` bits (negative: the other way).
#[pyfunction]
fn permute<'py>(
    py: Python<'py>,
    v: PyReadonlyArray2<'py, u32>,
    shift: i64,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let (v, n, w) = rows(&v, "vectors")?;
    let dim = 32 * w as i64;
    let shift = shift.rem_euclid(dim) as usize;
    let out = py.detach(|| {
        let mut out = vec![0u32; n * w];
        for (src, dst) in v.chunks_exact(w).zip(out.chunks_exact_mut(w)) {
            packed::permute_into(src, shift, dst)?;
        }
        Ok(out)
    });
    array2(py, out.map_err(to_py)?, n, w)
}

/// Hamming distances row by row, broadcasting one row against many.
#[pyfunction]
fn hamming<'py>(
    py: Python<'py>,
    a: PyReadonlyArray2<'py, u32>,
    b: PyReadonlyArray2<'py, u32>,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let p = Broadcast::new(&a, &b)?;
    let out = py.detach(|| {
        (0..p.n)
            .map(|i| {
                let (x, y) = p.pair(i);
                packed::hamming(x, y)
            })
            .collect::<Result<Vec<u32>, _>>()
    });
    Ok(PyArray1::from_vec(py, out.map_err(to_py)?))
}

/// Every pairwise Hamming distance: `(len(a), len(b))`.
#[pyfunction]
fn hamming_matrix<'py>(
    py: Python<'py>,
    a: PyReadonlyArray2<'py, u32>,
    b: PyReadonlyArray2<'py, u32>,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let ((a, na, wa), (b, nb, wb)) = (rows(&a, "a")?, rows(&b, "b")?);
    same_words(wa, wb)?;
    let out = py.detach(|| {
        let mut out = vec![0u32; na * nb];
        for (q, row) in a.chunks_exact(wa).zip(out.chunks_exact_mut(nb.max(1))) {
            packed::distances_into(q, b, &mut row[..nb])?;
        }
        Ok(out)
    });
    array2(py, out.map_err(to_py)?, na, nb)
}

/// Indices and distances of the nearest rows.
type Found<'py> = (Bound<'py, PyArray2<i64>>, Bound<'py, PyArray2<u32>>);

/// The `k` rows of `db` nearest to each query (ties: the lower index first): indices
/// `(len(queries), k)` as `int64` and distances as `uint32`. `k = 1` runs the core's scan.
#[pyfunction]
fn nearest<'py>(
    py: Python<'py>,
    queries: PyReadonlyArray2<'py, u32>,
    db: PyReadonlyArray2<'py, u32>,
    k: usize,
) -> PyResult<Found<'py>> {
    let ((q, nq, wq), (d, nd, wd)) = (rows(&queries, "queries")?, rows(&db, "db")?);
    same_words(wq, wd)?;
    if k == 0 || k > nd {
        return Err(value(format!(
            "k = {k}: it must be at least 1 and at most the {nd} rows of db"
        )));
    }
    let found = py.detach(|| {
        let mut index = Vec::with_capacity(nq * k);
        let mut dist = Vec::with_capacity(nq * k);
        let mut all = vec![0u32; if k == 1 { 0 } else { nd }];
        let mut order: Vec<usize> = Vec::new();
        for query in q.chunks_exact(wq) {
            if k == 1 {
                if let Some((i, h)) = packed::nearest(query, d)? {
                    index.push(i as i64);
                    dist.push(h);
                }
                continue;
            }
            packed::distances_into(query, d, &mut all)?;
            order.clear();
            order.extend(0..nd);
            // Stable: equal distances keep the lower index first.
            order.select_nth_unstable_by_key(k - 1, |&i| (all[i], i));
            order[..k].sort_unstable_by_key(|&i| (all[i], i));
            for &i in &order[..k] {
                index.push(i as i64);
                dist.push(all[i]);
            }
        }
        Ok((index, dist))
    });
    let (index, dist) = found.map_err(to_py)?;
    Ok((
        PyArray1::from_vec(py, index).reshape([nq, k])?,
        array2(py, dist, nq, k)?,
    ))
}

/// Bits of each row set to one.
#[pyfunction]
fn count_ones<'py>(
    py: Python<'py>,
    v: PyReadonlyArray2<'py, u32>,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let (v, _, w) = rows(&v, "vectors")?;
    let out: Vec<u32> = py.detach(|| v.chunks_exact(w).map(packed::count_ones).collect());
    Ok(out.to_pyarray(py))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(codebook_vectors, m)?)?;
    m.add_function(wrap_pyfunction!(bind, m)?)?;
    m.add_function(wrap_pyfunction!(bundle, m)?)?;
    m.add_function(wrap_pyfunction!(permute, m)?)?;
    m.add_function(wrap_pyfunction!(hamming, m)?)?;
    m.add_function(wrap_pyfunction!(hamming_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(nearest, m)?)?;
    m.add_function(wrap_pyfunction!(count_ones, m)?)?;
    Ok(())
}
