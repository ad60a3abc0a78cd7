//! Real FFT plans, planned once per size and precision and shared by every
//! call and thread.

use crate::dsp::num::float::{Float, PerFloat};
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::{Fft, FftPlanner};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Real and imaginary parts of the split step's `W^k`, `k = 0..=n/4`, for
/// [`crate::dsp::spectrum::rfft::EvenRealFft`] (cached per length beside
/// the complex plans).
#[derive(Debug)]
pub struct SplitTwiddles<F> {
    pub(crate) re: Vec<F>,
    pub(crate) im: Vec<F>,
}

impl<F: Float> SplitTwiddles<F> {
    fn new(n: usize) -> Self {
        let (re, im) = (0..=n / 4)
            .map(|k| {
                let ang = -2.0 * std::f64::consts::PI * k as f64 / n as f64;
                (F::narrow(ang.cos()), F::narrow(ang.sin()))
            })
            .unzip();
        SplitTwiddles { re, im }
    }
}

/// A complex planner and the split-step twiddles cached beside it.
pub type ComplexPlans<F> = (FftPlanner<F>, HashMap<usize, Arc<SplitTwiddles<F>>>);

/// The real-FFT planners, one per precision.
struct RealPlans;
impl PerFloat for RealPlans {
    type Of<F: Float> = Mutex<RealFftPlanner<F>>;
    fn for_f32(&self) -> &Mutex<RealFftPlanner<f32>> {
        static P: OnceLock<Mutex<RealFftPlanner<f32>>> = OnceLock::new();
        P.get_or_init(|| Mutex::new(RealFftPlanner::new()))
    }
    fn for_f64(&self) -> &Mutex<RealFftPlanner<f64>> {
        static P: OnceLock<Mutex<RealFftPlanner<f64>>> = OnceLock::new();
        P.get_or_init(|| Mutex::new(RealFftPlanner::new()))
    }
}

/// The complex planners and split twiddles, one per precision.
struct ComplexPlanCache;
impl PerFloat for ComplexPlanCache {
    type Of<F: Float> = Mutex<ComplexPlans<F>>;
    fn for_f32(&self) -> &Mutex<ComplexPlans<f32>> {
        static P: OnceLock<Mutex<ComplexPlans<f32>>> = OnceLock::new();
        P.get_or_init(|| Mutex::new((FftPlanner::new(), HashMap::new())))
    }
    fn for_f64(&self) -> &Mutex<ComplexPlans<f64>> {
        static P: OnceLock<Mutex<ComplexPlans<f64>>> = OnceLock::new();
        P.get_or_init(|| Mutex::new((FftPlanner::new(), HashMap::new())))
    }
}

fn complex_plans<F: Float>() -> &'static Mutex<ComplexPlans<F>> {
    F::pick(&ComplexPlanCache)
}

/// The forward complex FFT of length `n / 2` and the split twiddles of
/// length `n` (both cached): the parts of an even real FFT of length `n`.
pub fn split_plan<F: Float>(n: usize) -> (Arc<dyn Fft<F>>, Arc<SplitTwiddles<F>>) {
    let mut guard = complex_plans::<F>()
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let (planner, cache) = &mut *guard;
    let tw = cache
        .entry(n)
        .or_insert_with(|| Arc::new(SplitTwiddles::new(n)))
        .clone();
    (planner.plan_fft_forward(n / 2), tw)
}

/// The complex FFT of length `n` in precision `F` (cached), forward or
/// inverse (unnormalised).
pub fn complex_in<F: Float>(n: usize, inverse: bool) -> Arc<dyn Fft<F>> {
    let mut p = complex_plans::<F>()
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if inverse {
        p.0.plan_fft_inverse(n)
    } else {
        p.0.plan_fft_forward(n)
    }
}

/// The forward real FFT of length `n` in f64 (cached).
pub fn forward(n: usize) -> Arc<dyn RealToComplex<f64>> {
    forward_in::<f64>(n)
}

/// The inverse real FFT of length `n` in f64 (cached, unnormalised).
pub fn inverse(n: usize) -> Arc<dyn ComplexToReal<f64>> {
    inverse_in::<f64>(n)
}

/// The forward real FFT of length `n` in precision `F` (cached).
pub fn forward_in<F: Float>(n: usize) -> Arc<dyn RealToComplex<F>> {
    let mut p = F::pick(&RealPlans)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    p.plan_fft_forward(n)
}

/// The inverse real FFT of length `n` in precision `F` (cached, unnormalised).
pub fn inverse_in<F: Float>(n: usize) -> Arc<dyn ComplexToReal<F>> {
    let mut p = F::pick(&RealPlans)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    p.plan_fft_inverse(n)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use num_complex::Complex;

    /// The first `n / 2 + 1` bins of the DFT of `x`, from the definition:
    /// the oracle for the real-FFT tests.
    pub(crate) fn naive_dft(x: &[f64]) -> Vec<Complex<f64>> {
        let n = x.len();
        (0..n / 2 + 1)
            .map(|k| {
                x.iter()
                    .enumerate()
                    .fold(Complex::new(0.0, 0.0), |acc, (t, &v)| {
                        let ang = -2.0 * std::f64::consts::PI * (k * t) as f64 / n as f64;
                        acc + Complex::new(ang.cos(), ang.sin()) * v
                    })
            })
            .collect()
    }

    #[test]
    fn forward_matches_naive_dft_even_and_odd() {
        for n in [1usize, 2, 7, 16, 45, 64] {
            let x: Vec<f64> = (0..n).map(|i| ((i * 7 % 5) as f64 - 2.0) * 0.3).collect();
            let plan = forward(n);
            let mut input = x.clone();
            let mut out = plan.make_output_vec();
            plan.process(&mut input, &mut out).unwrap();
            for (a, b) in out.iter().zip(naive_dft(&x)) {
                assert!((a - b).norm() < 1e-10, "n={n}");
            }
            let plan32 = forward_in::<f32>(n);
            let mut input32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            let mut out32 = plan32.make_output_vec();
            plan32.process(&mut input32, &mut out32).unwrap();
            for (a, b) in out32.iter().zip(naive_dft(&x)) {
                let a = Complex::new(a.re as f64, a.im as f64);
                assert!((a - b).norm() < 1e-5, "f32 n={n}");
            }
        }
    }
}
