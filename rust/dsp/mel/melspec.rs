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
use crate::dsp::spectrum::guarded::{run_guarded, ErrorModel, Verdict};
use crate::dsp::spectrum::noise::BLOCK;
use crate::dsp::spectrum::stft::{
    for_each_power_in, frames_per_task, FrameSource, StftShape, Worker,
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
    src: &FrameSource<T>,
    bank: &MelBank,
    power: f64,
    out: &mut [O],
) -> DspResult<()> {
    let shape = &src.shape;
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
        mel_f32_guarded(src, bank, &dst);
        return Ok(());
    }
    // Other powers: the f64 FFT (f32 noise in near-empty bins would be
    // raised to `power` without a check).
    let range = bank.bin_range();
    for_each_power_in::<f64, T, _, _, _>(
        src,
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
fn mel_f32_guarded<T: Float, O: Float>(src: &FrameSource<T>, bank: &MelBank, dst: &SharedMut<O>) {
    let (framing, y, window, shape) = (src.framing, src.y, src.window, &src.shape);
    let model = MelModel {
        framing,
        y,
        window,
        shape,
        bank,
        guard: MelGuard::new(bank, framing.frame_length),
        dst: *dst,
    };
    run_guarded(&model, shape.n_channels * shape.n_frames);
}

/// The power mel spectrogram's error model for [`run_guarded`]: every frame
/// is deferred with [`MelGuard::estimate`] and its largest band; frames
/// above [`mel_guard::REDO_ABOVE`] of the whole output's peak are redone.
struct MelModel<'a, T, O> {
    framing: &'a Framing,
    y: &'a [T],
    window: &'a [f64],
    shape: &'a StftShape,
    bank: &'a MelBank,
    guard: MelGuard,
    dst: SharedMut<O>,
}

/// Per-task workers and buffers of [`MelModel`].
struct MelTask {
    w32: Worker<f32>,
    w64: Option<Worker<f64>>,
    sq32: Vec<f32>,
    mel32: Vec<f32>,
    sq64: Vec<f64>,
    mel64: Vec<f64>,
}

impl<T: Float, O: Float> MelModel<'_, T, O> {
    /// Channel and frame of `item`, and the channel's samples.
    fn frame(&self, item: usize) -> (usize, usize, &[T]) {
        let (nf, ns) = (self.shape.n_frames, self.shape.n_samples);
        let c = item / nf;
        (c, item % nf, &self.y[c * ns..(c + 1) * ns])
    }
}

impl<T: Float, O: Float> ErrorModel for MelModel<'_, T, O> {
    type Task = MelTask;

    fn frames_per_task(&self) -> usize {
        frames_per_task(self.framing)
    }
    fn task(&self) -> MelTask {
        let (nb, nm) = (self.shape.n_bins, self.bank.n_mels());
        MelTask {
            w32: Worker::new(self.window),
            w64: None,
            sq32: vec![0.0; nb],
            mel32: vec![0.0; nm],
            sq64: vec![0.0; nb],
            mel64: vec![0.0; nm],
        }
    }
    fn try_f32(&self, w: &mut MelTask, item: usize, write: bool) -> Verdict {
        let (c, t, yc) = self.frame(item);
        w.w32.power_f32_into(self.framing, yc, t, &mut w.sq32);
        self.bank.apply_f32(&w.sq32, &mut w.mel32);
        if write {
            let (nm, nf) = (self.bank.n_mels(), self.shape.n_frames);
            let base = c * nm * nf + t;
            for (m, v) in w.mel32.iter().enumerate() {
                // SAFETY: element (c, m, t) belongs to this (channel, frame) only.
                unsafe { self.dst.write(base + m * nf, O::narrow(*v as f64)) };
            }
        }
        Verdict::Defer {
            estimate: self.guard.estimate(simd::sum_f32(&w.sq32), &w.mel32),
            peak: simd::max_f32(&w.mel32) as f64,
        }
    }
    fn exact_f64(&self, w: &mut MelTask, item: usize) {
        let (c, t, yc) = self.frame(item);
        let w64 = w.w64.get_or_insert_with(|| Worker::new(self.window));
        w64.power_into(self.framing, yc, t, &mut w.sq64);
        self.bank.apply(&w.sq64, &mut w.mel64);
        let (nm, nf) = (self.bank.n_mels(), self.shape.n_frames);
        for (m, v) in w.mel64.iter().enumerate() {
            // SAFETY: element (c, m, t) belongs to this item only.
            unsafe { self.dst.write(c * nm * nf + m * nf + t, O::narrow(*v)) };
        }
    }
    fn redo_deferred(&self, estimate: f64, peak: f64) -> bool {
        estimate > mel_guard::REDO_ABOVE * peak || estimate.is_nan()
    }
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
    src: &FrameSource<T>,
    bank: &MelBank,
    dct: &DctMatrix,
    power: f64,
    amin: f64,
    top_db: Option<f64>,
    out: &mut [O],
) -> DspResult<()> {
    mfcc_clamped_into(src, bank, dct, power, amin, top_db, false, out)
}

/// [`mfcc_into`], with the `top_db` floor taken over each channel on its
/// own when `per_channel` (each channel as if it were its own call: a
/// batch of dataset segments) instead of over the whole array.
#[allow(clippy::too_many_arguments)]
pub fn mfcc_clamped_into<T: Float, O: Float>(
    src: &FrameSource<T>,
    bank: &MelBank,
    dct: &DctMatrix,
    power: f64,
    amin: f64,
    top_db: Option<f64>,
    per_channel: bool,
    out: &mut [O],
) -> DspResult<()> {
    let (framing, y, window, shape) = (src.framing, src.y, src.window, &src.shape);
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
    let n_items = nc * nf;
    // Pass 1: dB mel spectrum of every frame, frame-major (channel, frame,
    // mel), and for float32 audio each f32 frame's half-spectrum energy.
    let guard = guarded.then(|| Guard::new(bank, dct, framing.frame_length));
    let mut energy = vec![0.0f64; if guarded { n_items } else { 0 }];
    let db = match &guard {
        Some(g) => {
            let mut db = vec![0.0f64; n_items * nm];
            let model = DbModel {
                m: &mfcc,
                y,
                guard: g,
                top_db,
                db: SharedMut::new(&mut db),
                energy: SharedMut::new(&mut energy),
            };
            run_guarded(&model, n_items);
            db
        }
        None => mfcc.db_pass::<f64, T>(y),
    };
    // Pass 2: clamp against the global maximum (or each channel's), then
    // the DCT, LANES frames at a time (frames in SIMD lanes; each lane is
    // computed on its own); for float32 audio each frame is deferred with
    // its estimate. Pass 3 (the driver's redo): frames whose estimate is
    // too large against the peak of the whole output, or of their
    // channel's, again in f64.
    let floors: Vec<f64> = if per_channel {
        db.chunks(nf * nm)
            .map(|c| top_db_floor(c, top_db))
            .collect()
    } else {
        vec![top_db_floor(&db, top_db); nc]
    };
    let model = ClampModel {
        m: &mfcc,
        y,
        db: &db,
        energy: &energy,
        floors: &floors,
        guard: guard.as_ref(),
        per_channel,
        dst: SharedMut::new(out),
    };
    run_guarded(&model, n_items);
    Ok(())
}

/// Pass 1 of the float32 MFCC for [`run_guarded`]: the f32 dB row of each
/// frame, in blocks of [`BLOCK`] whose first frame is judged on its own
/// (against its own clamp and peak). When it fails, the whole block uses
/// the f64 FFT, so clean tonal audio does not pay for both; frames of a
/// passed block keep their f32 rows, judged in pass 2 ([`ClampModel`]).
struct DbModel<'a, T> {
    m: &'a Mfcc<'a>,
    y: &'a [T],
    guard: &'a Guard,
    top_db: Option<f64>,
    /// Frame-major dB rows and the energies of the f32 frames (0 for the
    /// others, which need no check).
    db: SharedMut<f64>,
    energy: SharedMut<f64>,
}

/// Per-task workers and buffers of [`DbModel`].
struct DbTask {
    w32: Worker<f32>,
    w64: Worker<f64>,
    sq: Vec<f64>,
    mel: Vec<f64>,
    sq32: Vec<f32>,
    mel32: Vec<f32>,
    probe: Vec<f64>,
    x: Vec<f64>,
    coef: Vec<f64>,
}

impl<T: Float> DbModel<'_, T> {
    /// The dB row of `item`.
    ///
    /// # Safety
    /// The row belongs to the calling task only.
    #[allow(clippy::mut_from_ref)]
    unsafe fn row(&self, item: usize) -> &mut [f64] {
        let nm = self.m.bank.n_mels();
        // SAFETY: the caller owns the row.
        unsafe { self.db.slice_mut(item * nm, nm) }
    }
}

impl<T: Float> ErrorModel for DbModel<'_, T> {
    type Task = DbTask;
    const BLOCK: usize = BLOCK;

    fn frames_per_task(&self) -> usize {
        frames_per_task(self.m.framing)
    }
    fn task(&self) -> DbTask {
        let (nb, nm) = (self.m.shape.n_bins, self.m.bank.n_mels());
        DbTask {
            w32: Worker::new(self.m.window),
            w64: Worker::new(self.m.window),
            sq: vec![0.0; nb],
            mel: vec![0.0; nm],
            sq32: vec![0.0; nb],
            mel32: vec![0.0; nm],
            probe: vec![0.0; nm],
            x: vec![0.0; nm],
            coef: vec![0.0; self.m.dct.n_out()],
        }
    }
    fn try_f32(&self, w: &mut DbTask, item: usize, write: bool) -> Verdict {
        let m = self.m;
        if !item.is_multiple_of(BLOCK) {
            // A frame of a block whose first frame passed.
            // SAFETY: row and entry `item` belong to this task only.
            let row = unsafe { self.row(item) };
            let e = m.frame_db32(&mut w.w32, self.y, item, &mut w.sq32, &mut w.mel32, row);
            unsafe { self.energy.write(item, e) };
            return Verdict::Keep;
        }
        let e = m.frame_db32(
            &mut w.w32,
            self.y,
            item,
            &mut w.sq32,
            &mut w.mel32,
            &mut w.probe,
        );
        let top = w.probe.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let local = self.top_db.map_or(f64::NEG_INFINITY, |t| top - t);
        for (xv, d) in w.x.iter_mut().zip(&w.probe) {
            *xv = d.max(local);
        }
        m.dct.apply(&w.x, &mut w.coef);
        let peak = w.coef.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        // `peak` is never NaN (a fold from 0); a NaN estimate fails.
        let estimate = self.guard.estimate(e, &w.x);
        if estimate > REDO_ABOVE * peak || estimate.is_nan() {
            return Verdict::Redo;
        }
        if write {
            // SAFETY: row and entry `item` belong to this task only.
            unsafe {
                self.row(item).copy_from_slice(&w.probe);
                self.energy.write(item, e);
            }
        }
        Verdict::Keep
    }
    fn exact_f64(&self, w: &mut DbTask, item: usize) {
        // SAFETY: the row of `item` belongs to this task only.
        let row = unsafe { self.row(item) };
        self.m
            .frame_db(&mut w.w64, self.y, item, &mut w.sq, &mut w.mel, row);
    }
}

/// Pass 2 of the MFCC for [`run_guarded`]: each frame's dB row clamped at
/// its channel's floor and through the DCT, [`LANES`] frames at a time.
/// For float32 audio every frame is deferred with [`Guard::estimate_lanes`]
/// and its largest coefficient; the driver redoes (pass 3) the frames above
/// [`REDO_ABOVE`] of the peak over the output, or over their channel when
/// `per_channel`, with the f64 FFT.
struct ClampModel<'a, T, O> {
    m: &'a Mfcc<'a>,
    y: &'a [T],
    db: &'a [f64],
    energy: &'a [f64],
    floors: &'a [f64],
    guard: Option<&'a Guard>,
    per_channel: bool,
    dst: SharedMut<O>,
}

/// Per-task buffers of [`ClampModel`].
struct ClampTask {
    x: Vec<[f64; LANES]>,
    coef: Vec<[f64; LANES]>,
    /// For redone frames: the f64 worker (made on the first) and buffers.
    w64: Option<Worker<f64>>,
    sq: Vec<f64>,
    mel: Vec<f64>,
    x1: Vec<f64>,
    coef1: Vec<f64>,
}

impl<T: Float, O: Float> ErrorModel for ClampModel<'_, T, O> {
    type Task = ClampTask;
    const LANES: usize = LANES;

    fn frames_per_task(&self) -> usize {
        let (nm, nk) = (self.m.bank.n_mels(), self.m.dct.n_out());
        (MIN_WORK_PER_TASK / (LANES * nk * nm).max(1)).max(1) * LANES
    }
    fn task(&self) -> ClampTask {
        let (nm, nk) = (self.m.bank.n_mels(), self.m.dct.n_out());
        let redo = if self.guard.is_some() { 1 } else { 0 };
        ClampTask {
            x: vec![[0.0; LANES]; nm],
            coef: vec![[0.0; LANES]; nk],
            w64: None,
            sq: vec![0.0; redo * self.m.shape.n_bins],
            mel: vec![0.0; redo * nm],
            x1: vec![0.0; redo * nm],
            coef1: vec![0.0; redo * nk],
        }
    }
    /// One frame as a lane group of one (never probed: `BLOCK` is 1).
    fn try_f32(&self, w: &mut ClampTask, item: usize, write: bool) -> Verdict {
        debug_assert!(write);
        let mut v = [Verdict::Keep];
        self.try_f32_lanes(w, item..item + 1, &mut v);
        v[0]
    }
    fn try_f32_lanes(&self, w: &mut ClampTask, items: Range<usize>, verdicts: &mut [Verdict]) {
        let (nm, nf) = (self.m.bank.n_mels(), self.m.shape.n_frames);
        let (i0, len) = (items.start, items.len());
        for l in 0..LANES {
            // Spare lanes repeat the last frame; they are never written.
            let item = i0 + l.min(len - 1);
            let floor = self.floors[item / nf];
            for (xv, d) in w.x.iter_mut().zip(&self.db[item * nm..(item + 1) * nm]) {
                xv[l] = d.max(floor);
            }
        }
        self.m.dct.apply_lanes(&w.x, &mut w.coef);
        self.m.write_lanes(&self.dst, i0, len, &w.coef);
        let Some(g) = self.guard else {
            verdicts.fill(Verdict::Keep);
            return;
        };
        let mut e = [0.0f64; LANES];
        e[..len].copy_from_slice(&self.energy[i0..i0 + len]);
        let estimates = g.estimate_lanes(&e, &w.x);
        for (l, v) in verdicts.iter_mut().enumerate() {
            let peak = w.coef.iter().fold(0.0f64, |a, c| a.max(c[l].abs()));
            *v = Verdict::Defer {
                estimate: estimates[l],
                peak,
            };
        }
    }
    /// Frame `item` again with an f64 FFT, clamped at its channel's floor.
    fn exact_f64(&self, w: &mut ClampTask, item: usize) {
        let m = self.m;
        let w64 = w.w64.get_or_insert_with(|| Worker::new(m.window));
        m.frame_db(w64, self.y, item, &mut w.sq, &mut w.mel, &mut w.x1);
        let floor = self.floors[item / m.shape.n_frames];
        for v in w.x1.iter_mut() {
            *v = v.max(floor);
        }
        m.dct.apply(&w.x1, &mut w.coef1);
        m.write(&self.dst, item, &w.coef1);
    }
    fn peak_span(&self) -> Option<usize> {
        self.per_channel.then_some(self.m.shape.n_frames)
    }
    fn redo_deferred(&self, estimate: f64, peak: f64) -> bool {
        // Peaks are |coefficients|: at least 0.
        estimate > REDO_ABOVE * peak.max(0.0) || estimate.is_nan()
    }
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
        let src = FrameSource {
            framing: self.framing,
            y,
            window: self.window,
            shape: *self.shape,
        };
        for_each_power_in::<F, T, _, _, _>(
            &src,
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
            melspectrogram_into(
                &FrameSource {
                    framing: &framing,
                    y: &y,
                    window: &w,
                    shape,
                },
                &bank,
                power,
                &mut got,
            )
            .unwrap();
            assert!(max_rel_err(&got, &want) < 1e-12, "power {power}");
            // float32 audio runs an f32 FFT: still well inside 1e-5 of the peak.
            let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
            let mut got32 = vec![0.0f32; want.len()];
            melspectrogram_into(
                &FrameSource {
                    framing: &framing,
                    y: &y32,
                    window: &w,
                    shape,
                },
                &bank,
                power,
                &mut got32,
            )
            .unwrap();
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
        melspectrogram_into(
            &FrameSource {
                framing: &framing,
                y: &y,
                window: &w,
                shape,
            },
            &bank,
            2.0,
            &mut fused,
        )
        .unwrap();
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
            &FrameSource {
                framing,
                y,
                window: w,
                shape,
            },
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
            &FrameSource {
                framing: &framing,
                y: &y,
                window: &w,
                shape,
            },
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
            &FrameSource {
                framing: &framing,
                y: &y32,
                window: &w,
                shape,
            },
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
            &FrameSource {
                framing: &framing,
                y: &y32,
                window: &w,
                shape,
            },
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
        assert!(melspectrogram_into(
            &FrameSource {
                framing: &framing,
                y: &y,
                window: &w,
                shape
            },
            &bank,
            0.0,
            &mut out
        )
        .is_err());
        assert!(melspectrogram_into(
            &FrameSource {
                framing: &framing,
                y: &y,
                window: &w,
                shape
            },
            &bank,
            2.0,
            &mut out[1..]
        )
        .is_err());
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
        assert!(melspectrogram_into(
            &FrameSource {
                framing: &framing,
                y: &y,
                window: &w,
                shape
            },
            &wrong,
            2.0,
            &mut out
        )
        .is_err());
        let dct = DctMatrix::new(2, 21, 13, DctNorm::Ortho, 0.0).unwrap();
        let mut o = vec![0.0f64; 13 * shape.n_frames];
        assert!(mfcc_into(
            &FrameSource {
                framing: &framing,
                y: &y,
                window: &w,
                shape
            },
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
            &FrameSource {
                framing: &framing,
                y: &y,
                window: &w,
                shape
            },
            &other,
            &dct,
            2.0,
            0.0,
            Some(80.0),
            &mut o
        )
        .is_err());
        assert!(mfcc_into(
            &FrameSource {
                framing: &framing,
                y: &y,
                window: &w,
                shape
            },
            &other,
            &dct,
            2.0,
            1e-10,
            Some(-1.0),
            &mut o
        )
        .is_err());
        assert!(mfcc_into(
            &FrameSource {
                framing: &framing,
                y: &y,
                window: &w,
                shape
            },
            &other,
            &dct,
            2.0,
            1e-10,
            None,
            &mut o
        )
        .is_ok());
    }
}
