"""Feature extraction, as in ``librosa.feature``."""

from .scalogram import scalogram, scalogram_frequencies
from .spectral import melspectrogram, mfcc
from .utils import delta

__all__: list[str] = ["delta", "melspectrogram", "mfcc", "scalogram", "scalogram_frequencies"]

from .chroma import chroma_stft  # noqa: E402
from .descriptors import (  # noqa: E402
    amplitude_envelope,
    rms,
    spectral_bandwidth,
    spectral_centroid,
    spectral_contrast,
    spectral_flatness,
    spectral_rolloff,
    zero_crossing_rate,
)
from .stack import stack  # noqa: E402

__all__ += [
    "amplitude_envelope",
    "chroma_stft",
    "rms",
    "spectral_bandwidth",
    "spectral_centroid",
    "spectral_contrast",
    "spectral_flatness",
    "spectral_rolloff",
    "stack",
    "zero_crossing_rate",
]

from .chroma_cqt import chroma_cens, chroma_cqt  # noqa: E402

__all__ += ["chroma_cens", "chroma_cqt"]
