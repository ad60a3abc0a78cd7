"""STFT/ISTFT against the MATLAB reference vectors librosa was validated with.

The ``core-stft-*`` and ``core-istft-*`` files in ``../shared/librosa-test-data``
come from Dan Ellis's LabROSA ``stft.m``/``istft.m`` (see that folder's README),
an implementation independent of both librosa and ferrosa. The module skips
when the folder is absent.

Mapping (from librosa 0.11's former ``tests/test_core.py``):

* ``stft(y, n_fft, hop_length, win_length=hann_w or None, window='hann' or
  ones, center=False) == conj(D)``; ``hann_w == 0`` means a rectangular window.
* ``istft(conj(D), ..., center=False, length=len(Dinv)) == Dinv``. ``istft.m``
  is plain overlap-add with a Hann window scaled by 2/3 and no window
  sum-square normalisation, so for Hann with ``hop = n_fft / 4`` it agrees
  only where all ``n_fft / hop`` frames overlap: the first and last
  ``n_fft - hop`` samples are compared against librosa instead.
"""

from __future__ import annotations

from pathlib import Path

import ferrosa
import numpy as np
import pytest
from conftest import LIBROSA_TEST_DATA, assert_close_to_peak

if not LIBROSA_TEST_DATA.is_dir():
    pytest.skip("shared librosa-test-data not present", allow_module_level=True)

sio = pytest.importorskip("scipy.io")

STFT_FILES = sorted(LIBROSA_TEST_DATA.glob("core-stft-*.mat"))
ISTFT_FILES = [LIBROSA_TEST_DATA / f"core-istft-{i:03d}.mat" for i in (3, 5, 8, 11, 18)]
ISTFT_FILES = [p for p in ISTFT_FILES if p.exists()]


@pytest.fixture(scope="module")
def test_audio() -> np.ndarray:
    """``test1_22050.wav`` as ``librosa.load(sr=None, mono=True)`` returns it."""
    sf = pytest.importorskip("soundfile")
    path = LIBROSA_TEST_DATA / "test1_22050.wav"
    if not path.exists():
        pytest.skip("test1_22050.wav not present")
    data, _ = sf.read(str(path), dtype="float32", always_2d=True)
    return np.ascontiguousarray(data.mean(axis=1, dtype=np.float32))


def load(path: Path) -> tuple[dict, int, int, int | None, object]:
    mat = sio.loadmat(str(path))
    n_fft = int(mat["nfft"][0, 0])
    hop = int(mat["hop_length"][0, 0])
    hann_w = int(mat["hann_w"][0, 0])
    window = np.ones if hann_w == 0 else "hann"
    return mat, n_fft, hop, (hann_w or None), window


def test_reference_files_found():
    assert len(STFT_FILES) >= 10
    assert len(ISTFT_FILES) == 5


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("path", STFT_FILES, ids=lambda p: p.stem)
def test_stft_matches_matlab(path, dtype, test_audio):
    mat, n_fft, hop, win_length, window = load(path)
    y = test_audio.astype(dtype)
    D = ferrosa.stft(
        y, n_fft=n_fft, hop_length=hop, win_length=win_length, window=window, center=False
    )
    ref = mat["D"].conj()
    assert D.shape == ref.shape
    # The reference is double precision; a float32 input is checked at float32's tolerance.
    assert_close_to_peak(D, ref, dtype=D.dtype)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("path", ISTFT_FILES, ids=lambda p: p.stem)
def test_istft_matches_matlab(path, dtype):
    import librosa

    mat, n_fft, hop, win_length, window = load(path)
    D = mat["D"].conj().astype(dtype)
    ref = mat["Dinv"].ravel()
    kw = dict(
        n_fft=n_fft,
        hop_length=hop,
        win_length=win_length,
        window=window,
        center=False,
        length=len(ref),
    )
    y = ferrosa.istft(D, **kw)
    assert y.shape == ref.shape
    real = np.float32 if dtype == np.complex64 else np.float64
    assert y.dtype == real
    edge = 0 if window is np.ones else n_fft - hop
    interior = slice(edge, len(ref) - edge)
    assert_close_to_peak(y[interior], ref[interior], dtype=real)
    # At the edges (and everywhere) librosa, computed in double precision, is the reference.
    exact = librosa.istft(D.astype(np.complex128), **kw)
    assert_close_to_peak(y, exact, dtype=real)
