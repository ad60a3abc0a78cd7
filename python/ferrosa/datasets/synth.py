"""A built-in, seeded generator of labelled instrument-like clips.

The demo and the tests need a classification dataset that ships with the
package. :func:`render_dataset` writes one folder per class of mono 16-bit WAV
files; :func:`render` returns a single clip as an array. Everything is numpy
(and the standard library's :mod:`wave`), so it works without any audio
dependency.

Each class is a crude physical or spectral model with the cue a listener would
use to tell it apart, and every clip draws its pitch, loudness, note count,
durations, timbre details and background noise at random:

========== ==============================================================
pluck      Karplus-Strong string: a noise burst through a damped delay loop
bowed      sawtooth-like harmonics, slow attack, 5-7 Hz vibrato, bow noise
flute      near-sinusoidal tone with breath noise around the fundamental
clarinet   odd harmonics only (a closed cylindrical bore), soft attack
kick       sine with a fast downward pitch sweep and a click
snare      noise burst plus a short tonal body around 200 Hz
hihat      high-passed metallic noise with a short decay
========== ==============================================================
"""

from __future__ import annotations

import wave
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..exceptions import ParameterError

__all__ = ["CLASSES", "render", "render_dataset"]

CLASSES: tuple[str, ...] = ("pluck", "bowed", "flute", "clarinet", "kick", "snare", "hihat")

_Rng = np.random.Generator


def _midi_to_hz(m: np.ndarray | float) -> np.ndarray | float:
    return 440.0 * 2.0 ** ((np.asarray(m) - 69.0) / 12.0)


def _adsr(n: int, sr: int, attack: float, release: float) -> np.ndarray:
    """Linear attack, flat sustain, linear release; shape (n,)."""
    env = np.ones(n)
    a = min(n, max(1, int(attack * sr)))
    r = min(n - a, max(1, int(release * sr)))
    env[:a] = np.linspace(0.0, 1.0, a, endpoint=False)
    if r > 0:
        env[n - r :] *= np.linspace(1.0, 0.0, r)
    return env


def _harmonics(
    f0: np.ndarray, amps: np.ndarray, sr: int, rng: _Rng, inharmonic: float = 0.0
) -> np.ndarray:
    """Sum of harmonics ``k * f0(t)`` with amplitudes ``amps[k-1]``, below Nyquist."""
    phase0 = 2.0 * np.pi * np.cumsum(f0) / sr
    out = np.zeros_like(f0)
    fmax = float(np.max(f0))
    for k, a in enumerate(amps, start=1):
        stretch = k * np.sqrt(1.0 + inharmonic * k * k)
        if a == 0.0 or stretch * fmax >= 0.45 * sr:
            continue
        out += a * np.sin(stretch * phase0 + rng.uniform(0, 2 * np.pi))
    return out


def _one_pole_lowpass(x: np.ndarray, cutoff: float, sr: int) -> np.ndarray:
    """Filter ``x`` with a one-pole low-pass (vectorised via FFT of its impulse response)."""
    a = np.exp(-2.0 * np.pi * cutoff / sr)
    n = x.shape[0]
    h = (1 - a) * a ** np.arange(min(n, int(10 * sr / max(cutoff, 1.0)) + 1))
    m = n + h.shape[0] - 1
    size = 1 << (m - 1).bit_length()
    return np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h, size), size)[:n]


def _bandpass_noise(n: int, sr: int, centre: float, width: float, rng: _Rng) -> np.ndarray:
    """White noise with a Gaussian-shaped band around ``centre`` Hz."""
    spec = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1.0 / sr)
    spec *= np.exp(-0.5 * ((freqs - centre) / max(width, 1.0)) ** 2)
    out = np.fft.irfft(spec, n)
    return out / (np.max(np.abs(out)) + 1e-12)


def _pluck(n: int, sr: int, rng: _Rng, midi: float) -> np.ndarray:
    period = max(2, int(round(sr / float(_midi_to_hz(midi)))))
    decay = rng.uniform(0.990, 0.998)
    brightness = rng.uniform(0.3, 1.0)  # how much high noise the excitation keeps
    burst = rng.uniform(-1, 1, period)
    burst = brightness * burst + (1 - brightness) * np.convolve(burst, np.ones(4) / 4, "same")
    blocks = -(-n // period) + 1
    y = np.zeros(blocks * period)
    y[:period] = burst
    # y[i] = decay * (y[i-p] + y[i-p-1]) / 2, one period-long block at a time.
    for b in range(1, blocks):
        prev = y[(b - 1) * period : b * period]
        prev_shift = y[(b - 1) * period - 1 : b * period - 1] if b > 1 else np.r_[0.0, prev[:-1]]
        y[b * period : (b + 1) * period] = decay * 0.5 * (prev + prev_shift)
    return y[:n]


def _bowed(n: int, sr: int, rng: _Rng, midi: float) -> np.ndarray:
    t = np.arange(n) / sr
    rate, depth = rng.uniform(5.0, 7.0), rng.uniform(0.003, 0.008)
    onset = np.clip(t / 0.3, 0, 1)  # vibrato grows in after the attack
    f0 = float(_midi_to_hz(midi)) * (1 + depth * onset * np.sin(2 * np.pi * rate * t))
    k = np.arange(1, 41)
    body = 1.0 + 0.8 * np.sin(k * rng.uniform(0.2, 0.6) + rng.uniform(0, np.pi))
    y = _harmonics(f0, body / k, sr, rng)
    y += 0.04 * _bandpass_noise(n, sr, rng.uniform(2000, 4000), 1500, rng)
    return y * _adsr(n, sr, rng.uniform(0.08, 0.25), rng.uniform(0.05, 0.2))


def _flute(n: int, sr: int, rng: _Rng, midi: float) -> np.ndarray:
    t = np.arange(n) / sr
    f0 = float(_midi_to_hz(midi)) * (1 + 0.002 * np.sin(2 * np.pi * rng.uniform(4, 6) * t))
    amps = np.array([1.0, rng.uniform(0.05, 0.3), rng.uniform(0.02, 0.12), 0.02])
    y = _harmonics(f0, amps, sr, rng)
    breath = _bandpass_noise(n, sr, float(f0[0]) * rng.uniform(1.0, 2.0), 600, rng)
    y += rng.uniform(0.05, 0.15) * breath
    return y * _adsr(n, sr, rng.uniform(0.05, 0.15), rng.uniform(0.05, 0.15))


def _clarinet(n: int, sr: int, rng: _Rng, midi: float) -> np.ndarray:
    f0 = np.full(n, float(_midi_to_hz(midi)))
    k = np.arange(1, 30)
    amps = np.where(k % 2 == 1, 1.0 / k, rng.uniform(0.0, 0.02) / k)
    amps *= np.exp(-k / rng.uniform(6.0, 14.0))  # reed darkness
    y = _harmonics(f0, amps, sr, rng)
    y += 0.01 * rng.standard_normal(n)
    return y * _adsr(n, sr, rng.uniform(0.02, 0.08), rng.uniform(0.03, 0.12))


def _kick(n: int, sr: int, rng: _Rng, midi: float) -> np.ndarray:
    t = np.arange(n) / sr
    f_end, f_start = rng.uniform(40, 65), rng.uniform(120, 200)
    f = f_end + (f_start - f_end) * np.exp(-t / rng.uniform(0.02, 0.05))
    y = np.sin(2 * np.pi * np.cumsum(f) / sr) * np.exp(-t / rng.uniform(0.12, 0.35))
    click = rng.standard_normal(n) * np.exp(-t / 0.003)
    return y + rng.uniform(0.1, 0.4) * click


def _snare(n: int, sr: int, rng: _Rng, midi: float) -> np.ndarray:
    t = np.arange(n) / sr
    noise = rng.standard_normal(n) - _one_pole_lowpass(rng.standard_normal(n), 800, sr)
    noise *= np.exp(-t / rng.uniform(0.08, 0.2))
    body = np.sin(2 * np.pi * rng.uniform(170, 240) * t) * np.exp(-t / rng.uniform(0.03, 0.08))
    return 0.6 * noise + rng.uniform(0.4, 0.9) * body


def _hihat(n: int, sr: int, rng: _Rng, midi: float) -> np.ndarray:
    t = np.arange(n) / sr
    # Six detuned square waves (the 808 recipe) plus noise, high-passed by differencing.
    metal = sum(np.sign(np.sin(2 * np.pi * f * t)) for f in rng.uniform(300, 900, 6))
    y = np.diff(np.r_[0.0, 0.2 * metal + rng.standard_normal(n)], n=1)
    y = np.diff(np.r_[0.0, y])
    return y * np.exp(-t / rng.uniform(0.02, 0.15))


# class -> (note model, MIDI pitch range, note-length range in s, notes per clip)
_MODELS: dict[str, tuple[Callable[..., np.ndarray], tuple[int, int], tuple[float, float], int]] = {
    "pluck": (_pluck, (40, 76), (0.3, 1.2), 4),
    "bowed": (_bowed, (43, 84), (0.3, 1.2), 3),
    "flute": (_flute, (60, 96), (0.25, 1.0), 4),
    "clarinet": (_clarinet, (50, 89), (0.25, 1.0), 4),
    "kick": (_kick, (0, 1), (0.2, 0.6), 4),
    "snare": (_snare, (0, 1), (0.15, 0.5), 4),
    "hihat": (_hihat, (0, 1), (0.05, 0.35), 6),
}


def render(
    label: str,
    *,
    sr: int = 22050,
    seed: int | Sequence[int] = 0,
    max_duration: float = 3.0,
    snr_db: tuple[float, float] = (25.0, 50.0),
) -> np.ndarray:
    """Render one clip of class ``label``: a short phrase of 1+ random notes or hits.

    Parameters
    ----------
    label : str
        One of :data:`CLASSES`.
    sr : int > 0
        Sample rate in Hz.
    seed : int or sequence of int
        Seed of the clip's own random generator; the same seed gives the same clip.
    max_duration : float > 0
        Upper bound on the clip length in seconds.
    snr_db : (low, high)
        Range of the signal-to-noise ratio of the added background noise (dB).

    Returns
    -------
    np.ndarray, shape (n,), float32
        Mono audio with peak amplitude between 0.1 and 0.9.
    """
    if label not in _MODELS:
        raise ParameterError(f"label={label!r} is not one of {', '.join(CLASSES)}")
    if not (isinstance(sr, int) and sr >= 4000):
        raise ParameterError(f"sr={sr!r} must be an integer of at least 4000 Hz")
    if not max_duration > 0.1:
        raise ParameterError(f"max_duration={max_duration!r} must be more than 0.1 s")
    rng = np.random.default_rng(seed)
    model, (lo, hi), (dmin, dmax), max_notes = _MODELS[label]
    total = int(max_duration * sr)
    y = np.zeros(total)
    pos = int(rng.uniform(0.0, 0.1) * sr)
    for _ in range(int(rng.integers(1, max_notes + 1))):
        n = int(rng.uniform(dmin, dmax) * sr)
        if pos + n > total:
            n = total - pos
        if n < int(0.05 * sr):
            break
        note = model(n, sr, rng, float(rng.integers(lo, hi)))
        y[pos : pos + n] += rng.uniform(0.5, 1.0) * note / (np.max(np.abs(note)) + 1e-12)
        pos += int(n * rng.uniform(0.6, 1.0))  # notes may overlap a little
    y = y[: max(pos, int(0.3 * sr))]
    noise = _one_pole_lowpass(rng.standard_normal(y.shape[0]), rng.uniform(500, 8000), sr)
    snr = rng.uniform(*snr_db)
    p_sig = np.mean(y**2) + 1e-12
    noise *= np.sqrt(p_sig / (np.mean(noise**2) + 1e-12) / 10 ** (snr / 10))
    y = y + noise
    y *= rng.uniform(0.1, 0.9) / (np.max(np.abs(y)) + 1e-12)
    return y.astype(np.float32)


def _write_wav(path: Path, y: np.ndarray, sr: int) -> None:
    pcm = np.clip(np.round(y * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(sr)
        f.writeframes(pcm.tobytes())


def render_dataset(
    out_dir: str | Path,
    *,
    n_per_class: int = 30,
    classes: Sequence[str] | None = None,
    sr: int = 22050,
    seed: int = 0,
    max_duration: float = 3.0,
    snr_db: tuple[float, float] = (25.0, 50.0),
) -> Path:
    """Write a labelled dataset in the one-folder-per-class layout.

    Files are ``out_dir/<label>/<label>_<i:03d>.wav`` (mono, 16-bit PCM). Clip
    ``i`` of class ``c`` depends only on ``(seed, c, i)``, so asking for more
    clips later keeps the earlier ones unchanged.

    Parameters
    ----------
    out_dir : str or Path
        Created if missing; existing files with the same names are overwritten.
    n_per_class : int > 0
        Clips per class.
    classes : sequence of str, optional
        Subset of :data:`CLASSES` (default: all of them).
    sr, max_duration, snr_db
        See :func:`render`.
    seed : int
        Dataset seed.

    Returns
    -------
    Path
        ``out_dir``.
    """
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, int) or n_per_class <= 0:
        raise ParameterError(f"n_per_class={n_per_class!r} must be a positive integer")
    chosen = list(CLASSES if classes is None else classes)
    unknown = [c for c in chosen if c not in _MODELS]
    if unknown or not chosen:
        raise ParameterError(f"classes={chosen!r}: each must be one of {', '.join(CLASSES)}")
    out = Path(out_dir)
    for label in chosen:
        folder = out / label
        folder.mkdir(parents=True, exist_ok=True)
        class_id = CLASSES.index(label)
        for i in range(n_per_class):
            y = render(
                label,
                sr=sr,
                seed=(seed, class_id, i),
                max_duration=max_duration,
                snr_db=snr_db,
            )
            _write_wav(folder / f"{label}_{i:03d}.wav", y, sr)
    return out
