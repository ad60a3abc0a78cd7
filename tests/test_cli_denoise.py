"""``ferrosa denoise`` round trip."""

from __future__ import annotations

import numpy as np
import pytest
from ferrosa.cli import main
from ferrosa.effects import reduce_noise

sf = pytest.importorskip("soundfile")


def _write(path, y, sr):
    sf.write(str(path), y.astype(np.float32).T, sr, subtype="FLOAT")


def test_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    sr = 8000
    t = np.arange(2 * sr) / sr
    y = (0.5 * np.sin(2 * np.pi * 300 * t) + 0.05 * rng.standard_normal(t.size)).astype(np.float32)
    noise = (0.05 * rng.standard_normal(sr)).astype(np.float32)
    _write(tmp_path / "in.wav", y, sr)
    _write(tmp_path / "noise.wav", noise, sr)
    out = tmp_path / "out.wav"
    rc = main(
        [
            "denoise",
            str(tmp_path / "in.wav"),
            str(out),
            "--noise",
            str(tmp_path / "noise.wav"),
            "--stationary",
        ]
    )
    assert rc == 0
    got, sr_out = sf.read(str(out), dtype="float32")
    assert sr_out == sr
    want = reduce_noise(y, sr, stationary=True, y_noise=noise)
    np.testing.assert_allclose(got, want, atol=1e-6)
    assert main(["denoise", str(tmp_path / "in.wav"), str(tmp_path / "nonstat.wav")]) == 0


def test_rate_mismatch(tmp_path, capsys):
    _write(tmp_path / "in.wav", np.random.default_rng(1).standard_normal(8000), 8000)
    _write(tmp_path / "noise.wav", np.random.default_rng(2).standard_normal(16000), 16000)
    rc = main(
        [
            "denoise",
            str(tmp_path / "in.wav"),
            str(tmp_path / "o.wav"),
            "--noise",
            str(tmp_path / "noise.wav"),
            "--stationary",
        ]
    )
    assert rc == 2
    assert "sr_noise" in capsys.readouterr().err
