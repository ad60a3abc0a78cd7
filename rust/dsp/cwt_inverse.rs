//! The inverse real FFT of a product of two half spectra, through a complex
//! FFT of half the length, with the product folded into the split step.
//!
//! For one CWT row, `X[k] = S[k] H[k]` (signal times filter, `k = 0..=h`,
//! `h = m / 2`). realfft would need `X` written out, then its own split pass,
//! then the complex FFT; here one pass computes the packed spectrum
//!
//! ```text
//! A = X[k], B = X[h-k], P = A + conj B, Q = A - conj B, T = i conj(W^k) Q
//! Z[k] = P + T,  Z[h-k] = conj(P - T),  W = exp(-2 pi i / m)
//! ```
//!
//! whose unnormalised inverse FFT of length `h` is `m * (x[2j] + i x[2j+1])`,
//! the same scaling as realfft's inverse: the real output is the complex
//! output read as interleaved pairs.
//!
//! Filter spectra may be stored in f32 ([`FilterBin`]): the arithmetic is
//! f64 either way, only the stored filter is rounded.

use crate::dsp::fft;
use num_complex::Complex;
use rustfft::Fft;
use std::sync::Arc;

const ZERO: Complex<f64> = Complex::new(0.0, 0.0);

/// One stored filter bin: complex f64, or complex f32 where half the memory
/// traffic matters more than the last digits (float32 output).
pub trait FilterBin: Copy + Send + Sync + 'static {
    /// The bin in f64.
    fn widen(self) -> Complex<f64>;

    /// Bins `p[0]` and `p[1]` as f64 lanes (re, im, re, im).
    ///
    /// # Safety
    /// `p` must point at two readable bins and the CPU must have AVX2.
    #[cfg(target_arch = "x86_64")]
    unsafe fn load2(p: *const Self) -> std::arch::x86_64::__m256d;
}

impl FilterBin for Complex<f64> {
    #[inline(always)]
    fn widen(self) -> Complex<f64> {
        self
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load2(p: *const Self) -> std::arch::x86_64::__m256d {
        std::arch::x86_64::_mm256_loadu_pd(p as *const f64)
    }
}

impl FilterBin for Complex<f32> {
    #[inline(always)]
    fn widen(self) -> Complex<f64> {
        Complex::new(self.re as f64, self.im as f64)
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn load2(p: *const Self) -> std::arch::x86_64::__m256d {
        use std::arch::x86_64::*;
        _mm256_cvtps_pd(_mm_loadu_ps(p as *const f32))
    }
}

/// Inverse real FFT of even length `m` for spectrum products.
pub struct ProductInverse {
    m: usize,
    fft: Arc<dyn Fft<f64>>,
    /// `i conj(W^k) = i exp(2 pi i k / m)` for `k = 0..=h/2`.
    rot: Vec<Complex<f64>>,
}

/// Per-thread buffers for [`ProductInverse::run`] (grown on demand, so one
/// set serves every length).
#[derive(Default)]
pub struct Buffers {
    packed: Vec<Complex<f64>>,
    out: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
}

impl ProductInverse {
    /// The transform of even length `m >= 2`.
    pub fn new(m: usize) -> Self {
        assert!(
            m >= 2 && m.is_multiple_of(2),
            "ProductInverse needs an even length"
        );
        let rot = (0..=m / 4)
            .map(|k| {
                let (s, c) = (2.0 * std::f64::consts::PI * k as f64 / m as f64).sin_cos();
                Complex::new(-s, c)
            })
            .collect();
        ProductInverse {
            m,
            fft: fft::complex_in::<f64>(m / 2, true),
            rot,
        }
    }

    /// The transform length.
    pub fn len(&self) -> usize {
        self.m
    }

    /// Always false: the length is at least 2.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// `m` times the inverse real FFT of `s * h` (`m / 2 + 1` bins each; the
    /// imaginary parts of bins 0 and `m / 2` are ignored), as `m` samples.
    pub fn run<'a, G: FilterBin>(
        &self,
        s: &[Complex<f64>],
        h: &[G],
        buf: &'a mut Buffers,
    ) -> &'a [f64] {
        let half = self.m / 2;
        assert!(
            s.len() > half && h.len() > half,
            "spectra need m / 2 + 1 bins"
        );
        for v in [&mut buf.packed, &mut buf.out] {
            if v.len() < half {
                v.resize(half, ZERO);
            }
        }
        let need = self.fft.get_outofplace_scratch_len();
        if buf.scratch.len() < need {
            buf.scratch.resize(need, ZERO);
        }
        pack_product(s, h, &self.rot, &mut buf.packed[..half]);
        self.fft.process_outofplace_with_scratch(
            &mut buf.packed[..half],
            &mut buf.out[..half],
            &mut buf.scratch[..need],
        );
        // SAFETY: Complex<f64> is #[repr(C)] { re, im }: `half` values are
        // `m` contiguous f64, in the order x[0], x[1], ... of the real output.
        unsafe { std::slice::from_raw_parts(buf.out.as_ptr() as *const f64, self.m) }
    }
}

/// Write the packed spectrum `Z` (`z.len()` = h values) of `x = s * g`.
fn pack_product<G: FilterBin>(
    s: &[Complex<f64>],
    g: &[G],
    rot: &[Complex<f64>],
    z: &mut [Complex<f64>],
) {
    let half = z.len();
    let (g0, gh) = (g[0].widen(), g[half].widen());
    let x0 = s[0].re * g0.re - s[0].im * g0.im;
    let xh = s[half].re * gh.re - s[half].im * gh.im;
    z[0] = Complex::new(x0 + xh, x0 - xh);
    #[cfg(target_arch = "x86_64")]
    if crate::dsp::simd::has_avx2() {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        let k = unsafe { pack_pairs_avx2(s, g, rot, z) };
        return pack_pairs(s, g, rot, z, k);
    }
    pack_pairs(s, g, rot, z, 1);
}

/// The pairs `(k, h - k)` for `k = first..=h/2`, one at a time.
#[inline(always)]
fn pack_pairs<G: FilterBin>(
    s: &[Complex<f64>],
    g: &[G],
    rot: &[Complex<f64>],
    z: &mut [Complex<f64>],
    first: usize,
) {
    let half = z.len();
    for k in first..=half / 2 {
        let a = s[k] * g[k].widen();
        let b = (s[half - k] * g[half - k].widen()).conj();
        let (p, t) = (a + b, rot[k] * (a - b));
        z[k] = p + t;
        z[half - k] = (p - t).conj();
    }
}

/// Two pairs per step, `(k, k+1)` with `(h-k, h-k-1)`, two complex values
/// per AVX register; returns the first `k` left for [`pack_pairs`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn pack_pairs_avx2<G: FilterBin>(
    s: &[Complex<f64>],
    g: &[G],
    rot: &[Complex<f64>],
    z: &mut [Complex<f64>],
) -> usize {
    use std::arch::x86_64::*;
    let half = z.len();
    let last = half / 2;
    debug_assert!(s.len() > half && g.len() > half && rot.len() > last);
    let (sp, gp, rp) = (
        s.as_ptr() as *const f64,
        g.as_ptr(),
        rot.as_ptr() as *const f64,
    );
    let zp = z.as_mut_ptr() as *mut f64;
    let conj = _mm256_setr_pd(0.0, -0.0, 0.0, -0.0);
    // (a0, a1) * (b0, b1), complex, lane pairs.
    let mul = |a: __m256d, b: __m256d| {
        let (br, bi) = (_mm256_movedup_pd(b), _mm256_permute_pd(b, 0b1111));
        _mm256_fmaddsub_pd(a, br, _mm256_mul_pd(_mm256_permute_pd(a, 0b0101), bi))
    };
    let mut k = 1;
    while k < last {
        // SAFETY (all loads and stores): k + 1 <= h/2 < h - k - 1 + 2 <= h,
        // so bins k, k+1, h-k-1, h-k exist in s, g (h + 1 long) and z
        // (h long), and rot has h/2 + 1 entries.
        let j = half - k - 1;
        let a = mul(_mm256_loadu_pd(sp.add(2 * k)), G::load2(gp.add(k)));
        let b = mul(_mm256_loadu_pd(sp.add(2 * j)), G::load2(gp.add(j)));
        // (X[h-k], X[h-k-1]) conjugated, lined up with (X[k], X[k+1]).
        let b = _mm256_xor_pd(_mm256_permute2f128_pd(b, b, 0x01), conj);
        let p = _mm256_add_pd(a, b);
        let t = mul(_mm256_loadu_pd(rp.add(2 * k)), _mm256_sub_pd(a, b));
        _mm256_storeu_pd(zp.add(2 * k), _mm256_add_pd(p, t));
        let hi = _mm256_xor_pd(_mm256_sub_pd(p, t), conj);
        _mm256_storeu_pd(zp.add(2 * j), _mm256_permute2f128_pd(hi, hi, 0x01));
        k += 2;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_realfft_inverse_of_the_product() {
        for m in [2usize, 4, 6, 8, 10, 12, 14, 30, 64, 126, 162, 384] {
            let half = m / 2;
            let spec = |seed: usize| -> Vec<Complex<f64>> {
                (0..=half)
                    .map(|k| {
                        let v = ((k * seed + 3) % 17) as f64 - 8.0;
                        let w = ((k * 5 + seed) % 11) as f64 - 5.0;
                        // Bins 0 and m/2 real, as for real signals.
                        let im = if k == 0 || k == half { 0.0 } else { w * 0.1 };
                        Complex::new(v * 0.2, im)
                    })
                    .collect()
            };
            let (s, g) = (spec(7), spec(3));
            let mut x: Vec<Complex<f64>> = s.iter().zip(&g).map(|(a, b)| a * b).collect();
            let plan = fft::inverse(m);
            let mut want = vec![0.0; m];
            plan.process(&mut x, &mut want).unwrap();
            let mut buf = Buffers::default();
            let inv = ProductInverse::new(m);
            let peak = want.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            let got = inv.run(&s, &g, &mut buf).to_vec();
            for (a, b) in got.iter().zip(&want) {
                assert!((a - b).abs() <= 1e-12 * peak.max(1.0), "m={m}");
            }
            // The test filter is exact in f32, so f32 storage changes nothing.
            let g32: Vec<Complex<f32>> = g
                .iter()
                .map(|c| Complex::new(c.re as f32, c.im as f32))
                .collect();
            let got32 = inv.run(&s, &g32, &mut buf);
            for (a, b) in got32.iter().zip(&got) {
                assert!((a - b).abs() <= 1e-12 * peak.max(1.0), "f32 m={m}");
            }
        }
    }
}
