"""The report workbook's **Agreement** sheet, added when several raters rated the engagements:
Krippendorff's alpha per criterion, the ratings flagged for review, every rating by rater."""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

from ...analyses.agreement import ALPHA_LEGEND, shown_alpha
from ...result import Result
from ..safety import clean_text
from ..sheets import Worksheet, write_figure, write_value
from .formats import CellFormats


def write_agreement_sheet(wb, f: CellFormats, result: Result) -> None:
    """Add the Agreement sheet to ``wb``: alpha per criterion, the flags, every rating by
    rater (``result.agreement``)."""
    a = result.agreement
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Agreement")
    flag_fmt = wb.add_format({"bg_color": "#FDECEA"})
    ws.write_string(0, 0, "Agreement between raters", f.title)
    ws.write_string(
        1,
        0,
        clean_text(
            f"{len(a.raters)} raters ({', '.join(a.raters)}); combined per engagement and "
            f"criterion by {a.combine.replace('_', ' ')}. Rating rows: {a.rows_read} read, "
            f"{a.rows_used} used, {a.rows_rejected} rejected (see Rejected)."
        ),
        f.note,
    )
    r = _write_alpha(ws, f, result, 3)
    r = _write_flags(ws, f, result, r + 2)
    columns = _write_every_rating(ws, f, result, r + 1, flag_fmt)
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 24)
    ws.set_column(2, columns, 11)


def _write_alpha(ws: Worksheet, f: CellFormats, result: Result, r: int) -> int:
    """Alpha per criterion and over all criteria, from row ``r``, then the legend; returns the
    legend's row."""
    a = result.agreement
    ws.write_string(r, 0, "Krippendorff's alpha (ordinal)", f.h2)
    r += 1
    for c, h in enumerate(["Criterion", "Alpha", "Engagements rated twice+", "Reading"]):
        ws.write_string(r, c, h, f.head)
    r += 1
    for c in result.rubric.criteria:
        if c.id not in a.alpha:
            continue
        # the value shown (f.norm shows three decimals), so the reading matches the number
        shown = shown_alpha(a.alpha[c.id])
        ws.write_string(r, 0, c.label)
        write_figure(ws, r, 1, shown.value, f.norm)
        ws.write_number(r, 2, a.units[c.id])
        ws.write_string(r, 3, shown.reading)
        r += 1
    overall = shown_alpha(a.overall)
    ws.write_string(r, 0, "All criteria", f.label)
    write_figure(ws, r, 1, overall.value, f.norm)
    ws.write_string(r, 3, overall.reading)
    r += 1
    ws.write_string(r, 0, ALPHA_LEGEND, f.note)
    return r


def _write_flags(ws: Worksheet, f: CellFormats, result: Result, r: int) -> int:
    """The ratings flagged for review, from row ``r``; returns the row after them."""
    a = result.agreement
    ws.write_string(r, 0, f"Flagged for review: raters {a.flag_at:g} or more levels apart", f.h2)
    r += 1
    head = ["Engagement ID", "Criterion", *a.raters, "Spread", "Cells"]
    for c, h in enumerate(head):
        ws.write_string(r, c, clean_text(h), f.head)
    r += 1
    for fl in a.flags:
        ws.write_string(r, 0, clean_text(fl.id))
        ws.write_string(r, 1, result.rubric.criterion(fl.criterion).label)
        for k, rater in enumerate(a.raters):
            write_figure(ws, r, 2 + k, fl.ratings.get(rater), f.rating)
        ws.write_number(r, 2 + len(a.raters), fl.spread, f.rating)
        ws.write_string(r, 3 + len(a.raters), clean_text(", ".join(fl.cells)))
        r += 1
    if not a.flags:
        ws.write_string(r, 0, "None.", f.note)
        r += 1
    return r


def _write_every_rating(ws: Worksheet, f: CellFormats, result: Result, r: int, flag_fmt) -> int:
    """Every rating by rater with its spread, from row ``r``, filtered, the flagged ones
    shaded with ``flag_fmt``; returns the number of columns."""
    a = result.agreement
    ws.write_string(r, 0, "Every rating by rater", f.h2)
    r += 1
    head = [
        "Engagement ID",
        "Criterion",
        *a.raters,
        "Raters",
        "Min",
        "Max",
        "Range",
        "Std. dev.",
        "Combined",
        "Flag",
    ]
    first = r
    for c, h in enumerate(head):
        ws.write_string(r, c, clean_text(h), f.head)
    r += 1
    labels = {c.id: c.label for c in result.rubric.criteria}
    for (eid, cid), row in a.spread.iterrows():
        ws.write_string(r, 0, clean_text(str(eid)))
        ws.write_string(r, 1, labels[cid])
        for k, rater in enumerate(a.raters):
            write_figure(ws, r, 2 + k, row[f"rater:{rater}"], f.rating)
        base = 2 + len(a.raters)
        ws.write_number(r, base, int(row["n"]))
        for i, key in enumerate(["min", "max", "range", "sd", "combined"]):
            write_figure(ws, r, base + 1 + i, row[key], f.rating)
        write_value(ws, r, base + 6, "review" if row["flag"] else "")
        r += 1
    last = max(r - 1, first + 1)
    ws.autofilter(first, 0, last, len(head) - 1)
    ws.conditional_format(
        first + 1,
        0,
        last,
        len(head) - 1,
        {
            "type": "formula",
            "criteria": f'=${xl_col_to_name(len(head) - 1)}{first + 2}="review"',
            "format": flag_fmt,
        },
    )
    return len(head)
