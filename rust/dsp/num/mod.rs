//! Numeric support shared by every family: the float trait, SIMD helpers
//! and the rayon pool that every kernel parallelises through.

pub mod cancel;
pub mod float;
pub mod parallel;
pub mod simd;
pub mod turns;
