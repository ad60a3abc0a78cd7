"""Harmonic-percussive separation of spectrograms (librosa.decompose.hpss).

Fitzgerald's median filtering: a median across time keeps what is steady
in pitch (harmonic), a median across frequency what is broadband and short
(percussive); soft (Wiener-like) masks from the two split the spectrogram.
The two median filters run in Rust (``scipy.ndimage.median_filter`` with
``mode="reflect"`` gives the same values); the masks follow librosa.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from .core.spectrum import magphase
from .exceptions import ParameterError
from .util.masks import softmask
from .util.validation import check_positive_int

__all__ = ["hpss", "median_filter"]


def _pair(name: str, value: Any) -> tuple[Any, Any]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ParameterError(f"{name}={value!r} must be a number or a pair")
        return value[0], value[1]
    return value, value


def median_filter(S: np.ndarray, size: int, axis: int) -> np.ndarray:
    """Median of ``size`` neighbours along ``axis`` (-1 or -2), mirrored at the edges.

    Parameters
    ----------
    S : np.ndarray, shape (..., n_bins, n_frames), real, finite
    size : int > 0
    axis : {-1, -2}

    Returns
    -------
    np.ndarray, shape and float dtype of ``S``
        ``scipy.ndimage.median_filter`` with a ``size``-long footprint along
        ``axis`` and ``mode="reflect"``.
    """
    S = np.asarray(S)
    if S.ndim < 2:
        raise ParameterError(f"S must be at least 2-D, got shape={S.shape}")
    if not np.issubdtype(S.dtype, np.floating):
        S = S.astype(np.float64)
    flat = np.ascontiguousarray(S.reshape((-1,) + S.shape[-2:]))
    out: np.ndarray = _core.median_filter_axis(flat, check_positive_int("kernel_size", size), axis)
    return out.reshape(S.shape)


def hpss(
    S: np.ndarray,
    *,
    kernel_size: int | tuple[int, int] | list[int] = 31,
    power: float = 2.0,
    mask: bool = False,
    margin: float | tuple[float, float] | list[float] = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Split a spectrogram into harmonic and percussive parts (librosa.decompose.hpss).

    Parameters
    ----------
    S : np.ndarray, shape (..., n_bins, n_frames), real magnitudes or complex STFT
        A complex input is split by magnitude and the phase put back.
    kernel_size : int or (int, int)
        Median window across time (harmonic) and across frequency (percussive).
    power : float > 0 or np.inf
        Exponent of the soft masks (``inf``: hard masks).
    mask : bool
        Return the masks instead of the masked spectrograms.
    margin : float >= 1 or (float, float)
        Separation margins (harmonic, percussive); above 1 a residual is
        left out of both.

    Returns
    -------
    harmonic, percussive : np.ndarray, shape of ``S``
        Masked spectrograms (``S``'s dtype), or the masks when ``mask=True``.

    Raises
    ------
    ParameterError
        A margin below 1, a kernel size below 1, non-finite ``S``, or a bad ``power``.
    """
    S = np.asarray(S)
    phase: Any = 1
    if np.iscomplexobj(S):
        S, phase = magphase(S)
    win_harm, win_perc = _pair("kernel_size", kernel_size)
    margin_harm, margin_perc = _pair("margin", margin)
    if margin_harm < 1 or margin_perc < 1:
        raise ParameterError("Margins must be >= 1.0. A typical range is between 1 and 10.")
    harm = np.empty_like(S)
    harm[:] = median_filter(S, check_positive_int("kernel_size", win_harm), -1)
    perc = np.empty_like(S)
    perc[:] = median_filter(S, check_positive_int("kernel_size", win_perc), -2)
    split_zeros = margin_harm == 1 and margin_perc == 1
    mask_harm = softmask(harm, perc * margin_harm, power=power, split_zeros=split_zeros)
    mask_perc = softmask(perc, harm * margin_perc, power=power, split_zeros=split_zeros)
    if mask:
        return mask_harm, mask_perc
    return (S * mask_harm) * phase, (S * mask_perc) * phase
