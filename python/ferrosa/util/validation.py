"""Argument checks shared by every wrapper, with librosa's messages."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np

from ..exceptions import ParameterError


def valid_audio(y: Any, *, mono: bool = False) -> bool:
    """Check that ``y`` is a finite floating-point audio buffer, as librosa.util.valid_audio.

    An empty buffer is valid, as in librosa; the feature wrappers use
    :func:`check_audio`, which also refuses it.

    Parameters
    ----------
    y : np.ndarray, shape (..., n)
        Audio; multichannel input has leading axes.
    mono : bool
        Require a 1-D buffer.

    Returns
    -------
    bool
        True; otherwise ``ParameterError`` is raised.
    """
    if not isinstance(y, np.ndarray):
        raise ParameterError(f"Audio data must be of type numpy.ndarray, not {type(y).__name__}")
    if not np.issubdtype(y.dtype, np.floating):
        raise ParameterError(f"Audio data must be floating-point, not dtype={y.dtype}")
    if mono and y.ndim != 1:
        raise ParameterError(
            f"Invalid shape for monophonic audio: ndim={y.ndim:d}, shape={y.shape}"
        )
    if y.ndim == 0:
        raise ParameterError(
            f"Audio data must be at least one-dimensional, given y.shape={y.shape}"
        )
    if not np.isfinite(y).all():
        raise ParameterError("Audio buffer is not finite everywhere")
    return True


def check_audio(y: Any, *, mono: bool = False) -> bool:
    """:func:`valid_audio`, and the buffer must not be empty (the kernels need samples).

    Raises
    ------
    ParameterError
        As :func:`valid_audio`, or for an empty buffer.
    """
    valid_audio(y, mono=mono)
    if y.shape[-1] == 0:
        raise ParameterError(f"Audio buffer is empty: y.shape={y.shape}")
    return True


def check_positive_int(name: str, value: Any) -> int:
    """Return ``value`` as int if it is a positive integer, else raise."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value <= 0:
        raise ParameterError(f"{name}={value!r} must be a positive integer")
    return int(value)


def check_nonneg_int(name: str, value: Any) -> int:
    """Return ``value`` as int if it is a non-negative integer, else raise."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise ParameterError(f"{name}={value!r} must be a non-negative integer")
    return int(value)


def check_real(name: str, value: Any, *, positive: bool = False, nonneg: bool = False) -> float:
    """Return ``value`` as a finite float, optionally > 0 or >= 0."""
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(float(value)):
        raise ParameterError(f"{name}={value!r} must be a finite real number")
    if positive and value <= 0:
        raise ParameterError(f"{name}={value!r} must be strictly positive")
    if nonneg and value < 0:
        raise ParameterError(f"{name}={value!r} must be non-negative")
    return float(value)


def float_audio(y: np.ndarray) -> np.ndarray:
    """float32 stays float32; every other float becomes float64."""
    if y.dtype == np.float32 or y.dtype == np.float64:
        return y
    return y.astype(np.float64)


def as_channels(y: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    """Flatten leading axes: ``(..., n)`` → C-contiguous ``(channels, n)``.

    Returns the 2-D array and the leading shape to restore afterwards.
    """
    lead = y.shape[:-1]
    return np.ascontiguousarray(y.reshape(-1, y.shape[-1])), lead


def dtype_r2c(d: Any, *, default: Any = np.complex64) -> np.dtype:
    """The complex dtype matching real dtype ``d`` (librosa.util.dtype_r2c)."""
    mapping = {
        np.dtype(np.float32): np.complex64,
        np.dtype(np.float64): np.complex128,
        np.dtype(np.float16): np.complex64,
    }
    dt = np.dtype(d)
    if dt.kind == "c":
        return dt
    return np.dtype(mapping.get(dt, default))


def dtype_c2r(d: Any, *, default: Any = np.float32) -> np.dtype:
    """The real dtype matching complex dtype ``d`` (librosa.util.dtype_c2r)."""
    mapping = {
        np.dtype(np.complex64): np.float32,
        np.dtype(np.complex128): np.float64,
    }
    dt = np.dtype(d)
    if dt.kind == "f":
        return dt
    return np.dtype(mapping.get(dt, default))
