"""Dataset layouts (folders, CSV manifest, GTZAN), the built-in GTZAN split, grouped splits."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import ferrosa
import numpy as np
import pytest
import soundfile as sf
from ferrosa.datasets import detect_layout, discover, grouped_split
from ferrosa.datasets.gtzan import GENRES, gtzan_split
from hypothesis import given, settings
from hypothesis import strategies as st

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _wav(path: Path, seconds: float = 0.2, sr: int = 8000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, np.zeros(int(seconds * sr), np.float32) + 0.1, sr)
    return path


def test_folders_layout(tmp_path):
    for lab in ("b", "a"):
        for k in range(3):
            _wav(tmp_path / lab / f"{lab}{k}.wav")
    _wav(tmp_path / "a" / "sub" / "deep.flac")
    (tmp_path / "a" / "notes.txt").write_text("not audio")
    _wav(tmp_path / ".hidden" / "x.wav")
    _wav(tmp_path / "loose.wav")  # no label folder: ignored
    found = discover(tmp_path)
    assert found.layout == "folders" == detect_layout(tmp_path)
    assert [it.source for it in found.items] == [
        "a/a0.wav",
        "a/a1.wav",
        "a/a2.wav",
        "a/sub/deep.flac",
        "b/b0.wav",
        "b/b1.wav",
        "b/b2.wav",
    ]
    assert {it.label for it in found.items} == {"a", "b"}
    assert all(it.group == it.source and it.split is None for it in found.items)


def test_csv_layout_with_subfolder_and_missing_files(tmp_path):
    _wav(tmp_path / "audio_train" / "x1.wav")
    _wav(tmp_path / "audio_train" / "x2.wav")
    _wav(tmp_path / "direct.wav")
    (tmp_path / "train.csv").write_text(
        "fname,label,manually_verified,artist\n"
        "x1.wav,Cello,1,ann\n"
        "x2.wav,Flute,0,\n"
        "direct.wav,Cello,1,bob\n"
        "gone.wav,Flute,1,\n"
        ",Flute,1,\n"
    )
    assert detect_layout(tmp_path) == "csv"
    found = discover(tmp_path, "csv")
    by_src = {it.source: it for it in found.items}
    assert sorted(by_src) == ["audio_train/x1.wav", "audio_train/x2.wav", "direct.wav"]
    assert by_src["audio_train/x1.wav"].label == "Cello"
    assert by_src["audio_train/x1.wav"].group == "ann"  # artist column groups
    assert by_src["audio_train/x2.wav"].group == "audio_train/x2.wav"
    reasons = {m["path"]: m["reason"] for m in found.missing}
    assert "not found" in reasons["gone.wav"] and len(found.missing) == 2
    # The manifest file itself may be given.
    assert len(discover(tmp_path / "train.csv").items) == 3


def test_csv_split_column(tmp_path):
    for k in range(3):
        _wav(tmp_path / f"f{k}.wav")
    (tmp_path / "manifest.csv").write_text(
        "fname,label,split\nf0.wav,x,train\nf1.wav,x,validation\nf2.wav,y,test\n"
    )
    assert [it.split for it in discover(tmp_path).items] == ["train", "valid", "test"]


def _gtzan_tree(root: Path, names: list[str], ext: str = "wav") -> None:
    for name in names:
        genre = name.split(".")[0]
        _wav(root / "genres_original" / genre / f"{name}.{ext}")


def test_gtzan_layout_uses_the_filtered_split(tmp_path):
    # blues.00029 train, blues.00000 valid, blues.00012 test, blues.00059 valid,
    # jazz.00054 train; country.00008 is one of the 70 faulty clips left out.
    names = [
        "blues.00029",
        "blues.00000",
        "blues.00012",
        "blues.00059",
        "jazz.00054",
        "country.00008",
    ]
    _gtzan_tree(tmp_path, names)
    assert detect_layout(tmp_path) == "gtzan"
    found = discover(tmp_path)
    splits = {Path(it.source).stem: it.split for it in found.items}
    assert splits == {
        "blues.00029": "train",
        "blues.00000": "valid",
        "blues.00012": "test",
        "blues.00059": "valid",
        "jazz.00054": "train",
    }
    assert [e["path"] for e in found.excluded] == ["genres_original/country/country.00008.wav"]
    assert found.items[0].source.startswith("genres_original/")


def test_gtzan_split_data():
    split = gtzan_split()
    counts = Counter(split.values())
    assert counts == {"train": 443, "valid": 197, "test": 290}
    assert len(split) == 930  # 70 faulty clips filtered out, none listed twice
    assert {k.split(".")[0] for k in split} == set(GENRES)
    assert all(0 <= int(k.split(".")[1]) <= 99 for k in split)


def test_layout_errors(tmp_path):
    with pytest.raises(ferrosa.ParameterError, match="layout"):
        discover(tmp_path, "kaggle")
    with pytest.raises(ferrosa.ParameterError, match="does not exist"):
        discover(tmp_path / "nope")
    with pytest.raises(ferrosa.ParameterError, match="no audio"):
        discover(tmp_path)
    with pytest.raises(ferrosa.ParameterError, match="GTZAN"):
        discover(tmp_path, "gtzan")
    with pytest.raises(ferrosa.ParameterError, match="manifest"):
        discover(tmp_path, "csv")


def test_shared_instruments_layouts_agree():
    data = SHARED / "data" / "instruments-dev"
    if not data.is_dir():
        pytest.skip("shared instruments-dev data not present")
    a = discover(data, "folders").items
    b = discover(data, "csv").items
    assert [(i.source, i.label) for i in a] == [(i.source, i.label) for i in b]
    assert len(a) == 200


# ----------------------------------------------------------------- splits


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(st.tuples(st.sampled_from("abcd"), st.integers(0, 40)), min_size=1, max_size=120),
    seed=st.integers(0, 2**31),
    fractions=st.sampled_from(
        [(0.7, 0.15, 0.15), (0.8, 0.2, 0.0), (1.0, 0.0, 0.0), (0.5, 0.25, 0.25)]
    ),
)
def test_grouped_split_never_splits_a_group(data, seed, fractions):
    labels = [lab for lab, _ in data]
    groups = [f"{lab}{g}" for lab, g in data]  # each group within one label
    s = grouped_split(labels, groups, fractions, seed)
    assert set(s) <= {"train", "valid", "test"}
    for g in set(groups):
        assert len({s[i] for i in range(len(groups)) if groups[i] == g}) == 1
    np.testing.assert_array_equal(s, grouped_split(labels, groups, fractions, seed))
    for name, f in zip(("train", "valid", "test"), fractions, strict=True):
        if f == 0:
            assert name not in set(s)


def test_grouped_split_stratifies_and_is_seeded():
    labels = [lab for lab in "abc" for _ in range(20)]
    groups = [f"{lab}{k}" for lab in "abc" for k in range(20)]
    s = grouped_split(labels, groups, (0.7, 0.15, 0.15), seed=0)
    for lab in "abc":
        c = Counter(s[i] for i in range(60) if labels[i] == lab)
        assert c == {"train": 14, "valid": 3, "test": 3}
    assert not np.array_equal(s, grouped_split(labels, groups, (0.7, 0.15, 0.15), seed=1))


def test_grouped_split_mixed_label_groups_follow_majority():
    labels = ["a", "a", "b", "b", "b"]
    groups = ["g1", "g1", "g1", "g2", "g2"]
    s = grouped_split(labels, groups, (0.5, 0.5, 0.0), seed=3)
    assert s[0] == s[1] == s[2]


@pytest.mark.parametrize(
    "fractions", [(0.5, 0.5), (0.7, 0.2, 0.2), (-0.1, 0.6, 0.5), (0.0, 0.5, 0.5), "abc", 3]
)
def test_grouped_split_parameter_errors(fractions):
    with pytest.raises(ferrosa.ParameterError):
        grouped_split(["a"], ["g"], fractions)


def test_grouped_split_length_mismatch():
    with pytest.raises(ferrosa.ParameterError):
        grouped_split(["a", "b"], ["g"])
