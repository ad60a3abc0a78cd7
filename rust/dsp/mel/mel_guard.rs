//! Error estimate that lets the float32 mel spectrogram use an f32 FFT.
//!
//! librosa's float32 STFT is an f64 FFT rounded to complex64, so its error
//! in a bin is relative to that bin. An f32 FFT instead adds noise of about
//! the same absolute size to every bin (variance `sigma^2`, proportional to
//! the frame's energy, [`crate::dsp::spectrum::noise`]). A mel band then moves by
//! about `sqrt(2 sigma^2 wmax_m P_m) + sigma^2 sum_k w_k` (the cross term
//! and the noise's own power). That is far below the output's peak unless
//! every band of the whole spectrogram sees only leakage (a tone above
//! `fmax`, say), where it reached 5e-5 of the peak; such frames are
//! computed again with an f64 FFT.

use crate::dsp::mel::bank::MelBank;
use crate::dsp::spectrum::noise::variance_per_energy;

/// A frame is redone in f64 when its estimated largest band error exceeds
/// this fraction of the spectrogram's peak (the float32 contract is 1e-5).
pub const REDO_ABOVE: f64 = 1e-6;

/// Per-bank constants of the estimate.
pub struct MelGuard {
    /// Largest weight of each filter.
    wmax: Vec<f32>,
    /// The largest sum of one filter's weights.
    wsum_max: f64,
    /// Bin-noise variance per unit of half-spectrum energy.
    per_energy: f64,
}

impl MelGuard {
    /// The estimate's constants for `bank` and FFT size `n_fft`.
    pub fn new(bank: &MelBank, n_fft: usize) -> Self {
        let wmax = bank.row_peaks_f32();
        let wsum_max = (0..bank.n_mels())
            .map(|m| bank.row(m).1.iter().sum::<f64>())
            .fold(0.0, f64::max);
        MelGuard {
            wmax,
            wsum_max,
            per_energy: variance_per_energy(n_fft),
        }
    }

    /// Estimated largest band error of a frame whose half-spectrum power
    /// sums to `half_energy` and whose mel bands are `mel`: the larger of
    /// the two terms' maxima taken separately (a little above the maximum
    /// of their sum), which needs no square root per band.
    pub fn estimate(&self, half_energy: f64, mel: &[f32]) -> f64 {
        // NaN or infinite energy: never trusted.
        if !half_energy.is_finite() {
            return f64::INFINITY;
        }
        let sigma2 = self.per_energy * half_energy;
        let cross = max_product(&self.wmax, mel) as f64;
        (2.0 * sigma2 * cross).sqrt() + sigma2 * self.wsum_max
    }
}

/// `max_m a[m] * b[m]` (0 for empty input; NaN products are skipped, and
/// a NaN band comes with a NaN energy, which the caller rejects).
#[inline]
fn max_product(a: &[f32], b: &[f32]) -> f32 {
    const L: usize = 8;
    let mut acc = [0.0f32; L];
    let (ac, bc) = (a.chunks_exact(L), b.chunks_exact(L));
    let mut tail = 0.0f32;
    for (x, y) in ac.remainder().iter().zip(bc.remainder()) {
        let v = x * y;
        if v > tail {
            tail = v;
        }
    }
    for (x, y) in ac.zip(bc) {
        for j in 0..L {
            let v = x[j] * y[j];
            // A plain comparison (not f32::max) so the loop vectorises.
            acc[j] = if v > acc[j] { v } else { acc[j] };
        }
    }
    acc.iter().fold(tail, |m, &v| if v > m { v } else { m })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maxima_match_naive_folds() {
        for n in [0usize, 1, 7, 8, 9, 17, 128] {
            let a: Vec<f32> = (0..n).map(|i| ((i * 37) % 11) as f32 * 0.5).collect();
            let b: Vec<f32> = (0..n).map(|i| ((i * 13) % 7) as f32 + 0.25).collect();
            let want = a.iter().zip(&b).map(|(x, y)| x * y).fold(0.0f32, f32::max);
            assert_eq!(max_product(&a, &b), want, "n={n}");
            assert_eq!(
                crate::dsp::num::simd::max_f32(&b),
                b.iter().cloned().fold(0.0f32, f32::max),
                "n={n}"
            );
        }
    }
}
