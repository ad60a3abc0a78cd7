"""scipy.signal-compatible spectral estimates and whole-clip spectra."""

from .psd import periodogram, welch
from .spectrum import fft_spectrum

__all__ = ["fft_spectrum", "periodogram", "welch"]
