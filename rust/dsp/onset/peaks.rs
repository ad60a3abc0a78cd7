//! librosa's peak picker (Böck et al., 2012): a sample is a peak when it is
//! the maximum of its window, at least `delta` above the window's mean, and
//! at least `wait` samples after the previous peak.

use crate::error::{DspError, DspResult};

/// The windows and thresholds of [`peak_pick`], in samples.
#[derive(Debug, Clone, Copy)]
pub struct PeakWindows {
    pub pre_max: usize,
    /// At least 1 (the window includes the sample itself).
    pub post_max: usize,
    pub pre_avg: usize,
    /// At least 1.
    pub post_avg: usize,
    pub delta: f64,
    pub wait: usize,
}

/// Mark the peaks of each row of `x` (`rows` rows, row-major) in `peaks`.
///
/// Sample `n` is a peak when `x[n] == max(x[n - pre_max .. n + post_max])`
/// and `x[n] >= mean(x[n - pre_avg .. n + post_avg]) + delta` (windows
/// clipped to the row); after a peak the next `wait` samples are skipped.
/// The first sample compares with the windows that start at it, as in
/// librosa, and means are plain left-to-right sums as numba computes them.
pub fn peak_pick(x: &[f64], rows: usize, w: &PeakWindows, peaks: &mut [bool]) -> DspResult<()> {
    if w.post_max == 0 {
        return Err(DspError::param("post_max", 0, "a positive integer"));
    }
    if w.post_avg == 0 {
        return Err(DspError::param("post_avg", 0, "a positive integer"));
    }
    if w.delta.is_nan() || w.delta < 0.0 {
        return Err(DspError::param("delta", w.delta, "a non-negative number"));
    }
    if rows == 0 || !x.len().is_multiple_of(rows) || peaks.len() != x.len() {
        return Err(DspError::shape("peaks", x.len(), peaks.len()));
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(DspError::NonFinite {
            what: "peak_pick input",
        });
    }
    let len = x.len() / rows;
    if len == 0 {
        return Ok(());
    }
    for (row, out) in x.chunks_exact(len).zip(peaks.chunks_exact_mut(len)) {
        pick_row(row, w, out);
    }
    Ok(())
}

fn window_max(x: &[f64]) -> f64 {
    x.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

fn window_mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn pick_row(x: &[f64], w: &PeakWindows, peaks: &mut [bool]) {
    let len = x.len();
    peaks.fill(false);
    peaks[0] = x[0] >= window_max(&x[..w.post_max.min(len)])
        && x[0] >= window_mean(&x[..w.post_avg.min(len)]) + w.delta;
    let mut n = if peaks[0] { w.wait + 1 } else { 1 };
    while n < len {
        let lo = n.saturating_sub(w.pre_max);
        let hi = (n + w.post_max).min(len);
        if x[n] != window_max(&x[lo..hi]) {
            n += 1;
            continue;
        }
        let lo = n.saturating_sub(w.pre_avg);
        let hi = (n + w.post_avg).min(len);
        if x[n] < window_mean(&x[lo..hi]) + w.delta {
            n += 1;
            continue;
        }
        peaks[n] = true;
        n += w.wait + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(pre: usize, post: usize, delta: f64, wait: usize) -> PeakWindows {
        PeakWindows {
            pre_max: pre,
            post_max: post,
            pre_avg: pre,
            post_avg: post,
            delta,
            wait,
        }
    }

    /// The definition, written out per sample without the skipping loop:
    /// a brute-force oracle for `wait = 0`.
    fn oracle(x: &[f64], w: &PeakWindows) -> Vec<bool> {
        (0..x.len())
            .map(|n| {
                let (lo, hi) = if n == 0 {
                    (0, w.post_max.min(x.len()))
                } else {
                    (n.saturating_sub(w.pre_max), (n + w.post_max).min(x.len()))
                };
                let m = x[lo..hi].iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let (alo, ahi) = if n == 0 {
                    (0, w.post_avg.min(x.len()))
                } else {
                    (n.saturating_sub(w.pre_avg), (n + w.post_avg).min(x.len()))
                };
                let avg = x[alo..ahi].iter().sum::<f64>() / (ahi - alo) as f64;
                x[n] >= m && x[n] >= avg + w.delta
            })
            .collect()
    }

    #[test]
    fn matches_the_per_sample_definition_without_wait() {
        let x: Vec<f64> = (0..400)
            .map(|i| ((i as f64) * 0.37).sin() + ((i * 7919 % 31) as f64) * 0.01)
            .collect();
        for (pre, post, delta) in [(3, 1, 0.0), (5, 3, 0.05), (1, 1, 0.2), (10, 10, 0.0)] {
            let w = windows(pre, post, delta, 0);
            let mut got = vec![false; x.len()];
            peak_pick(&x, 1, &w, &mut got).unwrap();
            assert_eq!(got, oracle(&x, &w), "pre={pre} post={post} delta={delta}");
        }
    }

    #[test]
    fn wait_spaces_peaks_and_rows_are_independent() {
        // Two rows: impulses every 3 samples, and the same shifted by one.
        let mut x = vec![0.0; 60];
        for i in (0..30).step_by(3) {
            x[i] = 1.0;
            x[30 + (i + 1) % 30] = 1.0;
        }
        let w = windows(1, 1, 0.1, 4);
        let mut got = vec![false; 60];
        peak_pick(&x, 2, &w, &mut got).unwrap();
        // Sample 0's mean window is itself alone (post_avg = 1), so with
        // delta > 0 it is never a peak, as in librosa; then every other
        // impulse, `wait` = 4 skipping the one in between.
        let first: Vec<usize> = (0..30).filter(|&i| got[i]).collect();
        assert_eq!(first, vec![3, 9, 15, 21, 27]);
        let second: Vec<usize> = (0..30).filter(|&i| got[30 + i]).collect();
        assert_eq!(second, vec![1, 7, 13, 19, 25]);
    }

    #[test]
    fn bad_windows_and_values_are_errors() {
        let x = [0.0, 1.0, 0.0];
        let mut p = [false; 3];
        assert!(peak_pick(&x, 1, &windows(1, 0, 0.0, 0), &mut p).is_err());
        assert!(peak_pick(&x, 1, &windows(1, 1, -1.0, 0), &mut p).is_err());
        assert!(peak_pick(&[0.0, f64::NAN, 0.0], 1, &windows(1, 1, 0.0, 0), &mut p).is_err());
        assert!(peak_pick(&x, 2, &windows(1, 1, 0.0, 0), &mut p).is_err());
    }
}
