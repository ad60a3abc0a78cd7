"""Mel-scale and FFT-bin conversions against librosa and the MATLAB references."""

from __future__ import annotations

import ferrosa
import librosa
import numpy as np
import pytest
from conftest import LIBROSA_TEST_DATA
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize("htk", [False, True])
@pytest.mark.parametrize(
    "f", [0.0, 1.0, 440.0, 999.999, 1000.0, 1000.001, 8000.0, 22050.0, 60, np.float32(3000.5)]
)
def test_hz_to_mel_scalar_matches_librosa(f: float, htk: bool) -> None:
    got = ferrosa.hz_to_mel(f, htk=htk)
    want = librosa.hz_to_mel(f, htk=htk)
    assert np.ndim(got) == 0
    assert type(got) is type(want)
    assert got == want


@pytest.mark.parametrize("htk", [False, True])
def test_array_conversions_match_librosa_exactly(htk: bool) -> None:
    f = np.concatenate([np.linspace(0, 24000, 1001), [1000.0, 999.0, 5.0]])
    np.testing.assert_array_equal(ferrosa.hz_to_mel(f, htk=htk), librosa.hz_to_mel(f, htk=htk))
    m = np.linspace(0, 4000 if htk else 60, 777)
    np.testing.assert_array_equal(ferrosa.mel_to_hz(m, htk=htk), librosa.mel_to_hz(m, htk=htk))
    # 2-D input keeps its shape.
    f2 = f[:1000].reshape(10, 100)
    assert ferrosa.hz_to_mel(f2, htk=htk).shape == (10, 100)
    np.testing.assert_array_equal(
        ferrosa.mel_to_hz(m[:6].reshape(2, 3), htk=htk),
        librosa.mel_to_hz(m[:6].reshape(2, 3), htk=htk),
    )


@pytest.mark.parametrize("htk", [False, True])
def test_mel_to_hz_scalar(htk: bool) -> None:
    for m in [0.0, 14.99, 15.0, 40.0, 2595.0]:
        got = ferrosa.mel_to_hz(m, htk=htk)
        assert np.ndim(got) == 0
        assert got == librosa.mel_to_hz(m, htk=htk)


@pytest.mark.parametrize(
    "n_mels, fmin, fmax, htk",
    [
        (128, 0.0, 11025.0, False),
        (40, 20.0, 8000.0, True),
        (1, 100.0, 200.0, False),
        (0, 0.0, 1.0, False),
        (130, 0.0, 24000.0, False),
    ],
)
def test_mel_frequencies_match_librosa(n_mels: int, fmin: float, fmax: float, htk: bool) -> None:
    got = ferrosa.mel_frequencies(n_mels, fmin=fmin, fmax=fmax, htk=htk)
    want = librosa.mel_frequencies(n_mels, fmin=fmin, fmax=fmax, htk=htk)
    assert got.shape == (n_mels,)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("sr, n_fft", [(22050, 2048), (16000, 512), (44100, 1023), (8000, 1)])
def test_fft_frequencies_match_librosa(sr: float, n_fft: int) -> None:
    got = ferrosa.fft_frequencies(sr=sr, n_fft=n_fft)
    np.testing.assert_array_equal(got, librosa.fft_frequencies(sr=sr, n_fft=n_fft))
    assert got.shape == (1 + n_fft // 2,)
    assert got[0] == 0.0


@settings(max_examples=60, deadline=None)
@given(
    f=st.floats(min_value=0.0, max_value=1e5, allow_nan=False),
    htk=st.booleans(),
)
def test_round_trip_and_monotone(f: float, htk: bool) -> None:
    m = ferrosa.hz_to_mel(f, htk=htk)
    back = ferrosa.mel_to_hz(m, htk=htk)
    assert abs(back - f) <= 1e-9 * max(f, 1.0)
    assert ferrosa.hz_to_mel(f + 1.0, htk=htk) > m


def _mat(name: str) -> dict:
    sio = pytest.importorskip("scipy.io")
    path = LIBROSA_TEST_DATA / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    return sio.loadmat(str(path))


@pytest.mark.parametrize("i", [1, 2, 3, 4])
def test_hz_to_mel_reference(i: int) -> None:
    data = _mat(f"feature-hz_to_mel-{i:03d}.mat")
    z = ferrosa.hz_to_mel(data["f"], htk=bool(data["htk"][0, 0]))
    np.testing.assert_allclose(z, data["result"], rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("i", [1, 2, 3, 4])
def test_mel_to_hz_reference(i: int) -> None:
    data = _mat(f"feature-mel_to_hz-{i:03d}.mat")
    z = ferrosa.mel_to_hz(data["f"], htk=bool(data["htk"][0, 0]))
    np.testing.assert_allclose(z, data["result"], rtol=1e-9, atol=1e-9)
