"""``ferrosa reconstruct MODEL IN.wav OUT.wav``: audio through a trained generator."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the ``reconstruct`` subcommand."""
    p = sub.add_parser(
        "reconstruct",
        help="pass a recording through a trained generator (encode, decode, Griffin-Lim)",
        description=(
            "Load IN (resampled to the model's rate, mixed to mono), cut it into the model's "
            "segments, encode and decode each, turn the spectrograms back into audio with "
            "Griffin-Lim and write OUT (same length as the resampled input)."
        ),
    )
    p.add_argument("model_dir", metavar="MODEL", help="generator directory (train-generator)")
    p.add_argument("input", metavar="IN", help="audio file")
    p.add_argument("output", metavar="OUT", help="WAV file to write")
    p.add_argument("--n-iter", type=int, default=32, help="Griffin-Lim iterations (32)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Reconstruct and write the WAV."""
    import numpy as np

    from ..io import load
    from ..ml.generator import load_generator
    from .generate import write_wav

    gen = load_generator(args.model_dir)
    sr = int(gen.meta["sr"])
    y, _ = load(args.input, sr=sr, mono=True)
    out = gen.reconstruct(np.asarray(y, np.float32), n_iter=args.n_iter)
    write_wav(args.output, out, sr)
    print(f"{args.output}: {out.size} samples at {sr} Hz")
    return 0
