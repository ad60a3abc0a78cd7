"""Array normalisation and frame-index clean-up (librosa.util.normalize, fix_frames, tiny)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import ParameterError

__all__ = ["fix_frames", "normalize", "tiny"]


def tiny(x: Any) -> Any:
    """The smallest positive normal number of ``x``'s float type (float32 for non-floats).

    Parameters
    ----------
    x : number, np.ndarray or dtype

    Returns
    -------
    numpy float scalar
    """
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.complexfloating):
        dtype = x.dtype
    else:
        dtype = np.dtype(np.float32)
    return np.finfo(dtype).tiny


def normalize(
    S: np.ndarray,
    *,
    norm: float | None = np.inf,
    axis: int | None = 0,
    threshold: float | None = None,
    fill: bool | None = None,
) -> np.ndarray:
    """Scale ``S`` so every slice along ``axis`` has unit ``norm``.

    Parameters
    ----------
    S : np.ndarray, finite, real or complex
    norm : {np.inf, -np.inf, 0, float > 0, None}
        ``inf``: maximum absolute value; ``-inf``: minimum; ``0``: count of
        non-zeros; ``p > 0``: the p-norm; ``None``: ``S`` unchanged.
    axis : int or None
        Axis along which to normalise (None: the whole array).
    threshold : number > 0, optional
        Slices whose norm is below it are "small"; default :func:`tiny` of ``S``.
    fill : None, False or True
        Small slices: ``None`` leaves them unscaled, ``False`` sets them to 0,
        ``True`` fills them with the value of unit norm (``p``-norm only).

    Returns
    -------
    np.ndarray, shape and dtype of ``S``

    Raises
    ------
    ParameterError
        Non-finite ``S``, ``threshold <= 0``, an unknown ``norm`` or
        ``fill``, and ``norm=0`` with ``fill=True``.
    """
    if threshold is None:
        threshold = tiny(S)
    elif threshold <= 0:
        raise ParameterError(f"threshold={threshold} must be strictly positive")
    if fill not in (None, False, True):
        raise ParameterError(f"fill={fill} must be None or boolean")
    if not np.all(np.isfinite(S)):
        raise ParameterError("Input must be finite")
    mag = np.abs(S).astype(float)
    fill_norm = 1.0
    if norm is None:
        return S
    if norm == np.inf:
        length = np.max(mag, axis=axis, keepdims=True)
    elif norm == -np.inf:
        length = np.min(mag, axis=axis, keepdims=True)
    elif norm == 0:
        if fill is True:
            raise ParameterError("Cannot normalize with norm=0 and fill=True")
        length = np.sum(mag > 0, axis=axis, keepdims=True, dtype=mag.dtype)
    elif np.issubdtype(type(norm), np.number) and norm > 0:
        length = np.sum(mag**norm, axis=axis, keepdims=True) ** (1.0 / norm)
        count = mag.size if axis is None else mag.shape[axis]
        fill_norm = count ** (-1.0 / norm)
    else:
        raise ParameterError(f"Unsupported norm: {norm!r}")

    small = length < threshold
    out = np.empty_like(S)
    if fill is None:
        length[small] = 1.0  # small slices stay as they are
        out[:] = S / length
    elif fill:
        length[small] = np.nan
        out[:] = S / length
        out[np.isnan(out)] = fill_norm
    else:
        length[small] = np.inf  # small slices become 0
        out[:] = S / length
    return out


def fix_frames(
    frames: Any, *, x_min: int | None = 0, x_max: int | None = None, pad: bool = True
) -> np.ndarray:
    """Sorted unique frame indices in ``[x_min, x_max]``, optionally padded with both ends.

    Parameters
    ----------
    frames : array_like of non-negative int
    x_min, x_max : int or None
        Bounds (None: unbounded on that side).
    pad : bool
        Clip into the bounds and add ``x_min`` and ``x_max`` as frames.

    Returns
    -------
    np.ndarray of int, shape (m,)

    Raises
    ------
    ParameterError
        If any frame index is negative.
    """
    frames = np.asarray(frames)
    if np.any(frames < 0):
        raise ParameterError("Negative frame index detected")
    if pad and (x_min is not None or x_max is not None):
        frames = np.clip(frames, x_min, x_max)
    if pad:
        ends = [v for v in (x_min, x_max) if v is not None]
        frames = np.concatenate((np.asarray(ends), frames))
    if x_min is not None:
        frames = frames[frames >= x_min]
    if x_max is not None:
        frames = frames[frames <= x_max]
    unique: np.ndarray = np.unique(frames).astype(int)
    return unique
