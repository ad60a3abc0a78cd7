"""Tonal centroids and polynomial spectral fits (librosa.feature.tonnetz, poly_features)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.convert import fft_frequencies
from ..core.spectrum import stft
from ..exceptions import ParameterError
from ..util.normalize import normalize
from ..util.validation import check_nonneg_int
from .chroma_cqt import chroma_cqt

__all__ = ["poly_features", "tonnetz"]


def tonnetz(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    chroma: np.ndarray | None = None,
    **kwargs: Any,
) -> np.ndarray:
    """Tonal centroid features (Harte et al., 2006), as librosa.feature.tonnetz.

    Each frame's L1-normalised chroma is projected onto three circles: fifths,
    minor thirds and major thirds (x and y coordinates of each).

    Parameters
    ----------
    y : np.ndarray, shape (..., n), optional
        Audio; its chroma is :func:`ferrosa.feature.chroma_cqt` with ``kwargs``.
    sr : float > 0
    chroma : np.ndarray, shape (..., n_chroma, n_frames), optional
        A precomputed chromagram.

    Returns
    -------
    np.ndarray, shape (..., 6, n_frames)
        Rows: fifth x/y, minor third x/y, major third x/y.
    """
    if y is None and chroma is None:
        raise ParameterError(
            "Either the audio samples or the chromagram must be passed as an argument."
        )
    if chroma is None:
        chroma = chroma_cqt(y=y, sr=sr, **kwargs)
    chroma = np.asarray(chroma)
    dim_map = np.linspace(0, 12, num=chroma.shape[-2], endpoint=False)
    scale = np.asarray([7.0 / 6, 7.0 / 6, 3.0 / 2, 3.0 / 2, 2.0 / 3, 2.0 / 3])
    V = np.multiply.outer(scale, dim_map)
    V[::2] -= 0.5
    radius = np.array([1, 1, 1, 1, 0.5, 0.5])
    phi = radius[:, None] * np.cos(np.pi * V)
    out: np.ndarray = np.einsum(
        "pc,...ci->...pi", phi, normalize(chroma, norm=1, axis=-2), optimize=True
    )
    return out


def poly_features(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    S: np.ndarray | None = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    order: int = 1,
    freq: np.ndarray | None = None,
) -> np.ndarray:
    """Coefficients of an ``order``-degree polynomial fitted to each frame's spectrum.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), optional
    sr : float > 0
    S : np.ndarray, shape (..., n_bins, n_frames), optional
        Magnitude spectrogram (else ``|stft(y)|``).
    n_fft, hop_length, win_length, window, center, pad_mode
        STFT arguments.
    order : int >= 0
    freq : np.ndarray, shape (n_bins,) or like ``S``, optional
        Bin frequencies (default: the FFT bins' centres).

    Returns
    -------
    np.ndarray, shape (..., order + 1, n_frames)
        Highest power first, as ``np.polyfit`` returns them.
    """
    order = check_nonneg_int("order", order)
    if S is None:
        if y is None:
            raise ParameterError("Either y or S must be provided")
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
    else:
        S = np.asarray(S)
        n_fft = 2 * (S.shape[-2] - 1)
    if freq is None:
        freq = fft_frequencies(sr=sr, n_fft=n_fft)
    freq = np.asarray(freq)
    lead = S.shape[:-2]
    flat = S.reshape((-1,) + S.shape[-2:])
    if freq.ndim == 1:
        parts = [np.polyfit(freq, m, order) for m in flat]
    else:
        fflat = np.broadcast_to(freq, S.shape).reshape(flat.shape)
        parts = [
            np.stack([np.polyfit(f[:, t], m[:, t], order) for t in range(m.shape[-1])], axis=-1)
            for f, m in zip(fflat, flat, strict=True)
        ]
    coefficients = np.stack(parts).reshape(lead + (order + 1, S.shape[-1]))
    return coefficients
