"""The header row: what the rubric reads in it, which row it is, and its columns.

Headers are compared as :func:`~assess.rubric.normalise_header` writes them, so that they may
differ in case, spacing, punctuation or a unit suffix.  :func:`header_targets` says what each
header reads as; :func:`find_header` finds the row that matches the rubric best;
:func:`build_columns` gives each of its cells a :class:`~assess.read.raw.Column`; and
:func:`check_rubric_columns` holds the table to having a column for every criterion.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import InputError, MissingColumnError
from ..rubric import Rubric, normalise_header
from .raw import Column, Role, Sheets, column_letter, present

HEADER_SCAN_ROWS = 50
#: normalised header -> (role, key, display name): what each header the rubric reads reads as
Targets = dict[str, tuple[Role, str, str]]


def header_targets(rubric: Rubric, id_column: str | None = None) -> Targets:
    """normalised header -> (role, key, display name) for everything the rubric reads.

    ``id_column`` names the id column instead of the rubric's identifier and its aliases
    (which are then ordinary carried columns).
    """
    out: Targets = {}
    for name in id_names(rubric, id_column):
        out.setdefault(normalise_header(name), ("id", "id", id_names(rubric, id_column)[0]))
    for c in rubric.criteria:
        if c.rated:
            for name in (c.column, *c.aliases, c.label, c.id):
                out.setdefault(normalise_header(name), ("criterion", c.id, c.column))
        for ind in c.indicators:
            for name in (ind.column, *ind.aliases, ind.label, ind.id):
                out.setdefault(normalise_header(name), ("indicator", ind.id, ind.column))
    # last, the headers of assess's own CSV report, so that a report can be scored again
    for c in rubric.criteria:
        if c.rated:
            out.setdefault(normalise_header(f"{c.id}.rating"), ("criterion", c.id, c.column))
        for ind in c.indicators:
            out.setdefault(normalise_header(f"{ind.id}.value"), ("indicator", ind.id, ind.column))
    return out


#: Columns (and JSON keys) that every result computes beside the carried input columns.
COMPUTED_COLUMNS = frozenset(
    {
        "id",
        "source",
        "sheet",
        "row",
        "status",
        "score",
        "band",
        "rank",
        "completeness",
        "gates",
        "criteria",
        "missing",
        "flags",
        # the review trail of each engagement (assess.review)
        "review",
        "review.assessed_by",
        "review.assessed_on",
        "review.reviewed_by",
        "review.status",
        # batch's portfolio
        "portfolio rank",
        "rank in file",
    }
)
#: Prefixes of the columns an agreement or sensitivity analysis adds to the CSV report.
ANALYSIS_PREFIXES = ("agreement.", "sensitivity.")


def computed_columns(rubric: Rubric) -> frozenset[str]:
    """The names of the columns a result computes for ``rubric``: :data:`COMPUTED_COLUMNS`
    and, per criterion, ``<id>.rating`` (or ``<indicator>.value``), ``<id>.normalised``,
    ``<id>.contribution`` and ``<id>.evidence``.  (Names starting with
    :data:`ANALYSIS_PREFIXES` are computed too.)"""
    names = set(COMPUTED_COLUMNS)
    for c in rubric.criteria:
        names |= {f"{c.id}.rating", f"{c.id}.normalised", f"{c.id}.contribution"}
        names.add(f"{c.id}.evidence")
        names |= {f"{i.id}.value" for i in c.indicators}
    return frozenset(names)


def carried_key(name: str, taken: set[str], computed: frozenset[str]) -> str:
    """The name a carried column with header ``name`` goes by, added to ``taken``.

    A header that is exactly the name of a computed column (``score``, ``rank``,
    ``transparency.rating``, ...; compared as written, so a tracker's ``Status`` keeps its
    name) or that reads as ``id`` becomes ``"<name> (input)"``; a name already taken by an
    earlier carried column gets `` (2)``, `` (3)``, ...
    """
    if name in computed or name.startswith(ANALYSIS_PREFIXES) or normalise_header(name) == "id":
        name = f"{name} (input)"
    base, n = name, 2
    while name in taken:
        name, n = f"{base} ({n})", n + 1
    taken.add(name)
    return name


def renamed_note(columns: list[Column]) -> list[str]:
    """The note that carried columns were renamed so as not to collide with computed ones."""
    renamed = [
        c
        for c in columns
        if c.role == "carry" and c.header and c.key.startswith(c.header + " (input)")
    ]
    if not renamed:
        return []
    if len(renamed) == 1:
        c = renamed[0]
        return [
            f"input column {c.header!r} is carried as {c.key!r}: the report computes a column "
            "of that name"
        ]
    shown = ", ".join(repr(c.header) for c in renamed[:6])
    more = f" and {len(renamed) - 6} more" if len(renamed) > 6 else ""
    return [
        f"input columns {shown}{more} are carried with ' (input)' added to their names: the "
        "report computes columns of those names"
    ]


def id_names(rubric: Rubric, id_column: str | None = None) -> tuple[str, ...]:
    """The headers that read as the engagement id: ``id_column`` alone when given."""
    if id_column is not None and id_column.strip():
        return (id_column.strip(),)
    return (rubric.identifier.column, *rubric.identifier.aliases)


def _expected_names(rubric: Rubric, id_column: str | None = None) -> list[str]:
    names = [id_names(rubric, id_column)[0]]
    for c in rubric.criteria:
        names += [c.column] if c.rated else [i.column for i in c.indicators]
    return names


def _row_matches(row: list[Any], targets: Targets) -> int:
    keys = {targets[n][1] for n in (normalise_header(v) for v in row if present(v)) if n in targets}
    return len(keys)


def find_header(rows: list[list[Any]], targets: Targets) -> tuple[int, int]:
    """(row index, number of rubric columns matched) of the best header row."""
    best = (-1, 0)
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        n = _row_matches(row, targets)
        if n > best[1]:
            best = (i, n)
    return best


def describe_miss(path: Path, sheets: Sheets, rubric: Rubric, id_column: str | None = None) -> str:
    """The message for a file none of whose ``sheets`` holds a table with the rubric's
    columns: what was looked for, the headers found instead, and any that come close."""
    expected = _expected_names(rubric, id_column)
    found: list[str] = []
    for _, _, rows in sheets:
        for row in rows[:HEADER_SCAN_ROWS]:
            found += [str(v).strip() for v in row if isinstance(v, str) and v.strip()]
    found = list(dict.fromkeys(found))
    hints = []
    norm_found = {normalise_header(f): f for f in found}
    for name in expected:
        close = closest_header(name, list(norm_found.values()))
        if close:
            hints.append(f"{close!r} for {name!r}?")
    shown = ", ".join(repr(f) for f in found[:12]) + (" ..." if len(found) > 12 else "")
    msg = (
        f"{path.name}: no table with the rubric's columns; looked for "
        f"{', '.join(repr(e) for e in expected)}; found {shown or 'no headers at all'}"
    )
    if hints:
        msg += "; did you mean " + " ".join(hints)
    return msg


def closest_header(name: str, headers: list[str]) -> str | None:
    """The header in ``headers`` most like ``name`` (compared as headers are), if any is close."""
    by_form: dict[str, str] = {}
    for h in headers:
        by_form.setdefault(normalise_header(h), h)
    close = difflib.get_close_matches(normalise_header(name), list(by_form), n=1, cutoff=0.6)
    return by_form[close[0]] if close else None


def build_columns(
    header: list[Any],
    targets: Targets,
    where: str,
    computed: frozenset[str] = COMPUTED_COLUMNS,
) -> list[Column]:
    """Each header cell's column: what the rubric reads, or carried under the name
    :func:`carried_key` gives it (``computed``: the names the result computes)."""
    columns: list[Column] = []
    claimed: dict[str, Column] = {}
    carried_names: set[str] = set()
    for idx, value in enumerate(header):
        text = str(value).strip() if present(value) else ""
        hit = targets.get(normalise_header(text)) if text else None
        if hit is not None:
            role, key, _ = hit
            if key in claimed:
                first = claimed[key]
                raise InputError(
                    f"{where}: columns {first.letter} ({first.header!r}) and {column_letter(idx)} "
                    f"({text!r}) both read as {key!r}; rename or remove one"
                )
            col = Column(idx, text, role, key)
            claimed[key] = col
        else:
            name = carried_key(text or f"Column {column_letter(idx)}", carried_names, computed)
            col = Column(idx, text, "carry", name)
        columns.append(col)
    return columns


def check_header(
    header: list[Any],
    rubric: Rubric,
    *,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    where: str = "",
) -> list[str]:
    """Check a table's header row as :func:`~assess.read.read_table` does, before reading any data.

    Returns the notes reading the table would give (a criterion allowed to have no column);
    raises :class:`InputError` when it has no id column or lacks a criterion's column.
    """
    allowed = missing_allowance(rubric, allow_missing)
    columns = build_columns(
        header, header_targets(rubric, id_column), where, computed_columns(rubric)
    )
    if not any(c.role == "id" for c in columns):
        raise InputError(
            f"{where}: no id column {id_names(rubric, id_column)[0]!r}; "
            "name the id column with --id-column"
        )
    return renamed_note(columns) + check_rubric_columns(columns, rubric, allowed, where)


def missing_allowance(rubric: Rubric, names: str | Iterable[str] | None) -> frozenset[str]:
    """The criterion and indicator ids that ``names`` allow to have no column.

    ``names`` holds ids, labels or column headers of criteria or indicators (a criterion
    allows all its indicators), or ``"all"``; one string may list several, comma-separated.
    Raises :class:`InputError` naming any that the rubric does not have.
    """
    if names is None:
        return frozenset()
    if isinstance(names, str):
        names = [names]
    wanted = [n.strip() for name in names for n in str(name).split(",") if n.strip()]
    known: dict[str, set[str]] = {}
    for c in rubric.criteria:
        keys = {c.id} if c.rated else {i.id for i in c.indicators}
        for n in (c.id, c.label, c.column, *c.aliases):
            known.setdefault(normalise_header(n), set()).update(keys)
        for i in c.indicators:
            for n in (i.id, i.label, i.column, *i.aliases):
                known.setdefault(normalise_header(n), set()).add(i.id)
    every = {k for keys in known.values() for k in keys}
    out: set[str] = set()
    unknown = []
    for name in wanted:
        if name.casefold() == "all":
            out |= every
        elif normalise_header(name) in known:
            out |= known[normalise_header(name)]
        else:
            unknown.append(name)
    if unknown:
        ids = ", ".join(c.id for c in rubric.criteria)
        raise InputError(
            f"--allow-missing: {', '.join(repr(u) for u in unknown)} "
            f"{'is not a criterion' if len(unknown) == 1 else 'are not criteria'} "
            f"of rubric {rubric.name} ({ids}, or all)"
        )
    return frozenset(out)


def check_rubric_columns(
    columns: list[Column], rubric: Rubric, allowed: frozenset[str], where: str
) -> list[str]:
    """Every criterion (or indicator) the rubric reads has a column, unless ``allowed``.

    A criterion without a column would be scored as unrated on every row, its weight
    silently spread over the others: unusable input unless the caller allowed it, and
    then a note (returned) on the table.
    """
    have = {c.key for c in columns if c.role != "carry"}
    carried = [c.header for c in columns if c.role == "carry" and c.header]
    absent: list[tuple[str, str, str]] = []  # (kind, id, column)
    for c in rubric.criteria:
        if c.rated:
            if c.id not in have:
                absent.append(("criterion", c.id, c.column))
        for i in c.indicators:
            if i.id not in have:
                absent.append(("indicator", i.id, i.column))
    refused = [a for a in absent if a[1] not in allowed]
    if refused:
        parts = []
        for kind, key, column in refused:
            part = f"no column for {kind} {key!r} ({column})"
            close = closest_header(column, carried)
            parts.append(part + (f"; did you mean {close!r}?" if close else ""))
        keys = ",".join(key for _, key, _ in refused)
        raise MissingColumnError(
            f"{where}: {'; '.join(parts)} "
            f"(to score without {'it' if len(refused) == 1 else 'them'}: "
            f"--allow-missing {keys})"
        )
    return [
        f"no column for {kind} {key!r} ({column}): scored as not rated on every row "
        "(--allow-missing)"
        for kind, key, column in absent
    ]


ID_CANDIDATE_SHARE = 0.9
_DATE_TEXT = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})([ T].*)?$")


def _id_candidates(body: list[list[Any]], columns: list[Column]) -> list[str]:
    """Headers of the carried columns that could serve as ids: unique, non-blank text.

    "Unique" and "non-blank" allow a tenth of the rows to fall short, as a real id column
    may hold the very missing or repeated ids that validation would then reject.
    """
    rows = [r for r in body if any(present(v) for v in r)]
    out = []
    for c in columns:
        if c.role != "carry" or not c.header or not rows:
            continue
        texts = [
            " ".join(r[c.index].split())
            for r in rows
            if c.index < len(r) and isinstance(r[c.index], str) and r[c.index].strip()
        ]
        texts = [t for t in texts if not _DATE_TEXT.match(t)]  # dates as text (CSV)
        enough = ID_CANDIDATE_SHARE * len(rows)
        if len(texts) >= enough and len(set(texts)) >= enough:
            out.append(c.header)
    return out


def require_id(
    columns: list[Column],
    body: list[list[Any]],
    where: str,
    rubric: Rubric,
    id_column: str | None,
) -> None:
    """Refuse a table (whose header is at ``where``, its rows ``body``) without an id column,
    naming the carried columns that could serve as one."""
    if any(c.role == "id" for c in columns):
        return
    serve = _id_candidates(body, columns)
    could = (
        f"; columns that could serve (unique, non-blank text): {', '.join(repr(h) for h in serve)}"
        if serve
        else "; no column holds unique, non-blank text"
    )
    raise InputError(
        f"{where}: no id column {id_names(rubric, id_column)[0]!r}{could}; "
        "name the id column with --id-column"
    )
