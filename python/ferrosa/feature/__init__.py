"""Feature extraction, as in ``librosa.feature``."""

from .scalogram import scalogram, scalogram_frequencies

__all__: list[str] = ["scalogram", "scalogram_frequencies"]
