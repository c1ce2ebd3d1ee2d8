//! `hyperbits._hyperbits`: the extension module under the Python package `hyperbits`.
//!
//! An adapter over the core's public API, as `crates/hyperbits-cli` and `crates/hyperbits-c`
//! are: numpy arrays in and out, the core's errors as Python exceptions. The Python package
//! (`python/hyperbits`) checks shapes and dtypes, broadcasts, and holds the scikit-learn style
//! estimator; this module does the work, with the GIL released around every loop over rows.
//!
//! One module per concept: `vectors` (codebook and algebra), `blocks` (sparse block codes), `classifier` (training and the
//! device's inference path), `sketch` (Bloom filters and the planner), `encoders`, `memory` (Hopfield), `sdm` (sparse distributed memory), `resonator`, `sae`, `series` (window classifiers for sensor streams), `structures` (the VSA data structures), `error` (the exception mapping).

use pyo3::prelude::*;

mod blocks;
mod classifier;
mod encoders;
mod error;
mod memory;
mod resonator;
mod sae;
mod sdm;
mod series;
mod sketch;
mod structures;
mod vectors;

/// The compiled half of the `hyperbits` package.
#[pymodule]
fn _hyperbits(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("FormatError", m.py().get_type::<error::FormatError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    vectors::register(m)?;
    blocks::register(m)?;
    classifier::register(m)?;
    sketch::register(m)?;
    encoders::register(m)?;
    memory::register(m)?;
    resonator::register(m)?;
    sae::register(m)?;
    sdm::register(m)?;
    series::register(m)?;
    structures::register(m)?;
    Ok(())
}
