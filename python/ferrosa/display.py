"""Plots of audio and features, in the spirit of ``librosa.display``.

matplotlib (the ``plot`` extra) is imported only when a function here is
called; without a display the Agg backend is selected. For axis-free,
fixed-size images (what an image CNN consumes) see
:func:`ferrosa.plotting.feature_to_image`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .exceptions import ParameterError
from .plotting import KINDS, compute_feature, feature_to_image, save_feature_image

__all__ = [
    "feature_to_image",
    "plot_feature",
    "save_feature_image",
    "save_plot",
    "specshow",
    "waveshow",
]

_PITCH = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]


def _pyplot() -> Any:
    """matplotlib.pyplot, on the Agg backend when there is no display."""
    from ._optional import require

    matplotlib = require("matplotlib", "ferrosa.display", extra="plot")
    headless = not os.environ.get("DISPLAY") and sys.platform.startswith("linux")
    if headless and "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _axes(ax: Any) -> Any:
    return _pyplot().gca() if ax is None else ax


def waveshow(
    y: np.ndarray, *, sr: float = 22050, ax: Any = None, max_points: int = 20000, **kw: Any
) -> Any:
    """Draw a waveform against time; long signals are drawn as a min/max envelope.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
    sr : float > 0
    ax : matplotlib Axes, optional
    max_points : int
        Above this many samples, plot per-bucket minima and maxima.
    **kw
        Passed to ``Axes.plot`` / ``fill_between``.

    Returns
    -------
    matplotlib Axes
    """
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ParameterError(f"waveshow expects non-empty mono audio, got shape {y.shape}")
    ax = _axes(ax)
    if y.size > max_points:
        n_buckets = max_points // 2
        edges = np.linspace(0, y.size, n_buckets + 1).astype(int)
        lo = np.minimum.reduceat(y, edges[:-1])
        hi = np.maximum.reduceat(y, edges[:-1])
        t = edges[:-1] / sr
        ax.fill_between(t, lo, hi, linewidth=0, **kw)
    else:
        ax.plot(np.arange(y.size) / sr, y, linewidth=0.6, **kw)
    ax.set_xlim(0, y.size / sr)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Amplitude")
    return ax


def specshow(
    data: np.ndarray,
    *,
    sr: float = 22050,
    hop_length: int = 512,
    x_axis: str | None = "time",
    y_axis: str | None = None,
    freqs: np.ndarray | None = None,
    fmin: float | None = None,
    ax: Any = None,
    cmap: str | None = None,
    **kw: Any,
) -> Any:
    """Draw a frequency-major feature as an image with labelled axes.

    Parameters
    ----------
    data : np.ndarray, shape (n_bins, n_frames)
    sr : float > 0
    hop_length : int > 0
    x_axis : {"time", "frames", None}
    y_axis : {"linear", "hz", "fft", "log", "mel", "cqt_hz", "cwt", "chroma", "mfcc", None}
        How rows map to frequency: STFT rows on a linear (``linear``) or
        log (``log``) Hz axis, mel rows at their centre frequencies, and
        geometric rows (``cqt_hz``, ``cwt``) at ``freqs`` (or from ``fmin``
        with 12 bins per octave) on a log axis.
    freqs : np.ndarray, shape (n_bins,), optional
        Row frequencies in Hz (``cqt_hz``, ``cwt``).
    fmin : float, optional
        Lowest CQT frequency when ``freqs`` is omitted (default C1).
    ax : matplotlib Axes, optional
    cmap : str, optional
        Colour map (default: ``magma``, ``coolwarm`` for data of both signs).
    **kw
        Passed to ``Axes.pcolormesh``.

    Returns
    -------
    matplotlib QuadMesh
    """
    data = np.asarray(data)
    if data.ndim != 2 or data.size == 0:
        raise ParameterError(f"specshow expects (n_bins, n_frames), got shape {data.shape}")
    if np.iscomplexobj(data):
        raise ParameterError("specshow expects real data; take np.abs() first")
    ax = _axes(ax)
    n_bins, n_frames = data.shape
    if cmap is None:
        cmap = "coolwarm" if y_axis == "mfcc" and data.min() < 0 < data.max() else "magma"
    if x_axis == "time":
        x_edges = np.arange(n_frames + 1) * hop_length / sr
        ax.set_xlabel("Time (s)")
    elif x_axis in ("frames", None):
        x_edges = np.arange(n_frames + 1) - 0.5
        if x_axis:
            ax.set_xlabel("Frames")
    else:
        raise ParameterError(f"x_axis={x_axis!r} must be 'time', 'frames' or None")
    y_edges, yscale = _row_edges(y_axis, n_bins, sr, freqs, fmin)
    # scale before limits, so reused axes never see 0 Hz on a log scale
    if yscale == "log":
        ax.set_yscale("log", base=2)
    elif yscale == "symlog":
        ax.set_yscale("symlog", linthresh=64.0, base=2)
    else:
        ax.set_yscale("linear")
    mesh = ax.pcolormesh(x_edges, y_edges, data, cmap=cmap, shading="flat", **kw)
    ax.set_xlim(x_edges[0], x_edges[-1])
    ax.set_ylim(y_edges[0], y_edges[-1])
    if yscale in ("log", "symlog"):
        from matplotlib.ticker import ScalarFormatter

        ax.yaxis.set_major_formatter(ScalarFormatter())
    if y_axis == "chroma":
        ax.set_yticks(range(n_bins), [_PITCH[i % 12] for i in range(n_bins)])
        ax.set_ylabel("Pitch class")
    elif y_axis == "mfcc":
        ax.set_ylabel("MFCC")
    elif y_axis is not None:
        ax.set_ylabel("Hz")
    return mesh


def _edges(centres: np.ndarray, geometric: bool) -> np.ndarray:
    """Cell edges around row centres (midpoints; geometric for log rows)."""
    c = np.log(centres) if geometric else centres
    if len(c) == 1:
        e = np.array([c[0] - 0.5, c[0] + 0.5])
    else:
        mid = (c[1:] + c[:-1]) / 2
        e = np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
    return np.exp(e) if geometric else e


def _row_edges(
    y_axis: str | None, n_bins: int, sr: float, freqs: Any, fmin: float | None
) -> tuple[np.ndarray, str]:
    """Row edges in display units and the y scale ("linear", "log", "symlog")."""
    if y_axis in ("linear", "hz", "fft", "log"):
        e = _edges(np.linspace(0, sr / 2, n_bins), False)
        e[0] = max(e[0], 0.0)
        return e, "symlog" if y_axis == "log" else "linear"
    if y_axis == "mel":
        from .core.convert import mel_frequencies

        e = _edges(mel_frequencies(n_mels=n_bins, fmin=0.0, fmax=sr / 2), False)
        e[0] = max(e[0], 0.0)
        return e, "symlog"
    if y_axis in ("cqt_hz", "cwt"):
        if freqs is None:
            from .core.constantq import C1_HZ, cqt_frequencies

            freqs = cqt_frequencies(n_bins, fmin=C1_HZ if fmin is None else fmin)
        row_f = np.asarray(freqs, dtype=np.float64)
        if len(row_f) != n_bins or np.any(row_f <= 0):
            raise ParameterError(f"freqs must hold {n_bins} positive row frequencies")
        return _edges(row_f, True), "log"
    if y_axis in ("chroma", "mfcc", None):
        return np.arange(n_bins + 1) - 0.5, "linear"
    raise ParameterError(f"y_axis={y_axis!r} is not a known axis type")


def plot_feature(
    y: np.ndarray,
    *,
    sr: float = 22050,
    kind: str = "mel",
    ax: Any = None,
    title: str | None = None,
    **kw: Any,
) -> Any:
    """Compute and draw one of ``wave, spec, mel, mfcc, chroma, cwt`` for ``y``.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
    sr : float > 0
    kind : str
    ax : matplotlib Axes, optional
    title : str, optional
    **kw
        Passed to :func:`ferrosa.plotting.compute_feature` (hop_length,
        n_mels, wavelet, ...).

    Returns
    -------
    matplotlib Axes
    """
    if kind not in KINDS:
        raise ParameterError(f"kind={kind!r} must be one of {', '.join(KINDS)}")
    ax = _axes(ax)
    feat = compute_feature(y, sr, kind, **kw)
    if kind == "wave":
        waveshow(feat.data, sr=sr, ax=ax)
    else:
        img = specshow(
            feat.data,
            sr=sr,
            hop_length=feat.hop_length,
            y_axis=feat.y_axis,
            freqs=feat.freqs,
            ax=ax,
        )
        ax.figure.colorbar(img, ax=ax, label=feat.label)
    ax.set_title(title if title is not None else _TITLES[kind])
    return ax


_TITLES = {
    "wave": "Waveform",
    "spec": "Spectrogram (dB)",
    "mel": "Mel spectrogram (dB)",
    "mfcc": "MFCC",
    "chroma": "Chroma (CQT)",
    "cwt": "CWT scalogram (dB)",
}


def save_plot(
    y: np.ndarray,
    path: str | Path,
    *,
    sr: float = 22050,
    kind: str = "mel",
    figsize: tuple[float, float] = (10.0, 4.0),
    dpi: int = 100,
    **kw: Any,
) -> Path:
    """Draw :func:`plot_feature` in a new figure and save it (PNG, PDF, ...).

    Returns
    -------
    Path
        The written file.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=figsize)
    try:
        plot_feature(y, sr=sr, kind=kind, ax=ax, **kw)
        fig.tight_layout()
        fig.savefig(path, dpi=dpi)
    finally:
        plt.close(fig)
    return Path(path)
