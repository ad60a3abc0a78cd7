"""A trained model as a self-describing directory.

Layout of ``MODEL_DIR``::

    model.keras          the Keras model (architecture + weights)
    ferrosa-model.json   {"format": "ferrosa-model", "version": 1, "model", "preset",
                          "config" (the feature store's FeatureConfig.to_dict()),
                          "mapping" (label names; class i = mapping[i]),
                          "normalizer", "input_shape" [C, F, T], "training", "versions"}

plus what training writes beside them (``history.csv``, ``best.keras``,
``history.png``, ``confusion.png``, ``evaluation.json``). Everything needed to
recompute the training features of a new recording is in the JSON file, so
:func:`ferrosa.ml.predict` never guesses a parameter. No pickles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._version import __version__
from ..exceptions import ParameterError
from .normalize import Normalizer, to_model_layout
from .presets import Preset

__all__ = ["MODEL_FILE", "META_FILE", "TrainedModel", "load"]

MODEL_FILE = "model.keras"
META_FILE = "ferrosa-model.json"
FORMAT = "ferrosa-model"
VERSION = 1


@dataclass
class TrainedModel:
    """A Keras classifier with everything needed to feed it.

    Attributes
    ----------
    model : keras.Model
        Input ``(batch, T, F, C)``, output ``(batch, len(mapping))`` probabilities.
    kind : str
        ``"mlp"``, ``"cnn"`` or ``"lstm"``.
    preset : Preset
    config : dict
        ``FeatureConfig.to_dict()`` of the store the model was trained on.
    mapping : list of str
        Label names; column ``i`` of the scores is ``mapping[i]``.
    normalizer : Normalizer
    input_shape : (C, F, T)
        Shape of one stored feature segment.
    training : dict
        Summary of the training run (store, seed, epochs, history, scores).
    """

    model: Any
    kind: str
    preset: Preset
    config: dict[str, Any]
    mapping: list[str]
    normalizer: Normalizer
    input_shape: tuple[int, int, int]
    training: dict[str, Any] = field(default_factory=dict)

    def check_features(self, X: np.ndarray) -> None:
        """Raise ParameterError unless ``X`` is (N, C, F, T) with this model's (C, F, T)."""
        if X.ndim != 4 or tuple(X.shape[1:]) != tuple(self.input_shape):
            raise ParameterError(
                f"features shaped {tuple(X.shape)} do not fit this model, which expects "
                f"(N, {', '.join(map(str, self.input_shape))}) "
                f"({self.config.get('feature')} features)"
            )

    def predict_features(self, X: np.ndarray, *, batch_size: int = 64) -> np.ndarray:
        """Class probabilities of feature segments.

        Parameters
        ----------
        X : np.ndarray, shape (N, C, F, T)
            Raw store features (unnormalised).

        Returns
        -------
        np.ndarray, shape (N, K), float32
        """
        self.check_features(X)
        from ._keras import get_keras

        to_numpy = get_keras().ops.convert_to_numpy
        out = np.empty((X.shape[0], len(self.mapping)), dtype=np.float32)
        # Direct calls in inference mode: no tf.function retracing per recording.
        for i in range(0, X.shape[0], batch_size):
            x = to_model_layout(self.normalizer.transform(np.asarray(X[i : i + batch_size])))
            out[i : i + x.shape[0]] = to_numpy(self.model(x, training=False))
        return out

    def feature_config(self) -> Any:
        """The training :class:`ferrosa.datasets.FeatureConfig`."""
        from ..datasets.config import FeatureConfig

        return FeatureConfig.from_dict(self.config)

    def metadata(self) -> dict[str, Any]:
        """The JSON document saved beside the Keras file."""
        from ._keras import get_keras

        return {
            "format": FORMAT,
            "version": VERSION,
            "model": self.kind,
            "preset": self.preset.to_dict(),
            "config": self.config,
            "mapping": list(self.mapping),
            "normalizer": self.normalizer.to_dict(),
            "input_shape": list(self.input_shape),
            "training": self.training,
            "versions": {
                "ferrosa": __version__,
                "keras": get_keras().__version__,
                "numpy": np.__version__,
            },
        }

    def save(self, model_dir: str | Path) -> Path:
        """Write ``model.keras`` and ``ferrosa-model.json`` into ``model_dir``."""
        out = Path(model_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.model.save(out / MODEL_FILE)
        tmp = out / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(self.metadata(), indent=1))
        tmp.replace(out / META_FILE)
        return out


def read_metadata(model_dir: str | Path) -> dict[str, Any]:
    """Read and check ``ferrosa-model.json`` of a model directory."""
    path = Path(model_dir)
    meta_path = path / META_FILE
    if not meta_path.is_file() or not (path / MODEL_FILE).is_file():
        raise ParameterError(
            f"model_dir={str(path)!r} is not a ferrosa model directory "
            f"(needs {MODEL_FILE} and {META_FILE})"
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise ParameterError(f"{meta_path} is corrupt (not valid JSON: {err})") from None
    if not isinstance(meta, dict):
        raise ParameterError(f"{meta_path} is corrupt (not a JSON object)")
    if meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise ParameterError(
            f"{meta_path} has format={meta.get('format')!r} version={meta.get('version')!r}; "
            f"expected {FORMAT!r} version {VERSION}"
        )
    return meta


def load(model_dir: str | Path) -> TrainedModel:
    """Load a model directory written by :meth:`TrainedModel.save` (or ``ferrosa train``)."""
    meta = read_metadata(model_dir)
    from . import layers  # noqa: F401  (registers the custom layers for deserialisation)
    from ._keras import get_keras

    keras = get_keras()
    model_path = Path(model_dir) / MODEL_FILE
    try:
        model = keras.saving.load_model(model_path, compile=False)
    except Exception as err:  # keras raises many types for a damaged archive
        raise ParameterError(
            f"{model_path} cannot be loaded (corrupt or not a Keras 3 model): "
            f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        ) from None
    meta_path = Path(model_dir) / META_FILE
    try:
        c, f, t = (int(v) for v in meta["input_shape"])
        trained = TrainedModel(
            model=model,
            kind=str(meta["model"]),
            preset=Preset.from_dict(meta["preset"]),
            config=dict(meta["config"]),
            mapping=[str(m) for m in meta["mapping"]],
            normalizer=Normalizer.from_dict(meta["normalizer"]),
            input_shape=(c, f, t),
            training=dict(meta.get("training", {})),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise ParameterError(
            f"{meta_path} is incomplete or corrupt: {type(err).__name__}: {err}"
        ) from None
    n_out = _n_outputs(model)
    if n_out is not None and n_out != len(trained.mapping):
        raise ParameterError(
            f"{meta_path} maps {len(trained.mapping)} labels but the model has {n_out} outputs"
        )
    return trained


def _n_outputs(model: Any) -> int | None:
    """Width of the model's last output axis, if it has a single output."""
    try:
        shape = model.output_shape
    except (AttributeError, ValueError, RuntimeError):
        return None
    if isinstance(shape, tuple) and shape and isinstance(shape[-1], int):
        return int(shape[-1])
    return None
