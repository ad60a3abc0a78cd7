"""``librosa.util.exceptions`` under its familiar name."""

from ..exceptions import FerrosaError, ParameterError

__all__ = ["FerrosaError", "ParameterError"]
