"""The ``ferrosa`` command.

Each subcommand lives in its own module here with a ``register(subparsers)``
function that adds its parser and sets ``func`` (called with the parsed
arguments, returning an exit code). Modules import heavy libraries inside
``func`` only, so ``ferrosa --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from .._version import __version__

# Subcommand modules, in the order --help lists them.
COMMANDS = (
    "prepare",
    "info",
    "train",
    "evaluate",
    "predict",
    "export",
    "plot",
    "features",
    "denoise",
    "train_generator",
    "reconstruct",
    "generate",
    "plot_latent",
)

DESCRIPTION = """\
ferrosa: librosa-compatible audio features from a Rust core, feature datasets
with leakage-free splits, and Keras classifiers evaluated per recording.

typical run (the defaults are the best recipe):
  ferrosa prepare DATA_DIR STORE_DIR                    # recordings -> 64-band log-mel store
  ferrosa info STORE_DIR                                # what is in a store
  ferrosa train STORE_DIR MODEL_DIR                     # default CNN; curves and confusion PNGs
  ferrosa evaluate MODEL_DIR STORE_DIR                  # segment- and clip-level accuracy
  ferrosa predict MODEL_DIR song.wav --top 3            # ranked classes for a recording
  ferrosa export MODEL_DIR OUT --format saved_model     # for serving (or --format tflite)
  ferrosa plot song.wav --kind mel --out mel.png        # look at a recording

sound generation:
  ferrosa prepare DATA STORE --feature logspec --n-fft 512 --hop-length 256 --segment-seconds 0.74
  ferrosa train-generator STORE MODEL --model vae       # autoencoder (ae) or VAE
  ferrosa reconstruct MODEL in.wav out.wav              # through the model and back
  ferrosa generate MODEL OUTDIR --n 8 --seed 0          # new clips from the prior
  ferrosa plot-latent MODEL STORE --out latent.png      # the latent space by label
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="ferrosa",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ferrosa {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as err:
            if err.name == f"{__name__}.{name}":
                continue  # subcommand not built into this version
            raise
        module.register(sub)
    return parser


def _describe(err: BaseException) -> tuple[str, int]:
    """One line for a known exception and the exit code it gives."""
    import json

    from ..exceptions import FileTypeError, ParameterError

    if isinstance(err, OSError) and err.filename is not None and not isinstance(err, FileTypeError):
        what = {
            FileNotFoundError: "no such file or directory",
            IsADirectoryError: "is a directory",
            NotADirectoryError: "a parent of the path is not a directory",
            PermissionError: "permission denied",
            FileExistsError: "already exists",
        }.get(type(err), (err.strerror or str(err)).lower())
        return f"{type(err).__name__}: {err.filename}: {what}", 1
    if isinstance(err, FileTypeError):
        return f"{type(err).__name__}: {err}", 1
    if isinstance(err, json.JSONDecodeError):
        return f"corrupt JSON: {err}", 2
    if isinstance(err, ParameterError):
        return str(err), 2
    if isinstance(err, MemoryError):
        return f"out of memory: {err}", 1
    if isinstance(err, OSError):
        return f"{type(err).__name__}: {err}", 1
    text = str(err).splitlines()[0] if str(err) else ""
    return f"{type(err).__name__}: {text}", 2 if isinstance(err, ValueError) else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code.

    Every error ends as one line on stderr (``ferrosa CMD: error: ...``) and a
    non-zero exit: 2 for invalid arguments or data, 1 for files that cannot
    be read or written and other failures, 130 for Ctrl-C. Set
    ``FERROSA_DEBUG=1`` to get the traceback instead.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from .._optional import MissingDependency

    try:
        return int(args.func(args) or 0)
    except MissingDependency as err:
        print(f"ferrosa {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        if os.environ.get("FERROSA_DEBUG"):
            raise
        line, code = _describe(err)
        print(f"ferrosa {args.command}: error: {line}", file=sys.stderr)
        return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
