"""Helpers tutorials call, against librosa with the same keyword arguments."""

from __future__ import annotations

import ferrosa
import numpy as np
import pytest

librosa = pytest.importorskip("librosa")

RNG = np.random.default_rng(14)


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["frames_to_samples", "samples_to_frames"])
@pytest.mark.parametrize("kw", [{}, {"hop_length": 256}, {"hop_length": 100, "n_fft": 2048}])
@pytest.mark.parametrize("x", [7, np.arange(20), np.array([[0, 5], [9, 1000]]), [3, 4]])
def test_frame_sample_conversions(name, kw, x):
    _same(getattr(ferrosa, name)(x, **kw), getattr(librosa, name)(x, **kw))
    _same(getattr(ferrosa.core, name)(x, **kw), getattr(librosa.core, name)(x, **kw))


@pytest.mark.parametrize(
    "name, kw",
    [
        ("frames_to_time", {"sr": 16000, "hop_length": 160}),
        ("frames_to_time", {"n_fft": 1024}),
        ("time_to_frames", {"sr": 44100, "hop_length": 441}),
        ("time_to_frames", {"n_fft": 2048}),
        ("time_to_samples", {"sr": 8000}),
        ("samples_to_time", {"sr": 11025}),
    ],
)
@pytest.mark.parametrize("x", [3, 2.5, np.linspace(0, 10, 33), [0.1, 0.2]])
def test_time_conversions(name, kw, x):
    _same(getattr(ferrosa, name)(x, **kw), getattr(librosa, name)(x, **kw))


@pytest.mark.parametrize("name", ["times_like", "samples_like"])
@pytest.mark.parametrize("kw", [{}, {"hop_length": 128, "n_fft": 512}, {"axis": 0}])
@pytest.mark.parametrize("X", [np.zeros((12, 40)), 25, np.zeros((2, 5, 9))])
def test_like(name, kw, X):
    if name == "samples_like":
        kw = {k: v for k, v in kw.items() if k != "sr"}
    _same(getattr(ferrosa, name)(X, **kw), getattr(librosa, name)(X, **kw))


@pytest.mark.parametrize("norm", [np.inf, -np.inf, 0, 1, 2, 3.5, None])
@pytest.mark.parametrize("axis", [0, 1, -1, None])
@pytest.mark.parametrize("fill", [None, False, True])
def test_normalize(norm, axis, fill):
    S = RNG.standard_normal((6, 7))
    S[:, 2] = 0
    S[3] = 0
    for data in (S, S.astype(np.float32), S + 1j * S[::-1]):
        kw = {"norm": norm, "axis": axis, "fill": fill}
        if norm == 0 and fill is True:
            with pytest.raises(ValueError):
                ferrosa.util.normalize(data, **kw)
            continue
        got = ferrosa.util.normalize(data, **kw)
        want = librosa.util.normalize(data, **kw)
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


def test_normalize_threshold_and_errors():
    S = np.array([[1e-3, 2.0], [1e-3, 1.0]])
    _same(ferrosa.util.normalize(S, threshold=0.1), librosa.util.normalize(S, threshold=0.1))
    for kw in ({"threshold": 0}, {"norm": "bad"}, {"fill": 3}):
        with pytest.raises(ferrosa.ParameterError):
            ferrosa.util.normalize(S, **kw)
    with pytest.raises(ferrosa.ParameterError):
        ferrosa.util.normalize(np.array([1.0, np.inf]))


@pytest.mark.parametrize(
    "kw",
    [{}, {"x_min": 3}, {"x_max": 50}, {"x_min": None, "x_max": 30, "pad": False}, {"pad": False}],
)
def test_fix_frames(kw):
    frames = np.array([9, 2, 40, 40, 77, 5])
    _same(ferrosa.util.fix_frames(frames, **kw), librosa.util.fix_frames(frames, **kw))
    with pytest.raises(ferrosa.ParameterError):
        ferrosa.util.fix_frames([-1, 3])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", [{}, {"coef": 0.5}, {"coef": 0.0}, {"zi": 0.3}])
def test_preemphasis_deemphasis(dtype, kw):
    y = RNG.standard_normal((2, 500)).astype(dtype)
    if "zi" in kw:  # a scalar state fits one channel
        y = y[0]
    got = ferrosa.effects.preemphasis(y, **kw)
    want = librosa.effects.preemphasis(y, **kw)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    g2, zf = ferrosa.effects.preemphasis(y, return_zf=True, **kw)
    w2, wzf = librosa.effects.preemphasis(y, return_zf=True, **kw)
    np.testing.assert_allclose(zf, wzf, rtol=1e-6)
    d = ferrosa.effects.deemphasis(got, **kw)
    np.testing.assert_allclose(d, librosa.effects.deemphasis(want, **kw), rtol=1e-5, atol=1e-5)
    if not kw:
        np.testing.assert_allclose(d, y, atol=1e-4)


def _bursts(n_channels=1, dtype=np.float32):
    sr = 8000
    t = np.arange(3 * sr) / sr
    env = np.zeros_like(t)
    for a, b in ((0.4, 0.9), (1.3, 1.35), (2.0, 2.6)):
        env[(t >= a) & (t < b)] = 1.0
    y = env * np.sin(2 * np.pi * 440 * t) + 1e-5 * RNG.standard_normal(t.size)
    if n_channels > 1:
        y = np.stack([y * (0.5 + 0.5 * k) for k in range(n_channels)])
        y[-1, : sr // 4] += 0.3 * np.sin(2 * np.pi * 200 * t[: sr // 4])
    return y.astype(dtype)


@pytest.mark.parametrize("n_channels", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"top_db": 20},
        {"top_db": 30, "frame_length": 1024, "hop_length": 256},
        {"ref": 0.5, "top_db": 40},
        {"ref": np.median},
        {"aggregate": np.mean},
        {"frame_length": 777, "hop_length": 100},
    ],
)
def test_trim_split(n_channels, dtype, kw):
    y = _bursts(n_channels, dtype)
    yt, idx = ferrosa.effects.trim(y, **kw)
    wt, widx = librosa.effects.trim(y, **kw)
    _same(idx, widx)
    _same(yt, wt)
    _same(ferrosa.effects.split(y, **kw), librosa.effects.split(y, **kw))


def test_trim_silent_and_errors():
    z = np.zeros(4000, dtype=np.float32)
    _same(ferrosa.effects.trim(z)[1], librosa.effects.trim(z)[1])
    _same(ferrosa.effects.split(z), librosa.effects.split(z))
    with pytest.raises(ferrosa.ParameterError):
        ferrosa.effects.trim(np.array([0.0, np.nan]))
    with pytest.raises(ferrosa.ParameterError):
        ferrosa.effects.split(_bursts(), hop_length=0)
    with pytest.raises(ferrosa.ParameterError):
        ferrosa.effects.trim(np.arange(10))


def test_mfcc_to_mel_and_mel_to_stft():
    y = _bursts(1, np.float64)[:8000]
    mfcc = librosa.feature.mfcc(y=y, sr=8000, n_mfcc=20, n_mels=40)
    for kw in ({"n_mels": 40}, {"n_mels": 40, "lifter": 22}, {"n_mels": 64, "dct_type": 3}):
        got = ferrosa.feature.inverse.mfcc_to_mel(mfcc, **kw)
        want = librosa.feature.inverse.mfcc_to_mel(mfcc, **kw)
        np.testing.assert_allclose(got, want, rtol=1e-10)
    M = librosa.feature.melspectrogram(y=y, sr=8000, n_fft=512, n_mels=32)
    for kw in ({}, {"power": 1.0}, {"fmax": 3000.0, "htk": True}):
        got = ferrosa.feature.inverse.mel_to_stft(M, sr=8000, n_fft=512, **kw)
        want = librosa.feature.inverse.mel_to_stft(M, sr=8000, n_fft=512, **kw)
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6 * want.max())
    with pytest.raises(ferrosa.ParameterError):
        ferrosa.feature.inverse.mfcc_to_mel(mfcc, lifter=-1)


def test_mel_and_mfcc_to_audio_shapes():
    y = _bursts(1, np.float32)[:4000]
    M = librosa.feature.melspectrogram(y=y, sr=8000, n_fft=512, hop_length=128, n_mels=32)
    a = ferrosa.feature.inverse.mel_to_audio(M, sr=8000, n_fft=512, hop_length=128, n_iter=4)
    b = librosa.feature.inverse.mel_to_audio(M, sr=8000, n_fft=512, hop_length=128, n_iter=4)
    assert a.shape == b.shape and a.dtype == b.dtype
    mfcc = librosa.feature.mfcc(S=librosa.power_to_db(M), n_mfcc=13)
    c = ferrosa.feature.inverse.mfcc_to_audio(mfcc, n_mels=32, sr=8000, n_fft=512, n_iter=2)
    d = librosa.feature.inverse.mfcc_to_audio(mfcc, n_mels=32, sr=8000, n_fft=512, n_iter=2)
    assert c.shape == d.shape and c.dtype == d.dtype


@pytest.mark.parametrize("feature", ["spectral_centroid", "spectral_bandwidth", "spectral_rolloff"])
def test_per_frame_freq_grid(feature):
    y = _bursts(1, np.float64)[:6000]
    S = np.abs(librosa.stft(y, n_fft=256))
    freq = np.linspace(0, 4000, S.shape[0])[:, None] * (1 + 0.01 * RNG.random(S.shape))
    for kw in ({"S": S}, {"y": y, "n_fft": 256, "hop_length": 64}):
        got = getattr(ferrosa.feature, feature)(sr=8000, freq=freq, **kw)
        want = getattr(librosa.feature, feature)(sr=8000, freq=freq, **kw)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
    with pytest.raises(ferrosa.ParameterError):
        getattr(ferrosa.feature, feature)(S=S, freq=freq[:-1])


def test_amplitude_to_db_of_a_scalar():
    for x in (3.0, 0.0, 1e-7):
        assert ferrosa.amplitude_to_db(x) == librosa.amplitude_to_db(x)
        assert ferrosa.power_to_db(x) == librosa.power_to_db(x)
