"""Non-negative least squares for many right-hand sides (librosa.util.nnls).

``argmin_X ||A X - B||^2`` subject to ``X >= 0``: one column through
``scipy.optimize.nnls``, a matrix through scipy's L-BFGS-B on the mean
squared error, started from the clipped pseudo-inverse solution and solved
in blocks of columns, the formulation librosa 0.11 uses, so the results agree
to the optimiser's tolerance.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["nnls"]

# Bytes of columns solved in one L-BFGS-B problem (librosa's MAX_MEM_BLOCK).
_BLOCK_BYTES = 2**8 * 2**10


def _objective(
    x: np.ndarray, shape: tuple[int, ...], A: np.ndarray, B: np.ndarray
) -> tuple[float, np.ndarray]:
    """Mean squared error / 2 and its gradient, for a flattened ``x``."""
    X = x.reshape(shape)
    resid = np.einsum("mf,...ft->...mt", A, X, optimize=True) - B
    scale = 1.0 / B.size
    value = scale * 0.5 * float(np.sum(resid**2))
    grad = scale * np.einsum("mf,...mt->...ft", A, resid, optimize=True)
    return value, grad.flatten()


def _solve_block(A: np.ndarray, B: np.ndarray, x0: np.ndarray, **kwargs: Any) -> np.ndarray:
    import scipy.optimize

    kwargs.setdefault("m", A.shape[1])
    bounds = [(0, None)] * x0.size
    x, _, _ = scipy.optimize.fmin_l_bfgs_b(
        _objective, x0, args=(x0.shape, A, B), bounds=bounds, **kwargs
    )
    return np.asarray(x).reshape(x0.shape)


def nnls(A: np.ndarray, B: np.ndarray, **kwargs: Any) -> np.ndarray:
    """Non-negative ``X`` minimising ``||A @ X - B||``.

    Parameters
    ----------
    A : np.ndarray, shape (m, d)
    B : np.ndarray, shape (..., m, N) or (m,)
    **kwargs
        Passed to ``scipy.optimize.fmin_l_bfgs_b``.

    Returns
    -------
    np.ndarray, shape (..., d, N) or (d,), dtype of ``A``
    """
    import scipy.optimize

    if B.ndim == 1:
        return scipy.optimize.nnls(A, B)[0]  # type: ignore[no-any-return]
    n_columns = max(int(_BLOCK_BYTES // (np.prod(B.shape[:-1]) * A.itemsize)), 1)
    x0 = np.einsum("fm,...mt->...ft", np.linalg.pinv(A), B, optimize=True)
    np.clip(x0, 0, None, out=x0)
    if B.shape[-1] <= n_columns:
        return _solve_block(A, B, x0, **kwargs).astype(A.dtype)
    x = np.empty_like(x0)
    for start in range(0, B.shape[-1], n_columns):
        stop = min(B.shape[-1], start + n_columns)
        x[..., start:stop] = _solve_block(A, B[..., start:stop], x0[..., start:stop], **kwargs)
    return x.astype(A.dtype)
