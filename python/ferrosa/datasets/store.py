"""The feature store: a self-describing directory of features, an index and metadata.

Layout of ``STORE_DIR``::

    features.npy   float32 (N, C, F, T), memory-mapped on read
    index.csv      one row per segment: source,label,label_id,segment,start,group,split
    meta.json      format, version, config, mapping, counts, failures, versions, shape, split

No pickles: everything is ``.npy``, CSV or JSON.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import ParameterError
from .config import FeatureConfig

__all__ = ["FORMAT", "INDEX_COLUMNS", "VERSION", "Store", "open_store", "write_index", "write_meta"]

FORMAT = "ferrosa-store"
VERSION = 1
INDEX_COLUMNS = ("source", "label", "label_id", "segment", "start", "group", "split")
FEATURES_FILE = "features.npy"
INDEX_FILE = "index.csv"
META_FILE = "meta.json"


class Store:
    """A feature store opened for reading.

    Attributes
    ----------
    path : Path
    X : np.memmap, float32, shape (N, C, F, T)
    y : np.ndarray, int64, shape (N,)
        Label ids (positions in ``mapping``).
    labels : np.ndarray of str, shape (N,)
    sources : np.ndarray of str, shape (N,)
        Source file of each segment, relative to the data root.
    groups : np.ndarray of str, shape (N,)
    splits : np.ndarray of str, shape (N,)
        ``"train"``, ``"valid"`` or ``"test"``.
    segments : np.ndarray, int64, shape (N,)
        Segment number within its source.
    starts : np.ndarray, int64, shape (N,)
        Segment start in samples at ``config.sr``.
    mapping : list of str
        Label names; ``label_id`` is the position.
    config : FeatureConfig
    meta : dict
        The parsed ``meta.json``.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        meta_path = self.path / META_FILE
        if not meta_path.is_file():
            raise ParameterError(
                f"{str(self.path)!r} is not a ferrosa feature store (no {META_FILE})"
            )
        with meta_path.open(encoding="utf-8") as fh:
            try:
                self.meta: dict[str, Any] = json.load(fh)
            except (ValueError, UnicodeDecodeError) as err:
                raise ParameterError(
                    f"{str(meta_path)!r} is corrupt (not valid JSON: {err})"
                ) from None
        if not isinstance(self.meta, dict):
            raise ParameterError(f"{str(meta_path)!r} is corrupt (not a JSON object)")
        if self.meta.get("format") != FORMAT:
            raise ParameterError(f"{str(meta_path)!r} is not a {FORMAT} file")
        if self.meta.get("version") != VERSION:
            raise ParameterError(
                f"store version {self.meta.get('version')!r} is not supported (expected {VERSION})"
            )
        try:
            self.mapping: list[str] = [str(m) for m in self.meta["mapping"]]
            self.config = FeatureConfig.from_dict(dict(self.meta["config"]))
        except (KeyError, TypeError, ValueError) as err:
            raise ParameterError(
                f"{str(meta_path)!r} is incomplete or corrupt: {type(err).__name__}: {err}"
            ) from None
        features = self.path / FEATURES_FILE
        try:
            self.X = np.load(features, mmap_mode="r")
        except (ValueError, EOFError, OSError) as err:
            if isinstance(err, (FileNotFoundError, IsADirectoryError, PermissionError)):
                raise
            raise ParameterError(f"{str(features)!r} is corrupt or truncated: {err}") from None
        want = self.meta.get("shape")
        if want is not None and list(self.X.shape) != list(want):
            raise ParameterError(
                f"inconsistent store: {FEATURES_FILE} has shape {list(self.X.shape)}, "
                f"{META_FILE} says {list(want)}"
            )
        try:
            cols = _read_index(self.path / INDEX_FILE)
        except (ValueError, csv.Error, UnicodeDecodeError) as err:
            if isinstance(err, ParameterError):
                raise
            raise ParameterError(f"{str(self.path / INDEX_FILE)!r} is corrupt: {err}") from None
        self.sources = cols["source"]
        self.labels = cols["label"]
        self.y = cols["label_id"].astype(np.int64)
        self.segments = cols["segment"].astype(np.int64)
        self.starts = cols["start"].astype(np.int64)
        self.groups = cols["group"]
        self.splits = cols["split"]
        if len(self.y) != self.X.shape[0]:
            raise ParameterError(
                f"inconsistent store: {len(self.y)} index rows for {self.X.shape[0]} feature rows"
            )

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, X{tuple(self.X.shape)}, {len(self.mapping)} labels)"

    def mask(self, split: str) -> np.ndarray:
        """Boolean mask of the segments in ``split``."""
        if split not in ("train", "valid", "test"):
            raise ParameterError(f"split={split!r} must be one of train, valid, test")
        return np.asarray(self.splits == split)

    def subset(self, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Features, label ids and sources of one split.

        Returns
        -------
        X : np.ndarray, float32, shape (n, C, F, T)
            Loaded into memory.
        y : np.ndarray, int64, shape (n,)
        sources : np.ndarray of str, shape (n,)
        """
        m = self.mask(split)
        return np.asarray(self.X[m]), self.y[m], self.sources[m]

    def summary(self) -> str:
        """A human-readable description: shape, parameters, counts, failures."""
        from .summary import describe

        return describe(self.meta, path=self.path)


def open_store(path: str | os.PathLike[str]) -> Store:
    """Open a feature store directory (``ferrosa.datasets.open``)."""
    return Store(path)


def _read_index(path: Path) -> dict[str, np.ndarray]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in INDEX_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ParameterError(f"{str(path)!r} lacks columns {', '.join(missing)}")
        rows = list(reader)
    out: dict[str, np.ndarray] = {}
    for c in INDEX_COLUMNS:
        vals = [r[c] for r in rows]
        if c in ("label_id", "segment", "start"):
            out[c] = np.array(vals, dtype=np.int64)
        else:
            out[c] = np.array(vals, dtype=str) if vals else np.array([], dtype=str)
    return out


def write_index(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """Write ``index.csv`` (columns :data:`INDEX_COLUMNS`)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(INDEX_COLUMNS), lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r[c] for c in INDEX_COLUMNS})


def write_meta(path: Path, meta: dict[str, Any]) -> None:
    """Write ``meta.json`` (sorted keys within sections, stable across runs)."""
    with path.open("w", encoding="utf-8") as fh:
        json.dump(meta, fh, indent=1)
        fh.write("\n")
