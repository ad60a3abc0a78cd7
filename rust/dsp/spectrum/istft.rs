//! Inverse STFT by weighted overlap-add, normalised by the window's
//! sum-square envelope, with librosa.istft's length and centring rules.

use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::for_each_range;
use crate::dsp::spectrum::fft;
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

/// Frames per overlap-add task. Fixed, so the summation order (and hence
/// every bit of the result) does not depend on the thread count.
const OLA_CHUNK: usize = 64;

/// Sum of the squared window over every frame covering each output sample,
/// in output coordinates (librosa's `window_sumsquare`, trimmed).
pub(crate) fn window_sumsquare(
    window: &[f64],
    hop: usize,
    used: usize,
    start: usize,
    out_len: usize,
) -> Vec<f64> {
    let n_fft = window.len();
    let sq: Vec<f64> = window.iter().map(|w| w * w).collect();
    // Where every frame that could cover a sample exists, the envelope is
    // periodic in the hop: sum over j ≡ p (mod hop) of w[j]^2.
    let mut steady = vec![0.0f64; hop];
    for (j, v) in sq.iter().enumerate() {
        steady[j % hop] += v;
    }
    let mut wss = vec![0.0f64; out_len];
    for (pos, w) in wss.iter_mut().enumerate() {
        let p = pos + start;
        // Frames t with t * hop <= p < t * hop + n_fft cover sample p.
        let t_hi = p / hop;
        if p + 1 >= n_fft && t_hi < used {
            *w = steady[p % hop];
        } else if used > 0 {
            let t_lo = (p + 1).saturating_sub(n_fft).div_ceil(hop);
            for t in t_lo..=t_hi.min(used - 1) {
                *w += sq[p - t * hop];
            }
        }
    }
    wss
}

/// Inverse STFT of `spec` laid out `(channel, frame, bin)` with `n_frames`
/// frames of `n_bins` bins, into `out` (`n_channels * out_len` samples).
/// `window` is the synthesis window already centred to `n_fft` samples.
#[allow(clippy::too_many_arguments)]
pub fn istft_into<T: Float>(
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
            format!("{n_channels}x{n_frames}x{n_bins}"),
            spec.len(),
        ));
    }
    let (used, out_len) = cfg.plan(n_frames)?;
    if out.len() != n_channels * out_len {
        return Err(DspError::shape(
            "istft output",
            n_channels * out_len,
            out.len(),
        ));
    }
    let start = if cfg.center { n_fft / 2 } else { 0 };
    let hop = cfg.hop_length;
    let half = n_fft / 2 + 1;
    let keep = n_bins.min(half);
    let wss = window_sumsquare(window, hop, used, start, out_len);

    // Each task overlap-adds a fixed run of frames into its own partial
    // buffer (virtual padded coordinates); partials are then added in order.
    let n_chunks = used.div_ceil(OLA_CHUNK);
    let span = (OLA_CHUNK - 1) * hop + n_fft;
    let mut partials = vec![0.0f64; n_channels * n_chunks * span];
    {
        let dst = crate::dsp::num::parallel::SharedMut::new(&mut partials);
        for_each_range(n_channels * n_chunks, 1, |range| {
            let plan = fft::inverse(n_fft);
            let mut input = plan.make_input_vec();
            let mut output = plan.make_output_vec();
            let mut scratch = plan.make_scratch_vec();
            let scale = 1.0 / n_fft as f64;
            for item in range {
                let (c, chunk) = (item / n_chunks, item % n_chunks);
                // SAFETY: each (channel, chunk) owns its partial buffer.
                let acc = unsafe { dst.slice_mut(item * span, span) };
                let t0 = chunk * OLA_CHUNK;
                for t in t0..(t0 + OLA_CHUNK).min(used) {
                    let col =
                        &spec[(c * n_frames + t) * n_bins..(c * n_frames + t) * n_bins + keep];
                    for (v, s) in input.iter_mut().zip(col) {
                        *v = Complex::new(s.re.wide(), s.im.wide());
                    }
                    input[keep..]
                        .iter_mut()
                        .for_each(|v| *v = Complex::new(0.0, 0.0));
                    // numpy's irfft ignores the imaginary parts of DC and Nyquist.
                    input[0].im = 0.0;
                    if n_fft.is_multiple_of(2) {
                        input[half - 1].im = 0.0;
                    }
                    let _ = plan.process_with_scratch(&mut input, &mut output, &mut scratch);
                    let off = (t - t0) * hop;
                    for ((a, v), w) in acc[off..off + n_fft].iter_mut().zip(&output).zip(window) {
                        *a += v * scale * w;
                    }
                }
            }
        });
    }
    for c in 0..n_channels {
        let dst = &mut out[c * out_len..(c + 1) * out_len];
        let mut acc = vec![0.0f64; out_len];
        for chunk in 0..n_chunks {
            let part = &partials[(c * n_chunks + chunk) * span..(c * n_chunks + chunk + 1) * span];
            let base = chunk * OLA_CHUNK * hop;
            // Partial sample i sits at virtual position base + i, i.e.
            // output position base + i - start.
            let lo = start.saturating_sub(base);
            for (i, v) in part.iter().enumerate().skip(lo) {
                let pos = base + i - start;
                if pos >= out_len {
                    break;
                }
                acc[pos] += v;
            }
        }
        for ((d, a), w) in dst.iter_mut().zip(&acc).zip(&wss) {
            *d = T::narrow(if *w > T::TINY { a / w } else { *a });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::spectrum::frame::Framing;
    use crate::dsp::spectrum::pad::PadMode;
    use crate::dsp::spectrum::stft::stft;
    use crate::dsp::spectrum::window::{get_window, WindowKind};

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

#[cfg(test)]
mod wss_tests {
    use super::window_sumsquare;

    #[test]
    fn periodic_envelope_equals_direct_sum() {
        let w: Vec<f64> = (0..10).map(|i| 0.1 + i as f64 * 0.07).collect();
        for (hop, used, start, out_len) in [
            (3usize, 7usize, 5usize, 20usize),
            (4, 3, 0, 18),
            (10, 2, 0, 20),
            (2, 9, 5, 14),
        ] {
            let fast = window_sumsquare(&w, hop, used, start, out_len);
            let mut slow = vec![0.0; out_len];
            for t in 0..used {
                for (j, v) in w.iter().enumerate() {
                    let p = (t * hop + j) as isize - start as isize;
                    if p >= 0 && (p as usize) < out_len {
                        slow[p as usize] += v * v;
                    }
                }
            }
            for (a, b) in fast.iter().zip(&slow) {
                assert!((a - b).abs() < 1e-12, "hop={hop} used={used}");
            }
        }
    }
}
