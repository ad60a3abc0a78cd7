"""Import Keras on the TensorFlow backend, quietly, once.

Every module of :mod:`ferrosa.ml` that needs Keras calls :func:`get_keras`
inside its functions, so importing those modules (and the CLI) stays cheap.
"""

from __future__ import annotations

import os
from types import ModuleType


def get_keras() -> ModuleType:
    """Return the ``keras`` module, selecting the TensorFlow backend if unset."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's start-up chatter
    import keras

    return keras
