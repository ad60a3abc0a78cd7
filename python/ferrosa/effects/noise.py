"""Spectral-gating noise reduction with noisereduce 3.x's algorithm and defaults.

Everything numeric runs in Rust (``rust/dsp/effects/``): scipy.signal.stft's
frames (periodic Hann of ``win_length``, ``boundary="zeros"``,
``padded=False``), the threshold or running floor, the mask, its smoothing
and the inverse STFT, in float64, the GIL released, channels in parallel.

Differences from noisereduce, on purpose:

* noisereduce cuts signals longer than ``chunk_size`` into independent
  chunks (each zero-padded by ``padding``), so their statistics and the
  non-stationary floor restart at every chunk. Here chunks only bound the
  memory: the result equals one run over the whole signal (padded by
  ``padding`` at its two ends) bit for bit, whatever ``chunk_size`` is. For
  inputs up to ``chunk_size`` samples both are the same computation.
* ``y_noise`` is only used when ``stationary=True``, as in noisereduce;
  passing its rate as ``sr_noise`` lets a mismatch be refused.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from ..exceptions import ParameterError
from ..util.validation import (
    as_channels,
    check_audio,
    check_nonneg_int,
    check_positive_int,
    check_real,
    float_audio,
)

__all__ = ["reduce_noise"]

# Samples processed together at most: a few MB of spectra and masks stay in
# cache, which is faster than one pass over a long signal even with the
# extra first pass that exact chunking needs.
_BLOCK = 1 << 16


def _smoothing(
    sr: float,
    n_fft: int,
    hop_length: int,
    freq_mask_smooth_hz: float | None,
    time_mask_smooth_ms: float | None,
) -> tuple[int, int] | None:
    """Half-widths (bins, frames) of the mask-smoothing triangle, as noisereduce."""
    if freq_mask_smooth_hz is None and time_mask_smooth_ms is None:
        return None
    n_freq = 1
    if freq_mask_smooth_hz is not None:
        hz = check_real("freq_mask_smooth_hz", freq_mask_smooth_hz)
        n_freq = int(hz / (sr / (n_fft / 2)))
        if n_freq < 1:
            raise ParameterError(
                f"freq_mask_smooth_hz={freq_mask_smooth_hz!r} must be at least "
                f"{int(sr / (n_fft / 2))} Hz (one bin pair)"
            )
    n_time = 1
    if time_mask_smooth_ms is not None:
        ms = check_real("time_mask_smooth_ms", time_mask_smooth_ms)
        n_time = int(ms / ((hop_length / sr) * 1000))
        if n_time < 1:
            raise ParameterError(
                f"time_mask_smooth_ms={time_mask_smooth_ms!r} must be at least "
                f"{int(hop_length / sr * 1000)} ms (one hop)"
            )
    if n_freq == 1 and n_time == 1:
        return None
    return n_freq, n_time


def reduce_noise(
    y: np.ndarray,
    sr: float,
    *,
    stationary: bool = False,
    y_noise: np.ndarray | None = None,
    prop_decrease: float = 1.0,
    time_constant_s: float = 2.0,
    freq_mask_smooth_hz: float | None = 500,
    time_mask_smooth_ms: float | None = 50,
    thresh_n_mult_nonstationary: float = 2,
    sigmoid_slope_nonstationary: float = 10,
    n_std_thresh_stationary: float = 1.5,
    n_fft: int = 1024,
    win_length: int | None = None,
    hop_length: int | None = None,
    chunk_size: int = 600000,
    padding: int = 30000,
    clip_noise_stationary: bool = True,
    sr_noise: float | None = None,
    **_ignored: Any,
) -> np.ndarray:
    """Reduce noise by spectral gating (noisereduce.reduce_noise, 3.x).

    Parameters
    ----------
    y : np.ndarray, shape (..., n), float32 or float64
        Audio; leading axes are channels, each denoised on its own.
    sr : number > 0
        Sample rate of ``y`` (and of ``y_noise``).
    stationary : bool
        Stationary gating (a fixed threshold per frequency from ``y_noise``,
        or from ``y`` itself) instead of a running noise floor.
    y_noise : np.ndarray, shape (..., m), optional
        Noise clip for the stationary threshold; its channels are averaged.
    prop_decrease : float
        How much of the noise to remove (1.0 = all of it).
    time_constant_s : float > 0
        Time constant of the non-stationary floor, in seconds.
    freq_mask_smooth_hz, time_mask_smooth_ms : float or None
        Extent of the mask smoothing over frequency and time.
    thresh_n_mult_nonstationary, sigmoid_slope_nonstationary : float
        Where (floors above the floor) and how steeply the non-stationary
        mask opens.
    n_std_thresh_stationary : float
        Standard deviations above the noise mean for the stationary threshold.
    n_fft, win_length, hop_length : int
        STFT size, window length (default ``n_fft``) and hop (default
        ``win_length // 4``).
    chunk_size : int > 0
        Samples processed together (at most 65536; the memory bound, results
        do not depend on it), and the length of the noise clip kept when
        ``clip_noise_stationary``.
    padding : int >= 0
        Zeros noisereduce pads on each side of the signal before its STFT.
    clip_noise_stationary : bool
        Keep only the first ``chunk_size`` samples of the noise clip.
    sr_noise : number, optional
        Sample rate of ``y_noise``; must equal ``sr`` when given.
    **_ignored
        noisereduce's execution options (``n_jobs``, ``use_tqdm``,
        ``tmp_folder``, ``use_torch``, ``device``) are accepted and ignored;
        use ferrosa's thread control instead.

    Returns
    -------
    np.ndarray, same shape and dtype as ``y``
        The denoised signal.

    Raises
    ------
    ParameterError
        For non-finite, empty or silent audio, a noise clip shorter than one
        frame or at another rate, and invalid parameters.
    """
    unknown = set(_ignored) - {"n_jobs", "use_tqdm", "tmp_folder", "use_torch", "device"}
    if unknown:
        raise ParameterError(f"unexpected argument(s) {sorted(unknown)}")
    if _ignored.get("use_torch"):
        raise ParameterError("use_torch=True is not supported: ferrosa runs its own kernels")
    check_audio(y)
    sr = check_real("sr", sr, positive=True)
    n_fft = check_positive_int("n_fft", n_fft)
    win_length = n_fft if win_length is None else check_positive_int("win_length", win_length)
    if win_length < 2 or win_length > n_fft:
        raise ParameterError(f"win_length={win_length!r} must be between 2 and n_fft={n_fft}")
    hop_length = (
        win_length // 4 if hop_length is None else check_positive_int("hop_length", hop_length)
    )
    if hop_length < 1 or hop_length > win_length:
        raise ParameterError(
            f"hop_length={hop_length!r} must be between 1 and win_length={win_length}"
        )
    chunk_size = check_positive_int("chunk_size", chunk_size)
    padding = check_nonneg_int("padding", padding)
    prop_decrease = check_real("prop_decrease", prop_decrease)
    thresh = check_real("thresh_n_mult_nonstationary", thresh_n_mult_nonstationary)
    slope = check_real("sigmoid_slope_nonstationary", sigmoid_slope_nonstationary)
    n_std = check_real("n_std_thresh_stationary", n_std_thresh_stationary)
    tc = 1.0
    if not stationary:
        tc = check_real("time_constant_s", time_constant_s, positive=True)
    smooth = _smoothing(sr, n_fft, hop_length, freq_mask_smooth_hz, time_mask_smooth_ms)
    y = float_audio(y)
    # Two reductions without a temporary (np.any casts to bool first).
    if y.max() == 0 and y.min() == 0:
        raise ParameterError("y is silent (all zeros): there is no noise to estimate")
    y2, lead = as_channels(y)

    noise = None
    if stationary:
        if y_noise is None:
            source = y2
        else:
            if sr_noise is not None and check_real("sr_noise", sr_noise, positive=True) != sr:
                raise ParameterError(f"sr_noise={sr_noise!r} differs from sr={sr!r}")
            check_audio(y_noise)
            source = as_channels(float_audio(np.asarray(y_noise)))[0]
        if clip_noise_stationary:
            source = source[:, :chunk_size]
        # noisereduce averages the channels in the clip's own dtype (the
        # mean of one channel is that channel).
        mean = source[0] if source.shape[0] == 1 else np.mean(source, axis=0)
        noise = np.ascontiguousarray(mean, dtype=np.float64)
        if noise.shape[-1] < win_length:
            raise ParameterError(
                f"y_noise has {noise.shape[-1]} samples, fewer than one frame "
                f"(win_length={win_length})"
            )
        if noise.max() == 0 and noise.min() == 0:
            raise ParameterError("y_noise is silent (all zeros)")
    elif y_noise is not None and sr_noise is not None and float(sr_noise) != sr:
        raise ParameterError(f"sr_noise={sr_noise!r} differs from sr={sr!r}")

    out = _core.reduce_noise(
        y2,
        sr,
        bool(stationary),
        noise,
        prop_decrease,
        tc,
        smooth,
        thresh,
        slope,
        n_std,
        n_fft,
        win_length,
        hop_length,
        padding,
        min(chunk_size, _BLOCK),
    )
    return np.asarray(out).reshape(lead + y.shape[-1:])
