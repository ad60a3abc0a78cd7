//! Spectral centroid of float32 audio with an f32 FFT, guarded.
//!
//! librosa's float32 centroid comes from an f64 FFT rounded to complex64.
//! An f32 FFT is about twice as fast, but adds rounding noise of about
//! `sigma = eps * sqrt(log2 n * E / n)` to every bin (`E` the frame's
//! energy), which moves the centroid `sum f |X| / sum |X|` by about
//! `sigma * sqrt(sum_k (f_k - c)^2) / sum |X|` (rms). That is negligible for
//! broadband frames and not for a pure tone, so each frame's estimate is
//! compared with its centroid and the frames above [`REDO_ABOVE`] of it are
//! computed with the f64 FFT.

use crate::dsp::num::parallel::SharedMut;
use crate::dsp::spectral::column::{
    centroid_of_sums, centroid_sums, describe_frame, magnitude, Descriptor, Scratch,
};
use crate::dsp::spectrum::frame::Framing;
use crate::dsp::spectrum::guarded::{run_guarded, ErrorModel, Verdict};
use crate::dsp::spectrum::noise::{variance_per_energy, BLOCK};
use crate::dsp::spectrum::stft::{frames_per_task, FrameSource, StftShape, Worker};
use num_complex::Complex;

/// Frames whose estimated error exceeds this fraction of their centroid are
/// computed with the f64 FFT. The estimate is an rms about 3-4x above the
/// typical f32-vs-f64 difference; at this bound the worst error measured
/// against librosa over random tones, chirps, noise, clicks and square
/// waves is 7.5e-7 of the peak (the float32 contract is 1e-5).
pub const REDO_ABOVE: f64 = 3e-7;

/// Frames whose magnitudes sum to less than this (squares near f32's
/// underflow) are computed with the f64 FFT.
const TINY_L1: f64 = 1e-10;

/// The centroid of every (channel, frame) of float32 `y` into `out`
/// (`channel, frame`), as [`crate::dsp::spectral::run_on_audio`] computes
/// it with `[Descriptor::Centroid]`, within the contract.
///
/// Each frame is compared with its own centroid (never above the peak, so
/// the check is stricter than the contract's). The choice of FFT depends
/// only on the frame and its block's first frame, never on how frames are
/// split among threads, so results do not depend on the thread count.
pub fn centroid_on_audio(src: &FrameSource<f32>, freq: &[f64], out: &mut [f64]) {
    let (framing, y, window, shape) = (src.framing, src.y, src.window, &src.shape);
    let model = CentroidModel {
        g: Guarded::new(framing, shape, freq),
        y,
        window,
        dst: SharedMut::new(out),
    };
    run_guarded(&model, shape.n_channels * shape.n_frames);
}

/// The centroid's error model for [`run_guarded`]: keep a frame's f32
/// centroid when its estimate is within [`REDO_ABOVE`] of it, else redo.
struct CentroidModel<'a> {
    g: Guarded<'a>,
    y: &'a [f32],
    window: &'a [f64],
    dst: SharedMut<f64>,
}

impl ErrorModel for CentroidModel<'_> {
    type Task = Workers;
    const BLOCK: usize = BLOCK;

    fn frames_per_task(&self) -> usize {
        frames_per_task(self.g.framing)
    }
    fn task(&self) -> Workers {
        Workers::new(self.window, self.g.shape.n_bins)
    }
    fn try_f32(&self, w: &mut Workers, item: usize, write: bool) -> Verdict {
        match self.g.f32_centroid(self.y, item, w) {
            Some(v) => {
                if write {
                    // SAFETY: entry `item` belongs to this item only.
                    unsafe { self.dst.write(item, v) };
                }
                Verdict::Keep
            }
            None => Verdict::Redo,
        }
    }
    fn exact_f64(&self, w: &mut Workers, item: usize) {
        let v = self.g.f64_centroid(self.y, item, w);
        // SAFETY: entry `item` belongs to this item only.
        unsafe { self.dst.write(item, v) };
    }
}

/// Per-task FFT workers and buffers.
struct Workers {
    w32: Worker<f32>,
    w64: Worker<f64>,
    col: Vec<f32>,
    scratch: Scratch,
}

impl Workers {
    fn new(window: &[f64], n_bins: usize) -> Self {
        Workers {
            w32: Worker::new(window),
            w64: Worker::new(window),
            col: vec![0.0; n_bins],
            scratch: Scratch::default(),
        }
    }
}

/// The call's geometry and the estimate's constants.
struct Guarded<'a> {
    framing: &'a Framing,
    shape: &'a StftShape,
    freq: &'a [f64],
    /// Bin-noise variance per unit of half-spectrum energy.
    per_energy: f64,
    /// `sum f` and `sum f^2` over the bins.
    f1: f64,
    f2: f64,
}

impl<'a> Guarded<'a> {
    fn new(framing: &'a Framing, shape: &'a StftShape, freq: &'a [f64]) -> Self {
        let f = &freq[..shape.n_bins];
        Guarded {
            framing,
            shape,
            freq,
            per_energy: variance_per_energy(framing.frame_length),
            f1: f.iter().sum(),
            f2: f.iter().map(|v| v * v).sum(),
        }
    }

    /// The samples of channel `c`.
    fn channel<'y>(&self, y: &'y [f32], c: usize) -> &'y [f32] {
        let ns = self.shape.n_samples;
        &y[c * ns..(c + 1) * ns]
    }

    /// The centroid of frame `item` from the f32 FFT, or None when its
    /// estimated error exceeds [`REDO_ABOVE`] of the centroid itself.
    fn f32_centroid(&self, y: &[f32], item: usize, w: &mut Workers) -> Option<f64> {
        let nf = self.shape.n_frames;
        let yc = self.channel(y, item / nf);
        // |X| in f32 (vectorised square root): its rounding is far below the
        // f32 FFT's noise, which the estimate below covers.
        w.w32
            .map_into(self.framing, yc, item % nf, &mut w.col, |re, im| {
                (re * re + im * im).sqrt()
            });
        let nb = self.shape.n_bins;
        let (l1, acc, energy) = centroid_sums(&w.col, &self.freq[..nb]);
        // Squares near or below f32's underflow lose precision or vanish:
        // such faint frames (and silent ones, which cannot be told apart
        // from them here) take the f64 path. Overflow gives inf, and the
        // check below fails on NaN.
        if l1 < TINY_L1 {
            return None;
        }
        let cen = centroid_of_sums::<f32>(l1, acc);
        // The centroid's normaliser, as centroid_of_sums takes it.
        let len = if l1 < f32::MIN_POSITIVE as f64 {
            1.0
        } else {
            l1
        };
        // sum_k (f_k - c)^2 from the two precomputed sums.
        let spread = (self.f2 - 2.0 * cen * self.f1 + nb as f64 * cen * cen).max(0.0);
        let est = (self.per_energy * energy * spread).sqrt() / len;
        (est <= REDO_ABOVE * cen.abs()).then_some(cen)
    }

    /// The centroid of frame `item` from the f64 FFT (librosa's path).
    fn f64_centroid(&self, y: &[f32], item: usize, w: &mut Workers) -> f64 {
        let nf = self.shape.n_frames;
        let yc = self.channel(y, item / nf);
        w.w64
            .map_into(self.framing, yc, item % nf, &mut w.col, |re, im| {
                magnitude::<f32>(Complex::new(re, im))
            });
        let mut val = [0.0f64];
        describe_frame(
            &w.col,
            self.freq,
            &[Descriptor::Centroid],
            item,
            &mut w.scratch,
            &mut val,
        );
        val[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::num::parallel::set_num_threads;
    use crate::dsp::spectral::{fft_frequencies, run_on_audio};
    use crate::dsp::spectrum::pad::PadMode;
    use crate::dsp::spectrum::stft::check;
    use crate::dsp::spectrum::window::{get_window, WindowKind};

    /// Centroids of `y` (float32) by the guarded path and by the f64-FFT
    /// path on the same samples; and the guarded ones on one thread.
    fn both(y32: &[f32], n_fft: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let framing = Framing {
            frame_length: n_fft,
            hop_length: n_fft / 4,
            center: true,
            pad_mode: PadMode::Constant,
        };
        let window = get_window(WindowKind::Hann, n_fft, true);
        let shape = check(&framing, y32, 1, &window).unwrap();
        let freq = fft_frequencies(22050.0, n_fft);
        let mut got = vec![0.0; shape.n_frames];
        centroid_on_audio(
            &FrameSource {
                framing: &framing,
                y: y32,
                window: &window,
                shape,
            },
            &freq,
            &mut got,
        );
        let y64: Vec<f64> = y32.iter().map(|&v| v as f64).collect();
        let mut want = vec![0.0; shape.n_frames];
        let d = [Descriptor::Centroid];
        run_on_audio(
            &FrameSource {
                framing: &framing,
                y: &y64,
                window: &window,
                shape,
            },
            &freq,
            &d,
            &mut want,
        )
        .unwrap();
        set_num_threads(1);
        let mut one = vec![0.0; shape.n_frames];
        centroid_on_audio(
            &FrameSource {
                framing: &framing,
                y: y32,
                window: &window,
                shape,
            },
            &freq,
            &mut one,
        );
        set_num_threads(0);
        (got, want, one)
    }

    fn max_rel(a: &[f64], b: &[f64]) -> f64 {
        let peak = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        a.iter()
            .zip(b)
            .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
            / peak
    }

    #[test]
    fn guarded_centroid_stays_close_to_the_f64_path() {
        let tone: Vec<f32> = (0..30_000)
            .map(|i| (0.3 * (i as f64 * 2.0 * std::f64::consts::PI * 441.0 / 22050.0).sin()) as f32)
            .collect();
        // Tones plus a noise floor (a deterministic pseudo-random sequence).
        let mut state = 12345u64;
        let noisy: Vec<f32> = (0..30_000)
            .map(|i| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let r = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                (0.4 * (i as f64 * 0.0627).sin() + 0.1 * r) as f32
            })
            .collect();
        for n_fft in [512, 2048] {
            for y in [&tone, &noisy] {
                let (got, want, one) = both(y, n_fft);
                assert!(max_rel(&got, &want) < 5e-7, "n_fft={n_fft}");
                assert_eq!(got, one, "thread count changed the result");
            }
        }
    }
}
