//! Bindings for mel filter banks, DCT matrices, Savitzky-Golay filters and
//! the fused mel spectrogram / MFCC kernels.
//!
//! Banks, DCT matrices and filters are opaque, immutable Python objects that
//! the Python layer caches per parameter set, so a call on a short clip pays
//! for neither their construction nor a dense matrix product. Arrays arrive
//! C-contiguous as `(channels, samples)` or `(channels, rows, frames)`;
//! float32 stays float32.

use super::arrays::{filled, with_float};
use super::errors::parameter_error;
use super::spectrum::framing;
use crate::dsp::feature::delta::{EdgeMode, SavgolFilter};
use crate::dsp::mel::bank::{MelBank, MelNorm, Precision};
use crate::dsp::mel::dct::{DctMatrix, DctNorm};
use crate::dsp::mel::melspec::{
    dct_from_spectrogram_into, dense_on_columns_into, mel_from_spectrogram_into,
    melspectrogram_into, mfcc_clamped_into,
};
use crate::dsp::num::float::Float;
use crate::dsp::spectrum::frame::Framing;
use crate::dsp::spectrum::stft::check;
use numpy::{
    Element, PyArray2, PyArray3, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use std::sync::Arc;

/// Register this file's classes and functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMelBank>()?;
    m.add_class::<PyDctMatrix>()?;
    m.add_class::<PySavgolFilter>()?;
    m.add_function(wrap_pyfunction!(melspectrogram, m)?)?;
    m.add_function(wrap_pyfunction!(mfcc, m)?)?;
    m.add_function(wrap_pyfunction!(mel_from_spectrogram, m)?)?;
    m.add_function(wrap_pyfunction!(dct_from_spectrogram, m)?)?;
    m.add_function(wrap_pyfunction!(dense_on_axis, m)?)?;
    m.add_function(wrap_pyfunction!(savgol, m)?)?;
    Ok(())
}

/// A sparse mel filter bank (see `rust/dsp/mel.rs`), immutable.
#[pyclass(frozen, name = "MelBank", module = "ferrosa._core")]
pub struct PyMelBank {
    pub inner: Arc<MelBank>,
}

#[pymethods]
impl PyMelBank {
    /// Build from the `n_mels + 2` band edges `mel_f` (Hz).
    ///
    /// `norm` is "none", "slaney" or "lp" (with exponent `p`);
    /// `f32_weights` reproduces librosa's float32 storage rounding.
    #[new]
    #[pyo3(signature = (sr, n_fft, mel_f, norm, p, f32_weights))]
    fn new(
        py: Python<'_>,
        sr: f64,
        n_fft: usize,
        mel_f: PyReadonlyArray1<'_, f64>,
        norm: &str,
        p: f64,
        f32_weights: bool,
    ) -> PyResult<Self> {
        let norm = match norm {
            "none" => MelNorm::None,
            "slaney" => MelNorm::Slaney,
            "lp" => MelNorm::Lp(p),
            other => return Err(parameter_error(format!("Unsupported norm={other}"))),
        };
        let precision = if f32_weights {
            Precision::F32
        } else {
            Precision::F64
        };
        let edges = mel_f.as_slice()?.to_vec();
        let bank =
            py.allow_threads(|| MelBank::from_mel_frequencies(sr, n_fft, &edges, norm, precision))?;
        Ok(PyMelBank {
            inner: Arc::new(bank),
        })
    }

    #[getter]
    fn n_mels(&self) -> usize {
        self.inner.n_mels()
    }

    #[getter]
    fn n_bins(&self) -> usize {
        self.inner.n_bins()
    }

    #[getter]
    fn has_empty_filters(&self) -> bool {
        self.inner.has_empty_filters()
    }

    /// The dense `(n_mels, n_bins)` float64 matrix.
    fn dense<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let (nm, nb) = (self.inner.n_mels(), self.inner.n_bins());
        numpy::PyArray1::from_vec(py, self.inner.to_dense()).reshape([nm, nb])
    }
}

/// A DCT matrix with the lifter folded in (see `rust/dsp/dct.rs`), immutable.
#[pyclass(frozen, name = "DctMatrix", module = "ferrosa._core")]
pub struct PyDctMatrix {
    pub inner: Arc<DctMatrix>,
}

#[pymethods]
impl PyDctMatrix {
    #[new]
    #[pyo3(signature = (dct_type, n_in, n_out, ortho, lifter))]
    fn new(dct_type: u32, n_in: usize, n_out: usize, ortho: bool, lifter: f64) -> PyResult<Self> {
        let norm = if ortho { DctNorm::Ortho } else { DctNorm::None };
        let m = DctMatrix::new(dct_type, n_in, n_out, norm, lifter)?;
        Ok(PyDctMatrix { inner: Arc::new(m) })
    }

    #[getter]
    fn n_in(&self) -> usize {
        self.inner.n_in()
    }

    #[getter]
    fn n_out(&self) -> usize {
        self.inner.n_out()
    }

    /// The `(n_out, n_in)` float64 matrix.
    fn matrix<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let (r, c) = (self.inner.n_out(), self.inner.n_in());
        numpy::PyArray1::from_slice(py, self.inner.matrix()).reshape([r, c])
    }
}

/// A Savitzky-Golay derivative filter (see `rust/dsp/feature/delta.rs`), immutable.
#[pyclass(frozen, name = "SavgolFilter", module = "ferrosa._core")]
pub struct PySavgolFilter {
    pub inner: Arc<SavgolFilter>,
}

#[pymethods]
impl PySavgolFilter {
    #[new]
    #[pyo3(signature = (width, polyorder, deriv, delta))]
    fn new(width: usize, polyorder: usize, deriv: usize, delta: f64) -> PyResult<Self> {
        let f = SavgolFilter::new(width, polyorder, deriv, delta)?;
        Ok(PySavgolFilter { inner: Arc::new(f) })
    }

    #[getter]
    fn width(&self) -> usize {
        self.inner.width()
    }
}

/// What a fused audio kernel computes per frame.
enum Fused<'a> {
    Mel,
    Mfcc {
        dct: &'a DctMatrix,
        amin: f64,
        top_db: Option<f64>,
        per_channel: bool,
    },
}

fn fused_typed<'py, T: Float + Element>(
    py: Python<'py>,
    y: &Bound<'py, PyArray2<T>>,
    window: &[f64],
    framing: Framing,
    bank: &MelBank,
    power: f64,
    what: Fused<'_>,
) -> PyResult<Bound<'py, PyAny>> {
    let y = y.readonly();
    let n_channels = y.shape()[0];
    let ys = y.as_slice()?;
    let shape = check(&framing, ys, n_channels, window)?;
    let rows = match &what {
        Fused::Mel => bank.n_mels(),
        Fused::Mfcc { dct, .. } => dct.n_out(),
    };
    let out = filled::<T, _, _>(py, [n_channels, rows, shape.n_frames], |os| match what {
        Fused::Mel => melspectrogram_into(&framing, ys, window, &shape, bank, power, os),
        Fused::Mfcc {
            dct,
            amin,
            top_db,
            per_channel,
        } => mfcc_clamped_into(
            &framing,
            ys,
            window,
            &shape,
            bank,
            dct,
            power,
            amin,
            top_db,
            per_channel,
            os,
        ),
    })?;
    Ok(out.into_any())
}

#[allow(clippy::too_many_arguments)]
fn fused<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    window: &[f64],
    framing: Framing,
    bank: &MelBank,
    power: f64,
    what: Fused<'_>,
) -> PyResult<Bound<'py, PyAny>> {
    with_float!(
        y,
        |T| PyArray2<T>,
        a => {
            fused_typed(py, a, window, framing, bank, power, what)
        },
        "expected a 2-D float32 or float64 audio array"
    )
}

/// Mel spectrogram of `y` (channels, samples) → (channels, n_mels, frames).
#[pyfunction]
#[pyo3(signature = (y, window, n_fft, hop_length, center, pad_mode, bank, power))]
#[allow(clippy::too_many_arguments)]
fn melspectrogram<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    window: PyReadonlyArray1<'py, f64>,
    n_fft: usize,
    hop_length: usize,
    center: bool,
    pad_mode: &str,
    bank: &PyMelBank,
    power: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let framing = framing(n_fft, hop_length, center, pad_mode)?;
    fused(
        py,
        y,
        window.as_slice()?,
        framing,
        &bank.inner,
        power,
        Fused::Mel,
    )
}

/// MFCCs of `y` (channels, samples) → (channels, n_mfcc, frames); with
/// `per_channel`, each channel's `top_db` floor is its own (a batch of
/// independent segments) instead of the whole array's.
#[pyfunction]
#[pyo3(signature = (y, window, n_fft, hop_length, center, pad_mode, bank, dct, power, amin, top_db, per_channel=false))]
#[allow(clippy::too_many_arguments)]
fn mfcc<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    window: PyReadonlyArray1<'py, f64>,
    n_fft: usize,
    hop_length: usize,
    center: bool,
    pad_mode: &str,
    bank: &PyMelBank,
    dct: &PyDctMatrix,
    power: f64,
    amin: f64,
    top_db: Option<f64>,
    per_channel: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let framing = framing(n_fft, hop_length, center, pad_mode)?;
    let what = Fused::Mfcc {
        dct: &dct.inner,
        amin,
        top_db,
        per_channel,
    };
    fused(py, y, window.as_slice()?, framing, &bank.inner, power, what)
}

/// A row operator applied along axis 1 of a (channels, rows, frames) array.
enum RowOp<'a> {
    Mel(&'a MelBank),
    Dct(&'a DctMatrix),
    /// A row-major matrix and its number of columns.
    Dense(&'a [f64], usize),
}

fn rows_typed<'py, T: Float + Element>(
    py: Python<'py>,
    s: &Bound<'py, PyArray3<T>>,
    op: RowOp<'_>,
) -> PyResult<Bound<'py, PyAny>> {
    let s = s.readonly();
    let dims = s.shape().to_vec();
    let (nc, nf) = (dims[0], dims[2]);
    let n_out = match &op {
        RowOp::Mel(b) => b.n_mels(),
        RowOp::Dct(d) => d.n_out(),
        RowOp::Dense(m, n_in) => {
            let (m, n_in) = (*m, *n_in);
            if n_in != dims[1] {
                return Err(parameter_error(format!(
                    "matrix has {n_in} columns but the array has {} rows",
                    dims[1]
                )));
            }
            m.len() / n_in.max(1)
        }
    };
    let ss = s.as_slice()?;
    let out = filled::<T, _, _>(py, [nc, n_out, nf], |os| match op {
        RowOp::Mel(b) => mel_from_spectrogram_into(ss, nc, nf, b, os),
        RowOp::Dct(d) => dct_from_spectrogram_into(ss, nc, nf, d, os),
        RowOp::Dense(m, n_in) => dense_on_columns_into(ss, nc, nf, m, n_in, os),
    })?;
    Ok(out.into_any())
}

fn rows_dispatch<'py>(
    py: Python<'py>,
    s: &Bound<'py, PyAny>,
    op: RowOp<'_>,
) -> PyResult<Bound<'py, PyAny>> {
    with_float!(
        s,
        |T| PyArray3<T>,
        a => {
            rows_typed(py, a, op)
        },
        "expected a 3-D float32 or float64 spectrogram"
    )
}

/// Mel spectrogram from a power spectrogram (channels, bins, frames).
#[pyfunction]
fn mel_from_spectrogram<'py>(
    py: Python<'py>,
    s: &Bound<'py, PyAny>,
    bank: &PyMelBank,
) -> PyResult<Bound<'py, PyAny>> {
    rows_dispatch(py, s, RowOp::Mel(&bank.inner))
}

/// A float64 matrix (n_out, n_in) applied along axis 1 of a
/// (channels, n_in, frames) array, in the array's dtype.
#[pyfunction]
fn dense_on_axis<'py>(
    py: Python<'py>,
    s: &Bound<'py, PyAny>,
    matrix: PyReadonlyArray2<'py, f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let n_in = matrix.shape()[1];
    // Row-major copy: the matrix is small and may be any view.
    let m: Vec<f64> = matrix.as_array().iter().copied().collect();
    if n_in == 0 || m.is_empty() {
        return Err(parameter_error("matrix must not be empty"));
    }
    rows_dispatch(py, s, RowOp::Dense(&m, n_in))
}

/// DCT along axis 1 of a (channels, n_mels, frames) array.
#[pyfunction]
fn dct_from_spectrogram<'py>(
    py: Python<'py>,
    s: &Bound<'py, PyAny>,
    dct: &PyDctMatrix,
) -> PyResult<Bound<'py, PyAny>> {
    rows_dispatch(py, s, RowOp::Dct(&dct.inner))
}

fn savgol_typed<'py, T: Float + Element>(
    py: Python<'py>,
    x: &Bound<'py, PyArray2<T>>,
    filter: &SavgolFilter,
    mode: EdgeMode,
) -> PyResult<Bound<'py, PyAny>> {
    let x = x.readonly();
    let dims = x.shape().to_vec();
    let xs = x.as_slice()?;
    let out = filled::<T, _, _>(py, [dims[0], dims[1]], |os| {
        filter.apply_rows(xs, dims[1], mode, os)
    })?;
    Ok(out.into_any())
}

/// Savitzky-Golay filter along axis 1 of a (rows, n) array.
#[pyfunction]
#[pyo3(signature = (x, filter, mode, cval=0.0))]
fn savgol<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    filter: &PySavgolFilter,
    mode: &str,
    cval: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let mode = match mode {
        "interp" => EdgeMode::Interp,
        "mirror" => EdgeMode::Mirror,
        "nearest" => EdgeMode::Nearest,
        "wrap" => EdgeMode::Wrap,
        "constant" => EdgeMode::Constant(cval),
        other => {
            return Err(parameter_error(format!(
                "mode='{other}' must be 'mirror', 'constant', 'nearest', 'wrap' or 'interp'"
            )))
        }
    };
    with_float!(
        x,
        |T| PyArray2<T>,
        a => {
            savgol_typed(py, a, &filter.inner, mode)
        },
        "expected a 2-D float32 or float64 array"
    )
}
