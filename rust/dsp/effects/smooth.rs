//! Mask smoothing of spectral gating: noisereduce convolves the mask
//! (`mode="same"`, zero outside) with the outer product of two triangular
//! ramps of half-widths `n_freq` and `n_time`, normalised to sum 1.
//!
//! The outer product is separable, so the 2-D convolution is one pass over
//! frequency and one over time. A triangle of length `2n + 1` with values
//! `n + 1 - |d|` is two boxes of length `n + 1` convolved, so the frequency
//! pass is two box sums (each output summed directly, which vectorises).
//! The time pass uses the direct taps (few frames wide), so each output
//! frame depends only on its neighbours and chunked runs equal whole runs
//! bit for bit.

/// Normalised triangular taps `(n + 1 - |d|) / (n + 1)^2`, `d = -n..=n`.
pub fn triangle_taps(n: usize) -> Vec<f64> {
    let m = (n + 1) as f64;
    (0..2 * n + 1)
        .map(|i| (m - (i as f64 - n as f64).abs()) / (m * m))
        .collect()
}

/// Smooths one row of values with the normalised triangle of half-width
/// `n`, zero outside the row (scipy's `"same"` convolution).
pub struct RowSmoother {
    n: usize,
    scale: f64,
    /// The row with `n` zeros on each side.
    padded: Vec<f64>,
    /// The first box's output, `len + n` values.
    box1: Vec<f64>,
}

/// Widest box summed directly; wider ones use running sums.
const DIRECT_MAX: usize = 24;

/// `out[i] = sum(x[i..i + m])` for every `i < out.len()`, each sum taken
/// directly (no running sum: the lanes are independent, so it vectorises
/// instead of waiting on one add chain). `x` has `out.len() + m - 1` values.
#[inline(always)]
fn box_sums(x: &[f64], m: usize, out: &mut [f64]) {
    const L: usize = 16;
    let n = out.len();
    let x = &x[..n + m - 1];
    let full = n - n % L;
    for (i0, o) in (0..full).step_by(L).zip(out.chunks_exact_mut(L)) {
        let mut acc = [0.0f64; L];
        // The window of this block: x[i0 .. i0 + L + m - 1], in bounds
        // because i0 + L <= n. Each term is a fixed-size slice of it.
        for w in x[i0..i0 + L + m - 1].windows(L) {
            let w: &[f64; L] = w.try_into().unwrap();
            for l in 0..L {
                acc[l] += w[l];
            }
        }
        o.copy_from_slice(&acc);
    }
    for (i, o) in out.iter_mut().enumerate().skip(full) {
        *o = x[i..i + m].iter().sum();
    }
}

impl RowSmoother {
    /// A smoother of half-width `n` for rows of `len` values.
    pub fn new(n: usize, len: usize) -> Self {
        let m = (n + 1) as f64;
        RowSmoother {
            n,
            scale: 1.0 / (m * m),
            padded: vec![0.0; len + 2 * n],
            box1: vec![0.0; len + n],
        }
    }

    /// Smooth `row` in place.
    #[inline(always)]
    pub fn apply(&mut self, row: &mut [f64]) {
        let (len, n) = (row.len(), self.n);
        if n == 0 || len == 0 {
            return;
        }
        let m = n + 1;
        if m > DIRECT_MAX {
            return self.apply_running(row);
        }
        // Full convolution with the first box: box1[i] = sum row[i - n..=i]
        // (zero outside), i < len + n, as sums over the zero-padded row.
        self.padded.resize(len + 2 * n, 0.0);
        self.padded[..n].fill(0.0);
        self.padded[n..n + len].copy_from_slice(row);
        self.padded[n + len..].fill(0.0);
        self.box1.resize(len + n, 0.0);
        box_sums(&self.padded, m, &mut self.box1);
        // Second box over box1, kept where the "same" output lies: output
        // k is full-convolution index k + n = sum box1[k..=k + n].
        box_sums(&self.box1, m, row);
        for v in row.iter_mut() {
            *v *= self.scale;
        }
    }

    /// [`Self::apply`] for wide boxes: running sums, O(1) per value.
    #[inline(always)]
    fn apply_running(&mut self, row: &mut [f64]) {
        let (len, n) = (row.len(), self.n);
        let m = n + 1;
        // First box: box1[i] = sum row[i - n..=i] (zero outside), i < len + n,
        // in branch-free segments: growing, sliding, draining.
        self.box1.resize(len + n, 0.0);
        let b1 = &mut self.box1[..len + n];
        let mut acc = 0.0;
        let grow = m.min(len);
        for i in 0..grow {
            acc += row[i];
            b1[i] = acc;
        }
        // Only when the row is shorter than the box.
        b1[grow..m].fill(acc);
        for i in m..len {
            acc += row[i] - row[i - m];
            b1[i] = acc;
        }
        for i in len.max(m)..len + n {
            acc -= row[i - m];
            b1[i] = acc;
        }
        // Second box over box1; output k is full-convolution index k + n.
        let total = len + n;
        let mut acc = 0.0;
        for v in &b1[..n.min(total)] {
            acc += v;
        }
        // Index i = n .. len + 2n - 1 (only the first len are kept).
        for (k, out) in row.iter_mut().enumerate() {
            let i = k + n;
            if i < total {
                acc += b1[i];
            }
            if i >= m {
                acc -= b1[i - m];
            }
            *out = acc * self.scale;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(row: &[f64], n: usize) -> Vec<f64> {
        let taps = triangle_taps(n);
        (0..row.len())
            .map(|k| {
                taps.iter()
                    .enumerate()
                    .map(|(i, w)| {
                        let j = k as isize + i as isize - n as isize;
                        if j >= 0 && (j as usize) < row.len() {
                            w * row[j as usize]
                        } else {
                            0.0
                        }
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn running_boxes_equal_direct_triangle() {
        for len in [1usize, 2, 5, 17, 64] {
            for n in [0usize, 1, 2, 3, 11, 40] {
                let row: Vec<f64> = (0..len).map(|i| ((i * 7 % 5) as f64) * 0.3).collect();
                let mut got = row.clone();
                RowSmoother::new(n, len).apply(&mut got);
                for (a, b) in got.iter().zip(direct(&row, n)) {
                    assert!((a - b).abs() < 1e-12, "len={len} n={n}");
                }
            }
        }
    }

    #[test]
    fn taps_sum_to_one() {
        for n in [0usize, 1, 4, 11] {
            let s: f64 = triangle_taps(n).iter().sum();
            assert!((s - 1.0).abs() < 1e-12);
        }
    }
}
