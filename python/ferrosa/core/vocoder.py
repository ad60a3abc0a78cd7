"""Phase vocoder (librosa.phase_vocoder), in Rust.

Output frame ``t`` reads the input at fractional frame ``t * rate``: the
magnitude is interpolated linearly between the two neighbouring frames, and
each bin's phase advances by its expected advance (``hop_length * 2 pi k /
n_fft``) plus the measured deviation wrapped to ``[-pi, pi]``, as librosa
does. The phase is accumulated in float64 for complex64 input too (librosa
keeps it in float32, where an accumulated phase of 10**6 rad resolves only
0.06 rad), so complex64 results agree with librosa's in magnitude and in
phase up to librosa's own float32 accumulation error.
"""

from __future__ import annotations

import numpy as np

from .. import _core
from ..exceptions import ParameterError
from ..util.validation import check_positive_int

__all__ = ["phase_vocoder"]


def phase_vocoder(
    D: np.ndarray, *, rate: float, hop_length: int | None = None, n_fft: int | None = None
) -> np.ndarray:
    """Time-stretch an STFT by ``rate`` (librosa.phase_vocoder).

    Parameters
    ----------
    D : np.ndarray, shape (..., n_bins, n_frames), complex
    rate : float > 0
        Above 1 speeds up (fewer frames), below 1 slows down.
    hop_length : int > 0, default ``n_fft // 4``
    n_fft : int > 0, default ``2 * (n_bins - 1)``

    Returns
    -------
    np.ndarray, shape (..., n_bins, ceil(n_frames / rate)), D's complex dtype

    Raises
    ------
    ParameterError
        ``rate <= 0`` (or not finite), a non-complex or non-finite ``D``, bad sizes.
    """
    D = np.asarray(D)
    if not np.iscomplexobj(D) or D.ndim < 2:
        raise ParameterError(f"D must be a complex array of at least 2 dimensions, got {D.dtype}")
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)):
        raise ParameterError(f"rate={rate!r} must be a positive number")
    if not (np.isfinite(rate) and rate > 0):
        raise ParameterError(f"rate={rate} must be a positive number")
    n_fft = 2 * (D.shape[-2] - 1) if n_fft is None else check_positive_int("n_fft", n_fft)
    if hop_length is not None:
        check_positive_int("hop_length", hop_length)
    if D.shape[-1] == 0:
        raise ParameterError("D has no frames")
    if 1 + n_fft // 2 != D.shape[-2]:
        raise ParameterError(f"n_fft={n_fft} gives {1 + n_fft // 2} bins, but D has {D.shape[-2]}")
    flat = D.reshape(-1, D.shape[-1])
    rows: np.ndarray
    if D.dtype == np.complex64:
        rows = np.ascontiguousarray(flat, dtype=np.complex64)
    else:
        rows = np.ascontiguousarray(flat, dtype=np.complex128)
    # The expected advance (hop_length * 2 pi k / n_fft) cancels out of
    # librosa's update, so the kernel needs neither; both are still checked.
    out: np.ndarray = _core.phase_vocoder_rows(rows, float(rate))
    return out.reshape(D.shape[:-1] + (out.shape[-1],))
