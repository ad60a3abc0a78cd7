"""Exception types, as in ``librosa.util.exceptions``."""


class FerrosaError(Exception):
    """Base class for ferrosa's errors."""


class ParameterError(FerrosaError, ValueError):
    """An invalid argument: raised before any work starts, naming the value."""


class FileTypeError(FerrosaError, OSError):
    """A path that is not a regular file (a pipe, device or socket): refused
    before opening, since reading one can block forever."""
