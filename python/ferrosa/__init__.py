"""ferrosa: librosa-compatible audio features computed by a Rust core.

``import ferrosa as librosa`` works for every function ferrosa has. Heavy
submodules (``datasets``, ``ml``, ``display``, ``plotting``) and audio I/O
(``load``, ``resample``, ``get_duration``, ``to_mono``) load on first use;
importing ferrosa never imports TensorFlow, Keras or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import feature, filters, util
from ._version import __version__
from .core.audio import zero_crossings
from .core.constantq import cqt, cqt_frequencies, vqt
from .core.convert import fft_frequencies, hz_to_mel, mel_frequencies, mel_to_hz
from .core.pitch import estimate_tuning, piptrack, pitch_tuning
from .core.pitch_convert import (
    A4_to_tuning,
    hz_to_midi,
    hz_to_octs,
    midi_to_hz,
    note_to_hz,
    note_to_midi,
    octs_to_hz,
    tuning_to_A4,
)
from .core.spectrum import (
    amplitude_to_db,
    db_to_amplitude,
    db_to_power,
    istft,
    magphase,
    power_to_db,
    stft,
)
from .core.wavelet import central_frequency, cwt, frequency_to_scale, scale_to_frequency
from .exceptions import FerrosaError, ParameterError
from .util.threads import get_num_threads, set_num_threads

# Submodules imported on first attribute access.
_LAZY = {"datasets", "ml", "display", "plotting", "io", "cli", "demo"}
# Audio I/O lives in ferrosa.io (imports soundfile/soxr only when called).
_IO = {"load", "resample", "get_duration", "to_mono"}

__all__ = [
    "A4_to_tuning",
    "FerrosaError",
    "ParameterError",
    "__version__",
    "amplitude_to_db",
    "central_frequency",
    "cqt",
    "cqt_frequencies",
    "cwt",
    "db_to_amplitude",
    "db_to_power",
    "estimate_tuning",
    "feature",
    "fft_frequencies",
    "filters",
    "frequency_to_scale",
    "get_duration",
    "get_num_threads",
    "hz_to_mel",
    "hz_to_midi",
    "hz_to_octs",
    "istft",
    "load",
    "magphase",
    "mel_frequencies",
    "mel_to_hz",
    "midi_to_hz",
    "note_to_hz",
    "note_to_midi",
    "octs_to_hz",
    "piptrack",
    "pitch_tuning",
    "power_to_db",
    "resample",
    "scale_to_frequency",
    "set_num_threads",
    "stft",
    "to_mono",
    "tuning_to_A4",
    "util",
    "vqt",
    "zero_crossings",
]


def __getattr__(name: str) -> Any:
    if name in _IO:
        return getattr(importlib.import_module(".io", __name__), name)
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'ferrosa' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _IO | _LAZY)
