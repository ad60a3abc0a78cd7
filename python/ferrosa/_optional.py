"""Optional dependencies: import them on first use, or say in one line which extra to install.

``import ferrosa`` needs numpy only. Audio files need ``ferrosa[audio]``
(soundfile, soxr), training needs ``ferrosa[ml]`` (Keras 3 and a backend),
plots need ``ferrosa[plot]``. A missing one raises :class:`MissingDependency`
(an ``ImportError``) whose message names the package and the ``pip install``
line, never a bare ``ModuleNotFoundError`` traceback from deep inside.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .exceptions import FerrosaError

__all__ = ["EXTRAS", "MissingDependency", "require"]

#: import name -> (PyPI name, extra that installs it)
EXTRAS: dict[str, tuple[str, str]] = {
    "soundfile": ("soundfile", "audio"),
    "soxr": ("soxr", "audio"),
    "keras": ("keras", "ml"),
    "tensorflow": ("tensorflow", "ml"),
    "matplotlib": ("matplotlib", "plot"),
    "tqdm": ("tqdm", "data"),
}


class MissingDependency(FerrosaError, ImportError):
    """An optional dependency is not installed; the message says which extra installs it."""


def install_hint(module: str, extra: str | None = None) -> str:
    """``pip install 'ferrosa[EXTRA]'`` for the extra that provides ``module``."""
    top = module.split(".")[0]
    pkg, default_extra = EXTRAS.get(top, (top, "ml"))
    return f"pip install 'ferrosa[{extra or default_extra}]'"


def missing(module: str, what: str, extra: str | None = None) -> MissingDependency:
    """The one-line error for ``what`` needing the absent ``module``."""
    top = module.split(".")[0]
    pkg = EXTRAS.get(top, (top, ""))[0]
    return MissingDependency(
        f"{what} needs {pkg}, which is not installed: {install_hint(top, extra)}"
    )


def require(module: str, what: str, *, extra: str | None = None) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependency` naming the extra.

    Parameters
    ----------
    module : str
        Import name, e.g. ``"soundfile"``.
    what : str
        What needs it, for the message (``"ferrosa.load"``, ``"ferrosa train"``).
    extra : str, optional
        The extra to name; by default the one listed in :data:`EXTRAS`.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        # Only the module itself (or its top package) being absent is "missing";
        # a broken install inside it keeps its own error.
        name = getattr(err, "name", None)
        if name is None or name.split(".")[0] == module.split(".")[0]:
            raise missing(module, what, extra) from None
        raise
