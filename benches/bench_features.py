"""Benchmark ferrosa against librosa, measured in the same run.

Run ``python benches/bench_features.py [--quick] [--only NAME] [--markdown]``.
This is a benchmark, not a test: it prints timings and never asserts them.

For every case and clip length (0.1 s, 1 s, 3 s and 30 s at 22050 Hz by
default) it reports median times and speed-up ratios (librosa time / ferrosa
time) for one thread -- librosa with numpy's BLAS capped to one thread
(threadpoolctl) against ferrosa capped with ``ferrosa.set_num_threads(1)`` --
and for all cores -- librosa as installed (its BLAS may use every core)
against ferrosa's default pool -- plus the largest difference
between the two outputs relative to the reference's peak. It then measures
first-call latency in fresh interpreters: ``import ferrosa`` plus the first
MFCC, and the same for librosa.

Cases live in ``benches/cases_*.py`` (discovered automatically), so each
feature adds its own file. A case module exposes ``CASES``, a list of dicts::

    {
        "name": "mfcc-13",                       # unique, used by --only
        "ferrosa": lambda y, sr: ...,            # the call to time
        "reference": lambda y, sr: ...,          # the same call in librosa (or a peer)
        "lengths": (0.1, 1, 3, 30),              # optional: clip lengths in seconds
        "requires": "feature.mfcc",              # optional: ferrosa attribute path
        "prepare": lambda y, sr: (S,),           # optional: untimed; its tuple is
                                                 # passed to both callables instead of (y, sr)
    }

A case whose ferrosa function does not exist yet (``requires`` missing, or an
AttributeError on the first call) is listed as skipped rather than failing.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

HERE = Path(__file__).resolve().parent
SR = 22050
LENGTHS = (0.1, 1.0, 3.0, 30.0)


@dataclass(frozen=True)
class Case:
    """One benchmarked function pair (see the module docstring)."""

    name: str
    ferrosa: Callable[..., Any]
    reference: Callable[..., Any]
    lengths: tuple[float, ...] = LENGTHS
    requires: str | None = None
    prepare: Callable[..., tuple[Any, ...]] | None = None
    source: str = ""


@dataclass
class Row:
    """Measured medians (seconds) for one case and clip length."""

    case: str
    seconds: float
    reference: float
    reference_one: float
    one_thread: float
    all_threads: float
    max_rel_err: float


def discover(directory: Path = HERE) -> list[Case]:
    """Import every ``cases_*.py`` next to this file and collect its CASES."""
    cases: list[Case] = []
    for path in sorted(directory.glob("cases_*.py")):
        spec = importlib.util.spec_from_file_location(f"_bench_{path.stem}", path)
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except ImportError as err:  # a peer library (e.g. pywt) is not installed
            print(f"# {path.name}: skipped ({err})", file=sys.stderr)
            continue
        for raw in getattr(module, "CASES", []):
            fields = dict(raw)
            fields["lengths"] = tuple(float(s) for s in fields.get("lengths", LENGTHS))
            cases.append(Case(source=path.name, **fields))
    names = [c.name for c in cases]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise SystemExit(f"duplicate case names: {sorted(dupes)}")
    return cases


def make_clip(seconds: float, sr: int = SR) -> np.ndarray:
    """A float32 test clip (tones plus noise), as librosa.load would return."""
    n = max(1, round(seconds * sr))
    t = np.arange(n) / sr
    rng = np.random.default_rng(0)
    y = 0.4 * np.sin(2 * np.pi * 220 * t) + 0.2 * np.sin(2 * np.pi * 1375 * t)
    y += 0.05 * rng.standard_normal(n)
    return y.astype(np.float32)


def has_attr_path(root: Any, dotted: str) -> bool:
    obj = root
    for part in dotted.split("."):
        try:
            obj = getattr(obj, part)
        except (AttributeError, ImportError):
            return False
    return True


def median_time(fn: Callable[[], Any], budget: float, min_runs: int = 3) -> float:
    """Median wall time of ``fn()`` over as many runs as fit in ``budget`` seconds."""
    fn()  # warm-up: plan caches, page faults
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < min_runs or (time.perf_counter() - start < budget and len(times) < 1000):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def rel_error(got: Any, want: Any) -> float:
    """max |got - want| / max |want| over all outputs (tuples compared pairwise)."""
    if isinstance(want, tuple):
        return max(rel_error(g, w) for g, w in zip(got, want, strict=True))
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        return float("nan")
    peak = float(np.max(np.abs(want))) if want.size else 0.0
    err = float(np.max(np.abs(got - want))) if want.size else 0.0
    return err / peak if peak > 0 else err


def run_case(case: Case, seconds: float, budget: float) -> Row:
    import ferrosa

    y = make_clip(seconds)
    args = case.prepare(y, SR) if case.prepare else (y, SR)
    ref_time = median_time(lambda: case.reference(*args), budget)
    # The single-threaded reference: numpy's BLAS (which librosa uses for
    # its matrix products) capped to one thread, as ferrosa's 1T run is.
    with threadpool_limits(limits=1):
        ref_one = median_time(lambda: case.reference(*args), budget)
    err = rel_error(case.ferrosa(*args), case.reference(*args))
    ferrosa.set_num_threads(1)
    try:
        one = median_time(lambda: case.ferrosa(*args), budget)
    finally:
        ferrosa.set_num_threads(0)
    every = median_time(lambda: case.ferrosa(*args), budget)
    return Row(case.name, seconds, ref_time, ref_one, one, every, err)


def probe(case: Case) -> str | None:
    """Why the case cannot run yet, or None if it can."""
    import ferrosa

    if case.requires and not has_attr_path(ferrosa, case.requires):
        return f"ferrosa.{case.requires} not implemented yet"
    y = make_clip(0.1)
    try:
        case.ferrosa(*(case.prepare(y, SR) if case.prepare else (y, SR)))
    except AttributeError as err:
        return f"not implemented yet ({err})"
    return None


FIRST_CALL = """
import time, numpy as np
y = (0.1 * np.random.default_rng(0).standard_normal(22050)).astype(np.float32)
t0 = time.perf_counter()
import {lib}
{lib}.{call}
print(time.perf_counter() - t0)
"""


def first_call_latency(lib: str, call: str, runs: int) -> float | None:
    """Median seconds for ``import lib`` plus one call, in fresh interpreters."""
    code = FIRST_CALL.format(lib=lib, call=call)
    times = []
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
        )
        if proc.returncode != 0:
            print(f"# first call of {lib}.{call} failed: {proc.stderr.strip()[-200:]}")
            return None
        times.append(float(proc.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def fmt_ms(s: float) -> str:
    ms = s * 1e3
    return f"{ms:.3f}" if ms < 1 else f"{ms:.2f}" if ms < 100 else f"{ms:.0f}"


def print_table(rows: Sequence[Row], markdown: bool, n_threads: int) -> None:
    head = [
        "case",
        "clip (s)",
        "librosa 1T (ms)",
        "ferrosa 1T (ms)",
        "speed-up 1T",
        "librosa (ms)",
        f"ferrosa {n_threads}T (ms)",
        f"speed-up {n_threads}T",
        "max err / peak",
    ]
    body = [
        [
            r.case,
            f"{r.seconds:g}",
            fmt_ms(r.reference_one),
            fmt_ms(r.one_thread),
            f"{r.reference_one / r.one_thread:.1f}x",
            fmt_ms(r.reference),
            fmt_ms(r.all_threads),
            f"{r.reference / r.all_threads:.1f}x",
            f"{r.max_rel_err:.1e}",
        ]
        for r in rows
    ]
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|")
        for line in body:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    print("  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)))
    for line in body:
        print("  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)))


def environment() -> dict[str, Any]:
    import ferrosa
    import librosa

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "ferrosa": ferrosa.__version__,
        "librosa": getattr(librosa, "__version__", "?"),
        "numpy": np.__version__,
        "ferrosa threads": ferrosa.get_num_threads(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short time budget per cell")
    parser.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="cases whose name contains NAME"
    )
    parser.add_argument("--markdown", action="store_true", help="print a README-ready table")
    parser.add_argument("--no-first-call", action="store_true", help="skip the latency runs")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)

    import ferrosa

    ferrosa.set_num_threads(0)
    budget = 0.15 if args.quick else 1.0
    env = environment()
    print("# " + ", ".join(f"{k} {v}" for k, v in env.items()))
    print(f"# medians over >= 3 runs / {budget:g} s per cell; speed-up = librosa / ferrosa")

    cases = discover()
    if args.only:
        cases = [c for c in cases if any(o in c.name for o in args.only)]
        if not cases:
            names = ", ".join(c.name for c in discover())
            parser.error(f"--only {args.only} matches no case; cases are: {names}")
    rows: list[Row] = []
    for case in cases:
        reason = probe(case)
        if reason:
            print(f"# skip {case.name}: {reason}")
            continue
        for seconds in case.lengths:
            rows.append(run_case(case, seconds, budget))
            print(f"# done {case.name} {seconds:g} s", file=sys.stderr)
    print()
    print_table(rows, args.markdown, env["ferrosa threads"])

    latency: dict[str, float | None] = {}
    if not args.no_first_call:
        runs = 1 if args.quick else 3
        call = "feature.mfcc(y=y, sr=22050)"
        if not has_attr_path(ferrosa, "feature.mfcc"):
            call = "stft(y)"
        latency = {
            "ferrosa": first_call_latency("ferrosa", call, runs),
            "librosa": first_call_latency("librosa", call, runs),
        }
        print()
        print(f"first call (fresh interpreter: import + {call}), median of {runs}:")
        for lib, s in latency.items():
            print(f"  {lib:8s} {'failed' if s is None else fmt_ms(s) + ' ms'}")
        if latency["ferrosa"] and latency["librosa"]:
            print(f"  speed-up {latency['librosa'] / latency['ferrosa']:.1f}x")
    if args.json:
        payload = {"env": env, "rows": [r.__dict__ for r in rows], "first_call": latency}
        args.json.write_text(json.dumps(payload, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
