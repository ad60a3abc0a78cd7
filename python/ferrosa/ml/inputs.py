"""The model's own input stage: stored features in, normalised model layout out, in Keras.

A saved classifier takes feature segments exactly as the store holds them,
``(batch, C, F, T)`` float32, and does the rest itself with built-in Keras
layers and operations (so ``keras.saving.load_model`` needs nothing else):

1. ``Permute((3, 2, 1))``: store layout ``(C, F, T)`` to ``(T, F, C)``;
2. for dB features under the default recipe, the per-segment peak of channel 0
   is subtracted and the result floored at ``-top_db`` (gain invariance);
3. ``Normalization(axis=(2, 3))``: per (band, channel) mean and variance
   fitted on the training split (:class:`ferrosa.ml.normalize.Normalizer`).

Training feeds the network behind this stage with batches normalised in
NumPy (augmentation happens between the two steps); :func:`with_inputs` then
puts the stage in front of the trained network, so the saved model and the
training path compute the same numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._keras import get_keras
from .normalize import Normalizer

__all__ = ["input_stage", "with_inputs"]


def input_stage(normalizer: Normalizer, input_shape: tuple[int, int, int]) -> tuple[Any, Any]:
    """Keras input ``(C, F, T)`` and the tensor after the input stage ``(T, F, C)``.

    Parameters
    ----------
    normalizer : Normalizer
        Peak flag, ``top_db`` and per-(channel, band) statistics.
    input_shape : (C, F, T)
        One stored segment.

    Returns
    -------
    (inputs, x) : keras tensors
    """
    keras = get_keras()
    ops, layers = keras.ops, keras.layers
    c, f, t = (int(v) for v in input_shape)
    inputs = keras.Input((c, f, t), name="features")
    x = layers.Permute((3, 2, 1), name="to_time_freq_channel")(inputs)
    if normalizer.peak:
        base = x[..., :1]
        peak = ops.max(base, axis=(1, 2, 3), keepdims=True)
        base = ops.maximum(base - peak, -float(normalizer.top_db))
        x = base if c == 1 else layers.Concatenate(axis=-1)([base, x[..., 1:]])
    if normalizer.mean is not None and normalizer.std is not None:
        # Stored (C, F) statistics, laid out (F, C) like the model's last two axes.
        mean = np.asarray(normalizer.mean, dtype=np.float64).T
        var = np.square(np.asarray(normalizer.std, dtype=np.float64)).T
        x = layers.Normalization(axis=(2, 3), mean=mean, variance=var, name="band_norm")(x)
    return inputs, x


def with_inputs(core: Any, normalizer: Normalizer, input_shape: tuple[int, int, int]) -> Any:
    """``core`` (model-layout input) behind the input stage: a model of stored features.

    Parameters
    ----------
    core : keras.Model
        Input ``(batch, T, F, C)`` normalised, output class probabilities.
    normalizer : Normalizer
    input_shape : (C, F, T)

    Returns
    -------
    keras.Model
        Input ``(batch, C, F, T)`` raw stored features, same output as ``core``;
        shares ``core``'s weights.
    """
    keras = get_keras()
    inputs, x = input_stage(normalizer, input_shape)
    outputs = core(x)
    return keras.Model(inputs, outputs, name=f"{core.name}_on_features")
