"""``prepare --denoise``: spectral gating before featurising, recorded in the store."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ferrosa import datasets
from ferrosa.cli import main
from ferrosa.datasets import FeatureConfig
from ferrosa.datasets.denoise import denoise_recording
from ferrosa.effects import reduce_noise
from ferrosa.exceptions import ParameterError

sf = pytest.importorskip("soundfile")
SR = 22050


def _folder(root):
    rng = np.random.default_rng(3)
    t = np.arange(int(1.5 * SR)) / SR
    for label, f0 in (("low", 220.0), ("high", 880.0)):
        (root / label).mkdir(parents=True)
        for i in range(2):
            y = 0.4 * np.sin(2 * np.pi * f0 * (1 + 0.01 * i) * t) + 0.05 * rng.standard_normal(
                t.size
            )
            sf.write(str(root / label / f"{i}.wav"), y.astype(np.float32), SR, subtype="FLOAT")
    return root


@pytest.mark.parametrize("mode", ["stationary", "nonstationary"])
def test_store_holds_the_features_of_the_denoised_recordings(tmp_path, mode):
    data = _folder(tmp_path / "data")
    rc = main(
        [
            "prepare",
            str(data),
            str(tmp_path / "store"),
            "--feature",
            "mel",
            "--segment-seconds",
            "1.0",
            "--denoise",
            mode,
        ]
    )
    assert rc == 0
    meta = json.loads((tmp_path / "store" / "meta.json").read_text())
    assert meta["config"]["denoise"] == mode
    store = datasets.open_store(tmp_path / "store")
    config = store.config
    assert config.denoise == mode
    # One recording by hand: load, denoise the whole recording, then featurise.
    path = data / "low" / "0.wav"
    want, _ = datasets.featurize_file(path, config)
    plain, _ = datasets.featurize_file(path, config.replace(denoise=None))
    assert not np.allclose(want, plain)  # the step really changes the features
    rows = [
        i
        for i, (src, seg) in enumerate(zip(store.sources, store.segments, strict=True))
        if str(src).endswith("low/0.wav") and seg == 0
    ]
    assert len(rows) == 1, "the recording's first segment is in the store"
    got = np.asarray(store.X[rows[0]])
    np.testing.assert_allclose(got, want[0], rtol=1e-5, atol=1e-5)


def test_denoise_recording_is_reduce_noise():
    rng = np.random.default_rng(0)
    y = (np.sin(np.arange(SR) * 0.05) + 0.1 * rng.standard_normal(SR)).astype(np.float32)
    cfg = FeatureConfig(feature="mel", denoise="stationary")
    np.testing.assert_array_equal(denoise_recording(y, cfg), reduce_noise(y, SR, stationary=True))
    assert denoise_recording(y, cfg.replace(denoise=None)) is y


def test_bad_denoise_value_names_it():
    with pytest.raises(ParameterError, match="denoise='loud'"):
        FeatureConfig(denoise="loud")
    with pytest.raises(ParameterError, match="denoise"):
        FeatureConfig(extra={"denoise": "stationary"})
