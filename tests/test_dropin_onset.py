"""librosa.onset and util.peak_pick against librosa 0.11, same keyword arguments."""

from __future__ import annotations

import ferrosa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

librosa = pytest.importorskip("librosa")

SR = 22050


def _plucks(dtype: type, seed: int = 3, seconds: float = 4.0) -> np.ndarray:
    """Decaying tones at random times over a little noise."""
    rng = np.random.default_rng(seed)
    n = int(SR * seconds)
    y = 0.01 * rng.standard_normal(n)
    for k, t0 in enumerate(np.sort(rng.uniform(0.1, seconds - 0.2, 14))):
        i = int(t0 * SR)
        t = np.arange(n - i) / SR
        y[i:] += np.exp(-8 * t) * np.sin(2 * np.pi * (200 + 70 * k) * t)
    return y.astype(dtype)


STRENGTH = [
    {},
    {"lag": 2, "max_size": 3},
    {"detrend": True},
    {"center": False},
    {"aggregate": np.median},
    {"n_mels": 40, "fmax": 8000.0},
    {"hop_length": 256, "n_fft": 1024},
]


@pytest.mark.parametrize("dtype, tol", [(np.float32, 1e-5), (np.float64, 1e-12)])
@pytest.mark.parametrize("kw", STRENGTH)
def test_onset_strength_equals_librosa(kw, dtype, tol):
    y = _plucks(dtype)
    want = librosa.onset.onset_strength(y=y, sr=SR, **kw)
    got = ferrosa.onset.onset_strength(y=y, sr=SR, **kw)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.max(np.abs(got - want)) <= tol * np.max(np.abs(want))


@pytest.mark.parametrize(
    "kw",
    [
        {"channels": [0, 32, 64, 96, 128]},
        {"channels": [slice(0, 10), slice(20, 64)]},
        {"aggregate": False},
        {"channels": [5, 70], "aggregate": np.max},
    ],
)
def test_onset_strength_multi_equals_librosa(kw):
    y = _plucks(np.float64)
    want = librosa.onset.onset_strength_multi(y=y, sr=SR, **kw)
    got = ferrosa.onset.onset_strength_multi(y=y, sr=SR, **kw)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10 * np.max(want))


def test_onset_strength_from_a_spectrogram_and_reference():
    y = _plucks(np.float64)
    S = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=SR))
    ref = np.roll(S, 1, axis=0)
    for kw in ({"S": S}, {"S": S, "ref": ref}):
        np.testing.assert_allclose(
            ferrosa.onset.onset_strength(sr=SR, **kw),
            librosa.onset.onset_strength(sr=SR, **kw),
            rtol=1e-12,
        )


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"backtrack": True},
        {"units": "time"},
        {"units": "samples", "delta": 0.2, "wait": 5},
        {"sparse": False},
        {"normalize": False, "delta": 0.5},
        {"hop_length": 256, "pre_max": 4, "post_max": 2},
    ],
)
@pytest.mark.parametrize("seed", [3, 11])
def test_onset_detect_equals_librosa(kw, seed):
    y = _plucks(np.float32, seed=seed)
    want = librosa.onset.onset_detect(y=y, sr=SR, **kw)
    got = ferrosa.onset.onset_detect(y=y, sr=SR, **kw)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_onset_detect_backtracks_to_energy_minima():
    y = _plucks(np.float64)
    rms = librosa.feature.rms(y=y)[0]
    env = librosa.onset.onset_strength(y=y, sr=SR)
    want = librosa.onset.onset_detect(onset_envelope=env, sr=SR, backtrack=True, energy=rms)
    got = ferrosa.onset.onset_detect(onset_envelope=env, sr=SR, backtrack=True, energy=rms)
    np.testing.assert_array_equal(got, want)
    assert np.all(got <= ferrosa.onset.onset_detect(onset_envelope=env, sr=SR))


def test_silence_has_no_onsets():
    y = np.zeros(SR, dtype=np.float32)
    assert ferrosa.onset.onset_detect(y=y, sr=SR).size == 0
    assert not ferrosa.onset.onset_detect(y=y, sr=SR, sparse=False).any()


def test_multichannel_equals_librosa():
    # power_to_db's 80 dB floor is taken over all channels together, in
    # librosa as here, so a channel's envelope is not its mono envelope.
    y = np.stack([_plucks(np.float64, seed=s) for s in (3, 5)])
    want = librosa.onset.onset_strength(y=y, sr=SR)
    got = ferrosa.onset.onset_strength(y=y, sr=SR)
    assert got.shape == want.shape == (2, 173)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10 * np.max(want))
    mask = ferrosa.onset.onset_detect(onset_envelope=got, sr=SR, sparse=False)
    np.testing.assert_array_equal(
        mask, librosa.onset.onset_detect(onset_envelope=want, sr=SR, sparse=False)
    )
    for c in range(2):
        np.testing.assert_array_equal(
            mask[c], ferrosa.onset.onset_detect(onset_envelope=got[c], sr=SR, sparse=False)
        )


windows = st.tuples(
    st.integers(0, 12),
    st.integers(1, 12),
    st.integers(0, 12),
    st.integers(1, 12),
    st.floats(0.0, 1.0),
    st.integers(0, 12),
)


@settings(max_examples=60, deadline=None)
@given(
    x=st.lists(st.floats(-10, 10, allow_nan=False), min_size=1, max_size=200),
    w=windows,
)
def test_peak_pick_equals_librosa_on_random_signals(x, w):
    pre_max, post_max, pre_avg, post_avg, delta, wait = w
    kw = {
        "pre_max": pre_max,
        "post_max": post_max,
        "pre_avg": pre_avg,
        "post_avg": post_avg,
        "delta": delta,
        "wait": wait,
    }
    # Quantised values: ties (plateaus) are common, as in real envelopes.
    arr = np.round(np.asarray(x), 1)
    np.testing.assert_array_equal(
        ferrosa.util.peak_pick(arr, **kw), librosa.util.peak_pick(arr, **kw)
    )


def test_peak_pick_along_an_axis_and_fractional_windows():
    x = np.random.default_rng(0).standard_normal((3, 400))
    kw = {"pre_max": 2.5, "post_max": 1.2, "pre_avg": 7, "post_avg": 3.1, "delta": 0.1, "wait": 2.2}
    for axis in (0, -1):
        np.testing.assert_array_equal(
            ferrosa.util.peak_pick(x, sparse=False, axis=axis, **kw),
            librosa.util.peak_pick(x, sparse=False, axis=axis, **kw),
        )


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"pre_max": -1}, "pre_max"),
        ({"pre_avg": -1}, "pre_avg"),
        ({"delta": -0.1}, "delta"),
        ({"wait": -1}, "wait"),
        ({"post_max": 0}, "post_max"),
        ({"post_avg": 0}, "post_avg"),
    ],
)
def test_peak_pick_bad_windows_raise(kw, match):
    args = {"pre_max": 1, "post_max": 1, "pre_avg": 1, "post_avg": 1, "delta": 0.0, "wait": 0}
    args.update(kw)
    with pytest.raises(ferrosa.ParameterError, match=match):
        ferrosa.util.peak_pick(np.arange(10.0), **args)


def test_peak_pick_rejects_2d_sparse_and_non_finite():
    args = {"pre_max": 1, "post_max": 1, "pre_avg": 1, "post_avg": 1, "delta": 0.0, "wait": 0}
    with pytest.raises(ferrosa.ParameterError, match="sparse"):
        ferrosa.util.peak_pick(np.zeros((2, 5)), **args)
    with pytest.raises(ferrosa.ParameterError, match="finite"):
        ferrosa.util.peak_pick(np.array([0.0, np.nan, 1.0]), **args)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ferrosa.onset.onset_strength(y=np.zeros(4096), lag=0), "lag"),
        (lambda: ferrosa.onset.onset_strength(y=np.zeros(4096), max_size=0), "max_size"),
        (lambda: ferrosa.onset.onset_strength(y=np.zeros(4096), aggregate=False), "aggregate"),
        (lambda: ferrosa.onset.onset_detect(), "onset_envelope"),
        (lambda: ferrosa.onset.onset_detect(y=_plucks(np.float32), units="beats"), "unit"),
        (
            lambda: ferrosa.onset.onset_detect(y=_plucks(np.float32), sparse=False, backtrack=True),
            "backtrack",
        ),
        (
            lambda: ferrosa.onset.onset_strength(S=np.ones((4, 10)), ref=np.ones((3, 10))),
            "shape",
        ),
    ],
)
def test_bad_onset_arguments_raise(call, match):
    with pytest.raises(ferrosa.ParameterError, match=match):
        call()
