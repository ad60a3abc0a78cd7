//! Binding for spectral-gating noise reduction (ferrosa.effects.reduce_noise).

use super::arrays::{filled, with_float};
use crate::dsp::effects::denoise::reduce_noise_into;
use crate::dsp::effects::gate::GateConfig;
use crate::dsp::num::float::Float;
use numpy::{Element, PyArray2, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(reduce_noise, m)?)?;
    Ok(())
}

fn run<'py, T: Float + Element>(
    py: Python<'py>,
    y: &Bound<'py, PyArray2<T>>,
    noise: Option<&[f64]>,
    cfg: &GateConfig,
) -> PyResult<Bound<'py, PyArray2<T>>> {
    let r = y.readonly();
    let (c, n) = (r.shape()[0], r.shape()[1]);
    let ys = r.as_slice()?;
    filled(py, [c, n], |out| reduce_noise_into(ys, c, noise, cfg, out))
}

/// Spectral gating of `y` (channels, samples), float32 or float64, into a
/// new array of the same shape and dtype. `noise` is the float64 noise clip
/// (stationary only); `smooth` the triangle half-widths (bins, frames).
#[pyfunction]
#[pyo3(signature = (y, sr, stationary, noise, prop_decrease, time_constant_s, smooth,
    thresh_n_mult_nonstationary, sigmoid_slope_nonstationary, n_std_thresh_stationary,
    n_fft, win_length, hop_length, padding, chunk_size))]
#[allow(clippy::too_many_arguments)]
fn reduce_noise<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    sr: f64,
    stationary: bool,
    noise: Option<PyReadonlyArray1<'py, f64>>,
    prop_decrease: f64,
    time_constant_s: f64,
    smooth: Option<(usize, usize)>,
    thresh_n_mult_nonstationary: f64,
    sigmoid_slope_nonstationary: f64,
    n_std_thresh_stationary: f64,
    n_fft: usize,
    win_length: usize,
    hop_length: usize,
    padding: usize,
    chunk_size: usize,
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = GateConfig {
        sr,
        n_fft,
        win_length,
        hop_length,
        stationary,
        prop_decrease,
        time_constant_s,
        smooth,
        thresh_n_mult_nonstationary,
        sigmoid_slope_nonstationary,
        n_std_thresh_stationary,
        padding,
        chunk_size,
    };
    cfg.check()?;
    let noise_s = match &noise {
        Some(a) => Some(a.as_slice()?),
        None => None,
    };
    with_float!(y, |T| PyArray2<T>, a => Ok(run::<T>(py, a, noise_s, &cfg)?.into_any()),
        "reduce_noise expects a C-contiguous 2-D float32 or float64 array")
}
