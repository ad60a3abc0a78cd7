//! Feature-level helpers around the families: frequency-scale conversions,
//! Savitzky-Golay deltas, and several features of one signal from one STFT.

pub mod convert;
pub mod delta;
pub mod stack;
