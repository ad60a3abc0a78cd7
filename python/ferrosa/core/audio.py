"""Time-domain utilities (``librosa.core.audio``): zero crossings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from ..exceptions import ParameterError
from ..util.fftsize import next_fast_len

__all__ = ["autocorrelate", "zero_crossings"]


def zero_crossings(
    y: np.ndarray,
    *,
    threshold: float = 1e-10,
    ref_magnitude: float | Callable[..., Any] | None = None,
    pad: bool = True,
    zero_pos: bool = True,
    axis: int = -1,
) -> np.ndarray:
    """Indicator of zero crossings: ``sign(y[i]) != sign(y[i-1])`` along ``axis``.

    Parameters
    ----------
    y : np.ndarray
        Signal (any number of dimensions).
    threshold : float >= 0
        Values with ``-threshold <= y <= threshold`` count as 0 (compared in
        the precision of ``y``, as librosa's numba kernel does).
    ref_magnitude : float, callable or None
        Scale ``threshold`` by this number, or by ``ref_magnitude(np.abs(y))``.
    pad : bool
        Whether ``y[0]`` counts as a crossing.
    zero_pos : bool
        0 has positive sign when True; otherwise -1, 0 and +1 are distinct
        signs (and NaN differs from everything).
    axis : int

    Returns
    -------
    np.ndarray, shape ``y.shape``, bool
    """
    y = np.asarray(y)
    if y.ndim == 0:
        raise ParameterError("zero_crossings needs at least a 1-D array")
    if y.dtype != np.float32 and y.dtype != np.float64:
        y = y.astype(np.float64)
    if callable(ref_magnitude):
        threshold = threshold * ref_magnitude(np.abs(y))
    elif ref_magnitude is not None:
        threshold = threshold * ref_magnitude
    if np.ndim(threshold) != 0:
        raise ParameterError(
            f"threshold * ref_magnitude has shape {np.shape(threshold)}; ferrosa needs a scalar"
        )
    try:
        yi = np.moveaxis(y, axis, -1)
    except np.exceptions.AxisError as err:
        raise ParameterError(f"axis={axis} is out of bounds for y.ndim={y.ndim}") from err
    if yi.shape[-1] == 0:
        return np.zeros(y.shape, dtype=bool)
    y2 = np.ascontiguousarray(yi.reshape(-1, yi.shape[-1]))
    z = _core.zero_crossings(y2, float(threshold), bool(zero_pos), bool(pad))
    out: np.ndarray = np.moveaxis(z.reshape(yi.shape), -1, axis)
    return out


def autocorrelate(y: np.ndarray, *, max_size: int | None = None, axis: int = -1) -> np.ndarray:
    """Autocorrelation along ``axis`` by FFT (librosa.autocorrelate).

    Parameters
    ----------
    y : np.ndarray, real or complex
    max_size : int > 0, optional
        Number of lags kept (default all: ``y.shape[axis]``).
    axis : int

    Returns
    -------
    np.ndarray
        ``y``'s shape with ``min(max_size, n)`` lags on ``axis``: lag ``k`` is
        ``sum_t y[t + k] * conj(y[t])``; real for real input.
    """
    y = np.asarray(y)
    n = y.shape[axis]
    size = n if max_size is None else int(min(max_size, n))
    if size < 0:
        raise ParameterError(f"max_size={max_size} must be non-negative")
    pad = next_fast_len(max(2 * n - 1, 1))
    ac: np.ndarray
    if np.iscomplexobj(y):
        full = np.fft.fft(y, n=pad, axis=axis)
        ac = np.fft.ifft(full.real**2 + full.imag**2, n=pad, axis=axis)
    else:
        half = np.fft.rfft(y, n=pad, axis=axis)
        power = np.multiply(half.real, half.real)
        power += np.multiply(half.imag, half.imag)
        ac = np.fft.irfft(power, n=pad, axis=axis)
    index = [slice(None)] * ac.ndim
    index[axis] = slice(size)
    out: np.ndarray = ac[tuple(index)]
    return out
