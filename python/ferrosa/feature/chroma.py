"""Chroma from the STFT (``librosa.feature.chroma_stft``).

With ``tuning=None`` (the default) the tuning is estimated from the power
spectrogram exactly as librosa does (piptrack peaks, median magnitude,
histogram of deviations), then the cached chroma filter bank for that tuning
projects every frame. The power spectrogram is computed once and kept
frame-major for both passes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from ..core.pitch import tuning_from_peaks
from ..core.spectrogram_input import resolve, spectrogram_frames
from ..exceptions import ParameterError
from ..filters import check_chroma_memory, norm_value
from ..filters import chroma as chroma_filter
from ..util.memory import check_size

__all__ = ["chroma_stft", "chroma_from_power_frames"]


def chroma_from_power_frames(
    frames: np.ndarray,
    *,
    sr: float,
    n_fft: int,
    norm: Any,
    tuning: float | None,
    n_chroma: int,
    **kwargs: Any,
) -> np.ndarray:
    """Chroma of a frame-major power spectrogram.

    Parameters
    ----------
    frames : np.ndarray, shape (channels, frames, bins), float32/float64
    sr, n_fft, norm, tuning, n_chroma, **kwargs
        As for :func:`chroma_stft`.

    Returns
    -------
    np.ndarray, shape (channels, n_chroma, frames)
    """
    col_norm = norm_value(norm)
    if tuning is None:
        pitches, mags = _core.pip_peaks(frames, float(sr), n_fft, 150.0, 4000.0, "max", 0.1)
        tuning = tuning_from_peaks(pitches, mags, resolution=0.01, bins_per_octave=n_chroma)
    fb = chroma_filter(sr=sr, n_fft=n_fft, tuning=tuning, n_chroma=n_chroma, **kwargs)
    if fb.shape[1] != frames.shape[-1]:
        raise ParameterError(
            f"chroma filter bank has {fb.shape[1]} bins but the spectrogram has {frames.shape[-1]}"
        )
    # librosa's einsum promotes to the wider of the bank and spectrogram dtypes.
    want = np.result_type(fb.dtype, frames.dtype)
    if want != frames.dtype:
        frames = frames.astype(want)
    out: np.ndarray = _core.chroma_frames(frames, np.asarray(fb, dtype=np.float64), col_norm)
    return out


def chroma_stft(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    S: np.ndarray | None = None,
    norm: float | None = np.inf,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    tuning: float | None = None,
    n_chroma: int = 12,
    **kwargs: Any,
) -> np.ndarray:
    """Chromagram from a waveform or a power spectrogram.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), optional
        Audio (multichannel allowed); ``|stft(y)|**2`` is used when ``S`` is None.
    sr : number > 0
    S : np.ndarray, shape (..., d, t), optional
        Power spectrogram; ``n_fft`` is inferred from ``d``.
    norm : {inf, -inf, 0, float > 0, None}
        Per-frame normalisation of the chroma vectors (max by default).
    n_fft, hop_length, win_length, window, center, pad_mode
        STFT parameters when computing from ``y``.
    tuning : float or None
        Deviation from A440 in fractional chroma bins; None estimates it
        with :func:`ferrosa.estimate_tuning` (``bins_per_octave=n_chroma``).
    n_chroma : int > 0
    **kwargs
        Filter bank options for :func:`ferrosa.filters.chroma`: ``ctroct``,
        ``octwidth``, ``base_c``, ``dtype`` (and the bank's ``norm`` is 2).

    Returns
    -------
    np.ndarray, shape (..., n_chroma, t)
        float32 for float32 input (the bank's dtype promoted with the
        spectrogram's).
    """
    if isinstance(sr, bool) or not isinstance(sr, (int, float, np.number)) or not sr > 0:
        raise ParameterError(f"sr={sr!r} must be a positive number")
    if isinstance(n_chroma, bool) or not isinstance(n_chroma, (int, np.integer)) or n_chroma < 1:
        raise ParameterError(f"n_chroma={n_chroma!r} must be a positive integer")
    check_size("n_chroma", int(n_chroma))
    norm_value(norm)
    if tuning is not None and not np.isfinite(tuning):
        raise ParameterError(f"tuning={tuning!r} must be finite or None")
    inp = resolve(
        y=y,
        S=S,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
    )
    check_chroma_memory(inp.n_fft, int(n_chroma))
    frames = spectrogram_frames(inp, squared=True)
    if inp.frames is not None and not np.isfinite(frames).all():
        raise ParameterError("Input must be finite")
    out = chroma_from_power_frames(
        frames,
        sr=float(sr),
        n_fft=inp.n_fft,
        norm=norm,
        tuning=tuning,
        n_chroma=int(n_chroma),
        **kwargs,
    )
    result: np.ndarray = out.reshape(inp.lead + out.shape[1:])
    return result
