"""Benchmark cases for harmonic-percussive separation. See ``bench_features.py``.

- ``hpss``: ``decompose.hpss`` of a magnitude spectrogram (librosa's median
  filters are scipy.ndimage's; ferrosa's are Rust). Bit-identical output.
- ``effects-hpss``: the audio route, STFT -> hpss -> two inverse STFTs.
"""

from __future__ import annotations

import ferrosa
import librosa
import numpy as np


def _magnitude(y: np.ndarray, sr: float) -> tuple[np.ndarray]:
    return (np.abs(librosa.stft(y)),)


CASES = [
    {
        "name": "hpss",
        "lengths": (3, 30),
        "requires": "decompose.hpss",
        "prepare": _magnitude,
        "ferrosa": lambda S: ferrosa.decompose.hpss(S),
        "reference": lambda S: librosa.decompose.hpss(S),
    },
    {
        "name": "effects-hpss",
        "lengths": (3, 30),
        "requires": "effects.hpss",
        "ferrosa": lambda y, sr: ferrosa.effects.hpss(y),
        "reference": lambda y, sr: librosa.effects.hpss(y),
    },
]
