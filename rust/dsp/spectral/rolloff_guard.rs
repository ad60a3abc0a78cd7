//! Spectral rolloff of float32 audio with an f32 FFT, guarded.
//!
//! librosa's rolloff is the first bin whose float32 running sum of
//! magnitudes (`np.cumsum`, front to back) reaches `roll_percent` of the
//! last one: a discrete answer. The f32 FFT gives magnitudes `m'` near the
//! f64 path's `m`; with a per-bin bound `|m' - m| <= d` the running sums of
//! `m' - d` and of `m' + d` (rounded down and up, in float32 and in the same
//! order) bracket librosa's running sums, because a float32 sum is monotone
//! in each addend. When the bracket puts the threshold crossing on one bin
//! that bin is librosa's answer; otherwise the frame is recomputed with the
//! f64 FFT.

use crate::dsp::num::parallel::SharedMut;
use crate::dsp::spectral::column::{magnitude, rolloff_lanes, suffix_min, Scratch, ROLL_LANES};
use crate::dsp::spectrum::frame::Framing;
use crate::dsp::spectrum::guarded::{run_guarded, ErrorModel, Verdict};
use crate::dsp::spectrum::noise::variance_per_energy;
use crate::dsp::spectrum::stft::{frames_per_task, StftShape, Worker};
use num_complex::Complex;
use std::ops::Range;

/// Frames whose running sums run interleaved (one AVX register of f32).
const LANES: usize = 8;

/// The per-bin bound is `REL * u * m' + ABS * sigma` (`u = 2^-24`, `sigma`
/// from [`variance_per_energy`]): an error model, not a proof. Over tones,
/// chirps, noise, clicks and mixtures (n_fft 256..4096) the largest
/// `|m' - m|` measured is 0.44 of it; errors average far below it, and the
/// bracket sums the bound over every bin.
const REL: f64 = 80.0;
const ABS: f64 = 8.0;

/// Unit roundoff of f32.
const U: f64 = 1.0 / (1u64 << 24) as f64;

/// Rolloff of every (channel, frame) of float32 `y` into `out`
/// (`channel, frame`), equal to the f64-FFT path's
/// ([`crate::dsp::spectral::run_on_audio`] with one rolloff descriptor).
/// Each frame's choice of FFT depends on that frame only, so results do not
/// depend on the thread count. Returns how many frames were redone.
#[allow(clippy::too_many_arguments)]
pub fn rolloff_on_audio_f32(
    framing: &Framing,
    y: &[f32],
    window: &[f64],
    shape: &StftShape,
    freq: &[f64],
    roll_percent: f64,
    single: bool,
    out: &mut [f64],
) -> usize {
    let model = RolloffModel {
        framing,
        y,
        window,
        shape,
        freq,
        lowest: suffix_min(freq),
        per_energy: variance_per_energy(framing.frame_length),
        roll_percent,
        single,
        dst: SharedMut::new(out),
    };
    run_guarded(&model, shape.n_channels * shape.n_frames)
}

/// Per-task workers and buffers.
struct State {
    w32: Worker<f32>,
    /// The f64 worker, made on the first redone frame.
    w64: Option<Worker<f64>>,
    /// `LANES` magnitude columns from the f32 FFT, then their lower and
    /// upper bounds.
    cols: Vec<f32>,
    his: Vec<f32>,
    /// Running sums of the lower and upper bounds, interleaved bin by bin.
    lo: Vec<f32>,
    hi: Vec<f32>,
    col64: Vec<f32>,
    scratch: Scratch,
}

/// Rolloff's error model for [`run_guarded`]: a lane of frames keeps its
/// f32 answer when the bracket of running sums decides the bin, else the
/// frame is redone (no deferral).
struct RolloffModel<'a> {
    framing: &'a Framing,
    y: &'a [f32],
    window: &'a [f64],
    shape: &'a StftShape,
    freq: &'a [f64],
    /// `nanmin(freq[k..])` per `k`.
    lowest: Vec<f64>,
    per_energy: f64,
    roll_percent: f64,
    single: bool,
    dst: SharedMut<f64>,
}

impl ErrorModel for RolloffModel<'_> {
    type Task = State;
    const LANES: usize = LANES;

    fn frames_per_task(&self) -> usize {
        frames_per_task(self.framing)
    }
    fn task(&self) -> State {
        let nb = self.shape.n_bins;
        State {
            w32: Worker::new(self.window),
            w64: None,
            cols: vec![0.0; LANES * nb],
            his: vec![0.0; LANES * nb],
            lo: vec![0.0; LANES * nb],
            hi: vec![0.0; LANES * nb],
            col64: vec![0.0; ROLL_LANES * nb],
            scratch: Scratch::default(),
        }
    }
    /// One frame as a lane group of one (never probed: `BLOCK` is 1).
    fn try_f32(&self, st: &mut State, item: usize, write: bool) -> Verdict {
        debug_assert!(write);
        let mut v = [Verdict::Keep];
        self.try_f32_lanes(st, item..item + 1, &mut v);
        v[0]
    }
    /// The f32 FFT of up to `LANES` frames, their bounds and interleaved
    /// running sums; the frames whose bracket decides the bin are stored.
    fn try_f32_lanes(&self, st: &mut State, items: Range<usize>, verdicts: &mut [Verdict]) {
        let nb = self.shape.n_bins;
        let nf = self.shape.n_frames;
        let n = items.len();
        for j in 0..LANES {
            let col = &mut st.cols[j * nb..(j + 1) * nb];
            let his = &mut st.his[j * nb..(j + 1) * nb];
            if j >= n {
                col.fill(0.0);
                his.fill(0.0);
                continue;
            }
            let item = items.start + j;
            st.w32.map_into(
                self.framing,
                self.channel(item),
                item % nf,
                col,
                |re, im| re * re + im * im,
            );
            column_bounds(col, his, self.per_energy);
        }
        bound_sums(&st.cols, &st.his, nb, &mut st.lo, &mut st.hi);
        for (j, v) in verdicts.iter_mut().enumerate() {
            *v = match self.decide(&st.lo, &st.hi, j, nb) {
                Some(k) => {
                    let val = self.lowest.get(k).copied().unwrap_or(f64::NAN);
                    // SAFETY: entry `item` belongs to this task only.
                    unsafe { self.dst.write(items.start + j, val) };
                    Verdict::Keep
                }
                None => Verdict::Redo,
            };
        }
    }
    fn exact_f64(&self, st: &mut State, item: usize) {
        self.exact_f64_batch(st, &[item]);
    }
    /// Undecided frames on the f64 FFT (librosa's path), their running
    /// sums interleaved by [`rolloff_lanes`].
    fn exact_f64_batch(&self, st: &mut State, items: &[usize]) {
        let nb = self.shape.n_bins;
        let nf = self.shape.n_frames;
        for group in items.chunks(ROLL_LANES) {
            let w = st.w64.get_or_insert_with(|| Worker::new(self.window));
            for (i, &item) in group.iter().enumerate() {
                w.map_into(
                    self.framing,
                    self.channel(item),
                    item % nf,
                    &mut st.col64[i * nb..(i + 1) * nb],
                    |re, im| magnitude::<f32>(Complex::new(re, im)),
                );
            }
            // Full groups run interleaved; shorter ones a column at a time.
            let views: Vec<&[f32]> = st.col64.chunks_exact(nb).take(group.len()).collect();
            let mut got = [0.0f64; ROLL_LANES];
            rolloff_lanes(
                &views,
                self.freq,
                self.roll_percent,
                self.single,
                &mut st.scratch,
                &mut got,
            );
            for (&item, g) in group.iter().zip(got) {
                // SAFETY: entry `item` belongs to this task only.
                unsafe { self.dst.write(item, g) };
            }
        }
    }
}

impl RolloffModel<'_> {
    /// The samples of the channel of `item`.
    fn channel(&self, item: usize) -> &[f32] {
        let ns = self.shape.n_samples;
        let c = item / self.shape.n_frames;
        &self.y[c * ns..(c + 1) * ns]
    }

    /// The first bin whose running sum reaches the threshold, when the
    /// bounds of lane `j` decide it.
    fn decide(&self, lo: &[f32], hi: &[f32], j: usize, nb: usize) -> Option<usize> {
        let (tot_lo, tot_hi) = (lo[(nb - 1) * LANES + j], hi[(nb - 1) * LANES + j]);
        if !tot_hi.is_finite() || nb != self.freq.len() {
            return None;
        }
        // The threshold is monotone in the total; `reached(c, total)` is
        // librosa's `not (c < roll_percent * total)` in its precision.
        let (rp32, rp) = (self.roll_percent as f32, self.roll_percent);
        let single = self.single;
        let reached = move |c: f32, total: f32| {
            if single {
                c >= rp32 * total
            } else {
                c as f64 >= rp * total as f64
            }
        };
        // First bin whose lower sum reaches the highest possible threshold.
        let (mut a, mut b) = (0, nb);
        while a < b {
            let mid = a + (b - a) / 2;
            if reached(lo[mid * LANES + j], tot_hi) {
                b = mid;
            } else {
                a = mid + 1;
            }
        }
        if a == nb {
            return None;
        }
        // The bin before must stay below the lowest possible threshold.
        (a == 0 || !reached(hi[(a - 1) * LANES + j], tot_lo)).then_some(a)
    }
}

/// One column's bounds in place: `col` holds the f32 FFT's `|X|^2` and
/// becomes `max(m - d, 0)` rounded down, `his` gets `m + d` rounded up, for
/// `m = sqrt(|X|^2)` and `d = REL * u * m + ABS * sqrt(per_energy * E)`
/// (`E` the column's energy).
fn column_bounds(col: &mut [f32], his: &mut [f32], per_energy: f64) {
    #[cfg(target_arch = "x86_64")]
    if crate::dsp::num::simd::has_avx2() {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        return unsafe { column_bounds_avx2(col, his, per_energy) };
    }
    let energy: f64 = col.iter().map(|&p| p as f64).sum();
    for p in col.iter_mut() {
        *p = p.sqrt();
    }
    apply_bounds(col, his, d_abs(energy, per_energy));
}

/// `ABS * sigma` from an energy summed in f32 (1% more than it could lose
/// to rounding).
fn d_abs(energy: f64, per_energy: f64) -> f64 {
    ABS * (per_energy * energy * 1.01).sqrt()
}

/// `lo = max(m - d, 0)` rounded down in `col` (holding `m`), `hi = m + d`
/// rounded up, in f32 arithmetic whose roundings the factors absorb: each
/// of the two operations is off by at most `u` relative, and the factors
/// carry `4u` beyond the bound.
#[inline(always)]
fn apply_bounds(col: &mut [f32], his: &mut [f32], d_abs: f64) {
    let (a_hi, a_lo) = (
        (1.0 + (REL + 4.0) * U) as f32,
        (1.0 - (REL + 4.0) * U) as f32,
    );
    let b = (d_abs * (1.0 + 4.0 * U)) as f32;
    for (m, h) in col.iter_mut().zip(his.iter_mut()) {
        *h = *m * a_hi + b;
        *m = (*m * a_lo - b).max(0.0);
    }
}

/// [`column_bounds`] with `m` from `rsqrt` and one Newton step (relative
/// error below `8u`, inside `REL`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn column_bounds_avx2(col: &mut [f32], his: &mut [f32], per_energy: f64) {
    use std::arch::x86_64::*;
    let n = col.len();
    let full = n / 8 * 8;
    let p = col.as_mut_ptr();
    let mut acc = _mm256_setzero_ps();
    let (half, three) = (_mm256_set1_ps(0.5), _mm256_set1_ps(3.0));
    let tiny = _mm256_set1_ps(f32::MIN_POSITIVE);
    let mut i = 0;
    while i < full {
        // SAFETY: i + 8 <= n.
        let x = _mm256_loadu_ps(p.add(i));
        acc = _mm256_add_ps(acc, x);
        // r ~ 1/sqrt(x); m = x r (3 - x r^2) / 2; x below the smallest
        // normal (including 0) gives 0 through the mask.
        let r = _mm256_rsqrt_ps(_mm256_max_ps(x, tiny));
        let xr = _mm256_mul_ps(x, r);
        let m = _mm256_mul_ps(_mm256_mul_ps(half, xr), _mm256_fnmadd_ps(xr, r, three));
        let keep = _mm256_cmp_ps::<_CMP_GE_OQ>(x, tiny);
        _mm256_storeu_ps(p.add(i), _mm256_and_ps(m, keep));
        i += 8;
    }
    let mut lanes = [0.0f32; 8];
    _mm256_storeu_ps(lanes.as_mut_ptr(), acc);
    let mut energy: f64 = lanes.iter().map(|&v| v as f64).sum();
    for v in &mut col[full..] {
        energy += *v as f64;
        *v = v.sqrt();
    }
    apply_bounds(col, his, d_abs(energy, per_energy));
}

/// Float32 running sums of the `LANES` columns of `lows` and of `highs`
/// (each `nb` long, column after column), bin by bin from bin 0, written
/// interleaved (`lo[k * LANES + j]` for column `j`).
fn bound_sums(lows: &[f32], highs: &[f32], nb: usize, lo: &mut [f32], hi: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if crate::dsp::num::simd::has_avx2() {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe {
            running_sums_avx2(lows, nb, lo);
            running_sums_avx2(highs, nb, hi);
        }
        return;
    }
    running_sums(lows, nb, lo, 0);
    running_sums(highs, nb, hi, 0);
}

/// Running sums of bins `from..nb` of each column, continuing from
/// `out[(from - 1) * LANES + j]`.
fn running_sums(cols: &[f32], nb: usize, out: &mut [f32], from: usize) {
    let mut s = [0.0f32; LANES];
    if from > 0 {
        s.copy_from_slice(&out[(from - 1) * LANES..from * LANES]);
    }
    for k in from..nb {
        for (j, v) in s.iter_mut().enumerate() {
            *v += cols[j * nb + k];
        }
        out[k * LANES..(k + 1) * LANES].copy_from_slice(&s);
    }
}

/// [`running_sums`] with 8x8 transposes: one vector add per bin for all
/// lanes, the same additions in the same order.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn running_sums_avx2(cols: &[f32], nb: usize, out: &mut [f32]) {
    use std::arch::x86_64::*;
    assert!(cols.len() >= LANES * nb && out.len() >= LANES * nb);
    let full = nb / 8 * 8;
    let (pc, po) = (cols.as_ptr(), out.as_mut_ptr());
    let mut s = _mm256_setzero_ps();
    let mut k0 = 0;
    while k0 < full {
        // SAFETY: k0 + 8 <= nb, so every load and store is in bounds.
        let r: [__m256; 8] = std::array::from_fn(|j| _mm256_loadu_ps(pc.add(j * nb + k0)));
        let t0 = _mm256_unpacklo_ps(r[0], r[1]);
        let t1 = _mm256_unpackhi_ps(r[0], r[1]);
        let t2 = _mm256_unpacklo_ps(r[2], r[3]);
        let t3 = _mm256_unpackhi_ps(r[2], r[3]);
        let t4 = _mm256_unpacklo_ps(r[4], r[5]);
        let t5 = _mm256_unpackhi_ps(r[4], r[5]);
        let t6 = _mm256_unpacklo_ps(r[6], r[7]);
        let t7 = _mm256_unpackhi_ps(r[6], r[7]);
        let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
        let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
        let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
        let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
        let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
        let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
        let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
        let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
        // Row i holds bin k0 + i of the eight columns.
        let rows = [
            _mm256_permute2f128_ps::<0x20>(u0, u4),
            _mm256_permute2f128_ps::<0x20>(u1, u5),
            _mm256_permute2f128_ps::<0x20>(u2, u6),
            _mm256_permute2f128_ps::<0x20>(u3, u7),
            _mm256_permute2f128_ps::<0x31>(u0, u4),
            _mm256_permute2f128_ps::<0x31>(u1, u5),
            _mm256_permute2f128_ps::<0x31>(u2, u6),
            _mm256_permute2f128_ps::<0x31>(u3, u7),
        ];
        for (i, row) in rows.iter().enumerate() {
            s = _mm256_add_ps(s, *row);
            _mm256_storeu_ps(po.add((k0 + i) * LANES), s);
        }
        k0 += 8;
    }
    running_sums(cols, nb, out, full);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::num::parallel::set_num_threads;
    use crate::dsp::spectral::{fft_frequencies, rolloff_on_audio};
    use crate::dsp::spectrum::pad::PadMode;
    use crate::dsp::spectrum::stft::check;
    use crate::dsp::spectrum::window::{get_window, WindowKind};

    fn framing(n_fft: usize) -> Framing {
        Framing {
            frame_length: n_fft,
            hop_length: n_fft / 4,
            center: true,
            pad_mode: PadMode::Constant,
        }
    }

    /// Rolloffs of `y` by the guarded path (and its redone frame count) and
    /// by the f64-FFT path.
    fn both(y: &[f32], n_fft: usize, rp: f64, single: bool) -> (Vec<f64>, usize, Vec<f64>) {
        let fr = framing(n_fft);
        let window = get_window(WindowKind::Hann, n_fft, true);
        let shape = check(&fr, y, 1, &window).unwrap();
        let freq = fft_frequencies(22050.0, n_fft);
        let mut got = vec![0.0; shape.n_frames];
        let redone = rolloff_on_audio_f32(&fr, y, &window, &shape, &freq, rp, single, &mut got);
        let mut want = vec![0.0; shape.n_frames];
        rolloff_on_audio(&fr, y, &window, &shape, &freq, rp, single, &mut want);
        (got, redone, want)
    }

    /// A deterministic pseudo-random sequence in [-0.5, 0.5).
    fn noise(seed: u64, n: usize) -> Vec<f64> {
        let mut state = seed.wrapping_mul(0x9E3779B97F4A7C15) | 1;
        (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
            })
            .collect()
    }

    /// Test signals: tones, tones in noise, chirps, clicks, square waves,
    /// quiet noise, silence with bursts.
    fn signals(seed: u64, n: usize) -> Vec<Vec<f32>> {
        let r = noise(seed, n);
        let f = 50.0 + 4000.0 * (r[0] + 0.5);
        let w = |i: usize, f: f64| (i as f64 * 2.0 * std::f64::consts::PI * f / 22050.0).sin();
        let mk = |g: &dyn Fn(usize) -> f64| (0..n).map(|i| g(i) as f32).collect::<Vec<f32>>();
        vec![
            mk(&|i| 0.5 * w(i, f)),
            mk(&|i| 0.4 * w(i, 220.0) + 0.2 * w(i, f) + 0.05 * r[i]),
            mk(&|i| 0.3 * w(i, 100.0 + 5000.0 * i as f64 / n as f64 * (r[1] + 1.0))),
            mk(&|i| {
                if i % (200 + (seed as usize % 7) * 97) == 0 {
                    0.9
                } else {
                    0.0
                }
            }),
            mk(&|i| 0.25 * w(i, f / 4.0).signum()),
            mk(&|i| 1e-4 * r[i]),
            mk(&|i| {
                if (i / 3000) % 2 == 0 {
                    0.0
                } else {
                    r[i] * w(i, f)
                }
            }),
            mk(&|i| r[i]),
        ]
    }

    #[test]
    fn guarded_rolloff_equals_the_f64_path() {
        let mut frames = 0;
        let mut redone = 0;
        for seed in 0..12u64 {
            for (s, y) in signals(seed, 12_000).iter().enumerate() {
                for n_fft in [512, 2048] {
                    for rp in [0.05, 0.5, 0.85, 0.99] {
                        for single in [true, false] {
                            let (got, r, want) = both(y, n_fft, rp, single);
                            assert_eq!(got, want, "seed {seed} signal {s} n_fft {n_fft} rp {rp}");
                            frames += got.len();
                            redone += r;
                        }
                    }
                }
            }
        }
        // Most frames stay on the f32 FFT.
        assert!(redone * 5 < frames, "{redone} of {frames} frames redone");
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count() {
        let y = &signals(3, 40_000)[1];
        let (got, _, _) = both(y, 2048, 0.85, true);
        set_num_threads(1);
        let (one, _, _) = both(y, 2048, 0.85, true);
        set_num_threads(0);
        assert_eq!(got, one);
    }

    #[test]
    fn borderline_frames_are_redone_and_ordinary_ones_are_not() {
        // A 2048-sample tone-plus-noise frame; its f64-path running sums
        // put the crossing for roll_percent 0.85 well inside a bin.
        let n_fft = 2048;
        let y = &signals(5, n_fft)[1];
        let fr = Framing {
            center: false,
            ..framing(n_fft)
        };
        let window = get_window(WindowKind::Hann, n_fft, true);
        let shape = check(&fr, y, 1, &window).unwrap();
        assert_eq!(shape.n_frames, 1);
        let freq = fft_frequencies(22050.0, n_fft);
        let mut w = Worker::<f64>::new(&window);
        let mut col = vec![0.0f32; shape.n_bins];
        w.map_into(&fr, y, 0, &mut col, |re, im| {
            magnitude::<f32>(Complex::new(re, im))
        });
        let mut cum = Vec::new();
        let mut run = 0.0f32;
        for &v in &col {
            run += v;
            cum.push(run);
        }
        let total = run as f64;
        let mut out = [0.0];
        let ordinary = 0.85;
        let r = rolloff_on_audio_f32(&fr, y, &window, &shape, &freq, ordinary, false, &mut out);
        assert_eq!(r, 0, "an ordinary frame was redone");
        // roll_percent putting the threshold exactly on a running sum: the
        // bounds cannot decide, so the frame is redone (and still right).
        let k = cum.iter().position(|&c| c as f64 >= 0.85 * total).unwrap();
        let borderline = cum[k] as f64 / total;
        let r = rolloff_on_audio_f32(&fr, y, &window, &shape, &freq, borderline, false, &mut out);
        assert_eq!(r, 1, "a borderline frame was not redone");
        let mut want = [0.0];
        rolloff_on_audio(&fr, y, &window, &shape, &freq, borderline, false, &mut want);
        assert_eq!(out, want);
    }

    /// Over the test signals and FFT sizes, every f64-path magnitude lies
    /// inside its bounds with room to spare: `|m - centre| / half-width`
    /// stays below 1/2 (measured: 0.44).
    #[test]
    fn bounds_hold_with_margin() {
        let mut worst = 0.0f64;
        for seed in 0..12u64 {
            for y in signals(seed, 12_000) {
                for n_fft in [256, 512, 1024, 2048, 4096] {
                    let fr = framing(n_fft);
                    let window = get_window(WindowKind::Hann, n_fft, true);
                    let shape = check(&fr, &y, 1, &window).unwrap();
                    let pe = variance_per_energy(n_fft);
                    let mut w32 = Worker::<f32>::new(&window);
                    let mut w64 = Worker::<f64>::new(&window);
                    let nb = shape.n_bins;
                    let (mut lo, mut hi, mut m) =
                        (vec![0.0f32; nb], vec![0.0f32; nb], vec![0.0f32; nb]);
                    for t in 0..shape.n_frames {
                        w32.map_into(&fr, &y, t, &mut lo, |re, im| re * re + im * im);
                        column_bounds(&mut lo, &mut hi, pe);
                        w64.map_into(&fr, &y, t, &mut m, |re, im| {
                            magnitude::<f32>(Complex::new(re, im))
                        });
                        for k in 0..nb {
                            let (l, h, v) = (lo[k] as f64, hi[k] as f64, m[k] as f64);
                            assert!(l <= v && v <= h, "n_fft {n_fft} t {t} bin {k}");
                            if l > 0.0 {
                                worst = worst.max((v - (l + h) / 2.0).abs() / ((h - l) / 2.0));
                            }
                        }
                    }
                }
            }
        }
        assert!(worst < 0.5, "{worst}");
    }
}
