"""Decibel conversions against librosa 0.11."""

from __future__ import annotations

import ferrosa
import librosa
import numpy as np
import pytest
from conftest import assert_close_to_peak, make_tones
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

DTYPES = [np.float32, np.float64]


def spectrogram(dtype: type) -> np.ndarray:
    S = np.abs(librosa.stft(make_tones(6000, dtype), n_fft=512)) ** 2
    S[:, 2] = 0  # silent frame: hits amin
    return S


def check(fn: str, S: object, **kw: object) -> None:
    got = getattr(ferrosa, fn)(S, **kw)
    want = getattr(librosa, fn)(S, **kw)
    assert np.asarray(got).dtype == np.asarray(want).dtype
    assert np.shape(got) == np.shape(want)
    assert_close_to_peak(got, want)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("ref", [1.0, 0.01, np.max, np.median])
@pytest.mark.parametrize("amin", [1e-10, 1e-5, 1.0])
@pytest.mark.parametrize("top_db", [80.0, 40.0, 0.0, None])
def test_power_to_db(dtype, ref, amin, top_db):
    check("power_to_db", spectrogram(dtype), ref=ref, amin=amin, top_db=top_db)


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("ref", [1.0, 3.0, np.max])
@pytest.mark.parametrize("amin", [1e-5, 1e-3])
@pytest.mark.parametrize("top_db", [80.0, 20.0, None])
def test_amplitude_to_db(dtype, ref, amin, top_db):
    check("amplitude_to_db", np.sqrt(spectrogram(dtype)), ref=ref, amin=amin, top_db=top_db)


def test_db_of_complex_input_warns_like_librosa():
    D = librosa.stft(make_tones(3000, np.float32), n_fft=256)
    for fn in ("power_to_db", "amplitude_to_db"):
        with pytest.warns(UserWarning):
            got = getattr(ferrosa, fn)(D)
        with pytest.warns(UserWarning):
            want = getattr(librosa, fn)(D)
        assert got.dtype == want.dtype
        assert_close_to_peak(got, want)


def test_db_scalars_lists_and_multichannel():
    check("power_to_db", 3.0)
    check("power_to_db", [1.0, 10.0, 100.0], top_db=None)
    check("amplitude_to_db", [[0.0, 1.0], [2.0, 3.0]])
    S = np.stack([spectrogram(np.float32), 10 * spectrogram(np.float32)])
    check("power_to_db", S, ref=np.max)  # top_db applies over the whole array
    check("power_to_db", S[:, ::2, 1:])  # non-contiguous view


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("ref", [1.0, 0.5, 20.0])
def test_db_to_power_and_amplitude(dtype, ref):
    S_db = librosa.power_to_db(spectrogram(dtype))
    check("db_to_power", S_db, ref=ref)
    check("db_to_amplitude", S_db, ref=ref)
    check("db_to_power", -20.0)


@settings(max_examples=50, deadline=None)
@given(
    S=hnp.arrays(np.float64, st.integers(1, 50), elements=st.floats(0, 1e6)),
    amin=st.sampled_from([1e-10, 1e-5, 1e-2]),
)
def test_power_db_round_trip(S, amin):
    back = ferrosa.db_to_power(ferrosa.power_to_db(S, amin=amin, top_db=None))
    np.testing.assert_allclose(back, np.maximum(S, amin), rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    S=hnp.arrays(np.float64, st.integers(1, 50), elements=st.floats(0, 1e6)),
    top_db=st.floats(0, 200),
)
def test_top_db_floor(S, top_db):
    out = ferrosa.power_to_db(S, top_db=top_db)
    assert out.min() >= out.max() - top_db - 1e-9
    np.testing.assert_allclose(out, librosa.power_to_db(S, top_db=top_db), rtol=0, atol=1e-9)
