"""JSON text laid out two spaces to a level, as ``json.dumps(value, indent=2,
ensure_ascii=False, allow_nan=False)`` writes it, in a fraction of the time.

With ``indent``, :func:`json.dumps` runs the standard library's pure-Python encoder, a few
microseconds per value: seconds for the hundreds of thousands of engagements of a large JSON
report.  :func:`indented_json` lays out the containers itself and has the standard library's
C encoder write the rest, told the separator of each level, so the text is the same to the
byte: a container of plain values (a criterion's rating, normalised value and points; a list
of gates) in one call, and the plain values of any other container in one call too, its
containers standing in as placeholders that are then replaced by their own text.

Anything unusual (a value of another type, a key that is not text, a float that is not finite,
a cycle, a placeholder's text in the data) goes to :func:`json.dumps` itself, which writes it
or raises as it always does.
"""

from __future__ import annotations

import json
from functools import lru_cache
from json.encoder import c_make_encoder, encode_basestring
from typing import Any

#: One level of indentation.
INDENT = "  "
#: The plain values: the C encoder writes them as they are.
_PLAIN = frozenset({str, int, float, bool, type(None)})
_TEXT = frozenset({str})
#: What stands in for a nested container while its parent is written (any text would do: if
#: the data hold its JSON form too, the placeholders do not add up and json.dumps writes all).
_HOLE = "\x00\x01assess-json\x01\x00"


class _Unusual(Exception):
    """A value the fast path leaves to :func:`json.dumps`."""


def indented_json(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)``, faster.

    Parameters
    ----------
    value : Any
        Dicts with text keys, lists, tuples, text, numbers, booleans and None (anything else
        is written, or refused, by :func:`json.dumps`).

    Returns
    -------
    str
        The same text :func:`json.dumps` gives.
    """
    if c_make_encoder is not None:
        try:
            return _text(value, 0)
        except (_Unusual, RecursionError, ValueError, TypeError):
            pass
    return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)


def _refuse(value: Any) -> Any:
    raise _Unusual


@lru_cache(maxsize=64)
def _encoder(level: int) -> Any:
    """The C encoder writing a container at ``level``: its items one to a line (without the
    line breaks after its opening bracket and before its closing one)."""
    return c_make_encoder(
        None, _refuse, encode_basestring, None, ": ", ",\n" + INDENT * (level + 1), False,
        False, False,
    )  # fmt: skip


def _text(value: Any, level: int) -> str:
    """The text of ``value`` at ``level``: its plain values written in one call of the C
    encoder, its containers (placeholders in that call) each written in turn and put in
    place."""
    kind = type(value)
    if kind is dict:
        values: Any = value.values()
        if not _TEXT.issuperset(map(type, value)):
            raise _Unusual  # keys of other types: json.dumps converts them
    elif kind is list or kind is tuple:
        values = value
    elif kind in _PLAIN:
        return "".join(_encoder(level)(value, 0))
    else:
        raise _Unusual
    if not value:
        return "{}" if kind is dict else "[]"
    if _PLAIN.issuperset(map(type, values)):
        nested: list[Any] = []
    else:
        nested = [v for v in values if type(v) not in _PLAIN]
        if kind is dict:
            value = {k: _HOLE if type(v) not in _PLAIN else v for k, v in value.items()}
        else:
            value = [_HOLE if type(v) not in _PLAIN else v for v in value]
    text = "".join(_encoder(level)(value, 0))
    text = f"{text[0]}\n{INDENT * (level + 1)}{text[1:-1]}\n{INDENT * level}{text[-1]}"
    if not nested:
        return text
    parts = text.split(_HOLE_JSON)
    if len(parts) != len(nested) + 1:
        raise _Unusual
    out = [parts[0]]
    for child, after in zip(nested, parts[1:], strict=True):
        out += [_text(child, level + 1), after]
    return "".join(out)


_HOLE_JSON = encode_basestring(_HOLE)
