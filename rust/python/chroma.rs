//! Bindings for spectrogram frames, piptrack peaks, the chroma filter bank
//! and chroma projection.

use super::arrays::{filled, with_float, FLOAT_ARRAY};
use super::descriptors::vec1;
use super::errors::parameter_error;
use super::interrupt::allow_interrupt;
use super::spectrum::framing;
use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::SharedMut;
use crate::dsp::spectral::spectrogram_frames as frames_kernel;
use crate::dsp::spectrum::stft::FrameSource;
use crate::dsp::tonal::chroma::{
    chroma_filter as chroma_filter_kernel, chroma_from_frames, ChromaSpec, Norm,
};
use crate::dsp::tonal::pitch::{all_peaks, frame_peaks, PipConfig, PipRef};
use numpy::{
    Element, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(spectrogram_frames, m)?)?;
    m.add_function(wrap_pyfunction!(pip_peaks, m)?)?;
    m.add_function(wrap_pyfunction!(piptrack, m)?)?;
    m.add_function(wrap_pyfunction!(chroma_filter, m)?)?;
    m.add_function(wrap_pyfunction!(chroma_frames, m)?)?;
    Ok(())
}

fn spec_typed<'py, T: Float + Element>(
    py: Python<'py>,
    y: &Bound<'py, PyArray2<T>>,
    window: &[f64],
    fr: crate::dsp::spectrum::frame::Framing,
    squared: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let y = y.readonly();
    let n_channels = y.shape()[0];
    let ys = y.as_slice()?;
    let src = FrameSource::new(&fr, ys, n_channels, window)?;
    let shape = src.shape;
    let out = filled::<T, _, _>(py, [n_channels, shape.n_frames, shape.n_bins], |os| {
        frames_kernel(&src, squared, os)
    })?;
    Ok(out.into_any())
}

/// `|stft(y)|` (or its square) frame-major: (channels, frames, bins) in the
/// input dtype.
#[pyfunction]
#[pyo3(signature = (y, window, n_fft, hop_length, center, pad_mode, squared))]
#[allow(clippy::too_many_arguments)]
fn spectrogram_frames<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    window: PyReadonlyArray1<'py, f64>,
    n_fft: usize,
    hop_length: usize,
    center: bool,
    pad_mode: &str,
    squared: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let fr = framing(n_fft, hop_length, center, pad_mode)?;
    let w = window.as_slice()?;
    with_float!(y, |T| PyArray2<T>, a => spec_typed(py, a, w, fr, squared), FLOAT_ARRAY)
}

fn pip_config(
    sr: f64,
    n_fft: usize,
    fmin: f64,
    fmax: f64,
    ref_kind: &str,
    value: f64,
) -> PyResult<PipConfig> {
    let reference = match ref_kind {
        "max" => PipRef::MaxTimes(value),
        "fixed" => PipRef::Fixed(value),
        other => {
            return Err(parameter_error(format!(
                "unknown piptrack reference '{other}'"
            )))
        }
    };
    PipConfig::new(sr, n_fft, fmin, fmax, reference).map_err(PyErr::from)
}

fn check_bins(cfg: &PipConfig, nb: usize) -> PyResult<()> {
    if cfg.n_bins() != nb {
        return Err(parameter_error(format!(
            "spectrogram has {nb} bins, expected {} for n_fft={}",
            cfg.n_bins(),
            cfg.n_fft
        )));
    }
    Ok(())
}

fn peaks_typed<'py, T: Float + Element>(
    py: Python<'py>,
    s: &Bound<'py, PyArray3<T>>,
    cfg: &PipConfig,
) -> PyResult<Bound<'py, PyAny>> {
    let s = s.readonly();
    check_bins(cfg, s.shape()[2])?;
    let ss = s.as_slice()?;
    let (p, m) = py.allow_threads(|| all_peaks(ss, cfg))?;
    Ok((vec1(py, p), vec1(py, m)).into_pyobject(py)?.into_any())
}

/// Pitches and magnitudes of every piptrack peak of a frame-major
/// spectrogram (channels, frames, bins), frame by frame → two 1-D arrays.
#[pyfunction]
#[pyo3(signature = (s, sr, n_fft, fmin, fmax, ref_kind, ref_value))]
#[allow(clippy::too_many_arguments)]
fn pip_peaks<'py>(
    py: Python<'py>,
    s: &Bound<'py, PyAny>,
    sr: f64,
    n_fft: usize,
    fmin: f64,
    fmax: f64,
    ref_kind: &str,
    ref_value: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = pip_config(sr, n_fft, fmin, fmax, ref_kind, ref_value)?;
    with_float!(s, |T| PyArray3<T>, a => peaks_typed(py, a, &cfg), FLOAT_ARRAY)
}

fn piptrack_typed<'py, T: Float + Element>(
    py: Python<'py>,
    s: &Bound<'py, PyArray3<T>>,
    cfg: &PipConfig,
) -> PyResult<Bound<'py, PyAny>> {
    let s = s.readonly();
    let (nc, nf, nb) = (s.shape()[0], s.shape()[1], s.shape()[2]);
    check_bins(cfg, nb)?;
    let ss = s.as_slice()?;
    let pitches = PyArray3::<T>::zeros(py, [nc, nb, nf], false);
    let mags = PyArray3::<T>::zeros(py, [nc, nb, nf], false);
    {
        let mut pw = pitches.readwrite();
        let mut mw = mags.readwrite();
        let (pd, md) = (
            SharedMut::new(pw.as_slice_mut()?),
            SharedMut::new(mw.as_slice_mut()?),
        );
        allow_interrupt(py, ss.len(), || {
            crate::dsp::num::parallel::for_each_range(nc * nf, 64, |range| {
                for item in range {
                    let (c, t) = (item / nf, item % nf);
                    frame_peaks(&ss[item * nb..(item + 1) * nb], cfg, |k, p, m| {
                        let at = (c * nb + k) * nf + t;
                        // SAFETY: (c, k, t) belongs to frame (c, t) only.
                        unsafe {
                            pd.write(at, p);
                            md.write(at, m);
                        }
                    });
                }
            })
        })?;
    }
    Ok((pitches, mags).into_pyobject(py)?.into_any())
}

/// Dense piptrack of a frame-major spectrogram → (pitches, mags), each
/// (channels, bins, frames) in the input dtype.
#[pyfunction]
#[pyo3(signature = (s, sr, n_fft, fmin, fmax, ref_kind, ref_value))]
#[allow(clippy::too_many_arguments)]
fn piptrack<'py>(
    py: Python<'py>,
    s: &Bound<'py, PyAny>,
    sr: f64,
    n_fft: usize,
    fmin: f64,
    fmax: f64,
    ref_kind: &str,
    ref_value: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let cfg = pip_config(sr, n_fft, fmin, fmax, ref_kind, ref_value)?;
    with_float!(s, |T| PyArray3<T>, a => piptrack_typed(py, a, &cfg), FLOAT_ARRAY)
}

/// The chroma filter bank → float64 (n_chroma, 1 + n_fft // 2).
#[pyfunction]
#[pyo3(signature = (sr, n_fft, n_chroma, tuning, ctroct, octwidth, norm, base_c))]
#[allow(clippy::too_many_arguments)]
fn chroma_filter<'py>(
    py: Python<'py>,
    sr: f64,
    n_fft: usize,
    n_chroma: usize,
    tuning: f64,
    ctroct: f64,
    octwidth: Option<f64>,
    norm: Option<f64>,
    base_c: bool,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let spec = ChromaSpec {
        sr,
        n_fft,
        n_chroma,
        tuning,
        ctroct,
        octwidth,
        norm: Norm::from_f64(norm)?,
        base_c,
    };
    let w = py.allow_threads(|| chroma_filter_kernel(&spec))?;
    let arr = numpy::ndarray::Array2::from_shape_vec((n_chroma, n_fft / 2 + 1), w)
        .map_err(|e| parameter_error(e.to_string()))?;
    Ok(PyArray2::from_owned_array(py, arr))
}

fn chroma_typed<'py, T: Float + Element>(
    py: Python<'py>,
    s: &Bound<'py, PyArray3<T>>,
    fb: &[f64],
    n_chroma: usize,
    norm: Norm,
) -> PyResult<Bound<'py, PyAny>> {
    let s = s.readonly();
    let (nc, nf) = (s.shape()[0], s.shape()[1]);
    let ss = s.as_slice()?;
    let out = filled::<T, _, _>(py, [nc, n_chroma, nf], |os| {
        chroma_from_frames(ss, nc, fb, n_chroma, norm, os)
    })?;
    Ok(out.into_any())
}

/// Chroma of a frame-major power spectrogram (channels, frames, bins) with
/// filter bank `fb` (n_chroma, bins) → (channels, n_chroma, frames).
#[pyfunction]
#[pyo3(signature = (s, fb, norm))]
fn chroma_frames<'py>(
    py: Python<'py>,
    s: &Bound<'py, PyAny>,
    fb: PyReadonlyArray2<'py, f64>,
    norm: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let n_chroma = fb.shape()[0];
    let fbs = fb.as_slice()?;
    let norm = Norm::from_f64(norm)?;
    with_float!(s, |T| PyArray3<T>, a => chroma_typed(py, a, fbs, n_chroma, norm), FLOAT_ARRAY)
}
