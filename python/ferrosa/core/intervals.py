"""Interval sets for variable-Q bins (librosa.interval_frequencies and friends).

Just intonation (``"ji3"``, ``"ji5"``, ``"ji7"``) grows the interval set
by Tenney's "harmonic crystal growth": starting from the unison, repeatedly
add the candidate (a neighbour of a chosen interval in the lattice of prime
exponents) whose summed harmonic distance to everything chosen so far is
smallest, ties going to the simpler interval. The order candidates are
considered in, the distance rounding and the tie rule follow librosa 0.11,
so the same intervals come out in the same order.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

from ..exceptions import ParameterError
from ..util.validation import check_positive_int

__all__ = ["interval_frequencies", "plimit_intervals", "pythagorean_intervals"]

_JI_PRIMES = {"ji3": (3,), "ji5": (3, 5), "ji7": (3, 5, 7)}


def _fold_octave(log2_ratios: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fractional parts in [0, 1) of ``log2_ratios`` and the whole octaves taken off."""
    frac, whole = np.modf(log2_ratios)
    neg = frac < 0
    frac[neg] += 1
    whole[neg] -= 1
    return frac, whole.astype(int)


def _factors(octaves: int, exps: Sequence[int], primes: Sequence[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    if octaves != 0:
        out[2] = int(octaves)
    out.update({int(p): int(e) for p, e in zip(primes, exps, strict=True) if e != 0})
    return out


def pythagorean_intervals(
    *, bins_per_octave: int = 12, sort: bool = True, return_factors: bool = False
) -> Any:
    """Stacked just fifths folded into one octave (librosa.pythagorean_intervals).

    Parameters
    ----------
    bins_per_octave : int > 0
        Number of intervals: ``3**k`` for ``k = 0 .. bins_per_octave - 1``.
    sort : bool
        Ascending order (else in order of ``k``).
    return_factors : bool
        Return ``[{2: p2, 3: k}, ...]`` (the interval is ``2**p2 * 3**k``).

    Returns
    -------
    np.ndarray, shape (bins_per_octave,), float64, in [1, 2); or list of dict
    """
    bins_per_octave = check_positive_int("bins_per_octave", bins_per_octave)
    k = np.arange(bins_per_octave)
    frac, whole = _fold_octave(k * np.log2(3))
    order = np.argsort(frac) if sort else np.arange(bins_per_octave)
    if return_factors:
        return [{2: -int(whole[i]), 3: int(k[i])} for i in order]
    return np.power(2, frac[order])


def plimit_intervals(
    *, primes: Any, bins_per_octave: int = 12, sort: bool = True, return_factors: bool = False
) -> Any:
    """p-limit just-intonation intervals by harmonic crystal growth (librosa.plimit_intervals).

    Parameters
    ----------
    primes : sequence of odd primes
        The prime factors intervals may use (with powers of two).
    bins_per_octave : int > 0
        Number of intervals.
    sort : bool
        Ascending order (else in the order they were grown).
    return_factors : bool
        Return each interval as ``{prime: exponent}`` (powers of two under 2).

    Returns
    -------
    np.ndarray, shape (bins_per_octave,), float64, in [1, 2); or list of dict
    """
    bins_per_octave = check_positive_int("bins_per_octave", bins_per_octave)
    primes_arr = np.atleast_1d(np.asarray(primes))
    if primes_arr.ndim != 1 or primes_arr.size == 0 or np.any(primes_arr <= 1):
        raise ParameterError(f"primes={primes!r} must be a non-empty list of odd primes")
    weights = np.log2(primes_arr, dtype=np.float64)
    dim = len(primes_arr)
    steps = []
    for i in range(dim):
        for sign in (1, -1):
            e = [0] * dim
            e[i] = sign
            steps.append(tuple(e))

    def distance(a: tuple[int, ...], b: tuple[int, ...]) -> float:
        # Tenney harmonic distance of a/b: sum |exponent difference| * log2(p),
        # rounded so that equal distances compare equal.
        diff = np.abs(np.subtract(a, b))
        return float(np.around(weights.dot(diff), 6))

    def simpler(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
        return bool(weights.dot(np.abs(a)) < weights.dot(np.abs(b)))

    chosen: list[tuple[int, ...]] = [tuple([0] * dim)]
    candidates: list[tuple[int, ...]] = list(steps)
    # Summed distance of each candidate to the chosen set, kept up to date.
    totals = [distance(c, chosen[0]) for c in candidates]
    while len(chosen) < bins_per_octave:
        best = 0
        for j in range(1, len(candidates)):
            if totals[j] < totals[best] or (
                np.isclose(totals[j], totals[best]) and simpler(candidates[j], candidates[best])
            ):
                best = j
        new = candidates.pop(best)
        totals.pop(best)
        totals = [t + distance(c, new) for t, c in zip(totals, candidates, strict=True)]
        chosen.append(new)
        for step in steps:
            nb = tuple(int(x) for x in np.add(new, step))
            if nb not in chosen and nb not in candidates:
                candidates.append(nb)
                totals.append(sum(distance(nb, s) for s in chosen))
    exps = np.array(chosen, dtype=float)
    frac, whole = _fold_octave(exps.dot(weights))
    order = np.argsort(frac) if sort else np.arange(bins_per_octave)
    if return_factors:
        return [
            _factors(-int(whole[i]), [int(v) for v in exps[i]], list(primes_arr)) for i in order
        ]
    return np.power(2, frac[order])


def interval_frequencies(
    n_bins: int,
    *,
    fmin: float,
    intervals: str | Collection[float],
    bins_per_octave: int = 12,
    tuning: float = 0.0,
    sort: bool = True,
) -> np.ndarray:
    """Frequencies of ``n_bins`` bins from an interval set (librosa.interval_frequencies).

    Parameters
    ----------
    n_bins : int > 0
    fmin : float > 0
        Frequency of the first interval (the unison).
    intervals : str or sequence of float in [1, 2)
        ``"equal"`` (equal temperament), ``"pythagorean"``, ``"ji3"``,
        ``"ji5"``, ``"ji7"`` (3-, 5-, 7-limit just intonation), or the
        ratios of one octave (then ``bins_per_octave = len(intervals)``).
    bins_per_octave : int > 0
        Intervals per octave for a named set.
    tuning : float
        In fractions of a bin; used by ``"equal"`` only.
    sort : bool
        Ascending frequencies (else octave by octave in the set's order).

    Returns
    -------
    np.ndarray, shape (n_bins,), float64
        The octave's ratios times ``2**octave``, times ``fmin``.
    """
    if isinstance(intervals, str):
        bins_per_octave = check_positive_int("bins_per_octave", bins_per_octave)
        if intervals == "equal":
            steps = tuning + np.arange(0, bins_per_octave, dtype=float)
            ratios = 2.0 ** (steps / bins_per_octave)
        elif intervals == "pythagorean":
            ratios = pythagorean_intervals(bins_per_octave=bins_per_octave, sort=sort)
        elif intervals in _JI_PRIMES:
            ratios = plimit_intervals(
                primes=list(_JI_PRIMES[intervals]), bins_per_octave=bins_per_octave, sort=sort
            )
        else:
            raise ParameterError(
                f"intervals={intervals!r} must be 'equal', 'pythagorean', 'ji3', 'ji5', "
                "'ji7' or a list of ratios"
            )
    else:
        ratios = np.array(intervals)
        bins_per_octave = len(ratios)
        if bins_per_octave == 0:
            raise ParameterError("intervals must not be empty")
    n_octaves = np.ceil(n_bins / bins_per_octave)
    all_ratios = np.multiply.outer(2.0 ** np.arange(n_octaves), ratios).flatten()[:n_bins]
    if sort:
        all_ratios = np.sort(all_ratios)
    out: np.ndarray = all_ratios * fmin
    return out
