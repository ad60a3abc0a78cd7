"""One recording -> its segment features, or the reason it cannot be used.

Runs in worker threads: decoding (the Rust FLAC decoder, libsndfile for the
rest), soxr and the Rust kernels release the GIL, so threads use every core
without forking after Rust's pool started. For FLAC, only the head the
segments use is decoded and resampled (see ``head``).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..exceptions import ParameterError
from ..util.files import file_kind
from .config import FeatureConfig
from .denoise import denoise_recording
from .features import featurize
from .head import load_head, plan_head
from .segment import segment

__all__ = ["BadFile", "Extracted", "extract", "load_checked"]

# libsndfile's header log says "data : 88200 (should be 44078)" for a cut WAV/AIFF.
_SHOULD_BE = re.compile(r"^\s*(?:data|SSND)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)
# Streaming writers leave these placeholder sizes: not a truncation.
_PLACEHOLDERS = {0, 0xFFFFFFFF, 0x7FFFFFFF, 0xFFFFFFFF - 7}
# MPEG decoders may stop up to a couple of frames short of the header's count.
_MP3_SLACK = 2 * 1152


class BadFile(Exception):
    """A recording that cannot be used; the message is the reason stored in ``failures``."""


@dataclass
class Extracted:
    """Features of one recording (``failure`` is None) or why there are none."""

    features: np.ndarray | None
    starts: np.ndarray
    failure: str | None = None


def _check_file_type(path: Path) -> None:
    """Refuse a pipe, device or socket before anything opens it (it could block)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise BadFile("cannot read: file does not exist (broken link?)") from None
    except OSError as e:
        raise BadFile(f"cannot read: {e.strerror or e}") from None
    if stat.S_ISDIR(st.st_mode):
        raise BadFile("cannot read: is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise BadFile(f"cannot read: is {file_kind(st.st_mode)}, not a regular file")


def _check_readable(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(1)
    except FileNotFoundError:
        raise BadFile("cannot read: file does not exist (broken link?)") from None
    except PermissionError:
        raise BadFile("cannot read: permission denied") from None
    except IsADirectoryError:
        raise BadFile("cannot read: is a directory") from None
    except OSError as e:
        raise BadFile(f"cannot read: {e.strerror or e}") from None
    if not head:
        raise BadFile("empty file (0 bytes)")


def load_checked(path: str | os.PathLike[str], config: FeatureConfig) -> np.ndarray:
    """``ferrosa.load(path, sr=config.sr, mono=config.mono)`` with the reasons a file is bad.

    Raises
    ------
    BadFile
        Unreadable, empty, undecodable, truncated, no samples, non-finite.
    """
    from .._optional import require
    from ..io import decode_flac, load, resample

    p = Path(path)
    # FLAC: the Rust decoder reads exactly the (non-zero) frames the header
    # declares, so the file was readable and is not truncated; or it refuses
    # the file, which then goes through the checks and soundfile below.
    decoded = decode_flac(p, mono=config.mono)
    sf = require("soundfile", "reading audio files")
    if decoded is None:
        _check_readable(p)
    try:
        if decoded is not None:
            y, native_sr = decoded
            frames, log = y.shape[-1], ""
            y = resample(y, orig_sr=native_sr, target_sr=config.sr)
        else:
            # One open: the header facts first, then load() decodes from the same handle.
            handle = sf.SoundFile(os.fspath(p))
            frames, native_sr, log = handle.frames, handle.samplerate, handle.extra_info
            y, _ = load(handle, sr=config.sr, mono=config.mono)
    except sf.LibsndfileError as e:
        msg = getattr(e, "error_string", str(e)).strip()
        raise BadFile(f"cannot decode as audio: {msg}") from None
    except ParameterError as e:
        if "not finite" in str(e):
            raise BadFile("audio is not finite everywhere (NaN or inf samples)") from None
        raise BadFile("no audio: the file holds 0 samples") from None
    except (RuntimeError, OSError, ValueError, EOFError) as e:
        raise BadFile(f"cannot decode: {type(e).__name__}: {e}") from None
    if y.shape[-1] == 0:  # load returns empty audio for an empty file, as librosa
        raise BadFile("no audio: the file holds 0 samples")
    m = _SHOULD_BE.search(log or "")
    if m and int(m[1]) > int(m[2]) and int(m[1]) not in _PLACEHOLDERS:
        raise BadFile(
            f"truncated: the header declares {m[1]} bytes of audio, the file holds {m[2]}"
        )
    decoded = y.shape[-1] * native_sr / config.sr
    if frames > 0 and decoded < frames - _MP3_SLACK and decoded < 0.99 * frames:
        raise BadFile(
            f"truncated: the header declares {frames} frames, only ~{int(decoded)} decode"
        )
    if not np.isfinite(y).all():
        raise BadFile("audio is not finite everywhere (NaN or inf samples)")
    if not config.mono:
        y = np.atleast_2d(y)
    return y


def _conform_channels(y: np.ndarray, config: FeatureConfig) -> np.ndarray:
    """With ``mono=False``: exactly ``config.channels`` rows (a one-channel
    recording is duplicated; another count is a failure)."""
    if config.mono:
        return y
    y = np.atleast_2d(y)
    if y.shape[0] == config.channels:
        return y
    if y.shape[0] == 1:
        return np.repeat(y, config.channels, axis=0)
    raise BadFile(f"has {y.shape[0]} channels; the store keeps {config.channels} (config.channels)")


def _too_short(n: int, config: FeatureConfig) -> BadFile:
    length = config.segment_samples or 0
    return BadFile(
        f"shorter than one segment ({n / config.sr:.3f} s < "
        f"{length / config.sr:.3f} s) and short='drop'"
    )


def _denoised(y: np.ndarray, config: FeatureConfig) -> np.ndarray:
    """:func:`denoise_recording`, a refusal being this file's failure."""
    try:
        return denoise_recording(y, config)
    except ParameterError as e:  # e.g. a recording shorter than one STFT frame
        raise BadFile(f"cannot denoise: {e}") from None


def _load_used(path: str | os.PathLike[str], config: FeatureConfig) -> np.ndarray:
    """``load_checked``, or for FLAC only the head the segments use (see ``head``).

    Gives the same segments and the same failures as the whole recording,
    except that a FLAC file whose header declares less than one segment
    (``short="drop"``) is refused as too short without being decoded.
    """
    if config.denoise is not None:
        # The noise statistics come from the whole recording, so no head reads.
        return _denoised(load_checked(path, config), config)
    head = plan_head(path, config)
    if head is None or head.used >= head.n:
        return load_checked(path, config)
    if head.used == 0:
        raise _too_short(head.n, config)
    y = load_head(path, head, config)
    # A refused file takes the whole-file path, which says why; silence is
    # judged on the whole recording, so an all-zero head is decided there too.
    if y is None or not np.any(y):
        return load_checked(path, config)
    # 8/16/24-bit integers scaled and resampled are finite: no isfinite pass needed.
    return y if config.mono else np.atleast_2d(y)


def extract(
    path: str | os.PathLike[str],
    config: FeatureConfig,
    *,
    keep_silent: bool = False,
    expected: tuple[int, ...] | None = None,
) -> Extracted:
    """Load, check, segment and featurise one recording; never raises for a bad file.

    Parameters
    ----------
    path : path-like
    config : FeatureConfig
    keep_silent : bool
        Keep recordings whose samples are all zero (else they are failures).
    expected : (C, F, T), optional
        Feature shape every recording must give.

    Returns
    -------
    Extracted
        ``features`` (n_seg, C, F, T) float32 and ``starts`` (n_seg,) int64, or
        ``failure`` with a one-line reason.
    """
    empty = np.zeros(0, dtype=np.int64)
    try:
        _check_file_type(Path(path))
        y = _conform_channels(_load_used(path, config), config)
        if not keep_silent and not np.any(y):
            raise BadFile("silent: every sample is zero")
        segs = segment(y, config.sr, config)
        if not segs:
            raise _too_short(y.shape[-1], config)
        X = featurize(segs, config.sr, config)
    except BadFile as e:
        return Extracted(None, empty, str(e))
    except ParameterError as e:
        return Extracted(None, empty, f"cannot featurise: {e}")
    except MemoryError:
        return Extracted(None, empty, "out of memory while featurising")
    if expected is not None and tuple(X.shape[1:]) != tuple(expected):
        return Extracted(
            None, empty, f"feature shape {tuple(X.shape[1:])} differs from {tuple(expected)}"
        )
    if not np.isfinite(X).all():
        n_bad = int(np.sum(~np.isfinite(X)))
        return Extracted(None, empty, f"features are not finite ({n_bad} values)")
    starts = np.array([s for s, _ in segs], dtype=np.int64)
    return Extracted(X, starts, None)
