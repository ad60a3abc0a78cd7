"""Framing and padding helpers with librosa.util's semantics."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import ParameterError
from .validation import check_positive_int


def frame(
    x: np.ndarray,
    *,
    frame_length: int,
    hop_length: int,
    axis: int = -1,
    writeable: bool = False,
    subok: bool = False,
) -> np.ndarray:
    """Slice ``x`` into overlapping frames without copying.

    Frames are a strided view (as in librosa), so framing is O(1) whatever
    the signal length; the count is ``1 + (n - frame_length) // hop_length``.

    Parameters
    ----------
    x : np.ndarray, shape (..., n, ...)
        Array to frame.
    frame_length : int > 0
    hop_length : int > 0
    axis : int
        Axis to frame along; frames are added as a new axis after it for
        ``axis=-1`` style (``(..., frame_length, n_frames)``), or before it
        for ``axis=0`` (``(n_frames, frame_length, ...)``).

    Returns
    -------
    np.ndarray
        Read-only view (unless ``writeable``) of the frames.
    """
    x = np.asanyarray(x) if subok else np.asarray(x)
    frame_length = check_positive_int("frame_length", frame_length)
    hop_length = check_positive_int("hop_length", hop_length)
    if x.ndim == 0:
        raise ParameterError("Input must be at least one-dimensional")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ParameterError(f"axis={axis!r} must be an integer")
    if not -x.ndim <= axis < x.ndim:
        raise ParameterError(f"axis={axis} is out of range for input of shape {x.shape}")
    if x.shape[axis] < frame_length:
        raise ParameterError(
            f"Input is too short (n={x.shape[axis]:d}) for frame_length={frame_length:d}"
        )
    xw = np.lib.stride_tricks.sliding_window_view(
        x, frame_length, axis=axis, writeable=writeable, subok=subok
    )
    if axis < 0:
        target_axis = axis - 1
    else:
        target_axis = axis + 1
    xw = np.moveaxis(xw, -1, target_axis)
    slices: list[Any] = [slice(None)] * xw.ndim
    slices[axis] = slice(0, None, hop_length)
    return xw[tuple(slices)]


def _axis_and_size(data: Any, axis: Any, size: Any) -> tuple[np.ndarray, int, int]:
    """Validate ``axis`` against ``data`` and ``size`` (a non-negative int that fits)."""
    from .memory import check_memory
    from .validation import check_nonneg_int

    data = np.asarray(data)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ParameterError(f"axis={axis!r} must be an integer")
    if not -data.ndim <= axis < data.ndim:
        raise ParameterError(f"axis={axis} is out of range for data of shape {data.shape}")
    size = check_nonneg_int("size", size)
    other = data.size // max(1, data.shape[axis])
    check_memory("padded array", float(size) * other * data.itemsize, size=size)
    return data, int(axis), size


def pad_center(data: np.ndarray, *, size: int, axis: int = -1, **kwargs: Any) -> np.ndarray:
    """Centre ``data`` along ``axis`` in an array of length ``size``.

    Parameters
    ----------
    data : np.ndarray
    size : int >= data.shape[axis]
    axis : int
    **kwargs
        Passed to ``np.pad`` (``mode`` defaults to ``"constant"``).

    Returns
    -------
    np.ndarray, same dtype, ``shape[axis] == size``
    """
    kwargs.setdefault("mode", "constant")
    data, axis, size = _axis_and_size(data, axis, size)
    n = data.shape[axis]
    lpad = int((size - n) // 2)
    if lpad < 0:
        raise ParameterError(f"Target size ({size:d}) must be at least input size ({n:d})")
    lengths = [(0, 0)] * data.ndim
    lengths[axis] = (lpad, int(size - n - lpad))
    return np.pad(data, lengths, **kwargs)


def fix_length(data: np.ndarray, *, size: int, axis: int = -1, **kwargs: Any) -> np.ndarray:
    """Trim or zero-pad ``data`` along ``axis`` to exactly ``size``."""
    kwargs.setdefault("mode", "constant")
    data, axis, size = _axis_and_size(data, axis, size)
    n = data.shape[axis]
    if n > size:
        slices: list[Any] = [slice(None)] * data.ndim
        slices[axis] = slice(0, size)
        return data[tuple(slices)]
    if n < size:
        lengths = [(0, 0)] * data.ndim
        lengths[axis] = (0, size - n)
        return np.pad(data, lengths, **kwargs)
    return data
