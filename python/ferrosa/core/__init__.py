"""Core spectral functions, as in ``librosa.core``."""
