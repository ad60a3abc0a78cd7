"""Mel spectrogram and MFCC, as in ``librosa.feature``.

Both are computed by fused Rust kernels: per frame, spectrum -> |X|^power ->
sparse mel product (-> dB -> DCT), without materialising the
``(1 + n_fft // 2, n_frames)`` spectrogram. Filter banks and DCT matrices are
cached per parameter set.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from .. import _core
from ..core.spectrum import stft_input
from ..exceptions import ParameterError
from ..filters import resolve_mel
from ..util.validation import (
    check_positive_int,
    check_real,
    check_stft_memory,
)

__all__ = ["melspectrogram", "mfcc"]

_MEL_KWARGS = frozenset({"n_mels", "fmin", "fmax", "htk", "norm", "dtype"})
_STFT_KWARGS = frozenset(
    {"n_fft", "hop_length", "win_length", "window", "center", "pad_mode", "power"}
)


def _check_kwargs(func: str, kwargs: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(kwargs) - allowed
    if unknown:
        raise TypeError(f"{func}() got unexpected keyword argument(s) {sorted(unknown)}")


def _check_mel_kwargs_sizes(kwargs: dict[str, Any]) -> None:
    if "n_mels" in kwargs:
        check_positive_int("n_mels", kwargs["n_mels"])


def _check_power(power: Any) -> float:
    return check_real("power", power, positive=True)


def _spectrogram_3d(S: Any) -> tuple[np.ndarray, tuple[int, ...]]:
    """``S`` as a C-contiguous float32/float64 ``(channels, rows, frames)`` array."""
    S = np.asarray(S)
    if S.ndim < 2:
        raise ParameterError(f"S must be at least 2-D, got shape={S.shape}")
    if np.issubdtype(S.dtype, np.complexfloating):
        raise ParameterError(f"S must be real-valued, got dtype={S.dtype}")
    if S.dtype != np.float32:
        S = S.astype(np.float64, copy=False)
    lead = S.shape[:-2]
    return np.ascontiguousarray(S.reshape((-1,) + S.shape[-2:])), lead


def melspectrogram(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    S: np.ndarray | None = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: float = 2.0,
    **kwargs: Any,
) -> np.ndarray:
    """Mel-scaled spectrogram.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], float32 or float64, optional
        Audio; leading axes are channels.
    sr : number > 0
        Sampling rate.
    S : np.ndarray [shape=(..., 1 + n_fft // 2, t)], optional
        A power (or magnitude) spectrogram to project instead of ``y``; when
        given, ``n_fft`` is inferred from its shape if it does not match.
    n_fft, hop_length, win_length, window, center, pad_mode
        STFT parameters (see :func:`ferrosa.stft`).
    power : float > 0
        Exponent of the magnitude spectrogram (2 for power, 1 for energy).
    **kwargs
        Passed to :func:`ferrosa.filters.mel`: ``n_mels``, ``fmin``, ``fmax``,
        ``htk``, ``norm``, ``dtype``.

    Returns
    -------
    np.ndarray [shape=(..., n_mels, t)]
        float32 for float32 input and the default float32 filter bank,
        float64 for float64 input (as librosa).
    """
    _check_kwargs("melspectrogram", kwargs, _MEL_KWARGS)
    mel_dtype = np.dtype(kwargs.get("dtype", np.float32))
    if S is not None:
        S3, lead = _spectrogram_3d(S)
        n_bins = S3.shape[1]
        if n_fft is None or n_fft // 2 + 1 != n_bins:
            n_fft = 2 * (n_bins - 1)
        bank = resolve_mel(sr, n_fft, **kwargs)
        out = _core.mel_from_spectrogram(S3, bank)
        want = np.result_type(np.asarray(S).dtype, mel_dtype)
    else:
        if y is None:
            raise ParameterError("Input signal must be provided to compute a spectrogram")
        req = stft_input(y, n_fft, hop_length, win_length, window, center, pad_mode)
        n_fft, hop_length = req.n_fft, req.hop_length
        power = _check_power(power)
        _check_mel_kwargs_sizes(kwargs)
        check_stft_memory(
            "melspectrogram",
            y.shape,
            n_fft,
            hop_length,
            bool(center),
            out_rows=int(kwargs.get("n_mels", 128)),
            itemsize=8,
            n_mels=int(kwargs.get("n_mels", 128)),
        )
        bank = resolve_mel(sr, n_fft, **kwargs)
        fft_window = req.fft_window()
        y2, lead = req.channels()
        out = _core.melspectrogram(
            y2, fft_window, n_fft, hop_length, bool(center), pad_mode, bank, power
        )
        want = np.result_type(y2.dtype, mel_dtype)
    out = out.reshape(lead + out.shape[1:])
    return out if out.dtype == want else out.astype(want)


@lru_cache(maxsize=64)
def _dct_matrix(dct_type: int, n_in: int, n_out: int, ortho: bool, lifter: float) -> Any:
    return _core.DctMatrix(dct_type, n_in, n_out, ortho, lifter)


def _resolve_dct(
    dct_type: Any, norm: Any, lifter: Any, n_mfcc: Any
) -> tuple[int, bool, float, int]:
    n_mfcc = check_positive_int("n_mfcc", n_mfcc)
    if isinstance(dct_type, bool) or dct_type not in (1, 2, 3):
        raise ParameterError(f"dct_type={dct_type!r} must be 1, 2 or 3")
    if norm not in (None, "ortho"):
        raise ParameterError(f"norm={norm!r} must be None or 'ortho'")
    if isinstance(lifter, bool) or not isinstance(lifter, (int, float, np.number)):
        raise ParameterError(f"MFCC lifter={lifter!r} must be a non-negative number")
    if not np.isfinite(lifter) or lifter < 0:
        raise ParameterError(f"MFCC lifter={lifter} must be a non-negative number")
    return int(dct_type), norm == "ortho", float(lifter), n_mfcc


def mfcc(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    S: np.ndarray | None = None,
    n_mfcc: int = 20,
    dct_type: int = 2,
    norm: str | None = "ortho",
    lifter: float = 0,
    mel_norm: Any = "slaney",
    **kwargs: Any,
) -> np.ndarray:
    """Mel-frequency cepstral coefficients.

    From audio this is ``dct(power_to_db(melspectrogram(y, ...)))[:n_mfcc]``
    fused in one kernel; the ``top_db=80`` clamp of ``power_to_db`` uses the
    maximum over the whole array (all channels), as librosa does, so channels
    of multichannel input are not independent.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], float32 or float64, optional
        Audio; leading axes are channels.
    sr : number > 0
        Sampling rate.
    S : np.ndarray [shape=(..., n_mels, t)], optional
        A log-power mel spectrogram to transform instead of ``y``.
    n_mfcc : int > 0, at most n_mels
        Number of coefficients. librosa silently returns only ``n_mels``
        rows when ``n_mfcc > n_mels``; ferrosa raises ``ParameterError``.
    dct_type : {1, 2, 3}
        DCT type, as ``scipy.fftpack.dct``.
    norm : {"ortho", None}
        DCT normalisation.
    lifter : float >= 0
        Cepstral liftering: coefficient ``k`` is scaled by
        ``1 + lifter / 2 * sin(pi * (k + 1) / lifter)`` when ``lifter > 0``.
    mel_norm : {"slaney", None, number}
        ``norm`` of the mel filter bank.
    **kwargs
        STFT and mel parameters: ``n_fft``, ``hop_length``, ``win_length``,
        ``window``, ``center``, ``pad_mode``, ``power``, ``n_mels``, ``fmin``,
        ``fmax``, ``htk``, ``dtype``.

    Returns
    -------
    np.ndarray [shape=(..., n_mfcc, t)]
        float32 for float32 input, float64 for float64 input.
    """
    dct_type, ortho, lifter, n_mfcc = _resolve_dct(dct_type, norm, lifter, n_mfcc)
    if S is not None:
        S3, lead = _spectrogram_3d(S)
        n_mels = S3.shape[1]
        if n_mfcc > n_mels:
            raise ParameterError(f"n_mfcc={n_mfcc} must not exceed the {n_mels} mel bands of S")
        out = _core.dct_from_spectrogram(S3, _dct_matrix(dct_type, n_mels, n_mfcc, ortho, lifter))
        return out.reshape(lead + out.shape[1:])
    if y is None:
        raise ParameterError("Input signal must be provided to compute a spectrogram")
    return _mfcc_of_audio(y, sr, n_mfcc, dct_type, ortho, lifter, mel_norm, kwargs, False)


def mfcc_per_segment(
    *,
    y: np.ndarray,
    sr: float = 22050,
    n_mfcc: int = 20,
    dct_type: int = 2,
    norm: str | None = "ortho",
    lifter: float = 0,
    mel_norm: Any = "slaney",
    **kwargs: Any,
) -> np.ndarray:
    """:func:`mfcc` of each row of ``y`` as if each were its own call.

    The same as ``np.stack([mfcc(y=seg, ...) for seg in y])`` within the
    float32 contract, in one call: each segment's ``top_db`` clamp uses its
    own maximum (``mfcc`` of a 2-D ``y`` uses one maximum over all rows, as
    librosa does for multichannel audio). Dataset preparation uses this.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], float32 or float64
        Segments of equal length; every leading index is one segment.
    sr, n_mfcc, dct_type, norm, lifter, mel_norm, **kwargs
        As for :func:`mfcc`.

    Returns
    -------
    np.ndarray [shape=(..., n_mfcc, t)]
        float32 for float32 input, float64 for float64 input.
    """
    dct_type, ortho, lifter, n_mfcc = _resolve_dct(dct_type, norm, lifter, n_mfcc)
    return _mfcc_of_audio(y, sr, n_mfcc, dct_type, ortho, lifter, mel_norm, kwargs, True)


def _mfcc_of_audio(
    y: np.ndarray,
    sr: float,
    n_mfcc: int,
    dct_type: int,
    ortho: bool,
    lifter: float,
    mel_norm: Any,
    kwargs: dict[str, Any],
    per_channel: bool,
) -> np.ndarray:
    """The audio path of :func:`mfcc` (arguments already resolved)."""
    _check_kwargs("mfcc", kwargs, _MEL_KWARGS.union(_STFT_KWARGS) - {"norm"})
    mel_kw = {k: v for k, v in kwargs.items() if k in _MEL_KWARGS}
    req = stft_input(
        y,
        kwargs.get("n_fft", 2048),
        kwargs.get("hop_length", 512),
        kwargs.get("win_length"),
        kwargs.get("window", "hann"),
        kwargs.get("center", True),
        kwargs.get("pad_mode", "constant"),
    )
    n_fft, hop_length, center, pad_mode = req.n_fft, req.hop_length, req.center, req.pad_mode
    power = _check_power(kwargs.get("power", 2.0))
    _check_mel_kwargs_sizes(mel_kw)
    # The log-mel array is held whole for the top_db clamp.
    check_stft_memory(
        "mfcc",
        y.shape,
        n_fft,
        hop_length,
        center,
        out_rows=int(mel_kw.get("n_mels", 128)) + n_mfcc,
        itemsize=8,
        n_mels=int(mel_kw.get("n_mels", 128)),
    )
    bank = resolve_mel(sr, n_fft, norm=mel_norm, **mel_kw)
    if n_mfcc > bank.n_mels:
        raise ParameterError(f"n_mfcc={n_mfcc} must not exceed n_mels={bank.n_mels}")
    dct = _dct_matrix(dct_type, bank.n_mels, n_mfcc, ortho, lifter)
    fft_window = req.fft_window()
    y2, lead = req.channels()
    out = _core.mfcc(
        y2,
        fft_window,
        n_fft,
        hop_length,
        center,
        pad_mode,
        bank,
        dct,
        power,
        1e-10,
        80.0,
        per_channel,
    )
    out = out.reshape(lead + out.shape[1:])
    want = np.result_type(y2.dtype, np.dtype(mel_kw.get("dtype", np.float32)))
    return out if out.dtype == want else out.astype(want)
