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

from ..exceptions import ParameterError
from ._keras import get_keras
from .normalize import Normalizer, to_model_layout
from .presets import Preset, get_preset
from .saved import TrainedModel

__all__ = ["feature_is_db", "fit", "frame_rate", "train"]


def feature_is_db(config: dict[str, Any]) -> bool:
    """Whether channel 0 of features made with ``config`` is a dB spectrogram.

    Those (``mel``, and ``stft`` with ``extra={"db": True}``) are peak-normalised and
    augmented in the power domain by the default recipe; MFCC, chroma, CWT and
    linear magnitudes are not.
    """
    feature = str(config.get("feature"))
    extra = config.get("extra") or {}
    return feature == "mel" or (feature == "stft" and bool(extra.get("db")))


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
        Where ``best.keras`` (ModelCheckpoint) and ``history.csv`` (CSVLogger) go.
    verbose : int
        Keras verbosity.

    Returns
    -------
    (TrainedModel, keras.callbacks.History)
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
    from .models import build

    keras.utils.set_random_seed(seed)
    is_db = feature_is_db(config)
    normalizer = Normalizer.fit(
        X_train, peak=p.peak_normalize and is_db, band=p.band_normalize, top_db=p.top_db
    )
    c, f, t = (int(v) for v in X_train.shape[1:])
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
    validation = None
    if has_valid:
        assert X_valid is not None and y_valid is not None
        xv = to_model_layout(normalizer.transform(np.asarray(X_valid)))
        validation = (xv, _targets(y_valid, n_classes, p))
    monitor = "val_loss" if has_valid else "loss"
    callbacks: list[Any] = [
        keras.callbacks.EarlyStopping(
            monitor=monitor, patience=p.patience, restore_best_weights=True
        )
    ]
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        callbacks += [
            keras.callbacks.ModelCheckpoint(
                out / "best.keras", monitor=monitor, save_best_only=True
            ),
            keras.callbacks.CSVLogger(str(out / "history.csv")),
        ]
    history = net.fit(
        batches,
        validation_data=validation,
        epochs=p.epochs,
        callbacks=callbacks,
        verbose=verbose,
    )
    trained = TrainedModel(
        model=net,
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


def train(
    store: Any,
    model_dir: str | Path,
    *,
    model: str = "cnn",
    preset: str = "default",
    epochs: int | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    plots: bool = True,
    verbose: int = 0,
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
        Output directory (created).
    model : {"cnn", "mlp", "lstm"}
    preset : {"default", "seed"}
    epochs, batch_size : int, optional
        Override the preset's values.
    seed : int
    plots : bool
    verbose : int
        Keras verbosity.

    Returns
    -------
    keras.callbacks.History
        ``history.history`` holds loss/accuracy per epoch; the trained model
        is in ``model_dir`` (:func:`ferrosa.ml.load`).
    """
    from .evaluate import evaluate_arrays

    st = _open_store(store)
    config = st.config.to_dict()
    X_tr, y_tr, _ = st.subset("train")
    X_va, y_va, _ = st.subset("valid")
    if len(y_tr) == 0:
        raise ParameterError(f"store {getattr(st, 'path', '')!s} has no training segments")
    out = Path(model_dir)
    trained, history = fit(
        X_tr,
        y_tr,
        mapping=list(st.mapping),
        config=config,
        X_valid=X_va if len(y_va) else None,
        y_valid=y_va if len(y_va) else None,
        model=model,
        preset=preset,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        out_dir=out,
        verbose=verbose,
    )
    split = "test" if np.any(np.asarray(st.splits) == "test") else "valid"
    X_te, y_te, src_te = st.subset(split)
    trained.training["store"] = str(getattr(st, "path", ""))
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
    if plots:
        from .plots import plot_confusion, plot_history

        plot_history(history.history, out / "history.png")
        if result:
            plot_confusion(
                np.asarray(result["clip"]["confusion"]),
                trained.mapping,
                out / "confusion.png",
                title=f"{model}/{preset}: clip level, {split} split",
            )
    return history
