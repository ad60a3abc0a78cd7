"""The generation workflow's command line without Keras: the ``generate`` prepare
preset, and one-line errors for wrong model directories before Keras is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ferrosa import datasets
from ferrosa.cli import main
from ferrosa.datasets import synth

pytest.importorskip("soundfile")

SR = 22050


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth.render_dataset(
        tmp_path_factory.mktemp("gencli") / "data",
        n_per_class=4,
        classes=["flute", "kick"],
        seed=2,
        max_duration=1.6,
    )


def test_prepare_preset_generate_makes_the_generators_store(data, tmp_path, capsys) -> None:
    store = tmp_path / "store"
    assert main(["prepare", str(data), str(store), "--preset", "generate", "--no-progress"]) == 0
    st = datasets.open_store(store)
    cfg = st.config
    assert cfg.feature == "logspec" and cfg.sr == SR
    assert (cfg.n_fft, cfg.hop_length, cfg.segment_seconds) == (512, 256, 0.74)
    assert cfg.segment_hop_seconds is None and cfg.mono
    assert st.X.shape[1:] == (1, 256, 64)  # the models' 256 x 64, no Nyquist bin
    assert st.meta["designed_for"] == ["generate"]
    X, _, _ = st.subset("train")
    assert st.meta["scaler"]["fitted_on"] == "train"
    assert st.meta["scaler"]["low"] == pytest.approx(float(X.min()))
    assert st.meta["scaler"]["high"] == pytest.approx(float(X.max()))
    assert "generate preset" in capsys.readouterr().out  # the summary says what it holds
    # --feature logspec alone means the same features; single options still override.
    other = tmp_path / "other"
    argv = ["prepare", str(data), str(other), "--feature", "logspec", "--no-progress"]
    assert main(argv + ["--n-fft", "256"]) == 0
    cfg2 = datasets.open_store(other).config
    assert (cfg2.n_fft, cfg2.hop_length, cfg2.segment_seconds) == (256, 256, 0.74)


def test_train_generator_on_a_classifier_store_names_the_preset(data, tmp_path, capsys) -> None:
    store = tmp_path / "mel"
    datasets.prepare(
        data, store, progress=False, workers=1, feature="mel", n_mels=16, segment_seconds=0.5
    )
    capsys.readouterr()
    assert main(["train-generator", str(store), str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "--preset generate" in err and "logspec" in err


_PROBE = """
import sys, time
t0 = time.perf_counter()
from ferrosa.cli import main
code = main(sys.argv[1:])
heavy = sorted(m for m in ("keras", "tensorflow", "jax", "torch") if m in sys.modules)
print(code, time.perf_counter() - t0, ",".join(heavy) or "-")
"""


@pytest.mark.parametrize("command", ["reconstruct", "generate"])
@pytest.mark.parametrize("target", ["missing", "empty", "store", "file", "badjson"])
def test_wrong_model_directory_fails_fast_without_keras(data, tmp_path, command, target) -> None:
    if target == "missing":
        path = tmp_path / "nowhere"
    elif target == "empty":
        path = tmp_path / "empty"
        path.mkdir()
    elif target == "store":  # a feature store is not a model
        path = tmp_path / "store"
        datasets.prepare(data, path, progress=False, workers=1, feature="logspec", n_fft=512)
    elif target == "file":
        path = next(data.rglob("*.wav"))
    else:
        path = tmp_path / "bad"
        path.mkdir()
        (path / "model.keras").write_bytes(b"PK")
        (path / "ferrosa-generator.json").write_text(json.dumps({"format": "other"}))
    argv = [command, str(path)]
    argv += [str(next(data.rglob("*.wav"))), str(tmp_path / "o.wav")]
    if command == "generate":
        argv = argv[:2] + [str(tmp_path / "out")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    t0 = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, env=env
    )
    wall = time.perf_counter() - t0
    code, seconds, heavy = run.stdout.split()
    assert code == "2", run.stderr
    assert heavy == "-", f"imported {heavy} before failing"
    err = run.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"ferrosa {command}: error: ") and str(path) in err
    assert "ferrosa-generator" in err or "generator directory" in err
    assert float(seconds) < 5.0 and wall < 30.0  # no deep-learning import (seconds of CPU)
    assert not (tmp_path / "out").exists()
