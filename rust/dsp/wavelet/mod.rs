//! Continuous wavelets with PyWavelets' definitions: the mother wavelet on
//! pywt's sampling grid, its running integral (what `pywt.cwt` convolves
//! with) and its central frequency.
//!
//! Supported: `mexh` (Mexican hat / Ricker), `morl` (real Morlet), `gausN`
//! (N = 1..8, derivatives of a Gaussian) and `cmorB-C` (complex Morlet with
//! bandwidth B and centre frequency C). Formulas, support bounds and grids are
//! pywt 1.8's (`cwt.template.c`, `ContinuousWavelet.wavefun`).

pub mod cwt;
pub mod inverse;
pub mod scalogram;

use crate::error::{DspError, DspResult};
use num_complex::Complex;
use rustfft::FftPlanner;
use std::f64::consts::PI;

/// A continuous mother wavelet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Wavelet {
    /// Mexican hat (Ricker): second derivative of a Gaussian, support [-8, 8].
    Mexh,
    /// Real Morlet `cos(5x) exp(-x²/2)`, support [-8, 8].
    Morl,
    /// N-th derivative of a Gaussian (N = 1..8), support [-5, 5].
    Gaus(u8),
    /// Complex Morlet with bandwidth `b` and centre frequency `c`, support [-8, 8].
    Cmor { b: f64, c: f64 },
}

fn unknown(name: &str) -> DspError {
    DspError::param(
        "wavelet",
        format!("'{name}'"),
        "one of mexh, ricker, morl, gaus1..gaus8, cmorB-C (for example cmor1.5-1.0)",
    )
}

impl Wavelet {
    /// Parse a pywt wavelet name (`ricker` is accepted for `mexh`; a bare
    /// `cmor` means `cmor1.0-0.5`, as in pywt).
    pub fn parse(name: &str) -> DspResult<Self> {
        let lower = name.trim().to_ascii_lowercase();
        match lower.as_str() {
            "mexh" | "ricker" => return Ok(Wavelet::Mexh),
            "morl" => return Ok(Wavelet::Morl),
            "cmor" => return Ok(Wavelet::Cmor { b: 1.0, c: 0.5 }),
            _ => {}
        }
        if let Some(n) = lower.strip_prefix("gaus") {
            return match n.parse::<u8>() {
                Ok(k @ 1..=8) => Ok(Wavelet::Gaus(k)),
                _ => Err(unknown(name)),
            };
        }
        if let Some(rest) = lower.strip_prefix("cmor") {
            let mut parts = rest.splitn(2, '-');
            let b = parts.next().and_then(|s| s.parse::<f64>().ok());
            let c = parts.next().and_then(|s| s.parse::<f64>().ok());
            return match (b, c) {
                (Some(b), Some(c)) if b.is_finite() && c.is_finite() && b > 0.0 && c > 0.0 => {
                    Ok(Wavelet::Cmor { b, c })
                }
                _ => Err(DspError::param(
                    "wavelet",
                    format!("'{name}'"),
                    "cmorB-C with positive floats B (bandwidth) and C (centre frequency), e.g. cmor1.5-1.0",
                )),
            };
        }
        Err(unknown(name))
    }

    /// True when the wavelet (and so its CWT) is complex.
    pub fn is_complex(&self) -> bool {
        matches!(self, Wavelet::Cmor { .. })
    }

    /// The support `[lower, upper]` pywt samples the wavelet on.
    pub fn bounds(&self) -> (f64, f64) {
        match self {
            Wavelet::Gaus(_) => (-5.0, 5.0),
            _ => (-8.0, 8.0),
        }
    }

    /// A stable text key (for caches).
    pub fn key(&self) -> String {
        match self {
            Wavelet::Mexh => "mexh".into(),
            Wavelet::Morl => "morl".into(),
            Wavelet::Gaus(n) => format!("gaus{n}"),
            Wavelet::Cmor { b, c } => format!("cmor{:x}-{:x}", b.to_bits(), c.to_bits()),
        }
    }

    /// The mother wavelet at `x`.
    pub fn psi(&self, x: f64) -> Complex<f64> {
        let x2 = x * x;
        let re = match *self {
            Wavelet::Mexh => {
                (1.0 - x2) * (-x2 / 2.0).exp() * 2.0 / (3f64.sqrt() * PI.sqrt().sqrt())
            }
            Wavelet::Morl => (5.0 * x).cos() * (-x2 / 2.0).exp(),
            Wavelet::Gaus(n) => gaus(n, x),
            Wavelet::Cmor { b, c } => {
                let env = (-x2 / b).exp() / (PI * b).sqrt();
                let ph = 2.0 * PI * c * x;
                return Complex::new(ph.cos() * env, ph.sin() * env);
            }
        };
        Complex::new(re, 0.0)
    }

    /// pywt's `wavefun(precision)`: the wavelet on `np.linspace(lower, upper,
    /// 2**precision)`, and that grid.
    pub fn wavefun(&self, precision: u32) -> (Vec<Complex<f64>>, Vec<f64>) {
        let (lo, hi) = self.bounds();
        let x = linspace(lo, hi, 1usize << precision);
        let psi = x.iter().map(|&v| self.psi(v)).collect();
        (psi, x)
    }

    /// pywt's central frequency (cycles per unit of x): the position of the
    /// largest FFT bin of the sampled wavelet, over the support length.
    pub fn central_frequency(&self, precision: u32) -> f64 {
        let (mut psi, x) = self.wavefun(precision);
        let n = psi.len();
        let domain = x[n - 1] - x[0];
        FftPlanner::<f64>::new()
            .plan_fft_forward(n)
            .process(&mut psi);
        // argmax of |fft(psi)[1:]|, first occurrence wins as in numpy.
        let mut best = 1usize;
        let mut best_mag = f64::NEG_INFINITY;
        for (k, v) in psi.iter().enumerate().skip(1) {
            let m = v.norm();
            if m > best_mag {
                best_mag = m;
                best = k;
            }
        }
        let mut index = best + 1; // pywt's `argmax(...) + 2` on the sliced array
        if index as f64 > n as f64 / 2.0 {
            index = n - index + 2;
        }
        1.0 / (domain / (index as f64 - 1.0))
    }
}

/// pywt's Gaussian-derivative wavelets (`double_gaus` in cwt.template.c).
fn gaus(n: u8, x: f64) -> f64 {
    let e = (-x * x).exp();
    let c = (PI / 2.0).sqrt();
    let p = |k: i32| x.powi(k);
    match n {
        1 => -2.0 * x * e / c.sqrt(),
        2 => -2.0 * (2.0 * p(2) - 1.0) * e / (3.0 * c).sqrt(),
        3 => -4.0 * (-2.0 * p(3) + 3.0 * x) * e / (15.0 * c).sqrt(),
        4 => 4.0 * (-12.0 * p(2) + 4.0 * p(4) + 3.0) * e / (105.0 * c).sqrt(),
        5 => 8.0 * (-4.0 * p(5) + 20.0 * p(3) - 15.0 * x) * e / (105.0 * 9.0 * c).sqrt(),
        6 => {
            -8.0 * (8.0 * p(6) - 60.0 * p(4) + 90.0 * p(2) - 15.0) * e
                / (105.0 * 9.0 * 11.0 * c).sqrt()
        }
        7 => {
            -16.0 * (-8.0 * p(7) + 84.0 * p(5) - 210.0 * p(3) + 105.0 * x) * e
                / (105.0 * 9.0 * 11.0 * 13.0 * c).sqrt()
        }
        _ => {
            16.0 * (16.0 * p(8) - 224.0 * p(6) + 840.0 * p(4) - 840.0 * p(2) + 105.0) * e
                / (105.0 * 9.0 * 11.0 * 13.0 * 15.0 * c).sqrt()
        }
    }
}

/// `np.linspace(start, stop, n)` with numpy's rounding: `k * step + start`,
/// the last point exactly `stop`.
pub fn linspace(start: f64, stop: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![start];
    }
    let step = (stop - start) / (n - 1) as f64;
    let mut v: Vec<f64> = (0..n).map(|k| k as f64 * step + start).collect();
    v[n - 1] = stop;
    v
}

/// The integrated wavelet `pywt.cwt` convolves with, on its grid.
#[derive(Debug, Clone)]
pub struct IntegratedWavelet {
    /// `cumsum(psi) * step`, conjugated for complex wavelets (as pywt does).
    pub table: Vec<Complex<f64>>,
    /// Grid spacing as pywt sees it (float32-rounded grid for float32 data).
    pub step: f64,
    /// Grid extent `x[-1] - x[0]`, in the same precision as `step`.
    pub extent: f64,
    pub complex: bool,
}

impl IntegratedWavelet {
    /// pywt's `integrate_wavelet(wavelet, precision)`. With `f32_grid`, the
    /// step and extent used to pick taps are those of the float32 grid pywt
    /// builds for float32 data, so the same taps are chosen.
    pub fn new(w: &Wavelet, precision: u32, f32_grid: bool) -> Self {
        let (psi, x) = w.wavefun(precision);
        let step64 = x[1] - x[0];
        let mut acc = Complex::new(0.0, 0.0);
        let table = psi
            .iter()
            .map(|&p| {
                acc += p; // sequential, like np.cumsum
                let v = acc * step64;
                if w.is_complex() {
                    v.conj()
                } else {
                    v
                }
            })
            .collect();
        let last = x[x.len() - 1];
        let (step, extent) = if f32_grid {
            let (a, b, z) = (x[0] as f32, x[1] as f32, last as f32);
            ((b - a) as f64, (z - a) as f64)
        } else {
            (step64, last - x[0])
        };
        IntegratedWavelet {
            table,
            step,
            extent,
            complex: w.is_complex(),
        }
    }

    /// The taps pywt convolves with at `scale` (`int_psi[j][::-1]`), before
    /// differencing. Errors when fewer than two taps remain (pywt's "scale too
    /// small").
    pub fn taps(&self, scale: f64) -> DspResult<Vec<Complex<f64>>> {
        if !(scale.is_finite() && scale > 0.0) {
            return Err(DspError::param("scales", scale, "finite positive values"));
        }
        // np.arange(scale * extent + 1) has ceil(...) points.
        let n = (scale * self.extent + 1.0).ceil();
        if !(n.is_finite() && n < 1e9) {
            return Err(DspError::param(
                "scales",
                scale,
                "a scale whose wavelet has fewer than 1e9 taps",
            ));
        }
        let n = n as usize;
        let denom = scale * self.step;
        let len = self.table.len();
        let mut taps: Vec<Complex<f64>> = (0..n)
            .map_while(|k| {
                let j = (k as f64 / denom).floor() as usize;
                (j < len).then(|| self.table[j])
            })
            .collect();
        if taps.len() < 2 {
            return Err(DspError::param(
                "scales",
                scale,
                "a larger scale (its sampled wavelet has fewer than 2 taps)",
            ));
        }
        taps.reverse();
        Ok(taps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names() {
        assert_eq!(Wavelet::parse("mexh").unwrap(), Wavelet::Mexh);
        assert_eq!(Wavelet::parse("Ricker").unwrap(), Wavelet::Mexh);
        assert_eq!(Wavelet::parse("gaus8").unwrap(), Wavelet::Gaus(8));
        assert_eq!(
            Wavelet::parse("cmor1.5-1.0").unwrap(),
            Wavelet::Cmor { b: 1.5, c: 1.0 }
        );
        for bad in [
            "gaus0", "gaus9", "db4", "cmor1.5", "cmor-1-1", "cmorx-1", "",
        ] {
            assert!(Wavelet::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn linspace_hits_ends() {
        let v = linspace(-8.0, 8.0, 4096);
        assert_eq!(v[0], -8.0);
        assert_eq!(v[4095], 8.0);
    }

    #[test]
    fn central_frequencies_match_pywt() {
        // Values printed by pywt.central_frequency(name, precision).
        assert!((Wavelet::Morl.central_frequency(8) - 0.8125).abs() < 1e-12);
        assert!((Wavelet::Mexh.central_frequency(8) - 0.25).abs() < 1e-12);
        let c = Wavelet::Cmor { b: 1.5, c: 1.0 };
        assert!((c.central_frequency(12) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn wavelets_have_zero_mean() {
        for w in [
            Wavelet::Mexh,
            Wavelet::Morl,
            Wavelet::Gaus(1),
            Wavelet::Gaus(4),
        ] {
            let (psi, x) = w.wavefun(12);
            let s: f64 = psi.iter().map(|c| c.re).sum::<f64>() * (x[1] - x[0]);
            assert!(s.abs() < 1e-4, "{w:?} {s}");
        }
    }

    #[test]
    fn taps_follow_scale() {
        let iw = IntegratedWavelet::new(&Wavelet::Mexh, 12, false);
        assert_eq!(iw.taps(1.0).unwrap().len(), 17);
        assert_eq!(iw.taps(10.0).unwrap().len(), 161);
        assert!(iw.taps(0.01).is_err());
        assert!(iw.taps(-1.0).is_err());
    }
}
