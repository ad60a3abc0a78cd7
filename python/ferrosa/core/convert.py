"""Frequency conversions, as in ``librosa.core.convert`` (mel scale, FFT bins).

These are a handful of NumPy operations written in the same order as
librosa's, so results are bit-identical to librosa's (the mel filter bank
relies on that: its band edges come from :func:`mel_frequencies`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["fft_frequencies", "hz_to_mel", "mel_frequencies", "mel_to_hz", "tempo_frequencies"]

# Slaney's scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above.
_F_SP = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = (_MIN_LOG_HZ - 0.0) / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


def hz_to_mel(frequencies: Any, *, htk: bool = False) -> Any:
    """Convert Hz to mels.

    Parameters
    ----------
    frequencies : number or np.ndarray [shape=(n,)], float
        Frequencies in Hz.
    htk : bool
        Use the HTK formula ``2595 log10(1 + f / 700)`` instead of Slaney's
        scale (linear below 1 kHz, logarithmic above).

    Returns
    -------
    mels : np.float64 for scalar input, else np.ndarray [shape=(n,)], float64
    """
    f = np.asanyarray(frequencies)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    mels = (f - 0.0) / _F_SP
    if f.ndim:
        log_t = f >= _MIN_LOG_HZ
        mels[log_t] = _MIN_LOG_MEL + np.log(f[log_t] / _MIN_LOG_HZ) / _LOGSTEP
    elif f >= _MIN_LOG_HZ:
        mels = _MIN_LOG_MEL + np.log(f / _MIN_LOG_HZ) / _LOGSTEP
    return mels


def mel_to_hz(mels: Any, *, htk: bool = False) -> Any:
    """Convert mels to Hz (the inverse of :func:`hz_to_mel`).

    Parameters
    ----------
    mels : number or np.ndarray [shape=(n,)], float
    htk : bool
        Use the HTK formula instead of Slaney's scale.

    Returns
    -------
    frequencies : np.float64 for scalar input, else np.ndarray [shape=(n,)], float64
    """
    m = np.asanyarray(mels)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    freqs = 0.0 + _F_SP * m
    if m.ndim:
        log_t = m >= _MIN_LOG_MEL
        freqs[log_t] = _MIN_LOG_HZ * np.exp(_LOGSTEP * (m[log_t] - _MIN_LOG_MEL))
    elif m >= _MIN_LOG_MEL:
        freqs = _MIN_LOG_HZ * np.exp(_LOGSTEP * (m - _MIN_LOG_MEL))
    return freqs


def mel_frequencies(
    n_mels: int = 128, *, fmin: float = 0.0, fmax: float = 11025.0, htk: bool = False
) -> np.ndarray:
    """Frequencies (Hz) evenly spaced on the mel scale from ``fmin`` to ``fmax``.

    Parameters
    ----------
    n_mels : int >= 0
        Number of frequencies.
    fmin, fmax : float
        Endpoints in Hz (both included).
    htk : bool
        Use the HTK mel formula instead of Slaney's.

    Returns
    -------
    np.ndarray [shape=(n_mels,)], float64
    """
    from ..util.validation import check_memory, check_nonneg_int

    n_mels = check_nonneg_int("n_mels", n_mels)
    check_memory("mel_frequencies", 32.0 * n_mels, n_mels=n_mels)
    lo = hz_to_mel(fmin, htk=htk)
    hi = hz_to_mel(fmax, htk=htk)
    result: np.ndarray = mel_to_hz(np.linspace(lo, hi, n_mels), htk=htk)
    return result


def fft_frequencies(*, sr: float = 22050, n_fft: int = 2048) -> np.ndarray:
    """Centre frequencies of the ``1 + n_fft // 2`` real-FFT bins.

    Parameters
    ----------
    sr : number > 0
        Sampling rate.
    n_fft : int > 0
        FFT size.

    Returns
    -------
    np.ndarray [shape=(1 + n_fft // 2,)], float64
        ``k * sr / n_fft`` for ``k = 0 .. n_fft // 2``.
    """
    from ..util.validation import check_memory, check_positive_int, check_real

    n_fft = check_positive_int("n_fft", n_fft)
    sr = check_real("sr", sr, positive=True)
    check_memory("fft_frequencies", 8.0 * (n_fft // 2 + 1), n_fft=n_fft)
    return np.fft.rfftfreq(n=n_fft, d=1.0 / sr)


def tempo_frequencies(n_bins: int, *, hop_length: int = 512, sr: float = 22050) -> np.ndarray:
    """Tempo (BPM) of each lag of an autocorrelation tempogram (librosa.tempo_frequencies).

    Returns
    -------
    np.ndarray, shape (n_bins,), float64
        ``inf`` for lag 0, then ``60 * sr / (hop_length * k)``.
    """
    freqs = np.zeros(int(n_bins), dtype=np.float64)
    if len(freqs):
        freqs[0] = np.inf
        freqs[1:] = 60.0 * sr / (hop_length * np.arange(1.0, n_bins))
    return freqs
