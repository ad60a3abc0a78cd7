"""Datasets: layouts, segmentation, featurisation, the feature store, splits.

Typical use::

    import ferrosa.datasets as fd
    store = fd.prepare("genres_original", "gtzan-mfcc", feature="mfcc", segment_seconds=3.0)
    X_train, y_train, _ = store.subset("train")

    feats, starts = fd.featurize_file("new.wav", store.config)   # the same features

The store format is described in :mod:`ferrosa.datasets.store`.
"""

from __future__ import annotations

from .config import FEATURES, FeatureConfig
from .datajson import export_data_json, import_data_json
from .features import REGISTRY, featurize, featurize_file
from .layouts import LAYOUTS, Item, detect_layout, discover
from .prepare import prepare
from .segment import segment
from .splits import grouped_split
from .store import Store, open_store
from .store import open_store as open  # noqa: A001 - the contract's name: ferrosa.datasets.open

__all__ = [
    "FEATURES",
    "LAYOUTS",
    "REGISTRY",
    "FeatureConfig",
    "Item",
    "Store",
    "detect_layout",
    "discover",
    "export_data_json",
    "featurize",
    "featurize_file",
    "grouped_split",
    "import_data_json",
    "open",
    "open_store",
    "prepare",
    "segment",
]
