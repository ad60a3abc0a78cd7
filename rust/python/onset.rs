//! Binding for peak picking (ferrosa.util.peak_pick, ferrosa.onset.onset_detect).

use crate::dsp::onset::peaks::{peak_pick, PeakWindows};
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(peak_pick_rows, m)?)?;
    Ok(())
}

/// Peaks of each row of `x` (rows, n) float64, as a (rows, n) bool array.
#[pyfunction]
#[pyo3(signature = (x, pre_max, post_max, pre_avg, post_avg, delta, wait))]
#[allow(clippy::too_many_arguments)]
fn peak_pick_rows<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    pre_max: usize,
    post_max: usize,
    pre_avg: usize,
    post_avg: usize,
    delta: f64,
    wait: usize,
) -> PyResult<Bound<'py, PyArray2<bool>>> {
    let (rows, n) = (x.shape()[0], x.shape()[1]);
    let s = x.as_slice()?;
    let w = PeakWindows {
        pre_max,
        post_max,
        pre_avg,
        post_avg,
        delta,
        wait,
    };
    let mut peaks = vec![false; s.len()];
    py.allow_threads(|| peak_pick(s, rows.max(1), &w, &mut peaks))?;
    PyArray1::from_vec(py, peaks).reshape([rows, n])
}
