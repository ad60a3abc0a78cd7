"""Import and export the tutorials' ``data.json`` (``{"mapping", "labels", "mfcc"}``).

The tutorials store, per segment, a list of frames each holding ``n_mfcc``
coefficients (``mfcc.T``), an integer label into ``mapping``, and nothing
about which recording a segment came from.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import ParameterError
from .config import FeatureConfig
from .splits import check_fractions, grouped_split
from .store import (
    FEATURES_FILE,
    FORMAT,
    INDEX_FILE,
    META_FILE,
    VERSION,
    Store,
    write_index,
    write_meta,
)

__all__ = ["export_data_json", "import_data_json"]

_SOURCE_KEYS = ("files", "filenames", "sources")


def export_data_json(
    store: Store | str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    split: str | None = None,
    channel: int = 0,
) -> Path:
    """Write a store (or one split) as a tutorial ``data.json``.

    Parameters
    ----------
    store : Store or path-like
    path : path-like
        Output JSON file.
    split : {"train", "valid", "test"} or None
        Export one split only.
    channel : int
        Feature channel to export (0 is the feature itself, 1+ its deltas).

    Returns
    -------
    Path
        ``path``. The JSON holds ``mapping``, ``labels``, the features under
        the key ``mfcc`` (shape (N, T, F): frames first, as the tutorials
        write ``mfcc.T``), and ``files`` (the source of every segment, which
        the tutorials lack and :func:`import_data_json` uses for grouping).
    """
    st = store if isinstance(store, Store) else Store(store)
    if not 0 <= channel < st.X.shape[1]:
        raise ParameterError(f"channel={channel!r} must be in [0, {st.X.shape[1]})")
    mask = np.ones(len(st), dtype=bool) if split is None else st.mask(split)
    X = np.asarray(st.X[mask, channel])  # (n, F, T)
    data = {
        "mapping": list(st.mapping),
        "labels": [int(v) for v in st.y[mask]],
        "mfcc": np.transpose(X, (0, 2, 1)).tolist(),
        "files": [str(s) for s in st.sources[mask]],
    }
    out = Path(path)
    with out.open("w", encoding="utf-8") as fh:
        json.dump(data, fh)
    return out


def import_data_json(
    path: str | os.PathLike[str],
    store_dir: str | os.PathLike[str],
    *,
    config: FeatureConfig | None = None,
    split: tuple[float, float, float] = (0.7, 0.15, 0.15),
    seed: int = 0,
    segments_per_file: int | None = None,
    overwrite: bool = False,
) -> Store:
    """Turn a tutorial ``data.json`` into a feature store.

    Parameters
    ----------
    path : path-like
        ``{"mapping": [names], "labels": [ids], "mfcc": [N][T][F]}``.
    store_dir : path-like
    config : FeatureConfig, optional
        The parameters the JSON was made with; default: the tutorials'
        (mfcc, sr 22050, n_fft 2048, hop 512, 10 segments of a 30 s clip)
        with ``n_mfcc`` taken from the data.
    split, seed
        Grouped split, as in :func:`ferrosa.datasets.prepare`.
    segments_per_file : int, optional
        The tutorials write the segments of one recording consecutively but
        do not say which: group every ``segments_per_file`` consecutive
        segments of one label as a pseudo-recording. When the JSON has a
        ``files`` list (ferrosa's export) that is used instead. Without
        either, each segment is its own group and the split leaks across
        segments of one recording; ``meta["split"]["warning"]`` says so.
    overwrite : bool

    Returns
    -------
    Store
    """
    name = os.fspath(path)
    with Path(path).open(encoding="utf-8") as fh:
        try:
            data: dict[str, Any] = json.load(fh)
        except (ValueError, RecursionError) as err:
            raise ParameterError(f"{name!r} is not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise ParameterError(
            f"{name!r} must hold a JSON object with mapping, labels and mfcc, "
            f"not a {type(data).__name__}"
        )
    for key in ("mapping", "labels", "mfcc"):
        if key not in data:
            raise ParameterError(f"{name!r} has no {key!r} list")
        if not isinstance(data[key], list):
            raise ParameterError(f"{name!r}: {key!r} must be a list")
    mapping = [str(m) for m in data["mapping"]]
    try:
        labels = np.asarray(data["labels"], dtype=np.int64)
    except (ValueError, TypeError, OverflowError) as err:
        raise ParameterError(f"{name!r}: labels must be integers ({err})") from None
    try:
        X = np.asarray(data["mfcc"], dtype=np.float32)
    except (ValueError, TypeError) as err:
        raise ParameterError(
            f"{name!r}: mfcc must be a rectangular (N, T, F) list of numbers ({err})"
        ) from None
    if labels.ndim != 1:
        raise ParameterError(f"{name!r}: labels must be a flat list, got shape {labels.shape}")
    if not np.isfinite(X).all():
        raise ParameterError(f"{name!r}: mfcc holds NaN or infinite values")
    if X.ndim != 3 or X.shape[0] != labels.shape[0]:
        raise ParameterError(f"mfcc must be (N, T, F) with N={labels.shape[0]}, got {X.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= len(mapping)):
        raise ParameterError(f"labels must index mapping (0..{len(mapping) - 1})")
    n, t, f = X.shape
    cfg = config or FeatureConfig(n_mfcc=f, segment_seconds=None, segments_per_file=10)
    names = [mapping[k] for k in labels]
    warning = None
    src_key = next((k for k in _SOURCE_KEYS if k in data), None)
    if src_key is not None:
        if not isinstance(data[src_key], list) or len(data[src_key]) != n:
            raise ParameterError(f"{name!r}: {src_key!r} must list one source per segment ({n})")
        sources = [str(s) for s in data[src_key]]
    elif segments_per_file:
        sources, k, run = [], 0, 0
        for i in range(n):
            if i and (names[i] != names[i - 1] or run == segments_per_file):
                k, run = k + 1, 0
            sources.append(f"data.json#{k}")
            run += 1
    else:
        sources = [f"data.json#segment{i}" for i in range(n)]
        warning = "data.json names no source files: split by segment, which leaks"
    # Labels may be a subset after re-sorting: keep the given order, ids unchanged.
    splits = grouped_split(names, sources, check_fractions(split), seed)
    seg_no: dict[str, int] = {}
    rows = []
    for i in range(n):
        k = seg_no.get(sources[i], 0)
        seg_no[sources[i]] = k + 1
        rows.append(
            {
                "source": sources[i],
                "label": names[i],
                "label_id": int(labels[i]),
                "segment": k,
                "start": -1,
                "group": sources[i],
                "split": str(splits[i]),
            }
        )
    from .prepare import _check_partial, _check_replaceable

    store = Path(store_dir)
    if store.exists() and not overwrite:
        raise ParameterError(f"{str(store)!r} already exists; pass overwrite=True to replace it")
    if store.exists():
        _check_replaceable(store)
    tmp = store.with_name(store.name + ".partial")
    if tmp.exists():
        _check_partial(tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    np.save(tmp / FEATURES_FILE, np.ascontiguousarray(np.transpose(X, (0, 2, 1))[:, None]))
    write_index(tmp / INDEX_FILE, rows)
    split_meta: dict[str, Any] = {
        "method": "grouped, stratified by label",
        "fractions": list(check_fractions(split)),
        "seed": seed,
        "group_by": "source",
    }
    if warning:
        split_meta["warning"] = warning
    write_meta(
        tmp / META_FILE,
        {
            "format": FORMAT,
            "version": VERSION,
            "config": cfg.to_dict(),
            "layout": "data.json",
            "data_dir": str(Path(path).resolve()),
            "mapping": mapping,
            "counts": {
                "files": len(set(sources)),
                "processed": len(set(sources)),
                "failed": 0,
                "excluded": 0,
                "segments": n,
            },
            "failures": [],
            "versions": {},
            "shape": [n, 1, f, t],
            "split": split_meta,
        },
    )
    if store.exists():
        shutil.rmtree(store)
    os.replace(tmp, store)
    return Store(store)
