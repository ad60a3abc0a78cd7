"""The features ``ferrosa plot`` and :mod:`ferrosa.display` draw, by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..exceptions import ParameterError

__all__ = ["KINDS", "Feature", "compute_feature"]

#: Feature kinds, in the order ``ferrosa plot --kind`` lists them.
KINDS = ("wave", "spec", "mel", "mfcc", "chroma", "cwt")


@dataclass
class Feature:
    """A computed feature and what its axes mean."""

    kind: str
    data: np.ndarray
    sr: float
    hop_length: int
    #: :func:`ferrosa.display.specshow` y_axis name
    y_axis: str | None
    #: colourbar label
    label: str
    #: row frequencies in Hz where rows are geometric (cwt)
    freqs: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def compute_feature(
    y: np.ndarray,
    sr: float,
    kind: str,
    *,
    hop_length: int = 512,
    n_fft: int = 2048,
    n_mels: int = 128,
    n_mfcc: int = 20,
    wavelet: str = "cmor1.5-1.0",
    n_bins: int = 128,
) -> Feature:
    """Compute the feature ``kind`` of mono audio ``y``.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
    sr : float > 0
    kind : {"wave", "spec", "mel", "mfcc", "chroma", "cwt"}
        Waveform; STFT magnitude in dB; log-power mel spectrogram (dB); MFCC;
        constant-Q chroma; complex-Morlet scalogram magnitude in dB.
    hop_length, n_fft, n_mels, n_mfcc : int
    wavelet : str
        CWT wavelet (``mexh`` is the Ricker of the scalogram-CNN tutorial).
    n_bins : int
        Scalogram rows.

    Returns
    -------
    Feature
    """
    from .. import feature as F
    from ..core.spectrum import amplitude_to_db, power_to_db, stft

    if kind not in KINDS:
        raise ParameterError(f"kind={kind!r} must be one of {', '.join(KINDS)}")
    y = np.asarray(y)
    if y.ndim != 1:
        raise ParameterError(f"compute_feature expects mono audio, got shape {y.shape}")
    if kind == "wave":
        return Feature(kind, y, sr, 1, None, "amplitude")
    if kind == "spec":
        S = amplitude_to_db(np.abs(stft(y, n_fft=n_fft, hop_length=hop_length)), ref=np.max)
        return Feature(kind, S, sr, hop_length, "log", "dB")
    if kind == "mel":
        M = F.melspectrogram(y=y, sr=sr, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels)
        return Feature(kind, power_to_db(M, ref=np.max), sr, hop_length, "mel", "dB")
    if kind == "mfcc":
        C = F.mfcc(y=y, sr=sr, n_mfcc=n_mfcc, n_fft=n_fft, hop_length=hop_length)
        return Feature(kind, C, sr, hop_length, "mfcc", "coefficient")
    if kind == "chroma":
        ch = F.chroma_cqt(y=y, sr=sr, hop_length=hop_length)
        return Feature(kind, ch, sr, hop_length, "chroma", "relative energy")
    freqs = F.scalogram_frequencies(sr=sr, n_bins=n_bins)
    S = F.scalogram(y, sr=sr, wavelet=wavelet, n_bins=n_bins, hop_length=hop_length, db=True)
    return Feature(kind, S, sr, hop_length, "cwt", "dB", freqs=freqs, extra={"wavelet": wavelet})
