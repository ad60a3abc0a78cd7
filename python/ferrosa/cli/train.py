"""``ferrosa train STORE_DIR MODEL_DIR``: train a classifier on a feature store."""

from __future__ import annotations

import argparse
import sys
from typing import Any

MODELS = ("cnn", "mlp", "lstm")
PRESETS = ("default", "seed")


def register(sub: Any) -> None:
    """Add the ``train`` subcommand to ``sub`` (an argparse subparsers object)."""
    p = sub.add_parser(
        "train",
        help="train a classifier on a feature store",
        description=(
            "Train on the store's train split with early stopping on valid, evaluate on "
            "test, and write MODEL_DIR: model.keras (takes the stored features; loads with "
            "plain keras.saving.load_model), ferrosa-model.json (feature parameters, label "
            "mapping, normalisation), history.csv, evaluation.json, history.png and "
            "confusion.png. Prints one line per epoch (-q: none). The store must hold the "
            "features the preset was designed for (`ferrosa prepare` makes the default "
            "preset's by default)."
        ),
    )
    p.add_argument("store", metavar="STORE_DIR", help="feature store (ferrosa prepare)")
    p.add_argument("model_dir", metavar="MODEL_DIR", help="output directory")
    p.add_argument("--model", choices=MODELS, default=None, help="architecture (default cnn)")
    p.add_argument(
        "--preset",
        choices=PRESETS,
        default=None,
        help="default: ferrosa's recipe (log-mel); seed: the tutorial architecture and "
        "training (MFCC)",
    )
    p.add_argument("--epochs", type=int, default=None, help="maximum epochs (preset's if unset)")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--seed", type=int, default=None, help="random seed (default 0)")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    run_mode = p.add_mutually_exclusive_group()
    run_mode.add_argument("--overwrite", action="store_true", help="replace an existing MODEL_DIR")
    run_mode.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted training in MODEL_DIR from its last epoch",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="train the preset even on features it was not designed for",
    )
    talk = p.add_mutually_exclusive_group()
    talk.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    talk.add_argument("-v", "--verbose", action="store_true", help="Keras' own progress bar too")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Train, then print where everything went and the test scores."""
    import json
    from pathlib import Path

    from ..exceptions import ParameterError
    from ..ml import train

    try:
        history = train(
            args.store,
            args.model_dir,
            model=args.model,
            preset=args.preset,
            epochs=args.epochs,
            batch_size=args.batch_size,
            seed=args.seed,
            plots=not args.no_plots,
            verbose=1 if args.verbose else 0,
            progress=not args.quiet,
            overwrite=args.overwrite,
            resume=args.resume,
            force=args.force,
        )
    except ParameterError as err:
        print(f"ferrosa train: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            f"ferrosa train: interrupted; continue with: ferrosa train {args.store} "
            f"{args.model_dir} --resume",
            file=sys.stderr,
        )
        return 130
    out = Path(args.model_dir)
    meta = json.loads((out / "ferrosa-model.json").read_text())
    epochs = len(history.history.get("loss", []))
    print(f"trained {meta['model']}/{meta['preset']['name']} for {epochs} epochs -> {out}")
    ev_path = out / "evaluation.json"
    if ev_path.is_file():
        ev = json.loads(ev_path.read_text())
        print(
            f"{ev['split']} split: segment accuracy {ev['segment']['accuracy']:.3f} "
            f"({ev['segments']} segments), clip accuracy {ev['clip']['accuracy']:.3f} "
            f"({ev['clips']} clips)"
        )
    for name in ("model.keras", "history.png", "confusion.png", "history.csv"):
        if (out / name).is_file():
            print(f"  {out / name}")
    return 0
