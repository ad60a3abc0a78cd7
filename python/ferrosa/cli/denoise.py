"""``ferrosa denoise IN.wav OUT.wav``: spectral-gating noise reduction of a file."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    """Add the ``denoise`` subcommand to ``sub`` (an argparse subparsers object)."""
    p = sub.add_parser(
        "denoise",
        help="remove background noise (spectral gating, noisereduce's algorithm)",
        description=(
            "Denoise a recording by spectral gating (ferrosa.effects.reduce_noise): "
            "non-stationary by default, stationary with --stationary (noise statistics "
            "from --noise, else from the recording itself). Channels and the sample "
            "rate are kept; the output is written as float32 WAV."
        ),
    )
    p.add_argument("input", metavar="IN", help="input audio file")
    p.add_argument("output", metavar="OUT", help="output WAV file")
    p.add_argument("--noise", metavar="NOISE", default=None, help="noise-only clip")
    p.add_argument("--stationary", action="store_true", help="stationary gating")
    p.add_argument("--prop-decrease", type=float, default=1.0, help="share of noise removed")
    p.add_argument("--n-fft", type=int, default=1024, help="STFT size (default 1024)")
    p.add_argument("--time-constant", type=float, default=2.0, help="non-stationary floor, seconds")
    p.add_argument(
        "--n-std", type=float, default=1.5, help="stationary threshold in standard deviations"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read, denoise, write; 2 on bad input."""
    import numpy as np

    from .._optional import require
    from ..effects import reduce_noise
    from ..exceptions import ParameterError
    from ..io import load

    sf = require("soundfile", "ferrosa denoise")
    try:
        y, sr = load(args.input, sr=None, mono=False)
        y_noise, sr_noise = (None, None)
        if args.noise is not None:
            y_noise, sr_noise = load(args.noise, sr=None, mono=False)
        out = reduce_noise(
            y,
            sr,
            stationary=args.stationary,
            y_noise=y_noise,
            sr_noise=sr_noise,
            prop_decrease=args.prop_decrease,
            n_fft=args.n_fft,
            time_constant_s=args.time_constant,
            n_std_thresh_stationary=args.n_std,
        )
    except ParameterError as err:
        print(f"ferrosa denoise: error: {err}", file=sys.stderr)
        return 2
    sf.write(args.output, np.asarray(out, dtype=np.float32).T, int(sr), subtype="FLOAT")
    print(f"wrote {args.output} ({out.shape[-1] / sr:.2f} s at {sr} Hz)")
    return 0
