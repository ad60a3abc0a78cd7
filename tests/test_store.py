"""prepare -> feature store -> open: contents, splits, CLI, data.json import/export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import ferrosa
import ferrosa.datasets as fd
import librosa
import numpy as np
import pytest
import soundfile as sf
from ferrosa.cli import main as cli

SR = 22050
CLASSES = {"kick": 60.0, "pluck": 440.0, "whistle": 1800.0}


def _clip(path: Path, freq: float, seconds: float, seed: int, sr: int = SR, channels: int = 1):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    y = 0.5 * np.sin(2 * np.pi * freq * (1 + 0.01 * seed) * t) * np.exp(-2 * t)
    y = y + 0.02 * rng.standard_normal(t.size)
    if channels > 1:
        y = np.stack([y, 0.5 * y], axis=-1)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, y, sr)
    return path


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("ds")
    for c, (name, freq) in enumerate(CLASSES.items()):
        for k in range(6):
            _clip(root / name / f"{name}_{k}.wav", freq, 1.2 + 0.3 * (k % 3), seed=10 * c + k)
    return root


@pytest.fixture(scope="module")
def store(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("st") / "store"
    return fd.prepare(dataset, out, segment_seconds=0.5, deltas=1, progress=False, workers=2)


def test_store_files_and_meta(store):
    names = sorted(p.name for p in store.path.iterdir())
    assert names == ["features.npy", "index.csv", "meta.json"]
    meta = json.loads((store.path / "meta.json").read_text())
    assert meta["format"] == "ferrosa-store" and meta["version"] == 1
    assert meta["mapping"] == sorted(CLASSES)
    assert meta["shape"] == list(store.X.shape)
    assert meta["failures"] == []
    assert meta["counts"]["processed"] == 18 and meta["counts"]["segments"] == len(store)
    assert {"ferrosa", "numpy", "soundfile", "soxr"} <= set(meta["versions"])
    assert fd.FeatureConfig.from_dict(meta["config"]) == store.config
    assert meta["split"]["group_by"] == "source" and meta["split"]["seed"] == 0


def test_store_arrays(store):
    assert isinstance(store.X, np.memmap) and store.X.dtype == np.float32
    n, c, f, t = store.X.shape
    assert (c, f) == (2, 13) and t == 1 + store.config.segment_samples // 512
    assert store.y.dtype == np.int64 and len(store.y) == n == len(store)
    assert set(store.splits) <= {"train", "valid", "test"}
    for lab_id, lab in zip(store.y, store.labels, strict=True):
        assert store.mapping[lab_id] == lab
    with open(store.path / "index.csv", newline="") as fh:
        header = next(csv.reader(fh))
    assert header[:7] == ["source", "label", "label_id", "segment", "start", "group", "split"]


def test_store_features_equal_featurize_file(store, dataset):
    # Prediction recomputes exactly the stored features through featurize_file.
    for src in sorted(set(store.sources))[::5]:
        X, starts = fd.featurize_file(dataset / src, store.config)
        rows = np.flatnonzero(store.sources == src)
        np.testing.assert_array_equal(store.X[rows], X)
        np.testing.assert_array_equal(store.starts[rows], starts)
        np.testing.assert_array_equal(store.segments[rows], np.arange(len(rows)))


def test_store_features_match_tutorial_recipe(store, dataset):
    src = store.sources[0]
    y, _ = librosa.load(dataset / src, sr=SR)
    L = store.config.segment_samples
    for row in np.flatnonzero(store.sources == src):
        s = store.starts[row]
        want = librosa.feature.mfcc(y=y[s : s + L], sr=SR, n_mfcc=13)
        err = np.max(np.abs(store.X[row, 0] - want))
        assert err <= 1e-5 * np.max(np.abs(want))


def test_no_source_in_two_splits(store):
    for src in set(store.sources):
        assert len(set(store.splits[store.sources == src])) == 1
    per_split = {s: set(store.sources[store.splits == s]) for s in ("train", "valid", "test")}
    assert not per_split["train"] & per_split["valid"]
    assert not per_split["train"] & per_split["test"]
    assert not per_split["valid"] & per_split["test"]
    # Stratified: every class has files in every split (6 files per class).
    for lab in range(3):
        assert {str(s) for s in store.splits[store.y == lab]} == {"train", "valid", "test"}


def test_subset(store):
    X, y, src = store.subset("train")
    m = store.splits == "train"
    assert X.shape == (int(m.sum()),) + store.X.shape[1:]
    np.testing.assert_array_equal(X, store.X[m])
    np.testing.assert_array_equal(y, store.y[m])
    assert list(src) == list(store.sources[m])
    with pytest.raises(ferrosa.ParameterError):
        store.subset("holdout")


def test_prepare_is_deterministic_and_seeded(dataset, store, tmp_path):
    again = fd.prepare(dataset, tmp_path / "a", config=store.config, progress=False, workers=1)
    np.testing.assert_array_equal(np.asarray(again.X), np.asarray(store.X))
    np.testing.assert_array_equal(again.splits, store.splits)
    other = fd.prepare(
        dataset, tmp_path / "b", config=store.config, seed=7, progress=False, checkpoint_every=5
    )
    np.testing.assert_array_equal(np.asarray(other.X), np.asarray(store.X))
    assert not np.array_equal(other.splits, store.splits)


def test_checkpoint_timing_and_held_files_do_not_change_the_store(
    dataset, store, tmp_path, monkeypatch
):
    import sys

    prep = sys.modules["ferrosa.datasets.prepare"]
    written = []
    original = prep.Checkpoint.write_shard

    def counting(self, results, shape):
        written.append(len(results))
        return original(self, results, shape)

    monkeypatch.setattr(prep.Checkpoint, "write_shard", counting)
    kw = {"config": store.config, "progress": False, "checkpoint_every": 4}
    often = fd.prepare(dataset, tmp_path / "often", checkpoint_seconds=0, **kw)
    assert written == [4, 4, 4, 4]  # 18 files: the last 2 are held in memory
    written.clear()
    rare = fd.prepare(dataset, tmp_path / "rare", checkpoint_seconds=1e9, **kw)
    assert written == []
    for got in (often, rare):
        np.testing.assert_array_equal(np.asarray(got.X), np.asarray(store.X))
        np.testing.assert_array_equal(got.splits, store.splits)
        assert list(got.sources) == list(store.sources)

    # A run that dies while assembling the store loses only the held files.
    def dying(*a, **k):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(prep, "_assemble", dying)
        with pytest.raises(KeyboardInterrupt):
            fd.prepare(dataset, tmp_path / "died", checkpoint_seconds=0, **kw)
        with pytest.raises(KeyboardInterrupt):
            fd.prepare(dataset, tmp_path / "early", checkpoint_seconds=1e9, **kw)
    # Nothing on disk before the first shard, not even the plan: resuming starts over.
    assert list((tmp_path / "early.partial").iterdir()) == []
    early = fd.prepare(dataset, tmp_path / "early", resume=True, **kw)
    np.testing.assert_array_equal(np.asarray(early.X), np.asarray(store.X))
    assert (tmp_path / "died.partial" / "plan.json").is_file()
    assert not (tmp_path / "died").exists()
    shards = sorted((tmp_path / "died.partial" / "shards").glob("shard-*.json"))
    assert len(shards) == 4
    written.clear()
    resumed = fd.prepare(dataset, tmp_path / "died", resume=True, **kw)
    assert written == []  # the 2 files redone are held again
    assert not (tmp_path / "died.partial").exists()
    np.testing.assert_array_equal(np.asarray(resumed.X), np.asarray(store.X))
    np.testing.assert_array_equal(resumed.splits, store.splits)


def test_prepare_fixed_split_from_manifest(tmp_path, dataset):
    rows = ["fname,label,split"]
    for k, p in enumerate(sorted(dataset.rglob("*.wav"))):
        rows.append(
            f"{p.relative_to(dataset).as_posix()},{p.parent.name},{('train', 'test')[k % 2]}"
        )
    manifest = dataset / "manifest.csv"
    manifest.write_text("\n".join(rows) + "\n")
    try:
        st = fd.prepare(dataset, tmp_path / "s", segment_seconds=1.0, progress=False)
    finally:
        manifest.unlink()
    assert st.meta["layout"] == "csv" and st.meta["split"]["group_by"] == "fixed"
    assert set(st.splits) == {"train", "test"}


def test_store_and_partial_are_never_overwritten(dataset, tmp_path):
    out = tmp_path / "s"
    fd.prepare(dataset, out, segment_seconds=1.0, progress=False)
    before = (out / "features.npy").read_bytes()
    with pytest.raises(ferrosa.ParameterError, match="already exists"):
        fd.prepare(dataset, out, segment_seconds=1.0, progress=False)
    assert (out / "features.npy").read_bytes() == before
    # resume on a complete store with the same parameters just opens it
    assert len(fd.prepare(dataset, out, segment_seconds=1.0, progress=False, resume=True)) > 0
    with pytest.raises(ferrosa.ParameterError, match="other parameters"):
        fd.prepare(dataset, out, segment_seconds=0.5, progress=False, resume=True)
    st = fd.prepare(dataset, out, segment_seconds=0.5, progress=False, overwrite=True)
    assert st.config.segment_seconds == 0.5
    assert not (tmp_path / "s.partial").exists()


@pytest.mark.parametrize(
    "kw",
    [
        {"layout": "kaggle"},
        {"split": (0.5, 0.6, 0.1)},
        {"split": "random"},
        {"seed": "zero"},
        {"workers": 0},
        {"checkpoint_every": 0},
        {"checkpoint_seconds": -1.0},
        {"checkpoint_seconds": "1"},
        {"segment_seconds": None},
        {"feature": "nope"},
        {"config": 3},
        {"n_mfcc": 0},
    ],
)
def test_prepare_parameter_errors(dataset, tmp_path, kw):
    with pytest.raises(ferrosa.ParameterError):
        fd.prepare(dataset, tmp_path / "s", progress=False, **kw)
    assert not (tmp_path / "s").exists()


def test_open_errors(tmp_path):
    with pytest.raises(ferrosa.ParameterError, match="not a ferrosa feature store"):
        fd.open(tmp_path)
    (tmp_path / "meta.json").write_text(json.dumps({"format": "other"}))
    with pytest.raises(ferrosa.ParameterError):
        fd.open(tmp_path)


def test_cli_prepare_and_info(dataset, tmp_path, capsys):
    out = tmp_path / "cli"
    code = cli(
        [
            "prepare",
            str(dataset),
            str(out),
            "--feature",
            "mel",
            "--n-mels",
            "32",
            "--segment-seconds",
            "0.5",
            "--split",
            "0.5,0.25,0.25",
            "--seed",
            "3",
            "--workers",
            "2",
            "--no-progress",
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "18 processed" in text and "mel" in text
    st = fd.open(out)
    assert st.X.shape[1:3] == (1, 32) and st.meta["split"]["fractions"] == [0.5, 0.25, 0.25]
    assert cli(["info", str(out)]) == 0
    assert "labels     3" in capsys.readouterr().out
    assert cli(["info", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["shape"] == list(st.X.shape)
    assert cli(["prepare", str(dataset), str(out), "--no-progress"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert cli(["info", str(tmp_path)]) == 2


def test_cli_segments_per_file(dataset, tmp_path):
    out = tmp_path / "spf"
    args = ["prepare", str(dataset), str(out), "--segments-per-file", "2", "--track-seconds", "1.0"]
    assert cli(args + ["--no-progress"]) == 0
    st = fd.open(out)
    assert st.config.segment_samples == SR // 2 and st.config.segment_seconds is None
    assert int(np.max(st.segments)) == 1  # at most 2 segments per file


def test_data_json_roundtrip(store, tmp_path):
    path = fd.export_data_json(store, tmp_path / "data.json")
    data = json.loads(path.read_text())
    assert data["mapping"] == store.mapping
    assert len(data["labels"]) == len(store) == len(data["mfcc"])
    # Tutorial orientation: frames first, n_mfcc coefficients per frame.
    assert np.asarray(data["mfcc"]).shape == (len(store), store.X.shape[3], 13)
    back = fd.import_data_json(path, tmp_path / "imported", config=store.config)
    np.testing.assert_allclose(np.asarray(back.X[:, 0]), np.asarray(store.X[:, 0]), rtol=0, atol=0)
    np.testing.assert_array_equal(back.y, store.y)
    for src in set(back.sources):
        assert len(set(back.splits[back.sources == src])) == 1


def test_data_json_tutorial_format(tmp_path):
    rng = np.random.default_rng(0)
    data = {
        "mapping": ["blues", "classical"],
        "labels": [0] * 10 + [1] * 10,
        "mfcc": rng.standard_normal((20, 130, 13)).tolist(),
    }
    p = tmp_path / "data.json"
    p.write_text(json.dumps(data))
    st = fd.import_data_json(p, tmp_path / "s1", segments_per_file=5)
    assert st.X.shape == (20, 1, 13, 130) and st.config.segments_per_file == 10
    assert len(set(st.sources)) == 4
    for src in set(st.sources):
        assert len(set(st.splits[st.sources == src])) == 1
    leaky = fd.import_data_json(p, tmp_path / "s2")
    assert "leaks" in leaky.meta["split"]["warning"]
    np.testing.assert_array_equal(
        np.asarray(st.X[3, 0]), np.asarray(data["mfcc"][3], dtype=np.float32).T
    )
    assert cli(["prepare", str(p), str(tmp_path / "s3")]) == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"mapping": ["a"], "labels": [3], "mfcc": [[[0.0]]]}))
    with pytest.raises(ferrosa.ParameterError):
        fd.import_data_json(bad, tmp_path / "s4")


def test_prepare_gtzan_uses_the_builtin_split(tmp_path):
    # Two clips per split for two genres, plus country.00008 (outside the filtered split).
    names = {
        "blues": ["00029", "00030", "00000", "00001", "00012", "00013"],
        "rock": ["00000", "00001", "00038", "00049", "00010", "00011"],
        "country": ["00008"],
    }
    for g, nums in names.items():
        for k, num in enumerate(nums):
            _clip(tmp_path / "gtzan" / "genres_original" / g / f"{g}.{num}.wav", 300.0, 1.0, k)
    st = fd.prepare(tmp_path / "gtzan", tmp_path / "s", segment_seconds=0.5, progress=False)
    assert st.meta["layout"] == "gtzan"
    assert "Kereliuk" in st.meta["split"]["method"]
    assert st.mapping == ["blues", "rock"]  # country had only an excluded clip
    assert st.meta["counts"]["excluded"] == 1
    want = {"00029": "train", "00030": "train", "00000": "valid", "00001": "valid"}
    for src, sp in zip(st.sources, st.splits, strict=True):
        num = Path(src).stem.split(".")[1]
        if src.startswith("genres_original/blues/"):
            assert sp == want.get(num, "test")
        else:
            assert sp == {"00000": "train", "00001": "train", "00038": "valid"}.get(
                num, "valid" if num == "00049" else "test"
            )
    # Explicit fractions override the built-in split, still grouped by file.
    rnd = fd.prepare(
        tmp_path / "gtzan",
        tmp_path / "r",
        segment_seconds=0.5,
        split=(0.5, 0.25, 0.25),
        progress=False,
    )
    assert rnd.meta["split"]["method"].startswith("grouped")
    assert "artist" in rnd.meta["split"]["warning"]
