//! The element types kernels accept and produce.
//!
//! All arithmetic runs in f64 (as librosa does: its float64 window promotes
//! float32 frames before the FFT); inputs and outputs are f32 or f64.

use num_complex::Complex;

/// A real sample type that can be widened to and narrowed from f64.
pub trait Sample: Copy + Send + Sync + Default + 'static {
    /// The smallest positive normal value of the type (numpy's `finfo.tiny`).
    const TINY: f64;
    fn to_f64(self) -> f64;
    fn from_f64(v: f64) -> Self;
}

impl Sample for f32 {
    const TINY: f64 = f32::MIN_POSITIVE as f64;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}

impl Sample for f64 {
    const TINY: f64 = f64::MIN_POSITIVE;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v
    }
}

/// Narrow a complex f64 value to `Complex<T>`.
#[inline(always)]
pub fn narrow<T: Sample>(c: Complex<f64>) -> Complex<T> {
    Complex::new(T::from_f64(c.re), T::from_f64(c.im))
}

/// True when every value is finite.
pub fn all_finite<T: Sample>(x: &[T]) -> bool {
    x.iter().all(|v| v.to_f64().is_finite())
}
