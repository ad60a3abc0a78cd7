//! librosa's dynamic-programming beat tracker (Ellis, 2007), step for step
//! as librosa 0.11's numba kernels run it, in the envelope's precision:
//! local score (the normalised onset envelope smoothed by a Gaussian one
//! beat period wide), the DP over predecessors between half and two
//! periods back, the last beat (the latest local maximum of the cumulative
//! score above half their median), the backtrace, and trimming of weak
//! leading and trailing beats.
//!
//! The precisions follow numba's: accumulations are stored in `T` after
//! every step, `ln(period)` is taken in `T`, `tightness` is a float32, and
//! scores are compared in f64.

use crate::dsp::num::float::Float;
use crate::error::{DspError, DspResult};

/// Beats of one normalised onset envelope.
///
/// `frames_per_beat` holds one period (in frames, a whole number) or one
/// per envelope frame. Returns a mask of beat frames.
pub fn track_beats<T: Float>(
    env: &[T],
    frames_per_beat: &[f64],
    tightness: f64,
    trim: bool,
) -> DspResult<Vec<bool>> {
    let n = env.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    if !(frames_per_beat.len() == 1 || frames_per_beat.len() == n) {
        return Err(DspError::shape("frames_per_beat", n, frames_per_beat.len()));
    }
    if frames_per_beat
        .iter()
        .any(|&f| !(f.is_finite() && f >= 1.0))
    {
        return Err(DspError::param(
            "bpm",
            "[...]",
            "a tempo of at least one frame per beat",
        ));
    }
    if tightness.is_nan() || tightness <= 0.0 {
        return Err(DspError::param("tightness", tightness, "strictly positive"));
    }
    if !T::all_finite(env) {
        return Err(DspError::NonFinite {
            what: "onset envelope",
        });
    }
    let fpb: Vec<T> = frames_per_beat.iter().map(|&f| T::narrow(f)).collect();
    let local = local_score(env, &fpb);
    let (backlink, cumscore) = dp(&local, &fpb, f64::from(tightness as f32));
    let tail = last_beat(&cumscore);
    let mut beats = vec![false; n];
    let mut i = tail as i64;
    while i >= 0 {
        beats[i as usize] = true;
        i = backlink[i as usize];
    }
    trim_beats(&local, &mut beats, trim);
    Ok(beats)
}

/// The Gaussian window of one period `f`: `exp(-0.5 (k * 32 / f)^2)`, `k = -f..=f`.
fn window(f: f64) -> Vec<f64> {
    let len = (2.0 * f + 1.0) as usize;
    (0..len)
        .map(|j| (-0.5 * ((j as f64 - f) * 32.0 / f).powi(2)).exp())
        .collect()
}

fn local_score<T: Float>(env: &[T], fpb: &[T]) -> Vec<T> {
    let n = env.len() as i64;
    let fixed = (fpb.len() == 1).then(|| window(fpb[0].wide()));
    (0..n)
        .map(|i| {
            let owned;
            let w = match &fixed {
                Some(w) => w,
                None => {
                    owned = window(fpb[i as usize].wide());
                    &owned
                }
            };
            let k_len = w.len() as i64;
            let half = k_len / 2;
            let mut acc = T::zero();
            for k in (i + half - n + 1).max(0)..(i + half).min(k_len) {
                acc = T::narrow(acc.wide() + w[k as usize] * env[(i + half - k) as usize].wide());
            }
            acc
        })
        .collect()
}

fn dp<T: Float>(local: &[T], fpb: &[T], tightness: f64) -> (Vec<i64>, Vec<T>) {
    let n = local.len();
    let max = local.iter().fold(T::neg_infinity(), |m, &v| m.max(v));
    let thresh = 0.01 * max.wide();
    let varying = fpb.len() > 1;
    let mut backlink = vec![-1i64; n];
    let mut cumscore = vec![T::zero(); n];
    cumscore[0] = local[0];
    let mut first_beat = true;
    for (i, &score_i) in local.iter().enumerate() {
        let f = fpb[if varying { i } else { 0 }];
        let log_f = f.ln().wide();
        let start = i as i64 - (f.wide() / 2.0).round_ties_even() as i64;
        let stop = i as i64 - 2 * f.wide() as i64 - 1;
        let (mut best, mut location) = (f64::NEG_INFINITY, -1i64);
        let mut loc = start;
        while loc > stop {
            if loc < 0 {
                break;
            }
            let gap = ((i as i64 - loc) as f64).ln() - log_f;
            let score = cumscore[loc as usize].wide() - tightness * gap * gap;
            if score > best {
                best = score;
                location = loc;
            }
            loc -= 1;
        }
        cumscore[i] = if location >= 0 {
            T::narrow(score_i.wide() + best)
        } else {
            score_i
        };
        if first_beat && score_i.wide() < thresh {
            backlink[i] = -1;
        } else {
            backlink[i] = location;
            first_beat = false;
        }
    }
    (backlink, cumscore)
}

/// The latest local maximum of `cumscore` at least half the median of all
/// local maxima (librosa's `__last_beat`); the last frame when none is.
fn last_beat<T: Float>(cumscore: &[T]) -> usize {
    let n = cumscore.len();
    // librosa.util.localmax: x[i] > x[i-1] and x[i] >= x[i+1]; the first
    // frame never, the last when it exceeds its neighbour.
    let is_max = |i: usize| -> bool {
        if i == 0 || n < 2 {
            false
        } else if i == n - 1 {
            cumscore[i] > cumscore[i - 1]
        } else {
            cumscore[i] > cumscore[i - 1] && cumscore[i] >= cumscore[i + 1]
        }
    };
    let mut peaks: Vec<T> = (0..n).filter(|&i| is_max(i)).map(|i| cumscore[i]).collect();
    if peaks.is_empty() {
        return n - 1;
    }
    peaks.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let h = peaks.len() / 2;
    let median = if peaks.len() % 2 == 1 {
        peaks[h]
    } else {
        T::narrow(peaks[h - 1].wide() + peaks[h].wide()) / T::narrow(2.0)
    };
    let threshold = T::narrow(0.5 * median.wide());
    (0..n)
        .rev()
        .find(|&i| is_max(i) && cumscore[i] >= threshold)
        .unwrap_or(n - 1)
}

/// Drop leading and trailing frames whose local score is at most half the
/// RMS of the beats' Hann-smoothed local scores (0 without `trim`).
fn trim_beats<T: Float>(local: &[T], beats: &mut [bool], trim: bool) {
    let n = local.len();
    let threshold = if trim {
        let v: Vec<f64> = (0..n)
            .filter(|&i| beats[i])
            .map(|i| local[i].wide())
            .collect();
        // np.convolve(v, np.hanning(5))[2 : n + 2]; np.hanning(5) = [0, .5, 1, .5, 0].
        let w = [0.0, 0.5, 1.0, 0.5, 0.0];
        let full = v.len() + w.len() - 1;
        let end = (n + 2).min(full);
        let smooth: Vec<f64> = (2..end.max(2))
            .map(|j| {
                let mut acc = 0.0;
                for (k, &wk) in w.iter().enumerate() {
                    if j >= k && j - k < v.len() {
                        acc += v[j - k] * wk;
                    }
                }
                acc
            })
            .collect();
        if smooth.is_empty() {
            0.0
        } else {
            0.5 * (smooth.iter().map(|s| s * s).sum::<f64>() / smooth.len() as f64).sqrt()
        }
    } else {
        0.0
    };
    let mut i = 0;
    while i < n && local[i].wide() <= threshold {
        beats[i] = false;
        i += 1;
    }
    let mut i = n as i64 - 1;
    while i >= 0 && local[i as usize].wide() <= threshold {
        beats[i as usize] = false;
        i -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Impulses every `period` frames, slightly smeared.
    fn pulses(n: usize, period: usize, phase: usize) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let d = (i + period - phase % period) % period;
                match d {
                    0 => 1.0,
                    1 => 0.3,
                    _ => 0.01,
                }
            })
            .collect()
    }

    #[test]
    fn a_steady_pulse_gives_beats_one_period_apart() {
        let env = pulses(600, 20, 7);
        let beats = track_beats(&env, &[20.0], 100.0, true).unwrap();
        let at: Vec<usize> = (0..env.len()).filter(|&i| beats[i]).collect();
        // The tail starts at the last strong local maximum of the
        // cumulative score, which may sit between pulses: check the body.
        let body: Vec<usize> = at.iter().copied().filter(|&i| i < 500).collect();
        assert!(body.len() >= 24, "{at:?}");
        assert!(body.iter().all(|&i| i % 20 == 7), "{at:?}");
        assert!(body.windows(2).all(|w| w[1] - w[0] == 20));
    }

    #[test]
    fn a_per_frame_tempo_equal_to_the_fixed_one_gives_the_same_beats() {
        let env = pulses(300, 15, 3);
        let fixed = track_beats(&env, &[15.0], 100.0, true).unwrap();
        let varying = track_beats(&env, &vec![15.0; 300], 100.0, true).unwrap();
        assert_eq!(fixed, varying);
    }

    #[test]
    fn round_half_to_even_of_the_half_period() {
        // np.round(21.5) == 22 and np.round(22.5) == 22.
        assert_eq!((43.0f64 / 2.0).round_ties_even(), 22.0);
        assert_eq!((45.0f64 / 2.0).round_ties_even(), 22.0);
    }

    #[test]
    fn bad_arguments_are_errors() {
        let env = vec![0.5f64; 10];
        assert!(track_beats(&env, &[0.0], 100.0, true).is_err());
        assert!(track_beats(&env, &[5.0, 5.0], 100.0, true).is_err());
        assert!(track_beats(&env, &[5.0], 0.0, true).is_err());
        assert!(track_beats(&[0.0, f64::NAN], &[1.0], 1.0, true).is_err());
    }
}
