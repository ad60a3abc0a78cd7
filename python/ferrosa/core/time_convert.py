"""Frame, sample and time index conversions (librosa.core.convert).

Plain integer/float arithmetic on numpy arrays, with librosa 0.11's
conventions: frame ``t`` starts at sample ``t * hop_length`` (plus
``n_fft // 2`` when ``n_fft`` is given, the centre of a non-centred frame),
conversions to integers truncate toward zero (``astype(int)``) and
sample-to-frame conversions floor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "frames_to_samples",
    "frames_to_time",
    "samples_like",
    "samples_to_frames",
    "samples_to_time",
    "time_to_frames",
    "time_to_samples",
    "times_like",
]


def _offset(n_fft: int | None) -> int:
    return int(n_fft // 2) if n_fft else 0


def frames_to_samples(frames: Any, *, hop_length: int = 512, n_fft: int | None = None) -> Any:
    """Sample index of each frame: ``frames * hop_length + n_fft // 2``.

    Parameters
    ----------
    frames : int or np.ndarray of int
    hop_length : int > 0
    n_fft : int, optional
        Add half a window (the centre of an uncentred frame).

    Returns
    -------
    int (numpy scalar) or np.ndarray of int, shape of ``frames``
    """
    return (np.asanyarray(frames) * hop_length + _offset(n_fft)).astype(int)


def samples_to_frames(samples: Any, *, hop_length: int = 512, n_fft: int | None = None) -> Any:
    """Frame index holding each sample: ``floor((samples - n_fft // 2) / hop_length)``.

    Returns
    -------
    int (numpy scalar) or np.ndarray of int, shape of ``samples``
    """
    samples = np.asanyarray(samples)
    return np.asarray(np.floor((samples - _offset(n_fft)) // hop_length), dtype=int)


def samples_to_time(samples: Any, *, sr: float = 22050) -> Any:
    """Seconds of each sample index: ``samples / sr`` (float)."""
    return np.asanyarray(samples) / float(sr)


def time_to_samples(times: Any, *, sr: float = 22050) -> Any:
    """Sample index of each time: ``int(times * sr)``, truncated."""
    return (np.asanyarray(times) * sr).astype(int)


def frames_to_time(
    frames: Any, *, sr: float = 22050, hop_length: int = 512, n_fft: int | None = None
) -> Any:
    """Seconds of each frame index: ``frames_to_samples(frames) / sr``.

    Returns
    -------
    float (numpy scalar) or np.ndarray of float64, shape of ``frames``
    """
    samples = frames_to_samples(frames, hop_length=hop_length, n_fft=n_fft)
    return samples_to_time(samples, sr=sr)


def time_to_frames(
    times: Any, *, sr: float = 22050, hop_length: int = 512, n_fft: int | None = None
) -> Any:
    """Frame index of each time: ``samples_to_frames(time_to_samples(times))``."""
    samples = time_to_samples(times, sr=sr)
    return samples_to_frames(samples, hop_length=hop_length, n_fft=n_fft)


def samples_like(
    X: Any, *, hop_length: int = 512, n_fft: int | None = None, axis: int = -1
) -> np.ndarray:
    """Sample index of every frame of ``X`` along ``axis``.

    Parameters
    ----------
    X : np.ndarray or int
        A feature matrix (frames along ``axis``), or a number of frames.

    Returns
    -------
    np.ndarray of int, shape (n_frames,)
    """
    n = X if np.isscalar(X) else np.shape(X)[axis]
    frames = np.arange(n)  # type: ignore[arg-type]
    return frames_to_samples(frames, hop_length=hop_length, n_fft=n_fft)  # type: ignore[no-any-return]


def times_like(
    X: Any, *, sr: float = 22050, hop_length: int = 512, n_fft: int | None = None, axis: int = -1
) -> np.ndarray:
    """Time in seconds of every frame of ``X`` along ``axis`` (see :func:`samples_like`).

    Returns
    -------
    np.ndarray of float64, shape (n_frames,)
    """
    samples = samples_like(X, hop_length=hop_length, n_fft=n_fft, axis=axis)
    return samples_to_time(samples, sr=sr)  # type: ignore[no-any-return]
