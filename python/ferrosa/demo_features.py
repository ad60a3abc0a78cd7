"""Features demo: ferrosa next to librosa on one clip.

Run ``python -m ferrosa.demo_features [PATH] [--duration S] [--sr SR]``. With
a path, the clip is loaded (resampled to ``sr``, mixed to mono); without one,
a few seconds of tones and noise are synthesised. For the STFT, the mel
spectrogram and the MFCC it prints ferrosa's and librosa's median time, the
speed-up and the largest difference between the two outputs. librosa is only
needed for the comparison; without it the demo prints ferrosa's times alone.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import ferrosa

N_FFT, HOP, N_MELS = 2048, 512, 128


def synthesise(seconds: float, sr: int) -> np.ndarray:
    """A float32 test signal: a chord with vibrato, a chirp and a little noise.

    Returns
    -------
    np.ndarray, shape (round(seconds * sr),), float32
    """
    t = np.arange(round(seconds * sr)) / sr
    vibrato = 3 * np.sin(2 * np.pi * 5 * t)
    y = sum(0.2 * np.sin(2 * np.pi * (f + vibrato) * t) for f in (220.0, 277.2, 329.6))
    y = y + 0.1 * np.sin(2 * np.pi * (100 + 2000 * t / max(seconds, 1e-9)) * t)
    y = y + 0.01 * np.random.default_rng(0).standard_normal(t.size)
    return np.asarray(y, dtype=np.float32)


def load_clip(path: str, sr: int, duration: float | None) -> np.ndarray:
    """Load ``path`` as float32 mono at ``sr`` (first ``duration`` seconds)."""
    return np.asarray(ferrosa.load(path, sr=sr, mono=True, duration=duration)[0])


def median_seconds(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall time of ``fn()`` after one warm-up call, and its result."""
    out = fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def features(y: np.ndarray, sr: int, lib: Any) -> dict[str, Callable[[], Any]]:
    """The demo's feature calls for one library (identical keyword arguments)."""
    calls: dict[str, Callable[[], Any]] = {
        "stft": lambda: lib.stft(y, n_fft=N_FFT, hop_length=HOP),
    }
    kw = {"y": y, "sr": sr, "n_fft": N_FFT, "hop_length": HOP, "n_mels": N_MELS}
    if hasattr(lib.feature, "melspectrogram"):
        calls["melspectrogram"] = lambda: lib.feature.melspectrogram(**kw)
    if hasattr(lib.feature, "mfcc"):
        calls["mfcc (13)"] = lambda: lib.feature.mfcc(n_mfcc=13, **kw)
    return calls


def report(y: np.ndarray, sr: int, repeats: int) -> list[dict[str, Any]]:
    """Time each feature in both libraries and compare their outputs."""
    theirs: dict[str, Callable[[], Any]] = {}
    try:
        import librosa

        theirs = features(y, sr, librosa)
    except ImportError:
        pass
    ours = features(y, sr, ferrosa)
    rows = []
    for name, call in ours.items():
        t_f, out_f = median_seconds(call, repeats)
        row: dict[str, Any] = {"feature": name, "shape": out_f.shape, "ferrosa_s": t_f}
        if name in theirs:
            t_l, out_l = median_seconds(theirs[name], repeats)
            diff = float(np.max(np.abs(out_f - out_l)))
            peak = float(np.max(np.abs(out_l)))
            row.update(librosa_s=t_l, max_diff=diff, rel_diff=diff / peak if peak else diff)
        rows.append(row)
    return rows


def print_rows(rows: Sequence[dict[str, Any]]) -> None:
    print(
        f"{'feature':16s} {'shape':>14s} {'ferrosa ms':>11s} {'librosa ms':>11s} "
        f"{'speed-up':>9s} {'max |diff|':>11s} {'/ peak':>9s}"
    )
    for r in rows:
        line = f"{r['feature']:16s} {str(r['shape']):>14s} {r['ferrosa_s'] * 1e3:11.2f}"
        if "librosa_s" in r:
            line += (
                f" {r['librosa_s'] * 1e3:11.2f} {r['librosa_s'] / r['ferrosa_s']:8.1f}x"
                f" {r['max_diff']:11.3g} {r['rel_diff']:9.2g}"
            )
        else:
            line += "   (librosa not installed)"
        print(line)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ferrosa.demo_features", description=__doc__.splitlines()[0]
    )
    parser.add_argument("path", nargs="?", help="audio file (default: a synthetic clip)")
    parser.add_argument("--sr", type=int, default=22050, help="sample rate (default 22050)")
    parser.add_argument(
        "--duration", type=float, default=None, help="seconds to use (synthetic default 10)"
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per call")
    args = parser.parse_args(argv)
    if args.sr <= 0 or args.repeats <= 0 or (args.duration is not None and args.duration <= 0):
        parser.error("--sr, --repeats and --duration must be positive")

    if args.path:
        y = load_clip(args.path, args.sr, args.duration)
        source = args.path
    else:
        seconds = 10.0 if args.duration is None else args.duration
        y = synthesise(seconds, args.sr)
        source = "synthetic chord + chirp"
    print(f"clip: {source}, {y.size / args.sr:.2f} s at {args.sr} Hz, {y.dtype}")
    print(
        f"n_fft={N_FFT}, hop_length={HOP}, n_mels={N_MELS}; ferrosa threads: "
        f"{ferrosa.get_num_threads()}; median of {args.repeats} runs\n"
    )
    print_rows(report(y, args.sr, args.repeats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
