//! The per-column kernels of the spectral descriptors: one magnitude (or
//! power) column in, one value per descriptor row out. The drivers in
//! [`crate::dsp::spectral`] and the float32 guards both build on these.

use crate::dsp::num::float::{wide, Float};
use crate::dsp::num::simd;
use crate::error::{DspError, DspResult};
use num_complex::Complex;

/// `|X|` rounded to `T`, as numpy computes `abs` of complex64/complex128
/// (the product of two rounded components is exact in f64).
#[inline(always)]
pub fn magnitude<T: Float>(x: Complex<f64>) -> T {
    let re = wide(T::narrow(x.re));
    let im = wide(T::narrow(x.im));
    T::narrow((re * re + im * im).sqrt())
}

/// Fill `col` with `|X|` (`power == 1`) or `|X|**2` squared in `T`
/// (`power == 2`, librosa's `np.abs(S)**2`).
#[inline]
pub fn magnitudes_into<T: Float>(spec: &[Complex<f64>], squared: bool, col: &mut [T]) {
    if squared {
        for (c, x) in col.iter_mut().zip(spec) {
            let m: T = magnitude(*x);
            *c = m * m;
        }
    } else {
        for (c, x) in col.iter_mut().zip(spec) {
            *c = magnitude(*x);
        }
    }
}

/// One spectral-contrast band: the bins it sorts and how many of them
/// make the peak and the valley (librosa's band geometry, resolved by the
/// caller from `freq`, `fmin` and `n_bands`).
#[derive(Debug, Clone)]
pub struct ContrastBand {
    pub bins: Vec<usize>,
    pub n_quantile: usize,
}

/// A descriptor to compute per frame. Each writes `rows()` values per frame.
#[derive(Debug, Clone)]
pub enum Descriptor {
    /// Magnitude-weighted mean frequency.
    Centroid,
    /// `(sum S * |f - centroid|**p) ** (1/p)`, `S` normalised when `norm`;
    /// `centroid` overrides the computed one (one value per channel-frame).
    Bandwidth {
        p: f64,
        norm: bool,
        centroid: Option<Vec<f64>>,
    },
    /// Lowest frequency whose cumulative magnitude reaches `roll_percent`
    /// of the total; `single` compares in the input precision (librosa's
    /// behaviour for a Python-float `roll_percent`).
    Rolloff { roll_percent: f64, single: bool },
    /// Geometric over arithmetic mean of `max(amin, S**power)`, with sums
    /// in the input precision: numpy's pairwise order when `pairwise` (bins
    /// contiguous in librosa's array), front to back otherwise.
    Flatness {
        amin: f64,
        power: f64,
        pairwise: bool,
    },
    /// Peak means (rows `0..n`) then valley means (rows `n..2n`) per band.
    Contrast { bands: Vec<ContrastBand> },
    /// RMS from a magnitude spectrogram of frames of `frame_length`.
    Rms { frame_length: usize },
}

impl Descriptor {
    /// Output rows per frame.
    pub fn rows(&self) -> usize {
        match self {
            Descriptor::Contrast { bands } => 2 * bands.len(),
            _ => 1,
        }
    }

    /// Check parameters against the spectrogram geometry.
    pub fn check(&self, n_bins: usize, n_items: usize) -> DspResult<()> {
        match self {
            Descriptor::Bandwidth { p, centroid, .. } => {
                if !(p.is_finite() && *p > 0.0) {
                    return Err(DspError::param("p", p, "a positive number"));
                }
                if let Some(c) = centroid {
                    if c.len() != n_items {
                        return Err(DspError::shape("centroid", n_items, c.len()));
                    }
                }
            }
            Descriptor::Rolloff { roll_percent, .. } => {
                if !(*roll_percent > 0.0 && *roll_percent < 1.0) {
                    return Err(DspError::param(
                        "roll_percent",
                        roll_percent,
                        "a value in (0, 1)",
                    ));
                }
            }
            Descriptor::Flatness { amin, .. } => {
                if amin.is_nan() || *amin <= 0.0 {
                    return Err(DspError::param("amin", amin, "a strictly positive number"));
                }
            }
            Descriptor::Contrast { bands } => {
                for b in bands {
                    if b.bins.is_empty() || b.n_quantile == 0 || b.n_quantile > b.bins.len() {
                        return Err(DspError::param(
                            "n_bands",
                            bands.len(),
                            "bands that each hold at least one frequency bin",
                        ));
                    }
                    if let Some(&k) = b.bins.iter().find(|&&k| k >= n_bins) {
                        return Err(DspError::shape("contrast band bin", n_bins, k));
                    }
                }
            }
            Descriptor::Rms { frame_length } => {
                if *frame_length / 2 + 1 != n_bins {
                    return Err(DspError::param(
                        "frame_length",
                        frame_length,
                        format!("{} or {} for {n_bins} bins", 2 * n_bins - 2, 2 * n_bins - 1),
                    ));
                }
            }
            Descriptor::Centroid => {}
        }
        Ok(())
    }
}

/// Scratch space reused across frames.
#[derive(Default)]
pub struct Scratch {
    gather: Vec<f64>,
    values: Vec<f64>,
    logs: Vec<f64>,
    /// Running sums of the column (rolloff), widened from `T` exactly.
    cum: Vec<f64>,
    /// Running sums of [`ROLL_LANES`] columns, interleaved bin by bin.
    cum_lanes: Vec<f64>,
    /// `nanmin(freq[k..])` for every `k`, for the `freq` at `suffix_of`.
    suffix_min: Vec<f64>,
    suffix_of: (usize, usize),
}

impl Scratch {
    /// `nanmin(freq[k..])` per `k`, computed once per `freq`.
    fn suffix_min(&mut self, freq: &[f64]) -> &[f64] {
        let key = (freq.as_ptr() as usize, freq.len());
        if self.suffix_of != key || self.suffix_min.len() != freq.len() {
            self.suffix_min = suffix_min(freq);
            self.suffix_of = key;
        }
        &self.suffix_min
    }
}

/// `nanmin(freq[k..])` for every `k`: the rolloff when bin `k` is the
/// first to reach the threshold.
pub fn suffix_min(freq: &[f64]) -> Vec<f64> {
    let mut out = vec![f64::NAN; freq.len()];
    let mut best = f64::NAN;
    for (m, &f) in out.iter_mut().zip(freq).rev() {
        if best.is_nan() || f < best {
            best = f;
        }
        *m = best;
    }
    out
}

/// librosa.util.normalize(norm=1)'s divisor: the column sum, or 1 when it
/// is below the smallest normal number of the input precision.
#[inline]
fn l1_length<T: Float>(col: &[T]) -> f64 {
    let s: f64 = col.iter().map(|&v| wide(v).abs()).sum();
    if s < T::TINY {
        1.0
    } else {
        s
    }
}

/// `(sum |x|, sum x f, sum x^2)` of one magnitude column: the centroid's
/// two sums and the column's energy (for [`crate::dsp::spectral::centroid_guard`]),
/// four lanes each in a fixed order, so every path gives the same bits.
#[inline(always)]
pub fn centroid_sums<T: Float>(col: &[T], freq: &[f64]) -> (f64, f64, f64) {
    #[cfg(target_arch = "x86_64")]
    if let (Some(col32), true) = (T::as_f32(col), simd::has_avx2()) {
        // SAFETY: the CPU supports AVX2.
        return unsafe { centroid_sums_f32_avx2(col32, freq) };
    }
    let (mut l1, mut acc, mut sq) = ([0.0f64; 4], [0.0f64; 4], [0.0f64; 4]);
    let n = col.len().min(freq.len());
    let (c4, f4) = (col[..n].chunks_exact(4), freq[..n].chunks_exact(4));
    let (cr, fr) = (c4.remainder(), f4.remainder());
    for (c, f) in c4.zip(f4) {
        for j in 0..4 {
            let v = wide(c[j]);
            l1[j] += v.abs();
            acc[j] += v * f[j];
            sq[j] += v * v;
        }
    }
    let total = |a: [f64; 4]| (a[0] + a[1]) + (a[2] + a[3]);
    let (mut l1s, mut accs, mut sqs) = (total(l1), total(acc), total(sq));
    for (&c, &f) in cr.iter().zip(fr) {
        let v = wide(c);
        l1s += v.abs();
        accs += v * f;
        sqs += v * v;
    }
    (l1s, accs, sqs)
}

/// [`centroid_sums`] for float32 magnitudes on AVX2: the same lanes and
/// order as the portable loop (no FMA), which the compiler leaves scalar.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn centroid_sums_f32_avx2(col: &[f32], freq: &[f64]) -> (f64, f64, f64) {
    use std::arch::x86_64::*;
    let n = col.len().min(freq.len());
    let n4 = n / 4 * 4;
    let sign = _mm256_set1_pd(-0.0);
    let (mut l1, mut acc, mut sq) = (
        _mm256_setzero_pd(),
        _mm256_setzero_pd(),
        _mm256_setzero_pd(),
    );
    let mut i = 0;
    while i < n4 {
        // SAFETY: i + 4 <= n bounds both loads.
        let v = _mm256_cvtps_pd(_mm_loadu_ps(col.as_ptr().add(i)));
        l1 = _mm256_add_pd(l1, _mm256_andnot_pd(sign, v));
        acc = _mm256_add_pd(acc, _mm256_mul_pd(v, _mm256_loadu_pd(freq.as_ptr().add(i))));
        sq = _mm256_add_pd(sq, _mm256_mul_pd(v, v));
        i += 4;
    }
    let total = |r: __m256d| {
        let mut a = [0.0f64; 4];
        _mm256_storeu_pd(a.as_mut_ptr(), r);
        (a[0] + a[1]) + (a[2] + a[3])
    };
    let (mut l1s, mut accs, mut sqs) = (total(l1), total(acc), total(sq));
    for k in n4..n {
        let v = col[k] as f64;
        l1s += v.abs();
        accs += v * freq[k];
        sqs += v * v;
    }
    (l1s, accs, sqs)
}

/// `sum x f / sum |x|` from [`centroid_sums`] (an all-zero column gives 0,
/// as librosa's normalisation leaves it unscaled).
#[inline(always)]
pub fn centroid_of_sums<T: Float>(l1: f64, acc: f64) -> f64 {
    acc / if l1 < T::TINY { 1.0 } else { l1 }
}

#[inline(always)]
fn centroid<T: Float>(col: &[T], freq: &[f64]) -> f64 {
    let (l1, acc, _) = centroid_sums(col, freq);
    centroid_of_sums::<T>(l1, acc)
}

fn bandwidth<T: Float>(col: &[T], freq: &[f64], p: f64, norm: bool, c: f64) -> f64 {
    let dev = |f: f64| -> f64 {
        let d = (f - c).abs();
        if p == 2.0 {
            d * d
        } else if p == 1.0 {
            d
        } else {
            d.powf(p)
        }
    };
    let acc: f64 = col.iter().zip(freq).map(|(&s, &f)| wide(s) * dev(f)).sum();
    let acc = if norm { acc / l1_length(col) } else { acc };
    if p == 2.0 {
        acc.sqrt()
    } else if p == 1.0 {
        acc
    } else {
        acc.powf(1.0 / p)
    }
}

/// Rolloff with one running sum: the sums of non-negative values never
/// decrease, so the bins at or past the threshold are a suffix, found by
/// bisection, and their lowest frequency is precomputed.
pub fn rolloff<T: Float>(
    col: &[T],
    freq: &[f64],
    roll_percent: f64,
    single: bool,
    scratch: &mut Scratch,
) -> f64 {
    let mut cum = std::mem::take(&mut scratch.cum);
    cum.clear();
    let mut run = T::zero();
    let mut negative = false;
    cum.extend(col.iter().map(|&v| {
        negative |= v < T::zero();
        run = run + v;
        wide(run)
    }));
    let r = rolloff_from_sums(
        col,
        (&cum, 1, 0),
        run,
        negative,
        freq,
        roll_percent,
        single,
        scratch,
    );
    scratch.cum = cum;
    r
}

/// The rolloff of `col` given its running sums (in `T`, widened; sum `k`
/// at `sums.0[k * sums.1 + sums.2]`), their `total` and whether any value
/// was negative.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn rolloff_from_sums<T: Float>(
    col: &[T],
    sums: (&[f64], usize, usize),
    total: T,
    negative: bool,
    freq: &[f64],
    roll_percent: f64,
    single: bool,
    scratch: &mut Scratch,
) -> f64 {
    if negative || !total.is_finite() || col.len() != freq.len() {
        return rolloff_scan(col, freq, roll_percent, single);
    }
    let (cum, stride, offset) = sums;
    // The sums never decrease: bisect for the first one at the threshold.
    let first_reaching = |below: &dyn Fn(f64) -> bool| {
        let (mut lo, mut hi) = (0, col.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if below(cum[mid * stride + offset]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    };
    let first = if single {
        let thr = T::narrow(roll_percent) * total;
        first_reaching(&|c| T::narrow(c) < thr)
    } else {
        let thr = roll_percent * wide(total);
        first_reaching(&|c| c < thr)
    };
    scratch
        .suffix_min(freq)
        .get(first)
        .copied()
        .unwrap_or(f64::NAN)
}

/// Frames whose rolloff running sums run interleaved: numpy's cumsum is a
/// chain of dependent float additions, so one frame at a time waits on the
/// adder's latency; four independent chains keep it busy.
pub const ROLL_LANES: usize = 4;

/// [`rolloff`] of up to [`ROLL_LANES`] columns at once (`cols[j]` is
/// `n_bins` long), with the same arithmetic per column.
pub fn rolloff_lanes<T: Float>(
    cols: &[&[T]],
    freq: &[f64],
    roll_percent: f64,
    single: bool,
    scratch: &mut Scratch,
    out: &mut [f64],
) {
    #[cfg(target_arch = "x86_64")]
    if crate::dsp::num::simd::has_avx2() {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { rolloff_lanes_avx2(cols, freq, roll_percent, single, scratch, out) };
    }
    rolloff_lanes_impl(cols, freq, roll_percent, single, scratch, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn rolloff_lanes_avx2<T: Float>(
    cols: &[&[T]],
    freq: &[f64],
    roll_percent: f64,
    single: bool,
    scratch: &mut Scratch,
    out: &mut [f64],
) {
    rolloff_lanes_impl(cols, freq, roll_percent, single, scratch, out)
}

#[inline(always)]
fn rolloff_lanes_impl<T: Float>(
    cols: &[&[T]],
    freq: &[f64],
    roll_percent: f64,
    single: bool,
    scratch: &mut Scratch,
    out: &mut [f64],
) {
    let nb = cols.first().map_or(0, |c| c.len());
    if cols.len() != ROLL_LANES || cols.iter().any(|c| c.len() != nb) {
        for (o, col) in out.iter_mut().zip(cols) {
            *o = rolloff(col, freq, roll_percent, single, scratch);
        }
        return;
    }
    let mut lanes = std::mem::take(&mut scratch.cum_lanes);
    lanes.clear();
    lanes.resize(ROLL_LANES * nb, 0.0);
    let mut run = [T::zero(); ROLL_LANES];
    let mut negative = [false; ROLL_LANES];
    for (k, sums) in lanes.chunks_exact_mut(ROLL_LANES).enumerate() {
        for j in 0..ROLL_LANES {
            let v = cols[j][k];
            negative[j] |= v < T::zero();
            run[j] = run[j] + v;
            sums[j] = wide(run[j]);
        }
    }
    for j in 0..ROLL_LANES {
        out[j] = rolloff_from_sums(
            cols[j],
            (&lanes, ROLL_LANES, j),
            run[j],
            negative[j],
            freq,
            roll_percent,
            single,
            scratch,
        );
    }
    scratch.cum_lanes = lanes;
}

/// Rolloff by a plain scan (any values, any `freq`).
fn rolloff_scan<T: Float>(col: &[T], freq: &[f64], roll_percent: f64, single: bool) -> f64 {
    // np.cumsum runs in the input precision, front to back.
    let total = col.iter().fold(T::zero(), |a, &v| a + v);
    let reached = |cum: T| -> bool {
        if single {
            cum >= T::narrow(roll_percent) * total
        } else {
            wide(cum) >= roll_percent * wide(total)
        }
    };
    let mut cum = T::zero();
    let mut best = f64::NAN;
    for (&v, &f) in col.iter().zip(freq) {
        cum = cum + v;
        // nanmin over every bin at or past the threshold (freq need not be sorted).
        if reached(cum) && (best.is_nan() || f < best) {
            best = f;
        }
    }
    best
}

/// numpy's pairwise summation (`pairwise_sum` in loops_utils.h) in `T`.
fn pairwise_sum<T: Float>(a: &[f64]) -> T {
    let n = a.len();
    let t = |v: f64| T::narrow(v);
    if n < 8 {
        a.iter().fold(-T::zero(), |r, &v| r + t(v))
    } else if n <= 128 {
        let mut r = [T::zero(); 8];
        for (rj, &v) in r.iter_mut().zip(a) {
            *rj = t(v);
        }
        let full = n - n % 8;
        for chunk in a[8..full].chunks_exact(8) {
            for (rj, &v) in r.iter_mut().zip(chunk) {
                *rj = *rj + t(v);
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &v in &a[full..] {
            res = res + t(v);
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum::<T>(&a[..n2]) + pairwise_sum::<T>(&a[n2..])
    }
}

/// Sum of values already rounded to `T`, in numpy's order.
fn sum_in<T: Float>(a: &[f64], pairwise: bool) -> T {
    if pairwise {
        pairwise_sum(a)
    } else {
        a.iter().fold(T::zero(), |r, &v| r + T::narrow(v))
    }
}

fn flatness<T: Float>(
    col: &[T],
    amin: f64,
    power: f64,
    pairwise: bool,
    scratch: &mut Scratch,
) -> f64 {
    let amin = T::narrow(amin);
    let pw = T::narrow(power);
    let (values, logs) = (&mut scratch.values, &mut scratch.logs);
    values.clear();
    logs.clear();
    for &s in col {
        let v = if power == 2.0 {
            s * s
        } else if power == 1.0 {
            s
        } else {
            s.powf(pw)
        };
        let v = if v > amin || v.is_nan() { v } else { amin };
        logs.push(wide(v.ln()));
        values.push(wide(v));
    }
    let n = T::narrow(col.len() as f64);
    let gmean = (sum_in::<T>(logs, pairwise) / n).exp();
    let amean = sum_in::<T>(values, pairwise) / n;
    wide(gmean / amean)
}

fn contrast<T: Float>(col: &[T], bands: &[ContrastBand], scratch: &mut Scratch, out: &mut [f64]) {
    let n = bands.len();
    let cmp = |a: &f64, b: &f64| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal);
    for (k, band) in bands.iter().enumerate() {
        let g = &mut scratch.gather;
        g.clear();
        g.extend(band.bins.iter().map(|&b| wide(col[b])));
        let q = band.n_quantile;
        let len = g.len();
        // Only the q smallest and q largest matter: two selections, O(len).
        g.select_nth_unstable_by(q - 1, cmp);
        let valley: f64 = g[..q].iter().sum::<f64>() / q as f64;
        g.select_nth_unstable_by(len - q, cmp);
        let peak: f64 = g[len - q..].iter().sum::<f64>() / q as f64;
        out[k] = wide(T::narrow(peak));
        out[n + k] = wide(T::narrow(valley));
    }
}

fn rms_from_spectrum<T: Float>(col: &[T], frame_length: usize) -> f64 {
    let last = col.len() - 1;
    let mut acc = 0.0f64;
    for (k, &s) in col.iter().enumerate() {
        let v = wide(s);
        let w = if k == 0 || (k == last && frame_length.is_multiple_of(2)) {
            0.5
        } else {
            1.0
        };
        acc += w * v * v;
    }
    (2.0 * acc / (frame_length as f64 * frame_length as f64)).sqrt()
}

/// Compute every descriptor for one magnitude column; `item` is the
/// channel-frame index (for a given centroid), `rows` the output slots.
///
/// Compiled a second time for AVX2 (chosen at run time): the same
/// operations in the same order, on wider registers.
pub fn describe_frame<T: Float>(
    col: &[T],
    freq: &[f64],
    descriptors: &[Descriptor],
    item: usize,
    scratch: &mut Scratch,
    rows: &mut [f64],
) {
    #[cfg(target_arch = "x86_64")]
    if crate::dsp::num::simd::has_avx2() {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { describe_frame_avx2(col, freq, descriptors, item, scratch, rows) };
    }
    describe_frame_impl(col, freq, descriptors, item, scratch, rows)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn describe_frame_avx2<T: Float>(
    col: &[T],
    freq: &[f64],
    descriptors: &[Descriptor],
    item: usize,
    scratch: &mut Scratch,
    rows: &mut [f64],
) {
    describe_frame_impl(col, freq, descriptors, item, scratch, rows)
}

#[inline(always)]
fn describe_frame_impl<T: Float>(
    col: &[T],
    freq: &[f64],
    descriptors: &[Descriptor],
    item: usize,
    scratch: &mut Scratch,
    rows: &mut [f64],
) {
    let mut centroid_cache: Option<f64> = None;
    let mut at = 0;
    for d in descriptors {
        let r = d.rows();
        let slot = &mut rows[at..at + r];
        match d {
            Descriptor::Centroid => {
                let c = *centroid_cache.get_or_insert_with(|| centroid(col, freq));
                slot[0] = c;
            }
            Descriptor::Bandwidth {
                p,
                norm,
                centroid: given,
            } => {
                let c = match given {
                    Some(v) => v[item],
                    None => *centroid_cache.get_or_insert_with(|| centroid(col, freq)),
                };
                slot[0] = bandwidth(col, freq, *p, *norm, c);
            }
            Descriptor::Rolloff {
                roll_percent,
                single,
            } => slot[0] = rolloff(col, freq, *roll_percent, *single, scratch),
            Descriptor::Flatness {
                amin,
                power,
                pairwise,
            } => slot[0] = flatness(col, *amin, *power, *pairwise, scratch),
            Descriptor::Contrast { bands } => contrast(col, bands, scratch, slot),
            Descriptor::Rms { frame_length } => slot[0] = rms_from_spectrum(col, *frame_length),
        }
        at += r;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::feature::convert::fft_frequencies;

    #[test]
    fn interleaved_rolloff_equals_one_frame_at_a_time() {
        let nb = 257;
        let freq: Vec<f64> = (0..nb).map(|k| k as f64 * 43.0).collect();
        let cols: Vec<Vec<f32>> = (0..ROLL_LANES)
            .map(|j| {
                (0..nb)
                    .map(|k| {
                        let v = ((k * 7 + j * 13) % 29) as f32 * 0.37 + 1e-3;
                        if j == 2 && k == 5 {
                            -v // a negative value takes the scan fallback
                        } else {
                            v
                        }
                    })
                    .collect()
            })
            .collect();
        let views: Vec<&[f32]> = cols.iter().map(|c| c.as_slice()).collect();
        for single in [true, false] {
            let mut scratch = Scratch::default();
            let mut got = vec![0.0; ROLL_LANES];
            rolloff_lanes(&views, &freq, 0.85, single, &mut scratch, &mut got);
            for (j, col) in cols.iter().enumerate() {
                let want = rolloff(col, &freq, 0.85, single, &mut Scratch::default());
                assert_eq!(got[j].to_bits(), want.to_bits(), "lane {j}");
            }
            // Fewer columns than lanes go one at a time.
            let mut two = vec![0.0; 2];
            rolloff_lanes(&views[..2], &freq, 0.85, single, &mut scratch, &mut two);
            assert_eq!(two, got[..2].to_vec());
        }
    }

    #[test]
    fn centroid_of_a_single_bin_is_its_frequency() {
        let freq = fft_frequencies(22050.0, 16);
        let mut col = vec![0.0f64; 9];
        col[3] = 2.0;
        assert_eq!(centroid(&col, &freq), freq[3]);
        assert_eq!(bandwidth(&col, &freq, 2.0, true, freq[3]), 0.0);
    }

    #[test]
    fn silence_follows_librosa_conventions() {
        let freq = fft_frequencies(22050.0, 16);
        let col = vec![0.0f32; 9];
        assert_eq!(centroid(&col, &freq), 0.0);
        assert_eq!(bandwidth(&col, &freq, 2.0, true, 0.0), 0.0);
        let mut scratch = Scratch::default();
        assert_eq!(rolloff(&col, &freq, 0.85, true, &mut scratch), 0.0);
        // All bins floored at amin: flat.
        assert!((flatness(&col, 1e-10, 2.0, true, &mut scratch) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn pairwise_sum_is_exact_on_integers() {
        for n in [1usize, 7, 8, 9, 128, 129, 1025] {
            let a: Vec<f64> = (0..n).map(|i| (i % 13) as f64).collect();
            let want: f64 = a.iter().sum();
            assert_eq!(pairwise_sum::<f64>(&a), want);
            assert_eq!(sum_in::<f32>(&a, false) as f64, want);
        }
    }

    #[test]
    fn rolloff_picks_first_bin_reaching_threshold() {
        let freq = [0.0, 10.0, 20.0, 30.0];
        let col = [1.0f64, 1.0, 1.0, 1.0];
        let mut scratch = Scratch::default();
        assert_eq!(rolloff(&col, &freq, 0.5, false, &mut scratch), 10.0);
        assert_eq!(rolloff(&col, &freq, 0.51, false, &mut scratch), 20.0);
    }

    #[test]
    fn rolloff_bisection_matches_scan() {
        let mut scratch = Scratch::default();
        let freq = fft_frequencies(22050.0, 2048);
        let shuffled: Vec<f64> = (0..1025).map(|k| ((k * 389) % 1025) as f64).collect();
        for seed in 0..50usize {
            let col: Vec<f32> = (0..1025)
                .map(|k| {
                    ((k * 7919 + seed * 104729) % 1013) as f32
                        * if k % 97 < seed { 1e-3 } else { 1.0 }
                })
                .collect();
            for rp in [0.01, 0.5, 0.85, 0.99] {
                for single in [false, true] {
                    for f in [&freq, &shuffled] {
                        let got = rolloff(&col, f, rp, single, &mut scratch);
                        assert_eq!(
                            got,
                            rolloff_scan(&col, f, rp, single),
                            "{seed} {rp} {single}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn contrast_takes_quantile_means() {
        let col: Vec<f64> = (0..10).map(|v| v as f64).collect();
        let bands = vec![ContrastBand {
            bins: (0..10).collect(),
            n_quantile: 2,
        }];
        let mut out = [0.0; 2];
        contrast(&col, &bands, &mut Scratch::default(), &mut out);
        assert_eq!(out, [8.5, 0.5]);
    }

    #[test]
    fn frequencies_match_rfftfreq_formula() {
        let f = fft_frequencies(22050.0, 2048);
        assert_eq!(f.len(), 1025);
        assert_eq!(f[1024], 11025.0);
    }
}
