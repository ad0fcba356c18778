"""The report workbook's **Summary** sheet: provenance, counts, bands, per-criterion statistics
and the top and bottom engagements, as formulas over the Scores sheet (the engine's values
cached), so they follow edits of the weights and ratings."""

from __future__ import annotations

from typing import Any

from ..._version import __version__
from ...result import Result
from ..page import column_width, header_height, set_page
from ..safety import clean_text, limit_notes
from ..sheets import Worksheet, is_missing
from .formats import CellFormats
from .layout import INSUFFICIENT, Layout
from .review import write_review_block

#: Engagements in each of the top and bottom lists.
TOP_N = 5


#: The headers of the per-criterion table and of the top and bottom lists.
CRITERIA_HEAD = ["Criterion", "Weight", "Rated", "Mean", "Std. dev.", "Min", "Max"]
EXTREMES_HEAD = ["Rank", "Engagement ID", "Engagement", "Score", "Band"]


def write_summary_sheet(
    wb, f: CellFormats, lay: Layout, result: Result, band_fmt: dict[str, Any]
) -> dict[str, int]:
    """Add the Summary sheet to ``wb``, the workbook's active sheet.

    Returns the first and last row of the band counts (``bands_first``, ``bands_last``), which
    the Charts sheet plots.
    """
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Summary")
    widths = _widths(result)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, result.rubric.title or "Effectiveness report", f.title)
    r = _write_provenance(ws, f, result, 2) + 1
    r, n_rows = _write_counts(ws, f, lay, result, r)
    bands_first = r + 2  # a blank row, then the heading
    r = _write_band_counts(ws, f, lay, result, band_fmt, bands_first, n_rows)
    bands_last = r - 1
    r = _write_criteria_stats(
        ws, f, lay, result, r + 1, header_height(zip(CRITERIA_HEAD, widths, strict=False))
    )
    r = write_review_block(ws, f, result, r + 1)
    height = header_height(zip(EXTREMES_HEAD, widths, strict=False))
    for title, fn, best_first in (
        ("Top engagements", "LARGE", True),
        ("Bottom engagements", "SMALL", False),
    ):
        r = _write_extremes(ws, f, lay, result, r + 1, (title, fn, best_first), height)
    for name, fmt in band_fmt.items():
        ws.conditional_format(
            0, 4, r + 1, 4, {"type": "cell", "criteria": "==", "value": f'"{name}"', "format": fmt}
        )
    set_page(ws, f.page, one_page=True)
    ws.activate()
    return {"bands_first": bands_first, "bands_last": bands_last}


def _widths(result: Result) -> list[float]:
    """Column widths that fit the tables' headers and what the columns show (the provenance
    values run on over the empty cells to their right)."""
    rubric = result.rubric
    scored = result.scored
    n = min(TOP_N, len(scored))
    shown = scored.iloc[[*range(n), *range(len(scored) - n, len(scored))]]
    names = [] if result.name_column is None else shown[result.name_column].tolist()
    values = {
        0: [c.label for c in rubric.criteria] + [b.name for b in rubric.bands],
        1: [clean_text(str(i)) for i in shown.index],
        2: names,
        4: [b.name for b in rubric.bands],
    }
    least = {0: 22, 1: 16, 2: 24}
    return [
        column_width(
            [CRITERIA_HEAD[col], *EXTREMES_HEAD[col : col + 1]],
            values.get(col, ()),
            least=least.get(col, 10),
            most=50,
        )
        for col in range(len(CRITERIA_HEAD))
    ]


def _write_provenance(ws: Worksheet, f: CellFormats, result: Result, r: int) -> int:
    """The rubric, the sources and their checksums, and the notes, from row ``r``; returns the
    row after them."""
    rubric = result.rubric
    provenance = [
        ("Rubric", f"{rubric.name} {rubric.version}"),
        ("Rubric hash (SHA-256)", rubric.content_hash),
        ("Aggregation", rubric.aggregation),
        ("Scored at (UTC)", result.scored_at),
        ("assess version", __version__),
    ]
    for s in result.sources:
        provenance.append(("Source file", s.file))
        provenance.append(("  SHA-256", s.sha256))
        provenance.append(("  Sheet, header row", f"{s.sheet}, row {s.header_row}"))
        provenance += [("  Note", note) for note in s.notes]
    provenance += [("Note", note) for note in limit_notes(result)]
    for label, value in provenance:
        ws.write_string(r, 0, label, f.label)
        ws.write_string(
            r, 1, clean_text(value), f.mono if "SHA" in label or "hash" in label else None
        )
        r += 1
    return r


def _write_counts(
    ws: Worksheet, f: CellFormats, lay: Layout, result: Result, r: int
) -> tuple[int, int]:
    """The rows scored, with insufficient evidence, rejected and (with required statuses) not
    approved, and their sum, from row ``r``; returns the row after them and the row of the
    first count."""
    counts = result.counts
    ws.write_string(r, 0, "Rows", f.h2)
    r += 1
    n_rows = r
    count_rows = [
        ("Scored", f"=COUNT({lay.scores_col(lay.c_score)})", counts["scored"]),
        (
            "Insufficient evidence",
            f'=COUNTIF({lay.scores_col(lay.c_band)},"{INSUFFICIENT}")',
            counts["insufficient"],
        ),
        ("Rejected", None, counts["rejected"]),
    ]
    if counts["not_approved"] or result.require_status:
        count_rows.append(("Not approved", None, counts["not_approved"]))
    for label, formula, value in count_rows:
        ws.write_string(r, 0, label)
        if formula:
            ws.write_formula(r, 1, formula, None, value)
        else:
            ws.write_number(r, 1, value)
        r += 1
    ws.write_string(r, 0, "Data rows", f.label)
    ws.write_formula(r, 1, f"=SUM(B{n_rows + 1}:B{r})", None, counts["rows"])
    return r + 1, n_rows


def _write_band_counts(
    ws: Worksheet,
    f: CellFormats,
    lay: Layout,
    result: Result,
    band_fmt: dict[str, Any],
    first: int,
    n_rows: int,
) -> int:
    """Each band's count and share, from row ``first`` (the heading just above it); returns
    the row after them.  ``n_rows`` is the row of the first count, which shares divide by."""
    ws.write_string(first - 1, 0, "Bands", f.h2)
    band_col = lay.scores_col(lay.c_band)
    band_counts = result.band_counts()  # once: each call filters every engagement
    band_shares = result.band_shares()
    r = first
    for b in result.rubric.bands:
        ws.write_string(r, 0, b.name, band_fmt[b.name])
        ws.write_formula(r, 1, f'=COUNTIF({band_col},"{b.name}")', None, band_counts[b.name])
        ws.write_formula(
            r,
            2,
            f"=IF(B{n_rows + 1}>0,B{r + 1}/B{n_rows + 1},0)",
            f.pct,
            band_shares[b.name],
        )
        r += 1
    return r


def _write_criteria_stats(
    ws: Worksheet, f: CellFormats, lay: Layout, result: Result, r: int, height: float
) -> int:
    """Per criterion its weight and how its ratings spread, from row ``r`` (the header row
    ``height`` points tall); returns the row after them."""
    # Over the scored engagements only, like every other report (Result.criterion_stats): a
    # row counts while its Score is a number, so the figures follow edits on the Scores sheet.
    ws.write_string(r, 0, "Criteria (ratings of the scored engagements, on the Scores sheet)", f.h2)
    r += 1
    ws.set_row(r, height)
    for c, h in enumerate(CRITERIA_HEAD):
        ws.write_string(r, c, h, f.head)
    r += 1
    score_col = lay.scores_col(lay.c_score)
    stats = result.criterion_stats()
    for i, c in enumerate(result.rubric.criteria):
        col = lay.scores_col(lay.c_rating + i)
        st = {k: ("" if is_missing(v) else v) for k, v in stats.loc[c.id].items()}
        scored_value = f"IF(ISNUMBER({score_col})*ISNUMBER({col}),{col})"
        rated = f"C{r + 1}"
        ws.write_string(r, 0, c.label)
        ws.write_formula(r, 1, f"={lay.weight(i)}", f.pct1, c.weight)
        ws.write_formula(
            r, 2, f"=SUMPRODUCT(ISNUMBER({score_col})*ISNUMBER({col}))", None, int(st["rated"])
        )
        for j, (fn, least, fmt, key) in enumerate(
            (
                ("AVERAGE", 0, f.points, "mean"),
                ("STDEV", 1, f.points, "std"),
                ("MIN", 0, f.rating, "min"),
                ("MAX", 0, f.rating, "max"),
            )
        ):
            formula = f'{{=IF({rated}>{least},{fn}({scored_value}),"")}}'
            ws.write_array_formula(r, 3 + j, r, 3 + j, formula, fmt, st[key])
        r += 1
    return r


def _write_extremes(
    ws: Worksheet,
    f: CellFormats,
    lay: Layout,
    result: Result,
    r: int,
    which: tuple[str, str, bool],
    height: float,
) -> int:
    """The ``TOP_N`` engagements with the ``LARGE`` or ``SMALL``est scores, from row ``r``,
    looked up on the Scores sheet by its tie-free sort key; returns the row after them.
    ``which`` is the list's title, the function and whether the best come first; ``height``
    is the header row's."""
    title, fn, best_first = which
    scored = result.scored
    order = scored if best_first else scored.iloc[::-1]
    key = lay.scores_col(lay.c_key)
    name_col = result.name_column
    name_j = lay.carried.index(name_col) if name_col in lay.carried else None
    ws.write_string(r, 0, title, f.h2)
    r += 1
    ws.set_row(r, height)
    for c, h in enumerate(EXTREMES_HEAD):
        ws.write_string(r, c, h, f.head)
    r += 1
    for k in range(TOP_N):
        match = f"MATCH({fn}({key},{k + 1}),{key},0)"
        have = k < len(order)
        row = order.iloc[k] if have else None
        # the engagement's rank (tied engagements share it), not the line's number
        ws.write_formula(
            r,
            0,
            f'=IFERROR(INDEX({lay.scores_col(lay.c_rank)},{match}),"")',
            None,
            int(row["rank"]) if have else "",
        )
        ws.write_formula(
            r,
            1,
            f'=IFERROR(INDEX({lay.scores_col(lay.c_id)},{match}),"")',
            None,
            clean_text(str(order.index[k])) if have else "",
        )
        if name_j is not None:
            name_value = row[lay.carried[name_j]] if have else ""
            ws.write_formula(
                r,
                2,
                f'=IFERROR(INDEX({lay.scores_col(lay.c_carried + name_j)},{match}),"")',
                None,
                "" if is_missing(name_value) else clean_text(str(name_value)),
            )
        ws.write_formula(
            r,
            3,
            f'=IFERROR(INDEX({lay.scores_col(lay.c_score)},{match}),"")',
            f.score,
            float(row["score"]) if have else "",
        )
        ws.write_formula(
            r,
            4,
            f'=IFERROR(INDEX({lay.scores_col(lay.c_band)},{match}),"")',
            None,
            str(row["band"]) if have else "",
        )
        r += 1
    return r
