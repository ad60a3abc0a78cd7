"""Feature extraction, as in ``librosa.feature``."""

from . import inverse
from .chroma import chroma_stft
from .chroma_cqt import chroma_cens, chroma_cqt
from .descriptors import (
    amplitude_envelope,
    rms,
    spectral_bandwidth,
    spectral_centroid,
    spectral_contrast,
    spectral_flatness,
    spectral_rolloff,
    zero_crossing_rate,
)
from .rhythm import tempo, tempogram
from .scalogram import scalogram, scalogram_frequencies
from .spectral import melspectrogram, mfcc
from .stack import stack
from .tonal import poly_features, tonnetz
from .utils import delta

__all__ = [
    "amplitude_envelope",
    "chroma_cens",
    "chroma_cqt",
    "chroma_stft",
    "delta",
    "inverse",
    "melspectrogram",
    "mfcc",
    "poly_features",
    "rms",
    "scalogram",
    "scalogram_frequencies",
    "spectral_bandwidth",
    "spectral_centroid",
    "spectral_contrast",
    "spectral_flatness",
    "spectral_rolloff",
    "stack",
    "tempo",
    "tempogram",
    "tonnetz",
    "zero_crossing_rate",
]
