"""The classifier workflow a Keras user meets: the default CLI path, a model plain Keras
loads, stores as Keras data, callbacks, resume, CLI manners and predict warnings.

One tiny synthetic store and one 2-epoch model are shared by the module.
"""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")
datasets = pytest.importorskip("ferrosa.datasets")
pytest.importorskip("soundfile")
from ferrosa import ParameterError, ml  # noqa: E402
from ferrosa.cli import main  # noqa: E402
from ferrosa.datasets import synth  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

CLASSES = ["kick", "hihat", "flute"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wf")
    return synth.render_dataset(
        root / "data", n_per_class=4, classes=CLASSES, seed=2, max_duration=1.5
    )


@pytest.fixture(scope="module")
def default_path(data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """``ferrosa prepare DATA STORE`` and ``ferrosa train STORE MODEL`` with no feature options."""
    root = tmp_path_factory.mktemp("default")
    store, model = root / "store", root / "model"
    assert main(["prepare", str(data_dir), str(store), "--no-progress", "--workers", "1"]) == 0
    assert main(["train", str(store), str(model), "--epochs", "1", "--no-plots", "-q"]) == 0
    return store, model


def test_prepare_defaults_are_the_default_presets_features(default_path) -> None:
    store, _ = default_path
    st = datasets.open(store)
    wanted = ml.recommended_features("default")
    cfg = st.config.to_dict()
    assert {k: cfg[k] for k in wanted} == wanted
    assert st.meta["designed_for"] == ["default"]
    assert st.X.shape[1:3] == (1, 64)


def test_train_prints_progress_and_refuses_existing_dir(
    default_path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, model = default_path
    capsys.readouterr()
    assert main(["train", str(store), str(model), "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--overwrite" in err and err.count("\n") == 1
    # --overwrite replaces it; progress lines by default, none with -q.
    copy = model.parent / "again"
    args = ["train", str(store), str(copy), "--model", "mlp", "--epochs", "2", "--no-plots"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "epoch 1/2" in err and "epoch 2/2" in err and "ETA" in err and "loss" in err
    assert "accuracy" in err
    args = ["train", str(store), str(copy), "--model", "mlp", "--epochs", "1", "--no-plots"]
    args += ["--overwrite", "-q"]
    assert main(args) == 0
    assert "epoch" not in capsys.readouterr().err
    assert not (copy / "checkpoint").exists()  # finished: nothing left to resume


def test_model_loads_in_plain_keras_without_ferrosa(default_path, tmp_path: Path) -> None:
    store, model = default_path
    X = np.asarray(datasets.open(store).X[:5])
    expected = ml.load(model).predict_features(X)
    np.save(tmp_path / "x.npy", X)
    code = (
        "import sys; sys.modules['ferrosa'] = None\n"  # any import of ferrosa fails
        "import numpy as np, keras\n"
        f"m = keras.saving.load_model({str(model / 'model.keras')!r})\n"
        f"x = np.load({str(tmp_path / 'x.npy')!r})\n"
        "assert tuple(m.input_shape[1:]) == x.shape[1:], m.input_shape\n"
        "names = {type(layer).__module__.split('.')[0] for layer in m._flatten_layers()}\n"
        "assert names == {'keras'}, names\n"
        f"np.save({str(tmp_path / 'p.npy')!r}, np.asarray(m.predict(x, verbose=0)))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    np.testing.assert_allclose(np.load(tmp_path / "p.npy"), expected, rtol=1e-4, atol=1e-5)
    meta = json.loads((model / "ferrosa-model.json").read_text())
    assert meta["labels"] == {str(i): name for i, name in enumerate(meta["mapping"])}
    assert meta["config"]["feature"] == "mel" and meta["input_shape"] == list(X.shape[1:])


def test_mismatched_store_is_refused_in_one_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "mfcc"
    args = ["prepare", str(data_dir), str(store), "--feature", "mfcc", "--no-progress"]
    assert main([*args, "--workers", "1"]) == 0
    assert datasets.open(store).meta["designed_for"] == ["seed"]
    capsys.readouterr()
    assert main(["train", str(store), str(tmp_path / "m"), "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ferrosa prepare" in err and "--preset seed" in err
    assert not (tmp_path / "m").exists()
    with pytest.raises(ParameterError, match="designed for"):
        ml.train(store, tmp_path / "m2", epochs=1)
    # --force trains anyway, and says so.
    args = ["train", str(store), str(tmp_path / "m3"), "--force", "--model", "mlp"]
    assert main([*args, "--epochs", "1", "--no-plots"]) == 0
    assert "warning: the default preset is designed for" in capsys.readouterr().err


def test_store_as_pydataset_and_tf_data_with_a_users_model(default_path) -> None:
    store, _ = default_path
    st = datasets.open(store)
    train_rows = set(np.flatnonzero(st.mask("train")).tolist())
    seq = st.dataset("train", batch_size=4, seed=1)
    assert isinstance(seq, keras.utils.PyDataset) and len(seq) == -(-len(train_rows) // 4)
    first = np.concatenate([seq[i][1] for i in range(len(seq))])
    x, y = seq[0]
    assert x.shape[1:] == st.X.shape[1:] and x.dtype == np.float32 and y.dtype == np.int64
    order1 = seq.order.copy()
    seq.on_epoch_end()
    assert sorted(order1.tolist()) == sorted(train_rows) and not np.array_equal(order1, seq.order)
    assert sorted(first.tolist()) == sorted(st.y[sorted(train_rows)].tolist())
    valid = st.dataset("valid", batch_size=4)
    assert not valid.shuffle
    onehot = st.dataset("train", batch_size=4, labels="onehot")[0][1]
    assert onehot.shape == (4, len(st.mapping))
    with pytest.raises(ParameterError, match="batch_size"):
        st.dataset("train", batch_size=0)
    # A user's own model on the store layout.
    c, f, t = st.X.shape[1:]
    inputs = keras.Input((c, f, t))
    out = keras.layers.Dense(len(st.mapping), activation="softmax")(
        keras.layers.Flatten()(keras.layers.Permute((3, 2, 1))(inputs))
    )
    net = keras.Model(inputs, out)
    net.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    hist = net.fit(seq, validation_data=valid, epochs=1, verbose=0)
    assert "val_accuracy" in hist.history
    pytest.importorskip("tensorflow")
    ds = st.tf_dataset("train", batch_size=4, seed=0)
    xs, ys = next(iter(ds))
    assert tuple(xs.shape[1:]) == (c, f, t) and xs.shape[0] == 4
    epoch_a = np.concatenate([b[1].numpy() for b in ds])
    epoch_b = np.concatenate([b[1].numpy() for b in ds])
    assert sorted(epoch_a.tolist()) == sorted(epoch_b.tolist()) == sorted(first.tolist())
    assert net.fit(ds, epochs=1, verbose=0).history["loss"]


class _Interrupt(keras.callbacks.Callback):  # type: ignore[misc,name-defined]
    """Stops training like Ctrl-C after ``at`` epochs; records the epochs it saw."""

    def __init__(self, at: int | None) -> None:
        super().__init__()
        self.at, self.seen = at, []

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.seen.append(epoch)
        if self.at is not None and epoch + 1 == self.at:
            raise KeyboardInterrupt


def test_callbacks_and_resume(default_path, tmp_path: Path) -> None:
    store, _ = default_path
    out = tmp_path / "model"
    stop = _Interrupt(at=1)
    with pytest.raises(KeyboardInterrupt):
        ml.train(store, out, model="mlp", epochs=3, plots=False, callbacks=[stop])
    assert stop.seen == [0] and (out / "checkpoint").is_dir()
    with pytest.raises(ParameterError, match="already exists; pass resume"):
        ml.train(store, out, model="mlp", epochs=3, plots=False)
    with pytest.raises(ParameterError, match="cannot resume with other settings"):
        ml.train(store, out, model="cnn", plots=False, resume=True)
    watch = _Interrupt(at=None)
    history = ml.train(store, out, resume=True, plots=False, callbacks=[watch])
    assert watch.seen == [1, 2]  # epochs 2 and 3 only: the first was restored
    assert len(history.history["loss"]) == 2
    meta = json.loads((out / "ferrosa-model.json").read_text())
    assert meta["model"] == "mlp" and meta["preset"]["epochs"] == 3
    assert len((out / "history.csv").read_text().splitlines()) == 1 + 3
    assert not (out / "checkpoint").exists()
    with pytest.raises(ParameterError, match="nothing to resume"):
        ml.train(store, out, resume=True)
    with pytest.raises(ParameterError, match="validation_data"):
        ml.fit(
            np.zeros((2, 1, 4, 4), np.float32),
            [0, 1],
            mapping=["a", "b"],
            config={},
            validation_data=None,
        )


class _Probe(keras.callbacks.Callback):  # type: ignore[misc,name-defined]
    """Records the optimizer's step and learning rate when training begins and per epoch."""

    def __init__(self, interrupt_at: int | None = None) -> None:
        super().__init__()
        self.interrupt_at, self.begin, self.ends = interrupt_at, None, []

    def _now(self) -> tuple[int, float]:
        opt = self.model.optimizer
        return int(opt.iterations.numpy()), float(np.asarray(opt.learning_rate))

    def on_train_begin(self, logs=None) -> None:
        self.begin = self._now()

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.ends.append(self._now())
        if self.interrupt_at is not None and epoch + 1 == self.interrupt_at:
            raise KeyboardInterrupt


def test_resume_restores_early_stopping_best_checkpoint_and_schedule(
    default_path, tmp_path: Path, monkeypatch
) -> None:
    store, _ = default_path
    st = datasets.open(store)
    X, y, _ = st.subset("train")
    V, vy, _ = st.subset("valid")
    made: dict[str, list] = {"es": [], "ckpt": []}

    class Early(keras.callbacks.EarlyStopping):  # type: ignore[misc,name-defined]
        def __init__(self, *a, **k) -> None:
            super().__init__(*a, **k)
            made["es"].append(self)

    class Best(keras.callbacks.ModelCheckpoint):  # type: ignore[misc,name-defined]
        def __init__(self, *a, **k) -> None:
            super().__init__(*a, **k)
            made["ckpt"].append(self)

    monkeypatch.setattr(keras.callbacks, "EarlyStopping", Early)
    monkeypatch.setattr(keras.callbacks, "ModelCheckpoint", Best)
    kw = dict(
        mapping=st.mapping,
        config=st.config.to_dict(),
        X_valid=V,
        y_valid=vy,
        model="mlp",
        preset="default",  # cosine learning-rate schedule over the planned epochs
        epochs=8,
        batch_size=8,
        out_dir=tmp_path / "run",
    )
    first = _Probe(interrupt_at=4)
    with pytest.raises(KeyboardInterrupt):
        ml.fit(X, y, callbacks=[first], **kw)
    es0, ck0 = made["es"][0], made["ckpt"][0]
    steps = -(-len(y) // 8)
    assert first.ends[-1][0] == 4 * steps
    # What the interrupted run knew; a fresh start would have wait 0, best None, no weights.
    wait, best, best_epoch = es0.wait, es0.best, es0.best_epoch
    best_weights = [np.array(w) for w in es0.best_weights]
    ckpt_best = ck0.best
    assert best is not None and np.isfinite(ckpt_best) and best == pytest.approx(ckpt_best)
    saved_at = (tmp_path / "run" / "best.keras").stat().st_mtime_ns

    class Check(_Probe):
        def on_train_begin(self, logs=None) -> None:
            super().on_train_begin(logs)
            es, ck = made["es"][1], made["ckpt"][1]
            self.restored = (es.wait, es.best, es.best_epoch, ck.best)
            self.weights = [np.array(w) for w in es.best_weights]

    again = Check()
    _, hist = ml.fit(X, y, callbacks=[again], resume=True, **kw)
    assert len(hist.history["loss"]) == 4  # epochs 5-8 only
    assert again.restored == (wait, best, best_epoch, ckpt_best)
    assert len(again.weights) == len(best_weights)
    for a, b in zip(again.weights, best_weights, strict=True):
        np.testing.assert_array_equal(a, b)
    # The optimizer goes on from its step: the schedule's next rates, not its first.
    assert again.begin == first.ends[-1]
    assert again.ends[0][0] == 5 * steps and again.ends[0][1] < first.ends[-1][1]
    # best.keras is rewritten only by an epoch better than the interrupted run's best.
    val = hist.history["val_loss"]
    if min(val) >= ckpt_best:
        assert (tmp_path / "run" / "best.keras").stat().st_mtime_ns == saved_at
    assert made["ckpt"][1].best == pytest.approx(min([ckpt_best, *val]))
    assert made["es"][1].best == pytest.approx(min([best, *val]))


def _write_wav(path: Path, y: np.ndarray, sr: int = 22050) -> Path:
    pcm = (np.clip(y, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(sr)
        f.writeframes(pcm.tobytes())
    return path


def test_predict_warns_on_silence_and_low_confidence(
    default_path, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, model = default_path
    silent = _write_wav(tmp_path / "silence.wav", np.zeros(22050))
    capsys.readouterr()
    assert main(["predict", str(model), str(silent), "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)[str(silent)][0][0] in CLASSES
    assert "warning" in out.err and "silence" in out.err
    report = ml.predict_report(model, np.zeros(22050, np.float32), sr=22050)
    assert report["warnings"] and report["peak_db"] == -200.0
    faint = 1e-5 * synth.render("flute", sr=22050, seed=(5, 1), max_duration=1.0)
    assert "nearly silent" in ml.predict_report(model, faint, sr=22050)["warnings"][0]
    # A real recording, and a threshold no prediction reaches: low confidence.
    clip = str(data_dir / "kick" / "kick_000.wav")
    assert main(["predict", str(model), clip, "--json", "--details", "--min-score", "1"]) == 0
    out = capsys.readouterr()
    detail = json.loads(out.out)[clip]
    assert len(detail["ranked"]) == 3 and detail["segments"] >= 1
    assert detail["warnings"] and "low confidence" in out.err
    assert not ml.predict_report(model, clip, min_score=0.0)["warnings"]


def _run_blocked(blocked: str, code: str) -> subprocess.CompletedProcess[str]:
    prelude = f"import sys; sys.modules[{blocked!r}] = None\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + code], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("blocked", "code", "extra"),
    [
        ("soundfile", "import ferrosa; ferrosa.load('x.wav')", "audio"),
        (
            "soxr",
            "import numpy as np, ferrosa; ferrosa.resample(np.ones(99), orig_sr=2, target_sr=1)",
            "audio",
        ),
        ("keras", "from ferrosa import ml; ml.load('.')", None),
        ("keras", "from ferrosa import ml; ml.cnn((8, 8, 1), 2)", "ml"),
        ("matplotlib", "import ferrosa.display as d; d.waveshow([0.0, 1.0], sr=2)", "plot"),
    ],
)
def test_missing_extra_is_one_line(blocked: str, code: str, extra: str | None) -> None:
    proc = _run_blocked(blocked, code)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    if extra is None:  # fails on the model directory first: no Keras needed for that
        assert "not a ferrosa model" in last
        return
    assert f"pip install 'ferrosa[{extra}]'" in last and "MissingDependency" in last


@pytest.mark.parametrize(
    ("blocked", "command", "extra"),
    [("soundfile", "prepare", "audio"), ("keras", "train", "ml")],
)
def test_cli_missing_extra_is_one_line(
    blocked: str, command: str, extra: str, default_path, data_dir: Path, tmp_path: Path
) -> None:
    store, _ = default_path
    argv = (
        ["prepare", str(data_dir), str(tmp_path / "s"), "--no-progress"]
        if command == "prepare"
        else ["train", str(store), str(tmp_path / "m")]
    )
    proc = _run_blocked(blocked, f"from ferrosa.cli import main; sys.exit(main({argv!r}))")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == proc.stderr.strip().splitlines()[0]  # one line
    assert f"ferrosa {command}: error:" in proc.stderr
    assert f"pip install 'ferrosa[{extra}]'" in proc.stderr


@pytest.mark.slow
def test_export_saved_model(default_path, tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    _, model = default_path
    out = tmp_path / "served"
    assert main(["export", str(model), str(out), "--format", "saved_model"]) == 0
    assert (out / "saved_model.pb").is_file() and (out / "ferrosa-model.json").is_file()
    assert main(["export", str(model), str(out)]) == 2  # exists, no --overwrite


def _tflite_interpreter(path: Path):
    """The LiteRT interpreter (ai-edge-litert), else TensorFlow's; None when neither exists."""
    import importlib
    import warnings

    for module in ("ai_edge_litert.interpreter", "tflite_runtime.interpreter"):
        try:
            return importlib.import_module(module).Interpreter(model_path=str(path))
        except ImportError:
            pass
    try:
        import tensorflow as tf
    except ImportError:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice
        return tf.lite.Interpreter(model_path=str(path))


@pytest.mark.slow
def test_export_tflite_runs_in_the_interpreter_like_model_keras(default_path, tmp_path) -> None:
    pytest.importorskip("tensorflow")
    store, model = default_path
    out = tmp_path / "served" / "clf.tflite"
    assert main(["export", str(model), str(out), "--format", "tflite"]) == 0
    assert out.is_file() and (out.parent / "ferrosa-model.json").is_file()
    interpreter = _tflite_interpreter(out)
    if interpreter is None:
        pytest.skip("no tflite/LiteRT interpreter installed")
    X, _, _ = datasets.open(store).subset("test")
    X = np.ascontiguousarray(X[:6], dtype=np.float32)
    ref = keras.saving.load_model(model / "model.keras").predict(X, verbose=0)
    (inp,) = interpreter.get_input_details()
    (outp,) = interpreter.get_output_details()
    assert tuple(inp["shape"][1:]) == X.shape[1:]  # the stored layout goes in as is
    got = []
    for x in X:  # one segment per call: the batch size a converted model is sure to take
        interpreter.resize_tensor_input(inp["index"], [1, *X.shape[1:]])
        interpreter.allocate_tensors()
        interpreter.set_tensor(inp["index"], x[None])
        interpreter.invoke()
        got.append(interpreter.get_tensor(outp["index"])[0])
    got = np.stack(got)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, atol=1e-5, rtol=1e-4)
    np.testing.assert_array_equal(got.argmax(axis=1), ref.argmax(axis=1))
