"""Chroma filter bank, piptrack, tuning estimation and chroma_stft against librosa 0.11.

``chroma_stft(tuning=None)`` estimates the tuning first, which is what users
get by default; the estimate must be librosa's exactly (it selects the filter
bank), so it is compared with ``==``.
"""

from __future__ import annotations

import warnings
from typing import Any

import ferrosa
import librosa
import numpy as np
import pytest
from conftest import SR, assert_close_to_peak, make_chirp, make_noise
from ferrosa import ParameterError
from hypothesis import given, settings
from hypothesis import strategies as st


def detuned(n: int, dtype: Any, cents: float, seed: int = 0) -> np.ndarray:
    """A few harmonic notes shifted by ``cents`` from A440 tuning, plus noise."""
    t = np.arange(n) / SR
    y = np.zeros(n)
    for midi, amp in ((57, 0.5), (64, 0.3), (69, 0.3), (76, 0.1)):
        f = 440.0 * 2 ** ((midi - 69 + cents / 100) / 12)
        y += amp * np.sin(2 * np.pi * f * t)
    y += 0.02 * make_noise(n, np.float64, seed=seed)
    return y.astype(dtype)


SIGNALS = {
    "detuned+23c": lambda dt: detuned(SR, dt, 23.0),
    "detuned-31c": lambda dt: detuned(2 * SR, dt, -31.0, seed=2),
    "chirp": lambda dt: make_chirp(SR, dt),
    "stereo": lambda dt: np.stack([detuned(SR, dt, 10.0), make_noise(SR, dt, seed=4)]),
}
DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sr": 22050, "n_fft": 2048},
        {"sr": 44100, "n_fft": 4096, "n_chroma": 24, "tuning": 0.3, "base_c": False},
        {"sr": 8000, "n_fft": 511, "n_chroma": 7, "octwidth": None, "norm": np.inf},
        {"sr": 22050, "n_fft": 1024, "norm": None, "ctroct": 4.0, "octwidth": 1.5},
        {"sr": 22050, "n_fft": 1024, "n_chroma": 5, "norm": 0, "dtype": np.float64},
        {"sr": 16000, "n_fft": 256, "norm": 1, "tuning": -0.5, "dtype": np.float64},
    ],
)
def test_filter_bank(kwargs: dict) -> None:
    got = ferrosa.filters.chroma(**kwargs)
    want = librosa.filters.chroma(**kwargs)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert_close_to_peak(got, want, dtype=np.float64)
    assert got.flags.writeable  # a fresh copy, not the cached bank


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(SIGNALS))
def test_estimate_tuning_is_librosas(name: str, dtype: Any) -> None:
    y = SIGNALS[name](dtype)
    assert ferrosa.estimate_tuning(y=y, sr=SR) == librosa.estimate_tuning(y=y, sr=SR)
    S = np.abs(librosa.stft(y)) ** 2
    for kw in ({}, {"bins_per_octave": 24}, {"resolution": 0.05}):
        assert ferrosa.estimate_tuning(S=S, sr=SR, **kw) == librosa.estimate_tuning(
            S=S, sr=SR, **kw
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"fmin": 80.0, "fmax": 2000.0, "threshold": 0.3},
        {"n_fft": 1024, "hop_length": 256, "window": "hamming", "center": False},
        {"ref": 0.5},
        {"ref": np.max, "threshold": 0.05, "pad_mode": "reflect"},
    ],
)
def test_estimate_tuning_kwargs(kwargs: dict) -> None:
    y = detuned(SR, np.float32, -12.0)
    assert ferrosa.estimate_tuning(y=y, sr=SR, **kwargs) == librosa.estimate_tuning(
        y=y, sr=SR, **kwargs
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"fmin": 50.0, "fmax": 11025.0, "threshold": 0.01}, {"ref": 1.0}, {"n_fft": 1023}],
)
def test_piptrack(kwargs: dict, dtype: Any) -> None:
    y = SIGNALS["stereo"](dtype)
    got_p, got_m = ferrosa.piptrack(y=y, sr=SR, **kwargs)
    want_p, want_m = librosa.piptrack(y=y, sr=SR, **kwargs)
    assert got_p.dtype == want_p.dtype and got_p.shape == want_p.shape
    np.testing.assert_array_equal(got_p > 0, want_p > 0)
    assert_close_to_peak(got_p, want_p, dtype=dtype)
    assert_close_to_peak(got_m, want_m, dtype=dtype)


def test_pitch_tuning() -> None:
    rng = np.random.default_rng(0)
    for dtype in DTYPES:
        f = (440 * 2 ** (rng.uniform(-30, 30, 500) / 12)).astype(dtype)
        for kw in ({}, {"resolution": 0.02}, {"bins_per_octave": 36}):
            assert ferrosa.pitch_tuning(f, **kw) == librosa.pitch_tuning(f, **kw)
    with pytest.warns(UserWarning, match="empty frequency set"):
        assert ferrosa.pitch_tuning(np.zeros(3)) == 0.0


CHROMA_CASES = [
    {},
    {"norm": 2, "n_chroma": 24},
    {"norm": None, "tuning": 0.2, "base_c": False, "octwidth": None},
    {"n_fft": 1024, "hop_length": 256, "win_length": 512, "window": "hamming"},
    {"center": False, "ctroct": 4.0, "octwidth": 1.0},
    {"pad_mode": "reflect", "tuning": -0.4, "norm": 1},
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(SIGNALS))
@pytest.mark.parametrize("kwargs", CHROMA_CASES)
def test_chroma_stft_from_audio(kwargs: dict, name: str, dtype: Any) -> None:
    y = SIGNALS[name](dtype)
    got = ferrosa.feature.chroma_stft(y=y, sr=SR, **kwargs)
    want = librosa.feature.chroma_stft(y=y, sr=SR, **kwargs)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert_close_to_peak(got, want, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", CHROMA_CASES[:3] + [{"dtype": np.float64}])
def test_chroma_stft_from_spectrogram(kwargs: dict, dtype: Any) -> None:
    y = SIGNALS["stereo"](dtype)
    S = np.abs(librosa.stft(y, n_fft=4096)) ** 2
    got = ferrosa.feature.chroma_stft(S=S, sr=SR, **kwargs)
    want = librosa.feature.chroma_stft(S=S, sr=SR, **kwargs)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert_close_to_peak(got, want, dtype=want.dtype)


def test_chroma_of_silence_follows_librosa() -> None:
    y = np.zeros(8192, dtype=np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = ferrosa.feature.chroma_stft(y=y, sr=SR)
    assert any("empty frequency set" in str(w.message) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = librosa.feature.chroma_stft(y=y, sr=SR)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.feature.chroma_stft(y=make_noise(4096), norm="bad"),
        lambda m: m.feature.chroma_stft(y=make_noise(4096), norm=-1),
        lambda m: m.feature.chroma_stft(),
        lambda m: m.feature.chroma_stft(y=make_noise(4096).astype(int)),
        lambda m: m.feature.chroma_stft(y=np.array([0.0, np.nan] * 2048)),
        lambda m: m.feature.chroma_stft(S=np.full((1025, 3), np.inf)),
        lambda m: m.feature.chroma_stft(y=make_noise(1000), n_fft=2048, center=False),
        lambda m: m.piptrack(y=np.array([0.0, np.nan] * 2048)),
        lambda m: m.estimate_tuning(),
    ],
)
def test_parameter_errors_match_librosa(call: Any) -> None:
    with pytest.raises(librosa.util.exceptions.ParameterError):
        call(librosa)
    with pytest.raises(ParameterError):
        call(ferrosa)


@pytest.mark.parametrize(
    "call",
    [
        lambda: ferrosa.filters.chroma(sr=0, n_fft=2048),
        lambda: ferrosa.filters.chroma(sr=22050, n_fft=1),
        lambda: ferrosa.filters.chroma(sr=22050, n_fft=2048, n_chroma=0),
        lambda: ferrosa.filters.chroma(sr=22050, n_fft=2048, norm="l2"),
        lambda: ferrosa.filters.chroma(sr=22050, n_fft=2048, tuning=np.nan),
        lambda: ferrosa.feature.chroma_stft(y=make_noise(4096), n_chroma=0),
        lambda: ferrosa.feature.chroma_stft(y=make_noise(4096), sr=-1),
        lambda: ferrosa.piptrack(y=make_noise(4096), ref=np.mean),
    ],
)
def test_ferrosa_only_refusals(call: Any) -> None:
    with pytest.raises(ParameterError):
        call()


@settings(max_examples=20, deadline=None)
@given(midi=st.integers(min_value=45, max_value=84), cents=st.floats(-20, 20))
def test_chroma_of_a_tone_peaks_at_its_pitch_class(midi: int, cents: float) -> None:
    t = np.arange(SR // 2) / SR
    y = np.sin(2 * np.pi * 440.0 * 2 ** ((midi - 69 + cents / 100) / 12) * t)
    c = ferrosa.feature.chroma_stft(y=y, sr=SR, n_fft=4096)
    assert np.all(np.argmax(c[:, 2:-2], axis=0) == midi % 12)


def test_pitch_conversions_equal_librosa() -> None:
    f = np.array([27.5, 55.0, 261.6, 440.0, 1000.0, 4186.0])
    for name in ("hz_to_midi", "hz_to_octs"):
        np.testing.assert_array_equal(getattr(ferrosa, name)(f), getattr(librosa, name)(f))
    m = np.array([21.0, 60.0, 69.5, 108.0])
    np.testing.assert_array_equal(ferrosa.midi_to_hz(m), librosa.midi_to_hz(m))
    np.testing.assert_array_equal(ferrosa.octs_to_hz(m / 12), librosa.octs_to_hz(m / 12))
    np.testing.assert_array_equal(
        ferrosa.hz_to_octs(f, tuning=0.3, bins_per_octave=24),
        librosa.hz_to_octs(f, tuning=0.3, bins_per_octave=24),
    )
    assert ferrosa.A4_to_tuning(432.0) == librosa.A4_to_tuning(432.0)
    assert ferrosa.tuning_to_A4(-0.3) == librosa.tuning_to_A4(-0.3)
    notes = ["C4", "A#3", "Eb5+20", "G-1", "B♭2", "c#6-7"]
    np.testing.assert_array_equal(ferrosa.note_to_midi(notes), librosa.note_to_midi(notes))
    np.testing.assert_array_equal(ferrosa.note_to_hz(notes), librosa.note_to_hz(notes))
    assert ferrosa.note_to_midi("Eb5+20", round_midi=False) == librosa.note_to_midi(
        "Eb5+20", round_midi=False
    )
    with pytest.raises(ParameterError):
        ferrosa.note_to_midi("H2")
