//! Inverse STFT by weighted overlap-add, normalised by the window's
//! sum-square envelope, with librosa.istft's length and centring rules.

use crate::dsp::fft;
use crate::dsp::parallel::for_each_range;
use crate::dsp::sample::Sample;
use crate::error::{DspError, DspResult};
use num_complex::Complex;

/// Geometry of an inverse STFT.
#[derive(Debug, Clone, Copy)]
pub struct IstftConfig {
    pub n_fft: usize,
    pub hop_length: usize,
    pub center: bool,
    /// Exact output length, as librosa's `length=`.
    pub length: Option<usize>,
}

impl IstftConfig {
    /// (frames used, output samples) for an input with `n_frames` columns.
    pub fn plan(&self, n_frames: usize) -> DspResult<(usize, usize)> {
        if self.n_fft == 0 {
            return Err(DspError::param("n_fft", 0, "a positive integer"));
        }
        if self.hop_length == 0 {
            return Err(DspError::param("hop_length", 0, "a positive integer"));
        }
        let pad = if self.center { 2 * (self.n_fft / 2) } else { 0 };
        Ok(match self.length {
            Some(length) => {
                let padded = length + pad;
                (n_frames.min(padded.div_ceil(self.hop_length)), length)
            }
            None => {
                let full = if n_frames == 0 {
                    0
                } else {
                    self.n_fft + self.hop_length * (n_frames - 1)
                };
                (n_frames, full.saturating_sub(pad))
            }
        })
    }
}

/// Inverse STFT of `spec` laid out `(channel, bin, frame)` with `n_bins` rows
/// and `n_frames` columns, into `out` (`n_channels * out_len` samples).
/// `window` is the synthesis window already centred to `n_fft` samples.
#[allow(clippy::too_many_arguments)]
pub fn istft_into<T: Sample>(
    cfg: &IstftConfig,
    spec: &[Complex<T>],
    n_channels: usize,
    n_bins: usize,
    n_frames: usize,
    window: &[f64],
    out: &mut [T],
) -> DspResult<()> {
    let n_fft = cfg.n_fft;
    if window.len() != n_fft {
        return Err(DspError::shape("window", n_fft, window.len()));
    }
    if spec.len() != n_channels * n_bins * n_frames {
        return Err(DspError::shape(
            "stft_matrix",
            format!("{n_channels}x{n_bins}x{n_frames}"),
            spec.len(),
        ));
    }
    let (used, out_len) = cfg.plan(n_frames)?;
    if out.len() != n_channels * out_len {
        return Err(DspError::shape("istft output", n_channels * out_len, out.len()));
    }
    let start = if cfg.center { n_fft / 2 } else { 0 };
    let hop = cfg.hop_length;
    let half = n_fft / 2 + 1;
    let keep = n_bins.min(half);

    // Window sum-square envelope in output coordinates.
    let mut wss = vec![0.0f64; out_len];
    for t in 0..used {
        for (j, w) in window.iter().enumerate() {
            let pos = (t * hop + j) as isize - start as isize;
            if pos >= 0 && (pos as usize) < out_len {
                wss[pos as usize] += w * w;
            }
        }
    }

    // Inverse FFTs of all frames in parallel, then overlap-add in frame
    // order so the sum is the same whatever the thread count.
    let mut frames = vec![0.0f64; n_channels * used * n_fft];
    {
        let dst = crate::dsp::parallel::SharedMut::new(&mut frames);
        for_each_range(n_channels * used, 16, |range| {
            let plan = fft::inverse(n_fft);
            let mut input = plan.make_input_vec();
            let mut output = plan.make_output_vec();
            let mut scratch = plan.make_scratch_vec();
            let scale = 1.0 / n_fft as f64;
            for item in range {
                let (c, t) = (item / used, item % used);
                input.iter_mut().for_each(|v| *v = Complex::new(0.0, 0.0));
                for (k, v) in input.iter_mut().enumerate().take(keep) {
                    let s = spec[c * n_bins * n_frames + k * n_frames + t];
                    *v = Complex::new(s.re.to_f64(), s.im.to_f64());
                }
                // numpy's irfft ignores the imaginary parts of DC and Nyquist.
                input[0].im = 0.0;
                if n_fft % 2 == 0 {
                    input[half - 1].im = 0.0;
                }
                let _ = plan.process_with_scratch(&mut input, &mut output, &mut scratch);
                for (j, v) in output.iter().enumerate() {
                    // SAFETY: each item owns its own n_fft-long slot.
                    unsafe { dst.write(item * n_fft + j, v * scale * window[j]) };
                }
            }
        });
    }
    for c in 0..n_channels {
        let mut acc = vec![0.0f64; out_len];
        for t in 0..used {
            let frame = &frames[(c * used + t) * n_fft..(c * used + t + 1) * n_fft];
            for (j, v) in frame.iter().enumerate() {
                let pos = (t * hop + j) as isize - start as isize;
                if pos >= 0 && (pos as usize) < out_len {
                    acc[pos as usize] += v;
                }
            }
        }
        let dst = &mut out[c * out_len..(c + 1) * out_len];
        for ((d, a), w) in dst.iter_mut().zip(&acc).zip(&wss) {
            *d = T::from_f64(if *w > T::TINY { a / w } else { *a });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::frame::Framing;
    use crate::dsp::pad::PadMode;
    use crate::dsp::stft::stft;
    use crate::dsp::window::{get_window, WindowKind};

    #[test]
    fn perfect_reconstruction_with_length() {
        let y: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.05).sin() * 0.5).collect();
        for (n_fft, hop) in [(64usize, 16usize), (63, 16), (128, 32)] {
            let framing = Framing {
                frame_length: n_fft,
                hop_length: hop,
                center: true,
                pad_mode: PadMode::Constant,
            };
            let w = get_window(WindowKind::Hann, n_fft, true);
            let (spec, shape) = stft(&framing, &y, &w).unwrap();
            let cfg = IstftConfig {
                n_fft,
                hop_length: hop,
                center: true,
                length: Some(y.len()),
            };
            let mut out = vec![0.0; y.len()];
            istft_into(&cfg, &spec, 1, shape.n_bins, shape.n_frames, &w, &mut out).unwrap();
            for (a, b) in out.iter().zip(&y) {
                assert!((a - b).abs() < 1e-9, "n_fft={n_fft}");
            }
        }
    }

    #[test]
    fn default_length_rule() {
        let cfg = IstftConfig {
            n_fft: 2048,
            hop_length: 512,
            center: true,
            length: None,
        };
        assert_eq!(cfg.plan(10).unwrap(), (10, 2048 + 512 * 9 - 2048));
        let cfg = IstftConfig {
            length: Some(1000),
            ..cfg
        };
        assert_eq!(cfg.plan(100).unwrap(), (6, 1000));
    }
}
