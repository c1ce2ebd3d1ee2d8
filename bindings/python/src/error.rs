//! The core's errors as Python exceptions: an unreadable blob is a `hyperbits.FormatError`
//! (a `ValueError`), a flash driver's failure an `OSError`, everything else a `ValueError`;
//! each carries the core's message.

use hyperbits::Error;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::PyErr;

pyo3::create_exception!(
    hyperbits,
    FormatError,
    pyo3::exceptions::PyValueError,
    "A model blob that cannot be read: wrong magic or kind, truncated, a checksum or a size \
     that does not match."
);

/// The Python exception for a core error.
pub(crate) fn to_py(e: Error) -> PyErr {
    match e {
        Error::Format(_) => FormatError::new_err(e.to_string()),
        Error::Storage(_) => PyOSError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

/// A `ValueError` with `message`.
pub(crate) fn value(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}

/// The bytes of `source`: a bytes-like object, or a path (`str` or `os.PathLike`) to read.
pub(crate) fn bytes_or_path(source: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<Vec<u8>> {
    use pyo3::prelude::*;
    if let Ok(b) = source.cast::<pyo3::types::PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = source.cast::<pyo3::types::PyByteArray>() {
        return Ok(b.to_vec());
    }
    let path: std::path::PathBuf = source
        .extract()
        .map_err(|_| value("expected bytes or a path to a file"))?;
    std::fs::read(&path)
        .map_err(|e| PyOSError::new_err(format!("{}: cannot read: {e}", path.display())))
}
