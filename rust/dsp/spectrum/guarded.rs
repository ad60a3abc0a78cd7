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
//! 3. after the pass, deferred frames whose estimate is too large against
//!    the peak over all frames ([`ErrorModel::redo_deferred`]) are redone,
//!    in parallel.
//!
//! Every choice depends only on the frame, its block's first frame and the
//! global peak, never on how frames are split among threads, so results do
//! not depend on the thread count.

use crate::dsp::num::parallel::{for_each_range, SharedMut};

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

    /// Frames per parallel task.
    fn frames_per_task(&self) -> usize;
    /// Fresh per-task state.
    fn task(&self) -> Self::Task;
    /// The f32 path of `item`. With `write`, its result is stored when the
    /// verdict is not [`Verdict::Redo`]; without, the call is a probe for a
    /// block whose first frame another task owns, and must store nothing.
    fn try_f32(&self, task: &mut Self::Task, item: usize, write: bool) -> Verdict;
    /// The f64 path of `item` (librosa's), stored.
    fn exact_f64(&self, task: &mut Self::Task, item: usize);
    /// True when a deferred frame's `estimate` is too large against the
    /// `peak` over all frames (NaN estimates must give true).
    fn redo_deferred(&self, estimate: f64, peak: f64) -> bool {
        let _ = (estimate, peak);
        false
    }
}

/// Run `model` over `n_items` frames. Returns how many frames took the f64
/// path.
pub fn run_guarded<M: ErrorModel>(model: &M, n_items: usize) -> usize {
    let mut est = vec![0.0f64; n_items];
    let mut peaks = vec![f64::NEG_INFINITY; n_items];
    let mut deferred = vec![false; n_items];
    let redone_now = std::sync::atomic::AtomicUsize::new(0);
    {
        let (est_dst, peak_dst) = (SharedMut::new(&mut est), SharedMut::new(&mut peaks));
        let def_dst = SharedMut::new(&mut deferred);
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
                    Verdict::Defer { estimate, peak } => {
                        // SAFETY: entry `item` belongs to this task only.
                        unsafe {
                            est_dst.write(item, estimate);
                            peak_dst.write(item, peak);
                            def_dst.write(item, true);
                        }
                    }
                }
            }
            redone_now.fetch_add(redone, std::sync::atomic::Ordering::Relaxed);
        });
    }
    if !deferred.contains(&true) {
        return redone_now.into_inner();
    }
    let peak = peaks.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let redo: Vec<usize> = (0..n_items)
        .filter(|&i| deferred[i] && model.redo_deferred(est[i], peak))
        .collect();
    for_each_range(redo.len(), model.frames_per_task(), |part| {
        let mut task = model.task();
        for &item in &redo[part] {
            model.exact_f64(&mut task, item);
        }
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
}
