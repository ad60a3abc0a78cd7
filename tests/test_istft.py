"""ferrosa.istft against librosa 0.11, and the stft → istft round trip."""

from __future__ import annotations

import itertools

import ferrosa
import librosa
import numpy as np
import pytest
from conftest import SR, assert_close_to_peak, make_chirp, make_noise, make_tones
from hypothesis import example, given, settings
from hypothesis import strategies as st

DTYPES = [np.float32, np.float64]


def check(D: np.ndarray, **kw: object) -> np.ndarray:
    """Compare ferrosa.istft with librosa.istft for the same arguments.

    For complex64 input librosa divides a float32 overlap-add by a float32
    window sum-square that falls to ~1e-8 near uncovered edges (center=False,
    or ``length`` beyond the signal), which amplifies its own rounding error to
    ~1e-2 there. So single precision is checked against librosa run on the
    same spectrum in double precision (the exact answer, 1e-5 of the peak),
    and against librosa's float32 output wherever that output is itself
    accurate.
    """
    got = ferrosa.istft(D, **kw)
    want = librosa.istft(D, **kw)
    assert got.dtype == want.dtype
    if D.dtype != np.complex64:
        assert_close_to_peak(got, want)
        return got
    exact = librosa.istft(D.astype(np.complex128), **kw)
    assert_close_to_peak(got, exact, dtype=np.float32)
    peak = float(np.max(np.abs(exact))) if exact.size else 0.0
    accurate = np.abs(want - exact) <= 1e-6 * peak
    assert accurate.mean() > 0.9 or exact.size < 10_000  # the mask is not vacuous
    assert_close_to_peak(got[accurate], want[accurate], dtype=np.float32)
    return got


GRID = list(
    itertools.product(
        [512, 1023, 2048],  # n_fft (odd must be passed explicitly)
        [None, 128, 300],  # hop_length
        [None, "half"],  # win_length
        [True, False],  # center
        [None, "short", "long"],  # length
    )
)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize(("n_fft", "hop", "win", "center", "length"), GRID)
def test_istft_grid_matches_librosa(n_fft, hop, win, center, length, dtype):
    n = SR // 2
    y = make_chirp(n, dtype) + 0.1 * make_noise(n, dtype)
    win_length = None if win is None else n_fft // 2 + 1
    kw = dict(n_fft=n_fft, hop_length=hop, win_length=win_length, center=center)
    D = librosa.stft(y.astype(dtype), **kw)
    lengths = {None: None, "short": n // 3, "long": n + 777}
    check(D, length=lengths[length], **kw)


@pytest.mark.parametrize("window", ["hann", "hamming", "blackman", "boxcar", ("tukey", 0.5)])
@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
def test_istft_windows(window, dtype):
    D = librosa.stft(make_tones(6000, dtype), n_fft=1024, hop_length=256, window=window)
    check(D, hop_length=256, window=window)


def test_istft_random_spectrum_and_mismatched_n_fft():
    # Not a consistent STFT, and n_fft that disagrees with the bin count: the
    # inverse is still defined (irfft pads/truncates) and must match librosa.
    rng = np.random.default_rng(5)
    D = rng.standard_normal((257, 40)) + 1j * rng.standard_normal((257, 40))
    check(D)
    for n_fft in (300, 600, 1024):
        check(D, n_fft=n_fft)
    check(D, n_fft=1024, win_length=500, hop_length=100, center=False)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("shape", [(2,), (2, 3), (1, 2, 1)])
def test_istft_multichannel(shape, dtype):
    n = 4000
    y = make_noise(int(np.prod(shape)) * n, dtype, seed=9).reshape(shape + (n,))
    D = librosa.stft(y, n_fft=512, hop_length=128)
    got = check(D, hop_length=128, length=n)
    assert got.shape == shape + (n,)


def test_istft_noncontiguous_input():
    D = librosa.stft(make_noise(9000, np.float64), n_fft=512, hop_length=128)
    check(D[:, ::2], hop_length=256)
    check(np.asfortranarray(D), hop_length=128)
    stacked = np.stack([D, 2 * D], axis=-1)  # (bins, frames, 2) → transpose views
    check(np.moveaxis(stacked, -1, 0), hop_length=128)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_istft_dtype_and_out(dtype):
    D = librosa.stft(make_tones(5000, np.float32), n_fft=512)
    got = ferrosa.istft(D, dtype=dtype)
    want = librosa.istft(D, dtype=dtype)
    assert got.dtype == want.dtype == np.dtype(dtype)
    assert_close_to_peak(got, want, dtype=np.float32)
    out = np.full(want.shape, 7.0, dtype=want.dtype)
    res = ferrosa.istft(D, dtype=dtype, out=out)
    lout = np.full_like(out, 7.0)
    librosa.istft(D, dtype=dtype, out=lout)
    assert res is out
    assert_close_to_peak(out, lout, dtype=np.float32)


def test_istft_out_wrong_shape_rejected_like_librosa():
    D = librosa.stft(make_tones(5000, np.float32), n_fft=512)
    n = librosa.istft(D).shape[-1]
    with pytest.raises(librosa.util.exceptions.ParameterError):
        librosa.istft(D, out=np.zeros(n + 10, np.float32))
    with pytest.raises(ferrosa.ParameterError, match="out.shape"):
        ferrosa.istft(D, out=np.zeros(n + 10, np.float32))


def test_istft_zero_and_single_frame():
    check(np.zeros((257, 10), np.complex64))
    D = librosa.stft(make_noise(512, np.float64), n_fft=512, center=False)
    assert D.shape[1] == 1
    check(D, center=False)
    check(D, center=True)


# ---------------------------------------------------------------- round trip


@settings(max_examples=50, deadline=None)
@given(
    n=st.integers(1, 6000),
    n_fft=st.sampled_from([64, 256, 511, 512, 1024, 2048]),
    # hop <= n_fft // 2 so centred frames cover every sample.
    window_hop=st.sampled_from(
        [("hann", 4), ("hann", 2), ("boxcar", 2), ("boxcar", 3), ("hamming", 4)]
    ),
    pad_mode=st.sampled_from(["constant", "reflect", "edge"]),
    f64=st.booleans(),
)
# A short clip whose samples sit where the one window is small.
@example(n=244, n_fft=512, window_hop=("hann", 2), pad_mode="edge", f64=False)
def test_istft_inverts_stft(n, n_fft, window_hop, pad_mode, f64):
    window, div = window_hop
    hop = max(1, n_fft // div)
    dtype = np.float64 if f64 else np.float32
    y = make_noise(n, dtype, seed=n)
    if pad_mode != "constant" and n < 2:
        return  # reflect padding needs at least two samples, as in numpy
    D = ferrosa.stft(y, n_fft=n_fft, hop_length=hop, window=window, pad_mode=pad_mode)
    y_hat = ferrosa.istft(D, n_fft=n_fft, hop_length=hop, window=window, length=n)
    assert y_hat.dtype == dtype and y_hat.shape == y.shape
    # Dividing by the window sum-square amplifies the FFT's rounding where
    # that sum is small (clip edges, short clips): the bound grows with it.
    wss = librosa.filters.window_sumsquare(
        window=window, n_frames=D.shape[-1], hop_length=hop, n_fft=n_fft, dtype=np.float64
    )
    here = wss[n_fft // 2 : n_fft // 2 + n]
    gain = np.maximum(1.0, wss.max() / np.maximum(here, np.finfo(np.float64).tiny))
    tol = 1e-9 if f64 else 1e-5
    err = np.abs(y_hat.astype(np.float64) - y)
    assert np.all(err <= tol * np.max(np.abs(y)) * gain), f"max {np.max(err / gain):.3g}"
    # Wherever the window sum is not small, the plain contract holds.
    inner = gain < 4
    if inner.any():
        assert_close_to_peak(y_hat[inner], y[inner], dtype=dtype)


def test_istft_length_zero_like_librosa():
    D = librosa.stft(make_noise(3000, np.float64), n_fft=512)
    check(D, length=0)
