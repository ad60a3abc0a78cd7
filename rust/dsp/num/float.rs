//! The one float trait every kernel is generic over (f32 and f64).
//!
//! All arithmetic that must match librosa runs in f64 (its float64 window
//! promotes float32 frames before the FFT); inputs, outputs and the float32
//! fast paths are f32. [`Float`] carries what kernels need of a precision:
//! the FFT number traits (rustfft/realfft), `num_traits::Float` arithmetic
//! in its own precision, widening/narrowing through f64, and the only
//! per-type switches: [`Float::as_f32`] (and friends) for the f32 SIMD
//! paths, and [`Float::pick`] for state kept once per precision (FFT plan
//! caches). No kernel tests `TypeId` or casts slice pointers itself.
//!
//! The widening methods are called `wide`/`narrow`, not `to_f64`/`from_f64`:
//! `num_traits` already defines those names (with `Option` results) on the
//! supertraits, and the same name twice would make every call ambiguous.

use num_complex::Complex;
use realfft::FftNum;

/// A real sample type (f32 or f64) for kernels.
pub trait Float: FftNum + num_traits::Float + Default {
    /// The smallest positive normal value of the type (numpy's `finfo.tiny`).
    const TINY: f64;
    /// True for f32 (the precision with float32 fast paths).
    const IS_F32: bool;

    /// Widen to f64 (exact).
    fn wide(self) -> f64;
    /// Round an f64 to this type (as numpy's `astype`).
    fn narrow(v: f64) -> Self;

    /// `x` as an f32 slice when `Self` is f32 (the f32 SIMD paths).
    fn as_f32(x: &[Self]) -> Option<&[f32]>;
    /// `x` as a mutable f32 slice when `Self` is f32.
    fn as_f32_mut(x: &mut [Self]) -> Option<&mut [f32]>;
    /// `x` as an f64 slice when `Self` is f64.
    fn as_f64(x: &[Self]) -> Option<&[f64]>;

    /// True when no value is NaN or infinite: one branch-free pass over the
    /// exponent bits per 1024 values (vectorises; stops at a bad chunk).
    fn all_finite(x: &[Self]) -> bool;

    /// This precision's member of a per-precision pair (plan caches).
    fn pick<P: PerFloat + ?Sized>(p: &P) -> &P::Of<Self>;

    /// `p[0..4]` widened to four f64 lanes.
    ///
    /// # Safety
    /// `p` must point at four readable values and the CPU must have AVX2.
    #[cfg(target_arch = "x86_64")]
    unsafe fn load4(p: *const Self) -> std::arch::x86_64::__m256d;
}

/// Something kept once per precision: `Of<f32>` and `Of<f64>`, chosen by
/// [`Float::pick`] without casts.
pub trait PerFloat {
    type Of<F: Float>: ?Sized;
    fn for_f32(&self) -> &Self::Of<f32>;
    fn for_f64(&self) -> &Self::Of<f64>;
}

impl Float for f32 {
    const TINY: f64 = f32::MIN_POSITIVE as f64;
    const IS_F32: bool = true;
    #[inline(always)]
    fn wide(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn narrow(v: f64) -> Self {
        v as f32
    }
    #[inline(always)]
    fn as_f32(x: &[f32]) -> Option<&[f32]> {
        Some(x)
    }
    #[inline(always)]
    fn as_f32_mut(x: &mut [f32]) -> Option<&mut [f32]> {
        Some(x)
    }
    #[inline(always)]
    fn as_f64(_: &[f32]) -> Option<&[f64]> {
        None
    }
    fn all_finite(x: &[f32]) -> bool {
        const EXP: u32 = 0x7f80_0000;
        x.chunks(1024).all(|c| {
            c.iter()
                .fold(0u32, |acc, v| acc | ((v.to_bits() & EXP == EXP) as u32))
                == 0
        })
    }
    #[inline(always)]
    fn pick<P: PerFloat + ?Sized>(p: &P) -> &P::Of<f32> {
        p.for_f32()
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load4(p: *const f32) -> std::arch::x86_64::__m256d {
        use std::arch::x86_64::*;
        _mm256_cvtps_pd(_mm_loadu_ps(p))
    }
}

impl Float for f64 {
    const TINY: f64 = f64::MIN_POSITIVE;
    const IS_F32: bool = false;
    #[inline(always)]
    fn wide(self) -> f64 {
        self
    }
    #[inline(always)]
    fn narrow(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn as_f32(_: &[f64]) -> Option<&[f32]> {
        None
    }
    #[inline(always)]
    fn as_f32_mut(_: &mut [f64]) -> Option<&mut [f32]> {
        None
    }
    #[inline(always)]
    fn as_f64(x: &[f64]) -> Option<&[f64]> {
        Some(x)
    }
    fn all_finite(x: &[f64]) -> bool {
        const EXP: u64 = 0x7ff0_0000_0000_0000;
        x.chunks(1024).all(|c| {
            c.iter()
                .fold(0u64, |acc, v| acc | ((v.to_bits() & EXP == EXP) as u64))
                == 0
        })
    }
    #[inline(always)]
    fn pick<P: PerFloat + ?Sized>(p: &P) -> &P::Of<f64> {
        p.for_f64()
    }
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load4(p: *const f64) -> std::arch::x86_64::__m256d {
        std::arch::x86_64::_mm256_loadu_pd(p)
    }
}

/// Widen to f64 (`Float::wide` as a function, for `map`).
#[inline(always)]
pub fn wide<T: Float>(v: T) -> f64 {
    v.wide()
}

/// Narrow a complex f64 value to `Complex<T>`.
#[inline(always)]
pub fn narrow_complex<T: Float>(c: Complex<f64>) -> Complex<T> {
    Complex::new(T::narrow(c.re), T::narrow(c.im))
}

/// True when every value is finite ([`Float::all_finite`] as a function).
pub fn all_finite<T: Float>(x: &[T]) -> bool {
    T::all_finite(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_exist_only_for_their_own_type() {
        let a = [1.0f32, 2.0];
        let b = [1.0f64, 2.0];
        assert_eq!(f32::as_f32(&a), Some(&a[..]));
        assert!(f64::as_f32(&b).is_none());
        assert_eq!(f64::as_f64(&b), Some(&b[..]));
        assert!(f32::as_f64(&a).is_none());
        assert_eq!(f32::narrow(0.1).wide(), 0.1f32 as f64);
        let mut x = vec![1.0f32; 3000];
        assert!(all_finite(&x));
        x[2500] = f32::NAN;
        assert!(!all_finite(&x));
        x[2500] = f32::NEG_INFINITY;
        assert!(!f32::all_finite(&x));
        let mut y = vec![0.5f64; 5];
        assert!(f64::all_finite(&y));
        y[0] = f64::INFINITY;
        assert!(!f64::all_finite(&y));
    }

    struct Pair(u8, u16);
    impl PerFloat for Pair {
        type Of<F: Float> = str;
        fn for_f32(&self) -> &str {
            if self.0 == 0 {
                "f32"
            } else {
                ""
            }
        }
        fn for_f64(&self) -> &str {
            if self.1 == 0 {
                "f64"
            } else {
                ""
            }
        }
    }

    #[test]
    fn pick_chooses_by_precision() {
        assert_eq!(f32::pick(&Pair(0, 0)), "f32");
        assert_eq!(f64::pick(&Pair(0, 0)), "f64");
    }
}
