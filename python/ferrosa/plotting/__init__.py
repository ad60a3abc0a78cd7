"""Rendering features as pictures.

``image`` turns a feature matrix into a fixed-size grayscale array or PNG
without axes (numpy and zlib only: what an image CNN consumes);
``features`` computes the named features the plots and the ``ferrosa plot``
command share. Axes-and-colourbar figures live in :mod:`ferrosa.display`
(matplotlib, imported only when drawing).
"""

from .features import KINDS, compute_feature
from .image import feature_to_image, resize_area, save_feature_image, write_png

__all__ = [
    "KINDS",
    "compute_feature",
    "feature_to_image",
    "resize_area",
    "save_feature_image",
    "write_png",
]
