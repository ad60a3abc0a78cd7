//! Binding for the phase vocoder (ferrosa.phase_vocoder, effects.time_stretch).

use super::arrays::{filled, with_float};
use crate::dsp::spectrum::vocoder::{n_steps, phase_vocoder};
use num_complex::Complex;
use numpy::{PyArray2, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(phase_vocoder_rows, m)?)?;
    Ok(())
}

/// Phase-vocoded `d` (lines, frames) complex64/complex128 by `rate`, each
/// line one bin of one channel.
#[pyfunction]
#[pyo3(signature = (d, rate))]
fn phase_vocoder_rows<'py>(
    py: Python<'py>,
    d: &Bound<'py, PyAny>,
    rate: f64,
) -> PyResult<Bound<'py, PyAny>> {
    with_float!(d, |T| PyArray2<Complex<T>>, a => {
        let r = a.readonly();
        let (lines, frames) = (r.shape()[0], r.shape()[1]);
        let s = r.as_slice()?;
        let steps = if rate.is_finite() && rate > 0.0 { n_steps(frames, rate) } else { 0 };
        let out = filled(py, [lines, steps], |o| phase_vocoder(s, lines, frames, rate, o))?;
        Ok(out.into_any())
    }, "phase_vocoder_rows expects a C-contiguous 2-D complex64 or complex128 array")
}
