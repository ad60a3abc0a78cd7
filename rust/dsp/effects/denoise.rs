//! Spectral-gating noise reduction (noisereduce 3.x) over a whole signal,
//! in chunks whose results equal one unchunked run bit for bit.
//!
//! Geometry is scipy.signal.stft's as noisereduce calls it: a periodic Hann
//! window of `win_length`, frames every `hop_length` samples over the signal
//! with `padding` zeros on each side (noisereduce's chunk padding) and
//! `win_length / 2` more (scipy's `boundary="zeros"`), each frame zero-padded
//! to `n_fft`; trailing samples that fill no frame are dropped
//! (`padded=False`), and the inverse is scipy.signal.istft's weighted
//! overlap-add, zero where it has no output.
//!
//! Chunks own contiguous runs of output samples; each computes the frames
//! those samples need plus the mask-smoothing margin. Whole-signal
//! quantities are made exact by a first pass when there is more than one
//! chunk: the per-bin peak (stationary), and the forward state of the
//! non-stationary floor at each chunk's first frame. Chunks then run from
//! last to first, handing the backward filter's state down, so the
//! forward-backward floor equals `filtfilt` over the whole signal.

use crate::dsp::effects::gate::{
    amp_to_db, amp_to_db_fast, noise_threshold, nonstationary_mask, pole_step, stationary_mask,
    GateConfig, TOP_DB,
};
use crate::dsp::effects::smooth::{triangle_taps, RowSmoother};
use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::{for_each_range, SharedMut};
use crate::dsp::spectrum::fft;
use crate::dsp::spectrum::rfft::EvenRealFft;
use crate::dsp::spectrum::window::{get_window, WindowKind};
use crate::error::{DspError, DspResult};
use num_complex::Complex;
use realfft::{ComplexToReal, RealToComplex};
use std::sync::Arc;

/// Frame geometry shared by the noise clip and the signal.
struct Geometry {
    n_fft: usize,
    win: Vec<f64>,
    hop: usize,
    n_bins: usize,
    /// scipy's `scaling="spectrum"` divides the STFT by the window's sum.
    inv_wsum: f64,
}

impl Geometry {
    fn new(cfg: &GateConfig) -> Self {
        let win = get_window(WindowKind::Hann, cfg.win_length, true);
        let wsum: f64 = win.iter().sum();
        Geometry {
            n_fft: cfg.n_fft,
            hop: cfg.hop_length,
            n_bins: cfg.n_fft / 2 + 1,
            inv_wsum: 1.0 / wsum,
            win,
        }
    }

    /// Frames of a signal of `n` samples with `lead` zeros on each side.
    fn n_frames(&self, n: usize, lead: usize) -> Option<usize> {
        let nv = n + 2 * lead;
        let w = self.win.len();
        (nv >= w).then(|| (nv - w) / self.hop + 1)
    }
}

/// A forward real FFT of one frame with its buffers (even sizes through
/// ferrosa's split real FFT, odd ones through realfft).
enum Forward {
    Even(Box<EvenRealFft<f64>>),
    Odd {
        plan: Arc<dyn RealToComplex<f64>>,
        input: Vec<f64>,
        scratch: Vec<Complex<f64>>,
    },
}

impl Forward {
    fn new(n: usize) -> Self {
        if n >= 2 && n.is_multiple_of(2) {
            Forward::Even(Box::new(EvenRealFft::new(n)))
        } else {
            let plan = fft::forward_in::<f64>(n);
            Forward::Odd {
                input: plan.make_input_vec(),
                scratch: plan.make_scratch_vec(),
                plan,
            }
        }
    }

    /// The spectrum of frame `t` of `y` placed `lead` samples into the
    /// zero-extended signal.
    fn frame<T: Float>(
        &mut self,
        g: &Geometry,
        y: &[T],
        lead: usize,
        t: usize,
        out: &mut [Complex<f64>],
    ) {
        let fill = |buf: &mut [f64]| {
            let w = g.win.len();
            let start = (t * g.hop) as isize - lead as isize;
            let lo = (-start).clamp(0, w as isize) as usize;
            let hi = (y.len() as isize - start).clamp(0, w as isize) as usize;
            buf[..lo.min(hi)].fill(0.0);
            if hi > lo {
                let s0 = (start + lo as isize) as usize;
                for ((b, v), wv) in buf[lo..hi]
                    .iter_mut()
                    .zip(&y[s0..s0 + hi - lo])
                    .zip(&g.win[lo..hi])
                {
                    *b = v.wide() * wv;
                }
            }
            buf[hi.max(lo)..].fill(0.0);
        };
        {
            let start = (t * g.hop) as isize - lead as isize;
            if start >= y.len() as isize || start + g.win.len() as isize <= 0 {
                // A frame of padding only: its spectrum is zero.
                out.fill(Complex::new(0.0, 0.0));
                return;
            }
        }
        match self {
            Forward::Even(f) => {
                fill(f.input_mut());
                f.run();
                f.spectrum(out);
            }
            Forward::Odd {
                plan,
                input,
                scratch,
            } => {
                fill(input);
                // Lengths are fixed by construction, so the FFT cannot fail.
                let _ = plan.process_with_scratch(input, out, scratch);
            }
        }
    }
}

/// [`threshold`] with the widest vectors available (same arithmetic).
fn threshold_best(g: &Geometry, noise: &[f64], n_std: f64) -> DspResult<Vec<f64>> {
    #[cfg(target_arch = "x86_64")]
    if crate::dsp::num::simd::has_avx2() {
        #[target_feature(enable = "avx2")]
        unsafe fn wide(g: &Geometry, noise: &[f64], n_std: f64) -> DspResult<Vec<f64>> {
            threshold(g, noise, n_std)
        }
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { wide(g, noise, n_std) };
    }
    threshold(g, noise, n_std)
}

/// The dB threshold per bin from a noise clip (channels already averaged).
#[inline(always)]
fn threshold(g: &Geometry, noise: &[f64], n_std: f64) -> DspResult<Vec<f64>> {
    let lead = g.win.len() / 2;
    let nf = match g.n_frames(noise.len(), lead) {
        Some(nf) if noise.len() >= g.win.len() => nf,
        _ => {
            return Err(DspError::param(
                "y_noise",
                format!("{} samples", noise.len()),
                format!("at least one frame (win_length={})", g.win.len()),
            ))
        }
    };
    let nb = g.n_bins;
    let mut fwd = Forward::new(g.n_fft);
    let mut spec = vec![Complex::new(0.0, 0.0); nb];
    let mut db = Vec::with_capacity(nf * nb);
    for t in 0..nf {
        fwd.frame(g, noise, lead, t, &mut spec);
        db.extend(
            spec.iter()
                .map(|c| amp_to_db_fast(c.norm_sqr().sqrt() * g.inv_wsum)),
        );
    }
    Ok(noise_threshold(&db, nb, n_std))
}

/// Everything one channel's run needs that does not change per chunk.
struct Plan<'a> {
    cfg: &'a GateConfig,
    g: Geometry,
    /// Zeros before the signal in frame coordinates.
    lead: usize,
    n_frames: usize,
    n_samples: usize,
    /// Samples of scipy.istft's output (after the boundary trim).
    istft_len: usize,
    /// Linear-amplitude threshold per bin (stationary).
    lin_thresh: Vec<f64>,
    /// The threshold in dB (stationary).
    db_thresh: Vec<f64>,
    /// Smoothing half-widths in (bins, frames).
    smooth: Option<(usize, usize)>,
    time_taps: Vec<f64>,
    b: f64,
}

/// One chunk: the output samples it owns and the frames it computes.
#[derive(Clone, Copy)]
struct Chunk {
    i0: usize,
    i1: usize,
    /// Frames overlapping the owned samples.
    fa: usize,
    fb: usize,
    /// Frames whose mask is needed (with the smoothing margin).
    ea: usize,
    eb: usize,
}

impl Plan<'_> {
    fn chunk(&self, i0: usize, i1: usize) -> Chunk {
        let (w, hop) = (self.g.win.len(), self.g.hop);
        let (q0, q1) = (i0 + self.lead, i1 + self.lead);
        // Frame t covers q in [t*hop, t*hop + w).
        let fa = if q0 + 1 > w {
            (q0 + 1 - w).div_ceil(hop)
        } else {
            0
        };
        let fb = ((q1 - 1) / hop + 1).min(self.n_frames);
        let fa = fa.min(fb);
        let margin = self.smooth.map_or(0, |(_, nt)| nt);
        // The first and last chunks reach the ends of the padded signal:
        // the floor's filter starts and turns round there.
        Chunk {
            i0,
            i1,
            fa,
            fb,
            ea: if i0 == 0 {
                0
            } else {
                fa.saturating_sub(margin)
            },
            eb: if i1 == self.n_samples {
                self.n_frames
            } else {
                (fb + margin).min(self.n_frames)
            },
        }
    }
}

/// Per-task buffers, reused across chunks.
struct Work {
    fwd: Forward,
    inv: Arc<dyn ComplexToReal<f64>>,
    inv_in: Vec<Complex<f64>>,
    inv_out: Vec<f64>,
    inv_scratch: Vec<Complex<f64>>,
    spec: Vec<Complex<f64>>,
    mag: Vec<f64>,
    mask: Vec<f64>,
    row: Vec<f64>,
    /// Row offsets into `mask` and time taps of one frame's smoothing.
    taps: Vec<(usize, f64)>,
    freq: RowSmoother,
    acc: Vec<f64>,
    norm: Vec<f64>,
}

impl Work {
    fn new(g: &Geometry, smooth: Option<(usize, usize)>) -> Self {
        let inv = fft::inverse(g.n_fft);
        Work {
            fwd: Forward::new(g.n_fft),
            inv_in: inv.make_input_vec(),
            inv_out: inv.make_output_vec(),
            inv_scratch: inv.make_scratch_vec(),
            inv,
            spec: Vec::new(),
            mag: Vec::new(),
            mask: Vec::new(),
            row: vec![0.0; g.n_bins],
            taps: Vec::new(),
            freq: RowSmoother::new(smooth.map_or(0, |(nf, _)| nf), g.n_bins),
            acc: Vec::new(),
            norm: Vec::new(),
        }
    }
}

/// The non-stationary floor's forward values from a first pass over every
/// frame: just before each chunk's first mask frame, and at the last frame.
struct FirstPass {
    /// `fwd_before[j]`: forward output at frame `ea_j - 1` (None when `ea_j == 0`).
    fwd_before: Vec<Option<Vec<f64>>>,
    fwd_last: Vec<f64>,
}

#[inline(always)]
fn first_pass<T: Float>(plan: &Plan<'_>, y: &[T], chunks: &[Chunk], w: &mut Work) -> FirstPass {
    let nb = plan.g.n_bins;
    let mut spec = vec![Complex::new(0.0, 0.0); nb];
    let mut mag = vec![0.0; nb];
    let mut state = vec![0.0; nb];
    let mut fwd = vec![0.0; nb];
    let mut fwd_before: Vec<Option<Vec<f64>>> = vec![None; chunks.len()];
    // Frames after which a state is wanted, in increasing order.
    let mut wanted: Vec<(usize, usize)> = chunks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.ea > 0)
        .map(|(j, c)| (c.ea - 1, j))
        .collect();
    wanted.sort_unstable();
    let mut next = 0;
    for t in 0..plan.n_frames {
        w.fwd.frame(&plan.g, y, plan.lead, t, &mut spec);
        for (m, c) in mag.iter_mut().zip(&spec) {
            *m = c.norm_sqr().sqrt() * plan.g.inv_wsum;
        }
        if t == 0 {
            // scipy.filtfilt's initial state: the steady state for x[0].
            for (z, m) in state.iter_mut().zip(&mag) {
                *z = (1.0 - plan.b) * m;
            }
        }
        pole_step(&mag, &mut state, plan.b, &mut fwd);
        while next < wanted.len() && wanted[next].0 == t {
            fwd_before[wanted[next].1] = Some(fwd.clone());
            next += 1;
        }
    }
    FirstPass {
        fwd_before,
        fwd_last: fwd,
    }
}

/// [`run_channel`] compiled for AVX2 (no FMA, so the arithmetic and the
/// results are the same as the baseline build's, only wider).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn run_channel_avx2<T: Float>(plan: &Plan<'_>, y: &[T], out: &mut [T], w: &mut Work) {
    run_channel(plan, y, out, w);
}

/// Denoise one channel `y` into `out`, with the widest vectors available.
fn run_channel_best<T: Float>(plan: &Plan<'_>, y: &[T], out: &mut [T], w: &mut Work) {
    #[cfg(target_arch = "x86_64")]
    if crate::dsp::num::simd::has_avx2() {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { run_channel_avx2(plan, y, out, w) };
    }
    run_channel(plan, y, out, w);
}

/// Denoise one channel `y` into `out`.
#[inline(always)]
fn run_channel<T: Float>(plan: &Plan<'_>, y: &[T], out: &mut [T], w: &mut Work) {
    let n = y.len();
    let cs = plan.cfg.chunk_size;
    let chunks: Vec<Chunk> = (0..n.div_ceil(cs))
        .map(|j| plan.chunk(j * cs, ((j + 1) * cs).min(n)))
        .collect();
    if !plan.cfg.stationary {
        let first = (chunks.len() > 1).then(|| first_pass(plan, y, &chunks, w));
        run_chunks(plan, y, out, w, &chunks, first.as_ref(), None);
        return;
    }
    if chunks.len() == 1 {
        run_chunks(plan, y, out, w, &chunks, None, None);
        return;
    }
    // Stationary, several chunks: the per-bin peak only matters where it
    // is 80 dB above the threshold, which real recordings almost never
    // reach. Run assuming it is not, and rerun with the true peak if the
    // run shows otherwise: equal to one whole run either way, without a
    // first pass in the usual case.
    let none = vec![false; plan.g.n_bins];
    let peak = run_chunks(plan, y, out, w, &chunks, None, Some(&none));
    let always = always_pass(plan, &peak);
    if always.iter().any(|a| *a) {
        run_chunks(plan, y, out, w, &chunks, None, Some(&always));
    }
}

/// Bins whose peak minus 80 dB clears the threshold: they pass everywhere
/// (noisereduce floors every frame's dB at that level).
fn always_pass(plan: &Plan<'_>, peak: &[f64]) -> Vec<bool> {
    peak.iter()
        .zip(&plan.db_thresh)
        .map(|(p, t)| amp_to_db(*p) - TOP_DB > *t)
        .collect()
}

/// Process `chunks` from last to first; returns the per-bin peak magnitude
/// over every frame computed. `always` is the stationary pass-everywhere
/// set (None: from the chunk's own peak, for a single chunk).
#[inline(always)]
fn run_chunks<T: Float>(
    plan: &Plan<'_>,
    y: &[T],
    out: &mut [T],
    w: &mut Work,
    chunks: &[Chunk],
    first: Option<&FirstPass>,
    always: Option<&[bool]>,
) -> Vec<f64> {
    let nb = plan.g.n_bins;
    let mut peak = vec![0.0f64; nb];
    // Backward state entering the current chunk from the right.
    let mut bwd_in: Option<Vec<f64>> = None;
    for (j, c) in chunks.iter().enumerate().rev() {
        let ne = c.eb - c.ea;
        w.spec.resize(ne * nb, Complex::new(0.0, 0.0));
        w.mag.resize(ne * nb, 0.0);
        w.mask.resize(ne * nb, 0.0);
        for t in c.ea..c.eb {
            let k = (t - c.ea) * nb;
            w.fwd
                .frame(&plan.g, y, plan.lead, t, &mut w.spec[k..k + nb]);
            for (m, s) in w.mag[k..k + nb].iter_mut().zip(&w.spec[k..k + nb]) {
                *m = s.norm_sqr().sqrt() * plan.g.inv_wsum;
            }
            // Only the stationary mask uses the peak (magnitudes are never NaN).
            if plan.cfg.stationary {
                for (p, m) in peak.iter_mut().zip(&w.mag[k..k + nb]) {
                    *p = if *m > *p { *m } else { *p };
                }
            }
        }
        if plan.cfg.stationary {
            let own;
            let always = match always {
                Some(a) => a,
                None => {
                    own = always_pass(plan, &peak);
                    &own
                }
            };
            let prop = plan.cfg.prop_decrease;
            for (m, o) in w.mag.chunks_exact(nb).zip(w.mask.chunks_exact_mut(nb)) {
                stationary_mask(m, &plan.lin_thresh, always, prop, o);
                if plan.smooth.is_some() {
                    w.freq.apply(o);
                }
            }
        } else {
            let target = (j > 0).then(|| chunks[j - 1].eb);
            bwd_in = nonstationary_masks(plan, c, first, j, bwd_in.take(), target, w);
        }
        overlap_add(plan, c, &mut out[c.i0..c.i1], w);
    }
    peak
}

/// The non-stationary masks of chunk `c`; returns the backward state the
/// chunk to its left needs at its last mask frame `target`.
#[inline(always)]
fn nonstationary_masks(
    plan: &Plan<'_>,
    c: &Chunk,
    first: Option<&FirstPass>,
    j: usize,
    bwd_in: Option<Vec<f64>>,
    target: Option<usize>,
    w: &mut Work,
) -> Option<Vec<f64>> {
    let nb = plan.g.n_bins;
    let ne = c.eb - c.ea;
    let b = plan.b;
    let a = 1.0 - b;
    // Forward pass, from the exact state before frame ea.
    let mut state: Vec<f64> = match first.and_then(|f| f.fwd_before[j].as_ref()) {
        Some(prev) => prev.iter().map(|v| a * v).collect(),
        None => w.mag[..nb].iter().map(|m| a * m).collect(),
    };
    // `w.mask` holds the floor until the masks replace it.
    for t in 0..ne {
        let (x, y) = (
            &w.mag[t * nb..(t + 1) * nb],
            &mut w.mask[t * nb..(t + 1) * nb],
        );
        pole_step(x, &mut state, b, y);
    }
    // Backward pass, from the state handed over by the chunk to the right
    // (or filtfilt's steady state for the last forward value).
    let mut state: Vec<f64> = match bwd_in {
        Some(s) => s,
        None => {
            let last = match first {
                Some(f) => f.fwd_last.clone(),
                None => w.mask[(ne - 1) * nb..ne * nb].to_vec(),
            };
            last.iter().map(|v| a * v).collect()
        }
    };
    let mut handover = None;
    if target == Some(c.eb) {
        handover = Some(state.clone());
    }
    let (mult, slope) = (
        plan.cfg.thresh_n_mult_nonstationary,
        plan.cfg.sigmoid_slope_nonstationary,
    );
    // Fused per frame while the row is in cache: the backward step (the
    // forward-backward floor lands in `w.row`), the mask from the floor,
    // and the mask's smoothing over frequency.
    for t in (0..ne).rev() {
        let k = t * nb;
        let row = &mut w.mask[k..k + nb];
        pole_step(row, &mut state, b, &mut w.row);
        nonstationary_mask(&w.mag[k..k + nb], &w.row, mult, slope, row);
        if plan.smooth.is_some() {
            w.freq.apply(row);
        }
        if target == Some(c.ea + t) {
            handover = Some(state.clone());
        }
    }
    handover
}

/// Smooth the masks over time for the owned frames, apply them to the
/// spectra and overlap-add the inverse frames into the chunk's samples.
#[inline(always)]
fn overlap_add<T: Float>(plan: &Plan<'_>, c: &Chunk, out: &mut [T], w: &mut Work) {
    let nb = plan.g.n_bins;
    let (wl, hop, n_fft) = (plan.g.win.len(), plan.g.hop, plan.g.n_fft);
    let q0 = c.i0 + plan.lead;
    let len = c.i1 - c.i0;
    w.acc.clear();
    w.acc.resize(len, 0.0);
    w.norm.clear();
    w.norm.resize(len, 0.0);
    let nt = plan.smooth.map_or(0, |(_, nt)| nt);
    let stationary = plan.cfg.stationary;
    let prop = plan.cfg.prop_decrease;
    let scale = 1.0 / n_fft as f64;
    for t in c.fa..c.fb {
        // The time pass of the smoothing, direct taps, zero outside [0, F).
        if plan.smooth.is_some() {
            w.taps.clear();
            for (d, tap) in plan.time_taps.iter().enumerate() {
                let s = t as isize + d as isize - nt as isize;
                if s >= c.ea as isize && s < c.eb as isize {
                    w.taps.push(((s as usize - c.ea) * nb, *tap));
                }
            }
            weighted_rows(&w.mask, &w.taps, &mut w.row);
        } else {
            let k = (t - c.ea) * nb;
            w.row.copy_from_slice(&w.mask[k..k + nb]);
        }
        let k = (t - c.ea) * nb;
        let spec = &w.spec[k..k + nb];
        // Fused: the masked spectrum is written straight into the inverse
        // FFT's input (the non-stationary gain is applied after smoothing).
        if stationary {
            for ((i, s), m) in w.inv_in.iter_mut().zip(spec).zip(&w.row) {
                *i = s * *m;
            }
        } else {
            for ((i, s), m) in w.inv_in.iter_mut().zip(spec).zip(&w.row) {
                *i = s * (m * prop + (1.0 - prop));
            }
        }
        // numpy's irfft ignores the imaginary parts of DC and Nyquist.
        w.inv_in[0].im = 0.0;
        if n_fft.is_multiple_of(2) {
            w.inv_in[nb - 1].im = 0.0;
        }
        let _ = w
            .inv
            .process_with_scratch(&mut w.inv_in, &mut w.inv_out, &mut w.inv_scratch);
        let start = t * hop;
        let lo = q0.max(start);
        let hi = (q0 + len).min(start + wl);
        if lo < hi {
            let (a, b) = (lo - start, hi - start);
            let acc = &mut w.acc[lo - q0..hi - q0];
            let nrm = &mut w.norm[lo - q0..hi - q0];
            for (((o, n), v), wv) in acc
                .iter_mut()
                .zip(nrm.iter_mut())
                .zip(&w.inv_out[a..b])
                .zip(&plan.g.win[a..b])
            {
                *o += v * scale * wv;
                *n += wv * wv;
            }
        }
    }
    // scipy.istft's output ends at istft_len; noisereduce leaves zeros after.
    let keep = plan
        .istft_len
        .saturating_sub(c.i0 + plan.cfg.padding)
        .min(len);
    for ((o, a), nv) in out[..keep].iter_mut().zip(&w.acc).zip(&w.norm) {
        *o = T::narrow(if *nv > 1e-10 { a / nv } else { *a });
    }
    out[keep..].fill(T::narrow(0.0));
}

/// `row[i] = sum over (offset, tap) of tap * mask[offset + i]`, the terms
/// added in the order given starting from zero, eight lanes at a time in
/// registers (one store per value instead of one per term).
#[inline(always)]
fn weighted_rows(mask: &[f64], taps: &[(usize, f64)], row: &mut [f64]) {
    const L: usize = 8;
    let nb = row.len();
    let full = nb - nb % L;
    for (i0, out) in (0..full).step_by(L).zip(row.chunks_exact_mut(L)) {
        let mut acc = [0.0f64; L];
        for &(off, tap) in taps {
            let m: &[f64; L] = mask[off + i0..off + i0 + L].try_into().unwrap();
            for l in 0..L {
                acc[l] += tap * m[l];
            }
        }
        out.copy_from_slice(&acc);
    }
    for (i, out) in row.iter_mut().enumerate().skip(full) {
        let mut acc = 0.0;
        for &(off, tap) in taps {
            acc += tap * mask[off + i];
        }
        *out = acc;
    }
}

/// Spectral-gating noise reduction of `y` (channels concatenated, each
/// `y.len() / n_channels` samples) into `out` (same layout).
///
/// `noise` is the noise clip for the stationary threshold (noisereduce
/// averages the channels of `y_noise`, or of `y` when none is given, and
/// keeps its first `chunk_size` samples: the caller does that). Channels run
/// in parallel; each is processed in chunks of `cfg.chunk_size` samples.
pub fn reduce_noise_into<T: Float>(
    y: &[T],
    n_channels: usize,
    noise: Option<&[f64]>,
    cfg: &GateConfig,
    out: &mut [T],
) -> DspResult<()> {
    cfg.check()?;
    if n_channels == 0 || y.is_empty() {
        return Err(DspError::Empty { what: "y" });
    }
    if !y.len().is_multiple_of(n_channels) || out.len() != y.len() {
        return Err(DspError::shape(
            "y",
            format!("{n_channels} equal channels"),
            y.len(),
        ));
    }
    let n = y.len() / n_channels;
    let g = Geometry::new(cfg);
    let lead = cfg.padding + g.win.len() / 2;
    let n_frames = g.n_frames(n, lead).ok_or_else(|| {
        DspError::param(
            "y",
            format!("{n} samples"),
            format!("at least win_length={} samples with padding", g.win.len()),
        )
    })?;
    let (db_thresh, lin_thresh) = if cfg.stationary {
        let noise = noise.ok_or(DspError::Empty { what: "y_noise" })?;
        let db = threshold_best(&g, noise, cfg.n_std_thresh_stationary)?;
        let lin = db.iter().map(|d| 10f64.powf(d / 20.0)).collect();
        (db, lin)
    } else {
        (Vec::new(), Vec::new())
    };
    let wl = g.win.len();
    let plan = Plan {
        cfg,
        lead,
        n_frames,
        n_samples: n,
        istft_len: wl + (n_frames - 1) * g.hop - 2 * (wl / 2),
        lin_thresh,
        db_thresh,
        smooth: cfg.smooth,
        time_taps: triangle_taps(cfg.smooth.map_or(0, |(_, nt)| nt)),
        b: cfg.floor_coefficient(),
        g,
    };
    let dst = SharedMut::new(out);
    for_each_range(n_channels, 1, |range| {
        let mut work = Work::new(&plan.g, plan.smooth);
        for ch in range {
            // SAFETY: each channel owns its output slice.
            let o = unsafe { dst.slice_mut(ch * n, n) };
            run_channel_best(&plan, &y[ch * n..(ch + 1) * n], o, &mut work);
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(stationary: bool, chunk_size: usize) -> GateConfig {
        GateConfig {
            sr: 8000.0,
            n_fft: 256,
            win_length: 256,
            hop_length: 64,
            stationary,
            prop_decrease: 0.9,
            time_constant_s: 0.5,
            smooth: Some((3, 2)),
            thresh_n_mult_nonstationary: 2.0,
            sigmoid_slope_nonstationary: 10.0,
            n_std_thresh_stationary: 1.5,
            padding: 300,
            chunk_size,
        }
    }

    fn signal(n: usize) -> Vec<f64> {
        let mut s = 12345u64;
        (0..n)
            .map(|i| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let r = ((s >> 33) as f64 / (1u64 << 31) as f64) - 0.5;
                0.1 * r
                    + if (i / 2000) % 2 == 0 {
                        (i as f64 * 0.2).sin()
                    } else {
                        0.0
                    }
            })
            .collect()
    }

    #[test]
    fn chunked_equals_unchunked_bit_for_bit() {
        let y = signal(9000);
        let noise: Vec<f64> = y[2000..4000].to_vec();
        for stationary in [true, false] {
            let mut whole = vec![0.0; y.len()];
            reduce_noise_into(&y, 1, Some(&noise), &cfg(stationary, 1 << 20), &mut whole).unwrap();
            for cs in [700usize, 1000, 2999] {
                let mut parts = vec![0.0; y.len()];
                reduce_noise_into(&y, 1, Some(&noise), &cfg(stationary, cs), &mut parts).unwrap();
                let d = whole
                    .iter()
                    .zip(&parts)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                assert!(d == 0.0, "stationary={stationary} chunk={cs} diff={d}");
            }
            assert!(whole.iter().any(|v| *v != 0.0));
        }
    }

    #[test]
    fn stationary_rerun_when_a_bin_passes_everywhere() {
        // A loud tone over a near-silent noise clip: its bins clear the
        // threshold by more than 80 dB, so every frame of them passes.
        let y: Vec<f64> = (0..9000)
            .map(|i| (i as f64 * 0.3).sin() + 1e-9 * ((i * 7919 % 13) as f64 - 6.0))
            .collect();
        let noise: Vec<f64> = (0..2000)
            .map(|i| 1e-9 * ((i * 31 % 11) as f64 - 5.0))
            .collect();
        let mut whole = vec![0.0; y.len()];
        reduce_noise_into(&y, 1, Some(&noise), &cfg(true, 1 << 20), &mut whole).unwrap();
        let mut parts = vec![0.0; y.len()];
        reduce_noise_into(&y, 1, Some(&noise), &cfg(true, 1500), &mut parts).unwrap();
        assert_eq!(whole, parts);
    }

    #[test]
    fn streaming_threshold_equals_stored_one() {
        let c = cfg(true, 1000);
        let g = Geometry::new(&c);
        let reference = |noise: &[f64]| {
            let lead = g.win.len() / 2;
            let nf = g.n_frames(noise.len(), lead).unwrap();
            let mut fwd = Forward::new(g.n_fft);
            let mut spec = vec![Complex::new(0.0, 0.0); g.n_bins];
            let mut db = Vec::new();
            for t in 0..nf {
                fwd.frame(&g, noise, lead, t, &mut spec);
                db.extend(spec.iter().map(|c| amp_to_db(c.norm() * g.inv_wsum)));
            }
            noise_threshold(&db, g.n_bins, 1.5)
        };
        // Plain noise (DC and Nyquist may dip 80 dB), then a clip whose
        // first frames are silent (every bin dips: the stored rerun).
        let noisy = signal(4000);
        let mut gap = vec![0.0; 2000];
        gap.extend(signal(3000));
        for noise in [noisy, gap] {
            let got = threshold_best(&g, &noise, 1.5).unwrap();
            let want = reference(&noise);
            for (a, b) in got.iter().zip(&want) {
                assert!((a - b).abs() < 1e-9 * b.abs().max(1.0), "{a} {b}");
            }
        }
    }

    #[test]
    fn short_noise_is_refused() {
        let y = signal(3000);
        let mut out = vec![0.0; y.len()];
        let err = reduce_noise_into(&y, 1, Some(&y[..100]), &cfg(true, 1000), &mut out);
        assert!(matches!(
            err,
            Err(DspError::Parameter {
                name: "y_noise",
                ..
            })
        ));
    }
}
