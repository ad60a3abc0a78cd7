//! The inner loop of the CQT: centred rectangular-window frames of one
//! octave, transformed and projected on that octave's filters.
//!
//! Two real frames ride in one complex FFT (frame t in the real part, t + 1
//! in the imaginary part) and are separated only on the band of bins the
//! filters read, so each frame costs half a complex FFT and no real-FFT
//! post-processing. Filters are stored densely over their bin span (zeros
//! where sparsification dropped a bin), which makes the projection a
//! contiguous dot product.

use crate::dsp::cqt_basis::OctaveBasis;
use crate::dsp::fft::{self, FftFloat};
use crate::dsp::pad::PadMode;
use crate::dsp::parallel;
use crate::dsp::sample::Sample;
use crate::dsp::simd;
use num_complex::Complex;
use std::ops::Range;

/// An octave's filters, dense over the bins they read.
#[derive(Debug, Clone)]
pub struct DenseBasis {
    pub n_fft: usize,
    /// Bins any filter reads.
    pub band: Range<usize>,
    /// Per filter: offset of its first bin within `band`, and its weights.
    pub rows: Vec<(usize, Vec<Complex<f64>>)>,
    /// The same weights split into real and imaginary parts, for the
    /// vectorised projection.
    split: Vec<(usize, Vec<f64>, Vec<f64>)>,
}

impl DenseBasis {
    pub fn new(b: &OctaveBasis) -> Self {
        let lo = b
            .rows
            .iter()
            .filter_map(|r| r.bins.first().copied())
            .min()
            .unwrap_or(0);
        let hi = b
            .rows
            .iter()
            .filter_map(|r| r.bins.last().copied())
            .max()
            .unwrap_or(0);
        let rows: Vec<(usize, Vec<Complex<f64>>)> = b
            .rows
            .iter()
            .map(|r| match (r.bins.first(), r.bins.last()) {
                (Some(&first), Some(&last)) => {
                    let mut w = vec![Complex::new(0.0, 0.0); last - first + 1];
                    for (&k, v) in r.bins.iter().zip(&r.weights) {
                        w[k - first] = *v;
                    }
                    (first - lo, w)
                }
                _ => (0, Vec::new()),
            })
            .collect();
        let split = rows
            .iter()
            .map(|(off, w)| {
                (
                    *off,
                    w.iter().map(|c| c.re).collect(),
                    w.iter().map(|c| c.im).collect(),
                )
            })
            .collect();
        DenseBasis {
            n_fft: b.n_fft,
            band: lo..hi + 1,
            rows,
            split,
        }
    }
}

/// `sum_j w[j] * x[j]` for `x` = `a` and `b` (complex values split into
/// real and imaginary parts, all as long as `wr`).
#[inline]
fn complex_dot2(
    wr: &[f64],
    wi: &[f64],
    a: (&[f64], &[f64]),
    b: (&[f64], &[f64]),
) -> (Complex<f64>, Complex<f64>) {
    #[cfg(target_arch = "x86_64")]
    if simd::has_avx2() {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        let (x, y) = unsafe { simd::complex_dot2_avx2(wr, wi, a.0, a.1, b.0, b.1) };
        return (Complex::new(x.0, x.1), Complex::new(y.0, y.1));
    }
    let one = |xr: &[f64], xi: &[f64]| {
        Complex::new(
            simd::dot(wr, xr) - simd::dot(wi, xi),
            simd::dot(wr, xi) + simd::dot(wi, xr),
        )
    };
    (one(a.0, a.1), one(b.0, b.1))
}

#[inline]
fn widen<F: Sample>(c: Complex<F>) -> Complex<f64> {
    Complex::new(c.re.to_f64(), c.im.to_f64())
}

/// Project frames `0..n_frames` (frame t centred on `t * hop` of `sig`, padded
/// with `pad_mode`) on `basis`; `emit(filter, frame, value)` from worker threads.
pub fn project_frames<F, E>(
    basis: &DenseBasis,
    sig: &[f64],
    hop: usize,
    n_frames: usize,
    pad_mode: PadMode,
    emit: E,
) where
    F: FftFloat,
    E: Fn(usize, usize, Complex<f64>) + Send + Sync,
{
    let n_fft = basis.n_fft;
    let left = (n_fft / 2) as isize;
    let len = sig.len();
    let fft = fft::complex_in::<F>(n_fft, false);
    let n_pairs = n_frames.div_ceil(2);
    let read = |t: usize, j: usize| -> f64 {
        if t >= n_frames {
            return 0.0;
        }
        let i = (t * hop) as isize - left + j as isize;
        if i >= 0 && (i as usize) < len {
            sig[i as usize]
        } else {
            pad_mode.source_index(i, len).map_or(0.0, |s| sig[s])
        }
    };
    parallel::for_each_range(n_pairs, 32, |range| {
        let zero = Complex::new(<F as Sample>::from_f64(0.0), <F as Sample>::from_f64(0.0));
        let mut z = vec![zero; n_fft];
        let mut scratch = vec![zero; fft.get_inplace_scratch_len()];
        let width = basis.band.len();
        // Spectra of the two frames, real and imaginary parts apart.
        let (mut ar, mut ai) = (vec![0.0f64; width], vec![0.0f64; width]);
        let (mut br, mut bi) = (vec![0.0f64; width], vec![0.0f64; width]);
        for pair in range {
            let (t0, t1) = (2 * pair, 2 * pair + 1);
            let s0 = (t0 * hop) as isize - left;
            let s1 = (t1 * hop) as isize - left;
            let inside = |s: isize| s >= 0 && s as usize + n_fft <= len;
            if inside(s0) && (t1 >= n_frames || inside(s1)) {
                let a = &sig[s0 as usize..s0 as usize + n_fft];
                if t1 < n_frames {
                    let b = &sig[s1 as usize..s1 as usize + n_fft];
                    for ((zj, &x0), &x1) in z.iter_mut().zip(a).zip(b) {
                        *zj =
                            Complex::new(<F as Sample>::from_f64(x0), <F as Sample>::from_f64(x1));
                    }
                } else {
                    for (zj, &x0) in z.iter_mut().zip(a) {
                        *zj =
                            Complex::new(<F as Sample>::from_f64(x0), <F as Sample>::from_f64(0.0));
                    }
                }
            } else {
                for (j, zj) in z.iter_mut().enumerate() {
                    *zj = Complex::new(
                        <F as Sample>::from_f64(read(t0, j)),
                        <F as Sample>::from_f64(read(t1, j)),
                    );
                }
            }
            fft.process_with_scratch(&mut z, &mut scratch);
            // Z = A + iB with A, B real-signal spectra: A[k] = (Z[k] + conj Z[-k]) / 2,
            // B[k] = (Z[k] - conj Z[-k]) / 2i.
            for (u, k) in basis.band.clone().enumerate() {
                let p = widen(z[k]);
                let q = widen(z[if k == 0 { 0 } else { n_fft - k }]).conj();
                let (s, d) = (p + q, p - q);
                (ar[u], ai[u]) = (s.re * 0.5, s.im * 0.5);
                (br[u], bi[u]) = (d.im * 0.5, -d.re * 0.5);
            }
            for (r, (off, wr, wi)) in basis.split.iter().enumerate() {
                let span = *off..*off + wr.len();
                let (a, b) = complex_dot2(
                    wr,
                    wi,
                    (&ar[span.clone()], &ai[span.clone()]),
                    (&br[span.clone()], &bi[span]),
                );
                emit(r, t0, a);
                if t1 < n_frames {
                    emit(r, t1, b);
                }
            }
        }
    });
}
