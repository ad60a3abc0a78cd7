"""Train, save, load and use a sound generator (autoencoder or VAE).

Layout of ``MODEL_DIR``::

    model.keras              the inference model: (batch, bins, frames, 1) scaled
                             log spectrograms in [0, 1] -> the same (encoder,
                             for a VAE its mean, decoder; layers "encoder" and
                             "decoder"); standard layers only, so it loads with
                             plain ``keras.saving.load_model``
    ferrosa-generator.json   {"format": "ferrosa-generator", "version": 1, "kind"
                             ("ae" | "vae"), "preset", "latent", "beta", "scaler"
                             {"low", "high"} (dB, fitted on the train split), "sr",
                             "n_fft", "hop_length", "bins", "frames",
                             "segment_samples", "segment_seconds", "config" (the
                             store's FeatureConfig), "mapping", "training", "versions"}
    latent-prior.npz         (autoencoders) mean and centred training latents: the
                             Gaussian that ``generate`` samples
    history.csv, history.png training curves

Everything needed to turn audio into model input and back is in the JSON
file, so :func:`load_generator` never guesses.
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..datasets.recipes import GENERATE_COMMAND
from ..exceptions import ParameterError
from .generative import DEFAULT_BETA, SpectrogramScaler, log_spectrogram, to_audio

__all__ = ["GENERATOR_FILE", "KINDS", "Generator", "load_generator", "train_generator"]

MODEL_FILE = "model.keras"
GENERATOR_FILE = "ferrosa-generator.json"
PRIOR_FILE = "latent-prior.npz"
FORMAT = "ferrosa-generator"
VERSION = 1
KINDS = ("ae", "vae")
#: RMS of generated clips (-20 dBFS), peaks kept below 0.99.
TARGET_RMS = 0.1


def _store_arrays(store: Any) -> dict[str, np.ndarray]:
    """Per split: (n, bins, frames, 1) dB spectrograms."""
    out = {}
    for split in ("train", "valid", "test"):
        X, _, _ = store.subset(split)
        out[split] = np.ascontiguousarray(np.moveaxis(X, 1, -1), dtype=np.float32)
    return out


def open_generation_store(path: str | Path) -> Any:
    """Open a store and check it holds generation spectrograms (feature logspec)."""
    from ..datasets import open_store

    store = open_store(path)
    if store.config.feature != "logspec" or "scaler" not in store.meta:
        raise ParameterError(
            f"store {str(path)!r} holds feature {store.config.feature!r}; generators need "
            f"a logspec store: {GENERATE_COMMAND} (logspec, n_fft 512, hop 256, 0.74 s)"
        )
    if store.X.shape[1] != 1:
        raise ParameterError(f"store {str(path)!r} has {store.X.shape[1]} channels; use mono")
    return store


@dataclass
class Generator:
    """A trained generator with everything needed to feed it and hear it.

    Attributes
    ----------
    model : keras.Model
        Scaled spectrograms ``(batch, bins, frames, 1)`` -> reconstructions.
    meta : dict
        The ``ferrosa-generator.json`` contents.
    prior : (mean, centred codes) or None
        The autoencoder's Gaussian over training latents.
    """

    model: Any
    meta: dict[str, Any]
    prior: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def kind(self) -> str:
        return str(self.meta["kind"])

    @property
    def scaler(self) -> SpectrogramScaler:
        s = self.meta["scaler"]
        return SpectrogramScaler(low=float(s["low"]), high=float(s["high"]))

    @property
    def encoder(self) -> Any:
        return self.model.get_layer("encoder")

    @property
    def decoder(self) -> Any:
        return self.model.get_layer("decoder")

    @property
    def latent_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.decoder.input_shape[1:])

    def spectrograms(self, y: np.ndarray) -> np.ndarray:
        """dB spectrograms ``(n_seg, bins, frames)`` of consecutive segments of ``y``.

        ``y`` (at ``meta["sr"]``) is cut into segments of ``segment_samples``,
        the last one zero-padded.
        """
        n = int(self.meta["segment_samples"])
        y = np.asarray(y, dtype=np.float32)
        if y.ndim != 1 or y.size == 0:
            raise ParameterError(f"audio must be mono and non-empty, got shape {y.shape}")
        n_seg = -(-y.size // n)
        padded = np.zeros(n_seg * n, np.float32)
        padded[: y.size] = y
        kw = {"n_fft": self.meta["n_fft"], "hop_length": self.meta["hop_length"]}
        return np.stack(
            [
                log_spectrogram(padded[i * n : (i + 1) * n], frames=self.meta["frames"], **kw)
                for i in range(n_seg)
            ]
        )

    def encode(self, scaled: np.ndarray, *, batch_size: int = 64) -> np.ndarray:
        """Latent codes (the posterior mean for a VAE) of scaled spectrograms."""
        codes = self.encoder.predict(_as_input(scaled), batch_size=batch_size, verbose=0)
        return np.asarray(codes[0] if isinstance(codes, list) else codes)

    def decode(self, codes: np.ndarray, *, batch_size: int = 64) -> np.ndarray:
        """Scaled spectrograms ``(n, bins, frames)`` of latent codes."""
        out = self.decoder.predict(np.asarray(codes, np.float32), batch_size=batch_size, verbose=0)
        return np.asarray(out)[..., 0]

    def reconstruct_spectrograms(self, scaled: np.ndarray, *, batch_size: int = 64) -> np.ndarray:
        """The model's reconstruction (inference mode) of scaled spectrograms."""
        out = self.model.predict(_as_input(scaled), batch_size=batch_size, verbose=0)
        return np.asarray(out)[..., 0]

    def to_audio(
        self, scaled: np.ndarray, *, n_iter: int = 32, random_state: Any = 0
    ) -> np.ndarray:
        """Audio ``(segment_samples,)`` of one scaled spectrogram (Griffin-Lim)."""
        return to_audio(
            scaled,
            self.scaler,
            hop_length=int(self.meta["hop_length"]),
            n_iter=n_iter,
            length=int(self.meta["segment_samples"]),
            random_state=random_state,
        )

    def reconstruct(self, y: np.ndarray, *, n_iter: int = 32) -> np.ndarray:
        """Audio through the model: segments -> model -> Griffin-Lim; ``len(y)`` samples."""
        y = np.asarray(y, dtype=np.float32)
        specs = self.scaler.transform(self.spectrograms(y))
        rebuilt = self.reconstruct_spectrograms(specs)
        audio = np.concatenate([self.to_audio(s, n_iter=n_iter) for s in rebuilt])
        return audio[: y.size]

    def sample_latents(
        self, n: int, *, seed: int | None = None, temperature: float = 1.0
    ) -> np.ndarray:
        """``n`` latents from the prior: N(0, I) (VAE) or the training latents' Gaussian (AE).

        ``temperature`` scales the prior's standard deviation (around the AE
        prior's mean): 1 samples the prior itself, below 1 stays nearer its
        centre (cleaner, less varied clips), 0 decodes the centre alone.
        """
        t = _check_temperature(temperature)
        rng = np.random.default_rng(seed)
        shape = self.latent_shape
        if self.kind == "vae" or self.prior is None:
            return (t * rng.standard_normal((n, *shape))).astype(np.float32)
        mean, centred = self.prior
        # mean + centred.T @ z / sqrt(m - 1) has the training latents' mean and covariance.
        m = centred.shape[0]
        z = t * rng.standard_normal((n, m))
        flat = mean.reshape(1, -1) + z @ centred.reshape(m, -1) / np.sqrt(max(m - 1, 1))
        return flat.reshape((n, *shape)).astype(np.float32)

    def generate(
        self,
        n: int = 8,
        *,
        seed: int | None = None,
        n_iter: int = 32,
        temperature: float = 1.0,
    ) -> np.ndarray:
        """``n`` clips ``(n, segment_samples)`` sampled from the prior, loudness-normalised.

        ``temperature``: see :meth:`sample_latents` (1, the prior itself).
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
            raise ParameterError(f"n={n!r} must be a positive integer")
        latents = self.sample_latents(int(n), seed=seed, temperature=temperature)
        specs = self.decode(latents)
        clips = [self.to_audio(s, n_iter=n_iter, random_state=seed) for s in specs]
        return np.stack([normalise_loudness(c) for c in clips])

    def save(self, model_dir: str | Path) -> Path:
        """Write ``model.keras``, ``ferrosa-generator.json`` (and the AE prior)."""
        out = Path(model_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.model = inference_model(self.model, self.kind)
        self.model.save(out / MODEL_FILE)
        (out / GENERATOR_FILE).write_text(json.dumps(self.meta, indent=1), encoding="utf-8")
        if self.prior is not None:
            np.savez(out / PRIOR_FILE, mean=self.prior[0], centred=self.prior[1])
        return out


def inference_model(model: Any, kind: str) -> Any:
    """The model as used after training: encoder -> (VAE: mean) -> decoder.

    Built from standard Keras layers only (no sampling layer, no custom
    loss, not compiled), so the saved ``model.keras`` loads with plain
    ``keras.saving.load_model`` in any process. Shares the weights.
    """
    from ._keras import get_keras

    keras = get_keras()
    encoder, decoder = model.get_layer("encoder"), model.get_layer("decoder")
    inputs = keras.Input(tuple(model.input_shape[1:]), name="spectrogram")
    code = encoder(inputs)
    if kind == "vae":
        code = code[0]  # the posterior mean
    return keras.Model(inputs, decoder(code), name=f"{kind}_inference")


def normalise_loudness(y: np.ndarray, rms: float = TARGET_RMS) -> np.ndarray:
    """Scale ``y`` to RMS ``rms`` (peaks kept below 0.99); silence stays silence."""
    y = np.asarray(y, dtype=np.float32)
    level = float(np.sqrt(np.mean(np.square(y, dtype=np.float64))))
    if level <= 1e-9:
        return y
    gain = rms / level
    peak = float(np.max(np.abs(y))) * gain
    if peak > 0.99:
        gain *= 0.99 / peak
    return (y * gain).astype(np.float32)


def _check_temperature(temperature: Any) -> float:
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.floating)):
        raise ParameterError(f"temperature={temperature!r} must be a number >= 0")
    t = float(temperature)
    if not (np.isfinite(t) and t >= 0):
        raise ParameterError(f"temperature={temperature!r} must be a finite number >= 0")
    return t


def _as_input(scaled: np.ndarray) -> np.ndarray:
    x = np.asarray(scaled, dtype=np.float32)
    return x[..., None] if x.ndim == 3 else x


def load_generator(model_dir: str | Path) -> Generator:
    """Load a directory written by :func:`train_generator` (or :meth:`Generator.save`).

    The directory and its ``ferrosa-generator.json`` are checked before Keras
    is imported, so a wrong path fails at once with one line.
    """
    path = Path(model_dir)
    meta_path, model_path = path / GENERATOR_FILE, path / MODEL_FILE
    if not path.is_dir():
        raise ParameterError(
            f"{str(path)!r} is not a generator directory (model.keras and {GENERATOR_FILE} "
            "from ferrosa train-generator STORE MODEL)"
        )
    for p in (meta_path, model_path):
        if not p.is_file():
            raise ParameterError(
                f"{str(path)!r} is not a generator directory: {p.name} is missing "
                "(train one with ferrosa train-generator STORE MODEL)"
            )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ParameterError(f"{str(meta_path)!r} cannot be read: {err}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ParameterError(f"{str(meta_path)!r} is not a {FORMAT} file")
    from . import gen_layers  # noqa: F401  (registers the custom objects)
    from ._keras import get_keras

    model = get_keras().saving.load_model(model_path, compile=False)
    prior = None
    if (path / PRIOR_FILE).is_file():
        with np.load(path / PRIOR_FILE) as z:
            prior = (z["mean"], z["centred"])
    return Generator(model=model, meta=meta, prior=prior)


def _time_budget(minutes: float, keras: Any) -> Any:
    class TimeBudget(keras.callbacks.Callback):  # type: ignore[misc,name-defined]
        """Stop after the epoch that exceeds the budget."""

        def on_train_begin(self, logs: Any = None) -> None:
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if time.perf_counter() - self.start > 60.0 * minutes:
                self.model.stop_training = True

    return TimeBudget()


def train_generator(
    store_dir: str | Path,
    model_dir: str | Path,
    *,
    model: str = "ae",
    preset: str = "default",
    epochs: int | None = None,
    latent: int | None = None,
    beta: float | None = None,
    batch_size: int = 16,
    learning_rate: float = 3e-3,
    minutes: float | None = 12.0,
    patience: int = 15,
    seed: int = 0,
    progress: bool = True,
    plots: bool = True,
    overwrite: bool = False,
    max_train: int | None = None,
    floor_db: float | None = 80.0,
    energy_weight: float | None = None,
    down: tuple[int, int] | None = None,
    lr_patience: int = 4,
) -> Generator:
    """Train an autoencoder or VAE on a logspec store and save it to ``model_dir``.

    Parameters
    ----------
    store_dir : path
        A store from ``ferrosa prepare ... --feature logspec`` (its train-split
        scaler is used as is).
    model_dir : path
        Output directory (must not exist unless ``overwrite``).
    model : {"ae", "vae"}
    preset : {"default", "seed"}
    epochs : int, optional
        Maximum epochs (default 200; the time budget and early stopping on
        the valid split usually end sooner; best weights are kept).
    latent, beta
        See :func:`ferrosa.ml.generative.autoencoder` / ``vae``.
    learning_rate : float
        Adam's initial rate, halved whenever the monitored loss has not
        improved for ``lr_patience`` epochs.
    minutes : float or None
        Wall-clock budget; training stops after the epoch that exceeds it.
    patience : int
        Early stopping: epochs without improvement before training ends.
    max_train : int, optional
        Use at most this many training segments (quick tests).
    floor_db : float or None
        The scaler's range is at most this many dB below the training
        maximum (values below are clipped to the floor; ``None``: the store's
        minimum). 80 dB spends the model's resolution on what is audible.
    energy_weight, down
        Default preset only: see :func:`ferrosa.ml.generative.autoencoder`
        (defaults ``DEFAULT_ENERGY_WEIGHT`` and ``DEFAULT_DOWN``).

    Returns
    -------
    Generator
    """
    from . import generative
    from ._keras import get_keras

    if model not in KINDS:
        raise ParameterError(f"model={model!r} must be one of {', '.join(KINDS)}")
    if preset not in generative.PRESETS:
        raise ParameterError(f"preset={preset!r} must be one of {', '.join(generative.PRESETS)}")
    out = Path(model_dir)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ParameterError(f"{str(out)!r} already exists (pass overwrite / --overwrite)")
    store = open_generation_store(store_dir)
    keras = get_keras()
    stored = store.meta["scaler"]
    low, high = float(stored["low"]), float(stored["high"])
    if floor_db is not None:
        if not floor_db > 0:
            raise ParameterError(f"floor_db={floor_db!r} must be positive (or None)")
        low = max(low, high - float(floor_db))
    scaler = SpectrogramScaler(low=low, high=high)
    arrays = {k: scaler.transform(v) for k, v in _store_arrays(store).items()}
    X, V = arrays["train"], arrays["valid"]
    if max_train is not None:
        X = X[:max_train]
    if len(X) == 0:
        raise ParameterError(f"store {str(store_dir)!r} has no training segments")
    beta = DEFAULT_BETA if beta is None else float(beta)
    build = generative.autoencoder if model == "ae" else generative.vae
    kwargs: dict[str, Any] = {"latent": latent, "preset": preset, "seed": seed}
    kwargs["learning_rate"] = learning_rate
    kwargs["db_range"] = scaler.high - scaler.low
    if preset == "default":
        kwargs["energy_weight"] = (
            generative.DEFAULT_ENERGY_WEIGHT if energy_weight is None else float(energy_weight)
        )
        kwargs["down"] = generative.DEFAULT_DOWN if down is None else tuple(down)
    if model == "vae":
        kwargs["beta"] = beta
    net, _, _ = build(X.shape[1:], **kwargs)
    epochs = 200 if epochs is None else int(epochs)
    callbacks: list[Any] = []
    if progress:
        from .progress import EpochProgress

        callbacks.append(EpochProgress(epochs))
    monitor = "val_loss" if len(V) else "loss"
    callbacks.append(
        keras.callbacks.EarlyStopping(monitor=monitor, patience=patience, restore_best_weights=True)
    )
    callbacks.append(
        keras.callbacks.ReduceLROnPlateau(
            monitor=monitor, factor=0.5, patience=lr_patience, min_lr=learning_rate / 64
        )
    )
    if minutes is not None:
        callbacks.append(_time_budget(float(minutes), keras))
    t0 = time.perf_counter()
    history = net.fit(
        X,
        X,
        validation_data=(V, V) if len(V) else None,
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        callbacks=callbacks,
        verbose=0,
    )
    seconds = time.perf_counter() - t0
    recalibrated = generative.recalibrate_batchnorm(net, X)
    cfg = store.config
    gen = Generator(
        model=net,
        meta={
            "format": FORMAT,
            "version": VERSION,
            "kind": model,
            "preset": preset,
            "latent": list(net.get_layer("decoder").input_shape[1:]),
            "beta": beta if model == "vae" else None,
            "scaler": {
                **scaler.to_dict(),
                "fitted_on": stored.get("fitted_on"),
                "floor_db": floor_db,
                "store_low": float(stored["low"]),
            },
            "sr": cfg.sr,
            "n_fft": cfg.n_fft,
            "hop_length": cfg.hop_length,
            "bins": int(X.shape[1]),
            "frames": int(X.shape[2]),
            "segment_samples": cfg.segment_samples,
            "segment_seconds": cfg.segment_seconds,
            "config": cfg.to_dict(),
            "mapping": list(store.mapping),
            "training": {
                "epochs": len(history.history.get("loss", [])),
                "seconds": round(seconds, 1),
                "train_segments": int(len(X)),
                "valid_segments": int(len(V)),
                "batch_size": batch_size,
                "learning_rate": learning_rate,
                **{k: kwargs[k] for k in ("energy_weight", "down") if k in kwargs},
                "best_" + monitor: float(np.min(history.history[monitor])),
                "batchnorm_recalibrated": recalibrated,
                "store": str(store_dir),
            },
            "versions": {"ferrosa": __version__, "keras": keras.__version__},
        },
    )
    if model == "ae":
        codes = gen.encode(X).reshape(len(X), -1)
        mean = codes.mean(axis=0)
        gen.prior = (mean.reshape(gen.latent_shape), (codes - mean).astype(np.float32))
    gen.save(out)
    _write_history(history.history, out, plots)
    return gen


def _write_history(hist: dict[str, list[float]], out: Path, plots: bool) -> None:
    keys = sorted(hist)
    with (out / "history.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["epoch", *keys])
        for i in range(len(hist.get("loss", []))):
            w.writerow([i + 1, *(hist[k][i] for k in keys)])
    if plots:
        from .plots import pyplot

        plt = pyplot()
        fig, ax = plt.subplots(figsize=(7, 4))
        for key, label in (("loss", "train"), ("val_loss", "validation")):
            if hist.get(key):
                ax.plot(np.arange(1, len(hist[key]) + 1), hist[key], label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "history.png", dpi=100)
        plt.close(fig)
