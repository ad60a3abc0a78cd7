"""Effects on whole signals, as in ``librosa.effects``: trimming and splitting on
silence, pre-emphasis and de-emphasis, harmonic-percussive separation,
spectral-gating noise reduction."""

from .hpss import harmonic, hpss, percussive
from .noise import reduce_noise
from .preemphasis import deemphasis, preemphasis
from .trim import split, trim

__all__ = [
    "deemphasis",
    "harmonic",
    "hpss",
    "percussive",
    "preemphasis",
    "reduce_noise",
    "split",
    "trim",
]
