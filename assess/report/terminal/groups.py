"""The terminal view of ``assess compare``: a :class:`~assess.analyses.groups.Comparison`.

Groups by name (never ranked by score), each with its counts, mean and median with their
bootstrap intervals, band mix, share capped by a gate and the rows not scored; the criterion
profile; the tests; the cross-table for two columns; then the notes and the headline.  Group
names and column headers come from the input: every one is printed inert
(:func:`~assess.report.terminal.inert`).
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ...analyses.groups import Comparison
from ...analyses.groups.result import p_text
from ...display import fixed, percent
from ..safety import printable, report_notes
from . import inert, shown


def print_comparison(
    comparison: Comparison, console: Console, limit: int | None = 10, *, summary: bool = True
) -> None:
    """Everything a comparison holds, as tables, then its notes and headline; ``limit``
    pairs at most (those that differ first, then by p-value).  ``summary=False`` leaves out
    the result's notes and summary line (already printed with its scores)."""
    c = comparison
    result = c.result
    for note in report_notes(result) if summary else []:  # above the tables: they matter
        console.print(Text("note: " + printable(note), style="bold yellow"))
    console.print(_groups_table(c))
    console.print(_mix_table(c))
    bands = ", ".join(f"{_short(b)} {b}" for b in result.rubric.band_names)
    console.print(f"Bands: {bands}.", markup=False)
    console.print(_profile_table(c))
    _print_tests(c, console, limit)
    if c.cross_mean is not None:
        console.print(_cross_table(c, console.width))
    if summary:
        console.print(result.summary_line(), markup=False, highlight=False)
    for note in c.notes():
        console.print(inert("note: " + note))
    console.print(Text(printable(c.headline()), style="bold"))


def _interval(low: float, high: float) -> str:
    if low != low or high != high:  # NaN: fewer than two scores
        return "–"
    sep = " to " if low < 0 else "–"  # -44.9 to -5.0, not -44.9–-5.0
    return f"{fixed(low, 1)}{sep}{fixed(high, 1)}"


def _short(name: str) -> str:
    """A band's initials, for a narrow column header (``Partially effective`` -> ``PE``)."""
    return "".join(w[0] for w in name.split()).upper()


def _groups_table(c: Comparison) -> Table:
    """n, mean and median with their intervals, per group."""
    level = percent(c.confidence)
    table = Table(
        title=inert(
            f"Scores by {c.by[0]}: mean and median with {level} bootstrap intervals "
            f"({c.resamples} resamples, seed {c.seed})"
        ),
        title_justify="left",
    )
    table.add_column(inert(c.by[0]))
    for name in ("n", "Mean", f"{level} interval", "Median", f"{level} interval"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("")
    for name, row in c.groups.iterrows():
        table.add_row(
            shown(name),
            str(int(row["n"])),
            fixed(row["mean"], 1, "–"),
            _interval(row["mean_low"], row["mean_high"]),
            fixed(row["median"], 1, "–"),
            _interval(row["median_low"], row["median_high"]),
            Text("small", style="yellow") if row["small"] else "",
        )
    return table


def _mix_table(c: Comparison) -> Table:
    """Band mix, share capped by a gate and rows not scored, per group."""
    bands = c.result.rubric.band_names
    table = Table(
        title="Band mix (scored), share capped by a gate, rows not scored", title_justify="left"
    )
    table.add_column(inert(c.by[0]))
    for band in bands:
        table.add_column(_short(band), justify="right", no_wrap=True)
    for name in ("Capped", "Insufficient", "Rejected"):
        table.add_column(name, justify="right", no_wrap=True)
    for name, row in c.groups.iterrows():
        table.add_row(
            shown(name),
            *(str(int(v)) for v in c.bands.loc[name]),
            percent(row["capped"], 0, "–"),
            str(int(row["insufficient"])),
            str(int(row["rejected"])),
        )
    return table


def _profile_table(c: Comparison) -> Table:
    """The criteria furthest below and above all engagements' mean normalised value, per
    group (the whole profile is in the JSON)."""
    rubric = c.result.rubric
    table = Table(
        title="What holds each group back: mean normalised value (0–1) against all scored",
        title_justify="left",
    )
    table.add_column(inert(c.by[0]))
    table.add_column("Furthest below")
    table.add_column("Furthest above")
    gap = c.profile - c.overall_profile
    for name in c.profile.index:
        row = gap.loc[name].dropna()
        below = above = "–"
        if len(row) and row.min() < 0:
            below = f"{rubric.criterion(row.idxmin()).label} {fixed(row.min(), 2)}"
        if len(row) and row.max() > 0:
            above = f"{rubric.criterion(row.idxmax()).label} +{fixed(row.max(), 2)}"
        table.add_row(shown(name), below, above)
    return table


def _print_tests(c: Comparison, console: Console, limit: int | None) -> None:
    """The overall test and the pairwise table."""
    test = c.overall_test
    if test is None:
        console.print(
            f"No test: fewer than two groups have {max(c.small, 1)} or more scored engagements.",
            markup=False,
        )
        return
    console.print(
        f"Kruskal–Wallis over {len(test.groups)} groups: H = {fixed(test.statistic, 2, '–')}, "
        f"df {test.df}, p = {p_text(test.p)}",
        markup=False,
    )
    pairs = c.pairs.assign(order=~c.pairs["significant"].to_numpy(dtype=bool))
    pairs = pairs.sort_values(["order", "p"], kind="stable")
    shown_pairs = pairs if limit is None else pairs.head(limit)
    level = percent(c.confidence)
    table = Table(
        title=f"Pairs: Mann–Whitney U, Holm-corrected over {len(pairs)} pairs "
        f"(differs: Holm p < {c.alpha:g})",
        title_justify="left",
    )
    table.add_column("A")
    table.add_column("B")
    for name in ("A − B", f"{level} interval", "δ", "p", "Holm p"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("")
    for row in shown_pairs.itertuples():
        table.add_row(
            shown(row.a),
            shown(row.b),
            fixed(row.mean_difference, 1),
            _interval(row.difference_low, row.difference_high),
            fixed(row.cliffs_delta, 2),
            p_text(row.p),
            p_text(row.p_holm),
            Text("differs", style="bold") if row.significant else "",
        )
    console.print(table)
    if len(shown_pairs) < len(pairs):
        console.print(f"({len(shown_pairs)} of {len(pairs)} pairs shown: --format json has all)")
    console.print(
        "A − B: difference in mean score. δ, Cliff's delta: the chance an engagement of A "
        "outscores one of B, less the reverse "
        "(0: none; about 0.15 small, 0.33 medium, 0.47 large).",
        markup=False,
    )


def _cross_table(c: Comparison, width: int) -> Table:
    """Mean score (scored engagements) per cell; an empty cell as a dash.  The count goes
    under the mean when the cells would not fit side by side in ``width``."""
    assert c.cross_mean is not None and c.cross_n is not None
    table = Table(
        title=inert(f"Mean score (n) by {c.by[0]} × {c.by[1]}"),
        title_justify="left",
    )
    label = min(24, max([len(shown(g)) for g in c.cross_mean.index] + [len(c.by[0])]))
    table.add_column(inert(c.by[0]), min_width=label)
    for col in c.cross_mean.columns:
        table.add_column(shown(col), justify="right")
    stacked = label + 4 + 12 * len(c.cross_mean.columns) > width
    for name in c.cross_mean.index:
        cells = []
        for col in c.cross_mean.columns:
            n = int(c.cross_n.at[name, col])
            mean = fixed(c.cross_mean.at[name, col], 1)
            cells.append("–" if not n else f"{mean}\n({n})" if stacked else f"{mean} ({n})")
        table.add_row(shown(name), *cells)
    return table
