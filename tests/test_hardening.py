"""Issue 13: no aborts, no hangs, no silent wrong answers, no data loss, clear errors.

Each section is one class of problem. Cases that could abort or hang the
interpreter if they regressed run in a subprocess with a time limit.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import ferrosa
import numpy as np
import pytest
from ferrosa.exceptions import FileTypeError, ParameterError

SR = 22050


def _run_py(code: str, timeout: float = 60, env: dict[str, str] | None = None):
    """Run ``code`` in a fresh interpreter; returns the CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ, **(env or {})),
    )


# --- 1. No allocation abort ---------------------------------------------------

HUGE_CASES = [
    ("mfcc n_fft", "F.feature.mfcc(y=y, n_fft=2**31)", "n_fft=2147483648"),
    ("mel bank n_fft", "F.filters.mel(sr=22050, n_fft=2**30)", "n_fft=1073741824"),
    ("chroma n_chroma", "F.feature.chroma_stft(y=y, n_chroma=10**7)", "n_chroma=10000000"),
    ("chroma bank", "F.filters.chroma(sr=22050, n_fft=2048, n_chroma=10**8)", "n_chroma"),
    ("melspectrogram n_mels", "F.feature.melspectrogram(y=y, n_mels=10**8)", "n_mels"),
    ("cwt scales", "F.cwt(y, np.arange(1, 10**6), 'mexh')", "n_scales=999999"),
    ("scalogram n_bins", "F.feature.scalogram(y, sr=22050, n_bins=10**7)", "n_scales=10000000"),
    ("rms frame_length", "F.feature.rms(y=y, frame_length=2**40)", "frame_length"),
    ("zcr frame_length", "F.feature.zero_crossing_rate(y, frame_length=2**40)", "frame_length"),
    ("envelope", "F.feature.amplitude_envelope(y, frame_length=2**40)", "frame_length"),
    ("window", "F.filters.get_window('hann', 2**40)", "Nx=1099511627776"),
    ("stft n_fft", "F.stft(y, n_fft=2**40)", "n_fft"),
    ("centroid n_fft", "F.feature.spectral_centroid(y=y, n_fft=2**40)", "n_fft"),
    ("cqt filter_scale", "F.cqt(y, sr=22050, filter_scale=1e7, n_bins=12, fmin=4000)", "vqt"),
]


@pytest.mark.parametrize("name, call, named", HUGE_CASES, ids=[c[0] for c in HUGE_CASES])
def test_huge_sizes_raise_memory_error_naming_the_size(name, call, named):
    res = _run_py(
        f"""
        import numpy as np, ferrosa as F
        y = np.random.default_rng(0).uniform(-1, 1, 22050).astype(np.float32)
        try:
            {call}
        except (MemoryError, F.ParameterError) as e:
            print(type(e).__name__, e)
        else:
            print("RETURNED")
        """,
        env={"FERROSA_MAX_MEMORY": "4G"},
    )
    assert res.returncode == 0, res.stderr[-2000:]
    out = res.stdout.strip()
    assert out.startswith(("MemoryError", "ParameterError")), out
    assert named in out


def test_memory_limit_comes_from_the_environment(monkeypatch):
    y = np.zeros(200_000, dtype=np.float32) + 0.1
    monkeypatch.setenv("FERROSA_MAX_MEMORY", "1M")
    with pytest.raises(MemoryError, match="more than the 1.0 MiB available"):
        ferrosa.stft(y)
    monkeypatch.setenv("FERROSA_MAX_MEMORY", "1G")
    assert ferrosa.stft(y).shape == (1025, 391)


def test_delta_memory_is_linear_in_width_and_equals_scipy():
    from scipy.signal import savgol_filter

    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 41_000))
    got = ferrosa.feature.delta(x, width=40001)
    want = savgol_filter(x, 40001, 1, deriv=1, axis=-1, mode="interp")
    assert np.max(np.abs(got - want)) <= 1e-9 * np.max(np.abs(want)) + 1e-15


@pytest.mark.parametrize("order, polyorder", [(1, 1), (2, 2), (1, 3), (2, 4)])
def test_delta_edges_match_scipy(order, polyorder):
    from scipy.signal import savgol_filter

    x = np.random.default_rng(2).standard_normal((3, 60))
    for width in (5, 9, 31):
        if polyorder >= width:
            continue
        got = ferrosa.feature.delta(x, width=width, order=order, polyorder=polyorder)
        want = savgol_filter(x, width, polyorder, deriv=order, axis=-1, mode="interp")
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-10)


def test_delta_polyorder_too_large_for_memory_is_refused(monkeypatch):
    monkeypatch.setenv("FERROSA_MAX_MEMORY", "64M")
    with pytest.raises(MemoryError, match="polyorder=39999"):
        ferrosa.feature.delta(np.zeros((1, 40001)), width=40001, polyorder=39999)


# --- 2. No hang ---------------------------------------------------------------


@pytest.fixture
def fifo_dir(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    for name in ("pipe.flac", "pipe.wav"):
        os.mkfifo(tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("name", ["pipe.flac", "pipe.wav"])
def test_load_refuses_a_named_pipe_without_blocking(fifo_dir, name):
    res = _run_py(
        f"""
        import ferrosa
        from ferrosa.exceptions import FileTypeError
        for call in (lambda p: ferrosa.load(p), lambda p: ferrosa.get_duration(path=p)):
            try:
                call({str(fifo_dir / name)!r})
            except FileTypeError as e:
                print("refused:", e)
        """,
        timeout=30,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("refused:") == 2 and "named pipe" in res.stdout


def test_rust_flac_reader_refuses_a_pipe_without_blocking(fifo_dir):
    res = _run_py(
        f"""
        from ferrosa import _core
        for fn in (_core.decode_flac, _core.flac_info):
            try:
                fn({str(fifo_dir / "pipe.flac")!r})
            except OSError as e:
                print("refused:", e)
        """,
        timeout=30,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("refused:") == 2 and "not a regular file" in res.stdout


def test_load_refuses_devices_directories_and_missing_files(tmp_path):
    if os.path.exists("/dev/zero"):
        with pytest.raises(FileTypeError, match="character device"):
            ferrosa.load("/dev/zero")
    with pytest.raises(IsADirectoryError):
        ferrosa.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="nope.wav"):
        ferrosa.load(tmp_path / "nope.wav")


def test_prepare_lists_a_pipe_as_a_failure(fifo_dir, tmp_path):
    import soundfile as sf

    data = tmp_path / "data"
    for label, f0 in (("a", 220.0), ("b", 330.0)):
        (data / label).mkdir(parents=True)
        for k in range(2):
            t = np.arange(SR) / SR
            sf.write(data / label / f"{k}.wav", 0.5 * np.sin(2 * np.pi * f0 * (k + 1) * t), SR)
    os.mkfifo(data / "a" / "stuck.flac")
    cmd = [sys.executable, "-m", "ferrosa", "prepare", str(data), str(tmp_path / "st")]
    res = subprocess.run(
        cmd + ["--segment-seconds", "0.5", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    meta = json.loads((tmp_path / "st" / "meta.json").read_text())
    reasons = {f["path"]: f["reason"] for f in meta["failures"]}
    assert "named pipe" in reasons["a/stuck.flac"]


# --- 3. No silent wrong answer ------------------------------------------------


def _signal(kind: str, n: int = SR // 2) -> np.ndarray:
    t = np.arange(n) / SR
    if kind == "tone":
        return np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 3000 * t)
    return np.random.default_rng(3).uniform(-1, 1, n)


@pytest.mark.parametrize("amp", [1e37, 3e37, 1e38])
@pytest.mark.parametrize("kind", ["tone", "noise"])
def test_float32_stft_near_float32_max_is_finite_where_librosa_is(amp, kind):
    librosa = pytest.importorskip("librosa")
    y = (_signal(kind) * amp).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = librosa.stft(y)
    got = ferrosa.stft(y)
    assert got.dtype == np.complex64
    fin = np.isfinite(want)
    assert np.isfinite(got[fin]).all()
    assert np.array_equal(np.isfinite(got), fin)
    err = np.abs(got[fin].astype(np.complex128) - want[fin])
    assert err.max() <= 1e-5 * np.abs(want[fin]).max()


@pytest.mark.parametrize("amp", [1e-30, 1e-38, 1e-40, 1e-44])
def test_float32_stft_of_tiny_and_denormal_audio(amp):
    librosa = pytest.importorskip("librosa")
    y = (_signal("noise") * amp).astype(np.float32)
    got, want = ferrosa.stft(y), librosa.stft(y)
    # Within 1e-5 of the peak, plus two steps of float32's denormal grid.
    tol = 1e-5 * np.abs(want).max() + 2 * 1.4e-45
    assert np.abs(got.astype(np.complex128) - want).max() <= tol


@pytest.mark.parametrize("amp", [1e-19, 1e-22, 1e-25, 1e-30, 1e-34, 1e-38])
@pytest.mark.parametrize("kind", ["tone", "noise"])
def test_rolloff_of_very_quiet_float32_audio_gives_librosas_bins(amp, kind):
    librosa = pytest.importorskip("librosa")
    y = (_signal(kind) * amp).astype(np.float32)
    got = ferrosa.feature.spectral_rolloff(y=y, sr=SR)
    want = librosa.feature.spectral_rolloff(y=y, sr=SR)
    np.testing.assert_array_equal(got, want)
    S = np.abs(librosa.stft(y))
    np.testing.assert_array_equal(
        ferrosa.feature.spectral_rolloff(S=S, sr=SR), librosa.feature.spectral_rolloff(S=S, sr=SR)
    )


# Every float32 fast path at the extremes: librosa's values where librosa's own
# float32 intermediates (|X|**2) are normal numbers, and no NaN/inf where
# librosa is finite everywhere else (huge, denormal).
FAST_PATHS = {
    "mel": lambda m, y: m.feature.melspectrogram(y=y, sr=SR),
    "mfcc": lambda m, y: m.feature.mfcc(y=y, sr=SR),
    "centroid": lambda m, y: m.feature.spectral_centroid(y=y, sr=SR),
    "rolloff": lambda m, y: m.feature.spectral_rolloff(y=y, sr=SR),
    "chroma": lambda m, y: m.feature.chroma_stft(y=y, sr=SR, tuning=0.0),
    "stft": lambda m, y: np.abs(m.stft(y)),
    "cqt": lambda m, y: np.abs(m.cqt(y, sr=SR)),
}


@pytest.mark.parametrize("name", sorted(FAST_PATHS))
@pytest.mark.parametrize("amp", [1e15, 1e-15, 1e37, 1e-30, 1e-40, 1e-44])
def test_float32_fast_paths_at_the_extremes(name, amp):
    librosa = pytest.importorskip("librosa")
    fn = FAST_PATHS[name]
    y = (_signal("tone") * amp).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = np.asarray(fn(ferrosa, y), dtype=np.float64)
        try:
            want = np.asarray(fn(librosa, y), dtype=np.float64)
        except librosa.util.exceptions.ParameterError:
            want = None  # librosa refuses (its float32 power overflowed)
    if want is None:
        assert got.size  # ferrosa answers; nothing to compare
        return
    fin = np.isfinite(want)
    assert np.isfinite(got[fin]).all(), f"{name}: NaN/inf where librosa is finite"
    if fin.any() and (amp in (1e15, 1e-15) or name in ("centroid", "mfcc", "stft")):
        peak = np.abs(want[fin]).max()
        tol = {"cqt": 2e-2, "rolloff": 0.0}.get(name, 1e-5)
        if name == "stft" and amp < 1e-38:
            tol = 1e-5 + 3e-45 / max(peak, 1e-300)
        if peak > 0:
            assert np.abs(got[fin] - want[fin]).max() <= tol * peak, name


@pytest.mark.parametrize(
    "call",
    [
        lambda y: ferrosa.stft(y, dtype=np.float32),
        lambda y: ferrosa.stft(y, dtype=np.int16),
        lambda y: ferrosa.cqt(y, sr=SR, dtype=np.float64),
        lambda y: ferrosa.vqt(y, sr=SR, dtype=np.float32),
        lambda y: ferrosa.istft(ferrosa.stft(y), dtype=np.int32),
    ],
)
def test_transforms_refuse_a_dtype_that_would_truncate(call):
    y = _signal("tone").astype(np.float32)
    with pytest.raises(ParameterError, match="dtype"):
        call(y)


def test_transforms_follow_a_complex_dtype():
    y = _signal("tone").astype(np.float32)
    assert ferrosa.stft(y, dtype=np.complex128).dtype == np.complex128
    assert ferrosa.istft(ferrosa.stft(y), dtype=np.float64).dtype == np.float64


# --- 4. No data loss, deterministic stores -------------------------------------


def _write(path: Path, f0: float, channels: int = 1, seconds: float = 1.0) -> None:
    import soundfile as sf

    t = np.arange(int(SR * seconds)) / SR
    y = np.stack([0.4 * np.sin(2 * np.pi * f0 * (c + 1) * t) for c in range(channels)], axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, y if channels > 1 else y[:, 0], SR)


@pytest.fixture
def mixed(tmp_path):
    """Two classes; mono, stereo and one 3-channel recording."""
    data = tmp_path / "mixed"
    for i in range(8):
        label = "ab"[i % 2]
        _write(data / label / f"r{i}.wav", 200.0 + 37 * i, channels=1 + (i % 3 != 0))
    _write(data / "a" / "three.wav", 150.0, channels=3)
    return data


def _prep(data: Path, out: Path, *extra: str, env: dict[str, str] | None = None):
    cmd = [sys.executable, "-m", "ferrosa", "prepare", str(data), str(out)]
    cmd += ["--segment-seconds", "0.5", "--no-progress", "--checkpoint-every", "2"]
    return subprocess.run(
        cmd + list(extra),
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, **(env or {})),
    )


def test_overwrite_never_deletes_a_folder_that_is_not_a_store(mixed, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    res = _prep(mixed, precious, "--overwrite")
    assert res.returncode == 2 and "not a ferrosa store" in res.stderr
    assert (precious / "thesis.tex").read_text() == "years of work"
    # A .partial folder that is not an interrupted run is not deleted either.
    other = tmp_path / "st.partial"
    other.mkdir()
    (other / "notes.txt").write_text("keep")
    res = _prep(mixed, tmp_path / "st", "--overwrite")
    assert res.returncode == 2 and (other / "notes.txt").exists()


def test_overwrite_replaces_a_real_store(mixed, tmp_path):
    out = tmp_path / "st"
    assert _prep(mixed, out).returncode == 0
    res = _prep(mixed, out, "--overwrite", "--n-mfcc", "8")
    assert res.returncode == 0, res.stderr
    assert json.loads((out / "meta.json").read_text())["config"]["n_mfcc"] == 8


def test_stereo_channel_count_comes_from_the_config(mixed, tmp_path):
    stores = []
    for k in range(3):
        out = tmp_path / f"s{k}"
        res = _prep(mixed, out, "--stereo", "--workers", "3")
        assert res.returncode == 0, res.stderr
        stores.append(((out / "features.npy").read_bytes(), (out / "meta.json").read_text()))
        meta = json.loads(stores[-1][1])
        assert meta["shape"][1] == 2
        reasons = {f["path"]: f["reason"] for f in meta["failures"]}
        assert "3 channels" in reasons["a/three.wav"]
    assert stores[0] == stores[1] == stores[2]


def test_killed_and_resumed_stereo_run_equals_an_uninterrupted_one(mixed, tmp_path):
    from ferrosa.datasets.prepare import KILL_ENV

    killed = tmp_path / "killed"
    run = _prep(mixed, killed, "--stereo", "--workers", "2", env={KILL_ENV: "1"})
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert _prep(mixed, killed, "--stereo", "--resume").returncode == 0
    clean = tmp_path / "clean"
    assert _prep(mixed, clean, "--stereo").returncode == 0
    for name in ("features.npy", "index.csv", "meta.json"):
        assert (killed / name).read_bytes() == (clean / name).read_bytes(), name
    ferrosa.datasets.open(killed)


def test_store_is_verified_against_meta_before_the_swap(mixed, tmp_path):
    from ferrosa.datasets.prepare import _verify_built

    out = tmp_path / "st"
    assert _prep(mixed, out).returncode == 0
    _verify_built(out)
    data = (out / "features.npy").read_bytes()
    (out / "features.npy").write_bytes(data[:-400])
    with pytest.raises(ParameterError, match="not swapped in"):
        _verify_built(out)


@pytest.mark.parametrize("extra", ["n_fft=1024", "n_mels=40", "hop_length=256", "sr=8000"])
def test_extra_that_is_a_config_field_is_refused(mixed, tmp_path, extra):
    res = _prep(mixed, tmp_path / "st", "--extra", extra)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and extra.split("=")[0] in res.stderr
    assert not (tmp_path / "st").exists()


def test_unknown_extra_is_refused_and_known_extra_applies(mixed, tmp_path):
    res = _prep(mixed, tmp_path / "bad", "--extra", "bogus=3")
    assert res.returncode == 2 and "bogus" in res.stderr and "Traceback" not in res.stderr
    a, b = tmp_path / "lift0", tmp_path / "lift22"
    assert _prep(mixed, a, "--feature", "mfcc").returncode == 0
    assert _prep(mixed, b, "--feature", "mfcc", "--extra", "lifter=22").returncode == 0
    assert (a / "features.npy").read_bytes() != (b / "features.npy").read_bytes()


# --- 5. Every user mistake is one clear line -----------------------------------


def _cli(*args: str, cwd: Path | None = None):
    return subprocess.run(
        [sys.executable, "-m", "ferrosa", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def _one_line(res, *needles: str) -> None:
    assert res.returncode != 0
    assert "Traceback" not in res.stderr, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    for n in needles:
        assert n in lines[0], lines[0]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    data = root / "data"
    for i in range(6):
        _write(data / "ab"[i % 2] / f"r{i}.wav", 200.0 + 50 * i)
    res = _prep(data, root / "store")
    assert res.returncode == 0, res.stderr
    return root / "store"


def _copy_store(store: Path, dest: Path) -> Path:
    import shutil

    shutil.copytree(store, dest)
    return dest


def test_cli_missing_and_corrupt_store_files(store, tmp_path):
    _one_line(_cli("info", str(tmp_path / "nothing")), "nothing")
    bad = _copy_store(store, tmp_path / "corrupt-meta")
    (bad / "meta.json").write_text("{not json")
    _one_line(_cli("info", str(bad)), "meta.json", "corrupt")
    bad = _copy_store(store, tmp_path / "no-features")
    (bad / "features.npy").unlink()
    _one_line(_cli("info", str(bad)), "FileNotFoundError", "features.npy")
    bad = _copy_store(store, tmp_path / "cut-features")
    raw = (bad / "features.npy").read_bytes()
    (bad / "features.npy").write_bytes(raw[:100])
    _one_line(_cli("info", str(bad)), "features.npy")


def test_cli_model_directory_mistakes(store, tmp_path):
    _one_line(_cli("predict", str(tmp_path / "nomodel"), "x.wav"), "nomodel")
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.keras").write_bytes(b"garbage")
    (model / "ferrosa-model.json").write_text("[1, 2")
    _one_line(_cli("evaluate", str(model), str(store)), "ferrosa-model.json", "corrupt")


def test_cli_plot_output_mistakes(tmp_path):
    wav = tmp_path / "a.wav"
    _write(wav, 440.0)
    _one_line(_cli("plot", str(wav), "--out", str(tmp_path / "x.bmpx")), "extension")
    (tmp_path / "file").write_text("x")
    _one_line(_cli("plot", str(wav), "--out", str(tmp_path / "file" / "x.png")), "NotADirectory")
    _one_line(_cli("plot", str(wav), "--out", str(tmp_path / "no" / "dir" / "x.png")), "dir")
    _one_line(_cli("plot", str(tmp_path / "missing.wav"), "--out", str(tmp_path / "m.png")))
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        _one_line(_cli("plot", str(wav), "--out", str(ro / "x.png")), "PermissionError")


def test_cli_plot_of_a_wav_with_nan_says_so(tmp_path):
    import soundfile as sf

    y = np.sin(np.arange(SR) * 0.05).astype(np.float32)
    y[100] = np.nan
    sf.write(tmp_path / "nan.wav", y, SR, subtype="FLOAT")
    _one_line(_cli("plot", str(tmp_path / "nan.wav"), "--out", str(tmp_path / "n.png")), "NaN")


@pytest.mark.parametrize(
    "content",
    [
        "{bad json",
        "[1, 2, 3]",
        '{"mapping": ["a"], "labels": [0], "mfcc": [[[1, 2], [3]]]}',
        '{"mapping": ["a"], "labels": ["x"], "mfcc": [[[1.0]]]}',
        '{"mapping": ["a"]}',
    ],
)
def test_cli_malformed_data_json(tmp_path, content):
    (tmp_path / "data.json").write_text(content)
    _one_line(_cli("prepare", str(tmp_path / "data.json"), str(tmp_path / "st")), "data.json")


def test_cli_prepare_output_under_a_file(store, tmp_path):
    (tmp_path / "f").write_text("x")
    res = _cli("prepare", str(store), str(tmp_path / "f" / "st"), "--no-progress")
    assert res.returncode != 0 and "Traceback" not in res.stderr


# --- 6. Messages that say what is wrong ----------------------------------------


@pytest.mark.parametrize(
    "call, named",
    [
        (lambda y: ferrosa.stft(y, n_fft=2**70), "n_fft=1180591620717411303424"),
        (lambda y: ferrosa.stft(y, hop_length=2**64), "hop_length="),
        (lambda y: ferrosa.feature.melspectrogram(y=y, n_mels=2**64), "n_mels="),
        (lambda y: ferrosa.feature.delta(np.ones((2, 9)), width=2**65 + 1), "width="),
        (lambda y: ferrosa.feature.rms(y=y, frame_length=2**70), "frame_length="),
        (lambda y: ferrosa.cqt(y, sr=SR, n_bins=2**70), "n_bins="),
    ],
)
def test_values_too_large_for_an_integer_are_parameter_errors(call, named):
    y = _signal("tone").astype(np.float32)
    with pytest.raises(ParameterError, match=named):
        call(y)


def test_two_dimensional_window_message_does_not_contradict_itself():
    y = _signal("tone")
    with pytest.raises(ParameterError) as info:
        ferrosa.stft(y, window=np.ones((2048, 2)))
    assert "2048 != 2048" not in str(info.value) and "(2048, 2)" in str(info.value)


@pytest.mark.parametrize("center", [None, 0, 1, np.bool_(False)])
def test_center_accepts_what_librosa_accepts(center):
    librosa = pytest.importorskip("librosa")
    y = _signal("tone")
    np.testing.assert_allclose(
        ferrosa.stft(y, center=center), librosa.stft(y, center=center), atol=1e-9
    )
    for f in (
        lambda m: m.feature.rms(y=y, center=center),
        lambda m: m.feature.zero_crossing_rate(y, center=center),
        lambda m: m.feature.spectral_centroid(y=y, sr=SR, center=center),
        lambda m: m.feature.chroma_stft(y=y, sr=SR, center=center, tuning=0.0),
    ):
        assert f(ferrosa).shape == f(librosa).shape


def test_invalid_thread_variable_warns_once():
    res = _run_py(
        """
        import warnings
        warnings.simplefilter("always")
        with warnings.catch_warnings(record=True) as w:
            import ferrosa, numpy as np
            ferrosa.stft(np.zeros(4096)); ferrosa.stft(np.zeros(4096))
        print(sum("FERROSA_NUM_THREADS" in str(x.message) for x in w))
        """,
        env={"FERROSA_NUM_THREADS": "lots"},
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "1"


def test_set_num_threads_reports_what_the_pool_uses():
    from ferrosa.util.threads import POOL_SIZE

    before = ferrosa.get_num_threads()
    try:
        with pytest.warns(RuntimeWarning, match="pool has"):
            used = ferrosa.set_num_threads(POOL_SIZE + 7)
        assert used == POOL_SIZE == ferrosa.get_num_threads()
        assert ferrosa.set_num_threads(1) == 1 == ferrosa.get_num_threads()
    finally:
        ferrosa.set_num_threads(0)
        if ferrosa.get_num_threads() != before:
            ferrosa.set_num_threads(before)


def test_undecodable_bytes_name_the_file_and_the_reason(tmp_path: Path) -> None:
    """Bytes no decoder reads: librosa's NoBackendError, but with a message."""
    pytest.importorskip("audioread")
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"\x00\x01not audio at all" * 4)
    with pytest.warns(UserWarning), pytest.raises(Exception) as info:
        ferrosa.load(junk)
    assert type(info.value).__name__ == "NoBackendError"
    assert "junk.wav" in str(info.value) and "libsndfile" in str(info.value)
