"""Peak picking and local maxima (librosa.util.peak_pick, localmax)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from ..exceptions import ParameterError

__all__ = ["localmax", "peak_pick"]


def _window(name: str, value: Any) -> int:
    """``int(ceil(value))``, as librosa's ``valid_int(cast=np.ceil)``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{name}={value!r} must be a number")
    if not np.isfinite(value):
        raise ParameterError(f"{name}={value!r} must be finite")
    return int(np.ceil(value))


def peak_pick(
    x: np.ndarray,
    *,
    pre_max: int,
    post_max: int,
    pre_avg: int,
    post_avg: int,
    delta: float,
    wait: int,
    sparse: bool = True,
    axis: int = -1,
) -> np.ndarray:
    """Peaks of a signal by librosa's rule (Böck et al., 2012), in Rust.

    Sample ``n`` is a peak when ``x[n] == max(x[n - pre_max:n + post_max])``,
    ``x[n] >= mean(x[n - pre_avg:n + post_avg]) + delta`` and it comes more
    than ``wait`` samples after the previous peak.

    Parameters
    ----------
    x : np.ndarray, real, finite
        Any shape when ``sparse=False``; 1-D when ``sparse=True``.
    pre_max, pre_avg, wait : number >= 0
        Rounded up to whole samples, as in librosa.
    post_max, post_avg : number > 0
    delta : float >= 0
    sparse : bool
        Return peak indices (else a boolean array shaped like ``x``).
    axis : int
        Axis along which peaks are picked (``sparse=False``).

    Returns
    -------
    np.ndarray
        int64 indices ``(n_peaks,)``, or bool with ``x``'s shape.

    Raises
    ------
    ParameterError
        A negative window or delta, a non-positive ``post_*``, a multi-
        dimensional ``x`` with ``sparse=True``, or non-finite ``x``.
    """
    if pre_max < 0:
        raise ParameterError("pre_max must be non-negative")
    if pre_avg < 0:
        raise ParameterError("pre_avg must be non-negative")
    if delta < 0:
        raise ParameterError("delta must be non-negative")
    if wait < 0:
        raise ParameterError("wait must be non-negative")
    if post_max <= 0:
        raise ParameterError("post_max must be positive")
    if post_avg <= 0:
        raise ParameterError("post_avg must be positive")
    x = np.asarray(x)
    if sparse and x.ndim != 1:
        raise ParameterError(
            f"sparse=True (default) does not support {x.ndim}-dimensional inputs. "
            "Either set sparse=False or process each dimension independently."
        )
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise ParameterError(f"x must be real-valued, not {x.dtype}")
    rows = np.ascontiguousarray(np.moveaxis(x, axis, -1), dtype=np.float64)
    shape = rows.shape
    flat = rows.reshape(-1, shape[-1]) if rows.ndim else rows.reshape(1, 1)
    peaks = _core.peak_pick_rows(
        flat,
        _window("pre_max", pre_max),
        _window("post_max", post_max),
        _window("pre_avg", pre_avg),
        _window("post_avg", post_avg),
        float(delta),
        _window("wait", wait),
    )
    peaks = np.moveaxis(peaks.reshape(shape), -1, axis)
    return np.flatnonzero(peaks) if sparse else peaks


def localmax(x: np.ndarray, *, axis: int = 0) -> np.ndarray:
    """Local maxima along ``axis``: ``x[i] > x[i - 1]`` and ``x[i] >= x[i + 1]``.

    As in librosa.util.localmax, the first element is never one and the
    last is one when it exceeds its neighbour.

    Returns
    -------
    np.ndarray, bool, shape of ``x``
    """
    x = np.asarray(x)
    xi = np.moveaxis(x, axis, -1)
    out = np.zeros(xi.shape, dtype=bool)
    if xi.shape[-1] >= 2:
        out[..., 1:-1] = (xi[..., 1:-1] > xi[..., :-2]) & (xi[..., 1:-1] >= xi[..., 2:])
        out[..., -1] = xi[..., -1] > xi[..., -2]
    return np.moveaxis(out, -1, axis)
