"""ferrosa.stft and magphase against librosa 0.11, plus closed-form properties."""

from __future__ import annotations

import itertools

import ferrosa
import librosa
import numpy as np
import pytest
from conftest import SR, assert_close_to_peak, make_chirp, make_noise, make_tones
from hypothesis import given, settings
from hypothesis import strategies as st

DTYPES = [np.float32, np.float64]


def both(y: np.ndarray, **kw: object) -> tuple[np.ndarray, np.ndarray]:
    """(ferrosa, librosa) STFT with identical keyword arguments."""
    return ferrosa.stft(y, **kw), librosa.stft(y, **kw)


def check(y: np.ndarray, **kw: object) -> None:
    got, want = both(y, **kw)
    assert got.dtype == want.dtype
    assert_close_to_peak(got, want)


GRID = list(
    itertools.product(
        [512, 1023, 2048],  # n_fft, odd included
        [None, 128, 333],  # hop_length
        [None, "half"],  # win_length
        [True, False],  # center
        ["constant", "reflect", "edge"],  # pad_mode
    )
)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize(("n_fft", "hop", "win", "center", "pad_mode"), GRID)
def test_stft_grid_matches_librosa(n_fft, hop, win, center, pad_mode, dtype):
    y = make_chirp(SR // 2, dtype) + 0.1 * make_noise(SR // 2, dtype)
    win_length = None if win is None else n_fft // 2 + 1
    check(
        y.astype(dtype),
        n_fft=n_fft,
        hop_length=hop,
        win_length=win_length,
        center=center,
        pad_mode=pad_mode,
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
def test_stft_defaults_on_each_signal(signal, dtype):
    check(signal.astype(dtype))


def test_stft_real_clip(real_clip):
    y, _ = real_clip
    check(y, n_fft=2048, hop_length=512)
    check(y.astype(np.float64), n_fft=1024, hop_length=256, center=False)


@pytest.mark.parametrize("window", ["hann", "hamming", "blackman", "boxcar", ("kaiser", 8.0)])
@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
def test_stft_windows(window, dtype):
    check(make_tones(8000, dtype), n_fft=1024, hop_length=256, window=window)


def test_stft_window_array_and_callable():
    y = make_noise(6000, np.float64)
    w = np.random.default_rng(3).uniform(0.1, 1.0, 700)
    check(y, n_fft=1024, win_length=700, window=w)
    check(y, n_fft=512, window=np.hanning)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("shape", [(2,), (2, 3), (1, 1, 2)])
def test_stft_multichannel(shape, dtype):
    n = 5000
    y = make_noise(int(np.prod(shape)) * n, dtype, seed=7).reshape(shape + (n,))
    got, want = both(y, n_fft=512, hop_length=100)
    assert got.shape == want.shape == shape + (257, 1 + n // 100)
    assert_close_to_peak(got, want)
    # Each channel equals its own mono transform.
    mono = ferrosa.stft(np.ascontiguousarray(y[(0,) * len(shape)]), n_fft=512, hop_length=100)
    np.testing.assert_array_equal(got[(0,) * len(shape)], mono)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
def test_stft_noncontiguous_views(dtype):
    base = make_noise(20000, dtype, seed=11)
    check(base[::2], n_fft=512)
    check(base[3:-5:3], n_fft=256, hop_length=64, center=False)
    two = base.reshape(10000, 2)
    check(two.T, n_fft=512, hop_length=128)  # (2, n) with stride 2
    check(two.T[:, 100:9000], n_fft=400, pad_mode="reflect")
    cube = base[:19800].reshape(2, 9900)[:, ::-1]  # negative stride
    check(cube, n_fft=512)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("in_dtype", DTYPES, ids=["f32", "f64"])
def test_stft_dtype_argument(in_dtype, dtype):
    y = make_tones(4000, in_dtype)
    got, want = both(y, n_fft=512, dtype=dtype)
    assert got.dtype == want.dtype == np.dtype(dtype)
    assert_close_to_peak(got, want, dtype=np.result_type(in_dtype, np.complex64))


def test_stft_out_argument():
    y = make_noise(4000, np.float32)
    want = librosa.stft(y, n_fft=256)
    out = np.empty(want.shape, dtype=want.dtype)
    got = ferrosa.stft(y, n_fft=256, out=out)
    assert got is out
    assert_close_to_peak(got, want)


def test_stft_all_zero_signal_is_not_an_error():
    for dtype in DTYPES:
        check(np.zeros(3000, dtype), n_fft=512)


def test_stft_n_fft_longer_than_signal_centered():
    # Allowed with center=True (librosa warns); the padded signal is long enough.
    y = make_noise(700, np.float64)
    with pytest.warns(UserWarning):
        want = librosa.stft(y, n_fft=1024, pad_mode="constant")
    assert_close_to_peak(ferrosa.stft(y, n_fft=1024), want)


# ---------------------------------------------------------------- properties


def expected_frames(n: int, n_fft: int, hop: int, center: bool) -> int:
    padded = n + 2 * (n_fft // 2) if center else n
    return 1 + (padded - n_fft) // hop


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 3000),
    n_fft=st.integers(1, 600),
    hop=st.integers(1, 700),
    center=st.booleans(),
    f64=st.booleans(),
)
def test_stft_shape_closed_form(n, n_fft, hop, center, f64):
    dtype = np.float64 if f64 else np.float32
    y = make_noise(n, dtype, seed=n)
    if not center and n_fft > n:
        with pytest.raises(ferrosa.ParameterError, match=f"n_fft={n_fft}"):
            ferrosa.stft(y, n_fft=n_fft, hop_length=hop, center=center)
        return
    out = ferrosa.stft(y, n_fft=n_fft, hop_length=hop, center=center)
    assert out.shape == (1 + n_fft // 2, expected_frames(n, n_fft, hop, center))
    assert out.dtype == (np.complex128 if f64 else np.complex64)


@settings(max_examples=40, deadline=None)
@given(
    a=st.floats(-10, 10, allow_nan=False),
    b=st.floats(-10, 10, allow_nan=False),
    n=st.integers(1000, 5000),
    n_fft=st.sampled_from([256, 511, 512, 1000]),
    center=st.booleans(),
    pad_mode=st.sampled_from(["constant", "reflect", "edge"]),
)
def test_stft_is_linear(a, b, n, n_fft, center, pad_mode):
    x = make_noise(n, np.float64, seed=1)
    z = make_chirp(n, np.float64)
    kw = dict(n_fft=n_fft, center=center, pad_mode=pad_mode)
    lhs = ferrosa.stft(a * x + b * z, **kw)
    rhs = a * ferrosa.stft(x, **kw) + b * ferrosa.stft(z, **kw)
    scale = max(abs(a), abs(b), 1.0) * float(np.max(np.abs(ferrosa.stft(x + z, **kw))))
    assert float(np.max(np.abs(lhs - rhs))) <= 1e-9 * scale


@settings(max_examples=40, deadline=None)
@given(n_fft=st.integers(1, 700), n_frames=st.integers(1, 12), extra=st.integers(0, 700))
def test_stft_parseval_boxcar(n_fft, n_frames, extra):
    # Non-overlapping rectangular frames: sum |X|^2 over the full spectrum is
    # n_fft times the energy of the samples the frames cover.
    y = make_noise(n_fft * n_frames + extra, np.float64, seed=n_fft)
    D = ferrosa.stft(y, n_fft=n_fft, hop_length=n_fft, window="boxcar", center=False)
    p = np.abs(D) ** 2
    # One-sided spectrum: every bin except DC (and Nyquist for even n_fft) appears twice.
    weights = np.full(p.shape[0], 2.0)
    weights[0] = 1.0
    if n_fft % 2 == 0:
        weights[-1] = 1.0
    spectral = float(np.sum(weights[:, None] * p))
    covered = n_fft * (n_frames + extra // n_fft)
    assert D.shape[1] == covered // n_fft
    temporal = n_fft * float(np.sum(y[:covered] ** 2))
    assert spectral == pytest.approx(temporal, rel=1e-10)


# ------------------------------------------------------------------ magphase


@pytest.mark.parametrize("power", [1, 2, 0.5])
@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
def test_magphase_matches_librosa(power, dtype):
    D = librosa.stft(make_tones(4000, dtype), n_fft=256)
    D[:, 3] = 0  # exact zeros take the unit phase 1
    mag, phase = ferrosa.magphase(D, power=power)
    lmag, lphase = librosa.magphase(D, power=power)
    assert mag.dtype == lmag.dtype and phase.dtype == lphase.dtype
    assert_close_to_peak(mag, lmag)
    assert_close_to_peak(phase, lphase)
    np.testing.assert_array_equal(phase[:, 3], 1)


def test_magphase_real_input():
    S = np.abs(make_noise(100, np.float64)).reshape(10, 10)
    S[0, 0] = 0
    mag, phase = ferrosa.magphase(S)
    lmag, lphase = librosa.magphase(S)
    assert phase.dtype == lphase.dtype
    assert_close_to_peak(mag, lmag)
    assert_close_to_peak(phase, lphase)
