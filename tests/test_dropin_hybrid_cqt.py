"""pseudo_cqt, hybrid_cqt and filters.wavelet against librosa 0.11, same keyword arguments."""

from __future__ import annotations

import ferrosa
import numpy as np
import pytest

librosa = pytest.importorskip("librosa")

SR = 22050


def _signal(dtype: type, seconds: float = 2.0, channels: int | None = None) -> np.ndarray:
    rng = np.random.default_rng(7)
    t = np.arange(int(SR * seconds)) / SR
    y = np.sin(2 * np.pi * 440 * t) + 0.5 * np.sin(2 * np.pi * 3100 * t * (1 + 0.01 * t))
    y = y + 0.05 * rng.standard_normal(t.size)
    if channels:
        y = np.stack([y * (0.5 + c) for c in range(channels)])
    return y.astype(dtype)


CASES = [
    {},
    {"hop_length": 256},
    {"n_bins": 96, "fmin": 55.0},
    {"scale": False},
    {"norm": 2, "sparsity": 0.0},
    {"hop_length": 1024, "bins_per_octave": 24, "n_bins": 160, "fmin": 40.0},
    {"window": "hamming", "filter_scale": 2},
    {"tuning": None},
    {"pad_mode": "reflect", "n_bins": 1, "fmin": 1000.0},
]


# librosa builds the filters in complex64, so float64 results carry its
# float32-level basis (a kept-or-dropped bin at the sparsity threshold).
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-5), (np.float32, 1e-4)])
@pytest.mark.parametrize("kw", CASES)
@pytest.mark.parametrize("name", ["pseudo_cqt", "hybrid_cqt"])
def test_equals_librosa(name, kw, dtype, tol):
    y = _signal(dtype)
    want = getattr(librosa, name)(y, sr=SR, **kw)
    got = getattr(ferrosa, name)(y, sr=SR, **kw)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.max(np.abs(got - want)) <= tol * np.max(np.abs(want))


@pytest.mark.parametrize("name", ["pseudo_cqt", "hybrid_cqt"])
def test_multichannel_equals_each_channel(name):
    y = _signal(np.float32, seconds=1.0, channels=2)
    fn = getattr(ferrosa, name)
    both = fn(y, sr=SR)
    assert both.shape[0] == 2
    for c in range(2):
        np.testing.assert_array_equal(both[c], fn(y[c], sr=SR))


def test_hybrid_splits_between_pseudo_and_full_cqt():
    y = _signal(np.float64)
    H = ferrosa.hybrid_cqt(y, sr=SR)
    # The top bins (short filters) are the pseudo-CQT's, the rest |cqt|.
    freqs = ferrosa.cqt_frequencies(84, fmin=ferrosa.note_to_hz("C1"))
    lengths, _ = ferrosa.filters.wavelet_lengths(freqs=freqs, sr=SR)
    n_pseudo = int(np.sum(2.0 ** np.ceil(np.log2(lengths)) < 2 * 512))
    assert 0 < n_pseudo < 84
    low = np.abs(ferrosa.cqt(y, sr=SR, n_bins=84 - n_pseudo))
    np.testing.assert_array_equal(H[: 84 - n_pseudo], low[:, : H.shape[1]])


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"pad_fft": False},
        {"norm": np.inf, "window": "hamming", "filter_scale": 0.5},
        {"gamma": 20.0, "dtype": np.complex128},
    ],
)
def test_wavelet_equals_librosa(kw):
    freqs = librosa.cqt_frequencies(36, fmin=110.0, bins_per_octave=12)
    got, glen = ferrosa.filters.wavelet(freqs=freqs, sr=SR, **kw)
    want, wlen = librosa.filters.wavelet(freqs=freqs, sr=SR, **kw)
    np.testing.assert_allclose(glen, wlen, rtol=1e-12)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, atol=1e-7)


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"hop_length": 0}, "hop_length"),
        ({"n_bins": 0}, "n_bins"),
        ({"fmin": -1.0}, "fmin"),
        ({"sparsity": 1.0}, "sparsity"),
        ({"bins_per_octave": 0}, "bins_per_octave"),
    ],
)
@pytest.mark.parametrize("name", ["pseudo_cqt", "hybrid_cqt"])
def test_bad_arguments_raise_parameter_error(name, kw, match):
    y = _signal(np.float32, seconds=0.5)
    with pytest.raises(ferrosa.ParameterError, match=match):
        getattr(ferrosa, name)(y, sr=SR, **kw)


def test_non_finite_audio_raises():
    y = _signal(np.float32, seconds=0.5)
    y[100] = np.nan
    for name in ("pseudo_cqt", "hybrid_cqt"):
        with pytest.raises(ferrosa.ParameterError):
            getattr(ferrosa, name)(y, sr=SR)
