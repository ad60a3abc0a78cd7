"""PNG plots of training runs: accuracy/loss history and confusion matrices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

__all__ = ["plot_confusion", "plot_history"]


def pyplot():  # type: ignore[no-untyped-def]
    """``matplotlib.pyplot`` on the file-only Agg backend (one line naming the extra if absent)."""
    from .._optional import require

    matplotlib = require(
        "matplotlib", "training plots (or pass plots=False / --no-plots)", extra="ml"
    )

    matplotlib.use("Agg")  # files only; never open a window
    import matplotlib.pyplot as plt

    return plt


def plot_history(history: Mapping[str, Sequence[float]], out: str | Path) -> Path:
    """Accuracy and loss per epoch (training and, if present, validation).

    Parameters
    ----------
    history : mapping
        ``keras.callbacks.History.history``: ``loss``, ``accuracy``,
        ``val_loss``, ``val_accuracy`` lists.
    out : path
        PNG file to write.
    """
    plt = pyplot()
    fig, (ax_acc, ax_loss) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    for ax, key in ((ax_acc, "accuracy"), (ax_loss, "loss")):
        for prefix, label in (("", "train"), ("val_", "validation")):
            values = history.get(prefix + key)
            if values:
                ax.plot(np.arange(1, len(values) + 1), values, label=label)
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend()
    ax_loss.set_xlabel("epoch")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return Path(out)


def plot_confusion(
    cm: np.ndarray, labels: Sequence[str], out: str | Path, *, title: str = ""
) -> Path:
    """Confusion matrix (rows: true class, columns: predicted), counts in the cells."""
    plt = pyplot()
    k = len(labels)
    size = max(4.0, 0.6 * k + 2.0)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(k), labels, rotation=60, ha="right")
    ax.set_yticks(range(k), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    top = cm.max() if cm.size else 0
    for i in range(k):
        for j in range(k):
            if cm[i, j]:
                color = "white" if cm[i, j] > top / 2 else "black"
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", color=color)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return Path(out)
