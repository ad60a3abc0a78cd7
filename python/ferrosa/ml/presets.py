"""Training recipes: the tutorial's ``seed`` and ferrosa's ``default``.

A :class:`Preset` says how to turn stored features into model input and how
to train: normalisation, augmentation, loss, optimiser and stopping. The
architecture itself lives in :mod:`ferrosa.ml.models` (one builder per model
kind, each with the same two preset names).

``seed`` reproduces the tutorials (raw MFCC input, no augmentation, Adam 1e-4,
sparse categorical cross-entropy). ``default`` is the recipe meant to
generalise from small data to recordings never heard: log-mel input scaled to
its own peak (gain invariance), per-band standardisation fitted on the training
split, feature-domain noise/gain/EQ/reverb augmentation, SpecAugment masks,
mixup, early stopping and clip-level voting.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..datasets.recipes import RECOMMENDED
from ..exceptions import ParameterError

__all__ = ["MODELS", "PRESETS", "Preset", "get_preset", "recommended_features"]

MODELS = ("mlp", "cnn", "lstm")
PRESETS = ("default", "seed")


@dataclass(frozen=True)
class Preset:
    """How a model is fed and trained.

    Attributes
    ----------
    name : str
        ``"seed"`` or ``"default"``.
    learning_rate : float
        Adam's learning rate.
    batch_size : int
    epochs : int
        Upper bound; early stopping usually ends training sooner.
    patience : int
        Epochs without improvement of the validation loss before stopping
        (the best weights are restored).
    peak_normalize : bool
        Subtract each segment's maximum from dB features (log-mel, STFT dB)
        and floor at ``-top_db``: a recording's gain no longer matters.
    top_db : float
        Floor below the peak, in dB, used with ``peak_normalize``.
    band_normalize : bool
        Standardise every (channel, band) with mean/std fitted on training data.
    signal_augment : bool
        Random gain, spectral tilt (EQ), additive coloured noise at 0-30 dB
        SNR and short reverberation tails, applied to dB features.
    spec_augment : tuple of 4 int
        (frequency masks, max frequency width as 1/x of bands,
        time masks, max time width as 1/x of frames); ``()`` disables.
    mixup_alpha : float
        Beta(alpha, alpha) mixing of pairs of examples and their labels; 0 disables.
    label_smoothing : float
    lr_schedule : {"constant", "cosine"}
        ``cosine``: the learning rate decays along a cosine to 5% of its start
        over the planned epochs, so a run cut short (``epochs=20``) still
        anneals and converges instead of stopping at full step size.
    """

    name: str
    learning_rate: float
    batch_size: int
    epochs: int
    patience: int
    peak_normalize: bool = False
    top_db: float = 80.0
    band_normalize: bool = False
    signal_augment: bool = False
    spec_augment: tuple[int, ...] = field(default_factory=tuple)
    mixup_alpha: float = 0.0
    label_smoothing: float = 0.0
    lr_schedule: str = "constant"

    @property
    def soft_labels(self) -> bool:
        """Whether labels are one-hot (mixup and smoothing need them)."""
        return self.mixup_alpha > 0 or self.label_smoothing > 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored with a saved model."""
        d = asdict(self)
        d["spec_augment"] = list(self.spec_augment)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Preset:
        """Inverse of :meth:`to_dict`."""
        d = dict(d)
        d["spec_augment"] = tuple(d.get("spec_augment", ()))
        return cls(**d)


_SEED = Preset(name="seed", learning_rate=1e-4, batch_size=32, epochs=60, patience=15)

_DEFAULT = Preset(
    name="default",
    learning_rate=1e-3,
    batch_size=32,
    epochs=60,
    patience=10,
    peak_normalize=True,
    band_normalize=True,
    signal_augment=True,
    spec_augment=(2, 8, 2, 8),
    mixup_alpha=0.2,
    label_smoothing=0.05,
    lr_schedule="cosine",
)


def get_preset(name: str) -> Preset:
    """The preset called ``name`` (``"default"`` or ``"seed"``)."""
    if name == "seed":
        return _SEED
    if name == "default":
        return _DEFAULT
    raise ParameterError(f"preset={name!r} must be one of {', '.join(PRESETS)}")


def recommended_features(preset: str) -> dict[str, Any]:
    """Feature-store parameters each preset was designed for.

    ``seed``: 13 MFCC over 3 s segments, as in the tutorials. ``default``:
    64-band log-mel over 1 s segments overlapping by half (short clips and
    the last partial segment are padded), which suits short instrument notes
    and gives several votes per clip.

    Returns
    -------
    dict
        Keyword overrides for :class:`ferrosa.datasets.FeatureConfig`.
    """
    get_preset(preset)
    return dict(RECOMMENDED[preset])
