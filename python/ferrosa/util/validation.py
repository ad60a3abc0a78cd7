"""Argument checks shared by every wrapper, with librosa's messages."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np

from ..exceptions import ParameterError
from .memory import MAX_INDEX, check_memory, check_stft_memory

__all__ = [
    "MAX_INDEX",
    "NOT_FINITE",
    "as_channels",
    "check_memory",
    "check_nonneg_int",
    "check_positive_int",
    "check_real",
    "check_stft_memory",
    "complex_dtype",
    "real_dtype",
    "dtype_c2r",
    "dtype_r2c",
    "float32_gain_exponent",
    "float_audio",
    "scale_pow2",
    "valid_audio",
]


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
        raise ParameterError(NOT_FINITE)
    return True


NOT_FINITE = "Audio buffer is not finite everywhere"


def check_audio(y: Any, *, mono: bool = False, finite: bool = True) -> bool:
    """:func:`valid_audio`, and the buffer must not be empty (the kernels need samples).

    ``finite=False`` leaves out the finiteness pass, for callers whose kernel
    checks it (they raise ``ParameterError(NOT_FINITE)`` themselves).

    Raises
    ------
    ParameterError
        As :func:`valid_audio`, or for an empty buffer.
    """
    if not finite and isinstance(y, np.ndarray) and y.ndim > 0:
        # An empty view of y: every check of valid_audio but the finiteness pass.
        valid_audio(y[..., :0], mono=mono)
    else:
        valid_audio(y, mono=mono)
    if y.shape[-1] == 0:
        raise ParameterError(f"Audio buffer is empty: y.shape={y.shape}")
    return True


def check_positive_int(name: str, value: Any) -> int:
    """Return ``value`` as int if it is a positive integer, else raise."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value <= 0:
        raise ParameterError(f"{name}={value!r} must be a positive integer")
    if int(value) >= MAX_INDEX:
        raise ParameterError(f"{name}={value!r} is too large (at most 2**62 - 1)")
    return int(value)


def check_nonneg_int(name: str, value: Any) -> int:
    """Return ``value`` as int if it is a non-negative integer, else raise."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise ParameterError(f"{name}={value!r} must be a non-negative integer")
    if int(value) >= MAX_INDEX:
        raise ParameterError(f"{name}={value!r} is too large (at most 2**62 - 1)")
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


def complex_dtype(dtype: Any) -> np.dtype:
    """``dtype`` for a complex result: complex kinds only (librosa would drop
    the imaginary part into a real array; ferrosa refuses instead)."""
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise ParameterError(f"dtype={dtype!r} is not a NumPy dtype") from err
    if dt.kind != "c":
        raise ParameterError(
            f"dtype={dt} is not a complex dtype: the STFT is complex "
            "(use np.complex64 or np.complex128, or take np.abs of the result)"
        )
    return dt


def real_dtype(dtype: Any) -> np.dtype:
    """``dtype`` for istft's result: floating (or complex, as librosa allows)."""
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise ParameterError(f"dtype={dtype!r} is not a NumPy dtype") from err
    if dt.kind not in "fc":
        raise ParameterError(
            f"dtype={dt} is not a floating-point dtype: casting the signal would truncate it"
        )
    return dt


# float32 audio whose peak lies outside [2**-_F32_SAFE_EXP, 2**_F32_SAFE_EXP] is
# rescaled by an exact power of two before a float32 FFT: partial sums of a
# 2**20-point FFT of a peak-2**64 signal stay far below float32's 3.4e38, and
# a peak above 2**-64 keeps every product of the FFT a normal float.
_F32_SAFE_EXP = 64


def float32_gain_exponent(
    y: np.ndarray, *, low: int = -_F32_SAFE_EXP, high: int = _F32_SAFE_EXP
) -> int:
    """The ``k`` for which ``y * 2**k`` has a peak near 1, or 0 when ``y``
    (float32) is already in the range a float32 FFT handles exactly
    (peak in ``[2**low, 2**(high + 1))``).

    Scaling by a power of two changes no mantissa, so a transform of the
    scaled signal, scaled back by ``2**-k`` (``2**(-k p)`` for ``|X|**p``),
    equals the exact transform rounded to float32: finite wherever the
    result is representable, as librosa's float64 FFT cast to float32 is.
    """
    if y.dtype != np.float32 or y.size == 0:
        return 0
    peak = float(max(float(np.max(y)), -float(np.min(y))))
    if not np.isfinite(peak) or peak == 0.0:
        return 0
    e = int(np.floor(np.log2(peak)))
    if low <= e <= high:
        return 0
    return -e


def scale_pow2(x: np.ndarray, e: int) -> np.ndarray:
    """``x * 2**e`` in place (exact: steps of at most 2**100, so no factor
    is itself denormal or infinite in float32)."""
    while e != 0:
        step = max(-100, min(100, e))
        x *= x.real.dtype.type(2.0**step)
        e -= step
    return x
