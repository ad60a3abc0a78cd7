//! The constant-Q / variable-Q filter basis of one octave, in the frequency
//! domain and sparsified: librosa's `filters.wavelet` + `__vqt_filter_fft`
//! + `util.sparsify_rows`, computed in f64.

use crate::dsp::spectrum::window::{get_window, WindowKind};
use crate::error::{DspError, DspResult};
use num_complex::Complex;
use rustfft::FftPlanner;
use std::f64::consts::PI;

/// How each time-domain filter is normalised (librosa.util.normalize).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Norm {
    None,
    /// `sum(|x|^p)^(1/p)`; p = 1 and p = 2 are the common cases.
    P(f64),
    /// `max |x|`.
    Inf,
}

impl Norm {
    /// From librosa's `norm` argument (None is passed as NaN).
    pub fn from_f64(p: f64) -> DspResult<Self> {
        if p.is_nan() {
            Ok(Norm::None)
        } else if p == f64::INFINITY {
            Ok(Norm::Inf)
        } else if p > 0.0 && p.is_finite() {
            Ok(Norm::P(p))
        } else {
            Err(DspError::param("norm", p, "None, inf or a positive number"))
        }
    }

    fn length(&self, x: &[Complex<f64>]) -> f64 {
        match *self {
            Norm::None => 1.0,
            Norm::Inf => x.iter().map(|c| c.norm()).fold(0.0, f64::max),
            Norm::P(1.0) => x.iter().map(|c| c.norm()).sum(),
            Norm::P(2.0) => x.iter().map(|c| c.norm_sqr()).sum::<f64>().sqrt(),
            Norm::P(p) => x
                .iter()
                .map(|c| c.norm().powf(p))
                .sum::<f64>()
                .powf(1.0 / p),
        }
    }
}

/// One filter's non-zero FFT bins.
#[derive(Debug, Clone)]
pub struct SparseRow {
    pub bins: Vec<usize>,
    pub weights: Vec<Complex<f64>>,
}

/// An octave's filters as sparse rows over the `n_fft / 2 + 1` STFT bins.
#[derive(Debug, Clone)]
pub struct OctaveBasis {
    pub n_fft: usize,
    pub rows: Vec<SparseRow>,
}

impl OctaveBasis {
    /// The highest kept FFT bin over all filters.
    pub fn max_bin(&self) -> usize {
        self.rows
            .iter()
            .flat_map(|r| r.bins.iter().copied())
            .max()
            .unwrap_or(0)
    }
}

/// One windowed, normalised complex exponential (librosa `filters.wavelet`).
fn filter(freq: f64, ilen: f64, sr: f64, window: WindowKind, norm: Norm) -> Vec<Complex<f64>> {
    // np.arange(-ilen // 2, ilen // 2, dtype=float)
    let start = (-ilen / 2.0).floor();
    let stop = (ilen / 2.0).floor();
    let count = (stop - start).max(0.0) as usize;
    let win = get_window(window, count, true);
    let mut sig: Vec<Complex<f64>> = (0..count)
        .map(|k| {
            let angle = (start + k as f64) * 2.0 * PI * freq / sr;
            Complex::new(angle.cos(), angle.sin()) * win[k]
        })
        .collect();
    let len = norm.length(&sig);
    // librosa leaves (near-)zero vectors alone rather than dividing by zero.
    if len >= f64::MIN_POSITIVE {
        sig.iter_mut().for_each(|v| *v /= len);
    }
    sig
}

/// Keep the largest bins holding `1 - quantile` of the row's L1 mass
/// (librosa.util.sparsify_rows).
fn sparsify(row: &[Complex<f64>], quantile: f64) -> SparseRow {
    let mags: Vec<f64> = row.iter().map(|c| c.norm()).collect();
    let total: f64 = mags.iter().sum();
    let mut sorted = mags.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let mut acc = 0.0;
    let mut j = 0;
    for (i, m) in sorted.iter().enumerate() {
        acc += m / total;
        if acc >= quantile {
            j = i;
            break;
        }
    }
    let threshold = sorted[j];
    let (bins, weights) = row
        .iter()
        .enumerate()
        .filter(|(k, _)| mags[*k] >= threshold)
        .map(|(k, v)| (k, *v))
        .unzip();
    SparseRow { bins, weights }
}

/// The frequency-domain basis for `freqs` at sampling rate `sr`, with filter
/// lengths `lengths` (in samples at `sr`), scaled by `gain`.
pub fn octave_basis(
    sr: f64,
    freqs: &[f64],
    lengths: &[f64],
    window: WindowKind,
    norm: Norm,
    sparsity: f64,
    gain: f64,
) -> DspResult<OctaveBasis> {
    if freqs.is_empty() || freqs.len() != lengths.len() {
        return Err(DspError::shape("lengths", freqs.len(), lengths.len()));
    }
    if !(0.0..1.0).contains(&sparsity) {
        return Err(DspError::param("sparsity", sparsity, "0 <= sparsity < 1"));
    }
    let max_len = lengths.iter().cloned().fold(0.0, f64::max);
    if !(1.0..1e8).contains(&max_len) {
        return Err(DspError::param(
            "filter length",
            max_len,
            "between 1 and 1e8 samples",
        ));
    }
    let n_fft = 1usize << (max_len.log2().ceil() as u32);
    let fft = FftPlanner::<f64>::new().plan_fft_forward(n_fft);
    let mut rows = Vec::with_capacity(freqs.len());
    for (&f, &ilen) in freqs.iter().zip(lengths) {
        let sig = filter(f, ilen, sr, window, norm);
        let mut buf = vec![Complex::new(0.0, 0.0); n_fft];
        let lpad = (n_fft - sig.len().min(n_fft)) / 2;
        // re-normalise with respect to the FFT length, as librosa does
        let scale = ilen / n_fft as f64 * gain;
        for (b, v) in buf[lpad..].iter_mut().zip(&sig) {
            *b = v * scale;
        }
        fft.process(&mut buf);
        buf.truncate(n_fft / 2 + 1);
        rows.push(sparsify(&buf, sparsity));
    }
    Ok(OctaveBasis { n_fft, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparsify_keeps_heavy_bins() {
        let row: Vec<Complex<f64>> = [0.001, 5.0, 0.002, 3.0, 0.5]
            .iter()
            .map(|&v| Complex::new(v, 0.0))
            .collect();
        let s = sparsify(&row, 0.01);
        assert_eq!(s.bins, vec![1, 3, 4]);
        let all = sparsify(&row, 0.0);
        assert_eq!(all.bins.len(), 5);
    }

    #[test]
    fn filter_is_l1_normalised_and_centred() {
        let f = filter(440.0, 100.5, 22050.0, WindowKind::Hann, Norm::P(1.0));
        assert_eq!(f.len(), 101); // floor(50.25) - floor(-50.25)
        let s: f64 = f.iter().map(|c| c.norm()).sum();
        assert!((s - 1.0).abs() < 1e-12);
    }

    #[test]
    fn basis_peaks_at_filter_frequency() {
        let sr = 22050.0;
        let freqs = [1000.0, 2000.0];
        let lengths = [300.0, 150.0];
        let b = octave_basis(
            sr,
            &freqs,
            &lengths,
            WindowKind::Hann,
            Norm::P(1.0),
            0.01,
            1.0,
        )
        .unwrap();
        assert_eq!(b.n_fft, 512);
        for (row, f) in b.rows.iter().zip(freqs) {
            let (k, _) = row
                .bins
                .iter()
                .zip(&row.weights)
                .max_by(|a, b| a.1.norm().total_cmp(&b.1.norm()))
                .unwrap();
            let fk = *k as f64 * sr / 512.0;
            assert!((fk - f).abs() <= sr / 512.0, "{fk} vs {f}");
        }
    }
}
