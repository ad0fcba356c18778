"""The terminal tables of ``assess agreement``, ``assess sensitivity`` and ``assess explain``.

Each reads what a :class:`~assess.result.Result` carries (``result.agreement``,
``result.sensitivity``) or an :class:`~assess.analyses.explain.Explanation`.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ...analyses.agreement import ALPHA_LEGEND, shown_alpha
from ...display import fixed, percent
from ...result import Result
from ..figures import concentration, figure
from ..safety import printable, report_notes
from . import inert

# -- agreement ---------------------------------------------------------------------------------


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
        _print_flags(result, console, limit)
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


def _print_flags(result: Result, console: Console, limit: int | None) -> None:
    """The ratings whose raters are far apart (the first ``limit`` of them)."""
    a = result.agreement
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
            result.rubric.criterion(f.criterion).label,
            *[figure(f.ratings.get(r), "g") for r in a.raters],
            figure(f.spread, "g"),
            inert(", ".join(f.cells)),
        )
    console.print(ft)
    if len(flags) < len(a.flags):
        console.print(f"(first {len(flags)} of {len(a.flags)} shown)")


# -- sensitivity -------------------------------------------------------------------------------


def print_sensitivity(result: Result, console: Console, limit: int | None = 20) -> None:
    """Rank intervals and band probabilities, Sobol indices and the leave-one-out table; then
    how the rows were accounted for, with every insufficient-evidence and rejected row."""
    s = result.sensitivity
    console.print(_rank_table(result, limit))
    if limit is not None and len(s.engagements) > limit:
        console.print(f"(top {limit} of {len(s.engagements)} shown)")
    if s.sobol is not None:
        console.print(_sobol_table(result))
    if len(s.leave_one_out):
        console.print(_leave_one_out_table(result))
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


def _rank_table(result: Result, limit: int | None) -> Table:
    """Each engagement's rank interval and band probabilities (the first ``limit``)."""
    s = result.sensitivity
    rubric = result.rubric
    rows = s.engagements if limit is None else s.engagements.head(limit)
    table = Table(
        title=f"Rank under {s.draws} plausible weightings (concentration "
        f"{concentration(s.concentration)}, seed {s.seed})",
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
    return table


def _sobol_table(result: Result) -> Table:
    """The Sobol indices of the mean rank change, the largest total effect first."""
    s = result.sensitivity
    rubric = result.rubric
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
            figure(row["S1"]),
            figure(row["S1_conf"]),
            figure(row["ST"]),
            figure(row["ST_conf"]),
        )
    return st


def _leave_one_out_table(result: Result) -> Table:
    """How the ranking changes with each criterion left out."""
    lt = Table(title="Leave one criterion out", title_justify="left")
    for col in ("Dropped", "Spearman ρ", "Mean |Δrank|", "Max |Δrank|", "Band changes"):
        lt.add_column(col, justify="left" if col == "Dropped" else "right")
    for cid, row in result.sensitivity.leave_one_out.iterrows():
        moved = f" ({row['most_moved']})" if row["most_moved"] else ""
        lt.add_row(
            result.rubric.criterion(cid).label,
            figure(row["spearman"], ".3f"),
            figure(row["mean_rank_change"], ".1f"),
            inert(f"{row['max_rank_change']}{moved}"),
            str(row["band_changes"]),
        )
    return lt


# -- explain -----------------------------------------------------------------------------------


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
    if expl.held is not None:
        console.print(
            printable(
                f"{expl.source} · {expl.sheet} row {expl.row}: the row is not in a required "
                "review status, so it was not scored"
            ),
            markup=False,
            highlight=False,
        )
        return
    review = ", ".join(
        f"{k.replace('_', ' ')} {v}" for k, v in expl.review.items() if v is not None
    )
    console.print(
        printable(
            f"{expl.source} · {expl.sheet} row {expl.row} · {percent(expl.completeness)} of "
            "the weight rated" + (f" · {review}" if review else "")
        ),
        markup=False,
        highlight=False,
    )
    console.print(_criteria_table(expl))
    if note := expl.points_note():
        console.print(note, markup=False, highlight=False)
    for g in expl.gates:
        console.print(f"Gate {g.id}: {g.describe()}.", markup=False)
    for flag in expl.flags:
        console.print(inert(f"flagged {flag}"))
    if expl.status == "scored":
        _print_improvements(expl, console)


#: how much of a piece of evidence the terminal shows (the JSON has all of it)
EVIDENCE_SHOWN = 120


def _evidence_cell(c) -> Text:
    """The evidence behind a rating, shortened; a flag in its place when it is missing."""
    if c.evidence is None:
        return Text("none: flagged" if c.flag else "", style="bold yellow" if c.flag else "")
    text = c.evidence if len(c.evidence) <= EVIDENCE_SHOWN else c.evidence[:EVIDENCE_SHOWN] + "…"
    return inert(text)


def _criteria_table(expl) -> Table:
    """Weight, rating (with its level's descriptor), points and raters per criterion."""
    table = Table(title_justify="left")
    table.add_column("Criterion")
    table.add_column("Weight", justify="right")
    table.add_column("Rating")
    table.add_column("Points", justify="right")
    with_raters = any(c.raters for c in expl.criteria)
    if with_raters:
        table.add_column("Raters")
    with_evidence = any(c.evidence is not None or c.flag is not None for c in expl.criteria)
    if with_evidence:
        table.add_column("Evidence")
    for c in expl.criteria:
        if c.indicators is not None:
            rating = "; ".join(f"{k} {figure(v, 'g')}" for k, v in c.indicators.items())
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
        cells = [label, weight, inert(rating), figure(c.contribution, ".1f")]
        if with_raters:
            raters = ", ".join(f"{k} {figure(v, 'g')}" for k, v in (c.raters or {}).items())
            cells.append(inert(raters))
        if with_evidence:
            cells.append(_evidence_cell(c))
        table.add_row(*cells)
    if expl.status == "scored":
        extra = [""] * (with_raters + with_evidence)
        total = ["Score", "", "", fixed(expl.score, 1), *extra]
        table.add_section()
        table.add_row(*total, style="bold")
    return table


def _print_improvements(expl, console: Console) -> None:
    """The changes of one criterion alone that lift a scored engagement's band."""
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
