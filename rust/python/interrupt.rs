//! Ctrl-C for long kernels.
//!
//! Python only runs its SIGINT handler on the main thread, between bytecodes,
//! so a kernel running with the GIL released would finish before
//! `KeyboardInterrupt` is seen. For work large enough to matter the kernel
//! runs on a scoped worker thread while the calling thread waits with the GIL
//! released and checks for signals every `POLL`. On an interrupt it raises
//! the kernel's cancellation flag (polled by `parallel::for_each_range`),
//! waits for the worker to stop and returns the `KeyboardInterrupt`; the
//! partial output is discarded by the caller.

use crate::dsp::num::cancel;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// How often the waiting thread looks for a pending signal.
const POLL: Duration = Duration::from_millis(50);

/// Below this many output elements a call is short: run it inline, since a
/// thread costs more than the wait for a Ctrl-C could save.
pub const LONG_WORK: usize = 1 << 16;

/// Run `work` with the GIL released; when `size >= LONG_WORK`, let Ctrl-C
/// (any pending Python signal whose handler raises) interrupt it.
pub fn allow_interrupt<R, F>(py: Python<'_>, size: usize, work: F) -> PyResult<R>
where
    R: Send,
    F: FnOnce() -> R + Send,
{
    if size < LONG_WORK {
        return Ok(py.allow_threads(work));
    }
    let flag: cancel::Flag = Arc::new(AtomicBool::new(false));
    // The worker raises `done` before it unparks the caller: `is_finished`
    // turns true only once the thread has exited, which can be after the
    // unpark, and a caller that parked again would sleep a whole POLL.
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let caller = std::thread::current();
        let worker_flag = flag.clone();
        let done = &done;
        let worker = scope.spawn(move || {
            let out = cancel::with_flag(worker_flag, work);
            done.store(true, Ordering::Release);
            caller.unpark();
            out
        });
        // park_timeout may wake early or late; `done` is the truth.
        while !done.load(Ordering::Acquire) {
            py.allow_threads(|| std::thread::park_timeout(POLL));
            if done.load(Ordering::Acquire) {
                break;
            }
            if let Err(err) = py.check_signals() {
                flag.store(true, Ordering::Relaxed);
                py.allow_threads(|| {
                    let _ = worker.join();
                });
                return Err(err);
            }
        }
        match py.allow_threads(|| worker.join()) {
            Ok(out) => Ok(out),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
