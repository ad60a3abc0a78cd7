"""Griffin-Lim phase reconstruction, as ``librosa.griffinlim`` (fast Griffin-Lim).

Magnitude-only spectrograms (generated ones, for instance) become audio by
estimating a consistent phase (Perraud et al., 2013's momentum variant). The
whole iteration loop (one ISTFT and one STFT per iteration) runs in the Rust
core with the GIL released; only the initial random phases are drawn here,
with librosa's generator calls, so a fixed ``random_state`` gives librosa's
result.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import _core
from ..exceptions import ParameterError
from ..filters import window_for
from ..util.validation import check_positive_int, real_dtype
from .spectrum import resolve_stft_params

__all__ = ["griffinlim"]


def _rng(random_state: Any) -> Any:
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return np.random.RandomState(seed=int(random_state))  # librosa's choice, same draws
    if isinstance(random_state, (np.random.RandomState, np.random.Generator)):
        return random_state
    raise ParameterError(f"Unsupported random_state={random_state!r}")


def _check_length(length: Any) -> int | None:
    if length is None:
        return None
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
        raise ParameterError(f"length={length!r} must be a non-negative integer")
    return int(length) or None  # librosa tests `if length:`


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
        Magnitude spectrogram, float32 or float64 (other reals become float64).
    n_iter : int > 0
    hop_length, win_length, n_fft, window, center, length, pad_mode
        As :func:`ferrosa.stft` / :func:`ferrosa.istft`; ``n_fft`` defaults to
        ``2 * (S.shape[-2] - 1)``.
    dtype : real dtype, optional
        Output dtype; default float32 for float32 ``S``, float64 otherwise.
    momentum : float >= 0
        Fast Griffin-Lim momentum (0 gives the original algorithm; above 1
        warns, as librosa does).
    init : {"random", None}
        Random initial phases, or all zero phase.
    random_state : None, int, RandomState or Generator
        As librosa: an int seeds a ``np.random.RandomState``; the phases are
        drawn with ``rng.random(size=S.shape)``, librosa's call.

    Returns
    -------
    np.ndarray, shape (..., n), real
        float64 ``S`` equals ``librosa.griffinlim`` to about 1e-10 of the
        peak. float32 ``S`` runs the FFTs in float32 (librosa's complex64
        path), so the iterations amplify rounding differently: samples
        differ, the spectral convergence reached is the same.
    """
    S = np.asarray(S)
    if S.ndim < 2 or not (
        np.issubdtype(S.dtype, np.floating) or np.issubdtype(S.dtype, np.integer)
    ):
        raise ParameterError(f"S must be a real spectrogram (..., bins, frames), got {S.shape}")
    if S.dtype not in (np.float32, np.float64):
        S = S.astype(np.float64)
    if not np.isfinite(S).all():
        raise ParameterError("S is not finite everywhere")
    if 0 in S.shape:
        raise ParameterError(f"S is empty: shape {S.shape}")
    n_iter = check_positive_int("n_iter", n_iter)
    momentum = float(momentum)
    if momentum > 1:
        warnings.warn(
            f"Griffin-Lim with momentum={momentum} > 1 can be unstable. Proceed with caution!",
            stacklevel=2,
        )
    elif not momentum >= 0:
        raise ParameterError(f"griffinlim() called with momentum={momentum} < 0")
    if init not in ("random", None):
        raise ParameterError(f"init={init} must either None or 'random'")
    rng = _rng(random_state)
    center = bool(center)
    if n_fft is None:
        n_fft = 2 * (S.shape[-2] - 1)
    n_fft, hop_length, win_length = resolve_stft_params(
        n_fft, hop_length, win_length, pad_mode, center
    )
    if S.shape[-2] != 1 + n_fft // 2:
        raise ParameterError(
            f"n_fft={n_fft} does not match S with {S.shape[-2]} frequency bins "
            f"(expected 1 + n_fft // 2 = {1 + n_fft // 2})"
        )
    length = _check_length(length)
    want = np.dtype(S.dtype) if dtype is None else real_dtype(dtype)
    fft_window = window_for(window, win_length, n_fft)

    lead = S.shape[:-2]
    # Frame-major (channels, frames, bins): the layout the Rust STFT writes.
    mag = np.ascontiguousarray(np.swapaxes(S.reshape((-1,) + S.shape[-2:]), -1, -2))
    turns = None
    if init == "random":
        # librosa's draws (its phases are exp(2j * pi * draws)); the phasors
        # are made in Rust, several times faster than numpy's complex exp.
        draws = rng.random(size=S.shape).reshape(mag.shape[:1] + S.shape[-2:])
        turns = np.ascontiguousarray(np.swapaxes(draws, -1, -2))
    y = _core.griffinlim(
        mag,
        turns,
        fft_window,
        n_fft,
        hop_length,
        center,
        pad_mode,
        length,
        n_iter,
        momentum,
    )
    y = y.reshape(lead + y.shape[-1:])
    return y if y.dtype == want else y.astype(want)
