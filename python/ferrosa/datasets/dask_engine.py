"""The Dask engine of ``prepare``: the same featurisation on a Dask cluster.

The client lists the files once (``discover``), sends them to the workers in
batches of files (one task per batch, so the scheduler's few milliseconds per
task are small beside the batch's work), and takes the results back in the
process that owns the store. There they go through the same
:class:`~ferrosa.datasets.collect.Collector`, checkpoint shards and assembly
as with the local engine, so the store is byte for byte the one the local
engine writes, whatever the number of workers or the order batches finish in.

Faults:

* a worker that dies (killed, out of memory, machine lost) loses nothing: the
  scheduler runs its unfinished batches again elsewhere, and results it held
  but the client had not fetched yet are recomputed;
* a batch that keeps killing workers (Dask gives up after
  ``distributed.scheduler.allowed-failures`` deaths) is split into single
  files, and a file that still kills its worker is recorded as a failure;
* the client killed mid-run leaves the same ``STORE_DIR.partial/`` as the
  local engine: ``resume=True`` continues it (with either engine);
* a scheduler that cannot be reached, a cluster without workers, workers
  with another ferrosa/numpy/soundfile/soxr, or workers that cannot see the
  data are refused before any work, as one :class:`ClusterError` line.

Dask is imported only here, only when ``engine="dask"`` is asked for.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
import uuid
from collections import deque
from typing import Any

import numpy as np

from ..exceptions import FerrosaError, ParameterError
from .collect import Collector
from .config import FeatureConfig
from .extract import Extracted, extract
from .layouts import Discovery

__all__ = ["CONNECT_TIMEOUT", "ClusterError", "DaskRun", "auto_batch_files", "local_cluster"]

#: Seconds to wait for the scheduler to answer, and for a first worker.
CONNECT_TIMEOUT = 10.0
#: Most files per task: 64 clips of 3 s take ~0.2-0.5 s, beside 1-10 ms per task.
MAX_BATCH_FILES = 64
#: Tasks per worker thread the batch size aims for (load balance at the end of a run).
TASKS_PER_THREAD = 8
#: Tasks in flight per worker thread: results wait on the workers, not in the client.
IN_FLIGHT_PER_THREAD = 4
#: Times a batch is sent again after its result was lost in transit.
MAX_RESUBMITS = 5
#: The packages whose versions decide the numbers a worker computes.
_SAME_VERSIONS = ("ferrosa", "numpy", "soundfile", "soxr")


class ClusterError(FerrosaError, RuntimeError):
    """The Dask cluster cannot run the preparation (unreachable, no workers, mismatch)."""


def auto_batch_files(n_files: int, threads: int) -> int:
    """Files per task: about ``TASKS_PER_THREAD`` tasks per thread, at most ``MAX_BATCH_FILES``."""
    return max(1, min(MAX_BATCH_FILES, math.ceil(n_files / (TASKS_PER_THREAD * max(1, threads)))))


#: Dask's nannies start workers with ``MALLOC_TRIM_THRESHOLD_=65536``: glibc then hands every
#: freed block over 64 KiB back to the kernel and faults it in again, which cost 15-50 % more
#: CPU per file here (a recording's decoded and resampled arrays are ~1 MB each).
MALLOC_TRIM = "MALLOC_TRIM_THRESHOLD_"
_TRIM_CONFIG = f"distributed.nanny.pre-spawn-environ.{MALLOC_TRIM}"


def local_cluster(n_workers: int, *, dashboard: bool = True) -> Any:
    """A LocalCluster of ``n_workers`` spawned processes x 1 thread, as ``prepare`` starts it.

    Workers are spawned (never forked: Rust's thread pool may be running in
    this process), keep glibc's own malloc thresholds (see
    :data:`MALLOC_TRIM`) and run without Dask's statistical profiler. The
    caller closes it.
    """
    distributed = _import_distributed()
    import dask

    with dask.config.set(
        {
            "distributed.worker.multiprocessing-method": "spawn",
            _TRIM_CONFIG: None,
            # The statistical profiler samples every 10 ms: ~1.5 % of a core per idle worker.
            "distributed.worker.profile.enabled": False,
        }
    ):
        return distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0" if dashboard else None,
            silence_logs=logging.CRITICAL,  # our errors say what failed
        )


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ParameterError(
            "engine='dask' needs Dask distributed: pip install 'ferrosa[dask]'"
        ) from None
    return distributed


def _worker_versions() -> dict[str, str]:
    from .prepare import _versions

    return {k: v for k, v in _versions().items() if k in _SAME_VERSIONS}


def _probe(root: str, samples: list[str]) -> dict[str, Any]:
    """Run on every worker: its versions and whether it sees the data."""
    import socket

    import soundfile  # noqa: F401 - imported here, not in the first batch

    return {
        "host": socket.gethostname(),
        "versions": _worker_versions(),
        "root": os.path.exists(root),
        "missing": [s for s in samples if not os.path.exists(s)],
        "malloc_trim": os.environ.get(MALLOC_TRIM),
    }


def _kernel_threads(host_threads: dict[str, int]) -> int | None:
    """Rust threads for each file thread of this worker: its host's cores over its file threads.

    ``FERROSA_NUM_THREADS`` in a worker's environment wins.
    """
    if os.environ.get("FERROSA_NUM_THREADS"):
        return None
    try:
        from distributed import get_worker
        from distributed.comm import get_address_host

        worker = get_worker()
    except (ImportError, ValueError):
        return None
    n = host_threads.get(get_address_host(worker.address), int(getattr(worker, "nthreads", 1)))
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, n))


def featurise_batch(
    jobs: list[tuple[int, str]],
    config: FeatureConfig,
    keep_silent: bool,
    expected: tuple[int, ...] | None,
    host_threads: dict[str, int],
) -> tuple[list[tuple[int, Extracted]], float]:
    """One task on a worker: :func:`~ferrosa.datasets.extract.extract` for each file.

    Returns the results and the CPU seconds of this thread (the featurisation's
    own cost, apart from the worker's machinery).
    """
    cpu = time.thread_time()
    threads = _kernel_threads(host_threads)
    if threads is not None:
        from ..util.threads import get_num_threads, set_num_threads

        if get_num_threads() != threads:
            set_num_threads(threads)
    out = [
        (i, extract(path, config, keep_silent=keep_silent, expected=expected)) for i, path in jobs
    ]
    return out, time.thread_time() - cpu


def _reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


class DaskRun:
    """A connection to a Dask cluster for one ``prepare`` run (see :meth:`open`)."""

    def __init__(self, client: Any, owned: list[Any], address: str) -> None:
        self.client = client
        self._owned = owned  # what this run started and closes: a client, a LocalCluster
        self.address = address
        self.open_seconds = 0.0  # connecting (or starting a LocalCluster) and the checks
        self.malloc_trim: str | None = None  # a worker's MALLOC_TRIM_THRESHOLD_, if set

    # -- connecting -------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        client: Any,
        *,
        local_workers: int,
        found: Discovery,
        data_dir: str,
        progress: bool,
    ) -> DaskRun:
        """Connect (or start a LocalCluster) and check the workers can do the run.

        Parameters
        ----------
        client : distributed.Client, str or None
            A client (left open), a scheduler address such as
            ``"tcp://host:8786"``, or None for a LocalCluster of
            ``local_workers`` processes x 1 thread on this machine.
        local_workers : int
        found : Discovery
            The files of the run (a few are looked for on every worker).
        data_dir : str
            The resolved data path, which every worker must see.
        progress : bool
            Print the dashboard link and the cluster's size to stderr.

        Raises
        ------
        ClusterError
            Unreachable scheduler, no worker, version mismatch, data not visible.
        """
        distributed = _import_distributed()
        t0 = time.perf_counter()
        owned: list[Any] = []
        if isinstance(client, distributed.Client):
            address = str(client.scheduler.address) if client.scheduler else "?"
        elif isinstance(client, str):
            address = client
            try:
                client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
            except (OSError, TimeoutError, ValueError, TypeError) as err:
                raise ClusterError(
                    f"cannot reach the Dask scheduler at {address!r}: {_reason(err)}"
                ) from None
            owned.append(client)
        elif client is None:
            cluster = local_cluster(local_workers)
            owned.append(cluster)
            client = distributed.Client(cluster, set_as_default=False)
            owned.append(client)
            address = str(cluster.scheduler_address)
        else:
            raise ParameterError(
                f"client={client!r} must be a distributed.Client, a scheduler address or None"
            )
        run = cls(client, owned, address)
        try:
            run._check(found, data_dir)
        except BaseException:
            run.close()
            raise
        run.open_seconds = time.perf_counter() - t0
        if progress and run.malloc_trim:
            print(
                f"ferrosa prepare: note: the workers run with {MALLOC_TRIM}={run.malloc_trim} "
                "(Dask's default), which costs 15-50% more CPU per file; set "
                f"distributed.nanny.pre-spawn-environ.{MALLOC_TRIM}: null in the workers' "
                "Dask config (see the README)",
                file=sys.stderr,
            )
        if progress:
            n, t = run._size()
            print(
                f"ferrosa prepare: Dask scheduler {address}, {n} worker(s), {t} thread(s); "
                f"dashboard {client.dashboard_link}",
                file=sys.stderr,
            )
        return run

    def _size(self) -> tuple[int, int]:
        nthreads = self.client.nthreads()
        return len(nthreads), int(sum(nthreads.values()))

    def _check(self, found: Discovery, data_dir: str) -> None:
        try:
            self.client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except (TimeoutError, OSError):
            raise ClusterError(
                f"the Dask scheduler at {self.address!r} has no worker "
                f"(none joined within {CONNECT_TIMEOUT:g} s)"
            ) from None
        # A few files the client sees (not all: a stat per file is slow on network storage).
        n = len(found.items)
        picks = {found.items[k].path for k in (0, n // 4, n // 2, 3 * n // 4, n - 1)}
        samples = sorted(str(p) for p in picks if p.exists())
        try:
            answers = self.client.run(_probe, data_dir, samples)
        except Exception as err:  # the workers cannot even import ferrosa
            raise ClusterError(
                f"the Dask workers cannot run ferrosa ({_reason(err)}); install the same "
                "ferrosa on every worker"
            ) from None
        mine = _worker_versions()
        for addr, got in sorted(answers.items()):
            if got["versions"] != mine:
                diff = ", ".join(
                    f"{k} {got['versions'].get(k, 'missing')} (client {v})"
                    for k, v in mine.items()
                    if got["versions"].get(k) != v
                )
                raise ClusterError(
                    f"worker {addr} ({got['host']}) runs {diff}: every worker needs the "
                    "client's versions for the store to be the same"
                )
            self.malloc_trim = self.malloc_trim or got["malloc_trim"]
            if not got["root"] or got["missing"]:
                what = data_dir if not got["root"] else got["missing"][0]
                raise ClusterError(
                    f"worker {addr} ({got['host']}) cannot see {what!r}: the data must be on "
                    "a path every worker can read (a shared filesystem)"
                )

    def close(self) -> None:
        """Close what this run opened (a client given by the caller stays open)."""
        for thing in reversed(self._owned):
            try:
                thing.close()
            except Exception:  # closing a cluster that lost workers may complain
                pass
        self._owned = []

    # -- running ----------------------------------------------------------------------------
    def extract(
        self,
        found: Discovery,
        todo: list[int],
        out: Collector,
        config: FeatureConfig,
        *,
        keep_silent: bool,
        expected: tuple[int, ...] | None,
        batch_files: int | None,
    ) -> dict[str, Any]:
        """Featurise the files ``todo`` on the cluster, feeding ``out`` in completion order.

        Returns
        -------
        dict
            What ran: workers, threads, batch size, tasks, resubmissions, seconds.
        """
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        from .prepare import largest_first

        t0 = time.perf_counter()
        client = self.client
        n_workers, threads = self._size()
        size = batch_files or auto_batch_files(len(todo), threads)
        order = largest_first(found, todo)
        queue: deque[list[int]] = deque(order[k : k + size] for k in range(0, len(order), size))
        pending: dict[Any, list[int]] = {}
        attempts: dict[tuple[int, ...], int] = {}
        done = as_completed(loop=client.loop)
        stats = {"tasks": 0, "resubmitted": 0, "split": 0, "crashed_files": 0}
        window = [max(2, IN_FLIGHT_PER_THREAD * threads), time.monotonic()]
        host_threads: dict[str, int] = {}

        def refresh() -> None:
            try:
                info = client.scheduler_info(n_workers=-1)["workers"].values()
            except TypeError:  # Dask before 2025: every worker is listed anyway
                info = client.scheduler_info()["workers"].values()
            host_threads.clear()
            for w in info:
                host_threads[w["host"]] = host_threads.get(w["host"], 0) + int(w["nthreads"])
            total = sum(host_threads.values())
            window[:] = [max(2, IN_FLIGHT_PER_THREAD * total), time.monotonic()]

        def fill() -> None:
            if time.monotonic() - window[1] > 2.0:
                refresh()  # workers may have joined or left
            while queue and len(pending) < window[0]:
                batch = queue.popleft()
                jobs = [(i, str(found.items[i].path)) for i in batch]
                fut = client.submit(
                    featurise_batch,
                    jobs,
                    config,
                    keep_silent,
                    expected,
                    dict(host_threads),
                    key=f"ferrosa-prepare-{batch[0]}-{uuid.uuid4().hex[:8]}",
                    pure=False,
                )
                pending[fut] = batch
                done.add(fut)
                stats["tasks"] += 1

        def again(batch: list[int], why: str) -> None:
            key = tuple(batch)
            attempts[key] = attempts.get(key, 0) + 1
            if attempts[key] > MAX_RESUBMITS:
                raise ClusterError(
                    f"a batch of {len(batch)} file(s) was lost {MAX_RESUBMITS} times ({why})"
                )
            stats["resubmitted"] += 1
            queue.appendleft(batch)

        task_cpu = 0.0
        refresh()
        fill()
        try:
            while pending:
                fut = next(done)
                batch = pending.pop(fut)
                if fut.status == "finished":
                    try:
                        results, cpu = fut.result()
                    except Exception as err:  # its worker died before the client fetched it
                        again(batch, _reason(err))
                    else:
                        task_cpu += cpu
                        for index, res in results:
                            out.add(index, res)
                elif fut.status == "error":
                    failure = fut.exception()
                    if not isinstance(failure, KilledWorker):
                        raise failure  # a bug, not a bad file: the local engine raises it too
                    if len(batch) > 1:  # find the file that kills its worker
                        stats["split"] += 1
                        queue.extendleft([i] for i in reversed(batch))
                    else:
                        stats["crashed_files"] += 1
                        out.add(
                            batch[0],
                            Extracted(
                                None,
                                np.zeros(0, dtype=np.int64),
                                "cannot featurise: the process featurising it died "
                                f"(it killed {_allowed_failures()} Dask workers)",
                            ),
                        )
                else:  # cancelled or lost by the scheduler
                    again(batch, fut.status)
                fut.release()
                fill()
            out.finish()
        finally:
            if pending:
                client.cancel(list(pending), force=True)
        return {
            "name": "dask",
            "scheduler": self.address,
            "workers": n_workers,
            "threads": threads,
            "batch_files": size,
            **stats,
            "open_seconds": round(self.open_seconds, 3),
            "extract_seconds": round(time.perf_counter() - t0, 3),
            "task_cpu_seconds": round(task_cpu, 3),
            "shard_write_seconds": round(out.write_seconds, 3),
        }


def _allowed_failures() -> int:
    import dask

    return int(dask.config.get("distributed.scheduler.allowed-failures", 3)) + 1
