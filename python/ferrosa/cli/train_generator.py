"""``ferrosa train-generator STORE MODEL``: train an autoencoder or VAE on a logspec store."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the ``train-generator`` subcommand."""
    p = sub.add_parser(
        "train-generator",
        help="train a sound generator (autoencoder or VAE) on a logspec store",
        description=(
            "Train on the store's train split (early stopping on valid, best weights kept, "
            "a wall-clock budget) and write MODEL: model.keras (loads with plain Keras), "
            "ferrosa-generator.json (scaler, STFT parameters, sample rate, segment length), "
            "history.csv and history.png. The store must come from: ferrosa prepare DATA "
            "STORE --preset generate (logspec, n_fft 512, hop 256, 0.74 s segments)"
        ),
    )
    p.add_argument("store", metavar="STORE", help="logspec feature store")
    p.add_argument("model_dir", metavar="MODEL", help="output directory")
    p.add_argument("--model", choices=("ae", "vae"), default="ae", help="(ae)")
    p.add_argument(
        "--preset",
        choices=("default", "seed"),
        default="default",
        help="default: spatial latent 128 x 16 x 4, no BatchNorm, energy-weighted loss; "
        "seed: the tutorial's architecture",
    )
    p.add_argument("--epochs", type=int, default=None, help="maximum epochs (200)")
    p.add_argument(
        "--latent", type=int, default=None, help="latent channels (4) / size (seed: 128)"
    )
    p.add_argument("--beta", type=float, default=None, help="VAE KL weight per value (0.01)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--minutes", type=float, default=12.0, help="training time budget (12)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-plots", action="store_true", help="skip history.png")
    p.add_argument("--overwrite", action="store_true", help="replace an existing MODEL")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Train and print where the model went."""
    from pathlib import Path

    from ..ml.generator import train_generator

    gen = train_generator(
        args.store,
        args.model_dir,
        model=args.model,
        preset=args.preset,
        epochs=args.epochs,
        latent=args.latent,
        beta=args.beta,
        batch_size=args.batch_size,
        minutes=args.minutes,
        seed=args.seed,
        progress=not args.quiet,
        plots=not args.no_plots,
        overwrite=args.overwrite,
    )
    t = gen.meta["training"]
    out = Path(args.model_dir)
    best = {k: v for k, v in t.items() if k.startswith("best_")}
    print(
        f"trained {gen.kind}/{gen.meta['preset']} for {t['epochs']} epochs in {t['seconds']:.0f}s "
        f"({', '.join(f'{k} {v:.5f}' for k, v in best.items())}) -> {out}"
    )
    return 0
