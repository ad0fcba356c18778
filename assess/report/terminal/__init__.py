"""What assess prints in the terminal: the ranked table here, with the helpers that keep input
text inert in every terminal table (:func:`inert`, :func:`shown`).

The tables of ``assess agreement``, ``assess sensitivity`` and ``assess explain`` are in
:mod:`assess.report.terminal.analyses`; those of ``assess calibrate`` in
:mod:`assess.report.terminal.calibration`; those of ``assess trend`` and ``assess changes`` in
:mod:`assess.report.terminal.history`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ... import display
from ..text import printable

if TYPE_CHECKING:  # the ranked table's input; the light printers here need no pandas
    from ...result import Result


def _plain(value) -> str:
    """A cell from the input as the table shows it: control characters made visible
    (:func:`~assess.report.safety.printable`), cut to 48 characters."""
    if value is None or (isinstance(value, float) and value != value) or _is_na(value):
        return ""
    text = printable(str(value))
    return text if len(text) <= 48 else text[:47] + "…"


def _is_na(value) -> bool:
    """pandas' missing-value marker (``pandas.NA``), told without importing pandas."""
    return type(value).__name__ == "NAType"


def inert(text) -> Text:
    """Input text to print: its control characters made visible, never read as markup."""
    return Text(printable(str(text)))


def shown(value) -> Text:
    """Input text as a table cell: exactly :func:`_plain`'s text, never read as markup."""
    return Text(_plain(value))


def print_result(result: Result, console: Console, limit: int | None = None) -> None:
    """Ranked table, one-line summary, then insufficient-evidence and rejected rows."""
    from ..safety import report_notes

    rubric = result.rubric
    colours = {b.name: b.colour for b in rubric.bands}
    name_col = result.name_column
    table = Table(
        title=Text(
            f"{rubric.title or rubric.name} — rubric {rubric.name} {rubric.version} "
            f"({rubric.short_hash})"
        ),
        title_justify="left",
        expand=False,
    )
    for note in report_notes(result):  # above the table: they change what it means
        console.print(Text("note: " + printable(note), style="bold yellow"))
    rows = result.scored if limit is None else result.scored.head(limit)
    id_width = max([len(_plain(i)) for i in rows.index] + [2])
    band_width = max(len(b) for b in rubric.band_names) + 2
    ratings_width = 3 * len(rubric.criteria)
    fixed = {"Rank": 4, "ID": id_width, "Score": 5, "Band": band_width, "Ratings": ratings_width}
    # what is left of the console's width (each column costs 3 more for borders and padding)
    spare = console.width - sum(fixed.values()) - 3 * (len(fixed) + 1) - 1
    if name_col and spare < 12:
        name_col = None
    table.add_column("Rank", justify="right", no_wrap=True, min_width=fixed["Rank"])
    table.add_column("ID", no_wrap=True, min_width=id_width)
    if name_col:
        table.add_column(
            shown(name_col), no_wrap=True, overflow="ellipsis", max_width=min(spare, 40)
        )
    table.add_column("Score", justify="right", no_wrap=True, min_width=5)
    table.add_column("Band", no_wrap=True, min_width=band_width)
    table.add_column("Ratings", no_wrap=True, min_width=ratings_width)
    for eid, row in rows.iterrows():
        cells = [str(row["rank"]), shown(eid)]
        if name_col:
            cells.append(shown(row[name_col]))
        cells.append(display.fixed(row["score"], 1))
        band = Text(
            str(row["band"]) + (" *" if row["gates"] else ""), style=colours.get(row["band"], "")
        )
        ratings = []
        for c in rubric.criteria:
            v = row[f"{c.id}.rating"] if c.rated else row[f"{c.id}.normalised"]
            ratings.append(display.trimmed(v, 2, "-") if c.rated else display.fixed(v, 2, "-"))
        table.add_row(*cells, band, " ".join(f"{r:>2}" for r in ratings))
    console.print(table)
    console.print(
        "Ratings: " + ", ".join(c.label for c in rubric.criteria) + ".",
        soft_wrap=True,
        markup=False,
    )
    if limit is not None and len(result.scored) > limit:
        console.print(f"(top {limit} of {len(result.scored)} shown)")
    applied = {g for cell in result.scored["gates"] for g in str(cell).split(",") if g}
    if applied:
        console.print(
            "* band capped by a gate: "
            + "; ".join(f"{g.id} ({g.describe()})" for g in rubric.gates if g.id in applied),
            markup=False,
        )
    console.print(Text(result.summary_line(), style="bold"))
    for line in result.problem_lines():
        console.print("  " + printable(line), markup=False, highlight=False)
