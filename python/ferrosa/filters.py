"""Filter banks and windows, as in ``librosa.filters``."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from . import _core
from .exceptions import ParameterError

__all__ = ["get_window"]


@lru_cache(maxsize=64)
def _named_window(name: str, n: int, fftbins: bool) -> np.ndarray:
    w = _core.window(name, n, fftbins)
    w.setflags(write=False)
    return w


def get_window(window: Any, Nx: int, *, fftbins: bool = True) -> np.ndarray:
    """A window function of length ``Nx``.

    Parameters
    ----------
    window : str, tuple, callable or array_like
        A window name (hann, hamming, blackman, blackmanharris, nuttall,
        flattop, boxcar/rectangular/ones, triang, bartlett, cosine: computed by
        ferrosa with scipy's definitions), a callable ``window(Nx)``, an array
        of length ``Nx``, or any other scipy window spec (delegated to
        ``scipy.signal.get_window`` when scipy is installed).
    Nx : int > 0
        Window length.
    fftbins : bool
        Periodic window (for spectral analysis) if True, symmetric if False.

    Returns
    -------
    np.ndarray, shape (Nx,), float64
    """
    if callable(window):
        return np.asarray(window(Nx))
    if isinstance(window, str):
        if isinstance(Nx, bool) or not isinstance(Nx, (int, np.integer)) or Nx <= 0:
            raise ParameterError(f"Window length Nx={Nx!r} must be a positive integer")
        try:
            return _named_window(window.lower(), int(Nx), bool(fftbins)).copy()
        except ValueError:
            return _scipy_window(window, Nx, fftbins)
    if isinstance(window, tuple):
        return _scipy_window(window, Nx, fftbins)
    if isinstance(window, (np.ndarray, list)):
        arr = np.asarray(window)
        if arr.ndim == 1 and len(arr) == Nx:
            return arr
        raise ParameterError(f"Window size mismatch: {len(arr):d} != {Nx:d}")
    raise ParameterError(f"Invalid window specification: {window!r}")


def _scipy_window(window: Any, Nx: int, fftbins: bool) -> np.ndarray:
    try:
        from scipy.signal import get_window as scipy_get_window
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ParameterError(
            f"Invalid window specification: {window!r} (not built in; install scipy for more)"
        ) from err
    try:
        return np.asarray(scipy_get_window(window, Nx, fftbins=fftbins))
    except (ValueError, TypeError) as err:
        raise ParameterError(f"Invalid window specification: {window!r}") from err


@lru_cache(maxsize=64)
def _padded_named_window(window: str, win_length: int, n_fft: int) -> np.ndarray:
    w = _pad_window(window, win_length, n_fft)
    w.setflags(write=False)
    return w


def window_for(window: Any, win_length: int, n_fft: int) -> np.ndarray:
    """The analysis window padded to ``n_fft``, as float64 C-contiguous.

    Named windows are cached per (name, win_length, n_fft) and read-only.
    """
    if isinstance(window, str):
        return _padded_named_window(window, win_length, n_fft)
    return _pad_window(window, win_length, n_fft)


def _pad_window(window: Any, win_length: int, n_fft: int) -> np.ndarray:
    from .util.framing import pad_center

    w = get_window(window, win_length, fftbins=True)
    if w.shape != (win_length,):
        raise ParameterError(f"Window size mismatch: {w.shape} != ({win_length},)")
    w = pad_center(np.asarray(w, dtype=np.float64), size=n_fft)
    return np.ascontiguousarray(w, dtype=np.float64)
