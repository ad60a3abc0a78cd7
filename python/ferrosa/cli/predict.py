"""``ferrosa predict MODEL_DIR FILE...``: ranked classes for recordings."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    """Add the ``predict`` subcommand to ``sub`` (an argparse subparsers object)."""
    p = sub.add_parser(
        "predict",
        help="ranked class scores for recordings of any length",
        description=(
            "Load each FILE (any rate or channel count), cut it into the model's "
            "segments, score each and average: a ranked table per file."
        ),
    )
    p.add_argument("model_dir", metavar="MODEL_DIR")
    p.add_argument("files", metavar="FILE", nargs="+")
    p.add_argument("--top", type=int, default=3, help="classes to show per file (default 3)")
    p.add_argument("--json", action="store_true", help="print {file: [[label, score], ...]}")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Predict every file; a file that fails is reported and the rest go on."""
    import json

    from ..exceptions import ParameterError
    from ..ml import load, predict

    if args.top <= 0:
        print(f"ferrosa predict: error: --top={args.top} must be positive", file=sys.stderr)
        return 2
    try:
        model = load(args.model_dir)
    except ParameterError as err:
        print(f"ferrosa predict: error: {err}", file=sys.stderr)
        return 2
    results: dict[str, Any] = {}
    failed = 0
    for path in args.files:
        try:
            ranked = predict(model, path, top=args.top)
        except (ParameterError, OSError, RuntimeError) as err:
            failed += 1
            print(f"ferrosa predict: {path}: {err}", file=sys.stderr)
            continue
        results[path] = [[label, round(score, 6)] for label, score in ranked]
        if not args.json:
            print(path)
            for rank, (label, score) in enumerate(ranked, start=1):
                print(f"  {rank}. {label:<20} {score:.3f}")
    if args.json:
        print(json.dumps(results, indent=1))
    return 1 if failed else 0
