"""The template's constants, cell styles and the text it writes: levels as the dropdowns
offer them, input messages and header comments (all clipped to Excel's limits)."""

from __future__ import annotations

import math

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from ..report.page import wrapped_lines
from ..report.safety import clean_text
from ..rubric import Criterion, Indicator

ENGAGEMENT_TYPES = (
    "Joint exercise",
    "Peacekeeping contribution",
    "Strategic dialogue",
    "Military assistance and training",
    "Intelligence sharing",
    "Capacity building",
    "Post-conflict reconstruction",
)
ORGANISATIONS = ("UN", "NATO", "AU", "ASEAN", "OSCE", "EU", "Bilateral")

SHEET = "Engagements"
CRITERIA_SHEET = "Criteria"
LISTS_SHEET = "Lists"
DATA_ROWS = 1000  # rows 2..1001 carry the dropdowns and date formats
DATE_FORMAT = "yyyy-mm-dd"
# Excel's limits on a data validation's texts (longer ones make Excel call the file corrupt).
PROMPT_MAX = 255
TITLE_MAX = 32
EXAMPLE_ID = "EX-0001"
EXAMPLE_NOTE = "Example row: replace or delete"

#: The font of every styled cell: the workbook's own (Calibri), as in the reports.
FONT = "Calibri"
HEADER_FONT = Font(name=FONT, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
RATING_FILL = PatternFill("solid", fgColor="E8F0E0")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")


def level_text(criterion: Criterion, value: int) -> str:
    """A level as the dropdowns offer it: ``"3 - Substantial"`` (read back by the validator)."""
    level = criterion.level(value)
    if level is None:
        raise KeyError(f"{criterion.id} has no level {value}")
    return f"{value} - {level.label.strip()}"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, at a line end or word where possible, with "…"."""
    text = clean_text(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    for sep in ("\n", " "):
        at = cut.rfind(sep)
        if at >= limit // 2:
            cut = cut[:at]
            break
    return cut.rstrip() + "…"


def prompt_title(label: str, column: str) -> str:
    """An input message title: the label, or the (shorter) column name when the label is long."""
    return label if len(label) <= TITLE_MAX or len(column) > TITLE_MAX else column


def direction_text(c: Criterion) -> str:
    if c.direction == "cost":
        return "cost: more of it lowers the score"
    return "benefit: more of it raises the score"


def rating_prompt(c: Criterion) -> str:
    lines = [level_text(c, lv.value) for lv in c.scale.levels]
    if c.direction == "cost":
        lines.append("A higher rating lowers the score.")
    lines.append("Descriptors: header comment / Criteria sheet.")
    return "\n".join(lines)


def rating_comment(c: Criterion) -> str:
    head = f"{c.label} ({c.scale.span}), weight {c.weight:.0%}, {direction_text(c)}"
    levels = [f"{level_text(c, lv.value)}: {lv.descriptor.strip()}" for lv in c.scale.levels]
    return "\n".join([head, c.description.strip(), "", *levels])


def range_text(ind: Indicator) -> str:
    n = ind.normalisation
    unit = f" {ind.unit}" if ind.unit else ""
    if n.method == "minmax":
        return f"a number from {n.min:g} to {n.max:g}{unit}"
    return f"a number{unit} (baseline {n.baseline:g}, target {n.target:g})"


def indicator_comment(c: Criterion, ind: Indicator) -> str:
    parts = [
        f"{ind.label}: {range_text(ind)}",
        f"Measures {c.label} (weight {c.weight:.0%}, {direction_text(c)}).",
    ]
    if ind.description.strip():
        parts.append(ind.description.strip())
    parts += ["", c.description.strip()]
    return "\n".join(parts)


def cell_comment(text: str, width_px: int = 480) -> Comment:
    """A header comment sized to show ``text`` without scrolling."""
    per_line = width_px // 7
    lines = sum(max(1, math.ceil(len(line) / per_line)) for line in text.split("\n"))
    comment = Comment(clean_text(text), "assess")
    comment.width = width_px
    comment.height = min(20 + 16 * lines, 1200)
    return comment


def put(ws: Worksheet, row: int, col: int, value, **style):
    """Write one cell; text always stays text (openpyxl would store "=..." as a formula)."""
    cell = ws.cell(
        row=row, column=col, value=clean_text(value) if isinstance(value, str) else value
    )
    if isinstance(value, str):
        cell.data_type = "s"
    for name, v in style.items():
        setattr(cell, name, v)
    return cell


def row_height(texts: list[tuple[str, float]]) -> float:
    """Height (points) for a row of wrapped cells: (text, column width in characters) pairs."""
    return 15.0 * max(wrapped_lines(text, width, bold=False) for text, width in texts)
