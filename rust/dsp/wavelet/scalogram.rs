//! Scalograms: |CWT|^power pooled onto STFT-like frames, computed row by row
//! as the CWT produces them, so the full (scales × samples) complex array is
//! never stored.

use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::SharedMut;
use crate::dsp::wavelet::cwt::{cwt_rows, CwtBank, Row};
use crate::error::{DspError, DspResult};

/// Frames of a length-`n` signal: one per sample without a hop, else
/// `1 + n / hop` (the centred STFT's count, frame t centred on t * hop).
pub fn n_frames(n: usize, hop: Option<usize>) -> usize {
    match hop {
        None => n,
        Some(h) => 1 + n / h.max(1),
    }
}

/// Mean of `value(i)` over the `hop` samples centred on each frame
/// (`[t*hop - hop/2, t*hop - hop/2 + hop)`, clipped to the signal; a frame
/// past the end reads the last sample).
pub fn pool<F: Fn(usize) -> f64>(value: F, n: usize, hop: Option<usize>, out: &mut [f64]) {
    match hop {
        None => out.iter_mut().enumerate().for_each(|(i, o)| *o = value(i)),
        Some(h) => {
            for (t, o) in out.iter_mut().enumerate() {
                let start = (t * h).saturating_sub(h / 2);
                let end = (t * h + h - h / 2).min(n);
                *o = if start < end {
                    (start..end).map(&value).sum::<f64>() / (end - start) as f64
                } else {
                    value((t * h).min(n - 1))
                };
            }
        }
    }
}

/// |CWT|^power of `channels` signals, pooled with `hop`, into `out` shaped
/// (channels, n_scales, n_frames).
pub fn scalogram_into<T: Float, O: Float>(
    bank: &CwtBank,
    x: &[T],
    channels: usize,
    power: f64,
    hop: Option<usize>,
    out: &mut [O],
) -> DspResult<()> {
    if !(power.is_finite() && power > 0.0) {
        return Err(DspError::param("power", power, "a finite positive number"));
    }
    if hop == Some(0) {
        return Err(DspError::param("hop_length", 0, "a positive integer"));
    }
    let n = bank.n();
    let n_scales = bank.n_scales();
    let frames = n_frames(n, hop);
    if out.len() != channels * n_scales * frames {
        return Err(DspError::shape(
            "scalogram output",
            format!("({channels}, {n_scales}, {frames})"),
            out.len(),
        ));
    }
    let shared = SharedMut::new(out);
    let mag = move |m: f64| -> f64 {
        if power == 1.0 {
            m
        } else if power == 2.0 {
            m * m
        } else {
            m.powf(power)
        }
    };
    cwt_rows(bank, x, channels, |c, s, row| {
        let mut buf = vec![0.0; frames];
        match row {
            Row::Real(r) => pool(|i| mag(r[i].abs()), n, hop, &mut buf),
            Row::Complex(r) => pool(|i| mag(r[i].norm()), n, hop, &mut buf),
        }
        let base = (c * n_scales + s) * frames;
        for (t, v) in buf.into_iter().enumerate() {
            // SAFETY: each (channel, scale) row is written by one worker.
            unsafe { shared.write(base + t, O::narrow(v)) };
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooling_is_centred_means() {
        let v: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let mut out = vec![0.0; n_frames(10, Some(4))];
        pool(|i| v[i], 10, Some(4), &mut out);
        // frames at 0, 4, 8 cover [0,2), [2,6), [6,10)
        assert_eq!(out, vec![0.5, 3.5, 7.5]);
        let mut out = vec![0.0; n_frames(3, Some(1))];
        pool(|i| v[i], 3, Some(1), &mut out);
        assert_eq!(out, vec![0.0, 1.0, 2.0, 2.0]);
        let mut out = vec![0.0; 3];
        pool(|i| v[i], 3, None, &mut out);
        assert_eq!(out, vec![0.0, 1.0, 2.0]);
    }
}
