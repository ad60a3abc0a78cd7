//! Forward real FFT of even length `n` through a complex FFT of length
//! `n / 2`, with the frame load and the split post-processing written so the
//! compiler vectorises them.
//!
//! realfft does the same transform, but its post-processing loop and the
//! separate framing copy cost more than the complex FFT itself for the
//! 2048-point frames audio features use. Here the windowed frame is written
//! straight into the complex input (even samples as real parts, odd as
//! imaginary), and the split step produces bins `k` and `n/2 - k` together:
//!
//! ```text
//! E = (Z[k] + conj Z[n/2-k]) / 2,  O = (Z[k] - conj Z[n/2-k]) / 2i
//! X[k] = E + W^k O,  X[n/2-k] = conj(E - W^k O),  W = exp(-2 pi i / n)
//! ```

use crate::dsp::fft::FftFloat;
use crate::dsp::sample::Sample;
use crate::dsp::simd;
use num_complex::Complex;
use rustfft::Fft;
use std::sync::Arc;

/// Real and imaginary parts of the split step's `W^k`, `k = 0..=n/4`
/// (cached per length beside the complex plans).
#[derive(Debug)]
pub struct SplitTwiddles<F> {
    re: Vec<F>,
    im: Vec<F>,
}

impl<F: FftFloat> SplitTwiddles<F> {
    fn new(n: usize) -> Self {
        let (re, im) = (0..=n / 4)
            .map(|k| {
                let ang = -2.0 * std::f64::consts::PI * k as f64 / n as f64;
                (
                    <F as Sample>::from_f64(ang.cos()),
                    <F as Sample>::from_f64(ang.sin()),
                )
            })
            .unzip();
        SplitTwiddles { re, im }
    }
}

/// A real forward FFT of even length with its own buffers.
pub struct EvenRealFft<F: FftFloat> {
    n: usize,
    fft: Arc<dyn Fft<F>>,
    tw: Arc<SplitTwiddles<F>>,
    input: Vec<Complex<F>>,
    output: Vec<Complex<F>>,
    scratch: Vec<Complex<F>>,
}

impl<F: FftFloat> EvenRealFft<F> {
    /// A transform of even length `n >= 2`.
    pub fn new(n: usize) -> Self {
        assert!(
            n >= 2 && n.is_multiple_of(2),
            "EvenRealFft needs an even length"
        );
        let half = n / 2;
        let (fft, tw) = {
            let mut guard = F::complex_planner()
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let (planner, cache) = &mut *guard;
            let tw = cache
                .entry(n)
                .or_insert_with(|| Arc::new(SplitTwiddles::new(n)))
                .clone();
            (planner.plan_fft_forward(half), tw)
        };
        let zero = Complex::new(<F as Sample>::from_f64(0.0), <F as Sample>::from_f64(0.0));
        let scratch = vec![zero; fft.get_outofplace_scratch_len()];
        EvenRealFft {
            n,
            fft,
            tw,
            input: vec![zero; half],
            output: vec![zero; half],
            scratch,
        }
    }

    /// The transform length.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false: the length is at least 2.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The real input buffer (`n` samples) to fill before [`Self::run`].
    pub fn input_mut(&mut self) -> &mut [F] {
        let len = self.n;
        // SAFETY: Complex<F> is #[repr(C)] { re, im }, so n/2 complex values
        // are exactly n contiguous F values in the order (re0, im0, re1, ...),
        // which is the even/odd packing the split step expects.
        unsafe { std::slice::from_raw_parts_mut(self.input.as_mut_ptr() as *mut F, len) }
    }

    /// Transform the input buffer; the input is left unspecified.
    #[inline]
    pub fn run(&mut self) {
        self.fft.process_outofplace_with_scratch(
            &mut self.input,
            &mut self.output,
            &mut self.scratch,
        );
    }

    /// Write the `n / 2 + 1` bins of the last [`Self::run`] into `out`.
    #[inline]
    pub fn spectrum(&self, out: &mut [Complex<F>]) {
        self.map_into(out, Complex::new);
    }

    /// Write `|X[k]|^2` for the `n / 2 + 1` bins of the last [`Self::run`]
    /// into `out`, squared in f64.
    #[inline]
    pub fn power(&self, out: &mut [f64]) {
        self.map_into(out, |re, im| {
            let (re, im) = (Sample::to_f64(re), Sample::to_f64(im));
            re * re + im * im
        });
    }

    /// Write `g(re, im)` of the `n / 2 + 1` bins of the last [`Self::run`]
    /// into `out` (the spectrum, its power, a magnitude...), straight from
    /// the split step.
    #[inline]
    pub fn map_into<T: Copy, G: Fn(F, F) -> T>(&self, out: &mut [T], g: G) {
        let half = self.n / 2;
        let zero = <F as Sample>::from_f64(0.0);
        let out = &mut out[..half + 1];
        // Bins 0 and n/2 are real; bin n/4 (when n/2 is even) is conj Z[n/4].
        let z0 = self.output[0];
        out[0] = g(z0.re + z0.im, zero);
        out[half] = g(z0.re - z0.im, zero);
        if half.is_multiple_of(2) && half >= 2 {
            let v = self.output[half / 2].conj();
            out[half / 2] = g(v.re, v.im);
        }
        #[cfg(target_arch = "x86_64")]
        if simd::has_avx2() {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { split_avx2(&self.output, &self.tw.re, &self.tw.im, out, &g) };
            return;
        }
        split_pairs(&self.output, &self.tw.re, &self.tw.im, out, &g);
    }
}

/// Pairs handled per block: one AVX register of f32, two of f64.
const LANES: usize = 8;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn split_avx2<F: FftFloat, T: Copy, G: Fn(F, F) -> T>(
    z: &[Complex<F>],
    tw_re: &[F],
    tw_im: &[F],
    out: &mut [T],
    g: &G,
) {
    split_pairs(z, tw_re, tw_im, out, g);
}

/// The split step for every pair `1 <= k < n/2 - k`, writing `g` of bins
/// `k` and `n/2 - k` into `out`, `LANES` pairs at a time on fixed-size
/// arrays (which the compiler turns into vector code).
#[inline(always)]
fn split_pairs<F: FftFloat, T: Copy, G: Fn(F, F) -> T>(
    z: &[Complex<F>],
    tw_re: &[F],
    tw_im: &[F],
    out: &mut [T],
    g: &G,
) {
    let half = z.len();
    let m = (half - 1) / 2;
    let h = <F as Sample>::from_f64(0.5);
    // One pair: E = (A + conj B) / 2, O = (A - conj B) / 2i, T = W^k O,
    // X[k] = E + T, X[n/2-k] = conj(E - T).
    let pair = |a: Complex<F>, b: Complex<F>, wr: F, wi: F| {
        let (er, ei) = ((a.re + b.re) * h, (a.im - b.im) * h);
        let (or, oi) = ((a.im + b.im) * h, (b.re - a.re) * h);
        let (tr, ti) = (wr * or - wi * oi, wr * oi + wi * or);
        (er + tr, ei + ti, er - tr, ti - ei)
    };
    let zero = <F as Sample>::from_f64(0.0);
    let mut k = 1;
    while k + LANES <= m + 1 {
        let k2 = half - k; // bins k2, k2 - 1, ... pair with k, k + 1, ...
        let a: &[Complex<F>; LANES] = (&z[k..k + LANES]).try_into().unwrap();
        let b: &[Complex<F>; LANES] = (&z[k2 + 1 - LANES..=k2]).try_into().unwrap();
        let wr: &[F; LANES] = (&tw_re[k..k + LANES]).try_into().unwrap();
        let wi: &[F; LANES] = (&tw_im[k..k + LANES]).try_into().unwrap();
        let (mut xr, mut xi, mut yr, mut yi) =
            ([zero; LANES], [zero; LANES], [zero; LANES], [zero; LANES]);
        for j in 0..LANES {
            let bj = b[LANES - 1 - j];
            (xr[j], xi[j], yr[j], yi[j]) = pair(a[j], bj, wr[j], wi[j]);
        }
        let lo: &mut [T; LANES] = (&mut out[k..k + LANES]).try_into().unwrap();
        for (o, (re, im)) in lo.iter_mut().zip(xr.iter().zip(&xi)) {
            *o = g(*re, *im);
        }
        let hi: &mut [T; LANES] = (&mut out[k2 + 1 - LANES..=k2]).try_into().unwrap();
        for j in 0..LANES {
            hi[LANES - 1 - j] = g(yr[j], yi[j]);
        }
        k += LANES;
    }
    while k <= m {
        let (xr, xi, yr, yi) = pair(z[k], z[half - k], tw_re[k], tw_im[k]);
        out[k] = g(xr, xi);
        out[half - k] = g(yr, yi);
        k += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::fft::tests::naive_dft;

    #[test]
    fn matches_naive_dft_for_even_lengths() {
        for n in [2usize, 4, 6, 8, 10, 12, 30, 64, 126, 256] {
            let x: Vec<f64> = (0..n)
                .map(|i| ((i * 7 % 11) as f64 - 5.0) * 0.3 + (i as f64 * 0.1).sin())
                .collect();
            let want = naive_dft(&x);
            let mut f = EvenRealFft::<f64>::new(n);
            f.input_mut().copy_from_slice(&x);
            f.run();
            let mut got = vec![Complex::new(0.0, 0.0); n / 2 + 1];
            f.spectrum(&mut got);
            let mut pw = vec![0.0; n / 2 + 1];
            f.power(&mut pw);
            let mut im = vec![0.0; n / 2 + 1];
            f.map_into(&mut im, |_, i| i);
            for k in 0..=n / 2 {
                assert!((got[k] - want[k]).norm() < 1e-9, "n={n} k={k}");
                assert!((pw[k] - want[k].norm_sqr()).abs() < 1e-8, "n={n} k={k}");
                assert_eq!(im[k], got[k].im, "n={n} k={k}");
            }
            let mut f32t = EvenRealFft::<f32>::new(n);
            for (d, s) in f32t.input_mut().iter_mut().zip(&x) {
                *d = *s as f32;
            }
            f32t.run();
            let mut got32 = vec![Complex::new(0.0f32, 0.0); n / 2 + 1];
            f32t.spectrum(&mut got32);
            for k in 0..=n / 2 {
                let g = Complex::new(got32[k].re as f64, got32[k].im as f64);
                assert!((g - want[k]).norm() < 1e-4, "f32 n={n} k={k}");
            }
        }
    }
}
