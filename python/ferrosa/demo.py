"""The end-to-end demo: ``python -m ferrosa.demo [--data DIR] [--out DIR]`` (``make demo``).

1. Synthesise the built-in instrument dataset (or use ``--data``: any layout
   :func:`ferrosa.datasets.prepare` reads).
2. Prepare a log-mel feature store with a split grouped by recording.
3. Train the default CNN (early stopping on the validation recordings).
4. Evaluate on the held-out test recordings, per segment and per clip.
5. Predict one held-out recording and print where the model and plots are.

Takes a few minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path


def _step(msg: str, t0: float) -> None:
    print(f"[{time.perf_counter() - t0:6.1f}s] {msg}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; returns an exit code."""
    parser = argparse.ArgumentParser(prog="python -m ferrosa.demo", description=__doc__)
    parser.add_argument("--data", type=Path, default=None, help="dataset folder (default: synth)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "ferrosa-demo",
        help="working directory for data, store and model (default: <tmp>/ferrosa-demo)",
    )
    parser.add_argument("--model", choices=("cnn", "mlp", "lstm"), default="cnn")
    parser.add_argument("--per-class", type=int, default=40, help="synthetic clips per class")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from . import datasets, ml
    from .datasets import synth

    t0 = time.perf_counter()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    data = args.data
    if data is None:
        data = out / "data"
        _step(f"synthesising {len(synth.CLASSES)} classes x {args.per_class} clips -> {data}", t0)
        synth.render_dataset(data, n_per_class=args.per_class, seed=args.seed)
    elif not Path(data).is_dir():
        print(f"demo: --data {data} is not a directory", file=sys.stderr)
        return 2

    store_dir, model_dir = out / "store", out / "model"
    _step(f"preparing a log-mel store (split grouped by recording) -> {store_dir}", t0)
    store = datasets.prepare(
        data,
        store_dir,
        config=datasets.FeatureConfig(**ml.recommended_features("default")),
        seed=args.seed,
        overwrite=True,
        progress=False,
    )
    counts = {s: int((store.splits == s).sum()) for s in ("train", "valid", "test")}
    print(f"         {len(store)} segments of shape {store.X.shape[1:]}, {counts}")

    _step(f"training the default {args.model.upper()} -> {model_dir}", t0)
    history = ml.train(
        store,
        model_dir,
        model=args.model,
        preset="default",
        epochs=args.epochs,
        seed=args.seed,
        overwrite=True,  # the demo's own directory, remade on every run
        progress=True,
    )
    print(f"         {len(history.history['loss'])} epochs")

    _step("evaluating on the held-out test recordings", t0)
    result = ml.evaluate(model_dir, store, split="test")
    print(
        f"         segment accuracy {result['segment']['accuracy']:.3f} "
        f"({result['segments']} segments), clip accuracy {result['clip']['accuracy']:.3f} "
        f"({result['clips']} clips)"
    )

    test_sources = sorted(set(store.sources[store.splits == "test"]))
    if test_sources:
        source = test_sources[0]
        path = Path(data) / source
        truth = store.y[store.sources == source][0]
        _step(f"predicting a held-out recording: {path}", t0)
        for label, score in ml.predict(model_dir, path, top=3):
            print(f"         {label:<16} {score:.3f}")
        print(f"         (true label: {store.mapping[int(truth)]})")

    _step("done", t0)
    print(f"model:      {model_dir}  (ferrosa predict {model_dir} FILE)")
    print(f"plots:      {model_dir / 'history.png'}, {model_dir / 'confusion.png'}")
    print(f"evaluation: {model_dir / 'evaluation.json'}")
    summary = {"segment_accuracy": result["segment"]["accuracy"]}
    summary["clip_accuracy"] = result["clip"]["accuracy"]
    (out / "demo-summary.json").write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
