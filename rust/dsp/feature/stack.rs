//! Several STFT-based features of one signal from a single STFT.
//!
//! Dataset preparation typically wants MFCC, chroma and a handful of
//! spectral descriptors of every clip. [`run`] computes each frame's
//! spectrum once and feeds it to every requested consumer: spectral
//! descriptors (on `|X|` rounded to the input precision), mel spectrograms
//! and MFCCs (the mel engineer's per-frame pieces: [`power_spectrum`],
//! [`MelBank::apply`], [`power_to_db`], the global `top_db` floor and
//! [`DctMatrix::apply`]), and the frame-major power spectrogram chroma needs
//! (its tuning estimate looks at every frame before any chroma vector can
//! be made). Each output equals the corresponding single-feature kernel's.

use crate::dsp::mel::bank::MelBank;
use crate::dsp::mel::dct::DctMatrix;
use crate::dsp::mel::melspec::{power_spectrum, power_to_db, top_db_floor};
use crate::dsp::num::float::Float;
use crate::dsp::num::parallel::{for_each_range, SharedMut};
use crate::dsp::spectral::{describe_frame, magnitudes_into, Descriptor, Scratch};
use crate::dsp::spectrum::frame::Framing;
use crate::dsp::spectrum::stft::{for_each_spectrum, StftShape};
use crate::error::{DspError, DspResult};

/// A mel-based output.
pub enum MelJob<'a> {
    /// `bank . |X|^power`, laid out `(channel, mel, frame)`.
    Mel { bank: &'a MelBank, power: f64 },
    /// `dct . max(dB(bank . |X|^power), max - top_db)`, `(channel, coef, frame)`.
    Mfcc {
        bank: &'a MelBank,
        dct: &'a DctMatrix,
        power: f64,
        amin: f64,
        top_db: Option<f64>,
    },
}

impl MelJob<'_> {
    fn bank(&self) -> &MelBank {
        match self {
            MelJob::Mel { bank, .. } | MelJob::Mfcc { bank, .. } => bank,
        }
    }

    fn power(&self) -> f64 {
        match self {
            MelJob::Mel { power, .. } | MelJob::Mfcc { power, .. } => *power,
        }
    }

    /// Rows of the final output.
    pub fn rows(&self) -> usize {
        match self {
            MelJob::Mel { bank, .. } => bank.n_mels(),
            MelJob::Mfcc { dct, .. } => dct.n_out(),
        }
    }
}

/// What to compute.
pub struct StackPlan<'a> {
    /// Spectral descriptors, stacked row-wise in one output.
    pub descriptors: Vec<Descriptor>,
    /// Bin frequencies for the descriptors.
    pub freq: Vec<f64>,
    pub mel_jobs: Vec<MelJob<'a>>,
    /// Keep `|X|^2` (rounded to the input precision) frame-major for chroma.
    pub power_frames: bool,
}

/// The computed arrays (empty when not requested).
pub struct StackOut<T> {
    /// `(channel, descriptor row, frame)`.
    pub descriptors: Vec<f64>,
    /// One `(channel, row, frame)` array per mel job.
    pub mel: Vec<Vec<f64>>,
    /// `(channel, frame, bin)`.
    pub power_frames: Vec<T>,
}

fn check_plan(plan: &StackPlan<'_>, shape: &StftShape) -> DspResult<()> {
    if !plan.descriptors.is_empty() && plan.freq.len() != shape.n_bins {
        return Err(DspError::shape("freq", shape.n_bins, plan.freq.len()));
    }
    for job in &plan.mel_jobs {
        let bank = job.bank();
        if bank.n_bins() != shape.n_bins {
            return Err(DspError::shape(
                "mel filter bank",
                shape.n_bins,
                bank.n_bins(),
            ));
        }
        let p = job.power();
        if !(p.is_finite() && p > 0.0) {
            return Err(DspError::param("power", p, "a finite number > 0"));
        }
        if let MelJob::Mfcc { dct, amin, .. } = job {
            if dct.n_in() != bank.n_mels() {
                return Err(DspError::shape("DCT matrix", bank.n_mels(), dct.n_in()));
            }
            if !(amin.is_finite() && *amin > 0.0) {
                return Err(DspError::param("amin", amin, "a finite number > 0"));
            }
        }
    }
    Ok(())
}

/// Run `plan` on audio `y` (`shape.n_channels` rows) with one STFT.
pub fn run<T: Float>(
    framing: &Framing,
    y: &[T],
    window: &[f64],
    shape: &StftShape,
    plan: &StackPlan<'_>,
) -> DspResult<StackOut<T>> {
    check_plan(plan, shape)?;
    let (nc, nb, nf) = (shape.n_channels, shape.n_bins, shape.n_frames);
    let rows: usize = plan.descriptors.iter().map(Descriptor::rows).sum();
    for d in &plan.descriptors {
        d.check(nb, nc * nf)?;
    }
    let mut out = StackOut {
        descriptors: vec![0.0; rows * nc * nf],
        mel: plan
            .mel_jobs
            .iter()
            .map(|j| vec![0.0; nc * j.rows() * nf])
            .collect(),
        power_frames: if plan.power_frames {
            vec![T::zero(); nc * nf * nb]
        } else {
            Vec::new()
        },
    };
    // MFCC jobs keep their dB mel frames (channel, frame, mel) for pass 2.
    let mut db: Vec<Vec<f64>> = plan
        .mel_jobs
        .iter()
        .map(|j| match j {
            MelJob::Mfcc { bank, .. } => vec![0.0; nc * nf * bank.n_mels()],
            MelJob::Mel { .. } => Vec::new(),
        })
        .collect();
    {
        let desc_dst = SharedMut::new(&mut out.descriptors);
        let frames_dst = SharedMut::new(&mut out.power_frames);
        let mel_dst: Vec<SharedMut<f64>> = out.mel.iter_mut().map(|v| SharedMut::new(v)).collect();
        let db_dst: Vec<SharedMut<f64>> = db.iter_mut().map(|v| SharedMut::new(v)).collect();
        let make = || {
            (
                vec![T::zero(); nb],
                vec![0.0f64; rows],
                Scratch::default(),
                vec![0.0f64; nb],
                vec![
                    0.0f64;
                    plan.mel_jobs
                        .iter()
                        .map(|j| j.bank().n_mels())
                        .max()
                        .unwrap_or(0)
                ],
            )
        };
        for_each_spectrum(framing, y, window, shape, make, |c, t, spec, state| {
            let (col, vals, scratch, pw, mel) = state;
            let item = c * nf + t;
            if rows > 0 {
                magnitudes_into(spec, false, col);
                describe_frame(col, &plan.freq, &plan.descriptors, item, scratch, vals);
                for (r, v) in vals.iter().enumerate() {
                    // SAFETY: (c, r, t) is written by this frame's task only.
                    unsafe { desc_dst.write((c * rows + r) * nf + t, *v) };
                }
            }
            if plan.power_frames {
                magnitudes_into(spec, true, col);
                for (k, v) in col.iter().enumerate() {
                    // SAFETY: frame (c, t) is written by this task only.
                    unsafe { frames_dst.write(item * nb + k, *v) };
                }
            }
            for (j, job) in plan.mel_jobs.iter().enumerate() {
                let bank = job.bank();
                let nm = bank.n_mels();
                let mel = &mut mel[..nm];
                power_spectrum(spec, job.power(), bank.bin_range(), pw);
                bank.apply(pw, mel);
                match job {
                    MelJob::Mel { .. } => {
                        for (m, v) in mel.iter().enumerate() {
                            // SAFETY: (c, m, t) belongs to this frame only.
                            unsafe { mel_dst[j].write((c * nm + m) * nf + t, *v) };
                        }
                    }
                    MelJob::Mfcc { amin, .. } => {
                        for (m, v) in mel.iter().enumerate() {
                            // SAFETY: row (c, t, ..) belongs to this frame only.
                            unsafe { db_dst[j].write(item * nm + m, power_to_db(*v, *amin)) };
                        }
                    }
                }
            }
        });
    }
    // Pass 2 for MFCC: the top_db floor spans every channel and frame.
    for (j, job) in plan.mel_jobs.iter().enumerate() {
        if let MelJob::Mfcc {
            bank, dct, top_db, ..
        } = job
        {
            let (nm, nk) = (bank.n_mels(), dct.n_out());
            let floor = top_db_floor(&db[j], *top_db);
            let dbj = &db[j];
            let dst = SharedMut::new(&mut out.mel[j]);
            for_each_range(nc * nf, 64, |items| {
                let mut x = vec![0.0f64; nm];
                let mut coef = vec![0.0f64; nk];
                for item in items {
                    let (c, t) = (item / nf, item % nf);
                    for (xv, d) in x.iter_mut().zip(&dbj[item * nm..(item + 1) * nm]) {
                        *xv = d.max(floor);
                    }
                    dct.apply(&x, &mut coef);
                    for (k, v) in coef.iter().enumerate() {
                        // SAFETY: (c, k, t) belongs to this item only.
                        unsafe { dst.write((c * nk + k) * nf + t, *v) };
                    }
                }
            });
        }
    }
    Ok(out)
}
