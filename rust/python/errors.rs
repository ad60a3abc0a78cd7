//! Map kernel errors to `ferrosa.ParameterError`.

use crate::error::DspError;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::PyType;

static PARAMETER_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();

/// A `ferrosa.exceptions.ParameterError` carrying `msg` (a plain
/// `ValueError` if the Python package cannot be imported).
pub fn parameter_error(py: Python<'_>, msg: impl Into<String>) -> PyErr {
    let msg = msg.into();
    let cls = PARAMETER_ERROR.get_or_try_init(py, || -> PyResult<Py<PyType>> {
        let module = py.import("ferrosa.exceptions")?;
        let cls = module.getattr("ParameterError")?;
        Ok(cls.downcast_into::<PyType>()?.unbind())
    });
    match cls {
        Ok(cls) => PyErr::from_type(cls.bind(py).clone(), msg),
        Err(_) => PyValueError::new_err(msg),
    }
}

/// Convert a kernel error.
pub fn to_py(py: Python<'_>, err: DspError) -> PyErr {
    parameter_error(py, err.to_string())
}

/// `result.map_err(...)` shorthand for kernel results.
pub trait IntoPyResult<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, DspError> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}
