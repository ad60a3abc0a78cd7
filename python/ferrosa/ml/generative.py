"""Sound generation: an autoencoder and a VAE over log-magnitude spectrograms.

Pipeline: audio -> :func:`log_spectrogram` (dB magnitude of the STFT, Nyquist
bin dropped so the bins halve cleanly) -> :class:`SpectrogramScaler`
(min/max fitted globally on the training set, to [0, 1]) -> model ->
inverse scaling -> magnitudes -> :func:`~ferrosa.ml.griffinlim.griffinlim`
(phase estimated, not a zero-phase inverse STFT).

Models take ``(bins, frames, 1)`` input with ``bins`` and ``frames`` multiples
of 16 (four stride-2 convolutions), e.g. ``n_fft=512`` -> 256 bins and 64
frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.spectrum import amplitude_to_db, db_to_amplitude, stft
from ..exceptions import ParameterError
from ._keras import get_keras
from .griffinlim import griffinlim

__all__ = ["SpectrogramScaler", "autoencoder", "log_spectrogram", "to_audio", "vae"]

_FILTERS = (32, 64, 64, 64)


def log_spectrogram(
    y: np.ndarray, *, n_fft: int = 512, hop_length: int = 256, frames: int | None = None
) -> np.ndarray:
    """dB magnitude spectrogram without the Nyquist bin.

    Parameters
    ----------
    y : np.ndarray, shape (n,), float
    n_fft, hop_length : int
    frames : int, optional
        Crop or zero-pad (in amplitude, i.e. to the dB floor) to this many frames.

    Returns
    -------
    np.ndarray, shape (n_fft // 2, frames), float32
        ``amplitude_to_db(|stft|, ref=1.0)`` (top_db 80).
    """
    S = np.abs(stft(np.asarray(y, dtype=np.float32), n_fft=n_fft, hop_length=hop_length))
    S = S[:-1]
    if frames is not None:
        S = S[:, :frames]
        if S.shape[1] < frames:
            S = np.pad(S, ((0, 0), (0, frames - S.shape[1])))
    return np.asarray(amplitude_to_db(S, ref=1.0), dtype=np.float32)


@dataclass
class SpectrogramScaler:
    """Global min/max scaling of dB spectrograms to [0, 1], fitted on training data."""

    low: float = -100.0
    high: float = 0.0

    @classmethod
    def fit(cls, specs: np.ndarray) -> SpectrogramScaler:
        """Fit on training spectrograms (any shape)."""
        low, high = float(np.min(specs)), float(np.max(specs))
        if not high > low:
            raise ParameterError("training spectrograms are constant; cannot fit a scaler")
        return cls(low=low, high=high)

    def transform(self, specs: np.ndarray) -> np.ndarray:
        """dB -> [0, 1] (values outside the training range are clipped)."""
        out = (np.asarray(specs, dtype=np.float32) - self.low) / (self.high - self.low)
        return np.clip(out, 0.0, 1.0)

    def inverse(self, scaled: np.ndarray) -> np.ndarray:
        """[0, 1] -> dB."""
        return np.asarray(scaled, dtype=np.float32) * (self.high - self.low) + self.low

    def to_dict(self) -> dict[str, float]:
        """JSON-ready form."""
        return {"low": self.low, "high": self.high}


def to_audio(
    scaled: np.ndarray,
    scaler: SpectrogramScaler,
    *,
    hop_length: int = 256,
    n_iter: int = 32,
    random_state: Any = 0,
) -> np.ndarray:
    """Audio of a generated spectrogram via Griffin-Lim.

    Parameters
    ----------
    scaled : np.ndarray, shape (bins, frames) or (bins, frames, 1), in [0, 1]
    scaler : SpectrogramScaler
    hop_length, n_iter, random_state
        Griffin-Lim parameters (``n_fft = 2 * bins``).

    Returns
    -------
    np.ndarray, shape (n,), float32
    """
    spec = np.asarray(scaled, dtype=np.float32)
    if spec.ndim == 3:
        spec = spec[..., 0]
    if spec.ndim != 2:
        raise ParameterError(f"scaled must be (bins, frames[, 1]), got {np.shape(scaled)}")
    mag = db_to_amplitude(scaler.inverse(spec))
    mag = np.concatenate([mag, np.zeros((1, mag.shape[1]), np.float32)])  # the dropped Nyquist
    out = griffinlim(mag, n_iter=n_iter, hop_length=hop_length, random_state=random_state)
    return np.asarray(out, dtype=np.float32)


def _check_shape(input_shape: tuple[int, ...], latent_dim: int) -> tuple[int, int]:
    if len(input_shape) != 3 or input_shape[2] != 1:
        raise ParameterError(f"input_shape={input_shape!r} must be (bins, frames, 1)")
    bins, frames = int(input_shape[0]), int(input_shape[1])
    if bins <= 0 or frames <= 0 or bins % 16 or frames % 16:
        raise ParameterError(
            f"input_shape={input_shape!r}: bins and frames must be multiples of 16"
        )
    if isinstance(latent_dim, bool) or not isinstance(latent_dim, int) or latent_dim <= 0:
        raise ParameterError(f"latent_dim={latent_dim!r} must be a positive integer")
    return bins, frames


def _encoder_body(x: Any, keras: Any) -> Any:
    for filters in _FILTERS:
        x = keras.layers.Conv2D(filters, 3, strides=2, padding="same")(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.LeakyReLU(0.1)(x)
    return keras.layers.Flatten()(x)


def _decoder(bins: int, frames: int, latent_dim: int, keras: Any) -> Any:
    z = keras.Input((latent_dim,), name="latent")
    h, w = bins // 16, frames // 16
    x = keras.layers.Dense(h * w * _FILTERS[-1])(z)
    x = keras.layers.Reshape((h, w, _FILTERS[-1]))(x)
    for filters in reversed(_FILTERS[:-1]):
        x = keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="same")(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.LeakyReLU(0.1)(x)
    out = keras.layers.Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid")(x)
    return keras.Model(z, out, name="decoder")


def autoencoder(
    input_shape: tuple[int, int, int] = (256, 64, 1),
    *,
    latent_dim: int = 64,
    learning_rate: float = 5e-4,
    seed: int = 0,
) -> tuple[Any, Any, Any]:
    """Convolutional autoencoder of scaled spectrograms.

    Returns
    -------
    (model, encoder, decoder)
        ``model`` is compiled (Adam, mean squared error) and maps
        ``(batch, bins, frames, 1)`` to the same shape; ``encoder`` gives
        ``(batch, latent_dim)``; ``decoder`` maps latents back.
    """
    keras = get_keras()
    bins, frames = _check_shape(tuple(input_shape), latent_dim)
    keras.utils.set_random_seed(seed)
    x = inputs = keras.Input((bins, frames, 1), name="spectrogram")
    z = keras.layers.Dense(latent_dim, name="latent")(_encoder_body(x, keras))
    encoder = keras.Model(inputs, z, name="encoder")
    decoder = _decoder(bins, frames, latent_dim, keras)
    model = keras.Model(inputs, decoder(encoder(inputs)), name="autoencoder")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model, encoder, decoder


def _sampling_layer(keras: Any, kl_weight: float) -> Any:
    ops = keras.ops

    class Sampling(keras.layers.Layer):  # type: ignore[misc,name-defined]
        """z = mean + exp(log_var / 2) * eps; adds the weighted KL divergence as a loss."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.seed = keras.random.SeedGenerator(1)

        def call(self, mean: Any, log_var: Any) -> Any:
            kl = -0.5 * ops.mean(ops.sum(1 + log_var - mean**2 - ops.exp(log_var), axis=-1))
            self.add_loss(kl_weight * kl)
            eps = keras.random.normal(ops.shape(mean), seed=self.seed)
            return mean + ops.exp(0.5 * log_var) * eps

    return Sampling(name="sampling")


def vae(
    input_shape: tuple[int, int, int] = (256, 64, 1),
    *,
    latent_dim: int = 64,
    kl_weight: float = 1e-4,
    learning_rate: float = 5e-4,
    seed: int = 0,
) -> tuple[Any, Any, Any]:
    """Variational autoencoder of scaled spectrograms.

    The loss is the mean squared reconstruction error plus ``kl_weight`` times
    the KL divergence of the latent posterior from N(0, I); a small weight keeps
    reconstructions sharp while making the latent space smooth enough to sample.

    Returns
    -------
    (model, encoder, decoder)
        ``encoder`` returns ``(mean, log_var)``, each ``(batch, latent_dim)``;
        ``decoder`` maps latents (e.g. ``N(0, I)`` samples) to spectrograms.
    """
    keras = get_keras()
    bins, frames = _check_shape(tuple(input_shape), latent_dim)
    if not kl_weight >= 0:
        raise ParameterError(f"kl_weight={kl_weight!r} must be non-negative")
    keras.utils.set_random_seed(seed)
    x = inputs = keras.Input((bins, frames, 1), name="spectrogram")
    h = _encoder_body(x, keras)
    mean = keras.layers.Dense(latent_dim, name="mean")(h)
    log_var = keras.layers.Dense(latent_dim, name="log_var")(h)
    encoder = keras.Model(inputs, [mean, log_var], name="encoder")
    decoder = _decoder(bins, frames, latent_dim, keras)
    m, lv = encoder(inputs)
    z = _sampling_layer(keras, kl_weight)(m, lv)
    model = keras.Model(inputs, decoder(z), name="vae")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model, encoder, decoder
