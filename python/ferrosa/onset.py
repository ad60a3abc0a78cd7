"""Onset strength and onset detection (librosa.onset).

The onset strength is librosa's spectral flux: the positive first
difference (at ``lag`` frames) of a dB mel spectrogram, optionally against
a frequency-wise maximum-filtered reference (SuperFlux), averaged over
bands, shifted so frame ``t`` is centred like the spectrogram's. Onsets are
the envelope's peaks by librosa's picker (:func:`ferrosa.util.peak_pick`,
in Rust), optionally moved back to the preceding energy minimum.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .core.spectrum import power_to_db
from .core.time_convert import frames_to_samples, frames_to_time
from .exceptions import ParameterError
from .feature.spectral import melspectrogram
from .util.normalize import fix_frames, tiny
from .util.peaks import peak_pick
from .util.validation import check_positive_int

__all__ = ["onset_backtrack", "onset_detect", "onset_strength", "onset_strength_multi"]


def _band_max(S: np.ndarray, size: int) -> np.ndarray:
    """``scipy.ndimage.maximum_filter1d(S, size, axis=-2)`` (mode reflect, origin 0)."""
    before, after = size // 2, (size - 1) // 2
    pad = [(0, 0)] * S.ndim
    pad[-2] = (before, after)
    padded = np.pad(S, pad, mode="symmetric")
    windows = np.lib.stride_tricks.sliding_window_view(padded, size, axis=-2)
    return windows.max(axis=-1)


def _channel_slices(channels: Any, n_bands: int) -> list[slice]:
    """librosa's ``util.sync`` segments: slices as given, or between sorted boundaries."""
    items = list(channels)
    if all(isinstance(c, slice) for c in items):
        return items
    if all(isinstance(c, (int, np.integer)) for c in items):
        bounds = fix_frames(np.asarray(items), x_min=0, x_max=n_bands, pad=False)
        return [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    raise ParameterError(f"channels={channels!r} must be all slices or all integers")


def _detrend(x: np.ndarray) -> np.ndarray:
    """``scipy.signal.lfilter([1, -1], [1, -0.99], x, axis=-1)``: a leaky differentiator."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    prev_x = np.zeros(x.shape[:-1])
    prev_y = np.zeros(x.shape[:-1])
    for t in range(x.shape[-1]):
        prev_y = x[..., t] - prev_x + 0.99 * prev_y
        prev_x = x[..., t]
        out[..., t] = prev_y
    return out


def onset_strength_multi(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    S: np.ndarray | None = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    lag: int = 1,
    max_size: int = 1,
    ref: np.ndarray | None = None,
    detrend: bool = False,
    center: bool = True,
    feature: Callable[..., np.ndarray] | None = None,
    aggregate: Callable[..., np.ndarray] | bool | None = None,
    channels: Sequence[int] | Sequence[slice] | None = None,
    **kwargs: Any,
) -> np.ndarray:
    """Spectral-flux onset strength per group of bands (librosa.onset.onset_strength_multi).

    Parameters
    ----------
    y : np.ndarray, shape (..., n), optional
        Audio; used when ``S`` is not given.
    sr : float > 0
    S : np.ndarray, shape (..., n_bands, n_frames), optional
        A dB spectrogram (else ``power_to_db(feature(y=y, sr=sr, ...))``).
    n_fft, hop_length : int > 0
        Of the spectrogram (for ``center`` alignment as well).
    lag : int > 0
        Frames between the compared spectra.
    max_size : int > 0
        Width of the maximum filter over bands applied to the reference (1: none).
    ref : np.ndarray, optional
        Reference spectrum, shaped like ``S``.
    detrend : bool
        Remove the DC drift with a leaky differentiator (``lfilter([1, -1], [1, -0.99])``).
    center : bool
        Shift the envelope by ``n_fft // (2 * hop_length)`` frames to match centred frames.
    feature : callable, optional
        Spectrogram function; default :func:`ferrosa.feature.melspectrogram`
        with ``fmax = sr / 2``.
    aggregate : callable or False, optional
        Reduces bands within a channel (default ``np.mean``); False keeps every band.
    channels : list of slices or of band boundaries, optional
        Band groups; None is one group of all bands.
    **kwargs
        Passed to ``feature``.

    Returns
    -------
    np.ndarray, shape (..., n_channels, n_frames)
        Same dtype as the spectrogram (float64 with ``detrend``).
    """
    if feature is None:
        feature = melspectrogram
        kwargs.setdefault("fmax", 0.5 * sr)
    if aggregate is None:
        aggregate = np.mean
    lag = check_positive_int("lag", lag)
    max_size = check_positive_int("max_size", max_size)
    if S is None:
        S = power_to_db(np.abs(feature(y=y, sr=sr, n_fft=n_fft, hop_length=hop_length, **kwargs)))
    S = np.atleast_2d(np.asarray(S))
    if ref is None:
        ref = S if max_size == 1 else _band_max(S, max_size)
    elif np.shape(ref) != S.shape:
        raise ParameterError(
            f"Reference spectrum shape {np.shape(ref)} must match input spectrum {S.shape}"
        )
    env = np.maximum(0.0, S[..., lag:] - np.asarray(ref)[..., :-lag])
    if callable(aggregate):
        groups = [slice(None)] if channels is None else _channel_slices(channels, env.shape[-2])
        parts = [aggregate(env[..., g, :], axis=-2) for g in groups]
        env = np.stack(parts, axis=-2) if parts else env[..., :0, :]
    width = lag + (n_fft // (2 * hop_length) if center else 0)
    pad = [(0, 0)] * env.ndim
    pad[-1] = (int(width), 0)
    env = np.pad(env, pad, mode="constant")
    if detrend:
        env = _detrend(env)
    if center:
        env = env[..., : S.shape[-1]]
    return env


def onset_strength(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    S: np.ndarray | None = None,
    lag: int = 1,
    max_size: int = 1,
    ref: np.ndarray | None = None,
    detrend: bool = False,
    center: bool = True,
    feature: Callable[..., np.ndarray] | None = None,
    aggregate: Callable[..., np.ndarray] | bool | None = None,
    **kwargs: Any,
) -> np.ndarray:
    """Spectral-flux onset strength envelope (librosa.onset.onset_strength).

    Parameters
    ----------
    y, sr, S, lag, max_size, ref, detrend, center, feature, aggregate, **kwargs
        As for :func:`onset_strength_multi` (``n_fft``/``hop_length`` go in ``kwargs``).

    Returns
    -------
    np.ndarray, shape (..., n_frames)
    """
    if aggregate is False:
        raise ParameterError(
            "aggregate parameter cannot be False when computing full-spectrum onset strength."
        )
    env = onset_strength_multi(
        y=y,
        sr=sr,
        S=S,
        lag=lag,
        max_size=max_size,
        ref=ref,
        detrend=detrend,
        center=center,
        feature=feature,
        aggregate=aggregate,
        channels=None,
        **kwargs,
    )
    return env[..., 0, :]


def onset_backtrack(events: np.ndarray, energy: np.ndarray) -> np.ndarray:
    """Move each onset back to the nearest preceding local minimum of ``energy``.

    Parameters
    ----------
    events : np.ndarray, shape (n_events,), int
        Onset frames.
    energy : np.ndarray, shape (n_frames,)
        The function whose minima are sought (the onset envelope, or RMS).

    Returns
    -------
    np.ndarray, shape (n_events,), int
        For each event the last minimum at or before it (frame 0 counts as one).
    """
    energy = np.asarray(energy)
    minima = np.flatnonzero((energy[1:-1] <= energy[:-2]) & (energy[1:-1] < energy[2:]))
    minima = fix_frames(1 + minima, x_min=0)
    events = np.asarray(events)
    if events.size == 0:
        return np.asarray(events, dtype=int)
    at = np.searchsorted(minima, events, side="right") - 1
    result: np.ndarray = minima[np.maximum(at, 0)]
    return result


def onset_detect(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    onset_envelope: np.ndarray | None = None,
    hop_length: int = 512,
    backtrack: bool = False,
    energy: np.ndarray | None = None,
    units: str = "frames",
    normalize: bool = True,
    sparse: bool = True,
    **kwargs: Any,
) -> np.ndarray:
    """Onsets as peaks of the onset strength (librosa.onset.onset_detect).

    Parameters
    ----------
    y : np.ndarray, shape (..., n), optional
    sr : float > 0
    onset_envelope : np.ndarray, shape (..., n_frames), optional
        Precomputed :func:`onset_strength` (else computed from ``y``).
    hop_length : int > 0
    backtrack : bool
        Move onsets to the preceding minimum of ``energy`` (``sparse=True`` only).
    energy : np.ndarray, optional
        Default: the onset envelope.
    units : {"frames", "samples", "time"}
    normalize : bool
        Scale the envelope to [0, 1] first.
    sparse : bool
        Return onset positions (1-D envelopes only) or a boolean array.
    **kwargs
        :func:`ferrosa.util.peak_pick` windows; librosa's defaults are 30 ms
        pre-max, 100 ms pre/post averages, 30 ms wait, ``delta=0.07``.

    Returns
    -------
    np.ndarray
        Onset frames (int), samples (int) or times (float), or a bool mask.
    """
    if onset_envelope is None:
        if y is None:
            raise ParameterError("y or onset_envelope must be provided")
        onset_envelope = onset_strength(y=y, sr=sr, hop_length=hop_length)
    env = np.asarray(onset_envelope)
    if normalize:
        env = env - np.min(env, keepdims=True, axis=-1)
        env = env / (np.max(env, keepdims=True, axis=-1) + tiny(env))
    if not env.any() or not np.all(np.isfinite(env)):
        onsets = np.array([], dtype=int) if sparse else np.zeros_like(env, dtype=bool)
    else:
        kwargs.setdefault("pre_max", 0.03 * sr // hop_length)
        kwargs.setdefault("post_max", 0.00 * sr // hop_length + 1)
        kwargs.setdefault("pre_avg", 0.10 * sr // hop_length)
        kwargs.setdefault("post_avg", 0.10 * sr // hop_length + 1)
        kwargs.setdefault("wait", 0.03 * sr // hop_length)
        kwargs.setdefault("delta", 0.07)
        onsets = peak_pick(env, sparse=sparse, axis=-1, **kwargs)
        if backtrack:
            if not sparse:
                raise ParameterError("onset backtracking is only supported if sparse=True")
            onsets = onset_backtrack(onsets, env if energy is None else energy)
    if sparse:
        if units == "samples":
            return np.asarray(frames_to_samples(onsets, hop_length=hop_length))
        if units == "time":
            return np.asarray(frames_to_time(onsets, hop_length=hop_length, sr=sr))
        if units != "frames":
            raise ParameterError(f"Invalid unit type: {units}")
    return onsets
