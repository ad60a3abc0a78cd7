//! Spectral descriptors per frame (librosa.feature.spectral_*): centroid,
//! bandwidth, rolloff, flatness, contrast and RMS from a spectrogram.
//!
//! Every descriptor reads one magnitude column at a time, so computing them
//! from audio never stores the (bins x frames) spectrogram: [`run_on_audio`]
//! makes each frame's magnitudes once and hands them to all requested
//! descriptors; [`run_on_frames`] does the same for a spectrogram the caller
//! already has (frame-major). Magnitudes are rounded to the input precision
//! exactly as `np.abs(stft(y))` is, so precision-sensitive steps (rolloff's
//! running sum) make the same decisions as librosa.

pub mod centroid_guard;
pub mod column;
pub mod rolloff_guard;
pub mod temporal;

use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::{for_each_range, SharedMut};
use crate::dsp::spectral::centroid_guard::centroid_on_audio;
use crate::dsp::spectral::rolloff_guard::rolloff_on_audio_f32;
use crate::dsp::spectrum::frame::Framing;
use crate::dsp::spectrum::stft::{for_each_frame, for_each_frame_then, StftShape};
use crate::error::{DspError, DspResult};
use num_complex::Complex;

pub use crate::dsp::feature::convert::fft_frequencies;
pub use column::{
    centroid_of_sums, centroid_sums, describe_frame, magnitude, magnitudes_into, rolloff,
    rolloff_lanes, suffix_min, ContrastBand, Descriptor, Scratch, ROLL_LANES,
};

fn check_all(
    descriptors: &[Descriptor],
    freq: &[f64],
    n_bins: usize,
    n_items: usize,
    out_len: usize,
) -> DspResult<usize> {
    if freq.len() != n_bins {
        return Err(DspError::shape("freq", n_bins, freq.len()));
    }
    for d in descriptors {
        d.check(n_bins, n_items)?;
    }
    let rows: usize = descriptors.iter().map(Descriptor::rows).sum();
    if out_len != rows * n_items {
        return Err(DspError::shape(
            "descriptor output",
            rows * n_items,
            out_len,
        ));
    }
    Ok(rows)
}

/// Descriptors of `|stft(y)|` into `out`, laid out `(channel, row, frame)`
/// with the rows of all descriptors stacked in order.
pub fn run_on_audio<T: Float>(
    framing: &Framing,
    y: &[T],
    window: &[f64],
    shape: &StftShape,
    freq: &[f64],
    descriptors: &[Descriptor],
    out: &mut [f64],
) -> DspResult<()> {
    let (nb, nf) = (shape.n_bins, shape.n_frames);
    let rows = check_all(descriptors, freq, nb, shape.n_channels * nf, out.len())?;
    if let [Descriptor::Rolloff {
        roll_percent,
        single,
    }] = descriptors
    {
        if let Some(y32) = T::as_f32(y) {
            rolloff_on_audio_f32(
                framing,
                y32,
                window,
                shape,
                freq,
                *roll_percent,
                *single,
                out,
            );
        } else {
            rolloff_on_audio(framing, y, window, shape, freq, *roll_percent, *single, out);
        }
        return Ok(());
    }
    if let ([Descriptor::Centroid], Some(y32)) = (descriptors, T::as_f32(y)) {
        centroid_on_audio(framing, y32, window, shape, freq, out);
        return Ok(());
    }
    let dst = SharedMut::new(out);
    let make = || (vec![0.0f64; rows], Scratch::default());
    for_each_magnitude(
        framing,
        y,
        window,
        shape,
        make,
        |c, t, col, (vals, scratch)| {
            describe_frame(col, freq, descriptors, c * nf + t, scratch, vals);
            for (r, v) in vals.iter().enumerate() {
                // SAFETY: (c, r, t) is written by this frame's task only.
                unsafe { dst.write((c * rows + r) * nf + t, *v) };
            }
        },
    );
    Ok(())
}

/// Rolloff alone from audio: [`ROLL_LANES`] frames' magnitudes at a time
/// go through [`rolloff_lanes`]; `out` is `(channel, frame)`.
#[allow(clippy::too_many_arguments)]
pub fn rolloff_on_audio<T: Float>(
    framing: &Framing,
    y: &[T],
    window: &[f64],
    shape: &StftShape,
    freq: &[f64],
    roll_percent: f64,
    single: bool,
    out: &mut [f64],
) {
    let (nb, nf) = (shape.n_bins, shape.n_frames);
    let dst = SharedMut::new(out);
    // Per task: scratch, up to ROLL_LANES gathered magnitude columns and
    // their frame indices.
    let make = || {
        (
            Scratch::default(),
            vec![T::zero(); ROLL_LANES * nb],
            Vec::<usize>::with_capacity(ROLL_LANES),
        )
    };
    let flush = |(scratch, cols, items): &mut (Scratch, Vec<T>, Vec<usize>)| {
        let views: Vec<&[T]> = cols.chunks_exact(nb).take(items.len()).collect();
        let mut vals = [0.0f64; ROLL_LANES];
        rolloff_lanes(&views, freq, roll_percent, single, scratch, &mut vals);
        for (&item, v) in items.iter().zip(&vals) {
            // SAFETY: frame `item` is written by this task only.
            unsafe { dst.write(item, *v) };
        }
        items.clear();
    };
    for_each_frame_then::<f64, T, _, _, _, _>(
        framing,
        y,
        window,
        shape,
        make,
        |c, t, yc, worker, state| {
            let j = state.2.len();
            worker.map_into(
                framing,
                yc,
                t,
                &mut state.1[j * nb..(j + 1) * nb],
                |re, im| magnitude::<T>(Complex::new(re, im)),
            );
            state.2.push(c * nf + t);
            if state.2.len() == ROLL_LANES {
                flush(state);
            }
        },
        |state| {
            if !state.2.is_empty() {
                flush(state);
            }
        },
    );
}

/// Visit `|X|` (rounded to `T`, as `np.abs(stft(y))`) of every (channel,
/// frame), in parallel over frames: `visit(channel, frame, magnitudes,
/// state)`.
///
/// Like [`crate::dsp::spectrum::stft::for_each_spectrum`] with the f64 FFT; the magnitudes come
/// straight out of the real FFT's split step.
pub fn for_each_magnitude<T, S, M, V>(
    framing: &Framing,
    y: &[T],
    window: &[f64],
    shape: &StftShape,
    make_state: M,
    visit: V,
) where
    T: Float,
    M: Fn() -> S + Send + Sync,
    V: Fn(usize, usize, &[T], &mut S) + Send + Sync,
{
    let make = || (vec![T::zero(); shape.n_bins], make_state());
    for_each_frame::<f64, T, _, _, _>(framing, y, window, shape, make, |c, t, yc, w, state| {
        let (col, s) = state;
        w.map_into(framing, yc, t, col, |re, im| {
            magnitude::<T>(Complex::new(re, im))
        });
        visit(c, t, col, s);
    });
}

/// Descriptors of a frame-major magnitude spectrogram `frames`
/// (`n_channels x n_frames x n_bins`) into `out` (`channel, row, frame`).
pub fn run_on_frames<T: Float>(
    frames: &[T],
    n_channels: usize,
    n_bins: usize,
    freq: &[f64],
    descriptors: &[Descriptor],
    out: &mut [f64],
) -> DspResult<()> {
    if n_channels == 0 || n_bins == 0 || frames.is_empty() {
        return Err(DspError::Empty {
            what: "spectrogram",
        });
    }
    if !frames.len().is_multiple_of(n_channels * n_bins) {
        return Err(DspError::shape(
            "spectrogram",
            format!("a multiple of {}", n_channels * n_bins),
            frames.len(),
        ));
    }
    let nf = frames.len() / (n_channels * n_bins);
    let rows = check_all(descriptors, freq, n_bins, n_channels * nf, out.len())?;
    let dst = SharedMut::new(out);
    for_each_range(n_channels * nf, 64, |range| {
        let mut vals = vec![0.0f64; rows];
        let mut scratch = Scratch::default();
        for item in range {
            let (c, t) = (item / nf, item % nf);
            let col = &frames[item * n_bins..(item + 1) * n_bins];
            describe_frame(col, freq, descriptors, item, &mut scratch, &mut vals);
            for (r, v) in vals.iter().enumerate() {
                // SAFETY: (c, r, t) is written by this item only.
                unsafe { dst.write((c * rows + r) * nf + t, *v) };
            }
        }
    });
    Ok(())
}

/// `|stft(y)|` (or its square) frame-major into `out`
/// (`channel x frame x bin`), rounded to `T` as librosa's spectrogram is.
pub fn spectrogram_frames<T: Float>(
    framing: &Framing,
    y: &[T],
    window: &[f64],
    shape: &StftShape,
    squared: bool,
    out: &mut [T],
) -> DspResult<()> {
    let (nb, nf) = (shape.n_bins, shape.n_frames);
    let want = shape.n_channels * nf * nb;
    if out.len() != want {
        return Err(DspError::shape("spectrogram output", want, out.len()));
    }
    let dst = SharedMut::new(out);
    for_each_frame::<f64, T, _, _, _>(
        framing,
        y,
        window,
        shape,
        || (),
        |c, t, yc, w, _| {
            // SAFETY: frame (c, t) is written by this task only.
            let col = unsafe { dst.slice_mut((c * nf + t) * nb, nb) };
            // The split step writes |X| (or |X|**2, squared in T as
            // np.abs(S)**2 is) straight into the output frame.
            if squared {
                w.map_into(framing, yc, t, col, |re, im| {
                    let m: T = magnitude(Complex::new(re, im));
                    m * m
                });
            } else {
                w.map_into(framing, yc, t, col, |re, im| {
                    magnitude(Complex::new(re, im))
                });
            }
        },
    );
    Ok(())
}
