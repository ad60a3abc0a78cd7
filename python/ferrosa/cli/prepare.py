"""``ferrosa prepare DATA_DIR STORE_DIR``: recordings -> a feature store."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

LAYOUTS = ("auto", "folders", "csv", "gtzan")
FEATURES = ("mfcc", "mel", "stft", "chroma", "stack", "cwt", "logspec")


def _split_arg(text: str) -> Any:
    if text in ("fixed", "filtered", "gtzan"):
        return "fixed"
    try:
        parts = tuple(float(p) for p in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected TRAIN,VALID,TEST or 'fixed'"
        ) from None
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"{text!r}: expected three fractions")
    return parts


def _extra_arg(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r}: expected KEY=VALUE")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value  # a bare string


def register(sub: Any) -> None:
    """Add the ``prepare`` subcommand to ``sub`` (an argparse subparsers object)."""
    p = sub.add_parser(
        "prepare",
        help="turn a folder of recordings into a feature store",
        description=(
            "Load every recording (resampled and mixed down like librosa.load), cut it into "
            "fixed-length segments, compute features on all cores, split by source file "
            "(stratified, seeded) and write STORE_DIR: features.npy, index.csv, meta.json. "
            "Bad files are skipped and listed with their reason. An interrupted run "
            "continues with --resume. DATA_DIR may also be a tutorial data.json to import."
        ),
    )
    p.add_argument("data_dir", metavar="DATA_DIR", help="dataset folder (or data.json)")
    p.add_argument("store", metavar="STORE_DIR", help="output store directory")
    p.add_argument("--layout", choices=LAYOUTS, default="auto", help="dataset layout (auto)")
    p.add_argument(
        "--preset",
        choices=("default", "seed", "generate"),
        default=None,
        help="make the features this training preset was designed for (default: 'default', "
        "64-band log-mel over 1 s segments with hop 0.5 s; 'seed': 13 MFCC over 3 s; "
        "'generate': the sound generators' logspec, n_fft 512, hop 256, 0.74 s segments, "
        "for train-generator); options below override single values",
    )
    p.add_argument(
        "--feature",
        choices=FEATURES,
        default=None,
        help="feature kind (default: the preset's, mel); mfcc alone gives the seed preset's",
    )
    p.add_argument("--sr", type=int, default=22050, help="sampling rate (22050)")
    p.add_argument("--stereo", action="store_true", help="keep channels (default: mono)")
    seg = p.add_mutually_exclusive_group()
    seg.add_argument(
        "--segment-seconds", type=float, default=None, help="segment length (preset's: 1.0)"
    )
    seg.add_argument(
        "--segments-per-file",
        type=int,
        default=None,
        help="N segments of track-seconds/N each, as the tutorials (10 x 3 s of 30 s)",
    )
    p.add_argument("--track-seconds", type=float, default=30.0, help="for --segments-per-file")
    p.add_argument("--hop-seconds", type=float, default=None, help="segment hop (preset's: 0.5)")
    p.add_argument(
        "--tail", choices=("drop", "pad"), default=None, help="partial last segment (preset's)"
    )
    p.add_argument("--short", choices=("pad", "drop"), default="pad", help="files < 1 segment")
    p.add_argument("--n-mfcc", type=int, default=None, help="(13)")
    p.add_argument("--n-mels", type=int, default=None, help="(preset's: 64; else 128)")
    p.add_argument("--n-fft", type=int, default=None, help="(preset's: 512 for logspec; 2048)")
    p.add_argument("--hop-length", type=int, default=None, help="(preset's: 256 for logspec; 512)")
    p.add_argument("--deltas", type=int, choices=(0, 1, 2), default=0, help="delta channels")
    p.add_argument(
        "--denoise",
        nargs="?",
        const="nonstationary",
        choices=("stationary", "nonstationary"),
        default=None,
        help="spectral-gating noise reduction of each recording before featurising "
        "(noisereduce's defaults; bare --denoise: nonstationary); recorded in the store",
    )
    p.add_argument("--fmin", type=float, default=0.0)
    p.add_argument("--fmax", type=float, default=None)
    p.add_argument(
        "--extra",
        type=_extra_arg,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra feature parameter (JSON value), repeatable",
    )
    p.add_argument(
        "--split",
        type=_split_arg,
        default=None,
        help="TRAIN,VALID,TEST fractions or 'fixed' (default: the layout's fixed split "
        "if it has one, e.g. GTZAN's fault-filtered split, else 0.7,0.15,0.15)",
    )
    p.add_argument("--seed", type=int, default=0, help="split seed (0)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run")
    p.add_argument("--overwrite", action="store_true", help="replace an existing store")
    p.add_argument("--workers", type=int, default=None, help="threads (all cores)")
    p.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local: threads of this process; dask: a Dask cluster (pip install "
        "'ferrosa[dask]'), the same store byte for byte",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="--engine dask: the scheduler, e.g. tcp://host:8786 (the data must be at the "
        "same path on every worker)",
    )
    where.add_argument(
        "--local-workers",
        type=int,
        default=None,
        metavar="N",
        help="--engine dask without --scheduler: a LocalCluster of N processes x 1 thread "
        "(default: one per core)",
    )
    p.add_argument(
        "--batch-files", type=int, default=None, help="--engine dask: files per task (auto)"
    )
    p.add_argument("--keep-silent", action="store_true", help="keep all-zero recordings")
    p.add_argument("--checkpoint-every", type=int, default=32, help="files per checkpoint")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _base(args: argparse.Namespace) -> dict[str, Any]:
    """The preset's recommended features the options start from."""
    from ..datasets.recipes import RECOMMENDED

    preset = args.preset
    if preset is None:
        # --feature mfcc alone means the seed preset's MFCC; no option, the default's log-mel.
        by_kind = {v["feature"]: k for k, v in RECOMMENDED.items()}
        preset = "default" if args.feature is None else by_kind.get(args.feature)
    if preset is None:
        return {"feature": args.feature}
    base = dict(RECOMMENDED[preset])
    if args.feature is not None and args.feature != base["feature"]:
        return {"feature": args.feature}
    return base


def config_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """FeatureConfig fields from the parsed arguments (unset ones from the preset's features)."""
    from ..datasets.config import FeatureConfig

    base = _base(args)
    if args.segments_per_file is not None or args.segment_seconds is not None:
        # An explicit segmentation replaces the preset's whole segmentation.
        for key in ("segment_seconds", "segment_hop_seconds", "tail"):
            base.pop(key, None)
    defaults = FeatureConfig()

    def pick(name: str, value: Any) -> Any:
        if value is not None:
            return value
        return base.get(name, getattr(defaults, name))

    segment_seconds = args.segment_seconds
    if segment_seconds is None and args.segments_per_file is None:
        segment_seconds = base.get("segment_seconds", defaults.segment_seconds)
    return {
        "feature": base["feature"],
        "sr": args.sr,
        "mono": not args.stereo,
        "segment_seconds": segment_seconds,
        "segments_per_file": args.segments_per_file,
        "segment_hop_seconds": pick("segment_hop_seconds", args.hop_seconds),
        "tail": pick("tail", args.tail),
        "short": args.short,
        "n_fft": pick("n_fft", args.n_fft),
        "hop_length": pick("hop_length", args.hop_length),
        "n_mfcc": pick("n_mfcc", args.n_mfcc),
        "n_mels": pick("n_mels", args.n_mels),
        "deltas": args.deltas,
        "fmin": args.fmin,
        "fmax": args.fmax,
        "track_seconds": args.track_seconds,
        "extra": dict(args.extra),
        "denoise": args.denoise,
    }


def run(args: argparse.Namespace) -> int:
    """Prepare the store and print its summary (failures included)."""
    from pathlib import Path

    from ..datasets import FeatureConfig, import_data_json, prepare
    from ..exceptions import FerrosaError

    dask_only = args.scheduler is not None or args.local_workers is not None or args.batch_files
    if args.engine != "dask" and dask_only:
        print(
            "ferrosa prepare: error: --scheduler, --local-workers and --batch-files need "
            "--engine dask",
            file=sys.stderr,
        )
        return 2
    try:
        cfg = FeatureConfig(**config_from_args(args))
        if Path(args.data_dir).suffix.lower() == ".json":
            split = (0.7, 0.15, 0.15) if args.split in (None, "fixed") else args.split
            # Without segment options the tutorials' parameters (10 x 3 s, n_mfcc from the data).
            explicit = args.segment_seconds is not None or args.segments_per_file is not None
            store = import_data_json(
                args.data_dir,
                args.store,
                config=cfg if explicit else None,
                split=split,
                seed=args.seed,
                overwrite=args.overwrite,
            )
        else:
            store = prepare(
                args.data_dir,
                args.store,
                layout=args.layout,
                config=cfg,
                split=args.split,
                seed=args.seed,
                resume=args.resume,
                overwrite=args.overwrite,
                workers=args.local_workers if args.engine == "dask" else args.workers,
                progress=not args.no_progress,
                keep_silent=args.keep_silent,
                checkpoint_every=args.checkpoint_every,
                engine=args.engine,
                client=args.scheduler,
                batch_files=args.batch_files,
            )
    except FerrosaError as err:  # bad parameters, an unreachable cluster: one line
        print(f"ferrosa prepare: error: {err}", file=sys.stderr)
        return 2
    print(store.summary())
    return 0
