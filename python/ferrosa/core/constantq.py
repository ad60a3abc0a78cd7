"""Constant-Q and variable-Q transforms (librosa.cqt / librosa.vqt).

Algorithm
---------
librosa's multi-rate transform, step for step, in Rust: the top octave's
filters (windowed complex exponentials of length ``Q * sr / f``, normalised,
FFT'd and sparsified) are applied to a centred rectangular-window STFT;
then the signal is halved in rate (when the hop is even), the next octave's
filters are built at the new rate, and so on; the frames all octaves share
are kept and each row is divided by ``sqrt(filter length)``. Early
downsampling, octave slicing, gains and trimming follow librosa 0.11.

Resampling is librosa's own: the early downsampling and every halving
between octaves call :func:`ferrosa.resample` with ``res_type`` (soxr_hq by
default; scipy, polyphase, resampy, samplerate as librosa allows) exactly
as librosa does, and the Rust kernel projects each octave's signal on that
octave's cached filter basis. Filter banks are computed in float64 (librosa
builds them in complex64); the projection runs in the input's precision.
Against librosa 0.11 the result agrees to about 1e-6 of the peak in float64
(float32: about 1e-5), the near-Nyquist cases included. Results do not
depend on the thread count.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection
from functools import lru_cache
from typing import Any

import numpy as np

from .. import _core
from ..exceptions import ParameterError

# The constant-Q filter helpers live in ferrosa.filters, as in librosa; they
# are imported here for the transforms below and for callers of this module.
from ..filters import (
    C1_HZ,
    cq_to_chroma,
    relative_bandwidth,
    wavelet,
    wavelet_lengths,
    window_bandwidth,
    window_for,
)
from ..io import resample_checked
from ..util.validation import (
    as_channels,
    check_audio,
    check_memory,
    check_positive_int,
    check_real,
    complex_dtype,
    dtype_r2c,
    float_audio,
)
from .intervals import interval_frequencies
from .spectrum import stft

__all__ = [
    "cq_to_chroma",
    "cqt",
    "cqt_frequencies",
    "hybrid_cqt",
    "pseudo_cqt",
    "vqt",
    "wavelet_lengths",
    "window_bandwidth",
]


def cqt_frequencies(
    n_bins: int, *, fmin: float, bins_per_octave: int = 12, tuning: float = 0.0
) -> np.ndarray:
    """Centre frequencies of CQT bins (librosa.cqt_frequencies).

    Returns
    -------
    np.ndarray, shape (n_bins,), float64
        ``fmin * 2**((k + tuning) / bins_per_octave)``.
    """
    n_bins = check_positive_int("n_bins", n_bins)
    bins_per_octave = check_positive_int("bins_per_octave", bins_per_octave)
    tuning = check_real("tuning", tuning)
    fmin = check_real("fmin", fmin)
    check_memory("cqt_frequencies", 16.0 * n_bins, n_bins=n_bins)
    with np.errstate(over="ignore"):
        correction = float(np.power(2.0, tuning / bins_per_octave))
    frequencies: np.ndarray = 2.0 ** (np.arange(0, n_bins, dtype=float) / bins_per_octave)
    return correction * fmin * frequencies


def _interval_frequencies(n_bins: int, fmin: float, intervals: Any, bpo: int) -> np.ndarray:
    """Positional form of :func:`ferrosa.interval_frequencies` (sorted)."""
    return interval_frequencies(n_bins, fmin=fmin, intervals=intervals, bins_per_octave=bpo)


def _estimate_tuning(y: np.ndarray, sr: float, bins_per_octave: int) -> float:
    try:
        from .pitch import estimate_tuning  # type: ignore[import-not-found]
    except ImportError as err:  # pragma: no cover - until the pitch module lands
        raise ParameterError(
            "tuning=None needs ferrosa.estimate_tuning, which this build lacks; pass tuning=0.0"
        ) from err
    return float(estimate_tuning(y=y, sr=sr, bins_per_octave=bins_per_octave))


def vqt(
    y: np.ndarray,
    *,
    sr: float = 22050,
    hop_length: int = 512,
    fmin: float | None = None,
    n_bins: int = 84,
    intervals: str | Collection[float] = "equal",
    gamma: float | None = None,
    bins_per_octave: int = 12,
    tuning: float | None = 0.0,
    filter_scale: float = 1,
    norm: float | None = 1,
    sparsity: float = 0.01,
    window: str = "hann",
    scale: bool = True,
    pad_mode: str = "constant",
    res_type: str | None = "soxr_hq",
    dtype: Any = None,
) -> np.ndarray:
    """Variable-Q transform (librosa.vqt); ``gamma=0`` is the CQT.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), float32 or float64
    sr : float > 0
    hop_length : int > 0
        Must be divisible by ``2**(n_octaves - 1)`` for every octave to be
        downsampled (otherwise lower octaves run at a higher rate, as in librosa).
    fmin : float > 0, default C1 (32.70 Hz)
    n_bins : int > 0
    intervals : "equal", "pythagorean", "ji3", "ji5", "ji7" or ratios within an octave
        See :func:`ferrosa.interval_frequencies`.
    gamma : float >= 0 or None
        Bandwidth offset in Hz; None is librosa's ERB-based default.
    bins_per_octave : int > 0
    tuning : float or None
        Deviation from A440 in fractions of a bin; None estimates it.
    filter_scale : float > 0
    norm : float > 0, inf or None
        Norm of each time-domain filter.
    sparsity : float in [0, 1)
        Drop each filter's smallest FFT bins holding this fraction of its L1 mass.
    window : str
        A window ferrosa computes (hann, hamming, blackman, ...).
    scale : bool
        Divide each row by ``sqrt(filter length)``.
    pad_mode : str
        Padding of the centred frames (numpy.pad mode).
    res_type : str or None
        Resampler for the early downsampling and the octave halvings (any
        :func:`ferrosa.resample` type); ``None`` is soxr_hq with librosa's
        FutureWarning.
    dtype : complex dtype, optional
        Default complex64 for float32 input, complex128 for float64.

    Returns
    -------
    np.ndarray, shape (..., n_bins, n_frames), complex
        ``n_frames = 1 + n // hop_length`` when every octave's hop divides.
    """
    # The kernel rejects non-finite samples itself; validating one sample per
    # channel here keeps the type and shape checks without a second full scan.
    check_audio(y[..., :1] if isinstance(y, np.ndarray) and y.ndim > 0 else y, mono=False)
    if not isinstance(intervals, str):
        bins_per_octave = len(list(intervals))
    hop_length = check_positive_int("hop_length", hop_length)
    n_bins = check_positive_int("n_bins", n_bins)
    bins_per_octave = check_positive_int("bins_per_octave", bins_per_octave)
    sr = check_real("sr", sr, positive=True)
    fmin = C1_HZ if fmin is None else check_real("fmin", fmin, positive=True)
    sparsity = check_real("sparsity", sparsity, nonneg=True)
    if sparsity >= 1:
        raise ParameterError(f"sparsity={sparsity} must be in [0, 1)")
    if norm is not None and not (isinstance(norm, (int, float, np.number)) and norm > 0):
        raise ParameterError(f"norm={norm!r} must be None, inf or a positive number")
    if not isinstance(window, str):
        raise ParameterError(f"window={window!r} must be a window name such as 'hann'")
    if tuning is None:
        tuning = _estimate_tuning(y, sr, bins_per_octave)
    tuning = check_real("tuning", tuning)
    fmin = fmin * 2.0 ** (tuning / bins_per_octave)
    # The top bin lies at least this many whole octaves above fmin: refuse a
    # basis above Nyquist before building n_bins frequencies.
    octaves = (n_bins - 1) // bins_per_octave
    if octaves > 2048 or np.log2(fmin) + octaves > np.log2(sr / 2.0):
        raise ParameterError(
            f"Wavelet basis with n_bins={n_bins} from fmin={fmin:g} would exceed the Nyquist "
            f"frequency={sr / 2.0}. Try reducing the number of frequency bins."
        )
    freqs = interval_frequencies(
        n_bins, fmin=fmin, intervals=intervals, bins_per_octave=bins_per_octave
    )
    alpha = _relative_bw(freqs, bins_per_octave)
    lengths, cutoff = wavelet_lengths(
        freqs=freqs, sr=sr, window=window, filter_scale=filter_scale, gamma=gamma, alpha=alpha
    )
    nyquist = sr / 2.0
    if cutoff > nyquist:
        raise ParameterError(
            f"Wavelet basis with max frequency={np.max(freqs)} would exceed the Nyquist "
            f"frequency={nyquist}. Try reducing the number of frequency bins."
        )
    if res_type is None:
        warnings.warn(
            "Support for VQT with res_type=None is deprecated in librosa 0.10\n"
            "and will be removed in version 1.0.",
            category=FutureWarning,
            stacklevel=2,
        )
        res_type = "soxr_hq"
    if not isinstance(res_type, str):
        raise ParameterError(f"res_type={res_type!r} must be a string")
    n_octaves = int(np.ceil(n_bins / bins_per_octave))
    _check_early_length(y, nyquist, cutoff, hop_length, n_octaves)
    n_basis = 2.0 ** np.ceil(np.log2(max(float(np.max(lengths)), 1.0)))
    channels = int(np.prod(y.shape[:-1], dtype=np.float64))
    n_frames = 1 + y.shape[-1] // hop_length
    check_memory(
        "vqt",
        16.0 * n_bins * n_basis + 32.0 * channels * n_bins * n_frames + 32.0 * y.size,
        n_bins=n_bins,
        filter_length=int(n_basis),
        n_frames=n_frames,
    )
    y2, lead = as_channels(float_audio(y))
    kernel = (
        sr,
        hop_length,
        np.ascontiguousarray(freqs, dtype=np.float64),
        np.ascontiguousarray(lengths, dtype=np.float64),
        cutoff,
        bins_per_octave,
        window,
        None if norm is None else float(norm),
        sparsity,
        bool(scale),
        pad_mode,
    )
    early, halves = _core.vqt_plan(*kernel)
    signals = _octave_signals(y2, early, halves, res_type, bool(scale))
    V = _core.vqt(signals, *kernel)
    V = V.reshape(lead + V.shape[1:])
    want = dtype_r2c(y.dtype) if dtype is None else complex_dtype(dtype)
    return V if V.dtype == want else V.astype(want)


def _octave_signals(
    y: np.ndarray, early: int, halves: list[bool], res_type: str, scale: bool
) -> list[np.ndarray]:
    """The signal each octave reads, resampled exactly as librosa 0.11's vqt does.

    ``y`` is (channels, n), C-contiguous. The early downsampling is one
    ``resample(y, orig_sr=2**early, target_sr=1, scale=True)`` (times
    ``sqrt(2**early)`` when the transform is not length-scaled); each later
    halving is ``resample(y, orig_sr=2, target_sr=1, scale=True)``, with the
    same ``res_type`` and dtype flow (soxr keeps float32).
    """

    def down(x: np.ndarray, factor: int) -> np.ndarray:
        # Resampling works lane by lane (as librosa's does): a mono signal
        # goes as 1-D, sparing numpy's apply_along_axis.
        if x.shape[0] == 1:
            return resample_checked(x[0], factor, 1, res_type=res_type, scale=True)[None]
        return resample_checked(x, factor, 1, res_type=res_type, scale=True)

    if early > 0:
        factor = 2**early
        y = down(y, factor)
        if not scale:
            y *= np.sqrt(factor)
    out = []
    for i, halve in enumerate(halves):
        out.append(np.ascontiguousarray(y))
        if halve and i + 1 < len(halves):
            y = down(y, 2)
    return out


def _check_early_length(
    y: np.ndarray, nyquist: float, cutoff: float, hop_length: int, n_octaves: int
) -> None:
    """Refuse a signal shorter than librosa's early downsampling factor, as librosa does.

    librosa first halves the rate while the top filter stays well below
    Nyquist and the hop keeps enough factors of two; a signal shorter than
    that factor is a ParameterError there, so it is here too.
    """
    by_band = max(0, int(np.ceil(np.log2(nyquist / cutoff)) - 1) - 1)
    twos = (hop_length & -hop_length).bit_length() - 1
    count = min(by_band, max(0, twos - n_octaves + 1))
    if count > 0 and y.shape[-1] < 2**count:
        raise ParameterError(
            f"Input signal length={y.shape[-1]:d} is too short for {n_octaves:d}-octave CQT"
        )


def cqt(
    y: np.ndarray,
    *,
    sr: float = 22050,
    hop_length: int = 512,
    fmin: float | None = None,
    n_bins: int = 84,
    bins_per_octave: int = 12,
    tuning: float | None = 0.0,
    filter_scale: float = 1,
    norm: float | None = 1,
    sparsity: float = 0.01,
    window: str = "hann",
    scale: bool = True,
    pad_mode: str = "constant",
    res_type: str | None = "soxr_hq",
    dtype: Any = None,
) -> np.ndarray:
    """Constant-Q transform (librosa.cqt): :func:`vqt` with ``gamma=0``.

    Returns
    -------
    np.ndarray, shape (..., n_bins, n_frames), complex
        See :func:`vqt` for the parameters and the algorithm.
    """
    return vqt(
        y,
        sr=sr,
        hop_length=hop_length,
        fmin=fmin,
        n_bins=n_bins,
        intervals="equal",
        gamma=0,
        bins_per_octave=bins_per_octave,
        tuning=tuning,
        filter_scale=filter_scale,
        norm=norm,
        sparsity=sparsity,
        window=window,
        scale=scale,
        pad_mode=pad_mode,
        res_type=res_type,
        dtype=dtype,
    )


def _relative_bw(freqs: np.ndarray, bins_per_octave: int) -> np.ndarray:
    """librosa's alpha: from the neighbours, or equal temperament for one bin."""
    if len(freqs) == 1:
        r = 2 ** (1 / bins_per_octave)
        return np.atleast_1d((r**2 - 1) / (r**2 + 1))
    return relative_bandwidth(freqs)


def _tuned_freqs(
    y: np.ndarray,
    sr: float,
    fmin: float | None,
    n_bins: int,
    bins_per_octave: int,
    tuning: float | None,
) -> tuple[float, np.ndarray]:
    """The tuned ``fmin`` and the equal-tempered bin frequencies from it."""
    n_bins = check_positive_int("n_bins", n_bins)
    bins_per_octave = check_positive_int("bins_per_octave", bins_per_octave)
    fmin = C1_HZ if fmin is None else check_real("fmin", fmin, positive=True)
    if tuning is None:
        tuning = _estimate_tuning(y, sr, bins_per_octave)
    fmin = fmin * 2.0 ** (check_real("tuning", tuning) / bins_per_octave)
    return fmin, cqt_frequencies(n_bins, fmin=fmin, bins_per_octave=bins_per_octave)


def pseudo_cqt(
    y: np.ndarray,
    *,
    sr: float = 22050,
    hop_length: int = 512,
    fmin: float | None = None,
    n_bins: int = 84,
    bins_per_octave: int = 12,
    tuning: float | None = 0.0,
    filter_scale: float = 1,
    norm: float | None = 1,
    sparsity: float = 0.01,
    window: Any = "hann",
    scale: bool = True,
    pad_mode: str = "constant",
    dtype: Any = None,
) -> np.ndarray:
    """Pseudo constant-Q magnitude (librosa.pseudo_cqt): one STFT, no resampling.

    The constant-Q filters are transformed with a single FFT size (the
    next power of two of the longest filter, and at least ``2**(1 +
    ceil(log2(hop_length)))``); their FFT magnitudes are applied to the
    magnitude of a Hann-window STFT of ``y`` with that size.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), float32 or float64
    sr, hop_length, fmin, n_bins, bins_per_octave, tuning, filter_scale, norm, sparsity
        As for :func:`cqt`.
    window : str, tuple or callable
        Window of the filters (the STFT itself uses Hann, as in librosa).
    scale : bool
        Divide by ``sqrt(n_fft)`` (else scale row ``k`` by ``sqrt(len_k / n_fft)``).
    pad_mode : str
        Padding of the centred STFT frames.
    dtype : complex dtype, optional
        Precision of the computation; default from ``y`` (complex64 for float32).

    Returns
    -------
    np.ndarray, shape (..., n_bins, 1 + n // hop_length), real
        float32 for a complex64 ``dtype``, float64 for complex128.
    """
    check_audio(y, mono=False)
    hop_length = check_positive_int("hop_length", hop_length)
    sr = check_real("sr", sr, positive=True)
    sparsity = check_real("sparsity", sparsity, nonneg=True)
    if sparsity >= 1:
        raise ParameterError(f"sparsity={sparsity} must be in [0, 1)")
    ctype = dtype_r2c(y.dtype) if dtype is None else complex_dtype(dtype)
    _, freqs = _tuned_freqs(y, sr, fmin, n_bins, bins_per_octave, tuning)
    key = (sr, tuple(freqs.tolist()), bins_per_octave, filter_scale, norm, sparsity, hop_length)
    try:
        hash(window)
    except TypeError:  # an array or other unhashable window: build without the cache
        basis, n_fft, lengths = _pseudo_basis.__wrapped__(*key, window)
    else:
        basis, n_fft, lengths = _pseudo_basis(*key, window)
    rtype = np.finfo(ctype).dtype
    mag = _magnitude_frames(y, n_fft, hop_length, pad_mode, ctype)
    # One GEMM over the bins some filter keeps, in the spectrogram's precision.
    lo, hi, dense = basis
    C = np.ascontiguousarray(
        np.swapaxes(mag[..., lo:hi] @ dense.T.astype(mag.dtype), -1, -2), dtype=rtype
    )
    if scale:
        C /= np.sqrt(n_fft)
    else:
        C *= np.sqrt(lengths / n_fft).astype(rtype)[:, None]
    return C


def _magnitude_frames(
    y: np.ndarray, n_fft: int, hop_length: int, pad_mode: str, ctype: np.dtype
) -> np.ndarray:
    """``|stft(y)|`` with a Hann window, frame-major ``(..., frames, bins)``.

    Straight from the Rust magnitude kernel (no complex array in between)
    when the precision is the audio's own and the signal covers a frame;
    otherwise through :func:`stft` with its dtype and warnings.
    """
    y2, lead = as_channels(float_audio(y))
    if ctype == dtype_r2c(y2.dtype) and y2.shape[-1] >= n_fft:
        window = window_for("hann", n_fft, n_fft)
        frames = _core.spectrogram_frames(y2, window, n_fft, hop_length, True, pad_mode, False)
        return frames.reshape(lead + frames.shape[1:])
    spec = stft(
        y, n_fft=n_fft, hop_length=hop_length, window="hann", pad_mode=pad_mode, dtype=ctype
    )
    return np.swapaxes(np.abs(spec), -1, -2)


@lru_cache(maxsize=16)
def _pseudo_basis(
    sr: float,
    freqs: tuple[float, ...],
    bins_per_octave: int,
    filter_scale: float,
    norm: float | None,
    sparsity: float,
    hop_length: int,
    window: Any,
) -> tuple[tuple[int, int, np.ndarray], int, np.ndarray]:
    """The pseudo-CQT's sparse magnitude basis, as librosa builds it.

    Filters in complex64 (librosa's ``filters.wavelet``), one FFT size (the
    longest filter's power of two, at least ``2**(1 + ceil(log2(hop)))``),
    scaled by ``length / n_fft``, sparsified, magnitudes kept.

    Returns
    -------
    basis : (lo, hi, weights)
        The FFT bins ``lo:hi`` some filter keeps and the magnitudes over
        them, float64 ``(n_bins, hi - lo)`` (zeros where a filter drops a bin).
    n_fft : int
    lengths : np.ndarray, shape (n_bins,), float64
    """
    f = np.asarray(freqs)
    alpha = _relative_bw(f, bins_per_octave)
    basis, lengths = wavelet(
        freqs=f, sr=sr, window=window, filter_scale=filter_scale, norm=norm, alpha=alpha
    )
    n_fft = max(basis.shape[1], int(2.0 ** (1 + np.ceil(np.log2(hop_length)))))
    check_memory("pseudo_cqt basis", 16.0 * len(f) * n_fft, n_bins=len(f), n_fft=n_fft)
    basis *= (lengths / float(n_fft))[:, None]
    spectra = np.fft.fft(basis, n=n_fft, axis=1)[:, : n_fft // 2 + 1]
    dense = np.abs(_sparsified(spectra, sparsity)).astype(np.float64)
    used = np.flatnonzero(np.any(dense > 0, axis=0))
    lo, hi = (int(used[0]), int(used[-1]) + 1) if used.size else (0, 1)
    return (lo, hi, dense[:, lo:hi]), n_fft, lengths


def _sparsified(x: np.ndarray, quantile: float) -> np.ndarray:
    """``x`` with each row's smallest values zeroed (librosa.util.sparsify_rows).

    Row ``i`` keeps the entries at least as large as the one where the
    cumulative share of its sorted L1 mass first reaches ``quantile``.
    """
    mags = np.abs(x)
    ordered = np.sort(mags, axis=1)
    share = np.cumsum(ordered / np.sum(mags, axis=1, keepdims=True), axis=1)
    cut = np.argmin(share < quantile, axis=1)
    keep = mags >= ordered[np.arange(len(x)), cut][:, None]
    return np.where(keep, x, 0)


def hybrid_cqt(
    y: np.ndarray,
    *,
    sr: float = 22050,
    hop_length: int = 512,
    fmin: float | None = None,
    n_bins: int = 84,
    bins_per_octave: int = 12,
    tuning: float | None = 0.0,
    filter_scale: float = 1,
    norm: float | None = 1,
    sparsity: float = 0.01,
    window: Any = "hann",
    scale: bool = True,
    pad_mode: str = "constant",
    res_type: str | None = "soxr_hq",
    dtype: Any = None,
) -> np.ndarray:
    """Hybrid constant-Q magnitude (librosa.hybrid_cqt).

    Bins whose filter (rounded up to a power of two) is shorter than two
    hops come from :func:`pseudo_cqt`; the lower ones from ``abs(cqt)``.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), float32 or float64
    sr, hop_length, fmin, n_bins, bins_per_octave, tuning, filter_scale, norm, sparsity,
    window, scale, pad_mode, res_type, dtype
        As for :func:`cqt`.

    Returns
    -------
    np.ndarray, shape (..., n_bins, n_frames), real
        The frames both parts share; dtype of the lower (full CQT) part
        when there is one.
    """
    check_audio(y, mono=False)
    hop_length = check_positive_int("hop_length", hop_length)
    sr = check_real("sr", sr, positive=True)
    fmin, freqs = _tuned_freqs(y, sr, fmin, n_bins, bins_per_octave, tuning)
    alpha = _relative_bw(freqs, bins_per_octave)
    lengths, _ = wavelet_lengths(
        freqs=freqs, sr=sr, filter_scale=filter_scale, window=window, alpha=alpha
    )
    short = 2.0 ** np.ceil(np.log2(lengths)) < 2 * hop_length
    n_pseudo = int(np.sum(short))
    common = dict(
        sr=sr,
        hop_length=hop_length,
        bins_per_octave=bins_per_octave,
        filter_scale=filter_scale,
        norm=norm,
        sparsity=sparsity,
        window=window,
        scale=scale,
        pad_mode=pad_mode,
        dtype=dtype,
    )
    parts = []  # top bins first, as librosa stacks them
    if n_pseudo > 0:
        parts.append(pseudo_cqt(y, fmin=float(np.min(freqs[short])), n_bins=n_pseudo, **common))
    if n_bins - n_pseudo > 0:
        full = cqt(y, fmin=fmin, n_bins=n_bins - n_pseudo, res_type=res_type, **common)
        parts.append(np.abs(full))
    n_frames = min(p.shape[-1] for p in parts)
    return np.concatenate([p[..., :n_frames] for p in reversed(parts)], axis=-2).astype(
        parts[-1].dtype, copy=False
    )
