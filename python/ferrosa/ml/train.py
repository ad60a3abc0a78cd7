"""Training: a seeded Keras fit on a feature store, saved as a model directory.

:func:`fit` trains on arrays (any split the caller likes, e.g. cross-validation
folds); :func:`train` trains on a store's ``train`` split, stops early on its
``valid`` split, evaluates on ``test`` and writes the model directory with its
history and plots.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..datasets.recipes import describe_features, feature_is_db, suitability
from ..exceptions import ParameterError
from ._keras import get_keras
from .normalize import Normalizer, to_model_layout
from .presets import Preset, get_preset
from .saved import TrainedModel

__all__ = ["feature_is_db", "fit", "frame_rate", "train"]

# fit() arguments that ferrosa sets itself (the rest of Keras' fit arguments pass through).
_OWN_FIT_ARGS = ("x", "y", "validation_data", "epochs", "batch_size", "callbacks", "verbose")
CHECKPOINT_DIR = "checkpoint"  # BackupAndRestore state of an unfinished training
RUN_FILE = "run.json"  # the settings of that training, for --resume
STATE_FILE = "state.json"  # early-stopping and best-checkpoint state, beside the backup
BEST_WEIGHTS_FILE = "best-weights.npz"  # EarlyStopping's best weights so far


def _save_json(path: Path, value: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    tmp.replace(path)


def training_state(keras: Any, folder: Path, early: Any, best: Any | None, *, resume: bool) -> Any:
    """A callback that keeps ``early`` (EarlyStopping) and ``best`` (ModelCheckpoint)
    resumable.

    After every epoch it writes, into ``folder``, EarlyStopping's ``wait``,
    ``best``, ``best_epoch`` and best weights and ModelCheckpoint's ``best``
    (BackupAndRestore saves only the weights, the optimizer and the epoch, so
    a resumed run would otherwise start its patience and its best value from
    scratch and overwrite ``best.keras`` with a worse model). With ``resume``
    it puts them back when training begins. It must come after ``early`` and
    ``best`` in the callback list.
    """

    class TrainingState(keras.callbacks.Callback):  # type: ignore[misc,name-defined]
        def on_train_begin(self, logs: Any = None) -> None:
            state_path = folder / STATE_FILE
            if not (resume and state_path.is_file()):
                return
            state = json.loads(state_path.read_text(encoding="utf-8"))
            es = state["early_stopping"]
            early.wait = int(es["wait"])
            early.best = None if es["best"] is None else float(es["best"])
            early.best_epoch = int(es["best_epoch"])
            weights = folder / BEST_WEIGHTS_FILE
            if early.restore_best_weights and weights.is_file():
                with np.load(weights) as z:
                    early.best_weights = [z[f"arr_{i}"] for i in range(len(z.files))]
            if best is not None and state.get("checkpoint_best") is not None:
                best.best = float(state["checkpoint_best"])

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            folder.mkdir(parents=True, exist_ok=True)
            if early.best_weights is not None and early.best_epoch == epoch:
                tmp = folder / ("tmp-" + BEST_WEIGHTS_FILE)
                with tmp.open("wb") as fh:
                    np.savez(fh, *early.best_weights)
                tmp.replace(folder / BEST_WEIGHTS_FILE)
            ckpt_best = None if best is None else getattr(best, "best", None)
            _save_json(
                folder / STATE_FILE,
                {
                    "epoch": epoch + 1,
                    "early_stopping": {
                        "wait": int(early.wait),
                        "best": None if early.best is None else float(early.best),
                        "best_epoch": int(early.best_epoch),
                    },
                    "checkpoint_best": None if ckpt_best is None else float(ckpt_best),
                },
            )

    return TrainingState()


def frame_rate(config: dict[str, Any]) -> float:
    """Feature frames per second of ``config``."""
    return float(config.get("sr", 22050)) / float(config.get("hop_length", 512))


def _targets(y: np.ndarray, n_classes: int, preset: Preset) -> np.ndarray:
    y = np.asarray(y, dtype=np.int64)
    return np.eye(n_classes, dtype=np.float32)[y] if preset.soft_labels else y


def _check_labels(name: str, y: np.ndarray, n_classes: int) -> None:
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ParameterError(f"{name} has label ids outside [0, {n_classes})")


def fit(
    X_train: np.ndarray,
    y_train: np.ndarray,
    *,
    mapping: list[str],
    config: dict[str, Any],
    X_valid: np.ndarray | None = None,
    y_valid: np.ndarray | None = None,
    model: str = "cnn",
    preset: str = "default",
    epochs: int | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    out_dir: str | Path | None = None,
    verbose: int = 0,
    callbacks: list[Any] | None = None,
    progress: bool = False,
    resume: bool = False,
    **fit_kwargs: Any,
) -> tuple[TrainedModel, Any]:
    """Train one model on arrays.

    Parameters
    ----------
    X_train : np.ndarray, shape (N, C, F, T), float32
        Raw store features of the training segments.
    y_train : np.ndarray, shape (N,), int
        Label ids (positions in ``mapping``).
    mapping : list of str
        Label names.
    config : dict
        ``FeatureConfig.to_dict()`` of the features (saved with the model).
    X_valid, y_valid : optional
        Validation segments for early stopping; without them training stops on
        the training loss.
    model : {"cnn", "mlp", "lstm"}
    preset : {"default", "seed"}
    epochs, batch_size : int, optional
        Override the preset's values.
    seed : int
        Seeds weights, shuffling and augmentation.
    out_dir : path, optional
        Where ``best.keras`` (ModelCheckpoint of the network behind the input
        stage), ``history.csv`` (CSVLogger) and, while training runs, the
        ``checkpoint/`` backup (BackupAndRestore) go.
    verbose : int
        Keras verbosity (0 silent, 1 progress bar, 2 one line per epoch).
    callbacks : list of keras.callbacks.Callback, optional
        Run after ferrosa's own (early stopping, checkpoints); they see the
        network being trained, which takes normalised ``(batch, T, F, C)`` input.
    progress : bool
        One line per epoch on stderr: losses, accuracies, time per epoch, ETA.
    resume : bool
        Continue from ``out_dir/checkpoint`` (left by an interrupted run with the
        same data and settings) instead of starting over: weights, optimizer
        state (so the learning-rate schedule goes on from its step), the
        epoch, and early stopping's patience, best value and best weights and
        the best checkpoint's value are restored.
    **fit_kwargs
        Passed to ``keras.Model.fit`` (``class_weight``, ``initial_epoch``,
        ``validation_freq`` ...).

    Returns
    -------
    (TrainedModel, keras.callbacks.History)
        ``TrainedModel.model`` takes raw stored features ``(batch, C, F, T)``.
    """
    p = get_preset(preset)
    overrides = {}
    if epochs is not None:
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs <= 0:
            raise ParameterError(f"epochs={epochs!r} must be a positive integer")
        overrides["epochs"] = epochs
    if batch_size is not None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ParameterError(f"batch_size={batch_size!r} must be a positive integer")
        overrides["batch_size"] = batch_size
    if overrides:
        p = Preset.from_dict({**p.to_dict(), **overrides})
    own = sorted(set(fit_kwargs) & set(_OWN_FIT_ARGS))
    if own:
        raise ParameterError(
            f"fit argument(s) {', '.join(own)} are set by ferrosa; use epochs=, batch_size=, "
            "callbacks= or verbose= of this function"
        )
    if callbacks is not None and not isinstance(callbacks, (list, tuple)):
        raise ParameterError(f"callbacks={callbacks!r} must be a list of Keras callbacks")
    n_classes = len(mapping)
    if X_train.ndim != 4 or X_train.shape[0] != len(y_train) or X_train.shape[0] == 0:
        raise ParameterError(
            f"X_train shaped {X_train.shape} must be (N>0, C, F, T) with N = len(y_train)"
        )
    _check_labels("y_train", np.asarray(y_train), n_classes)
    has_valid = X_valid is not None and y_valid is not None and len(y_valid) > 0
    if has_valid:
        assert X_valid is not None and y_valid is not None
        if X_valid.shape[1:] != X_train.shape[1:]:
            raise ParameterError(
                f"X_valid segments {X_valid.shape[1:]} differ from X_train's {X_train.shape[1:]}"
            )
        _check_labels("y_valid", np.asarray(y_valid), n_classes)

    keras = get_keras()
    from .batches import Batches
    from .inputs import with_inputs
    from .models import build

    keras.utils.set_random_seed(seed)
    is_db = feature_is_db(config)
    normalizer = Normalizer.fit(
        X_train, peak=p.peak_normalize and is_db, band=p.band_normalize, top_db=p.top_db
    )
    c, f, t = (int(v) for v in X_train.shape[1:])
    # The network trains on normalised (T, F, C) batches (augmented in between);
    # the saved model is the same network behind the input stage (ml.inputs).
    net = build(model, (t, f, c), n_classes, preset=p.name, seed=seed)
    batches = Batches(
        X_train,
        y_train,
        n_classes=n_classes,
        normalizer=normalizer,
        preset=p,
        seed=seed,
        db_frame_rate=frame_rate(config) if is_db else None,
    )
    if p.lr_schedule == "cosine":
        # Anneal over the planned run (the preset's epochs, or the caller's).
        schedule = keras.optimizers.schedules.CosineDecay(
            p.learning_rate, decay_steps=max(p.epochs * len(batches), 1), alpha=0.05
        )
        net.compile(
            optimizer=keras.optimizers.Adam(learning_rate=schedule),
            loss=net.loss,
            metrics=["accuracy"],
        )
    validation = None
    if has_valid:
        assert X_valid is not None and y_valid is not None
        xv = to_model_layout(normalizer.transform(np.asarray(X_valid)))
        validation = (xv, _targets(y_valid, n_classes, p))
    monitor = "val_loss" if has_valid else "loss"
    early = keras.callbacks.EarlyStopping(
        monitor=monitor, patience=p.patience, restore_best_weights=True
    )
    own_callbacks: list[Any] = [early]
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        backup = out / CHECKPOINT_DIR / "keras"
        state = out / CHECKPOINT_DIR / "state"
        if not resume:
            import shutil

            for old in (backup, state):  # a fresh start: never pick up an old run by accident
                if old.exists():
                    shutil.rmtree(old)
        best = keras.callbacks.ModelCheckpoint(
            out / "best.keras", monitor=monitor, save_best_only=True
        )
        own_callbacks += [
            best,
            keras.callbacks.CSVLogger(str(out / "history.csv"), append=resume),
            training_state(keras, state, early, best, resume=resume),
            keras.callbacks.BackupAndRestore(str(backup)),
        ]
    elif resume:
        raise ParameterError("resume=True needs out_dir (where the checkpoint is)")
    if progress:
        from .progress import EpochProgress

        own_callbacks.append(EpochProgress(p.epochs))
    history = net.fit(
        batches,
        validation_data=validation,
        epochs=p.epochs,
        callbacks=own_callbacks + list(callbacks or []),
        verbose=verbose,
        **fit_kwargs,
    )
    trained = TrainedModel(
        model=with_inputs(net, normalizer, (c, f, t)),
        kind=model,
        preset=p,
        config=dict(config),
        mapping=list(mapping),
        normalizer=normalizer,
        input_shape=(c, f, t),
        training={
            "seed": seed,
            "epochs_run": len(history.history.get("loss", [])),
            "train_segments": int(X_train.shape[0]),
            "valid_segments": int(len(y_valid)) if has_valid and y_valid is not None else 0,
            "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
        },
    )
    return trained, history


def _open_store(store: Any) -> Any:
    if isinstance(store, (str, Path)):
        from .. import datasets

        return datasets.open(store)
    return store


# What a model directory may hold: the only files `overwrite` deletes.
_MODEL_FILES = (
    "model.keras",
    "ferrosa-model.json",
    "ferrosa-model.json.tmp",
    "best.keras",
    "history.csv",
    "history.png",
    "confusion.png",
    "evaluation.json",
    CHECKPOINT_DIR,
)


def prepare_model_dir(out: Path, *, overwrite: bool, resume: bool) -> dict[str, Any] | None:
    """Check ``out`` before training; returns the interrupted run's settings when resuming.

    A missing or empty directory is fine. An existing model directory is
    refused unless ``overwrite`` (its ferrosa files are deleted) or ``resume``
    (an unfinished run left ``checkpoint/``). A non-empty directory with other
    files is never deleted.
    """
    if resume and overwrite:
        raise ParameterError("resume and overwrite exclude each other")
    if not out.exists():
        if resume:
            raise ParameterError(f"nothing to resume: {str(out)!r} does not exist")
        return None
    if not out.is_dir():
        raise ParameterError(f"model_dir={str(out)!r} exists and is not a directory")
    entries = sorted(e.name for e in out.iterdir())
    if resume:
        run = out / CHECKPOINT_DIR / RUN_FILE
        if not run.is_file():
            raise ParameterError(
                f"nothing to resume in {str(out)!r}: no unfinished training there "
                "(pass overwrite to train again)"
            )
        return dict(json.loads(run.read_text()))
    if not entries:
        return None
    if not overwrite:
        hint = (
            "resume=True (--resume) to continue its interrupted training, or "
            if CHECKPOINT_DIR in entries
            else ""
        )
        raise ParameterError(
            f"model_dir={str(out)!r} already exists; pass {hint}overwrite=True (--overwrite) "
            "to replace it"
        )
    foreign = [e for e in entries if e not in _MODEL_FILES]
    if foreign:
        raise ParameterError(
            f"model_dir={str(out)!r} holds files that are not a ferrosa model's "
            f"({', '.join(foreign[:3])}); choose another directory"
        )
    import shutil

    for e in entries:
        path = out / e
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    return None


def check_preset_fits(preset: str, config: dict[str, Any], store: str = "STORE") -> str | None:
    """Raise when ``preset`` was not designed for features like ``config``; else a note or None.

    Returns
    -------
    str or None
        A one-line note when the preset adapts to other sizes of its kind of
        features, None when they are the preset's own.
    """
    from ..datasets.recipes import RECOMMENDED

    fit_ = suitability(preset, config)
    have, want = describe_features(config), describe_features(RECOMMENDED[preset])
    if fit_ == "match":
        return None
    if fit_ == "adapt":
        return f"note: the {preset} preset was designed for {want}; adapting it to {have}"
    other = "seed" if preset == "default" else "default"
    raise ParameterError(
        f"the {preset} preset is designed for {want}, but {store} holds {have}: "
        f"run `ferrosa prepare DATA_DIR {store} --overwrite` "
        + ("(its defaults are these features)" if preset == "default" else "--preset seed")
        + f", or train with --preset {other} (or --force to train anyway)"
    )


def train(
    store: Any,
    model_dir: str | Path,
    *,
    model: str | None = None,
    preset: str | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    seed: int | None = None,
    plots: bool = True,
    verbose: int = 0,
    callbacks: list[Any] | None = None,
    progress: bool = False,
    overwrite: bool = False,
    resume: bool = False,
    force: bool = False,
    **fit_kwargs: Any,
) -> Any:
    """Train on a feature store and save the model directory.

    Trains on the store's ``train`` split with early stopping on ``valid``,
    then evaluates the restored best weights on ``test`` (segment and clip
    level) and writes ``model.keras``, ``ferrosa-model.json``, ``best.keras``,
    ``history.csv``, ``evaluation.json`` and, with ``plots``, ``history.png``
    and ``confusion.png`` into ``model_dir``.

    Parameters
    ----------
    store : ferrosa.datasets.Store or path
        A prepared feature store (see :func:`ferrosa.datasets.prepare`).
    model_dir : path
        Output directory (created; an existing one needs ``overwrite`` or ``resume``).
    model : {"cnn", "mlp", "lstm"}, default "cnn"
    preset : {"default", "seed"}, default "default"
        The store must hold the kind of features the preset was designed for
        (:func:`ferrosa.ml.recommended_features`; other sizes are adapted to),
        unless ``force``.
    epochs, batch_size : int, optional
        Override the preset's values.
    seed : int, default 0
    plots : bool
    verbose : int
        Keras verbosity.
    callbacks : list of keras.callbacks.Callback, optional
        Extra callbacks (see :func:`fit`).
    progress : bool
        One line per epoch on stderr (``ferrosa train`` turns it on).
    overwrite : bool
        Replace an existing model directory.
    resume : bool
        Continue the interrupted training in ``model_dir`` (same store and
        settings; unset arguments take the interrupted run's values).
    force : bool
        Train a preset on features it was not designed for (with a warning).
    **fit_kwargs
        Passed to ``keras.Model.fit``.

    Returns
    -------
    keras.callbacks.History
        ``history.history`` holds loss/accuracy per epoch; the trained model
        is in ``model_dir`` (:func:`ferrosa.ml.load`).
    """
    import sys

    from .evaluate import evaluate_arrays

    out = Path(model_dir)
    st = _open_store(store)
    config = st.config.to_dict()
    previous = prepare_model_dir(out, overwrite=overwrite, resume=resume)
    asked: dict[str, Any] = {
        "model": model,
        "preset": preset,
        "epochs": epochs,
        "batch_size": batch_size,
        "seed": seed,
    }
    settings: dict[str, Any] = {
        "model": "cnn",
        "preset": "default",
        "epochs": None,
        "batch_size": None,
        "seed": 0,
    }
    if previous is not None:
        clash = [k for k, v in asked.items() if v is not None and v != previous.get(k)]
        if clash:
            raise ParameterError(
                f"cannot resume with other settings ({', '.join(clash)}): the interrupted run "
                f"used {', '.join(f'{k}={previous.get(k)!r}' for k in clash)}"
            )
        if previous.get("config") != config:
            raise ParameterError(f"cannot resume: {st.path} is not the store the run started on")
        settings.update({k: previous.get(k) for k in settings})
    settings.update({k: v for k, v in asked.items() if v is not None})
    name = str(settings["preset"])
    get_preset(name)
    try:
        note = check_preset_fits(name, config, str(getattr(st, "path", "STORE")))
    except ParameterError as err:
        if not force:
            raise
        note = f"warning: {str(err).split(': run')[0]}; training anyway (force)"
        if not (progress or verbose):
            import warnings

            warnings.warn(note, UserWarning, stacklevel=2)
    if note and (progress or verbose):
        print(note, file=sys.stderr)
    X_tr, y_tr, _ = st.subset("train")
    X_va, y_va, _ = st.subset("valid")
    if len(y_tr) == 0:
        raise ParameterError(f"store {getattr(st, 'path', '')!s} has no training segments")
    out.mkdir(parents=True, exist_ok=True)
    if previous is None:
        (out / CHECKPOINT_DIR).mkdir(exist_ok=True)
        (out / CHECKPOINT_DIR / RUN_FILE).write_text(json.dumps({**settings, "config": config}))
    trained, history = fit(
        X_tr,
        y_tr,
        mapping=list(st.mapping),
        config=config,
        X_valid=X_va if len(y_va) else None,
        y_valid=y_va if len(y_va) else None,
        model=str(settings["model"]),
        preset=name,
        epochs=settings["epochs"],
        batch_size=settings["batch_size"],
        seed=int(settings["seed"]),
        out_dir=out,
        verbose=verbose,
        callbacks=callbacks,
        progress=progress,
        resume=previous is not None,
        **fit_kwargs,
    )
    split = "test" if np.any(np.asarray(st.splits) == "test") else "valid"
    X_te, y_te, src_te = st.subset(split)
    trained.training["store"] = str(getattr(st, "path", ""))
    if note:
        trained.training["note"] = note
    result: dict[str, Any] = {}
    if len(y_te):
        result = evaluate_arrays(trained, X_te, y_te, src_te)
        result["split"] = split
        trained.training["evaluation"] = {
            "split": split,
            "segment_accuracy": result["segment"]["accuracy"],
            "clip_accuracy": result["clip"]["accuracy"],
        }
        (out / "evaluation.json").write_text(json.dumps(result, indent=1))
    trained.save(out)
    if (out / CHECKPOINT_DIR).exists():  # finished: nothing left to resume
        import shutil

        shutil.rmtree(out / CHECKPOINT_DIR)
    if plots:
        from .plots import plot_confusion, plot_history

        plot_history(history.history, out / "history.png")
        if result:
            plot_confusion(
                np.asarray(result["clip"]["confusion"]),
                trained.mapping,
                out / "confusion.png",
                title=f"{settings['model']}/{name}: clip level, {split} split",
            )
    return history
