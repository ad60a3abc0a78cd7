"""Type stubs for the Rust extension ``ferrosa._core``.

The extension is private: the librosa-shaped wrappers in ``ferrosa`` validate
arguments and resolve defaults before calling it. Arrays must be C-contiguous;
float32 inputs give float32/complex64 outputs and float64 inputs give
float64/complex128, so each kernel is overloaded on the input dtype.

Checked against the built module with ``python -m mypy.stubtest ferrosa._core``.
"""

from typing import Any, overload

import numpy as np
from numpy.typing import NDArray

def window(name: str, n: int, fftbins: bool = True) -> NDArray[np.float64]:
    """A named window of length ``n`` (periodic when ``fftbins``), float64."""

# STFT of ``y`` shaped (channels, samples) → (channels, 1 + n_fft // 2, frames).
# ``window`` has length ``n_fft`` (already padded); ``pad_mode`` is one of
# constant, reflect, symmetric, edge, wrap.
@overload
def stft(  # type: ignore[overload-overlap]
    y: NDArray[np.float32],
    window: NDArray[np.float64],
    n_fft: int,
    hop_length: int,
    center: bool,
    pad_mode: str,
) -> NDArray[np.complex64]: ...
@overload
def stft(
    y: NDArray[np.float64],
    window: NDArray[np.float64],
    n_fft: int,
    hop_length: int,
    center: bool,
    pad_mode: str,
) -> NDArray[np.complex128]: ...

# Inverse STFT of (channels, bins, frames) → (channels, samples); ``length``
# trims or zero-pads the output.
@overload
def istft(  # type: ignore[overload-overlap]
    stft_matrix: NDArray[np.complex64],
    window: NDArray[np.float64],
    n_fft: int,
    hop_length: int,
    center: bool,
    length: int | None = None,
) -> NDArray[np.float32]: ...
@overload
def istft(
    stft_matrix: NDArray[np.complex128],
    window: NDArray[np.float64],
    n_fft: int,
    hop_length: int,
    center: bool,
    length: int | None = None,
) -> NDArray[np.float64]: ...
def set_num_threads(n: int) -> None:
    """Cap the threads later kernel calls may use (0 restores the default)."""

def get_num_threads() -> int:
    """The number of threads kernels may use."""

# Functions whose stubs are not written yet (other kernels add theirs above)
# resolve to Any, so this partial stub never hides an attribute from mypy.
def __getattr__(name: str) -> Any: ...
