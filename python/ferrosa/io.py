"""Audio input: ``load``, ``resample``, ``get_duration`` and ``to_mono`` as in librosa.

Decoding is soundfile's (libsndfile: WAV, FLAC, OGG, MP3 where the installed
libsndfile has it) and resampling is soxr's, called exactly the way
librosa 0.11 calls them, so the samples are identical. Both libraries are
imported inside the functions: ``import ferrosa`` stays fast.

A whole ``.flac`` file given by path is decoded by ferrosa's Rust FLAC
decoder instead (faster than libsndfile, and it releases the GIL). It gives
libsndfile's samples bit for bit and refuses whatever it does not handle the
same way (bit depths other than 8/16/24, damaged frames, a length that
differs from the header), and such files go to soundfile as before.
"""

from __future__ import annotations

import os
import pathlib
import warnings
from numbers import Real
from typing import Any

import numpy as np

from ._optional import require
from .exceptions import ParameterError
from .util.files import check_regular_file
from .util.framing import fix_length
from .util.validation import valid_audio

__all__ = ["get_duration", "load", "resample", "to_mono"]


def _is_real(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _check_rate(name: str, value: Any) -> None:
    if not _is_real(value) or not value > 0:
        raise ParameterError(f"{name}={value!r} must be a positive number")


def to_mono(y: np.ndarray) -> np.ndarray:
    """Average all leading (channel) axes.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), floating point

    Returns
    -------
    np.ndarray, shape (n,), same dtype
    """
    valid_audio(y, mono=False)
    if y.ndim == 2 and 2 <= y.shape[0] < 8:
        # np.mean over the (strided) channel axis of decoded audio is slow. For
        # fewer than 8 terms numpy adds them in order and divides by an intp
        # count: the same operations, row-wise, give bit-identical results.
        acc = y[0] + y[1]
        for row in y[2:]:
            acc += row
        np.true_divide(acc, np.intp(y.shape[0]), out=acc, casting="unsafe")
        return acc
    if y.ndim > 1:
        y = np.mean(y, axis=tuple(range(y.ndim - 1)))
    return y


def resample(
    y: np.ndarray,
    *,
    orig_sr: float,
    target_sr: float,
    res_type: str = "soxr_hq",
    fix: bool = True,
    scale: bool = False,
    axis: int = -1,
    **kwargs: Any,
) -> np.ndarray:
    """Resample ``y`` from ``orig_sr`` to ``target_sr`` with librosa's backends.

    Parameters
    ----------
    y : np.ndarray, shape (..., n, ...), floating point
        May be empty (an empty result of the new length 0).
    orig_sr, target_sr : number > 0
    res_type : str
        As in librosa 0.11: ``"soxr_vhq"``, ``"soxr_hq"``, ``"soxr_mq"``,
        ``"soxr_lq"``, ``"soxr_qq"`` (soxr); ``"scipy"``/``"fft"``
        (``scipy.signal.resample``); ``"polyphase"``
        (``scipy.signal.resample_poly``, integer rates only);
        ``"linear"``, ``"zero_order_hold"``, ``"sinc_best"``,
        ``"sinc_medium"``, ``"sinc_fastest"`` (samplerate); any other name is
        a resampy filter (``"kaiser_best"``, ``"kaiser_fast"``, ...).
        resampy and samplerate are optional extras (``pip install
        ferrosa[resample]``); without them those names raise
        ``ModuleNotFoundError``, as in librosa.
    fix : bool
        Trim or zero-pad to exactly ``ceil(n * target_sr / orig_sr)`` samples.
    scale : bool
        Divide by ``sqrt(target_sr / orig_sr)`` to keep the energy.
    axis : int
        Time axis.
    **kwargs
        Passed to :func:`ferrosa.util.fix_length`.

    Returns
    -------
    np.ndarray, same dtype as ``y``, ``n`` replaced by the new length

    Raises
    ------
    ParameterError
        Invalid audio or rates; ``"polyphase"`` with a non-integer rate.
    """
    valid_audio(y, mono=False)
    _check_rate("orig_sr", orig_sr)
    _check_rate("target_sr", target_sr)
    if not isinstance(res_type, str):
        raise ParameterError(f"res_type={res_type!r} must be a string")
    return resample_checked(
        y, orig_sr, target_sr, res_type=res_type, fix=fix, scale=scale, axis=axis, **kwargs
    )


_SAMPLERATE = ("linear", "zero_order_hold", "sinc_best", "sinc_fastest", "sinc_medium")


def resample_checked(
    y: np.ndarray,
    orig_sr: float,
    target_sr: float,
    *,
    res_type: str = "soxr_hq",
    fix: bool = True,
    scale: bool = False,
    axis: int = -1,
    **kwargs: Any,
) -> np.ndarray:
    """:func:`resample` for arguments already checked (audio finite, rates positive).

    Decoded integer PCM is finite by construction; skipping the isfinite pass
    over a long recording saves a few milliseconds per file.
    """
    if orig_sr == target_sr:
        return y
    ratio = float(target_sr) / orig_sr
    n_samples = resampled_length(y.shape[axis], orig_sr, target_sr)
    y_hat = _backend(y, orig_sr, target_sr, res_type, ratio, n_samples, axis)
    if fix:
        y_hat = fix_length(y_hat, size=n_samples, axis=axis, **kwargs)
    if scale:
        y_hat /= np.sqrt(ratio)
    return np.asarray(y_hat, dtype=y.dtype)


def _backend(
    y: np.ndarray,
    orig_sr: float,
    target_sr: float,
    res_type: str,
    ratio: float,
    n_samples: int,
    axis: int,
) -> np.ndarray:
    """The resampler ``res_type`` names, called the way librosa 0.11 calls it."""
    if res_type.startswith("soxr"):
        soxr = require("soxr", "resampling (ferrosa.resample / ferrosa.load with sr=...)")

        # One soxr call per 1-D lane, as librosa does: identical samples.
        if y.ndim == 1:  # one lane: apply_along_axis would only add a copy
            return soxr.resample(y, in_rate=orig_sr, out_rate=target_sr, quality=res_type)
        return np.apply_along_axis(
            soxr.resample, axis=axis, arr=y, in_rate=orig_sr, out_rate=target_sr, quality=res_type
        )
    if res_type in ("scipy", "fft"):
        import scipy.signal

        return scipy.signal.resample(y, n_samples, axis=axis)
    if res_type == "polyphase":
        import scipy.signal

        if int(orig_sr) != orig_sr or int(target_sr) != target_sr:
            raise ParameterError(
                "polyphase resampling is only supported for integer-valued sampling rates, "
                f"not orig_sr={orig_sr!r}, target_sr={target_sr!r}"
            )
        up, down = int(target_sr), int(orig_sr)
        g = int(np.gcd(up, down))
        return scipy.signal.resample_poly(y, up // g, down // g, axis=axis)
    if res_type in _SAMPLERATE:
        import samplerate

        return np.apply_along_axis(
            samplerate.resample, axis=axis, arr=y, ratio=ratio, converter_type=res_type
        )
    import resampy

    return resampy.resample(y, orig_sr, target_sr, filter=res_type, axis=axis)


def resampled_length(n: int, orig_sr: float, target_sr: float) -> int:
    """Samples :func:`resample` (with ``fix=True``) makes of ``n``."""
    if orig_sr == target_sr:
        return n
    return int(np.ceil(n * (float(target_sr) / orig_sr)))


def _flac_name(path: Any) -> str | None:
    """The path as a str if it names a ``.flac`` file, else None."""
    if not isinstance(path, (str, os.PathLike)):
        return None
    name = os.fspath(path)
    if not isinstance(name, str) or not name.lower().endswith(".flac"):
        return None
    return name


def flac_info(path: Any) -> tuple[int, int, int] | None:
    """``(sample_rate, channels, frames)`` from a FLAC header, or None.

    None for what :func:`_decode_flac` would return None for by the header
    alone (not ``*.flac``, unreadable, not FLAC, unusual bit depth, unknown
    length). No audio is decoded: the file may still turn out damaged.
    """
    name = _flac_name(path)
    if name is None:
        return None
    from . import _core

    try:
        return _core.flac_info(name)
    except (RuntimeError, OSError, MemoryError):
        return None


def decode_flac(
    path: Any, dtype: Any = np.float32, mono: bool = False, frames: int | None = None
) -> tuple[np.ndarray, int] | None:
    """``(y, sr)`` of a FLAC file from the Rust decoder, or None to fall back
    to :func:`load` (for :mod:`ferrosa.datasets`; :func:`_decode_flac` is the work)."""
    return _decode_flac(path, dtype, mono, frames)


def _decode_flac(
    path: Any, dtype: Any = np.float32, mono: bool = False, frames: int | None = None
) -> tuple[np.ndarray, int] | None:
    """A whole ``.flac`` file from the Rust decoder, or None to let soundfile read it.

    Returns what ``soundfile.read(path, dtype=dtype).T`` gives, passed through
    :func:`to_mono` when ``mono``, with the rate: ``(n,)`` for one channel,
    else ``(channels, n)`` (C-contiguous below 8 channels). None for anything but a
    str/path-like named ``*.flac``, a dtype other than float32/float64, and
    every file the decoder refuses (unreadable, damaged, unusual): soundfile
    then reads it, or raises its own error.

    With ``frames``, only the first ``frames`` frames are returned (the same
    samples as ``[..., :frames]`` of the whole); the rest of the file is
    parsed without decoding and must be whole and undamaged all the same.
    """
    name = _flac_name(path)
    if name is None:
        return None
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        return None
    from . import _core

    # float32 channels are averaged while decoding, with to_mono's operations
    # (float64 ones are added in float64, below).
    try:
        y, sr = _core.decode_flac(name, mono and dt == np.float32, frames)
    except (RuntimeError, OSError, MemoryError):
        return None
    # 8/16/24-bit samples are exact in float32, so float64 is a plain widening
    # (libsndfile's double read is the same int / 2**(bits - 1)).
    y = y.astype(dt, copy=False)
    y = y[0] if y.shape[0] == 1 else y
    if y.ndim == 2 and y.shape[0] >= 8:
        # soundfile's frame-major layout, so that reductions over the channels
        # (numpy's pairwise mean in to_mono) add in the same order
        y = np.ascontiguousarray(y.T).T
    if mono and y.ndim == 2:  # float64, or 8 channels
        y = to_mono(y)
    return y, sr


def load(
    path: str | os.PathLike[str],
    *,
    sr: float | None = 22050,
    mono: bool = True,
    offset: float = 0.0,
    duration: float | None = None,
    dtype: Any = np.float32,
    res_type: str = "soxr_hq",
) -> tuple[np.ndarray, float]:
    """Load an audio file as floating point, resampled and mixed down like librosa.

    Parameters
    ----------
    path : str, path-like, open ``soundfile.SoundFile`` or audioread file
        What libsndfile cannot read is decoded by audioread when installed,
        with librosa's warnings.
    sr : number > 0 or None
        Target rate; ``None`` keeps the file's native rate.
    mono : bool
        Average the channels.
    offset : float >= 0
        Start reading this many seconds in.
    duration : float >= 0 or None
        Read at most this many seconds (0 reads nothing).
    dtype : floating dtype
    res_type : str
        See :func:`resample`.

    Returns
    -------
    y : np.ndarray, shape (n,) or (channels, n)
    sr : number
        The sampling rate of ``y``.

    Raises
    ------
    ParameterError
        For invalid arguments. A file (or an ``offset``/``duration`` window)
        without samples gives an empty ``y``, as in librosa.
    FileNotFoundError, IsADirectoryError
        Nothing at ``path``, or a directory.
    ferrosa.exceptions.FileTypeError
        A named pipe, device or socket (an ``OSError``): refused before
        opening, since reading it could block forever.
    soundfile.LibsndfileError, OSError
        When the file cannot be opened or decoded.
    audioread.exceptions.NoBackendError
        Neither libsndfile nor audioread can decode the file (librosa's
        exception), with both reasons in the message.
    """
    sf = require("soundfile", "ferrosa.load")

    if sr is not None:
        _check_rate("sr", sr)
    if not _is_real(offset) or not offset >= 0:
        raise ParameterError(f"offset={offset!r} must be a non-negative number")
    if duration is not None and (not _is_real(duration) or not duration >= 0):
        raise ParameterError(f"duration={duration!r} must be a non-negative number or None")
    if not np.issubdtype(np.dtype(dtype), np.floating):
        raise ParameterError(f"dtype={dtype!r} must be a floating-point type")
    if not isinstance(res_type, str):
        raise ParameterError(f"res_type={res_type!r} must be a string")

    check_regular_file(path)
    whole = not offset and duration is None
    decoded = _decode_flac(path, dtype, mono) if whole else None
    if decoded is not None:
        y, sr_native = decoded  # never empty; mixed down when mono
    else:
        if _is_audioread_file(path):
            y, sr_native = _audioread_load(path, offset, duration, dtype)
        else:
            try:
                y, sr_native = _soundfile_load(path, offset, duration, dtype)
            except sf.SoundFileRuntimeError as sf_err:
                if not isinstance(path, (str, pathlib.PurePath)):
                    raise
                warnings.warn("PySoundFile failed. Trying audioread instead.", stacklevel=2)
                y, sr_native = _audioread_fallback(path, offset, duration, dtype, sf_err)
        if mono:
            y = to_mono(y)
    if sr is None:
        return y, sr_native
    return resample(y, orig_sr=sr_native, target_sr=sr, res_type=res_type), sr


def _soundfile_load(
    path: Any, offset: float, duration: float | None, dtype: Any
) -> tuple[np.ndarray, int]:
    """``(y, sr)`` read by soundfile: ``(n,)`` or ``(channels, n)``, possibly empty."""
    import soundfile as sf

    context = path if isinstance(path, sf.SoundFile) else sf.SoundFile(path)
    with context as f:
        sr_native = f.samplerate
        if offset:
            f.seek(int(offset * sr_native))
        frames = -1 if duration is None else int(duration * sr_native)
        y = f.read(frames=frames, dtype=dtype, always_2d=False).T
    return y, sr_native


def _is_audioread_file(path: Any) -> bool:
    """Whether ``path`` is an open audioread file object (never imports audioread)."""
    import sys

    audioread = sys.modules.get("audioread")
    if audioread is None:
        return False
    return isinstance(path, tuple(audioread.available_backends()))


def _audioread_fallback(
    path: Any, offset: float, duration: float | None, dtype: Any, sf_err: Exception
) -> tuple[np.ndarray, int]:
    """:func:`_audioread_load` after libsndfile refused ``path``.

    audioread's ``NoBackendError`` (librosa's exception here) carries no
    message; it is raised again with the file and libsndfile's reason.
    """
    try:
        return _audioread_load(path, offset, duration, dtype)
    except Exception as err:
        if type(err).__name__ != "NoBackendError":
            raise
        raise type(err)(
            f"cannot decode {os.fspath(path)!r}: libsndfile: {sf_err}; "
            "audioread: no backend can read it"
        ) from None


def _audioread_load(
    path: Any, offset: float, duration: float | None, dtype: Any
) -> tuple[np.ndarray, int]:
    """``(y, sr)`` decoded by audioread (librosa's fallback for what libsndfile cannot read).

    audioread yields interleaved 16-bit little-endian PCM; samples are scaled
    by ``2**-15`` as ``librosa.util.buf_to_float`` does.
    """
    import audioread

    warnings.warn(
        "Audioread support is deprecated in librosa 0.10.0 and will be removed in version 1.0.",
        FutureWarning,
        stacklevel=3,
    )
    reader = path if _is_audioread_file(path) else audioread.audio_open(os.fspath(path))
    with reader as f:
        sr_native = f.samplerate
        channels = f.channels
        pcm = b"".join(bytes(block) for block in f)
    y = (np.frombuffer(pcm, dtype="<i2") * (1.0 / 32768)).astype(dtype)
    start = int(sr_native * offset) * channels
    stop = None if duration is None else start + int(sr_native * duration) * channels
    y = y[start:stop]
    if channels > 1:
        y = y.reshape((-1, channels)).T
    return y, sr_native


def get_duration(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    S: np.ndarray | None = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    center: bool = True,
    path: str | os.PathLike[str] | None = None,
) -> float:
    """Duration in seconds of a file, an audio buffer or a spectrogram.

    ``path`` wins over ``S``, which wins over ``y``, as in librosa.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), optional
    sr : number > 0
    S : np.ndarray, shape (..., d, t), optional
        STFT-like matrix; accurate to the frame.
    n_fft, hop_length : int > 0
    center : bool
    path : str or path-like, optional
        Read from the file header without decoding.

    Returns
    -------
    float
    """
    if path is not None:
        sf = require("soundfile", "ferrosa.get_duration(path=...)")

        check_regular_file(path)
        return float(sf.info(os.fspath(path)).duration)
    _check_rate("sr", sr)
    if y is None:
        if S is None:
            raise ParameterError("At least one of (y, sr), S, or path must be provided")
        n_samples = n_fft + hop_length * (S.shape[-1] - 1)
        if center:
            n_samples -= 2 * (n_fft // 2)
    else:
        if np.ndim(y) == 0:
            raise ParameterError(f"y must be at least one-dimensional, got shape {np.shape(y)}")
        n_samples = np.shape(y)[-1]
    return float(n_samples) / sr
