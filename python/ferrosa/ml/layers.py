"""Custom Keras layers of ferrosa's models (registered for ``.keras`` loading)."""

from __future__ import annotations

from typing import Any

from ._keras import get_keras

keras = get_keras()
ops = keras.ops

__all__ = ["TemporalStats"]


@keras.saving.register_keras_serializable(package="ferrosa")
class TemporalStats(keras.layers.Layer):  # type: ignore[misc,name-defined]
    """Summarise a sequence over time: flattened statistics over axis 1.

    Pooling over time makes a classifier indifferent to where in the segment a
    note starts and lets the same weights see segments of any length.

    Parameters
    ----------
    stats : tuple of {"mean", "max", "std"}
        Statistics to concatenate, in this order.

    Input shape ``(batch, time, *rest)``; output ``(batch, len(stats) * prod(rest))``.
    """

    def __init__(self, stats: tuple[str, ...] = ("mean", "max"), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        bad = [s for s in stats if s not in ("mean", "max", "std")]
        if bad or not stats:
            raise ValueError(f"stats={stats!r}: each must be 'mean', 'max' or 'std'")
        self.stats = tuple(stats)

    def call(self, x: Any) -> Any:
        parts = []
        for s in self.stats:
            if s == "mean":
                parts.append(ops.mean(x, axis=1))
            elif s == "max":
                parts.append(ops.max(x, axis=1))
            else:
                parts.append(ops.sqrt(ops.var(x, axis=1) + 1e-6))
        out = ops.concatenate(parts, axis=-1)
        return ops.reshape(out, (ops.shape(out)[0], -1))

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        size = 1
        for d in input_shape[2:]:
            size *= int(d)
        return (input_shape[0], size * len(self.stats))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stats": list(self.stats)}
