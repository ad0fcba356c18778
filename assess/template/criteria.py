"""The Criteria sheet: the rubric in full, a line at a time."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from ..rubric import Criterion, Rubric
from .cells import (
    FONT,
    HEADER_FILL,
    HEADER_FONT,
    WRAP_TOP,
    direction_text,
    put,
    range_text,
    row_height,
)

CRITERIA_WIDTHS = {"A": 12, "B": 30, "C": 95}


class Lines:
    """The Criteria sheet, written a line at a time: a key in column B and its value in C
    (wrapped, the row as tall as the texts need), perhaps a first cell in A."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 1

    def line(
        self, key: str, value, *, bold: bool = False, number_format: str | None = None, first=None
    ) -> None:
        ws, row = self.ws, self.row
        if first is not None:
            put(ws, row, 1, first, alignment=WRAP_TOP)
        put(ws, row, 2, key, alignment=WRAP_TOP, font=Font(name=FONT, bold=bold))
        cell = put(ws, row, 3, value, alignment=WRAP_TOP)
        if number_format:
            cell.number_format = number_format
            cell.alignment = Alignment(horizontal="left", vertical="top")
        if isinstance(value, str):
            widths = CRITERIA_WIDTHS
            ws.row_dimensions[row].height = row_height([(value, widths["C"]), (key, widths["B"])])
        self.row += 1

    def heading(self, text: str, *, across: bool) -> None:
        """A section's heading, shaded (``across``: over all three columns)."""
        put(self.ws, self.row, 1, text, font=Font(name=FONT, bold=True, size=12), fill=HEADER_FILL)
        for col in (2, 3) if across else ():
            put(self.ws, self.row, col, None, fill=HEADER_FILL)
        self.row += 1


def write_criteria(ws: Worksheet, rubric: Rubric) -> None:
    for letter, w in CRITERIA_WIDTHS.items():
        ws.column_dimensions[letter].width = w
    lines = Lines(ws)
    put(ws, 1, 1, rubric.title or rubric.name, font=Font(name=FONT, bold=True, size=14))
    lines.row += 2
    write_rubric_lines(lines, rubric)
    lines.row += 1
    for c in rubric.criteria:
        write_criterion(lines, c)
        lines.row += 1
    lines.heading("Bands", across=False)
    for b in rubric.bands:
        lines.line(b.name, f"score {b.min:g} and above")
    for g in rubric.gates:
        lines.line(f"Gate {g.id}", f"{g.describe()}. {g.reason.strip()}".strip())
    ws.freeze_panes = "A2"


def write_rubric_lines(lines: Lines, rubric: Rubric) -> None:
    """What the rubric is, and how its id column and missing ratings are read."""
    lines.line("Rubric", f"{rubric.name} version {rubric.version}", bold=True)
    lines.line(
        "Rubric hash", f"{rubric.short_hash} (start of SHA-256 {rubric.content_hash})", bold=True
    )
    if rubric.description:
        lines.line("About", rubric.description.strip(), bold=True)
    lines.line(
        "Identifier",
        f"column {rubric.identifier.column!r}: one unique value per engagement",
        bold=True,
    )
    lines.line(
        "Missing ratings",
        (
            "Leave a cell blank (or write N/A) when a criterion was not assessed: the weights are "
            "spread over the criteria present. Below "
            f"{rubric.missing.min_weight_share:.0%} of the total weight present, the engagement "
            "is reported as insufficient evidence instead of scored."
        ),
        bold=True,
    )


def write_criterion(lines: Lines, c: Criterion) -> None:
    """One criterion: its weight, columns and description, then its levels or indicators."""
    lines.heading(c.label, across=True)
    lines.line("Weight", c.weight, number_format="0.0%")
    lines.line("Direction", direction_text(c))
    columns = [c.column] if c.rated else [i.column for i in c.indicators]
    lines.line("Column" if len(columns) == 1 else "Columns", ", ".join(columns))
    lines.line("Description", c.description.strip())
    if c.source.strip():
        lines.line("Source", c.source.strip())
    if c.rated:
        for col, head in enumerate(("Value", "Label", "Descriptor"), start=1):
            put(lines.ws, lines.row, col, head, font=HEADER_FONT)
        lines.row += 1
        for lv in c.scale.levels:
            lines.line(lv.label.strip(), lv.descriptor.strip(), first=lv.value)
    for ind in c.indicators:
        text = f"{range_text(ind)}; weight {ind.weight:g} within {c.label}"
        if ind.description.strip():
            text += f". {ind.description.strip()}"
        lines.line(f"Indicator: {ind.label}", text)
