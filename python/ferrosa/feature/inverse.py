"""Feature inversion, as ``librosa.feature.inverse``: mel and MFCC back to
spectrograms and audio.

Mel to linear frequency is the non-negative least-squares fit of
:func:`ferrosa.util.nnls`; audio comes back through Griffin-Lim phase
estimation (:func:`ferrosa.griffinlim`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.spectrum import db_to_power
from ..exceptions import ParameterError
from ..filters import mel as mel_filters
from ..util.nnls import nnls
from ..util.normalize import tiny

__all__ = ["mel_to_audio", "mel_to_stft", "mfcc_to_audio", "mfcc_to_mel"]


def mel_to_stft(
    M: np.ndarray, *, sr: float = 22050, n_fft: int = 2048, power: float = 2.0, **kwargs: Any
) -> np.ndarray:
    """Approximate the STFT magnitude from a mel power spectrogram.

    Parameters
    ----------
    M : np.ndarray, shape (..., n_mels, t), non-negative
    sr : number > 0
    n_fft : int > 0
    power : float > 0
        Exponent ``M`` was computed with (2: power, 1: magnitude).
    **kwargs
        Mel filter options (``fmin``, ``fmax``, ``htk``, ``norm``) as in
        :func:`ferrosa.filters.mel`.

    Returns
    -------
    np.ndarray, shape (..., 1 + n_fft // 2, t), dtype of ``M``
    """
    basis = mel_filters(sr=sr, n_fft=n_fft, n_mels=M.shape[-2], dtype=M.dtype, **kwargs)
    inverse = nnls(basis, M)
    return np.power(inverse, 1.0 / power, out=inverse)


def mel_to_audio(
    M: np.ndarray,
    *,
    sr: float = 22050,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: float = 2.0,
    n_iter: int = 32,
    length: int | None = None,
    dtype: Any = np.float32,
    **kwargs: Any,
) -> np.ndarray:
    """Audio from a mel spectrogram: :func:`mel_to_stft`, then Griffin-Lim.

    Returns
    -------
    np.ndarray, shape (..., n), ``dtype``
    """
    from ..core.phase_recovery import griffinlim

    stft = mel_to_stft(M, sr=sr, n_fft=n_fft, power=power, **kwargs)
    return griffinlim(
        stft,
        n_iter=n_iter,
        hop_length=hop_length,
        win_length=win_length,
        n_fft=n_fft,
        window=window,
        center=center,
        dtype=dtype,
        length=length,
        pad_mode=pad_mode,
    )


def mfcc_to_mel(
    mfcc: np.ndarray,
    *,
    n_mels: int = 128,
    dct_type: int = 2,
    norm: str | None = "ortho",
    ref: float = 1.0,
    lifter: float = 0,
) -> np.ndarray:
    """Mel power spectrogram from MFCCs: undo the lifter, inverse DCT, dB to power.

    Parameters
    ----------
    mfcc : np.ndarray, shape (..., n_mfcc, t)
    n_mels : int > 0
    dct_type : {1, 2, 3}
    norm : None or "ortho"
    ref : float
        Reference power for :func:`ferrosa.db_to_power`.
    lifter : number >= 0

    Returns
    -------
    np.ndarray, shape (..., n_mels, t)
    """
    import scipy.fftpack

    if lifter > 0:
        idx = np.arange(1, 1 + mfcc.shape[-2], dtype=mfcc.dtype)
        sine = 1 + lifter * 0.5 * np.sin(np.pi * idx / lifter)
        mfcc = mfcc / (sine[:, None] + tiny(mfcc))
    elif lifter != 0:
        raise ParameterError("MFCC to mel lifter must be a non-negative number.")
    logmel = scipy.fftpack.idct(mfcc, axis=-2, type=dct_type, norm=norm, n=n_mels)
    return db_to_power(logmel, ref=ref)  # type: ignore[no-any-return]


def mfcc_to_audio(
    mfcc: np.ndarray,
    *,
    n_mels: int = 128,
    dct_type: int = 2,
    norm: str | None = "ortho",
    ref: float = 1.0,
    lifter: float = 0,
    **kwargs: Any,
) -> np.ndarray:
    """Audio from MFCCs: :func:`mfcc_to_mel`, then :func:`mel_to_audio` (``**kwargs``)."""
    mel = mfcc_to_mel(mfcc, n_mels=n_mels, dct_type=dct_type, norm=norm, ref=ref, lifter=lifter)
    return mel_to_audio(mel, **kwargs)
