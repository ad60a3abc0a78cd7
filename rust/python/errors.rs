//! Map kernel errors to `ferrosa.ParameterError` (a `ValueError`), so that
//! bindings write `kernel(...)?` on a `DspResult`.

use crate::error::DspError;
use pyo3::prelude::*;

pyo3::import_exception!(ferrosa.exceptions, ParameterError);

/// A `ferrosa.exceptions.ParameterError` carrying `msg`.
pub fn parameter_error(msg: impl Into<String>) -> PyErr {
    ParameterError::new_err(msg.into())
}

impl From<DspError> for PyErr {
    fn from(err: DspError) -> PyErr {
        parameter_error(err.to_string())
    }
}
