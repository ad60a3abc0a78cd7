"""One line per epoch on stderr: epoch, loss, accuracy, time per epoch and ETA."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from ._keras import get_keras

__all__ = ["EpochProgress", "format_seconds"]

keras = get_keras()


def format_seconds(seconds: float) -> str:
    """``"42s"``, ``"3m05s"`` or ``"1h02m"``."""
    s = int(round(max(seconds, 0.0)))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"


class EpochProgress(keras.callbacks.Callback):  # type: ignore[misc,name-defined]
    """Print ``epoch 3/60  loss 0.812  accuracy 0.701  val_loss ...  2.1s/epoch  ETA 2m01s``.

    Parameters
    ----------
    epochs : int
        The planned number of epochs (early stopping may end sooner; the ETA
        is for the planned number).
    stream : file-like, optional
        Where the lines go (default ``sys.stderr``).
    """

    def __init__(self, epochs: int, stream: TextIO | None = None) -> None:
        super().__init__()
        self.epochs = int(epochs)
        self.stream = stream
        self._start = 0.0
        self._first_epoch: int | None = None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()
        self._first_epoch = None

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self._first_epoch is None:  # a resumed run starts past 0
            self._first_epoch = epoch

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        done = epoch + 1 - (self._first_epoch or 0)
        per_epoch = (time.perf_counter() - self._start) / max(done, 1)
        parts = [f"epoch {epoch + 1}/{self.epochs}"]
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            if key in logs:
                parts.append(f"{key} {float(logs[key]):.4f}")
        remaining = max(self.epochs - (epoch + 1), 0)
        parts.append(f"{per_epoch:.1f}s/epoch")
        parts.append(f"ETA {format_seconds(per_epoch * remaining)}")
        print("  ".join(parts), file=self.stream or sys.stderr, flush=True)
