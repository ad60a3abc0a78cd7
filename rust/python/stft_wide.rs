//! Binding for the float32 STFT computed with a float64 FFT (librosa's values per bin).

use super::arrays::with_float;
use super::interrupt::allow_interrupt;
use super::spectrum::framing;
use crate::dsp::num::float::Float;
use crate::dsp::spectrum::stft::check;
use crate::dsp::spectrum::stft_wide::stft_wide_into;
use num_complex::Complex;
use numpy::{PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stft_wide, m)?)?;
    Ok(())
}

/// STFT of float32 `y` (channels, samples) with a float64 FFT into complex64
/// or complex128 `out` (channels, frames, bins).
///
/// With `check_finite`, returns false (and leaves `out` unwritten) when a
/// sample of `y` is NaN or infinite; otherwise true.
#[pyfunction]
#[pyo3(signature = (y, window, n_fft, hop_length, center, pad_mode, out, check_finite = false))]
#[allow(clippy::too_many_arguments)]
fn stft_wide<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyArray2<f32>>,
    window: PyReadonlyArray1<'py, f64>,
    n_fft: usize,
    hop_length: usize,
    center: bool,
    pad_mode: &str,
    out: &Bound<'py, PyAny>,
    check_finite: bool,
) -> PyResult<bool> {
    let framing = framing(n_fft, hop_length, center, pad_mode)?;
    let w = window.as_slice()?;
    let y = y.readonly();
    let n_channels = y.shape()[0];
    let ys = y.as_slice()?;
    let shape = check(&framing, ys, n_channels, w)?;
    if check_finite && !py.allow_threads(|| f32::all_finite(ys)) {
        return Ok(false);
    }
    with_float!(
        out,
        |T| PyArray3<Complex<T>>,
        o => {
            let mut rw = o.readwrite();
            let os = rw.as_slice_mut()?;
            let n = os.len();
            allow_interrupt(py, n, || stft_wide_into(&framing, ys, w, &shape, os))?
                .map_err(PyErr::from)?;
            Ok(true)
        },
        "stft_wide output must be a C-contiguous complex64 or complex128 array"
    )
}
