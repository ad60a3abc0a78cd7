//! librosa's phase vocoder (librosa.phase_vocoder): each output frame reads
//! the input at fractional frame `t * rate`, interpolates the magnitude
//! linearly between the two neighbouring frames and advances every bin's
//! phase by its expected advance plus the measured deviation (wrapped to
//! [-pi, pi]). Bins are independent, so they run in parallel; the phase is
//! carried in f64 (as a unit phasor) whatever the output precision.

use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::{for_each_range, SharedMut};
use crate::error::{DspError, DspResult};
use num_complex::Complex;

/// The frames `0, rate, 2 rate, ...` below `n_frames` (numpy's
/// `arange(0, n_frames, rate)`: `ceil(n_frames / rate)` of them).
pub fn n_steps(n_frames: usize, rate: f64) -> usize {
    (n_frames as f64 / rate).ceil() as usize
}

/// Stretch `lines` rows of `n_frames` complex bins (row-major; row `r` is
/// one bin of one channel) by `rate` into `out` (`lines * n_steps` values).
///
/// librosa's expected phase advance per bin (from `hop_length` and
/// `n_fft`) cancels out of the phasor update below, so it is not an input.
pub fn phase_vocoder<T: Float>(
    d: &[Complex<T>],
    lines: usize,
    n_frames: usize,
    rate: f64,
    out: &mut [Complex<T>],
) -> DspResult<()> {
    if !(rate.is_finite() && rate > 0.0) {
        return Err(DspError::param("rate", rate, "a positive number"));
    }
    if n_frames == 0 || d.len() != lines * n_frames {
        return Err(DspError::shape("stft_matrix", lines * n_frames, d.len()));
    }
    let steps = n_steps(n_frames, rate);
    if out.len() != lines * steps {
        return Err(DspError::shape(
            "phase_vocoder output",
            lines * steps,
            out.len(),
        ));
    }
    if d.iter().any(|c| !(c.re.is_finite() && c.im.is_finite())) {
        return Err(DspError::NonFinite {
            what: "stft_matrix",
        });
    }
    let dst = SharedMut::new(out);
    for_each_range(lines, 16, |range| {
        // Each input frame's magnitude and unit phasor, once per row, with
        // the two zero frames librosa pads at the end (angle(0) = 0, so a
        // zero frame's phasor is 1).
        let mut mag = vec![0.0f64; n_frames + 2];
        let mut unit = vec![Complex::new(1.0f64, 0.0); n_frames + 2];
        for r in range {
            let row = &d[r * n_frames..(r + 1) * n_frames];
            for ((m, u), c) in mag.iter_mut().zip(unit.iter_mut()).zip(row) {
                let z = Complex::new(c.re.wide(), c.im.wide());
                // sqrt(re^2 + im^2): within an ulp of numpy's hypot and
                // several times faster; hypot where the squares overflow.
                *m = z.norm_sqr().sqrt();
                if !m.is_finite() {
                    *m = z.norm();
                }
                *u = if *m > 0.0 {
                    z * (1.0 / *m)
                } else {
                    Complex::new(1.0, 0.0)
                };
            }
            // librosa adds, per step, the expected advance plus the wrapped
            // deviation: arg(c1) - arg(c0) up to a whole turn. As a phasor
            // that is u1 * conj(u0) (the turn and the advance drop out), so
            // the phase is carried as a unit complex number: no angle grows
            // to 10^6 rad and no sin, cos or atan2 is needed per step.
            let mut acc = unit[0];
            // SAFETY: row r owns out[r * steps..(r + 1) * steps].
            let o = unsafe { dst.slice_mut(r * steps, steps) };
            for (t, slot) in o.iter_mut().enumerate() {
                let step = t as f64 * rate;
                let i = step as usize;
                // np.mod(step, 1.0) exactly (removing the integer part of a
                // positive float is exact), without fmod's libm call.
                let alpha = step - i as f64;
                let m = (1.0 - alpha) * mag[i] + alpha * mag[i + 1];
                *slot = Complex::new(T::narrow(acc.re * m), T::narrow(acc.im * m));
                acc *= unit[i + 1] * unit[i].conj();
                if t % 64 == 63 {
                    acc /= acc.norm();
                }
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_one_reproduces_a_steady_tone() {
        // A bin whose phase advances by exactly its expected advance keeps
        // its magnitude and phase under rate 1.
        let d: Vec<Complex<f64>> = (0..20)
            .map(|t| Complex::from_polar(2.0, 0.3 + 0.7 * t as f64))
            .collect();
        let mut out = vec![Complex::new(0.0, 0.0); 20];
        phase_vocoder(&d, 1, 20, 1.0, &mut out).unwrap();
        for (a, b) in out.iter().zip(&d).take(19) {
            assert!((a - b).norm() < 1e-12);
        }
    }

    #[test]
    fn half_rate_doubles_the_frames_and_interpolates_magnitudes() {
        let d: Vec<Complex<f64>> = (0..10).map(|t| Complex::new(t as f64 + 1.0, 0.0)).collect();
        assert_eq!(n_steps(10, 0.5), 20);
        let mut out = vec![Complex::new(0.0, 0.0); 20];
        phase_vocoder(&d, 1, 10, 0.5, &mut out).unwrap();
        assert!((out[3].norm() - 2.5).abs() < 1e-12);
        assert!((out[4].norm() - 3.0).abs() < 1e-12);
    }

    #[test]
    fn bad_arguments_are_errors() {
        let d = vec![Complex::new(1.0, 0.0); 4];
        let mut out = vec![Complex::new(0.0, 0.0); 4];
        assert!(phase_vocoder(&d, 1, 4, 0.0, &mut out).is_err());
        assert!(phase_vocoder(&d, 1, 4, f64::NAN, &mut out).is_err());
        assert!(phase_vocoder(&d, 1, 4, 2.0, &mut out).is_err());
        let bad = vec![Complex::new(f64::NAN, 0.0); 4];
        assert!(phase_vocoder(&bad, 1, 4, 1.0, &mut out).is_err());
    }
}
