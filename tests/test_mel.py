"""Mel filter banks and mel spectrograms against librosa 0.11."""

from __future__ import annotations

import warnings
from typing import Any

import ferrosa
import librosa
import numpy as np
import pytest
from conftest import LIBROSA_TEST_DATA, SR, assert_close_to_peak, make_chirp, make_noise
from ferrosa import ParameterError
from hypothesis import given, settings
from hypothesis import strategies as st

MEL_GRID = [
    {},
    {"htk": True},
    {"norm": None},
    {"norm": 1},
    {"norm": 2},
    {"norm": 2.5},
    {"norm": np.inf},
    {"norm": -np.inf},
    {"norm": 0},
    {"fmin": 50.0, "fmax": 7000.0},
    {"fmin": 300.0, "fmax": 4000.0, "htk": True, "norm": None},
    {"n_mels": 40},
    {"n_mels": 64, "dtype": np.float64},
    {"n_mels": 80, "htk": True, "dtype": np.float64, "norm": 1},
]


@pytest.mark.parametrize("kw", MEL_GRID)
@pytest.mark.parametrize("sr, n_fft", [(22050, 2048), (16000, 1023), (44100, 512)])
def test_filter_bank_matches_librosa(sr: int, n_fft: int, kw: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        want = librosa.filters.mel(sr=sr, n_fft=n_fft, **kw)
        got = ferrosa.filters.mel(sr=sr, n_fft=n_fft, **kw)
    assert got.dtype == want.dtype
    assert got.shape == want.shape
    if kw.get("norm", "slaney") in ("slaney", None):
        # Same float64 arithmetic and the same float32 rounding: bit-identical.
        np.testing.assert_array_equal(got, want)
    else:
        # l_p norms sum in a different order: at most one rounding step apart.
        rtol = 1e-6 if got.dtype == np.float32 else 1e-13
        np.testing.assert_allclose(got, want, rtol=rtol, atol=0)


def test_filter_bank_is_a_fresh_writable_copy() -> None:
    a = ferrosa.filters.mel(sr=SR, n_fft=2048)
    a[:] = 0
    b = ferrosa.filters.mel(sr=SR, n_fft=2048)
    assert b.max() > 0


@pytest.mark.parametrize("kw", [{"n_fft": 256, "n_mels": 128}, {"fmax": 30000.0}])
def test_empty_filters_warn_like_librosa(kw: dict[str, Any]) -> None:
    args = {"sr": SR, "n_fft": 2048, **kw}
    with pytest.warns(UserWarning, match="Empty filters"):
        want = librosa.filters.mel(**args)
    # Warned on every call, even when the bank comes from the cache.
    for _ in range(2):
        with pytest.warns(UserWarning, match="Empty filters"):
            got = ferrosa.filters.mel(**args)
    np.testing.assert_array_equal(got, want)


def test_fmax_above_nyquist_is_allowed_as_in_librosa() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        want = librosa.filters.mel(sr=SR, n_fft=2048, n_mels=40, fmax=12000.0)
        got = ferrosa.filters.mel(sr=SR, n_fft=2048, n_mels=40, fmax=12000.0)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"n_mels": 0}, "n_mels"),
        ({"n_mels": -3}, "n_mels"),
        ({"fmin": -10.0}, "fmin"),
        ({"fmin": 5000.0, "fmax": 4000.0}, "fmax"),
        ({"fmax": np.nan}, "fmax"),
        ({"norm": "l2"}, "norm"),
        ({"norm": -1}, "norm"),
        ({"sr": 0}, "sr"),
        ({"sr": -22050}, "sr"),
        ({"n_fft": 0}, "n_fft"),
        ({"n_fft": 1.5}, "n_fft"),
        ({"dtype": np.int32}, "dtype"),
    ],
)
def test_filter_bank_failures(kw: dict[str, Any], match: str) -> None:
    args = {"sr": SR, "n_fft": 2048, **kw}
    with pytest.raises(ParameterError, match=match):
        ferrosa.filters.mel(**args)


def _mat(name: str) -> dict:
    sio = pytest.importorskip("scipy.io")
    path = LIBROSA_TEST_DATA / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    return sio.loadmat(str(path))


def _reference_bank(data: dict, norm: Any) -> np.ndarray:
    wts = ferrosa.filters.mel(
        sr=float(data["sr"][0, 0]),
        n_fft=int(data["nfft"][0, 0]),
        n_mels=int(data["nfilts"][0, 0]),
        fmin=float(data["fmin"][0, 0]),
        fmax=float(data["fmax"][0, 0]),
        htk=bool(data["htk"][0, 0]),
        norm=norm,
    )
    # The references span all n_fft columns; ours stop at Nyquist.
    return np.pad(wts, [(0, 0), (0, int(data["nfft"][0, 0]) // 2 - 1)])


@pytest.mark.parametrize("i", range(1, 145))
def test_filter_bank_matlab_reference(i: int) -> None:
    data = _mat(f"feature-melfb-{i:03d}.mat")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        wts = _reference_bank(data, "slaney")
    assert wts.shape == data["wts"].shape
    np.testing.assert_allclose(wts, data["wts"], rtol=1e-5, atol=1e-8)


def test_filter_bank_matlab_reference_unnormalised() -> None:
    data = _mat("feature-melfbnorm-002.mat")
    wts = _reference_bank(data, None)
    assert wts.shape == data["wts"].shape
    np.testing.assert_allclose(wts, data["wts"], rtol=1e-5, atol=1e-8)


SPEC_GRID = [
    {},
    {"n_fft": 1023, "hop_length": 256},
    {"n_fft": 1024, "win_length": 600, "hop_length": 300},
    {"center": False},
    {"pad_mode": "reflect"},
    {"power": 1.0},
    {"power": 1.5, "window": "hamming"},
    {"n_mels": 40, "fmin": 30.0, "fmax": 8000.0},
    {"htk": True, "norm": None},
    {"norm": 2, "n_mels": 64},
    {"dtype": np.float64},
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", SPEC_GRID)
def test_melspectrogram_matches_librosa(kw: dict[str, Any], dtype: Any) -> None:
    y = make_chirp(SR, dtype=dtype) + make_noise(SR, dtype=dtype, seed=3) * dtype(0.05)
    want = librosa.feature.melspectrogram(y=y, sr=SR, **kw)
    got = ferrosa.feature.melspectrogram(y=y, sr=SR, **kw)
    assert got.dtype == want.dtype
    # float32 audio through a float64 bank gives float64 values computed
    # from float32 spectra in librosa: hold it to the float32 tolerance.
    assert_close_to_peak(got, want, dtype=dtype)


@pytest.mark.parametrize("power", [2.0, 1.0])
@pytest.mark.parametrize("seed", [1, 2])
def test_melspectrogram_float32_tone_above_fmax(power: float, seed: int) -> None:
    # Every band sees only the tone's leakage and faint noise: the float32
    # FFT's rounding noise alone was 1.1e-5 to 2.3e-5 of such a peak, so
    # these frames must take the float64 path (the error check decides).
    t = np.arange(18954) / SR
    noise = np.random.default_rng(seed).standard_normal(t.size)
    y = (2.3e-4 * np.sin(2 * np.pi * 9000 * t) + 1e-6 * noise).astype(np.float32)
    kw = {"n_mels": 128, "htk": True, "fmax": 4000.0, "power": power}
    want = librosa.feature.melspectrogram(y=y, sr=SR, **kw)
    got = ferrosa.feature.melspectrogram(y=y, sr=SR, **kw)
    assert got.dtype == np.float32
    assert_close_to_peak(got, want)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_melspectrogram_multichannel(dtype: Any) -> None:
    y = np.stack([make_noise(8000, dtype, seed=s) * dtype(0.1 * (s + 1)) for s in range(6)])
    y = y.reshape(2, 3, 8000)
    want = librosa.feature.melspectrogram(y=y, sr=SR, n_fft=512, hop_length=128)
    got = ferrosa.feature.melspectrogram(y=y, sr=SR, n_fft=512, hop_length=128)
    assert got.shape == want.shape == (2, 3, 128, 63)
    assert_close_to_peak(got, want)
    # Each channel is independent of the others.
    one = ferrosa.feature.melspectrogram(y=y[1, 2], sr=SR, n_fft=512, hop_length=128)
    np.testing.assert_array_equal(got[1, 2], one)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", [{}, {"n_fft": 1023}, {"n_mels": 40, "htk": True}, {"n_fft": 4096}])
def test_melspectrogram_from_spectrogram(dtype: Any, kw: dict[str, Any]) -> None:
    y = make_noise(SR // 2, dtype)
    S = np.abs(librosa.stft(y, n_fft=1024)) ** 2
    S = np.stack([S, 2 * S])
    want = librosa.feature.melspectrogram(S=S, sr=SR, **kw)
    got = ferrosa.feature.melspectrogram(S=S, sr=SR, **kw)
    assert got.dtype == want.dtype
    assert_close_to_peak(got, want)


def test_melspectrogram_failures() -> None:
    y = make_noise(4096)
    with pytest.raises(ParameterError):
        ferrosa.feature.melspectrogram(sr=SR)
    with pytest.raises(ParameterError, match="power"):
        ferrosa.feature.melspectrogram(y=y, power=0)
    with pytest.raises(ParameterError, match="power"):
        ferrosa.feature.melspectrogram(y=y, power=-2.0)
    with pytest.raises(ParameterError, match="n_mels"):
        ferrosa.feature.melspectrogram(y=y, n_mels=0)
    with pytest.raises(ParameterError, match="fmin"):
        ferrosa.feature.melspectrogram(y=y, fmin=-1.0)
    with pytest.raises(ParameterError):
        ferrosa.feature.melspectrogram(y=y.astype(np.int16))
    with pytest.raises(ParameterError):
        ferrosa.feature.melspectrogram(y=np.full(4096, np.nan))
    with pytest.raises(ParameterError, match="n_fft"):
        ferrosa.feature.melspectrogram(y=y[:100], n_fft=2048, center=False)
    with pytest.raises(ParameterError, match="hop_length"):
        ferrosa.feature.melspectrogram(y=y, hop_length=0)
    with pytest.raises(ParameterError, match="win_length"):
        ferrosa.feature.melspectrogram(y=y, win_length=4096)
    with pytest.raises(ParameterError):
        ferrosa.feature.melspectrogram(S=np.ones(5))
    with pytest.raises(ParameterError):
        ferrosa.feature.melspectrogram(S=np.ones((1025, 3), dtype=np.complex64))
    with pytest.raises(TypeError):
        ferrosa.feature.melspectrogram(y=y, n_mfcc=3)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(min_value=64, max_value=3000),
    n_fft=st.sampled_from([64, 127, 256, 512]),
    hop=st.integers(min_value=16, max_value=300),
    n_mels=st.integers(min_value=1, max_value=24),
    power=st.sampled_from([1.0, 2.0]),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_melspectrogram_property_equals_dense_product(
    n: int, n_fft: int, hop: int, n_mels: int, power: float, seed: int
) -> None:
    """The fused kernel equals |stft|^power projected by the dense bank."""
    y = np.random.default_rng(seed).standard_normal(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        got = ferrosa.feature.melspectrogram(
            y=y, sr=8000, n_fft=n_fft, hop_length=hop, n_mels=n_mels, power=power
        )
        basis = ferrosa.filters.mel(sr=8000, n_fft=n_fft, n_mels=n_mels)
        # librosa warns when n_fft exceeds the unpadded signal.
        S = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop)) ** power
    want = basis.astype(np.float64) @ S
    assert got.shape == want.shape
    assert (got >= 0).all()
    assert_close_to_peak(got, want)
    # Homogeneity: scaling the audio by a scales the output by a**power.
    scaled = ferrosa.feature.melspectrogram(
        y=3.0 * y, sr=8000, n_fft=n_fft, hop_length=hop, n_mels=n_mels, power=power
    )
    assert_close_to_peak(scaled, got * 3.0**power)


def test_results_do_not_depend_on_thread_count() -> None:
    y = make_noise(SR * 4, np.float64, seed=11).reshape(2, -1)
    try:
        ferrosa.set_num_threads(1)
        one_mel = ferrosa.feature.melspectrogram(y=y, sr=SR)
        one_mfcc = ferrosa.feature.mfcc(y=y, sr=SR)
        ferrosa.set_num_threads(2)
        np.testing.assert_array_equal(ferrosa.feature.melspectrogram(y=y, sr=SR), one_mel)
        np.testing.assert_array_equal(ferrosa.feature.mfcc(y=y, sr=SR), one_mfcc)
    finally:
        ferrosa.set_num_threads(0)
