//! The first `n_out` coefficients of a DCT of length `n_in`, as a dense
//! matrix (scipy.fftpack.dct semantics, types 1-3, `norm=None` or "ortho"),
//! optionally with librosa's MFCC lifter folded into its rows.
//!
//! For MFCC sizes (20 x 128) a precomputed matrix beats an FFT-based DCT
//! and is exact to a few ulps.

use crate::dsp::num::simd;
use crate::error::{DspError, DspResult};
use std::f64::consts::PI;

/// DCT normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DctNorm {
    /// scipy's unnormalised transform (a factor 2 on the sums).
    None,
    /// The orthonormal scaling.
    Ortho,
}

/// A `(n_out, n_in)` DCT matrix, row-major.
///
/// Stable API for fused kernels: build once, call [`DctMatrix::apply`]
/// per frame.
#[derive(Debug, Clone, PartialEq)]
pub struct DctMatrix {
    n_in: usize,
    n_out: usize,
    m: Vec<f64>,
}

/// `cos(pi * num / den)` with the argument reduced exactly in integers, so
/// large products do not lose precision.
#[inline]
fn cos_pi_frac(num: usize, den: usize) -> f64 {
    let r = num % (2 * den);
    (PI * r as f64 / den as f64).cos()
}

impl DctMatrix {
    /// DCT type `dct_type` (1, 2 or 3) of length `n_in`, keeping the first
    /// `n_out` outputs.
    ///
    /// `lifter > 0` multiplies output `k` by `1 + lifter / 2 * sin(pi (k + 1) / lifter)`
    /// (librosa.feature.mfcc's cepstral liftering); `lifter == 0` leaves it.
    pub fn new(
        dct_type: u32,
        n_in: usize,
        n_out: usize,
        norm: DctNorm,
        lifter: f64,
    ) -> DspResult<Self> {
        if !(1..=3).contains(&dct_type) {
            return Err(DspError::param("dct_type", dct_type, "1, 2 or 3"));
        }
        if n_in == 0 {
            return Err(DspError::param("n_in", 0, "a positive length"));
        }
        if dct_type == 1 && n_in < 2 {
            return Err(DspError::param("n_in", n_in, "at least 2 for a type-1 DCT"));
        }
        if n_out == 0 || n_out > n_in {
            return Err(DspError::param(
                "n_out",
                n_out,
                format!("between 1 and the input length {n_in}"),
            ));
        }
        if !lifter.is_finite() || lifter < 0.0 {
            return Err(DspError::param("lifter", lifter, "a finite number >= 0"));
        }
        let n = n_in;
        let nf = n as f64;
        let mut m = vec![0.0; n_out * n_in];
        for k in 0..n_out {
            for j in 0..n_in {
                m[k * n_in + j] = match (dct_type, norm) {
                    (1, _) => {
                        let base = if j == 0 {
                            1.0
                        } else if j == n - 1 {
                            if k % 2 == 0 {
                                1.0
                            } else {
                                -1.0
                            }
                        } else {
                            2.0 * cos_pi_frac(k * j, n - 1)
                        };
                        if norm == DctNorm::Ortho {
                            let mut v = base / (2.0 * (nf - 1.0)).sqrt();
                            if j == 0 || j == n - 1 {
                                v *= 2f64.sqrt();
                            }
                            if k == 0 || k == n - 1 {
                                v /= 2f64.sqrt();
                            }
                            v
                        } else {
                            base
                        }
                    }
                    (2, DctNorm::None) => 2.0 * cos_pi_frac(k * (2 * j + 1), 2 * n),
                    (2, DctNorm::Ortho) => {
                        let scale = if k == 0 {
                            (1.0 / (4.0 * nf)).sqrt()
                        } else {
                            (1.0 / (2.0 * nf)).sqrt()
                        };
                        scale * 2.0 * cos_pi_frac(k * (2 * j + 1), 2 * n)
                    }
                    (_, DctNorm::None) => {
                        if j == 0 {
                            1.0
                        } else {
                            2.0 * cos_pi_frac((2 * k + 1) * j, 2 * n)
                        }
                    }
                    (_, DctNorm::Ortho) => {
                        if j == 0 {
                            1.0 / nf.sqrt()
                        } else {
                            (2.0 / nf).sqrt() * cos_pi_frac((2 * k + 1) * j, 2 * n)
                        }
                    }
                };
            }
        }
        if lifter > 0.0 {
            for k in 0..n_out {
                let gain = 1.0 + (lifter / 2.0) * (PI * (k + 1) as f64 / lifter).sin();
                for v in &mut m[k * n_in..(k + 1) * n_in] {
                    *v *= gain;
                }
            }
        }
        Ok(DctMatrix { n_in, n_out, m })
    }

    /// Input length.
    pub fn n_in(&self) -> usize {
        self.n_in
    }

    /// Number of outputs kept.
    pub fn n_out(&self) -> usize {
        self.n_out
    }

    /// The matrix, `(n_out, n_in)` row-major.
    pub fn matrix(&self) -> &[f64] {
        &self.m
    }

    /// `out[k] = sum_j M[k, j] * x[j]` (`x`: `n_in` values, `out`: `n_out`).
    #[inline]
    pub fn apply(&self, x: &[f64], out: &mut [f64]) {
        debug_assert!(x.len() == self.n_in && out.len() == self.n_out);
        simd::dot_rows(self.m.chunks_exact(self.n_in).map(|r| (0, r)), x, out);
    }

    /// [`Self::apply`] on [`LANES`] vectors at once, one per lane:
    /// `out[k][l] = sum_j M[k, j] * x[j][l]` (`x`: `n_in` rows, `out`:
    /// `n_out` rows). Lanes are independent, so each equals `apply` of its
    /// own vector up to summation order; no horizontal sums are needed.
    #[inline]
    pub fn apply_lanes(&self, x: &[[f64; LANES]], out: &mut [[f64; LANES]]) {
        debug_assert!(x.len() == self.n_in && out.len() == self.n_out);
        #[cfg(target_arch = "x86_64")]
        if simd::has_avx2() {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            return unsafe { apply_lanes_avx2(&self.m, x, out) };
        }
        apply_lanes(&self.m, x, out, |a, b, c| a * b + c);
    }
}

/// Vectors per [`DctMatrix::apply_lanes`] call: two AVX registers of f64.
pub const LANES: usize = 8;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn apply_lanes_avx2(m: &[f64], x: &[[f64; LANES]], out: &mut [[f64; LANES]]) {
    apply_lanes(m, x, out, f64::mul_add);
}

/// Four matrix rows at a time (eight vector accumulators), so each input
/// row is loaded once per four outputs. `fma(a, b, c) = a * b + c`.
#[inline(always)]
fn apply_lanes<G: Fn(f64, f64, f64) -> f64>(
    m: &[f64],
    x: &[[f64; LANES]],
    out: &mut [[f64; LANES]],
    fma: G,
) {
    const R: usize = 4;
    let n_in = x.len();
    let full = out.len() / R * R;
    for (o, rows) in out[..full]
        .chunks_exact_mut(R)
        .zip(m.chunks_exact(R * n_in))
    {
        let mut acc = [[0.0f64; LANES]; R];
        for (j, xv) in x.iter().enumerate() {
            for (i, a) in acc.iter_mut().enumerate() {
                let w = rows[i * n_in + j];
                for l in 0..LANES {
                    a[l] = fma(w, xv[l], a[l]);
                }
            }
        }
        o.copy_from_slice(&acc);
    }
    for (o, row) in out[full..]
        .iter_mut()
        .zip(m[full * n_in..].chunks_exact(n_in))
    {
        let mut a = [0.0f64; LANES];
        for (&w, xv) in row.iter().zip(x) {
            for l in 0..LANES {
                a[l] = fma(w, xv[l], a[l]);
            }
        }
        *o = a;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ortho_type2_is_orthogonal_and_type3_inverts_it() {
        let n = 16;
        let d2 = DctMatrix::new(2, n, n, DctNorm::Ortho, 0.0).unwrap();
        let d3 = DctMatrix::new(3, n, n, DctNorm::Ortho, 0.0).unwrap();
        let (a, b) = (d2.matrix(), d3.matrix());
        for i in 0..n {
            for j in 0..n {
                let dot: f64 = (0..n).map(|k| a[i * n + k] * a[j * n + k]).sum();
                assert!((dot - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
                // DCT-III (ortho) is the transpose of DCT-II (ortho).
                assert!((a[i * n + j] - b[j * n + i]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn ortho_type1_is_orthogonal() {
        let n = 9;
        let d = DctMatrix::new(1, n, n, DctNorm::Ortho, 0.0).unwrap();
        let a = d.matrix();
        for i in 0..n {
            for j in 0..n {
                let dot: f64 = (0..n).map(|k| a[i * n + k] * a[j * n + k]).sum();
                assert!((dot - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn type2_unnormalised_matches_definition_and_truncates() {
        let n = 7;
        let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).sin()).collect();
        let d = DctMatrix::new(2, n, 3, DctNorm::None, 0.0).unwrap();
        let mut out = vec![0.0; 3];
        d.apply(&x, &mut out);
        for (k, o) in out.iter().enumerate() {
            let e: f64 = (0..n)
                .map(|j| 2.0 * x[j] * (PI * k as f64 * (2 * j + 1) as f64 / (2 * n) as f64).cos())
                .sum();
            assert!((o - e).abs() < 1e-12);
        }
        // A constant input has only a DC term.
        d.apply(&[1.0; 7], &mut out);
        assert!((out[0] - 14.0).abs() < 1e-12 && out[1].abs() < 1e-12 && out[2].abs() < 1e-12);
    }

    #[test]
    fn lanes_equal_apply_per_vector() {
        for (n_in, n_out) in [(128usize, 20usize), (40, 13), (7, 7), (5, 1), (6, 3)] {
            let d = DctMatrix::new(2, n_in, n_out, DctNorm::Ortho, 22.0).unwrap();
            let x: Vec<[f64; LANES]> = (0..n_in)
                .map(|j| {
                    std::array::from_fn(|l| ((j * 31 + l * 7) % 17) as f64 - 8.0 + 0.1 * l as f64)
                })
                .collect();
            let mut got = vec![[0.0; LANES]; d.n_out()];
            d.apply_lanes(&x, &mut got);
            for l in 0..LANES {
                let col: Vec<f64> = x.iter().map(|r| r[l]).collect();
                let mut want = vec![0.0; d.n_out()];
                d.apply(&col, &mut want);
                for k in 0..d.n_out() {
                    assert!(
                        (got[k][l] - want[k]).abs() < 1e-12,
                        "{n_in}x{n_out} k={k} l={l}"
                    );
                }
            }
        }
    }

    #[test]
    fn lifter_scales_rows() {
        let plain = DctMatrix::new(2, 8, 4, DctNorm::Ortho, 0.0).unwrap();
        let lift = DctMatrix::new(2, 8, 4, DctNorm::Ortho, 22.0).unwrap();
        for k in 0..4 {
            let g = 1.0 + 11.0 * (PI * (k + 1) as f64 / 22.0).sin();
            for j in 0..8 {
                assert!((lift.matrix()[k * 8 + j] - g * plain.matrix()[k * 8 + j]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(DctMatrix::new(4, 8, 4, DctNorm::Ortho, 0.0).is_err());
        assert!(DctMatrix::new(0, 8, 4, DctNorm::Ortho, 0.0).is_err());
        assert!(DctMatrix::new(2, 8, 9, DctNorm::Ortho, 0.0).is_err());
        assert!(DctMatrix::new(2, 8, 0, DctNorm::Ortho, 0.0).is_err());
        assert!(DctMatrix::new(1, 1, 1, DctNorm::None, 0.0).is_err());
        assert!(DctMatrix::new(2, 8, 4, DctNorm::Ortho, -1.0).is_err());
    }
}
