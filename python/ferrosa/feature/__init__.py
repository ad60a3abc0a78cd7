"""Feature extraction, as in ``librosa.feature``."""

__all__: list[str] = []
