"""Regular files only, read within the limit: a pipe, a device, a socket or a folder is refused
before it is opened, and a file is opened without blocking."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError
from .sizes import format_size, raise_hint

_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def not_regular(mode: int) -> str | None:
    """What a file of this mode is, when it is neither a regular file nor a folder."""
    for test, kind in _KINDS:
        if test(mode):
            return kind
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return "not a regular file"


def _refuse_special(path: Path, mode: int) -> None:
    kind = not_regular(mode)
    if kind is not None:
        via = " (through a symbolic link)" if path.is_symlink() else ""
        raise InputError(
            f"{path.name}: not a regular file but {kind}{via}; give a spreadsheet file"
        )
    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a folder, not a spreadsheet")


def check_input(path: str | Path, limit: int) -> int:
    """The size of ``path`` after checking, without opening it, that it is a regular file
    (symbolic links followed) no larger than ``limit``; raises :class:`InputError`."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    _refuse_special(path, st.st_mode)
    if st.st_size > limit:
        raise InputError(
            f"{path.name}: the file is {format_size(st.st_size)} ({raise_hint(limit)})"
        )
    return st.st_size


def open_input(path: str | Path, limit: int) -> BinaryIO:
    """``path`` opened for reading in binary, once it is known to be a regular file no larger
    than ``limit`` (see :func:`check_input`).  Opening never blocks (a file swapped for a
    named pipe meanwhile is refused, not waited on)."""
    path = Path(path)
    check_input(path, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        _refuse_special(path, st.st_mode)
        if st.st_size > limit:
            raise InputError(
                f"{path.name}: the file is {format_size(st.st_size)} ({raise_hint(limit)})"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: reads never wait anyway
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_input(path: str | Path, limit: int) -> bytes:
    """All of ``path``'s bytes: a regular file no larger than ``limit`` (one that changes
    size while being read is refused too)."""
    path = Path(path)
    with open_input(path, limit) as fh:
        try:
            data = fh.read(os.fstat(fh.fileno()).st_size)
            grew = fh.read(1)
        except OSError as exc:
            raise InputError(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    if grew:
        raise InputError(f"{path.name}: the file changed while it was read; try again")
    return data


def describe_special(path: Path) -> str | None:
    """What ``path`` is when it exists but is neither a regular file nor a folder."""
    try:
        return not_regular(os.stat(path).st_mode)
    except OSError:
        return None
