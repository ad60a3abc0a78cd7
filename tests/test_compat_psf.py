"""ferrosa.compat.python_speech_features against python_speech_features."""

from __future__ import annotations

import numpy as np
import pytest
from ferrosa import ParameterError
from ferrosa.compat import python_speech_features as F

P = pytest.importorskip("python_speech_features")


def _sig(n=24000, seed=0):
    rng = np.random.default_rng(seed)
    return 0.3 * rng.standard_normal(n) + np.sin(np.arange(n) * 0.03)


def _rel(a, b):
    return np.abs(np.asarray(a) - np.asarray(b)).max() / np.abs(np.asarray(a)).max()


KW = [
    {},
    dict(samplerate=22050),
    dict(samplerate=8000, winlen=0.032, winstep=0.016, nfft=256, nfilt=20),
    dict(winfunc=np.hamming, nfft=1024, lowfreq=100, highfreq=7000, preemph=0),
]


@pytest.mark.parametrize("kw", KW)
@pytest.mark.parametrize("name", ["fbank", "logfbank", "ssc", "mfcc"])
def test_equal(name, kw):
    y = _sig()
    kw = dict(kw)
    if name == "logfbank":
        kw.pop("winfunc", None)
    a, b = getattr(P, name)(y, **kw), getattr(F, name)(y, **kw)
    if isinstance(a, tuple):
        for u, v in zip(a, b, strict=True):
            assert u.shape == v.shape and _rel(u, v) <= 1e-6
    else:
        assert a.shape == b.shape and _rel(a, b) <= 1e-6


def test_mfcc_options_and_delta():
    y = _sig(9000, 1)
    for kw in (dict(numcep=20, nfilt=40, ceplifter=0, appendEnergy=False), dict(ceplifter=10)):
        assert _rel(P.mfcc(y, **kw), F.mfcc(y, **kw)) <= 1e-6
    m = P.mfcc(y)
    for n in (1, 2, 3):
        assert _rel(P.delta(m, n), F.delta(m, n)) <= 1e-12


def test_sigproc_and_short_signal():
    y = _sig(5000, 2)
    np.testing.assert_allclose(F.sigproc.preemphasis(y, 0.97), P.sigproc.preemphasis(y, 0.97))
    a = P.sigproc.framesig(y, 400, 160, np.hanning)
    b = F.sigproc.framesig(y, 400, 160, np.hanning)
    np.testing.assert_array_equal(a, b)
    assert _rel(P.sigproc.powspec(a, 512), F.sigproc.powspec(b, 512)) <= 1e-12
    short = y[:100]
    assert _rel(P.mfcc(short), F.mfcc(short)) <= 1e-6


def test_errors():
    with pytest.raises(ParameterError):
        F.mfcc(np.array([]))
    with pytest.raises(ParameterError):
        F.mfcc(np.array([1.0, np.nan, 2.0] * 200))
    with pytest.raises(ParameterError):
        F.delta(np.ones((4, 3)), 0)
    with pytest.raises(ParameterError):
        F.fbank(_sig(), highfreq=10**6)
