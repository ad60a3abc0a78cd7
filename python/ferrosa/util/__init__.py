"""Utilities, as in ``librosa.util``: framing, padding, validation."""

from . import exceptions
from .framing import fix_length, frame, pad_center
from .masks import softmask
from .nnls import nnls
from .normalize import fix_frames, normalize, tiny
from .peaks import localmax, peak_pick
from .validation import dtype_c2r, dtype_r2c, valid_audio

__all__ = [
    "dtype_c2r",
    "dtype_r2c",
    "exceptions",
    "fix_frames",
    "fix_length",
    "frame",
    "localmax",
    "nnls",
    "normalize",
    "pad_center",
    "peak_pick",
    "softmask",
    "tiny",
    "valid_audio",
]
