"""Evaluation per segment and per recording (clip-level voting).

A recording's score is the mean of its segments' probabilities; clip-level
accuracy is what a user pointing the model at a file experiences, and the
honest figure when splits are grouped by recording.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import ParameterError
from .metrics import clip_vote, report
from .saved import TrainedModel, load

__all__ = ["evaluate", "evaluate_arrays"]

# Config keys that change what a feature segment contains (the rest are bookkeeping).
_IGNORED_KEYS = ("segments_per_file", "segment_hop_seconds", "tail", "short")


def evaluate_arrays(
    trained: TrainedModel, X: np.ndarray, y: np.ndarray, sources: np.ndarray
) -> dict[str, Any]:
    """Segment- and clip-level metrics of ``trained`` on labelled segments.

    Parameters
    ----------
    trained : TrainedModel
    X : np.ndarray, shape (N, C, F, T)
        Raw features.
    y : np.ndarray, shape (N,), int
        Label ids in ``trained.mapping``.
    sources : np.ndarray, shape (N,)
        Source recording of each segment.

    Returns
    -------
    dict
        ``{"segments", "clips", "segment": report, "clip": report, "mapping"}``;
        see :func:`ferrosa.ml.metrics.report`.
    """
    y = np.asarray(y, dtype=np.int64)
    if len(y) == 0:
        raise ParameterError("nothing to evaluate: no segments")
    probs = trained.predict_features(X)
    clip_src, clip_probs, clip_y = clip_vote(probs, np.asarray(sources), y)
    assert clip_y is not None
    return {
        "segments": int(len(y)),
        "clips": int(len(clip_src)),
        "mapping": list(trained.mapping),
        "segment": report(y, probs.argmax(axis=1), trained.mapping),
        "clip": report(clip_y, clip_probs.argmax(axis=1), trained.mapping),
    }


def config_mismatch(model_config: dict[str, Any], store_config: dict[str, Any]) -> list[str]:
    """Names of feature parameters on which a model and a store disagree."""
    keys = (set(model_config) | set(store_config)) - set(_IGNORED_KEYS)
    return sorted(k for k in keys if model_config.get(k) != store_config.get(k))


def _remap(store_mapping: list[str], labels: np.ndarray, model_mapping: list[str]) -> np.ndarray:
    unknown = sorted(set(store_mapping) - set(model_mapping))
    if unknown:
        raise ParameterError(
            f"labels {unknown} are not classes of this model (it knows {model_mapping})"
        )
    lut = np.array([model_mapping.index(name) for name in store_mapping], dtype=np.int64)
    return lut[np.asarray(labels, dtype=np.int64)]


def _is_store(path: Path) -> bool:
    return (path / "meta.json").is_file() and (path / "features.npy").is_file()


def evaluate(
    model: str | Path | TrainedModel,
    data: Any,
    *,
    split: str | None = "test",
    workers: int | None = None,
) -> dict[str, Any]:
    """Evaluate a trained model on a feature store or a folder of recordings.

    Parameters
    ----------
    model : path or TrainedModel
        A model directory (see :mod:`ferrosa.ml.saved`).
    data : ferrosa.datasets.Store, store directory, or data directory
        A store must have been prepared with the model's feature parameters.
        A data directory (any layout :func:`ferrosa.datasets.prepare` reads) is
        prepared into a temporary store with the model's own parameters, and
        all of its recordings are evaluated.
    split : str or None
        Store split to evaluate (``"test"``, ``"valid"``, ``"train"``), or None
        for every segment. Falls back to all segments when the store has no
        segment in ``split``. Ignored for data directories.
    workers : int, optional
        Preparation threads for a data directory.

    Returns
    -------
    dict
        As :func:`evaluate_arrays`, plus ``"split"`` and ``"source"``.
    """
    from .. import datasets

    trained = model if isinstance(model, TrainedModel) else load(model)
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not path.is_dir():
            raise ParameterError(f"data={str(path)!r} is not a directory")
        if not _is_store(path):
            with tempfile.TemporaryDirectory(prefix="ferrosa-eval-") as tmp:
                config = trained.feature_config()
                store = datasets.prepare(
                    path, Path(tmp) / "store", config=config, workers=workers, progress=False
                )
                result = _evaluate_store(trained, store, None)
                result["skipped"] = [
                    {"path": f["path"], "reason": f.get("reason", "excluded")}
                    for f in list(store.meta.get("failures", []))
                    + list(store.meta.get("excluded", []))
                ]
            result["source"] = str(path)
            return result
        data = datasets.open(path)
    result = _evaluate_store(trained, data, split)
    result["source"] = str(getattr(data, "path", ""))
    return result


def _evaluate_store(trained: TrainedModel, store: Any, split: str | None) -> dict[str, Any]:
    diff = config_mismatch(trained.config, store.config.to_dict())
    if diff:
        details = ", ".join(
            f"{k}: model {trained.config.get(k)!r} vs store {store.config.to_dict().get(k)!r}"
            for k in diff
        )
        raise ParameterError(f"the store's features differ from the model's ({details})")
    splits = np.asarray(store.splits)
    if split is not None and np.any(splits == split):
        X, y, sources = store.subset(split)
    else:
        X, y, sources, split = store.X, store.y, store.sources, None
    y = _remap(list(store.mapping), np.asarray(y), trained.mapping)
    result = evaluate_arrays(trained, X, y, np.asarray(sources))
    result["split"] = split or "all"
    return result
