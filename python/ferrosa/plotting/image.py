"""Feature matrices as fixed-size grayscale images, and a tiny PNG writer."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import ParameterError

__all__ = ["feature_to_image", "resize_area", "save_feature_image", "write_png"]


def _area_axis(x: np.ndarray, size: int, axis: int) -> np.ndarray:
    """Resample ``x`` along ``axis`` to ``size`` cells by exact area averaging:
    output cell i is the mean of the input (piecewise constant) over
    ``[i * n / size, (i + 1) * n / size)``."""
    n = x.shape[axis]
    if n == size:
        return x
    xm = np.moveaxis(x, axis, -1).astype(np.float64)
    cum = np.concatenate([np.zeros(xm.shape[:-1] + (1,)), np.cumsum(xm, axis=-1)], axis=-1)
    edges = np.linspace(0.0, n, size + 1)
    grid = np.arange(n + 1, dtype=np.float64)
    flat = cum.reshape(-1, n + 1)
    integral = np.stack([np.interp(edges, grid, row) for row in flat]).reshape(
        xm.shape[:-1] + (size + 1,)
    )
    out = np.diff(integral, axis=-1) / (n / size)
    return np.moveaxis(out, -1, axis)


def resize_area(x: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize a 2-D array to ``shape`` (rows, cols) by area averaging.

    Shrinking averages the covered cells (no aliasing); enlarging repeats
    them (blocky, no invented detail).

    Returns
    -------
    np.ndarray, shape ``shape``, float64
    """
    x = np.asarray(x)
    if x.ndim != 2:
        raise ParameterError(f"resize_area expects a 2-D array, got shape {x.shape}")
    rows, cols = (int(shape[0]), int(shape[1]))
    if rows <= 0 or cols <= 0:
        raise ParameterError(f"image size {shape} must be positive")
    return _area_axis(_area_axis(x, rows, 0), cols, 1)


def feature_to_image(
    S: Any,
    *,
    size: tuple[int, int] | None = (100, 100),
    to_db: bool = False,
    top_db: float | None = 80.0,
    vmin: float | None = None,
    vmax: float | None = None,
    flip: bool = True,
) -> np.ndarray:
    """A feature matrix as an 8-bit grayscale image without axes.

    Parameters
    ----------
    S : np.ndarray, shape (n_bins, n_frames)
        Frequency-major feature (spectrogram, mel, MFCC, chroma, scalogram).
    size : (height, width) or None
        Output size in pixels (area-resampled); None keeps ``S``'s shape.
    to_db : bool
        Treat ``S`` as amplitude and convert to dB below its peak first.
    top_db : float or None
        With ``to_db``, floor this many dB below the peak.
    vmin, vmax : float, optional
        Values mapped to black and white (default: the data's min and max).
    flip : bool
        Put row 0 (lowest frequency) at the bottom, as plots show it.

    Returns
    -------
    np.ndarray, shape (height, width), uint8
    """
    S = np.asarray(S)
    if S.ndim != 2:
        raise ParameterError(f"feature_to_image expects (n_bins, n_frames), got shape {S.shape}")
    if S.size == 0 or not np.all(np.isfinite(S)):
        raise ParameterError("feature_to_image needs a non-empty, finite feature")
    X = np.abs(S).astype(np.float64) if np.iscomplexobj(S) else S.astype(np.float64)
    if to_db:
        from ..core.spectrum import amplitude_to_db

        X = amplitude_to_db(X, ref=np.max, top_db=top_db)
    if size is not None:
        X = resize_area(X, size)
    lo = float(X.min()) if vmin is None else float(vmin)
    hi = float(X.max()) if vmax is None else float(vmax)
    # a flat feature (up to resampling round-off) is black, not stretched noise
    flat = hi - lo <= 1e-9 * max(abs(hi), abs(lo), np.finfo(np.float64).tiny)
    scaled = np.zeros_like(X) if flat else np.clip((X - lo) / (hi - lo), 0.0, 1.0)
    if flip:
        scaled = scaled[::-1]
    return np.round(scaled * 255.0).astype(np.uint8)


def write_png(path: str | Path, image: np.ndarray) -> Path:
    """Write an 8-bit grayscale (H, W) or RGB (H, W, 3) array as a PNG.

    Returns
    -------
    Path
        The written file.
    """
    img = np.asarray(image)
    if img.dtype != np.uint8:
        raise ParameterError(f"write_png expects uint8 pixels, got dtype={img.dtype}")
    if img.ndim == 2:
        color_type = 0
    elif img.ndim == 3 and img.shape[2] == 3:
        color_type = 2
    else:
        raise ParameterError(f"write_png expects (H, W) or (H, W, 3), got shape {img.shape}")
    h, w = img.shape[:2]
    if h == 0 or w == 0:
        raise ParameterError(f"write_png needs a non-empty image, got shape {img.shape}")

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = np.ascontiguousarray(img).reshape(h, -1)
    raw = b"".join(b"\x00" + rows[i].tobytes() for i in range(h))  # filter type 0
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )
    out = Path(path)
    out.write_bytes(png)
    return out


def save_feature_image(path: str | Path, S: Any, **kwargs: Any) -> Path:
    """:func:`feature_to_image` then :func:`write_png`."""
    return write_png(path, feature_to_image(S, **kwargs))
