"""Tuning estimation and spectral peak pitch tracking (``librosa.core.pitch``).

``piptrack`` runs in Rust one frame at a time in librosa's arithmetic
precision; ``estimate_tuning`` keeps only the peaks (a few per frame) and then
follows librosa's own numpy steps (median, histogram), so the estimated tuning
is the one librosa returns — it decides the chroma filter bank that
``chroma_stft(tuning=None)`` uses by default.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from ..exceptions import ParameterError
from .pitch_convert import hz_to_octs
from .spectrogram_input import SpecInput, resolve, spectrogram_frames

__all__ = ["estimate_tuning", "pitch_tuning", "piptrack"]

_MAX_REDUCTIONS = (np.max, np.amax)


def _reference(ref: float | Callable[..., Any] | None, threshold: float) -> tuple[str, float]:
    """Map piptrack's ``ref`` to the kernel's (kind, value)."""
    if ref is None or any(ref is f for f in _MAX_REDUCTIONS):
        return "max", float(threshold)
    if callable(ref):
        raise ParameterError(
            f"ref={ref!r} is not supported: ferrosa.piptrack accepts ref=None, np.max or a number"
        )
    return "fixed", float(np.abs(ref))


def _peaks_input(
    y: Any, sr: float, S: Any, n_fft: Any, kwargs: dict[str, Any]
) -> tuple[SpecInput, np.ndarray, dict[str, Any]]:
    opts: dict[str, Any] = {
        "hop_length": None,
        "fmin": 150.0,
        "fmax": 4000.0,
        "threshold": 0.1,
        "win_length": None,
        "window": "hann",
        "center": True,
        "pad_mode": "constant",
        "ref": None,
    }
    unknown = set(kwargs) - set(opts)
    if unknown:
        raise TypeError(f"unexpected keyword argument(s) {sorted(unknown)}")
    opts.update(kwargs)
    if not (isinstance(sr, (int, float, np.number)) and sr > 0):
        raise ParameterError(f"sr={sr!r} must be a positive number")
    inp = resolve(
        y=y,
        S=S,
        n_fft=n_fft,
        hop_length=opts["hop_length"],
        win_length=opts["win_length"],
        window=opts["window"],
        center=opts["center"],
        pad_mode=opts["pad_mode"],
    )
    frames = spectrogram_frames(inp, squared=False)
    if inp.frames is not None:
        frames = np.abs(frames)
    return inp, frames, opts


def piptrack(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    S: np.ndarray | None = None,
    n_fft: int | None = 2048,
    hop_length: int | None = None,
    fmin: float = 150.0,
    fmax: float = 4000.0,
    threshold: float = 0.1,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    ref: float | Callable[..., Any] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Pitch tracking on thresholded, parabolically interpolated STFT peaks.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), optional
        Audio (multichannel allowed); used when ``S`` is None.
    sr : number > 0
    S : np.ndarray, shape (..., d, t), optional
        Magnitude or power spectrogram.
    n_fft, hop_length, win_length, window, center, pad_mode
        STFT parameters when computing from ``y`` (``hop_length`` defaults
        to ``win_length // 4``).
    fmin, fmax : float
        Frequency range searched: ``fmin <= f < fmax`` (clipped to [0, sr/2]).
    threshold : float
        A peak must exceed ``threshold * ref`` (per frame for ``np.max``).
    ref : None, np.max or float
        Reference magnitude; None means ``np.max`` per frame. Other callables
        are not supported (ParameterError).

    Returns
    -------
    pitches, magnitudes : np.ndarray, shape (..., d, t), spectrogram dtype
        Instantaneous frequency and magnitude at each peak bin, 0 elsewhere.
    """
    kind, value = _reference(ref, threshold)
    inp, frames, _ = _peaks_input(
        y,
        sr,
        S,
        n_fft,
        {
            "hop_length": hop_length,
            "win_length": win_length,
            "window": window,
            "center": center,
            "pad_mode": pad_mode,
        },
    )
    pitches, mags = _core.piptrack(frames, float(sr), inp.n_fft, fmin, fmax, kind, value)
    shape = inp.lead + pitches.shape[1:]
    return pitches.reshape(shape), mags.reshape(shape)


def pitch_tuning(frequencies: Any, *, resolution: float = 0.01, bins_per_octave: int = 12) -> float:
    """Tuning offset (fractional bins) of a set of pitches, by histogram.

    Each frequency's deviation from the nearest equal-tempered bin is
    histogrammed at ``resolution``; the left edge of the most common bin is
    returned. Non-positive frequencies are ignored; an empty set warns and
    gives 0.0 (as librosa).

    Parameters
    ----------
    frequencies : array_like, float
    resolution : float in (0, 1)
    bins_per_octave : int > 0

    Returns
    -------
    float in [-0.5, 0.5)
    """
    if isinstance(resolution, bool) or not isinstance(resolution, (int, float, np.number)):
        raise ParameterError(f"resolution={resolution!r} must be a number in (0, 1)")
    if not 0 < resolution < 1:
        raise ParameterError(f"resolution={resolution!r} must be in (0, 1)")
    frequencies = np.atleast_1d(frequencies)
    frequencies = frequencies[frequencies > 0]
    if not np.any(frequencies):
        warnings.warn("Trying to estimate tuning from empty frequency set.", stacklevel=2)
        return 0.0
    residual = np.mod(bins_per_octave * hz_to_octs(frequencies), 1.0)
    residual[residual >= 0.5] -= 1.0
    bins = np.linspace(-0.5, 0.5, int(np.ceil(1.0 / resolution)) + 1)
    counts, tuning = np.histogram(residual, bins)
    tuning_est: float = tuning[np.argmax(counts)]
    return tuning_est


def tuning_from_peaks(
    pitches: np.ndarray, mags: np.ndarray, *, resolution: float, bins_per_octave: int
) -> float:
    """librosa's estimate_tuning step after piptrack, on the peaks alone.

    The magnitude threshold is the median over every peak (all channels
    and frames); peaks at or above it vote in :func:`pitch_tuning`.
    """
    threshold = np.median(mags) if pitches.size else 0.0
    return pitch_tuning(
        pitches[mags >= threshold],
        resolution=resolution,
        bins_per_octave=bins_per_octave,
    )


def estimate_tuning(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    S: np.ndarray | None = None,
    n_fft: int | None = 2048,
    resolution: float = 0.01,
    bins_per_octave: int = 12,
    **kwargs: Any,
) -> float:
    """Estimate the tuning of a signal or spectrogram (fractional bins).

    Runs :func:`piptrack`, keeps peaks whose magnitude is at least the
    median peak magnitude, and histograms their deviation from equal
    temperament with :func:`pitch_tuning`.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), optional
    sr : number > 0
    S : np.ndarray, shape (..., d, t), optional
        Magnitude or power spectrogram (``chroma_stft`` passes power).
    n_fft : int > 0
    resolution : float in (0, 1)
    bins_per_octave : int > 0
    **kwargs
        Further :func:`piptrack` arguments (hop_length, fmin, fmax,
        threshold, win_length, window, center, pad_mode, ref).

    Returns
    -------
    float in [-0.5, 0.5)
    """
    ref = kwargs.pop("ref", None)
    threshold = kwargs.pop("threshold", 0.1)
    fmin = kwargs.pop("fmin", 150.0)
    fmax = kwargs.pop("fmax", 4000.0)
    kind, value = _reference(ref, threshold)
    inp, frames, _ = _peaks_input(y, sr, S, n_fft, kwargs)
    pitches, mags = _core.pip_peaks(frames, float(sr), inp.n_fft, fmin, fmax, kind, value)
    return tuning_from_peaks(pitches, mags, resolution=resolution, bins_per_octave=bins_per_octave)
