"""ferrosa.effects.reduce_noise against noisereduce 3.x, and its own contracts."""

from __future__ import annotations

import numpy as np
import pytest
from ferrosa import ParameterError, set_num_threads
from ferrosa.effects import reduce_noise


def _clip(n: int = 16000, sr: int = 8000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sr
    tone = 0.5 * np.sin(2 * np.pi * 330 * t) * (np.sin(2 * np.pi * 0.7 * t) > 0)
    return tone + 0.05 * rng.standard_normal(n)


CASES = [
    dict(stationary=False),
    dict(stationary=True),
    dict(stationary=False, prop_decrease=0.6, n_fft=512, win_length=400, hop_length=100),
    dict(stationary=True, n_fft=511, freq_mask_smooth_hz=None, n_std_thresh_stationary=1.0),
    dict(
        stationary=False,
        time_constant_s=0.5,
        thresh_n_mult_nonstationary=1,
        sigmoid_slope_nonstationary=5,
        time_mask_smooth_ms=None,
    ),
    dict(stationary=True, padding=0, prop_decrease=0.8),
]


@pytest.mark.parametrize("kw", CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_equals_noisereduce(kw, dtype):
    nr = pytest.importorskip("noisereduce")
    y = _clip().astype(dtype)
    want = nr.reduce_noise(y=y, sr=8000, **kw)
    got = reduce_noise(y, 8000, **kw)
    assert got.dtype == y.dtype and got.shape == y.shape
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()


def test_noise_clip_and_multichannel_equal_noisereduce():
    nr = pytest.importorskip("noisereduce")
    y = np.stack([_clip(seed=1), _clip(seed=2)])
    noise = 0.05 * np.random.default_rng(3).standard_normal((2, 4000))
    want = nr.reduce_noise(y=y, sr=8000, stationary=True, y_noise=noise)
    got = reduce_noise(y, 8000, stationary=True, y_noise=noise)
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()


@pytest.mark.parametrize("stationary", [True, False])
def test_chunked_equals_unchunked_and_threads(stationary):
    y = _clip(40000)
    noise = y[:3000]
    whole = reduce_noise(y, 8000, stationary=stationary, y_noise=noise, chunk_size=10**6)
    for cs in (5000, 9999):
        part = reduce_noise(
            y,
            8000,
            stationary=stationary,
            y_noise=noise,
            chunk_size=cs,
            clip_noise_stationary=False,
        )
        np.testing.assert_array_equal(whole, part)
    try:
        set_num_threads(1)
        one = reduce_noise(np.stack([y, y[::-1]]), 8000, stationary=stationary, y_noise=noise)
    finally:
        set_num_threads(0)
    many = reduce_noise(np.stack([y, y[::-1]]), 8000, stationary=stationary, y_noise=noise)
    np.testing.assert_array_equal(one, many)
    np.testing.assert_array_equal(many[0], whole)


def test_batch_equals_loop():
    y = np.stack([_clip(seed=s) for s in range(3)]).reshape(3, 1, -1)
    batch = reduce_noise(y, 8000)
    for i in range(3):
        np.testing.assert_array_equal(batch[i, 0], reduce_noise(y[i, 0], 8000))


def test_reduces_noise():
    rng = np.random.default_rng(5)
    t = np.arange(16000) / 8000
    clean = 0.5 * np.sin(2 * np.pi * 330 * t) * (t > 0.5) * (t < 1.5)
    noisy = clean + 0.05 * rng.standard_normal(t.size)
    out = reduce_noise(noisy, 8000, stationary=True, y_noise=0.05 * rng.standard_normal(8000))

    quiet = slice(0, 3000)
    # The noise-only part loses most of its energy; the tone stays.
    assert np.sum(out[quiet] ** 2) < 0.1 * np.sum(noisy[quiet] ** 2)
    tone = slice(5000, 11000)
    assert np.corrcoef(out[tone], clean[tone])[0, 1] > 0.9


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(y_noise=np.ones(100), stationary=True), "y_noise"),
        (dict(y_noise=np.zeros(5000), stationary=True), "y_noise"),
        (dict(y_noise=np.ones(5000), sr_noise=16000, stationary=True), "sr_noise"),
        (dict(n_fft=0), "n_fft"),
        (dict(win_length=2048), "win_length"),
        (dict(hop_length=0), "hop_length"),
        (dict(prop_decrease=np.nan), "prop_decrease"),
        (dict(time_constant_s=0), "time_constant_s"),
        (dict(freq_mask_smooth_hz=1), "freq_mask_smooth_hz"),
        (dict(time_mask_smooth_ms=1), "time_mask_smooth_ms"),
        (dict(chunk_size=0), "chunk_size"),
        (dict(padding=-1), "padding"),
        (dict(bogus=1), "bogus"),
    ],
)
def test_parameter_errors(kw, match):
    with pytest.raises(ParameterError, match=match):
        reduce_noise(_clip(), 8000, **kw)


def test_bad_audio():
    with pytest.raises(ParameterError, match="silent"):
        reduce_noise(np.zeros(4000), 8000)
    y = _clip()
    y[5] = np.nan
    with pytest.raises(ParameterError, match="finite"):
        reduce_noise(y, 8000)
    with pytest.raises(ParameterError, match="sr"):
        reduce_noise(_clip(), -1)
