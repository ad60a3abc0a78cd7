//! The inner loop of the CQT: centred rectangular-window frames of one
//! octave, transformed and projected on that octave's filters, in the
//! precision of the signal (f32 for float32 audio, f64 for float64).
//!
//! Two real frames ride in one complex FFT (frame t in the real part, t + 1
//! in the imaginary part) and are separated only on the band of bins the
//! filters read, so each frame costs half a complex FFT and no real-FFT
//! post-processing. Filters are stored densely over their bin span (zeros
//! where sparsification dropped a bin, and up to a multiple of [`PADW`]),
//! which makes the projection a contiguous dot product without a tail.

use crate::dsp::cqt_basis::OctaveBasis;
use crate::dsp::fft::{self, FftFloat};
use crate::dsp::pad::PadMode;
use crate::dsp::parallel;
use crate::dsp::sample::Sample;
use crate::dsp::simd;
use num_complex::Complex;
use rustfft::Fft;
use std::ops::Range;

/// Filter spans are padded with zero weights to a multiple of this.
pub const PADW: usize = 8;

/// One filter: offset of its first bin within the band, weights' real and
/// imaginary parts (length a multiple of [`PADW`]).
pub type Row<F> = (usize, Vec<F>, Vec<F>);

/// The float types the CQT runs in: f32 and f64.
pub trait CqtFloat: FftFloat {
    /// This precision's copy of the basis rows.
    fn rows(b: &DenseBasis) -> &[Row<Self>];
    /// `(sum w a, sum w b)` for complex `w`, `a`, `b` split into real and
    /// imaginary parts; every slice at least as long as `wr`, a multiple of [`PADW`].
    fn complex_dot2(
        wr: &[Self],
        wi: &[Self],
        a: (&[Self], &[Self]),
        b: (&[Self], &[Self]),
    ) -> [Self; 4];
    /// True when every value is finite.
    fn all_finite(x: &[Self]) -> bool;
}

/// Portable [`CqtFloat::complex_dot2`]: [`PADW`] partial sums per part.
#[inline(always)]
fn complex_dot2_lanes<F: FftFloat>(wr: &[F], wi: &[F], a: (&[F], &[F]), b: (&[F], &[F])) -> [F; 4] {
    let zero = <F as Sample>::from_f64(0.0);
    let mut acc = [[zero; PADW]; 4];
    let n = wr.len();
    let chunks = wr
        .chunks_exact(PADW)
        .zip(wi.chunks_exact(PADW))
        .zip(a.0[..n].chunks_exact(PADW).zip(a.1[..n].chunks_exact(PADW)))
        .zip(b.0[..n].chunks_exact(PADW).zip(b.1[..n].chunks_exact(PADW)));
    for (((wr, wi), (ar, ai)), (br, bi)) in chunks {
        for j in 0..PADW {
            acc[0][j] = acc[0][j] + (wr[j] * ar[j] - wi[j] * ai[j]);
            acc[1][j] = acc[1][j] + (wr[j] * ai[j] + wi[j] * ar[j]);
            acc[2][j] = acc[2][j] + (wr[j] * br[j] - wi[j] * bi[j]);
            acc[3][j] = acc[3][j] + (wr[j] * bi[j] + wi[j] * br[j]);
        }
    }
    acc.map(|v| v.iter().fold(zero, |s, &x| s + x))
}

impl CqtFloat for f64 {
    fn rows(b: &DenseBasis) -> &[Row<f64>] {
        &b.rows64
    }
    #[inline(always)]
    fn complex_dot2(wr: &[f64], wi: &[f64], a: (&[f64], &[f64]), b: (&[f64], &[f64])) -> [f64; 4] {
        #[cfg(target_arch = "x86_64")]
        if simd::has_avx2() {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            let (x, y) = unsafe { simd::complex_dot2_avx2(wr, wi, a.0, a.1, b.0, b.1) };
            return [x.0, x.1, y.0, y.1];
        }
        complex_dot2_lanes(wr, wi, a, b)
    }
    fn all_finite(x: &[f64]) -> bool {
        const EXP: u64 = 0x7ff0_0000_0000_0000;
        x.chunks(1024).all(|c| {
            c.iter()
                .fold(0u64, |acc, v| acc | ((v.to_bits() & EXP == EXP) as u64))
                == 0
        })
    }
}

impl CqtFloat for f32 {
    fn rows(b: &DenseBasis) -> &[Row<f32>] {
        &b.rows32
    }
    #[inline(always)]
    fn complex_dot2(wr: &[f32], wi: &[f32], a: (&[f32], &[f32]), b: (&[f32], &[f32])) -> [f32; 4] {
        #[cfg(target_arch = "x86_64")]
        if simd::has_avx2() {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            return unsafe { complex_dot2_f32_avx2(wr, wi, a.0, a.1, b.0, b.1) };
        }
        complex_dot2_lanes(wr, wi, a, b)
    }
    fn all_finite(x: &[f32]) -> bool {
        const EXP: u32 = 0x7f80_0000;
        x.chunks(1024).all(|c| {
            c.iter()
                .fold(0u32, |acc, v| acc | ((v.to_bits() & EXP == EXP) as u32))
                == 0
        })
    }
}

/// [`CqtFloat::complex_dot2`] for f32 with AVX2 and FMA, 8 bins at a time.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn complex_dot2_f32_avx2(
    wr: &[f32],
    wi: &[f32],
    ar: &[f32],
    ai: &[f32],
    br: &[f32],
    bi: &[f32],
) -> [f32; 4] {
    use std::arch::x86_64::*;
    let n = wr.len();
    assert!(n.is_multiple_of(8));
    assert!(wi.len() >= n && ar.len() >= n && ai.len() >= n && br.len() >= n && bi.len() >= n);
    let z = _mm256_setzero_ps();
    let (mut a_re, mut a_im, mut b_re, mut b_im) = (z, z, z, z);
    let mut i = 0;
    // SAFETY (all loads): i + 8 <= n bounds every read (lengths asserted).
    while i < n {
        let w_r = _mm256_loadu_ps(wr.as_ptr().add(i));
        let w_i = _mm256_loadu_ps(wi.as_ptr().add(i));
        let x_r = _mm256_loadu_ps(ar.as_ptr().add(i));
        let x_i = _mm256_loadu_ps(ai.as_ptr().add(i));
        a_re = _mm256_fnmadd_ps(w_i, x_i, _mm256_fmadd_ps(w_r, x_r, a_re));
        a_im = _mm256_fmadd_ps(w_i, x_r, _mm256_fmadd_ps(w_r, x_i, a_im));
        let x_r = _mm256_loadu_ps(br.as_ptr().add(i));
        let x_i = _mm256_loadu_ps(bi.as_ptr().add(i));
        b_re = _mm256_fnmadd_ps(w_i, x_i, _mm256_fmadd_ps(w_r, x_r, b_re));
        b_im = _mm256_fmadd_ps(w_i, x_r, _mm256_fmadd_ps(w_r, x_i, b_im));
        i += 8;
    }
    // [a_re, a_im, b_re, b_im] summed over lanes
    let h = _mm256_hadd_ps(_mm256_hadd_ps(a_re, a_im), _mm256_hadd_ps(b_re, b_im));
    let s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    let mut out = [0.0f32; 4];
    _mm_storeu_ps(out.as_mut_ptr(), s);
    out
}

/// An octave's filters, dense over the bins they read, in f64 and f32.
#[derive(Debug, Clone)]
pub struct DenseBasis {
    pub n_fft: usize,
    /// Bins any filter reads.
    pub band: Range<usize>,
    rows64: Vec<Row<f64>>,
    rows32: Vec<Row<f32>>,
}

impl DenseBasis {
    /// The filters of `b`, row `r` scaled by `scale[r]`.
    pub fn new(b: &OctaveBasis, scale: &[f64]) -> Self {
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
        let rows64: Vec<Row<f64>> = b
            .rows
            .iter()
            .zip(scale)
            .map(|(r, &s)| match (r.bins.first(), r.bins.last()) {
                (Some(&first), Some(&last)) => {
                    let span = (last - first + 1).next_multiple_of(PADW);
                    let (mut wr, mut wi) = (vec![0.0; span], vec![0.0; span]);
                    for (&k, v) in r.bins.iter().zip(&r.weights) {
                        wr[k - first] = v.re * s;
                        wi[k - first] = v.im * s;
                    }
                    (first - lo, wr, wi)
                }
                _ => (0, Vec::new(), Vec::new()),
            })
            .collect();
        let rows32 = rows64
            .iter()
            .map(|(off, wr, wi)| {
                (
                    *off,
                    wr.iter().map(|&v| v as f32).collect(),
                    wi.iter().map(|&v| v as f32).collect(),
                )
            })
            .collect();
        DenseBasis {
            n_fft: b.n_fft,
            band: lo..hi + 1,
            rows64,
            rows32,
        }
    }

    /// Number of filters.
    pub fn n_rows(&self) -> usize {
        self.rows64.len()
    }
}

/// One octave's framing: the signal, its frames and their filters.
struct Frames<'a, F: CqtFloat> {
    basis: &'a DenseBasis,
    rows: &'a [Row<F>],
    sig: &'a [F],
    hop: usize,
    n_frames: usize,
    pad_mode: PadMode,
    fft: &'a dyn Fft<F>,
}

/// Project frames `0..n_frames` (frame t centred on `t * hop` of `sig`, padded
/// with `pad_mode`) on `basis`; `emit(filter, frame, value)` from worker threads.
pub fn project_frames<F, E>(
    basis: &DenseBasis,
    sig: &[F],
    hop: usize,
    n_frames: usize,
    pad_mode: PadMode,
    emit: E,
) where
    F: CqtFloat,
    E: Fn(usize, usize, Complex<F>) + Send + Sync,
{
    let fft = fft::complex_in::<F>(basis.n_fft, false);
    let frames = Frames {
        basis,
        rows: F::rows(basis),
        sig,
        hop,
        n_frames,
        pad_mode,
        fft: &*fft,
    };
    parallel::for_each_range(n_frames.div_ceil(2), 32, |range| {
        #[cfg(target_arch = "x86_64")]
        if simd::has_avx2() {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            return unsafe { project_pairs_avx2(&frames, range, &emit) };
        }
        project_pairs(&frames, range, &emit)
    });
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn project_pairs_avx2<F, E>(f: &Frames<'_, F>, pairs: Range<usize>, emit: &E)
where
    F: CqtFloat,
    E: Fn(usize, usize, Complex<F>),
{
    project_pairs(f, pairs, emit)
}

/// Frame pairs `pairs` (frames 2p and 2p + 1) of [`project_frames`].
#[inline(always)]
fn project_pairs<F, E>(f: &Frames<'_, F>, pairs: Range<usize>, emit: &E)
where
    F: CqtFloat,
    E: Fn(usize, usize, Complex<F>),
{
    let (sig, hop, n_frames) = (f.sig, f.hop, f.n_frames);
    let n_fft = f.basis.n_fft;
    let left = (n_fft / 2) as isize;
    let len = sig.len();
    let zero = <F as Sample>::from_f64(0.0);
    let half = <F as Sample>::from_f64(0.5);
    let read = |t: usize, j: usize| -> F {
        if t >= n_frames {
            return zero;
        }
        let i = (t * hop) as isize - left + j as isize;
        if i >= 0 && (i as usize) < len {
            sig[i as usize]
        } else {
            f.pad_mode.source_index(i, len).map_or(zero, |s| sig[s])
        }
    };
    let mut z = vec![Complex::new(zero, zero); n_fft];
    let mut scratch = vec![Complex::new(zero, zero); f.fft.get_inplace_scratch_len()];
    // Spectra of the two frames, real and imaginary parts apart; the
    // padded rows may read up to PADW bins past the band (zeros).
    let width = f.basis.band.len() + PADW;
    let (mut ar, mut ai) = (vec![zero; width], vec![zero; width]);
    let (mut br, mut bi) = (vec![zero; width], vec![zero; width]);
    for pair in pairs {
        let (t0, t1) = (2 * pair, 2 * pair + 1);
        let s0 = (t0 * hop) as isize - left;
        let s1 = (t1 * hop) as isize - left;
        let inside = |s: isize| s >= 0 && s as usize + n_fft <= len;
        if inside(s0) && (t1 >= n_frames || inside(s1)) {
            let a = &sig[s0 as usize..s0 as usize + n_fft];
            if t1 < n_frames {
                let b = &sig[s1 as usize..s1 as usize + n_fft];
                for ((zj, &x0), &x1) in z.iter_mut().zip(a).zip(b) {
                    *zj = Complex::new(x0, x1);
                }
            } else {
                for (zj, &x0) in z.iter_mut().zip(a) {
                    *zj = Complex::new(x0, zero);
                }
            }
        } else {
            for (j, zj) in z.iter_mut().enumerate() {
                *zj = Complex::new(read(t0, j), read(t1, j));
            }
        }
        f.fft.process_with_scratch(&mut z, &mut scratch);
        separate(
            &z,
            f.basis.band.clone(),
            half,
            (&mut ar, &mut ai),
            (&mut br, &mut bi),
        );
        for (r, (off, wr, wi)) in f.rows.iter().enumerate() {
            let span = *off..*off + wr.len();
            let [are, aim, bre, bim] = F::complex_dot2(
                wr,
                wi,
                (&ar[span.clone()], &ai[span.clone()]),
                (&br[span.clone()], &bi[span]),
            );
            emit(r, t0, Complex::new(are, aim));
            if t1 < n_frames {
                emit(r, t1, Complex::new(bre, bim));
            }
        }
    }
}

/// Z = A + iB with A, B real-signal spectra: over `band`,
/// A[k] = (Z[k] + conj Z[-k]) / 2 and B[k] = (Z[k] - conj Z[-k]) / 2i,
/// split into real and imaginary parts.
#[inline(always)]
fn separate<F: FftFloat>(
    z: &[Complex<F>],
    band: Range<usize>,
    half: F,
    a: (&mut [F], &mut [F]),
    b: (&mut [F], &mut [F]),
) {
    let n = z.len();
    let (ar, ai) = a;
    let (br, bi) = b;
    let mut one = |u: usize, p: Complex<F>, q: Complex<F>| {
        // q is Z[-k], not yet conjugated
        ar[u] = (p.re + q.re) * half;
        ai[u] = (p.im - q.im) * half;
        br[u] = (p.im + q.im) * half;
        bi[u] = (q.re - p.re) * half;
    };
    let mut start = 0;
    if band.start == 0 {
        one(0, z[0], z[0]);
        start = 1;
    }
    for (u, k) in band.clone().enumerate().skip(start) {
        one(u, z[k], z[n - k]);
    }
}
