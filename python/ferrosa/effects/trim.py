"""Trimming and splitting on silence (librosa.effects.trim / split).

The frame RMS in decibels and the non-silent decision run in Rust
(``rust/dsp/effects/silence.rs``): centred, zero-padded frames as
``librosa.feature.rms``, decibels as ``librosa.amplitude_to_db`` (floor
``1e-5``) relative to ``ref``, the loudest channel deciding (librosa's
``aggregate=np.max``). Other ``ref`` and ``aggregate`` callables get the
same frame RMS and are applied in numpy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from ..core.time_convert import frames_to_samples
from ..exceptions import ParameterError
from ..util.validation import as_channels, check_audio, check_positive_int, float_audio

__all__ = ["split", "trim"]


def _nonsilent(
    y: np.ndarray,
    *,
    frame_length: int,
    hop_length: int,
    top_db: float,
    ref: float | Callable[..., Any],
    aggregate: Callable[..., Any],
) -> np.ndarray:
    """Boolean per frame: louder than ``-top_db`` dB re ``ref`` (shape (n_frames,))."""
    check_audio(y, mono=False)
    frame_length = check_positive_int("frame_length", frame_length)
    hop_length = check_positive_int("hop_length", hop_length)
    if isinstance(top_db, bool) or not isinstance(top_db, (int, float, np.number)):
        raise ParameterError(f"top_db={top_db!r} must be a number")
    if y.shape[-1] + 2 * (frame_length // 2) < frame_length:
        raise ParameterError(
            f"Input is too short (n={y.shape[-1]:d}) for frame_length={frame_length:d}"
        )
    y2, lead = as_channels(float_audio(y))
    power = _core.silence_frame_power(y2, frame_length, hop_length)
    if callable(ref) and ref is not np.max:
        rms = np.sqrt(power).astype(y2.dtype).reshape(lead + power.shape[-1:])
        ref_power = float(np.abs(ref(rms))) ** 2
    elif callable(ref):
        ref_power = float(power.max())
    else:
        ref_power = float(np.abs(ref)) ** 2
    if aggregate is np.max or power.shape[0] == 1:
        return np.asarray(_core.silence_nonsilent(power, ref_power, float(top_db)))
    floor = 1e-10
    db = 10.0 * np.log10(np.maximum(floor, power)) - 10.0 * np.log10(max(floor, ref_power))
    db = db.reshape(lead + db.shape[-1:])
    db = np.apply_over_axes(aggregate, db, range(db.ndim - 1))
    db = np.squeeze(db, axis=tuple(range(db.ndim - 1)))
    return np.asarray(db > -top_db)


def trim(
    y: np.ndarray,
    *,
    top_db: float = 60,
    ref: float | Callable[..., Any] = np.max,
    frame_length: int = 2048,
    hop_length: int = 512,
    aggregate: Callable[..., Any] = np.max,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut leading and trailing silence.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), floating point
        Multichannel audio: a frame is kept if ``aggregate`` over the channels
        of its dB is above the threshold (default: any channel).
    top_db : number
        Threshold in dB below ``ref``.
    ref : number or callable
        Reference amplitude; default ``np.max`` of the frame RMS.
    frame_length, hop_length : int > 0
    aggregate : callable
        Reduces the dB over channels.

    Returns
    -------
    y_trimmed : np.ndarray, shape (..., m), a view of ``y``
    index : np.ndarray of int, shape (2,)
        ``[start, end]``: ``y_trimmed = y[..., start:end]`` (``[0, 0]`` for
        all-silent input).
    """
    mask = _nonsilent(
        y,
        frame_length=frame_length,
        hop_length=hop_length,
        top_db=top_db,
        ref=ref,
        aggregate=aggregate,
    )
    loud = np.flatnonzero(mask)
    if loud.size:
        start = int(frames_to_samples(loud[0], hop_length=hop_length))
        end = min(y.shape[-1], int(frames_to_samples(loud[-1] + 1, hop_length=hop_length)))
    else:
        start, end = 0, 0
    return y[..., start:end], np.asarray([start, end])


def split(
    y: np.ndarray,
    *,
    top_db: float = 60,
    ref: float | Callable[..., Any] = np.max,
    frame_length: int = 2048,
    hop_length: int = 512,
    aggregate: Callable[..., Any] = np.max,
) -> np.ndarray:
    """Non-silent intervals of ``y``.

    Parameters
    ----------
    y, top_db, ref, frame_length, hop_length, aggregate
        As for :func:`trim`.

    Returns
    -------
    np.ndarray of int, shape (m, 2)
        ``[start, end)`` sample intervals, in order, ends clipped to ``n``.
    """
    mask = _nonsilent(
        y,
        frame_length=frame_length,
        hop_length=hop_length,
        top_db=top_db,
        ref=ref,
        aggregate=aggregate,
    )
    change = np.flatnonzero(np.diff(mask.astype(int))) + 1
    parts = [change]
    if mask[0]:
        parts.insert(0, np.array([0]))
    if mask[-1]:
        parts.append(np.array([len(mask)]))
    edges = frames_to_samples(np.concatenate(parts), hop_length=hop_length)
    edges = np.minimum(edges, y.shape[-1])
    intervals: np.ndarray = edges.reshape((-1, 2))
    return intervals
