//! Griffin-Lim phase reconstruction with Perraud et al.'s momentum ("fast
//! Griffin-Lim"), as librosa.griffinlim: every iteration is one inverse STFT
//! and one STFT on the kernels of this module family, with no round trip
//! through Python.
//!
//! Spectrograms are laid out `(channel, frame, bin)`, the frame-major order
//! `stft_into` writes and `istft_into` reads.

use crate::dsp::num::cancel;
use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::{for_each_range, SharedMut};
use crate::dsp::num::turns::cos_sin_turns;
use crate::dsp::spectrum::fft;
use crate::dsp::spectrum::frame::Framing;
use crate::dsp::spectrum::istft::{window_sumsquare, IstftConfig};
use crate::dsp::spectrum::stft::Worker;
use crate::error::{DspError, DspResult};
use num_complex::Complex;
use realfft::ComplexToReal;
use std::sync::Arc;

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

/// librosa's starting estimate: `mag * exp(2πi u)` for the uniform draws
/// `turns` (one per value, in the layout of `mag`), or `mag` itself (zero
/// phase) without draws. The phasor is rounded to `T` before the product,
/// as numpy's complex64 `angles` array is.
pub fn initial_estimate<T: Float>(mag: &[T], turns: Option<&[f64]>) -> DspResult<Vec<Complex<T>>> {
    let zero = <T as Default>::default();
    match turns {
        None => Ok(mag.iter().map(|&m| Complex::new(m, zero)).collect()),
        Some(u) if u.len() != mag.len() => Err(DspError::shape("phase draws", mag.len(), u.len())),
        Some(u) => Ok(mag
            .iter()
            .zip(u)
            .map(|(&m, &u)| {
                let (c, s) = cos_sin_turns(u);
                Complex::new(T::narrow(c) * m, T::narrow(s) * m)
            })
            .collect()),
    }
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
pub fn griffinlim_into<T: Float>(
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
    if cfg.momentum.is_nan() || cfg.momentum < 0.0 {
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
    // Each channel's iterations are independent: channels run in parallel,
    // each one sequentially with its own FFT buffers.
    let (nb, nf) = (n_bins, n_frames);
    let frames_out = cfg.framing.n_frames(out_len)?;
    if frames_out != n_frames {
        return Err(DspError::param(
            "length",
            format!("{out_len} samples"),
            format!("a length whose STFT has the {n_frames} frames of S"),
        ));
    }
    let angles_dst = SharedMut::new(angles);
    let out_dst = SharedMut::new(out);
    // Ctrl-C: the binding's cancellation flag is polled once per iteration
    // (a cancelled call's output is discarded by the caller).
    let flag = cancel::current();
    for_each_range(n_channels, 1, |range| {
        let mut synth = Synth::<T>::new(&cfg.istft, window, n_bins, n_frames, out_len);
        let mut worker = Worker::<T>::new(window);
        let zero = Complex::new(<T as Default>::default(), <T as Default>::default());
        let mut tprev = vec![zero; nb * nf];
        let c = T::narrow(cfg.momentum / (1.0 + cfg.momentum));
        let tiny = T::narrow(<T as Float>::TINY);
        let mut frame = vec![zero; nb];
        let n_fft = cfg.framing.frame_length;
        let (hop, center) = (cfg.framing.hop_length, cfg.framing.center);
        // Samples of `y` frame `t` of the analysis reads end before `reach(t)`
        // (past `out_len`: the frame pads at the end and needs all of `y`).
        let reach = |t: usize| {
            if center {
                t * hop + n_fft - n_fft / 2
            } else {
                t * hop + n_fft
            }
        };
        for ch in range {
            // SAFETY: channel `ch` owns its slices of `angles` and `out`.
            let a = unsafe { angles_dst.slice_mut(ch * nb * nf, nb * nf) };
            let y = unsafe { out_dst.slice_mut(ch * out_len, out_len) };
            let m = &mag[ch * nb * nf..(ch + 1) * nb * nf];
            for it in 0..cfg.n_iter {
                if cancel::is_raised(&flag) {
                    return;
                }
                // One pass over the frames: the inverse STFT runs just far
                // enough ahead for frame t's samples to be final, then frame
                // t is analysed and projected while it is in cache. Frame t's
                // estimate is overwritten only after its own inverse (every
                // analysis frame reaches past its synthesis frame's start),
                // so the result is the one of a full inverse STFT followed
                // by a full STFT, value for value.
                synth.begin();
                let momentum = if it == 0 { zero.re } else { c };
                for t in 0..nf {
                    synth.advance(a, y, reach(t));
                    worker.compute_into(&cfg.framing, y, t, &mut frame);
                    let k = t * nb;
                    for (((a, r), p), m) in a[k..k + nb]
                        .iter_mut()
                        .zip(&frame)
                        .zip(tprev[k..k + nb].iter_mut())
                        .zip(&m[k..k + nb])
                    {
                        *a = project(*r, *p, momentum, *m, tiny);
                        // This estimate is the next iteration's `tprev`.
                        *p = *r;
                    }
                }
            }
            synth.run(a, y);
        }
    });
    Ok(())
}

/// `x = r - c * p`, then `x / (|x| + tiny) * m` in precision `T` (numpy's
/// order of operations, with `|x|` as the square root of the squares, within
/// an ulp of numpy's hypot and vectorisable; one division per bin).
#[inline(always)]
fn project<T: Float>(r: Complex<T>, p: Complex<T>, c: T, m: T, tiny: T) -> Complex<T> {
    let (re, im) = (r.re - c * p.re, r.im - c * p.im);
    let s = m / ((re * re + im * im).sqrt() + tiny);
    Complex::new(re * s, im * s)
}

/// An inverse STFT for repeated use on spectrograms of one shape: plan,
/// buffers and the reciprocal window envelope made once. Same result as
/// [`istft_into`] (to rounding) with the inverse FFT in precision `T`.
struct Synth<T: Float> {
    plan: Arc<dyn ComplexToReal<T>>,
    input: Vec<Complex<T>>,
    output: Vec<T>,
    scratch: Vec<Complex<T>>,
    acc: Vec<f64>,
    inv_wss: Vec<f64>,
    window: Vec<f64>,
    used: usize,
    start: usize,
    hop: usize,
    n_bins: usize,
    /// Frames overlap-added and samples of `y` written since [`Self::begin`].
    done: usize,
    fin: usize,
}

impl<T: Float> Synth<T> {
    fn new(
        cfg: &IstftConfig,
        window: &[f64],
        n_bins: usize,
        n_frames: usize,
        out_len: usize,
    ) -> Self {
        let n_fft = cfg.n_fft;
        // `plan` was checked by the caller (output_len).
        let (used, _) = cfg.plan(n_frames).unwrap_or((n_frames, out_len));
        let start = if cfg.center { n_fft / 2 } else { 0 };
        let wss = window_sumsquare(window, cfg.hop_length, used, start, out_len);
        let plan = fft::inverse_in::<T>(n_fft);
        let scale = 1.0 / n_fft as f64;
        Synth {
            input: plan.make_input_vec(),
            output: plan.make_output_vec(),
            scratch: plan.make_scratch_vec(),
            plan,
            acc: vec![0.0; start + out_len + n_fft],
            inv_wss: wss
                .iter()
                .map(|&w| if w > <T as Float>::TINY { 1.0 / w } else { 1.0 })
                .collect(),
            window: window.iter().map(|w| w * scale).collect(),
            used,
            start,
            hop: cfg.hop_length,
            n_bins,
            done: 0,
            fin: 0,
        }
    }

    /// Start an inverse STFT run by parts ([`Self::advance`]).
    fn begin(&mut self) {
        self.acc.iter_mut().for_each(|v| *v = 0.0);
        self.done = 0;
        self.fin = 0;
    }

    /// Overlap-add frames of `spec` until the samples of `y` before `upto`
    /// are final (all of `y` when `upto` reaches past its end), and write
    /// them. Equal to [`Self::run`] once every sample is written.
    fn advance(&mut self, spec: &[Complex<T>], y: &mut [T], upto: usize) {
        let n = y.len();
        // Frame k starts at acc index k * hop: samples p with
        // start + p < k * hop are final after frames 0..k.
        let want = if upto >= n {
            self.used
        } else {
            ((self.start + upto).div_ceil(self.hop)).min(self.used)
        };
        while self.done < want {
            self.add_frame(spec, self.done);
            self.done += 1;
        }
        let fin = if self.done == self.used {
            n
        } else {
            (self.done * self.hop).saturating_sub(self.start).min(n)
        };
        if fin > self.fin {
            let acc = &self.acc[self.start + self.fin..self.start + fin];
            for ((d, a), w) in y[self.fin..fin]
                .iter_mut()
                .zip(acc)
                .zip(&self.inv_wss[self.fin..fin])
            {
                *d = T::narrow(a * w);
            }
            self.fin = fin;
        }
    }

    /// Inverse-transform frame `t` of `spec` and overlap-add it.
    #[inline]
    fn add_frame(&mut self, spec: &[Complex<T>], t: usize) {
        let n_fft = self.window.len();
        let half = n_fft / 2 + 1;
        let keep = self.n_bins.min(half);
        let zero = T::narrow(0.0);
        let col = &spec[t * self.n_bins..t * self.n_bins + keep];
        self.input[..keep].copy_from_slice(col);
        self.input[keep..]
            .iter_mut()
            .for_each(|v| *v = Complex::new(zero, zero));
        // numpy's irfft ignores the imaginary parts of DC and Nyquist.
        self.input[0].im = zero;
        if n_fft.is_multiple_of(2) {
            self.input[half - 1].im = zero;
        }
        let _ =
            self.plan
                .process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch);
        let off = t * self.hop;
        let end = (off + n_fft).min(self.acc.len());
        for ((a, v), w) in self.acc[off..end]
            .iter_mut()
            .zip(&self.output)
            .zip(&self.window)
        {
            *a += (*v).wide() * w;
        }
    }

    /// Inverse STFT of one channel's frame-major `spec` into `y`.
    fn run(&mut self, spec: &[Complex<T>], y: &mut [T]) {
        let n_fft = self.window.len();
        let half = n_fft / 2 + 1;
        let keep = self.n_bins.min(half);
        let zero = T::narrow(0.0);
        self.acc.iter_mut().for_each(|v| *v = 0.0);
        for t in 0..self.used {
            let col = &spec[t * self.n_bins..t * self.n_bins + keep];
            self.input[..keep].copy_from_slice(col);
            self.input[keep..]
                .iter_mut()
                .for_each(|v| *v = Complex::new(zero, zero));
            // numpy's irfft ignores the imaginary parts of DC and Nyquist.
            self.input[0].im = zero;
            if n_fft.is_multiple_of(2) {
                self.input[half - 1].im = zero;
            }
            let _ = self.plan.process_with_scratch(
                &mut self.input,
                &mut self.output,
                &mut self.scratch,
            );
            let off = t * self.hop;
            let end = (off + n_fft).min(self.acc.len());
            for ((a, v), w) in self.acc[off..end]
                .iter_mut()
                .zip(&self.output)
                .zip(&self.window)
            {
                *a += (*v).wide() * w;
            }
        }
        let acc = &self.acc[self.start..];
        for ((d, a), w) in y.iter_mut().zip(acc).zip(&self.inv_wss) {
            *d = T::narrow(a * w);
        }
    }
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
            let mut angles: Vec<Complex<f64>> = mag.iter().map(|&m| Complex::new(m, 0.0)).collect();
            let mut out = vec![0.0; n_out];
            griffinlim_into(
                &cfg,
                &mag,
                &mut angles,
                1,
                shape.n_bins,
                shape.n_frames,
                &w,
                &mut out,
            )
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
