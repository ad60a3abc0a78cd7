"""FeatureConfig, segmentation and featurisation (the path shared by prepare and predict)."""

from __future__ import annotations

import json

import ferrosa
import librosa
import numpy as np
import pytest
import soundfile as sf
from ferrosa.datasets import FeatureConfig, featurize, featurize_file, segment
from ferrosa.datasets.segment import segment_starts
from hypothesis import given, settings
from hypothesis import strategies as st

SR = 22050


def _signal(seconds, sr=SR, seed=0, channels=1):
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    t = np.arange(n) / sr
    y = 0.4 * np.sin(2 * np.pi * 330 * t) * np.exp(-t) + 0.05 * rng.standard_normal(n)
    y = y.astype(np.float32)
    if channels > 1:
        y = np.stack([y * (1 + 0.1 * c) for c in range(channels)])
    return y


def _close(got, want, tol=1e-5):
    """Within ``tol`` of the peak magnitude (float32 contract)."""
    assert got.shape == want.shape
    peak = max(float(np.max(np.abs(want))), 1e-12)
    err = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64))))
    assert err <= tol * peak, f"max error {err:.3g} > {tol:g} x peak {peak:.3g}"


# ----------------------------------------------------------------- config


def test_config_roundtrip_through_json():
    cfg = FeatureConfig(
        feature="mel",
        segment_seconds=1.5,
        segment_hop_seconds=0.5,
        tail="pad",
        short="drop",
        n_mels=64,
        deltas=2,
        fmin=30.0,
        fmax=8000.0,
        extra={"top_db": 60},
    )
    again = FeatureConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
    assert again == cfg
    assert cfg.segment_samples == int(1.5 * SR) and cfg.hop_samples == int(0.5 * SR)


def test_config_tutorial_segments_per_file():
    cfg = FeatureConfig(segment_seconds=None, segments_per_file=10)
    assert cfg.segment_samples == int(SR * 30 / 10)  # the tutorials' samples_per_segment
    assert FeatureConfig(segment_seconds=None).segment_samples is None


@pytest.mark.parametrize(
    "kw",
    [
        {"feature": "zcr"},
        {"sr": 0},
        {"sr": 22050.5},
        {"mono": "yes"},
        {"segment_seconds": -1.0},
        {"segment_seconds": float("nan")},
        {"segment_seconds": 1e-9},
        {"segments_per_file": 0},
        {"segment_hop_seconds": 0.0},
        {"tail": "keep"},
        {"short": "repeat"},
        {"n_fft": 0},
        {"hop_length": -512},
        {"n_mfcc": 1.5},
        {"n_mels": None},
        {"deltas": 3},
        {"deltas": True},
        {"fmin": -1.0},
        {"fmax": 0.0},
        {"fmin": 500.0, "fmax": 400.0},
        {"track_seconds": 0},
        {"extra": [1, 2]},
    ],
)
def test_config_parameter_errors(kw):
    with pytest.raises(ferrosa.ParameterError):
        FeatureConfig(**kw)


def test_config_from_dict_unknown_key():
    with pytest.raises(ferrosa.ParameterError, match="bogus"):
        FeatureConfig.from_dict({"bogus": 1})


# ----------------------------------------------------------------- segment


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(0, 5000),
    length=st.integers(1, 1200),
    hop=st.one_of(st.none(), st.integers(1, 1500)),
    tail=st.sampled_from(["drop", "pad"]),
    short=st.sampled_from(["pad", "drop"]),
    cap=st.one_of(st.none(), st.integers(1, 6)),
)
def test_segment_properties(n, length, hop, tail, short, cap):
    sr = 1000
    cfg = FeatureConfig(
        sr=sr,
        segment_seconds=length / sr,
        segment_hop_seconds=None if hop is None else hop / sr,
        tail=tail,
        short=short,
        segments_per_file=cap,
    )
    step = length if hop is None else hop
    y = np.arange(1, n + 1, dtype=np.float64)
    segs = segment(y, sr, cfg)
    starts = [s for s, _ in segs]
    assert starts == [k * step for k in range(len(segs))]
    if cap is not None:
        assert len(segs) <= cap
    for s, seg in segs:
        assert seg.shape == (length,)
        valid = min(length, n - s)
        assert valid > 0
        np.testing.assert_array_equal(seg[:valid], y[s : s + valid])
        assert not seg[valid:].any()  # zero padding only
    full = [s for s in starts if s + length <= n]
    if n == 0:
        assert segs == []
    elif n < length:
        assert len(segs) == (1 if short == "pad" else 0)
    else:
        n_full = (n - length) // step + 1
        expect = n_full
        last_end = (n_full - 1) * step + length
        if tail == "pad" and last_end < n and (n_full - 1) * step + step < n:
            expect += 1
        if cap is not None:
            expect = min(expect, cap)
        assert len(segs) == expect
        assert len(full) == min(n_full, len(segs))


def test_segment_multichannel_and_starts_helper():
    y = _signal(1.0, channels=2)
    cfg = FeatureConfig(segment_seconds=0.3, tail="pad")
    segs = segment(y, SR, cfg)
    assert [s for s, _ in segs] == [s for s, _ in segment_starts(y.shape[-1], cfg)]
    assert all(seg.shape == (2, cfg.segment_samples) for _, seg in segs)


def test_segment_errors():
    cfg = FeatureConfig(segment_seconds=1.0)
    with pytest.raises(ferrosa.ParameterError, match="sr=16000"):
        segment(np.zeros(100, np.float32), 16000, cfg)
    with pytest.raises(ferrosa.ParameterError):
        segment(np.zeros((2, 2, 100), np.float32), SR, cfg)
    with pytest.raises(ferrosa.ParameterError):
        segment(np.zeros(100, np.int16), SR, cfg)


# ----------------------------------------------------------------- featurize vs librosa


def _tutorial_mfcc(y, starts, length, **kw):
    """The tutorials' loop: librosa.feature.mfcc per segment (zero-padded like ours)."""
    y = np.pad(y, (0, length))
    return np.stack([librosa.feature.mfcc(y=y[s : s + length], sr=SR, **kw) for s in starts])


@pytest.mark.parametrize("deltas", [0, 1, 2])
def test_featurize_mfcc_matches_tutorial_loop(deltas):
    y = _signal(3.3, seed=deltas)
    cfg = FeatureConfig(segment_seconds=1.0, tail="pad", deltas=deltas)
    X = featurize(y, SR, cfg)
    starts = [s for s, _ in segment(y, SR, cfg)]
    want = _tutorial_mfcc(y, starts, cfg.segment_samples, n_mfcc=13, n_fft=2048, hop_length=512)
    assert X.dtype == np.float32 and X.shape == (4, 1 + deltas, 13, want.shape[-1])
    _close(X[:, 0], want)
    for k in range(1, deltas + 1):
        _close(X[:, k], librosa.feature.delta(want, order=k))


def test_featurize_mfcc_clamps_per_segment():
    # One loud and one nearly silent segment: librosa's top_db=80 clamp is per
    # call, so a batch must not clamp the quiet segment against the loud one.
    y = np.concatenate([_signal(1.0), 1e-6 * _signal(1.0, seed=3)])
    cfg = FeatureConfig(segment_seconds=1.0, n_mfcc=20)
    X = featurize(y, SR, cfg)
    want = _tutorial_mfcc(y, [0, SR], SR, n_mfcc=20)
    _close(X[:, 0], want)


def test_featurize_mfcc_nondefault_parameters():
    y = _signal(2.0, seed=5)
    cfg = FeatureConfig(
        segment_seconds=0.5,
        n_mfcc=20,
        n_mels=40,
        n_fft=1024,
        hop_length=256,
        fmin=50.0,
        fmax=7000.0,
        extra={"lifter": 22, "htk": True},
    )
    X = featurize(y, SR, cfg)
    kw = {
        "n_mfcc": 20,
        "n_mels": 40,
        "n_fft": 1024,
        "hop_length": 256,
        "fmin": 50.0,
        "fmax": 7000.0,
        "lifter": 22,
        "htk": True,
    }
    starts = [s for s, _ in segment(y, SR, cfg)]
    _close(X[:, 0], _tutorial_mfcc(y, starts, cfg.segment_samples, **kw))


def test_featurize_mel_db_matches_librosa():
    y = _signal(2.0, seed=6)
    cfg = FeatureConfig(feature="mel", segment_seconds=1.0, n_mels=64, extra={"top_db": 60.0})
    X = featurize(y, SR, cfg)
    for i, (_, seg) in enumerate(segment(y, SR, cfg)):
        S = librosa.feature.melspectrogram(y=seg, sr=SR, n_mels=64)
        _close(X[i, 0], librosa.power_to_db(S, top_db=60.0))


def test_featurize_stft_magnitude_matches_librosa():
    y = _signal(1.5, seed=7)
    cfg = FeatureConfig(feature="stft", segment_seconds=0.5, n_fft=512, hop_length=128)
    X = featurize(y, SR, cfg)
    for i, (_, seg) in enumerate(segment(y, SR, cfg)):
        _close(X[i, 0], np.abs(librosa.stft(seg, n_fft=512, hop_length=128)))
    cfg_db = cfg.replace(extra={"db": True, "ref": "max"})
    Xdb = featurize(y, SR, cfg_db)
    seg0 = segment(y, SR, cfg)[0][1]
    want = librosa.amplitude_to_db(
        np.abs(librosa.stft(seg0, n_fft=512, hop_length=128)), ref=np.max
    )
    _close(Xdb[0, 0], want)


def test_featurize_forms_agree():
    y = _signal(2.2, seed=8)
    cfg = FeatureConfig(segment_seconds=0.5, tail="pad")
    segs = segment(y, SR, cfg)
    a = featurize(y, SR, cfg)
    b = featurize(segs, SR, cfg)
    c = featurize([seg for _, seg in segs], SR, cfg)
    d = featurize(np.stack([seg for _, seg in segs]), SR, cfg)
    for other in (b, c, d):
        np.testing.assert_array_equal(a, other)
    assert a.flags["C_CONTIGUOUS"]


def test_featurize_resamples_a_recording():
    y44 = _signal(1.5, sr=44100, seed=9)
    cfg = FeatureConfig(segment_seconds=0.5)
    y22 = librosa.resample(y44, orig_sr=44100, target_sr=SR)
    np.testing.assert_array_equal(featurize(y44, 44100, cfg), featurize(y22, SR, cfg))


def test_featurize_stereo_channels():
    y = _signal(1.0, channels=2, seed=10)
    cfg = FeatureConfig(segment_seconds=0.5, mono=False, deltas=1)
    X = featurize(y, SR, cfg)
    assert X.shape[:3] == (2, 4, 13)
    # librosa's multichannel mfcc: one dB clamp over both channels of a segment.
    want = librosa.feature.mfcc(y=y[:, : cfg.segment_samples], sr=SR, n_mfcc=13)
    _close(X[0, :2], want)
    _close(X[0, 2:], librosa.feature.delta(want))


def test_featurize_stereo_config_takes_a_mono_recording():
    y = _signal(1.0, seed=13)
    cfg = FeatureConfig(segment_seconds=0.5, mono=False)
    np.testing.assert_array_equal(featurize(y, SR, cfg), featurize(y[None], SR, cfg))


def test_featurize_empty_gives_shaped_empty():
    cfg = FeatureConfig(segment_seconds=1.0, short="drop", deltas=1)
    X = featurize(_signal(0.5), SR, cfg)
    assert X.shape == (0, 2, 13, 44) and X.dtype == np.float32


def test_featurize_file_matches_librosa_load(tmp_path):
    y = _signal(2.6, sr=48000, channels=2, seed=11).T
    p = tmp_path / "x.flac"
    sf.write(p, y, 48000)
    cfg = FeatureConfig(segment_seconds=1.0)
    X, starts = featurize_file(p, cfg)
    ref, _ = librosa.load(p)
    assert list(starts) == [0, SR]
    _close(X[:, 0], _tutorial_mfcc(ref, starts, SR, n_mfcc=13))


@pytest.mark.parametrize(
    "bad",
    [
        lambda: featurize(
            np.array([0.0, np.nan] * 600, np.float32), SR, FeatureConfig(segment_seconds=0.01)
        ),
        lambda: featurize(np.zeros(2000, np.int32), SR, FeatureConfig(segment_seconds=0.01)),
        lambda: featurize([np.zeros(100, np.float32)], 16000, FeatureConfig()),
        lambda: featurize(
            [np.zeros(100, np.float32), np.zeros(50, np.float32)], SR, FeatureConfig()
        ),
        lambda: featurize(np.zeros((2, 3, 100), np.float32), SR, FeatureConfig()),
        lambda: featurize(np.zeros(100, np.float32), SR, {"feature": "mfcc"}),
    ],
)
def test_featurize_parameter_errors(bad):
    with pytest.raises(ferrosa.ParameterError):
        bad()


def test_missing_feature_function_is_a_clear_error(monkeypatch):
    monkeypatch.delattr(ferrosa.feature, "chroma_stft", raising=False)
    with pytest.raises(ferrosa.ParameterError, match="ferrosa.feature.chroma_stft"):
        featurize(_signal(0.5), SR, FeatureConfig(feature="chroma", segment_seconds=0.25))


def test_registry_is_one_entry_per_feature(monkeypatch):
    from ferrosa.datasets import features

    assert set(features.REGISTRY) == {"mfcc", "mel", "stft", "chroma", "stack", "cwt", "logspec"}
    calls = []

    def fake(batch, sr, cfg):
        calls.append(batch.shape)
        return np.ones((batch.shape[0], 3, 5))

    monkeypatch.setitem(features.REGISTRY, "cwt", fake)
    X = featurize(_signal(1.0), SR, FeatureConfig(feature="cwt", segment_seconds=0.5))
    assert X.shape == (2, 1, 3, 5) and calls == [(2, SR // 2)]


def test_featurize_cwt_is_the_scalogram_of_each_segment():
    y = _signal(1.2, seed=12)
    cfg = FeatureConfig(
        feature="cwt",
        segment_seconds=0.5,
        hop_length=256,
        fmin=60.0,
        fmax=4000.0,
        extra={"n_bins": 24, "db": True},
    )
    X = featurize(y, SR, cfg)
    for i, (_, seg) in enumerate(segment(y, SR, cfg)):
        want = ferrosa.feature.scalogram(
            seg, sr=SR, n_bins=24, hop_length=256, fmin=60.0, fmax=4000.0, db=True
        )
        np.testing.assert_array_equal(X[i, 0], want.astype(np.float32))


def test_stack_dict_is_concatenated_in_the_requested_order(monkeypatch):
    # The descriptor stack returns {name: (k, T) or (T,)}; rows follow config.extra["features"].
    def fake_stack(y, sr, features, n_fft, hop_length, **params):
        T = 1 + len(y) // hop_length
        out = {
            "zcr": np.full(T, 1.0),
            "mfcc": np.full((3, T), 2.0),
            "centroid": np.full((1, T), 3.0),
        }
        return {k: out[k] for k in reversed(features)}  # dict order must not matter

    monkeypatch.setattr(ferrosa.feature, "stack", fake_stack, raising=False)
    cfg = FeatureConfig(
        feature="stack", segment_seconds=0.5, extra={"features": ["mfcc", "zcr", "centroid"]}
    )
    X = featurize(_signal(1.0), SR, cfg)
    assert X.shape == (2, 1, 5, 1 + cfg.segment_samples // 512)
    np.testing.assert_array_equal(X[0, 0, :, 0], [2, 2, 2, 1, 3])


def test_featurize_chroma_matches_librosa_per_segment():
    # chroma_stft's default tuning estimate looks at its whole input: per segment, as librosa.
    t = np.arange(int(1.5 * SR)) / SR
    y = 0.4 * np.sin(2 * np.pi * 261.6 * t) + 0.3 * np.sin(2 * np.pi * 392.0 * t)
    y = (y + 0.01 * np.random.default_rng(14).standard_normal(t.size)).astype(np.float32)
    cfg = FeatureConfig(feature="chroma", segment_seconds=0.5, hop_length=256)
    X = featurize(y, SR, cfg)
    assert X.shape[:3] == (3, 1, 12)
    for i, (_, seg) in enumerate(segment(y, SR, cfg)):
        _close(X[i, 0], librosa.feature.chroma_stft(y=seg, sr=SR, n_fft=2048, hop_length=256))


def test_featurize_stack_matches_librosa_per_feature():
    y = _signal(1.5, seed=15)
    names = ["mfcc", "spectral_centroid", "zero_crossing_rate", "rms"]
    cfg = FeatureConfig(feature="stack", segment_seconds=0.5, extra={"features": names})
    X = featurize(y, SR, cfg)
    assert X.shape[:3] == (3, 1, 13 + 3)
    for i, (_, seg) in enumerate(segment(y, SR, cfg)):
        _close(X[i, 0, :13], librosa.feature.mfcc(y=seg, sr=SR, n_mfcc=13))
        _close(X[i, 0, 13:14], librosa.feature.spectral_centroid(y=seg, sr=SR))
        _close(X[i, 0, 14:15], librosa.feature.zero_crossing_rate(seg, frame_length=2048))
        _close(X[i, 0, 15:16], librosa.feature.rms(y=seg, frame_length=2048))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"top_db": 60.0},
        {"top_db": 0},
        {"top_db": None},
        {"ref": 2.5, "amin": 1e-8},
        {"ref": np.max},
        {"ref": np.max, "top_db": 40.0},
    ],
)
@pytest.mark.parametrize("fn", [ferrosa.power_to_db, ferrosa.amplitude_to_db])
def test_batched_db_is_the_per_segment_loop(fn, kw, dtype):
    from ferrosa.datasets.features import _per_segment_db

    rng = np.random.default_rng(0)
    # Segments 100 dB apart: a clamp over the batch would floor the quiet ones.
    S = rng.random((5, 2, 16, 9)) * np.array([1.0, 1e-5, 1e-10, 3.0, 0.0])[:, None, None, None]
    S = S.astype(dtype)
    want = np.stack([fn(s, **kw) for s in S])
    got = _per_segment_db(S, fn, kw)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    with pytest.raises(ferrosa.ParameterError, match="top_db"):
        _per_segment_db(S, fn, {**kw, "top_db": -1.0})
