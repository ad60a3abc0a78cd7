"""phase_vocoder, effects.time_stretch and effects.pitch_shift against librosa 0.11."""

from __future__ import annotations

import ferrosa
import numpy as np
import pytest

librosa = pytest.importorskip("librosa")

SR = 22050


def _tones(dtype: type, seconds: float = 2.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(SR * seconds)) / SR
    y = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 1234 * t)
    return (y + 0.01 * rng.standard_normal(t.size)).astype(dtype)


@pytest.mark.parametrize("rate", [0.5, 0.8, 1.0, 1.3, 2.0, 3.7])
def test_phase_vocoder_float64_equals_librosa(rate):
    D = librosa.stft(_tones(np.float64))
    want = librosa.phase_vocoder(D, rate=rate)
    got = ferrosa.phase_vocoder(D, rate=rate)
    assert got.shape == want.shape and got.dtype == want.dtype
    # librosa's float64 phase reaches 10^5-10^6 rad (rounding ~1e-11 rad);
    # ferrosa carries it as a unit phasor.
    assert np.max(np.abs(got - want)) <= 1e-9 * np.max(np.abs(want))


@pytest.mark.parametrize("rate", [0.5, 1.3, 2.0])
def test_phase_vocoder_float32_magnitudes_equal_librosa(rate):
    # librosa accumulates complex64 phases in float32; ferrosa in float64,
    # so the magnitudes agree to float32 rounding and the phases to
    # librosa's accumulation error.
    D = librosa.stft(_tones(np.float32))
    want = librosa.phase_vocoder(D, rate=rate)
    got = ferrosa.phase_vocoder(D, rate=rate)
    assert got.shape == want.shape and got.dtype == want.dtype == np.complex64
    peak = np.max(np.abs(want))
    assert np.max(np.abs(np.abs(got) - np.abs(want))) <= 1e-6 * peak
    assert np.max(np.abs(got - want)) <= 3e-2 * peak


def test_phase_vocoder_with_explicit_geometry_and_channels():
    y = np.stack([_tones(np.float64), _tones(np.float64)[::-1].copy()])
    D = librosa.stft(y, n_fft=1024, hop_length=128)
    want = librosa.phase_vocoder(D, rate=1.5, hop_length=128, n_fft=1024)
    got = ferrosa.phase_vocoder(D, rate=1.5, hop_length=128, n_fft=1024)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9 * np.max(np.abs(want)))
    for c in range(2):
        one = ferrosa.phase_vocoder(D[c], rate=1.5, hop_length=128, n_fft=1024)
        np.testing.assert_array_equal(got[c], one)


@pytest.mark.parametrize("kw", [{"rate": 0.7}, {"rate": 1.5}, {"rate": 1.2, "n_fft": 1024}])
def test_time_stretch_equals_librosa(kw):
    y = _tones(np.float64)
    want = librosa.effects.time_stretch(y, **kw)
    got = ferrosa.effects.time_stretch(y, **kw)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.max(np.abs(got - want)) <= 1e-9 * np.max(np.abs(want))


@pytest.mark.parametrize("n_steps", [-3, 2.5, 7])
def test_pitch_shift_equals_librosa(n_steps):
    y = _tones(np.float64)
    want = librosa.effects.pitch_shift(y, sr=SR, n_steps=n_steps)
    got = ferrosa.effects.pitch_shift(y, sr=SR, n_steps=n_steps)
    assert got.shape == want.shape == y.shape
    # soxr_hq resamples at single precision: float64 input agrees to ~1e-7.
    assert np.max(np.abs(got - want)) <= 1e-6 * np.max(np.abs(want))


def test_pitch_shift_moves_the_tone():
    t = np.arange(SR) / SR
    y = np.sin(2 * np.pi * 440 * t)
    up = ferrosa.effects.pitch_shift(y, sr=SR, n_steps=12)
    spectrum = np.abs(np.fft.rfft(up[2048:-2048]))
    peak_hz = np.argmax(spectrum) * SR / len(up[2048:-2048])
    assert abs(peak_hz - 880) < 5


def test_float32_stays_float32():
    y = _tones(np.float32)
    assert ferrosa.effects.time_stretch(y, rate=1.1).dtype == np.float32
    assert ferrosa.effects.pitch_shift(y, sr=SR, n_steps=1).dtype == np.float32


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda y: ferrosa.effects.time_stretch(y, rate=0), "rate"),
        (lambda y: ferrosa.effects.time_stretch(y, rate=-1.0), "rate"),
        (lambda y: ferrosa.effects.time_stretch(y, rate=1.0, pad=3), "unexpected"),
        (lambda y: ferrosa.effects.pitch_shift(y, sr=SR, n_steps=1, bins_per_octave=0), "bins"),
        (lambda y: ferrosa.phase_vocoder(ferrosa.stft(y), rate=np.inf), "rate"),
        (lambda y: ferrosa.phase_vocoder(np.abs(ferrosa.stft(y)), rate=1.0), "complex"),
        (lambda y: ferrosa.phase_vocoder(ferrosa.stft(y), rate=1.0, n_fft=1000), "bins"),
    ],
)
def test_bad_arguments_raise_parameter_error(call, match):
    with pytest.raises(ferrosa.ParameterError, match=match):
        call(_tones(np.float32, seconds=0.5))
