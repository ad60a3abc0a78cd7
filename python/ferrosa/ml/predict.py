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

__all__ = ["MIN_SCORE", "SILENCE_DB", "predict", "predict_proba", "predict_report"]

#: Below this RMS level (dB re full scale) a recording is called silent.
SILENCE_DB = -60.0
#: Below this best score a prediction is called low-confidence.
MIN_SCORE = 0.5


def _predict_config(trained: TrainedModel) -> Any:
    """The training config, but a recording shorter than a segment is padded, never dropped."""
    return trained.feature_config().replace(short="pad")


def _audio(trained: TrainedModel, path_or_array: str | Path | np.ndarray, sr: int | None) -> Any:
    """The recording at the model's rate and channel count (as ``featurize_file`` loads it)."""
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
        return y
    path = Path(path_or_array)
    if not path.is_file():
        raise ParameterError(f"path={str(path)!r} is not a file")
    from ..io import load

    y, _ = load(path, sr=config.sr, mono=config.mono)
    return y if config.mono else np.atleast_2d(y)


def _scores(trained: TrainedModel, y: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    from .. import datasets

    config = _predict_config(trained)
    # The same noise reduction the training store had (its config records it).
    from ..datasets.denoise import denoise_recording

    y = denoise_recording(y, config)
    segments = datasets.segment(y, config.sr, config)
    starts = np.array([s for s, _ in segments], dtype=np.int64)
    X = datasets.featurize([seg for _, seg in segments], config.sr, config)
    if X.shape[0] == 0:
        raise ParameterError(f"{name}: no segment could be cut from the recording")
    return trained.predict_features(X), starts


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
    trained = model if isinstance(model, TrainedModel) else load(model)
    y = _audio(trained, path_or_array, sr)
    return _scores(
        trained, y, str(path_or_array) if not isinstance(path_or_array, np.ndarray) else "audio"
    )


def _check_top(top: Any) -> None:
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top <= 0):
        raise ParameterError(f"top={top!r} must be a positive integer")


def _rank(trained: TrainedModel, probs: np.ndarray, top: int | None) -> list[tuple[str, float]]:
    mean = probs.mean(axis=0)
    order = np.argsort(-mean, kind="stable")
    ranked = [(trained.mapping[i], float(mean[i])) for i in order]
    return ranked[:top] if top else ranked


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
        all classes. :func:`predict_report` adds warnings (silence, low
        confidence).
    """
    _check_top(top)
    trained = model if isinstance(model, TrainedModel) else load(model)
    probs, _ = predict_proba(trained, path_or_array, sr=sr)
    return _rank(trained, probs, top)


def predict_report(
    model: str | Path | TrainedModel,
    path_or_array: str | Path | np.ndarray,
    *,
    sr: int | None = None,
    top: int | None = None,
    silence_db: float = SILENCE_DB,
    min_score: float = MIN_SCORE,
) -> dict[str, Any]:
    """Ranked scores of one recording with the reasons not to trust them.

    Parameters
    ----------
    model, path_or_array, sr, top
        As :func:`predict`.
    silence_db : float
        A recording whose RMS level is below this (dB re full scale) is
        reported as silent: the model would still name a class.
    min_score : float in [0, 1]
        A best score below this is reported as low confidence (the audio is
        probably unlike anything the model was trained on).

    Returns
    -------
    dict
        ``{"ranked": [(label, score), ...], "warnings": [str, ...],
        "level_db": float (RMS, dBFS), "peak_db": float, "segments": int}``.
    """
    _check_top(top)
    if not (isinstance(min_score, (int, float)) and 0.0 <= float(min_score) <= 1.0):
        raise ParameterError(f"min_score={min_score!r} must be a number in [0, 1]")
    if isinstance(silence_db, bool) or not isinstance(silence_db, (int, float)):
        raise ParameterError(f"silence_db={silence_db!r} must be a number (dBFS)")
    trained = model if isinstance(model, TrainedModel) else load(model)
    y = _audio(trained, path_or_array, sr)
    name = str(path_or_array) if not isinstance(path_or_array, np.ndarray) else "audio"
    probs, _ = _scores(trained, y, name)
    ranked = _rank(trained, probs, top)
    yf = np.asarray(y, dtype=np.float64)
    rms = float(np.sqrt(np.mean(yf**2))) if yf.size else 0.0
    peak = float(np.max(np.abs(yf))) if yf.size else 0.0
    level_db = 20.0 * np.log10(max(rms, 1e-10))
    peak_db = 20.0 * np.log10(max(peak, 1e-10))
    warnings: list[str] = []
    if peak == 0.0:
        warnings.append("digital silence (every sample is 0): the scores mean nothing")
    elif level_db < silence_db:
        warnings.append(
            f"nearly silent (RMS {level_db:.1f} dBFS < {silence_db:g}): the scores mean little"
        )
    best = ranked[0][1] if ranked else 0.0
    if not warnings and best < min_score:
        warnings.append(
            f"low confidence (best score {best:.3f} < {min_score:g}): the audio may be unlike "
            "the training data"
        )
    return {
        "ranked": ranked,
        "warnings": warnings,
        "level_db": round(level_db, 2),
        "peak_db": round(peak_db, 2),
        "segments": int(probs.shape[0]),
    }
