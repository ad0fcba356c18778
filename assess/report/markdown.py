"""The Markdown report: a summary table of the scores, the rows not scored, and a section for
each attached analysis (agreement, sensitivity, comparison of groups) and a recorded history."""

from __future__ import annotations

from pathlib import Path

from ..analyses.agreement import ALPHA_LEGEND, shown_alpha
from ..analyses.groups.result import p_text
from ..display import fixed, percent, trimmed
from ..files import atomic_path
from ..result import Result
from .figures import change_text, concentration, figure, sentence
from .review_content import review_summary
from .safety import md_cell, report_notes


def to_markdown(result: Result) -> str:
    r = result.rubric
    lines = [
        f"# Effectiveness report: {', '.join(md_cell(s.file) for s in result.sources)}",
        "",
        f"Rubric **{r.name}** {r.version} (hash `{r.short_hash}`), aggregation {r.aggregation}.",
        "",
        *[f"> **Note:** {md_cell(n)}\n" for n in report_notes(result)],
        f"**{result.summary_line()}.**",
        "",
        "| Rank | ID | Score | Band | " + " | ".join(c.label for c in r.criteria) + " |",
        "|---:|---|---:|---|" + "---:|" * len(r.criteria),
    ]
    for eid, row in result.scored.iterrows():
        ratings = [
            trimmed(row[f"{c.id}.rating"], 2) if c.rated else fixed(row[f"{c.id}.normalised"], 2)
            for c in r.criteria
        ]
        lines.append(
            f"| {row['rank']} | {md_cell(eid)} | {fixed(row['score'], 1)} | {row['band']} | "
            + " | ".join(ratings)
            + " |"
        )
    if len(result.insufficient):
        lines += ["", "## Insufficient evidence", ""]
        for eid, row in result.insufficient.iterrows():
            lines.append(
                f"- {md_cell(eid)} ({md_cell(row['sheet'])} row {row['row']}): "
                f"{percent(row['completeness'])} of the weight rated"
            )
    if result.rejected:
        lines += ["", "## Rejected rows", ""]
        lines += [f"- {md_cell(str(rej))}" for rej in result.rejected]
    if result.held:
        lines += ["", "## Not approved", ""]
        lines += [f"- {md_cell(str(held))}" for held in result.held]
    if result.flags:
        lines += ["", "## Flags", ""]
        lines += [f"- {md_cell(str(flag))}" for flag in result.flags]
    lines += review_markdown(result)
    lines += analysis_markdown(result)
    lines += comparison_markdown(result)
    lines += history_markdown(result)
    return "\n".join(lines) + "\n"


def review_markdown(result: Result) -> list[str]:
    """The "Evidence and review" section: each criterion's share of ratings with evidence,
    and the rows per review status (no lines when the input has neither)."""
    summary = review_summary(result)
    if summary.empty:
        return []
    lines = ["", "## Evidence and review", ""]
    if summary.shares:
        rows = [
            [md_cell(s.label), str(s.rated), str(s.with_evidence), percent(s.share)]
            for s in summary.shares
        ]
        lines += _md_table(["Criterion", "Rated", "With evidence", "Share"], "lrrr", rows)
    if summary.statuses:
        rows = [[md_cell(k), str(v)] for k, v in summary.statuses]
        lines += ([""] if summary.shares else []) + _md_table(["Status", "Rows"], "lr", rows)
    return lines


def write_markdown(result: Result, path: Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(to_markdown(result), encoding="utf-8")


# -- the Markdown sections of an attached analysis ----------------------------------------------


def _md_table(head: list[str], align: str, rows: list[list[str]]) -> list[str]:
    """A Markdown table; ``align`` has one letter per column, ``l`` or ``r``."""
    rule = "|" + "".join("---:|" if a == "r" else "---|" for a in align)
    return ["| " + " | ".join(head) + " |", rule, *["| " + " | ".join(r) + " |" for r in rows]]


def analysis_markdown(result: Result) -> list[str]:
    """The Agreement and Sensitivity sections of the Markdown report (no lines without them)."""
    lines: list[str] = []
    if result.agreement is not None:
        lines += _agreement_markdown(result)
    if result.sensitivity is not None:
        lines += _sensitivity_markdown(result)
    return lines


def _agreement_markdown(result: Result) -> list[str]:
    """Alpha per criterion, then the flagged ratings."""
    rubric = result.rubric
    a = result.agreement
    lines = [
        "",
        "## Agreement between raters",
        "",
        f"{len(a.raters)} raters ({md_cell(', '.join(a.raters))}), combined by "
        f"{a.combine.replace('_', ' ')}. Rating rows: {a.rows_read} read, {a.rows_used} "
        f"used, {a.rows_rejected} rejected.",
        "",
    ]
    rows = [
        [md_cell(c.label), shown.text(), str(a.units[c.id]), shown.reading]
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
        md_cell(ALPHA_LEGEND),
        "",
        f"### Raters {a.flag_at:g}+ levels apart: review these ({len(a.flags)})",
        "",
    ]
    if not a.flags:
        return [*lines, "None."]
    head = ["ID", "Criterion", *[md_cell(r) for r in a.raters], "Spread", "Cells"]
    rows = [
        [
            md_cell(f.id),
            md_cell(rubric.criterion(f.criterion).label),
            *[figure(f.ratings.get(r), "g") for r in a.raters],
            figure(f.spread, "g"),
            md_cell(", ".join(f.cells)),
        ]
        for f in a.flags
    ]
    return lines + _md_table(head, "ll" + "r" * (len(a.raters) + 1) + "l", rows)


def _sensitivity_markdown(result: Result) -> list[str]:
    """Rank intervals and band probabilities, then Sobol indices and leave-one-out."""
    s = result.sensitivity
    lines = [
        "",
        "## Sensitivity of the ranking to the weights",
        "",
        f"{s.summary_line()}; 5th percentile of Spearman rho {s.spearman_p05:.3f}. Weights "
        f"drawn from a Dirichlet centred on the rubric's weights (concentration "
        f"{concentration(s.concentration)}); aggregation {s.aggregation}"
        + (", switched at random" if s.switch_aggregation else "")
        + ".",
        "",
    ]
    bands = list(s.band_probability.columns)
    head = ["Rank", "ID", "Score", "Band", "Median rank", "5–95 % rank"]
    head += [md_cell(f"P({b})") for b in bands]
    rows = [
        [
            str(row["rank"]),
            md_cell(eid),
            f"{row['score']:.1f}",
            md_cell(row["band"]),
            f"{row['rank_median']:g}",
            f"{row['rank_p05']}–{row['rank_p95']}",
            *[f"{s.band_probability.loc[eid, b]:.2f}" for b in bands],
        ]
        for eid, row in s.engagements.iterrows()
    ]
    lines += _md_table(head, "rlrlrr" + "r" * len(bands), rows)
    if s.outside:
        lines += [
            "",
            f"{s.outside} engagements' nominal rank lies outside their 5–95 % range (ties "
            "at the rubric's weights break under any change).",
        ]
    if s.sobol is not None:
        lines += _sobol_markdown(result)
    if len(s.leave_one_out):
        lines += _leave_one_out_markdown(result)
    return lines


def _sobol_markdown(result: Result) -> list[str]:
    s = result.sensitivity
    rubric = result.rubric
    rows = [
        [
            md_cell(rubric.criterion(factor).label) if factor in rubric.ids else "Aggregation",
            figure(row["S1"]),
            figure(row["S1_conf"]),
            figure(row["ST"]),
            figure(row["ST_conf"]),
        ]
        for factor, row in s.sobol.sort_values("ST", ascending=False).iterrows()
    ]
    return [
        "",
        f"### What moves the ranking most: Sobol indices of the mean rank change (N = {s.sobol_n})",
        "",
        *_md_table(["Factor", "First-order S1", "±", "Total ST", "±"], "lrrrr", rows),
    ]


def _leave_one_out_markdown(result: Result) -> list[str]:
    head = ["Dropped", "Its weight", "Spearman ρ", r"Mean \|Δrank\|", r"Max \|Δrank\|"]
    head += ["Most moved", "Band changes", "Now insufficient"]
    rows = [
        [
            md_cell(result.rubric.criterion(cid).label),
            f"{row['weight']:.1%}",
            figure(row["spearman"], ".3f"),
            figure(row["mean_rank_change"], ".1f"),
            str(row["max_rank_change"]),
            md_cell(row["most_moved"]),
            str(row["band_changes"]),
            str(row["now_insufficient"]),
        ]
        for cid, row in result.sensitivity.leave_one_out.iterrows()
    ]
    return ["", "### Leave one criterion out", "", *_md_table(head, "lrrrrlrr", rows)]


# -- the Markdown section of an attached history ------------------------------------------------

#: At most this many of the largest score changes are listed in the Markdown report.
LARGEST_SHOWN = 10


def history_markdown(result: Result) -> list[str]:
    """The "Since <previous period>" section: the note, the engagements that moved a band and
    the largest score changes, then the band mix and mean score per type per period (no lines
    without a history)."""
    h = result.history
    if h is None:
        return []
    head = f"Since {h.previous_period}" if h.previous_period else f"History to {h.period}"
    lines = ["", f"## {md_cell(head)}", "", md_cell(sentence(h.note))]
    if h.changes is not None:
        lines += ["", md_cell(sentence(h.headline)), "", *_since_markdown(result)]
    lines += ["", "### Band mix per period", ""]
    rows = [
        [md_cell(row["period"]), str(row["n"]), figure(row["mean_score"], ".1f")]
        + [str(row[b]) for b in h.bands]
        for row in h.overall.to_dict("records")
    ]
    head_row = ["Period", "Scored", "Mean score", *[md_cell(b) for b in h.bands]]
    lines += _md_table(head_row, "lrr" + "r" * len(h.bands), rows)
    means = h.mean_by_group()
    if means is not None:
        lines += ["", f"### Mean score per {md_cell(h.groups.by.lower())} per period", ""]
        rows = [
            [md_cell(group), *[figure(means.at[p, group], ".1f") for p in h.periods]]
            for group in means.columns
        ]
        head_row = [md_cell(h.groups.by), *[md_cell(p) for p in h.periods]]
        lines += _md_table(head_row, "l" + "r" * len(h.periods), rows)
    return lines


def _since_markdown(result: Result) -> list[str]:
    """The engagements that moved a band, then the largest score changes."""
    h = result.history
    previous = h.previous(result.engagements.index)
    score = result.engagements["score"]

    def row(eid: str) -> list[str]:
        return [
            md_cell(eid),
            md_cell(previous.at[eid, "previous_band"]),
            md_cell(result.engagements.at[eid, "band"]),
            figure(previous.at[eid, "previous_score"], ".1f"),
            figure(score.at[eid], ".1f"),
            change_text(previous.at[eid, "change"]),
        ]

    head = ["ID", "Previous band", "Band", "Previous score", "Score", "Change"]
    moved = [eid for eid in h.changes.moved.index if eid in score.index]
    lines = ["### Moved a band", ""]
    lines += _md_table(head, "lllrrr", [row(eid) for eid in moved]) if moved else ["None."]
    largest = [eid for eid in h.changes.largest.index if eid in score.index][:LARGEST_SHOWN]
    lines += ["", "### Largest score changes", ""]
    lines += _md_table(head, "lllrrr", [row(eid) for eid in largest]) if largest else ["None."]
    return lines


# -- the Markdown section of an attached comparison of groups -----------------------------------


def comparison_markdown(result: Result) -> list[str]:
    """The "Comparison by <column>" section: the headline and notes, each group's counts and
    mean score with its interval, the cross-table of two columns and the pairs that differ (no
    lines without a comparison)."""
    cmp = result.comparison
    if cmp is None:
        return []
    lines = ["", f"## Comparison by {md_cell(' and '.join(cmp.by))}", ""]
    lines += [md_cell(sentence(cmp.headline())), ""]
    lines += [f"- {md_cell(sentence(note))}" for note in cmp.notes()]
    lines += [
        f"- {cmp.confidence:.0%} bootstrap intervals ({cmp.resamples} resamples, seed "
        f"{cmp.seed}); groups with fewer than {cmp.small} scored engagements are not tested.",
        "",
    ]
    rows = [
        [
            md_cell(name),
            str(int(g["n"])),
            figure(g["mean"], ".1f"),
            f"{figure(g['mean_low'], '.1f')} to {figure(g['mean_high'], '.1f')}",
            figure(g["median"], ".1f"),
            str(int(g["insufficient"])),
            str(int(g["rejected"])),
            "yes" if g["tested"] else "no (too few)",
        ]
        for name, g in cmp.groups.iterrows()
    ]
    head = ["Group", "Scored", "Mean score", "Interval", "Median", "Insufficient", "Rejected"]
    lines += _md_table([*head, "Tested"], "lrrrrrrl", rows)
    if cmp.cross_mean is not None and cmp.cross_n is not None:
        lines += [
            "",
            f"### Mean score (scored engagements) by {md_cell(cmp.by[0])} and {md_cell(cmp.by[1])}",
            "",
        ]
        cols = list(cmp.cross_mean.columns)
        rows = [
            [md_cell(name)]
            + [
                f"{figure(cmp.cross_mean.at[name, c], '.1f')} ({int(cmp.cross_n.at[name, c])})"
                if cmp.cross_n.at[name, c]
                else "–"
                for c in cols
            ]
            for name in cmp.cross_mean.index
        ]
        lines += _md_table([md_cell(cmp.by[0]), *map(md_cell, cols)], "l" + "r" * len(cols), rows)
    sig = cmp.significant
    if not sig.empty:
        lines += ["", "### Pairs that differ (Holm-corrected)", ""]
        rows = [
            [
                md_cell(p["a"]),
                md_cell(p["b"]),
                figure(p["mean_difference"], ".1f"),
                f"{figure(p['difference_low'], '.1f')} to {figure(p['difference_high'], '.1f')}",
                figure(p["cliffs_delta"], ".2f"),
                p_text(p["p_holm"]),
            ]
            for p in sig.to_dict("records")
        ]
        head = ["Group A", "Group B", "A less B", "Interval", "Cliff's δ", "p (Holm)"]
        lines += _md_table(head, "llrrrr", rows)
    return lines
