"""Featurisation: the single code path from audio to ``(n_segments, C, F, T)`` tensors.

``prepare`` (building a store) and the ML ``predict`` (a new recording) both
call :func:`featurize`, so a model always sees exactly its training features.

Feature kinds live in :data:`REGISTRY`, keyed by ``FeatureConfig.feature``:
adding one is one entry. Each entry maps a batch of equal-length segments
``(n_seg, [channels,] L)`` to ``(n_seg, [channels,] F, T)`` with the same
numbers librosa gives for each segment on its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..exceptions import ParameterError
from ..feature.spectral import mfcc_per_segment
from .config import FEATURES, FeatureConfig
from .segment import segment

__all__ = ["REGISTRY", "empty_features", "feature_function", "featurize", "featurize_file"]

FeatureFn = Callable[[np.ndarray, int, FeatureConfig], np.ndarray]

# Keys of FeatureConfig.extra that go to mfcc's DCT step rather than the mel bank.
_MFCC_KEYS = ("dct_type", "norm", "lifter")
# Keys of FeatureConfig.extra that go to power_to_db / amplitude_to_db.
_DB_KEYS = ("ref", "amin", "top_db")


def feature_function(dotted: str) -> Callable[..., Any]:
    """Resolve ``"feature.mfcc"`` to ``ferrosa.feature.mfcc``, or explain why it is missing.

    Raises
    ------
    ParameterError
        When this build of ferrosa does not (yet) provide the function.
    """
    import ferrosa

    obj: Any = ferrosa
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise ParameterError(
                f"this build of ferrosa has no ferrosa.{dotted}, which the requested "
                "feature needs; choose another FeatureConfig.feature"
            )
    return obj  # type: ignore[no-any-return]


def _db_kwargs(extra: dict[str, Any]) -> dict[str, Any]:
    kw = {k: extra[k] for k in _DB_KEYS if k in extra}
    if kw.get("ref") == "max":  # JSON-friendly spelling of ref=np.max
        kw["ref"] = np.max
    return kw


def _mel_kwargs(cfg: FeatureConfig, skip: Sequence[str]) -> dict[str, Any]:
    kw = {k: v for k, v in cfg.extra.items() if k not in skip}
    kw.update(n_fft=cfg.n_fft, hop_length=cfg.hop_length, n_mels=cfg.n_mels, fmin=cfg.fmin)
    if cfg.fmax is not None:
        kw["fmax"] = cfg.fmax
    return kw


def _per_segment_db(S: np.ndarray, fn: Callable[..., Any], kw: dict[str, Any]) -> np.ndarray:
    """``np.stack([fn(s, **kw) for s in S])`` for power_to_db / amplitude_to_db.

    Their ``ref=callable`` and ``top_db`` clamp look at the whole array, so
    each segment must be converted on its own to keep librosa's per-segment
    numbers. With a numeric ``ref`` the conversion is elementwise: the batch
    goes through ``fn`` once without the clamp, and the clamp (``np.maximum``
    with the segment's own ``max - top_db``, the same float operations) is
    applied per segment with one broadcast.
    """
    if callable(kw.get("ref")) or S.ndim < 3:
        return np.stack([fn(s, **kw) for s in S])
    top_db = kw.get("top_db", 80.0)  # both functions' default
    if top_db is not None and top_db < 0:
        raise ParameterError(f"top_db={top_db} must be non-negative")
    log_spec: np.ndarray = fn(S, **{**kw, "top_db": None})
    if top_db is None:
        return log_spec
    axes = tuple(range(1, log_spec.ndim))
    return np.maximum(log_spec, log_spec.max(axis=axes, keepdims=True) - top_db)


def _mel_power(batch: np.ndarray, sr: int, cfg: FeatureConfig) -> np.ndarray:
    fn = feature_function("feature.melspectrogram")
    return fn(y=batch, sr=sr, **_mel_kwargs(cfg, _MFCC_KEYS + _DB_KEYS))  # type: ignore[no-any-return]


def _mel_db(batch: np.ndarray, sr: int, cfg: FeatureConfig) -> np.ndarray:
    mel = _mel_power(batch, sr, cfg)
    return _per_segment_db(mel, feature_function("power_to_db"), _db_kwargs(cfg.extra))


def _mfcc(batch: np.ndarray, sr: int, cfg: FeatureConfig) -> np.ndarray:
    kw = {k: cfg.extra[k] for k in _MFCC_KEYS if k in cfg.extra}
    if batch.ndim == 2:
        # Mono segments: one fused call in which each segment's top_db clamp
        # is its own, as librosa.feature.mfcc(y=seg) gives.
        mel = _mel_kwargs(cfg, _MFCC_KEYS + _DB_KEYS)
        return mfcc_per_segment(y=batch, sr=sr, n_mfcc=cfg.n_mfcc, **kw, **mel)
    # Multichannel segments clamp over all channels of a segment: the mel
    # part runs batched, the dB clamp per segment, the DCT batched.
    S = _per_segment_db(_mel_power(batch, sr, cfg), feature_function("power_to_db"), {})
    return feature_function("feature.mfcc")(S=S, sr=sr, n_mfcc=cfg.n_mfcc, **kw)  # type: ignore[no-any-return]


def _stft_mag(batch: np.ndarray, sr: int, cfg: FeatureConfig) -> np.ndarray:
    extra = dict(cfg.extra)
    db = bool(extra.pop("db", False))
    dbkw = _db_kwargs(extra)
    kw = {k: v for k, v in extra.items() if k not in _DB_KEYS}
    S = np.abs(feature_function("stft")(batch, n_fft=cfg.n_fft, hop_length=cfg.hop_length, **kw))
    if db:
        S = _per_segment_db(S, feature_function("amplitude_to_db"), dbkw)
    return S


def _logspec(batch: np.ndarray, sr: int, cfg: FeatureConfig) -> np.ndarray:
    """dB magnitude without the Nyquist bin (see :func:`ferrosa.ml.generative.log_spectrogram`)."""
    kw = {k: v for k, v in cfg.extra.items() if k not in _DB_KEYS}
    S = np.abs(feature_function("stft")(batch, n_fft=cfg.n_fft, hop_length=cfg.hop_length, **kw))
    dbkw = {"ref": 1.0, **_db_kwargs(cfg.extra)}
    return _per_segment_db(
        np.ascontiguousarray(S[..., :-1, :]), feature_function("amplitude_to_db"), dbkw
    )


def _per_segment(dotted: str, kwargs: Callable[[FeatureConfig], dict[str, Any]]) -> FeatureFn:
    """A feature computed one segment at a time (its defaults look at the whole input)."""

    def run(batch: np.ndarray, sr: int, cfg: FeatureConfig) -> np.ndarray:
        fn = feature_function(dotted)
        kw = kwargs(cfg)
        return np.stack([_as_matrix(fn(y=seg, sr=sr, **kw), cfg) for seg in batch])

    return run


def _as_matrix(out: Any, cfg: FeatureConfig) -> np.ndarray:
    """A feature function's result as ``([channels,] F, T)``; dicts (stack) are concatenated."""
    if isinstance(out, dict):
        names = cfg.extra.get("features") or list(out)
        parts = [np.asarray(out[name]) for name in names]
        parts = [p.reshape(p.shape[:-1] + (1, p.shape[-1])) if p.ndim == 1 else p for p in parts]
        return np.concatenate(parts, axis=-2)
    return np.asarray(out)


def _stft_kwargs(cfg: FeatureConfig) -> dict[str, Any]:
    return dict(cfg.extra, n_fft=cfg.n_fft, hop_length=cfg.hop_length)


def _stack_kwargs(cfg: FeatureConfig) -> dict[str, Any]:
    # The config's n_mfcc / n_mels apply to the stack's MFCC and mel rows
    # unless extra gives them explicitly.
    kw = _stft_kwargs(cfg)
    names = kw.get("features") or ()
    if "mfcc" in names:
        kw.setdefault("mfcc", {"n_mfcc": cfg.n_mfcc, "n_mels": cfg.n_mels})
    for alias in ("melspectrogram", "mel"):
        if alias in names:
            kw.setdefault(alias, {"n_mels": cfg.n_mels})
    return kw


def _cwt_kwargs(cfg: FeatureConfig) -> dict[str, Any]:
    kw = dict(cfg.extra, hop_length=cfg.hop_length)
    if cfg.fmin > 0:
        kw.setdefault("fmin", cfg.fmin)
    if cfg.fmax is not None:
        kw.setdefault("fmax", cfg.fmax)
    return kw


#: Feature kind -> batch function ``(segments, sr, config) -> (n_seg, [ch,] F, T)``.
REGISTRY: dict[str, FeatureFn] = {
    "mfcc": _mfcc,
    "mel": _mel_db,
    "stft": _stft_mag,
    "chroma": _per_segment("feature.chroma_stft", _stft_kwargs),
    "stack": _per_segment("feature.stack", _stack_kwargs),
    "cwt": _per_segment("feature.scalogram", _cwt_kwargs),
    "logspec": _logspec,
}
assert set(REGISTRY) == set(FEATURES)


def _deltas(base: np.ndarray, order: int) -> list[np.ndarray]:
    delta = feature_function("feature.delta")
    return [delta(base, order=k, axis=-1) for k in range(1, order + 1)]


def _stack_segments(items: Sequence[Any], config: FeatureConfig) -> np.ndarray:
    arrays = [np.asarray(it[1] if isinstance(it, tuple) else it) for it in items]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ParameterError(f"segments must share one shape, got {sorted(shapes)}")
    return np.stack(arrays)


def featurize(segments_or_y: Any, sr: float, config: FeatureConfig) -> np.ndarray:
    """Features of a recording or of its segments.

    Parameters
    ----------
    segments_or_y : np.ndarray or sequence
        - a recording: ``(n,)`` (``(channels, n)`` when ``config.mono`` is
          False) at any rate ``sr``; it is resampled to ``config.sr`` if
          needed and cut with :func:`ferrosa.datasets.segment`;
        - segments: a list of ``(start, segment)`` pairs as returned by
          ``segment``, a list of equal-length arrays, or an array
          ``(n_seg, [channels,] L)``; these must already be at ``config.sr``.
    sr : number
        Rate of the audio.
    config : FeatureConfig

    Returns
    -------
    np.ndarray, float32, shape (n_segments, C, F, T)
        ``C = channels * (1 + config.deltas)`` (channels is 1 for mono),
        ordered feature (all channels), delta, delta-delta; ``F`` bins or
        coefficients; ``T`` frames. ``n_segments`` may be 0.

    Raises
    ------
    ParameterError
        Invalid audio (empty, non-finite, wrong shape), a rate mismatch for
        segments, or a feature this build of ferrosa lacks.
    """
    if not isinstance(config, FeatureConfig):
        raise ParameterError(f"config must be a FeatureConfig, not {type(config).__name__}")
    rec_ndim = 1 if config.mono else 2
    if not config.mono and isinstance(segments_or_y, np.ndarray) and segments_or_y.ndim == 1:
        segments_or_y = segments_or_y[None]  # a mono recording is one channel
    if isinstance(segments_or_y, np.ndarray) and segments_or_y.ndim == rec_ndim:
        y = segments_or_y
        if sr != config.sr:
            from ..io import resample

            y = resample(y, orig_sr=sr, target_sr=config.sr)
        batch_items: Sequence[Any] = segment(y, config.sr, config)
    else:
        if sr != config.sr:
            raise ParameterError(
                f"sr={sr!r} differs from config.sr={config.sr}: segments must be at config.sr"
            )
        batch_items = segments_or_y
    if isinstance(batch_items, np.ndarray):
        if batch_items.ndim != rec_ndim + 1:
            raise ParameterError(
                f"segments array must have shape (n_seg, {'' if config.mono else 'channels, '}L),"
                f" got {batch_items.shape}"
            )
        batch = batch_items
    elif len(batch_items) == 0:
        return empty_features(config)
    else:
        batch = _stack_segments(batch_items, config)
        if batch.ndim != rec_ndim + 1:
            raise ParameterError(f"each segment must be {rec_ndim}-D, got shape {batch.shape[1:]}")
    if batch.shape[0] == 0:
        return empty_features(config)
    if not np.issubdtype(batch.dtype, np.floating):
        raise ParameterError(f"audio must be floating-point, not dtype={batch.dtype}")
    if batch.shape[-1] == 0:
        raise ParameterError("segments are empty (length 0)")
    if not np.isfinite(batch).all():
        raise ParameterError("audio is not finite everywhere")
    base = np.asarray(REGISTRY[config.feature](np.ascontiguousarray(batch), config.sr, config))
    if config.mono:
        base = base[:, None]
    if not config.deltas:
        return np.ascontiguousarray(base, dtype=np.float32)
    parts = [base, *_deltas(base, config.deltas)]
    return np.ascontiguousarray(np.concatenate(parts, axis=1), dtype=np.float32)


def empty_features(config: FeatureConfig) -> np.ndarray:
    """A ``(0, C, F, T)`` array with the shape one segment would give."""
    length = config.segment_samples
    if length is None:
        return np.zeros((0, 0, 0, 0), dtype=np.float32)
    shape = (length,) if config.mono else (config.channels, length)
    one = featurize(np.zeros((1,) + shape, dtype=np.float32), config.sr, config)
    return one[:0]


def featurize_file(
    path: str | os.PathLike[str], config: FeatureConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Load a recording like ``librosa.load`` at ``config.sr`` and featurise it.

    Parameters
    ----------
    path : str or path-like
    config : FeatureConfig

    Returns
    -------
    features : np.ndarray, float32, shape (n_segments, C, F, T)
    starts : np.ndarray, int64, shape (n_segments,)
        Start of each segment in samples at ``config.sr``.
    """
    from ..io import load
    from .denoise import denoise_recording

    y, sr = load(path, sr=config.sr, mono=config.mono)
    if not config.mono:
        y = np.atleast_2d(y)
    y = denoise_recording(y, config)
    segs = segment(y, sr, config)
    starts = np.array([s for s, _ in segs], dtype=np.int64)
    return featurize(segs, sr, config), starts
