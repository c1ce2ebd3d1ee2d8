//! Resonator networks from numpy: factorise a batch of products over F codebooks with the
//! core's `Resonator`, the GIL released for the batch.

use crate::error::{to_py, value};
use crate::vectors::Words;
use hyperbits::resonator::{Method, Options, Resonator};
use hyperbits::{with_words, BinaryVector};
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray3, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// The largest codebook the bindings take (the core's `M`).
const MAX_ITEMS: usize = 256;

/// `(indices, sweeps, verified)` of a batch.
type Found<'py> = (
    Bound<'py, PyArray2<i64>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<bool>>,
);

/// Indices (row-major, F a row), sweeps and verification of every product.
type Batch = (Vec<i64>, Vec<u32>, Vec<bool>);

/// Factorises every row of `products` at `W` words over `F` codebooks of `m` items
/// (`books`: F·m·W words, codebook-major).
fn run<const W: usize, const F: usize>(
    products: &[u32],
    books: &[u32],
    m: usize,
    options: Options,
) -> Result<Batch, hyperbits::Error> {
    let items: Vec<BinaryVector<W>> = books
        .chunks_exact(W)
        .map(|c| BinaryVector::from_words(c.try_into().unwrap_or([0; W])))
        .collect();
    let refs: [&[BinaryVector<W>]; F] = core::array::from_fn(|f| &items[f * m..(f + 1) * m]);
    let net = Resonator::<W, F, MAX_ITEMS>::new(refs, options)?;
    let (mut indices, mut sweeps, mut verified) = (Vec::new(), Vec::new(), Vec::new());
    for p in products.chunks_exact(W) {
        let product = BinaryVector::from_words(p.try_into().unwrap_or([0; W]));
        let found = net.factorize(&product);
        indices.extend(found.indices.iter().map(|&i| i as i64));
        sweeps.push(found.sweeps);
        verified.push(found.verified);
    }
    Ok((indices, sweeps, verified))
}

/// Factorises each row of `products` (`(n, dim/32)` words) into one item of each codebook
/// (`codebooks`: `(F, M, dim/32)`, F from 1 to 4, M at most 256). Returns the indices
/// `(n, F)`, the sweeps spent and whether each was verified. `method` is `"restarting"` (the
/// default: the `keep` largest similarities, an exact check every sweep, random restarts every
/// `restart_after` sweeps) or `"plain"` (the outer-product network of Frady et al.).
#[pyfunction]
#[pyo3(signature = (products, codebooks, method = "restarting", max_sweeps = 200, keep = 16, noise = 0, restart_after = 5, accept = None, seed = 0))]
#[allow(clippy::too_many_arguments)]
fn factorize<'py>(
    py: Python<'py>,
    products: Words<'py>,
    codebooks: PyReadonlyArray3<'py, u32>,
    method: &str,
    max_sweeps: u32,
    keep: u16,
    noise: u16,
    restart_after: u16,
    accept: Option<u32>,
    seed: u64,
) -> PyResult<Found<'py>> {
    let (n, w) = (products.shape()[0], products.shape()[1]);
    let (f, m, wb) = (
        codebooks.shape()[0],
        codebooks.shape()[1],
        codebooks.shape()[2],
    );
    if wb != w {
        return Err(value(format!(
            "codebooks have {} bits per vector, products {}",
            32 * wb,
            32 * w
        )));
    }
    if m == 0 || m > MAX_ITEMS {
        return Err(value(format!(
            "codebooks: {m} items each; 1 to {MAX_ITEMS} are supported"
        )));
    }
    let method = match method {
        "restarting" => Method::Restarting {
            keep,
            noise,
            restart_after,
        },
        "plain" => Method::Plain,
        other => {
            return Err(value(format!(
                "method {other:?}: use \"restarting\" or \"plain\""
            )))
        }
    };
    let options = Options {
        method,
        max_sweeps,
        accept,
        seed,
    };
    let contiguous = |name: &str| {
        value(format!(
            "{name}: the array is not C-contiguous; pass np.ascontiguousarray({name})"
        ))
    };
    let p = products.as_slice().map_err(|_| contiguous("products"))?;
    let b = codebooks.as_slice().map_err(|_| contiguous("codebooks"))?;
    let found = py.detach(|| {
        with_words!(w, W => {
            match f {
                1 => run::<W, 1>(p, b, m, options).map_err(to_py),
                2 => run::<W, 2>(p, b, m, options).map_err(to_py),
                3 => run::<W, 3>(p, b, m, options).map_err(to_py),
                4 => run::<W, 4>(p, b, m, options).map_err(to_py),
                _ => Err(value(format!("codebooks: {f} factors; 1 to 4 are supported"))),
            }
        }, else Err(value(format!(
            "{} bits: use 256, 512, 1024, 2048, 4096, 8192, 10016 or 10240",
            32 * w
        ))))
    })?;
    let (indices, sweeps, verified) = found;
    Ok((
        PyArray1::from_vec(py, indices).reshape([n, f])?,
        PyArray1::from_vec(py, sweeps),
        PyArray1::from_vec(py, verified),
    ))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(factorize, m)?)?;
    Ok(())
}
