"""ferrosa: librosa-compatible audio features computed by a Rust core.

``import ferrosa as librosa`` works for every function ferrosa has, under
librosa's module paths (``ferrosa.core.stft``, ``ferrosa.feature.mfcc``,
``ferrosa.effects.trim``, ``ferrosa.display.specshow``). Heavy submodules
(``datasets``, ``ml``, ``display``, ``plotting``) load on first use, and audio
I/O imports soundfile/soxr only when called: importing ferrosa never imports
TensorFlow, Keras or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import beat, core, decompose, effects, feature, filters, onset, signal, util
from ._version import __version__
from .core.audio import autocorrelate, zero_crossings
from .core.constantq import cqt, cqt_frequencies, hybrid_cqt, pseudo_cqt, vqt
from .core.convert import (
    fft_frequencies,
    hz_to_mel,
    mel_frequencies,
    mel_to_hz,
    tempo_frequencies,
)
from .core.intervals import interval_frequencies, plimit_intervals, pythagorean_intervals
from .core.phase_recovery import griffinlim
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
from .core.time_convert import (
    frames_to_samples,
    frames_to_time,
    samples_like,
    samples_to_frames,
    samples_to_time,
    time_to_frames,
    time_to_samples,
    times_like,
)
from .core.vocoder import phase_vocoder
from .core.wavelet import central_frequency, cwt, frequency_to_scale, scale_to_frequency
from .exceptions import FerrosaError, ParameterError
from .io import get_duration, load, resample, to_mono
from .signal import fft_spectrum
from .util.threads import get_num_threads, set_num_threads

# Submodules imported on first attribute access.
_LAZY = {"datasets", "ml", "display", "plotting", "cli", "demo"}

__all__ = [
    "__version__",
    "A4_to_tuning",
    "amplitude_to_db",
    "autocorrelate",
    "beat",
    "central_frequency",
    "core",
    "cqt",
    "cqt_frequencies",
    "cwt",
    "db_to_amplitude",
    "db_to_power",
    "decompose",
    "effects",
    "estimate_tuning",
    "feature",
    "FerrosaError",
    "fft_frequencies",
    "fft_spectrum",
    "filters",
    "frames_to_samples",
    "frames_to_time",
    "frequency_to_scale",
    "get_duration",
    "get_num_threads",
    "griffinlim",
    "hybrid_cqt",
    "hz_to_mel",
    "hz_to_midi",
    "hz_to_octs",
    "interval_frequencies",
    "istft",
    "load",
    "magphase",
    "mel_frequencies",
    "mel_to_hz",
    "midi_to_hz",
    "note_to_hz",
    "note_to_midi",
    "octs_to_hz",
    "onset",
    "ParameterError",
    "piptrack",
    "phase_vocoder",
    "pitch_tuning",
    "plimit_intervals",
    "power_to_db",
    "pseudo_cqt",
    "pythagorean_intervals",
    "resample",
    "samples_like",
    "samples_to_frames",
    "samples_to_time",
    "scale_to_frequency",
    "set_num_threads",
    "signal",
    "stft",
    "tempo_frequencies",
    "time_to_frames",
    "time_to_samples",
    "times_like",
    "to_mono",
    "tuning_to_A4",
    "util",
    "vqt",
    "zero_crossings",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'ferrosa' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY)
