"""Effects on whole signals, as in ``librosa.effects``: trimming and splitting on
silence, pre-emphasis and de-emphasis."""

from .preemphasis import deemphasis, preemphasis
from .trim import split, trim

__all__ = ["deemphasis", "preemphasis", "split", "trim"]
