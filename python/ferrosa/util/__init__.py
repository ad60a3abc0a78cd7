"""Utilities, as in ``librosa.util``: framing, padding, validation."""

from . import exceptions
from .framing import fix_length, frame, pad_center
from .validation import dtype_c2r, dtype_r2c, valid_audio

__all__ = [
    "dtype_c2r",
    "dtype_r2c",
    "exceptions",
    "fix_length",
    "frame",
    "pad_center",
    "valid_audio",
]
