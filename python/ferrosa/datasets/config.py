"""FeatureConfig: every parameter needed to recompute the features of a recording.

A store keeps its config in ``meta.json`` and a trained model keeps it beside
its weights, so prediction on a new file recomputes exactly the training
features through :func:`ferrosa.datasets.featurize`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

from ..exceptions import ParameterError

__all__ = ["FEATURES", "FeatureConfig"]

#: Feature kinds a config may name (see ``ferrosa.datasets.features.REGISTRY``).
FEATURES = ("mfcc", "mel", "stft", "chroma", "stack", "cwt", "logspec")

# Keys of ``extra`` that are FeatureConfig fields (or the audio itself): set
# through the field, never through extra, where they would be overridden.
_RESERVED_EXTRA = {
    "feature": "feature",
    "sr": "sr",
    "mono": "mono (--stereo)",
    "n_fft": "n_fft (--n-fft)",
    "hop_length": "hop_length (--hop-length)",
    "n_mfcc": "n_mfcc (--n-mfcc)",
    "n_mels": "n_mels (--n-mels)",
    "fmin": "fmin (--fmin)",
    "fmax": "fmax (--fmax)",
    "deltas": "deltas (--deltas)",
    "channels": "channels",
    "denoise": "denoise (--denoise)",
    "y": "",
    "S": "",
}

_TAIL = ("drop", "pad")
_DENOISE = (None, "stationary", "nonstationary")
_SHORT = ("pad", "drop")


def _positive_real(name: str, value: Any, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ParameterError(f"{name}={value!r} must be a positive number")
    if value <= 0:
        raise ParameterError(f"{name}={value!r} must be a positive number")
    return float(value)


def _positive_int(name: str, value: Any, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral) or value <= 0:
        raise ParameterError(f"{name}={value!r} must be a positive integer")
    return int(value)


@dataclass
class FeatureConfig:
    """How recordings become feature tensors ``(n_segments, C, F, T)``.

    Parameters
    ----------
    feature : {"mfcc", "mel", "stft", "chroma", "stack", "cwt", "logspec"}
        Feature kind. ``mel`` is a mel power spectrogram in dB
        (``power_to_db(ref=1.0)``), ``stft`` the magnitude ``|STFT|``.
        ``logspec`` is the generation models' input: ``amplitude_to_db(|STFT|,
        ref=1.0)`` (top_db 80 per segment) without the Nyquist bin, so
        ``n_fft=512`` gives 256 bins (0.74 s at 22050 Hz, hop 256: 64 frames);
        ``prepare`` also stores the train split's min/max in ``meta["scaler"]``.
    sr : int > 0
        Sampling rate every recording is resampled to (as ``librosa.load``).
    mono : bool
        Mix down to mono on load. With ``mono=False`` channels become extra
        feature channels ``C``.
    segment_seconds : float > 0 or None
        Segment length. ``None`` with ``segments_per_file=None`` keeps whole
        recordings (one segment each; only usable for a store when all
        recordings have the same length).
    segments_per_file : int > 0 or None
        At most this many segments per recording, taken from the start (the
        tutorials' ``10 x 3 s`` of a 30 s clip). Without ``segment_seconds``
        the segment length is ``int(sr * track_seconds / segments_per_file)``
        samples, the tutorials' formula.
    segment_hop_seconds : float > 0 or None
        Distance between segment starts; ``None`` means no overlap (hop =
        segment length).
    tail : {"drop", "pad"}
        A partial segment at the end of a recording is dropped, or zero-padded
        to full length.
    short : {"pad", "drop"}
        A recording shorter than one segment is zero-padded to one segment,
        or dropped (and listed among the failures by ``prepare``).
    n_fft, hop_length : int > 0
        STFT geometry of every feature.
    n_mfcc : int > 0
        Coefficients for ``feature="mfcc"``.
    n_mels : int > 0
        Mel bands for ``mfcc`` and ``mel``.
    deltas : {0, 1, 2}
        Append first (and second) order deltas as extra channels.
    fmin : float >= 0
    fmax : float > fmin or None
        Frequency range of the mel filter bank (``None``: ``sr / 2``).
    track_seconds : float > 0
        Nominal recording length used only by ``segments_per_file`` without
        ``segment_seconds`` (30 s, GTZAN's clip length).
    channels : int > 0
        With ``mono=False``, the channel count of every segment (2 by
        default): a one-channel recording is duplicated into every channel,
        a recording with another count is listed among the failures. The
        store's shape never depends on which file is read first.
    denoise : {None, "stationary", "nonstationary"}
        Spectral-gating noise reduction (:func:`ferrosa.effects.reduce_noise`
        with noisereduce's defaults) applied to each whole recording after
        loading and resampling, before segmenting; recorded in the store's
        config.
    extra : dict
        Further keyword arguments of the feature function; JSON-serialisable.
        ``mfcc``: ``dct_type``, ``norm``, ``lifter`` go to the DCT, the rest
        (``htk``, ``window`` ...) to the mel spectrogram. ``mel``: ``ref``
        (a number, or ``"max"`` for ``np.max``), ``amin``, ``top_db`` go to
        ``power_to_db``. ``stft``: ``{"db": True}`` gives ``amplitude_to_db``
        with the same keys. ``chroma``: ``chroma_stft`` arguments. ``stack``:
        ``{"features": [...]}`` and descriptor arguments. ``cwt``:
        ``scalogram`` arguments (``n_bins``, ``wavelet``, ``db`` ...).
    """

    feature: str = "mfcc"
    sr: int = 22050
    mono: bool = True
    segment_seconds: float | None = 3.0
    segments_per_file: int | None = None
    segment_hop_seconds: float | None = None
    tail: str = "drop"
    short: str = "pad"
    n_fft: int = 2048
    hop_length: int = 512
    n_mfcc: int = 13
    n_mels: int = 128
    deltas: int = 0
    fmin: float = 0.0
    fmax: float | None = None
    track_seconds: float = 30.0
    extra: dict[str, Any] = field(default_factory=dict)
    channels: int = 2
    denoise: str | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ``ParameterError`` naming the first invalid field."""
        if self.feature not in FEATURES:
            raise ParameterError(f"feature={self.feature!r} must be one of {', '.join(FEATURES)}")
        self.sr = _positive_int("sr", self.sr)  # type: ignore[assignment]
        if not isinstance(self.mono, bool):
            raise ParameterError(f"mono={self.mono!r} must be a bool")
        self.segment_seconds = _positive_real(
            "segment_seconds", self.segment_seconds, allow_none=True
        )
        self.segments_per_file = _positive_int(
            "segments_per_file", self.segments_per_file, allow_none=True
        )
        self.segment_hop_seconds = _positive_real(
            "segment_hop_seconds", self.segment_hop_seconds, allow_none=True
        )
        if self.tail not in _TAIL:
            raise ParameterError(f"tail={self.tail!r} must be one of {', '.join(_TAIL)}")
        if self.short not in _SHORT:
            raise ParameterError(f"short={self.short!r} must be one of {', '.join(_SHORT)}")
        for name in ("n_fft", "hop_length", "n_mfcc", "n_mels"):
            setattr(self, name, _positive_int(name, getattr(self, name)))
        if isinstance(self.deltas, bool) or self.deltas not in (0, 1, 2):
            raise ParameterError(f"deltas={self.deltas!r} must be 0, 1 or 2")
        if isinstance(self.fmin, bool) or not isinstance(self.fmin, Real) or not self.fmin >= 0:
            raise ParameterError(f"fmin={self.fmin!r} must be a non-negative number")
        self.fmin = float(self.fmin)
        self.fmax = _positive_real("fmax", self.fmax, allow_none=True)
        if self.fmax is not None and self.fmax <= self.fmin:
            raise ParameterError(f"fmax={self.fmax!r} must exceed fmin={self.fmin!r}")
        self.track_seconds = _positive_real("track_seconds", self.track_seconds)  # type: ignore[assignment]
        if not isinstance(self.extra, dict):
            raise ParameterError(f"extra={self.extra!r} must be a dict")
        for key in self.extra:
            if not isinstance(key, str):
                raise ParameterError(f"extra key {key!r} must be a string")
            if key in _RESERVED_EXTRA:
                where = _RESERVED_EXTRA[key]
                hint = f"; set it as {where} instead" if where else ""
                raise ParameterError(f"extra key {key!r} is not a feature-function option{hint}")
        if self.denoise not in _DENOISE:
            raise ParameterError(
                f"denoise={self.denoise!r} must be None, 'stationary' or 'nonstationary'"
            )
        self.channels = _positive_int("channels", self.channels)  # type: ignore[assignment]
        if self.channels > 64:
            raise ParameterError(f"channels={self.channels} must be at most 64")
        if self.segment_samples is not None and self.segment_samples < 1:
            raise ParameterError(
                f"segment_seconds={self.segment_seconds!r} is under one sample at sr={self.sr}"
            )

    @property
    def segment_samples(self) -> int | None:
        """Segment length in samples at ``sr``, or None for whole recordings."""
        if self.segment_seconds is not None:
            return int(round(self.segment_seconds * self.sr))
        if self.segments_per_file is not None:
            return int(self.sr * self.track_seconds / self.segments_per_file)
        return None

    @property
    def hop_samples(self) -> int | None:
        """Distance between segment starts in samples (segment length if no overlap)."""
        if self.segment_hop_seconds is not None:
            return max(1, int(round(self.segment_hop_seconds * self.sr)))
        return self.segment_samples

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of every field."""
        d = dataclasses.asdict(self)
        d["extra"] = dict(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FeatureConfig:
        """Rebuild a config from :meth:`to_dict` output; unknown keys raise."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ParameterError(f"unknown FeatureConfig fields: {', '.join(unknown)}")
        return cls(**d)

    def replace(self, **changes: Any) -> FeatureConfig:
        """A copy with some fields changed (validated)."""
        return dataclasses.replace(self, **changes)
