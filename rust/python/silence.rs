//! Bindings for silence detection (ferrosa.effects.trim / split).

use super::arrays::with_float;
use crate::dsp::effects::silence::{frame_power, nonsilent};
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(silence_frame_power, m)?)?;
    m.add_function(wrap_pyfunction!(silence_nonsilent, m)?)?;
    Ok(())
}

/// Mean square `(channels, frames)` float64 of centred frames of `y` (channels, samples).
#[pyfunction]
#[pyo3(signature = (y, frame_length, hop_length))]
fn silence_frame_power<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    frame_length: usize,
    hop_length: usize,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (power, n_channels, nf) = with_float!(y, |T| PyArray2<T>, a => {
        let r = a.readonly();
        let c = r.shape()[0];
        let s = r.as_slice()?;
        let (p, nf) = py
            .allow_threads(|| frame_power(s, c, frame_length, hop_length))?;
        Ok((p, c, nf))
    }, "silence_frame_power expects a C-contiguous 2-D float32 or float64 array")?;
    let flat = PyArray1::from_vec(py, power);
    flat.reshape([n_channels, nf])
}

/// Non-silent frames (max over channels of dB re `ref_power` > `-top_db`) of `power`.
#[pyfunction]
#[pyo3(signature = (power, ref_power, top_db))]
fn silence_nonsilent<'py>(
    py: Python<'py>,
    power: PyReadonlyArray2<'py, f64>,
    ref_power: f64,
    top_db: f64,
) -> PyResult<Bound<'py, PyArray1<bool>>> {
    let nf = power.shape()[1];
    let s = power.as_slice()?;
    let mask = nonsilent(s, nf, ref_power, top_db)?;
    Ok(PyArray1::from_vec(py, mask))
}
