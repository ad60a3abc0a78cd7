"""ferrosa.feature.stack: one STFT, many features, each equal to its own function."""

from __future__ import annotations

from typing import Any

import ferrosa
import librosa
import numpy as np
import pytest
from conftest import SR, assert_close_to_peak, make_noise, make_tones
from ferrosa import ParameterError

ALL = [
    "mfcc",
    "melspectrogram",
    "chroma_stft",
    "spectral_centroid",
    "spectral_bandwidth",
    "spectral_rolloff",
    "spectral_flatness",
    "spectral_contrast",
    "rms",
    "zero_crossing_rate",
    "amplitude_envelope",
]


def _signal(stereo: bool, dtype: Any) -> np.ndarray:
    y = make_tones(SR, dtype) + 0.05 * make_noise(SR, dtype, seed=1)
    y[5000:9000] = 0
    return np.stack([y, y[::-1].copy()]) if stereo else y


def _single(name: str, y: np.ndarray, stft: dict, opts: dict) -> np.ndarray:
    """The one-feature call the stack must reproduce."""
    if name in ("rms", "amplitude_envelope", "zero_crossing_rate"):
        frame = {"frame_length": stft["n_fft"], "hop_length": stft["hop_length"]}
        frame["center"] = stft.get("center", True)
        if name == "rms":
            return ferrosa.feature.rms(
                y=y, pad_mode=stft.get("pad_mode", "constant"), **frame, **opts
            )
        if name == "amplitude_envelope":
            return ferrosa.feature.amplitude_envelope(
                y, pad_mode=stft.get("pad_mode", "constant"), **frame
            )
        return ferrosa.feature.zero_crossing_rate(y, **frame, **opts)
    kw = dict(stft, **opts)
    if name != "spectral_flatness":
        kw["sr"] = SR
    return getattr(ferrosa.feature, name)(y=y, **kw)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("stereo", [False, True])
@pytest.mark.parametrize(
    ("stft", "opts"),
    [
        ({"n_fft": 2048, "hop_length": 512}, {}),
        (
            {"n_fft": 1024, "hop_length": 256, "window": "hamming", "center": False},
            {
                "mfcc": {"n_mfcc": 13, "n_mels": 64, "lifter": 22},
                "chroma_stft": {"n_chroma": 24, "norm": 2},
                "spectral_rolloff": {"roll_percent": 0.5},
                "spectral_bandwidth": {"p": 1},
                "spectral_contrast": {"n_bands": 4, "linear": True},
                "rms": {"dtype": np.float64},
                "zero_crossing_rate": {"threshold": 0.01, "pad": True},
                "melspectrogram": {"power": 1.0, "n_mels": 40, "fmax": 8000.0},
            },
        ),
    ],
)
def test_stack_equals_single_features(stft: dict, opts: dict, stereo: bool, dtype: Any) -> None:
    y = _signal(stereo, dtype)
    out = ferrosa.feature.stack(y, sr=SR, features=ALL, **stft, **opts)
    assert list(out) == ALL
    for name in ALL:
        want = _single(name, y, stft, opts.get(name, {}))
        got = out[name]
        assert got.dtype == want.dtype and got.shape == want.shape, name
        # Mel kernels may take different (equally exact) float32 FFT paths.
        assert_close_to_peak(got, want, dtype=np.float32 if dtype == np.float32 else np.float64)


def test_default_stack_matches_librosa() -> None:
    y = _signal(False, np.float32)
    out = ferrosa.feature.stack(y, sr=SR)
    assert list(out) == [
        "mfcc",
        "chroma_stft",
        "spectral_centroid",
        "spectral_bandwidth",
        "spectral_rolloff",
        "zero_crossing_rate",
        "rms",
    ]
    ref = {
        "mfcc": librosa.feature.mfcc(y=y, sr=SR),
        "chroma_stft": librosa.feature.chroma_stft(y=y, sr=SR),
        "spectral_centroid": librosa.feature.spectral_centroid(y=y, sr=SR),
        "spectral_bandwidth": librosa.feature.spectral_bandwidth(y=y, sr=SR),
        "spectral_rolloff": librosa.feature.spectral_rolloff(y=y, sr=SR),
        "zero_crossing_rate": librosa.feature.zero_crossing_rate(y),
        "rms": librosa.feature.rms(y=y),
    }
    for name, want in ref.items():
        assert out[name].dtype == want.dtype and out[name].shape == want.shape
        assert_close_to_peak(out[name], want, dtype=np.float32)


def test_aliases_and_key_order() -> None:
    y = _signal(False, np.float32)
    out = ferrosa.feature.stack(y, features=["zcr", "centroid", "chroma"], chroma={"tuning": 0.0})
    assert list(out) == ["zcr", "centroid", "chroma"]
    want = ferrosa.feature.chroma_stft(y=y, tuning=0.0)
    np.testing.assert_array_equal(out["chroma"], want)


@pytest.mark.parametrize(
    ("kwargs", "exc"),
    [
        ({"features": ["nope"]}, ParameterError),
        ({"features": []}, ParameterError),
        ({"features": ["mfcc", "mfcc"]}, ParameterError),
        ({"features": ["centroid", "spectral_centroid"]}, ParameterError),
        ({"features": ["mfcc"], "chroma": {"n_chroma": 12}}, ParameterError),
        ({"features": ["mfcc"], "mfcc": 13}, ParameterError),
        ({"features": ["mfcc"], "mfcc": {"n_mfc": 13}}, TypeError),
        ({"features": ["rolloff"], "rolloff": {"roll_percent": 1.2}}, ParameterError),
        ({"features": ["contrast"], "contrast": {"n_bands": 0}}, ParameterError),
        ({"features": ["mfcc"], "mfcc": {"n_mfcc": 200}}, ParameterError),
        ({"features": ["chroma"], "chroma": {"n_chroma": 0}}, ParameterError),
        ({"features": ["mel"], "mel": {"power": -1}}, ParameterError),
        ({"features": ["mfcc"], "sr": 0}, ParameterError),
        ({"features": ["mfcc"], "n_fft": 0}, ParameterError),
    ],
)
def test_refusals(kwargs: dict, exc: type) -> None:
    with pytest.raises(exc):
        ferrosa.feature.stack(_signal(False, np.float32), **kwargs)


def test_refuses_bad_audio() -> None:
    with pytest.raises(ParameterError):
        ferrosa.feature.stack(np.array([0.0, np.nan] * 2048))
    with pytest.raises(ParameterError):
        ferrosa.feature.stack(np.zeros(0, np.float32))
    with pytest.raises(ParameterError):
        ferrosa.feature.stack(np.zeros(100, np.float32), n_fft=2048, center=False)
