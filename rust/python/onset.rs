//! Binding for peak picking (ferrosa.util.peak_pick, ferrosa.onset.onset_detect).

use super::arrays::with_float;
use crate::dsp::onset::beats::track_beats;
use crate::dsp::onset::peaks::{peak_pick, PeakWindows};
use crate::dsp::onset::tempogram::windowed_autocorrelation;
use numpy::{
    PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::prelude::*;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(peak_pick_rows, m)?)?;
    m.add_function(wrap_pyfunction!(beat_track_dp, m)?)?;
    m.add_function(wrap_pyfunction!(tempogram_frames, m)?)?;
    Ok(())
}

/// Peaks of each row of `x` (rows, n) float64, as a (rows, n) bool array.
#[pyfunction]
#[pyo3(signature = (x, pre_max, post_max, pre_avg, post_avg, delta, wait))]
#[allow(clippy::too_many_arguments)]
fn peak_pick_rows<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    pre_max: usize,
    post_max: usize,
    pre_avg: usize,
    post_avg: usize,
    delta: f64,
    wait: usize,
) -> PyResult<Bound<'py, PyArray2<bool>>> {
    let (rows, n) = (x.shape()[0], x.shape()[1]);
    let s = x.as_slice()?;
    let w = PeakWindows {
        pre_max,
        post_max,
        pre_avg,
        post_avg,
        delta,
        wait,
    };
    let mut peaks = vec![false; s.len()];
    py.allow_threads(|| peak_pick(s, rows.max(1), &w, &mut peaks))?;
    PyArray1::from_vec(py, peaks).reshape([rows, n])
}

/// Beat mask of one normalised onset envelope `env` (float32 or float64)
/// with `frames_per_beat` (one period, or one per frame), librosa's DP.
#[pyfunction]
#[pyo3(signature = (env, frames_per_beat, tightness, trim))]
fn beat_track_dp<'py>(
    py: Python<'py>,
    env: &Bound<'py, PyAny>,
    frames_per_beat: PyReadonlyArray1<'py, f64>,
    tightness: f64,
    trim: bool,
) -> PyResult<Bound<'py, PyArray1<bool>>> {
    let fpb = frames_per_beat.as_slice()?;
    let beats = with_float!(env, |T| PyArray1<T>, a => {
        let r = a.readonly();
        let s = r.as_slice()?;
        Ok(py.allow_threads(|| track_beats(s, fpb, tightness, trim))?)
    }, "beat_track_dp expects a C-contiguous 1-D float32 or float64 array")?;
    Ok(PyArray1::from_vec(py, beats))
}

/// Autocorrelations `(frames, lags)` of the hop-1 windows of `env` times
/// `window`, through a real FFT of `n_fft` points.
#[pyfunction]
#[pyo3(signature = (env, window, n_fft))]
fn tempogram_frames<'py>(
    py: Python<'py>,
    env: PyReadonlyArray1<'py, f64>,
    window: PyReadonlyArray1<'py, f64>,
    n_fft: usize,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (e, w) = (env.as_slice()?, window.as_slice()?);
    let l = w.len();
    let n_frames = (e.len() + 1).saturating_sub(l);
    super::arrays::filled(py, [n_frames, l], |o| {
        windowed_autocorrelation(e, w, n_fft, o)
    })
}
