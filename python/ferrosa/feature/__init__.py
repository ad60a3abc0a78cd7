"""Feature extraction, as in ``librosa.feature``."""

from .scalogram import scalogram, scalogram_frequencies
from .spectral import melspectrogram, mfcc
from .utils import delta

__all__: list[str] = ["delta", "melspectrogram", "mfcc", "scalogram", "scalogram_frequencies"]
