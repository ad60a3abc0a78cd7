"""Benchmark cases for time-domain and spectral descriptors, chroma and the
fused feature stack. See ``bench_features.py`` for the format.

Targets (30 s clip, single-threaded, against librosa in the same run):
zero_crossing_rate >= 20x, rms >= 3x, centroid/bandwidth/rolloff >= 5x,
chroma_stft with its default tuning estimation >= 6x, and the stack of
MFCC + chroma + centroid + bandwidth + rolloff + ZCR + RMS >= 6x the sum of
librosa's separate calls.
"""

from __future__ import annotations

from typing import Any

import ferrosa
import librosa
import numpy as np

STFT: dict[str, Any] = {"n_fft": 2048, "hop_length": 512}
FRAMES: dict[str, Any] = {"frame_length": 2048, "hop_length": 512}
STACKED = (
    "mfcc",
    "chroma_stft",
    "spectral_centroid",
    "spectral_bandwidth",
    "spectral_rolloff",
    "zero_crossing_rate",
    "rms",
)


def _stack_ferrosa(y: np.ndarray, sr: float) -> tuple[np.ndarray, ...]:
    out = ferrosa.feature.stack(y, sr=sr, features=STACKED, **STFT)
    return tuple(out[name] for name in STACKED)


def _stack_librosa(y: np.ndarray, sr: float) -> tuple[np.ndarray, ...]:
    return (
        librosa.feature.mfcc(y=y, sr=sr, **STFT),
        librosa.feature.chroma_stft(y=y, sr=sr, **STFT),
        librosa.feature.spectral_centroid(y=y, sr=sr, **STFT),
        librosa.feature.spectral_bandwidth(y=y, sr=sr, **STFT),
        librosa.feature.spectral_rolloff(y=y, sr=sr, **STFT),
        librosa.feature.zero_crossing_rate(y, **FRAMES),
        librosa.feature.rms(y=y, **FRAMES),
    )


def _magnitude(y: np.ndarray, sr: float) -> tuple[np.ndarray, float]:
    return np.abs(librosa.stft(y, **STFT)), sr


CASES = [
    {
        "name": "zero_crossing_rate",
        "requires": "feature.zero_crossing_rate",
        "ferrosa": lambda y, sr: ferrosa.feature.zero_crossing_rate(y, **FRAMES),
        "reference": lambda y, sr: librosa.feature.zero_crossing_rate(y, **FRAMES),
    },
    {
        "name": "zero_crossings",
        "requires": "zero_crossings",
        "ferrosa": lambda y, sr: ferrosa.zero_crossings(y).view(np.uint8),
        "reference": lambda y, sr: librosa.zero_crossings(y).view(np.uint8),
    },
    {
        "name": "rms",
        "requires": "feature.rms",
        "ferrosa": lambda y, sr: ferrosa.feature.rms(y=y, **FRAMES),
        "reference": lambda y, sr: librosa.feature.rms(y=y, **FRAMES),
    },
    {
        "name": "amplitude_envelope",
        "requires": "feature.amplitude_envelope",
        "ferrosa": lambda y, sr: ferrosa.feature.amplitude_envelope(y, **FRAMES),
        # librosa has none: the same frames, reduced by numpy.
        "reference": lambda y, sr: np.abs(
            librosa.util.frame(np.pad(y, 1024), frame_length=2048, hop_length=512)
        ).max(axis=-2, keepdims=True),
    },
    {
        "name": "spectral_centroid",
        "requires": "feature.spectral_centroid",
        "ferrosa": lambda y, sr: ferrosa.feature.spectral_centroid(y=y, sr=sr, **STFT),
        "reference": lambda y, sr: librosa.feature.spectral_centroid(y=y, sr=sr, **STFT),
    },
    {
        "name": "spectral_bandwidth",
        "requires": "feature.spectral_bandwidth",
        "ferrosa": lambda y, sr: ferrosa.feature.spectral_bandwidth(y=y, sr=sr, **STFT),
        "reference": lambda y, sr: librosa.feature.spectral_bandwidth(y=y, sr=sr, **STFT),
    },
    {
        "name": "spectral_rolloff",
        "requires": "feature.spectral_rolloff",
        "ferrosa": lambda y, sr: ferrosa.feature.spectral_rolloff(y=y, sr=sr, **STFT),
        "reference": lambda y, sr: librosa.feature.spectral_rolloff(y=y, sr=sr, **STFT),
    },
    {
        "name": "spectral_flatness",
        "requires": "feature.spectral_flatness",
        "ferrosa": lambda y, sr: ferrosa.feature.spectral_flatness(y=y, **STFT),
        "reference": lambda y, sr: librosa.feature.spectral_flatness(y=y, **STFT),
    },
    {
        "name": "spectral_contrast",
        "requires": "feature.spectral_contrast",
        "ferrosa": lambda y, sr: ferrosa.feature.spectral_contrast(y=y, sr=sr, **STFT),
        "reference": lambda y, sr: librosa.feature.spectral_contrast(y=y, sr=sr, **STFT),
    },
    {
        "name": "spectral_centroid-from-S",
        "requires": "feature.spectral_centroid",
        "prepare": _magnitude,
        "ferrosa": lambda S, sr: ferrosa.feature.spectral_centroid(S=S, sr=sr),
        "reference": lambda S, sr: librosa.feature.spectral_centroid(S=S, sr=sr),
    },
    {
        "name": "chroma_stft",
        "requires": "feature.chroma_stft",
        "ferrosa": lambda y, sr: ferrosa.feature.chroma_stft(y=y, sr=sr, **STFT),
        "reference": lambda y, sr: librosa.feature.chroma_stft(y=y, sr=sr, **STFT),
    },
    {
        "name": "estimate_tuning",
        "requires": "estimate_tuning",
        "ferrosa": lambda y, sr: np.atleast_1d(ferrosa.estimate_tuning(y=y, sr=sr)),
        "reference": lambda y, sr: np.atleast_1d(librosa.estimate_tuning(y=y, sr=sr)),
    },
    {
        "name": "stack-7 (vs sum of librosa calls)",
        "requires": "feature.stack",
        "ferrosa": _stack_ferrosa,
        "reference": _stack_librosa,
    },
]
