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
//! Both spectra are stored in [`Paired`] order (bins `k` and `h - k` side by
//! side, real and imaginary parts in separate lanes), so the pass needs no
//! shuffles until it writes `Z`: with complex values interleaved it was
//! bound by shuffles, one port's worth per complex product.

use crate::dsp::num::float::Float;
use crate::dsp::spectrum::fft;
use num_complex::Complex;
use rustfft::Fft;
use std::sync::Arc;

const ZERO: Complex<f64> = Complex::new(0.0, 0.0);
/// Pairs per block of the [`Paired`] layout: one AVX register of f64.
const LANES: usize = 4;

/// A half spectrum of `h + 1` bins in pair order: `[re 0, im 0, re h, im h]`,
/// then per block of [`LANES`] pairs `k..k+4` (`k = 1, 5, 9, ...` up to
/// `h / 2`) the real parts of bins `k..k+4`, their imaginary parts, then the
/// real and imaginary parts of bins `h-k, h-k-1, ...`; the last block is
/// zero-padded.
pub struct Paired<L> {
    half: usize,
    data: Vec<L>,
}

impl<L: Float> Paired<L> {
    /// Lay out `bins` (`h + 1` values, `h >= 1`).
    pub fn new(bins: &[Complex<f64>]) -> Self {
        let mut p = Paired {
            half: 0,
            data: Vec::new(),
        };
        p.fill(bins);
        p
    }

    /// Lay out `bins` again, reusing the allocation.
    pub fn fill(&mut self, bins: &[Complex<f64>]) {
        let half = bins.len() - 1;
        let blocks = (half / 2).div_ceil(LANES);
        self.half = half;
        self.data.clear();
        self.data.resize(4 + 4 * LANES * blocks, L::default());
        let d = &mut self.data;
        let put = |d: &mut [L], i: usize, v: f64| d[i] = L::narrow(v);
        put(d, 0, bins[0].re);
        put(d, 1, bins[0].im);
        put(d, 2, bins[half].re);
        put(d, 3, bins[half].im);
        for k in 1..=half / 2 {
            let (base, lane) = (4 + 4 * LANES * ((k - 1) / LANES), (k - 1) % LANES);
            let (a, b) = (bins[k], bins[half - k]);
            put(d, base + lane, a.re);
            put(d, base + LANES + lane, a.im);
            put(d, base + 2 * LANES + lane, b.re);
            put(d, base + 3 * LANES + lane, b.im);
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.data.len() * std::mem::size_of::<L>()
    }

    /// Bins 0 and `h`.
    fn ends(&self) -> (Complex<f64>, Complex<f64>) {
        let d = &self.data;
        (
            Complex::new(d[0].wide(), d[1].wide()),
            Complex::new(d[2].wide(), d[3].wide()),
        )
    }

    /// Bins `k` and `h - k`, `1 <= k <= h / 2`.
    #[inline(always)]
    fn pair(&self, k: usize) -> (Complex<f64>, Complex<f64>) {
        let (base, lane) = (4 + 4 * LANES * ((k - 1) / LANES), (k - 1) % LANES);
        let d = &self.data;
        let at = |i: usize| d[base + i * LANES + lane].wide();
        (Complex::new(at(0), at(1)), Complex::new(at(2), at(3)))
    }
}

/// Inverse real FFT of even length `m` for spectrum products.
pub struct ProductInverse {
    m: usize,
    fft: Arc<dyn Fft<f64>>,
    /// `i conj(W^k) = i exp(2 pi i k / m)` for `k = 1..=h/2`, in pair
    /// order (real parts of a block, then imaginary parts; the `h - k` half
    /// of each block unused).
    rot: Paired<f64>,
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
        let rot: Vec<Complex<f64>> = (0..=m / 2)
            .map(|k| {
                let (s, c) = (2.0 * std::f64::consts::PI * k as f64 / m as f64).sin_cos();
                Complex::new(-s, c)
            })
            .collect();
        ProductInverse {
            m,
            fft: fft::complex_in::<f64>(m / 2, true),
            rot: Paired::new(&rot),
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

    /// `m` times the inverse real FFT of `s * h` (both `m / 2 + 1` bins; the
    /// imaginary parts of bins 0 and `m / 2` are ignored), as `m` samples.
    pub fn run<'a, L: Float>(
        &self,
        s: &Paired<f64>,
        h: &Paired<L>,
        buf: &'a mut Buffers,
    ) -> &'a [f64] {
        let half = self.m / 2;
        assert!(
            s.half == half && h.half == half,
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
fn pack_product<L: Float>(
    s: &Paired<f64>,
    g: &Paired<L>,
    rot: &Paired<f64>,
    z: &mut [Complex<f64>],
) {
    let (s0, sh) = s.ends();
    let (g0, gh) = g.ends();
    let x0 = s0.re * g0.re - s0.im * g0.im;
    let xh = sh.re * gh.re - sh.im * gh.im;
    z[0] = Complex::new(x0 + xh, x0 - xh);
    #[cfg(target_arch = "x86_64")]
    if crate::dsp::num::simd::has_avx2() {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        let k = unsafe { pack_blocks_avx2(s, g, rot, z) };
        return pack_pairs(s, g, rot, z, k);
    }
    pack_pairs(s, g, rot, z, 1);
}

/// The pairs `(k, h - k)` for `k = first..=h/2`, one at a time.
#[inline(always)]
fn pack_pairs<L: Float>(
    s: &Paired<f64>,
    g: &Paired<L>,
    rot: &Paired<f64>,
    z: &mut [Complex<f64>],
    first: usize,
) {
    let half = z.len();
    for k in first..=half / 2 {
        let ((sa, sb), (ga, gb), (r, _)) = (s.pair(k), g.pair(k), rot.pair(k));
        let (a, b) = (sa * ga, (sb * gb).conj());
        let (p, t) = (a + b, r * (a - b));
        z[k] = p + t;
        z[half - k] = (p - t).conj();
    }
}

/// Whole blocks of [`LANES`] pairs whose pairs all lie in `1..=h/2`;
/// returns the first `k` left for [`pack_pairs`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn pack_blocks_avx2<L: Float>(
    s: &Paired<f64>,
    g: &Paired<L>,
    rot: &Paired<f64>,
    z: &mut [Complex<f64>],
) -> usize {
    use std::arch::x86_64::*;
    let half = z.len();
    let blocks = (half / 2) / LANES;
    let (sp, gp, rp) = (s.data.as_ptr(), g.data.as_ptr(), rot.data.as_ptr());
    let zp = z.as_mut_ptr() as *mut f64;
    for blk in 0..blocks {
        // SAFETY: block `blk` exists in all three layouts (they share `h`),
        // and its pairs k..k+4 satisfy k + 3 <= h/2, so Z[k..k+4] and
        // Z[h-k-3..=h-k] are inside `z`.
        let o = 4 + 4 * LANES * blk;
        let k = 1 + LANES * blk;
        let ld = |p: *const f64, i: usize| _mm256_loadu_pd(p.add(o + i * LANES));
        let lg = |i: usize| L::load4(gp.add(o + i * LANES));
        let (sar, sai, sbr, sbi) = (ld(sp, 0), ld(sp, 1), ld(sp, 2), ld(sp, 3));
        let (gar, gai, gbr, gbi) = (lg(0), lg(1), lg(2), lg(3));
        // A = S[k] G[k], B = S[h-k] G[h-k], lane-wise complex products.
        let ar = _mm256_fmsub_pd(sar, gar, _mm256_mul_pd(sai, gai));
        let ai = _mm256_fmadd_pd(sar, gai, _mm256_mul_pd(sai, gar));
        let br = _mm256_fmsub_pd(sbr, gbr, _mm256_mul_pd(sbi, gbi));
        let bi = _mm256_fmadd_pd(sbr, gbi, _mm256_mul_pd(sbi, gbr));
        // P = A + conj B, Q = A - conj B, T = rot Q.
        let (pr, pi) = (_mm256_add_pd(ar, br), _mm256_sub_pd(ai, bi));
        let (qr, qi) = (_mm256_sub_pd(ar, br), _mm256_add_pd(ai, bi));
        let (rr, ri) = (ld(rp, 0), ld(rp, 1));
        let tr = _mm256_fmsub_pd(rr, qr, _mm256_mul_pd(ri, qi));
        let ti = _mm256_fmadd_pd(rr, qi, _mm256_mul_pd(ri, qr));
        // Z[k+i] = P + T; Z[h-k-i] = conj(P - T), interleaved for storing.
        let (ur, ui) = (_mm256_add_pd(pr, tr), _mm256_add_pd(pi, ti));
        let (vr, vi) = (_mm256_sub_pd(pr, tr), _mm256_sub_pd(ti, pi));
        let (lo, hi) = (_mm256_unpacklo_pd(ur, ui), _mm256_unpackhi_pd(ur, ui));
        _mm256_storeu_pd(zp.add(2 * k), _mm256_permute2f128_pd(lo, hi, 0x20));
        _mm256_storeu_pd(zp.add(2 * k + 4), _mm256_permute2f128_pd(lo, hi, 0x31));
        // Descending: (Z[h-k-3], Z[h-k-2]) then (Z[h-k-1], Z[h-k]).
        let (lo, hi) = (_mm256_unpacklo_pd(vr, vi), _mm256_unpackhi_pd(vr, vi));
        let j = half - k;
        _mm256_storeu_pd(zp.add(2 * (j - 3)), _mm256_permute2f128_pd(hi, lo, 0x31));
        _mm256_storeu_pd(zp.add(2 * (j - 1)), _mm256_permute2f128_pd(hi, lo, 0x20));
    }
    1 + LANES * blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_layout_round_trips() {
        for half in [1usize, 2, 3, 8, 9, 17] {
            let bins: Vec<Complex<f64>> = (0..=half)
                .map(|k| Complex::new(k as f64, -(k as f64) / 2.0))
                .collect();
            let p = Paired::<f64>::new(&bins);
            assert_eq!(p.ends(), (bins[0], bins[half]));
            for k in 1..=half / 2 {
                assert_eq!(p.pair(k), (bins[k], bins[half - k]), "h={half} k={k}");
            }
        }
    }

    #[test]
    fn equals_realfft_inverse_of_the_product() {
        for m in [
            2usize, 4, 6, 8, 10, 12, 14, 16, 18, 30, 34, 64, 126, 162, 384,
        ] {
            let half = m / 2;
            let spec = |seed: usize| -> Vec<Complex<f64>> {
                (0..=half)
                    .map(|k| {
                        let v = ((k * seed + 3) % 17) as f64 - 8.0;
                        let w = ((k * 5 + seed) % 11) as f64 - 5.0;
                        // Bins 0 and m/2 real, as for real signals.
                        let im = if k == 0 || k == half { 0.0 } else { w * 0.125 };
                        Complex::new(v * 0.25, im)
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
            let sp = Paired::<f64>::new(&s);
            let peak = want.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            let got = inv.run(&sp, &Paired::<f64>::new(&g), &mut buf).to_vec();
            for (a, b) in got.iter().zip(&want) {
                assert!((a - b).abs() <= 1e-12 * peak.max(1.0), "m={m}");
            }
            // The test filter is exact in f32, so f32 storage changes nothing.
            let got32 = inv.run(&sp, &Paired::<f32>::new(&g), &mut buf);
            for (a, b) in got32.iter().zip(&got) {
                assert!((a - b).abs() <= 1e-12 * peak.max(1.0), "f32 m={m}");
            }
        }
    }
}
