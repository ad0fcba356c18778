"""Text safe to print on a terminal: input text with every character a terminal could act on
written visibly (:func:`printable`), and JSON text with those characters escaped
(:func:`inert_json`).  Light on purpose (no pandas): the quick commands print through it."""

from __future__ import annotations

import re

# What a terminal may act on rather than show: C0 and C1 controls and DEL (escape sequences,
# carriage returns, backspaces), the line and paragraph separators, and the bidirectional
# embeddings, overrides and isolates (which reorder the text shown around them).
_TERMINAL_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _visible(match: re.Match) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


# What json.dumps(..., ensure_ascii=False) writes as it is but a terminal may act on (see
# _TERMINAL_CONTROL; it escapes the C0 controls itself).  These only occur inside JSON strings,
# where a \uXXXX escape stands for the same character.
_JSON_CONTROL = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def inert_json(text: str) -> str:
    """JSON text (from ``json.dumps``) with every character a terminal could act on written as
    a ``\\uXXXX`` escape: the same JSON value, safe to print."""
    return _JSON_CONTROL.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def printable(text: str) -> str:
    """Text as shown on a terminal: every character a terminal could act on instead of
    showing (see ``_TERMINAL_CONTROL``) is written as Python writes it in a string literal,
    ``\\x1b``, ``\\n``, ``\\u202e``; everything else is left as it is.

    Every piece of input text printed to a terminal goes through this function, and is
    printed without markup (``rich.text.Text`` or ``markup=False``), so ``[bold]`` shows as
    written."""
    return _TERMINAL_CONTROL.sub(_visible, text)
