"""Reading only what the segments need: FLAC header first, then the used head.

A FLAC header declares the stream's length, so before decoding anything
``prepare`` knows how many samples at ``config.sr`` the recording will have
and which of them its segments use. A recording shorter than one segment
(with ``short="drop"``) is refused unread, and when the tail is dropped only
the head is decoded and resampled. The rest of the file is still parsed
(frame CRCs, no gap, exactly the declared length) by the Rust decoder, so a
cut or damaged file is refused as before.

soxr is a causal streaming filter: output sample ``k`` depends on the input up
to a little past ``k / ratio``, processed in fixed blocks from the start.
Resampling the head plus :data:`SOXR_MARGIN` (in output samples, scaled by
the rate ratio when downsampling) gives the same samples bit for bit as
resampling the whole file (``tests/test_datasets_head.py`` checks this across
rates); the largest margin measured was about 1300 output samples.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from .config import FeatureConfig
from .segment import used_samples

__all__ = ["SOXR_MARGIN", "Head", "head_frames", "plan_head", "load_head"]

#: Extra input beyond the used head, in output-rate samples (about 3x the measured need).
SOXR_MARGIN = 4096


@dataclass(frozen=True)
class Head:
    """What the header says about a FLAC recording at ``config.sr``.

    Attributes
    ----------
    n : int
        Samples the whole recording has at ``config.sr``.
    used : int
        Samples its segments use from the start (0: none, it is too short).
    native_sr : int
        The file's rate.
    frames : int
        The file's frames at ``native_sr``.
    """

    n: int
    used: int
    native_sr: int
    frames: int


def head_frames(used: int, orig_sr: float, target_sr: float) -> int:
    """Input frames to resample so the first ``used`` output samples are exact.

    Parameters
    ----------
    used : int >= 0
        Output samples wanted, at ``target_sr``.
    orig_sr, target_sr : number > 0

    Returns
    -------
    int
        Frames at ``orig_sr`` (may exceed the file; the caller caps it).
    """
    if orig_sr == target_sr:
        return used
    scale = max(1.0, orig_sr / target_sr)
    return math.ceil(used * orig_sr / target_sr) + math.ceil(SOXR_MARGIN * scale)


def plan_head(path: str | os.PathLike[str], config: FeatureConfig) -> Head | None:
    """Read the FLAC header of ``path`` and say which samples the segments use.

    Returns
    -------
    Head or None
        None when the header cannot be used (not FLAC, refused by the Rust
        decoder): the caller then loads the whole file its usual way.
    """
    from ..io import flac_info, resampled_length

    info = flac_info(path)
    if info is None:
        return None
    native_sr, _, frames = info
    n = resampled_length(frames, native_sr, config.sr)
    return Head(n, used_samples(n, config), native_sr, frames)


def load_head(path: str | os.PathLike[str], head: Head, config: FeatureConfig) -> np.ndarray | None:
    """The first ``head.used`` samples of ``load(path, sr=config.sr, mono=config.mono)``.

    Returns
    -------
    np.ndarray or None
        ``(used,)`` or ``(channels, used)`` float32; None when the decoder
        refuses the file (damaged, cut): the caller then loads the whole
        file, which reports why.
    """
    from ..io import decode_flac, resample_checked

    want = head_frames(head.used, head.native_sr, config.sr)
    decoded = decode_flac(path, mono=config.mono, frames=min(want, head.frames))
    if decoded is None:
        return None
    y, native_sr = decoded
    # Scaled 8/16/24-bit integers: finite, so resample's isfinite pass is skipped.
    y = resample_checked(y, native_sr, config.sr)
    return y[..., : head.used]
