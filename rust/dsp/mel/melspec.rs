//! Fused mel spectrogram and MFCC kernels.
//!
//! From audio, each frame goes spectrum -> |X|^power -> sparse mel product
//! (-> dB -> DCT for MFCC) in one pass over frames, so the
//! `(n_bins, n_frames)` spectrogram is never materialised. The mel
//! spectrogram runs its FFT in the precision of the audio (f32 for float32,
//! as `stft_into` does; errors ~3e-7 of the peak). MFCCs of float32 audio
//! (power 2) also use an f32 FFT, but the dB of bands far below a frame's
//! energy amplify its noise, so frames whose estimated error is too large
//! are redone in f64 ([`crate::dsp::mel::mfcc_guard`]). MFCC needs one extra pass because librosa's `top_db` clamp
//! uses the maximum over the whole array (all channels): pass 1 stores the
//! frame-major dB mel spectrogram, pass 2 clamps each frame and applies the
//! DCT.
//!
//! The per-frame pieces ([`power_spectrum`], [`MelBank::apply`],
//! [`power_to_db`], [`top_db_floor`], [`DctMatrix::apply`]) are public so a
//! multi-feature kernel can fuse them with others.

use crate::dsp::mel::bank::MelBank;
use crate::dsp::mel::dct::{DctMatrix, LANES};
use crate::dsp::mel::mel_guard::{self, MelGuard};
use crate::dsp::mel::mfcc_guard::{Guard, REDO_ABOVE};
use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::{for_each_range, SharedMut};
use crate::dsp::num::simd;
use crate::dsp::spectrum::frame::Framing;
use crate::dsp::spectrum::noise::BLOCK;
use crate::dsp::spectrum::stft::{
    for_each_frame, for_each_power_in, frames_per_task, StftShape, Worker,
};
use crate::error::{DspError, DspResult};
use num_complex::Complex;
use std::ops::Range;

/// Multiply-adds below which a matrix-on-spectrogram call stays on one thread.
const MIN_WORK_PER_TASK: usize = 1 << 18;

/// `out[k] = |spec[k]|^power` for `k` in `range` (other entries untouched),
/// computed in f64 whatever the spectrum's precision.
///
/// `power = 2` and `power = 1` take exact fast paths (`re^2 + im^2`, its
/// square root); other exponents use `(re^2 + im^2)^(power / 2)`.
#[inline]
pub fn power_spectrum<F: Float>(
    spec: &[Complex<F>],
    power: f64,
    range: Range<usize>,
    out: &mut [f64],
) {
    let (s, o) = (&spec[range.clone()], &mut out[range]);
    let sq = |c: &Complex<F>| {
        let (re, im) = (c.re.wide(), c.im.wide());
        re * re + im * im
    };
    if power == 2.0 {
        for (o, c) in o.iter_mut().zip(s) {
            *o = sq(c);
        }
    } else if power == 1.0 {
        for (o, c) in o.iter_mut().zip(s) {
            *o = c.re.wide().hypot(c.im.wide());
        }
    } else {
        let half = power / 2.0;
        for (o, c) in o.iter_mut().zip(s) {
            *o = sq(c).powf(half);
        }
    }
}

/// Raise a power spectrum `|X|^2` to `|X|^power` in place over `range`
/// (nothing to do for `power = 2`; `power = 1` is an exact square root).
#[inline]
pub fn power_from_squared(pw: &mut [f64], power: f64, range: Range<usize>) {
    if power == 2.0 {
        return;
    }
    let pw = &mut pw[range];
    if power == 1.0 {
        for v in pw {
            *v = v.sqrt();
        }
    } else {
        let half = power / 2.0;
        for v in pw {
            *v = v.powf(half);
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

/// `sq` (`|X|^2`) itself when `power = 2`, else `|X|^power` written into
/// the scratch `pw` over `range` (the bins the mel bank reads).
#[inline]
fn raised<'a>(sq: &'a [f64], pw: &'a mut [f64], power: f64, range: Range<usize>) -> &'a [f64] {
    if power == 2.0 {
        return sq;
    }
    pw[range.clone()].copy_from_slice(&sq[range.clone()]);
    power_from_squared(pw, power, range);
    pw
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
/// [`crate::dsp::spectrum::stft::check`]); `power` is the spectrogram exponent.
/// float32 audio with `power = 2` runs the FFT, power and mel sums in f32
/// (as librosa computes float32 audio), under a per-frame error check
/// ([`crate::dsp::mel::mel_guard`]); every other case uses an f64 FFT and f64
/// sums.
pub fn melspectrogram_into<T: Float, O: Float>(
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
    if T::IS_F32 && power == 2.0 {
        mel_f32_guarded(framing, y, window, shape, bank, &dst);
        return Ok(());
    }
    // Other powers: the f64 FFT (f32 noise in near-empty bins would be
    // raised to `power` without a check).
    let range = bank.bin_range();
    for_each_power_in::<f64, T, _, _, _>(
        framing,
        y,
        window,
        shape,
        || (vec![0.0f64; shape.n_bins], vec![0.0f64; nm]),
        |c, t, sq, (pw, mel)| {
            bank.apply(raised(sq, pw, power, range.clone()), mel);
            let base = c * nm * nf + t;
            for (m, v) in mel.iter().enumerate() {
                // SAFETY: element (c, m, t) belongs to this (channel, frame) only.
                unsafe { dst.write(base + m * nf, O::narrow(*v)) };
            }
        },
    );
    Ok(())
}

/// The float32 power mel spectrogram: f32 FFT, power and mel sums (as
/// librosa computes float32 audio), then the frames whose estimated error
/// exceeds [`mel_guard::REDO_ABOVE`] of the whole output's peak again with
/// an f64 FFT ([`crate::dsp::mel::mel_guard`]). The choice depends only on the
/// frame and the peak, never on the thread split.
fn mel_f32_guarded<T: Float, O: Float>(
    framing: &Framing,
    y: &[T],
    window: &[f64],
    shape: &StftShape,
    bank: &MelBank,
    dst: &SharedMut<O>,
) {
    let (nm, nf) = (bank.n_mels(), shape.n_frames);
    let n_items = shape.n_channels * nf;
    let guard = MelGuard::new(bank, framing.frame_length);
    let (mut est, mut peaks) = (vec![0.0f64; n_items], vec![0.0f32; n_items]);
    {
        let (est_dst, peak_dst) = (SharedMut::new(&mut est), SharedMut::new(&mut peaks));
        for_each_frame::<f32, T, _, _, _>(
            framing,
            y,
            window,
            shape,
            || (vec![0.0f32; shape.n_bins], vec![0.0f32; nm]),
            |c, t, yc, w, (sq, mel)| {
                w.power_f32_into(framing, yc, t, sq);
                bank.apply_f32(sq, mel);
                let base = c * nm * nf + t;
                for (m, v) in mel.iter().enumerate() {
                    // SAFETY: element (c, m, t) belongs to this (channel, frame) only.
                    unsafe { dst.write(base + m * nf, O::narrow(*v as f64)) };
                }
                let item = c * nf + t;
                // SAFETY: entry `item` belongs to this (channel, frame) only.
                unsafe {
                    est_dst.write(item, guard.estimate(simd::sum_f32(sq), mel));
                    peak_dst.write(item, simd::max_f32(mel));
                }
            },
        );
    }
    let peak = simd::max_f32(&peaks) as f64;
    let redo: Vec<usize> = (0..n_items)
        .filter(|&i| est[i] > mel_guard::REDO_ABOVE * peak || est[i].is_nan())
        .collect();
    let ns = shape.n_samples;
    for_each_range(redo.len(), frames_per_task(framing), |part| {
        let mut worker = Worker::<f64>::new(window);
        let (mut sq, mut mel) = (vec![0.0f64; shape.n_bins], vec![0.0f64; nm]);
        for &item in &redo[part] {
            let (c, t) = (item / nf, item % nf);
            worker.power_into(framing, &y[c * ns..(c + 1) * ns], t, &mut sq);
            bank.apply(&sq, &mut mel);
            for (m, v) in mel.iter().enumerate() {
                // SAFETY: element (c, m, t) belongs to this item only.
                unsafe { dst.write(c * nm * nf + m * nf + t, O::narrow(*v)) };
            }
        }
    });
}

/// MFCCs of audio into `out`, laid out `(channel, coefficient, frame)`.
///
/// Per frame: `|X|^power` -> mel -> `10 log10(max(amin, .))`; then the whole
/// array is floored at `max - top_db` and each frame goes through `dct`
/// (whose `n_in` must equal the bank's `n_mels`). float32 audio with
/// `power = 2` runs the FFT in f32 and redoes in f64 the frames whose
/// estimated error is too large ([`crate::dsp::mel::mfcc_guard`]); everything
/// else uses an f64 FFT.
#[allow(clippy::too_many_arguments)]
pub fn mfcc_into<T: Float, O: Float>(
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
    mfcc_clamped_into(
        framing, y, window, shape, bank, dct, power, amin, top_db, false, out,
    )
}

/// [`mfcc_into`], with the `top_db` floor taken over each channel on its
/// own when `per_channel` (each channel as if it were its own call: a
/// batch of dataset segments) instead of over the whole array.
#[allow(clippy::too_many_arguments)]
pub fn mfcc_clamped_into<T: Float, O: Float>(
    framing: &Framing,
    y: &[T],
    window: &[f64],
    shape: &StftShape,
    bank: &MelBank,
    dct: &DctMatrix,
    power: f64,
    amin: f64,
    top_db: Option<f64>,
    per_channel: bool,
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
    let guarded = T::IS_F32 && power == 2.0;
    let mfcc = Mfcc {
        framing,
        window,
        shape,
        bank,
        dct,
        power,
        amin,
    };
    // Pass 1: dB mel spectrum of every frame, frame-major (channel, frame, mel).
    let guard = guarded.then(|| Guard::new(bank, dct, framing.frame_length));
    let (db, energy) = match &guard {
        Some(g) => mfcc.db_pass_guarded(y, g, top_db),
        None => (mfcc.db_pass::<f64, T>(y), Vec::new()),
    };
    // Pass 2: clamp against the global maximum, then the DCT, LANES frames
    // at a time (frames in SIMD lanes; each lane is computed on its own).
    let floors: Vec<f64> = if per_channel {
        db.chunks(nf * nm)
            .map(|c| top_db_floor(c, top_db))
            .collect()
    } else {
        vec![top_db_floor(&db, top_db); nc]
    };
    let n_items = nc * nf;
    let mut est = vec![0.0f64; if guarded { n_items } else { 0 }];
    let mut peaks = vec![0.0f64; if guarded { n_items } else { 0 }];
    let dst = SharedMut::new(out);
    {
        let (est_dst, peak_dst) = (SharedMut::new(&mut est), SharedMut::new(&mut peaks));
        let min_chunk = (MIN_WORK_PER_TASK / (LANES * nk * nm).max(1)).max(1);
        for_each_range(n_items.div_ceil(LANES), min_chunk, |blocks| {
            let mut x = vec![[0.0f64; LANES]; nm];
            let mut coef = vec![[0.0f64; LANES]; nk];
            for b in blocks {
                let i0 = b * LANES;
                let len = LANES.min(n_items - i0);
                for l in 0..LANES {
                    // Spare lanes repeat the last frame; they are never written.
                    let item = i0 + l.min(len - 1);
                    let floor = floors[item / nf];
                    for (xv, d) in x.iter_mut().zip(&db[item * nm..(item + 1) * nm]) {
                        xv[l] = d.max(floor);
                    }
                }
                dct.apply_lanes(&x, &mut coef);
                mfcc.write_lanes(&dst, i0, len, &coef);
                if let Some(g) = &guard {
                    let mut e = [0.0f64; LANES];
                    e[..len].copy_from_slice(&energy[i0..i0 + len]);
                    let estimates = g.estimate_lanes(&e, &x);
                    for l in 0..len {
                        let peak = coef.iter().fold(0.0f64, |a, v| a.max(v[l].abs()));
                        // SAFETY: entry `i0 + l` belongs to this block only.
                        unsafe {
                            est_dst.write(i0 + l, estimates[l]);
                            peak_dst.write(i0 + l, peak);
                        }
                    }
                }
            }
        });
    }
    if guarded {
        // Pass 3: frames whose f32 error estimate is too large, again in f64.
        // Judged against the peak of the whole output, or of each channel's.
        let channel_peaks: Vec<f64> = peaks
            .chunks(nf)
            .map(|p| p.iter().cloned().fold(0.0f64, f64::max))
            .collect();
        let global = channel_peaks.iter().cloned().fold(0.0f64, f64::max);
        let peak_of = |i: usize| {
            if per_channel {
                channel_peaks[i / nf]
            } else {
                global
            }
        };
        let redo: Vec<usize> = (0..nc * nf)
            .filter(|&i| est[i] > REDO_ABOVE * peak_of(i) || est[i].is_nan())
            .collect();
        mfcc.redo_f64(y, &redo, &floors, &dst);
    }
    Ok(())
}

/// The parameters of one [`mfcc_into`] call.
struct Mfcc<'a> {
    framing: &'a Framing,
    window: &'a [f64],
    shape: &'a StftShape,
    bank: &'a MelBank,
    dct: &'a DctMatrix,
    power: f64,
    amin: f64,
}

impl Mfcc<'_> {
    /// The frame-major dB mel spectrogram with an FFT in precision `F`.
    fn db_pass<F: Float, T: Float>(&self, y: &[T]) -> Vec<f64> {
        let (nm, nf, nc) = (
            self.bank.n_mels(),
            self.shape.n_frames,
            self.shape.n_channels,
        );
        let mut db = vec![0.0f64; nc * nf * nm];
        let db_dst = SharedMut::new(&mut db);
        let range = self.bank.bin_range();
        for_each_power_in::<F, T, _, _, _>(
            self.framing,
            y,
            self.window,
            self.shape,
            || (vec![0.0f64; self.shape.n_bins], vec![0.0f64; nm]),
            |c, t, sq, (pw, mel)| {
                self.bank
                    .apply(raised(sq, pw, self.power, range.clone()), mel);
                // SAFETY: the row (c, t, ..) belongs to this (channel, frame) only.
                let row = unsafe { db_dst.slice_mut((c * nf + t) * nm, nm) };
                simd::db_into(mel, self.amin, row);
            },
        );
        db
    }

    /// [`Self::db_pass`] for float32 audio, mostly on the f32 FFT: the
    /// frame-major dB mel spectrogram and each frame's half-spectrum energy
    /// (0 for frames already computed with the f64 FFT, which need no
    /// check).
    ///
    /// Frames go in blocks of [`BLOCK`]: the block's first frame is tried
    /// with the f32 FFT, and when its estimate (against its own clamp and
    /// peak) fails, the whole block uses the f64 FFT, so clean tonal audio
    /// does not pay for both. The choice depends only on the block, never
    /// on the thread split.
    fn db_pass_guarded<T: Float>(
        &self,
        y: &[T],
        guard: &Guard,
        top_db: Option<f64>,
    ) -> (Vec<f64>, Vec<f64>) {
        let (nm, nf, nc) = (
            self.bank.n_mels(),
            self.shape.n_frames,
            self.shape.n_channels,
        );
        let mut db = vec![0.0f64; nc * nf * nm];
        let mut energy = vec![0.0f64; nc * nf];
        let (db_dst, e_dst) = (SharedMut::new(&mut db), SharedMut::new(&mut energy));
        for_each_range(nc * nf, frames_per_task(self.framing), |items| {
            let mut w32 = Worker::<f32>::new(self.window);
            let mut w64 = Worker::<f64>::new(self.window);
            let nb = self.shape.n_bins;
            let (mut sq, mut mel) = (vec![0.0f64; nb], vec![0.0f64; nm]);
            let (mut sq32, mut mel32) = (vec![0.0f32; nb], vec![0.0f32; nm]);
            let (mut probe, mut x, mut coef) = (
                vec![0.0f64; nm],
                vec![0.0f64; nm],
                vec![0.0; self.dct.n_out()],
            );
            let mut block = (usize::MAX, false);
            for item in items {
                // SAFETY: the row (c, t, ..) and entry (c, t) belong to this
                // (channel, frame) only.
                let row = unsafe { db_dst.slice_mut(item * nm, nm) };
                if item / BLOCK != block.0 {
                    let first = item / BLOCK * BLOCK;
                    let e = self.frame_db32(&mut w32, y, first, &mut sq32, &mut mel32, &mut probe);
                    let top = probe.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let local = top_db.map_or(f64::NEG_INFINITY, |t| top - t);
                    for (xv, d) in x.iter_mut().zip(&probe) {
                        *xv = d.max(local);
                    }
                    self.dct.apply(&x, &mut coef);
                    let peak = coef.iter().fold(0.0f64, |a, v| a.max(v.abs()));
                    block = (item / BLOCK, guard.estimate(e, &x) <= REDO_ABOVE * peak);
                    if first == item && block.1 {
                        row.copy_from_slice(&probe);
                        unsafe { e_dst.write(item, e) };
                        continue;
                    }
                }
                if block.1 {
                    let e = self.frame_db32(&mut w32, y, item, &mut sq32, &mut mel32, row);
                    unsafe { e_dst.write(item, e) };
                } else {
                    self.frame_db(&mut w64, y, item, &mut sq, &mut mel, row);
                }
            }
        });
        (db, energy)
    }

    /// dB mel values of frame `item` into `row` (power 2) with the f64
    /// FFT; returns the half-spectrum energy.
    #[allow(clippy::too_many_arguments)]
    fn frame_db<T: Float>(
        &self,
        worker: &mut Worker<f64>,
        y: &[T],
        item: usize,
        sq: &mut [f64],
        mel: &mut [f64],
        row: &mut [f64],
    ) -> f64 {
        let (nf, ns) = (self.shape.n_frames, self.shape.n_samples);
        let c = item / nf;
        worker.power_into(self.framing, &y[c * ns..(c + 1) * ns], item % nf, sq);
        self.bank.apply(sq, mel);
        simd::db_into(mel, self.amin, row);
        simd::sum(sq)
    }

    /// [`Self::frame_db`] with an f32 FFT and the rest in f32 as librosa
    /// does for float32 audio (power, mel sums, log), widened into `row`.
    #[allow(clippy::too_many_arguments)]
    fn frame_db32<T: Float>(
        &self,
        worker: &mut Worker<f32>,
        y: &[T],
        item: usize,
        sq: &mut [f32],
        mel: &mut [f32],
        row: &mut [f64],
    ) -> f64 {
        let (nf, ns) = (self.shape.n_frames, self.shape.n_samples);
        let c = item / nf;
        worker.power_f32_into(self.framing, &y[c * ns..(c + 1) * ns], item % nf, sq);
        self.bank.apply_f32(sq, mel);
        simd::db_into_f32(mel, self.amin, row);
        simd::sum_f32(sq)
    }

    /// Recompute the frames `items` (flat `channel * n_frames + frame`) with
    /// an f64 FFT, clamped at their channel's floor, into `dst`.
    fn redo_f64<T: Float, O: Float>(
        &self,
        y: &[T],
        items: &[usize],
        floors: &[f64],
        dst: &SharedMut<O>,
    ) {
        let (nm, nk) = (self.bank.n_mels(), self.dct.n_out());
        for_each_range(items.len(), frames_per_task(self.framing), |part| {
            let mut worker = Worker::<f64>::new(self.window);
            let mut sq = vec![0.0f64; self.shape.n_bins];
            let (mut mel, mut x, mut coef) = (vec![0.0f64; nm], vec![0.0f64; nm], vec![0.0; nk]);
            for &item in &items[part] {
                self.frame_db(&mut worker, y, item, &mut sq, &mut mel, &mut x);
                let floor = floors[item / self.shape.n_frames];
                for v in x.iter_mut() {
                    *v = v.max(floor);
                }
                self.dct.apply(&x, &mut coef);
                self.write(dst, item, &coef);
            }
        });
    }

    /// Write the coefficients of frames `i0..i0 + len` (lane `l` holding
    /// frame `i0 + l`) into the `(channel, k, frame)` output.
    #[inline]
    fn write_lanes<O: Float>(
        &self,
        dst: &SharedMut<O>,
        i0: usize,
        len: usize,
        coef: &[[f64; LANES]],
    ) {
        let nf = self.shape.n_frames;
        for l in 0..len {
            let item = i0 + l;
            let base = (item / nf) * coef.len() * nf + item % nf;
            for (k, v) in coef.iter().enumerate() {
                // SAFETY: element (c, k, t) belongs to this item only.
                unsafe { dst.write(base + k * nf, O::narrow(v[l])) };
            }
        }
    }

    /// Write the coefficients of frame `item` into the `(channel, k, frame)` output.
    #[inline]
    fn write<O: Float>(&self, dst: &SharedMut<O>, item: usize, coef: &[f64]) {
        let nf = self.shape.n_frames;
        let base = (item / nf) * coef.len() * nf + item % nf;
        for (k, v) in coef.iter().enumerate() {
            // SAFETY: element (c, k, t) belongs to this item only.
            unsafe { dst.write(base + k * nf, O::narrow(*v)) };
        }
    }
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
pub fn mel_from_spectrogram_into<T: Float, O: Float>(
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
pub fn dct_from_spectrogram_into<T: Float, O: Float>(
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
    dense_on_columns_into(s, n_channels, n_frames, dct.matrix(), n_in, out)
}

/// A dense matrix (`n_out x n_in`, row-major) applied along axis -2 of `s`
/// (`(n_channels, n_in, n_frames)`) into `out` (`(n_channels, n_out,
/// n_frames)`), accumulated in f64: numpy's `einsum("cf,...ft->...ct")`
/// without a BLAS thread pool.
pub fn dense_on_columns_into<T: Float, O: Float>(
    s: &[T],
    n_channels: usize,
    n_frames: usize,
    matrix: &[f64],
    n_in: usize,
    out: &mut [O],
) -> DspResult<()> {
    if n_in == 0 || !matrix.len().is_multiple_of(n_in) {
        return Err(DspError::shape(
            "matrix",
            format!("(n_out, {n_in})"),
            matrix.len(),
        ));
    }
    if s.len() != n_channels * n_in * n_frames {
        return Err(DspError::shape(
            "array",
            format!("{n_channels} x {n_in} x {n_frames} values"),
            s.len(),
        ));
    }
    let rows: Vec<(usize, &[f64])> = matrix.chunks_exact(n_in).map(|r| (0, r)).collect();
    matrix_on_columns(s, n_channels, n_in, n_frames, &rows, out)
}

/// `out[c, m, t] = sum_j rows[m].1[j] * s[c, rows[m].0 + j, t]`, accumulated
/// in f64, parallel over output rows.
fn matrix_on_columns<T: Float, O: Float>(
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
                    *a += wj * v.wide();
                }
            }
            let base = item * n_frames;
            for (t, a) in acc.iter().enumerate() {
                // SAFETY: output row (c, m) belongs to this item only.
                unsafe { dst.write(base + t, O::narrow(*a)) };
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::mel::bank::{MelNorm, MelParams, Precision};
    use crate::dsp::mel::dct::DctNorm;
    use crate::dsp::spectrum::pad::PadMode;
    use crate::dsp::spectrum::stft::{check, stft};
    use crate::dsp::spectrum::window::{get_window, WindowKind};

    const N_FFT: usize = 256;

    fn setup(n_mels: usize) -> (Framing, Vec<f64>, MelBank) {
        let framing = Framing {
            frame_length: N_FFT,
            hop_length: 64,
            center: true,
            pad_mode: PadMode::Reflect,
        };
        let window = get_window(WindowKind::Hann, N_FFT, true);
        let bank = MelBank::new(&MelParams {
            sr: 8000.0,
            n_fft: N_FFT,
            n_mels,
            fmin: 0.0,
            fmax: 4000.0,
            htk: false,
            norm: MelNorm::Slaney,
            precision: Precision::F32,
        })
        .unwrap();
        (framing, window, bank)
    }

    fn signal(n: usize, seed: usize, gain: f64) -> Vec<f64> {
        (0..n)
            .map(|i| {
                gain * (((i * 7919 + seed * 104_729) % 1000) as f64 / 500.0 - 1.0
                    + (i as f64 * 0.05).sin())
            })
            .collect()
    }

    /// |STFT|^power projected by the dense bank, `(mel, frame)`.
    fn reference_mel(
        framing: &Framing,
        y: &[f64],
        w: &[f64],
        bank: &MelBank,
        power: f64,
    ) -> Vec<f64> {
        let (spec, shape) = stft(framing, y, w).unwrap();
        let (nb, nf, nm) = (shape.n_bins, shape.n_frames, bank.n_mels());
        let dense = bank.to_dense();
        let mut out = vec![0.0; nm * nf];
        for t in 0..nf {
            for m in 0..nm {
                out[m * nf + t] = (0..nb)
                    .map(|k| dense[m * nb + k] * spec[t * nb + k].norm().powf(power))
                    .sum();
            }
        }
        out
    }

    fn max_rel_err(a: &[f64], b: &[f64]) -> f64 {
        let peak = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        a.iter()
            .zip(b)
            .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
            / peak
    }

    #[test]
    fn fused_melspectrogram_matches_dense_reference() {
        let (framing, w, bank) = setup(32);
        let y = signal(3000, 1, 0.5);
        for power in [1.0, 2.0, 1.5] {
            let want = reference_mel(&framing, &y, &w, &bank, power);
            let shape = check(&framing, &y, 1, &w).unwrap();
            let mut got = vec![0.0f64; want.len()];
            melspectrogram_into(&framing, &y, &w, &shape, &bank, power, &mut got).unwrap();
            assert!(max_rel_err(&got, &want) < 1e-12, "power {power}");
            // float32 audio runs an f32 FFT: still well inside 1e-5 of the peak.
            let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
            let mut got32 = vec![0.0f32; want.len()];
            melspectrogram_into(&framing, &y32, &w, &shape, &bank, power, &mut got32).unwrap();
            let got32: Vec<f64> = got32.iter().map(|&v| v as f64).collect();
            assert!(max_rel_err(&got32, &want) < 1e-5, "f32 power {power}");
        }
    }

    #[test]
    fn from_spectrogram_equals_fused() {
        let (framing, w, bank) = setup(20);
        let y = signal(2000, 2, 1.0);
        let (spec, shape) = stft(&framing, &y, &w).unwrap();
        let (nb, nf) = (shape.n_bins, shape.n_frames);
        // (channel, bin, frame) power spectrogram, two channels.
        let mut s = vec![0.0f64; 2 * nb * nf];
        for t in 0..nf {
            for k in 0..nb {
                let p = spec[t * nb + k].norm_sqr();
                s[k * nf + t] = p;
                s[nb * nf + k * nf + t] = 3.0 * p;
            }
        }
        let mut got = vec![0.0f64; 2 * 20 * nf];
        mel_from_spectrogram_into(&s, 2, nf, &bank, &mut got).unwrap();
        let mut fused = vec![0.0f64; 20 * nf];
        melspectrogram_into(&framing, &y, &w, &shape, &bank, 2.0, &mut fused).unwrap();
        assert!(max_rel_err(&got[..20 * nf], &fused) < 1e-12);
        let tripled: Vec<f64> = fused.iter().map(|v| 3.0 * v).collect();
        assert!(max_rel_err(&got[20 * nf..], &tripled) < 1e-12);
        assert!(mel_from_spectrogram_into(&s[1..], 2, nf, &bank, &mut got).is_err());
    }

    /// MFCCs of `y` (one channel) in the output precision `O`.
    fn mfcc_of<T: Float>(
        framing: &Framing,
        y: &[T],
        w: &[f64],
        bank: &MelBank,
        dct: &DctMatrix,
    ) -> Vec<f64> {
        let shape = check(framing, y, 1, w).unwrap();
        let mut out = vec![0.0f64; dct.n_out() * shape.n_frames];
        mfcc_into(
            framing,
            y,
            w,
            &shape,
            bank,
            dct,
            2.0,
            1e-10,
            Some(80.0),
            &mut out,
        )
        .unwrap();
        out
    }

    #[test]
    fn f32_mfcc_redoes_the_frames_an_f32_fft_would_spoil() {
        // A tone above the bank's fmax: every band sees only leakage, far
        // below the frame's energy, where f32 FFT noise dominates the dB.
        let (mut framing, _, _) = setup(24);
        framing.frame_length = 512;
        framing.hop_length = 128;
        let w = get_window(WindowKind::Hann, 512, true);
        let bank = MelBank::new(&MelParams {
            sr: 22050.0,
            n_fft: 512,
            n_mels: 24,
            fmin: 0.0,
            fmax: 4000.0,
            htk: true,
            norm: MelNorm::Slaney,
            precision: Precision::F32,
        })
        .unwrap();
        let dct = DctMatrix::new(3, 24, 13, DctNorm::None, 60.0).unwrap();
        let y32: Vec<f32> = (0..4000)
            .map(|i| {
                (0.5 * (i as f64 * 2.0 * std::f64::consts::PI * 10000.0 / 22050.0).sin()) as f32
            })
            .collect();
        let y64: Vec<f64> = y32.iter().map(|&v| v as f64).collect();
        let want = mfcc_of(&framing, &y64, &w, &bank, &dct);
        let got = mfcc_of(&framing, &y32, &w, &bank, &dct);
        let guarded = max_rel_err(&got, &want);
        // Without the guard (every frame from the f32 FFT) it is far off,
        // so the check above can fail.
        let shape = check(&framing, &y32, 1, &w).unwrap();
        let m = Mfcc {
            framing: &framing,
            window: &w,
            shape: &shape,
            bank: &bank,
            dct: &dct,
            power: 2.0,
            amin: 1e-10,
        };
        let db = m.db_pass::<f32, f32>(&y32);
        let floor = top_db_floor(&db, Some(80.0));
        let mut raw = vec![0.0f64; want.len()];
        let dst = SharedMut::new(&mut raw);
        for t in 0..shape.n_frames {
            let x: Vec<f64> = db[t * 24..(t + 1) * 24]
                .iter()
                .map(|d| d.max(floor))
                .collect();
            let mut coef = vec![0.0; 13];
            dct.apply(&x, &mut coef);
            m.write(&dst, t, &coef);
        }
        let unguarded = max_rel_err(&raw, &want);
        assert!(
            unguarded > 1e-6 && guarded < unguarded / 100.0,
            "{guarded} vs {unguarded}"
        );
        // Ordinary audio keeps the f32 FFT and stays inside the contract.
        let (framing, w, bank) = setup(24);
        let dct = DctMatrix::new(2, 24, 13, DctNorm::Ortho, 0.0).unwrap();
        let y32: Vec<f32> = signal(4000, 5, 0.3).iter().map(|&v| v as f32).collect();
        let y64: Vec<f64> = y32.iter().map(|&v| v as f64).collect();
        let want = mfcc_of(&framing, &y64, &w, &bank, &dct);
        let got = mfcc_of(&framing, &y32, &w, &bank, &dct);
        assert!(max_rel_err(&got, &want) < 1e-6);
    }

    #[test]
    fn mfcc_clamps_against_the_global_maximum() {
        let (framing, w, bank) = setup(24);
        let dct = DctMatrix::new(2, 24, 13, DctNorm::Ortho, 0.0).unwrap();
        // A loud channel and a very quiet one, concatenated.
        let mut y = signal(1500, 3, 1.0);
        y.extend(signal(1500, 4, 1e-6));
        let shape = check(&framing, &y, 2, &w).unwrap();
        let nf = shape.n_frames;
        let mut got = vec![0.0f64; 2 * 13 * nf];
        mfcc_into(
            &framing,
            &y,
            &w,
            &shape,
            &bank,
            &dct,
            2.0,
            1e-10,
            Some(80.0),
            &mut got,
        )
        .unwrap();
        // Reference: dB of each channel's mel spectrogram, floored at the
        // maximum over both channels minus 80, then the DCT.
        let mel: Vec<Vec<f64>> = (0..2)
            .map(|c| reference_mel(&framing, &y[c * 1500..(c + 1) * 1500], &w, &bank, 2.0))
            .collect();
        let db: Vec<Vec<f64>> = mel
            .iter()
            .map(|m| m.iter().map(|v| power_to_db(*v, 1e-10)).collect())
            .collect();
        let floor = db
            .iter()
            .flatten()
            .cloned()
            .fold(f64::NEG_INFINITY, f64::max)
            - 80.0;
        let mut want = vec![0.0f64; 2 * 13 * nf];
        for c in 0..2 {
            for t in 0..nf {
                let x: Vec<f64> = (0..24).map(|m| db[c][m * nf + t].max(floor)).collect();
                let mut coef = vec![0.0; 13];
                dct.apply(&x, &mut coef);
                for k in 0..13 {
                    want[c * 13 * nf + k * nf + t] = coef[k];
                }
            }
        }
        assert!(max_rel_err(&got, &want) < 1e-10);
        // float32 audio stays well inside 1e-5 of the peak.
        let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
        let mut got32 = vec![0.0f32; got.len()];
        mfcc_into(
            &framing,
            &y32,
            &w,
            &shape,
            &bank,
            &dct,
            2.0,
            1e-10,
            Some(80.0),
            &mut got32,
        )
        .unwrap();
        let got32: Vec<f64> = got32.iter().map(|&v| v as f64).collect();
        assert!(max_rel_err(&got32, &want) < 1e-5);
        // The quiet channel really is clamped: its frames are all at the floor.
        assert!(db[1].iter().all(|v| *v < floor));
        // And the DCT of S reproduces the second pass.
        let mut s = vec![0.0f64; 2 * 24 * nf];
        for c in 0..2 {
            for (i, v) in db[c].iter().enumerate() {
                s[c * 24 * nf + i] = v.max(floor);
            }
        }
        let mut from_s = vec![0.0f64; 2 * 13 * nf];
        dct_from_spectrogram_into(&s, 2, nf, &dct, &mut from_s).unwrap();
        assert!(max_rel_err(&from_s, &want) < 1e-10);
    }

    #[test]
    fn per_channel_clamp_equals_one_call_per_channel() {
        let (framing, w, bank) = setup(24);
        let dct = DctMatrix::new(2, 24, 13, DctNorm::Ortho, 0.0).unwrap();
        // Channel lengths chosen so blocks of 8 frames straddle channels.
        let n = 1700;
        let mut y = signal(n, 3, 1.0);
        y.extend(signal(n, 4, 1e-6));
        y.extend(signal(n, 5, 1e-2));
        let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
        let shape = check(&framing, &y32, 3, &w).unwrap();
        let nf = shape.n_frames;
        assert!(nf % 8 != 0);
        let mut got = vec![0.0f32; 3 * 13 * nf];
        mfcc_clamped_into(
            &framing,
            &y32,
            &w,
            &shape,
            &bank,
            &dct,
            2.0,
            1e-10,
            Some(80.0),
            true,
            &mut got,
        )
        .unwrap();
        // Each channel against its own f64 call, relative to its own peak
        // (the f32 error check is judged per channel too).
        for c in 0..3 {
            let yc: Vec<f64> = y32[c * n..(c + 1) * n].iter().map(|&v| v as f64).collect();
            let want = mfcc_of(&framing, &yc, &w, &bank, &dct);
            let part: Vec<f64> = got[c * 13 * nf..(c + 1) * 13 * nf]
                .iter()
                .map(|&v| v as f64)
                .collect();
            let err = max_rel_err(&part, &want);
            assert!(err < 2e-6, "channel {c}: {err}");
        }
    }

    #[test]
    fn kernels_reject_mismatched_inputs() {
        let (framing, w, bank) = setup(20);
        let y = signal(1000, 5, 1.0);
        let shape = check(&framing, &y, 1, &w).unwrap();
        let mut out = vec![0.0f64; 20 * shape.n_frames];
        assert!(melspectrogram_into(&framing, &y, &w, &shape, &bank, 0.0, &mut out).is_err());
        assert!(melspectrogram_into(&framing, &y, &w, &shape, &bank, 2.0, &mut out[1..]).is_err());
        let other = setup(20).2;
        let wrong = MelBank::new(&MelParams {
            sr: 8000.0,
            n_fft: 512,
            n_mels: 20,
            fmin: 0.0,
            fmax: 4000.0,
            htk: false,
            norm: MelNorm::None,
            precision: Precision::F64,
        })
        .unwrap();
        assert!(melspectrogram_into(&framing, &y, &w, &shape, &wrong, 2.0, &mut out).is_err());
        let dct = DctMatrix::new(2, 21, 13, DctNorm::Ortho, 0.0).unwrap();
        let mut o = vec![0.0f64; 13 * shape.n_frames];
        assert!(mfcc_into(
            &framing,
            &y,
            &w,
            &shape,
            &other,
            &dct,
            2.0,
            1e-10,
            Some(80.0),
            &mut o
        )
        .is_err());
        let dct = DctMatrix::new(2, 20, 13, DctNorm::Ortho, 0.0).unwrap();
        assert!(mfcc_into(
            &framing,
            &y,
            &w,
            &shape,
            &other,
            &dct,
            2.0,
            0.0,
            Some(80.0),
            &mut o
        )
        .is_err());
        assert!(mfcc_into(
            &framing,
            &y,
            &w,
            &shape,
            &other,
            &dct,
            2.0,
            1e-10,
            Some(-1.0),
            &mut o
        )
        .is_err());
        assert!(
            mfcc_into(&framing, &y, &w, &shape, &other, &dct, 2.0, 1e-10, None, &mut o).is_ok()
        );
    }
}
