"""Shared fixtures and helpers for the test suite.

Signals are seeded so every run sees the same numbers. Fixtures that read the
project's shared data (``../shared`` next to the repository) skip cleanly when
that folder is absent, as it is in a user's clone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

SR = 22050

# ../shared relative to the repository root (tests/ is one level below it).
SHARED = Path(__file__).resolve().parents[2] / "shared"
INSTRUMENTS = SHARED / "data" / "instruments-dev"
LIBROSA_TEST_DATA = SHARED / "librosa-test-data"


def tolerance(dtype: Any) -> float:
    """Relative-to-peak tolerance for an output dtype: 1e-5 single, 1e-9 double."""
    dt = np.dtype(dtype)
    if dt in (np.dtype(np.float32), np.dtype(np.complex64)):
        return 1e-5
    return 1e-9


def assert_close_to_peak(actual: Any, expected: Any, dtype: Any = None) -> None:
    """Assert ``max|actual - expected| <= tol * max|expected|``.

    Parameters
    ----------
    actual, expected : array_like
        Arrays of the same shape; ``expected`` is the reference (librosa).
    dtype : dtype, optional
        Precision the tolerance is chosen for (1e-5 of the peak for
        float32/complex64, 1e-9 for float64/complex128); defaults to
        ``expected.dtype``.
    """
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    if expected.size == 0:
        return
    tol = tolerance(expected.dtype if dtype is None else dtype)
    finite = np.isfinite(expected)
    # Non-finite reference values (e.g. -inf dB) must be reproduced exactly.
    np.testing.assert_array_equal(np.isfinite(actual), finite)
    np.testing.assert_array_equal(actual[~finite], expected[~finite])
    if not finite.any():
        return
    peak = float(np.max(np.abs(expected[finite])))
    err = float(np.max(np.abs(actual[finite] - expected[finite])))
    # An all-zero reference is compared absolutely against the tolerance itself.
    bound = tol * peak if peak > 0 else tol
    assert err <= bound, f"max abs error {err:.3g} > {tol:g} x peak {peak:.3g}"


def make_noise(n: int, dtype: Any = np.float32, seed: int = 0) -> np.ndarray:
    """Seeded white noise in [-1, 1), shape (n,)."""
    return np.random.default_rng(seed).uniform(-1, 1, n).astype(dtype)


def make_chirp(n: int, dtype: Any = np.float32, sr: int = SR) -> np.ndarray:
    """Linear chirp from 50 Hz to sr/2, shape (n,)."""
    t = np.arange(n) / sr
    dur = max(n / sr, 1e-9)
    phase = 2 * np.pi * (50 * t + (sr / 2 - 50) * t**2 / (2 * dur))
    return np.sin(phase).astype(dtype)


def make_tones(n: int, dtype: Any = np.float32, sr: int = SR) -> np.ndarray:
    """Sum of three harmonic tones (220, 440, 1320 Hz), shape (n,)."""
    t = np.arange(n) / sr
    y = 0.5 * np.sin(2 * np.pi * 220 * t) + 0.3 * np.sin(2 * np.pi * 440 * t)
    y += 0.2 * np.sin(2 * np.pi * 1320 * t + 0.3)
    return y.astype(dtype)


@pytest.fixture(scope="session")
def noise() -> np.ndarray:
    """Two seconds of float32 white noise at 22050 Hz."""
    return make_noise(2 * SR)


@pytest.fixture(scope="session")
def chirp() -> np.ndarray:
    """One second float32 chirp at 22050 Hz."""
    return make_chirp(SR)


@pytest.fixture(scope="session")
def tones() -> np.ndarray:
    """One second float32 three-tone signal at 22050 Hz."""
    return make_tones(SR)


@pytest.fixture(scope="session", params=["noise", "chirp", "tones"])
def signal(request: pytest.FixtureRequest) -> np.ndarray:
    """Each synthetic signal in turn (float32, 1-D)."""
    return request.getfixturevalue(request.param)


def first_instrument_clip() -> Path | None:
    """Path of the first FLAC in the shared instruments set, or None."""
    if not INSTRUMENTS.is_dir():
        return None
    clips = sorted(INSTRUMENTS.glob("*/*.flac"))
    return clips[0] if clips else None


@pytest.fixture(scope="session")
def real_clip() -> tuple[np.ndarray, int]:
    """A real recording (float32 mono, native rate) from the shared data."""
    path = first_instrument_clip()
    if path is None:
        pytest.skip("shared instruments-dev data not present")
    sf = pytest.importorskip("soundfile")
    data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    return np.ascontiguousarray(data.mean(axis=1, dtype=np.float32)), int(sr)
