"""A feature store split as Keras data: a ``keras.utils.PyDataset`` or a ``tf.data.Dataset``.

Both stream batches from the store's memory map (a split is never loaded
whole), reshuffle every epoch when asked, and yield ``(x, y)`` with ``x``
shaped ``(batch, C, F, T)`` float32, the layout a ferrosa model takes (its
normalisation is inside the model), and ``y`` the label ids (int64) or
one-hot rows (float32)::

    store = ferrosa.datasets.open("store/")
    model.fit(store.dataset("train"), validation_data=store.dataset("valid"), epochs=20)
    ds = store.tf_dataset("train", batch_size=64)      # tf.data, TensorFlow only

:class:`StoreSequence` uses nothing but Keras (any backend);
:func:`tf_dataset` needs TensorFlow.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..exceptions import ParameterError
from ._keras import get_keras

__all__ = ["StoreSequence", "split_indices", "tf_dataset"]

keras = get_keras()


def split_indices(store: Any, split: str | None) -> np.ndarray:
    """Row numbers of ``split`` (``"train"``, ``"valid"``, ``"test"``, or None for all)."""
    if split is None:
        return np.arange(len(store), dtype=np.int64)
    idx = np.flatnonzero(store.mask(split)).astype(np.int64)
    if idx.size == 0:
        raise ParameterError(f"split={split!r} of {str(store.path)!r} has no segments")
    return idx


def _check(batch_size: Any, labels: str) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise ParameterError(f"batch_size={batch_size!r} must be a positive integer")
    if labels not in ("sparse", "onehot"):
        raise ParameterError(f"labels={labels!r} must be 'sparse' or 'onehot'")
    return batch_size


class StoreSequence(keras.utils.PyDataset):  # type: ignore[misc,name-defined]
    """One split of a store as a ``keras.utils.PyDataset``.

    Parameters
    ----------
    store : ferrosa.datasets.Store
    split : {"train", "valid", "test"} or None
        None: every segment.
    batch_size : int > 0
    shuffle : bool or None
        Reshuffle the order every epoch (default: only for ``"train"``).
    seed : int
        Seeds the shuffling.
    labels : {"sparse", "onehot"}
        Label ids, or one-hot rows over ``store.mapping``.
    **kwargs
        ``workers``, ``use_multiprocessing``, ``max_queue_size`` of PyDataset.

    Each item is ``(x, y)``: ``x`` float32 ``(batch, C, F, T)``, rows in
    ascending store order within a batch (memory-map friendly).
    """

    def __init__(
        self,
        store: Any,
        split: str | None = "train",
        *,
        batch_size: int = 32,
        shuffle: bool | None = None,
        seed: int = 0,
        labels: str = "sparse",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.batch_size = _check(batch_size, labels)
        self.store, self.split, self.labels = store, split, labels
        self.indices = split_indices(store, split)
        self.shuffle = (split == "train") if shuffle is None else bool(shuffle)
        self.n_classes = len(store.mapping)
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(self.indices) if self.shuffle else self.indices

    def __len__(self) -> int:
        return math.ceil(self.indices.size / self.batch_size)

    def __getitem__(self, idx: int) -> tuple[np.ndarray, np.ndarray]:
        if not 0 <= idx < len(self):
            raise IndexError(f"batch {idx} of {len(self)}")
        rows = np.sort(self.order[idx * self.batch_size : (idx + 1) * self.batch_size])
        x = np.asarray(self.store.X[rows], dtype=np.float32)
        y = np.asarray(self.store.y[rows], dtype=np.int64)
        if self.labels == "onehot":
            return x, np.eye(self.n_classes, dtype=np.float32)[y]
        return x, y

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self.order = self.rng.permutation(self.indices)


def tf_dataset(
    store: Any,
    split: str | None = "train",
    *,
    batch_size: int = 32,
    shuffle: bool | None = None,
    seed: int = 0,
    labels: str = "sparse",
) -> Any:
    """One split of a store as a ``tf.data.Dataset`` of ``(x, y)`` batches (TensorFlow only).

    Parameters are those of :class:`StoreSequence`. The row order is
    reshuffled on every pass over the dataset (every epoch); rows are read
    from the memory map batch by batch.

    Returns
    -------
    tf.data.Dataset
        Elements ``(x float32 (batch, C, F, T), y int64 (batch,) or float32 (batch, K))``.
    """
    from .._optional import require

    tf = require("tensorflow", "store.tf_dataset (tf.data)")
    batch_size = _check(batch_size, labels)
    indices = split_indices(store, split)
    shuffle = (split == "train") if shuffle is None else bool(shuffle)
    c, f, t = (int(v) for v in store.X.shape[1:])
    n_classes = len(store.mapping)
    X, Y = store.X, np.asarray(store.y, dtype=np.int64)

    def gather(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = np.sort(rows)
        return np.asarray(X[rows], dtype=np.float32), Y[rows]

    ds = tf.data.Dataset.from_tensor_slices(indices)
    if shuffle:
        ds = ds.shuffle(indices.size, seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)

    def load(rows: Any) -> tuple[Any, Any]:
        x, y = tf.numpy_function(gather, [rows], (tf.float32, tf.int64))
        x.set_shape((None, c, f, t))
        y.set_shape((None,))
        if labels == "onehot":
            y = tf.one_hot(y, n_classes, dtype=tf.float32)
        return x, y

    return ds.map(load).prefetch(tf.data.AUTOTUNE)
