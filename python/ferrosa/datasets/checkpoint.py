"""Checkpoint shards of a running ``prepare`` in ``STORE_DIR.partial/``.

Each shard is ``shard-NNNNN.npy`` (the features of the files it holds,
concatenated) plus ``shard-NNNNN.json`` (which files, how many segments,
their starts, or their failure). The JSON is written last and atomically,
so a shard exists only once it is complete; a killed run loses at most the
files finished since the last shard.

The files finished after the last shard are not written at all when the
run ends: :meth:`Checkpoint.hold` keeps them in memory for the assembly of
the store, so a run that ends quickly pays for no shard (each fsync, and
each unlink of an fsynced file afterwards, costs milliseconds). A run killed
during assembly redoes those files on resume.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import ParameterError

__all__ = ["FileRecord", "Checkpoint"]

PLAN_FILE = "plan.json"


@dataclass
class FileRecord:
    """Where one finished file's features are: shard, first row, segment starts, or failure."""

    index: int
    shard: int
    offset: int
    starts: list[int]
    failure: str | None


def _atomic_bytes(path: Path, write: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Checkpoint:
    """The shards of one interrupted or running preparation.

    Parameters
    ----------
    folder : Path
        ``STORE_DIR.partial/shards``.
    before_first_shard : callable, optional
        Called once before the first shard is written (records the plan).
    """

    def __init__(self, folder: Path, before_first_shard: Callable[[], None] | None = None) -> None:
        self.folder = folder
        self._before_first = before_first_shard
        self.records: dict[int, FileRecord] = {}
        self.n_shards = 0
        self._held: tuple[int, np.ndarray] | None = None
        for js in sorted(folder.glob("shard-*.json")):
            number = int(js.stem.split("-")[1])
            with js.open(encoding="utf-8") as fh:
                data = json.load(fh)
            self._record(number, data["files"])
            self.n_shards = max(self.n_shards, number + 1)

    def write_shard(
        self, results: list[tuple[int, Any]], feature_shape: tuple[int, ...] | None
    ) -> int:
        """Write one shard of ``(file index, Extracted)`` results; returns its number."""
        number = self.n_shards
        X, files = _pack(results, feature_shape)
        if self._before_first is not None:
            self._before_first()
            self._before_first = None
        # Made with the first shard: removing even an empty folder can cost milliseconds.
        self.folder.mkdir(parents=True, exist_ok=True)
        _atomic_bytes(self.folder / f"shard-{number:05d}.npy", lambda fh: np.save(fh, X))
        payload = json.dumps({"files": files}).encode("utf-8")
        _atomic_bytes(self.folder / f"shard-{number:05d}.json", lambda fh: fh.write(payload))
        self._record(number, files)
        self.n_shards = number + 1
        return number

    def hold(self, results: list[tuple[int, Any]], feature_shape: tuple[int, ...] | None) -> int:
        """Record the last results in memory only, as the shard number it returns.

        Nothing is written: the store is assembled from them, and a run
        killed before the store is complete does these files again.
        """
        number = self.n_shards
        X, files = _pack(results, feature_shape)
        self._record(number, files)
        self._held = (number, X)
        self.n_shards = number + 1
        return number

    def _record(self, number: int, files: list[dict[str, Any]]) -> None:
        for f in files:
            self.records[f["index"]] = FileRecord(
                f["index"], number, f["offset"], f["starts"], f["failure"]
            )

    def shard_array(self, number: int) -> np.ndarray:
        """The features of shard ``number``, memory-mapped (or the held ones)."""
        if self._held is not None and self._held[0] == number:
            return self._held[1]
        return np.load(self.folder / f"shard-{number:05d}.npy", mmap_mode="r")


def _pack(
    results: list[tuple[int, Any]], feature_shape: tuple[int, ...] | None
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """The features of ``results`` concatenated, and one record per file."""
    ok = [r.features for _, r in results if r.failure is None]
    if ok:
        X = np.concatenate(ok, axis=0)
    else:
        X = np.zeros((0,) + tuple(feature_shape or (0, 0, 0)), dtype=np.float32)
    files, offset = [], 0
    for index, r in results:
        n = 0 if r.failure is not None else int(r.features.shape[0])
        files.append(
            {
                "index": index,
                "offset": offset,
                "starts": [int(s) for s in r.starts],
                "failure": r.failure,
            }
        )
        offset += n
    return X, files


def check_plan(partial: Path, plan: dict[str, Any], *, resume: bool) -> Callable[[], None]:
    """Verify a resumed run continues the same plan; return how to record the plan.

    Returns
    -------
    callable
        Writes ``plan.json`` (a no-op when it is already there). Pass it to
        :class:`Checkpoint` as ``before_first_shard``: the plan only has to
        be on disk once a shard depends on it, so a run that ends before its
        first shard never pays for the fsync.
    """
    path = partial / PLAN_FILE
    if resume and path.is_file():
        with path.open(encoding="utf-8") as fh:
            old = json.load(fh)
        if old != json.loads(json.dumps(plan)):
            changed = sorted(k for k in set(old) | set(plan) if old.get(k) != plan.get(k))
            raise ParameterError(
                f"the interrupted run in {str(partial)!r} used different {', '.join(changed)}; "
                "pass overwrite=True (--overwrite) to start over"
            )
        return lambda: None
    payload = json.dumps(plan, indent=1).encode("utf-8")
    return lambda: _atomic_bytes(path, lambda fh: fh.write(payload))
