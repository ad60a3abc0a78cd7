"""ferrosa.cwt / scalogram against PyWavelets (pywt.cwt is the reference)."""

from __future__ import annotations

import ferrosa
import numpy as np
import pytest
from ferrosa.exceptions import ParameterError
from hypothesis import given, settings
from hypothesis import strategies as st

pywt = pytest.importorskip("pywt")

WAVELETS = ["mexh", "morl", "cmor1.5-1.0", "cmor0.5-2.0"] + [f"gaus{k}" for k in range(1, 9)]


def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / np.abs(b).max())


@pytest.fixture(scope="module")
def signal() -> np.ndarray:
    rng = np.random.default_rng(42)
    t = np.arange(3000) / 8000.0
    return np.sin(2 * np.pi * 440 * t) + 0.3 * rng.standard_normal(t.size)


@pytest.mark.parametrize("wavelet", WAVELETS)
def test_matches_pywt_float64(signal: np.ndarray, wavelet: str) -> None:
    scales = np.geomspace(0.6, 400, 25)
    got, freqs = ferrosa.cwt(signal, scales, wavelet, sampling_period=1 / 8000.0)
    want, want_f = pywt.cwt(signal, scales, wavelet, sampling_period=1 / 8000.0, method="fft")
    assert got.dtype == want.dtype and got.shape == want.shape
    # per scale, relative to that scale's peak (the issue asks for 1e-4)
    for g, w in zip(got, want, strict=True):
        assert rel_err(g, w) <= 1e-9
    np.testing.assert_array_equal(freqs, want_f)


@pytest.mark.parametrize("wavelet", ["mexh", "morl", "cmor1.5-1.0", "gaus2"])
def test_matches_pywt_float32(signal: np.ndarray, wavelet: str) -> None:
    y = signal.astype(np.float32)
    scales = np.geomspace(1.0, 200, 12)
    got, _ = ferrosa.cwt(y, scales, wavelet)
    want, _ = pywt.cwt(y, scales, wavelet, method="fft")
    assert got.dtype == want.dtype
    # pywt computes in float32; ferrosa picks the same taps but sums in float64
    for g, w in zip(got, want, strict=True):
        assert rel_err(g, w) <= 1e-4


def test_conv_method_and_scalar_scale(signal: np.ndarray) -> None:
    got, f = ferrosa.cwt(signal[:500], 3.0, "mexh", method="conv")
    want, wf = pywt.cwt(signal[:500], 3.0, "mexh", method="conv")
    assert got.shape == (1, 500)
    assert rel_err(got, want) <= 1e-9
    np.testing.assert_allclose(f, wf, rtol=0, atol=0)


def test_multichannel_axis_matches_pywt() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 400, 2))
    scales = [1.0, 4.0, 30.0]
    for axis in (0, 1, -1):
        got, _ = ferrosa.cwt(x, scales, "cmor1.0-1.5", axis=axis)
        want, _ = pywt.cwt(x, scales, "cmor1.0-1.5", axis=axis, method="fft")
        assert got.shape == want.shape
        assert rel_err(got, want) <= 1e-9


def test_integer_input_and_wavelet_object() -> None:
    x = (np.arange(200) % 7).astype(np.int64)
    got, _ = ferrosa.cwt(x, [2.0, 5.0], pywt.ContinuousWavelet("morl"))
    want, _ = pywt.cwt(x, [2.0, 5.0], "morl")
    assert got.dtype == np.float64
    assert rel_err(got, want) <= 1e-9


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=300),
    scales=st.lists(st.floats(min_value=0.3, max_value=150.0), min_size=1, max_size=5),
    wavelet=st.sampled_from(["mexh", "morl", "gaus3", "cmor1.5-1.0"]),
    seed=st.integers(0, 2**16),
)
def test_property_equals_pywt(n: int, scales: list[float], wavelet: str, seed: int) -> None:
    x = np.random.default_rng(seed).standard_normal(n)
    try:
        want, want_f = pywt.cwt(x, scales, wavelet, method="conv")
    except ValueError:
        # pywt refuses scales too small to sample the wavelet; so must we
        with pytest.raises(ParameterError):
            ferrosa.cwt(x, scales, wavelet)
        return
    got, got_f = ferrosa.cwt(x, scales, wavelet)
    for g, w in zip(got, want, strict=True):
        peak = np.abs(w).max()
        assert np.abs(g - w).max() <= 1e-9 * max(peak, 1e-12)
    np.testing.assert_allclose(got_f, want_f, rtol=1e-15)


@pytest.mark.parametrize("wavelet", ["morl", "cmor1.5-1.0", "mexh"])
def test_pure_tone_peaks_at_its_scale(wavelet: str) -> None:
    sr = 8000.0
    f0 = 500.0
    y = np.cos(2 * np.pi * f0 * np.arange(4000) / sr)
    freqs = np.geomspace(100, 2000, 60)
    scales = ferrosa.frequency_to_scale(wavelet, freqs, 12, sampling_period=1 / sr)
    coefs, got_f = ferrosa.cwt(y, scales, wavelet, sampling_period=1 / sr)
    np.testing.assert_allclose(got_f, freqs, rtol=1e-12)
    energy = np.mean(np.abs(coefs[:, 1000:3000]) ** 2, axis=1)
    peak_f = freqs[np.argmax(energy)]
    # Mexican hat's energy peak sits near but not at its central frequency
    tol = 0.25 if wavelet == "mexh" else 0.06
    assert abs(np.log2(peak_f / f0)) <= tol, peak_f


def test_scale_frequency_conversions_match_pywt() -> None:
    for w in ("morl", "mexh", "gaus4", "cmor1.5-1.0"):
        for precision in (8, 12):
            assert ferrosa.central_frequency(w, precision) == pywt.central_frequency(w, precision)
        s = np.array([0.5, 2.0, 17.0])
        np.testing.assert_allclose(ferrosa.scale_to_frequency(w, s), pywt.scale2frequency(w, s))
        np.testing.assert_allclose(
            ferrosa.frequency_to_scale(w, 0.1), pywt.frequency2scale(w, 0.1), rtol=1e-15
        )
        back = ferrosa.scale_to_frequency(
            w,
            ferrosa.frequency_to_scale(w, 440.0, sampling_period=1 / 22050),
            sampling_period=1 / 22050,
        )
        assert back == pytest.approx(440.0, rel=1e-12)


def test_wavefun_matches_pywt() -> None:
    from ferrosa import _core

    for w in WAVELETS:
        psi, x = _core.wavelet_function(w, 10)
        pw_psi, pw_x = pywt.ContinuousWavelet(w).wavefun(10)
        np.testing.assert_array_equal(x, pw_x)
        np.testing.assert_allclose(psi, pw_psi, rtol=0, atol=1e-13)


def test_repeat_calls_and_threads_agree(signal: np.ndarray) -> None:
    scales = np.geomspace(1, 100, 20)
    a, _ = ferrosa.cwt(signal, scales, "morl")
    b, _ = ferrosa.cwt(signal, scales, "morl")  # from the filter cache
    before = ferrosa.get_num_threads()
    try:
        ferrosa.set_num_threads(1)
        c, _ = ferrosa.cwt(signal, scales, "morl")
    finally:
        ferrosa.set_num_threads(0 if before == ferrosa.get_num_threads() else before)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"scales": []},
        {"scales": [1.0, -2.0]},
        {"scales": [0.0]},
        {"scales": [np.nan]},
        {"scales": [np.inf]},
        {"scales": [[1.0, 2.0]]},
        {"scales": [0.01]},  # too small to sample the wavelet (pywt: ValueError)
        {"wavelet": "db4"},
        {"wavelet": "nope"},
        {"wavelet": "gaus9"},
        {"wavelet": "cmor1.5"},
        {"wavelet": "cmor-1-1"},
        {"method": "auto"},
        {"precision": 0},
        {"precision": 30},
        {"sampling_period": 0.0},
        {"axis": 3},
    ],
)
def test_failures(kwargs: dict) -> None:
    args = {"y": np.ones(64), "scales": [1.0, 2.0], "wavelet": "morl"}
    args.update(kwargs)
    with pytest.raises(ParameterError):
        ferrosa.cwt(**args)


@pytest.mark.parametrize(
    "y",
    [np.array([]), np.array(1.0), np.array([1.0, np.nan]), np.ones(8) + 1j, np.array(["a"])],
)
def test_bad_input(y: np.ndarray) -> None:
    with pytest.raises(ParameterError):
        ferrosa.cwt(y, [1.0], "morl")


def test_conversion_failures() -> None:
    with pytest.raises(ParameterError):
        ferrosa.scale_to_frequency("morl", -1.0)
    with pytest.raises(ParameterError):
        ferrosa.frequency_to_scale("morl", 0.0)
    with pytest.raises(ParameterError):
        ferrosa.frequency_to_scale("morl", 1.0, sampling_period=-1.0)
    with pytest.raises(ParameterError):
        ferrosa.central_frequency("haar")


# --- scalogram ---------------------------------------------------------------


def pooled_reference(y: np.ndarray, sr: float, wavelet: str, freqs: np.ndarray, hop, power):
    scales = pywt.central_frequency(wavelet, 12) * sr / freqs
    mag = np.abs(pywt.cwt(y, scales, wavelet, method="fft")[0]) ** power
    if hop is None:
        return mag
    n = y.shape[-1]
    cols = []
    for t in range(1 + n // hop):
        a, b = max(t * hop - hop // 2, 0), min(t * hop - hop // 2 + hop, n)
        cols.append(mag[:, a:b].mean(axis=1) if a < b else mag[:, min(t * hop, n - 1)])
    return np.stack(cols, axis=1)


@pytest.mark.parametrize(
    ("wavelet", "hop", "power"),
    [("cmor1.5-1.0", None, 1.0), ("mexh", 64, 1.0), ("morl", 100, 2.0), ("cmor1.5-1.0", 1, 0.5)],
)
def test_scalogram_matches_pooled_pywt(signal: np.ndarray, wavelet: str, hop, power) -> None:
    sr = 8000
    y = signal[:2000]
    S = ferrosa.feature.scalogram(
        y, sr=sr, wavelet=wavelet, n_bins=20, fmin=60.0, fmax=3000.0, hop_length=hop, power=power
    )
    freqs = ferrosa.feature.scalogram_frequencies(sr=sr, n_bins=20, fmin=60.0, fmax=3000.0)
    want = pooled_reference(y, sr, wavelet, freqs, hop, power)
    assert S.shape == want.shape
    assert rel_err(S, want) <= 1e-9


def test_scalogram_frames_line_up_with_stft(signal: np.ndarray) -> None:
    y = signal.astype(np.float32)
    S = ferrosa.feature.scalogram(y, sr=8000, hop_length=128, n_bins=16)
    D = ferrosa.stft(y, n_fft=512, hop_length=128)
    assert S.dtype == np.float32
    assert S.shape == (16, D.shape[-1])
    multi = ferrosa.feature.scalogram(np.stack([y, y[::-1]]), sr=8000, hop_length=128, n_bins=16)
    assert multi.shape == (2, 16, D.shape[-1])
    np.testing.assert_allclose(multi[0], S, rtol=1e-6)


def test_scalogram_db_and_rows(signal: np.ndarray) -> None:
    S = ferrosa.feature.scalogram(signal, sr=8000, hop_length=200, n_bins=30, fmin=100, fmax=2000)
    D = ferrosa.feature.scalogram(
        signal, sr=8000, hop_length=200, n_bins=30, fmin=100, fmax=2000, db=True
    )
    np.testing.assert_allclose(D, ferrosa.amplitude_to_db(S, ref=np.max), atol=1e-9)
    assert D.max() == 0.0 and D.min() >= -80.0
    freqs = ferrosa.feature.scalogram_frequencies(sr=8000, n_bins=30, fmin=100, fmax=2000)
    # the 440 Hz component dominates: its row is the loudest on average
    assert abs(np.log2(freqs[np.argmax(S.mean(axis=1))] / 440.0)) < 0.15


@pytest.mark.parametrize(
    "kwargs",
    [
        {"fmax": 5000.0},
        {"fmin": 3000.0, "fmax": 1000.0},
        {"fmin": -1.0},
        {"hop_length": 0},
        {"power": 0.0},
        {"power": 3.0, "db": True},
        {"n_bins": 0},
        {"wavelet": "bogus"},
        {"sr": 0},
    ],
)
def test_scalogram_failures(kwargs: dict) -> None:
    args = {"sr": 8000}
    args.update(kwargs)
    with pytest.raises(ParameterError):
        ferrosa.feature.scalogram(np.ones(256), **args)
