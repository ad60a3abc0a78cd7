"""The ``ferrosa`` command.

Each subcommand lives in its own module here with a ``register(subparsers)``
function that adds its parser and sets ``func`` (called with the parsed
arguments, returning an exit code). Modules import heavy libraries inside
``func`` only, so ``ferrosa --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .._version import __version__

# Subcommand modules, in the order --help lists them.
COMMANDS = ("prepare", "info", "train", "evaluate", "predict", "export", "plot", "features")

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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
