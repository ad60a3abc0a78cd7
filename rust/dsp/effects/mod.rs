//! Effects on whole signals: trimming and splitting on silence.
//! Kernels that decide where audio is, rather than describing it per frame.

pub mod silence;
