"""FFT sizes (scipy.fft.next_fast_len for real transforms, without scipy)."""

from __future__ import annotations

__all__ = ["next_fast_len"]


def next_fast_len(n: int) -> int:
    """The smallest ``2**a * 3**b * 5**c`` at least ``n`` (``n >= 1``).

    Returns
    -------
    int
        What ``scipy.fft.next_fast_len(n, real=True)`` returns.
    """
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            v = p35
            while v < n:
                v *= 2
            best = min(best, v)
            p35 *= 3
        p5 *= 5
    return best
