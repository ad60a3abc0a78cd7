"""ferrosa.load / resample / get_duration / to_mono against librosa 0.11."""

from __future__ import annotations

import subprocess
import sys

import ferrosa
import librosa
import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st


def _write(path, seconds, sr, channels=1, seed=0, subtype=None):
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    t = np.arange(n) / sr
    y = np.stack([0.3 * np.sin(2 * np.pi * (220 + 110 * c) * t) for c in range(channels)], -1)
    y += 0.05 * rng.standard_normal(y.shape)
    sf.write(path, y if channels > 1 else y[:, 0], sr, subtype=subtype)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("io")
    out = {
        "wav_mono": _write(d / "mono.wav", 1.3, 22050),
        "wav_stereo48": _write(d / "stereo48.wav", 1.1, 48000, channels=2, seed=1),
        "flac44": _write(d / "a.flac", 0.9, 44100, channels=2, seed=2),
        "ogg": _write(d / "a.ogg", 1.0, 44100, seed=3),
        "wav_float": _write(d / "f.wav", 0.7, 16000, seed=4, subtype="FLOAT"),
    }
    if "MP3" in sf.available_formats():
        out["mp3"] = _write(d / "a.mp3", 1.0, 44100, seed=5)
    return out


@pytest.mark.parametrize("name", ["wav_mono", "wav_stereo48", "flac44", "ogg", "wav_float", "mp3"])
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"sr": None},
        {"mono": False},
        {"sr": 16000, "mono": False},
        {"offset": 0.25, "duration": 0.4},
        {"dtype": np.float64, "sr": 11025},
        {"res_type": "soxr_vhq"},
        {"res_type": "soxr_qq", "sr": 8000},
    ],
)
def test_load_matches_librosa(files, name, kw):
    if name not in files:
        pytest.skip("this libsndfile has no MP3 support")
    got, sr_got = ferrosa.load(files[name], **kw)
    want, sr_want = librosa.load(files[name], **kw)
    assert sr_got == sr_want
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@settings(max_examples=25, deadline=None)
@given(
    offset=st.floats(0.0, 1.0),
    duration=st.one_of(st.none(), st.floats(0.01, 1.5)),
    sr=st.sampled_from([None, 8000, 22050, 32000]),
)
def test_load_offsets_durations(files, offset, duration, sr):
    kw = {"sr": sr, "offset": offset, "duration": duration}
    try:
        want, _ = librosa.load(files["wav_stereo48"], **kw)
    except Exception:  # librosa refuses an empty read: so must ferrosa
        with pytest.raises(ferrosa.ParameterError):
            ferrosa.load(files["wav_stereo48"], **kw)
        return
    got, _ = ferrosa.load(files["wav_stereo48"], **kw)
    np.testing.assert_array_equal(got, want)


def test_load_pathlike_and_soundfile_object(files):
    a, _ = ferrosa.load(str(files["flac44"]))
    with sf.SoundFile(files["flac44"]) as f:
        b, _ = ferrosa.load(f)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("res_type", ["soxr_vhq", "soxr_hq", "soxr_mq", "soxr_lq", "soxr_qq"])
@pytest.mark.parametrize("rates", [(44100, 22050), (22050, 48000), (16000, 16000), (8000, 11025)])
def test_resample_matches_librosa(res_type, rates):
    y = np.random.default_rng(0).standard_normal((2, 3001)).astype(np.float32)
    kw = {"orig_sr": rates[0], "target_sr": rates[1], "res_type": res_type}
    np.testing.assert_array_equal(ferrosa.resample(y, **kw), librosa.resample(y, **kw))


_ALL_RES_TYPES = [
    "soxr_hq",
    "scipy",
    "fft",
    "polyphase",
    "kaiser_best",
    "kaiser_fast",
    "linear",
    "zero_order_hold",
    "sinc_best",
    "sinc_medium",
    "sinc_fastest",
]


@pytest.mark.parametrize("res_type", _ALL_RES_TYPES)
@pytest.mark.parametrize("shape", [(1501,), (2, 1501)])
def test_resample_every_librosa_res_type(res_type, shape):
    if res_type.startswith("kaiser"):
        pytest.importorskip("resampy")
    if res_type in ("linear", "zero_order_hold") or res_type.startswith("sinc"):
        pytest.importorskip("samplerate")
    y = np.random.default_rng(2).standard_normal(shape)
    for dtype in (np.float32, np.float64):
        kw = {"orig_sr": 22050, "target_sr": 16000, "res_type": res_type}
        got = ferrosa.resample(y.astype(dtype), **kw)
        want = librosa.resample(y.astype(dtype), **kw)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_load_every_res_type(files):
    for res_type in ("scipy", "polyphase", "soxr_lq"):
        got = ferrosa.load(files["wav_mono"], sr=16000, res_type=res_type)
        want = librosa.load(files["wav_mono"], sr=16000, res_type=res_type)
        np.testing.assert_array_equal(got[0], want[0])


@pytest.mark.parametrize("kw", [{"duration": 0}, {"offset": 100.0}, {"offset": 100.0, "sr": None}])
def test_load_empty_window_like_librosa(files, kw):
    got, sr = ferrosa.load(files["wav_mono"], **kw)
    want, want_sr = librosa.load(files["wav_mono"], **kw)
    assert got.shape == want.shape and got.dtype == want.dtype and sr == want_sr


@pytest.mark.parametrize("kw", [{"fix": False}, {"scale": True}, {"axis": 0}])
def test_resample_options(kw):
    y = np.random.default_rng(1).standard_normal((1999, 2))
    args = {"orig_sr": 22050, "target_sr": 16000, "axis": -1, **kw}
    if kw.get("axis") != 0:
        y = y.T.copy()
    np.testing.assert_array_equal(ferrosa.resample(y, **args), librosa.resample(y, **args))


@pytest.mark.parametrize("channels", [1, 2, 3, 5, 7, 8, 11])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("transposed", [True, False])
def test_to_mono_bit_identical(channels, dtype, transposed):
    rng = np.random.default_rng(channels)
    x = rng.standard_normal((20000, channels)) * 10.0 ** rng.uniform(-30, 3, (20000, channels))
    x = x.astype(dtype)
    y = x.T if transposed else np.ascontiguousarray(x.T)  # soundfile gives the transposed view
    got = ferrosa.to_mono(y)
    want = librosa.to_mono(y)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_to_mono_and_duration(files):
    y = np.random.default_rng(2).standard_normal((3, 2, 500)).astype(np.float32)
    np.testing.assert_array_equal(ferrosa.to_mono(y), librosa.to_mono(y))
    for p in files.values():
        assert ferrosa.get_duration(path=p) == librosa.get_duration(path=p)
    y1 = y[0, 0]
    assert ferrosa.get_duration(y=y1, sr=8000) == librosa.get_duration(y=y1, sr=8000)
    S = np.zeros((1025, 37))
    for center in (True, False):
        assert ferrosa.get_duration(S=S, sr=22050, center=center) == librosa.get_duration(
            S=S, sr=22050, center=center
        )


@pytest.mark.parametrize(
    "kw",
    [
        {"sr": 0},
        {"sr": -22050},
        {"sr": True},
        {"offset": -1.0},
        {"duration": -0.5},
        {"dtype": np.int16},
        {"res_type": 3},
    ],
)
def test_load_parameter_errors(files, kw):
    with pytest.raises(ferrosa.ParameterError):
        ferrosa.load(files["wav_mono"], **kw)


def test_load_empty_audio_is_empty_like_librosa(tmp_path):
    librosa = pytest.importorskip("librosa")
    p = tmp_path / "empty.wav"
    sf.write(p, np.zeros(0, dtype=np.float32), 22050)
    y, sr = ferrosa.load(p)
    want, want_sr = librosa.load(p)
    assert y.shape == want.shape == (0,) and y.dtype == want.dtype and sr == want_sr


def test_load_undecodable_open_file_raises_soundfile_error(tmp_path):
    p = tmp_path / "text.wav"
    p.write_text("not audio at all " * 20)
    with open(p, "rb") as fh, pytest.raises(sf.LibsndfileError):
        ferrosa.load(fh)


@pytest.mark.parametrize(
    "kw",
    [
        {"orig_sr": 0, "target_sr": 22050},
        {"orig_sr": 22050, "target_sr": -1},
        {"orig_sr": 22050.5, "target_sr": 16000, "res_type": "polyphase"},
    ],
)
def test_resample_parameter_errors(kw):
    with pytest.raises(ferrosa.ParameterError):
        ferrosa.resample(np.zeros(100, dtype=np.float32), **kw)


def test_resample_rejects_bad_audio():
    with pytest.raises(ferrosa.ParameterError):
        ferrosa.resample(np.array([0.0, np.nan]), orig_sr=2, target_sr=1)
    with pytest.raises(ferrosa.ParameterError):
        ferrosa.resample(np.arange(10), orig_sr=2, target_sr=1)


def test_get_duration_needs_input():
    with pytest.raises(ferrosa.ParameterError):
        ferrosa.get_duration()


def test_import_ferrosa_does_not_import_soundfile_or_soxr():
    code = (
        "import sys, ferrosa; ferrosa.load; "
        "print(int('soundfile' in sys.modules), int('soxr' in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "0"]
