"""Refuse paths that are not regular files before anything opens them.

``open()`` on a named pipe blocks until a writer appears, and a character
device may never end, so every reader of audio (``load``, ``get_duration``,
dataset preparation) checks the file type from ``stat`` first.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Any

from ..exceptions import FileTypeError

__all__ = ["check_regular_file", "file_kind"]

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """A short description of what a ``st_mode`` is, for messages."""
    for test, name in _KINDS:
        if test(mode):
            return name
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def check_regular_file(path: Any) -> None:
    """Raise unless ``path`` (str or path-like) names an existing regular file.

    Raises
    ------
    FileNotFoundError
        Nothing at ``path`` (or a dangling link), naming the path.
    IsADirectoryError
        ``path`` is a directory.
    FileTypeError
        A pipe, device or socket (an ``OSError``), with what it is.
    """
    if not isinstance(path, (str, bytes, os.PathLike)):
        return
    name = os.fsdecode(os.fspath(path))
    try:
        st = os.stat(name)
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", name) from None
    if stat.S_ISREG(st.st_mode):
        return
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", name)
    raise FileTypeError(
        f"{name}: is {file_kind(st.st_mode)}, not a regular file; "
        "ferrosa reads audio only from regular files"
    )
