//! Spectral gating's decisions, as noisereduce 3.x makes them: the noise
//! threshold per frequency (stationary), the running noise floor over time
//! (non-stationary), and the mask each gives a frame.

use crate::error::{DspError, DspResult};

/// numpy's float64 machine epsilon, the floor noisereduce adds before dB.
pub const EPS: f64 = f64::EPSILON;
/// noisereduce's `_amp_to_db` keeps values within 80 dB of each row's peak.
pub const TOP_DB: f64 = 80.0;

/// Amplitude to decibels with noisereduce's epsilon.
#[inline]
pub fn amp_to_db(a: f64) -> f64 {
    // ln is log10's own kernel; calling it directly skips a wrapper.
    (a + EPS).ln() * DB_PER_NEPER
}

/// [`amp_to_db`] through a branch-free natural log that vectorises
/// (within a few ulps of libm's): `x = 2^e m`, `m` in [sqrt(1/2), sqrt(2)),
/// `ln m = 2 atanh(s)`, `s = (m - 1) / (m + 1)`, `|s| < 0.172`, by its
/// odd series to s^23. Positive finite normal inputs only (a + eps is).
#[inline(always)]
pub fn amp_to_db_fast(a: f64) -> f64 {
    let x = a + EPS;
    let bits = x.to_bits();
    // Exponent and mantissa, with the mantissa moved into [sqrt(1/2), sqrt(2)).
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let big = m > std::f64::consts::SQRT_2;
    m = if big { m * 0.5 } else { m };
    e += i64::from(big);
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    let mut p = 1.0 / 23.0;
    for k in [21.0, 19.0, 17.0, 15.0, 13.0, 11.0, 9.0, 7.0, 5.0, 3.0] {
        p = p * z + 1.0 / k;
    }
    p = p * z + 1.0;
    let ln = e as f64 * std::f64::consts::LN_2 + 2.0 * s * p;
    ln * DB_PER_NEPER
}

/// `20 / ln(10)`: decibels per natural-log unit of amplitude.
const DB_PER_NEPER: f64 = 20.0 / std::f64::consts::LN_10;

/// Every parameter of one spectral-gating run.
#[derive(Debug, Clone)]
pub struct GateConfig {
    pub sr: f64,
    pub n_fft: usize,
    pub win_length: usize,
    pub hop_length: usize,
    pub stationary: bool,
    pub prop_decrease: f64,
    pub time_constant_s: f64,
    /// Half-widths of the smoothing triangle, in bins and frames; `None`
    /// when noisereduce would not smooth (both half-widths 1).
    pub smooth: Option<(usize, usize)>,
    pub thresh_n_mult_nonstationary: f64,
    pub sigmoid_slope_nonstationary: f64,
    pub n_std_thresh_stationary: f64,
    /// Zeros noisereduce pads on each side of the signal before its STFT.
    pub padding: usize,
    /// Output samples processed together (bounds the memory).
    pub chunk_size: usize,
}

impl GateConfig {
    /// Refuse parameters no run can use.
    pub fn check(&self) -> DspResult<()> {
        if !(self.sr.is_finite() && self.sr > 0.0) {
            return Err(DspError::param("sr", self.sr, "a positive number"));
        }
        if self.win_length < 2 {
            return Err(DspError::param("win_length", self.win_length, "at least 2"));
        }
        if self.n_fft < self.win_length {
            return Err(DspError::param(
                "n_fft",
                self.n_fft,
                format!("at least win_length={}", self.win_length),
            ));
        }
        if self.hop_length == 0 || self.hop_length > self.win_length {
            return Err(DspError::param(
                "hop_length",
                self.hop_length,
                format!("between 1 and win_length={}", self.win_length),
            ));
        }
        if !self.prop_decrease.is_finite() {
            return Err(DspError::param(
                "prop_decrease",
                self.prop_decrease,
                "a finite number",
            ));
        }
        let tc_ok = self.time_constant_s.is_finite() && self.time_constant_s > 0.0;
        if !self.stationary && !tc_ok {
            return Err(DspError::param(
                "time_constant_s",
                self.time_constant_s,
                "a positive number",
            ));
        }
        for (name, v) in [
            (
                "thresh_n_mult_nonstationary",
                self.thresh_n_mult_nonstationary,
            ),
            (
                "sigmoid_slope_nonstationary",
                self.sigmoid_slope_nonstationary,
            ),
            ("n_std_thresh_stationary", self.n_std_thresh_stationary),
        ] {
            if !v.is_finite() {
                return Err(DspError::param(name, v, "a finite number"));
            }
        }
        if self.chunk_size == 0 {
            return Err(DspError::param("chunk_size", 0, "a positive integer"));
        }
        Ok(())
    }

    /// The coefficient `b` of the one-pole floor `y = b x + (1 - b) y[-1]`:
    /// noisereduce solves `b^2 + (1 - b) / t - 2 = 0` for a time constant
    /// of `t` frames.
    pub fn floor_coefficient(&self) -> f64 {
        let t = self.time_constant_s * self.sr / self.hop_length as f64;
        ((1.0 + 4.0 * t * t).sqrt() - 1.0) / (2.0 * t * t)
    }
}

/// Per-bin dB threshold of a noise clip (stationary gating): the mean plus
/// `n_std` population standard deviations over frames of the clip's dB
/// spectrogram, each bin floored at its peak minus 80 dB.
///
/// `db` holds the clip's dB values frame-major (`n_frames x n_bins`).
pub fn noise_threshold(db: &[f64], n_bins: usize, n_std: f64) -> Vec<f64> {
    let n_frames = db.len() / n_bins;
    let mut peak = vec![f64::NEG_INFINITY; n_bins];
    for row in db.chunks_exact(n_bins) {
        for (p, v) in peak.iter_mut().zip(row) {
            *p = p.max(*v);
        }
    }
    let floor: Vec<f64> = peak.iter().map(|p| p - TOP_DB).collect();
    let mut mean = vec![0.0; n_bins];
    for row in db.chunks_exact(n_bins) {
        for ((m, v), f) in mean.iter_mut().zip(row).zip(&floor) {
            *m += v.max(*f);
        }
    }
    mean.iter_mut().for_each(|m| *m /= n_frames as f64);
    let mut var = vec![0.0; n_bins];
    for row in db.chunks_exact(n_bins) {
        for (((s, v), f), m) in var.iter_mut().zip(row).zip(&floor).zip(&mean) {
            let d = v.max(*f) - m;
            *s += d * d;
        }
    }
    mean.iter()
        .zip(&var)
        .map(|(m, s)| m + (s / n_frames as f64).sqrt() * n_std)
        .collect()
}

/// The stationary mask of one frame: `prop` where the frame's dB is above
/// the threshold (or its bin's peak minus 80 dB is), `1 - prop` elsewhere,
/// written as noisereduce computes `mask * prop + (1 - prop)`.
#[inline]
pub fn stationary_mask(
    mag: &[f64],
    lin_thresh: &[f64],
    always: &[bool],
    prop: f64,
    out: &mut [f64],
) {
    let (on, off) = (prop + (1.0 - prop), 1.0 - prop);
    for (((o, a), t), al) in out.iter_mut().zip(mag).zip(lin_thresh).zip(always) {
        *o = if *al || a + EPS > *t { on } else { off };
    }
}

/// The non-stationary mask of one frame from its magnitudes and floor:
/// a sigmoid of how many floors above the floor each bin is.
#[inline(always)]
pub fn nonstationary_mask(mag: &[f64], floor: &[f64], mult: f64, slope: f64, out: &mut [f64]) {
    for ((o, a), s) in out.iter_mut().zip(mag).zip(floor) {
        let above = (a - s) / s;
        *o = 1.0 / (1.0 + exp_fast(-(above - mult) * slope));
    }
}

/// `e^x` through a branch-free kernel that vectorises (within 2 ulps of
/// libm's where the result is normal): `x = k ln2 + r`, `|r| <= ln2 / 2`,
/// `e^r` by its Taylor series to r^13, scaled by `2^k` built in the
/// exponent bits. `x` is clamped to [-708, 709] first (results below
/// 3.3e-308 come out as that instead of a subnormal or zero, above 8.2e307
/// as that instead of infinity); NaN stays NaN.
#[inline(always)]
pub fn exp_fast(x: f64) -> f64 {
    // 1.5 * 2^52: adding it rounds to an integer held in the low mantissa bits.
    const MAGIC: f64 = 6_755_399_441_055_744.0;
    // ln 2 split so that k * LN2_HI is exact for |k| < 2^11 (fdlibm's split).
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // Comparisons (not min/max) so that NaN passes through.
    let x = if x < -708.0 { -708.0 } else { x };
    let x = if x > 709.0 { 709.0 } else { x };
    let t = x * std::f64::consts::LOG2_E + MAGIC;
    let k = t - MAGIC;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut p = 1.0 / 6_227_020_800.0;
    for c in [
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = p * r + c;
    }
    // The integer k sits in t's low bits; k + 1023 in [2, 2046] is the
    // biased exponent of 2^k.
    let scale = f64::from_bits(t.to_bits().wrapping_add(1023) << 52);
    p * scale
}

/// One step of the floor's one-pole filter in scipy.lfilter's transposed
/// direct form: `y = b x + z`, then the state `z = (1 - b) y`.
#[inline]
pub fn pole_step(x: &[f64], state: &mut [f64], b: f64, y: &mut [f64]) {
    let a = 1.0 - b;
    for ((yv, xv), z) in y.iter_mut().zip(x).zip(state.iter_mut()) {
        let v = b * xv + *z;
        *yv = v;
        *z = a * v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_db_matches_libm() {
        let mut x = 1e-300f64;
        while x < 1e300 {
            for a in [x, x * 1.37, x * 1.414, x * 1.415, x * 1.9] {
                let (f, s) = (amp_to_db_fast(a), amp_to_db(a));
                assert!((f - s).abs() <= 1e-13 * s.abs().max(1.0), "a={a} {f} {s}");
            }
            x *= 7.3;
        }
        assert!((amp_to_db_fast(0.0) - amp_to_db(0.0)).abs() < 1e-12);
    }

    #[test]
    fn fast_exp_matches_libm() {
        let mut x = -708.0f64;
        while x <= 709.0 {
            let (f, s) = (exp_fast(x), x.exp());
            assert!((f - s).abs() <= 4.5e-16 * s, "x={x} {f} {s}");
            x += 0.0137;
        }
        for x in [-1e-300, 0.0, 1e-300, 0.5 * std::f64::consts::LN_2] {
            assert!((exp_fast(x) - x.exp()).abs() <= 2.3e-16 * x.exp());
        }
        assert!(exp_fast(f64::NAN).is_nan());
        assert!(exp_fast(f64::NEG_INFINITY) < 1e-307);
        assert!(exp_fast(f64::INFINITY) > 1e307);
    }

    #[test]
    fn threshold_of_constant_noise_is_its_level() {
        let db = vec![-20.0; 3 * 4];
        let t = noise_threshold(&db, 4, 1.5);
        assert!(t.iter().all(|v| (v + 20.0).abs() < 1e-12));
    }

    #[test]
    fn floor_coefficient_solves_its_equation() {
        let cfg = GateConfig {
            sr: 22050.0,
            n_fft: 1024,
            win_length: 1024,
            hop_length: 256,
            stationary: false,
            prop_decrease: 1.0,
            time_constant_s: 2.0,
            smooth: None,
            thresh_n_mult_nonstationary: 2.0,
            sigmoid_slope_nonstationary: 10.0,
            n_std_thresh_stationary: 1.5,
            padding: 0,
            chunk_size: 1000,
        };
        let b = cfg.floor_coefficient();
        let t = 2.0 * 22050.0 / 256.0;
        assert!(cfg.check().is_ok());
        // b^2 t^2 + b - 1 = 0 is the equation solved: check it.
        assert!((b * b * t * t + b - 1.0).abs() < 1e-9);
    }
}
