"""The input template: a blank engagements workbook built from a rubric.

:func:`write_template` writes an ``.xlsx`` whose "Engagements" sheet has exactly the columns
the reader looks for, a dropdown of ``N - label`` levels on every rating column, the anchored
descriptors as header comments and input messages, and a "Criteria" sheet with the rubric in
full.  Anything picked from the dropdowns reads back through :func:`assess.score` unchanged.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .errors import OutputError
from .files import atomic_path, check_output_path, zip_sink
from .read import header_targets
from .report.page import PageSetup, column_width, header_height, set_page, wrapped_lines
from .report.safety import clean_text
from .rubric import Criterion, Indicator, Rubric, load_rubric, normalise_header

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
_FONT = "Calibri"
_HEADER_FONT = Font(name=_FONT, bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
_RATING_FILL = PatternFill("solid", fgColor="E8F0E0")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")

Kind = Literal["id", "name", "type", "text", "organisation", "date", "rating", "indicator"]


@dataclass(frozen=True)
class _Field:
    """One column of the Engagements sheet."""

    header: str
    kind: Kind
    width: float
    criterion: Criterion | None = None
    indicator: Indicator | None = None


def _fields(rubric: Rubric) -> list[_Field]:
    """The template's columns; a descriptive column is left out when the rubric reads that
    header itself (the reader would otherwise find two columns for one key)."""
    taken = set(header_targets(rubric))

    def free(header: str) -> bool:
        return normalise_header(header) not in taken

    fields = [_Field(rubric.identifier.column, "id", 16)]
    fixed: list[tuple[str, Kind, float]] = [
        ("Engagement", "name", 36),
        ("Type", "type", 30),
        ("Partners", "text", 28),
        ("Organisation", "organisation", 16),
        ("Start date", "date", 13),
        ("End date", "date", 13),
    ]
    fields += [_Field(h, k, w) for h, k, w in fixed if free(h)]
    for c in rubric.criteria:
        if c.rated:
            fields.append(_Field(c.column, "rating", _rating_width(c), criterion=c))
        for ind in c.indicators:
            fields.append(
                _Field(
                    ind.column,
                    "indicator",
                    max(14, min(len(ind.column) + 4, 30)),
                    criterion=c,
                    indicator=ind,
                )
            )
    if free("Notes"):
        fields.append(_Field("Notes", "text", 50))
    return fields


def _width(f: _Field) -> float:
    """A column's width: its own, or more if a word of its (wrapped) header needs it."""
    return max(f.width, column_width([f.header]))


def _rating_width(c: Criterion) -> float:
    longest = max(len(level_text(c, lv.value)) for lv in c.scale.levels)
    return max(14, min(max(longest, len(c.column)) + 4, 40))


# -- text helpers ---------------------------------------------------------------------------


def level_text(criterion: Criterion, value: int) -> str:
    """A level as the dropdowns offer it: ``"3 - Substantial"`` (read back by the validator)."""
    level = criterion.level(value)
    if level is None:
        raise KeyError(f"{criterion.id} has no level {value}")
    return f"{value} - {level.label.strip()}"


def _clip(text: str, limit: int) -> str:
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


def _title(label: str, column: str) -> str:
    """An input message title: the label, or the (shorter) column name when the label is long."""
    return label if len(label) <= TITLE_MAX or len(column) > TITLE_MAX else column


def _direction(c: Criterion) -> str:
    if c.direction == "cost":
        return "cost: more of it lowers the score"
    return "benefit: more of it raises the score"


def _rating_prompt(c: Criterion) -> str:
    lines = [level_text(c, lv.value) for lv in c.scale.levels]
    if c.direction == "cost":
        lines.append("A higher rating lowers the score.")
    lines.append("Descriptors: header comment / Criteria sheet.")
    return "\n".join(lines)


def _rating_comment(c: Criterion) -> str:
    head = f"{c.label} ({c.scale.span}), weight {c.weight:.0%}, {_direction(c)}"
    levels = [f"{level_text(c, lv.value)}: {lv.descriptor.strip()}" for lv in c.scale.levels]
    return "\n".join([head, c.description.strip(), "", *levels])


def _range_text(ind: Indicator) -> str:
    n = ind.normalisation
    unit = f" {ind.unit}" if ind.unit else ""
    if n.method == "minmax":
        return f"a number from {n.min:g} to {n.max:g}{unit}"
    return f"a number{unit} (baseline {n.baseline:g}, target {n.target:g})"


def _indicator_comment(c: Criterion, ind: Indicator) -> str:
    parts = [
        f"{ind.label}: {_range_text(ind)}",
        f"Measures {c.label} (weight {c.weight:.0%}, {_direction(c)}).",
    ]
    if ind.description.strip():
        parts.append(ind.description.strip())
    parts += ["", c.description.strip()]
    return "\n".join(parts)


def _comment(text: str, width_px: int = 480) -> Comment:
    """A header comment sized to show ``text`` without scrolling."""
    per_line = width_px // 7
    lines = sum(max(1, math.ceil(len(line) / per_line)) for line in text.split("\n"))
    comment = Comment(clean_text(text), "assess")
    comment.width = width_px
    comment.height = min(20 + 16 * lines, 1200)
    return comment


def _put(ws: Worksheet, row: int, col: int, value, **style):
    """Write one cell; text always stays text (openpyxl would store "=..." as a formula)."""
    cell = ws.cell(
        row=row, column=col, value=clean_text(value) if isinstance(value, str) else value
    )
    if isinstance(value, str):
        cell.data_type = "s"
    for name, v in style.items():
        setattr(cell, name, v)
    return cell


def _row_height(texts: list[tuple[str, float]]) -> float:
    """Height (points) for a row of wrapped cells: (text, column width in characters) pairs."""
    return 15.0 * max(wrapped_lines(text, width, bold=False) for text, width in texts)


# -- sheets ---------------------------------------------------------------------------------


def _source_key(f: _Field) -> str:
    return f"criterion:{f.criterion.id}" if f.kind == "rating" and f.criterion else f.kind


def _write_lists(ws: Worksheet, fields: list[_Field]) -> dict[str, str]:
    """The dropdown sources, one column each; returns source key -> absolute range."""
    columns: list[tuple[str, str, list[str]]] = [
        ("type", "Engagement types", list(ENGAGEMENT_TYPES)),
        ("organisation", "Organisations", list(ORGANISATIONS)),
    ]
    for f in fields:
        if f.kind == "rating":
            assert f.criterion is not None
            values = [level_text(f.criterion, lv.value) for lv in f.criterion.scale.levels]
            # Not the column's own header: that would be a second match for the reader.
            columns.append((_source_key(f), f"Levels of {f.criterion.label}", values))
    sources: dict[str, str] = {}
    for i, (key, title, values) in enumerate(columns, start=1):
        letter = get_column_letter(i)
        _put(ws, 1, i, title, font=_HEADER_FONT)
        for r, v in enumerate(values, start=2):
            _put(ws, r, i, v)
        ws.column_dimensions[letter].width = max(16, min(max(map(len, [title, *values])) + 2, 60))
        sources[key] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    return sources


def _validation(kind: str, **kwargs) -> DataValidation:
    for key, limit in (
        ("promptTitle", TITLE_MAX),
        ("errorTitle", TITLE_MAX),
        ("prompt", PROMPT_MAX),
        ("error", PROMPT_MAX),
    ):
        if kwargs.get(key):
            kwargs[key] = _clip(kwargs[key], limit)
    return DataValidation(
        type=kind, allow_blank=True, showInputMessage=bool(kwargs.get("prompt")), **kwargs
    )


def _field_validation(f: _Field, sources: dict[str, str]) -> DataValidation | None:
    if f.kind == "rating":
        c = f.criterion
        assert c is not None
        return _validation(
            "list",
            formula1=sources[_source_key(f)],
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle="Not a level",
            error=f"Pick a level {c.scale.span} from the list, or leave blank if not assessed.",
            promptTitle=_title(c.label, c.column),
            prompt=_rating_prompt(c),
        )
    if f.kind in ("type", "organisation"):
        what = "an engagement type" if f.kind == "type" else "an organisation"
        return _validation(
            "list",
            formula1=sources[_source_key(f)],
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle="Not in the list",
            error="This value is not in the list. Choose Yes to keep it anyway.",
            promptTitle=f.header,
            prompt=f"Pick {what} from the list, or type another.",
        )
    if f.kind == "date":
        return _validation(
            "date",
            operator="between",
            formula1=str(int(to_excel(_dt.date(1900, 1, 1)))),
            formula2=str(int(to_excel(_dt.date(2199, 12, 31)))),
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle="Not a date",
            error="Enter a date such as 2024-03-15, or leave blank.",
            promptTitle=f.header,
            prompt="A date, e.g. 2024-03-15.",
        )
    if f.kind == "indicator":
        ind = f.indicator
        assert ind is not None
        prompt = f"Enter {_range_text(ind)}, or leave blank if not measured."
        norm = ind.normalisation
        if norm.method != "minmax":
            return _validation(None, promptTitle=_title(ind.label, ind.column), prompt=prompt)
        return _validation(
            "decimal",
            operator="between",
            formula1=f"{norm.min:g}",
            formula2=f"{norm.max:g}",
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle="Out of range",
            error=prompt,
            promptTitle=_title(ind.label, ind.column),
            prompt=prompt,
        )
    if f.kind == "id":
        return _validation(
            None,
            promptTitle=f.header,
            prompt="A unique reference for each engagement, e.g. EX-0001.",
        )
    return None


def _example_value(f: _Field, rubric: Rubric):
    if f.kind == "rating":
        c = f.criterion
        assert c is not None
        # a good engagement: high on benefits, low on costs
        share = 0.25 if c.direction == "cost" else 0.75
        return level_text(c, c.scale.min + round(share * (c.scale.max - c.scale.min)))
    if f.kind == "indicator":
        assert f.indicator is not None
        n = f.indicator.normalisation
        low, high = (n.min, n.max) if n.method == "minmax" else (n.baseline, n.target)
        value = low + 0.75 * (high - low)
        return int(value) if float(value).is_integer() else round(value, 6)
    examples = {
        "id": EXAMPLE_ID,
        "name": "Exercise Blue Horizon 2024",
        "type": ENGAGEMENT_TYPES[0],
        "organisation": ORGANISATIONS[0],
    }
    if f.kind in examples:
        return examples[f.kind]
    if f.kind == "date":
        return _dt.date(2024, 3, 4) if f.header == "Start date" else _dt.date(2024, 3, 15)
    if f.header == "Notes":
        return EXAMPLE_NOTE
    return "Partner A; Partner B"


def _write_engagements(
    ws: Worksheet, rubric: Rubric, fields: list[_Field], sources: dict[str, str], example_row: bool
) -> None:
    last_row = DATA_ROWS + 1
    for col, f in enumerate(fields, start=1):
        letter = get_column_letter(col)
        fill = _RATING_FILL if f.kind in ("rating", "indicator") else _HEADER_FILL
        cell = _put(
            ws,
            1,
            col,
            f.header,
            font=_HEADER_FONT,
            fill=fill,
            alignment=Alignment(wrap_text=True, vertical="center"),
        )
        ws.column_dimensions[letter].width = _width(f)
        if f.kind == "rating":
            assert f.criterion is not None
            cell.comment = _comment(_rating_comment(f.criterion))
        elif f.kind == "indicator":
            assert f.criterion is not None and f.indicator is not None
            cell.comment = _comment(_indicator_comment(f.criterion, f.indicator))
        dv = _field_validation(f, sources)
        if dv is not None:
            dv.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(dv)
        if f.kind == "date":
            for r in range(2, last_row + 1):
                ws.cell(row=r, column=col).number_format = DATE_FORMAT
        if example_row:
            _put(
                ws,
                2,
                col,
                _example_value(f, rubric),
                font=Font(name=_FONT, italic=True, color="555555"),
            )
    ws.row_dimensions[1].height = header_height((f.header, _width(f)) for f in fields)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(fields))}{last_row}"


_CRITERIA_WIDTHS = {"A": 12, "B": 30, "C": 95}


class _Lines:
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
            _put(ws, row, 1, first, alignment=_WRAP_TOP)
        _put(ws, row, 2, key, alignment=_WRAP_TOP, font=Font(name=_FONT, bold=bold))
        cell = _put(ws, row, 3, value, alignment=_WRAP_TOP)
        if number_format:
            cell.number_format = number_format
            cell.alignment = Alignment(horizontal="left", vertical="top")
        if isinstance(value, str):
            widths = _CRITERIA_WIDTHS
            ws.row_dimensions[row].height = _row_height([(value, widths["C"]), (key, widths["B"])])
        self.row += 1

    def heading(self, text: str, *, across: bool) -> None:
        """A section's heading, shaded (``across``: over all three columns)."""
        _put(
            self.ws, self.row, 1, text, font=Font(name=_FONT, bold=True, size=12), fill=_HEADER_FILL
        )
        for col in (2, 3) if across else ():
            _put(self.ws, self.row, col, None, fill=_HEADER_FILL)
        self.row += 1


def _write_criteria(ws: Worksheet, rubric: Rubric) -> None:
    for letter, w in _CRITERIA_WIDTHS.items():
        ws.column_dimensions[letter].width = w
    lines = _Lines(ws)
    _put(ws, 1, 1, rubric.title or rubric.name, font=Font(name=_FONT, bold=True, size=14))
    lines.row += 2
    _write_rubric_lines(lines, rubric)
    lines.row += 1
    for c in rubric.criteria:
        _write_criterion(lines, c)
        lines.row += 1
    lines.heading("Bands", across=False)
    for b in rubric.bands:
        lines.line(b.name, f"score {b.min:g} and above")
    for g in rubric.gates:
        lines.line(f"Gate {g.id}", f"{g.describe()}. {g.reason.strip()}".strip())
    ws.freeze_panes = "A2"


def _write_rubric_lines(lines: _Lines, rubric: Rubric) -> None:
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


def _write_criterion(lines: _Lines, c: Criterion) -> None:
    """One criterion: its weight, columns and description, then its levels or indicators."""
    lines.heading(c.label, across=True)
    lines.line("Weight", c.weight, number_format="0.0%")
    lines.line("Direction", _direction(c))
    columns = [c.column] if c.rated else [i.column for i in c.indicators]
    lines.line("Column" if len(columns) == 1 else "Columns", ", ".join(columns))
    lines.line("Description", c.description.strip())
    if c.source.strip():
        lines.line("Source", c.source.strip())
    if c.rated:
        for col, head in enumerate(("Value", "Label", "Descriptor"), start=1):
            _put(lines.ws, lines.row, col, head, font=_HEADER_FONT)
        lines.row += 1
        for lv in c.scale.levels:
            lines.line(lv.label.strip(), lv.descriptor.strip(), first=lv.value)
    for ind in c.indicators:
        text = f"{_range_text(ind)}; weight {ind.weight:g} within {c.label}"
        if ind.description.strip():
            text += f". {ind.description.strip()}"
        lines.line(f"Indicator: {ind.label}", text)


def write_template(
    rubric: Rubric | str | Path, path: str | Path, example_row: bool = True, overwrite: bool = False
) -> Path:
    """Write a blank engagements workbook for ``rubric``, ready to fill in and score.

    The "Engagements" sheet holds the identifier column, descriptive columns (Engagement,
    Type, Partners, Organisation, Start date, End date), one column per rated criterion
    (per indicator for measured criteria) and Notes.  Every rating column offers a dropdown
    of ``N - label`` levels; its header comment and input message give the criterion's
    descriptors.  A "Criteria" sheet sets out the rubric in full; the dropdown sources sit on
    a hidden "Lists" sheet.  Whatever is picked from the dropdowns scores without rejection.

    Parameters
    ----------
    rubric : Rubric, str or Path
        The rubric to build the template for (a :class:`Rubric`, built-in name or YAML path).
    path : str or Path
        Where to write; must end in ``.xlsx``.  Written atomically (a temporary file in the
        same folder, renamed into place when complete).
    example_row : bool, optional
        Fill row 2 with a plausible example engagement (id ``EX-0001``) to show the format.
    overwrite : bool, optional
        Replace ``path`` if it exists; by default an existing file is never touched.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    OutputError
        ``path`` exists (and ``overwrite`` is false), does not end in ``.xlsx``, is a folder,
        its folder does not exist, or it cannot be written.

    Examples
    --------
    >>> import assess, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> out = assess.write_template(assess.load_rubric(), folder / "engagements.xlsx")
    >>> assess.score(out).summary_line()
    '1 scored, 0 insufficient evidence, 0 rejected of 1 rows'
    """
    rub = load_rubric(rubric)
    target = Path(path)
    check_output_path(target, [])
    if target.suffix.lower() != ".xlsx":
        raise OutputError(
            f"the template is an Excel workbook; give a path ending in .xlsx, not {target.name!r}"
        )
    if target.exists() and not overwrite:
        raise OutputError(f"{target} already exists; use --force to replace it")
    fields = _fields(rub)
    wb = Workbook()
    engagements = wb.active
    engagements.title = SHEET
    criteria = wb.create_sheet(CRITERIA_SHEET)
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    sources = _write_lists(lists, fields)
    _write_engagements(engagements, rub, fields, sources, example_row)
    _write_criteria(criteria, rub)
    page = PageSetup.of("Input template", rub)
    for ws in (engagements, criteria, lists):
        set_page(ws, page)
    wb.active = 0
    wb.properties.title = _clip(f"{rub.title or rub.name}: engagements", 200)
    wb.properties.subject = f"Input template for rubric {rub.name} {rub.version} ({rub.short_hash})"
    wb.properties.creator = "assess"
    wb.properties.lastModifiedBy = "assess"
    wb.properties.keywords = f"assess; rubric {rub.name}"
    try:
        with atomic_path(target) as tmp:
            sink = zip_sink(tmp)
            wb.save(sink)
            sink.close()
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target
