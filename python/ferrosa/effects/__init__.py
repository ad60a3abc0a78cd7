"""Effects on whole signals, as in ``librosa.effects``: trimming and splitting on
silence, pre-emphasis and de-emphasis, harmonic-percussive separation, time
stretching and pitch shifting, spectral-gating noise reduction."""

from .hpss import harmonic, hpss, percussive
from .noise import reduce_noise
from .preemphasis import deemphasis, preemphasis
from .stretch import pitch_shift, time_stretch
from .trim import split, trim

__all__ = [
    "deemphasis",
    "harmonic",
    "hpss",
    "percussive",
    "pitch_shift",
    "preemphasis",
    "reduce_noise",
    "split",
    "time_stretch",
    "trim",
]
