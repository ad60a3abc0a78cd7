//! Chroma: the STFT-to-chroma filter bank (librosa.filters.chroma, after
//! Ellis' chromagram_E), librosa.util.normalize for one vector, and the
//! per-frame projection used by chroma_stft.

use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::{for_each_range, SharedMut};
use crate::dsp::num::simd;
use crate::error::{DspError, DspResult};

/// librosa.util.normalize's `norm` argument.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Norm {
    /// No normalisation.
    None,
    /// Maximum absolute value.
    Inf,
    /// Minimum absolute value.
    NegInf,
    /// Number of non-zeros.
    Zero,
    /// The l_p norm, p > 0.
    P(f64),
}

impl Norm {
    /// From a float: +-inf, 0 or p > 0 (NaN or negative values refused).
    pub fn from_f64(v: Option<f64>) -> DspResult<Self> {
        Ok(match v {
            None => Norm::None,
            Some(v) if v == f64::INFINITY => Norm::Inf,
            Some(v) if v == f64::NEG_INFINITY => Norm::NegInf,
            Some(0.0) => Norm::Zero,
            Some(v) if v > 0.0 => Norm::P(v),
            Some(v) => {
                return Err(DspError::param(
                    "norm",
                    v,
                    "inf, -inf, 0, a positive number or None",
                ))
            }
        })
    }
}

/// Scale `x` in place as librosa.util.normalize does with `fill=None`:
/// vectors whose norm is below `threshold` are left unchanged.
pub fn normalize(x: &mut [f64], norm: Norm, threshold: f64) {
    let mag = || x.iter().map(|v| v.abs());
    let length = match norm {
        Norm::None => return,
        Norm::Inf => mag().fold(
            f64::NEG_INFINITY,
            |a, v| if v > a || v.is_nan() { v } else { a },
        ),
        Norm::NegInf => mag().fold(
            f64::INFINITY,
            |a, v| if v < a || v.is_nan() { v } else { a },
        ),
        Norm::Zero => mag().filter(|&v| v > 0.0).count() as f64,
        Norm::P(2.0) => mag().map(|v| v * v).sum::<f64>().sqrt(),
        Norm::P(1.0) => mag().sum::<f64>(),
        Norm::P(p) => mag().map(|v| v.powf(p)).sum::<f64>().powf(1.0 / p),
    };
    let length = if length < threshold { 1.0 } else { length };
    for v in x.iter_mut() {
        *v /= length;
    }
}

/// Parameters of the chroma filter bank.
#[derive(Debug, Clone, Copy)]
pub struct ChromaSpec {
    pub sr: f64,
    pub n_fft: usize,
    pub n_chroma: usize,
    pub tuning: f64,
    pub ctroct: f64,
    /// Gaussian octave weighting half-width; `None` for flat weighting.
    pub octwidth: Option<f64>,
    pub norm: Norm,
    pub base_c: bool,
}

/// numpy.remainder for floats: the result takes the divisor's sign.
fn np_remainder(a: f64, b: f64) -> f64 {
    let m = a % b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m + b
        } else {
            m
        }
    } else {
        0.0f64.copysign(b)
    }
}

/// numpy.round (half to even) of a float.
fn round_half_even(x: f64) -> f64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 {
        2.0 * (x / 2.0).round()
    } else {
        r
    }
}

/// The filter bank, `n_chroma x (n_fft / 2 + 1)` row-major, in float64.
pub fn chroma_filter(spec: &ChromaSpec) -> DspResult<Vec<f64>> {
    let ChromaSpec {
        sr,
        n_fft,
        n_chroma,
        tuning,
        ctroct,
        octwidth,
        norm,
        base_c,
    } = *spec;
    if !(sr.is_finite() && sr > 0.0) {
        return Err(DspError::param("sr", sr, "a positive number"));
    }
    if n_fft < 2 {
        return Err(DspError::param("n_fft", n_fft, "an integer >= 2"));
    }
    if n_chroma == 0 {
        return Err(DspError::param("n_chroma", 0, "a positive integer"));
    }
    if !tuning.is_finite() {
        return Err(DspError::param("tuning", tuning, "a finite number"));
    }
    let nc = n_chroma as f64;
    let a440 = 440.0 * 2.0f64.powf(tuning / nc);
    // np.linspace(0, sr, n_fft, endpoint=False)[1:] in octave-bins.
    let step = sr / n_fft as f64;
    let mut frqbins = Vec::with_capacity(n_fft);
    frqbins.push(0.0);
    for k in 1..n_fft {
        let f = k as f64 * step;
        frqbins.push(nc * (f / (a440 / 16.0)).log2());
    }
    // A made-up value for the 0 Hz bin, 1.5 octaves below bin 1.
    frqbins[0] = frqbins[1] - 1.5 * nc;
    let mut binwidth: Vec<f64> = frqbins.windows(2).map(|w| (w[1] - w[0]).max(1.0)).collect();
    binwidth.push(1.0);
    let half = round_half_even(nc / 2.0);
    let n_bins = n_fft / 2 + 1;
    let mut wts = vec![0.0; n_chroma * n_bins];
    let mut column = vec![0.0; n_chroma];
    for k in 0..n_bins {
        for (c, w) in column.iter_mut().enumerate() {
            let d = np_remainder(frqbins[k] - c as f64 + half + 10.0 * nc, nc) - half;
            let z = 2.0 * d / binwidth[k];
            *w = (-0.5 * (z * z)).exp();
        }
        normalize(&mut column, norm, f64::MIN_POSITIVE);
        let oct = match octwidth {
            Some(ow) => {
                let z = (frqbins[k] / nc - ctroct) / ow;
                (-0.5 * (z * z)).exp()
            }
            None => 1.0,
        };
        let roll = if base_c { 3 * (n_chroma / 12) } else { 0 };
        for c in 0..n_chroma {
            // np.roll(wts, -roll, axis=0): row c takes old row c + roll.
            wts[c * n_bins + k] = column[(c + roll) % n_chroma] * oct;
        }
    }
    Ok(wts)
}

/// `a . b` with the same per-lane arithmetic as [`dot_cols`].
fn dot(a: &[f64], b: &[f64]) -> f64 {
    dot_cols::<1>(a, b)[0]
}

/// Project one power column onto the filter bank and normalise: the chroma
/// vector rounded to `T` before normalising, as librosa's float32 einsum is.
pub fn chroma_frame<T: Float>(col: &[f64], fb: &[f64], norm: Norm, out: &mut [f64]) {
    let nb = col.len();
    for (c, o) in out.iter_mut().enumerate() {
        *o = T::narrow(dot(&fb[c * nb..(c + 1) * nb], col)).wide();
    }
    normalize(out, norm, T::TINY);
}

/// Chroma of a frame-major power spectrogram (`channels x frames x bins`)
/// into `out` (`channel x chroma x frame`).
pub fn chroma_from_frames<T: Float>(
    frames: &[T],
    n_channels: usize,
    fb: &[f64],
    n_chroma: usize,
    norm: Norm,
    out: &mut [T],
) -> DspResult<()> {
    if n_chroma == 0 || !fb.len().is_multiple_of(n_chroma) || fb.is_empty() {
        return Err(DspError::shape(
            "chroma filter bank",
            format!("{n_chroma} rows"),
            fb.len(),
        ));
    }
    let nb = fb.len() / n_chroma;
    if n_channels == 0 || frames.is_empty() || !frames.len().is_multiple_of(n_channels * nb) {
        return Err(DspError::shape(
            "spectrogram",
            format!("{n_channels} channels of {nb} bins"),
            frames.len(),
        ));
    }
    let nf = frames.len() / (n_channels * nb);
    if out.len() != n_channels * n_chroma * nf {
        return Err(DspError::shape(
            "chroma output",
            n_channels * n_chroma * nf,
            out.len(),
        ));
    }
    let dst = SharedMut::new(out);
    for_each_range(n_channels * nf, 64, |range| {
        let mut cols = vec![0.0f64; GROUP * nb];
        let mut chroma = vec![[0.0f64; GROUP]; n_chroma];
        let mut one = vec![0.0f64; n_chroma];
        let (start, end) = (range.start, range.end);
        for g0 in (start..end).step_by(GROUP) {
            let g = GROUP.min(end - g0);
            for (i, col) in cols.chunks_exact_mut(nb).take(g).enumerate() {
                let item = g0 + i;
                for (d, s) in col.iter_mut().zip(&frames[item * nb..(item + 1) * nb]) {
                    *d = s.wide();
                }
            }
            if g == GROUP {
                // One pass over each bank row serves GROUP frames (the bank
                // does not fit in L1); every frame's sum keeps dot's order.
                for (k, ch) in chroma.iter_mut().enumerate() {
                    *ch = dot_cols::<GROUP>(&fb[k * nb..(k + 1) * nb], &cols);
                }
            }
            for i in 0..g {
                let item = g0 + i;
                let (c, t) = (item / nf, item % nf);
                if g == GROUP {
                    for (o, ch) in one.iter_mut().zip(&chroma) {
                        *o = T::narrow(ch[i]).wide();
                    }
                    normalize(&mut one, norm, T::TINY);
                } else {
                    chroma_frame::<T>(&cols[i * nb..(i + 1) * nb], fb, norm, &mut one);
                }
                for (k, v) in one.iter().enumerate() {
                    // SAFETY: (c, k, t) is written by this item only.
                    unsafe { dst.write((c * n_chroma + k) * nf + t, T::narrow(*v)) };
                }
            }
        }
    });
    Ok(())
}

/// Frames projected together by [`chroma_from_frames`].
const GROUP: usize = 4;

/// `a . cols[g]` for each of the `G` columns in `cols` (each `a.len()`
/// long), loading `a` once for all of them. Four fused multiply-add lanes
/// per column, reduced as `(l0 + l1) + (l2 + l3)`, then the tail in order:
/// the same operations for every column whatever `G`, and the same bits
/// with AVX2 or without (`f64::mul_add` is the same fused operation).
fn dot_cols<const G: usize>(a: &[f64], cols: &[f64]) -> [f64; G] {
    assert!(cols.len() >= G * a.len());
    #[cfg(target_arch = "x86_64")]
    if simd::has_avx2() {
        // SAFETY: the CPU supports AVX2 and FMA; lengths checked above.
        return unsafe { dot_cols_avx2::<G>(a, cols) };
    }
    let nb = a.len();
    let full = nb - nb % 4;
    let mut acc = [[0.0f64; 4]; G];
    for i in (0..full).step_by(4) {
        for (g, lanes) in acc.iter_mut().enumerate() {
            for (j, l) in lanes.iter_mut().enumerate() {
                *l = a[i + j].mul_add(cols[g * nb + i + j], *l);
            }
        }
    }
    let mut out = [0.0f64; G];
    for (g, o) in out.iter_mut().enumerate() {
        let l = acc[g];
        *o = finish(
            (l[0] + l[1]) + (l[2] + l[3]),
            &a[full..],
            &cols[g * nb + full..(g + 1) * nb],
        );
    }
    out
}

/// Add the tail products in order to the reduced lanes.
#[inline(always)]
fn finish(mut sum: f64, a: &[f64], b: &[f64]) -> f64 {
    for (x, y) in a.iter().zip(b) {
        sum = x.mul_add(*y, sum);
    }
    sum
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_cols_avx2<const G: usize>(a: &[f64], cols: &[f64]) -> [f64; G] {
    use std::arch::x86_64::*;
    let nb = a.len();
    let full = nb - nb % 4;
    let (pa, pc) = (a.as_ptr(), cols.as_ptr());
    let mut acc = [_mm256_setzero_pd(); G];
    let mut i = 0;
    // SAFETY (all loads): i + 4 <= full <= nb, and cols holds G * nb values.
    while i < full {
        let w = _mm256_loadu_pd(pa.add(i));
        for (g, v) in acc.iter_mut().enumerate() {
            *v = _mm256_fmadd_pd(w, _mm256_loadu_pd(pc.add(g * nb + i)), *v);
        }
        i += 4;
    }
    let mut out = [0.0f64; G];
    for (g, o) in out.iter_mut().enumerate() {
        let mut l = [0.0f64; 4];
        _mm256_storeu_pd(l.as_mut_ptr(), acc[g]);
        *o = finish(
            (l[0] + l[1]) + (l[2] + l[3]),
            &a[full..],
            &cols[g * nb + full..(g + 1) * nb],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_projection_equals_single_frames() {
        let (nb, n_chroma, nf) = (37usize, 12usize, 11usize);
        let fb: Vec<f64> = (0..nb * n_chroma)
            .map(|i| ((i * 31) % 17) as f64 / 7.0)
            .collect();
        let frames: Vec<f32> = (0..nb * nf)
            .map(|i| ((i * 7919) % 101) as f32 / 3.0)
            .collect();
        let mut out = vec![0.0f32; n_chroma * nf];
        chroma_from_frames(&frames, 1, &fb, n_chroma, Norm::Inf, &mut out).unwrap();
        for t in 0..nf {
            let col: Vec<f64> = frames[t * nb..(t + 1) * nb]
                .iter()
                .map(|&v| v as f64)
                .collect();
            let mut want = vec![0.0f64; n_chroma];
            chroma_frame::<f32>(&col, &fb, Norm::Inf, &mut want);
            for k in 0..n_chroma {
                assert_eq!(out[k * nf + t], want[k] as f32, "{t} {k}");
            }
        }
    }

    fn spec(n_chroma: usize, base_c: bool) -> ChromaSpec {
        ChromaSpec {
            sr: 22050.0,
            n_fft: 2048,
            n_chroma,
            tuning: 0.0,
            ctroct: 5.0,
            octwidth: Some(2.0),
            norm: Norm::P(2.0),
            base_c,
        }
    }

    #[test]
    fn a440_bin_peaks_in_the_a_row() {
        let fb = chroma_filter(&spec(12, true)).unwrap();
        let nb = 1025;
        // Bin 41 is 441.4 Hz: its strongest chroma row is A (index 9 from C).
        let best = (0..12)
            .max_by(|&a, &b| fb[a * nb + 41].partial_cmp(&fb[b * nb + 41]).unwrap())
            .unwrap();
        assert_eq!(best, 9);
        let fb_a = chroma_filter(&spec(12, false)).unwrap();
        assert_eq!(fb_a[41], fb[9 * nb + 41]);
    }

    #[test]
    fn normalize_matches_definitions() {
        let mut x = vec![3.0, -4.0];
        normalize(&mut x, Norm::P(2.0), f64::MIN_POSITIVE);
        assert_eq!(x, vec![0.6, -0.8]);
        let mut z = vec![0.0, 0.0];
        normalize(&mut z, Norm::Inf, f64::MIN_POSITIVE);
        assert_eq!(z, vec![0.0, 0.0]);
        let mut y = vec![1.0, 0.0, 2.0];
        normalize(&mut y, Norm::Zero, f64::MIN_POSITIVE);
        assert_eq!(y, vec![0.5, 0.0, 1.0]);
        assert!(Norm::from_f64(Some(-1.0)).is_err());
    }

    #[test]
    fn numpy_rounding_helpers() {
        assert_eq!(round_half_even(2.5), 2.0);
        assert_eq!(round_half_even(3.5), 4.0);
        assert_eq!(round_half_even(6.0), 6.0);
        assert_eq!(np_remainder(-1.0, 12.0), 11.0);
        assert_eq!(np_remainder(25.0, 12.0), 1.0);
    }
}
