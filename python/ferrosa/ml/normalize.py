"""Feature scaling fitted on training data only, and the model's input layout.

A :class:`Normalizer` is part of a saved model: prediction applies exactly the
scaling the model was trained with. Statistics come from the training split
alone; fitting them on all data would leak the test set into training.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..exceptions import ParameterError

__all__ = ["Normalizer", "to_model_layout"]

_CHUNK = 512  # segments per chunk, so a memory-mapped store is never loaded whole


def to_model_layout(X: np.ndarray) -> np.ndarray:
    """Store layout ``(N, C, F, T)`` to model layout ``(N, T, F, C)`` float32."""
    if X.ndim != 4:
        raise ParameterError(f"features must be shaped (N, C, F, T), got shape {X.shape}")
    return np.ascontiguousarray(np.transpose(X, (0, 3, 2, 1)), dtype=np.float32)


def peak_normalize(X: np.ndarray, top_db: float) -> np.ndarray:
    """Subtract each segment's peak from channel 0 of dB features and floor at ``-top_db``.

    Only channel 0 holds the dB values; delta channels are differences and are
    already gain-free. Returns a new float32 array shaped like ``X``.
    """
    out = np.array(X, dtype=np.float32, copy=True)
    base = out[:, 0]
    peak = base.reshape(base.shape[0], -1).max(axis=1)
    out[:, 0] = np.maximum(base - peak[:, None, None], -top_db)
    return out


@dataclass
class Normalizer:
    """Per-segment peak scaling and per-band standardisation.

    Attributes
    ----------
    peak : bool
        Apply :func:`peak_normalize` first (for dB features only).
    top_db : float
    mean, std : np.ndarray, shape (C, F), float32, or None
        Per (channel, band) statistics over training segments and frames;
        None disables standardisation.
    """

    peak: bool = False
    top_db: float = 80.0
    mean: np.ndarray | None = None
    std: np.ndarray | None = None

    @classmethod
    def fit(cls, X: np.ndarray, *, peak: bool, band: bool, top_db: float = 80.0) -> Normalizer:
        """Fit on training features ``X`` shaped (N, C, F, T)."""
        if X.ndim != 4 or X.shape[0] == 0:
            raise ParameterError(f"training features must be (N>0, C, F, T), got {X.shape}")
        norm = cls(peak=peak, top_db=float(top_db))
        if not band:
            return norm
        n_c, n_f = X.shape[1], X.shape[2]
        total = np.zeros((n_c, n_f))
        total_sq = np.zeros((n_c, n_f))
        count = 0
        for i in range(0, X.shape[0], _CHUNK):
            chunk = norm._scale(np.asarray(X[i : i + _CHUNK])).astype(np.float64)
            total += chunk.sum(axis=(0, 3))
            total_sq += (chunk**2).sum(axis=(0, 3))
            count += chunk.shape[0] * chunk.shape[3]
        mean = total / count
        std = np.sqrt(np.maximum(total_sq / count - mean**2, 0.0))
        norm.mean = mean.astype(np.float32)
        norm.std = np.maximum(std, 1e-3 * max(float(std.max()), 1e-12)).astype(np.float32)
        return norm

    def _scale(self, X: np.ndarray) -> np.ndarray:
        return peak_normalize(X, self.top_db) if self.peak else X.astype(np.float32)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Scale features ``(N, C, F, T)``; returns float32 of the same shape."""
        if X.ndim != 4:
            raise ParameterError(f"features must be shaped (N, C, F, T), got shape {X.shape}")
        out = self._scale(np.asarray(X))
        if self.mean is not None and self.std is not None:
            if out.shape[1:3] != self.mean.shape:
                raise ParameterError(
                    f"features have (channels, bins)={out.shape[1:3]} but the normaliser "
                    f"was fitted on {self.mean.shape}"
                )
            out = (out - self.mean[None, :, :, None]) / self.std[None, :, :, None]
        return out.astype(np.float32, copy=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (arrays as nested lists)."""
        return {
            "peak": self.peak,
            "top_db": self.top_db,
            "mean": None if self.mean is None else self.mean.tolist(),
            "std": None if self.std is None else self.std.tolist(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Normalizer:
        """Inverse of :meth:`to_dict`."""

        def arr(v: Any) -> np.ndarray | None:
            return None if v is None else np.asarray(v, dtype=np.float32)

        return cls(
            peak=bool(d["peak"]),
            top_db=float(d["top_db"]),
            mean=arr(d.get("mean")),
            std=arr(d.get("std")),
        )
