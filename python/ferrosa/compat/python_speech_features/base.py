"""python_speech_features.base: MFCC, filterbank energies, spectral subband
centroids and deltas, with that package's argument names and defaults
(25 ms / 10 ms frames in seconds, pre-emphasis 0.97, rectangular window,
``nfft=512``, lifter 22, log energy in c0). Frame spectra come from ferrosa's
Rust STFT, the filterbank product is one matrix product."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from scipy.fft import dct

from ... import _core
from ...exceptions import ParameterError
from .sigproc import _geometry, _ones

__all__ = [
    "delta",
    "fbank",
    "get_filterbanks",
    "hz2mel",
    "lifter",
    "logfbank",
    "mel2hz",
    "mfcc",
    "ssc",
]

_EPS = np.finfo(float).eps


def hz2mel(hz: float | np.ndarray) -> float | np.ndarray:
    """Hertz to mels, ``2595 log10(1 + hz / 700)``."""
    return 2595 * np.log10(1 + hz / 700.0)


def mel2hz(mel: float | np.ndarray) -> float | np.ndarray:
    """Mels to Hertz."""
    return 700 * (10 ** (mel / 2595.0) - 1)


def get_filterbanks(
    nfilt: int = 20,
    nfft: int = 512,
    samplerate: float = 16000,
    lowfreq: float = 0,
    highfreq: float | None = None,
) -> np.ndarray:
    """Triangular mel filters on FFT bins, shape (nfilt, nfft // 2 + 1)."""
    highfreq = highfreq or samplerate / 2
    if highfreq > samplerate / 2:
        raise ParameterError(f"highfreq={highfreq!r} is greater than samplerate/2")
    if isinstance(nfilt, bool) or int(nfilt) != nfilt or nfilt < 1:
        raise ParameterError(f"nfilt={nfilt!r} must be a positive integer")
    melpoints = np.linspace(hz2mel(lowfreq), hz2mel(highfreq), int(nfilt) + 2)
    edges = np.floor((nfft + 1) * mel2hz(melpoints) / samplerate)
    i = np.arange(nfft // 2 + 1)[None, :]
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where((i >= lo) & (i < mid), (i - lo) / (mid - lo), 0.0)
        down = np.where((i >= mid) & (i < hi), (hi - i) / (hi - mid), 0.0)
    # A bin in both ranges cannot happen (mid <= i < mid); down overwrites up.
    return np.where((i >= mid) & (i < hi), down, up)


def lifter(cepstra: np.ndarray, L: int = 22) -> np.ndarray:  # noqa: N803 - psf's name
    """Sinusoidal cepstral lifter ``1 + L/2 sin(pi n / L)``; ``L <= 0`` disables it."""
    if L > 0:
        n = np.arange(np.shape(cepstra)[1])
        return (1 + (L / 2.0) * np.sin(np.pi * n / L)) * cepstra
    return cepstra


def _energies(
    signal: np.ndarray,
    samplerate: float,
    winlen: float,
    winstep: float,
    nfilt: int,
    nfft: int,
    lowfreq: float,
    highfreq: float | None,
    preemph: float,
    winfunc: Callable[[int], np.ndarray],
    *,
    centroids: bool = False,
    log: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(filterbank energies, frame energies, centroid numerators or None), in Rust."""
    if not (isinstance(samplerate, (int, float, np.number)) and samplerate > 0):
        raise ParameterError(f"samplerate={samplerate!r} must be positive")
    sig = np.ascontiguousarray(signal, dtype=np.float64)
    if sig.ndim != 1 or sig.size == 0:
        raise ParameterError(f"signal must be a non-empty 1-D array, got shape {sig.shape}")
    if isinstance(nfft, bool) or int(nfft) != nfft or nfft < 1:
        raise ParameterError(f"nfft={nfft!r} must be a positive integer")
    nfft = int(nfft)
    flen, step, _ = _geometry(len(sig), winlen * samplerate, winstep * samplerate)
    win = np.zeros(nfft)
    k = min(flen, nfft)
    win[:k] = np.asarray(winfunc(flen), dtype=np.float64)[:k]
    highfreq = highfreq or samplerate / 2
    fb = _filterbanks(int(nfilt), nfft, float(samplerate), float(lowfreq), float(highfreq))
    weights = np.linspace(1, samplerate / 2, nfft // 2 + 1) if centroids else None
    return _core.psf_filterbank_energies(
        sig,
        float(preemph),
        flen,
        step,
        nfft,
        win,
        fb,
        weights,
        _EPS if centroids else None,
        None if centroids else _EPS,
        log,
    )


@functools.lru_cache(maxsize=32)
def _filterbanks(nfilt: int, nfft: int, sr: float, lo: float, hi: float) -> np.ndarray:
    fb = np.ascontiguousarray(get_filterbanks(nfilt, nfft, sr, lo, hi))
    fb.setflags(write=False)
    return fb


def fbank(
    signal: np.ndarray,
    samplerate: float = 16000,
    winlen: float = 0.025,
    winstep: float = 0.01,
    nfilt: int = 26,
    nfft: int = 512,
    lowfreq: float = 0,
    highfreq: float | None = None,
    preemph: float = 0.97,
    winfunc: Callable[[int], np.ndarray] = _ones,
) -> tuple[np.ndarray, np.ndarray]:
    """Mel filterbank energies (numframes, nfilt) and total frame energies (numframes,)."""
    feat, energy, _ = _energies(
        signal, samplerate, winlen, winstep, nfilt, nfft, lowfreq, highfreq, preemph, winfunc
    )
    return feat, energy


def logfbank(
    signal: np.ndarray,
    samplerate: float = 16000,
    winlen: float = 0.025,
    winstep: float = 0.01,
    nfilt: int = 26,
    nfft: int = 512,
    lowfreq: float = 0,
    highfreq: float | None = None,
    preemph: float = 0.97,
    winfunc: Callable[[int], np.ndarray] = _ones,
) -> np.ndarray:
    """Log mel filterbank energies, shape (numframes, nfilt)."""
    feat, _, _ = _energies(
        signal,
        samplerate,
        winlen,
        winstep,
        nfilt,
        nfft,
        lowfreq,
        highfreq,
        preemph,
        winfunc,
        log=True,
    )
    return feat


def mfcc(
    signal: np.ndarray,
    samplerate: float = 16000,
    winlen: float = 0.025,
    winstep: float = 0.01,
    numcep: int = 13,
    nfilt: int = 26,
    nfft: int = 512,
    lowfreq: float = 0,
    highfreq: float | None = None,
    preemph: float = 0.97,
    ceplifter: int = 22,
    appendEnergy: bool = True,  # noqa: N803 - psf's name
    winfunc: Callable[[int], np.ndarray] = _ones,
) -> np.ndarray:
    """MFCCs (orthonormal DCT-II of log filterbank energies), shape (numframes, numcep)."""
    if isinstance(numcep, bool) or int(numcep) != numcep or not 1 <= numcep <= nfilt:
        raise ParameterError(f"numcep={numcep!r} must be an integer in [1, nfilt={nfilt}]")
    logfeat, logenergy, _ = _energies(
        signal,
        samplerate,
        winlen,
        winstep,
        nfilt,
        nfft,
        lowfreq,
        highfreq,
        preemph,
        winfunc,
        log=True,
    )
    feat = dct(logfeat, type=2, axis=1, norm="ortho")[:, : int(numcep)]
    feat = lifter(feat, ceplifter)
    if appendEnergy:
        feat[:, 0] = logenergy
    return feat


def ssc(
    signal: np.ndarray,
    samplerate: float = 16000,
    winlen: float = 0.025,
    winstep: float = 0.01,
    nfilt: int = 26,
    nfft: int = 512,
    lowfreq: float = 0,
    highfreq: float | None = None,
    preemph: float = 0.97,
    winfunc: Callable[[int], np.ndarray] = _ones,
) -> np.ndarray:
    """Spectral subband centroids, shape (numframes, nfilt)."""
    feat, _, num = _energies(
        signal,
        samplerate,
        winlen,
        winstep,
        nfilt,
        nfft,
        lowfreq,
        highfreq,
        preemph,
        winfunc,
        centroids=True,
    )
    assert num is not None
    return num / feat


def delta(feat: np.ndarray, N: int) -> np.ndarray:  # noqa: N803 - psf's name
    """Regression deltas over ``N`` frames each side (edge-padded), shape of ``feat``."""
    if isinstance(N, bool) or int(N) != N or N < 1:
        raise ParameterError(f"N={N!r} must be an integer >= 1")
    feat = np.asarray(feat)
    if feat.ndim != 2 or feat.shape[0] == 0:
        raise ParameterError(f"feat must be a non-empty 2-D array, got shape {feat.shape}")
    n_frames = len(feat)
    denom = 2 * sum(i**2 for i in range(1, N + 1))
    padded = np.pad(feat, ((N, N), (0, 0)), mode="edge")
    out = np.zeros(feat.shape, dtype=np.result_type(feat, np.float64))
    for k in range(1, N + 1):
        out += k * (padded[N + k : N + k + n_frames] - padded[N - k : N - k + n_frames])
    return (out / denom).astype(np.result_type(feat.dtype, np.float64))
