"""Report pieces for rater agreement, weight sensitivity and explanations.

Each writer reads what a :class:`~assess.result.Result` carries (``result.agreement``,
``result.sensitivity``) and is called by the format's own writer only when it is there:
the **Agreement** and **Sensitivity** sheets of the Excel report, the matching sections of the
HTML report (with the rank-interval chart), the matching sections of the Markdown report, the
per-engagement columns they add to the CSV report, and the terminal tables of
``assess agreement``, ``assess sensitivity`` and ``assess explain``.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..analyses.agreement import ALPHA_LEGEND, shown_alpha
from ..display import fixed, percent
from ..result import Result
from .safety import clean_text, md_cell, printable, report_notes
from .terminal import inert

#: engagements drawn in the HTML rank-interval chart and listed in its tables
CHART_LIMIT = 100
FLAG_LIMIT = 200


def _fmt(value: Any, spec: str = ".2f", blank: str = "–") -> str:
    """A figure with ``.Nf`` decimals rounded as the Excel report shows it
    (:mod:`assess.display`); ``g`` for an input value as written."""
    if value is None:
        return blank
    v = float(value)
    if math.isnan(v):
        return blank
    places = re.fullmatch(r"\.(\d+)f", spec)
    return fixed(v, int(places.group(1))) if places else format(v, spec)


def _concentration(k: float) -> str:
    return "∞ (the rubric's weights)" if math.isinf(k) else f"{k:g}"


# -- terminal ----------------------------------------------------------------------------------


def print_agreement(result: Result, console: Console, limit: int | None = 20) -> None:
    """Alpha per criterion, then the flagged ratings."""
    a = result.agreement
    rubric = result.rubric
    table = Table(
        title=inert(
            f"Agreement of {len(a.raters)} raters ({', '.join(a.raters)}) — combined by "
            f"{a.combine.replace('_', ' ')}"
        ),
        title_justify="left",
    )
    table.add_column("Criterion")
    table.add_column("Krippendorff's α (ordinal)", justify="right")
    table.add_column("Rated twice+", justify="right")
    table.add_column("Reading")
    for c in rubric.criteria:
        if c.id not in a.alpha:
            table.add_row(c.label, "–", "–", "measured by indicators")
            continue
        shown = shown_alpha(a.alpha[c.id])
        table.add_row(c.label, shown.text(), str(a.units[c.id]), shown.reading)
    overall = shown_alpha(a.overall)
    table.add_row(Text("All criteria", style="bold"), overall.text(), "", overall.reading)
    console.print(table)
    console.print(ALPHA_LEGEND, markup=False)
    if a.flags:
        flags = a.flags if limit is None else a.flags[:limit]
        ft = Table(
            title=f"Raters {a.flag_at:g}+ levels apart: review these ({len(a.flags)})",
            title_justify="left",
        )
        ft.add_column("ID", no_wrap=True)
        ft.add_column("Criterion")
        for r in a.raters:
            ft.add_column(inert(r), justify="right")
        ft.add_column("Spread", justify="right")
        ft.add_column("Cells")
        for f in flags:
            ft.add_row(
                inert(f.id),
                rubric.criterion(f.criterion).label,
                *[_fmt(f.ratings.get(r), "g") for r in a.raters],
                _fmt(f.spread, "g"),
                inert(", ".join(f.cells)),
            )
        console.print(ft)
        if len(flags) < len(a.flags):
            console.print(f"(first {len(flags)} of {len(a.flags)} shown)")
    else:
        console.print(f"No engagement has raters {a.flag_at:g} or more levels apart.")
    console.print(
        f"Rating rows: {a.rows_read} read, {a.rows_used} used, {a.rows_rejected} rejected.",
        markup=False,
    )
    for line in result.problem_lines():  # insufficient evidence, and rejected rows
        console.print(f"  {printable(line)}", markup=False, highlight=False)
    for note in report_notes(result):
        console.print(f"note: {printable(note)}", markup=False, highlight=False)
    console.print(Text(a.summary_line(), style="bold"))


def print_sensitivity(result: Result, console: Console, limit: int | None = 20) -> None:
    """Rank intervals and band probabilities, Sobol indices and the leave-one-out table; then
    how the rows were accounted for, with every insufficient-evidence and rejected row."""
    s = result.sensitivity
    rubric = result.rubric
    e = s.engagements
    rows = e if limit is None else e.head(limit)
    table = Table(
        title=f"Rank under {s.draws} plausible weightings (concentration "
        f"{_concentration(s.concentration)}, seed {s.seed})",
        title_justify="left",
    )
    for col, just in (
        ("Rank", "right"),
        ("ID", "left"),
        ("Score", "right"),
        ("Band", "left"),
        ("Median rank", "right"),
        ("5–95 % rank", "right"),
    ):
        table.add_column(col, justify=just, no_wrap=True)
    short = {b.name: "".join(w[0] for w in b.name.split()).upper() for b in rubric.bands}
    table.add_column("P(band) " + " ".join(short.values()), no_wrap=True)
    colours = {b.name: b.colour for b in rubric.bands}
    for eid, row in rows.iterrows():
        probs = s.band_probability.loc[eid]
        table.add_row(
            str(row["rank"]),
            inert(eid),
            fixed(row["score"], 1),
            Text(str(row["band"]), style=colours.get(row["band"], "")),
            f"{row['rank_median']:g}",
            f"{row['rank_p05']}–{row['rank_p95']}",
            " ".join(fixed(probs[b], 2) for b in probs.index),
        )
    console.print(table)
    if limit is not None and len(e) > limit:
        console.print(f"(top {limit} of {len(e)} shown)")
    if s.sobol is not None:
        st = Table(
            title=f"What moves the ranking most: Sobol indices of the mean rank change "
            f"(N = {s.sobol_n})",
            title_justify="left",
        )
        for col in ("Factor", "First-order S1", "±", "Total ST", "±"):
            st.add_column(col, justify="left" if col == "Factor" else "right")
        for factor, row in s.sobol.sort_values("ST", ascending=False).iterrows():
            label = rubric.criterion(factor).label if factor in rubric.ids else "Aggregation"
            st.add_row(
                label,
                _fmt(row["S1"]),
                _fmt(row["S1_conf"]),
                _fmt(row["ST"]),
                _fmt(row["ST_conf"]),
            )
        console.print(st)
    if len(s.leave_one_out):
        lt = Table(title="Leave one criterion out", title_justify="left")
        for col in ("Dropped", "Spearman ρ", "Mean |Δrank|", "Max |Δrank|", "Band changes"):
            lt.add_column(col, justify="left" if col == "Dropped" else "right")
        for cid, row in s.leave_one_out.iterrows():
            moved = f" ({row['most_moved']})" if row["most_moved"] else ""
            lt.add_row(
                rubric.criterion(cid).label,
                _fmt(row["spearman"], ".3f"),
                _fmt(row["mean_rank_change"], ".1f"),
                inert(f"{row['max_rank_change']}{moved}"),
                str(row["band_changes"]),
            )
        console.print(lt)
    if s.outside:
        console.print(
            f"{s.outside} engagements' nominal rank lies outside their 5–95 % range (ties at "
            "the rubric's weights break under any change); their interval is widened to hold it."
        )
    for note in report_notes(result):
        console.print(f"note: {printable(note)}", markup=False, highlight=False)
    console.print(Text(s.summary_line(), style="bold"))
    # the rows left out of the analysis, and why (the reason for exit code 1)
    console.print(result.summary_line(), markup=False, highlight=False)
    for line in result.problem_lines():
        console.print(f"  {printable(line)}", markup=False, highlight=False)


def print_explanation(expl, console: Console) -> None:
    """One engagement, criterion by criterion, and the improvements that reach the next band."""
    console.print(Text(printable(expl.headline()), style="bold"))
    if expl.rejection is not None:
        console.print(
            printable(
                f"{expl.source} · {expl.sheet} row {expl.row}: the row was rejected, so it has "
                "no score to explain; correct the cell(s) named above and score again"
            ),
            markup=False,
            highlight=False,
        )
        return
    console.print(
        printable(
            f"{expl.source} · {expl.sheet} row {expl.row} · {percent(expl.completeness)} of "
            "the weight rated"
        ),
        markup=False,
        highlight=False,
    )
    table = Table(title_justify="left")
    table.add_column("Criterion")
    table.add_column("Weight", justify="right")
    table.add_column("Rating")
    table.add_column("Points", justify="right")
    with_raters = any(c.raters for c in expl.criteria)
    if with_raters:
        table.add_column("Raters")
    for c in expl.criteria:
        if c.indicators is not None:
            rating = "; ".join(f"{k} {_fmt(v, 'g')}" for k, v in c.indicators.items())
        elif c.rating is None:
            rating = "not rated"
        else:
            rating = f"{c.rating:g} " + " / ".join(
                f"{lv.label}: {lv.descriptor}" for lv in c.levels
            )
        label = c.label + (" (cost)" if c.direction == "cost" else "")
        weight = percent(c.weight)
        if abs(c.effective_weight - c.weight) > 1e-9 and c.effective_weight:
            weight += f" → {percent(c.effective_weight)}"
        cells = [label, weight, inert(rating), _fmt(c.contribution, ".1f")]
        if with_raters:
            raters = ", ".join(f"{k} {_fmt(v, 'g')}" for k, v in (c.raters or {}).items())
            cells.append(inert(raters))
        table.add_row(*cells)
    if expl.status == "scored":
        total = ["Score", "", "", fixed(expl.score, 1)] + ([""] if with_raters else [])
        table.add_section()
        table.add_row(*total, style="bold")
    console.print(table)
    if note := expl.points_note():
        console.print(note, markup=False, highlight=False)
    for g in expl.gates:
        console.print(f"Gate {g.id}: {g.describe()}.", markup=False)
    if expl.status != "scored":
        return
    if expl.next_band is None:
        console.print("Already in the top band.")
    elif expl.improvements:
        target = (
            f"To lift the band above {expl.band} (capped by a gate)"
            if expl.gates
            else f"To reach {expl.next_band} ({expl.next_band_min:g}+)"
        )
        console.print(f"{target}, one criterion alone:", markup=False)
        for m in expl.improvements:
            console.print(f"  {m.text()}", markup=False)
    else:
        console.print(
            f"No change of one criterion alone reaches {expl.next_band}; several must improve.",
            markup=False,
        )


# -- Excel -------------------------------------------------------------------------------------


def write_agreement_sheet(wb, f, result: Result) -> None:
    """The Agreement sheet: alpha per criterion, the flags, every rating by rater."""
    from .sheets import Worksheet, write_value

    a = result.agreement
    rubric = result.rubric
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
    r = 3
    ws.write_string(r, 0, "Krippendorff's alpha (ordinal)", f.h2)
    r += 1
    for c, h in enumerate(["Criterion", "Alpha", "Engagements rated twice+", "Reading"]):
        ws.write_string(r, c, h, f.head)
    r += 1
    for c in rubric.criteria:
        if c.id not in a.alpha:
            continue
        # the value shown (f.norm shows three decimals), so the reading matches the number
        shown = shown_alpha(a.alpha[c.id])
        ws.write_string(r, 0, c.label)
        _number(ws, r, 1, shown.value, f.norm)
        ws.write_number(r, 2, a.units[c.id])
        ws.write_string(r, 3, shown.reading)
        r += 1
    overall = shown_alpha(a.overall)
    ws.write_string(r, 0, "All criteria", f.label)
    _number(ws, r, 1, overall.value, f.norm)
    ws.write_string(r, 3, overall.reading)
    r += 1
    ws.write_string(r, 0, ALPHA_LEGEND, f.note)
    r += 2
    ws.write_string(r, 0, f"Flagged for review: raters {a.flag_at:g} or more levels apart", f.h2)
    r += 1
    head = ["Engagement ID", "Criterion", *a.raters, "Spread", "Cells"]
    for c, h in enumerate(head):
        ws.write_string(r, c, clean_text(h), f.head)
    r += 1
    for fl in a.flags:
        ws.write_string(r, 0, clean_text(fl.id))
        ws.write_string(r, 1, rubric.criterion(fl.criterion).label)
        for k, rater in enumerate(a.raters):
            _number(ws, r, 2 + k, fl.ratings.get(rater), f.rating)
        ws.write_number(r, 2 + len(a.raters), fl.spread, f.rating)
        ws.write_string(r, 3 + len(a.raters), clean_text(", ".join(fl.cells)))
        r += 1
    if not a.flags:
        ws.write_string(r, 0, "None.", f.note)
        r += 1
    r += 1
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
    labels = {c.id: c.label for c in rubric.criteria}
    for (eid, cid), row in a.spread.iterrows():
        ws.write_string(r, 0, clean_text(str(eid)))
        ws.write_string(r, 1, labels[cid])
        for k, rater in enumerate(a.raters):
            _number(ws, r, 2 + k, row[f"rater:{rater}"], f.rating)
        base = 2 + len(a.raters)
        ws.write_number(r, base, int(row["n"]))
        for i, key in enumerate(["min", "max", "range", "sd", "combined"]):
            _number(ws, r, base + 1 + i, row[key], f.rating)
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
            "criteria": f'=${_col(len(head) - 1)}{first + 2}="review"',
            "format": flag_fmt,
        },
    )
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 24)
    ws.set_column(2, len(head), 11)


def write_sensitivity_sheet(wb, f, result: Result) -> None:
    """The Sensitivity sheet: settings, Sobol indices (with a chart), leave-one-out, and per
    engagement the rank interval and band probabilities."""
    from .sheets import Worksheet

    s = result.sensitivity
    rubric = result.rubric
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Sensitivity")
    ws.write_string(0, 0, "Sensitivity of the ranking to the weights", f.title)
    settings = [
        ("Draws", s.draws),
        ("Concentration K", _concentration(s.concentration)),
        ("Seed", s.seed),
        ("Aggregation", s.aggregation + (", switched at random" if s.switch_aggregation else "")),
        ("Raters resampled", "yes" if s.resample_raters else "no"),
        ("Mean Spearman rho with the nominal ranking", round(s.mean_spearman, 6)),
        ("5th percentile of Spearman rho", round(s.spearman_p05, 6)),
    ]
    ws.write_string(
        1,
        0,
        "Weights drawn from a Dirichlet centred on the rubric's weights; larger K keeps them "
        "closer. Each engagement's rank and band are counted over the draws.",
        f.note,
    )
    r = 3
    for label, value in settings:
        ws.write_string(r, 0, label, f.label)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(r, 1, value)
        else:
            ws.write_string(r, 1, str(value))
        r += 1
    r += 1
    if s.sobol is not None:
        ws.write_string(
            r, 0, f"Sobol indices of the mean absolute rank change (N = {s.sobol_n})", f.h2
        )
        r += 1
        for c, h in enumerate(["Factor", "First-order S1", "S1 ±", "Total ST", "ST ±"]):
            ws.write_string(r, c, h, f.head)
        r += 1
        top = r
        for factor, row in s.sobol.iterrows():
            label = rubric.criterion(factor).label if factor in rubric.ids else "Aggregation"
            ws.write_string(r, 0, label)
            for i, key in enumerate(["S1", "S1_conf", "ST", "ST_conf"]):
                _number(ws, r, 1 + i, row[key], f.norm)
            r += 1
        chart = wb.add_chart({"type": "bar"})
        for col, name, colour in ((1, "First-order S1", "#4e79a7"), (3, "Total ST", "#f28e2b")):
            chart.add_series(
                {
                    "name": name,
                    "categories": ["Sensitivity", top, 0, r - 1, 0],
                    "values": ["Sensitivity", top, col, r - 1, col],
                    "fill": {"color": colour},
                }
            )
        chart.set_title({"name": "What moves the ranking most"})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 560, "height": 300})
        ws.insert_chart(3, 7, chart)
        r += 1
    if len(s.leave_one_out):
        ws.write_string(r, 0, "Leave one criterion out (rescored by the engine)", f.h2)
        r += 1
        head = [
            "Criterion dropped",
            "Its weight",
            "Spearman rho",
            "Mean |rank change|",
            "Max |rank change|",
            "Most moved",
            "Band changes",
            "Now insufficient",
        ]
        for c, h in enumerate(head):
            ws.write_string(r, c, h, f.head)
        r += 1
        for cid, row in s.leave_one_out.iterrows():
            ws.write_string(r, 0, rubric.criterion(cid).label)
            ws.write_number(r, 1, float(row["weight"]), f.pct1)
            _number(ws, r, 2, row["spearman"], f.norm)
            _number(ws, r, 3, row["mean_rank_change"], f.points)
            ws.write_number(r, 4, int(row["max_rank_change"]))
            ws.write_string(r, 5, clean_text(str(row["most_moved"])))
            ws.write_number(r, 6, int(row["band_changes"]))
            ws.write_number(r, 7, int(row["now_insufficient"]))
            r += 1
        r += 1
    ws.write_string(r, 0, "Rank interval and band probabilities per engagement", f.h2)
    r += 1
    bands = list(s.band_probability.columns)
    head = [
        "Engagement ID",
        "Rank",
        "Score",
        "Band",
        "Median rank",
        "5 % rank",
        "95 % rank",
        "Interval from",
        "Interval to",
        "Score 5 %",
        "Score 95 %",
        *[f"P({b})" for b in bands],
    ]
    first = r
    for c, h in enumerate(head):
        ws.write_string(r, c, clean_text(h), f.head)
    r += 1
    e = s.engagements
    for eid, row in e.iterrows():
        ws.write_string(r, 0, clean_text(str(eid)))
        ws.write_number(r, 1, int(row["rank"]))
        ws.write_number(r, 2, float(row["score"]), f.score)
        ws.write_string(r, 3, str(row["band"]))
        ws.write_number(r, 4, float(row["rank_median"]))
        for i, key in enumerate(["rank_p05", "rank_p95", "rank_low", "rank_high"]):
            ws.write_number(r, 5 + i, int(row[key]))
        ws.write_number(r, 9, float(row["score_p05"]), f.score)
        ws.write_number(r, 10, float(row["score_p95"]), f.score)
        for i, b in enumerate(bands):
            ws.write_number(r, 11 + i, float(s.band_probability.loc[eid, b]), f.pct)
        r += 1
    last = max(r - 1, first + 1)
    ws.autofilter(first, 0, last, len(head) - 1)
    for i, b in enumerate(rubric.bands):
        ws.conditional_format(
            first + 1,
            11 + i,
            last,
            11 + i,
            {
                "type": "data_bar",
                "bar_color": b.colour,
                "min_type": "num",
                "min_value": 0,
                "max_type": "num",
                "max_value": 1,
            },
        )
    ws.set_column(0, 0, 34)
    ws.set_column(1, 10, 12)
    ws.set_column(11, 11 + len(bands), 16)


def _number(ws, r: int, c: int, value: Any, fmt=None) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        ws.write_blank(r, c, None, fmt)
    else:
        v = float(value)
        if math.isnan(v):
            ws.write_blank(r, c, None, fmt)
        else:
            ws.write_number(r, c, v, fmt)


def _col(index: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(index)


# -- CSV and Markdown --------------------------------------------------------------------------


def analysis_columns(result: Result) -> pd.DataFrame | None:
    """The columns an attached analysis adds to the CSV report, indexed by engagement id.

    Several raters: per rated criterion each rater's rating, the range and the review flag
    (``agreement.<criterion>.rater:<name>``, ``.range``, ``.flag``).  A sensitivity run: each
    engagement's rank and score intervals and band probabilities (``sensitivity.<key>``, the
    keys of the JSON report).  None when the result carries neither.
    """
    parts = []
    a = result.agreement
    if a is not None and len(a.spread):
        for cid in dict.fromkeys(a.spread.index.get_level_values("criterion")):
            sub = a.spread.xs(cid, level="criterion")
            cols = {f"agreement.{cid}.rater:{r}": sub[f"rater:{r}"] for r in a.raters}
            cols[f"agreement.{cid}.range"] = sub["range"].where(sub["n"] > 1)
            cols[f"agreement.{cid}.flag"] = sub["flag"].map({True: "review", False: ""})
            parts.append(pd.DataFrame(cols))
    s = result.sensitivity
    if s is not None:
        keys = ["rank_median", "rank_p05", "rank_p95", "rank_low", "rank_high"]
        keys += ["score_p05", "score_p95"]
        cols = {f"sensitivity.{k}": s.engagements[k] for k in keys}
        cols.update({f"sensitivity.P({b})": s.band_probability[b] for b in s.band_probability})
        parts.append(pd.DataFrame(cols))
    if not parts:
        return None
    return pd.concat(parts, axis=1)


def _md(value: Any) -> str:

    return md_cell(value)


def _md_table(head: list[str], align: str, rows: list[list[str]]) -> list[str]:
    """A Markdown table; ``align`` has one letter per column, ``l`` or ``r``."""
    rule = "|" + "".join("---:|" if a == "r" else "---|" for a in align)
    return ["| " + " | ".join(head) + " |", rule, *["| " + " | ".join(r) + " |" for r in rows]]


def analysis_markdown(result: Result) -> list[str]:
    """The Agreement and Sensitivity sections of the Markdown report (no lines without them)."""
    lines: list[str] = []
    rubric = result.rubric
    a = result.agreement
    if a is not None:
        lines += [
            "",
            "## Agreement between raters",
            "",
            f"{len(a.raters)} raters ({_md(', '.join(a.raters))}), combined by "
            f"{a.combine.replace('_', ' ')}. Rating rows: {a.rows_read} read, {a.rows_used} "
            f"used, {a.rows_rejected} rejected.",
            "",
        ]
        rows = [
            [_md(c.label), shown.text(), str(a.units[c.id]), shown.reading]
            for c in rubric.criteria
            if c.id in a.alpha
            for shown in [shown_alpha(a.alpha[c.id])]
        ]
        overall = shown_alpha(a.overall)
        rows.append(["**All criteria**", overall.text(), "", overall.reading])
        head = ["Criterion", "Krippendorff's α (ordinal)", "Rated twice+", "Reading"]
        lines += _md_table(head, "lrrl", rows)
        lines += [
            "",
            _md(ALPHA_LEGEND),
            "",
            f"### Raters {a.flag_at:g}+ levels apart: review these ({len(a.flags)})",
            "",
        ]
        if a.flags:
            head = ["ID", "Criterion", *[_md(r) for r in a.raters], "Spread", "Cells"]
            rows = [
                [
                    _md(f.id),
                    _md(rubric.criterion(f.criterion).label),
                    *[_fmt(f.ratings.get(r), "g") for r in a.raters],
                    _fmt(f.spread, "g"),
                    _md(", ".join(f.cells)),
                ]
                for f in a.flags
            ]
            lines += _md_table(head, "ll" + "r" * (len(a.raters) + 1) + "l", rows)
        else:
            lines.append("None.")
    s = result.sensitivity
    if s is not None:
        lines += [
            "",
            "## Sensitivity of the ranking to the weights",
            "",
            f"{s.summary_line()}; 5th percentile of Spearman rho {s.spearman_p05:.3f}. Weights "
            f"drawn from a Dirichlet centred on the rubric's weights (concentration "
            f"{_concentration(s.concentration)}); aggregation {s.aggregation}"
            + (", switched at random" if s.switch_aggregation else "")
            + ".",
            "",
        ]
        bands = list(s.band_probability.columns)
        head = ["Rank", "ID", "Score", "Band", "Median rank", "5–95 % rank"]
        head += [_md(f"P({b})") for b in bands]
        rows = []
        for eid, row in s.engagements.iterrows():
            rows.append(
                [
                    str(row["rank"]),
                    _md(eid),
                    f"{row['score']:.1f}",
                    _md(row["band"]),
                    f"{row['rank_median']:g}",
                    f"{row['rank_p05']}–{row['rank_p95']}",
                    *[f"{s.band_probability.loc[eid, b]:.2f}" for b in bands],
                ]
            )
        lines += _md_table(head, "rlrlrr" + "r" * len(bands), rows)
        if s.outside:
            lines += [
                "",
                f"{s.outside} engagements' nominal rank lies outside their 5–95 % range (ties "
                "at the rubric's weights break under any change).",
            ]
        if s.sobol is not None:
            lines += [
                "",
                "### What moves the ranking most: Sobol indices of the mean rank change "
                f"(N = {s.sobol_n})",
                "",
            ]
            rows = [
                [
                    _md(rubric.criterion(factor).label) if factor in rubric.ids else "Aggregation",
                    _fmt(row["S1"]),
                    _fmt(row["S1_conf"]),
                    _fmt(row["ST"]),
                    _fmt(row["ST_conf"]),
                ]
                for factor, row in s.sobol.sort_values("ST", ascending=False).iterrows()
            ]
            lines += _md_table(["Factor", "First-order S1", "±", "Total ST", "±"], "lrrrr", rows)
        if len(s.leave_one_out):
            lines += ["", "### Leave one criterion out", ""]
            head = ["Dropped", "Its weight", "Spearman ρ", r"Mean \|Δrank\|", r"Max \|Δrank\|"]
            head += ["Most moved", "Band changes", "Now insufficient"]
            rows = [
                [
                    _md(rubric.criterion(cid).label),
                    f"{row['weight']:.1%}",
                    _fmt(row["spearman"], ".3f"),
                    _fmt(row["mean_rank_change"], ".1f"),
                    str(row["max_rank_change"]),
                    _md(row["most_moved"]),
                    str(row["band_changes"]),
                    str(row["now_insufficient"]),
                ]
                for cid, row in s.leave_one_out.iterrows()
            ]
            lines += _md_table(head, "lrrrrlrr", rows)
    return lines


# -- HTML --------------------------------------------------------------------------------------


def agreement_context(result: Result) -> dict[str, Any] | None:
    """What the HTML report's Agreement section shows (None when there is one rater)."""
    a = result.agreement
    if a is None:
        return None
    rubric = result.rubric
    criteria = [
        {
            "label": c.label,
            "alpha": shown.text(),
            "units": a.units[c.id],
            "reading": shown.reading,
            "width": 0.0 if math.isnan(shown.value) else max(0.0, min(1.0, shown.value)),
        }
        for c in rubric.criteria
        if c.id in a.alpha
        for shown in [shown_alpha(a.alpha[c.id])]
    ]
    overall = shown_alpha(a.overall)
    return {
        "raters": a.raters,
        "combine": a.combine.replace("_", " "),
        "flag_at": a.flag_at,
        "overall": overall.text(),
        "overall_reading": overall.reading,
        "legend": ALPHA_LEGEND,
        "criteria": criteria,
        "flags": [
            {
                "id": f.id,
                "criterion": rubric.criterion(f.criterion).label,
                "ratings": [f.ratings.get(r) for r in a.raters],
                "spread": f.spread,
                "cells": ", ".join(f.cells),
            }
            for f in a.flags[:FLAG_LIMIT]
        ],
        "n_flags": len(a.flags),
        "flag_limit": FLAG_LIMIT,
        "rows_read": a.rows_read,
        "rows_used": a.rows_used,
        "rows_rejected": a.rows_rejected,
    }


def sensitivity_context(result: Result) -> dict[str, Any] | None:
    """What the HTML report's Sensitivity section shows, with the rank-interval chart's
    geometry (None when no sensitivity run is attached)."""
    s = result.sensitivity
    if s is None:
        return None
    rubric = result.rubric
    e = s.engagements
    n = len(e)
    shown = e.head(CHART_LIMIT)
    colours = {b.name: b.colour for b in rubric.bands}
    label_w, plot_w, row_h, top = 150.0, 560.0, 16.0, 26.0

    def x(rank: float) -> float:
        return label_w + (plot_w * (rank - 1) / (n - 1) if n > 1 else plot_w / 2)

    rows = []
    for i, (eid, row) in enumerate(shown.iterrows()):
        y = top + i * row_h + row_h / 2
        rows.append(
            {
                "id": str(eid),
                "y": y,
                "x_lo": x(row["rank_p05"]),
                "x_hi": x(row["rank_p95"]),
                "x_low": x(row["rank_low"]),
                "x_high": x(row["rank_high"]),
                "x_median": x(row["rank_median"]),
                "x_nominal": x(row["rank"]),
                "colour": colours.get(row["band"], "#999999"),
                "rank": int(row["rank"]),
                "p05": int(row["rank_p05"]),
                "p95": int(row["rank_p95"]),
                "median": float(row["rank_median"]),
                "outside": bool(row["rank"] < row["rank_p05"] or row["rank"] > row["rank_p95"]),
            }
        )
    ticks = sorted({1, n, *[int(t) for t in np.linspace(1, n, 6).round()]}) if n else []
    height = top + len(rows) * row_h + 24
    band_index = {b.name: i for i, b in enumerate(rubric.bands)}
    table = []
    for eid, row in shown.iterrows():
        probs = s.band_probability.loc[eid]
        table.append(
            {
                "id": str(eid),
                "rank": int(row["rank"]),
                "score": float(row["score"]),
                "band": row["band"],
                "band_index": band_index[row["band"]],
                "median": float(row["rank_median"]),
                "interval": f"{int(row['rank_p05'])}–{int(row['rank_p95'])}",
                "probs": [
                    {"band": b, "index": band_index[b], "p": float(probs[b])} for b in probs.index
                ],
                "text": " · ".join(
                    f"{b} {percent(probs[b])}" for b in probs.index if probs[b] >= 0.005
                ),
            }
        )
    sobol = []
    if s.sobol is not None:
        for factor, row in s.sobol.sort_values("ST", ascending=False).iterrows():
            sobol.append(
                {
                    "label": rubric.criterion(factor).label
                    if factor in rubric.ids
                    else "Aggregation (arithmetic or geometric)",
                    "s1": row["S1"],
                    "s1_conf": row["S1_conf"],
                    "st": row["ST"],
                    "st_conf": row["ST_conf"],
                    "w1": max(0.0, min(1.0, float(row["S1"]))),
                    "wt": max(0.0, min(1.0, float(row["ST"]))),
                }
            )
    loo = [
        {
            "label": rubric.criterion(cid).label,
            "weight": row["weight"],
            "spearman": row["spearman"],
            "mean": row["mean_rank_change"],
            "max": row["max_rank_change"],
            "most_moved": row["most_moved"],
            "band_changes": row["band_changes"],
            "now_insufficient": row["now_insufficient"],
        }
        for cid, row in s.leave_one_out.iterrows()
    ]
    return {
        "draws": s.draws,
        "concentration": _concentration(s.concentration),
        "seed": s.seed,
        "switch": s.switch_aggregation,
        "resample": s.resample_raters,
        "mean_spearman": s.mean_spearman,
        "spearman_p05": s.spearman_p05,
        "outside": s.outside,
        "n": n,
        "shown": len(rows),
        "chart": {
            "rows": rows,
            "width": label_w + plot_w + 20,
            "height": height,
            "label_w": label_w,
            "plot_w": plot_w,
            "top": top,
            "bottom": top + len(rows) * row_h,
            "ticks": [{"rank": t, "x": x(t)} for t in ticks],
        },
        "table": table,
        "sobol": sobol,
        "sobol_n": s.sobol_n,
        "loo": loo,
    }
