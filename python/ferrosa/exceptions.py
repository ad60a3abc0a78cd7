"""Exception types, as in ``librosa.util.exceptions``."""


class FerrosaError(Exception):
    """Base class for ferrosa's errors."""


class ParameterError(FerrosaError, ValueError):
    """An invalid argument: raised before any work starts, naming the value."""
