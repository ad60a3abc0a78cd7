"""Dataset preparation benchmark: ferrosa.datasets.prepare vs the tutorial recipe.

Both prepare the same folder (default ../shared/data/instruments-dev: 44.1 kHz
FLAC) into 2 s segments at 22050 Hz with 13 MFCC, in the same run:

- tutorial: for each file, ``librosa.load(path, sr=22050)``, then
  ``librosa.feature.mfcc`` on each full 2 s segment in a Python loop;
- ferrosa: ``ferrosa.datasets.prepare`` (threads over files, Rust kernels,
  store written to disk), with ``tail="drop", short="drop"`` so it keeps the
  same segments as the loop.

Prints clips/s for both, the ratio, and the largest feature difference over
all segments (absolute, and relative to the segment's peak). A benchmark,
not a test: nothing here asserts timings.

Each timed run starts after a short pause: BLAS worker threads keep spinning
for ~0.1 s after librosa's last matrix product, and without the pause that
CPU time would be charged to (and slow down) whichever run comes next.

Usage: python benches/bench_dataset.py [--data DIR] [--workers N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SR = 22050
SEGMENT_SECONDS = 2.0
N_MFCC = 13
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "instruments-dev"
PAUSE = 0.5  # seconds before each timed run: the previous run's thread pools go idle


def tutorial(files: list[Path], root: Path) -> dict[tuple[str, int], np.ndarray]:
    """The tutorials' preprocessing loop (librosa.load + librosa.feature.mfcc per segment)."""
    import librosa

    L = int(SR * SEGMENT_SECONDS)
    out = {}
    for path in files:
        y, sr = librosa.load(path, sr=SR)
        for d in range(len(y) // L):
            start = d * L
            mfcc = librosa.feature.mfcc(
                y=y[start : start + L], sr=sr, n_mfcc=N_MFCC, n_fft=2048, hop_length=512
            )
            out[(path.relative_to(root).as_posix(), start)] = mfcc
    return out


def with_ferrosa(root: Path, workdir: Path, workers: int | None, tag: str):
    """ferrosa.datasets.prepare into a fresh store; returns the opened store."""
    import ferrosa.datasets as fd

    return fd.prepare(
        root,
        workdir / f"store-{tag}",
        layout="folders",
        segment_seconds=SEGMENT_SECONDS,
        n_mfcc=N_MFCC,
        sr=SR,
        tail="drop",
        short="drop",
        workers=workers,
        progress=False,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--workers", type=int, default=None, help="ferrosa threads (all cores)")
    ap.add_argument("--repeat", type=int, default=1, help="timed repetitions (best is kept)")
    args = ap.parse_args(argv)
    root = args.data.resolve()
    if not root.is_dir():
        print(f"no data at {root}", file=sys.stderr)
        return 1
    from ferrosa.datasets import discover

    files = [it.path for it in discover(root, "folders").items]
    for p in files:  # warm the page cache so neither side pays for the first disk read
        p.read_bytes()
    print(
        f"{len(files)} clips in {root} -> {SEGMENT_SECONDS:g} s segments, {N_MFCC} MFCC @ {SR} Hz"
    )
    print(f"cores: {os.cpu_count()}")

    def timed(fn):
        """(result, wall seconds, process CPU seconds): CPU time is less hurt by a busy machine."""
        time.sleep(PAUSE)
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        return out, time.perf_counter() - w, time.process_time() - c

    t_lib, t_fer = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeat):
            ref, *t = timed(lambda: tutorial(files, root))
            t_lib.append(tuple(t))
            store, *t = timed(lambda r=r: with_ferrosa(root, Path(tmp), args.workers, f"{r}"))
            t_fer.append(tuple(t))
        import ferrosa

        ferrosa.set_num_threads(1)
        _, *t = timed(lambda: with_ferrosa(root, Path(tmp), 1, "single"))
        t_single = tuple(t)
        ferrosa.set_num_threads(0)

        got = {
            (str(s), int(t)): i
            for i, (s, t) in enumerate(zip(store.sources, store.starts, strict=True))
        }
        missing = sorted(set(ref) - set(got))
        extra = sorted(set(got) - set(ref))
        abs_err = rel_err = 0.0
        for key, want in ref.items():
            if key not in got:
                continue
            diff = float(np.max(np.abs(np.asarray(store.X[got[key], 0], np.float64) - want)))
            abs_err = max(abs_err, diff)
            rel_err = max(rel_err, diff / max(float(np.max(np.abs(want))), 1e-12))
        n_seg = len(ref)
        failures = len(store.meta["failures"])

    lib, fer = min(t_lib), min(t_fer)
    n = len(files)
    print(f"segments: {n_seg} (tutorial) / {len(store)} (ferrosa); {failures} clips < 2 s dropped")
    rows = [
        ("tutorial (librosa loop)", lib),
        ("ferrosa prepare (all cores)", fer),
        ("ferrosa prepare (1 thread)", t_single),
    ]
    print(f"{'':<28} {'wall':>8} {'clips/s':>9} {'segments/s':>11} {'CPU s':>7}")
    for name, (wall, cpu) in rows:
        print(f"{name:<28} {wall:7.2f}s {n / wall:9.1f} {n_seg / wall:11.1f} {cpu:7.2f}")
    wall_all, wall_one = lib[0] / fer[0], lib[0] / t_single[0]
    print(
        f"speed-up (wall): {wall_all:.1f}x all cores, {wall_one:.1f}x one thread;"
        f" CPU time: {lib[1] / fer[1]:.1f}x less"
    )
    print(f"max |ferrosa - librosa|: {abs_err:.3g} absolute, {rel_err:.3g} of the segment peak")
    if missing or extra:
        print(f"segment sets differ: {len(missing)} missing, {len(extra)} extra")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
