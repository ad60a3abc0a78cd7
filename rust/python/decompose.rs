//! Binding for the median filters of HPSS (ferrosa.decompose.hpss).

use super::arrays::{filled, with_float};
use crate::dsp::decompose::median::{median_filter, Along};
use crate::error::DspError;
use numpy::{PyArray3, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(median_filter_axis, m)?)?;
    Ok(())
}

/// Median filter of `x` (mats, rows, cols) along axis -1 or -2 with a window
/// of `size` (scipy.ndimage.median_filter, mode "reflect"), as a new array.
#[pyfunction]
#[pyo3(signature = (x, size, axis))]
fn median_filter_axis<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    size: usize,
    axis: i64,
) -> PyResult<Bound<'py, PyAny>> {
    let along = match axis {
        -1 => Along::Rows,
        -2 => Along::Cols,
        other => return Err(DspError::param("axis", other, "-1 or -2").into()),
    };
    with_float!(x, |T| PyArray3<T>, a => {
        let r = a.readonly();
        let (m, rows, cols) = (r.shape()[0], r.shape()[1], r.shape()[2]);
        let s = r.as_slice()?;
        let out = filled(py, [m, rows, cols], |o| median_filter(s, m, rows, cols, size, along, o))?;
        Ok(out.into_any())
    }, "median_filter_axis expects a C-contiguous 3-D float32 or float64 array")
}
