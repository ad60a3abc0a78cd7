"""``ferrosa info STORE_DIR``: what is in a feature store."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(sub: Any) -> None:
    """Add the ``info`` subcommand to ``sub`` (an argparse subparsers object)."""
    p = sub.add_parser(
        "info",
        help="describe a feature store",
        description=(
            "Print a store's shape, feature parameters, label mapping, per-split and "
            "per-label counts, and the files that failed with their reasons."
        ),
    )
    p.add_argument("store", metavar="STORE_DIR", help="feature store (ferrosa prepare)")
    p.add_argument("--json", action="store_true", help="print meta.json instead")
    p.add_argument(
        "--export-json",
        metavar="FILE",
        default=None,
        help="also write the tutorials' data.json (mapping, labels, mfcc) to FILE",
    )
    p.add_argument(
        "--split",
        choices=("train", "valid", "test"),
        default=None,
        help="export only this split",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the summary (or meta.json); optionally export data.json."""
    from ..datasets import export_data_json, open_store
    from ..exceptions import ParameterError

    try:
        store = open_store(args.store)
        if args.export_json:
            export_data_json(store, args.export_json, split=args.split)
    except ParameterError as err:
        print(f"ferrosa info: error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(store.meta, indent=1))
    else:
        print(store.summary())
    if args.export_json:
        print(f"wrote {args.export_json}")
    return 0
