"""Numpy parts of ferrosa.ml: normalisation, augmentation, metrics (no Keras needed)."""

from __future__ import annotations

import numpy as np
import pytest
from ferrosa import ParameterError
from ferrosa.ml import augment, metrics
from ferrosa.ml.normalize import Normalizer, peak_normalize, to_model_layout
from ferrosa.ml.presets import Preset, get_preset, recommended_features
from hypothesis import given, settings
from hypothesis import strategies as st


def _db_batch(n: int = 6, c: int = 1, f: int = 16, t: int = 20, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.uniform(-80, 0, (n, c, f, t)) + np.linspace(0, 20, f)[None, None, :, None]).astype(
        np.float32
    )


def test_import_ml_does_not_import_keras() -> None:
    import subprocess
    import sys

    code = (
        "import sys, ferrosa, ferrosa.ml, ferrosa.ml.normalize, ferrosa.ml.augment;"
        "import ferrosa.cli; ferrosa.cli.build_parser();"
        "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_to_model_layout() -> None:
    X = _db_batch(3, 2, 5, 7)
    out = to_model_layout(X)
    assert out.shape == (3, 7, 5, 2) and out.dtype == np.float32 and out.flags.c_contiguous
    assert out[1, 4, 3, 1] == X[1, 1, 3, 4]
    with pytest.raises(ParameterError):
        to_model_layout(X[0])


def test_band_normalizer_fits_train_only() -> None:
    train, test = _db_batch(seed=1), _db_batch(seed=2) + 30.0
    norm = Normalizer.fit(train, peak=False, band=True)
    z = norm.transform(train)
    np.testing.assert_allclose(z.mean(axis=(0, 3)), 0.0, atol=1e-4)
    np.testing.assert_allclose(z.std(axis=(0, 3)), 1.0, atol=1e-3)
    # The test data's offset survives: statistics came from train alone.
    assert norm.transform(test).mean() > 1.0
    again = Normalizer.from_dict(norm.to_dict())
    np.testing.assert_array_equal(again.transform(test), norm.transform(test))


def test_normalizer_chunked_fit_matches_direct() -> None:
    X = _db_batch(n=1300, f=4, t=3, seed=3)
    norm = Normalizer.fit(X, peak=False, band=True)
    np.testing.assert_allclose(norm.mean, X.astype(np.float64).mean(axis=(0, 3)), rtol=1e-5)
    np.testing.assert_allclose(norm.std, X.astype(np.float64).std(axis=(0, 3)), rtol=1e-4)


@given(st.floats(-40, 40))
@settings(max_examples=25, deadline=None)
def test_peak_normalize_is_gain_invariant(gain_db: float) -> None:
    X = _db_batch(3, 2, 8, 10, seed=4)
    shifted = X.copy()
    shifted[:, 0] += np.float32(gain_db)
    np.testing.assert_allclose(peak_normalize(shifted, 80.0), peak_normalize(X, 80.0), atol=1e-3)
    out = peak_normalize(X, 60.0)
    assert out[:, 0].max() == pytest.approx(0.0) and out[:, 0].min() >= -60.0
    np.testing.assert_array_equal(out[:, 1], X[:, 1])  # delta channel untouched


def test_normalizer_channel_mismatch() -> None:
    norm = Normalizer.fit(_db_batch(f=16), peak=False, band=True)
    with pytest.raises(ParameterError, match="fitted on"):
        norm.transform(_db_batch(f=12))
    with pytest.raises(ParameterError):
        Normalizer.fit(np.zeros((0, 1, 4, 4), np.float32), peak=False, band=True)


def test_signal_augment_p0_is_identity_and_p1_perturbs() -> None:
    X = _db_batch(seed=5)
    same = augment.signal_augment(X, np.random.default_rng(0), frame_rate=43.0, p=0.0)
    np.testing.assert_allclose(same, X, atol=1e-3)
    out = augment.signal_augment(X, np.random.default_rng(0), frame_rate=43.0, p=1.0)
    assert out.shape == X.shape and out.dtype == np.float32 and np.isfinite(out).all()
    assert np.abs(out - X).mean() > 0.5
    again = augment.signal_augment(X, np.random.default_rng(0), frame_rate=43.0, p=1.0)
    np.testing.assert_array_equal(out, again)


def test_signal_augment_noise_fills_quiet_bands() -> None:
    # A loud band and silent bands: noise at >= 15 dB SNR lifts the silence, barely moves the peak.
    X = np.full((1, 1, 8, 50), -100.0, np.float32)
    X[0, 0, 3] = 0.0
    rng = np.random.default_rng(7)
    found = False
    for _ in range(20):
        out = augment.signal_augment(X, rng, frame_rate=43.0, p=0.5)[0, 0]
        quiet = np.delete(out, 3, axis=0)
        if quiet.mean() > -60:  # this draw added noise
            found = True
            assert out[3].mean() - quiet.mean() > 5.0
    assert found


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=20, deadline=None)
def test_spec_augment_masks(seed: int) -> None:
    X = np.ones((4, 40, 32, 1), np.float32)
    out = augment.spec_augment(X, np.random.default_rng(seed), (2, 8, 2, 8))
    assert out.shape == X.shape and X.min() == 1.0  # input untouched
    for i in range(4):
        zero_rows = np.all(out[i, :, :, 0] == 0, axis=1).sum()
        zero_cols = np.all(out[i, :, :, 0] == 0, axis=0).sum()
        assert zero_rows <= 2 * (40 // 8) and zero_cols <= 2 * (32 // 8)
    assert augment.spec_augment(X, np.random.default_rng(seed), ()) is X


@given(st.integers(0, 2**32 - 1), st.floats(0.05, 2.0))
@settings(max_examples=25, deadline=None)
def test_mixup_convex_and_dominant(seed: int, alpha: float) -> None:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(8, 3, 4, 1)).astype(np.float32)
    labels = rng.integers(0, 5, 8)
    Y = np.eye(5, dtype=np.float32)[labels]
    xm, ym = augment.mixup(X, Y, np.random.default_rng(seed), alpha)
    np.testing.assert_allclose(ym.sum(axis=1), 1.0, rtol=1e-6)
    assert (ym[np.arange(8), labels] >= 0.5 - 1e-6).all()
    # Each mixed example is lam*x_i + (1-lam)*x_j with the lam of its label row.
    lam = ym[np.arange(8), labels]
    assert np.all(np.abs(xm) <= np.abs(X).max() + 1e-5)
    assert xm.shape == X.shape and lam.shape == (8,)


def _clip_vote_reference(probs, sources, labels):
    order = list(dict.fromkeys(sources))
    p = np.array([probs[[s == o for s in sources]].mean(axis=0) for o in order])
    lab = np.array([labels[list(sources).index(o)] for o in order])
    return np.array(order), p, lab


@given(st.integers(0, 2**32 - 1), st.integers(1, 30))
@settings(max_examples=30, deadline=None)
def test_clip_vote_matches_loop(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    sources = np.array([f"f{k}" for k in rng.integers(0, 6, n)])
    clip_label = {s: int(rng.integers(0, 3)) for s in set(sources)}
    labels = np.array([clip_label[s] for s in sources])
    probs = rng.dirichlet(np.ones(3), n)
    src, p, lab = metrics.clip_vote(probs, sources, labels)
    ref_src, ref_p, ref_lab = _clip_vote_reference(probs, sources, labels)
    np.testing.assert_array_equal(src, ref_src)
    np.testing.assert_allclose(p, ref_p, rtol=1e-12)
    np.testing.assert_array_equal(lab, ref_lab)


def test_clip_vote_rejects_mixed_labels_and_bad_shapes() -> None:
    with pytest.raises(ParameterError):
        metrics.clip_vote(np.ones((2, 2)) / 2, np.array(["a", "a"]), np.array([0, 1]))
    with pytest.raises(ParameterError):
        metrics.clip_vote(np.ones((3, 2)) / 2, np.array(["a", "a"]))


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_report_matches_sklearn(seed: int) -> None:
    from sklearn import metrics as skm

    rng = np.random.default_rng(seed)
    y_true, y_pred = rng.integers(0, 4, 40), rng.integers(0, 4, 40)
    names = ["a", "b", "c", "d"]
    r = metrics.report(y_true, y_pred, names)
    p, rc, f, s = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=range(4), zero_division=0
    )
    assert r["accuracy"] == pytest.approx(skm.accuracy_score(y_true, y_pred))
    for i, name in enumerate(names):
        assert r["per_class"][name]["precision"] == pytest.approx(p[i])
        assert r["per_class"][name]["recall"] == pytest.approx(rc[i])
        assert r["per_class"][name]["f1"] == pytest.approx(f[i])
        assert r["per_class"][name]["support"] == s[i]
    np.testing.assert_array_equal(
        r["confusion"], skm.confusion_matrix(y_true, y_pred, labels=range(4))
    )


def test_presets() -> None:
    seed, default = get_preset("seed"), get_preset("default")
    assert seed.learning_rate == 1e-4 and not seed.soft_labels and not seed.band_normalize
    assert default.band_normalize and default.mixup_alpha > 0 and default.spec_augment
    assert Preset.from_dict(default.to_dict()) == default
    assert recommended_features("seed")["n_mfcc"] == 13
    assert recommended_features("default")["feature"] == "mel"
    with pytest.raises(ParameterError, match="preset='best'"):
        get_preset("best")
    with pytest.raises(ParameterError):
        recommended_features("best")
