//! The STFT of float32 audio computed as librosa computes it: frames widened
//! to f64 by the f64 window, a float64 FFT, each bin rounded once to the
//! output precision.
//!
//! librosa multiplies float32 frames by its float64 window, so numpy's FFT
//! runs in float64 and only the stored result is complex64. A float32 FFT
//! is within ~1e-7 of the peak but not within `np.allclose` of small bins;
//! this kernel gives librosa's values per bin (to the last rounding).

use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::SharedMut;
use crate::dsp::spectrum::frame::Framing;
use crate::dsp::spectrum::stft::{for_each_frame, StftShape};
use crate::error::{DspError, DspResult};
use num_complex::Complex;

/// The complex STFT of `y` (samples of any [`Float`] type) with a float64
/// FFT, into `out` laid out `(channel, frame, bin)` in precision `O`.
///
/// `shape` comes from [`crate::dsp::spectrum::stft::check`].
pub fn stft_wide_into<T: Float, O: Float>(
    framing: &Framing,
    y: &[T],
    window: &[f64],
    shape: &StftShape,
    out: &mut [Complex<O>],
) -> DspResult<()> {
    let (nb, nf) = (shape.n_bins, shape.n_frames);
    if out.len() != shape.n_channels * nb * nf {
        return Err(DspError::shape(
            "stft output",
            shape.n_channels * nb * nf,
            out.len(),
        ));
    }
    let dst = SharedMut::new(out);
    for_each_frame::<f64, T, _, _, _>(
        framing,
        y,
        window,
        shape,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::spectrum::pad::PadMode;
    use crate::dsp::spectrum::stft::{check, stft_into};
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
        let shape = check(&framing, &y32, 1, &w).unwrap();
        let n = shape.n_bins * shape.n_frames;
        let mut wide = vec![Complex::<f32>::default(); n];
        stft_wide_into(&framing, &y32, &w, &shape, &mut wide).unwrap();
        let mut full = vec![Complex::<f64>::default(); n];
        stft_into(&framing, &y64, &w, &shape, &mut full).unwrap();
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
        let shape = check(&framing, &y, 1, &w).unwrap();
        let mut out = vec![Complex::<f32>::default(); 3];
        assert!(stft_wide_into(&framing, &y, &w, &shape, &mut out).is_err());
    }
}
