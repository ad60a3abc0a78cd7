//! Real FFT plans, planned once per size and shared by every call and thread.

use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use std::sync::{Arc, Mutex, OnceLock};

fn planner() -> &'static Mutex<RealFftPlanner<f64>> {
    static PLANNER: OnceLock<Mutex<RealFftPlanner<f64>>> = OnceLock::new();
    PLANNER.get_or_init(|| Mutex::new(RealFftPlanner::new()))
}

/// The forward real FFT of length `n` (cached).
pub fn forward(n: usize) -> Arc<dyn RealToComplex<f64>> {
    let mut p = planner().lock().unwrap_or_else(|e| e.into_inner());
    p.plan_fft_forward(n)
}

/// The inverse real FFT of length `n` (cached, unnormalised).
pub fn inverse(n: usize) -> Arc<dyn ComplexToReal<f64>> {
    let mut p = planner().lock().unwrap_or_else(|e| e.into_inner());
    p.plan_fft_inverse(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_complex::Complex;

    fn naive_dft(x: &[f64]) -> Vec<Complex<f64>> {
        let n = x.len();
        (0..n / 2 + 1)
            .map(|k| {
                x.iter().enumerate().fold(Complex::new(0.0, 0.0), |acc, (t, &v)| {
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
        }
    }
}
