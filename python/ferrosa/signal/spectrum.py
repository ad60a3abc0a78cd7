"""The normalised magnitude spectrum of a whole clip."""

from __future__ import annotations

import numpy as np

from ..exceptions import ParameterError
from ..util.validation import as_channels, check_audio, check_real
from ._frames import frame_spectra, power


def fft_spectrum(y: np.ndarray, sr: float) -> tuple[np.ndarray, np.ndarray]:
    """``|rfft(y)| / n`` and its frequencies ``rfftfreq(n, 1 / sr)``.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), float
        Audio.
    sr : number > 0
        Sample rate.

    Returns
    -------
    magnitude : np.ndarray, shape (..., n // 2 + 1), float64
    frequencies : np.ndarray, shape (n // 2 + 1,), float64
    """
    check_audio(y)
    sr = check_real("sr", sr, positive=True)
    n = y.shape[-1]
    if n < 1:
        raise ParameterError("y is empty")
    y2, lead = as_channels(np.asarray(y, dtype=np.float64))
    spec = frame_spectra(y2, np.ones(n), n, n)[:, 0]
    mag = np.sqrt(power(spec)) / n
    return mag.reshape(lead + mag.shape[-1:]), np.fft.rfftfreq(n, 1.0 / sr)
