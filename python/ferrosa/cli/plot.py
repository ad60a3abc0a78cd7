"""``ferrosa plot FILE --kind KIND --out PNG``: look at a recording.

Draws a waveform, spectrogram, mel spectrogram, MFCC, chroma or CWT
scalogram with axes (matplotlib), or with ``--image HxW`` writes the bare
feature as a fixed-size grayscale PNG, the input of image-based CNNs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

KINDS = ("wave", "spec", "mel", "mfcc", "chroma", "cwt")


def _size(text: str) -> tuple[int, int]:
    """Parse ``HxW`` (or a single number for a square)."""
    parts = text.lower().split("x")
    try:
        dims = [int(p) for p in parts]
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"--image {text!r}: expected HxW, e.g. 100x100") from err
    if len(dims) == 1:
        dims = dims * 2
    if len(dims) != 2 or min(dims) <= 0 or max(dims) > 10000:
        raise argparse.ArgumentTypeError(f"--image {text!r}: expected HxW, e.g. 100x100")
    return dims[0], dims[1]


def register(sub: Any) -> None:
    """Add the ``plot`` subcommand to ``sub`` (an argparse subparsers object)."""
    p = sub.add_parser(
        "plot",
        help="plot a recording's waveform or features",
        description=(
            "Plot a recording as a waveform, spectrogram, mel spectrogram, MFCC, chroma "
            "or CWT scalogram; with --image, write the feature alone as a fixed-size "
            "grayscale PNG (what an image CNN takes)."
        ),
    )
    p.add_argument("file", metavar="FILE", help="audio file (wav, flac, ogg, mp3)")
    p.add_argument("--kind", choices=KINDS, default="mel", help="what to draw (default: mel)")
    p.add_argument("--out", required=True, metavar="PNG", help="output image file")
    p.add_argument("--sr", type=float, default=22050, help="resample to this rate (default 22050)")
    p.add_argument("--offset", type=float, default=0.0, help="start reading at this time (s)")
    p.add_argument("--duration", type=float, default=None, help="read only this many seconds")
    p.add_argument("--hop-length", type=int, default=512, help="frame hop in samples")
    p.add_argument(
        "--wavelet",
        default="cmor1.5-1.0",
        help="CWT wavelet for --kind cwt (mexh is the Ricker wavelet; default cmor1.5-1.0)",
    )
    p.add_argument(
        "--image",
        type=_size,
        default=None,
        metavar="HxW",
        help="write the bare feature as an HxW grayscale PNG (e.g. 100x100)",
    )
    p.set_defaults(func=run)


# matplotlib's savefig formats (its canvas registry without importing it).
_PLOT_EXTENSIONS = (
    ".png",
    ".pdf",
    ".svg",
    ".svgz",
    ".jpg",
    ".jpeg",
    ".eps",
    ".ps",
    ".tif",
    ".tiff",
    ".webp",
    ".pgf",
    ".raw",
    ".rgba",
)


def check_output(path: str, *, image: bool) -> None:
    """Refuse an output path that cannot be written, before any work.

    ``--image`` writes PNG only; plots take matplotlib's formats.
    """
    import errno
    import os
    from pathlib import Path

    from ..exceptions import ParameterError

    out = Path(path)
    allowed = (".png",) if image else _PLOT_EXTENSIONS
    if out.suffix.lower() not in allowed:
        raise ParameterError(
            f"--out {path!r}: unknown image extension {out.suffix or '(none)'!r}; "
            f"use one of {', '.join(allowed)}"
        )
    if out.is_dir():
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(out))
    parent = out.parent if str(out.parent) else Path(".")
    for p in (parent, *parent.parents):
        if p.exists():
            if not p.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(p))
            break
    if not parent.exists():
        raise FileNotFoundError(errno.ENOENT, "No such directory", str(parent))
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise PermissionError(errno.EACCES, "Permission denied", str(out))


def run(args: argparse.Namespace) -> int:
    """Load the file, compute the feature and write the picture."""
    from ..exceptions import ParameterError
    from ..io import load

    check_output(args.out, image=args.image is not None)
    try:
        y, sr = load(args.file, sr=args.sr, offset=args.offset, duration=args.duration)
    except (RuntimeError, ValueError) as err:
        if isinstance(err, ParameterError) and "not finite" in str(err):
            err = ParameterError("the audio holds NaN or infinite samples")
        print(f"ferrosa plot: error: cannot read {args.file}: {err}", file=sys.stderr)
        return 1
    try:
        if args.image is not None:
            if args.kind == "wave":
                raise ParameterError("--image needs a feature kind, not 'wave'")
            from ..plotting import compute_feature, save_feature_image

            feat = compute_feature(
                y, sr, args.kind, hop_length=args.hop_length, wavelet=args.wavelet
            )
            save_feature_image(args.out, feat.data, size=args.image)
        else:
            from ..display import save_plot

            save_plot(
                y,
                args.out,
                sr=sr,
                kind=args.kind,
                hop_length=args.hop_length,
                wavelet=args.wavelet,
            )
    except ParameterError as err:
        print(f"ferrosa plot: {err}", file=sys.stderr)
        return 2
    print(args.out)
    return 0
