"""The report workbook's **Agreement** sheet, added when several raters rated the engagements:
Krippendorff's alpha per criterion, the ratings flagged for review, every rating by rater."""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

from ...analyses.agreement import ALPHA_LEGEND, shown_alpha
from ...result import Result
from ..page import column_width, header_height, set_page, write_note
from ..safety import clean_text
from ..sheets import Worksheet, write_figure, write_value
from .formats import CellFormats

#: The headers of the alpha table, and the last ones of the flags and every rating.
ALPHA_HEAD = ["Criterion", "Alpha", "Engagements rated twice+", "Reading"]
FLAGS_TAIL = ["Spread", "Cells"]
EVERY_TAIL = ["Raters", "Min", "Max", "Range", "Std. dev.", "Combined", "Flag"]


def write_agreement_sheet(wb, f: CellFormats, result: Result) -> None:
    """Add the Agreement sheet to ``wb``: alpha per criterion, the flags, every rating by
    rater (``result.agreement``)."""
    a = result.agreement
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Agreement")
    flag_fmt = wb.add_format({"bg_color": "#FDECEA"})
    widths = _widths(result)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, "Agreement between raters", f.title)
    about = clean_text(
        f"{len(a.raters)} raters ({', '.join(a.raters)}); combined per engagement and "
        f"criterion by {a.combine.replace('_', ' ')}. Rating rows: {a.rows_read} read, "
        f"{a.rows_used} used, {a.rows_rejected} rejected (see Rejected)."
    )
    write_note(ws, 1, widths, about, f.note_wrap)
    r = _write_alpha(ws, f, result, 3, widths)
    r = _write_flags(ws, f, result, r + 2, widths)
    _write_every_rating(ws, f, result, r + 1, flag_fmt, widths)
    # every rating's header on each page after the one it starts on
    set_page(ws, f.page, repeat=(r + 2, r + 2))


def _widths(result: Result) -> list[float]:
    """Each column's width: the words of every table's header in it fit, and so do the
    engagements' ids and the criteria's labels."""
    a = result.agreement
    raters = [clean_text(r) for r in a.raters]
    heads = [
        ALPHA_HEAD,
        ["Engagement ID", "Criterion", *raters, *FLAGS_TAIL],
        ["Engagement ID", "Criterion", *raters, *EVERY_TAIL],
    ]
    n = max(len(head) for head in heads)
    ids = [clean_text(str(i)) for i in a.spread.index.get_level_values(0)[:500]]
    labels = [c.label for c in result.rubric.criteria]
    values = {
        0: [*labels, *ids],
        1: labels,
        3: [shown_alpha(v).reading for v in [*a.alpha.values(), a.overall]],
    }
    return [
        column_width(
            [head[j] for head in heads if j < len(head)],
            values.get(j, ()),
            least=16 if j < 2 else 9,
        )
        for j in range(n)
    ]


def _head(ws: Worksheet, f: CellFormats, r: int, head: list[str], widths: list[float]) -> None:
    """A table's header row ``r``, as tall as its wrapped headers."""
    ws.set_row(r, header_height(zip(head, widths, strict=False)))
    for c, text in enumerate(head):
        ws.write_string(r, c, clean_text(text), f.head)


def _write_alpha(ws: Worksheet, f: CellFormats, result: Result, r: int, widths: list) -> int:
    """Alpha per criterion and over all criteria, from row ``r``, then the legend; returns the
    legend's row."""
    a = result.agreement
    ws.write_string(r, 0, "Krippendorff's alpha (ordinal)", f.h2)
    r += 1
    _head(ws, f, r, ALPHA_HEAD, widths)
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
    write_note(ws, r, widths, ALPHA_LEGEND, f.note_wrap)
    return r


def _write_flags(ws: Worksheet, f: CellFormats, result: Result, r: int, widths: list) -> int:
    """The ratings flagged for review, from row ``r``; returns the row after them."""
    a = result.agreement
    ws.write_string(r, 0, f"Flagged for review: raters {a.flag_at:g} or more levels apart", f.h2)
    r += 1
    _head(ws, f, r, ["Engagement ID", "Criterion", *a.raters, *FLAGS_TAIL], widths)
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


def _write_every_rating(
    ws: Worksheet, f: CellFormats, result: Result, r: int, flag_fmt, widths: list
) -> None:
    """Every rating by rater with its spread, from row ``r``, filtered, the flagged ones
    shaded with ``flag_fmt``."""
    a = result.agreement
    ws.write_string(r, 0, "Every rating by rater", f.h2)
    r += 1
    head = ["Engagement ID", "Criterion", *a.raters, *EVERY_TAIL]
    first = r
    _head(ws, f, r, head, widths)
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
