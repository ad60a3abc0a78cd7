"""stft as librosa computes it: float32 audio per bin, out=, warnings."""

from __future__ import annotations

import warnings

import ferrosa
import numpy as np
import pytest

librosa = pytest.importorskip("librosa")


def _signal(n=12345, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 22050
    y = 0.5 * np.sin(2 * np.pi * 440 * t) + 1e-3 * rng.standard_normal(n)
    return y.astype(dtype)


@pytest.mark.parametrize("n_fft", [2048, 1023, 512])
@pytest.mark.parametrize(
    "kw", [{}, {"center": False}, {"win_length": 300, "window": "hamming"}, {"pad_mode": "reflect"}]
)
def test_float32_stft_allclose_per_bin(n_fft, kw):
    y = _signal()
    got = ferrosa.stft(y, n_fft=n_fft, **kw)
    want = librosa.stft(y, n_fft=n_fft, **kw)
    assert got.dtype == want.dtype == np.complex64
    assert np.allclose(got, want)
    # far below the peak too: relative per bin, not only to the peak
    big = np.abs(want) > 1e-3
    assert np.max(np.abs(got - want)[big] / np.abs(want)[big]) < 1e-6


def test_float32_stft_multichannel_and_dtype():
    y = np.stack([_signal(seed=1), _signal(seed=2)])
    for dtype in (None, np.complex128, np.complex64):
        got = ferrosa.stft(y, dtype=dtype)
        want = librosa.stft(y, dtype=dtype)
        assert got.dtype == want.dtype
        assert np.allclose(got, want, rtol=1e-12 if got.dtype == np.complex128 else 1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stft_out_exact_like_librosa(dtype):
    y = _signal(4000, dtype)
    n_frames = 1 + 4000 // 512
    for out_dtype, extra in ((np.complex64, 0), (np.complex128, 3), (np.complex64, 5)):
        out = np.zeros((1025, n_frames + extra), dtype=out_dtype)
        wout = np.zeros_like(out)
        got = ferrosa.stft(y, out=out)
        want = librosa.stft(y, out=wout)
        assert got.shape == want.shape and got.dtype == want.dtype
        assert np.shares_memory(got, out)
        assert np.allclose(got, want)
        assert np.array_equal(out[:, n_frames:], wout[:, n_frames:])
    for bad in (
        np.zeros((1025, n_frames - 1), np.complex64),
        np.zeros((1024, n_frames), np.complex64),
    ):
        with pytest.raises(ferrosa.ParameterError):
            ferrosa.stft(y, out=bad)
    with pytest.raises(ferrosa.ParameterError, match="complex"):
        ferrosa.stft(y, out=np.zeros((1025, n_frames)))


def test_stft_warns_when_n_fft_exceeds_the_signal():
    y = _signal(1000)
    with pytest.warns(UserWarning, match="too large"):
        got = ferrosa.stft(y, n_fft=2048)
    with pytest.warns(UserWarning, match="too large"):
        want = librosa.stft(y, n_fft=2048)
    assert np.allclose(got, want)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ferrosa.stft(y, n_fft=512)
