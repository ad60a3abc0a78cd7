//! Binding for the python_speech_features front end (ferrosa.compat).

use crate::dsp::mel::psf::{psf_filterbank, PsfConfig};
use numpy::{
    PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::prelude::*;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(psf_filterbank_energies, m)?)?;
    Ok(())
}

type Energies<'py> = (
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<f64>>,
    Option<Bound<'py, PyArray2<f64>>>,
);

/// (feat (frames, nfilt), energy (frames,), weighted feat or None) of a
/// 1-D float64 signal; see `rust/dsp/mel/psf.rs`.
#[pyfunction]
#[pyo3(signature = (signal, preemph, frame_len, frame_step, nfft, window, filters, weights=None, zero_floor=None, out_floor=None, log=false))]
#[allow(clippy::too_many_arguments)]
fn psf_filterbank_energies<'py>(
    py: Python<'py>,
    signal: PyReadonlyArray1<'py, f64>,
    preemph: f64,
    frame_len: usize,
    frame_step: usize,
    nfft: usize,
    window: PyReadonlyArray1<'py, f64>,
    filters: PyReadonlyArray2<'py, f64>,
    weights: Option<PyReadonlyArray1<'py, f64>>,
    zero_floor: Option<f64>,
    out_floor: Option<f64>,
    log: bool,
) -> PyResult<Energies<'py>> {
    let x = signal.as_slice()?;
    let nfilt = filters.shape()[0];
    let cfg = PsfConfig {
        preemph,
        frame_len,
        frame_step,
        nfft,
        window: window.as_slice()?,
        filters: filters.as_slice()?,
        weights: match &weights {
            Some(w) => Some(w.as_slice()?),
            None => None,
        },
        zero_floor,
        out_floor,
        log,
    };
    let (feat, energy, wfeat) = py.allow_threads(|| psf_filterbank(x, &cfg))?;
    let nf = energy.len();
    let feat = PyArray1::from_vec(py, feat).reshape([nf, nfilt])?;
    let wfeat = if cfg.weights.is_some() {
        Some(PyArray1::from_vec(py, wfeat).reshape([nf, nfilt])?)
    } else {
        None
    };
    Ok((feat, PyArray1::from_vec(py, energy), wfeat))
}
