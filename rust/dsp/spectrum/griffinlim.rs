//! Griffin-Lim phase reconstruction with Perraud et al.'s momentum ("fast
//! Griffin-Lim"), as librosa.griffinlim: every iteration is one inverse STFT
//! and one STFT on the kernels of this module family, with no round trip
//! through Python.
//!
//! Spectrograms are laid out `(channel, frame, bin)`, the frame-major order
//! [`stft_into`] writes and [`istft_into`] reads.

use crate::dsp::spectrum::fft::FftFloat;
use crate::dsp::spectrum::frame::Framing;
use crate::dsp::spectrum::istft::{istft_into, IstftConfig};
use crate::dsp::spectrum::stft::{check, stft_into};
use crate::error::{DspError, DspResult};
use crate::dsp::num::sample::Sample;
use num_complex::Complex;
use num_traits::Float;

/// Parameters of a Griffin-Lim run.
#[derive(Debug, Clone, Copy)]
pub struct GriffinLim {
    /// Analysis framing (n_fft, hop, centring, pad mode) of the STFT.
    pub framing: Framing,
    /// Synthesis geometry (the same n_fft and hop, and the output length).
    pub istft: IstftConfig,
    pub n_iter: usize,
    /// Momentum `alpha >= 0`; each estimate is pushed away from the previous
    /// one by `alpha / (1 + alpha)` of it (0 gives the original algorithm).
    pub momentum: f64,
}

/// (channels, output samples per channel) that [`griffinlim_into`] writes.
pub fn output_len(cfg: &GriffinLim, n_frames: usize) -> DspResult<usize> {
    Ok(cfg.istft.plan(n_frames)?.1)
}

/// Run Griffin-Lim on magnitudes `mag` starting from the complex estimate
/// `angles` (both `n_channels * n_frames * n_bins`, frame-major; `angles` is
/// `mag` times the initial phases and is overwritten), and write the signal
/// of the final estimate into `out` (`n_channels * output_len`).
///
/// `window` is the analysis and synthesis window, already centred to
/// `n_fft` samples. The update is done in precision `T` with numpy's
/// operation order (`c * tprev`, then `x / (|x| + tiny)`, then `* mag`), so
/// float64 runs match librosa to rounding.
#[allow(clippy::too_many_arguments)]
pub fn griffinlim_into<T: FftFloat + Float>(
    cfg: &GriffinLim,
    mag: &[T],
    angles: &mut [Complex<T>],
    n_channels: usize,
    n_bins: usize,
    n_frames: usize,
    window: &[f64],
    out: &mut [T],
) -> DspResult<()> {
    let n_fft = cfg.framing.frame_length;
    if cfg.istft.n_fft != n_fft || cfg.istft.hop_length != cfg.framing.hop_length {
        return Err(DspError::param(
            "n_fft",
            cfg.istft.n_fft,
            format!("the STFT's n_fft={n_fft} and hop"),
        ));
    }
    if n_bins != n_fft / 2 + 1 {
        return Err(DspError::param(
            "n_fft",
            n_fft,
            format!("2 * (n_bins - 1) or 2 * n_bins - 1 for {n_bins} frequency bins"),
        ));
    }
    if !(cfg.momentum >= 0.0) {
        return Err(DspError::param("momentum", cfg.momentum, "at least 0"));
    }
    let total = n_channels * n_frames * n_bins;
    if n_channels == 0 || n_frames == 0 {
        return Err(DspError::Empty {
            what: "spectrogram",
        });
    }
    if mag.len() != total || angles.len() != total {
        return Err(DspError::shape("spectrogram", total, mag.len()));
    }
    let out_len = output_len(cfg, n_frames)?;
    if out.len() != n_channels * out_len {
        return Err(DspError::shape(
            "griffinlim output",
            n_channels * out_len,
            out.len(),
        ));
    }
    let zero = Complex::new(<T as Default>::default(), <T as Default>::default());
    let mut rebuilt = vec![zero; total];
    let mut tprev: Option<Vec<Complex<T>>> = None;
    let c = <T as Sample>::from_f64(cfg.momentum / (1.0 + cfg.momentum));
    let tiny = <T as Sample>::from_f64(<T as Sample>::TINY);
    for _ in 0..cfg.n_iter {
        istft_into(&cfg.istft, angles, n_channels, n_bins, n_frames, window, out)?;
        let shape = check(&cfg.framing, out, n_channels, window)?;
        if shape.n_frames != n_frames {
            return Err(DspError::param(
                "length",
                format!("{out_len} samples"),
                format!("a length whose STFT has the {n_frames} frames of S"),
            ));
        }
        stft_into(&cfg.framing, out, window, &shape, &mut rebuilt)?;
        match &tprev {
            Some(prev) => {
                for (((a, r), p), m) in angles.iter_mut().zip(&rebuilt).zip(prev).zip(mag) {
                    let x = *r - Complex::new(c * p.re, c * p.im);
                    *a = project(x, *m, tiny);
                }
            }
            None => {
                for ((a, r), m) in angles.iter_mut().zip(&rebuilt).zip(mag) {
                    *a = project(*r, *m, tiny);
                }
            }
        }
        // The estimate just made is the next iteration's `tprev`; the old
        // buffer is reused for the next STFT.
        let spare = tprev.replace(std::mem::replace(&mut rebuilt, Vec::new()));
        rebuilt = spare.unwrap_or_else(|| vec![zero; total]);
    }
    istft_into(&cfg.istft, angles, n_channels, n_bins, n_frames, window, out)
}

/// `x / (|x| + tiny) * m`, component by component as numpy computes it.
#[inline(always)]
fn project<T: FftFloat + Float>(x: Complex<T>, m: T, tiny: T) -> Complex<T> {
    let d = x.norm() + tiny;
    Complex::new(x.re / d * m, x.im / d * m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::spectrum::pad::PadMode;
    use crate::dsp::spectrum::stft::stft;
    use crate::dsp::spectrum::window::{get_window, WindowKind};

    fn setup(n_fft: usize, hop: usize) -> (GriffinLim, Vec<f64>) {
        let framing = Framing {
            frame_length: n_fft,
            hop_length: hop,
            center: true,
            pad_mode: PadMode::Constant,
        };
        let istft = IstftConfig {
            n_fft,
            hop_length: hop,
            center: true,
            length: None,
        };
        let cfg = GriffinLim {
            framing,
            istft,
            n_iter: 50,
            momentum: 0.99,
        };
        (cfg, get_window(WindowKind::Hann, n_fft, true))
    }

    fn convergence(cfg: &GriffinLim, y: &[f64], w: &[f64], mag: &[f64]) -> f64 {
        let (spec, _) = stft(&cfg.framing, y, w).unwrap();
        let num: f64 = spec
            .iter()
            .zip(mag)
            .map(|(s, m)| (s.norm() - m).powi(2))
            .sum();
        let den: f64 = mag.iter().map(|m| m * m).sum();
        (num / den).sqrt()
    }

    #[test]
    fn recovers_a_consistent_signal_from_zero_phase() {
        let (mut cfg, w) = setup(64, 16);
        let y: Vec<f64> = (0..800)
            .map(|i| (i as f64 * 0.21).sin() + 0.5 * (i as f64 * 0.053).cos())
            .collect();
        let (spec, shape) = stft(&cfg.framing, &y, &w).unwrap();
        let mag: Vec<f64> = spec.iter().map(|c| c.norm()).collect();
        let n_out = output_len(&cfg, shape.n_frames).unwrap();
        let mut errs = Vec::new();
        for n_iter in [1usize, 50] {
            cfg.n_iter = n_iter;
            let mut angles: Vec<Complex<f64>> =
                mag.iter().map(|&m| Complex::new(m, 0.0)).collect();
            let mut out = vec![0.0; n_out];
            griffinlim_into(&cfg, &mag, &mut angles, 1, shape.n_bins, shape.n_frames, &w, &mut out)
                .unwrap();
            errs.push(convergence(&cfg, &out, &w, &mag));
        }
        assert!(errs[1] < 0.5 * errs[0] && errs[1] < 0.25, "{errs:?}");
    }

    #[test]
    fn refuses_mismatched_geometry() {
        let (cfg, w) = setup(64, 16);
        let mag = vec![1.0f64; 10 * 30];
        let mut angles = vec![Complex::new(1.0, 0.0); 10 * 30];
        let mut out = vec![0.0; 1000];
        assert!(griffinlim_into(&cfg, &mag, &mut angles, 1, 30, 10, &w, &mut out).is_err());
        let bad = GriffinLim {
            momentum: -1.0,
            ..cfg
        };
        let mut angles = vec![Complex::new(1.0, 0.0); 10 * 33];
        let mag = vec![1.0f64; 10 * 33];
        assert!(griffinlim_into(&bad, &mag, &mut angles, 1, 33, 10, &w, &mut out).is_err());
    }
}
