//! Pure numeric kernels. Nothing here knows about Python: kernels take
//! slices, return `DspResult`, and run their own parallelism.
//!
//! One folder per family.

pub mod cqt;
pub mod decompose;
pub mod effects;
pub mod feature;
pub mod mel;
pub mod num;
pub mod onset;
pub mod spectral;
pub mod spectrum;
pub mod tonal;
pub mod wavelet;
