"""Thread control for the Rust kernels."""

from __future__ import annotations

from .. import _core


def set_num_threads(n: int) -> None:
    """Cap the threads every later kernel call may use.

    Parameters
    ----------
    n : int >= 0
        Maximum number of threads; 0 restores the default (the
        ``FERROSA_NUM_THREADS`` environment variable, else all cores).
    """
    from ..exceptions import ParameterError

    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ParameterError(f"n={n!r} must be a non-negative integer")
    _core.set_num_threads(n)


def get_num_threads() -> int:
    """The number of threads kernels may use."""
    return int(_core.get_num_threads())
