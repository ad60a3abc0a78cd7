//! Savitzky-Golay derivative filters (scipy.signal.savgol_filter semantics),
//! the engine of librosa.feature.delta.
//!
//! A filter of odd `width` fits a polynomial of degree `polyorder` by least
//! squares to each window and evaluates its `deriv`-th derivative. The fit is
//! linear in the data, so the whole filter is a `width x width` operator
//! `op`: row `j` gives the derivative at position `j` of a window. The
//! interior uses the centre row as a correlation kernel; mode "interp" uses
//! the other rows for the first and last `width / 2` samples, which is
//! exactly scipy's polynomial fit over the first/last `width` samples.

use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::{for_each_range, SharedMut};
use crate::dsp::spectrum::pad::PadMode;
use crate::error::{DspError, DspResult};

/// Work (multiply-adds) below which a call stays on the calling thread.
const MIN_WORK_PER_TASK: usize = 1 << 17;

/// How samples beyond the ends are treated (scipy.signal.savgol_filter's `mode`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EdgeMode {
    /// Polynomial fit over the first/last `width` samples (needs `n >= width`).
    Interp,
    /// Reflect about the edge sample without repeating it (`d c b | a b c d`).
    Mirror,
    /// Repeat the edge sample.
    Nearest,
    /// Periodic continuation.
    Wrap,
    /// A constant value.
    Constant(f64),
}

/// A Savitzky-Golay derivative filter.
///
/// Holds the orthonormal polynomial basis `Q` (`np x width`, `np =
/// polyorder + 1`) and the triangular `R` of the fit instead of the full
/// `width x width` operator, so memory is `O(np * width)`: the interior
/// kernel is stored, and the few edge rows mode "interp" needs are
/// evaluated from `Q` and `R` on the fly.
#[derive(Debug, Clone, PartialEq)]
pub struct SavgolFilter {
    width: usize,
    deriv: usize,
    /// Positions are divided by this before taking powers (conditioning).
    scale: f64,
    /// `delta ** deriv`, dividing every weight.
    dscale: f64,
    /// `np x width`, row-major: row `k` is the k-th orthonormal basis vector.
    q: Vec<f64>,
    /// `np x np`, upper triangular (`r[j * np + k]`, `j <= k`).
    r: Vec<f64>,
    /// The centre row (the interior correlation kernel).
    centre: Vec<f64>,
}

/// A zeroed `Vec` of `n` values, or a refusal naming `what` if it cannot be allocated.
fn zeroed(n: usize, what: &'static str) -> DspResult<Vec<f64>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| DspError::param(what, n, "a size that fits in memory"))?;
    v.resize(n, 0.0);
    Ok(v)
}

impl SavgolFilter {
    /// The filter fitting degree-`polyorder` polynomials over odd `width`
    /// samples spaced `delta` apart and returning the `deriv`-th derivative.
    pub fn new(width: usize, polyorder: usize, deriv: usize, delta: f64) -> DspResult<Self> {
        if width == 0 || width.is_multiple_of(2) {
            return Err(DspError::param("width", width, "an odd positive integer"));
        }
        if polyorder >= width {
            return Err(DspError::param(
                "polyorder",
                polyorder,
                format!("less than width={width}"),
            ));
        }
        if !delta.is_finite() || delta <= 0.0 {
            return Err(DspError::param("delta", delta, "a finite number > 0"));
        }
        let half = width / 2;
        let np = polyorder + 1;
        // Positions relative to the centre, scaled into [-1, 1] for conditioning.
        let scale = half.max(1) as f64;
        let pos = |i: usize| i as f64 - half as f64;
        // Vandermonde columns u^k, orthonormalised (Gram-Schmidt, twice for
        // stability): V = Q R with Q (width x np) column-major.
        let mut q = zeroed(np.saturating_mul(width), "width * (polyorder + 1)")?;
        let mut r = zeroed(np.saturating_mul(np), "polyorder")?;
        let mut v = zeroed(width, "width")?;
        for k in 0..np {
            for (i, vi) in v.iter_mut().enumerate() {
                *vi = (pos(i) / scale).powi(k as i32);
            }
            for _ in 0..2 {
                for j in 0..k {
                    let qj = &q[j * width..(j + 1) * width];
                    let dot: f64 = qj.iter().zip(&v).map(|(a, b)| a * b).sum();
                    r[j * np + k] += dot;
                    for (vi, qi) in v.iter_mut().zip(qj) {
                        *vi -= dot * qi;
                    }
                }
            }
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            r[k * np + k] = norm;
            for (qi, vi) in q[k * width..(k + 1) * width].iter_mut().zip(&v) {
                *qi = vi / norm;
            }
        }
        let mut f = SavgolFilter {
            width,
            deriv,
            scale,
            dscale: delta.powi(deriv as i32),
            q,
            r,
            centre: Vec::new(),
        };
        let z = f.coefficients(half);
        let mut centre = v;
        f.expand(&z, &mut centre);
        f.centre = centre;
        Ok(f)
    }

    /// Number of basis polynomials (`polyorder + 1`).
    fn n_poly(&self) -> usize {
        self.q.len() / self.width
    }

    /// `z` with `R^T z = g`, `g[k]` the `deriv`-th derivative of
    /// `(t / scale)^k` at window position `j`: row `j` of the operator is `Q z`.
    fn coefficients(&self, j: usize) -> Vec<f64> {
        let np = self.n_poly();
        let t = j as f64 - (self.width / 2) as f64;
        let mut z = vec![0.0f64; np];
        for k in 0..np {
            let g = if k < self.deriv {
                0.0
            } else {
                let falling: f64 = ((k - self.deriv + 1)..=k).map(|f| f as f64).product();
                falling * t.powi((k - self.deriv) as i32) / self.scale.powi(k as i32)
            };
            let s: f64 = (0..k).map(|i| self.r[i * np + k] * z[i]).sum();
            z[k] = (g - s) / self.r[k * np + k];
        }
        z
    }

    /// Row weights `Q z / dscale` into `row` (`width` values).
    fn expand(&self, z: &[f64], row: &mut [f64]) {
        let w = self.width;
        for (i, o) in row.iter_mut().enumerate() {
            let v: f64 = z
                .iter()
                .enumerate()
                .map(|(k, zk)| self.q[k * w + i] * zk)
                .sum();
            *o = v / self.dscale;
        }
    }

    /// `Q^T x` for one window `x` of `width` samples.
    fn project<T: Float>(&self, x: &[T]) -> Vec<f64> {
        let w = self.width;
        (0..self.n_poly())
            .map(|k| {
                self.q[k * w..(k + 1) * w]
                    .iter()
                    .zip(x)
                    .map(|(a, b)| a * b.wide())
                    .sum()
            })
            .collect()
    }

    /// Window length.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The correlation kernel applied in the interior: `y[i] = sum_j c[j] x[i - width/2 + j]`.
    pub fn kernel(&self) -> &[f64] {
        &self.centre
    }

    /// Row `j` of the `width x width` operator (weights for position `j`
    /// of a window), computed on demand.
    pub fn row(&self, j: usize) -> Vec<f64> {
        let mut out = vec![0.0; self.width];
        self.expand(&self.coefficients(j), &mut out);
        out
    }

    /// Filter one row `x` into `out` (same length).
    pub fn apply_row<T: Float, O: Float>(
        &self,
        x: &[T],
        mode: EdgeMode,
        out: &mut [O],
    ) -> DspResult<()> {
        let (n, w, h) = (x.len(), self.width, self.width / 2);
        if out.len() != n {
            return Err(DspError::shape("delta output", n, out.len()));
        }
        let c = self.kernel();
        let pad = match mode {
            EdgeMode::Interp => {
                if n < w {
                    return Err(DspError::param(
                        "width",
                        w,
                        format!("at most the data length {n} when mode='interp'"),
                    ));
                }
                None
            }
            EdgeMode::Mirror => Some((PadMode::Reflect, 0.0)),
            EdgeMode::Nearest => Some((PadMode::Edge, 0.0)),
            EdgeMode::Wrap => Some((PadMode::Wrap, 0.0)),
            EdgeMode::Constant(v) => Some((PadMode::Constant, v)),
        };
        let dot = |row: &[f64], src: &[T]| -> f64 {
            row.iter().zip(src).map(|(a, b)| a * b.wide()).sum()
        };
        let (lo, hi) = (h.min(n), n.saturating_sub(h).max(h.min(n)));
        for i in lo..hi {
            out[i] = O::narrow(dot(c, &x[i - h..i + h + 1]));
        }
        match pad {
            None => {
                // Row j of the operator applied to a window is z_j . (Q^T x).
                let edge = |j: usize, qx: &[f64]| -> f64 {
                    let z = self.coefficients(j);
                    z.iter().zip(qx).map(|(a, b)| a * b).sum::<f64>() / self.dscale
                };
                let head = self.project(&x[..w]);
                for (i, o) in out[..h].iter_mut().enumerate() {
                    *o = O::narrow(edge(i, &head));
                }
                let tail = self.project(&x[n - w..]);
                for (p, o) in (h + 1..w).zip(out[n - h..].iter_mut()) {
                    *o = O::narrow(edge(p, &tail));
                }
            }
            Some((pm, cval)) => {
                let at = |k: isize| pm.source_index(k, n).map_or(cval, |s| x[s].wide());
                for i in (0..lo).chain(hi..n) {
                    let v: f64 = c
                        .iter()
                        .enumerate()
                        .map(|(j, cj)| cj * at(i as isize - h as isize + j as isize))
                        .sum();
                    out[i] = O::narrow(v);
                }
            }
        }
        Ok(())
    }

    /// Filter each of the rows of `x` (`n_rows x n`, row-major) into `out`.
    pub fn apply_rows<T: Float, O: Float>(
        &self,
        x: &[T],
        n: usize,
        mode: EdgeMode,
        out: &mut [O],
    ) -> DspResult<()> {
        if out.len() != x.len() {
            return Err(DspError::shape("delta output", x.len(), out.len()));
        }
        if n == 0 {
            return Ok(());
        }
        if !x.len().is_multiple_of(n) {
            return Err(DspError::shape(
                "delta input",
                format!("a multiple of {n} values"),
                x.len(),
            ));
        }
        let n_rows = x.len() / n;
        if mode == EdgeMode::Interp && n < self.width {
            return Err(DspError::param(
                "width",
                self.width,
                format!("at most the data length {n} when mode='interp'"),
            ));
        }
        let dst = SharedMut::new(out);
        let min_chunk = (MIN_WORK_PER_TASK / (n * self.width)).max(1);
        for_each_range(n_rows, min_chunk, |rows| {
            let mut buf = vec![O::default(); n];
            for r in rows {
                // Cannot fail: lengths and mode were checked above.
                let _ = self.apply_row(&x[r * n..(r + 1) * n], mode, &mut buf);
                for (i, v) in buf.iter().enumerate() {
                    // SAFETY: row r belongs to this task only.
                    unsafe { dst.write(r * n + i, *v) };
                }
            }
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_derivative_kernel_closed_form() {
        // Linear fit: c_k = k / sum(k^2) over k = -h..h.
        let f = SavgolFilter::new(9, 1, 1, 1.0).unwrap();
        let denom: f64 = (-4i32..=4).map(|k| (k * k) as f64).sum();
        for (j, c) in f.kernel().iter().enumerate() {
            assert!((c - (j as f64 - 4.0) / denom).abs() < 1e-14);
        }
    }

    #[test]
    fn exact_on_polynomials_including_edges() {
        // A quadratic's derivatives are reproduced everywhere by a degree-2 fit.
        let x: Vec<f64> = (0..20)
            .map(|i| 0.5 * (i * i) as f64 - 3.0 * i as f64 + 2.0)
            .collect();
        let d1 = SavgolFilter::new(7, 2, 1, 1.0).unwrap();
        let d2 = SavgolFilter::new(7, 2, 2, 1.0).unwrap();
        let mut y = vec![0.0f64; 20];
        d1.apply_row(&x, EdgeMode::Interp, &mut y).unwrap();
        for (i, v) in y.iter().enumerate() {
            assert!((v - (i as f64 - 3.0)).abs() < 1e-10, "i={i} v={v}");
        }
        d2.apply_row(&x, EdgeMode::Interp, &mut y).unwrap();
        assert!(y.iter().all(|v| (v - 1.0).abs() < 1e-10));
        // Spacing divides the derivative.
        let d1h = SavgolFilter::new(7, 2, 1, 0.5).unwrap();
        d1h.apply_row(&x, EdgeMode::Interp, &mut y).unwrap();
        assert!((y[10] - 2.0 * 7.0).abs() < 1e-10);
    }

    #[test]
    fn derivative_above_polyorder_is_zero() {
        let f = SavgolFilter::new(5, 1, 2, 1.0).unwrap();
        assert!((0..5).all(|j| f.row(j).iter().all(|v| *v == 0.0)));
    }

    #[test]
    fn edge_rows_fit_polynomials_at_their_position() {
        // Row j of a degree-2 derivative operator differentiates any quadratic
        // exactly at position j (edges included), for a wide window.
        let w = 41usize;
        let f = SavgolFilter::new(w, 2, 1, 1.0).unwrap();
        let x: Vec<f64> = (0..w).map(|i| (i * i) as f64 * 0.25 + i as f64).collect();
        for j in [0usize, 1, 7, 20, 33, 40] {
            let d: f64 = f.row(j).iter().zip(&x).map(|(a, b)| a * b).sum();
            assert!((d - (0.5 * j as f64 + 1.0)).abs() < 1e-8, "j={j} d={d}");
        }
        assert_eq!(f.row(20), f.kernel().to_vec());
    }

    #[test]
    fn wide_filter_memory_is_linear_in_width() {
        // width 40001 would need 12.8 GB as a dense operator.
        let f = SavgolFilter::new(40001, 1, 1, 1.0).unwrap();
        assert_eq!(
            f.q.len() + f.r.len() + f.centre.len(),
            2 * 40001 + 4 + 40001
        );
    }

    #[test]
    fn padded_modes() {
        let x = [1.0f64, 2.0, 4.0, 8.0];
        let f = SavgolFilter::new(3, 1, 1, 1.0).unwrap();
        let mut y = [0.0f64; 4];
        let cases = [
            (EdgeMode::Nearest, [0.5, 1.5, 3.0, 2.0]),
            (EdgeMode::Constant(0.0), [1.0, 1.5, 3.0, -2.0]),
            (EdgeMode::Wrap, [-3.0, 1.5, 3.0, -1.5]),
            (EdgeMode::Mirror, [0.0, 1.5, 3.0, 0.0]),
        ];
        for (mode, expect) in cases {
            f.apply_row(&x, mode, &mut y).unwrap();
            for (a, b) in y.iter().zip(expect) {
                assert!((a - b).abs() < 1e-12, "{mode:?}: {y:?}");
            }
        }
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(SavgolFilter::new(4, 1, 1, 1.0).is_err());
        assert!(SavgolFilter::new(3, 3, 1, 1.0).is_err());
        assert!(SavgolFilter::new(3, 1, 1, 0.0).is_err());
        let f = SavgolFilter::new(5, 1, 1, 1.0).unwrap();
        let mut y = [0.0f64; 3];
        assert!(f
            .apply_row(&[1.0f64, 2.0, 3.0], EdgeMode::Interp, &mut y)
            .is_err());
        assert!(f
            .apply_row(&[1.0f64, 2.0, 3.0], EdgeMode::Nearest, &mut y)
            .is_ok());
    }
}
