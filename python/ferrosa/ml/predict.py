"""Ranked class scores for a recording of any length.

The recording is loaded (resampled to the model's rate, mixed to mono),
segmented and featurised by :func:`ferrosa.datasets.featurize` with the
model's saved :class:`~ferrosa.datasets.FeatureConfig` (the code path that
built the training store), scored per segment, and the segment probabilities
are averaged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import ParameterError
from .saved import TrainedModel, load

__all__ = ["predict", "predict_proba"]


def _predict_config(trained: TrainedModel) -> Any:
    """The training config, but a recording shorter than a segment is padded, never dropped."""
    return trained.feature_config().replace(short="pad")


def predict_proba(
    model: str | Path | TrainedModel,
    path_or_array: str | Path | np.ndarray,
    *,
    sr: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-segment class probabilities of one recording.

    Parameters
    ----------
    model : path or TrainedModel
        A model directory or a loaded model.
    path_or_array : path or np.ndarray, shape (n,) or (channels, n)
        An audio file, or samples (then ``sr`` is required).
    sr : int, optional
        Sample rate of ``path_or_array`` when it is an array.

    Returns
    -------
    probs : np.ndarray, shape (n_segments, K), float32
    starts : np.ndarray, shape (n_segments,), int
        Start sample of each segment at the model's sample rate.
    """
    from .. import datasets

    trained = model if isinstance(model, TrainedModel) else load(model)
    config = _predict_config(trained)
    if isinstance(path_or_array, np.ndarray):
        if sr is None:
            raise ParameterError("sr is required when predicting from an array of samples")
        if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or sr <= 0:
            raise ParameterError(f"sr={sr!r} must be a positive integer")
        from ..io import resample, to_mono

        y = np.asarray(path_or_array, dtype=np.float32)
        if y.ndim not in (1, 2):
            raise ParameterError(f"audio must be shaped (n,) or (channels, n), got {y.shape}")
        if config.mono:
            y = to_mono(y)
        if int(sr) != config.sr:
            y = resample(y, orig_sr=int(sr), target_sr=config.sr)
        segments = datasets.segment(y, config.sr, config)
        starts = np.array([s for s, _ in segments], dtype=np.int64)
        X = datasets.featurize([seg for _, seg in segments], config.sr, config)
    else:
        path = Path(path_or_array)
        if not path.is_file():
            raise ParameterError(f"path={str(path)!r} is not a file")
        X, starts = datasets.featurize_file(path, config)
        starts = np.asarray(starts, dtype=np.int64)
    if X.shape[0] == 0:
        raise ParameterError(f"{path_or_array!s}: no segment could be cut from the recording")
    return trained.predict_features(X), starts


def predict(
    model: str | Path | TrainedModel,
    path_or_array: str | Path | np.ndarray,
    *,
    sr: int | None = None,
    top: int | None = None,
) -> list[tuple[str, float]]:
    """Ranked class scores of one recording.

    Parameters
    ----------
    model : path or TrainedModel
        A model directory (``ferrosa train`` output) or a loaded model.
    path_or_array : path or np.ndarray, shape (n,) or (channels, n)
        An audio file of any length, rate and channel count, or samples.
    sr : int, optional
        Sample rate when ``path_or_array`` is an array.
    top : int, optional
        Keep the ``top`` best classes (default: all).

    Returns
    -------
    list of (label, score)
        Best first; scores are mean segment probabilities and sum to 1 over
        all classes.
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top <= 0):
        raise ParameterError(f"top={top!r} must be a positive integer")
    trained = model if isinstance(model, TrainedModel) else load(model)
    probs, _ = predict_proba(trained, path_or_array, sr=sr)
    mean = probs.mean(axis=0)
    order = np.argsort(-mean, kind="stable")
    ranked = [(trained.mapping[i], float(mean[i])) for i in order]
    return ranked[:top] if top else ranked
