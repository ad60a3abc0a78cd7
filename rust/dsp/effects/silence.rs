//! Silence detection by frame RMS in decibels, as librosa.effects.trim and
//! split decide it.
//!
//! A frame is non-silent when its RMS (centred frames, zero padding, the
//! mean over `frame_length` samples, as `librosa.feature.rms`) is above
//! `-top_db` decibels relative to a reference, for at least one channel
//! (librosa's default `aggregate=np.max`). Decibels use librosa's
//! `amplitude_to_db` floor: powers below `1e-10` count as `1e-10`.

use crate::dsp::num::float::Float;
use crate::error::{DspError, DspResult};

/// The power floor of `amplitude_to_db` (its `amin=1e-5`, squared).
const POWER_FLOOR: f64 = 1e-10;

/// Number of centred frames of `n` samples (`1 + n / hop` for even frames).
pub fn n_frames(n: usize, frame_length: usize, hop_length: usize) -> DspResult<usize> {
    if frame_length == 0 {
        return Err(DspError::param("frame_length", 0, "a positive integer"));
    }
    if hop_length == 0 {
        return Err(DspError::param("hop_length", 0, "a positive integer"));
    }
    let padded = n + 2 * (frame_length / 2);
    if padded < frame_length {
        return Err(DspError::param(
            "frame_length",
            frame_length,
            format!("at most the padded signal length {padded}"),
        ));
    }
    Ok(1 + (padded - frame_length) / hop_length)
}

/// Mean square of every centred, zero-padded frame of every channel.
///
/// `y` holds `n_channels` channels of equal length, one after the other.
/// Returns `(power, n_frames)` with `power` laid out `(channel, frame)`.
pub fn frame_power<T: Float>(
    y: &[T],
    n_channels: usize,
    frame_length: usize,
    hop_length: usize,
) -> DspResult<(Vec<f64>, usize)> {
    if n_channels == 0 || !y.len().is_multiple_of(n_channels) {
        return Err(DspError::shape(
            "audio buffer",
            format!("a multiple of {n_channels} samples"),
            y.len(),
        ));
    }
    let n = y.len() / n_channels;
    let nf = n_frames(n, frame_length, hop_length)?;
    let half = frame_length / 2;
    let mut power = vec![0.0f64; n_channels * nf];
    for (c, row) in power.chunks_mut(nf).enumerate() {
        let yc = &y[c * n..(c + 1) * n];
        for (t, p) in row.iter_mut().enumerate() {
            // Frame t covers padded samples [t*hop, t*hop + frame_length),
            // i.e. signal samples [t*hop - half, ...); the padding is zeros.
            let start = (t * hop_length) as isize - half as isize;
            let lo = start.max(0) as usize;
            let hi = ((start + frame_length as isize).max(0) as usize).min(n);
            let sum: f64 = yc[lo.min(hi)..hi]
                .iter()
                .map(|v| {
                    let x = v.wide();
                    x * x
                })
                .sum();
            *p = sum / frame_length as f64;
        }
    }
    Ok((power, nf))
}

/// Decibels of `power` relative to `ref_power`, with `amplitude_to_db`'s floor.
#[inline]
pub fn relative_db(power: f64, ref_power: f64) -> f64 {
    10.0 * power.max(POWER_FLOOR).log10() - 10.0 * ref_power.max(POWER_FLOOR).log10()
}

/// Which frames are non-silent: `max over channels of relative_db > -top_db`.
///
/// `power` is `(channel, frame)` from [`frame_power`], `n_frames` long per channel.
pub fn nonsilent(
    power: &[f64],
    n_frames: usize,
    ref_power: f64,
    top_db: f64,
) -> DspResult<Vec<bool>> {
    if n_frames == 0 || !power.len().is_multiple_of(n_frames) || power.is_empty() {
        return Err(DspError::shape(
            "frame power",
            format!("a multiple of {n_frames} values"),
            power.len(),
        ));
    }
    if top_db.is_nan() {
        return Err(DspError::param("top_db", top_db, "a number"));
    }
    if !ref_power.is_finite() || ref_power < 0.0 {
        return Err(DspError::param(
            "ref",
            ref_power,
            "a finite non-negative value",
        ));
    }
    let mut loudest = vec![f64::NEG_INFINITY; n_frames];
    for row in power.chunks(n_frames) {
        for (m, &p) in loudest.iter_mut().zip(row) {
            *m = m.max(relative_db(p, ref_power));
        }
    }
    Ok(loudest.into_iter().map(|db| db > -top_db).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_power_matches_a_padded_naive_mean() {
        let y: Vec<f64> = (0..37).map(|i| ((i * 13 % 7) as f64 - 3.0) * 0.1).collect();
        let (fl, hop) = (8, 3);
        let (p, nf) = frame_power(&y, 1, fl, hop).unwrap();
        let mut padded = vec![0.0; fl / 2];
        padded.extend(&y);
        padded.extend(vec![0.0; fl / 2]);
        assert_eq!(nf, 1 + (padded.len() - fl) / hop);
        for (t, &got) in p.iter().enumerate() {
            let want: f64 = padded[t * hop..t * hop + fl]
                .iter()
                .map(|v| v * v)
                .sum::<f64>()
                / fl as f64;
            assert!((got - want).abs() < 1e-15, "frame {t}: {got} vs {want}");
        }
    }

    #[test]
    fn a_burst_in_silence_is_the_only_loud_part() {
        let mut y = vec![0.0f32; 4000];
        for (i, v) in y[1500..2500].iter_mut().enumerate() {
            *v = (i as f32 * 0.3).sin();
        }
        let (p, nf) = frame_power(&y, 1, 256, 64).unwrap();
        let peak = p.iter().cloned().fold(0.0, f64::max);
        let mask = nonsilent(&p, nf, peak, 60.0).unwrap();
        let first = mask.iter().position(|&m| m).unwrap();
        let last = mask.iter().rposition(|&m| m).unwrap();
        assert!(first * 64 <= 1500 + 128 && first * 64 + 256 >= 1500);
        assert!(last * 64 >= 2500 - 128 && last * 64 <= 2500 + 128);
        assert!(mask[first..=last].iter().all(|&m| m));
    }

    #[test]
    fn any_loud_channel_makes_a_frame_loud() {
        let p = vec![1.0, 1e-12, 1e-12, 1.0];
        assert_eq!(nonsilent(&p, 2, 1.0, 60.0).unwrap(), vec![true, true]);
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(frame_power(&[0.0f32; 10], 1, 0, 1).is_err());
        assert!(frame_power(&[0.0f32; 10], 1, 4, 0).is_err());
        assert!(frame_power(&[0.0f32; 0], 1, 5, 1).is_err());
        assert!(frame_power(&[0.0f32; 1], 1, 5, 1).is_ok());
        assert!(frame_power(&[0.0f32; 9], 2, 4, 1).is_err());
        assert!(nonsilent(&[1.0], 1, f64::NAN, 60.0).is_err());
        assert!(nonsilent(&[1.0, 2.0, 3.0], 2, 1.0, 60.0).is_err());
    }
}
