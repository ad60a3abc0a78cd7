//! Short-time Fourier transform: per-frame spectra, and the frequency-major
//! complex matrix librosa.stft returns.
//!
//! Every STFT-based kernel (mel, MFCC, spectral descriptors, chroma) is built
//! on [`for_each_spectrum`], which computes each frame's spectrum once in a
//! reusable buffer and hands it to a visitor, so no (bins x frames)
//! intermediate is ever allocated unless the caller asks for it.

use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::{for_each_range, SharedMut};
use crate::dsp::spectrum::fft;
use crate::dsp::spectrum::frame::Framing;
use crate::dsp::spectrum::rfft::EvenRealFft;
use crate::error::{DspError, DspResult};
use num_complex::Complex;
use realfft::RealToComplex;
use std::sync::Arc;

/// Frames below which a call stays on the calling thread.
const MIN_FRAMES_PER_TASK: usize = 32;

/// Computes windowed frame spectra in precision `F` with its own buffers.
///
/// Even FFT sizes (the usual case) go through [`EvenRealFft`], which loads
/// the windowed frame straight into its input and fuses the real-FFT split
/// step with what the caller needs; odd sizes use realfft.
pub struct Worker<F: Float> {
    kind: Kind<F>,
    /// The window in the FFT's precision.
    window: Vec<F>,
    spectrum: Vec<Complex<F>>,
}

enum Kind<F: Float> {
    Even(EvenRealFft<F>),
    Odd {
        plan: Arc<dyn RealToComplex<F>>,
        frame: Vec<F>,
        scratch: Vec<Complex<F>>,
    },
}

impl<F: Float> Worker<F> {
    /// A worker for FFT size `window.len()` with that window.
    pub fn new(window: &[f64]) -> Self {
        let n_fft = window.len();
        let kind = if n_fft >= 2 && n_fft.is_multiple_of(2) {
            Kind::Even(EvenRealFft::new(n_fft))
        } else {
            let plan = fft::forward_in::<F>(n_fft);
            Kind::Odd {
                frame: plan.make_input_vec(),
                scratch: plan.make_scratch_vec(),
                plan,
            }
        };
        let zero = Complex::new(F::narrow(0.0), F::narrow(0.0));
        Worker {
            kind,
            window: window.iter().map(|&w| F::narrow(w)).collect(),
            spectrum: vec![zero; n_fft / 2 + 1],
        }
    }

    /// The spectrum (`n_fft / 2 + 1` bins) of frame `t` of `y`.
    #[inline]
    pub fn compute<T: Float>(&mut self, framing: &Framing, y: &[T], t: usize) -> &[Complex<F>] {
        let mut spectrum = std::mem::take(&mut self.spectrum);
        self.compute_into(framing, y, t, &mut spectrum);
        self.spectrum = spectrum;
        &self.spectrum
    }

    /// Like [`Worker::compute`], writing the spectrum straight into `out`
    /// (`n_fft / 2 + 1` bins).
    #[inline]
    pub fn compute_into<T: Float>(
        &mut self,
        framing: &Framing,
        y: &[T],
        t: usize,
        out: &mut [Complex<F>],
    ) {
        if let Kind::Odd {
            plan,
            frame,
            scratch,
        } = &mut self.kind
        {
            framing.read_frame_windowed(y, t, &self.window, frame);
            // Lengths are fixed by construction, so the FFT cannot fail.
            let _ = plan.process_with_scratch(frame, out, scratch);
        } else {
            self.map_into(framing, y, t, out, Complex::new);
        }
    }

    /// `out[k] = g(re, im)` of bin `k` of frame `t` of `y`
    /// (`n_fft / 2 + 1` bins), fused with the real FFT's split step.
    #[inline]
    pub fn map_into<T: Float, O: Copy, G: Fn(F, F) -> O>(
        &mut self,
        framing: &Framing,
        y: &[T],
        t: usize,
        out: &mut [O],
        g: G,
    ) {
        if let Kind::Even(f) = &mut self.kind {
            framing.read_frame_windowed(y, t, &self.window, f.input_mut());
            f.run();
            f.map_into(out, g);
            return;
        }
        let spec = self.compute(framing, y, t);
        for (o, c) in out.iter_mut().zip(spec) {
            *o = g(c.re, c.im);
        }
    }

    /// The power spectrum `|X[k]|^2` (`n_fft / 2 + 1` bins, squared in
    /// f64) of frame `t` of `y`.
    #[inline]
    pub fn power_into<T: Float>(&mut self, framing: &Framing, y: &[T], t: usize, out: &mut [f64]) {
        self.map_into(framing, y, t, out, |re, im| {
            let (re, im) = (Float::wide(re), Float::wide(im));
            re * re + im * im
        });
    }
}

impl Worker<f32> {
    /// [`Worker::power_into`] squared in f32, for the float32 paths that
    /// keep the whole chain in f32 as librosa does.
    #[inline]
    pub fn power_f32_into<T: Float>(
        &mut self,
        framing: &Framing,
        y: &[T],
        t: usize,
        out: &mut [f32],
    ) {
        if let Kind::Even(f) = &mut self.kind {
            framing.read_frame_windowed(y, t, &self.window, f.input_mut());
            f.run();
            f.power_f32(out);
            return;
        }
        self.map_into(framing, y, t, out, |re, im| re * re + im * im);
    }
}

/// Validated STFT geometry for a batch of equally long channels.
#[derive(Debug, Clone, Copy)]
pub struct StftShape {
    pub n_channels: usize,
    pub n_samples: usize,
    pub n_bins: usize,
    pub n_frames: usize,
}

/// Check `y` (channels concatenated, each `n_samples` long) and `window`
/// (length `frame_length`) against `framing`.
pub fn check<T: Float>(
    framing: &Framing,
    y: &[T],
    n_channels: usize,
    window: &[f64],
) -> DspResult<StftShape> {
    if n_channels == 0 || y.is_empty() {
        return Err(DspError::Empty {
            what: "audio buffer",
        });
    }
    if !y.len().is_multiple_of(n_channels) {
        return Err(DspError::shape(
            "audio buffer",
            format!("a multiple of {n_channels} samples"),
            y.len(),
        ));
    }
    if window.len() != framing.frame_length {
        return Err(DspError::shape(
            "window",
            framing.frame_length,
            window.len(),
        ));
    }
    let n_samples = y.len() / n_channels;
    let n_frames = framing.n_frames(n_samples)?;
    Ok(StftShape {
        n_channels,
        n_samples,
        n_bins: framing.frame_length / 2 + 1,
        n_frames,
    })
}

/// One framed signal: how it is cut into frames, the window, the checked
/// shape and the samples (channels concatenated), passed as one value.
#[derive(Debug, Clone, Copy)]
pub struct FrameSource<'a, T> {
    pub framing: &'a Framing,
    pub y: &'a [T],
    pub window: &'a [f64],
    pub shape: StftShape,
}

impl<'a, T: Float> FrameSource<'a, T> {
    /// `y` (`n_channels` equally long channels) framed by `framing` under
    /// `window`, checked by [`check`].
    pub fn new(
        framing: &'a Framing,
        y: &'a [T],
        n_channels: usize,
        window: &'a [f64],
    ) -> DspResult<Self> {
        let shape = check(framing, y, n_channels, window)?;
        Ok(FrameSource {
            framing,
            y,
            window,
            shape,
        })
    }

    /// The samples of channel `c`.
    #[inline]
    pub fn channel(&self, c: usize) -> &'a [T] {
        let ns = self.shape.n_samples;
        &self.y[c * ns..(c + 1) * ns]
    }

    /// The same framing, window and shape over other samples `y` (of the
    /// same length: the float32 view of these, say).
    pub fn with_samples<U>(&self, y: &'a [U]) -> FrameSource<'a, U> {
        debug_assert_eq!(y.len(), self.y.len());
        FrameSource {
            framing: self.framing,
            y,
            window: self.window,
            shape: self.shape,
        }
    }

    /// A fresh [`Worker`] for this source's window.
    pub fn worker<F: Float>(&self) -> Worker<F> {
        Worker::new(self.window)
    }
}

/// Visit the spectrum of every (channel, frame), in parallel over frames,
/// with the FFT in f64.
///
/// `visit(channel, frame, spectrum, state)` gets a per-task `state` made by
/// `make_state`, for scratch space. Visitors must only write output owned by
/// their (channel, frame).
pub fn for_each_spectrum<T, S, M, V>(src: &FrameSource<T>, make_state: M, visit: V)
where
    T: Float,
    M: Fn() -> S + Send + Sync,
    V: Fn(usize, usize, &[Complex<f64>], &mut S) + Send + Sync,
{
    for_each_spectrum_in::<f64, T, S, M, V>(src, make_state, visit);
}

/// [`for_each_spectrum`] with the FFT in precision `F` (f32 for float32
/// audio where the result's tolerance allows it).
pub fn for_each_spectrum_in<F, T, S, M, V>(src: &FrameSource<T>, make_state: M, visit: V)
where
    F: Float,
    T: Float,
    M: Fn() -> S + Send + Sync,
    V: Fn(usize, usize, &[Complex<F>], &mut S) + Send + Sync,
{
    for_each_frame::<F, T, S, M, _>(src, make_state, |c, t, yc, w, s| {
        visit(c, t, w.compute(src.framing, yc, t), s)
    });
}

/// Like [`for_each_spectrum_in`], handing the visitor the power spectrum
/// `|X|^2` (`n_bins` values, f64) instead of the complex one; the split
/// step of the real FFT writes it directly.
pub fn for_each_power_in<F, T, S, M, V>(src: &FrameSource<T>, make_state: M, visit: V)
where
    F: Float,
    T: Float,
    M: Fn() -> S + Send + Sync,
    V: Fn(usize, usize, &[f64], &mut S) + Send + Sync,
{
    for_each_frame::<F, T, _, _, _>(
        src,
        || (vec![0.0f64; src.shape.n_bins], make_state()),
        |c, t, yc, w, (pw, s)| {
            w.power_into(src.framing, yc, t, pw);
            visit(c, t, pw, s)
        },
    );
}

/// Frames one task takes at least (fewer stay on the calling thread):
/// 32 frames' worth of a 2048-point FFT.
pub fn frames_per_task(framing: &Framing) -> usize {
    (MIN_FRAMES_PER_TASK * 2048 / framing.frame_length.max(1)).max(4)
}

/// Run `visit(channel, frame, channel samples, worker, state)` for every
/// (channel, frame), in parallel over frames, with one worker and one
/// `make_state()` per task.
pub fn for_each_frame<F, T, S, M, V>(src: &FrameSource<T>, make_state: M, visit: V)
where
    F: Float,
    T: Float,
    M: Fn() -> S + Send + Sync,
    V: Fn(usize, usize, &[T], &mut Worker<F>, &mut S) + Send + Sync,
{
    for_each_frame_then(src, make_state, visit, |_| {});
}

/// [`for_each_frame`], then `done(state)` once at the end of each task (for
/// visitors that gather several frames before writing them).
pub fn for_each_frame_then<F, T, S, M, V, D>(src: &FrameSource<T>, make_state: M, visit: V, done: D)
where
    F: Float,
    T: Float,
    M: Fn() -> S + Send + Sync,
    V: Fn(usize, usize, &[T], &mut Worker<F>, &mut S) + Send + Sync,
    D: Fn(&mut S) + Send + Sync,
{
    let (framing, y, window, shape) = (src.framing, src.y, src.window, &src.shape);
    let total = shape.n_channels * shape.n_frames;
    for_each_range(total, frames_per_task(framing), |range| {
        let mut worker = Worker::<F>::new(window);
        let mut state = make_state();
        for item in range {
            let (c, t) = (item / shape.n_frames, item % shape.n_frames);
            let yc = &y[c * shape.n_samples..(c + 1) * shape.n_samples];
            visit(c, t, yc, &mut worker, &mut state);
        }
        done(&mut state);
    });
}

/// The complex STFT into `out`, laid out `(channel, frame, bin)`.
///
/// Each frame's spectrum is contiguous, which is the memory order of
/// librosa's Fortran-ordered `(bins, frames)` result; Python exposes it as a
/// `(..., bins, frames)` view without copying. The FFT runs in the precision
/// of the input: float32 audio gives complex64 output within a few ulps of
/// librosa's float64-then-rounded values (well inside the 1e-5-of-peak
/// contract).
pub fn stft_into<T: Float>(src: &FrameSource<T>, out: &mut [Complex<T>]) -> DspResult<()> {
    let shape = &src.shape;
    let (nb, nf) = (shape.n_bins, shape.n_frames);
    if out.len() != shape.n_channels * nb * nf {
        return Err(DspError::shape(
            "stft output",
            shape.n_channels * nb * nf,
            out.len(),
        ));
    }
    let dst = SharedMut::new(out);
    for_each_frame::<T, T, _, _, _>(
        src,
        || (),
        |c, t, yc, w, _| {
            let item = c * nf + t;
            // SAFETY: frame `item` owns out[item * nb..(item + 1) * nb].
            let col = unsafe { dst.slice_mut(item * nb, nb) };
            w.compute_into(src.framing, yc, t, col);
        },
    );
    Ok(())
}

/// Convenience wrapper: the STFT of one channel as a `(frames, bins)` vector.
pub fn stft<T: Float>(
    framing: &Framing,
    y: &[T],
    window: &[f64],
) -> DspResult<(Vec<Complex<T>>, StftShape)> {
    let src = FrameSource::new(framing, y, 1, window)?;
    let shape = src.shape;
    let mut out = vec![Complex::new(T::default(), T::default()); shape.n_bins * shape.n_frames];
    stft_into(&src, &mut out)?;
    Ok((out, shape))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::spectrum::pad::PadMode;
    use crate::dsp::spectrum::window::{get_window, WindowKind};

    fn naive_stft(y: &[f64], n_fft: usize, hop: usize, w: &[f64]) -> Vec<Vec<Complex<f64>>> {
        // center=True, constant padding, computed straight from the definition.
        let pad = n_fft / 2;
        let mut padded = vec![0.0; pad];
        padded.extend_from_slice(y);
        padded.extend(vec![0.0; pad]);
        let n_frames = 1 + (padded.len() - n_fft) / hop;
        (0..n_frames)
            .map(|t| {
                (0..n_fft / 2 + 1)
                    .map(|k| {
                        (0..n_fft).fold(Complex::new(0.0, 0.0), |acc, j| {
                            let ang = -2.0 * std::f64::consts::PI * (k * j) as f64 / n_fft as f64;
                            acc + Complex::new(ang.cos(), ang.sin()) * (padded[t * hop + j] * w[j])
                        })
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn matches_naive_dft() {
        let y: Vec<f64> = (0..300)
            .map(|i| (i as f64 * 0.37).sin() + 0.1 * (i % 7) as f64)
            .collect();
        for n_fft in [32usize, 33] {
            let framing = Framing {
                frame_length: n_fft,
                hop_length: 8,
                center: true,
                pad_mode: PadMode::Constant,
            };
            let w = get_window(WindowKind::Hann, n_fft, true);
            let (out, shape) = stft(&framing, &y, &w).unwrap();
            let reference = naive_stft(&y, n_fft, 8, &w);
            assert_eq!(shape.n_frames, reference.len());
            for (t, col) in reference.iter().enumerate() {
                for (k, v) in col.iter().enumerate() {
                    assert!((out[t * shape.n_bins + k] - v).norm() < 1e-9);
                }
            }
        }
    }

    #[test]
    fn parseval_for_rectangular_frames() {
        // With a boxcar window and hop == n_fft, the frames tile the signal.
        let n_fft = 64;
        let y: Vec<f64> = (0..n_fft * 4)
            .map(|i| ((i * 13 % 17) as f64) - 8.0)
            .collect();
        let framing = Framing {
            frame_length: n_fft,
            hop_length: n_fft,
            center: false,
            pad_mode: PadMode::Constant,
        };
        let w = vec![1.0; n_fft];
        let (out, shape) = stft(&framing, &y, &w).unwrap();
        let energy_time: f64 = y.iter().map(|v| v * v).sum();
        let mut energy_freq = 0.0;
        for t in 0..shape.n_frames {
            for k in 0..shape.n_bins {
                let weight = if k == 0 || k == n_fft / 2 { 1.0 } else { 2.0 };
                energy_freq += weight * out[t * shape.n_bins + k].norm_sqr();
            }
        }
        assert!((energy_time - energy_freq / n_fft as f64).abs() < 1e-6 * energy_time);
    }

    #[test]
    fn rejects_bad_window_length() {
        let framing = Framing {
            frame_length: 16,
            hop_length: 4,
            center: true,
            pad_mode: PadMode::Constant,
        };
        assert!(stft(&framing, &[0.0f64; 64], &[1.0; 15]).is_err());
    }
}
