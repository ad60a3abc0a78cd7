"""Dask engine benchmark: ``prepare(engine="dask")`` beside the local engine.

Generates N synthetic clips of exactly 3 s (44.1 kHz 16-bit WAV, one folder
per class, so every file is decoded and resampled to 22.05 kHz) into a
temporary folder, then prepares the same store (3 s segments, 13 MFCC) with:

- the local engine, 1 thread and 2 threads;
- the Dask engine on a LocalCluster of 1 worker process x 1 thread, and of
  2 worker processes x 1 thread (cluster start-up timed apart).

Every kernel runs single-threaded (``FERROSA_NUM_THREADS=1``, inherited by
the spawned workers), so "1 thread" is one core. Reports, per run, the wall
time, files/s and the CPU seconds of the client plus its workers; then the
ratio 2 workers / 1 worker (target >= 1.7x) and the Dask engine's overhead
per file against the local engine's time per file (target <= 5 %), in wall
time and in CPU time (CPU time is the steadier of the two on a shared
machine), and the scheduler's cost per task (no-op tasks). Every Dask store
is compared byte for byte with the local one.

A benchmark, not a test: nothing here asserts timings.

Usage: python benches/bench_dask.py [--clips 2000] [--repeat 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("FERROSA_NUM_THREADS", "1")  # one core per thread, workers included

import numpy as np  # noqa: E402

NATIVE_SR = 44100
SECONDS = 3.0
CLASSES = ("pluck", "bowed", "flute", "clarinet", "kick", "snare", "hihat")
OPTS = {"segment_seconds": 3.0, "sr": 22050, "feature": "mfcc", "n_mfcc": 13}


def make_clips(root: Path, n: int, seed: int = 0) -> float:
    """``n`` distinct 3 s clips from a few rendered ones (gain, shift, noise); returns seconds."""
    import soundfile as sf
    from ferrosa.datasets.synth import render

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    length = int(SECONDS * NATIVE_SR)
    bases = {}
    for c, label in enumerate(CLASSES):
        for k in range(3):
            y = render(label, sr=NATIVE_SR, seed=(seed, c, k), max_duration=SECONDS)
            bases[label, k] = np.resize(y, length)  # repeated up to exactly 3 s
    for i in range(n):
        label = CLASSES[i % len(CLASSES)]
        y = np.roll(bases[label, int(rng.integers(3))], int(rng.integers(length)))
        y = y * rng.uniform(0.3, 1.0) + 0.003 * rng.standard_normal(length)
        folder = root / label
        folder.mkdir(parents=True, exist_ok=True)
        sf.write(folder / f"{label}_{i:05d}.wav", np.clip(y, -1, 1), NATIVE_SR, subtype="PCM_16")
    return time.perf_counter() - t0


def _cpu_self() -> float:
    t = os.times()
    return t.user + t.system


def _store_bytes(path: Path) -> tuple[bytes, str, dict]:
    meta = json.loads((path / "meta.json").read_text())
    meta.pop("engine", None)
    return (path / "features.npy").read_bytes(), (path / "index.csv").read_text(), meta


def run_local(data: Path, out: Path, threads: int) -> dict:
    import ferrosa.datasets as fd

    cpu0, t0 = _cpu_self(), time.perf_counter()
    fd.prepare(data, out, workers=threads, progress=False, overwrite=True, **OPTS)
    return {"wall": time.perf_counter() - t0, "cpu": _cpu_self() - cpu0}


def start_cluster(workers: int):
    """The LocalCluster ``prepare(engine="dask")`` starts, and a client; with start-up seconds."""
    import distributed
    from ferrosa.datasets.dask_engine import local_cluster

    t0 = time.perf_counter()
    cluster = local_cluster(workers, dashboard=False)
    client = distributed.Client(cluster, set_as_default=False)
    client.wait_for_workers(workers)
    return cluster, client, time.perf_counter() - t0


def run_dask(data: Path, out: Path, client) -> dict:
    import ferrosa.datasets as fd

    def worker_cpu() -> float:
        t = os.times()
        return t.user + t.system

    w0 = sum(client.run(worker_cpu).values())
    cpu0, t0 = _cpu_self(), time.perf_counter()
    fd.prepare(data, out, engine="dask", client=client, progress=False, overwrite=True, **OPTS)
    wall = time.perf_counter() - t0
    client_cpu = _cpu_self() - cpu0  # the client, and a LocalCluster's scheduler (in-process)
    workers_cpu = sum(client.run(worker_cpu).values()) - w0
    engine = json.loads((out / "meta.json").read_text())["engine"]
    return {
        "wall": wall,
        "cpu": client_cpu + workers_cpu,
        "client_cpu": client_cpu,
        "workers_cpu": workers_cpu,
        "engine": engine,
    }


def task_overhead(client, n: int = 400) -> float:
    """Seconds per no-op task, submitted and gathered like the engine's batches."""
    from distributed import as_completed

    t0 = time.perf_counter()
    futs = [client.submit(int, i, pure=False) for i in range(n)]
    for f in as_completed(futs, loop=client.loop):
        f.result()
    return (time.perf_counter() - t0) / n


def idle_cpu(client, seconds: float = 5.0) -> tuple[float, float]:
    """CPU seconds per second of an idle cluster: (its workers, the client and scheduler)."""

    def worker_cpu() -> float:
        t = os.times()
        return t.user + t.system

    w0, c0 = sum(client.run(worker_cpu).values()), _cpu_self()
    time.sleep(seconds)
    w1, c1 = sum(client.run(worker_cpu).values()), _cpu_self()
    return (w1 - w0) / seconds, (c1 - c0) / seconds


def best(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["wall"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=1, help="runs per setting (best kept)")
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="ferrosa-bench-dask-"))
    try:
        data = tmp / "data"
        gen = make_clips(data, args.clips)
        n = args.clips
        print(
            f"{n} clips of {SECONDS:g} s at {NATIVE_SR} Hz generated in {gen:.1f} s; "
            f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        res: dict = {"clips": n, "load_before": os.getloadavg()[0]}
        for threads in (1, 2):
            runs = [run_local(data, tmp / f"local{threads}", threads) for _ in range(args.repeat)]
            res[f"local_{threads}"] = best(runs)
            r = res[f"local_{threads}"]
            print(
                f"local {threads} thread(s):        {r['wall']:7.2f} s  {n / r['wall']:7.1f} "
                f"files/s  cpu {r['cpu']:.2f} s",
                flush=True,
            )
        ref = _store_bytes(tmp / "local1")
        assert _store_bytes(tmp / "local2") == ref
        for workers in (1, 2):
            cluster, client, startup = start_cluster(workers)
            try:
                runs = [run_dask(data, tmp / f"dask{workers}", client) for _ in range(args.repeat)]
                r = res[f"dask_{workers}"] = best(runs)
                r["startup"] = startup
                r["task_overhead"] = task_overhead(client)
                r["idle"] = idle_cpu(client)
                same = _store_bytes(tmp / f"dask{workers}") == ref
                r["identical"] = same
                e = r["engine"]
                print(
                    f"dask {workers} worker(s) x 1 thread: {r['wall']:7.2f} s  "
                    f"{n / r['wall']:7.1f} files/s  cpu {r['cpu']:.2f} s (client+scheduler "
                    f"{r['client_cpu']:.2f}, workers {r['workers_cpu']:.2f})  (cluster start "
                    f"{startup:.1f} s; {e['tasks']} tasks of {e['batch_files']} files; "
                    f"extract {e['extract_seconds']:.2f} s, shard writes "
                    f"{e['shard_write_seconds']:.2f} s; no-op task "
                    f"{1e3 * r['task_overhead']:.2f} ms; store identical: {same})",
                    flush=True,
                )
            finally:
                client.close()
                cluster.close()
        l1, d1, d2 = res["local_1"], res["dask_1"], res["dask_2"]
        per_file = l1["wall"] / n
        over_wall = (d1["wall"] - l1["wall"]) / n
        over_cpu = (d1["cpu"] - l1["cpu"]) / n
        assemble = d1["wall"] - d1["engine"]["extract_seconds"]
        res["summary"] = {
            "scaling_2_vs_1_worker": d1["wall"] / d2["wall"],
            "local_ms_per_file": 1e3 * per_file,
            "local_cpu_ms_per_file": 1e3 * l1["cpu"] / n,
            "dask_overhead_ms_per_file_wall": 1e3 * over_wall,
            "dask_overhead_pct_wall": 100 * over_wall / per_file,
            "dask_overhead_ms_per_file_cpu": 1e3 * over_cpu,
            "client_cpu_ms_per_file": 1e3 * d1["client_cpu"] / n,
            "worker_cpu_ms_per_file": 1e3 * d1["workers_cpu"] / n,
            "task_cpu_ms_per_file": 1e3 * d1["engine"]["task_cpu_seconds"] / n,
            "worker_idle_cpu_per_s": d1["idle"][0],
            "client_idle_cpu_per_s": d1["idle"][1],
            "dask_overhead_pct_cpu": 100 * over_cpu / (l1["cpu"] / n),
            "client_assemble_ms_per_file": 1e3 * assemble / n,
            "load_after": os.getloadavg()[0],
        }
        s = res["summary"]
        print(f"2 workers / 1 worker: {s['scaling_2_vs_1_worker']:.2f}x (target >= 1.7x)")
        print(
            f"local: {s['local_ms_per_file']:.2f} ms/file wall, "
            f"{s['local_cpu_ms_per_file']:.2f} ms/file cpu"
        )
        print(
            f"dask overhead per file: {s['dask_overhead_ms_per_file_wall']:+.2f} ms wall "
            f"({s['dask_overhead_pct_wall']:+.1f} %), {s['dask_overhead_ms_per_file_cpu']:+.2f} "
            f"ms cpu ({s['dask_overhead_pct_cpu']:+.1f} %) (target <= 5 %)"
        )
        print(
            f"1 worker: client+scheduler cpu {s['client_cpu_ms_per_file']:.3f} ms/file, "
            f"worker cpu {s['worker_cpu_ms_per_file']:.3f} ms/file, of which the tasks' own "
            f"{s['task_cpu_ms_per_file']:.3f} ms/file; idle machinery: worker "
            f"{s['worker_idle_cpu_per_s']:.3f}, client+scheduler {s['client_idle_cpu_per_s']:.3f} "
            "CPU s per s"
        )
        print(
            f"client outside extraction (checks, assembly): {s['client_assemble_ms_per_file']:.3f} "
            f"ms/file; load {res['load_before']:.1f} -> {s['load_after']:.1f}"
        )
        if args.json:
            args.json.write_text(json.dumps(res, indent=1, default=float))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
