"""Train/valid/test splits by group (source file or artist), stratified by label, seeded.

Segments of one recording never land in two splits: splitting segments
instead of recordings is how tutorial accuracies get inflated.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from numbers import Real

import numpy as np

from ..exceptions import ParameterError

__all__ = ["SPLITS", "check_fractions", "grouped_split"]

SPLITS = ("train", "valid", "test")


def check_fractions(split: Sequence[float]) -> tuple[float, float, float]:
    """Validate ``(train, valid, test)`` fractions: three non-negative numbers summing to 1."""
    try:
        fr = tuple(split)
    except TypeError:
        raise ParameterError(
            f"split={split!r} must be three fractions (train, valid, test)"
        ) from None
    if len(fr) != 3 or not all(
        isinstance(f, Real) and not isinstance(f, bool) and math.isfinite(f) and f >= 0 for f in fr
    ):
        raise ParameterError(f"split={split!r} must be three non-negative fractions")
    if abs(sum(fr) - 1.0) > 1e-6 or fr[0] <= 0:
        raise ParameterError(f"split={split!r} must sum to 1 with a positive train fraction")
    return float(fr[0]), float(fr[1]), float(fr[2])


def _allocate(n: int, fractions: tuple[float, float, float]) -> list[int]:
    """Groups per split for ``n`` groups by largest remainder; each asked-for split gets one."""
    raw = [f * n for f in fractions]
    counts = [int(math.floor(r)) for r in raw]
    order = sorted(range(3), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    # A split asked for but rounded to zero borrows from the largest one.
    for i in range(3):
        if fractions[i] > 0 and counts[i] == 0:
            j = max(range(3), key=lambda k: counts[k])
            if counts[j] > 1:
                counts[j] -= 1
                counts[i] += 1
    return counts


def grouped_split(
    labels: Sequence[str],
    groups: Sequence[str],
    fractions: Sequence[float] = (0.7, 0.15, 0.15),
    seed: int = 0,
) -> np.ndarray:
    """Assign each item a split so that every group lies in exactly one split.

    Parameters
    ----------
    labels : sequence of str, length n
        Class of each item (a recording).
    groups : sequence of str, length n
        Grouping key of each item (source file, or artist where known).
    fractions : (train, valid, test)
        Target shares of groups per label.
    seed : int
        Seed of the shuffle; the same inputs and seed give the same split.

    Returns
    -------
    np.ndarray of str, shape (n,)
        ``"train"``, ``"valid"`` or ``"test"`` per item.

    Notes
    -----
    Groups are stratified by their majority label: for each label (in sorted
    order) its groups (sorted, then shuffled with the seeded generator) are
    dealt to the splits in proportion, rounding by largest remainder.
    """
    fr = check_fractions(fractions)
    if len(labels) != len(groups):
        raise ParameterError(f"labels ({len(labels)}) and groups ({len(groups)}) differ in length")
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for lab, grp in zip(labels, groups, strict=True):
        votes[grp][lab] += 1
    by_label: dict[str, list[str]] = defaultdict(list)
    for grp, c in votes.items():
        top = max(c.values())
        by_label[min(lab for lab, k in c.items() if k == top)].append(grp)
    rng = np.random.default_rng(seed)
    assign: dict[str, str] = {}
    for lab in sorted(by_label):
        grps = sorted(by_label[lab])
        perm = rng.permutation(len(grps))
        counts = _allocate(len(grps), fr)
        bounds = np.cumsum(counts)
        for rank, gi in enumerate(perm):
            assign[grps[gi]] = SPLITS[int(np.searchsorted(bounds, rank, side="right"))]
    return np.array([assign[g] for g in groups], dtype=object).astype(str)
