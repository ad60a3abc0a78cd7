"""Time stretching and pitch shifting (librosa.effects.time_stretch, pitch_shift).

Both are librosa's: an STFT, the phase vocoder (:func:`ferrosa.phase_vocoder`,
in Rust) and the inverse STFT; pitch shifting then resamples the stretched
signal back to the original duration with librosa's ``resample`` call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.spectrum import istft, stft
from ..core.vocoder import phase_vocoder
from ..exceptions import ParameterError
from ..io import resample
from ..util.framing import fix_length
from ..util.validation import check_positive_int

__all__ = ["pitch_shift", "time_stretch"]

# The keyword arguments librosa forwards to both stft and istft.
_SHARED = ("n_fft", "hop_length", "win_length", "window", "center")


def time_stretch(y: np.ndarray, *, rate: float, **kwargs: Any) -> np.ndarray:
    """Stretch ``y`` in time by ``rate`` without changing its pitch.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), float32 or float64
    rate : float > 0
        Above 1 speeds up; the result has ``round(n / rate)`` samples.
    **kwargs
        STFT arguments (``n_fft``, ``hop_length``, ``win_length``, ``window``,
        ``center``), used for the inverse too, as in librosa; ``pad_mode``
        and ``dtype`` go to the forward STFT only.

    Returns
    -------
    np.ndarray, shape (..., round(n / rate)), dtype of ``y``
    """
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)):
        raise ParameterError(f"rate={rate!r} must be a positive number")
    if not rate > 0:
        raise ParameterError("rate must be a positive number")
    unknown = set(kwargs) - set(_SHARED) - {"pad_mode", "dtype"}
    if unknown:
        raise ParameterError(f"time_stretch got unexpected STFT arguments: {sorted(unknown)}")
    D = stft(y, **kwargs)
    stretched = phase_vocoder(
        D, rate=rate, hop_length=kwargs.get("hop_length"), n_fft=kwargs.get("n_fft")
    )
    shared = {k: v for k, v in kwargs.items() if k in _SHARED}
    return istft(stretched, dtype=y.dtype, length=int(round(y.shape[-1] / rate)), **shared)


def pitch_shift(
    y: np.ndarray,
    *,
    sr: float,
    n_steps: float,
    bins_per_octave: int = 12,
    res_type: str = "soxr_hq",
    scale: bool = False,
    **kwargs: Any,
) -> np.ndarray:
    """Shift the pitch of ``y`` by ``n_steps`` fractional steps, keeping its duration.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), float32 or float64
    sr : float > 0
    n_steps : float
        Steps of ``1 / bins_per_octave`` octave (semitones by default); negative lowers.
    bins_per_octave : int > 0
    res_type : str
        Any :func:`ferrosa.resample` type.
    scale : bool
        Passed to :func:`ferrosa.resample`.
    **kwargs
        STFT arguments, as for :func:`time_stretch`.

    Returns
    -------
    np.ndarray, shape and dtype of ``y``
    """
    check_positive_int("bins_per_octave", bins_per_octave)
    rate = 2.0 ** (-float(n_steps) / bins_per_octave)
    shifted = resample(
        time_stretch(y, rate=rate, **kwargs),
        orig_sr=float(sr) / rate,
        target_sr=sr,
        res_type=res_type,
        scale=scale,
    )
    return fix_length(shifted, size=y.shape[-1])
