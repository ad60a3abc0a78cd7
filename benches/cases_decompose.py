"""Benchmark cases for harmonic-percussive separation. See ``bench_features.py``.

- ``hpss``: ``decompose.hpss`` of a magnitude spectrogram (librosa's median
  filters are scipy.ndimage's; ferrosa's are Rust). Bit-identical output.
- ``effects-hpss``: the audio route, STFT -> hpss -> two inverse STFTs.
- ``time_stretch`` (rate 1.2), ``pitch_shift`` (2 steps): STFT, the phase
  vocoder (Rust here, a Python loop over frames in librosa), inverse STFT
  (and soxr for the shift). float32 phases differ from librosa's float32
  accumulation (see ``ferrosa.core.vocoder``), so the error column is large.
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

CASES += [
    {
        "name": "time_stretch",
        "lengths": (3, 30),
        "requires": "effects.time_stretch",
        "ferrosa": lambda y, sr: ferrosa.effects.time_stretch(y, rate=1.2),
        "reference": lambda y, sr: librosa.effects.time_stretch(y, rate=1.2),
    },
    {
        "name": "pitch_shift",
        "lengths": (3, 30),
        "requires": "effects.pitch_shift",
        "ferrosa": lambda y, sr: ferrosa.effects.pitch_shift(y, sr=sr, n_steps=2),
        "reference": lambda y, sr: librosa.effects.pitch_shift(y, sr=sr, n_steps=2),
    },
]
