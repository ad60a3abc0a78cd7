"""Training-time augmentation on feature batches (numpy, seeded).

Three families, applied in this order by :class:`ferrosa.ml.train.Batches`:

1. :func:`signal_augment` — what a different microphone, room or mixing desk
   does to a recording, simulated on dB spectrogram features (log-mel, STFT dB):
   random gain, smooth EQ (tilt plus one bell), additive coloured noise at 0-30
   dB SNR with frame-to-frame fluctuation, and an exponential reverberation
   tail. Works in the power domain, so noise fills quiet bands and leaves loud
   ones alone, as real noise does.
2. :func:`spec_augment` — SpecAugment frequency and time masks (Park et al.,
   2019) on normalised model input.
3. :func:`mixup` — convex combinations of example pairs and their labels
   (Zhang et al., 2018).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["mixup", "signal_augment", "spec_augment"]


def _db_to_power(x: np.ndarray) -> np.ndarray:
    return np.power(10.0, x / 10.0)


def signal_augment(
    X: np.ndarray,
    rng: np.random.Generator,
    *,
    frame_rate: float,
    p: float = 0.5,
    snr_db: tuple[float, float] = (0.0, 30.0),
) -> np.ndarray:
    """Randomly perturb a batch of dB spectrogram features like a new recording chain would.

    Parameters
    ----------
    X : np.ndarray, shape (B, C, F, T), dB (10·log10 power)
        Only channel 0 is perturbed (delta channels, if any, are left alone).
    rng : np.random.Generator
    frame_rate : float > 0
        Frames per second (``sr / hop_length``), to size reverberation tails.
    p : float in [0, 1]
        Probability of each perturbation, independently per example.
    snr_db : (low, high)
        Range of the added noise's signal-to-noise ratio.

    Returns
    -------
    np.ndarray, shape (B, C, F, T), float32
        A perturbed copy.
    """
    out = np.array(X, dtype=np.float32, copy=True)
    b, _, n_f, n_t = out.shape
    for i in range(b):
        x = out[i, 0].astype(np.float64)
        floor = float(x.min())
        if rng.random() < p:  # gain
            x = x + rng.uniform(-12.0, 12.0)
        if rng.random() < p:  # EQ: a tilt across bands and one bell
            pos = np.linspace(-0.5, 0.5, n_f)
            eq = rng.uniform(-8.0, 8.0) * pos
            centre, width = rng.uniform(-0.5, 0.5), rng.uniform(0.05, 0.2)
            eq += rng.uniform(-6.0, 6.0) * np.exp(-0.5 * ((pos - centre) / width) ** 2)
            x = x + eq[:, None]
        power = _db_to_power(x)
        if rng.random() < p:  # reverberation: power decays exponentially after each frame
            rt60 = rng.uniform(0.2, 1.2)
            decay = np.exp(-6.91 / (rt60 * frame_rate))
            wet = rng.uniform(0.05, 0.5)
            tail = np.zeros(n_f)
            rev = np.empty_like(power)
            for t in range(n_t):
                tail = decay * tail + power[:, t]
                rev[:, t] = tail
            power = power + wet * (1 - decay) * rev
        if rng.random() < p:  # additive noise with a random colour
            level = power.mean() / 10.0 ** (rng.uniform(*snr_db) / 10.0)
            # From brown (about -47 dB across the mel range) through pink to slightly blue.
            colour = np.power(10.0, rng.uniform(-5.0, 0.5) * np.linspace(0.0, 1.0, n_f))
            colour /= colour.mean()
            fluct = rng.gamma(4.0, 0.25, size=(n_f, n_t))
            power = power + level * colour[:, None] * fluct
        x = 10.0 * np.log10(np.maximum(power, 1e-10))
        out[i, 0] = np.maximum(x, floor - 12.0)
    return out


def spec_augment(
    X: np.ndarray, rng: np.random.Generator, params: Sequence[int], *, fill: float = 0.0
) -> np.ndarray:
    """SpecAugment masks on model-layout input.

    Parameters
    ----------
    X : np.ndarray, shape (B, T, F, C)
        Normalised input (``fill`` = 0 is then the training mean).
    rng : np.random.Generator
    params : (n_freq_masks, freq_div, n_time_masks, time_div)
        Each mask is up to ``F // freq_div`` bins (``T // time_div`` frames) wide.
    fill : float

    Returns
    -------
    np.ndarray, shape (B, T, F, C)
        A masked copy.
    """
    if not params:
        return X
    n_fm, f_div, n_tm, t_div = (int(v) for v in params)
    out = np.array(X, copy=True)
    b, n_t, n_f, _ = out.shape
    max_f, max_t = max(1, n_f // f_div), max(1, n_t // t_div)
    for i in range(b):
        for _ in range(n_fm):
            w = int(rng.integers(0, max_f + 1))
            f0 = int(rng.integers(0, n_f - w + 1))
            out[i, :, f0 : f0 + w, :] = fill
        for _ in range(n_tm):
            w = int(rng.integers(0, max_t + 1))
            t0 = int(rng.integers(0, n_t - w + 1))
            out[i, t0 : t0 + w, :, :] = fill
    return out


def mixup(
    X: np.ndarray, Y: np.ndarray, rng: np.random.Generator, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Mix each example with a random partner of the same batch.

    Parameters
    ----------
    X : np.ndarray, shape (B, ...)
    Y : np.ndarray, shape (B, K)
        One-hot (or soft) labels.
    rng : np.random.Generator
    alpha : float > 0
        Beta distribution parameter; weights are folded to >= 0.5 so each
        example stays the dominant part of its mixture.

    Returns
    -------
    (X_mixed, Y_mixed) with the input shapes, float32.
    """
    b = X.shape[0]
    lam = rng.beta(alpha, alpha, size=b)
    lam = np.maximum(lam, 1.0 - lam).astype(np.float32)
    partner = rng.permutation(b)
    lx = lam.reshape((b,) + (1,) * (X.ndim - 1))
    x = lx * X + (1.0 - lx) * X[partner]
    y = lam[:, None] * Y + (1.0 - lam[:, None]) * Y[partner]
    return x.astype(np.float32), y.astype(np.float32)
