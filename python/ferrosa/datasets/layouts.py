"""Dataset layouts: one folder per class, a CSV manifest, GTZAN.

Each layout turns a data directory into a sorted list of :class:`Item`
(source file, label, group, optional fixed split). Sources are POSIX paths
relative to the data root, so a store does not depend on where the data sits.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..exceptions import ParameterError
from .gtzan import GENRES, gtzan_split

__all__ = ["AUDIO_EXTENSIONS", "LAYOUTS", "Discovery", "Item", "detect_layout", "discover"]

#: File extensions treated as audio (anything libsndfile may decode).
AUDIO_EXTENSIONS = frozenset(
    {".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".au", ".snd", ".aif", ".aiff", ".w64"}
)
LAYOUTS = ("auto", "folders", "csv", "gtzan")

_FNAME_COLUMNS = ("fname", "filename", "file", "path")
_GROUP_COLUMNS = ("group", "artist", "track", "recording")
_GTZAN_FILE = re.compile(r"^(?P<genre>[a-z]+)\.(?P<num>\d{5})\.[A-Za-z0-9]+$")


@dataclass(frozen=True)
class Item:
    """One recording of a dataset.

    Attributes
    ----------
    path : Path
        Absolute path of the file.
    source : str
        Path relative to the data root (POSIX separators); the store's key.
    label : str
    group : str
        Grouping key for splits (artist where known, else the source).
    split : str or None
        A split fixed by the layout (GTZAN's filtered split, a manifest's
        ``split`` column), else None.
    """

    path: Path
    source: str
    label: str
    group: str
    split: str | None = None


@dataclass
class Discovery:
    """What a layout found: items, the layout name, and files it left out with why."""

    items: list[Item]
    layout: str
    excluded: list[dict[str, str]]
    missing: list[dict[str, str]]


def _is_audio(p: Path) -> bool:
    return _is_audio_name(p.name)


def _is_audio_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in AUDIO_EXTENSIONS and not name.startswith(".")


def _audio_files(folder: Path) -> list[Path]:
    """Audio files below ``folder`` (recursive, hidden entries skipped), sorted.

    ``os.walk`` (no symlinked folders followed, as ``rglob``) prunes hidden
    folders instead of listing them; dangling links are kept, to be reported.
    """
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        base = Path(dirpath)
        out.extend(base / name for name in filenames if _is_audio_name(name))
    return sorted(out)


def _rel(p: Path, root: Path) -> str:
    return p.relative_to(root).as_posix()


def _class_dirs(root: Path) -> list[Path]:
    return sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))


def _find_manifest(root: Path) -> Path | None:
    """The CSV file in ``root`` with a file-name and a ``label`` column, if any."""
    if root.is_file():
        return root if root.suffix.lower() == ".csv" else None
    candidates = sorted(
        root.glob("*.csv"), key=lambda p: (p.name not in ("manifest.csv", "train.csv"), p.name)
    )
    for c in candidates:
        try:
            with c.open(newline="", encoding="utf-8-sig") as fh:
                header = next(csv.reader(fh), [])
        except (OSError, UnicodeDecodeError):
            continue
        cols = {h.strip().lower() for h in header}
        if "label" in cols and cols & set(_FNAME_COLUMNS):
            return c
    return None


def _gtzan_root(root: Path) -> Path | None:
    """The folder holding GTZAN's genre folders (root, genres_original, genres ...)."""
    for cand in (
        root,
        root / "genres_original",
        root / "genres",
        root / "Data" / "genres_original",
    ):
        if not cand.is_dir():
            continue
        dirs = [d for d in _class_dirs(cand) if d.name in GENRES]
        if not dirs or len(dirs) != len(_class_dirs(cand)):
            continue
        names = [p.name for d in dirs for p in d.iterdir() if _is_audio(p)]
        if names and all(
            (m := _GTZAN_FILE.match(n)) is not None and m["genre"] in GENRES for n in names
        ):
            return cand
    return None


def detect_layout(root: Path) -> str:
    """The layout of ``root``: ``csv`` if it has a manifest, else ``gtzan``, else ``folders``."""
    if _find_manifest(root) is not None:
        return "csv"
    if root.is_dir() and _gtzan_root(root) is not None:
        return "gtzan"
    return "folders"


def _folders(root: Path) -> Discovery:
    items = []
    for d in _class_dirs(root):
        for p in _audio_files(d):
            src = _rel(p, root)
            items.append(Item(p, src, d.name, src))
    return Discovery(items, "folders", [], [])


def _manifest(root: Path) -> Discovery:
    manifest = _find_manifest(root)
    if manifest is None:
        raise ParameterError(f"no CSV manifest with fname,label columns in {str(root)!r}")
    base = manifest.parent
    with manifest.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    by_name: dict[str, list[Path]] | None = None
    items, missing = [], []
    for row in rows:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        fname = next((row[c] for c in _FNAME_COLUMNS if row.get(c)), "")
        label = row.get("label", "")
        if not fname or not label:
            missing.append({"path": fname or "?", "reason": "manifest row without fname or label"})
            continue
        p = base / fname
        if not p.is_file():
            # Kaggle-style manifests name files that sit in a sub-folder (audio_train/).
            if by_name is None:
                by_name = {}
                for q in _audio_files(base):
                    by_name.setdefault(q.name, []).append(q)
            hits = by_name.get(Path(fname).name, [])
            if len(hits) != 1:
                why = "not found" if not hits else f"ambiguous: {len(hits)} files of that name"
                missing.append({"path": fname, "reason": f"listed in {manifest.name} but {why}"})
                continue
            p = hits[0]
        src = _rel(p, base)
        group = next((row[c] for c in _GROUP_COLUMNS if row.get(c)), src)
        split = row.get("split") or None
        if split is not None and split not in ("train", "valid", "test"):
            split = {"validation": "valid", "val": "valid", "dev": "valid"}.get(split.lower())
        items.append(Item(p, src, label, group, split))
    items.sort(key=lambda it: it.source)
    seen: set[str] = set()
    unique = []
    for it in items:
        if it.source in seen:
            missing.append({"path": it.source, "reason": f"listed twice in {manifest.name}"})
            continue
        seen.add(it.source)
        unique.append(it)
    return Discovery(unique, "csv", [], missing)


def _gtzan(root: Path) -> Discovery:
    groot = _gtzan_root(root)
    if groot is None:
        raise ParameterError(
            f"{str(root)!r} does not look like GTZAN (<genre>/<genre>.000NN.wav folders)"
        )
    fixed = gtzan_split()
    items, excluded = [], []
    for d in _class_dirs(groot):
        for p in _audio_files(d):
            src = _rel(p, root)
            m = _GTZAN_FILE.match(p.name)
            key = f"{m['genre']}.{m['num']}" if m else p.stem
            split = fixed.get(key)
            if split is None:
                excluded.append(
                    {
                        "path": src,
                        "reason": "not in the fault-filtered GTZAN split (Kereliuk et al. 2015)",
                    }
                )
                continue
            items.append(Item(p, src, d.name, src, split))
    return Discovery(items, "gtzan", excluded, [])


def discover(root: str | os.PathLike[str], layout: str = "auto") -> Discovery:
    """List the recordings of a dataset.

    Parameters
    ----------
    root : str or Path
        Data directory (or, for ``csv``, the manifest file itself).
    layout : {"auto", "folders", "csv", "gtzan"}
        ``folders``: ``root/<label>/**/<file>``; ``csv``: a manifest with
        ``fname,label`` (optional ``group``/``artist`` and ``split`` columns),
        file names relative to the manifest or found by name below it;
        ``gtzan``: ``[genres_original/]<genre>/<genre>.000NN.<ext>`` with the
        built-in fault-filtered split (clips outside it are excluded).
        ``auto`` picks csv if a manifest exists, else gtzan if the names
        match, else folders.

    Returns
    -------
    Discovery
        Items sorted by source.
    """
    root = Path(root).resolve()
    if layout not in LAYOUTS:
        raise ParameterError(f"layout={layout!r} must be one of {', '.join(LAYOUTS)}")
    if not root.exists():
        raise ParameterError(f"data directory {str(root)!r} does not exist")
    if layout == "auto":
        layout = detect_layout(root)
    if layout != "csv" and not root.is_dir():
        raise ParameterError(f"{str(root)!r} is not a directory")
    found = {"folders": _folders, "csv": _manifest, "gtzan": _gtzan}[layout](root)
    if not found.items:
        raise ParameterError(f"no audio files found in {str(root)!r} with layout={layout!r}")
    return found
