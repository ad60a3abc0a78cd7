"""Time-domain and spectral descriptors, as in ``librosa.feature``.

Time-domain descriptors (``rms`` from audio, ``zero_crossing_rate``,
``amplitude_envelope``) run in O(n) in Rust whatever the frame overlap.
Spectral descriptors compute each frame's magnitude spectrum once and reduce
it immediately, so no (bins x frames) spectrogram is stored when they are
computed from audio. All follow librosa 0.11's arguments, defaults, output
shapes ``(..., rows, frames)`` and dtypes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _core
from ..core.spectrogram_input import SpecInput, resolve, to_frames
from ..core.spectrum import power_to_db
from ..exceptions import ParameterError
from ..util.memory import check_frames_memory
from ..util.validation import (
    as_channels,
    check_audio,
    check_positive_int,
    float32_gain_exponent,
    float_audio,
    scale_pow2,
)
from . import freq2d

__all__ = [
    "amplitude_envelope",
    "rms",
    "spectral_bandwidth",
    "spectral_centroid",
    "spectral_contrast",
    "spectral_flatness",
    "spectral_rolloff",
    "zero_crossing_rate",
]

# Pad modes the Rust framing reads virtually; others go through np.pad.
_VIRTUAL_PAD = ("constant", "reflect", "edge", "wrap", "symmetric")


def fft_frequencies(*, sr: float = 22050, n_fft: int = 2048) -> np.ndarray:
    """Bin centre frequencies of an ``n_fft`` FFT (``np.fft.rfftfreq``)."""
    return np.fft.rfftfreq(n=n_fft, d=1.0 / sr)


def _check_sr(sr: Any) -> float:
    if isinstance(sr, bool) or not isinstance(sr, (int, float, np.number)) or not sr > 0:
        raise ParameterError(f"sr={sr!r} must be a positive number")
    if not np.isfinite(sr):
        raise ParameterError(f"sr={sr!r} must be finite")
    return float(sr)


def _freq(freq: Any, sr: float, inp: SpecInput) -> np.ndarray:
    """The bin frequencies: FFT frequencies by default, or a 1-D ``freq``."""
    n_bins = inp.n_fft // 2 + 1 if inp.frames is None else inp.frames.shape[-1]
    if freq is None:
        return fft_frequencies(sr=sr, n_fft=inp.n_fft)
    f = np.atleast_1d(np.asarray(freq, dtype=np.float64))
    if f.ndim != 1:
        raise ParameterError(
            f"freq.ndim={f.ndim}: ferrosa supports one frequency per bin (shape ({n_bins},)) only"
        )
    if len(f) != n_bins:
        raise ParameterError(f"freq.shape mismatch: expected ({n_bins:d},)")
    return np.ascontiguousarray(f)


def _magnitude(
    y: Any,
    S: Any,
    n_fft: Any,
    hop_length: Any,
    win_length: Any,
    window: Any,
    center: bool,
    pad_mode: str,
) -> np.ndarray:
    return freq2d.magnitude(
        y,
        S,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
    )


def _run(inp: SpecInput, freq: np.ndarray, specs: list[tuple[Any, ...]]) -> np.ndarray:
    """Run descriptor kernels; returns (..., rows, frames) float64."""
    if inp.frames is not None:
        out = _core.descriptors_frames(inp.frames, freq, specs)
    else:
        # Without frames, spectrogram_input always sets the audio and window.
        assert inp.audio is not None and inp.window is not None
        out = _core.descriptors_audio(
            inp.audio,
            inp.window,
            inp.n_fft,
            inp.hop_length,
            inp.center,
            inp.pad_mode,
            freq,
            specs,
        )
    result: np.ndarray = out.reshape(inp.lead + out.shape[1:])
    return result


def _spectral(
    what: str | None,
    y: Any,
    S: Any,
    n_fft: Any,
    hop_length: Any,
    win_length: Any,
    window: Any,
    center: bool,
    pad_mode: str,
) -> SpecInput:
    return resolve(
        y=y,
        S=S,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
        what=what,
    )


def spectral_centroid(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    S: np.ndarray | None = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    freq: np.ndarray | None = None,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: str = "constant",
) -> np.ndarray:
    """Spectral centroid: ``sum_k S[k, t] * freq[k] / sum_j S[j, t]``.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), optional
        Audio (multichannel allowed); ``|stft(y)|`` is used when ``S`` is None.
    sr : number > 0
    S : np.ndarray, shape (..., d, t), optional
        Non-negative magnitude spectrogram.
    n_fft, hop_length, win_length, window, center, pad_mode
        STFT parameters (``hop_length`` 512 by default, as librosa).
    freq : np.ndarray, shape (d,) or (..., d, t), optional
        Bin centre frequencies; FFT frequencies by default. A frequency per
        bin and frame (shape ``(..., d, t)``) is accepted as in librosa.

    Returns
    -------
    np.ndarray, shape (..., 1, t), float64
        Silent frames give 0 (librosa leaves all-zero columns unnormalised).
    """
    sr = _check_sr(sr)
    if freq is not None and np.ndim(freq) > 1:
        mag = _magnitude(y, S, n_fft, hop_length, win_length, window, center, pad_mode)
        return freq2d.per_frame_centroid(mag, freq)
    inp = _spectral("centroid", y, S, n_fft, hop_length, win_length, window, center, pad_mode)
    return _run(inp, _freq(freq, sr, inp), [("centroid",)])


def spectral_bandwidth(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    S: np.ndarray | None = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    freq: np.ndarray | None = None,
    centroid: np.ndarray | None = None,
    norm: bool = True,
    p: float = 2,
) -> np.ndarray:
    """p'th-order spectral bandwidth: ``(sum_k S[k,t] |freq[k] - centroid[t]|**p) ** (1/p)``.

    Parameters
    ----------
    y, sr, S, n_fft, hop_length, win_length, window, center, pad_mode, freq
        As for :func:`spectral_centroid`.
    centroid : np.ndarray, shape (..., 1, t), optional
        Precomputed centroids; computed from ``S`` when None.
    norm : bool
        Normalise each frame to sum 1 before weighting.
    p : float > 0

    Returns
    -------
    np.ndarray, shape (..., 1, t), float64
    """
    sr = _check_sr(sr)
    bandwidth_spec(p, norm)
    if freq is not None and np.ndim(freq) > 1:
        mag = _magnitude(y, S, n_fft, hop_length, win_length, window, center, pad_mode)
        return freq2d.per_frame_bandwidth(mag, freq, centroid, bool(norm), float(p))
    inp = _spectral("bandwidth", y, S, n_fft, hop_length, win_length, window, center, pad_mode)
    f = _freq(freq, sr, inp)
    given = None
    if centroid is not None:
        n_frames = _n_frames(inp)
        try:
            c = np.broadcast_to(np.asarray(centroid, dtype=np.float64), inp.lead + (1, n_frames))
        except ValueError as err:
            raise ParameterError(
                f"centroid.shape={np.shape(centroid)} does not match {inp.lead + (1, n_frames)}"
            ) from err
        given = np.ascontiguousarray(c).reshape(-1)
    return _run(inp, f, [bandwidth_spec(p, norm, given)])


def bandwidth_spec(p: Any, norm: Any, centroid: np.ndarray | None = None) -> tuple[Any, ...]:
    """Validated kernel spec for :func:`spectral_bandwidth`."""
    if isinstance(p, bool) or not isinstance(p, (int, float, np.number)) or not p > 0:
        raise ParameterError(f"p={p!r} must be a positive number")
    return ("bandwidth", float(p), bool(norm), centroid)


def rolloff_spec(roll_percent: Any, dtype: np.dtype) -> tuple[Any, ...]:
    """Validated kernel spec for :func:`spectral_rolloff` on a ``dtype`` spectrogram.

    The threshold is compared in float32 when numpy would: a Python float
    ``roll_percent`` times a float32 total stays float32.
    """
    if isinstance(roll_percent, bool) or not (
        isinstance(roll_percent, (int, float, np.number)) and 0.0 < roll_percent < 1.0
    ):
        raise ParameterError("roll_percent must lie in the range (0, 1)")
    single = np.result_type(roll_percent, dtype) == np.float32
    return ("rolloff", float(roll_percent), bool(single))


def flatness_spec(amin: Any, power: Any, pairwise: bool) -> tuple[Any, ...]:
    """Validated kernel spec for :func:`spectral_flatness`."""
    if isinstance(amin, bool) or not isinstance(amin, (int, float, np.number)) or amin <= 0:
        raise ParameterError("amin must be strictly positive")
    return ("flatness", float(amin), float(power), bool(pairwise))


def _n_frames(inp: SpecInput) -> int:
    if inp.frames is not None:
        return int(inp.frames.shape[1])
    assert inp.audio is not None
    n = inp.audio.shape[-1]
    padded = n + 2 * (inp.n_fft // 2) if inp.center else n
    return 1 + (padded - inp.n_fft) // inp.hop_length


def _rescale_float32(inp: SpecInput) -> None:
    """Scale very quiet float32 input up by an exact power of two.

    For scale-invariant descriptors (rolloff): the float32 kernel's power
    and noise bounds underflow for peaks below about 1e-19; a power-of-two
    gain changes no mantissa, so the bins are librosa's. Loud input is left
    alone: there librosa's own float32 magnitudes overflow, and ferrosa's
    kernel follows them.
    """
    for name in ("audio", "frames"):
        arr = getattr(inp, name)
        if arr is not None and arr.dtype == np.float32:
            e = float32_gain_exponent(arr, low=-32, high=1024)
            if e:
                setattr(inp, name, scale_pow2(arr.copy(), e))


def spectral_rolloff(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    S: np.ndarray | None = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    freq: np.ndarray | None = None,
    roll_percent: float = 0.85,
) -> np.ndarray:
    """Roll-off frequency: the lowest bin frequency below which ``roll_percent``
    of each frame's magnitude lies.

    Parameters
    ----------
    y, sr, S, n_fft, hop_length, win_length, window, center, pad_mode, freq
        As for :func:`spectral_centroid`.
    roll_percent : float in (0, 1)

    Returns
    -------
    np.ndarray, shape (..., 1, t), float64
        Silent frames give ``freq[0]`` (0 Hz), as in librosa.

    Notes
    -----
    The running sum and the threshold use the spectrogram's precision
    (float32 for float32 audio) exactly as librosa's ``np.cumsum`` does, so
    the chosen bin is the same.
    """
    rolloff_spec(roll_percent, np.dtype(np.float64))
    sr = _check_sr(sr)
    if freq is not None and np.ndim(freq) > 1:
        mag = _magnitude(y, S, n_fft, hop_length, win_length, window, center, pad_mode)
        return freq2d.per_frame_rolloff(mag, freq, float(roll_percent))
    inp = _spectral("rolloff", y, S, n_fft, hop_length, win_length, window, center, pad_mode)
    _rescale_float32(inp)
    return _run(inp, _freq(freq, sr, inp), [rolloff_spec(roll_percent, inp.dtype)])


def spectral_flatness(
    *,
    y: np.ndarray | None = None,
    S: np.ndarray | None = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    amin: float = 1e-10,
    power: float = 2.0,
) -> np.ndarray:
    """Spectral flatness: geometric over arithmetic mean of ``max(amin, S**power)``.

    Parameters
    ----------
    y, S, n_fft, hop_length, win_length, window, center, pad_mode
        As for :func:`spectral_centroid`.
    amin : float > 0
        Floor applied to ``S**power`` before taking logarithms.
    power : float > 0
        Exponent of the magnitude (2 for power).

    Returns
    -------
    np.ndarray, shape (..., 1, t), spectrogram dtype
        Values in (0, 1]; silent frames give 1 (every bin at ``amin``).
    """
    flatness_spec(amin, power, True)
    inp = _spectral("flatness", y, S, n_fft, hop_length, win_length, window, center, pad_mode)
    freq = np.zeros(inp.n_fft // 2 + 1 if inp.frames is None else inp.frames.shape[-1])
    # librosa sums over bins in float32 pairwise when bins are contiguous in
    # its array (mono STFT output, F-ordered S) and front to back otherwise.
    if S is not None:
        S_arr = np.asarray(S)
        pairwise = S_arr.shape[-2] > 1 and S_arr.strides[-2] == S_arr.itemsize
    else:
        pairwise = len(inp.lead) == 0
    out = _run(inp, freq, [flatness_spec(amin, power, pairwise)])
    return out.astype(inp.dtype, copy=False)


def contrast_bands(
    freq: np.ndarray, sr: float, fmin: float, n_bands: int, quantile: float
) -> list[tuple[list[int], int]]:
    """librosa's octave sub-bands of ``freq``: (bins, quantile count) per band.

    Band 0 is ``[0, fmin]``, band k ``[fmin 2**(k-1), fmin 2**k]`` plus the bin
    just below it; the last band extends to the top bin. Every band but the
    last drops its highest bin (as librosa does).
    """
    octa = np.zeros(n_bands + 2)
    octa[1:] = fmin * (2.0 ** np.arange(0, n_bands + 1))
    if np.any(octa[:-1] >= 0.5 * sr):
        raise ParameterError("Frequency band exceeds Nyquist. Reduce either fmin or n_bands.")
    bands = []
    for k, (f_low, f_high) in enumerate(zip(octa[:-1], octa[1:], strict=True)):
        current = np.logical_and(freq >= f_low, freq <= f_high)
        idx = np.flatnonzero(current)
        if idx.size == 0:
            raise ParameterError(
                f"Spectral contrast band {k} ({f_low:g}-{f_high:g} Hz) holds no frequency bin; "
                "use a larger n_fft, a larger fmin or fewer n_bands"
            )
        if k > 0:
            current[idx[0] - 1] = True
        if k == n_bands:
            current[idx[-1] + 1 :] = True
        bins = np.flatnonzero(current)
        if k < n_bands:
            bins = bins[:-1]
        if bins.size == 0:
            raise ParameterError(f"Spectral contrast band {k} holds no frequency bin")
        q = int(np.maximum(np.rint(quantile * np.sum(current)), 1))
        # numpy slicing clamps a quantile count larger than the band.
        bands.append(([int(b) for b in bins], min(q, int(bins.size))))
    return bands


def spectral_contrast(
    *,
    y: np.ndarray | None = None,
    sr: float = 22050,
    S: np.ndarray | None = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    freq: np.ndarray | None = None,
    fmin: float = 200.0,
    n_bands: int = 6,
    quantile: float = 0.02,
    linear: bool = False,
) -> np.ndarray:
    """Spectral contrast: peak versus valley energy in octave sub-bands.

    Parameters
    ----------
    y, sr, S, n_fft, hop_length, win_length, window, center, pad_mode, freq
        As for :func:`spectral_centroid`.
    fmin : float > 0
        Upper edge of the first band ``[0, fmin]``; band k spans
        ``[fmin 2**(k-1), fmin 2**k]``.
    n_bands : int > 0
    quantile : float in (0, 1)
        Fraction of each band averaged for its peak and its valley.
    linear : bool
        Return ``peak - valley`` instead of their difference in dB.

    Returns
    -------
    np.ndarray, shape (..., n_bands + 1, t), float64

    Notes
    -----
    In dB mode each of the peak and valley arrays is floored at 80 dB below
    its own maximum over the whole input (librosa's ``power_to_db`` default).
    """
    sr = _check_sr(sr)
    inp = _spectral(None, y, S, n_fft, hop_length, win_length, window, center, pad_mode)
    n_bins = inp.n_fft // 2 + 1 if inp.frames is None else inp.frames.shape[-1]
    spec, f = contrast_spec(freq, sr, inp.n_fft, n_bins, fmin, n_bands, quantile)
    return contrast_finish(_run(inp, f, [spec]), n_bands, linear)


def contrast_spec(
    freq: Any, sr: float, n_fft: int, n_bins: int, fmin: Any, n_bands: Any, quantile: Any
) -> tuple[tuple[Any, ...], np.ndarray]:
    """Validated kernel spec for :func:`spectral_contrast` and the bin frequencies."""
    f = fft_frequencies(sr=sr, n_fft=n_fft) if freq is None else np.atleast_1d(freq)
    if f.ndim != 1 or len(f) != n_bins:
        raise ParameterError(f"freq.shape mismatch: expected ({n_bins:d},)")
    if isinstance(n_bands, bool) or not isinstance(n_bands, (int, np.integer)) or n_bands < 1:
        raise ParameterError(f"n_bands={n_bands!r} must be a positive integer")
    if n_bands >= 64:
        # The top band would start 2**n_bands times above fmin: beyond any sr.
        raise ParameterError(f"n_bands={n_bands} is too large (at most 63)")
    if not 0.0 < quantile < 1.0:
        raise ParameterError("quantile must lie in the range (0, 1)")
    if fmin <= 0:
        raise ParameterError("fmin must be a positive number")
    bands = contrast_bands(f, sr, fmin, int(n_bands), quantile)
    return ("contrast", bands), np.ascontiguousarray(f, dtype=np.float64)


def contrast_finish(out: np.ndarray, n_bands: int, linear: bool) -> np.ndarray:
    """Peaks and valleys (stacked on axis -2) → contrast, linear or in dB."""
    nb1 = int(n_bands) + 1
    peak, valley = out[..., :nb1, :], out[..., nb1:, :]
    if linear:
        result: np.ndarray = peak - valley
        return result
    return power_to_db(peak) - power_to_db(valley)


def rms(
    *,
    y: np.ndarray | None = None,
    S: np.ndarray | None = None,
    frame_length: int = 2048,
    hop_length: int = 512,
    center: bool = True,
    pad_mode: str = "constant",
    dtype: Any = np.float32,
) -> np.ndarray:
    """Root-mean-square energy per frame, from audio or a spectrogram.

    From ``y``: frames of ``frame_length`` samples every ``hop_length``
    (padded by ``frame_length // 2`` with ``pad_mode`` when ``center``),
    computed in O(n) with exact running sums. From ``S`` (magnitude, any
    window): Parseval's estimate ``sqrt(2 sum |S|^2 / frame_length^2)`` with
    the DC (and Nyquist, for even lengths) bins halved.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), optional
    S : np.ndarray, shape (..., d, t), optional
        Used when ``y`` is None; ``d`` must be ``frame_length // 2 + 1``.
    frame_length, hop_length : int > 0
    center : bool
    pad_mode : str
        Any ``numpy.pad`` mode.
    dtype : np.dtype
        Output dtype (float32 by default, as librosa).

    Returns
    -------
    np.ndarray, shape (..., 1, t), ``dtype``
    """
    frame_length = check_positive_int("frame_length", frame_length)
    center = bool(center)
    dt = np.dtype(dtype)
    if y is not None:
        hop_length = check_positive_int("hop_length", hop_length)
        y = np.asarray(y)
        if y.ndim == 0 or y.shape[-1] == 0:
            raise ParameterError(f"Audio buffer is empty or scalar: y.shape={y.shape}")
        check_frames_memory("rms", y.shape, frame_length, hop_length, bool(center))
        yf, lead = as_channels(float_audio(y) if y.dtype.kind == "f" else y.astype(np.float64))
        yf, virtual = _pad_for_frames(yf, frame_length, center, pad_mode)
        mode = pad_mode if virtual else "constant"
        out = _core.rms(yf, frame_length, hop_length, center and virtual, mode, dt == np.float64)
        out = out.reshape(lead + (1, out.shape[-1]))
        return out.astype(dt, copy=False)
    if S is not None:
        S = np.asarray(S)
        if S.ndim < 2 or S.shape[-2] != frame_length // 2 + 1:
            d = S.shape[-2] if S.ndim >= 2 else 0
            raise ParameterError(
                f"Since S.shape[-2] is {d}, frame_length is expected to be "
                f"{d * 2 - 2} or {d * 2 - 1}; found {frame_length}"
            )
        mag = np.abs(S) if np.iscomplexobj(S) else S
        work = np.float64 if dt == np.float64 else np.float32
        frames, lead = to_frames(np.asarray(mag, dtype=work))
        freq = np.zeros(frames.shape[-1])
        out = _core.descriptors_frames(frames, freq, [("rms", frame_length)])
        return out.reshape(lead + out.shape[1:]).astype(dt)
    raise ParameterError("Either `y` or `S` must be input.")


def _pad_for_frames(
    y2: np.ndarray, frame_length: int, center: bool, pad_mode: str
) -> tuple[np.ndarray, bool]:
    """Pad with numpy when the mode is not one Rust reads virtually.

    Returns the (possibly padded) audio and whether padding is left to Rust.
    Also raises librosa's error when the signal is shorter than a frame.
    """
    n = y2.shape[-1]
    padded = n + 2 * (frame_length // 2) if center else n
    if padded < frame_length:
        raise ParameterError(f"Input is too short (n={padded:d}) for frame_length={frame_length:d}")
    if not center or pad_mode in _VIRTUAL_PAD:
        return y2, True
    p = frame_length // 2
    mode: Any = pad_mode  # any numpy.pad mode name
    try:
        out = np.pad(y2, [(0, 0), (p, p)], mode=mode)
    except ValueError as err:
        raise ParameterError(f"pad_mode={pad_mode!r} is not a numpy.pad mode") from err
    return np.ascontiguousarray(out), False


def _zc_threshold(
    y2: np.ndarray,
    threshold: float,
    ref_magnitude: float | Callable[..., Any] | None,
    framed: Callable[[], np.ndarray],
    span: tuple[int, int],
) -> float:
    """librosa's threshold scaling: ``threshold * ref`` or ``* ref(|y|)``.

    ``framed`` gives the array librosa would pass to a callable reference;
    ``np.max`` is answered from the covered samples ``span`` without it.
    """
    if callable(ref_magnitude):
        if ref_magnitude is np.max or ref_magnitude is np.amax:
            lo, hi = span
            ref = np.max(np.abs(y2[:, lo:hi]))
        else:
            ref = ref_magnitude(np.abs(framed()))
        thr = threshold * ref
    elif ref_magnitude is not None:
        thr = threshold * ref_magnitude
    else:
        thr = threshold
    if np.ndim(thr) != 0:
        raise ParameterError(
            f"threshold * ref_magnitude has shape {np.shape(thr)}; ferrosa needs a scalar"
        )
    return float(thr)


def _check_audio_shape(y: Any) -> None:
    """``check_audio(y)`` without the finiteness test (left to the kernel)."""
    if isinstance(y, np.ndarray) and np.issubdtype(y.dtype, np.floating) and y.ndim and y.size:
        return
    check_audio(y, mono=False)


def zero_crossing_rate(
    y: np.ndarray,
    *,
    frame_length: int = 2048,
    hop_length: int = 512,
    center: bool = True,
    **kwargs: Any,
) -> np.ndarray:
    """Fraction of zero crossings per frame, in O(n).

    Parameters
    ----------
    y : np.ndarray, shape (..., n)
        Finite audio; multichannel allowed.
    frame_length, hop_length : int > 0
    center : bool
        Pad ``frame_length // 2`` edge copies on both sides (librosa's
        convention, unlike the STFT's zeros).
    **kwargs
        ``threshold`` (1e-10), ``ref_magnitude`` (None, number or callable),
        ``pad`` (False: the first sample of a frame is not a crossing) and
        ``zero_pos`` (True), as for :func:`ferrosa.zero_crossings`; ``axis``
        is ignored (frames are along the last axis).

    Returns
    -------
    np.ndarray, shape (..., 1, t), float64
        Crossings between consecutive samples of each frame (plus 1 if
        ``pad``) divided by ``frame_length``; identical to librosa's.
    """
    # Finiteness is checked by the kernel in its own pass (cheaper than
    # np.isfinite); everything else check_audio checks is checked here.
    _check_audio_shape(y)
    center = bool(center)
    frame_length = check_positive_int("frame_length", frame_length)
    hop_length = check_positive_int("hop_length", hop_length)
    opts: dict[str, Any] = {
        "threshold": 1e-10,
        "ref_magnitude": None,
        "pad": False,
        "zero_pos": True,
    }
    kwargs.pop("axis", None)
    unknown = set(kwargs) - set(opts)
    if unknown:
        raise TypeError(f"zero_crossing_rate got unexpected keyword argument(s) {sorted(unknown)}")
    opts.update(kwargs)
    check_frames_memory("zero_crossing_rate", y.shape, frame_length, hop_length, bool(center))
    y2, lead = as_channels(float_audio(y))
    n = y2.shape[-1]
    half = frame_length // 2 if center else 0
    padded = n + 2 * half
    if padded < frame_length:
        raise ParameterError(f"Input is too short (n={padded:d}) for frame_length={frame_length:d}")
    n_frames = 1 + (padded - frame_length) // hop_length
    covered = (n_frames - 1) * hop_length + frame_length

    def framed() -> np.ndarray:
        from ..util.framing import frame

        yp = np.pad(y2, [(0, 0), (half, half)], mode="edge") if center else y2
        return frame(yp, frame_length=frame_length, hop_length=hop_length)

    span = (max(0, -half), min(n, covered - half))
    thr = _zc_threshold(y2, opts["threshold"], opts["ref_magnitude"], framed, span)
    out = _core.zero_crossing_rate(
        y2, frame_length, hop_length, center, thr, bool(opts["zero_pos"]), bool(opts["pad"])
    )
    result: np.ndarray = out.reshape(lead + (1, out.shape[-1]))
    return result


def amplitude_envelope(
    y: np.ndarray,
    *,
    frame_length: int = 2048,
    hop_length: int = 512,
    center: bool = True,
    pad_mode: str = "constant",
) -> np.ndarray:
    """The maximum absolute amplitude of each frame (not in librosa).

    Frames follow :func:`rms`'s convention: ``frame_length`` samples every
    ``hop_length``, and with ``center`` the signal is first padded by
    ``frame_length // 2`` on both sides with ``pad_mode``. So
    ``amplitude_envelope(y)[..., 0, t]`` equals
    ``np.abs(librosa.util.frame(np.pad(y, frame_length // 2, mode=pad_mode),
    frame_length=frame_length, hop_length=hop_length)).max(axis=-2)[..., t]``.
    Computed in O(n) with a van Herk sliding maximum.

    Parameters
    ----------
    y : np.ndarray, shape (..., n)
        Finite audio; multichannel allowed.
    frame_length, hop_length : int > 0
    center : bool
    pad_mode : {"constant", "reflect", "edge", "wrap", "symmetric"}

    Returns
    -------
    np.ndarray, shape (..., 1, t), dtype of ``y`` (float32 or float64)
    """
    check_audio(y, mono=False)
    center = bool(center)
    frame_length = check_positive_int("frame_length", frame_length)
    hop_length = check_positive_int("hop_length", hop_length)
    if pad_mode not in _VIRTUAL_PAD:
        raise ParameterError(
            f"pad_mode={pad_mode!r} is not supported; use one of {', '.join(_VIRTUAL_PAD)}"
        )
    check_frames_memory("amplitude_envelope", y.shape, frame_length, hop_length, bool(center))
    y2, lead = as_channels(float_audio(y))
    _pad_for_frames(y2, frame_length, center, pad_mode)
    out = _core.amplitude_envelope(y2, frame_length, hop_length, center, pad_mode)
    result: np.ndarray = out.reshape(lead + (1, out.shape[-1]))
    return result
