//! Downsampling by two for the multi-rate CQT: a linear-phase half-band
//! FIR (Kaiser-windowed sinc, ~100 dB stop band) centred on the kept
//! samples, so output m is the low-passed signal at input sample 2m, as
//! soxr's zero-delay resampling that librosa uses.
//!
//! The filter is only as long as the CQT needs: the pass band must reach
//! the highest frequency the next octave's (sparse) filters read, `pass`
//! (a fraction of the new Nyquist), and anything that would fold onto that
//! band must be stopped; frequencies in between are never read.

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

    /// Number of one-sided taps.
    pub fn len(&self) -> usize {
        self.taps.len()
    }

    /// True when the filter has no side taps (never, by construction).
    pub fn is_empty(&self) -> bool {
        self.taps.is_empty()
    }

    /// Downsample `x` by two (zeros beyond both ends): `ceil(n / 2)` samples.
    pub fn decimate(&self, x: &[f64]) -> Vec<f64> {
        let (mut odd, mut y) = (Vec::new(), Vec::new());
        self.decimate_into(x, &mut odd, &mut y);
        y
    }

    /// [`HalfBand::decimate`] into `y`, with `odd` as scratch: both are
    /// cleared and refilled, so their memory is reused across calls.
    pub fn decimate_into(&self, x: &[f64], odd: &mut Vec<f64>, y: &mut Vec<f64>) {
        let n = x.len();
        let n_out = n.div_ceil(2);
        let p = self.taps.len();
        // Odd samples, zero-padded by p on both sides: output m reads odd
        // samples m - j - 1 and m + j (x[2m - (2j+1)], x[2m + (2j+1)]).
        odd.clear();
        odd.resize(n_out + 2 * p, 0.0);
        for (o, v) in odd[p..].iter_mut().zip(x.iter().skip(1).step_by(2)) {
            *o = *v;
        }
        y.clear();
        y.extend(x.iter().step_by(2).map(|v| 0.5 * v));
        fir(&self.taps, odd, y);
        if self.gain != 1.0 {
            y.iter_mut().for_each(|v| *v *= self.gain);
        }
    }
}

/// Output samples per block of [`fir_blocks`]: the block and the odd
/// samples it reads stay in L1 while every tap passes over them.
const FIR_BLOCK: usize = 512;

/// `y[i] += sum_j taps[j] * (odd[p - j - 1 + i] + odd[p + j + i])`, taps in
/// order for every sample (so blocking changes no bits), one cache-sized
/// block of outputs at a time instead of one pass over all of `y` per tap.
/// Tap-major loops over contiguous slices vectorise.
#[inline(always)]
fn fir_blocks(taps: &[f64], odd: &[f64], y: &mut [f64]) {
    let p = taps.len();
    let n_out = y.len();
    let mut b0 = 0;
    while b0 < n_out {
        let b1 = (b0 + FIR_BLOCK).min(n_out);
        let yb = &mut y[b0..b1];
        for (j, &t) in taps.iter().enumerate() {
            let lo = &odd[p - j - 1 + b0..p - j - 1 + b1];
            let hi = &odd[p + j + b0..p + j + b1];
            for ((acc, a), b) in yb.iter_mut().zip(lo).zip(hi) {
                *acc += t * (a + b);
            }
        }
        b0 = b1;
    }
}

/// [`fir_blocks`], built for AVX2 when the CPU has it.
fn fir(taps: &[f64], odd: &[f64], y: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if crate::dsp::simd::has_avx2() {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { fir_blocks_avx2(taps, odd, y) };
    }
    fir_blocks(taps, odd, y);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fir_blocks_avx2(taps: &[f64], odd: &[f64], y: &mut [f64]) {
    fir_blocks(taps, odd, y);
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
        assert_eq!(y.len(), 2000);
        for (m, v) in y.iter().enumerate().take(1800).skip(200) {
            let want = (2.0 * PI * f * (2 * m) as f64).cos();
            assert!((v - want).abs() < 1e-4);
        }
    }
}
