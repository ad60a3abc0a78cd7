//! ferrosa's Rust core.
//!
//! `dsp` holds the pure numeric kernels (no Python anywhere); `error` the one
//! error type they return; `audio` decodes audio files (FLAC), also without
//! Python. The PyO3 binding layer in `python` is compiled only
//! with the `python` feature, which the maturin build turns on, so that
//! `cargo test` runs the kernels without linking a Python interpreter.

pub mod audio;
pub mod dsp;
pub mod error;

#[cfg(feature = "python")]
pub mod python;

pub use error::DspError;
