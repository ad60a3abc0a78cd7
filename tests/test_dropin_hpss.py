"""decompose.hpss, effects.hpss/harmonic/percussive and util.softmask against librosa 0.11."""

from __future__ import annotations

import ferrosa
import numpy as np
import pytest

librosa = pytest.importorskip("librosa")
scipy_ndimage = pytest.importorskip("scipy.ndimage")

SR = 22050


def _tone_and_clicks(dtype: type, seconds: float = 2.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(SR * seconds)) / SR
    clicks = (rng.random(t.size) < 0.001) * rng.standard_normal(t.size) * 3
    return (0.5 * np.sin(2 * np.pi * 440 * t) + clicks + 0.01 * rng.standard_normal(t.size)).astype(
        dtype
    )


HPSS = [
    {},
    {"kernel_size": (17, 9)},
    {"margin": 3.0},
    {"margin": (1.0, 2.0), "power": np.inf},
    {"mask": True},
    {"kernel_size": 4, "power": 1.0},
]


@pytest.mark.parametrize("complex_input", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", HPSS)
def test_decompose_hpss_is_librosas(kw, dtype, complex_input):
    D = librosa.stft(_tone_and_clicks(dtype))
    X = D if complex_input else np.abs(D)
    want = librosa.decompose.hpss(X, **kw)
    got = ferrosa.decompose.hpss(X, **kw)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("size", [1, 2, 5, 31, 300])
@pytest.mark.parametrize("axis", [-1, -2])
def test_median_filter_equals_scipy(size, axis):
    S = np.abs(np.random.default_rng(1).standard_normal((2, 40, 57))).astype(np.float32)
    footprint = [1, 1, 1]
    footprint[axis] = size
    want = scipy_ndimage.median_filter(S, size=footprint, mode="reflect")
    np.testing.assert_array_equal(ferrosa.decompose.median_filter(S, size, axis), want)


@pytest.mark.parametrize("kw", [{}, {"margin": 2.0, "n_fft": 1024}, {"kernel_size": (9, 21)}])
@pytest.mark.parametrize("dtype, tol", [(np.float32, 1e-5), (np.float64, 1e-12)])
def test_effects_hpss_equals_librosa(kw, dtype, tol):
    y = _tone_and_clicks(dtype)
    want = librosa.effects.hpss(y, **kw)
    got = ferrosa.effects.hpss(y, **kw)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype and g.shape == w.shape
        assert np.max(np.abs(g - w)) <= tol * np.max(np.abs(w))
    np.testing.assert_array_equal(ferrosa.effects.harmonic(y, **kw), got[0])
    np.testing.assert_array_equal(ferrosa.effects.percussive(y, **kw), got[1])


def test_separation_puts_the_tone_and_the_clicks_apart():
    y = _tone_and_clicks(np.float64)
    h, p = ferrosa.effects.hpss(y)
    S = np.abs(ferrosa.stft(y))
    bin_440 = int(round(440 * 2048 / SR))
    assert np.abs(ferrosa.stft(h))[bin_440].mean() > 0.9 * S[bin_440].mean()
    assert np.abs(ferrosa.stft(p))[bin_440].mean() < 0.1 * S[bin_440].mean()
    # The masks of margin 1 split every bin: the parts add up to the input.
    np.testing.assert_allclose(h + p, y, atol=1e-6 * np.max(np.abs(y)))


def test_multichannel_equals_each_channel():
    y = np.stack([_tone_and_clicks(np.float32), _tone_and_clicks(np.float32)[::-1].copy()])
    S = np.abs(ferrosa.stft(y))
    both = ferrosa.decompose.hpss(S)
    for c in range(2):
        one = ferrosa.decompose.hpss(S[c])
        np.testing.assert_array_equal(both[0][c], one[0])
        np.testing.assert_array_equal(both[1][c], one[1])


@pytest.mark.parametrize("power", [1.0, 2.0, np.inf])
@pytest.mark.parametrize("split_zeros", [False, True])
def test_softmask_equals_librosa(power, split_zeros):
    rng = np.random.default_rng(2)
    X = np.abs(rng.standard_normal((20, 30)))
    R = np.abs(rng.standard_normal((20, 30)))
    X[0, :5] = R[0, :5] = 0.0
    np.testing.assert_array_equal(
        ferrosa.util.softmask(X, R, power=power, split_zeros=split_zeros),
        librosa.util.softmask(X, R, power=power, split_zeros=split_zeros),
    )


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda S: ferrosa.decompose.hpss(S, margin=0.5), "Margins"),
        (lambda S: ferrosa.decompose.hpss(S, margin=(1.0, 0.9)), "Margins"),
        (lambda S: ferrosa.decompose.hpss(S, kernel_size=0), "kernel_size"),
        (lambda S: ferrosa.decompose.hpss(S, kernel_size=(3, 2.5)), "kernel_size"),
        (lambda S: ferrosa.decompose.hpss(S, kernel_size=(3, 4, 5)), "kernel_size"),
        (lambda S: ferrosa.decompose.hpss(S, power=0.0), "power"),
        (lambda S: ferrosa.decompose.hpss(np.where(S > 0.5, np.nan, S)), "finite"),
        (lambda S: ferrosa.decompose.hpss(S[0]), "2-D"),
        (lambda S: ferrosa.util.softmask(S, S[:, :3]), "Shape"),
        (lambda S: ferrosa.util.softmask(-S, S), "non-negative"),
    ],
)
def test_bad_arguments_raise_parameter_error(call, match):
    S = np.abs(np.random.default_rng(3).standard_normal((10, 12)))
    with pytest.raises(ferrosa.ParameterError, match=match):
        call(S)
