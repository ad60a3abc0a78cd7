//! Pitch-class features: chroma filter folding and piptrack pitch
//! estimation (tuning).

pub mod chroma;
pub mod pitch;
