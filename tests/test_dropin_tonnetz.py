"""feature.tonnetz and feature.poly_features against librosa 0.11, same keyword arguments."""

from __future__ import annotations

import ferrosa
import numpy as np
import pytest

librosa = pytest.importorskip("librosa")

SR = 22050


def _chord(dtype: type, seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(SR * seconds)) / SR
    y = sum(np.sin(2 * np.pi * f * t) for f in (261.63, 329.63, 392.0))
    noise = 0.01 * np.random.default_rng(0).standard_normal(t.size)
    return (0.3 * y + noise).astype(dtype)


@pytest.mark.parametrize("dtype, tol", [(np.float32, 1e-4), (np.float64, 1e-6)])
def test_tonnetz_from_audio_equals_librosa(dtype, tol):
    y = _chord(dtype)
    want = librosa.feature.tonnetz(y=y, sr=SR)
    got = ferrosa.feature.tonnetz(y=y, sr=SR)
    assert got.shape == want.shape == (6, want.shape[-1]) and got.dtype == want.dtype
    assert np.max(np.abs(got - want)) <= tol * np.max(np.abs(want))


@pytest.mark.parametrize("n_chroma", [12, 24])
def test_tonnetz_from_chroma_is_librosas(n_chroma):
    rng = np.random.default_rng(n_chroma)
    chroma = np.abs(rng.standard_normal((2, n_chroma, 40)))
    np.testing.assert_allclose(
        ferrosa.feature.tonnetz(chroma=chroma),
        librosa.feature.tonnetz(chroma=chroma),
        rtol=1e-12,
        atol=1e-14,
    )


@pytest.mark.parametrize("order", [0, 1, 2, 3])
def test_poly_features_equals_librosa(order):
    y = _chord(np.float64)
    want = librosa.feature.poly_features(y=y, sr=SR, order=order)
    got = ferrosa.feature.poly_features(y=y, sr=SR, order=order)
    assert got.shape == want.shape == (order + 1, want.shape[-1])
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9 * np.max(np.abs(want)))


def test_poly_features_from_S_with_per_frame_freq_and_channels():
    y = np.stack([_chord(np.float64), _chord(np.float64)[::-1].copy()])
    S = np.abs(librosa.stft(y, n_fft=512))
    freq = np.broadcast_to(librosa.fft_frequencies(sr=SR, n_fft=512)[:, None], S.shape[-2:])
    for kw in ({"S": S}, {"S": S, "freq": np.ascontiguousarray(freq), "order": 2}):
        np.testing.assert_allclose(
            ferrosa.feature.poly_features(sr=SR, **kw),
            librosa.feature.poly_features(sr=SR, **kw),
            rtol=1e-7,
            atol=1e-12,
        )


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: ferrosa.feature.tonnetz(), "chromagram"),
        (lambda: ferrosa.feature.poly_features(), "y or S"),
        (lambda: ferrosa.feature.poly_features(y=_chord(np.float32), order=-1), "order"),
    ],
)
def test_bad_arguments_raise_parameter_error(call, match):
    with pytest.raises(ferrosa.ParameterError, match=match):
        call()
