"""Filter banks and windows, as in ``librosa.filters``."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from . import _core
from .exceptions import ParameterError
from .util.validation import check_positive_int, check_real

__all__ = ["get_window", "mel", "chroma"]


@lru_cache(maxsize=64)
def _named_window(name: str, n: int, fftbins: bool) -> np.ndarray:
    w = _core.window(name, n, fftbins)
    w.setflags(write=False)
    return w


def get_window(window: Any, Nx: int, *, fftbins: bool = True) -> np.ndarray:
    """A window function of length ``Nx``.

    Parameters
    ----------
    window : str, tuple, callable or array_like
        A window name (hann, hamming, blackman, blackmanharris, nuttall,
        flattop, boxcar/rectangular/ones, triang, bartlett, cosine: computed by
        ferrosa with scipy's definitions), a callable ``window(Nx)``, an array
        of length ``Nx``, or any other scipy window spec (delegated to
        ``scipy.signal.get_window`` when scipy is installed).
    Nx : int > 0
        Window length.
    fftbins : bool
        Periodic window (for spectral analysis) if True, symmetric if False.

    Returns
    -------
    np.ndarray, shape (Nx,), float64
    """
    if callable(window):
        return np.asarray(window(Nx))
    if isinstance(window, str):
        if isinstance(Nx, bool) or not isinstance(Nx, (int, np.integer)) or Nx <= 0:
            raise ParameterError(f"Window length Nx={Nx!r} must be a positive integer")
        from .util.memory import check_memory, check_size

        check_size("Nx", int(Nx))
        check_memory("window", 16.0 * int(Nx), Nx=int(Nx))
        try:
            return _named_window(window.lower(), int(Nx), bool(fftbins)).copy()
        except ValueError:
            return _scipy_window(window, Nx, fftbins)
    if isinstance(window, tuple) or (
        isinstance(window, (int, float, np.number)) and not isinstance(window, bool)
    ):
        # scipy reads a bare number as a Kaiser window with that beta.
        return _scipy_window(window, Nx, fftbins)
    if isinstance(window, (np.ndarray, list)):
        arr = np.asarray(window)
        if arr.ndim != 1:
            raise ParameterError(f"Window must be a 1-D array, got shape {arr.shape}")
        if len(arr) == Nx:
            return arr
        raise ParameterError(f"Window size mismatch: {len(arr):d} != {Nx:d}")
    raise ParameterError(f"Invalid window specification: {window!r}")


def _scipy_window(window: Any, Nx: int, fftbins: bool) -> np.ndarray:
    try:
        from scipy.signal import get_window as scipy_get_window
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ParameterError(
            f"Invalid window specification: {window!r} (not built in; install scipy for more)"
        ) from err
    try:
        return np.asarray(scipy_get_window(window, Nx, fftbins=fftbins))
    except (ValueError, TypeError) as err:
        raise ParameterError(f"Invalid window specification: {window!r}") from err


@lru_cache(maxsize=64)
def _padded_named_window(window: str, win_length: int, n_fft: int) -> np.ndarray:
    w = _pad_window(window, win_length, n_fft)
    w.setflags(write=False)
    return w


def window_for(window: Any, win_length: int, n_fft: int) -> np.ndarray:
    """The analysis window padded to ``n_fft``, as float64 C-contiguous.

    Named windows are cached per (name, win_length, n_fft) and read-only.
    """
    if isinstance(window, str):
        return _padded_named_window(window, win_length, n_fft)
    return _pad_window(window, win_length, n_fft)


def _pad_window(window: Any, win_length: int, n_fft: int) -> np.ndarray:
    from .util.framing import pad_center

    w = get_window(window, win_length, fftbins=True)
    if w.shape != (win_length,):
        raise ParameterError(f"Window size mismatch: {w.shape} != ({win_length},)")
    w = pad_center(np.asarray(w, dtype=np.float64), size=n_fft)
    return np.ascontiguousarray(w, dtype=np.float64)


# --- Mel filter banks --------------------------------------------------------


def _mel_norm(norm: Any) -> tuple[str, float]:
    """Map librosa's ``norm`` to the kernel's (kind, p)."""
    if norm is None:
        return "none", 0.0
    if isinstance(norm, str):
        if norm == "slaney":
            return "slaney", 0.0
        raise ParameterError(f"Unsupported norm={norm}")
    if isinstance(norm, (bool, np.bool_)) or not isinstance(norm, (int, float, np.number)):
        raise ParameterError(f"Unsupported norm: {norm!r}")
    p = float(norm)
    if not (p > 0 or p == 0 or p == -np.inf):
        raise ParameterError(f"Unsupported norm: {norm!r}")
    return "lp", p


def resolve_mel(
    sr: Any,
    n_fft: Any,
    n_mels: Any = 128,
    fmin: Any = 0.0,
    fmax: Any = None,
    htk: Any = False,
    norm: Any = "slaney",
    dtype: Any = np.float32,
) -> Any:
    """Validate ``filters.mel`` arguments and return the cached kernel bank.

    Returns
    -------
    ferrosa._core.MelBank
        Immutable sparse bank shared by every call with these parameters;
        warns (``UserWarning``) on every call if some filters are empty, as
        librosa does.
    """

    sr = check_real("sr", sr, positive=True)
    n_fft = check_positive_int("n_fft", n_fft)
    n_mels = check_positive_int("n_mels", n_mels)
    fmin = check_real("fmin", fmin, nonneg=True)
    fmax = sr / 2 if fmax is None else check_real("fmax", fmax)
    if fmax <= fmin:
        raise ParameterError(f"fmax={fmax} must be greater than fmin={fmin}")
    kind, p = _mel_norm(norm)
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise ParameterError(f"dtype={dt} must be a floating-point type")
    check_mel_memory(n_fft, n_mels)
    bank = _mel_bank(sr, n_fft, n_mels, fmin, fmax, bool(htk), kind, p, dt == np.float32)
    if bank.has_empty_filters:
        import warnings

        warnings.warn(
            "Empty filters detected in mel frequency basis. "
            "Some channels will produce empty responses. "
            "Try increasing your sampling rate (and fmax) or reducing n_mels.",
            UserWarning,
            stacklevel=3,
        )
    return bank


def check_mel_memory(n_fft: int, n_mels: int, dense_itemsize: int = 0) -> None:
    """Refuse a mel bank that cannot fit: the sparse kernel bank (a few
    values per FFT bin and per band) and, when ``dense_itemsize`` is given,
    the dense ``n_mels x (1 + n_fft // 2)`` matrix of ``filters.mel``."""
    from .util.memory import check_memory

    n_bins = n_fft // 2 + 1
    nbytes = 48.0 * n_bins + 96.0 * (n_mels + 2)
    if dense_itemsize:
        nbytes += float(n_mels) * n_bins * (8 + dense_itemsize)
    check_memory("mel filter bank", nbytes, n_mels=n_mels, n_fft=n_fft)


@lru_cache(maxsize=64)
def _mel_bank(
    sr: float,
    n_fft: int,
    n_mels: int,
    fmin: float,
    fmax: float,
    htk: bool,
    kind: str,
    p: float,
    f32: bool,
) -> Any:
    from .core.convert import mel_frequencies

    # Band edges from NumPy, exactly as librosa computes them, so the
    # float32-rounded weights are bit-identical to librosa's.
    mel_f = np.ascontiguousarray(mel_frequencies(n_mels + 2, fmin=fmin, fmax=fmax, htk=htk))
    return _core.MelBank(sr, n_fft, mel_f, kind, p, f32)


@lru_cache(maxsize=64)
def _mel_dense(bank: Any, dtype: np.dtype) -> np.ndarray:
    w = bank.dense().astype(dtype)
    w.setflags(write=False)
    return w


def mel(
    *,
    sr: float,
    n_fft: int,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: float | None = None,
    htk: bool = False,
    norm: Any = "slaney",
    dtype: Any = np.float32,
) -> np.ndarray:
    """A mel filter bank: the matrix projecting FFT bins onto mel bands.

    Computed by the Rust core and cached per parameter set (the returned
    array is a fresh copy). Values equal librosa's: weights are built in
    float64 and rounded to ``dtype`` where librosa rounds them.

    Parameters
    ----------
    sr : number > 0
        Sampling rate.
    n_fft : int > 0
        FFT size.
    n_mels : int > 0
        Number of mel bands.
    fmin : float >= 0
        Lowest frequency (Hz).
    fmax : float > fmin, optional
        Highest frequency (Hz); default ``sr / 2``. Values above the Nyquist
        frequency are allowed, as in librosa (the top filters may be empty).
    htk : bool
        Use the HTK mel formula instead of Slaney's.
    norm : {"slaney", None, number}
        "slaney" divides each triangle by its band width (area
        normalisation); a number ``p`` scales each filter to unit l_p norm as
        ``librosa.util.normalize`` does (``inf``, ``-inf``, ``0`` and ``p > 0``);
        None leaves peak-1 triangles.
    dtype : floating dtype
        Output dtype (default float32, as librosa).

    Returns
    -------
    np.ndarray [shape=(n_mels, 1 + n_fft // 2)], dtype

    Warns
    -----
    UserWarning
        When some filters are empty (too many bands for the resolution).

    Raises
    ------
    ParameterError
        Non-positive ``sr``, ``n_fft`` or ``n_mels``, negative ``fmin``,
        ``fmax <= fmin`` or an unsupported ``norm`` (librosa accepts
        ``n_mels=0`` and negative ``fmin``; ferrosa refuses them).
    """
    if not (isinstance(n_fft, bool) or isinstance(n_mels, bool)):
        if isinstance(n_fft, (int, np.integer)) and isinstance(n_mels, (int, np.integer)):
            if 0 < n_fft < 2**62 and 0 < n_mels < 2**62:
                check_mel_memory(int(n_fft), int(n_mels), np.dtype(dtype).itemsize)
    bank = resolve_mel(sr, n_fft, n_mels, fmin, fmax, htk, norm, dtype)
    return _mel_dense(bank, np.dtype(dtype)).copy()


# --- Chroma filter bank ------------------------------------------------------


def norm_value(norm: Any) -> float | None:
    """Check a librosa.util.normalize ``norm`` (inf, -inf, 0, p > 0 or None)."""
    if norm is None:
        return None
    if isinstance(norm, (bool, np.bool_)) or not isinstance(norm, (int, float, np.number)):
        raise ParameterError(f"Unsupported norm: {norm!r}")
    v = float(norm)
    if v in (np.inf, -np.inf, 0.0) or v > 0:
        return v
    raise ParameterError(f"Unsupported norm: {norm!r}")


def check_chroma_memory(n_fft: int, n_chroma: int, itemsize: int = 8) -> None:
    """Refuse a chroma bank (``n_chroma x (1 + n_fft // 2)``) that cannot fit."""
    from .util.memory import check_memory, check_size

    check_size("n_fft", n_fft)
    check_size("n_chroma", n_chroma)
    n_bins = n_fft // 2 + 1
    check_memory(
        "chroma filter bank",
        float(n_chroma) * n_bins * (16 + itemsize) + 16.0 * n_fft,
        n_chroma=n_chroma,
        n_fft=n_fft,
    )


@lru_cache(maxsize=64)
def _chroma_bank(
    sr: float,
    n_fft: int,
    n_chroma: int,
    tuning: float,
    ctroct: float,
    octwidth: float | None,
    norm: float | None,
    base_c: bool,
) -> np.ndarray:
    fb = _core.chroma_filter(sr, n_fft, n_chroma, tuning, ctroct, octwidth, norm, base_c)
    fb.setflags(write=False)
    return fb


def chroma(
    *,
    sr: float,
    n_fft: int,
    n_chroma: int = 12,
    tuning: float = 0.0,
    ctroct: float = 5.0,
    octwidth: float | None = 2,
    norm: float | None = 2,
    base_c: bool = True,
    dtype: Any = np.float32,
) -> np.ndarray:
    """Filter bank mapping STFT bins to chroma bins (librosa.filters.chroma).

    Each FFT bin contributes a Gaussian bump (in chroma bins, as wide as the
    bin's spacing) to the pitch classes around its frequency, after Ellis'
    ``chromagram_E``; columns are normalised with ``norm`` and optionally
    weighted by a Gaussian over octaves centred on ``ctroct``. Built in Rust
    and cached per parameter set.

    Parameters
    ----------
    sr : number > 0
        Sampling rate.
    n_fft : int >= 2
        FFT size.
    n_chroma : int > 0
        Number of chroma bins.
    tuning : float
        Deviation from A440 in fractional chroma bins.
    ctroct : float
        Centre of the octave weighting, in octaves above A0 (27.5 Hz).
    octwidth : float > 0 or None
        Gaussian half-width of the octave weighting; None for flat weighting.
    norm : {inf, -inf, 0, float > 0, None}
        Normalisation of each column (see ``librosa.util.normalize``).
    base_c : bool
        Start the bank at C (True) or A (False).
    dtype : np.dtype
        Output dtype (float32 by default, as librosa).

    Returns
    -------
    np.ndarray, shape (n_chroma, 1 + n_fft // 2)
    """
    if isinstance(sr, bool) or not isinstance(sr, (int, float, np.number)) or not sr > 0:
        raise ParameterError(f"sr={sr!r} must be a positive number")
    if isinstance(n_fft, bool) or not isinstance(n_fft, (int, np.integer)) or n_fft < 2:
        raise ParameterError(f"n_fft={n_fft!r} must be an integer >= 2")
    if isinstance(n_chroma, bool) or not isinstance(n_chroma, (int, np.integer)) or n_chroma < 1:
        raise ParameterError(f"n_chroma={n_chroma!r} must be a positive integer")
    check_chroma_memory(int(n_fft), int(n_chroma), np.dtype(dtype).itemsize)
    if not np.isfinite(tuning):
        raise ParameterError(f"tuning={tuning!r} must be finite")
    ow = None if octwidth is None else float(octwidth)
    fb = _chroma_bank(
        float(sr),
        int(n_fft),
        int(n_chroma),
        float(tuning),
        float(ctroct),
        ow,
        norm_value(norm),
        bool(base_c),
    )
    return np.ascontiguousarray(fb, dtype=dtype) if np.dtype(dtype) != fb.dtype else fb.copy()


# --- Constant-Q filters ---------------------------------------------------------

#: ``note_to_hz("C1")``: librosa's default lowest CQT frequency.
C1_HZ = 32.70319566257483

# librosa.filters.WINDOW_BANDWIDTHS: equivalent noise bandwidths (in bins)
# librosa uses for the filter cutoff; kept verbatim so cutoffs agree.
_WINDOW_BANDWIDTHS = {
    "bartlett": 1.3334961334912805,
    "barthann": 1.4560255965133932,
    "blackman": 1.7269681554262326,
    "blackmanharris": 2.0045975283585014,
    "bohman": 1.7859588613860062,
    "boxcar": 1.0,
    "cosine": 1.2337005350199792,
    "flattop": 2.7762255046484143,
    "hamming": 1.3629455320350348,
    "hann": 1.50018310546875,
    "nuttall": 1.9763500280946082,
    "parzen": 1.917460317460319,
    "triang": 1.333170652355585,
}
_ALIASES = {
    "bart": "bartlett", "brt": "bartlett", "brthan": "barthann", "bth": "barthann",
    "bkh": "blackmanharris", "blackharr": "blackmanharris", "black": "blackman",
    "blk": "blackman", "bman": "bohman", "bmn": "bohman", "box": "boxcar", "ones": "boxcar",
    "rect": "boxcar", "rectangular": "boxcar", "halfcosine": "cosine", "flat": "flattop",
    "flt": "flattop", "ham": "hamming", "hamm": "hamming", "han": "hann", "hanning": "hann",
    "nut": "nuttall", "nutl": "nuttall", "par": "parzen", "parz": "parzen", "tri": "triang",
    "triangle": "triang",
}  # fmt: skip


def window_bandwidth(window: Any, n: int = 1000) -> float:
    """Equivalent noise bandwidth of a window, in FFT bins (librosa's).

    Parameters
    ----------
    window : str or callable
    n : int > 0
        Window length used when the bandwidth is not tabulated.

    Returns
    -------
    float
        ``n * sum(w**2) / sum(w)**2``.
    """
    key = getattr(window, "__name__", window)
    if isinstance(key, str):
        name = _ALIASES.get(key.lower(), key.lower())
        if name in _WINDOW_BANDWIDTHS:
            return _WINDOW_BANDWIDTHS[name]
    win = np.asarray(get_window(window, n), dtype=np.float64)
    return float(n * np.sum(win**2) / (np.sum(win) ** 2 + np.finfo(np.float64).tiny))


def relative_bandwidth(freqs: np.ndarray) -> np.ndarray:
    """Relative bandwidth ``alpha`` of each frequency from its neighbours."""
    if len(freqs) <= 1:
        raise ParameterError(
            f"2 or more frequencies are required to compute bandwidths. Given freqs={freqs}"
        )
    logf = np.log2(freqs)
    bpo = np.empty_like(freqs)
    bpo[0] = 1 / (logf[1] - logf[0])
    bpo[-1] = 1 / (logf[-1] - logf[-2])
    bpo[1:-1] = 2 / (logf[2:] - logf[:-2])
    return (2.0 ** (2 / bpo) - 1) / (2.0 ** (2 / bpo) + 1)


def wavelet_lengths(
    *,
    freqs: Any,
    sr: float = 22050,
    window: Any = "hann",
    filter_scale: float = 1,
    gamma: float | None = 0,
    alpha: Any = None,
) -> tuple[np.ndarray, float]:
    """Filter lengths and the highest frequency they reach (librosa's).

    Parameters
    ----------
    freqs : np.ndarray, shape (n_bins,), ascending, > 0
    sr : float > 0
    window : str
    filter_scale : float > 0
    gamma : float >= 0 or None
        Bandwidth offset; None uses the ERB-like ``alpha * 24.7 / 0.108``.
    alpha : float or np.ndarray, optional
        Relative bandwidths; inferred from ``freqs`` when omitted.

    Returns
    -------
    lengths : np.ndarray, shape (n_bins,), float64
        ``Q * sr / (freqs + gamma / alpha)`` samples, ``Q = filter_scale / alpha``.
    filter_cutoff : float
        ``max(freqs * (1 + 0.5 * window_bandwidth(window) / Q) + 0.5 * gamma)``.
    """
    freqs = np.asarray(freqs, dtype=np.float64)
    filter_scale = check_real("filter_scale", filter_scale, positive=True)
    if gamma is not None and gamma < 0:
        raise ParameterError(f"gamma={gamma} must be non-negative")
    if np.any(freqs <= 0):
        raise ParameterError("frequencies must be strictly positive")
    if len(freqs) > 1 and np.any(freqs[:-1] > freqs[1:]):
        raise ParameterError(f"Frequency array={freqs} must be in strictly ascending order")
    alpha_ = relative_bandwidth(freqs) if alpha is None else np.asarray(alpha)
    gamma_ = alpha_ * 24.7 / 0.108 if gamma is None else gamma
    Q = float(filter_scale) / alpha_
    f_cutoff = max(freqs * (1 + 0.5 * window_bandwidth(window) / Q) + 0.5 * gamma_)
    lengths = Q * sr / (freqs + gamma_ / alpha_)
    return np.asarray(lengths, dtype=np.float64), float(f_cutoff)


def cq_to_chroma(
    n_input: int,
    *,
    bins_per_octave: int = 12,
    n_chroma: int = 12,
    fmin: float | None = None,
    window: np.ndarray | None = None,
    base_c: bool = True,
    dtype: Any = np.float32,
) -> np.ndarray:
    """Matrix folding CQT bins onto chroma bins (librosa.filters.cq_to_chroma).

    Parameters
    ----------
    n_input : int > 0
        Number of CQT bins.
    bins_per_octave : int > 0, a multiple of ``n_chroma``
    n_chroma : int > 0
    fmin : float > 0, default C1
        Frequency of the first CQT bin.
    window : np.ndarray, optional
        Convolve each chroma row with this window (needs scipy).
    base_c : bool
        Chroma 0 is C (else A).
    dtype : dtype

    Returns
    -------
    np.ndarray, shape (n_chroma, n_input)
    """
    n_input = check_positive_int("n_input", n_input)
    bins_per_octave = check_positive_int("bins_per_octave", bins_per_octave)
    n_chroma = check_positive_int("n_chroma", n_chroma)
    n_merge = float(bins_per_octave) / n_chroma
    fmin_ = C1_HZ if fmin is None else check_real("fmin", fmin, positive=True)
    if np.mod(n_merge, 1) != 0:
        raise ParameterError(
            f"Incompatible CQ merge: bins_per_octave={bins_per_octave} must be an integer "
            f"multiple of n_chroma={n_chroma}"
        )
    cq_to_ch = np.repeat(np.eye(n_chroma), int(n_merge), axis=1)
    cq_to_ch = np.roll(cq_to_ch, -int(n_merge // 2), axis=1)
    n_octaves = np.ceil(float(n_input) / bins_per_octave)
    cq_to_ch = np.tile(cq_to_ch, int(n_octaves))[:, :n_input]
    midi_0 = np.mod(12 * (np.log2(fmin_) - np.log2(440.0)) + 69, 12)
    roll = midi_0 if base_c else midi_0 - 9
    roll = int(np.round(roll * (n_chroma / 12.0)))
    cq_to_ch = np.roll(cq_to_ch, roll, axis=0).astype(dtype)
    if window is not None:
        from scipy.signal import convolve

        cq_to_ch = convolve(cq_to_ch, np.atleast_2d(window), mode="same")
    return cq_to_ch


def wavelet(
    *,
    freqs: Any,
    sr: float = 22050,
    window: Any = "hann",
    filter_scale: float = 1,
    pad_fft: bool = True,
    norm: float | None = 1,
    dtype: Any = np.complex64,
    gamma: float | None = 0,
    alpha: Any = None,
    **kwargs: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Windowed complex sinusoids at ``freqs`` (librosa.filters.wavelet).

    Parameters
    ----------
    freqs : np.ndarray, shape (n_bins,), ascending, > 0
    sr : float > 0
    window : str, tuple or callable
        See :func:`get_window`.
    filter_scale : float > 0
    pad_fft : bool
        Centre every filter in a power-of-two length (else ``ceil(max length)``).
    norm : {inf, -inf, 0, float > 0, None}
        Norm of each filter (:func:`ferrosa.util.normalize`).
    dtype : complex dtype
        Of the returned basis; the filters are built in float64 first.
    gamma, alpha
        As for :func:`wavelet_lengths`.
    **kwargs
        Passed to :func:`ferrosa.util.pad_center`.

    Returns
    -------
    filters : np.ndarray, shape (n_bins, n), ``dtype``
        Filter ``k`` is ``exp(2j pi f_k t / sr)`` for ``t`` in
        ``[-len_k // 2, len_k // 2)``, windowed and normalised, centred.
    lengths : np.ndarray, shape (n_bins,), float64
        The (fractional) filter lengths of :func:`wavelet_lengths`.
    """
    from .util.framing import pad_center
    from .util.memory import check_memory
    from .util.normalize import normalize

    freqs = np.asarray(freqs, dtype=np.float64)
    lengths, _ = wavelet_lengths(
        freqs=freqs, sr=sr, window=window, filter_scale=filter_scale, gamma=gamma, alpha=alpha
    )
    longest = float(np.max(lengths))
    width = int(2.0 ** np.ceil(np.log2(longest))) if pad_fft else int(np.ceil(longest))
    check_memory("wavelet basis", 24.0 * len(freqs) * width, n_bins=len(freqs), length=width)
    rows = []
    for ilen, freq in zip(lengths, freqs, strict=True):
        t = np.arange(-ilen // 2, ilen // 2, dtype=float)
        angle = t * (2 * np.pi * freq / sr)
        sig = (np.cos(angle) + 1j * np.sin(angle)) * _float_window(window, len(t))
        rows.append(pad_center(normalize(sig, norm=norm), size=width, **kwargs))
    return np.asarray(rows, dtype=dtype), lengths


def _float_window(window: Any, n: float) -> np.ndarray:
    """A window of ``ceil(n)`` samples: ``floor(n)`` of ``window``, then zeros."""
    lo, hi = int(np.floor(n)), int(np.ceil(n))
    w = np.zeros(hi)
    w[:lo] = get_window(window, lo)
    return w


__all__ += ["cq_to_chroma", "wavelet", "wavelet_lengths", "window_bandwidth"]
