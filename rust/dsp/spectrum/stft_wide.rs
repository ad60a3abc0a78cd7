//! The STFT of float32 audio computed as librosa computes it: frames widened
//! to f64 by the f64 window, a float64 FFT, each bin rounded once to the
//! output precision.
//!
//! librosa multiplies float32 frames by its float64 window, so numpy's FFT
//! runs in float64 and only the stored result is complex64. A float32 FFT
//! is within ~1e-7 of the peak but not within `np.allclose` of small bins;
//! this kernel gives librosa's values per bin (to the last rounding).

use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::{for_each_range, SharedMut};
use crate::dsp::num::simd;
use crate::dsp::spectrum::frame::Framing;
use crate::dsp::spectrum::rfft::{stream_fence, NarrowRealFft};
use crate::dsp::spectrum::stft::{for_each_frame, frames_per_task, FrameSource, StftShape};
use crate::error::{DspError, DspResult};
use num_complex::Complex;
use std::cell::RefCell;

/// The complex STFT of `y` (samples of any [`Float`] type) with a float64
/// FFT, into `out` laid out `(channel, frame, bin)` in precision `O`.
///
/// `src` comes from [`FrameSource::new`].
pub fn stft_wide_into<T: Float, O: Float>(
    src: &FrameSource<T>,
    out: &mut [Complex<O>],
) -> DspResult<()> {
    let (framing, y, window, shape) = (src.framing, src.y, src.window, &src.shape);
    let (nb, nf) = (shape.n_bins, shape.n_frames);
    if out.len() != shape.n_channels * nb * nf {
        return Err(DspError::shape(
            "stft output",
            shape.n_channels * nb * nf,
            out.len(),
        ));
    }
    if let (Some(y32), Some(o32)) = (T::as_f32(y), as_complex_f32(out)) {
        let n = framing.frame_length;
        if n >= 16 && n.is_multiple_of(2) && simd::has_avx2() {
            complex64_frames(framing, y32, window, shape, o32);
            return Ok(());
        }
    }
    let dst = SharedMut::new(out);
    for_each_frame::<f64, T, _, _, _>(
        src,
        || (),
        |c, t, yc, w, _| {
            let item = c * nf + t;
            // SAFETY: frame `item` owns out[item * nb..(item + 1) * nb].
            let col = unsafe { dst.slice_mut(item * nb, nb) };
            w.map_into(framing, yc, t, col, |re, im| {
                Complex::new(O::narrow(re), O::narrow(im))
            });
        },
    );
    Ok(())
}

/// `out` as complex64 when `O` is f32.
fn as_complex_f32<O: Float>(out: &mut [Complex<O>]) -> Option<&mut [Complex<f32>]> {
    let len = out.len();
    // SAFETY: Complex<O> is #[repr(C)] { re, im }: `len` complex values are
    // `2 * len` contiguous O values.
    let flat = unsafe { std::slice::from_raw_parts_mut(out.as_mut_ptr() as *mut O, 2 * len) };
    let f = O::as_f32_mut(flat)?;
    // SAFETY: the same memory viewed back as `len` Complex<f32>.
    Some(unsafe { std::slice::from_raw_parts_mut(f.as_mut_ptr() as *mut Complex<f32>, len) })
}

/// Transform sizes whose [`NarrowRealFft`] a thread keeps between tasks
/// (a few tens of kilobytes; larger ones are made per task).
const KEEP_MAX: usize = 1 << 14;

thread_local! {
    static KEPT: RefCell<Option<NarrowRealFft>> = const { RefCell::new(None) };
}

/// Run `f` with a [`NarrowRealFft`] of length `n`, reusing this thread's
/// last one (tasks are cut into many pieces when the call is interruptible).
fn with_fft<R>(n: usize, f: impl FnOnce(&mut NarrowRealFft) -> R) -> R {
    if n > KEEP_MAX {
        return f(&mut NarrowRealFft::new(n));
    }
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        match kept.as_mut() {
            Some(fft) if fft.len() == n => f(fft),
            _ => f(kept.insert(NarrowRealFft::new(n))),
        }
    })
}

/// Outputs from this size on are written with non-temporal stores (they
/// do not fit in the caches, so reading their lines first is wasted).
const STREAM_MIN_BYTES: usize = 4 << 20;

/// float32 audio to complex64 bins, even `n_fft >= 16`, AVX2: each frame
/// widened by the f64 window into the FFT input, the f64 FFT, and the split
/// step rounding straight into the frame's output row
/// ([`NarrowRealFft::spectrum`], bit for bit the generic route).
fn complex64_frames(
    framing: &Framing,
    y: &[f32],
    window: &[f64],
    shape: &StftShape,
    out: &mut [Complex<f32>],
) {
    let (nb, nf, ns) = (shape.n_bins, shape.n_frames, shape.n_samples);
    let stream = std::mem::size_of_val(out) >= STREAM_MIN_BYTES;
    let dst = SharedMut::new(out);
    for_each_range(shape.n_channels * nf, frames_per_task(framing), |range| {
        with_fft(framing.frame_length, |fft| {
            fft.set_window(window);
            for item in range {
                let (c, t) = (item / nf, item % nf);
                let yc = &y[c * ns..(c + 1) * ns];
                let (w, input) = fft.window_and_input();
                framing.read_frame_windowed(yc, t, w, input);
                fft.run();
                // SAFETY: frame `item` owns out[item * nb..(item + 1) * nb].
                let row = unsafe { dst.slice_mut(item * nb, nb) };
                if stream {
                    fft.spectrum_streamed(row);
                } else {
                    fft.spectrum(row);
                }
            }
            if stream {
                stream_fence();
            }
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::spectrum::pad::PadMode;
    use crate::dsp::spectrum::stft::stft_into;
    use crate::dsp::spectrum::window::{get_window, WindowKind};

    #[test]
    fn float32_input_equals_the_f64_stft_rounded_once() {
        let framing = Framing {
            frame_length: 512,
            hop_length: 128,
            center: true,
            pad_mode: PadMode::Constant,
        };
        let y32: Vec<f32> = (0..3000)
            .map(|i| ((i as f32) * 0.013).sin() * 0.5 + ((i * 7919 % 101) as f32) * 1e-4)
            .collect();
        let y64: Vec<f64> = y32.iter().map(|&v| v as f64).collect();
        let w = get_window(WindowKind::parse("hann").unwrap(), 512, true);
        let src = FrameSource::new(&framing, &y32, 1, &w).unwrap();
        let n = src.shape.n_bins * src.shape.n_frames;
        let mut wide = vec![Complex::<f32>::default(); n];
        stft_wide_into(&src, &mut wide).unwrap();
        let mut full = vec![Complex::<f64>::default(); n];
        let src64 = FrameSource::new(&framing, &y64, 1, &w).unwrap();
        stft_into(&src64, &mut full).unwrap();
        for (a, b) in wide.iter().zip(&full) {
            assert_eq!(a.re, b.re as f32);
            assert_eq!(a.im, b.im as f32);
        }
    }

    #[test]
    fn wrong_output_length_is_an_error() {
        let framing = Framing {
            frame_length: 16,
            hop_length: 4,
            center: false,
            pad_mode: PadMode::Constant,
        };
        let y = vec![0.0f32; 64];
        let w = vec![1.0; 16];
        let src = FrameSource::new(&framing, &y, 1, &w).unwrap();
        let mut out = vec![Complex::<f32>::default(); 3];
        assert!(stft_wide_into(&src, &mut out).is_err());
    }
}
