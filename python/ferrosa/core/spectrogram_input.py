"""The ``y`` or ``S`` argument pair of librosa's spectral features, resolved once.

librosa's feature functions accept either audio ``y`` (and compute
``|stft(y)| ** power`` with the given STFT parameters) or a ready spectrogram
``S`` (inferring ``n_fft`` from its height). :func:`resolve` validates both
forms the way librosa does and returns what the Rust kernels need: the audio
as ``(channels, n)`` plus the STFT geometry, or the spectrogram frame-major as
``(channels, frames, bins)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _core
from ..exceptions import ParameterError
from ..util.validation import check_stft_memory
from .spectrum import stft_input

__all__ = ["SpecInput", "resolve", "to_frames"]


@dataclass
class SpecInput:
    """A validated signal-or-spectrogram input.

    Attributes
    ----------
    audio : np.ndarray, shape (channels, n), float32/float64, or None
    frames : np.ndarray, shape (channels, frames, bins), or None
        The given spectrogram, frame-major (when ``S`` was passed).
    lead : tuple of int
        Leading (channel) shape to restore on outputs.
    n_fft, hop_length : int
    window : np.ndarray, shape (n_fft,), float64, or None
    center : bool
    pad_mode : str
    dtype : np.dtype
        Real dtype of the spectrogram (float32 for float32 audio).
    """

    audio: np.ndarray | None
    frames: np.ndarray | None
    lead: tuple[int, ...]
    n_fft: int
    hop_length: int
    window: np.ndarray | None
    center: bool
    pad_mode: str
    dtype: np.dtype


def to_frames(S: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    """``(..., bins, frames)`` → C-contiguous ``(channels, frames, bins)``.

    float32 stays float32; other real dtypes become float64.
    """
    S = np.asarray(S)
    if S.dtype != np.float32 and S.dtype != np.float64:
        S = S.astype(np.float64)
    lead = S.shape[:-2]
    s3 = S.reshape((-1,) + S.shape[-2:])
    return np.ascontiguousarray(np.swapaxes(s3, -1, -2)), lead


def resolve(
    *,
    y: Any,
    S: Any,
    n_fft: Any,
    hop_length: Any,
    win_length: Any,
    window: Any,
    center: bool,
    pad_mode: str,
    what: str | None = None,
) -> SpecInput:
    """Validate ``y`` or ``S`` as librosa's ``_spectrogram`` does.

    Parameters
    ----------
    what : str, optional
        Feature name; when given, ``S`` must be real and non-negative
        ("Spectral {what} is only defined with ...").

    Returns
    -------
    SpecInput
    """
    center = bool(center)  # librosa tests truthiness: None, 0, 1 are accepted
    if S is not None:
        S = np.asarray(S)
        if S.ndim < 2:
            raise ParameterError(f"S must be at least 2-D (..., bins, frames), got shape={S.shape}")
        if S.shape[-2] == 0 or S.shape[-1] == 0:
            raise ParameterError(f"S is empty: shape={S.shape}")
        if n_fft is None or n_fft // 2 + 1 != S.shape[-2]:
            n_fft = 2 * (S.shape[-2] - 1)
        if n_fft < 1:
            raise ParameterError(
                f"S has {S.shape[-2]} frequency bin(s); a spectrogram needs at least 2 "
                f"(shape {S.shape})"
            )
        if what is not None:
            if not np.isrealobj(S):
                raise ParameterError(f"Spectral {what} is only defined with real-valued input")
            if np.any(S < 0):
                raise ParameterError(f"Spectral {what} is only defined with non-negative energies")
        frames, lead = to_frames(S if np.isrealobj(S) else np.abs(S))
        return SpecInput(None, frames, lead, int(n_fft), 0, None, center, pad_mode, frames.dtype)
    if n_fft is None:
        raise ParameterError(f"Unable to compute spectrogram with n_fft={n_fft}")
    if y is None:
        raise ParameterError("Input signal must be provided to compute a spectrogram")
    req = stft_input(y, n_fft, hop_length, win_length, window, center, pad_mode)
    n_fft, hop_length = req.n_fft, req.hop_length
    # The spectrogram may be materialised (|X| frames in float64).
    check_stft_memory(what or "spectrogram", np.shape(y), n_fft, hop_length, center, itemsize=8)
    fft_window = req.fft_window()
    audio, lead = req.channels()
    return SpecInput(
        audio, None, lead, n_fft, hop_length, fft_window, center, pad_mode, audio.dtype
    )


def spectrogram_frames(inp: SpecInput, *, squared: bool) -> np.ndarray:
    """The frame-major spectrogram of ``inp``: given, or ``|stft|`` (squared).

    Returns
    -------
    np.ndarray, shape (channels, frames, bins)
    """
    if inp.frames is not None:
        return inp.frames
    assert inp.audio is not None and inp.window is not None
    frames: np.ndarray = _core.spectrogram_frames(
        inp.audio, inp.window, inp.n_fft, inp.hop_length, inp.center, inp.pad_mode, squared
    )
    return frames
