"""Delta features against librosa 0.11 (scipy.signal.savgol_filter)."""

from __future__ import annotations

from typing import Any

import ferrosa
import librosa
import numpy as np
import pytest
from conftest import assert_close_to_peak
from ferrosa import ParameterError
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def _data(shape: tuple[int, ...], dtype: Any = np.float64, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # A smooth trend plus noise, like an MFCC track.
    t = np.linspace(0, 4 * np.pi, shape[-1])
    return (10 * np.sin(t) + rng.normal(size=shape)).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"width": 3},
        {"width": 5, "order": 2},
        {"width": 9, "order": 2},
        {"width": 11, "order": 3},
        {"order": 1, "polyorder": 3},
        {"width": 7, "polyorder": 1, "order": 2},
        {"delta": 0.5},
        {"mode": "mirror"},
        {"mode": "nearest", "width": 5},
        {"mode": "wrap", "order": 2},
        {"mode": "constant", "cval": 1.5},
        {"mode": "constant"},
    ],
)
def test_delta_matches_librosa(kw: dict[str, Any], dtype: Any) -> None:
    x = _data((20, 97), dtype)
    want = librosa.feature.delta(x, **kw)
    got = ferrosa.feature.delta(x, **kw)
    assert got.dtype == want.dtype == np.dtype(dtype)
    assert_close_to_peak(got, want)


@pytest.mark.parametrize("axis", [0, 1, -1, -2, 2])
def test_delta_axes_and_nd(axis: int) -> None:
    x = _data((6, 13, 40, 11), seed=1)
    want = librosa.feature.delta(x, axis=axis, width=5)
    got = ferrosa.feature.delta(x, axis=axis, width=5)
    assert_close_to_peak(got, want)


def test_delta_short_and_1d_inputs() -> None:
    # width == length: only the edge fits (interp) are used.
    x = _data((9,))
    assert_close_to_peak(ferrosa.feature.delta(x), librosa.feature.delta(x))
    # Padded modes accept data shorter than the window.
    x = _data((3, 4))
    for mode in ("mirror", "nearest", "wrap", "constant"):
        assert_close_to_peak(
            ferrosa.feature.delta(x, mode=mode), librosa.feature.delta(x, mode=mode)
        )
    # Integer data becomes float64, as in scipy.
    xi = np.arange(30).reshape(3, 10) ** 2
    got = ferrosa.feature.delta(xi, width=3)
    assert got.dtype == np.float64
    assert_close_to_peak(got, librosa.feature.delta(xi, width=3))


def test_delta_of_mfcc_pipeline() -> None:
    y = np.random.default_rng(5).uniform(-1, 1, 22050).astype(np.float32)
    m = ferrosa.feature.mfcc(y=y, sr=22050, n_mfcc=13)
    assert_close_to_peak(ferrosa.feature.delta(m, order=2), librosa.feature.delta(m, order=2))


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"width": 4}, "width"),
        ({"width": 1}, "width"),
        ({"width": 2}, "width"),
        ({"width": 99}, "width"),
        ({"width": 9.0}, "width"),
        ({"order": 0}, "order"),
        ({"order": 1.5}, "order"),
        ({"order": -1}, "order"),
        ({"width": 3, "order": 3}, "polyorder"),
        ({"polyorder": -1}, "polyorder"),
        ({"mode": "reflect"}, "mode"),
        ({"delta": 0.0}, "delta"),
    ],
)
def test_delta_failures(kw: dict[str, Any], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        ferrosa.feature.delta(_data((4, 50)), **kw)


def test_delta_rejects_unknown_kwargs_and_complex() -> None:
    with pytest.raises(TypeError):
        ferrosa.feature.delta(_data((4, 50)), bogus=1)
    with pytest.raises(ParameterError):
        ferrosa.feature.delta(np.ones((4, 50), dtype=np.complex128))


@settings(max_examples=40, deadline=None)
@given(
    x=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=30),
        elements=st.floats(-1e3, 1e3, allow_nan=False),
    ),
    half=st.integers(min_value=1, max_value=6),
    order=st.integers(min_value=1, max_value=3),
    mode=st.sampled_from(["interp", "mirror", "nearest", "wrap", "constant"]),
)
def test_delta_property_matches_savgol(x: np.ndarray, half: int, order: int, mode: str) -> None:
    width = 2 * half + 1
    polyorder = min(order, width - 1)
    if mode == "interp" and width > x.shape[-1]:
        with pytest.raises(ParameterError):
            ferrosa.feature.delta(x, width=width, order=order, mode=mode, polyorder=polyorder)
        return
    got = ferrosa.feature.delta(x, width=width, order=order, mode=mode, polyorder=polyorder)
    want = librosa.feature.delta(x, width=width, order=order, mode=mode, polyorder=polyorder)
    assert got.shape == x.shape
    # Absolute slack for near-zero references (sums of +-1e3 inputs).
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * max(1.0, np.abs(x).max()))
