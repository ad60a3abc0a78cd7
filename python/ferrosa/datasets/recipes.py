"""Which features each training preset was designed for, and whether a store holds them.

A store records in ``meta.json`` (``designed_for``) the presets whose
recommended features it holds; ``ferrosa train`` compares a store's config
with the preset it is asked to train and adapts (same kind of features,
other sizes), or refuses in one line that says what to run.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "GENERATE_COMMAND",
    "RECOMMENDED",
    "describe_features",
    "feature_is_db",
    "presets_for",
    "suitability",
]

#: Feature-store parameters each preset was designed for (FeatureConfig overrides).
RECOMMENDED: dict[str, dict[str, Any]] = {
    # 64-band log-mel over 1 s segments overlapping by half: suits short notes
    # and gives several votes per clip.
    "default": {
        "feature": "mel",
        "n_mels": 64,
        "segment_seconds": 1.0,
        "segment_hop_seconds": 0.5,
        "tail": "pad",
    },
    # The tutorials' 13 MFCC over 3 s segments.
    "seed": {"feature": "mfcc", "n_mfcc": 13, "segment_seconds": 3.0},
    # The sound generators' input (``ferrosa train-generator``): 256 x 64 dB
    # magnitude spectrograms of 0.74 s at 22050 Hz, consecutive segments.
    "generate": {
        "feature": "logspec",
        "n_fft": 512,
        "hop_length": 256,
        "segment_seconds": 0.74,
        "tail": "drop",
    },
}

#: The prepare preset that makes the generators' stores, as a command line.
GENERATE_COMMAND = "ferrosa prepare DATA STORE --preset generate"


def feature_is_db(config: dict[str, Any]) -> bool:
    """Whether channel 0 of features made with ``config`` is a dB spectrogram.

    Those (``mel``, and ``stft`` with ``extra={"db": True}``) are peak-normalised
    and augmented in the power domain by the default recipe; MFCC, chroma, CWT
    and linear magnitudes are not.
    """
    feature = str(config.get("feature"))
    extra = config.get("extra") or {}
    return feature == "mel" or (feature == "stft" and bool(extra.get("db")))


def describe_features(config: dict[str, Any]) -> str:
    """A short phrase, e.g. ``"mel (64 bands), 1.0 s segments, hop 0.5 s"``."""
    feature = str(config.get("feature", "mfcc"))
    size = {"mel": ("n_mels", "bands"), "mfcc": ("n_mfcc", "coefficients")}.get(feature)
    text = feature if size is None else f"{feature} ({config.get(size[0], '?')} {size[1]})"
    seg = config.get("segment_seconds")
    if seg is not None:
        text += f", {float(seg):g} s segments"
    hop = config.get("segment_hop_seconds")
    if hop is not None:
        text += f", hop {float(hop):g} s"
    return text


def _matches(config: dict[str, Any], wanted: dict[str, Any]) -> bool:
    for key, value in wanted.items():
        got = config.get(key)
        if isinstance(value, float) or isinstance(got, float):
            if got is None or value is None or abs(float(got) - float(value)) > 1e-9:
                return False
        elif got != value:
            return False
    return True


def presets_for(config: dict[str, Any]) -> list[str]:
    """Presets whose recommended features ``config`` holds exactly."""
    return [name for name, wanted in RECOMMENDED.items() if _matches(config, wanted)]


def suitability(preset: str, config: dict[str, Any]) -> str:
    """How ``preset`` fits features made with ``config``.

    Returns
    -------
    {"match", "adapt", "mismatch"}
        ``match``: the recommended features. ``adapt``: the same kind of
        features with other sizes (the model adapts to the input shape).
        ``mismatch``: another kind (MFCC for the log-mel recipe, or the reverse).
    """
    wanted = RECOMMENDED.get(preset)
    if wanted is None:
        return "mismatch"
    if _matches(config, wanted):
        return "match"
    if preset == "default":
        return "adapt" if feature_is_db(config) else "mismatch"
    return "adapt" if config.get("feature") == wanted["feature"] else "mismatch"
