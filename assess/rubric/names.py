"""How names are compared and written: headers match whatever their case, spacing,
punctuation or unit suffix."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_BRACKETED = re.compile(r"[\(\[\{][^\)\]\}]*[\)\]\}]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_header(text: Any) -> str:
    """The form in which headers are compared: case, spacing, punctuation and a bracketed
    unit suffix do not matter (``'Transparency (0-4)'`` -> ``'transparency'``)."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().casefold()
    s = _BRACKETED.sub(" ", s)
    return _NON_ALNUM.sub(" ", s).strip()


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """``text`` as an identifier: lower case, each run of other characters one ``_``."""
    return _SLUG.sub("_", text.lower()).strip("_")
