//! python_speech_features' filterbank front end in one pass per frame:
//! pre-emphasis, framing (zero-padded at the end, truncated or zero-padded
//! to the FFT size as `numpy.fft.rfft(frames, nfft)` does), the power
//! spectrum `|X|^2 / nfft`, its total (the frame energy) and the products
//! with the (sparse, triangular) mel filters. No frame matrix, no
//! (frames x bins) spectrogram is ever stored.

use crate::dsp::num::parallel::{for_each_range, SharedMut};
use crate::dsp::spectrum::fft;
use crate::dsp::spectrum::rfft::EvenRealFft;
use crate::error::{DspError, DspResult};
use num_complex::Complex;

/// Geometry and weights of one run.
pub struct PsfConfig<'a> {
    /// Pre-emphasis coefficient (0 disables it).
    pub preemph: f64,
    pub frame_len: usize,
    pub frame_step: usize,
    pub nfft: usize,
    /// `winfunc(frame_len)` truncated or zero-padded to `nfft`.
    pub window: &'a [f64],
    /// Filters, row-major `(nfilt, nfft / 2 + 1)`.
    pub filters: &'a [f64],
    /// Optional per-bin weights: also return `(pspec * weights) @ filters.T`
    /// (spectral subband centroids' numerator).
    pub weights: Option<&'a [f64]>,
    /// Floor zero powers at this value before the products (ssc), or not.
    pub zero_floor: Option<f64>,
    /// Replace zero filterbank and frame energies by this value, then take
    /// natural logs of both when `log` (fbank / logfbank / mfcc).
    pub out_floor: Option<f64>,
    pub log: bool,
}

/// Frames python_speech_features makes of `n` samples.
pub fn n_frames(n: usize, frame_len: usize, frame_step: usize) -> usize {
    if n <= frame_len {
        1
    } else {
        1 + (n - frame_len).div_ceil(frame_step)
    }
}

/// Filterbank energies `(frames, nfilt)`, frame energies `(frames,)`, and
/// the weighted products when `cfg.weights` is given.
pub fn psf_filterbank(x: &[f64], cfg: &PsfConfig<'_>) -> DspResult<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    if x.is_empty() {
        return Err(DspError::Empty { what: "signal" });
    }
    if !x.iter().all(|v| v.is_finite()) {
        return Err(DspError::NonFinite { what: "signal" });
    }
    if cfg.frame_len == 0 || cfg.frame_step == 0 || cfg.nfft == 0 {
        return Err(DspError::param("frame_len/frame_step/nfft", 0, "positive"));
    }
    let nb = cfg.nfft / 2 + 1;
    if cfg.window.len() != cfg.nfft {
        return Err(DspError::shape("window", cfg.nfft, cfg.window.len()));
    }
    if cfg.filters.is_empty() || !cfg.filters.len().is_multiple_of(nb) {
        return Err(DspError::shape(
            "filters",
            format!("(nfilt, {nb})"),
            cfg.filters.len(),
        ));
    }
    if cfg.weights.is_some_and(|w| w.len() != nb) {
        return Err(DspError::shape(
            "weights",
            nb,
            cfg.weights.map_or(0, |w| w.len()),
        ));
    }
    let nfilt = cfg.filters.len() / nb;
    // Each filter's non-zero bins, so the products skip the zeros.
    let spans: Vec<(usize, usize)> = cfg
        .filters
        .chunks_exact(nb)
        .map(|row| {
            let lo = row.iter().position(|v| *v != 0.0).unwrap_or(0);
            let hi = row.iter().rposition(|v| *v != 0.0).map_or(0, |i| i + 1);
            (lo, hi.max(lo))
        })
        .collect();
    let nf = n_frames(x.len(), cfg.frame_len, cfg.frame_step);
    let mut feat = vec![0.0; nf * nfilt];
    let mut energy = vec![0.0; nf];
    let mut wfeat = vec![0.0; if cfg.weights.is_some() { nf * nfilt } else { 0 }];
    let (df, de, dw) = (
        SharedMut::new(&mut feat),
        SharedMut::new(&mut energy),
        SharedMut::new(&mut wfeat),
    );
    let used = cfg.frame_len.min(cfg.nfft);
    let scale = 1.0 / cfg.nfft as f64;
    for_each_range(nf, 64, |range| {
        let mut even = (cfg.nfft >= 2 && cfg.nfft.is_multiple_of(2))
            .then(|| EvenRealFft::<f64>::new(cfg.nfft));
        let odd = if even.is_none() {
            Some(fft::forward_in::<f64>(cfg.nfft))
        } else {
            None
        };
        let mut buf = vec![0.0; cfg.nfft];
        let mut spec = vec![Complex::new(0.0, 0.0); nb];
        let mut scratch = odd
            .as_ref()
            .map(|p| p.make_scratch_vec())
            .unwrap_or_default();
        let mut ps = vec![0.0; nb];
        for t in range {
            let start = t * cfg.frame_step;
            let frame: &mut [f64] = match even.as_mut() {
                Some(f) => f.input_mut(),
                None => &mut buf,
            };
            // Samples start..start + valid exist; the rest of the frame is zero.
            let valid = used.min(x.len().saturating_sub(start));
            frame[valid..].fill(0.0);
            let mut j0 = 0;
            if start == 0 && valid > 0 {
                frame[0] = x[0] * cfg.window[0];
                j0 = 1;
            }
            let (cur, prev) = (
                &x[start + j0..start + valid],
                &x[start + j0 - 1..start + valid - 1],
            );
            for (((b, w), c), p) in frame[j0..valid]
                .iter_mut()
                .zip(&cfg.window[j0..valid])
                .zip(cur)
                .zip(prev)
            {
                *b = (c - cfg.preemph * p) * w;
            }
            match (even.as_mut(), odd.as_ref()) {
                (Some(f), _) => {
                    f.run();
                    f.power(&mut ps);
                }
                (None, Some(p)) => {
                    let _ = p.process_with_scratch(&mut buf, &mut spec, &mut scratch);
                    for (o, c) in ps.iter_mut().zip(&spec) {
                        *o = c.re * c.re + c.im * c.im;
                    }
                }
                _ => unreachable!(),
            }
            let mut e = 0.0;
            for v in ps.iter_mut() {
                *v *= scale;
                e += *v;
            }
            if let Some(floor) = cfg.zero_floor {
                ps.iter_mut()
                    .filter(|v| **v == 0.0)
                    .for_each(|v| *v = floor);
            }
            // SAFETY: frame t owns its row of each output.
            unsafe { de.write(t, e) };
            let row = unsafe { df.slice_mut(t * nfilt, nfilt) };
            for ((o, f), (lo, hi)) in row.iter_mut().zip(cfg.filters.chunks_exact(nb)).zip(&spans) {
                *o = ps[*lo..*hi]
                    .iter()
                    .zip(&f[*lo..*hi])
                    .map(|(p, w)| p * w)
                    .sum();
            }
            if let Some(floor) = cfg.out_floor {
                let e = unsafe { de.slice_mut(t, 1) };
                for v in row.iter_mut().chain(e.iter_mut()) {
                    if *v == 0.0 {
                        *v = floor;
                    }
                    if cfg.log {
                        *v = v.ln();
                    }
                }
            }
            if let Some(wts) = cfg.weights {
                let row = unsafe { dw.slice_mut(t * nfilt, nfilt) };
                for ((o, f), (lo, hi)) in
                    row.iter_mut().zip(cfg.filters.chunks_exact(nb)).zip(&spans)
                {
                    *o = (*lo..*hi).map(|k| ps[k] * wts[k] * f[k]).sum();
                }
            }
        }
    });
    Ok((feat, energy, wfeat))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_counts_follow_psf() {
        assert_eq!(n_frames(100, 400, 160), 1);
        assert_eq!(n_frames(400, 400, 160), 1);
        assert_eq!(n_frames(401, 400, 160), 2);
        assert_eq!(n_frames(720, 400, 160), 3);
    }

    #[test]
    fn energy_is_parseval_for_a_rectangular_frame() {
        let x: Vec<f64> = (0..64).map(|i| ((i * 5 % 7) as f64) - 3.0).collect();
        let fb = vec![1.0; 33];
        let w = vec![1.0; 64];
        let cfg = PsfConfig {
            preemph: 0.0,
            frame_len: 64,
            frame_step: 64,
            nfft: 64,
            window: &w,
            filters: &fb,
            weights: None,
            zero_floor: None,
            out_floor: None,
            log: false,
        };
        let (feat, energy, _) = psf_filterbank(&x, &cfg).unwrap();
        assert_eq!(energy.len(), 1);
        assert!((feat[0] - energy[0]).abs() < 1e-9);
        // One-sided sum: DC and Nyquist once, the rest once (psf does not double).
        assert!(energy[0] > 0.0);
    }
}
