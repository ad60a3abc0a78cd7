"""python_speech_features with ferrosa's Rust frame spectra.

``from ferrosa.compat import python_speech_features as psf`` and call
``psf.mfcc``, ``psf.fbank``, ``psf.logfbank``, ``psf.ssc``, ``psf.delta``
and ``psf.sigproc.*`` with the same arguments as the original package.
"""

from . import sigproc
from .base import delta, fbank, get_filterbanks, hz2mel, lifter, logfbank, mel2hz, mfcc, ssc

__all__ = [
    "delta",
    "fbank",
    "get_filterbanks",
    "hz2mel",
    "lifter",
    "logfbank",
    "mel2hz",
    "mfcc",
    "sigproc",
    "ssc",
]
