"""Run librosa 0.11.0's own tests against ferrosa (``make librosa-suite``).

Fetches librosa's source distribution with pip (once, into
``target/librosa-suite``), links its ``tests/data`` to the reference data
(``../shared/librosa-test-data`` beside the repository, or ``--data``), runs the
chosen test files twice with ``plugin.py``: once with librosa alone (the
baseline: tests that fail here fail for reasons of their own, such as the
network examples) and once with ferrosa serving every name it shares with
librosa. Prints the counts, and the tests that fail only with ferrosa grouped
by their error.

Usage: python benches/librosa_suite/run.py [--tests test_core test_features ...]
[--refresh-baseline] [-- extra pytest args]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VERSION = "0.11.0"
DEFAULT_TESTS = [
    "test_core",
    "test_features",
    "test_filters",
    "test_constantq",
    "test_util",
    "test_convert",
    "test_multichannel",
    "test_met_features",
    "test_effects",
    "test_onset",
    "test_decompose",
    "test_beat",
]
BAD = {"failed", "error"}


def fetch_sdist(build: Path) -> Path:
    """Download and unpack librosa's sdist into ``build`` (once); return its root."""
    src = build / f"librosa-{VERSION}"
    if (src / "tests").is_dir():
        return src
    build.mkdir(parents=True, exist_ok=True)
    tarball = build / f"librosa-{VERSION}.tar.gz"
    if not tarball.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:"]
            + ["--no-deps", f"librosa=={VERSION}", "-d", str(build)],
            check=True,
        )
    with tarfile.open(tarball) as tar:
        tar.extractall(build, filter="data")
    return src


def run_pytest(src: Path, tests: list[str], mode: str, out: Path, extra: list[str]) -> None:
    env = dict(os.environ)
    env["FERROSA_SUITE"] = mode
    env["FERROSA_SUITE_OUT"] = str(out)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(HERE), str(src / "tests")]
        + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
    env.setdefault("NUMBA_CACHE_DIR", str(src.parent / "numba-cache"))
    cmd = [sys.executable, "-m", "pytest", "-p", "plugin", "-p", "no:cacheprovider"]
    cmd += ["-o", "addopts=", "-m", "not network", "-q", "--no-header", "-rN", "--tb=no"]
    cmd += [f"tests/{t}.py" for t in tests] + extra
    print(f"[{mode}] {' '.join(cmd[2:])}", flush=True)
    subprocess.run(cmd, cwd=src, env=env, check=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tests", nargs="+", default=DEFAULT_TESTS)
    ap.add_argument("--build", type=Path, default=ROOT / "target" / "librosa-suite")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "librosa-test-data")
    ap.add_argument("--refresh-baseline", action="store_true")
    ap.add_argument(
        "--report", type=Path, default=None, help="write the attributable failures here"
    )
    ap.add_argument("pytest_args", nargs="*")
    args = ap.parse_args()

    src = fetch_sdist(args.build)
    link = src / "tests" / "data"
    if args.data.is_dir() and not link.exists():
        link.symlink_to(args.data.resolve())
    tag = "-".join(sorted(args.tests)) if args.tests != DEFAULT_TESTS else "default"
    base_json = args.build / f"baseline-{tag}.json"
    ferr_json = args.build / f"ferrosa-{tag}.json"
    if args.refresh_baseline or not base_json.exists() or args.pytest_args:
        run_pytest(src, args.tests, "librosa", base_json, args.pytest_args)
    run_pytest(src, args.tests, "ferrosa", ferr_json, args.pytest_args)

    base = json.loads(base_json.read_text())["tests"]
    ferr = json.loads(ferr_json.read_text())["tests"]
    counts = Counter(r["outcome"] for r in ferr.values())
    reached = {k: r for k, r in ferr.items() if r.get("reached")}
    ours = {
        k: r
        for k, r in ferr.items()
        if r["outcome"] in BAD and base.get(k, {}).get("outcome") not in BAD
    }
    both = sum(1 for k, r in ferr.items() if r["outcome"] in BAD and k not in ours)
    groups: dict[str, list[str]] = defaultdict(list)
    for k, r in ours.items():
        groups[r["message"].splitlines()[0][:160] if r["message"] else "?"].append(k)
    lines = [
        f"## {len(v)}: {msg}\n" + "".join(f"    {k}\n" for k in sorted(v)[:8])
        for msg, v in sorted(groups.items(), key=lambda kv: -len(kv[1]))
    ]
    if args.report:
        args.report.write_text("".join(lines))
    print("".join(lines))
    print("=" * 70)
    print(
        f"librosa {VERSION} suite: {len(ferr)} tests, "
        + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    )
    n_ok = sum(r["outcome"] == "passed" for r in reached.values())
    print(f"reached ferrosa: {len(reached)}; of those passed: {n_ok}")
    print(f"failing with librosa alone too (not ferrosa's): {both}")
    print(f"failures attributable to ferrosa: {len(ours)}")
    return 0 if not ours else 1


if __name__ == "__main__":
    sys.exit(main())
