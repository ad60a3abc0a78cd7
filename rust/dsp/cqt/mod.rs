//! Multi-rate constant-Q / variable-Q transform with librosa's structure.
//!
//! Algorithm (librosa 0.11 `vqt`, step for step):
//! 1. Optionally downsample early by 2^k when the top filter is far below
//!    Nyquist and the hop allows it (librosa's `__early_downsample_count`).
//! 2. For each octave from the top: build that octave's filters at the
//!    current rate (windowed complex exponentials, normalised, FFT'd to the
//!    next power of two, sparsified), take a centred rectangular-window STFT
//!    with that FFT size and the current hop, and project each frame onto
//!    the sparse filters. Then halve the rate (when the hop is even),
//!    scaling by sqrt(2).
//! 3. Keep the frames all octaves share, divide by sqrt(filter length).
//!
//! The resampling (steps 1 and 2) is not done here: the caller resamples
//! with the very backend call librosa makes (`resample(y, 2^k, 1,
//! res_type, scale=True)`, soxr by default) and hands one signal per
//! octave to [`CqtPlan::run`], so every octave reads librosa's samples.
//! [`CqtPlan::early_count`] and [`CqtPlan::halves_after`] say which
//! signals it expects.
//!
//! The transform runs in the input's precision: float32 audio is
//! transformed and projected in f32, float64 in f64. The per-row
//! 1/sqrt(length) scale is folded into the filters. Filter banks are built
//! once per parameter set (cached), frames run in parallel, and the signal
//! is never copied per frame beyond the FFT buffer.

pub mod basis;
pub mod frames;

use crate::dsp::cqt::basis::{octave_basis, Norm};
use crate::dsp::cqt::frames::{project_frames, DenseBasis};
use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::SharedMut;
use crate::dsp::spectrum::pad::PadMode;
use crate::dsp::spectrum::window::WindowKind;
use crate::error::{DspError, DspResult};
use num_complex::Complex;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

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
    /// The rate is halved before the next octave.
    halve_after: bool,
}

/// A ready-to-run transform.
pub struct CqtPlan {
    n_bins: usize,
    /// Early downsampling: the input is read at `sr / 2^early`.
    early: usize,
    octaves: Vec<Octave>,
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
            let halve_after = my_hop.is_multiple_of(2);
            octaves.push(Octave {
                rows: start..end,
                basis: DenseBasis::new(&basis, &row_scale[start..end]),
                hop: my_hop,
                halve_after,
            });
            if halve_after {
                my_hop /= 2;
                my_sr /= 2.0;
            }
        }
        Ok(CqtPlan {
            n_bins,
            early: k,
            octaves,
        })
    }

    /// librosa's early downsampling count k: the first octave reads the
    /// input resampled from `2^k` to 1 (with `scale=True`).
    pub fn early_count(&self) -> usize {
        self.early
    }

    /// Number of octaves (signals [`CqtPlan::run`] takes).
    pub fn n_octaves(&self) -> usize {
        self.octaves.len()
    }

    /// For each octave, whether the next one reads this octave's signal
    /// halved in rate (else the same signal).
    pub fn halves_after(&self) -> Vec<bool> {
        self.octaves.iter().map(|o| o.halve_after).collect()
    }

    /// Number of output frames when octave `i` reads `lens[i]` samples: the
    /// frames all octaves share (each centred STFT has `1 + len / hop`).
    pub fn n_frames(&self, lens: &[usize]) -> usize {
        self.octaves
            .iter()
            .zip(lens)
            .map(|(o, &len)| 1 + len / o.hop)
            .min()
            .unwrap_or(0)
    }

    pub fn n_bins(&self) -> usize {
        self.n_bins
    }

    /// Transform `channels` signals into `out`, shaped (channels, n_bins,
    /// n_frames), in the precision of the signals. `octaves[i]` is what
    /// octave `i` reads: `channels` rows of `len_i` samples (row-major),
    /// resampled by the caller as [`CqtPlan::early_count`] and
    /// [`CqtPlan::halves_after`] say.
    pub fn run<T: Float, O: Float>(
        &self,
        octaves: &[&[T]],
        channels: usize,
        pad_mode: PadMode,
        out: &mut [Complex<O>],
    ) -> DspResult<()> {
        if octaves.len() != self.octaves.len() {
            return Err(DspError::shape(
                "octave signals",
                self.octaves.len(),
                octaves.len(),
            ));
        }
        if channels == 0 {
            return Err(DspError::param("channels", 0, "a positive integer"));
        }
        let mut lens = Vec::with_capacity(octaves.len());
        for x in octaves {
            if x.is_empty() || !x.len().is_multiple_of(channels) {
                return Err(DspError::shape(
                    "octave signal",
                    format!("({channels}, n > 0)"),
                    x.len(),
                ));
            }
            lens.push(x.len() / channels);
        }
        // The others are resampled from the first: a non-finite sample in
        // the input reaches it (librosa lets an overflow in a later octave be).
        if !T::all_finite(octaves[0]) {
            return Err(DspError::NonFinite {
                what: "audio buffer",
            });
        }
        let n_frames = self.n_frames(&lens);
        if out.len() != channels * self.n_bins * n_frames {
            return Err(DspError::shape(
                "cqt output",
                format!("({channels}, {}, {n_frames})", self.n_bins),
                out.len(),
            ));
        }
        let shared = SharedMut::new(out);
        for c in 0..channels {
            for ((o, x), &len) in self.octaves.iter().zip(octaves).zip(&lens) {
                let x = &x[c * len..(c + 1) * len];
                project_frames::<T, _>(&o.basis, x, o.hop, n_frames, pad_mode, |r, t, re, im| {
                    let start = (c * self.n_bins + o.rows.start + r) * n_frames + t;
                    // SAFETY: each (row, frame) is written by exactly one worker.
                    let dst = unsafe { shared.slice_mut(start, re.len()) };
                    for (d, (&a, &b)) in dst.iter_mut().zip(re.iter().zip(im)) {
                        *d = Complex::new(O::narrow(a.wide()), O::narrow(b.wide()));
                    }
                });
            }
        }
        Ok(())
    }
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

    /// The signals `plan` expects for a sum of cosines `(freq, amp)` of `n`
    /// samples at `sr`, as an ideal resampler gives them: each octave's
    /// signal is the tones below its Nyquist, sampled at its rate, with the
    /// sqrt(2) gain per halving.
    fn octave_signals(plan: &CqtPlan, sr: f64, n: usize, tones: &[(f64, f64)]) -> Vec<Vec<f64>> {
        let make = |halvings: usize| -> Vec<f64> {
            let rate = sr / (1u64 << halvings) as f64;
            let gain = 2f64.sqrt().powi(halvings as i32);
            (0..n.div_ceil(1 << halvings))
                .map(|i| {
                    let t = i as f64 / rate;
                    tones
                        .iter()
                        .filter(|(f, _)| *f < rate / 2.0)
                        .map(|(f, a)| gain * a * (2.0 * PI * f * t).cos())
                        .sum()
                })
                .collect()
        };
        let mut h = plan.early_count();
        let mut out = Vec::new();
        for halve in plan.halves_after() {
            out.push(make(h));
            if halve {
                h += 1;
            }
        }
        out
    }

    fn run64(plan: &CqtPlan, sigs: &[Vec<f64>]) -> (Vec<Complex<f64>>, usize) {
        let refs: Vec<&[f64]> = sigs.iter().map(|v| v.as_slice()).collect();
        let lens: Vec<usize> = sigs.iter().map(|v| v.len()).collect();
        let frames = plan.n_frames(&lens);
        let mut out = vec![Complex::new(0.0, 0.0); plan.n_bins() * frames];
        plan.run(&refs, 1, PadMode::Constant, &mut out).unwrap();
        (out, frames)
    }

    #[test]
    fn tone_lands_in_its_bin_in_every_octave() {
        let sr = 8000.0;
        let p = params(sr, 55.0, 48, 12, 128);
        let plan = CqtPlan::new(&p).unwrap();
        // top filter ~935 Hz: one early halving (8 kHz -> 4 kHz), then every octave
        assert_eq!(plan.early_count(), 1);
        assert_eq!(plan.halves_after(), vec![true; 4]);
        for (bin, f) in [(5usize, p.freqs[5]), (30, p.freqs[30]), (47, p.freqs[47])] {
            let (out, frames) = run64(&plan, &octave_signals(&plan, sr, 8000, &[(f, 1.0)]));
            let t = frames / 2;
            let col: Vec<f64> = (0..48).map(|b| out[b * frames + t].norm()).collect();
            let best = (0..48).max_by(|&a, &b| col[a].total_cmp(&col[b])).unwrap();
            assert_eq!(best, bin);
        }
    }

    #[test]
    fn early_count_and_halvings_follow_librosa() {
        // 24 bins from 55 Hz at 8 kHz: cutoff ~220 Hz, Nyquist/cutoff ~18,
        // so 3 halvings by band; hop 2048 = 2^11 allows 11 - 2 + 1 = 10.
        let plan = CqtPlan::new(&params(8000.0, 55.0, 24, 12, 2048)).unwrap();
        assert_eq!(plan.early_count(), 3);
        // odd hop: no halving at all
        let plan = CqtPlan::new(&params(8000.0, 55.0, 36, 12, 300)).unwrap();
        assert_eq!(plan.early_count(), 0);
        assert_eq!(plan.halves_after(), vec![true, true, false]);
    }

    #[test]
    fn float32_run_matches_float64() {
        for (hop, n_bins) in [(128, 48), (300, 36), (2048, 24)] {
            let sr = 8000.0;
            let p = params(sr, 55.0, n_bins, 12, hop);
            let plan = CqtPlan::new(&p).unwrap();
            let sigs = octave_signals(&plan, sr, 9001, &[(97.0, 1.0), (1234.5, 0.5)]);
            let (a, frames) = run64(&plan, &sigs);
            let s32: Vec<Vec<f32>> = sigs
                .iter()
                .map(|v| v.iter().map(|&x| x as f32).collect())
                .collect();
            let refs: Vec<&[f32]> = s32.iter().map(|v| v.as_slice()).collect();
            let mut b = vec![Complex::<f32>::new(0.0, 0.0); n_bins * frames];
            plan.run(&refs, 1, PadMode::Constant, &mut b).unwrap();
            let peak = a.iter().map(|v| v.norm()).fold(0.0, f64::max);
            for (u, v) in a.iter().zip(&b) {
                let d = (u - Complex::new(v.re as f64, v.im as f64)).norm();
                assert!(d <= 1e-5 * peak, "hop {hop}: {d} vs peak {peak}");
            }
        }
    }

    #[test]
    fn rejects_non_finite_audio_and_bad_signals() {
        let plan = CqtPlan::new(&params(8000.0, 55.0, 24, 12, 128)).unwrap();
        let n = 3000;
        let good = vec![0.5f32; 2 * n];
        let half = vec![0.5f32; 2 * (n / 2)];
        let frames = plan.n_frames(&[n, n / 2]);
        let mut out = vec![Complex::<f32>::new(0.0, 0.0); 2 * 24 * frames];
        for bad in [f32::INFINITY, f32::NEG_INFINITY, f32::NAN] {
            for at in [0, 1, 1777, n - 1, n + 5, 2 * n - 1] {
                let mut y = good.clone();
                y[at] = bad;
                let r = plan.run(&[&y, &half], 2, PadMode::Constant, &mut out);
                assert!(r.is_err(), "at {at}");
            }
        }
        let top = vec![f32::MAX; 2 * n];
        assert!(plan
            .run(&[&top, &half], 2, PadMode::Constant, &mut out)
            .is_ok());
        // wrong number of signals, a signal not made of whole channels, empty
        assert!(plan.run(&[&good], 2, PadMode::Constant, &mut out).is_err());
        assert!(plan
            .run(&[&good, &half[1..]], 2, PadMode::Constant, &mut out)
            .is_err());
        assert!(plan
            .run(&[&good, &[]], 2, PadMode::Constant, &mut out)
            .is_err());
        assert!(plan
            .run(&[&good, &half], 2, PadMode::Constant, &mut out[1..])
            .is_err());
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
        let lens: Vec<usize> = (0..7).map(|i| 22050usize.div_ceil(1 << i)).collect();
        assert_eq!(plan.n_frames(&lens), 1 + 22050 / 512);
        assert_eq!(
            plan.n_frames(&[22050, 11025, 5000, 2757, 1379, 690, 345]),
            1 + 5000 / 128
        );
    }
}
