"""STFT, ISTFT, magnitude/phase and decibel conversions (librosa.core.spectrum)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _core
from ..exceptions import ParameterError
from ..filters import window_for
from ..util.validation import (
    NOT_FINITE,
    as_channels,
    check_audio,
    check_positive_int,
    check_stft_memory,
    complex_dtype,
    dtype_c2r,
    dtype_r2c,
    float_audio,
    real_dtype,
    valid_audio,
)

__all__ = [
    "amplitude_to_db",
    "db_to_amplitude",
    "db_to_power",
    "istft",
    "magphase",
    "power_to_db",
    "stft",
]

_STFT_PAD_MODES = ("constant", "reflect", "edge", "symmetric")


def resolve_stft_params(
    n_fft: Any, hop_length: Any, win_length: Any, pad_mode: str, center: bool
) -> tuple[int, int, int]:
    """Validate STFT geometry and fill librosa's defaults.

    Returns
    -------
    (n_fft, hop_length, win_length)
    """
    n_fft = check_positive_int("n_fft", n_fft)
    win_length = n_fft if win_length is None else check_positive_int("win_length", win_length)
    if win_length > n_fft:
        raise ParameterError(f"win_length={win_length} must be at most n_fft={n_fft}")
    if hop_length is None:
        hop_length = win_length // 4
        if hop_length <= 0:
            raise ParameterError(f"hop_length={hop_length} must be a positive integer")
    hop_length = check_positive_int("hop_length", hop_length)
    if center and pad_mode not in _STFT_PAD_MODES:
        raise ParameterError(
            f"pad_mode='{pad_mode}' is not supported by ferrosa.stft; "
            f"use one of {', '.join(_STFT_PAD_MODES)}"
        )
    return n_fft, hop_length, win_length


def check_length(y: np.ndarray, n_fft: int, center: bool) -> None:
    """Raise if ``n_fft`` exceeds the (padded) signal, as librosa does."""
    n = y.shape[-1]
    padded = n + 2 * (n_fft // 2) if center else n
    if n_fft > padded:
        raise ParameterError(f"n_fft={n_fft} is too large for input signal of length={n}")


@dataclass(frozen=True)
class StftInput:
    """Checked audio and STFT geometry, from :func:`stft_input`.

    The window and the ``(channels, n)`` view are made on request
    (:meth:`fft_window`, :meth:`channels`), so callers keep their own order
    of the remaining checks (memory, feature parameters) before that work.
    """

    y: np.ndarray
    n_fft: int
    hop_length: int
    win_length: int
    window: Any
    center: bool
    pad_mode: str

    def fft_window(self) -> np.ndarray:
        """The analysis window padded to ``n_fft``, float64 ``(n_fft,)``."""
        return window_for(self.window, self.win_length, self.n_fft)

    def channels(self) -> tuple[np.ndarray, tuple[int, ...]]:
        """``y`` as C-contiguous float32/float64 ``(channels, n)`` and its leading shape."""
        return as_channels(float_audio(self.y))


def stft_input(
    y: Any,
    n_fft: Any,
    hop_length: Any,
    win_length: Any,
    window: Any,
    center: Any,
    pad_mode: str,
    *,
    finite: bool = True,
) -> StftInput:
    """The STFT argument prologue every audio entry point shares.

    Checks ``y`` (finite floating audio, any leading shape), fills librosa's
    defaults (``win_length = n_fft``, ``hop_length = win_length // 4``),
    checks the geometry and ``pad_mode``, and that ``n_fft`` fits the
    (padded) signal. ``center`` is taken by truthiness, as librosa does.
    ``finite=False`` leaves the finiteness pass to the caller.

    Raises
    ------
    ParameterError
        Naming the offending value.
    """
    check_audio(y, mono=False, finite=finite)
    n_fft, hop_length, win_length = resolve_stft_params(
        n_fft, hop_length, win_length, pad_mode, center
    )
    center = bool(center)
    check_length(y, n_fft, center)
    return StftInput(y, n_fft, hop_length, win_length, window, center, pad_mode)


def stft(
    y: np.ndarray,
    *,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    dtype: Any = None,
    pad_mode: str = "constant",
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Short-time Fourier transform.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), float32 or float64
        Audio; leading axes are channels.
    n_fft : int > 0
        FFT size; any length, odd included.
    hop_length : int > 0, default ``win_length // 4``
    win_length : int <= n_fft, default ``n_fft``
        Window length; the window is zero-padded to ``n_fft`` in the centre.
    window : str, callable or array
        See :func:`ferrosa.filters.get_window`.
    center : bool
        Pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
        ``t * hop_length``.
    dtype : complex dtype, optional
        Output dtype; default complex64 for float32 input, complex128 for float64.
    pad_mode : {"constant", "reflect", "edge", "symmetric"}
    out : np.ndarray, optional
        Preallocated complex output, as in librosa: its leading shape must
        match and it may have more frames than needed; the first
        ``n_frames`` columns are filled, in ``out``'s dtype, and that view
        is returned (``dtype`` is then ignored).

    Returns
    -------
    np.ndarray, shape (..., 1 + n_fft // 2, n_frames), complex
        float32 audio is transformed as librosa does it: frames widened by
        the float64 window, a float64 FFT, each bin rounded once to
        complex64, so the values equal librosa's per bin (not only relative
        to the peak).
        ``n_frames = 1 + (n + 2 * (n_fft // 2) - n_fft) // hop_length`` when
        centred, ``1 + (n - n_fft) // hop_length`` otherwise.
    """
    # librosa tests truthiness of center: None, 0, 1 are accepted. The
    # finiteness pass of float32 audio runs in the kernel (one pass in Rust,
    # not numpy's isfinite array); any earlier error is preceded by it, as
    # librosa checks finiteness before the geometry.
    try:
        req = stft_input(y, n_fft, hop_length, win_length, window, center, pad_mode, finite=False)
        n_fft, hop_length, center = req.n_fft, req.hop_length, req.center
        if center and n_fft > y.shape[-1]:
            valid_audio(y, mono=False)
            warnings.warn(
                f"n_fft={n_fft} is too large for input signal of length={y.shape[-1]}",
                stacklevel=2,
            )
        ctype = dtype_r2c(float_audio(y).dtype)
        want = dtype_r2c(y.dtype) if dtype is None else complex_dtype(dtype)
        check_stft_memory(
            "stft",
            y.shape,
            n_fft,
            hop_length,
            center,
            itemsize=ctype.itemsize + (want.itemsize if want != ctype else 0),
        )
        fft_window = req.fft_window()
        y2, lead = req.channels()
        n_frames = _core.stft_n_frames(y2.shape[-1], n_fft, hop_length, center)
        shape = lead + (1 + n_fft // 2, n_frames)
        if out is not None:
            out = _check_stft_out(out, shape)
            want = out.dtype
    except Exception:
        valid_audio(y, mono=False)
        raise
    # librosa multiplies float32 frames by its float64 window, so the FFT
    # runs in float64 and only the stored values are rounded: float32 audio
    # takes the same route (one rounding per bin, librosa's values per bin;
    # audio near float32's limits needs no rescaling in float64, and a bin
    # beyond float32's range rounds to inf as librosa's cast does).
    wide = y2.dtype == np.float32
    ctype = want if wide and want in (np.complex64, np.complex128) else dtype_r2c(y2.dtype)
    # Frame-major buffer, exposed as (..., bins, frames): the memory order
    # of librosa's Fortran-ordered result, filled without a transpose.
    frames = np.empty((y2.shape[0], n_frames, 1 + n_fft // 2), dtype=ctype)
    if wide:
        finite = _core.stft_wide(
            y2, fft_window, n_fft, hop_length, center, pad_mode, frames, check_finite=True
        )
        if not finite:
            raise ParameterError(NOT_FINITE)
    else:
        valid_audio(y2, mono=False)
        _core.stft(y2, fft_window, n_fft, hop_length, center, pad_mode, frames)
    spec = np.swapaxes(frames.reshape(lead + frames.shape[1:]), -1, -2)
    if spec.dtype != want:
        with np.errstate(over="ignore"):
            spec = spec.astype(want)
    if out is not None:
        out[...] = spec
        return out
    return spec


def _check_stft_out(out: Any, shape: tuple[int, ...]) -> np.ndarray:
    """The part of ``out`` that :func:`stft` fills, with librosa's checks.

    ``out`` may have more frames than needed (the first ``n_frames`` columns
    are filled and returned, as in librosa); its dtype is the output dtype.
    """
    if not isinstance(out, np.ndarray):
        raise ParameterError(f"out must be a numpy array, not {type(out).__name__}")
    if out.shape[:-1] != shape[:-1] or out.shape[-1] < shape[-1]:
        raise ParameterError(
            f"Shape mismatch for provided output array out.shape={out.shape} "
            f"and target shape={list(shape)}"
        )
    if not np.iscomplexobj(out):
        raise ParameterError(f"output with dtype={out.dtype} is not of complex type")
    return out if out.shape == shape else out[..., : shape[-1]]


def istft(
    stft_matrix: np.ndarray,
    *,
    hop_length: int | None = None,
    win_length: int | None = None,
    n_fft: int | None = None,
    window: Any = "hann",
    center: bool = True,
    dtype: Any = None,
    length: int | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Inverse STFT by overlap-add, normalised by the window sum-square.

    Parameters
    ----------
    stft_matrix : np.ndarray, shape (..., n_bins, n_frames), complex
    hop_length, win_length, n_fft, window, center
        As for :func:`stft`; ``n_fft`` defaults to ``2 * (n_bins - 1)``.
    dtype : real dtype, optional
        Default float32 for complex64 input, float64 for complex128.
    length : int, optional
        Trim or zero-pad the output to exactly this many samples.

    Returns
    -------
    np.ndarray, shape (..., n_samples)
    """
    stft_matrix = np.asarray(stft_matrix)
    center = bool(center)
    if stft_matrix.ndim < 2:
        raise ParameterError(f"stft_matrix must be at least 2-D, got shape={stft_matrix.shape}")
    if n_fft is None:
        n_fft = 2 * (stft_matrix.shape[-2] - 1)
    n_fft = check_positive_int("n_fft", n_fft)
    win_length = n_fft if win_length is None else check_positive_int("win_length", win_length)
    if win_length > n_fft:
        raise ParameterError(f"win_length={win_length} must be at most n_fft={n_fft}")
    if hop_length is None:
        hop_length = win_length // 4
    hop_length = check_positive_int("hop_length", hop_length)
    if length is not None:
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
            raise ParameterError(f"length={length!r} must be a non-negative integer")
        # librosa treats length=0 like None (it tests `if length:`).
        length = int(length) or None
    ifft_window = window_for(window, win_length, n_fft)
    if stft_matrix.dtype == np.complex64 or stft_matrix.dtype == np.complex128:
        spec = stft_matrix
    else:
        spec = stft_matrix.astype(np.complex128)
    lead = spec.shape[:-2]
    # Frame-major (channels, frames, bins); free for ferrosa.stft's output.
    frames = np.ascontiguousarray(np.swapaxes(spec.reshape((-1,) + spec.shape[-2:]), -1, -2))
    _, n_out = _core.istft_plan(frames.shape[1], n_fft, hop_length, center, length)
    y = np.empty((frames.shape[0], n_out), dtype=dtype_c2r(spec.dtype))
    _core.istft(frames, ifft_window, n_fft, hop_length, center, length, y)
    y = y.reshape(lead + y.shape[-1:])
    want = dtype_c2r(spec.dtype) if dtype is None else real_dtype(dtype)
    if y.dtype != want:
        y = y.astype(want)
    if out is not None:
        if out.shape != y.shape:
            raise ParameterError(f"Shape mismatch for provided output array out.shape={out.shape}")
        out[...] = y
        return out
    return y


def magphase(D: np.ndarray, *, power: float = 1) -> tuple[np.ndarray, np.ndarray]:
    """Split a complex spectrogram into magnitude and unit phase.

    Parameters
    ----------
    D : np.ndarray, complex
    power : float > 0
        Exponent for the magnitude (2 gives power).

    Returns
    -------
    mag : np.ndarray, real, ``|D| ** power``
    phase : np.ndarray, complex, ``exp(1j * angle(D))``; 1 where ``D == 0``
    """
    D = np.asarray(D)
    mag = np.abs(D)
    zeros_to_ones = mag == 0
    mag_nonzero = mag + zeros_to_ones
    phase = np.empty_like(D, dtype=dtype_r2c(mag.dtype))
    phase.real = D.real / mag_nonzero + zeros_to_ones
    phase.imag = D.imag / mag_nonzero
    mag **= power
    return mag, phase


def _ref_value(ref: float | Callable[..., Any], magnitude: np.ndarray) -> Any:
    if callable(ref):
        return ref(magnitude)
    return np.abs(ref)


def power_to_db(
    S: Any,
    *,
    ref: float | Callable[..., Any] = 1.0,
    amin: float = 1e-10,
    top_db: float | None = 80.0,
) -> np.ndarray:
    """Convert a power spectrogram to decibels: ``10 log10(max(S, amin) / ref)``.

    Parameters
    ----------
    S : np.ndarray
        Non-negative power; complex input uses ``|S|`` (with librosa's warning).
    ref : float or callable
        Reference power, or a function of ``S`` (e.g. ``np.max``).
    amin : float > 0
    top_db : float >= 0 or None
        Floor the output at ``max - top_db`` (over the whole array).

    Returns
    -------
    np.ndarray, same shape as ``S``
    """
    S = np.asarray(S)
    if isinstance(amin, bool) or not isinstance(amin, (int, float, np.number)):
        raise ParameterError(f"amin={amin!r} must be a positive number")
    if not (np.isfinite(amin) and amin > 0):
        raise ParameterError(f"amin={amin} must be strictly positive")
    if np.issubdtype(S.dtype, np.complexfloating):
        import warnings

        warnings.warn(
            "power_to_db was called on complex input so phase information will be "
            "discarded. To suppress this warning, call power_to_db(np.abs(D)**2) instead.",
            stacklevel=2,
        )
        magnitude = np.abs(S)
    else:
        magnitude = S
    ref_value = _ref_value(ref, magnitude)
    log_spec: np.ndarray = 10.0 * np.log10(np.maximum(amin, magnitude))
    log_spec -= 10.0 * np.log10(np.maximum(amin, ref_value))
    if top_db is not None:
        if top_db < 0:
            raise ParameterError(f"top_db={top_db} must be non-negative")
        log_spec = np.maximum(log_spec, log_spec.max() - top_db)
    return log_spec


def amplitude_to_db(
    S: Any,
    *,
    ref: float | Callable[..., Any] = 1.0,
    amin: float = 1e-5,
    top_db: float | None = 80.0,
) -> np.ndarray:
    """Convert an amplitude spectrogram to decibels: ``20 log10(S / ref)``.

    Equivalent to ``power_to_db(S**2, ref=ref**2, amin=amin**2, top_db=top_db)``.

    Returns
    -------
    np.ndarray, same shape as ``S``
    """
    S = np.asarray(S)
    if np.issubdtype(S.dtype, np.complexfloating):
        import warnings

        warnings.warn(
            "amplitude_to_db was called on complex input so phase information will be "
            "discarded. To suppress this warning, call amplitude_to_db(np.abs(S)) instead.",
            stacklevel=2,
        )
    if isinstance(amin, bool) or not isinstance(amin, (int, float, np.number)):
        raise ParameterError(f"amin={amin!r} must be a positive number")
    if not (np.isfinite(amin) and 0 < amin < 1e150):
        raise ParameterError(f"amin={amin} must be strictly positive (and its square finite)")
    magnitude = np.abs(S)
    ref_value = _ref_value(ref, magnitude)
    # np.abs of a 0-d array (a Python scalar) is a numpy scalar: no out= then.
    power = np.square(magnitude, out=magnitude if isinstance(magnitude, np.ndarray) else None)
    return power_to_db(power, ref=ref_value**2, amin=amin**2, top_db=top_db)


def db_to_power(S_db: Any, *, ref: float = 1.0) -> np.ndarray:
    """Inverse of :func:`power_to_db`: ``ref * 10 ** (S_db / 10)``."""
    return ref * np.power(10.0, 0.1 * np.asarray(S_db))


def db_to_amplitude(S_db: Any, *, ref: float = 1.0) -> np.ndarray:
    """Inverse of :func:`amplitude_to_db`: ``ref * 10 ** (S_db / 20)``."""
    return db_to_power(S_db, ref=ref**2) ** 0.5
