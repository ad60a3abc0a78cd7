"""Import Keras quietly, once, or say in one line how to install it.

Every module of :mod:`ferrosa.ml` that needs Keras calls :func:`get_keras`
inside its functions, so importing those modules (and the CLI) stays cheap.
The backend is Keras' own choice (``KERAS_BACKEND``, else ``~/.keras/keras.json``,
else TensorFlow); ferrosa's models and data use ``keras.ops`` only, so JAX
or PyTorch run them too. Only :func:`ferrosa.ml.data.tf_dataset` and the
``tflite``/``saved_model`` exports need TensorFlow.
"""

from __future__ import annotations

import os
from types import ModuleType

from .._optional import MissingDependency


def get_keras() -> ModuleType:
    """Return the ``keras`` module (Keras 3).

    Raises
    ------
    MissingDependency
        Keras, or the backend it is configured for, is not installed.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's start-up chatter
    try:
        import keras
    except ImportError as err:
        name = (getattr(err, "name", None) or "").split(".")[0]
        if name in ("", "keras"):
            raise MissingDependency(
                "ferrosa.ml needs keras, which is not installed: pip install 'ferrosa[ml]'"
            ) from None
        backend = os.environ.get("KERAS_BACKEND", "tensorflow")
        raise MissingDependency(
            f"Keras' backend {backend!r} needs {name}, which is not installed: "
            "pip install 'ferrosa[ml]' (TensorFlow), or set KERAS_BACKEND=jax|torch "
            "to a backend you have"
        ) from None
    if int(keras.__version__.split(".")[0]) < 3:
        raise MissingDependency(
            f"ferrosa.ml needs Keras 3, found {keras.__version__}: pip install 'ferrosa[ml]'"
        )
    return keras
