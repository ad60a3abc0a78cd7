//! Signal extension modes (numpy.pad semantics) as index maps, so frames at
//! the edges are read from a virtual padded signal without copying it.

use crate::error::{DspError, DspResult};

/// How a signal is extended beyond its ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PadMode {
    /// Zeros.
    Constant,
    /// Mirror without repeating the edge sample (numpy "reflect").
    Reflect,
    /// Mirror repeating the edge sample (numpy "symmetric").
    Symmetric,
    /// Repeat the edge sample.
    Edge,
    /// Periodic continuation.
    Wrap,
}

impl PadMode {
    /// Parse a numpy pad mode name.
    pub fn parse(name: &str) -> DspResult<Self> {
        Ok(match name {
            "constant" => PadMode::Constant,
            "reflect" => PadMode::Reflect,
            "symmetric" => PadMode::Symmetric,
            "edge" => PadMode::Edge,
            "wrap" => PadMode::Wrap,
            _ => {
                return Err(DspError::param(
                    "pad_mode",
                    format!("'{name}'"),
                    "one of constant, reflect, symmetric, edge, wrap",
                ))
            }
        })
    }

    /// The sample index that virtual index `i` of a length-`n` signal reads,
    /// or `None` for a zero. Pads wider than the signal repeat the extension,
    /// as numpy.pad does.
    #[inline]
    pub fn source_index(self, i: isize, n: usize) -> Option<usize> {
        let ni = n as isize;
        if (0..ni).contains(&i) {
            return Some(i as usize);
        }
        if n == 0 {
            return None;
        }
        match self {
            PadMode::Constant => None,
            PadMode::Edge => Some(if i < 0 { 0 } else { n - 1 }),
            PadMode::Wrap => Some(i.rem_euclid(ni) as usize),
            PadMode::Reflect => {
                if n == 1 {
                    return Some(0);
                }
                let period = 2 * (ni - 1);
                let k = i.rem_euclid(period);
                Some(if k < ni { k } else { period - k } as usize)
            }
            PadMode::Symmetric => {
                let period = 2 * ni;
                let k = i.rem_euclid(period);
                Some(if k < ni { k } else { period - 1 - k } as usize)
            }
        }
    }
}

/// Pad `y` by `left` and `right` samples (numpy.pad on the last axis).
pub fn pad_signal(y: &[f64], left: usize, right: usize, mode: PadMode) -> Vec<f64> {
    let n = y.len();
    (0..left + n + right)
        .map(|j| {
            mode.source_index(j as isize - left as isize, n)
                .map_or(0.0, |s| y[s])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflect_matches_numpy() {
        // np.pad([1,2,3], 5, mode="reflect")
        let p = pad_signal(&[1.0, 2.0, 3.0], 5, 5, PadMode::Reflect);
        assert_eq!(
            p,
            vec![2.0, 1.0, 2.0, 3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0, 2.0, 3.0, 2.0]
        );
    }

    #[test]
    fn symmetric_edge_wrap_constant() {
        let y = [1.0, 2.0, 3.0];
        assert_eq!(
            pad_signal(&y, 2, 2, PadMode::Symmetric),
            vec![2.0, 1.0, 1.0, 2.0, 3.0, 3.0, 2.0]
        );
        assert_eq!(
            pad_signal(&y, 2, 2, PadMode::Edge),
            vec![1.0, 1.0, 1.0, 2.0, 3.0, 3.0, 3.0]
        );
        assert_eq!(
            pad_signal(&y, 2, 2, PadMode::Wrap),
            vec![2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0]
        );
        assert_eq!(
            pad_signal(&y, 1, 1, PadMode::Constant),
            vec![0.0, 1.0, 2.0, 3.0, 0.0]
        );
    }

    #[test]
    fn parse_rejects_unknown() {
        assert!(PadMode::parse("mean").is_err());
    }
}
