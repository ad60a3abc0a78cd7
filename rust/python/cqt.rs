//! Binding for the multi-rate CQT/VQT kernel.
//!
//! Python resolves librosa's parameters (frequencies with tuning, relative
//! bandwidths, filter lengths and cutoff) and passes them here with a
//! C-contiguous `(channels, samples)` array; the result is complex
//! `(channels, n_bins, n_frames)` in the input's precision.

use super::arrays::{filled, with_float};
use super::errors::parameter_error;
use crate::dsp::cqt::basis::Norm;
use crate::dsp::cqt::{plan, CqtParams};
use crate::dsp::num::float::Float;
use crate::dsp::spectrum::pad::PadMode;
use crate::dsp::spectrum::window::WindowKind;
use num_complex::Complex;
use numpy::{Element, PyArray2, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(vqt, m)?)?;
    Ok(())
}

fn vqt_typed<'py, T>(
    py: Python<'py>,
    y: &Bound<'py, PyArray2<T>>,
    params: CqtParams,
) -> PyResult<Bound<'py, PyAny>>
where
    T: Float + Element,
    Complex<T>: Element,
{
    let y = y.readonly();
    let (channels, n) = (y.shape()[0], y.shape()[1]);
    let ys = y.as_slice()?;
    if n == 0 {
        return Err(parameter_error("Audio buffer is empty"));
    }
    let p = py.allow_threads(|| plan(&params))?;
    let n_frames = p.n_frames(n);
    let out = filled::<Complex<T>, _, _>(py, [channels, p.n_bins(), n_frames], |os| {
        p.run(ys, channels, n, params.pad_mode, os)
    })?;
    Ok(out.into_any())
}

/// Complex VQT of `y` (channels, n) → (channels, n_bins, n_frames).
#[pyfunction]
#[pyo3(signature = (
    y, sr, hop_length, freqs, lengths, filter_cutoff, bins_per_octave,
    window="hann", norm=Some(1.0), sparsity=0.01, scale=true, pad_mode="constant"
))]
#[allow(clippy::too_many_arguments)]
fn vqt<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
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
    let params = CqtParams {
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
    };
    with_float!(
        y,
        |T| PyArray2<T>,
        a => {
            vqt_typed(py, a, params)
        },
        "vqt expects a 2-D float32 or float64 array"
    )
}
