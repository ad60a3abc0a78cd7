"""CQT/VQT arguments as librosa takes them: Pythagorean intervals, res_type=None, short signals."""

from __future__ import annotations

import ferrosa
import numpy as np
import pytest

librosa = pytest.importorskip("librosa")


def test_pythagorean_frequencies_and_vqt_shape():
    from ferrosa.core.constantq import _interval_frequencies

    for bpo in (7, 12, 36):
        got = _interval_frequencies(50, 40.0, "pythagorean", bpo)
        want = librosa.interval_frequencies(
            50, fmin=40.0, intervals="pythagorean", bins_per_octave=bpo
        )
        np.testing.assert_array_equal(got, want)
    y = np.sin(2 * np.pi * 220 * np.arange(22050) / 22050).astype(np.float32)
    V = ferrosa.vqt(y, sr=22050, intervals="pythagorean", n_bins=36)
    W = librosa.vqt(y, sr=22050, intervals="pythagorean", n_bins=36)
    assert V.shape == W.shape and V.dtype == W.dtype
    with pytest.raises(ferrosa.ParameterError, match="intervals"):
        ferrosa.vqt(y, sr=22050, intervals="ji9")


def test_res_type_none_warns_like_librosa():
    y = np.zeros(4096, dtype=np.float32)
    with pytest.warns(FutureWarning, match="res_type=None"):
        ferrosa.cqt(y, sr=22050, res_type=None)


@pytest.mark.parametrize("n, sr, n_bins", [(16, 44100, 36), (3, 44100, 24), (16, 22050, 84)])
def test_too_short_for_early_downsampling_raises_like_librosa(n, sr, n_bins):
    y = np.zeros(n)
    try:
        librosa.cqt(y, sr=sr, n_bins=n_bins)
    except librosa.ParameterError:
        with pytest.raises(ferrosa.ParameterError, match="too short"):
            ferrosa.cqt(y, sr=sr, n_bins=n_bins)
    else:
        assert ferrosa.cqt(y, sr=sr, n_bins=n_bins).shape[0] == n_bins
