"""Soft masks (librosa.util.softmask)."""

from __future__ import annotations

import numpy as np

from ..exceptions import ParameterError

__all__ = ["softmask"]


def softmask(
    X: np.ndarray, X_ref: np.ndarray, *, power: float = 1, split_zeros: bool = False
) -> np.ndarray:
    """The share of ``X`` against ``X_ref``: ``X**p / (X**p + X_ref**p)``.

    Parameters
    ----------
    X, X_ref : np.ndarray, same shape, non-negative
    power : float > 0 or np.inf
        ``inf`` gives the hard mask ``X > X_ref``.
    split_zeros : bool
        Where both are (near) zero: 0.5 if True, else 0.

    Returns
    -------
    np.ndarray, shape of ``X``
        ``X``'s float dtype (float32 for integer input); bool for ``power=inf``.
        Both inputs are divided by their elementwise maximum first, so large
        powers do not overflow.

    Raises
    ------
    ParameterError
        Different shapes, negative values or ``power <= 0``.
    """
    X, X_ref = np.asarray(X), np.asarray(X_ref)
    if X.shape != X_ref.shape:
        raise ParameterError(f"Shape mismatch: {X.shape}!={X_ref.shape}")
    if np.any(X < 0) or np.any(X_ref < 0):
        raise ParameterError("X and X_ref must be non-negative")
    if power <= 0:
        raise ParameterError("power must be strictly positive")
    dtype = X.dtype if np.issubdtype(X.dtype, np.floating) else np.dtype(np.float32)
    Z = np.maximum(X, X_ref).astype(dtype)
    zero = Z < np.finfo(dtype).tiny
    Z[zero] = 1
    if not np.isfinite(power):
        return X > X_ref
    mask = (X / Z) ** power
    ref = (X_ref / Z) ** power
    good = ~zero
    mask[good] /= mask[good] + ref[good]
    mask[zero] = 0.5 if split_zeros else 0.0
    return mask
