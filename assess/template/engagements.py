"""The Engagements sheet: a header per column with its comment, a dropdown or validation on
every data row, an optional example row; and the hidden Lists sheet the dropdowns read."""

from __future__ import annotations

import datetime as _dt

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..report.page import header_height
from ..rubric import Rubric
from .cells import (
    DATA_ROWS,
    DATE_FORMAT,
    ENGAGEMENT_TYPES,
    EXAMPLE_ID,
    EXAMPLE_NOTE,
    FONT,
    HEADER_FILL,
    HEADER_FONT,
    LISTS_SHEET,
    ORGANISATIONS,
    PROMPT_MAX,
    RATING_FILL,
    TITLE_MAX,
    cell_comment,
    clip,
    indicator_comment,
    level_text,
    prompt_title,
    put,
    range_text,
    rating_comment,
    rating_prompt,
)
from .fields import EVIDENCE_PROMPT, Field, field_width


def source_key(f: Field) -> str:
    return f"criterion:{f.criterion.id}" if f.kind == "rating" and f.criterion else f.kind


def write_lists(ws: Worksheet, fields: list[Field]) -> dict[str, str]:
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
            columns.append((source_key(f), f"Levels of {f.criterion.label}", values))
        elif f.kind == "status":
            columns.append(("status", "Review statuses", list(f.values)))
    sources: dict[str, str] = {}
    for i, (key, title, values) in enumerate(columns, start=1):
        letter = get_column_letter(i)
        put(ws, 1, i, title, font=HEADER_FONT)
        for r, v in enumerate(values, start=2):
            put(ws, r, i, v)
        ws.column_dimensions[letter].width = max(16, min(max(map(len, [title, *values])) + 2, 60))
        sources[key] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    return sources


def validation(kind: str, **kwargs) -> DataValidation:
    for key, limit in (
        ("promptTitle", TITLE_MAX),
        ("errorTitle", TITLE_MAX),
        ("prompt", PROMPT_MAX),
        ("error", PROMPT_MAX),
    ):
        if kwargs.get(key):
            kwargs[key] = clip(kwargs[key], limit)
    return DataValidation(
        type=kind, allow_blank=True, showInputMessage=bool(kwargs.get("prompt")), **kwargs
    )


def field_validation(f: Field, sources: dict[str, str]) -> DataValidation | None:
    if f.kind == "rating":
        c = f.criterion
        assert c is not None
        return validation(
            "list",
            formula1=sources[source_key(f)],
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle="Not a level",
            error=f"Pick a level {c.scale.span} from the list, or leave blank if not assessed.",
            promptTitle=prompt_title(c.label, c.column),
            prompt=rating_prompt(c),
        )
    if f.kind in ("type", "organisation"):
        what = "an engagement type" if f.kind == "type" else "an organisation"
        return validation(
            "list",
            formula1=sources[source_key(f)],
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle="Not in the list",
            error="This value is not in the list. Choose Yes to keep it anyway.",
            promptTitle=f.header,
            prompt=f"Pick {what} from the list, or type another.",
        )
    if f.kind == "date":
        return validation(
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
        prompt = f"Enter {range_text(ind)}, or leave blank if not measured."
        norm = ind.normalisation
        if norm.method != "minmax":
            return validation(None, promptTitle=prompt_title(ind.label, ind.column), prompt=prompt)
        return validation(
            "decimal",
            operator="between",
            formula1=f"{norm.min:g}",
            formula2=f"{norm.max:g}",
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle="Out of range",
            error=prompt,
            promptTitle=prompt_title(ind.label, ind.column),
            prompt=prompt,
        )
    if f.kind == "id":
        return validation(
            None,
            promptTitle=f.header,
            prompt="A unique reference for each engagement, e.g. EX-0001.",
        )
    if f.kind == "evidence":
        assert f.criterion is not None
        return validation(
            None, promptTitle=prompt_title(f.criterion.label, "evidence"), prompt=EVIDENCE_PROMPT
        )
    if f.kind == "status":
        return validation(
            "list",
            formula1=sources["status"],
            showErrorMessage=True,
            errorStyle="stop",
            errorTitle="Not a status",
            error=f"Pick a status from the list: {', '.join(f.values)}.",
            promptTitle=f.header,
            prompt=f"Where the assessment is in review: {', '.join(f.values)}.",
        )
    return None


def example_value(f: Field, rubric: Rubric):
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
        dates = {"Start date": (2024, 3, 4), "Assessed on": (2024, 4, 2)}
        return _dt.date(*dates.get(f.header, (2024, 3, 15)))
    if f.kind == "evidence":
        return "After-action report EX-0001 (2024-03-20), section 2"
    if f.kind == "person":
        return "A. Analyst" if f.header == "Assessed by" else None
    if f.kind == "status":
        return f.values[0]
    if f.header == "Notes":
        return EXAMPLE_NOTE
    return "Partner A; Partner B"


def write_engagements(
    ws: Worksheet, rubric: Rubric, fields: list[Field], sources: dict[str, str], example_row: bool
) -> None:
    last_row = DATA_ROWS + 1
    for col, f in enumerate(fields, start=1):
        letter = get_column_letter(col)
        fill = RATING_FILL if f.kind in ("rating", "indicator") else HEADER_FILL
        cell = put(
            ws,
            1,
            col,
            f.header,
            font=HEADER_FONT,
            fill=fill,
            alignment=Alignment(wrap_text=True, vertical="center"),
        )
        ws.column_dimensions[letter].width = field_width(f)
        if f.kind == "rating":
            assert f.criterion is not None
            cell.comment = cell_comment(rating_comment(f.criterion))
        elif f.kind == "indicator":
            assert f.criterion is not None and f.indicator is not None
            cell.comment = cell_comment(indicator_comment(f.criterion, f.indicator))
        dv = field_validation(f, sources)
        if dv is not None:
            dv.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(dv)
        if f.kind == "date":
            for r in range(2, last_row + 1):
                ws.cell(row=r, column=col).number_format = DATE_FORMAT
        if example_row:
            put(
                ws,
                2,
                col,
                example_value(f, rubric),
                font=Font(name=FONT, italic=True, color="555555"),
            )
    ws.row_dimensions[1].height = header_height((f.header, field_width(f)) for f in fields)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(fields))}{last_row}"
