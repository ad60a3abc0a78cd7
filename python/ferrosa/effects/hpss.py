"""Harmonic-percussive separation of audio (librosa.effects.hpss, harmonic, percussive)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.spectrum import istft, stft
from ..decompose import hpss as hpss_spectrogram

__all__ = ["harmonic", "hpss", "percussive"]


def _parts(
    y: np.ndarray, which: tuple[int, ...], kw: dict[str, Any], n_fft: int, hop: Any,
    win_length: Any, center: bool, pad_mode: str,
) -> list[np.ndarray]:  # fmt: skip
    # librosa 0.11 takes `window` but transforms with its default Hann
    # window both ways; so does this, for the same result.
    D = stft(
        y, n_fft=n_fft, hop_length=hop, win_length=win_length, center=center, pad_mode=pad_mode
    )
    parts = hpss_spectrogram(D, **kw)
    return [
        istft(
            parts[i],
            dtype=y.dtype,
            n_fft=n_fft,
            hop_length=hop,
            win_length=win_length,
            center=center,
            length=y.shape[-1],
        )
        for i in which
    ]


def hpss(
    y: np.ndarray,
    *,
    kernel_size: int | tuple[int, int] | list[int] = 31,
    power: float = 2.0,
    mask: bool = False,
    margin: float | tuple[float, float] | list[float] = 1.0,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: str = "constant",
) -> tuple[np.ndarray, np.ndarray]:
    """Harmonic and percussive signals of ``y`` (librosa.effects.hpss).

    Parameters
    ----------
    y : np.ndarray, shape (..., n), float32 or float64
    kernel_size, power, mask, margin
        As for :func:`ferrosa.decompose.hpss`.
    n_fft, hop_length, win_length, center, pad_mode
        Of the STFT and its inverse.
    window : ignored
        Accepted as librosa accepts it; librosa 0.11 always uses Hann here.

    Returns
    -------
    y_harmonic, y_percussive : np.ndarray, shape and dtype of ``y``
    """
    kw = {"kernel_size": kernel_size, "power": power, "mask": mask, "margin": margin}
    h, p = _parts(y, (0, 1), kw, n_fft, hop_length, win_length, center, pad_mode)
    return h, p


def harmonic(
    y: np.ndarray,
    *,
    kernel_size: int | tuple[int, int] | list[int] = 31,
    power: float = 2.0,
    mask: bool = False,
    margin: float | tuple[float, float] | list[float] = 1.0,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: str = "constant",
) -> np.ndarray:
    """The harmonic signal of ``y`` (librosa.effects.harmonic); see :func:`hpss`."""
    kw = {"kernel_size": kernel_size, "power": power, "mask": mask, "margin": margin}
    return _parts(y, (0,), kw, n_fft, hop_length, win_length, center, pad_mode)[0]


def percussive(
    y: np.ndarray,
    *,
    kernel_size: int | tuple[int, int] | list[int] = 31,
    power: float = 2.0,
    mask: bool = False,
    margin: float | tuple[float, float] | list[float] = 1.0,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: str = "constant",
) -> np.ndarray:
    """The percussive signal of ``y`` (librosa.effects.percussive); see :func:`hpss`."""
    kw = {"kernel_size": kernel_size, "power": power, "mask": mask, "margin": margin}
    return _parts(y, (1,), kw, n_fft, hop_length, win_length, center, pad_mode)[0]
