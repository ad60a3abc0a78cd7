//! Fused mel spectrogram and MFCC kernels.
//!
//! From audio, each frame goes spectrum -> |X|^power -> sparse mel product
//! (-> dB -> DCT for MFCC) in one pass on top of
//! [`for_each_spectrum`]; the `(n_bins, n_frames)` spectrogram is never
//! materialised. MFCC needs one extra pass because librosa's `top_db` clamp
//! uses the maximum over the whole array (all channels): pass 1 stores the
//! frame-major dB mel spectrogram, pass 2 clamps each frame and applies the
//! DCT.
//!
//! The per-frame pieces ([`power_spectrum`], [`MelBank::apply`],
//! [`power_to_db`], [`top_db_floor`], [`DctMatrix::apply`]) are public so a
//! multi-feature kernel can fuse them with others.

use crate::dsp::dct::DctMatrix;
use crate::dsp::frame::Framing;
use crate::dsp::mel::MelBank;
use crate::dsp::parallel::{for_each_range, SharedMut};
use crate::dsp::sample::Sample;
use crate::dsp::stft::{for_each_spectrum, StftShape};
use crate::error::{DspError, DspResult};
use num_complex::Complex;
use std::ops::Range;

/// Multiply-adds below which a matrix-on-spectrogram call stays on one thread.
const MIN_WORK_PER_TASK: usize = 1 << 18;

/// `out[k] = |spec[k]|^power` for `k` in `range` (other entries untouched).
///
/// `power = 2` and `power = 1` take exact fast paths (`re^2 + im^2`, its
/// square root); other exponents use `(re^2 + im^2)^(power / 2)`.
#[inline]
pub fn power_spectrum(spec: &[Complex<f64>], power: f64, range: Range<usize>, out: &mut [f64]) {
    let (s, o) = (&spec[range.clone()], &mut out[range]);
    if power == 2.0 {
        for (o, c) in o.iter_mut().zip(s) {
            *o = c.re * c.re + c.im * c.im;
        }
    } else if power == 1.0 {
        for (o, c) in o.iter_mut().zip(s) {
            *o = c.re.hypot(c.im);
        }
    } else {
        let half = power / 2.0;
        for (o, c) in o.iter_mut().zip(s) {
            *o = (c.re * c.re + c.im * c.im).powf(half);
        }
    }
}

/// Power in decibels, `10 log10(max(amin, v))` (librosa.power_to_db with
/// `ref=1.0`, before the `top_db` clamp).
#[inline]
pub fn power_to_db(v: f64, amin: f64) -> f64 {
    10.0 * v.max(amin).log10()
}

/// The floor librosa's `top_db` clamp imposes on a whole dB array:
/// `max(db) - top_db`, or `-inf` when `top_db` is `None`.
///
/// Apply it with `v.max(floor)` to every value (all channels) before any
/// further transform.
pub fn top_db_floor(db: &[f64], top_db: Option<f64>) -> f64 {
    match top_db {
        Some(t) => db.iter().cloned().fold(f64::NEG_INFINITY, f64::max) - t,
        None => f64::NEG_INFINITY,
    }
}

fn check_bank(bank: &MelBank, n_bins: usize) -> DspResult<()> {
    if bank.n_bins() != n_bins {
        return Err(DspError::shape(
            "mel filter bank",
            format!("(n_mels, {n_bins})"),
            format!("({}, {})", bank.n_mels(), bank.n_bins()),
        ));
    }
    Ok(())
}

fn check_power(power: f64) -> DspResult<()> {
    if !power.is_finite() || power <= 0.0 {
        return Err(DspError::param("power", power, "a finite number > 0"));
    }
    Ok(())
}

/// Mel spectrogram of audio into `out`, laid out `(channel, mel, frame)`.
///
/// `y` holds `shape.n_channels` channels of `shape.n_samples` each (see
/// [`crate::dsp::stft::check`]); `power` is the spectrogram exponent.
pub fn melspectrogram_into<T: Sample, O: Sample>(
    framing: &Framing,
    y: &[T],
    window: &[f64],
    shape: &StftShape,
    bank: &MelBank,
    power: f64,
    out: &mut [O],
) -> DspResult<()> {
    check_bank(bank, shape.n_bins)?;
    check_power(power)?;
    let (nm, nf) = (bank.n_mels(), shape.n_frames);
    if out.len() != shape.n_channels * nm * nf {
        return Err(DspError::shape(
            "melspectrogram output",
            shape.n_channels * nm * nf,
            out.len(),
        ));
    }
    let dst = SharedMut::new(out);
    let range = bank.bin_range();
    for_each_spectrum(
        framing,
        y,
        window,
        shape,
        || (vec![0.0f64; shape.n_bins], vec![0.0f64; nm]),
        |c, t, spec, (pw, mel)| {
            power_spectrum(spec, power, range.clone(), pw);
            bank.apply(pw, mel);
            let base = c * nm * nf + t;
            for (m, v) in mel.iter().enumerate() {
                // SAFETY: element (c, m, t) belongs to this (channel, frame) only.
                unsafe { dst.write(base + m * nf, O::from_f64(*v)) };
            }
        },
    );
    Ok(())
}

/// MFCCs of audio into `out`, laid out `(channel, coefficient, frame)`.
///
/// Per frame: `|X|^power` -> mel -> `10 log10(max(amin, .))`; then the whole
/// array is floored at `max - top_db` and each frame goes through `dct`
/// (whose `n_in` must equal the bank's `n_mels`).
#[allow(clippy::too_many_arguments)]
pub fn mfcc_into<T: Sample, O: Sample>(
    framing: &Framing,
    y: &[T],
    window: &[f64],
    shape: &StftShape,
    bank: &MelBank,
    dct: &DctMatrix,
    power: f64,
    amin: f64,
    top_db: Option<f64>,
    out: &mut [O],
) -> DspResult<()> {
    check_bank(bank, shape.n_bins)?;
    check_power(power)?;
    check_db_params(amin, top_db)?;
    let (nm, nf, nc) = (bank.n_mels(), shape.n_frames, shape.n_channels);
    if dct.n_in() != nm {
        return Err(DspError::shape(
            "DCT matrix",
            format!("(n_mfcc, {nm})"),
            format!("({}, {})", dct.n_out(), dct.n_in()),
        ));
    }
    let nk = dct.n_out();
    if out.len() != nc * nk * nf {
        return Err(DspError::shape("mfcc output", nc * nk * nf, out.len()));
    }
    // Pass 1: dB mel spectrum of every frame, frame-major (channel, frame, mel).
    let mut db = vec![0.0f64; nc * nf * nm];
    {
        let db_dst = SharedMut::new(&mut db);
        let range = bank.bin_range();
        for_each_spectrum(
            framing,
            y,
            window,
            shape,
            || (vec![0.0f64; shape.n_bins], vec![0.0f64; nm]),
            |c, t, spec, (pw, mel)| {
                power_spectrum(spec, power, range.clone(), pw);
                bank.apply(pw, mel);
                let base = (c * nf + t) * nm;
                for (m, v) in mel.iter().enumerate() {
                    // SAFETY: the row (c, t, ..) belongs to this (channel, frame) only.
                    unsafe { db_dst.write(base + m, power_to_db(*v, amin)) };
                }
            },
        );
    }
    // Pass 2: clamp against the global maximum, then the DCT per frame.
    let floor = top_db_floor(&db, top_db);
    let dst = SharedMut::new(out);
    let min_chunk = (MIN_WORK_PER_TASK / (nk * nm).max(1)).max(1);
    for_each_range(nc * nf, min_chunk, |items| {
        let mut x = vec![0.0f64; nm];
        let mut coef = vec![0.0f64; nk];
        for item in items {
            let (c, t) = (item / nf, item % nf);
            for (xv, d) in x.iter_mut().zip(&db[item * nm..(item + 1) * nm]) {
                *xv = d.max(floor);
            }
            dct.apply(&x, &mut coef);
            let base = c * nk * nf + t;
            for (k, v) in coef.iter().enumerate() {
                // SAFETY: element (c, k, t) belongs to this item only.
                unsafe { dst.write(base + k * nf, O::from_f64(*v)) };
            }
        }
    });
    Ok(())
}

fn check_db_params(amin: f64, top_db: Option<f64>) -> DspResult<()> {
    if !amin.is_finite() || amin <= 0.0 {
        return Err(DspError::param("amin", amin, "a finite number > 0"));
    }
    if let Some(t) = top_db {
        if t.is_nan() || t < 0.0 {
            return Err(DspError::param("top_db", t, "a number >= 0 or None"));
        }
    }
    Ok(())
}

/// Mel spectrogram from a power spectrogram `s` laid out
/// `(n_channels, n_bins, n_frames)` into `out` `(n_channels, n_mels, n_frames)`.
pub fn mel_from_spectrogram_into<T: Sample, O: Sample>(
    s: &[T],
    n_channels: usize,
    n_frames: usize,
    bank: &MelBank,
    out: &mut [O],
) -> DspResult<()> {
    let nb = bank.n_bins();
    if s.len() != n_channels * nb * n_frames {
        return Err(DspError::shape(
            "spectrogram S",
            format!("{n_channels} x {nb} x {n_frames} values"),
            s.len(),
        ));
    }
    let rows: Vec<(usize, &[f64])> = (0..bank.n_mels()).map(|m| bank.row(m)).collect();
    matrix_on_columns(s, n_channels, nb, n_frames, &rows, out)
}

/// DCT along axis -2 of `s` (`(n_channels, dct.n_in(), n_frames)`) into
/// `out` (`(n_channels, dct.n_out(), n_frames)`): MFCCs from a log-power
/// mel spectrogram.
pub fn dct_from_spectrogram_into<T: Sample, O: Sample>(
    s: &[T],
    n_channels: usize,
    n_frames: usize,
    dct: &DctMatrix,
    out: &mut [O],
) -> DspResult<()> {
    let n_in = dct.n_in();
    if s.len() != n_channels * n_in * n_frames {
        return Err(DspError::shape(
            "spectrogram S",
            format!("{n_channels} x {n_in} x {n_frames} values"),
            s.len(),
        ));
    }
    let rows: Vec<(usize, &[f64])> = dct.matrix().chunks_exact(n_in).map(|r| (0, r)).collect();
    matrix_on_columns(s, n_channels, n_in, n_frames, &rows, out)
}

/// `out[c, m, t] = sum_j rows[m].1[j] * s[c, rows[m].0 + j, t]`, accumulated
/// in f64, parallel over output rows.
fn matrix_on_columns<T: Sample, O: Sample>(
    s: &[T],
    n_channels: usize,
    n_in: usize,
    n_frames: usize,
    rows: &[(usize, &[f64])],
    out: &mut [O],
) -> DspResult<()> {
    let n_out = rows.len();
    if out.len() != n_channels * n_out * n_frames {
        return Err(DspError::shape(
            "output",
            n_channels * n_out * n_frames,
            out.len(),
        ));
    }
    if rows.iter().any(|(start, w)| start + w.len() > n_in) {
        return Err(DspError::shape(
            "weight rows",
            format!("at most {n_in} columns"),
            "more",
        ));
    }
    let nnz: usize = rows.iter().map(|(_, w)| w.len()).sum();
    let avg = (nnz / n_out.max(1)).max(1);
    let dst = SharedMut::new(out);
    let min_chunk = (MIN_WORK_PER_TASK / (avg * n_frames).max(1)).max(1);
    for_each_range(n_channels * n_out, min_chunk, |items| {
        let mut acc = vec![0.0f64; n_frames];
        for item in items {
            let (c, m) = (item / n_out, item % n_out);
            let (start, w) = rows[m];
            acc.fill(0.0);
            for (j, &wj) in w.iter().enumerate() {
                let off = (c * n_in + start + j) * n_frames;
                for (a, v) in acc.iter_mut().zip(&s[off..off + n_frames]) {
                    *a += wj * v.to_f64();
                }
            }
            let base = item * n_frames;
            for (t, a) in acc.iter().enumerate() {
                // SAFETY: output row (c, m) belongs to this item only.
                unsafe { dst.write(base + t, O::from_f64(*a)) };
            }
        }
    });
    Ok(())
}
