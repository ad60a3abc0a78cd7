"""ferrosa.datasets.synth: seeded, labelled instrument-like clips with the right cues."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from ferrosa import ParameterError
from ferrosa.datasets import synth

SR = 22050


def _centroid(y: np.ndarray, sr: int = SR) -> float:
    """Power-weighted spectral centroid in Hz."""
    mag = np.abs(np.fft.rfft(y)) ** 2
    freqs = np.fft.rfftfreq(y.shape[0], 1 / sr)
    return float((mag * freqs).sum() / mag.sum())


def _read_wav(path: Path) -> tuple[np.ndarray, int, int]:
    with wave.open(str(path), "rb") as f:
        data = np.frombuffer(f.readframes(f.getnframes()), dtype="<i2")
        return data.astype(np.float32) / 32768.0, f.getframerate(), f.getnchannels()


def test_at_least_six_classes() -> None:
    assert len(synth.CLASSES) >= 6
    assert len(set(synth.CLASSES)) == len(synth.CLASSES)


@pytest.mark.parametrize("label", synth.CLASSES)
def test_render_is_seeded_and_well_formed(label: str) -> None:
    a = synth.render(label, seed=(3, 1), max_duration=2.0)
    b = synth.render(label, seed=(3, 1), max_duration=2.0)
    c = synth.render(label, seed=(3, 2), max_duration=2.0)
    np.testing.assert_array_equal(a, b)
    assert a.shape != c.shape or not np.array_equal(a, c)
    assert a.dtype == np.float32 and a.ndim == 1
    assert np.isfinite(a).all()
    assert 0.3 * SR <= a.shape[0] <= 2.0 * SR
    assert 0.1 - 1e-6 <= np.abs(a).max() <= 0.9 + 1e-6


def test_clips_vary_in_length_and_loudness() -> None:
    clips = [synth.render("flute", seed=i) for i in range(12)]
    lengths = {c.shape[0] for c in clips}
    peaks = [float(np.abs(c).max()) for c in clips]
    assert len(lengths) > 6
    assert max(peaks) - min(peaks) > 0.2


def test_drum_brightness_order() -> None:
    # Averaged over clips: hi-hat brighter than snare, snare brighter than kick.
    cent = {
        k: np.mean([_centroid(synth.render(k, seed=i)) for i in range(8)])
        for k in ("kick", "snare", "hihat")
    }
    assert cent["kick"] < 300 and cent["hihat"] > 5000
    assert cent["kick"] < cent["snare"] < cent["hihat"]


def test_clarinet_has_odd_harmonics() -> None:
    rng = np.random.default_rng(0)
    n, midi = SR, 57  # A3 = 220 Hz
    note = synth._clarinet(n, SR, rng, midi)
    mag = np.abs(np.fft.rfft(note * np.hanning(n)))
    at = lambda f: mag[int(round(f))]  # 1 Hz bins for a 1 s note  # noqa: E731
    f0 = 220.0
    for k in (1, 3, 5):
        assert at(k * f0) > 10 * at((k + 1) * f0)


def test_pluck_decays() -> None:
    note = synth._pluck(SR, SR, np.random.default_rng(1), 50)
    first, last = np.abs(note[: SR // 10]).max(), np.abs(note[-SR // 10 :]).max()
    assert last < 0.5 * first


def test_render_dataset_layout(tmp_path: Path) -> None:
    out = synth.render_dataset(tmp_path / "d", n_per_class=2, classes=["kick", "flute"], seed=5)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.wav"))
    assert files == [
        "flute/flute_000.wav",
        "flute/flute_001.wav",
        "kick/kick_000.wav",
        "kick/kick_001.wav",
    ]
    y, sr, ch = _read_wav(out / "flute" / "flute_001.wav")
    assert sr == SR and ch == 1
    ref = synth.render("flute", seed=(5, synth.CLASSES.index("flute"), 1))
    np.testing.assert_allclose(y, ref, atol=1.5 / 32768)


def test_render_dataset_clip_independent_of_count(tmp_path: Path) -> None:
    a = synth.render_dataset(tmp_path / "a", n_per_class=1, classes=["snare"], seed=2)
    b = synth.render_dataset(tmp_path / "b", n_per_class=3, classes=["snare"], seed=2)
    assert (a / "snare/snare_000.wav").read_bytes() == (b / "snare/snare_000.wav").read_bytes()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_per_class": 0},
        {"n_per_class": 2.5},
        {"classes": ["tuba"]},
        {"classes": []},
        {"sr": 1000},
    ],
)
def test_render_dataset_rejects(tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(ParameterError):
        synth.render_dataset(tmp_path, **kwargs)


@pytest.mark.parametrize(
    "args", [("tuba", {}), ("kick", {"sr": 8000.5}), ("kick", {"max_duration": 0.05})]
)
def test_render_rejects(args: tuple) -> None:
    label, kwargs = args
    with pytest.raises(ParameterError):
        synth.render(label, **kwargs)
