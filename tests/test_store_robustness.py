"""Bad files never abort a run; a killed run resumes to the same store."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import ferrosa
import ferrosa.datasets as fd
import librosa
import numpy as np
import pytest
import soundfile as sf
from ferrosa.cli import main as cli
from ferrosa.datasets.prepare import KILL_ENV

SR = 22050


def _tone(path: Path, seconds: float, sr: int = SR, channels: int = 1, seed: int = 0, **kw):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    y = 0.4 * np.sin(2 * np.pi * (200 + 50 * seed) * t) + 0.03 * rng.standard_normal(t.size)
    if channels > 1:
        y = np.stack([y, -0.7 * y], axis=-1)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, y, sr, **kw)
    return path


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    """Good mono 22.05 kHz clips plus every kind of bad file the issue lists."""
    root = tmp_path_factory.mktemp("messy")
    for k in range(4):
        _tone(root / "good" / f"g{k}.wav", 1.2, seed=k)
        _tone(root / "other" / f"o{k}.wav", 1.2, seed=10 + k)
    # a stereo 48 kHz file among mono 22.05 kHz ones: processed, resampled, mixed down
    _tone(root / "good" / "stereo48k.wav", 1.3, sr=48000, channels=2, seed=5)
    # a truncated WAV (header promises twice the data) and a truncated FLAC
    full = _tone(root / "tmp" / "full.wav", 1.0, seed=6).read_bytes()
    (root / "good" / "truncated.wav").write_bytes(full[: len(full) // 2])
    flac = _tone(root / "tmp" / "full.flac", 1.0, seed=7).read_bytes()
    (root / "other" / "truncated.flac").write_bytes(flac[: len(flac) // 2])
    (root / "tmp" / "full.wav").unlink()
    (root / "tmp" / "full.flac").unlink()
    (root / "tmp").rmdir()
    # a zero-length file, and a WAV with a header but no samples
    (root / "good" / "zero.wav").write_bytes(b"")
    sf.write(root / "other" / "noframes.wav", np.zeros(0, np.float32), SR)
    # a non-audio file with an audio extension
    (root / "other" / "text.mp3").write_text("this is a text file, not audio\n" * 20)
    # unreadable: a dangling symlink (root can read any file, so chmod alone is not enough)
    os.symlink(root / "nowhere.wav", root / "good" / "dangling.wav")
    if os.geteuid() != 0:
        p = _tone(root / "other" / "noperm.wav", 1.0, seed=8)
        p.chmod(0)
    # shorter than one segment, and silence
    _tone(root / "other" / "short.wav", 0.2, seed=9)
    sf.write(root / "good" / "silence.wav", np.zeros(SR, np.float32), SR)
    return root


EXPECTED_REASONS = {
    "good/truncated.wav": "truncated",
    "other/truncated.flac": "cannot decode",
    "good/zero.wav": "empty file",
    "other/noframes.wav": "no audio",
    "other/text.mp3": "cannot decode",
    "good/dangling.wav": "cannot read",
    "good/silence.wav": "silent",
}


def test_bad_files_are_listed_and_the_rest_processed(messy, tmp_path, capsys):
    out = tmp_path / "store"
    code = cli(
        [
            "prepare",
            str(messy),
            str(out),
            "--segment-seconds",
            "0.5",
            "--short",
            "drop",
            "--workers",
            "2",
            "--no-progress",
        ]
    )
    assert code == 0
    summary = capsys.readouterr().out
    st = fd.open(out)
    reasons = {f["path"]: f["reason"] for f in st.meta["failures"]}
    expected = dict(EXPECTED_REASONS, **{"other/short.wav": "shorter than one segment"})
    if os.geteuid() != 0:
        expected["other/noperm.wav"] = "permission denied"
    assert set(reasons) == set(expected)
    for path, why in expected.items():
        assert why in reasons[path], (path, reasons[path])
        assert path in summary and reasons[path] in summary  # the summary lists each one
    good = {"good/stereo48k.wav"} | {f"good/g{k}.wav" for k in range(4)}
    good |= {f"other/o{k}.wav" for k in range(4)}
    assert set(st.sources) == good
    assert st.meta["counts"]["failed"] == len(expected)
    assert st.meta["counts"]["processed"] == len(good)


def test_stereo_48k_file_equals_librosa(messy, tmp_path):
    st = fd.prepare(messy, tmp_path / "s", segment_seconds=0.5, progress=False)
    y, _ = librosa.load(messy / "good" / "stereo48k.wav", sr=SR)
    rows = np.flatnonzero(st.sources == "good/stereo48k.wav")
    L = st.config.segment_samples
    assert len(rows) == len(y) // L
    for r in rows:
        s = st.starts[r]
        want = librosa.feature.mfcc(y=y[s : s + L], sr=SR, n_mfcc=13)
        assert np.max(np.abs(st.X[r, 0] - want)) <= 1e-5 * np.max(np.abs(want))


def test_short_file_is_padded_and_silence_kept_on_request(messy, tmp_path):
    st = fd.prepare(
        messy, tmp_path / "s", segment_seconds=0.5, short="pad", keep_silent=True, progress=False
    )
    reasons = {f["path"] for f in st.meta["failures"]}
    assert "other/short.wav" not in reasons and "good/silence.wav" not in reasons
    row = np.flatnonzero(st.sources == "other/short.wav")
    assert len(row) == 1
    y, _ = librosa.load(messy / "other" / "short.wav", sr=SR)
    want = librosa.feature.mfcc(y=np.pad(y, (0, st.config.segment_samples - len(y))), sr=SR)
    got = st.X[row[0], 0]
    assert np.max(np.abs(got - want[:13])) <= 1e-5 * np.max(np.abs(want[:13]))
    assert np.isfinite(np.asarray(st.X[st.sources == "good/silence.wav"])).all()


def test_all_files_bad_is_an_error_and_leaves_no_store(tmp_path):
    data = tmp_path / "data" / "x"
    data.mkdir(parents=True)
    (data / "a.wav").write_bytes(b"")
    with pytest.raises(ferrosa.ParameterError, match="no recording"):
        fd.prepare(tmp_path / "data", tmp_path / "s", progress=False)
    assert not (tmp_path / "s").exists()


# ----------------------------------------------------------------- kill and resume


def _prepare_cmd(data: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "ferrosa",
        "prepare",
        str(data),
        str(out),
        "--segment-seconds",
        "0.5",
        "--checkpoint-every",
        "3",
        "--workers",
        "2",
        "--no-progress",
        *extra,
    ]


def _read_store(path: Path):
    meta = json.loads((path / "meta.json").read_text())
    return (path / "features.npy").read_bytes(), (path / "index.csv").read_text(), meta


def test_killed_run_resumes_to_the_same_store(messy, tmp_path):
    env = dict(os.environ, **{KILL_ENV: "2"})
    killed = tmp_path / "killed"
    run = subprocess.run(_prepare_cmd(messy, killed), env=env, capture_output=True, text=True)
    assert run.returncode == -signal.SIGKILL, run.stderr
    partial = tmp_path / "killed.partial"
    assert not killed.exists()  # never half-written under its final name
    shards = sorted((partial / "shards").glob("shard-*.json"))
    assert len(shards) == 2
    done_before = sum(len(json.loads(s.read_text())["files"]) for s in shards)
    assert 0 < done_before < 19

    # Without --resume the interrupted run is neither lost nor silently reused.
    refused = subprocess.run(_prepare_cmd(messy, killed), capture_output=True, text=True)
    assert refused.returncode == 2 and "--resume" in refused.stderr
    assert len(list((partial / "shards").glob("shard-*.json"))) == 2

    resumed = subprocess.run(
        _prepare_cmd(messy, killed, "--resume"), capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr
    assert not partial.exists()

    clean = tmp_path / "clean"
    fresh = subprocess.run(_prepare_cmd(messy, clean), capture_output=True, text=True)
    assert fresh.returncode == 0, fresh.stderr
    a, b = _read_store(killed), _read_store(clean)
    assert a[0] == b[0]  # features.npy byte for byte
    assert a[1] == b[1]  # index.csv
    assert a[2] == b[2]  # meta.json, failures included
    assert len(a[2]["failures"]) >= 7


def test_resume_with_other_parameters_is_refused(messy, tmp_path):
    env = dict(os.environ, **{KILL_ENV: "1"})
    out = tmp_path / "s"
    run = subprocess.run(_prepare_cmd(messy, out), env=env, capture_output=True, text=True)
    assert run.returncode == -signal.SIGKILL
    other = _prepare_cmd(messy, out, "--resume", "--n-mfcc", "20")
    res = subprocess.run(other, capture_output=True, text=True)
    assert res.returncode == 2 and "different config" in res.stderr
    res = subprocess.run(_prepare_cmd(messy, out, "--overwrite"), capture_output=True, text=True)
    assert res.returncode == 0 and not (tmp_path / "s.partial").exists()
