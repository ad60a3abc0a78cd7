//! Binding for the FLAC decoder (`rust/audio/flac.rs`).
//!
//! Errors take the exception classes soundfile's would: `OSError` (with
//! `errno` and the file name, so `FileNotFoundError` and friends) when the
//! file cannot be read, `RuntimeError` for a stream that is damaged, not
//! FLAC or not handled here, and `MemoryError` for a size that cannot be
//! allocated. None is a `ParameterError`: the arguments were fine.

use super::interrupt::{allow_interrupt, LONG_WORK};
use crate::audio::flac::{decode_file_head, read_info_file, FlacError};
use numpy::ndarray::Array2;
use numpy::PyArray2;
use pyo3::exceptions::{PyMemoryError, PyOSError, PyRuntimeError};
use pyo3::prelude::*;
use std::path::PathBuf;

/// Register this file's functions on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(decode_flac, m)?)?;
    m.add_function(wrap_pyfunction!(flac_info, m)?)?;
    Ok(())
}

fn to_py(path: &std::path::Path, err: FlacError) -> PyErr {
    let name = path.display().to_string();
    match err {
        FlacError::Io(e) => match e.raw_os_error() {
            // OSError(errno, strerror, filename) picks the subclass itself.
            Some(code) => {
                let text = e.to_string();
                let suffix = format!(" (os error {code})");
                let strerror = text.strip_suffix(&suffix).unwrap_or(&text).to_string();
                PyOSError::new_err((code, strerror, name))
            }
            None => PyOSError::new_err(format!("{name}: {e}")),
        },
        FlacError::TooLarge { .. } => PyMemoryError::new_err(format!("{name}: {err}")),
        FlacError::Unsupported(_) | FlacError::Malformed(_) => {
            PyRuntimeError::new_err(format!("{name}: {err}"))
        }
    }
}

/// Decode a FLAC file: ``(samples, sample_rate)`` with ``samples`` float32
/// shaped (channels, frames), ``int / 2**(bits - 1)`` as libsndfile reads it.
/// With ``mono``, 2 to 7 channels come back averaged into one row exactly as
/// ``ferrosa.to_mono`` averages them (8 channels are returned as they are).
/// With ``frames``, only the first ``frames`` frames are returned (decoded);
/// the rest of the file is still parsed and checked (frame CRCs, no gap, the
/// declared length), so a cut or damaged file is refused all the same.
/// The GIL is released.
#[pyfunction]
#[pyo3(signature = (path, mono=false, frames=None))]
fn decode_flac(
    py: Python<'_>,
    path: PathBuf,
    mono: bool,
    frames: Option<u64>,
) -> PyResult<(Bound<'_, PyArray2<f32>>, u32)> {
    // Every decode may be long (the length is only known once it is open).
    let audio = allow_interrupt(py, LONG_WORK, || decode_file_head(&path, mono, frames))?
        .map_err(|e| to_py(&path, e))?;
    let shape = (audio.channels, audio.frames);
    let arr = Array2::from_shape_vec(shape, audio.samples)
        .map_err(|e| PyRuntimeError::new_err(format!("{}: {e}", path.display())))?;
    Ok((PyArray2::from_owned_array(py, arr), audio.sample_rate))
}

/// STREAMINFO of a FLAC file without decoding it: ``(sample_rate, channels,
/// frames)``, refused (same errors as :func:`decode_flac`) for the streams
/// ``decode_flac`` refuses by their header: other bit depths, unknown length.
/// The GIL is released.
#[pyfunction]
fn flac_info(py: Python<'_>, path: PathBuf) -> PyResult<(u32, usize, u64)> {
    let info = py
        .allow_threads(|| read_info_file(&path))
        .map_err(|e| to_py(&path, e))?;
    Ok((info.sample_rate, info.channels, info.frames))
}
