//! One thread pool for the whole process, capped by `FERROSA_NUM_THREADS`
//! or `set_num_threads`, and a helper that splits work into chunks only when
//! the work is large enough to pay for it.

use super::cancel;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

static CAP: AtomicUsize = AtomicUsize::new(0);
static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();

fn default_threads() -> usize {
    std::env::var("FERROSA_NUM_THREADS")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
}

fn pool() -> &'static rayon::ThreadPool {
    POOL.get_or_init(|| {
        let n = default_threads().max(1);
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("ferrosa-{i}"))
            .build()
            .unwrap_or_else(|_| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .build()
                    .expect("a one-thread pool can always be built")
            })
    })
}

/// The number of threads kernels may use (at least 1).
pub fn num_threads() -> usize {
    match CAP.load(Ordering::Relaxed) {
        0 => default_threads(),
        n => n,
    }
}

/// Cap the threads used by later calls; 0 restores the default.
pub fn set_num_threads(n: usize) {
    CAP.store(n, Ordering::Relaxed);
}

/// Run `f` over `0..n_items` split into contiguous ranges, in parallel when
/// there are at least `2 * min_chunk` items and more than one thread allowed.
/// The split never changes the arithmetic, so results are identical whatever
/// the thread count.
///
/// When the calling thread carries a cancellation flag (see `cancel`), each
/// range is walked in smaller pieces and the flag is checked before each, so
/// a long call stops soon after Ctrl-C; without one the ranges run whole.
pub fn for_each_range<F>(n_items: usize, min_chunk: usize, f: F)
where
    F: Fn(Range<usize>) + Send + Sync,
{
    let flag = cancel::current();
    let threads = num_threads();
    // At most `threads` chunks, so a cap below the pool size is respected.
    let n_chunks = (n_items / min_chunk.max(1)).min(threads).max(1);
    let run = |range: Range<usize>| run_range(range, min_chunk, &flag, &f);
    if n_chunks <= 1 {
        if n_items > 0 {
            run(0..n_items);
        }
        return;
    }
    let chunk = n_items.div_ceil(n_chunks);
    pool().install(|| {
        (0..n_chunks).into_par_iter().for_each(|c| {
            let start = c * chunk;
            let end = ((c + 1) * chunk).min(n_items);
            if start < end {
                run(start..end);
            }
        })
    });
}

/// Pieces per thread when a cancellation flag is polled: enough that a
/// piece is a small share of the call, few enough that per-piece set-up
/// (scratch buffers, FFT plans from a cache) stays negligible.
const PIECES_PER_CHUNK: usize = 32;

fn run_range<F>(range: Range<usize>, min_chunk: usize, flag: &Option<cancel::Flag>, f: &F)
where
    F: Fn(Range<usize>),
{
    if flag.is_none() {
        f(range);
        return;
    }
    let piece = range.len().div_ceil(PIECES_PER_CHUNK).max(min_chunk.max(1));
    let mut start = range.start;
    while start < range.end {
        if cancel::is_raised(flag) {
            return;
        }
        let end = (start + piece).min(range.end);
        f(start..end);
        start = end;
    }
}

/// A raw pointer that kernels share across threads to write disjoint parts
/// of one output buffer (for example, different frame columns of a
/// frequency-major array).
#[derive(Clone, Copy)]
pub struct SharedMut<T> {
    ptr: *mut T,
    len: usize,
}

// SAFETY: callers only write disjoint indices from different threads.
unsafe impl<T: Send> Send for SharedMut<T> {}
unsafe impl<T: Send> Sync for SharedMut<T> {}

impl<T> SharedMut<T> {
    pub fn new(slice: &mut [T]) -> Self {
        SharedMut {
            ptr: slice.as_mut_ptr(),
            len: slice.len(),
        }
    }

    /// Write `value` at `index`.
    ///
    /// # Safety
    /// No other thread may read or write `index` during the parallel region.
    #[inline(always)]
    pub unsafe fn write(&self, index: usize, value: T) {
        debug_assert!(index < self.len);
        *self.ptr.add(index) = value;
    }

    /// The sub-slice `start..start + len`.
    ///
    /// # Safety
    /// No other thread may touch these elements while the slice is alive.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn slice_mut(&self, start: usize, len: usize) -> &mut [T] {
        assert!(start + len <= self.len, "SharedMut slice out of bounds");
        std::slice::from_raw_parts_mut(self.ptr.add(start), len)
    }
}
