"""ferrosa.signal.periodogram / welch against scipy.signal; fft_spectrum."""

from __future__ import annotations

import ferrosa
import numpy as np
import pytest
import scipy.signal as S
from ferrosa import ParameterError
from ferrosa import signal as F


def _x(shape=(20000,), seed=0, dtype=np.float64):
    return (np.random.default_rng(seed).standard_normal(shape) + 0.3).astype(dtype)


def _rel(a, b):
    return np.abs(a - b).max() / np.abs(a).max()


WELCH = [
    {},
    dict(nperseg=1000, noverlap=300, nfft=1200, detrend="linear"),
    dict(detrend=False, scaling="spectrum", average="median"),
    dict(return_onesided=False, window="hamming", nperseg=255),
    dict(window=("tukey", 0.3), nperseg=301, nfft=512, average="median"),
    dict(window=np.hanning(128), noverlap=100),
]


@pytest.mark.parametrize("kw", WELCH)
def test_welch(kw):
    x = _x()
    f0, p0 = S.welch(x, fs=16000, **kw)
    f1, p1 = F.welch(x, fs=16000, **kw)
    np.testing.assert_allclose(f0, f1, rtol=0, atol=1e-9)
    assert p0.shape == p1.shape and _rel(p0, p1) <= 1e-10


@pytest.mark.parametrize(
    "kw",
    [
        {},
        dict(nfft=25000),
        dict(nfft=9000, detrend="linear", scaling="spectrum"),
        dict(window="hann", return_onesided=False),
        dict(detrend=False),
    ],
)
def test_periodogram(kw):
    x = _x((20001,))
    f0, p0 = S.periodogram(x, fs=8000, **kw)
    f1, p1 = F.periodogram(x, fs=8000, **kw)
    np.testing.assert_allclose(f0, f1)
    assert p0.shape == p1.shape and _rel(p0, p1) <= 1e-10


def test_axis_dtype_batch():
    x = _x((2, 3, 3000), dtype=np.float32)
    for axis, nperseg in ((-1, 256), (1, 3), (0, 2)):
        p0 = S.welch(x, axis=axis, nperseg=nperseg)[1]
        p1 = F.welch(x, axis=axis, nperseg=nperseg)[1]
        assert p1.dtype == p0.dtype == np.float32
        assert _rel(p0, p1) <= 1e-5
    xb = _x((3, 5000))
    batch = F.welch(xb)[1]
    for i in range(3):
        np.testing.assert_array_equal(batch[i], F.welch(xb[i])[1])


def test_errors():
    with pytest.raises(ParameterError, match="scaling"):
        F.welch(_x(), scaling="nope")
    with pytest.raises(ParameterError, match="average"):
        F.welch(_x(), average="max")
    with pytest.raises(ParameterError, match="noverlap"):
        F.welch(_x(), nperseg=64, noverlap=64)
    with pytest.raises(ParameterError, match="nfft"):
        F.welch(_x(), nperseg=64, nfft=32)
    with pytest.raises(ParameterError, match="detrend"):
        F.welch(_x(), detrend="quadratic")
    with pytest.raises(ParameterError, match="finite"):
        F.welch(np.array([1.0, np.inf] * 300))


def test_fft_spectrum():
    y = _x((2, 1001))
    mag, freqs = ferrosa.fft_spectrum(y, 22050)
    np.testing.assert_allclose(mag, np.abs(np.fft.rfft(y)) / 1001, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(freqs, np.fft.rfftfreq(1001, 1 / 22050))
    with pytest.raises(ParameterError):
        ferrosa.fft_spectrum(y, 0)
