//! Frequency-scale conversions: Hz <-> mel (Slaney and HTK) and the centre
//! frequencies of FFT bins and mel bands, with librosa's formulas and
//! operation order.
//!
//! The Python layer computes these with NumPy (whose vectorised `exp`/`log`
//! can differ from libm by one ulp) and hands the band edges to
//! [`crate::dsp::mel::bank::MelBank::from_mel_frequencies`], so that float32-rounded
//! filter weights agree bit for bit with librosa's. Rust callers that build a
//! bank from scratch use these functions; their results agree with NumPy's to
//! within an ulp.

/// Slaney scale: linear below this frequency (Hz), logarithmic above.
const MIN_LOG_HZ: f64 = 1000.0;

/// Hz per mel in the linear part of the Slaney scale.
#[inline]
fn f_sp() -> f64 {
    200.0 / 3.0
}

/// The mel value of [`MIN_LOG_HZ`] on the Slaney scale (15).
#[inline]
fn min_log_mel() -> f64 {
    MIN_LOG_HZ / f_sp()
}

/// Step of the logarithmic part of the Slaney scale, ln(6.4) / 27.
#[inline]
fn logstep() -> f64 {
    6.4f64.ln() / 27.0
}

/// Convert a frequency in Hz to mels (librosa.hz_to_mel).
///
/// `htk = true` uses `2595 log10(1 + f / 700)`; otherwise the Slaney
/// (Auditory Toolbox) scale, linear below 1 kHz and logarithmic above.
pub fn hz_to_mel(f: f64, htk: bool) -> f64 {
    if htk {
        return 2595.0 * (1.0 + f / 700.0).log10();
    }
    if f >= MIN_LOG_HZ {
        min_log_mel() + (f / MIN_LOG_HZ).ln() / logstep()
    } else {
        (f - 0.0) / f_sp()
    }
}

/// Convert mels to Hz (librosa.mel_to_hz); the inverse of [`hz_to_mel`].
pub fn mel_to_hz(m: f64, htk: bool) -> f64 {
    if htk {
        return 700.0 * (10f64.powf(m / 2595.0) - 1.0);
    }
    if m >= min_log_mel() {
        MIN_LOG_HZ * (logstep() * (m - min_log_mel())).exp()
    } else {
        0.0 + f_sp() * m
    }
}

/// `n` points evenly spaced from `start` to `stop` inclusive, computed as
/// `numpy.linspace` does (`i * step + start`, last point exactly `stop`).
pub fn linspace(start: f64, stop: f64, n: usize) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    if n == 1 {
        return vec![start];
    }
    let step = (stop - start) / (n - 1) as f64;
    let mut out: Vec<f64> = (0..n).map(|i| i as f64 * step + start).collect();
    out[n - 1] = stop;
    out
}

/// `n_mels` frequencies (Hz) evenly spaced on the mel scale from `fmin` to
/// `fmax` inclusive (librosa.mel_frequencies).
pub fn mel_frequencies(n_mels: usize, fmin: f64, fmax: f64, htk: bool) -> Vec<f64> {
    linspace(hz_to_mel(fmin, htk), hz_to_mel(fmax, htk), n_mels)
        .into_iter()
        .map(|m| mel_to_hz(m, htk))
        .collect()
}

/// Centre frequencies (Hz) of the `n_fft / 2 + 1` real-FFT bins
/// (numpy.fft.rfftfreq(n_fft, 1 / sr)).
pub fn fft_frequencies(sr: f64, n_fft: usize) -> Vec<f64> {
    let val = 1.0 / (n_fft as f64 * (1.0 / sr));
    (0..n_fft / 2 + 1).map(|k| k as f64 * val).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slaney_scale_is_linear_then_log() {
        assert_eq!(hz_to_mel(0.0, false), 0.0);
        assert!((hz_to_mel(1000.0, false) - 15.0).abs() < 1e-12);
        assert!((hz_to_mel(500.0, false) - 7.5).abs() < 1e-12);
        // 6.4 kHz is 27 steps of ln(6.4)/27 above 1 kHz.
        assert!((hz_to_mel(6400.0, false) - 42.0).abs() < 1e-12);
    }

    #[test]
    fn htk_scale_known_values() {
        assert!((hz_to_mel(700.0, true) - 2595.0 * 2f64.log10()).abs() < 1e-9);
        assert!((mel_to_hz(2595.0, true) - 6300.0).abs() < 1e-9);
    }

    #[test]
    fn round_trip() {
        for htk in [false, true] {
            for f in [0.0, 10.0, 440.0, 999.9, 1000.0, 4000.0, 11025.0, 20000.0] {
                let back = mel_to_hz(hz_to_mel(f, htk), htk);
                assert!((back - f).abs() <= 1e-9 * f.max(1.0), "f={f} htk={htk}");
            }
        }
    }

    #[test]
    fn mel_frequencies_endpoints_and_monotone() {
        let f = mel_frequencies(130, 20.0, 8000.0, false);
        assert_eq!(f.len(), 130);
        assert!((f[0] - 20.0).abs() < 1e-9);
        assert!((f[129] - 8000.0).abs() < 1e-9);
        assert!(f.windows(2).all(|w| w[1] > w[0]));
        assert!(mel_frequencies(0, 0.0, 1.0, false).is_empty());
        assert_eq!(
            mel_frequencies(1, 5.0, 1.0, true),
            vec![mel_to_hz(hz_to_mel(5.0, true), true)]
        );
    }

    #[test]
    fn fft_frequencies_grid() {
        let f = fft_frequencies(22050.0, 2048);
        assert_eq!(f.len(), 1025);
        assert_eq!(f[0], 0.0);
        assert!((f[1024] - 11025.0).abs() < 1e-9);
        assert_eq!(fft_frequencies(8.0, 5).len(), 3);
    }
}
