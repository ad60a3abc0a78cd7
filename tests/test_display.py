"""Plots, fixed-size feature images and the ``ferrosa plot`` command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ferrosa
import numpy as np
import pytest
from ferrosa.exceptions import ParameterError
from ferrosa.plotting import KINDS, compute_feature, feature_to_image, resize_area, write_png

mpl_image = pytest.importorskip("matplotlib.image")

SR = 22050


@pytest.fixture(scope="module")
def tone() -> np.ndarray:
    t = np.arange(SR) / SR
    return (0.5 * np.sin(2 * np.pi * 440 * t) * np.exp(-2 * t)).astype(np.float32)


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory, tone: np.ndarray) -> Path:
    sf = pytest.importorskip("soundfile")
    path = tmp_path_factory.mktemp("audio") / "tone.wav"
    sf.write(path, tone, SR)
    return path


def read_png(path: Path) -> np.ndarray:
    return np.asarray(mpl_image.imread(path))


def test_import_does_not_load_matplotlib() -> None:
    code = "import ferrosa, sys; ferrosa.feature; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_resize_area_is_exact_averaging() -> None:
    x = np.arange(24, dtype=float).reshape(4, 6)
    half = resize_area(x, (2, 3))
    want = x.reshape(2, 2, 3, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(half, want)
    up = resize_area(x, (8, 12))
    np.testing.assert_allclose(up[::2, ::2], x)
    np.testing.assert_allclose(up.mean(), x.mean())
    np.testing.assert_allclose(resize_area(np.full((7, 13), 3.0), (100, 100)), 3.0)
    odd = resize_area(x, (3, 5))  # non-integer ratios keep the mean
    assert odd.shape == (3, 5)
    np.testing.assert_allclose(odd.mean(), x.mean())


def test_feature_to_image_orientation_and_range() -> None:
    S = np.zeros((50, 80))
    S[:5] = 1.0  # energy in the lowest rows
    img = feature_to_image(S, size=(100, 100))
    assert img.shape == (100, 100) and img.dtype == np.uint8
    assert img[-1].min() == 255 and img[0].max() == 0  # low frequencies at the bottom
    assert feature_to_image(S, size=None, flip=False)[0, 0] == 255
    assert feature_to_image(np.ones((4, 4)), size=(10, 10)).max() == 0
    db = feature_to_image(np.array([[1.0, 0.1], [0.01, 1e-6]]), size=None, to_db=True, flip=False)
    # 0, -20, -40 dB and the -80 dB floor map to 255, 191, 128, 0
    np.testing.assert_array_equal(db, [[255, 191], [128, 0]])


@pytest.mark.parametrize("bad", [np.ones(5), np.ones((0, 3)), np.array([[np.nan, 1.0]])])
def test_feature_to_image_failures(bad: np.ndarray) -> None:
    with pytest.raises(ParameterError):
        feature_to_image(bad)


def test_write_png_roundtrip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    gray = rng.integers(0, 256, size=(37, 53), dtype=np.uint8)
    back = read_png(write_png(tmp_path / "g.png", gray))
    np.testing.assert_array_equal(np.round(back * 255).astype(np.uint8), gray)
    rgb = rng.integers(0, 256, size=(9, 11, 3), dtype=np.uint8)
    back = read_png(write_png(tmp_path / "c.png", rgb))
    np.testing.assert_array_equal(np.round(back[..., :3] * 255).astype(np.uint8), rgb)
    with pytest.raises(ParameterError):
        write_png(tmp_path / "f.png", gray.astype(float))
    with pytest.raises(ParameterError):
        write_png(tmp_path / "f.png", np.zeros((2, 2, 4), dtype=np.uint8))


def test_compute_feature_kinds(tone: np.ndarray) -> None:
    shapes = {k: compute_feature(tone, SR, k).data.shape for k in KINDS}
    n_frames = 1 + len(tone) // 512
    assert shapes == {
        "wave": (SR,),
        "spec": (1025, n_frames),
        "mel": (128, n_frames),
        "mfcc": (20, n_frames),
        "chroma": (12, n_frames),
        "cwt": (128, n_frames),
    }
    ch = compute_feature(tone, SR, "chroma").data
    assert np.argmax(ch.mean(axis=1)) == 9  # A
    with pytest.raises(ParameterError):
        compute_feature(tone, SR, "bogus")
    with pytest.raises(ParameterError):
        compute_feature(np.stack([tone, tone]), SR, "mel")


@pytest.mark.parametrize("kind", KINDS)
def test_save_plot_every_kind(tmp_path: Path, tone: np.ndarray, kind: str) -> None:
    from ferrosa import display

    out = display.save_plot(
        tone, tmp_path / f"{kind}.png", sr=SR, kind=kind, figsize=(5, 3), dpi=50
    )
    img = read_png(out)
    assert img.shape[:2] == (150, 250)
    assert img[..., :3].std() > 0.05  # something was drawn


def test_specshow_axes_and_failures(tone: np.ndarray) -> None:
    from ferrosa import display

    plt = display.pyplot()
    fig, ax = plt.subplots()
    try:
        S = np.abs(ferrosa.stft(tone))
        for y_axis in ("linear", "log", "hz", None):
            display.specshow(S, sr=SR, y_axis=y_axis, ax=ax)
        C = np.abs(ferrosa.cqt(tone, sr=SR, n_bins=48))
        display.specshow(C, sr=SR, y_axis="cqt_hz", ax=ax)
        assert ax.get_yscale() == "log"
        display.specshow(np.ones((12, 5)), y_axis="chroma", x_axis="frames", ax=ax)
        assert [t.get_text() for t in ax.get_yticklabels()][:3] == ["C", "C#", "D"]
        with pytest.raises(ParameterError):
            display.specshow(S, y_axis="bogus", ax=ax)
        with pytest.raises(ParameterError):
            display.specshow(S.astype(np.complex64), ax=ax)
        with pytest.raises(ParameterError):
            display.specshow(np.ones((3, 4)), y_axis="cwt", freqs=[1.0, 2.0], ax=ax)
        with pytest.raises(ParameterError):
            display.waveshow(np.ones((2, 3, 4)), ax=ax)
        with pytest.raises(ParameterError):
            display.waveshow(np.ones(5, dtype=np.int16), ax=ax)
        long = np.sin(np.arange(100_000) / 10.0)
        display.waveshow(long, sr=SR, ax=ax)  # drawn as an envelope
    finally:
        plt.close(fig)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ferrosa", "plot", *args], capture_output=True, text=True
    )


def test_cli_plot_and_image(tmp_path: Path, wav: Path) -> None:
    out = tmp_path / "mel.png"
    r = run_cli(str(wav), "--kind", "mel", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert read_png(out).shape[:2] == (400, 1000)
    img = tmp_path / "cwt.png"
    r = run_cli(
        str(wav), "--kind", "cwt", "--wavelet", "mexh", "--image", "100x100", "--out", str(img)
    )
    assert r.returncode == 0, r.stderr
    pix = read_png(img)
    assert pix.shape == (100, 100)
    # equal to rendering the library's feature directly
    y, sr = ferrosa.load(str(wav), sr=SR)
    want = feature_to_image(compute_feature(y, sr, "cwt", wavelet="mexh").data, size=(100, 100))
    np.testing.assert_array_equal(np.round(pix * 255).astype(np.uint8), want)


def test_cli_failures(tmp_path: Path, wav: Path) -> None:
    r = run_cli(str(wav), "--kind", "wave", "--image", "64x64", "--out", str(tmp_path / "w.png"))
    assert r.returncode == 2 and "--image" in r.stderr
    r = run_cli(str(wav), "--kind", "mel", "--image", "0x5", "--out", str(tmp_path / "x.png"))
    assert r.returncode == 2
    r = run_cli(str(wav), "--kind", "nope", "--out", str(tmp_path / "x.png"))
    assert r.returncode == 2
    r = run_cli(str(tmp_path / "missing.wav"), "--out", str(tmp_path / "x.png"))
    assert r.returncode == 1
