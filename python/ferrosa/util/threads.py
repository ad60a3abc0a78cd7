"""Thread control for the Rust kernels.

The Rust pool is built once, on first use, with ``FERROSA_NUM_THREADS``
threads (else one per available core); :func:`set_num_threads` caps how many
of them later calls use, and never exceeds the pool. An invalid
``FERROSA_NUM_THREADS`` is reported once, when ferrosa is imported.
"""

from __future__ import annotations

import os
import warnings

from .. import _core

ENV = "FERROSA_NUM_THREADS"


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _env_threads() -> int | None:
    """The valid ``FERROSA_NUM_THREADS`` value, None when unset or invalid."""
    raw = os.environ.get(ENV)
    if raw is None or not raw.strip():
        return None
    try:
        n = int(raw.strip())
    except ValueError:
        return None
    return n if n > 0 else None


def _warn_invalid_env() -> None:
    raw = os.environ.get(ENV)
    if raw is not None and raw.strip() and _env_threads() is None:
        warnings.warn(
            f"{ENV}={raw!r} is not a positive integer; ignored (using {_cores()} threads)",
            RuntimeWarning,
            stacklevel=3,
        )


#: Threads in the Rust pool (fixed when it is first used).
POOL_SIZE = _env_threads() or _cores()
_warn_invalid_env()


def set_num_threads(n: int) -> int:
    """Cap the threads every later kernel call may use.

    Parameters
    ----------
    n : int >= 0
        Maximum number of threads; 0 restores the default (the
        ``FERROSA_NUM_THREADS`` environment variable, else all cores).
        More threads than the pool holds cannot be used: the cap is then the
        pool size, with a ``RuntimeWarning``.

    Returns
    -------
    int
        The number of threads kernels will really use.
    """
    from ..exceptions import ParameterError

    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ParameterError(f"n={n!r} must be a non-negative integer")
    if n > POOL_SIZE:
        warnings.warn(
            f"set_num_threads({n}): the thread pool has {POOL_SIZE} threads; using {POOL_SIZE}",
            RuntimeWarning,
            stacklevel=2,
        )
        n = POOL_SIZE
    _core.set_num_threads(n)
    return get_num_threads()


def get_num_threads() -> int:
    """The number of threads kernels may use (at most the pool size)."""
    return max(1, min(int(_core.get_num_threads()), POOL_SIZE))
