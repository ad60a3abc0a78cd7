"""Spectra of equally spaced frames through ferrosa's Rust STFT (no centring)."""

from __future__ import annotations

import numpy as np

from .. import _core


def frame_spectra(buf: np.ndarray, window: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Real FFTs of frames ``buf[:, t*hop : t*hop + n_fft] * window``.

    Parameters
    ----------
    buf : np.ndarray, shape (channels, n), float64
        Samples; the caller pads it so the last wanted frame fits.
    window : np.ndarray, shape (n_fft,), float64
        Per-sample weights (zeros where a frame is shorter than ``n_fft``).
    n_fft, hop : int
        FFT size and frame step.

    Returns
    -------
    np.ndarray, shape (channels, frames, n_fft // 2 + 1), complex128
        Frame-major spectra, ``frames = 1 + (n - n_fft) // hop``.
    """
    buf = np.ascontiguousarray(buf, dtype=np.float64)
    n_frames = _core.stft_n_frames(buf.shape[-1], n_fft, hop, False)
    out = np.empty((buf.shape[0], n_frames, n_fft // 2 + 1), dtype=np.complex128)
    _core.stft(
        buf, np.ascontiguousarray(window, dtype=np.float64), n_fft, hop, False, "constant", out
    )
    return out


def power(spec: np.ndarray) -> np.ndarray:
    """``|spec|^2`` without the complex absolute value's hypot."""
    return spec.real * spec.real + spec.imag * spec.imag
