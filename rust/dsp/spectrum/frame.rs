//! Frame counts and the virtual padded signal that STFT-style kernels read.

use crate::dsp::num::float::Float;
use crate::dsp::spectrum::pad::PadMode;
use crate::error::{DspError, DspResult};

/// How a signal is cut into overlapping frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framing {
    /// Frame length in samples (the FFT size for spectral kernels).
    pub frame_length: usize,
    /// Samples between frame starts.
    pub hop_length: usize,
    /// Pad `frame_length / 2` on both sides so frame t is centred on t * hop.
    pub center: bool,
    /// How the centred padding is filled.
    pub pad_mode: PadMode,
}

impl Framing {
    /// Check the parameters against a signal of `n` samples and return the
    /// number of frames: `1 + (n + 2 * (frame_length / 2) - frame_length) / hop`
    /// when centred, `1 + (n - frame_length) / hop` otherwise.
    pub fn n_frames(&self, n: usize) -> DspResult<usize> {
        if self.frame_length == 0 {
            return Err(DspError::param("n_fft", 0, "a positive integer"));
        }
        if self.hop_length == 0 {
            return Err(DspError::param("hop_length", 0, "a positive integer"));
        }
        if n == 0 {
            return Err(DspError::Empty {
                what: "audio buffer",
            });
        }
        let padded = self.padded_len(n);
        if padded < self.frame_length {
            return Err(DspError::param(
                "n_fft",
                self.frame_length,
                format!("at most the (padded) input length {padded}"),
            ));
        }
        Ok(1 + (padded - self.frame_length) / self.hop_length)
    }

    /// Length of the padded signal.
    pub fn padded_len(&self, n: usize) -> usize {
        if self.center {
            n + 2 * (self.frame_length / 2)
        } else {
            n
        }
    }

    /// Samples of padding before the signal.
    pub fn left_pad(&self) -> usize {
        if self.center {
            self.frame_length / 2
        } else {
            0
        }
    }

    /// Copy frame `t` of `y` (through the virtual padding) into `buf`
    /// (length `frame_length`), multiplied by `window` when given.
    #[inline]
    pub fn read_frame<T: Float, F: Float>(
        &self,
        y: &[T],
        t: usize,
        window: Option<&[f64]>,
        buf: &mut [F],
    ) {
        let n = y.len();
        let start = (t * self.hop_length) as isize - self.left_pad() as isize;
        let len = self.frame_length;
        if start >= 0 && start as usize + len <= n {
            // Interior frame: a straight copy.
            let src = &y[start as usize..start as usize + len];
            match window {
                Some(w) => {
                    for ((b, s), w) in buf.iter_mut().zip(src).zip(w) {
                        *b = F::narrow(s.wide() * w);
                    }
                }
                None => {
                    for (b, s) in buf.iter_mut().zip(src) {
                        *b = F::narrow(s.wide());
                    }
                }
            }
        } else {
            for (j, b) in buf.iter_mut().enumerate().take(len) {
                let v = self
                    .pad_mode
                    .source_index(start + j as isize, n)
                    .map_or(0.0, |s| y[s].wide());
                *b = F::narrow(match window {
                    Some(w) => v * w[j],
                    None => v,
                });
            }
        }
    }
}

impl Framing {
    /// Copy frame `t` of `y` (through the virtual padding) into `buf`
    /// (length `frame_length`), multiplied by `window`, which is already in
    /// the output precision so interior frames are one vectorised multiply.
    #[inline]
    pub fn read_frame_windowed<T: Float, F: Float + std::ops::Mul<Output = F>>(
        &self,
        y: &[T],
        t: usize,
        window: &[F],
        buf: &mut [F],
    ) {
        let n = y.len();
        let len = self.frame_length;
        let start = (t * self.hop_length) as isize - self.left_pad() as isize;
        let (buf, window) = (&mut buf[..len], &window[..len]);
        if start >= 0 && start as usize + len <= n {
            let src = &y[start as usize..start as usize + len];
            #[cfg(target_arch = "x86_64")]
            if crate::dsp::num::simd::has_avx2() {
                // SAFETY: the CPU supports AVX2, checked just above.
                return unsafe { multiply_avx2(src, window, buf) };
            }
            multiply(src, window, buf);
        } else {
            for (j, (b, w)) in buf.iter_mut().zip(window).enumerate() {
                let v = self
                    .pad_mode
                    .source_index(start + j as isize, n)
                    .map_or(0.0, |s| y[s].wide());
                *b = F::narrow(v) * *w;
            }
        }
    }
}

/// `buf[i] = src[i] * window[i]`, widening or narrowing `src` to `F`.
#[inline(always)]
fn multiply<T: Float, F: Float + std::ops::Mul<Output = F>>(
    src: &[T],
    window: &[F],
    buf: &mut [F],
) {
    for ((b, s), w) in buf.iter_mut().zip(src).zip(window) {
        *b = F::narrow(s.wide()) * *w;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn multiply_avx2<T: Float, F: Float + std::ops::Mul<Output = F>>(
    src: &[T],
    window: &[F],
    buf: &mut [F],
) {
    multiply(src, window, buf);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framing(frame_length: usize, hop_length: usize, center: bool) -> Framing {
        Framing {
            frame_length,
            hop_length,
            center,
            pad_mode: PadMode::Constant,
        }
    }

    #[test]
    fn closed_form_frame_counts() {
        for n in [1usize, 100, 2047, 2048, 2049, 22050, 661_500] {
            for (nfft, hop) in [(2048usize, 512usize), (512, 128), (1023, 300)] {
                let c = framing(nfft, hop, true).n_frames(n).unwrap();
                assert_eq!(c, 1 + (n + 2 * (nfft / 2) - nfft) / hop);
                let nc = framing(nfft, hop, false).n_frames(n);
                if n >= nfft {
                    assert_eq!(nc.unwrap(), 1 + (n - nfft) / hop);
                } else {
                    assert!(nc.is_err());
                }
            }
        }
        // 30 s at 22.05 kHz, hop 512: the figure quoted in the design notes.
        assert_eq!(framing(2048, 512, true).n_frames(661_500).unwrap(), 1292);
    }

    #[test]
    fn rejects_zero_hop_and_empty() {
        assert!(framing(8, 0, true).n_frames(10).is_err());
        assert!(framing(8, 2, true).n_frames(0).is_err());
        assert!(framing(0, 2, true).n_frames(10).is_err());
    }

    #[test]
    fn edge_frames_read_padding() {
        let y: Vec<f64> = (1..=6).map(|v| v as f64).collect();
        let f = Framing {
            frame_length: 4,
            hop_length: 2,
            center: true,
            pad_mode: PadMode::Reflect,
        };
        let mut buf = vec![0.0f64; 4];
        f.read_frame(&y, 0, None, &mut buf);
        assert_eq!(buf, vec![3.0, 2.0, 1.0, 2.0]);
        f.read_frame(&y, 3, None, &mut buf);
        assert_eq!(buf, vec![5.0, 6.0, 5.0, 4.0]);
    }
}
