"""ferrosa against the MATLAB/Octave reference vectors librosa was validated with.

Spectral centroid, bandwidth, rolloff and contrast (``met-*.mat``) and the
chroma filter banks (``feature-chromafb-*.mat``) from ../shared/librosa-test-data,
checked the way librosa's former regression suite checked them. Skipped when
the shared folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import ferrosa
import numpy as np
import pytest

DATA = Path(__file__).resolve().parents[2] / "shared" / "librosa-test-data"

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="shared librosa-test-data not present")


def _files(pattern: str) -> list[Path]:
    return sorted(DATA.glob(pattern)) if DATA.is_dir() else []


def _load(path: Path) -> dict:
    sio = pytest.importorskip("scipy.io")
    return sio.loadmat(str(path), chars_as_strings=True)


def _audio(data: dict) -> tuple[np.ndarray, int]:
    sf = pytest.importorskip("soundfile")
    # "data/test1_22050.wav" in the .mat files: the repository's own data dir.
    wav = DATA / Path(str(data["wavfile"][0])).name
    y, sr = sf.read(str(wav), dtype="float32", always_2d=True)
    return np.ascontiguousarray(y.mean(axis=1, dtype=np.float32)), int(sr)


def _met_stft(y: np.ndarray, n_fft: int, hop_length: int) -> np.ndarray:
    """The reference code's normalised magnitude spectrogram (symmetric Hamming).

    Computed with librosa, as its own suite did: these tests are about the
    descriptors given a spectrogram.
    """
    signal = pytest.importorskip("scipy.signal")
    librosa = pytest.importorskip("librosa")
    S = np.abs(
        librosa.stft(
            y,
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=n_fft,
            window=signal.windows.hamming,
            center=False,
        )
    )
    return S / (S[0] + np.sum(2 * S[1:], axis=0))


def _geometry(data: dict) -> tuple[int, int]:
    return int(data["nfft"][0, 0]), int(data["hop_length"][0, 0])


@pytest.mark.parametrize("path", _files("met-centroid-*.mat"), ids=lambda p: p.name)
def test_centroid_matches_reference(path: Path) -> None:
    data = _load(path)
    y, sr = _audio(data)
    n_fft, hop = _geometry(data)
    S = _met_stft(y, n_fft, hop)
    got = ferrosa.feature.spectral_centroid(S=S, sr=sr, n_fft=n_fft, hop_length=hop)
    np.testing.assert_allclose(got, data["centroid"], rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("path", _files("met-bandwidth-*.mat"), ids=lambda p: p.name)
def test_bandwidth_matches_reference(path: Path) -> None:
    data = _load(path)
    _, sr = _audio(data)
    n_fft, hop = _geometry(data)
    S = data["S"]
    got = ferrosa.feature.spectral_bandwidth(
        S=S, sr=sr, n_fft=n_fft, hop_length=hop, centroid=data["centroid"], norm=False, p=1
    )
    np.testing.assert_allclose(got, S.shape[0] * data["bw"], rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("path", _files("met-rolloff-*.mat"), ids=lambda p: p.name)
def test_rolloff_matches_reference(path: Path) -> None:
    data = _load(path)
    y, sr = _audio(data)
    n_fft, hop = _geometry(data)
    S = _met_stft(y, n_fft, hop)
    pct = float(data["pct"][0, 0])
    got = ferrosa.feature.spectral_rolloff(
        S=S, sr=sr, n_fft=n_fft, hop_length=hop, roll_percent=pct
    )
    np.testing.assert_allclose(got, data["rolloff"], rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("path", _files("met-contrast-*.mat"), ids=lambda p: p.name)
def test_contrast_matches_reference(path: Path) -> None:
    data = _load(path)
    y, sr = _audio(data)
    n_fft, hop = _geometry(data)
    S = _met_stft(y, n_fft, hop)
    got = ferrosa.feature.spectral_contrast(S=S, sr=sr, n_fft=n_fft, hop_length=hop, linear=True)
    # The tolerance librosa's suite used: the reference sorts differently.
    np.testing.assert_allclose(got, data["contrast"], rtol=1e-3, atol=1e-2)


@pytest.mark.parametrize("path", _files("feature-chromafb-*.mat"), ids=lambda p: p.name)
def test_chroma_filterbank_matches_reference(path: Path) -> None:
    data = _load(path)
    octwidth = float(data["octwidth"][0, 0]) or None
    n_chroma = int(data["nchroma"][0, 0])
    # The reference takes A440 in Hz; ferrosa (like librosa) a tuning in bins.
    tuning = n_chroma * (np.log2(float(data["a440"][0, 0])) - np.log2(440.0))
    wts = ferrosa.filters.chroma(
        sr=float(data["sr"][0, 0]),
        n_fft=int(data["nfft"][0, 0]),
        n_chroma=n_chroma,
        tuning=tuning,
        ctroct=float(data["ctroct"][0, 0]),
        octwidth=octwidth,
        norm=2,
        base_c=False,
    )
    ref = data["wts"]
    # The reference keeps all n_fft columns; ferrosa the non-negative frequencies.
    np.testing.assert_allclose(wts, ref[:, : wts.shape[1]], rtol=1e-5, atol=1e-8)
