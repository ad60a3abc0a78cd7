"""Continuous wavelet transform with PyWavelets' conventions (``pywt.cwt``).

The transform runs in Rust by FFT convolution (one FFT of the signal per FFT
size, one product and one inverse FFT per scale, scales on all cores,
per-scale filter spectra cached between calls with the same signal length).
Values equal ``pywt.cwt``'s: the same integrated wavelet is sampled at the same
points for each scale, differentiated and centred exactly as pywt does.

Deliberate differences from PyWavelets
--------------------------------------
- ``method="conv"`` and ``method="fft"`` both use the FFT algorithm (they agree
  with pywt's ``conv`` to rounding, ~1e-13 relative for float64).
- float32 input is computed in float64 and rounded at the end, so it is more
  accurate than pywt's float32 path (which differs from its own float64 result
  by up to a few percent, because float32 grids pick different taps; ferrosa
  picks pywt's float32 taps, so it agrees with pywt float32 to ~1e-5). Its
  cached filter spectra are stored in float32 (half the memory traffic), which
  adds ~1e-7 of the peak, about float32's own output rounding.
- Only the wavelets ``mexh`` (alias ``ricker``), ``morl``, ``gaus1``..``gaus8``
  and ``cmorB-C`` are available; complex input and non-finite samples raise
  ``ParameterError`` (pywt accepts complex data and propagates NaN).
"""

from __future__ import annotations

from functools import lru_cache
from numbers import Integral
from typing import Any

import numpy as np

from .. import _core
from ..exceptions import ParameterError
from ..util.threads import get_num_threads
from ..util.validation import check_memory, check_real

__all__ = ["central_frequency", "cwt", "frequency_to_scale", "scale_to_frequency"]


def wavelet_name(wavelet: Any) -> str:
    """A wavelet name from a string or a pywt ContinuousWavelet."""
    if isinstance(wavelet, str):
        return wavelet
    name = getattr(wavelet, "name", None)
    if isinstance(name, str):
        return name
    raise ParameterError(f"wavelet={wavelet!r} must be a wavelet name such as 'morl'")


def _precision(precision: Any) -> int:
    if isinstance(precision, bool) or not isinstance(precision, Integral):
        raise ParameterError(f"precision={precision!r} must be an integer in [1, 20]")
    if not 1 <= int(precision) <= 20:
        raise ParameterError(f"precision={precision!r} must be an integer in [1, 20]")
    return int(precision)


def central_frequency(wavelet: Any, precision: int = 8) -> float:
    """Central frequency of a wavelet, as ``pywt.central_frequency``.

    Parameters
    ----------
    wavelet : str
        Wavelet name (``mexh``, ``morl``, ``gausN``, ``cmorB-C``).
    precision : int
        The wavelet is sampled at ``2**precision`` points.

    Returns
    -------
    float
        Cycles per unit of the wavelet's support (per sample at scale 1).
    """
    return _central_frequency(wavelet_name(wavelet), _precision(precision))


@lru_cache(maxsize=128)
def _central_frequency(name: str, precision: int) -> float:
    # an FFT of 2**precision points: worth remembering per wavelet
    return float(_core.wavelet_central_frequency(name, precision))


def scale_to_frequency(
    wavelet: Any, scale: Any, precision: int = 8, *, sampling_period: float = 1.0
) -> Any:
    """Frequency of a CWT scale, as ``pywt.scale2frequency``.

    Parameters
    ----------
    wavelet : str
    scale : float or np.ndarray > 0
    precision : int
    sampling_period : float > 0
        Seconds per sample; 1.0 gives cycles per sample.

    Returns
    -------
    float or np.ndarray, float64
        ``central_frequency(wavelet, precision) / scale / sampling_period``.
    """
    sampling_period = check_real("sampling_period", sampling_period, positive=True)
    s = np.asarray(scale, dtype=np.float64)
    if s.size == 0 or not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ParameterError(f"scale={scale!r} must be finite and strictly positive")
    out = central_frequency(wavelet, precision) / s / sampling_period
    return float(out) if np.ndim(out) == 0 else out


def frequency_to_scale(
    wavelet: Any, freq: Any, precision: int = 8, *, sampling_period: float = 1.0
) -> Any:
    """CWT scale of a frequency, as ``pywt.frequency2scale``.

    Parameters
    ----------
    wavelet : str
    freq : float or np.ndarray > 0
        In cycles per sample when ``sampling_period`` is 1, else in Hz.
    precision : int
    sampling_period : float > 0
        Seconds per sample (``1 / sr``).

    Returns
    -------
    float or np.ndarray, float64
        ``central_frequency(wavelet, precision) / (freq * sampling_period)``.
    """
    sampling_period = check_real("sampling_period", sampling_period, positive=True)
    f = np.asarray(freq, dtype=np.float64)
    if f.size == 0 or not np.all(np.isfinite(f)) or np.any(f <= 0):
        raise ParameterError(f"freq={freq!r} must be finite and strictly positive")
    out = central_frequency(wavelet, precision) / (f * sampling_period)
    return float(out) if np.ndim(out) == 0 else out


def check_scales(scales: Any) -> np.ndarray:
    """``scales`` as a non-empty 1-D float64 array of finite positive values."""
    s = np.atleast_1d(np.asarray(scales))
    if s.ndim != 1:
        raise ParameterError(f"scales must be one-dimensional, got shape {s.shape}")
    if s.size == 0:
        raise ParameterError("scales is empty: give at least one scale")
    if not np.issubdtype(s.dtype, np.number) or np.iscomplexobj(s):
        raise ParameterError(f"scales must be real numbers, got dtype={s.dtype}")
    s = np.ascontiguousarray(s, dtype=np.float64)
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        bad = s[~(np.isfinite(s) & (s > 0))][0]
        raise ParameterError(f"scales must only include finite positive values, got {bad!r}")
    return s


def check_cwt_memory(
    what: str, scales: np.ndarray, n: int, channels: int, out_columns: int, out_itemsize: int
) -> None:
    """Refuse a transform whose filter bank and output cannot fit.

    Each scale ``s`` keeps one filter spectrum of about ``n + 16 s`` complex
    values (the wavelet support is at most 16 units wide); the output is
    ``len(scales) x channels x out_columns`` items.
    """
    taps = 16.0 * float(np.sum(scales)) + len(scales) * (float(n) + 2.0)
    worst = float(n) + 16.0 * float(np.max(scales))
    nbytes = (
        1.4 * 16.0 * taps
        + 1.4 * 48.0 * worst * (get_num_threads() + 1)
        + float(len(scales)) * channels * out_columns * out_itemsize
    )
    check_memory(what, nbytes, n_scales=len(scales), max_scale=float(np.max(scales)), n=n)


def signal_dtype(data: np.ndarray) -> np.dtype:
    """The working dtype pywt picks: float32 stays, other reals become float64."""
    if np.iscomplexobj(data):
        raise ParameterError("cwt does not support complex input; pass the real signal")
    if data.dtype in (np.float32, np.float16):
        return np.dtype(np.float32)
    if not (np.issubdtype(data.dtype, np.number) or data.dtype == np.bool_):
        raise ParameterError(f"cwt input must be numeric, got dtype={data.dtype}")
    return np.dtype(np.float64)


def cwt(
    y: Any,
    scales: Any,
    wavelet: Any = "morl",
    sampling_period: float = 1.0,
    method: str = "fft",
    axis: int = -1,
    *,
    precision: int = 12,
) -> tuple[np.ndarray, np.ndarray]:
    """Continuous wavelet transform, equal to ``pywt.cwt``.

    Parameters
    ----------
    y : array_like, shape (..., n, ...)
        Real signal; transformed along ``axis``.
    scales : float or array_like, shape (n_scales,)
        Finite positive scales. Scale ``s`` has frequency
        ``central_frequency(wavelet, precision) / s`` cycles per sample.
    wavelet : str
        ``mexh`` (Mexican hat, alias ``ricker``), ``morl``, ``gaus1``..``gaus8``
        or ``cmorB-C`` (complex Morlet, e.g. ``cmor1.5-1.0``).
    sampling_period : float > 0
        Seconds per sample, only used for the returned frequencies.
    method : {"fft", "conv"}
        Accepted for pywt compatibility; both use FFT convolution.
    axis : int
        Axis of ``y`` to transform.
    precision : int
        The wavelet is sampled at ``2**precision`` points (pywt's default 12).

    Returns
    -------
    coefs : np.ndarray, shape (n_scales, *y.shape)
        float32/float64 for real wavelets, complex64/complex128 for complex
        ones, following the input precision (float32 in, float32 out).
    frequencies : np.ndarray, shape (n_scales,), float64
        ``central_frequency(wavelet, precision) / scales / sampling_period``.

    Raises
    ------
    ParameterError
        Empty, non-positive or non-finite scales, a scale too small to sample
        the wavelet, an unknown wavelet or method, complex or non-finite input.
    """
    name = wavelet_name(wavelet)
    precision = _precision(precision)
    if method not in ("fft", "conv"):
        raise ParameterError(f"method={method!r} must be 'conv' or 'fft'")
    sampling_period = check_real("sampling_period", sampling_period, positive=True)
    s = check_scales(scales)
    data = np.asarray(y)
    dt = signal_dtype(data)
    if data.ndim == 0:
        raise ParameterError("cwt input must be at least one-dimensional")
    if (
        isinstance(axis, bool)
        or not isinstance(axis, Integral)
        or not -data.ndim <= axis < data.ndim
    ):
        raise ParameterError(f"axis={axis!r} is out of range for input of shape {data.shape}")
    axis = int(axis) % data.ndim
    if data.shape[axis] == 0:
        raise ParameterError(f"cwt input is empty along axis {axis}: shape {data.shape}")
    moved = np.moveaxis(data.astype(dt, copy=False), axis, -1)
    if not np.all(np.isfinite(moved)):
        raise ParameterError("cwt input is not finite everywhere")
    lead = moved.shape[:-1]
    complex_out = name.startswith("cmor")
    check_cwt_memory(
        "cwt",
        s,
        moved.shape[-1],
        int(np.prod(lead, dtype=np.int64)) if lead else 1,
        moved.shape[-1],
        (2 if complex_out else 1) * dt.itemsize,
    )
    flat = np.ascontiguousarray(moved.reshape(-1, moved.shape[-1]))
    out = _core.cwt(flat, s, name, precision)
    out = out.reshape((len(s), *lead, moved.shape[-1]))
    if axis != data.ndim - 1:
        out = np.ascontiguousarray(np.moveaxis(out, -1, axis + 1))
    freqs = central_frequency(name, precision) / s
    freqs /= sampling_period
    return out, freqs
