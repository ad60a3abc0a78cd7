"""``prepare``: a folder of recordings -> a feature store, on all cores, resumable.

The run works in ``STORE_DIR.partial/``: worker threads load and featurise
files, the main thread writes checkpoint shards (see ``checkpoint``). When
every file is done the store is assembled in ``STORE_DIR.partial/store`` and
renamed to ``STORE_DIR`` in one step, so a store under its final name is
always complete. A killed run continues with ``resume=True`` and gives the
same store as an uninterrupted one: results are ordered by source, never by
completion time, and the split is drawn after extraction.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sys
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

from .._optional import require
from ..exceptions import ParameterError
from .checkpoint import Checkpoint, check_plan
from .collect import KILL_ENV, Collector
from .config import FeatureConfig
from .extract import extract
from .features import empty_features
from .layouts import Discovery, discover
from .recipes import presets_for
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

__all__ = ["KILL_ENV", "prepare", "resolve_config"]

DEFAULT_FRACTIONS = (0.7, 0.15, 0.15)


def resolve_config(
    config: FeatureConfig | dict[str, Any] | None, overrides: dict[str, Any]
) -> FeatureConfig:
    """A FeatureConfig from a config (object or dict) and keyword overrides."""
    if config is None:
        return FeatureConfig(**overrides)
    if isinstance(config, dict):
        return FeatureConfig.from_dict({**config, **overrides})
    if isinstance(config, FeatureConfig):
        return config.replace(**overrides) if overrides else config
    raise ParameterError(
        f"config must be a FeatureConfig, a dict or None, not {type(config).__name__}"
    )


@functools.cache  # importlib.metadata reads package metadata from disk (~2 ms)
def _versions() -> dict[str, str]:
    from importlib import metadata

    from .._version import __version__

    out = {"ferrosa": __version__, "python": sys.version.split()[0]}
    for pkg in ("numpy", "librosa", "soundfile", "soxr"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def _digest(found: Discovery) -> str:
    """Fingerprint of the files (source, label, size, mtime): resuming needs the same files."""
    h = hashlib.sha256()
    for it in found.items:
        try:
            st = it.path.stat()
            stamp = f"{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            stamp = "?"
        h.update(f"{it.source}\t{it.label}\t{it.group}\t{it.split}\t{stamp}\n".encode())
    return h.hexdigest()


def _check_workers(workers: Any) -> int:
    if workers is None:
        return max(1, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers <= 0:
        raise ParameterError(f"workers={workers!r} must be a positive integer or None")
    return workers


def expected_shape(cfg: FeatureConfig) -> tuple[int, ...]:
    """``(C, F, T)`` of one segment under ``cfg``; bad ``extra`` options raise
    ``ParameterError`` naming them (the feature function's ``TypeError``)."""
    try:
        return tuple(empty_features(cfg).shape[1:])
    except TypeError as err:
        raise ParameterError(
            f"feature={cfg.feature!r} does not take the extra options {sorted(cfg.extra)}: {err}"
        ) from None


def _check_replaceable(store: Path) -> None:
    """Refuse to replace anything but a ferrosa store (or an empty folder)."""
    if not store.is_dir():
        raise ParameterError(
            f"{str(store)!r} exists and is not a directory; refusing to replace it"
        )
    if not any(store.iterdir()):
        return
    meta = store / META_FILE
    try:
        import json

        with meta.open(encoding="utf-8") as fh:
            fmt = json.load(fh).get("format")
    except (OSError, ValueError, AttributeError):
        fmt = None
    if fmt != FORMAT:
        raise ParameterError(
            f"{str(store)!r} is not a ferrosa store (no valid {META_FILE}); "
            "refusing to overwrite it: choose another STORE_DIR or remove it yourself"
        )


def _check_partial(partial: Path) -> None:
    """Refuse to delete a ``.partial`` folder that is not an interrupted ferrosa run."""
    from .checkpoint import PLAN_FILE

    if not partial.is_dir():
        raise ParameterError(f"{str(partial)!r} exists and is not a directory; remove it first")
    known = {PLAN_FILE, "shards", "store", "replaced"}
    entries = {p.name for p in partial.iterdir()}
    if entries - known:
        raise ParameterError(
            f"{str(partial)!r} holds files that are not an interrupted ferrosa run "
            f"({', '.join(sorted(entries - known)[:3])}); refusing to delete it"
        )


def _verify_built(built: Path) -> None:
    """Check the assembled arrays against its meta.json before it is swapped in."""
    import json

    with (built / META_FILE).open(encoding="utf-8") as fh:
        meta = json.load(fh)
    shape = tuple(int(v) for v in meta["shape"])
    try:
        X = np.load(built / FEATURES_FILE, mmap_mode="r")
    except (ValueError, OSError) as err:
        raise ParameterError(
            f"assembled {FEATURES_FILE} cannot be read ({err}); the store was not swapped in"
        ) from None
    expected_bytes = int(np.prod(shape, dtype=np.int64)) * 4
    if X.shape != shape or X.dtype != np.float32 or X.nbytes != expected_bytes:
        raise ParameterError(
            f"assembled features {X.shape} {X.dtype} do not match meta.json shape {list(shape)}; "
            "the store was not swapped in"
        )
    size = (built / FEATURES_FILE).stat().st_size
    if size - X.offset != expected_bytes:
        raise ParameterError(
            f"assembled {FEATURES_FILE} holds {size - X.offset} bytes of data, its header "
            f"declares {expected_bytes}; the store was not swapped in"
        )
    with (built / INDEX_FILE).open(encoding="utf-8") as fh:
        n_rows = sum(1 for _ in fh) - 1
    if n_rows != shape[0] or meta["counts"]["segments"] != shape[0]:
        raise ParameterError(
            f"index.csv has {n_rows} rows for {shape[0]} segments; the store was not swapped in"
        )
    del X


def largest_first(found: Discovery, todo: list[int]) -> list[int]:
    """``todo`` by decreasing file size: the big files do not finish last on one core."""

    def size(i: int) -> int:
        try:
            return found.items[i].path.stat().st_size
        except OSError:
            return 0

    return sorted(todo, key=lambda i: (-size(i), i))


def _extract_all(
    found: Discovery,
    todo: list[int],
    ckpt: Checkpoint,
    config: FeatureConfig,
    *,
    workers: int,
    progress: bool,
    keep_silent: bool,
    expected: tuple[int, ...] | None,
    every: int,
    min_gap: float,
) -> None:
    """Featurise the files ``todo`` on a thread pool, checkpointing every ``every`` files.

    A shard is written once ``every`` files are done and ``min_gap`` seconds
    have passed since the previous one; the files done last are held in
    memory for the store (see ``Checkpoint.hold``).
    """
    out = Collector(
        ckpt,
        total=len(found.items),
        initial=len(found.items) - len(todo),
        progress=progress,
        expected=expected,
        every=every,
        min_gap=min_gap,
    )
    # The file threads already fill the cores: kernels run single-threaded meanwhile,
    # rather than waking the Rust pool for a few frames each (oversubscription).
    from ..util.threads import get_num_threads, set_num_threads

    kernel_threads = get_num_threads()
    if workers > 1:
        set_num_threads(1)
    ex = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ferrosa-prepare")
    try:
        futures = {
            ex.submit(
                extract, found.items[i].path, config, keep_silent=keep_silent, expected=expected
            ): i
            for i in largest_first(found, todo)
        }
        for fut in as_completed(futures):
            out.add(futures.pop(fut), fut.result())
        out.finish()
    except BaseException:
        ex.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        out.close()
        if workers > 1:
            set_num_threads(kernel_threads)
    ex.shutdown(wait=True)


def _assign_splits(
    found: Discovery, ok: list[int], split: Any, seed: int
) -> tuple[np.ndarray, dict[str, Any]]:
    """Split per processed file; fixed (layout) splits when asked for or available."""
    items = [found.items[i] for i in ok]
    fixed = [it.split for it in items]
    want_fixed = isinstance(split, str)
    if want_fixed and split not in ("fixed", "filtered", "gtzan"):
        raise ParameterError(f"split={split!r} must be (train, valid, test) fractions or 'fixed'")
    if split is None and items and all(s is not None for s in fixed):
        want_fixed = True
    if want_fixed:
        if any(s is None for s in fixed):
            raise ParameterError(f"split={split!r}: the {found.layout} layout gives no fixed split")
        method = (
            "gtzan fault-filtered, artist-disjoint (Kereliuk, Sturm & Larsen 2015)"
            if found.layout == "gtzan"
            else "fixed by the manifest's split column"
        )
        return np.array(fixed, dtype=str), {"method": method, "group_by": "fixed"}
    fractions = check_fractions(DEFAULT_FRACTIONS if split is None else split)
    labels = [it.label for it in items]
    groups = [it.group for it in items]
    group_by = "source" if all(it.group == it.source for it in items) else "group"
    splits = grouped_split(labels, groups, fractions, seed)
    meta: dict[str, Any] = {
        "method": "grouped, stratified by label",
        "fractions": list(fractions),
        "seed": seed,
        "group_by": group_by,
    }
    if found.layout == "gtzan":
        meta["warning"] = (
            "GTZAN artists are unknown to ferrosa, so a split by file can share an artist "
            "between splits; the default (fixed) fault-filtered split is artist-disjoint"
        )
    return splits, meta


def _assemble(
    found: Discovery,
    ckpt: Checkpoint,
    out: Path,
    meta_base: dict[str, Any],
    *,
    split: Any,
    seed: int,
    expected: tuple[int, ...] | None,
) -> None:
    """Write features.npy, index.csv and meta.json into ``out`` from the shards."""
    from numpy.lib import format as npy

    recs = [ckpt.records[i] for i in range(len(found.items))]
    ok = [i for i, r in enumerate(recs) if r.failure is None]
    failures = [
        {"path": found.items[i].source, "reason": r.failure}
        for i, r in enumerate(recs)
        if r.failure
    ]
    failures += found.missing
    failures.sort(key=lambda f: f["path"])
    if not ok:
        first = f"{failures[0]['path']}: {failures[0]['reason']}" if failures else "?"
        raise ParameterError(
            f"no recording could be featurised ({len(failures)} failures, first: {first})"
        )
    mapping = sorted({found.items[i].label for i in ok})
    label_id = {lab: k for k, lab in enumerate(mapping)}
    splits, split_meta = _assign_splits(found, ok, split, seed)
    n_total = sum(len(recs[i].starts) for i in ok)
    shape = tuple(ckpt.shard_array(recs[ok[0]].shard).shape[1:]) if expected is None else expected
    out.mkdir(parents=True, exist_ok=True)
    # Rows are written in order through a plain file (the .npy layout numpy's
    # open_memmap gives, without the page faults and msync of a memmap).
    with (out / FEATURES_FILE).open("wb") as fh:
        header = {
            "descr": npy.dtype_to_descr(np.dtype(np.float32)),
            "fortran_order": False,
            "shape": (n_total, *shape),
        }
        npy.write_array_header_1_0(fh, header)
        rows: list[dict[str, Any]] = []
        per_label: dict[str, Counter[str]] = {lab: Counter() for lab in mapping}
        per_split: dict[str, Counter[str]] = {s: Counter() for s in ("train", "valid", "test")}
        arrays: dict[int, np.ndarray] = {}
        for i, sp in zip(ok, splits, strict=True):
            rec, it = recs[i], found.items[i]
            n = len(rec.starts)
            if rec.shard not in arrays:
                arrays = {rec.shard: ckpt.shard_array(rec.shard)}  # one open shard at a time
            block = arrays[rec.shard][rec.offset : rec.offset + n]
            fh.write(np.ascontiguousarray(block, dtype=np.float32).tobytes())
            for k, start in enumerate(rec.starts):
                rows.append(
                    {
                        "source": it.source,
                        "label": it.label,
                        "label_id": label_id[it.label],
                        "segment": k,
                        "start": start,
                        "group": it.group,
                        "split": str(sp),
                    }
                )
            per_label[it.label].update(files=1, segments=n)
            per_split[str(sp)].update(files=1, segments=n)
    del arrays
    write_index(out / INDEX_FILE, rows)
    meta = dict(meta_base)
    meta.update(
        mapping=mapping,
        counts={
            "files": len(found.items) + len(found.missing),
            "processed": len(ok),
            "failed": len(failures),
            "excluded": len(found.excluded),
            "segments": n_total,
            "per_label": {k: dict(v) for k, v in per_label.items()},
            "per_split": {k: dict(v) for k, v in per_split.items()},
        },
        failures=failures,
        excluded=found.excluded,
        shape=[n_total, *shape],
        split=split_meta,
    )
    if meta_base.get("config", {}).get("feature") == "logspec":
        meta["scaler"] = _train_scaler(out / FEATURES_FILE, [r["split"] for r in rows])
    write_meta(out / META_FILE, meta)


def _train_scaler(features: Path, splits: list[str]) -> dict[str, Any]:
    """Global min/max of the train split's dB spectrograms (the generators' scaler).

    Fitted on training rows only, so validation and test never leak into it;
    all rows when the split has no training rows.
    """
    X = np.load(features, mmap_mode="r")
    train = np.array([s == "train" for s in splits], dtype=bool)
    rows = np.flatnonzero(train) if train.any() else np.arange(len(splits))
    low, high = np.inf, -np.inf
    for start in range(0, len(rows), 256):
        block = np.asarray(X[rows[start : start + 256]])
        low, high = min(low, float(block.min())), max(high, float(block.max()))
    return {"low": low, "high": high, "fitted_on": "train" if train.any() else "all"}


def _swap_in(built: Path, store_dir: Path, partial: Path) -> None:
    """Move the built store to its final name in one rename (replacing an old store last)."""
    if store_dir.exists():
        old = partial / "replaced"
        os.replace(store_dir, old)
    os.replace(built, store_dir)
    shutil.rmtree(partial, ignore_errors=True)


def prepare(
    data_dir: str | os.PathLike[str],
    store_dir: str | os.PathLike[str],
    *,
    layout: str = "auto",
    config: FeatureConfig | dict[str, Any] | None = None,
    split: Sequence[float] | str | None = None,
    seed: int = 0,
    resume: bool = False,
    overwrite: bool = False,
    workers: int | None = None,
    progress: bool = True,
    keep_silent: bool = False,
    checkpoint_every: int = 32,
    checkpoint_seconds: float = 1.0,
    engine: str = "local",
    client: Any = None,
    batch_files: int | None = None,
    **overrides: Any,
) -> Store:
    """Build a feature store from a folder of recordings.

    Parameters
    ----------
    data_dir : path-like
        The dataset (see :func:`ferrosa.datasets.discover` for layouts).
    store_dir : path-like
        Where the store goes. It appears only when complete; the run works in
        ``store_dir + ".partial"``.
    layout : {"auto", "folders", "csv", "gtzan"}
    config : FeatureConfig, dict or None
        Feature parameters; ``**overrides`` (any FeatureConfig field, e.g.
        ``feature="mel", segment_seconds=2.0``) are applied on top.
    split : (train, valid, test) fractions, "fixed", or None
        Fractions give a seeded split by group (source file, or a manifest's
        group/artist column), stratified by label. ``"fixed"`` uses the
        layout's split (GTZAN's fault-filtered split, a manifest ``split``
        column). ``None``: the fixed split when the layout has one for every
        file, else ``(0.7, 0.15, 0.15)``.
    seed : int
    resume : bool
        Continue an interrupted run from its checkpoint shards (the same data
        and parameters are required); if the store is already complete,
        just open it.
    overwrite : bool
        Replace an existing store (it stays in place until the new one is
        complete) or discard an interrupted run.
    workers : int > 0 or None
        Threads over files (default: all cores). With more than one, the Rust
        kernels are capped to one thread each while the run lasts (process-wide,
        restored afterwards): the files already keep every core busy.
    progress : bool
        Show a tqdm progress bar on stderr.
    keep_silent : bool
        Keep all-zero recordings instead of listing them as failures.
    checkpoint_every : int > 0
        Files per checkpoint shard.
    checkpoint_seconds : float >= 0
        Least time between two shards (fsyncs cost milliseconds each): a
        killed run loses at most the files done in the last
        ``max(checkpoint_every files, checkpoint_seconds)``. The files done
        after the last shard go into the store from memory.
    engine : {"local", "dask"}
        ``"local"``: threads of this process. ``"dask"``: batches of files
        featurised on a Dask cluster (``pip install 'ferrosa[dask]'``) by the
        same code, the store written here with the same checkpoints; it is
        byte for byte the local engine's store (``meta.json`` adds an
        ``engine`` entry with the cluster's size and timings).
    client : distributed.Client, str or None
        With ``engine="dask"``: a client (left open), a scheduler address
        (``"tcp://host:8786"``), or None for a LocalCluster on this machine
        of ``workers`` processes x 1 thread. The data must be at the same
        path on every worker (checked before any work).
    batch_files : int > 0 or None
        With ``engine="dask"``: files per task (default: about 8 tasks per
        worker thread, at most 32 files).

    Returns
    -------
    Store
        The opened store. Bad files are listed in ``store.meta["failures"]``.

    Raises
    ------
    ParameterError
        Invalid parameters, an existing store or interrupted run without
        ``resume``/``overwrite``, or no usable recording at all.
    ClusterError
        ``engine="dask"``: the scheduler cannot be reached, has no worker, or
        its workers run other versions or cannot see the data.
    """
    cfg = resolve_config(config, overrides)
    if cfg.segment_samples is None:
        raise ParameterError(
            "a store needs equal-length segments: set segment_seconds or segments_per_file"
        )
    if split is not None and not isinstance(split, str):
        check_fractions(split)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ParameterError(f"seed={seed!r} must be an integer")
    n_workers = _check_workers(workers)
    if (
        isinstance(checkpoint_every, bool)
        or not isinstance(checkpoint_every, int)
        or checkpoint_every <= 0
    ):
        raise ParameterError(f"checkpoint_every={checkpoint_every!r} must be a positive integer")
    if (
        isinstance(checkpoint_seconds, bool)
        or not isinstance(checkpoint_seconds, (int, float))
        or not checkpoint_seconds >= 0
    ):
        raise ParameterError(f"checkpoint_seconds={checkpoint_seconds!r} must be a number >= 0")
    if engine not in ("local", "dask"):
        raise ParameterError(f"engine={engine!r} must be 'local' or 'dask'")
    if engine == "local" and client is not None:
        raise ParameterError("client= is for engine='dask'")
    if batch_files is not None and (
        isinstance(batch_files, bool) or not isinstance(batch_files, int) or batch_files <= 0
    ):
        raise ParameterError(f"batch_files={batch_files!r} must be a positive integer or None")
    # Fail in one line before any work when the audio extra is absent (a worker
    # would otherwise record every file as bad).
    require("soundfile", "ferrosa prepare")
    require("soxr", "ferrosa prepare")
    store = Path(store_dir).resolve()
    partial = store.with_name(store.name + ".partial")
    found = discover(data_dir, layout)
    # The shape comes from the configuration alone (channels included), before
    # any file is read: it checks the feature and its extra options, and no
    # store depends on which file happens to finish first.
    expected = expected_shape(cfg)

    plan = {
        "config": cfg.to_dict(),
        "layout": found.layout,
        "data_dir": str(Path(data_dir).resolve()),
        "files": _digest(found),
        "keep_silent": keep_silent,
    }
    if store.exists():
        if overwrite:
            _check_replaceable(store)
        if resume and not overwrite:
            done = Store(store)
            if (
                done.meta.get("config") == plan["config"]
                and done.meta.get("files") == plan["files"]
            ):
                return done
            raise ParameterError(
                f"{str(store)!r} exists with other parameters or files; pass overwrite=True"
            )
        if not overwrite:
            raise ParameterError(
                f"{str(store)!r} already exists; pass overwrite=True (--overwrite) to replace it"
            )
    if partial.exists() and not resume and not overwrite:
        raise ParameterError(
            f"an interrupted run exists in {str(partial)!r}: pass resume=True (--resume) to "
            "continue it, or overwrite=True (--overwrite) to start over"
        )
    cluster = None
    if engine == "dask":  # connect and check the workers before anything is written
        from .dask_engine import DaskRun

        cluster = DaskRun.open(
            client,
            local_workers=n_workers,
            found=found,
            data_dir=str(plan["data_dir"]),
            progress=progress,
        )
    engine_meta: dict[str, Any] | None = None
    try:
        if partial.exists():
            _check_partial(partial)  # never delete a folder that is not our own run
            if not resume:
                shutil.rmtree(partial)
        partial.mkdir(parents=True, exist_ok=True)
        record_plan = check_plan(partial, plan, resume=resume)
        ckpt = Checkpoint(partial / "shards", before_first_shard=record_plan)
        todo = [i for i in range(len(found.items)) if i not in ckpt.records]
        if cluster is None:
            _extract_all(
                found,
                todo,
                ckpt,
                cfg,
                workers=n_workers,
                progress=progress,
                keep_silent=keep_silent,
                expected=expected,
                every=checkpoint_every,
                min_gap=float(checkpoint_seconds),
            )
        else:
            out = Collector(
                ckpt,
                total=len(found.items),
                initial=len(found.items) - len(todo),
                progress=progress,
                expected=expected,
                every=checkpoint_every,
                min_gap=float(checkpoint_seconds),
            )
            try:
                engine_meta = cluster.extract(
                    found,
                    todo,
                    out,
                    cfg,
                    keep_silent=keep_silent,
                    expected=expected,
                    batch_files=batch_files,
                )
            finally:
                out.close()
    finally:
        if cluster is not None:
            cluster.close()
    built = partial / "store"
    if built.exists():
        shutil.rmtree(built)
    meta_base = {
        "format": FORMAT,
        "version": VERSION,
        "config": cfg.to_dict(),
        "layout": found.layout,
        "data_dir": plan["data_dir"],
        "files": plan["files"],
        "versions": dict(_versions()),
        # What the store holds, in the words of the training presets: the ones
        # whose recommended features these are (``ferrosa train`` checks it).
        "designed_for": presets_for(cfg.to_dict()),
    }
    if engine_meta is not None:
        meta_base["engine"] = engine_meta  # the only entry a Dask store adds
    _assemble(found, ckpt, built, meta_base, split=split, seed=seed, expected=expected)
    _verify_built(built)
    _swap_in(built, store, partial)
    done = Store(store)
    if progress and done.meta["failures"]:
        print(
            f"ferrosa prepare: {len(done.meta['failures'])} file(s) skipped, reasons in "
            f"{store / META_FILE}",
            file=sys.stderr,
        )
    return done
