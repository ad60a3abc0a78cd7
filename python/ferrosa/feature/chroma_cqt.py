"""Constant-Q chroma and CENS (librosa.feature.chroma_cqt / chroma_cens).

Both fold a magnitude CQT (:func:`ferrosa.cqt`, 36 bins per octave by
default) onto pitch classes with :func:`ferrosa.filters.cq_to_chroma`, then
follow librosa 0.11's post-processing exactly (threshold, per-frame norm;
CENS: L1 norm, 4-step quantisation, Hann smoothing over time, L2 norm).
Given the same ``C`` they return librosa's values; computed from audio they
inherit the CQT's tolerance (see :mod:`ferrosa.core.constantq`). CENS
quantises, so a chroma value within ~1e-3 of a step (0.05, 0.1, 0.2, 0.4) can
land on the other side of it; such frames differ by one quantisation step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from ..core.constantq import cq_to_chroma, cqt
from ..exceptions import ParameterError
from ..util.validation import check_positive_int

__all__ = ["chroma_cens", "chroma_cqt"]


def _normalize(S: np.ndarray, norm: float | None, axis: int) -> np.ndarray:
    """librosa.util.normalize with threshold=tiny(S), fill=None."""
    if norm is None:
        return S
    if not np.all(np.isfinite(S)):
        raise ParameterError("Input must be finite")
    mag = np.abs(S).astype(float)
    if norm == np.inf:
        length = np.max(mag, axis=axis, keepdims=True)
    elif norm == -np.inf:
        length = np.min(mag, axis=axis, keepdims=True)
    elif norm > 0:
        length = np.sum(mag**norm, axis=axis, keepdims=True) ** (1.0 / norm)
    else:
        raise ParameterError(f"Unsupported norm: {norm!r}")
    length[length < np.finfo(S.dtype).tiny] = 1.0
    out = np.empty_like(S)
    out[:] = S / length
    return out


def chroma_cqt(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    C: np.ndarray | None = None,
    hop_length: int = 512,
    fmin: float | None = None,
    norm: float | None = np.inf,
    threshold: float | None = 0.0,
    tuning: float | None = None,
    n_chroma: int = 12,
    n_octaves: int = 7,
    window: np.ndarray | None = None,
    bins_per_octave: int | None = 36,
    cqt_mode: str = "full",
) -> np.ndarray:
    """Chromagram from a constant-Q transform.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), optional
        Audio (used when ``C`` is not given).
    sr : float > 0
    C : np.ndarray, shape (..., n_bins, n_frames), optional
        A precomputed CQT (magnitudes are taken).
    hop_length : int > 0
    fmin : float > 0, default C1
    norm : float, inf or None
        Column normalisation of the chromagram.
    threshold : float or None
        Values below it become 0 before normalising.
    tuning : float or None
        In fractions of a CQT bin; None estimates it from ``y``.
    n_chroma : int > 0
    n_octaves : int > 0
    window : np.ndarray, optional
        Smoothing window for the CQT-to-chroma matrix.
    bins_per_octave : int > 0, a multiple of ``n_chroma`` (None: ``n_chroma``)
    cqt_mode : {"full"}
        librosa's "hybrid" mode is not implemented.

    Returns
    -------
    np.ndarray, shape (..., n_chroma, n_frames)
        float32 for float32 input (complex64 CQT), else float64.
    """
    if cqt_mode != "full":
        raise ParameterError(f"cqt_mode={cqt_mode!r} is not supported; use 'full'")
    n_chroma = check_positive_int("n_chroma", n_chroma)
    if bins_per_octave is None:
        bins_per_octave = n_chroma
    bins_per_octave = check_positive_int("bins_per_octave", bins_per_octave)
    if bins_per_octave % n_chroma != 0:
        raise ParameterError(
            f"bins_per_octave={bins_per_octave} must be an integer multiple of n_chroma={n_chroma}"
        )
    if C is None:
        if y is None:
            raise ParameterError("Either y or C must be provided")
        n_octaves = check_positive_int("n_octaves", n_octaves)
        C = np.abs(
            cqt(
                y,
                sr=sr,
                hop_length=hop_length,
                fmin=fmin,
                n_bins=n_octaves * bins_per_octave,
                bins_per_octave=bins_per_octave,
                tuning=tuning,
            )
        )
    else:
        C = np.abs(np.asarray(C))
        if C.ndim < 2:
            raise ParameterError(f"C must be at least 2-D (bins, frames), got shape {C.shape}")
    cq_to_chr = cq_to_chroma(
        C.shape[-2], bins_per_octave=bins_per_octave, n_chroma=n_chroma, fmin=fmin, window=window
    )
    chroma = _fold(cq_to_chr, C)
    if chroma is None:
        chroma = _project(cq_to_chr, C)
    if threshold is not None:
        chroma[chroma < threshold] = 0.0
    return _normalize(chroma, norm, axis=-2)


def _fold(matrix: np.ndarray, C: np.ndarray) -> np.ndarray | None:
    """:func:`_project` for a 0/1 matrix sending every CQT bin to one chroma,
    each chroma receiving equally many (as ``cq_to_chroma`` without a
    window builds it): a gather of each chroma's rows and a float64 sum over
    them, about 5x faster than the dense product. None when not applicable.
    """
    dtype = np.result_type(matrix.dtype, C.dtype)
    if dtype not in (np.float32, np.float64) or C.shape[-1] == 0:
        return None
    n_chroma, n_input = matrix.shape
    if not (np.all((matrix == 0) | (matrix == 1)) and np.all(matrix.sum(axis=0) == 1)):
        return None
    target = np.argmax(matrix, axis=0)
    per = n_input // n_chroma
    if not np.all(np.bincount(target, minlength=n_chroma) == per):
        return None
    rows = np.argsort(target, kind="stable")
    parts = C[..., rows, :].reshape(C.shape[:-2] + (n_chroma, per, C.shape[-1]))
    out: np.ndarray = parts.sum(axis=-2, dtype=np.float64).astype(dtype, copy=False)
    return out


def _project(matrix: np.ndarray, C: np.ndarray) -> np.ndarray:
    """``np.einsum("cf,...ft->...ct", matrix, C)`` in Rust.

    Same dtype as the einsum (the wider of the two); no BLAS call, whose
    spinning worker threads would compete with ferrosa's own for the cores.
    """
    dtype = np.result_type(matrix.dtype, C.dtype)
    if dtype not in (np.float32, np.float64) or C.shape[-1] == 0:
        out: np.ndarray = np.einsum("cf,...ft->...ct", matrix, C)
        return out
    lead = C.shape[:-2]
    flat = np.ascontiguousarray(C.reshape((-1,) + C.shape[-2:]), dtype=dtype)
    res = _core.dense_on_axis(flat, np.ascontiguousarray(matrix, dtype=np.float64))
    return np.asarray(res).reshape(lead + res.shape[-2:])


def chroma_cens(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    C: np.ndarray | None = None,
    hop_length: int = 512,
    fmin: float | None = None,
    tuning: float | None = None,
    n_chroma: int = 12,
    n_octaves: int = 7,
    bins_per_octave: int = 36,
    cqt_mode: str = "full",
    window: np.ndarray | None = None,
    norm: float | None = 2,
    win_len_smooth: int | None = 41,
    smoothing_window: Any = "hann",
) -> np.ndarray:
    """Chroma Energy Normalized Statistics (CENS).

    Parameters
    ----------
    y, sr, C, hop_length, fmin, tuning, n_chroma, n_octaves, bins_per_octave,
    cqt_mode, window
        As for :func:`chroma_cqt`.
    norm : float, inf or None
        Final column normalisation (L2 by default).
    win_len_smooth : int > 0 or None
        Length of the temporal smoothing window (None: no smoothing).
    smoothing_window : str
        Window shape for the smoothing.

    Returns
    -------
    np.ndarray, shape (..., n_chroma, n_frames)
    """
    if not (
        win_len_smooth is None
        or (
            isinstance(win_len_smooth, (int, np.integer))
            and not isinstance(win_len_smooth, bool)
            and win_len_smooth > 0
        )
    ):
        raise ParameterError(
            f"win_len_smooth={win_len_smooth!r} must be a positive integer or None"
        )
    chroma = chroma_cqt(
        y=y,
        C=C,
        sr=sr,
        hop_length=hop_length,
        fmin=fmin,
        bins_per_octave=bins_per_octave,
        tuning=tuning,
        norm=None,
        n_chroma=n_chroma,
        n_octaves=n_octaves,
        cqt_mode=cqt_mode,
        window=window,
    )
    chroma = _normalize(chroma, 1, axis=-2)
    # Quantise: each step the value exceeds adds a quarter.
    quant = np.zeros_like(chroma)
    for step in (0.4, 0.2, 0.1, 0.05):
        quant += (chroma > step) * 0.25
    if win_len_smooth:
        from ..filters import get_window

        win = get_window(smoothing_window, win_len_smooth + 2, fftbins=False)
        win = win / np.sum(win)
        cens = _smooth_time(quant, win)
    else:
        cens = quant
    return _normalize(cens, norm, axis=-2)


def _smooth_time(x: np.ndarray, win: np.ndarray) -> np.ndarray:
    """``scipy.ndimage.convolve(x, win[None, ...], mode="constant")`` along
    the last axis: the window is centred (origin 0) and zeros lie outside."""
    n = x.shape[-1]
    m = len(win)
    # ndimage centres a length-m kernel at index m // 2 and correlates with
    # the flipped kernel, i.e. a true convolution.
    full = np.apply_along_axis(lambda r: np.convolve(r, win, mode="full"), -1, x)
    start = m // 2
    return np.ascontiguousarray(full[..., start : start + n]).astype(x.dtype, copy=False)
