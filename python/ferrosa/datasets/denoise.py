"""The ``denoise`` step of a feature configuration, shared by prepare and predict."""

from __future__ import annotations

import numpy as np

from .config import FeatureConfig

__all__ = ["denoise_recording"]


def denoise_recording(y: np.ndarray, config: FeatureConfig) -> np.ndarray:
    """``y`` after spectral gating as ``config.denoise`` says (unchanged when it is None).

    Parameters
    ----------
    y : np.ndarray, shape (n,) or (channels, n), float
        A whole recording at ``config.sr``.
    config : FeatureConfig

    Returns
    -------
    np.ndarray, same shape and dtype as ``y``
        All-zero audio is returned as it is (silence is judged elsewhere).

    Raises
    ------
    ParameterError
        From :func:`ferrosa.effects.reduce_noise`, e.g. a recording shorter
        than one STFT frame.
    """
    if config.denoise is None or not np.any(y):
        return y
    from ..effects.noise import reduce_noise

    out = reduce_noise(y, config.sr, stationary=config.denoise == "stationary")
    return np.asarray(out, dtype=y.dtype)
