"""The size limit: ``--max-input-size`` parsed and shown, and the cells it allows a table."""

from __future__ import annotations

import re

from ..errors import InputError

KB, MB, GB = 1 << 10, 1 << 20, 1 << 30
#: what --max-input-size is unless given
DEFAULT_MAX_INPUT_SIZE = 512 * MB
#: one cell of a table's rectangle per this many bytes of the limit
BYTES_PER_CELL = 16

MaxSize = int | str

_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": KB, "m": MB, "g": GB, "t": 1 << 40}


def parse_size(value: MaxSize) -> int:
    """A size in bytes from ``512MB``, ``2 GB``, ``1.5g``, ``64MiB`` or a plain number of bytes.

    Units are powers of 1024 (``MB`` and ``MiB`` mean the same).  Raises :class:`InputError`
    for anything else, or for a size below one byte.
    """
    if isinstance(value, bool):
        raise InputError(f"--max-input-size: {value!r} is not a size (e.g. 512MB, 2GB)")
    if isinstance(value, int):
        size = value
    else:
        m = _SIZE.match(str(value))
        if not m:
            raise InputError(f"--max-input-size: {str(value)!r} is not a size (e.g. 512MB, 2GB)")
        size = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if size < 1:
        raise InputError(f"--max-input-size: {value!r} is not a positive size")
    return size


def format_size(n: int) -> str:
    """``1181116006`` -> ``'1.1 GB'``; ``536870912`` -> ``'512 MB'`` (powers of 1024)."""
    for unit, scale in (("TB", 1 << 40), ("GB", GB), ("MB", MB), ("KB", KB)):
        if n >= scale:
            value = n / scale
            text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
            return f"{text.removesuffix('.0')} {unit}"
    return f"{n} bytes"


def max_cells(limit: int) -> int:
    """How many cells a table's rectangle may span under ``limit``."""
    return max(limit // BYTES_PER_CELL, 1)


def raise_hint(limit: int) -> str:
    """The end of a refusal's line: the limit, and how to raise it."""
    return f"limit {format_size(limit)}; --max-input-size to raise"


def cells_error(name: str, what: str, cells: int, limit: int) -> InputError:
    """The refusal of a table (in file ``name``) whose ``what`` spans more cells than
    ``limit`` allows."""
    return InputError(
        f"{name}: {what}, {cells:,} cells (limit {max_cells(limit):,} cells at "
        f"--max-input-size {format_size(limit)}; --max-input-size to raise)"
    )
