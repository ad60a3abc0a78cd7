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
4. The share of VAE prior samples that a small CNN trained on the same
   store labels with confidence >= 0.8.
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


def train_classifier(store, seconds: float = 90.0):
    from ferrosa.ml._keras import get_keras
    from ferrosa.ml.generative import SpectrogramScaler

    keras = get_keras()
    s = store.meta["scaler"]
    scaler = SpectrogramScaler(low=s["low"], high=s["high"])
    X, y, _ = store.subset("train")
    V, vy, _ = store.subset("valid")
    X, V = scaler.transform(np.moveaxis(X, 1, -1)), scaler.transform(np.moveaxis(V, 1, -1))
    k = len(store.mapping)
    keras.utils.set_random_seed(0)
    inp = keras.Input(X.shape[1:])
    h = keras.layers.AveragePooling2D((4, 2))(inp)
    for f in (16, 32, 32):
        h = keras.layers.Conv2D(f, 3, padding="same", activation="relu")(h)
        h = keras.layers.MaxPooling2D(2)(h)
    h = keras.layers.GlobalAveragePooling2D()(h)
    out = keras.layers.Dense(k, activation="softmax")(keras.layers.Dropout(0.3)(h))
    clf = keras.Model(inp, out)
    clf.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    t0 = time.perf_counter()
    best = 0.0
    for _ in range(60):
        clf.fit(X, y, epochs=1, batch_size=32, verbose=0)
        best = float(clf.evaluate(V, vy, verbose=0)[1])
        if time.perf_counter() - t0 > seconds:
            break
    return clf, scaler, best


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
    ap.add_argument("--json", type=Path, default=None)
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
    for kind, given in (("ae", args.ae), ("vae", args.vae)):
        if given is None:
            given = work / kind
            if not (given / "model.keras").is_file():
                train_generator(store_dir, given, model=kind, minutes=args.minutes, overwrite=True)
        gens[kind] = load_generator(given)
        report[f"{kind}_training"] = gens[kind].meta["training"]
        print(kind, "training", gens[kind].meta["training"])

    clips, labels = held_out_clips(store, args.data)
    clips = clips[: args.max_clips]
    rows: dict[str, list[float]] = {k: [] for k in ("gl32", "gl100", "ae", "vae", "tutorial")}
    for y in clips:
        S = np.abs(ferrosa.stft(y, n_fft=512, hop_length=256))
        for n_iter, key in ((32, "gl32"), (100, "gl100")):
            y_hat = ferrosa.griffinlim(
                S, n_iter=n_iter, hop_length=256, length=y.size, random_state=0
            )
            rows[key].append(convergence_db(y_hat, y))
        for kind in ("ae", "vae"):
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

    clf, scaler, acc = train_classifier(store)
    from ferrosa.ml.generative import log_spectrogram

    samples = gens["vae"].generate(32, seed=0)
    specs = np.stack([log_spectrogram(s, frames=store.X.shape[-1]) for s in samples])
    probs = clf.predict(scaler.transform(specs)[..., None], verbose=0)
    share = float(np.mean(probs.max(axis=1) >= 0.8))
    report["vae_prior"] = {
        "samples": len(samples),
        "share_confident_0.8": share,
        "classifier_valid_accuracy": acc,
        "rms": float(np.sqrt(np.mean(samples**2))),
    }
    print("vae prior", report["vae_prior"])
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
