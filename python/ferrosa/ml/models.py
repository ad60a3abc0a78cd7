"""Model builders: ``mlp``, ``cnn`` and ``lstm``, each in a ``seed`` and a ``default`` preset.

Every builder takes the model input shape ``(frames, bins, channels)`` (the
store's ``(C, F, T)`` segments transposed, see
:func:`ferrosa.ml.normalize.to_model_layout`) and returns a compiled
``keras.Model`` ending in a softmax over ``n_classes``.

The ``seed`` presets are the tutorial architectures, layer for layer, on
(frames x 13 MFCC) input:

- MLP: Flatten -> Dense 512 -> 256 -> 64 (relu) -> softmax
- CNN: Conv 32 (3x3) -> MaxPool (3x3, stride 2, same) -> Conv 64 (3x3) ->
  MaxPool (3x3, stride 2, same) -> Conv 128 (2x2) -> Flatten -> Dense 64 ->
  Dropout 0.1 -> softmax
- LSTM: LSTM 64 (sequences) -> LSTM 64 -> Dense 64 -> Dropout 0.3 -> softmax

compiled with Adam (1e-4) and sparse categorical cross-entropy.

The ``default`` presets are built for small data and unseen recordings: batch
normalisation, pooling over time (so a note's position does not matter),
dropout, and a categorical loss with label smoothing (for mixup's soft labels).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..exceptions import ParameterError
from ._keras import get_keras
from .presets import MODELS, Preset, get_preset

keras = get_keras()
layers = keras.layers

__all__ = ["build", "cnn", "lstm", "mlp"]


def _check(input_shape: Sequence[int], n_classes: int) -> tuple[int, int, int]:
    shape = tuple(int(d) for d in input_shape)
    if len(shape) != 3 or min(shape) <= 0:
        raise ParameterError(f"input_shape={tuple(input_shape)!r} must be (frames, bins, channels)")
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
        raise ParameterError(f"n_classes={n_classes!r} must be an integer of at least 2")
    return shape[0], shape[1], shape[2]


def _time_mean_max_2d(x: Any, frames: int) -> Any:
    """Mean and max over time of ``(B, T, F, K)``, flattened to ``(B, F * 2K)``.

    Built-in pooling layers over the whole time axis (frequency kept), so a
    saved model loads in plain Keras.
    """
    mean = layers.AveragePooling2D((frames, 1), name="time_mean")(x)
    peak = layers.MaxPooling2D((frames, 1), name="time_max")(x)
    return layers.Flatten()(layers.Concatenate(name="time_mean_max")([mean, peak]))


def _time_mean_std(x: Any, frames: int) -> Any:
    """Mean and standard deviation over time of ``(B, T, F, C)``, flattened to ``(B, F * 2C)``."""
    mean = layers.AveragePooling2D((frames, 1), name="time_mean")(x)
    mean_sq = layers.AveragePooling2D((frames, 1), name="time_mean_sq")(layers.Multiply()([x, x]))
    var = layers.Subtract()([mean_sq, layers.Multiply()([mean, mean])])
    # keras.ops in a functional model serialise as Keras operations: still plain Keras.
    std = keras.ops.sqrt(layers.ReLU(name="time_var")(var) + 1e-6)
    return layers.Flatten()(layers.Concatenate(name="time_mean_std")([mean, std]))


def _compile(model: Any, preset: Preset) -> Any:
    if preset.soft_labels:
        loss = keras.losses.CategoricalCrossentropy(label_smoothing=preset.label_smoothing)
    else:
        loss = keras.losses.SparseCategoricalCrossentropy()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=preset.learning_rate),
        loss=loss,
        metrics=["accuracy"],
    )
    return model


def mlp(
    input_shape: Sequence[int], n_classes: int, *, preset: str = "default", seed: int = 0
) -> Any:
    """Multilayer perceptron.

    Parameters
    ----------
    input_shape : (frames, bins, channels)
    n_classes : int >= 2
    preset : {"default", "seed"}
        ``seed``: the tutorial MLP on the flattened input. ``default``: per-band
        mean and standard deviation over time -> Dense 256 -> Dense 128, with
        batch normalisation and dropout 0.3.
    seed : int
        Seeds weight initialisation.

    Returns
    -------
    keras.Model
        Compiled; input ``(batch, frames, bins, channels)`` float32, output
        ``(batch, n_classes)`` probabilities.
    """
    t, f, c = _check(input_shape, n_classes)
    p = get_preset(preset)
    keras.utils.set_random_seed(seed)
    x = inputs = keras.Input((t, f, c), name="features")
    if p.name == "seed":
        x = layers.Flatten()(x)
        for units in (512, 256, 64):
            x = layers.Dense(units, activation="relu")(x)
    else:
        x = _time_mean_std(x, t)
        for units in (256, 128):
            x = layers.Dense(units, use_bias=False)(x)
            x = layers.BatchNormalization()(x)
            x = layers.Activation("relu")(x)
            x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="scores")(x)
    return _compile(keras.Model(inputs, outputs, name=f"mlp_{p.name}"), p)


def _cnn_too_small(t: int, f: int) -> bool:
    # Seed CNN geometry: conv3 (valid), pool s2, conv3, pool s2, conv2.
    def after(n: int) -> int:
        n -= 2
        n = -(-n // 2)
        n -= 2
        n = -(-n // 2)
        return n - 1

    return t < 3 or f < 3 or after(t) < 1 or after(f) < 1


def cnn(
    input_shape: Sequence[int], n_classes: int, *, preset: str = "default", seed: int = 0
) -> Any:
    """Convolutional network over the (time, frequency) plane.

    Parameters
    ----------
    input_shape : (frames, bins, channels)
        The seed preset needs at least 13 frames and 13 bins.
    n_classes : int >= 2
    preset : {"default", "seed"}
        ``seed``: the tutorial CNN. ``default``: three blocks of
        Conv 3x3 (16, 32, 64) -> batch norm -> relu -> max-pool 2x2, a fourth
        Conv 3x3 (64), then mean and max over time (frequency kept: register
        tells a cello from a double bass), dropout 0.3 and softmax.
    seed : int
        Seeds weight initialisation.

    Returns
    -------
    keras.Model
        Compiled; input ``(batch, frames, bins, channels)`` float32, output
        ``(batch, n_classes)`` probabilities.
    """
    t, f, c = _check(input_shape, n_classes)
    p = get_preset(preset)
    keras.utils.set_random_seed(seed)
    x = inputs = keras.Input((t, f, c), name="features")
    if p.name == "seed":
        if _cnn_too_small(t, f):
            raise ParameterError(
                f"input_shape={(t, f, c)!r} is too small for the seed CNN "
                "(needs at least 13 frames and 13 bins)"
            )
        x = layers.Conv2D(32, (3, 3), activation="relu")(x)
        x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same")(x)
        x = layers.Conv2D(64, (3, 3), activation="relu")(x)
        x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same")(x)
        x = layers.Conv2D(128, (2, 2), activation="relu")(x)
        x = layers.Flatten()(x)
        x = layers.Dense(64, activation="relu")(x)
        x = layers.Dropout(0.1)(x)
    else:
        size_t, size_f = t, f
        for filters in (16, 32, 64):
            x = layers.Conv2D(filters, (3, 3), padding="same", use_bias=False)(x)
            x = layers.BatchNormalization()(x)
            x = layers.Activation("relu")(x)
            pool = (2 if size_t >= 2 else 1, 2 if size_f >= 2 else 1)
            x = layers.MaxPooling2D(pool, padding="same")(x)
            size_t, size_f = -(-size_t // pool[0]), -(-size_f // pool[1])
        x = layers.Conv2D(64, (3, 3), padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = _time_mean_max_2d(x, size_t)
        x = layers.Dropout(0.3)(x)
        x = layers.Dense(64, activation="relu")(x)
        x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="scores")(x)
    return _compile(keras.Model(inputs, outputs, name=f"cnn_{p.name}"), p)


def lstm(
    input_shape: Sequence[int], n_classes: int, *, preset: str = "default", seed: int = 0
) -> Any:
    """Recurrent network over frames (bins x channels per step).

    Parameters
    ----------
    input_shape : (frames, bins, channels)
    n_classes : int >= 2
    preset : {"default", "seed"}
        ``seed``: the tutorial's two stacked LSTM 64. ``default``: a Dense 64
        projection per frame, a bidirectional LSTM 64 over the sequence, mean
        and max over time, Dense 64, dropout 0.3 and softmax.
    seed : int
        Seeds weight initialisation.

    Returns
    -------
    keras.Model
        Compiled; input ``(batch, frames, bins, channels)`` float32, output
        ``(batch, n_classes)`` probabilities.
    """
    t, f, c = _check(input_shape, n_classes)
    p = get_preset(preset)
    keras.utils.set_random_seed(seed)
    x = inputs = keras.Input((t, f, c), name="features")
    x = layers.Reshape((t, f * c))(x)
    if p.name == "seed":
        x = layers.LSTM(64, return_sequences=True)(x)
        x = layers.LSTM(64)(x)
        x = layers.Dense(64, activation="relu")(x)
        x = layers.Dropout(0.3)(x)
    else:
        x = layers.Dense(64, activation="relu")(x)
        x = layers.Dropout(0.1)(x)
        x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
        x = layers.Concatenate(name="time_mean_max")(
            [layers.GlobalAveragePooling1D()(x), layers.GlobalMaxPooling1D()(x)]
        )
        x = layers.Dropout(0.3)(x)
        x = layers.Dense(64, activation="relu")(x)
        x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="scores")(x)
    return _compile(keras.Model(inputs, outputs, name=f"lstm_{p.name}"), p)


_BUILDERS = {"mlp": mlp, "cnn": cnn, "lstm": lstm}


def build(
    kind: str,
    input_shape: Sequence[int],
    n_classes: int,
    *,
    preset: str = "default",
    seed: int = 0,
) -> Any:
    """Build model ``kind`` (``"mlp"``, ``"cnn"`` or ``"lstm"``); see the builders."""
    if kind not in _BUILDERS:
        raise ParameterError(f"model={kind!r} must be one of {', '.join(MODELS)}")
    return _BUILDERS[kind](input_shape, n_classes, preset=preset, seed=seed)
