//! Window functions with scipy.signal.get_window's semantics.
//!
//! `fftbins = true` gives the periodic window (a symmetric window of length
//! n + 1 with the last sample dropped), which is what spectral analysis uses.

use crate::error::{DspError, DspResult};
use std::f64::consts::PI;

/// The window shapes ferrosa computes itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    Hann,
    Hamming,
    Blackman,
    BlackmanHarris,
    Nuttall,
    Flattop,
    Boxcar,
    Triang,
    Bartlett,
    Cosine,
}

impl WindowKind {
    /// Parse a window name, accepting scipy's aliases.
    pub fn parse(name: &str) -> DspResult<Self> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "hann" | "han" | "hanning" => WindowKind::Hann,
            "hamming" | "hamm" | "ham" => WindowKind::Hamming,
            "blackman" | "black" | "blk" => WindowKind::Blackman,
            "blackmanharris" | "blackharr" | "bkh" => WindowKind::BlackmanHarris,
            "nuttall" | "nutl" | "nut" => WindowKind::Nuttall,
            "flattop" | "flat" | "flt" => WindowKind::Flattop,
            "boxcar" | "box" | "ones" | "rect" | "rectangular" => WindowKind::Boxcar,
            "triang" | "triangle" | "tri" => WindowKind::Triang,
            "bartlett" | "bart" | "brt" => WindowKind::Bartlett,
            "cosine" | "halfcosine" => WindowKind::Cosine,
            _ => {
                return Err(DspError::param(
                    "window",
                    format!("'{name}'"),
                    "one of hann, hamming, blackman, blackmanharris, nuttall, flattop, boxcar, triang, bartlett, cosine",
                ))
            }
        })
    }
}

/// scipy's general_cosine on a symmetric grid of `m` points.
fn general_cosine(m: usize, coeffs: &[f64]) -> Vec<f64> {
    let step = 2.0 * PI / (m as f64 - 1.0);
    (0..m)
        .map(|i| {
            let fac = -PI + step * i as f64;
            coeffs
                .iter()
                .enumerate()
                .map(|(k, a)| a * (k as f64 * fac).cos())
                .sum()
        })
        .collect()
}

fn symmetric(kind: WindowKind, m: usize) -> Vec<f64> {
    let mf = m as f64;
    match kind {
        WindowKind::Hann => general_cosine(m, &[0.5, 0.5]),
        WindowKind::Hamming => general_cosine(m, &[0.54, 0.46]),
        WindowKind::Blackman => general_cosine(m, &[0.42, 0.50, 0.08]),
        WindowKind::BlackmanHarris => general_cosine(m, &[0.35875, 0.48829, 0.14128, 0.01168]),
        WindowKind::Nuttall => general_cosine(m, &[0.3635819, 0.4891775, 0.1365995, 0.0106411]),
        WindowKind::Flattop => general_cosine(
            m,
            &[
                0.21557895,
                0.41663158,
                0.277263158,
                0.083578947,
                0.006947368,
            ],
        ),
        WindowKind::Boxcar => vec![1.0; m],
        WindowKind::Triang => {
            let half: Vec<f64> = (1..=m.div_ceil(2))
                .map(|n| {
                    let n = n as f64;
                    if m.is_multiple_of(2) {
                        (2.0 * n - 1.0) / mf
                    } else {
                        2.0 * n / (mf + 1.0)
                    }
                })
                .collect();
            let mut w = half.clone();
            let skip = usize::from(!m.is_multiple_of(2));
            w.extend(half.iter().rev().skip(skip));
            w
        }
        WindowKind::Bartlett => (0..m)
            .map(|n| {
                let n = n as f64;
                if n <= (mf - 1.0) / 2.0 {
                    2.0 * n / (mf - 1.0)
                } else {
                    2.0 - 2.0 * n / (mf - 1.0)
                }
            })
            .collect(),
        WindowKind::Cosine => (0..m).map(|n| (PI / mf * (n as f64 + 0.5)).sin()).collect(),
    }
}

/// A window of `n` samples; periodic when `fftbins` is true.
pub fn get_window(kind: WindowKind, n: usize, fftbins: bool) -> Vec<f64> {
    if n <= 1 {
        return vec![1.0; n];
    }
    if fftbins {
        let mut w = symmetric(kind, n + 1);
        w.truncate(n);
        w
    } else {
        symmetric(kind, n)
    }
}

/// Centre `x` in a zero buffer of length `size` (librosa.util.pad_center).
pub fn pad_center(x: &[f64], size: usize) -> DspResult<Vec<f64>> {
    let n = x.len();
    if size < n {
        return Err(DspError::param(
            "size",
            size,
            format!("at least the data length {n}"),
        ));
    }
    let lpad = (size - n) / 2;
    let mut out = vec![0.0; size];
    out[lpad..lpad + n].copy_from_slice(x);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periodic_hann_closed_form() {
        let n = 16;
        let w = get_window(WindowKind::Hann, n, true);
        for (i, v) in w.iter().enumerate() {
            let expect = 0.5 - 0.5 * (2.0 * PI * i as f64 / n as f64).cos();
            assert!((v - expect).abs() < 1e-12);
        }
    }

    #[test]
    fn symmetric_hamming_endpoints() {
        let w = get_window(WindowKind::Hamming, 11, false);
        assert!((w[0] - 0.08).abs() < 1e-12);
        assert!((w[10] - 0.08).abs() < 1e-12);
        assert!((w[5] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn triang_odd_and_even() {
        assert_eq!(
            get_window(WindowKind::Triang, 3, false),
            vec![0.5, 1.0, 0.5]
        );
        assert_eq!(
            get_window(WindowKind::Triang, 4, false),
            vec![0.25, 0.75, 0.75, 0.25]
        );
    }

    #[test]
    fn unknown_name_is_an_error() {
        assert!(WindowKind::parse("nope").is_err());
        assert_eq!(WindowKind::parse("HANN").unwrap(), WindowKind::Hann);
    }

    #[test]
    fn pad_center_places_in_middle() {
        let p = pad_center(&[1.0, 2.0], 5).unwrap();
        assert_eq!(p, vec![0.0, 1.0, 2.0, 0.0, 0.0]);
        assert!(pad_center(&[1.0; 4], 3).is_err());
    }
}
