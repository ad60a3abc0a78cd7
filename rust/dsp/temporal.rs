//! Time-domain frame descriptors in O(n): zero crossings, zero-crossing
//! rate, RMS energy and the amplitude envelope.
//!
//! librosa frames the (padded) signal and reduces every frame, which costs
//! O(frame_length x frames). Here each block of frames builds one running
//! prefix (crossing counts, double-double sums of squares) or a van Herk
//! sliding maximum over the samples it covers, so every sample is visited a
//! constant number of times whatever the overlap. Blocks have a fixed size,
//! so results do not depend on the thread count.

use crate::dsp::frame::Framing;
use crate::dsp::pad::PadMode;
use crate::dsp::parallel::{for_each_range, SharedMut};
use crate::dsp::sample::Sample;
use crate::error::{DspError, DspResult};

/// Frames handled by one task: fixed, so the arithmetic never depends on
/// how many threads run.
const FRAMES_PER_BLOCK: usize = 256;

/// How zero crossings are detected (librosa.zero_crossings' arguments).
#[derive(Debug, Clone, Copy)]
pub struct CrossingRule {
    /// Values with `-threshold <= x <= threshold` count as zero.
    pub threshold: f64,
    /// 0 has positive sign (signbit test) when true; otherwise -1, 0 and +1
    /// are three distinct signs (np.sign test).
    pub zero_pos: bool,
}

impl CrossingRule {
    /// The sign class of `x`: equal classes mean no crossing.
    #[inline(always)]
    fn class<T: Sample>(&self, x: T, thr: f64) -> u8 {
        let v = x.to_f64();
        // numba compares in the input precision; `thr` is already rounded to T.
        let v = if -thr <= v && v <= thr { 0.0 } else { v };
        if self.zero_pos {
            v.is_sign_negative() as u8
        } else if v.is_nan() {
            3
        } else if v > 0.0 {
            2
        } else if v < 0.0 {
            0
        } else {
            1
        }
    }

    /// The threshold rounded to the sample precision, as numba does.
    fn threshold_in<T: Sample>(&self) -> f64 {
        T::from_f64(self.threshold).to_f64()
    }

    /// True when classes `a` and `b` are a crossing (NaN signs never match).
    #[inline(always)]
    fn differs(&self, a: u8, b: u8) -> bool {
        a != b || (!self.zero_pos && a == 3)
    }
}

/// `out[i]` is true when `y[i - 1]` and `y[i]` differ in sign; `out[0] = pad`.
///
/// `y` holds `n_channels` rows of equal length, as does `out`.
pub fn zero_crossings<T: Sample>(
    y: &[T],
    n_channels: usize,
    rule: CrossingRule,
    pad: bool,
    out: &mut [bool],
) -> DspResult<()> {
    if out.len() != y.len() {
        return Err(DspError::shape("zero_crossings output", y.len(), out.len()));
    }
    let n = row_length(y.len(), n_channels)?;
    let thr = rule.threshold_in::<T>();
    for (row, orow) in y.chunks_exact(n).zip(out.chunks_exact_mut(n)) {
        let mut prev = rule.class(row[0], thr);
        orow[0] = pad;
        for (o, &x) in orow[1..].iter_mut().zip(&row[1..]) {
            let c = rule.class(x, thr);
            *o = rule.differs(prev, c);
            prev = c;
        }
    }
    Ok(())
}

fn row_length(len: usize, n_channels: usize) -> DspResult<usize> {
    if n_channels == 0 || len == 0 {
        return Err(DspError::Empty {
            what: "audio buffer",
        });
    }
    if !len.is_multiple_of(n_channels) {
        return Err(DspError::shape(
            "audio buffer",
            format!("a multiple of {n_channels} samples"),
            len,
        ));
    }
    Ok(len / n_channels)
}

/// Validated geometry of a framed multichannel signal.
#[derive(Debug, Clone, Copy)]
pub struct FrameShape {
    pub n_channels: usize,
    pub n_samples: usize,
    pub n_frames: usize,
}

/// Check `y` against `framing` and return the frame geometry.
pub fn frame_shape<T>(framing: &Framing, y: &[T], n_channels: usize) -> DspResult<FrameShape> {
    let n_samples = row_length(y.len(), n_channels)?;
    let n_frames = framing.n_frames(n_samples)?;
    Ok(FrameShape {
        n_channels,
        n_samples,
        n_frames,
    })
}

/// Fill `buf` with the virtual padded samples `lo..lo + buf.len()` of `y`
/// (index 0 is `y[0]`; negative indices read the left padding).
fn read_span<T: Sample>(y: &[T], mode: PadMode, lo: isize, buf: &mut [f64]) {
    let n = y.len() as isize;
    let hi = lo + buf.len() as isize;
    let inner_lo = lo.clamp(0, n);
    let inner_hi = hi.clamp(0, n);
    for (j, b) in buf.iter_mut().enumerate() {
        let i = lo + j as isize;
        if i >= inner_lo && i < inner_hi {
            // Filled below in one straight copy.
            continue;
        }
        *b = mode.source_index(i, y.len()).map_or(0.0, |s| y[s].to_f64());
    }
    if inner_lo < inner_hi {
        let off = (inner_lo - lo) as usize;
        let src = &y[inner_lo as usize..inner_hi as usize];
        for (b, s) in buf[off..off + src.len()].iter_mut().zip(src) {
            *b = s.to_f64();
        }
    }
}

/// Visit every (channel, block of frames) once, in parallel, with the span
/// of padded samples the block covers: `visit(channel, t0, t1, span, state)`
/// where `span[j]` is padded sample `t0 * hop + j`.
fn for_each_block<T, S, M, V>(
    framing: &Framing,
    y: &[T],
    shape: &FrameShape,
    make_state: M,
    visit: V,
) where
    T: Sample,
    M: Fn() -> S + Send + Sync,
    V: Fn(usize, usize, usize, &[f64], &mut S) + Send + Sync,
{
    let blocks_per_channel = shape.n_frames.div_ceil(FRAMES_PER_BLOCK);
    let total = shape.n_channels * blocks_per_channel;
    let hop = framing.hop_length;
    let left = framing.left_pad() as isize;
    for_each_range(total, 1, |range| {
        let mut span = Vec::new();
        let mut state = make_state();
        for item in range {
            let c = item / blocks_per_channel;
            let b = item % blocks_per_channel;
            let t0 = b * FRAMES_PER_BLOCK;
            let t1 = (t0 + FRAMES_PER_BLOCK).min(shape.n_frames);
            let len = (t1 - 1 - t0) * hop + framing.frame_length;
            span.resize(len, 0.0);
            let yc = &y[c * shape.n_samples..(c + 1) * shape.n_samples];
            read_span(yc, framing.pad_mode, (t0 * hop) as isize - left, &mut span);
            visit(c, t0, t1, &span, &mut state);
        }
    });
}

/// Zero-crossing rate per frame into `out` (channels x frames, float64):
/// the crossings between consecutive samples of each frame (plus one when
/// `pad`) divided by `frame_length`.
pub fn zero_crossing_rate<T: Sample>(
    framing: &Framing,
    y: &[T],
    shape: &FrameShape,
    rule: CrossingRule,
    pad: bool,
    out: &mut [f64],
) -> DspResult<()> {
    check_out(out.len(), shape)?;
    // Centred padding reads the padded span in full precision; the sign
    // test only needs the value, and widening to f64 is exact.
    let thr = rule.threshold_in::<T>();
    let fl = framing.frame_length;
    let hop = framing.hop_length;
    let dst = SharedMut::new(out);
    let nf = shape.n_frames;
    let make = || (Vec::<u8>::new(), Vec::<u32>::new());
    for_each_block(
        framing,
        y,
        shape,
        make,
        |c, t0, t1, span, (classes, prefix)| {
            // Sign classes first (a branch-free pass for the common zero_pos
            // rule), then prefix[j] = crossings among pairs (i - 1, i), i < j.
            classes.resize(span.len(), 0);
            if rule.zero_pos && thr >= 0.0 {
                for (k, &x) in classes.iter_mut().zip(span) {
                    // Clipped to +0 inside [-thr, thr]; otherwise the sign bit.
                    *k = ((x < -thr) | (x.is_nan() & x.is_sign_negative())) as u8;
                }
            } else {
                for (k, &x) in classes.iter_mut().zip(span) {
                    *k = rule.class(x, thr);
                }
            }
            prefix.resize(span.len() + 1, 0);
            prefix[0] = 0;
            prefix[1] = 0;
            let mut count = 0u32;
            for j in 1..span.len() {
                count += rule.differs(classes[j - 1], classes[j]) as u32;
                prefix[j + 1] = count;
            }
            let extra = pad as u32;
            for t in t0..t1 {
                let s = (t - t0) * hop;
                let n = prefix[s + fl] - prefix[s + 1] + extra;
                // SAFETY: each (c, t) belongs to exactly one block.
                unsafe { dst.write(c * nf + t, n as f64 / fl as f64) };
            }
        },
    );
    Ok(())
}

fn check_out(len: usize, shape: &FrameShape) -> DspResult<()> {
    let want = shape.n_channels * shape.n_frames;
    if len != want {
        return Err(DspError::shape("frame output", want, len));
    }
    Ok(())
}

/// Error-free sum `a + b = s + e` (Knuth's TwoSum).
#[inline(always)]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    (s, e)
}

/// Root-mean-square of every frame into `out` (channels x frames).
///
/// Sums of squares come from double-double prefix sums, so a quiet frame
/// after a loud one keeps full relative precision and silence is exactly 0.
/// Frames holding NaN or infinity are summed directly, so they give NaN or
/// inf as numpy does without poisoning their neighbours.
pub fn rms<T: Sample, O: Sample>(
    framing: &Framing,
    y: &[T],
    shape: &FrameShape,
    out: &mut [O],
) -> DspResult<()> {
    check_out(out.len(), shape)?;
    let fl = framing.frame_length;
    let hop = framing.hop_length;
    let dst = SharedMut::new(out);
    let nf = shape.n_frames;
    let make = || (Vec::<f64>::new(), Vec::<f64>::new(), Vec::<u32>::new());
    for_each_block(framing, y, shape, make, |c, t0, t1, span, (hi, lo, bad)| {
        let len = span.len();
        hi.resize(len + 1, 0.0);
        lo.resize(len + 1, 0.0);
        bad.resize(len + 1, 0);
        let (mut sh, mut sl, mut nb) = (0.0f64, 0.0f64, 0u32);
        hi[0] = 0.0;
        lo[0] = 0.0;
        bad[0] = 0;
        for (j, &x) in span.iter().enumerate() {
            let sq = x * x;
            if sq.is_finite() {
                // Each square is rounded once (relative error 2^-53); the
                // running sum keeps its rounding errors in `sl`, so the
                // difference of two prefixes loses nothing to cancellation.
                let (s, e) = two_sum(sh, sq);
                sh = s;
                sl += e;
            } else {
                nb += 1;
            }
            hi[j + 1] = sh;
            lo[j + 1] = sl;
            bad[j + 1] = nb;
        }
        for t in t0..t1 {
            let s = (t - t0) * hop;
            let energy = if bad[s + fl] != bad[s] {
                span[s..s + fl].iter().map(|v| v * v).sum::<f64>()
            } else {
                ((hi[s + fl] - hi[s]) + (lo[s + fl] - lo[s])).max(0.0)
            };
            let v = (energy / fl as f64).sqrt();
            // SAFETY: each (c, t) belongs to exactly one block.
            unsafe { dst.write(c * nf + t, O::from_f64(v)) };
        }
    });
    Ok(())
}

/// The largest absolute sample of every frame into `out` (channels x frames).
///
/// van Herk / Gil-Werman: running maxima forward and backward within
/// segments of `frame_length` samples answer every window with one `max`.
pub fn amplitude_envelope<T: Sample>(
    framing: &Framing,
    y: &[T],
    shape: &FrameShape,
    out: &mut [T],
) -> DspResult<()> {
    check_out(out.len(), shape)?;
    let fl = framing.frame_length;
    let hop = framing.hop_length;
    let dst = SharedMut::new(out);
    let nf = shape.n_frames;
    let make = || (Vec::<f64>::new(), Vec::<f64>::new());
    for_each_block(framing, y, shape, make, |c, t0, t1, span, (fwd, bwd)| {
        let len = span.len();
        fwd.resize(len, 0.0);
        bwd.resize(len, 0.0);
        for seg in (0..len).step_by(fl) {
            let end = (seg + fl).min(len);
            let mut m = f64::NEG_INFINITY;
            for j in seg..end {
                m = m.max(span[j].abs());
                fwd[j] = m;
            }
            let mut m = f64::NEG_INFINITY;
            for j in (seg..end).rev() {
                m = m.max(span[j].abs());
                bwd[j] = m;
            }
        }
        for t in t0..t1 {
            let s = (t - t0) * hop;
            let v = bwd[s].max(fwd[s + fl - 1]);
            // SAFETY: each (c, t) belongs to exactly one block.
            unsafe { dst.write(c * nf + t, T::from_f64(v)) };
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framing(fl: usize, hop: usize, center: bool, mode: PadMode) -> Framing {
        Framing {
            frame_length: fl,
            hop_length: hop,
            center,
            pad_mode: mode,
        }
    }

    fn padded(y: &[f64], f: &Framing) -> Vec<f64> {
        let left = f.left_pad();
        crate::dsp::pad::pad_signal(y, left, left, f.pad_mode)
    }

    fn signal(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| {
                ((i * 7919 % 1013) as f64 / 506.5 - 1.0) * if i % 500 < 250 { 1.0 } else { 1e-6 }
            })
            .collect()
    }

    #[test]
    fn matches_direct_framing() {
        let y = signal(5000);
        let rule = CrossingRule {
            threshold: 1e-3,
            zero_pos: true,
        };
        for mode in [
            PadMode::Constant,
            PadMode::Reflect,
            PadMode::Edge,
            PadMode::Wrap,
        ] {
            for (fl, hop, center) in [
                (64usize, 16usize, true),
                (100, 37, false),
                (7, 1, true),
                (64, 200, true),
            ] {
                let f = framing(fl, hop, center, mode);
                let shape = frame_shape(&f, &y, 1).unwrap();
                let p = padded(&y, &f);
                let mut zcr = vec![0.0; shape.n_frames];
                let mut rmsv = vec![0.0f64; shape.n_frames];
                let mut env = vec![0.0f64; shape.n_frames];
                zero_crossing_rate(&f, &y, &shape, rule, false, &mut zcr).unwrap();
                rms(&f, &y, &shape, &mut rmsv).unwrap();
                amplitude_envelope(&f, &y, &shape, &mut env).unwrap();
                let thr = rule.threshold;
                for t in 0..shape.n_frames {
                    let fr = &p[t * hop..t * hop + fl];
                    let cls: Vec<bool> = fr
                        .iter()
                        .map(|&v| (if v.abs() <= thr { 0.0 } else { v }).is_sign_negative())
                        .collect();
                    let n = cls.windows(2).filter(|w| w[0] != w[1]).count();
                    assert_eq!(zcr[t], n as f64 / fl as f64);
                    let e = (fr.iter().map(|v| v * v).sum::<f64>() / fl as f64).sqrt();
                    assert!((rmsv[t] - e).abs() <= 1e-12 * e.max(1e-300), "{mode:?} {t}");
                    let m = fr.iter().fold(0.0f64, |a, v| a.max(v.abs()));
                    assert_eq!(env[t], m);
                }
            }
        }
    }

    #[test]
    fn silence_is_exactly_zero_after_loud_part() {
        let mut y = vec![0.9f64; 3000];
        y.extend(vec![0.0; 3000]);
        let f = framing(256, 64, true, PadMode::Constant);
        let shape = frame_shape(&f, &y, 1).unwrap();
        let mut out = vec![1.0f64; shape.n_frames];
        rms(&f, &y, &shape, &mut out).unwrap();
        assert_eq!(*out.last().unwrap(), 0.0);
    }

    #[test]
    fn non_finite_samples_stay_in_their_frames() {
        let mut y = vec![0.5f64; 4000];
        y[1000] = f64::NAN;
        let f = framing(256, 128, false, PadMode::Constant);
        let shape = frame_shape(&f, &y, 1).unwrap();
        let mut out = vec![0.0f64; shape.n_frames];
        rms(&f, &y, &shape, &mut out).unwrap();
        for (t, v) in out.iter().enumerate() {
            let touches = t * 128 <= 1000 && 1000 < t * 128 + 256;
            assert_eq!(v.is_nan(), touches, "frame {t}");
            if !touches {
                assert!((v - 0.5).abs() < 1e-15);
            }
        }
    }

    #[test]
    fn zero_crossings_of_sign_pattern() {
        let y = [0.0f64, 1.0, -1.0, -0.0, 2.0, 0.0, f64::NAN, f64::NAN];
        let mut out = [false; 8];
        let rule = CrossingRule {
            threshold: 0.0,
            zero_pos: false,
        };
        zero_crossings(&y, 1, rule, true, &mut out).unwrap();
        assert_eq!(out, [true, true, true, true, true, true, true, true]);
        let rule = CrossingRule {
            threshold: 0.0,
            zero_pos: true,
        };
        zero_crossings(&y[..6], 1, rule, false, &mut out[..6]).unwrap();
        assert_eq!(&out[..6], &[false, false, true, true, false, false]);
    }

    #[test]
    fn rejects_empty_and_short() {
        let f = framing(16, 4, false, PadMode::Constant);
        assert!(frame_shape(&f, &[0.0f64; 8], 1).is_err());
        assert!(frame_shape::<f64>(&f, &[], 1).is_err());
    }
}
