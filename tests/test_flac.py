"""The Rust FLAC decoder against libsndfile, and ``load`` with it against ``load`` without it.

``ferrosa.load`` decodes a whole ``.flac`` path with ``_core.decode_flac``
and everything else with soundfile; an open ``soundfile.SoundFile`` always
goes through soundfile, which is how these tests get the reference. Files
written here (mono/stereo/5 channels, 8/16/24 bits, odd lengths) always run;
the shared instruments clips only when ``../shared`` is present.
"""

from __future__ import annotations

import shutil
import threading

import ferrosa
import numpy as np
import pytest
import soundfile as sf
from conftest import INSTRUMENTS
from ferrosa import _core
from ferrosa.datasets import FeatureConfig
from ferrosa.datasets.extract import extract, load_checked
from ferrosa.io import _decode_flac

SUBTYPES = {"PCM_S8": 8, "PCM_16": 16, "PCM_24": 24}
LOAD_KWARGS = [
    {},
    {"sr": None},
    {"sr": None, "dtype": np.float64},
    {"sr": None, "mono": False},
    {"sr": 16000, "mono": False},
    {"dtype": np.float64, "sr": 11025},
]


def _write_flac(path, n, sr, channels, subtype, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sr
    y = np.stack([0.4 * np.sin(2 * np.pi * (150 + 97 * c) * t) for c in range(channels)], -1)
    y += 0.2 * rng.standard_normal(y.shape)
    y = np.clip(y, -1.0, 1.0)
    if n > 4:  # full scale both ways, and silence
        y[1], y[2], y[3] = 1.0, -1.0, 0.0
    sf.write(path, y if channels > 1 else y[:, 0], sr, subtype=subtype, format="FLAC")
    return path


CASES = [
    # (frames, rate, channels, subtype): odd lengths around libFLAC's 4096-sample blocks
    (1, 8000, 1, "PCM_16"),
    (4095, 22050, 1, "PCM_16"),
    (4097, 44100, 2, "PCM_16"),
    (12347, 48000, 2, "PCM_24"),
    (9001, 44100, 1, "PCM_24"),
    (5003, 16000, 2, "PCM_S8"),
    (70001, 44100, 1, "PCM_16"),
    (3333, 32000, 5, "PCM_24"),
    (2001, 22050, 3, "PCM_16"),
    (1999, 8000, 8, "PCM_24"),
]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    d = tmp_path_factory.mktemp("flac")
    return [
        _write_flac(d / f"c{i}_{n}_{ch}ch_{st}.flac", n, sr, ch, st, seed=i)
        for i, (n, sr, ch, st) in enumerate(CASES)
    ]


def _reference(path):
    y, sr = sf.read(path, dtype="float32", always_2d=True)
    return y.T, sr


def _assert_same_decode(path):
    got, sr = _core.decode_flac(str(path))
    want, sr_want = _reference(path)
    assert sr == sr_want
    assert got.dtype == np.float32 and got.flags.c_contiguous
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    # mono: averaged while decoding, as to_mono averages the float32 channels
    mixed, _ = _core.decode_flac(str(path), mono=True)
    if 2 <= want.shape[0] < 8:
        assert mixed.shape == (1, want.shape[1])
        np.testing.assert_array_equal(mixed[0], ferrosa.to_mono(want))
    else:  # one channel, or 8 (to_mono takes numpy's mean there): as decoded
        np.testing.assert_array_equal(mixed, want)


def _assert_load_identical(path, kw):
    assert _decode_flac(path) is not None, "the Rust decoder refused the file"
    got, sr = ferrosa.load(path, **kw)
    with sf.SoundFile(path) as f:  # an open file: soundfile's path
        want, sr_want = ferrosa.load(f, **kw)
    assert sr == sr_want
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


# ------------------------------------------------------------ written here


@pytest.mark.parametrize("case", range(len(CASES)))
def test_decode_matches_libsndfile(written, case):
    path = written[case]
    assert sf.info(path).subtype == CASES[case][3]
    _assert_same_decode(path)


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("kw", LOAD_KWARGS)
def test_load_is_bitwise_soundfiles(written, case, kw):
    _assert_load_identical(written[case], kw)
    _assert_load_identical(str(written[case]), kw)


def test_load_offset_or_duration_uses_soundfile(written, monkeypatch):
    path = written[3]
    want = ferrosa.load(path, sr=None, offset=0.01, duration=0.1)[0]
    calls = []
    monkeypatch.setattr(_core, "decode_flac", lambda *a: calls.append(a))
    got = ferrosa.load(path, sr=None, offset=0.01, duration=0.1)[0]
    assert not calls
    np.testing.assert_array_equal(got, want)


def test_uppercase_suffix_and_threads(written, tmp_path):
    upper = tmp_path / "LOUD.FLAC"
    shutil.copy(written[2], upper)
    assert _decode_flac(upper) is not None
    results = {}

    def work(k):
        results[k] = _core.decode_flac(str(written[k]))[0]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(CASES))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(len(CASES)):
        np.testing.assert_array_equal(results[k], _reference(written[k])[0])


def _outcome(fn):
    try:
        return fn()
    except Exception as e:
        return type(e)


def test_refused_files_fall_back_to_soundfile(written, tmp_path):
    # Damaged frames: the decoder refuses rather than skipping them, and
    # load gives whatever soundfile gives (samples or its error).
    data = bytearray(written[6].read_bytes())
    for k in range(len(data) // 3, len(data) // 3 + 40):
        data[k] ^= 0x5A
    damaged = tmp_path / "damaged.flac"
    damaged.write_bytes(bytes(data))
    with pytest.raises(RuntimeError):
        _core.decode_flac(str(damaged))
    # WAV content under a .flac name: libsndfile reads it by its header.
    disguised = tmp_path / "disguised.flac"
    sf.write(disguised, np.linspace(-0.5, 0.5, 999), 8000, format="WAV", subtype="PCM_16")
    with pytest.raises(RuntimeError):
        _core.decode_flac(str(disguised))
    truncated = tmp_path / "truncated.flac"
    truncated.write_bytes(written[6].read_bytes()[:-2000])
    with pytest.raises(RuntimeError):
        _core.decode_flac(str(truncated))
    librosa = pytest.importorskip("librosa")
    for path in (damaged, disguised, truncated):
        assert _decode_flac(path) is None
        # by path, what libsndfile refuses goes on to audioread, as in librosa
        got = _outcome(lambda p=path: ferrosa.load(p, sr=None))
        want = _outcome(lambda p=path: librosa.load(p, sr=None))
        if isinstance(want, type):
            assert got is want
        else:
            np.testing.assert_array_equal(got[0], want[0])
        with sf.SoundFile(path) as f:
            got = _outcome(lambda f=f: ferrosa.load(f, sr=None))
        with sf.SoundFile(path) as f:
            want = _outcome(lambda f=f: librosa.load(f, sr=None))
        if isinstance(want, type):
            assert got is want
        else:
            np.testing.assert_array_equal(got[0], want[0])
    # A missing file: FileNotFoundError naming the path, from both.
    with pytest.raises(FileNotFoundError):
        _core.decode_flac(str(tmp_path / "missing.flac"))
    with pytest.raises(FileNotFoundError, match="missing.flac"):
        ferrosa.load(tmp_path / "missing.flac")


def test_dataset_extraction_unchanged(written, monkeypatch):
    cfg = FeatureConfig(segment_seconds=0.05, sr=22050, n_mfcc=13)
    stereo = FeatureConfig(segment_seconds=0.05, sr=22050, n_mfcc=13, mono=False)
    paths = [written[i] for i in (3, 4, 6)]
    fast = [(extract(p, cfg), load_checked(p, stereo)) for p in paths]
    monkeypatch.setattr("ferrosa.io._decode_flac", lambda *a, **k: None)
    for p, (ex, y) in zip(paths, fast, strict=True):
        ref = extract(p, cfg)
        assert ex.failure is None and ref.failure is None
        np.testing.assert_array_equal(ex.features, ref.features)
        np.testing.assert_array_equal(ex.starts, ref.starts)
        np.testing.assert_array_equal(y, load_checked(p, stereo))


# ------------------------------------------------------------ shared clips


@pytest.fixture(scope="module")
def clips():
    if not INSTRUMENTS.is_dir():
        pytest.skip("shared instruments-dev data not present")
    return sorted(INSTRUMENTS.rglob("*.flac"))


def test_shared_clips_decode_like_libsndfile(clips):
    assert clips
    for path in clips:
        _assert_same_decode(path)


@pytest.mark.parametrize("kw", [{}, {"sr": None, "mono": False}])
def test_shared_clips_load_bitwise(clips, kw):
    for path in clips[:: 1 if not kw else 4]:
        _assert_load_identical(path, kw)
