//! Binding for the fused multi-feature kernel (one STFT, many features).

use super::arrays::{with_float, FLOAT_ARRAY};
use super::descriptors::parse_descriptors;
use super::interrupt::allow_interrupt;
use super::melspec::{PyDctMatrix, PyMelBank};
use super::spectrum::framing;
use crate::dsp::feature::stack::{run, MelJob, StackPlan};
use crate::dsp::mel::bank::MelBank;
use crate::dsp::mel::dct::DctMatrix;
use crate::dsp::num::float::Float;
use crate::dsp::spectrum::frame::Framing;
use crate::dsp::spectrum::stft::check;
use numpy::{Element, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use std::sync::Arc;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(feature_stack, m)?)?;
    Ok(())
}

/// A mel job with its bank and DCT shared out of the Python objects.
struct OwnedJob {
    bank: Arc<MelBank>,
    dct: Option<Arc<DctMatrix>>,
    power: f64,
    amin: f64,
    top_db: Option<f64>,
}

impl OwnedJob {
    fn as_job(&self) -> MelJob<'_> {
        match &self.dct {
            None => MelJob::Mel {
                bank: &self.bank,
                power: self.power,
            },
            Some(dct) => MelJob::Mfcc {
                bank: &self.bank,
                dct,
                power: self.power,
                amin: self.amin,
                top_db: self.top_db,
            },
        }
    }
}

/// Parse `[("mel", bank, power) | ("mfcc", bank, dct, power, amin, top_db)]`.
fn parse_mel_jobs(jobs: &Bound<'_, PyList>) -> PyResult<Vec<OwnedJob>> {
    let mut out = Vec::new();
    for item in jobs.iter() {
        let t = item.downcast::<PyTuple>()?;
        let kind: String = t.get_item(0)?.extract()?;
        let bank = t.get_item(1)?.downcast::<PyMelBank>()?.get().inner.clone();
        if kind == "mel" {
            out.push(OwnedJob {
                bank,
                dct: None,
                power: t.get_item(2)?.extract()?,
                amin: 1e-10,
                top_db: None,
            });
        } else {
            out.push(OwnedJob {
                bank,
                dct: Some(
                    t.get_item(2)?
                        .downcast::<PyDctMatrix>()?
                        .get()
                        .inner
                        .clone(),
                ),
                power: t.get_item(3)?.extract()?,
                amin: t.get_item(4)?.extract()?,
                top_db: t.get_item(5)?.extract()?,
            });
        }
    }
    Ok(out)
}

fn stack_typed<'py, T: Float + Element>(
    py: Python<'py>,
    y: &Bound<'py, PyArray2<T>>,
    window: &[f64],
    fr: Framing,
    plan: &StackPlan<'_>,
) -> PyResult<Bound<'py, PyAny>> {
    let y = y.readonly();
    let n_channels = y.shape()[0];
    let ys = y.as_slice()?;
    let shape = check(&fr, ys, n_channels, window)?;
    let out = allow_interrupt(py, ys.len(), || run(&fr, ys, window, &shape, plan))??;
    let (nc, nf, nb) = (shape.n_channels, shape.n_frames, shape.n_bins);
    let result = PyDict::new(py);
    let rows: usize = plan.descriptors.iter().map(|d| d.rows()).sum();
    if rows > 0 {
        let a = PyArray1::from_vec(py, out.descriptors).reshape([nc, rows, nf])?;
        result.set_item("descriptors", a)?;
    }
    let mel = PyList::empty(py);
    for (job, v) in plan.mel_jobs.iter().zip(out.mel) {
        mel.append(PyArray1::from_vec(py, v).reshape([nc, job.rows(), nf])?)?;
    }
    result.set_item("mel", mel)?;
    if plan.power_frames {
        let a = PyArray1::from_vec(py, out.power_frames).reshape([nc, nf, nb])?;
        result.set_item("power_frames", a)?;
    }
    Ok(result.into_any())
}

/// Several features of `y` (channels, samples) from one STFT.
///
/// Returns a dict with "descriptors" (float64 (channels, rows, frames)
/// when `specs` is non-empty), "mel" (a list of float64
/// (channels, rows, frames), one per job) and "power_frames" (the
/// frame-major power spectrogram in the input dtype, when requested).
#[pyfunction]
#[pyo3(signature = (y, window, n_fft, hop_length, center, pad_mode, freq, specs, mel_jobs, power_frames))]
#[allow(clippy::too_many_arguments)]
fn feature_stack<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    window: PyReadonlyArray1<'py, f64>,
    n_fft: usize,
    hop_length: usize,
    center: bool,
    pad_mode: &str,
    freq: PyReadonlyArray1<'py, f64>,
    specs: &Bound<'py, PyList>,
    mel_jobs: &Bound<'py, PyList>,
    power_frames: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let fr = framing(n_fft, hop_length, center, pad_mode)?;
    let descriptors = parse_descriptors(specs)?;
    let owned = parse_mel_jobs(mel_jobs)?;
    let plan = StackPlan {
        descriptors,
        freq: freq.as_slice()?.to_vec(),
        mel_jobs: owned.iter().map(OwnedJob::as_job).collect(),
        power_frames,
    };
    let w = window.as_slice()?;
    with_float!(y, |T| PyArray2<T>, a => stack_typed(py, a, w, fr, &plan), FLOAT_ARRAY)
}
