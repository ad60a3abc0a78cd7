"""Griffin-Lim phase reconstruction, as ``librosa.griffinlim`` (fast Griffin-Lim).

Generated spectrograms have magnitudes only; audio comes back by estimating a
consistent phase (Perraud et al., 2013's momentum variant), never by a
zero-phase inverse STFT. Each iteration is one ISTFT and one STFT, both in the
Rust core.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..core.spectrum import istft, stft
from ..exceptions import ParameterError
from ..util.validation import check_positive_int

__all__ = ["griffinlim"]


def _rng(random_state: Any) -> Any:
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return np.random.RandomState(seed=int(random_state))  # librosa's choice, same draws
    if isinstance(random_state, (np.random.RandomState, np.random.Generator)):
        return random_state
    raise ParameterError(f"Unsupported random_state={random_state!r}")


def griffinlim(
    S: np.ndarray,
    *,
    n_iter: int = 32,
    hop_length: int | None = None,
    win_length: int | None = None,
    n_fft: int | None = None,
    window: Any = "hann",
    center: bool = True,
    dtype: Any = None,
    length: int | None = None,
    pad_mode: str = "constant",
    momentum: float = 0.99,
    init: str | None = "random",
    random_state: Any = None,
) -> np.ndarray:
    """Approximate a signal whose STFT magnitude is ``S``.

    Parameters
    ----------
    S : np.ndarray, shape (..., n_fft // 2 + 1, t), non-negative real
        Magnitude spectrogram.
    n_iter : int > 0
    hop_length, win_length, n_fft, window, center, dtype, length, pad_mode
        As :func:`ferrosa.stft` / :func:`ferrosa.istft`; ``n_fft`` defaults to
        ``2 * (S.shape[-2] - 1)``.
    momentum : float >= 0
        Fast Griffin-Lim momentum (0 gives the original algorithm).
    init : {"random", None}
        Random initial phases, or all zero phase.
    random_state : None, int, RandomState or Generator
        As librosa: an int seeds a ``np.random.RandomState``.

    Returns
    -------
    np.ndarray, shape (..., n), real
        float32 for float32 ``S``, float64 for float64.
    """
    S = np.asarray(S)
    if S.ndim < 2 or not np.issubdtype(S.dtype, np.floating):
        raise ParameterError(f"S must be a real spectrogram (..., bins, frames), got {S.shape}")
    if not np.isfinite(S).all():
        raise ParameterError("S is not finite everywhere")
    n_iter = check_positive_int("n_iter", n_iter)
    if momentum > 1:
        warnings.warn(
            f"Griffin-Lim with momentum={momentum} > 1 can be unstable. Proceed with caution!",
            stacklevel=2,
        )
    elif momentum < 0:
        raise ParameterError(f"griffinlim() called with momentum={momentum} < 0")
    if init not in ("random", None):
        raise ParameterError(f"init={init} must either None or 'random'")
    rng = _rng(random_state)
    if n_fft is None:
        n_fft = 2 * (S.shape[-2] - 1)
    ctype = np.complex64 if S.dtype == np.float32 else np.complex128
    eps = np.finfo(S.dtype).tiny
    angles = np.empty(S.shape, dtype=ctype)
    if init == "random":
        angles[:] = np.exp(1j * 2 * np.pi * rng.random(size=S.shape))
    else:
        angles[:] = 1.0
    angles *= S

    def inverse_of(spec: np.ndarray) -> np.ndarray:
        return istft(
            spec,
            hop_length=hop_length,
            win_length=win_length,
            n_fft=n_fft,
            window=window,
            center=center,
            dtype=dtype,
            length=length,
        )

    tprev: np.ndarray | None = None
    for _ in range(n_iter):
        rebuilt = stft(
            inverse_of(angles),
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
        )
        angles[:] = rebuilt
        if tprev is not None:
            angles -= (momentum / (1 + momentum)) * tprev
        angles /= np.abs(angles) + eps
        angles *= S
        tprev = rebuilt
    return inverse_of(angles)
