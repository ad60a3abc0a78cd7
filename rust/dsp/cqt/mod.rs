//! Multi-rate constant-Q / variable-Q transform with librosa's structure.
//!
//! Algorithm (librosa 0.11 `vqt`, step for step):
//! 1. Optionally downsample early by 2^k when the top filter is far below
//!    Nyquist and the hop allows it (librosa's `__early_downsample_count`).
//! 2. For each octave from the top: build that octave's filters at the
//!    current rate (windowed complex exponentials, normalised, FFT'd to the
//!    next power of two, sparsified), take a centred rectangular-window STFT
//!    with that FFT size and the current hop, and project each frame onto
//!    the sparse filters. Then halve the rate (when the hop is even) with a
//!    half-band filter, scaling by sqrt(2).
//! 3. Keep the frames all octaves share, divide by sqrt(filter length).
//!
//! The one deliberate difference is the resampler: librosa uses soxr_hq, we
//! use a linear-phase half-band FIR designed for the band the next octave
//! reads (see `cqt_decimate`). Both are flat in that band to ~1e-5 and stop
//! what would alias into it, so values agree to well within 1e-2.
//!
//! The transform runs in the input's precision: float32 audio is
//! decimated, transformed and projected in f32 (moving values by under 1e-6
//! of the peak, far inside the 1e-2 tolerance), float64 in f64. The per-row
//! 1/sqrt(length) scale is folded into the filters, the early-downsampling
//! gain into the first decimator, and the top octave reads the input as it
//! is. Filter banks and decimators are built once per parameter set
//! (cached), frames run in parallel, and the signal is never copied per
//! frame beyond the FFT buffer.

pub mod basis;
pub mod decimate;
pub mod frames;

use crate::dsp::cqt::basis::{octave_basis, Norm};
use crate::dsp::cqt::decimate::HalfBand;
use crate::dsp::cqt::frames::{project_frames, DenseBasis};
use crate::dsp::num::float::{Float, PerFloat};
use crate::dsp::num::parallel::SharedMut;
use crate::dsp::spectrum::pad::PadMode;
use crate::dsp::spectrum::window::WindowKind;
use crate::error::{DspError, DspResult};
use num_complex::Complex;
use std::cell::RefCell;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::LocalKey;

/// Everything that defines a CQT/VQT filter bank and its framing.
#[derive(Debug, Clone, PartialEq)]
pub struct CqtParams {
    pub sr: f64,
    pub hop_length: usize,
    /// Centre frequencies, ascending (librosa's `interval_frequencies` with tuning applied).
    pub freqs: Vec<f64>,
    /// Filter lengths in samples at `sr` (librosa's `wavelet_lengths`).
    pub lengths: Vec<f64>,
    /// Highest frequency any filter reaches (librosa's `filter_cutoff`).
    pub filter_cutoff: f64,
    pub bins_per_octave: usize,
    pub window: WindowKind,
    pub norm: Norm,
    pub sparsity: f64,
    /// Divide by sqrt(filter length) (librosa `scale=True`).
    pub scale: bool,
    pub pad_mode: PadMode,
}

struct Octave {
    /// Output rows this octave fills.
    rows: Range<usize>,
    basis: DenseBasis,
    hop: usize,
    /// Halve the rate before the next octave.
    decimate_after: bool,
}

/// A ready-to-run transform.
pub struct CqtPlan {
    n_bins: usize,
    /// Early downsampling stages (the first carries the early gain).
    early: Vec<HalfBand>,
    octaves: Vec<Octave>,
    decimator: HalfBand,
}

fn num_two_factors(mut x: usize) -> usize {
    if x == 0 {
        return 0;
    }
    let mut k = 0;
    while x.is_multiple_of(2) {
        k += 1;
        x /= 2;
    }
    k
}

impl CqtPlan {
    /// Build the octave filter banks and decimators for `p`.
    pub fn new(p: &CqtParams) -> DspResult<Self> {
        let n_bins = p.freqs.len();
        if n_bins == 0 {
            return Err(DspError::param("n_bins", 0, "a positive integer"));
        }
        if p.lengths.len() != n_bins {
            return Err(DspError::shape("lengths", n_bins, p.lengths.len()));
        }
        if p.bins_per_octave == 0 {
            return Err(DspError::param("bins_per_octave", 0, "a positive integer"));
        }
        if p.hop_length == 0 {
            return Err(DspError::param("hop_length", 0, "a positive integer"));
        }
        if !(p.sr.is_finite() && p.sr > 0.0) {
            return Err(DspError::param("sr", p.sr, "a positive number"));
        }
        if p.freqs.iter().any(|f| !(f.is_finite() && *f > 0.0))
            || p.freqs.windows(2).any(|w| w[0] > w[1])
        {
            return Err(DspError::param("freqs", "[...]", "positive and ascending"));
        }
        let nyquist = p.sr / 2.0;
        if !(p.filter_cutoff > 0.0 && p.filter_cutoff <= nyquist) {
            return Err(DspError::param(
                "filter_cutoff",
                p.filter_cutoff,
                format!("at most the Nyquist frequency {nyquist} (reduce n_bins or fmin)"),
            ));
        }
        let n_octaves = n_bins.div_ceil(p.bins_per_octave);
        let n_filters = p.bins_per_octave.min(n_bins);

        // librosa's __early_downsample_count
        let count1 = ((nyquist / p.filter_cutoff).log2().ceil() as i64 - 1 - 1).max(0) as usize;
        let count2 = (num_two_factors(p.hop_length) as i64 - n_octaves as i64 + 1).max(0) as usize;
        let k = count1.min(count2);
        let sr_e = p.sr / (1u64 << k) as f64;
        // (k = 0 makes it 1: the input is then read as it is.)
        let mut early_gain = 2f64.sqrt().powi(k as i32);
        if !p.scale {
            early_gain *= 2f64.sqrt().powi(k as i32);
        }

        // Per-row factor (1 / sqrt(length) or 1), folded into the filters.
        let row_scale: Vec<f64> = p
            .lengths
            .iter()
            .map(|l| {
                if p.scale {
                    1.0 / (l * (sr_e / p.sr)).sqrt()
                } else {
                    1.0
                }
            })
            .collect();
        let mut octaves = Vec::with_capacity(n_octaves);
        let (mut my_sr, mut my_hop) = (sr_e, p.hop_length >> k);
        for i in 0..n_octaves {
            let end = n_bins.saturating_sub(n_filters * i);
            let start = n_bins.saturating_sub(n_filters * (i + 1));
            let rel = my_sr / p.sr; // exact power of two
            let lengths: Vec<f64> = p.lengths[start..end].iter().map(|l| l * rel).collect();
            let basis = octave_basis(
                my_sr,
                &p.freqs[start..end],
                &lengths,
                p.window,
                p.norm,
                p.sparsity,
                (sr_e / my_sr).sqrt(),
            )?;
            let decimate_after = my_hop.is_multiple_of(2);
            octaves.push(Octave {
                rows: start..end,
                basis: DenseBasis::new(&basis, &row_scale[start..end]),
                hop: my_hop,
                decimate_after,
            });
            if decimate_after {
                my_hop /= 2;
                my_sr /= 2.0;
            }
        }
        // The band every later octave reads, as a fraction of its Nyquist
        // (the top octave sets it; lower octaves sit at the same relative place).
        let top = &octaves[0].basis;
        let need = top.band.end as f64 * sr_e / top.n_fft as f64;
        let pass = need / (sr_e / 2.0);
        let decimator = HalfBand::design(pass, 2f64.sqrt());
        // Early stages see the same absolute band at higher rates.
        let early = (0..k)
            .map(|j| {
                let out_nyquist = p.sr / (1u64 << (j + 2)) as f64;
                let gain = if j == 0 { early_gain } else { 1.0 };
                HalfBand::design(need / out_nyquist, gain)
            })
            .collect();
        Ok(CqtPlan {
            n_bins,
            early,
            octaves,
            decimator,
        })
    }

    /// Number of output frames for a signal of `n` samples: the frames all
    /// octaves share (each octave's centred STFT has `1 + len / hop`).
    pub fn n_frames(&self, n: usize) -> usize {
        let mut len = n;
        for _ in &self.early {
            len = len.div_ceil(2);
        }
        let mut frames = usize::MAX;
        for o in &self.octaves {
            frames = frames.min(1 + len / o.hop);
            if o.decimate_after {
                len = len.div_ceil(2);
            }
        }
        frames
    }

    pub fn n_bins(&self) -> usize {
        self.n_bins
    }

    /// Transform `channels` signals of `n` samples (row-major) into `out`,
    /// shaped (channels, n_bins, n_frames), in the precision of `y`.
    pub fn run<T: Float, O: Float>(
        &self,
        y: &[T],
        channels: usize,
        n: usize,
        pad_mode: PadMode,
        out: &mut [Complex<O>],
    ) -> DspResult<()> {
        if n == 0 {
            return Err(DspError::Empty {
                what: "audio buffer",
            });
        }
        if y.len() != channels * n {
            return Err(DspError::shape(
                "audio",
                format!("({channels}, {n})"),
                y.len(),
            ));
        }
        // The first halving of the input checks it for non-finite samples
        // on its way; without one, check up front.
        let input_halved =
            !self.early.is_empty() || (self.octaves.len() > 1 && self.octaves[0].decimate_after);
        let non_finite = DspError::NonFinite {
            what: "audio buffer",
        };
        if !input_halved && !T::all_finite(y) {
            return Err(non_finite);
        }
        let n_frames = self.n_frames(n);
        if out.len() != channels * self.n_bins * n_frames {
            return Err(DspError::shape(
                "cqt output",
                format!("({channels}, {}, {n_frames})", self.n_bins),
                out.len(),
            ));
        }
        let shared = SharedMut::new(out);
        // Reused signal buffers: fresh multi-megabyte vectors on every call
        // cost a page fault per 4 KiB.
        let (mut sig, mut next) = take_signals::<T>();
        let mut finite = true;
        'channels: for c in 0..channels {
            let input = &y[c * n..(c + 1) * n];
            // The top octave reads the input itself; after a halving the
            // signal is `sig[..len]` (the buffers only grow, see `decimate_into`).
            let mut len = None;
            // Halve the current signal; false when it is the input and it
            // holds a non-finite sample.
            let halve =
                |hb: &HalfBand, sig: &mut Vec<T>, next: &mut Vec<T>, len: &mut Option<usize>| {
                    let src = len.map_or(input, |l| &sig[..l]);
                    let (n_out, ok) = hb.decimate_into(src, next, len.is_none());
                    std::mem::swap(sig, next);
                    *len = Some(n_out);
                    ok
                };
            for hb in &self.early {
                if !halve(hb, &mut sig, &mut next, &mut len) {
                    finite = false;
                    break 'channels;
                }
            }
            for (i, o) in self.octaves.iter().enumerate() {
                let x = len.map_or(input, |l| &sig[..l]);
                project_frames::<T, _>(&o.basis, x, o.hop, n_frames, pad_mode, |r, t, re, im| {
                    let start = (c * self.n_bins + o.rows.start + r) * n_frames + t;
                    // SAFETY: each (row, frame) is written by exactly one worker.
                    let dst = unsafe { shared.slice_mut(start, re.len()) };
                    for (d, (&a, &b)) in dst.iter_mut().zip(re.iter().zip(im)) {
                        *d = Complex::new(O::narrow(a.wide()), O::narrow(b.wide()));
                    }
                });
                if o.decimate_after
                    && i + 1 < self.octaves.len()
                    && !halve(&self.decimator, &mut sig, &mut next, &mut len)
                {
                    finite = false;
                    break 'channels;
                }
            }
        }
        for v in [&mut sig, &mut next] {
            if v.capacity() > KEEP_SAMPLES {
                *v = Vec::new();
            }
        }
        put_signals::<T>((sig, next));
        if finite {
            Ok(())
        } else {
            Err(non_finite)
        }
    }
}

/// Largest buffer (in samples) kept for the next call: 4 Mi samples (three
/// minutes at 22050 Hz); longer signals allocate afresh each time.
const KEEP_SAMPLES: usize = 1 << 22;

/// The current and next decimated signal.
pub type Signals<F> = (Vec<F>, Vec<F>);

thread_local! {
    static SIGNALS_F32: RefCell<Signals<f32>> = RefCell::new(Default::default());
    static SIGNALS_F64: RefCell<Signals<f64>> = RefCell::new(Default::default());
}

/// This thread's signal buffers, one slot per precision (the CQT runs in
/// the input's precision and reuses them across calls).
struct SignalSlots;
impl PerFloat for SignalSlots {
    type Of<F: Float> = LocalKey<RefCell<Signals<F>>>;
    fn for_f32(&self) -> &LocalKey<RefCell<Signals<f32>>> {
        &SIGNALS_F32
    }
    fn for_f64(&self) -> &LocalKey<RefCell<Signals<f64>>> {
        &SIGNALS_F64
    }
}

fn take_signals<F: Float>() -> Signals<F> {
    F::pick(&SignalSlots).with(|s| std::mem::take(&mut *s.borrow_mut()))
}

fn put_signals<F: Float>(v: Signals<F>) {
    F::pick(&SignalSlots).with(|s| *s.borrow_mut() = v)
}

type PlanKey = Vec<u64>;
type PlanCache = Vec<(PlanKey, Arc<CqtPlan>)>;

fn plan_key(p: &CqtParams) -> PlanKey {
    let mut k = vec![
        p.sr.to_bits(),
        p.hop_length as u64,
        p.filter_cutoff.to_bits(),
        p.bins_per_octave as u64,
        p.window as u64,
        match p.norm {
            Norm::None => u64::MAX,
            Norm::Inf => u64::MAX - 1,
            Norm::P(v) => v.to_bits(),
        },
        p.sparsity.to_bits(),
        p.scale as u64,
        p.freqs.len() as u64,
    ];
    k.extend(p.freqs.iter().map(|f| f.to_bits()));
    k.extend(p.lengths.iter().map(|f| f.to_bits()));
    k
}

/// The plan for `p`, from a small cache of recently used plans.
pub fn plan(p: &CqtParams) -> DspResult<Arc<CqtPlan>> {
    static CACHE: OnceLock<Mutex<PlanCache>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    let key = plan_key(p);
    {
        let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pos) = c.iter().position(|(k, _)| *k == key) {
            let e = c.remove(pos);
            let plan = e.1.clone();
            c.push(e);
            return Ok(plan);
        }
    }
    let plan = Arc::new(CqtPlan::new(p)?);
    let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
    c.push((key, plan.clone()));
    if c.len() > 16 {
        c.remove(0);
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn params(sr: f64, fmin: f64, n_bins: usize, bpo: usize, hop: usize) -> CqtParams {
        let freqs: Vec<f64> = (0..n_bins)
            .map(|k| fmin * 2f64.powf((k / bpo) as f64) * 2f64.powf((k % bpo) as f64 / bpo as f64))
            .collect();
        let r = 2f64.powf(1.0 / bpo as f64);
        let alpha = (r * r - 1.0) / (r * r + 1.0);
        let q = 1.0 / alpha;
        let lengths = freqs.iter().map(|f| q * sr / f).collect();
        let cutoff = freqs[n_bins - 1] * (1.0 + 0.5 * 1.50018310546875 / q);
        CqtParams {
            sr,
            hop_length: hop,
            freqs,
            lengths,
            filter_cutoff: cutoff,
            bins_per_octave: bpo,
            window: WindowKind::Hann,
            norm: Norm::P(1.0),
            sparsity: 0.01,
            scale: true,
            pad_mode: PadMode::Constant,
        }
    }

    #[test]
    fn tone_lands_in_its_bin_in_every_octave() {
        let sr = 8000.0;
        let p = params(sr, 55.0, 48, 12, 128);
        let plan = CqtPlan::new(&p).unwrap();
        for (bin, f) in [(5usize, p.freqs[5]), (30, p.freqs[30]), (47, p.freqs[47])] {
            let n = 8000;
            let y: Vec<f64> = (0..n)
                .map(|i| (2.0 * PI * f * i as f64 / sr).cos())
                .collect();
            let frames = plan.n_frames(n);
            let mut out = vec![Complex::<f64>::new(0.0, 0.0); 48 * frames];
            plan.run(&y, 1, n, PadMode::Constant, &mut out).unwrap();
            let t = frames / 2;
            let col: Vec<f64> = (0..48).map(|b| out[b * frames + t].norm()).collect();
            let best = (0..48).max_by(|&a, &b| col[a].total_cmp(&col[b])).unwrap();
            assert_eq!(best, bin);
        }
    }

    #[test]
    fn float32_run_matches_float64() {
        // odd hop (no decimation after the top octave) and early downsampling
        for (hop, n_bins) in [(128, 48), (300, 36), (2048, 24)] {
            let sr = 8000.0;
            let p = params(sr, 55.0, n_bins, 12, hop);
            let plan = CqtPlan::new(&p).unwrap();
            let n = 9001;
            let y: Vec<f64> = (0..n)
                .map(|i| {
                    let t = i as f64 / sr;
                    (2.0 * PI * 97.0 * t).sin() + 0.5 * (2.0 * PI * 1234.5 * t).cos()
                })
                .collect();
            let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
            let frames = plan.n_frames(n);
            let mut a = vec![Complex::<f64>::new(0.0, 0.0); n_bins * frames];
            let mut b = vec![Complex::<f32>::new(0.0, 0.0); n_bins * frames];
            plan.run(&y, 1, n, PadMode::Constant, &mut a).unwrap();
            plan.run(&y32, 1, n, PadMode::Constant, &mut b).unwrap();
            let peak = a.iter().map(|v| v.norm()).fold(0.0, f64::max);
            for (u, v) in a.iter().zip(&b) {
                let d = (u - Complex::new(v.re as f64, v.im as f64)).norm();
                assert!(d <= 1e-5 * peak, "hop {hop}: {d} vs peak {peak}");
            }
        }
    }

    #[test]
    fn rejects_non_finite_audio() {
        // checked by the first halving (128), up front (odd hop: none), or
        // by the early downsampling (2048); also in a later channel
        for hop in [128, 129, 2048] {
            let plan = CqtPlan::new(&params(8000.0, 55.0, 24, 12, hop)).unwrap();
            let n = 3000;
            let mut out = vec![Complex::<f32>::new(0.0, 0.0); 2 * 24 * plan.n_frames(n)];
            for bad in [f32::INFINITY, f32::NEG_INFINITY, f32::NAN] {
                for at in [0, 1, 1777, n - 1, n + 5, 2 * n - 1] {
                    let mut y = vec![0.5f32; 2 * n];
                    y[at] = bad;
                    let r = plan.run(&y, 2, n, PadMode::Constant, &mut out);
                    assert!(r.is_err(), "hop {hop} at {at}");
                }
            }
            let y = vec![f32::MAX; 2 * n];
            assert!(plan.run(&y, 2, n, PadMode::Constant, &mut out).is_ok());
        }
    }

    #[test]
    fn rejects_cutoff_above_nyquist() {
        let mut p = params(8000.0, 55.0, 48, 12, 128);
        p.filter_cutoff = 5000.0;
        assert!(CqtPlan::new(&p).is_err());
        let mut p = params(8000.0, 55.0, 48, 12, 128);
        p.hop_length = 0;
        assert!(CqtPlan::new(&p).is_err());
    }

    #[test]
    fn frame_count_is_shared_minimum() {
        let plan = CqtPlan::new(&params(22050.0, 32.7, 84, 12, 512)).unwrap();
        assert_eq!(plan.n_frames(22050), 1 + 22050 / 512);
    }
}
