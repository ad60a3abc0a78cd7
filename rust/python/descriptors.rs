//! Bindings for the time-domain descriptors (zero crossings, ZCR, RMS,
//! amplitude envelope) and the spectral descriptors.
//!
//! Python passes C-contiguous `(channels, samples)` audio or frame-major
//! `(channels, frames, bins)` spectrograms; every call releases the GIL.

use super::arrays::{filled, with_float, FLOAT_ARRAY};
use super::errors::parameter_error;
use super::spectrum::framing;
use crate::dsp::num::float::Float;
use crate::dsp::spectral::temporal::{self, frame_shape, CrossingRule};
use crate::dsp::spectral::{run_on_audio, run_on_frames, ContrastBand, Descriptor};
use crate::dsp::spectrum::stft::FrameSource;
use numpy::{
    Element, PyArray1, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(zero_crossings, m)?)?;
    m.add_function(wrap_pyfunction!(zero_crossing_rate, m)?)?;
    m.add_function(wrap_pyfunction!(rms, m)?)?;
    m.add_function(wrap_pyfunction!(amplitude_envelope, m)?)?;
    m.add_function(wrap_pyfunction!(descriptors_audio, m)?)?;
    m.add_function(wrap_pyfunction!(descriptors_frames, m)?)?;
    Ok(())
}

fn zc_typed<'py, T: Float + Element>(
    py: Python<'py>,
    y: &Bound<'py, PyArray2<T>>,
    rule: CrossingRule,
    pad: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let y = y.readonly();
    let dims = [y.shape()[0], y.shape()[1]];
    let ys = y.as_slice()?;
    let out = filled::<bool, _, _>(py, dims, |os| {
        temporal::zero_crossings(ys, dims[0], rule, pad, os)
    })?;
    Ok(out.into_any())
}

/// Zero-crossing indicator of `y` (channels, n) → bool (channels, n).
#[pyfunction]
#[pyo3(signature = (y, threshold, zero_pos, pad))]
fn zero_crossings<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    threshold: f64,
    zero_pos: bool,
    pad: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let rule = CrossingRule {
        threshold,
        zero_pos,
    };
    with_float!(y, |T| PyArray2<T>, a => zc_typed(py, a, rule, pad), FLOAT_ARRAY)
}

/// Which frame kernel to run.
#[derive(Clone, Copy)]
enum FrameKernel {
    Zcr(CrossingRule, bool),
    Rms(bool),
    Envelope,
}

fn frames_typed<'py, T: Float + Element>(
    py: Python<'py>,
    y: &Bound<'py, PyArray2<T>>,
    fr: crate::dsp::spectrum::frame::Framing,
    kernel: FrameKernel,
) -> PyResult<Bound<'py, PyAny>> {
    let y = y.readonly();
    let n_channels = y.shape()[0];
    let ys = y.as_slice()?;
    let shape = frame_shape(&fr, ys, n_channels)?;
    let dims = [shape.n_channels, shape.n_frames];
    Ok(match kernel {
        FrameKernel::Zcr(rule, pad) => filled::<f64, _, _>(py, dims, |os| {
            temporal::zero_crossing_rate(&fr, ys, &shape, rule, pad, os)
        })?
        .into_any(),
        FrameKernel::Rms(f64_out) if f64_out => {
            filled::<f64, _, _>(py, dims, |os| temporal::rms(&fr, ys, &shape, os))?.into_any()
        }
        FrameKernel::Rms(_) => {
            filled::<f32, _, _>(py, dims, |os| temporal::rms(&fr, ys, &shape, os))?.into_any()
        }
        FrameKernel::Envelope => filled::<T, _, _>(py, dims, |os| {
            temporal::amplitude_envelope(&fr, ys, &shape, os)
        })?
        .into_any(),
    })
}

/// Zero-crossing rate per frame → float64 (channels, frames).
#[pyfunction]
#[pyo3(signature = (y, frame_length, hop_length, center, threshold, zero_pos, pad))]
#[allow(clippy::too_many_arguments)]
fn zero_crossing_rate<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    frame_length: usize,
    hop_length: usize,
    center: bool,
    threshold: f64,
    zero_pos: bool,
    pad: bool,
) -> PyResult<Bound<'py, PyAny>> {
    // librosa pads zero_crossing_rate frames with edge copies.
    let fr = framing(frame_length, hop_length, center, "edge")?;
    let k = FrameKernel::Zcr(
        CrossingRule {
            threshold,
            zero_pos,
        },
        pad,
    );
    with_float!(y, |T| PyArray2<T>, a => frames_typed(py, a, fr, k), FLOAT_ARRAY)
}

/// RMS per frame → (channels, frames), float64 when `f64_out` else float32.
#[pyfunction]
#[pyo3(signature = (y, frame_length, hop_length, center, pad_mode, f64_out))]
fn rms<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    frame_length: usize,
    hop_length: usize,
    center: bool,
    pad_mode: &str,
    f64_out: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let fr = framing(frame_length, hop_length, center, pad_mode)?;
    with_float!(y, |T| PyArray2<T>, a => frames_typed(py, a, fr, FrameKernel::Rms(f64_out)), FLOAT_ARRAY)
}

/// Maximum absolute amplitude per frame → (channels, frames), input dtype.
#[pyfunction]
#[pyo3(signature = (y, frame_length, hop_length, center, pad_mode))]
fn amplitude_envelope<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    frame_length: usize,
    hop_length: usize,
    center: bool,
    pad_mode: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let fr = framing(frame_length, hop_length, center, pad_mode)?;
    with_float!(y, |T| PyArray2<T>, a => frames_typed(py, a, fr, FrameKernel::Envelope), FLOAT_ARRAY)
}

/// Parse `[(name, *params), ...]` into descriptors.
///
/// Names and parameters: `("centroid",)`, `("bandwidth", p, norm,
/// centroid_or_None)`, `("rolloff", roll_percent, single)`, `("flatness",
/// amin, power, pairwise)`, `("contrast", [(bins, n_quantile), ...])`, `("rms",
/// frame_length)`.
pub fn parse_descriptors(specs: &Bound<'_, PyList>) -> PyResult<Vec<Descriptor>> {
    let mut out = Vec::with_capacity(specs.len());
    for item in specs.iter() {
        let t = item.downcast::<PyTuple>()?;
        let name: String = t.get_item(0)?.extract()?;
        let d = match name.as_str() {
            "centroid" => Descriptor::Centroid,
            "bandwidth" => {
                let centroid = t.get_item(3)?;
                let centroid = if centroid.is_none() {
                    None
                } else {
                    Some(
                        centroid
                            .extract::<PyReadonlyArray1<f64>>()?
                            .as_slice()?
                            .to_vec(),
                    )
                };
                Descriptor::Bandwidth {
                    p: t.get_item(1)?.extract()?,
                    norm: t.get_item(2)?.extract()?,
                    centroid,
                }
            }
            "rolloff" => Descriptor::Rolloff {
                roll_percent: t.get_item(1)?.extract()?,
                single: t.get_item(2)?.extract()?,
            },
            "flatness" => Descriptor::Flatness {
                amin: t.get_item(1)?.extract()?,
                power: t.get_item(2)?.extract()?,
                pairwise: t.get_item(3)?.extract()?,
            },
            "contrast" => {
                let mut bands = Vec::new();
                for b in t.get_item(1)?.downcast::<PyList>()?.iter() {
                    let (bins, n_quantile): (Vec<usize>, usize) = b.extract()?;
                    bands.push(ContrastBand { bins, n_quantile });
                }
                Descriptor::Contrast { bands }
            }
            "rms" => Descriptor::Rms {
                frame_length: t.get_item(1)?.extract()?,
            },
            other => return Err(parameter_error(format!("unknown descriptor '{other}'"))),
        };
        out.push(d);
    }
    Ok(out)
}

fn rows(ds: &[Descriptor]) -> usize {
    ds.iter().map(Descriptor::rows).sum()
}

#[allow(clippy::too_many_arguments)]
fn audio_typed<'py, T: Float + Element>(
    py: Python<'py>,
    y: &Bound<'py, PyArray2<T>>,
    window: &[f64],
    fr: crate::dsp::spectrum::frame::Framing,
    freq: &[f64],
    ds: &[Descriptor],
) -> PyResult<Bound<'py, PyAny>> {
    let y = y.readonly();
    let n_channels = y.shape()[0];
    let ys = y.as_slice()?;
    let src = FrameSource::new(&fr, ys, n_channels, window)?;
    let shape = src.shape;
    let out = filled::<f64, _, _>(py, [n_channels, rows(ds), shape.n_frames], |os| {
        run_on_audio(&src, freq, ds, os)
    })?;
    Ok(out.into_any())
}

/// Spectral descriptors of `|stft(y)|` → float64 (channels, rows, frames).
#[pyfunction]
#[pyo3(signature = (y, window, n_fft, hop_length, center, pad_mode, freq, specs))]
#[allow(clippy::too_many_arguments)]
fn descriptors_audio<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    window: PyReadonlyArray1<'py, f64>,
    n_fft: usize,
    hop_length: usize,
    center: bool,
    pad_mode: &str,
    freq: PyReadonlyArray1<'py, f64>,
    specs: &Bound<'py, PyList>,
) -> PyResult<Bound<'py, PyAny>> {
    let fr = framing(n_fft, hop_length, center, pad_mode)?;
    let ds = parse_descriptors(specs)?;
    let (w, f) = (window.as_slice()?, freq.as_slice()?);
    with_float!(y, |T| PyArray2<T>, a => audio_typed(py, a, w, fr, f, &ds), FLOAT_ARRAY)
}

fn frames_desc_typed<'py, T: Float + Element>(
    py: Python<'py>,
    s: &Bound<'py, PyArray3<T>>,
    freq: &[f64],
    ds: &[Descriptor],
) -> PyResult<Bound<'py, PyAny>> {
    let s = s.readonly();
    let (nc, nf, nb) = (s.shape()[0], s.shape()[1], s.shape()[2]);
    let ss = s.as_slice()?;
    let out = filled::<f64, _, _>(py, [nc, rows(ds), nf], |os| {
        run_on_frames(ss, nc, nb, freq, ds, os)
    })?;
    Ok(out.into_any())
}

/// Spectral descriptors of a frame-major magnitude spectrogram
/// (channels, frames, bins) → float64 (channels, rows, frames).
#[pyfunction]
#[pyo3(signature = (s, freq, specs))]
fn descriptors_frames<'py>(
    py: Python<'py>,
    s: &Bound<'py, PyAny>,
    freq: PyReadonlyArray1<'py, f64>,
    specs: &Bound<'py, PyList>,
) -> PyResult<Bound<'py, PyAny>> {
    let ds = parse_descriptors(specs)?;
    let f = freq.as_slice()?;
    with_float!(s, |T| PyArray3<T>, a => frames_desc_typed(py, a, f, &ds), FLOAT_ARRAY)
}

/// A 1-D array of `T` from a vector (helper for sibling modules).
pub fn vec1<'py, T: Element>(py: Python<'py>, v: Vec<T>) -> Bound<'py, PyAny> {
    PyArray1::from_vec(py, v).into_any()
}
