"""Type stubs for the Rust extension ``ferrosa._core``.

The extension is private: the librosa-shaped wrappers in ``ferrosa`` validate
arguments and resolve defaults before calling it. Arrays must be C-contiguous;
float32 inputs give float32/complex64 outputs and float64 inputs give
float64/complex128, so each kernel is overloaded on the input dtype.

Checked against the built module with ``python -m mypy.stubtest ferrosa._core``.
"""

from os import PathLike
from typing import Any, final

import numpy as np
from numpy.typing import NDArray

def window(name: str, n: int, fftbins: bool = True) -> NDArray[np.float64]:
    """A named window of length ``n`` (periodic when ``fftbins``), float64."""

# STFT of ``y`` shaped (channels, samples) into ``out`` shaped
# (channels, frames, 1 + n_fft // 2): frame-major, complex64 for float32 input
# and complex128 for float64. ``window`` has length ``n_fft`` (already padded);
# ``pad_mode`` is one of constant, reflect, symmetric, edge, wrap.
def stft(
    y: NDArray[np.float32] | NDArray[np.float64],
    window: NDArray[np.float64],
    n_fft: int,
    hop_length: int,
    center: bool,
    pad_mode: str,
    out: NDArray[np.complex64] | NDArray[np.complex128],
) -> None: ...
def stft_n_frames(n: int, n_fft: int, hop_length: int, center: bool) -> int:
    """Frames of an STFT of ``n`` samples."""

# Inverse STFT of frame-major (channels, frames, bins) into ``out`` shaped
# (channels, samples), whose length comes from ``istft_plan``.
def istft(
    stft_frames: NDArray[np.complex64] | NDArray[np.complex128],
    window: NDArray[np.float64],
    n_fft: int,
    hop_length: int,
    center: bool,
    length: int | None,
    out: NDArray[np.float32] | NDArray[np.float64],
) -> None: ...
def istft_plan(
    n_frames: int, n_fft: int, hop_length: int, center: bool, length: int | None = None
) -> tuple[int, int]:
    """(frames used, output samples) of an inverse STFT."""

def set_num_threads(n: int) -> None:
    """Cap the threads later kernel calls may use (0 restores the default)."""

def get_num_threads() -> int:
    """The number of threads kernels may use."""

# --- CWT and CQT (rust/python/cwt.rs, rust/python/cqt.rs) ---

# CWT of (channels, n) at float64 scales → (n_scales, channels, n); real or
# complex (complex wavelets) in the input's precision.
def cwt(
    y: NDArray[Any], scales: NDArray[np.float64], wavelet: str, precision: int = 12
) -> NDArray[Any]: ...

# |CWT|**power mean-pooled on frames of hop_length (None: per sample)
# → (channels, n_scales, n_frames), input precision.
def cwt_scalogram(
    y: NDArray[Any],
    scales: NDArray[np.float64],
    wavelet: str,
    power: float = 1.0,
    hop_length: int | None = None,
    precision: int = 12,
) -> NDArray[Any]: ...
def wavelet_central_frequency(wavelet: str, precision: int = 8) -> float: ...
def wavelet_is_complex(wavelet: str) -> bool: ...
def wavelet_function(
    wavelet: str, precision: int = 8
) -> tuple[NDArray[np.complex128], NDArray[np.float64]]: ...

# Multi-rate VQT from one signal per octave, each (channels, len_i) → complex
# (channels, n_bins, n_frames); vqt_plan says which signals: (early_count, halves_after).
def vqt_plan(
    sr: float,
    hop_length: int,
    freqs: NDArray[np.float64],
    lengths: NDArray[np.float64],
    filter_cutoff: float,
    bins_per_octave: int,
    window: str = "hann",
    norm: float | None = ...,  # Some(1.0) in Rust; pyo3 renders it as ...
    sparsity: float = 0.01,
    scale: bool = True,
    pad_mode: str = "constant",
) -> tuple[int, list[bool]]: ...
def vqt(
    signals: list[NDArray[Any]],
    sr: float,
    hop_length: int,
    freqs: NDArray[np.float64],
    lengths: NDArray[np.float64],
    filter_cutoff: float,
    bins_per_octave: int,
    window: str = "hann",
    norm: float | None = ...,
    sparsity: float = 0.01,
    scale: bool = True,
    pad_mode: str = "constant",
) -> NDArray[Any]: ...

# --- Mel, MFCC, delta (rust/python/melspec.rs) ---

@final
class MelBank:
    """Immutable sparse mel filter bank; build once per parameter set.

    ``mel_f`` holds the ``n_mels + 2`` band edges (Hz); ``norm`` is "none",
    "slaney" or "lp" (exponent ``p``); ``f32_weights`` reproduces librosa's
    float32 storage rounding.
    """

    def __new__(
        cls,
        sr: float,
        n_fft: int,
        mel_f: NDArray[np.float64],
        norm: str,
        p: float,
        f32_weights: bool,
    ) -> MelBank: ...
    @property
    def n_mels(self) -> int: ...
    @property
    def n_bins(self) -> int: ...
    @property
    def has_empty_filters(self) -> bool: ...
    def dense(self) -> NDArray[np.float64]: ...

@final
class DctMatrix:
    """Immutable (n_out, n_in) DCT matrix (types 1-3) with the lifter folded in."""

    def __new__(
        cls, dct_type: int, n_in: int, n_out: int, ortho: bool, lifter: float
    ) -> DctMatrix: ...
    @property
    def n_in(self) -> int: ...
    @property
    def n_out(self) -> int: ...
    def matrix(self) -> NDArray[np.float64]: ...

@final
class SavgolFilter:
    """Immutable Savitzky-Golay derivative filter of odd ``width``."""

    def __new__(cls, width: int, polyorder: int, deriv: int, delta: float) -> SavgolFilter: ...
    @property
    def width(self) -> int: ...

# Fused mel spectrogram of (channels, samples) → (channels, n_mels, frames),
# input precision.
def melspectrogram(
    y: NDArray[Any],
    window: NDArray[np.float64],
    n_fft: int,
    hop_length: int,
    center: bool,
    pad_mode: str,
    bank: MelBank,
    power: float,
) -> NDArray[Any]: ...

# Fused MFCC of (channels, samples) → (channels, n_mfcc, frames); the top_db
# floor uses the maximum over all channels.
def mfcc(
    y: NDArray[Any],
    window: NDArray[np.float64],
    n_fft: int,
    hop_length: int,
    center: bool,
    pad_mode: str,
    bank: MelBank,
    dct: DctMatrix,
    power: float,
    amin: float,
    top_db: float | None,
    per_channel: bool = False,
) -> NDArray[Any]: ...

# (channels, n_bins, frames) power spectrogram → (channels, n_mels, frames).
def mel_from_spectrogram(s: NDArray[Any], bank: MelBank) -> NDArray[Any]: ...

# DCT along axis 1: (channels, n_in, frames) → (channels, n_out, frames).
def dct_from_spectrogram(s: NDArray[Any], dct: DctMatrix) -> NDArray[Any]: ...

# float64 (n_out, n_in) matrix along axis 1 of (channels, n_in, frames).
def dense_on_axis(s: NDArray[Any], matrix: NDArray[Any]) -> NDArray[Any]: ...

# Savitzky-Golay filter along axis 1 of (rows, n); mode is interp, mirror,
# nearest, wrap or constant (with cval).
def savgol(x: NDArray[Any], filter: SavgolFilter, mode: str, cval: float = 0.0) -> NDArray[Any]: ...

# --- Audio decoding (rust/python/decode.rs) ---

# A whole FLAC file (8/16/24-bit) → (float32 samples shaped (channels, n),
# sample rate), libsndfile's int / 2**(bits - 1); ``mono`` averages 2 to 7
# channels into one row as ferrosa.to_mono does. OSError when the file cannot
# be read, RuntimeError when the stream is damaged, not FLAC or not handled,
# MemoryError when its declared size cannot be allocated.
def decode_flac(
    path: str | PathLike[str], mono: bool = False, frames: int | None = None
) -> tuple[NDArray[np.float32], int]: ...
def flac_info(path: str | PathLike[str]) -> tuple[int, int, int]: ...

# --- Spectral and temporal descriptors (rust/python/descriptors.rs) ---

# ``specs`` is a list of descriptor tuples built by
# ferrosa.feature.descriptors: ("centroid",), ("bandwidth", p, norm, centroid),
# ("rolloff", roll_percent, single), ("flatness", amin, power),
# ("contrast", [(bins, n_quantile), ...], linear), ("rms", frame_length).
# Rows of all descriptors are stacked in order.

def descriptors_audio(
    y: NDArray[np.float32] | NDArray[np.float64],
    window: NDArray[np.float64],
    n_fft: int,
    hop_length: int,
    center: bool,
    pad_mode: str,
    freq: NDArray[np.float64],
    specs: list[tuple[Any, ...]],
) -> NDArray[np.float64]:
    """Descriptors of ``|stft(y)|`` → float64 (channels, rows, frames)."""

def descriptors_frames(
    s: NDArray[np.float32] | NDArray[np.float64],
    freq: NDArray[np.float64],
    specs: list[tuple[Any, ...]],
) -> NDArray[np.float64]:
    """Descriptors of a frame-major magnitude spectrogram (channels, frames,
    bins) → float64 (channels, rows, frames)."""

def zero_crossings(
    y: NDArray[np.float32] | NDArray[np.float64], threshold: float, zero_pos: bool, pad: bool
) -> NDArray[np.bool_]:
    """Zero-crossing indicator of ``y`` (channels, n) → bool (channels, n)."""

def zero_crossing_rate(
    y: NDArray[np.float32] | NDArray[np.float64],
    frame_length: int,
    hop_length: int,
    center: bool,
    threshold: float,
    zero_pos: bool,
    pad: bool,
) -> NDArray[np.float64]:
    """Zero-crossing rate per frame → float64 (channels, frames)."""

def rms(
    y: NDArray[np.float32] | NDArray[np.float64],
    frame_length: int,
    hop_length: int,
    center: bool,
    pad_mode: str,
    f64_out: bool,
) -> NDArray[Any]:
    """RMS per frame → (channels, frames), float64 when ``f64_out`` else float32."""

def amplitude_envelope(
    y: NDArray[np.float32] | NDArray[np.float64],
    frame_length: int,
    hop_length: int,
    center: bool,
    pad_mode: str,
) -> NDArray[Any]:
    """Maximum absolute amplitude per frame → (channels, frames), input dtype."""

# --- Feature stack (rust/python/stack.rs) ---

# ``mel_jobs`` is a list of (kind, MelBank, ...) tuples built by
# ferrosa.feature.stack; the result is a dict with "descriptors" (float64
# (channels, rows, frames) when ``specs`` is non-empty), "mel" (a list of
# float64 (channels, rows, frames), one per job) and "power_frames" (the
# frame-major power spectrogram in the input dtype, when requested).
def feature_stack(
    y: NDArray[np.float32] | NDArray[np.float64],
    window: NDArray[np.float64],
    n_fft: int,
    hop_length: int,
    center: bool,
    pad_mode: str,
    freq: NDArray[np.float64],
    specs: list[tuple[Any, ...]],
    mel_jobs: list[tuple[Any, ...]],
    power_frames: bool,
) -> dict[str, Any]: ...

# --- Chroma and pitch (rust/python/chroma.rs) ---

def spectrogram_frames(
    y: NDArray[np.float32] | NDArray[np.float64],
    window: NDArray[np.float64],
    n_fft: int,
    hop_length: int,
    center: bool,
    pad_mode: str,
    squared: bool,
) -> NDArray[Any]:
    """``|stft(y)|`` (or its square) frame-major: (channels, frames, bins), input dtype."""

def chroma_filter(
    sr: float,
    n_fft: int,
    n_chroma: int,
    tuning: float,
    ctroct: float,
    octwidth: float | None,
    norm: float | None,
    base_c: bool,
) -> NDArray[np.float64]:
    """The chroma filter bank → float64 (n_chroma, 1 + n_fft // 2)."""

def chroma_frames(
    s: NDArray[np.float32] | NDArray[np.float64],
    fb: NDArray[np.float64],
    norm: float | None,
) -> NDArray[Any]:
    """Chroma of a frame-major power spectrogram (channels, frames, bins) with
    filter bank ``fb`` (n_chroma, bins) → (channels, n_chroma, frames)."""

# ``ref_kind`` is "max" (``ref_value`` times the frame maximum) or "fixed".
def pip_peaks(
    s: NDArray[np.float32] | NDArray[np.float64],
    sr: float,
    n_fft: int,
    fmin: float,
    fmax: float,
    ref_kind: str,
    ref_value: float,
) -> tuple[NDArray[Any], NDArray[Any]]:
    """Pitches and magnitudes of every piptrack peak of a frame-major
    spectrogram (channels, frames, bins), frame by frame → two 1-D arrays."""

def piptrack(
    s: NDArray[np.float32] | NDArray[np.float64],
    sr: float,
    n_fft: int,
    fmin: float,
    fmax: float,
    ref_kind: str,
    ref_value: float,
) -> tuple[NDArray[Any], NDArray[Any]]:
    """Dense piptrack → (pitches, mags), each (channels, bins, frames), input dtype."""

# --- STFT with a float64 FFT for float32 audio (rust/python/stft_wide.rs) ---

def stft_wide(
    y: NDArray[np.float32],
    window: NDArray[np.float64],
    n_fft: int,
    hop_length: int,
    center: bool,
    pad_mode: str,
    out: NDArray[np.complex64] | NDArray[np.complex128],
    check_finite: bool = False,
) -> bool:
    """STFT of float32 ``y`` (channels, samples) with a float64 FFT into ``out``
    (channels, frames, bins); with ``check_finite``, False (``out`` unwritten)
    when ``y`` has a NaN or infinite sample."""

# --- Silence detection (rust/python/silence.rs) ---

def silence_frame_power(
    y: NDArray[np.float32] | NDArray[np.float64], frame_length: int, hop_length: int
) -> NDArray[np.float64]:
    """Mean square (channels, frames) float64 of centred frames of ``y``."""

def silence_nonsilent(
    power: NDArray[np.float64], ref_power: float, top_db: float
) -> NDArray[np.bool_]:
    """Non-silent frames (max over channels of dB re ``ref_power`` > ``-top_db``)."""

def reduce_noise(
    y: np.ndarray,
    sr: float,
    stationary: bool,
    noise: np.ndarray | None,
    prop_decrease: float,
    time_constant_s: float,
    smooth: tuple[int, int] | None,
    thresh_n_mult_nonstationary: float,
    sigmoid_slope_nonstationary: float,
    n_std_thresh_stationary: float,
    n_fft: int,
    win_length: int,
    hop_length: int,
    padding: int,
    chunk_size: int,
) -> np.ndarray: ...
def psf_filterbank_energies(
    signal: np.ndarray,
    preemph: float,
    frame_len: int,
    frame_step: int,
    nfft: int,
    window: np.ndarray,
    filters: np.ndarray,
    weights: np.ndarray | None = None,
    zero_floor: float | None = None,
    out_floor: float | None = None,
    log: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]: ...

# --- Griffin-Lim (rust/python/griffinlim.rs) ---

# Griffin-Lim of frame-major magnitudes ``mag`` (channels, frames, bins) from
# the phases ``exp(2j * pi * turns)`` (float64 draws of the same shape), or
# from zero phase when ``turns`` is None.
# Returns the signal (channels, samples): float32 for float32 magnitudes
# (float32 FFTs), float64 for float64.
def griffinlim(
    mag: NDArray[np.float32] | NDArray[np.float64],
    turns: NDArray[np.float64] | None,
    window: NDArray[np.float64],
    n_fft: int,
    hop_length: int,
    center: bool,
    pad_mode: str,
    length: int | None,
    n_iter: int,
    momentum: float,
) -> NDArray[np.float32] | NDArray[np.float64]: ...

# --- Phase vocoder (rust/python/vocoder.rs) ---

# ``d`` (lines, frames) complex phase-vocoded by ``rate``; each line is one
# bin of one channel.
def phase_vocoder_rows(
    d: NDArray[np.complex64] | NDArray[np.complex128], rate: float
) -> NDArray[np.complex64] | NDArray[np.complex128]: ...

# --- Median filters of HPSS (rust/python/decompose.rs) ---

# Median filter of ``x`` (mats, rows, cols) along axis -1 or -2 with a
# window of ``size`` (scipy.ndimage.median_filter, mode "reflect").
def median_filter_axis(
    x: NDArray[np.float32] | NDArray[np.float64], size: int, axis: int
) -> NDArray[np.float32] | NDArray[np.float64]: ...

# --- Peak picking, beat tracking, tempogram (rust/python/onset.rs) ---

# Beat mask of one normalised onset envelope with ``frames_per_beat`` (one
# period or one per frame), librosa 0.11's dynamic programme.
def beat_track_dp(
    env: NDArray[np.float32] | NDArray[np.float64],
    frames_per_beat: NDArray[np.float64],
    tightness: float,
    trim: bool,
) -> NDArray[np.bool_]: ...

# Peaks of each row of ``x`` (rows, n) float64 by librosa's rule, as a
# (rows, n) bool array.
def peak_pick_rows(
    x: NDArray[np.float64],
    pre_max: int,
    post_max: int,
    pre_avg: int,
    post_avg: int,
    delta: float,
    wait: int,
) -> NDArray[np.bool_]: ...

# Autocorrelations (frames, lags) of the hop-1 windows of ``env`` times
# ``window``, through a real FFT of ``n_fft`` points (the tempogram).
def tempogram_frames(
    env: NDArray[np.float64], window: NDArray[np.float64], n_fft: int
) -> NDArray[np.float64]: ...

__all__ = [
    "DctMatrix",
    "MelBank",
    "SavgolFilter",
    "amplitude_envelope",
    "beat_track_dp",
    "chroma_filter",
    "chroma_frames",
    "cwt",
    "cwt_scalogram",
    "dct_from_spectrogram",
    "decode_flac",
    "dense_on_axis",
    "descriptors_audio",
    "descriptors_frames",
    "feature_stack",
    "flac_info",
    "get_num_threads",
    "griffinlim",
    "istft",
    "istft_plan",
    "median_filter_axis",
    "mel_from_spectrogram",
    "melspectrogram",
    "mfcc",
    "peak_pick_rows",
    "phase_vocoder_rows",
    "pip_peaks",
    "psf_filterbank_energies",
    "piptrack",
    "reduce_noise",
    "rms",
    "savgol",
    "set_num_threads",
    "silence_frame_power",
    "silence_nonsilent",
    "spectrogram_frames",
    "stft",
    "stft_n_frames",
    "stft_wide",
    "tempogram_frames",
    "vqt",
    "vqt_plan",
    "wavelet_central_frequency",
    "wavelet_function",
    "wavelet_is_complex",
    "window",
    "zero_crossing_rate",
    "zero_crossings",
]
