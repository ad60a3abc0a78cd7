"""GTZAN's fault-filtered, artist-disjoint split (Kereliuk, Sturm & Larsen 2015) as data."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import PurePosixPath

__all__ = ["GENRES", "gtzan_split"]

GENRES = (
    "blues",
    "classical",
    "country",
    "disco",
    "hiphop",
    "jazz",
    "metal",
    "pop",
    "reggae",
    "rock",
)

_PARTS = {"train": "train_filtered.txt", "valid": "valid_filtered.txt", "test": "test_filtered.txt"}


@functools.cache
def gtzan_split() -> dict[str, str]:
    """Clip name -> split for the 930 clips of the filtered split.

    Returns
    -------
    dict
        ``{"blues.00029": "train", ...}``: keys are clip names without folder
        or extension (lists name ``.au`` files, the Kaggle copy has ``.wav``);
        443 train, 197 valid, 290 test.
    """
    out: dict[str, str] = {}
    folder = resources.files(__package__).joinpath("gtzan_split")
    for split, name in _PARTS.items():
        for line in folder.joinpath(name).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line:
                out[PurePosixPath(line).stem] = split
    return out
