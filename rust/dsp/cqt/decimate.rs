//! Downsampling by two for the multi-rate CQT: a linear-phase half-band
//! FIR (Kaiser-windowed sinc, ~100 dB stop band) centred on the kept
//! samples, so output m is the low-passed signal at input sample 2m, as
//! soxr's zero-delay resampling that librosa uses.
//!
//! The filter is only as long as the CQT needs: the pass band must reach
//! the highest frequency the next octave's (sparse) filters read, `pass`
//! (a fraction of the new Nyquist), and anything that would fold onto that
//! band must be stopped; frequencies in between are never read.

use crate::dsp::num::float::Float;
use std::f64::consts::PI;

/// A half-band low-pass: `y[m] = gain * (x[2m] / 2 + sum_j taps[j] *
/// (x[2m - (2j+1)] + x[2m + (2j+1)]))`.
#[derive(Debug, Clone, PartialEq)]
pub struct HalfBand {
    taps: Vec<f64>,
    gain: f64,
}

/// Modified Bessel function of the first kind, order 0 (series).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let q = x * x / 4.0;
    for k in 1..200 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

impl HalfBand {
    /// Design for a pass band up to `pass` times the output Nyquist
    /// (clamped to [0.05, 0.95]) with ~100 dB attenuation, output scaled by `gain`.
    pub fn design(pass: f64, gain: f64) -> Self {
        let pass = pass.clamp(0.05, 0.95);
        let atten = 100.0;
        // transition (pass .. 2 - pass) x new Nyquist, in cycles per input sample
        let width = (1.0 - pass) / 2.0;
        let n_total = ((atten - 7.95) / (14.36 * width)).ceil() as usize + 1;
        // taps at odd offsets 1, 3, ..., up to half the length
        let n_taps = (n_total / 4 + 1).max(2);
        let half = (2 * n_taps) as f64; // window half-width (reaches 0 just past the last tap)
        let beta = 0.1102 * (atten - 8.7);
        let i0b = bessel_i0(beta);
        let taps = (0..n_taps)
            .map(|j| {
                let k = (2 * j + 1) as f64;
                let ideal = (PI * k / 2.0).sin() / (PI * k);
                let r = k / half;
                ideal * bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / i0b
            })
            .collect();
        HalfBand { taps, gain }
    }

    /// The same filter with its output scaled by `gain` instead.
    pub fn with_gain(&self, gain: f64) -> Self {
        HalfBand {
            taps: self.taps.clone(),
            gain,
        }
    }

    /// Number of one-sided taps.
    pub fn len(&self) -> usize {
        self.taps.len()
    }

    /// True when the filter has no side taps (never, by construction).
    pub fn is_empty(&self) -> bool {
        self.taps.is_empty()
    }

    /// Downsample `x` by two (zeros beyond both ends): `ceil(n / 2)` samples.
    pub fn decimate<F: Float>(&self, x: &[F]) -> Vec<F> {
        let mut y = Vec::new();
        let (n_out, _) = self.decimate_into(x, &mut y, false);
        y.truncate(n_out);
        y
    }

    /// [`HalfBand::decimate`] into `y[..n_out]`, in the precision of `x`:
    /// `y` only grows (its memory is reused across calls and never cleared),
    /// so its length can exceed `n_out`. Returns `n_out` and, with
    /// `check_finite`, whether every sample of `x` is finite (checked on the
    /// way, at no extra pass; true without it).
    pub fn decimate_into<F: Float>(
        &self,
        x: &[F],
        y: &mut Vec<F>,
        check_finite: bool,
    ) -> (usize, bool) {
        let n_out = x.len().div_ceil(2);
        // The gain is folded into the taps.
        let taps: Vec<F> = self.taps.iter().map(|t| F::narrow(t * self.gain)).collect();
        let centre = F::narrow(0.5 * self.gain);
        if y.len() < n_out {
            y.resize(n_out, F::narrow(0.0));
        }
        let y = &mut y[..n_out];
        #[cfg(target_arch = "x86_64")]
        if crate::dsp::num::simd::has_avx2() {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            let ok = unsafe { decimate_blocks_avx2(&taps, centre, x, y, check_finite) };
            return (n_out, ok);
        }
        (
            n_out,
            decimate_blocks::<F, false>(&taps, centre, x, y, check_finite),
        )
    }
}

/// Output samples per block of [`decimate_blocks`]: the block and the odd
/// samples it reads stay in L1 while every tap passes over them.
const FIR_BLOCK: usize = 1024;

/// Outputs computed together (four AVX2 registers of f32, eight of f64).
const LANES: usize = 32;

/// `y[m] = centre * x[2m] + sum_j taps[j] * (x[2m - (2j+1)] + x[2m + (2j+1)])`
/// (zeros outside `x`), one cache-sized block of outputs at a time: the
/// block's odd samples are gathered once, then [`LANES`] outputs at a time
/// run over all taps (which vectorises). Taps are applied in order for
/// every sample, so the blocking changes no bits. With `check_finite`,
/// returns whether every sample of `x` is finite.
#[inline(always)]
fn decimate_blocks<F: Float, const FMA: bool>(
    taps: &[F],
    centre: F,
    x: &[F],
    y: &mut [F],
    check_finite: bool,
) -> bool {
    let p = taps.len();
    let n = x.len();
    let n_out = y.len();
    let zero = F::narrow(0.0);
    // odd[i] = x[2 (b0 - p + i) + 1]: output m reads odd[m - b0 + p - j - 1]
    // and odd[m - b0 + p + j].
    let mut odd = vec![zero; FIR_BLOCK + 2 * p];
    // sum of v * 0 over the input: NaN exactly when some v is not finite
    let mut nan = [zero; 8];
    let mut b0 = 0;
    while b0 < n_out {
        let b1 = (b0 + FIR_BLOCK).min(n_out);
        let len = b1 - b0 + 2 * p;
        let odd = &mut odd[..len];
        // first odd sample index read, and one past the last
        let (q0, q1) = (b0 as isize - p as isize, (b1 + p) as isize);
        if q0 >= 0 && 2 * q1 as usize <= n {
            let src = &x[2 * q0 as usize..2 * q1 as usize];
            for (o, pair) in odd.iter_mut().zip(src.chunks_exact(2)) {
                *o = pair[1];
            }
        } else {
            for (i, o) in odd.iter_mut().enumerate() {
                let k = 2 * (q0 + i as isize) + 1;
                *o = if k >= 0 && (k as usize) < n {
                    x[k as usize]
                } else {
                    zero
                };
            }
        }
        if check_finite {
            let inputs = x[2 * b0..(2 * b1).min(n)].chunks_exact(8);
            for &v in inputs.remainder() {
                nan[0] = nan[0] + v * zero;
            }
            for v in inputs {
                for l in 0..8 {
                    nan[l] = nan[l] + v[l] * zero;
                }
            }
        }
        let yb = &mut y[b0..b1];
        let even = x[2 * b0..(2 * b1).min(n)].chunks_exact(2);
        if let Some(&last) = even.remainder().first() {
            yb[yb.len() - 1] = centre * last;
        }
        for (v, pair) in yb.iter_mut().zip(even) {
            *v = centre * pair[0];
        }
        // LANES outputs at a time, kept in registers over all taps.
        let full = yb.len() - yb.len() % LANES;
        for (c, out) in yb[..full].chunks_exact_mut(LANES).enumerate() {
            // output m + l reads w[p - j - 1 + l] and w[p + j + l]
            let w = &odd[c * LANES..c * LANES + 2 * p + LANES];
            let out: &mut [F; LANES] = out.try_into().expect("LANES outputs");
            let mut acc = *out;
            let lo = w[..p - 1 + LANES].windows(LANES).rev();
            let hi = w[p..].windows(LANES);
            for ((&t, lo), hi) in taps.iter().zip(lo).zip(hi) {
                let lo: &[F; LANES] = lo.try_into().expect("LANES inputs");
                let hi: &[F; LANES] = hi.try_into().expect("LANES inputs");
                for l in 0..LANES {
                    acc[l] = if FMA {
                        t.mul_add(lo[l] + hi[l], acc[l])
                    } else {
                        acc[l] + t * (lo[l] + hi[l])
                    };
                }
            }
            *out = acc;
        }
        for (i, v) in yb.iter_mut().enumerate().skip(full) {
            for (j, &t) in taps.iter().enumerate() {
                *v = *v + t * (odd[i + p - j - 1] + odd[i + p + j]);
            }
        }
        b0 = b1;
    }
    let total = nan.iter().fold(zero, |a, &b| a + b);
    total == zero
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn decimate_blocks_avx2<F: Float>(
    taps: &[F],
    centre: F,
    x: &[F],
    y: &mut [F],
    check_finite: bool,
) -> bool {
    decimate_blocks::<F, true>(taps, centre, x, y, check_finite)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gain_at(hb: &HalfBand, f: f64) -> f64 {
        // frequency response of the full-rate filter at f cycles/sample
        let mut h = 0.5;
        for (j, t) in hb.taps.iter().enumerate() {
            h += 2.0 * t * (2.0 * PI * f * (2 * j + 1) as f64).cos();
        }
        h
    }

    #[test]
    fn pass_and_stop_bands() {
        for pass in [0.3, 0.6, 0.9] {
            let hb = HalfBand::design(pass, 1.0);
            for i in 0..50 {
                let f = pass * 0.25 * i as f64 / 49.0;
                assert!((gain_at(&hb, f) - 1.0).abs() < 2e-5, "pass {pass} f {f}");
                let g = 0.5 - f; // mirror frequency folds onto f
                assert!(gain_at(&hb, g).abs() < 2e-5, "stop {pass} f {g}");
            }
        }
    }

    #[test]
    fn decimated_tone_keeps_amplitude_and_phase() {
        let n = 4000;
        let f = 0.05; // cycles per input sample
        let x: Vec<f64> = (0..n).map(|i| (2.0 * PI * f * i as f64).cos()).collect();
        let y = HalfBand::design(0.5, 1.0).decimate(&x);
        let mut bad = x.clone();
        bad[1234] = f64::INFINITY;
        assert!(
            !HalfBand::design(0.5, 1.0)
                .decimate_into(&bad, &mut Vec::new(), true)
                .1
        );
        bad[1234] = f64::NAN;
        assert!(
            !HalfBand::design(0.5, 1.0)
                .decimate_into(&bad, &mut Vec::new(), true)
                .1
        );
        bad[1234] = 1e300;
        assert!(
            HalfBand::design(0.5, 1.0)
                .decimate_into(&bad, &mut Vec::new(), true)
                .1
        );
        let y32 =
            HalfBand::design(0.5, 1.0).decimate(&x.iter().map(|&v| v as f32).collect::<Vec<_>>());
        for (a, b) in y.iter().zip(&y32) {
            assert!((a - *b as f64).abs() < 1e-5);
        }
        assert_eq!(y.len(), 2000);
        for (m, v) in y.iter().enumerate().take(1800).skip(200) {
            let want = (2.0 * PI * f * (2 * m) as f64).cos();
            assert!((v - want).abs() < 1e-4);
        }
    }
}
