"""End to end on the built-in synthetic dataset: train, evaluate, save/load, predict.

One tiny store and one short training run are shared by the module (a few
seconds of CPU); the tests then look at them from every side.
"""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest
from ferrosa import ParameterError

pytest.importorskip("keras")
datasets = pytest.importorskip("ferrosa.datasets")
from ferrosa import ml  # noqa: E402
from ferrosa.datasets import synth  # noqa: E402

# Keras converting its own variables trips NumPy 2's copy-keyword deprecation.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

CLASSES = ["kick", "hihat", "flute", "clarinet"]
FEATURES = dict(feature="mel", n_mels=32, segment_seconds=0.5, segment_hop_seconds=0.25, tail="pad")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synth")
    return synth.render_dataset(
        root / "data", n_per_class=10, classes=CLASSES, seed=1, max_duration=1.5
    )


@pytest.fixture(scope="module")
def store(data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("store") / "store"
    return datasets.prepare(data_dir, out, seed=0, progress=False, workers=1, **FEATURES)


@pytest.fixture(scope="module")
def model_dir(store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model") / "model"
    ml.train(store, out, model="cnn", preset="default", epochs=25, seed=0)
    return out


def test_training_beats_chance_widely(model_dir: Path) -> None:
    result = json.loads((model_dir / "evaluation.json").read_text())
    print("clip", result["clip"]["accuracy"], "segment", result["segment"]["accuracy"])
    chance = 1 / len(CLASSES)
    assert result["split"] == "test"
    assert result["clip"]["accuracy"] >= chance + 0.45
    assert result["segment"]["accuracy"] >= chance + 0.35


def test_model_dir_contents(model_dir: Path, store) -> None:
    for name in (
        "model.keras",
        "ferrosa-model.json",
        "best.keras",
        "history.csv",
        "history.png",
        "confusion.png",
        "evaluation.json",
    ):
        assert (model_dir / name).is_file(), name
    meta = json.loads((model_dir / "ferrosa-model.json").read_text())
    assert meta["format"] == "ferrosa-model" and meta["version"] == 1
    assert meta["config"] == store.config.to_dict()
    assert meta["mapping"] == list(store.mapping)
    assert meta["input_shape"] == list(store.X.shape[1:])
    assert len(meta["normalizer"]["mean"][0]) == FEATURES["n_mels"]
    header = (model_dir / "history.csv").read_text().splitlines()[0]
    assert "val_loss" in header and "accuracy" in header


def test_evaluate_matches_saved_evaluation(model_dir: Path, store) -> None:
    saved = json.loads((model_dir / "evaluation.json").read_text())
    fresh = ml.evaluate(model_dir, store, split="test")
    assert fresh["clip"]["accuracy"] == pytest.approx(saved["clip"]["accuracy"])
    assert fresh["segments"] == int((store.splits == "test").sum())
    all_ = ml.evaluate(model_dir, store.path if hasattr(store, "path") else store, split=None)
    assert all_["segments"] == len(store)


def test_save_load_predict_same_scores(model_dir: Path, store, tmp_path: Path) -> None:
    trained = ml.load(model_dir)
    X = np.asarray(store.X[:12])
    p1 = trained.predict_features(X)
    # The saved model takes stored features: its input stage equals the NumPy normaliser.
    p2 = np.asarray(trained.model(X, training=False))
    np.testing.assert_allclose(p1, p2, rtol=1e-5, atol=1e-6)
    core = trained.model.layers[-1]
    p3 = np.asarray(
        core(
            np.ascontiguousarray(np.transpose(trained.normalizer.transform(X), (0, 3, 2, 1))),
            training=False,
        )
    )
    np.testing.assert_allclose(p1, p3, rtol=1e-4, atol=1e-5)
    trained.save(tmp_path / "copy")
    again = ml.load(tmp_path / "copy")
    np.testing.assert_allclose(again.predict_features(X), p1, rtol=1e-5, atol=1e-6)


def test_predict_file_equals_store_features(model_dir: Path, store, data_dir: Path) -> None:
    source = str(store.sources[store.splits == "test"][0])
    ranked = ml.predict(model_dir, data_dir / source)
    assert [label for label, _ in ranked] != [] and len(ranked) == len(CLASSES)
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True) and sum(scores) == pytest.approx(1.0, abs=1e-5)
    # The same numbers as voting over the stored segments of that file.
    trained = ml.load(model_dir)
    stored = trained.predict_features(np.asarray(store.X[store.sources == source])).mean(axis=0)
    by_label = dict(ranked)
    for i, name in enumerate(trained.mapping):
        assert by_label[name] == pytest.approx(float(stored[i]), abs=1e-5)
    assert len(ml.predict(model_dir, data_dir / source, top=2)) == 2


def _write_stereo_wav(path: Path, y: np.ndarray, sr: int) -> None:
    pcm = (np.clip(y, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(2)
        f.setsampwidth(2)
        f.setframerate(sr)
        f.writeframes(np.stack([pcm, pcm], axis=1).tobytes())


def test_predict_other_rate_and_channels(model_dir: Path, tmp_path: Path) -> None:
    import soxr

    y = synth.render("hihat", sr=22050, seed=(99, 1), max_duration=2.5)
    y44 = soxr.resample(y, 22050, 44100).astype(np.float32)
    path = tmp_path / "stereo44k.wav"
    _write_stereo_wav(path, y44, 44100)
    from_file = ml.predict(model_dir, path)
    from_array = ml.predict(model_dir, np.stack([y44, y44]), sr=44100)
    assert [lab for lab, _ in from_file] == [lab for lab, _ in from_array]
    for (_, a), (_, b) in zip(from_file, from_array, strict=True):
        assert a == pytest.approx(b, abs=2e-3)  # 16-bit quantisation of the file
    # A recording shorter than one segment is padded, not dropped.
    short = ml.predict(model_dir, y[:2000], sr=22050)
    assert sum(s for _, s in short) == pytest.approx(1.0, abs=1e-5)


def test_store_model_mismatch(model_dir: Path, data_dir: Path, tmp_path: Path) -> None:
    other = datasets.prepare(
        data_dir,
        tmp_path / "mfcc",
        seed=0,
        progress=False,
        workers=1,
        feature="mfcc",
        n_mfcc=13,
        segment_seconds=0.5,
    )
    with pytest.raises(ParameterError, match="feature"):
        ml.evaluate(model_dir, other)
    trained = ml.load(model_dir)
    with pytest.raises(ParameterError, match="do not fit this model"):
        trained.predict_features(np.asarray(other.X[:2]))


def test_evaluate_data_dir_with_model_parameters(model_dir: Path, tmp_path: Path) -> None:
    new = synth.render_dataset(
        tmp_path / "new", n_per_class=2, classes=["kick", "flute"], seed=7, max_duration=1.0
    )
    result = ml.evaluate(model_dir, new)
    assert result["clips"] == 4 and result["split"] == "all"
    assert result["mapping"] == ml.load(model_dir).mapping  # the model's mapping, not the folder's
    bad = synth.render_dataset(tmp_path / "bad", n_per_class=1, classes=["snare"], seed=7)
    with pytest.raises(ParameterError, match="snare"):
        ml.evaluate(model_dir, bad)


def test_predict_errors(model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="sr is required"):
        ml.predict(model_dir, np.zeros(1000, np.float32))
    with pytest.raises(ParameterError, match="top=0"):
        ml.predict(model_dir, np.zeros(1000, np.float32), sr=22050, top=0)
    with pytest.raises(ParameterError, match="not a file"):
        ml.predict(model_dir, tmp_path / "missing.wav")
    with pytest.raises(ParameterError, match="not a ferrosa model"):
        ml.predict(tmp_path, np.zeros(1000, np.float32), sr=22050)
    with pytest.raises(ParameterError):
        ml.predict(model_dir, np.full(1000, np.nan, np.float32), sr=22050)


def test_fit_errors(store) -> None:
    X, y, _ = store.subset("train")
    kw = dict(mapping=list(store.mapping), config=store.config.to_dict())
    with pytest.raises(ParameterError, match="epochs=0"):
        ml.fit(X, y, epochs=0, **kw)
    with pytest.raises(ParameterError, match="label ids"):
        ml.fit(X, np.full(len(y), 9), **kw)
    with pytest.raises(ParameterError, match="X_train"):
        ml.fit(X[:, 0], y, **kw)
    with pytest.raises(ParameterError, match="model='svm'"):
        ml.fit(X, y, model="svm", epochs=1, **kw)


def test_seed_preset_is_reproducible(store) -> None:
    X, y, _ = store.subset("train")
    kw = dict(
        mapping=list(store.mapping),
        config=store.config.to_dict(),
        model="mlp",
        preset="seed",
        epochs=2,
        seed=3,
    )
    a, ha = ml.fit(X, y, **kw)
    b, hb = ml.fit(X, y, **kw)
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(
        a.predict_features(X[:5]), b.predict_features(X[:5]), rtol=1e-5, atol=1e-6
    )
