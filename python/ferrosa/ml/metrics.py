"""Classification metrics in numpy: clip-level voting, per-class scores, confusion matrix."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import ParameterError

__all__ = ["clip_vote", "confusion_matrix", "report"]


def clip_vote(
    probs: np.ndarray, sources: np.ndarray, labels: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Average segment probabilities per source recording.

    Parameters
    ----------
    probs : np.ndarray, shape (N, K)
        Segment class probabilities.
    sources : np.ndarray, shape (N,)
        Source file of each segment.
    labels : np.ndarray, shape (N,), optional
        Segment labels; every segment of a source must share one.

    Returns
    -------
    clip_sources : np.ndarray, shape (M,)
        Distinct sources in first-appearance order.
    clip_probs : np.ndarray, shape (M, K)
        Mean probability per source.
    clip_labels : np.ndarray, shape (M,) or None
    """
    sources = np.asarray(sources)
    if probs.ndim != 2 or probs.shape[0] != sources.shape[0]:
        raise ParameterError(f"probs shape {probs.shape} does not match {sources.shape[0]} sources")
    uniq, first, inverse = np.unique(sources, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    group = rank[inverse]
    sums = np.zeros((uniq.size, probs.shape[1]))
    np.add.at(sums, group, probs)
    counts = np.bincount(group, minlength=uniq.size)
    clip_probs = sums / counts[:, None]
    clip_labels = None
    if labels is not None:
        labels = np.asarray(labels)
        clip_labels = labels[first[order]]
        if np.any(labels != clip_labels[group]):
            raise ParameterError("segments of one source carry different labels")
    return uniq[order], clip_probs, clip_labels


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts ``C[i, j]`` of true class ``i`` predicted as ``j``; shape (K, K), int64."""
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return cm


def report(y_true: np.ndarray, y_pred: np.ndarray, mapping: list[str]) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/F1/support, macro F1 and the confusion matrix.

    Returns
    -------
    dict
        ``{"accuracy", "macro_f1", "per_class": {label: {...}}, "confusion": [[...]]}``
        (JSON-ready). Undefined ratios (no predictions or no support) are 0.
    """
    k = len(mapping)
    cm = confusion_matrix(y_true, y_pred, k)
    tp = np.diag(cm).astype(float)
    pred_n = cm.sum(axis=0).astype(float)
    true_n = cm.sum(axis=1).astype(float)
    precision = np.divide(tp, pred_n, out=np.zeros(k), where=pred_n > 0)
    recall = np.divide(tp, true_n, out=np.zeros(k), where=true_n > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros(k), where=denom > 0)
    total = cm.sum()
    present = true_n > 0
    return {
        "accuracy": float(tp.sum() / total) if total else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "per_class": {
            name: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(true_n[i]),
            }
            for i, name in enumerate(mapping)
        },
        "confusion": cm.tolist(),
    }
