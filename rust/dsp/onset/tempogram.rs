//! The autocorrelation tempogram's inner loop (librosa.feature.tempogram):
//! every hop-1 window of the onset envelope, times the analysis window,
//! autocorrelated through a real FFT of at least `2 L - 1` points.

use crate::dsp::num::parallel::{for_each_range, SharedMut};
use crate::dsp::spectrum::fft::{forward, inverse};
use crate::error::{DspError, DspResult};
use num_complex::Complex;

/// Autocorrelations of the `n_frames` windows `env[t..t + L] * window`
/// (`L = window.len()`), lags `0..L`, into `out` laid out `(frame, lag)`.
/// `n_fft >= 2 L - 1` is the transform length (librosa's next fast length).
pub fn windowed_autocorrelation(
    env: &[f64],
    window: &[f64],
    n_fft: usize,
    out: &mut [f64],
) -> DspResult<()> {
    let l = window.len();
    if l == 0 {
        return Err(DspError::param("win_length", 0, "a positive integer"));
    }
    if env.len() < l {
        return Err(DspError::shape(
            "onset envelope",
            format!(">= {l}"),
            env.len(),
        ));
    }
    if n_fft < 2 * l - 1 {
        return Err(DspError::param(
            "n_fft",
            n_fft,
            format!("at least {}", 2 * l - 1),
        ));
    }
    let n_frames = env.len() - l + 1;
    if out.len() != n_frames * l {
        return Err(DspError::shape("tempogram output", n_frames * l, out.len()));
    }
    if env.iter().any(|v| !v.is_finite()) {
        return Err(DspError::NonFinite {
            what: "onset envelope",
        });
    }
    let (fwd, inv) = (forward(n_fft), inverse(n_fft));
    let dst = SharedMut::new(out);
    for_each_range(n_frames, 64, |range| {
        let mut input = fwd.make_input_vec();
        let mut spec = fwd.make_output_vec();
        let mut back = inv.make_output_vec();
        let mut scratch =
            vec![Complex::new(0.0, 0.0); fwd.get_scratch_len().max(inv.get_scratch_len())];
        for t in range {
            input.fill(0.0);
            for ((x, &e), &w) in input.iter_mut().zip(&env[t..t + l]).zip(window) {
                *x = e * w;
            }
            // Lengths come from the plans themselves, so these cannot fail.
            let _ = fwd.process_with_scratch(&mut input, &mut spec, &mut scratch);
            for c in spec.iter_mut() {
                *c = Complex::new(c.norm_sqr(), 0.0);
            }
            let _ = inv.process_with_scratch(&mut spec, &mut back, &mut scratch);
            let scale = 1.0 / n_fft as f64;
            // SAFETY: frame t owns out[t * l..(t + 1) * l].
            let row = unsafe { dst.slice_mut(t * l, l) };
            for (o, &b) in row.iter_mut().zip(&back[..l]) {
                *o = b * scale;
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_the_direct_sum() {
        let env: Vec<f64> = (0..60)
            .map(|i| ((i * 37 % 11) as f64) * 0.1 + (i as f64 * 0.2).sin())
            .collect();
        let window: Vec<f64> = (0..16)
            .map(|i| 0.5 - 0.5 * (i as f64 * 0.3).cos())
            .collect();
        let l = window.len();
        let n_frames = env.len() - l + 1;
        let mut out = vec![0.0; n_frames * l];
        windowed_autocorrelation(&env, &window, 32, &mut out).unwrap();
        for t in 0..n_frames {
            let x: Vec<f64> = (0..l).map(|j| env[t + j] * window[j]).collect();
            for k in 0..l {
                let direct: f64 = (0..l - k).map(|j| x[j + k] * x[j]).sum();
                assert!((out[t * l + k] - direct).abs() < 1e-12, "t={t} k={k}");
            }
        }
    }

    #[test]
    fn short_envelopes_and_small_transforms_are_errors() {
        let mut out = vec![0.0; 4];
        assert!(windowed_autocorrelation(&[1.0; 3], &[1.0; 4], 8, &mut out).is_err());
        assert!(windowed_autocorrelation(&[1.0; 4], &[1.0; 4], 6, &mut out).is_err());
        assert!(
            windowed_autocorrelation(&[1.0, f64::NAN, 1.0, 1.0], &[1.0; 4], 8, &mut out).is_err()
        );
    }
}
