"""Model builders: documented shapes and parameter counts, and their errors."""

from __future__ import annotations

import numpy as np
import pytest
from ferrosa import ParameterError

models = pytest.importorskip("ferrosa.ml.models")


def _ceil_half(n: int) -> int:
    return -(-n // 2)


def seed_mlp_params(t: int, f: int, k: int) -> int:
    sizes = [t * f, 512, 256, 64, k]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))


def seed_cnn_params(t: int, f: int, k: int) -> int:
    # conv 3x3 valid -> pool s2 same -> conv 3x3 valid -> pool s2 same -> conv 2x2 valid
    ht, hf = _ceil_half(t - 2), _ceil_half(f - 2)
    ht, hf = _ceil_half(ht - 2), _ceil_half(hf - 2)
    ht, hf = ht - 1, hf - 1
    conv = (9 * 1 * 32 + 32) + (9 * 32 * 64 + 64) + (4 * 64 * 128 + 128)
    return conv + (ht * hf * 128 * 64 + 64) + (64 * k + k)


def seed_lstm_params(f: int, k: int) -> int:
    lstm1 = 4 * (64 * (f + 64) + 64)
    lstm2 = 4 * (64 * (64 + 64) + 64)
    return lstm1 + lstm2 + (64 * 64 + 64) + (64 * k + k)


@pytest.mark.parametrize("t,k", [(130, 10), (87, 7)])
def test_seed_presets_shapes_and_params(t: int, k: int) -> None:
    shape = (t, 13, 1)  # frames x 13 MFCC, as in the tutorials
    x = np.random.default_rng(0).normal(size=(3, *shape)).astype(np.float32)
    expected = {
        "mlp": seed_mlp_params(t, 13, k),
        "cnn": seed_cnn_params(t, 13, k),
        "lstm": seed_lstm_params(13, k),
    }
    for kind, n_params in expected.items():
        m = models.build(kind, shape, k, preset="seed")
        assert m.count_params() == n_params, kind
        assert m.input_shape == (None, *shape)
        out = np.asarray(m(x))
        assert out.shape == (3, k)
        np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
        assert m.optimizer.learning_rate.numpy() == pytest.approx(1e-4)
        assert "sparse" in type(m.loss).__name__.lower() or "sparse" in str(m.loss)


def test_tutorial_cnn_parameter_count_literal() -> None:
    # The tutorial CNN on 130 x 13 MFCC with 10 genres: computed by hand once.
    assert seed_cnn_params(130, 13, 10) == 298186
    assert models.cnn((130, 13, 1), 10, preset="seed").count_params() == 298186


def test_seed_layer_sequence() -> None:
    names = [type(layer).__name__ for layer in models.cnn((130, 13, 1), 10, preset="seed").layers]
    assert names == [
        "InputLayer",
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "Flatten",
        "Dense",
        "Dropout",
        "Dense",
    ]
    lstm = models.lstm((130, 13, 1), 10, preset="seed")
    kinds = [type(layer).__name__ for layer in lstm.layers]
    assert kinds == ["InputLayer", "Reshape", "LSTM", "LSTM", "Dense", "Dropout", "Dense"]
    assert lstm.layers[2].return_sequences and not lstm.layers[3].return_sequences
    assert lstm.layers[5].rate == pytest.approx(0.3)


@pytest.mark.parametrize("kind", ["mlp", "cnn", "lstm"])
@pytest.mark.parametrize("shape", [(44, 64, 1), (21, 32, 3)])
def test_default_presets_shapes(kind: str, shape: tuple[int, int, int]) -> None:
    m = models.build(kind, shape, 7, preset="default", seed=1)
    x = np.random.default_rng(1).normal(size=(2, *shape)).astype(np.float32)
    out = np.asarray(m(x, training=False))
    assert out.shape == (2, 7)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


def test_same_seed_same_weights() -> None:
    a = models.cnn((44, 32, 1), 5, seed=3).get_weights()
    b = models.cnn((44, 32, 1), 5, seed=3).get_weights()
    c = models.cnn((44, 32, 1), 5, seed=4).get_weights()
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not all(np.array_equal(u, v) for u, v in zip(a, c, strict=True))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: models.build("gru", (10, 13, 1), 3), "model='gru'"),
        (lambda: models.build("mlp", (10, 13, 1), 3, preset="tutorial"), "preset='tutorial'"),
        (lambda: models.mlp((10, 13), 3), "input_shape"),
        (lambda: models.mlp((10, 0, 1), 3), "input_shape"),
        (lambda: models.lstm((10, 13, 1), 1), "n_classes=1"),
        (lambda: models.cnn((8, 13, 1), 3, preset="seed"), "too small"),
        (lambda: models.cnn((130, 8, 1), 3, preset="seed"), "too small"),
    ],
)
def test_builder_errors(call, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        call()
