"""Cutting a recording into fixed-length segments, with stated tail and short-file policies."""

from __future__ import annotations

import numpy as np

from ..exceptions import ParameterError
from .config import FeatureConfig

__all__ = ["segment", "segment_starts", "used_samples"]


def segment_starts(n: int, config: FeatureConfig) -> list[tuple[int, int]]:
    """Where the segments of an ``n``-sample recording start, and how much audio each holds.

    Parameters
    ----------
    n : int >= 0
        Recording length in samples at ``config.sr``.
    config : FeatureConfig

    Returns
    -------
    list of (start, n_valid)
        ``n_valid < segment_samples`` marks a segment to zero-pad. Empty when
        the recording is shorter than one segment and ``config.short == "drop"``
        (or it is empty).

    Notes
    -----
    Full segments start at ``0, hop, 2 hop, ...`` while they fit. If audio is
    left after the last full segment, ``tail="pad"`` adds one zero-padded
    segment at the next start; ``tail="drop"`` discards it (the tutorials'
    behaviour). A recording shorter than one segment gives one zero-padded
    segment with ``short="pad"``, none with ``short="drop"``.
    ``segments_per_file`` caps the count.
    """
    length = config.segment_samples
    if n <= 0:
        return []
    if length is None:
        return [(0, n)]
    hop = config.hop_samples
    assert hop is not None
    cap = config.segments_per_file
    if n < length:
        return [(0, n)] if config.short == "pad" else []
    out = [(s, length) for s in range(0, n - length + 1, hop)]
    covered = out[-1][0] + length
    nxt = out[-1][0] + hop
    if config.tail == "pad" and covered < n and nxt < n:
        out.append((nxt, n - nxt))
    if cap is not None:
        out = out[:cap]
    return out


def used_samples(n: int, config: FeatureConfig) -> int:
    """How many samples from the start of an ``n``-sample recording its segments use.

    Parameters
    ----------
    n : int >= 0
        Recording length in samples at ``config.sr``.
    config : FeatureConfig

    Returns
    -------
    int
        ``n`` when every sample may matter (whole recordings, a padded
        tail), less when dropped tails or ``segments_per_file`` leave the
        end unused, 0 when no segment is kept. ``segment_starts(used, config)``
        equals ``segment_starts(n, config)`` whenever ``used > 0``.
    """
    return max((start + valid for start, valid in segment_starts(n, config)), default=0)


def segment(y: np.ndarray, sr: float, config: FeatureConfig) -> list[tuple[int, np.ndarray]]:
    """Cut a recording into the segments ``config`` describes.

    Parameters
    ----------
    y : np.ndarray, shape (n,) or (channels, n), floating point
        The recording at ``config.sr``.
    sr : number
        Rate of ``y``; must equal ``config.sr`` (load with
        ``ferrosa.load(path, sr=config.sr)``).
    config : FeatureConfig

    Returns
    -------
    list of (start, segment)
        ``start`` in samples; each ``segment`` has shape ``(..., segment_samples)``
        (``(..., n)`` for whole recordings), zero-padded at the end where the
        policy pads. Segments are views of ``y`` where no padding is needed.

    Raises
    ------
    ParameterError
        If ``sr`` differs from ``config.sr`` or ``y`` is not 1-D/2-D float audio.
    """
    if sr != config.sr:
        raise ParameterError(f"sr={sr!r} differs from config.sr={config.sr}: resample first")
    y = np.asarray(y)
    if y.ndim not in (1, 2) or not np.issubdtype(y.dtype, np.floating):
        raise ParameterError(f"y must be 1-D or 2-D floating-point audio, got {y.dtype} {y.shape}")
    length = config.segment_samples
    out: list[tuple[int, np.ndarray]] = []
    for start, valid in segment_starts(y.shape[-1], config):
        piece = y[..., start : start + valid]
        if length is not None and valid < length:
            pad = [(0, 0)] * (y.ndim - 1) + [(0, length - valid)]
            piece = np.pad(piece, pad)
        out.append((start, piece))
    return out
