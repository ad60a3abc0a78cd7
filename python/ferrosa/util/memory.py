"""Up-front memory estimates: refuse a call that cannot fit before allocating.

The Rust core aborts the whole process when an allocation fails, and a
request that almost fits drives the machine into swap or the OOM killer.
Every entry point whose sizes come from the user (FFT length, number of
bands, scales, filter widths, output shapes) estimates the bytes it will
hold at its peak and calls :func:`check_memory` first, which raises
``MemoryError`` naming the sizes when the estimate exceeds the limit.

The limit is ``FERROSA_MAX_MEMORY`` (bytes, or with a K/M/G/T suffix) when
set, else the memory the system reports as available (``MemAvailable`` on
Linux; physical memory elsewhere).
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["check_memory", "memory_limit", "format_bytes", "check_size"]

# Index sizes beyond this cannot be represented by the Rust core (isize) or
# by NumPy; refusing them up front gives a ParameterError, not OverflowError.
MAX_INDEX = 2**62

_SUFFIX = {"": 1, "B": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def _parse_bytes(text: str) -> int | None:
    s = text.strip().upper().removesuffix("IB").removesuffix("B")
    unit = s[-1:] if s[-1:] in _SUFFIX else ""
    num = s[: len(s) - len(unit)] if unit else s
    try:
        value = float(num) * _SUFFIX[unit]
    except ValueError:
        return None
    return int(value) if value > 0 else None


def _available() -> int:
    """Bytes the system can hand out now (MemAvailable, else physical memory)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - exotic platforms
        return 2**34


def memory_limit() -> int:
    """The byte budget one call may use (``FERROSA_MAX_MEMORY`` or available memory)."""
    env = os.environ.get("FERROSA_MAX_MEMORY")
    if env:
        parsed = _parse_bytes(env)
        if parsed is not None:
            return parsed
    return _available()


def format_bytes(n: float) -> str:
    """``n`` bytes as a short human string (``"16.0 GiB"``)."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} EiB"  # pragma: no cover


def check_memory(what: str, nbytes: float, **sizes: Any) -> None:
    """Raise ``MemoryError`` if ``nbytes`` exceeds :func:`memory_limit`.

    Parameters
    ----------
    what : str
        The call or object being sized (``"stft"``, ``"mel filter bank"``).
    nbytes : float
        Estimated peak bytes (a Python float/int, so it never overflows).
    **sizes
        The user-controlled sizes, named in the message (``n_fft=2**31``).
    """
    limit = memory_limit()
    if nbytes > limit:
        named = ", ".join(f"{k}={v}" for k, v in sizes.items())
        raise MemoryError(
            f"{what}{f' with {named}' if named else ''} needs about {format_bytes(nbytes)}, "
            f"more than the {format_bytes(limit)} available "
            "(set FERROSA_MAX_MEMORY to change the limit)"
        )


def check_size(name: str, value: int) -> int:
    """Refuse an index-like size too large for the core with ``ParameterError``."""
    from ..exceptions import ParameterError

    if value >= MAX_INDEX:
        raise ParameterError(f"{name}={value} is too large (at most 2**62 - 1)")
    return value


def _threads() -> int:
    try:
        from .threads import get_num_threads

        return max(1, get_num_threads())
    except Exception:  # pragma: no cover - the extension is always there
        return 1


def stft_frames(n: int, n_fft: int, hop_length: int, center: bool) -> int:
    """Frame count of an STFT of ``n`` samples (at least 1 when it is valid)."""
    padded = n + 2 * (n_fft // 2) if center else n
    return max(1, 1 + (padded - n_fft) // hop_length)


def check_stft_memory(
    what: str,
    shape: tuple[int, ...],
    n_fft: int,
    hop_length: int,
    center: bool,
    *,
    out_rows: int | None = None,
    itemsize: int = 16,
    extra: float = 0,
    **sizes: Any,
) -> int:
    """Refuse an STFT-based call whose buffers cannot fit; returns the frame count.

    Counts the padded window (float64, twice: the window and its padded
    copy), one FFT workspace per thread, the padded signal and the output
    (``channels x frames x out_rows`` items of ``itemsize`` bytes;
    ``out_rows`` defaults to the ``1 + n_fft // 2`` STFT bins), plus
    ``extra`` bytes the caller adds (filter banks, intermediate arrays).
    """
    n = int(shape[-1]) if shape else 0
    channels = 1
    for d in shape[:-1]:
        channels *= int(d)
    frames = stft_frames(n, n_fft, hop_length, center)
    rows = n_fft // 2 + 1 if out_rows is None else out_rows
    padded = n + 2 * (n_fft // 2) if center else n
    nbytes = (
        16.0 * n_fft
        + 48.0 * n_fft * _threads()
        + 8.0 * padded * min(channels, _threads() + 1)
        + float(channels) * frames * rows * itemsize
        + extra
    )
    check_memory(what, nbytes, n_fft=n_fft, n_frames=frames, **sizes)
    return frames


def check_frames_memory(
    what: str, shape: tuple[int, ...], frame_length: int, hop_length: int, center: bool
) -> None:
    """Refuse a framed time-domain feature (rms, zero crossings, envelope)
    whose padded signal and per-frame output cannot fit."""
    n = int(shape[-1]) if shape else 0
    channels = 1
    for d in shape[:-1]:
        channels *= int(d)
    padded = n + 2 * (frame_length // 2) if center else n
    frames = max(1, 1 + max(padded - frame_length, 0) // hop_length)
    nbytes = 16.0 * (padded + frame_length) * max(1, min(channels, _threads() + 1)) + (
        16.0 * channels * frames
    )
    check_memory(what, nbytes, frame_length=frame_length, n_frames=frames)
