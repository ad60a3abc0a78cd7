"""Feature manipulation, as in ``librosa.feature.utils``: delta features."""

from __future__ import annotations

from functools import lru_cache
from numbers import Integral
from typing import Any

import numpy as np

from .. import _core
from ..exceptions import ParameterError
from ..util.validation import MAX_INDEX, check_memory, check_real

__all__ = ["delta"]

_MODES = ("interp", "mirror", "nearest", "wrap", "constant")


@lru_cache(maxsize=64)
def _savgol(width: int, polyorder: int, deriv: int, delta: float) -> Any:
    return _core.SavgolFilter(width, polyorder, deriv, delta)


def delta(
    data: Any,
    *,
    width: int = 9,
    order: int = 1,
    axis: int = -1,
    mode: str = "interp",
    **kwargs: Any,
) -> np.ndarray:
    """Local estimate of the derivative of ``data`` along ``axis``.

    A Savitzky-Golay filter (``scipy.signal.savgol_filter`` semantics):
    each sample is replaced by the ``order``-th derivative of the
    least-squares polynomial fitted over ``width`` samples around it.

    Parameters
    ----------
    data : np.ndarray [shape=(..., t)]
        The input (e.g. MFCCs); computed along ``axis``.
    width : odd int >= 3
        Window length; with ``mode="interp"`` at most ``data.shape[axis]``.
    order : int > 0
        Derivative order.
    axis : int
        Axis along which to differentiate.
    mode : {"interp", "mirror", "nearest", "wrap", "constant"}
        Edge handling. "interp" fits a polynomial to the first/last
        ``width`` samples and evaluates it at the edge samples; the others
        extend the signal as ``scipy.ndimage.convolve1d`` does.
    **kwargs
        ``polyorder`` (int, default ``order``; must be less than ``width``),
        ``delta`` (sample spacing, default 1.0) and ``cval`` (fill value for
        ``mode="constant"``), as in ``scipy.signal.savgol_filter``.

    Returns
    -------
    np.ndarray, same shape as ``data``
        float32 for float32 input, float64 otherwise.
    """
    data = np.atleast_1d(data)
    if (
        isinstance(axis, bool)
        or not isinstance(axis, Integral)
        or not -data.ndim <= axis < data.ndim
    ):
        raise ParameterError(f"axis={axis!r} is out of range for data of shape {data.shape}")
    if isinstance(width, Integral) and not isinstance(width, bool) and width >= MAX_INDEX:
        raise ParameterError(f"width={width} is too large")
    if mode == "interp" and width > data.shape[axis]:
        raise ParameterError(
            f"when mode='interp', width={width} cannot exceed data.shape[axis]={data.shape[axis]}"
        )
    if isinstance(width, bool) or not isinstance(width, Integral) or width < 3 or width % 2 != 1:
        raise ParameterError(f"width={width!r} must be an odd integer >= 3")
    if isinstance(order, bool) or not isinstance(order, Integral) or order <= 0:
        raise ParameterError(f"order={order!r} must be a positive integer")
    if mode not in _MODES:
        raise ParameterError(f"mode={mode!r} must be one of {', '.join(_MODES)}")
    kwargs.pop("deriv", None)
    polyorder = kwargs.pop("polyorder", order)
    spacing = check_real("delta", kwargs.pop("delta", 1.0), positive=True)
    cval = check_real("cval", kwargs.pop("cval", 0.0))
    if kwargs:
        raise TypeError(f"delta() got unexpected keyword argument(s) {sorted(kwargs)}")
    if isinstance(polyorder, bool) or not isinstance(polyorder, Integral) or polyorder < 0:
        raise ParameterError(f"polyorder={polyorder!r} must be a non-negative integer")
    if polyorder >= width:
        raise ParameterError(f"polyorder={polyorder} must be less than width={width}")
    # The filter keeps (polyorder + 1) x width basis values (O(width) memory).
    check_memory(
        "delta",
        8.0 * (int(polyorder) + 3) * int(width) + 16.0 * data.size,
        width=int(width),
        polyorder=int(polyorder),
    )
    if np.issubdtype(data.dtype, np.complexfloating):
        raise ParameterError(f"data must be real-valued, got dtype={data.dtype}")
    if data.dtype != np.float32:
        data = data.astype(np.float64, copy=False)
    moved = np.moveaxis(data, axis, -1)
    n = moved.shape[-1]
    if moved.size == 0:
        return np.zeros(data.shape, dtype=data.dtype)
    x2 = np.ascontiguousarray(moved.reshape(-1, n))
    filt = _savgol(int(width), int(polyorder), int(order), spacing)
    out = _core.savgol(x2, filt, mode, cval)
    return np.moveaxis(out.reshape(moved.shape), -1, axis)
