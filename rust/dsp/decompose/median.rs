//! Median filtering along one axis of a stack of matrices, with
//! `scipy.ndimage.median_filter`'s window and `mode="reflect"` edges: output
//! `i` is the element of rank `size / 2` among inputs `i - size / 2 ..
//! i - size / 2 + size`, indices mirrored at the ends (`d c b a | a b c d |
//! d c b a`). A sorted window slides along each line (one removal and one
//! insertion per step), so a step costs O(size) moves, not a sort.

use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::{for_each_range, SharedMut};
use crate::error::{DspError, DspResult};
use std::cmp::Ordering;

/// Which axis of each `(rows, cols)` matrix the window runs along.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Along {
    /// Along each row (the last axis: time in a spectrogram).
    Rows,
    /// Along each column (the second-to-last axis: frequency).
    Cols,
}

/// `i` mirrored into `0..n` (half-sample symmetric, period `2n`).
#[inline]
fn reflect(i: isize, n: usize) -> usize {
    let period = 2 * n as isize;
    let m = i.rem_euclid(period) as usize;
    if m >= n {
        2 * n - 1 - m
    } else {
        m
    }
}

/// Median-filter `line` into `out` (same length) with a window of `size`.
fn filter_line<T: Float>(line: &[T], size: usize, window: &mut Vec<T>, out: &mut [T]) {
    let n = line.len();
    debug_assert_eq!(out.len(), n);
    let half = size / 2;
    let at = |i: isize| line[reflect(i, n)];
    let cmp = |a: &T, b: &T| a.partial_cmp(b).unwrap_or(Ordering::Equal);
    window.clear();
    window.extend((0..size).map(|j| at(j as isize - half as isize)));
    window.sort_unstable_by(cmp);
    out[0] = window[half];
    for (i, o) in out.iter_mut().enumerate().skip(1) {
        let leaving = at(i as isize - 1 - half as isize);
        let entering = at(i as isize - half as isize + size as isize - 1);
        // Values are finite, so equal values are interchangeable.
        let pos = window.partition_point(|v| cmp(v, &leaving) == Ordering::Less);
        let ins = window.partition_point(|v| cmp(v, &entering) == Ordering::Less);
        // Shift the run between the two positions by one instead of a
        // remove followed by an insert.
        if ins > pos {
            window.copy_within(pos + 1..ins, pos);
            window[ins - 1] = entering;
        } else {
            window.copy_within(ins..pos, ins + 1);
            window[ins] = entering;
        }
        *o = window[half];
    }
}

/// Median filter of `mats` matrices of `rows x cols` (row-major, one after
/// another) along `along` with a window of `size`, into `out`.
///
/// # Errors
/// `size == 0`, a length that is not `mats * rows * cols`, or a non-finite value.
pub fn median_filter<T: Float>(
    x: &[T],
    mats: usize,
    rows: usize,
    cols: usize,
    size: usize,
    along: Along,
    out: &mut [T],
) -> DspResult<()> {
    if size == 0 {
        return Err(DspError::param("kernel_size", 0, "a positive integer"));
    }
    let total = mats
        .checked_mul(rows)
        .and_then(|v| v.checked_mul(cols))
        .ok_or_else(|| DspError::shape("median_filter input", "a valid shape", x.len()))?;
    if x.len() != total || out.len() != total {
        return Err(DspError::shape("median_filter output", total, out.len()));
    }
    if total == 0 {
        return Ok(());
    }
    if !T::all_finite(x) {
        return Err(DspError::NonFinite {
            what: "median_filter input",
        });
    }
    let dst = SharedMut::new(out);
    match along {
        Along::Rows => {
            for_each_range(mats * rows, (1 << 14) / cols.max(1) + 1, |range| {
                let mut window = Vec::with_capacity(size);
                for r in range {
                    // SAFETY: row r owns out[r * cols..(r + 1) * cols].
                    let o = unsafe { dst.slice_mut(r * cols, cols) };
                    filter_line(&x[r * cols..(r + 1) * cols], size, &mut window, o);
                }
            });
        }
        Along::Cols => {
            for_each_range(mats * cols, (1 << 14) / rows.max(1) + 1, |range| {
                let (mut window, mut line, mut med) = (
                    Vec::with_capacity(size),
                    vec![T::zero(); rows],
                    vec![T::zero(); rows],
                );
                for item in range {
                    let (m, c) = (item / cols, item % cols);
                    let base = m * rows * cols + c;
                    for (r, v) in line.iter_mut().enumerate() {
                        *v = x[base + r * cols];
                    }
                    filter_line(&line, size, &mut window, &mut med);
                    for (r, &v) in med.iter().enumerate() {
                        // SAFETY: column `item` owns these strided elements.
                        unsafe { dst.write(base + r * cols, v) };
                    }
                }
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: sort each padded window.
    fn oracle(line: &[f64], size: usize) -> Vec<f64> {
        let n = line.len();
        (0..n)
            .map(|i| {
                let mut w: Vec<f64> = (0..size)
                    .map(|j| line[reflect(i as isize + j as isize - (size / 2) as isize, n)])
                    .collect();
                w.sort_by(|a, b| a.partial_cmp(b).unwrap());
                w[size / 2]
            })
            .collect()
    }

    #[test]
    fn reflect_mirrors_like_numpy_symmetric() {
        let got: Vec<usize> = (-5..9).map(|i| reflect(i, 4)).collect();
        assert_eq!(got, vec![3, 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0]);
    }

    #[test]
    fn sliding_window_equals_sorting_each_window() {
        let line: Vec<f64> = (0..97)
            .map(|i| (((i * 7919) % 23) as f64) - ((i as f64) * 0.3).sin())
            .collect();
        for size in [1usize, 2, 3, 4, 17, 31, 96, 97, 150, 400] {
            let mut out = vec![0.0; line.len()];
            median_filter(&line, 1, 1, line.len(), size, Along::Rows, &mut out).unwrap();
            assert_eq!(out, oracle(&line, size), "size {size}");
        }
    }

    #[test]
    fn columns_equal_rows_of_the_transpose() {
        let (rows, cols) = (13usize, 9usize);
        let x: Vec<f64> = (0..2 * rows * cols)
            .map(|i| ((i * 31 % 17) as f64) * 0.5)
            .collect();
        let mut by_cols = vec![0.0; x.len()];
        median_filter(&x, 2, rows, cols, 5, Along::Cols, &mut by_cols).unwrap();
        for m in 0..2 {
            for c in 0..cols {
                let col: Vec<f64> = (0..rows)
                    .map(|r| x[m * rows * cols + r * cols + c])
                    .collect();
                let want = oracle(&col, 5);
                for r in 0..rows {
                    assert_eq!(by_cols[m * rows * cols + r * cols + c], want[r]);
                }
            }
        }
    }

    #[test]
    fn bad_input_is_an_error() {
        let mut out = vec![0.0; 4];
        assert!(median_filter(&[0.0; 4], 1, 2, 2, 0, Along::Rows, &mut out).is_err());
        assert!(median_filter(&[0.0; 3], 1, 2, 2, 3, Along::Rows, &mut out).is_err());
        let bad = [0.0, f64::NAN, 1.0, 2.0];
        assert!(median_filter(&bad, 1, 2, 2, 3, Along::Cols, &mut out).is_err());
    }
}
