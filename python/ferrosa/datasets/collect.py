"""What every engine of ``prepare`` does with a finished file: check, count, checkpoint.

The local engine (threads) and the Dask engine (worker processes, maybe on
other machines) produce the same :class:`~ferrosa.datasets.extract.Extracted`
per file; :class:`Collector` takes them in completion order, in the process
that owns the store, and writes the checkpoint shards. Because the store is
assembled from the shards by file index, the order results arrive in (and how
they were grouped into shards) never changes the store.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from .checkpoint import Checkpoint
from .extract import Extracted

__all__ = ["KILL_ENV", "Collector", "progress_bar"]

#: Testing hook: SIGKILL the process right after this many checkpoint shards.
KILL_ENV = "FERROSA_PREPARE_KILL_AFTER_SHARDS"


def progress_bar(total: int, initial: int, enabled: bool) -> Any:
    """A tqdm bar over files on stderr (None when disabled or tqdm is missing)."""
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # progress is optional
        return None
    return tqdm(total=total, initial=initial, unit="file", desc="prepare", dynamic_ncols=True)


class Collector:
    """Receives finished files and writes a checkpoint shard every ``every`` files.

    Parameters
    ----------
    ckpt : Checkpoint
    total, initial : int
        Files in the run, and files already done (resumed) for the bar.
    progress : bool
    expected : (C, F, T) or None
        Feature shape every file must have; None: the first file fixes it
        (``mono=False``: the channel count is not known in advance).
    every : int
        Files per shard.
    min_gap : float
        Least seconds between two shards.
    """

    def __init__(
        self,
        ckpt: Checkpoint,
        *,
        total: int,
        initial: int,
        progress: bool,
        expected: tuple[int, ...] | None,
        every: int,
        min_gap: float,
    ) -> None:
        self.ckpt = ckpt
        self.kill_after = int(os.environ.get(KILL_ENV, "0") or 0)
        # The hook counts shards: write them by file count alone.
        self.min_gap = 0.0 if self.kill_after else min_gap
        self.every = every
        self.shape = expected
        self.bar = progress_bar(total, initial, progress)
        self.failed = sum(1 for r in ckpt.records.values() if r.failure is not None)
        self.buffer: list[tuple[int, Extracted]] = []
        self.last_shard = time.monotonic()
        self.write_seconds = 0.0  # time spent writing shards (the store writer's share)

    def add(self, index: int, res: Extracted) -> None:
        """Take the result of file ``index``; write a shard when one is due."""
        if res.features is not None:
            got = tuple(res.features.shape[1:])
            if self.shape is None:
                self.shape = got  # mono=False: the first file fixes the channel count
            elif got != self.shape:
                res = Extracted(
                    None, res.starts[:0], f"feature shape {got} differs from {self.shape}"
                )
        self.failed += res.failure is not None
        self.buffer.append((index, res))
        if self.bar is not None:
            self.bar.set_postfix(failed=self.failed, refresh=False)
            self.bar.update(1)
        if len(self.buffer) >= self.every and time.monotonic() - self.last_shard >= self.min_gap:
            t0 = time.perf_counter()
            self.ckpt.write_shard(self.buffer, self.shape)
            self.write_seconds += time.perf_counter() - t0
            self.buffer = []
            self.last_shard = time.monotonic()
            if self.kill_after and self.ckpt.n_shards >= self.kill_after:
                os.kill(os.getpid(), signal.SIGKILL)

    def finish(self) -> None:
        """Hold the files done since the last shard in memory for the store."""
        if self.buffer:
            self.ckpt.hold(self.buffer, self.shape)
            self.buffer = []

    def close(self) -> None:
        """Close the progress bar."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
