"""``ferrosa evaluate MODEL_DIR DATA``: segment- and clip-level accuracy of a model."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    """Add the ``evaluate`` subcommand to ``sub`` (an argparse subparsers object)."""
    p = sub.add_parser(
        "evaluate",
        help="accuracy of a trained model on a store or a folder of recordings",
        description=(
            "Evaluate MODEL_DIR on a feature store (its test split by default) or on a "
            "folder of labelled recordings, which is prepared with the model's own "
            "feature parameters and label mapping."
        ),
    )
    p.add_argument("model_dir", metavar="MODEL_DIR")
    p.add_argument("data", metavar="STORE_DIR|DATA_DIR")
    p.add_argument(
        "--split",
        default="test",
        choices=("test", "valid", "train", "all"),
        help="store split to evaluate (default test; ignored for a data folder)",
    )
    p.add_argument("--workers", type=int, default=None, help="threads to prepare a data folder")
    p.add_argument("--json", action="store_true", help="print the full result as JSON")
    p.set_defaults(func=run)


def _table(result: dict[str, Any]) -> str:
    lines = [
        f"data: {result['source']} ({result['split']})",
        f"segment accuracy {result['segment']['accuracy']:.3f} over {result['segments']} segments",
        f"clip accuracy    {result['clip']['accuracy']:.3f} over {result['clips']} clips",
        "",
        f"{'class (clip level)':<20} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}",
    ]
    for name, s in result["clip"]["per_class"].items():
        if s["support"] or s["precision"]:
            lines.append(
                f"{name:<20} {s['precision']:>9.3f} {s['recall']:>7.3f} "
                f"{s['f1']:>6.3f} {s['support']:>4d}"
            )
    lines.append(f"{'macro f1':<20} {result['clip']['macro_f1']:>25.3f}")
    skipped = result.get("skipped") or []
    if skipped:
        lines += ["", f"skipped {len(skipped)} file(s):"]
        lines += [f"  {s['path']}: {s['reason']}" for s in skipped]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Evaluate and print a table (or JSON)."""
    import json

    from ..exceptions import ParameterError
    from ..ml import evaluate

    split = None if args.split == "all" else args.split
    try:
        result = evaluate(args.model_dir, args.data, split=split, workers=args.workers)
    except ParameterError as err:
        print(f"ferrosa evaluate: error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=1) if args.json else _table(result))
    return 0
