//! Binding for the multi-rate CQT/VQT kernel.
//!
//! Python resolves librosa's parameters (frequencies with tuning, relative
//! bandwidths, filter lengths and cutoff), resamples the audio for each
//! octave with librosa's resampler (asking [`vqt_plan`] which signals the
//! kernel reads) and passes them here as C-contiguous `(channels, len_i)`
//! arrays, one per octave; the result is complex
//! `(channels, n_bins, n_frames)` in the signals' precision.

use super::arrays::{filled, with_float};
use super::errors::parameter_error;
use crate::dsp::cqt::basis::Norm;
use crate::dsp::cqt::{plan, CqtParams};
use crate::dsp::num::float::Float;
use crate::dsp::spectrum::pad::PadMode;
use crate::dsp::spectrum::window::WindowKind;
use num_complex::Complex;
use numpy::{
    Element, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::prelude::*;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(vqt, m)?)?;
    m.add_function(wrap_pyfunction!(vqt_plan, m)?)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn params(
    sr: f64,
    hop_length: usize,
    freqs: PyReadonlyArray1<'_, f64>,
    lengths: PyReadonlyArray1<'_, f64>,
    filter_cutoff: f64,
    bins_per_octave: usize,
    window: &str,
    norm: Option<f64>,
    sparsity: f64,
    scale: bool,
    pad_mode: &str,
) -> PyResult<CqtParams> {
    Ok(CqtParams {
        sr,
        hop_length,
        freqs: freqs.as_slice()?.to_vec(),
        lengths: lengths.as_slice()?.to_vec(),
        filter_cutoff,
        bins_per_octave,
        window: WindowKind::parse(window)?,
        norm: Norm::from_f64(norm.unwrap_or(f64::NAN))?,
        sparsity,
        scale,
        pad_mode: PadMode::parse(pad_mode)?,
    })
}

fn vqt_typed<'py, T>(
    py: Python<'py>,
    signals: &[Bound<'py, PyAny>],
    params: CqtParams,
) -> PyResult<Bound<'py, PyAny>>
where
    T: Float + Element,
    Complex<T>: Element,
{
    let mut arrays: Vec<PyReadonlyArray2<'py, T>> = Vec::with_capacity(signals.len());
    for s in signals {
        let a = s.downcast::<PyArray2<T>>().map_err(|_| {
            parameter_error("vqt expects every octave signal in the first one's dtype")
        })?;
        arrays.push(a.readonly());
    }
    let channels = arrays[0].shape()[0];
    if arrays.iter().any(|a| a.shape()[0] != channels) {
        return Err(parameter_error("vqt: octave signals differ in channels"));
    }
    if arrays.iter().any(|a| a.shape()[1] == 0) {
        return Err(parameter_error("Audio buffer is empty"));
    }
    let slices = arrays
        .iter()
        .map(|a| a.as_slice())
        .collect::<Result<Vec<&[T]>, _>>()?;
    let lens: Vec<usize> = arrays.iter().map(|a| a.shape()[1]).collect();
    let p = py.allow_threads(|| plan(&params))?;
    let n_frames = p.n_frames(&lens);
    let out = filled::<Complex<T>, _, _>(py, [channels, p.n_bins(), n_frames], |os| {
        p.run(&slices, channels, params.pad_mode, os)
    })?;
    Ok(out.into_any())
}

/// `(early_count, halves_after)`: the top octave reads the input resampled
/// from `2**early_count` to 1; octave `i + 1` reads octave `i`'s signal
/// halved in rate when `halves_after[i]`, else the same signal.
#[pyfunction]
#[pyo3(signature = (
    sr, hop_length, freqs, lengths, filter_cutoff, bins_per_octave,
    window="hann", norm=Some(1.0), sparsity=0.01, scale=true, pad_mode="constant"
))]
#[allow(clippy::too_many_arguments)]
fn vqt_plan<'py>(
    py: Python<'py>,
    sr: f64,
    hop_length: usize,
    freqs: PyReadonlyArray1<'py, f64>,
    lengths: PyReadonlyArray1<'py, f64>,
    filter_cutoff: f64,
    bins_per_octave: usize,
    window: &str,
    norm: Option<f64>,
    sparsity: f64,
    scale: bool,
    pad_mode: &str,
) -> PyResult<(usize, Vec<bool>)> {
    let params = params(
        sr,
        hop_length,
        freqs,
        lengths,
        filter_cutoff,
        bins_per_octave,
        window,
        norm,
        sparsity,
        scale,
        pad_mode,
    )?;
    let p = py.allow_threads(|| plan(&params))?;
    Ok((p.early_count(), p.halves_after()))
}

/// Complex VQT from one signal per octave, each (channels, len_i), →
/// (channels, n_bins, n_frames).
#[pyfunction]
#[pyo3(signature = (
    signals, sr, hop_length, freqs, lengths, filter_cutoff, bins_per_octave,
    window="hann", norm=Some(1.0), sparsity=0.01, scale=true, pad_mode="constant"
))]
#[allow(clippy::too_many_arguments)]
fn vqt<'py>(
    py: Python<'py>,
    signals: Vec<Bound<'py, PyAny>>,
    sr: f64,
    hop_length: usize,
    freqs: PyReadonlyArray1<'py, f64>,
    lengths: PyReadonlyArray1<'py, f64>,
    filter_cutoff: f64,
    bins_per_octave: usize,
    window: &str,
    norm: Option<f64>,
    sparsity: f64,
    scale: bool,
    pad_mode: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let params = params(
        sr,
        hop_length,
        freqs,
        lengths,
        filter_cutoff,
        bins_per_octave,
        window,
        norm,
        sparsity,
        scale,
        pad_mode,
    )?;
    let Some(first) = signals.first() else {
        return Err(parameter_error("vqt needs one signal per octave"));
    };
    // The first octave's precision decides; vqt_typed checks the others.
    with_float!(
        first,
        |T| PyArray2<T>,
        _a => vqt_typed::<T>(py, &signals, params),
        "vqt expects 2-D float32 or float64 arrays"
    )
}
