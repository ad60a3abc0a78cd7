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


def pyplot() -> Any:
    """matplotlib.pyplot, on the Agg backend when there is no display."""
    from ._optional import require

    matplotlib = require("matplotlib", "ferrosa.display", extra="plot")
    headless = not os.environ.get("DISPLAY") and sys.platform.startswith("linux")
    if headless and "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _axes(ax: Any) -> Any:
    return pyplot().gca() if ax is None else ax


def waveshow(
    y: np.ndarray,
    *,
    sr: float = 22050,
    max_points: int = 11025,
    axis: str | None = "time",
    offset: float = 0.0,
    ax: Any = None,
    label: str | None = None,
    x_axis: str | None = None,
    **kw: Any,
) -> Any:
    """Draw a waveform against time; long signals are drawn as a min/max envelope.

    Parameters
    ----------
    y : np.ndarray, shape (n,) or (channels, n)
        Mono or multichannel (e.g. stereo) audio; each channel is drawn in
        its own colour, labelled ``label`` or ``"channel k"``.
    sr : float > 0
    max_points : int > 0
        Above this many samples, plot per-bucket minima and maxima.
    axis : {"time", "s", "ms", "frames"...} or None
        Time axis labelling (as librosa's ``axis``; ``x_axis`` is an alias).
    offset : float
        Start time of ``y`` in seconds.
    ax : matplotlib Axes, optional
    label : str, optional
    **kw
        Passed to ``Axes.plot`` / ``fill_between``.

    Returns
    -------
    matplotlib Axes
    """
    y = np.asarray(y)
    if y.ndim not in (1, 2) or y.size == 0:
        raise ParameterError(
            f"waveshow expects non-empty mono (n,) or multichannel (channels, n) audio, "
            f"got shape {y.shape}"
        )
    if not np.issubdtype(y.dtype, np.floating):
        raise ParameterError(f"waveshow expects floating-point audio, not dtype={y.dtype}")
    if max_points <= 0:
        raise ParameterError(f"max_points={max_points} must be strictly positive")
    axis = x_axis if x_axis is not None else axis
    ax = _axes(ax)
    rows = y if y.ndim == 2 else y[None, :]
    n = rows.shape[-1]
    for k, row in enumerate(rows):
        name = label if rows.shape[0] == 1 else f"{label or 'channel'} {k}"
        args = dict(kw)
        if name is not None:
            args.setdefault("label", name)
        if n > max_points:
            n_buckets = max(max_points // 2, 1)
            edges = np.linspace(0, n, n_buckets + 1).astype(int)
            lo = np.minimum.reduceat(row, edges[:-1])
            hi = np.maximum.reduceat(row, edges[:-1])
            ax.fill_between(offset + edges[:-1] / sr, lo, hi, linewidth=0, step="post", **args)
        else:
            ax.plot(offset + np.arange(n) / sr, row, linewidth=0.6, **args)
    ax.set_xlim(offset, offset + n / sr)
    _time_axis(ax.xaxis, axis)
    ax.set_ylabel("Amplitude")
    return ax


_TIME_AXES = ("time", "s", "ms", "h", "m")


def _time_axis(axis: Any, kind: str | None) -> None:
    """Label a time axis whose data units are seconds (``ms`` ticks in milliseconds)."""
    if kind not in _TIME_AXES:
        return
    if kind == "ms":
        from matplotlib.ticker import FuncFormatter

        axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v * 1000:g}"))
        axis.set_label_text("Time (ms)")
    else:
        axis.set_label_text("Time (s)" if kind in ("s", "time") else "Time")


def _auto_cmap(data: np.ndarray) -> str:
    """librosa's choice: ``gray_r`` for booleans, ``coolwarm`` for both signs, else ``magma``."""
    if data.dtype == bool:
        return "gray_r"
    finite = data[np.isfinite(data)]
    if finite.size and finite.min() < 0 < finite.max():
        return "coolwarm"
    return "magma"


def specshow(
    data: np.ndarray,
    *,
    x_coords: np.ndarray | None = None,
    y_coords: np.ndarray | None = None,
    x_axis: str | None = None,
    y_axis: str | None = None,
    sr: float = 22050,
    hop_length: int = 512,
    n_fft: int | None = None,
    win_length: int | None = None,
    fmin: float | None = None,
    fmax: float | None = None,
    tuning: float = 0.0,
    bins_per_octave: int = 12,
    htk: bool = False,
    freqs: np.ndarray | None = None,
    ax: Any = None,
    cmap: str | None = None,
    **kw: Any,
) -> Any:
    """Draw a frequency-major feature as an image with labelled axes, as librosa.display.specshow.

    Parameters
    ----------
    data : np.ndarray, shape (n_bins, n_frames)
    x_coords, y_coords : np.ndarray, optional
        Explicit cell positions (centres or ``n + 1`` edges) instead of the
        ones the axis types imply.
    x_axis : {"time", "s", "ms", "frames", None}
        Frame ``t`` is drawn at ``t * hop_length / sr`` seconds; ``ms``
        labels the ticks in milliseconds.
    y_axis : str or None
        One of ``linear``, ``hz``, ``fft``, ``log``, ``fft_note``, ``mel``,
        ``cqt_hz``, ``cqt_note``, ``cwt``, ``chroma``, ``mfcc``, ``frames``.
        How rows map to frequency: STFT rows (``n_fft = 2 * (n_bins - 1)``
        unless given) on a linear (``linear``/``hz``/``fft``) or log
        (``log``; ``fft_note`` with note names) axis; mel rows at the centre
        frequencies of ``n_bins`` mel bands over ``[fmin, fmax]``
        (``htk`` formula as in :func:`ferrosa.filters.mel`); constant-Q rows
        from ``fmin`` (default C1) with ``bins_per_octave`` (``cqt_hz``, or
        ``cqt_note`` with note names); ``cwt`` rows at ``freqs``.
    sr, hop_length : number > 0
    n_fft, win_length : int, optional
    fmin, fmax : float, optional
    tuning : float
        Tuning offset of CQT rows in fractions of a bin.
    bins_per_octave : int > 0
    htk : bool
    freqs : np.ndarray, shape (n_bins,), optional
        Row frequencies in Hz (``cqt_hz``, ``cwt``).
    ax : matplotlib Axes, optional
    cmap : str, optional
        Colour map; default as librosa (``magma``, ``coolwarm`` for data of
        both signs, ``gray_r`` for booleans).
    **kw
        Passed to ``Axes.pcolormesh``.

    Returns
    -------
    matplotlib QuadMesh
        Give it to ``plt.colorbar`` / ``fig.colorbar`` for a colour bar.
    """
    data = np.asarray(data)
    if data.ndim != 2 or data.size == 0:
        raise ParameterError(f"specshow expects (n_bins, n_frames), got shape {data.shape}")
    if np.iscomplexobj(data):
        raise ParameterError("specshow expects real data; take np.abs() first")
    ax = _axes(ax)
    n_bins, n_frames = data.shape
    if cmap is None:
        cmap = _auto_cmap(data)
    if x_coords is not None:
        x_edges = _coords_to_edges(np.asarray(x_coords, dtype=np.float64), n_frames)
    elif x_axis in _TIME_AXES:
        x_edges = np.arange(n_frames + 1) * hop_length / sr
    elif x_axis in ("frames", None):
        x_edges = np.arange(n_frames + 1) - 0.5
    else:
        raise ParameterError(f"x_axis={x_axis!r} must be 'time', 's', 'ms', 'frames' or None")
    if x_axis == "frames":
        ax.set_xlabel("Frames")
    if y_coords is not None:
        y_edges = _coords_to_edges(np.asarray(y_coords, dtype=np.float64), n_bins)
        yscale = "log" if y_axis in _LOG_AXES else "linear"
    else:
        rows = _RowSpec(sr, n_fft, fmin, fmax, tuning, bins_per_octave, htk, freqs)
        y_edges, yscale = _row_edges(y_axis, n_bins, rows)
    # scale before limits, so reused axes never see 0 Hz on a log scale
    if yscale == "log":
        ax.set_yscale("log", base=2)
    elif yscale == "symlog":
        ax.set_yscale("symlog", linthresh=64.0, base=2)
    else:
        ax.set_yscale("linear")
    data = data.astype(np.float64) if data.dtype == bool else data
    mesh = ax.pcolormesh(x_edges, y_edges, data, cmap=cmap, shading="flat", **kw)
    ax.set_xlim(x_edges[0], x_edges[-1])
    ax.set_ylim(y_edges[0], y_edges[-1])
    _time_axis(ax.xaxis, x_axis)
    if yscale in ("log", "symlog"):
        from matplotlib.ticker import ScalarFormatter

        ax.yaxis.set_major_formatter(ScalarFormatter())
    if y_axis in ("cqt_note", "fft_note"):
        _note_ticks(ax.yaxis, y_edges)
        ax.set_ylabel("Note")
    elif y_axis == "chroma":
        ax.set_yticks(range(n_bins), [_PITCH[i % 12] for i in range(n_bins)])
        ax.set_ylabel("Pitch class")
    elif y_axis == "mfcc":
        ax.set_ylabel("MFCC")
    elif y_axis == "frames":
        ax.set_ylabel("Frames")
    elif y_axis is not None:
        ax.set_ylabel("Hz")
    return mesh


_LOG_AXES = ("log", "fft_note", "cqt_hz", "cqt_note", "cwt")


class _RowSpec:
    """The keywords that place rows on a frequency axis."""

    def __init__(
        self,
        sr: float,
        n_fft: int | None,
        fmin: float | None,
        fmax: float | None,
        tuning: float,
        bins_per_octave: int,
        htk: bool,
        freqs: Any,
    ) -> None:
        self.sr, self.n_fft, self.fmin, self.fmax = sr, n_fft, fmin, fmax
        self.tuning, self.bins_per_octave, self.htk, self.freqs = (
            tuning,
            bins_per_octave,
            htk,
            freqs,
        )


def _coords_to_edges(coords: np.ndarray, n: int) -> np.ndarray:
    if len(coords) == n + 1:
        return coords
    if len(coords) == n:
        return _edges(coords, False)
    raise ParameterError(f"coordinates of length {len(coords)} do not fit {n} cells")


def _note_ticks(axis: Any, edges: np.ndarray) -> None:
    """Ticks at every C (or every note on short ranges), labelled with note names."""
    from .core.pitch_convert import midi_to_hz

    lo, hi = float(edges[0]), float(edges[-1])
    lo = max(lo, 1e-3)
    m_lo = int(np.floor(12 * np.log2(lo / 440.0) + 69))
    m_hi = int(np.ceil(12 * np.log2(hi / 440.0) + 69))
    step = 1 if m_hi - m_lo <= 24 else 12
    midis = [m for m in range(m_lo, m_hi + 1) if step == 1 or m % 12 == 0]
    hz = np.asarray(midi_to_hz(np.asarray(midis, dtype=float)))
    keep = (hz >= lo) & (hz <= hi)
    labels = [f"{_PITCH[m % 12]}{m // 12 - 1}" for m, k in zip(midis, keep, strict=True) if k]
    axis.set_ticks(hz[keep], labels)


def _edges(centres: np.ndarray, geometric: bool) -> np.ndarray:
    """Cell edges around row centres (midpoints; geometric for log rows)."""
    c = np.log(centres) if geometric else centres
    if len(c) == 1:
        e = np.array([c[0] - 0.5, c[0] + 0.5])
    else:
        mid = (c[1:] + c[:-1]) / 2
        e = np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
    return np.exp(e) if geometric else e


def _row_edges(y_axis: str | None, n_bins: int, rows: _RowSpec) -> tuple[np.ndarray, str]:
    """Row edges in display units and the y scale ("linear", "log", "symlog")."""
    sr = rows.sr
    if y_axis in ("linear", "hz", "fft", "log", "fft_note"):
        n_fft = rows.n_fft if rows.n_fft is not None else 2 * (n_bins - 1)
        centres = np.arange(n_bins) * (sr / max(n_fft, 1))
        e = _edges(centres, False)
        e[0] = max(e[0], 0.0)
        return e, "symlog" if y_axis in ("log", "fft_note") else "linear"
    if y_axis == "mel":
        from .core.convert import mel_frequencies

        fmin = 0.0 if rows.fmin is None else rows.fmin
        fmax = sr / 2 if rows.fmax is None else rows.fmax
        e = _edges(mel_frequencies(n_mels=n_bins, fmin=fmin, fmax=fmax, htk=rows.htk), False)
        e[0] = max(e[0], 0.0)
        return e, "symlog"
    if y_axis in ("cqt_hz", "cqt_note", "cwt"):
        freqs = rows.freqs
        if freqs is None:
            from .core.constantq import C1_HZ, cqt_frequencies

            fmin = C1_HZ if rows.fmin is None else rows.fmin
            fmin = fmin * 2.0 ** (rows.tuning / rows.bins_per_octave)
            freqs = cqt_frequencies(n_bins, fmin=fmin, bins_per_octave=rows.bins_per_octave)
        row_f = np.asarray(freqs, dtype=np.float64)
        if len(row_f) != n_bins or np.any(row_f <= 0):
            raise ParameterError(f"freqs must hold {n_bins} positive row frequencies")
        return _edges(row_f, True), "log"
    if y_axis in ("chroma", "mfcc", "frames", None):
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
            x_axis="time",
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
    plt = pyplot()
    fig, ax = plt.subplots(figsize=figsize)
    try:
        plot_feature(y, sr=sr, kind=kind, ax=ax, **kw)
        fig.tight_layout()
        fig.savefig(path, dpi=dpi)
    finally:
        plt.close(fig)
    return Path(path)
