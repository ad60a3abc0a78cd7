//! Pitch tracking on spectral peaks (librosa.piptrack) one frame at a time.
//!
//! A bin is a peak when it is a local maximum of `S * (S > ref)`, lies in
//! `[fmin, fmax)`, and its parabolic-interpolation shift refines the pitch
//! and magnitude. Arithmetic follows librosa's precision step by step
//! (numba's float32 stencil, numpy's float32 gradient) so the peak set and
//! the values feeding `estimate_tuning`'s median match librosa's.

use crate::dsp::num::float::{wide, Float};
use crate::dsp::num::parallel::for_each_range;
use crate::dsp::num::simd;
use crate::dsp::spectral::fft_frequencies;
use crate::error::{DspError, DspResult};
use std::sync::Mutex;

/// How the per-frame magnitude threshold is chosen.
#[derive(Debug, Clone, Copy)]
pub enum PipRef {
    /// `threshold * max(S[:, t])`, computed in the input precision.
    MaxTimes(f64),
    /// One absolute value for every frame (compared in float64).
    Fixed(f64),
}

/// piptrack's parameters.
#[derive(Debug, Clone)]
pub struct PipConfig {
    pub sr: f64,
    pub n_fft: usize,
    pub fmin: f64,
    pub fmax: f64,
    pub reference: PipRef,
    /// Bins `first..last` satisfy `fmin <= f < fmax` (after clipping
    /// fmin >= 0, fmax <= sr/2); FFT frequencies increase, so they are
    /// contiguous.
    first: usize,
    last: usize,
    n_bins: usize,
}

impl PipConfig {
    /// Resolve the frequency mask for `n_bins = n_fft / 2 + 1` bins.
    pub fn new(sr: f64, n_fft: usize, fmin: f64, fmax: f64, reference: PipRef) -> DspResult<Self> {
        if !(sr.is_finite() && sr > 0.0) {
            return Err(DspError::param("sr", sr, "a positive number"));
        }
        if n_fft == 0 {
            return Err(DspError::param("n_fft", 0, "a positive integer"));
        }
        let fmin = fmin.max(0.0);
        let fmax = fmax.min(sr / 2.0);
        let freqs = fft_frequencies(sr, n_fft);
        let inside = |f: f64| fmin <= f && f < fmax;
        let first = freqs.iter().position(|&f| inside(f)).unwrap_or(freqs.len());
        let last = freqs
            .iter()
            .rposition(|&f| inside(f))
            .map_or(first, |k| k + 1);
        Ok(PipConfig {
            sr,
            n_fft,
            fmin,
            fmax,
            reference,
            first,
            last,
            n_bins: freqs.len(),
        })
    }

    /// Number of bins this configuration expects.
    pub fn n_bins(&self) -> usize {
        self.n_bins
    }
}

/// numba's parabolic shift at interior bin `i` (0 when the vertex is more
/// than one bin away). The stencil mixes float32 sums with integer
/// constants, which numba evaluates in float64.
#[inline]
fn parabolic_shift<T: Float>(s: &[T], i: usize) -> T {
    let (l, c, r) = (s[i - 1], s[i], s[i + 1]);
    let a = wide(r + l) - 2.0 * wide(c);
    let b = (r - l).wide() / 2.0;
    if b.abs() >= a.abs() {
        T::zero()
    } else {
        T::narrow(-b / a)
    }
}

/// np.gradient along bins at `i`, in the input precision.
#[inline]
fn gradient<T: Float>(s: &[T], i: usize) -> T {
    let n = s.len();
    if i == 0 {
        s[1] - s[0]
    } else if i == n - 1 {
        s[n - 1] - s[n - 2]
    } else {
        (s[i + 1] - s[i - 1]) / T::narrow(2.0)
    }
}

/// The largest value, or NaN when there is one (np.max), kept in eight
/// independent lanes so the scan does not wait on one chain of compares.
#[inline]
fn nan_max<T: Float>(s: &[T]) -> T {
    let pick = |a: T, v: T| if v > a || v.is_nan() { v } else { a };
    let mut acc = [T::neg_infinity(); 8];
    let chunks = s.chunks_exact(8);
    let tail = chunks.remainder();
    for c in chunks {
        for j in 0..8 {
            acc[j] = pick(acc[j], c[j]);
        }
    }
    let m = tail.iter().fold(T::neg_infinity(), |a, &v| pick(a, v));
    acc.iter().fold(m, |a, &v| pick(a, v))
}

/// Visit every peak of one frame: `visit(bin, pitch, magnitude)`.
pub fn frame_peaks<T: Float>(s: &[T], cfg: &PipConfig, visit: impl FnMut(usize, T, T)) {
    if s.len() < 2 {
        return;
    }
    // S > ref as librosa compares: in T for a max-based reference, in f64
    // for a fixed one. Monomorphised per case: this runs for every bin.
    match cfg.reference {
        PipRef::MaxTimes(thr) => {
            #[cfg(target_arch = "x86_64")]
            if let (Some(s32), true) = (T::as_f32(s), simd::has_avx2()) {
                // SAFETY: T is f32 (so T::narrow / wide round-trip through
                // f32); the CPU supports AVX2.
                let r = thr as f32 * unsafe { nan_max_f32_avx2(s32) };
                return scan_masked(
                    s,
                    cfg,
                    |i0, len| unsafe { peak_mask_f32_avx2(s32, i0, len, r) },
                    visit,
                );
            }
            let m = nan_max(s);
            let r = T::narrow(thr) * m;
            scan(s, cfg, |v: T| v > r, visit)
        }
        PipRef::Fixed(r) => {
            let r = r.abs();
            scan(s, cfg, |v: T| wide(v) > r, visit)
        }
    }
}

fn scan<T: Float>(
    s: &[T],
    cfg: &PipConfig,
    above: impl Fn(T) -> bool,
    visit: impl FnMut(usize, T, T),
) {
    let n = s.len();
    let x = |i: usize| -> T {
        if above(s[i]) {
            s[i]
        } else {
            T::zero()
        }
    };
    // Local maxima are found 64 bins at a time into a bit mask without
    // data-dependent branches (noise-like spectra make a branch per bin
    // mispredict half the time), then the peaks are visited bit by bit.
    let mask = |i0: usize, len: usize| {
        let mut mask = 0u64;
        for j in 0..len {
            let i = i0 + j;
            let (prev, cur) = (x(i - 1), x(i));
            // util.localmax: x[i] > x[i-1] and x[i] >= x[i+1]; the last bin
            // only needs x[-1] > x[-2].
            let right = i + 1 == n || cur >= x((i + 1).min(n - 1));
            mask |= u64::from((cur > prev) & right) << j;
        }
        mask
    };
    scan_masked(s, cfg, mask, visit)
}

/// Visit the peaks of `s` inside the frequency mask, given `mask(i0, len)`:
/// bit `j` set when bin `i0 + j` is a local maximum of the thresholded
/// spectrum (`1 <= i0`, `len <= 64`, `i0 + len <= s.len()`).
fn scan_masked<T: Float>(
    s: &[T],
    cfg: &PipConfig,
    mask: impl Fn(usize, usize) -> u64,
    mut visit: impl FnMut(usize, T, T),
) {
    let n = s.len();
    let scale = cfg.sr / cfg.n_fft as f64;
    let half = T::narrow(0.5);
    // Only bins inside [fmin, fmax) can be reported (bin 0 never is).
    let (lo, hi) = (cfg.first.max(1), cfg.last.min(n));
    if lo >= hi {
        return;
    }
    let mut i0 = lo;
    while i0 < hi {
        let len = (hi - i0).min(64);
        let mut mask = mask(i0, len);
        while mask != 0 {
            let i = i0 + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let shift = if i + 1 < n {
                parabolic_shift(s, i)
            } else {
                T::zero()
            };
            let pitch = T::narrow((i as f64 + wide(shift)) * scale);
            let dskew = half * gradient(s, i) * shift;
            visit(i, pitch, s[i] + dskew);
        }
        i0 += len;
    }
}

/// [`nan_max`] of float32 values on AVX2 (NaN when any value is NaN).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn nan_max_f32_avx2(s: &[f32]) -> f32 {
    use std::arch::x86_64::*;
    let n = s.len();
    let full = n / 32 * 32;
    // Four accumulators so the maxima do not wait on one another.
    let mut m = [_mm256_set1_ps(f32::NEG_INFINITY); 4];
    let mut nan = _mm256_setzero_ps();
    let mut i = 0;
    while i < full {
        for (q, mq) in m.iter_mut().enumerate() {
            // SAFETY: i + 32 <= n.
            let v = _mm256_loadu_ps(s.as_ptr().add(i + 8 * q));
            *mq = _mm256_max_ps(*mq, v);
            nan = _mm256_or_ps(nan, _mm256_cmp_ps::<_CMP_UNORD_Q>(v, v));
        }
        i += 32;
    }
    let m = _mm256_max_ps(_mm256_max_ps(m[0], m[1]), _mm256_max_ps(m[2], m[3]));
    if _mm256_movemask_ps(nan) != 0 {
        return f32::NAN;
    }
    let mut lanes = [0.0f32; 8];
    _mm256_storeu_ps(lanes.as_mut_ptr(), m);
    let tail = nan_max(&s[full..]);
    if tail.is_nan() {
        return f32::NAN;
    }
    lanes.iter().fold(tail, |a, &v| if v > a { v } else { a })
}

/// The local-maximum mask of [`scan`] for float32 `s` thresholded at `r`
/// (`x = s` where `s > r`, else 0), eight bins per step.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn peak_mask_f32_avx2(s: &[f32], i0: usize, len: usize, r: f32) -> u64 {
    use std::arch::x86_64::*;
    let n = s.len();
    let rv = _mm256_set1_ps(r);
    let x = |v: __m256| _mm256_and_ps(v, _mm256_cmp_ps::<_CMP_GT_OQ>(v, rv));
    let mut mask = 0u64;
    let mut j = 0;
    // Vector steps need bins i - 1 ..= i + 8 inside the slice.
    while j + 8 <= len && i0 + j + 9 <= n {
        // SAFETY: i0 >= 1 and i0 + j + 9 <= n bound the three loads.
        let p = s.as_ptr().add(i0 + j);
        let (prev, cur, next) = (
            x(_mm256_loadu_ps(p.sub(1))),
            x(_mm256_loadu_ps(p)),
            x(_mm256_loadu_ps(p.add(1))),
        );
        let peak = _mm256_and_ps(
            _mm256_cmp_ps::<_CMP_GT_OQ>(cur, prev),
            _mm256_cmp_ps::<_CMP_GE_OQ>(cur, next),
        );
        mask |= (_mm256_movemask_ps(peak) as u32 as u64) << j;
        j += 8;
    }
    let xs = |i: usize| if s[i] > r { s[i] } else { 0.0 };
    for j in j..len {
        let i = i0 + j;
        let (prev, cur) = (xs(i - 1), xs(i));
        let right = i + 1 == n || cur >= xs((i + 1).min(n - 1));
        mask |= u64::from((cur > prev) & right) << j;
    }
    mask
}

/// Frames whose peaks one task collects.
const FRAMES_PER_TASK: usize = 64;

/// Peaks of a frame-major spectrogram (`items x n_bins`): pitches and
/// magnitudes of every peak, frame by frame (in frame order whatever the
/// thread count).
pub fn all_peaks<T: Float>(frames: &[T], cfg: &PipConfig) -> DspResult<(Vec<T>, Vec<T>)> {
    let nb = cfg.n_bins();
    if !frames.len().is_multiple_of(nb) {
        return Err(DspError::shape(
            "spectrogram",
            format!("a multiple of {nb} bins"),
            frames.len(),
        ));
    }
    let n_items = frames.len() / nb;
    let n_blocks = n_items.div_ceil(FRAMES_PER_TASK);
    let blocks: Vec<Mutex<(Vec<T>, Vec<T>)>> = (0..n_blocks).map(|_| Mutex::default()).collect();
    for_each_range(n_blocks, 1, |range| {
        for b in range {
            let (mut p, mut m) = (Vec::new(), Vec::new());
            let end = ((b + 1) * FRAMES_PER_TASK).min(n_items);
            for item in b * FRAMES_PER_TASK..end {
                frame_peaks(&frames[item * nb..(item + 1) * nb], cfg, |_, pi, mi| {
                    p.push(pi);
                    m.push(mi);
                });
            }
            *blocks[b].lock().unwrap_or_else(|e| e.into_inner()) = (p, m);
        }
    });
    let mut pitches = Vec::new();
    let mut mags = Vec::new();
    for block in blocks {
        let (p, m) = block.into_inner().unwrap_or_else(|e| e.into_inner());
        pitches.extend(p);
        mags.extend(m);
    }
    Ok((pitches, mags))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_interpolated_peak_of_a_parabola() {
        let sr = 8000.0;
        let n_fft = 64;
        let cfg = PipConfig::new(sr, n_fft, 0.0, 4000.0, PipRef::MaxTimes(0.1)).unwrap();
        // A parabola with its vertex at bin 10.25.
        let s: Vec<f64> = (0..33)
            .map(|k| (100.0 - (k as f64 - 10.25).powi(2)).max(0.0))
            .collect();
        let mut found = vec![];
        frame_peaks(&s, &cfg, |i, p, m| found.push((i, p, m)));
        assert_eq!(found.len(), 1);
        let (i, p, m) = found[0];
        assert_eq!(i, 10);
        assert!((p - 10.25 * sr / n_fft as f64).abs() < 1e-9);
        assert!(m > s[10]);
    }

    #[test]
    fn respects_frequency_mask_and_threshold() {
        let cfg = PipConfig::new(8000.0, 64, 1000.0, 2000.0, PipRef::MaxTimes(0.5)).unwrap();
        let mut s = vec![0.0f32; 33];
        s[4] = 10.0; // 500 Hz: outside the mask
        s[12] = 4.0; // below half the max
        s[14] = 6.0; // kept
        let mut bins = vec![];
        frame_peaks(&s, &cfg, |i, _, _| bins.push(i));
        assert_eq!(bins, vec![14]);
    }

    #[test]
    fn vector_peak_search_matches_the_portable_one() {
        let cfg = PipConfig::new(22050.0, 2048, 150.0, 4000.0, PipRef::MaxTimes(0.1)).unwrap();
        let mut state = 99u64;
        for case in 0..40 {
            let s: Vec<f32> = (0..1025)
                .map(|k| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let r = (state >> 40) as f32 / (1u64 << 24) as f32;
                    // Plateaus, exact ties and values at the threshold.
                    let v = if case % 3 == 0 {
                        (r * 8.0).floor()
                    } else {
                        r * r * 100.0
                    };
                    if k % 97 == 5 && case % 2 == 1 {
                        1000.0
                    } else {
                        v
                    }
                })
                .collect();
            let mut got = vec![];
            frame_peaks(&s, &cfg, |i, p, m| got.push((i, p, m)));
            let r = 0.1f32 * nan_max(&s);
            let mut want = vec![];
            scan(&s, &cfg, |v: f32| v > r, |i, p, m| want.push((i, p, m)));
            assert_eq!(got, want, "case {case}");
        }
        let mut s = vec![1.0f32; 1025];
        s[400] = f32::NAN;
        let mut got = vec![];
        frame_peaks(&s, &cfg, |i, p, m| got.push((i, p, m)));
        assert!(got.is_empty());
    }
}
