"""The report workbook's **Comparison** sheet, when the result carries a comparison of groups
(``result.comparison``, a :class:`~assess.analyses.groups.Comparison`): the headline, each
group's count and mean score with its interval, the criterion profile, and the pairwise tests.

The counts, mean scores and the profile are live formulas over the Scores sheet (``COUNTIFS``
and ``AVERAGEIFS`` by the group's name), with the engine's values cached, so they follow edits
of the ratings and weights.  A group is written as values instead where a formula could not
pick out exactly its engagements: cells split into several groups, the ``(missing)`` group, a
name a spreadsheet reads as a pattern, a number or a comparison, or one differing only in
case from another.  The intervals and tests are the engine's values: resampling has no
spreadsheet formula.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.utility import xl_col_to_name

from ...analyses.groups.membership import MISSING, cell_groups
from ...analyses.groups.result import p_text
from ...result import Result
from ..figures import sentence
from ..page import column_width, header_height, set_page, write_note
from ..safety import clean_text
from ..sheets import Worksheet, is_missing, write_figure
from .formats import CellFormats
from .layout import Layout

#: Text a COUNTIFS criterion reads as a pattern (wildcards) or a comparison.
_PATTERN = set("*?~")
_COMPARISON = ("<", ">", "=")
#: Excel's limit on the length of a COUNTIFS criterion.
MAX_CRITERION = 255
#: Only numbers count as scored: the Score of an engagement without enough evidence is "".
SCORED = '">=0"'

GROUP_HEAD = [
    "Group",
    "Scored",
    "Mean score",
    "Mean: low",
    "Mean: high",
    "Median",
    "Median: low",
    "Median: high",
    "Capped by a gate",
    "Insufficient evidence",
    "Rejected",
    "Tested",
]
PAIR_HEAD = [
    "Group A",
    "Group B",
    "Scored A",
    "Scored B",
    "Difference in means (A less B)",
    "Difference: low",
    "Difference: high",
    "Mann–Whitney U",
    "Cliff's δ",
    "p",
    "p (Holm)",
    "Differs",
]


def write_comparison_sheet(wb, f: CellFormats, lay: Layout, result: Result) -> None:
    """Add the Comparison sheet to ``wb`` (``result.comparison`` must be set)."""
    cmp = result.comparison
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Comparison")
    live = live_groups(cmp, result, lay)
    widths = _widths(result)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    r = _write_heading(ws, f, cmp, live, widths)
    r = _write_groups(ws, f, lay, cmp, live, r + 1, widths)
    if cmp.cross_mean is not None:
        r = _write_cross(ws, f, lay, result, live, r + 1, widths)
    r = _write_profile(ws, f, lay, result, live, r + 1, widths)
    _write_pairs(ws, f, cmp, r + 1, widths)
    # the pairs' header on each page after the one they start on
    set_page(ws, f.page, repeat=(r + 2, r + 2) if len(cmp.pairs) else (0, 0))


def _widths(result: Result) -> list[float]:
    """Each column's width: the words of every table's header in it fit, and so do the
    groups' names in the first two."""
    cmp = result.comparison
    criteria = [c.label for c in result.rubric.criteria]
    cols = [] if cmp.cross_mean is None else [str(c) for c in cmp.cross_mean.columns]
    names = [str(g) for g in cmp.groups.index]
    n = max(len(GROUP_HEAD), len(PAIR_HEAD), len(criteria) + 1, len(cols) + 1)
    heads: list[list[str]] = [[] for _ in range(n)]
    for head in (GROUP_HEAD, PAIR_HEAD, ["Group", *criteria], [*cmp.by[:1], *cols]):
        for j, text in enumerate(head):
            heads[j].append(text)
    values = {0: [*names, "All scored engagements"], 1: names}
    return [
        column_width(heads[j], values.get(j, ()), least=18 if j < 2 else 9, most=30)
        for j in range(n)
    ]


def _head(ws: Worksheet, f: CellFormats, r: int, head: list[str], widths: list[float]) -> None:
    """A table's header row ``r``, as tall as its wrapped headers."""
    ws.set_row(r, header_height(zip(head, widths, strict=False)))
    for j, text in enumerate(head):
        ws.write_string(r, j, clean_text(text), f.head)


def live_groups(cmp: Any, result: Result, lay: Layout) -> set[str]:
    """The groups whose figures can be formulas: those a ``COUNTIFS`` by name picks out
    exactly (every cell of the group on the Scores sheet holds just its name, as text)."""
    return live_names(cmp.by[0], list(cmp.groups.index), cmp.split, result, lay)


def live_names(
    column: str, names: list[str], split: str | None, result: Result, lay: Layout
) -> set[str]:
    """Which of ``names``, the groups of the carried ``column``, a ``COUNTIFS`` criterion by
    name picks out exactly on the Scores sheet (none when cells are ``split``)."""
    if split is not None or column not in lay.carried:
        return set()
    folded: dict[str, int] = {}
    for name in names:
        folded[name.casefold()] = folded.get(name.casefold(), 0) + 1
    ok = {n for n in names if n != MISSING and folded[n.casefold()] == 1 and _plain(n)}
    for value in result.engagements[column].drop_duplicates().tolist():
        group = cell_groups(value, None)[0]
        if not (isinstance(value, str) and clean_text(value) == group):
            ok.discard(group)
    return ok


def _plain(name: str) -> bool:
    """True when a criterion of ``name`` matches only cells holding exactly ``name``."""
    if len(name) > MAX_CRITERION or _PATTERN & set(name) or name.startswith(_COMPARISON):
        return False
    try:
        float(name)
    except ValueError:
        return clean_text(name) == name
    return False


def _write_heading(
    ws: Worksheet, f: CellFormats, cmp: Any, live: set[str], widths: list[float]
) -> int:
    """The title, headline, what is a formula and the notes; returns the next free row."""
    ws.write_string(0, 0, clean_text(f"Comparison by {' and '.join(cmp.by)}"), f.title)
    ws.write_string(1, 0, clean_text(sentence(cmp.headline())), f.label)
    lines = []
    if cmp.split is not None:
        lines.append(
            "Every figure here is a value, not a formula: cells listing several groups are "
            "split, which COUNTIFS and AVERAGEIFS cannot do."
        )
    else:
        lines.append(
            "Scored, mean score, the cross-table and the criterion profile are formulas over "
            "the Scores sheet (they follow edits of the ratings and weights); intervals and "
            "tests are values."
        )
        values = [g for g in cmp.groups.index if g not in live]
        if values:
            lines.append(
                "Written as values (a formula could not pick out exactly their engagements): "
                + ", ".join(values)
            )
    lines.append(
        f"Intervals: {cmp.confidence:.0%} bootstrap, {cmp.resamples} resamples, seed {cmp.seed}; "
        f"groups with fewer than {cmp.small} scored engagements are not tested."
    )
    if cmp.overall_test is not None:
        t = cmp.overall_test
        lines.append(f"Kruskal–Wallis over the tested groups: H {t.statistic:.2f}, p {p_text(t.p)}")
    lines += [sentence(n) for n in cmp.notes()]
    for i, text in enumerate(lines):
        write_note(ws, 2 + i, widths, clean_text(text), f.note_wrap)
    return 2 + len(lines)


def _write_groups(
    ws: Worksheet, f: CellFormats, lay: Layout, cmp: Any, live: set[str], r: int, widths: list
) -> int:
    """Per group its counts, mean and median with their intervals, from row ``r``; returns
    the row after them."""
    ws.write_string(r, 0, "Groups", f.h2)
    _head(ws, f, r + 1, GROUP_HEAD, widths)
    r += 2
    score = lay.scores_col(lay.c_score)
    group_col = lay.scores_col(lay.c_carried + lay.carried.index(cmp.by[0])) if live else ""
    for name, g in cmp.groups.iterrows():
        ws.write_string(r, 0, clean_text(name))
        n, mean = int(g["n"]), _cached(g["mean"])
        if name in live:
            at = f"$A${r + 1}"
            ws.write_formula(r, 1, f"=COUNTIFS({group_col},{at},{score},{SCORED})", None, n)
            ws.write_formula(
                r, 2, f'=IF(B{r + 1}>0,AVERAGEIFS({score},{group_col},{at}),"")', f.score, mean
            )
        else:
            ws.write_number(r, 1, n)
            write_figure(ws, r, 2, g["mean"], f.score)
        for j, key in enumerate(("mean_low", "mean_high", "median", "median_low", "median_high")):
            write_figure(ws, r, 3 + j, g[key], f.score)
        write_figure(ws, r, 8, g["capped"], f.pct)
        ws.write_number(r, 9, int(g["insufficient"]))
        ws.write_number(r, 10, int(g["rejected"]))
        ws.write_string(r, 11, "yes" if g["tested"] else "no (too few)")
        r += 1
    return r


def _cached(value: Any) -> Any:
    """A figure as a formula's cached value: "" when missing."""
    return "" if is_missing(value) else float(value)


def _write_cross(
    ws: Worksheet,
    f: CellFormats,
    lay: Layout,
    result: Result,
    live: set[str],
    r: int,
    widths: list[float],
) -> int:
    """With two ``by`` columns: the mean score per cell of the first column's groups (rows) by
    the second's (columns), then the scored engagements per cell, from row ``r``; returns the
    row after them.  A cell is a formula where both its groups are live, else a value; an
    empty cell's mean is blank."""
    cmp = result.comparison
    rows, cols = list(cmp.cross_mean.index), list(cmp.cross_mean.columns)
    live_cols = live_names(cmp.by[1], cols, cmp.split, result, lay)
    score = lay.scores_col(lay.c_score)
    col_a = lay.scores_col(lay.c_carried + lay.carried.index(cmp.by[0])) if live else ""
    col_b = lay.scores_col(lay.c_carried + lay.carried.index(cmp.by[1])) if live_cols else ""
    blocks = (("Mean score", cmp.cross_mean, f.score), ("Scored engagements", cmp.cross_n, None))
    for title, table, fmt in blocks:
        heading = f"{title} by {cmp.by[0]} (rows) and {cmp.by[1]} (columns)"
        ws.write_string(r, 0, clean_text(heading), f.h2)
        head = r + 1
        _head(ws, f, head, [cmp.by[0], *cols], widths)
        for i, name in enumerate(rows):
            at = head + 1 + i
            ws.write_string(at, 0, clean_text(name))
            for j, col in enumerate(cols):
                value = table.at[name, col]
                if name in live and col in live_cols:
                    letter = xl_col_to_name(1 + j)
                    where = f"{col_a},$A${at + 1},{col_b},{letter}${head + 1}"
                    if fmt is None:
                        formula = f"=COUNTIFS({where},{score},{SCORED})"
                        ws.write_formula(at, 1 + j, formula, None, int(value))
                    else:
                        formula = f'=IFERROR(AVERAGEIFS({score},{where},{score},{SCORED}),"")'
                        ws.write_formula(at, 1 + j, formula, fmt, _cached(value))
                elif fmt is None:
                    ws.write_number(at, 1 + j, int(value))
                else:
                    write_figure(ws, at, 1 + j, value, fmt)
        r = head + len(rows) + 2
    return r - 1


def _normalised(lay: Layout, i: int, mean: str) -> str:
    """The normalised value (0 worst, 1 best) of a mean rating of criterion ``i``, as the
    Scores sheet normalises a rating."""
    amount = f"({mean}-{lay.smin(i)})/({lay.smax(i)}-{lay.smin(i)})"
    return f"(1-{amount})" if lay.rubric.criteria[i].direction == "cost" else amount


def _write_profile(
    ws: Worksheet,
    f: CellFormats,
    lay: Layout,
    result: Result,
    live: set[str],
    r: int,
    widths: list[float],
) -> int:
    """Each group's mean normalised rating per criterion, and everyone's, from row ``r``;
    returns the row after them."""
    cmp = result.comparison
    criteria = result.rubric.criteria
    ws.write_string(
        r, 0, "Criterion profile: mean rating, normalised (0 worst, 1 best), of the scored", f.h2
    )
    _head(ws, f, r + 1, ["Group", *(c.label for c in criteria)], widths)
    r += 2
    score = lay.scores_col(lay.c_score)
    group_col = lay.scores_col(lay.c_carried + lay.carried.index(cmp.by[0])) if live else ""
    rows = [(name, cmp.profile.loc[name]) for name in cmp.profile.index]
    rows.append(("All scored engagements", cmp.overall_profile))
    for name, values in rows:
        overall = values is cmp.overall_profile
        ws.write_string(r, 0, clean_text(name), f.label if overall else None)
        where = f"{score},{SCORED}" if overall else f"{group_col},$A${r + 1},{score},{SCORED}"
        formula_row = cmp.split is None if overall else name in live
        for i, c in enumerate(criteria):
            rating = lay.scores_col(lay.c_rating + i)
            value = values[c.id]
            if formula_row:
                mean = f"AVERAGEIFS({rating},{where})"
                formula = f'=IFERROR({_normalised(lay, i, mean)},"")'
                ws.write_formula(r, 1 + i, formula, f.norm, _cached(value))
            else:
                write_figure(ws, r, 1 + i, value, f.norm)
        r += 1
    return r


def _write_pairs(ws: Worksheet, f: CellFormats, cmp: Any, r: int, widths: list) -> None:
    """Each pair of tested groups: the difference in means with its interval, Mann–Whitney U,
    Cliff's δ and the p-values, from row ``r``."""
    ws.write_string(r, 0, "Pairs of tested groups (values; Holm-corrected for every pair)", f.h2)
    if cmp.pairs.empty:
        ws.write_string(r + 1, 0, "Fewer than two groups are tested: no pairs.", f.note)
        return
    _head(ws, f, r + 1, PAIR_HEAD, widths)
    r += 2
    for p in cmp.pairs.to_dict("records"):
        ws.write_string(r, 0, clean_text(p["a"]))
        ws.write_string(r, 1, clean_text(p["b"]))
        ws.write_number(r, 2, int(p["n_a"]))
        ws.write_number(r, 3, int(p["n_b"]))
        for j, key in enumerate(("mean_difference", "difference_low", "difference_high")):
            write_figure(ws, r, 4 + j, p[key], f.score)
        write_figure(ws, r, 7, p["u"])
        write_figure(ws, r, 8, p["cliffs_delta"], f.points)
        write_figure(ws, r, 9, p["p"], f.norm)
        write_figure(ws, r, 10, p["p_holm"], f.norm)
        ws.write_string(r, 11, "yes" if p["significant"] else "no")
        r += 1
