"""Spectral centroid, bandwidth and roll-off with a per-frame frequency grid.

librosa accepts ``freq`` of shape ``(..., d, t)`` (a frequency for every bin
of every frame, e.g. reassigned or instantaneous frequencies); the Rust
kernels take one frequency per bin, so this case is computed here with numpy
on the magnitude spectrogram, by the same formulas.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.spectrum import stft
from ..exceptions import ParameterError
from ..util.normalize import normalize

__all__ = ["magnitude", "per_frame_bandwidth", "per_frame_centroid", "per_frame_rolloff"]


def magnitude(
    y: Any,
    S: Any,
    *,
    n_fft: int,
    hop_length: int,
    win_length: Any,
    window: Any,
    center: bool,
    pad_mode: str,
) -> np.ndarray:
    """``S``, or ``|stft(y)|`` when ``S`` is None; refuses negative values."""
    if S is None:
        if y is None:
            raise ParameterError("Input signal y or spectrogram S must be provided")
        S = np.abs(
            stft(
                y,
                n_fft=n_fft,
                hop_length=hop_length,
                win_length=win_length,
                window=window,
                center=center,
                pad_mode=pad_mode,
            )
        )
    S = np.asarray(S)
    if not np.isrealobj(S):
        raise ParameterError("Spectral features are only defined with real-valued input")
    if np.any(S < 0):
        raise ParameterError("Spectral features are only defined with non-negative energies")
    return S


def _grid(freq: Any, S: np.ndarray) -> np.ndarray:
    f = np.asarray(freq, dtype=np.float64)
    try:
        np.broadcast_shapes(f.shape, S.shape)
    except ValueError as err:
        raise ParameterError(
            f"freq.shape={f.shape} does not broadcast against the spectrogram {S.shape}"
        ) from err
    return f


def per_frame_centroid(S: np.ndarray, freq: Any) -> np.ndarray:
    """``sum_k freq[k, t] * S[k, t] / sum_k S[k, t]``, shape (..., 1, t)."""
    f = _grid(freq, S)
    out: np.ndarray = np.sum(f * normalize(S, norm=1, axis=-2), axis=-2, keepdims=True)
    return out


def per_frame_bandwidth(
    S: np.ndarray, freq: Any, centroid: Any, norm: bool, p: float
) -> np.ndarray:
    """``(sum_k S[k, t] |freq[k, t] - centroid[t]|**p) ** (1/p)``, shape (..., 1, t)."""
    f = _grid(freq, S)
    if centroid is None:
        centroid = per_frame_centroid(S, f)
    deviation = np.abs(f - np.asarray(centroid))
    if norm:
        S = normalize(S, norm=1, axis=-2)
    out: np.ndarray = np.sum(S * deviation**p, axis=-2, keepdims=True) ** (1.0 / p)
    return out


def per_frame_rolloff(S: np.ndarray, freq: Any, roll_percent: float) -> np.ndarray:
    """Lowest ``freq[k, t]`` whose cumulative energy reaches ``roll_percent``, shape (..., 1, t)."""
    f = _grid(freq, S)
    total = np.cumsum(S, axis=-2)
    threshold = np.expand_dims(roll_percent * total[..., -1, :], axis=-2)
    reached = np.where(total < threshold, np.nan, 1)
    out: np.ndarray = np.nanmin(reached * f, axis=-2, keepdims=True)
    return out
