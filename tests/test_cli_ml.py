"""``ferrosa train / evaluate / predict`` on a tiny synthetic store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("keras")
datasets = pytest.importorskip("ferrosa.datasets")
from ferrosa.cli import main  # noqa: E402
from ferrosa.datasets import synth  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

CLASSES = ["kick", "hihat", "flute"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("cli")
    data = synth.render_dataset(
        root / "data", n_per_class=6, classes=CLASSES, seed=4, max_duration=1.0
    )
    store = root / "store"
    datasets.prepare(
        data,
        store,
        seed=0,
        progress=False,
        workers=1,
        feature="mel",
        n_mels=24,
        segment_seconds=0.5,
    )
    model = root / "model"
    assert (
        main(["train", str(store), str(model), "--model", "mlp", "--epochs", "3", "--seed", "1"])
        == 0
    )
    return data, store, model


def test_train_writes_model_and_plots(trained, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, model = trained
    for name in ("model.keras", "ferrosa-model.json", "history.png", "confusion.png"):
        assert (model / name).is_file()
    meta = json.loads((model / "ferrosa-model.json").read_text())
    assert meta["model"] == "mlp" and meta["preset"]["name"] == "default"
    assert meta["training"]["seed"] == 1 and meta["training"]["epochs_run"] <= 3


def test_evaluate_json_and_table(trained, capsys: pytest.CaptureFixture[str]) -> None:
    data, store, model = trained
    capsys.readouterr()
    assert main(["evaluate", str(model), str(store), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["split"] == "test" and 0.0 <= result["clip"]["accuracy"] <= 1.0
    assert set(result["clip"]["per_class"]) == set(CLASSES)
    assert main(["evaluate", str(model), str(data)]) == 0
    out = capsys.readouterr().out
    assert "clip accuracy" in out and f"over {3 * 6} clips" in out


def test_predict_table_and_json(trained, capsys: pytest.CaptureFixture[str]) -> None:
    data, _, model = trained
    files = [str(data / "kick" / "kick_000.wav"), str(data / "flute" / "flute_001.wav")]
    capsys.readouterr()
    assert main(["predict", str(model), *files, "--top", "2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == files
    assert all(len(v) == 2 and v[0][1] >= v[1][1] for v in result.values())
    assert main(["predict", str(model), files[0]]) == 0
    out = capsys.readouterr().out
    assert out.startswith(files[0]) and "  1. " in out and "  3. " in out


def test_cli_errors(trained, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, store, model = trained
    assert main(["predict", str(tmp_path), str(data / "kick" / "kick_000.wav")]) == 2
    assert "not a ferrosa model" in capsys.readouterr().err
    assert main(["predict", str(model), str(tmp_path / "nope.wav")]) == 1
    assert "nope.wav" in capsys.readouterr().err
    assert main(["predict", str(model), "x.wav", "--top", "0"]) == 2
    assert main(["train", str(store), str(tmp_path / "m"), "--epochs", "0"]) == 2
    assert "epochs=0" in capsys.readouterr().err
    assert main(["evaluate", str(model), str(tmp_path / "missing")]) == 2
    with pytest.raises(SystemExit):
        main(["train", str(store), str(tmp_path / "m"), "--model", "svm"])
