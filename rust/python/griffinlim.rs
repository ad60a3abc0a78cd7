//! Binding for Griffin-Lim: the whole iteration loop runs with the GIL
//! released; Python draws the initial phases' uniform numbers (so a seeded
//! `random_state` gives librosa's draws), Rust turns them into phasors.

use super::arrays::filled;
use super::arrays::with_float;
use super::spectrum::framing;
use crate::dsp::num::float::Float;
use crate::dsp::spectrum::griffinlim::{griffinlim_into, initial_estimate, output_len, GriffinLim};
use crate::dsp::spectrum::istft::IstftConfig;
use numpy::{
    Element, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray3,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(griffinlim, m)?)?;
    Ok(())
}

fn run<'py, T>(
    py: Python<'py>,
    mag: &Bound<'py, PyArray3<T>>,
    turns: Option<&[f64]>,
    window: &[f64],
    cfg: GriffinLim,
) -> PyResult<Bound<'py, PyArray2<T>>>
where
    T: Float + Element,
{
    let mag = mag.readonly();
    let dims = mag.shape().to_vec();
    let (n_channels, n_frames, n_bins) = (dims[0], dims[1], dims[2]);
    let ms = mag.as_slice()?;
    let n_out = output_len(&cfg, n_frames)?;
    filled(py, (n_channels, n_out), |out| {
        let mut a = initial_estimate(ms, turns)?;
        griffinlim_into(&cfg, ms, &mut a, n_channels, n_bins, n_frames, window, out)
    })
}

/// Griffin-Lim of frame-major magnitudes `mag` (channels, frames, bins)
/// from the phases `exp(2πi turns)` (`turns`: float64 draws in [0, 1) of the
/// same shape), or from zero phase when `turns` is None; returns the signal
/// (channels, samples).
#[pyfunction]
#[pyo3(signature = (mag, turns, window, n_fft, hop_length, center, pad_mode, length, n_iter, momentum))]
#[allow(clippy::too_many_arguments)]
fn griffinlim<'py>(
    py: Python<'py>,
    mag: &Bound<'py, PyAny>,
    turns: Option<PyReadonlyArray3<'py, f64>>,
    window: PyReadonlyArray1<'py, f64>,
    n_fft: usize,
    hop_length: usize,
    center: bool,
    pad_mode: &str,
    length: Option<usize>,
    n_iter: usize,
    momentum: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = GriffinLim {
        framing: framing(n_fft, hop_length, center, pad_mode)?,
        istft: IstftConfig {
            n_fft,
            hop_length,
            center,
            length,
        },
        n_iter,
        momentum,
    };
    let w = window.as_slice()?;
    // initial_estimate checks that there is one draw per magnitude.
    let turns = turns.as_ref().map(|t| t.as_slice()).transpose()?;
    with_float!(
        mag,
        |T| PyArray3<T>,
        m => Ok(run(py, m, turns, w, cfg)?.into_any()),
        "griffinlim expects 3-D float32 or float64 magnitudes"
    )
}
