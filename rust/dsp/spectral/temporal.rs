//! Time-domain frame descriptors in O(n): zero crossings, zero-crossing
//! rate, RMS energy and the amplitude envelope.
//!
//! librosa frames the (padded) signal and reduces every frame, which costs
//! O(frame_length x frames). Here the samples of a block of frames are cut
//! at every frame start and end; each piece is reduced once (crossing count,
//! sum of squares) straight from the input and every frame adds up its few
//! pieces. When frames overlap so much that a frame holds many pieces, a
//! running prefix over the block is used instead (crossing counts,
//! double-double sums of squares). The amplitude envelope uses a van Herk
//! sliding maximum. Blocks have a fixed size, so results do not depend on
//! the thread count.

use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::{for_each_range, SharedMut};
use crate::dsp::spectrum::frame::Framing;
use crate::dsp::spectrum::pad::PadMode;
use crate::error::{DspError, DspResult};
use std::sync::atomic::{AtomicBool, Ordering};

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
    fn class<T: Float>(&self, x: T, thr: f64) -> u8 {
        let v = x.wide();
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
    fn threshold_in<T: Float>(&self) -> f64 {
        T::narrow(self.threshold).wide()
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
pub fn zero_crossings<T: Float>(
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
fn read_span<T: Float>(y: &[T], mode: PadMode, lo: isize, buf: &mut [f64]) {
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
        *b = mode.source_index(i, y.len()).map_or(0.0, |s| y[s].wide());
    }
    if inner_lo < inner_hi {
        let off = (inner_lo - lo) as usize;
        let src = &y[inner_lo as usize..inner_hi as usize];
        for (b, s) in buf[off..off + src.len()].iter_mut().zip(src) {
            *b = s.wide();
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
    T: Float,
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

/// Frames may hold at most this many hops for the piecewise kernels; denser
/// framings use the running prefixes, which cost O(1) per frame.
const MAX_HOPS_PER_FRAME: usize = 16;

/// True when the piecewise kernels suit `framing` (few pieces per frame).
fn piecewise(framing: &Framing) -> bool {
    framing.frame_length <= MAX_HOPS_PER_FRAME * framing.hop_length
}

/// Reusable buffers of [`for_each_piece_block`].
#[derive(Default)]
struct Pieces<V> {
    cuts: Vec<isize>,
    sums: Vec<V>,
}

/// Visit every (channel, block of frames) once, in parallel, reducing
/// `[start + skip, start + frame_length)` of every frame, in padded
/// coordinates, from pieces between consecutive frame boundaries:
/// `piece(channel_samples, lo, hi)` reduces the padded samples `lo..hi`
/// (unpadded coordinates, so `lo` may be negative), and `emit(channel,
/// frame, total)` receives each frame's total, the sum of its pieces in
/// order.
fn for_each_piece_block<T, V, P, E>(
    framing: &Framing,
    y: &[T],
    shape: &FrameShape,
    skip: usize,
    piece: P,
    emit: E,
) where
    T: Float,
    V: Copy + Default + std::ops::Add<Output = V> + Send,
    P: Fn(&[T], isize, isize) -> V + Send + Sync,
    E: Fn(usize, usize, V) + Send + Sync,
{
    let blocks_per_channel = shape.n_frames.div_ceil(FRAMES_PER_BLOCK);
    let total = shape.n_channels * blocks_per_channel;
    let hop = framing.hop_length as isize;
    let fl = framing.frame_length as isize;
    let skip = skip as isize;
    let left = framing.left_pad() as isize;
    for_each_range(total, 1, |range| {
        let mut buf = Pieces::<V>::default();
        for item in range {
            let c = item / blocks_per_channel;
            let b = item % blocks_per_channel;
            let t0 = b * FRAMES_PER_BLOCK;
            let t1 = (t0 + FRAMES_PER_BLOCK).min(shape.n_frames);
            let yc = &y[c * shape.n_samples..(c + 1) * shape.n_samples];
            let start = |t: usize| t as isize * hop - left;
            let cuts = &mut buf.cuts;
            cuts.clear();
            for t in t0..t1 {
                cuts.push(start(t) + skip);
                cuts.push(start(t) + fl);
            }
            cuts.sort_unstable();
            cuts.dedup();
            buf.sums.clear();
            buf.sums
                .extend(cuts.windows(2).map(|w| piece(yc, w[0], w[1])));
            let mut first = 0;
            for t in t0..t1 {
                // Frame starts increase, so the first piece only moves on.
                while cuts[first] < start(t) + skip {
                    first += 1;
                }
                let mut acc = V::default();
                let mut k = first;
                while cuts[k] < start(t) + fl {
                    acc = acc + buf.sums[k];
                    k += 1;
                }
                emit(c, t, acc);
            }
        }
    });
}

/// Sum of squares (in f64) of padded samples `lo..hi` of `y`.
fn sum_squares<T: Float>(y: &[T], mode: PadMode, lo: isize, hi: isize) -> f64 {
    let n = y.len() as isize;
    let (a, b) = (lo.clamp(0, n), hi.clamp(0, n));
    let mut acc = if a < b {
        sum_squares_inner(&y[a as usize..b as usize])
    } else {
        0.0
    };
    for i in (lo..a.max(lo).min(hi)).chain(b.max(lo)..hi) {
        if let Some(s) = mode.source_index(i, y.len()) {
            let v = y[s].wide();
            acc += v * v;
        }
    }
    acc
}

/// Sum of squares in f64 with eight independent accumulators (vectorises).
#[inline]
fn sum_squares_inner<T: Float>(x: &[T]) -> f64 {
    let mut acc = [0.0f64; 8];
    let chunks = x.chunks_exact(8);
    let rest = chunks.remainder();
    for ch in chunks {
        for (a, &v) in acc.iter_mut().zip(ch) {
            let v = v.wide();
            *a += v * v;
        }
    }
    let mut s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for &v in rest {
        let v = v.wide();
        s += v * v;
    }
    s
}

/// Crossings among the pairs `(i - 1, i)` of padded samples, `lo <= i < hi`,
/// and how many of the samples `y[i]` with `1 <= i < n` in that range are
/// not finite.
fn count_crossings<T: Float>(
    y: &[T],
    mode: PadMode,
    rule: CrossingRule,
    thr: f64,
    lo: isize,
    hi: isize,
) -> (u32, u32) {
    let n = y.len() as isize;
    // Pairs with both samples inside y are counted in one pass over a slice.
    let (a, b) = (lo.clamp(1, n.max(1)), hi.clamp(1, n.max(1)));
    let (mut count, bad) = if a < b {
        let (prev, cur) = (
            &y[a as usize - 1..b as usize - 1],
            &y[a as usize..b as usize],
        );
        if rule.zero_pos && thr >= 0.0 {
            signbit_crossings(prev, cur, thr)
        } else {
            let n: u32 = prev
                .iter()
                .zip(cur)
                .map(|(&p, &q)| rule.differs(rule.class(p, thr), rule.class(q, thr)) as u32)
                .sum();
            (n, (!T::all_finite(cur)) as u32)
        }
    } else {
        (0, 0)
    };
    let value = |i: isize| -> f64 { mode.source_index(i, y.len()).map_or(0.0, |s| y[s].wide()) };
    for i in (lo..a.max(lo).min(hi)).chain(b.max(lo)..hi) {
        let (p, q) = (rule.class(value(i - 1), thr), rule.class(value(i), thr));
        count += rule.differs(p, q) as u32;
    }
    (count, bad)
}

/// Crossings between `prev[i]` and `cur[i]` under the `zero_pos` rule with
/// `thr >= 0`: a sample is negative when its sign bit is set and
/// `|x| > thr` (NaN included, as np.signbit sees it).
///
/// On the bit patterns: for non-negative floats (and NaN above infinity)
/// the magnitude bits order like the values, so the test is two integer
/// operations per sample and vectorises. Also returns how many samples of
/// `cur` are not finite (all bits of the exponent set), in the same pass.
fn signbit_crossings<T: Float>(prev: &[T], cur: &[T], thr: f64) -> (u32, u32) {
    if let (Some(p), Some(q)) = (T::as_f32(prev), T::as_f32(cur)) {
        return signbit_crossings_f32(p, q, (thr as f32).to_bits() as i32);
    }
    if let (Some(p), Some(q)) = (T::as_f64(prev), T::as_f64(cur)) {
        let tb = thr.to_bits();
        let neg = |x: f64| {
            let b = x.to_bits();
            (b >> 63) & ((b & 0x7fff_ffff_ffff_ffff) > tb) as u64
        };
        let (mut n, mut bad) = (0u64, 0u64);
        for (&a, &b) in p.iter().zip(q) {
            n += neg(a) ^ neg(b);
            bad += ((b.to_bits() & 0x7fff_ffff_ffff_ffff) >= 0x7ff0_0000_0000_0000) as u64;
        }
        return (n as u32, (bad > 0) as u32);
    }
    unreachable!("Float is f32 or f64")
}

/// [`signbit_crossings`] for f32 with `tb` the threshold's bits; AVX2 when
/// the CPU has it (the same integer arithmetic, twice as wide).
fn signbit_crossings_f32(p: &[f32], q: &[f32], tb: i32) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    if crate::dsp::num::simd::has_avx2() {
        // SAFETY: the CPU supports AVX2.
        return unsafe { signbit_crossings_f32_avx2(p, q, tb) };
    }
    signbit_crossings_f32_body(p, q, tb)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn signbit_crossings_f32_avx2(p: &[f32], q: &[f32], tb: i32) -> (u32, u32) {
    signbit_crossings_f32_body(p, q, tb)
}

#[inline(always)]
fn signbit_crossings_f32_body(p: &[f32], q: &[f32], tb: i32) -> (u32, u32) {
    // Magnitude bits are non-negative as i32, so signed compares suffice.
    let neg = |x: f32| {
        let b = x.to_bits();
        (b >> 31) & (((b & 0x7fff_ffff) as i32) > tb) as u32
    };
    let (mut n, mut bad) = (0u32, 0u32);
    for (&a, &b) in p.iter().zip(q) {
        n += neg(a) ^ neg(b);
        bad += (((b.to_bits() & 0x7fff_ffff) as i32) >= 0x7f80_0000) as u32;
    }
    (n, bad)
}

/// Zero-crossing rate per frame into `out` (channels x frames, float64):
/// the crossings between consecutive samples of each frame (plus one when
/// `pad`) divided by `frame_length`.
pub fn zero_crossing_rate<T: Float>(
    framing: &Framing,
    y: &[T],
    shape: &FrameShape,
    rule: CrossingRule,
    pad: bool,
    out: &mut [f64],
) -> DspResult<()> {
    check_out(out.len(), shape)?;
    let non_finite = || DspError::NonFinite {
        what: "Audio buffer",
    };
    // With overlapping frames the pieces read every sample but the first and
    // those past the last frame, so they check finiteness on the way.
    let fused = piecewise(framing) && framing.hop_length < framing.frame_length;
    if !fused && !T::all_finite(y) {
        return Err(non_finite());
    }
    // The sign test only needs the value, and widening to f64 is exact.
    let thr = rule.threshold_in::<T>();
    let fl = framing.frame_length;
    let hop = framing.hop_length;
    let dst = SharedMut::new(out);
    let nf = shape.n_frames;
    let extra = pad as u32;
    if piecewise(framing) {
        let mode = framing.pad_mode;
        let bad = AtomicBool::new(false);
        for_each_piece_block(
            framing,
            y,
            shape,
            1,
            |yc, lo, hi| {
                let (n, b) = count_crossings(yc, mode, rule, thr, lo, hi);
                if b > 0 {
                    bad.store(true, Ordering::Relaxed);
                }
                n
            },
            |c, t, n: u32| {
                // SAFETY: each (c, t) belongs to exactly one block.
                unsafe { dst.write(c * nf + t, (n + extra) as f64 / fl as f64) };
            },
        );
        if fused {
            // Samples no piece read: y[0] (and the left edge when not
            // centred) and the tail past the last frame.
            let n = shape.n_samples as isize;
            let left = framing.left_pad() as isize;
            let covered = ((nf - 1) * hop + fl) as isize - left;
            let lo = (1 - left).clamp(1, n.max(1)) as usize;
            let hi = covered.clamp(lo as isize, n) as usize;
            let unread_ok = y
                .chunks_exact(shape.n_samples)
                .all(|yc| T::all_finite(&yc[..lo.min(yc.len())]) && T::all_finite(&yc[hi..]));
            if bad.load(Ordering::Relaxed) || !unread_ok {
                return Err(non_finite());
            }
        }
        return Ok(());
    }
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
pub fn rms<T: Float, O: Float>(
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
    if piecewise(framing) {
        // Each piece is summed directly, so a quiet frame after a loud one
        // keeps full relative precision and NaN stays in its frames.
        let mode = framing.pad_mode;
        for_each_piece_block(
            framing,
            y,
            shape,
            0,
            |yc, lo, hi| sum_squares(yc, mode, lo, hi),
            |c, t, energy: f64| {
                let v = (energy / fl as f64).sqrt();
                // SAFETY: each (c, t) belongs to exactly one block.
                unsafe { dst.write(c * nf + t, O::narrow(v)) };
            },
        );
        return Ok(());
    }
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
            unsafe { dst.write(c * nf + t, O::narrow(v)) };
        }
    });
    Ok(())
}

/// The largest absolute sample of every frame into `out` (channels x frames).
///
/// van Herk / Gil-Werman: running maxima forward and backward within
/// segments of `frame_length` samples answer every window with one `max`.
pub fn amplitude_envelope<T: Float>(
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
    // Frames made of whole hops (2048 / 512 and the like): the maximum of
    // each hop-sized block, then of k consecutive blocks per frame.
    let blocks_per_frame = if fl.is_multiple_of(hop) { fl / hop } else { 0 };
    for_each_block(framing, y, shape, make, |c, t0, t1, span, (fwd, bwd)| {
        if (1..=64).contains(&blocks_per_frame) {
            let k = blocks_per_frame;
            let n_blocks = (t1 - t0 - 1) + k;
            fwd.clear();
            fwd.extend((0..n_blocks).map(|b| max_abs(&span[b * hop..(b + 1) * hop])));
            for t in t0..t1 {
                let s = t - t0;
                let v = fwd[s..s + k]
                    .iter()
                    .fold(0.0f64, |m, &x| if x > m { x } else { m });
                // SAFETY: each (c, t) belongs to exactly one block.
                unsafe { dst.write(c * nf + t, T::narrow(v)) };
            }
            return;
        }
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
            unsafe { dst.write(c * nf + t, T::narrow(v)) };
        }
    });
    Ok(())
}

/// The largest absolute value of `x` (0 for an empty slice); eight
/// independent lanes so the loop vectorises. Input is finite (checked by
/// the caller), so NaN handling is not needed.
fn max_abs(x: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 8];
    let mut chunks = x.chunks_exact(8);
    for ch in &mut chunks {
        for (l, v) in lanes.iter_mut().zip(ch) {
            let a = v.abs();
            *l = if a > *l { a } else { *l };
        }
    }
    let mut m = lanes.iter().fold(0.0f64, |m, &x| if x > m { x } else { m });
    for v in chunks.remainder() {
        let a = v.abs();
        m = if a > m { a } else { m };
    }
    m
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
        crate::dsp::spectrum::pad::pad_signal(y, left, left, f.pad_mode)
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
                // More than MAX_HOPS_PER_FRAME hops: the running prefixes.
                (64, 3, true),
                (30, 1, false),
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
    fn zcr_rejects_any_non_finite_sample() {
        let rule = CrossingRule {
            threshold: 1e-10,
            zero_pos: true,
        };
        for (fl, hop, center) in [(64usize, 16usize, true), (64, 16, false), (16, 40, false)] {
            let f = framing(fl, hop, center, PadMode::Edge);
            for at in [0usize, 1, 63, 500, 997, 999] {
                for bad in [f32::NAN, f32::INFINITY, -f32::INFINITY] {
                    let mut y = vec![0.25f32; 1000];
                    y[at] = bad;
                    let shape = frame_shape(&f, &y, 1).unwrap();
                    let mut out = vec![0.0; shape.n_frames];
                    let r = zero_crossing_rate(&f, &y, &shape, rule, false, &mut out);
                    assert!(r.is_err(), "{fl} {hop} {center} {at}");
                    let y: Vec<f64> = y.iter().map(|&v| v as f64).collect();
                    let r = zero_crossing_rate(&f, &y, &shape, rule, false, &mut out);
                    assert!(r.is_err(), "f64 {fl} {hop} {center} {at}");
                }
            }
            let y = vec![0.25f32; 1000];
            let shape = frame_shape(&f, &y, 1).unwrap();
            let mut out = vec![0.0; shape.n_frames];
            assert!(zero_crossing_rate(&f, &y, &shape, rule, false, &mut out).is_ok());
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
