"""Time-domain and spectral descriptors against librosa 0.11.

Same keyword arguments on both sides, default and non-default; outputs must
agree to 1e-5 of the peak for float32 input and 1e-9 for float64 (zero
crossing counts exactly), with the same shape and dtype.
"""

from __future__ import annotations

from typing import Any

import ferrosa
import librosa
import numpy as np
import pytest
from conftest import SR, assert_close_to_peak, make_chirp, make_noise, make_tones
from ferrosa import ParameterError
from hypothesis import given, settings
from hypothesis import strategies as st

N = SR  # one second


def _signal(kind: str, dtype: Any) -> np.ndarray:
    if kind == "noise":
        return make_noise(N, dtype, seed=3)
    if kind == "chirp":
        return make_chirp(N, dtype)
    if kind == "tones+silence":
        y = make_tones(N, dtype)
        y[N // 4 : N // 2] = 0  # a stretch of exact silence
        return y
    y = np.stack([make_tones(N, dtype), make_noise(N, dtype, seed=5)])
    return y  # "stereo"


KINDS = ["noise", "chirp", "tones+silence", "stereo"]
DTYPES = [np.float32, np.float64]


def check(got: np.ndarray, want: np.ndarray, dtype: Any) -> None:
    """Same shape and dtype; values to the input precision's tolerance."""
    assert got.dtype == want.dtype, f"dtype {got.dtype} != {want.dtype}"
    assert_close_to_peak(got, want, dtype=dtype)


SPECTRAL_CASES = [
    ("spectral_centroid", {}),
    ("spectral_centroid", {"n_fft": 1024, "hop_length": 256, "window": "hamming"}),
    ("spectral_bandwidth", {}),
    ("spectral_bandwidth", {"p": 1, "norm": False}),
    ("spectral_bandwidth", {"p": 3.5, "center": False}),
    ("spectral_rolloff", {}),
    ("spectral_rolloff", {"roll_percent": 0.1, "pad_mode": "reflect"}),
    ("spectral_rolloff", {"roll_percent": 0.99, "n_fft": 512, "win_length": 256}),
    ("spectral_flatness", {}),
    ("spectral_flatness", {"power": 1.0, "amin": 1e-6}),
    ("spectral_flatness", {"power": 3.0, "n_fft": 1024}),
    ("spectral_contrast", {}),
    ("spectral_contrast", {"linear": True}),
    ("spectral_contrast", {"fmin": 100.0, "n_bands": 4, "quantile": 0.1, "n_fft": 4096}),
]
NEEDS_SR = {"spectral_centroid", "spectral_bandwidth", "spectral_rolloff", "spectral_contrast"}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("name", "kwargs"), SPECTRAL_CASES)
def test_spectral_from_audio(name: str, kwargs: dict, kind: str, dtype: Any) -> None:
    y = _signal(kind, dtype)
    kw = dict(kwargs, sr=SR) if name in NEEDS_SR else dict(kwargs)
    got = getattr(ferrosa.feature, name)(y=y, **kw)
    want = getattr(librosa.feature, name)(y=y, **kw)
    check(got, want, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "kwargs"), SPECTRAL_CASES[::2])
def test_spectral_from_spectrogram(name: str, kwargs: dict, dtype: Any) -> None:
    y = _signal("stereo", dtype)
    stft_kw = {k: kwargs[k] for k in ("n_fft", "window", "center") if k in kwargs}
    S = np.abs(librosa.stft(y, hop_length=512, **stft_kw))
    kw = {k: v for k, v in kwargs.items() if k not in stft_kw}
    if name in NEEDS_SR:
        kw["sr"] = SR
    got = getattr(ferrosa.feature, name)(S=S, **kw)
    want = getattr(librosa.feature, name)(S=S, **kw)
    check(got, want, dtype)
    # A C-ordered copy changes numpy's summation order, not the answer.
    got_c = getattr(ferrosa.feature, name)(S=np.ascontiguousarray(S[0]), **kw)
    check(got_c, getattr(librosa.feature, name)(S=np.ascontiguousarray(S[0]), **kw), dtype)


def test_bandwidth_with_given_centroid_and_freq() -> None:
    y = _signal("chirp", np.float64)
    S = np.abs(librosa.stft(y))
    freq = np.linspace(0, SR / 2, S.shape[0]) * 1.01
    c = librosa.feature.spectral_centroid(S=S, sr=SR, freq=freq)
    for kw in ({"centroid": c}, {"centroid": c * 0.9, "freq": freq}, {"freq": freq, "p": 1}):
        got = ferrosa.feature.spectral_bandwidth(S=S, sr=SR, **kw)
        check(got, librosa.feature.spectral_bandwidth(S=S, sr=SR, **kw), np.float64)
    for name in ("spectral_centroid", "spectral_rolloff"):
        got = getattr(ferrosa.feature, name)(S=S, sr=SR, freq=freq)
        check(got, getattr(librosa.feature, name)(S=S, sr=SR, freq=freq), np.float64)


RMS_CASES = [
    {},
    {"frame_length": 1024, "hop_length": 256, "center": False},
    {"pad_mode": "reflect", "frame_length": 1001, "hop_length": 300},
    {"pad_mode": "wrap"},
    {"pad_mode": "edge", "dtype": np.float64},
    {"pad_mode": "mean", "frame_length": 512, "hop_length": 512},
    {"frame_length": 7, "hop_length": 1},
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("kwargs", RMS_CASES)
def test_rms_from_audio(kwargs: dict, kind: str, dtype: Any) -> None:
    y = _signal(kind, dtype)
    want = librosa.feature.rms(y=y, **kwargs)
    got = ferrosa.feature.rms(y=y, **kwargs)
    # The output dtype is rms's `dtype`; the tolerance follows the looser precision.
    tol_dtype = np.float32 if np.float32 in (dtype, want.dtype) else np.float64
    check(got, want, tol_dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("frame_length", [2048, 2047])
def test_rms_from_spectrogram(dtype: Any, frame_length: int) -> None:
    y = _signal("stereo", dtype)
    S = np.abs(librosa.stft(y, n_fft=frame_length))
    for out_dtype in (np.float32, np.float64):
        got = ferrosa.feature.rms(S=S, frame_length=frame_length, dtype=out_dtype)
        want = librosa.feature.rms(S=S, frame_length=frame_length, dtype=out_dtype)
        check(got, want, np.float32 if np.float32 in (dtype, out_dtype) else np.float64)


ZCR_CASES = [
    {},
    {"frame_length": 1001, "hop_length": 77, "center": False},
    {"threshold": 0.05, "ref_magnitude": np.max, "pad": True},
    {"threshold": 0.01, "ref_magnitude": 2.0, "zero_pos": False},
    {"threshold": 0.0, "zero_pos": False, "frame_length": 64, "hop_length": 1},
    {"ref_magnitude": lambda a: np.percentile(a, 90), "threshold": 0.1},
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("kwargs", ZCR_CASES)
def test_zero_crossing_rate_is_exact(kwargs: dict, kind: str, dtype: Any) -> None:
    y = _signal(kind, dtype)
    got = ferrosa.feature.zero_crossing_rate(y, **kwargs)
    want = librosa.feature.zero_crossing_rate(y, **kwargs)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"pad": False, "zero_pos": False},
        {"threshold": 0.2, "ref_magnitude": np.max},
        {"threshold": 0.0, "axis": 0},
    ],
)
def test_zero_crossings_is_exact(kwargs: dict, dtype: Any) -> None:
    y = _signal("stereo", dtype)
    y[:, 100:120] = 0
    y[:, 130] = -0.0
    got = ferrosa.zero_crossings(y, **kwargs)
    want = librosa.zero_crossings(y, **kwargs)
    assert got.dtype == want.dtype == np.bool_
    np.testing.assert_array_equal(got, want)


def test_zero_crossings_handles_nan_like_librosa() -> None:
    y = np.array([0.5, np.nan, np.nan, -0.5, 0.0, 1.0], dtype=np.float32)
    for zero_pos in (True, False):
        np.testing.assert_array_equal(
            ferrosa.zero_crossings(y, zero_pos=zero_pos),
            librosa.zero_crossings(y, zero_pos=zero_pos),
        )


@pytest.mark.parametrize("pad_mode", ["constant", "reflect", "edge", "wrap", "symmetric"])
@pytest.mark.parametrize(
    ("frame_length", "hop_length", "center"), [(2048, 512, True), (1000, 333, False), (5, 1, True)]
)
def test_amplitude_envelope_definition(
    pad_mode: str, frame_length: int, hop_length: int, center: bool
) -> None:
    y = _signal("stereo", np.float32)
    got = ferrosa.feature.amplitude_envelope(
        y, frame_length=frame_length, hop_length=hop_length, center=center, pad_mode=pad_mode
    )
    yp = y
    if center:
        yp = np.pad(y, [(0, 0), (frame_length // 2, frame_length // 2)], mode=pad_mode)
    frames = librosa.util.frame(yp, frame_length=frame_length, hop_length=hop_length)
    want = np.abs(frames).max(axis=-2, keepdims=True)
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    # Same frame count as rms with the same arguments.
    r = ferrosa.feature.rms(y=y, frame_length=frame_length, hop_length=hop_length, center=center)
    assert r.shape == got.shape


# --- edge cases --------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_silence_follows_librosa(dtype: Any) -> None:
    y = np.zeros(4096, dtype=dtype)
    for name in ("spectral_centroid", "spectral_bandwidth", "spectral_rolloff"):
        got = getattr(ferrosa.feature, name)(y=y, sr=SR)
        want = getattr(librosa.feature, name)(y=y, sr=SR)
        np.testing.assert_array_equal(got, want)
    check(ferrosa.feature.spectral_flatness(y=y), librosa.feature.spectral_flatness(y=y), dtype)
    check(
        ferrosa.feature.spectral_contrast(y=y, sr=SR),
        librosa.feature.spectral_contrast(y=y, sr=SR),
        dtype,
    )
    np.testing.assert_array_equal(ferrosa.feature.rms(y=y), librosa.feature.rms(y=y))
    np.testing.assert_array_equal(
        ferrosa.feature.zero_crossing_rate(y), librosa.feature.zero_crossing_rate(y)
    )
    assert not ferrosa.feature.amplitude_envelope(y).any()


@pytest.mark.parametrize("n", [1, 100, 2048])
def test_single_frame(n: int) -> None:
    y = make_noise(n, np.float64, seed=9)
    for name in ("spectral_centroid", "spectral_rolloff", "spectral_bandwidth"):
        got = getattr(ferrosa.feature, name)(y=y, sr=SR, n_fft=2048, hop_length=4096)
        want = getattr(librosa.feature, name)(y=y, sr=SR, n_fft=2048, hop_length=4096)
        assert got.shape == want.shape == (1, 1)
        check(got, want, np.float64)
    got = ferrosa.feature.rms(y=y, frame_length=n, hop_length=n, center=False)
    check(got, librosa.feature.rms(y=y, frame_length=n, hop_length=n, center=False), np.float32)
    got = ferrosa.feature.zero_crossing_rate(y, frame_length=n, hop_length=n, center=False)
    want = librosa.feature.zero_crossing_rate(y, frame_length=n, hop_length=n, center=False)
    np.testing.assert_array_equal(got, want)


def test_nan_input() -> None:
    y = make_noise(4096, np.float32)
    y[1000] = np.nan
    for call in (
        lambda: ferrosa.feature.spectral_centroid(y=y),
        lambda: ferrosa.feature.spectral_contrast(y=y),
        lambda: ferrosa.feature.zero_crossing_rate(y),
        lambda: ferrosa.feature.amplitude_envelope(y),
    ):
        with pytest.raises(ParameterError):
            call()
    # rms does not validate (as librosa): NaN stays inside the frames it touches.
    got = ferrosa.feature.rms(y=y, frame_length=512, hop_length=128)
    want = librosa.feature.rms(y=y, frame_length=512, hop_length=128)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    check(got[~np.isnan(got)], want[~np.isnan(want)], np.float32)


# --- ParameterError for every refusal librosa makes ---------------------------

Y = make_noise(4096, np.float32)
S_NEG = -np.ones((1025, 4), dtype=np.float32)
S_CPLX = np.ones((1025, 4), dtype=np.complex64)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.feature.spectral_rolloff(y=Y, roll_percent=0.0),
        lambda m: m.feature.spectral_rolloff(y=Y, roll_percent=1.0),
        lambda m: m.feature.spectral_rolloff(y=Y, roll_percent=1.5),
        lambda m: m.feature.spectral_flatness(y=Y, amin=0.0),
        lambda m: m.feature.spectral_contrast(y=Y, n_bands=0),
        lambda m: m.feature.spectral_contrast(y=Y, n_bands=2.5),
        lambda m: m.feature.spectral_contrast(y=Y, quantile=0.0),
        lambda m: m.feature.spectral_contrast(y=Y, quantile=1.0),
        lambda m: m.feature.spectral_contrast(y=Y, fmin=0.0),
        lambda m: m.feature.spectral_contrast(y=Y, fmin=2000.0, n_bands=6),
        lambda m: m.feature.spectral_contrast(y=Y, freq=np.arange(10.0)),
        lambda m: m.feature.spectral_centroid(S=S_NEG),
        lambda m: m.feature.spectral_centroid(S=S_CPLX),
        lambda m: m.feature.spectral_bandwidth(S=S_NEG),
        lambda m: m.feature.spectral_bandwidth(S=S_CPLX),
        lambda m: m.feature.spectral_rolloff(S=S_NEG),
        lambda m: m.feature.spectral_rolloff(S=S_CPLX),
        lambda m: m.feature.spectral_flatness(S=S_NEG),
        lambda m: m.feature.spectral_flatness(S=S_CPLX),
        lambda m: m.feature.spectral_centroid(),
        lambda m: m.feature.spectral_centroid(y=Y, n_fft=None),
        lambda m: m.feature.rms(S=np.ones((100, 3)), frame_length=2048),
        lambda m: m.feature.rms(),
        lambda m: m.feature.rms(y=Y, frame_length=8192, center=False),
        lambda m: m.feature.zero_crossing_rate(Y.astype(int)),
        lambda m: m.feature.zero_crossing_rate(Y, frame_length=8192, center=False),
        lambda m: m.feature.spectral_centroid(y=Y, n_fft=8192, center=False),
        lambda m: m.feature.spectral_centroid(y=Y.astype(int)),
    ],
)
def test_parameter_errors_match_librosa(call: Any) -> None:
    with pytest.raises(librosa.util.exceptions.ParameterError):
        call(librosa)
    with pytest.raises(ParameterError):
        call(ferrosa)


@pytest.mark.parametrize(
    "call",
    [
        lambda: ferrosa.feature.spectral_bandwidth(y=Y, p=0),
        lambda: ferrosa.feature.spectral_centroid(y=Y, sr=0),
        lambda: ferrosa.feature.spectral_centroid(y=Y, freq=np.ones(7)),
        lambda: ferrosa.feature.spectral_bandwidth(y=Y, centroid=np.ones((1, 3))),
        lambda: ferrosa.feature.amplitude_envelope(Y, pad_mode="mean"),
        lambda: ferrosa.feature.amplitude_envelope(Y, frame_length=0),
        lambda: ferrosa.feature.rms(y=Y, hop_length=0),
        lambda: ferrosa.zero_crossings(Y, ref_magnitude=np.ones(3)),
        lambda: ferrosa.zero_crossings(Y, axis=3),
        # librosa fails inside np.pad (a plain ValueError) here.
        lambda: ferrosa.feature.zero_crossing_rate(np.zeros(0, np.float32)),
    ],
)
def test_ferrosa_only_refusals(call: Any) -> None:
    """Arguments librosa lets through to nonsense or a crash: refused up front."""
    with pytest.raises(ParameterError):
        call()


# --- properties -----------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(k=st.integers(min_value=5, max_value=1000), amp=st.floats(0.01, 10.0))
def test_centroid_of_pure_tone_is_its_frequency(k: int, amp: float) -> None:
    # A tone centred on a bin, analysed with a wide hann window: the
    # magnitude-weighted mean frequency sits within one bin of the tone.
    n_fft = 2048
    freq = k * SR / n_fft
    t = np.arange(4 * n_fft) / SR
    y = amp * np.sin(2 * np.pi * freq * t)
    c = ferrosa.feature.spectral_centroid(y=y, sr=SR, n_fft=n_fft, center=False)
    assert np.all(np.abs(c - freq) <= SR / n_fft)


@settings(max_examples=25, deadline=None)
@given(
    # Squares of |c| < 1e-154 underflow: keep to representable energies.
    c=st.floats(-100.0, 100.0, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-100),
    fl=st.integers(1, 300),
    hop=st.integers(1, 300),
)
def test_rms_of_a_constant(c: float, fl: int, hop: int) -> None:
    y = np.full(1000, c)
    r = ferrosa.feature.rms(y=y, frame_length=fl, hop_length=hop, center=False, dtype=np.float64)
    np.testing.assert_allclose(r, abs(c), rtol=1e-12, atol=0)


@settings(max_examples=25, deadline=None)
@given(half=st.integers(1, 50), fl=st.integers(2, 400))
def test_zcr_of_a_square_wave(half: int, fl: int) -> None:
    # +1 for `half` samples, -1 for `half`: a crossing every `half` samples.
    n = 4000
    y = np.where((np.arange(n) // half) % 2 == 0, 1.0, -1.0)
    z = ferrosa.feature.zero_crossing_rate(y, frame_length=fl, hop_length=fl, center=False)
    starts = np.arange(z.shape[-1]) * fl
    # Crossings inside [s, s + fl): sample indices i in (s, s + fl) with i % half == 0.
    counts = (starts + fl - 1) // half - starts // half
    np.testing.assert_array_equal(z[0], counts / fl)


@pytest.mark.parametrize("amp", [1e-25, 1e-12, 1.0, 1e3])
def test_centroid_float32_at_extreme_levels(amp: float) -> None:
    # Squares of faint float32 spectra underflow in float32: those frames
    # must take the float64 path (silent frames between the clicks too).
    y = np.zeros(11160, dtype=np.float32)
    y[[100, 5000, 9000]] = np.float32(amp)
    t = np.arange(3000) / 44100
    y[6000:9000] += (amp * np.sin(2 * np.pi * 3000 * t)).astype(np.float32)
    want = librosa.feature.spectral_centroid(y=y, sr=44100, n_fft=1024)
    got = ferrosa.feature.spectral_centroid(y=y, sr=44100, n_fft=1024)
    assert_close_to_peak(got, want, np.float32)
