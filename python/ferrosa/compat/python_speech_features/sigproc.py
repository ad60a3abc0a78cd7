"""python_speech_features.sigproc: pre-emphasis, framing and frame spectra,
with that package's names and defaults; the FFTs run in ferrosa's Rust STFT."""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable

import numpy as np

from ...exceptions import ParameterError
from ...signal._frames import frame_spectra, power

__all__ = [
    "deframesig",
    "framesig",
    "logpowspec",
    "magspec",
    "powspec",
    "preemphasis",
    "round_half_up",
]


def _ones(n: int) -> np.ndarray:
    return np.ones((n,))


def round_half_up(number: float) -> int:
    """Round halves away from zero, as python_speech_features does."""
    return int(
        decimal.Decimal(number).quantize(decimal.Decimal("1"), rounding=decimal.ROUND_HALF_UP)
    )


def preemphasis(signal: np.ndarray, coeff: float = 0.95) -> np.ndarray:
    """``y[0] = x[0]``, ``y[n] = x[n] - coeff * x[n - 1]`` (1-D signal)."""
    signal = np.asarray(signal)
    if signal.ndim != 1 or signal.size == 0:
        raise ParameterError(f"signal must be a non-empty 1-D array, got shape {signal.shape}")
    return np.append(signal[0], signal[1:] - coeff * signal[:-1])


def _geometry(slen: int, frame_len: float, frame_step: float) -> tuple[int, int, int]:
    flen = int(round_half_up(frame_len))
    step = int(round_half_up(frame_step))
    if flen < 1:
        raise ParameterError(f"frame_len={frame_len!r} must round to at least one sample")
    if step < 1:
        raise ParameterError(f"frame_step={frame_step!r} must round to at least one sample")
    n = 1 if slen <= flen else 1 + int(math.ceil((1.0 * slen - flen) / step))
    return flen, step, n


def framesig(
    sig: np.ndarray,
    frame_len: float,
    frame_step: float,
    winfunc: Callable[[int], np.ndarray] = _ones,
    stride_trick: bool = True,
) -> np.ndarray:
    """Overlapping frames of ``sig``, zero-padded at the end, times ``winfunc``.

    Returns
    -------
    np.ndarray, shape (numframes, frame_len)
    """
    sig = np.asarray(sig)
    if sig.ndim != 1 or sig.size == 0:
        raise ParameterError(f"sig must be a non-empty 1-D array, got shape {sig.shape}")
    flen, step, n = _geometry(len(sig), frame_len, frame_step)
    padlen = (n - 1) * step + flen
    pad = np.concatenate((sig, np.zeros((padlen - len(sig),))))
    frames = np.lib.stride_tricks.sliding_window_view(pad, flen)[::step]
    return frames * np.asarray(winfunc(flen))


def deframesig(
    frames: np.ndarray,
    siglen: int,
    frame_len: float,
    frame_step: float,
    winfunc: Callable[[int], np.ndarray] = _ones,
) -> np.ndarray:
    """Overlap-add of frames, divided by the summed window (plus 1e-15)."""
    flen = round_half_up(frame_len)
    step = round_half_up(frame_step)
    frames = np.asarray(frames)
    if frames.ndim != 2 or frames.shape[1] != flen:
        raise ParameterError(f"frames has shape {frames.shape}, expected (n, {flen})")
    n = frames.shape[0]
    padlen = (n - 1) * step + flen
    siglen = padlen if siglen <= 0 else siglen
    rec = np.zeros((padlen,))
    corr = np.zeros((padlen,))
    win = np.asarray(winfunc(flen))
    for i in range(n):
        corr[i * step : i * step + flen] += win + 1e-15
        rec[i * step : i * step + flen] += frames[i]
    return (rec / corr)[:siglen]


def spectra_of(
    sig: np.ndarray,
    frame_len: float,
    frame_step: float,
    nfft: int,
    winfunc: Callable[[int], np.ndarray] = _ones,
) -> np.ndarray:
    """rfft(framesig(sig, ...), nfft) in one Rust STFT pass: frames longer
    than ``nfft`` are truncated and shorter ones zero-padded, as numpy does.

    Returns
    -------
    np.ndarray, shape (numframes, nfft // 2 + 1), complex128
    """
    sig = np.asarray(sig, dtype=np.float64)
    if sig.ndim != 1 or sig.size == 0:
        raise ParameterError(f"signal must be a non-empty 1-D array, got shape {sig.shape}")
    if isinstance(nfft, bool) or int(nfft) != nfft or nfft < 1:
        raise ParameterError(f"nfft={nfft!r} must be a positive integer")
    nfft = int(nfft)
    flen, step, n = _geometry(len(sig), frame_len, frame_step)
    win = np.zeros(nfft)
    k = min(flen, nfft)
    win[:k] = np.asarray(winfunc(flen), dtype=np.float64)[:k]
    buf = np.zeros((1, (n - 1) * step + max(flen, nfft)))
    buf[0, : len(sig)] = sig
    return frame_spectra(buf, win, nfft, step)[0]


def magspec(frames: np.ndarray, NFFT: int) -> np.ndarray:  # noqa: N803 - psf's name
    """``|rfft(frames, NFFT)|`` per frame (rows)."""
    frames = np.atleast_2d(np.asarray(frames, dtype=np.float64))
    spec = spectra_of(frames.reshape(-1), frames.shape[1], frames.shape[1], NFFT)
    return np.sqrt(power(spec))


def powspec(frames: np.ndarray, NFFT: int) -> np.ndarray:  # noqa: N803 - psf's name
    """``|rfft(frames, NFFT)|^2 / NFFT`` per frame (rows)."""
    frames = np.atleast_2d(np.asarray(frames, dtype=np.float64))
    spec = spectra_of(frames.reshape(-1), frames.shape[1], frames.shape[1], NFFT)
    return power(spec) / NFFT


def logpowspec(frames: np.ndarray, NFFT: int, norm: int = 1) -> np.ndarray:  # noqa: N803
    """``10 log10`` of :func:`powspec` (floored at 1e-30), minus its maximum when ``norm``."""
    ps = powspec(frames, NFFT)
    ps[ps <= 1e-30] = 1e-30
    lps = 10 * np.log10(ps)
    return lps - np.max(lps) if norm else lps
