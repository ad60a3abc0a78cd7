"""Frequency, MIDI, octave and tuning conversions (as in ``librosa.core.convert``).

These are cheap element-wise formulas, written exactly as librosa writes them
so results are bit-identical (the same numpy operations in the same order).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..exceptions import ParameterError

__all__ = [
    "A4_to_tuning",
    "hz_to_midi",
    "hz_to_octs",
    "midi_to_hz",
    "note_to_hz",
    "note_to_midi",
    "octs_to_hz",
    "tuning_to_A4",
]


def hz_to_octs(frequencies: Any, *, tuning: float = 0.0, bins_per_octave: int = 12) -> Any:
    """Convert frequencies (Hz) to fractional octave numbers (27.5 Hz, A0, is octave 0).

    Parameters
    ----------
    frequencies : float or np.ndarray
        Frequencies in Hz.
    tuning : float
        Tuning deviation from A440 in fractional bins.
    bins_per_octave : int > 0
        Bins per octave used to interpret ``tuning``.

    Returns
    -------
    float or np.ndarray, same shape
        ``log2(f / (A440 / 16))`` with ``A440 = 440 * 2 ** (tuning / bins_per_octave)``.
    """
    A440 = 440.0 * 2.0 ** (tuning / bins_per_octave)
    octs: np.ndarray = np.log2(np.asanyarray(frequencies) / (float(A440) / 16))
    return octs


def octs_to_hz(octs: Any, *, tuning: float = 0.0, bins_per_octave: int = 12) -> Any:
    """Inverse of :func:`hz_to_octs`: ``(A440 / 16) * 2 ** octs``."""
    A440 = 440.0 * 2.0 ** (tuning / bins_per_octave)
    return (float(A440) / 16) * (2.0 ** np.asanyarray(octs))


def hz_to_midi(frequencies: Any) -> Any:
    """MIDI note number(s) of frequencies in Hz: ``12 (log2 f - log2 440) + 69``."""
    midi: np.ndarray = 12 * (np.log2(np.asanyarray(frequencies)) - np.log2(440.0)) + 69
    return midi


def midi_to_hz(notes: Any) -> Any:
    """Frequency (Hz) of MIDI note number(s): ``440 * 2 ** ((note - 69) / 12)``."""
    return 440.0 * (2.0 ** ((np.asanyarray(notes) - 69.0) / 12.0))


def A4_to_tuning(A4: Any, *, bins_per_octave: int = 12) -> Any:
    """Tuning deviation (fractional bins) of a reference pitch ``A4`` in Hz."""
    tuning: np.ndarray = bins_per_octave * (np.log2(np.asanyarray(A4)) - np.log2(440.0))
    return tuning


def tuning_to_A4(tuning: Any, *, bins_per_octave: int = 12) -> Any:
    """Reference pitch ``A4`` (Hz) of a tuning deviation in fractional bins."""
    return 440.0 * 2.0 ** (np.asanyarray(tuning) / bins_per_octave)


_NOTE_RE = re.compile(
    r"^(?P<note>[A-Ga-g])(?P<accidental>[#♯b!♭𝄪𝄫♮]*)(?P<octave>[+-]?\d+)?(?P<cents>[+-]\d+)?$"
)
_PITCH = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ACC = {"#": 1, "♯": 1, "𝄪": 2, "": 0, "b": -1, "!": -1, "♭": -1, "𝄫": -2, "♮": 0}


def note_to_midi(note: Any, *, round_midi: bool = True) -> Any:
    """MIDI number(s) of note names such as ``"C4"``, ``"A#3"``, ``"Eb5+20"``.

    Parameters
    ----------
    note : str or iterable of str
    round_midi : bool
        Round to the nearest integer (cents are dropped) when True.

    Returns
    -------
    float or np.ndarray
    """
    if not isinstance(note, str):
        return np.array([note_to_midi(n, round_midi=round_midi) for n in note])
    match = _NOTE_RE.match(note)
    if not match:
        raise ParameterError(f"Improper note format: {note:s}")
    pitch = match.group("note").upper()
    offset = sum(_ACC[o] for o in match.group("accidental"))
    octave = int(match.group("octave")) if match.group("octave") else 0
    cents = int(match.group("cents")) * 1e-2 if match.group("cents") else 0.0
    note_value: float = 12 * (octave + 1) + _PITCH[pitch] + offset + cents
    if round_midi:
        return int(np.round(note_value))
    return note_value


def note_to_hz(note: Any, **kwargs: Any) -> Any:
    """Frequency (Hz) of note name(s): ``midi_to_hz(note_to_midi(note))``."""
    return midi_to_hz(note_to_midi(note, **kwargs))
