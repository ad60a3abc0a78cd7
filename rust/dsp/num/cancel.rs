//! Cooperative cancellation: a flag the binding layer raises on Ctrl-C and
//! that `parallel::for_each_range` polls between pieces of work.
//!
//! Kernels never see it: the flag belongs to the thread that called the
//! kernel (set with [`with_flag`]) and is captured by `for_each_range`
//! before work moves to the pool, so concurrent calls from other threads
//! are not affected. A cancelled kernel stops early and leaves its output
//! partly written; the caller discards it.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A shared "stop now" flag.
pub type Flag = Arc<AtomicBool>;

thread_local! {
    static CURRENT: RefCell<Option<Flag>> = const { RefCell::new(None) };
}

/// Run `f` with `flag` as this thread's cancellation flag.
pub fn with_flag<R>(flag: Flag, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Flag>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let prev = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = prev);
        }
    }
    let prev = CURRENT.with(|c| c.borrow_mut().replace(flag));
    let _reset = Reset(prev);
    f()
}

/// This thread's flag, if a caller installed one.
pub fn current() -> Option<Flag> {
    CURRENT.with(|c| c.borrow().clone())
}

/// True when `flag` is present and raised.
#[inline]
pub fn is_raised(flag: &Option<Flag>) -> bool {
    flag.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_is_scoped_to_the_call() {
        assert!(current().is_none());
        let flag: Flag = Arc::new(AtomicBool::new(false));
        with_flag(flag.clone(), || {
            assert!(!is_raised(&current()));
            flag.store(true, Ordering::Relaxed);
            assert!(is_raised(&current()));
        });
        assert!(current().is_none());
    }

    /// Items `for_each_range` visits under `flag`; the body raises the flag
    /// once `raise_after` items have run (pool threads do not see the
    /// caller's thread-local, so the body holds its own handle).
    fn visits(flag: Flag, raise_after: usize) -> Vec<usize> {
        use crate::dsp::num::parallel::for_each_range;
        use std::sync::Mutex;
        let seen = Mutex::new(Vec::new());
        let raise = flag.clone();
        with_flag(flag, || {
            for_each_range(10_000, 10, |range| {
                let mut s = seen.lock().unwrap();
                s.extend(range);
                if s.len() >= raise_after {
                    raise.store(true, Ordering::Relaxed);
                }
            })
        });
        let mut s = seen.into_inner().unwrap();
        s.sort_unstable();
        s
    }

    #[test]
    fn ranges_cover_every_item_once_under_a_quiet_flag() {
        let all: Vec<usize> = (0..10_000).collect();
        assert_eq!(visits(Arc::new(AtomicBool::new(false)), usize::MAX), all);
    }

    #[test]
    fn a_raised_flag_stops_the_remaining_pieces() {
        let seen = visits(Arc::new(AtomicBool::new(false)), 1);
        assert!(!seen.is_empty());
        assert!(
            seen.len() < 10_000,
            "{} items ran after the flag",
            seen.len()
        );
    }
}
