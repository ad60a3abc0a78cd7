//! Effects on whole signals: trimming and splitting on silence, and
//! spectral-gating noise reduction.

pub mod denoise;
pub mod gate;
pub mod silence;
pub mod smooth;
