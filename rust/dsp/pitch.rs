//! Pitch tracking on spectral peaks (librosa.piptrack) one frame at a time.
//!
//! A bin is a peak when it is a local maximum of `S * (S > ref)`, lies in
//! `[fmin, fmax)`, and its parabolic-interpolation shift refines the pitch
//! and magnitude. Arithmetic follows librosa's precision step by step
//! (numba's float32 stencil, numpy's float32 gradient) so the peak set and
//! the values feeding `estimate_tuning`'s median match librosa's.

use crate::dsp::spectral::{fft_frequencies, wide, Real};
use crate::error::{DspError, DspResult};

/// How the per-frame magnitude threshold is chosen.
#[derive(Debug, Clone, Copy)]
pub enum PipRef {
    /// `threshold * max(S[:, t])`, computed in the input precision.
    MaxTimes(f64),
    /// One absolute value for every frame (compared in float64).
    Fixed(f64),
}

/// piptrack's parameters.
#[derive(Debug, Clone)]
pub struct PipConfig {
    pub sr: f64,
    pub n_fft: usize,
    pub fmin: f64,
    pub fmax: f64,
    pub reference: PipRef,
    /// `fmin <= f < fmax` per bin (after clipping fmin >= 0, fmax <= sr/2).
    mask: Vec<bool>,
}

impl PipConfig {
    /// Resolve the frequency mask for `n_bins = n_fft / 2 + 1` bins.
    pub fn new(sr: f64, n_fft: usize, fmin: f64, fmax: f64, reference: PipRef) -> DspResult<Self> {
        if !(sr.is_finite() && sr > 0.0) {
            return Err(DspError::param("sr", sr, "a positive number"));
        }
        if n_fft == 0 {
            return Err(DspError::param("n_fft", 0, "a positive integer"));
        }
        let fmin = fmin.max(0.0);
        let fmax = fmax.min(sr / 2.0);
        let mask = fft_frequencies(sr, n_fft)
            .iter()
            .map(|&f| fmin <= f && f < fmax)
            .collect();
        Ok(PipConfig {
            sr,
            n_fft,
            fmin,
            fmax,
            reference,
            mask,
        })
    }

    /// Number of bins this configuration expects.
    pub fn n_bins(&self) -> usize {
        self.mask.len()
    }
}

/// numba's parabolic shift at interior bin `i` (0 when the vertex is more
/// than one bin away). The stencil mixes float32 sums with integer
/// constants, which numba evaluates in float64.
#[inline]
fn parabolic_shift<T: Real>(s: &[T], i: usize) -> T {
    let (l, c, r) = (s[i - 1], s[i], s[i + 1]);
    let a = wide(r + l) - 2.0 * wide(c);
    let b = (r - l).to_f64() / 2.0;
    if b.abs() >= a.abs() {
        T::zero()
    } else {
        T::from_f64(-b / a)
    }
}

/// np.gradient along bins at `i`, in the input precision.
#[inline]
fn gradient<T: Real>(s: &[T], i: usize) -> T {
    let n = s.len();
    if i == 0 {
        s[1] - s[0]
    } else if i == n - 1 {
        s[n - 1] - s[n - 2]
    } else {
        (s[i + 1] - s[i - 1]) / T::from_f64(2.0)
    }
}

/// Visit every peak of one frame: `visit(bin, pitch, magnitude)`.
pub fn frame_peaks<T: Real>(s: &[T], cfg: &PipConfig, mut visit: impl FnMut(usize, T, T)) {
    let n = s.len();
    if n < 2 {
        return;
    }
    // S > ref as librosa compares: in T for a max-based reference, in f64
    // for a fixed one.
    let above: Box<dyn Fn(T) -> bool> = match cfg.reference {
        PipRef::MaxTimes(thr) => {
            let m = s.iter().fold(
                T::neg_infinity(),
                |a, &v| if v > a || v.is_nan() { v } else { a },
            );
            let r = T::from_f64(thr) * m;
            Box::new(move |v: T| v > r)
        }
        PipRef::Fixed(r) => {
            let r = r.abs();
            Box::new(move |v: T| wide(v) > r)
        }
    };
    let x = |i: usize| -> T {
        if above(s[i]) {
            s[i]
        } else {
            T::zero()
        }
    };
    let scale = cfg.sr / cfg.n_fft as f64;
    let half = T::from_f64(0.5);
    let (mut prev, mut cur) = (x(0), x(1));
    for i in 1..n {
        let next = if i + 1 < n { x(i + 1) } else { T::zero() };
        // util.localmax: x[i] > x[i-1] and x[i] >= x[i+1]; the last bin
        // only needs x[-1] > x[-2].
        let is_max = if i + 1 < n {
            cur > prev && cur >= next
        } else {
            cur > prev
        };
        if is_max && cfg.mask[i] {
            let shift = if i + 1 < n {
                parabolic_shift(s, i)
            } else {
                T::zero()
            };
            let pitch = T::from_f64((i as f64 + wide(shift)) * scale);
            let dskew = half * gradient(s, i) * shift;
            visit(i, pitch, s[i] + dskew);
        }
        prev = cur;
        cur = next;
    }
}

/// Peaks of a frame-major spectrogram (`items x n_bins`): pitches and
/// magnitudes of every peak, frame by frame.
pub fn all_peaks<T: Real>(frames: &[T], cfg: &PipConfig) -> DspResult<(Vec<T>, Vec<T>)> {
    let nb = cfg.n_bins();
    if frames.len() % nb != 0 {
        return Err(DspError::shape(
            "spectrogram",
            format!("a multiple of {nb} bins"),
            frames.len(),
        ));
    }
    let mut pitches = Vec::new();
    let mut mags = Vec::new();
    for col in frames.chunks_exact(nb) {
        frame_peaks(col, cfg, |_, p, m| {
            pitches.push(p);
            mags.push(m);
        });
    }
    Ok((pitches, mags))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_interpolated_peak_of_a_parabola() {
        let sr = 8000.0;
        let n_fft = 64;
        let cfg = PipConfig::new(sr, n_fft, 0.0, 4000.0, PipRef::MaxTimes(0.1)).unwrap();
        // A parabola with its vertex at bin 10.25.
        let s: Vec<f64> = (0..33)
            .map(|k| (100.0 - (k as f64 - 10.25).powi(2)).max(0.0))
            .collect();
        let mut found = vec![];
        frame_peaks(&s, &cfg, |i, p, m| found.push((i, p, m)));
        assert_eq!(found.len(), 1);
        let (i, p, m) = found[0];
        assert_eq!(i, 10);
        assert!((p - 10.25 * sr / n_fft as f64).abs() < 1e-9);
        assert!(m > s[10]);
    }

    #[test]
    fn respects_frequency_mask_and_threshold() {
        let cfg = PipConfig::new(8000.0, 64, 1000.0, 2000.0, PipRef::MaxTimes(0.5)).unwrap();
        let mut s = vec![0.0f32; 33];
        s[4] = 10.0; // 500 Hz: outside the mask
        s[12] = 4.0; // below half the max
        s[14] = 6.0; // kept
        let mut bins = vec![];
        frame_peaks(&s, &cfg, |i, _, _| bins.push(i));
        assert_eq!(bins, vec![14]);
    }
}
