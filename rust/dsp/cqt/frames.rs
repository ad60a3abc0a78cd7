//! The inner loop of the CQT: centred rectangular-window frames of one
//! octave, transformed and projected on that octave's filters, in the
//! precision of the signal (f32 for float32 audio, f64 for float64).
//!
//! Two real frames ride in one complex FFT (frame t in the real part, t + 1
//! in the imaginary part) and are separated only on the band of bins the
//! filters read, so each frame costs half a complex FFT and no real-FFT
//! post-processing. The spectra of [`BLOCK`] consecutive frames are kept
//! side by side (frame in the fastest axis), and each filter, stored
//! densely over its bin span, is applied to all of them at once: a weight
//! times a vector of frames, no horizontal sums, and each row's values for
//! the block come out contiguous in time, as the output is laid out.

use crate::dsp::cqt::basis::OctaveBasis;
use crate::dsp::num::float::{Float, PerFloat};
use crate::dsp::num::parallel;
#[cfg(target_arch = "x86_64")]
use crate::dsp::num::simd;
use crate::dsp::spectrum::fft;
use crate::dsp::spectrum::pad::PadMode;
use num_complex::Complex;
use rustfft::Fft;
use std::ops::Range;

/// Frames projected together (two AVX2 registers of f32 per part).
pub const BLOCK: usize = 16;

/// One filter: offset of its first bin within the band, and its weights'
/// real and imaginary parts over its span.
pub type Row<F> = (usize, Vec<F>, Vec<F>);

/// The basis rows in each precision, for [`Float::pick`].
impl PerFloat for DenseBasis {
    type Of<F: Float> = [Row<F>];
    fn for_f32(&self) -> &[Row<f32>] {
        &self.rows32
    }
    fn for_f64(&self) -> &[Row<f64>] {
        &self.rows64
    }
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
                    let span = last - first + 1;
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
}

/// One octave's framing: the signal, its frames and their filters.
struct Frames<'a, F: Float> {
    basis: &'a DenseBasis,
    rows: &'a [Row<F>],
    sig: &'a [F],
    hop: usize,
    n_frames: usize,
    pad_mode: PadMode,
    fft: &'a dyn Fft<F>,
}

/// Project frames `0..n_frames` (frame t centred on `t * hop` of `sig`,
/// padded with `pad_mode`) on `basis`. `emit(filter, t, re, im)` receives
/// that filter's values for frames `t..t + re.len()`, from worker threads.
pub fn project_frames<F, E>(
    basis: &DenseBasis,
    sig: &[F],
    hop: usize,
    n_frames: usize,
    pad_mode: PadMode,
    emit: E,
) where
    F: Float,
    E: Fn(usize, usize, &[F], &[F]) + Send + Sync,
{
    let fft = fft::complex_in::<F>(basis.n_fft, false);
    let frames = Frames {
        basis,
        rows: F::pick(basis),
        sig,
        hop,
        n_frames,
        pad_mode,
        fft: &*fft,
    };
    // Work is split into whole blocks of frames.
    let n_blocks = n_frames.div_ceil(BLOCK);
    parallel::for_each_range(n_blocks, 4, |blocks| {
        #[cfg(target_arch = "x86_64")]
        if simd::has_avx2() {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            return unsafe { project_blocks_avx2(&frames, blocks, &emit) };
        }
        project_blocks::<F, E, false>(&frames, blocks, &emit)
    });
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn project_blocks_avx2<F, E>(f: &Frames<'_, F>, blocks: Range<usize>, emit: &E)
where
    F: Float,
    E: Fn(usize, usize, &[F], &[F]),
{
    project_blocks::<F, E, true>(f, blocks, emit)
}

/// Blocks `blocks` of [`BLOCK`] frames of [`project_frames`] (`FMA`: fuse
/// multiply-adds, for builds with FMA).
#[inline(always)]
fn project_blocks<F, E, const FMA: bool>(f: &Frames<'_, F>, blocks: Range<usize>, emit: &E)
where
    F: Float,
    E: Fn(usize, usize, &[F], &[F]),
{
    let (sig, hop, n_frames) = (f.sig, f.hop, f.n_frames);
    let n_fft = f.basis.n_fft;
    let left = (n_fft / 2) as isize;
    let len = sig.len();
    let zero = F::narrow(0.0);
    let half = F::narrow(0.5);
    // Frame t into the real (`im` false) or imaginary parts of `z`, for
    // frames that reach past an end of the signal.
    let fill_edge = |z: &mut [Complex<F>], t: usize, im: bool| {
        let put = |c: &mut Complex<F>, v: F| {
            if im {
                c.im = v
            } else {
                c.re = v
            }
        };
        if t >= n_frames {
            z.iter_mut().for_each(|c| put(c, zero));
            return;
        }
        let s = (t * hop) as isize - left;
        let padded = |i: isize| f.pad_mode.source_index(i, len).map_or(zero, |k| sig[k]);
        // z[lo..hi] lies inside the signal
        let lo = (-s).clamp(0, n_fft as isize) as usize;
        let hi = (len as isize - s).clamp(lo as isize, n_fft as isize) as usize;
        for (j, c) in z[..lo].iter_mut().enumerate() {
            put(c, padded(s + j as isize));
        }
        if hi > lo {
            let inner = &sig[(s + lo as isize) as usize..(s + hi as isize) as usize];
            for (c, &v) in z[lo..hi].iter_mut().zip(inner) {
                put(c, v);
            }
        }
        for (j, c) in z[hi..].iter_mut().enumerate() {
            put(c, padded(s + (hi + j) as isize));
        }
    };
    let mut z = vec![Complex::new(zero, zero); n_fft];
    let mut scratch = vec![Complex::new(zero, zero); f.fft.get_inplace_scratch_len()];
    // Spectra of a block of frames over the band: bin u, frame l at u * BLOCK + l.
    let width = f.basis.band.len();
    let (mut xr, mut xi) = (vec![zero; width * BLOCK], vec![zero; width * BLOCK]);
    for block in blocks {
        let first = block * BLOCK;
        let count = BLOCK.min(n_frames - first);
        for l in (0..count).step_by(2) {
            let (t0, t1) = (first + l, first + l + 1);
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
                fill_edge(&mut z, t0, false);
                fill_edge(&mut z, t1, true);
            }
            f.fft.process_with_scratch(&mut z, &mut scratch);
            separate(&z, f.basis.band.clone(), half, l, &mut xr, &mut xi);
        }
        for (r, (off, wr, wi)) in f.rows.iter().enumerate() {
            let span = off * BLOCK..(off + wr.len()) * BLOCK;
            let (re, im) = row_block::<F, FMA>(wr, wi, &xr[span.clone()], &xi[span], zero);
            emit(r, first, &re[..count], &im[..count]);
        }
    }
}

/// One filter applied to a block: `sum_u w[u] * x[u]` for every frame,
/// with `x[u]` the block's values at the filter's `u`-th bin.
#[inline(always)]
fn row_block<F: Float, const FMA: bool>(
    wr: &[F],
    wi: &[F],
    xr: &[F],
    xi: &[F],
    zero: F,
) -> ([F; BLOCK], [F; BLOCK]) {
    let (mut re, mut im) = ([zero; BLOCK], [zero; BLOCK]);
    let bins = xr.chunks_exact(BLOCK).zip(xi.chunks_exact(BLOCK));
    for ((&a, &b), (pr, pi)) in wr.iter().zip(wi).zip(bins) {
        for l in 0..BLOCK {
            if FMA {
                re[l] = a.mul_add(pr[l], (-b).mul_add(pi[l], re[l]));
                im[l] = a.mul_add(pi[l], b.mul_add(pr[l], im[l]));
            } else {
                re[l] = re[l] + (a * pr[l] - b * pi[l]);
                im[l] = im[l] + (a * pi[l] + b * pr[l]);
            }
        }
    }
    (re, im)
}

/// Z = A + iB with A, B the spectra of two real frames: over `band`,
/// A[k] = (Z[k] + conj Z[-k]) / 2 and B[k] = (Z[k] - conj Z[-k]) / 2i,
/// stored as frames `l` and `l + 1` of the block (`x[u * BLOCK + l]`).
#[inline(always)]
fn separate<F: Float>(
    z: &[Complex<F>],
    band: Range<usize>,
    half: F,
    l: usize,
    xr: &mut [F],
    xi: &mut [F],
) {
    let n = z.len();
    let one = |x: (&mut [F], &mut [F]), p: Complex<F>, q: Complex<F>| {
        // q is Z[-k], not yet conjugated: (A.re, B.re) = (p + q) / 2,
        // (A.im, B.im) = (d.im, -d.re) / 2 with d = p - q.
        let (s, d) = (p + q, p - q);
        let (xr, xi): (&mut [F; 2], &mut [F; 2]) = (
            (&mut x.0[..2]).try_into().expect("two frames"),
            (&mut x.1[..2]).try_into().expect("two frames"),
        );
        *xr = [s.re * half, s.im * half];
        *xi = [d.im * half, -d.re * half];
    };
    // Frames l and l + 1 of every bin of the band, in bin order.
    let mut cols = xr[l..]
        .chunks_mut(BLOCK)
        .zip(xi[l..].chunks_mut(BLOCK))
        .take(band.len());
    let mut k0 = band.start;
    if k0 == 0 {
        if let Some(x) = cols.next() {
            one(x, z[0], z[0]);
        }
        k0 = 1;
    }
    if k0 < band.end {
        let (p, q) = (&z[k0..band.end], &z[n + 1 - band.end..n + 1 - k0]);
        for ((x, &p), &q) in cols.zip(p).zip(q.iter().rev()) {
            one(x, p, q);
        }
    }
}
