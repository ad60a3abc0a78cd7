"""filters.get_window and util.frame / pad_center / fix_length against librosa 0.11."""

from __future__ import annotations

import ferrosa
import librosa
import numpy as np
import pytest
from conftest import assert_close_to_peak, make_noise
from hypothesis import given, settings
from hypothesis import strategies as st

BUILTIN = [
    "hann",
    "hamming",
    "blackman",
    "blackmanharris",
    "nuttall",
    "flattop",
    "boxcar",
    "rectangular",
    "ones",
    "triang",
    "bartlett",
    "cosine",
]


@pytest.mark.parametrize("fftbins", [True, False])
@pytest.mark.parametrize("nx", [1, 2, 3, 16, 511, 2048])
@pytest.mark.parametrize("name", BUILTIN)
def test_named_windows_match_librosa(name, nx, fftbins):
    got = ferrosa.filters.get_window(name, nx, fftbins=fftbins)
    want = librosa.filters.get_window(name, nx, fftbins=fftbins)
    assert got.dtype == want.dtype == np.float64
    assert_close_to_peak(got, want)


def test_returned_window_is_a_fresh_writable_array():
    # Windows are cached internally; callers must not be able to corrupt the cache.
    w = ferrosa.filters.get_window("hann", 32)
    w[:] = 0
    assert ferrosa.filters.get_window("hann", 32).max() == 1.0


@pytest.mark.parametrize(
    "spec",
    [("kaiser", 4.0), "tukey", ("gaussian", 7.0), "parzen", "bohman", ("general_hamming", 0.7)],
)
@pytest.mark.parametrize("fftbins", [True, False])
def test_scipy_delegation(spec, fftbins):
    got = ferrosa.filters.get_window(spec, 300, fftbins=fftbins)
    want = librosa.filters.get_window(spec, 300, fftbins=fftbins)
    assert_close_to_peak(got, want)


def test_float_window_is_kaiser_beta():
    np.testing.assert_allclose(
        ferrosa.filters.get_window(3.5, 64), librosa.filters.get_window(3.5, 64)
    )


def test_user_array_and_callable():
    arr = np.linspace(0, 1, 50)
    np.testing.assert_array_equal(
        ferrosa.filters.get_window(arr, 50), librosa.filters.get_window(arr, 50)
    )
    lst = [0.5] * 10
    np.testing.assert_array_equal(
        ferrosa.filters.get_window(lst, 10), librosa.filters.get_window(lst, 10)
    )
    for fn in (np.hanning, np.ones, np.bartlett):
        np.testing.assert_array_equal(
            ferrosa.filters.get_window(fn, 77), librosa.filters.get_window(fn, 77)
        )


# --------------------------------------------------------------------- frame


@pytest.mark.parametrize(("frame_length", "hop_length"), [(1, 1), (64, 16), (100, 100), (256, 333)])
@pytest.mark.parametrize("axis", [-1, 0])
def test_frame_matches_librosa(frame_length, hop_length, axis):
    x = make_noise(3000, np.float64).reshape(1000, 3) if axis == 0 else make_noise(3000)
    got = ferrosa.util.frame(x, frame_length=frame_length, hop_length=hop_length, axis=axis)
    want = librosa.util.frame(x, frame_length=frame_length, hop_length=hop_length, axis=axis)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    assert not got.flags.writeable
    assert np.shares_memory(got, x)  # a view, not a copy


def test_frame_multichannel_noncontiguous_and_writeable():
    x = make_noise(12000, np.float32).reshape(3, 4000)[:, ::3]
    got = ferrosa.util.frame(x, frame_length=50, hop_length=7, writeable=True)
    want = librosa.util.frame(x, frame_length=50, hop_length=7, writeable=True)
    np.testing.assert_array_equal(got, want)
    assert got.flags.writeable
    x3 = make_noise(2 * 3 * 500).reshape(2, 3, 500)
    for axis in (-1, 0):
        np.testing.assert_array_equal(
            ferrosa.util.frame(x3 if axis == -1 else x3.T, frame_length=2, hop_length=1, axis=axis),
            librosa.util.frame(x3 if axis == -1 else x3.T, frame_length=2, hop_length=1, axis=axis),
        )


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 400), frame_length=st.integers(1, 400), hop=st.integers(1, 400))
def test_frame_count_closed_form(n, frame_length, hop):
    x = np.arange(n, dtype=np.float64)
    if frame_length > n:
        with pytest.raises(ferrosa.ParameterError, match=f"frame_length={frame_length}"):
            ferrosa.util.frame(x, frame_length=frame_length, hop_length=hop)
        return
    f = ferrosa.util.frame(x, frame_length=frame_length, hop_length=hop)
    assert f.shape == (frame_length, 1 + (n - frame_length) // hop)
    # Column t starts at sample t * hop.
    np.testing.assert_array_equal(f[0], np.arange(f.shape[1]) * hop)


# ---------------------------------------------------------- pad / fix length


@pytest.mark.parametrize("size", [10, 11, 64, 65])
@pytest.mark.parametrize("mode", [None, "edge", "reflect"])
def test_pad_center_matches_librosa(size, mode):
    data = make_noise(10, np.float64)
    kw = {} if mode is None else {"mode": mode}
    np.testing.assert_array_equal(
        ferrosa.util.pad_center(data, size=size, **kw),
        librosa.util.pad_center(data, size=size, **kw),
    )


def test_pad_center_axis():
    data = make_noise(12, np.float32).reshape(3, 4)
    for axis in (0, 1, -1):
        got = ferrosa.util.pad_center(data, size=9, axis=axis)
        np.testing.assert_array_equal(got, librosa.util.pad_center(data, size=9, axis=axis))
        assert got.dtype == np.float32


@pytest.mark.parametrize("size", [0, 1, 5, 10, 17])
@pytest.mark.parametrize("axis", [0, -1])
def test_fix_length_matches_librosa(size, axis):
    data = (
        make_noise(40, np.float64).reshape(4, 10) if axis == -1 else make_noise(40).reshape(10, 4)
    )
    for kw in ({}, {"mode": "edge"}):
        got = ferrosa.util.fix_length(data, size=size, axis=axis, **kw)
        want = librosa.util.fix_length(data, size=size, axis=axis, **kw)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
