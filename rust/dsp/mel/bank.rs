//! Mel filter banks (librosa.filters.mel), stored sparsely.
//!
//! Each mel filter is a triangle over a contiguous run of FFT bins, so a row
//! is kept as `(first bin, weights)` and applying the bank to a power
//! spectrum costs about two multiply-adds per bin instead of `n_mels` per bin
//! for the dense matrix product librosa performs.
//!
//! librosa builds the weights in float64 and stores them in the requested
//! dtype (float32 by default) *before* normalising, and normalises with
//! float64 arithmetic into that dtype again. [`Precision::F32`] reproduces
//! both roundings, which is what makes float64 mel spectrograms agree with
//! librosa's to 1e-9: librosa applies the float32 bank even to float64 audio.

use crate::dsp::feature::convert::{fft_frequencies, mel_frequencies};
use crate::dsp::num::simd;
use crate::error::{DspError, DspResult};

/// How each filter is scaled after the triangles are built.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MelNorm {
    /// Peak 1 triangles.
    None,
    /// Divide by the band width in Hz, `2 / (f[i+2] - f[i])` (area normalisation).
    Slaney,
    /// Unit l_p norm per row, as librosa.util.normalize with `norm = p`:
    /// `p > 0`, `0` (count of non-zeros), `inf` (max) or `-inf` (min).
    Lp(f64),
}

/// The storage precision whose rounding the weights reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Round to f32 where librosa stores into a float32 array (its default).
    F32,
    /// Keep f64 throughout (librosa with `dtype=np.float64`).
    F64,
}

impl Precision {
    #[inline]
    fn round(self, v: f64) -> f64 {
        match self {
            Precision::F32 => v as f32 as f64,
            Precision::F64 => v,
        }
    }

    /// The smallest positive normal number of the storage type
    /// (librosa.util.tiny), below which a row is left unnormalised.
    fn tiny(self) -> f64 {
        match self {
            Precision::F32 => f32::MIN_POSITIVE as f64,
            Precision::F64 => f64::MIN_POSITIVE,
        }
    }
}

/// Everything that determines a mel filter bank.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MelParams {
    pub sr: f64,
    pub n_fft: usize,
    pub n_mels: usize,
    pub fmin: f64,
    /// Upper edge in Hz; librosa's `None` is `sr / 2`.
    pub fmax: f64,
    pub htk: bool,
    pub norm: MelNorm,
    pub precision: Precision,
}

/// One filter: `weights[j]` applies to FFT bin `start + j`.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    start: usize,
    weights: Vec<f64>,
}

/// A mel filter bank of shape `(n_mels, n_fft / 2 + 1)`, stored sparsely.
///
/// Stable API for fused kernels: build once (per parameter set), share
/// behind an `Arc`, call [`MelBank::apply`] per frame.
#[derive(Debug, Clone, PartialEq)]
pub struct MelBank {
    n_bins: usize,
    rows: Vec<Row>,
    /// The rows widened with zero weights to a multiple of the vector
    /// width (inside the bin range), so no row has a scalar tail.
    padded: Vec<Row>,
    /// The rows in f32, widened to a multiple of 8 where the bin range
    /// allows, for [`MelBank::apply_f32`].
    padded32: Vec<(usize, Vec<f32>)>,
    /// Smallest bin any filter touches and one past the largest.
    bin_lo: usize,
    bin_hi: usize,
    has_empty: bool,
}

impl MelBank {
    /// Build the bank from its parameters, computing the band edges with
    /// [`mel_frequencies`].
    pub fn new(p: &MelParams) -> DspResult<Self> {
        check_params(p.sr, p.n_fft, p.n_mels)?;
        if !p.fmin.is_finite() || p.fmin < 0.0 {
            return Err(DspError::param("fmin", p.fmin, "a finite frequency >= 0"));
        }
        if !p.fmax.is_finite() || p.fmax <= p.fmin {
            return Err(DspError::param(
                "fmax",
                p.fmax,
                format!("a finite frequency above fmin={}", p.fmin),
            ));
        }
        let mel_f = mel_frequencies(p.n_mels + 2, p.fmin, p.fmax, p.htk);
        Self::from_mel_frequencies(p.sr, p.n_fft, &mel_f, p.norm, p.precision)
    }

    /// Build the bank from its `n_mels + 2` band edges in Hz (as returned by
    /// `mel_frequencies(n_mels + 2, ...)`); filter `i` rises from `mel_f[i]`,
    /// peaks at `mel_f[i + 1]` and falls to zero at `mel_f[i + 2]`.
    pub fn from_mel_frequencies(
        sr: f64,
        n_fft: usize,
        mel_f: &[f64],
        norm: MelNorm,
        precision: Precision,
    ) -> DspResult<Self> {
        if mel_f.len() < 3 {
            return Err(DspError::param(
                "n_mels",
                mel_f.len() as i64 - 2,
                "a positive integer",
            ));
        }
        let n_mels = mel_f.len() - 2;
        check_params(sr, n_fft, n_mels)?;
        if let MelNorm::Lp(p) = norm {
            if !(p >= 0.0 || p == f64::NEG_INFINITY) {
                return Err(DspError::param(
                    "norm",
                    p,
                    "'slaney', None, inf, -inf, 0 or p > 0",
                ));
            }
        }
        if mel_f.iter().any(|f| !f.is_finite()) || mel_f.windows(2).any(|w| w[1] <= w[0]) {
            return Err(DspError::param(
                "mel_f",
                "(non-increasing)",
                "strictly increasing finite band edges (fmax must exceed fmin)",
            ));
        }
        let fftfreqs = fft_frequencies(sr, n_fft);
        let n_bins = fftfreqs.len();
        let mut dense = vec![0.0f64; n_bins];
        let mut rows = Vec::with_capacity(n_mels);
        let mut has_empty = false;
        for i in 0..n_mels {
            let (lo, d_lo) = (mel_f[i], mel_f[i + 1] - mel_f[i]);
            let (hi, d_hi) = (mel_f[i + 2], mel_f[i + 2] - mel_f[i + 1]);
            for (w, &f) in dense.iter_mut().zip(&fftfreqs) {
                // Same operations as librosa: -(lo - f) / d_lo and (hi - f) / d_hi.
                let lower = -(lo - f) / d_lo;
                let upper = (hi - f) / d_hi;
                *w = precision.round(0f64.max(lower.min(upper)));
            }
            normalise(&mut dense, i, mel_f, norm, precision);
            let first = dense.iter().position(|&w| w != 0.0);
            let row = match first {
                Some(s) => {
                    let e = n_bins - dense.iter().rev().position(|&w| w != 0.0).unwrap_or(0);
                    Row {
                        start: s,
                        weights: dense[s..e].to_vec(),
                    }
                }
                None => Row {
                    start: 0,
                    weights: Vec::new(),
                },
            };
            // librosa only reports empty filters whose lower edge is not 0 Hz.
            let peak = row.weights.iter().cloned().fold(0.0f64, f64::max);
            if !(mel_f[i] == 0.0 || peak > 0.0) {
                has_empty = true;
            }
            rows.push(row);
        }
        let bin_lo = rows
            .iter()
            .filter(|r| !r.weights.is_empty())
            .map(|r| r.start)
            .min()
            .unwrap_or(0);
        let bin_hi = rows
            .iter()
            .map(|r| r.start + r.weights.len())
            .max()
            .unwrap_or(0)
            .max(bin_lo);
        let padded = rows
            .iter()
            .map(|r| pad_row(r, bin_lo, bin_hi, simd::PAD))
            .collect();
        let padded32 = rows
            .iter()
            .map(|r| {
                let p = pad_row(r, bin_lo, bin_hi, 2 * simd::PAD);
                (p.start, p.weights.iter().map(|&w| w as f32).collect())
            })
            .collect();
        Ok(MelBank {
            n_bins,
            rows,
            padded,
            padded32,
            bin_lo,
            bin_hi,
            has_empty,
        })
    }

    /// Number of filters.
    pub fn n_mels(&self) -> usize {
        self.rows.len()
    }

    /// Number of FFT bins, `n_fft / 2 + 1`.
    pub fn n_bins(&self) -> usize {
        self.n_bins
    }

    /// The bins `lo..hi` any filter touches: a power spectrum is only read
    /// there, so callers may leave the rest uncomputed.
    pub fn bin_range(&self) -> std::ops::Range<usize> {
        self.bin_lo..self.bin_hi
    }

    /// True when some filter with a positive lower edge is all zeros
    /// (librosa warns "Empty filters detected in mel frequency basis").
    pub fn has_empty_filters(&self) -> bool {
        self.has_empty
    }

    /// `out[m] = sum_k W[m, k] * power[k]` for one frame.
    ///
    /// `power` has `n_bins` values (only [`MelBank::bin_range`] is read),
    /// `out` has `n_mels`.
    #[inline]
    pub fn apply(&self, power: &[f64], out: &mut [f64]) {
        debug_assert!(power.len() >= self.bin_hi && out.len() == self.rows.len());
        let rows = self.padded.iter().map(|r| (r.start, r.weights.as_slice()));
        simd::dot_rows(rows, power, out);
    }

    /// [`MelBank::apply`] on an f32 power spectrum with f32 weights and
    /// sums, as librosa computes float32 input.
    #[inline]
    pub fn apply_f32(&self, power: &[f32], out: &mut [f32]) {
        debug_assert!(power.len() >= self.bin_hi && out.len() == self.rows.len());
        let rows = self.padded32.iter().map(|(s, w)| (*s, w.as_slice()));
        simd::dot_rows_f32(rows, power, out);
    }

    /// The largest weight of each filter, in f32 (the float32-FFT error
    /// estimates of [`crate::dsp::mel::mel_guard`] and [`crate::dsp::mel::mfcc_guard`]).
    pub fn row_peaks_f32(&self) -> Vec<f32> {
        self.rows
            .iter()
            .map(|r| r.weights.iter().cloned().fold(0.0, f64::max) as f32)
            .collect()
    }

    /// Visit the non-zero run of filter `m`: `(first bin, weights)`.
    pub fn row(&self, m: usize) -> (usize, &[f64]) {
        let r = &self.rows[m];
        (r.start, &r.weights)
    }

    /// The dense `(n_mels, n_bins)` matrix, row-major.
    pub fn to_dense(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.rows.len() * self.n_bins];
        for (m, r) in self.rows.iter().enumerate() {
            let base = m * self.n_bins + r.start;
            out[base..base + r.weights.len()].copy_from_slice(&r.weights);
        }
        out
    }
}

/// `row` with zero weights added after (then before) it, staying inside
/// `lo..hi`, until its length is a multiple of [`simd::PAD`].
fn pad_row(row: &Row, lo: usize, hi: usize, width: usize) -> Row {
    if row.weights.is_empty() {
        return row.clone();
    }
    let (mut start, mut end) = (row.start, row.start + row.weights.len());
    while !(end - start).is_multiple_of(width) && end < hi {
        end += 1;
    }
    while !(end - start).is_multiple_of(width) && start > lo {
        start -= 1;
    }
    let mut weights = vec![0.0; end - start];
    let offset = row.start - start;
    weights[offset..offset + row.weights.len()].copy_from_slice(&row.weights);
    Row { start, weights }
}

fn check_params(sr: f64, n_fft: usize, n_mels: usize) -> DspResult<()> {
    if !sr.is_finite() || sr <= 0.0 {
        return Err(DspError::param("sr", sr, "a finite sampling rate > 0"));
    }
    if n_fft == 0 {
        return Err(DspError::param("n_fft", 0, "a positive integer"));
    }
    if n_mels == 0 {
        return Err(DspError::param("n_mels", 0, "a positive integer"));
    }
    Ok(())
}

/// Scale one dense row in place as librosa does for `norm`.
fn normalise(row: &mut [f64], i: usize, mel_f: &[f64], norm: MelNorm, precision: Precision) {
    let length = match norm {
        MelNorm::None => return,
        MelNorm::Slaney => {
            let enorm = 2.0 / (mel_f[i + 2] - mel_f[i]);
            for w in row.iter_mut() {
                *w = precision.round(*w * enorm);
            }
            return;
        }
        MelNorm::Lp(p) if p == f64::INFINITY => row.iter().map(|w| w.abs()).fold(0.0, f64::max),
        MelNorm::Lp(p) if p == f64::NEG_INFINITY => {
            row.iter().map(|w| w.abs()).fold(f64::INFINITY, f64::min)
        }
        MelNorm::Lp(0.0) => row.iter().filter(|w| **w != 0.0).count() as f64,
        MelNorm::Lp(1.0) => row.iter().map(|w| w.abs()).sum(),
        MelNorm::Lp(2.0) => row.iter().map(|w| w * w).sum::<f64>().sqrt(),
        MelNorm::Lp(p) => row
            .iter()
            .map(|w| w.abs().powf(p))
            .sum::<f64>()
            .powf(1.0 / p),
    };
    // Rows whose norm is below the type's tiny are left as they are.
    let length = if length < precision.tiny() {
        1.0
    } else {
        length
    };
    for w in row.iter_mut() {
        *w = precision.round(*w / length);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(norm: MelNorm, htk: bool) -> MelParams {
        MelParams {
            sr: 22050.0,
            n_fft: 2048,
            n_mels: 128,
            fmin: 0.0,
            fmax: 11025.0,
            htk,
            norm,
            precision: Precision::F64,
        }
    }

    #[test]
    fn unnormalised_triangles_peak_at_one_and_overlap_to_one() {
        // Without normalisation each interior bin lies on two adjacent
        // triangles whose weights sum to 1 (a partition of unity).
        let bank = MelBank::new(&params(MelNorm::None, true)).unwrap();
        let dense = bank.to_dense();
        let nb = bank.n_bins();
        for m in 0..bank.n_mels() {
            let peak = dense[m * nb..(m + 1) * nb]
                .iter()
                .cloned()
                .fold(0.0, f64::max);
            assert!(peak <= 1.0 + 1e-12 && peak > 0.3, "row {m} peak {peak}");
        }
        let fft_f = fft_frequencies(22050.0, 2048);
        let mel_f = mel_frequencies(130, 0.0, 11025.0, true);
        for k in 0..nb {
            if fft_f[k] > mel_f[1] && fft_f[k] < mel_f[128] {
                let s: f64 = (0..bank.n_mels()).map(|m| dense[m * nb + k]).sum();
                assert!((s - 1.0).abs() < 1e-9, "bin {k} sum {s}");
            }
        }
    }

    #[test]
    fn slaney_rows_have_constant_area() {
        // Area normalisation: sum of weights * bin width is ~1 for wide bands.
        let bank = MelBank::new(&params(MelNorm::Slaney, false)).unwrap();
        let df = 22050.0 / 2048.0;
        for m in 40..bank.n_mels() {
            let (_, w) = bank.row(m);
            let area: f64 = w.iter().sum::<f64>() * df;
            assert!((area - 1.0).abs() < 0.05, "row {m} area {area}");
        }
    }

    #[test]
    fn lp_norms_are_unit() {
        for p in [1.0, 2.0, 3.0, f64::INFINITY] {
            let bank = MelBank::new(&params(MelNorm::Lp(p), false)).unwrap();
            for m in 10..bank.n_mels() {
                let (_, w) = bank.row(m);
                let n = if p.is_infinite() {
                    w.iter().cloned().fold(0.0, f64::max)
                } else {
                    w.iter().map(|v| v.powf(p)).sum::<f64>().powf(1.0 / p)
                };
                assert!((n - 1.0).abs() < 1e-12, "p={p} row {m} norm {n}");
            }
        }
    }

    #[test]
    fn sparse_apply_matches_dense_product() {
        let bank = MelBank::new(&MelParams {
            n_fft: 1023,
            n_mels: 40,
            fmin: 50.0,
            fmax: 7000.0,
            ..params(MelNorm::Slaney, false)
        })
        .unwrap();
        let nb = bank.n_bins();
        let power: Vec<f64> = (0..nb).map(|k| ((k * 37 % 101) as f64).sqrt()).collect();
        let mut out = vec![0.0; 40];
        bank.apply(&power, &mut out);
        let dense = bank.to_dense();
        for m in 0..40 {
            let expect: f64 = (0..nb).map(|k| dense[m * nb + k] * power[k]).sum();
            assert!((out[m] - expect).abs() <= 1e-12 * expect.abs().max(1.0));
        }
        let r = bank.bin_range();
        assert!(r.start > 0 && r.end < nb);
    }

    #[test]
    fn f32_precision_rounds_weights() {
        let bank = MelBank::new(&MelParams {
            precision: Precision::F32,
            ..params(MelNorm::Slaney, false)
        })
        .unwrap();
        for m in 0..bank.n_mels() {
            let (_, w) = bank.row(m);
            assert!(w.iter().all(|&v| v as f32 as f64 == v));
        }
    }

    #[test]
    fn empty_filters_are_flagged() {
        let bank = MelBank::new(&MelParams {
            n_fft: 256,
            n_mels: 128,
            ..params(MelNorm::Slaney, false)
        })
        .unwrap();
        assert!(bank.has_empty_filters());
        assert!(!MelBank::new(&params(MelNorm::Slaney, false))
            .unwrap()
            .has_empty_filters());
    }

    #[test]
    fn rejects_bad_parameters() {
        let base = params(MelNorm::Slaney, false);
        assert!(MelBank::new(&MelParams { n_mels: 0, ..base }).is_err());
        assert!(MelBank::new(&MelParams { sr: 0.0, ..base }).is_err());
        assert!(MelBank::new(&MelParams { n_fft: 0, ..base }).is_err());
        assert!(MelBank::new(&MelParams { fmin: -1.0, ..base }).is_err());
        assert!(MelBank::new(&MelParams { fmax: 0.0, ..base }).is_err());
        assert!(MelBank::new(&MelParams {
            norm: MelNorm::Lp(-2.0),
            ..base
        })
        .is_err());
        assert!(MelBank::from_mel_frequencies(
            22050.0,
            2048,
            &[0.0, 1.0],
            MelNorm::None,
            Precision::F64
        )
        .is_err());
    }
}
