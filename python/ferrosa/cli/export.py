"""``ferrosa export MODEL_DIR OUT``: a trained model for serving (SavedModel or TFLite)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    """Add the ``export`` subcommand to ``sub`` (an argparse subparsers object)."""
    p = sub.add_parser(
        "export",
        help="export a trained model for serving (SavedModel or TFLite)",
        description=(
            "Write MODEL_DIR's model with Keras 3 model.export: a TensorFlow SavedModel "
            "directory, or a .tflite file (LiteRT). Its input is the stored feature layout "
            "(batch, C, F, T) float32, normalisation included; ferrosa-model.json (feature "
            "parameters and labels) is copied beside it. Needs TensorFlow."
        ),
    )
    p.add_argument("model_dir", metavar="MODEL_DIR")
    p.add_argument(
        "out",
        metavar="OUT",
        help="SavedModel directory, or .tflite file (a directory gets model.tflite)",
    )
    p.add_argument("--format", choices=("saved_model", "tflite"), default="saved_model")
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Export and print what was written."""
    from ..exceptions import ParameterError
    from ..ml.export import export

    try:
        written = export(args.model_dir, args.out, format=args.format, overwrite=args.overwrite)
    except ParameterError as err:
        print(f"ferrosa export: error: {err}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0
