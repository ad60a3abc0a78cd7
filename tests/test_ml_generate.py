"""Generation: Griffin-Lim against librosa, autoencoder/VAE shapes and training, audio out."""

from __future__ import annotations

import numpy as np
import pytest
from ferrosa import ParameterError
from ferrosa.ml.griffinlim import griffinlim

librosa = pytest.importorskip("librosa")
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

SR = 22050


def _signal(dtype: type) -> np.ndarray:
    t = np.arange(SR) / SR
    y = np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * (200 + 1500 * t) * t)
    return y.astype(dtype)


@pytest.mark.parametrize("init, random_state", [(None, None), ("random", 3)])
@pytest.mark.parametrize("kwargs", [{}, {"hop_length": 256, "n_iter": 8, "momentum": 0.0}])
def test_griffinlim_matches_librosa_float64(init, random_state, kwargs) -> None:
    S = np.abs(librosa.stft(_signal(np.float64)))
    ours = griffinlim(S, init=init, random_state=random_state, **kwargs)
    ref = librosa.griffinlim(S, init=init, random_state=random_state, **kwargs)
    assert ours.dtype == ref.dtype == np.float64 and ours.shape == ref.shape
    assert np.abs(ours - ref).max() <= 1e-8 * np.abs(ref).max()


def test_griffinlim_float32_converges_like_librosa() -> None:
    # 32 iterations amplify float32 rounding, so samples are not compared one to
    # one; the consistency reached (spectral convergence) must match librosa's.
    S = np.abs(librosa.stft(_signal(np.float32)))
    ours = griffinlim(S, random_state=0, length=SR)
    ref = librosa.griffinlim(S, random_state=0, length=SR)
    assert ours.dtype == np.float32

    def convergence(y: np.ndarray) -> float:
        return float(np.linalg.norm(np.abs(librosa.stft(y)) - S) / np.linalg.norm(S))

    assert convergence(ours) == pytest.approx(convergence(ref), rel=0.05, abs=1e-3)
    assert convergence(ours) < 0.2


def test_griffinlim_multichannel_and_length() -> None:
    S = np.abs(librosa.stft(np.stack([_signal(np.float64), _signal(np.float64)[::-1].copy()])))
    out = griffinlim(S, n_iter=4, init=None, length=SR - 10)
    ref = librosa.griffinlim(S, n_iter=4, init=None, length=SR - 10)
    assert out.shape == (2, SR - 10)
    assert np.abs(out - ref).max() <= 1e-8 * np.abs(ref).max()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"momentum": -0.5}, "momentum"),
        ({"init": "zeros"}, "init"),
        ({"random_state": "seed"}, "random_state"),
        ({"n_iter": 0}, "n_iter"),
    ],
)
def test_griffinlim_errors(kwargs, match: str) -> None:
    S = np.ones((1025, 4))
    with pytest.raises(ParameterError, match=match):
        griffinlim(S, **kwargs)
    with pytest.raises(librosa.ParameterError):
        if "n_iter" in kwargs:  # librosa silently returns for n_iter=0; only ours refuses
            raise librosa.ParameterError
        librosa.griffinlim(S, **kwargs)


def test_griffinlim_rejects_bad_spectrograms() -> None:
    with pytest.raises(ParameterError):
        griffinlim(np.ones(10))
    with pytest.raises(ParameterError):
        griffinlim(np.full((5, 4), np.nan))


g = pytest.importorskip("ferrosa.ml.generative")


def test_log_spectrogram_and_scaler() -> None:
    y = _signal(np.float32)
    spec = g.log_spectrogram(y, n_fft=512, hop_length=256, frames=64)
    mag = np.abs(librosa.stft(y, n_fft=512, hop_length=256))[:-1, :64]
    assert spec.shape == (256, 64) and spec.dtype == np.float32
    # Compared as amplitudes: dB magnifies float32 noise in near-silent bins.
    ref = librosa.db_to_amplitude(librosa.amplitude_to_db(mag))
    assert np.abs(librosa.db_to_amplitude(spec) - ref).max() <= 1e-5 * ref.max()
    scaler = g.SpectrogramScaler.fit(spec)
    z = scaler.transform(spec)
    assert z.min() == 0.0 and z.max() == 1.0
    np.testing.assert_allclose(scaler.inverse(z), spec, atol=1e-3)
    with pytest.raises(ParameterError):
        g.SpectrogramScaler.fit(np.zeros((4, 4)))


@pytest.mark.parametrize("builder", ["autoencoder", "vae"])
def test_generative_models_shapes_and_training(builder: str) -> None:
    rng = np.random.default_rng(0)
    base = rng.uniform(0.2, 0.8, (1, 64, 16, 1)).astype(np.float32)
    X = np.clip(base + 0.05 * rng.normal(size=(24, 64, 16, 1)), 0, 1).astype(np.float32)
    model, encoder, decoder = getattr(g, builder)((64, 16, 1), latent_dim=8, seed=1)
    assert model.output_shape == (None, 64, 16, 1)
    assert decoder.input_shape == (None, 8) and decoder.output_shape == (None, 64, 16, 1)
    history = model.fit(X, X, epochs=12, batch_size=8, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.6 * losses[0]
    codes = encoder(X[:3])
    if builder == "vae":
        mean, log_var = codes
        assert tuple(mean.shape) == (3, 8) and tuple(log_var.shape) == (3, 8)
        model(X[:3])
        assert len(model.losses) == 1  # the KL term
    else:
        assert tuple(codes.shape) == (3, 8)
    out = np.asarray(decoder(rng.normal(size=(2, 8)).astype(np.float32)))
    assert out.shape == (2, 64, 16, 1) and out.min() >= 0 and out.max() <= 1


def test_to_audio_via_griffinlim() -> None:
    y = _signal(np.float32)
    spec = g.log_spectrogram(y, frames=64)
    scaler = g.SpectrogramScaler.fit(spec)
    audio = g.to_audio(scaler.transform(spec), scaler, n_iter=16)
    assert audio.dtype == np.float32 and audio.shape == (256 * 63,)
    rebuilt = g.log_spectrogram(audio, frames=64)
    # Phase was estimated, so magnitudes (not samples) come back close.
    assert np.mean(np.abs(rebuilt[:, 4:-4] - spec[:, 4:-4])) < 6.0


@pytest.mark.parametrize(
    "call",
    [
        lambda: g.autoencoder((250, 64, 1)),
        lambda: g.vae((256, 64, 2)),
        lambda: g.vae((256, 64, 1), latent_dim=0),
        lambda: g.vae((256, 64, 1), kl_weight=-1.0),
        lambda: g.to_audio(np.zeros(5), g.SpectrogramScaler()),
    ],
)
def test_generative_errors(call) -> None:
    with pytest.raises(ParameterError):
        call()
