"""ferrosa.cqt / vqt / chroma_cqt / chroma_cens against librosa 0.11.

The CQT resamples between octaves with librosa's own resampler call, so it
is compared tightly: the largest complex error is at most 1e-4 of the peak
(float32 audio here), and per frame the largest magnitude error is at most
1e-3 of that frame's own peak (frames above 1e-2 of the overall peak) with
magnitudes correlating at >= 0.9999. Filter-bank helpers and the chroma
post-processing are compared exactly. tests/test_cqt_nyquist.py covers the
rest of the parameter space.
"""

from __future__ import annotations

import ferrosa
import numpy as np
import pytest
from ferrosa import _core
from ferrosa.exceptions import ParameterError
from hypothesis import given, settings
from hypothesis import strategies as st

librosa = pytest.importorskip("librosa")

SR = 22050


@pytest.fixture(scope="module")
def music() -> np.ndarray:
    """3 s of overlapping harmonic notes with vibrato-free onsets and noise."""
    rng = np.random.default_rng(7)
    t = np.arange(3 * SR) / SR
    y = np.zeros_like(t)
    for k, f0 in enumerate([110.0, 277.18, 329.63, 659.26, 61.74, 1760.0]):
        env = np.clip(np.sin(np.pi * (t - 0.4 * k) / 1.6), 0, None)
        for h in range(1, 6):
            y += env * np.sin(2 * np.pi * f0 * h * t + k) / h
    y += 0.02 * rng.standard_normal(t.size)
    return (0.2 * y).astype(np.float32)


def assert_close_per_frame(got: np.ndarray, want: np.ndarray, edge: int = 2) -> None:
    """Per-frame tolerance, every frame included (``edge`` is kept for the
    callers' signature; the same resampler leaves no edge transient apart)."""
    assert got.shape == want.shape
    A, B = np.abs(want), np.abs(got)
    peak = A.max(axis=-2)
    live = peak > 1e-2 * A.max()  # relative error of near-silent frames is float32 noise
    err = (np.abs(A - B).max(axis=-2) / np.maximum(peak, 1e-30))[live]
    assert err.max() <= 1e-3, err.max()
    a = A - A.mean(axis=-2, keepdims=True)
    b = B - B.mean(axis=-2, keepdims=True)
    corr = (a * b).sum(axis=-2) / np.sqrt((a * a).sum(axis=-2) * (b * b).sum(axis=-2))
    assert corr[live].min() >= 0.9999, corr[live].min()


def test_edge_frames_stay_close(music: np.ndarray) -> None:
    # an abrupt loud ending: the same resampler gives the same edge frames
    y = music[::-1].copy()
    got, want = np.abs(ferrosa.cqt(y, sr=SR)), np.abs(librosa.cqt(y, sr=SR))
    assert np.abs(got - want).max() <= 1e-4 * want.max()


CQT_CASES = [
    {},
    {"n_bins": 252, "bins_per_octave": 36},
    {"hop_length": 256, "fmin": 100.0, "n_bins": 60},
    {"hop_length": 300, "n_bins": 72},  # odd hop: lower octaves are not downsampled
    {"fmin": 32.7, "n_bins": 48, "hop_length": 2048},  # early downsampling
    {"norm": 2, "filter_scale": 2, "n_bins": 72},
    {"window": "hamming", "sparsity": 0.0, "n_bins": 48, "fmin": 200.0},
    {"fmin": 1000.0, "n_bins": 36},  # top filters near Nyquist
    {"scale": False, "n_bins": 60, "hop_length": 1024},
    {"pad_mode": "reflect", "n_bins": 72, "bins_per_octave": 24},  # padded edge frames
]


@pytest.mark.parametrize("kwargs", CQT_CASES)
def test_cqt_matches_librosa(music: np.ndarray, kwargs: dict) -> None:
    got = ferrosa.cqt(music, sr=SR, **kwargs)
    want = librosa.cqt(music, sr=SR, **kwargs)
    assert got.dtype == want.dtype == np.complex64
    assert_close_per_frame(got, want)
    # phases agree too: the complex values are close overall
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()


@pytest.mark.filterwarnings("ignore::UserWarning")  # librosa: n_fft too large for input
@pytest.mark.parametrize("pad_mode", ["constant", "reflect"])
@pytest.mark.parametrize("n", [1500, 5000])
def test_short_signals_every_frame_padded(n: int, pad_mode: str) -> None:
    # frames reach past both ends of the signal in every octave
    t = np.arange(n) / SR
    y = (np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 97 * t)).astype(np.float32)
    got = ferrosa.cqt(y, sr=SR, n_bins=72, pad_mode=pad_mode)
    want = librosa.cqt(y, sr=SR, n_bins=72, pad_mode=pad_mode)
    assert got.shape == want.shape
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()


@pytest.mark.parametrize("kwargs", [{"gamma": None}, {"gamma": 20.0, "n_bins": 72}])
def test_vqt_matches_librosa(music: np.ndarray, kwargs: dict) -> None:
    got = ferrosa.vqt(music, sr=SR, **kwargs)
    want = librosa.vqt(music, sr=SR, **kwargs)
    assert_close_per_frame(got, want)


def test_float64_multichannel(music: np.ndarray) -> None:
    y = np.stack([music, music[::-1]]).astype(np.float64)
    got = ferrosa.cqt(y, sr=SR, n_bins=60)
    assert got.dtype == np.complex128 and got.shape[:2] == (2, 60)
    np.testing.assert_allclose(got[1], ferrosa.cqt(y[1], sr=SR, n_bins=60), rtol=0, atol=1e-12)
    assert_close_per_frame(got, librosa.cqt(y, sr=SR, n_bins=60))
    assert ferrosa.cqt(music, sr=SR, n_bins=12, dtype=np.complex128).dtype == np.complex128


def test_thread_count_does_not_change_values(music: np.ndarray) -> None:
    # frames are split between threads in whole blocks; the arithmetic per
    # block is fixed, so 1 and 2 threads agree exactly (also from threads)
    from concurrent.futures import ThreadPoolExecutor

    y = np.concatenate([music, music[::-1]])
    before = ferrosa.get_num_threads()
    try:
        ferrosa.set_num_threads(1)
        one = [ferrosa.cqt(y, sr=SR, n_bins=n, bins_per_octave=b) for n, b in [(84, 12), (144, 36)]]
        ferrosa.set_num_threads(2)
        two = [ferrosa.cqt(y, sr=SR, n_bins=n, bins_per_octave=b) for n, b in [(84, 12), (144, 36)]]
        with ThreadPoolExecutor(3) as ex:
            many = list(ex.map(lambda _: ferrosa.cqt(y, sr=SR), range(6)))
    finally:
        ferrosa.set_num_threads(0)
        if ferrosa.get_num_threads() != before:
            ferrosa.set_num_threads(before)
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)
    for m in many:
        np.testing.assert_array_equal(m, one[0])


def test_tuning_none_uses_estimate(music: np.ndarray) -> None:
    est = ferrosa.estimate_tuning(y=music, sr=SR, bins_per_octave=12)
    a = ferrosa.cqt(music, sr=SR, n_bins=48, tuning=None)
    b = ferrosa.cqt(music, sr=SR, n_bins=48, tuning=est)
    np.testing.assert_array_equal(a, b)


@settings(max_examples=12, deadline=None)
@given(bin_=st.integers(0, 59), bpo=st.sampled_from([12, 24]))
def test_tone_peaks_in_its_bin(bin_: int, bpo: int) -> None:
    fmin = 55.0
    freqs = ferrosa.cqt_frequencies(60, fmin=fmin, bins_per_octave=bpo)
    y = np.cos(2 * np.pi * freqs[bin_] * np.arange(SR) / SR)
    C = np.abs(ferrosa.cqt(y, sr=SR, fmin=fmin, n_bins=60, bins_per_octave=bpo))
    assert np.argmax(C[:, C.shape[1] // 2]) == bin_


def test_filter_helpers_match_librosa() -> None:
    for kw in [
        {"fmin": 32.7, "bins_per_octave": 12},
        {"fmin": 55.0, "bins_per_octave": 36, "tuning": 0.3},
    ]:
        np.testing.assert_array_equal(
            ferrosa.cqt_frequencies(84, **kw), librosa.cqt_frequencies(84, **kw)
        )
    freqs = librosa.cqt_frequencies(48, fmin=40.0, bins_per_octave=12)
    for kw in [{}, {"gamma": None}, {"gamma": 5.0, "filter_scale": 2, "window": "hamming"}]:
        la, lc = ferrosa.filters.wavelet_lengths(freqs=freqs, sr=SR, **kw)
        wa, wc = librosa.filters.wavelet_lengths(freqs=freqs, sr=SR, **kw)
        np.testing.assert_array_equal(la, wa)
        assert lc == wc
    for w in ("hann", "hamming", "boxcar", "blackman"):
        assert ferrosa.filters.window_bandwidth(w) == librosa.filters.window_bandwidth(w)
    for kw in [
        {"n_input": 84},
        {"n_input": 252, "bins_per_octave": 36},
        {"n_input": 100, "bins_per_octave": 24, "fmin": 55.0, "base_c": False},
        {"n_input": 36, "window": np.ones(3)},
    ]:
        np.testing.assert_array_equal(
            ferrosa.filters.cq_to_chroma(**kw), librosa.filters.cq_to_chroma(**kw)
        )


# --- chroma ------------------------------------------------------------------


@pytest.fixture(scope="module")
def librosa_C(music: np.ndarray) -> np.ndarray:
    return np.abs(librosa.cqt(music, sr=SR, n_bins=252, bins_per_octave=36))


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"norm": 2, "threshold": 0.1}, {"norm": None}, {"n_chroma": 12, "window": np.ones(3)}],
)
def test_chroma_cqt_from_C_equals_librosa(librosa_C: np.ndarray, kwargs: dict) -> None:
    got = ferrosa.feature.chroma_cqt(C=librosa_C, **kwargs)
    want = librosa.feature.chroma_cqt(C=librosa_C, **kwargs)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6 * np.abs(want).max())


def test_chroma_fold_equals_dense_product() -> None:
    # the gather-and-sum fold gives the dense product's values, and declines
    # matrices it does not cover (smoothing window, uneven bin counts)
    import importlib

    mod = importlib.import_module("ferrosa.feature.chroma_cqt")
    rng = np.random.default_rng(5)
    for dtype in (np.float32, np.float64):
        C = rng.random((2, 252, 37)).astype(dtype)
        M = ferrosa.filters.cq_to_chroma(252, bins_per_octave=36)
        got = mod._fold(M, C)
        assert got is not None and got.dtype == dtype
        np.testing.assert_array_equal(got, mod._project(M, C))
    C = rng.random((80, 9)).astype(np.float32)
    assert mod._fold(ferrosa.filters.cq_to_chroma(80, bins_per_octave=12), C) is None
    M = ferrosa.filters.cq_to_chroma(84, bins_per_octave=12, window=np.ones(3))
    assert mod._fold(M, rng.random((84, 9))) is None


def test_chroma_cqt_from_audio(music: np.ndarray) -> None:
    got = ferrosa.feature.chroma_cqt(y=music, sr=SR, tuning=0.0)
    want = librosa.feature.chroma_cqt(y=music, sr=SR, tuning=0.0)
    assert got.shape == want.shape and got.dtype == want.dtype
    # max-normalised columns: tolerance is absolute
    assert np.abs(got - want).max() <= 1e-4


@pytest.mark.parametrize(
    "kwargs", [{}, {"win_len_smooth": None}, {"win_len_smooth": 20, "norm": 1}]
)
def test_chroma_cens_from_C_equals_librosa(librosa_C: np.ndarray, kwargs: dict) -> None:
    got = ferrosa.feature.chroma_cens(C=librosa_C, **kwargs)
    want = librosa.feature.chroma_cens(C=librosa_C, **kwargs)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_chroma_cens_from_audio(music: np.ndarray) -> None:
    got = ferrosa.feature.chroma_cens(y=music, sr=SR, tuning=0.0)
    want = librosa.feature.chroma_cens(y=music, sr=SR, tuning=0.0)
    assert got.shape == want.shape
    # the same CQT to ~1e-6: no value sits close enough to a quantisation
    # step to flip, so the smoothed result agrees to float32 rounding
    assert np.abs(got - want).max() <= 1e-4


# --- failures ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hop_length": 0},
        {"n_bins": 0},
        {"fmin": -5.0},
        {"fmin": 4000.0, "n_bins": 48},  # above Nyquist
        {"sparsity": 1.0},
        {"norm": 0},
        {"norm": -1},
        {"window": np.ones(4)},
        {"window": "nope"},
        {"filter_scale": 0},
        {"bins_per_octave": 0},
        {"pad_mode": "bogus"},
        {"tuning": np.nan},
    ],
)
def test_cqt_failures(kwargs: dict) -> None:
    with pytest.raises(ParameterError):
        ferrosa.cqt(np.ones(4096, dtype=np.float32), sr=SR, **kwargs)


def test_vqt_and_input_failures() -> None:
    y = np.ones(4096)
    with pytest.raises(ParameterError):
        ferrosa.vqt(y, sr=SR, intervals="ji11")
    with pytest.raises(ParameterError):
        ferrosa.vqt(y, sr=SR, gamma=-1.0)
    for bad in (np.array([]), np.array([1.0, np.nan] * 100), np.arange(10)):
        with pytest.raises(ParameterError):
            ferrosa.cqt(bad, sr=SR)


def test_chroma_failures(librosa_C: np.ndarray) -> None:
    with pytest.raises(ParameterError):
        ferrosa.feature.chroma_cqt()
    with pytest.raises(ParameterError):
        ferrosa.feature.chroma_cqt(C=librosa_C, bins_per_octave=30)
    with pytest.raises(ParameterError):
        ferrosa.feature.chroma_cqt(C=librosa_C, cqt_mode="hybrid")
    with pytest.raises(ParameterError):
        ferrosa.feature.chroma_cqt(C=np.ones(5))
    with pytest.raises(ParameterError):
        ferrosa.feature.chroma_cens(C=librosa_C, win_len_smooth=0)
    with pytest.raises(ParameterError):
        ferrosa.feature.chroma_cens(C=librosa_C, norm=-2)
    with pytest.raises(ParameterError):
        ferrosa.filters.cq_to_chroma(36, bins_per_octave=36, n_chroma=10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dense_on_axis_equals_einsum_and_rejects_mismatch(dtype):
    rng = np.random.default_rng(7)
    C = rng.random((2, 36, 50)).astype(dtype)
    M = rng.random((12, 36))
    got = _core.dense_on_axis(C, M)
    want = np.einsum("cf,...ft->...ct", M, C.astype(np.float64))
    assert got.dtype == dtype and got.shape == (2, 12, 50)
    np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == np.float32 else 1e-12)
    with pytest.raises(ferrosa.ParameterError, match="35 columns"):
        _core.dense_on_axis(C, M[:, :35])
