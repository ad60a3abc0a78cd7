"""First-order pre-emphasis and its inverse (librosa.effects.preemphasis / deemphasis).

Both are ``scipy.signal.lfilter`` calls with librosa's coefficients and
initial conditions, so the samples are librosa's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..util.validation import check_audio

__all__ = ["deemphasis", "preemphasis"]


def preemphasis(
    y: np.ndarray, *, coef: float = 0.97, zi: Any = None, return_zf: bool = False
) -> Any:
    """``y[n] - coef * y[n - 1]``.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), floating point
    coef : float
        0 leaves ``y`` unchanged; 1 is a plain first difference.
    zi : number or np.ndarray, shape (..., 1), optional
        Initial filter state; default ``2 * y[..., 0] - y[..., 1]``
        (a linear extrapolation before the first sample, as librosa).
    return_zf : bool
        Also return the final filter state (to continue on the next block).

    Returns
    -------
    y_out : np.ndarray, shape and dtype of ``y``
    zf : np.ndarray, shape (..., 1), only with ``return_zf``
    """
    import scipy.signal

    check_audio(y, mono=False)
    b = np.asarray([1.0, -coef], dtype=y.dtype)
    a = np.asarray([1.0], dtype=y.dtype)
    if zi is None:
        zi = 2 * y[..., 0:1] - y[..., 1:2]
    zi = np.atleast_1d(zi)
    y_out, zf = scipy.signal.lfilter(b, a, y, zi=np.asarray(zi, dtype=y.dtype))
    return (y_out, zf) if return_zf else y_out


def deemphasis(
    y: np.ndarray, *, coef: float = 0.97, zi: Any = None, return_zf: bool = False
) -> Any:
    """Undo :func:`preemphasis`: ``y_out[n] = y[n] + coef * y_out[n - 1]``.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), floating point
    coef : float
    zi : number or np.ndarray, shape (..., 1), optional
        Initial state. By default the state that inverts :func:`preemphasis`
        with its default ``zi`` (librosa's linear-extrapolation correction).
    return_zf : bool

    Returns
    -------
    y_out : np.ndarray, shape and dtype of ``y``
    zf : np.ndarray, shape (..., 1), only with ``return_zf``
    """
    import scipy.signal

    check_audio(y, mono=False)
    b = np.array([1.0, -coef], dtype=y.dtype)
    a = np.array([1.0], dtype=y.dtype)
    if zi is None:
        zi0 = np.zeros(list(y.shape[:-1]) + [1], dtype=y.dtype)
        y_out, zf = scipy.signal.lfilter(a, b, y, zi=zi0)
        # What preemphasis' extrapolated initial sample leaves behind
        # decays as coef**n: remove it.
        first = ((2 - coef) * y[..., 0:1] - y[..., 1:2]) / (3 - coef)
        y_out -= first * (coef ** np.arange(y.shape[-1]))
    else:
        zi = np.atleast_1d(zi)
        y_out, zf = scipy.signal.lfilter(a, b, y, zi=zi.astype(y.dtype))
    return (y_out, zf) if return_zf else y_out
