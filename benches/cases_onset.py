"""Benchmark cases for onset detection. See ``bench_features.py`` for the format.

- ``onset_strength``: spectral flux of the dB mel spectrogram, against librosa.
- ``onset_detect``: envelope plus peak picking (librosa's picker is numba,
  ferrosa's is Rust); the same onsets.
- ``peak_pick``: the picker alone on a 30 s envelope, librosa's defaults
  at 22050 Hz / hop 512.
- ``beat_track``: onset envelope, tempo and the DP tracker (numba in
  librosa, Rust here); the same tempo and beats.
- ``tempogram``: the autocorrelation tempogram of a precomputed envelope.
"""

from __future__ import annotations

import ferrosa
import librosa
import numpy as np

PICK = {"pre_max": 1, "post_max": 1, "pre_avg": 4, "post_avg": 5, "delta": 0.07, "wait": 1}


def _envelope(y: np.ndarray, sr: float) -> tuple[np.ndarray]:
    env = librosa.onset.onset_strength(y=y, sr=sr)
    return ((env - env.min()) / (env.max() - env.min() + 1e-12),)


CASES = [
    {
        "name": "onset_strength",
        "lengths": (3, 30),
        "requires": "onset.onset_strength",
        "ferrosa": lambda y, sr: ferrosa.onset.onset_strength(y=y, sr=sr),
        "reference": lambda y, sr: librosa.onset.onset_strength(y=y, sr=sr),
    },
    {
        "name": "onset_detect",
        "lengths": (3, 30),
        "requires": "onset.onset_detect",
        "ferrosa": lambda y, sr: ferrosa.onset.onset_detect(y=y, sr=sr, units="frames"),
        "reference": lambda y, sr: librosa.onset.onset_detect(y=y, sr=sr, units="frames"),
    },
    {
        "name": "beat_track",
        "lengths": (3, 30),
        "requires": "beat.beat_track",
        "ferrosa": lambda y, sr: ferrosa.beat.beat_track(y=y, sr=sr)[1],
        "reference": lambda y, sr: librosa.beat.beat_track(y=y, sr=sr)[1],
    },
    {
        "name": "tempogram",
        "lengths": (30,),
        "requires": "feature.tempogram",
        "prepare": _envelope,
        "ferrosa": lambda env: ferrosa.feature.tempogram(onset_envelope=env),
        "reference": lambda env: librosa.feature.tempogram(onset_envelope=env),
    },
    {
        "name": "peak_pick",
        "lengths": (30,),
        "requires": "util.peak_pick",
        "prepare": _envelope,
        "ferrosa": lambda env: ferrosa.util.peak_pick(env, **PICK),
        "reference": lambda env: librosa.util.peak_pick(env, **PICK),
    },
]
