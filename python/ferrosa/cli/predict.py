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
    p.add_argument(
        "--details",
        action="store_true",
        help="with --json: {file: {ranked, warnings, level_db, peak_db, segments}}",
    )
    p.add_argument(
        "--min-score",
        type=float,
        default=None,
        help="warn when the best score is below this (default 0.5)",
    )
    p.add_argument(
        "--silence-db",
        type=float,
        default=None,
        help="warn when the RMS level is below this many dBFS (default -60)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Predict every file; a file that fails is reported and the rest go on."""
    import json

    from ..exceptions import ParameterError
    from ..ml import load
    from ..ml.predict import MIN_SCORE, SILENCE_DB, predict_report

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
            report = predict_report(
                model,
                path,
                top=args.top,
                min_score=MIN_SCORE if args.min_score is None else args.min_score,
                silence_db=SILENCE_DB if args.silence_db is None else args.silence_db,
            )
        except (ParameterError, OSError, RuntimeError) as err:
            failed += 1
            print(f"ferrosa predict: {path}: {err}", file=sys.stderr)
            continue
        ranked = report["ranked"]
        for warning in report["warnings"]:
            print(f"ferrosa predict: warning: {path}: {warning}", file=sys.stderr)
        pairs = [[label, round(score, 6)] for label, score in ranked]
        if args.details:
            results[path] = {**report, "ranked": pairs}
        else:
            results[path] = pairs
        if not args.json:
            print(path)
            for rank, (label, score) in enumerate(ranked, start=1):
                print(f"  {rank}. {label:<20} {score:.3f}")
    if args.json:
        print(json.dumps(results, indent=1))
    return 1 if failed else 0
