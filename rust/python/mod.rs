//! The only code that knows about Python: argument extraction, GIL release,
//! NumPy in and out, and error mapping. Each file registers its functions.

use pyo3::prelude::*;

pub mod arrays;
pub mod chroma;
pub mod cqt;
pub mod cwt;
pub mod decode;
pub mod decompose;
pub mod descriptors;
pub mod errors;
pub mod griffinlim;
pub mod interrupt;
pub mod melspec;
pub mod noise;
pub mod onset;
pub mod psf;
pub mod silence;
pub mod spectrum;
pub mod stack;
pub mod stft_wide;
pub mod vocoder;

/// The `ferrosa._core` extension module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    spectrum::register(m)?;
    descriptors::register(m)?;
    chroma::register(m)?;
    stack::register(m)?;
    melspec::register(m)?;
    cwt::register(m)?;
    cqt::register(m)?;
    decode::register(m)?;
    stft_wide::register(m)?;
    silence::register(m)?;
    noise::register(m)?;
    psf::register(m)?;
    griffinlim::register(m)?;
    onset::register(m)?;
    decompose::register(m)?;
    vocoder::register(m)?;
    Ok(())
}
