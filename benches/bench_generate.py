"""Sound generation: Griffin-Lim speed and the end-to-end quality of the generators.

Run ``make bench-generate`` (or ``python benches/bench_generate.py --data DIR``):

1. ``ferrosa.griffinlim`` vs ``librosa.griffinlim``: 32 iterations on a 5 s
   spectrogram (n_fft 2048), one thread, float32 and float64, plus the
   parity maximum (|ours - librosa| / peak) for the same random_state.
2. A logspec store of DATA (0.74 s segments at 22050 Hz, n_fft 512, hop 256);
   an autoencoder and a VAE trained with the defaults (time budget
   ``--minutes`` each) unless ``--ae``/``--vae`` give trained directories.
3. Spectral convergence (dB, 20 log10 of ||S_hat| - |S|| / ||S||, lower is
   better) on the held-out test split's clips: Griffin-Lim on the true
   magnitude at 32 and 100 iterations (the ceiling), AE and VAE end to end
   (model -> denormalise -> Griffin-Lim 32), and the tutorial's inversion
   (per-file min/max, zero-phase inverse STFT) of the true spectrogram.
4. The share of 32 VAE prior samples (at each ``--temperatures``) that
   ferrosa's default classifier (``prepare`` + ``train`` with no options on
   DATA's train split) labels with confidence >= 0.8, beside the same share
   for 32 real held-out clips (what the check can reach) and the number of
   classes the samples are given.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import ferrosa
import numpy as np
from ferrosa import datasets

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "instruments-dev"


def _best(fn, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_griffinlim() -> dict:
    import librosa

    ferrosa.set_num_threads(1)
    sr = 22050
    t = np.arange(5 * sr) / sr
    rng = np.random.default_rng(0)
    y = np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * (200 + 900 * t) * t)
    y = y + 0.05 * rng.standard_normal(t.size)
    out = {}
    for dt in (np.float32, np.float64):
        S = np.abs(librosa.stft(y.astype(dt)))
        ours = ferrosa.griffinlim(S, random_state=0)
        ref = librosa.griffinlim(S, random_state=0)
        t_ours = _best(lambda S=S: ferrosa.griffinlim(S, random_state=0))
        t_ref = _best(lambda S=S: librosa.griffinlim(S, random_state=0))
        out[np.dtype(dt).name] = {
            "parity_max_rel": float(np.abs(ours - ref).max() / np.abs(ref).max()),
            "ferrosa_ms": round(1e3 * t_ours, 1),
            "librosa_ms": round(1e3 * t_ref, 1),
            "speedup": round(t_ref / t_ours, 2),
        }
    ferrosa.set_num_threads(0)
    return out


def convergence_db(y_hat: np.ndarray, y: np.ndarray, n_fft: int = 512, hop: int = 256) -> float:
    """20 log10(|| |STFT(y_hat)| - |STFT(y)| || / || |STFT(y)| ||)."""
    S = np.abs(ferrosa.stft(y.astype(np.float32), n_fft=n_fft, hop_length=hop))
    S_hat = np.abs(ferrosa.stft(y_hat.astype(np.float32), n_fft=n_fft, hop_length=hop))
    return float(20 * np.log10(np.linalg.norm(S_hat - S) / max(np.linalg.norm(S), 1e-12)))


def held_out_clips(store, data_dir: Path, split: str = "test") -> tuple[list, list]:
    n = store.config.segment_samples
    clips, labels, cache = [], [], {}
    for i in np.flatnonzero(store.mask(split)):
        src = store.sources[i]
        if src not in cache:
            cache[src], _ = ferrosa.load(str(data_dir / src), sr=store.config.sr)
        y = cache[src][store.starts[i] : store.starts[i] + n]
        if y.size < n:
            y = np.pad(y, (0, n - y.size))
        if np.sqrt(np.mean(y**2)) > 1e-4:  # silent segments have no convergence
            clips.append(y.astype(np.float32))
            labels.append(int(store.y[i]))
    return clips, labels


def tutorial_inversion(y: np.ndarray, n_fft: int = 512, hop: int = 256) -> np.ndarray:
    """The tutorial's audio path: dB spectrogram, per-file min/max, zero-phase ISTFT."""
    from ferrosa.ml.generative import log_spectrogram

    spec = log_spectrogram(y, n_fft=n_fft, hop_length=hop)
    lo, hi = spec.min(), spec.max()
    norm = (spec - lo) / (hi - lo)
    mag = ferrosa.db_to_amplitude(norm * (hi - lo) + lo)
    mag = np.concatenate([mag, np.zeros((1, mag.shape[1]), np.float32)])
    return ferrosa.istft(mag.astype(np.complex64), hop_length=hop, length=y.size)


def train_classifier(data_dir: Path, work: Path, gen_store):
    """ferrosa's default classifier (``prepare`` + ``train``, no options) on DATA.

    Its store is split like the generation store (the same files, labels and
    seed), which is checked: the classifier never saw the held-out clips.
    """
    from ferrosa import ml

    store_dir, model_dir = work / "clf-store", work / "clf"
    if not (store_dir / "meta.json").is_file():
        from ferrosa.cli import main as cli  # the default path: `ferrosa prepare DATA STORE`

        if cli(["prepare", str(data_dir), str(store_dir), "--no-progress"]):
            raise SystemExit("ferrosa prepare failed")
    store = datasets.open_store(store_dir)
    for split in ("train", "test"):
        ours = set(np.asarray(store.sources)[store.mask(split)])
        theirs = set(np.asarray(gen_store.sources)[gen_store.mask(split)])
        if ours != theirs:
            raise SystemExit(f"classifier and generation stores split {split} differently")
    if not (model_dir / "model.keras").is_file():
        ml.train(store, model_dir, overwrite=True)
    return ml.load(model_dir)


def confidence(trained, clips, sr: int) -> np.ndarray:
    """Top class probability and class of each clip (segment scores averaged)."""
    from ferrosa.ml import predict_proba

    probs = np.stack([predict_proba(trained, c, sr=sr)[0].mean(axis=0) for c in clips])
    return probs.max(axis=1), probs.argmax(axis=1)


def share_row(trained, clips, sr: int) -> dict:
    conf, cls = confidence(trained, clips, sr)
    return {
        "clips": len(clips),
        "share_confident_0.8": round(float(np.mean(conf >= 0.8)), 3),
        "median_confidence": round(float(np.median(conf)), 3),
        "classes_used": int(len(set(cls.tolist()))),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--ae", type=Path, default=None, help="trained AE directory (else train)")
    ap.add_argument("--vae", type=Path, default=None, help="trained VAE directory (else train)")
    ap.add_argument("--minutes", type=float, default=12.0, help="training budget per model (12)")
    ap.add_argument("--work", type=Path, default=None, help="where the store/models go")
    ap.add_argument("--max-clips", type=int, default=60)
    ap.add_argument("--no-gl-speed", action="store_true")
    ap.add_argument("--no-ae", action="store_true", help="VAE only (no AE training or rows)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument(
        "--temperatures",
        type=float,
        nargs="+",
        default=[1.0, 0.7],
        help="VAE prior sampling temperatures to score (1 0.7)",
    )
    args = ap.parse_args()

    from ferrosa.ml.generator import load_generator, train_generator

    report: dict = {}
    if not args.no_gl_speed:
        report["griffinlim"] = bench_griffinlim()
        print(json.dumps(report["griffinlim"], indent=1))
    work = args.work or Path(tempfile.mkdtemp(prefix="ferrosa-gen-"))
    store_dir = work / "store"
    if not (store_dir / "meta.json").is_file():
        datasets.prepare(
            args.data,
            store_dir,
            feature="logspec",
            n_fft=512,
            hop_length=256,
            segment_seconds=0.74,
            progress=False,
        )
    store = datasets.open_store(store_dir)
    gens = {}
    kinds = ("vae",) if args.no_ae else ("ae", "vae")
    for kind, given in (("ae", args.ae), ("vae", args.vae)):
        if kind not in kinds:
            continue
        if given is None:
            given = work / kind
            if not (given / "model.keras").is_file():
                train_generator(store_dir, given, model=kind, minutes=args.minutes, overwrite=True)
        gens[kind] = load_generator(given)
        report[f"{kind}_training"] = gens[kind].meta["training"]
        print(kind, "training", gens[kind].meta["training"])

    clips, labels = held_out_clips(store, args.data)
    clips = clips[: args.max_clips]
    rows: dict[str, list[float]] = {k: [] for k in ("gl32", "gl100", *kinds, "tutorial")}
    for y in clips:
        S = np.abs(ferrosa.stft(y, n_fft=512, hop_length=256))
        for n_iter, key in ((32, "gl32"), (100, "gl100")):
            y_hat = ferrosa.griffinlim(
                S, n_iter=n_iter, hop_length=256, length=y.size, random_state=0
            )
            rows[key].append(convergence_db(y_hat, y))
        for kind in kinds:
            rows[kind].append(convergence_db(gens[kind].reconstruct(y), y))
        rows["tutorial"].append(convergence_db(tutorial_inversion(y), y))
    table = {
        k: {"mean_db": round(float(np.mean(v)), 2), "median_db": round(float(np.median(v)), 2)}
        for k, v in rows.items()
    }
    report["spectral_convergence"] = {"clips": len(clips), "split": "test", **table}
    print(f"spectral convergence on {len(clips)} held-out clips (dB, mean / median):")
    for k, v in table.items():
        print(f"  {k:9s} {v['mean_db']:7.2f} {v['median_db']:7.2f}")

    trained = train_classifier(args.data, work, store)
    sr = store.config.sr
    prior: dict = {"real_test_clips": share_row(trained, clips[:32], sr)}
    for temperature in args.temperatures:
        samples = gens["vae"].generate(32, seed=0, temperature=temperature)
        prior[f"T={temperature:g}"] = {
            **share_row(trained, list(samples), sr),
            "rms": round(float(np.sqrt(np.mean(samples**2))), 4),
        }
    report["vae_prior"] = prior
    print("vae prior (share of 32 clips the default classifier labels with p >= 0.8):")
    for k, v in prior.items():
        print(f"  {k:16s} {v}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
