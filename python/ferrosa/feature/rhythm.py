"""Tempo features (librosa.feature.tempogram, librosa.feature.tempo).

The autocorrelation tempogram windows the onset envelope around every frame
(8 s by default), autocorrelates each window and normalises it; the tempo
is the lag that maximises the log tempogram plus a log-normal prior around
``start_bpm``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from ..core.convert import tempo_frequencies
from ..core.time_convert import time_to_frames
from ..exceptions import ParameterError
from ..filters import get_window
from ..util.fftsize import next_fast_len
from ..util.normalize import normalize

__all__ = ["tempo", "tempogram"]


def tempogram(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    onset_envelope: np.ndarray | None = None,
    hop_length: int = 512,
    win_length: int = 384,
    center: bool = True,
    window: Any = "hann",
    norm: float | None = np.inf,
) -> np.ndarray:
    """Autocorrelation tempogram (librosa.feature.tempogram).

    Parameters
    ----------
    y : np.ndarray, shape (..., n), optional
        Audio, when ``onset_envelope`` is not given.
    sr : float > 0
    onset_envelope : np.ndarray, shape (..., n_frames), optional
    hop_length : int > 0
    win_length : int > 0
        Window in frames (384: about 8.9 s at 22050 Hz, hop 512).
    center : bool
        Centre windows on frames (the envelope is padded with linear ramps to 0).
    window : str, tuple or callable
    norm : float or None
        Normalisation of each frame's autocorrelation (``inf``: by its maximum).

    Returns
    -------
    np.ndarray, shape (..., win_length, n_frames)
        Lag ``k`` in row ``k``.
    """
    from ..onset import onset_strength  # onset imports the feature package

    if win_length < 1:
        raise ParameterError("win_length must be a positive integer")
    ac_window = get_window(window, win_length, fftbins=True)
    if onset_envelope is None:
        if y is None:
            raise ParameterError("Either y or onset_envelope must be provided")
        onset_envelope = onset_strength(y=y, sr=sr, hop_length=hop_length)
    env = np.asarray(onset_envelope)
    if np.iscomplexobj(env):  # finiteness is the kernel's check
        raise ParameterError("onset_envelope must be real")
    n = env.shape[-1]
    if center:
        pad = [(0, 0)] * env.ndim
        pad[-1] = (int(win_length // 2),) * 2
        env = np.pad(env, pad, mode="linear_ramp", end_values=[0, 0])
    if env.shape[-1] < win_length:
        raise ParameterError(
            f"Input is too short (n={env.shape[-1]:d}) for frame_length={win_length:d}"
        )
    # Each hop-1 window autocorrelated in Rust, frame-major; lags go to axis -2.
    n_fft = next_fast_len(2 * win_length - 1)
    window64 = np.ascontiguousarray(ac_window, dtype=np.float64)
    rows = np.ascontiguousarray(env.reshape(-1, env.shape[-1]), dtype=np.float64)
    parts = [_core.tempogram_frames(row, window64, n_fft) for row in rows]
    ac = np.stack([np.swapaxes(p[:n] if center else p, 0, 1) for p in parts])
    ac = ac.reshape(env.shape[:-1] + ac.shape[-2:])
    result: np.ndarray = normalize(ac, norm=norm, axis=-2)
    return result


def tempo(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    onset_envelope: np.ndarray | None = None,
    tg: np.ndarray | None = None,
    hop_length: int = 512,
    start_bpm: float = 120,
    std_bpm: float = 1.0,
    ac_size: float = 8.0,
    max_tempo: float | None = 320.0,
    aggregate: Callable[..., Any] | None = np.mean,
    prior: Any = None,
) -> np.ndarray:
    """Global (or per-frame) tempo estimate (librosa.feature.tempo).

    Parameters
    ----------
    y, sr, onset_envelope, hop_length
        As for :func:`tempogram`.
    tg : np.ndarray, shape (..., win_length, n_frames), optional
        A precomputed tempogram.
    start_bpm : float > 0
        Centre of the log-normal prior.
    std_bpm : float > 0
        Its width in octaves.
    ac_size : float > 0
        Tempogram window in seconds.
    max_tempo : float or None
        Tempi above are excluded.
    aggregate : callable or None
        Reduces the tempogram over time first (``np.mean``); None gives a
        tempo per frame.
    prior : object with ``logpdf``, optional
        A ``scipy.stats`` distribution over BPM replacing the log-normal.

    Returns
    -------
    np.ndarray, shape (..., 1) or (..., n_frames), float64
        Beats per minute.
    """
    if start_bpm <= 0:
        raise ParameterError("start_bpm must be strictly positive")
    if tg is None:
        win_length = int(np.asarray(time_to_frames(ac_size, sr=sr, hop_length=hop_length)))
        tg = tempogram(
            y=y, sr=sr, onset_envelope=onset_envelope, hop_length=hop_length, win_length=win_length
        )
    else:
        win_length = tg.shape[-2]
    if aggregate is not None:
        tg = aggregate(tg, axis=-1, keepdims=True)
    bpms = tempo_frequencies(win_length, hop_length=hop_length, sr=sr)
    if prior is None:
        with np.errstate(divide="ignore", invalid="ignore"):
            logprior = -0.5 * ((np.log2(bpms) - np.log2(start_bpm)) / std_bpm) ** 2
    else:
        logprior = prior.logpdf(bpms)
    if max_tempo is not None:
        logprior[: int(np.argmax(bpms < max_tempo))] = -np.inf
    best = np.argmax(np.log1p(1e6 * np.asarray(tg)) + logprior[:, None], axis=-2)
    result: np.ndarray = np.take(bpms, best)
    return result
