"""MFCCs against librosa 0.11."""

from __future__ import annotations

from typing import Any

import ferrosa
import librosa
import numpy as np
import pytest
from conftest import SR, assert_close_to_peak, make_chirp, make_noise, make_tones
from ferrosa import ParameterError
from hypothesis import given, settings
from hypothesis import strategies as st


def _signal(dtype: Any, n: int = SR) -> np.ndarray:
    # Tones plus quiet noise: a wide dB range, so the top_db clamp bites.
    return make_tones(n, dtype) + make_noise(n, dtype, seed=7) * dtype(1e-3)


GRID = [
    {},
    {"n_mfcc": 13},
    {"n_mfcc": 40, "n_mels": 40},
    {"dct_type": 1},
    {"dct_type": 3},
    {"dct_type": 2, "norm": None},
    {"dct_type": 1, "norm": None},
    {"dct_type": 3, "norm": None},
    {"lifter": 22},
    {"lifter": 0.5, "n_mfcc": 13},
    {"n_fft": 1023, "hop_length": 256, "win_length": 800},
    {"center": False, "pad_mode": "reflect"},
    {"pad_mode": "reflect", "power": 1.0},
    {"htk": True, "fmin": 20.0, "fmax": 8000.0, "n_mels": 64},
    {"mel_norm": None},
    {"mel_norm": 2},
    {"window": "hamming", "n_fft": 512, "hop_length": 128},
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", GRID)
def test_mfcc_matches_librosa(kw: dict[str, Any], dtype: Any) -> None:
    y = _signal(dtype)
    want = librosa.feature.mfcc(y=y, sr=SR, **kw)
    got = ferrosa.feature.mfcc(y=y, sr=SR, **kw)
    assert got.dtype == want.dtype == np.dtype(dtype)
    assert_close_to_peak(got, want)


def test_mfcc_silence_and_clamp() -> None:
    # Exact zeros hit amin (-100 dB) and the clamp floors everything at max - 80.
    y = make_chirp(SR, np.float64)
    y[: SR // 2] = 0.0
    want = librosa.feature.mfcc(y=y, sr=SR)
    assert_close_to_peak(ferrosa.feature.mfcc(y=y, sr=SR), want)
    z = np.zeros(4096)
    assert_close_to_peak(ferrosa.feature.mfcc(y=z, sr=SR), librosa.feature.mfcc(y=z, sr=SR))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mfcc_multichannel_uses_global_top_db(dtype: Any) -> None:
    # A loud and a very quiet channel: the quiet one is clamped against the
    # loud one's maximum, so channels are not independent (as in librosa).
    loud = _signal(dtype, 11025)
    quiet = make_noise(11025, dtype, seed=1) * dtype(1e-5)
    y = np.stack([loud, quiet, loud * dtype(0.5)]).reshape(3, 1, 11025)
    want = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=13)
    got = ferrosa.feature.mfcc(y=y, sr=SR, n_mfcc=13)
    assert got.shape == want.shape == (3, 1, 13, 22)
    assert_close_to_peak(got, want)
    alone = ferrosa.feature.mfcc(y=quiet, sr=SR, n_mfcc=13)
    assert not np.allclose(alone, got[1, 0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", [{}, {"n_mfcc": 13, "lifter": 22, "n_mels": 40}])
def test_mfcc_per_segment_equals_a_loop_of_librosa_calls(dtype: Any, kw: dict[str, Any]) -> None:
    # Segments of very different levels: each keeps its own top_db clamp
    # (the 2-D mfcc would clamp the quiet ones against the loud one).
    from ferrosa.feature.spectral import mfcc_per_segment

    loud = _signal(dtype, 11025)
    quiet = make_noise(11025, dtype, seed=1) * dtype(1e-5)
    tone = make_tones(11025, dtype) * dtype(1e-3)
    segs = np.stack([loud, quiet, tone, loud * dtype(0.5), quiet])
    got = mfcc_per_segment(y=segs, sr=SR, **kw)
    assert got.dtype == dtype
    for g, seg in zip(got, segs, strict=True):
        assert_close_to_peak(g, librosa.feature.mfcc(y=seg, sr=SR, **kw))
    shared = ferrosa.feature.mfcc(y=segs, sr=SR, **kw)
    assert not np.allclose(shared[1], got[1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kw", [{}, {"n_mfcc": 13, "dct_type": 3}, {"dct_type": 1, "norm": None, "lifter": 3}]
)
def test_mfcc_from_log_mel(dtype: Any, kw: dict[str, Any]) -> None:
    y = _signal(dtype, 8192)
    S = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=SR, n_mels=40))
    S = np.stack([S, S[::-1]])
    want = librosa.feature.mfcc(S=S, **kw)
    got = ferrosa.feature.mfcc(S=S, **kw)
    assert got.dtype == want.dtype
    assert_close_to_peak(got, want)


def test_mfcc_n_mfcc_equal_to_n_mels() -> None:
    y = _signal(np.float64, 4096)
    want = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=32, n_mels=32, lifter=4)
    assert_close_to_peak(ferrosa.feature.mfcc(y=y, sr=SR, n_mfcc=32, n_mels=32, lifter=4), want)


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"dct_type": 4}, "dct_type"),
        ({"dct_type": 0}, "dct_type"),
        ({"norm": "l2"}, "norm"),
        ({"lifter": -1}, "lifter"),
        ({"lifter": np.inf}, "lifter"),
        ({"n_mfcc": 0}, "n_mfcc"),
        ({"n_mfcc": 41, "n_mels": 40}, "n_mfcc"),
        ({"n_mels": 0}, "n_mels"),
        ({"fmin": -5.0}, "fmin"),
        ({"mel_norm": "bogus"}, "norm"),
        ({"power": 0}, "power"),
        ({"hop_length": -1}, "hop_length"),
    ],
)
def test_mfcc_failures(kw: dict[str, Any], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        ferrosa.feature.mfcc(y=make_noise(4096), sr=SR, **kw)


def test_mfcc_failures_from_s_and_inputs() -> None:
    with pytest.raises(ParameterError, match="n_mfcc"):
        ferrosa.feature.mfcc(S=np.zeros((10, 5)), n_mfcc=11)
    with pytest.raises(ParameterError):
        ferrosa.feature.mfcc(S=np.zeros(10))
    with pytest.raises(ParameterError):
        ferrosa.feature.mfcc(S=np.zeros((1, 5)), dct_type=1, n_mfcc=1)
    with pytest.raises(ParameterError):
        ferrosa.feature.mfcc(sr=SR)
    with pytest.raises(ParameterError):
        ferrosa.feature.mfcc(y=np.array([0.0, np.inf, 1.0] * 1000))
    with pytest.raises(TypeError):
        ferrosa.feature.mfcc(y=make_noise(4096), bogus=1)


@settings(max_examples=20, deadline=None)
@given(
    n_mels=st.integers(min_value=2, max_value=48),
    n_frames=st.integers(min_value=1, max_value=30),
    dct_type=st.sampled_from([1, 2, 3]),
    ortho=st.booleans(),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_mfcc_from_s_property(
    n_mels: int, n_frames: int, dct_type: int, ortho: bool, seed: int
) -> None:
    """From S, mfcc is scipy's DCT along the mel axis, truncated; ortho-II is an isometry."""
    scipy_fft = pytest.importorskip("scipy.fftpack")
    S = np.random.default_rng(seed).normal(size=(n_mels, n_frames)) * 30 - 40
    norm = "ortho" if ortho else None
    got = ferrosa.feature.mfcc(S=S, n_mfcc=n_mels, dct_type=dct_type, norm=norm)
    want = scipy_fft.dct(S, axis=-2, type=dct_type, norm=norm)
    assert_close_to_peak(got, want)
    if ortho and dct_type == 2:
        np.testing.assert_allclose(
            np.linalg.norm(got, axis=0), np.linalg.norm(S, axis=0), rtol=1e-12
        )
