"""Benchmark cases for the spectral core: STFT, ISTFT, dB, mel and MFCC.

Parameters are the common ones for music features: n_fft 2048, hop 512,
128 mel bands, 13 and 20 MFCCs. See ``bench_features.py`` for the format.
"""

from __future__ import annotations

from typing import Any

import ferrosa
import librosa
import numpy as np

STFT: dict[str, Any] = {"n_fft": 2048, "hop_length": 512}
MEL: dict[str, Any] = {**STFT, "n_mels": 128}


def _power_spec(y: np.ndarray, sr: float) -> tuple[np.ndarray]:
    return (np.abs(librosa.stft(y, **STFT)) ** 2,)


def _complex_spec(y: np.ndarray, sr: float) -> tuple[np.ndarray, int]:
    return librosa.stft(y, **STFT), len(y)


CASES = [
    {
        "name": "stft",
        "ferrosa": lambda y, sr: ferrosa.stft(y, **STFT),
        "reference": lambda y, sr: librosa.stft(y, **STFT),
    },
    {
        "name": "istft",
        "prepare": _complex_spec,
        "ferrosa": lambda D, n: ferrosa.istft(D, hop_length=512, length=n),
        "reference": lambda D, n: librosa.istft(D, hop_length=512, length=n),
    },
    {
        "name": "power_to_db",
        "prepare": _power_spec,
        "ferrosa": lambda S: ferrosa.power_to_db(S, ref=np.max),
        "reference": lambda S: librosa.power_to_db(S, ref=np.max),
    },
    {
        "name": "melspectrogram-128",
        "requires": "feature.melspectrogram",
        "ferrosa": lambda y, sr: ferrosa.feature.melspectrogram(y=y, sr=sr, **MEL),
        "reference": lambda y, sr: librosa.feature.melspectrogram(y=y, sr=sr, **MEL),
    },
    {
        "name": "mfcc-13",
        "requires": "feature.mfcc",
        "ferrosa": lambda y, sr: ferrosa.feature.mfcc(y=y, sr=sr, n_mfcc=13, **MEL),
        "reference": lambda y, sr: librosa.feature.mfcc(y=y, sr=sr, n_mfcc=13, **MEL),
    },
    {
        "name": "mfcc-20",
        "requires": "feature.mfcc",
        "ferrosa": lambda y, sr: ferrosa.feature.mfcc(y=y, sr=sr, n_mfcc=20, **MEL),
        "reference": lambda y, sr: librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20, **MEL),
    },
]
