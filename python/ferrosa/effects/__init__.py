"""Effects on whole signals, as in ``librosa.effects``: trimming and splitting on
silence, pre-emphasis and de-emphasis, spectral-gating noise reduction."""

from .noise import reduce_noise
from .preemphasis import deemphasis, preemphasis
from .trim import split, trim

__all__ = ["deemphasis", "preemphasis", "reduce_noise", "split", "trim"]
