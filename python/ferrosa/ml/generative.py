"""Sound generation: an autoencoder and a VAE over log-magnitude spectrograms.

Pipeline: audio -> :func:`log_spectrogram` (dB magnitude of the STFT, Nyquist
bin dropped so the bins halve cleanly) -> :class:`SpectrogramScaler`
(min/max fitted globally on the training set, to [0, 1]) -> model ->
inverse scaling -> magnitudes -> :func:`~ferrosa.ml.griffinlim.griffinlim`
(phase estimated, not a zero-phase inverse STFT).

Two presets per model:

- ``"default"``: a convolutional encoder to a *spatial* latent (a
  ``bins/2 x frames/4 x latent`` feature map, 128 x 16 x 4 for 256 x 64
  input: half the input's values; frequency is downsampled less than time
  so that harmonics stay apart), no normalisation layers (inference equals
  training), trained on a loudness-weighted MSE plus the energy-weighted
  error :func:`~ferrosa.ml.gen_layers.energy_mse` (the smooth stand-in for
  the spectral convergence of the magnitudes; ``db_range`` is the
  scaler's). ``down`` changes the downsampling; bins and frames must be
  multiples of it.
- ``"seed"``: the tutorial's architecture: four stride-2 convolutions with
  BatchNormalization and ReLU, a dense bottleneck of ``latent`` (128) values
  and the mirrored decoder, plain MSE. Bins and frames must be multiples of
  16. Its BatchNorm statistics are re-estimated on the training set before
  saving (:func:`recalibrate_batchnorm`).

Custom objects live in :mod:`ferrosa.ml.gen_layers`, registered at import,
so saved models load again with plain Keras.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.phase_recovery import griffinlim
from ..core.spectrum import amplitude_to_db, db_to_amplitude, stft
from ..exceptions import ParameterError
from ._keras import get_keras

__all__ = [
    "PRESETS",
    "SpectrogramScaler",
    "autoencoder",
    "log_spectrogram",
    "recalibrate_batchnorm",
    "to_audio",
    "vae",
]

PRESETS = ("default", "seed")
#: Downsampling (frequency, time) of the default preset's spatial latent.
DEFAULT_DOWN = (2, 4)
#: Default weight of the energy-weighted error in the default preset's loss.
DEFAULT_ENERGY_WEIGHT = 1.0
_SEED_FILTERS = (32, 64, 64, 64)
#: Default latent size: channels of the spatial latent ("default"), values of
#: the dense bottleneck ("seed", the tutorial's 128).
DEFAULT_LATENT = {"default": 4, "seed": 128}
#: Default KL weight per input value (see :class:`~ferrosa.ml.gen_layers.Sampling`).
DEFAULT_BETA = 0.01


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
    length: int | None = None,
    random_state: Any = 0,
) -> np.ndarray:
    """Audio of a generated spectrogram via Griffin-Lim.

    Parameters
    ----------
    scaled : np.ndarray, shape (bins, frames) or (bins, frames, 1), in [0, 1]
    scaler : SpectrogramScaler
    hop_length, n_iter, random_state
        Griffin-Lim parameters (``n_fft = 2 * bins``).
    length : int, optional
        Samples to return: the length of the audio the spectrogram was made
        from (default ``hop_length * (frames - 1)``, what a centred STFT of
        ``frames`` frames covers at least).

    Returns
    -------
    np.ndarray, shape (length,), float32
    """
    spec = np.asarray(scaled, dtype=np.float32)
    if spec.ndim == 3:
        spec = spec[..., 0]
    if spec.ndim != 2:
        raise ParameterError(f"scaled must be (bins, frames[, 1]), got {np.shape(scaled)}")
    mag = db_to_amplitude(scaler.inverse(spec))
    mag = np.concatenate([mag, np.zeros((1, mag.shape[1]), np.float32)])  # the dropped Nyquist
    if length is None:
        length = hop_length * (spec.shape[1] - 1)
    out = griffinlim(
        mag, n_iter=n_iter, hop_length=hop_length, length=int(length), random_state=random_state
    )
    return np.asarray(out, dtype=np.float32)


def _strides(down: Any) -> list[tuple[int, int]]:
    """Two encoder levels' strides for a total downsampling ``down`` = (freq, time)."""
    try:
        f, t = (int(d) for d in down)
    except (TypeError, ValueError):
        raise ParameterError(f"down={down!r} must be (freq, time) factors") from None
    allowed = (1, 2, 4)
    if f not in allowed or t not in allowed:
        raise ParameterError(f"down={down!r}: each factor must be 1, 2 or 4")
    return [(min(f, 2), min(t, 2)), (f // min(f, 2), t // min(t, 2))]


def _check(
    input_shape: Any, latent: Any, preset: str, down: Any = DEFAULT_DOWN
) -> tuple[int, int, int]:
    if preset not in PRESETS:
        raise ParameterError(f"preset={preset!r} must be one of {', '.join(PRESETS)}")
    input_shape = tuple(input_shape)
    if len(input_shape) != 3 or input_shape[2] != 1:
        raise ParameterError(f"input_shape={input_shape!r} must be (bins, frames, 1)")
    bins, frames = int(input_shape[0]), int(input_shape[1])
    if preset == "seed":
        steps = (16, 16)
    else:
        levels = _strides(down)
        steps = (levels[0][0] * levels[1][0], levels[0][1] * levels[1][1])
    if bins <= 0 or frames <= 0 or bins % steps[0] or frames % steps[1]:
        raise ParameterError(
            f"input_shape={input_shape!r}: bins and frames must be multiples of "
            f"{steps[0]} and {steps[1]} for preset {preset!r}"
        )
    if latent is None:
        latent = DEFAULT_LATENT[preset]
    if isinstance(latent, bool) or not isinstance(latent, (int, np.integer)) or latent <= 0:
        raise ParameterError(f"latent={latent!r} must be a positive integer")
    return bins, frames, int(latent)


def _conv(x: Any, filters: int, strides: Any, keras: Any) -> Any:
    x = keras.layers.Conv2D(filters, 3, strides=strides, padding="same")(x)
    return keras.layers.LeakyReLU(0.2)(x)


def _default_encoder(x: Any, heads: int, latent: int, keras: Any, down: Any) -> list[Any]:
    first, second = _strides(down)
    x = _conv(x, 24, first, keras)
    x = _conv(x, 48, second, keras)
    x = _conv(x, 48, 1, keras)
    names = ["latent"] if heads == 1 else ["mean", "log_var"]
    return [keras.layers.Conv2D(latent, 1, name=n)(x) for n in names]


def _default_decoder(bins: int, frames: int, latent: int, keras: Any, down: Any) -> Any:
    first, second = _strides(down)
    h, w = bins // (first[0] * second[0]), frames // (first[1] * second[1])
    z = keras.Input((h, w, latent), name="latent")
    x = _conv(z, 48, 1, keras)
    for filters, strides in ((48, second), (24, first)):
        x = keras.layers.Conv2DTranspose(filters, 3, strides=strides, padding="same")(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    out = keras.layers.Conv2D(1, 3, padding="same", activation="sigmoid", name="spectrogram")(x)
    return keras.Model(z, out, name="decoder")


def _seed_encoder(x: Any, heads: int, latent: int, keras: Any) -> list[Any]:
    for filters in _SEED_FILTERS:
        x = keras.layers.Conv2D(filters, 3, strides=2, padding="same")(x)
        x = keras.layers.ReLU()(x)
        x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Flatten()(x)
    names = ["latent"] if heads == 1 else ["mean", "log_var"]
    return [keras.layers.Dense(latent, name=n)(x) for n in names]


def _seed_decoder(bins: int, frames: int, latent: int, keras: Any) -> Any:
    z = keras.Input((latent,), name="latent")
    h, w = bins // 16, frames // 16
    x = keras.layers.Dense(h * w * _SEED_FILTERS[-1])(z)
    x = keras.layers.Reshape((h, w, _SEED_FILTERS[-1]))(x)
    for filters in reversed(_SEED_FILTERS[:-1]):
        x = keras.layers.Conv2DTranspose(filters, 3, strides=2, padding="same")(x)
        x = keras.layers.ReLU()(x)
        x = keras.layers.BatchNormalization()(x)
    out = keras.layers.Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid")(x)
    return keras.Model(z, out, name="decoder")


def _build(
    kind: str,
    input_shape: Any,
    latent: Any,
    preset: str,
    beta: float,
    learning_rate: float,
    seed: int,
    db_range: float = 100.0,
    sc_weight: float = 0.0,
    energy_weight: float = 0.0,
    down: Any = DEFAULT_DOWN,
) -> tuple[Any, Any, Any]:
    keras = get_keras()
    from . import gen_layers

    bins, frames, latent = _check(input_shape, latent, preset, down)
    if not (isinstance(beta, (int, float)) and beta >= 0):
        raise ParameterError(f"beta={beta!r} must be a non-negative number")
    keras.utils.set_random_seed(int(seed))
    inputs = keras.Input((bins, frames, 1), name="spectrogram")
    heads = 1 if kind == "autoencoder" else 2
    if preset == "seed":
        codes = _seed_encoder(inputs, heads, latent, keras)
        decoder = _seed_decoder(bins, frames, latent, keras)
        loss: Any = "mse"
    else:
        codes = _default_encoder(inputs, heads, latent, keras, down)
        decoder = _default_decoder(bins, frames, latent, keras, down)
        loss = gen_layers.SpectralLoss(
            db_range=db_range, sc_weight=sc_weight, energy_weight=energy_weight
        )
    encoder = keras.Model(inputs, codes[0] if heads == 1 else codes, name="encoder")
    if heads == 1:
        z = encoder(inputs)
    else:
        mean, log_var = encoder(inputs)
        z = gen_layers.Sampling(beta=beta, n_values=bins * frames, seed=seed, name="sampling")(
            mean, log_var
        )
    model = keras.Model(inputs, decoder(z), name=kind)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss)
    return model, encoder, decoder


def autoencoder(
    input_shape: tuple[int, int, int] = (256, 64, 1),
    *,
    latent: int | None = None,
    preset: str = "default",
    learning_rate: float = 1e-3,
    seed: int = 0,
    latent_dim: int | None = None,
    db_range: float = 100.0,
    energy_weight: float = DEFAULT_ENERGY_WEIGHT,
    down: tuple[int, int] = DEFAULT_DOWN,
) -> tuple[Any, Any, Any]:
    """Convolutional autoencoder of scaled spectrograms.

    Parameters
    ----------
    input_shape : (bins, frames, 1)
    latent : int, optional
        Channels of the spatial latent (``"default"``, 4) or size of the
        dense bottleneck (``"seed"``, 128). ``latent_dim`` is an alias.
    preset : {"default", "seed"}
    learning_rate : float
    seed : int
    db_range : float
        The scaler's ``high - low`` (dB), for the magnitude terms of the loss.
    energy_weight : float
        Weight of the energy-weighted error
        (:func:`~ferrosa.ml.gen_layers.energy_mse`) in the default preset's
        loss (1.0; 0 trains on the loudness-weighted MSE alone).
    down : (int, int)
        Downsampling of the default preset's latent in frequency and time
        (each 1, 2 or 4; default (2, 4)).

    Returns
    -------
    (model, encoder, decoder)
        ``model`` is compiled (Adam; loudness-weighted MSE, or MSE for
        ``"seed"``) and maps ``(batch, bins, frames, 1)`` in [0, 1] to the
        same shape; ``encoder`` gives the latent (``(batch, bins/2,
        frames/4, latent)`` by default, or ``(batch, latent)``); ``decoder`` maps latents
        back. ``model.get_layer("encoder")`` / ``"decoder"`` find them again
        after loading.
    """
    latent = latent if latent is not None else latent_dim
    return _build(
        "autoencoder",
        input_shape,
        latent,
        preset,
        0.0,
        learning_rate,
        seed,
        db_range,
        energy_weight=energy_weight,
        down=down,
    )


def vae(
    input_shape: tuple[int, int, int] = (256, 64, 1),
    *,
    latent: int | None = None,
    beta: float = DEFAULT_BETA,
    preset: str = "default",
    learning_rate: float = 1e-3,
    seed: int = 0,
    latent_dim: int | None = None,
    kl_weight: float | None = None,
    db_range: float = 100.0,
    energy_weight: float = DEFAULT_ENERGY_WEIGHT,
    down: tuple[int, int] = DEFAULT_DOWN,
) -> tuple[Any, Any, Any]:
    """Variational autoencoder of scaled spectrograms.

    The loss is the reconstruction error plus ``beta`` times the KL
    divergence of the latent posterior from N(0, I) per input value
    (:class:`~ferrosa.ml.gen_layers.Sampling`); the default 0.01 keeps
    reconstructions sharp while making the prior samplable. ``kl_weight`` and
    ``latent_dim`` are aliases of ``beta`` and ``latent``. ``db_range``,
    ``energy_weight`` and ``down`` are as for :func:`autoencoder`.

    Returns
    -------
    (model, encoder, decoder)
        ``encoder`` returns ``(mean, log_var)``, each shaped like the
        autoencoder's latent; ``decoder`` maps latents (e.g. N(0, I) samples)
        to spectrograms. In inference the model decodes the mean.
    """
    latent = latent if latent is not None else latent_dim
    beta = beta if kl_weight is None else kl_weight
    return _build(
        "vae",
        input_shape,
        latent,
        preset,
        beta,
        learning_rate,
        seed,
        db_range,
        energy_weight=energy_weight,
        down=down,
    )


def recalibrate_batchnorm(model: Any, X: np.ndarray, *, batch_size: int = 64) -> int:
    """Re-estimate every BatchNormalization layer's moving statistics on ``X``.

    After few training steps the moving averages lag the weights, so a model
    in inference mode is much worse than in training mode. This runs ``X``
    through the model in training mode with each layer's momentum set so the
    moving statistics become the running mean over all batches (the
    equal-weight average of the per-batch statistics); weights are not
    changed.

    Returns
    -------
    int
        Number of BatchNormalization layers updated (0: nothing to do).
    """
    keras = get_keras()
    layers = [
        layer for layer in _all_layers(model) if isinstance(layer, keras.layers.BatchNormalization)
    ]
    if not layers or len(X) == 0:
        return len(layers)
    saved = [layer.momentum for layer in layers]
    try:
        for i, start in enumerate(range(0, len(X), batch_size)):
            for layer in layers:
                layer.momentum = i / (i + 1.0)  # moving = running average of batch stats
            model(X[start : start + batch_size], training=True)
    finally:
        for layer, m in zip(layers, saved, strict=True):
            layer.momentum = m
    return len(layers)


def _all_layers(model: Any) -> list[Any]:
    out = []
    for layer in model.layers:
        out.append(layer)
        if hasattr(layer, "layers"):
            out.extend(_all_layers(layer))
    return out
