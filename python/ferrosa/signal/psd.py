"""Power spectral densities with scipy.signal's arguments and defaults:
:func:`periodogram` and :func:`welch` (real input). Segments are detrended
in numpy (one vectorised pass) and transformed by ferrosa's Rust STFT."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import ParameterError
from ._frames import frame_spectra, power

__all__ = ["periodogram", "welch"]


def _median_bias(n: int) -> float:
    """Bias of the median of ``n`` chi-squared(2) periodograms (scipy's)."""
    ii_2 = 2 * np.arange(1.0, (n - 1) // 2 + 1)
    return float(1 + np.sum(1.0 / (ii_2 + 1) - 1.0 / ii_2))


def _window(window: Any, nperseg: int) -> np.ndarray:
    if isinstance(window, (str, tuple)):
        from scipy.signal import get_window

        try:
            return np.asarray(get_window(window, nperseg), dtype=np.float64)
        except ValueError as exc:
            raise ParameterError(f"window={window!r}: {exc}") from None
    return np.asarray(window, dtype=np.float64)


def _detrended_segments(x2: np.ndarray, nperseg: int, hop: int, nseg: int, detrend: Any):
    """Segments ``(channels, nseg, nperseg)`` with their trend removed (a view when none)."""
    seg = np.lib.stride_tricks.sliding_window_view(x2, nperseg, axis=-1)[:, ::hop][:, :nseg]
    if detrend is False or detrend is None:
        return seg
    if detrend == "constant":
        return seg - seg.mean(axis=-1, keepdims=True)
    if detrend == "linear":
        t = np.arange(nperseg, dtype=np.float64)
        tc = t - t.mean()
        denom = float(tc @ tc)
        mean = seg.mean(axis=-1, keepdims=True)
        slope = (seg @ tc)[..., None] / denom if denom > 0 else 0.0
        return seg - mean - slope * tc
    if callable(detrend):
        return np.apply_along_axis(detrend, -1, np.asarray(seg))
    raise ParameterError(f"detrend={detrend!r} must be 'constant', 'linear', False or a callable")


def welch(
    x: np.ndarray,
    fs: float = 1.0,
    window: Any = "hann",
    nperseg: int | None = None,
    noverlap: int | None = None,
    nfft: int | None = None,
    detrend: Any = "constant",
    return_onesided: bool = True,
    scaling: str = "density",
    axis: int = -1,
    average: str = "mean",
) -> tuple[np.ndarray, np.ndarray]:
    """Welch's average of modified periodograms (scipy.signal.welch).

    Parameters
    ----------
    x : np.ndarray, real
        Signal; segments run along ``axis``.
    fs : float
        Sample rate.
    window : str, tuple or array
        scipy window spec (periodic), or the window values (length ``nperseg``).
    nperseg, noverlap, nfft : int, optional
        Segment length (default 256, or the window's length), overlap
        (default half) and FFT size (default ``nperseg``).
    detrend : 'constant', 'linear', False or callable
        Trend removed from each segment.
    return_onesided : bool
        One-sided spectrum (doubled except DC and Nyquist) or two-sided.
    scaling : 'density' or 'spectrum'
        V**2/Hz or V**2.
    axis : int
        Axis of ``x`` along which to compute.
    average : 'mean' or 'median'
        How the segments' periodograms are combined.

    Returns
    -------
    f : np.ndarray, shape (n_freqs,)
    Pxx : np.ndarray, ``x``'s shape with ``axis`` replaced by ``n_freqs``;
        float32 for float32 input, else float64.
    """
    x = np.asarray(x)
    if np.iscomplexobj(x):
        raise ParameterError("welch: complex input is not supported")
    if x.size == 0:
        return np.empty(x.shape), np.empty(x.shape)
    out_dtype = np.result_type(x.dtype, np.float32)
    if not np.isfinite(x).all():
        raise ParameterError("x is not finite everywhere")
    fs = float(fs)
    if not fs > 0:
        raise ParameterError(f"fs={fs!r} must be positive")
    axis = int(axis)
    if not -x.ndim <= axis < x.ndim:
        raise ParameterError(f"axis={axis} is out of range for x.ndim={x.ndim}")
    xm = np.moveaxis(x, axis, -1)
    n = xm.shape[-1]
    if isinstance(window, (str, tuple)):
        nperseg = 256 if nperseg is None else int(nperseg)
        if nperseg < 1:
            raise ParameterError(f"nperseg={nperseg!r} must be a positive integer")
        nperseg = min(nperseg, n)
    win = _window(window, nperseg if nperseg is not None else 0)
    if win.ndim != 1:
        raise ParameterError("window must be 1-D")
    if nperseg is None:
        nperseg = len(win)
    if nperseg != len(win):
        raise ParameterError(f"nperseg={nperseg} does not equal len(window)={len(win)}")
    nfft = nperseg if nfft is None else int(nfft)
    if nfft < nperseg:
        raise ParameterError(f"nfft={nfft} must be greater than or equal to nperseg={nperseg}")
    noverlap = nperseg // 2 if noverlap is None else int(noverlap)
    if not 0 <= noverlap < nperseg:
        raise ParameterError(f"noverlap={noverlap} must be in [0, nperseg={nperseg})")
    if scaling == "density":
        scale = 1.0 / (fs * float((win * win).sum()))
    elif scaling == "spectrum":
        scale = 1.0 / float(win.sum()) ** 2
    else:
        raise ParameterError(f"scaling={scaling!r} must be 'density' or 'spectrum'")
    if average not in ("mean", "median"):
        raise ParameterError(f"average={average!r} must be 'mean' or 'median'")
    hop = nperseg - noverlap
    nseg = (n - noverlap) // hop
    if nseg < 1:
        raise ParameterError(f"x has {n} samples, fewer than one segment of {nperseg}")
    lead = xm.shape[:-1]
    x2 = np.ascontiguousarray(xm.reshape(-1, n), dtype=np.float64)
    fwin = np.zeros(nfft)
    fwin[:nperseg] = win
    if detrend is False or detrend is None:
        buf = x2
        if (nseg - 1) * hop + nfft > n:
            buf = np.zeros((x2.shape[0], (nseg - 1) * hop + nfft))
            buf[:, :n] = x2
        spec = frame_spectra(buf, fwin, nfft, hop)[:, :nseg]
    else:
        seg = _detrended_segments(x2, nperseg, hop, nseg, detrend)
        # Segments laid end to end, transformed with hop = nperseg.
        buf = np.zeros((x2.shape[0], nseg * nperseg + (nfft - nperseg)))
        buf[:, : nseg * nperseg] = seg.reshape(x2.shape[0], -1)
        spec = frame_spectra(buf, fwin, nfft, nperseg)[:, :nseg]
    if return_onesided:
        pxx = power(spec) * scale
        pxx[..., 1 : -1 if nfft % 2 == 0 else None] *= 2
        freqs = np.fft.rfftfreq(nfft, 1.0 / fs)
    else:
        half = power(spec) * scale
        # A real signal's negative frequencies mirror the positive ones.
        mirror = half[..., 1 : (nfft + 1) // 2][..., ::-1]
        pxx = np.concatenate([half, mirror], axis=-1)[..., :nfft]
        freqs = np.fft.fftfreq(nfft, 1.0 / fs)
    if nseg > 1:
        if average == "median":
            pxx = np.median(pxx, axis=1) / _median_bias(nseg)
        else:
            pxx = pxx.mean(axis=1)
    else:
        pxx = pxx[:, 0]
    pxx = pxx.reshape(lead + pxx.shape[-1:]).astype(out_dtype)
    return freqs, np.moveaxis(pxx, -1, axis)


def periodogram(
    x: np.ndarray,
    fs: float = 1.0,
    window: Any = "boxcar",
    nfft: int | None = None,
    detrend: Any = "constant",
    return_onesided: bool = True,
    scaling: str = "density",
    axis: int = -1,
) -> tuple[np.ndarray, np.ndarray]:
    """The periodogram (scipy.signal.periodogram): one segment over the whole signal.

    Parameters and returns are as :func:`welch`, with one segment spanning
    ``axis`` (truncated to ``nfft`` samples when ``nfft`` is shorter).
    """
    x = np.asarray(x)
    if x.size == 0:
        return np.empty(x.shape), np.empty(x.shape)
    if window is None:
        window = "boxcar"
    n = x.shape[axis]
    if nfft is None or nfft == n:
        nperseg = n
    elif nfft > n:
        nperseg = n
    else:
        x = np.take(x, np.arange(int(nfft)), axis=axis)
        nperseg, nfft = int(nfft), None
    if hasattr(window, "size") and window.size != nperseg:
        raise ParameterError("the size of the window must be the same size of the input")
    return welch(
        x,
        fs=fs,
        window=window,
        nperseg=nperseg,
        noverlap=0,
        nfft=nfft,
        detrend=detrend,
        return_onesided=return_onesided,
        scaling=scaling,
        axis=axis,
    )
