"""Training batches: shuffled, augmented, normalised, in model layout (a Keras PyDataset)."""

from __future__ import annotations

import math

import numpy as np

from ._keras import get_keras
from .augment import mixup, signal_augment, spec_augment
from .normalize import Normalizer, to_model_layout
from .presets import Preset

__all__ = ["Batches"]

keras = get_keras()


class Batches(keras.utils.PyDataset):  # type: ignore[misc,name-defined]
    """Shuffled, augmented training batches in model layout.

    Parameters
    ----------
    X : np.ndarray, shape (N, C, F, T)
        Raw training features (may be a memory map).
    y : np.ndarray, shape (N,), int
    n_classes : int
    normalizer : Normalizer
    preset : Preset
    seed : int
    db_frame_rate : float or None
        Frames per second when the features are dB spectrograms (enables the
        preset's signal augmentation); None otherwise.
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        *,
        n_classes: int,
        normalizer: Normalizer,
        preset: Preset,
        seed: int,
        db_frame_rate: float | None,
    ) -> None:
        super().__init__()
        self.X, self.y = X, np.asarray(y, dtype=np.int64)
        self.n_classes = n_classes
        self.normalizer, self.preset = normalizer, preset
        self.db_frame_rate = db_frame_rate
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(self.X.shape[0])

    def __len__(self) -> int:
        return math.ceil(self.X.shape[0] / self.preset.batch_size)

    def __getitem__(self, idx: int) -> tuple[np.ndarray, np.ndarray]:
        bs = self.preset.batch_size
        pick = np.sort(self.order[idx * bs : (idx + 1) * bs])
        x = np.asarray(self.X[pick], dtype=np.float32)
        y: np.ndarray = self.y[pick]
        p = self.preset
        if p.signal_augment and self.db_frame_rate is not None:
            x = signal_augment(x, self.rng, frame_rate=self.db_frame_rate)
        x = to_model_layout(self.normalizer.transform(x))
        if p.spec_augment:
            x = spec_augment(x, self.rng, p.spec_augment)
        if p.soft_labels:
            y = np.eye(self.n_classes, dtype=np.float32)[y]
            if p.mixup_alpha > 0:
                x, y = mixup(x, y, self.rng, p.mixup_alpha)
        return x, y

    def on_epoch_end(self) -> None:
        self.order = self.rng.permutation(self.X.shape[0])
