"""Wavelet scalograms: |CWT| on log-spaced frequencies, framed like an STFT.

This is the image a scalogram CNN consumes: rows are frequencies from
``fmin`` (row 0) to ``fmax`` spaced geometrically, columns are samples, or,
with ``hop_length``, frames centred on ``t * hop_length`` (the centred STFT's
frames, so the scalogram lines up with ``ferrosa.stft`` / mel features).
Each frame is the mean of ``|coef|**power`` over the ``hop_length`` samples
around its centre, which keeps energy of fast oscillations that plain
decimation would alias. The CWT itself is ``ferrosa.cwt`` (pywt's values);
magnitudes are pooled in Rust as rows are produced.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from ..core.spectrum import amplitude_to_db, power_to_db
from ..core.wavelet import check_cwt_memory, frequency_to_scale, wavelet_name
from ..exceptions import ParameterError
from ..util.validation import (
    as_channels,
    check_audio,
    check_memory,
    check_positive_int,
    check_real,
    float_audio,
)

__all__ = ["scalogram", "scalogram_frequencies"]

_C1 = 32.70319566257483  # note_to_hz("C1"), librosa's CQT default fmin


def scalogram_frequencies(
    *, sr: float = 22050, n_bins: int = 128, fmin: float | None = None, fmax: float | None = None
) -> np.ndarray:
    """Centre frequencies of :func:`scalogram`'s rows.

    Parameters
    ----------
    sr : float > 0
    n_bins : int > 0
    fmin : float > 0, default C1 (32.70 Hz)
    fmax : float, fmin <= fmax <= sr / 2, default ``sr / 4``

    Returns
    -------
    np.ndarray, shape (n_bins,), float64
        ``np.geomspace(fmin, fmax, n_bins)``, ascending.
    """
    sr = check_real("sr", sr, positive=True)
    n_bins = check_positive_int("n_bins", n_bins)
    check_memory("scalogram frequencies", 24.0 * n_bins, n_bins=n_bins)
    fmin = _C1 if fmin is None else check_real("fmin", fmin, positive=True)
    fmax = sr / 4.0 if fmax is None else check_real("fmax", fmax, positive=True)
    if fmax > sr / 2.0:
        raise ParameterError(f"fmax={fmax} must not exceed the Nyquist frequency sr/2={sr / 2.0}")
    if fmin > fmax:
        raise ParameterError(f"fmin={fmin} must not exceed fmax={fmax}")
    return np.geomspace(fmin, fmax, n_bins)


def scalogram(
    y: np.ndarray,
    *,
    sr: float = 22050,
    wavelet: Any = "cmor1.5-1.0",
    n_bins: int = 128,
    fmin: float | None = None,
    fmax: float | None = None,
    hop_length: int | None = None,
    power: float = 1.0,
    db: bool = False,
    top_db: float | None = 80.0,
    precision: int = 12,
) -> np.ndarray:
    """Magnitude, power or dB scalogram on log-spaced frequencies.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), float32 or float64
        Audio; leading axes are channels.
    sr : float > 0
        Sampling rate of ``y``.
    wavelet : str
        Any :func:`ferrosa.cwt` wavelet. The default complex Morlet gives a
        smooth magnitude; real wavelets (``mexh``, ``morl``) oscillate at the
        analysed frequency and are best used with a ``hop_length``.
    n_bins : int > 0
        Number of frequencies (rows).
    fmin, fmax : float
        Lowest and highest frequency in Hz (defaults C1 and ``sr / 4``).
    hop_length : int > 0 or None
        Pool onto frames centred on ``t * hop_length`` (``1 + n // hop_length``
        frames, like a centred STFT); None keeps one column per sample.
    power : float > 0
        Exponent of the magnitude: 1 for magnitude, 2 for power.
    db : bool
        Convert to decibels relative to the peak (``ref=np.max``), floored
        ``top_db`` below it; requires ``power`` 1 or 2.
    top_db : float >= 0 or None
    precision : int
        Wavelet sampling precision (as in :func:`ferrosa.cwt`).

    Returns
    -------
    np.ndarray, shape (..., n_bins, n_frames), float32 or float64 (the input's)
        Row ``k`` analyses ``scalogram_frequencies(...)[k]`` Hz.
    """
    check_audio(y, mono=False)
    name = wavelet_name(wavelet)
    freqs = scalogram_frequencies(sr=sr, n_bins=n_bins, fmin=fmin, fmax=fmax)
    if hop_length is not None:
        hop_length = check_positive_int("hop_length", hop_length)
    power = check_real("power", power, positive=True)
    if db and power not in (1.0, 2.0):
        raise ParameterError(f"db=True needs power=1 or power=2, got power={power}")
    scales = np.ascontiguousarray(
        frequency_to_scale(name, freqs, precision, sampling_period=1.0 / float(sr)),
        dtype=np.float64,
    )
    n = y.shape[-1]
    check_cwt_memory(
        "scalogram",
        scales,
        n,
        int(np.prod(y.shape[:-1], dtype=np.int64)),
        n if hop_length is None else 1 + n // hop_length,
        16,
    )
    y2, lead = as_channels(float_audio(y))
    out = _core.cwt_scalogram(y2, np.atleast_1d(scales), name, power, hop_length, precision)
    out = out.reshape(lead + out.shape[1:])
    if db:
        convert = amplitude_to_db if power == 1.0 else power_to_db
        out = convert(out, ref=np.max, top_db=top_db).astype(out.dtype, copy=False)
    return out
