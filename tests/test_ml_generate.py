"""Generation: spectrogram helpers, autoencoder/VAE quality in inference mode,
save -> load in a fresh process, the VAE's KL share, seeded generation, and
the CLI round trip (train-generator -> reconstruct -> generate -> plot-latent).

Models are tiny (64 x 16 spectrograms, n_fft 128) so the module runs in well
under a minute besides TensorFlow's import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ferrosa import ParameterError

librosa = pytest.importorskip("librosa")
pytest.importorskip("keras")
g = pytest.importorskip("ferrosa.ml.generative")
from ferrosa import datasets  # noqa: E402
from ferrosa.cli import main  # noqa: E402
from ferrosa.datasets import synth  # noqa: E402
from ferrosa.ml import generator as gen_mod  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

SR = 22050
# n_fft 128 -> 64 bins; 981 samples at hop 64 -> 16 frames.
STORE_KW = dict(feature="logspec", n_fft=128, hop_length=64, segment_seconds=981 / SR)


def _signal(dtype: type) -> np.ndarray:
    t = np.arange(SR) / SR
    y = np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * (200 + 1500 * t) * t)
    return y.astype(dtype)


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


def test_to_audio_returns_the_input_length() -> None:
    y = _signal(np.float32)[:16384]
    spec = g.log_spectrogram(y, frames=65)
    scaler = g.SpectrogramScaler.fit(spec)
    audio = g.to_audio(scaler.transform(spec), scaler, n_iter=16, length=y.size)
    assert audio.dtype == np.float32 and audio.shape == (16384,)
    rebuilt = g.log_spectrogram(audio, frames=65)
    # Phase was estimated, so magnitudes (not samples) come back close.
    assert np.mean(np.abs(rebuilt[:, 4:-4] - spec[:, 4:-4])) < 6.0


def _toy_set(n: int = 48, seed: int = 0) -> np.ndarray:
    """Scaled spectrogram-like images: a few harmonic stripes with varying pitch."""
    rng = np.random.default_rng(seed)
    X = np.full((n, 64, 16, 1), 0.1, np.float32)
    for i in range(n):
        f0 = rng.integers(3, 9)
        for h in range(1, 6):
            if f0 * h < 64:
                X[i, f0 * h, :, 0] = 0.9 - 0.1 * h
    return np.clip(X + 0.02 * rng.normal(size=X.shape), 0, 1).astype(np.float32)


@pytest.mark.parametrize("builder", ["autoencoder", "vae"])
def test_models_shapes_and_inference_quality(builder: str) -> None:
    X = _toy_set()
    model, encoder, decoder = getattr(g, builder)((64, 16, 1), latent=4, seed=1, learning_rate=3e-3)
    assert model.output_shape == (None, 64, 16, 1)
    latent = (16 // 2 * 4, 16 // 4, 4)  # default down (2, 4): bins / 2, frames / 4, channels
    assert decoder.input_shape == (None, *latent)
    model.fit(X, X, epochs=14, batch_size=8, verbose=0)  # 84 steps
    rebuilt = model.predict(X, verbose=0)  # inference mode
    err_model = float(np.mean((rebuilt - X) ** 2))
    err_mean = float(np.mean((X.mean(axis=0, keepdims=True) - X) ** 2))
    assert err_model < 0.5 * err_mean
    codes = encoder(X[:3])
    if builder == "vae":
        mean, log_var = codes
        assert tuple(mean.shape) == (3, *latent) and tuple(log_var.shape) == (3, *latent)
    else:
        assert tuple(codes.shape) == (3, *latent)
    out = np.asarray(decoder(np.random.default_rng(0).normal(size=(2, *latent)).astype("f4")))
    assert out.shape == (2, 64, 16, 1) and out.min() >= 0 and out.max() <= 1


def test_seed_preset_batchnorm_recalibrated() -> None:
    X = _toy_set()
    model, _, _ = g.autoencoder((64, 16, 1), preset="seed", latent=16, seed=0)
    model.fit(X, X, epochs=3, batch_size=8, verbose=0)
    assert g.recalibrate_batchnorm(model, X) == 7  # 4 in the encoder, 3 in the decoder
    infer = float(np.mean((model.predict(X, verbose=0) - X) ** 2))
    train = float(np.mean((np.asarray(model(X, training=True)) - X) ** 2))
    assert infer < 1.5 * train  # no BatchNorm lag after re-estimation


def test_vae_kl_share_of_the_loss() -> None:
    # The KL term (beta = 0.01 per input value) must shape the latent
    # space without drowning the reconstruction: between 0.1% and 60% of
    # the total loss after training.
    X = _toy_set()
    model, encoder, _ = g.vae((64, 16, 1), latent=4, seed=2, learning_rate=3e-3)
    model.fit(X, X, epochs=8, batch_size=8, verbose=0)
    mean, log_var = encoder(X)
    sampling = model.get_layer("sampling")
    kl = sampling.beta * float(sampling.kl(mean, log_var))
    total = float(model.evaluate(X, X, verbose=0))
    assert 0.001 < kl / total < 0.6, (kl, total)


@pytest.mark.parametrize(
    "call",
    [
        lambda: g.autoencoder((251, 64, 1)),  # bins not a multiple of 2
        lambda: g.autoencoder((256, 62, 1)),
        lambda: g.autoencoder((256, 64, 1), down=(3, 4)),
        lambda: g.autoencoder((256, 64, 1), down=4),
        lambda: g.autoencoder((256, 72, 1), preset="seed"),
        lambda: g.vae((256, 64, 2)),
        lambda: g.vae((256, 64, 1), latent=0),
        lambda: g.vae((256, 64, 1), beta=-1.0),
        lambda: g.vae((256, 64, 1), preset="big"),
        lambda: g.to_audio(np.zeros(5), g.SpectrogramScaler()),
    ],
)
def test_generative_errors(call) -> None:
    with pytest.raises(ParameterError):
        call()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("gen")
    data = synth.render_dataset(
        root / "data",
        n_per_class=5,
        classes=["flute", "kick", "clarinet"],
        seed=3,
        max_duration=0.6,
    )
    store = root / "store"
    datasets.prepare(data, store, seed=0, progress=False, workers=1, **STORE_KW)
    paths = {"root": root, "data": data, "store": store}
    for kind in ("ae", "vae"):
        model = root / kind
        argv = ["train-generator", str(store), str(model), "--model", kind, "--epochs", "6"]
        assert main(argv + ["--latent", "4", "--batch-size", "8", "-q"]) == 0
        paths[kind] = model
    return paths


def test_store_scaler_fitted_on_train(trained) -> None:
    store = datasets.open_store(trained["store"])
    X, _, _ = store.subset("train")
    assert store.meta["scaler"]["low"] == pytest.approx(float(X.min()))
    assert store.meta["scaler"]["high"] == pytest.approx(float(X.max()))
    assert store.X.shape[1:] == (1, 64, 16)


def test_train_generator_writes_directory(trained) -> None:
    for kind in ("ae", "vae"):
        d = trained[kind]
        for name in ("model.keras", "ferrosa-generator.json", "history.csv", "history.png"):
            assert (d / name).is_file(), name
        meta = json.loads((d / "ferrosa-generator.json").read_text())
        assert meta["kind"] == kind and meta["n_fft"] == 128 and meta["hop_length"] == 64
        assert meta["sr"] == SR and meta["segment_samples"] == 981 and meta["frames"] == 16
        assert set(meta["scaler"]) >= {"low", "high"}
    assert (trained["ae"] / "latent-prior.npz").is_file()


def test_reload_in_fresh_process_with_plain_keras(trained, tmp_path: Path) -> None:
    gen = gen_mod.load_generator(trained["vae"])
    X = np.random.default_rng(0).uniform(0, 1, (3, 64, 16, 1)).astype(np.float32)
    np.save(tmp_path / "x.npy", X)
    here = gen.model.predict(X, verbose=0)
    code = (
        "import sys, numpy as np, keras\n"
        f"m = keras.saving.load_model({str(trained['vae'] / 'model.keras')!r})\n"
        f"np.save({str(tmp_path / 'y.npy')!r}, m.predict(np.load({str(tmp_path / 'x.npy')!r}),"
        " verbose=0))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    np.testing.assert_array_equal(np.load(tmp_path / "y.npy"), here)


def test_fixed_seed_same_audio(trained) -> None:
    for kind in ("ae", "vae"):
        gen = gen_mod.load_generator(trained[kind])
        a, b = gen.generate(2, seed=5, n_iter=4), gen.generate(2, seed=5, n_iter=4)
        np.testing.assert_array_equal(a, b)
        assert a.shape == (2, 981)
        assert not np.array_equal(a, gen.generate(2, seed=6, n_iter=4))
        rms = np.sqrt(np.mean(a**2, axis=1))
        assert np.all((rms > 0.05) & (rms < 0.11))  # loudness-normalised, not near-silent


def test_temperature_scales_the_prior(trained) -> None:
    for kind in ("ae", "vae"):
        gen = gen_mod.load_generator(trained[kind])
        full = gen.sample_latents(64, seed=2)
        cool = gen.sample_latents(64, seed=2, temperature=0.5)
        centre = gen.sample_latents(3, seed=2, temperature=0.0)
        mean = gen.prior[0] if kind == "ae" else np.zeros_like(full[0])
        np.testing.assert_allclose(cool - mean, 0.5 * (full - mean), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(centre, np.broadcast_to(mean, centre.shape), atol=1e-6)
        a = gen.generate(2, seed=5, n_iter=4, temperature=0.7)
        np.testing.assert_array_equal(a, gen.generate(2, seed=5, n_iter=4, temperature=0.7))
        for bad in (-0.1, float("nan"), "1", True):
            with pytest.raises(ParameterError):
                gen.sample_latents(1, temperature=bad)


def test_cli_reconstruct_generate_plot(trained, capsys: pytest.CaptureFixture[str]) -> None:
    import soundfile

    root, ae = trained["root"], trained["ae"]
    src = next(trained["data"].rglob("*.wav"))
    out = root / "rebuilt.wav"
    assert main(["reconstruct", str(ae), str(src), str(out)]) == 0
    y, sr = soundfile.read(src)
    z, sr2 = soundfile.read(out)
    assert sr2 == SR and z.shape == y.shape  # synth data is at 22050 Hz
    assert (
        main(["generate", str(trained["vae"]), str(root / "gen"), "--n", "3", "--seed", "1"]) == 0
    )
    assert (
        main(
            [
                "generate",
                str(trained["vae"]),
                str(root / "gen07"),
                "--n",
                "1",
                "--temperature",
                "0.7",
            ]
        )
        == 0
    )
    wavs = sorted((root / "gen").glob("*.wav"))
    assert len(wavs) == 3 and soundfile.read(wavs[0])[0].shape == (981,)
    png = root / "latent.png"
    assert main(["plot-latent", str(ae), str(trained["store"]), "--out", str(png)]) == 0
    assert png.stat().st_size > 1000


def test_cli_errors_are_one_line(trained, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["reconstruct", str(tmp_path / "none"), "a.wav", "b.wav"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "model.keras" in err or "ferrosa-generator" in err
    mel = tmp_path / "mel"
    datasets.prepare(
        trained["data"],
        mel,
        seed=0,
        progress=False,
        workers=1,
        feature="mel",
        n_mels=16,
        segment_seconds=0.3,
    )
    assert main(["train-generator", str(mel), str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "logspec" in err


def test_downsampling_and_energy_weighted_loss() -> None:
    _, _, dec = g.autoencoder((64, 16, 1), latent=3, down=(4, 4))
    assert dec.input_shape == (None, 16, 4, 3)
    _, _, dec = g.vae((64, 16, 1), latent=2, down=(1, 2))
    assert dec.input_shape == (None, 64, 8, 2)
    from ferrosa.ml import gen_layers

    # energy_mse weights the error of a bin by its share of the target's energy:
    # the same dB error costs far more on the loudest bin than on a quiet one.
    t = np.full((1, 4, 4, 1), 0.2, np.float32)
    t[0, 0, 0, 0] = 1.0
    loud, quiet = t.copy(), t.copy()
    loud[0, 0, 0, 0] -= 0.05
    quiet[0, 3, 3, 0] -= 0.05
    a = 80 * np.log(10) / 20
    e_loud = float(gen_layers.energy_mse(t, loud, a)[0])
    e_quiet = float(gen_layers.energy_mse(t, quiet, a)[0])
    assert e_loud > 1e3 * e_quiet > 0
    w = np.exp(2 * a * (t - 1))
    assert e_loud == pytest.approx(float(np.mean(w / w.mean() * (t - loud) ** 2)), rel=1e-5)
    loss = gen_layers.SpectralLoss(db_range=80.0, energy_weight=1.0)
    again = gen_layers.SpectralLoss.from_config(loss.get_config())
    assert again.energy_weight == 1.0 and again.db_range == 80.0
    both = float(loss(t, loud))
    assert both == pytest.approx(float(gen_layers.loud_mse(t, loud)[0]) + e_loud, rel=1e-5)
