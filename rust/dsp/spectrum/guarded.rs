//! The guarded-frames driver: a float32 FFT pass over every frame, a
//! per-frame verdict from the feature's error model, and the float64 redo
//! of the frames the model does not trust.
//!
//! A float32 FFT is about twice as fast as librosa's float64 one but adds
//! rounding noise to every bin. Each guarded feature (mel, MFCC, centroid,
//! rolloff) bounds that noise's effect on its own output: that bound is its
//! [`ErrorModel`]. The scheduling is the same for all and lives here:
//!
//! 1. in parallel over frames (items `channel * n_frames + frame`), the
//!    f32 path of each frame gives a [`Verdict`]: keep it, redo it now with
//!    the f64 FFT, or defer the choice with an error estimate and a peak;
//! 2. with [`ErrorModel::BLOCK`] > 1, a frame takes the f32 path only when
//!    the first frame of its block does not need a redo (one probe per
//!    block, so near-silent stretches skip the f32 work);
//! 3. with [`ErrorModel::LANES`] > 1, frames go through the f32 path
//!    [`ErrorModel::LANES`] at a time (one per SIMD lane, lanes starting at
//!    multiples of `LANES`), and the frames of a lane group that need a
//!    redo go to the f64 path together ([`ErrorModel::exact_f64_batch`]);
//! 4. after the pass, deferred frames whose estimate is too large against
//!    the peak over all frames, or over their span of
//!    [`ErrorModel::peak_span`] frames, ([`ErrorModel::redo_deferred`]) are
//!    redone, in parallel.
//!
//! Every choice depends only on the frame, its block's first frame and the
//! peak over all frames (or its span), never on how frames are split among
//! threads, so results do not depend on the thread count.

use crate::dsp::num::parallel::{for_each_range, SharedMut};
use std::ops::Range;

/// What the f32 path of one frame decided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// The f32 result stands (it has been written).
    Keep,
    /// Redo the frame with the f64 FFT now.
    Redo,
    /// Decide after the pass: the f32 result has been written, with its
    /// error estimate and the frame's peak output value.
    Defer { estimate: f64, peak: f64 },
}

/// A feature's float32 error model and its two per-frame paths.
pub trait ErrorModel: Sync {
    /// Per-task state: FFT workers and buffers.
    type Task;
    /// Frames probed together (see the module documentation); 1 probes
    /// every frame on its own.
    const BLOCK: usize = 1;
    /// Frames whose f32 paths run together through [`Self::try_f32_lanes`]
    /// (see the module documentation); 1 runs them one at a time. A model
    /// with `LANES` > 1 has `BLOCK` 1.
    const LANES: usize = 1;

    /// Frames per parallel task.
    fn frames_per_task(&self) -> usize;
    /// Fresh per-task state.
    fn task(&self) -> Self::Task;
    /// The f32 path of `item`. With `write`, its result is stored when the
    /// verdict is not [`Verdict::Redo`]; without, the call is a probe for a
    /// block whose first frame another task owns, and must store nothing.
    fn try_f32(&self, task: &mut Self::Task, item: usize, write: bool) -> Verdict;
    /// The f32 paths of `items` (at most [`Self::LANES`], the first a
    /// multiple of it) together, the verdict of `items.start + j` into
    /// `verdicts[j]`; results are stored as by [`Self::try_f32`] with
    /// `write`. By default one [`Self::try_f32`] after the other.
    fn try_f32_lanes(&self, task: &mut Self::Task, items: Range<usize>, verdicts: &mut [Verdict]) {
        for (v, item) in verdicts.iter_mut().zip(items) {
            *v = self.try_f32(task, item, true);
        }
    }
    /// The f64 path of `item` (librosa's), stored.
    fn exact_f64(&self, task: &mut Self::Task, item: usize);
    /// The f64 path of every frame of `items` (ascending). By default one
    /// [`Self::exact_f64`] after the other.
    fn exact_f64_batch(&self, task: &mut Self::Task, items: &[usize]) {
        for &item in items {
            self.exact_f64(task, item);
        }
    }
    /// Deferred frames are judged against the peak over their span of this
    /// many consecutive frames (spans start at frame 0); `None` (the
    /// default): over all frames.
    fn peak_span(&self) -> Option<usize> {
        None
    }
    /// True when a deferred frame's `estimate` is too large against the
    /// `peak` over all frames or its span (NaN estimates must give true).
    fn redo_deferred(&self, estimate: f64, peak: f64) -> bool {
        let _ = (estimate, peak);
        false
    }
}

/// Run `model` over `n_items` frames. Returns how many frames took the f64
/// path.
pub fn run_guarded<M: ErrorModel>(model: &M, n_items: usize) -> usize {
    assert!(
        M::BLOCK == 1 || M::LANES == 1,
        "block probes and lanes do not mix"
    );
    let mut est = vec![0.0f64; n_items];
    let mut peaks = vec![f64::NEG_INFINITY; n_items];
    let mut deferred = vec![false; n_items];
    let redone_now = std::sync::atomic::AtomicUsize::new(0);
    {
        let (est_dst, peak_dst) = (SharedMut::new(&mut est), SharedMut::new(&mut peaks));
        let def_dst = SharedMut::new(&mut deferred);
        let defer = |item: usize, estimate: f64, peak: f64| {
            // SAFETY: entry `item` belongs to the calling task only.
            unsafe {
                est_dst.write(item, estimate);
                peak_dst.write(item, peak);
                def_dst.write(item, true);
            }
        };
        if M::LANES > 1 {
            let lanes = M::LANES;
            let per_task = model.frames_per_task().div_ceil(lanes);
            for_each_range(n_items.div_ceil(lanes), per_task, |groups| {
                let mut task = model.task();
                let mut verdicts = vec![Verdict::Keep; lanes];
                let mut redo = Vec::with_capacity(lanes);
                let mut redone = 0;
                for g in groups {
                    let items = g * lanes..((g + 1) * lanes).min(n_items);
                    let verdicts = &mut verdicts[..items.len()];
                    model.try_f32_lanes(&mut task, items.clone(), verdicts);
                    redo.clear();
                    for (item, v) in items.zip(verdicts.iter()) {
                        match *v {
                            Verdict::Keep => {}
                            Verdict::Redo => redo.push(item),
                            Verdict::Defer { estimate, peak } => defer(item, estimate, peak),
                        }
                    }
                    if !redo.is_empty() {
                        model.exact_f64_batch(&mut task, &redo);
                        redone += redo.len();
                    }
                }
                redone_now.fetch_add(redone, std::sync::atomic::Ordering::Relaxed);
            });
        } else {
            for_each_range(n_items, model.frames_per_task(), |items| {
                let mut task = model.task();
                let mut redone = 0;
                // (block, its first frame passed)
                let mut block = (usize::MAX, false);
                for item in items {
                    let mut verdict = None;
                    if M::BLOCK > 1 && item / M::BLOCK != block.0 {
                        let first = item / M::BLOCK * M::BLOCK;
                        let probe = model.try_f32(&mut task, first, first == item);
                        block = (item / M::BLOCK, probe != Verdict::Redo);
                        if first == item {
                            verdict = Some(probe);
                        }
                    }
                    let verdict = match verdict {
                        Some(v) => v,
                        None if M::BLOCK == 1 || block.1 => model.try_f32(&mut task, item, true),
                        None => Verdict::Redo,
                    };
                    match verdict {
                        Verdict::Keep => {}
                        Verdict::Redo => {
                            model.exact_f64(&mut task, item);
                            redone += 1;
                        }
                        Verdict::Defer { estimate, peak } => defer(item, estimate, peak),
                    }
                }
                redone_now.fetch_add(redone, std::sync::atomic::Ordering::Relaxed);
            });
        }
    }
    if !deferred.contains(&true) {
        return redone_now.into_inner();
    }
    let span = model.peak_span().unwrap_or(n_items).max(1);
    let span_peaks: Vec<f64> = peaks
        .chunks(span)
        .map(|p| p.iter().copied().fold(f64::NEG_INFINITY, f64::max))
        .collect();
    let redo: Vec<usize> = (0..n_items)
        .filter(|&i| deferred[i] && model.redo_deferred(est[i], span_peaks[i / span]))
        .collect();
    for_each_range(redo.len(), model.frames_per_task(), |part| {
        let mut task = model.task();
        model.exact_f64_batch(&mut task, &redo[part]);
    });
    redone_now.into_inner() + redo.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::num::parallel::set_num_threads;
    use std::sync::Mutex;

    /// Frames `i` with value `v[i]`: f32 keeps odd values, defers even ones
    /// with estimate `v`, and redoes multiples of 3.
    struct Toy {
        v: Vec<f64>,
        out: Mutex<Vec<(usize, &'static str)>>,
        block: bool,
    }

    impl ErrorModel for Toy {
        type Task = ();
        fn frames_per_task(&self) -> usize {
            4
        }
        fn task(&self) {}
        fn try_f32(&self, _: &mut (), item: usize, write: bool) -> Verdict {
            let v = self.v[item];
            let verdict = if (v as u64).is_multiple_of(3) {
                Verdict::Redo
            } else if v as u64 % 2 == 1 {
                Verdict::Keep
            } else {
                Verdict::Defer {
                    estimate: v,
                    peak: v,
                }
            };
            if write && verdict != Verdict::Redo {
                self.out.lock().unwrap().push((item, "f32"));
            }
            verdict
        }
        fn exact_f64(&self, _: &mut (), item: usize) {
            self.out.lock().unwrap().push((item, "f64"));
        }
        fn redo_deferred(&self, estimate: f64, peak: f64) -> bool {
            estimate > 0.5 * peak || estimate.is_nan()
        }
    }

    fn run(v: &[f64], block: bool, threads: usize) -> (usize, Vec<(usize, &'static str)>) {
        let toy = Toy {
            v: v.to_vec(),
            out: Mutex::new(Vec::new()),
            block,
        };
        set_num_threads(threads);
        let n = if toy.block {
            run_guarded(&Blocked(&toy), v.len())
        } else {
            run_guarded(&toy, v.len())
        };
        set_num_threads(0);
        let mut out = toy.out.into_inner().unwrap();
        out.sort();
        (n, out)
    }

    struct Blocked<'a>(&'a Toy);
    impl ErrorModel for Blocked<'_> {
        type Task = ();
        const BLOCK: usize = 4;
        fn frames_per_task(&self) -> usize {
            3
        }
        fn task(&self) {}
        fn try_f32(&self, t: &mut (), item: usize, write: bool) -> Verdict {
            self.0.try_f32(t, item, write)
        }
        fn exact_f64(&self, t: &mut (), item: usize) {
            self.0.exact_f64(t, item)
        }
        fn redo_deferred(&self, estimate: f64, peak: f64) -> bool {
            self.0.redo_deferred(estimate, peak)
        }
    }

    #[test]
    fn verdicts_schedule_as_documented_for_any_thread_count() {
        // 0: redo, 1: keep, 2: defer (2 <= 0.5 * 10 keeps), 10: defer (redo
        // against peak 10? no: 10 <= 5 fails, so redo), 3: redo, 5: keep.
        let v = [0.0, 1.0, 2.0, 10.0, 3.0, 5.0, 4.0, 7.0, 8.0];
        let (n, out) = run(&v, false, 1);
        let want: Vec<(usize, &str)> = vec![
            (0, "f64"),
            (1, "f32"),
            (2, "f32"),
            (3, "f32"),
            (3, "f64"),
            (4, "f64"),
            (5, "f32"),
            (6, "f32"),
            (7, "f32"),
            (8, "f32"),
            (8, "f64"),
        ];
        assert_eq!(out, want);
        assert_eq!(n, 4);
        for threads in [2, 3] {
            assert_eq!(run(&v, false, threads), (n, want.clone()));
        }
    }

    #[test]
    fn a_failed_block_probe_sends_its_frames_to_f64() {
        // Block 0 starts with a redo (0): frames 1..4 skip f32. Block 1
        // starts with a keep (1).
        let v = [0.0, 1.0, 1.0, 1.0, 1.0, 3.0, 1.0, 1.0];
        for threads in [1, 2, 3] {
            let (n, out) = run(&v, true, threads);
            let f64s: Vec<usize> = out.iter().filter(|o| o.1 == "f64").map(|o| o.0).collect();
            assert_eq!(f64s, vec![0, 1, 2, 3, 5], "threads={threads}");
            assert_eq!(n, 5);
        }
    }

    /// [`Toy`] in lanes of 3, recording each lane group and batch.
    struct Laned<'a>(&'a Toy, Mutex<Vec<Vec<usize>>>, Option<usize>);
    impl ErrorModel for Laned<'_> {
        type Task = ();
        const LANES: usize = 3;
        fn frames_per_task(&self) -> usize {
            4
        }
        fn task(&self) {}
        fn try_f32(&self, t: &mut (), item: usize, write: bool) -> Verdict {
            self.0.try_f32(t, item, write)
        }
        fn try_f32_lanes(&self, t: &mut (), items: Range<usize>, verdicts: &mut [Verdict]) {
            assert!(
                items.start.is_multiple_of(3) && items.len() <= 3 && items.len() == verdicts.len()
            );
            for (v, item) in verdicts.iter_mut().zip(items) {
                *v = self.0.try_f32(t, item, true);
            }
        }
        fn exact_f64(&self, t: &mut (), item: usize) {
            self.0.exact_f64(t, item)
        }
        fn exact_f64_batch(&self, t: &mut (), items: &[usize]) {
            self.1.lock().unwrap().push(items.to_vec());
            for &i in items {
                self.0.exact_f64(t, i);
            }
        }
        fn peak_span(&self) -> Option<usize> {
            self.2
        }
        fn redo_deferred(&self, estimate: f64, peak: f64) -> bool {
            self.0.redo_deferred(estimate, peak)
        }
    }

    /// Frames redone, (frame, path) pairs and the f64 batches, sorted.
    type Laned3 = (usize, Vec<(usize, &'static str)>, Vec<Vec<usize>>);

    fn run_laned(v: &[f64], span: Option<usize>, threads: usize) -> Laned3 {
        let toy = Toy {
            v: v.to_vec(),
            out: Mutex::new(Vec::new()),
            block: false,
        };
        let laned = Laned(&toy, Mutex::new(Vec::new()), span);
        set_num_threads(threads);
        let n = run_guarded(&laned, v.len());
        set_num_threads(0);
        let mut batches = laned.1.into_inner().unwrap();
        batches.sort();
        let mut out = toy.out.into_inner().unwrap();
        out.sort();
        (n, out, batches)
    }

    #[test]
    fn lanes_give_the_same_verdicts_and_batch_their_redos() {
        let v = [0.0, 1.0, 2.0, 10.0, 3.0, 5.0, 4.0, 7.0, 8.0];
        let (n, want) = run(&v, false, 1);
        for threads in [1, 2, 3] {
            let (got_n, got, batches) = run_laned(&v, None, threads);
            assert_eq!((got_n, &got), (n, &want), "threads={threads}");
            // Redos in the pass go per lane group (0 and 3, 4); the
            // deferred ones (3, 8) after it.
            assert!(batches.contains(&vec![0]) && batches.contains(&vec![4]));
            let all: usize = batches.iter().map(Vec::len).sum();
            assert_eq!(all, n);
        }
    }

    #[test]
    fn deferred_frames_are_judged_against_their_span() {
        // Spans of 3: peaks 2, 10, 8. Frame 2 (2 > 0.5 * 2) is redone now,
        // frame 3 (10 > 5) still, frame 8 (8 > 4) still; frame 6 (4 <= 4)
        // is kept.
        let v = [0.0, 1.0, 2.0, 10.0, 3.0, 5.0, 4.0, 7.0, 8.0];
        for threads in [1, 2] {
            let (n, out, _) = run_laned(&v, Some(3), threads);
            let f64s: Vec<usize> = out.iter().filter(|o| o.1 == "f64").map(|o| o.0).collect();
            assert_eq!(f64s, vec![0, 2, 3, 4, 8], "threads={threads}");
            assert_eq!(n, 5);
        }
    }
}
