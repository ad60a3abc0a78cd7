"""Export a trained model for serving with Keras 3 ``model.export``.

The exported model takes what ``model.keras`` takes: stored feature segments
``(batch, C, F, T)`` float32, with the layout transpose and normalisation
inside. ``ferrosa-model.json`` (feature parameters, labels) is copied beside
it, so a server computes the same features (:func:`ferrosa.datasets.featurize`
or any librosa-equivalent code) and reads class names from it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..exceptions import ParameterError
from .saved import META_FILE, load

__all__ = ["FORMATS", "export"]

FORMATS = ("saved_model", "tflite")


def export(
    model_dir: str | Path,
    out: str | Path,
    *,
    format: str = "saved_model",  # noqa: A002 - the Keras name
    overwrite: bool = False,
) -> list[Path]:
    """Export ``model_dir`` as a SavedModel directory or a ``.tflite`` file.

    Parameters
    ----------
    model_dir : path
        A ferrosa model directory.
    out : path
        ``saved_model``: the directory to create. ``tflite``: the file to write
        (a path not ending in ``.tflite`` is a directory that gets ``model.tflite``).
    format : {"saved_model", "tflite"}
    overwrite : bool
        Replace an existing ``out``.

    Returns
    -------
    list of Path
        What was written (the model, then the copied metadata).

    Raises
    ------
    ParameterError
        Unknown format, existing ``out``, or an export the installed
        TensorFlow cannot do (the message says why).
    """
    if format not in FORMATS:
        raise ParameterError(f"format={format!r} must be one of {', '.join(FORMATS)}")
    from .._optional import require

    require("tensorflow", f"export --format {format}")
    trained = load(model_dir)
    out = Path(out)
    if format == "saved_model":
        target, meta_dir = out, out
    else:
        target = out if out.suffix == ".tflite" else out / "model.tflite"
        meta_dir = target.parent
    if target.exists():
        if not overwrite:
            raise ParameterError(f"{str(target)!r} already exists; pass overwrite (--overwrite)")
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    meta_dir.mkdir(parents=True, exist_ok=True)
    try:
        if format == "saved_model":
            trained.model.export(str(target), format="tf_saved_model", verbose=False)
        else:
            trained.model.export(str(target), format="litert", verbose=False)
    except (ImportError, ValueError, RuntimeError, NotImplementedError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ParameterError(
            f"export to {format} failed with this Keras/TensorFlow: {first}"
        ) from err
    meta = meta_dir / META_FILE
    shutil.copyfile(Path(model_dir) / META_FILE, meta)
    return [target, meta]
