"""display.specshow / waveshow with librosa's axis types and keywords."""

from __future__ import annotations

import ferrosa
import numpy as np
import pytest

pytest.importorskip("matplotlib")
librosa = pytest.importorskip("librosa")

SR = 22050


@pytest.fixture()
def axes():
    from ferrosa import display

    plt = display.pyplot()
    fig, ax = plt.subplots()
    yield fig, ax
    plt.close(fig)


def _tone(seconds=1.0):
    t = np.arange(int(seconds * SR)) / SR
    return (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


@pytest.mark.parametrize("x_axis", ["s", "ms", "time"])
def test_time_axes_span_the_signal(axes, x_axis):
    fig, ax = axes
    S = np.abs(ferrosa.stft(_tone()))
    ferrosa.display.specshow(S, sr=SR, x_axis=x_axis, ax=ax)
    lo, hi = ax.get_xlim()
    assert lo == 0 and hi == pytest.approx(S.shape[1] * 512 / SR)
    assert "Time" in ax.get_xlabel()
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    if x_axis == "ms":
        assert any(float(v) >= 100 for v in labels)


def test_mel_axis_uses_fmin_fmax_htk(axes):
    fig, ax = axes
    M = ferrosa.feature.melspectrogram(y=_tone(), sr=SR, n_mels=40, fmax=8000, htk=True)
    ferrosa.display.specshow(M, sr=SR, y_axis="mel", fmax=8000, htk=True, ax=ax)
    centres = librosa.mel_frequencies(n_mels=40, fmin=0, fmax=8000, htk=True)
    lo, hi = ax.get_ylim()
    assert lo == 0 and centres[-1] < hi < 8000 + (centres[-1] - centres[-2])


@pytest.mark.parametrize("y_axis", ["cqt_hz", "cqt_note"])
def test_cqt_axes(axes, y_axis):
    fig, ax = axes
    fmin = librosa.note_to_hz("C2")
    C = np.abs(ferrosa.cqt(_tone(), sr=SR, fmin=fmin, n_bins=36, bins_per_octave=12))
    ferrosa.display.specshow(C, sr=SR, y_axis=y_axis, fmin=fmin, bins_per_octave=12, ax=ax)
    assert ax.get_yscale() == "log"
    lo, hi = ax.get_ylim()
    freqs = librosa.cqt_frequencies(36, fmin=fmin)
    assert lo < freqs[0] < freqs[-1] < hi
    if y_axis == "cqt_note":
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert "C3" in labels and "C4" in labels


def test_fft_note_log_and_chroma_axes(axes):
    fig, ax = axes
    S = np.abs(ferrosa.stft(_tone()))
    ferrosa.display.specshow(S, sr=SR, y_axis="fft_note", ax=ax)
    assert any(t.get_text().startswith("C") for t in ax.get_yticklabels())
    ferrosa.display.specshow(S, sr=SR, y_axis="log", ax=ax)
    assert ax.get_yscale() == "symlog"
    chroma = ferrosa.feature.chroma_stft(y=_tone(), sr=SR)
    ferrosa.display.specshow(chroma, y_axis="chroma", x_axis="time", ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["C", "C#"]


def test_colorbar_and_stereo_waveshow(axes, tmp_path):
    fig, ax = axes
    D = ferrosa.amplitude_to_db(np.abs(ferrosa.stft(_tone())), ref=np.max)
    img = ferrosa.display.specshow(D, sr=SR, x_axis="time", y_axis="log", ax=ax)
    cb = fig.colorbar(img, ax=ax, format="%+2.0f dB")
    assert cb.mappable is img
    assert img.get_cmap().name == "magma"
    stereo = np.stack([_tone(2.0), -0.5 * _tone(2.0)])
    ferrosa.display.waveshow(stereo, sr=SR, ax=ax, max_points=1000)
    assert len(ax.collections) >= 3  # the image plus one envelope per channel
    fig.savefig(tmp_path / "x.png")
    assert (tmp_path / "x.png").stat().st_size > 1000


def test_bad_axes_are_errors(axes):
    fig, ax = axes
    with pytest.raises(ferrosa.ParameterError):
        ferrosa.display.specshow(np.ones((4, 4)), x_axis="bogus", ax=ax)
    with pytest.raises(ferrosa.ParameterError):
        ferrosa.display.specshow(np.ones((4, 4)), x_coords=np.arange(9), ax=ax)
    with pytest.raises(ferrosa.ParameterError):
        ferrosa.display.waveshow(_tone(), max_points=0, ax=ax)
