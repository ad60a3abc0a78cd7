"""``ferrosa plot-latent MODEL STORE --out latent.png``: the encoded training set in 2-D."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the ``plot-latent`` subcommand."""
    p = sub.add_parser(
        "plot-latent",
        help="2-D PCA of a generator's latent codes of a store, coloured by label",
        description="Encode STORE's split (train) with MODEL and plot the first two "
        "principal components of the codes, one colour per label.",
    )
    p.add_argument("model_dir", metavar="MODEL", help="generator directory")
    p.add_argument("store", metavar="STORE", help="logspec store")
    p.add_argument("--out", default="latent.png", help="PNG to write (latent.png)")
    p.add_argument("--split", choices=("train", "valid", "test"), default="train")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Encode, project and plot."""
    import numpy as np

    from ..exceptions import ParameterError
    from ..ml.generator import load_generator, open_generation_store
    from ..ml.plots import pyplot

    gen = load_generator(args.model_dir)
    store = open_generation_store(args.store)
    X, y, _ = store.subset(args.split)
    if len(X) < 2:
        raise ParameterError(f"split {args.split!r} of {args.store!r} has fewer than 2 segments")
    if tuple(X.shape[2:]) != (gen.meta["bins"], gen.meta["frames"]):
        raise ParameterError(
            f"store spectrograms are {tuple(X.shape[2:])}, the model takes "
            f"{(gen.meta['bins'], gen.meta['frames'])}"
        )
    codes = gen.encode(gen.scaler.transform(np.moveaxis(X, 1, -1))).reshape(len(X), -1)
    centred = codes - codes.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    xy = centred @ vt[:2].T
    share = (s[:2] ** 2).sum() / max((s**2).sum(), 1e-12)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 6))
    for k, name in enumerate(store.mapping):
        m = y == k
        if m.any():
            ax.scatter(xy[m, 0], xy[m, 1], s=10, label=name, alpha=0.7)
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    ax.set_title(f"{gen.kind} latent codes ({args.split}, {100 * share:.0f}% of variance)")
    ax.legend(fontsize=7, markerscale=2)
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    plt.close(fig)
    print(f"{args.out}: {len(X)} segments")
    return 0
