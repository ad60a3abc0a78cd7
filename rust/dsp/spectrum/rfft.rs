//! Forward real FFT of even length `n` through a complex FFT of length
//! `n / 2`, with the frame load and the split post-processing written so the
//! compiler vectorises them.
//!
//! realfft does the same transform, but its post-processing loop and the
//! separate framing copy cost more than the complex FFT itself for the
//! 2048-point frames audio features use. Here the windowed frame is written
//! straight into the complex input (even samples as real parts, odd as
//! imaginary), and the split step produces bins `k` and `n/2 - k` together:
//!
//! ```text
//! E = (Z[k] + conj Z[n/2-k]) / 2,  O = (Z[k] - conj Z[n/2-k]) / 2i
//! X[k] = E + W^k O,  X[n/2-k] = conj(E - W^k O),  W = exp(-2 pi i / n)
//! ```

use crate::dsp::num::float::Float;
use crate::dsp::num::simd;
use crate::dsp::spectrum::fft::{split_plan, SplitTwiddles};
use num_complex::Complex;
use rustfft::Fft;
use std::marker::PhantomData;
use std::sync::Arc;

/// `len` values of `T` starting on a 64-byte boundary, so 32-byte vector
/// loads and stores never straddle two cache lines (on a 16-byte aligned
/// `Vec`, every other one does).
pub struct Aligned<T: Copy> {
    lines: Vec<Line>,
    len: usize,
    _t: PhantomData<T>,
}

/// One cache line of storage.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u8; 64]);

impl<T: Copy> Aligned<T> {
    /// `len` copies of `value`.
    pub fn filled(len: usize, value: T) -> Self {
        assert!(std::mem::align_of::<T>() <= 64);
        let bytes = len * std::mem::size_of::<T>();
        let mut a = Aligned {
            lines: vec![Line([0; 64]); bytes.div_ceil(64)],
            len,
            _t: PhantomData,
        };
        let p = a.lines.as_mut_ptr() as *mut T;
        for i in 0..len {
            // SAFETY: `lines` holds at least `len` values of T, suitably aligned.
            unsafe { p.add(i).write(value) };
        }
        a
    }

    /// The values as a slice.
    pub fn as_slice(&self) -> &[T] {
        // SAFETY: `filled` initialised `len` values of T at the start.
        unsafe { std::slice::from_raw_parts(self.lines.as_ptr() as *const T, self.len) }
    }

    /// The values as a mutable slice.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as in `as_slice`, borrowed uniquely.
        unsafe { std::slice::from_raw_parts_mut(self.lines.as_mut_ptr() as *mut T, self.len) }
    }
}

impl<T: Copy> std::ops::Deref for Aligned<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T: Copy> std::ops::DerefMut for Aligned<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

/// A real forward FFT of even length with its own buffers.
pub struct EvenRealFft<F: Float> {
    n: usize,
    fft: Arc<dyn Fft<F>>,
    tw: Arc<SplitTwiddles<F>>,
    input: Aligned<Complex<F>>,
    output: Aligned<Complex<F>>,
    scratch: Aligned<Complex<F>>,
}

impl<F: Float> EvenRealFft<F> {
    /// A transform of even length `n >= 2`.
    pub fn new(n: usize) -> Self {
        assert!(
            n >= 2 && n.is_multiple_of(2),
            "EvenRealFft needs an even length"
        );
        let half = n / 2;
        let (fft, tw) = split_plan::<F>(n);
        let zero = Complex::new(F::narrow(0.0), F::narrow(0.0));
        let scratch = Aligned::filled(fft.get_outofplace_scratch_len(), zero);
        EvenRealFft {
            n,
            fft,
            tw,
            input: Aligned::filled(half, zero),
            output: Aligned::filled(half, zero),
            scratch,
        }
    }

    /// The transform length.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false: the length is at least 2.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The real input buffer (`n` samples) to fill before [`Self::run`].
    pub fn input_mut(&mut self) -> &mut [F] {
        let len = self.n;
        // SAFETY: Complex<F> is #[repr(C)] { re, im }, so n/2 complex values
        // are exactly n contiguous F values in the order (re0, im0, re1, ...),
        // which is the even/odd packing the split step expects.
        unsafe { std::slice::from_raw_parts_mut(self.input.as_mut_ptr() as *mut F, len) }
    }

    /// Transform the input buffer; the input is left unspecified.
    #[inline]
    pub fn run(&mut self) {
        self.fft.process_outofplace_with_scratch(
            &mut self.input,
            &mut self.output,
            &mut self.scratch,
        );
    }

    /// Write the `n / 2 + 1` bins of the last [`Self::run`] into `out`.
    #[inline]
    pub fn spectrum(&self, out: &mut [Complex<F>]) {
        self.map_into(out, Complex::new);
    }

    /// Write `|X[k]|^2` for the `n / 2 + 1` bins of the last [`Self::run`]
    /// into `out`, squared in f64.
    #[inline]
    pub fn power(&self, out: &mut [f64]) {
        self.map_into(out, |re, im| {
            let (re, im) = (Float::wide(re), Float::wide(im));
            re * re + im * im
        });
    }

    /// Write `g(re, im)` of the `n / 2 + 1` bins of the last [`Self::run`]
    /// into `out` (the spectrum, its power, a magnitude...), straight from
    /// the split step.
    #[inline]
    pub fn map_into<T: Copy, G: Fn(F, F) -> T>(&self, out: &mut [T], g: G) {
        let half = self.n / 2;
        let zero = F::narrow(0.0);
        let out = &mut out[..half + 1];
        // Bins 0 and n/2 are real; bin n/4 (when n/2 is even) is conj Z[n/4].
        let z0 = self.output[0];
        out[0] = g(z0.re + z0.im, zero);
        out[half] = g(z0.re - z0.im, zero);
        if half.is_multiple_of(2) && half >= 2 {
            let v = self.output[half / 2].conj();
            out[half / 2] = g(v.re, v.im);
        }
        #[cfg(target_arch = "x86_64")]
        if simd::has_avx2() {
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe { split_avx2(&self.output, &self.tw.re, &self.tw.im, out, &g) };
            return;
        }
        split_pairs(&self.output, &self.tw.re, &self.tw.im, out, &g);
    }
}

impl EvenRealFft<f32> {
    /// [`EvenRealFft::power`] squared in f32 (`re * re + im * im`), for the
    /// float32 paths that keep the whole chain in f32 as librosa does.
    #[inline]
    pub fn power_f32(&self, out: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if simd::has_avx2() && self.n >= 16 {
            // SAFETY: the CPU supports AVX2.
            return unsafe { power32_avx2(&self.output, &self.tw.re, &self.tw.im, out) };
        }
        self.map_into(out, |re, im| re * re + im * im);
    }
}

/// An f64 real FFT of even length whose spectrum is stored as complex64,
/// with the split step in AVX2 on interleaved complex values (fewer
/// shuffles than de-interleaving), bit for bit equal to
/// [`EvenRealFft::map_into`] with a narrowing `g`.
pub struct NarrowRealFft {
    fft: EvenRealFft<f64>,
    /// `[wr_k, wr_k]` and `[wi_k, wi_k]` for every split pair `k`.
    wr2: Aligned<f64>,
    wi2: Aligned<f64>,
    /// The `n / 2 + 1` bins of [`Self::spectrum_streamed`] (stays in L1
    /// between frames).
    row: Aligned<Complex<f32>>,
    /// A copy of the analysis window, aligned (see [`Self::window_and_input`]).
    window: Aligned<f64>,
}

impl NarrowRealFft {
    /// A transform of even length `n >= 2`.
    pub fn new(n: usize) -> Self {
        let fft = EvenRealFft::<f64>::new(n);
        let dup = |t: &[f64]| {
            let mut d = Aligned::filled(2 * t.len(), 0.0);
            for (pair, &w) in d.chunks_exact_mut(2).zip(t) {
                pair.fill(w);
            }
            d
        };
        let (wr2, wi2) = (dup(&fft.tw.re), dup(&fft.tw.im));
        let row = Aligned::filled(n / 2 + 1, Complex::new(0.0, 0.0));
        let window = Aligned::filled(0, 0.0);
        NarrowRealFft {
            fft,
            wr2,
            wi2,
            row,
            window,
        }
    }

    /// The transform length.
    pub fn len(&self) -> usize {
        self.fft.n
    }

    /// Always false: the length is at least 2.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The real input buffer (`n` samples) to fill before [`Self::run`].
    #[inline]
    pub fn input_mut(&mut self) -> &mut [f64] {
        self.fft.input_mut()
    }

    /// Transform the input buffer; the input is left unspecified.
    #[inline]
    pub fn run(&mut self) {
        self.fft.run();
    }

    /// Keep an aligned copy of `window` for [`Self::window_and_input`]
    /// (copied only when it differs from the one kept).
    pub fn set_window(&mut self, window: &[f64]) {
        if self.window.as_slice() != window {
            self.window = Aligned::filled(window.len(), 0.0);
            self.window.copy_from_slice(window);
        }
    }

    /// The window of [`Self::set_window`] and the input buffer, to fill the
    /// frame as `window * samples`.
    #[inline]
    pub fn window_and_input(&mut self) -> (&[f64], &mut [f64]) {
        (self.window.as_slice(), self.fft.input_mut())
    }

    /// The `n / 2 + 1` bins of the last [`Self::run`], each rounded once
    /// to complex64.
    #[inline]
    pub fn spectrum(&self, out: &mut [Complex<f32>]) {
        #[cfg(target_arch = "x86_64")]
        if simd::has_avx2() && self.fft.n >= 16 {
            // SAFETY: the CPU supports AVX2; n / 2 >= 8.
            return unsafe { split_interleaved_avx2(&self.fft.output, &self.wr2, &self.wi2, out) };
        }
        self.fft
            .map_into(out, |re, im| Complex::new(re as f32, im as f32));
    }

    /// [`Self::spectrum`] written with non-temporal stores: the bins are
    /// split into an L1-resident row, then streamed to `out` without reading
    /// its cache lines first (for outputs much larger than the caches, where
    /// each frame's row would otherwise be fetched from memory and evict
    /// the FFT's buffers). Call [`stream_fence`] before the output is read
    /// by another thread.
    #[inline]
    pub fn spectrum_streamed(&mut self, out: &mut [Complex<f32>]) {
        let nb = self.fft.n / 2 + 1;
        #[cfg(target_arch = "x86_64")]
        if simd::has_avx2() && self.fft.n >= 16 {
            let row = self.row.as_mut_slice();
            // SAFETY: the CPU supports AVX2; n / 2 >= 8.
            unsafe {
                split_interleaved_avx2(&self.fft.output, &self.wr2, &self.wi2, row);
                stream_copy_avx(row, &mut out[..nb]);
            }
            return;
        }
        self.spectrum(out);
    }
}

/// Order the non-temporal stores of [`NarrowRealFft::spectrum_streamed`]
/// before later stores (an `sfence`; nothing elsewhere).
#[inline]
pub fn stream_fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: sfence is part of SSE, which every x86_64 CPU has.
    unsafe {
        std::arch::x86_64::_mm_sfence()
    };
}

/// `dst.copy_from_slice(src)` with 32-byte non-temporal stores for the
/// aligned middle of `dst` (ordinary stores for the ends).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn stream_copy_avx(src: &[Complex<f32>], dst: &mut [Complex<f32>]) {
    use std::arch::x86_64::*;
    let n = src.len().min(dst.len());
    let addr = dst.as_ptr() as usize;
    if !addr.is_multiple_of(8) {
        return dst[..n].copy_from_slice(&src[..n]);
    }
    let peel = ((32 - addr % 32) % 32 / 8).min(n);
    dst[..peel].copy_from_slice(&src[..peel]);
    let (sp, dp) = (src.as_ptr() as *const f32, dst.as_mut_ptr() as *mut f32);
    let mut i = peel;
    while i + 4 <= n {
        _mm256_stream_ps(dp.add(2 * i), _mm256_loadu_ps(sp.add(2 * i)));
        i += 4;
    }
    dst[i..n].copy_from_slice(&src[i..n]);
}

/// The split step on interleaved complex f64 values, two pairs per
/// register, rounding to complex64: for `A = Z[k]`, `B = Z[n/2-k]`,
/// `E = (A + conj B) h`, `O = swap(B + (-A.re, A.im)) h`,
/// `T = O wr +- swap(O) wi` (addsub), `X[k] = E + T`,
/// `X[n/2-k] = ((E.re, -E.im) -+ T)` (addsub). Each lane runs the same f64
/// operations on the same operands as [`split_pairs`] (`x + (-y)` is
/// `x - y` exactly, sums commute), so the bins are bit for bit equal to
/// it, signed zeros included. `wr2`/`wi2` hold each twiddle twice.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn split_interleaved_avx2(
    z: &[Complex<f64>],
    wr2: &[f64],
    wi2: &[f64],
    out: &mut [Complex<f32>],
) {
    use std::arch::x86_64::*;
    let half = z.len();
    let m = (half - 1) / 2;
    assert!(half >= 8 && wr2.len() > 2 * m + 1 && wi2.len() > 2 * m + 1);
    let out = &mut out[..half + 1];
    let narrow = |re: f64, im: f64| Complex::new(re as f32, im as f32);
    let z0 = z[0];
    out[0] = narrow(z0.re + z0.im, 0.0);
    out[half] = narrow(z0.re - z0.im, 0.0);
    if half.is_multiple_of(2) {
        let v = z[half / 2].conj();
        out[half / 2] = narrow(v.re, v.im);
    }
    let h = _mm256_set1_pd(0.5);
    let im_sign = _mm256_setr_pd(0.0, -0.0, 0.0, -0.0);
    let re_sign = _mm256_setr_pd(-0.0, 0.0, -0.0, 0.0);
    let zp = z.as_ptr() as *const f64;
    let op = out.as_mut_ptr() as *mut f32;
    // Pairs k, k + 1 in one register.
    let step = |k: usize| {
        let a = _mm256_loadu_pd(zp.add(2 * k));
        // Bins n/2-k-1, n/2-k, swapped to n/2-k, n/2-k-1.
        let b = _mm256_permute2f128_pd::<0x01>(
            _mm256_loadu_pd(zp.add(2 * (half - k - 1))),
            _mm256_loadu_pd(zp.add(2 * (half - k - 1))),
        );
        let e = _mm256_mul_pd(_mm256_add_pd(a, _mm256_xor_pd(b, im_sign)), h);
        let o = _mm256_mul_pd(
            _mm256_permute_pd::<0b0101>(_mm256_add_pd(b, _mm256_xor_pd(a, re_sign))),
            h,
        );
        let wr = _mm256_loadu_pd(wr2.as_ptr().add(2 * k));
        let wi = _mm256_loadu_pd(wi2.as_ptr().add(2 * k));
        let t = _mm256_addsub_pd(
            _mm256_mul_pd(o, wr),
            _mm256_mul_pd(_mm256_permute_pd::<0b0101>(o), wi),
        );
        let lo = _mm256_cvtpd_ps(_mm256_add_pd(e, t));
        let hi = _mm256_cvtpd_ps(_mm256_addsub_pd(_mm256_xor_pd(e, im_sign), t));
        _mm_storeu_ps(op.add(2 * k), lo);
        // Bins n/2-k, n/2-k-1 stored in memory order.
        _mm_storeu_ps(op.add(2 * (half - k - 1)), _mm_shuffle_ps::<0x4e>(hi, hi));
    };
    let mut k = 1;
    while k + 4 <= m + 1 {
        step(k);
        step(k + 2);
        k += 4;
    }
    while k + 2 <= m + 1 {
        step(k);
        k += 2;
    }
    let h = 0.5f64;
    while k <= m {
        let (a, b) = (z[k], z[half - k]);
        let (er, ei) = ((a.re + b.re) * h, (a.im - b.im) * h);
        let (or, oi) = ((a.im + b.im) * h, (b.re - a.re) * h);
        let (wr, wi) = (wr2[2 * k], wi2[2 * k]);
        let (tr, ti) = (wr * or - wi * oi, wr * oi + wi * or);
        out[k] = narrow(er + tr, ei + ti);
        out[half - k] = narrow(er - tr, ti - ei);
        k += 1;
    }
}

/// Pairs handled per block: one AVX register of f32, two of f64.
const LANES: usize = 8;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn split_avx2<F: Float, T: Copy, G: Fn(F, F) -> T>(
    z: &[Complex<F>],
    tw_re: &[F],
    tw_im: &[F],
    out: &mut [T],
    g: &G,
) {
    split_pairs(z, tw_re, tw_im, out, g);
}

/// [`EvenRealFft::power_f32`] in AVX2 intrinsics: eight pairs per step,
/// de-interleaved into real and imaginary registers (in the lane order
/// `P = [0, 1, 4, 5, 2, 3, 6, 7]` that `vshufps` gives, undone at the
/// stores). The same f32 operations as [`split_pairs`], so bit for bit
/// equal to it. Needs `z.len() >= 8`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn power32_avx2(z: &[Complex<f32>], tw_re: &[f32], tw_im: &[f32], out: &mut [f32]) {
    use std::arch::x86_64::*;
    let half = z.len();
    let m = (half - 1) / 2;
    let out = &mut out[..half + 1];
    let sq = |re: f32, im: f32| re * re + im * im;
    out[0] = sq(z[0].re + z[0].im, 0.0);
    out[half] = sq(z[0].re - z[0].im, 0.0);
    if half.is_multiple_of(2) {
        out[half / 2] = sq(z[half / 2].re, -z[half / 2].im);
    }
    let h = _mm256_set1_ps(0.5);
    // P is its own inverse, so it also restores the natural order.
    let p = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
    // vshufps of the mirrored loads gives pairs [3, 2, 7, 6, 1, 0, 5, 4].
    let b_to_p = _mm256_setr_epi32(5, 4, 7, 6, 1, 0, 3, 2);
    // Bins n/2 - k - 7 + i hold pair 7 - i, found at P[7 - i].
    let p_reversed = _mm256_setr_epi32(7, 6, 3, 2, 5, 4, 1, 0);
    let zp = z.as_ptr() as *const f32;
    let mut k = 1;
    while k + 8 <= m + 1 {
        let (a0, a1) = (
            _mm256_loadu_ps(zp.add(2 * k)),
            _mm256_loadu_ps(zp.add(2 * k + 8)),
        );
        let (ar, ai) = (
            _mm256_shuffle_ps::<0x88>(a0, a1),
            _mm256_shuffle_ps::<0xdd>(a0, a1),
        );
        let b0 = _mm256_loadu_ps(zp.add(2 * (half - k - 7)));
        let b1 = _mm256_loadu_ps(zp.add(2 * (half - k - 3)));
        let br = _mm256_permutevar8x32_ps(_mm256_shuffle_ps::<0x88>(b1, b0), b_to_p);
        let bi = _mm256_permutevar8x32_ps(_mm256_shuffle_ps::<0xdd>(b1, b0), b_to_p);
        let wr = _mm256_permutevar8x32_ps(_mm256_loadu_ps(tw_re.as_ptr().add(k)), p);
        let wi = _mm256_permutevar8x32_ps(_mm256_loadu_ps(tw_im.as_ptr().add(k)), p);
        let (er, ei) = (
            _mm256_mul_ps(_mm256_add_ps(ar, br), h),
            _mm256_mul_ps(_mm256_sub_ps(ai, bi), h),
        );
        let (or, oi) = (
            _mm256_mul_ps(_mm256_add_ps(ai, bi), h),
            _mm256_mul_ps(_mm256_sub_ps(br, ar), h),
        );
        let tr = _mm256_sub_ps(_mm256_mul_ps(wr, or), _mm256_mul_ps(wi, oi));
        let ti = _mm256_add_ps(_mm256_mul_ps(wr, oi), _mm256_mul_ps(wi, or));
        let (lr, li) = (_mm256_add_ps(er, tr), _mm256_add_ps(ei, ti));
        let (hr, hi) = (_mm256_sub_ps(er, tr), _mm256_sub_ps(ti, ei));
        let lo = _mm256_add_ps(_mm256_mul_ps(lr, lr), _mm256_mul_ps(li, li));
        let hi = _mm256_add_ps(_mm256_mul_ps(hr, hr), _mm256_mul_ps(hi, hi));
        _mm256_storeu_ps(out.as_mut_ptr().add(k), _mm256_permutevar8x32_ps(lo, p));
        _mm256_storeu_ps(
            out.as_mut_ptr().add(half - k - 7),
            _mm256_permutevar8x32_ps(hi, p_reversed),
        );
        k += 8;
    }
    let h = 0.5f32;
    while k <= m {
        let (a, b) = (z[k], z[half - k]);
        let (er, ei) = ((a.re + b.re) * h, (a.im - b.im) * h);
        let (or, oi) = ((a.im + b.im) * h, (b.re - a.re) * h);
        let (wr, wi) = (tw_re[k], tw_im[k]);
        let (tr, ti) = (wr * or - wi * oi, wr * oi + wi * or);
        out[k] = sq(er + tr, ei + ti);
        out[half - k] = sq(er - tr, ti - ei);
        k += 1;
    }
}

/// The split step for every pair `1 <= k < n/2 - k`, writing `g` of bins
/// `k` and `n/2 - k` into `out`, `LANES` pairs at a time on fixed-size
/// arrays (which the compiler turns into vector code).
#[inline(always)]
fn split_pairs<F: Float, T: Copy, G: Fn(F, F) -> T>(
    z: &[Complex<F>],
    tw_re: &[F],
    tw_im: &[F],
    out: &mut [T],
    g: &G,
) {
    let half = z.len();
    let m = (half - 1) / 2;
    let h = F::narrow(0.5);
    // One pair: E = (A + conj B) / 2, O = (A - conj B) / 2i, T = W^k O,
    // X[k] = E + T, X[n/2-k] = conj(E - T).
    let pair = |a: Complex<F>, b: Complex<F>, wr: F, wi: F| {
        let (er, ei) = ((a.re + b.re) * h, (a.im - b.im) * h);
        let (or, oi) = ((a.im + b.im) * h, (b.re - a.re) * h);
        let (tr, ti) = (wr * or - wi * oi, wr * oi + wi * or);
        (er + tr, ei + ti, er - tr, ti - ei)
    };
    let zero = F::narrow(0.0);
    let mut k = 1;
    while k + LANES <= m + 1 {
        let k2 = half - k; // bins k2, k2 - 1, ... pair with k, k + 1, ...
        let a: &[Complex<F>; LANES] = (&z[k..k + LANES]).try_into().unwrap();
        let b: &[Complex<F>; LANES] = (&z[k2 + 1 - LANES..=k2]).try_into().unwrap();
        let wr: &[F; LANES] = (&tw_re[k..k + LANES]).try_into().unwrap();
        let wi: &[F; LANES] = (&tw_im[k..k + LANES]).try_into().unwrap();
        let (mut xr, mut xi, mut yr, mut yi) =
            ([zero; LANES], [zero; LANES], [zero; LANES], [zero; LANES]);
        for j in 0..LANES {
            let bj = b[LANES - 1 - j];
            (xr[j], xi[j], yr[j], yi[j]) = pair(a[j], bj, wr[j], wi[j]);
        }
        let lo: &mut [T; LANES] = (&mut out[k..k + LANES]).try_into().unwrap();
        for (o, (re, im)) in lo.iter_mut().zip(xr.iter().zip(&xi)) {
            *o = g(*re, *im);
        }
        let hi: &mut [T; LANES] = (&mut out[k2 + 1 - LANES..=k2]).try_into().unwrap();
        for j in 0..LANES {
            hi[LANES - 1 - j] = g(yr[j], yi[j]);
        }
        k += LANES;
    }
    while k <= m {
        let (xr, xi, yr, yi) = pair(z[k], z[half - k], tw_re[k], tw_im[k]);
        out[k] = g(xr, xi);
        out[half - k] = g(yr, yi);
        k += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::spectrum::fft::tests::naive_dft;

    #[test]
    fn matches_naive_dft_for_even_lengths() {
        for n in [2usize, 4, 6, 8, 10, 12, 16, 18, 30, 34, 64, 126, 256, 2048] {
            let x: Vec<f64> = (0..n)
                .map(|i| ((i * 7 % 11) as f64 - 5.0) * 0.3 + (i as f64 * 0.1).sin())
                .collect();
            let want = naive_dft(&x);
            let mut f = EvenRealFft::<f64>::new(n);
            f.input_mut().copy_from_slice(&x);
            f.run();
            let mut got = vec![Complex::new(0.0, 0.0); n / 2 + 1];
            f.spectrum(&mut got);
            let mut pw = vec![0.0; n / 2 + 1];
            f.power(&mut pw);
            let mut im = vec![0.0; n / 2 + 1];
            f.map_into(&mut im, |_, i| i);
            // The naive DFT's own rounding grows with n.
            let (tol, peak) = (
                1e-11 * n as f64,
                want.iter().map(|c| c.norm()).fold(1.0, f64::max),
            );
            for k in 0..=n / 2 {
                assert!((got[k] - want[k]).norm() < tol, "n={n} k={k}");
                assert!(
                    (pw[k] - want[k].norm_sqr()).abs() < 2.0 * tol * peak,
                    "n={n} k={k}"
                );
                assert_eq!(im[k], got[k].im, "n={n} k={k}");
            }
            let mut f32t = EvenRealFft::<f32>::new(n);
            for (d, s) in f32t.input_mut().iter_mut().zip(&x) {
                *d = *s as f32;
            }
            f32t.run();
            // The AVX2 power kernel equals the generic split bit for bit.
            let (mut fast, mut generic) = (vec![0.0f32; n / 2 + 1], vec![0.0f32; n / 2 + 1]);
            f32t.power_f32(&mut fast);
            f32t.map_into(&mut generic, |re, im| re * re + im * im);
            assert_eq!(fast, generic, "f32 power_f32 n={n}");
            for (d, s) in f32t.input_mut().iter_mut().zip(&x) {
                *d = *s as f32;
            }
            f32t.run();
            let mut got32 = vec![Complex::new(0.0f32, 0.0); n / 2 + 1];
            f32t.spectrum(&mut got32);
            for k in 0..=n / 2 {
                let g = Complex::new(got32[k].re as f64, got32[k].im as f64);
                assert!(
                    (g - want[k]).norm() < 1e-6 * n as f64 * peak,
                    "f32 n={n} k={k}"
                );
            }
        }
    }

    #[test]
    fn narrow_split_equals_the_generic_split_rounded() {
        // Every even length from 2 to 80 (all remainders of the 4-pair
        // blocks) and the usual sizes.
        let sizes = (1..=40).map(|i| 2 * i).chain([126, 256, 1024, 2048, 4096]);
        let signals = |n: usize| {
            let tone: Vec<f64> = (0..n)
                .map(|i| ((i * 13 % 17) as f64 - 8.0) * 0.1 + (i as f64 * 0.37).cos() * 1e-3)
                .collect();
            // Silence and an impulse: exact zeros of either sign in the bins.
            let mut impulse = vec![0.0; n];
            impulse[0] = 1.0;
            [tone, vec![0.0; n], impulse]
        };
        for (n, x) in sizes.flat_map(|n| signals(n).map(|x| (n, x))) {
            let mut f = EvenRealFft::<f64>::new(n);
            f.input_mut().copy_from_slice(&x);
            f.run();
            let mut wide = vec![Complex::new(0.0f64, 0.0); n / 2 + 1];
            f.spectrum(&mut wide);
            let mut inter = vec![Complex::new(f32::NAN, f32::NAN); n / 2 + 1];
            let mut g = NarrowRealFft::new(n);
            g.input_mut().copy_from_slice(&x);
            g.run();
            g.spectrum(&mut inter);
            // Bit for bit, signed zeros included.
            let bits = |c: Complex<f32>| (c.re.to_bits(), c.im.to_bits());
            for k in 0..=n / 2 {
                let want = Complex::new(wide[k].re as f32, wide[k].im as f32);
                assert_eq!(bits(inter[k]), bits(want), "interleaved n={n} k={k}");
            }
        }
    }
}
