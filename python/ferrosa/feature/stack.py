"""Several features of one signal from a single STFT (``ferrosa.feature.stack``).

Dataset preparation usually wants MFCC, chroma and a few spectral
descriptors of every clip. Computed one by one, each call repeats the STFT;
:func:`stack` computes every frame's spectrum once and feeds all requested
STFT-based features in one Rust pass (time-domain features read the audio
directly, in O(n)). Each array equals what the corresponding single-feature
function returns with the same STFT parameters and options.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from ..core.spectrum import stft_input
from ..exceptions import ParameterError
from ..filters import resolve_mel
from . import descriptors as desc
from .chroma import chroma_from_power_frames
from .spectral import _dct_matrix, _resolve_dct

__all__ = ["FEATURES", "stack"]

# Canonical names (librosa's function names) and their short aliases.
FEATURES = (
    "mfcc",
    "melspectrogram",
    "chroma_stft",
    "spectral_centroid",
    "spectral_bandwidth",
    "spectral_rolloff",
    "spectral_flatness",
    "spectral_contrast",
    "rms",
    "zero_crossing_rate",
    "amplitude_envelope",
)
_ALIASES = {
    "mel": "melspectrogram",
    "chroma": "chroma_stft",
    "centroid": "spectral_centroid",
    "bandwidth": "spectral_bandwidth",
    "rolloff": "spectral_rolloff",
    "flatness": "spectral_flatness",
    "contrast": "spectral_contrast",
    "zcr": "zero_crossing_rate",
    "envelope": "amplitude_envelope",
}
# Options each feature accepts (beyond the shared STFT parameters).
_OPTIONS = {
    "mfcc": {
        "n_mfcc",
        "dct_type",
        "norm",
        "lifter",
        "mel_norm",
        "power",
        "n_mels",
        "fmin",
        "fmax",
        "htk",
        "dtype",
    },
    "melspectrogram": {"power", "n_mels", "fmin", "fmax", "htk", "norm", "dtype"},
    "chroma_stft": {"norm", "tuning", "n_chroma", "ctroct", "octwidth", "base_c", "dtype"},
    "spectral_centroid": set(),
    "spectral_bandwidth": {"norm", "p"},
    "spectral_rolloff": {"roll_percent"},
    "spectral_flatness": {"amin", "power"},
    "spectral_contrast": {"fmin", "n_bands", "quantile", "linear"},
    "rms": {"dtype"},
    "zero_crossing_rate": {"threshold", "ref_magnitude", "pad", "zero_pos"},
    "amplitude_envelope": set(),
}
_DEFAULT = (
    "mfcc",
    "chroma_stft",
    "spectral_centroid",
    "spectral_bandwidth",
    "spectral_rolloff",
    "zero_crossing_rate",
    "rms",
)


def _canonical(name: str) -> str:
    canon = _ALIASES.get(name, name)
    if canon not in FEATURES:
        raise ParameterError(
            f"Unknown feature {name!r}; choose from {', '.join(FEATURES)} "
            f"(or aliases {', '.join(_ALIASES)})"
        )
    return canon


def stack(
    y: np.ndarray,
    *,
    sr: float = 22050,
    features: Any = _DEFAULT,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    **params: Any,
) -> dict[str, np.ndarray]:
    """Compute several features of ``y`` with one STFT.

    Parameters
    ----------
    y : np.ndarray, shape (..., n), float32 or float64
        Finite audio; multichannel allowed.
    sr : number > 0
    features : sequence of str
        Feature names: librosa's (``"mfcc"``, ``"melspectrogram"``,
        ``"chroma_stft"``, ``"spectral_centroid"``, ``"spectral_bandwidth"``,
        ``"spectral_rolloff"``, ``"spectral_flatness"``,
        ``"spectral_contrast"``, ``"rms"``, ``"zero_crossing_rate"``) plus
        ``"amplitude_envelope"``, or the aliases ``mel``, ``chroma``,
        ``centroid``, ``bandwidth``, ``rolloff``, ``flatness``, ``contrast``,
        ``zcr``, ``envelope``. Default: MFCC, chroma, centroid, bandwidth,
        rolloff, ZCR and RMS.
    n_fft, hop_length, win_length, window, center, pad_mode
        Shared STFT parameters. Time-domain features use
        ``frame_length=n_fft`` and the same hop and centring (ZCR pads with
        edge copies, as librosa does).
    **params
        Per-feature options as dicts keyed by feature name (or alias), e.g.
        ``mfcc={"n_mfcc": 13}``, ``spectral_rolloff={"roll_percent": 0.9}``,
        ``chroma_stft={"n_chroma": 24}``.

    Returns
    -------
    dict of str → np.ndarray
        One array per requested name (keys as given), each shaped and typed
        as the single-feature function returns it.

    Examples
    --------
    >>> feats = ferrosa.feature.stack(y, sr=sr, features=["mfcc", "chroma", "centroid"])
    >>> feats["mfcc"].shape  # (20, t)
    """
    if isinstance(features, str):
        features = [features]
    names = list(features)
    if not names:
        raise ParameterError("features must name at least one feature")
    canon = {name: _canonical(name) for name in names}
    if len(set(canon.values())) != len(names):
        raise ParameterError(f"features={names!r} names a feature twice")
    opts: dict[str, dict[str, Any]] = {}
    for key, value in params.items():
        target = _canonical(key)
        if target not in canon.values():
            raise ParameterError(f"options given for {key!r}, which is not in features")
        if not isinstance(value, dict):
            raise ParameterError(f"{key}= must be a dict of options, got {type(value).__name__}")
        unknown = set(value) - _OPTIONS[target]
        if unknown:
            raise TypeError(f"{key} got unexpected option(s) {sorted(unknown)}")
        opts[target] = dict(value)
    sr = desc._check_sr(sr)
    req = stft_input(y, n_fft, hop_length, win_length, window, center, pad_mode)
    n_fft, hop_length, center = req.n_fft, req.hop_length, req.center
    fft_window = req.fft_window()
    y2, lead = req.channels()

    def o(name: str) -> dict[str, Any]:
        return opts.get(name, {})

    # Spectral descriptors: one kernel spec each, rows stacked in order.
    specs: list[tuple[Any, ...]] = []
    slots: dict[str, tuple[int, int]] = {}
    freq = desc.fft_frequencies(sr=sr, n_fft=n_fft)
    row = 0

    def add(name: str, spec: tuple[Any, ...], rows: int) -> None:
        nonlocal row
        specs.append(spec)
        slots[name] = (row, row + rows)
        row += rows

    wanted = set(canon.values())
    if "spectral_centroid" in wanted:
        add("spectral_centroid", ("centroid",), 1)
    if "spectral_bandwidth" in wanted:
        b = o("spectral_bandwidth")
        add("spectral_bandwidth", desc.bandwidth_spec(b.get("p", 2), b.get("norm", True)), 1)
    if "spectral_rolloff" in wanted:
        add(
            "spectral_rolloff",
            desc.rolloff_spec(o("spectral_rolloff").get("roll_percent", 0.85), y2.dtype),
            1,
        )
    if "spectral_flatness" in wanted:
        f = o("spectral_flatness")
        spec = desc.flatness_spec(f.get("amin", 1e-10), f.get("power", 2.0), len(lead) == 0)
        add("spectral_flatness", spec, 1)
    n_bands = 6
    if "spectral_contrast" in wanted:
        c = o("spectral_contrast")
        n_bands = c.get("n_bands", 6)
        cspec, _ = desc.contrast_spec(
            None, sr, n_fft, n_fft // 2 + 1, c.get("fmin", 200.0), n_bands, c.get("quantile", 0.02)
        )
        add("spectral_contrast", cspec, 2 * (int(n_bands) + 1))

    # Mel jobs share the spectrum; MFCC's top_db clamp runs in the kernel.
    jobs: list[tuple[Any, ...]] = []
    job_names: list[str] = []
    mel_dtypes: list[np.dtype] = []
    if "melspectrogram" in wanted:
        m = dict(o("melspectrogram"))
        power = desc_power(m.pop("power", 2.0))
        mel_dtypes.append(np.dtype(m.get("dtype", np.float32)))
        jobs.append(("mel", resolve_mel(sr, n_fft, **m), power))
        job_names.append("melspectrogram")
    if "mfcc" in wanted:
        m = dict(o("mfcc"))
        dct_type, ortho, lifter, n_mfcc = _resolve_dct(
            m.pop("dct_type", 2), m.pop("norm", "ortho"), m.pop("lifter", 0), m.pop("n_mfcc", 20)
        )
        power = desc_power(m.pop("power", 2.0))
        bank = resolve_mel(sr, n_fft, norm=m.pop("mel_norm", "slaney"), **m)
        if n_mfcc > bank.n_mels:
            raise ParameterError(f"n_mfcc={n_mfcc} must not exceed n_mels={bank.n_mels}")
        dct = _dct_matrix(dct_type, bank.n_mels, n_mfcc, ortho, lifter)
        mel_dtypes.append(np.dtype(m.get("dtype", np.float32)))
        jobs.append(("mfcc", bank, dct, power, 1e-10, 80.0))
        job_names.append("mfcc")

    want_chroma = "chroma_stft" in wanted
    results: dict[str, np.ndarray] = {}
    if specs or jobs or want_chroma:
        raw = _core.feature_stack(
            y2,
            fft_window,
            n_fft,
            hop_length,
            bool(center),
            pad_mode,
            freq,
            specs,
            jobs,
            want_chroma,
        )
        if specs:
            d = raw["descriptors"]
            for name, (lo, hi) in slots.items():
                block = d[:, lo:hi, :].reshape(lead + (hi - lo, d.shape[-1]))
                if name == "spectral_contrast":
                    block = desc.contrast_finish(
                        block, n_bands, bool(o("spectral_contrast").get("linear", False))
                    )
                elif name == "spectral_flatness":
                    block = block.astype(y2.dtype)
                results[name] = block
        for name, arr, mdt in zip(job_names, raw["mel"], mel_dtypes, strict=True):
            # As the single-feature kernels: input precision, then librosa's promotion.
            arr = arr.astype(y2.dtype).reshape(lead + arr.shape[1:])
            results[name] = arr.astype(np.result_type(y2.dtype, mdt), copy=False)
        if want_chroma:
            c = dict(o("chroma_stft"))
            n_chroma = c.pop("n_chroma", 12)
            if (
                isinstance(n_chroma, bool)
                or not isinstance(n_chroma, (int, np.integer))
                or n_chroma < 1
            ):
                raise ParameterError(f"n_chroma={n_chroma!r} must be a positive integer")
            out = chroma_from_power_frames(
                raw["power_frames"],
                sr=sr,
                n_fft=n_fft,
                norm=c.pop("norm", np.inf),
                tuning=c.pop("tuning", None),
                n_chroma=int(n_chroma),
                **c,
            )
            results["chroma_stft"] = out.reshape(lead + out.shape[1:])
    frame_kw: dict[str, Any] = {"frame_length": n_fft, "hop_length": hop_length, "center": center}
    if "rms" in wanted:
        results["rms"] = desc.rms(y=y, pad_mode=pad_mode, **frame_kw, **o("rms"))
    if "zero_crossing_rate" in wanted:
        results["zero_crossing_rate"] = desc.zero_crossing_rate(
            y, **frame_kw, **o("zero_crossing_rate")
        )
    if "amplitude_envelope" in wanted:
        results["amplitude_envelope"] = desc.amplitude_envelope(y, pad_mode=pad_mode, **frame_kw)
    return {name: results[canon[name]] for name in names}


def desc_power(power: Any) -> float:
    """The spectrogram exponent of a mel job, checked (> 0, finite)."""
    if isinstance(power, bool) or not isinstance(power, (int, float, np.number)):
        raise ParameterError(f"power={power!r} must be a positive number")
    if not (np.isfinite(power) and power > 0):
        raise ParameterError(f"power={power!r} must be a positive number")
    return float(power)
