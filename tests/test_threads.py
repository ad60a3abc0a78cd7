"""Thread safety, thread-count determinism and GIL release of the Rust kernels."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import ferrosa
import numpy as np
import pytest
from conftest import SR, make_chirp, make_noise


@pytest.fixture
def restore_threads() -> Iterator[None]:
    before = ferrosa.get_num_threads()
    yield
    ferrosa.set_num_threads(0)
    if ferrosa.get_num_threads() != before:
        ferrosa.set_num_threads(before)


def test_set_get_num_threads(restore_threads):
    ferrosa.set_num_threads(1)
    assert ferrosa.get_num_threads() == 1
    ferrosa.set_num_threads(2)
    assert ferrosa.get_num_threads() == 2
    ferrosa.set_num_threads(0)  # back to the default: at least one thread
    assert ferrosa.get_num_threads() >= 1


def test_concurrent_calls_give_identical_results():
    signals = [make_noise(SR * 2, np.float32, seed=s) for s in range(6)]
    signals += [make_chirp(SR * 3, np.float64), np.stack(signals[:3])]
    serial = [ferrosa.stft(y, n_fft=1024, hop_length=256) for y in signals]
    inverse = [ferrosa.istft(D, hop_length=256) for D in serial]

    def work(i: int) -> tuple[int, np.ndarray, np.ndarray]:
        D = ferrosa.stft(signals[i], n_fft=1024, hop_length=256)
        return i, D, ferrosa.istft(D, hop_length=256)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, list(range(len(signals))) * 3))
    for i, D, y in results:
        np.testing.assert_array_equal(D, serial[i])
        np.testing.assert_array_equal(y, inverse[i])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_results_bitwise_equal_across_thread_counts(dtype, restore_threads):
    # Long and multichannel inputs so the parallel paths are taken.
    y = make_noise(SR * 30, dtype, seed=4)
    multi = make_noise(SR * 4 * 5, dtype, seed=5).reshape(4, -1)
    outs = {}
    for n in (1, 2):
        ferrosa.set_num_threads(n)
        D = ferrosa.stft(y)
        M = ferrosa.stft(multi, n_fft=512, center=False)
        outs[n] = (D, M, ferrosa.istft(D, length=len(y)), ferrosa.istft(M, center=False))
    for a, b in zip(outs[1], outs[2], strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)


@pytest.fixture
def cooperative_switching() -> Iterator[None]:
    # With a huge switch interval a thread only gives up the GIL when it
    # blocks or calls code that releases it, so a counter thread can only
    # advance during a call if that call releases the GIL.
    old = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    yield
    sys.setswitchinterval(old)


def progress_during(call) -> int:
    """How far a counter thread advanced while ``call()`` ran in this thread."""
    counter = [0]
    running = threading.Event()
    stop = threading.Event()

    def count() -> None:
        running.set()
        while not stop.is_set():
            counter[0] += 1
            time.sleep(0)  # releases the GIL each iteration so the caller can run

    t = threading.Thread(target=count, daemon=True)
    t.start()
    running.wait()
    before = counter[0]
    call()
    after = counter[0]
    stop.set()
    t.join()
    return after - before


def test_gil_detector_sees_gil_holding_calls(cooperative_switching):
    # Control: a long pure-C loop that keeps the GIL lets the counter make no progress.
    assert progress_during(lambda: sum(range(3_000_000))) == 0


def test_stft_releases_the_gil(cooperative_switching):
    y = make_noise(SR * 60, np.float32, seed=8).reshape(1, -1)
    window = ferrosa.filters.get_window("hann", 2048)

    # Call the extension directly so no NumPy work (which may also release
    # the GIL) happens between reading the counter before and after.
    n_frames = ferrosa._core.stft_n_frames(y.shape[-1], 2048, 128, True)
    out = np.empty((1, n_frames, 1025), np.complex64)

    def long_stft() -> None:
        for _ in range(3):
            ferrosa._core.stft(y, window, 2048, 128, True, "constant", out)

    assert progress_during(long_stft) > 0


def test_istft_releases_the_gil(cooperative_switching):
    D = ferrosa.stft(make_noise(SR * 30, np.float64, seed=2), hop_length=128)[None]
    frames = np.ascontiguousarray(np.swapaxes(D, -1, -2))  # the extension is frame-major
    window = ferrosa.filters.get_window("hann", 2048)
    _, n_out = ferrosa._core.istft_plan(frames.shape[1], 2048, 128, True, None)
    out = np.empty((1, n_out), np.float64)
    assert (
        progress_during(lambda: ferrosa._core.istft(frames, window, 2048, 128, True, None, out)) > 0
    )
