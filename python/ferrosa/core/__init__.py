"""Core audio and spectral functions, as in ``librosa.core``.

Every name here is also at the top level (``ferrosa.stft`` is
``ferrosa.core.stft``), as in librosa.
"""

from ..io import get_duration, load, resample, to_mono
from .audio import autocorrelate, zero_crossings
from .constantq import cqt, cqt_frequencies, hybrid_cqt, pseudo_cqt, vqt
from .convert import (
    fft_frequencies,
    hz_to_mel,
    mel_frequencies,
    mel_to_hz,
    tempo_frequencies,
)
from .intervals import interval_frequencies, plimit_intervals, pythagorean_intervals
from .phase_recovery import griffinlim
from .pitch import estimate_tuning, piptrack, pitch_tuning
from .pitch_convert import (
    A4_to_tuning,
    hz_to_midi,
    hz_to_octs,
    midi_to_hz,
    note_to_hz,
    note_to_midi,
    octs_to_hz,
    tuning_to_A4,
)
from .spectrum import (
    amplitude_to_db,
    db_to_amplitude,
    db_to_power,
    istft,
    magphase,
    power_to_db,
    stft,
)
from .time_convert import (
    frames_to_samples,
    frames_to_time,
    samples_like,
    samples_to_frames,
    samples_to_time,
    time_to_frames,
    time_to_samples,
    times_like,
)
from .vocoder import phase_vocoder

__all__ = [
    "A4_to_tuning",
    "amplitude_to_db",
    "autocorrelate",
    "cqt",
    "cqt_frequencies",
    "db_to_amplitude",
    "db_to_power",
    "estimate_tuning",
    "fft_frequencies",
    "frames_to_samples",
    "frames_to_time",
    "get_duration",
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
    "stft",
    "tempo_frequencies",
    "time_to_frames",
    "time_to_samples",
    "times_like",
    "to_mono",
    "tuning_to_A4",
    "vqt",
    "zero_crossings",
]
