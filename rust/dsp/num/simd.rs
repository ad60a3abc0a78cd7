//! Small vector-friendly loops shared by the per-frame kernels.
//!
//! Rust does not reassociate floating-point sums, so a plain `.sum()` of
//! products runs one add at a time. [`dot`] keeps eight independent partial
//! sums (in a fixed order, so results do not depend on threads), which the
//! compiler maps onto vector registers.

/// Partial sums kept by [`dot`].
pub const LANES: usize = 8;

/// `sum_i a[i] * b[i]` over the shorter of the two slices.
#[inline(always)]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for j in 0..LANES {
            acc[j] += x[j] * y[j];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// `sum_i a[i]` with [`LANES`] partial sums (in a fixed order).
#[inline(always)]
pub fn sum(a: &[f64]) -> f64 {
    let mut acc = [0.0f64; LANES];
    let chunks = a.chunks_exact(LANES);
    let tail: f64 = chunks.remainder().iter().sum();
    for x in chunks {
        for j in 0..LANES {
            acc[j] += x[j];
        }
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// `out[i] = dot(w, &x[start..])` for the `i`-th `(start, w)` of `rows`:
/// a sparse or dense matrix applied to one vector, with [`dot_avx2`] when
/// the CPU has AVX2 and FMA and [`dot`] otherwise.
#[inline]
pub fn dot_rows<'a, R>(rows: R, x: &[f64], out: &mut [f64])
where
    R: Iterator<Item = (usize, &'a [f64])>,
{
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        return unsafe { dot_rows_avx2(rows, x, out) };
    }
    for (o, (start, w)) in out.iter_mut().zip(rows) {
        *o = dot(w, &x[start..]);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_rows_avx2<'a, R>(rows: R, x: &[f64], out: &mut [f64])
where
    R: Iterator<Item = (usize, &'a [f64])>,
{
    for (o, (start, w)) in out.iter_mut().zip(rows) {
        *o = dot_avx2(w, &x[start..]);
    }
}

/// Row lengths that [`dot_avx2`] handles without a scalar tail.
pub const PAD: usize = 4;

/// [`dot`] with AVX2 and FMA: two 4-lane accumulators, then a scalar tail.
///
/// # Safety
/// The CPU must support AVX2 and FMA ([`has_avx2`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
pub unsafe fn dot_avx2(a: &[f64], b: &[f64]) -> f64 {
    use std::arch::x86_64::*;
    let n = a.len().min(b.len());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc0 = _mm256_setzero_pd();
    let mut acc1 = _mm256_setzero_pd();
    let mut i = 0;
    // SAFETY (all loads): i + 8 <= n or i + 4 <= n bounds every read.
    while i + 8 <= n {
        acc0 = _mm256_fmadd_pd(_mm256_loadu_pd(pa.add(i)), _mm256_loadu_pd(pb.add(i)), acc0);
        acc1 = _mm256_fmadd_pd(
            _mm256_loadu_pd(pa.add(i + 4)),
            _mm256_loadu_pd(pb.add(i + 4)),
            acc1,
        );
        i += 8;
    }
    if i + 4 <= n {
        acc0 = _mm256_fmadd_pd(_mm256_loadu_pd(pa.add(i)), _mm256_loadu_pd(pb.add(i)), acc0);
        i += 4;
    }
    let acc = _mm256_add_pd(acc0, acc1);
    let pair = _mm_add_pd(_mm256_castpd256_pd128(acc), _mm256_extractf128_pd(acc, 1));
    let mut sum = _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
    while i < n {
        sum = a[i].mul_add(b[i], sum);
        i += 1;
    }
    sum
}

/// Two complex dot products sharing their weights, in one pass:
/// `(sum w * a, sum w * b)` with `w = wr + i wi`, `a = ar + i ai`,
/// `b = br + i bi` (all slices as long as `wr`).
///
/// # Safety
/// The CPU must support AVX2 and FMA ([`has_avx2`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
pub unsafe fn complex_dot2_avx2(
    wr: &[f64],
    wi: &[f64],
    ar: &[f64],
    ai: &[f64],
    br: &[f64],
    bi: &[f64],
) -> ((f64, f64), (f64, f64)) {
    use std::arch::x86_64::*;
    let n = wr.len();
    assert!(wi.len() >= n && ar.len() >= n && ai.len() >= n && br.len() >= n && bi.len() >= n);
    let z = _mm256_setzero_pd();
    // a: re = rr - ii, im = ri + ir; the same for b.
    let (mut a_rr, mut a_ii, mut a_ri, mut a_ir) = (z, z, z, z);
    let (mut b_rr, mut b_ii, mut b_ri, mut b_ir) = (z, z, z, z);
    let mut i = 0;
    // SAFETY (all loads): i + 4 <= n bounds every read (lengths asserted).
    while i + 4 <= n {
        let (w_r, w_i) = (
            _mm256_loadu_pd(wr.as_ptr().add(i)),
            _mm256_loadu_pd(wi.as_ptr().add(i)),
        );
        let (x_r, x_i) = (
            _mm256_loadu_pd(ar.as_ptr().add(i)),
            _mm256_loadu_pd(ai.as_ptr().add(i)),
        );
        a_rr = _mm256_fmadd_pd(w_r, x_r, a_rr);
        a_ii = _mm256_fmadd_pd(w_i, x_i, a_ii);
        a_ri = _mm256_fmadd_pd(w_r, x_i, a_ri);
        a_ir = _mm256_fmadd_pd(w_i, x_r, a_ir);
        let (y_r, y_i) = (
            _mm256_loadu_pd(br.as_ptr().add(i)),
            _mm256_loadu_pd(bi.as_ptr().add(i)),
        );
        b_rr = _mm256_fmadd_pd(w_r, y_r, b_rr);
        b_ii = _mm256_fmadd_pd(w_i, y_i, b_ii);
        b_ri = _mm256_fmadd_pd(w_r, y_i, b_ri);
        b_ir = _mm256_fmadd_pd(w_i, y_r, b_ir);
        i += 4;
    }
    let hsum = |v: __m256d| {
        let pair = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
        _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)))
    };
    let (mut are, mut aim) = (
        hsum(_mm256_sub_pd(a_rr, a_ii)),
        hsum(_mm256_add_pd(a_ri, a_ir)),
    );
    let (mut bre, mut bim) = (
        hsum(_mm256_sub_pd(b_rr, b_ii)),
        hsum(_mm256_add_pd(b_ri, b_ir)),
    );
    while i < n {
        are += wr[i] * ar[i] - wi[i] * ai[i];
        aim += wr[i] * ai[i] + wi[i] * ar[i];
        bre += wr[i] * br[i] - wi[i] * bi[i];
        bim += wr[i] * bi[i] + wi[i] * br[i];
        i += 1;
    }
    ((are, aim), (bre, bim))
}

/// Natural log of a positive normal f64, branch-free so that loops over it
/// vectorise; `x` must be finite, positive and normal.
///
/// `x = 2^e m` with `m` in `[sqrt(1/2), sqrt(2))`; `ln m = 2 atanh(s)`,
/// `s = (m - 1) / (m + 1)`, `|s| <= 0.1716`, summed to `s^23` (truncation
/// below 1e-19 relative). Measured error: a few ulp.
#[inline(always)]
fn ln_normal(x: f64) -> f64 {
    // ln 2 split so that e * LN2_HI is exact for any exponent e.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const MAGIC: f64 = 4_503_599_627_370_496.0; // 2^52
    let bits = x.to_bits();
    // The biased exponent as a float, without an int -> float conversion.
    let mut e = f64::from_bits((bits >> 52) | 0x4330_0000_0000_0000) - (MAGIC + 1023.0);
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let big = m > std::f64::consts::SQRT_2;
    m = if big { m * 0.5 } else { m };
    e = if big { e + 1.0 } else { e };
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let mut p = 1.0 / 23.0;
    for c in [21.0, 19.0, 17.0, 15.0, 13.0, 11.0, 9.0, 7.0, 5.0, 3.0] {
        p = p * z + 1.0 / c;
    }
    let two_s = 2.0 * s;
    e * LN2_HI + (e * LN2_LO + (two_s + two_s * z * p))
}

/// `out[i] = 10 log10(max(amin, x[i]))`: librosa's power_to_db before its
/// `top_db` clamp, vectorised.
pub fn db_into(x: &[f64], amin: f64, out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    let all_normal = if has_avx2() {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        unsafe { db_avx2(x, amin, out) }
    } else {
        db_lanes(x, amin, out)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let all_normal = db_lanes(x, amin, out);
    if !all_normal {
        // The fast log's preconditions failed somewhere (a subnormal amin,
        // an infinite or NaN value): redo those with the library log10.
        for (o, v) in out.iter_mut().zip(x) {
            let a = v.max(amin);
            if !a.is_normal() {
                *o = 10.0 * a.log10();
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn db_avx2(x: &[f64], amin: f64, out: &mut [f64]) -> bool {
    db_lanes(x, amin, out)
}

/// The fast path of [`db_into`]; false when some argument was not a
/// positive normal number.
#[inline(always)]
fn db_lanes(x: &[f64], amin: f64, out: &mut [f64]) -> bool {
    const SCALE: f64 = 10.0 * std::f64::consts::LOG10_E;
    let mut normal = true;
    for (o, v) in out.iter_mut().zip(x) {
        let a = v.max(amin);
        normal &= (f64::MIN_POSITIVE..=f64::MAX).contains(&a);
        *o = SCALE * ln_normal(a);
    }
    normal
}

/// The sum of f32 values, in eight f32 lanes then f64 (for estimates).
#[inline]
pub fn sum_f32(a: &[f32]) -> f64 {
    let mut acc = [0.0f32; 8];
    let chunks = a.chunks_exact(8);
    let tail: f64 = chunks.remainder().iter().map(|&v| v as f64).sum();
    for c in chunks {
        for j in 0..8 {
            acc[j] += c[j];
        }
    }
    acc.iter().map(|&v| v as f64).sum::<f64>() + tail
}

/// The largest value of `a` (0 for empty or all-negative input), vectorised.
#[inline]
pub fn max_f32(a: &[f32]) -> f32 {
    const L: usize = 8;
    let mut acc = [0.0f32; L];
    let chunks = a.chunks_exact(L);
    let mut tail = 0.0f32;
    for &v in chunks.remainder() {
        if v > tail {
            tail = v;
        }
    }
    for c in chunks {
        for j in 0..L {
            acc[j] = if c[j] > acc[j] { c[j] } else { acc[j] };
        }
    }
    acc.iter().fold(tail, |m, &v| if v > m { v } else { m })
}

/// [`dot_rows`] in f32 (weights, input and sums), as librosa computes
/// float32 input: 8-lane FMA over each row, then a scalar tail.
#[inline]
pub fn dot_rows_f32<'a, R>(rows: R, x: &[f32], out: &mut [f32])
where
    R: Iterator<Item = (usize, &'a [f32])>,
{
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        return unsafe { dot_rows_f32_avx2(rows, x, out) };
    }
    for (o, (start, w)) in out.iter_mut().zip(rows) {
        *o = w.iter().zip(&x[start..]).map(|(a, b)| a * b).sum();
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_rows_f32_avx2<'a, R>(rows: R, x: &[f32], out: &mut [f32])
where
    R: Iterator<Item = (usize, &'a [f32])>,
{
    use std::arch::x86_64::*;
    // Eight rows at a time: one accumulator each, then one transposing
    // reduction of all eight (a horizontal sum per row costs more than a
    // short row's products).
    let mut rows = rows;
    for o in out.chunks_mut(8) {
        let mut acc = [_mm256_setzero_ps(); 8];
        let mut tails = [0.0f32; 8];
        for (j, (start, w)) in rows.by_ref().take(o.len()).enumerate() {
            let xs = &x[start..start + w.len()];
            let n8 = w.len() / 8 * 8;
            let mut a = _mm256_setzero_ps();
            let mut i = 0;
            while i < n8 {
                let (wv, xv) = (
                    _mm256_loadu_ps(w.as_ptr().add(i)),
                    _mm256_loadu_ps(xs.as_ptr().add(i)),
                );
                a = _mm256_fmadd_ps(wv, xv, a);
                i += 8;
            }
            acc[j] = a;
            for (p, q) in w[n8..].iter().zip(&xs[n8..]) {
                tails[j] += p * q;
            }
        }
        let t0 = _mm256_hadd_ps(acc[0], acc[1]);
        let t1 = _mm256_hadd_ps(acc[2], acc[3]);
        let t2 = _mm256_hadd_ps(acc[4], acc[5]);
        let t3 = _mm256_hadd_ps(acc[6], acc[7]);
        let (u0, u1) = (_mm256_hadd_ps(t0, t1), _mm256_hadd_ps(t2, t3));
        // u0 = [rows 0-3 low halves | rows 0-3 high halves], u1 the same for 4-7.
        let sums = _mm256_add_ps(
            _mm256_permute2f128_ps::<0x20>(u0, u1),
            _mm256_permute2f128_ps::<0x31>(u0, u1),
        );
        let mut s = [0.0f32; 8];
        _mm256_storeu_ps(s.as_mut_ptr(), sums);
        for (j, v) in o.iter_mut().enumerate() {
            *v = s[j] + tails[j];
        }
    }
}

/// Natural log of a positive normal f32 to about 2 ulp, branch-free
/// ([`ln_normal`] with the series cut where f32 stops resolving it:
/// truncation below 1e-9 relative).
#[inline(always)]
fn ln_normal_f32(x: f32) -> f32 {
    // ln 2 split so that e * LN2_HI is exact for any exponent e.
    const LN2_HI: f32 = f32::from_bits(0x3f31_7200);
    const LN2_LO: f32 = f32::from_bits(0x35bf_be8e);
    let bits = x.to_bits();
    let mut e = ((bits >> 23) as i32 - 127) as f32;
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let big = m > std::f32::consts::SQRT_2;
    m = if big { m * 0.5 } else { m };
    e = if big { e + 1.0 } else { e };
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let p = 1.0 / 3.0 + z * (1.0 / 5.0 + z * (1.0 / 7.0 + z * (1.0 / 9.0 + z * (1.0 / 11.0))));
    let two_s = 2.0 * s;
    e * LN2_HI + (e * LN2_LO + (two_s + two_s * z * p))
}

/// [`db_into`] of f32 values computed in f32 (librosa's float32
/// `power_to_db`), widened into `out`; `amin` is rounded to f32 as numpy
/// does when comparing it with a float32 array.
pub fn db_into_f32(x: &[f32], amin: f64, out: &mut [f64]) {
    let a32 = amin as f32;
    #[cfg(target_arch = "x86_64")]
    let all_normal = if has_avx2() {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        unsafe { db32_avx2(x, a32, out) }
    } else {
        db32_lanes(x, a32, out)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let all_normal = db32_lanes(x, a32, out);
    if !all_normal {
        // A subnormal amin, an infinite or NaN value: the library log10.
        for (o, v) in out.iter_mut().zip(x) {
            let a = v.max(a32);
            if !a.is_normal() {
                *o = 10.0 * (a as f64).log10();
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn db32_avx2(x: &[f32], amin: f32, out: &mut [f64]) -> bool {
    db32_lanes(x, amin, out)
}

#[inline(always)]
fn db32_lanes(x: &[f32], amin: f32, out: &mut [f64]) -> bool {
    const SCALE: f32 = 10.0 * std::f32::consts::LOG10_E;
    let mut normal = true;
    for (o, v) in out.iter_mut().zip(x) {
        let a = v.max(amin);
        normal &= (f32::MIN_POSITIVE..=f32::MAX).contains(&a);
        *o = (SCALE * ln_normal_f32(a)) as f64;
    }
    normal
}

/// True when the running CPU has AVX2 and FMA (the check is cached by std).
#[inline(always)]
pub fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_naive_sum_for_all_tail_lengths() {
        for n in 0..40 {
            let a: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).sin()).collect();
            let b: Vec<f64> = (0..n).map(|i| 1.0 + (i % 5) as f64).collect();
            let want: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - want).abs() < 1e-12, "n={n}");
        }
        assert_eq!(dot(&[1.0, 2.0, 3.0], &[4.0, 5.0]), 14.0);
    }

    #[test]
    fn f32_db_and_dot_rows_match_f64() {
        let x: Vec<f32> = (0..4000)
            .map(|i| 10f32.powf(-45.0 + i as f32 * 0.021) * (1.0 + (i % 7) as f32 * 0.1))
            .chain([
                0.0,
                1.0,
                f32::MIN_POSITIVE,
                f32::MAX,
                f32::INFINITY,
                f32::NAN,
                -3.0,
            ])
            .collect();
        for amin in [1e-10, 1e-30, 1e-45, 0.0] {
            let mut got = vec![0.0; x.len()];
            db_into_f32(&x, amin, &mut got);
            for (g, v) in got.iter().zip(&x) {
                let want = 10.0 * (v.max(amin as f32) as f64).log10();
                if want.is_finite() && want != 0.0 {
                    assert!((g - want).abs() <= 4e-7 * want.abs(), "{v}: {g} vs {want}");
                } else {
                    assert!(
                        g == &want || (g.is_nan() && want.is_nan()),
                        "{v}: {g} vs {want}"
                    );
                }
            }
        }
        let w: Vec<f32> = (0..37).map(|i| 0.5 + i as f32 * 0.01).collect();
        let xs: Vec<f32> = (0..60).map(|i| (i as f32 * 0.37).sin()).collect();
        for len in [0usize, 1, 7, 8, 9, 16, 23, 37] {
            for start in [0usize, 3, 20] {
                let mut out = [0.0f32];
                dot_rows_f32(std::iter::once((start, &w[..len])), &xs, &mut out);
                let want: f64 = (0..len).map(|i| w[i] as f64 * xs[start + i] as f64).sum();
                assert!(
                    (out[0] as f64 - want).abs() < 1e-5,
                    "len {len} start {start}"
                );
            }
        }
    }

    #[test]
    fn db_matches_library_log10() {
        let mut x: Vec<f64> = (0..2000)
            .map(|i| 10f64.powf(-12.0 + 24.0 * (i as f64 * 0.618_034).fract()))
            .collect();
        x.extend([
            0.0,
            1.0,
            2.0,
            0.5,
            std::f64::consts::SQRT_2,
            f64::MAX,
            f64::MIN_POSITIVE,
            1e-310,
            f64::INFINITY,
            f64::NAN,
            -3.0,
        ]);
        for amin in [1e-10, 1e-320] {
            let mut out = vec![0.0; x.len()];
            db_into(&x, amin, &mut out);
            for (v, o) in x.iter().zip(&out) {
                let want = 10.0 * v.max(amin).log10();
                if want.is_nan() {
                    assert!(o.is_nan(), "{v}");
                } else if want.is_infinite() {
                    assert_eq!(*o, want, "{v}");
                } else {
                    assert!(
                        (o - want).abs() <= 4e-15 * want.abs().max(1.0),
                        "{v}: {o} vs {want}"
                    );
                }
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_complex_dot2_matches_naive() {
        if !has_avx2() {
            return;
        }
        for n in 0..23 {
            let v =
                |s: f64| -> Vec<f64> { (0..n).map(|i| ((i as f64 + s) * 0.37).sin()).collect() };
            let (wr, wi, ar, ai, br, bi) = (v(0.1), v(1.2), v(2.3), v(3.4), v(4.5), v(5.6));
            let want = |xr: &[f64], xi: &[f64]| {
                (0..n).fold((0.0, 0.0), |(re, im), j| {
                    (
                        re + wr[j] * xr[j] - wi[j] * xi[j],
                        im + wr[j] * xi[j] + wi[j] * xr[j],
                    )
                })
            };
            // SAFETY: AVX2 and FMA are present (checked above).
            let (a, b) = unsafe { complex_dot2_avx2(&wr, &wi, &ar, &ai, &br, &bi) };
            let (wa, wb) = (want(&ar, &ai), want(&br, &bi));
            for (g, w) in [(a.0, wa.0), (a.1, wa.1), (b.0, wb.0), (b.1, wb.1)] {
                assert!((g - w).abs() < 1e-12, "n={n}: {g} vs {w}");
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_dot_matches_naive_sum() {
        if !has_avx2() {
            return;
        }
        for n in 0..40 {
            let a: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).sin()).collect();
            let b: Vec<f64> = (0..n + 3).map(|i| 1.0 + (i % 5) as f64).collect();
            let want: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            // SAFETY: AVX2 and FMA are present (checked above).
            let got = unsafe { dot_avx2(&a, &b) };
            assert!((got - want).abs() < 1e-12, "n={n}");
        }
    }
}
