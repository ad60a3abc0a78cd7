"""Keras classifiers on feature stores: build, train, evaluate, predict.

Keras 3 (any backend; ``keras.ops`` only) loads on first use of a function that needs it,
so ``import ferrosa.ml`` is cheap::

    from ferrosa import ml
    ml.train("store/", "model/")                     # the default CNN recipe
    ml.evaluate("model/", "store/")["clip"]["accuracy"]
    ml.predict("model/", "song.wav", top=3)

    # Keras-native: a store split is a keras.utils.PyDataset (or a tf.data.Dataset)
    store = ferrosa.datasets.open("store/")
    my_model.fit(store.dataset("train"), validation_data=store.dataset("valid"))

    # The saved model needs nothing but Keras (input: stored features (N, C, F, T))
    keras.saving.load_model("model/model.keras")

Submodules: :mod:`~ferrosa.ml.models` (builders ``mlp``/``cnn``/``lstm``),
:mod:`~ferrosa.ml.presets`, :mod:`~ferrosa.ml.train`,
:mod:`~ferrosa.ml.evaluate`, :mod:`~ferrosa.ml.predict`,
:mod:`~ferrosa.ml.saved` (model directories), :mod:`~ferrosa.ml.normalize`,
:mod:`~ferrosa.ml.augment`, :mod:`~ferrosa.ml.metrics`, :mod:`~ferrosa.ml.plots`;
generation: :mod:`~ferrosa.ml.generative` (autoencoder and VAE over log-magnitude
spectrograms), :mod:`~ferrosa.ml.generator` (``train_generator``,
``load_generator``: model directories with their scaler and STFT parameters),
:mod:`~ferrosa.ml.gen_layers` (registered Keras objects) and
:mod:`~ferrosa.ml.griffinlim` (= :func:`ferrosa.griffinlim`)::

    ml.train_generator("logspec-store/", "gen/", model="vae")
    gen = ml.load_generator("gen/")
    clips = gen.generate(8, seed=0)         # (8, segment_samples), -20 dBFS RMS
"""

from __future__ import annotations

import importlib
from typing import Any

# These modules import Keras only inside their functions. Importing the functions
# here also keeps them from being shadowed by their same-named submodules.
from .evaluate import evaluate, evaluate_arrays
from .export import export
from .predict import predict, predict_proba, predict_report
from .presets import MODELS, PRESETS, get_preset, recommended_features
from .saved import TrainedModel, load
from .train import fit, train

# public name -> submodule defining it (imported, with Keras, on first access)
_LAZY = {
    "mlp": "models",
    "cnn": "models",
    "lstm": "models",
    "build": "models",
    "StoreSequence": "data",
    "tf_dataset": "data",
    "train_generator": "generator",
    "load_generator": "generator",
    "Generator": "generator",
}

__all__ = [
    "MODELS",
    "PRESETS",
    "TrainedModel",
    "evaluate",
    "evaluate_arrays",
    "export",
    "fit",
    "get_preset",
    "load",
    "predict",
    "predict_proba",
    "predict_report",
    "recommended_features",
    "train",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'ferrosa.ml' has no attribute {name!r}")
