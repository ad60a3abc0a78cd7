"""CQT / VQT / chroma against librosa 0.11 over the parameter space its tests use.

ferrosa resamples between octaves with librosa's own resampler call, so the
values agree to rounding everywhere, including when the top filters reach
close to Nyquist (``n_bins=100`` at 22050 Hz, librosa's 76-bin tests at
11025 Hz), where a different resampler used to be 10-55% of the peak off.

Bounds: max |ferrosa - librosa| <= 1e-4 * peak for float64 input (measured
~1e-7) and for float32 input (measured ~6e-7; librosa itself runs the
float32 transform in complex64). Chroma values (max-normalised) agree to
1e-4 absolute.
"""

from __future__ import annotations

import itertools
import warnings

import ferrosa
import numpy as np
import pytest

librosa = pytest.importorskip("librosa")

BOUND = 1e-4


def signal(sr: int, seconds: float, dtype: type) -> np.ndarray:
    """Noise plus tones, one of them at 0.45 sr (next to Nyquist), and an abrupt end."""
    rng = np.random.default_rng(int(sr) + int(seconds * 10))
    t = np.arange(int(sr * seconds)) / sr
    y = 0.2 * rng.standard_normal(t.size)
    for f, a in ((97.0, 0.5), (440.0, 1.0), (0.3 * sr, 0.4), (0.45 * sr, 0.5)):
        y += a * np.sin(2 * np.pi * f * t + f)
    return y.astype(dtype)


def assert_matches(got: np.ndarray, want: np.ndarray) -> float:
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    peak = np.abs(want).max()
    assert peak > 0
    err = float(np.abs(got - want).max() / peak)
    assert err <= BOUND, err
    return err


def both(fn: str, *args, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # librosa: n_fft too large for short octaves
        want = getattr(librosa, fn)(*args, **kwargs)
        got = getattr(ferrosa, fn)(*args, **kwargs)
    return got, want


DTYPES = [np.float32, np.float64]

# (sr, n_bins, bins_per_octave, fmin): the near-Nyquist cases first.
BANKS = [
    (22050, 100, 12, None),  # top bin ~0.93 Nyquist
    (11025, 76, 12, None),  # librosa's 76-bin tests
    (11025, 84, 12, 27.5),
    (22050, 84, 12, None),
    (22050, 168, 24, None),
    (22050, 252, 36, None),
    (22050, 288, 36, None),  # top bin ~0.93 Nyquist at 36 bins per octave
    (44100, 96, 12, 55.0),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sr, n_bins, bpo, fmin", BANKS)
def test_cqt_banks(sr: int, n_bins: int, bpo: int, fmin: float | None, dtype: type) -> None:
    y = signal(sr, 1.5, dtype)
    got, want = both("cqt", y, sr=sr, n_bins=n_bins, bins_per_octave=bpo, fmin=fmin)
    assert_matches(got, want)


# hop 64..512 (and odd: no halving below the odd octave), filter_scale.
HOPS = [64, 128, 192, 256, 300, 333, 512, 1024]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "hop, filter_scale, bpo", list(itertools.product(HOPS, [0.5, 1.0, 2.0], [12, 36]))[::2]
)
def test_cqt_hops_and_filter_scales(hop: int, filter_scale: float, bpo: int, dtype: type) -> None:
    sr = 22050
    y = signal(sr, 1.0, dtype)
    n_bins = 7 * bpo if filter_scale < 2 else 6 * bpo
    got, want = both(
        "cqt",
        y,
        sr=sr,
        hop_length=hop,
        n_bins=n_bins,
        bins_per_octave=bpo,
        filter_scale=filter_scale,
    )
    assert_matches(got, want)


# res_type for the early downsampling (hop 2048 with a low top bin) and the halvings.
RES_TYPES = ["soxr_hq", "soxr_vhq", "soxr_lq", "scipy", "fft", "polyphase"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("res_type", RES_TYPES)
@pytest.mark.parametrize(
    "hop, n_bins, sr", [(512, 100, 22050), (2048, 48, 22050), (512, 76, 11025)]
)
def test_res_types(res_type: str, hop: int, n_bins: int, sr: int, dtype: type) -> None:
    y = signal(sr, 1.0, dtype)
    got, want = both("cqt", y, sr=sr, hop_length=hop, n_bins=n_bins, res_type=res_type)
    assert_matches(got, want)


@pytest.mark.parametrize("res_type", ["kaiser_fast", "sinc_fastest"])
def test_optional_resamplers(res_type: str) -> None:
    pytest.importorskip("resampy" if res_type.startswith("kaiser") else "samplerate")
    y = signal(22050, 1.0, np.float64)
    got, want = both("cqt", y, sr=22050, n_bins=100, res_type=res_type)
    assert_matches(got, want)


def test_res_type_none_is_soxr_hq_with_librosas_warning() -> None:
    y = signal(11025, 1.0, np.float32)
    with pytest.warns(FutureWarning):
        got = ferrosa.cqt(y, sr=11025, n_bins=76, res_type=None)
    with pytest.warns(FutureWarning):
        want = librosa.cqt(y, sr=11025, n_bins=76, res_type=None)
    assert_matches(got, want)
    np.testing.assert_array_equal(got, ferrosa.cqt(y, sr=11025, n_bins=76))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "kwargs",
    [
        {"scale": False, "n_bins": 100},
        {"scale": False, "hop_length": 2048, "n_bins": 48},  # early gain without length scaling
        {"norm": 2, "sparsity": 0.0, "n_bins": 100},
        {"norm": None, "n_bins": 84, "window": "hamming"},
        {"pad_mode": "reflect", "n_bins": 100},
        {"tuning": 0.3, "n_bins": 96},
        {"tuning": -0.4, "n_bins": 100},
        {"dtype": np.complex128, "n_bins": 60},
    ],
)
def test_cqt_options(kwargs: dict, dtype: type) -> None:
    y = signal(22050, 1.0, dtype)
    got, want = both("cqt", y, sr=22050, **kwargs)
    assert_matches(got, want)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "sr, n_bins, bpo, gamma, intervals",
    [
        (22050, 100, 12, None, "equal"),
        (22050, 100, 12, 0.0, "equal"),
        (22050, 100, 12, 20.0, "equal"),
        (11025, 76, 12, None, "equal"),
        (11025, 72, 24, 5.0, "equal"),
        (22050, 216, 36, None, "equal"),
        (22050, 84, 12, None, "pythagorean"),
        (22050, 84, 12, None, "ji3"),
        (22050, 72, 12, None, "ji5"),
        (22050, 49, 7, None, "ji7"),
        (22050, 72, 24, None, "ji5"),
        (22050, 21, 3, None, [1.0, 4 / 3, 3 / 2]),
    ],
)
def test_vqt(sr: int, n_bins: int, bpo: int, gamma: float | None, intervals, dtype: type) -> None:
    y = signal(sr, 1.0, dtype)
    got, want = both(
        "vqt", y, sr=sr, n_bins=n_bins, bins_per_octave=bpo, gamma=gamma, intervals=intervals
    )
    assert_matches(got, want)


@pytest.mark.parametrize("n", [1000, 3000, 20000])
def test_short_and_multichannel(n: int) -> None:
    y = np.stack([signal(11025, 2.0, np.float64)[:n], signal(22050, 1.0, np.float64)[:n]])
    got, want = both("cqt", y, sr=11025, n_bins=76)
    assert_matches(got, want)
    y3 = np.stack([y, y[::-1]]).astype(np.float32)
    got, want = both("vqt", y3, sr=11025, n_bins=76, hop_length=256)
    assert_matches(got, want)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "sr, kwargs",
    [
        (22050, {}),
        (11025, {}),
        (11025, {"n_octaves": 7, "bins_per_octave": 12}),
        (22050, {"n_octaves": 8, "fmin": 40.0, "hop_length": 256}),
        (22050, {"bins_per_octave": 24, "n_chroma": 24, "hop_length": 128}),
        (22050, {"norm": 2, "threshold": 0.1, "tuning": 0.2}),
    ],
)
def test_chroma_cqt(sr: int, kwargs: dict, dtype: type) -> None:
    y = signal(sr, 1.5, dtype)
    kwargs.setdefault("tuning", 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = librosa.feature.chroma_cqt(y=y, sr=sr, **kwargs)
        got = ferrosa.feature.chroma_cqt(y=y, sr=sr, **kwargs)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.abs(got - want).max() <= BOUND


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "sr, kwargs",
    [
        (22050, {}),
        (11025, {}),
        (22050, {"n_octaves": 8, "fmin": 40.0, "win_len_smooth": 11}),
        (11025, {"bins_per_octave": 24, "n_chroma": 12, "win_len_smooth": None}),
    ],
)
def test_chroma_cens(sr: int, kwargs: dict, dtype: type) -> None:
    y = signal(sr, 1.5, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = librosa.feature.chroma_cens(y=y, sr=sr, tuning=0.0, **kwargs)
        got = ferrosa.feature.chroma_cens(y=y, sr=sr, tuning=0.0, **kwargs)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.abs(got - want).max() <= BOUND


@pytest.mark.parametrize("bpo", [1, 5, 7, 12, 19, 24, 31, 36, 53])
@pytest.mark.parametrize("intervals", ["ji3", "ji5", "ji7", "pythagorean", "equal"])
def test_interval_frequencies(intervals: str, bpo: int) -> None:
    for sort in (True, False):
        got = ferrosa.interval_frequencies(
            3 * bpo + 2, fmin=27.5, intervals=intervals, bins_per_octave=bpo, sort=sort
        )
        want = librosa.interval_frequencies(
            3 * bpo + 2, fmin=27.5, intervals=intervals, bins_per_octave=bpo, sort=sort
        )
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("primes", [[3], [3, 5], [3, 5, 7], [5, 7], [3, 11]])
@pytest.mark.parametrize("bpo", [1, 7, 12, 24])
def test_plimit_intervals(primes: list[int], bpo: int) -> None:
    for sort in (True, False):
        got = ferrosa.plimit_intervals(primes=primes, bins_per_octave=bpo, sort=sort)
        want = librosa.plimit_intervals(primes=primes, bins_per_octave=bpo, sort=sort)
        np.testing.assert_array_equal(got, want)
        assert ferrosa.plimit_intervals(
            primes=primes, bins_per_octave=bpo, sort=sort, return_factors=True
        ) == librosa.plimit_intervals(
            primes=primes, bins_per_octave=bpo, sort=sort, return_factors=True
        )
    for sort in (True, False):
        assert ferrosa.pythagorean_intervals(
            bins_per_octave=bpo, sort=sort, return_factors=True
        ) == librosa.pythagorean_intervals(bins_per_octave=bpo, sort=sort, return_factors=True)


def test_bad_intervals_and_res_type() -> None:
    y = signal(22050, 0.5, np.float32)
    with pytest.raises(ferrosa.ParameterError, match="intervals"):
        ferrosa.vqt(y, sr=22050, intervals="ji13")
    with pytest.raises(ferrosa.ParameterError, match="primes"):
        ferrosa.plimit_intervals(primes=[])
    with pytest.raises(ferrosa.ParameterError, match="res_type"):
        ferrosa.cqt(y, sr=22050, res_type=3)  # type: ignore[arg-type]
