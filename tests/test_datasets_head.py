"""Reading only the head of a FLAC file that the segments use (``datasets.head``).

The head path must give exactly what the whole-file path gives: the same
resampled samples (soxr on the head plus a margin, checked across rates),
the same features and the same failures, except that a file declared
shorter than one segment is refused without decoding. A cut or damaged file
is still refused although its head decodes.
"""

from __future__ import annotations

import ferrosa
import numpy as np
import pytest
import soundfile as sf
from conftest import INSTRUMENTS
from ferrosa import _core
from ferrosa.datasets import FeatureConfig
from ferrosa.datasets import extract as extract_mod
from ferrosa.datasets.extract import extract
from ferrosa.datasets.head import head_frames, load_head, plan_head
from ferrosa.datasets.segment import segment_starts, used_samples
from hypothesis import given, settings
from hypothesis import strategies as st


def _noise_flac(path, seconds, sr, channels=1, seed=0, subtype="PCM_16"):
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    t = np.arange(n) / sr
    y = 0.3 * np.sin(2 * np.pi * 330 * t)[:, None] + 0.2 * rng.standard_normal((n, channels))
    sf.write(path, np.clip(y, -1, 1), sr, subtype=subtype, format="FLAC")
    return path


def _whole(monkeypatch, fn):
    """``fn()`` with the head path switched off (the reference)."""
    with monkeypatch.context() as m:
        m.setattr(extract_mod, "plan_head", lambda *a, **k: None)
        return fn()


@pytest.mark.parametrize(
    ("native", "target"),
    [
        (44100, 22050),
        (48000, 22050),
        (96000, 16000),
        (22050, 44100),
        (8000, 22050),
        (32000, 22050),
        (22050, 22050),
    ],
)
def test_resampled_head_is_bitwise_the_whole(tmp_path, native, target):
    path = _noise_flac(tmp_path / "x.flac", 3.3, native, seed=native + target)
    whole, _ = ferrosa.load(path, sr=target)
    cfg = FeatureConfig(sr=target, segment_seconds=0.25)
    head = plan_head(path, cfg)
    assert head is not None and head.n == whole.size and head.frames == sf.info(path).frames
    rng = np.random.default_rng(0)
    for used in [1, 4096, whole.size // 2, whole.size - 1, *rng.integers(1, whole.size, 12)]:
        got = load_head(path, type(head)(head.n, int(used), head.native_sr, head.frames), cfg)
        assert got is not None and got.dtype == np.float32
        np.testing.assert_array_equal(got, whole[:used])


def test_head_frames_scale_with_downsampling():
    assert head_frames(100, 22050, 22050) == 100
    assert head_frames(100, 44100, 22050) - 200 == 2 * (head_frames(100, 22050, 44100) - 50)


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(0, 5000),
    length=st.integers(1, 900),
    hop=st.one_of(st.none(), st.integers(1, 900)),
    cap=st.one_of(st.none(), st.integers(1, 8)),
    tail=st.sampled_from(["drop", "pad"]),
    short=st.sampled_from(["drop", "pad"]),
)
def test_used_samples_keep_the_segments(n, length, hop, cap, tail, short):
    sr = 1000
    cfg = FeatureConfig(
        sr=sr,
        segment_seconds=length / sr,
        segment_hop_seconds=None if hop is None else hop / sr,
        segments_per_file=cap,
        tail=tail,
        short=short,
    )
    used = used_samples(n, cfg)
    want = segment_starts(n, cfg)
    assert 0 <= used <= n
    assert (used == 0) == (not want)
    if used:
        assert segment_starts(used, cfg) == want
    if tail == "pad" and want and want[-1][1] < cfg.segment_samples:
        assert used == n


CONFIGS = [
    {"segment_seconds": 0.5, "tail": "drop", "short": "drop"},
    {"segment_seconds": 0.3, "segment_hop_seconds": 0.2, "sr": 16000},
    {"segment_seconds": None, "segments_per_file": 2, "track_seconds": 1.0, "mono": False},
    {"segment_seconds": 0.4, "tail": "pad"},
    {"segment_seconds": 0.5, "sr": 44100, "deltas": 1},
]


@pytest.mark.parametrize("kw", CONFIGS)
def test_extract_equals_the_whole_file_path(tmp_path, monkeypatch, kw):
    files = [
        _noise_flac(tmp_path / "a.flac", 1.37, 44100, seed=1),
        _noise_flac(tmp_path / "b.flac", 2.01, 48000, channels=2, seed=2, subtype="PCM_24"),
        _noise_flac(tmp_path / "c.flac", 0.9, 22050, channels=3, seed=3),
        _noise_flac(tmp_path / "d.flac", 0.2, 44100, seed=4),
        _noise_flac(tmp_path / "e.flac", 1.1, 16000, channels=8, seed=5),  # numpy's mean
    ]
    cfg = FeatureConfig(**kw)
    for path in files:
        got = extract(path, cfg)
        want = _whole(monkeypatch, lambda p=path: extract(p, cfg))
        assert got.failure == want.failure
        if want.failure is None:
            np.testing.assert_array_equal(got.starts, want.starts)
            np.testing.assert_array_equal(got.features, want.features)


def test_short_file_is_refused_from_its_header(tmp_path, monkeypatch):
    path = _noise_flac(tmp_path / "short.flac", 0.3, 44100)
    cfg = FeatureConfig(segment_seconds=1.0, short="drop")
    want = _whole(monkeypatch, lambda: extract(path, cfg))
    assert want.failure.startswith("shorter than one segment (0.300 s < 1.000 s)")

    def no_decoding(*a, **k):
        raise AssertionError("decoded a file its header shows too short")

    monkeypatch.setattr(_core, "decode_flac", no_decoding)
    assert extract(path, cfg).failure == want.failure


@pytest.mark.parametrize("cut", ["middle", "last frame", "damaged tail"])
def test_cut_or_damaged_file_is_refused_though_its_head_decodes(tmp_path, monkeypatch, cut):
    good = _noise_flac(tmp_path / "good.flac", 3.4, 44100, seed=7).read_bytes()
    data = bytearray(good)
    if cut == "middle":
        data = data[: len(data) // 2]
    elif cut == "last frame":
        data = data[:-5]
    else:  # a frame in the unused tail fails its CRC
        for k in range(len(data) - 3000, len(data) - 2960):
            data[k] ^= 0x5A
    path = tmp_path / "bad.flac"
    path.write_bytes(bytes(data))
    cfg = FeatureConfig(segment_seconds=1.0, tail="drop")
    head = plan_head(path, cfg)
    assert head is not None and 0 < head.used < head.n  # the header still promises 3 s
    assert _core.decode_flac(str(tmp_path / "good.flac"), True, 1000)[0].shape == (1, 1000)
    with pytest.raises(RuntimeError):
        _core.decode_flac(str(path), True, 1000)
    assert load_head(path, head, cfg) is None
    got = extract(path, cfg)
    want = _whole(monkeypatch, lambda: extract(path, cfg))
    assert got.failure == want.failure
    if cut != "damaged tail":  # libsndfile may read over a damaged frame; a cut file fails
        assert got.failure is not None


def test_silence_is_judged_on_the_whole_recording(tmp_path):
    sr = 22050
    y = np.zeros(3 * sr)
    y[int(2.5 * sr) :] = 0.25  # sound only in the dropped tail
    path = tmp_path / "quiet_head.flac"
    sf.write(path, y, sr, format="FLAC", subtype="PCM_16")
    cfg = FeatureConfig(segment_seconds=1.0, sr=sr, tail="drop")
    got = extract(path, cfg)
    assert got.failure is None and len(got.starts) == 3
    silent = tmp_path / "silent.flac"
    sf.write(silent, np.zeros(3 * sr), sr, format="FLAC", subtype="PCM_16")
    assert extract(silent, cfg).failure == "silent: every sample is zero"


def test_shared_clips_extract_like_the_whole_file_path(monkeypatch):
    if not INSTRUMENTS.is_dir():
        pytest.skip("shared instruments-dev data not present")
    clips = sorted(INSTRUMENTS.rglob("*.flac"))[::4]
    cfg = FeatureConfig(segment_seconds=2.0, tail="drop", short="drop")
    heads = 0
    for path in clips:
        head = plan_head(path, cfg)
        heads += head is not None and 0 < head.used < head.n
        got = extract(path, cfg)
        want = _whole(monkeypatch, lambda p=path: extract(p, cfg))
        assert got.failure == want.failure
        if want.failure is None:
            np.testing.assert_array_equal(got.features, want.features)
    assert heads > 0
