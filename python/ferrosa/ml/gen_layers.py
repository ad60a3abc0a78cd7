"""Keras objects of the generation models, registered at import.

Importing this module registers every custom object under the ``ferrosa``
package name, and saved models record this module's path, so
``keras.saving.load_model("MODEL/model.keras")`` works in a fresh process
with plain Keras as long as ferrosa is importable (Keras imports the module
named in the file). Only ``keras.ops`` is used.
"""

from __future__ import annotations

from typing import Any

from ._keras import get_keras

keras = get_keras()
ops = keras.ops

__all__ = ["LOUD_WEIGHT", "SpectralLoss", "Sampling", "energy_mse", "loud_mse"]

#: Extra weight of a bin per unit of its (scaled, [0, 1]) target level: a
#: loud bin (1.0) counts ``1 + LOUD_WEIGHT`` times a silent one. Errors in
#: loud bins dominate the spectral convergence of the audio.
LOUD_WEIGHT = 4.0


@keras.saving.register_keras_serializable(package="ferrosa")
def loud_mse(y_true: Any, y_pred: Any) -> Any:
    """Mean squared error weighted by ``1 + LOUD_WEIGHT * y_true`` (per sample)."""
    w = 1.0 + LOUD_WEIGHT * y_true
    return ops.mean(w * ops.square(y_true - y_pred), axis=(1, 2, 3))


def energy_mse(y_true: Any, y_pred: Any, a: float) -> Any:
    """Squared scaled-dB error weighted by each bin's share of the target's energy.

    With magnitudes ``m = exp(a * (x - 1))`` of scaled values ``x``, the
    weight of a bin is ``m_true^2 / mean(m_true^2)`` (per sample), so this is
    the second-order expansion of the squared spectral convergence in the
    dB error (``|m_pred - m_true| ~ a * m_true * |x_pred - x_true|``): it
    aims at what the audio's convergence measures while keeping the smooth,
    bounded gradients of a squared error on the network's output.
    """
    axes = (1, 2, 3)
    a = float(a)  # a NumPy scalar would make the product float64
    energy = ops.exp(2.0 * a * (y_true - 1.0))
    w = energy / (ops.mean(energy, axis=axes, keepdims=True) + 1e-12)
    return ops.mean(w * ops.square(y_true - y_pred), axis=axes)


@keras.saving.register_keras_serializable(package="ferrosa")
class SpectralLoss(keras.losses.Loss):  # type: ignore[misc,name-defined]
    """:func:`loud_mse` plus the squared spectral convergence of the magnitudes.

    Scaled values ``x`` in [0, 1] are dB levels ``low + x * db_range``, so the
    magnitude relative to the loudest is ``exp(a * (x - 1))`` with
    ``a = db_range * ln(10) / 20``. The second term,
    ``||m_true - m_pred||^2 / ||m_true||^2`` per sample, is what the audio's
    spectral convergence measures; the first keeps quiet bins in shape.

    Parameters
    ----------
    db_range : float
        ``scaler.high - scaler.low``.
    sc_weight : float
        0 (the default) leaves the exact magnitude term out: it has very
        large gradients while the output is still far off and slowed early
        training down in our runs.
    energy_weight : float
        Weight of :func:`energy_mse`, the smooth (dB-domain) stand-in for the
        spectral convergence term; 0 leaves it out.
    """

    def __init__(
        self,
        db_range: float = 100.0,
        sc_weight: float = 0.0,
        energy_weight: float = 0.0,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("name", "spectral_loss")
        super().__init__(**kwargs)
        self.db_range = float(db_range)
        self.sc_weight = float(sc_weight)
        self.energy_weight = float(energy_weight)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        a = self.db_range * 2.302585092994046 / 20.0
        loss = loud_mse(y_true, y_pred)
        if self.energy_weight:
            loss = loss + self.energy_weight * energy_mse(y_true, y_pred, a)
        if self.sc_weight == 0:
            return loss
        m_true = ops.exp(a * (y_true - 1.0))
        m_pred = ops.exp(a * (y_pred - 1.0))
        axes = (1, 2, 3)
        sc = ops.sum(ops.square(m_true - m_pred), axis=axes) / (
            ops.sum(ops.square(m_true), axis=axes) + 1e-12
        )
        return loss + self.sc_weight * sc

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "db_range": self.db_range,
            "sc_weight": self.sc_weight,
            "energy_weight": self.energy_weight,
        }


@keras.saving.register_keras_serializable(package="ferrosa")
class Sampling(keras.layers.Layer):  # type: ignore[misc,name-defined]
    """VAE reparameterisation ``z = mean + exp(log_var / 2) * eps`` and its KL loss.

    Parameters
    ----------
    beta : float >= 0
        Weight of the KL divergence from N(0, I), which is added as a layer
        loss per *input value* (the KL sum divided by ``n_values``) so that
        ``beta`` is on the scale of the per-value reconstruction error.
    n_values : int
        Values of one model input (bins * frames).
    seed : int

    In inference (``training=False``) the layer returns ``mean``: a VAE's
    reconstruction is deterministic and equals what training optimised on
    average.
    """

    def __init__(self, beta: float = 1.0, n_values: int = 1, seed: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.beta = float(beta)
        self.n_values = int(n_values)
        self.seed = int(seed)
        self._gen = keras.random.SeedGenerator(self.seed)

    def kl(self, mean: Any, log_var: Any) -> Any:
        """Mean over the batch of KL(q(z|x) || N(0, I)) per input value."""
        axes = tuple(range(1, len(mean.shape)))
        per = -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=axes)
        return ops.mean(per) / self.n_values

    def call(self, mean: Any, log_var: Any, training: Any = None) -> Any:
        self.add_loss(self.beta * self.kl(mean, log_var))
        if not training:
            return mean
        eps = keras.random.normal(ops.shape(mean), seed=self._gen)
        return mean + ops.exp(0.5 * log_var) * eps

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.update(beta=self.beta, n_values=self.n_values, seed=self.seed)
        return cfg
