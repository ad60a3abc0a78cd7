//! Bindings for the continuous wavelet transform and scalograms.
//!
//! Python passes C-contiguous `(channels, samples)` float32/float64 arrays
//! and float64 scales; the work runs without the GIL.

use super::arrays::{filled, with_float};
use super::errors::parameter_error;
use crate::dsp::num::float::{narrow_complex, Float};
use crate::dsp::num::parallel::SharedMut;
use crate::dsp::wavelet::cwt::{bank, cwt_rows, CwtConfig, Row};
use crate::dsp::wavelet::scalogram::{n_frames, scalogram_into};
use crate::dsp::wavelet::Wavelet;
use num_complex::Complex;
use numpy::{Element, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cwt, m)?)?;
    m.add_function(wrap_pyfunction!(cwt_scalogram, m)?)?;
    m.add_function(wrap_pyfunction!(wavelet_central_frequency, m)?)?;
    m.add_function(wrap_pyfunction!(wavelet_is_complex, m)?)?;
    m.add_function(wrap_pyfunction!(wavelet_function, m)?)?;
    Ok(())
}

fn config(wavelet: &str, precision: u32, f32_grid: bool) -> PyResult<CwtConfig> {
    if !(1..=20).contains(&precision) {
        return Err(parameter_error(format!(
            "precision={precision} must be in 1..=20"
        )));
    }
    Ok(CwtConfig {
        wavelet: Wavelet::parse(wavelet)?,
        precision,
        f32_grid,
    })
}

fn cwt_typed<'py, T>(
    py: Python<'py>,
    y: &Bound<'py, PyArray2<T>>,
    scales: &[f64],
    cfg: CwtConfig,
) -> PyResult<Bound<'py, PyAny>>
where
    T: Float + Element,
    Complex<T>: Element,
{
    let y = y.readonly();
    let (channels, n) = (y.shape()[0], y.shape()[1]);
    let ys = y.as_slice()?;
    let b = py.allow_threads(|| bank(&cfg, scales, n))?;
    let n_scales = scales.len();
    // pywt's layout: (scales, *data.shape).
    if b.is_complex() {
        let out = filled::<Complex<T>, _, _>(py, [n_scales, channels, n], |os| {
            let shared = SharedMut::new(os);
            cwt_rows(&b, ys, channels, |c, s, row| {
                if let Row::Complex(r) = row {
                    // SAFETY: one worker per (scale, channel) row.
                    let dst = unsafe { shared.slice_mut((s * channels + c) * n, n) };
                    for (d, v) in dst.iter_mut().zip(r) {
                        *d = narrow_complex::<T>(*v);
                    }
                }
            })
        })?;
        Ok(out.into_any())
    } else {
        let out = filled::<T, _, _>(py, [n_scales, channels, n], |os| {
            let shared = SharedMut::new(os);
            cwt_rows(&b, ys, channels, |c, s, row| {
                if let Row::Real(r) = row {
                    // SAFETY: one worker per (scale, channel) row.
                    let dst = unsafe { shared.slice_mut((s * channels + c) * n, n) };
                    for (d, v) in dst.iter_mut().zip(r) {
                        *d = T::narrow(*v);
                    }
                }
            })
        })?;
        Ok(out.into_any())
    }
}

/// CWT of `y` (channels, n) at `scales` → (n_scales, channels, n), real for
/// real wavelets and complex for complex ones, in the input's precision.
#[pyfunction]
#[pyo3(signature = (y, scales, wavelet, precision=12))]
fn cwt<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    scales: PyReadonlyArray1<'py, f64>,
    wavelet: &str,
    precision: u32,
) -> PyResult<Bound<'py, PyAny>> {
    let s = scales.as_slice()?;
    with_float!(
        y,
        |T| PyArray2<T>,
        a => {
            cwt_typed(py, a, s, config(wavelet, precision, T::IS_F32)?)
        },
        "cwt expects a 2-D float32 or float64 array"
    )
}

fn scalogram_typed<'py, T>(
    py: Python<'py>,
    y: &Bound<'py, PyArray2<T>>,
    scales: &[f64],
    cfg: CwtConfig,
    power: f64,
    hop: Option<usize>,
) -> PyResult<Bound<'py, PyAny>>
where
    T: Float + Element,
{
    let y = y.readonly();
    let (channels, n) = (y.shape()[0], y.shape()[1]);
    let ys = y.as_slice()?;
    if hop == Some(0) {
        return Err(parameter_error("hop_length=0 must be a positive integer"));
    }
    let b = py.allow_threads(|| bank(&cfg, scales, n))?;
    let out = filled::<T, _, _>(py, [channels, scales.len(), n_frames(n, hop)], |os| {
        scalogram_into(&b, ys, channels, power, hop, os)
    })?;
    Ok(out.into_any())
}

/// |CWT|^power of `y` (channels, n), mean-pooled on frames of `hop_length`
/// (per sample when None) → (channels, n_scales, n_frames).
#[pyfunction]
#[pyo3(signature = (y, scales, wavelet, power=1.0, hop_length=None, precision=12))]
fn cwt_scalogram<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    scales: PyReadonlyArray1<'py, f64>,
    wavelet: &str,
    power: f64,
    hop_length: Option<usize>,
    precision: u32,
) -> PyResult<Bound<'py, PyAny>> {
    let s = scales.as_slice()?;
    with_float!(
        y,
        |T| PyArray2<T>,
        a => {
            scalogram_typed(
                py,
                a,
                s,
                config(wavelet, precision, T::IS_F32)?,
                power,
                hop_length,
            )
        },
        "scalogram expects a 2-D float32 or float64 array"
    )
}

/// pywt's `central_frequency(wavelet, precision)`.
#[pyfunction]
#[pyo3(signature = (wavelet, precision=8))]
fn wavelet_central_frequency(py: Python<'_>, wavelet: &str, precision: u32) -> PyResult<f64> {
    let cfg = config(wavelet, precision, false)?;
    Ok(py.allow_threads(|| cfg.wavelet.central_frequency(precision)))
}

/// True when the wavelet is complex.
#[pyfunction]
fn wavelet_is_complex(wavelet: &str) -> PyResult<bool> {
    Ok(Wavelet::parse(wavelet)?.is_complex())
}

type Wavefun<'py> = (
    Bound<'py, PyArray1<Complex<f64>>>,
    Bound<'py, PyArray1<f64>>,
);

/// pywt's `wavefun(precision)`: (psi as complex128, x grid).
#[pyfunction]
#[pyo3(signature = (wavelet, precision=8))]
fn wavelet_function<'py>(py: Python<'py>, wavelet: &str, precision: u32) -> PyResult<Wavefun<'py>> {
    let cfg = config(wavelet, precision, false)?;
    let (psi, x) = cfg.wavelet.wavefun(precision);
    Ok((PyArray1::from_vec(py, psi), PyArray1::from_vec(py, x)))
}
