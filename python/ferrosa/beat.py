"""Beat tracking (librosa.beat): tempo and the dynamic-programming tracker.

:func:`beat_track` is librosa 0.11's tracker (Ellis, 2007): the onset
envelope, a tempo from :func:`ferrosa.feature.tempo` unless given, then the
local score, the dynamic programme, the last beat, the backtrace and the
trimming of weak ends, all in Rust with numba's precisions, so the beats
are librosa's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from .core.time_convert import frames_to_samples, frames_to_time
from .exceptions import ParameterError
from .feature.rhythm import tempo
from .onset import onset_strength
from .util.normalize import tiny

__all__ = ["beat_track", "tempo"]


def beat_track(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    onset_envelope: np.ndarray | None = None,
    hop_length: int = 512,
    start_bpm: float = 120.0,
    tightness: float = 100,
    trim: bool = True,
    bpm: Any = None,
    prior: Any = None,
    units: str = "frames",
    sparse: bool = True,
) -> tuple[Any, np.ndarray]:
    """Tempo and beat positions (librosa.beat.beat_track).

    Parameters
    ----------
    y : np.ndarray, shape (..., n), optional
    sr : float > 0
    onset_envelope : np.ndarray, shape (..., n_frames), optional
        Default: :func:`ferrosa.onset.onset_strength` with ``aggregate=np.median``.
    hop_length : int > 0
    start_bpm : float > 0
        Prior tempo centre when the tempo is estimated.
    tightness : float > 0
        How strictly beats keep the tempo.
    trim : bool
        Drop weak beats at the start and end.
    bpm : float or np.ndarray, optional
        The tempo (global, or one per frame); estimated when omitted.
    prior : scipy.stats distribution, optional
        Tempo prior for the estimate.
    units : {"frames", "samples", "time"}
    sparse : bool
        Beat positions (1-D envelopes), or a boolean mask shaped like the envelope.

    Returns
    -------
    tempo : np.ndarray, shape (..., 1) (or the given ``bpm``), float64
    beats : np.ndarray
        Beat frames, samples or times; or the mask when ``sparse=False``.
    """
    if onset_envelope is None:
        if y is None:
            raise ParameterError("y or onset_envelope must be provided")
        onset_envelope = onset_strength(y=y, sr=sr, hop_length=hop_length, aggregate=np.median)
    env = np.asarray(onset_envelope)
    if sparse and env.ndim != 1:
        raise ParameterError(
            f"sparse=True (default) does not support {env.ndim}-dimensional inputs. "
            "Either set sparse=False or convert the signal to mono."
        )
    if not env.any():
        if sparse:
            return 0.0, np.array([], dtype=int)
        return np.zeros(env.shape[:-1], dtype=float), np.zeros_like(env, dtype=bool)
    if bpm is None:
        bpm = tempo(
            onset_envelope=env, sr=sr, hop_length=hop_length, start_bpm=start_bpm, prior=prior
        )
    beats = _track(env, np.atleast_1d(bpm), float(sr) / hop_length, tightness, trim)
    if sparse:
        frames = np.flatnonzero(beats)
        if units == "frames":
            return bpm, frames
        if units == "samples":
            return bpm, np.asarray(frames_to_samples(frames, hop_length=hop_length))
        if units == "time":
            return bpm, np.asarray(frames_to_time(frames, hop_length=hop_length, sr=sr))
        raise ParameterError(f"Invalid unit type: {units}")
    return bpm, beats


def _track(
    env: np.ndarray, bpm: np.ndarray, frame_rate: float, tightness: float, trim: bool
) -> np.ndarray:
    """librosa's ``__beat_tracker``: checks, periods, normalisation, then the Rust DP per row."""
    if np.any(bpm <= 0):
        raise ParameterError(f"bpm={bpm} must be strictly positive")
    if tightness <= 0:
        raise ParameterError("tightness must be strictly positive")
    if bpm.shape[-1] not in (1, env.shape[-1]):
        raise ParameterError(
            f"Invalid bpm shape={bpm.shape} does not match onset envelope shape={env.shape}"
        )
    if not np.issubdtype(env.dtype, np.floating):
        env = env.astype(np.float64)
    # bpm's own axes lead, as librosa's expand_to puts them.
    bpm = bpm.reshape(bpm.shape + (1,) * (env.ndim - bpm.ndim))
    periods = np.round(frame_rate * 60.0 / bpm)
    normed = env / (env.std(ddof=1, axis=-1, keepdims=True) + tiny(env))
    rows = normed.reshape(-1, env.shape[-1])
    per_row = np.broadcast_to(periods, env.shape[:-1] + (periods.shape[-1],)).reshape(len(rows), -1)
    out = np.empty(rows.shape, dtype=bool)
    for i, row in enumerate(rows):
        out[i] = _core.beat_track_dp(
            np.ascontiguousarray(row),
            np.ascontiguousarray(per_row[i], dtype=np.float64),
            float(tightness),
            bool(trim),
        )
    return out.reshape(env.shape)
