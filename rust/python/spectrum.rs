//! Bindings for windows, STFT, ISTFT and thread control.
//!
//! Python passes C-contiguous arrays shaped `(channels, samples)` (or
//! `(channels, bins, frames)`) and reshapes the results back; dtype dispatch
//! happens here so float32 stays float32 end to end.

use super::arrays::with_float;
use super::errors::parameter_error;
use super::interrupt::allow_interrupt;
use crate::dsp::num::float::Float;
use crate::dsp::num::parallel;
use crate::dsp::spectrum::frame::Framing;
use crate::dsp::spectrum::istft::{istft_into, IstftConfig};
use crate::dsp::spectrum::pad::PadMode;
use crate::dsp::spectrum::stft::{stft_into, FrameSource};
use crate::dsp::spectrum::window::{get_window, WindowKind};
use num_complex::Complex;
use numpy::{
    Element, PyArray1, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods,
};
use pyo3::exceptions::PyMemoryError;
use pyo3::prelude::*;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(window, m)?)?;
    m.add_function(wrap_pyfunction!(stft, m)?)?;
    m.add_function(wrap_pyfunction!(stft_n_frames, m)?)?;
    m.add_function(wrap_pyfunction!(istft, m)?)?;
    m.add_function(wrap_pyfunction!(istft_plan, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    Ok(())
}

/// A named window of length `n` (periodic when `fftbins`).
#[pyfunction]
#[pyo3(signature = (name, n, fftbins=true))]
fn window<'py>(
    py: Python<'py>,
    name: &str,
    n: usize,
    fftbins: bool,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let kind = WindowKind::parse(name)?;
    // Refuse impossible sizes with MemoryError instead of aborting.
    let mut probe: Vec<f64> = Vec::new();
    probe
        .try_reserve_exact(n.saturating_add(1))
        .map_err(|_| PyMemoryError::new_err(format!("cannot allocate a window of length {n}")))?;
    drop(probe);
    Ok(PyArray1::from_vec(py, get_window(kind, n, fftbins)))
}

/// Build the framing from Python arguments.
pub fn framing(n_fft: usize, hop_length: usize, center: bool, pad_mode: &str) -> PyResult<Framing> {
    Ok(Framing {
        frame_length: n_fft,
        hop_length,
        center,
        pad_mode: PadMode::parse(pad_mode)?,
    })
}

fn stft_typed<'py, T>(
    py: Python<'py>,
    y: &Bound<'py, PyArray2<T>>,
    window: &[f64],
    framing: Framing,
    out: &Bound<'py, PyAny>,
) -> PyResult<()>
where
    T: Float + Element,
    Complex<T>: Element,
{
    let y = y.readonly();
    let n_channels = y.shape()[0];
    let ys = y.as_slice()?;
    let src = FrameSource::new(&framing, ys, n_channels, window)?;
    let out = out.downcast::<PyArray3<Complex<T>>>().map_err(|_| {
        parameter_error("stft output must be a complex array matching the input precision")
    })?;
    let mut rw = out.readwrite();
    let os = rw.as_slice_mut()?;
    let n = os.len();
    allow_interrupt(py, n, || stft_into(&src, os))?.map_err(PyErr::from)
}

/// Complex STFT of `y` (channels, samples) into `out` (channels, frames, bins).
///
/// The caller allocates `out` (so an impossible size is numpy's
/// MemoryError, not an abort); [`stft_n_frames`] gives its frame count.
#[pyfunction]
#[pyo3(signature = (y, window, n_fft, hop_length, center, pad_mode, out))]
#[allow(clippy::too_many_arguments)]
fn stft<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    window: PyReadonlyArray1<'py, f64>,
    n_fft: usize,
    hop_length: usize,
    center: bool,
    pad_mode: &str,
    out: &Bound<'py, PyAny>,
) -> PyResult<()> {
    let framing = framing(n_fft, hop_length, center, pad_mode)?;
    let w = window.as_slice()?;
    with_float!(
        y,
        |T| PyArray2<T>,
        a => {
            stft_typed(py, a, w, framing, out)
        },
        "stft expects a 2-D float32 or float64 array"
    )
}

/// Number of STFT frames for a signal of `n` samples.
#[pyfunction]
#[pyo3(signature = (n, n_fft, hop_length, center))]
fn stft_n_frames(n: usize, n_fft: usize, hop_length: usize, center: bool) -> PyResult<usize> {
    framing(n_fft, hop_length, center, "constant")?
        .n_frames(n)
        .map_err(PyErr::from)
}

/// (frames used, output samples) of an inverse STFT.
#[pyfunction]
#[pyo3(signature = (n_frames, n_fft, hop_length, center, length=None))]
fn istft_plan(
    n_frames: usize,
    n_fft: usize,
    hop_length: usize,
    center: bool,
    length: Option<usize>,
) -> PyResult<(usize, usize)> {
    IstftConfig {
        n_fft,
        hop_length,
        center,
        length,
    }
    .plan(n_frames)
    .map_err(PyErr::from)
}

fn istft_typed<'py, T>(
    py: Python<'py>,
    spec: &Bound<'py, PyArray3<Complex<T>>>,
    window: &[f64],
    cfg: IstftConfig,
    out: &Bound<'py, PyAny>,
) -> PyResult<()>
where
    T: Float + Element,
    Complex<T>: Element,
{
    let spec = spec.readonly();
    let dims = spec.shape().to_vec();
    let (n_channels, n_frames, n_bins) = (dims[0], dims[1], dims[2]);
    let ss = spec.as_slice()?;
    let out = out.downcast::<PyArray2<T>>().map_err(|_| {
        parameter_error("istft output must be a real array matching the input precision")
    })?;
    let mut rw = out.readwrite();
    let os = rw.as_slice_mut()?;
    let n = os.len();
    allow_interrupt(py, n, || {
        istft_into(&cfg, ss, n_channels, n_bins, n_frames, window, os)
    })?
    .map_err(PyErr::from)
}

/// Inverse STFT of frame-major complex (channels, frames, bins) into `out`
/// (channels, samples), allocated by the caller from [`istft_plan`].
#[pyfunction]
#[pyo3(signature = (stft_frames, window, n_fft, hop_length, center, length, out))]
#[allow(clippy::too_many_arguments)]
fn istft<'py>(
    py: Python<'py>,
    stft_frames: &Bound<'py, PyAny>,
    window: PyReadonlyArray1<'py, f64>,
    n_fft: usize,
    hop_length: usize,
    center: bool,
    length: Option<usize>,
    out: &Bound<'py, PyAny>,
) -> PyResult<()> {
    let cfg = IstftConfig {
        n_fft,
        hop_length,
        center,
        length,
    };
    let w = window.as_slice()?;
    with_float!(
        stft_frames,
        |T| PyArray3<Complex<T>>,
        a => {
            istft_typed(py, a, w, cfg, out)
        },
        "istft expects a 3-D complex64 or complex128 array"
    )
}

/// Cap the threads used by later calls (0 restores the default).
#[pyfunction]
fn set_num_threads(n: usize) {
    parallel::set_num_threads(n);
}

/// The number of threads kernels may use.
#[pyfunction]
fn get_num_threads() -> usize {
    parallel::num_threads()
}
