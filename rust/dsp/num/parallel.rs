//! One thread pool for the whole process, capped by `FERROSA_NUM_THREADS`
//! or `set_num_threads`, and a helper that splits work into chunks only when
//! the work is large enough to pay for it.

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
pub fn for_each_range<F>(n_items: usize, min_chunk: usize, f: F)
where
    F: Fn(Range<usize>) + Send + Sync,
{
    let threads = num_threads();
    // At most `threads` chunks, so a cap below the pool size is respected.
    let n_chunks = (n_items / min_chunk.max(1)).min(threads).max(1);
    if n_chunks <= 1 {
        if n_items > 0 {
            f(0..n_items);
        }
        return;
    }
    let chunk = n_items.div_ceil(n_chunks);
    pool().install(|| {
        (0..n_chunks).into_par_iter().for_each(|c| {
            let start = c * chunk;
            let end = ((c + 1) * chunk).min(n_items);
            if start < end {
                f(start..end);
            }
        })
    });
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
